/* cor-rules.c: the cause rules of ../shared/spec/FINDINGS.md and every text
 * a finding carries.
 *
 * A failed response is decided in three steps:
 *  1. the handshake check (401/407 only): a normal challenge step that a
 *     retry within 30 s got past becomes a `note` with cause `challenge`;
 *  2. every rule in the table's order (one small function per cause):
 *     the first that holds is the primary cause, every other that holds
 *     goes to `related`; `missing-challenge` is added for a 401 without
 *     WWW-Authenticate (407 without Proxy-Authenticate);
 *  3. the texts: summary, fix, evidence, wireshark_filter.
 *
 * For a 403 the rules no-credentials and rejected-credentials are not
 * asked: the contract replaces them (and unexplained) by `forbidden`, which
 * holds when no other rule does. Adding a cause is adding a rule function
 * to rules[] and a case to the texts.
 *
 * Rules see only copied exchange records and the flat aggregates: they
 * may use everything seen up to the decision, including later requests.
 * Secrets never enter a text unless --show-secrets: credentials appear as
 * scheme, user name or subject, and fingerprint; URIs are redacted. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"

#include <string.h>


typedef struct {
  W4Correlate *cor;
  const W4CorExchange *ex;
  gboolean proxy;             /* a 407: the proxy's headers count */
  const W4CorCred *authz;     /* the first header the status names, or NULL */
  guint n_authz;              /* how many of that header */
  guint n_other_authz;        /* how many of the other one */
  const W4CorCred *apikey;    /* the first API-key header, or NULL */
  gboolean has_cookie;
  const W4CorCred *main;      /* w4_cor_main_cred() */
  const W4CorExchange *retry; /* set by the handshake check */
  guint file_index;           /* the finding's file: its response's */
} Ctx;

/* ---- helpers the rules share --------------------------------------------- */

static gboolean
has_challenges (const Ctx *c)
{
  return c->ex->challenges != NULL && c->ex->challenges->len > 0;
}


/* Does the response offer @cred's scheme? An API key counts when a
 * challenge names it (FINDINGS "Words"); other schemes compare by word. */
static gboolean
offered (const Ctx *c, const W4CorCred *cred)
{
  if (cred == NULL || !has_challenges (c))
    return FALSE;
  for (guint i = 0; i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);

    if (ch->kind != cred->kind)
      continue;
    if (ch->kind != W4_SCHEME_OTHER)
      return TRUE;
    if (cred->parsed && cred->parsed->scheme && ch->scheme &&
        g_ascii_strcasecmp (cred->parsed->scheme, ch->scheme) == 0)
      return TRUE;
  }
  return FALSE;
}

static gboolean
is_http_auth_scheme (W4Scheme k)
{
  return k == W4_SCHEME_BASIC || k == W4_SCHEME_DIGEST || k == W4_SCHEME_BEARER ||
         k == W4_SCHEME_NTLM || k == W4_SCHEME_NEGOTIATE;
}

static gboolean
challenges_only_http_auth (const Ctx *c)
{
  if (!has_challenges (c))
    return FALSE;
  for (guint i = 0; i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);
    if (!is_http_auth_scheme (ch->kind))
      return FALSE;
  }
  return TRUE;
}

static gboolean
param_is_true (const W4Challenge *ch, const char *name)
{
  const char *v = ch ? w4_auth_challenge_param (ch, name) : NULL;

  return v != NULL && g_ascii_strcasecmp (v, "true") == 0;
}

/* The credentials that the failed request offered toward this status:
 * the header the status names, the API key, the session cookies. */
static gboolean
is_relevant (const Ctx *c, const W4CorCred *cred)
{
  if (cred->kind == W4_SCHEME_APIKEY || cred->kind == W4_SCHEME_COOKIE)
    return !c->proxy;
  return cred->proxy == c->proxy;
}

static const char *
challenge_header (const Ctx *c)
{
  return c->proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

static const char *
authz_header (const Ctx *c)
{
  return c->proxy ? "Proxy-Authorization" : "Authorization";
}

static const char *
who_answers (const Ctx *c)
{
  return c->proxy ? "proxy" : "server";
}

/* ---- the handshake check ------------------------------------------------- */

static const W4Challenge *
challenge_in (const W4CorExchange *ex, W4Scheme kind)
{
  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
    if (ch->kind == kind)
      return ch;
  }
  return NULL;
}

static const W4Challenge *
challenge_of (const Ctx *c, W4Scheme kind)
{
  return challenge_in (c->ex, kind);
}

gboolean
w4_cor_intermediate_leg (const W4CorExchange *ex, const W4CorCred *cred)
{
  const W4Credential *p = cred ? cred->parsed : NULL;
  const W4Challenge *ch;

  if (p == NULL || p->malformed)
    return FALSE;
  if ((p->kind == W4_SCHEME_NTLM || (p->kind == W4_SCHEME_NEGOTIATE && p->negotiate_is_ntlm)) &&
      p->ntlm_type == 1)
    return TRUE;
  if (p->kind == W4_SCHEME_NEGOTIATE && (ch = challenge_in (ex, W4_SCHEME_NEGOTIATE)) != NULL &&
      ch->token68 != NULL)
    return TRUE;
  ch = challenge_in (ex, W4_SCHEME_DIGEST);
  if (p->kind == W4_SCHEME_DIGEST && ch != NULL) {
    const char *stale = w4_auth_challenge_param (ch, "stale");
    return stale != NULL && g_ascii_strcasecmp (stale, "true") == 0;
  }
  return FALSE;
}

static gboolean
intermediate_leg (const Ctx *c)
{
  return w4_cor_intermediate_leg (c->ex, c->authz);
}

static gboolean
request_has_any_credentials (const W4CorExchange *ex)
{
  return ex->n_authz + ex->n_proxy_authz + ex->n_apikey > 0 || ex->cookie_names != NULL;
}

/* First half of the check: this request could not have passed yet. */
static gboolean
handshake_step (const Ctx *c)
{
  if (intermediate_leg (c))
    return TRUE;
  if (has_challenges (c))
    return !offered (c, c->authz) && !offered (c, c->apikey);
  return !request_has_any_credentials (c->ex);
}

/* Second half: the same client sent the same method and target to the
 * same server with credentials within 30 s after the failed response, and
 * got past authentication. (transfer none) the retry, or NULL. */
static const W4CorExchange *
find_next_attempt (const Ctx *c, gboolean must_pass)
{
  const W4CorExchange *ex = c->ex;
  W4CorClient *cl = ex->client_state;
  GList *l;
  guint steps = 0;

  if (!ex->has_request)
    return NULL;
  if (cl == NULL)
    cl = g_hash_table_lookup (c->cor->clients, &ex->client.addr);
  if (cl == NULL)
    return NULL;
  l = ex->client_link ? ex->client_link->next : cl->window.head;
  for (; l != NULL && steps < W4_COR_LOOKAHEAD_MAX; l = l->next, steps++) {
    const W4CorExchange *e = l->data;

    if (e->arrival <= ex->arrival || !e->has_request)
      continue;
    if (w4_time_diff_usec (ex->resp_ts, e->req_ts) > (gint64) W4_COR_LOOKAHEAD_SEC * G_USEC_PER_SEC)
      break;
    if (e->req_frame <= ex->resp_frame || strcmp (e->server_key, ex->server_key) != 0 ||
        g_strcmp0 (e->method, ex->method) != 0 || g_strcmp0 (e->target, ex->target) != 0)
      continue;
    if (c->proxy ? e->n_proxy_authz == 0 : !request_has_any_credentials (e))
      continue;
    if (!e->has_response)
      continue;
    if (must_pass && (e->status == 400 || e->status == 401 || e->status == 407))
      continue;
    return e;
  }
  return NULL;
}

static const W4CorExchange *
find_retry (const Ctx *c)
{
  return find_next_attempt (c, TRUE);
}

