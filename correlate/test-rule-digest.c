/* test-rule-digest.c: the rules of rule-digest.c (stale-nonce,
 * digest-mismatch) and the Digest tracker behind them (track-digest.c),
 * through the engine fed with synthetic events (test-fixture.h). */
#include <string.h>

#include "test-fixture.h"

#define CHALLENGE(nonce) \
  "WWW-Authenticate: Digest realm=\"r\", nonce=\"" nonce "\", qop=\"auth\", algorithm=MD5"

/* A Digest response for user u with the given nonce, nc, uri and extra
 * parameters (the response value is a placeholder: the rules never read it). */
#define DIGEST(nonce, nc, uri, extra) \
  "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"" nonce "\", uri=\"" uri "\", " \
  "algorithm=MD5, qop=auth, nc=" nc ", cnonce=\"c\", response=\"0123456789abcdef\"" extra

/* The finding whose response is @frame. */
static W4Finding *
at_frame (Fx *fx, guint64 frame)
{
  for (guint i = 0; i < fx->out->len; i++)
    if (nth (fx, i)->response_frame == frame)
      return nth (fx, i);
  g_error ("no finding for frame %" G_GUINT64_FORMAT, (guint64) frame);
}

/* GET without credentials, 401 with nonce @nonce: frames 1 and 2. */
static W4ConnInfo *
challenged (Fx *fx, const char *target, const char *challenge)
{
  W4ConnInfo *c = fx_conn (fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);

  req (fx, c, 1, 100, "GET", target, H ("Host: example.com"));
  resp (fx, c, 2, 100, 401, H (challenge));
  return c;
}

/* The same nonce and nc twice: the second is a replay, refused. */
static void
test_nc_replay (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 102, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 6, 102, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);

  f = at_frame (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_cmpstr (f->summary, ==,
                   "The client sent nonce count nc=00000001 with a nonce it had already sent "
                   "with that count at frame 3: the server refuses a replayed nonce count.");
  g_assert_cmpstr (f->principal, ==, "u");
  g_assert_true (has_evidence (f, 3));
  g_assert_true (has_evidence (f, 2)); /* the challenge */
  g_assert_true (has_evidence (f, 5));
  fx_clear (&fx);
}

/* The next nonce count with the same nonce is no replay. */
static void
test_nc_next_is_not_replay (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 102, "GET", "/p", H (DIGEST ("n1", "00000002", "/p", "")));
  resp (&fx, c, 6, 102, 401, H (CHALLENGE ("n1"))); /* same nonce: the password */
  fx_finish (&fx);

  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 6)->cause), ==, "rejected-credentials");
  fx_clear (&fx);
}

/* A nonce the server answered with a new one, sent again. */
static void
test_nonce_refused_reused (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 401, H (CHALLENGE ("n2")));
  req (&fx, c, 5, 102, "GET", "/p", H (DIGEST ("n1", "00000002", "/p", "")));
  resp (&fx, c, 6, 102, 401, H (CHALLENGE ("n3")));
  fx_finish (&fx);

  /* the first answer to n1 is an ordinary rejection */
  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 4)->cause), ==, "rejected-credentials");
  f = at_frame (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_cmpstr (f->summary, ==,
                   "The client sent again a nonce the server had already refused at frame 4 (it "
                   "answered with a new nonce); the client did not restart the handshake with "
                   "the new one.");
  g_assert_true (has_evidence (f, 4));
  fx_clear (&fx);
}

/* A nonce that worked, reused later and answered with a new nonce without
 * stale=true: the server stopped accepting it. */
static void
test_nonce_expired_without_stale (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 500, "GET", "/p", H (DIGEST ("n1", "00000002", "/p", "")));
  resp (&fx, c, 6, 500, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);

  f = at_frame (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_cmpstr (f->summary, ==,
                   "The client reused a nonce that worked at frame 4, and the server answered "
                   "with a new nonce: it no longer accepts the old one (it expired without "
                   "stale=true).");
  g_assert_true (has_evidence (f, 4));
  fx_clear (&fx);
}

