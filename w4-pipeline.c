/* w4-pipeline.c: capture -> dissect -> correlate, wired as why401 runs them.
 *
 * Capture's frames advance dissect (idle expiry) and the correlator (frame
 * counts, the 30 s decisions), its datagrams go to dissect, and its ticks
 * (live capture) to the correlator. Dissect's events go to the correlator
 * through forwarders whose only purpose is to let the caller see anomalies
 * first (warnings on stderr): a W4Sink has one user pointer, so the
 * correlator's sink cannot be handed over with one callback replaced.
 *
 * The pipeline owns the run's memory budget (--max-mem, w4-budget.h): every
 * stage gets it in its copy of the limits and charges what it keeps, and
 * it is enforced here, between frames, where no stage is in the middle of
 * changing a table. */
#include "w4-pipeline.h"

#include <string.h>

#include "tls-keylog.h"
#include "w4-budget.h"
#include "w4-clock.h"

struct W4Pipeline {
  W4Capture *cap;
  W4Dissect *dis;
  W4Correlate *cor;
  W4Keylog *keys;      /* --keylog files and pcapng Decryption Secrets Blocks */
  gboolean keys_growing; /* live: the key logs may still be written to */
  W4Sink cor_sink;     /* what dissect's events go to */
  W4Clock clock;       /* capture time for decisions (outliers ignored) */
  W4AnomalyFunc warn;
  void *warn_user;
  gboolean h2_warned;  /* the HTTP/2 warning is given once per run */
  W4Budget budget;     /* --max-mem: every stage's limits point here */
  guint64 last_frame;  /* the latest frame, for the budget's warning */
  W4Time last_ts;
};

static void
pipe_warn (W4Pipeline *pipe, const W4Anomaly *what)
{
  /* limits reach the warn function through the correlator, once each */
  if (pipe->warn != NULL && what->kind != W4_ANOM_LIMIT)
    pipe->warn (pipe->warn_user, what);
}

/* A warning of the pipeline's own: to the warn function (stderr) and to
 * the correlator (summary.warnings). */
static void
warn_everywhere (W4Pipeline *pipe, guint64 frame, W4Time ts, W4LimitId limit, const char *msg)
{
  W4Anomaly what = { 0 };

  what.kind = W4_ANOM_WARNING;
  what.limit = limit;
  what.frame = frame;
  what.ts = ts;
  what.message = msg;
  pipe_warn (pipe, &what);
  w4_cor_anomaly (pipe->cor, &what);
}

/* ---- the memory budget ---------------------------------------------------- */

/* The first time the budget is enforced: one warning, on stderr and in
 * summary.warnings, worded as a limit's (the summary's budget object and
 * the text report's line count what was given up by the end). */
static void
warn_budget_reached (W4Pipeline *pipe)
{
  g_autofree char *max = w4_budget_format_size (pipe->budget.max);
  g_autofree char *msg = g_strdup_printf (
      "memory budget reached: what the stages keep grew past --max-mem %s; the least useful "
      "state is given up (idle connections first, then failures decided early, active "
      "connections, client state, kept findings), counted in the summary; raise it with "
      "--max-mem SIZE",
      max);

  warn_everywhere (pipe, pipe->last_frame, pipe->last_ts, W4_LIMIT_COUNT, msg);
}

/* Between frames (and at the end): cheap unless the use is over the
 * budget, then the stages' evictors give up state, least useful first. */
static void
enforce_budget (W4Pipeline *pipe)
{
  gboolean first;

  if (!w4_budget_over (&pipe->budget))
    return;
  first = pipe->budget.enforcements == 0;
  w4_budget_enforce (&pipe->budget);
  if (first)
    warn_budget_reached (pipe);
}

/* ---- capture's sink ------------------------------------------------------ */

/* A frame whose timestamp jumped far ahead of the traffic around it: a
 * warning, as a damaged record is. The frame is named as the user finds
 * it: its number in its own file (INPUT.md), and that file. */