/* ---- the rules, in the table's order ------------------------------------- */

static gboolean
rule_cors_preflight (const Ctx *c)
{
  return c->ex->has_acrm && g_strcmp0 (c->ex->method, "OPTIONS") == 0;
}

static gboolean
rule_wrong_auth_header (const Ctx *c)
{
  if (c->ex->status == 407)
    return c->ex->n_authz > 0 && c->ex->n_proxy_authz == 0;
  if (c->ex->status == 401)
    return c->ex->n_proxy_authz > 0 && c->ex->n_authz == 0;
  return FALSE;
}

/* Does the server say the token expired? Its Bearer challenge with
 * error="invalid_token" and a description naming expiry (the contract), or,
 * an extension, its own message (challenge or JSON body) naming expiry in
 * answer to a Bearer token: many servers put the description only in the
 * body ({"error":"invalid_token","error_description":"expired"}). */
static gboolean
server_says_expired (const Ctx *c)
{
  const W4Challenge *ch = challenge_of (c, W4_SCHEME_BEARER);
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

/* The first relevant JWT, or NULL. */
static const W4Credential *
relevant_jwt (const Ctx *c)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    if (is_relevant (c, cred) && cred->parsed && cred->parsed->is_jwt)
      return cred->parsed;
  }
  return NULL;
}

static gboolean
rule_expired_token (const Ctx *c)
{
  const W4Credential *j = relevant_jwt (c);

  if (j != NULL && j->has_exp && c->ex->has_request && j->jwt_exp <= c->ex->req_ts.sec)
    return TRUE;
  return server_says_expired (c);
}

/* A token issued this far in the future is clock skew, not jitter. */
#define W4_COR_SKEW_SEC 60

static gboolean
rule_token_not_yet_valid (const Ctx *c)
{
  const W4Credential *j = relevant_jwt (c);

  if (j == NULL || !c->ex->has_request)
    return FALSE;
  /* The skew is taken off the token's time, not added to the capture's:
   * the JWT parser bounds its times to +-1e15 s, a capture time is not
   * bounded at all (pcapng, if_tsoffset) and could overflow. */
  if (j->has_nbf && j->jwt_nbf - W4_COR_SKEW_SEC > c->ex->req_ts.sec)
    return TRUE;
  return j->has_iat && j->jwt_iat - W4_COR_SKEW_SEC > c->ex->req_ts.sec;
}

static gboolean
rule_stale_nonce (const Ctx *c)
{
  return param_is_true (challenge_of (c, W4_SCHEME_DIGEST), "stale");
}

static gboolean
rule_scheme_mismatch (const Ctx *c)
{
  /* A bare token has no scheme to mismatch: that is malformed. */
  return has_challenges (c) && c->authz != NULL && c->authz->kind != W4_SCHEME_NONE &&
         !offered (c, c->authz);
}

static gboolean
rule_malformed_credentials (const Ctx *c)
{
  if (c->n_authz > 1)
    return TRUE;
  if (c->authz && c->authz->parsed->malformed)
    return TRUE;
  return c->apikey && c->apikey->parsed->malformed;
}

/* Session-like credentials: the same value is sent again and again. Digest
 * and NTLM responses change with every request, so they never repeat. */
static gboolean
is_session_like (const W4CorCred *cred)
{
  switch (cred->kind) {
  case W4_SCHEME_BASIC:
  case W4_SCHEME_BEARER:
  case W4_SCHEME_APIKEY:
  case W4_SCHEME_COOKIE:
  case W4_SCHEME_OTHER:
  case W4_SCHEME_NONE:
    return TRUE;
  default:
    return FALSE;
  }
}

/* permission-denied: the relevant credential that succeeds elsewhere on
 * this server (403: before or after; 401/407: after). */
static const W4CorCred *
permission_cred (const Ctx *c, const W4CorCredAgg **out)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    const W4CorCredAgg *a;

    if (!is_relevant (c, cred) || (cred->parsed && cred->parsed->malformed))
      continue;
    a = w4_cor_cred_agg (c->cor, cred->agg_key);
    if (a == NULL || a->successes == 0)
      continue;
    if (c->ex->status == 403 || a->last_success_frame > c->ex->resp_frame) {
      if (out)
        *out = a;
      return cred;
    }
  }
  return NULL;
}

static gboolean
rule_permission_denied (const Ctx *c)
{
  return permission_cred (c, NULL) != NULL;
}

/* session-expired: succeeded on this server before, none after. */
static const W4CorCred *
expired_session_cred (const Ctx *c, const W4CorCredAgg **out)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    const W4CorCredAgg *a;

    if (!is_relevant (c, cred) || !is_session_like (cred))
      continue;
    a = w4_cor_cred_agg (c->cor, cred->agg_key);
    if (a == NULL || a->successes == 0)
      continue;
    if (a->first_success_frame < c->ex->resp_frame && a->last_success_frame < c->ex->resp_frame) {
      if (out)
        *out = a;
      return cred;
    }
  }
  return NULL;
}

static gboolean
rule_session_expired (const Ctx *c)
{
  /* A 403 after a success means the server recognised the credential:
   * permission-denied always holds then, and calling the same facts an
   * expired session as well would mislead. */
  if (c->ex->status == 403)
    return FALSE;
  return expired_session_cred (c, NULL) != NULL;
}

static gboolean
rule_no_credentials (const Ctx *c)
{
  /* Without the request we cannot know that it carried nothing. */
  if (!c->ex->has_request || c->ex->status == 403 || c->authz != NULL || c->apikey != NULL)
    return FALSE;
  /* Cookies are credentials, except when the response asks only for HTTP
   * authentication: then they were not what it asked for. */
  return c->ex->cookie_names == NULL || c->proxy || challenges_only_http_auth (c);
}

static gboolean
rule_rejected_credentials (const Ctx *c)
{
  /* The server answered a first handshake leg with its own leg: that is
   * the handshake going on, not a rejection. */
  if (c->ex->status == 403 || intermediate_leg (c))
    return FALSE;
  if (c->authz && !c->authz->parsed->malformed && (!has_challenges (c) || offered (c, c->authz)))
    return TRUE;
  if (c->apikey && !c->apikey->parsed->malformed && (!has_challenges (c) || offered (c, c->apikey)))
    return TRUE;
  return !c->proxy && c->ex->cookie_names != NULL && !has_challenges (c);
}

typedef gboolean (*RuleFn) (const Ctx *c);

static const struct {
  W4Cause cause;
  RuleFn holds;
} rules[] = {
  { W4_CAUSE_CORS_PREFLIGHT, rule_cors_preflight },
  { W4_CAUSE_WRONG_AUTH_HEADER, rule_wrong_auth_header },
  { W4_CAUSE_EXPIRED_TOKEN, rule_expired_token },
  { W4_CAUSE_TOKEN_NOT_YET_VALID, rule_token_not_yet_valid },
  { W4_CAUSE_STALE_NONCE, rule_stale_nonce },
  { W4_CAUSE_SCHEME_MISMATCH, rule_scheme_mismatch },
  { W4_CAUSE_MALFORMED_CREDENTIALS, rule_malformed_credentials },
  { W4_CAUSE_PERMISSION_DENIED, rule_permission_denied },
  { W4_CAUSE_SESSION_EXPIRED, rule_session_expired },
  { W4_CAUSE_NO_CREDENTIALS, rule_no_credentials },
  { W4_CAUSE_REJECTED_CREDENTIALS, rule_rejected_credentials },
};

/* ---- text helpers -------------------------------------------------------- */

static char *
display_uri (const Ctx *c, const char *target)
{
  if (target == NULL)
    return NULL;
  return c->cor->opts.show_secrets ? g_strdup (target) : w4_redact_uri (target);
}

static gboolean
is_user_cred (const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  if (p == NULL || p->malformed)
    return FALSE;
  return p->basic_user != NULL || p->ntlm_user != NULL ||
         (cred->kind == W4_SCHEME_DIGEST && g_strcmp0 (cred->principal, cred->fingerprint) != 0);
}

