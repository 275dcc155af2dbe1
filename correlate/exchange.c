/* exchange.c: facts about one exchange record that the engine
 * (correlate.c) and the rules both ask: what its Negotiate challenge's
 * token says, whether it carried a handshake's intermediate leg. Reads
 * only, and only the record. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"

#include <string.h>

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

char *
w4_cor_negotiate_token_words (const W4Challenge *ch)
{
  W4Spnego s;
  const char *state, *name;
  char *out = NULL;

  if (ch == NULL || ch->kind != W4_SCHEME_NEGOTIATE || !w4_cor_negotiate_token (ch, &s))
    return NULL;
  state = w4_spnego_neg_state_name (s.neg_state);
  name = s.krb_msg == W4_KRB_ERROR ? w4_krb_error_name (s.krb_error) : NULL;
  if (s.krb_msg == W4_KRB_ERROR)
    out = g_strdup_printf ("%s%s%sthe Kerberos error %s (%d)", state ? "SPNEGO " : "",
                           state ? state : "", state ? " with " : "", name ? name : "code",
                           s.krb_error);
  else if (s.krb_msg == W4_KRB_AP_REP)
    out = g_strdup_printf ("%s%s%sthe Kerberos AP-REP", state ? "SPNEGO " : "", state ? state : "",
                           state ? " with " : "");
  else if (state != NULL)
    out = g_strdup_printf ("SPNEGO %s", state);
  w4_spnego_clear (&s);
  return out;
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
