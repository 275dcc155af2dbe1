/* ctx.c: what a failed exchange offered toward its status (W4CorCtx),
 * and the facts about it that several rules and the engine ask. Reads
 * only. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

void
w4_cor_ctx_init (W4CorCtx *c, W4Correlate *cor, const W4CorExchange *ex)
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

gboolean
w4_cor_has_challenges (const W4CorCtx *c)
{
  return c->ex->challenges != NULL && c->ex->challenges->len > 0;
}

/* Does the response offer @cred's scheme? An API key counts when a
 * challenge names it (FINDINGS "Words"); other schemes compare by word. */
gboolean
w4_cor_offered (const W4CorCtx *c, const W4CorCred *cred)
{
  if (cred == NULL || !w4_cor_has_challenges (c))
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

/* The credentials that the failed request offered toward this status:
 * the header the status names, the API key, the session cookies. */
gboolean
w4_cor_is_relevant (const W4CorCtx *c, const W4CorCred *cred)
{
  if (cred->kind == W4_SCHEME_APIKEY || cred->kind == W4_SCHEME_COOKIE)
    return !c->proxy;
  return cred->proxy == c->proxy;
}

const W4Challenge *
w4_cor_challenge_of (const W4CorCtx *c, W4Scheme kind)
{
  return w4_cor_challenge_in (c->ex, kind);
}

gboolean
w4_cor_ctx_intermediate_leg (const W4CorCtx *c)
{
  return w4_cor_intermediate_leg (c->ex, c->authz);
}

gboolean
w4_cor_has_any_credentials (const W4CorExchange *ex)
{
  return ex->n_authz + ex->n_proxy_authz + ex->n_apikey > 0 || ex->cookie_names != NULL;
}

/* Second half: the same client sent the same method and target to the
 * same server with credentials within 30 s after the failed response, and
 * got past authentication. (transfer none) the retry, or NULL. */
const W4CorExchange *
w4_cor_next_attempt (const W4CorCtx *c, gboolean must_pass)
{
  return w4_cor_next_attempt_cut (c, must_pass, NULL);
}

const W4CorExchange *
w4_cor_next_attempt_cut (const W4CorCtx *c, gboolean must_pass, gboolean *cut)
{
  guint64 max = c->cor->limits.v[W4_LIMIT_RETRY_SCAN];
  const W4CorExchange *ex = c->ex;
  W4CorClient *cl = ex->client_state;
  const W4CorExchange *e;
  guint steps = 0;

  if (!ex->has_request)
    return NULL;
  if (cl == NULL)
    cl = g_hash_table_lookup (c->cor->clients, &ex->client.addr);
  if (cl == NULL)
    return NULL;
  e = ex->client_state != NULL ? ex->in_client.next : cl->window.head;
  if (cut != NULL)
    *cut = FALSE;
  for (; e != NULL; e = e->in_client.next, steps++) {
    if (e->arrival <= ex->arrival || !e->has_request)
      continue;
    if (w4_time_diff_usec (ex->resp_ts, e->req_ts) > (gint64) W4_COR_LOOKAHEAD_SEC * G_USEC_PER_SEC)
      break;
    if (steps >= max) {
      /* the bound, not the 30 s, ended the look: a retry may lie beyond */
      if (cut != NULL)
        *cut = TRUE;
      break;
    }
    if (e->req_frame <= ex->resp_frame || strcmp (e->server_key, ex->server_key) != 0 ||
        g_strcmp0 (e->method, ex->method) != 0 || g_strcmp0 (e->target, ex->target) != 0)
      continue;
    if (c->proxy ? e->n_proxy_authz == 0 : !w4_cor_has_any_credentials (e))
      continue;
    if (!e->has_response)
      continue;
    if (must_pass && (e->status == 400 || e->status == 401 || e->status == 407))
      continue;
    return e;
  }
  return NULL;
}
