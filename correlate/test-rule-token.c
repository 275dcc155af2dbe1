/* test-rule-token.c: the rules of rule-token.c (expired-token, token-not-yet-valid),
 * through the engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"
#include "track-clock.h"

/* {"alg":"HS256","kid":"k1"} . {"sub":"alice","iss":"login","exp":900} */
#define JWT_ALICE_900 "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0." \
  "eyJzdWIiOiJhbGljZSIsImlzcyI6ImxvZ2luIiwiZXhwIjo5MDB9.c2ln"
/* {"alg":"HS256","kid":"k1"} . {"sub":"bob","exp":1120} */
#define JWT_BOB_1120 "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJib2IiLCJleHAiOjExMjB9.c2ln"
/* {"alg":"HS256","kid":"k1"} . {"sub":"carol","iat":1300,"nbf":1300,"exp":2000} */
#define JWT_CAROL_1300 "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0." \
  "eyJzdWIiOiJjYXJvbCIsImlhdCI6MTMwMCwibmJmIjoxMzAwLCJleHAiOjIwMDB9.c2ln"
/* Date headers for capture times 1000, 1303 (5 min 3 s later) and 400 */
#define DATE_1000 "Date: Thu, 01 Jan 1970 00:16:40 GMT"
#define DATE_1303 "Date: Thu, 01 Jan 1970 00:21:43 GMT"
#define DATE_400 "Date: Thu, 01 Jan 1970 00:06:40 GMT"

/* A finding's evidence entry that contains @part, or NULL. */
static const char *
ev_with (const W4Finding *f, const char *part)
{
  for (guint i = 0; i < f->evidence->len; i++)
    if (strstr (ev_what (f, i), part) != NULL)
      return ev_what (f, i);
  return NULL;
}

/* JWT times are hostile (RFC 7519 NumericDate, accepted up to +-1e15 s):
 * how long ago a token expired, or how far ahead it starts, must not
 * overflow when turned into microseconds for the summary (UBSan). */
static void
test_jwt_far_times (void)
{
  Fx fx;
  W4ConnInfo *c;
  /* {"alg":"none"}.{"sub":"old","exp":-1000000000000000}. */
  const char *old = "Authorization: Bearer "
                    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJvbGQiLCJleHAiOi0xMDAwMDAwMDAwMDAwMDAwfQ.c2ln";
  /* {"alg":"none"}.{"sub":"new","nbf":1000000000000000}. */
  const char *young = "Authorization: Bearer "
                      "eyJhbGciOiJub25lIn0.eyJzdWIiOiJuZXciLCJuYmYiOjEwMDAwMDAwMDAwMDAwMDB9.c2ln";
  /* {"alg":"none"}.{"sub":"dave","exp":1000000000000000}: expired only by
   * the server's word */
  const char *far = "Authorization: Bearer "
                    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJkYXZlIiwiZXhwIjoxMDAwMDAwMDAwMDAwMDAwfQ.c2ln";

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 2000, "GET", "/a", H (old));
  resp (&fx, c, 2, 2000, 401, H ("WWW-Authenticate: Bearer"));
  req (&fx, c, 3, 2001, "GET", "/b", H (young));
  resp (&fx, c, 4, 2001, 401, H ("WWW-Authenticate: Bearer"));
  req (&fx, c, 5, 2002, "GET", "/c", H (far));
  resp (&fx, c, 6, 2002, 401, H ("WWW-Authenticate: Bearer error=\"invalid_token\", "
                                 "error_description=\"The access token expired\""));
  fx_finish (&fx);

  /* Spans of 10^15 s, counted in seconds: in microseconds they overflow
   * (a saturated count once gave 0 s, and ABS of G_MININT64). */
  assert_failure (nth (&fx, 0), W4_CAUSE_EXPIRED_TOKEN, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "11574074074 days 2 h before the request"));
  g_assert_cmpint (nth (&fx, 1)->cause, ==, W4_CAUSE_TOKEN_NOT_YET_VALID);
  g_assert_nonnull (strstr (nth (&fx, 1)->summary, "11574074074 days "));
  g_assert_cmpint (nth (&fx, 2)->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_nonnull (strstr (nth (&fx, 2)->summary, "11574074074 days 1 h after the request"));
  fx_clear (&fx);
}

