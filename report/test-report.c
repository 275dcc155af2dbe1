/* test-report.c: the report's output against ../shared/spec/FINDINGS.md:
 * every contract field present, in order, with its type, null where it
 * does not apply; invalid UTF-8 made valid; the ndjson summary line last;
 * the json document's shape; the text's cause groups and filters. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "timeline.h"
#include "w4-text.h"

/* The contract table's fields, in its order: every finding has all. */
static const char *const w4_contract_fields[] = {
  "type", "kind", "cause", "related", "status", "stream", "client", "server", "method", "uri",
  "host", "request_frame", "response_frame", "file", "request_file", "time", "principal",
  "server_message", "summary", "fix", "evidence", "wireshark_filter", "client_ip",
  "client_port", "server_ip", "server_port", "community_id", "tls", "sni", "h2_stream",
  "count", "scheme", "tunnel", "decided_early", NULL,
};

static const char *const w4_summary_fields[] = {
  "packets", "bytes", "connections", "http_requests", "http_responses", "failed_responses",
  "by_cause", "by_server", "by_principal", "warnings", NULL,
};

/* The contract's example: Basic for user test, answered 401. */
static W4Finding *
example_failure (void)
{
  W4Finding *f = w4_finding_new ();

  f->kind = W4_KIND_FAILURE;
  f->cause = W4_CAUSE_REJECTED_CREDENTIALS;
  f->related = 0;
  f->status = 401;
  f->stream = 0;
  f->client = g_strdup ("192.168.0.4:54337");
  f->server = g_strdup ("192.254.189.169:80");
  f->method = g_strdup ("GET");
  f->uri = g_strdup ("/password-ok.php");
  f->host = g_strdup ("browserspy.dk");
  f->request_frame = 4;
  f->response_frame = 6;
  f->file = g_strdup ("http-auth-401-basic.pcap");
  f->request_file = g_strdup ("http-auth-401-basic.pcap");
  f->client_ip = g_strdup ("192.168.0.4");
  f->client_port = 54337;
  f->server_ip = g_strdup ("192.254.189.169");
  f->server_port = 80;
  f->community_id = g_strdup ("1:example=");
  f->time.sec = 1381844050; /* 2013-10-15T13:34:10 */
  f->time.nsec = 802943999; /* truncated, not rounded */
  f->principal = g_strdup ("test");
  f->summary = g_strdup ("The server rejected Basic credentials for user test.");
  f->fix = g_strdup ("Check the user name and password; test with another account.");
  w4_finding_add_evidence (f, 4, "GET /password-ok.php with Authorization: Basic (user test)");
  w4_finding_add_evidence (f, 6, "401 with WWW-Authenticate: Basic realm=\"x\"");
  f->wireshark_filter = g_strdup ("tcp.stream eq 0 && frame.number in {4,6}");
  return f;
}

/* A 403 whose request was not captured: method, uri, host, request_frame
 * and stream are null. */
static W4Finding *
example_no_request (void)
{
  W4Finding *f = w4_finding_new ();

  f->kind = W4_KIND_FAILURE;
  f->cause = W4_CAUSE_FORBIDDEN;
  f->related = G_GUINT64_CONSTANT (1) << W4_CAUSE_MISSING_CHALLENGE |
               G_GUINT64_CONSTANT (1) << W4_CAUSE_CORS_PREFLIGHT;
  f->status = 403;
  f->stream = -1;
  f->client = g_strdup ("[2001:db8::1]:40000");
  f->server = g_strdup ("[2001:db8::2]:8080");
  f->response_frame = 9;
  f->file = g_strdup ("a.pcap");
  f->tls = TRUE;
  f->sni = g_strdup ("api.example");
  f->h2_stream = 3;
  w4_finding_add_evidence_in (f, 2, "b.pcap", "an earlier success");
  f->summary = g_strdup ("Forbidden.");
  f->fix = g_strdup ("Check the access rules.");
  f->wireshark_filter = g_strdup ("frame.number == 9");
  return f;
}

static W4Finding *
example_note (void)
{
  W4Finding *f = example_failure ();

  f->kind = W4_KIND_NOTE;
  f->cause = W4_CAUSE_CHALLENGE;
  g_clear_pointer (&f->principal, g_free);
  return f;
}

static W4Finding *
example_risk (void)
{
  W4Finding *f = example_failure ();

  f->kind = W4_KIND_RISK;
  f->cause = W4_CAUSE_CLEARTEXT_CREDENTIALS;
  f->status = 0;
  f->response_frame = 4;
  f->count = 3;
  f->scheme = g_strdup ("Basic");
  return f;
}

static void
fill_summary (W4Summary *s)
{
  W4ServerStat *st = g_new0 (W4ServerStat, 1);
  W4PrincipalStat *ps = g_new0 (W4PrincipalStat, 1);

  memset (s, 0, sizeof *s);
  s->packets = 12;
  s->bytes = 3456;
  s->connections = 1;
  s->http_requests = 3;
  s->http_responses = 3;
  s->failed_responses = 1;
  s->by_cause[W4_CAUSE_REJECTED_CREDENTIALS] = 1;
  st->server = g_strdup ("192.254.189.169:80");
  st->host = g_strdup ("browserspy.dk");
  st->failed = 1;
  st->total = 3;
  st->schemes = g_strdup ("Basic,Digest");
  s->by_server = g_ptr_array_new ();
  g_ptr_array_add (s->by_server, st);
  ps->principal = g_strdup ("test");
  ps->failed = 1;
  s->by_principal = g_ptr_array_new ();
  g_ptr_array_add (s->by_principal, ps);
  s->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (s->warnings, g_strdup ("x.pcap: cut short in frame 7"));
}

static void
clear_summary (W4Summary *s)
{
  W4ServerStat *st = g_ptr_array_index (s->by_server, 0);
  W4PrincipalStat *ps = g_ptr_array_index (s->by_principal, 0);

  g_free (st->server);
  g_free (st->host);
  g_free (st->schemes);
  g_free (st);
  g_free (ps->principal);
  g_free (ps);
  g_ptr_array_unref (s->by_server);
  g_ptr_array_unref (s->by_principal);
  g_ptr_array_unref (s->warnings);
}

/* Runs a report over @findings (transfer full, NULL-terminated) and returns
 * its output (transfer full). */
static char *
run_report (const W4ReportOptions *opts, W4Finding **findings, guint64 *n_failures)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Summary s;
  W4Report *rep;

  g_assert_nonnull (out);
  rep = w4_rep_new (opts, out);
  w4_rep_add_input (rep, "http-auth-401-basic.pcap");
  fill_summary (&s);
  for (guint i = 0; findings[i] != NULL; i++) {
    W4FindingSink sink = w4_rep_sink (rep);
    sink.on_finding (sink.user, findings[i]);
  }
  w4_rep_finish (rep, &s);
  if (n_failures != NULL)
    *n_failures = w4_rep_n_failures (rep);
  w4_rep_free (rep);
  clear_summary (&s);
  fclose (out);
  return buf;
}

/* A summary of two servers and two principals as the credential
 * histories fill it: a third-party API that fails every time stands out
 * against the main server, and alice's failures are account-specific. */
