/* challenge.h: WWW-Authenticate / Proxy-Authenticate challenges (RFC 9110 11.6.1, 11.7.1). */
#pragma once

#include <glib.h>
#include "param.h"
#include "scheme.h"

G_BEGIN_DECLS

typedef struct {
  W4Scheme kind;
  char *scheme;       /* the scheme word as sent */
  char *token68;      /* NULL unless the challenge carries a token68 */
  GPtrArray *params;  /* (element-type W4AuthParam) in order */
} W4Challenge;

void w4_auth_challenge_free (W4Challenge *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Challenge, w4_auth_challenge_free)

/* Parses one header value, appending each challenge to @out (element-type
 * W4Challenge, owned by @out's free func, which the caller sets to
 * w4_auth_challenge_free). Lenient where servers are (trailing commas, empty
 * elements); stops at what cannot be parsed and keeps what was. Returns the
 * number of challenges appended. At most 32 challenges per value. */
guint w4_auth_parse_challenges (const char *value, gsize len, GPtrArray *out);

/* The value of auth-param @name (case-insensitive), or NULL. (transfer none) */
const char *w4_auth_challenge_param (const W4Challenge *c, const char *name);

G_END_DECLS
