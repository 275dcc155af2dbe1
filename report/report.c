/* report.c: the report's front door. Takes decided findings from the
 * correlator (W4FindingSink) and either prints them at once (ndjson: one
 * object per line, flushed at once for a live capture or a terminal, so
 * each is seen as soon as it is decided, else in blocks at least every
 * 100 ms; json: into the findings array of its one document, whose summary
 * comes at the end) or keeps them for the end (text groups them by
 * cause). What is reported is bounded by the "findings" limit: beyond
 * it findings are still counted (by kind and cause, so the text's counts and
 * the exit status stay right) and the loss is named in the warnings. */
#include "report-private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Narrower than this, the labels and indents leave no room for words. */
#define W4_REP_MIN_WIDTH 40
#define W4_REP_DEFAULT_WIDTH 80

static gboolean
w4_rep_want_color (W4Color c, FILE *out)
{
  const char *term;

  if (c == W4_COLOR_ALWAYS)
    return TRUE;
  if (c == W4_COLOR_NEVER)
    return FALSE;
  /* auto: a terminal that understands escapes, and no NO_COLOR
   * (https://no-color.org: set to anything, even empty). */
  if (!isatty (fileno (out)))
    return FALSE;
  term = g_getenv ("TERM");
  if (term != NULL && strcmp (term, "dumb") == 0)
    return FALSE;
  if (g_getenv ("NO_COLOR") != NULL)
    return FALSE;
  return TRUE;
}

/* The text's wrap column, as GNU ls finds it: the terminal's width when
 * @out is a terminal, else $COLUMNS (a user's or a test's choice), else 80,
 * the width everyone can read. */
