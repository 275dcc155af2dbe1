/* json.c: findings and the summary as JSON, exactly as
 * ../shared/spec/FINDINGS.md ("JSON fields") defines them, written straight
 * through the streaming writer (w4-jsonw.h) with the bytes jansson would
 * dump: no tree per finding.
 *
 * - Every contract field is always present, in the contract's order; one
 *   that does not apply is null, never missing (count and scheme, once our
 *   extensions, are in the contract now and follow the same rule).
 * - Strings come from the capture and may hold any bytes; JSON holds only
 *   UTF-8, so the writer makes every byte that starts no valid sequence
 *   U+FFFD (as g_utf8_make_valid did when this went through jansson) rather
 *   than losing the whole finding.
 * - ndjson: one compact object per line; lines go out in blocks, or each
 *   at once when someone may be watching (rep->flush_each). json:
 *   one document {"version": 1, "findings": [...], "summary": {...}},
 *   written a finding at a time as it is decided, indented as jansson's
 *   JSON_INDENT (2) would indent the whole document. */
#include "report-private.h"

#include <string.h>

/* ndjson: lines are written out once this many bytes wait... */
#define W4_REP_NDJSON_BLOCK (64 * 1024)
/* ...or once this long has passed since the last write, so that a pipe's
 * reader is never far behind. */
#define W4_REP_NDJSON_FLUSH_USEC (100 * G_TIME_SPAN_MILLISECOND)

/* A member's key. Every key here is a name of ours (the contract's field
 * names, cause, memory and evictor names): none needs an escape. */
static inline void
w4_json_key (W4JsonW *w, const char *key)
{
  w4_jsonw_key_plain (w, key, strlen (key));
}

/* Integers as jansson held them (json_int_t is long long): frame numbers
 * and counts never get near 2^63, but the output stays what it was. */
static void
w4_json_put_uint (W4JsonW *w, const char *key, guint64 v)
{
  w4_json_key (w, key);
  w4_jsonw_uint (w, MIN (v, (guint64) G_MAXINT64));
}

/* An integer, or null when @v is 0 (the W4Finding convention for "not
 * applicable"). */
static void
w4_json_put_uint_or_null (W4JsonW *w, const char *key, guint64 v)
{
  if (v == 0) {
    w4_json_key (w, key);
    w4_jsonw_null (w);
    return;
  }
  w4_json_put_uint (w, key, v);
}

/* An integer, or null when it is negative (-1: a port, a stream, a rate
 * that does not apply). */
static void
w4_json_put_int_or_null (W4JsonW *w, const char *key, gint64 v)
{
  w4_json_key (w, key);
  if (v < 0)
    w4_jsonw_null (w);
  else
    w4_jsonw_int (w, v);
}

/* A string (made valid UTF-8), or null for NULL. */
static void
w4_json_put_str (W4JsonW *w, const char *key, const char *s)
{
  w4_json_key (w, key);
  w4_jsonw_string (w, s);
}

static void
w4_json_put_bool (W4JsonW *w, const char *key, gboolean v)
{
  w4_json_key (w, key);
  w4_jsonw_bool (w, v);
}

static void
w4_json_put_related (W4JsonW *w, guint64 mask)
{
  w4_json_key (w, "related");
  w4_jsonw_begin_array (w);
  for (int c = 0; c < W4_CAUSE_COUNT && c < 64; c++)
    if (mask & (G_GUINT64_CONSTANT (1) << c))
      w4_jsonw_string (w, w4_cause_name ((W4Cause) c));
  w4_jsonw_end_array (w);
}

static void
w4_json_put_evidence (W4JsonW *w, const GPtrArray *evidence)
{
  w4_json_key (w, "evidence");
  w4_jsonw_begin_array (w);
  for (guint i = 0; evidence != NULL && i < evidence->len; i++) {
    const W4Evidence *e = g_ptr_array_index (evidence, i);

    w4_jsonw_begin_object (w);
    w4_json_put_uint (w, "frame", e->frame);
    w4_json_put_str (w, "what", e->what);
    /* only where it is another file than the finding's */
    if (e->file != NULL)
      w4_json_put_str (w, "file", e->file);
    w4_jsonw_end_object (w);
  }
  w4_jsonw_end_array (w);
}

/* The contract's finding object, fields in the contract's order,
 * extensions after them. */
