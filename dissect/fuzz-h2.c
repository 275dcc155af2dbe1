/* fuzz-h2.c: libFuzzer target for the HTTP/2 frame path (h2.c, HPACK
 * through h2-hpack.c), fed as dissect is fed: one TCP connection whose
 * client starts with the connection preface. The first byte picks small
 * limits (frame bytes, header block, decoded bytes, streams, table size)
 * so that every limit's path runs; then records of one byte (bit 7: from
 * the server, bits 0-6: payload length) and that many payload bytes, each
 * one TCP segment in order. Events go to a sink that reads every field of
 * what it gets (so AddressSanitizer sees a bad span). */
#include "fuzz-dissect.h"

/* One in-order segment of the connection; frames 1 ms apart. */
static void
segment (W4FzConn *c, gboolean from_server, guint8 flags, guint32 seq, guint32 ack,
         const guint8 *payload, gsize len)
{
  W4FzSegment s = { from_server, flags, seq, ack, { 1000, (guint32) (c->frame + 1) * 1000000u } };

  w4_fz_segment (c, &s, payload, len);
}

static const W4FuzzLimit h2_limits[] = {
  { W4_LIMIT_H2_FRAME_BYTES, 64 },   { W4_LIMIT_H2_HEADER_BLOCK, 64 },
  { W4_LIMIT_H2_DECODED_BYTES, 32 }, { W4_LIMIT_H2_STREAMS, 2 },
  { W4_LIMIT_H2_HPACK_TABLE, 256 },  { W4_LIMIT_HEADERS, 2 },
};

static void
h2_feed (W4FzConn *conn, const guint8 *p, gsize size)
{
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  guint32 cseq = 1001, sseq = 5001;
  gsize i = 1;

  segment (conn, FALSE, 0x02, 1000, 0, NULL, 0);
  segment (conn, TRUE, 0x12, 5000, 1001, NULL, 0);
  segment (conn, FALSE, 0x18, cseq, sseq, (const guint8 *) preface, 24);
  cseq += 24;
  while (i < size) {
    gboolean from_server = (p[i] & 0x80) != 0;
    gsize n = MIN ((gsize) (p[i] & 0x7f), size - i - 1);
    i++;
    if (from_server) {
      segment (conn, TRUE, 0x18, sseq, cseq, p + i, n);
      sseq += (guint32) n;
    } else {
      segment (conn, FALSE, 0x18, cseq, sseq, p + i, n);
      cseq += (guint32) n;
    }
    i += n;
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  return w4_fz_run (data, size, h2_limits, G_N_ELEMENTS (h2_limits), h2_feed);
}
