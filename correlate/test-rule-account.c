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
                   "capture succeeded with them (user test: 0 of 1 on this server), but user bob: "
                   "1 of 1 succeeded (the last at frame 4), so the problem is specific to this "
                   "account.");
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
  g_assert_cmpstr (f->summary, ==,
                   "The Bearer token sha256:f445801e0cb8 worked on this server for 5 min 0 s, "
                   "from its first success (frame 2 at 00:01:40.000) to this refusal; it "
                   "succeeded once, the last at frame 2 (00:01:40.000), and nothing succeeded "
                   "with it afterwards.");
  g_assert_true (has_evidence (f, 2));
  fx_clear (&fx);
}

/* A session that lasts a few seconds: the lifetime to a tenth of a second
 * from the first success to the first refusal; a retry refused later says
 * how long after that first refusal it came, which is in the evidence. */
static void
test_session_expired_lifetime (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100.0, "GET", "/api/a", H (BEARER));
  resp (&fx, c, 2, 100.25, 200, NULL);
  req (&fx, c, 3, 102.0, "GET", "/api/b", H (BEARER));
  resp (&fx, c, 4, 102.5, 200, NULL);
  req (&fx, c, 5, 105.0, "GET", "/api/c", H (BEARER));
  resp (&fx, c, 6, 105.2, 401, H ("WWW-Authenticate: Bearer realm=\"api\""));
  req (&fx, c, 7, 107.0, "GET", "/api/d", H (BEARER));
  resp (&fx, c, 8, 107.3, 401, H ("WWW-Authenticate: Bearer realm=\"api\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_SESSION_EXPIRED, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  /* 105.2 - 100.25 = 4.95 s: truncated, never rounded up */
  g_assert_cmpstr (f->summary, ==,
                   "The Bearer token sha256:f445801e0cb8 worked on this server for 4.9 s, from "
                   "its first success (frame 2 at 00:01:40.250) to this refusal; it succeeded 2 "
                   "times, the last at frame 4 (00:01:42.500), and nothing succeeded with it "
                   "afterwards.");
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_SESSION_EXPIRED, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (f->summary, ==,
                   "The Bearer token sha256:f445801e0cb8 worked on this server for 4.9 s, from "
                   "its first success (frame 2 at 00:01:40.250) to its first refusal (frame 6 at "
                   "00:01:45.200); it succeeded 2 times, the last at frame 4 (00:01:42.500), and "
                   "nothing succeeded with it afterwards. This request was refused 2.1 s after "
                   "that.");
  g_assert_true (has_evidence (f, 2));
  g_assert_true (has_evidence (f, 4));
  g_assert_true (has_evidence (f, 6));
  g_assert_cmpstr (ev_what (f, 4), ==,
                   "the first refusal of the same credential after its last success");
  fx_clear (&fx);
}

/* A 403 between successes of the same credential on other targets names
 * the first (before) and the last (after), with the count. */
static void
test_permission_denied_before_and_after (void)
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
  req (&fx, c, 5, 102, "GET", "/profile", H (BASIC_TEST_OK));
  resp (&fx, c, 6, 102, 200, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_PERMISSION_DENIED, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The server refused GET /admin with 403 although Basic credentials for user "
                   "test succeeded on other requests to it before and after this one (2 times in "
                   "all: "
                   "first at frame 2, last at frame 6): the account lacks permission for this "
                   "endpoint.");
  g_assert_cmpstr (ev_what (f, 2), ==, "an earlier success with the same credential");
  g_assert_cmpstr (ev_what (f, 3), ==, "a later success with the same credential");
  fx_clear (&fx);
}

/* The same request succeeded with the same credential before the 403:
 * the permission was withdrawn in between; another target's success
 * says nothing of the kind. */
