/* tls-crypto.c: TLS key derivation and record decryption with OpenSSL 3's
 * EVP interfaces (see tls-crypto.h for what the TLS layer calls).
 *
 * Algorithms are fetched once in w4_tls_crypto_new (); a direction's keys
 * go into its own cipher (and HMAC) context when they are set, so opening
 * a record only changes the nonce or IV: no fetch, no allocation. */
#include "tls-crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#define TAG_LEN 16         /* GCM and Poly1305 tags */
#define AEAD_NONCE_LEN 12  /* RFC 8446 5.3, RFC 5288 3, RFC 7905 2 */
#define GCM_SALT_LEN 4     /* TLS 1.2 GCM: implicit part of the nonce */
#define GCM_EXPLICIT_LEN 8 /* TLS 1.2 GCM: nonce_explicit in each record */
#define CBC_BLOCK 16       /* AES */
#define RECORD_HDR 5
#define MAC_MAX 48 /* SHA-384 */
#define KEY_MAX 32
#define IV_MAX 16
/* client/server MAC keys, keys and IVs (RFC 5246 6.3) */
#define KEY_BLOCK_MAX (2 * (MAC_MAX + KEY_MAX + IV_MAX))

/* RFC 8446 B.4, RFC 5288 3, RFC 5289 3, RFC 7905 2, RFC 5246 A.5, RFC 4492
 * 6: the suites seen in practice with the ciphers above. */
