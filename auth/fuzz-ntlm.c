/* fuzz-ntlm.c: libFuzzer target for NTLM messages (ntlm.h), raw bytes as
 * they come out of the base64 token, and the search inside a SPNEGO blob. */
#include "fuzz.h"
#include "ntlm.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  const guint8 *msg = (const guint8 *) in.bytes;
  guint type = 0;
  char *user = NULL;
  gssize at;

  if (w4_ntlm_parse (msg, in.len, &type, &user))
    g_free (user);
  at = w4_ntlm_find (msg, in.len);
  if (at >= 0 && w4_ntlm_parse (msg + at, in.len - (gsize) at, &type, &user))
    g_free (user);
  w4_fuzz_input_clear (&in);
  return 0;
}
