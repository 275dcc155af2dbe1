/* tls-crypto.h: TLS record protection undone, with OpenSSL 3.
 *
 * A pure building block for the TLS layer (tls.c): no packet parsing, no
 * I/O. Given the secrets a key log names, it derives the record keys and
 * opens records:
 *
 *   TLS 1.3  a traffic secret (CLIENT_HANDSHAKE_TRAFFIC_SECRET ...,
 *            CLIENT_TRAFFIC_SECRET_0 ...) and the ServerHello's cipher suite
 *            -> key and iv by HKDF-Expand-Label (RFC 8446 7.1, 7.3); the
 *            per-record nonce from the sequence number (5.3); the inner
 *            content type found past the padding (5.2, 5.4); KeyUpdate's
 *            next secret (7.2).
 *   TLS 1.0-1.2  the master secret (CLIENT_RANDOM line) and both randoms
 *            -> the key block by the TLS PRF (RFC 5246 5, 6.3; RFC 2246 5
 *            for MD5/SHA-1), AES-GCM (RFC 5288), ChaCha20-Poly1305 (RFC
 *            7905), AES-CBC with HMAC (RFC 5246 6.2.3.2, explicit IVs from
 *            1.1 on), encrypt-then-MAC when negotiated (RFC 7366).
 *
 * What the TLS layer does per connection and per record:
 *
 *   once per dissector   c = w4_tls_crypto_new ()   (algorithms fetched once)
 *   ServerHello          s = w4_tls_suite_find (cipher_suite); NULL: say the
 *                        connection cannot be decrypted (unsupported suite)
 *   keys known, 1.3      k = w4_tls13_keys_new (c, s, secret, len) per
 *                        direction, for the handshake secret, then again for
 *                        the application secret after the Finished
 *   keys known, 1.2      w4_tls12_keys_new (c, s, version, etm, master,
 *                        client_random, server_random, &cw, &sw) at the
 *                        direction's ChangeCipherSpec
 *   each protected record  w4_tls_keys_decrypt (k, record, len, out, cap,
 *                        &type, &plain_len): the whole record, header
 *                        included, as reassembled from TCP
 *   KeyUpdate (1.3)      w4_tls13_keys_update (c, k) after the KeyUpdate
 *                        message of that direction
 *   end of the flow      w4_tls_keys_free (k)
 *
 * Failures: a record is either opened (W4_TLS_OPEN_OK) or not, and a record
 * that is not opened is never parsed. W4_TLS_OPEN_BAD_TAG is the one to
 * count as "failed its tag/MAC" (wrong keys: another session's key log, or
 * damaged bytes); W4_TLS_OPEN_MALFORMED is a record whose length cannot
 * hold the suite's framing. The sequence number advances for every record
 * passed (the sender counted it too), except W4_TLS_OPEN_NO_ROOM, which
 * leaves everything as it was so the call can be repeated.
 *
 * Memory: keys live in fixed-size arrays inside W4TlsKeys (cleansed when
 * freed); one cipher context and, for CBC suites, one HMAC context are
 * made per direction when its keys are set, and a record is opened with
 * no allocation of ours: the plaintext goes into the caller's buffer. (The
 * AEAD and CBC paths allocate nothing in OpenSSL either; HMAC does, two
 * small blocks per record: OpenSSL 3.0 re-keys an HMAC by copying digest
 * contexts, and no EVP call avoids that.) Every length is checked before a
 * byte is read or written. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TLSCiphertext.length may be at most 2^14 + 2048 (RFC 5246 6.2.3) and, in
 * TLS 1.3, 2^14 + 256 (RFC 8446 5.2): a longer record is refused unread. An
 * output buffer of W4_TLS_CIPHERTEXT_MAX bytes opens any record accepted;
 * so does one of the record's own fragment length. */
