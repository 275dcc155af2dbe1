/* tls.c: the TLS layer of a connection.
 *
 * Chosen by app.c for a direction whose first bytes are a TLS record
 * header. It reads the client's ClientHello (tls-hello.c: SNI, the offered
 * ALPN protocols, the client random) and the version the ServerHello
 * selects, and on_tls says whether the connection was decrypted.
 *
 * Without the session's secrets in the key store (or with no store), that
 * is all: the client direction stops after its hello, the server's after
 * its first bytes, as before decryption existed. With them, and a TLS 1.3
 * ServerHello whose suite tls-crypto.c opens, each direction's records are
 * reassembled (bounded by W4_TLS13_CIPHERTEXT_MAX, each keeping the frame
 * of its first byte) and opened: handshake keys until the direction's
 * Finished, traffic keys after it. Application data goes to the inner
 * (proto, state) slot, HTTP/1 or HTTP/2 chosen by the first plaintext bytes, with
 * frame marks that point at the ciphertext packets. A bad tag, a cut
 * record or a malformed header stops the direction (a warning): nothing is
 * concluded from what follows.
 *
 * Not yet: TLS 1.2 (tls-crypto.c can, the layer does not ask), KeyUpdate,
 * a session layer of its own (the TCP connection's
 * record is marked W4_LAYER_TLS instead). */
#include "dissect-private.h"
#include "tls-crypto.h"
#include "tls-keylog.h"

#include <string.h>

/* Record content types (RFC 8446 5.1) and the handshake message that ends
 * a direction's handshake epoch. */
#define TLS_CT_CCS 20
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APP_DATA 23
#define TLS_HS_FINISHED 20

/* Where a direction's record protection stands. */
typedef enum {
  W4_TLS_DIR_OFF,       /* not decrypted: no keys, or it stopped */
  W4_TLS_DIR_PLAIN,     /* before its keys: records pass unread */
  W4_TLS_DIR_HANDSHAKE, /* *_HANDSHAKE_TRAFFIC_SECRET keys, until Finished */
  W4_TLS_DIR_APP,       /* *_TRAFFIC_SECRET_0 keys */
} W4TlsDirStage;

/* One direction's records being reassembled and opened (flow lifetime). */
typedef struct {
  W4TlsDirStage stage;
  GByteArray *rec;      /* the record so far, header included */
  gsize rec_need;       /* its whole length once the header is in, else 0 */
  W4FrameMark first;    /* the frame that carried its first byte */
  W4TlsKeys *keys;
  W4TlsKeys *next_keys; /* the application keys, taken after Finished */
  guint8 hs_hdr[4];     /* handshake message header being read */
  guint hs_hdr_len;
  guint32 hs_left;      /* body bytes of the current handshake message */
} W4TlsDir;

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
  /* The plaintext's protocol and its state (decryption only). */
  const W4StreamProto *inner;
  void *inner_st;
  gboolean inner_failed; /* the plaintext is not a protocol dissect reads */
  gboolean decrypting;   /* the session's keys are known: on_tls says decrypted */
  W4TlsSessionKeys keys; /* a copy: the store may evict its entry */
  W4TlsDir dir[2];       /* by W4Dir */
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
  for (int d = 0; d < 2; d++) {
    /* records are followed only when there is a key store to ask */
    t->dir[d].stage = flow->dis->keylog != NULL ? W4_TLS_DIR_PLAIN : W4_TLS_DIR_OFF;
    t->dir[d].rec = g_byte_array_new ();
  }
  return t;
}

