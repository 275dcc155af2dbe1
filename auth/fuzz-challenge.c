/* fuzz-challenge.c: libFuzzer target for WWW-Authenticate values
 * (challenge.h), and what is read out of each challenge afterwards (its
 * parameters, the server's message). */
#include "challenge.h"
#include "fuzz.h"
#include "message.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  GPtrArray *cs = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);

  w4_auth_parse_challenges (in.bytes, in.len, cs);
  for (guint i = 0; i < cs->len; i++) {
    W4Challenge *c = g_ptr_array_index (cs, i);
    g_free (w4_message_from_challenge (c));
    (void) w4_auth_challenge_param (c, in.cstr);
    (void) w4_auth_challenge_param (c, "realm");
  }
  (void) w4_auth_scheme_from_word (in.bytes, in.len);
  g_ptr_array_unref (cs);
  w4_fuzz_input_clear (&in);
  return 0;
}
