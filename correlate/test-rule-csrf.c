/* test-rule-csrf.c: the anti-forgery tracker and csrf-token-missing,
 * through the engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "track-csrf.h"

#define SID "Cookie: sessionid=abc123"
#define HOST "Host: wp.example"
#define TOKEN "X-WP-Nonce: 0a1b2c3d4e"
#define JSON "Content-Type: application/json"

static void
test_header_names (void)
{
  g_assert_cmpint (w4_csrf_header_of ("x-csrf-token", 12), ==, W4_CSRF_X_CSRF_TOKEN);
  g_assert_cmpint (w4_csrf_header_of ("X-CSRFToken", 11), ==, W4_CSRF_X_CSRFTOKEN);
  g_assert_cmpint (w4_csrf_header_of ("X-XSRF-TOKEN", 12), ==, W4_CSRF_X_XSRF_TOKEN);
  g_assert_cmpint (w4_csrf_header_of ("X-WP-Nonce", 10), ==, W4_CSRF_WP_NONCE);
  g_assert_cmpint (w4_csrf_header_of ("X-CSRF", 6), ==, -1);
  g_assert_cmpint (w4_csrf_header_of ("X-CSRF-Token2", 13), ==, -1);
}

static void
body (Fx *fx, W4ConnInfo *c, guint64 frame, const char *text)
{
  W4HttpBody b = { .conn = c, .dir = W4_DIR_TO_CLIENT, .seq = 0,
                   .prefix = w4_span (text, strlen (text)), .total_len = strlen (text),
                   .complete = TRUE, .last_frame = frame };

  fx->sink.on_body (fx->sink.user, &b);
}

/* A success with the cookie and X-WP-Nonce, then the same cookie without
 * it: 403. The server's words are plain ("Forbidden"): the tracker alone
 * decides. */
static void
test_missing_after_success (void)
{
  Fx fx;
  W4ConnInfo *a, *b;
  W4Finding *f;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.2", 80);
  req (&fx, a, 4, 100, "POST", "/wp-json/wp/v2/posts", H (HOST, SID, TOKEN));
  resp (&fx, a, 6, 100, 201, H (JSON));
  req (&fx, b, 8, 101, "POST", "/wp-json/wp/v2/posts", H (HOST, SID));
  resp (&fx, b, 10, 101, 403, H (JSON));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_CSRF_TOKEN_MISSING, BIT (W4_CAUSE_PERMISSION_DENIED));
  g_assert_nonnull (strstr (f->summary, "but not X-WP-Nonce, which this client's successful "
                                        "request at frame 4 carried; the server answered 403."));
  g_assert_null (strstr (f->summary, "abc123"));
  g_assert_true (has_evidence (f, 4));
  g_assert_cmpstr (f->fix, ==,
                   "Send the application's anti-forgery header (X-WP-Nonce) with every "
                   "cookie-authenticated API call, as the successful request did.");
  fx_clear (&fx);
}

/* Nothing learnt: the header was never sent on a success (only on a
 * failure, or on a request without the session cookie), or the same
 * client sent it to another server, or another client to this one. */
static void
test_nothing_learnt (void)
{
  Fx fx;
  W4ConnInfo *a, *other_srv, *other_cl, *b;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  other_srv = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 80);
  other_cl = fx_conn (&fx, 2, "10.0.0.9", 40002, "10.0.0.2", 80);
  b = fx_conn (&fx, 3, "10.0.0.1", 40003, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/login", H (HOST, SID));
  resp (&fx, a, 2, 100, 200, H (JSON));
  req (&fx, a, 3, 100, "POST", "/api", H (HOST, TOKEN));
  resp (&fx, a, 4, 100, 200, H (JSON));
  req (&fx, other_srv, 5, 100, "POST", "/api", H (HOST, SID, TOKEN));
  resp (&fx, other_srv, 6, 100, 200, H (JSON));
  req (&fx, other_cl, 7, 100, "POST", "/api", H (HOST, SID, TOKEN));
  resp (&fx, other_cl, 8, 100, 200, H (JSON));
  req (&fx, b, 9, 101, "POST", "/api", H (HOST, SID));
  resp (&fx, b, 10, 101, 403, H (JSON));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_PERMISSION_DENIED, 0);
  fx_clear (&fx);
}

/* WordPress's own words: rest_cookie_invalid_nonce names the nonce even
 * with nothing learnt; rest_not_logged_in only counts for a cookie that
 * worked before. */
