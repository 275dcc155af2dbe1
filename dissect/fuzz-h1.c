/* fuzz-h1.c: libFuzzer target for the HTTP/1 glue over llhttp (h1.c, and
 * llhttp itself, both instrumented in the fuzz build), fed as dissect is
 * fed: one TCP connection to port 80 after a clean handshake, its two
 * directions' bytes cut into segments where the input says.
 *
 * The first byte picks small limits (headers, header bytes, body kept,
 * pending requests, Authorization bytes) so that every limit's path runs;
 * then records of one byte (bit 7: from the server, bits 0-6: payload
 * length) and that many payload bytes, each one TCP segment, in order.
 * Nothing is checked but what dissect.h promises and that nothing crashes,
 * leaks or reads out of bounds (the sink reads every span). Run e.g.:
 *   build-fuzz/tests/fuzz-h1 -dict=tests/fuzz/http.dict -max_len=4096 CORPUS */
#include "fuzz-dissect.h"

static const W4FuzzLimit h1_limits[] = {
  { W4_LIMIT_HEADERS, 2 },           { W4_LIMIT_HEADER_BYTES, 64 },
  { W4_LIMIT_BODY_KEEP, 16 },        { W4_LIMIT_PENDING_REQ, 1 },
  { W4_LIMIT_AUTH_HEADER_BYTES, 32 },
};

static void
h1_feed (W4FzConn *conn, const guint8 *p, gsize size)
{
  W4FzSegment syn = { FALSE, 0x02, 1000, 0, { 1000, 0 } };
  W4FzSegment synack = { TRUE, 0x12, 5000, 1001, { 1000, 1000 } };
  guint32 next[2] = { 1001, 5001 }; /* [0] client, [1] server */
  gsize i = 1;

  w4_fz_segment (conn, &syn, NULL, 0);
  w4_fz_segment (conn, &synack, NULL, 0);
  while (i < size) {
    int dir = (p[i] & 0x80) != 0;
    gsize n = MIN ((gsize) (p[i] & 0x7f), size - i - 1);
    W4FzSegment s = { dir, 0x18, next[dir], next[!dir], { 1000, (guint32) (conn->frame + 1) * 1000u } };

    i++;
    w4_fz_segment (conn, &s, p + i, n);
    next[dir] += (guint32) n;
    i += n;
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  return w4_fz_run (data, size, h1_limits, G_N_ELEMENTS (h1_limits), h1_feed);
}
