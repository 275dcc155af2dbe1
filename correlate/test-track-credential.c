/* test-track-credential.c: the credential histories (track-credential.c)
 * through the engine fed with synthetic events (test-fixture.h): counts,
 * first and last success, the first failure since the last success, and
 * the "credentials" limit's eviction of the least recently used history. */
#include <string.h>

#include "test-fixture.h"
#include "track-credential.h"

/* The agg_key of an Authorization value @after_scheme to @server, as
 * FINDINGS' fingerprint makes it. (transfer full) */
static char *
key_of (const char *server, const char *after_scheme)
{
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, after_scheme, -1);

  return g_strdup_printf ("%s|sha256:%.12s", server, hex);
}

static void
exchange (Fx *fx, guint i, guint64 frame, double sec, const char *authz, guint status)
{
  W4ConnInfo *c = fx_conn (fx, i, "10.0.0.1", (guint16) (40000 + i), "10.0.0.2", 80);

  req (fx, c, frame, sec, "GET", "/x", H (authz));
  resp (fx, c, frame + 1, sec, status,
        status == 401 ? H ("WWW-Authenticate: Basic realm=\"x\"") : H ("Server: t"));
}

static void
fx_init_limit (Fx *fx, guint64 n)
{
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, fx };

  memset (fx, 0, sizeof *fx);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_CREDENTIALS] = n;
  fx->out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  fx->cor = w4_cor_new (&limits, &opts, &sink);
  fx->sink = w4_cor_sink (fx->cor);
  w4_cor_set_file_name (fx->cor, 0, "test.pcap");
}

static guint64
limit_hits (Fx *fx)
{
  guint64 n = 0;

  for (guint i = 0; i < fx->out->len; i++) {
    const W4Finding *f = g_ptr_array_index (fx->out, i);
    if (f->cause == W4_CAUSE_LIMIT && strstr (f->summary, "credentials") != NULL)
      n = f->count;
  }
  return n;
}

/* Two successes, two failures, a success again: the counts, the first and
 * last success, and the first failure since the last success, which a new
 * success clears. */
static void
test_history_marks (void)
{
  Fx fx;
  g_autofree char *key = key_of ("10.0.0.2:80", "dGVzdDp0ZXN0");
  const W4CorCredAgg *a;

  fx_init (&fx);
  exchange (&fx, 0, 1, 100, BASIC_TEST_OK, 200);
  exchange (&fx, 1, 3, 160, BASIC_TEST_OK, 200);
  exchange (&fx, 2, 5, 400, BASIC_TEST_OK, 401);
  exchange (&fx, 3, 7, 401, BASIC_TEST_OK, 401);
  a = w4_cor_cred_agg (fx.cor, key);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->successes, ==, 2);
  g_assert_cmpuint (a->failures, ==, 2);
  g_assert_cmpuint (a->first_success_frame, ==, 2);
  g_assert_cmpint (a->first_success_stream, ==, 0);
  g_assert_cmpint (a->first_success_ts.sec, ==, 100);
  g_assert_cmpuint (a->last_success_frame, ==, 4);
  g_assert_cmpint (a->last_success_stream, ==, 1);
  g_assert_cmpint (a->last_success_ts.sec, ==, 160);
  g_assert_cmpuint (a->refused_frame, ==, 6);
  g_assert_cmpint (a->refused_stream, ==, 2);
  g_assert_cmpint (a->refused_ts.sec, ==, 400);
  /* both successes were GET /x: the same request key, never 0 */
  g_assert_cmpuint (a->first_success_request, !=, 0);
  g_assert_cmpuint (a->first_success_request, ==, a->last_success_request);

  exchange (&fx, 4, 9, 402, BASIC_TEST_OK, 200);
  g_assert_cmpuint (a->successes, ==, 3);
  g_assert_cmpuint (a->last_success_frame, ==, 10);
  g_assert_cmpuint (a->refused_frame, ==, 0);
  fx_finish (&fx);
  fx_clear (&fx);
}

