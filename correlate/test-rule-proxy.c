/* test-rule-proxy.c: the proxy-legs tracker (which requests it links, its
 * limit) and the rule proxy-dropped-credentials through the engine fed
 * with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "track-proxy.h"

#define CLIENT "10.0.0.1"
#define PROXY "10.0.0.2"
#define ORIGIN "10.0.0.3"
#define URL "http://10.0.0.3:8080/x?q=1"
#define HOST_O "Host: 10.0.0.3:8080"
#define VIA "Via: 1.1 gw (squid/5.7)"
#define CHALLENGE "WWW-Authenticate: Basic realm=\"o\""

/* A finding's cause, by the frame of its response. */
static const W4Finding *
finding_at (Fx *fx, guint64 resp_frame)
{
  for (guint i = 0; i < fx->out->len; i++)
    if (nth (fx, i)->response_frame == resp_frame)
      return nth (fx, i);
  g_assert_not_reached ();
}

/* client -> proxy (frames 4, 10), proxy -> origin (frames 6, 8): the
 * client's request carries @client_hdrs, the forwarded one @fwd_hdrs. */
static void
two_legs (Fx *fx, const char *const *client_hdrs, const char *const *fwd_hdrs, guint status)
{
  W4ConnInfo *a = fx_conn (fx, 0, CLIENT, 40000, PROXY, 3128);
  W4ConnInfo *b = fx_conn (fx, 1, PROXY, 50000, ORIGIN, 8080);

  req (fx, a, 4, 10.0, "GET", URL, client_hdrs);
  req (fx, b, 6, 10.01, "GET", "/x?q=1", fwd_hdrs);
  resp (fx, b, 8, 10.02, status, H (CHALLENGE));
  resp (fx, a, 10, 10.03, status, H (CHALLENGE));
  fx_finish (fx);
}

/* squid with request_header_access Authorization deny all: both 401s are
 * the proxy's doing, each naming the other leg. */
static void
test_authorization_dropped (void)
{
  Fx fx;
  const W4Finding *o, *c;

  fx_init (&fx);
  two_legs (&fx, H (HOST_O, BASIC_BOB, "Proxy-Connection: Keep-Alive"),
            H (HOST_O, VIA, "X-Forwarded-For: 10.0.0.1"), 401);
  g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 1);
  o = finding_at (&fx, 8);
  c = finding_at (&fx, 10);
  assert_failure (o, W4_CAUSE_PROXY_DROPPED_CREDENTIALS, BIT (W4_CAUSE_NO_CREDENTIALS));
  assert_failure (c, W4_CAUSE_PROXY_DROPPED_CREDENTIALS, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_nonnull (strstr (o->summary, "The proxy at 10.0.0.2:3128 forwarded GET /x?q=1 to "
                                        "10.0.0.3:8080 without the Authorization header the "
                                        "client sent (frame 4), and the server answered 401; "
                                        "the proxy relayed the 401 to the client (frame 10)."));
  g_assert_nonnull (strstr (c->summary, "forwarded this request to 10.0.0.3:8080 as GET /x?q=1 "
                                        "(frame 6) without the Authorization header"));
  g_assert_nonnull (strstr (c->summary, "the server answered 401 (frame 8)"));
  /* squid named in Via: its directives */
  g_assert_nonnull (strstr (o->fix, "request_header_access"));
  g_assert_nonnull (strstr (o->fix, "10.0.0.2:3128"));
  /* the origin's finding is about the client's credential */
  g_assert_cmpstr (o->principal, ==, "bob");
  g_assert_cmpstr (o->scheme, ==, "Basic");
  for (guint64 fr = 4; fr <= 10; fr += 2) {
    g_assert_true (has_evidence (o, fr));
    g_assert_true (has_evidence (c, fr));
  }
  g_assert_cmpstr (o->wireshark_filter, ==, "frame.number in {4,6,8,10}");
  g_assert_cmpstr (c->wireshark_filter, ==, "frame.number in {4,6,8,10}");
  g_assert_nonnull (strstr (ev_what (c, 2), "Via: 1.1 gw (squid/5.7)"));
  g_assert_cmpuint (w4_cor_proxy_pending (fx.cor), ==, 0);
  fx_clear (&fx);
}

/* A proxy that passes the credentials on: the wrong password is the
 * client's, on both legs (the pair is linked, no proxy cause). */
