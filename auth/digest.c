/* digest.c: RFC 7616 Digest credentials: the auth-param list, and the
 * user it names (username, or username* in RFC 8187 encoding). */
#include "digest.h"

#include <string.h>

#include "auth-private.h"

/* RFC 8187 ext-value "UTF-8''J%C3%A4s%C3%B8n" (RFC 7616 3.4.4 username*). */
static char *
w4_ext_value (const char *v)
{
  gsize len = strlen (v), i;
  const char *q1, *q2;
  g_autoptr (GString) raw = g_string_new (NULL);

  q1 = memchr (v, '\'', len);
  if (q1 == NULL)
    return NULL;
  q2 = memchr (q1 + 1, '\'', len - (gsize) (q1 + 1 - v));
  if (q2 == NULL || !w4_tok_span_ieq (v, (gsize) (q1 - v), "UTF-8"))
    return NULL;
  i = (gsize) (q2 + 1 - v);
  if (!w4_tok_pct_decode (v + i, len - i, raw, G_MAXSIZE))
    return NULL;
  return w4_auth_text (raw->str, raw->len, W4_AUTH_MAX_PRINCIPAL, FALSE);
}

gboolean
w4_digest_parse_params (const char *s, gsize len, GPtrArray *params)
{
  W4Tok lx = w4_tok_init (s, len);

  g_return_val_if_fail (s != NULL || len == 0, FALSE);
  /* Each turn reads one auth-param or stops. */
  while (!w4_tok_eof (&lx))
    if (w4_auth_param_read (&lx, params) != W4_PARAM_READ || !w4_tok_list_sep (&lx))
      return FALSE;
  return TRUE;
}

char *
w4_digest_principal (const GPtrArray *params)
{
  const char *user = NULL, *user_ext = NULL;

  for (guint i = 0; i < params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index ((GPtrArray *) params, i);
    if (user == NULL && strcmp (ap->name, "username") == 0)
      user = ap->value;
    else if (user_ext == NULL && strcmp (ap->name, "username*") == 0)
      user_ext = ap->value;
  }
  if (user != NULL && user[0] != '\0')
    return w4_auth_text (user, strlen (user), W4_AUTH_MAX_PRINCIPAL, FALSE);
  if (user_ext != NULL) {
    char *u = w4_ext_value (user_ext);
    if (u != NULL && u[0] != '\0')
      return u;
    g_free (u);
  }
  return NULL;
}
