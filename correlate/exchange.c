/* exchange.c: facts about one exchange record that the engine
 * (correlate.c) and the rules both ask: which challenge it got, whether it
 * carried a handshake's intermediate leg. Reads only, and only the
 * record. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"

#include <string.h>

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
w4_cor_negotiate_token (const W4Challenge *ch, W4Spnego *out)
{
  gsize n = 0;
  g_autofree guint8 *raw = NULL;

  memset (out, 0, sizeof *out);
  if (ch == NULL || ch->token68 == NULL)
    return FALSE;
  raw = w4_b64_decode_strict (ch->token68, strlen (ch->token68), &n);
  return raw != NULL && w4_spnego_parse (raw, n, out);
}

gboolean
w4_cor_negotiate_continues (const W4Challenge *ch)
{
  W4Spnego s;
  gboolean go_on;

  if (ch == NULL || ch->token68 == NULL)
    return FALSE;
  if (!w4_cor_negotiate_token (ch, &s))
    return TRUE; /* not read: a token in a 401 is taken as the next leg */
  go_on = s.krb_msg != W4_KRB_ERROR && s.neg_state != W4_NEG_REJECT &&
          s.neg_state != W4_NEG_ACCEPT_COMPLETED;
  w4_spnego_clear (&s);
  return go_on;
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
      w4_cor_negotiate_continues (w4_cor_challenge_in (ex, W4_SCHEME_NEGOTIATE)))
    return TRUE;
  ch = w4_cor_challenge_in (ex, W4_SCHEME_DIGEST);
  if (p->kind == W4_SCHEME_DIGEST && ch != NULL) {
    const char *stale = w4_auth_challenge_param (ch, "stale");
    return (stale != NULL && g_ascii_strcasecmp (stale, "true") == 0) ||
           w4_cor_digest_nonce_expired (ex, cred);
  }
  return FALSE;
}
