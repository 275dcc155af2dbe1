/* rule-token.c: causes a token's own claims or the server's words about
 * it explain: expired-token, token-not-yet-valid. A JWT counts wherever it
 * travels (Authorization, an API-key header, a cookie). The decision uses
 * the capture's clock, as the contract says; the server's clock, as its
 * Date header shows it (track-clock.c), is reported beside it when the two
 * differ by more than W4_COR_CLOCK_SKEW_SEC. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-clock.h"

#include <string.h>

/* A token issued this far in the future is clock skew, not jitter. */
#define W4_COR_SKEW_SEC 60

/* Which claim of a JWT decides a rule, and when it says; FALSE when the
 * JWT does not make the rule hold. */
typedef gboolean (*W4JwtTest) (const W4CorCtx *c, const W4JwtClaims *j, gint64 *when,
                               const char **claim);

/* The order the server most likely reads credentials in: the header the
 * status names, then the API key, then cookies. */
static int
cred_rank (const W4CorCred *cred)
{
  if (cred->kind == W4_SCHEME_COOKIE)
    return 2;
  return cred->kind == W4_SCHEME_APIKEY ? 1 : 0;
}

/* The first relevant credential carrying a JWT that passes @test (any JWT
 * when @test is NULL), or NULL; fills @v's jwt fields. */
static const W4CorCred *
find_jwt (const W4CorCtx *c, W4JwtTest test, W4CorVerdict *v)
{
  for (int rank = 0; rank < 3; rank++) {
    for (guint i = 0; i < c->ex->creds->len; i++) {
      const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
      const W4JwtClaims *j = w4_cor_cred_jwt (cred);
      gint64 when = 0;
      const char *claim = NULL;

      if (j == NULL || cred_rank (cred) != rank || !w4_cor_is_relevant (c, cred) ||
          (test != NULL && !test (c, j, &when, &claim)))
        continue;
      v->cred = cred;
      v->jwt = j;
      v->jwt_time = when;
      v->jwt_claim = claim;
      v->clock = w4_cor_clock_of (c->cor, c->ex);
      return cred;
    }
  }
  return NULL;
}

/* "The Bearer token", "The JWT in X-API-Key", "The JWT in cookie `session`":
 * where the token travelled (@evidence: "JWT in cookie session" and the
 * like). */
static char *
where_words (const W4CorCred *cred, gboolean evidence)
{
  const char *header = cred->proxy ? "Proxy-Authorization" : "Authorization";

  if (cred->kind == W4_SCHEME_COOKIE)
    return evidence ? w4_cor_printf ("JWT in cookie %s", cred->name)
                    : w4_cor_printf ("The JWT in cookie `%s`", cred->name);
  if (cred->kind == W4_SCHEME_APIKEY)
    return w4_cor_printf ("%s in %s", evidence ? "JWT" : "The JWT", cred->name);
  if (evidence)
    return w4_cor_printf ("JWT in %s", header);
  if (cred->kind == W4_SCHEME_BEARER && !cred->proxy)
    return g_strdup ("The Bearer token");
  return w4_cor_printf ("The JWT in %s", header);
}

/* "The JWT in cookie `session` for subject alice". */
static char *
token_words (const W4CorVerdict *v)
{
  g_autofree char *where = where_words (v->cred, FALSE);

  if (v->jwt->sub == NULL)
    return g_steal_pointer (&where);
  return w4_cor_printf ("%s for subject %s", where, v->jwt->sub);
}

/* Microseconds from the server's clock at the request to second @t:
 * the capture's distance minus the skew, kept far from overflow. */
static gint64
by_server_usec (const W4CorCtx *c, const W4CorClock *k, gint64 t)
{
  gint64 d = w4_cor_sec_diff_usec (c->ex->req_ts.sec, t);

  d = CLAMP (d, G_MININT64 / 2, G_MAXINT64 / 2);
  return d - k->skew_sec * G_USEC_PER_SEC;
}

