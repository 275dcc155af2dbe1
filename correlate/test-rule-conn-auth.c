/* test-rule-conn-auth.c: connection-auth-broken (rule-conn-auth.c) and the
 * leg tracker it reads (track-conn-auth.c), through the engine fed with
 * synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "test-krb-real.h"

/* NTLMSSP type 1 (negotiate), a type 2 challenge, and a type 3 from
 * DOM\bob (Unicode, no LM/NT responses: enough to name the user). */
#define TYPE1 "Authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw=="
#define TYPE2 "WWW-Authenticate: NTLM TlRMTVNTUAACAAAADAAMADgAAAAFgomiESIzRFVmd4gAAAAAAAAAAAAAAAAAAAAABgGxHQAAAA9MAEEAQgA="
#define TYPE3 "Authorization: NTLM TlRMTVNTUAADAAAAAAAAAEAAAAAAAAAAQAAAAAYABgBAAAAABgAGAEYAAAAAAAAATAAAAAAAAABMAAAAAQAAAEQATwBNAGIAbwBiAA=="
#define NEGOTIATE_C "Authorization: Negotiate YIIBAgYGKwYBBQUCoIH3MIH0oA0wCwYJKoZIgvcSAQICoYHi"
#define NEGOTIATE_S "WWW-Authenticate: Negotiate oYGdMIGaoAMKAQGhCwYJKoZIgvcSAQICooGFBIGC"

/* A NegTokenResp reject carrying a Kerberos KRB-ERROR KRB_AP_ERR_SKEW, and
 * a bare reject (hand-made DER, as auth/test-spnego.c's vectors). */
#define KRB_SKEW "WWW-Authenticate: Negotiate oYGGMIGDoAMKAQKhCwYJKoZIhvcSAQICom8EbWBrBgkqhkiG9xIBAgIDAH5cMFqgAwIBBaEDAgEepBEYDzIwMjYxMjAyMDAxNTAwWqUDAgEApgMCASWpDRsLRVhBTVBMRS5DT02qIjAgoAMCAQKhGTAXGwRIVFRQGw93ZWIuZXhhbXBsZS5jb20="
#define SPNEGO_REJECT "WWW-Authenticate: Negotiate oQcwBaADCgEC"

/* All legs on one kept-alive connection: the type 1's 401 is a note. */
static void
test_one_connection_passes (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, c, 2, 100, 401, H (TYPE2));
  req (&fx, c, 3, 100.1, "GET", "/x", H (TYPE3));
  resp (&fx, c, 4, 100.1, 200, NULL);
  fx_close (&fx, c, 5, 101, W4_CLOSE_FIN);
  fx_finish (&fx);

  g_assert_cmpuint (nth (&fx, 0)->kind, ==, W4_KIND_NOTE);
  g_assert_cmpuint (nth (&fx, 0)->cause, ==, W4_CAUSE_CHALLENGE);
  fx_clear (&fx);
}

/* The type 2 on one connection, the type 3 on another that the server
 * refuses: both 401s are connection-auth-broken, and each names both. */
static void
test_split_legs (void)
{
  Fx fx;
  W4ConnInfo *a, *b;
  W4Finding *f;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, a, 2, 100, 401, H (TYPE2));
  req (&fx, b, 3, 100.1, "GET", "/x", H (TYPE3));
  resp (&fx, b, 4, 100.1, 401, H ("WWW-Authenticate: NTLM"));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_CONNECTION_AUTH_BROKEN, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The NTLM type 2 challenge came on tcp.stream 0 (frame 2); the type 3 answer "
                   "went on tcp.stream 1 (frame 3): NTLM authenticates one TCP connection, so "
                   "the server could not tie the answer to its challenge.");
  g_assert_true (has_evidence (f, 3));
  /* the type 1 names nobody: the type 3 that answered elsewhere does */
  g_assert_cmpstr (f->principal, ==, "DOM\\bob");
  g_assert_nonnull (strstr (f->fix, "one server connection"));
  f = nth (&fx, 1);
  /* the type 3 is well-formed NTLM and rejected too: related */
  assert_failure (f, W4_CAUSE_CONNECTION_AUTH_BROKEN, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (f->principal, ==, "DOM\\bob");
  g_assert_nonnull (strstr (f->summary, "type 2 challenge came on tcp.stream 0 (frame 2)"));
  /* the type 2 first, as the packets came */
  g_assert_nonnull (strstr (ev_what (f, 0), "NTLM type 2 challenge on tcp.stream 0"));
  g_assert_nonnull (strstr (ev_what (f, 1), "NTLM type 3"));
  g_assert_cmpstr (f->wireshark_filter, ==, "frame.number in {2,3,4}");
  fx_clear (&fx);
}

