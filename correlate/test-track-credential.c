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
  g_assert_cmpuint (a->refused_since, ==, 2);

  exchange (&fx, 4, 9, 402, BASIC_TEST_OK, 200);
  g_assert_cmpuint (a->successes, ==, 3);
  g_assert_cmpuint (a->last_success_frame, ==, 10);
  g_assert_cmpuint (a->refused_frame, ==, 0);
  g_assert_cmpuint (a->refused_since, ==, 0);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/track-credential/marks", test_history_marks);
  g_test_add_func ("/track-credential/failures-before-success", test_failures_before_success);
  g_test_add_func ("/track-credential/limit-evicts-least-recent", test_limit_evicts_least_recent);
  g_test_add_func ("/track-credential/limit-zero", test_limit_zero);
  return g_test_run ();
}
