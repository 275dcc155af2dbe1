/* w4-events.h: the plain structs that flow capture -> dissect -> correlate.
 *
 * Every pointer inside an event has *packet* lifetime: valid only during the
 * callback that receives it. Whoever keeps something copies it.
 *
 * Order of events, for one run:
 *  - capture: for every frame, on_frame first (every packet counts, also the
 *    ones nothing is made of), then zero or more on_ip for what it carries.
 *    W4FrameInfo.frame is 1-based and continues across input files (the
 *    run's order of packets); file_frame is the number a user sees in
 *    Wireshark: 1-based within the file (INPUT.md "Files").
 *  - dissect, per TCP connection: on_conn_open before anything else of it;
 *    on_request when the request's header block is complete; on_response when
 *    the response's header block is complete (before its body); on_body once
 *    per message after its last body byte (or when the connection ends first);
 *    on_tls and on_h2 when a TLS handshake or HTTP/2 is seen on it;
 *    on_h2_reset when an HTTP/2 stream is reset (before its on_body);
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
  guint64 frame;     /* 1-based position in the whole run: the order of packets */
  W4Time ts;
  guint file_index;  /* index into the run's list of input files */
  guint32 caplen;    /* bytes captured */
  guint32 wirelen;   /* bytes on the wire */
  guint64 file_frame; /* 1-based position in its file: Wireshark's frame.number */
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

/* Receives anomalies, e.g. to print warnings on stderr. */
typedef void (*W4AnomalyFunc) (void *user, const W4Anomaly *what);

/* ---- dissect -> correlate ---------------------------------------------- */

/* What a connection record stands for: the TCP connection, or a layer
 * inside one: a decrypted TLS session, a CONNECT tunnel. */
typedef enum {
  W4_LAYER_TCP = 0,
  W4_LAYER_TLS,    /* HTTP bytes come from decrypted TLS */
  W4_LAYER_TUNNEL, /* a CONNECT tunnel inside a proxy connection */
} W4ConnLayer;

/* One connection record per layer: a TCP connection, or a decrypted TLS
 * session or a CONNECT tunnel on it, with @outer the record it runs inside.
 * Events carry the record of the layer they come from (the decrypted HTTP,
 * the tunnel's); on_conn_open and on_conn_close carry the TCP one. A layer
 * record is a copy of its TCP record, with the same conn_id (the id names
 * the connection; the layer says what its bytes ran through). Owned by
 * dissect; valid from on_conn_open up to and including on_conn_close. What
 * is learnt about a connection on the way (TLS seen, HTTP/2 seen) comes as
 * events (on_tls, on_h2), not as fields here. */
struct W4ConnInfo {
  guint64 conn_id;     /* unique in the run, never reused */
  /* Wireshark's tcp.stream, which counts within each input file: a
   * connection that continues into the next file of a rotated capture gets
   * that file's next number at its first packet there (as Wireshark gives
   * it when the file is opened alone). @stream is its number in
   * @stream_file, the file of its latest packet; the numbers in its first
   * file and in the file before @stream_file stay known, see
   * w4_conn_stream_in_file. */
  guint32 stream;
  guint stream_file;
  guint32 first_stream;     /* in @file_index */
  guint32 prev_stream;      /* in @prev_stream_file (== @stream_file when none) */
  guint prev_stream_file;
  W4Endpoint client;   /* the side that sent the SYN (else: the request's sender) */
  W4Endpoint server;
  guint file_index;    /* file of its first packet */
  W4ConnLayer layer;
  const W4ConnInfo *outer; /* the record this layer runs inside; NULL for TCP */
  /* a tunnel's: the CONNECT's target ("api.example.test:443", printable
   * ASCII, cut at W4_TUNNEL_TO_MAX - 1 bytes), the server the tunnel
   * leads to; NULL for other layers */
  const char *tunnel_to;
};

#define W4_TUNNEL_TO_MAX 256

/* The target of the innermost CONNECT tunnel @c runs in, or NULL: the
 * server behind the proxy that @c's endpoint names. */
static inline const char *
w4_conn_tunnel_to (const W4ConnInfo *c)
{
  for (guint i = 0; c != NULL && i < 8; i++, c = c->outer)
    if (c->layer == W4_LAYER_TUNNEL)
      return c->tunnel_to;
  return NULL;
}

/* Did the bytes of @c travel encrypted (a TLS layer, or one outside it)? */
static inline gboolean
w4_conn_over_tls (const W4ConnInfo *c)
{
  /* layers nest a few deep at most (TCP, TLS, tunnel, TLS) */
  for (guint i = 0; c != NULL && i < 8; i++, c = c->outer)
    if (c->layer == W4_LAYER_TLS)
      return TRUE;
  return FALSE;
}

/* The connection's tcp.stream in input file @file_index, or -1 when not
 * known (a message whose first byte lies more than one file before the
 * connection's latest packet, in a capture rotated every few packets). */
static inline gint64
w4_conn_stream_in_file (const W4ConnInfo *c, guint file_index)
{
  if (file_index == c->stream_file)
    return c->stream;
  if (file_index == c->prev_stream_file)
    return c->prev_stream;
  if (file_index == c->file_index)
    return c->first_stream;
  return -1;
}

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
  guint cut;                 /* what the caps dropped: W4_HEAD_CUT_* bits (0: nothing) */
  guint64 header_block_len;  /* bytes of the start line and header block as sent */
  guint odd;                 /* bytes HTTP does not allow, read anyway: W4_HEAD_ODD_* bits */
} W4HttpHead;

/* W4HttpHead.odd: the request line holds bytes HTTP does not allow there
 * (control bytes in the target, TAB as a separator) ... */
