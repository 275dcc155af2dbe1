/* tcp-reasm.c: per-direction TCP reassembly into in-order chunks with frame
 * marks, gaps and end of stream.
 *
 * Reassembly (RFC 9293 3.4, 3.10): per direction, in-order data goes
 * straight to the protocol above (app.c) without a copy; segments ahead of
 * the next expected byte are copied into a queue bounded by
 * W4_LIMIT_OOO_SEGMENTS and W4_LIMIT_REASM_BYTES. Overlaps and
 * retransmissions: the first data seen for a sequence number wins, later
 * copies of it are dropped (the receiver's stack keeps the first too, and a
 * policy that rewrote delivered bytes could not be undone). A hole that is
 * never filled is a gap: W4_ANOM_GAP with its byte count, and HTTP starts
 * over at the next message start (h1.c). We never guess missing bytes. A
 * hole is given up as soon as the peer acknowledges data beyond it (the
 * sender will not retransmit what was received: the capture missed it), or
 * when the queue limits are hit, or at FIN, RST, eviction or end of input.
 *
 * A direction without a SYN (capture started mid-connection, or the SYN was
 * lost) starts at the first segment whose payload starts an HTTP message (or
 * a TLS record or HTTP/2's preface, so they are still recognised). A
 * direction whose protocol reads nothing more (app.c) is not copied. Who is the client: the sender
 * of the SYN; without one, the side that sends a request line; else the
 * side of the higher port (servers listen on the low, well-known ones). */
#include "dissect-private.h"

#include <string.h>

typedef struct {
  guint32 seq;
  guint32 len;
  guint8 *data;
  W4FrameMark *marks;
  guint n_marks;
} W4Seg;

/* A segment more than this far ahead of the next expected byte is not a
 * reordering but a corrupt or foreign sequence number: dropped. */
#define W4_TCP_MAX_AHEAD (1u << 30)

/* What a queued segment keeps (W4_MEM_REASM): its record and queue link,
 * its bytes and marks. */
static gsize
seg_cost (gsize len, guint n_marks)
{
  return sizeof (W4Seg) + sizeof (GList) + len + sizeof (W4FrameMark) * n_marks;
}

static void
seg_free (W4Seg *s)
{
  g_free (s->data);
  g_free (s->marks);
  g_free (s);
}

static guint
ooo_length (const W4TcpHalf *t)
{
  return t->ooo != NULL ? t->ooo->segs.length : 0;
}

static gsize
ooo_bytes (const W4TcpHalf *t)
{
  return t->ooo != NULL ? t->ooo->bytes : 0;
}

static W4Seg *
ooo_peek (const W4TcpHalf *t)
{
  return t->ooo != NULL ? g_queue_peek_head (&t->ooo->segs) : NULL;
}

/* Takes the first queued segment out (the caller frees it); the queue
 * goes with its last segment. */
static W4Seg *
ooo_pop (W4Budget *budget, W4TcpHalf *t)
{
  W4Seg *s = g_queue_pop_head (&t->ooo->segs);

  t->ooo->bytes -= s->len;
  w4_budget_release (budget, W4_MEM_REASM, seg_cost (s->len, s->n_marks));
  if (t->ooo->segs.length == 0) {
    g_free (t->ooo);
    t->ooo = NULL;
    w4_budget_release (budget, W4_MEM_REASM, sizeof (W4OooQueue));
  }
  return s;
}

void
w4_reasm_clear (W4Budget *budget, W4TcpHalf *t)
{
  while (t->ooo != NULL)
    seg_free (ooo_pop (budget, t));
}

/* Sequence numbers are compared modulo 2^32 (RFC 9293 3.4): the unsigned
 * difference, read as a signed 32-bit number without an out-of-range
 * conversion. Exactly 2^31 apart gives G_MININT32 ("behind"). */
static gint32
seq_diff (guint32 a, guint32 b)
{
  guint32 d = a - b;

  return d <= (guint32) G_MAXINT32 ? (gint32) d : -(gint32) (~d) - 1;
}