static const W4TlsSuite w4_tls_suites[] = {
  { 0x1301, "TLS_AES_128_GCM_SHA256", TRUE, W4_TLS_CIPHER_AES_128_GCM, W4_TLS_MAC_AEAD,
    W4_TLS_HASH_SHA256, 16, 12, 0 },
  { 0x1302, "TLS_AES_256_GCM_SHA384", TRUE, W4_TLS_CIPHER_AES_256_GCM, W4_TLS_MAC_AEAD,
    W4_TLS_HASH_SHA384, 32, 12, 0 },
  { 0x1303, "TLS_CHACHA20_POLY1305_SHA256", TRUE, W4_TLS_CIPHER_CHACHA20_POLY1305, W4_TLS_MAC_AEAD,
    W4_TLS_HASH_SHA256, 32, 12, 0 },

  { 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", FALSE, W4_TLS_CIPHER_AES_128_GCM, W4_TLS_MAC_AEAD,
    W4_TLS_HASH_SHA256, 16, 4, 0 },
  { 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", FALSE, W4_TLS_CIPHER_AES_256_GCM, W4_TLS_MAC_AEAD,
    W4_TLS_HASH_SHA384, 32, 4, 0 },
  { 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", FALSE, W4_TLS_CIPHER_AES_128_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 16, 4, 0 },
  { 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", FALSE, W4_TLS_CIPHER_AES_256_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA384, 32, 4, 0 },
  { 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", FALSE, W4_TLS_CIPHER_AES_128_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 16, 4, 0 },
  { 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", FALSE, W4_TLS_CIPHER_AES_256_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA384, 32, 4, 0 },
  { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", FALSE, W4_TLS_CIPHER_AES_128_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 16, 4, 0 },
  { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", FALSE, W4_TLS_CIPHER_AES_256_GCM,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA384, 32, 4, 0 },
  { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", FALSE, W4_TLS_CIPHER_CHACHA20_POLY1305,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 32, 12, 0 },
  { 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", FALSE, W4_TLS_CIPHER_CHACHA20_POLY1305,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 32, 12, 0 },
  { 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", FALSE, W4_TLS_CIPHER_CHACHA20_POLY1305,
    W4_TLS_MAC_AEAD, W4_TLS_HASH_SHA256, 32, 12, 0 },

  { 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_128_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 16, 16, 20 },
  { 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_128_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 16, 16, 20 },
  { 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_256_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 32, 16, 20 },
  { 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_256_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 32, 16, 20 },
  { 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_128_CBC, W4_TLS_MAC_SHA256,
    W4_TLS_HASH_SHA256, 16, 16, 32 },
  { 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_256_CBC, W4_TLS_MAC_SHA256,
    W4_TLS_HASH_SHA256, 32, 16, 32 },
  { 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_128_CBC,
    W4_TLS_MAC_SHA256, W4_TLS_HASH_SHA256, 16, 16, 32 },
  { 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_256_CBC,
    W4_TLS_MAC_SHA256, W4_TLS_HASH_SHA256, 32, 16, 32 },
  { 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_128_CBC,
    W4_TLS_MAC_SHA1, W4_TLS_HASH_SHA256, 16, 16, 20 },
  { 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_256_CBC,
    W4_TLS_MAC_SHA1, W4_TLS_HASH_SHA256, 32, 16, 20 },
  { 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_128_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 16, 16, 20 },
  { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", FALSE, W4_TLS_CIPHER_AES_256_CBC, W4_TLS_MAC_SHA1,
    W4_TLS_HASH_SHA256, 32, 16, 20 },
  { 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_128_CBC,
    W4_TLS_MAC_SHA256, W4_TLS_HASH_SHA256, 16, 16, 32 },
  { 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", FALSE, W4_TLS_CIPHER_AES_256_CBC,
    W4_TLS_MAC_SHA384, W4_TLS_HASH_SHA384, 32, 16, 48 },
  { 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", FALSE, W4_TLS_CIPHER_AES_128_CBC,
    W4_TLS_MAC_SHA256, W4_TLS_HASH_SHA256, 16, 16, 32 },
  { 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", FALSE, W4_TLS_CIPHER_AES_256_CBC,
    W4_TLS_MAC_SHA384, W4_TLS_HASH_SHA384, 32, 16, 48 },
};

/* OpenSSL's names, indexed by W4TlsCipher. */
static const char *const w4_tls_cipher_names[W4_TLS_CIPHER_N] = {
  "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC",
};

struct _W4TlsCrypto {
  EVP_CIPHER *cipher[W4_TLS_CIPHER_N];
  EVP_KDF *hkdf;
  EVP_KDF *prf;
  EVP_MAC *hmac;
};

struct _W4TlsKeys {
  const W4TlsSuite *suite;
  guint16 version; /* 0x0301 .. 0x0304 */
  gboolean etm;    /* RFC 7366 encrypt-then-MAC (CBC only) */
  guint64 seq;     /* of the next record */
  /* 1.3 and ChaCha20: the 12-byte static IV; GCM: the 4-byte salt; CBC in
   * TLS 1.0: the IV of the next record (the last ciphertext block). */
  guint8 iv[IV_MAX];
  guint8 secret[W4_TLS_SECRET_MAX]; /* TLS 1.3: the traffic secret, for KeyUpdate */
  gsize secret_len;
  EVP_CIPHER_CTX *cipher; /* (owned) holds the key */
  EVP_MAC_CTX *mac;       /* (owned) CBC suites: HMAC holding its key */
};

const W4TlsSuite *
w4_tls_suite_find (guint16 id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (w4_tls_suites); i++)
    if (w4_tls_suites[i].id == id)
      return &w4_tls_suites[i];
  return NULL;
}

const W4TlsSuite *
w4_tls_suite_table (gsize *n)
{
  *n = G_N_ELEMENTS (w4_tls_suites);
  return w4_tls_suites;
}

static gsize
hash_len (W4TlsHash hash)
{
  return hash == W4_TLS_HASH_SHA384 ? 48 : 32;
}

static const char *
hash_name (W4TlsHash hash)
{
  return hash == W4_TLS_HASH_SHA384 ? "SHA384" : "SHA256";
}

static const char *
mac_digest_name (W4TlsMac mac)
{
  switch (mac) {
  case W4_TLS_MAC_SHA1:
    return "SHA1";
  case W4_TLS_MAC_SHA256:
    return "SHA256";
  case W4_TLS_MAC_SHA384:
    return "SHA384";
  case W4_TLS_MAC_AEAD:
    break;
  }
  return NULL;
}

static gboolean
is_aead (const W4TlsSuite *s)
{
  return s->mac == W4_TLS_MAC_AEAD;
}

W4TlsCrypto *
w4_tls_crypto_new (void)
{
  g_autoptr (W4TlsCrypto) c = g_new0 (W4TlsCrypto, 1);

  for (guint i = 0; i < W4_TLS_CIPHER_N; i++) {
    c->cipher[i] = EVP_CIPHER_fetch (NULL, w4_tls_cipher_names[i], NULL);
    if (c->cipher[i] == NULL)
      return NULL;
  }
  c->hkdf = EVP_KDF_fetch (NULL, "HKDF", NULL);
  c->prf = EVP_KDF_fetch (NULL, "TLS1-PRF", NULL);
  c->hmac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  if (c->hkdf == NULL || c->prf == NULL || c->hmac == NULL)
    return NULL;
  return g_steal_pointer (&c);
}

void
w4_tls_crypto_free (W4TlsCrypto *c)
{
  if (c == NULL)
    return;
  for (guint i = 0; i < W4_TLS_CIPHER_N; i++)
    EVP_CIPHER_free (c->cipher[i]);
  EVP_KDF_free (c->hkdf);
  EVP_KDF_free (c->prf);
  EVP_MAC_free (c->hmac);
  g_free (c);
}

/* ---- derivations ---- */

static gboolean
hkdf_expand (W4TlsCrypto *c, W4TlsHash hash, const guint8 *prk, gsize prk_len, const guint8 *info,
             gsize info_len, guint8 *out, gsize out_len)
{
  EVP_KDF_CTX *kctx = EVP_KDF_CTX_new (c->hkdf);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) hash_name (hash), 0),
    OSSL_PARAM_construct_int (OSSL_KDF_PARAM_MODE, &mode),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *) prk, prk_len),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) info, info_len),
    OSSL_PARAM_construct_end (),
  };
  gboolean ok = kctx != NULL && EVP_KDF_derive (kctx, out, out_len, params) == 1;

  EVP_KDF_CTX_free (kctx);
  return ok;
}