static void
fill_history_summary (W4Summary *s)
{
  W4ServerStat *api = g_new0 (W4ServerStat, 1);
  W4ServerStat *app = g_new0 (W4ServerStat, 1);
  W4PrincipalStat *alice = g_new0 (W4PrincipalStat, 1);
  W4PrincipalStat *bob = g_new0 (W4PrincipalStat, 1);

  fill_summary (s);
  clear_summary (s);
  s->by_server = g_ptr_array_new ();
  s->by_principal = g_ptr_array_new ();
  s->warnings = g_ptr_array_new_with_free_func (g_free);
  s->failed_responses = 14;
  api->server = g_strdup ("127.0.0.1:9001");
  api->host = g_strdup ("api.partner.test");
  api->failed = api->total = 12;
  api->schemes = g_strdup ("Bearer");
  api->failure_rate = 100;
  api->stands_out = TRUE;
  app->server = g_strdup ("127.0.0.1:8000");
  app->host = g_strdup ("app.test");
  app->failed = 4;
  app->total = 24;
  app->challenge_steps = 2;
  app->failure_rate = 9;
  app->schemes = g_strdup ("Basic");
  app->main = TRUE;
  g_ptr_array_add (s->by_server, api);
  g_ptr_array_add (s->by_server, app);
  alice->principal = g_strdup ("alice");
  alice->failed = 12;
  alice->specific_server = g_strdup ("127.0.0.1:8000");
  alice->specific_other = g_strdup ("bob");
  alice->specific_failed = 12;
  alice->other_succeeded = alice->other_total = 10;
  bob->principal = g_strdup ("bob");
  bob->succeeded = 10;
  g_ptr_array_add (s->by_principal, alice);
  g_ptr_array_add (s->by_principal, bob);
}

static void
clear_history_summary (W4Summary *s)
{
  for (guint i = 0; i < s->by_server->len; i++) {
    W4ServerStat *st = g_ptr_array_index (s->by_server, i);
    g_free (st->server);
    g_free (st->host);
    g_free (st->schemes);
    g_free (st);
  }
  for (guint i = 0; i < s->by_principal->len; i++) {
    W4PrincipalStat *ps = g_ptr_array_index (s->by_principal, i);
    g_free (ps->principal);
    g_free (ps->specific_server);
    g_free (ps->specific_other);
    g_free (ps);
  }
  g_ptr_array_unref (s->by_server);
  g_ptr_array_unref (s->by_principal);
  g_ptr_array_unref (s->warnings);
}

/* The report of one failure over fill_history_summary's summary. */
static char *
run_history_report (const W4ReportOptions *opts)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Summary s;
  W4Report *rep;
  W4FindingSink sink;

  rep = w4_rep_new (opts, out);
  w4_rep_add_input (rep, "history.pcap");
  fill_history_summary (&s);
  sink = w4_rep_sink (rep);
  sink.on_finding (sink.user, example_failure ());
  w4_rep_finish (rep, &s);
  w4_rep_free (rep);
  clear_history_summary (&s);
  fclose (out);
  return buf;
}

static json_t *
parse_line (const char *line)
{
  json_error_t err;
  json_t *j = json_loads (line, 0, &err);

  if (j == NULL)
    g_error ("not JSON: %s (%s)", line, err.text);
  return j;
}

static void
assert_keys_start_with (json_t *o, const char *const *keys)
{
  void *it = json_object_iter (o);

  for (guint i = 0; keys[i] != NULL; i++) {
    g_assert_nonnull (it);
    g_assert_cmpstr (json_object_iter_key (it), ==, keys[i]);
    it = json_object_iter_next (o, it);
  }
}

static void
test_ndjson_fields (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_NDJSON };
  W4Finding *fs[] = { example_failure (), example_no_request (), example_risk (), NULL };
  guint64 failures = 0;
  g_autofree char *out = run_report (&opts, fs, &failures);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  json_t *a, *b, *r;

  g_assert_cmpuint (failures, ==, 2);
  g_assert_cmpuint (g_strv_length (lines), ==, 5); /* 3 findings, summary, "" */
  g_assert_cmpstr (lines[4], ==, "");

  a = parse_line (lines[0]);
  assert_keys_start_with (a, w4_contract_fields);
  g_assert_cmpstr (json_string_value (json_object_get (a, "type")), ==, "finding");
  g_assert_cmpstr (json_string_value (json_object_get (a, "kind")), ==, "failure");
  g_assert_cmpstr (json_string_value (json_object_get (a, "cause")), ==, "rejected-credentials");
  g_assert_true (json_is_array (json_object_get (a, "related")));
  g_assert_cmpuint (json_array_size (json_object_get (a, "related")), ==, 0);
  g_assert_cmpint (json_integer_value (json_object_get (a, "status")), ==, 401);
  g_assert_true (json_is_integer (json_object_get (a, "stream")));
  g_assert_cmpint (json_integer_value (json_object_get (a, "stream")), ==, 0);
  g_assert_cmpint (json_integer_value (json_object_get (a, "request_frame")), ==, 4);
  g_assert_cmpint (json_integer_value (json_object_get (a, "response_frame")), ==, 6);
  g_assert_cmpstr (json_string_value (json_object_get (a, "time")), ==,
                   "2013-10-15T13:34:10.802943Z");
  g_assert_true (json_is_null (json_object_get (a, "server_message")));
  g_assert_cmpstr (json_string_value (json_object_get (a, "principal")), ==, "test");
  g_assert_cmpuint (json_array_size (json_object_get (a, "evidence")), ==, 2);
  g_assert_cmpint (
      json_integer_value (json_object_get (json_array_get (json_object_get (a, "evidence"), 1),
                                           "frame")), ==, 6);
  g_assert_cmpstr (json_string_value (json_object_get (a, "wireshark_filter")), ==,
                   "tcp.stream eq 0 && frame.number in {4,6}");
  g_assert_true (json_is_null (json_object_get (a, "count")));
  g_assert_true (json_is_null (json_object_get (a, "scheme")));
  g_assert_cmpstr (json_string_value (json_object_get (a, "request_file")), ==,
                   "http-auth-401-basic.pcap");
  g_assert_cmpstr (json_string_value (json_object_get (a, "client_ip")), ==, "192.168.0.4");
  g_assert_cmpint (json_integer_value (json_object_get (a, "client_port")), ==, 54337);
  g_assert_cmpstr (json_string_value (json_object_get (a, "server_ip")), ==, "192.254.189.169");
  g_assert_cmpint (json_integer_value (json_object_get (a, "server_port")), ==, 80);
  g_assert_cmpstr (json_string_value (json_object_get (a, "community_id")), ==, "1:example=");
  g_assert_true (json_is_false (json_object_get (a, "tls")));
  g_assert_true (json_is_null (json_object_get (a, "sni")));
  g_assert_true (json_is_null (json_object_get (a, "h2_stream")));
  /* evidence in the finding's file names no file */
  g_assert_null (json_object_get (json_array_get (json_object_get (a, "evidence"), 0), "file"));
  /* the contract's fields and our extensions, nothing else */
  g_assert_cmpuint (json_object_size (a), ==, g_strv_length ((char **) w4_contract_fields));

  b = parse_line (lines[1]);
  assert_keys_start_with (b, w4_contract_fields);
  g_assert_true (json_is_null (json_object_get (b, "stream")));
  g_assert_true (json_is_null (json_object_get (b, "method")));
  g_assert_true (json_is_null (json_object_get (b, "uri")));
  g_assert_true (json_is_null (json_object_get (b, "host")));
  g_assert_true (json_is_null (json_object_get (b, "request_frame")));
  g_assert_true (json_is_null (json_object_get (b, "principal")));
  g_assert_cmpstr (json_string_value (json_object_get (b, "client")), ==, "[2001:db8::1]:40000");
  /* related in W4Cause order, whatever order the bits were set in */
  g_assert_cmpuint (json_array_size (json_object_get (b, "related")), ==, 2);
  g_assert_cmpstr (json_string_value (json_array_get (json_object_get (b, "related"), 0)), ==,
                   "cors-preflight");
  g_assert_cmpstr (json_string_value (json_array_get (json_object_get (b, "related"), 1)), ==,
                   "missing-challenge");
  g_assert_true (json_is_null (json_object_get (b, "request_file")));
  g_assert_true (json_is_null (json_object_get (b, "client_ip")));
  g_assert_true (json_is_null (json_object_get (b, "client_port")));
  g_assert_true (json_is_null (json_object_get (b, "community_id")));
  g_assert_true (json_is_true (json_object_get (b, "tls")));
  g_assert_cmpstr (json_string_value (json_object_get (b, "sni")), ==, "api.example");
  g_assert_cmpint (json_integer_value (json_object_get (b, "h2_stream")), ==, 3);
  /* evidence in another input file than the finding's names its file */
  g_assert_cmpuint (json_array_size (json_object_get (b, "evidence")), ==, 1);
  {
    json_t *e = json_array_get (json_object_get (b, "evidence"), 0);
    g_assert_cmpint (json_integer_value (json_object_get (e, "frame")), ==, 2);
    g_assert_cmpstr (json_string_value (json_object_get (e, "file")), ==, "b.pcap");
  }
  g_assert_cmpuint (json_object_size (b), ==, g_strv_length ((char **) w4_contract_fields));

  r = parse_line (lines[2]);
  assert_keys_start_with (r, w4_contract_fields);
  g_assert_cmpstr (json_string_value (json_object_get (r, "kind")), ==, "risk");
  g_assert_true (json_is_null (json_object_get (r, "status")));
  g_assert_cmpint (json_integer_value (json_object_get (r, "count")), ==, 3);
  g_assert_cmpstr (json_string_value (json_object_get (r, "scheme")), ==, "Basic");

  json_decref (a);
  json_decref (b);
  json_decref (r);
}