static void
warn_outlier (W4Pipeline *pipe, const W4ClockOutlier *o)
{
  char ts[W4_TIME_STRLEN], clock[W4_TIME_STRLEN];
  guint file_index = 0;
  guint64 in_file = w4_cor_locate (pipe->cor, o->frame, &file_index);
  const char *name = w4_cor_file_name (pipe->cor, file_index);
  g_autofree char *where = name != NULL
      ? g_strdup_printf ("frame %" G_GUINT64_FORMAT " of %s", in_file, name)
      : g_strdup_printf ("frame %" G_GUINT64_FORMAT, in_file);
  g_autofree char *msg = o->back
      ? g_strdup_printf ("capture time steps back at %s from %s to %s "
                         "(an earlier frame was dated far ahead, or the inputs are not in time "
                         "order): decisions follow the new time",
                         where, w4_time_format_iso (o->clock, clock, sizeof clock),
                         w4_time_format_iso (o->ts, ts, sizeof ts))
      : g_strdup_printf ("%s is dated %s, far ahead of the traffic "
                         "around it (%s): its timestamp is not used as capture time for "
                         "decisions",
                         where, w4_time_format_iso (o->ts, ts, sizeof ts),
                         w4_time_format_iso (o->clock, clock, sizeof clock));

  warn_everywhere (pipe, o->frame, o->clock, (W4LimitId) 0, msg);
}

static void
on_frame (void *user, const W4FrameInfo *fi)
{
  W4Pipeline *pipe = user;
  W4ClockOutlier outlier;
  W4FrameInfo at_clock = *fi;

  /* The previous frame has gone through every stage: nothing is half
   * changed. */
  enforce_budget (pipe);
  pipe->last_frame = fi->frame;
  pipe->last_ts = fi->ts;
  w4_cor_count_frame (pipe->cor, fi);
  if (w4_clock_frame (&pipe->clock, fi->frame, fi->ts, &outlier))
    warn_outlier (pipe, &outlier);
  /* dissect reads only the time of the frame (idle expiry): the clock's */
  at_clock.ts = w4_clock_now (&pipe->clock);
  w4_dis_frame (pipe->dis, &at_clock);
  w4_cor_time (pipe->cor, at_clock.ts);
}

static void
on_ip (void *user, const W4IpPacket *pkt)
{
  W4Pipeline *pipe = user;

  w4_cor_ip_datagram (pipe->cor, pkt);
  w4_dis_ip (pipe->dis, pkt);
}

static void
on_cap_anomaly (void *user, const W4Anomaly *what)
{
  W4Pipeline *pipe = user;

  pipe_warn (pipe, what);
  w4_cor_anomaly (pipe->cor, what);
}

static void
on_tick (void *user, W4Time now)
{
  W4Pipeline *pipe = user;

  /* Live: what a browser appended to its key log meanwhile (one stat per
   * file when nothing was). */
  if (pipe->keys_growing)
    w4_keylog_refresh (pipe->keys);
  w4_clock_tick (&pipe->clock, now);
  w4_cor_time (pipe->cor, w4_clock_now (&pipe->clock));
  /* live: decisions made on a quiet interface free state too */
  enforce_budget (pipe);
}

/* ---- keys ----------------------------------------------------------------- */

/* One line per key source, on stderr and in summary.warnings, as for
 * tshark's -o tls.keylog_file a user wants to know the keys were found:
 * how many sessions, how many lines could not be used. @what names the
 * source ("key log keys.txt"). */
static void
warn_keys_read (W4Pipeline *pipe, const char *what, const W4KeylogCounts *c)
{
  g_autofree char *skipped = c->malformed == 0
      ? g_strdup ("")
      : g_strdup_printf (" (%" G_GUINT64_FORMAT " malformed line%s skipped)", c->malformed,
                         c->malformed == 1 ? "" : "s");
  g_autofree char *msg = c->sessions == 0
      ? g_strdup_printf ("%s: no TLS secrets in it%s", what, skipped)
      : g_strdup_printf ("%s: secrets for %" G_GUINT64_FORMAT " TLS session%s%s",
                         what, c->sessions, c->sessions == 1 ? "" : "s", skipped);
  W4Anomaly an = { 0 };

  an.kind = W4_ANOM_WARNING;
  an.limit = W4_LIMIT_COUNT;
  an.message = msg;
  pipe_warn (pipe, &an);
  w4_cor_anomaly (pipe->cor, &an);
}