gboolean
w4_tls13_expand_label (W4TlsCrypto *c, W4TlsHash hash, const guint8 *secret, gsize secret_len,
                       const char *label, const guint8 *context, gsize context_len, guint8 *out,
                       gsize out_len)
{
  static const char prefix[] = "tls13 ";
  const gsize prefix_len = sizeof prefix - 1;
  /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
  guint8 info[2 + 1 + 255 + 1 + 255];
  gsize label_len = strlen (label), pos = 0;
  gboolean ok;

  if (label_len > 255 - prefix_len || context_len > 255 || out_len == 0 ||
      out_len > 255 * hash_len (hash) || (context_len > 0 && context == NULL))
    return FALSE;
  info[pos++] = (guint8) (out_len >> 8);
  info[pos++] = (guint8) out_len;
  info[pos++] = (guint8) (prefix_len + label_len);
  memcpy (info + pos, prefix, prefix_len);
  pos += prefix_len;
  memcpy (info + pos, label, label_len);
  pos += label_len;
  info[pos++] = (guint8) context_len;
  if (context_len > 0)
    memcpy (info + pos, context, context_len);
  pos += context_len;
  ok = hkdf_expand (c, hash, secret, secret_len, info, pos, out, out_len);
  OPENSSL_cleanse (info, sizeof info);
  return ok;
}

