/* test-rule-account.c: the rules of rule-account.c (permission-denied, session-expired,
 * rejected-credentials, and the fallbacks forbidden and unexplained),
 * through the engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"

/* Rejected credentials are never a note, even when another user then
 * succeeds: that success is evidence. */
static void
test_rejected_other_user_succeeds (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/x", H (BASIC_TEST_WRONG));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 3, 101, "GET", "/x", H (BASIC_BOB));
  resp (&fx, c, 4, 101, 200, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->principal, ==, "test");
  g_assert_true (has_evidence (f, 4));
  g_assert_cmpstr (f->summary, ==,
                   "The server rejected Basic credentials for user test; no request in this "
                   "capture succeeded with them, but user bob succeeded on this server (frame 4), "
                   "so the problem is specific to this account.");
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number in {1,2,4}");
  fx_clear (&fx);
}

static void
test_permission_denied (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/home", H (BASIC_TEST_OK));
  resp (&fx, c, 2, 100, 200, NULL);
  req (&fx, c, 3, 101, "GET", "/admin", H (BASIC_TEST_OK));
  resp (&fx, c, 4, 101, 403, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  /* Succeeded before, not after, but a 403: no session-expired. */
  assert_failure (f, W4_CAUSE_PERMISSION_DENIED, 0);
  g_assert_cmpuint (f->status, ==, 403);
  g_assert_true (has_evidence (f, 2));
  fx_clear (&fx);
}

static void
test_session_expired (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 443);
  req (&fx, c, 1, 100, "GET", "/api/a", H (BEARER));
  resp (&fx, c, 2, 100, 200, NULL);
  req (&fx, c, 3, 400, "GET", "/api/b", H (BEARER));
  resp (&fx, c, 4, 400, 401, H ("WWW-Authenticate: Bearer realm=\"api\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_SESSION_EXPIRED, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_nonnull (strstr (f->summary, "5 min 0 s after its first success"));
  g_assert_true (has_evidence (f, 2));
  fx_clear (&fx);
}

static void
test_unexplained_and_orphan (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  /* The request was not captured. */
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_UNEXPLAINED, 0);
  g_assert_null (f->method);
  g_assert_null (f->uri);
  g_assert_null (f->host);
  g_assert_cmpuint (f->request_frame, ==, 0);
  g_assert_cmpuint (f->response_frame, ==, 2);
  g_assert_cmpstr (f->wireshark_filter, ==, "tcp.stream eq 0 && frame.number == 2");
  fx_clear (&fx);
}

/* NTLM type 1 answered by the server's type 2 is the handshake going on,
 * not a rejection: when the next leg fails with 400 the 401 is unexplained
 * with the next leg in evidence, and repeated type 1 messages (the same
 * bytes every time) are no retry storm. Modelled on ndpi/webdav-ntlm.pcap. */
static void
test_ntlm_first_leg_not_rejected (void)
{
  Fx fx;
  W4Finding *f;
  /* NTLMSSP type 1 (negotiate) and a type 2 challenge from the server */
  const char *type1 = "Authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==";
  const char *type2 = "WWW-Authenticate: NTLM TlRMTVNTUAACAAAADAAMADgAAAAFgomiESIzRFVmd4gAAAAAAAAAAAAAAAAAAAAABgGxHQAAAA9MAEEAQgA=";
  /* type 3 from DOM\\bob (Unicode, no LM/NT responses: enough to name the user) */
  const char *type3 = "Authorization: NTLM TlRMTVNTUAADAAAAAAAAAEAAAAAAAAAAQAAAAAYABgBAAAAABgAGAEYAAAAAAAAATAAAAAAAAABMAAAAAQAAAEQATwBNAGIAbwBiAA==";

  fx_init (&fx);
  for (guint i = 0; i < 5; i++) {
    W4ConnInfo *c = fx_conn (&fx, i, "10.0.0.1", 40000 + i, "10.0.0.2", 80);
    req (&fx, c, 1 + 4 * i, 100 + i, "MOVE", "/webdav", H (type1));
    resp (&fx, c, 2 + 4 * i, 100 + i, 401, H (type2));
    req (&fx, c, 3 + 4 * i, 100 + i, "MOVE", "/webdav", H (type3));
    resp (&fx, c, 4 + 4 * i, 100 + i, 400, NULL);
  }
  fx_finish (&fx);

  g_assert_cmpuint (count_kind (&fx, W4_KIND_FAILURE), ==, 5);
  g_assert_cmpuint (count_kind (&fx, W4_KIND_RISK), ==, 0);
  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_UNEXPLAINED, 0);
  g_assert_nonnull (strstr (f->summary, "next leg (frame 3) got 400"));
  /* the type 1 names nobody: the handshake's type 3 names the user */
  g_assert_cmpstr (f->principal, ==, "DOM\\bob");
  g_assert_cmpuint (fx.summary->by_principal->len, ==, 1);
  g_assert_cmpuint (f->evidence->len, ==, 4);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/rejected/other-user-succeeds", test_rejected_other_user_succeeds);
  g_test_add_func ("/correlate/permission-denied", test_permission_denied);
  g_test_add_func ("/correlate/session-expired", test_session_expired);
  g_test_add_func ("/correlate/unexplained-orphan", test_unexplained_and_orphan);
  g_test_add_func ("/correlate/ntlm-first-leg-not-rejected", test_ntlm_first_leg_not_rejected);
  return g_test_run ();
}