static void
test_passed_through (void)
{
  Fx fx;

  fx_init (&fx);
  two_legs (&fx, H (HOST_O, BASIC_TEST_WRONG), H (HOST_O, VIA, BASIC_TEST_WRONG), 401);
  g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 1);
  assert_failure (finding_at (&fx, 8), W4_CAUSE_REJECTED_CREDENTIALS, 0);
  assert_failure (finding_at (&fx, 10), W4_CAUSE_REJECTED_CREDENTIALS, 0);
  fx_clear (&fx);
}

/* Another Authorization in place of the client's (compared by
 * fingerprint). */
static void
test_authorization_changed (void)
{
  Fx fx;
  const W4Finding *o;

  fx_init (&fx);
  two_legs (&fx, H (HOST_O, BASIC_BOB), H (HOST_O, VIA, BASIC_TEST_WRONG), 401);
  o = finding_at (&fx, 8);
  assert_failure (o, W4_CAUSE_PROXY_DROPPED_CREDENTIALS, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_nonnull (strstr (o->summary, "with another Authorization header than the one the "
                                        "client sent (frame 4)"));
  g_assert_cmpuint (finding_at (&fx, 10)->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  fx_clear (&fx);
}

/* A session cookie the proxy did not pass on; a proxy that Via does not
 * name as squid gets the general fix. */
static void
test_cookie_dropped (void)
{
  Fx fx;
  const W4Finding *o;

  fx_init (&fx);
  two_legs (&fx, H (HOST_O, "Cookie: theme=dark; sid=abc123"), H (HOST_O, "Via: 1.1 edge"),
            401);
  o = finding_at (&fx, 8);
  g_assert_cmpuint (o->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  g_assert_nonnull (strstr (o->summary, "without the cookie sid the client sent (frame 4)"));
  g_assert_nonnull (strstr (o->fix, "pass the Cookie header through"));
  g_assert_null (strstr (o->fix, "squid"));
  g_assert_cmpstr (o->scheme, ==, "cookie");
  g_assert_cmpuint (finding_at (&fx, 10)->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  fx_clear (&fx);
}

/* The same request from another address is the proxy's only when it says
 * it forwards this client: an X-Forwarded-For or Forwarded naming the
 * client's address (the proxy's other interface). Without one, with a Via
 * alone, or naming someone else it is another client (found in review: an
 * unrelated host's request with X-Forwarded-For was taken for the leg). */
static void
test_address_or_forwarded (void)
{
  static const struct {
    const char *hdr;
    gboolean linked;
  } cases[] = {
    { NULL, FALSE },
    { VIA, FALSE },
    { "X-Forwarded-For: 192.0.2.7", FALSE },
    { "X-Forwarded-For: 192.0.2.7, 10.0.0.1", TRUE },
    { "Forwarded: for=10.0.0.1;proto=http", TRUE },
    { "Forwarded: for=\"10.0.0.1:40000\"", TRUE },
    { "Forwarded: for=10.0.0.10", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    Fx fx;
    W4ConnInfo *a, *b;

    fx_init (&fx);
    a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
    b = fx_conn (&fx, 1, "192.168.1.2", 50000, ORIGIN, 8080);
    req (&fx, a, 4, 10.0, "GET", URL, H (HOST_O, BASIC_BOB));
    req (&fx, b, 6, 10.01, "GET", "/x?q=1",
         cases[i].hdr != NULL ? H (HOST_O, cases[i].hdr) : H (HOST_O));
    resp (&fx, b, 8, 10.02, 401, H (CHALLENGE));
    resp (&fx, a, 10, 10.03, 401, H (CHALLENGE));
    fx_finish (&fx);
    g_test_message ("%s", cases[i].hdr ? cases[i].hdr : "(none)");
    g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, (guint64) cases[i].linked);
    g_assert_cmpuint (finding_at (&fx, 8)->cause, ==,
                      cases[i].linked ? W4_CAUSE_PROXY_DROPPED_CREDENTIALS
                                      : W4_CAUSE_NO_CREDENTIALS);
    fx_clear (&fx);
  }
}

/* What is not the forwarded leg: another URL, another method, a request
 * after the client's answer, one past the window, and a reverse proxy's
 * origin-form client leg. */
static void
test_not_linked (void)
{
  static const struct {
    const char *method, *client_target, *fwd_target;
    double fwd_at;
    gboolean answered_first;
  } cases[] = {
    { "GET", URL, "/x?q=2", 10.01, FALSE },
    { "POST", URL, "/x?q=1", 10.01, FALSE },
    { "GET", URL, "/x?q=1", 10.01, TRUE },
    { "GET", URL, "/x?q=1", 10.0 + W4_COR_PROXY_LEG_SEC + 1, FALSE },
    { "GET", "/x?q=1", "/x?q=1", 10.01, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Fx fx;
    W4ConnInfo *a, *b;

    fx_init (&fx);
    a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
    b = fx_conn (&fx, 1, PROXY, 50000, ORIGIN, 8080);
    req (&fx, a, 4, 10.0, cases[i].method, cases[i].client_target, H (HOST_O, BASIC_BOB));
    if (cases[i].answered_first)
      resp (&fx, a, 5, 10.005, 401, H (CHALLENGE));
    req (&fx, b, 6, cases[i].fwd_at, "GET", cases[i].fwd_target, H (HOST_O, VIA));
    resp (&fx, b, 8, cases[i].fwd_at + 0.01, 401, H (CHALLENGE));
    if (!cases[i].answered_first)
      resp (&fx, a, 10, cases[i].fwd_at + 0.02, 401, H (CHALLENGE));
    fx_finish (&fx);
    g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 0);
    for (guint k = 0; k < fx.out->len; k++)
      g_assert_cmpuint (nth (&fx, k)->cause, !=, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
    fx_clear (&fx);
  }
}

/* Two clients ask the proxy for one URL at once: which one the proxy
 * forwarded is not known, so neither is linked. */
static void
test_ambiguous (void)
{
  Fx fx;
  W4ConnInfo *a, *a2, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
  a2 = fx_conn (&fx, 1, "10.0.0.5", 40000, PROXY, 3128);
  b = fx_conn (&fx, 2, PROXY, 50000, ORIGIN, 8080);
  req (&fx, a, 4, 10.0, "GET", URL, H (HOST_O, BASIC_BOB));
  req (&fx, a2, 5, 10.0, "GET", URL, H (HOST_O));
  req (&fx, b, 6, 10.01, "GET", "/x?q=1", H (HOST_O, VIA));
  resp (&fx, b, 8, 10.02, 401, H (CHALLENGE));
  resp (&fx, a, 10, 10.03, 401, H (CHALLENGE));
  resp (&fx, a2, 11, 10.03, 401, H (CHALLENGE));
  fx_finish (&fx);
  g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 0);
  g_assert_cmpuint (finding_at (&fx, 8)->cause, ==, W4_CAUSE_NO_CREDENTIALS);
  fx_clear (&fx);
}

/* A proxy chained to a parent proxy: the absolute-form request it sends
 * on is linked to the client's, and is itself the client leg of the next
 * hop. */
static void
test_parent_proxy (void)
{
  Fx fx;
  W4ConnInfo *a, *p, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
  p = fx_conn (&fx, 1, PROXY, 50000, "10.0.0.4", 3128);
  b = fx_conn (&fx, 2, "10.0.0.4", 50001, ORIGIN, 8080);
  req (&fx, a, 4, 10.0, "GET", URL, H (HOST_O, BASIC_BOB));
  req (&fx, p, 5, 10.01, "GET", URL, H (HOST_O, VIA, BASIC_BOB));
  req (&fx, b, 6, 10.02, "GET", "/x?q=1", H (HOST_O, VIA));
  resp (&fx, b, 8, 10.03, 401, H (CHALLENGE));
  resp (&fx, p, 9, 10.04, 401, H (CHALLENGE));
  resp (&fx, a, 10, 10.05, 401, H (CHALLENGE));
  fx_finish (&fx);
  g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 2);
  g_assert_cmpuint (finding_at (&fx, 8)->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  g_assert_nonnull (strstr (finding_at (&fx, 8)->summary, "The proxy at 10.0.0.4:3128"));
  g_assert_cmpuint (finding_at (&fx, 9)->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  /* (the client's own 401, frame 10, is not linked past the first hop,
   * which passed the credentials on unchanged) */
  fx_clear (&fx);
}

/* A header cap cut the forwarded request's authentication fields: what
 * it lacked is not known, so nothing is concluded. */
static void
test_cut_concludes_nothing (void)
{
  Fx fx;
  W4ConnInfo *a, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
  b = fx_conn (&fx, 1, PROXY, 50000, ORIGIN, 8080);
  req (&fx, a, 4, 10.0, "GET", URL, H (HOST_O, BASIC_BOB));
  req_cut (&fx, b, 6, 10.01, "GET", "/x?q=1", H (HOST_O, VIA), W4_HEAD_CUT_AUTH, 90000);
  resp (&fx, b, 8, 10.02, 401, H (CHALLENGE));
  resp (&fx, a, 10, 10.03, 401, H (CHALLENGE));
  fx_finish (&fx);
  g_assert_cmpuint (finding_at (&fx, 8)->cause, ==, W4_CAUSE_UNEXPLAINED);
  g_assert_cmpuint (finding_at (&fx, 10)->cause, ==, W4_CAUSE_REJECTED_CREDENTIALS);
  fx_clear (&fx);
}

/* The "proxy-legs" limit: the oldest pending client request is forgotten
 * (and counted), so its forwarded request is not linked; the newer one
 * still is. */
static void
test_limit_evicts_oldest (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  W4ConnInfo *a, *a2, *b;
  guint limits_seen = 0;

  memset (&fx, 0, sizeof fx);
  w4_limits_init (&limits);
  g_assert_true (w4_limits_set (&limits, "proxy-legs=1"));
  fx.out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
  a2 = fx_conn (&fx, 1, CLIENT, 40001, PROXY, 3128);
  b = fx_conn (&fx, 2, PROXY, 50000, ORIGIN, 8080);
  req (&fx, a, 2, 10.0, "GET", "http://10.0.0.3:8080/one", H (HOST_O, BASIC_BOB));
  req (&fx, a2, 3, 10.0, "GET", "http://10.0.0.3:8080/two", H (HOST_O, BASIC_BOB));
  g_assert_cmpuint (w4_cor_proxy_pending (fx.cor), ==, 1);
  req (&fx, b, 4, 10.01, "GET", "/one", H (HOST_O, VIA));
  resp (&fx, b, 5, 10.02, 401, H (CHALLENGE));
  req (&fx, b, 6, 10.03, "GET", "/two", H (HOST_O, VIA));
  resp (&fx, b, 7, 10.04, 401, H (CHALLENGE));
  resp (&fx, a, 8, 10.05, 401, H (CHALLENGE));
  resp (&fx, a2, 9, 10.05, 401, H (CHALLENGE));
  g_assert_cmpuint (w4_cor_proxy_pending (fx.cor), ==, 0);
  fx_finish (&fx);

  g_assert_cmpuint (w4_cor_proxy_linked (fx.cor), ==, 1);
  g_assert_cmpuint (finding_at (&fx, 5)->cause, ==, W4_CAUSE_NO_CREDENTIALS);
  g_assert_cmpuint (finding_at (&fx, 7)->cause, ==, W4_CAUSE_PROXY_DROPPED_CREDENTIALS);
  for (guint i = 0; i < fx.out->len; i++)
    if (nth (&fx, i)->kind == W4_KIND_INFO && nth (&fx, i)->cause == W4_CAUSE_LIMIT)
      limits_seen++;
  g_assert_cmpuint (limits_seen, ==, 1);
  g_assert_cmpuint (fx.summary->warnings->len, >=, 1);
  {
    gboolean named = FALSE;
    for (guint i = 0; i < fx.summary->warnings->len; i++)
      named |= strstr (g_ptr_array_index (fx.summary->warnings, i), "limit proxy-legs") != NULL;
    g_assert_true (named);
  }
  fx_clear (&fx);
}

/* Pending requests leave the table when the window passes, even when no
 * request for their key comes. */
static void
test_window_prunes (void)
{
  Fx fx;
  W4ConnInfo *a, *other;

  fx_init (&fx);
  a = fx_conn (&fx, 0, CLIENT, 40000, PROXY, 3128);
  other = fx_conn (&fx, 1, "10.0.0.7", 40000, "10.0.0.8", 80);
  req (&fx, a, 2, 10.0, "GET", URL, H (HOST_O, BASIC_BOB));
  g_assert_cmpuint (w4_cor_proxy_pending (fx.cor), ==, 1);
  req (&fx, other, 3, 10.0 + W4_COR_PROXY_LEG_SEC + 1, "GET", "/", H ("Host: b"));
  g_assert_cmpuint (w4_cor_proxy_pending (fx.cor), ==, 0);
  fx_finish (&fx);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxy/authorization-dropped", test_authorization_dropped);
  g_test_add_func ("/proxy/passed-through", test_passed_through);
  g_test_add_func ("/proxy/authorization-changed", test_authorization_changed);
  g_test_add_func ("/proxy/cookie-dropped", test_cookie_dropped);
  g_test_add_func ("/proxy/address-or-forwarded", test_address_or_forwarded);
  g_test_add_func ("/proxy/not-linked", test_not_linked);
  g_test_add_func ("/proxy/ambiguous", test_ambiguous);
  g_test_add_func ("/proxy/parent-proxy", test_parent_proxy);
  g_test_add_func ("/proxy/cut-concludes-nothing", test_cut_concludes_nothing);
  g_test_add_func ("/proxy/limit-evicts-oldest", test_limit_evicts_oldest);
  g_test_add_func ("/proxy/window-prunes", test_window_prunes);
  return g_test_run ();
}