static const char *
scheme_word (const W4CorCred *cred)
{
  if (cred->kind == W4_SCHEME_OTHER && cred->parsed && cred->parsed->scheme)
    return cred->parsed->scheme;
  return w4_auth_scheme_name (cred->kind);
}

/* "Basic (user test)": how evidence shows a credential. (transfer full) */
static char *
cred_desc (const Ctx *c, const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  if (p == NULL)
    return g_strdup_printf ("cookie %s (%s)", cred->name, cred->fingerprint);
  if (p->malformed)
    return g_strdup_printf ("%s (malformed: %s)", p->scheme ? p->scheme : "no scheme",
                            p->malformed_why ? p->malformed_why : "cannot be parsed");
  switch (cred->kind) {
  case W4_SCHEME_APIKEY:
    return g_strdup_printf ("%s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_BASIC:
    if (c->cor->opts.show_secrets && p->basic_password)
      return g_strdup_printf ("Basic (user %s, password %s)", p->basic_user, p->basic_password);
    return g_strdup_printf ("Basic (user %s)", p->basic_user ? p->basic_user : "");
  case W4_SCHEME_BEARER:
    if (p->is_jwt && p->jwt_sub)
      return g_strdup_printf ("Bearer (JWT for %s, %s)", p->jwt_sub, cred->fingerprint);
    return g_strdup_printf ("Bearer (%s)", cred->fingerprint);
  case W4_SCHEME_DIGEST:
    return g_strdup_printf ("Digest (user %s)", cred->principal);
  case W4_SCHEME_NTLM:
    if (p->ntlm_user)
      return g_strdup_printf ("NTLM type %u (user %s)", p->ntlm_type, p->ntlm_user);
    return g_strdup_printf ("NTLM type %u", p->ntlm_type);
  case W4_SCHEME_NEGOTIATE:
    if (p->negotiate_is_ntlm && p->ntlm_user)
      return g_strdup_printf ("Negotiate (NTLM type %u, user %s)", p->ntlm_type, p->ntlm_user);
    if (p->negotiate_is_ntlm)
      return g_strdup_printf ("Negotiate (NTLM type %u)", p->ntlm_type);
    return g_strdup_printf ("Negotiate (%s)", cred->fingerprint);
  default:
    return g_strdup_printf ("%s (%s)", scheme_word (cred), cred->fingerprint);
  }
}

/* "Basic credentials for user test": how summaries name a credential. */
static char *
cred_phrase (const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  switch (cred->kind) {
  case W4_SCHEME_COOKIE:
    return g_strdup_printf ("the session cookie %s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_APIKEY:
    return g_strdup_printf ("the API key in %s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_BEARER:
    if (p && p->is_jwt && p->jwt_sub)
      return g_strdup_printf ("the Bearer token for subject %s", p->jwt_sub);
    return g_strdup_printf ("the Bearer token %s", cred->fingerprint);
  default:
    if (is_user_cred (cred))
      return g_strdup_printf ("%s credentials for user %s", scheme_word (cred), cred->principal);
    return g_strdup_printf ("%s credentials (%s)", scheme_word (cred), cred->fingerprint);
  }
}

/* "GET /password-ok.php with Authorization: Basic (user test)". */
static char *
request_what (const Ctx *c, const W4CorExchange *ex)
{
  g_autofree char *uri = display_uri (c, ex->target);
  GString *s = g_string_new (NULL);
  gboolean any = FALSE;

  g_string_printf (s, "%s %s", ex->method, uri);
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
    g_autofree char *d = NULL;
    guint n;

    if (cred->kind == W4_SCHEME_COOKIE)
      continue;
    d = cred_desc (c, cred);
    g_string_append (s, any ? ", " : " with ");
    any = TRUE;
    n = cred->kind == W4_SCHEME_APIKEY ? 1 : cred->proxy ? ex->n_proxy_authz : ex->n_authz;
    if (cred->kind == W4_SCHEME_APIKEY)
      g_string_append (s, d);
    else if (n > 1)
      g_string_append_printf (s, "%u %s headers (first: %s)", n, cred->name, d);
    else
      g_string_append_printf (s, "%s: %s", cred->name, d);
  }
  if (ex->cookie_names != NULL) {
    /* Analytics cookies beside an Authorization header are noise: name
     * the session cookies then, and all cookies only when they are all the
     * request carried. */
    GString *sess = g_string_new (NULL);
    for (guint i = 0; i < ex->creds->len; i++) {
      const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
      if (cred->kind == W4_SCHEME_COOKIE)
        g_string_append_printf (sess, "%s%s", sess->len ? ", " : "", cred->name);
    }
    if (!any || sess->len > 0) {
      g_string_append (s, any ? ", " : " with ");
      g_string_append_printf (s, "Cookie: %s", any ? sess->str : ex->cookie_names);
      any = TRUE;
    }
    g_string_free (sess, TRUE);
  }
  if (!any)
    g_string_append (s, " without credentials");
  return g_string_free (s, FALSE);
}

/* "401 with WWW-Authenticate: Basic realm=\"...\"". */
static char *
response_what (const Ctx *c)
{
  const W4CorExchange *ex = c->ex;
  GString *s = g_string_new (NULL);

  g_string_printf (s, "%u", ex->status);
  if (ex->challenge_text != NULL)
    g_string_append_printf (s, " with %s: %s", challenge_header (c), ex->challenge_text);
  else if (ex->status != 403)
    g_string_append_printf (s, " without %s", challenge_header (c));
  if (ex->server_message != NULL && !ex->message_from_challenge)
    g_string_append_printf (s, "; the server says \"%s\"", ex->server_message);
  return g_string_free (s, FALSE);
}

/* "Basic or Digest": the schemes the response offers. */
static char *
offered_list (const Ctx *c)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; has_challenges (c) && i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);
    const char *w = ch->kind == W4_SCHEME_OTHER && ch->scheme ? ch->scheme : w4_auth_scheme_name (ch->kind);
    gboolean seen = FALSE;

    for (guint j = 0; j < i; j++) {
      const W4Challenge *o = g_ptr_array_index (c->ex->challenges, j);
      const char *ow = o->kind == W4_SCHEME_OTHER && o->scheme ? o->scheme : w4_auth_scheme_name (o->kind);
      seen |= g_ascii_strcasecmp (w, ow) == 0;
    }
    if (seen)
      continue;
    if (s->len > 0)
      g_string_append (s, i + 1 == c->ex->challenges->len ? " or " : ", ");
    g_string_append (s, w);
  }
  return g_string_free (s, FALSE);
}

