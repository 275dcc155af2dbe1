/* dissect.c: TCP connections out of IP datagrams: Wireshark's tcp.stream
 * numbering, the flow table, and reassembly of each direction.
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
 *    bases, across files, so a rotated capture is analysed as one.
 *
 * Flows: live state per connection, bounded by W4_LIMIT_FLOWS (the
 * idle-longest is evicted). Idle connections expire by capture time: 10 min
 * without a packet, 1 min once a FIN or RST was seen (a closed connection's
 * state is only kept so that its last ACKs and retransmissions do not open
 * it again).
 *
 * Reassembly (RFC 9293 3.4, 3.10): per direction, in-order data goes
 * straight to the HTTP layer (h1.c) without a copy; segments ahead of the
 * next expected byte are copied into a queue bounded by
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
 * a TLS record, so TLS is still recognised). Who is the client: the sender
 * of the SYN; without one, the side that sends a request line; else the
 * side of the higher port (servers listen on the low, well-known ones).
 *
 * Deliberately ignored: checksums (offloading makes them wrong in captures
 * taken on the sending host; Wireshark does not check them by default either),
 * urgent data, window and timestamp options, and payload of RST segments. */
#include "dissect-private.h"

#include <string.h>

/* Idle time after which an open connection's state is dropped: longer than
 * any keep-alive timeout of common servers (nginx 75 s, Apache 5 s), so only
 * dead connections go. */
#define W4_IDLE_OPEN_USEC (G_USEC_PER_SEC * 600)
/* After FIN or RST only late ACKs and retransmissions are expected. */
#define W4_IDLE_CLOSED_USEC (G_USEC_PER_SEC * 60)
/* A segment more than this far ahead of the next expected byte is not a
 * reordering but a corrupt or foreign sequence number: dropped. */
#define W4_TCP_MAX_AHEAD (1u << 30)
/* Marks (IP fragments) per segment that we track; capture bounds the
 * fragments of one datagram far below this. */
#define W4_TCP_MAX_MARKS 64
/* Records rotated past the head while looking for one without live state,
 * per eviction: all of them could be live when flows >= records. */
#define W4_REC_EVICT_TRIES 64

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* Wireshark's "base sequence" of each direction ([0]: from a, [1]: from b). */
typedef struct {
  guint32 seq[2];
  gboolean set[2];
} W4SeqBases;

struct W4ConvRec {
  W4Endpoint a, b;       /* a sorts before b */
  guint32 stream;        /* tcp.stream in @stream_file */
  guint stream_file;
  W4SeqBases file_bases; /* as Wireshark sees @stream_file alone: numbering */
  W4SeqBases run_bases;  /* over the whole run: when a connection ends */
  W4Flow *flow;          /* live state, or NULL */
  GList order_link;      /* in dis->rec_order */
};

typedef struct {
  guint32 seq;
  guint32 len;
  guint8 *data;
  W4FrameMark *marks;
  guint n_marks;
} W4Seg;

struct W4Dissect {
  W4Limits limits;
  W4Sink sink;
  GHashTable *recs;      /* W4ConvRec* (key and value) */
  GQueue rec_order;      /* by creation */
  guint64 n_streams;     /* connections in the run (a connection that spans files counts once) */
  guint cur_file;        /* the input file being read */
  guint32 file_streams;  /* tcp.stream numbers given in it */
  guint64 n_flows;
  GQueue lru_open;       /* W4Flow, least recently used first */
  GQueue lru_closed;     /* finishing or closed flows */
  guint64 next_conn_id;
  W4Time now;
  gboolean have_now;
  gboolean frame_clock;  /* w4_dis_frame gives the time: packets do not move it */
  guint64 not_http_dirs;
  gint64 last_stream;    /* of the last header numbered in this frame, or -1 */
};

/* ---- helpers for h1.c ---------------------------------------------------- */

const W4Sink *
w4_dis_sink (W4Dissect *dis)
{
  return &dis->sink;
}

const W4Limits *
w4_dis_limits (W4Dissect *dis)
{
  return &dis->limits;
}

void
w4_dis_count_not_http (W4Dissect *dis)
{
  dis->not_http_dirs++;
}

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
  W4Anomaly a = { 0 };

  w4_dis_ensure_open (flow);
  a.kind = kind;
  a.frame = frame;
  a.ts = ts;
  a.limit = limit;
  a.conn = &flow->info;
  a.dir = dir;
  a.count = count;
  a.message = message;
  emit_anomaly (flow->dis, &a);
}