static void
w4_json_put_finding (W4JsonW *w, const W4Finding *f)
{
  char tbuf[W4_TIME_STRLEN];

  w4_jsonw_begin_object (w);
  w4_json_put_str (w, "type", "finding");
  w4_json_put_str (w, "kind", w4_kind_name (f->kind));
  w4_json_put_str (w, "cause", w4_cause_name (f->cause));
  w4_json_put_related (w, f->related);
  w4_json_put_uint_or_null (w, "status", f->status);
  w4_json_put_int_or_null (w, "stream", f->stream);
  w4_json_put_str (w, "client", f->client);
  w4_json_put_str (w, "server", f->server);
  w4_json_put_str (w, "method", f->method);
  w4_json_put_str (w, "uri", f->uri);
  w4_json_put_str (w, "host", f->host);
  w4_json_put_uint_or_null (w, "request_frame", f->request_frame);
  w4_json_put_uint_or_null (w, "response_frame", f->response_frame);
  w4_json_put_str (w, "file", f->file);
  w4_json_put_str (w, "request_file", f->request_file);
  w4_json_put_str (w, "time", w4_time_format_iso (f->time, tbuf, sizeof tbuf));
  w4_json_put_str (w, "principal", f->principal);
  w4_json_put_str (w, "server_message", f->server_message);
  w4_json_put_str (w, "summary", f->summary);
  w4_json_put_str (w, "fix", f->fix);
  w4_json_put_evidence (w, f->evidence);
  w4_json_put_str (w, "wireshark_filter", f->wireshark_filter);
  w4_json_put_str (w, "client_ip", f->client_ip);
  w4_json_put_int_or_null (w, "client_port", f->client_port);
  w4_json_put_str (w, "server_ip", f->server_ip);
  w4_json_put_int_or_null (w, "server_port", f->server_port);
  w4_json_put_str (w, "community_id", f->community_id);
  w4_json_put_bool (w, "tls", f->tls);
  w4_json_put_str (w, "sni", f->sni);
  w4_json_put_int_or_null (w, "h2_stream", f->h2_stream);
  w4_json_put_uint_or_null (w, "count", f->count);
  w4_json_put_str (w, "scheme", f->scheme);
  w4_json_put_str (w, "tunnel", f->tunnel);
  w4_json_put_bool (w, "decided_early", f->decided_early);
  w4_jsonw_end_object (w);
}

/* The TLS alerts that ended handshakes with a server ([] for none). */
static void
w4_json_put_tls_alerts (W4JsonW *w, const W4ServerStat *st)
{
  w4_json_key (w, "tls_alerts");
  w4_jsonw_begin_array (w);
  for (guint k = 0; st->tls_alerts != NULL && k < st->tls_alerts->len; k++) {
    const W4TlsAlertStat *a = &g_array_index (st->tls_alerts, W4TlsAlertStat, k);

    w4_jsonw_begin_object (w);
    w4_json_put_str (w, "description", a->name);
    w4_json_put_uint (w, "code", a->description);
    w4_json_put_str (w, "from", a->from_server ? "server" : "client");
    w4_json_put_uint (w, "frame", a->frame);
    w4_json_put_str (w, "file", a->file);
    w4_json_put_uint (w, "count", a->count);
    w4_jsonw_end_object (w);
  }
  w4_jsonw_end_array (w);
}

/* "Basic,Digest" -> ["Basic", "Digest"]: a list is what a script wants. */
static void
w4_json_put_schemes (W4JsonW *w, const char *csv)
{
  w4_json_key (w, "schemes");
  w4_jsonw_begin_array (w);
  if (csv != NULL && *csv != '\0') {
    g_auto (GStrv) parts = g_strsplit (csv, ",", -1);

    for (guint i = 0; parts[i] != NULL; i++) {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        w4_jsonw_string (w, parts[i]);
    }
  }
  w4_jsonw_end_array (w);
}

/* Extension: the --max-mem account (summary.budget, always present, every
 * kind named even at 0 so that a script reads the same keys every run):
 * the budget and its peak in bytes, what each kind of state held at the
 * peak, the items each evictor gave up, the allocations not made because
 * they did not fit, and how often the budget was enforced. */
