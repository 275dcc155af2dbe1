/* json.c: findings and the summary as JSON, through jansson, exactly as
 * ../shared/spec/FINDINGS.md ("JSON fields") defines them.
 *
 * - Every contract field is always present, in the contract's order; one
 *   that does not apply is null, never missing (count and scheme, once our
 *   extensions, are in the contract now and follow the same rule).
 * - Strings come from the capture and may hold any bytes; jansson accepts
 *   only UTF-8, so invalid sequences become U+FFFD (g_utf8_make_valid)
 *   rather than losing the whole finding.
 * - ndjson: one compact object per line, flushed at once. json: one
 *   document {"version": 1, "findings": [...], "summary": {...}}, written a
 *   finding at a time as it is decided (no tree of the whole document). */
#include "report-private.h"

#include <string.h>

/* (transfer full) a JSON string, made valid UTF-8; null for NULL. */
static json_t *
w4_json_str (const char *s)
{
  if (s == NULL)
    return json_null ();
  if (g_utf8_validate (s, -1, NULL))
    return json_string (s);
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  return json_string (valid);
}

static json_t *
w4_json_uint (guint64 v)
{
  /* json_int_t is long long: frame numbers and counts never get near 2^63. */
  return json_integer ((json_int_t) MIN (v, (guint64) G_MAXINT64));
}

/* (transfer full) an integer, or null when @v is 0 (the W4Finding
 * convention for "not applicable"). */
static json_t *
w4_json_uint_or_null (guint64 v)
{
  return v == 0 ? json_null () : w4_json_uint (v);
}

/* A port, or null for -1. */
static json_t *
w4_json_port (gint port)
{
  return port >= 0 ? json_integer (port) : json_null ();
}

static json_t *
w4_json_related (guint64 mask)
{
  json_t *a = json_array ();

  for (int c = 0; c < W4_CAUSE_COUNT && c < 64; c++)
    if (mask & (G_GUINT64_CONSTANT (1) << c))
      json_array_append_new (a, json_string (w4_cause_name ((W4Cause) c)));
  return a;
}

json_t *
w4_rep_json_finding (const W4Finding *f)
{
  json_t *o = json_object ();
  json_t *ev = json_array ();
  char tbuf[W4_TIME_STRLEN];

  json_object_set_new (o, "type", json_string ("finding"));
  json_object_set_new (o, "kind", json_string (w4_kind_name (f->kind)));
  json_object_set_new (o, "cause", json_string (w4_cause_name (f->cause)));
  json_object_set_new (o, "related", w4_json_related (f->related));
  json_object_set_new (o, "status", f->status ? json_integer (f->status) : json_null ());
  json_object_set_new (o, "stream", f->stream >= 0 ? json_integer (f->stream) : json_null ());
  json_object_set_new (o, "client", w4_json_str (f->client));
  json_object_set_new (o, "server", w4_json_str (f->server));
  json_object_set_new (o, "method", w4_json_str (f->method));
  json_object_set_new (o, "uri", w4_json_str (f->uri));
  json_object_set_new (o, "host", w4_json_str (f->host));
  json_object_set_new (o, "request_frame", w4_json_uint_or_null (f->request_frame));
  json_object_set_new (o, "response_frame", w4_json_uint_or_null (f->response_frame));
  json_object_set_new (o, "file", w4_json_str (f->file));
  json_object_set_new (o, "request_file", w4_json_str (f->request_file));
  json_object_set_new (o, "time", json_string (w4_time_format_iso (f->time, tbuf, sizeof tbuf)));
  json_object_set_new (o, "principal", w4_json_str (f->principal));
  json_object_set_new (o, "server_message", w4_json_str (f->server_message));
  json_object_set_new (o, "summary", w4_json_str (f->summary));
  json_object_set_new (o, "fix", w4_json_str (f->fix));
  for (guint i = 0; f->evidence != NULL && i < f->evidence->len; i++) {
    const W4Evidence *e = g_ptr_array_index (f->evidence, i);
    json_t *eo = json_object ();
    json_object_set_new (eo, "frame", w4_json_uint (e->frame));
    json_object_set_new (eo, "what", w4_json_str (e->what));
    /* only where it is another file than the finding's */
    if (e->file != NULL)
      json_object_set_new (eo, "file", w4_json_str (e->file));
    json_array_append_new (ev, eo);
  }
  json_object_set_new (o, "evidence", ev);
  json_object_set_new (o, "wireshark_filter", w4_json_str (f->wireshark_filter));
  json_object_set_new (o, "client_ip", w4_json_str (f->client_ip));
  json_object_set_new (o, "client_port", w4_json_port (f->client_port));
  json_object_set_new (o, "server_ip", w4_json_str (f->server_ip));
  json_object_set_new (o, "server_port", w4_json_port (f->server_port));
  json_object_set_new (o, "community_id", w4_json_str (f->community_id));
  json_object_set_new (o, "tls", json_boolean (f->tls));
  json_object_set_new (o, "sni", w4_json_str (f->sni));
  json_object_set_new (o, "h2_stream", f->h2_stream >= 0 ? json_integer (f->h2_stream) : json_null ());
  json_object_set_new (o, "count", w4_json_uint_or_null (f->count));
  json_object_set_new (o, "scheme", w4_json_str (f->scheme));
  json_object_set_new (o, "tunnel", w4_json_str (f->tunnel));
  return o;
}

