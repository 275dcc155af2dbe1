/* tls.c: the TLS layer of a connection, as far as it goes today.
 *
 * Chosen by app.c for a direction whose first bytes are a TLS record
 * header. Without decryption, all it reads is the client's ClientHello
 * (tls-hello.c: SNI and the offered ALPN protocols) and the version the
 * ServerHello selects, and on_tls says the connection carried TLS that
 * was not inspected. Once keys come, the records
 * of both directions are decrypted here and their plaintext feeds the
 * inner (proto, state) slot, chosen by ALPN or by the first plaintext
 * bytes as app.c chooses for TCP, with frame marks that point at the
 * ciphertext packets.
 *
 * What it deliberately ignores for now: a ServerHello that is not whole in
 * the server's first in-order bytes (no version then: the server's
 * direction is not read further, so TCP keeps dropping its bytes uncopied
 * as before), the chosen ALPN, and everything after the hellos. */
#include "dissect-private.h"

/* A connection's TLS state (W4Flow.app_state[W4_PROTO_TLS]). */
typedef struct {
  W4Flow *flow;
  W4TlsHello hello; /* the client's ClientHello while it arrives */
  guint64 first_frame; /* of the client's first record */
  W4Time first_ts;
  gboolean decided;    /* the ClientHello was read or cannot be */
  gboolean server_seen; /* the server's first bytes were looked at (or it ended) */
  guint16 version;     /* the ServerHello's selected version, 0: not seen */
  gboolean announced;
  gboolean announce_on_open; /* on_tls waits for on_conn_open */
  /* The plaintext's protocol and its state: unused until decryption. */
  const W4StreamProto *inner;
  void *inner_st;
} W4TlsConn;

W4Probe
w4_tls_probe_record (const guint8 *data, gsize len, gboolean app_data_too)
{
  W4Reader r;
  guint8 type = 0, major = 0, minor = 0;

  w4_rd_init (&r, data, len);
  /* 0x16: handshake. A capture that starts mid-connection only shows
   * application data records (0x17). */
  if (!w4_rd_u8 (&r, &type))
    return W4_PROBE_NEED_MORE;
  if (type != 0x16 && !(app_data_too && type == 0x17))
    return W4_PROBE_NO;
  if (!w4_rd_u8 (&r, &major))
    return W4_PROBE_NEED_MORE;
  if (major != 3)
    return W4_PROBE_NO;
  if (!w4_rd_u8 (&r, &minor))
    return W4_PROBE_NEED_MORE;
  return minor <= 4 ? W4_PROBE_YES : W4_PROBE_NO;
}

static W4Probe
tls_probe (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  /* after lost bytes a record boundary cannot be found again */
  if (at->lost)
    return W4_PROBE_NO;
  return w4_tls_probe_record (data, len, at->midstream);
}

static void *
tls_new (W4Flow *flow)
{
  W4TlsConn *t = g_new0 (W4TlsConn, 1);

  t->flow = flow;
  w4_tls_hello_init (&t->hello);
  return t;
}

static void
tls_free (void *st)
{
  W4TlsConn *t = st;

  if (t->inner != NULL)
    t->inner->free (t->inner_st);
  w4_tls_hello_clear (&t->hello);
  g_free (t);
}

static void
announce (W4TlsConn *t)
{
  const W4Sink *sink = w4_dis_sink (t->flow->dis);
  W4TlsInfo info = { 0 };

  info.conn = &t->flow->info;
  info.frame = t->first_frame;
  info.ts = t->first_ts;
  if (t->hello.state == W4_TLS_HELLO_DONE) {
    info.sni = t->hello.sni;
    info.alpn = t->hello.alpn;
  }
  info.version = t->version;
  info.decrypted = FALSE;
  if (sink->on_tls != NULL)
    sink->on_tls (sink->user, &info);
}

/* on_tls, once the ClientHello is read (or cannot be) and the server's
 * first bytes were looked at (or will not come: the connection closes).
 * The connection's open is not moved earlier for it (an open connection's
 * roles are final): until it opens, on_tls waits (w4_tls_opened). */
static void
maybe_announce (W4TlsConn *t)
{
  if (!t->decided || !t->server_seen || t->announced)
    return;
  t->announced = TRUE;
  if (t->flow->opened)
    announce (t);
  else
    t->announce_on_open = TRUE;
}

/* The client direction has nothing more for us. */
static void
hello_decided (W4TlsConn *t)
{
  if (t->decided)
    return;
  t->decided = TRUE;
  maybe_announce (t);
  w4_app_stop (t->flow, W4_DIR_TO_SERVER);
}

void
w4_tls_closing (W4Flow *flow)
{
  W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  if (t == NULL)
    return;
  t->server_seen = TRUE;
  maybe_announce (t);
}

void
w4_tls_opened (W4Flow *flow)
{
  W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  if (t != NULL && t->announce_on_open) {
    t->announce_on_open = FALSE;
    announce (t);
  }
}

static void
tls_feed (void *st, W4Dir dir, const W4Chunk *chunk)
{
  W4TlsConn *t = st;

  if (dir == W4_DIR_TO_CLIENT) {
    /* its first bytes only: the ServerHello when it is whole in them */
    t->version = w4_tls_server_version (chunk->data, chunk->len);
    t->server_seen = TRUE;
    maybe_announce (t);
    w4_app_stop (t->flow, dir);
    return;
  }
  if (t->first_frame == 0) {
    t->first_frame = chunk->marks[0].frame;
    t->first_ts = chunk->marks[0].ts;
  }
  if (w4_tls_hello_feed (&t->hello, chunk->data, chunk->len) != W4_TLS_HELLO_MORE)
    hello_decided (t);
}

static void
tls_gap (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at)
{
  W4TlsConn *t = st;

  (void) lost;
  (void) at;
  if (dir != W4_DIR_TO_SERVER)
    return;
  /* a ClientHello with a hole names nothing */
  w4_tls_hello_lost (&t->hello);
  hello_decided (t);
}

static void
tls_eof (void *st, W4Dir dir, const W4FrameMark *at)
{
  /* a ClientHello cut by the end names nothing */
  tls_gap (st, dir, 0, at);
}

const W4StreamProto w4_tls_proto = {
  .name = "tls",
  .id = W4_PROTO_TLS,
  .probe = tls_probe,
  .prefix_is_enough = FALSE,
  .new = tls_new,
  .free = tls_free,
  .feed = tls_feed,
  .gap = tls_gap,
  .eof = tls_eof,
};