static guint
w4_rep_pick_width (guint asked, FILE *out)
{
  struct winsize ws;
  const char *columns = g_getenv ("COLUMNS");
  guint64 n = 0;

  if (asked != 0)
    return MAX (asked, W4_REP_MIN_WIDTH);
  if (isatty (fileno (out)) && ioctl (fileno (out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return MAX (ws.ws_col, W4_REP_MIN_WIDTH);
  if (columns != NULL && g_ascii_string_to_unsigned (columns, 10, 1, 10000, &n, NULL))
    return MAX ((guint) n, W4_REP_MIN_WIDTH);
  return W4_REP_DEFAULT_WIDTH;
}

static void
w4_timeline_server_free (W4TimelineServer *ts)
{
  g_free (ts->server);
  g_free (ts->tunnel);
  g_free (ts->host);
  g_array_unref (ts->times);
  g_free (ts);
}

/* text: a failure's time for the timeline, kept whether or not the finding
 * is (streamed, dropped, -q), up to the findings limit. */
static void
w4_rep_timeline_add (W4Report *rep, const W4Finding *f)
{
  const char *server = f->server != NULL ? f->server : "";
  /* behind a tunnel, the proxy's address and the target ("ip:port>target"
   * never equals an "ip:port") */
  g_autofree char *tunnel_key = f->tunnel != NULL ? g_strdup_printf ("%s>%s", server, f->tunnel)
                                                  : NULL;
  const char *key = tunnel_key != NULL ? tunnel_key : server;
  W4TimelineServer *ts;
  gint64 sec = f->time.sec;

  if (rep->timeline_kept >= rep->opts.max_findings) {
    rep->timeline_missed++;
    return;
  }
  rep->timeline_kept++;
  ts = g_hash_table_lookup (rep->timeline_by, key);
  if (ts == NULL) {
    ts = g_new0 (W4TimelineServer, 1);
    ts->server = g_strdup (server);
    ts->tunnel = g_strdup (f->tunnel);
    ts->times = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_ptr_array_add (rep->timeline, ts);
    g_hash_table_insert (rep->timeline_by, g_strdup (key), ts);
  }
  if (ts->host == NULL && f->host != NULL)
    ts->host = g_strdup (f->host);
  g_array_append_val (ts->times, sec);
}

W4Report *
w4_rep_new (const W4ReportOptions *opts, FILE *out)
{
  W4Report *rep;

  g_return_val_if_fail (opts != NULL, NULL);
  g_return_val_if_fail (out != NULL, NULL);

  rep = g_new0 (W4Report, 1);
  rep->opts = *opts;
  if (rep->opts.examples == 0)
    rep->opts.examples = 5;
  if (rep->opts.max_findings == 0) {
    W4Limits l;
    w4_limits_init (&l);
    rep->opts.max_findings = l.v[W4_LIMIT_FINDINGS];
  }
  rep->out = out;
  rep->color = rep->opts.format == W4_FORMAT_TEXT && w4_rep_want_color (opts->color, out);
  rep->width = w4_rep_pick_width (opts->width, out);
  rep->inputs = g_ptr_array_new_with_free_func (g_free);
  rep->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  rep->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_timeline_server_free);
  rep->timeline_by = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* the json document indented as jansson's JSON_INDENT (2); ndjson compact */
  w4_jsonw_init (&rep->jw, rep->opts.format == W4_FORMAT_JSON ? 2 : 0);
  /* A write per line costs a system call per finding; only someone
   * watching (live capture, a terminal, a capture still coming through a
   * pipe) needs each at once. */
  rep->flush_each = opts->stream || opts->flush_lines || isatty (fileno (out));
  rep->written_at = g_get_monotonic_time ();
  return rep;
}

void
w4_rep_free (W4Report *rep)
{
  if (rep == NULL)
    return;
  g_ptr_array_unref (rep->inputs);
  g_ptr_array_unref (rep->kept);
  g_hash_table_unref (rep->timeline_by);
  g_ptr_array_unref (rep->timeline);
  /* ndjson lines still held (no w4_rep_finish): decided findings are
   * never lost */
  if (rep->jw.len > 0)
    w4_rep_json_write_out (rep);
  w4_jsonw_clear (&rep->jw);
  g_free (rep);
}

void
w4_rep_add_input (W4Report *rep, const char *name)
{
  g_return_if_fail (rep != NULL && name != NULL);
  g_ptr_array_add (rep->inputs, g_strdup (name));
}

/* The first finding over the limit: one line on stderr through the warn
 * function (the summary's warnings name the total at the end). */
static void
warn_findings_limit (W4Report *rep, const W4Finding *f)
{
  W4Anomaly what = { 0 };

  if (rep->opts.warn == NULL)
    return;
  what.kind = W4_ANOM_LIMIT;
  what.limit = W4_LIMIT_FINDINGS;
  what.frame = f->response_frame;
  what.ts = f->time;
  what.message = "more findings than the report keeps: later ones are counted, not shown";
  rep->opts.warn (rep->opts.warn_user, &what);
}

void
w4_rep_finding (W4Report *rep, W4Finding *f)
{
  g_return_if_fail (rep != NULL && f != NULL);

  if ((guint) f->kind <= W4_KIND_INFO) {
    rep->n_kind[f->kind]++;
    if ((guint) f->cause < W4_CAUSE_COUNT)
      rep->n_by[f->kind][f->cause]++;
  }
  /* -q prints no timeline: nothing to keep for it */
  if (rep->opts.format == W4_FORMAT_TEXT && !rep->opts.quiet && f->kind == W4_KIND_FAILURE)
    w4_rep_timeline_add (rep, f);

  if (rep->opts.format == W4_FORMAT_NDJSON) {
    if (!rep->opts.quiet)
      w4_rep_ndjson_finding (rep, f);
    w4_finding_free (f);
    return;
  }
  if (rep->opts.format == W4_FORMAT_TEXT && w4_rep_text_streams (rep, f)) {
    w4_rep_text_stream (rep, f);
    w4_finding_free (f);
    return;
  }
  /* -q keeps nothing, but counts what the full report would have had to
   * drop, so both name the same limits */
  if (rep->n_keepable++ >= rep->opts.max_findings) {
    if (rep->dropped++ == 0)
      warn_findings_limit (rep, f);
    w4_finding_free (f);
    return;
  }
  if (rep->opts.quiet) {
    w4_finding_free (f);
    return;
  }
  if (rep->opts.format == W4_FORMAT_JSON) {
    w4_rep_json_stream_finding (rep, f);
    w4_finding_free (f);
    return;
  }
  g_ptr_array_add (rep->kept, f);
}

char *
w4_rep_dropped_warning (const W4Report *rep)
{
  if (rep->dropped == 0)
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT " findings beyond the %s limit (%" G_GUINT64_FORMAT
                          ") were counted but not kept; raise it with --limit %s=N",
                          rep->dropped, w4_limit_name (W4_LIMIT_FINDINGS), rep->opts.max_findings,
                          w4_limit_name (W4_LIMIT_FINDINGS));
}

void
w4_rep_finish (W4Report *rep, const W4Summary *summary)
{
  g_return_if_fail (rep != NULL && summary != NULL);

  switch (rep->opts.format) {
  case W4_FORMAT_NDJSON:
    w4_rep_ndjson_finish (rep, summary);
    break;
  case W4_FORMAT_JSON:
    w4_rep_json_finish (rep, summary);
    break;
  case W4_FORMAT_TEXT:
  default:
    w4_rep_text_finish (rep, summary);
    break;
  }
  fflush (rep->out);
}

guint64
w4_rep_n_failures (const W4Report *rep)
{
  g_return_val_if_fail (rep != NULL, 0);
  return rep->n_kind[W4_KIND_FAILURE];
}

static void
w4_rep_sink_finding (void *user, W4Finding *f)
{
  w4_rep_finding (user, f);
}

W4FindingSink
w4_rep_sink (W4Report *rep)
{
  W4FindingSink s = { w4_rep_sink_finding, rep };
  return s;
}
