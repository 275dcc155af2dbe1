/* fuzz-dissect.c: the sink and segment builder of fuzz-dissect.h. */
#include "fuzz-dissect.h"

guint64 w4_fz_touched;

/* The TCP header built by w4_fz_segment: no options. */
#define W4_FZ_TCP_HEADER 20

static void
touch_span (W4Span s)
{
  for (gsize i = 0; i < s.len; i++)
    w4_fz_touched += s.ptr[i];
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
  w4_fz_touched += r->error_code;
}

W4Sink
w4_fz_sink (void)
{
  W4Sink sink = { f_open, f_close, f_head, f_head, f_body, f_anomaly, NULL, NULL, f_reset, NULL,
                  NULL };
  return sink;
}

static void
put32 (guint8 *at, guint32 v)
{
  for (int i = 0; i < 4; i++)
    at[i] = (guint8) (v >> (24 - 8 * i));
}

void
w4_fz_segment (W4FzConn *c, const W4FzSegment *s, const guint8 *payload, gsize len)
{
  guint8 *buf = g_malloc (W4_FZ_TCP_HEADER + len);
  W4FrameInfo fi = { 0 };
  W4IpPacket pkt = { 0 };
  guint16 sport = s->from_server ? c->port : 40000, dport = s->from_server ? 40000 : c->port;

  memset (buf, 0, W4_FZ_TCP_HEADER);
  buf[0] = (guint8) (sport >> 8);
  buf[1] = (guint8) sport;
  buf[2] = (guint8) (dport >> 8);
  buf[3] = (guint8) dport;
  put32 (buf + 4, s->seq);
  put32 (buf + 8, s->ack);
  buf[12] = 5 << 4;
  buf[13] = s->flags;
  buf[14] = buf[15] = 0xff;
  if (len > 0)
    memcpy (buf + W4_FZ_TCP_HEADER, payload, len);
  fi.frame = fi.file_frame = ++c->frame;
  fi.ts = s->ts;
  fi.caplen = fi.wirelen = (guint32) (W4_FZ_TCP_HEADER + len);
  pkt.fi = &fi;
  pkt.src.family = pkt.dst.family = 4;
  pkt.src.a[0] = pkt.dst.a[0] = 10;
  pkt.src.a[3] = s->from_server ? 2 : 1;
  pkt.dst.a[3] = s->from_server ? 1 : 2;
  pkt.proto = 6;
  pkt.l4 = buf;
  pkt.l4_len = pkt.l4_claimed = W4_FZ_TCP_HEADER + len;
  w4_dis_frame (c->dis, &fi);
  w4_dis_ip (c->dis, &pkt);
  g_free (buf);
}

int
w4_fz_run (const guint8 *data, size_t size, const W4FuzzLimit *table, guint n_table,
           W4FzFeed feed)
{
  W4FuzzInput in;
  W4Sink sink = w4_fz_sink ();
  W4Limits limits;
  W4FzConn conn = { NULL, 0, 80 };

  if (size == 0)
    return 0;
  in = w4_fuzz_input (data, size);
  w4_fuzz_limits (&limits, data[0], table, n_table);
  conn.dis = w4_dis_new (&limits, &sink);
  feed (&conn, (const guint8 *) in.bytes, size);
  w4_dis_finish (conn.dis);
  w4_dis_free (conn.dis);
  w4_fuzz_input_clear (&in);
  return 0;
}