static void
w4_json_put_budget (W4JsonW *w, const W4Budget *b)
{
  w4_json_key (w, "budget");
  w4_jsonw_begin_object (w);
  w4_json_put_uint (w, "max_bytes", b->max);
  w4_json_put_uint (w, "peak_bytes", b->peak);
  w4_json_key (w, "peak_by_kind");
  w4_jsonw_begin_object (w);
  for (int k = 0; k < W4_MEM_KINDS; k++)
    w4_json_put_uint (w, w4_mem_name ((W4MemKind) k), b->peak_by_kind[k]);
  w4_jsonw_end_object (w);
  w4_json_key (w, "evicted");
  w4_jsonw_begin_object (w);
  for (int k = 0; k < W4_EVICT_KINDS; k++)
    w4_json_put_uint (w, w4_evict_name ((W4EvictKind) k), b->evicted[k]);
  w4_jsonw_end_object (w);
  w4_json_key (w, "refused");
  w4_jsonw_begin_object (w);
  for (int k = 0; k < W4_MEM_KINDS; k++)
    w4_json_put_uint (w, w4_mem_name ((W4MemKind) k), b->refused[k]);
  w4_jsonw_end_object (w);
  w4_json_put_uint (w, "enforcements", b->enforcements);
  w4_jsonw_end_object (w);
}

static void
w4_json_put_server (W4JsonW *w, const W4ServerStat *st)
{
  w4_jsonw_begin_object (w);
  w4_json_put_str (w, "server", st->server);
  w4_json_put_str (w, "host", st->host);
  w4_json_put_uint (w, "failed", st->failed);
  w4_json_put_uint (w, "total", st->total);
  w4_json_put_schemes (w, st->schemes);
  /* extensions: a third-party API that fails while the main server
   * succeeds stands out */
  w4_json_put_uint (w, "challenge_steps", st->challenge_steps);
  w4_json_put_int_or_null (w, "failure_rate", st->failure_rate);
  w4_json_put_bool (w, "main", st->main);
  w4_json_put_bool (w, "stands_out", st->stands_out);
  w4_json_put_str (w, "tunnel", st->tunnel);
  w4_json_put_bool (w, "proxy", st->proxy);
  w4_json_put_tls_alerts (w, st);
  w4_jsonw_end_object (w);
}

static void
w4_json_put_principal (W4JsonW *w, const W4PrincipalStat *st)
{
  w4_jsonw_begin_object (w);
  w4_json_put_str (w, "principal", st->principal);
  w4_json_put_uint (w, "failed", st->failed);
  w4_json_put_uint (w, "succeeded", st->succeeded);
  /* extensions: where its failures are account-specific */
  w4_json_put_bool (w, "account_specific", st->specific_server != NULL);
  w4_json_put_str (w, "account_specific_server", st->specific_server);
  w4_json_put_str (w, "succeeding_principal", st->specific_other);
  w4_jsonw_end_object (w);
}

/* The summary object; @type_line adds "type": "summary" first (ndjson). */
static void
w4_json_put_summary (W4JsonW *w, const W4Report *rep, const W4Summary *s, gboolean type_line)
{
  g_autofree char *dropped = w4_rep_dropped_warning (rep);

  w4_jsonw_begin_object (w);
  if (type_line)
    w4_json_put_str (w, "type", "summary");
  w4_json_put_uint (w, "packets", s->packets);
  w4_json_put_uint (w, "bytes", s->bytes);
  w4_json_put_uint (w, "connections", s->connections);
  w4_json_put_uint (w, "http_requests", s->http_requests);
  w4_json_put_uint (w, "http_responses", s->http_responses);
  w4_json_put_uint (w, "failed_responses", s->failed_responses);

  /* Only the codes that occurred, in the contract's order: a script reads
   * a missing code as 0. */
  w4_json_key (w, "by_cause");
  w4_jsonw_begin_object (w);
  for (int c = 0; c < W4_CAUSE_COUNT; c++)
    if (s->by_cause[c] != 0)
      w4_json_put_uint (w, w4_cause_name ((W4Cause) c), s->by_cause[c]);
  w4_jsonw_end_object (w);

  w4_json_key (w, "by_server");
  w4_jsonw_begin_array (w);
  for (guint i = 0; s->by_server != NULL && i < s->by_server->len; i++)
    w4_json_put_server (w, g_ptr_array_index (s->by_server, i));
  w4_jsonw_end_array (w);

  w4_json_key (w, "by_principal");
  w4_jsonw_begin_array (w);
  for (guint i = 0; s->by_principal != NULL && i < s->by_principal->len; i++)
    w4_json_put_principal (w, g_ptr_array_index (s->by_principal, i));
  w4_jsonw_end_array (w);

  w4_json_key (w, "warnings");
  w4_jsonw_begin_array (w);
  for (guint i = 0; s->warnings != NULL && i < s->warnings->len; i++)
    w4_jsonw_string (w, g_ptr_array_index (s->warnings, i));
  if (dropped != NULL)
    w4_jsonw_string (w, dropped);
  w4_jsonw_end_array (w);

  /* Extensions: counts by kind, so a script need not add up by_cause. */
  w4_json_put_uint (w, "failures", rep->n_kind[W4_KIND_FAILURE]);
  w4_json_put_uint (w, "notes", rep->n_kind[W4_KIND_NOTE]);
  w4_json_put_uint (w, "risks", rep->n_kind[W4_KIND_RISK]);
  w4_json_put_uint (w, "infos", rep->n_kind[W4_KIND_INFO]);
  /* HTTP messages that could not be parsed: what no finding covers */
  w4_json_put_uint (w, "http_unparsed", s->http_unparsed);
  w4_json_put_budget (w, &s->budget);
  w4_jsonw_end_object (w);
}

