/* test-correlate.c: the correlator engine fed with synthetic W4Sink events.
 *
 * Each case builds connections and HTTP heads by hand (test-fixture.h),
 * runs the engine, and asserts the exact kind, cause, related codes and the
 * key fields of what came out, in the order it came out. Here: the
 * handshake check, precedence across rule families, risks, infos, timing,
 * pairing, limits, files and filters; each rule family's own cases are in
 * test-rule-*.c. */
#include <string.h>

#include "test-fixture.h"
#include "track-credential.h"

/* What dissect's on_tls says of TLS on @c that was not decrypted. */
static void
fx_tls (Fx *fx, const W4ConnInfo *c, const char *sni, const char *alpn)
{
  W4TlsInfo tls = { 0 };

  tls.conn = c;
  tls.sni = sni;
  tls.alpn = alpn;
  fx->sink.on_tls (fx->sink.user, &tls);
}

/* What dissect's on_h2 says of HTTP/2 on @c that it does not parse. */
static void
fx_h2 (Fx *fx, const W4ConnInfo *c)
{
  W4H2Info h2 = { 0 };

  h2.conn = c;
  h2.how = W4_H2_PRIOR_KNOWLEDGE;
  fx->sink.on_h2 (fx->sink.user, &h2);
}

/* ---- limits: each table's own, each drop counted ------------------------- */

static guint warned[W4_LIMIT_COUNT];

static void
count_warned (void *user, const W4Anomaly *what)
{
  g_assert_cmpint (what->kind, ==, W4_ANOM_LIMIT);
  g_assert_cmpuint (what->limit, <, W4_LIMIT_COUNT);
  warned[what->limit]++;
}

/* A fixture whose limit @id is @n, the others their defaults; limit
 * warnings are counted in warned[]. */
static void
fx_init_limit (Fx *fx, W4LimitId id, guint64 n)
{
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, fx };

  fx_init (fx);
  w4_cor_free (fx->cor);
  w4_limits_init (&limits);
  limits.v[id] = n;
  fx->cor = w4_cor_new (&limits, &opts, &sink);
  fx->sink = w4_cor_sink (fx->cor);
  w4_cor_set_file_name (fx->cor, 0, "test.pcap");
  memset (warned, 0, sizeof warned);
  w4_cor_set_warn (fx->cor, count_warned, NULL);
}

/* After fx_finish: @id was hit @count times, warned once, one `limit`
 * info with that count, one summary.warnings line naming it; no other
 * limit was hit. */
static void
assert_limit_hit (Fx *fx, W4LimitId id, guint64 count)
{
  g_autofree char *flag = g_strdup_printf ("--limit %s=N", w4_limit_name (id));
  const W4Finding *info = NULL;
  guint lines = 0;

  for (guint i = 0; i < fx->out->len; i++) {
    const W4Finding *f = nth (fx, i);
    if (f->cause != W4_CAUSE_LIMIT)
      continue;
    g_assert_null (info);
    info = f;
  }
  g_assert_nonnull (info);
  g_assert_cmpuint (info->count, ==, count);
  g_assert_nonnull (strstr (info->summary, w4_limit_name (id)));
  for (guint i = 0; i < W4_LIMIT_COUNT; i++)
    g_assert_cmpuint (warned[i], ==, i == id ? 1 : 0);
  for (guint i = 0; i < fx->summary->warnings->len; i++)
    lines += strstr (g_ptr_array_index (fx->summary->warnings, i), flag) != NULL;
  g_assert_cmpuint (lines, ==, 1);
}

static guint
count_cause (Fx *fx, W4Cause cause)
{
  guint n = 0;

  for (guint i = 0; i < fx->out->len; i++)
    n += nth (fx, i)->cause == cause;
  return n;
}

/* One exchange on a new connection from @cip to @sip:80 answered @status. */
static void
one_exchange (Fx *fx, guint i, const char *cip, const char *sip, guint64 frame, double sec,
              const char *const *hdrs, guint status)
{
  W4ConnInfo *c = fx_conn (fx, i % G_N_ELEMENTS (fx->conn), cip, (guint16) (40000 + i), sip, 80);

  req (fx, c, frame, sec, "GET", "/x", hdrs);
  resp (fx, c, frame + 1, sec, status,
        status == 401 ? H ("WWW-Authenticate: Basic realm=\"x\"") : H ("Server: t"));
}

static void
test_limit_servers (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_SERVERS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.3", 3, 101, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 2, "10.0.0.1", "10.0.0.4", 5, 102, H (BASIC_TEST_OK), 200);
  fx_finish (&fx);
  g_assert_cmpuint (fx.summary->by_server->len, ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_SERVERS, 2);
  fx_clear (&fx);
}

static void
test_limit_principals (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_PRINCIPALS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.2", 3, 101, H (BASIC_BOB), 200);
  one_exchange (&fx, 2, "10.0.0.1", "10.0.0.2", 5, 102, H (BASIC_TEST_OK), 200);
  fx_finish (&fx);
  g_assert_cmpuint (fx.summary->by_principal->len, ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_PRINCIPALS, 1);
  fx_clear (&fx);
}

static void
test_limit_server_principals (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_SERVER_PRINCIPALS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.2", 3, 101, H (BASIC_BOB), 200);
  one_exchange (&fx, 2, "10.0.0.1", "10.0.0.3", 5, 102, H (BASIC_BOB), 200);
  fx_finish (&fx);
  /* the summary's own table is not this one: both principals are there */
  g_assert_cmpuint (fx.summary->by_principal->len, ==, 2);
  g_assert_cmpuint (g_hash_table_size (w4_cor_server_peek (fx.cor, "10.0.0.2:80")->principals), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_SERVER_PRINCIPALS, 1);
  fx_clear (&fx);
}

static void
test_limit_credentials (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_CREDENTIALS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.2", 3, 101, H (BASIC_BOB), 200);
  one_exchange (&fx, 2, "10.0.0.1", "10.0.0.2", 5, 102, H (BASIC_TEST_OK), 200);
  fx_finish (&fx);
  /* the least recently used history gives way: bob's to test's, then
   * test's to bob's (track-credential.c; test-track-credential.c) */
  g_assert_cmpuint (w4_cor_cred_history_size (fx.cor), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_CREDENTIALS, 2);
  fx_clear (&fx);
}

static void
test_limit_risk_groups (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_RISK_GROUPS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 1, "10.0.0.7", "10.0.0.2", 3, 101, H (BASIC_TEST_OK), 200);
  one_exchange (&fx, 2, "10.0.0.8", "10.0.0.2", 5, 102, H (BASIC_TEST_OK), 200);
  fx_finish (&fx);
  g_assert_cmpuint (count_cause (&fx, W4_CAUSE_CLEARTEXT_CREDENTIALS), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_RISK_GROUPS, 2);
  fx_clear (&fx);
}

static void
test_limit_retry_groups (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_RETRY_GROUPS, 1);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H (BASIC_TEST_WRONG), 401);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.2", 3, 101, H (BASIC_BOB), 401);
  one_exchange (&fx, 2, "10.0.0.1", "10.0.0.2", 5, 102, H (BASIC_TEST_WRONG), 401);
  fx_finish (&fx);
  g_assert_cmpuint (g_hash_table_size (fx.cor->storms), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_RETRY_GROUPS, 1);
  fx_clear (&fx);
}

static void
test_limit_gap_connections (void)
{
  Fx fx;
  W4Anomaly a = { .kind = W4_ANOM_GAP, .count = 10 };

  fx_init_limit (&fx, W4_LIMIT_GAP_CONNECTIONS, 1);
  for (guint i = 0; i < 3; i++) {
    a.conn = fx_conn (&fx, i, "10.0.0.1", (guint16) (40000 + i), "10.0.0.2", 80);
    a.frame = 10 + i;
    fx.sink.on_anomaly (fx.sink.user, &a);
    fx.sink.on_anomaly (fx.sink.user, &a);
  }
  fx_finish (&fx);
  g_assert_cmpuint (count_cause (&fx, W4_CAUSE_GAP), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_GAP_CONNECTIONS, 4);
  fx_clear (&fx);
}

