/* rule-digest.c: Digest causes: stale-nonce (digest-mismatch and a
 * reused nonce or nonce count wait for the Digest tracker). */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

static gboolean
param_is_true (const W4Challenge *ch, const char *name)
{
  const char *v = ch ? w4_auth_challenge_param (ch, name) : NULL;

  return v != NULL && g_ascii_strcasecmp (v, "true") == 0;
}

/* ---- stale-nonce (401 and 407) ------------------------------------------- */

static gboolean
stale_nonce_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  (void) v;
  return param_is_true (w4_cor_challenge_of (c, W4_SCHEME_DIGEST), "stale");
}

static void
stale_nonce_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  (void) v;
  f->summary = g_strdup_printf ("The %s marked the Digest nonce stale (stale=true), and the "
                                "client did not get through with the new nonce.",
                                w4_cor_who_answers (c));
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_STALE_NONCE)->fix);
}

const W4CorRule w4_rule_stale_nonce = { FALSE, stale_nonce_holds, stale_nonce_explain };