static void
test_ndjson_summary_last (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_NDJSON };
  W4Finding *fs[] = { example_note (), NULL };
  guint64 failures = 1;
  g_autofree char *out = run_report (&opts, fs, &failures);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  json_t *s, *srv;

  g_assert_cmpuint (failures, ==, 0); /* a note is not a failure */
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  s = parse_line (lines[1]);
  g_assert_cmpstr (json_string_value (json_object_get (s, "type")), ==, "summary");
  {
    /* "type" first, then the contract's summary fields in order */
    void *it = json_object_iter_next (s, json_object_iter (s));
    for (guint i = 0; w4_summary_fields[i] != NULL; i++) {
      g_assert_cmpstr (json_object_iter_key (it), ==, w4_summary_fields[i]);
      it = json_object_iter_next (s, it);
    }
  }
  g_assert_cmpint (json_integer_value (json_object_get (s, "packets")), ==, 12);
  g_assert_cmpint (json_integer_value (json_object_get (s, "failed_responses")), ==, 1);
  g_assert_true (json_is_integer (json_object_get (s, "http_unparsed")));
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (s, "by_cause"),
                                                        "rejected-credentials")), ==, 1);
  srv = json_array_get (json_object_get (s, "by_server"), 0);
  g_assert_cmpstr (json_string_value (json_object_get (srv, "host")), ==, "browserspy.dk");
  g_assert_cmpint (json_integer_value (json_object_get (srv, "total")), ==, 3);
  g_assert_cmpuint (json_array_size (json_object_get (srv, "schemes")), ==, 2);
  g_assert_cmpuint (json_array_size (json_object_get (s, "by_principal")), ==, 1);
  g_assert_cmpuint (json_array_size (json_object_get (s, "warnings")), ==, 1);
  json_decref (s);
}

static void
test_ndjson_invalid_utf8 (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_NDJSON };
  W4Finding *f = example_failure ();
  W4Finding *fs[] = { f, NULL };

  g_free (f->host);
  f->host = g_strdup ("bad\xff\xfehost");
  g_free (f->uri);
  f->uri = g_strdup ("/a\nb\"c");
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  json_t *a;
  const char *host;

  g_assert_cmpuint (g_strv_length (lines), ==, 3); /* the newline in the URI stays escaped */
  a = parse_line (lines[0]);
  host = json_string_value (json_object_get (a, "host"));
  g_assert_nonnull (host);
  g_assert_true (g_utf8_validate (host, -1, NULL));
  g_assert_true (g_str_has_prefix (host, "bad"));
  g_assert_true (g_str_has_suffix (host, "host"));
  g_assert_nonnull (strstr (host, "\xef\xbf\xbd")); /* U+FFFD */
  g_assert_cmpstr (json_string_value (json_object_get (a, "uri")), ==, "/a\nb\"c");
  json_decref (a);
}

/* Not live and not a terminal: lines wait in blocks, with no write per
 * finding, until 100 ms have passed since the last write, or the end. Live
 * capture (opts.stream) and a pipe among the inputs (opts.flush_lines) get
 * every line at once. The bytes are the same either way. */
static void
test_ndjson_flushing (void)
{
  W4ReportOptions opts[] = {
    { .format = W4_FORMAT_NDJSON },
    { .format = W4_FORMAT_NDJSON, .stream = TRUE },
    { .format = W4_FORMAT_NDJSON, .flush_lines = TRUE },
  };
  g_autofree char *want = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (opts); i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    gint64 start = g_get_monotonic_time ();
    W4Report *rep = w4_rep_new (&opts[i], out);
    W4FindingSink sink = w4_rep_sink (rep);
    W4Summary s;
    char **lines;

    sink.on_finding (sink.user, example_failure ());
    sink.on_finding (sink.user, example_risk ());
    if (i == 0) {
      /* held (unless this machine took 100 ms for two findings) */
      if (g_get_monotonic_time () - start < 100 * G_TIME_SPAN_MILLISECOND)
        g_assert_cmpuint (len, ==, 0);
      g_usleep (120 * G_TIME_SPAN_MILLISECOND);
    } else {
      g_assert_cmpuint (len, >, 0);
      g_assert_true (buf[len - 1] == '\n');
    }
    sink.on_finding (sink.user, example_no_request ());
    /* all three out: every line at once, or 100 ms after the last write */
    g_assert_cmpuint (len, >, 0);
    lines = g_strsplit (buf, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_strfreev (lines);
    fill_summary (&s);
    w4_rep_finish (rep, &s);
    w4_rep_free (rep);
    clear_summary (&s);
    fclose (out);
    if (want == NULL) {
      want = buf;
    } else {
      g_assert_cmpstr (buf, ==, want);
      g_free (buf);
    }
  }
}

/* Lines still held when the report goes without its end (an error path)
 * are written, not lost; a json finding already written is not written
 * again. */
static void
test_held_lines_at_free (void)
{
  W4ReportOptions opts[] = { { .format = W4_FORMAT_NDJSON }, { .format = W4_FORMAT_JSON } };

  for (guint i = 0; i < G_N_ELEMENTS (opts); i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    W4Report *rep = w4_rep_new (&opts[i], out);
    W4FindingSink sink = w4_rep_sink (rep);

    sink.on_finding (sink.user, example_failure ());
    w4_rep_free (rep);
    fclose (out);
    g_assert_true (g_str_has_suffix (buf, "}\n") || g_str_has_suffix (buf, "}"));
    g_assert_nonnull (strstr (buf, "rejected-credentials"));
    g_assert_true (strstr (buf, "rejected-credentials") == g_strrstr (buf, "rejected-credentials"));
    if (opts[i].format == W4_FORMAT_NDJSON) {
      json_t *a = parse_line (buf);
      g_assert_cmpstr (json_string_value (json_object_get (a, "type")), ==, "finding");
      json_decref (a);
    }
    g_free (buf);
  }
}