static void
test_limit_tls_servers (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_TLS_SERVERS, 1);
  for (guint i = 0; i < 3; i++) {
    W4ConnInfo *c = fx_conn (&fx, i, "10.0.0.1", (guint16) (40000 + i), i ? "10.0.0.9" : "10.0.0.8",
                             443);
    fx_tls (&fx, c, NULL, NULL);
    fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 20 + i, t_at (100 + i));
  }
  fx_finish (&fx);
  g_assert_cmpuint (count_cause (&fx, W4_CAUSE_NOT_DECRYPTED), ==, 1);
  assert_limit_hit (&fx, W4_LIMIT_TLS_SERVERS, 2);
  fx_clear (&fx);
}

/* A flood of failures within the look-ahead: past the limit the oldest is
 * decided at once (and released), not held until its time comes. */
static void
test_limit_undecided (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_UNDECIDED, 2);
  for (guint i = 0; i < 5; i++)
    one_exchange (&fx, i, "10.0.0.1", "10.0.0.2", 1 + 2 * i, 100, H (BASIC_TEST_WRONG), 401);
  /* five failures in one second: three decided before their 30 s */
  g_assert_cmpuint (fx.out->len, ==, 3);
  g_assert_cmpuint (nth (&fx, 0)->response_frame, ==, 2);
  g_assert_cmpuint (nth (&fx, 2)->response_frame, ==, 6);
  fx_finish (&fx);
  g_assert_cmpuint (count_cause (&fx, W4_CAUSE_REJECTED_CREDENTIALS), ==, 5);
  assert_limit_hit (&fx, W4_LIMIT_UNDECIDED, 3);
  fx_clear (&fx);
}

static void
test_limit_body_waits (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init_limit (&fx, W4_LIMIT_BODY_WAITS, 1);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  for (guint i = 0; i < 3; i++) {
    req (&fx, c, 1 + 2 * i, 100, "GET", "/x", H (BASIC_TEST_WRONG));
    resp (&fx, c, 2 + 2 * i, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  }
  fx_finish (&fx);
  assert_limit_hit (&fx, W4_LIMIT_BODY_WAITS, 2);
  fx_clear (&fx);
}

static void
test_limit_request_credentials (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init_limit (&fx, W4_LIMIT_REQUEST_CREDENTIALS, 1);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/x", H (BASIC_TEST_OK, "Cookie: sid=1; PHPSESSID=2"));
  resp (&fx, c, 2, 100, 200, H ("Server: t"));
  fx_finish (&fx);
  /* Authorization kept, both session cookies counted as dropped */
  assert_limit_hit (&fx, W4_LIMIT_REQUEST_CREDENTIALS, 2);
  fx_clear (&fx);
}

static void
test_limit_files (void)
{
  Fx fx;

  fx_init_limit (&fx, W4_LIMIT_FILES, 2);
  w4_cor_set_file_name (fx.cor, 1, "b.pcap");
  w4_cor_set_file_name (fx.cor, 2, "c.pcap");
  w4_cor_set_file_name (fx.cor, 3, "d.pcap");
  g_assert_cmpstr (w4_cor_file_name (fx.cor, 1), ==, "b.pcap");
  g_assert_null (w4_cor_file_name (fx.cor, 2));
  fx_finish (&fx);
  assert_limit_hit (&fx, W4_LIMIT_FILES, 2);
  fx_clear (&fx);
}

/* summary.warnings keeps the first 100 warnings and counts the rest in
 * one more line; a limit's warning is kept even past them. */
static void
test_warnings_counted (void)
{
  Fx fx;
  W4Anomaly a = { .kind = W4_ANOM_WARNING, .limit = W4_LIMIT_COUNT, .message = "damaged record" };
  const char *last;

  fx_init_limit (&fx, W4_LIMIT_SERVERS, 1);
  for (guint i = 0; i < 105; i++)
    w4_cor_anomaly (fx.cor, &a);
  one_exchange (&fx, 0, "10.0.0.1", "10.0.0.2", 1, 100, H ("Server: x"), 200);
  one_exchange (&fx, 1, "10.0.0.1", "10.0.0.3", 3, 100, H ("Server: x"), 200);
  fx_finish (&fx);
  g_assert_cmpuint (fx.summary->warnings->len, ==, 102);
  g_assert_nonnull (strstr (g_ptr_array_index (fx.summary->warnings, 100), "--limit servers=N"));
  last = g_ptr_array_index (fx.summary->warnings, 101);
  g_assert_cmpstr (last, ==, "5 more warnings were not kept (the first 100 are above)");
  fx_clear (&fx);
}

/* Every limit has its own name, and names the command line accepts. */
static void
test_limit_names (void)
{
  W4Limits l;

  w4_limits_init (&l);
  for (guint i = 0; i < W4_LIMIT_COUNT; i++) {
    g_autofree char *set = g_strdup_printf ("%s=7", w4_limit_name (i));
    g_assert_cmpstr (w4_limit_name (i), !=, "unknown");
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr (w4_limit_name (i), !=, w4_limit_name (j));
    g_assert_cmpuint (l.v[i], >, 0);
    g_assert_true (w4_limits_set (&l, set));
    g_assert_cmpuint (l.v[i], ==, 7);
  }
}


/* ---- the contract's example ---------------------------------------------- */

static void
test_example (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;
  char buf[W4_TIME_STRLEN];

  fx_init (&fx);
  w4_cor_set_file_name (fx.cor, 0, "http-auth-401-basic.pcap");
  c = fx_conn (&fx, 0, "192.168.0.4", 54337, "192.254.189.169", 80);
  req (&fx, c, 4, 1381844050.402794, "GET", "/password-ok.php",
       H ("Host: browserspy.dk", BASIC_TEST_WRONG, "Cookie: __utma=1; __utmb=2"));
  resp (&fx, c, 6, 1381844050.802943, 401,
        H ("WWW-Authenticate: Basic realm=\"BrowserSpy.dk - HTTP Password Test\""));
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 2);
  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpuint (f->status, ==, 401);
  g_assert_cmpint (f->stream, ==, 0);
  g_assert_cmpstr (f->client, ==, "192.168.0.4:54337");
  g_assert_cmpstr (f->server, ==, "192.254.189.169:80");
  g_assert_cmpstr (f->method, ==, "GET");
  g_assert_cmpstr (f->uri, ==, "/password-ok.php");
  g_assert_cmpstr (f->host, ==, "browserspy.dk");
  g_assert_cmpuint (f->request_frame, ==, 4);
  g_assert_cmpuint (f->response_frame, ==, 6);
  g_assert_cmpstr (f->file, ==, "http-auth-401-basic.pcap");
  g_assert_cmpstr (f->request_file, ==, "http-auth-401-basic.pcap");
  g_assert_cmpstr (f->client_ip, ==, "192.168.0.4");
  g_assert_cmpint (f->client_port, ==, 54337);
  g_assert_cmpstr (f->server_ip, ==, "192.254.189.169");
  g_assert_cmpint (f->server_port, ==, 80);
  /* what tshark's communityid gives this connection of the corpus capture */
  g_assert_cmpstr (f->community_id, ==, "1:felaK/Nbs+Te6dboUot9Mbol0YI=");
  g_assert_false (f->tls);
  g_assert_null (f->sni);
  g_assert_cmpint (f->h2_stream, ==, -1);
  g_assert_cmpstr (w4_time_format_iso (f->time, buf, sizeof buf), ==, "2013-10-15T13:34:10.802943Z");
  g_assert_cmpstr (f->principal, ==, "test");
  g_assert_null (f->server_message);
  g_assert_cmpstr (f->summary, ==,
                   "The server rejected Basic credentials for user test; no request in this "
                   "capture succeeded with them, and no other user tried.");
  g_assert_cmpstr (f->fix, ==, "Check the user name and password; test with another account.");
  g_assert_cmpuint (f->evidence->len, ==, 2);
  g_assert_cmpstr (ev_what (f, 0), ==, "GET /password-ok.php with Authorization: Basic (user test)");
  g_assert_cmpstr (ev_what (f, 1), ==,
                   "401 with WWW-Authenticate: Basic realm=\"BrowserSpy.dk - HTTP Password Test\"");
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number in {4,6}");

  f = nth (&fx, 1);
  g_assert_cmpstr (w4_kind_name (f->kind), ==, "risk");
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "cleartext-credentials");
  g_assert_cmphex (f->related, ==, 0);
  g_assert_cmpuint (f->status, ==, 0);
  g_assert_cmpstr (f->client, ==, "192.168.0.4:54337");
  g_assert_cmpstr (f->uri, ==, "/password-ok.php");
  g_assert_cmpuint (f->request_frame, ==, 4);
  g_assert_cmpuint (f->response_frame, ==, 4);
  g_assert_cmpstr (w4_time_format_iso (f->time, buf, sizeof buf), ==, "2013-10-15T13:34:10.402794Z");
  g_assert_cmpstr (f->principal, ==, "test");
  g_assert_cmpstr (f->summary, ==, "1 request sent Basic credentials for user test over unencrypted HTTP.");
  g_assert_cmpstr (f->fix, ==, "Use https for anything that carries credentials.");
  g_assert_cmpstr (ev_what (f, 0), ==, "Authorization: Basic over TCP port 80, no TLS");
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number == 4");
  g_assert_cmpuint (f->count, ==, 1);

  g_assert_cmpuint (fx.summary->http_requests, ==, 1);
  g_assert_cmpuint (fx.summary->http_responses, ==, 1);
  g_assert_cmpuint (fx.summary->failed_responses, ==, 1);
  g_assert_cmpuint (fx.summary->by_cause[W4_CAUSE_REJECTED_CREDENTIALS], ==, 1);
  g_assert_cmpuint (fx.summary->by_server->len, ==, 1);
  {
    W4ServerStat *s = g_ptr_array_index (fx.summary->by_server, 0);
    W4PrincipalStat *p = g_ptr_array_index (fx.summary->by_principal, 0);
    g_assert_cmpstr (s->server, ==, "192.254.189.169:80");
    g_assert_cmpstr (s->host, ==, "browserspy.dk");
    g_assert_cmpuint (s->failed, ==, 1);
    g_assert_cmpuint (s->total, ==, 1);
    g_assert_cmpstr (s->schemes, ==, "Basic");
    g_assert_cmpstr (p->principal, ==, "test");
    g_assert_cmpuint (p->failed, ==, 1);
    g_assert_cmpuint (p->succeeded, ==, 0);
  }
  fx_clear (&fx);
}