/* "42 s", "5 min 3 s", "2 h 1 min". */
static char *
duration (gint64 usec)
{
  gint64 s = usec / G_USEC_PER_SEC;

  if (s < 0)
    s = 0;
  if (s < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", s);
  if (s < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s", s / 60, s % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600,
                          (s % 3600) / 60);
}

/* Microseconds from second @from to second @to, saturated: a JWT's times
 * (up to +-1e15 s) times 10^6 overflow gint64 (UBSan). */
static gint64
sec_diff_usec (gint64 from, gint64 to)
{
  W4Time a = { from, 0 }, b = { to, 0 };

  return w4_time_diff_usec (a, b);
}

static char *
iso_time (gint64 sec)
{
  W4Time t = { sec, 0 };
  char buf[W4_TIME_STRLEN];

  return g_strdup (w4_time_format_iso (t, buf, sizeof buf));
}

/* Evidence, and the frames of the finding's file it names with the streams
 * they are on, for the display filter (cor-filter.c). Frames come in as
 * the run counts them and go out as their file does. */
typedef struct {
  W4Correlate *cor;
  W4Finding *f;
  guint file_index;      /* the finding's file */
  GArray *frames;        /* W4CorFilterFrame */
} Ev;

/* @stream: the tcp.stream @frame is on in its file, -1 for "not one
 * connection's" (the filter then names frames only). */
static void
ev_add (Ev *ev, guint64 frame, gint64 stream, const char *what)
{
  guint file_index;
  guint64 in_file;

  if (frame == 0)
    return;
  in_file = w4_cor_locate (ev->cor, frame, &file_index);
  if (file_index != ev->file_index) {
    /* not in the file the filter applies to: the entry names its file */
    w4_finding_add_evidence_in (ev->f, in_file, w4_cor_file_name (ev->cor, file_index), what);
    return;
  }
  w4_finding_add_evidence (ev->f, in_file, what);
  {
    W4CorFilterFrame ff = { in_file, stream, stream >= 0 && w4_cor_frame_has_tcp (ev->cor, frame) };
    g_array_append_val (ev->frames, ff);
  }
}

static void
ev_finish (Ev *ev)
{
  g_free (ev->f->wireshark_filter);
  ev->f->wireshark_filter = w4_cor_wireshark_filter ((W4CorFilterFrame *) (void *) ev->frames->data,
                                                     ev->frames->len, ev->f->stream);
  g_array_unref (ev->frames);
}

static Ev
ev_start (W4Correlate *cor, W4Finding *f, guint file_index)
{
  Ev ev = { cor, f, file_index, g_array_new (FALSE, FALSE, sizeof (W4CorFilterFrame)) };

  return ev;
}

/* "frame 12", or "frame 12 in a.pcap" when not in the finding's file. */
static char *
frame_ref (const Ctx *c, guint64 frame)
{
  guint file_index;
  guint64 in_file = w4_cor_locate (c->cor, frame, &file_index);
  const char *name = w4_cor_file_name (c->cor, file_index);

  if (file_index == c->file_index || name == NULL)
    return g_strdup_printf ("frame %" G_GUINT64_FORMAT, in_file);
  return g_strdup_printf ("frame %" G_GUINT64_FORMAT " in %s", in_file, name);
}

/* ---- the texts of failures and notes ------------------------------------- */

/* A first handshake leg (NTLM type 1) names nobody and is the same bytes
 * for everyone: when the handshake's later leg @next names its user (NTLM
 * type 3: DOMAIN\user), that user is the finding's principal. */
static void
principal_from_later_leg (const Ctx *c, W4Finding *f, const W4CorExchange *next)
{
  const W4CorCred *later;

  if (next == NULL || !intermediate_leg (c))
    return;
  later = w4_cor_main_cred (next, c->ex->status);
  if (later == NULL || later->parsed == NULL || later->parsed->ntlm_user == NULL)
    return;
  g_free (f->principal);
  f->principal = g_strdup (later->parsed->ntlm_user);
}

static void
text_note (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *r = c->retry;
  g_autofree char *rq = request_what (c, r);
  g_autofree char *rs = g_strdup_printf ("%u: authentication passed", r->status);
  g_autofree char *schemes = offered_list (c);
  g_autofree char *at = frame_ref (c, r->req_frame);

  f->summary = g_strdup_printf (
    "A normal step of %s%s handshake: the %s challenged, and the client's retry at %s passed "
    "authentication.",
    schemes[0] ? "the " : "an authentication", schemes[0] ? schemes : "", who_answers (c), at);
  f->fix = g_strdup ("Nothing to fix: this response is a normal step of the authentication "
                     "handshake.");
  principal_from_later_leg (c, f, r);
  ev_add (ev, r->req_frame, r->req_stream, rq);
  ev_add (ev, r->resp_frame, r->resp_stream, rs);
}

/* A first handshake leg answered with the server's leg, whose handshake
 * then did not get past authentication: say where it stopped. */
static void
text_unfinished_handshake (const Ctx *c, W4Finding *f, Ev *ev, const char *what)
{
  const W4CorExchange *next = find_next_attempt (c, FALSE);
  g_autofree char *leg = cred_desc (c, c->authz);

  principal_from_later_leg (c, f, next);
  if (next != NULL) {
    g_autofree char *rq = request_what (c, next);
    g_autofree char *rs = g_strdup_printf ("%u: the handshake's last leg failed", next->status);
    g_autofree char *at = frame_ref (c, next->req_frame);

    f->summary = g_strdup_printf (
      "%s carried the first leg of a handshake (%s) and the %s answered with its challenge, a "
      "normal step; but the client's next leg (%s) got %u, so authentication never completed.",
      what, leg, who_answers (c), at, next->status);
    f->fix = g_strdup_printf ("Look at why the %s refused the handshake's last leg with %u "
                              "(account, domain or the server's authentication settings).",
                              who_answers (c), next->status);
    ev_add (ev, next->req_frame, next->req_stream, rq);
    ev_add (ev, next->resp_frame, next->resp_stream, rs);
  } else {
    f->summary = g_strdup_printf (
      "%s carried the first leg of a handshake (%s) and the %s answered with its challenge, a "
      "normal step; but the capture holds no next leg from the client for it.", what, leg,
      who_answers (c));
    f->fix = g_strdup ("Check that the client continues the handshake on the same connection.");
  }
}

/* rejected-credentials: whether the principal ever succeeded, and whether
 * others do on this server. */
static void
text_rejected (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorCred *cred = c->authz && !c->authz->parsed->malformed ? c->authz
                          : c->apikey                               ? c->apikey
                                                                    : c->main;
  W4CorServer *s = w4_cor_server_peek (c->cor, c->ex->server_key);
  const W4CorPrincipalAgg *mine = NULL;
  const char *other = NULL;
  const W4CorPrincipalAgg *other_agg = NULL;
  guint others_tried = 0;
  g_autofree char *phrase = NULL;
  g_autofree char *part1 = NULL;
  g_autofree char *part2 = NULL;
  const char *noun;

  if (cred == NULL) {
    f->summary = g_strdup_printf ("The %s rejected the cookies sent (%s) and offered no challenge.",
                                  who_answers (c), c->ex->cookie_names);
    f->fix = g_strdup ("Log in again; check the session cookie.");
    return;
  }
  noun = is_user_cred (cred) ? "user" : "principal";
  phrase = cred_phrase (cred);
  if (s != NULL) {
    GHashTableIter it;
    gpointer k, v;

    mine = g_hash_table_lookup (s->principals, cred->principal);
    g_hash_table_iter_init (&it, s->principals);
    while (g_hash_table_iter_next (&it, &k, &v)) {
      const W4CorPrincipalAgg *p = v;
      if (strcmp (k, cred->principal) == 0)
        continue;
      others_tried++;
      if (p->succeeded > 0 &&
          (other_agg == NULL || p->last_success_frame > other_agg->last_success_frame)) {
        other = k;
        other_agg = p;
      }
    }
  }
  if (mine != NULL && mine->succeeded > 0) {
    g_autofree char *at = frame_ref (c, mine->last_success_frame);
    part1 = g_strdup_printf ("%s %s succeeded on this %s with other credentials (%s)", noun,
                             cred->principal, who_answers (c), at);
    ev_add (ev, mine->last_success_frame, mine->last_success_stream,
            "a success of the same principal");
  } else {
    part1 = g_strdup ("no request in this capture succeeded with them");
  }
  if (other != NULL) {
    g_autofree char *w = g_strdup_printf ("%s %s succeeded on this %s", noun, other,
                                          who_answers (c));
    g_autofree char *at = frame_ref (c, other_agg->last_success_frame);
    part2 = g_strdup_printf ("but %s %s succeeded on this %s (%s), so the problem is specific "
                             "to this account", noun, other, who_answers (c), at);
    ev_add (ev, other_agg->last_success_frame, other_agg->last_success_stream, w);
  } else if (others_tried > 0) {
    part2 = g_strdup_printf ("and no other %s succeeded either (%u tried)", noun, others_tried);
  } else {
    part2 = g_strdup_printf ("and no other %s tried", noun);
  }
  f->summary = g_strdup_printf ("The %s rejected %s; %s, %s.", who_answers (c), phrase, part1,
                                part2);
  switch (cred->kind) {
  case W4_SCHEME_BEARER:
    f->fix = g_strdup ("Check the token (revoked, wrong audience or signature); test with another "
                       "account.");
    break;
  case W4_SCHEME_APIKEY:
    f->fix = g_strdup ("Check the API key (revoked or mistyped); test with another key.");
    break;
  case W4_SCHEME_COOKIE:
    f->fix = g_strdup ("Log in again; check the session cookie.");
    break;
  default:
    f->fix = g_strdup ("Check the user name and password; test with another account.");
    break;
  }
}

static void
text_cause (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *uri = display_uri (c, ex->target);
  g_autofree char *what = ex->has_request ? g_strdup_printf ("%s %s", ex->method, uri)
                                          : g_strdup ("the request");
  g_autofree char *schemes = offered_list (c);

  switch (f->cause) {
  case W4_CAUSE_CORS_PREFLIGHT:
    f->summary = g_strdup_printf ("The browser's CORS preflight (OPTIONS with "
                                  "Access-Control-Request-Method) for %s was refused with %u; "
                                  "browsers never send credentials on a preflight.",
                                  uri, ex->status);
    f->fix = g_strdup ("Let OPTIONS requests through without authentication.");
    break;
  case W4_CAUSE_WRONG_AUTH_HEADER:
    if (ex->status == 407) {
      f->summary = g_strdup ("The proxy asked for Proxy-Authorization (407), but the request sent "
                             "its credentials in Authorization.");
      f->fix = g_strdup ("Send the proxy credentials in Proxy-Authorization, which is what a 407 "
                         "asks for.");
    } else {
      f->summary = g_strdup ("The server asked for Authorization (401), but the request carried "
                             "only Proxy-Authorization.");
      f->fix = g_strdup ("Send the credentials in Authorization, which is what a 401 asks for.");
    }
    break;
  case W4_CAUSE_EXPIRED_TOKEN: {
    const W4Credential *j = relevant_jwt (c);
    if (j != NULL && j->has_exp && ex->has_request && j->jwt_exp <= ex->req_ts.sec) {
      g_autofree char *when = iso_time (j->jwt_exp);
      g_autofree char *ago = duration (sec_diff_usec (j->jwt_exp, ex->req_ts.sec));
      f->summary = g_strdup_printf ("The token%s%s expired at %s, %s before the request.",
                                    j->jwt_sub ? " for subject " : "",
                                    j->jwt_sub ? j->jwt_sub : "", when, ago);
    } else {
      f->summary = g_strdup_printf ("The server says the token expired (%s).",
                                    ex->server_message ? ex->server_message : "invalid_token");
    }
    f->fix = g_strdup ("Refresh the token before it expires; check the token lifetime.");
    break;
  }
  case W4_CAUSE_TOKEN_NOT_YET_VALID: {
    const W4Credential *j = relevant_jwt (c);
    gint64 from = j->has_nbf && j->jwt_nbf - W4_COR_SKEW_SEC > ex->req_ts.sec ? j->jwt_nbf
                                                                              : j->jwt_iat;
    g_autofree char *when = iso_time (from);
    g_autofree char *ahead = duration (sec_diff_usec (ex->req_ts.sec, from));
    f->summary = g_strdup_printf ("The token%s%s is valid only from %s, %s after the request: the "
                                  "issuer's clock is ahead of the server's.",
                                  j->jwt_sub ? " for subject " : "", j->jwt_sub ? j->jwt_sub : "",
                                  when, ahead);
    f->fix = g_strdup ("Clock skew between the token issuer and the server: check NTP on both.");
    break;
  }
  case W4_CAUSE_STALE_NONCE:
    f->summary = g_strdup_printf ("The %s marked the Digest nonce stale (stale=true), and the "
                                  "client did not get through with the new nonce.",
                                  who_answers (c));
    f->fix = g_strdup ("The client must restart the Digest handshake with the new nonce.");
    break;
  case W4_CAUSE_SCHEME_MISMATCH:
    f->summary = g_strdup_printf ("The request sent %s credentials in %s, but the %s offers only "
                                  "%s.", scheme_word (c->authz), authz_header (c),
                                  who_answers (c), schemes);
    f->fix = g_strdup_printf ("Use a scheme the %s offers: %s (see %s).", who_answers (c),
                              schemes, challenge_header (c));
    break;
  case W4_CAUSE_MALFORMED_CREDENTIALS:
    if (c->n_authz > 1)
      f->summary = g_strdup_printf ("The request carried %u %s headers; servers reject that or "
                                    "pick one arbitrarily.", c->n_authz, authz_header (c));
    else if (c->authz && c->authz->parsed->malformed)
      f->summary = g_strdup_printf ("The %s header cannot be parsed: %s.", authz_header (c),
                                    c->authz->parsed->malformed_why
                                      ? c->authz->parsed->malformed_why
                                      : "not valid credentials");
    else
      f->summary = g_strdup_printf ("The %s header cannot be parsed: %s.", c->apikey->name,
                                    c->apikey->parsed->malformed_why
                                      ? c->apikey->parsed->malformed_why
                                      : "not a valid key");
    f->fix = g_strdup_printf ("Fix how the client builds the %s header.",
                              c->n_authz > 1 || (c->authz && c->authz->parsed->malformed)
                                ? authz_header (c)
                                : c->apikey->name);
    break;
  case W4_CAUSE_PERMISSION_DENIED: {
    const W4CorCredAgg *a = NULL;
    const W4CorCred *cred = permission_cred (c, &a);
    g_autofree char *phrase = cred_phrase (cred);
    gboolean after = a->last_success_frame > ex->resp_frame;
    g_autofree char *at = frame_ref (c, a->last_success_frame);
    f->summary = g_strdup_printf ("The %s refused %s with %u although %s succeed%s on other "
                                  "requests to it (%s): the account lacks permission for this "
                                  "endpoint.",
                                  who_answers (c), what, ex->status, phrase,
                                  after ? "ed later" : "ed", at);
    f->fix = g_strdup ("Grant the account permission for this endpoint, or use an account that "
                       "has it.");
    ev_add (ev, a->last_success_frame, a->last_success_stream,
            after ? "a later success with the same credential"
                  : "an earlier success with the same credential");
    break;
  }
  case W4_CAUSE_SESSION_EXPIRED: {
    const W4CorCredAgg *a = NULL;
    const W4CorCred *cred = expired_session_cred (c, &a);
    g_autofree char *phrase = cred_phrase (cred);
    g_autofree char *after = duration (w4_time_diff_usec (a->first_success_ts, ex->resp_ts));
    g_autofree char *first = frame_ref (c, a->first_success_frame);
    g_autofree char *last = frame_ref (c, a->last_success_frame);
    phrase[0] = g_ascii_toupper (phrase[0]);
    f->summary = g_strdup_printf ("%s succeeded on this %s (first at %s, last at %s) and %s after "
                                  "its first success was refused; nothing succeeded with it "
                                  "afterwards.",
                                  phrase, who_answers (c), first, last, after);
    f->fix = g_strdup ("The server expired or revoked the session sooner than the client "
                       "expected: log in again and check the session lifetime.");
    ev_add (ev, a->first_success_frame, a->first_success_stream,
            "the first success with the same credential");
    if (a->last_success_frame != a->first_success_frame)
      ev_add (ev, a->last_success_frame, a->last_success_stream,
              "the last success with the same credential");
    break;
  }
  case W4_CAUSE_NO_CREDENTIALS:
    if (ex->cookie_names != NULL && !c->proxy)
      f->summary = g_strdup_printf ("The request carried only cookies (%s), but the server asks "
                                    "for %s authentication, so the cookies sent were not what it "
                                    "asked for.", ex->cookie_names, schemes);
    else if (has_challenges (c))
      f->summary = g_strdup_printf ("The request carried no %s, and the %s asks for %s.",
                                    c->proxy ? "Proxy-Authorization" : "credentials",
                                    who_answers (c), schemes);
    else
      f->summary = g_strdup_printf ("The request carried no %s, and the %s's %u names no scheme "
                                    "to use.", c->proxy ? "Proxy-Authorization" : "credentials",
                                    who_answers (c), ex->status);
    if (has_challenges (c))
      f->fix = g_strdup_printf ("Send credentials (%s, as %s asks); check the client's auth "
                                "configuration.", schemes, challenge_header (c));
    else
      f->fix = g_strdup ("Send credentials; check the client's auth configuration.");
    break;
  case W4_CAUSE_REJECTED_CREDENTIALS:
    text_rejected (c, f, ev);
    break;
  case W4_CAUSE_FORBIDDEN: {
    g_autofree char *by = c->main ? cred_phrase (c->main) : NULL;
    f->summary = g_strdup_printf ("The server refused %s with 403%s%s: an access rule (IP "
                                  "allow-list, WAF, file permissions) refuses it whatever the "
                                  "credentials, so authenticating again will not help.",
                                  what, by ? " to " : "", by ? by : "");
    f->fix = g_strdup ("Check the server's access rules for this resource.");
    break;
  }
  default:
    if (intermediate_leg (c)) {
      text_unfinished_handshake (c, f, ev, what);
      break;
    }
    f->summary = g_strdup_printf ("The %s answered %s with %u, and nothing in the capture explains "
                                  "why.", who_answers (c), what, ex->status);
    f->fix = g_strdup ("Look at the evidence: the capture does not show why the request was "
                       "refused.");
    break;
  }
}

/* ---- what a header cap cut ----------------------------------------------- */

static char *
size_words (guint64 n)
{
  if (n < 10240)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", n);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", (n + 512) / 1024);
}