#define W4_TLS_CIPHERTEXT_MAX (16384 + 2048)
#define W4_TLS13_CIPHERTEXT_MAX (16384 + 256)
/* The longest secret any supported suite uses (SHA-384). */
#define W4_TLS_SECRET_MAX 48
/* TLS 1.0-1.2 master secret and hello random sizes (RFC 5246 8.1, 7.4.1.2). */
#define W4_TLS_MASTER_LEN 48
#define W4_TLS_RANDOM_LEN 32

typedef enum {
  W4_TLS_HASH_SHA256,
  W4_TLS_HASH_SHA384,
} W4TlsHash;

typedef enum {
  W4_TLS_CIPHER_AES_128_GCM,
  W4_TLS_CIPHER_AES_256_GCM,
  W4_TLS_CIPHER_CHACHA20_POLY1305,
  W4_TLS_CIPHER_AES_128_CBC,
  W4_TLS_CIPHER_AES_256_CBC,
  W4_TLS_CIPHER_N
} W4TlsCipher;

typedef enum {
  W4_TLS_MAC_AEAD, /* no separate MAC: the AEAD tag */
  W4_TLS_MAC_SHA1,
  W4_TLS_MAC_SHA256,
  W4_TLS_MAC_SHA384,
} W4TlsMac;

/* One row of the cipher suite table (static data). */
typedef struct {
  guint16 id;       /* the IANA number, as in ServerHello.cipher_suite */
  const char *name; /* its IANA name */
  gboolean tls13;   /* a TLS 1.3 suite (0x13xx): usable with 1.3 only */
  W4TlsCipher cipher;
  W4TlsMac mac;
  W4TlsHash hash;      /* 1.3: HKDF's hash; 1.2: the PRF's (1.0/1.1: MD5+SHA-1) */
  guint8 key_len;      /* encryption key bytes */
  guint8 fixed_iv_len; /* key block IV bytes: 4 GCM salt, 12 ChaCha20/1.3, 16 CBC (1.0 only) */
  guint8 mac_len;      /* HMAC key and tag bytes; 0 for AEAD */
} W4TlsSuite;

/* (transfer none) The row of @id, or NULL when why401 cannot decrypt it
 * (unknown, export, RC4, 3DES, CCM, NULL ciphers ...). */
const W4TlsSuite *w4_tls_suite_find (guint16 id);
/* (transfer none) The whole table, @n rows (for tests and --help text). */
const W4TlsSuite *w4_tls_suite_table (gsize *n);

/* The algorithms, fetched once (run lifetime; one per dissector). */
typedef struct _W4TlsCrypto W4TlsCrypto;

/* (transfer full) NULL when OpenSSL lacks one of the algorithms (a build
 * without the default provider): TLS is then not decrypted. */
W4TlsCrypto *w4_tls_crypto_new (void);
void w4_tls_crypto_free (W4TlsCrypto *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4TlsCrypto, w4_tls_crypto_free)

/* One direction's record protection (flow lifetime). */
typedef struct _W4TlsKeys W4TlsKeys;

/* (transfer full) TLS 1.3 keys of one direction from its traffic secret
 * (@len must be the suite's hash length: 32, or 48 for SHA-384), sequence
 * number 0. NULL when @suite is not a TLS 1.3 suite or @len is wrong. */
W4TlsKeys *w4_tls13_keys_new (W4TlsCrypto *c, const W4TlsSuite *suite, const guint8 *secret,
                              gsize len);
/* KeyUpdate (RFC 8446 4.6.3, 7.2): the next traffic secret of @k's
 * direction, its key and iv, sequence number 0. FALSE (keys unchanged)
 * only when @k is not TLS 1.3 or OpenSSL fails. */
gboolean w4_tls13_keys_update (W4TlsCrypto *c, W4TlsKeys *k);

