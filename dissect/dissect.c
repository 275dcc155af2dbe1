/* dissect.c: TCP connections out of IP datagrams: the entry points of
 * dissect/ and each TCP segment's way through numbering (tcp-number.c),
 * the flow table (flow.c) and reassembly (tcp-reasm.c).
 *
 * Deliberately ignored: checksums (offloading makes them wrong in captures
 * taken on the sending host; Wireshark does not check them by default either),
 * urgent data, window and timestamp options, and payload of RST segments. */
#include "dissect-private.h"
#include "tls-crypto.h"
#include "tls-keylog.h"

#include <string.h>

static void
emit_anomaly (W4Dissect *dis, const W4Anomaly *a)
{
  if (dis->sink.on_anomaly)
    dis->sink.on_anomaly (dis->sink.user, a);
}

void
w4_dis_anomaly (W4Flow *flow, W4AnomalyKind kind, W4Dir dir, guint64 frame, W4Time ts,
                W4LimitId limit, guint64 count, const char *message)
{
  w4_dis_anomaly_on (flow, &flow->info, kind, dir, frame, ts, limit, count, message);
}

void
w4_dis_anomaly_on (W4Flow *flow, const W4ConnInfo *on, W4AnomalyKind kind, W4Dir dir,
                   guint64 frame, W4Time ts, W4LimitId limit, guint64 count, const char *message)
{
  W4Anomaly a = { 0 };

  w4_dis_ensure_open (flow);
  a.kind = kind;
  a.frame = frame;
  a.ts = ts;
  a.limit = limit;
  a.conn = on;
  a.dir = dir;
  a.count = count;
  a.message = message;
  emit_anomaly (flow->dis, &a);
}

void
w4_dis_limit_anomaly (W4Dissect *dis, W4LimitId limit, guint64 frame, W4Time ts, const char *message)
{
  W4Anomaly a = { 0 };

  a.kind = W4_ANOM_LIMIT;
  a.frame = frame;
  a.ts = ts;
  a.limit = limit;
  a.message = message;
  emit_anomaly (dis, &a);
}

/* Reads the 16 bytes Wireshark needs before it numbers a connection. */
static gboolean
read_tcp_header (const W4IpPacket *pkt, W4TcpHdr *h)
{
  W4Reader r;
  guint16 off_flags = 0, win = 0;

  w4_rd_init (&r, pkt->l4, pkt->l4_len);
  w4_rd_u16 (&r, &h->sport);
  w4_rd_u16 (&r, &h->dport);
  w4_rd_u32 (&r, &h->seq);
  w4_rd_u32 (&r, &h->ack);
  w4_rd_u16 (&r, &off_flags);
  w4_rd_u16 (&r, &win);
  if (!w4_rd_ok (&r))
    return FALSE;
  h->hlen = (guint8) ((off_flags >> 12) * 4);
  h->flags = off_flags & 0x0fff;
  return TRUE;
}

void
w4_dis_ip (W4Dissect *dis, const W4IpPacket *pkt)
{
  W4TcpHdr h;
  W4Endpoint src, dst;
  W4ConvRec *rec;
  W4Flow *flow;

  g_return_if_fail (dis != NULL && pkt != NULL);
  if (pkt->proto != 6 || pkt->fi == NULL)
    return;
  if (!read_tcp_header (pkt, &h))
    return;
  /* without w4_dis_frame the packets' own times are the clock */
  if (!dis->frame_clock && (!dis->have_now || w4_time_cmp (pkt->fi->ts, dis->now) > 0)) {
    dis->now = pkt->fi->ts;
    dis->have_now = TRUE;
  }
  src.addr = pkt->src;
  src.port = h.sport;
  dst.addr = pkt->dst;
  dst.port = h.dport;

  rec = w4_num_segment (dis, &src, &dst, &h, pkt);
  dis->last_stream = rec->stream;
  if (pkt->icmp_quoted || pkt->numbered_only)
    return; /* numbered only: a quoted header carries no data of the connection,
             * and a frame -f rejected is not analysed */

  flow = rec->flow;
  if (flow == NULL) {
    w4_flow_make_room (dis, pkt->fi);
    flow = w4_flow_new (dis, rec, pkt, &src, &dst);
  }
  w4_flow_touch (flow, pkt->fi->frame, pkt->fi->ts);
  w4_reasm_segment (flow, &h, pkt, &src);
}

void
w4_dis_frame (W4Dissect *dis, const W4FrameInfo *fi)
{
  g_return_if_fail (dis != NULL && fi != NULL);
  w4_num_note_file (dis, fi);
  dis->last_stream = -1;
  /* The caller's clock: the pipeline's keeps outlier timestamps out, and
   * steps back only when the traffic confirms it (w4-clock.h). */
  dis->now = fi->ts;
  dis->have_now = TRUE;
  dis->frame_clock = TRUE;
  w4_flow_expire_idle (dis);
}

void
w4_dis_finish (W4Dissect *dis)
{
  W4Flow *flow;

  g_return_if_fail (dis != NULL);
  /* oldest first, so events come out in a stable order */
  while ((flow = dis->lru_closed.head) != NULL)
    w4_flow_evict (flow, W4_CLOSE_END_OF_INPUT);
  while ((flow = dis->lru_open.head) != NULL)
    w4_flow_evict (flow, W4_CLOSE_END_OF_INPUT);
}

gint64
w4_dis_last_stream (W4Dissect *dis)
{
  return dis->last_stream;
}

guint64
w4_dis_connections (W4Dissect *dis)
{
  g_return_val_if_fail (dis != NULL, 0);
  return dis->n_streams;
}

W4Dissect *
w4_dis_new (const W4Limits *limits, const W4Sink *sink)
{
  W4Dissect *dis;

  g_return_val_if_fail (limits != NULL && sink != NULL, NULL);
  dis = g_new0 (W4Dissect, 1);
  dis->limits = *limits;
  dis->sink = *sink;
  w4_num_init (dis);
  dis->next_conn_id = 1;
  dis->last_stream = -1;
  w4_flow_register_evictors (dis);
  return dis;
}

void
w4_dis_free (W4Dissect *dis)
{
  W4Flow *flow;

  if (dis == NULL)
    return;
  /* no events here: w4_dis_finish is where connections end */
  while ((flow = dis->lru_closed.head) != NULL)
    w4_flow_destroy (flow);
  while ((flow = dis->lru_open.head) != NULL)
    w4_flow_destroy (flow);
  w4_num_free (dis);
  w4_h1_free_spares (dis);
  /* the key store outlives the dissector: it stops charging with it */
  if (dis->keylog != NULL)
    w4_keylog_set_budget (dis->keylog, NULL);
  w4_tls_crypto_free (dis->crypto);
  g_free (dis);
}

void
w4_dis_set_keylog (W4Dissect *dis, W4Keylog *keylog)
{
  dis->keylog = keylog;
  /* the run's one budget: the key store is dissect's to charge */
  if (keylog != NULL)
    w4_keylog_set_budget (keylog, dis->limits.budget);
}
