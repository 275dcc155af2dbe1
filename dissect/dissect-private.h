/* dissect-private.h: what the files of dissect/ share: TCP (dissect.c,
 * flow.c, tcp-number.c, tcp-reasm.c), the seam above it (app.c) and the
 * stream protocols (h1.c, tls.c, h2.c). Nothing here is seen by other
 * stages. */
#pragma once

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "why401-dissect"
#endif

#include "dissect.h"
#include "tls-hello.h"
#include "w4-budget.h"
#include "w4-reader.h"

G_BEGIN_DECLS

/* Which frame carried the stream bytes from @off on (within one chunk). */
typedef struct {
  guint32 off;
  guint64 frame;
  W4Time ts;
} W4FrameMark;

/* In-order stream bytes of one direction, handed from TCP (or, later, TLS)
 * to the protocol above it. @marks is sorted by off, marks[0].off == 0
 * (packet lifetime, like @data). */
typedef struct {
  const guint8 *data;
  gsize len;
  const W4FrameMark *marks;
  guint n_marks;
  /* TRUE when the chunk starts at a segment boundary: only there may a
   * direction that lost bytes start over (a message start in the middle of
   * a segment is far more likely to be body text that looks like one). */
  gboolean seg_start;
} W4Chunk;

typedef struct W4Flow W4Flow;

/* --- the seam above TCP (app.c) ----------------------------------------- */

/* What a protocol says about a direction's first bytes. */
typedef enum {
  W4_PROBE_NO,        /* not this protocol */
  W4_PROBE_YES,       /* this protocol's start */
  W4_PROBE_NEED_MORE, /* a prefix of its start: too short to tell */
} W4Probe;

/* What a probe knows besides the bytes. */
typedef struct {
  W4Dir dir;
  /* no SYN was seen on this direction: the capture joined the connection
   * late, so its first bytes need not be the protocol's first ones */
  gboolean midstream;
  /* bytes of the direction were lost before any protocol was chosen: only
   * an unmistakable start at a segment boundary may be taken */
  gboolean lost;
  gboolean seg_start; /* the bytes start a TCP segment */
} W4ProbeAt;

/* The protocols a connection can hold a state for (W4Flow.app_state). */
typedef enum {
  W4_PROTO_H1,
  W4_PROTO_TLS,
  W4_PROTO_H2,
  W4_PROTO_COUNT
} W4ProtoId;

/* One protocol above a byte stream, per direction: TCP reassembly (and,
 * once TLS is decrypted, the TLS layer) feeds it in-order chunks. One
 * state per connection serves both directions (@new is called when the
 * first direction chooses it). */
typedef struct {
  const char *name;
  W4ProtoId id;
  W4Probe (*probe) (const W4ProbeAt *at, const guint8 *data, gsize len);
  /* At the start of a stream, a NEED_MORE is enough to choose it: its
   * parser checks the rest of its start itself (llhttp does). */
  gboolean prefix_is_enough;
  /* @on: the connection record of the layer its bytes run on (the TCP
   * connection's, a tunnel's, a decrypted TLS session's): its events carry
   * it. */
  void *(*new) (W4Flow *flow, const W4ConnInfo *on);
  void (*free) (void *st);
  void (*feed) (void *st, W4Dir dir, const W4Chunk *chunk);
  /* @lost bytes of @dir were lost before the next chunk, noticed at @at.
   * 0: the stream is cut here for this protocol (another one took the
   * connection over): what is in progress ends incomplete. */
  void (*gap) (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at);
  /* The direction ended (FIN, RST, eviction or end of input) at @at. */
  void (*eof) (void *st, W4Dir dir, const W4FrameMark *at);
} W4StreamProto;

/* One direction's place in the seam (flow lifetime). */
typedef struct {
  const W4StreamProto *proto; /* NULL: not chosen yet */
  void *st;                   /* its state (app->state[proto->id]) */
  gboolean lost;              /* bytes were lost before a protocol was chosen */
  gboolean done;              /* nothing more of this direction is read */
} W4AppHalf;

typedef struct W4FlowLayer W4FlowLayer;

/* What a connection holds above TCP (W4Flow.app): made when its first
 * stream byte or loss reaches the seam, so a connection that never carries
 * data (a SYN flood's) costs its W4Flow alone. */
