/* report.c: the report's front door. Takes decided findings from the
 * correlator (W4FindingSink) and either prints them at once (ndjson: one
 * object per line, flushed at once for a live capture or a terminal, so
 * each is seen as soon as it is decided, else in blocks at least every
 * 100 ms; json: into the findings array of its one document, whose summary
 * comes at the end) or keeps them for the end (text groups them by
 * cause). What is reported is bounded by the "findings" limit: beyond
 * it findings are still counted (by kind and cause, so the text's counts and
 * the exit status stay right) and the loss is named in the warnings.
 * What text keeps is charged to the --max-mem budget; past it, the kept
 * findings it would not show go first, then the latest kept ones. */
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

/* ---- the memory budget ---------------------------------------------------- */

static guint64
w4_str_size (const char *s)
{
  return s != NULL ? strlen (s) + 1 : 0;
}

/* What a kept finding holds, by its own strings and arrays (the same on
 * release: a kept finding does not change). */
static guint64
w4_finding_size (const W4Finding *f)
{
  guint64 n = sizeof *f;
  const char *const strs[] = {
    f->client, f->server, f->method, f->uri, f->host, f->file, f->request_file,
    f->principal, f->server_message, f->summary, f->fix, f->wireshark_filter,
    f->client_ip, f->server_ip, f->community_id, f->sni, f->scheme, f->tunnel,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    n += w4_str_size (strs[i]);
  if (f->evidence != NULL) {
    n += sizeof (GPtrArray) + f->evidence->len * sizeof (gpointer);
    for (guint i = 0; i < f->evidence->len; i++) {
      const W4Evidence *e = g_ptr_array_index (f->evidence, i);
      n += sizeof *e + w4_str_size (e->what) + w4_str_size (e->file);
    }
  }
  return n;
}

/* The timeline's arrays as they grow (a server's record when it is new,
 * its times' capacity after each append). */
static void
w4_rep_charge_timeline (W4Report *rep, guint64 bytes)
{
  w4_budget_charge (rep->budget, W4_MEM_FINDINGS, bytes);
  rep->timeline_charged += bytes;
}

/* Does the text print kept finding @f, the @nth of its group? Without
 * --all: the group's first examples, and no notes. */
static gboolean
w4_rep_text_shows (const W4Report *rep, const W4Finding *f, guint64 nth)
{
  if (rep->opts.all)
    return TRUE;
  return f->kind != W4_KIND_NOTE && nth < rep->opts.examples;
}

/* Keeps @f for the text. Over the budget it is given up at once, as the
 * evictor would give it up when the budget is next enforced, unless it is
 * one of its group's first examples (a few per cause): the end decides
 * every pending failure in one go, with no frame between them. */
static void
w4_rep_keep (W4Report *rep, W4Finding *f)
{
  guint64 *in_group = &rep->kept_by[f->kind][f->cause];

  if (w4_budget_over (rep->budget) && (rep->opts.all || !w4_rep_text_shows (rep, f, *in_group))) {
    if (w4_rep_text_shows (rep, f, *in_group))
      rep->budget_dropped++;
    else
      rep->unshown_evicted[f->kind][f->cause]++;
    rep->budget->evicted[W4_EVICT_FINDINGS]++;
    w4_finding_free (f);
    return;
  }
  (*in_group)++;
  w4_budget_charge (rep->budget, W4_MEM_FINDINGS, w4_finding_size (f));
  g_ptr_array_add (rep->kept, f);
}

/* Gives up the kept findings the text would not show, remembering their
 * number by group (the text still says "use --all" for them). */
static guint64
w4_rep_evict_unshown (W4Report *rep)
{
  guint64 seen[W4_KIND_INFO + 1][W4_CAUSE_COUNT] = { { 0 } };
  guint64 n = 0;
  guint out = 0;

  for (guint i = 0; i < rep->kept->len; i++) {
    W4Finding *f = g_ptr_array_index (rep->kept, i);
    /* what was given up before came after the group's shown ones: those
     * are still the first of their group here */
    guint64 nth = seen[f->kind][f->cause]++;

    if (w4_rep_text_shows (rep, f, nth)) {
      rep->kept->pdata[out++] = f;
      continue;
    }
    rep->unshown_evicted[f->kind][f->cause]++;
    rep->kept_by[f->kind][f->cause]--;
    w4_budget_release (rep->budget, W4_MEM_FINDINGS, w4_finding_size (f));
    w4_finding_free (f);
    n++;
  }
  /* the pointers past @out were moved or freed: drop them without the
   * free function */
  rep->kept->len = out;
  return n;
}

/* W4_EVICT_FINDINGS: what the text cannot show first; then the latest kept
 * findings, until @want bytes are free (their groups say "not kept"). */
static guint64
w4_rep_evict (void *user, guint64 want)
{
  W4Report *rep = user;
  guint64 n = w4_rep_evict_unshown (rep), freed = 0;

  if (n > 0)
    return n;
  while (rep->kept->len > 0 && freed < want) {
    W4Finding *f = g_ptr_array_steal_index (rep->kept, rep->kept->len - 1);
    guint64 size = w4_finding_size (f);

    rep->kept_by[f->kind][f->cause]--;
    w4_budget_release (rep->budget, W4_MEM_FINDINGS, size);
    w4_finding_free (f);
    freed += size;
    rep->budget_dropped++;
    n++;
  }
  return n;
}

void
w4_rep_set_budget (W4Report *rep, W4Budget *budget)
{
  g_return_if_fail (rep != NULL);
  rep->budget = budget;
  if (budget != NULL)
    w4_budget_set_evictor (budget, W4_EVICT_FINDINGS, w4_rep_evict, rep);
}

/* ---- the timeline ---------------------------------------------------------- */

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
  guint before;

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
    w4_rep_charge_timeline (rep, sizeof *ts + 2 * w4_str_size (key) + w4_str_size (f->tunnel));
  }
  if (ts->host == NULL && f->host != NULL) {
    ts->host = g_strdup (f->host);
    w4_rep_charge_timeline (rep, w4_str_size (f->host));
  }
  /* GArray doubles its capacity: charged as it grows, by what it can hold */
  before = ts->times->len;
  g_array_append_val (ts->times, sec);
  if ((before & (before - 1)) == 0)
    w4_rep_charge_timeline (rep, (guint64) MAX (before, 1) * sizeof (gint64));
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
  for (guint i = 0; i < rep->kept->len; i++)
    w4_budget_release (rep->budget, W4_MEM_FINDINGS,
                       w4_finding_size (g_ptr_array_index (rep->kept, i)));
  w4_budget_release (rep->budget, W4_MEM_FINDINGS, rep->timeline_charged);
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
  w4_rep_keep (rep, f);
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