/* ---- the handshake check ------------------------------------------------- */

static void
test_note_challenge (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/secret", H ("Host: a"));
  resp (&fx, c, 2, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  /* The retry comes on another connection of the same client IP, and gets
   * 404: authentication passed even though the request then failed. */
  c = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, c, 3, 101, "GET", "/secret", H ("Host: a", BASIC_TEST_OK));
  resp (&fx, c, 4, 101.1, 404, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  g_assert_cmpstr (w4_kind_name (f->kind), ==, "note");
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "challenge");
  g_assert_cmphex (f->related, ==, 0);
  g_assert_true (has_evidence (f, 3));
  g_assert_true (has_evidence (f, 4));
  g_assert_cmpstr (f->wireshark_filter, ==, "frame.number in {1,2,3,4}");
  g_assert_cmpuint (fx.summary->by_cause[W4_CAUSE_CHALLENGE], ==, 1);
  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 0);
  fx_clear (&fx);
}

static void
test_note_needs_retry_in_30s (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/secret", NULL);
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 3, 131, "GET", "/secret", H (BASIC_TEST_OK));
  resp (&fx, c, 4, 131, 200, NULL);
  fx_finish (&fx);
  assert_failure (nth (&fx, 0), W4_CAUSE_NO_CREDENTIALS, 0);
  fx_clear (&fx);
}

/* ---- one cause each ------------------------------------------------------ */

static void
test_missing_challenge (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H (BASIC_TEST_WRONG));
  resp (&fx, c, 2, 100, 401, NULL);
  req (&fx, c, 3, 101, "GET", "/b", NULL);
  resp (&fx, c, 4, 101, 403, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_REJECTED_CREDENTIALS, BIT (W4_CAUSE_MISSING_CHALLENGE));
  g_assert_cmpstr (ev_what (nth (&fx, 0), 1), ==, "401 without WWW-Authenticate");
  /* A 403 needs no challenge, and never says no-credentials. */
  assert_failure (nth (&fx, 1), W4_CAUSE_FORBIDDEN, 0);
  fx_clear (&fx);
}

static void
test_cors_expired_stale (void)
{
  Fx fx;
  W4ConnInfo *c;
  /* {"alg":"none"}.{"sub":"alice","exp":1000}. */
  const char *jwt = "Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6MTAwMH0.c2ln";

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "OPTIONS", "/api", H ("Access-Control-Request-Method: GET"));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Bearer"));
  req (&fx, c, 3, 2000, "GET", "/api", H (jwt));
  resp (&fx, c, 4, 2000, 401, H ("WWW-Authenticate: Bearer"));
  req (&fx, c, 5, 2001, "GET", "/d", H ("Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/d\", response=\"0123\""));
  resp (&fx, c, 6, 2001, 401, H ("WWW-Authenticate: Digest realm=\"r\", nonce=\"m\", stale=true"));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_CORS_PREFLIGHT, BIT (W4_CAUSE_NO_CREDENTIALS));
  assert_failure (nth (&fx, 1), W4_CAUSE_EXPIRED_TOKEN, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (nth (&fx, 1)->principal, ==, "alice");
  /* stale=true says the digest itself was right (RFC 7616 3.3): the
   * credentials were not rejected, only the nonce had aged. */
  assert_failure (nth (&fx, 2), W4_CAUSE_STALE_NONCE, 0);
  fx_clear (&fx);
}

/* ---- risks and infos ----------------------------------------------------- */

static void
test_retry_storm (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  for (guint i = 0; i < 5; i++) {
    req (&fx, c, 1 + 2 * i, 100 + 10 * i, "GET", "/x", H (BASIC_TEST_WRONG));
    resp (&fx, c, 2 + 2 * i, 100 + 10 * i, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  }
  fx_finish (&fx);

  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 5);
  g_assert_cmpuint (count_kind (&fx, W4_KIND_RISK), ==, 2);
  f = nth (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "retry-storm");
  g_assert_cmpuint (f->count, ==, 5);
  g_assert_cmpstr (f->principal, ==, "test");
  g_assert_cmpstr (f->wireshark_filter, ==, "frame.number in {1,3,5,7,9}");
  fx_clear (&fx);

  /* Five rejections spread over more than 60 s are no storm. */
  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  for (guint i = 0; i < 5; i++) {
    req (&fx, c, 1 + 2 * i, 100 + 20 * i, "GET", "/x", H (BASIC_TEST_WRONG));
    resp (&fx, c, 2 + 2 * i, 100 + 20 * i, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  }
  fx_finish (&fx);
  g_assert_cmpuint (count_kind (&fx, W4_KIND_RISK), ==, 1);
  fx_clear (&fx);
}

/* A Basic header that cannot be parsed names no user: beside one that
 * names alice, the risk is still alice's, not "several users"; alone it
 * says the credentials could not be parsed. */
static void
test_cleartext_malformed_names_no_one (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;
  guint risks = 0;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/x", H ("Authorization: Basic not-base64!"));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"r\""));
  req (&fx, c, 3, 101, "GET", "/x", H ("Authorization: Basic YWxpY2U6c2VjcmV0"));
  resp (&fx, c, 4, 101, 200, NULL);
  c = fx_conn (&fx, 1, "10.0.0.3", 40000, "10.0.0.2", 80);
  req (&fx, c, 5, 102, "GET", "/x", H ("Authorization: Basic %%%"));
  resp (&fx, c, 6, 102, 401, H ("WWW-Authenticate: Basic realm=\"r\""));
  fx_finish (&fx);

  for (guint i = 0; i < fx.out->len; i++) {
    f = nth (&fx, i);
    if (f->cause != W4_CAUSE_CLEARTEXT_CREDENTIALS)
      continue;
    risks++;
    if (g_str_has_prefix (f->client, "10.0.0.1")) {
      g_assert_cmpstr (f->summary, ==,
                       "2 requests sent Basic credentials for user alice over unencrypted HTTP.");
      g_assert_cmpstr (f->principal, ==, "alice");
    } else {
      g_assert_cmpstr (f->summary, ==, "1 request sent Basic credentials that cannot be parsed "
                                       "over unencrypted HTTP.");
      g_assert_null (f->principal);
    }
  }
  g_assert_cmpuint (risks, ==, 2);
  fx_clear (&fx);
}

