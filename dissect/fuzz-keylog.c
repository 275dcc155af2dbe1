/* fuzz-keylog.c: libFuzzer target for the NSS key log reader
 * (tls-keylog.c). The first byte picks the session limit (1 to 4, so that
 * eviction runs often) and where the rest is cut in two: both parts are
 * read as separate sources (as two Decryption Secrets Blocks, or a key log
 * and a block), then every stored session is looked up again. */
#include "fuzz.h"
#include "tls-keylog.h"

static void
fuzz_warn (void *user, const W4Anomaly *what)
{
  (void) user;
  (void) what;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  g_autoptr (W4Keylog) kl = NULL;
  guint8 probe[W4_KEYLOG_RANDOM_LEN] = { 0 };
  gsize cut;

  if (size == 0) {
    w4_fuzz_input_clear (&in);
    return 0;
  }
  kl = w4_keylog_new (1 + (data[0] & 3), fuzz_warn, NULL);
  cut = 1 + (size - 1) * (data[0] >> 2) / 63;
  w4_keylog_add_text (kl, "a", (const guint8 *) in.bytes + 1, cut - 1);
  w4_keylog_add_text (kl, "b", (const guint8 *) in.bytes + cut, size - cut);
  (void) w4_keylog_find (kl, probe);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), <=, 4);
  w4_fuzz_input_clear (&in);
  return 0;
}