/* A 403 after a success is a permission the account lacks, not a refusal
 * of the credential: the 401 an hour later is the first refusal, so
 * session-expired measures the lifetime to it (found in review: the 403
 * ended the lifetime at 10 s). */
static void
test_403_is_no_refusal (void)
{
  Fx fx;
  g_autofree char *key = key_of ("10.0.0.2:80", "dGVzdDp0ZXN0");
  const W4CorCredAgg *a;

  fx_init (&fx);
  exchange (&fx, 0, 1, 100, BASIC_TEST_OK, 200);
  exchange (&fx, 1, 3, 110, BASIC_TEST_OK, 403);
  exchange (&fx, 2, 5, 3700, BASIC_TEST_OK, 401);
  a = w4_cor_cred_agg (fx.cor, key);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->failures, ==, 2);
  g_assert_cmpuint (a->refused_frame, ==, 6);
  g_assert_cmpint (a->refused_ts.sec, ==, 3700);
  fx_finish (&fx);
  fx_clear (&fx);
}

/* Failures before any success are counted, but are no refusal of a
 * credential that worked; and each credential has its own history. */
static void
test_failures_before_success (void)
{
  Fx fx;
  g_autofree char *wrong = key_of ("10.0.0.2:80", "dGVzdDp3cm9uZw==");
  g_autofree char *bob = key_of ("10.0.0.2:80", "Ym9iOnNlY3JldA==");
  const W4CorCredAgg *a;

  fx_init (&fx);
  exchange (&fx, 0, 1, 100, BASIC_TEST_WRONG, 401);
  exchange (&fx, 1, 3, 101, BASIC_TEST_WRONG, 401);
  exchange (&fx, 2, 5, 102, BASIC_BOB, 200);
  a = w4_cor_cred_agg (fx.cor, wrong);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->failures, ==, 2);
  g_assert_cmpuint (a->successes, ==, 0);
  g_assert_cmpuint (a->refused_frame, ==, 0);
  g_assert_cmpuint (a->first_success_frame, ==, 0);
  a = w4_cor_cred_agg (fx.cor, bob);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->successes, ==, 1);
  g_assert_cmpuint (a->failures, ==, 0);
  g_assert_cmpuint (w4_cor_cred_history_size (fx.cor), ==, 2);
  fx_finish (&fx);
  fx_clear (&fx);
}

/* At the limit the least recently used history goes, not the newest
 * credential: test, bob, test again, then alice evicts bob; every eviction
 * is counted in the `limit` info. */
static void
test_limit_evicts_least_recent (void)
{
  Fx fx;
  g_autofree char *test = key_of ("10.0.0.2:80", "dGVzdDp0ZXN0");
  g_autofree char *bob = key_of ("10.0.0.2:80", "Ym9iOnNlY3JldA==");
  g_autofree char *wrong = key_of ("10.0.0.2:80", "dGVzdDp3cm9uZw==");

  fx_init_limit (&fx, 2);
  exchange (&fx, 0, 1, 100, BASIC_TEST_OK, 200);
  exchange (&fx, 1, 3, 101, BASIC_BOB, 200);
  exchange (&fx, 2, 5, 102, BASIC_TEST_OK, 200);
  exchange (&fx, 3, 7, 103, BASIC_TEST_WRONG, 401);
  g_assert_cmpuint (w4_cor_cred_history_size (fx.cor), ==, 2);
  g_assert_null (w4_cor_cred_agg (fx.cor, bob));
  g_assert_cmpuint (w4_cor_cred_agg (fx.cor, test)->successes, ==, 2);
  g_assert_cmpuint (w4_cor_cred_agg (fx.cor, wrong)->failures, ==, 1);
  /* bob again: evicts test, the least recently used now */
  exchange (&fx, 4, 9, 104, BASIC_BOB, 200);
  g_assert_null (w4_cor_cred_agg (fx.cor, test));
  g_assert_cmpuint (w4_cor_cred_agg (fx.cor, bob)->successes, ==, 1);
  fx_finish (&fx);
  g_assert_cmpuint (limit_hits (&fx), ==, 2);
  fx_clear (&fx);
}