/* The server closes the connection with its type 2 (Connection: close):
 * the handshake cannot continue, whether or not the client tried. */
static void
test_close_after_type2 (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, c, 2, 100, 401, H (TYPE2, "Connection: close"));
  fx_close (&fx, c, 3, 100.01, W4_CLOSE_FIN);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_CONNECTION_AUTH_BROKEN, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The NTLM type 2 challenge came on tcp.stream 0 (frame 2) and the server "
                   "closed it (Connection: close), so the type 3 answer could not follow on "
                   "that connection, and the capture holds none on another: NTLM authenticates "
                   "one TCP connection.");
  g_assert_nonnull (strstr (f->fix, "Connection: close"));
  g_assert_true (has_evidence (f, 3));
  fx_clear (&fx);
}

/* A FIN right after the type 2, without the header, breaks it too; the end
 * of the capture does not (nothing is known about the connection). */
static void
test_fin_and_end_of_input (void)
{
  Fx fx;
  W4ConnInfo *a, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.3", 40000, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, a, 2, 100, 401, H (TYPE2));
  fx_close (&fx, a, 3, 100.01, W4_CLOSE_RST);
  req (&fx, b, 4, 100, "GET", "/x", H (TYPE1));
  resp (&fx, b, 5, 100, 401, H (TYPE2));
  fx_close (&fx, b, 6, 100.01, W4_CLOSE_END_OF_INPUT);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_CONNECTION_AUTH_BROKEN, 0);
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "and that connection closed (frame 3)"));
  assert_failure (nth (&fx, 1), W4_CAUSE_UNEXPLAINED, 0);
  fx_clear (&fx);
}

/* Negotiate: the server's token to continue on one connection, the
 * client's next token on another. */
static void
test_negotiate_split (void)
{
  Fx fx;
  W4ConnInfo *a, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (NEGOTIATE_C));
  resp (&fx, a, 2, 100, 401, H (NEGOTIATE_S));
  req (&fx, b, 3, 100.1, "GET", "/x", H (NEGOTIATE_C));
  resp (&fx, b, 4, 100.1, 401, H ("WWW-Authenticate: Negotiate"));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_CONNECTION_AUTH_BROKEN, 0);
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "The server's Negotiate token came on "
                                                   "tcp.stream 0"));
  g_assert_cmpuint (nth (&fx, 1)->cause, ==, W4_CAUSE_CONNECTION_AUTH_BROKEN);
  fx_clear (&fx);
}

/* conn-auth=1: a second client's handshake evicts the first's pair, so
 * the first client's type 3 on a new connection is no longer matched;
 * the drop is counted and shown. */
static void
test_limit_eviction (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  W4ConnInfo *a, *b, *a2;
  guint limits_seen = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_CONN_AUTH] = 1;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.3", 40000, "10.0.0.2", 80);
  a2 = fx_conn (&fx, 2, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, a, 2, 100, 401, H (TYPE2));
  req (&fx, b, 3, 100, "GET", "/x", H (TYPE1));
  resp (&fx, b, 4, 100, 401, H (TYPE2));
  req (&fx, a2, 5, 100.1, "GET", "/x", H (TYPE3));
  resp (&fx, a2, 6, 100.1, 401, H ("WWW-Authenticate: NTLM"));
  fx_finish (&fx);

  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    g_assert_cmpuint (f->cause, !=, W4_CAUSE_CONNECTION_AUTH_BROKEN);
    if (f->cause == W4_CAUSE_LIMIT) {
      limits_seen++;
      g_assert_cmpuint (f->count, ==, 1);
      g_assert_nonnull (strstr (f->summary, "conn-auth"));
    }
  }
  g_assert_cmpuint (limits_seen, ==, 1);
  fx_clear (&fx);
}

/* A pair forgotten after W4_CA_HANDSHAKE_SEC of capture time: a type 3
 * two minutes after the type 2 is no answer to it. */
