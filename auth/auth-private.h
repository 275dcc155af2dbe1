/* auth-private.h: helpers shared by the auth-*.c parsers; not a stage
 * interface (correlate/ includes auth.h only). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Caps. Each keeps one hostile header from costing more than a small,
 * fixed amount of memory and time. */
#define W4_AUTH_MAX_CHALLENGES 32   /* per header value (challenge.h promises it) */
#define W4_AUTH_MAX_PARAMS     64   /* per challenge or Digest credential */
#define W4_AUTH_MAX_VALUE      4096 /* bytes kept of one auth-param value; a
                                     * nonce or realm is far shorter */
#define W4_AUTH_MAX_PRINCIPAL  256  /* characters of a principal */
#define W4_AUTH_MAX_COOKIES    64   /* per Cookie value (cookie.h promises it) */
#define W4_AUTH_MAX_COOKIE_ATTRS 32 /* attributes read from one Set-Cookie */
#define W4_AUTH_MAX_COOKIE_LEN 4096 /* RFC 6265 6.1: what user agents keep */
#define W4_AUTH_MAX_MESSAGE    300  /* characters of a server message */
#define W4_AUTH_MAX_BODY       4096 /* larger bodies are not read for a message */

/* Text for people out of untrusted bytes: valid UTF-8 (invalid sequences
 * become U+FFFD), control characters replaced by '?' (@strip: removed, with
 * tab/CR/LF turned into a space), at most @max_chars characters.
 * (transfer full) */
char *w4_auth_text (const char *s, gsize len, gsize max_chars, gboolean strip);

G_END_DECLS
