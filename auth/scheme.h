/* scheme.h: the authentication schemes the parsers tell apart. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  W4_SCHEME_NONE = 0,   /* no scheme word (a bare token) */
  W4_SCHEME_BASIC,
  W4_SCHEME_BEARER,
  W4_SCHEME_DIGEST,
  W4_SCHEME_NTLM,
  W4_SCHEME_NEGOTIATE,
  W4_SCHEME_APIKEY,     /* an API-key header (X-API-Key, Api-Key, X-Auth-Token) */
  W4_SCHEME_COOKIE,     /* a cookie used as credential */
  W4_SCHEME_OTHER,      /* any other scheme word (AWS4-HMAC-SHA256, token, ...) */
} W4Scheme;

/* Canonical display name: "Basic", "Bearer", ... "API key", "cookie". For
 * OTHER the caller shows the scheme word it has. */
const char *w4_auth_scheme_name (W4Scheme s);
/* Maps a scheme word (case-insensitive) to its kind; OTHER for unknown. */
W4Scheme w4_auth_scheme_from_word (const char *word, gsize len);

G_END_DECLS
