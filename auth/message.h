/* message.h: the server's own words about a failure. */
#pragma once

#include <glib.h>
#include "challenge.h"

G_BEGIN_DECLS

/* From a Bearer challenge: "error: error_description" (or either), else
 * NULL. (transfer full) */
char *w4_message_from_challenge (const W4Challenge *c);
/* From a small JSON 4xx body (application/json, application/problem+json,
 * or a body that parses as a JSON object): the first of error/message/
 * detail/title found (strings; "error": {"message": ...} too). NULL when
 * none. At most 300 characters returned. (transfer full) */
char *w4_message_from_body (const char *content_type, const guint8 *body, gsize len);

G_END_DECLS