/* The TLS alerts that ended handshakes with a server ([] for none). */
static json_t *
w4_json_tls_alerts (const W4ServerStat *st)
{
  json_t *alerts = json_array ();

  for (guint k = 0; st->tls_alerts != NULL && k < st->tls_alerts->len; k++) {
    const W4TlsAlertStat *a = &g_array_index (st->tls_alerts, W4TlsAlertStat, k);
    json_t *ao = json_object ();
    json_object_set_new (ao, "description", w4_json_str (a->name));
    json_object_set_new (ao, "code", json_integer (a->description));
    json_object_set_new (ao, "from", json_string (a->from_server ? "server" : "client"));
    json_object_set_new (ao, "frame", w4_json_uint (a->frame));
    json_object_set_new (ao, "file", w4_json_str (a->file));
    json_object_set_new (ao, "count", w4_json_uint (a->count));
    json_array_append_new (alerts, ao);
  }
  return alerts;
}

/* "Basic,Digest" -> ["Basic", "Digest"]: a list is what a script wants. */
static json_t *
w4_json_schemes (const char *csv)
{
  json_t *a = json_array ();

  if (csv == NULL || *csv == '\0')
    return a;
  g_auto (GStrv) parts = g_strsplit (csv, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    g_strstrip (parts[i]);
    if (*parts[i] != '\0')
      json_array_append_new (a, w4_json_str (parts[i]));
  }
  return a;
}

/* Extension: the --max-mem account (summary.budget, always present, every
 * kind named even at 0 so that a script reads the same keys every run):
 * the budget and its peak in bytes, what each kind of state held at the
 * peak, the items each evictor gave up, the allocations not made because
 * they did not fit, and how often the budget was enforced. */
static json_t *
w4_json_budget (const W4Budget *b)
{
  json_t *o = json_object ();
  json_t *peak = json_object ();
  json_t *evicted = json_object ();
  json_t *refused = json_object ();

  for (int k = 0; k < W4_MEM_KINDS; k++)
    json_object_set_new (peak, w4_mem_name ((W4MemKind) k), w4_json_uint (b->peak_by_kind[k]));
  for (int k = 0; k < W4_EVICT_KINDS; k++)
    json_object_set_new (evicted, w4_evict_name ((W4EvictKind) k), w4_json_uint (b->evicted[k]));
  for (int k = 0; k < W4_MEM_KINDS; k++)
    json_object_set_new (refused, w4_mem_name ((W4MemKind) k), w4_json_uint (b->refused[k]));
  json_object_set_new (o, "max_bytes", w4_json_uint (b->max));
  json_object_set_new (o, "peak_bytes", w4_json_uint (b->peak));
  json_object_set_new (o, "peak_by_kind", peak);
  json_object_set_new (o, "evicted", evicted);
  json_object_set_new (o, "refused", refused);
  json_object_set_new (o, "enforcements", w4_json_uint (b->enforcements));
  return o;
}

