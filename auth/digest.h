/* digest.h: RFC 7616 Digest credentials. */
#pragma once

#include <glib.h>
#include "param.h"

G_BEGIN_DECLS

/* Reads the auth-param list of a Digest credential into @params
 * (element-type W4AuthParam). FALSE when it cannot be parsed; what was read
 * before stays in @params. */
gboolean w4_digest_parse_params (const char *s, gsize len, GPtrArray *params);

/* The user @params name: username, else username* (RFC 8187) decoded;
 * NULL when neither names anyone. (transfer full) */
char *w4_digest_principal (const GPtrArray *params);

G_END_DECLS