/* How many bytes @seq lies behind @next, for a @seq that seq_diff does not
 * put ahead. Computed unsigned: negating seq_diff's result overflows when it
 * is G_MININT32 (a segment exactly 2^31 bytes behind; undefined behaviour,
 * found by UBSan under tests/fuzz-pipeline). */
static guint32
seq_behind (guint32 seq, guint32 next)
{
  return next - seq;
}

/* Builds the frame marks of a segment's payload (one per IP fragment that
 * carried part of it). Returns how many were written (>= 1). */
static guint
w4_reasm_marks (const W4IpPacket *pkt, gsize hlen, W4FrameMark *marks)
{
  guint n = 0;

  if (pkt->frags == NULL || pkt->n_frags == 0) {
    marks[0].off = 0;
    marks[0].frame = pkt->fi->frame;
    marks[0].ts = pkt->fi->ts;
    return 1;
  }
  for (guint i = 0; i < pkt->n_frags && n < W4_TCP_MAX_MARKS; i++) {
    guint32 off = pkt->frags[i].offset > hlen ? (guint32) (pkt->frags[i].offset - hlen) : 0;
    if (n > 0 && off == 0)
      n = 0; /* several fragments before the payload: the last one holds its start */
    marks[n].off = off;
    marks[n].frame = pkt->frags[i].frame;
    /* fragments carry no time of their own here: the datagram's */
    marks[n].ts = pkt->fi->ts;
    n++;
  }
  if (n == 0) {
    marks[0].off = 0;
    marks[0].frame = pkt->fi->frame;
    marks[0].ts = pkt->fi->ts;
    n = 1;
  }
  return n;
}

/* Hands [skip, len) of a segment to HTTP. */
static void
deliver (W4Flow *flow, W4Dir dir, const guint8 *data, gsize len, gsize skip,
         const W4FrameMark *marks, guint n_marks)
{
  W4FrameMark local[W4_TCP_MAX_MARKS];
  guint n = 0;
  W4Chunk c;

  if (skip >= len)
    return;
  for (guint i = 0; i < n_marks; i++) {
    if (marks[i].off <= skip) {
      local[0] = marks[i];
      local[0].off = 0;
      n = 1;
    } else if (marks[i].off < len) {
      local[n] = marks[i];
      local[n].off = (guint32) (marks[i].off - skip);
      n++;
    }
  }
  if (n == 0) {
    local[0] = marks[0];
    local[0].off = 0;
    n = 1;
  }
  c.data = data + skip;
  c.len = len - skip;
  c.marks = local;
  c.n_marks = n;
  c.seg_start = skip == 0;
  w4_app_feed (flow, dir, &c);
}

static void
declare_gap (W4Flow *flow, W4Dir dir, guint64 count, guint64 frame, W4Time ts)
{
  if (count == 0)
    return;
  /* The report's gap info is about lost HTTP: bytes lost from FTP, SSH or
   * TLS we do not read are only counted. */
  if (w4_h1_is_http (flow) || w4_tls_carries_http (flow) || w4_h2_is_http (flow)) {
    /* HTTP lost inside a decrypted session is that session's loss */
    const W4ConnInfo *on = w4_tls_session_record (flow);
    w4_dis_anomaly_on (flow, on != NULL ? on : w4_app_top (flow), W4_ANOM_GAP, dir, frame, ts,
                       W4_LIMIT_COUNT, count, "bytes of this direction were not captured");
  }
  w4_app_gap (flow, dir, count, frame, ts);
}

/* Delivers queued segments that now follow on. */
static void
drain_queue (W4Flow *flow, W4Dir dir)
{
  W4TcpHalf *t = &flow->tcp[dir];
  W4Seg *s;

  while ((s = ooo_peek (t)) != NULL) {
    gint32 ahead = seq_diff (s->seq, t->next_seq);
    if (ahead > 0)
      break;
    ooo_pop (flow->dis->limits.budget, t);
    if (seq_behind (s->seq, t->next_seq) < s->len) {
      deliver (flow, dir, s->data, s->len, seq_behind (s->seq, t->next_seq), s->marks,
               s->n_marks);
      t->next_seq = s->seq + s->len;
    }
    seg_free (s);
  }
}

