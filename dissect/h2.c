/* h2.c: HTTP/2 (RFC 9113) on a connection: frames, header blocks decoded
 * with HPACK (h2-hpack.c), streams made into the same events as HTTP/1.
 *
 * HTTP/2 starts three ways: the client connection preface of prior
 * knowledge (app.c chooses h2 on it), an HTTP/1 upgrade to h2c that h1.c
 * hands over after the 101 (RFC 7540 3.2: the upgraded request is stream
 * 1, its response comes on stream 1 in HTTP/2), and the plaintext of a
 * decrypted TLS session (tls.c feeds it here as its inner protocol). In
 * the last two the server's SETTINGS may come before the client's
 * preface: a direction from the server starts at a frame, one from the
 * client at the preface.
 *
 * Each direction reads 9-byte frame headers and buffers one payload at a
 * time (h2-frame-bytes). HEADERS (padding and priority stripped),
 * PUSH_PROMISE and CONTINUATION fragments go to the direction's HPACK
 * decoder as they arrive, so a block is never kept whole
 * (h2-header-block bounds its work); its decoded fields are kept up to
 * h2-decoded-bytes and headers, the cut ones named in W4HttpHead.cut as
 * for HTTP/1. SETTINGS_HEADER_TABLE_SIZE sets the peer's decoder's table
 * (at most h2-hpack-table). DATA counts a message's body and keeps a 4xx
 * response's first bytes (body-keep). RST_STREAM ends a stream (on_h2_reset
 * says so first), and so does the end of the connection: their bodies are
 * incomplete. PRIORITY, PING, WINDOW_UPDATE, GOAWAY and unknown types are
 * skipped.
 *
 * A stream's first header block per direction is its message: a request,
 * or a response (1xx ones are interim, the next one is the final). A
 * later block is trailers, not a message. Heads are numbered per
 * direction in the order they complete; streams are paired by id (the
 * correlator pairs HTTP/2 by h2_stream, not by seq). Server-initiated
 * (pushed) streams are decoded for HPACK's sake and not reported.
 *
 * Anything that breaks the framing (a header block interrupted by another
 * frame, a bad padding length, a header frame over a limit) or HPACK makes
 * the rest of the connection unreadable: one warning (W4_ANOM_HTTP_ERROR,
 * counted as HTTP that could not be parsed), the open messages end
 * incomplete, nothing more is read. A header block cut by the end of the
 * capture is such a warning too; a body cut by it just ends incomplete. */
#include "dissect-private.h"
#include "h2-hpack.h"

#include <string.h>

/* RFC 9113 3.4: the client connection preface of HTTP/2 with prior
 * knowledge. The first 14 bytes ("PRI * HTTP/2.0") are enough when the
 * first segment is short; no HTTP/1 request line starts that way. */
static const char w4_h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define W4_H2_PREFACE_LEN (sizeof w4_h2_preface - 1)
#define W4_H2_PREFACE_MIN 14

/* Frame types (RFC 9113 6), flags, and what they mean here. */
enum {
  H2_DATA = 0, H2_HEADERS = 1, H2_PRIORITY = 2, H2_RST_STREAM = 3, H2_SETTINGS = 4,
  H2_PUSH_PROMISE = 5, H2_PING = 6, H2_GOAWAY = 7, H2_WINDOW_UPDATE = 8, H2_CONTINUATION = 9,
};
#define H2_FLAG_END_STREAM 0x01
#define H2_FLAG_ACK 0x01
#define H2_FLAG_END_HEADERS 0x04
#define H2_FLAG_PADDED 0x08
#define H2_FLAG_PRIORITY 0x20
#define H2_FRAME_HEADER 9
#define H2_SETTINGS_HEADER_TABLE_SIZE 0x1

/* One decoded field of the block being read: offsets into W4H2Dir.fields. */
typedef struct {
  guint32 name_off, name_len, value_off, value_len;
} W4H2Field;

/* One side of a stream: its message. */
typedef struct {
  gboolean head;     /* its (final) head was reported */
  gboolean ended;    /* END_STREAM, a reset, or never to be seen */
  guint64 seq;
  guint64 total;     /* body bytes */
  guint64 last_frame;
  GByteArray *body;  /* a 4xx response's first bytes, else NULL */
} W4H2Half;

typedef struct {
  guint32 id;
  W4H2Half half[2]; /* by W4Dir */
} W4H2Stream;

/* One direction's framing and header decoding (connection lifetime). */
typedef struct {
  W4Hpack *hpack;            /* decodes what this direction sends */
  guint preface_got;         /* bytes of the client preface read (to-server only) */
  gboolean preface_done;
  guint8 hdr[H2_FRAME_HEADER];
  guint hdr_len;
  /* the frame being read */
  guint32 len;
  guint8 type, flags;
  guint32 sid;
  guint32 got;
  gboolean skip;             /* payload over h2-frame-bytes, not kept */
  GByteArray *payload;
  W4FrameMark first;         /* the frame of its first byte */
  W4FrameMark last;          /* the frame of its last byte read */
  /* the header block being read */
  gboolean in_block;
  gboolean block_keep;       /* a stream's message (not a push promise) */
  gboolean block_end_stream;
  guint32 block_sid;
  guint64 block_len;
  W4FrameMark block_first;
  GByteArray *fields;
  GArray *refs;              /* W4H2Field */
  GArray *view;              /* W4Header, built when the block completes */
  guint64 decoded;
  guint cut;                 /* W4_HEAD_CUT_* of the block */
  guint64 next_seq;
  /* the peer's SETTINGS_HEADER_TABLE_SIZE that came while a block of
   * this direction was being read: applied when it ends (0: none) */
  guint32 table_pending;
  guint64 bufs_high;         /* its buffers' largest total yet (h2_charge) */
} W4H2Dir;