json_t *
w4_rep_json_summary (const W4Report *rep, const W4Summary *s, gboolean type_line)
{
  json_t *o = json_object ();
  json_t *by_cause = json_object ();
  json_t *by_server = json_array ();
  json_t *by_principal = json_array ();
  json_t *warnings = json_array ();
  g_autofree char *dropped = w4_rep_dropped_warning (rep);

  if (type_line)
    json_object_set_new (o, "type", json_string ("summary"));
  json_object_set_new (o, "packets", w4_json_uint (s->packets));
  json_object_set_new (o, "bytes", w4_json_uint (s->bytes));
  json_object_set_new (o, "connections", w4_json_uint (s->connections));
  json_object_set_new (o, "http_requests", w4_json_uint (s->http_requests));
  json_object_set_new (o, "http_responses", w4_json_uint (s->http_responses));
  json_object_set_new (o, "failed_responses", w4_json_uint (s->failed_responses));

  /* Only the codes that occurred, in the contract's order: a script reads
   * a missing code as 0. */
  for (int c = 0; c < W4_CAUSE_COUNT; c++)
    if (s->by_cause[c] != 0)
      json_object_set_new (by_cause, w4_cause_name ((W4Cause) c), w4_json_uint (s->by_cause[c]));
  json_object_set_new (o, "by_cause", by_cause);

  for (guint i = 0; s->by_server != NULL && i < s->by_server->len; i++) {
    const W4ServerStat *st = g_ptr_array_index (s->by_server, i);
    json_t *so = json_object ();
    json_object_set_new (so, "server", w4_json_str (st->server));
    json_object_set_new (so, "host", w4_json_str (st->host));
    json_object_set_new (so, "failed", w4_json_uint (st->failed));
    json_object_set_new (so, "total", w4_json_uint (st->total));
    json_object_set_new (so, "schemes", w4_json_schemes (st->schemes));
    /* extensions: a third-party API that fails while the main server
     * succeeds stands out */
    json_object_set_new (so, "challenge_steps", w4_json_uint (st->challenge_steps));
    json_object_set_new (so, "failure_rate",
                         st->failure_rate < 0 ? json_null () : json_integer (st->failure_rate));
    json_object_set_new (so, "main", json_boolean (st->main));
    json_object_set_new (so, "stands_out", json_boolean (st->stands_out));
    json_object_set_new (so, "tunnel", w4_json_str (st->tunnel));
    json_object_set_new (so, "proxy", json_boolean (st->proxy));
    json_object_set_new (so, "tls_alerts", w4_json_tls_alerts (st));
    json_array_append_new (by_server, so);
  }
  json_object_set_new (o, "by_server", by_server);

  for (guint i = 0; s->by_principal != NULL && i < s->by_principal->len; i++) {
    const W4PrincipalStat *st = g_ptr_array_index (s->by_principal, i);
    json_t *po = json_object ();
    json_object_set_new (po, "principal", w4_json_str (st->principal));
    json_object_set_new (po, "failed", w4_json_uint (st->failed));
    json_object_set_new (po, "succeeded", w4_json_uint (st->succeeded));
    /* extensions: where its failures are account-specific */
    json_object_set_new (po, "account_specific", json_boolean (st->specific_server != NULL));
    json_object_set_new (po, "account_specific_server", w4_json_str (st->specific_server));
    json_object_set_new (po, "succeeding_principal", w4_json_str (st->specific_other));
    json_array_append_new (by_principal, po);
  }
  json_object_set_new (o, "by_principal", by_principal);

  for (guint i = 0; s->warnings != NULL && i < s->warnings->len; i++)
    json_array_append_new (warnings, w4_json_str (g_ptr_array_index (s->warnings, i)));
  if (dropped != NULL)
    json_array_append_new (warnings, w4_json_str (dropped));
  json_object_set_new (o, "warnings", warnings);

  /* Extensions: counts by kind, so a script need not add up by_cause. */
  json_object_set_new (o, "failures", w4_json_uint (rep->n_kind[W4_KIND_FAILURE]));
  json_object_set_new (o, "notes", w4_json_uint (rep->n_kind[W4_KIND_NOTE]));
  json_object_set_new (o, "risks", w4_json_uint (rep->n_kind[W4_KIND_RISK]));
  json_object_set_new (o, "infos", w4_json_uint (rep->n_kind[W4_KIND_INFO]));
  /* HTTP messages that could not be parsed: what no finding covers */
  json_object_set_new (o, "http_unparsed", w4_json_uint (s->http_unparsed));
  json_object_set_new (o, "budget", w4_json_budget (&s->budget));
  return o;
}

