/* test-rule-header.c: the rules of rule-header.c (cors-preflight,
 * wrong-auth-header, scheme-mismatch, malformed-credentials,
 * no-credentials), through the engine fed with synthetic events
 * (test-fixture.h). cors-preflight's precedence is in test-correlate.c. */
#include <string.h>

#include "test-fixture.h"

static void
test_wrong_auth_header (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.3", 3128);
  req (&fx, c, 1, 100, "GET", "http://example.com/", H ("Host: example.com", BASIC_TEST_OK));
  resp (&fx, c, 2, 100, 407, H ("Proxy-Authenticate: Basic realm=\"proxy\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  /* No Proxy-Authorization either: no-credentials also holds. */
  assert_failure (f, W4_CAUSE_WRONG_AUTH_HEADER, BIT (W4_CAUSE_NO_CREDENTIALS));
  g_assert_cmpuint (f->status, ==, 407);
  g_assert_cmpstr (f->fix, ==,
                   "Send the proxy credentials in Proxy-Authorization, which is what a 407 asks for.");
  fx_clear (&fx);
}

static void
test_scheme_mismatch (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/api", H (BEARER));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_SCHEME_MISMATCH, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The request sent Bearer credentials in Authorization, but the server offers "
                   "only Basic.");
  g_assert_nonnull (strstr (ev_what (f, 0), "Bearer (sha256:"));
  g_assert_null (strstr (ev_what (f, 0), "abcdef"));
  fx_clear (&fx);
}

static void
test_malformed (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H ("Authorization: Basic !!!notbase64"));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 3, 101, "GET", "/b", H (BASIC_TEST_OK, BASIC_BOB));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_MALFORMED_CREDENTIALS, 0);
  assert_failure (nth (&fx, 1), W4_CAUSE_MALFORMED_CREDENTIALS,
                  BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  /* each copy named, with the fingerprint that tells them apart, never
   * the password */
  g_assert_true (g_str_has_prefix (nth (&fx, 1)->summary,
                                   "The request carried 2 Authorization headers with different "
                                   "credentials: Basic credentials for user test (sha256:"));
  g_assert_nonnull (strstr (nth (&fx, 1)->summary, "), then Basic credentials for user bob "
                                                   "(sha256:"));
  g_assert_true (g_str_has_suffix (nth (&fx, 1)->summary,
                                   "; servers reject that or act on one of them."));
  g_assert_null (strstr (nth (&fx, 1)->summary, "secret"));
  fx_clear (&fx);
}

/* The same header twice, an empty Bearer, and more copies than are named;
 * a proxy's 407 names Proxy-Authorization's copies, not Authorization's. */
static void
test_malformed_specific (void)
{
  Fx fx;
  W4ConnInfo *c;
  const char *f4;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H (BEARER, BEARER));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Bearer realm=\"x\""));
  req (&fx, c, 3, 101, "GET", "/b", H ("Authorization: Bearer"));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Bearer realm=\"x\""));
  req (&fx, c, 5, 102, "GET", "/c",
       H (BASIC_TEST_OK, BASIC_BOB, BASIC_TEST_OK, BASIC_BOB, BASIC_TEST_WRONG, BASIC_BOB));
  resp (&fx, c, 6, 102, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 7, 103, "GET", "http://example.com/",
       H (BASIC_TEST_OK, "Proxy-Authorization: Basic Ym9iOnNlY3JldA==",
          "Proxy-Authorization: Basic !!!"));
  resp (&fx, c, 8, 103, 407, H ("Proxy-Authenticate: Basic realm=\"p\""));
  fx_finish (&fx);

  g_assert_true (g_str_has_prefix (nth (&fx, 0)->summary,
                                   "The request carried 2 Authorization headers, all the same: "
                                   "the Bearer token sha256:"));
  g_assert_null (strstr (nth (&fx, 0)->summary, "abcdef"));
  g_assert_cmpstr (nth (&fx, 1)->summary, ==,
                   "The Authorization header (Bearer) cannot be parsed: empty credentials.");
  f4 = nth (&fx, 2)->summary;
  g_assert_true (g_str_has_prefix (f4, "The request carried 6 Authorization headers with "
                                       "different credentials: "));
  /* four named, then "..." */
  g_assert_nonnull (strstr (f4, "user bob (sha256:"));
  g_assert_true (g_str_has_suffix (f4, ", ...; servers reject that or act on one of them."));
  {
    guint thens = 0;
    for (const char *p = f4; (p = strstr (p, ", then ")) != NULL; p++)
      thens++;
    g_assert_cmpuint (thens, ==, 3);
  }
  g_assert_cmpint (nth (&fx, 3)->cause, ==, W4_CAUSE_MALFORMED_CREDENTIALS);
  g_assert_true (g_str_has_prefix (nth (&fx, 3)->summary,
                                   "The request carried 2 Proxy-Authorization headers with "
                                   "different credentials: Basic credentials for user bob "
                                   "(sha256:"));
  g_assert_nonnull (strstr (nth (&fx, 3)->summary,
                            ", then Basic that cannot be parsed (Basic payload is not base64)"));
  fx_clear (&fx);
}