/* A connection's HTTP/2 state (W4Flow.app_state[W4_PROTO_H2], or the TLS
 * layer's inner state). */
typedef struct {
  W4Flow *flow;
  const W4ConnInfo *on;     /* the record it runs on */
  gboolean announced;       /* on_h2 delivered */
  W4H2Start how;
  gboolean failed;          /* framing or HPACK broke: nothing more is read */
  gboolean streams_noted;   /* h2-streams was reached (noted once per connection) */
  W4H2Dir dir[2];           /* by W4Dir */
  GHashTable *streams;      /* id -> W4H2Stream* */
  /* the highest stream id a client's request opened: ids only grow (RFC
   * 9113 5.1.1), so one at or under it that is not in @streams is closed */
  guint32 client_sid_max;
  guint64 charged;          /* to W4_MEM_H2 (h2_charge) */
} W4H2Conn;

W4Probe
w4_h2_probe_preface (const guint8 *data, gsize len)
{
  gsize n = MIN (len, W4_H2_PREFACE_LEN);

  if (n == 0 || memcmp (data, w4_h2_preface, n) != 0)
    return W4_PROBE_NO;
  return n >= W4_H2_PREFACE_MIN ? W4_PROBE_YES : W4_PROBE_NEED_MORE;
}

W4Probe
w4_h2_probe_server_start (const guint8 *data, gsize len)
{
  guint32 flen;

  /* RFC 9113 3.4: the server's preface is a SETTINGS frame (not an ACK)
   * on stream 0, whose length is a multiple of 6 */
  if (len < H2_FRAME_HEADER)
    return W4_PROBE_NO;
  flen = (guint32) data[0] << 16 | (guint32) data[1] << 8 | data[2];
  if (data[3] != H2_SETTINGS || (data[4] & H2_FLAG_ACK) || flen % 6 != 0 || flen > 6 * 64 ||
      (data[5] | data[6] | data[7] | data[8]) != 0)
    return W4_PROBE_NO;
  return W4_PROBE_YES;
}

static W4Probe
h2_probe (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  /* the preface is the client's first bytes, and only those: a server's
   * SETTINGS alone does not make a TCP connection HTTP/2 (inside TLS,
   * where ALPN chose h2, it does: tls.c asks w4_h2_probe_server_start) */
  if (at->dir != W4_DIR_TO_SERVER || at->lost)
    return W4_PROBE_NO;
  return w4_h2_probe_preface (data, len);
}

static void
stream_free (gpointer p)
{
  W4H2Stream *s = p;

  for (int d = 0; d < 2; d++)
    if (s->half[d].body != NULL)
      g_byte_array_unref (s->half[d].body);
  g_free (s);
}

/* What a connection's HTTP/2 state keeps (W4_MEM_H2): itself and, per
 * direction, an HPACK inflater, estimated as twice the default table size
 * (RFC 9113 6.5.2: 4096 bytes) to cover nghttp2's per-entry overhead. */
#define W4_H2_CONN_COST (sizeof (W4H2Conn) + 2 * 2 * 4096)

static void *
h2_new (W4Flow *flow, const W4ConnInfo *on)
{
  W4H2Conn *c = g_new0 (W4H2Conn, 1);

  c->charged = W4_H2_CONN_COST;
  w4_budget_charge (flow->dis->limits.budget, W4_MEM_H2, c->charged);
  c->flow = flow;
  c->on = on;
  c->streams = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stream_free);
  for (int d = 0; d < 2; d++) {
    W4H2Dir *hd = &c->dir[d];
    hd->hpack = w4_hpack_new ();
    hd->payload = g_byte_array_new ();
    hd->fields = g_byte_array_new ();
    hd->refs = g_array_new (FALSE, FALSE, sizeof (W4H2Field));
    hd->view = g_array_new (FALSE, FALSE, sizeof (W4Header));
    /* the server's direction starts at a frame (its SETTINGS) */
    hd->preface_done = d == W4_DIR_TO_CLIENT;
  }
  /* without a decoder nothing can be read (nghttp2 out of memory) */
  c->failed = c->dir[0].hpack == NULL || c->dir[1].hpack == NULL;
  return c;
}

static void
h2_free (void *st)
{
  W4H2Conn *c = st;

  for (int d = 0; d < 2; d++) {
    W4H2Dir *hd = &c->dir[d];
    w4_hpack_free (hd->hpack);
    g_byte_array_unref (hd->payload);
    g_byte_array_unref (hd->fields);
    g_array_unref (hd->refs);
    g_array_unref (hd->view);
  }
  g_hash_table_destroy (c->streams);
  w4_budget_release (c->flow->dis->limits.budget, W4_MEM_H2, c->charged);
  g_free (c);
}

static const W4Limits *
limits_of (W4H2Conn *c)
{
  return w4_dis_limits (c->flow->dis);
}

