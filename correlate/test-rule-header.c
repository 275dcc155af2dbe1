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
  g_assert_cmpstr (nth (&fx, 1)->summary, ==,
                   "The request carried 2 Authorization headers; servers reject that or pick one "
                   "arbitrarily.");
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
  return g_test_run ();
}
