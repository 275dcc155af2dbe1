/* base64.h: strict base64 and base64url decoding (RFC 4648). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Strict RFC 4648 base64 (standard alphabet, '=' padding required to a
 * multiple of 4, no whitespace). NULL when invalid. The result is
 * NUL-terminated for convenience; *out_len excludes it. (transfer full) */
guint8 *w4_b64_decode_strict (const char *in, gsize len, gsize *out_len);
/* base64url without padding (JWT segments); also accepts padding. */
guint8 *w4_b64_decode_url (const char *in, gsize len, gsize *out_len);

G_END_DECLS