/* HTTP/2 seen on the connection at @at, once: it is parsed. */
static void
announce (W4H2Conn *c, const W4FrameMark *at)
{
  const W4Sink *sink = w4_dis_sink (c->flow->dis);
  W4H2Info info = { 0 };

  if (c->announced)
    return;
  c->announced = TRUE;
  w4_dis_ensure_open (c->flow);
  info.conn = c->on;
  if (c->how == 0)
    c->how = c->on->layer == W4_LAYER_TLS ? W4_H2_INSIDE_TLS : W4_H2_PRIOR_KNOWLEDGE;
  info.how = c->how;
  info.frame = at->frame;
  info.ts = at->ts;
  info.parsed = TRUE;
  if (sink->on_h2 != NULL)
    sink->on_h2 (sink->user, &info);
}

/* --- streams ----------------------------------------------------------- */

static W4H2Stream *
stream_find (W4H2Conn *c, guint32 id)
{
  return g_hash_table_lookup (c->streams, GUINT_TO_POINTER (id));
}

/* The stream @id, made when first seen; NULL past h2-streams (its
 * messages are not reported, and the limit says so). */
static W4H2Stream *
stream_get (W4H2Conn *c, guint32 id, const W4FrameMark *at)
{
  W4H2Stream *s = stream_find (c, id);

  if (s != NULL)
    return s;
  if (g_hash_table_size (c->streams) >= limits_of (c)->v[W4_LIMIT_H2_STREAMS]) {
    if (!c->streams_noted)
      w4_dis_limit_anomaly (c->flow->dis, W4_LIMIT_H2_STREAMS, at->frame, at->ts, NULL);
    c->streams_noted = TRUE;
    return NULL;
  }
  s = g_new0 (W4H2Stream, 1);
  s->id = id;
  g_hash_table_insert (c->streams, GUINT_TO_POINTER (id), s);
  return s;
}

/* @dir of @s is over (complete: END_STREAM); its body is reported. */
static void
half_end (W4H2Conn *c, W4H2Stream *s, W4Dir dir, gboolean complete, guint64 frame)
{
  const W4Sink *sink = w4_dis_sink (c->flow->dis);
  W4H2Half *h = &s->half[dir];
  W4HttpBody body = { 0 };

  if (h->ended)
    return;
  h->ended = TRUE;
  if (!h->head)
    return;
  body.conn = c->on;
  body.dir = dir;
  body.h2_stream = s->id;
  body.seq = h->seq;
  body.prefix = h->body != NULL ? w4_span (h->body->data, h->body->len) : w4_span (NULL, 0);
  body.total_len = h->total;
  body.complete = complete;
  body.last_frame = complete && frame != 0 ? frame : h->last_frame;
  if (sink->on_body != NULL)
    sink->on_body (sink->user, &body);
}

/* Both sides of @s are over: it is forgotten. */
static void
stream_maybe_done (W4H2Conn *c, W4H2Stream *s)
{
  if (s->half[0].ended && s->half[1].ended)
    g_hash_table_remove (c->streams, GUINT_TO_POINTER (s->id));
}

/* Every open message of @dir ends incomplete (end of connection, or the
 * rest is unreadable). */
static void
end_all (W4H2Conn *c, W4Dir dir)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, c->streams);
  while (g_hash_table_iter_next (&it, NULL, &v))
    half_end (c, v, dir, FALSE, 0);
}

/* The rest of the connection cannot be read: said once, open messages end
 * incomplete, and both directions stop. */
static void
fail (W4H2Conn *c, W4Dir dir, const W4FrameMark *at, const char *why)
{
  if (c->failed)
    return;
  c->failed = TRUE;
  w4_dis_anomaly_on (c->flow, c->on, W4_ANOM_HTTP_ERROR, dir, at->frame, at->ts, W4_LIMIT_COUNT,
                     0, why);
  end_all (c, W4_DIR_TO_SERVER);
  end_all (c, W4_DIR_TO_CLIENT);
  g_hash_table_remove_all (c->streams);
  w4_app_stop (c->flow, W4_DIR_TO_SERVER);
  w4_app_stop (c->flow, W4_DIR_TO_CLIENT);
}

static void
fail_limit (W4H2Conn *c, W4Dir dir, const W4FrameMark *at, W4LimitId limit, const char *why)
{
  /* the limit's own words are the correlator's (limit_meaning) */
  w4_dis_limit_anomaly (c->flow->dis, limit, at->frame, at->ts, NULL);
  fail (c, dir, at, why);
}

/* --- header blocks ------------------------------------------------------- */

/* Fields a rule reads (h1.c's list): kept, and their cut said apart. */
static guint
cut_kind (W4Dir dir, const guint8 *name, gsize len)
{
  return w4_h1_field_is_auth_relevant (dir, name, len) ? W4_HEAD_CUT_AUTH : W4_HEAD_CUT_ORDINARY;
}

typedef struct {
  W4H2Conn *c;
  W4Dir dir;
} W4H2FieldCtx;

