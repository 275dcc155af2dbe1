/* jwt.h: the claims of a compact JWT (RFC 7519), decoded, never verified. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *sub;           /* NULL when absent */
  gboolean has_exp, has_nbf, has_iat;
  gint64 exp, nbf, iat;
} W4JwtClaims;

/* Decodes a compact JWT's payload (not verified). FALSE when @token is not
 * three base64url segments with a JSON object header and payload. On TRUE
 * the caller owns claims->sub. */
gboolean w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims);

G_END_DECLS
