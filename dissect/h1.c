/* h1.c: HTTP/1.x messages out of in-order stream bytes, through llhttp.
 *
 * One llhttp request parser per client->server direction and one response
 * parser per server->client direction (RFC 9112). It is one of app.c's
 * stream protocols (w4_h1_proto): bytes come in W4Chunks from TCP
 * reassembly and, later, from TLS decryption. llhttp is used here only.
 *
 * What it does:
 *  - tells app.c whether a direction's first bytes start HTTP/1 at all
 *    (a request method and a space, or "HTTP/1."), never from the port, so
 *    SSH, TLS or SIP ("SIP/2.0 401") on port 80 are not taken for HTTP;
 *  - hands the connection to h2.c after a 101 to h2c, and back to app.c's
 *    choice after a CONNECT's 2xx (the tunnel may carry TLS);
 *  - accumulates the start line and header fields, which llhttp hands over
 *    in pieces split across callbacks and segments, into one reused buffer
 *    per direction, and emits the head at "headers complete" with spans into
 *    it (packet lifetime);
 *  - finds the frame of the start line's first byte (FINDINGS.md:
 *    request_frame/response_frame) from the chunk's frame marks;
 *  - pairs the methods of requests with responses through a small bounded
 *    queue, only to know HEAD (no body) and CONNECT (2xx: a tunnel);
 *    the correlator does the real pairing (FIFO by seq);
 *  - keeps the first body bytes of 4xx responses (decoded from chunked by
 *    llhttp) for the server's message.
 *
 * What it deliberately ignores, and why:
 *  - protocols llhttp also accepts (RTSP/1.0, ICE/1.0 request lines) and any
 *    version other than 1.x: they are not HTTP/1 and must not yield findings;
 *  - after lost bytes or a parse error we do not guess where the stream
 *    continues: the direction waits for a segment that starts with a request
 *    line or "HTTP/1." and starts a fresh parser there. The one exception is
 *    a gap inside a Content-Length body, whose end is known exactly: the lost
 *    bytes are replaced by filler so the parser stays in step (the body is
 *    then reported incomplete).
 *  - STYLE says a direction on which llhttp fails is finished; we resync
 *    instead at the next segment that starts a message, because one odd
 *    message (an evasion test, a broken server) must not hide every later
 *    401 on a keep-alive connection. The error is still reported.
 *
 * Leniency (llhttp flags), chosen for what real captures contain:
 *  - LENIENT_HEADERS: servers send raw UTF-8 or control bytes in header
 *    values; tshark shows those messages, so must we;
 *  - LENIENT_CHUNKED_LENGTH: both Transfer-Encoding and Content-Length is
 *    a smuggling risk for a proxy, but we only observe: chunked wins
 *    (RFC 9112 6.3) and the message is still reported;
 *  - LENIENT_KEEP_ALIVE: after "Connection: close" or an HTTP/1.0 message a
 *    capture may still hold more messages on the connection (pipelining,
 *    broken servers); we want to see them rather than drop them;
 *  - LENIENT_TRANSFER_ENCODING: a Transfer-Encoding that does not end in
 *    chunked does not fail the direction: a response's body then runs to
 *    the end of the connection (RFC 9112 6.3 rule 7), a request has none
 *    (see cb_headers_complete).
 *
 * Beyond llhttp's flags (tolerate_head): llhttp refuses a whole message for
 * bytes that real servers accept and tshark shows, which would hide its
 * credentials. Before llhttp reads a head, it is scanned: control bytes in
 * the request target, bytes no token has in a field name, a TAB between
 * the request line's words and a field line without colon are fed to
 * llhttp as stand-ins of the same length (so framing and frame marks do not
 * change) and put back in what is reported; the head says so (odd).
 *
 * Header caps: ordinary fields stop at header-bytes and the field count;
 * the authentication-relevant ones go on under auth-header-bytes, and the
 * head says what was cut (cut), so no rule concludes from an absence.
 */
#include "dissect-private.h"

#include <llhttp.h>
#include <string.h>

#include "credential.h"
#include "w4-token.h"

/* A few earlier chunks per direction: the start line's first byte can lie
 * up to 5 bytes before the callback that reveals it ("HTTP/" of a status
 * line), so its frame may be that of an earlier, short segment. */
#define W4_H1_RECENT 8
/* The last bytes fed, for the same look-back. */
#define W4_H1_TAIL 16

typedef struct {
  guint64 base;  /* stream offset of its first byte */
  guint64 len;
  guint64 last_frame;
  W4Time last_ts;
} W4RecentChunk;

/* The head being read, reused message after message: an append is a
 * memcpy while there is room (a GByteArray's is a library call), and
 * its size is known for the budget. Bounded by what is appended to it
 * (hdr_append_kind: header-bytes and auth-header-bytes). */
typedef struct {
  guint8 *data;
  gsize len, cap;
} W4H1Buf;

static void
h1_buf_grow (W4H1Buf *b, gsize more)
{
  gsize cap = MAX (b->cap, 256);

  while (cap - b->len < more)
    cap *= 2;
  b->data = g_realloc (b->data, cap);
  b->cap = cap;
}

static inline void
h1_buf_append (W4H1Buf *b, const guint8 *p, gsize n)
{
  if (b->cap - b->len < n)
    h1_buf_grow (b, n);
  memcpy (b->data + b->len, p, n);
  b->len += n;
}

typedef struct {
  guint32 name_off, name_len, value_off, value_len;
  gboolean auth;       /* an authentication-relevant field (its own bound) */
  gboolean value_cut;  /* its value was cut by a limit */
} W4HdrRef;

/* The fields of the head being read, reused as W4H1Buf is: bounded by
 * the field count limit (and auth-header-bytes for the others). */
typedef struct {
  W4HdrRef *v;
  guint len, cap;
} W4H1Refs;

static W4HdrRef *
h1_refs_add (W4H1Refs *r)
{
  if (r->len == r->cap) {
    r->cap = MAX (r->cap * 2, 16);
    r->v = g_renew (W4HdrRef, r->v, r->cap);
  }
  return &r->v[r->len++];
}

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

typedef struct W4H1Conn W4H1Conn;

/* One direction's HTTP/1 state (flow lifetime). */
typedef struct {
  W4H1Conn *conn;          /* its connection's state; conn->flow the flow */
  W4Dir dir;
  W4H1Mode mode;
  llhttp_t parser;
  guint64 fed;            /* stream bytes given to llhttp since its start */
  guint8 tail[W4_H1_TAIL];
  guint tail_len;
  W4RecentChunk recent[W4_H1_RECENT];
  guint n_recent, recent_next;
  const W4Chunk *cur;     /* the chunk llhttp is executing (packet lifetime) */
  guint64 cur_base;

  /* the message being parsed */
  W4H1Buf hdr;             /* start line pieces + header bytes; reused */
  W4H1Refs refs;           /* reused */
  GArray *view;            /* W4Header built at emit time; reused */
  guint32 method_off, method_len, target_off, target_len, reason_off, reason_len;
  int last_cb;             /* which data callback appended last */
  guint cut;               /* W4_HEAD_CUT_* of this message */
  guint32 ord_len;         /* bytes of hdr under header-bytes (start line, ordinary fields) */
  guint32 auth_len;        /* bytes of hdr under auth-header-bytes */
  guint8 name[W4_H1_MAX_NAME]; /* the field name being read, when not name_at's */
  guint32 name_len;
  /* 1 + the offset in the chunk being executed of the field name being
   * read, while it came whole in that chunk (borrowed: packet lifetime,
   * kept_name copies it to name before the chunk goes); 0: it is in name */
  guint32 name_at;
  guint64 start_off;       /* stream offset of the start line */
  guint64 first_frame, last_frame;
  W4Time first_ts, last_ts;
  guint64 last_span_end;   /* stream offset after the last header byte seen */
  guint64 msg_seq;         /* seq of the current message */
  guint64 next_seq;        /* seq the next message gets */
  guint status;
  /* llhttp reads a message's head as it came, unscanned (try_unscanned):
   * and something irreversible (an anomaly) was held back, so the head is
   * read again, scanned. In the hole before body: W4H1Half's size, which
   * is charged, stays. */
  guint8 unscanned;
  guint8 unscanned_spoiled;
  GByteArray *body;        /* kept prefix of a 4xx body; reused */
  guint64 body_total;
  guint64 body_last_frame;
  const guint8 *subst_tok; /* the real token (packet lifetime), until reported */
  gsize subst_len;
  guint64 subst_off;

  /* Flags of the message being parsed, one byte each (TRUE or FALSE),
   * together: the struct stays a small allocation. */
  guint8 started;          /* a parser was started on this direction */
  guint8 in_msg;
  guint8 head_done; /* on_request/on_response emitted */
  guint8 version_checked;
  guint8 truncated;
  guint8 interim;
  guint8 keep_body;
  guint8 stop_after_msg; /* upgrade / CONNECT tunnel: stop the connection after this */
  guint8 body_gap; /* body bytes were lost (filler fed instead) */
  guint8 skip_field; /* the field being read is over the count limit */
  guint8 tunnel; /* a CONNECT's 2xx: the tunnel starts after it */
  guint8 expect_continue; /* this request waits for 100-continue before its body */
  guint8 body_may_be_skipped; /* ...and got a final answer first */
  guint8 at_boundary; /* paused after a request, to look at the next method */
  guint8 method_subst; /* llhttp is reading a stand-in for an unknown method */

  /* Tolerant reading of the head: bytes llhttp rejects in the request
   * target and in field names (that real servers accept) are fed to it as
   * '_' and put back in what is reported. */
  guint8 rl_state;         /* W4_H1_RL_* / W4_H1_HF_*: where the head scan is */
  guint line_pos;          /* bytes into the start line's version (W4_H1_LINE_SCAN: done) */
  guint odd;               /* W4_HEAD_ODD_* of the message being scanned */
  const guint8 *cur_orig;  /* the chunk's own bytes, while llhttp reads a patched copy */
  guint8 *patched;         /* copy of the chunk being fed, when patched; reused */
  gsize patched_size;
} W4H1Half;