static void
on_field (void *user, const guint8 *name, gsize name_len, const guint8 *value, gsize value_len)
{
  W4H2FieldCtx *x = user;
  W4H2Dir *d = &x->c->dir[x->dir];
  const W4Limits *l = limits_of (x->c);
  gboolean pseudo = name_len > 0 && name[0] == ':';
  W4H2Field f;

  if (!d->block_keep)
    return;
  if (d->decoded + name_len + value_len > l->v[W4_LIMIT_H2_DECODED_BYTES]) {
    d->cut |= pseudo ? W4_HEAD_CUT_ORDINARY : cut_kind (x->dir, name, name_len);
    return;
  }
  /* the count bound leaves the fields a rule reads alone, as in HTTP/1 */
  if (!pseudo && d->refs->len >= l->v[W4_LIMIT_HEADERS] &&
      cut_kind (x->dir, name, name_len) == W4_HEAD_CUT_ORDINARY) {
    d->cut |= W4_HEAD_CUT_COUNT;
    return;
  }
  d->decoded += name_len + value_len;
  f.name_off = d->fields->len;
  f.name_len = (guint32) name_len;
  g_byte_array_append (d->fields, name, (guint) name_len);
  f.value_off = d->fields->len;
  f.value_len = (guint32) value_len;
  g_byte_array_append (d->fields, value, (guint) value_len);
  g_array_append_val (d->refs, f);
}

static W4Span
field_span (W4H2Dir *d, guint32 off, guint32 len)
{
  /* an empty buffer has no data pointer to count from */
  if (d->fields->data == NULL)
    return w4_span (NULL, 0);
  return w4_span (d->fields->data + off, len);
}

/* The value of pseudo-header @name in the block, or an empty span (@found
 * says whether it was there). */
static W4Span
pseudo (W4H2Dir *d, const char *name, gboolean *found)
{
  gsize n = strlen (name);

  for (guint i = 0; i < d->refs->len; i++) {
    W4H2Field *f = &g_array_index (d->refs, W4H2Field, i);
    if (f->name_len == n && memcmp (d->fields->data + f->name_off, name, n) == 0) {
      if (found != NULL)
        *found = TRUE;
      return field_span (d, f->value_off, f->value_len);
    }
  }
  if (found != NULL)
    *found = FALSE;
  return w4_span (NULL, 0);
}

/* RFC 9113 8.3.2: :status is three digits. 0 when it is not. */
static guint
parse_status (W4Span v)
{
  if (v.len != 3)
    return 0;
  for (gsize i = 0; i < 3; i++)
    if (!g_ascii_isdigit (v.ptr[i]))
      return 0;
  return (guint) ((v.ptr[0] - '0') * 100 + (v.ptr[1] - '0') * 10 + (v.ptr[2] - '0'));
}

/* The block's fields as HTTP/1 would give them: :authority as "Host"
 * first, then the regular fields in order (pseudo-headers left out). */
static void
build_view (W4H2Dir *d)
{
  gboolean have_authority = FALSE;
  W4Span authority = pseudo (d, ":authority", &have_authority);
  W4Header h;

  g_array_set_size (d->view, 0);
  if (have_authority) {
    h.name = w4_span ("Host", 4);
    h.value = authority;
    g_array_append_val (d->view, h);
  }
  for (guint i = 0; i < d->refs->len; i++) {
    W4H2Field *f = &g_array_index (d->refs, W4H2Field, i);
    if (f->name_len > 0 && d->fields->data[f->name_off] == ':')
      continue;
    h.name = field_span (d, f->name_off, f->name_len);
    h.value = field_span (d, f->value_off, f->value_len);
    g_array_append_val (d->view, h);
  }
}

/* A request or response head from the completed block of @dir. */
static void
emit_head (W4H2Conn *c, W4Dir dir, W4H2Stream *s, guint status, gboolean interim)
{
  const W4Sink *sink = w4_dis_sink (c->flow->dis);
  W4H2Dir *d = &c->dir[dir];
  W4HttpHead head = { 0 };

  build_view (d);
  w4_dis_ensure_open (c->flow);
  head.conn = c->on;
  head.dir = dir;
  head.proto = W4_HTTP_2;
  head.http_major = 2;
  head.http_minor = 0;
  head.h2_stream = s->id;
  head.seq = d->next_seq++;
  head.first_frame = d->block_first.frame;
  head.first_ts = d->block_first.ts;
  head.last_frame = d->last.frame;
  head.last_ts = d->last.ts;
  head.headers = (const W4Header *) d->view->data;
  head.n_headers = d->view->len;
  head.cut = d->cut;
  head.headers_truncated = d->cut != 0;
  head.header_block_len = d->block_len;
  head.reason = w4_span (NULL, 0);
  if (!interim) {
    s->half[dir].head = TRUE;
    s->half[dir].seq = head.seq;
    s->half[dir].last_frame = head.last_frame;
  }
  if (dir == W4_DIR_TO_SERVER) {
    gboolean have_path = FALSE;
    head.method = pseudo (d, ":method", NULL);
    head.target = pseudo (d, ":path", &have_path);
    /* RFC 9113 8.5: CONNECT names its target in :authority */
    if (!have_path)
      head.target = pseudo (d, ":authority", NULL);
    if (sink->on_request != NULL)
      sink->on_request (sink->user, &head);
  } else {
    head.method = w4_span (NULL, 0);
    head.target = w4_span (NULL, 0);
    head.status = status;
    head.interim = interim;
    if (!interim && status >= 400 && status < 500)
      s->half[dir].body = g_byte_array_new ();
    if (sink->on_response != NULL)
      sink->on_response (sink->user, &head);
  }
}

/* The header block of @dir is complete (END_HEADERS): a message's head,
 * an interim response, or trailers. */