static void
test_cleartext_counts (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  for (guint i = 0; i < 3; i++) {
    req (&fx, c, 1 + 2 * i, 100 + i, "GET", "/x", H (BASIC_TEST_OK, "X-API-Key: k123"));
    resp (&fx, c, 2 + 2 * i, 100 + i, 200, NULL);
  }
  /* Decrypted TLS is no cleartext. */
  c = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 443);
  c->layer = W4_LAYER_TLS;
  req (&fx, c, 20, 110, "GET", "/x", H (BASIC_TEST_OK));
  resp (&fx, c, 21, 110, 200, NULL);
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 2);
  f = nth (&fx, 0);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "cleartext-credentials");
  g_assert_cmpstr (f->scheme, ==, w4_auth_scheme_name (W4_SCHEME_APIKEY));
  g_assert_cmpuint (f->count, ==, 3);
  f = nth (&fx, 1);
  g_assert_cmpstr (f->scheme, ==, "Basic");
  g_assert_cmpuint (f->count, ==, 3);
  g_assert_cmpstr (f->summary, ==, "3 requests sent Basic credentials for user test over unencrypted HTTP.");
  g_assert_cmpuint (f->response_frame, ==, 1);
  fx_clear (&fx);
}

static void
test_infos (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Anomaly a = { 0 };

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  a.kind = W4_ANOM_GAP;
  a.conn = c;
  a.frame = 7;
  a.count = 100;
  fx.sink.on_anomaly (fx.sink.user, &a);
  a.frame = 9;
  a.count = 50;
  fx.sink.on_anomaly (fx.sink.user, &a);
  c = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.5", 443);
  fx_tls (&fx, c, NULL, NULL);
  fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 30, t_at (100));
  memset (&a, 0, sizeof a);
  a.kind = W4_ANOM_LIMIT;
  a.limit = W4_LIMIT_FLOWS;
  a.frame = 11;
  fx.sink.on_anomaly (fx.sink.user, &a);
  fx.sink.on_anomaly (fx.sink.user, &a);
  a.kind = W4_ANOM_WARNING;
  a.message = "test.pcap: damaged record at frame 12";
  w4_cor_anomaly (fx.cor, &a);
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 3);
  g_assert_cmpstr (w4_cause_name (nth (&fx, 0)->cause), ==, "not-decrypted");
  g_assert_cmpstr (nth (&fx, 0)->wireshark_filter, ==, "ip.addr == 10.0.0.5 && tcp.port == 443");
  g_assert_cmpstr (w4_cause_name (nth (&fx, 1)->cause), ==, "gap");
  g_assert_cmpuint (nth (&fx, 1)->response_frame, ==, 7);
  g_assert_nonnull (strstr (nth (&fx, 1)->summary, "150 bytes"));
  g_assert_cmpstr (w4_cause_name (nth (&fx, 2)->cause), ==, "limit");
  g_assert_cmpuint (nth (&fx, 2)->count, ==, 2);
  g_assert_cmpstr (w4_kind_name (nth (&fx, 2)->kind), ==, "info");
  /* the damaged record, and the flows limit once although hit twice */
  g_assert_cmpuint (fx.summary->warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (fx.summary->warnings, 0), "--limit flows=N"));
  fx_clear (&fx);
}

/* not-decrypted, one per server: the first server name is kept (a later
 * different one is only noted), ALPN h2 is counted, and the fix names
 * nothing why401 does not have. */
static void
test_not_decrypted_sni (void)
{
  Fx fx;
  W4ConnInfo *c;
  const W4Finding *f;

  fx_init (&fx);
  for (guint i = 0; i < 3; i++) {
    c = fx_conn (&fx, i, "10.0.0.1", (guint16) (40000 + i), "10.0.0.5", 443);
    fx_tls (&fx, c, i == 0 ? NULL : i == 1 ? "api.example.com" : "www.example.com",
            i == 2 ? "h2,http/1.1" : "http/1.1");
    fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 30 + i, t_at (100 + i));
  }
  c = fx_conn (&fx, 3, "10.0.0.1", 40010, "10.0.0.6", 443);
  fx_tls (&fx, c, "one.example.com", "h2");
  fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 40, t_at (110));
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 2);
  f = nth (&fx, 0);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "not-decrypted");
  g_assert_cmpstr (f->summary, ==,
                   "TLS to 10.0.0.5:443 (SNI api.example.com and others): 3 connections, not "
                   "decrypted, 1 of them offered HTTP/2 (ALPN h2): a 401, 407 or 403 inside "
                   "cannot be seen.");
  g_assert_cmpuint (f->count, ==, 3);
  g_assert_null (strstr (f->fix, "give them to why401"));
  g_assert_nonnull (strstr (f->fix, "--keylog FILE"));
  f = nth (&fx, 1);
  g_assert_cmpstr (f->summary, ==,
                   "TLS to 10.0.0.6:443 (SNI one.example.com): 1 connection, not decrypted, the "
                   "client offered HTTP/2 (ALPN h2): a 401, 407 or 403 inside cannot be seen.");
  fx_clear (&fx);
}

/* HTTP/2 that was not parsed: one not-parsed info per server and a
 * warning, so "nothing failed" is never claimed silently. */
static void
test_not_parsed_h2 (void)
{
  Fx fx;
  W4ConnInfo *c;
  const W4Finding *f;

  fx_init (&fx);
  for (guint i = 0; i < 2; i++) {
    c = fx_conn (&fx, i, "10.0.0.1", (guint16) (40000 + i), "10.0.0.7", 8080);
    fx_h2 (&fx, c);
    fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 20 + i, t_at (100 + i));
  }
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 1);
  f = nth (&fx, 0);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "not-parsed");
  g_assert_cmpstr (w4_kind_name (f->kind), ==, "info");
  g_assert_cmpuint (f->count, ==, 2);
  g_assert_cmpstr (f->summary, ==,
                   "HTTP/2 on 2 connections to 10.0.0.7:8080 was not parsed: failures inside it "
                   "are not reported (why401 reads HTTP/1 only so far).");
  g_assert_cmpstr (f->wireshark_filter, ==, "ip.addr == 10.0.0.7 && tcp.port == 8080");
  g_assert_cmpuint (fx.summary->warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx.summary->warnings, 0), ==,
                   "HTTP/2 on 2 connections to 10.0.0.7:8080 was not parsed: 401, 407 and 403 "
                   "responses inside it are not reported");
  fx_clear (&fx);
}

/* More HTTP/2 servers than their limit allows: the ones left out are
 * counted as a limit info, not dropped silently. */
static void
test_uninspected_over_limit (void)
{
  Fx fx;
  W4Limits lim;
  W4CorrelateOptions opts = { .decide_after_sec = 30 };
  W4FindingSink fsink;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&lim);
  lim.v[W4_LIMIT_H2_SERVERS] = 1;
  fsink.on_finding = on_finding;
  fsink.user = &fx;
  fx.cor = w4_cor_new (&lim, &opts, &fsink);
  fx.sink = w4_cor_sink (fx.cor);
  for (guint i = 0; i < 2; i++) {
    W4ConnInfo *c = fx_conn (&fx, i, "10.0.0.1", (guint16) (40000 + i), i ? "10.0.0.9" : "10.0.0.8",
                             443);
    fx_h2 (&fx, c);
    fx.sink.on_conn_close (fx.sink.user, c, W4_CLOSE_FIN, 20 + i, t_at (100 + i));
  }
  fx_finish (&fx);
  g_assert_cmpuint (fx.out->len, ==, 2);
  g_assert_cmpstr (w4_cause_name (nth (&fx, 0)->cause), ==, "not-parsed");
  g_assert_cmpstr (w4_cause_name (nth (&fx, 1)->cause), ==, "limit");
  g_assert_nonnull (strstr (nth (&fx, 1)->summary, "h2-servers"));
  g_assert_cmpuint (nth (&fx, 1)->count, ==, 1);
  fx_clear (&fx);
}