/* "the request's header block was 70 KiB: fields after the first 16 KiB
 * were not kept, ..." for a message whose head lost something, or NULL. */
static char *
cut_words (const Ctx *c, const char *whose, guint cut, guint64 block_len)
{
  g_autofree char *block = size_words (block_len);
  g_autofree char *kept = size_words (c->cor->limits.v[W4_LIMIT_HEADER_BYTES]);
  g_autofree char *auth = size_words (c->cor->limits.v[W4_LIMIT_AUTH_HEADER_BYTES]);

  g_autofree char *which = NULL;

  if (cut == 0)
    return NULL;
  if ((cut & W4_HEAD_CUT_ORDINARY) && (cut & W4_HEAD_CUT_COUNT))
    which = g_strdup_printf ("fields after the first %s and past the first %" G_GUINT64_FORMAT
                             " fields were not kept", kept, c->cor->limits.v[W4_LIMIT_HEADERS]);
  else if (cut & W4_HEAD_CUT_COUNT)
    which = g_strdup_printf ("fields past the first %" G_GUINT64_FORMAT " were not kept",
                             c->cor->limits.v[W4_LIMIT_HEADERS]);
  else if (cut & W4_HEAD_CUT_ORDINARY)
    which = g_strdup_printf ("fields after the first %s were not kept", kept);
  if (!(cut & W4_HEAD_CUT_AUTH))
    return g_strdup_printf ("the %s's header block was %s: %s, but every authentication field "
                            "was", whose, block, which);
  return g_strdup_printf ("the %s's header block was %s: %s%sauthentication fields beyond %s "
                          "(auth-header-bytes) were cut", whose, block, which ? which : "",
                          which ? ", and " : "", auth);
}

