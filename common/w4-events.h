/* w4-events.h: the plain structs that flow capture -> dissect -> correlate.
 *
 * Every pointer inside an event has *packet* lifetime: valid only during the
 * callback that receives it. Whoever keeps something copies it.
 *
 * Order of events, for one run:
 *  - capture: for every frame, on_frame first (every packet counts, also the
 *    ones nothing is made of), then zero or more on_ip for what it carries.
 *    Frame numbers are 1-based and continue across input files.
 *  - dissect, per TCP connection: on_conn_open before anything else of it;
 *    on_request when the request's header block is complete; on_response when
 *    the response's header block is complete (before its body); on_body once
 *    per message after its last body byte (or when the connection ends first);
 *    on_conn_close last. A connection whose state is evicted gets
 *    on_conn_close too (reason W4_CLOSE_EVICTED). At the end of input every
 *    open connection is closed (W4_CLOSE_END_OF_INPUT).
 *  - anomalies may come at any point, with the frame they were seen in. */
#pragma once

#include "w4-limits.h"
#include "w4-types.h"

G_BEGIN_DECLS

/* ---- capture -> dissect ------------------------------------------------ */

typedef struct {
  guint64 frame;     /* 1-based position in the whole input, as frame.number */
  W4Time ts;
  guint file_index;  /* index into the run's list of input files */
  guint32 caplen;    /* bytes captured */
  guint32 wirelen;   /* bytes on the wire */
} W4FrameInfo;

/* One fragment of a reassembled IP datagram: the transport bytes from
 * @offset on came in frame @frame. */
typedef struct {
  guint32 offset;
  guint64 frame;
} W4FragPiece;

/* An IP datagram's transport part. */
typedef struct {
  const W4FrameInfo *fi; /* the frame that completed it (last fragment) */
  W4Addr src, dst;
  guint8 proto;          /* IPPROTO_TCP, IPPROTO_UDP, ... */
  /* TRUE for the transport header quoted inside an ICMP/ICMPv6 error: only
   * its first bytes are there; it takes part in tcp.stream numbering as
   * Wireshark does, but carries no payload to reassemble. */
  gboolean icmp_quoted;
  const guint8 *l4;      /* transport header + payload as captured (packet lifetime) */
  gsize l4_len;          /* captured bytes at l4 */
  gsize l4_claimed;      /* what the IP header says (>= l4_len when cut by snaplen) */
  /* Non-NULL when reassembled from IP fragments: which frame carried which
   * part, sorted by offset (packet lifetime). */
  const W4FragPiece *frags;
  guint n_frags;
  /* TRUE when -f rejected the frame: it takes part in tcp.stream numbering
   * (Wireshark numbers the whole file), and nothing else is made of it. */
  gboolean numbered_only;
} W4IpPacket;

/* ---- anomalies (any stage -> correlate/report) ------------------------- */

typedef enum {
  W4_ANOM_WARNING,      /* a user-facing warning: message says what (file damaged, link type unknown) */
  W4_ANOM_LIMIT,        /* limit hit: @limit names it */
  W4_ANOM_GAP,          /* bytes of a TCP direction were lost: @conn, @dir, @count bytes */
  W4_ANOM_HTTP_ERROR,   /* llhttp gave up on a direction: @conn, @dir, message */
  W4_ANOM_UPGRADE,      /* CONNECT/Upgrade: HTTP parsing stopped on @conn */
  W4_ANOM_UNDECODED,    /* a frame or layer that could not be decoded (counted only) */
} W4AnomalyKind;

typedef struct W4ConnInfo W4ConnInfo;

typedef struct {
  W4AnomalyKind kind;
  guint64 frame;          /* 0 when not tied to a frame */
  W4Time ts;
  W4LimitId limit;        /* W4_ANOM_LIMIT */
  const W4ConnInfo *conn; /* NULL unless about a connection */
  W4Dir dir;
  guint64 count;          /* W4_ANOM_GAP: bytes lost (0 when unknown) */
  const char *message;    /* a short sentence for a person, or NULL */
} W4Anomaly;

/* ---- dissect -> correlate ---------------------------------------------- */

/* One TCP connection (or, later, one decrypted TLS session on it). Owned by
 * dissect; valid from on_conn_open up to and including on_conn_close. */
struct W4ConnInfo {
  guint64 conn_id;     /* unique in the run, never reused */
  guint32 stream;      /* Wireshark's tcp.stream */
  W4Endpoint client;   /* the side that sent the SYN (else: the request's sender) */
  W4Endpoint server;
  guint file_index;    /* file of its first packet */
  gboolean tls;        /* HTTP bytes come from decrypted TLS */
  gboolean tls_undecrypted; /* TLS seen and not decrypted (later work) */
};

typedef struct {
  W4Span name;   /* as sent, case preserved */
  W4Span value;  /* leading/trailing whitespace removed; obs-fold kept as is */
} W4Header;

typedef enum {
  W4_HTTP_1 = 1,
  W4_HTTP_2 = 2,
} W4HttpVersion;

/* The protocol-neutral head of one HTTP message: HTTP/1 and HTTP/2 alike.
 * For HTTP/2 the pseudo-headers fill method/target/status and :authority is
 * also given as a "Host" header (so the correlator reads one name). */
typedef struct {
  const W4ConnInfo *conn;
  W4Dir dir;                 /* TO_SERVER: a request; TO_CLIENT: a response */
  W4HttpVersion proto;
  guint8 http_major, http_minor;
  guint32 h2_stream;         /* HTTP/2 stream id; 0 for HTTP/1 */
  guint64 seq;               /* per connection and direction: 0, 1, 2... (pipelining order) */
  guint64 first_frame;       /* frame carrying the first byte of the start line */
  guint64 last_frame;        /* frame carrying the last byte of the header block */
  W4Time first_ts, last_ts;
  /* request only (empty spans for a response) */
  W4Span method;
  W4Span target;
  /* response only (0 for a request) */
  guint status;
  W4Span reason;
  gboolean interim;          /* 1xx: not the final response to its request */
  const W4Header *headers;   /* in order, repeated names kept */
  guint n_headers;
  gboolean headers_truncated; /* a header cap was reached; some are missing */
} W4HttpHead;

/* After a message's body: its first bytes (up to the body-keep limit, only
 * kept for 4xx responses; empty otherwise), decoded from chunked encoding. */
typedef struct {
  const W4ConnInfo *conn;
  W4Dir dir;
  guint32 h2_stream;
  guint64 seq;               /* same as the head's */
  W4Span prefix;
  guint64 total_len;         /* body bytes seen */
  gboolean complete;         /* FALSE: connection ended or lost bytes first */
  guint64 last_frame;
} W4HttpBody;

typedef enum {
  W4_CLOSE_FIN,
  W4_CLOSE_RST,
  W4_CLOSE_EVICTED,      /* idle timeout or flow limit */
  W4_CLOSE_END_OF_INPUT,
  W4_CLOSE_REUSED,       /* a new SYN with a new ISN on the same ports */
} W4CloseReason;

typedef struct {
  void (*on_conn_open) (void *user, const W4ConnInfo *conn, const W4FrameInfo *fi);
  void (*on_conn_close) (void *user, const W4ConnInfo *conn, W4CloseReason why,
                         guint64 frame, W4Time ts);
  void (*on_request) (void *user, const W4HttpHead *req);
  void (*on_response) (void *user, const W4HttpHead *resp);
  void (*on_body) (void *user, const W4HttpBody *body);
  void (*on_anomaly) (void *user, const W4Anomaly *what);
  void *user;
} W4Sink;

G_END_DECLS