/* Gives up on the first hole: declares it a gap and delivers what follows
 * it up to the next hole. FALSE when there was nothing queued. */
static gboolean
skip_first_hole (W4Flow *flow, W4Dir dir)
{
  W4TcpHalf *t = &flow->tcp[dir];
  W4Seg *s = ooo_peek (t);

  if (s == NULL)
    return FALSE;
  if (seq_diff (s->seq, t->next_seq) > 0) {
    guint32 hole = s->seq - t->next_seq;
    t->next_seq = s->seq;
    declare_gap (flow, dir, hole, s->marks[0].frame, s->marks[0].ts);
  }
  drain_queue (flow, dir);
  return TRUE;
}

/* The peer acknowledged bytes of @dir that the capture never showed: the
 * sender will not send them again, so holes before @ack are lost now
 * rather than when the queue fills up. */
static void
w4_reasm_acked_holes (W4Flow *flow, W4Dir dir, guint32 ack)
{
  W4TcpHalf *t = &flow->tcp[dir];
  guint max = ooo_length (t); /* each round drops at least one segment */

  for (guint i = 0; i < max && t->synced; i++) {
    W4Seg *s = ooo_peek (t);
    if (s == NULL || seq_diff (ack, t->next_seq) <= 0 || seq_diff (s->seq, t->next_seq) <= 0)
      break;
    skip_first_hole (flow, dir);
  }
}

static void
w4_reasm_check_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts)
{
  W4TcpHalf *t = &flow->tcp[dir];

  if (t->fin_seen && !t->eof && t->synced && seq_diff (t->next_seq, t->fin_seq) >= 0) {
    t->eof = TRUE;
    w4_app_eof (flow, dir, frame, ts);
  }
}

static void
queue_segment (W4Flow *flow, W4Dir dir, guint32 seq, const guint8 *data, gsize len,
               const W4FrameMark *marks, guint n_marks)
{
  W4Dissect *dis = flow->dis;
  W4TcpHalf *t = &flow->tcp[dir];
  W4Seg *s;
  GList *l;

  /* Make room first: the budget is checked before allocating. */
  for (guint i = 0; i < W4_REC_EVICT_TRIES * 4 &&
                    (ooo_length (t) >= dis->limits.v[W4_LIMIT_OOO_SEGMENTS] ||
                     ooo_bytes (t) + len > dis->limits.v[W4_LIMIT_REASM_BYTES]);
       i++) {
    W4LimitId which = ooo_length (t) >= dis->limits.v[W4_LIMIT_OOO_SEGMENTS]
                          ? W4_LIMIT_OOO_SEGMENTS
                          : W4_LIMIT_REASM_BYTES;
    if (ooo_length (t) == 0)
      break;
    w4_dis_anomaly (flow, W4_ANOM_LIMIT, dir, marks[0].frame, marks[0].ts, which, 0,
                    "out-of-order data over the limit: the hole is declared lost");
    skip_first_hole (flow, dir);
  }
  if (seq_diff (seq, t->next_seq) <= 0) {
    /* the holes before it were given up: it follows on (or overlaps) now */
    gsize skip = (gsize) (t->next_seq - seq);
    if (skip < len) {
      deliver (flow, dir, data, len, skip, marks, n_marks);
      t->next_seq = seq + (guint32) len;
      drain_queue (flow, dir);
    }
    return;
  }
  if (len > dis->limits.v[W4_LIMIT_REASM_BYTES] ||
      !w4_budget_fits (dis->limits.budget, W4_MEM_REASM,
                       seg_cost (len, n_marks) + (t->ooo == NULL ? sizeof (W4OooQueue) : 0))) {
    /* a single segment over the limit, or over what memory allows: the
     * hole before it is lost */
    if (len > dis->limits.v[W4_LIMIT_REASM_BYTES])
      w4_dis_anomaly (flow, W4_ANOM_LIMIT, dir, marks[0].frame, marks[0].ts,
                      W4_LIMIT_REASM_BYTES, 0, "out-of-order segment larger than the limit");
    declare_gap (flow, dir, seq - t->next_seq, marks[0].frame, marks[0].ts);
    t->next_seq = seq;
    deliver (flow, dir, data, len, 0, marks, n_marks);
    t->next_seq = seq + (guint32) len;
    return;
  }

  if (t->ooo == NULL) {
    t->ooo = g_new0 (W4OooQueue, 1);
    g_queue_init (&t->ooo->segs);
    w4_budget_charge (dis->limits.budget, W4_MEM_REASM, sizeof (W4OooQueue));
  }
  s = g_new0 (W4Seg, 1);
  s->seq = seq;
  s->len = (guint32) len;
  s->data = g_memdup2 (data, len);
  s->marks = g_memdup2 (marks, sizeof *marks * n_marks);
  s->n_marks = n_marks;
  /* sorted by seq; equal seq: the first copy stays first (first data wins
   * when both are delivered, the later one is then a retransmission) */
  for (l = t->ooo->segs.tail; l != NULL; l = l->prev) {
    W4Seg *o = l->data;
    if (seq_diff (o->seq, seq) <= 0)
      break;
  }
  if (l == NULL)
    g_queue_push_head (&t->ooo->segs, s);
  else
    g_queue_insert_after (&t->ooo->segs, l, s);
  t->ooo->bytes += len;
  w4_budget_charge (dis->limits.budget, W4_MEM_REASM, seg_cost (len, n_marks));
}