gboolean
w4_tls_prf (W4TlsCrypto *c, gboolean legacy, W4TlsHash hash, const guint8 *secret, gsize secret_len,
            const char *label, const guint8 *seed, gsize seed_len, guint8 *out, gsize out_len)
{
  /* "key expansion" + two randoms is what the key block needs; the
   * test label and seeds fit too. */
  guint8 label_seed[128];
  gsize label_len = strlen (label);
  EVP_KDF_CTX *kctx;
  gboolean ok;

  if (label_len > sizeof label_seed || seed_len > sizeof label_seed - label_len)
    return FALSE;
  memcpy (label_seed, label, label_len);
  if (seed_len > 0)
    memcpy (label_seed + label_len, seed, seed_len);
  kctx = EVP_KDF_CTX_new (c->prf);
  {
    OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST,
                                        (char *) (legacy ? "MD5-SHA1" : hash_name (hash)), 0),
      OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SECRET, (void *) secret, secret_len),
      OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SEED, label_seed, label_len + seed_len),
      OSSL_PARAM_construct_end (),
    };
    ok = kctx != NULL && EVP_KDF_derive (kctx, out, out_len, params) == 1;
  }
  EVP_KDF_CTX_free (kctx);
  OPENSSL_cleanse (label_seed, sizeof label_seed);
  return ok;
}

/* ---- keys ---- */

static W4TlsKeys *
keys_new (W4TlsCrypto *c, const W4TlsSuite *suite, guint16 version, const guint8 *key)
{
  g_autoptr (W4TlsKeys) k = g_new0 (W4TlsKeys, 1);

  k->suite = suite;
  k->version = version;
  k->cipher = EVP_CIPHER_CTX_new ();
  if (k->cipher == NULL ||
      EVP_DecryptInit_ex2 (k->cipher, c->cipher[suite->cipher], key, NULL, NULL) != 1)
    return NULL;
  /* CBC padding is TLS's own (checked here), not PKCS#7. */
  if (!is_aead (suite) && EVP_CIPHER_CTX_set_padding (k->cipher, 0) != 1)
    return NULL;
  return g_steal_pointer (&k);
}

void
w4_tls_keys_free (W4TlsKeys *k)
{
  if (k == NULL)
    return;
  EVP_CIPHER_CTX_free (k->cipher);
  EVP_MAC_CTX_free (k->mac);
  OPENSSL_cleanse (k, sizeof *k);
  g_free (k);
}

guint64
w4_tls_keys_seq (const W4TlsKeys *k)
{
  return k->seq;
}

void
w4_tls_keys_set_seq (W4TlsKeys *k, guint64 seq)
{
  k->seq = seq;
}

/* key and iv from the traffic secret (RFC 8446 7.3) */
static gboolean
tls13_traffic_keys (W4TlsCrypto *c, const W4TlsSuite *suite, const guint8 *secret, gsize len,
                    guint8 key[KEY_MAX], guint8 iv[AEAD_NONCE_LEN])
{
  return w4_tls13_expand_label (c, suite->hash, secret, len, "key", NULL, 0, key, suite->key_len) &&
         w4_tls13_expand_label (c, suite->hash, secret, len, "iv", NULL, 0, iv, AEAD_NONCE_LEN);
}

W4TlsKeys *
w4_tls13_keys_new (W4TlsCrypto *c, const W4TlsSuite *suite, const guint8 *secret, gsize len)
{
  guint8 key[KEY_MAX], iv[AEAD_NONCE_LEN];
  W4TlsKeys *k = NULL;

  if (suite == NULL || !suite->tls13 || len != hash_len (suite->hash))
    return NULL;
  if (tls13_traffic_keys (c, suite, secret, len, key, iv) &&
      (k = keys_new (c, suite, 0x0304, key)) != NULL) {
    memcpy (k->iv, iv, AEAD_NONCE_LEN);
    memcpy (k->secret, secret, len);
    k->secret_len = len;
  }
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (iv, sizeof iv);
  return k;
}