/* The summary's by_cause has a key per cause name: jansson merged equal
 * keys, the streaming writer would write both, so no two may be equal. */
static void
test_json_cause_names_distinct (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int c = 0; c < W4_CAUSE_COUNT; c++)
    g_assert_true (g_hash_table_add (seen, (gpointer) w4_cause_name ((W4Cause) c)));
}

static void
test_json_document (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_JSON };
  W4Finding *fs[] = { example_failure (), example_note (), example_risk (), NULL };
  g_autofree char *out = run_report (&opts, fs, NULL);
  json_t *doc = parse_line (out);
  json_t *arr;

  g_assert_cmpint (json_integer_value (json_object_get (doc, "version")), ==, 1);
  arr = json_object_get (doc, "findings");
  g_assert_cmpuint (json_array_size (arr), ==, 3);
  /* emission order */
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (arr, 0), "kind")), ==,
                   "failure");
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (arr, 1), "kind")), ==,
                   "note");
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (arr, 2), "kind")), ==,
                   "risk");
  for (guint i = 0; i < 3; i++)
    assert_keys_start_with (json_array_get (arr, i), w4_contract_fields);
  assert_keys_start_with (json_object_get (doc, "summary"), w4_summary_fields);
  json_decref (doc);
}

/* The document is written a finding at a time, exactly as jansson writes
 * the whole tree (JSON_INDENT (2)): with findings, with none, under -q. */
static void
test_json_streamed_as_jansson (void)
{
  W4ReportOptions full = { .format = W4_FORMAT_JSON };
  W4ReportOptions quiet = { .format = W4_FORMAT_JSON, .quiet = TRUE };
  W4Finding *three[] = { example_failure (), example_no_request (), example_risk (), NULL };
  W4Finding *none[] = { NULL };
  W4Finding *q[] = { example_failure (), NULL };
  char *outs[] = { run_report (&full, three, NULL), run_report (&full, none, NULL),
                   run_report (&quiet, q, NULL) };

  for (guint i = 0; i < G_N_ELEMENTS (outs); i++) {
    json_t *doc = parse_line (outs[i]);
    char *again = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
    g_autofree char *want = g_strconcat (again, "\n", NULL);
    g_assert_cmpstr (outs[i], ==, want);
    free (again);
    json_decref (doc);
    g_free (outs[i]);
  }
}

static void
test_json_limit (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_JSON, .max_findings = 1 };
  W4Finding *fs[] = { example_failure (), example_failure (), example_failure (), NULL };
  guint64 failures = 0;
  g_autofree char *out = run_report (&opts, fs, &failures);
  json_t *doc = parse_line (out);
  json_t *warnings = json_object_get (json_object_get (doc, "summary"), "warnings");

  g_assert_cmpuint (failures, ==, 3);
  g_assert_cmpuint (json_array_size (json_object_get (doc, "findings")), ==, 1);
  g_assert_cmpuint (json_array_size (warnings), ==, 2);
  g_assert_nonnull (strstr (json_string_value (json_array_get (warnings, 1)), "findings"));
  json_decref (doc);
}

/* The per-server table makes the third-party API stand out, with its
 * failure rate and schemes; the per-principal table says "alice: 0 of 12"
 * and that it is account-specific. Wrapped at the width. */
static void
test_text_history_tables (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 80 };
  g_autofree char *out = run_history_report (&opts);

  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out,
      "  by server:    127.0.0.1:9001 (api.partner.test): 12 of 12 failed (100%),\n"
      "                schemes Bearer; stands out: fails while 127.0.0.1:8000\n"
      "                (app.test) succeeds\n"
      "                127.0.0.1:8000 (app.test): 4 of 24 failed (2 of them challenge\n"
      "                steps; 9% of the other 22), schemes Basic; the main server\n"));
  g_assert_nonnull (strstr (out,
      "  by principal: alice: 0 of 12 succeeded; account-specific: on 127.0.0.1:8000 it\n"
      "                failed 12 of 12 while bob succeeded 10 of 10\n"
      "                bob: 10 of 10 succeeded\n"));
}

/* The same facts in JSON: the contract's fields first, then the added ones. */
static void
test_json_history_fields (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_NDJSON };
  g_autofree char *out = run_history_report (&opts);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  json_t *s = parse_line (lines[1]);
  json_t *api = json_array_get (json_object_get (s, "by_server"), 0);
  json_t *app = json_array_get (json_object_get (s, "by_server"), 1);
  json_t *alice = json_array_get (json_object_get (s, "by_principal"), 0);
  json_t *bob = json_array_get (json_object_get (s, "by_principal"), 1);
  static const char *const server_keys[] = { "server", "host", "failed", "total", "schemes",
                                             "challenge_steps", "failure_rate", "main",
                                             "stands_out", NULL };
  static const char *const principal_keys[] = { "principal", "failed", "succeeded",
                                                "account_specific", "account_specific_server",
                                                "succeeding_principal", NULL };

  assert_keys_start_with (api, server_keys);
  assert_keys_start_with (alice, principal_keys);
  g_assert_cmpint (json_integer_value (json_object_get (api, "failure_rate")), ==, 100);
  g_assert_true (json_is_true (json_object_get (api, "stands_out")));
  g_assert_true (json_is_false (json_object_get (api, "main")));
  g_assert_cmpint (json_integer_value (json_object_get (app, "challenge_steps")), ==, 2);
  g_assert_true (json_is_true (json_object_get (app, "main")));
  g_assert_true (json_is_true (json_object_get (alice, "account_specific")));
  g_assert_cmpstr (json_string_value (json_object_get (alice, "account_specific_server")), ==,
                   "127.0.0.1:8000");
  g_assert_cmpstr (json_string_value (json_object_get (alice, "succeeding_principal")), ==, "bob");
  g_assert_true (json_is_false (json_object_get (bob, "account_specific")));
  g_assert_true (json_is_null (json_object_get (bob, "succeeding_principal")));
  json_decref (s);
}

static void
test_text_groups (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER };
  W4Finding *fs[] = { example_note (), example_failure (), example_failure (),
                      example_no_request (), example_risk (), NULL };
  g_autofree char *out = run_report (&opts, fs, NULL);
  const char *rej, *forb;

  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "http-auth-401-basic.pcap: 12 packets"));
  rej = strstr (out, "\nrejected-credentials (2)");
  forb = strstr (out, "\nforbidden (1)");
  g_assert_nonnull (rej);
  g_assert_nonnull (forb);
  g_assert_true (rej < forb); /* most frequent first */
  g_assert_nonnull (strstr (out, "filter: tcp.stream eq 0 && frame.number in {4,6}"));
  g_assert_nonnull (strstr (out, "Check the credentials"));
  g_assert_nonnull (strstr (out, "1 response was a normal challenge step (--all shows them)"));
  g_assert_nonnull (strstr (out, "cleartext-credentials (1)"));
  g_assert_nonnull (strstr (out, "x.pcap: cut short in frame 7"));
  g_assert_null (strstr (out, "\033[")); /* no colour */
  /* without --all: no evidence lines */
  g_assert_null (strstr (out, "frame 4: GET"));
  for (char *p = out; *p != '\0';) {
    char *nl = strchr (p, '\n');
    gsize len = nl ? (gsize) (nl - p) : strlen (p);
    if (strstr (p, "filter:") == NULL || (nl && strstr (p, "filter:") > nl))
      g_assert_cmpuint (g_utf8_strlen (p, (gssize) len), <=, 80);
    p = nl ? nl + 1 : p + len;
  }
}

/* Findings as the demo capture gives them: long summaries, a Host, a long
 * filter and a URI longer than any line. */