static void
test_permission_denied_same_request (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/admin", H (BASIC_TEST_OK));
  resp (&fx, c, 2, 100, 200, NULL);
  req (&fx, c, 3, 101, "GET", "/admin", H (BASIC_TEST_OK));
  resp (&fx, c, 4, 101, 403, NULL);
  req (&fx, c, 5, 102, "POST", "/admin", H (BASIC_TEST_OK));
  resp (&fx, c, 6, 102, 403, NULL);
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_PERMISSION_DENIED, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The server refused GET /admin with 403 although Basic credentials for user "
                   "test succeeded on other requests to it earlier (once, at frame 2): the "
                   "account lacks permission for this endpoint. The same request succeeded with "
                   "it at frame 2, so its permission was withdrawn since.");
  f = nth (&fx, 1);
  assert_failure (f, W4_CAUSE_PERMISSION_DENIED, 0);
  g_assert_null (strstr (f->summary, "The same request"));
  fx_clear (&fx);
}

/* "alice: 0 of 12; bob: 10 of 10" on this server: account-specific, with
 * both records in the summary; another principal that only failed too is
 * no such proof. */
static void
test_rejected_account_specific (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H (BASIC_BOB));
  resp (&fx, c, 2, 100, 200, NULL);
  req (&fx, c, 3, 101, "GET", "/b", H (BASIC_BOB));
  resp (&fx, c, 4, 101, 200, NULL);
  req (&fx, c, 5, 102, "GET", "/c", H (BASIC_TEST_WRONG));
  resp (&fx, c, 6, 102, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 7, 103, "GET", "/d", H (BASIC_TEST_WRONG));
  resp (&fx, c, 8, 103, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The server rejected Basic credentials for user test; no request in this "
                   "capture succeeded with them (user test: 0 of 2 on this server), but user bob: "
                   "2 of 2 succeeded (the last at frame 4), so the problem is specific to this "
                   "account.");
  g_assert_true (has_evidence (f, 4));
  fx_clear (&fx);

  /* only failures besides: no proof about the account */
  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H (BASIC_BOB));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  req (&fx, c, 3, 101, "GET", "/c", H (BASIC_TEST_WRONG));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);
  f = nth (&fx, 1);
  g_assert_cmpstr (f->summary, ==,
                   "The server rejected Basic credentials for user test; no request in this "
                   "capture succeeded with them (user test: 0 of 1 on this server), and no other "
                   "user succeeded either (1 tried).");
  fx_clear (&fx);
}

/* The same principal succeeded with other credentials (the right
 * password): the account works, these credentials are wrong. */
static void
test_rejected_principal_succeeded (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/a", H (BASIC_TEST_OK));
  resp (&fx, c, 2, 100, 200, NULL);
  req (&fx, c, 3, 101, "GET", "/b", H (BASIC_TEST_WRONG));
  resp (&fx, c, 4, 101, 401, H ("WWW-Authenticate: Basic realm=\"x\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_REJECTED_CREDENTIALS, 0);
  g_assert_cmpstr (f->summary, ==,
                   "The server rejected Basic credentials for user test; user test succeeded on "
                   "this server with other credentials (1 of 2, the last at frame 2), so the "
                   "account works and these credentials are wrong or outdated.");
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
  g_test_add_func ("/correlate/session-expired/lifetime", test_session_expired_lifetime);
  g_test_add_func ("/correlate/permission-denied/before-and-after",
                   test_permission_denied_before_and_after);
  g_test_add_func ("/correlate/permission-denied/same-request",
                   test_permission_denied_same_request);
  g_test_add_func ("/correlate/rejected/account-specific", test_rejected_account_specific);
  g_test_add_func ("/correlate/rejected/principal-succeeded", test_rejected_principal_succeeded);
  g_test_add_func ("/correlate/unexplained-orphan", test_unexplained_and_orphan);
  g_test_add_func ("/correlate/ntlm-first-leg-not-rejected", test_ntlm_first_leg_not_rejected);
  return g_test_run ();
}