gboolean
w4_tls13_keys_update (W4TlsCrypto *c, W4TlsKeys *k)
{
  guint8 next[W4_TLS_SECRET_MAX], key[KEY_MAX], iv[AEAD_NONCE_LEN];
  gboolean ok;

  if (k->version != 0x0304)
    return FALSE;
  ok = w4_tls13_expand_label (c, k->suite->hash, k->secret, k->secret_len, "traffic upd", NULL, 0,
                              next, k->secret_len) &&
       tls13_traffic_keys (c, k->suite, next, k->secret_len, key, iv) &&
       EVP_DecryptInit_ex2 (k->cipher, NULL, key, NULL, NULL) == 1;
  if (ok) {
    memcpy (k->secret, next, k->secret_len);
    memcpy (k->iv, iv, AEAD_NONCE_LEN);
    k->seq = 0;
  }
  OPENSSL_cleanse (next, sizeof next);
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (iv, sizeof iv);
  return ok;
}

static gboolean
version_fits (const W4TlsSuite *s, guint16 version)
{
  if (s->tls13 || version < 0x0301 || version > 0x0303)
    return FALSE;
  /* AEAD suites and SHA-2 MACs came with TLS 1.2 (RFC 5246 A.5, RFC 5288) */
  if (version < 0x0303 && (is_aead (s) || s->mac != W4_TLS_MAC_SHA1))
    return FALSE;
  return TRUE;
}

static gboolean
set_mac_key (W4TlsCrypto *c, W4TlsKeys *k, const guint8 *key)
{
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST,
                                      (char *) mac_digest_name (k->suite->mac), 0),
    OSSL_PARAM_construct_end (),
  };

  k->mac = EVP_MAC_CTX_new (c->hmac);
  return k->mac != NULL && EVP_MAC_init (k->mac, key, k->suite->mac_len, params) == 1;
}

/* One direction from its slices of the key block. */
static W4TlsKeys *
tls12_dir_keys (W4TlsCrypto *c, const W4TlsSuite *s, guint16 version, gboolean etm,
                const guint8 *mac_key, const guint8 *key, const guint8 *iv)
{
  g_autoptr (W4TlsKeys) k = keys_new (c, s, version, key);

  if (k == NULL)
    return NULL;
  k->etm = etm && !is_aead (s);
  memcpy (k->iv, iv, s->fixed_iv_len);
  if (!is_aead (s) && !set_mac_key (c, k, mac_key))
    return NULL;
  return g_steal_pointer (&k);
}

gboolean
w4_tls12_keys_new (W4TlsCrypto *c, const W4TlsSuite *suite, guint16 version, gboolean etm,
                   const guint8 *master, gsize master_len,
                   const guint8 client_random[W4_TLS_RANDOM_LEN],
                   const guint8 server_random[W4_TLS_RANDOM_LEN], W4TlsKeys **client_write,
                   W4TlsKeys **server_write)
{
  guint8 seed[2 * W4_TLS_RANDOM_LEN], block[KEY_BLOCK_MAX];
  gsize m, kl, il;
  W4TlsKeys *cw = NULL, *sw = NULL;

  *client_write = *server_write = NULL;
  if (suite == NULL || master_len != W4_TLS_MASTER_LEN || !version_fits (suite, version))
    return FALSE;
  m = suite->mac_len;
  kl = suite->key_len;
  il = suite->fixed_iv_len;
  /* key_block = PRF (master, "key expansion", server_random + client_random) */
  memcpy (seed, server_random, W4_TLS_RANDOM_LEN);
  memcpy (seed + W4_TLS_RANDOM_LEN, client_random, W4_TLS_RANDOM_LEN);
  if (w4_tls_prf (c, version < 0x0303, suite->hash, master, master_len, "key expansion", seed,
                  sizeof seed, block, 2 * (m + kl + il))) {
    /* client MAC, server MAC, client key, server key, client IV, server IV */
    cw = tls12_dir_keys (c, suite, version, etm, block, block + 2 * m, block + 2 * m + 2 * kl);
    sw = tls12_dir_keys (c, suite, version, etm, block + m, block + 2 * m + kl,
                         block + 2 * m + 2 * kl + il);
  }
  OPENSSL_cleanse (block, sizeof block);
  if (cw == NULL || sw == NULL) {
    w4_tls_keys_free (cw);
    w4_tls_keys_free (sw);
    return FALSE;
  }
  *client_write = cw;
  *server_write = sw;
  return TRUE;
}