typedef struct {
  W4AppHalf half[2]; /* by W4Dir: the protocol each direction speaks */
  /* by W4ProtoId: one state per protocol, created when a direction first
   * chooses it and shared by both directions (HTTP/1's pending methods,
   * TLS's handshake) */
  void *state[W4_PROTO_COUNT];
  /* The record the protocols that the seam chooses next run on: the TCP
   * connection's (W4Flow.info) until a CONNECT tunnel starts. */
  const W4ConnInfo *top;
  W4FlowLayer *layers; /* newest first; only flows with TLS or a tunnel have any */
  guint n_layers;
} W4FlowApp;

struct W4Dissect;

/* Segments of one direction that arrived ahead of the next expected byte
 * (tcp-reasm.c): made at the first such segment, freed when it empties. */
typedef struct {
  GQueue segs; /* W4Seg*, sorted by seq */
  gsize bytes;
} W4OooQueue;

/* One TCP direction's reassembly state (flow lifetime). Every connection
 * has two, even one that never carries a byte (a SYN flood has a million):
 * flags in bits, the out-of-order queue only once there is one. */
typedef struct {
  guint32 next_seq;
  guint32 fin_seq;      /* sequence number of the FIN */
  guint synced : 1;     /* next_seq is valid */
  guint saw_syn : 1;
  guint fin_seen : 1;
  guint eof : 1;        /* everything up to the FIN was delivered */
  guint payload_seen : 1;
  W4OooQueue *ooo;      /* NULL: nothing queued */
} W4TcpHalf;

typedef struct W4ConvRec W4ConvRec;

/* A connection record of a layer above TCP (a CONNECT tunnel, a decrypted
 * TLS session), made when the layer starts and kept until its flow goes
 * (W4Flow.layers). */
struct W4FlowLayer {
  W4ConnInfo info;
  W4FlowLayer *next;
  char tunnel_to[]; /* a tunnel's target (info.tunnel_to) */
};
/* Layers above one TCP connection: a tunnel and the TLS inside it, or a
 * TLS session and a tunnel through an HTTPS proxy, nest two or three deep;
 * deeper nesting is not read (the bound keeps a hostile capture from
 * growing a list per connection). */
#define W4_FLOW_LAYERS_MAX 4

struct W4Flow {
  struct W4Dissect *dis;
  W4ConnInfo info;
  W4ConvRec *rec;
  /* ep[W4_DIR_TO_SERVER] is the client (the sender of to-server bytes) */
  guint roles_final : 1;
  guint opened : 1;    /* on_conn_open delivered */
  guint closed : 1;    /* on_conn_close delivered: only a tombstone is left */
  guint rst_seen : 1;
  guint in_closed_lru : 1;
  guint64 fin_frame;
  W4Time fin_ts;
  guint64 first_frame;
  W4Time first_ts;
  W4Time last_ts;
  guint64 last_frame;
  W4Flow *lru_prev, *lru_next; /* in dis->lru_open or dis->lru_closed */
  W4TcpHalf tcp[2];    /* by W4Dir */
  W4FlowApp *app;      /* NULL until the seam has something to read (app.c) */
};


/* --- app.c ---------------------------------------------------------------- */

/* Stream bytes of @dir in order (from TCP now, from TLS later): the first
 * ones choose the direction's protocol. */
void w4_app_feed (W4Flow *flow, W4Dir dir, const W4Chunk *chunk);
/* @count (> 0) bytes of @dir were lost before the next chunk. */
void w4_app_gap (W4Flow *flow, W4Dir dir, guint64 count, guint64 frame, W4Time ts);
/* The direction ended (FIN, RST, eviction or end of input). */
void w4_app_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts);
/* Nothing more of @dir is read: TCP may drop its bytes uncopied. */
static inline gboolean
w4_app_done (const W4Flow *flow, W4Dir dir)
{
  return flow->app != NULL && flow->app->half[dir].done;
}
/* The flow's part above TCP, made on first use (charged to W4_MEM_FLOWS). */
W4FlowApp *w4_app_of (W4Flow *flow);
/* The record the protocols chosen next run on (W4FlowApp.top). */
static inline const W4ConnInfo *
w4_app_top (const W4Flow *flow)
{
  return flow->app != NULL ? flow->app->top : &flow->info;
}
/* Could a direction that TCP joined late start at these bytes (a segment's
 * first ones)? */
gboolean w4_app_starts_stream (W4Dir dir, const guint8 *data, gsize len);
/* The protocol that @probe would choose for a direction's first chunk, or
 * NULL (not a protocol dissect reads; with @at->lost: wait for a start). */
const W4StreamProto *w4_app_choose (const W4ProbeAt *at, const guint8 *data, gsize len);