/* Authentication fields of the request (credentials, cookies) or of the
 * response (its challenge) were cut: no rule may conclude from their
 * absence, so the finding is unexplained (403: forbidden) and says why. */
static void
text_auth_cut (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *uri = display_uri (c, ex->target);
  g_autofree char *what = ex->has_request ? g_strdup_printf ("%s %s", ex->method, uri)
                                          : g_strdup ("the request");
  gboolean req_cut = (ex->req_cut & W4_HEAD_CUT_AUTH) != 0;
  g_autofree char *words = req_cut ? cut_words (c, "request", ex->req_cut, ex->req_block_len)
                                   : cut_words (c, "response", ex->resp_cut, ex->resp_block_len);

  f->summary = g_strdup_printf ("The %s answered %s with %u, but %s, so %s is not known and "
                                "nothing can be concluded from what is missing.",
                                who_answers (c), what, ex->status, words,
                                req_cut ? "what credentials the request carried"
                                        : "what the server asked for");
  f->fix = g_strdup ("Run again with --limit header-bytes=N and --limit auth-header-bytes=N "
                     "above the header block's size to see every field.");
  ev_add (ev, req_cut ? ex->req_frame : ex->resp_frame,
          req_cut ? ex->req_stream : ex->resp_stream, words);
}

/* Only ordinary fields were cut: the rules concluded as usual, and the
 * finding still says what it did not see. */
static void
text_ordinary_cut (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *ex = c->ex;

  for (int side = 0; side < 2; side++) {
    g_autofree char *words = side == 0
        ? cut_words (c, "request", ex->has_request ? ex->req_cut : 0, ex->req_block_len)
        : cut_words (c, "response", ex->resp_cut, ex->resp_block_len);
    char *longer;

    if (words == NULL)
      continue;
    longer = g_strdup_printf ("%s (Not all was seen: %s.)", f->summary ? f->summary : "", words);
    g_free (f->summary);
    f->summary = longer;
    ev_add (ev, side == 0 ? ex->req_frame : ex->resp_frame,
            side == 0 ? ex->req_stream : ex->resp_stream, words);
  }
}

/* A field name HTTP does not allow was read anyway: the server may have
 * stopped reading fields there (python's http.server does; nginx skips
 * the one field), so the finding says the server may not have seen what
 * came after it. */
static void
text_odd_name (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *ex = c->ex;
  static const char words[] = "the request has a field name with bytes HTTP does not allow; "
                              "some servers stop reading fields there, so the server may not "
                              "have seen the fields after it";
  char *longer;

  if (!ex->has_request || !(ex->req_odd & W4_HEAD_ODD_NAME))
    return;
  longer = g_strdup_printf ("%s (Note: %s.)", f->summary ? f->summary : "", words);
  g_free (f->summary);
  f->summary = longer;
  ev_add (ev, ex->req_frame, ex->req_stream, words);
}

/* The request of this response was seen but could not be parsed: say so,
 * rather than "not captured", and point at it. */
static void
text_unparsed_request (const Ctx *c, W4Finding *f, Ev *ev)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *words = NULL;

  if (ex->has_request || ex->unparsed_req_frame == 0)
    return;
  words = g_strdup_printf ("a request that could not be parsed (%s)",
                           ex->unparsed_req_why ? ex->unparsed_req_why : "parse error");
  g_free (f->summary);
  f->summary = g_strdup_printf ("The %s answered with %u a request that could not be parsed "
                                "(frame %" G_GUINT64_FORMAT ": %s), so what it carried is not "
                                "known.", who_answers (c), ex->status, ex->unparsed_req_frame,
                                ex->unparsed_req_why ? ex->unparsed_req_why : "parse error");
  /* on the response's connection: in its file, the same stream */
  ev_add (ev, ex->unparsed_req_frame, ex->resp_stream, words);
  /* the request comes first in the evidence, as everywhere */
  if (f->evidence->len > 1)
    g_ptr_array_insert (f->evidence, 0, g_ptr_array_steal_index (f->evidence, f->evidence->len - 1));
}

/* ---- deciding ------------------------------------------------------------ */

