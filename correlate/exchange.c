/* exchange.c: facts about one exchange record that the engine
 * (correlate.c) and the rules both ask: which challenge it got, whether it
 * carried a handshake's intermediate leg. Reads only, and only the
 * record. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"

const W4Challenge *
w4_cor_challenge_in (const W4CorExchange *ex, W4Scheme kind)
{
  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
    if (ch->kind == kind)
      return ch;
  }
  return NULL;
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
  if (p->kind == W4_SCHEME_NEGOTIATE &&
      (ch = w4_cor_challenge_in (ex, W4_SCHEME_NEGOTIATE)) != NULL &&
      ch->token68 != NULL)
    return TRUE;
  ch = w4_cor_challenge_in (ex, W4_SCHEME_DIGEST);
  if (p->kind == W4_SCHEME_DIGEST && ch != NULL) {
    const char *stale = w4_auth_challenge_param (ch, "stale");
    return (stale != NULL && g_ascii_strcasecmp (stale, "true") == 0) ||
           w4_cor_digest_nonce_expired (ex, cred);
  }
  return FALSE;
}