/* Connection-wide HTTP/1 state: the request methods waiting for their
 * response, so the response parser knows HEAD and CONNECT. */
typedef struct {
  guint8 *methods;   /* ring of llhttp_method_t */
  guint cap, head, count;
} W4H1Pending;

/* A connection's HTTP/1 state (W4Flow.app_state[W4_PROTO_H1]): created
 * when a direction first speaks HTTP/1. */
struct W4H1Conn {
  W4Flow *flow;
  /* the record of the layer it runs on: the TCP connection, a tunnel, or
   * a decrypted TLS session; its events carry it */
  const W4ConnInfo *on;
  /* the target of the latest CONNECT (printable ASCII, cut), for the
   * tunnel its 2xx opens; NULL until a CONNECT */
  char *connect_to;
  /* by W4Dir; each on its own: a smaller allocation, that malloc recycles
   * from its per-size caches */
  W4H1Half *half[2];
  W4H1Pending pending;
  guint64 charged; /* to W4_MEM_HTTP (h1_charge) */
};

/* Which data callback appended last, to join pieces of one field. */
enum { CB_NONE, CB_METHOD, CB_URL, CB_STATUS, CB_FIELD, CB_VALUE };

/* Resuming after an upgrade pause happens once per complete message, and a
 * message is more than a byte, so a chunk cannot need more resumes than it
 * has bytes; this bound only guards against a parser that stops advancing. */
#define W4_H1_MAX_RESUMES 65536
/* A method token longer than this is not a method (the longest registered
 * ones are 17 bytes: BASELINE-CONTROL, VERSION-CONTROL...). */
#define W4_H1_MAX_METHOD 32
/* How far into a segment we look for " HTTP/1." on a request line whose
 * method llhttp does not know: request lines beyond 8 KiB are rejected by
 * most servers anyway. */
#define W4_H1_MAX_LINE_SCAN 8192
/* Frame marks of one chunk (IP fragments of one segment): TCP passes at
 * most this many. */
#define W4_H1_MAX_MARKS 64

/* Mid-stream, a message start must be unmistakable: a whole method token
 * and space, or "HTTP/1.". The longest method we accept is 11 bytes. */
static const char *const w4_h1_methods[] = {
  "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
  "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
  "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
  "PURGE", "MKCALENDAR", "LINK", "UNLINK", "BIND", "REBIND", "UNBIND", "ACL", "SOURCE",
};

static gboolean
prefix_matches (const guint8 *data, gsize len, const char *word, gsize wlen, gboolean strict)
{
  gsize n = len < wlen ? len : wlen;

  if (strict && len < wlen)
    return FALSE;
  return n > 0 && memcmp (data, word, n) == 0;
}

/* RFC 9110 5.6.2 tchar (w4_tok_is_tchar's set) as a table: the head scan
 * asks it for every byte of every field name. */
static const guint8 w4_h1_tchar[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
};

static inline gboolean
is_tchar (guint8 c)
{
  return w4_h1_tchar[c];
}

/* Length of the method token at @data when it is followed by a space and
 * the line holds " HTTP/1." (so an unknown method, such as Outlook's
 * RPC_IN_DATA, is still recognised); 0 otherwise. */
static gsize
generic_request_line (const guint8 *data, gsize len)
{
  W4Reader r;
  gsize tok = 0;
  guint8 c = 0;

  w4_rd_init (&r, data, MIN (len, W4_H1_MAX_LINE_SCAN));
  while (tok < W4_H1_MAX_METHOD && w4_rd_peek_u8 (&r, tok, &c) && is_tchar (c))
    tok++;
  /* a TAB separates too (RFC 9112 3: whitespace; python's server splits so) */
  if (tok == 0 || !w4_rd_peek_u8 (&r, tok, &c) || (c != ' ' && c != '\t'))
    return 0;
  /* the rest of the request line, up to its end, must name HTTP/1.x */
  for (gsize i = tok + 1; w4_rd_peek_u8 (&r, i, &c) && c != '\r' && c != '\n'; i++) {
    static const char proto[] = "HTTP/1.";
    gsize k = 0;
    guint8 d = 0;
    if (c != ' ' && c != '\t')
      continue;
    while (k < sizeof proto - 1 && w4_rd_peek_u8 (&r, i + 1 + k, &d) && d == (guint8) proto[k])
      k++;
    if (k == sizeof proto - 1)
      return tok;
  }
  return 0;
}