/* One segment's payload in @dir (captured bytes @data/@len of @claimed). */
static void
w4_reasm_payload (W4Flow *flow, W4Dir dir, guint32 seq, const guint8 *data, gsize len, gsize claimed,
             const W4FrameMark *marks, guint n_marks)
{
  W4TcpHalf *t = &flow->tcp[dir];
  gint32 ahead;

  if (claimed == 0)
    return;
  t->payload_seen = TRUE;

  if (!t->synced) {
    /* No SYN: start at the first segment that starts a message (or a TLS
     * record). Anything before it is the tail of something we missed. */
    if (len == 0 || !w4_app_starts_stream (dir, data, len))
      return;
    t->synced = TRUE;
    t->next_seq = seq;
  }

  if (w4_app_done (flow, dir)) {
    /* nothing more is parsed here: do not copy */
    w4_reasm_clear (flow->dis->limits.budget, t);
    if (seq_diff (seq + (guint32) claimed, t->next_seq) > 0)
      t->next_seq = seq + (guint32) claimed;
    return;
  }

  ahead = seq_diff (seq, t->next_seq);
  if (ahead > 0) {
    if ((guint32) ahead > W4_TCP_MAX_AHEAD)
      return;
    if (len > 0)
      queue_segment (flow, dir, seq, data, len, marks, n_marks);
    if (claimed > len && seq_diff (seq + (guint32) len, t->next_seq) == 0) {
      /* it was delivered (a hole before it was given up) but cut short */
      declare_gap (flow, dir, claimed - len, marks[0].frame, marks[0].ts);
      t->next_seq = seq + (guint32) claimed;
    }
    return;
  }
  if (seq_behind (seq, t->next_seq) >= claimed)
    return; /* retransmission of bytes already delivered: the first copy won */
  if (seq_behind (seq, t->next_seq) < len) {
    deliver (flow, dir, data, len, seq_behind (seq, t->next_seq), marks, n_marks);
    t->next_seq = seq + (guint32) len;
  }
  if (claimed > len) {
    /* cut by the snap length: what was not captured is lost */
    guint32 from = seq_diff (seq + (guint32) len, t->next_seq) > 0 ? seq + (guint32) len
                                                                   : t->next_seq;
    declare_gap (flow, dir, seq + (guint32) claimed - from, marks[0].frame, marks[0].ts);
    t->next_seq = seq + (guint32) claimed;
  }
  drain_queue (flow, dir);
}

/* Everything still queued is given up (holes are gaps), and a hole before
 * a FIN too. */
