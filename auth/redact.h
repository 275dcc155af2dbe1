/* redact.h: secrets kept out of URIs before they are shown. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @uri with the values of query parameters named like access_token,
 * id_token, token, code, api_key, apikey, key, password, secret, sig,
 * signature replaced by "[redacted]". (transfer full) */
char *w4_redact_uri (const char *uri);

G_END_DECLS
