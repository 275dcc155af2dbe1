/* fuzz-ipfrag.c: libFuzzer target for IP fragment reassembly (ipfrag.c):
 * a sequence of fragments of up to 4 datagrams, IPv4 or IPv6, overlapping,
 * duplicated, out of order, too big or too old, as the input says.
 *
 * The first byte picks small limits (bit 0: datagram bytes, bit 1:
 * datagrams in progress). Then records of 5 bytes and the fragment's data:
 *   [0]    bits 0-1: which datagram (its source address), bit 2: More
 *          Fragments, bit 3: IPv6 (32-bit identification)
 *   [1-2]  offset in 8-byte units, big endian (as IPv4 stores it)
 *   [3]    signed time step in seconds (partial datagrams older than 30 s
 *          are dropped)
 *   [4]    data length (cut to what the input has left)
 * A completed datagram must hold its pieces in order, inside it; its bytes
 * are read. Seeds: the fragments of pcaps/link-ipv*-fragments.pcap
 * (tests/fuzz-seeds.py). Run e.g.:
 *   build-fuzz/tests/fuzz-ipfrag -max_len=4096 CORPUS */
#include "fuzz.h"

#include "ipfrag-private.h"

#define W4_FZ_FRAG_RECORD 5

static guint64 touched;

static const W4FuzzLimit frag_limits[] = {
  { W4_LIMIT_FRAG_BYTES, 64 }, { W4_LIMIT_FRAG_DATAGRAMS, 1 },
};

static void
w4_fz_frag_key (W4FragKey *key, guint8 ctl)
{
  memset (key, 0, sizeof *key);
  key->src.family = key->dst.family = (ctl & 8) ? 6 : 4;
  key->src.a[0] = key->dst.a[0] = 10;
  key->src.a[3] = (guint8) (1 + (ctl & 3));
  key->dst.a[3] = 200;
  key->id = (ctl & 8) ? 0x12345678u : 0x1234u;
  key->proto = 6;
}

static void
w4_fz_frag_check (const W4FragDone *done)
{
  for (guint i = 0; i < done->n_pieces; i++) {
    g_assert (done->pieces[i].offset <= done->len);
    g_assert (i == 0 || done->pieces[i - 1].offset <= done->pieces[i].offset);
  }
  for (gsize i = 0; i < done->len; i++)
    touched += done->data[i];
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4Limits limits;
  W4FragTable *t;
  W4Time ts = { 1000, 0 };
  gsize i = 1;
  guint64 frame = 0;

  if (size == 0)
    return 0;
  w4_fuzz_limits (&limits, data[0], frag_limits, G_N_ELEMENTS (frag_limits));
  t = w4_frag_table_new (&limits);
  while (size - i >= W4_FZ_FRAG_RECORD) {
    const guint8 *r = data + i;
    gsize n = MIN ((gsize) r[4], size - i - W4_FZ_FRAG_RECORD);
    /* An exactly sized copy: a read past the fragment is caught. */
    guint8 *piece = g_memdup2 (r + W4_FZ_FRAG_RECORD, n);
    W4FragKey key;
    W4FragDone done = { 0 };
    W4LimitId hit = W4_LIMIT_COUNT;

    w4_fz_frag_key (&key, r[0]);
    ts.sec = MAX (0, ts.sec + (gint8) r[3]);
    if (w4_frag_add (t, &key, ts, ++frame, ((guint32) r[1] << 8 | r[2]) * 8u, (r[0] & 4) != 0,
                     piece, n, &done, &hit)) {
      w4_fz_frag_check (&done);
      w4_frag_done_clear (&done);
    }
    g_free (piece);
    i += W4_FZ_FRAG_RECORD + n;
  }
  g_assert (w4_frag_table_size (t) <= MAX (limits.v[W4_LIMIT_FRAG_DATAGRAMS], 1));
  w4_frag_table_free (t);
  return 0;
}