static gboolean
known_method (const guint8 *tok, gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (w4_h1_methods); i++)
    if (strlen (w4_h1_methods[i]) == len && memcmp (w4_h1_methods[i], tok, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
starts_message (W4Dir dir, const guint8 *data, gsize len, gboolean strict)
{
  if (dir == W4_DIR_TO_CLIENT)
    return prefix_matches (data, len, "HTTP/1.", 7, strict);
  if (generic_request_line (data, len) > 0)
    return TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (w4_h1_methods); i++) {
    char word[16];
    gsize wlen = strlen (w4_h1_methods[i]);

    memcpy (word, w4_h1_methods[i], wlen);
    word[wlen] = ' ';
    if (prefix_matches (data, len, word, wlen + 1, strict))
      return TRUE;
    word[wlen] = '\t';
    if (prefix_matches (data, len, word, wlen + 1, strict))
      return TRUE;
  }
  return FALSE;
}

gboolean
w4_h1_starts_message (W4Dir dir, const guint8 *data, gsize len)
{
  return starts_message (dir, data, len, TRUE);
}

gboolean
w4_h1_is_http (const W4Flow *flow)
{
  const W4H1Conn *c = w4_app_state (flow, W4_PROTO_H1);

  /* a parser was started on one direction at least: the connection
   * carried HTTP/1 */
  return c != NULL && (c->half[0]->started || c->half[1]->started);
}

/* ---- frames of stream offsets ------------------------------------------ */

static void
chunk_mark_at (const W4Chunk *c, gsize rel, guint64 *frame, W4Time *ts)
{
  guint lo = 0;

  /* marks are few (one per IP fragment): a linear scan is enough */
  for (guint i = 0; i < c->n_marks; i++)
    if (c->marks[i].off <= rel)
      lo = i;
  *frame = c->marks[lo].frame;
  *ts = c->marks[lo].ts;
}

static void
frame_at (W4H1Half *h, guint64 off, guint64 *frame, W4Time *ts)
{
  if (h->cur != NULL && off >= h->cur_base) {
    gsize rel = (gsize) (off - h->cur_base);
    if (rel >= h->cur->len)
      rel = h->cur->len ? h->cur->len - 1 : 0;
    chunk_mark_at (h->cur, rel, frame, ts);
    return;
  }
  for (guint k = 0; k < h->n_recent; k++) {
    guint i = (h->recent_next + W4_H1_RECENT - 1 - k) % W4_H1_RECENT;
    W4RecentChunk *rc = &h->recent[i];
    if (off >= rc->base && off < rc->base + rc->len) {
      /* the start line's first byte is at most 5 bytes before the current
       * chunk: it lies in the earlier chunk's last frame */
      *frame = rc->last_frame;
      *ts = rc->last_ts;
      return;
    }
  }
  if (h->cur != NULL) {
    chunk_mark_at (h->cur, 0, frame, ts);
  } else {
    *frame = 0;
    ts->sec = 0;
    ts->nsec = 0;
  }
}

static guint64
stream_off (W4H1Half *h, const char *at)
{
  return h->cur_base + (guint64) ((const guint8 *) at - h->cur->data);
}

/* Copies the @k bytes before @at (which lies in the current chunk) into
 * @out, taking them from earlier chunks where needed. */
static gboolean
peek_back (W4H1Half *h, const char *at, gsize k, guint8 *out)
{
  gsize rel = (gsize) ((const guint8 *) at - h->cur->data);
  gsize from_tail;

  if (rel >= k) {
    memcpy (out, (const guint8 *) at - k, k);
    return TRUE;
  }
  from_tail = k - rel;
  if (from_tail > h->tail_len)
    return FALSE;
  memcpy (out, h->tail + h->tail_len - from_tail, from_tail);
  memcpy (out + from_tail, h->cur->data, rel);
  return TRUE;
}

static void
remember_chunk (W4H1Half *h, const W4Chunk *c, guint64 base)
{
  W4RecentChunk *rc = &h->recent[h->recent_next];

  if (c->len == 0)
    return;
  rc->base = base;
  rc->len = c->len;
  rc->last_frame = c->marks[c->n_marks - 1].frame;
  rc->last_ts = c->marks[c->n_marks - 1].ts;
  h->recent_next = (h->recent_next + 1) % W4_H1_RECENT;
  if (h->n_recent < W4_H1_RECENT)
    h->n_recent++;

  if (c->len >= W4_H1_TAIL) {
    memcpy (h->tail, c->data + c->len - W4_H1_TAIL, W4_H1_TAIL);
    h->tail_len = W4_H1_TAIL;
  } else {
    gsize keep = W4_H1_TAIL - c->len;
    if (keep > h->tail_len)
      keep = h->tail_len;
    memmove (h->tail, h->tail + h->tail_len - keep, keep);
    memcpy (h->tail + keep, c->data, c->len);
    h->tail_len = (guint) (keep + c->len);
  }
}

static void
forget_context (W4H1Half *h)
{
  h->tail_len = 0;
  h->n_recent = 0;
  h->recent_next = 0;
}

/* ---- pending request methods ------------------------------------------- */

static void
pending_push (W4H1Conn *c, guint8 method, guint64 frame, W4Time ts)
{
  W4Flow *flow = c->flow;
  W4H1Pending *p = &c->pending;

  if (p->methods == NULL) {
    guint64 lim = w4_dis_limits (flow->dis)->v[W4_LIMIT_PENDING_REQ];
    /* a ring of one byte per request: the limit bounds it, 4096 keeps an
     * absurd override from allocating much */
    p->cap = (guint) CLAMP (lim, 1, 4096);
    p->methods = g_malloc (p->cap);
  }
  if (p->count == p->cap) {
    /* The responses were not captured (or are far behind): drop the oldest
     * method; only HEAD/CONNECT handling can be affected. */
    p->head = (p->head + 1) % p->cap;
    p->count--;
    /* every drop, so the limit info counts them all (the first is the
     * warning) */
    w4_dis_anomaly_on (c->flow, c->on, W4_ANOM_LIMIT, W4_DIR_TO_SERVER, frame, ts,
                       W4_LIMIT_PENDING_REQ, 0, "too many requests waiting for a response");
  }
  p->methods[(p->head + p->count) % p->cap] = method;
  p->count++;
}

static gboolean
pending_pop (W4H1Conn *c, guint8 *method)
{
  W4H1Pending *p = &c->pending;

  if (p->count == 0)
    return FALSE;
  *method = p->methods[p->head];
  p->head = (p->head + 1) % p->cap;
  p->count--;
  return TRUE;
}

/* ---- what a connection's state keeps (W4_MEM_HTTP) --------------------- */

/* Its records, the pending ring, and its buffers as long as they are now:
 * the buffers are reused and never shrink, so the charge only grows
 * (h1_charge keeps the highest) until the state is let go. */
static guint64
h1_cost (const W4H1Conn *c)
{
  guint64 n = sizeof (W4H1Conn) + 2 * sizeof (W4H1Half) + c->pending.cap;

  for (int d = 0; d < 2; d++) {
    const W4H1Half *h = c->half[d];
    n += h->patched_size;
    n += h->hdr.cap;
    n += h->body != NULL ? h->body->len : 0;
    n += h->refs.cap * sizeof (W4HdrRef);
    n += h->view != NULL ? h->view->len * sizeof (W4Header) : 0;
  }
  return n;
}

static void
h1_charge (W4H1Conn *c)
{
  guint64 n = h1_cost (c);

  if (n > c->charged) {
    w4_budget_charge (c->flow->dis->limits.budget, W4_MEM_HTTP, n - c->charged);
    c->charged = n;
  }
}

/* ---- message assembly --------------------------------------------------- */

static W4H1Half *
half_of (llhttp_t *p)
{
  return (W4H1Half *) p->data;
}

/* Something of this message was dropped by @which: the head says what
 * kind (W4_HEAD_CUT_*), and each kind is one anomaly per message. */
static void
note_truncated (W4H1Half *h, W4LimitId which)
{
  guint kind = which == W4_LIMIT_AUTH_HEADER_BYTES ? W4_HEAD_CUT_AUTH
               : which == W4_LIMIT_HEADERS          ? W4_HEAD_CUT_COUNT
                                                    : W4_HEAD_CUT_ORDINARY;

  if (h->unscanned) {
    /* the head is read again (try_unscanned): the anomaly is made then */
    h->unscanned_spoiled = TRUE;
    return;
  }
  h->truncated = TRUE;
  if (!(h->cut & kind)) {
    guint64 frame;
    W4Time ts;
    h->cut |= kind;
    frame_at (h, h->fed, &frame, &ts);
    w4_dis_anomaly_on (h->conn->flow, h->conn->on, W4_ANOM_LIMIT, h->dir, frame, ts, which, 0,
                    which == W4_LIMIT_HEADERS ? "too many header fields in one message"
                    : which == W4_LIMIT_AUTH_HEADER_BYTES
                        ? "authentication header fields larger than the limit"
                        : "header block larger than the limit");
  }
}

/* hdr_append_kind when @len bytes do not all fit under the bound. */
static G_GNUC_NO_INLINE guint32
hdr_append_cut (W4H1Half *h, const char *at, size_t len, W4LimitId which, guint32 *used,
                guint64 cap)
{
  gsize room = *used < cap ? (gsize) (cap - *used) : 0;
  gsize n = len < room ? len : room;

  note_truncated (h, which);
  if (n > 0) {
    h1_buf_append (&h->hdr, (const guint8 *) at, n);
    *used += (guint32) n;
  }
  return (guint32) n;
}

/* Appends to the header buffer under the bound of its kind (@auth: the
 * authentication-relevant fields' own); returns the number of bytes kept.
 * Every piece of every field comes here: the common case, all of it fits,
 * is inline. */
static inline guint32
hdr_append_kind (W4H1Half *h, const char *at, size_t len, gboolean auth)
{
  W4LimitId which = auth ? W4_LIMIT_AUTH_HEADER_BYTES : W4_LIMIT_HEADER_BYTES;
  guint64 cap = w4_dis_limits (h->conn->flow->dis)->v[which];
  guint32 *used = auth ? &h->auth_len : &h->ord_len;

  if ((guint64) *used + len > cap)
    return hdr_append_cut (h, at, len, which, used, cap);
  if (len > 0) {
    h1_buf_append (&h->hdr, (const guint8 *) at, len);
    *used += (guint32) len;
  }
  return (guint32) len;
}

/* The start line's pieces count under header-bytes. */
static guint32
hdr_append (W4H1Half *h, const char *at, size_t len)
{
  return hdr_append_kind (h, at, len, FALSE);
}


static inline guint8
ascii_lower (guint8 c)
{
  return c >= 'A' && c <= 'Z' ? (guint8) (c | 0x20) : c;
}

/* @name (any case) is @lower (lower case), both @len bytes. */
static gboolean
equals_lower (const guint8 *name, const char *lower, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (ascii_lower (name[i]) != (guint8) lower[i])
      return FALSE;
  return TRUE;
}

/* Fields a rule reads to explain a 401/407/403 (or that frame the
 * message) are kept past header-bytes and the field count, under
 * auth-header-bytes, so that padding cannot push credentials out. */

/* @name is one of @names (lower case, all @len bytes long). */
static inline gboolean
equals_one (const guint8 *name, gsize len, const char *const *names, gsize n)
{
  guint8 first = ascii_lower (name[0]);

  for (gsize i = 0; i < n; i++)
    if ((guint8) names[i][0] == first && equals_lower (name, names[i], len))
      return TRUE;
  return FALSE;
}

#define ONE_OF(...) \
  equals_one (name, len, (const char *const[]){ __VA_ARGS__ }, \
              sizeof ((const char *const[]){ __VA_ARGS__ }) / sizeof (const char *))

/* Every field of every message is looked up here: its length picks the
 * few names it can be (most fields, such as Date, Accept or User-Agent,
 * none), and their first byte rules out the rest before a comparison. */
static gboolean
is_listed (W4Dir dir, const guint8 *name, gsize len)
{
  if (dir == W4_DIR_TO_CLIENT) {
    switch (len) {
    case 7: return ONE_OF ("upgrade"); /* a 101's says HTTP/2 follows (upgrades_to_h2c) */
    case 8: return ONE_OF ("location");
    case 10: return ONE_OF ("set-cookie");
    case 12: return ONE_OF ("content-type");
    case 16: return ONE_OF ("www-authenticate");
    case 18: return ONE_OF ("proxy-authenticate");
    default: return FALSE;
    }
  }
  switch (len) {
  case 4: return ONE_OF ("host");
  case 6: return ONE_OF ("cookie", "origin", "expect");
  case 10: return ONE_OF ("x-wp-nonce");
  case 11: return ONE_OF ("x-csrftoken");
  case 12: return ONE_OF ("x-csrf-token", "x-xsrf-token");
  case 13: return ONE_OF ("authorization");
  case 14: return ONE_OF ("sec-fetch-site");
  case 19: return ONE_OF ("proxy-authorization");
  case 29: return ONE_OF ("access-control-request-method");
  default: return FALSE;
  }
}

static gboolean
is_auth_relevant (W4Dir dir, const guint8 *name, gsize len)
{
  if (is_listed (dir, name, len))
    return TRUE;
  /* The API-key names are auth/'s (one list for the parser and this). */
  return dir == W4_DIR_TO_SERVER && w4_auth_is_apikey_header ((const char *) name, len);
}

gboolean
w4_h1_field_is_auth_relevant (W4Dir dir, const guint8 *name, gsize len)
{
  return is_auth_relevant (dir, name, len);
}

static void
set_first_frame (W4H1Half *h, guint64 off)
{
  if (h->first_frame == 0) {
    frame_at (h, off, &h->first_frame, &h->first_ts);
    h->start_off = off;
  }
}

static int
cb_message_begin (llhttp_t *p)
{
  W4H1Half *h = half_of (p);

  h->in_msg = TRUE;
  h->head_done = FALSE;
  h->version_checked = FALSE;
  h->hdr.len = 0;
  h->refs.len = 0;
  h->method_off = h->method_len = h->target_off = h->target_len = 0;
  h->reason_off = h->reason_len = 0;
  h->last_cb = CB_NONE;
  h->truncated = FALSE;
  h->cut = 0;
  h->ord_len = h->auth_len = 0;
  h->name_len = 0;
  h->name_at = 0;
  h->start_off = 0;
  h->first_frame = h->last_frame = 0;
  h->status = 0;
  h->interim = FALSE;
  h->keep_body = FALSE;
  g_byte_array_set_size (h->body, 0);
  h->body_total = 0;
  h->body_last_frame = 0;
  h->body_gap = FALSE;
  h->skip_field = FALSE;
  h->last_span_end = 0;
  return 0;
}

static int
cb_method (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);

  if (h->method_subst) {
    /* llhttp parses a stand-in for a method it does not know: report the
     * real token, once */
    if (h->subst_tok != NULL) {
      set_first_frame (h, h->subst_off);
      h->method_off = h->hdr.len;
      h->method_len = hdr_append (h, (const char *) h->subst_tok, h->subst_len);
      h->subst_tok = NULL;
    }
    h->last_cb = CB_METHOD;
    return 0;
  }
  set_first_frame (h, stream_off (h, at));
  if (h->last_cb != CB_METHOD)
    h->method_off = h->hdr.len;
  h->method_len += hdr_append (h, at, len);
  h->last_cb = CB_METHOD;
  return 0;
}

