/* dissect-private.h: what dissect.c (TCP, numbering) and h1.c (HTTP/1)
 * share inside dissect/. Nothing here is seen by other stages. */
#pragma once

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "why401-dissect"
#endif

#include <llhttp.h>

#include "dissect.h"
#include "tls-hello.h"
#include "w4-reader.h"

G_BEGIN_DECLS

/* Which frame carried the stream bytes from @off on (within one chunk). */
typedef struct {
  guint32 off;
  guint64 frame;
  W4Time ts;
} W4FrameMark;

/* In-order stream bytes of one direction, handed from TCP (or, later, TLS)
 * to the HTTP layer. @marks is sorted by off, marks[0].off == 0 (packet
 * lifetime, like @data). */
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

/* A few earlier chunks per direction: the start line's first byte can lie
 * up to 5 bytes before the callback that reveals it ("HTTP/" of a status
 * line), so its frame may be that of an earlier, short segment. */
#define W4_H1_RECENT 8
/* The last bytes fed, for the same look-back. */
#define W4_H1_TAIL 16

typedef struct {
  guint64 base;  /* stream offset of its first byte */
  guint64 len;
  guint64 first_frame, last_frame;
  W4Time first_ts, last_ts;
} W4RecentChunk;

typedef struct {
  guint32 name_off, name_len, value_off, value_len;
  gboolean auth;       /* an authentication-relevant field (its own bound) */
  gboolean value_cut;  /* its value was cut by a limit */
} W4HdrRef;

/* Header field names are read up to this many bytes to tell whether they
 * are authentication-relevant (the longest such name is 29 bytes); a
 * longer name is kept cut to it. */
#define W4_H1_MAX_NAME 256
/* The version ("HTTP/1.x") is the first 8 bytes of what the head scan
 * looks at in the start line; past them, nothing. */
#define W4_H1_LINE_SCAN 8
/* Where the scan of a head is (tolerate_head): request line (before the
 * method, method, target, the rest of the line), then field lines. The
 * order matters: the states up to W4_H1_RL_LINE are the start line's. */
enum {
  W4_H1_RL_START, W4_H1_RL_METHOD, W4_H1_RL_TARGET, W4_H1_RL_LINE,
  W4_H1_HF_START, W4_H1_HF_NAME, W4_H1_HF_VALUE, W4_H1_RL_DONE
};

typedef enum {
  W4_H1_UNDECIDED = 0, /* no payload yet: the first bytes decide */
  W4_H1_ACTIVE,        /* llhttp is parsing */
  W4_H1_RESYNC,        /* lost bytes or a parse error: wait for a message start */
  W4_H1_STOPPED,       /* not HTTP, or upgraded: bytes are only counted */
} W4H1Mode;

typedef struct W4Flow W4Flow;