static void
ctx_init (Ctx *c, W4Correlate *cor, const W4CorExchange *ex)
{
  memset (c, 0, sizeof *c);
  c->cor = cor;
  c->ex = ex;
  c->proxy = ex->status == 407;
  c->n_authz = c->proxy ? ex->n_proxy_authz : ex->n_authz;
  c->n_other_authz = c->proxy ? ex->n_authz : ex->n_proxy_authz;
  c->has_cookie = ex->cookie_names != NULL;
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
    if (cred->kind == W4_SCHEME_APIKEY) {
      if (c->apikey == NULL)
        c->apikey = cred;
    } else if (cred->parsed && cred->proxy == c->proxy && c->authz == NULL) {
      c->authz = cred;
    }
  }
  c->main = w4_cor_main_cred (ex, ex->status);
  w4_cor_locate (cor, ex->resp_frame, &c->file_index);
}

/* client_ip ... community_id of a TCP connection's finding. */
static void
finding_endpoints (W4Finding *f, const W4Endpoint *client, const W4Endpoint *server)
{
  char buf[W4_ENDPOINT_STRLEN];

  if (client->addr.family == 0 || server->addr.family == 0)
    return;
  f->client_ip = g_strdup (w4_addr_format (&client->addr, buf, sizeof buf));
  f->client_port = client->port;
  f->server_ip = g_strdup (w4_addr_format (&server->addr, buf, sizeof buf));
  f->server_port = server->port;
  f->community_id = w4_community_id (client, server, 6, 0);
}

/* @frame's number in its file, and the file's name into @file. */
static guint64
frame_in_file (W4Correlate *cor, guint64 frame, char **file)
{
  guint file_index;
  guint64 in_file = w4_cor_locate (cor, frame, &file_index);

  g_free (*file);
  *file = g_strdup (w4_cor_file_name (cor, file_index));
  return in_file;
}

static W4Finding *
finding_base (W4Correlate *cor, const W4CorExchange *ex)
{
  W4Finding *f = w4_finding_new ();
  char buf[W4_ENDPOINT_STRLEN];

  f->status = ex->status;
  f->stream = ex->resp_stream;
  f->client = g_strdup (w4_endpoint_format (&ex->client, buf, sizeof buf));
  f->server = g_strdup (ex->server_key);
  if (ex->has_request) {
    f->method = g_strdup (ex->method);
    f->uri = cor->opts.show_secrets ? g_strdup (ex->target) : w4_redact_uri (ex->target);
    f->host = g_strdup (ex->host);
    f->request_frame = frame_in_file (cor, ex->req_frame, &f->request_file);
  }
  f->response_frame = frame_in_file (cor, ex->resp_frame, &f->file);
  f->time = ex->resp_ts;
  f->server_message = g_strdup (ex->server_message);
  finding_endpoints (f, &ex->client, &ex->server);
  f->tls = ex->tls;
  f->h2_stream = ex->h2 ? (gint64) ex->h2_stream : -1;
  return f;
}

W4Finding *
w4_cor_decide (W4Correlate *cor, W4CorExchange *ex)
{
  W4Finding *f = finding_base (cor, ex);
  Ctx c;
  Ev ev;
  gboolean found = FALSE;

  ctx_init (&c, cor, ex);
  ev = ev_start (cor, f, c.file_index);
  if (c.main != NULL) {
    f->principal = g_strdup (c.main->principal);
    f->scheme = g_strdup (scheme_word (c.main));
  }
  if (ex->status != 403 && !ex->has_challenge_header)
    f->related |= G_GUINT64_CONSTANT (1) << W4_CAUSE_MISSING_CHALLENGE;

  if (ex->has_request) {
    g_autofree char *rq = request_what (&c, ex);
    ev_add (&ev, ex->req_frame, ex->req_stream, rq);
  }
  {
    g_autofree char *rs = response_what (&c);
    ev_add (&ev, ex->resp_frame, ex->resp_stream, rs);
  }

  if ((ex->has_request && (ex->req_cut & W4_HEAD_CUT_AUTH)) || (ex->resp_cut & W4_HEAD_CUT_AUTH)) {
    f->kind = W4_KIND_FAILURE;
    f->cause = ex->status == 403 ? W4_CAUSE_FORBIDDEN : W4_CAUSE_UNEXPLAINED;
    if (ex->resp_cut & W4_HEAD_CUT_AUTH) /* the challenge may be among what was cut */
      f->related &= ~(G_GUINT64_CONSTANT (1) << W4_CAUSE_MISSING_CHALLENGE);
    text_auth_cut (&c, f, &ev);
    ev_finish (&ev);
    return f;
  }

  if (ex->status != 403 && handshake_step (&c) && (c.retry = find_retry (&c)) != NULL) {
    f->kind = W4_KIND_NOTE;
    f->cause = W4_CAUSE_CHALLENGE;
    text_note (&c, f, &ev);
    text_ordinary_cut (&c, f, &ev);
    ev_finish (&ev);
    return f;
  }

  f->kind = W4_KIND_FAILURE;
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++) {
    if (!rules[i].holds (&c))
      continue;
    if (!found) {
      f->cause = rules[i].cause;
      found = TRUE;
    } else {
      f->related |= G_GUINT64_CONSTANT (1) << rules[i].cause;
    }
  }
  if (!found)
    f->cause = ex->status == 403 ? W4_CAUSE_FORBIDDEN : W4_CAUSE_UNEXPLAINED;
  text_cause (&c, f, &ev);
  text_ordinary_cut (&c, f, &ev);
  text_odd_name (&c, f, &ev);
  if (f->cause == W4_CAUSE_UNEXPLAINED || f->cause == W4_CAUSE_FORBIDDEN)
    text_unparsed_request (&c, f, &ev);
  if (intermediate_leg (&c) && f->principal != NULL)
    w4_cor_summary_principal (cor, f->principal, FALSE);
  ev_finish (&ev);
  return f;
}

/* ---- risks and infos ----------------------------------------------------- */

static W4Finding *
acc_base (W4Correlate *cor, const W4CorRiskAcc *a, W4Kind kind)
{
  W4Finding *f = w4_finding_new ();

  f->kind = kind;
  f->cause = a->cause;
  f->stream = a->stream;
  f->client = g_strdup (a->client);
  f->server = g_strdup (a->server);
  f->method = g_strdup (a->method);
  f->uri = a->uri == NULL || cor->opts.show_secrets ? g_strdup (a->uri) : w4_redact_uri (a->uri);
  f->host = g_strdup (a->host);
  f->response_frame = frame_in_file (cor, a->first_frame, &f->file);
  if (a->method)
    f->request_frame = frame_in_file (cor, a->first_frame, &f->request_file);
  f->time = a->first_ts;
  finding_endpoints (f, &a->client_ep, &a->server_ep);
  f->tls = a->tls;
  f->h2_stream = a->h2_stream;
  f->principal = a->mixed_principals ? NULL : g_strdup (a->principal);
  f->count = a->count;
  f->scheme = g_strdup (a->scheme);
  return f;
}

/* "ip.addr == 192.0.2.1 && tcp.port == 443" from "ip:port" / "[v6]:port". */
static char *
server_filter (const char *server)
{
  const char *colon = strrchr (server, ':');
  gboolean v6 = server[0] == '[';

  if (colon == NULL)
    return g_strdup ("");
  if (v6)
    return g_strdup_printf ("ipv6.addr == %.*s && tcp.port == %s", (int) (colon - server - 2),
                            server + 1, colon + 1);
  return g_strdup_printf ("ip.addr == %.*s && tcp.port == %s", (int) (colon - server), server,
                          colon + 1);
}

static char *
cleartext_what (const W4CorRiskAcc *a)
{
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_BASIC)) == 0) {
    if (a->mixed_principals)
      return g_strdup ("Basic credentials for several users");
    return g_strdup_printf ("Basic credentials for user %s", a->principal);
  }
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_COOKIE)) == 0)
    return g_strdup_printf ("the session cookie %s", a->header);
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_APIKEY)) == 0)
    return g_strdup_printf ("an API key in %s", a->header);
  return g_strdup_printf ("%s tokens", a->scheme);
}