void
w4_rep_json_print_line (W4Report *rep, json_t *obj)
{
  /* JSON_COMPACT never emits a newline (strings escape theirs), so this is
   * exactly one line. Key order is insertion order (jansson >= 2.8). */
  gsize n;

  if (obj == NULL)
    return;
  /* Into a reused buffer and out in one write: json_dumpf would call fwrite
   * for every token. */
  n = json_dumpb (obj, rep->line, rep->line_size, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (n > rep->line_size) {
    rep->line_size = MAX (n, 2 * rep->line_size);
    rep->line = g_realloc (rep->line, rep->line_size);
    n = json_dumpb (obj, rep->line, rep->line_size, JSON_COMPACT | JSON_PRESERVE_ORDER);
  }
  fwrite (rep->line, 1, n, rep->out);
  fputc ('\n', rep->out);
  fflush (rep->out);
  json_decref (obj);
}

/* @obj indented as jansson's JSON_INDENT (2) puts it @depth levels deep
 * (its first line at the current column), into rep->line: its own dump
 * with every later line moved right. Strings escape their newlines, so
 * every newline of the dump is one between tokens. */
static void
w4_json_write_indented (W4Report *rep, json_t *obj, guint depth)
{
  gsize n = json_dumpb (obj, rep->line, rep->line_size, JSON_INDENT (2) | JSON_PRESERVE_ORDER);

  if (n > rep->line_size) {
    rep->line_size = MAX (n, 2 * rep->line_size);
    rep->line = g_realloc (rep->line, rep->line_size);
    n = json_dumpb (obj, rep->line, rep->line_size, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  }
  for (gsize i = 0, start = 0; i <= n; i++) {
    if (i < n && rep->line[i] != '\n')
      continue;
    fwrite (rep->line + start, 1, i - start, rep->out);
    if (i < n) {
      fputc ('\n', rep->out);
      for (guint d = 0; d < depth; d++)
        fputs ("  ", rep->out);
    }
    start = i + 1;
  }
  json_decref (obj);
}

/* The document is written as jansson would write the whole tree with
 * JSON_INDENT (2), byte for byte, but a finding at a time: a capture with
 * many findings never holds them all (test-report's
 * /report/json/streamed-as-jansson compares). */
void
w4_rep_json_stream_finding (W4Report *rep, const W4Finding *f)
{
  fputs (rep->json_streamed++ == 0 ? "{\n  \"version\": 1,\n  \"findings\": [\n    " : ",\n    ",
         rep->out);
  w4_json_write_indented (rep, w4_rep_json_finding (f), 2);
}

void
w4_rep_json_finish (W4Report *rep, const W4Summary *s)
{
  if (rep->opts.quiet)
    fputs ("{\n  \"version\": 1,\n  \"summary\": ", rep->out);
  else if (rep->json_streamed == 0)
    fputs ("{\n  \"version\": 1,\n  \"findings\": [],\n  \"summary\": ", rep->out);
  else
    fputs ("\n  ],\n  \"summary\": ", rep->out);
  w4_json_write_indented (rep, w4_rep_json_summary (rep, s, FALSE), 1);
  fputs ("\n}\n", rep->out);
}