/* One direction's HTTP/1 state (flow lifetime). */
typedef struct {
  W4Flow *flow;
  W4Dir dir;
  W4H1Mode mode;
  gboolean parser_ready;
  llhttp_t parser;
  guint64 fed;            /* stream bytes given to llhttp since its start */
  guint8 tail[W4_H1_TAIL];
  guint tail_len;
  W4RecentChunk recent[W4_H1_RECENT];
  guint n_recent, recent_next;
  const W4Chunk *cur;     /* the chunk llhttp is executing (packet lifetime) */
  guint64 cur_base;

  /* the message being parsed */
  gboolean in_msg;
  gboolean head_done;      /* on_request/on_response emitted */
  gboolean version_checked;
  GByteArray *hdr;         /* start line pieces + header bytes; reused */
  GArray *refs;            /* W4HdrRef; reused */
  GArray *view;            /* W4Header built at emit time; reused */
  guint32 method_off, method_len, target_off, target_len, reason_off, reason_len;
  int last_cb;             /* which data callback appended last */
  gboolean truncated;
  guint cut;               /* W4_HEAD_CUT_* of this message */
  guint32 ord_len;         /* bytes of hdr under header-bytes (start line, ordinary fields) */
  guint32 auth_len;        /* bytes of hdr under auth-header-bytes */
  guint8 name[W4_H1_MAX_NAME]; /* the field name being read */
  guint32 name_len;
  guint64 start_off;       /* stream offset of the start line */
  guint64 first_frame, last_frame;
  W4Time first_ts, last_ts;
  guint64 last_span_end;   /* stream offset after the last header byte seen */
  guint64 msg_seq;         /* seq of the current message */
  guint64 next_seq;        /* seq the next message gets */
  guint status;
  gboolean interim;
  gboolean keep_body;
  GByteArray *body;        /* kept prefix of a 4xx body; reused */
  guint64 body_total;
  guint64 body_last_frame;
  gboolean stop_after_msg; /* upgrade / CONNECT tunnel: stop the connection after this */
  gboolean body_gap;       /* body bytes were lost (filler fed instead) */
  gboolean skip_field;     /* the field being read is over the count limit */
  gboolean tunnel;          /* a CONNECT's 2xx: the tunnel starts after it */
  gboolean expect_continue;     /* this request waits for 100-continue before its body */
  gboolean body_may_be_skipped; /* ...and got a final answer first */
  gboolean at_boundary;    /* paused after a request, to look at the next method */
  gboolean method_subst;   /* llhttp is reading a stand-in for an unknown method */
  const guint8 *subst_tok; /* the real token (packet lifetime), until reported */
  gsize subst_len;
  guint64 subst_off;

  /* Tolerant reading of the head: bytes llhttp rejects in the request
   * target and in field names (that real servers accept) are fed to it as
   * '_' and put back in what is reported. */
  guint8 rl_state;         /* W4_H1_RL_* / W4_H1_HF_*: where the head scan is */
  guint line_pos;          /* bytes into the start line's version (W4_H1_LINE_SCAN: done) */
  guint odd;               /* W4_HEAD_ODD_* of the message being scanned */
  const guint8 *cur_orig;  /* the chunk's own bytes, while llhttp reads a patched copy */
  guint8 *patched;         /* copy of the chunk being fed, when patched; reused */
  gsize patched_size;

  guint64 unparsed_bytes;  /* bytes seen but not parsed (not HTTP, stopped, resync) */
} W4H1Half;

/* Connection-wide HTTP/1 state: the request methods waiting for their
 * response, so the response parser knows HEAD and CONNECT. */
typedef struct {
  guint8 *methods;   /* ring of llhttp_method_t */
  guint cap, head, count;
  gboolean limit_reported;
} W4H1Pending;

struct W4Dissect;

/* One TCP direction's reassembly state (flow lifetime). */
typedef struct {
  gboolean synced;       /* next_seq is valid */
  gboolean saw_syn;
  guint32 isn;
  guint32 next_seq;
  gboolean fin_seen;
  guint32 fin_seq;       /* sequence number of the FIN */
  gboolean eof;          /* everything up to the FIN was delivered */
  GQueue ooo;            /* W4Seg*, sorted by seq */
  gsize ooo_bytes;
  guint64 gap_bytes;
  guint64 skipped_bytes; /* mid-stream bytes before the first message start */
  guint nosync_segments; /* payload segments seen without a message start */
  gboolean payload_seen;
} W4TcpHalf;

typedef struct W4ConvRec W4ConvRec;

struct W4Flow {
  struct W4Dissect *dis;
  W4ConnInfo info;
  W4ConvRec *rec;
  /* ep[W4_DIR_TO_SERVER] is the client (the sender of to-server bytes) */
  gboolean roles_final;
  gboolean opened;     /* on_conn_open delivered */
  gboolean closed;     /* on_conn_close delivered: only a tombstone is left */
  gboolean rst_seen;
  guint64 fin_frame;
  W4Time fin_ts;
  guint64 first_frame;
  W4Time first_ts;
  W4Time last_ts;
  guint64 last_frame;
  GList lru_link;      /* in dis->lru_open or dis->lru_closed */
  gboolean in_closed_lru;
  W4TcpHalf tcp[2];    /* by W4Dir */
  W4H1Half h1[2];      /* by W4Dir */
  W4H1Pending pending;
  gboolean http_stopped; /* upgrade or tunnel: nothing more is HTTP */
  W4TlsHello *tls_hello; /* the client's TLS ClientHello (tls-hello.c), or NULL */
};

/* --- h1.c ------------------------------------------------------------- */