/* What the writer holds, out in one write, flushed: the caller decided
 * that someone should see it now. */
void
w4_rep_json_write_out (W4Report *rep)
{
  if (rep->jw.len > 0)
    fwrite (rep->jw.data, 1, rep->jw.len, rep->out);
  fflush (rep->out);
  w4_jsonw_reset (&rep->jw, 0);
  rep->written_at = g_get_monotonic_time ();
}

void
w4_rep_ndjson_finding (W4Report *rep, const W4Finding *f)
{
  /* JSON_COMPACT has no newline (strings escape theirs): one line each. */
  w4_json_put_finding (&rep->jw, f);
  w4_jsonw_raw (&rep->jw, "\n", 1);
  /* A clock read per finding is cheap next to writing it (vDSO). */
  if (rep->flush_each || rep->jw.len >= W4_REP_NDJSON_BLOCK
      || g_get_monotonic_time () - rep->written_at >= W4_REP_NDJSON_FLUSH_USEC)
    w4_rep_json_write_out (rep);
}

void
w4_rep_ndjson_finish (W4Report *rep, const W4Summary *s)
{
  w4_json_put_summary (&rep->jw, rep, s, TRUE);
  w4_jsonw_raw (&rep->jw, "\n", 1);
  w4_rep_json_write_out (rep);
}

/* The document is written as jansson would write the whole tree with
 * JSON_INDENT (2), byte for byte, but a finding at a time: a capture with
 * many findings never holds them all (test-report's
 * /report/json/streamed-as-jansson compares). Each finding is two levels
 * deep (document, findings array). */
void
w4_rep_json_stream_finding (W4Report *rep, const W4Finding *f)
{
  static const char head[] = "{\n  \"version\": 1,\n  \"findings\": [\n    ";
  static const char between[] = ",\n    ";

  w4_jsonw_reset (&rep->jw, 2);
  if (rep->json_streamed++ == 0)
    w4_jsonw_raw (&rep->jw, head, sizeof head - 1);
  else
    w4_jsonw_raw (&rep->jw, between, sizeof between - 1);
  w4_json_put_finding (&rep->jw, f);
  /* out now but not flushed: the document is whole only at its end */
  fwrite (rep->jw.data, 1, rep->jw.len, rep->out);
  w4_jsonw_reset (&rep->jw, 0);
}

void
w4_rep_json_finish (W4Report *rep, const W4Summary *s)
{
  static const char quiet_head[] = "{\n  \"version\": 1,\n  \"summary\": ";
  static const char empty_head[] = "{\n  \"version\": 1,\n  \"findings\": [],\n  \"summary\": ";
  static const char after_findings[] = "\n  ],\n  \"summary\": ";

  w4_jsonw_reset (&rep->jw, 1);
  if (rep->opts.quiet)
    w4_jsonw_raw (&rep->jw, quiet_head, sizeof quiet_head - 1);
  else if (rep->json_streamed == 0)
    w4_jsonw_raw (&rep->jw, empty_head, sizeof empty_head - 1);
  else
    w4_jsonw_raw (&rep->jw, after_findings, sizeof after_findings - 1);
  w4_json_put_summary (&rep->jw, rep, s, FALSE);
  w4_jsonw_raw (&rep->jw, "\n}\n", 3);
  w4_rep_json_write_out (rep);
}