/* The bytes as sent: where llhttp read the patched copy of the chunk, the
 * @kept bytes it handed at @at are copied back from the chunk itself into
 * @dst (stand-ins have the length of what they replace, so the offsets
 * agree). Nothing to remember per stand-in: no cap on how many there are. */
static void
restore_patches (W4H1Half *h, const char *at, guint8 *dst, guint32 kept)
{
  const guint8 *p = (const guint8 *) at;

  if (h->cur_orig == NULL || h->cur_orig == h->cur->data)
    return;
  if (p < h->cur->data || (gsize) (p - h->cur->data) > h->cur->len ||
      kept > h->cur->len - (gsize) (p - h->cur->data))
    return; /* not from the chunk (a substituted method) */
  memcpy (dst, h->cur_orig + (p - h->cur->data), kept);
}

static int
cb_url (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);
  guint32 kept;

  h->method_subst = FALSE;
  if (h->last_cb != CB_URL)
    h->target_off = h->hdr.len;
  kept = hdr_append (h, at, len);
  h->target_len += kept;
  restore_patches (h, at, h->hdr.data + h->hdr.len - kept, kept);
  h->last_cb = CB_URL;
  return 0;
}

static int
cb_version (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);
  guint8 proto[5];

  if (h->version_checked)
    return 0;
  h->version_checked = TRUE;
  /* llhttp also takes RTSP/ and ICE/ request lines: only "HTTP/" is ours.
   * For a response the status line starts with those 5 bytes. */
  if (!peek_back (h, at, 5, proto) || memcmp (proto, "HTTP/", 5) != 0) {
    llhttp_set_error_reason (p, "not an HTTP/1 start line");
    return HPE_USER;
  }
  if (h->dir == W4_DIR_TO_CLIENT)
    set_first_frame (h, stream_off (h, at) - 5);
  return 0;
}

static int
cb_status (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);

  if (h->last_cb != CB_STATUS)
    h->reason_off = h->hdr.len;
  h->reason_len += hdr_append (h, at, len);
  h->last_cb = CB_STATUS;
  return 0;
}

/* The field name being read (h->name_len bytes), as sent. */
static inline const guint8 *
field_name (const W4H1Half *h)
{
  return h->name_at != 0 ? h->cur_orig + (h->name_at - 1) : h->name;
}

/* A borrowed name is copied before its chunk goes (or a piece is added). */
static void
keep_name (W4H1Half *h)
{
  if (h->name_at == 0)
    return;
  memcpy (h->name, h->cur_orig + (h->name_at - 1), h->name_len);
  h->name_at = 0;
}

/* The name is gathered whole first (llhttp hands it in pieces): only
 * then is it known under which bound the field is kept. A name that comes
 * whole in one piece (nearly all) is only pointed at, in the chunk's own
 * bytes (patches are not in them): nothing is copied. */
static int
cb_header_field (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);
  gsize room;
  gsize rel = (gsize) ((const guint8 *) at - h->cur->data);

  h->last_span_end = h->cur_base + rel + len;
  if (h->last_cb != CB_FIELD) {
    /* a new field begins */
    h->last_cb = CB_FIELD;
    if (len <= sizeof h->name && (const guint8 *) at >= h->cur->data && rel <= h->cur->len &&
        len <= h->cur->len - rel) {
      h->name_at = (guint32) rel + 1;
      h->name_len = (guint32) len;
      return 0;
    }
    h->name_len = 0;
  }
  keep_name (h);
  room = sizeof h->name - h->name_len;
  if (len > room)
    h->cut |= W4_HEAD_CUT_ORDINARY; /* no such name is authentication-relevant */
  memcpy (h->name + h->name_len, at, MIN (len, room));
  restore_patches (h, at, h->name + h->name_len, (guint32) MIN (len, room));
  h->name_len += (guint32) MIN (len, room);
  return 0;
}

/* Ordinary fields stop at header-bytes or the field count; the
 * authentication-relevant ones go on under auth-header-bytes. */
static int
cb_header_field_complete (llhttp_t *p)
{
  W4H1Half *h = half_of (p);
  const guint8 *name = field_name (h);
  gboolean auth = is_auth_relevant (h->dir, name, h->name_len);
  W4HdrRef fresh = { h->hdr.len, 0, 0, 0, auth, FALSE };
  guint32 kept;

  h->name_at = 0; /* the name is used up here, whatever becomes of it */
  h->skip_field = TRUE;
  if (!auth && h->refs.len >= w4_dis_limits (h->conn->flow->dis)->v[W4_LIMIT_HEADERS]) {
    note_truncated (h, W4_LIMIT_HEADERS);
    return 0;
  }
  kept = hdr_append_kind (h, (const char *) name, h->name_len, auth);
  if (kept < h->name_len) {
    /* a cut name is no name: drop what was kept of it */
    h->hdr.len -= kept;
    *(auth ? &h->auth_len : &h->ord_len) -= kept;
    return 0;
  }
  fresh.name_len = kept;
  fresh.value_off = h->hdr.len;
  *h1_refs_add (&h->refs) = fresh;
  h->skip_field = FALSE;
  return 0;
}

static int
cb_header_value (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);

  h->last_span_end = stream_off (h, at) + len;
  if (h->last_cb != CB_FIELD && h->last_cb != CB_VALUE)
    return 0;
  h->last_cb = CB_VALUE;
  if (!h->skip_field && h->refs.len > 0) {
    W4HdrRef *ref = &h->refs.v[h->refs.len - 1];
    guint32 kept = hdr_append_kind (h, at, len, ref->auth);
    ref->value_len += kept;
    if (kept < len)
      ref->value_cut = TRUE;
  }
  return 0;
}

static W4Span
buf_span (W4H1Half *h, guint32 off, guint32 len)
{
  static const guint8 empty;

  /* A head without reason phrase and fields leaves the buffer empty, and
   * an empty GByteArray may have no data at all: NULL + 0 is undefined
   * (UBSan, found by fuzz-pipeline), so such spans point at a static byte. */
  if (h->hdr.data == NULL)
    return w4_span (&empty, 0);
  return w4_span (h->hdr.data + off, len);
}

/* Called for every field of every message. */
static inline W4Span
trim (W4Span s)
{
  while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
    s.ptr++;
    s.len--;
  }
  while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
    s.len--;
  return s;
}


static gboolean
span_ieq (W4Span a, const char *lit)
{
  return w4_tok_span_ieq ((const char *) a.ptr, a.len, lit);
}

/* A CONNECT's target, kept for the tunnel's record: its host and port
 * (a userinfo that some clients send is a secret, and names no server),
 * printable ASCII only (a report shows it), cut to fit. */
static void
remember_connect (W4H1Conn *c, W4Span target)
{
  gsize n;

  for (gsize i = target.len; i > 0; i--)
    if (target.ptr[i - 1] == '@') {
      target = w4_span (target.ptr + i, target.len - i);
      break;
    }
  n = MIN (target.len, W4_TUNNEL_TO_MAX - 1);

  g_free (c->connect_to);
  c->connect_to = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    c->connect_to[i] = g_ascii_isgraph (target.ptr[i]) ? (char) target.ptr[i] : '?';
  c->connect_to[n] = '\0';
}