static void
test_server_words (void)
{
  Fx fx;
  W4ConnInfo *a, *b, *c;
  W4Finding *f;

  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "POST", "/wp-json/x", H (HOST, SID));
  resp (&fx, a, 2, 100, 403, H (JSON));
  body (&fx, a, 2, "{\"code\":\"rest_cookie_invalid_nonce\",\"message\":\"Cookie check failed\"}");
  b = fx_conn (&fx, 1, "10.0.0.5", 40001, "10.0.0.2", 80);
  req (&fx, b, 3, 100, "POST", "/wp-json/x", H (HOST, "Cookie: sessionid=zzz"));
  resp (&fx, b, 4, 100, 401, H (JSON));
  body (&fx, b, 4, "{\"code\":\"rest_not_logged_in\",\"message\":\"You are not logged in.\"}");
  c = fx_conn (&fx, 2, "10.0.0.6", 40002, "10.0.0.2", 80);
  req (&fx, c, 5, 100, "GET", "/wp-json/me", H (HOST, "Cookie: sessionid=yyy"));
  resp (&fx, c, 6, 100, 200, H (JSON));
  req (&fx, c, 7, 101, "GET", "/wp-json/me", H (HOST, "Cookie: sessionid=yyy"));
  resp (&fx, c, 8, 101, 401, H (JSON));
  body (&fx, c, 8, "{\"code\":\"rest_not_logged_in\",\"message\":\"You are not logged in.\"}");
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_CSRF_TOKEN_MISSING, 0);
  g_assert_nonnull (strstr (f->summary, "rest_cookie_invalid_nonce"));
  g_assert_nonnull (strstr (f->summary, "sent with cookies sessionid"));
  g_assert_cmpuint (nth (&fx, 1)->cause, !=, W4_CAUSE_CSRF_TOKEN_MISSING);
  f = nth (&fx, 2);
  /* a 401 without WWW-Authenticate: missing-challenge too */
  assert_failure (f, W4_CAUSE_CSRF_TOKEN_MISSING,
                  BIT (W4_CAUSE_SESSION_EXPIRED) | BIT (W4_CAUSE_REJECTED_CREDENTIALS) |
                    BIT (W4_CAUSE_MISSING_CHALLENGE));
  g_assert_true (has_evidence (f, 6)); /* the earlier success */
  fx_clear (&fx);
}

/* The "csrf-pairs" limit: the least recently successful pair is
 * forgotten (and counted); the other still decides. */
static void
test_limit_evicts (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  W4ConnInfo *s1, *s2, *f1, *f2;
  guint csrf = 0, limit = 0;

  memset (&fx, 0, sizeof fx);
  w4_limits_init (&limits);
  g_assert_true (w4_limits_set (&limits, "csrf-pairs=1"));
  fx.out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  s1 = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  s2 = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 80);
  req (&fx, s1, 1, 100, "POST", "/api", H (HOST, SID, TOKEN));
  resp (&fx, s1, 2, 100, 200, H (JSON));
  req (&fx, s2, 3, 100, "POST", "/api", H (HOST, SID, TOKEN));
  resp (&fx, s2, 4, 100, 200, H (JSON));
  g_assert_cmpuint (w4_cor_csrf_size (fx.cor), ==, 1);
  f1 = fx_conn (&fx, 2, "10.0.0.1", 40002, "10.0.0.2", 80);
  f2 = fx_conn (&fx, 3, "10.0.0.1", 40003, "10.0.0.3", 80);
  req (&fx, f1, 5, 101, "POST", "/api", H (HOST, SID));
  resp (&fx, f1, 6, 101, 403, H (JSON));
  req (&fx, f2, 7, 101, "POST", "/api", H (HOST, SID));
  resp (&fx, f2, 8, 101, 403, H (JSON));
  fx_finish (&fx);

  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    csrf += f->cause == W4_CAUSE_CSRF_TOKEN_MISSING;
    limit += f->kind == W4_KIND_INFO && f->cause == W4_CAUSE_LIMIT;
  }
  g_assert_cmpuint (csrf, ==, 1);
  g_assert_cmpuint (limit, ==, 1);
  g_assert_cmpuint (nth (&fx, 0)->cause, ==, W4_CAUSE_PERMISSION_DENIED);
  g_assert_cmpuint (nth (&fx, 1)->cause, ==, W4_CAUSE_CSRF_TOKEN_MISSING);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csrf/header-names", test_header_names);
  g_test_add_func ("/csrf/missing-after-success", test_missing_after_success);
  g_test_add_func ("/csrf/nothing-learnt", test_nothing_learnt);
  g_test_add_func ("/csrf/server-words", test_server_words);
  g_test_add_func ("/csrf/limit-evicts", test_limit_evicts);
  return g_test_run ();
}