static void
test_expiry (void)
{
  Fx fx;
  W4ConnInfo *a, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (TYPE1));
  resp (&fx, a, 2, 100, 401, H (TYPE2));
  w4_cor_time (fx.cor, t_at (220));
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, b, 3, 220, "GET", "/x", H (TYPE3));
  resp (&fx, b, 4, 220, 401, H ("WWW-Authenticate: NTLM"));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_UNEXPLAINED, 0);
  assert_failure (nth (&fx, 1), W4_CAUSE_REJECTED_CREDENTIALS, 0);
  fx_clear (&fx);
}

/* A server token that rejects is no leg to continue: the 401 is a
 * rejection that names the Kerberos error and what it means, not a note
 * and not connection-auth-broken when the connection then closes. */
static void
test_negotiate_rejection (void)
{
  Fx fx;
  W4ConnInfo *a, *b;
  W4Finding *f;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.3", 40000, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/x", H (NEGOTIATE_C));
  resp (&fx, a, 2, 100, 401, H (KRB_SKEW, "Connection: close"));
  fx_close (&fx, a, 3, 100.01, W4_CLOSE_FIN);
  req (&fx, b, 4, 100, "GET", "/x", H (NEGOTIATE_C));
  resp (&fx, b, 5, 100, 401, H (SPNEGO_REJECT));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "carries the Kerberos error KRB_AP_ERR_SKEW (37): the "
                                        "clocks of the client and the server differ"));
  g_assert_nonnull (strstr (f->fix, "NTP"));
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "Negotiate token says reject (SPNEGO negState)."));
  fx_clear (&fx);
}

/* Real bytes (auth/test-krb-real.h): curl's AP-REQ for
 * HTTP/web.why401.test@WHY401.TEST (kvno 2, mutual-required) that
 * mod_auth_gssapi refuses with a KRB-ERROR. The summary names the ticket,
 * its key version, the error and what it means; the fix is the error's;
 * the evidence says what the server's token holds. */
static void
test_kerberos_badkeyver (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
  req (&fx, c, 8, 1796175421.78, "GET", "/stale/",
       H ("Authorization: Negotiate " REAL_APREQ_MUTUAL));
  resp (&fx, c, 10, 1796175421.79, 401, H ("WWW-Authenticate: Negotiate " REAL_BADKEYVER));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "rejected the Kerberos ticket for "
                                        "HTTP/web.why401.test@WHY401.TEST (key version 2) in "
                                        "Negotiate credentials (sha256:"));
  g_assert_nonnull (strstr (f->summary, "carries the Kerberos error KRB_AP_ERR_BADKEYVER (44): "));
  g_assert_nonnull (strstr (f->summary, "the keytab is out of date."));
  g_assert_nonnull (strstr (f->fix, "Export the service principal's keytab again"));
  g_assert_true (has_evidence (f, 8));
  g_assert_nonnull (strstr (ev_what (f, 0), "Kerberos for HTTP/web.why401.test@WHY401.TEST"));
  g_assert_nonnull (strstr (ev_what (f, 1), "(SPNEGO reject with the Kerberos error "
                                            "KRB_AP_ERR_BADKEYVER (44))"));
  fx_clear (&fx);
}

/* KRB_AP_ERR_SKEW: the error's stime is the server's clock. Captured at
 * the same time, the client's clock is the one off; 10 minutes apart,
 * the server's is. */
static void
test_kerberos_skew (void)
{
  static const double at[] = { 1796175423.3, 1796175423.3 + 600 };
  static const char *const says[] = { "so the client's clock is the one that is off.",
                                      "is 10 min 0 s behind the capture's time, so the server's "
                                      "clock is off" };

  for (guint i = 0; i < G_N_ELEMENTS (at); i++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
    req (&fx, c, 8, at[i], "GET", "/private/", H ("Authorization: Negotiate " REAL_APREQ_MUTUAL));
    resp (&fx, c, 10, at[i], 401, H ("WWW-Authenticate: Negotiate " REAL_SKEW));
    fx_finish (&fx);
    f = nth (&fx, 0);
    assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
    g_assert_nonnull (strstr (f->summary, "KRB_AP_ERR_SKEW (37): the clocks of the client and "
                                          "the server differ"));
    g_assert_nonnull (strstr (f->summary, says[i]));
    g_assert_nonnull (strstr (f->fix, i == 0 ? "Synchronise the client's clock (NTP)" : "NTP"));
    fx_clear (&fx);
  }
}

/* A Kerberos AP-REQ refused without a KRB-ERROR: python-gssapi's AP-REQ
 * without mutual-required and the bare SPNEGO reject mod_auth_gssapi
 * answers it with; and a bare "Negotiate" challenge. No error is made up:
 * the summary says there is none, and the fix sends to the server's log
 * with the ticket's principal and key version. */