/* ...and when the client then restarts with the new nonce and passes,
 * that 401 was a step of the handshake (as with stale=true): a note. */
static void
test_nonce_expired_then_restart (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 500, "GET", "/p", H (DIGEST ("n1", "00000002", "/p", "")));
  resp (&fx, c, 6, 500, 401, H (CHALLENGE ("n2")));
  req (&fx, c, 7, 501, "GET", "/p", H (DIGEST ("n2", "00000001", "/p", "")));
  resp (&fx, c, 8, 501, 200, H ("Server: t"));
  fx_finish (&fx);

  g_assert_cmpstr (w4_kind_name (at_frame (&fx, 6)->kind), ==, "note");
  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 6)->cause), ==, "challenge");
  fx_clear (&fx);
}

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

/* A proxy's nonce is tracked apart from the origin's: a replayed nc in
 * Proxy-Authorization is the proxy's stale-nonce, and the same nonce and
 * nc used toward the origin before does not make it one. */
static void
test_nc_replay_proxy (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

#define PROXY_DIGEST(nc) \
  "Proxy-Authorization: Digest username=\"u\", realm=\"p\", nonce=\"pn\", " \
  "uri=\"http://example.com/\", qop=auth, nc=" nc ", cnonce=\"c\", response=\"0123\""
  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.3", 3128);
  req (&fx, c, 1, 100, "GET", "http://example.com/", H ("Host: example.com"));
  resp (&fx, c, 2, 100, 407,
        H ("Proxy-Authenticate: Digest realm=\"p\", nonce=\"pn\", qop=\"auth\""));
  req (&fx, c, 3, 101, "GET", "http://example.com/", H (PROXY_DIGEST ("00000001")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 102, "GET", "http://example.com/", H (PROXY_DIGEST ("00000001")));
  resp (&fx, c, 6, 102, 407,
        H ("Proxy-Authenticate: Digest realm=\"p\", nonce=\"pm\", qop=\"auth\""));
  /* the same nonce and nc toward the origin: the origin never saw them */
  req (&fx, c, 7, 103, "GET", "http://example.com/",
       H ("Authorization: Digest username=\"u\", realm=\"p\", nonce=\"pn\", "
          "uri=\"http://example.com/\", qop=auth, nc=00000001, cnonce=\"c\", response=\"0\""));
  resp (&fx, c, 8, 103, 401, H ("WWW-Authenticate: Digest realm=\"p\", nonce=\"pn\""));
  fx_finish (&fx);
#undef PROXY_DIGEST

  f = at_frame (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_cmpstr (f->summary, ==,
                   "The client sent nonce count nc=00000001 with a nonce it had already sent "
                   "with that count at frame 3: the proxy refuses a replayed nonce count.");
  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 8)->cause), ==, "rejected-credentials");
  fx_clear (&fx);
}

/* A request with Digest in both headers: each nonce is remembered, so the
 * proxy's replay is seen though the origin's credential comes first. */
static void
test_nc_replay_both_headers (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;
  const char *const both[] = {
    "Authorization: Digest username=\"u\", realm=\"o\", nonce=\"on\", uri=\"/\", qop=auth, "
    "nc=00000001, cnonce=\"c\", response=\"0\"",
    "Proxy-Authorization: Digest username=\"u\", realm=\"p\", nonce=\"pn\", uri=\"/\", "
    "qop=auth, nc=00000001, cnonce=\"c\", response=\"0\"",
    NULL
  };

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.3", 3128);
  req (&fx, c, 1, 100, "GET", "/", both);
  resp (&fx, c, 2, 100, 200, H ("Server: t"));
  req (&fx, c, 3, 101, "GET", "/", both);
  resp (&fx, c, 4, 101, 407,
        H ("Proxy-Authenticate: Digest realm=\"p\", nonce=\"pm\", qop=\"auth\""));
  fx_finish (&fx);

  f = at_frame (&fx, 4);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_true (has_evidence (f, 1));
  fx_clear (&fx);
}