/* "the server's Date header (frame 18) is 5 min 3 s ahead of the capture
 * clock". */
static char *
clock_words (const W4CorCtx *c, const W4CorClock *k)
{
  g_autofree char *at = w4_cor_frame_ref (c, k->frame);
  g_autofree char *d = w4_cor_duration (ABS (k->skew_sec) * G_USEC_PER_SEC);

  return w4_cor_printf ("the server's Date header (%s) is %s %s the capture clock", at, d,
                        k->skew_sec > 0 ? "ahead of" : "behind");
}

/* The evidence of the token: its header and claims, on the request. */
static void
add_token_evidence (const W4CorCtx *c, const W4CorVerdict *v)
{
  const W4JwtClaims *j = v->jwt;
  GString *s = g_string_new (NULL);
  g_autofree char *where = where_words (v->cred, TRUE);

  w4_cor_append_printf (s, "%s (decoded, not verified):", where);
  w4_cor_append_printf (s, " alg %s", j->alg ? j->alg : "(none given)");
  if (j->kid)
    w4_cor_append_printf (s, ", kid %s", j->kid);
  if (j->sub)
    w4_cor_append_printf (s, ", sub %s", j->sub);
  if (j->iss)
    w4_cor_append_printf (s, ", iss %s", j->iss);
  if (j->aud && j->n_aud > 1)
    w4_cor_append_printf (s, ", aud %s (and %u more)", j->aud, j->n_aud - 1);
  else if (j->aud)
    w4_cor_append_printf (s, ", aud %s", j->aud);
  {
    const struct { gboolean has; gint64 t; const char *name; } times[] = {
      { j->has_iat, j->iat, "iat" }, { j->has_nbf, j->nbf, "nbf" }, { j->has_exp, j->exp, "exp" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (times); i++) {
      g_autofree char *iso = NULL;
      if (!times[i].has)
        continue;
      iso = w4_cor_iso_time (times[i].t);
      w4_cor_append_printf (s, ", %s %s", times[i].name, iso);
    }
  }
  w4_cor_ev_add (c->ev, c->ex->req_frame, c->ex->req_stream, s->str);
  g_string_free (s, TRUE);
}

/* The server's Date header as evidence. */
static void
add_clock_evidence (const W4CorCtx *c, const W4CorClock *k)
{
  g_autofree char *iso = w4_cor_iso_time (k->date);
  g_autofree char *d = w4_cor_duration (ABS (k->skew_sec) * G_USEC_PER_SEC);
  g_autofree char *what = NULL;

  if (w4_cor_clock_is_off (k))
    what = w4_cor_printf ("Date: %s, %s %s the capture clock", iso, d,
                          k->skew_sec > 0 ? "ahead of" : "behind");
  else
    what = w4_cor_printf ("Date: %s, which agrees with the capture clock", iso);
  w4_cor_ev_add (c->ev, k->frame, k->stream, what);
}

/* ---- expired-token ------------------------------------------------------- */

static gboolean
expired_test (const W4CorCtx *c, const W4JwtClaims *j, gint64 *when, const char **claim)
{
  if (!j->has_exp || j->exp > c->ex->req_ts.sec)
    return FALSE;
  *when = j->exp;
  *claim = "exp";
  return TRUE;
}

static gboolean
has_exp_test (const W4CorCtx *c, const W4JwtClaims *j, gint64 *when, const char **claim)
{
  (void) c;
  *when = j->exp;
  *claim = "exp";
  return j->has_exp;
}

/* Does the server say the token expired? Its Bearer challenge with
 * error="invalid_token" and a description naming expiry (the contract), or,
 * an extension, its own message (challenge or JSON body) naming expiry in
 * answer to a token (a Bearer one, or a JWT in an API key or cookie): many
 * servers put the description only in the body
 * ({"error":"invalid_token","error_description":"expired"}). */
static gboolean
server_says_expired (const W4CorCtx *c, gboolean has_jwt)
{
  const W4Challenge *ch = w4_cor_challenge_of (c, W4_SCHEME_BEARER);
  const char *err = ch ? w4_auth_challenge_param (ch, "error") : NULL;
  const char *desc = ch ? w4_auth_challenge_param (ch, "error_description") : NULL;
  g_autofree char *low = NULL;

  if (err != NULL && g_ascii_strcasecmp (err, "invalid_token") == 0 && desc != NULL) {
    low = g_ascii_strdown (desc, -1);
    if (strstr (low, "expir") != NULL)
      return TRUE;
  }
  if (c->ex->server_message == NULL ||
      !(has_jwt || (c->authz != NULL && c->authz->kind == W4_SCHEME_BEARER)))
    return FALSE;
  g_free (low);
  low = g_ascii_strdown (c->ex->server_message, -1);
  return strstr (low, "expir") != NULL;
}

static gboolean
expired_token_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  W4CorVerdict any = { 0 };

  if (!c->ex->has_request)
    return server_says_expired (c, FALSE);
  if (find_jwt (c, expired_test, v) != NULL)
    return TRUE;
  /* The server's words decided; v->jwt is the token they are about, when
   * one has an exp (its summary says what the clocks make of it). */
  find_jwt (c, has_exp_test, &any);
  if (!server_says_expired (c, any.jwt != NULL))
    return FALSE;
  *v = any;
  return TRUE;
}