/* For the protocols: */
/* Nothing more of @dir is read by its protocol. */
void w4_app_stop (W4Flow *flow, W4Dir dir);
/* Both directions choose their protocol again from their next bytes (a
 * CONNECT tunnel); the states stay (HTTP/1 numbering goes on). */
void w4_app_restart (W4Flow *flow);
/* @proto takes over both directions from here on (an HTTP/1 connection
 * upgraded to h2c, a preface that makes the whole connection HTTP/2): the
 * protocols there until now see their stream cut, and @proto reads what
 * comes next on both. */
void w4_app_take_over (W4Flow *flow, const W4StreamProto *proto);
/* The connection's state of @id, or NULL. */
static inline void *
w4_app_state (const W4Flow *flow, W4ProtoId id)
{
  return flow->app != NULL ? flow->app->state[id] : NULL;
}
/* Frees every protocol state and the part above TCP with its layers (the
 * flow is stripped after its close). */
void w4_app_clear (W4Flow *flow);

/* --- h1.c: HTTP/1 (llhttp, and only here) ---------------------------------- */

extern const W4StreamProto w4_h1_proto;
/* Would these first bytes of a segment start an HTTP/1 message in @dir? */
gboolean w4_h1_starts_message (W4Dir dir, const guint8 *data, gsize len);
/* HTTP/1 states kept for reuse once their flow is done (W4Dissect): flows
 * come and go by the thousand in a busy capture, and a recycled state
 * saves its allocations. */
#define W4_H1_SPARE 16
/* Frees the kept ones (w4_dis_free). */
void w4_h1_free_spares (W4Dissect *dis);
/* Has @flow been HTTP/1 on either direction (so lost bytes are lost HTTP)? */
gboolean w4_h1_is_http (const W4Flow *flow);
/* Is a field of that name one a rule reads (credentials, challenges,
 * cookies...: kept under auth-header-bytes)? h2.c asks too. */
gboolean w4_h1_field_is_auth_relevant (W4Dir dir, const guint8 *name, gsize len);

/* --- tls.c: the TLS layer (tls-hello.c reads its hellos) -------------------- */

extern const W4StreamProto w4_tls_proto;
/* A TLS record header at the start of @data: a handshake record, or with
 * @app_data_too an application data record too. */
W4Probe w4_tls_probe_record (const guint8 *data, gsize len, gboolean app_data_too);
/* The connection was opened (on_conn_open): an on_tls held back until then
 * is delivered. */
void w4_tls_opened (W4Flow *flow);
/* The connection closes: an on_tls still waiting for the server's first
 * bytes goes out without them (before on_conn_open and on_conn_close). */
void w4_tls_closing (W4Flow *flow);
/* Did decrypted TLS on @flow carry HTTP/1 or HTTP/2 (so lost bytes are lost HTTP)? */
gboolean w4_tls_carries_http (const W4Flow *flow);
/* The record of the decrypted TLS session on @flow once it carries a
 * protocol, or NULL. */
const W4ConnInfo *w4_tls_session_record (const W4Flow *flow);

/* --- h2.c: HTTP/2 frames and streams (h2-hpack.c: HPACK) ------------------- */

extern const W4StreamProto w4_h2_proto;
/* Does @data start with HTTP/2's client connection preface (RFC 9113 3.4)? */
W4Probe w4_h2_probe_preface (const guint8 *data, gsize len);
/* Does @data start with the server's preface, a SETTINGS frame (a server
 * may send it before the client's preface arrives)? YES or NO only. */
W4Probe w4_h2_probe_server_start (const guint8 *data, gsize len);
/* An HTTP/1 101 switched the connection to h2c (RFC 7540 3.2) at @at:
 * h2.c takes both directions over, stream 1 awaits the upgraded request's
 * response. The bytes after the 101 are fed to it by the caller. */
void w4_h2_upgraded (W4Flow *flow, const W4FrameMark *at);
/* Has @flow spoken HTTP/2 on TCP (so lost bytes are lost HTTP)? */
gboolean w4_h2_is_http (const W4Flow *flow);

/* --- dissect.c (used by the protocols) ------------------------------------------- */

/* Delivers on_conn_open if it was not yet (roles become final). */
void w4_dis_ensure_open (W4Flow *flow);
void w4_dis_anomaly (W4Flow *flow, W4AnomalyKind kind, W4Dir dir, guint64 frame, W4Time ts,
                     W4LimitId limit, guint64 count, const char *message);