static W4Finding *
example_demo_like (guint i)
{
  W4Finding *f = example_failure ();

  f->cause = i % 2 ? W4_CAUSE_SESSION_EXPIRED : W4_CAUSE_WRONG_AUTH_HEADER;
  g_free (f->summary);
  f->summary = g_strdup (
      "The Bearer token sha256:37c2d7857ed5 succeeded on this server (first at frame 106, last "
      "at frame 130) and 1 s after its first success was refused; nothing succeeded with it "
      "afterwards.");
  g_free (f->host);
  f->host = g_strdup ("api.example.test");
  g_free (f->client);
  f->client = g_strdup ("[2001:db8:1234:5678:9abc:def0:1234:5678]:47294");
  f->server_message = g_strdup ("invalid_token: The session was revoked");
  f->related = G_GUINT64_CONSTANT (1) << W4_CAUSE_REJECTED_CREDENTIALS;
  g_free (f->wireshark_filter);
  f->wireshark_filter = g_strdup (
      "tcp.stream eq 12 && frame.number in {106,108,110,112,114,116,118,120,122,124,126,128,130}");
  if (i == 0) {
    g_free (f->uri);
    f->uri = g_strdup ("/very/long/path/that/is/longer/than/any/terminal/line/could/ever/hold/"
                       "at/eighty/columns?and=a&query=string");
  }
  return f;
}

/* The words of @s, single-spaced (transfer full). */
static char *
single_spaced (const char *s)
{
  g_auto (GStrv) words = g_strsplit_set (s, " \n", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Every line of @out fits @width columns, except a line that is one word
 * (after its indent) longer than the line, or a filter on its own line
 * (one thing to copy). */
static void
assert_fits (const char *out, guint width)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *text = lines[i] + strspn (lines[i], " ");
    glong n = g_utf8_strlen (lines[i], -1);
    if (n > (glong) width && strchr (text, ' ') == NULL)
      continue;
    if (n > (glong) width && i > 0 && g_str_has_suffix (lines[i - 1], "filter:"))
      continue;
    if (n > (glong) width)
      g_error ("line %u is %ld columns, over %u: '%s'", i + 1, n, width, lines[i]);
  }
}

static void
test_text_width (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .all = TRUE };
  W4Finding *fs[] = { example_demo_like (0), example_demo_like (1), example_demo_like (2),
                      example_risk (), NULL };
  const char *long_uri = "/very/long/path/that/is/longer/than/any/terminal/line/could/ever/"
                         "hold/at/eighty/columns?and=a&query=string";

  /* Not a terminal and no $COLUMNS: 80 columns. */
  g_unsetenv ("COLUMNS");
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_test_message ("%s", out);
  assert_fits (out, 80);
  /* No word cut: every text reads whole once the line breaks are spaces. */
  g_autofree char *flat = single_spaced (out);
  g_assert_nonnull (strstr (flat, "The Bearer token sha256:37c2d7857ed5 succeeded on this server "
                                  "(first at frame 106, last at frame 130) and 1 s after"));
  g_assert_nonnull (strstr (flat, "Credentials crossed the network unencrypted: anyone on the "
                                  "path can read and replay them."));
  /* A word longer than the line stands alone on its line. */
  g_autofree char *alone = g_strdup_printf ("\n    %s\n", long_uri);
  g_assert_nonnull (strstr (out, alone));
  /* A filter too long for its label's line is whole on its own line. */
  g_assert_nonnull (strstr (out, "    filter:\n      tcp.stream eq 12 && frame.number in {106,"));
  g_assert_nonnull (strstr (out, "    filter: tcp.stream eq 0 && frame.number in {4,6}\n"));
}

/* $COLUMNS sets the width when the output is not a terminal, as in GNU
 * ls; the option wins over it. */
static void
test_text_columns (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER };
  W4Finding *fs[] = { example_demo_like (1), NULL };
  W4Finding *fs2[] = { example_demo_like (1), NULL };

  g_setenv ("COLUMNS", "50", TRUE);
  g_autofree char *narrow = run_report (&opts, fs, NULL);
  g_test_message ("%s", narrow);
  assert_fits (narrow, 50);
  g_assert_nonnull (strstr (narrow, "\n  The same credential succeeded on this server\n"));
  opts.width = 120;
  g_autofree char *wide = run_report (&opts, fs2, NULL);
  g_unsetenv ("COLUMNS");
  assert_fits (wide, 120);
  g_assert_nonnull (strstr (wide, "\n  The same credential succeeded on this server earlier and "
                                  "never after: the server expired or revoked the session "
                                  "sooner\n"));
}

/* Live (opts.stream): a failure is printed when it is decided, before the
 * end, and the end names its cause without printing it again. */
static void
test_text_stream (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .stream = TRUE };
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Report *rep = w4_rep_new (&opts, out);
  W4FindingSink sink = w4_rep_sink (rep);
  W4Summary s;
  const char *flt = "filter: tcp.stream eq 0 && frame.number in {4,6}";

  w4_rep_add_input (rep, "interface lo");
  sink.on_finding (sink.user, example_note ());
  sink.on_finding (sink.user, example_failure ());
  g_assert_cmpuint (len, >, 0); /* flushed at once */
  g_assert_true (g_str_has_prefix (buf, "\nrejected-credentials\n  "));
  g_assert_nonnull (strstr (buf, flt));
  g_assert_null (strstr (buf, "challenge")); /* a note only with --all */
  fill_summary (&s);
  w4_rep_finish (rep, &s);
  g_assert_cmpuint (w4_rep_n_failures (rep), ==, 1);
  w4_rep_free (rep);
  clear_summary (&s);
  fclose (out);
  g_test_message ("%s", buf);
  g_assert_true (strstr (buf, flt) == g_strrstr (buf, flt)); /* once */
  /* the streamed failure is in the timeline printed at the end */
  g_assert_nonnull (strstr (buf, "\n== Timeline ==\n  192.254.189.169:80 (browserspy.dk)  13:34:10 - 13:34:10"));
  g_assert_nonnull (strstr (buf, "\nrejected-credentials (1)\n  Well-formed"));
  g_assert_null (strstr (buf, "more, not kept"));
  g_assert_nonnull (strstr (buf, "1 response was a normal challenge step"));
  g_free (buf);
}

static void
test_text_all (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_ALWAYS, .all = TRUE,
                           .examples = 1 };
  W4Finding *fs[] = { example_note (), example_failure (), example_failure (), NULL };
  g_autofree char *out = run_report (&opts, fs, NULL);

  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "challenge"));
  g_assert_nonnull (strstr (out, "frame 4: GET /password-ok.php"));
  g_assert_null (strstr (out, "more (use --all)"));
  g_assert_nonnull (strstr (out, "\033[")); /* colour forced */
}

/* Feeds @n failures and 2 notes to a text report charged to @b, takes
 * the budget over its max with @other bytes of another kind, enforces it,
 * and returns the report's output (transfer full). */
static char *
run_budget_report (gboolean all, W4Budget *b, guint n, guint64 other)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .all = all,
                           .width = 200 };
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Summary s;
  W4Report *rep = w4_rep_new (&opts, out);

  w4_rep_set_budget (rep, b);
  w4_rep_add_input (rep, "http-auth-401-basic.pcap");
  w4_rep_finding (rep, example_note ());
  w4_rep_finding (rep, example_note ());
  for (guint i = 0; i < n; i++)
    w4_rep_finding (rep, example_failure ());
  g_assert_cmpuint (b->by_kind[W4_MEM_FINDINGS], >, n * sizeof (W4Finding));
  w4_budget_charge (b, W4_MEM_FLOWS, other);
  g_assert_true (w4_budget_over (b));
  w4_budget_enforce (b);
  fill_summary (&s);
  s.failed_responses = n + 2;
  s.by_cause[W4_CAUSE_REJECTED_CREDENTIALS] = n;
  s.budget = *b;
  w4_rep_finish (rep, &s);
  w4_rep_free (rep);
  clear_summary (&s);
  fclose (out);
  /* what the report kept is released when it is freed */
  g_assert_cmpuint (b->by_kind[W4_MEM_FINDINGS], ==, 0);
  return buf;
}