static void
block_done (W4H2Conn *c, W4Dir dir)
{
  W4H2Dir *d = &c->dir[dir];
  W4H2Stream *s;

  d->in_block = FALSE;
  /* pushed streams (even ids, from the server) are not reported */
  if (!d->block_keep || d->block_sid % 2 == 0)
    return;
  /* a closed stream (done, reset, or never tracked past h2-streams):
   * a late response there is not its request's, nor a reused id's
   * block a new request (RFC 9113 5.1: STREAM_CLOSED) */
  if (stream_find (c, d->block_sid) == NULL && d->block_sid <= c->client_sid_max)
    return;
  if (dir == W4_DIR_TO_SERVER)
    c->client_sid_max = MAX (c->client_sid_max, d->block_sid);
  s = stream_get (c, d->block_sid, &d->block_first);
  if (s == NULL)
    return;
  if (dir == W4_DIR_TO_CLIENT && !s->half[W4_DIR_TO_SERVER].head &&
      !s->half[W4_DIR_TO_SERVER].ended) {
    /* the request was not seen (the capture started later): none will be */
    s->half[W4_DIR_TO_SERVER].ended = TRUE;
  }
  if (!s->half[dir].head && !s->half[dir].ended) {
    if (dir == W4_DIR_TO_SERVER) {
      emit_head (c, dir, s, 0, FALSE);
    } else {
      guint status = parse_status (pseudo (d, ":status", NULL));
      if (status < 100) {
        /* no three-digit :status (RFC 9113 8.3.2: malformed, or cut by
         * h2-decoded-bytes): no response, nor will a later block be one;
         * a status 0 would read as a success */
        s->half[dir].ended = TRUE;
        w4_dis_anomaly_on (c->flow, c->on, W4_ANOM_HTTP_ERROR, dir, d->block_first.frame,
                           d->block_first.ts, W4_LIMIT_COUNT, 0,
                           "an HTTP/2 response has no valid :status: it is not read as one");
      } else {
        /* RFC 9113 8.1: 1xx heads come before the final one */
        emit_head (c, dir, s, status, status >= 100 && status < 200);
      }
    }
  }
  /* else: trailers, which end the message but are not one */
  if (d->block_end_stream) {
    half_end (c, s, dir, TRUE, d->last.frame);
    stream_maybe_done (c, s);
  }
}

/* The next fragment of the block of @dir; @final: END_HEADERS. */
static void
block_fragment (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n, gboolean final)
{
  W4H2Dir *d = &c->dir[dir];
  W4H2FieldCtx x = { c, dir };
  guint cut_before = d->cut;

  d->block_len += n;
  if (d->block_len > limits_of (c)->v[W4_LIMIT_H2_HEADER_BLOCK]) {
    fail_limit (c, dir, &d->first, W4_LIMIT_H2_HEADER_BLOCK,
                "an HTTP/2 header block is over h2-header-block: the connection's HTTP/2 is not read further");
    return;
  }
  if (!w4_hpack_decode (d->hpack, p, n, final, on_field, &x)) {
    fail (c, dir, &d->first, "an HTTP/2 header block is not valid HPACK: the connection's HTTP/2 is not read further");
    return;
  }
  if (d->cut != cut_before && cut_before == 0)
    w4_dis_limit_anomaly (c->flow->dis, (d->cut & W4_HEAD_CUT_COUNT) && !(d->cut & ~W4_HEAD_CUT_COUNT)
                                          ? W4_LIMIT_HEADERS
                                          : W4_LIMIT_H2_DECODED_BYTES,
                          d->first.frame, d->first.ts, NULL);
  if (!final)
    return;
  if (d->table_pending != 0 && !w4_hpack_set_max_table_size (d->hpack, d->table_pending)) {
    fail (c, dir, &d->first, "an HTTP/2 SETTINGS frame's table size was refused: the connection's HTTP/2 is not read further");
    return;
  }
  d->table_pending = 0;
  block_done (c, dir);
}

static void
block_begin (W4H2Conn *c, W4Dir dir, guint32 sid, gboolean keep, gboolean end_stream)
{
  W4H2Dir *d = &c->dir[dir];

  d->in_block = TRUE;
  d->block_keep = keep;
  d->block_end_stream = end_stream;
  d->block_sid = sid;
  d->block_len = 0;
  d->block_first = d->first;
  d->decoded = 0;
  d->cut = 0;
  g_byte_array_set_size (d->fields, 0);
  g_array_set_size (d->refs, 0);
}

/* --- frames -------------------------------------------------------------- */

/* The payload without its padding (RFC 9113 6.1): FALSE when the pad
 * length is not inside the frame. */
static gboolean
unpad (guint8 flags, const guint8 **p, gsize *n)
{
  guint8 pad;

  if (!(flags & H2_FLAG_PADDED))
    return TRUE;
  if (*n < 1)
    return FALSE;
  pad = (*p)[0];
  if ((gsize) pad + 1 > *n)
    return FALSE;
  *p += 1;
  *n -= 1 + pad;
  return TRUE;
}

