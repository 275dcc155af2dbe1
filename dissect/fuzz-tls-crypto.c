/* fuzz-tls-crypto.c: libFuzzer target for record decryption (tls-crypto.h).
 * The first input byte picks one of the key sets below (every record
 * layout: TLS 1.3, TLS 1.2 GCM and ChaCha20, CBC with MAC-then-encrypt and
 * encrypt-then-MAC, TLS 1.1's explicit and TLS 1.0's chained IV), the rest
 * is the record, in an exactly-sized copy so AddressSanitizer sees any read
 * past it. Random bytes rarely pass a tag, but every length check before
 * it, and CBC's padding and MAC checks after decryption, run on them. */
#include "tls-crypto.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  guint16 suite, version;
  gboolean etm;
} FuzzKeys;

static const FuzzKeys fuzz_keys[] = {
  { 0x1301, 0x0304, FALSE }, { 0x1302, 0x0304, FALSE }, { 0x1303, 0x0304, FALSE },
  { 0xc02f, 0x0303, FALSE }, { 0xcca8, 0x0303, FALSE }, { 0xc013, 0x0303, FALSE },
  { 0xc013, 0x0303, TRUE },  { 0xc028, 0x0303, FALSE }, { 0xc014, 0x0302, FALSE },
  { 0x002f, 0x0301, FALSE }, { 0x002f, 0x0301, TRUE },
};

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static W4TlsCrypto *c;
  static W4TlsKeys *keys[G_N_ELEMENTS (fuzz_keys)];
  static guint8 out[W4_TLS_CIPHERTEXT_MAX];
  const guint8 secret[48] = { 0x5a }, random[W4_TLS_RANDOM_LEN] = { 0xa5 };
  g_autofree guint8 *rec = NULL;
  const FuzzKeys *fk;
  guint8 type;
  gsize len, which;

  if (c == NULL) {
    c = w4_tls_crypto_new ();
    g_assert (c != NULL);
  }
  if (size == 0)
    return 0;
  which = data[0] % G_N_ELEMENTS (fuzz_keys);
  fk = &fuzz_keys[which];
  if (keys[which] == NULL) {
    const W4TlsSuite *s = w4_tls_suite_find (fk->suite);
    W4TlsKeys *other = NULL;
    if (fk->version == 0x0304)
      keys[which] = w4_tls13_keys_new (c, s, secret, s->hash == W4_TLS_HASH_SHA384 ? 48 : 32);
    else
      g_assert (w4_tls12_keys_new (c, s, fk->version, fk->etm, secret, 48, random, random,
                                   &keys[which], &other));
    w4_tls_keys_free (other);
    g_assert (keys[which] != NULL);
  }
  rec = g_memdup2 (data + 1, size - 1);
  /* the sequence number and TLS 1.0's IV carry over from input to input,
   * as they do from record to record */
  w4_tls_keys_decrypt (keys[which], rec, size - 1, out, sizeof out, &type, &len);
  g_assert (len <= size - 1);
  return 0;
}
