/* test-rule-redirect.c: the redirect tracker's URL arithmetic (RFC 3986
 * reference resolution, origins), its limit, and the rule
 * credentials-dropped-on-redirect through the engine fed with synthetic
 * events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "track-redirect.h"

static void
base_url (W4Url *u, const char *scheme, const char *host, guint16 port, const char *path,
          const char *query)
{
  u->scheme = g_strdup (scheme);
  u->host = g_strdup (host);
  u->port = port;
  u->path = g_strdup (path);
  u->query = g_strdup (query);
}

/* RFC 3986 5.4's examples (base http://a/b/c/d;p?q) that http(s) allows,
 * plus scheme-relative, absolute, ports and IPv6. */
static void
test_resolve_table (void)
{
  static const struct {
    const char *ref, *want;
  } cases[] = {
    { "g", "http://a/b/c/g" },
    { "./g", "http://a/b/c/g" },
    { "g/", "http://a/b/c/g/" },
    { "/g", "http://a/g" },
    { "//g", "http://g/" },
    { "?y", "http://a/b/c/d;p?y" },
    { "g?y", "http://a/b/c/g?y" },
    { "#s", "http://a/b/c/d;p?q" },
    { "g#s", "http://a/b/c/g" },
    { ";x", "http://a/b/c/;x" },
    { "", "http://a/b/c/d;p?q" },
    { ".", "http://a/b/c/" },
    { "./", "http://a/b/c/" },
    { "..", "http://a/b/" },
    { "../", "http://a/b/" },
    { "../g", "http://a/b/g" },
    { "../..", "http://a/" },
    { "../../g", "http://a/g" },
    { "../../../g", "http://a/g" },
    { "/./g", "http://a/g" },
    { "/../g", "http://a/g" },
    { "g.", "http://a/b/c/g." },
    { "..g", "http://a/b/c/..g" },
    { "./../g", "http://a/b/g" },
    { "g/./h", "http://a/b/c/g/h" },
    { "g/../h", "http://a/b/c/h" },
    { "HTTPS://B.Example:8443/x?y=1", "https://b.example:8443/x?y=1" },
    { "https://b.example:443/", "https://b.example/" },
    { "//b.example:8080/p", "http://b.example:8080/p" },
    { "http://user:pw@c.example/", "http://c.example/" },
    { "http://[::1]:8002/v6", "http://[::1]:8002/v6" },
    { "http://c.example", "http://c.example/" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    W4Url base = { 0 }, out;
    g_autofree char *got = NULL;

    base_url (&base, "http", "a", 80, "/b/c/d;p", "q");
    g_assert_true (w4_url_resolve (&base, cases[i].ref, strlen (cases[i].ref), &out));
    got = w4_url_to_string (&out);
    g_assert_cmpstr (got, ==, cases[i].want);
    w4_url_clear (&out);
    w4_url_clear (&base);
  }
}

/* What is not followed to a host is not tracked. */
static void
test_resolve_refused (void)
{
  static const char *const refs[] = {
    "ftp://a/x", "mailto:x@y", "http:/no-authority", "http://a:99999/", "http://a:x/",
    "http:///path", "http://[::1/", "/a\r\nSet-Cookie: x", "javascript:alert(1)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refs); i++) {
    W4Url base = { 0 }, out;

    base_url (&base, "http", "a", 80, "/", NULL);
    g_assert_false (w4_url_resolve (&base, refs[i], strlen (refs[i]), &out));
    g_assert_null (out.scheme);
    w4_url_clear (&base);
  }
}

static void
test_request_url_and_origin (void)
{
  W4Endpoint srv;
  W4Url a, b, c, d;
  g_autofree char *oa = NULL, *ob = NULL, *od = NULL;

  set_ep (&srv, "10.0.0.2", 8001);
  g_assert_true (w4_url_of_request (FALSE, "A.example:8001", &srv, "/x?y", &a));
  g_assert_true (w4_url_of_request (TRUE, "a.example:8001", &srv, "/z", &b));
  g_assert_true (w4_url_of_request (FALSE, NULL, &srv, "/x", &c));
  g_assert_true (w4_url_of_request (FALSE, "ignored", &srv, "http://a.example:8001/p", &d));
  oa = w4_url_origin (&a);
  ob = w4_url_origin (&b);
  od = w4_url_origin (&d);
  g_assert_cmpstr (oa, ==, "http://a.example:8001");
  g_assert_cmpstr (ob, ==, "https://a.example:8001");
  g_assert_cmpstr (od, ==, "http://a.example:8001");
  g_assert_cmpstr (c.host, ==, "10.0.0.2");
  g_assert_cmpuint (c.port, ==, 8001);
  /* scheme differs (TLS or not), host differs, port differs */
  g_assert_false (w4_url_same_origin (&a, &b));
  g_assert_false (w4_url_same_origin (&a, &c));
  g_assert_true (w4_url_same_origin (&a, &d));
  w4_url_clear (&a);
  w4_url_clear (&b);
  w4_url_clear (&c);
  w4_url_clear (&d);

  {
    W4Url e;
    g_assert_false (w4_url_of_request (FALSE, "a", &srv, "*", &e));
    g_assert_false (w4_url_of_request (FALSE, "a", &srv, "a.example:443", &e));
    g_assert_true (w4_url_of_request (FALSE, "a.example", &srv, "/", &e));
    g_assert_cmpuint (e.port, ==, 80);
    w4_url_clear (&e);
  }
}

#define AUTH_A "Host: a.example:8001"
#define HOST_B "Host: b.example:8002"

/* curl -L -u: A answers 302 to B, curl drops Authorization on the
 * cross-origin hop, B answers 401. */
static void
test_dropped_cross_origin (void)
{
  Fx fx;
  W4ConnInfo *a, *b;
  W4Finding *f;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 8001);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 8002);
  req (&fx, a, 4, 100, "GET", "/start", H (AUTH_A, BASIC_TEST_OK));
  resp (&fx, a, 6, 100, 302, H ("Location: http://b.example:8002/data"));
  req (&fx, b, 12, 100.1, "GET", "/data", H (HOST_B));
  resp (&fx, b, 14, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"b\""));
  fx_finish (&fx);

  /* the failure, and the cleartext-credentials risk of frame 4 */
  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 1);
  f = nth (&fx, 0);
  /* no-credentials holds too: nothing was sent */
  assert_failure (f, W4_CAUSE_CREDENTIALS_DROPPED_ON_REDIRECT, BIT (W4_CAUSE_NO_CREDENTIALS));
  g_assert_cmpstr (f->summary, ==,
                   "GET /data followed the 302 redirect at frame 6 from http://a.example:8001 to "
                   "http://b.example:8002, another origin: the request to http://a.example:8001 "
                   "(frame 4) carried Authorization, the client left it out on the cross-origin "
                   "hop, and the server answered 401.");
  g_assert_true (has_evidence (f, 4));
  g_assert_true (has_evidence (f, 6));
  g_assert_true (has_evidence (f, 12));
  g_assert_true (has_evidence (f, 14));
  fx_clear (&fx);
}