/* Over the budget the least recently used histories go, as at the limit,
 * but no limit is counted: the budget counts them (evicted.state). */
static void
test_budget_evicts_least_recent (void)
{
  Fx fx;
  g_autofree char *test = key_of ("10.0.0.2:80", "dGVzdDp0ZXN0");
  g_autofree char *bob = key_of ("10.0.0.2:80", "Ym9iOnNlY3JldA==");

  fx_init (&fx);
  exchange (&fx, 0, 1, 100, BASIC_TEST_OK, 200);
  exchange (&fx, 1, 3, 101, BASIC_BOB, 200);
  exchange (&fx, 2, 5, 102, BASIC_TEST_OK, 200);
  g_assert_cmpuint (w4_cor_cred_history_evict (fx.cor, 1, 8), ==, 1);
  g_assert_null (w4_cor_cred_agg (fx.cor, bob));
  g_assert_cmpuint (w4_cor_cred_agg (fx.cor, test)->successes, ==, 2);
  /* at most @max, and nothing when none is left */
  g_assert_cmpuint (w4_cor_cred_history_evict (fx.cor, G_MAXUINT64, 8), ==, 1);
  g_assert_cmpuint (w4_cor_cred_history_evict (fx.cor, G_MAXUINT64, 8), ==, 0);
  g_assert_cmpuint (w4_cor_cred_history_size (fx.cor), ==, 0);
  fx_finish (&fx);
  g_assert_cmpuint (limit_hits (&fx), ==, 0);
  fx_clear (&fx);
}

/* --limit credentials=0: no history at all, every credential counted as
 * dropped, and the rules still decide (without history). */
static void
test_limit_zero (void)
{
  Fx fx;

  fx_init_limit (&fx, 0);
  exchange (&fx, 0, 1, 100, BASIC_TEST_OK, 200);
  exchange (&fx, 1, 3, 101, BASIC_TEST_OK, 401);
  g_assert_cmpuint (w4_cor_cred_history_size (fx.cor), ==, 0);
  fx_finish (&fx);
  g_assert_cmpuint (limit_hits (&fx), ==, 2);
  assert_failure (nth (&fx, 0), W4_CAUSE_REJECTED_CREDENTIALS, 0);
  fx_clear (&fx);
}

static void
exchange_to (Fx *fx, guint i, const char *sip, guint64 frame, double sec, const char *target,
             const char *const *hdrs, guint status)
{
  W4ConnInfo *c = fx_conn (fx, i, "10.0.0.1", (guint16) (40000 + i), sip, 80);

  req (fx, c, frame, sec, "GET", target, hdrs);
  resp (fx, c, frame + 1, sec, status,
        status == 401 ? H ("WWW-Authenticate: Basic realm=\"x\"") : H ("Server: t"));
}

static const W4ServerStat *
server_stat (Fx *fx, const char *server)
{
  for (guint i = 0; i < fx->summary->by_server->len; i++) {
    const W4ServerStat *st = g_ptr_array_index (fx->summary->by_server, i);
    if (strcmp (st->server, server) == 0)
      return st;
  }
  g_assert_not_reached ();
}

static const W4PrincipalStat *
principal_stat (Fx *fx, const char *principal)
{
  for (guint i = 0; i < fx->summary->by_principal->len; i++) {
    const W4PrincipalStat *st = g_ptr_array_index (fx->summary->by_principal, i);
    if (strcmp (st->principal, principal) == 0)
      return st;
  }
  g_assert_not_reached ();
}

/* The main application (10.0.0.2) answers a challenge step and then bob,
 * and rejects test's wrong password; a third-party API (10.0.0.3) rejects
 * everything: it stands out, the challenge step is not counted in the
 * main server's rate, and test's failures are account-specific there. */