/* ---- records ---- */

static void
put_be64 (guint8 *p, guint64 v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (guint8) v;
}

/* RFC 8446 5.3, RFC 7905 2: the static IV xor the left-padded sequence number. */
static void
xor_nonce (const guint8 iv[AEAD_NONCE_LEN], guint64 seq, guint8 nonce[AEAD_NONCE_LEN])
{
  guint8 s[8];

  put_be64 (s, seq);
  memcpy (nonce, iv, AEAD_NONCE_LEN);
  for (int i = 0; i < 8; i++)
    nonce[AEAD_NONCE_LEN - 8 + i] ^= s[i];
}

/* seq_num + type + version + length: TLS 1.2's additional data (RFC 5246
 * 6.2.3.3) and the head of its MAC input (6.2.3.1). */
static void
pseudo_header (guint8 out[13], guint64 seq, const guint8 *rec_hdr, gsize len)
{
  put_be64 (out, seq);
  out[8] = rec_hdr[0];
  out[9] = rec_hdr[1];
  out[10] = rec_hdr[2];
  out[11] = (guint8) (len >> 8);
  out[12] = (guint8) len;
}

static W4TlsOpen
aead_open (EVP_CIPHER_CTX *ctx, const guint8 nonce[AEAD_NONCE_LEN], const guint8 *aad,
           gsize aad_len, const guint8 *ct, gsize ct_len, const guint8 *tag, guint8 *out)
{
  guint8 t[TAG_LEN];
  int n = 0, fin = 0;

  memcpy (t, tag, TAG_LEN);
  if (EVP_DecryptInit_ex2 (ctx, NULL, NULL, nonce, NULL) != 1 ||
      EVP_DecryptUpdate (ctx, NULL, &n, aad, (int) aad_len) != 1 ||
      (ct_len > 0 && EVP_DecryptUpdate (ctx, out, &n, ct, (int) ct_len) != 1) ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, t) != 1) {
    OPENSSL_cleanse (out, ct_len); /* leave nothing unauthenticated behind */
    return W4_TLS_OPEN_ERROR;
  }
  if (EVP_DecryptFinal_ex (ctx, out + n, &fin) != 1) {
    OPENSSL_cleanse (out, ct_len);
    return W4_TLS_OPEN_BAD_TAG;
  }
  return W4_TLS_OPEN_OK;
}

/* RFC 8446 5.2: opaque_type 23, additional data the record header, the
 * inner type the last non-zero byte of the plaintext. */
static W4TlsOpen
open_tls13 (W4TlsKeys *k, guint64 seq, const guint8 *rec, gsize frag_len, guint8 *out, guint8 *type,
            gsize *plain_len)
{
  guint8 nonce[AEAD_NONCE_LEN];
  gsize ct_len, n;
  W4TlsOpen r;

  if (rec[0] != 23 || frag_len < TAG_LEN + 1)
    return W4_TLS_OPEN_MALFORMED;
  ct_len = frag_len - TAG_LEN;
  xor_nonce (k->iv, seq, nonce);
  r = aead_open (k->cipher, nonce, rec, RECORD_HDR, rec + RECORD_HDR, ct_len,
                 rec + RECORD_HDR + ct_len, out);
  if (r != W4_TLS_OPEN_OK)
    return r;
  for (n = ct_len; n > 0 && out[n - 1] == 0; n--)
    ;
  if (n == 0)
    return W4_TLS_OPEN_MALFORMED; /* RFC 8446 5.4: no content type */
  *type = out[n - 1];
  *plain_len = n - 1;
  return W4_TLS_OPEN_OK;
}

