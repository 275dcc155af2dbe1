/* challenge.c: WWW-Authenticate and Proxy-Authenticate (RFC 9110 11.6.1
 * and 11.7.1): several challenges in one field value, auth-scheme then a
 * token68 or a list of auth-params (quoted strings with commas and escapes).
 *
 * Leniency: servers send trailing commas, empty list elements and unquoted
 * values with '/' or '=' in them; challenges accept all of that, because a
 * challenge is only evidence. */
#include "challenge.h"

#include "auth-private.h"

/* RFC 9110 11.2 token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+"
 * / "/" ) *"=" */
static gsize
w4_lx_token68 (W4Tok *lx)
{
  gsize start = lx->off;
  while (!w4_tok_eof (lx)) {
    guchar c = w4_tok_cur (lx);
    if (!(g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
          c == '/'))
      break;
    lx->off++;
  }
  if (lx->off == start)
    return 0;
  while (!w4_tok_eof (lx) && w4_tok_cur (lx) == '=')
    lx->off++;
  return lx->off - start;
}

/* Does the text at the cursor start an auth-param ("name=value") rather than
 * a token68 ("abc==")? Looks ahead only. */
static gboolean
w4_lx_looks_like_param (const W4Tok *lx)
{
  W4Tok t = *lx;
  guchar c;

  if (w4_tok_token (&t) == 0)
    return FALSE;
  w4_tok_skip_ows (&t);
  if (w4_tok_eof (&t) || w4_tok_cur (&t) != '=')
    return FALSE;
  t.off++;
  w4_tok_skip_ows (&t);
  /* A token68 ends in '=' padding followed by ',' or the end; a parameter
   * has a value. */
  c = w4_tok_cur (&t);
  return !w4_tok_eof (&t) && c != ',' && c != '=';
}

/* ---- challenges ----------------------------------------------------------- */

void
w4_auth_challenge_free (W4Challenge *c)
{
  if (c == NULL)
    return;
  g_free (c->scheme);
  g_free (c->token68);
  if (c->params != NULL)
    g_ptr_array_unref (c->params);
  g_free (c);
}

const char *
w4_auth_challenge_param (const W4Challenge *c, const char *name)
{
  g_return_val_if_fail (c != NULL && name != NULL, NULL);
  if (c->params == NULL)
    return NULL;
  for (guint i = 0; i < c->params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index (c->params, i);
    if (g_ascii_strcasecmp (ap->name, name) == 0)
      return ap->value;
  }
  return NULL;
}

guint
w4_auth_parse_challenges (const char *value, gsize len, GPtrArray *out)
{
  W4Tok lx = w4_tok_init (value, len);
  W4Challenge *cur = NULL;
  guint added = 0;

  g_return_val_if_fail (value != NULL || len == 0, 0);
  g_return_val_if_fail (out != NULL, 0);

  w4_tok_list_sep (&lx); /* leading OWS and empty elements */
  /* Each turn consumes a token or stops: bounded by len and by the caps. */
  while (!w4_tok_eof (&lx)) {
    W4ParamResult r;
    const char *scheme;
    gsize scheme_len;

    if (cur != NULL && cur->token68 == NULL) {
      r = w4_auth_param_read (&lx, cur->params);
      if (r == W4_PARAM_ERROR)
        break;
      if (r == W4_PARAM_READ) {
        if (!w4_tok_list_sep (&lx))
          break;
        continue;
      }
    }
    /* A new challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ] */
    if (added >= W4_AUTH_MAX_CHALLENGES)
      break;
    scheme = lx.p + lx.off;
    scheme_len = w4_tok_token (&lx);
    if (scheme_len == 0)
      break;
    cur = g_new0 (W4Challenge, 1);
    cur->kind = w4_auth_scheme_from_word (scheme, scheme_len);
    cur->scheme = g_strndup (scheme, scheme_len);
    cur->params = g_ptr_array_new_with_free_func (w4_auth_param_free);
    g_ptr_array_add (out, cur);
    added++;

    if (w4_tok_list_sep (&lx))
      continue; /* a bare scheme: "Negotiate, NTLM" */
    if (lx.off == (gsize) (scheme - lx.p) + scheme_len)
      break; /* the scheme runs into something that is not a space */
    if (w4_lx_looks_like_param (&lx)) {
      r = w4_auth_param_read (&lx, cur->params);
      if (r != W4_PARAM_READ || !w4_tok_list_sep (&lx))
        break;
    } else {
      const char *t = lx.p + lx.off;
      gsize tlen = w4_lx_token68 (&lx);
      if (tlen == 0)
        break;
      cur->token68 = g_strndup (t, tlen);
      if (!w4_tok_list_sep (&lx))
        break;
    }
  }
  return added;
}