/* The same, about the layer record @on of @flow (a tunnel's, a TLS
 * session's) rather than the TCP connection's. */
void w4_dis_anomaly_on (W4Flow *flow, const W4ConnInfo *on, W4AnomalyKind kind, W4Dir dir,
                        guint64 frame, W4Time ts, W4LimitId limit, guint64 count,
                        const char *message);
/* The tcp.stream of the last TCP header w4_dis_ip numbered in the current
 * frame, or -1 (for w4-disdump's comparison with tshark). */
gint64 w4_dis_last_stream (struct W4Dissect *dis);

/* --- inside TCP: dissect.c, flow.c, tcp-number.c, tcp-reasm.c ------------ */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* Wireshark's "base sequence" of each direction ([0]: from a, [1]: from b). */
typedef struct {
  guint32 seq[2];
  guint8 set[2]; /* TRUE or FALSE (records are many: kept small) */
} W4SeqBases;

struct W4ConvRec {
  W4Endpoint a, b;       /* a sorts before b */
  guint32 stream;        /* tcp.stream in @stream_file */
  guint stream_file;
  W4SeqBases file_bases; /* as Wireshark sees @stream_file alone: numbering */
  W4SeqBases run_bases;  /* over the whole run: when a connection ends */
  W4Flow *flow;          /* live state, or NULL */
  W4ConvRec *next;       /* the next one in dis->rec_order */
};

/* Records by creation (oldest first): they only leave at the head, so a
 * singly linked list is enough (a record is 88 bytes, not 112). */
typedef struct {
  W4ConvRec *head, *tail;
} W4RecOrder;

/* Flows, least recently used first, linked through W4Flow.lru_prev and
 * lru_next: two pointers a flow rather than a GList's three. */
typedef struct {
  W4Flow *head, *tail;
} W4FlowLru;

struct W4Dissect {
  W4Limits limits;
  W4Sink sink;
  GHashTable *recs;      /* W4ConvRec* (key and value) */
  W4RecOrder rec_order;
  guint64 n_streams;     /* connections in the run (a connection that spans files counts once) */
  guint cur_file;        /* the input file being read */
  guint32 file_streams;  /* tcp.stream numbers given in it */
  guint64 n_flows;
  W4FlowLru lru_open;    /* least recently used first */
  W4FlowLru lru_closed;  /* finishing or closed flows */
  guint64 next_conn_id;
  W4Time now;
  gboolean have_now;
  gboolean frame_clock;  /* w4_dis_frame gives the time: packets do not move it */
  gint64 last_stream;    /* of the last header numbered in this frame, or -1 */
  /* HTTP/1 states of closed flows, buffers and all, for the next flows
   * (h1.c): at most W4_H1_SPARE */
  void *h1_spare[W4_H1_SPARE];
  guint n_h1_spare;
  /* TLS decryption (tls.c): the key store, and the algorithms, fetched
   * when a session first has keys */
  W4Keylog *keylog;
  struct _W4TlsCrypto *crypto;
  gboolean crypto_failed;
};

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

typedef struct {
  guint16 sport, dport;
  guint32 seq, ack;
  guint8 hlen;
  guint16 flags;
} W4TcpHdr;

/* Marks (IP fragments) per segment that we track; capture bounds the
 * fragments of one datagram far below this. */
#define W4_TCP_MAX_MARKS 64
/* Records rotated past the head while looking for one without live state,
 * per eviction: all of them could be live when flows >= records. */
#define W4_REC_EVICT_TRIES 64

/* Idle time after which an open connection's state is dropped: longer than
 * any keep-alive timeout of common servers (nginx 75 s, Apache 5 s), so only
 * dead connections go. */
#define W4_IDLE_OPEN_USEC (G_USEC_PER_SEC * 600)
/* After FIN or RST only late ACKs and retransmissions are expected. */
#define W4_IDLE_CLOSED_USEC (G_USEC_PER_SEC * 60)

/* dissect.c */
static inline const W4Sink *
w4_dis_sink (W4Dissect *dis)
{
  return &dis->sink;
}

static inline const W4Limits *
w4_dis_limits (W4Dissect *dis)
{
  return &dis->limits;
}

void w4_dis_limit_anomaly (W4Dissect *dis, W4LimitId limit, guint64 frame, W4Time ts,
                           const char *message);

/* flow.c: the flow table */
W4Flow *w4_flow_new (W4Dissect *dis, W4ConvRec *rec, const W4IpPacket *pkt, const W4Endpoint *src,
                     const W4Endpoint *dst);