void
w4_reasm_segment (W4Flow *flow, const W4TcpHdr *h, const W4IpPacket *pkt, const W4Endpoint *src)
{
  W4FrameMark marks[W4_TCP_MAX_MARKS];
  guint n_marks;
  const guint8 *payload;
  gsize len, claimed;
  W4Dir dir;
  W4TcpHalf *t;
  guint64 frame = pkt->fi->frame;
  W4Time ts = pkt->fi->ts;

  if (h->hlen < 20 || h->hlen > pkt->l4_len)
    return; /* bogus or cut header: numbered, but no data to trust */
  payload = pkt->l4 + h->hlen;
  len = pkt->l4_len - h->hlen;
  claimed = pkt->l4_claimed > h->hlen ? pkt->l4_claimed - h->hlen : 0;
  if (claimed < len)
    claimed = len;

  /* Roles: the SYN's sender is the client, the SYN/ACK's the server. */
  if (!flow->opened && (h->flags & TH_SYN)) {
    gboolean sender_is_client = !(h->flags & TH_ACK);
    if (ep_equal (src, &flow->info.client) != sender_is_client)
      w4_flow_swap_roles (flow);
    flow->roles_final = TRUE;
  } else if (!flow->roles_final && len > 0) {
    gboolean req = w4_h1_starts_message (W4_DIR_TO_SERVER, payload, len);
    gboolean resp = w4_h1_starts_message (W4_DIR_TO_CLIENT, payload, len);
    if (req || resp) {
      if (ep_equal (src, &flow->info.client) != req)
        w4_flow_swap_roles (flow);
      flow->roles_final = TRUE;
    }
  }
  dir = ep_equal (src, &flow->info.client) ? W4_DIR_TO_SERVER : W4_DIR_TO_CLIENT;
  t = &flow->tcp[dir];

  if (flow->closed)
    return; /* late ACKs, retransmissions after the end */

  if (h->flags & TH_RST) {
    flow->rst_seen = TRUE;
    w4_flow_close (flow, W4_CLOSE_RST, frame, ts);
    return;
  }

  if (h->flags & TH_SYN) {
    if (!t->saw_syn) {
      t->saw_syn = TRUE;
      if (!t->synced || t->payload_seen == FALSE) {
        t->synced = TRUE;
        t->next_seq = h->seq + 1;
      }
    }
  }

  if (h->flags & TH_ACK)
    w4_reasm_acked_holes (flow, dir == W4_DIR_TO_SERVER ? W4_DIR_TO_CLIENT : W4_DIR_TO_SERVER, h->ack);

  n_marks = w4_reasm_marks (pkt, h->hlen, marks);
  w4_reasm_payload (flow, dir, (h->flags & TH_SYN) ? h->seq + 1 : h->seq, payload, len, claimed,
               marks, n_marks);

  if (h->flags & TH_FIN) {
    if (!t->fin_seen) {
      t->fin_seen = TRUE;
      t->fin_seq = ((h->flags & TH_SYN) ? h->seq + 1 : h->seq) + (guint32) claimed;
      if (flow->fin_frame == 0) {
        flow->fin_frame = frame;
        flow->fin_ts = ts;
      }
      w4_flow_to_closed_lru (flow);
    }
  }
  if (!t->synced && t->fin_seen) {
    /* nothing of this direction was ever parsed: it just ended */
    t->eof = TRUE;
  }
  w4_reasm_check_eof (flow, dir, frame, ts);
  if (flow->tcp[0].fin_seen && flow->tcp[1].fin_seen) {
    gboolean both_done = TRUE;
    for (int d = 0; d < 2; d++) {
      W4TcpHalf *x = &flow->tcp[d];
      if (!x->eof && x->synced && ooo_length (x) > 0)
        both_done = FALSE;
    }
    if (both_done)
      w4_flow_close (flow, W4_CLOSE_FIN, frame, ts);
  }
}

void
w4_reasm_flush (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts)
{
  W4TcpHalf *t = &flow->tcp[dir];

  guint max = ooo_length (t) + 1; /* each round delivers or drops at least one segment */

  for (guint i = 0; i < max && skip_first_hole (flow, dir); i++)
    ;
  if (t->fin_seen && t->synced && seq_diff (t->fin_seq, t->next_seq) > 0 &&
      !w4_app_done (flow, dir)) {
    declare_gap (flow, dir, t->fin_seq - t->next_seq, frame, ts);
    t->next_seq = t->fin_seq;
  }
}
