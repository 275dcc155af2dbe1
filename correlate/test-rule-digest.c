/* test-rule-digest.c: the rules of rule-digest.c (stale-nonce), through
 * the engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"

/* A proxy's stale nonce: the summary names the proxy, the fix is the
 * cause table's, and the credentials are not called rejected (stale=true
 * says the digest itself was right, RFC 7616 3.3). */
static void
test_stale_nonce_proxy (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.3", 3128);
  req (&fx, c, 1, 100, "GET", "http://example.com/",
       H ("Proxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", "
          "uri=\"http://example.com/\", response=\"0123\""));
  resp (&fx, c, 2, 100, 407,
        H ("Proxy-Authenticate: Digest realm=\"r\", nonce=\"m\", stale=true"));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_STALE_NONCE, 0);
  g_assert_cmpstr (nth (&fx, 0)->summary, ==,
                   "The proxy marked the Digest nonce stale (stale=true), and the client did not "
                   "get through with the new nonce.");
  g_assert_cmpstr (nth (&fx, 0)->fix, ==, w4_cause_info (W4_CAUSE_STALE_NONCE)->fix);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/stale-nonce-proxy", test_stale_nonce_proxy);
  return g_test_run ();
}