static void
frame_data (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n)
{
  W4H2Dir *d = &c->dir[dir];
  W4H2Stream *s = stream_find (c, d->sid);
  W4H2Half *h;

  if (d->skip) {
    /* too long to keep: counted, its bytes not kept (nor any after them) */
    p = NULL;
    n = d->len;
  } else if (!unpad (d->flags, &p, &n)) {
    fail (c, dir, &d->first, "an HTTP/2 DATA frame's padding is longer than the frame: the connection's HTTP/2 is not read further");
    return;
  }
  if (s == NULL)
    return;
  h = &s->half[dir];
  if (!h->head || h->ended)
    return;
  h->total += n;
  h->last_frame = d->last.frame;
  if (h->body != NULL && p == NULL) {
    g_byte_array_unref (h->body);
    h->body = NULL;
  } else if (h->body != NULL) {
    guint64 keep = limits_of (c)->v[W4_LIMIT_BODY_KEEP];
    if (h->body->len < keep)
      g_byte_array_append (h->body, p, (guint) MIN ((guint64) n, keep - h->body->len));
  }
  if (d->flags & H2_FLAG_END_STREAM) {
    half_end (c, s, dir, TRUE, d->last.frame);
    stream_maybe_done (c, s);
  }
}

static void
frame_headers (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n)
{
  W4H2Dir *d = &c->dir[dir];

  if (!unpad (d->flags, &p, &n) || ((d->flags & H2_FLAG_PRIORITY) && n < 5)) {
    fail (c, dir, &d->first, "an HTTP/2 HEADERS frame is shorter than its padding or priority: the connection's HTTP/2 is not read further");
    return;
  }
  if (d->flags & H2_FLAG_PRIORITY) {
    p += 5;
    n -= 5;
  }
  block_begin (c, dir, d->sid, TRUE, (d->flags & H2_FLAG_END_STREAM) != 0);
  block_fragment (c, dir, p, n, (d->flags & H2_FLAG_END_HEADERS) != 0);
}

static void
frame_push_promise (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n)
{
  W4H2Dir *d = &c->dir[dir];

  if (!unpad (d->flags, &p, &n) || n < 4) {
    fail (c, dir, &d->first, "an HTTP/2 PUSH_PROMISE frame is too short: the connection's HTTP/2 is not read further");
    return;
  }
  /* decoded for the table's sake; the promised request is not reported */
  block_begin (c, dir, d->sid, FALSE, FALSE);
  block_fragment (c, dir, p + 4, n - 4, (d->flags & H2_FLAG_END_HEADERS) != 0);
}

static void
frame_rst_stream (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n)
{
  const W4Sink *sink = w4_dis_sink (c->flow->dis);
  W4H2Dir *d = &c->dir[dir];
  W4H2Stream *s = stream_find (c, d->sid);
  W4H2Reset rst = { 0 };

  if (n != 4 || d->sid == 0)
    return;
  w4_dis_ensure_open (c->flow);
  rst.conn = c->on;
  rst.dir = dir;
  rst.h2_stream = d->sid;
  rst.error_code = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
  rst.had_request = s != NULL && s->half[W4_DIR_TO_SERVER].head;
  rst.answered = s != NULL && s->half[W4_DIR_TO_CLIENT].head;
  rst.frame = d->first.frame;
  rst.ts = d->first.ts;
  if (sink->on_h2_reset != NULL)
    sink->on_h2_reset (sink->user, &rst);
  if (s == NULL)
    return;
  half_end (c, s, W4_DIR_TO_SERVER, FALSE, 0);
  half_end (c, s, W4_DIR_TO_CLIENT, FALSE, 0);
  stream_maybe_done (c, s);
}

static void
frame_settings (W4H2Conn *c, W4Dir dir, const guint8 *p, gsize n)
{
  W4H2Dir *d = &c->dir[dir];
  /* the sender's settings bind what its peer sends: its peer's encoder,
   * whose blocks the other direction's decoder reads */
  W4H2Dir *peer = &c->dir[dir == W4_DIR_TO_SERVER ? W4_DIR_TO_CLIENT : W4_DIR_TO_SERVER];

  if ((d->flags & H2_FLAG_ACK) || d->sid != 0)
    return;
  for (gsize i = 0; i + 6 <= n; i += 6) {
    guint16 id = (guint16) (p[i] << 8 | p[i + 1]);
    guint32 v = (guint32) p[i + 2] << 24 | (guint32) p[i + 3] << 16 | (guint32) p[i + 4] << 8 | p[i + 5];
    guint64 max = limits_of (c)->v[W4_LIMIT_H2_HPACK_TABLE];
    if (id != H2_SETTINGS_HEADER_TABLE_SIZE)
      continue;
    if (v > max) {
      w4_dis_limit_anomaly (c->flow->dis, W4_LIMIT_H2_HPACK_TABLE, d->first.frame, d->first.ts, NULL);
      v = (guint32) max;
    }
    /* the decoder takes a new size between blocks only */
    if (peer->in_block)
      peer->table_pending = MAX (peer->table_pending, v);
    else if (!w4_hpack_set_max_table_size (peer->hpack, v)) {
      fail (c, dir, &d->first, "an HTTP/2 SETTINGS frame's table size was refused: the connection's HTTP/2 is not read further");
      return;
    }
  }
}