/* Without --all the text shows a few examples per cause: the budget takes
 * the other kept findings first, and the text still says --all would have
 * shown them. */
static void
test_text_budget_unshown (void)
{
  W4Budget b;
  g_autofree char *out = NULL;

  w4_budget_init (&b, 1 << 20);
  /* the findings alone take it over the max, and giving up those the text
   * does not show brings it under the low mark */
  out = run_budget_report (FALSE, &b, 300, (1 << 20) / 100 * W4_BUDGET_LOW_MARK - 20000);
  g_test_message ("%s", out);
  /* the 295 past the 5 examples and the 2 notes, in one call */
  g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], ==, 297);
  g_assert_cmpuint (b.enforcements, ==, 1);
  g_assert_nonnull (strstr (out, "rejected-credentials (300)"));
  g_assert_nonnull (strstr (out, "  ... and 295 more (use --all)\n"));
  g_assert_nonnull (strstr (out, "2 responses were normal challenge steps (--all shows them)"));
  g_assert_nonnull (strstr (out, "\n  memory:       budget 1 MiB reached (peak 1."));
  g_assert_nonnull (strstr (out, "MiB): gave up 297 kept findings\n"));
}

/* With --all every kept finding is shown: the budget takes the latest,
 * and the text says they were not kept for it. */
static void
test_text_budget_all (void)
{
  W4Budget b;
  g_autofree char *out = NULL;
  guint64 max = 1 << 20, low = max / 100 * W4_BUDGET_LOW_MARK;
  guint64 per, kept;

  w4_budget_init (&b, max);
  /* the findings' bytes, from one run that gives up all of them */
  g_free (run_budget_report (TRUE, &b, 400, max));
  per = b.peak_by_kind[W4_MEM_FINDINGS] / 400;
  g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], ==, 402);

  /* about half of them over the low mark */
  w4_budget_init (&b, max);
  out = run_budget_report (TRUE, &b, 400, low - 200 * per);
  kept = 402 - b.evicted[W4_EVICT_FINDINGS];
  g_test_message ("%s", out);
  g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], >, 150);
  g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], <, 250);
  /* the latest went: the notes came first and are still shown */
  g_assert_nonnull (strstr (out, "== Normal handshake steps =="));
  {
    g_autofree char *more = g_strdup_printf ("  ... and %" G_GUINT64_FORMAT
                                             " more, not kept (memory budget)\n",
                                             400 - (kept - 2));
    g_assert_nonnull (strstr (out, more));
  }
}

/* Findings that come while the budget is over (the end decides every
 * pending failure at once, between no frames) are not kept beyond what the
 * text shows: with --all, none are. */
static void
test_text_budget_over_already (void)
{
  for (int all = 0; all <= 1; all++) {
    W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .all = all,
                             .width = 200 };
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    W4Summary s;
    W4Budget b;
    W4Report *rep = w4_rep_new (&opts, out);

    w4_budget_init (&b, 1 << 20);
    w4_budget_charge (&b, W4_MEM_FLOWS, 2 << 20);
    w4_rep_set_budget (rep, &b);
    w4_rep_add_input (rep, "http-auth-401-basic.pcap");
    for (guint i = 0; i < 100; i++)
      w4_rep_finding (rep, example_failure ());
    g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], ==, all ? 100 : 95);
    g_assert_cmpuint (w4_rep_n_failures (rep), ==, 100);
    fill_summary (&s);
    s.by_cause[W4_CAUSE_REJECTED_CREDENTIALS] = 100;
    s.budget = b;
    w4_rep_finish (rep, &s);
    w4_rep_free (rep);
    clear_summary (&s);
    fclose (out);
    g_test_message ("%s", buf);
    g_assert_nonnull (strstr (buf, all ? "  ... and 100 more, not kept (memory budget)\n"
                                       : "  ... and 95 more (use --all)\n"));
    g_assert_cmpuint (b.by_kind[W4_MEM_FINDINGS], ==, 0);
    g_free (buf);
  }
}

/* A rotated capture: a request in another file than its response. */
static void
test_text_files (void)
{
  /* Wide enough that the lines looked for are not wrapped. */
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .all = TRUE,
                           .width = 200 };
  W4Finding *f = example_failure ();
  W4Finding *fs[] = { f, NULL };
  const W4Evidence *e = g_ptr_array_index (f->evidence, 0);
  g_autofree char *what = g_strdup (e->what);

  g_free (f->request_file);
  f->request_file = g_strdup ("a.pcap");
  f->request_frame = 140;
  f->response_frame = 1;
  /* the first entry again, in a.pcap: an entry's strings live in its own
   * block, so it is made anew rather than given a file */
  g_ptr_array_remove_index (f->evidence, 0);
  w4_finding_add_evidence_in (f, 140, "a.pcap", what);
  g_ptr_array_insert (f->evidence, 0, g_ptr_array_steal_index (f->evidence, f->evidence->len - 1));
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "frame 140 in a.pcap, frame 1"));
  g_assert_nonnull (strstr (out, "frame 140 in a.pcap: GET /password-ok.php"));
}

static void
test_text_more (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .examples = 1 };
  W4Finding *fs[] = { example_failure (), example_failure (), example_failure (), NULL };
  g_autofree char *out = run_report (&opts, fs, NULL);

  g_assert_nonnull (strstr (out, "... and 2 more (use --all)"));
}

static W4Finding *
example_info (W4Cause cause, const char *server)
{
  W4Finding *f = w4_finding_new ();

  f->kind = W4_KIND_INFO;
  f->cause = cause;
  f->server = g_strdup (server);
  f->response_frame = 1;
  f->count = 1;
  f->summary = g_strdup ("not inspected");
  f->fix = g_strdup ("look elsewhere");
  return f;
}

/* A capture with no failed response in what was read: the report says
 * what it could not read instead of a flat "none". */
static char *
run_report_nothing_failed (W4Finding **findings)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER };
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Summary s;
  W4Report *rep;

  rep = w4_rep_new (&opts, out);
  w4_rep_add_input (rep, "h2.pcap");
  fill_summary (&s);
  s.failed_responses = 0;
  s.by_cause[W4_CAUSE_REJECTED_CREDENTIALS] = 0;
  for (guint i = 0; findings[i] != NULL; i++) {
    W4FindingSink sink = w4_rep_sink (rep);
    sink.on_finding (sink.user, findings[i]);
  }
  w4_rep_finish (rep, &s);
  w4_rep_free (rep);
  clear_summary (&s);
  fclose (out);
  return buf;
}