static void
limit_anomaly (W4Dissect *dis, W4LimitId limit, guint64 frame, W4Time ts, const char *message)
{
  W4Anomaly a = { 0 };

  a.kind = W4_ANOM_LIMIT;
  a.frame = frame;
  a.ts = ts;
  a.limit = limit;
  a.message = message;
  emit_anomaly (dis, &a);
}

/* ---- connection records (numbering) --------------------------------------- */

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

/* w4_endpoint_equal, inlined: every packet needs two to four of these.
 * Fixed-size compares, so the compiler needs no memcmp call. */
static inline gboolean
ep_equal (const W4Endpoint *x, const W4Endpoint *y)
{
  if (x->port != y->port || x->addr.family != y->addr.family)
    return FALSE;
  if (x->addr.family == 4)
    return memcmp (x->addr.a, y->addr.a, 4) == 0;
  return memcmp (x->addr.a, y->addr.a, 16) == 0;
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

/* ---- flows ------------------------------------------------------------------- */

static GQueue *
flow_lru (W4Flow *flow)
{
  return flow->in_closed_lru ? &flow->dis->lru_closed : &flow->dis->lru_open;
}

static void
flow_touch (W4Flow *flow, guint64 frame, W4Time ts)
{
  GQueue *q = flow_lru (flow);

  flow->last_ts = ts;
  flow->last_frame = frame;
  g_queue_unlink (q, &flow->lru_link);
  g_queue_push_tail_link (q, &flow->lru_link);
}

static void
flow_to_closed_lru (W4Flow *flow)
{
  if (flow->in_closed_lru)
    return;
  g_queue_unlink (&flow->dis->lru_open, &flow->lru_link);
  flow->in_closed_lru = TRUE;
  g_queue_push_tail_link (&flow->dis->lru_closed, &flow->lru_link);
}

void
w4_dis_ensure_open (W4Flow *flow)
{
  W4Dissect *dis = flow->dis;
  W4FrameInfo fi = { 0 };

  if (flow->opened)
    return;
  flow->opened = TRUE;
  flow->roles_final = TRUE;
  fi.frame = flow->first_frame;
  fi.ts = flow->first_ts;
  fi.file_index = flow->info.file_index;
  if (dis->sink.on_conn_open)
    dis->sink.on_conn_open (dis->sink.user, &flow->info, &fi);
}

static void
seg_free (W4Seg *s)
{
  g_free (s->data);
  g_free (s->marks);
  g_free (s);
}

static void
tcp_half_clear (W4TcpHalf *t)
{
  W4Seg *s;

  while ((s = g_queue_pop_head (&t->ooo)) != NULL)
    seg_free (s);
  t->ooo_bytes = 0;
}

static W4Flow *
flow_new (W4Dissect *dis, W4ConvRec *rec, const W4IpPacket *pkt, const W4Endpoint *src,
          const W4Endpoint *dst)
{
  W4Flow *flow = g_new0 (W4Flow, 1);

  flow->dis = dis;
  flow->rec = rec;
  flow->info.conn_id = dis->next_conn_id++;
  flow->info.stream = flow->info.first_stream = flow->info.prev_stream = rec->stream;
  flow->info.stream_file = flow->info.prev_stream_file = rec->stream_file;
  flow->info.file_index = pkt->fi->file_index;
  flow->first_frame = pkt->fi->frame;
  flow->first_ts = pkt->fi->ts;
  flow->last_ts = pkt->fi->ts;
  /* tentative roles until a SYN or the first HTTP bytes say otherwise:
   * servers listen on the lower, well-known port */
  if (src->port < dst->port) {
    flow->info.server = *src;
    flow->info.client = *dst;
  } else {
    flow->info.client = *src;
    flow->info.server = *dst;
  }
  g_queue_init (&flow->tcp[0].ooo);
  g_queue_init (&flow->tcp[1].ooo);
  w4_h1_init (flow);
  flow->lru_link.data = flow;
  g_queue_push_tail_link (&dis->lru_open, &flow->lru_link);
  rec->flow = flow;
  dis->n_flows++;
  return flow;
}

/* Frees the heavy parts (parsers, queues) of a closed flow. */
static void
flow_strip (W4Flow *flow)
{
  tcp_half_clear (&flow->tcp[0]);
  tcp_half_clear (&flow->tcp[1]);
  w4_h1_clear (flow);
  w4_tls_clear (flow);
}

static void
flow_destroy (W4Flow *flow)
{
  W4Dissect *dis = flow->dis;

  g_queue_unlink (flow_lru (flow), &flow->lru_link);
  if (flow->rec != NULL && flow->rec->flow == flow)
    flow->rec->flow = NULL;
  flow_strip (flow);
  dis->n_flows--;
  g_free (flow);
}

static void
swap_roles (W4Flow *flow)
{
  W4Endpoint e = flow->info.client;
  W4TcpHalf t = flow->tcp[0];

  flow->info.client = flow->info.server;
  flow->info.server = e;
  flow->tcp[0] = flow->tcp[1];
  flow->tcp[1] = t;
}

/* ---- reassembly --------------------------------------------------------------- */

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
build_marks (const W4IpPacket *pkt, gsize hlen, W4FrameMark *marks)
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
  w4_h1_feed (flow, dir, &c);
}