/* A relative Location stays on the origin: curl keeps Authorization, and
 * a failure there is something else. */
static void
test_same_origin_no_finding (void)
{
  Fx fx;
  W4ConnInfo *a;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 8001);
  req (&fx, a, 4, 100, "GET", "/old/x", H (AUTH_A, BASIC_TEST_OK));
  resp (&fx, a, 6, 100, 301, H ("Location: ../new"));
  req (&fx, a, 8, 100.1, "GET", "/new", H (AUTH_A));
  resp (&fx, a, 10, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"a\""));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_NO_CREDENTIALS, 0);
  fx_clear (&fx);
}

/* The redirected request had no Authorization: nothing was dropped. Nor
 * when the follow-up comes later than the window, or from another client. */
static void
test_not_dropped (void)
{
  Fx fx;
  W4ConnInfo *a, *b, *b2, *b3;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 8001);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 8002);
  b2 = fx_conn (&fx, 2, "10.0.0.9", 40002, "10.0.0.3", 8002);
  b3 = fx_conn (&fx, 3, "10.0.0.1", 40003, "10.0.0.3", 8002);
  req (&fx, a, 1, 100, "GET", "/start", H (AUTH_A));
  resp (&fx, a, 2, 100, 302, H ("Location: http://b.example:8002/data"));
  req (&fx, b, 3, 100.1, "GET", "/data", H (HOST_B));
  resp (&fx, b, 4, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"b\""));
  req (&fx, a, 5, 200, "GET", "/start", H (AUTH_A, BASIC_TEST_OK));
  resp (&fx, a, 6, 200, 302, H ("Location: http://b.example:8002/data"));
  req (&fx, b2, 7, 200.1, "GET", "/data", H (HOST_B));
  resp (&fx, b2, 8, 200.1, 401, H ("WWW-Authenticate: Basic realm=\"b\""));
  req (&fx, b3, 9, 200 + W4_COR_REDIRECT_FOLLOW_SEC + 1, "GET", "/data", H (HOST_B));
  resp (&fx, b3, 10, 200 + W4_COR_REDIRECT_FOLLOW_SEC + 1, 401,
        H ("WWW-Authenticate: Basic realm=\"b\""));
  fx_finish (&fx);

  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_failure (nth (&fx, i), W4_CAUSE_NO_CREDENTIALS, 0);
  fx_clear (&fx);
}

