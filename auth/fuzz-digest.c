/* fuzz-digest.c: libFuzzer target for Digest credential parameters
 * (digest.h): the auth-param list and the user it names. */
#include "digest.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  GPtrArray *params = g_ptr_array_new_with_free_func (w4_auth_param_free);

  (void) w4_digest_parse_params (in.bytes, in.len, params);
  g_free (w4_digest_principal (params));
  g_ptr_array_unref (params);
  w4_fuzz_input_clear (&in);
  return 0;
}