/* A whole frame of @dir (its payload in d->payload unless skipped). */
static void
frame_done (W4H2Conn *c, W4Dir dir)
{
  W4H2Dir *d = &c->dir[dir];
  const guint8 *p = d->payload->data;
  gsize n = d->payload->len;

  switch (d->type) {
  case H2_DATA:
    frame_data (c, dir, p, n);
    break;
  case H2_HEADERS:
    frame_headers (c, dir, p, n);
    break;
  case H2_CONTINUATION:
    block_fragment (c, dir, p, n, (d->flags & H2_FLAG_END_HEADERS) != 0);
    break;
  case H2_PUSH_PROMISE:
    frame_push_promise (c, dir, p, n);
    break;
  case H2_RST_STREAM:
    frame_rst_stream (c, dir, p, n);
    break;
  case H2_SETTINGS:
    frame_settings (c, dir, p, n);
    break;
  default:
    /* PRIORITY, PING, GOAWAY, WINDOW_UPDATE, and unknown types (RFC 9113
     * 5.5: ignored) say nothing about a message */
    break;
  }
}

/* A frame header of @dir was read: checked before its payload is. */
static void
frame_begin (W4H2Conn *c, W4Dir dir)
{
  W4H2Dir *d = &c->dir[dir];
  gboolean header_frame;

  d->len = (guint32) d->hdr[0] << 16 | (guint32) d->hdr[1] << 8 | d->hdr[2];
  d->type = d->hdr[3];
  d->flags = d->hdr[4];
  d->sid = ((guint32) d->hdr[5] << 24 | (guint32) d->hdr[6] << 16 | (guint32) d->hdr[7] << 8 |
            d->hdr[8]) & 0x7fffffffu;
  d->got = 0;
  d->skip = FALSE;
  g_byte_array_set_size (d->payload, 0);
  header_frame = d->type == H2_HEADERS || d->type == H2_CONTINUATION || d->type == H2_PUSH_PROMISE;
  /* RFC 9113 6.10: nothing may come between a block's frames */
  if (d->in_block && (d->type != H2_CONTINUATION || d->sid != d->block_sid)) {
    fail (c, dir, &d->first, "an HTTP/2 header block was interrupted by another frame: the connection's HTTP/2 is not read further");
    return;
  }
  if (d->type == H2_CONTINUATION && !d->in_block) {
    fail (c, dir, &d->first, "an HTTP/2 CONTINUATION frame follows no header block: the connection's HTTP/2 is not read further");
    return;
  }
  if ((header_frame || d->type == H2_DATA) && d->sid == 0) {
    fail (c, dir, &d->first, "an HTTP/2 stream frame on stream 0: the connection's HTTP/2 is not read further");
    return;
  }
  if (d->len > limits_of (c)->v[W4_LIMIT_H2_FRAME_BYTES]) {
    /* only DATA can be skipped and counted: a header frame's bytes are
     * HPACK's, and no other frame is that long unless the bytes are not
     * HTTP/2 at all (garbage read as a frame header) */
    if (d->type != H2_DATA) {
      fail_limit (c, dir, &d->first, W4_LIMIT_H2_FRAME_BYTES,
                  "an HTTP/2 frame is over h2-frame-bytes: the connection's HTTP/2 is not read further");
      return;
    }
    w4_dis_limit_anomaly (c->flow->dis, W4_LIMIT_H2_FRAME_BYTES, d->first.frame, d->first.ts, NULL);
    d->skip = TRUE;
  }
}

/* The mark of the frame that carried byte @off of @chunk. */
static W4FrameMark
mark_at (const W4Chunk *chunk, gsize off)
{
  guint m = 0;

  while (m + 1 < chunk->n_marks && chunk->marks[m + 1].off <= off)
    m++;
  return chunk->marks[m];
}

/* The client's preface, byte by byte: FALSE when it is not there. */
static gboolean
read_preface (W4H2Dir *d, const W4Chunk *chunk, gsize *i)
{
  while (*i < chunk->len && d->preface_got < W4_H2_PREFACE_LEN) {
    if (chunk->data[*i] != (guint8) w4_h2_preface[d->preface_got])
      return FALSE;
    d->preface_got++;
    (*i)++;
  }
  d->preface_done = d->preface_got == W4_H2_PREFACE_LEN;
  return TRUE;
}

/* A stream's record in the table (its kept body bytes, at most body-keep,
 * are not counted). */
#define W4_H2_STREAM_COST (sizeof (W4H2Stream) + 2 * sizeof (gpointer) + sizeof (guint))

/* Brings the charge to what the state keeps now: its fixed cost, each
 * direction's frame and header buffers at their largest (they are reused,
 * never shrunk) and its streams (which come and go). */
static void
h2_charge (W4H2Conn *c)
{
  W4Budget *b = c->flow->dis->limits.budget;
  guint64 now = W4_H2_CONN_COST + g_hash_table_size (c->streams) * W4_H2_STREAM_COST;

  for (int d = 0; d < 2; d++) {
    W4H2Dir *hd = &c->dir[d];
    guint64 bufs = hd->payload->len + hd->fields->len + hd->refs->len * sizeof (W4H2Field) +
                   hd->view->len * sizeof (W4Header);
    hd->bufs_high = MAX (hd->bufs_high, bufs);
    now += hd->bufs_high;
  }
  if (now > c->charged)
    w4_budget_charge (b, W4_MEM_H2, now - c->charged);
  else
    w4_budget_release (b, W4_MEM_H2, c->charged - now);
  c->charged = now;
}

static void h2_feed_frames (W4H2Conn *c, W4Dir dir, const W4Chunk *chunk);

static void
h2_feed (void *st, W4Dir dir, const W4Chunk *chunk)
{
  h2_feed_frames (st, dir, chunk);
  h2_charge (st);
}