static inline void
w4_lru_unlink (W4FlowLru *q, W4Flow *flow)
{
  if (flow->lru_prev != NULL)
    flow->lru_prev->lru_next = flow->lru_next;
  else
    q->head = flow->lru_next;
  if (flow->lru_next != NULL)
    flow->lru_next->lru_prev = flow->lru_prev;
  else
    q->tail = flow->lru_prev;
  flow->lru_prev = flow->lru_next = NULL;
}

static inline void
w4_lru_push_tail (W4FlowLru *q, W4Flow *flow)
{
  flow->lru_next = NULL;
  flow->lru_prev = q->tail;
  if (q->tail != NULL)
    q->tail->lru_next = flow;
  else
    q->head = flow;
  q->tail = flow;
}

/* Every packet of the flow: it moves to the end of its LRU queue. */
static inline void
w4_flow_touch (W4Flow *flow, guint64 frame, W4Time ts)
{
  W4FlowLru *q = flow->in_closed_lru ? &flow->dis->lru_closed : &flow->dis->lru_open;

  flow->last_ts = ts;
  flow->last_frame = frame;
  if (q->tail == flow)
    return;
  w4_lru_unlink (q, flow);
  w4_lru_push_tail (q, flow);
}
void w4_flow_to_closed_lru (W4Flow *flow);
void w4_flow_swap_roles (W4Flow *flow);
/* A new record for a @layer that runs inside @outer (a record of @flow):
 * the TCP connection's numbers and endpoints, with its own layer and
 * outer, and for a tunnel @tunnel_to (its CONNECT's target; NULL for other
 * layers; copied). NULL past W4_FLOW_LAYERS_MAX: the layer is not read. */
const W4ConnInfo *w4_flow_push_layer (W4Flow *flow, W4ConnLayer layer, const W4ConnInfo *outer,
                                      const char *tunnel_to);
/* The TCP record's numbers or roles changed: its layers follow. */
void w4_flow_sync_layers (W4Flow *flow);
void w4_flow_close (W4Flow *flow, W4CloseReason why, guint64 frame, W4Time ts);
void w4_flow_evict (W4Flow *flow, W4CloseReason why);
void w4_flow_destroy (W4Flow *flow);
void w4_flow_expire_idle_now (W4Dissect *dis);
/* Every frame: flows idle too long by capture time are evicted (the
 * common case, nothing to do, is checked here without a call). */
static inline void
w4_flow_expire_idle (W4Dissect *dis)
{
  W4Flow *closed = dis->lru_closed.head;
  W4Flow *open = dis->lru_open.head;

  if ((closed != NULL && w4_time_diff_usec (closed->last_ts, dis->now) > W4_IDLE_CLOSED_USEC) ||
      (open != NULL && w4_time_diff_usec (open->last_ts, dis->now) > W4_IDLE_OPEN_USEC))
    w4_flow_expire_idle_now (dis);
}
void w4_flow_make_room (W4Dissect *dis, const W4FrameInfo *fi);
/* Registers the flow table's evictors (W4_EVICT_IDLE_FLOWS, W4_EVICT_FLOWS)
 * with the run's budget, if there is one. */
void w4_flow_register_evictors (W4Dissect *dis);

/* tcp-number.c: tcp.stream numbers */
void w4_num_init (W4Dissect *dis);
void w4_num_free (W4Dissect *dis);
/* A new input file starts: Wireshark numbers it on its own. */
static inline void
w4_num_note_file (W4Dissect *dis, const W4FrameInfo *fi)
{
  if (fi->file_index == dis->cur_file)
    return;
  dis->cur_file = fi->file_index;
  dis->file_streams = 0;
}
/* Numbers one TCP header (a new connection on the same ports ends the old
 * one's flow); returns its connection's record. */
W4ConvRec *w4_num_segment (W4Dissect *dis, const W4Endpoint *src, const W4Endpoint *dst,
                           const W4TcpHdr *h, const W4IpPacket *pkt);

/* tcp-reasm.c: one direction's bytes in order */
/* One TCP segment of @flow from @src: roles, RST, SYN, ACK, payload, FIN. */
void w4_reasm_segment (W4Flow *flow, const W4TcpHdr *h, const W4IpPacket *pkt,
                       const W4Endpoint *src);
void w4_reasm_flush (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts);
void w4_reasm_clear (W4Budget *budget, W4TcpHalf *t);

G_END_DECLS