/* ---- timing, ordering, pairing ------------------------------------------- */

static void
test_timing (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", NULL);
  resp (&fx, c, 2, 100.5, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  w4_cor_time (fx.cor, t_at (130.4));
  g_assert_cmpuint (fx.out->len, ==, 0);
  w4_cor_time (fx.cor, t_at (130.5));
  g_assert_cmpuint (fx.out->len, ==, 1);
  assert_failure (nth (&fx, 0), W4_CAUSE_NO_CREDENTIALS, 0);
  fx_finish (&fx);
  g_assert_cmpuint (fx.out->len, ==, 1);
  fx_clear (&fx);
}

/* A finding waits for undecided ones earlier in response order, never for
 * later ones. */
static void
test_ordering (void)
{
  Fx fx;
  W4ConnInfo *c0, *c1;
  W4HttpHead h = { 0 };

  fx_init (&fx);
  c0 = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  c1 = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, c0, 1, 100, "GET", "/late-header", NULL);
  req (&fx, c1, 2, 100, "GET", "/quick", NULL);
  /* c1's 401 at frame 10 completes first; c0's 401 started at frame 8 but
   * its header block completed only at frame 12, 5 s later. */
  resp (&fx, c1, 10, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  h.conn = c0;
  h.dir = W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_1;
  h.first_frame = 8;
  h.last_frame = 12;
  h.first_ts = t_at (100.5);
  h.last_ts = t_at (106);
  h.status = 401;
  deliver (&fx, &h, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c1, 13, 107, "GET", "/third", NULL);
  resp (&fx, c1, 14, 107, 401, H ("WWW-Authenticate: Basic realm=\"x\""));

  w4_cor_time (fx.cor, t_at (132));
  g_assert_cmpuint (fx.out->len, ==, 0);    /* frame 10 is decided, but 8 is not */
  w4_cor_time (fx.cor, t_at (136.5));
  g_assert_cmpuint (fx.out->len, ==, 2);    /* 8 then 10; 14 is not due */
  g_assert_cmpuint (nth (&fx, 0)->response_frame, ==, 8);
  g_assert_cmpstr (nth (&fx, 0)->uri, ==, "/late-header");
  g_assert_cmpuint (nth (&fx, 1)->response_frame, ==, 10);
  g_assert_cmpstr (nth (&fx, 1)->uri, ==, "/quick");
  fx_finish (&fx);
  g_assert_cmpuint (fx.out->len, ==, 3);
  g_assert_cmpuint (nth (&fx, 2)->response_frame, ==, 14);
  fx_clear (&fx);
}

static void
test_pairing (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4HttpHead h = { 0 };
  W4HttpBody b = { 0 };
  const char *json = "{\"error\": \"token revoked\"}";

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  /* Pipelined: two requests, a 100 Continue, then their answers in order. */
  req (&fx, c, 1, 100, "GET", "/one", NULL);
  req (&fx, c, 2, 100, "GET", "/two", H (BASIC_TEST_OK));
  resp (&fx, c, 3, 100, 100, NULL);
  resp (&fx, c, 4, 100, 200, NULL);
  resp (&fx, c, 5, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\"",
                                "Content-Type: application/json"));
  b.conn = c;
  b.dir = W4_DIR_TO_CLIENT;
  b.seq = 0;
  b.prefix = w4_span (json, strlen (json));
  b.complete = TRUE;
  fx.sink.on_body (fx.sink.user, &b);

  /* HTTP/2: answers out of order, by stream id. */
  c = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 443);
  c->layer = W4_LAYER_TLS;
  for (guint32 sid = 1; sid <= 3; sid += 2) {
    char *path = g_strdup_printf ("/h2/%u", sid);
    memset (&h, 0, sizeof h);
    h.conn = c;
    h.dir = W4_DIR_TO_SERVER;
    h.proto = W4_HTTP_2;
    h.h2_stream = sid;
    h.first_frame = h.last_frame = 10 + sid;
    h.first_ts = h.last_ts = t_at (100);
    h.method = w4_span ("GET", 3);
    h.target = w4_span (path, strlen (path));
    deliver (&fx, &h, H ("Host: h2.example"));
    g_free (path);
  }
  memset (&h, 0, sizeof h);
  h.conn = c;
  h.dir = W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_2;
  h.h2_stream = 3;
  h.first_frame = h.last_frame = 20;
  h.first_ts = h.last_ts = t_at (100);
  h.status = 403;
  deliver (&fx, &h, NULL);
  fx_finish (&fx);

  g_assert_cmpuint (fx.out->len, ==, 3);   /* and the cleartext risk */
  g_assert_cmpstr (nth (&fx, 0)->uri, ==, "/two");
  g_assert_cmpstr (nth (&fx, 0)->server_message, ==, "token revoked");
  g_assert_cmpstr (nth (&fx, 1)->uri, ==, "/h2/3");
  g_assert_cmpstr (nth (&fx, 1)->host, ==, "h2.example");
  assert_failure (nth (&fx, 1), W4_CAUSE_FORBIDDEN, 0);
  g_assert_cmpuint (fx.summary->http_responses, ==, 3);
  fx_clear (&fx);
}

/* h2c (RFC 7540 3.2): the HTTP/1 request that asked for the upgrade is
 * HTTP/2's stream 1; its 101 is interim, and the 401 on stream 1 answers
 * it (h2_stream 1 in the finding). Stream 3 pairs by its id as usual. */
static void
test_h2c_upgrade_pairs_stream_1 (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4HttpHead h = { 0 };

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 4, 100, "GET", "/upgraded", H ("Host: up.example", "Upgrade: h2c"));
  h.conn = c;
  h.dir = W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_1;
  h.http_major = h.http_minor = 1;
  h.first_frame = h.last_frame = 6;
  h.first_ts = h.last_ts = t_at (100);
  h.status = 101;
  h.interim = TRUE;
  deliver (&fx, &h, H ("Upgrade: h2c"));
  memset (&h, 0, sizeof h);
  h.conn = c;
  h.dir = W4_DIR_TO_SERVER;
  h.proto = W4_HTTP_2;
  h.http_major = 2;
  h.h2_stream = 3;
  h.first_frame = h.last_frame = 8;
  h.first_ts = h.last_ts = t_at (100);
  h.method = w4_span ("GET", 3);
  h.target = w4_span ("/three", 6);
  deliver (&fx, &h, H ("Host: up.example"));
  for (guint32 i = 0, sid = 3; i < 2; i++, sid -= 2) {
    memset (&h, 0, sizeof h);
    h.conn = c;
    h.dir = W4_DIR_TO_CLIENT;
    h.proto = W4_HTTP_2;
    h.http_major = 2;
    h.h2_stream = sid;
    h.seq = sid == 3 ? 0 : 1;
    h.first_frame = h.last_frame = 10 + sid;
    h.first_ts = h.last_ts = t_at (100);
    h.status = sid == 1 ? 401 : 403;
    deliver (&fx, &h, sid == 1 ? H ("WWW-Authenticate: Basic realm=\"x\"") : NULL);
  }
  fx_finish (&fx);

  g_assert_cmpuint (fx.summary->http_requests, ==, 2);
  g_assert_cmpuint (fx.summary->http_responses, ==, 2);
  g_assert_cmpuint (fx.out->len, >=, 2);
  for (guint i = 0; i < 2; i++) {
    W4Finding *f = nth (&fx, i);
    g_assert_cmpint (f->h2_stream, ==, f->status == 401 ? 1 : 3);
    g_assert_cmpstr (f->uri, ==, f->status == 401 ? "/upgraded" : "/three");
    g_assert_cmpuint (f->request_frame, ==, f->status == 401 ? 4 : 8);
  }
  fx_clear (&fx);
}

/* An HTTP/2 request whose block lacks :method and :path (malformed, or
 * the pseudo-headers cut by h2-decoded-bytes) is still a captured request
 * with its credentials: it reads as "? ?", the report's word for what is
 * not known, not as "(null) (null)" nor as a request not captured. */