static void
emit_head (W4H1Half *h, llhttp_t *p)
{
  W4Flow *flow = h->conn->flow;
  const W4Sink *sink = w4_dis_sink (flow->dis);
  W4HttpHead head = { 0 };
  guint64 end_off;
  guint n_view;

  /* The header block ends with CRLF CRLF after the last field: 3 bytes
   * past its last byte, clipped to what has been fed. */
  end_off = h->last_span_end ? h->last_span_end + 3 : h->cur_base + h->cur->len - 1;
  if (end_off >= h->cur_base + h->cur->len)
    end_off = h->cur_base + h->cur->len - 1;
  frame_at (h, end_off, &h->last_frame, &h->last_ts);
  if (h->first_frame == 0) {
    h->first_frame = h->last_frame;
    h->first_ts = h->last_ts;
  }

  /* sized once, filled in place: one call per message, not per field */
  g_array_set_size (h->view, h->refs.len);
  n_view = 0;
  for (guint i = 0; i < h->refs.len; i++) {
    W4HdrRef *ref = &h->refs.v[i];
    W4Header *hd = &g_array_index (h->view, W4Header, n_view);
    /* a credential cut short would be read as a wrong one: the field is
     * left out, and the head says authentication fields were cut */
    if (ref->auth && ref->value_cut)
      continue;
    hd->name = buf_span (h, ref->name_off, ref->name_len);
    hd->value = trim (buf_span (h, ref->value_off, ref->value_len));
    n_view++;
  }
  g_array_set_size (h->view, n_view);

  w4_dis_ensure_open (flow);
  h->msg_seq = h->next_seq++;
  head.conn = h->conn->on;
  head.dir = h->dir;
  head.proto = W4_HTTP_1;
  head.http_major = llhttp_get_http_major (p);
  head.http_minor = llhttp_get_http_minor (p);
  head.seq = h->msg_seq;
  head.first_frame = h->first_frame;
  head.last_frame = h->last_frame;
  head.first_ts = h->first_ts;
  head.last_ts = h->last_ts;
  head.headers = (const W4Header *) h->view->data;
  head.n_headers = h->view->len;
  head.headers_truncated = h->truncated || h->cut != 0;
  head.cut = h->cut;
  head.odd = h->odd;
  head.header_block_len = end_off >= h->start_off ? end_off - h->start_off + 1 : 0;
  if (h->dir == W4_DIR_TO_SERVER) {
    head.method = buf_span (h, h->method_off, h->method_len);
    head.target = buf_span (h, h->target_off, h->target_len);
    head.reason = w4_span (NULL, 0);
    if (span_ieq (head.method, "CONNECT"))
      remember_connect (h->conn, head.target);
    if (sink->on_request)
      sink->on_request (sink->user, &head);
  } else {
    head.method = w4_span (NULL, 0);
    head.target = w4_span (NULL, 0);
    head.status = h->status;
    head.reason = trim (buf_span (h, h->reason_off, h->reason_len));
    head.interim = h->interim;
    if (sink->on_response)
      sink->on_response (sink->user, &head);
  }
  h->head_done = TRUE;
  h1_charge (h->conn);
}


static gboolean
has_expect_continue (W4H1Half *h)
{
  for (guint i = 0; i < h->refs.len; i++) {
    W4HdrRef *ref = &h->refs.v[i];
    if (span_ieq (buf_span (h, ref->name_off, ref->name_len), "expect") &&
        span_ieq (trim (buf_span (h, ref->value_off, ref->value_len)), "100-continue"))
      return TRUE;
  }
  return FALSE;
}

/* A 101 that switches to HTTP/2 in cleartext (RFC 7540 3.2: Upgrade: h2c). */
static gboolean
upgrades_to_h2c (W4H1Half *h)
{
  for (guint i = 0; i < h->refs.len; i++) {
    W4HdrRef *ref = &h->refs.v[i];
    if (span_ieq (buf_span (h, ref->name_off, ref->name_len), "upgrade") &&
        span_ieq (trim (buf_span (h, ref->value_off, ref->value_len)), "h2c"))
      return TRUE;
  }
  return FALSE;
}

static int
cb_headers_complete (llhttp_t *p)
{
  W4H1Half *h = half_of (p);
  int ret = 0;

  if (h->unscanned_spoiled)
    return -1; /* read again, scanned (try_unscanned) */
  /* RFC 9112 2.3: only HTTP/1.x; HTTP/2's "PRI * HTTP/2.0" and anything
   * else is not ours. */
  if (llhttp_get_http_major (p) != 1) {
    llhttp_set_error_reason (p, "not HTTP/1.x");
    return -1;
  }

  if (h->dir == W4_DIR_TO_SERVER) {
    pending_push (h->conn, llhttp_get_method (p), h->cur->marks[0].frame, h->cur->marks[0].ts);
    /* A request whose Transfer-Encoding does not end in chunked has no
     * length a server could use (RFC 9112 6.3 rule 4: it answers 400 and
     * closes). Reading its "body" to the end of the connection would
     * swallow every later request, so: no body, as tshark does. */
    if ((p->flags & F_TRANSFER_ENCODING) && !(p->flags & F_CHUNKED))
      ret = 1;
    h->expect_continue = ret == 0 && has_expect_continue (h) &&
                         ((p->flags & F_CHUNKED) || p->content_length > 0);
    h->body_may_be_skipped = FALSE;
  } else {
    guint8 method = HTTP_GET;
    gboolean have_method;

    h->status = (guint) llhttp_get_status_code (p);
    /* RFC 9110 15.2: 1xx are interim and do not answer the request, except
     * 101 which ends HTTP on the connection. */
    if (h->status >= 100 && h->status < 200 && h->status != 101) {
      h->interim = TRUE;
    } else {
      have_method = pending_pop (h->conn, &method);
      if (have_method && method == HTTP_HEAD)
        ret = 1; /* RFC 9110 9.3.2: no body, whatever the headers say */
      if (have_method && method == HTTP_CONNECT && h->status >= 200 && h->status < 300) {
        h->stop_after_msg = TRUE; /* RFC 9110 9.3.6: a tunnel follows */
        h->tunnel = TRUE;
        ret = 1;
      }
      if (h->status == 101)
        h->stop_after_msg = TRUE;
      /* RFC 7540 3.2: after a 101 to h2c the request's answer comes on
       * HTTP/2's stream 1: the 101 does not answer it */
      if (h->status == 101 && upgrades_to_h2c (h))
        h->interim = TRUE;
      /* RFC 9110 10.1.1: a final answer to "Expect: 100-continue" before
       * the body lets the client skip the body (often after a 401) and
       * send its next request instead */
      if (h->conn->half[W4_DIR_TO_SERVER]->in_msg && h->conn->half[W4_DIR_TO_SERVER]->expect_continue)
        h->conn->half[W4_DIR_TO_SERVER]->body_may_be_skipped = TRUE;
    }
    h->keep_body = h->status >= 400 && h->status < 500;
  }
  emit_head (h, p);
  return ret;
}

static int
cb_body (llhttp_t *p, const char *at, size_t len)
{
  W4H1Half *h = half_of (p);
  W4Time ts;

  h->body_total += len;
  frame_at (h, stream_off (h, at) + len - 1, &h->body_last_frame, &ts);
  if (h->keep_body) {
    guint64 keep = w4_dis_limits (h->conn->flow->dis)->v[W4_LIMIT_BODY_KEEP];
    if (h->body->len < keep) {
      gsize n = (gsize) MIN ((guint64) len, keep - h->body->len);
      g_byte_array_append (h->body, (const guint8 *) at, (guint) n);
    }
  }
  return 0;
}

static void
emit_body (W4H1Half *h, gboolean complete)
{
  const W4Sink *sink = w4_dis_sink (h->conn->flow->dis);
  W4HttpBody body = { 0 };

  if (!h->head_done)
    return;
  body.conn = h->conn->on;
  body.dir = h->dir;
  body.seq = h->msg_seq;
  body.prefix = w4_span (h->body->data, h->body->len);
  body.total_len = h->body_total;
  body.complete = complete;
  body.last_frame = h->body_last_frame ? h->body_last_frame : h->last_frame;
  if (sink->on_body)
    sink->on_body (sink->user, &body);
  h1_charge (h->conn);
}

static int
cb_message_complete (llhttp_t *p)
{
  W4H1Half *h = half_of (p);

  /* the message ends in the chunk being parsed (a chunked body's last
   * bytes are its terminator, which on_body never sees) */
  if (h->cur != NULL) {
    W4Time ts;
    guint64 end = h->cur->len > 0 ? h->cur_base + h->cur->len - 1 : h->cur_base;
    frame_at (h, end, &h->body_last_frame, &ts);
  }
  emit_body (h, !h->body_gap);
  h->in_msg = FALSE;
  h->head_done = FALSE;
  if (h->stop_after_msg)
    return HPE_PAUSED;
  /* stop at the boundary so the next method can be looked at, and the
   * next head scanned (tolerate_head) */
  h->at_boundary = TRUE;
  return HPE_PAUSED;
}

static const llhttp_settings_t w4_h1_settings = {
  .on_message_begin = cb_message_begin,
  .on_url = cb_url,
  .on_status = cb_status,
  .on_method = cb_method,
  .on_version = cb_version,
  .on_header_field = cb_header_field,
  .on_header_value = cb_header_value,
  .on_header_field_complete = cb_header_field_complete,
  .on_headers_complete = cb_headers_complete,
  .on_body = cb_body,
  .on_message_complete = cb_message_complete,
};

/* ---- per direction --------------------------------------------------------- */

static void
parser_start (W4H1Half *h)
{
  /* buffers only for directions that turn out to be HTTP: most flows in a
   * busy capture are not (a recycled state has them already) */
  h->started = TRUE;
  if (h->view == NULL) {
    h->view = g_array_new (FALSE, FALSE, sizeof (W4Header));
    h->body = g_byte_array_new ();
  }
  llhttp_init (&h->parser, h->dir == W4_DIR_TO_SERVER ? HTTP_REQUEST : HTTP_RESPONSE,
               &w4_h1_settings);
  h->parser.data = h;
  llhttp_set_lenient_headers (&h->parser, 1);
  llhttp_set_lenient_chunked_length (&h->parser, 1);
  llhttp_set_lenient_keep_alive (&h->parser, 1);
  llhttp_set_lenient_transfer_encoding (&h->parser, 1);
  h->in_msg = FALSE;
  h->head_done = FALSE;
  h->stop_after_msg = FALSE;
  h->at_boundary = FALSE;
  h->method_subst = FALSE;
  h->expect_continue = FALSE;
  h->body_may_be_skipped = FALSE;
  h->mode = W4_H1_ACTIVE;
}

/* The message in progress ends short: its body (if its head was out) is
 * delivered incomplete. */
static void
abandon_message (W4H1Half *h)
{
  if (h->in_msg)
    emit_body (h, FALSE);
  h->in_msg = FALSE;
  h->head_done = FALSE;
}