#define W4_HEAD_ODD_TARGET 1u
/* ... a field name holds bytes no token has: some servers (python's)
 * stop reading fields there, others (nginx) skip the one field. */
#define W4_HEAD_ODD_NAME 2u

/* W4HttpHead.cut: the start line or fields that are not authentication-
 * relevant, past header-bytes ... */
#define W4_HEAD_CUT_ORDINARY 1u
/* ... such fields past the headers limit (the field count) ... */
#define W4_HEAD_CUT_COUNT 4u
/* ... and authentication-relevant fields (credentials, challenges, cookies,
 * CSRF tokens, Origin, Location: auth-header-bytes limit). A rule must not
 * conclude from the absence of what may have been cut. */
#define W4_HEAD_CUT_AUTH 2u

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

/* Why a TLS session was or was not decrypted (W4TlsInfo.keys). */
typedef enum {
  W4_TLS_KEYS_NOT_GIVEN = 0, /* no key log (nor pcapng secrets) was given */
  W4_TLS_KEYS_MISSING,       /* key logs were given, this session is not in them */
  W4_TLS_KEYS_WRONG,         /* its secrets are there, its first protected record failed
                              * its tag: another session's keys, or a damaged key log */
  W4_TLS_KEYS_UNSUPPORTED,   /* secrets there, but a version or cipher suite not decrypted */
  W4_TLS_KEYS_OK,            /* decrypted */
} W4TlsKeyState;

/* TLS on a connection: what its handshake shows in clear. Once per TLS
 * session, when its ClientHello was read (or could not be: cut, lost) and
 * the server's first bytes were seen (or the connection closes first),
 * after on_conn_open and before on_conn_close of @conn. */
typedef struct {
  const W4ConnInfo *conn; /* the connection the TLS runs on */
  guint64 frame;          /* the first TLS record's frame */
  W4Time ts;
  /* The ClientHello's server_name (SNI) and the ALPN protocols it offers
   * ("h2,http/1.1"), or NULL (none, or the hello was cut: never a guess). */
  const char *sni;
  const char *alpn;
  guint16 version;        /* the ServerHello's (0x0303: TLS 1.2, 0x0304: 1.3), 0 when not seen */
  gboolean decrypted;     /* keys were found: what it carries is read */
  /* why (not): with keys, on_tls waits for the first protected record,
   * so that a key log that does not open the session says so */
  W4TlsKeyState keys;
} W4TlsInfo;

/* A TLS alert that ended a handshake: sent before the server sent any
 * application data (a server that requires a client certificate, a client
 * that rejects the server's, no common version or suite). Read in clear
 * (TLS 1.2 and earlier, and a TLS 1.3 ServerHello's peer) or, when the
 * session is decrypted, from a protected record (TLS 1.3: the alert after
 * the client's Finished). close_notify and user_canceled are not reported.
 * At most one per direction of a connection, between on_conn_open and
 * on_conn_close (W4Sink.on_tls_alert). */
typedef struct {
  const W4ConnInfo *conn;
  W4Dir from;             /* W4_DIR_TO_CLIENT: the server sent it */
  guint64 frame;          /* of the record's first byte */
  W4Time ts;
  guint8 level;           /* 1 warning, 2 fatal (TLS 1.3: always 2 for these) */
  guint8 description;     /* RFC 8446 6: 40 handshake_failure, 42 bad_certificate,
                           * 48 unknown_ca, 70 protocol_version, 116 certificate_required ... */
  gboolean decrypted;     /* read from a protected record */
} W4TlsAlert;

/* How HTTP/2 started on a connection. */
typedef enum {
  W4_H2_PRIOR_KNOWLEDGE = 1, /* the client's connection preface */
  W4_H2_UPGRADE,             /* a 101 to "Upgrade: h2c" */
  W4_H2_INSIDE_TLS,          /* the plaintext of a decrypted TLS session */
} W4H2Start;

/* HTTP/2 seen on a connection, once, at the frame where it starts
 * (before the W4_ANOM_UPGRADE anomaly that says so). */
typedef struct {
  const W4ConnInfo *conn;
  W4H2Start how;
  guint64 frame;
  W4Time ts;
  gboolean parsed;        /* TRUE: h2.c reads it; FALSE: not read, its failures are not seen */
} W4H2Info;

/* An HTTP/2 stream reset (RST_STREAM, RFC 9113 6.4), by either side, at
 * the frame that carried it: before the stream's messages end
 * incomplete (their on_body). IIS resets a request whose authentication
 * needs the connection (NTLM, Negotiate) with HTTP_1_1_REQUIRED. */
typedef struct {
  const W4ConnInfo *conn;
  W4Dir dir;              /* who sent it: W4_DIR_TO_CLIENT when the server reset the stream */
  guint32 h2_stream;
  guint32 error_code;     /* RFC 9113 7; W4_H2_HTTP_1_1_REQUIRED */
  gboolean had_request;   /* the stream's request head was reported */
  gboolean answered;      /* a final response head was reported before the reset */
  guint64 frame;
  W4Time ts;
} W4H2Reset;

#define W4_H2_HTTP_1_1_REQUIRED 0xdu

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
  void (*on_tls) (void *user, const W4TlsInfo *tls);   /* may be NULL */
  void (*on_h2) (void *user, const W4H2Info *h2);      /* may be NULL */
  void (*on_h2_reset) (void *user, const W4H2Reset *rst); /* may be NULL */
  void (*on_tls_alert) (void *user, const W4TlsAlert *alert); /* may be NULL */
  void *user;
} W4Sink;

G_END_DECLS
