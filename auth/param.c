/* param.c: RFC 9110 11.2 auth-param, shared by challenges and Digest
 * credentials. */
#include "param.h"

#include "auth-private.h"

void
w4_auth_param_free (gpointer p)
{
  W4AuthParam *ap = p;
  if (ap == NULL)
    return;
  g_free (ap->name);
  g_free (ap->value);
  g_free (ap);
}

/* token BWS "=" BWS ( token / quoted-string ) at the cursor. Unquoted
 * values are read leniently up to OWS or ',' because servers send
 * `realm=a/b` and clients `uri=/x?y=1`. Appends to @params unless it holds
 * W4_AUTH_MAX_PARAMS already (the rest are read and dropped). */
W4ParamResult
w4_auth_param_read (W4Tok *lx, GPtrArray *params)
{
  gsize start = lx->off, name_len;
  const char *name;
  g_autoptr (GString) value = NULL;

  name = lx->p + lx->off;
  name_len = w4_tok_token (lx);
  if (name_len == 0)
    goto not_param;
  w4_tok_skip_ows (lx);
  if (w4_tok_cur (lx) != '=' || w4_tok_eof (lx))
    goto not_param;
  lx->off++;
  w4_tok_skip_ows (lx);
  value = g_string_new (NULL);
  if (w4_tok_cur (lx) == '"' && !w4_tok_eof (lx)) {
    if (!w4_tok_quoted (lx, value, W4_AUTH_MAX_VALUE))
      return W4_PARAM_ERROR;
  } else {
    while (!w4_tok_eof (lx)) {
      guchar c = w4_tok_cur (lx);
      if (c == ',' || w4_tok_is_ows (c) || c == '"' || w4_tok_is_ctl (c))
        break;
      if (value->len < W4_AUTH_MAX_VALUE)
        g_string_append_c (value, (char) c);
      lx->off++;
    }
  }
  if (params->len < W4_AUTH_MAX_PARAMS) {
    W4AuthParam *ap = g_new0 (W4AuthParam, 1);
    ap->name = g_ascii_strdown (name, (gssize) name_len);
    ap->value = w4_auth_text (value->str, value->len, W4_AUTH_MAX_VALUE, FALSE);
    g_ptr_array_add (params, ap);
  }
  return W4_PARAM_READ;

not_param:
  lx->off = start;
  return W4_PARAM_NONE;
}