/* TLS 1.0 (0x0301), 1.1 (0x0302) or 1.2 (0x0303) keys of both directions
 * from the master secret (@master_len must be 48) and the hello randoms,
 * sequence numbers 0. @etm: the encrypt_then_mac extension was negotiated
 * (RFC 7366; it only changes CBC suites). FALSE, nothing set, when the
 * suite is TLS 1.3's, needs TLS 1.2 (AEAD or SHA-256/384 MACs) with an
 * older @version, or a length is wrong. */
gboolean w4_tls12_keys_new (W4TlsCrypto *c, const W4TlsSuite *suite, guint16 version, gboolean etm,
                            const guint8 *master, gsize master_len,
                            const guint8 client_random[W4_TLS_RANDOM_LEN],
                            const guint8 server_random[W4_TLS_RANDOM_LEN], W4TlsKeys **client_write,
                            W4TlsKeys **server_write);

void w4_tls_keys_free (W4TlsKeys *k);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4TlsKeys, w4_tls_keys_free)

/* The sequence number the next record will be opened with. */
guint64 w4_tls_keys_seq (const W4TlsKeys *k);
/* Sets it: for a caller that tries keys it is not sure of (trial
 * decryption, a record of unknown epoch) and rewinds after a BAD_TAG. */
void w4_tls_keys_set_seq (W4TlsKeys *k, guint64 seq);

typedef enum {
  W4_TLS_OPEN_OK,        /* *type and *plain_len set; the plaintext is in out */
  W4_TLS_OPEN_BAD_TAG,   /* the tag, MAC or CBC padding failed: count it, do
                          * not parse (out is wiped) */
  W4_TLS_OPEN_MALFORMED, /* the header's length disagrees with @len, the record
                          * is too short or too long for the suite, not a
                          * block multiple, TLS 1.3 with an outer type other
                          * than 23 or an inner plaintext of only zeros */
  W4_TLS_OPEN_NO_ROOM,   /* @out_cap is smaller than the fragment: nothing done */
  W4_TLS_OPEN_ERROR,     /* OpenSSL failed: nothing known about the record */
} W4TlsOpen;

/* Opens one protected record: @rec is the whole TLSCiphertext (5-byte header
 * and fragment, @len bytes; (transfer none), packet lifetime). The
 * plaintext, its padding (1.3) or MAC and padding (CBC) removed, goes to
 * @out (@out_cap bytes, not overlapping @rec; rec's fragment length always
 * suffices); *type is the content type (1.3: the inner one; else the
 * header's) and *plain_len the plaintext's length. Every result but NO_ROOM
 * advances the sequence number. */
W4TlsOpen w4_tls_keys_decrypt (W4TlsKeys *k, const guint8 *rec, gsize len, guint8 *out,
                               gsize out_cap, guint8 *type, gsize *plain_len);
/* A short name for @r ("ok", "bad-tag", ...), for logs and tests. */
const char *w4_tls_open_name (W4TlsOpen r);

/* The derivations themselves, exposed for the tests against published
 * vectors. */

/* HKDF-Expand-Label (RFC 8446 7.1): @out_len bytes from @secret with
 * "tls13 " + @label and @context. FALSE when a length is out of range
 * (label over 249 bytes, context over 255, out_len over 255 * hash). */
gboolean w4_tls13_expand_label (W4TlsCrypto *c, W4TlsHash hash, const guint8 *secret,
                                gsize secret_len, const char *label, const guint8 *context,
                                gsize context_len, guint8 *out, gsize out_len);
/* The TLS PRF (RFC 5246 5) with @hash, or for TLS 1.0/1.1 (@legacy) RFC
 * 2246's MD5 xor SHA-1 (then @hash is ignored): @out_len bytes from
 * @secret, @label and @seed. FALSE when OpenSSL fails. */
gboolean w4_tls_prf (W4TlsCrypto *c, gboolean legacy, W4TlsHash hash, const guint8 *secret,
                     gsize secret_len, const char *label, const guint8 *seed, gsize seed_len,
                     guint8 *out, gsize out_len);

G_END_DECLS