/* An upgrade (101): nothing more on the connection is HTTP/1. */
/* Is @c the connection's own HTTP/1 (on TCP or in a tunnel), not one
 * inside a decrypted TLS session? Only that one may hand the connection's
 * bytes to another protocol (a tunnel's, h2c's): inside TLS they are the
 * TLS layer's, and a tunnel or an upgrade there is not read. */
static gboolean
owns_connection (const W4H1Conn *c)
{
  return w4_app_state (c->flow, W4_PROTO_H1) == c;
}

static void
stop_connection (W4H1Conn *c)
{
  for (int d = 0; d < 2; d++) {
    abandon_message (c->half[d]);
    c->half[d]->mode = W4_H1_STOPPED;
    w4_app_stop (c->flow, (W4Dir) d);
  }
}

/* A half as new, keeping the buffers of the flow that had it before (they
 * are emptied wherever they are used). */
static void
half_reset (W4H1Conn *c, W4H1Half *h, W4Dir dir)
{
  W4H1Buf hdr = h->hdr;
  GByteArray *body = h->body;
  W4H1Refs refs = h->refs;
  GArray *view = h->view;
  guint8 *patched = h->patched;
  gsize patched_size = h->patched_size;

  memset (h, 0, sizeof *h);
  h->conn = c;
  h->dir = dir;
  h->mode = W4_H1_UNDECIDED;
  h->hdr = hdr;
  h->body = body;
  h->refs = refs;
  h->view = view;
  h->patched = patched;
  h->patched_size = patched_size;
}

static void *
h1_new (W4Flow *flow, const W4ConnInfo *on)
{
  W4Dissect *dis = flow->dis;
  W4H1Conn *c;

  if (dis->n_h1_spare > 0) {
    c = dis->h1_spare[--dis->n_h1_spare];
    c->pending.head = c->pending.count = 0;
  } else {
    c = g_new0 (W4H1Conn, 1);
    c->half[0] = g_new0 (W4H1Half, 1);
    c->half[1] = g_new0 (W4H1Half, 1);
  }
  c->flow = flow;
  c->on = on;
  g_clear_pointer (&c->connect_to, g_free);
  for (int d = 0; d < 2; d++)
    half_reset (c, c->half[d], (W4Dir) d);
  c->charged = 0;
  h1_charge (c);
  return c;
}

static void
h1_destroy (W4H1Conn *c)
{
  for (int d = 0; d < 2; d++) {
    W4H1Half *h = c->half[d];
    g_clear_pointer (&h->hdr.data, g_free);
    g_clear_pointer (&h->refs.v, g_free);
    g_clear_pointer (&h->view, g_array_unref);
    g_clear_pointer (&h->body, g_byte_array_unref);
    g_clear_pointer (&h->patched, g_free);
    g_free (h);
  }
  g_free (c->pending.methods);
  g_free (c);
}

/* The flow is done with it: kept as a spare while there is room. */
static void
h1_free (void *st)
{
  W4H1Conn *c = st;
  W4Dissect *dis = c->flow->dis;

  g_clear_pointer (&c->connect_to, g_free);
  /* a spare is the dissector's few, not the connection's */
  w4_budget_release (dis->limits.budget, W4_MEM_HTTP, c->charged);
  c->charged = 0;
  if (dis->n_h1_spare < W4_H1_SPARE) {
    c->flow = NULL;
    dis->h1_spare[dis->n_h1_spare++] = c;
    return;
  }
  h1_destroy (c);
}

void
w4_h1_free_spares (W4Dissect *dis)
{
  while (dis->n_h1_spare > 0)
    h1_destroy (dis->h1_spare[--dis->n_h1_spare]);
}

static void
parse_error (W4H1Half *h, llhttp_errno_t err)
{
  const char *reason = llhttp_get_error_reason (&h->parser);
  g_autofree char *msg = g_strdup_printf ("HTTP/1 parse error (%s): %s", llhttp_errno_name (err),
                                          reason ? reason : "?");
  guint64 frame;
  W4Time ts;

  frame_at (h, h->cur_base, &frame, &ts);
  abandon_message (h);
  w4_dis_anomaly_on (h->conn->flow, h->conn->on, W4_ANOM_HTTP_ERROR, h->dir, frame, ts,
                     W4_LIMIT_COUNT, 0, msg);
  h->mode = W4_H1_RESYNC;
  forget_context (h);
}

/* At a request boundary: when the next method is one llhttp does not know
 * (RPC_IN_DATA, BPROPFIND...), llhttp is fed "GET" in its place and the
 * real token is reported. Only a token whole in this chunk is replaced;
 * one split across segments is left to llhttp (which may reject it). The
 * stand-in never changes how the message is framed: request bodies are
 * framed by their headers alone, whatever the method (RFC 9112 6.3). */
static const char *
substitute_method (W4H1Half *h, const char *pos, const char *end)
{
  const guint8 *p = (const guint8 *) pos;
  gsize avail = (gsize) (end - pos), skip = 0, tok;
  llhttp_errno_t err;

  while (skip < avail && (p[skip] == '\r' || p[skip] == '\n'))
    skip++;
  /* a method llhttp knows (nearly every request) needs no look at the
   * rest of the line */
  for (tok = 0; tok < W4_H1_MAX_METHOD && skip + tok < avail && is_tchar (p[skip + tok]); tok++)
    ;
  if (known_method (p + skip, tok))
    return pos;
  tok = generic_request_line (p + skip, avail - skip);
  if (tok == 0)
    return pos;
  if (skip > 0 && llhttp_execute (&h->parser, pos, skip) != HPE_OK)
    return pos + skip;
  h->method_subst = TRUE;
  h->subst_tok = p + skip;
  h->subst_len = tok;
  h->subst_off = stream_off (h, pos + skip);
  err = llhttp_execute (&h->parser, "GET", 3);
  if (err != HPE_OK)
    return pos + skip; /* llhttp reports it on the real bytes */
  return pos + skip + tok;
}

/* After a CONNECT's 2xx the connection carries whatever the client tunnels:
 * usually TLS (then the connection is TLS not decrypted), sometimes plain
 * HTTP to the origin. Both directions start over as if new, unlike an
 * upgrade, whose protocol we know is not HTTP/1. */
static void
start_tunnel (W4H1Conn *c)
{
  const W4ConnInfo *tunnel = w4_flow_push_layer (c->flow, W4_LAYER_TUNNEL, c->on, c->connect_to);

  if (tunnel == NULL) {
    stop_connection (c);
    return;
  }
  /* what comes through the tunnel runs on the tunnel's record: HTTP/1
   * numbering goes on, and a TLS session inside runs on it too */
  c->on = tunnel;
  w4_app_of (c->flow)->top = tunnel;
  for (int d = 0; d < 2; d++) {
    W4H1Half *h = c->half[d];
    abandon_message (h);
    h->mode = W4_H1_UNDECIDED;
    h->tunnel = FALSE;
    h->stop_after_msg = FALSE;
    forget_context (h);
  }
  c->pending.head = 0;
  c->pending.count = 0;
  w4_app_restart (c->flow);
}

static void feed_rest (W4Flow *flow, W4Dir dir, const W4Chunk *c, gsize skip);

/* A byte llhttp refuses in a request target (RFC 3986 has no controls;
 * llhttp, outside strict mode, takes TAB and FF) but that servers such as
 * python's http.server accept: a client can send it, so a parse error must
 * not hide its request (and its credentials). */
static gboolean
target_byte_refused (guint8 c)
{
  return (c < 0x20 && c != '\t' && c != '\f' && c != '\r' && c != '\n') || c == 0x7f;
}

/* A byte llhttp refuses in a field name (not a tchar: controls, 8-bit,
 * separators) where nginx, by default, ignores the field and python's
 * http.server takes it: a stand-in keeps the message readable. Space and
 * TAB before the colon llhttp takes already. */
static gboolean
name_byte_refused (guint8 c)
{
  return !is_tchar (c) && c != ' ' && c != '\t' && c != ':' && c != '\r' && c != '\n';
}

/* One step of the head scan: the state after byte @b, and the stand-in
 * @b must be fed as (0: @b itself). */
static guint8
head_scan_step (guint8 state, guint8 b, guint8 *stand_in)
{
  gboolean refused = FALSE;
  guint8 next = state;

  *stand_in = 0;
  switch (state) {
  case W4_H1_RL_START:
    /* empty lines before a request are allowed (RFC 9112 2.2) */
    return b == '\r' || b == '\n' ? state : W4_H1_RL_METHOD;
  case W4_H1_RL_METHOD:
    if (b == ' ')
      return W4_H1_RL_TARGET;
    if (b == '\t') {
      /* RFC 9112 3: a recipient may split the request line on any
       * whitespace, as python's http.server does; llhttp wants a space */
      *stand_in = ' ';
      return W4_H1_RL_TARGET;
    }
    /* not a request line: llhttp decides */
    return b == '\r' || b == '\n' ? W4_H1_RL_DONE : state;
  case W4_H1_RL_TARGET:
    if (b == ' ')
      return W4_H1_RL_LINE;
    if (b == '\t') {
      *stand_in = ' ';
      return W4_H1_RL_LINE;
    }
    if (b == '\r' || b == '\n')
      return W4_H1_RL_DONE;
    refused = target_byte_refused (b);
    break;
  case W4_H1_RL_LINE:
  case W4_H1_HF_VALUE:
    return b == '\n' ? W4_H1_HF_START : state;
  case W4_H1_HF_START:
    if (b == '\r')
      return state;
    if (b == '\n')
      return W4_H1_RL_DONE; /* the empty line: the head ends */
    if (b == ' ' || b == '\t')
      return W4_H1_HF_VALUE; /* obs-fold: the value goes on */
    refused = name_byte_refused (b);
    next = W4_H1_HF_NAME;
    break;
  case W4_H1_HF_NAME:
    if (b == ':')
      return W4_H1_HF_VALUE;
    if (b == '\r') {
      /* a line without colon (nginx ignores it, tshark shows it): its CR
       * is fed as the colon, and llhttp (lenient) takes the bare LF as the
       * end of an empty value */
      *stand_in = ':';
      return W4_H1_HF_VALUE;
    }
    if (b == '\n')
      return W4_H1_RL_DONE; /* a bare LF without colon: llhttp decides */
    refused = name_byte_refused (b);
    break;
  default:
    return W4_H1_RL_DONE;
  }
  if (refused)
    *stand_in = '_';
  return next;
}