static void
test_text_not_inspected (void)
{
  W4Finding *none[] = { NULL };
  W4Finding *some[] = { example_info (W4_CAUSE_NOT_PARSED, "10.0.0.7:8080"),
                        example_info (W4_CAUSE_NOT_DECRYPTED, "10.0.0.5:443"),
                        example_info (W4_CAUSE_NOT_DECRYPTED, "10.0.0.6:443"), NULL };
  g_autofree char *plain = run_report_nothing_failed (none);
  g_autofree char *hidden = run_report_nothing_failed (some);
  g_autoptr (GRegex) ws = g_regex_new ("\\s+", 0, 0, NULL);
  /* the sentence is wrapped at the terminal's width: compare its words */
  g_autofree char *flat = g_regex_replace_literal (ws, hidden, -1, 0, " ", 0, NULL);

  g_test_message ("%s", hidden);
  g_assert_nonnull (strstr (plain, "\nNo failed (401/407/403) responses.\n"));
  g_assert_null (strstr (hidden, "No failed (401/407/403) responses.\n"));
  g_assert_nonnull (strstr (flat, "No failed (401/407/403) responses in the HTTP that was "
                                  "read; not inspected: HTTP/2 to 1 server, TLS to 2 servers."));
  g_assert_nonnull (strstr (hidden, "\nnot-parsed (1)\n"));
}

/* Wrapping counts columns: a summary in CJK (two columns a character)
 * stays within the width; counted in code points, its lines were twice as
 * wide as the terminal. */
static void
test_text_wrap_wide_chars (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 40 };
  W4Finding *f = example_failure ();
  W4Finding *fs[] = { f, NULL };
  g_autoptr (GString) sum = g_string_new (NULL);

  for (int i = 0; i < 12; i++)
    g_string_append (sum, i ? " \xe7\x94\xb0\xe4\xb8\xad\xe5\xa4\xaa" : "\xe7\x94\xb0\xe4\xb8\xad\xe5\xa4\xaa");
  g_free (f->summary);
  f->summary = g_strdup (sum->str);
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint wide_lines = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (strstr (lines[i], "\xe7\x94\xb0") == NULL)
      continue;
    wide_lines++;
    g_assert_cmpint (w4_text_width (lines[i]), <=, 40);
  }
  g_assert_cmpuint (wide_lines, >=, 3);
}

static void
test_text_control_chars (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER };
  W4Finding *f = example_failure ();
  W4Finding *fs[] = { f, NULL };

  g_free (f->uri);
  f->uri = g_strdup ("/\033[2Jx\xff");
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_assert_null (strstr (out, "\033"));
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_nonnull (strstr (out, "/\\x1B[2Jx\\xFF"));
}

/* A failure from the server behind a proxy's CONNECT tunnel names the
 * proxy's address and the tunnel's target, in text and in JSON. */
static void
test_tunnel_server (void)
{
  W4ReportOptions text = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 200 };
  W4ReportOptions nd = { .format = W4_FORMAT_NDJSON };
  W4Finding *f = example_failure (), *g = example_failure ();
  W4Finding *fs[] = { f, NULL }, *gs[] = { g, NULL };

  for (W4Finding **x = (W4Finding *[]) { f, g, NULL }; *x != NULL; x++) {
    g_free ((*x)->server);
    (*x)->server = g_strdup ("127.0.0.1:3128");
    (*x)->tunnel = g_strdup ("browserspy.dk:443");
  }
  g_autofree char *out = run_report (&text, fs, NULL);
  g_autofree char *nds = run_report (&nd, gs, NULL);
  g_auto (GStrv) lines = g_strsplit (nds, "\n", -1);
  json_t *a = parse_line (lines[0]);

  g_assert_nonnull (strstr (out, "192.168.0.4:54337 -> 127.0.0.1:3128 tunnel to browserspy.dk:443\n"));
  g_assert_cmpstr (json_string_value (json_object_get (a, "server")), ==, "127.0.0.1:3128");
  g_assert_cmpstr (json_string_value (json_object_get (a, "tunnel")), ==, "browserspy.dk:443");
  json_decref (a);
}

/* A finding's own fix is shown under it when it says more than the
 * cause's above the group, and not again for the next example with the
 * same one. */
static void
test_text_own_fix (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 200 };
  W4Finding *f = example_failure (), *g = example_failure ();
  W4Finding *fs[] = { f, g, NULL };
  g_autofree char *out = run_report (&opts, fs, NULL);
  const char *first = strstr (out, "    fix: Check the user name and password");

  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "    fix: Check the user name and password"));
}

/* A user name that would display as "adminexe.txt" is shown escaped. */
static void
test_text_bidi_chars (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER };
  W4Finding *f = example_failure ();
  W4Finding *fs[] = { f, NULL };

  g_free (f->principal);
  f->principal = g_strdup ("admin\xe2\x80\xaetxt.exe");
  g_autofree char *out = run_report (&opts, fs, NULL);
  g_assert_null (strstr (out, "\xe2\x80\xae"));
  g_assert_nonnull (strstr (out, "admin\\u202Etxt.exe"));
}

/* ---- timeline ------------------------------------------------------------ */

static void
test_timeline_one (void)
{
  gint64 t[] = { 1764309429 }; /* 2025-11-28T05:57:09Z */
  W4TimelineRow row;

  g_assert_true (w4_timeline_bucket (t, 1, 40, &row));
  g_assert_cmpint (row.first, ==, t[0]);
  g_assert_cmpint (row.last, ==, t[0]);
  g_assert_cmpuint (row.failures, ==, 1);
  g_assert_cmpuint (row.span_minutes, ==, 1);
  g_assert_cmpuint (row.bin_minutes, ==, 1);
  g_assert_cmpuint (row.n_bins, ==, 1);
  g_assert_cmpuint (row.bins[0], ==, 1);
}

static void
test_timeline_none (void)
{
  W4TimelineRow row = { .failures = 7 };

  g_assert_false (w4_timeline_bucket (NULL, 0, 40, &row));
  g_assert_cmpuint (row.failures, ==, 7); /* untouched */
}

static void
test_timeline_one_minute (void)
{
  /* 05:57:00 .. 05:57:59: one minute column, even though 59 s apart */
  gint64 base = 1764309420;
  gint64 t[] = { base, base + 10, base + 30, base + 59 };
  W4TimelineRow row;

  g_assert_true (w4_timeline_bucket (t, G_N_ELEMENTS (t), 40, &row));
  g_assert_cmpuint (row.span_minutes, ==, 1);
  g_assert_cmpuint (row.n_bins, ==, 1);
  g_assert_cmpuint (row.bins[0], ==, 4);
}

static void
test_timeline_minutes (void)
{
  /* "sessions expire after 5 minutes": a failure every 5 min over 20 min,
   * and one crossing a minute boundary (05:57:59 -> 05:58:00) */
  gint64 base = 1764309420;
  gint64 t[] = { base, base + 300, base + 600, base + 900, base + 1200, base + 1259 };
  W4TimelineRow row;

  g_assert_true (w4_timeline_bucket (t, G_N_ELEMENTS (t), 40, &row));
  g_assert_cmpuint (row.span_minutes, ==, 21);
  g_assert_cmpuint (row.bin_minutes, ==, 1);
  g_assert_cmpuint (row.n_bins, ==, 21);
  for (guint i = 0; i < row.n_bins; i++)
    g_assert_cmpuint (row.bins[i], ==, i % 5 == 0 ? (i == 20 ? 2 : 1) : 0);
}

