/* rule-token.c: causes a token's own claims or the server's words about
 * it explain: expired-token, token-not-yet-valid. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

/* A token issued this far in the future is clock skew, not jitter. */
#define W4_COR_SKEW_SEC 60

/* The first relevant JWT, or NULL. */
static const W4Credential *
relevant_jwt (const W4CorCtx *c)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    if (w4_cor_is_relevant (c, cred) && cred->parsed && cred->parsed->jwt)
      return cred->parsed;
  }
  return NULL;
}

/* ", for subject alice" parts of a token's summary. */
static const char *
subject_words (const W4Credential *j)
{
  return j->jwt->sub ? " for subject " : "";
}

/* ---- expired-token ------------------------------------------------------- */

/* Does the server say the token expired? Its Bearer challenge with
 * error="invalid_token" and a description naming expiry (the contract), or,
 * an extension, its own message (challenge or JSON body) naming expiry in
 * answer to a Bearer token: many servers put the description only in the
 * body ({"error":"invalid_token","error_description":"expired"}). */
static gboolean
server_says_expired (const W4CorCtx *c)
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
  if (c->authz == NULL || c->authz->kind != W4_SCHEME_BEARER || c->ex->server_message == NULL)
    return FALSE;
  g_free (low);
  low = g_ascii_strdown (c->ex->server_message, -1);
  return strstr (low, "expir") != NULL;
}

static gboolean
expired_token_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4Credential *j = relevant_jwt (c);

  if (j != NULL && j->jwt->has_exp && c->ex->has_request && j->jwt->exp <= c->ex->req_ts.sec) {
    v->jwt = j;
    v->jwt_time = j->jwt->exp;
    return TRUE;
  }
  /* v->jwt stays NULL: the server's words decided */
  return server_says_expired (c);
}

static void
expired_token_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorExchange *ex = c->ex;

  if (v->jwt != NULL) {
    g_autofree char *when = w4_cor_iso_time (v->jwt_time);
    g_autofree char *ago = w4_cor_duration (w4_cor_sec_diff_usec (v->jwt_time, ex->req_ts.sec));
    f->summary = g_strdup_printf ("The token%s%s expired at %s, %s before the request.",
                                  subject_words (v->jwt), v->jwt->jwt->sub ? v->jwt->jwt->sub : "",
                                  when, ago);
  } else {
    f->summary = g_strdup_printf ("The server says the token expired (%s).",
                                  ex->server_message ? ex->server_message : "invalid_token");
  }
  f->fix = g_strdup ("Refresh the token before it expires; check the token lifetime.");
}

const W4CorRule w4_rule_expired_token = { FALSE, expired_token_holds, expired_token_explain };

/* ---- token-not-yet-valid ------------------------------------------------- */

static gboolean
not_yet_valid_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4Credential *j = relevant_jwt (c);

  if (j == NULL || !c->ex->has_request)
    return FALSE;
  /* The skew is taken off the token's time, not added to the capture's:
   * the JWT parser bounds its times to +-1e15 s, a capture time is not
   * bounded at all (pcapng, if_tsoffset) and could overflow. */
  if (j->jwt->has_nbf && j->jwt->nbf - W4_COR_SKEW_SEC > c->ex->req_ts.sec)
    v->jwt_time = j->jwt->nbf;
  else if (j->jwt->has_iat && j->jwt->iat - W4_COR_SKEW_SEC > c->ex->req_ts.sec)
    v->jwt_time = j->jwt->iat;
  else
    return FALSE;
  v->jwt = j;
  return TRUE;
}

static void
not_yet_valid_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *when = w4_cor_iso_time (v->jwt_time);
  g_autofree char *ahead = w4_cor_duration (w4_cor_sec_diff_usec (c->ex->req_ts.sec, v->jwt_time));

  f->summary = g_strdup_printf ("The token%s%s is valid only from %s, %s after the request: the "
                                "issuer's clock is ahead of the server's.",
                                subject_words (v->jwt), v->jwt->jwt->sub ? v->jwt->jwt->sub : "",
                                when, ahead);
  f->fix = g_strdup ("Clock skew between the token issuer and the server: check NTP on both.");
}

const W4CorRule w4_rule_token_not_yet_valid = { FALSE, not_yet_valid_holds,
                                                not_yet_valid_explain };
