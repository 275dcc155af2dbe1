/* fuzz-credential.c: libFuzzer target for Authorization values and API-key
 * headers (credential.h), which reach base64, JWT, Digest and NTLM
 * parsing through them. */
#include "credential.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);

  w4_auth_credential_free (w4_auth_parse_credentials (in.bytes, in.len));
  w4_auth_credential_free (w4_auth_parse_apikey (in.bytes, in.len));
  (void) w4_auth_is_apikey_header (in.bytes, in.len);
  g_free (w4_auth_fingerprint (in.bytes, in.len));
  w4_fuzz_input_clear (&in);
  return 0;
}