static void
test_timeline_hours (void)
{
  /* 3 h 20 min (201 minute columns) at 40 bins */
  gint64 base = 1764309420;
  gint64 t[] = { base, base + 3600, base + 3 * 3600 + 20 * 60 };
  W4TimelineRow row;

  g_assert_true (w4_timeline_bucket (t, G_N_ELEMENTS (t), 40, &row));
  g_assert_cmpuint (row.span_minutes, ==, 201);
  g_assert_cmpuint (row.bin_minutes, ==, 10); /* 5 min x 40 bins = 200 < 201 */
  g_assert_cmpuint (row.n_bins, ==, 21);
  g_assert_cmpuint (row.bins[0], ==, 1);
  g_assert_cmpuint (row.bins[6], ==, 1);
  g_assert_cmpuint (row.bins[20], ==, 1);
  /* a long capture's span still fits: 10 days at 10 bins is 1-day bins */
  gint64 d[] = { base, base + 10 * 86400 - 60 };
  g_assert_true (w4_timeline_bucket (d, 2, 10, &row));
  g_assert_cmpuint (row.bin_minutes, ==, 1440);
  g_assert_cmpuint (row.n_bins, <=, 10);
  g_assert_cmpuint (row.bins[0] + row.bins[row.n_bins - 1], ==, 2);
  /* max_bins beyond the array is clamped */
  gint64 w[] = { base, base + 100 * 60 };
  g_assert_true (w4_timeline_bucket (w, 2, 1000, &row));
  g_assert_cmpuint (row.n_bins, <=, W4_TIMELINE_MAX_BINS);
}

static void
test_timeline_backwards (void)
{
  /* a capture's clock steps back a little: first is the earliest, and the
   * earlier failure still lands in its own (first) bin */
  gint64 base = 1764309420;
  gint64 t[] = { base + 120, base + 130, base + 5 };
  W4TimelineRow row;

  g_assert_true (w4_timeline_bucket (t, G_N_ELEMENTS (t), 40, &row));
  g_assert_cmpint (row.first, ==, base + 5);
  g_assert_cmpint (row.last, ==, base + 130);
  g_assert_cmpuint (row.n_bins, ==, 3);
  g_assert_cmpuint (row.bins[0], ==, 1);
  g_assert_cmpuint (row.bins[1], ==, 0);
  g_assert_cmpuint (row.bins[2], ==, 2);
}

static W4Finding *
example_failure_at (const char *server, gint64 sec)
{
  W4Finding *f = example_failure ();

  g_free (f->server);
  f->server = g_strdup (server);
  f->time.sec = sec;
  return f;
}

static void
test_text_timeline (void)
{
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 80 };
  gint64 base = 1381844040; /* 2013-10-15T13:34:00Z */
  W4Finding *two[] = { example_failure_at ("10.0.0.2:80", base + 300),
                       example_failure_at ("10.0.0.1:80", base + 10),
                       example_failure_at ("10.0.0.1:80", base + 20),
                       example_failure_at ("10.0.0.1:80", base + 310), NULL };
  W4Finding *notes[] = { example_note (), NULL };
  g_autofree char *out = run_report (&opts, two, NULL);
  g_autofree char *quiet = run_report (&opts, notes, NULL);
  const char *sec, *a, *b;

  g_test_message ("%s", out);
  sec = strstr (out, "\n== Timeline ==\n");
  g_assert_nonnull (sec);
  g_assert_true (sec > strstr (out, "by server:")); /* after the summary */
  g_assert_true (sec < strstr (out, "== Failures")); /* before the groups */
  /* earliest server first; C locale: ASCII levels */
  a = strstr (out, "\n  10.0.0.1:80 (browserspy.dk)  13:34:10 - 13:39:10  #    :  "
                   "3 failures in 6 min\n");
  b = strstr (out, "\n  10.0.0.2:80 (browserspy.dk)  13:39:00 - 13:39:00  #  1 failure in 1 min\n");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (a < b);
  assert_fits (out, 80);
  g_assert_null (strstr (quiet, "Timeline")); /* no failures, no section */
}

static void
test_text_timeline_long (void)
{
  /* hours at a narrow width: bigger bins, named, and every line fits */
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 60 };
  gint64 base = 1381844040;
  W4Finding *f[] = { example_failure_at ("10.0.0.1:80", base),
                     example_failure_at ("10.0.0.1:80", base + 5 * 3600), NULL };
  g_autofree char *out = run_report (&opts, f, NULL);
  g_autofree char *flat = single_spaced (out);

  g_test_message ("%s", out);
  /* 301 minutes at 34 bins: 10-minute bins, the histogram on its own line */
  g_assert_nonnull (strstr (flat, "2 failures in 5 h 1 min, 1 column = 10 min"));
  g_assert_nonnull (strstr (out, "\n    #                             #\n"));
  assert_fits (out, 60);
}

static void
test_text_timeline_limit (void)
{
  /* beyond the findings limit a failure is counted, not in the timeline:
   * the section says so rather than showing a quiet end */
  W4ReportOptions opts = { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .width = 200,
                           .max_findings = 2 };
  gint64 base = 1381844040;
  W4Finding *f[] = { example_failure_at ("10.0.0.1:80", base),
                     example_failure_at ("10.0.0.1:80", base + 60),
                     example_failure_at ("10.0.0.1:80", base + 120), NULL };
  g_autofree char *out = run_report (&opts, f, NULL);

  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "2 failures in 2 min\n"));
  g_assert_nonnull (strstr (out, "  1 later failure beyond the findings limit is not in the "
                                 "timeline\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/text/wrap-wide-chars", test_text_wrap_wide_chars);
  g_test_add_func ("/report/ndjson/fields", test_ndjson_fields);
  g_test_add_func ("/report/ndjson/summary-last", test_ndjson_summary_last);
  g_test_add_func ("/report/ndjson/invalid-utf8", test_ndjson_invalid_utf8);
  g_test_add_func ("/report/ndjson/flushing", test_ndjson_flushing);
  g_test_add_func ("/report/held-lines-at-free", test_held_lines_at_free);
  g_test_add_func ("/report/json/cause-names-distinct", test_json_cause_names_distinct);
  g_test_add_func ("/report/json/document", test_json_document);
  g_test_add_func ("/report/json/streamed-as-jansson", test_json_streamed_as_jansson);
  g_test_add_func ("/report/json/limit", test_json_limit);
  g_test_add_func ("/report/text/groups", test_text_groups);
  g_test_add_func ("/report/text/history-tables", test_text_history_tables);
  g_test_add_func ("/report/json/history-fields", test_json_history_fields);
  g_test_add_func ("/report/text/all", test_text_all);
  g_test_add_func ("/report/text/width", test_text_width);
  g_test_add_func ("/report/text/columns", test_text_columns);
  g_test_add_func ("/report/text/stream", test_text_stream);
  g_test_add_func ("/report/text/more", test_text_more);
  g_test_add_func ("/report/text/files", test_text_files);
  g_test_add_func ("/report/text/control-chars", test_text_control_chars);
  g_test_add_func ("/report/text/not-inspected", test_text_not_inspected);
  g_test_add_func ("/report/text/bidi-chars", test_text_bidi_chars);
  g_test_add_func ("/report/text/tunnel-server", test_tunnel_server);
  g_test_add_func ("/report/text/own-fix", test_text_own_fix);
  g_test_add_func ("/report/timeline/one", test_timeline_one);
  g_test_add_func ("/report/timeline/none", test_timeline_none);
  g_test_add_func ("/report/timeline/one-minute", test_timeline_one_minute);
  g_test_add_func ("/report/timeline/minutes", test_timeline_minutes);
  g_test_add_func ("/report/timeline/hours", test_timeline_hours);
  g_test_add_func ("/report/timeline/backwards", test_timeline_backwards);
  g_test_add_func ("/report/text/timeline", test_text_timeline);
  g_test_add_func ("/report/text/timeline-long", test_text_timeline_long);
  g_test_add_func ("/report/text/timeline-limit", test_text_timeline_limit);
  g_test_add_func ("/report/text/budget-unshown", test_text_budget_unshown);
  g_test_add_func ("/report/text/budget-all", test_text_budget_all);
  g_test_add_func ("/report/text/budget-over-already", test_text_budget_over_already);
  return g_test_run ();
}
