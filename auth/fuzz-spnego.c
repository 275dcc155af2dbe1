/* fuzz-spnego.c: libFuzzer target for Negotiate tokens (spnego.h), raw
 * bytes as they come out of the base64 token. */
#include "fuzz.h"
#include "spnego.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  W4Spnego s;

  if (w4_spnego_parse ((const guint8 *) in.bytes, in.len, &s)) {
    (void) w4_krb_error_name (s.krb_error);
    (void) w4_krb_error_meaning (s.krb_error);
    (void) w4_krb_error_fix (s.krb_error);
    w4_spnego_clear (&s);
  }
  w4_fuzz_input_clear (&in);
  return 0;
}
