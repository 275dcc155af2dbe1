/* fuzz-auth.c: libFuzzer target for the auth parsers (auth.h).
 *
 * The first input byte picks nothing: every parser gets the same bytes, in
 * an exactly-sized copy so that ASan sees a read one past the end. The
 * NUL-terminated entry points (w4_redact_uri, w4_cookie_is_session_name,
 * w4_auth_challenge_param) get a copy cut at the first NUL. Built only with
 * -Dfuzz=true and clang. */
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  char *buf = g_malloc (size ? size : 1);
  char *cstr = g_strndup ((const char *) data, size);
  GPtrArray *cs = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);
  GPtrArray *ck = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);
  W4JwtClaims cl;
  gsize n = 0;

  if (size)
    memcpy (buf, data, size);

  w4_auth_parse_challenges (buf, size, cs);
  for (guint i = 0; i < cs->len; i++) {
    W4Challenge *c = g_ptr_array_index (cs, i);
    g_free (w4_message_from_challenge (c));
    (void) w4_auth_challenge_param (c, cstr);
  }
  w4_auth_credential_free (w4_auth_parse_credentials (buf, size));
  w4_auth_credential_free (w4_auth_parse_apikey (buf, size));
  w4_cookie_set_free (w4_cookie_parse_set (buf, size));
  w4_cookie_parse_header (buf, size, ck);
  if (w4_jwt_decode (buf, size, &cl))
    g_free (cl.sub);
  g_free (w4_message_from_body ("application/json", (const guint8 *) buf, size));
  g_free (w4_redact_uri (cstr));
  (void) w4_cookie_is_session_name (cstr);
  (void) w4_auth_is_apikey_header (buf, size);
  (void) w4_auth_scheme_from_word (buf, size);
  g_free (w4_b64_decode_strict (buf, size, &n));
  g_free (w4_b64_decode_url (buf, size, &n));

  g_ptr_array_unref (cs);
  g_ptr_array_unref (ck);
  g_free (cstr);
  g_free (buf);
  return 0;
}
