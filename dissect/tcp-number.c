/* tcp-number.c: Wireshark's tcp.stream numbering of TCP connections.
 *
 * Numbering (INPUT.md "Connection numbers") follows TShark 4.0's
 * packet-tcp.c, which we read to learn its rules:
 *  - a connection is its address/port pair in either direction; it gets the
 *    next number at the first TCP header seen for it, including one quoted
 *    inside an ICMP error;
 *  - Wireshark only looks up the connection once it has read the first 16
 *    bytes of the TCP header (ports to window); a shorter header (an ICMP
 *    error quoting 8 bytes, a capture cut by snaplen) throws before that and
 *    numbers nothing, so we do the same;
 *  - a pure SYN (SYN without ACK) whose sequence number differs from the
 *    "base sequence" Wireshark recorded for that direction starts a new
 *    connection with a new number (port reuse). The base is set by the first
 *    analysed segment of a direction: its sequence number for a SYN, else
 *    seq - 1; the other direction's base is set to ack - 1 by the first
 *    segment with ACK set, if that direction has none yet. ICMP-quoted
 *    headers are looked up but never analysed, so they set no base. A
 *    SYN/ACK with another sequence number only moves its direction's base;
 *  - nothing else (FIN, RST, idle time) ever starts a new number. So after
 *    the live state of a connection is gone, a compact record keeps its
 *    number and bases, bounded by W4_LIMIT_STREAM_NUMBERS;
 *  - numbers count within each input file (INPUT.md "Files": the user opens
 *    that file alone in Wireshark): every file starts at 0 with no bases,
 *    and a connection that continues into the next file gets that file's
 *    next number at its first packet there. The connection itself (its
 *    live state, which a new SYN with a new ISN ends) follows the run's
 *    bases, across files, so a rotated capture is analysed as one. */
#include "dissect-private.h"

#include <string.h>

static int
endpoint_cmp (const W4Endpoint *x, const W4Endpoint *y)
{
  int c;

  if (x->addr.family != y->addr.family)
    return x->addr.family < y->addr.family ? -1 : 1;
  c = memcmp (x->addr.a, y->addr.a, sizeof x->addr.a);
  if (c != 0)
    return c;
  if (x->port != y->port)
    return x->port < y->port ? -1 : 1;
  return 0;
}

static inline guint
ep_hash (const W4Endpoint *e, guint h)
{
  guint n = e->addr.family == 4 ? 1 : 4;

  /* the address's 32-bit words (as many as w4_addr_equal compares) */
  for (guint i = 0; i < n; i++) {
    guint32 w;
    memcpy (&w, e->addr.a + 4 * i, sizeof w);
    h = (h ^ w) * 0x9e3779b1u;
  }
  return (h ^ e->port ^ ((guint) e->addr.family << 16)) * 0x85ebca6bu;
}

static guint
rec_hash (gconstpointer p)
{
  const W4ConvRec *r = p;
  guint h = ep_hash (&r->b, ep_hash (&r->a, 0));

  return h ^ (h >> 15);
}

static gboolean
rec_equal (gconstpointer p, gconstpointer q)
{
  const W4ConvRec *x = p, *y = q;

  return ep_equal (&x->a, &y->a) && ep_equal (&x->b, &y->b);
}

/* What a record keeps (W4_MEM_STREAM_NUMBERS): itself and its hash table
 * slots (GHashTable: a key and a hash per slot, up to two slots an entry). */
#define W4_REC_COST (sizeof (W4ConvRec) + 2 * (sizeof (gpointer) + sizeof (guint)))

static void
order_push (W4RecOrder *o, W4ConvRec *rec)
{
  rec->next = NULL;
  if (o->tail != NULL)
    o->tail->next = rec;
  else
    o->head = rec;
  o->tail = rec;
}

static W4ConvRec *
order_pop (W4RecOrder *o)
{
  W4ConvRec *rec = o->head;

  if (rec != NULL) {
    o->head = rec->next;
    if (o->head == NULL)
      o->tail = NULL;
    rec->next = NULL;
  }
  return rec;
}

/* @rec was taken from the head of the order (order_pop). */
static void
rec_remove (W4Dissect *dis, W4ConvRec *rec)
{
  g_hash_table_remove (dis->recs, rec);
  g_free (rec);
  w4_budget_release (dis->limits.budget, W4_MEM_STREAM_NUMBERS, W4_REC_COST);
}

static void
make_room_for_rec (W4Dissect *dis, const W4FrameInfo *fi)
{
  if (g_hash_table_size (dis->recs) < dis->limits.v[W4_LIMIT_STREAM_NUMBERS])
    return;
  for (guint i = 0; i < W4_REC_EVICT_TRIES; i++) {
    W4ConvRec *rec = order_pop (&dis->rec_order);
    if (rec == NULL)
      return;
    if (rec->flow == NULL) {
      w4_dis_limit_anomaly (dis, W4_LIMIT_STREAM_NUMBERS, fi->frame, fi->ts,
                     "too many connections to remember: an old one may be numbered anew");
      rec_remove (dis, rec);
      return;
    }
    /* live: keep it, look further */
    order_push (&dis->rec_order, rec);
  }
}

/* W4_EVICT_STREAM_NUMBERS: the oldest records whose connection state is
 * gone, until @want bytes are back; records of live connections stay (their
 * flow points to them), looked past at most W4_REC_EVICT_TRIES times a call.
 * A connection whose record went gets a new number if its ports come back:
 * the summary counts how many could. */