static void
test_h2_request_without_pseudo_headers (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4HttpHead h = { 0 };
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  h.conn = c;
  h.dir = W4_DIR_TO_SERVER;
  h.proto = W4_HTTP_2;
  h.http_major = 2;
  h.h2_stream = 1;
  h.first_frame = h.last_frame = 7;
  h.first_ts = h.last_ts = t_at (100);
  deliver (&fx, &h, H (BASIC_TEST_OK));
  memset (&h, 0, sizeof h);
  h.conn = c;
  h.dir = W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_2;
  h.http_major = 2;
  h.h2_stream = 1;
  h.first_frame = h.last_frame = 8;
  h.first_ts = h.last_ts = t_at (100);
  h.status = 401;
  deliver (&fx, &h, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  g_assert_cmpuint (f->status, ==, 401);
  g_assert_cmpuint (f->request_frame, ==, 7);
  g_assert_cmpstr (f->method, ==, "?");
  g_assert_cmpstr (f->uri, ==, "?");
  for (guint i = 0; i < f->evidence->len; i++)
    g_assert_null (strstr (ev_what (f, i), "(null)"));
  fx_clear (&fx);
}

static void
test_pending_limit (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Limits limits;
  W4CorrelateOptions opts = { .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_PENDING_REQ] = 4;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  for (guint i = 0; i < 10; i++)
    req (&fx, c, 1 + i, 100, "GET", "/x", NULL);
  fx_finish (&fx);
  g_assert_cmpuint (fx.out->len, ==, 1);
  g_assert_cmpstr (w4_cause_name (nth (&fx, 0)->cause), ==, "limit");
  g_assert_cmpuint (nth (&fx, 0)->count, ==, 6);
  fx_clear (&fx);
}

/* A challenge's retry past the retry-scan bound is not seen: the 401 is a
 * failure then, and the limit info says the look was cut; within the
 * bound it is the challenge step it was. (The bound was a define whose
 * cuts were silent.) */
static void
test_retry_scan_limit (void)
{
  for (int small = 0; small < 2; small++) {
    Fx fx;
    W4ConnInfo *c, *other;
    W4Limits limits;
    W4CorrelateOptions opts = { .decide_after_sec = 30 };
    W4FindingSink sink = { on_finding, &fx };
    guint limit_infos = 0, notes = 0;

    fx_init (&fx);
    w4_cor_free (fx.cor);
    w4_limits_init (&limits);
    if (small)
      limits.v[W4_LIMIT_RETRY_SCAN] = 3;
    fx.cor = w4_cor_new (&limits, &opts, &sink);
    fx.sink = w4_cor_sink (fx.cor);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    other = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "GET", "/a", NULL);
    resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"r\""));
    /* five other requests of the same client come first */
    for (guint i = 0; i < 5; i++) {
      req (&fx, other, 3 + 2 * i, 100.1 + i * 0.1, "GET", "/other", H (BASIC_TEST_OK));
      resp (&fx, other, 4 + 2 * i, 100.1 + i * 0.1, 200, NULL);
    }
    req (&fx, c, 20, 101, "GET", "/a", H (BASIC_TEST_OK));
    resp (&fx, c, 21, 101, 200, NULL);
    fx_finish (&fx);

    for (guint i = 0; i < fx.out->len; i++) {
      const W4Finding *f = nth (&fx, i);
      if (f->cause == W4_CAUSE_LIMIT && strstr (f->summary, "retry-scan") != NULL)
        limit_infos++;
      if (f->cause == W4_CAUSE_CHALLENGE && f->response_frame == 2)
        notes++;
    }
    g_assert_cmpuint (notes, ==, small ? 0 : 1);
    g_assert_cmpuint (limit_infos, ==, small ? 1 : 0);
    fx_clear (&fx);
  }
}

/* With a budget far too small for a flood of failures inside the
 * look-ahead, enforcing it between messages decides the oldest early
 * (counted by the budget, their findings out before the end), every
 * failure still gets its finding, and freeing the correlator releases
 * everything it charged. */
static void
test_budget_decides_early (void)
{
  Fx fx;
  W4Limits limits;
  W4Budget budget;
  W4CorrelateOptions opts = { .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  guint before_end, rejected = 0, early = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_budget_init (&budget, 16 * 1024);
  w4_limits_init (&limits);
  limits.budget = &budget;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  for (guint i = 0; i < 200; i++) {
    W4ConnInfo *c = fx_conn (&fx, i % 8, "10.0.0.1", 40000 + i % 8, "10.0.0.2", 80);

    req (&fx, c, 1 + 2 * i, 100 + i * 0.01, "GET", "/x", H (BASIC_TEST_WRONG));
    resp (&fx, c, 2 + 2 * i, 100 + i * 0.01, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
    g_assert_cmpuint (budget.by_kind[W4_MEM_EXCHANGES], >, 0);
    w4_budget_enforce (&budget);
  }
  g_assert_cmpuint (budget.evicted[W4_EVICT_DECIDED_EARLY], >, 0);
  before_end = fx.out->len;
  g_assert_cmpuint (before_end, >, 0);
  g_assert_cmpuint (budget.used, <=, budget.max);
  fx_finish (&fx);
  for (guint i = 0; i < fx.out->len; i++) {
    rejected += nth (&fx, i)->cause == W4_CAUSE_REJECTED_CREDENTIALS;
    /* the ones out before the end were decided early, and say so; the
     * last ones waited for the end of input as usual */
    early += nth (&fx, i)->decided_early;
  }
  g_assert_cmpuint (rejected, ==, 200);
  g_assert_cmpuint (early, ==, budget.evicted[W4_EVICT_DECIDED_EARLY]);
  g_assert_cmpuint (early, <, 200);
  g_assert_cmpuint (budget.by_kind[W4_MEM_AGGREGATES], >, 0);
  fx_clear (&fx);
  g_assert_cmpuint (budget.used, ==, 0);
  for (guint k = 0; k < W4_MEM_KINDS; k++)
    g_assert_cmpuint (budget.by_kind[k], ==, 0);
}

/* A request that lost authentication fields to a cap: nothing may be
 * concluded from what is missing (no-credentials here), and the finding
 * says what was cut. Only ordinary fields cut: the rules conclude. */
static void
test_header_cut (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req_cut (&fx, c, 4, 100, "GET", "/a", H ("Host: x"), W4_HEAD_CUT_ORDINARY | W4_HEAD_CUT_AUTH,
           200000);
  resp (&fx, c, 6, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  c = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req_cut (&fx, c, 8, 100, "GET", "/b", H ("Host: x", BASIC_TEST_WRONG), W4_HEAD_CUT_ORDINARY,
           71680);
  resp (&fx, c, 10, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_UNEXPLAINED, 0);
  g_assert_nonnull (strstr (f->summary, "header block was 195 KiB"));
  g_assert_nonnull (strstr (f->summary, "auth-header-bytes"));
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->principal, ==, "test");
  g_assert_nonnull (strstr (f->summary, "header block was 70 KiB"));
  g_assert_nonnull (strstr (f->summary, "every authentication field was"));
  fx_clear (&fx);
}

/* A message dissect gave up on is counted, and the warning names the
 * first one's frame: no finding covers it. */
static void
test_unparsed (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Anomaly a = { 0 };
  const char *w;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  a.kind = W4_ANOM_HTTP_ERROR;
  a.conn = c;
  a.frame = 4;
  a.message = "HTTP/1 parse error (HPE_INVALID_HEADER_TOKEN): Invalid header token";
  fx.sink.on_anomaly (fx.sink.user, &a);
  a.frame = 9;
  fx.sink.on_anomaly (fx.sink.user, &a);
  fx_finish (&fx);
  g_assert_cmpuint (fx.summary->http_unparsed, ==, 2);
  g_assert_cmpuint (fx.summary->warnings->len, ==, 1);
  w = g_ptr_array_index (fx.summary->warnings, 0);
  g_assert_nonnull (strstr (w, "2 HTTP messages could not be parsed"));
  g_assert_nonnull (strstr (w, "first in frame 4 of test.pcap"));
  g_assert_nonnull (strstr (w, "HPE_INVALID_HEADER_TOKEN"));
  fx_clear (&fx);

  /* the 401 to such a request names it, rather than "not captured" */
  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  a.frame = 4;
  fx.sink.on_anomaly (fx.sink.user, &a);
  resp (&fx, c, 6, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);
  g_assert_cmpstr (w4_cause_name (nth (&fx, 0)->cause), ==, "unexplained");
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "could not be parsed (frame 4"));
  g_assert_cmpuint (((W4Evidence *) g_ptr_array_index (nth (&fx, 0)->evidence, 0))->frame, ==, 4);
  fx_clear (&fx);
}