static void
test_kerberos_no_error (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
  req (&fx, c, 8, 100, "GET", "/stale/", H ("Authorization: Negotiate " REAL_APREQ_NO_MUTUAL));
  resp (&fx, c, 10, 100, 401, H (SPNEGO_REJECT));
  req (&fx, c, 11, 200, "GET", "/stale/", H ("Authorization: Negotiate " REAL_APREQ_MUTUAL));
  resp (&fx, c, 12, 200, 401, H ("WWW-Authenticate: Negotiate"));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "The server's answer is a bare SPNEGO reject: it names no "
                                        "Kerberos error (MIT krb5 sends the error back only to a "
                                        "client that asks for mutual authentication, and this "
                                        "AP-REQ did not)."));
  g_assert_null (strstr (f->summary, "KRB_"));
  g_assert_nonnull (strstr (f->fix, "the ticket for HTTP/web.why401.test@WHY401.TEST: check that "
                                    "its keytab holds that principal at key version 2"));
  g_assert_nonnull (strstr (ev_what (f, 1), "(SPNEGO reject)"));
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "The server's answer carries no Kerberos error."));
  fx_clear (&fx);
}

/* Every AP-REQ has its own fingerprint; the principal is the ticket's
 * service principal ("ticket for HTTP/...@REALM"), so a ticket for the
 * same service that passed on another page of this server is the same
 * principal's success (the client and KDC are fine: that page's keytab
 * is not), not another account's. */
static void
test_kerberos_same_service_succeeded (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
  req (&fx, c, 6, 100, "GET", "/private/", H ("Authorization: Negotiate " REAL_APREQ_NO_MUTUAL));
  resp (&fx, c, 7, 100, 200, H ("WWW-Authenticate: Negotiate " REAL_AP_REP));
  req (&fx, c, 8, 101, "GET", "/stale/", H ("Authorization: Negotiate " REAL_APREQ_MUTUAL));
  resp (&fx, c, 10, 101, 401, H ("WWW-Authenticate: Negotiate " REAL_BADKEYVER));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->principal, ==, "ticket for HTTP/web.why401.test@WHY401.TEST");
  g_assert_nonnull (strstr (f->summary, "principal ticket for HTTP/web.why401.test@WHY401.TEST "
                                        "succeeded on this server with other credentials"));
  g_assert_null (strstr (f->summary, "specific to this account"));
  g_assert_true (has_evidence (f, 7));
  fx_clear (&fx);
}

/* The ticket is for another host than the request's Host (the client
 * canonicalised the name): said, with both names; not said when they are
 * the same (apart from the port). */
static void
test_kerberos_canonicalised_host (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
  req (&fx, c, 8, 100, "GET", "/private/",
       H ("Host: www.why401.test", "Authorization: Negotiate " REAL_APREQ_MUTUAL));
  resp (&fx, c, 10, 100, 401, H ("WWW-Authenticate: Negotiate " REAL_NOT_US));
  req (&fx, c, 11, 200, "GET", "/private/",
       H ("Host: WEB.why401.test:8080", "Authorization: Negotiate " REAL_APREQ_NO_MUTUAL));
  resp (&fx, c, 12, 200, 401, H ("WWW-Authenticate: Negotiate"));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "KRB_AP_ERR_NOT_US (35)"));
  g_assert_nonnull (strstr (f->summary, "The ticket is for the host web.why401.test, but the "
                                        "request named www.why401.test: the client "
                                        "canonicalised the name"));
  f = nth (&fx, 1);
  g_assert_null (strstr (f->summary, "canonicalised"));
  fx_clear (&fx);
}

/* An HTTP/2 head on stream @sid: a request (@status 0) or a response. */
static void
h2_head (Fx *fx, W4ConnInfo *c, guint32 sid, guint64 frame, guint status, const char *const *hdrs)
{
  W4HttpHead h = { 0 };

  h.conn = c;
  h.dir = status == 0 ? W4_DIR_TO_SERVER : W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_2;
  h.http_major = 2;
  h.h2_stream = sid;
  h.first_frame = h.last_frame = frame;
  h.first_ts = h.last_ts = t_at (100 + frame / 100.0);
  h.status = status;
  if (status == 0) {
    h.method = w4_span ("GET", 3);
    h.target = w4_span ("/x", 2);
  }
  deliver (fx, &h, hdrs);
}