static guint64
evict_stream_numbers (void *user, guint64 want)
{
  W4Dissect *dis = user;
  W4Budget *b = dis->limits.budget;
  guint64 before = b->used, n = 0;

  for (guint tries = 0; tries < W4_REC_EVICT_TRIES && before - MIN (b->used, before) < want;) {
    W4ConvRec *rec = order_pop (&dis->rec_order);

    if (rec == NULL)
      break;
    if (rec->flow != NULL) {
      order_push (&dis->rec_order, rec);
      tries++;
      continue;
    }
    rec_remove (dis, rec);
    n++;
  }
  return n;
}

static W4ConvRec *
w4_num_lookup (W4Dissect *dis, const W4Endpoint *src, const W4Endpoint *dst, int *side,
            const W4FrameInfo *fi)
{
  W4ConvRec key = { 0 };
  W4ConvRec *rec;

  if (endpoint_cmp (src, dst) <= 0) {
    key.a = *src;
    key.b = *dst;
    *side = 0;
  } else {
    key.a = *dst;
    key.b = *src;
    *side = 1;
  }
  rec = g_hash_table_lookup (dis->recs, &key);
  if (rec != NULL)
    return rec;
  make_room_for_rec (dis, fi);
  rec = g_new0 (W4ConvRec, 1);
  rec->a = key.a;
  rec->b = key.b;
  rec->stream = dis->file_streams++;
  rec->stream_file = dis->cur_file;
  dis->n_streams++;
  order_push (&dis->rec_order, rec);
  g_hash_table_add (dis->recs, rec);
  w4_budget_charge (dis->limits.budget, W4_MEM_STREAM_NUMBERS, W4_REC_COST);
  return rec;
}

/* Wireshark's steps on the base sequences for one TCP header; TRUE when it
 * starts a new connection on the same ports. */
static gboolean
bases_step (W4SeqBases *b, int side, const W4TcpHdr *h, const W4IpPacket *pkt)
{
  gboolean reused = FALSE;
  int other = 1 - side;

  if ((h->flags & (TH_SYN | TH_ACK)) == TH_SYN && b->set[side] && h->seq != b->seq[side]) {
    b->set[0] = b->set[1] = FALSE;
    reused = TRUE;
  } else if ((h->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && b->set[side] &&
             h->seq != b->seq[side]) {
    b->seq[side] = h->seq;
  }
  /* sequence analysis: not for quoted headers, nor when the datagram is
   * shorter than the header claims */
  if (!pkt->icmp_quoted && pkt->l4_claimed >= h->hlen) {
    if (!b->set[side]) {
      b->seq[side] = (h->flags & TH_SYN) ? h->seq : h->seq - 1;
      b->set[side] = TRUE;
    }
    if (!b->set[other] && (h->flags & TH_ACK)) {
      b->seq[other] = h->ack - 1;
      b->set[other] = TRUE;
    }
  }
  return reused;
}

/* Wireshark's numbering steps for one TCP header, in the file being read;
 * TRUE when it started a new connection on the same ports (over the run:
 * a connection of the previous file does not end because a file did). */
static gboolean
w4_num_packet (W4Dissect *dis, W4ConvRec *rec, int side, const W4TcpHdr *h,
               const W4IpPacket *pkt)
{
  gboolean reused;

  if (rec->stream_file != dis->cur_file) {
    /* its first packet in this file: numbered as the file alone numbers it */
    rec->stream = dis->file_streams++;
    rec->stream_file = dis->cur_file;
    memset (&rec->file_bases, 0, sizeof rec->file_bases);
  }
  if (bases_step (&rec->file_bases, side, h, pkt))
    rec->stream = dis->file_streams++;
  reused = bases_step (&rec->run_bases, side, h, pkt);
  if (reused)
    dis->n_streams++;
  return reused;
}

/* The flow's numbers follow its record's; the file before keeps its own. */
static void
w4_num_follow (W4Flow *flow, const W4ConvRec *rec)
{
  W4ConnInfo *info = &flow->info;

  if (info->stream_file != rec->stream_file) {
    info->prev_stream = info->stream;
    info->prev_stream_file = info->stream_file;
  }
  info->stream = rec->stream;
  info->stream_file = rec->stream_file;
  w4_flow_sync_layers (flow);
}

W4ConvRec *
w4_num_segment (W4Dissect *dis, const W4Endpoint *src, const W4Endpoint *dst, const W4TcpHdr *h,
                const W4IpPacket *pkt)
{
  W4ConvRec *rec;
  int side;

  w4_num_note_file (dis, pkt->fi);
  rec = w4_num_lookup (dis, src, dst, &side, pkt->fi);
  if (w4_num_packet (dis, rec, side, h, pkt) && rec->flow != NULL) {
    /* a new connection on the same ports: the old one ends here */
    W4Flow *old = rec->flow;
    if (!old->closed)
      w4_flow_close (old, W4_CLOSE_REUSED, pkt->fi->frame, pkt->fi->ts);
    w4_flow_destroy (old);
  }
  if (rec->flow != NULL)
    w4_num_follow (rec->flow, rec);
  return rec;
}

void
w4_num_init (W4Dissect *dis)
{
  dis->recs = g_hash_table_new (rec_hash, rec_equal);
  dis->rec_order.head = dis->rec_order.tail = NULL;
  if (dis->limits.budget != NULL)
    w4_budget_set_evictor (dis->limits.budget, W4_EVICT_STREAM_NUMBERS, evict_stream_numbers,
                           dis);
}

void
w4_num_free (W4Dissect *dis)
{
  W4ConvRec *rec;

  if (dis->limits.budget != NULL)
    w4_budget_set_evictor (dis->limits.budget, W4_EVICT_STREAM_NUMBERS, NULL, NULL);
  g_hash_table_destroy (dis->recs);
  while ((rec = order_pop (&dis->rec_order)) != NULL) {
    g_free (rec);
    w4_budget_release (dis->limits.budget, W4_MEM_STREAM_NUMBERS, W4_REC_COST);
  }
}