/* ---- digest-mismatch ----------------------------------------------------- */

/* One failed Digest answer to the challenge of frame 2; returns the
 * finding of frame 4. */
static W4Finding *
mismatch_case (Fx *fx, const char *target, const char *challenge, const char *authz)
{
  W4ConnInfo *c;

  fx_init (fx);
  c = challenged (fx, target, challenge);
  req (fx, c, 3, 101, "GET", target, H (authz));
  resp (fx, c, 4, 101, 401, H (CHALLENGE ("n2")));
  fx_finish (fx);
  return at_frame (fx, 4);
}

static void
test_mismatch_uri (void)
{
  Fx fx;
  W4Finding *f = mismatch_case (&fx, "/protected/x", CHALLENGE ("n1"),
                                DIGEST ("n1", "00000001", "/other", ""));

  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  g_assert_cmpstr (f->summary, ==,
                   "The Digest response names uri=/other but the request is for /protected/x: "
                   "the server checks the digest against the request-target as it arrives (a "
                   "proxy that rewrote the URI is the usual reason).");
  g_assert_cmpstr (f->fix, ==, w4_cause_info (W4_CAUSE_DIGEST_MISMATCH)->fix);
  g_assert_true (has_evidence (f, 2));
  g_assert_true (has_evidence (f, 3));
  fx_clear (&fx);
}

/* An absolute-form target and a uri naming its path are the same
 * resource; so are the same strings. */
static void
test_uri_absolute_form_matches (void)
{
  Fx fx;
  W4Finding *f = mismatch_case (&fx, "http://example.com/protected/x?a=1", CHALLENGE ("n1"),
                                DIGEST ("n1", "00000001", "/protected/x?a=1", ""));

  g_assert_cmpstr (w4_cause_name (f->cause), ==, "rejected-credentials");
  fx_clear (&fx);
  f = mismatch_case (&fx, "/protected/x", CHALLENGE ("n1"),
                     DIGEST ("n1", "00000001", "http://example.com/protected/x", ""));
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "rejected-credentials");
  fx_clear (&fx);
  f = mismatch_case (&fx, "http://example.com/a", CHALLENGE ("n1"),
                     DIGEST ("n1", "00000001", "http://example.com/b", ""));
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  fx_clear (&fx);
}

static void
test_mismatch_realm (void)
{
  Fx fx;
  W4Finding *f = mismatch_case (
    &fx, "/p", CHALLENGE ("n1"),
    "Authorization: Digest username=\"u\", realm=\"other\", nonce=\"n1\", uri=\"/p\", "
    "algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c\", response=\"0123\"");

  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  g_assert_cmpstr (f->summary, ==,
                   "The Digest response names realm=\"other\" but the challenge at frame 2 asked "
                   "for realm=\"r\".");
  fx_clear (&fx);
}

/* Without the challenge of its nonce, the realm is still compared with
 * the one the failure asks for; algorithm and qop are not. */
static void
test_mismatch_realm_unseen_challenge (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 3, 101, "GET", "/p",
       H ("Authorization: Digest username=\"u\", realm=\"other\", nonce=\"n0\", uri=\"/p\", "
          "algorithm=SHA-256, response=\"0123\""));
  resp (&fx, c, 4, 101, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);
  f = at_frame (&fx, 4);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  g_assert_cmpstr (f->summary, ==,
                   "The Digest response names realm=\"other\" but the server asked for "
                   "realm=\"r\".");
  fx_clear (&fx);

  fx_init (&fx);
  c = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  req (&fx, c, 3, 101, "GET", "/p",
       H ("Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n0\", uri=\"/p\", "
          "algorithm=SHA-256, response=\"0123\""));
  resp (&fx, c, 4, 101, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);
  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 4)->cause), ==, "rejected-credentials");
  fx_clear (&fx);
}

