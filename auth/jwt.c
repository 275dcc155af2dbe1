/* jwt.c: RFC 7519 JWT header and claims, decoded with jansson and never
 * verified: we explain failures, we do not judge signatures. Bounded: the
 * token by W4_JWT_MAX_LEN, every string kept by W4_JWT_MAX_FIELD (sub by
 * W4_AUTH_MAX_PRINCIPAL), jansson's own nesting limit for the JSON. */
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

/* A string member of @obj as text for people, or NULL. */
static char *
w4_jwt_string (json_t *obj, const char *key, gsize max_chars)
{
  json_t *v = json_object_get (obj, key);

  if (!json_is_string (v) || json_string_length (v) == 0)
    return NULL;
  return w4_auth_text (json_string_value (v), json_string_length (v), max_chars, FALSE);
}

/* RFC 7519 4.1.3: "aud" is one string or an array of them. */
static void
w4_jwt_audience (json_t *payload, W4JwtClaims *claims)
{
  json_t *aud = json_object_get (payload, "aud");

  if (json_is_string (aud)) {
    claims->aud = w4_jwt_string (payload, "aud", W4_JWT_MAX_FIELD);
    claims->n_aud = claims->aud != NULL;
    return;
  }
  if (!json_is_array (aud))
    return;
  claims->n_aud = (guint) MIN (json_array_size (aud), (gsize) G_MAXUINT);
  for (gsize i = 0; i < json_array_size (aud) && claims->aud == NULL; i++) {
    json_t *one = json_array_get (aud, i);
    if (json_is_string (one) && json_string_length (one) > 0)
      claims->aud = w4_auth_text (json_string_value (one), json_string_length (one),
                                  W4_JWT_MAX_FIELD, FALSE);
  }
}

void
w4_jwt_claims_clear (W4JwtClaims *claims)
{
  if (claims == NULL)
    return;
  g_free (claims->alg);
  g_free (claims->kid);
  g_free (claims->sub);
  g_free (claims->iss);
  g_free (claims->aud);
  memset (claims, 0, sizeof *claims);
}

gboolean
w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims)
{
  const char *d1, *d2;
  json_t *header, *payload;

  g_return_val_if_fail (claims != NULL, FALSE);
  memset (claims, 0, sizeof *claims);
  if (token == NULL || len == 0 || len > W4_JWT_MAX_LEN)
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
  payload = w4_jwt_segment (d1 + 1, (gsize) (d2 - d1 - 1));
  if (payload == NULL) {
    json_decref (header);
    return FALSE;
  }

  claims->alg = w4_jwt_string (header, "alg", W4_JWT_MAX_FIELD);
  claims->kid = w4_jwt_string (header, "kid", W4_JWT_MAX_FIELD);
  json_decref (header);
  claims->sub = w4_jwt_string (payload, "sub", W4_AUTH_MAX_PRINCIPAL);
  claims->iss = w4_jwt_string (payload, "iss", W4_JWT_MAX_FIELD);
  w4_jwt_audience (payload, claims);
  claims->has_exp = w4_jwt_time (payload, "exp", &claims->exp);
  claims->has_nbf = w4_jwt_time (payload, "nbf", &claims->nbf);
  claims->has_iat = w4_jwt_time (payload, "iat", &claims->iat);
  json_decref (payload);
  return TRUE;
}

W4JwtClaims *
w4_jwt_new (const char *token, gsize len)
{
  W4JwtClaims cl;

  if (!w4_jwt_decode (token, len, &cl))
    return NULL;
  return g_memdup2 (&cl, sizeof cl);
}

void
w4_jwt_free (W4JwtClaims *claims)
{
  if (claims == NULL)
    return;
  w4_jwt_claims_clear (claims);
  g_free (claims);
}