static void
count_warn (void *user, const W4Anomaly *what)
{
  guint *per_limit = user;

  g_assert_cmpint (what->kind, ==, W4_ANOM_LIMIT);
  per_limit[what->limit]++;
}

/* The correlator's own limits (clients, exchanges) reach the warn function
 * and summary.warnings once each, as the other stages' limits do. */
static void
test_limit_warnings (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  guint per_limit[W4_LIMIT_COUNT] = { 0 };
  gboolean clients = FALSE, exchanges = FALSE;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_CLIENTS] = 1;
  limits.v[W4_LIMIT_EXCHANGES] = 2;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_warn (fx.cor, count_warn, per_limit);
  /* one client's three exchanges, then two more clients */
  for (guint i = 0; i < 5; i++) {
    char ip[32];
    W4ConnInfo *c;
    g_snprintf (ip, sizeof ip, "10.0.0.%u", i < 3 ? 10 : 10 + i);
    c = fx_conn (&fx, i, ip, 40000, "10.0.0.2", 80);
    req (&fx, c, 1 + 2 * i, 100, "GET", "/x", NULL);
    resp (&fx, c, 2 + 2 * i, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  }
  fx_finish (&fx);
  g_assert_cmpuint (per_limit[W4_LIMIT_CLIENTS], ==, 1);
  g_assert_cmpuint (per_limit[W4_LIMIT_EXCHANGES], ==, 1);
  for (guint i = 0; i < fx.summary->warnings->len; i++) {
    const char *w = g_ptr_array_index (fx.summary->warnings, i);
    clients |= strstr (w, "--limit clients=N") != NULL;
    exchanges |= strstr (w, "--limit exchanges=N") != NULL;
  }
  g_assert_true (clients);
  g_assert_true (exchanges);
  fx_clear (&fx);
}

static void
test_redaction (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/cb?code=SECRETCODE&x=1", H (BASIC_TEST_WRONG));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);
  for (guint i = 0; i < fx.out->len; i++) {
    f = nth (&fx, i);
    g_assert_null (strstr (f->uri, "SECRETCODE"));
    g_assert_null (strstr (f->summary, "wrong"));
    for (guint j = 0; j < f->evidence->len; j++) {
      g_assert_null (strstr (ev_what (f, j), "SECRETCODE"));
      g_assert_null (strstr (ev_what (f, j), "wrong"));
    }
  }
  fx_clear (&fx);
}

/* ---- several input files ----------------------------------------------- */

/* Counts frames 1..@n, frames above @split in file 1, as capture does. */
static void
count_frames (Fx *fx, guint64 n, guint64 split)
{
  for (guint64 i = 1; i <= n; i++) {
    W4FrameInfo fi = { .frame = i, .file_index = i > split, .file_frame = i > split ? i - split : i };
    w4_cor_count_frame (fx->cor, &fi);
  }
}

/* A rotated capture: frames and streams are numbered in their own file, and
 * state (a success in the first file) still explains a failure in the
 * second. */
