/* fuzz-cookie.c: libFuzzer target for Cookie and Set-Cookie values
 * (cookie.h), Expires dates and HTTP-dates (Date) included. */
#include "cookie.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  GPtrArray *ck = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);

  w4_cookie_parse_header (in.bytes, in.len, ck);
  w4_cookie_set_free (w4_cookie_parse_set (in.bytes, in.len));
  {
    gint64 t;
    (void) w4_cookie_parse_date (in.bytes, in.len, &t);
  }
  (void) w4_cookie_is_session_name (in.cstr);
  g_ptr_array_unref (ck);
  w4_fuzz_input_clear (&in);
  return 0;
}