/* RFC 5288 3 (GCM: salt + nonce_explicit), RFC 7905 2 (ChaCha20: IV xor seq). */
static W4TlsOpen
open_tls12_aead (W4TlsKeys *k, guint64 seq, const guint8 *rec, gsize frag_len, guint8 *out,
                 guint8 *type, gsize *plain_len)
{
  const guint8 *frag = rec + RECORD_HDR;
  gboolean gcm = k->suite->cipher != W4_TLS_CIPHER_CHACHA20_POLY1305;
  gsize explicit_len = gcm ? GCM_EXPLICIT_LEN : 0, ct_len;
  guint8 nonce[AEAD_NONCE_LEN], aad[13];
  W4TlsOpen r;

  if (frag_len < explicit_len + TAG_LEN)
    return W4_TLS_OPEN_MALFORMED;
  ct_len = frag_len - explicit_len - TAG_LEN;
  if (gcm) {
    memcpy (nonce, k->iv, GCM_SALT_LEN);
    memcpy (nonce + GCM_SALT_LEN, frag, GCM_EXPLICIT_LEN);
  } else {
    xor_nonce (k->iv, seq, nonce);
  }
  pseudo_header (aad, seq, rec, ct_len);
  r = aead_open (k->cipher, nonce, aad, sizeof aad, frag + explicit_len, ct_len,
                 frag + explicit_len + ct_len, out);
  if (r != W4_TLS_OPEN_OK)
    return r;
  *type = rec[0];
  *plain_len = ct_len;
  return W4_TLS_OPEN_OK;
}

/* HMAC (seq + type + version + length + data), compared in constant time
 * with @want. */
static W4TlsOpen
check_mac (W4TlsKeys *k, guint64 seq, const guint8 *rec, const guint8 *data, gsize len,
           const guint8 *want)
{
  guint8 head[13], mac[EVP_MAX_MD_SIZE];
  gsize mac_len = 0;

  pseudo_header (head, seq, rec, len);
  if (EVP_MAC_init (k->mac, NULL, 0, NULL) != 1 || EVP_MAC_update (k->mac, head, 13) != 1 ||
      (len > 0 && EVP_MAC_update (k->mac, data, len) != 1) ||
      EVP_MAC_final (k->mac, mac, &mac_len, sizeof mac) != 1 || mac_len != k->suite->mac_len)
    return W4_TLS_OPEN_ERROR;
  return CRYPTO_memcmp (mac, want, mac_len) == 0 ? W4_TLS_OPEN_OK : W4_TLS_OPEN_BAD_TAG;
}

static gboolean
cbc_decrypt (EVP_CIPHER_CTX *ctx, const guint8 *iv, const guint8 *ct, gsize len, guint8 *out)
{
  int n = 0, fin = 0;

  return EVP_DecryptInit_ex2 (ctx, NULL, NULL, iv, NULL) == 1 &&
         EVP_DecryptUpdate (ctx, out, &n, ct, (int) len) == 1 && (gsize) n == len &&
         EVP_DecryptFinal_ex (ctx, out + n, &fin) == 1;
}

/* The length of @p (@len bytes, decrypted) without its TLS padding
 * (RFC 5246 6.2.3.2: padding_length + 1 bytes, all equal to padding_length)
 * and @keep bytes before it, or -1 when the padding is wrong. */
static gssize
strip_padding (const guint8 *p, gsize len, gsize keep)
{
  guint pad = p[len - 1];
  guint8 bad = 0;

  if ((gsize) pad + 1 + keep > len)
    return -1;
  for (gsize i = len - 1 - pad; i < len; i++)
    bad |= p[i] ^ (guint8) pad;
  return bad ? -1 : (gssize) (len - 1 - pad);
}

/* RFC 5246 6.2.3.2 (MAC-then-encrypt) and RFC 7366 (encrypt-then-MAC);
 * RFC 2246 6.2.3.2 for TLS 1.0's chained IV. */