/* " The server's Date header (frame 18) is 5 min 3 s ahead of the capture
 * clock, so by the server's clock it expired 8 min 15 s before the
 * request." for a JWT that the capture's clock says expired; "" when the
 * clocks agree. */
static char *
expired_clock_words (const W4CorCtx *c, const W4CorVerdict *v)
{
  g_autofree char *clock = NULL, *d = NULL;
  gint64 left;

  if (!w4_cor_clock_is_off (v->clock))
    return g_strdup ("");
  clock = clock_words (c, v->clock);
  left = by_server_usec (c, v->clock, v->jwt_time);
  d = w4_cor_duration (ABS (left));
  if (left <= 0)
    return w4_cor_printf (" %c%s, so by the server's clock it expired %s before the request.",
                          g_ascii_toupper (clock[0]), clock + 1, d);
  return w4_cor_printf (" %c%s, so by the server's clock it had not expired yet (%s left).",
                        g_ascii_toupper (clock[0]), clock + 1, d);
}

static void
expired_token_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorExchange *ex = c->ex;
  const char *said = ex->server_message ? ex->server_message : "invalid_token";

  f->fix = g_strdup ("Refresh the token before it expires; check the token lifetime.");
  if (v->jwt == NULL) {
    f->summary = w4_cor_printf ("The server says the token expired (%s).", said);
    return;
  }
  add_token_evidence (c, v);
  if (w4_cor_clock_is_off (v->clock))
    add_clock_evidence (c, v->clock);
  {
    g_autofree char *who = token_words (v);
    g_autofree char *when = w4_cor_iso_time (v->jwt_time);
    /* in seconds: a claim may be anywhere in gint64, microseconds overflow */
    g_autofree char *d = w4_cor_duration_sec_abs (w4_cor_sec_between (v->jwt_time, ex->req_ts.sec));

    if (v->jwt_time <= ex->req_ts.sec) {
      g_autofree char *clock = expired_clock_words (c, v);
      f->summary = w4_cor_printf ("%s expired at %s, %s before the request.%s", who, when, d,
                                  clock);
      return;
    }
    /* Not expired by the capture's clock: the server's words decided. */
    if (w4_cor_clock_is_off (v->clock) && by_server_usec (c, v->clock, v->jwt_time) <= 0) {
      g_autofree char *clock = clock_words (c, v->clock);
      g_autofree char *ago = w4_cor_duration (-by_server_usec (c, v->clock, v->jwt_time));
      f->summary = w4_cor_printf ("The server says the token expired (%s). %s expires at %s, "
                                  "%s after the request by the capture clock, but %s, so by "
                                  "the server's clock it expired %s before the request.",
                                  said, who, when, d, clock, ago);
      g_free (f->fix);
      f->fix = g_strdup ("The server's clock is ahead: check NTP on the server.");
      return;
    }
    f->summary = w4_cor_printf ("The server says the token expired (%s), although %c%s "
                                "expires only at %s, %s after the request.",
                                said, g_ascii_tolower (who[0]), who + 1, when, d);
  }
}

