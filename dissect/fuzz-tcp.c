/* fuzz-tcp.c: libFuzzer target for TCP reassembly (tcp-reasm.c, with
 * tcp-number.c and flow.c), fed as dissect is fed: segments of one
 * connection 10.0.0.1:40000 <-> 10.0.0.2:80 whose flags, sequence numbers
 * and timestamps the input chooses, so that out of order, overlapping,
 * retransmitted, gapped, reset and reused connections all happen; what
 * is reassembled goes on to HTTP/1.
 *
 * The first byte picks small limits (out-of-order segments, reassembly
 * bytes, gap connections, flows). Then records of 7 bytes and a payload:
 *   [0]    bit 7: from the server; bits 0-5: TCP flags (FIN 1, SYN 2,
 *          RST 4, PSH 8, ACK 16, URG 32)
 *   [1-4]  added to the direction's next expected sequence number (0: in
 *          order; big endian, so 0x80000000 is half the space away)
 *   [5]    signed time step in milliseconds (negative: backwards)
 *   [6]    payload length (cut to what the input has left)
 * Nothing is checked but what dissect.h promises and that nothing crashes,
 * leaks or reads out of bounds. Run e.g.:
 *   build-fuzz/tests/fuzz-tcp -dict=tests/fuzz/http.dict -max_len=4096 CORPUS */
#include "fuzz-dissect.h"

#define W4_FZ_TCP_RECORD 7

static const W4FuzzLimit tcp_limits[] = {
  { W4_LIMIT_OOO_SEGMENTS, 2 },    { W4_LIMIT_REASM_BYTES, 256 },
  { W4_LIMIT_GAP_CONNECTIONS, 1 }, { W4_LIMIT_FLOWS, 1 },
};

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Moves @ts by @step_ms milliseconds, not before 0. */
static void
w4_fz_step (W4Time *ts, gint8 step_ms)
{
  gint64 ns = ts->sec * G_GINT64_CONSTANT (1000000000) + ts->nsec + (gint64) step_ms * 1000000;

  if (ns < 0)
    ns = 0;
  ts->sec = ns / 1000000000;
  ts->nsec = (guint32) (ns % 1000000000);
}

static void
tcp_feed (W4FzConn *conn, const guint8 *p, gsize size)
{
  guint32 next[2] = { 1000, 5000 }; /* [0] client, [1] server */
  W4Time ts = { 1000, 0 };
  gsize i = 1;

  while (size - i >= W4_FZ_TCP_RECORD) {
    const guint8 *r = p + i;
    int dir = (r[0] & 0x80) != 0;
    gsize n = MIN ((gsize) r[6], size - i - W4_FZ_TCP_RECORD);
    W4FzSegment s = { dir, (guint8) (r[0] & 0x3f), next[dir] + get32 (r + 1), next[!dir], ts };

    w4_fz_step (&ts, (gint8) r[5]);
    s.ts = ts;
    w4_fz_segment (conn, &s, r + W4_FZ_TCP_RECORD, n);
    /* What the sender would send next: SYN and FIN take one number. */
    next[dir] = s.seq + (guint32) n + ((s.flags & 0x03) != 0);
    i += W4_FZ_TCP_RECORD + n;
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  return w4_fz_run (data, size, tcp_limits, G_N_ELEMENTS (tcp_limits), tcp_feed);
}
