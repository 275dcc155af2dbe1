/* fuzz-h2.c: libFuzzer target for the HTTP/2 frame path (h2.c, HPACK
 * through h2-hpack.c), fed as dissect is fed: one TCP connection whose
 * client starts with the connection preface. The first byte picks small
 * limits (frame bytes, header block, decoded bytes, streams, table size)
 * so that every limit's path runs; then records of one byte (bit 7: from
 * the server, bits 0-6: payload length) and that many payload bytes, each
 * one TCP segment in order. Events go to a sink that reads every field of
 * what it gets (so AddressSanitizer sees a bad span). */
#include "fuzz.h"

#include "dissect.h"

static guint64 touched;

static void
touch_span (W4Span s)
{
  for (gsize i = 0; i < s.len; i++)
    touched += s.ptr[i];
}

static void
f_open (void *user, const W4ConnInfo *c, const W4FrameInfo *fi)
{
  (void) user;
  (void) c;
  (void) fi;
}

static void
f_close (void *user, const W4ConnInfo *c, W4CloseReason why, guint64 frame, W4Time ts)
{
  (void) user;
  (void) c;
  (void) why;
  (void) frame;
  (void) ts;
}

static void
f_head (void *user, const W4HttpHead *h)
{
  (void) user;
  touch_span (h->method);
  touch_span (h->target);
  touch_span (h->reason);
  for (guint i = 0; i < h->n_headers; i++) {
    touch_span (h->headers[i].name);
    touch_span (h->headers[i].value);
  }
  g_assert (h->proto != W4_HTTP_2 || h->h2_stream % 2 == 1);
}

static void
f_body (void *user, const W4HttpBody *b)
{
  (void) user;
  touch_span (b->prefix);
}

static void
f_anomaly (void *user, const W4Anomaly *a)
{
  (void) user;
  (void) a;
}

static void
f_reset (void *user, const W4H2Reset *r)
{
  (void) user;
  touched += r->error_code;
}

static void
segment (W4Dissect *dis, guint64 *frame, gboolean from_server, guint16 flags, guint32 seq,
         guint32 ack, const guint8 *payload, gsize len)
{
  guint8 *buf = g_malloc (20 + len);
  W4FrameInfo fi = { 0 };
  W4IpPacket pkt = { 0 };
  guint16 sport = from_server ? 80 : 40000, dport = from_server ? 40000 : 80;

  memset (buf, 0, 20);
  buf[0] = (guint8) (sport >> 8);
  buf[1] = (guint8) sport;
  buf[2] = (guint8) (dport >> 8);
  buf[3] = (guint8) dport;
  for (int i = 0; i < 4; i++) {
    buf[4 + i] = (guint8) (seq >> (24 - 8 * i));
    buf[8 + i] = (guint8) (ack >> (24 - 8 * i));
  }
  buf[12] = 5 << 4;
  buf[13] = (guint8) flags;
  buf[14] = buf[15] = 0xff;
  if (len > 0)
    memcpy (buf + 20, payload, len);
  fi.frame = fi.file_frame = ++*frame;
  fi.ts.sec = 1000;
  fi.ts.nsec = (guint32) *frame;
  fi.caplen = fi.wirelen = (guint32) (20 + len);
  pkt.fi = &fi;
  pkt.src.family = pkt.dst.family = 4;
  pkt.src.a[0] = pkt.dst.a[0] = 10;
  pkt.src.a[3] = from_server ? 2 : 1;
  pkt.dst.a[3] = from_server ? 1 : 2;
  pkt.proto = 6;
  pkt.l4 = buf;
  pkt.l4_len = pkt.l4_claimed = 20 + len;
  w4_dis_frame (dis, &fi);
  w4_dis_ip (dis, &pkt);
  g_free (buf);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  W4FuzzInput in = w4_fuzz_input (data, size);
  const guint8 *p = (const guint8 *) in.bytes;
  W4Sink sink = { f_open, f_close, f_head, f_head, f_body, f_anomaly, NULL, NULL, f_reset, NULL,
                  NULL };
  W4Limits limits;
  W4Dissect *dis;
  guint64 frame = 0;
  guint32 cseq = 1001, sseq = 5001;
  gsize i = 1;

  if (size == 0) {
    w4_fuzz_input_clear (&in);
    return 0;
  }
  w4_limits_init (&limits);
  if (p[0] & 1)
    limits.v[W4_LIMIT_H2_FRAME_BYTES] = 64;
  if (p[0] & 2)
    limits.v[W4_LIMIT_H2_HEADER_BLOCK] = 64;
  if (p[0] & 4)
    limits.v[W4_LIMIT_H2_DECODED_BYTES] = 32;
  if (p[0] & 8)
    limits.v[W4_LIMIT_H2_STREAMS] = 2;
  if (p[0] & 16)
    limits.v[W4_LIMIT_H2_HPACK_TABLE] = 256;
  if (p[0] & 32)
    limits.v[W4_LIMIT_HEADERS] = 2;
  dis = w4_dis_new (&limits, &sink);
  segment (dis, &frame, FALSE, 0x02, 1000, 0, NULL, 0);
  segment (dis, &frame, TRUE, 0x12, 5000, 1001, NULL, 0);
  segment (dis, &frame, FALSE, 0x18, cseq, sseq, (const guint8 *) preface, 24);
  cseq += 24;
  while (i < size) {
    gboolean from_server = (p[i] & 0x80) != 0;
    gsize n = MIN ((gsize) (p[i] & 0x7f), size - i - 1);
    i++;
    if (from_server) {
      segment (dis, &frame, TRUE, 0x18, sseq, cseq, p + i, n);
      sseq += (guint32) n;
    } else {
      segment (dis, &frame, FALSE, 0x18, cseq, sseq, p + i, n);
      cseq += (guint32) n;
    }
    i += n;
  }
  w4_dis_finish (dis);
  w4_dis_free (dis);
  w4_fuzz_input_clear (&in);
  return 0;
}