/* A pcapng Decryption Secrets Block: TLS key log text goes into the same
 * store as --keylog's; other kinds of secrets (SSH, WireGuard...) are not
 * for HTTP and are left alone. */
static void
on_secrets (void *user, const W4CapSecrets *s)
{
  W4Pipeline *pipe = user;
  g_autofree char *origin = NULL;
  const W4KeylogCounts *c;

  if (s->type != W4_CAP_SECRETS_TLS)
    return;
  origin = g_strdup_printf ("%s: Decryption Secrets Block %u", s->file, s->index);
  c = w4_keylog_add_text (pipe->keys, origin, s->data, s->len);
  warn_keys_read (pipe, origin, c);
}

gboolean
w4_pipe_add_keylog (W4Pipeline *pipe, const char *path, gboolean growing, GError **error)
{
  g_autofree char *what = NULL;
  guint index = w4_keylog_n_files (pipe->keys);

  if (!w4_keylog_add_file (pipe->keys, path, growing, error))
    return FALSE;
  pipe->keys_growing |= growing;
  what = g_strdup_printf ("key log %s", path);
  warn_keys_read (pipe, what, w4_keylog_file_counts (pipe->keys, index, NULL));
  return TRUE;
}

W4Keylog *
w4_pipe_keylog (W4Pipeline *pipe)
{
  return pipe->keys;
}

/* ---- dissect's sink: forwarders to the correlator's ---------------------- */

static void
fwd_conn_open (void *user, const W4ConnInfo *conn, const W4FrameInfo *fi)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_conn_open (pipe->cor_sink.user, conn, fi);
}

static void
fwd_conn_close (void *user, const W4ConnInfo *conn, W4CloseReason why, guint64 frame, W4Time ts)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_conn_close (pipe->cor_sink.user, conn, why, frame, ts);
}

static void
fwd_request (void *user, const W4HttpHead *req)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_request (pipe->cor_sink.user, req);
}

static void
fwd_response (void *user, const W4HttpHead *resp)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_response (pipe->cor_sink.user, resp);
}

static void
fwd_body (void *user, const W4HttpBody *body)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_body (pipe->cor_sink.user, body);
}

static void
fwd_tls (void *user, const W4TlsInfo *tls)
{
  W4Pipeline *pipe = user;

  pipe->cor_sink.on_tls (pipe->cor_sink.user, tls);
}

/* HTTP/2 not parsed: a warning once per run (the not-parsed infos and
 * summary.warnings name every server). The stream is named in its file,
 * as the user finds it. */
static void
warn_h2_unparsed (W4Pipeline *pipe, const W4H2Info *h2)
{
  char server[W4_ENDPOINT_STRLEN];
  const char *file = w4_cor_file_name (pipe->cor, h2->conn->stream_file);
  g_autofree char *msg = g_strdup_printf (
      "HTTP/2 is not parsed yet: 401, 407 and 403 responses inside it are not reported (first "
      "on tcp.stream %u%s%s to %s)",
      h2->conn->stream, file != NULL ? " of " : "", file != NULL ? file : "",
      w4_endpoint_format (&h2->conn->server, server, sizeof server));
  W4Anomaly what = { 0 };

  what.kind = W4_ANOM_WARNING;
  what.frame = h2->frame;
  what.ts = h2->ts;
  what.conn = h2->conn;
  what.message = msg;
  pipe_warn (pipe, &what);
}

static void
fwd_tls_alert (void *user, const W4TlsAlert *alert)
{
  W4Pipeline *pipe = user;

  if (pipe->cor_sink.on_tls_alert != NULL)
    pipe->cor_sink.on_tls_alert (pipe->cor_sink.user, alert);
}

