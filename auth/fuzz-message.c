/* fuzz-message.c: libFuzzer target for the server's words in a small JSON
 * body (message.h) and for URI redaction (redact.h). */
#include "fuzz.h"
#include "message.h"
#include "redact.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);

  g_free (w4_message_from_body ("application/json", (const guint8 *) in.bytes, in.len));
  g_free (w4_redact_uri (in.cstr));
  w4_fuzz_input_clear (&in);
  return 0;
}