static void
h2_reset (Fx *fx, W4ConnInfo *c, guint32 sid, guint64 frame, guint32 code)
{
  W4H2Reset r = { 0 };

  r.conn = c;
  r.dir = W4_DIR_TO_CLIENT;
  r.h2_stream = sid;
  r.error_code = code;
  r.had_request = TRUE;
  r.frame = frame;
  r.ts = t_at (100 + frame / 100.0);
  fx->sink.on_h2_reset (fx->sink.user, &r);
}

/* IIS over HTTP/2: a 401 offering NTLM and Negotiate, then the client's
 * NTLM type 1 on the next stream is reset with HTTP_1_1_REQUIRED. The
 * 401 is the failure (the reset request has no response): connection-
 * auth-broken, and the client must use HTTP/1.1. Another reset code, a
 * Basic challenge, or a reset of the challenge's own stream (not the
 * client's next request) is not that. */
static void
test_h2_reset_http11_required (void)
{
  for (int variant = 0; variant < 4; variant++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 443);
    c->layer = W4_LAYER_TLS;
    h2_head (&fx, c, 1, 10, 0, H ("Host: iis.example"));
    h2_head (&fx, c, 1, 12, 401,
             variant == 2 ? H ("WWW-Authenticate: Basic realm=\"x\"")
                          : H ("WWW-Authenticate: Negotiate", "WWW-Authenticate: NTLM"));
    h2_head (&fx, c, 3, 14, 0, H ("Host: iis.example", TYPE1));
    h2_reset (&fx, c, variant == 3 ? 1 : 3, 15, variant == 1 ? 0x8 : W4_H2_HTTP_1_1_REQUIRED);
    fx_close (&fx, c, 20, 101, W4_CLOSE_FIN);
    fx_finish (&fx);

    f = nth (&fx, 0);
    g_assert_cmpuint (f->status, ==, 401);
    g_assert_cmpuint (f->response_frame, ==, 12);
    g_assert_cmpint (f->h2_stream, ==, 1);
    if (variant != 0) {
      g_assert_cmpuint (f->cause, !=, W4_CAUSE_CONNECTION_AUTH_BROKEN);
      fx_clear (&fx);
      continue;
    }
    assert_failure (f, W4_CAUSE_CONNECTION_AUTH_BROKEN, f->related);
    g_assert_cmpstr (f->summary, ==,
                     "The server's 401 (frame 12) asked for Negotiate or NTLM over HTTP/2; the "
                     "client's next request (HTTP/2 stream 3, frame 14) was reset with "
                     "HTTP_1_1_REQUIRED (frame 15): both authenticate one TCP connection, which "
                     "HTTP/2 shares among its streams, so this server runs them only over HTTP/1.1: "
                     "the client must use HTTP/1.1 for this server.");
    g_assert_nonnull (strstr (f->fix, "must use HTTP/1.1"));
    g_assert_true (has_evidence (f, 14));
    g_assert_true (has_evidence (f, 15));
    fx_clear (&fx);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conn-auth/one-connection-passes", test_one_connection_passes);
  g_test_add_func ("/conn-auth/split-legs", test_split_legs);
  g_test_add_func ("/conn-auth/close-after-type2", test_close_after_type2);
  g_test_add_func ("/conn-auth/fin-and-end-of-input", test_fin_and_end_of_input);
  g_test_add_func ("/conn-auth/negotiate-split", test_negotiate_split);
  g_test_add_func ("/conn-auth/limit-eviction", test_limit_eviction);
  g_test_add_func ("/conn-auth/expiry", test_expiry);
  g_test_add_func ("/conn-auth/negotiate-rejection", test_negotiate_rejection);
  g_test_add_func ("/conn-auth/kerberos-badkeyver", test_kerberos_badkeyver);
  g_test_add_func ("/conn-auth/kerberos-skew", test_kerberos_skew);
  g_test_add_func ("/conn-auth/kerberos-no-error", test_kerberos_no_error);
  g_test_add_func ("/conn-auth/h2-reset-http11-required", test_h2_reset_http11_required);
  g_test_add_func ("/conn-auth/kerberos-canonicalised-host", test_kerberos_canonicalised_host);
  g_test_add_func ("/conn-auth/kerberos-same-service-succeeded",
                   test_kerberos_same_service_succeeded);
  return g_test_run ();
}