static void
test_rotated_files (void)
{
  Fx fx;
  W4ConnInfo *c, *d;
  W4Finding *f;
  const W4Evidence *e;

  fx_init (&fx);
  w4_cor_set_file_name (fx.cor, 0, "a.pcap");
  w4_cor_set_file_name (fx.cor, 1, "b.pcap");
  count_frames (&fx, 20, 10);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 4, 100.0, "GET", "/s", H (BEARER));
  resp (&fx, c, 6, 100.1, 200, NULL);
  req (&fx, c, 9, 100.2, "GET", "/s", H (BEARER));
  /* the connection goes on in b.pcap, where it is tcp.stream 1 */
  c->prev_stream = 0;
  c->prev_stream_file = 0;
  c->stream = 1;
  c->stream_file = 1;
  resp (&fx, c, 12, 100.3, 200, NULL);
  /* a connection that starts in b.pcap: its stream 0 there */
  d = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  d->stream = d->first_stream = d->prev_stream = 0;
  d->file_index = d->stream_file = d->prev_stream_file = 1;
  req (&fx, d, 15, 101.0, "GET", "/s", H (BEARER));
  resp (&fx, d, 17, 101.1, 401, H ("WWW-Authenticate: Bearer error=\"invalid_token\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_SESSION_EXPIRED, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (f->file, ==, "b.pcap");
  g_assert_cmpstr (f->request_file, ==, "b.pcap");
  g_assert_cmpuint (f->request_frame, ==, 5);
  g_assert_cmpuint (f->response_frame, ==, 7);
  g_assert_cmpint (f->stream, ==, 0);
  /* the first success is frame 6 of a.pcap, the last frame 2 of b.pcap */
  g_assert_cmpstr (f->summary, ==,
                   "The Bearer token sha256:f445801e0cb8 worked on this server for 1.0 s, from its "
                   "first success (frame 6 in a.pcap at 00:01:40.100) to this refusal; it "
                   "succeeded 2 times, the last at frame 2 (00:01:40.300), and nothing succeeded "
                   "with it afterwards.");
  g_assert_cmpuint (f->evidence->len, ==, 4);
  e = g_ptr_array_index (f->evidence, 2);
  g_assert_cmpuint (e->frame, ==, 6);
  g_assert_cmpstr (e->file, ==, "a.pcap");
  e = g_ptr_array_index (f->evidence, 3);
  g_assert_cmpuint (e->frame, ==, 2);
  g_assert_null (e->file);
  /* frames of b.pcap only: the last success is on another connection */
  g_assert_cmpstr (f->wireshark_filter, ==, "frame.number in {2,5,7}");
  w4_summary_free (g_steal_pointer (&fx.summary));
  fx_clear (&fx);
}

/* A request at the end of one file, its response at the start of the next. */
static void
test_request_in_previous_file (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;
  const W4Evidence *e;

  fx_init (&fx);
  w4_cor_set_file_name (fx.cor, 0, "a.pcap");
  w4_cor_set_file_name (fx.cor, 1, "b.pcap");
  count_frames (&fx, 20, 10);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  c->stream = c->first_stream = c->prev_stream = 3;
  req (&fx, c, 10, 100.0, "GET", "/x", H (BASIC_TEST_WRONG));
  c->stream = 0;
  c->stream_file = 1;
  resp (&fx, c, 11, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"r\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->file, ==, "b.pcap");
  g_assert_cmpuint (f->response_frame, ==, 1);
  g_assert_cmpint (f->stream, ==, 0);
  g_assert_cmpstr (f->request_file, ==, "a.pcap");
  g_assert_cmpuint (f->request_frame, ==, 10);
  e = g_ptr_array_index (f->evidence, 0);
  g_assert_cmpuint (e->frame, ==, 10);
  g_assert_cmpstr (e->file, ==, "a.pcap");
  /* the filter applies to b.pcap: the request cannot be in it */
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number == 1");
  /* the cleartext risk rests on the request: a.pcap, stream 3 there */
  f = nth (&fx, 1);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "cleartext-credentials");
  g_assert_cmpstr (f->file, ==, "a.pcap");
  g_assert_cmpuint (f->response_frame, ==, 10);
  g_assert_cmpint (f->stream, ==, 3);
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 3 && frame.number == 10");
  fx_clear (&fx);
}

/* ---- display filters and Community ID ------------------------------------ */

static void
assert_filter (W4CorFilterFrame *frames, guint n, gint64 stream, const char *want)
{
  g_autofree char *got = w4_cor_wireshark_filter (frames, n, stream);

  g_assert_cmpstr (got, ==, want);
}

static void
test_filter_builder (void)
{
  W4CorFilterFrame one_stream[] = { { 6, 0, TRUE }, { 4, 0, TRUE } };
  W4CorFilterFrame fragment[] = { { 4, 0, TRUE }, { 6, 0, FALSE } };
  W4CorFilterFrame two_conns[] = { { 4, 0, TRUE }, { 6, 1, TRUE } };
  W4CorFilterFrame no_stream[] = { { 9, -1, FALSE } };
  W4CorFilterFrame dups[] = { { 6, 2, TRUE }, { 4, 2, TRUE }, { 6, 2, TRUE } };
  W4CorFilterFrame dup_other[] = { { 6, 2, TRUE }, { 6, -1, FALSE } };

  assert_filter (one_stream, 2, 0, "tcp.stream eq 0 && frame.number in {4,6}");
  /* the fragment shows no tcp.stream in Wireshark: frame numbers alone */
  assert_filter (fragment, 2, 0, "frame.number in {4,6}");
  assert_filter (two_conns, 2, 0, "frame.number in {4,6}");
  assert_filter (no_stream, 1, -1, "frame.number == 9");
  assert_filter (dups, 3, 2, "tcp.stream eq 2 && frame.number in {4,6}");
  assert_filter (dup_other, 2, 2, "frame.number == 6");
  assert_filter (NULL, 0, 3, "tcp.stream eq 3");
  assert_filter (NULL, 0, -1, "");
}

/* The frames of a TCP datagram's fragments other than the one that
 * completed it carry no TCP header in Wireshark's view. */
static void
test_bare_fragments (void)
{
  Fx fx;
  W4FrameInfo fi = { .frame = 7 };
  W4FragPiece pieces[] = { { 0, 6 }, { 1480, 7 } };
  W4IpPacket pkt = { .fi = &fi, .proto = 6, .frags = pieces, .n_frags = 2 };
  fx_init_limit (&fx, W4_LIMIT_BARE_FRAGMENTS, 4096);
  w4_cor_ip_datagram (fx.cor, &pkt);
  g_assert_false (w4_cor_frame_has_tcp (fx.cor, 6));
  g_assert_true (w4_cor_frame_has_tcp (fx.cor, 7));
  g_assert_true (w4_cor_frame_has_tcp (fx.cor, 5));
  /* UDP fragments are not TCP's business */
  pieces[0].frame = 100;
  fi.frame = 101;
  pkt.proto = 17;
  w4_cor_ip_datagram (fx.cor, &pkt);
  g_assert_true (w4_cor_frame_has_tcp (fx.cor, 100));
  /* past the table's bound the oldest are forgotten: unsure means no */
  pkt.proto = 6;
  for (guint64 i = 0; i < 4096 + 10; i++) {
    pieces[0].frame = 1000 + 2 * i;
    fi.frame = pieces[1].frame = 1001 + 2 * i;
    w4_cor_ip_datagram (fx.cor, &pkt);
  }
  g_assert_false (w4_cor_frame_has_tcp (fx.cor, 6));
  g_assert_false (w4_cor_frame_has_tcp (fx.cor, 1001));
  g_assert_false (w4_cor_frame_has_tcp (fx.cor, 1000 + 2 * (4096 + 9)));
  g_assert_true (w4_cor_frame_has_tcp (fx.cor, 1001 + 2 * (4096 + 9)));
  /* and what was forgotten is counted, by frame: the older half once */
  fx_finish (&fx);
  assert_limit_hit (&fx, W4_LIMIT_BARE_FRAGMENTS, 2048);
  fx_clear (&fx);
}

static void
assert_cid (const char *a, guint16 ap, const char *b, guint16 bp, guint16 seed, const char *want)
{
  W4Endpoint x, y;
  g_autofree char *got = NULL;
  g_autofree char *back = NULL;

  set_ep (&x, a, ap);
  set_ep (&y, b, bp);
  got = w4_community_id (&x, &y, 6, seed);
  back = w4_community_id (&y, &x, 6, seed);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpstr (back, ==, want); /* either direction: the same flow */
}

static void
test_community_id (void)
{
  W4Endpoint x, y;

  /* the Community ID spec's example, with seeds 0 and 1 */
  assert_cid ("128.232.110.120", 34855, "66.35.250.204", 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  assert_cid ("128.232.110.120", 34855, "66.35.250.204", 80, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=");
  /* Zeek's test of community_id_v1 */
  assert_cid ("1.2.3.4", 1122, "5.6.7.8", 3344, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
  /* IPv6, as tshark's communityid gives pcaps/link-ipv6.pcap */
  assert_cid ("2001:db8::10", 51000, "2001:db8::20", 80, 0, "1:lfVw8QwwdfsROiuy0aW6QzUNc34=");
  /* same address: the smaller port goes first */
  assert_cid ("10.0.0.1", 8080, "10.0.0.1", 80, 0, "1:NYInnG4ZqIZG6i/y2qSwXnS92RI=");
  set_ep (&x, "10.0.0.1", 1);
  set_ep (&y, "2001:db8::1", 2);
  g_assert_null (w4_community_id (&x, &y, 6, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/example", test_example);
  g_test_add_func ("/correlate/note/challenge", test_note_challenge);
  g_test_add_func ("/correlate/note/needs-retry-in-30s", test_note_needs_retry_in_30s);
  g_test_add_func ("/correlate/missing-challenge", test_missing_challenge);
  g_test_add_func ("/correlate/cors-expired-stale", test_cors_expired_stale);
  g_test_add_func ("/correlate/risk/retry-storm", test_retry_storm);
  g_test_add_func ("/correlate/risk/cleartext", test_cleartext_counts);
  g_test_add_func ("/correlate/risk/cleartext-malformed", test_cleartext_malformed_names_no_one);
  g_test_add_func ("/correlate/infos", test_infos);
  g_test_add_func ("/correlate/not-decrypted-sni", test_not_decrypted_sni);
  g_test_add_func ("/correlate/not-parsed-h2", test_not_parsed_h2);
  g_test_add_func ("/correlate/h2-request-without-pseudo-headers", test_h2_request_without_pseudo_headers);
  g_test_add_func ("/correlate/h2c-upgrade-pairs-stream-1", test_h2c_upgrade_pairs_stream_1);
  g_test_add_func ("/correlate/uninspected-over-limit", test_uninspected_over_limit);
  g_test_add_func ("/correlate/timing", test_timing);
  g_test_add_func ("/correlate/ordering", test_ordering);
  g_test_add_func ("/correlate/pairing", test_pairing);
  g_test_add_func ("/correlate/pending-limit", test_pending_limit);
  g_test_add_func ("/correlate/retry-scan-limit", test_retry_scan_limit);
  g_test_add_func ("/correlate/limit-warnings", test_limit_warnings);
  g_test_add_func ("/correlate/budget/decides-early", test_budget_decides_early);
  g_test_add_func ("/correlate/header-cut", test_header_cut);
  g_test_add_func ("/correlate/unparsed", test_unparsed);
  g_test_add_func ("/correlate/redaction", test_redaction);
  g_test_add_func ("/correlate/files/rotated", test_rotated_files);
  g_test_add_func ("/correlate/files/request-in-previous-file", test_request_in_previous_file);
  g_test_add_func ("/correlate/filter-builder", test_filter_builder);
  g_test_add_func ("/correlate/bare-fragments", test_bare_fragments);
  g_test_add_func ("/correlate/community-id", test_community_id);
  g_test_add_func ("/correlate/limits/names", test_limit_names);
  g_test_add_func ("/correlate/limits/servers", test_limit_servers);
  g_test_add_func ("/correlate/limits/principals", test_limit_principals);
  g_test_add_func ("/correlate/limits/server-principals", test_limit_server_principals);
  g_test_add_func ("/correlate/limits/credentials", test_limit_credentials);
  g_test_add_func ("/correlate/limits/risk-groups", test_limit_risk_groups);
  g_test_add_func ("/correlate/limits/retry-groups", test_limit_retry_groups);
  g_test_add_func ("/correlate/limits/gap-connections", test_limit_gap_connections);
  g_test_add_func ("/correlate/limits/tls-servers", test_limit_tls_servers);
  g_test_add_func ("/correlate/limits/undecided", test_limit_undecided);
  g_test_add_func ("/correlate/limits/body-waits", test_limit_body_waits);
  g_test_add_func ("/correlate/limits/request-credentials", test_limit_request_credentials);
  g_test_add_func ("/correlate/limits/files", test_limit_files);
  g_test_add_func ("/correlate/limits/warnings", test_warnings_counted);
  return g_test_run ();
}
