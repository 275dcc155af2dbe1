/* fuzz-tls.c: libFuzzer target for the TLS layer (tls.c, tls-hello.c) fed
 * through the dissector, as TCP segments, with a fixed key store that holds
 * the secrets of the real TLS 1.3 session in test-tls-session.h (the first
 * connection of pcaps/tls13-basic-auth.pcap) and a TLS 1.2 master secret
 * for a client random of 32 bytes 0xa5.
 *
 * The first input byte chooses:
 *   even  the real session, damaged by the rest of the input: each 4 bytes
 *         (packet, offset high, offset low, value) xor one byte of one
 *         packet, or with value 0 cut the capture there (the later packets
 *         are not sent); the byte's upper bits cut every packet into
 *         segments of that many bytes (0: whole). Random damage reaches
 *         record reassembly, decryption with real keys and what follows a
 *         failed tag.
 *   odd   raw segments: each [direction byte][length, 2 bytes][bytes] is one
 *         segment from the client (even direction byte) or the server; with
 *         the 0xa5 random a ClientHello makes the TLS 1.2 key block path run.
 * Nothing is checked but that nothing crashes, leaks or reads out of
 * bounds (run under the sanitizers). */
#include "test-util.h"
#include "tls-keylog.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  int from; /* 1: client, 2: server */
  gsize len;
  const char *data;
} TSessionPacket;

#include "test-tls-session.h"

static const char fuzz_tls12_keys[] =
  "CLIENT_RANDOM a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 "
  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n";

/* Sends @n bytes from @from in segments of @piece bytes (0: one). */
static void
send_bytes (TRec *r, guint32 seq[3], int from, const guint8 *p, gsize n, gsize piece)
{
  guint16 sport = from == 1 ? 40000 : 443, dport = from == 1 ? 443 : 40000;

  for (gsize off = 0; off < n;) {
    gsize k = piece == 0 ? n - off : MIN (piece, n - off);
    t_seg (r, from, sport, dport, T_ACK | T_PSH, seq[from], seq[3 - from],
           (const char *) p + off, k);
    seq[from] += (guint32) k;
    off += k;
  }
}

static void
damaged_session (TRec *r, guint32 seq[3], guint8 mode, const guint8 *ops, gsize n_ops)
{
  gsize piece = mode >> 1;
  guint n = G_N_ELEMENTS (t_session);
  guint8 *copy[G_N_ELEMENTS (t_session)];
  gsize len[G_N_ELEMENTS (t_session)];
  guint stop = n;

  for (guint i = 0; i < n; i++) {
    copy[i] = g_memdup2 (t_session[i].data, t_session[i].len);
    len[i] = t_session[i].len;
  }
  for (gsize o = 0; o + 4 <= n_ops; o += 4) {
    guint i = ops[o] % n;
    gsize at;
    if (len[i] == 0)
      continue; /* already cut to nothing */
    at = ((gsize) ops[o + 1] << 8 | ops[o + 2]) % len[i];
    if (ops[o + 3] == 0) {
      len[i] = at; /* the capture ends inside this packet */
      stop = MIN (stop, i + 1);
    } else {
      copy[i][at] ^= ops[o + 3];
    }
  }
  for (guint i = 0; i < stop; i++)
    send_bytes (r, seq, t_session[i].from, copy[i], len[i], piece);
  for (guint i = 0; i < n; i++)
    g_free (copy[i]);
}

static void
raw_segments (TRec *r, guint32 seq[3], const guint8 *p, gsize n)
{
  gsize i = 0;

  while (i + 3 <= n) {
    int from = (p[i] & 1) ? 2 : 1;
    gsize k = MIN ((gsize) p[i + 1] << 8 | p[i + 2], n - i - 3);
    send_bytes (r, seq, from, p + i + 3, k, 0);
    i += 3 + k;
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static W4Keylog *kl;
  guint32 seq[3] = { 0, 101, 501 };
  TRec r;

  if (kl == NULL) {
    kl = w4_keylog_new (16, NULL, NULL);
    w4_keylog_add_text (kl, "fuzz", (const guint8 *) t_session_keys, strlen (t_session_keys));
    w4_keylog_add_text (kl, "fuzz", (const guint8 *) fuzz_tls12_keys, strlen (fuzz_tls12_keys));
  }
  if (size == 0)
    return 0;
  t_rec_init (&r);
  w4_dis_set_keylog (r.dis, kl);
  t_seg (&r, 1, 40000, 443, T_SYN, 100, 0, NULL, 0);
  t_seg (&r, 2, 443, 40000, T_SYN | T_ACK, 500, 101, NULL, 0);
  t_seg (&r, 1, 40000, 443, T_ACK, 101, 501, NULL, 0);
  if ((data[0] & 1) == 0)
    damaged_session (&r, seq, data[0], data + 1, size - 1);
  else
    raw_segments (&r, seq, data + 1, size - 1);
  w4_dis_finish (r.dis);
  t_rec_clear (&r);
  return 0;
}