static void
tls_free (void *st)
{
  W4TlsConn *t = st;

  if (t->inner != NULL)
    t->inner->free (t->inner_st);
  for (int d = 0; d < 2; d++) {
    g_byte_array_unref (t->dir[d].rec);
    w4_tls_keys_free (t->dir[d].keys);
    w4_tls_keys_free (t->dir[d].next_keys);
  }
  w4_tls_hello_clear (&t->hello);
  memset (&t->keys, 0, sizeof t->keys);
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
  info.decrypted = t->decrypting;
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

/* Decryption of @dir stops here (a gap, a bad tag, a record it cannot
 * read): its later bytes are not read, nothing is concluded from them. */
static void
dir_off (W4TlsConn *t, W4Dir dir)
{
  W4TlsDir *d = &t->dir[dir];

  d->stage = W4_TLS_DIR_OFF;
  g_byte_array_set_size (d->rec, 0);
  d->rec_need = 0;
  g_clear_pointer (&d->keys, w4_tls_keys_free);
  g_clear_pointer (&d->next_keys, w4_tls_keys_free);
}

static void
dir_warn (W4TlsConn *t, W4Dir dir, const W4FrameMark *at, const char *msg)
{
  /* before the session is known to be decrypted, records are only followed */
  if (t->decrypting)
    w4_dis_anomaly (t->flow, W4_ANOM_WARNING, dir, at->frame, at->ts, W4_LIMIT_COUNT, 0, msg);
}

/* The client direction has nothing more for us. */
static void
hello_decided (W4TlsConn *t)
{
  if (t->decided)
    return;
  t->decided = TRUE;
  maybe_announce (t);
  if (t->dir[W4_DIR_TO_SERVER].stage == W4_TLS_DIR_OFF)
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

gboolean
w4_tls_carries_http (const W4Flow *flow)
{
  const W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  return t != NULL && (t->inner == &w4_h1_proto || t->inner == &w4_h2_proto);
}

static W4TlsCrypto *
crypto_of (W4Dissect *dis)
{
  if (dis->crypto == NULL && !dis->crypto_failed) {
    dis->crypto = w4_tls_crypto_new ();
    dis->crypto_failed = dis->crypto == NULL;
  }
  return dis->crypto;
}

static gboolean
have_tls13_secrets (const W4TlsSessionKeys *k)
{
  return k->secret[W4_TLS_CLIENT_HS_SECRET].len != 0 &&
         k->secret[W4_TLS_SERVER_HS_SECRET].len != 0 &&
         k->secret[W4_TLS_CLIENT_APP_SECRET].len != 0 &&
         k->secret[W4_TLS_SERVER_APP_SECRET].len != 0;
}

/* The ClientHello is read: are the session's keys in the store? Without
 * them the client direction is not followed (today's behaviour). */
static void
look_up_keys (W4TlsConn *t)
{
  const W4TlsSessionKeys *k = NULL;

  if (t->flow->dis->keylog != NULL && t->hello.state == W4_TLS_HELLO_DONE)
    k = w4_keylog_find (t->flow->dis->keylog, t->hello.client_random);
  if (k != NULL && have_tls13_secrets (k)) {
    t->keys = *k;
    return;
  }
  dir_off (t, W4_DIR_TO_SERVER);
  dir_off (t, W4_DIR_TO_CLIENT);
}

static W4TlsKeys *
keys_from (W4TlsConn *t, const W4TlsSuite *suite, W4TlsSecretKind kind)
{
  const W4TlsSecret *s = &t->keys.secret[kind];

  return w4_tls13_keys_new (crypto_of (t->flow->dis), suite, s->bytes, s->len);
}

/* The server's first record, whole, held the ServerHello @sh (@version
 * as w4_tls_server_hello read it): a TLS 1.3 session with a suite we can
 * open gets its four keys; anything else is not decrypted. */
static void
start_decrypting (W4TlsConn *t, guint16 version, const W4TlsServerHello *sh)
{
  const W4TlsSuite *suite = NULL;
  W4TlsDir *c = &t->dir[W4_DIR_TO_SERVER], *s = &t->dir[W4_DIR_TO_CLIENT];

  if (s->stage == W4_TLS_DIR_OFF || c->stage == W4_TLS_DIR_OFF)
    goto off;
  if (version != 0x0304 || (suite = w4_tls_suite_find (sh->suite)) == NULL ||
      crypto_of (t->flow->dis) == NULL)
    goto off;
  c->keys = keys_from (t, suite, W4_TLS_CLIENT_HS_SECRET);
  c->next_keys = keys_from (t, suite, W4_TLS_CLIENT_APP_SECRET);
  s->keys = keys_from (t, suite, W4_TLS_SERVER_HS_SECRET);
  s->next_keys = keys_from (t, suite, W4_TLS_SERVER_APP_SECRET);
  if (c->keys == NULL || c->next_keys == NULL || s->keys == NULL || s->next_keys == NULL)
    goto off;
  c->stage = s->stage = W4_TLS_DIR_HANDSHAKE;
  t->decrypting = TRUE;
  return;
off:
  dir_off (t, W4_DIR_TO_SERVER);
  dir_off (t, W4_DIR_TO_CLIENT);
  /* an undecided ClientHello is still read */
  if (t->decided)
    w4_app_stop (t->flow, W4_DIR_TO_SERVER);
}

/* Does this handshake plaintext end a Finished message? Messages may span
 * records: their headers are followed across them. */
static gboolean
ends_finished (W4TlsDir *d, const guint8 *p, gsize n)
{
  gboolean finished = FALSE;
  gsize i = 0;

  while (i < n) {
    if (d->hs_left > 0) {
      gsize k = MIN ((gsize) d->hs_left, n - i);
      d->hs_left -= (guint32) k;
      i += k;
      /* hs_hdr keeps the message's type until the next header starts */
      finished |= d->hs_left == 0 && d->hs_hdr[0] == TLS_HS_FINISHED;
      continue;
    }
    d->hs_hdr[d->hs_hdr_len++] = p[i++];
    if (d->hs_hdr_len == 4) {
      d->hs_left = (guint32) d->hs_hdr[1] << 16 | (guint32) d->hs_hdr[2] << 8 | d->hs_hdr[3];
      d->hs_hdr_len = 0;
      finished |= d->hs_left == 0 && d->hs_hdr[0] == TLS_HS_FINISHED;
    }
  }
  return finished;
}

/* The plaintext of application data goes to the inner protocol, chosen
 * by its first bytes as app.c chooses for TCP: HTTP/1 or HTTP/2. */
static void
feed_inner (W4TlsConn *t, W4Dir dir, const guint8 *p, gsize n, const W4FrameMark *first)
{
  W4FrameMark mark = { 0, first->frame, first->ts };
  W4Chunk chunk = { p, n, &mark, 1, TRUE };

  if (n == 0 || t->inner_failed)
    return;
  if (t->inner == NULL) {
    W4ProbeAt at = { dir, FALSE, FALSE, TRUE };
    /* The client's first plaintext says the protocol, except that an
     * HTTP/2 server may send its SETTINGS before the client's preface
     * arrives (nothing in HTTP/1 comes from the server first). */
    const W4StreamProto *p0 = dir == W4_DIR_TO_CLIENT
                                ? (w4_h2_probe_server_start (p, n) == W4_PROBE_YES ? &w4_h2_proto : NULL)
                                : w4_app_choose (&at, p, n);
    if (p0 == NULL && dir == W4_DIR_TO_CLIENT)
      return;
    if (p0 != &w4_h1_proto && p0 != &w4_h2_proto) {
      t->inner_failed = TRUE;
      return;
    }
    /* from here on the connection's HTTP comes out of TLS */
    t->flow->info.layer = W4_LAYER_TLS;
    t->inner = p0;
    t->inner_st = p0->new (t->flow);
  }
  t->inner->feed (t->inner_st, dir, &chunk);
}

/* One whole record of @dir (header included). */
static void
open_record (W4TlsConn *t, W4Dir dir, const guint8 *rec, gsize len)
{
  W4TlsDir *d = &t->dir[dir];
  guint8 plain[W4_TLS13_CIPHERTEXT_MAX];
  guint8 type = 0;
  gsize plain_len = 0;
  W4TlsOpen r;

  if (dir == W4_DIR_TO_CLIENT && !t->server_seen) {
    W4TlsServerHello sh = { 0 };

    /* read once: its version for on_tls, its suite and random for keys */
    t->version = w4_tls_server_hello (rec, len, &sh);
    start_decrypting (t, t->version, &sh);
    t->server_seen = TRUE;
    maybe_announce (t);
    return;
  }
  /* the hellos and ChangeCipherSpec travel unprotected */
  if (rec[0] != TLS_CT_APP_DATA || d->stage == W4_TLS_DIR_PLAIN)
    return;
  r = w4_tls_keys_decrypt (d->keys, rec, len, plain, sizeof plain, &type, &plain_len);
  if (r != W4_TLS_OPEN_OK) {
    dir_warn (t, dir, &d->first,
              r == W4_TLS_OPEN_BAD_TAG
                ? "a TLS record failed its authentication tag: the direction is not decrypted further"
                : "a TLS record could not be decrypted: the direction is not decrypted further");
    dir_off (t, dir);
    return;
  }
  if (d->stage == W4_TLS_DIR_HANDSHAKE && type == TLS_CT_HANDSHAKE) {
    if (ends_finished (d, plain, plain_len)) {
      w4_tls_keys_free (d->keys);
      d->keys = g_steal_pointer (&d->next_keys);
      d->stage = W4_TLS_DIR_APP;
    }
  } else if (d->stage == W4_TLS_DIR_APP && type == TLS_CT_APP_DATA) {
    feed_inner (t, dir, plain, plain_len, &d->first);
  }
  memset (plain, 0, plain_len);
}

/* Record reassembly: records may span chunks and a chunk may hold several;
 * each record is opened once whole, with the frame of its first byte. */
static void
feed_records (W4TlsConn *t, W4Dir dir, const W4Chunk *chunk)
{
  W4TlsDir *d = &t->dir[dir];
  gsize i = 0;
  guint m = 0;

  while (i < chunk->len && d->stage != W4_TLS_DIR_OFF) {
    gsize want, take;
    if (d->rec->len == 0) {
      while (m + 1 < chunk->n_marks && chunk->marks[m + 1].off <= i)
        m++;
      d->first = chunk->marks[m];
    }
    want = d->rec_need != 0 ? d->rec_need : 5;
    take = MIN (want - d->rec->len, chunk->len - i);
    g_byte_array_append (d->rec, chunk->data + i, (guint) take);
    i += take;
    if (d->rec->len < want)
      break;
    if (d->rec_need == 0) {
      gsize frag = (gsize) d->rec->data[3] << 8 | d->rec->data[4];
      if (d->rec->data[1] != 3 || frag == 0 || frag > W4_TLS13_CIPHERTEXT_MAX) {
        dir_warn (t, dir, &d->first, "a TLS record header is not valid: the direction is not decrypted further");
        dir_off (t, dir);
        break;
      }
      d->rec_need = 5 + frag;
      continue;
    }
    open_record (t, dir, d->rec->data, d->rec->len);
    g_byte_array_set_size (d->rec, 0);
    d->rec_need = 0;
  }
}

static void
tls_feed (void *st, W4Dir dir, const W4Chunk *chunk)
{
  W4TlsConn *t = st;

  if (dir == W4_DIR_TO_CLIENT) {
    if (!t->server_seen && t->dir[dir].stage == W4_TLS_DIR_OFF) {
      /* no keys: its first bytes only, the ServerHello when it is whole
       * in them */
      t->version = w4_tls_server_version (chunk->data, chunk->len);
      t->server_seen = TRUE;
      maybe_announce (t);
    }
    /* with keys, its first record (reassembled) says how to go on */
    if (t->dir[dir].stage != W4_TLS_DIR_OFF)
      feed_records (t, dir, chunk);
    if (t->dir[dir].stage == W4_TLS_DIR_OFF)
      w4_app_stop (t->flow, dir);
    return;
  }
  if (t->first_frame == 0) {
    t->first_frame = chunk->marks[0].frame;
    t->first_ts = chunk->marks[0].ts;
  }
  if (!t->decided && w4_tls_hello_feed (&t->hello, chunk->data, chunk->len) != W4_TLS_HELLO_MORE) {
    look_up_keys (t);
    hello_decided (t);
  }
  if (t->dir[dir].stage != W4_TLS_DIR_OFF)
    feed_records (t, dir, chunk);
}

static void
tls_gap (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at)
{
  W4TlsConn *t = st;

  /* a record cut by a gap is never opened: the direction stops */
  if (t->dir[dir].stage != W4_TLS_DIR_OFF)
    dir_off (t, dir);
  if (t->inner != NULL)
    t->inner->gap (t->inner_st, dir, lost, at);
  if (dir != W4_DIR_TO_SERVER || t->decided)
    return;
  /* a ClientHello with a hole names nothing */
  w4_tls_hello_lost (&t->hello);
  look_up_keys (t);
  hello_decided (t);
}

static void
tls_eof (void *st, W4Dir dir, const W4FrameMark *at)
{
  W4TlsConn *t = st;

  if (t->inner != NULL)
    t->inner->eof (t->inner_st, dir, at);
  if (dir != W4_DIR_TO_SERVER || t->decided)
    return;
  /* a ClientHello cut by the end names nothing */
  w4_tls_hello_lost (&t->hello);
  look_up_keys (t);
  hello_decided (t);
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