static void
h2_feed_frames (W4H2Conn *c, W4Dir dir, const W4Chunk *chunk)
{
  W4H2Dir *d = &c->dir[dir];
  gsize i = 0;

  if (chunk->len == 0 || c->failed)
    return;
  announce (c, &chunk->marks[0]);
  while (i < chunk->len && !c->failed) {
    if (!d->preface_done) {
      W4FrameMark at = mark_at (chunk, i);
      if (!read_preface (d, chunk, &i))
        fail (c, dir, &at, "the client's HTTP/2 connection preface is not valid: the connection's HTTP/2 is not read");
      continue;
    }
    if (d->hdr_len < H2_FRAME_HEADER) {
      gsize take = MIN ((gsize) (H2_FRAME_HEADER - d->hdr_len), chunk->len - i);
      if (d->hdr_len == 0)
        d->first = mark_at (chunk, i);
      memcpy (d->hdr + d->hdr_len, chunk->data + i, take);
      d->hdr_len += (guint) take;
      i += take;
      if (d->hdr_len < H2_FRAME_HEADER)
        break;
      d->last = mark_at (chunk, i - 1);
      frame_begin (c, dir);
    } else {
      gsize take = MIN ((gsize) (d->len - d->got), chunk->len - i);
      if (!d->skip)
        g_byte_array_append (d->payload, chunk->data + i, (guint) take);
      d->got += (guint32) take;
      i += take;
      if (take > 0)
        d->last = mark_at (chunk, i - 1);
    }
    if (c->failed || d->got < d->len)
      continue;
    frame_done (c, dir);
    d->hdr_len = 0;
    d->got = 0;
    d->len = 0;
    /* a frame of 16 MiB must not keep its buffer for the connection */
    if (d->payload->len > 65536) {
      g_byte_array_unref (d->payload);
      d->payload = g_byte_array_new ();
    }
  }
}

static void
h2_gap (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at)
{
  W4H2Conn *c = st;

  (void) lost;
  /* frames cannot be found again after a hole, and HPACK's table is lost:
   * the open messages of both directions end incomplete (the gap itself
   * is TCP's anomaly) */
  if (c->failed)
    return;
  end_all (c, dir);
  end_all (c, dir == W4_DIR_TO_SERVER ? W4_DIR_TO_CLIENT : W4_DIR_TO_SERVER);
  c->failed = TRUE;
  w4_app_stop (c->flow, W4_DIR_TO_SERVER);
  w4_app_stop (c->flow, W4_DIR_TO_CLIENT);
  (void) at;
}

static void
h2_eof (void *st, W4Dir dir, const W4FrameMark *at)
{
  W4H2Conn *c = st;
  W4H2Dir *d = &c->dir[dir];

  if (c->failed)
    return;
  /* a head cut by the end names nothing: said, not concluded from */
  if (d->in_block || (d->hdr_len > 0 && (d->hdr_len < H2_FRAME_HEADER || d->type == H2_HEADERS)))
    w4_dis_anomaly_on (c->flow, c->on, W4_ANOM_HTTP_ERROR, dir, at->frame, at->ts,
                       W4_LIMIT_COUNT, 0,
                       "an HTTP/2 frame was cut by the end of the connection: its message is missing");
  end_all (c, dir);
}

/* The state for @flow's HTTP/2 (made when first needed). */
static W4H2Conn *
conn_of (W4Flow *flow)
{
  W4FlowApp *app = w4_app_of (flow);

  if (app->state[W4_PROTO_H2] == NULL)
    app->state[W4_PROTO_H2] = h2_new (flow, app->top);
  return app->state[W4_PROTO_H2];
}

void
w4_h2_upgraded (W4Flow *flow, const W4FrameMark *at)
{
  W4H2Conn *c = conn_of (flow);
  W4H2Stream *s;

  c->how = W4_H2_UPGRADE;
  announce (c, at);
  /* RFC 7540 3.2: the upgraded request is stream 1, half-closed from the
   * client: only its response comes, as HTTP/2 */
  s = stream_get (c, 1, at);
  if (s != NULL)
    s->half[W4_DIR_TO_SERVER].ended = TRUE;
  c->client_sid_max = 1;
  w4_app_take_over (flow, &w4_h2_proto);
}

static void
h2_feed_first (void *st, W4Dir dir, const W4Chunk *chunk)
{
  W4H2Conn *c = st;

  /* prior knowledge: the preface makes the whole connection HTTP/2, the
   * server's side too (its first bytes are its SETTINGS) */
  if (!c->announced && dir == W4_DIR_TO_SERVER && c->flow->app->half[W4_DIR_TO_CLIENT].proto != &w4_h2_proto &&
      w4_app_state (c->flow, W4_PROTO_H2) == c)
    w4_app_take_over (c->flow, &w4_h2_proto);
  h2_feed (st, dir, chunk);
}

gboolean
w4_h2_is_http (const W4Flow *flow)
{
  return w4_app_state (flow, W4_PROTO_H2) != NULL;
}

const W4StreamProto w4_h2_proto = {
  .name = "h2",
  .id = W4_PROTO_H2,
  .probe = h2_probe,
  .prefix_is_enough = FALSE,
  .new = h2_new,
  .free = h2_free,
  .feed = h2_feed_first,
  .gap = h2_gap,
  .eof = h2_eof,
};