/* The "redirects" limit: the oldest 3xx is forgotten (and counted), so its
 * follow-up is not linked; the newer one still is. */
static void
test_limit_evicts_oldest (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  W4ConnInfo *a, *b;
  guint dropped = 0, linked = 0;

  memset (&fx, 0, sizeof fx);
  w4_limits_init (&limits);
  g_assert_true (w4_limits_set (&limits, "redirects=1"));
  fx.out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 8001);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 8002);
  req (&fx, a, 1, 100, "GET", "/one", H (AUTH_A, BASIC_TEST_OK));
  resp (&fx, a, 2, 100, 302, H ("Location: http://b.example:8002/one"));
  req (&fx, a, 3, 100, "GET", "/two", H (AUTH_A, BASIC_TEST_OK));
  resp (&fx, a, 4, 100, 302, H ("Location: http://b.example:8002/two"));
  g_assert_cmpuint (w4_cor_redirects_size (fx.cor), ==, 1);
  req (&fx, b, 5, 100.1, "GET", "/one", H (HOST_B));
  resp (&fx, b, 6, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"b\""));
  req (&fx, b, 7, 100.1, "GET", "/two", H (HOST_B));
  resp (&fx, b, 8, 100.1, 401, H ("WWW-Authenticate: Basic realm=\"b\""));
  fx_finish (&fx);

  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    if (f->kind == W4_KIND_INFO && f->cause == W4_CAUSE_LIMIT)
      dropped++;
    else if (f->cause == W4_CAUSE_CREDENTIALS_DROPPED_ON_REDIRECT)
      linked++;
  }
  g_assert_cmpuint (linked, ==, 1);
  g_assert_cmpuint (dropped, ==, 1);
  g_assert_cmpuint (nth (&fx, 0)->cause, ==, W4_CAUSE_NO_CREDENTIALS);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/redirect/resolve-table", test_resolve_table);
  g_test_add_func ("/redirect/resolve-refused", test_resolve_refused);
  g_test_add_func ("/redirect/request-url-and-origin", test_request_url_and_origin);
  g_test_add_func ("/redirect/dropped-cross-origin", test_dropped_cross_origin);
  g_test_add_func ("/redirect/same-origin-no-finding", test_same_origin_no_finding);
  g_test_add_func ("/redirect/not-dropped", test_not_dropped);
  g_test_add_func ("/redirect/limit-evicts-oldest", test_limit_evicts_oldest);
  return g_test_run ();
}