static void
declare_gap (W4Flow *flow, W4Dir dir, guint64 count, guint64 frame, W4Time ts)
{
  W4TcpHalf *t = &flow->tcp[dir];

  if (count == 0)
    return;
  t->gap_bytes += count;
  /* The report's gap info is about lost HTTP: bytes lost from FTP, SSH or
   * TLS we do not read are only counted. */
  if (w4_h1_is_http (flow))
    w4_dis_anomaly (flow, W4_ANOM_GAP, dir, frame, ts, W4_LIMIT_COUNT, count,
                    "bytes of this direction were not captured");
  w4_h1_gap (flow, dir, count, frame, ts);
}

/* Delivers queued segments that now follow on. */
static void
drain_queue (W4Flow *flow, W4Dir dir)
{
  W4TcpHalf *t = &flow->tcp[dir];
  W4Seg *s;

  while ((s = g_queue_peek_head (&t->ooo)) != NULL) {
    gint32 ahead = seq_diff (s->seq, t->next_seq);
    if (ahead > 0)
      break;
    g_queue_pop_head (&t->ooo);
    t->ooo_bytes -= s->len;
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
  W4Seg *s = g_queue_peek_head (&t->ooo);

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
acked_holes (W4Flow *flow, W4Dir dir, guint32 ack)
{
  W4TcpHalf *t = &flow->tcp[dir];
  guint max = t->ooo.length; /* each round drops at least one segment */

  for (guint i = 0; i < max && t->synced; i++) {
    W4Seg *s = g_queue_peek_head (&t->ooo);
    if (s == NULL || seq_diff (ack, t->next_seq) <= 0 || seq_diff (s->seq, t->next_seq) <= 0)
      break;
    skip_first_hole (flow, dir);
  }
}

static gboolean
dir_is_dead (W4Flow *flow, W4Dir dir)
{
  /* a TLS client direction lives on until its ClientHello is read */
  if (dir == W4_DIR_TO_SERVER && w4_tls_hello_pending (flow))
    return FALSE;
  return flow->http_stopped || flow->h1[dir].mode == W4_H1_STOPPED;
}

static void
check_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts)
{
  W4TcpHalf *t = &flow->tcp[dir];

  if (t->fin_seen && !t->eof && t->synced && seq_diff (t->next_seq, t->fin_seq) >= 0) {
    t->eof = TRUE;
    w4_h1_eof (flow, dir, frame, ts);
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
                    (t->ooo.length >= dis->limits.v[W4_LIMIT_OOO_SEGMENTS] ||
                     t->ooo_bytes + len > dis->limits.v[W4_LIMIT_REASM_BYTES]);
       i++) {
    W4LimitId which = t->ooo.length >= dis->limits.v[W4_LIMIT_OOO_SEGMENTS]
                          ? W4_LIMIT_OOO_SEGMENTS
                          : W4_LIMIT_REASM_BYTES;
    if (t->ooo.length == 0)
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
  if (len > dis->limits.v[W4_LIMIT_REASM_BYTES]) {
    /* a single segment over the budget: the hole before it is lost */
    w4_dis_anomaly (flow, W4_ANOM_LIMIT, dir, marks[0].frame, marks[0].ts,
                    W4_LIMIT_REASM_BYTES, 0, "out-of-order segment larger than the limit");
    declare_gap (flow, dir, seq - t->next_seq, marks[0].frame, marks[0].ts);
    t->next_seq = seq;
    deliver (flow, dir, data, len, 0, marks, n_marks);
    t->next_seq = seq + (guint32) len;
    return;
  }

  s = g_new0 (W4Seg, 1);
  s->seq = seq;
  s->len = (guint32) len;
  s->data = g_memdup2 (data, len);
  s->marks = g_memdup2 (marks, sizeof *marks * n_marks);
  s->n_marks = n_marks;
  /* sorted by seq; equal seq: the first copy stays first (first data wins
   * when both are delivered, the later one is then a retransmission) */
  for (l = t->ooo.tail; l != NULL; l = l->prev) {
    W4Seg *o = l->data;
    if (seq_diff (o->seq, seq) <= 0)
      break;
  }
  if (l == NULL)
    g_queue_push_head (&t->ooo, s);
  else
    g_queue_insert_after (&t->ooo, l, s);
  t->ooo_bytes += len;
}

/* One segment's payload in @dir (captured bytes @data/@len of @claimed). */
static void
tcp_payload (W4Flow *flow, W4Dir dir, guint32 seq, const guint8 *data, gsize len, gsize claimed,
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
    if (len == 0 || !(w4_h1_starts_message (dir, data, len) || w4_h1_looks_tls (data, len, TRUE) ||
                      w4_h1_starts_h2_preface (data, len))) {
      t->skipped_bytes += claimed;
      t->nosync_segments++;
      return;
    }
    t->synced = TRUE;
    t->next_seq = seq;
  }

  if (dir_is_dead (flow, dir)) {
    /* nothing more is parsed here: count, do not copy */
    flow->h1[dir].unparsed_bytes += claimed;
    tcp_half_clear (t);
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
static void
flush_direction (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts)
{
  W4TcpHalf *t = &flow->tcp[dir];

  guint max = t->ooo.length + 1; /* each round delivers or drops at least one segment */

  for (guint i = 0; i < max && skip_first_hole (flow, dir); i++)
    ;
  if (t->fin_seen && t->synced && seq_diff (t->fin_seq, t->next_seq) > 0 &&
      !dir_is_dead (flow, dir)) {
    declare_gap (flow, dir, t->fin_seq - t->next_seq, frame, ts);
    t->next_seq = t->fin_seq;
  }
}

/* ---- closing ------------------------------------------------------------------ */

static void
flow_close (W4Flow *flow, W4CloseReason why, guint64 frame, W4Time ts)
{
  W4Dissect *dis = flow->dis;

  if (flow->closed)
    return;
  for (int d = 0; d < 2; d++) {
    flush_direction (flow, (W4Dir) d, frame, ts);
    w4_h1_eof (flow, (W4Dir) d, frame, ts);
  }
  w4_dis_ensure_open (flow);
  flow->closed = TRUE;
  if (dis->sink.on_conn_close)
    dis->sink.on_conn_close (dis->sink.user, &flow->info, why, frame, ts);
  flow_strip (flow);
  flow_to_closed_lru (flow);
}

/* Closes (if still open) and forgets a flow's live state; its record keeps
 * the stream number. */
static void
flow_evict (W4Flow *flow, W4CloseReason why)
{
  if (!flow->closed) {
    /* A connection that saw FINs and then went quiet ended with them; one
     * FIN and silence until eviction too. At the end of input a half-closed
     * connection was still open. */
    gboolean both_fin = flow->tcp[0].fin_seen && flow->tcp[1].fin_seen;
    if (flow->fin_frame != 0 && (both_fin || why == W4_CLOSE_EVICTED))
      flow_close (flow, W4_CLOSE_FIN, flow->fin_frame, flow->fin_ts);
    else
      flow_close (flow, why, flow->last_frame, flow->last_ts);
  }
  flow_destroy (flow);
}

static void
expire_idle (W4Dissect *dis)
{
  W4Flow *flow;

  /* each round removes the head, so the queues bound the loops */
  while ((flow = g_queue_peek_head (&dis->lru_closed)) != NULL &&
         w4_time_diff_usec (flow->last_ts, dis->now) > W4_IDLE_CLOSED_USEC)
    flow_evict (flow, W4_CLOSE_EVICTED);
  while ((flow = g_queue_peek_head (&dis->lru_open)) != NULL &&
         w4_time_diff_usec (flow->last_ts, dis->now) > W4_IDLE_OPEN_USEC)
    flow_evict (flow, W4_CLOSE_EVICTED);
}

static void
make_room_for_flow (W4Dissect *dis, const W4FrameInfo *fi)
{
  W4Flow *flow;

  if (dis->n_flows < dis->limits.v[W4_LIMIT_FLOWS])
    return;
  /* closed or closing flows go first: they hold the least */
  flow = g_queue_peek_head (&dis->lru_closed);
  if (flow == NULL)
    flow = g_queue_peek_head (&dis->lru_open);
  if (flow == NULL)
    return;
  limit_anomaly (dis, W4_LIMIT_FLOWS, fi->frame, fi->ts,
                 "too many connections at once: the idle-longest was dropped");
  flow_evict (flow, W4_CLOSE_EVICTED);
}

static void
rec_remove (W4Dissect *dis, W4ConvRec *rec)
{
  g_queue_unlink (&dis->rec_order, &rec->order_link);
  g_hash_table_remove (dis->recs, rec);
  g_free (rec);
}

static void
make_room_for_rec (W4Dissect *dis, const W4FrameInfo *fi)
{
  if (g_hash_table_size (dis->recs) < dis->limits.v[W4_LIMIT_STREAM_NUMBERS])
    return;
  for (guint i = 0; i < W4_REC_EVICT_TRIES; i++) {
    GList *l = g_queue_peek_head_link (&dis->rec_order);
    W4ConvRec *rec;
    if (l == NULL)
      return;
    rec = l->data;
    if (rec->flow == NULL) {
      limit_anomaly (dis, W4_LIMIT_STREAM_NUMBERS, fi->frame, fi->ts,
                     "too many connections to remember: an old one may be numbered anew");
      rec_remove (dis, rec);
      return;
    }
    /* live: keep it, look further */
    g_queue_unlink (&dis->rec_order, l);
    g_queue_push_tail_link (&dis->rec_order, l);
  }
}

/* ---- packets -------------------------------------------------------------------- */

typedef struct {
  guint16 sport, dport;
  guint32 seq, ack;
  guint8 hlen;
  guint16 flags;
} W4TcpHdr;

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

static W4ConvRec *
lookup_rec (W4Dissect *dis, const W4Endpoint *src, const W4Endpoint *dst, int *side,
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
  rec->order_link.data = rec;
  g_queue_push_tail_link (&dis->rec_order, &rec->order_link);
  g_hash_table_add (dis->recs, rec);
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
number_packet (W4Dissect *dis, W4ConvRec *rec, int side, const W4TcpHdr *h,
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
flow_follow_stream (W4Flow *flow, const W4ConvRec *rec)
{
  W4ConnInfo *info = &flow->info;

  if (info->stream_file != rec->stream_file) {
    info->prev_stream = info->stream;
    info->prev_stream_file = info->stream_file;
  }
  info->stream = rec->stream;
  info->stream_file = rec->stream_file;
}

/* A new input file starts: Wireshark numbers it on its own. */
static void
note_file (W4Dissect *dis, const W4FrameInfo *fi)
{
  if (fi->file_index == dis->cur_file)
    return;
  dis->cur_file = fi->file_index;
  dis->file_streams = 0;
}

static void
handle_segment (W4Dissect *dis, W4Flow *flow, const W4TcpHdr *h, const W4IpPacket *pkt,
                const W4Endpoint *src)
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
      swap_roles (flow);
    flow->roles_final = TRUE;
  } else if (!flow->roles_final && len > 0) {
    gboolean req = w4_h1_starts_message (W4_DIR_TO_SERVER, payload, len);
    gboolean resp = w4_h1_starts_message (W4_DIR_TO_CLIENT, payload, len);
    if (req || resp) {
      if (ep_equal (src, &flow->info.client) != req)
        swap_roles (flow);
      flow->roles_final = TRUE;
    }
  }
  dir = ep_equal (src, &flow->info.client) ? W4_DIR_TO_SERVER : W4_DIR_TO_CLIENT;
  t = &flow->tcp[dir];

  if (flow->closed)
    return; /* late ACKs, retransmissions after the end */

  if (h->flags & TH_RST) {
    flow->rst_seen = TRUE;
    flow_close (flow, W4_CLOSE_RST, frame, ts);
    return;
  }

  if (h->flags & TH_SYN) {
    if (!t->saw_syn) {
      t->saw_syn = TRUE;
      t->isn = h->seq;
      if (!t->synced || t->payload_seen == FALSE) {
        t->synced = TRUE;
        t->next_seq = h->seq + 1;
      }
    }
  }

  if (h->flags & TH_ACK)
    acked_holes (flow, dir == W4_DIR_TO_SERVER ? W4_DIR_TO_CLIENT : W4_DIR_TO_SERVER, h->ack);

  n_marks = build_marks (pkt, h->hlen, marks);
  tcp_payload (flow, dir, (h->flags & TH_SYN) ? h->seq + 1 : h->seq, payload, len, claimed,
               marks, n_marks);

  if (h->flags & TH_FIN) {
    if (!t->fin_seen) {
      t->fin_seen = TRUE;
      t->fin_seq = ((h->flags & TH_SYN) ? h->seq + 1 : h->seq) + (guint32) claimed;
      if (flow->fin_frame == 0) {
        flow->fin_frame = frame;
        flow->fin_ts = ts;
      }
      flow_to_closed_lru (flow);
    }
  }
  if (!t->synced && t->fin_seen) {
    /* nothing of this direction was ever parsed: it just ended */
    t->eof = TRUE;
  }
  check_eof (flow, dir, frame, ts);
  if (flow->tcp[0].fin_seen && flow->tcp[1].fin_seen) {
    gboolean both_done = TRUE;
    for (int d = 0; d < 2; d++) {
      W4TcpHalf *x = &flow->tcp[d];
      if (!x->eof && x->synced && x->ooo.length > 0)
        both_done = FALSE;
    }
    if (both_done)
      flow_close (flow, W4_CLOSE_FIN, frame, ts);
  }
}

void
w4_dis_ip (W4Dissect *dis, const W4IpPacket *pkt)
{
  W4TcpHdr h;
  W4Endpoint src, dst;
  W4ConvRec *rec;
  W4Flow *flow;
  int side;

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

  note_file (dis, pkt->fi);
  rec = lookup_rec (dis, &src, &dst, &side, pkt->fi);
  if (number_packet (dis, rec, side, &h, pkt) && rec->flow != NULL) {
    W4Flow *old = rec->flow;
    if (!old->closed)
      flow_close (old, W4_CLOSE_REUSED, pkt->fi->frame, pkt->fi->ts);
    flow_destroy (old);
  }
  if (rec->flow != NULL)
    flow_follow_stream (rec->flow, rec);
  dis->last_stream = rec->stream;
  if (pkt->icmp_quoted || pkt->numbered_only)
    return; /* numbered only: a quoted header carries no data of the connection,
             * and a frame -f rejected is not analysed */

  flow = rec->flow;
  if (flow == NULL) {
    make_room_for_flow (dis, pkt->fi);
    flow = flow_new (dis, rec, pkt, &src, &dst);
  }
  flow_touch (flow, pkt->fi->frame, pkt->fi->ts);
  handle_segment (dis, flow, &h, pkt, &src);
}

void
w4_dis_frame (W4Dissect *dis, const W4FrameInfo *fi)
{
  g_return_if_fail (dis != NULL && fi != NULL);
  note_file (dis, fi);
  dis->last_stream = -1;
  /* The caller's clock: the pipeline's keeps outlier timestamps out, and
   * steps back only when the traffic confirms it (w4-clock.h). */
  dis->now = fi->ts;
  dis->have_now = TRUE;
  dis->frame_clock = TRUE;
  expire_idle (dis);
}

void
w4_dis_finish (W4Dissect *dis)
{
  W4Flow *flow;

  g_return_if_fail (dis != NULL);
  /* oldest first, so events come out in a stable order */
  while ((flow = g_queue_peek_head (&dis->lru_closed)) != NULL)
    flow_evict (flow, W4_CLOSE_END_OF_INPUT);
  while ((flow = g_queue_peek_head (&dis->lru_open)) != NULL)
    flow_evict (flow, W4_CLOSE_END_OF_INPUT);
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
  dis->recs = g_hash_table_new (rec_hash, rec_equal);
  g_queue_init (&dis->rec_order);
  g_queue_init (&dis->lru_open);
  g_queue_init (&dis->lru_closed);
  dis->next_conn_id = 1;
  dis->last_stream = -1;
  return dis;
}

void
w4_dis_free (W4Dissect *dis)
{
  W4Flow *flow;
  GList *l;

  if (dis == NULL)
    return;
  /* no events here: w4_dis_finish is where connections end */
  while ((flow = g_queue_peek_head (&dis->lru_closed)) != NULL)
    flow_destroy (flow);
  while ((flow = g_queue_peek_head (&dis->lru_open)) != NULL)
    flow_destroy (flow);
  g_hash_table_destroy (dis->recs);
  while ((l = g_queue_pop_head_link (&dis->rec_order)) != NULL)
    g_free (l->data);
  g_free (dis);
}