/* A Bearer challenge with a bare error code and the description only in
 * the JSON body (pcaps/tcp-chunked-401.pcap): the body's words become the
 * server_message, and expiry named there makes the cause expired-token. */
static void
test_expiry_named_in_body (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4HttpBody b = { 0 };
  const char *json = "{\"error\":\"invalid_token\",\"error_description\":\"The token expired\"}";

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 100, "GET", "/api/me", H ("Authorization: Bearer opaque-token-1"));
  resp (&fx, c, 2, 100, 401, H ("WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"",
                                "Content-Type: application/json"));
  b.conn = c;
  b.dir = W4_DIR_TO_CLIENT;
  b.seq = 0;
  b.prefix = w4_span (json, strlen (json));
  b.complete = TRUE;
  fx.sink.on_body (fx.sink.user, &b);
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_EXPIRED_TOKEN, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (nth (&fx, 0)->server_message, ==, "invalid_token: The token expired");
  fx_clear (&fx);
}

/* No nbf, an iat more than 60 s after the request: the claim the rule
 * compared (iat) is the one the summary names. */
static void
test_not_yet_valid_by_iat (void)
{
  Fx fx;
  W4ConnInfo *c;
  /* {"alg":"none"}.{"sub":"carol","iat":5000}. */
  const char *jwt = "Authorization: Bearer "
                    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYXJvbCIsImlhdCI6NTAwMH0.c2ln";

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/a", H (jwt));
  resp (&fx, c, 2, 1000, 401, H ("WWW-Authenticate: Bearer"));
  fx_finish (&fx);

  assert_failure (nth (&fx, 0), W4_CAUSE_TOKEN_NOT_YET_VALID, BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (nth (&fx, 0)->summary, ==,
                   "The Bearer token for subject carol is valid only from "
                   "1970-01-01T01:23:20.000000Z (its iat), 1 h 6 min after the request: the "
                   "issuer's clock is ahead of the capture's (the server sent no Date header "
                   "seen here to compare with).");
  fx_clear (&fx);
}

/* A JWT in a session cookie: expired-token, its sub the principal, and
 * the summary says where the token travelled. */
static void
test_cookie_jwt_expired (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/app", H ("Host: app.test", "Cookie: theme=dark; session=" JWT_ALICE_900));
  resp (&fx, c, 2, 1000, 401, H (DATE_1000));
  fx_finish (&fx);

  f = nth (&fx, 0);
  assert_failure (f, W4_CAUSE_EXPIRED_TOKEN,
                  BIT (W4_CAUSE_MISSING_CHALLENGE) | BIT (W4_CAUSE_REJECTED_CREDENTIALS));
  g_assert_cmpstr (f->principal, ==, "alice");
  g_assert_cmpstr (f->scheme, ==, w4_auth_scheme_name (W4_SCHEME_COOKIE));
  g_assert_cmpstr (f->summary, ==,
                   "The JWT in cookie `session` for subject alice expired at "
                   "1970-01-01T00:15:00.000000Z, 1 min 40 s before the request.");
  g_assert_cmpstr (ev_with (f, "decoded"), ==,
                   "JWT in cookie session (decoded, not verified): alg HS256, kid k1, sub alice, "
                   "iss login, exp 1970-01-01T00:15:00.000000Z");
  /* the clocks agree: the Date is not evidence of an expiry */
  g_assert_null (ev_with (f, "Date:"));
  g_assert_cmpuint (fx.summary->by_principal->len, ==, 1);
  fx_clear (&fx);
}

/* A cookie whose name says nothing of sessions still authenticates when
 * its value is a JWT. */
static void
test_jwt_in_any_cookie (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/app", H ("Cookie: id=" JWT_ALICE_900));
  resp (&fx, c, 2, 1000, 401, NULL);
  fx_finish (&fx);

  g_assert_cmpint (nth (&fx, 0)->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_cmpstr (nth (&fx, 0)->principal, ==, "alice");
  g_assert_nonnull (strstr (nth (&fx, 0)->summary, "The JWT in cookie `id` for subject alice"));
  fx_clear (&fx);
}

/* A session cookie beside a JWT cookie: the JWT's subject is the
 * request's principal (FINDINGS: a JWT's sub), in the finding and in
 * summary.by_principal, whichever cookie came first. */
static void
test_jwt_cookie_names_the_principal (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/app", H ("Cookie: PHPSESSID=abc123; access_token=" JWT_ALICE_900));
  resp (&fx, c, 2, 1000, 401, NULL);
  fx_finish (&fx);

  g_assert_cmpint (nth (&fx, 0)->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_cmpstr (nth (&fx, 0)->principal, ==, "alice");
  g_assert_cmpuint (fx.summary->by_principal->len, ==, 1);
  g_assert_cmpstr (((W4PrincipalStat *) g_ptr_array_index (fx.summary->by_principal, 0))->principal,
                   ==, "alice");
  fx_clear (&fx);
}

/* A JWT in an API-key header that has expired by the capture's clock, and
 * a server whose Date is 10 min behind: by its clock the token had not
 * expired yet, and the summary says both. */
static void
test_apikey_jwt_expired_server_behind (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/api", H ("X-API-Key: " JWT_ALICE_900));
  resp (&fx, c, 2, 1000, 401, H (DATE_400));
  fx_finish (&fx);

  f = nth (&fx, 0);
  g_assert_cmpint (f->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_cmpstr (f->principal, ==, "alice");
  g_assert_cmpstr (f->summary, ==,
                   "The JWT in X-API-Key for subject alice expired at 1970-01-01T00:15:00.000000Z, "
                   "1 min 40 s before the request. The server's Date header (frame 2) is 10 min "
                   "0 s behind the capture clock, so by the server's clock it had not expired yet "
                   "(8 min 20 s left).");
  g_assert_cmpstr (ev_with (f, "Date:"), ==,
                   "Date: 1970-01-01T00:06:40.000000Z, 10 min 0 s behind the capture clock");
  /* the request's evidence names the JWT's subject, as for Bearer */
  g_assert_nonnull (ev_with (f, "GET /api with X-API-Key (JWT for alice, sha256:"));
  fx_clear (&fx);
}

/* The server says the token expired; by the capture's clock it had 2 min
 * left, but the server's clock is 5 min 3 s ahead: the summary shows why,
 * and the fix is the server's NTP. */
static void
test_server_clock_ahead_expires_token (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/api", H ("X-API-Key: " JWT_BOB_1120));
  resp (&fx, c, 2, 1000, 401, H (DATE_1303, "WWW-Authenticate: Bearer error=\"invalid_token\", "
                                 "error_description=\"The token expired\""));
  fx_finish (&fx);

  f = nth (&fx, 0);
  g_assert_cmpint (f->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_cmpstr (f->principal, ==, "bob");
  g_assert_cmpstr (f->summary, ==,
                   "The server says the token expired (invalid_token: The token expired). The JWT "
                   "in X-API-Key for subject bob expires at 1970-01-01T00:18:40.000000Z, 2 min 0 s "
                   "after the request by the capture clock, but the server's Date header (frame 2) "
                   "is 5 min 3 s ahead of the capture clock, so by the server's clock it expired "
                   "3 min 3 s before the request.");
  g_assert_cmpstr (f->fix, ==, "The server's clock is ahead: check NTP on the server.");
  g_assert_nonnull (ev_with (f, "5 min 3 s ahead of the capture clock"));
  fx_clear (&fx);
}

/* nbf 5 min after the request, the server's Date agreeing with the
 * capture: the issuer's clock is ahead, and the fix says NTP on the issuer. */
static void
test_not_yet_valid_issuer_ahead (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 1, 1000, "GET", "/app", H ("Cookie: access_token=" JWT_CAROL_1300));
  resp (&fx, c, 2, 1000, 401, H (DATE_1000));
  fx_finish (&fx);

  f = nth (&fx, 0);
  g_assert_cmpint (f->cause, ==, W4_CAUSE_TOKEN_NOT_YET_VALID);
  g_assert_cmpstr (f->principal, ==, "carol");
  g_assert_cmpstr (f->summary, ==,
                   "The JWT in cookie `access_token` for subject carol is valid only from "
                   "1970-01-01T00:21:40.000000Z (its nbf), 5 min 0 s after the request; the "
                   "server's Date header (frame 2) agrees with the capture clock, so the issuer's "
                   "clock is ahead.");
  g_assert_nonnull (strstr (f->fix, "NTP on the issuer"));
  g_assert_cmpstr (ev_with (f, "Date:"), ==,
                   "Date: 1970-01-01T00:16:40.000000Z, which agrees with the capture clock");
  fx_clear (&fx);
}

/* date-servers: past it the least recently seen server is forgotten
 * (counted, one limit info); a server unseen for an hour of capture time
 * is forgotten too. */
static void
test_date_servers_limit (void)
{
  Fx fx;
  W4ConnInfo *a, *b;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  guint limit_infos = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_DATE_SERVERS] = 1;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");

  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 80);
  req (&fx, a, 1, 1000, "GET", "/", NULL);
  resp (&fx, a, 2, 1000, 200, H (DATE_1303));
  g_assert_cmpuint (w4_cor_clock_size (fx.cor), ==, 1);
  req (&fx, b, 3, 1000, "GET", "/", NULL);
  resp (&fx, b, 4, 1000, 200, H (DATE_1000));
  g_assert_cmpuint (w4_cor_clock_size (fx.cor), ==, 1);
  /* server a's skew is forgotten: its expired token says nothing of it */
  req (&fx, a, 5, 1001, "GET", "/api", H ("X-API-Key: " JWT_ALICE_900));
  resp (&fx, a, 6, 1001, 401, NULL);
  fx_finish (&fx);

  g_assert_cmpint (nth (&fx, 0)->cause, ==, W4_CAUSE_EXPIRED_TOKEN);
  g_assert_null (strstr (nth (&fx, 0)->summary, "Date"));
  for (guint i = 0; i < fx.out->len; i++) {
    W4Finding *f = nth (&fx, i);
    if (f->cause == W4_CAUSE_LIMIT) {
      limit_infos++;
      g_assert_nonnull (strstr (f->summary, "date-servers"));
    }
  }
  g_assert_cmpuint (limit_infos, ==, 1);
  fx_clear (&fx);

  /* an hour later the record has gone by itself */
  fx_init (&fx);
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.1", 40001, "10.0.0.3", 80);
  req (&fx, a, 1, 1000, "GET", "/", NULL);
  resp (&fx, a, 2, 1000, 200, H (DATE_1303));
  req (&fx, b, 3, 1000 + W4_COR_CLOCK_KEEP_SEC + 1, "GET", "/", NULL);
  resp (&fx, b, 4, 1000 + W4_COR_CLOCK_KEEP_SEC + 1, 200, NULL);
  g_assert_cmpuint (w4_cor_clock_size (fx.cor), ==, 0);
  fx_finish (&fx);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/jwt-far-times", test_jwt_far_times);
  g_test_add_func ("/correlate/expiry-named-in-body", test_expiry_named_in_body);
  g_test_add_func ("/correlate/not-yet-valid-by-iat", test_not_yet_valid_by_iat);
  g_test_add_func ("/token/cookie-jwt-expired", test_cookie_jwt_expired);
  g_test_add_func ("/token/jwt-in-any-cookie", test_jwt_in_any_cookie);
  g_test_add_func ("/token/jwt-cookie-names-the-principal", test_jwt_cookie_names_the_principal);
  g_test_add_func ("/token/apikey-jwt-expired-server-behind", test_apikey_jwt_expired_server_behind);
  g_test_add_func ("/token/server-clock-ahead-expires-token", test_server_clock_ahead_expires_token);
  g_test_add_func ("/token/not-yet-valid-issuer-ahead", test_not_yet_valid_issuer_ahead);
  g_test_add_func ("/token/date-servers-limit", test_date_servers_limit);
  return g_test_run ();
}