/* llhttp 8 takes HTTP/1.0 and 1.1 only (its lenient_version came later);
 * python's http.server takes any 1.x and answers it. A later minor digit
 * is fed as "1" (as much of 1.x as llhttp knows); @b is the start line's
 * next byte after the method and target (a response: its first). */
static guint8
version_stand_in (W4H1Half *h, guint8 b)
{
  static const char proto[] = "HTTP/1.";
  guint pos = h->line_pos;

  if (pos >= W4_H1_LINE_SCAN)
    return 0;
  h->line_pos++;
  if (pos < sizeof proto - 1) {
    if (b != (guint8) proto[pos])
      h->line_pos = W4_H1_LINE_SCAN; /* not HTTP/1.x: llhttp decides */
    return 0;
  }
  h->line_pos = W4_H1_LINE_SCAN; /* only the minor digit is looked at */
  return pos == sizeof proto - 1 && b >= '2' && b <= '9' ? '1' : 0;
}

/* A byte of a request target that ends no run (not SP, HTAB, CR, LF) and
 * needs no stand-in (target_byte_refused). */
static inline gboolean
target_byte_plain (guint8 c)
{
  return (c > ' ' && c != 0x7f) || c == '\f';
}

/* The start of a status or request line's version: "HTTP/1." and a minor
 * digit that is fed as itself (not 2-9, which version_stand_in replaces,
 * nor the LF that ends the line). */
static gboolean
plain_version_at (const guint8 *d, gsize len, gsize i)
{
  return len - i >= W4_H1_LINE_SCAN && memcmp (d + i, "HTTP/1.", 7) == 0 && d[i + 7] != '\n' &&
         !(d[i + 7] >= '2' && d[i + 7] <= '9');
}

/* Goes over the bytes of @d from @i that need no stand-in and no closer
 * look, moving h->rl_state as head_scan_step would for them; returns where
 * the first byte that needs head_scan_step is (@len: none). This is the
 * scan's every-byte work, so each state runs its own tight loop: values
 * (most of a head) at memchr's speed, names through the tchar table, and
 * whole ordinary field lines without leaving the loop. Each round consumes
 * at least one byte. */
static gsize
head_scan_plain (W4H1Half *h, const guint8 *d, gsize len, gsize i)
{
  while (i < len) {
    switch (h->rl_state) {
    case W4_H1_RL_METHOD:
      while (i < len && d[i] != ' ' && d[i] != '\t' && d[i] != '\r' && d[i] != '\n')
        i++;
      return i;
    case W4_H1_RL_TARGET:
      while (i < len && target_byte_plain (d[i]))
        i++;
      return i;
    case W4_H1_RL_LINE:
      if (h->line_pos < W4_H1_LINE_SCAN) {
        if (h->line_pos != 0 || !plain_version_at (d, len, i))
          return i; /* byte by byte: version_stand_in */
        h->line_pos = W4_H1_LINE_SCAN;
        i += W4_H1_LINE_SCAN;
        continue;
      }
      /* nothing up to the line's end needs a stand-in */
      G_GNUC_FALLTHROUGH;
    case W4_H1_HF_VALUE: {
      const guint8 *nl = memchr (d + i, '\n', len - i);

      if (nl == NULL)
        return len;
      i = (gsize) (nl - d) + 1;
      h->rl_state = W4_H1_HF_START;
      continue;
    }
    case W4_H1_HF_START:
      if (!is_tchar (d[i]))
        return i;
      h->rl_state = W4_H1_HF_NAME;
      i++;
      G_GNUC_FALLTHROUGH;
    case W4_H1_HF_NAME:
      while (i < len && is_tchar (d[i]))
        i++;
      if (i == len || d[i] != ':')
        return i;
      h->rl_state = W4_H1_HF_VALUE;
      i++;
      continue;
    default:
      return i;
    }
  }
  return i;
}

/* Scans the head from @from (a position in @c, which is being fed at
 * stream offset h->cur_base) and replaces the bytes llhttp refuses in the
 * request target and in field names with '_' in a copy of the chunk (same
 * length: framing and frame marks are unchanged), remembered to be put
 * back. Returns the data llhttp is to read: the copy once something was
 * patched. */
static const guint8 *
patch_head (W4H1Half *h, const W4Chunk *c, const guint8 *data, gsize from)
{
  guint8 *out = (guint8 *) data;

  for (gsize i = from; i < c->len && h->rl_state != W4_H1_RL_DONE; i++) {
    guint8 stand_in;
    guint8 was;
    guint8 version;

    i = head_scan_plain (h, c->data, c->len, i);
    if (i == c->len)
      break;
    was = h->rl_state;
    version = was == W4_H1_RL_LINE ? version_stand_in (h, c->data[i]) : 0;

    h->rl_state = head_scan_step (h->rl_state, c->data[i], &stand_in);
    if (version != 0)
      stand_in = version;
    if (h->rl_state == W4_H1_RL_LINE && was != W4_H1_RL_LINE)
      h->line_pos = 0;
    if (stand_in == 0)
      continue;
    h->odd |= was <= W4_H1_RL_LINE ? W4_HEAD_ODD_TARGET : W4_HEAD_ODD_NAME;
    if (out == c->data) {
      if (h->patched_size < c->len) {
        g_free (h->patched);
        h->patched = g_malloc (c->len);
        h->patched_size = c->len;
      }
      memcpy (h->patched, c->data, c->len);
      out = h->patched;
    }
    out[i] = stand_in;
  }
  return out;
}

/* Before llhttp reads from @pos: at a message's start the scan starts over
 * (a response's at its status line's end: nothing there needs a stand-in);
 * within its head it goes on. */
static const char *
tolerate_head (W4H1Half *h, const W4Chunk *c, const char **data, const char *pos)
{
  gsize at = (gsize) (pos - *data);
  const guint8 *d;

  if (!h->in_msg) {
    h->rl_state = h->dir == W4_DIR_TO_SERVER ? W4_H1_RL_START : W4_H1_RL_LINE;
    h->line_pos = 0;
    h->odd = 0;
  }
  if (h->rl_state == W4_H1_RL_DONE)
    return pos;
  d = patch_head (h, c, (const guint8 *) *data, at);
  *data = (const char *) d;
  return (const char *) d + at;
}

/* Can llhttp read the request line at @p (after the empty lines RFC 9112
 * 2.2 allows) as it came? Its method must be one llhttp knows (else
 * substitute_method feeds a stand-in), and it must hold no TAB: llhttp
 * takes a TAB inside the target, where the scan makes it the separator
 * that python's http.server sees. The line must end in the chunk, or the
 * head could not. */
static gboolean
plain_request_line_at (const guint8 *p, gsize avail)
{
  gsize skip = 0, tok;
  const guint8 *nl;

  while (skip < avail && (p[skip] == '\r' || p[skip] == '\n'))
    skip++;
  for (tok = 0; tok < W4_H1_MAX_METHOD && skip + tok < avail && is_tchar (p[skip + tok]); tok++)
    ;
  if (!known_method (p + skip, tok))
    return FALSE;
  nl = memchr (p + skip, '\n', avail - skip);
  return nl != NULL && memchr (p + skip, '\t', (gsize) (nl - (p + skip))) == NULL;
}

/* At a message's start, llhttp first reads the chunk as it came: the head
 * scan (tolerate_head) changes nothing in nearly every head, and costs a
 * look at each of its bytes. The reading stands when the head was emitted
 * (llhttp took it whole, as it came: it refuses every byte the scan
 * replaces, but for the TAB that plain_request_line_at rules out), or no
 * message began. Otherwise (llhttp refused a byte the scan
 * would have replaced, the head goes on in the next chunk, whose bytes the
 * scan must see from where it stands, or a limit's anomaly was held back)
 * the parser is put back as it was, the message's state is started over,
 * and the caller reads the chunk again, scanned. Returns TRUE when the
 * reading stands, with llhttp's result in @err. */
static gboolean
try_unscanned (W4H1Half *h, const char *pos, const char *end, llhttp_errno_t *err)
{
  llhttp_t before;
  guint64 seq = h->next_seq;

  if (h->in_msg ||
      (h->dir == W4_DIR_TO_SERVER &&
       !plain_request_line_at ((const guint8 *) pos, (gsize) (end - pos))))
    return FALSE;
  before = h->parser;
  h->odd = 0;
  h->unscanned = TRUE;
  h->unscanned_spoiled = FALSE;
  *err = llhttp_execute (&h->parser, pos, (size_t) (end - pos));
  h->unscanned = FALSE;
  if (h->next_seq != seq || (!h->in_msg && *err == HPE_OK)) {
    h->rl_state = W4_H1_RL_DONE; /* past the head: nothing for the scan */
    return TRUE;
  }
  h->parser = before;
  h->in_msg = FALSE;
  h->head_done = FALSE;
  h->name_at = 0;
  h->unscanned_spoiled = FALSE;
  return FALSE;
}

