/* jwt.c: RFC 7519 JWT claims, decoded with jansson and never verified: we
 * explain failures, we do not judge signatures. */
#include "jwt.h"

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "auth-private.h"
#include "base64.h"

static gboolean
w4_jwt_time (json_t *obj, const char *key, gint64 *out)
{
  json_t *v = json_object_get (obj, key);
  double d;

  if (v == NULL || !json_is_number (v))
    return FALSE;
  d = json_number_value (v);
  /* RFC 7519 2 NumericDate may be fractional; a value outside +-1e15 s
   * (31 million years) is not a date but garbage, and would overflow. */
  if (!isfinite (d) || d > 1e15 || d < -1e15)
    return FALSE;
  /* Rounded down (no libm: floor by hand). */
  *out = (gint64) d;
  if ((double) *out > d)
    (*out)--;
  return TRUE;
}

static json_t *
w4_jwt_segment (const char *s, gsize len)
{
  gsize n = 0;
  g_autofree guint8 *raw = NULL;
  json_t *j;

  if (len == 0)
    return NULL;
  raw = w4_b64_decode_url (s, len, &n);
  if (raw == NULL)
    return NULL;
  /* Integers as reals: a huge integer claim elsewhere in the payload must
   * not make jansson reject the whole token. */
  j = json_loadb ((const char *) raw, n, JSON_DECODE_INT_AS_REAL, NULL);
  if (j != NULL && !json_is_object (j)) {
    json_decref (j);
    return NULL;
  }
  return j;
}

gboolean
w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims)
{
  const char *d1, *d2;
  json_t *header, *payload, *sub;

  g_return_val_if_fail (claims != NULL, FALSE);
  memset (claims, 0, sizeof *claims);
  if (token == NULL || len == 0)
    return FALSE;
  d1 = memchr (token, '.', len);
  if (d1 == NULL)
    return FALSE;
  d2 = memchr (d1 + 1, '.', len - (gsize) (d1 + 1 - token));
  if (d2 == NULL)
    return FALSE;
  /* Exactly three segments: five would be a JWE, whose payload is
   * encrypted. The signature may be empty ("alg": "none"), but it must be
   * base64url. */
  if (memchr (d2 + 1, '.', len - (gsize) (d2 + 1 - token)) != NULL)
    return FALSE;
  {
    gsize slen = len - (gsize) (d2 + 1 - token), n = 0;
    g_autofree guint8 *sig = w4_b64_decode_url (d2 + 1, slen, &n);
    if (sig == NULL)
      return FALSE;
  }
  header = w4_jwt_segment (token, (gsize) (d1 - token));
  if (header == NULL)
    return FALSE;
  json_decref (header);
  payload = w4_jwt_segment (d1 + 1, (gsize) (d2 - d1 - 1));
  if (payload == NULL)
    return FALSE;

  sub = json_object_get (payload, "sub");
  if (json_is_string (sub) && json_string_length (sub) > 0)
    claims->sub = w4_auth_text (json_string_value (sub), json_string_length (sub),
                                W4_AUTH_MAX_PRINCIPAL, FALSE);
  claims->has_exp = w4_jwt_time (payload, "exp", &claims->exp);
  claims->has_nbf = w4_jwt_time (payload, "nbf", &claims->nbf);
  claims->has_iat = w4_jwt_time (payload, "iat", &claims->iat);
  json_decref (payload);
  return TRUE;
}