void w4_h1_init (W4Flow *flow);
void w4_h1_clear (W4Flow *flow);
/* Stream bytes of @dir in order: from TCP now, from TLS later. */
void w4_h1_feed (W4Flow *flow, W4Dir dir, const W4Chunk *chunk);
/* @count bytes of @dir were lost before the next chunk. */
void w4_h1_gap (W4Flow *flow, W4Dir dir, guint64 count, guint64 frame, W4Time ts);
/* The direction ended (FIN, RST, eviction or end of input). */
void w4_h1_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts);
/* Would these first bytes of a segment start an HTTP/1 message in @dir? */
gboolean w4_h1_starts_message (W4Dir dir, const guint8 *data, gsize len);
/* Does @data start with HTTP/2's client connection preface (prior knowledge)? */
gboolean w4_h1_starts_h2_preface (const guint8 *data, gsize len);
/* Has either direction of @flow been HTTP/1 (so lost bytes are lost HTTP)? */
gboolean w4_h1_is_http (W4Flow *flow);
/* TLS record header (handshake) at the start of @data. */
gboolean w4_h1_looks_tls (const guint8 *data, gsize len, gboolean app_data_too);

/* --- tls-hello.c (per flow) -------------------------------------------- */

/* In-order client bytes of a TLS connection until its ClientHello is read;
 * then info.sni and info.alpn point into flow->tls_hello. */
void w4_tls_client_bytes (W4Flow *flow, const W4Chunk *chunk);
/* The ClientHello is still being collected (its direction is not dead). */
gboolean w4_tls_hello_pending (const W4Flow *flow);
/* Client bytes were lost, or the direction ended: the hello gives no SNI. */
void w4_tls_client_lost (W4Flow *flow);
/* Frees it (after on_conn_close: info.sni and info.alpn become NULL). */
void w4_tls_clear (W4Flow *flow);

/* --- dissect.c (used by h1.c) ------------------------------------------- */

const W4Sink *w4_dis_sink (struct W4Dissect *dis);
const W4Limits *w4_dis_limits (struct W4Dissect *dis);
/* Delivers on_conn_open if it was not yet (roles become final). */
void w4_dis_ensure_open (W4Flow *flow);
void w4_dis_anomaly (W4Flow *flow, W4AnomalyKind kind, W4Dir dir, guint64 frame, W4Time ts,
                     W4LimitId limit, guint64 count, const char *message);
void w4_dis_count_not_http (struct W4Dissect *dis);
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

/* dissect.c */
void w4_dis_limit_anomaly (W4Dissect *dis, W4LimitId limit, guint64 frame, W4Time ts,
                           const char *message);

/* flow.c: the flow table */
W4Flow *w4_flow_new (W4Dissect *dis, W4ConvRec *rec, const W4IpPacket *pkt, const W4Endpoint *src,
                     const W4Endpoint *dst);
void w4_flow_touch (W4Flow *flow, guint64 frame, W4Time ts);
void w4_flow_to_closed_lru (W4Flow *flow);
void w4_flow_swap_roles (W4Flow *flow);
void w4_flow_close (W4Flow *flow, W4CloseReason why, guint64 frame, W4Time ts);
void w4_flow_evict (W4Flow *flow, W4CloseReason why);
void w4_flow_destroy (W4Flow *flow);
void w4_flow_expire_idle (W4Dissect *dis);
void w4_flow_make_room (W4Dissect *dis, const W4FrameInfo *fi);

/* tcp-number.c: tcp.stream numbers */
void w4_num_init (W4Dissect *dis);
void w4_num_free (W4Dissect *dis);
void w4_num_note_file (W4Dissect *dis, const W4FrameInfo *fi);
W4ConvRec *w4_num_lookup (W4Dissect *dis, const W4Endpoint *src, const W4Endpoint *dst, int *side,
                          const W4FrameInfo *fi);
gboolean w4_num_packet (W4Dissect *dis, W4ConvRec *rec, int side, const W4TcpHdr *h,
                        const W4IpPacket *pkt);
void w4_num_follow (W4Flow *flow, const W4ConvRec *rec);

/* tcp-reasm.c: one direction's bytes in order */
guint w4_reasm_marks (const W4IpPacket *pkt, gsize hlen, W4FrameMark *marks);
void w4_reasm_payload (W4Flow *flow, W4Dir dir, guint32 seq, const guint8 *data, gsize len,
                       gsize claimed, const W4FrameMark *marks, guint n_marks);
void w4_reasm_acked_holes (W4Flow *flow, W4Dir dir, guint32 ack);
void w4_reasm_check_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts);
void w4_reasm_flush (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts);
void w4_reasm_clear (W4TcpHalf *t);

G_END_DECLS