/* The chunk llhttp executed goes: nothing may point into it any more. */
static void
chunk_done (W4H1Half *h)
{
  keep_name (h);
  h->cur = NULL;
  h->cur_orig = NULL;
}

static void
execute (W4H1Half *h, const W4Chunk *c)
{
  const char *data = (const char *) c->data;
  const char *end = data + c->len;
  const char *pos = data;
  guint64 base = h->fed;

  W4Chunk fed = *c;

  h->cur = &fed;
  h->cur_orig = c->data;
  h->cur_base = base;
  for (guint i = 0; i < W4_H1_MAX_RESUMES && pos < end; i++) {
    llhttp_errno_t err;
    const char *stop;

    if (!try_unscanned (h, pos, end, &err)) {
      pos = tolerate_head (h, c, &data, pos);
      end = data + c->len;
      fed.data = (const guint8 *) data;
      if (h->dir == W4_DIR_TO_SERVER && !h->in_msg)
        pos = substitute_method (h, pos, end);
      err = llhttp_execute (&h->parser, pos, (size_t) (end - pos));
    }
    if (err == HPE_OK)
      break;
    stop = llhttp_get_error_pos (&h->parser);
    if (stop == NULL || stop < pos || stop > end)
      stop = end;
    if (err == HPE_PAUSED && h->at_boundary) {
      h->at_boundary = FALSE;
      llhttp_resume (&h->parser);
      pos = stop;
      continue;
    }
    if (err == HPE_PAUSED && h->tunnel) {
      guint64 frame;
      W4Time ts;
      frame_at (h, stream_off (h, stop > data ? stop - 1 : stop), &frame, &ts);
      if (!owns_connection (h->conn)) {
        w4_dis_anomaly_on (h->conn->flow, h->conn->on, W4_ANOM_UPGRADE, h->dir, frame, ts,
                           W4_LIMIT_COUNT, 0,
                           "CONNECT tunnel inside decrypted TLS: its bytes are not read");
        stop_connection (h->conn);
        break;
      }
      w4_dis_anomaly_on (h->conn->flow, h->conn->on, W4_ANOM_UPGRADE, h->dir, frame, ts,
                         W4_LIMIT_COUNT, 0,
                         "CONNECT tunnel established: its bytes are examined afresh");
      start_tunnel (h->conn);
      h->fed = base + c->len;
      chunk_done (h);
      if (stop < end)
        feed_rest (h->conn->flow, h->dir, c, (gsize) (stop - data));
      return;
    }
    if (err == HPE_PAUSED || (err == HPE_PAUSED_UPGRADE && h->dir == W4_DIR_TO_CLIENT)) {
      /* 101 Switching Protocols: what follows on both directions is
       * another protocol: HTTP/2 after an h2c upgrade (h2.c takes the
       * connection over), else one we do not read (WebSocket). */
      W4FrameMark at = { 0, 0, { 0, 0 } };
      frame_at (h, stream_off (h, stop > data ? stop - 1 : stop), &at.frame, &at.ts);
      if (h->dir == W4_DIR_TO_CLIENT && upgrades_to_h2c (h) && owns_connection (h->conn)) {
        W4Flow *flow = h->conn->flow;
        w4_h2_upgraded (flow, &at);
        /* the server's SETTINGS often share the 101's segment */
        h->fed = base + c->len;
        chunk_done (h);
        if (stop < end)
          feed_rest (flow, h->dir, c, (gsize) (stop - data));
        return;
      } else {
        w4_dis_anomaly_on (h->conn->flow, h->conn->on, W4_ANOM_UPGRADE, h->dir, at.frame, at.ts,
                           W4_LIMIT_COUNT, 0, "101 Switching Protocols: HTTP/1 parsing stopped");
        stop_connection (h->conn);
      }
      break;
    }
    if (err == HPE_PAUSED_UPGRADE) {
      /* A request asking for an upgrade or a tunnel: the server may still
       * refuse it (407 to a CONNECT, 401 to a WebSocket upgrade), and then
       * HTTP goes on. The response decides. */
      llhttp_resume_after_upgrade (&h->parser);
      pos = stop;
      continue;
    }
    parse_error (h, err);
    break;
  }
  h->fed = base + c->len;
  if (h->mode == W4_H1_ACTIVE)
    remember_chunk (h, c, base);
  chunk_done (h);
}

static void
h1_feed (void *st, W4Dir dir, const W4Chunk *chunk)
{
  W4H1Half *h = ((W4H1Conn *) st)->half[dir];

  if (h->mode == W4_H1_STOPPED)
    return;
  if (h->mode == W4_H1_UNDECIDED) {
    /* app.c chose HTTP/1 for these first bytes */
    parser_start (h);
  } else if (h->mode == W4_H1_RESYNC) {
    if (!chunk->seg_start || !starts_message (dir, chunk->data, chunk->len, TRUE))
      return;
    parser_start (h);
  } else if (h->body_may_be_skipped && h->in_msg && chunk->seg_start &&
             starts_message (dir, chunk->data, chunk->len, TRUE)) {
    /* the client dropped the body it had announced and moved on */
    abandon_message (h);
    parser_start (h);
  }
  execute (h, chunk);
}

/* Feeds the bytes of @c from @skip on again (after a tunnel started in
 * the middle of the chunk: they choose their protocol afresh). */
static void
feed_rest (W4Flow *flow, W4Dir dir, const W4Chunk *c, gsize skip)
{
  W4FrameMark marks[W4_H1_MAX_MARKS];
  W4Chunk rest = { c->data + skip, c->len - skip, marks, 0, FALSE };

  for (guint i = 0; i < c->n_marks && rest.n_marks < W4_H1_MAX_MARKS; i++) {
    if (c->marks[i].off <= skip) {
      marks[0] = c->marks[i];
      marks[0].off = 0;
      rest.n_marks = 1;
    } else {
      marks[rest.n_marks] = c->marks[i];
      marks[rest.n_marks].off = (guint32) (c->marks[i].off - skip);
      rest.n_marks++;
    }
  }
  if (rest.n_marks == 0)
    return;
  w4_app_feed (flow, dir, &rest);
}

/* A gap inside a Content-Length body whose rest is at least as long as
 * the gap: feed filler so the parser stays in step. */
static gboolean
fill_body_gap (W4H1Half *h, guint64 count, guint64 frame, W4Time ts)
{
  static const guint8 zeros[4096];
  W4FrameMark mark = { 0, frame, ts };
  guint64 left = count;

  if (!h->in_msg || !h->head_done || (h->parser.flags & F_CHUNKED) ||
      !(h->parser.flags & F_CONTENT_LENGTH) || h->parser.content_length < count)
    return FALSE;
  h->keep_body = FALSE; /* the kept prefix must not contain filler */
  h->body_gap = TRUE;   /* reported as incomplete at the end of the message */
  for (guint i = 0; i < G_MAXUINT && left > 0; i++) {
    W4Chunk c = { zeros, (gsize) MIN (left, sizeof zeros), &mark, 1, FALSE };
    gboolean was_in = h->in_msg;
    execute (h, &c);
    left -= c.len;
    if (!was_in || h->mode != W4_H1_ACTIVE)
      break;
  }
  forget_context (h);
  return TRUE;
}

static void
h1_gap (void *st, W4Dir dir, guint64 count, const W4FrameMark *at)
{
  W4H1Half *h = ((W4H1Conn *) st)->half[dir];

  if (h->mode == W4_H1_UNDECIDED) {
    /* the direction's first bytes were lost: what comes next is not its
     * start, so it cannot tell whether this is HTTP; wait for a message */
    h->mode = W4_H1_RESYNC;
    return;
  }
  if (h->mode != W4_H1_ACTIVE)
    return;
  if (count > 0 && fill_body_gap (h, count, at->frame, at->ts))
    return;
  abandon_message (h);
  h->mode = W4_H1_RESYNC;
  forget_context (h);
}

static void
h1_eof (void *st, W4Dir dir, const W4FrameMark *at)
{
  W4H1Half *h = ((W4H1Conn *) st)->half[dir];

  if (h->mode == W4_H1_ACTIVE && h->in_msg) {
    W4FrameMark mark = *at;
    W4Chunk c = { NULL, 0, &mark, 1, FALSE };
    /* a body that runs to the end of the connection ends here
     * (RFC 9112 6.3 rule 8); llhttp_finish completes it */
    h->cur = &c;
    h->cur_base = h->fed;
    llhttp_finish (&h->parser);
    h->cur = NULL;
    abandon_message (h);
  }
  if (h->mode != W4_H1_UNDECIDED)
    h->mode = W4_H1_STOPPED;
}

/* At the start of a stream a prefix of a method or of "HTTP/1." is enough
 * (NEED_MORE, which app.c takes: llhttp checks the rest); after lost bytes
 * only a whole start at a segment boundary (a start in the middle of a
 * segment is far more likely body text that looks like one). */
static W4Probe
h1_probe (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  if (at->lost)
    return at->seg_start && starts_message (at->dir, data, len, TRUE) ? W4_PROBE_YES
                                                                      : W4_PROBE_NO;
  if (starts_message (at->dir, data, len, TRUE))
    return W4_PROBE_YES;
  return starts_message (at->dir, data, len, FALSE) ? W4_PROBE_NEED_MORE : W4_PROBE_NO;
}

const W4StreamProto w4_h1_proto = {
  .name = "http/1",
  .id = W4_PROTO_H1,
  .probe = h1_probe,
  .prefix_is_enough = TRUE,
  .new = h1_new,
  .free = h1_free,
  .feed = h1_feed,
  .gap = h1_gap,
  .eof = h1_eof,
};