static void
test_summary_servers_and_principals (void)
{
  Fx fx;
  const W4ServerStat *app, *api;
  const W4PrincipalStat *test, *bob;

  fx_init (&fx);
  exchange_to (&fx, 0, "10.0.0.2", 1, 100, "/home", H ("Accept: */*"), 401);
  exchange_to (&fx, 1, "10.0.0.2", 3, 100.5, "/home", H (BASIC_BOB), 200);
  exchange_to (&fx, 2, "10.0.0.2", 5, 101, "/a", H (BASIC_BOB), 200);
  exchange_to (&fx, 3, "10.0.0.2", 7, 102, "/b", H (BASIC_TEST_WRONG), 401);
  exchange_to (&fx, 4, "10.0.0.3", 9, 103, "/v1", H (BEARER), 401);
  exchange_to (&fx, 5, "10.0.0.3", 11, 104, "/v1", H (BEARER), 401);
  exchange_to (&fx, 6, "10.0.0.3", 13, 105, "/v2", H (BEARER), 401);
  fx_finish (&fx);

  app = server_stat (&fx, "10.0.0.2:80");
  api = server_stat (&fx, "10.0.0.3:80");
  g_assert_cmpuint (app->failed, ==, 2);
  g_assert_cmpuint (app->total, ==, 4);
  g_assert_cmpuint (app->challenge_steps, ==, 1);
  g_assert_cmpint (app->failure_rate, ==, 33); /* 1 of 3 */
  g_assert_true (app->main);
  g_assert_false (app->stands_out);
  g_assert_cmpint (api->failure_rate, ==, 100);
  g_assert_false (api->main);
  g_assert_true (api->stands_out);

  test = principal_stat (&fx, "test");
  g_assert_cmpstr (test->specific_server, ==, "10.0.0.2:80");
  g_assert_cmpstr (test->specific_other, ==, "bob");
  g_assert_cmpuint (test->specific_failed, ==, 1);
  g_assert_cmpuint (test->other_succeeded, ==, 2);
  g_assert_cmpuint (test->other_total, ==, 2);
  bob = principal_stat (&fx, "bob");
  g_assert_null (bob->specific_server);
  /* the token never succeeded, but nobody succeeds on the API either */
  g_assert_null (principal_stat (&fx, "sha256:f445801e0cb8")->specific_server);
  fx_clear (&fx);
}

/* One server, or a main server that fails as much: nothing stands out. */
static void
test_summary_nothing_stands_out (void)
{
  Fx fx;

  fx_init (&fx);
  exchange_to (&fx, 0, "10.0.0.2", 1, 100, "/a", H (BASIC_TEST_WRONG), 401);
  exchange_to (&fx, 1, "10.0.0.2", 3, 101, "/b", H (BASIC_BOB), 200);
  exchange_to (&fx, 2, "10.0.0.3", 5, 102, "/v1", H (BEARER), 401);
  fx_finish (&fx);
  g_assert_false (server_stat (&fx, "10.0.0.2:80")->main);
  g_assert_false (server_stat (&fx, "10.0.0.3:80")->stands_out);
  g_assert_cmpint (server_stat (&fx, "10.0.0.2:80")->failure_rate, ==, 50);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/track-credential/marks", test_history_marks);
  g_test_add_func ("/track-credential/403-is-no-refusal", test_403_is_no_refusal);
  g_test_add_func ("/track-credential/failures-before-success", test_failures_before_success);
  g_test_add_func ("/track-credential/limit-evicts-least-recent", test_limit_evicts_least_recent);
  g_test_add_func ("/track-credential/limit-zero", test_limit_zero);
  g_test_add_func ("/track-credential/budget-evicts-least-recent", test_budget_evicts_least_recent);
  g_test_add_func ("/track-credential/summary", test_summary_servers_and_principals);
  g_test_add_func ("/track-credential/summary-nothing-stands-out",
                   test_summary_nothing_stands_out);
  return g_test_run ();
}
