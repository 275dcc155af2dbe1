/* jwt.h: the header and claims of a compact JWT (RFC 7519), decoded,
 * never verified. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token longer than this is not decoded: JWTs in headers and cookies
 * stay far below it (a cookie holds 4 KiB), and the JSON parse of a
 * hostile one stays small. */
#define W4_JWT_MAX_LEN 16384
/* Characters kept of a string header field or claim (alg, kid, iss, aud). */
#define W4_JWT_MAX_FIELD 128

typedef struct {
  /* JOSE header (RFC 7515 4.1); NULL when absent or not a string */
  char *alg;
  char *kid;
  /* registered claims (RFC 7519 4.1); NULL when absent */
  char *sub;
  char *iss;
  char *aud;           /* a string, or the first string of the array */
  guint n_aud;         /* how many audiences the claim names */
  gboolean has_exp, has_nbf, has_iat;
  gint64 exp, nbf, iat;  /* seconds since the epoch, rounded down */
} W4JwtClaims;

/* Decodes a compact JWT's header and payload (not verified). FALSE when
 * @token is not three base64url segments with a JSON object header and
 * payload, or longer than W4_JWT_MAX_LEN. On TRUE the caller owns the
 * strings (w4_jwt_claims_clear). */
gboolean w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims);
/* Frees the strings of @claims and zeroes it. */
void w4_jwt_claims_clear (W4JwtClaims *claims);
/* w4_jwt_decode into a new record: (transfer full) or NULL when @token is
 * not a JWT. */
W4JwtClaims *w4_jwt_new (const char *token, gsize len);
void w4_jwt_free (W4JwtClaims *claims);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4JwtClaims, w4_jwt_free)

G_END_DECLS