const W4CorRule w4_rule_expired_token = { FALSE, expired_token_holds, expired_token_explain };

/* ---- token-not-yet-valid ------------------------------------------------- */

static gboolean
not_yet_valid_test (const W4CorCtx *c, const W4JwtClaims *j, gint64 *when, const char **claim)
{
  /* The skew is taken off the token's time, not added to the capture's:
   * the JWT parser bounds its times to +-1e15 s, a capture time is not
   * bounded at all (pcapng, if_tsoffset) and could overflow. */
  if (j->has_nbf && j->nbf - W4_COR_SKEW_SEC > c->ex->req_ts.sec) {
    *when = j->nbf;
    *claim = "nbf";
  } else if (j->has_iat && j->iat - W4_COR_SKEW_SEC > c->ex->req_ts.sec) {
    *when = j->iat;
    *claim = "iat";
  } else {
    return FALSE;
  }
  return TRUE;
}

static gboolean
not_yet_valid_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  return c->ex->has_request && find_jwt (c, not_yet_valid_test, v) != NULL;
}

/* What the server's Date says of whose clock is ahead: ": the issuer's
 * clock is ahead of the server's." and the like. */
static char *
not_yet_valid_clock_words (const W4CorCtx *c, const W4CorVerdict *v)
{
  g_autofree char *clock = NULL;
  gint64 ahead;

  if (v->clock == NULL)
    /* no Date to compare with (none sent, cut, or forgotten): only the
     * capture's clock was */
    return g_strdup (": the issuer's clock is ahead of the capture's (the server sent no Date "
                     "header seen here to compare with).");
  if (!w4_cor_clock_is_off (v->clock)) {
    g_autofree char *at = w4_cor_frame_ref (c, v->clock->frame);
    return w4_cor_printf ("; the server's Date header (%s) agrees with the capture clock, so "
                          "the issuer's clock is ahead.", at);
  }
  clock = clock_words (c, v->clock);
  ahead = by_server_usec (c, v->clock, v->jwt_time);
  if (ahead > (gint64) W4_COR_SKEW_SEC * G_USEC_PER_SEC) {
    g_autofree char *d = w4_cor_duration (ahead);
    return w4_cor_printf ("; %s, and by the server's clock too the token starts %s after the "
                          "request: the issuer's clock is ahead of both.", clock, d);
  }
  return w4_cor_printf ("; %s, so by the server's clock the token was already valid: the "
                        "capture's clock, not the issuer's, is behind.", clock);
}

static void
not_yet_valid_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *who = token_words (v);
  g_autofree char *when = w4_cor_iso_time (v->jwt_time);
  g_autofree char *ahead =
      w4_cor_duration_sec (w4_cor_sec_between (c->ex->req_ts.sec, v->jwt_time));
  g_autofree char *clock = not_yet_valid_clock_words (c, v);

  add_token_evidence (c, v);
  if (v->clock != NULL)
    add_clock_evidence (c, v->clock);
  f->summary = w4_cor_printf ("%s is valid only from %s (its %s), %s after the request%s", who,
                              when, v->jwt_claim, ahead, clock);
  if (w4_cor_clock_is_off (v->clock))
    f->fix = g_strdup ("Clock skew: check NTP on the token issuer, and on the server, whose "
                       "clock is off too.");
  else
    f->fix = g_strdup ("The token issuer's clock is ahead: check NTP on the issuer.");
}

const W4CorRule w4_rule_token_not_yet_valid = { FALSE, not_yet_valid_holds,
                                                not_yet_valid_explain };