/* A preflight says what it asks for: the method, the headers, the page's
 * origin; the fix names the CORS headers to answer with. */
static void
test_cors_preflight_words (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "OPTIONS", "/api/data",
       H ("Host: api.test", "Access-Control-Request-Method: GET",
          "Access-Control-Request-Headers: authorization,x-trace", "Origin: http://app.test"));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Bearer realm=\"api\""));
  req (&fx, c, 3, 101, "OPTIONS", "/api/other", H ("Access-Control-Request-Method: PUT"));
  resp (&fx, c, 4, 101, 403, NULL);
  req (&fx, c, 5, 102, "OPTIONS", "/api/x", H ("Access-Control-Request-Method:"));
  resp (&fx, c, 6, 102, 401, NULL);
  fx_finish (&fx);

  /* an empty method: the general words */
  g_assert_cmpstr (nth (&fx, 2)->summary, ==,
                   "The browser's CORS preflight (OPTIONS with Access-Control-Request-Method) for "
                   "/api/x was refused with 401; browsers never send credentials on a preflight.");
  f = nth (&fx, 0);
  g_assert_cmpint (f->cause, ==, W4_CAUSE_CORS_PREFLIGHT);
  g_assert_cmpstr (f->summary, ==,
                   "The browser's CORS preflight for GET /api/data with the headers "
                   "authorization,x-trace, from a page on http://app.test (OPTIONS /api/data) was "
                   "refused with 401; browsers never send credentials on a preflight, so the GET "
                   "itself is not sent.");
  g_assert_cmpstr (f->fix, ==,
                   "Let OPTIONS requests through without authentication, and answer them with "
                   "Access-Control-Allow-Origin: http://app.test and Access-Control-Allow-Headers: "
                   "authorization,x-trace.");
  f = nth (&fx, 1);
  g_assert_cmpint (f->cause, ==, W4_CAUSE_CORS_PREFLIGHT);
  g_assert_true (g_str_has_prefix (f->summary, "The browser's CORS preflight for PUT /api/other "
                                               "(OPTIONS /api/other) was refused with 403;"));
  g_assert_cmpstr (f->fix, ==,
                   "Let OPTIONS requests through without authentication, and answer them with "
                   "Access-Control-Allow-Origin: <the page's origin>.");
  fx_clear (&fx);
}

/* A preflight let through, then the real request with a token the server
 * refuses: that failure is the token's, not the preflight's. */
static void
test_cors_preflight_passed (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "OPTIONS", "/api/data",
       H ("Access-Control-Request-Method: GET", "Access-Control-Request-Headers: authorization",
          "Origin: http://app.test"));
  resp (&fx, c, 2, 100, 204, H ("Access-Control-Allow-Origin: http://app.test"));
  req (&fx, c, 3, 101, "GET", "/api/data", H (BEARER, "Origin: http://app.test"));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\""));
  fx_finish (&fx);

  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 1);
  assert_failure (nth (&fx, 0), W4_CAUSE_REJECTED_CREDENTIALS, 0);
  fx_clear (&fx);
}

static void
test_no_credentials (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", NULL);
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  /* Cookies only, and the server challenges only Basic: the cookies do
   * not count. */
  req (&fx, c, 3, 101, "GET", "/b", H ("Cookie: PHPSESSID=abc123; theme=dark"));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_NO_CREDENTIALS, 0);
  g_assert_null (f->principal);
  g_assert_cmpstr (ev_what (f, 0), ==, "GET /a without credentials");
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_NO_CREDENTIALS, 0);
  g_assert_nonnull (strstr (f->summary, "cookies (PHPSESSID, theme)"));
  g_assert_null (strstr (f->summary, "abc123"));
  fx_clear (&fx);
}

/* An API key with a space cannot be parsed: the summary and the fix name
 * the API key's own header, as the rule found it (not Authorization). */
static void
test_malformed_api_key (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H ("X-API-Key: abc def"));
  resp (&fx, c, 2, 100, 401, NULL);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_MALFORMED_CREDENTIALS, BIT (W4_CAUSE_MISSING_CHALLENGE));
  g_assert_true (
    g_str_has_prefix (nth (&fx, 0)->summary, "The X-API-Key header cannot be parsed: "));
  g_assert_cmpstr (nth (&fx, 0)->fix, ==, "Fix how the client builds the X-API-Key header.");
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/wrong-auth-header", test_wrong_auth_header);
  g_test_add_func ("/correlate/scheme-mismatch", test_scheme_mismatch);
  g_test_add_func ("/correlate/malformed", test_malformed);
  g_test_add_func ("/correlate/no-credentials", test_no_credentials);
  g_test_add_func ("/correlate/malformed-api-key", test_malformed_api_key);
  g_test_add_func ("/correlate/malformed-specific", test_malformed_specific);
  g_test_add_func ("/correlate/cors-preflight-words", test_cors_preflight_words);
  g_test_add_func ("/correlate/cors-preflight-passed", test_cors_preflight_passed);
  return g_test_run ();
}
