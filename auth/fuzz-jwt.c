/* fuzz-jwt.c: libFuzzer target for compact JWTs (jwt.h) and the base64
 * decoders under them (base64.h). */
#include "base64.h"
#include "fuzz.h"
#include "jwt.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  W4JwtClaims cl;
  gsize n = 0;

  if (w4_jwt_decode (in.bytes, in.len, &cl))
    w4_jwt_claims_clear (&cl);
  g_free (w4_b64_decode_strict (in.bytes, in.len, &n));
  g_free (w4_b64_decode_url (in.bytes, in.len, &n));
  w4_fuzz_input_clear (&in);
  return 0;
}
