/* param.h: RFC 9110 11.2 auth-params, as challenges and Digest credentials carry them. */
#pragma once

#include <glib.h>
#include "w4-token.h"

G_BEGIN_DECLS

typedef struct {
  char *name;   /* lowercased */
  char *value;  /* unquoted, escapes removed */
} W4AuthParam;

void w4_auth_param_free (gpointer p);

typedef enum {
  W4_PARAM_READ,  /* an auth-param was read */
  W4_PARAM_NONE,  /* the element is not "token = ...": cursor unchanged */
  W4_PARAM_ERROR, /* cannot be parsed */
} W4ParamResult;

/* token BWS "=" BWS ( token / quoted-string ) at the cursor, appended to
 * @params (element-type W4AuthParam) as a lowercased name and an unquoted
 * value, unless @params holds W4_AUTH_MAX_PARAMS already (the rest are read
 * and dropped). */
W4ParamResult w4_auth_param_read (W4Tok *t, GPtrArray *params);

G_END_DECLS