/* ", the client offered HTTP/2 (ALPN h2)": what the ClientHellos of a
 * not-decrypted server say about the HTTP inside (the server's choice is
 * encrypted in TLS 1.3); "" when none offered it. */
static char *
undecrypted_h2 (const W4CorRiskAcc *a)
{
  if (a->h2_offers == 0)
    return g_strdup ("");
  if (a->count == 1)
    return g_strdup (", the client offered HTTP/2 (ALPN h2)");
  if (a->h2_offers == a->count)
    return g_strdup (", every client offered HTTP/2 (ALPN h2)");
  return g_strdup_printf (", %" G_GUINT64_FORMAT " of them offered HTTP/2 (ALPN h2)",
                          a->h2_offers);
}

W4Finding *
w4_cor_risk_finding (W4Correlate *cor, const W4CorRiskAcc *a)
{
  W4Finding *f = acc_base (cor, a, a->cause == W4_CAUSE_CLEARTEXT_CREDENTIALS ||
                                        a->cause == W4_CAUSE_RETRY_STORM
                                      ? W4_KIND_RISK
                                      : W4_KIND_INFO);
  guint file_index;
  Ev ev;

  w4_cor_locate (cor, a->first_frame, &file_index);
  ev = ev_start (cor, f, file_index);

  switch (a->cause) {
  case W4_CAUSE_CLEARTEXT_CREDENTIALS: {
    g_autofree char *what = cleartext_what (a);
    g_autofree char *ew = NULL;
    gboolean cookie = g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_COOKIE)) == 0;
    gboolean apikey = g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_APIKEY)) == 0;

    f->summary = g_strdup_printf ("%" G_GUINT64_FORMAT " request%s sent %s over unencrypted HTTP.",
                                  a->count, a->count == 1 ? "" : "s", what);
    f->fix = g_strdup ("Use https for anything that carries credentials.");
    if (cookie)
      ew = g_strdup_printf ("Cookie %s over TCP port %u, no TLS", a->header, a->server_port);
    else if (apikey)
      ew = g_strdup_printf ("%s over TCP port %u, no TLS", a->header, a->server_port);
    else
      ew = g_strdup_printf ("%s: %s over TCP port %u, no TLS", a->header, a->scheme,
                            a->server_port);
    ev_add (&ev, a->first_frame, a->stream, ew);
    break;
  }
  case W4_CAUSE_RETRY_STORM: {
    gboolean user = a->principal && g_strcmp0 (a->principal, a->header) != 0;
    g_autofree char *client_ip = g_strdup (a->client);
    char *colon = strrchr (client_ip, ':');

    if (colon)
      *colon = '\0';
    f->summary = g_strdup_printf ("Client %s sent the same rejected %s credentials%s%s %"
                                  G_GUINT64_FORMAT " times to this server, %d of them within %d "
                                  "s: this locks accounts or looks like brute force.",
                                  client_ip, a->scheme, user ? " for " : "",
                                  user ? a->principal : "", a->count, W4_COR_STORM_COUNT,
                                  W4_COR_STORM_SEC);
    f->fix = g_strdup ("Stop the client from retrying rejected credentials (back off, fix the "
                       "stored password or key) before the account locks.");
    for (guint i = 0; i < a->n_frames; i++) {
      g_autofree char *w = g_strdup_printf ("rejected attempt %u of %u with %s", i + 1,
                                            a->n_frames, a->header);
      /* The attempts may be on several connections: filter by frame only. */
      ev_add (&ev, a->frames[i], -1, w);
    }
    break;
  }
  case W4_CAUSE_NOT_DECRYPTED: {
    g_autofree char *h2 = undecrypted_h2 (a);
    g_autofree char *sni = a->sni == NULL ? g_strdup ("")
                                          : g_strdup_printf (" (SNI %s%s)", a->sni,
                                                             a->sni_mixed ? " and others" : "");

    f->summary = g_strdup_printf ("TLS to %s%s: %" G_GUINT64_FORMAT " connection%s, not "
                                  "decrypted%s: a 401, 407 or 403 inside cannot be seen.",
                                  a->server, sni, a->count, a->count == 1 ? "" : "s", h2);
    /* why401 has no way to decrypt yet: name only what works today */
    f->fix = g_strdup ("why401 cannot decrypt TLS yet: capture behind the TLS terminator (between "
                       "the load balancer or reverse proxy and the backend, where HTTP is plain), "
                       "or open the capture in Wireshark with the client's key log "
                       "(SSLKEYLOGFILE) to read the responses.");
    f->sni = g_strdup (a->sni);
    ev_add (&ev, a->first_frame, a->stream, "first packet of a TLS connection, not decrypted");
    ev_finish (&ev);
    g_free (f->wireshark_filter);
    f->wireshark_filter = server_filter (a->server);
    return f;
  }
  case W4_CAUSE_NOT_PARSED:
    f->summary = g_strdup_printf ("HTTP/2 on %" G_GUINT64_FORMAT " connection%s to %s was not "
                                  "parsed: failures inside it are not reported (why401 reads "
                                  "HTTP/1 only so far).",
                                  a->count, a->count == 1 ? "" : "s", a->server);
    f->fix = g_strdup ("Read these connections' 401, 407 and 403 responses in Wireshark (the "
                       "filter below), or make the client use HTTP/1.1 while capturing (curl "
                       "--http1.1).");
    ev_add (&ev, a->first_frame, a->stream, "first packet of an HTTP/2 connection, not parsed");
    ev_finish (&ev);
    g_free (f->wireshark_filter);
    f->wireshark_filter = server_filter (a->server);
    return f;
  case W4_CAUSE_GAP:
    f->summary = g_strdup_printf ("Connection tcp.stream %" G_GINT64_FORMAT " lost %" G_GUINT64_FORMAT
                                  " bytes of HTTP in %" G_GUINT64_FORMAT " gap%s: messages there "
                                  "could not be inspected.",
                                  a->stream, a->bytes, a->count, a->count == 1 ? "" : "s");
    f->fix = g_strdup ("Capture with a larger buffer and full snap length, close to the client or "
                       "server, so no bytes are lost.");
    ev_add (&ev, a->first_frame, a->stream, "bytes missing before this packet");
    ev_finish (&ev);
    if (a->stream >= 0) {
      /* the whole connection: where it lost bytes is in the TCP analysis */
      g_free (f->wireshark_filter);
      f->wireshark_filter = g_strdup_printf ("tcp.stream eq %" G_GINT64_FORMAT, a->stream);
    }
    return f;
  default:
    break;
  }
  ev_finish (&ev);
  return f;
}

W4Finding *
w4_cor_limit_finding (W4Correlate *cor, W4LimitId id)
{
  W4Finding *f = w4_finding_new ();
  guint file_index;
  Ev ev;
  const char *name = w4_limit_name (id);

  f->kind = W4_KIND_INFO;
  f->cause = W4_CAUSE_LIMIT;
  f->count = cor->limit_hits[id];
  w4_cor_locate (cor, cor->limit_first_frame[id], &file_index);
  ev = ev_start (cor, f, file_index);
  if (cor->limit_first_frame[id] != 0)
    f->response_frame = frame_in_file (cor, cor->limit_first_frame[id], &f->file);
  f->time = cor->limit_first_ts[id];
  f->summary = g_strdup_printf ("The %s limit (%" G_GUINT64_FORMAT ") was reached %" G_GUINT64_FORMAT
                                " time%s: the least useful state was dropped, so some findings "
                                "may be less specific.",
                                name, cor->limits.v[id], f->count, f->count == 1 ? "" : "s");
  f->fix = g_strdup_printf ("Raise it with --limit %s=N if memory allows.", name);
  ev_add (&ev, cor->limit_first_frame[id], -1, "limit first reached here");
  ev_finish (&ev);
  return f;
}