static void
fwd_h2 (void *user, const W4H2Info *h2)
{
  W4Pipeline *pipe = user;

  if (!h2->parsed && !pipe->h2_warned) {
    pipe->h2_warned = TRUE;
    warn_h2_unparsed (pipe, h2);
  }
  pipe->cor_sink.on_h2 (pipe->cor_sink.user, h2);
}

static void
fwd_h2_reset (void *user, const W4H2Reset *rst)
{
  W4Pipeline *pipe = user;

  if (pipe->cor_sink.on_h2_reset != NULL)
    pipe->cor_sink.on_h2_reset (pipe->cor_sink.user, rst);
}

static void
fwd_anomaly (void *user, const W4Anomaly *what)
{
  W4Pipeline *pipe = user;

  pipe_warn (pipe, what);
  pipe->cor_sink.on_anomaly (pipe->cor_sink.user, what);
}

/* ---- the pipeline --------------------------------------------------------- */

W4Pipeline *
w4_pipe_new (const W4Limits *limits, const W4CorrelateOptions *opts,
             const W4FindingSink *findings, W4AnomalyFunc warn, void *warn_user)
{
  W4Pipeline *pipe;
  W4Limits with_budget;
  W4CaptureSink csink = { on_frame, on_ip, on_cap_anomaly, on_tick, on_secrets, NULL };
  W4Sink dsink = { fwd_conn_open, fwd_conn_close, fwd_request, fwd_response,
                   fwd_body, fwd_anomaly, fwd_tls, fwd_h2, fwd_h2_reset, fwd_tls_alert, NULL };

  g_return_val_if_fail (limits != NULL && opts != NULL && findings != NULL, NULL);
  pipe = g_new0 (W4Pipeline, 1);
  pipe->warn = warn;
  pipe->warn_user = warn_user;
  w4_clock_init (&pipe->clock);
  w4_budget_init (&pipe->budget, W4_BUDGET_DEFAULT);
  /* Every stage copies its limits: each copy reaches the one budget. */
  with_budget = *limits;
  with_budget.budget = &pipe->budget;
  limits = &with_budget;
  csink.user = dsink.user = pipe;
  pipe->cor = w4_cor_new (limits, opts, findings);
  pipe->cor_sink = w4_cor_sink (pipe->cor);
  w4_cor_set_warn (pipe->cor, warn, warn_user);
  /* Its malformed lines are warnings, its limit is counted, as capture's. */
  pipe->keys = w4_keylog_new (limits->v[W4_LIMIT_TLS_KEYS], on_cap_anomaly, pipe);
  pipe->dis = w4_dis_new (limits, &dsink);
  w4_dis_set_keylog (pipe->dis, pipe->keys);
  pipe->cap = w4_cap_new (limits, &csink);
  return pipe;
}

void
w4_pipe_free (W4Pipeline *pipe)
{
  if (pipe == NULL)
    return;
  /* Upstream first: nothing may call into a freed stage. */
  w4_cap_free (pipe->cap);
  w4_dis_free (pipe->dis);
  w4_cor_free (pipe->cor);
  w4_keylog_free (pipe->keys);
  g_free (pipe);
}

W4Capture *
w4_pipe_capture (W4Pipeline *pipe)
{
  return pipe->cap;
}

W4Correlate *
w4_pipe_correlate (W4Pipeline *pipe)
{
  return pipe->cor;
}

void
w4_pipe_set_max_mem (W4Pipeline *pipe, guint64 max)
{
  pipe->budget.max = max;
}

W4Budget *
w4_pipe_budget (W4Pipeline *pipe)
{
  return &pipe->budget;
}

guint
w4_pipe_run (W4Pipeline *pipe)
{
  return w4_cap_run (pipe->cap);
}

W4Summary *
w4_pipe_finish (W4Pipeline *pipe)
{
  W4Summary *s;

  /* what the last frames added, before the end decides everything */
  enforce_budget (pipe);
  w4_dis_finish (pipe->dis);
  w4_cor_set_connections (pipe->cor, w4_dis_connections (pipe->dis));
  s = w4_cor_finish (pipe->cor);
  /* the findings the end decided, kept for the report */
  enforce_budget (pipe);
  s->budget = pipe->budget;
  return s;
}