static void
test_mismatch_algorithm (void)
{
  Fx fx;
  W4Finding *f = mismatch_case (
    &fx, "/p", CHALLENGE ("n1"),
    "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n1\", uri=\"/p\", "
    "algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c\", response=\"0123\"");

  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  g_assert_cmpstr (f->summary, ==,
                   "The Digest response uses algorithm=SHA-256 but the challenge at frame 2 "
                   "offered algorithm=MD5.");
  fx_clear (&fx);
  /* no algorithm on either side is MD5 on both */
  f = mismatch_case (&fx, "/p", "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"",
                     "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n1\", "
                     "uri=\"/p\", qop=auth, nc=00000001, cnonce=\"c\", response=\"0123\"");
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "rejected-credentials");
  fx_clear (&fx);
}

static void
test_mismatch_qop (void)
{
  Fx fx;
  W4Finding *f = mismatch_case (
    &fx, "/p", CHALLENGE ("n1"),
    "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n1\", uri=\"/p\", "
    "algorithm=MD5, qop=auth-int, nc=00000001, cnonce=\"c\", response=\"0123\"");

  g_assert_cmpstr (w4_cause_name (f->cause), ==, "digest-mismatch");
  g_assert_cmpstr (f->summary, ==,
                   "The Digest response uses qop=auth-int but the challenge at frame 2 offered "
                   "qop=\"auth\".");
  fx_clear (&fx);
  /* one of a list */
  f = mismatch_case (&fx, "/p",
                     "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth, auth-int\"",
                     "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n1\", "
                     "uri=\"/p\", qop=auth-int, nc=00000001, cnonce=\"c\", response=\"0123\"");
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "rejected-credentials");
  fx_clear (&fx);
}

/* A mismatch and a replay together: stale-nonce comes first in the table,
 * digest-mismatch is related. */
static void
test_replay_and_mismatch (void)
{
  Fx fx;
  W4ConnInfo *c;
  W4Finding *f;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 200, H ("Server: t"));
  req (&fx, c, 5, 102, "GET", "/p", H (DIGEST ("n1", "00000001", "/q", "")));
  resp (&fx, c, 6, 102, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);
  f = at_frame (&fx, 6);
  g_assert_cmpstr (w4_cause_name (f->cause), ==, "stale-nonce");
  g_assert_true (f->related & BIT (W4_CAUSE_DIGEST_MISMATCH));
  fx_clear (&fx);
}

/* ---- the tracker's limit and expiry ---------------------------------------- */

static W4Finding *
limit_info (Fx *fx)
{
  for (guint i = 0; i < fx->out->len; i++)
    if (nth (fx, i)->cause == W4_CAUSE_LIMIT)
      return nth (fx, i);
  return NULL;
}

/* digest-peers=1: a second client's challenge evicts the first client's
 * nonces, so its replay is no longer recognised, and both drops are
 * counted and shown. */
