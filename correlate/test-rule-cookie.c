/* test-rule-cookie.c: the cookie jar's RFC 6265 matching
 * (track-cookie-jar.c) and the rules of rule-cookie.c
 * (insecure-cookie-dropped, cookie-expired, cookie-not-sent), through the
 * engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "track-cookie-jar.h"

#define NOCHAL (BIT (W4_CAUSE_MISSING_CHALLENGE) | BIT (W4_CAUSE_NO_CREDENTIALS))

static void
test_domain_match (void)
{
  static const struct {
    const char *host, *domain;
    gboolean match;
  } rows[] = {
    { "example.com", "example.com", TRUE },
    { "www.example.com", "example.com", TRUE },
    { "a.b.example.com", "example.com", TRUE },
    { "badexample.com", "example.com", FALSE },   /* no '.' before the suffix */
    { "example.com", "www.example.com", FALSE },
    { "example.org", "example.com", FALSE },
    { "1.2.3.4", "2.3.4", FALSE },                /* an address never suffix-matches */
    { "127.0.0.1", "127.0.0.1", TRUE },
    { "::1", "::1", TRUE },
    { "example.com", "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (w4_cor_cookie_domain_match (rows[i].host, rows[i].domain), ==,
                     rows[i].match);
}

static void
test_path_match (void)
{
  static const struct {
    const char *path, *cpath;
    gboolean match;
  } rows[] = {
    { "/app", "/app", TRUE },
    { "/app/home", "/app", TRUE },       /* next char is '/' */
    { "/app/home", "/app/", TRUE },      /* cookie path ends in '/' */
    { "/application", "/app", FALSE },   /* a prefix, but not at a '/' */
    { "/api/data", "/app", FALSE },
    { "/", "/app", FALSE },
    { "/anything", "/", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (w4_cor_cookie_path_match (rows[i].path, rows[i].cpath), ==,
                     rows[i].match);
}

static void
test_default_path_and_host (void)
{
  static const char *const paths[][2] = {
    { "/login", "/" }, { "/", "/" }, { "", "/" }, { "/app/login", "/app" }, { "/a/b/c", "/a/b" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autofree char *d = w4_cor_cookie_default_path (paths[i][0]);
    g_assert_cmpstr (d, ==, paths[i][1]);
  }
  {
    g_autofree char *h1 = w4_cor_cookie_host ("Example.COM:8080", "/x");
    g_autofree char *h2 = w4_cor_cookie_host ("[::1]:80", "/x");
    g_autofree char *h3 = w4_cor_cookie_host ("ignored", "http://Proxy.Example:3128/x");
    g_autofree char *p1 = w4_cor_cookie_req_path ("/api/data?token=1");
    g_autofree char *p2 = w4_cor_cookie_req_path ("http://h/app/x?y");
    g_assert_cmpstr (h1, ==, "example.com");
    g_assert_cmpstr (h2, ==, "::1");
    g_assert_cmpstr (h3, ==, "proxy.example");
    g_assert_cmpstr (p1, ==, "/api/data");
    g_assert_cmpstr (p2, ==, "/app/x");
  }
}

/* Login at frame 2 sets sid with Path=/app; /app/home carries it, /api/data
 * cannot: cookie-not-sent, saying which path. */
static void
test_not_sent_path (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/app; HttpOnly"));
  req (&fx, c, 3, 101, "GET", "/app/home", H ("Host: app.test", "Cookie: sid=abc"));
  resp (&fx, c, 4, 101, 200, NULL);
  req (&fx, c, 5, 102, "GET", "/api/data?x=1", H ("Host: app.test"));
  resp (&fx, c, 6, 102, 401, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_cmpstr (f->summary, ==,
                   "Cookie `sid` was set with Path=/app in frame 2, and /api/data is outside it; "
                   "GET /api/data carried none of the 1 unexpired cookie the server set for this "
                   "host.");
  g_assert_true (has_evidence (f, 2));
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number in {2,5,6}");
  fx_clear (&fx);
}

/* Max-Age=2 at 100 s, the request at 105 s without it: the client dropped
 * it; and with it (a client that keeps expired cookies): still sent. */
static void
test_expired_max_age (void)
{
  for (int still_sent = 0; still_sent < 2; still_sent++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
    resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; Max-Age=2"));
    req (&fx, c, 3, 101, "GET", "/app/home", H ("Host: app.test", "Cookie: sid=abc"));
    resp (&fx, c, 4, 101, 200, NULL);
    if (still_sent)
      req (&fx, c, 5, 105, "GET", "/app/home", H ("Host: app.test", "Cookie: sid=abc"));
    else
      req (&fx, c, 5, 105, "GET", "/app/home", H ("Host: app.test"));
    resp (&fx, c, 6, 105, 401, NULL);
    fx_finish (&fx);

    f = nth (&fx, 0);
    if (still_sent) {
      /* the same cookie value succeeded before: session-expired too */
      assert_failure (f, W4_CAUSE_COOKIE_EXPIRED,
                      BIT (W4_CAUSE_MISSING_CHALLENGE) | BIT (W4_CAUSE_SESSION_EXPIRED) |
                        BIT (W4_CAUSE_REJECTED_CREDENTIALS));
      g_assert_cmpstr (f->summary, ==,
                       "Cookie `sid` was set in frame 2 (Path=/; Max-Age=2) and expired 2 s "
                       "later, 3 s before GET /app/home; the client still sent it.");
    } else {
      assert_failure (f, W4_CAUSE_COOKIE_EXPIRED, NOCHAL);
      g_assert_nonnull (strstr (f->summary, "the client no longer sent it"));
      g_assert_true (has_evidence (f, 3));   /* the last request that carried it */
    }
    g_assert_true (has_evidence (f, 2));
    fx_clear (&fx);
  }
}

/* Deleted by Max-Age=0 (and by an Expires in the past): cookie-expired
 * names the deleting response. */
static void
test_deleted (void)
{
  static const char *const deleting[] = {
    "Set-Cookie: sid=; Path=/; Max-Age=0",
    "Set-Cookie: sid=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  };

  for (guint i = 0; i < G_N_ELEMENTS (deleting); i++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
    resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/"));
    req (&fx, c, 3, 101, "POST", "/logout", H ("Host: app.test", "Cookie: sid=abc"));
    resp (&fx, c, 4, 101, 200, H (deleting[i]));
    req (&fx, c, 5, 102, "GET", "/app/home", H ("Host: app.test"));
    resp (&fx, c, 6, 102, 401, NULL);
    fx_finish (&fx);

    f = nth (&fx, 0);
    assert_failure (f, W4_CAUSE_COOKIE_EXPIRED, NOCHAL);
    g_assert_nonnull (strstr (f->summary, "was deleted by the server in frame 4"));
    g_assert_true (has_evidence (f, 4));
    fx_clear (&fx);
  }
}

/* A Secure cookie set over http, never sent back over http: the client
 * dropped it for Secure. A client that did send it over http before (curl
 * on loopback) is not held back by Secure: no insecure-cookie-dropped. */
static void
test_insecure_dropped (void)
{
  for (int sent_before = 0; sent_before < 2; sent_before++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
    resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; Secure; HttpOnly"));
    if (sent_before)
      req (&fx, c, 3, 101, "GET", "/app/a", H ("Host: app.test", "Cookie: sid=abc"));
    else
      req (&fx, c, 3, 101, "GET", "/public", H ("Host: app.test"));
    resp (&fx, c, 4, 101, 200, NULL);
    req (&fx, c, 5, 102, "GET", "/app/home", H ("Host: app.test"));
    resp (&fx, c, 6, 102, 401, NULL);
    fx_finish (&fx);

    f = nth (&fx, 0);
    if (sent_before) {
      assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
      /* the client sent it over http: Secure is not why it stayed behind */
      g_assert_null (strstr (f->summary, "with Secure in frame 2"));
      g_assert_nonnull (strstr (f->summary, "nothing in the request keeps it from applying"));
    } else {
      assert_failure (f, W4_CAUSE_INSECURE_COOKIE_DROPPED,
                      NOCHAL | BIT (W4_CAUSE_COOKIE_NOT_SENT));
      g_assert_cmpstr (f->summary, ==,
                       "Cookie `sid` was set with Secure over plain http in frame 2 (Path=/; "
                       "Secure; HttpOnly); the client never sent it back over http, and GET "
                       "/app/home went without it.");
    }
    g_assert_true (has_evidence (f, 2));
    fx_clear (&fx);
  }
}

/* Chromium on *.localhost keeps a Secure; SameSite=Lax cookie set over
 * http and sends it over http; a cross-site fetch then goes without it for
 * SameSite, not for Secure. */
static void
test_not_sent_secure_then_samesite (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "127.0.0.1", 40000, "127.0.0.1", 8080);
  req (&fx, c, 1, 100, "GET", "/magic-login", H ("Host: b.localhost:8080"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; Secure; SameSite=Lax; HttpOnly"));
  req (&fx, c, 3, 101, "GET", "/go", H ("Host: b.localhost:8080", "Cookie: sid=abc"));
  resp (&fx, c, 4, 101, 200, NULL);
  req (&fx, c, 5, 102, "GET", "/api/data",
       H ("Host: b.localhost:8080", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors",
          "Referer: http://a.localhost:8080/"));
  resp (&fx, c, 6, 102, 401, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_nonnull (strstr (f->summary, "SameSite=Lax), and this request is cross-site "
                                        "(Sec-Fetch-Site: cross-site)"));
  g_assert_true (g_str_has_prefix (f->fix, "Set SameSite=None; Secure"));
  fx_clear (&fx);
}

/* A preflight never carries cookies: with a session cookie in the jar the
 * refused preflight is cors-preflight alone, no cookie cause related. */
static void
test_preflight_is_not_about_cookies (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: api.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; Secure; SameSite=None"));
  req (&fx, c, 3, 101, "OPTIONS", "/api/data",
       H ("Host: api.test", "Access-Control-Request-Method: PUT", "Origin: http://app.test",
          "Sec-Fetch-Mode: cors"));
  resp (&fx, c, 4, 101, 401, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_CORS_PREFLIGHT, NOCHAL);
  fx_clear (&fx);
}

/* Domain= that does not cover the host that set it: refused by clients. */
static void
test_not_sent_domain (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: www.app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Domain=other.test; Path=/"));
  req (&fx, c, 3, 101, "GET", "/app/home", H ("Host: www.app.test"));
  resp (&fx, c, 4, 101, 401, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_nonnull (strstr (f->summary, "with Domain=other.test, which does not cover"));
  fx_clear (&fx);
}

/* SameSite=Lax on a cross-site fetch (not a top-level navigation). */
static void
test_not_sent_samesite (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; SameSite=Lax"));
  req (&fx, c, 3, 101, "GET", "/api/data",
       H ("Host: app.test", "Origin: http://other.test", "Sec-Fetch-Site: cross-site",
          "Sec-Fetch-Mode: cors"));
  resp (&fx, c, 4, 101, 401, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_nonnull (strstr (f->summary, "SameSite=Lax), and this request is cross-site"));
  fx_clear (&fx);
}

/* Over http Chromium sends no Sec-Fetch-*: the Referer's site shows a
 * cross-site fetch; a same-site Referer (another host of the same site)
 * gives no SameSite reason. A top-level navigation may carry Lax cookies. */
static void
test_not_sent_samesite_by_referer (void)
{
  static const struct {
    const char *referer, *extra, *says;
  } rows[] = {
    { "Referer: http://site-a.test:8080/", "Accept: */*",
      "SameSite=Lax), and this request is cross-site (its Referer is on site-a.test)" },
    { "Referer: http://www.site-b.test/page?token=secret", "Accept: */*",
      "nothing in the request keeps it from applying" },
    { "Referer: http://site-a.test/", "Upgrade-Insecure-Requests: 1",
      "nothing in the request keeps it from applying" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "GET", "/magic-login", H ("Host: site-b.test"));
    resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; SameSite=Lax"));
    req (&fx, c, 3, 101, "GET", "/api/data", H ("Host: site-b.test", rows[i].referer, rows[i].extra));
    resp (&fx, c, 4, 101, 401, NULL);
    fx_finish (&fx);

    f = nth (&fx, 0);
    assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
    g_assert_nonnull (strstr (f->summary, rows[i].says));
    g_assert_null (strstr (f->summary, "secret"));
    fx_clear (&fx);
  }
}

/* SameSite=Strict stays behind even on a top-level navigation from another
 * site (where Lax goes): the summary and the fix say so; on a cross-site
 * fetch Strict reads like Lax. */
static void
test_not_sent_samesite_strict (void)
{
  static const struct {
    const char *method, *mode, *says, *fix;
  } rows[] = {
    { "GET", "Sec-Fetch-Mode: navigate",
      "SameSite=Strict), and this request is a top-level navigation from another site "
      "(Sec-Fetch-Site: cross-site): SameSite=Strict keeps the cookie off even those",
      "Set the cookie with SameSite=Lax if links from other sites" },
    { "GET", "Sec-Fetch-Mode: cors",
      "SameSite=Strict), and this request is cross-site (Sec-Fetch-Site: cross-site);",
      "Set SameSite=None; Secure" },
    /* a POST navigation carries no Lax cookie either: nothing to tell */
    { "POST", "Sec-Fetch-Mode: navigate",
      "SameSite=Strict), and this request is cross-site (Sec-Fetch-Site: cross-site);",
      "Set SameSite=None; Secure" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    Fx fx;
    W4ConnInfo *c;
    W4Finding *f;

    fx_init (&fx);
    c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
    req (&fx, c, 1, 100, "GET", "/magic-login", H ("Host: b.localhost"));
    resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/; SameSite=Strict; HttpOnly"));
    req (&fx, c, 3, 101, rows[i].method, "/app/home",
         H ("Host: b.localhost", "Sec-Fetch-Site: cross-site", rows[i].mode,
            "Referer: http://a.localhost/"));
    resp (&fx, c, 4, 101, 401, NULL);
    fx_finish (&fx);

    f = nth (&fx, 0);
    assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
    g_assert_nonnull (strstr (f->summary, rows[i].says));
    g_assert_true (g_str_has_prefix (f->fix, rows[i].fix));
    fx_clear (&fx);
  }
}

/* Cookies only count when the response asks for them: a Basic challenge
 * or an Authorization sent makes it an HTTP authentication failure. */
static void
test_http_auth_is_not_about_cookies (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Path=/app"));
  req (&fx, c, 3, 101, "GET", "/api/data", H ("Host: app.test"));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 5, 140, "GET", "/api/data", H ("Host: app.test", BASIC_TEST_WRONG));
  resp (&fx, c, 6, 140, 401, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_NO_CREDENTIALS, 0);
  assert_failure (nth (&fx, 1), W4_CAUSE_REJECTED_CREDENTIALS, BIT (W4_CAUSE_MISSING_CHALLENGE));
  fx_clear (&fx);
}

/* The jar's limit: past `cookies`, the cookie touched longest ago is
 * forgotten (counted, one warning); the forgotten one explains nothing. */
static void
test_jar_limit_evicts_oldest (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  guint limit_infos = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_COOKIES] = 2;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: old=1; Path=/old"));
  req (&fx, c, 3, 101, "POST", "/login2", H ("Host: app.test"));
  resp (&fx, c, 4, 101, 200, H ("Set-Cookie: a=1; Path=/a", "Set-Cookie: b=1; Path=/b"));
  /* /old: its cookie was forgotten, /a's is still kept */
  req (&fx, c, 5, 102, "GET", "/old/x", H ("Host: app.test"));
  resp (&fx, c, 6, 102, 401, NULL);
  req (&fx, c, 7, 103, "GET", "/c/x", H ("Host: app.test"));
  resp (&fx, c, 8, 103, 401, NULL);
  fx_finish (&fx);

  /* the two kept cookies are not for /old/x or /c/x but are for this host */
  assert_failure (nth (&fx, 0), W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_null (strstr (nth (&fx, 0)->summary, "`old`"));
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "none of the 2 unexpired cookies"));
  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    if (f->cause == W4_CAUSE_LIMIT) {
      limit_infos++;
      g_assert_cmpuint (f->count, ==, 1);
      g_assert_nonnull (strstr (f->summary, "cookies"));
    }
  }
  g_assert_cmpuint (limit_infos, ==, 1);
  fx_clear (&fx);
}

/* A Domain= cookie set by one host applies to its sibling: the request's
 * parent domains are looked up too. */
static void
test_domain_cookie_reaches_sibling (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: www.app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Domain=.app.test; Path=/app"));
  req (&fx, c, 3, 101, "GET", "/api/x", H ("Host: API.app.test:80"));
  resp (&fx, c, 4, 101, 401, NULL);
  /* another site: the cookie is not for it, nothing cookie-related */
  req (&fx, c, 5, 102, "GET", "/api/x", H ("Host: app.other"));
  resp (&fx, c, 6, 102, 401, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  g_assert_nonnull (strstr (f->summary, "with Path=/app in frame 2, and /api/x is outside it"));
  assert_failure (nth (&fx, 1), W4_CAUSE_NO_CREDENTIALS, BIT (W4_CAUSE_MISSING_CHALLENGE));
  fx_clear (&fx);
}

/* A Host longer than a DNS name can be is looked up whole only (a
 * hostile one with thousands of dots must not cost a lookup per dot). */
static void
test_overlong_host_looked_up_whole (void)
{
  Fx fx;
  W4ConnInfo *c;
  GString *host = g_string_new ("Host: ");

  for (guint i = 0; i < 130; i++)
    g_string_append (host, "a.");
  g_string_append (host, "app.test");
  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: www.app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: sid=abc; Domain=app.test; Path=/app"));
  req (&fx, c, 3, 101, "GET", "/api/x", H (host->str));
  resp (&fx, c, 4, 101, 401, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_NO_CREDENTIALS, BIT (W4_CAUSE_MISSING_CHALLENGE));
  g_string_free (host, TRUE);
  fx_clear (&fx);
}

/* cookies-per-host: past it, the host's cookie touched longest ago goes
 * (here `a`, set first and never sent; `b` was sent since). */
static void
test_per_host_limit_evicts_least_recent (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  guint limit_infos = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_COOKIES_PER_HOST] = 2;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 2, 100, 200, H ("Set-Cookie: a=1; Path=/a", "Set-Cookie: b=1; Path=/b"));
  req (&fx, c, 3, 101, "GET", "/b/x", H ("Host: app.test", "Cookie: b=1"));
  resp (&fx, c, 4, 101, 200, NULL);
  req (&fx, c, 5, 102, "POST", "/login", H ("Host: app.test"));
  resp (&fx, c, 6, 102, 200, H ("Set-Cookie: c=1; Path=/c"));
  req (&fx, c, 7, 103, "GET", "/z", H ("Host: app.test"));
  resp (&fx, c, 8, 103, 401, NULL);
  /* b is still known (it was sent after a was set): carrying it is
   * carrying one of this host's cookies */
  req (&fx, c, 9, 104, "GET", "/z", H ("Host: app.test", "Cookie: b=1"));
  resp (&fx, c, 10, 104, 401, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_COOKIE_NOT_SENT, NOCHAL);
  /* b and c are left: two live cookies, and the first one named is b */
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "none of the 2 unexpired cookies"));
  g_assert_null (strstr (nth (&fx, 0)->summary, "`a`"));
  g_assert_cmpuint (nth (&fx, 1)->cause, !=, W4_CAUSE_COOKIE_NOT_SENT);
  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    if (f->cause == W4_CAUSE_LIMIT) {
      limit_infos++;
      g_assert_nonnull (strstr (f->summary, "cookies-per-host"));
    }
  }
  g_assert_cmpuint (limit_infos, ==, 1);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cookie/domain-match", test_domain_match);
  g_test_add_func ("/cookie/path-match", test_path_match);
  g_test_add_func ("/cookie/default-path-and-host", test_default_path_and_host);
  g_test_add_func ("/cookie/not-sent/path", test_not_sent_path);
  g_test_add_func ("/cookie/expired/max-age", test_expired_max_age);
  g_test_add_func ("/cookie/expired/deleted", test_deleted);
  g_test_add_func ("/cookie/insecure-dropped", test_insecure_dropped);
  g_test_add_func ("/cookie/not-sent/domain", test_not_sent_domain);
  g_test_add_func ("/cookie/not-sent/samesite", test_not_sent_samesite);
  g_test_add_func ("/cookie/not-sent/samesite-by-referer", test_not_sent_samesite_by_referer);
  g_test_add_func ("/cookie/not-sent/samesite-strict", test_not_sent_samesite_strict);
  g_test_add_func ("/cookie/not-sent/secure-then-samesite", test_not_sent_secure_then_samesite);
  g_test_add_func ("/cookie/preflight-is-not-about-cookies", test_preflight_is_not_about_cookies);
  g_test_add_func ("/cookie/http-auth-is-not-about-cookies", test_http_auth_is_not_about_cookies);
  g_test_add_func ("/cookie/jar-limit-evicts-oldest", test_jar_limit_evicts_oldest);
  g_test_add_func ("/cookie/per-host-limit-evicts-least-recent",
                   test_per_host_limit_evicts_least_recent);
  g_test_add_func ("/cookie/domain-cookie-reaches-sibling", test_domain_cookie_reaches_sibling);
  g_test_add_func ("/cookie/overlong-host-looked-up-whole", test_overlong_host_looked_up_whole);
  return g_test_run ();
}