static W4TlsOpen
open_cbc (W4TlsKeys *k, guint64 seq, const guint8 *rec, gsize frag_len, guint8 *out, guint8 *type,
          gsize *plain_len)
{
  const guint8 *frag = rec + RECORD_HDR;
  gsize mac_len = k->suite->mac_len;
  gsize explicit_len = k->version >= 0x0302 ? CBC_BLOCK : 0;
  gsize body_len = k->etm ? frag_len - MIN (frag_len, mac_len) : frag_len;
  gsize enc_len,
      min_enc = k->etm ? CBC_BLOCK : (mac_len + 1 + CBC_BLOCK - 1) / CBC_BLOCK * CBC_BLOCK;
  guint8 iv[CBC_BLOCK];
  gssize content;
  W4TlsOpen r;

  if (frag_len < mac_len || body_len < explicit_len)
    return W4_TLS_OPEN_MALFORMED;
  enc_len = body_len - explicit_len;
  if (enc_len < min_enc || enc_len % CBC_BLOCK != 0)
    return W4_TLS_OPEN_MALFORMED;
  memcpy (iv, explicit_len > 0 ? frag : k->iv, CBC_BLOCK);
  if (explicit_len == 0) /* TLS 1.0: the next record's IV, whatever this one holds */
    memcpy (k->iv, frag + body_len - CBC_BLOCK, CBC_BLOCK);
  if (k->etm) {
    r = check_mac (k, seq, rec, frag, body_len, frag + body_len);
    if (r != W4_TLS_OPEN_OK)
      return r;
  }
  if (!cbc_decrypt (k->cipher, iv, frag + explicit_len, enc_len, out)) {
    OPENSSL_cleanse (out, enc_len);
    return W4_TLS_OPEN_ERROR;
  }
  content = strip_padding (out, enc_len, k->etm ? 0 : mac_len);
  if (content < 0) {
    OPENSSL_cleanse (out, enc_len);
    return W4_TLS_OPEN_BAD_TAG;
  }
  if (!k->etm) {
    content -= (gssize) mac_len;
    r = check_mac (k, seq, rec, out, (gsize) content, out + content);
    if (r != W4_TLS_OPEN_OK) {
      OPENSSL_cleanse (out, enc_len);
      return r;
    }
  }
  *type = rec[0];
  *plain_len = (gsize) content;
  return W4_TLS_OPEN_OK;
}

W4TlsOpen
w4_tls_keys_decrypt (W4TlsKeys *k, const guint8 *rec, gsize len, guint8 *out, gsize out_cap,
                     guint8 *type, gsize *plain_len)
{
  gsize frag_len;
  guint64 seq;

  *type = 0;
  *plain_len = 0;
  if (len < RECORD_HDR || (gsize) (rec[3] << 8 | rec[4]) != len - RECORD_HDR) {
    k->seq++;
    return W4_TLS_OPEN_MALFORMED;
  }
  frag_len = len - RECORD_HDR;
  /* over the protocol's bound before NO_ROOM: a buffer of that bound is
   * never the caller's fault */
  if (frag_len > (k->version == 0x0304 ? W4_TLS13_CIPHERTEXT_MAX : W4_TLS_CIPHERTEXT_MAX)) {
    k->seq++;
    return W4_TLS_OPEN_MALFORMED;
  }
  if (out_cap < frag_len)
    return W4_TLS_OPEN_NO_ROOM;
  seq = k->seq++;
  if (k->version == 0x0304)
    return open_tls13 (k, seq, rec, frag_len, out, type, plain_len);
  if (is_aead (k->suite))
    return open_tls12_aead (k, seq, rec, frag_len, out, type, plain_len);
  return open_cbc (k, seq, rec, frag_len, out, type, plain_len);
}

const char *
w4_tls_open_name (W4TlsOpen r)
{
  switch (r) {
  case W4_TLS_OPEN_OK:
    return "ok";
  case W4_TLS_OPEN_BAD_TAG:
    return "bad-tag";
  case W4_TLS_OPEN_MALFORMED:
    return "malformed";
  case W4_TLS_OPEN_NO_ROOM:
    return "no-room";
  case W4_TLS_OPEN_ERROR:
    break;
  }
  return "error";
}