static void
test_limit_digest_peers (void)
{
  Fx fx;
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, &fx };
  W4ConnInfo *a, *b;
  W4Finding *info;
  guint lines = 0;

  fx_init (&fx);
  w4_cor_free (fx.cor);
  w4_limits_init (&limits);
  limits.v[W4_LIMIT_DIGEST_PEERS] = 1;
  fx.cor = w4_cor_new (&limits, &opts, &sink);
  fx.sink = w4_cor_sink (fx.cor);
  w4_cor_set_file_name (fx.cor, 0, "test.pcap");
  a = fx_conn (&fx, 0, "10.0.0.1", 40000, "10.0.0.2", 80);
  b = fx_conn (&fx, 1, "10.0.0.5", 40000, "10.0.0.2", 80);
  req (&fx, a, 1, 100, "GET", "/p", H ("Host: example.com"));
  resp (&fx, a, 2, 100, 401, H (CHALLENGE ("n1")));
  req (&fx, a, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, a, 4, 101, 200, H ("Server: t"));
  req (&fx, b, 5, 102, "GET", "/p", H ("Host: example.com"));
  resp (&fx, b, 6, 102, 401, H (CHALLENGE ("n9")));       /* evicts a */
  req (&fx, a, 7, 103, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", ""))); /* evicts b */
  resp (&fx, a, 8, 103, 401, H (CHALLENGE ("n2")));
  fx_finish (&fx);

  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 8)->cause), ==, "rejected-credentials");
  info = limit_info (&fx);
  g_assert_nonnull (info);
  g_assert_cmpuint (info->count, ==, 2);
  g_assert_nonnull (strstr (info->summary, "digest-peers"));
  for (guint i = 0; i < fx.summary->warnings->len; i++)
    lines += strstr (g_ptr_array_index (fx.summary->warnings, i), "--limit digest-peers=N") != NULL;
  g_assert_cmpuint (lines, ==, 1);
  fx_clear (&fx);
}

/* A client unseen for longer than W4_DIGEST_IDLE_SEC is forgotten: its
 * replay an hour later is not called one (nothing is concluded from what
 * was forgotten; the server answers such a late nonce anyway). */
static void
test_idle_expiry (void)
{
  Fx fx;
  W4ConnInfo *c;

  fx_init (&fx);
  c = challenged (&fx, "/p", CHALLENGE ("n1"));
  req (&fx, c, 3, 101, "GET", "/p", H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 4, 101, 401, H (CHALLENGE ("n2")));
  req (&fx, c, 5, 101 + W4_DIGEST_IDLE_SEC + 1, "GET", "/p",
       H (DIGEST ("n1", "00000001", "/p", "")));
  resp (&fx, c, 6, 101 + W4_DIGEST_IDLE_SEC + 1, 401, H (CHALLENGE ("n3")));
  fx_finish (&fx);
  g_assert_cmpstr (w4_cause_name (at_frame (&fx, 6)->cause), ==, "rejected-credentials");
  g_assert_null (limit_info (&fx));
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/correlate/stale-nonce-proxy", test_stale_nonce_proxy);
  g_test_add_func ("/correlate/stale-nonce/nc-replay", test_nc_replay);
  g_test_add_func ("/correlate/stale-nonce/nc-next", test_nc_next_is_not_replay);
  g_test_add_func ("/correlate/stale-nonce/nc-replay-proxy", test_nc_replay_proxy);
  g_test_add_func ("/correlate/stale-nonce/nc-replay-both-headers", test_nc_replay_both_headers);
  g_test_add_func ("/correlate/stale-nonce/refused-reused", test_nonce_refused_reused);
  g_test_add_func ("/correlate/stale-nonce/expired-without-stale", test_nonce_expired_without_stale);
  g_test_add_func ("/correlate/stale-nonce/expired-then-restart", test_nonce_expired_then_restart);
  g_test_add_func ("/correlate/digest-mismatch/uri", test_mismatch_uri);
  g_test_add_func ("/correlate/digest-mismatch/uri-absolute-form", test_uri_absolute_form_matches);
  g_test_add_func ("/correlate/digest-mismatch/realm", test_mismatch_realm);
  g_test_add_func ("/correlate/digest-mismatch/realm-unseen", test_mismatch_realm_unseen_challenge);
  g_test_add_func ("/correlate/digest-mismatch/algorithm", test_mismatch_algorithm);
  g_test_add_func ("/correlate/digest-mismatch/qop", test_mismatch_qop);
  g_test_add_func ("/correlate/digest/replay-and-mismatch", test_replay_and_mismatch);
  g_test_add_func ("/correlate/digest/limit-digest-peers", test_limit_digest_peers);
  g_test_add_func ("/correlate/digest/idle-expiry", test_idle_expiry);
  return g_test_run ();
}
