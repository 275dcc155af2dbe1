/* tls.c: the TLS layer of a connection.
 *
 * Chosen by app.c for a direction whose first bytes are a TLS record
 * header. It reads the client's ClientHello (tls-hello.c: SNI, the offered
 * ALPN protocols, the client random) and the version the ServerHello
 * selects, and on_tls says whether the connection was decrypted.
 *
 * Without the session's secrets in the key store (or with no store), each
 * direction's record headers are only followed in clear (W4TlsWatch) until
 * its first application data record, for an alert that ends the handshake
 * (on_tls_alert). With them, and a TLS 1.3 ServerHello whose suite
 * tls-crypto.c opens, each direction's records are reassembled (bounded by
 * W4_TLS_CIPHERTEXT_MAX, each keeping the frame of its first byte) and
 * opened: handshake keys until the direction's Finished, traffic keys after
 * it, the next traffic secret after a KeyUpdate; a HelloRetryRequest needs
 * nothing (the same client random names the keys); the client's 0-RTT
 * records are opened with CLIENT_EARLY_TRAFFIC_SECRET and held until the
 * server's EncryptedExtensions accept them, or skipped without it. A TLS
 * 1.0-1.2 ServerHello with the
 * CLIENT_RANDOM master secret gets the key block of its suite (tls-crypto.c,
 * encrypt-then-MAC when both hellos carry it), each direction switching at
 * its ChangeCipherSpec (a resumed handshake too: the server's comes first);
 * its first protected record, the Finished, is opened and skipped.
 * Application data goes to the inner
 * (proto, state) slot, HTTP/1 or HTTP/2 chosen by the first plaintext bytes, with
 * frame marks that point at the ciphertext packets. A bad tag, a cut
 * record or a malformed header stops the direction (a warning): nothing is
 * concluded from what follows. With keys, on_tls waits for the session's
 * first protected record: one that fails its tag says the key log's
 * secrets do not open the session (W4_TLS_KEYS_WRONG), not a warning. A
 * session a growing (live) key log lacks at its ClientHello is looked up
 * once more at the server's first record.
 *
 * The decrypted session's protocol runs on a connection record of its own
 * (W4_LAYER_TLS, its outer the record TLS runs on), so what the connection
 * carried in clear before it (a CONNECT and its 407) stays cleartext.
 *
 * Not yet: renegotiation (a second ChangeCipherSpec stops the direction). */
#include "dissect-private.h"
#include "tls-crypto.h"
#include "tls-keylog.h"

#include <string.h>

/* Record content types (RFC 8446 5.1) and the handshake message that ends
 * a direction's handshake epoch. */
#define TLS_CT_CCS 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APP_DATA 23
#define TLS_HS_FINISHED 20
#define TLS_ALERT_WARNING 1
#define TLS_HS_ENCRYPTED_EXTENSIONS 8
#define TLS_HS_KEY_UPDATE 24
#define TLS_HS_END_OF_EARLY_DATA 5
/* The client's decrypted 0-RTT data held until the server's
 * EncryptedExtensions say whether it was accepted (a fixed bound: early
 * data is one request or a few; past it the early data is not read). */
#define W4_TLS_EARLY_DATA_MAX 65536
#define TLS_EXT_EARLY_DATA 42
/* What a handshake plaintext completed (hs_walk). NewSessionTicket and
 * the rest are walked over and ignored. */
#define HS_SAW_FINISHED 1u
#define HS_SAW_KEY_UPDATE 2u

/* Where a direction's record protection stands. */
typedef enum {
  W4_TLS_DIR_OFF,       /* not decrypted: no keys, or it stopped */
  W4_TLS_DIR_PLAIN,     /* before its keys: records pass unread */
  W4_TLS_DIR_HANDSHAKE, /* *_HANDSHAKE_TRAFFIC_SECRET keys, until Finished */
  W4_TLS_DIR_APP,       /* *_TRAFFIC_SECRET_0 keys; TLS 1.0-1.2: the key
                         * block's, from the direction's ChangeCipherSpec */
} W4TlsDirStage;

/* One direction's records being reassembled and opened (flow lifetime). */
typedef struct {
  W4TlsDirStage stage;
  GByteArray *rec;      /* the record so far, header included */
  gsize rec_need;       /* its whole length once the header is in, else 0 */
  gsize rec_charged;    /* rec's largest length yet, charged to W4_MEM_TLS */
  W4FrameMark first;    /* the frame that carried its first byte */
  W4TlsKeys *keys;
  W4TlsKeys *next_keys; /* the application keys, taken after Finished */
  guint8 hs_hdr[4];     /* handshake message header being read */
  guint hs_hdr_len;
  guint32 hs_left;      /* body bytes of the current handshake message */
  gboolean opened;      /* a record of the current keys opened (TLS 1.3 early data) */
  guint64 early_skipped; /* the client's 0-RTT records passed unread */
} W4TlsDir;

/* One direction's record headers followed in clear, with or without keys,
 * until its first application data record: a plaintext alert there ended
 * the handshake (on_tls_alert). Nothing is buffered: a header and an
 * alert's two bytes at most. */
typedef struct {
  guint8 hdr[7];        /* record header, then an alert's level and description */
  guint hdr_len;
  gsize skip;           /* payload bytes of the current record still to pass */
  W4FrameMark first;    /* the frame of the current record's first byte */
  gboolean done;        /* application data (or not TLS) seen: nothing more to watch */
} W4TlsWatch;

/* A connection's TLS state (W4Flow.app_state[W4_PROTO_TLS]). */
typedef struct {
  W4Flow *flow;
  const W4ConnInfo *on;  /* the record TLS runs on (TCP's, or a tunnel's) */
  const W4ConnInfo *rec; /* the decrypted session's own record, once it carries a protocol */
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
  gboolean tls12;        /* decrypting TLS 1.0-1.2: keys switch at ChangeCipherSpec */
  gboolean early_accepted; /* TLS 1.3: the EncryptedExtensions accept early_data */
  gboolean early_warned;
  /* TLS 1.3 0-RTT with CLIENT_EARLY_TRAFFIC_SECRET: its keys, until the
   * client's EndOfEarlyData, and its plaintext, until the server decides */
  W4TlsKeys *early_keys;
  gboolean early_done;   /* no (more) early records expected */
  GByteArray *early_plain;
  W4FrameMark early_first; /* the frame of its first record */
  gboolean early_decided; /* the server's EncryptedExtensions were read */
  gboolean early_too_long; /* past W4_TLS_EARLY_DATA_MAX: the rest is not read */
  const W4TlsSuite *suite; /* the ServerHello's, when decrypting TLS 1.3 */
  W4TlsKeyState key_state; /* on_tls's keys */
  gboolean keys_later;   /* not in a growing key log at the ClientHello: look again */
  gboolean proof_pending; /* keys taken, no protected record opened or failed yet */
  W4TlsSessionKeys keys; /* a copy: the store may evict its entry */
  W4TlsDir dir[2];       /* by W4Dir */
  W4TlsWatch watch[2];   /* by W4Dir */
  gboolean server_app_seen; /* decrypted application data from the server */
  gboolean alerted[2];   /* an alert of that direction was reported */
  W4TlsAlert alert_on_open[2]; /* ...or waits for on_conn_open (conn NULL: none) */
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

/* A server that refuses the ClientHello (no common version or suite)
 * answers with one alert record, header 21 3 x 0 2, and nothing else. */
static W4Probe
probe_alert_record (const guint8 *data, gsize len)
{
  static const guint8 head[] = { TLS_CT_ALERT, 3, 0, 0, 2 };

  for (gsize i = 0; i < sizeof head; i++) {
    if (i == len)
      return W4_PROBE_NEED_MORE;
    if (i == 2 ? data[i] > 4 : data[i] != head[i])
      return W4_PROBE_NO;
  }
  return W4_PROBE_YES;
}

static W4Probe
tls_probe (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  /* after lost bytes a record boundary cannot be found again */
  if (at->lost)
    return W4_PROBE_NO;
  if (at->dir == W4_DIR_TO_CLIENT && len > 0 && data[0] == TLS_CT_ALERT)
    return probe_alert_record (data, len);
  return w4_tls_probe_record (data, len, at->midstream);
}

static void *
tls_new (W4Flow *flow, const W4ConnInfo *on)
{
  W4TlsConn *t = g_new0 (W4TlsConn, 1);

  /* its record buffers and keys come and go with records: the state is
   * what a connection keeps */
  w4_budget_charge (flow->dis->limits.budget, W4_MEM_TLS, sizeof (W4TlsConn));
  t->flow = flow;
  t->on = on;
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
  w4_tls_keys_free (t->early_keys);
  if (t->early_plain != NULL) {
    memset (t->early_plain->data, 0, t->early_plain->len);
    g_byte_array_unref (t->early_plain);
  }
  w4_tls_hello_clear (&t->hello);
  memset (&t->keys, 0, sizeof t->keys);
  w4_budget_release (t->flow->dis->limits.budget, W4_MEM_TLS,
                     sizeof (W4TlsConn) + t->dir[0].rec_charged + t->dir[1].rec_charged);
  g_free (t);
}

static void
announce (W4TlsConn *t)
{
  const W4Sink *sink = w4_dis_sink (t->flow->dis);
  W4TlsInfo info = { 0 };

  info.conn = t->on;
  info.frame = t->first_frame;
  info.ts = t->first_ts;
  if (t->hello.state == W4_TLS_HELLO_DONE) {
    info.sni = t->hello.sni;
    info.alpn = t->hello.alpn;
  }
  info.version = t->version;
  info.decrypted = t->decrypting;
  info.keys = t->key_state;
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
  if (!t->decided || !t->server_seen || t->announced || t->proof_pending)
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

/* An alert @from sent: reported when it ends a handshake (before the
 * server's application data), once per direction. */
static void
tls_alert (W4TlsConn *t, W4Dir from, guint8 level, guint8 description, const W4FrameMark *at,
           gboolean decrypted)
{
  const W4Sink *sink = w4_dis_sink (t->flow->dis);
  W4TlsAlert a = { 0 };

  /* close_notify (0) and user_canceled (90) end nothing by themselves */
  if (t->server_app_seen || t->alerted[from] || description == 0 || description == 90)
    return;
  /* a warning ends no TLS 1.0-1.2 handshake (RFC 5246 7.2: the connection
   * goes on; OpenSSL servers warn unrecognized_name); TLS 1.3 takes every
   * other alert as fatal, whatever its level (RFC 8446 6) */
  if (level == TLS_ALERT_WARNING && t->version != 0x0304)
    return;
  t->alerted[from] = TRUE;
  a.conn = t->on;
  a.from = from;
  a.frame = at->frame;
  a.ts = at->ts;
  a.level = level;
  a.description = description;
  a.decrypted = decrypted;
  /* as on_tls: an open connection's roles are final, so the event waits */
  if (!t->flow->opened)
    t->alert_on_open[from] = a;
  else if (sink->on_tls_alert != NULL)
    sink->on_tls_alert (sink->user, &a);
}

/* Record headers of @dir in clear (W4TlsWatch). Alerts in clear are two
 * bytes long; a protected one is longer and passes (decryption reads it). */
static void
watch_feed (W4TlsConn *t, W4Dir dir, const W4Chunk *chunk)
{
  W4TlsWatch *w = &t->watch[dir];
  guint m = 0;

  for (gsize i = 0; i < chunk->len && !w->done;) {
    if (w->skip > 0) {
      gsize k = MIN (w->skip, chunk->len - i);
      w->skip -= k;
      i += k;
      continue;
    }
    if (w->hdr_len == 0) {
      while (m + 1 < chunk->n_marks && chunk->marks[m + 1].off <= i)
        m++;
      w->first = chunk->marks[m];
    }
    w->hdr[w->hdr_len++] = chunk->data[i++];
    if (w->hdr_len == 5) {
      gsize len = (gsize) w->hdr[3] << 8 | w->hdr[4];
      if (w->hdr[1] != 3 || len == 0 || len > W4_TLS_CIPHERTEXT_MAX || w->hdr[0] == TLS_CT_APP_DATA) {
        w->done = TRUE;
      } else if (w->hdr[0] != TLS_CT_ALERT || len != 2) {
        w->skip = len;
        w->hdr_len = 0;
      }
    } else if (w->hdr_len == 7) {
      tls_alert (t, dir, w->hdr[5], w->hdr[6], &w->first, FALSE);
      w->hdr_len = 0;
    }
  }
}

/* Nothing more is read of @dir: no decryption, no watching. */
static void
maybe_stop (W4TlsConn *t, W4Dir dir)
{
  if (t->dir[dir].stage == W4_TLS_DIR_OFF && t->watch[dir].done)
    w4_app_stop (t->flow, dir);
}

/* The client direction has nothing more for us. */
static void
hello_decided (W4TlsConn *t)
{
  if (t->decided)
    return;
  t->decided = TRUE;
  maybe_announce (t);
  maybe_stop (t, W4_DIR_TO_SERVER);
}

void
w4_tls_closing (W4Flow *flow)
{
  W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  if (t == NULL)
    return;
  t->server_seen = TRUE;
  t->proof_pending = FALSE; /* nothing more will come to prove the keys */
  maybe_announce (t);
}
void
w4_tls_opened (W4Flow *flow)
{
  W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  if (t == NULL)
    return;
  if (t->announce_on_open) {
    t->announce_on_open = FALSE;
    announce (t);
  }
  for (int d = 0; d < 2; d++) {
    const W4Sink *sink = w4_dis_sink (flow->dis);
    if (t->alert_on_open[d].conn != NULL && sink->on_tls_alert != NULL)
      sink->on_tls_alert (sink->user, &t->alert_on_open[d]);
    t->alert_on_open[d].conn = NULL;
  }
}

const W4ConnInfo *
w4_tls_session_record (const W4Flow *flow)
{
  const W4TlsConn *t = w4_app_state (flow, W4_PROTO_TLS);

  return t != NULL ? t->rec : NULL;
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
have_master_secret (const W4TlsSessionKeys *k)
{
  return k->secret[W4_TLS_MASTER_SECRET].len == W4_TLS_MASTER_LEN;
}

static gboolean
have_tls13_secrets (const W4TlsSessionKeys *k)
{
  return k->secret[W4_TLS_CLIENT_HS_SECRET].len != 0 &&
         k->secret[W4_TLS_SERVER_HS_SECRET].len != 0 &&
         k->secret[W4_TLS_CLIENT_APP_SECRET].len != 0 &&
         k->secret[W4_TLS_SERVER_APP_SECRET].len != 0;
}

/* The session's secrets in the store, copied into t->keys. */
static gboolean
find_keys (W4TlsConn *t)
{
  const W4TlsSessionKeys *k = NULL;

  if (t->flow->dis->keylog != NULL && t->hello.state == W4_TLS_HELLO_DONE)
    k = w4_keylog_find (t->flow->dis->keylog, t->hello.client_random);
  /* which of the two the session needs, its ServerHello will say */
  if (k == NULL || !(have_tls13_secrets (k) || have_master_secret (k)))
    return FALSE;
  t->keys = *k;
  return TRUE;
}

/* The ClientHello is read: are the session's keys in the store? Without
 * them the client direction is not followed (today's behaviour), unless a
 * key log is still being written (live): then the records are followed
 * until the server's first one, where the store is read again once. */
static void
look_up_keys (W4TlsConn *t)
{
  W4Keylog *kl = t->flow->dis->keylog;

  if (find_keys (t))
    return;
  t->key_state = w4_keylog_given (kl) ? W4_TLS_KEYS_MISSING : W4_TLS_KEYS_NOT_GIVEN;
  if (w4_keylog_growing (kl) && t->hello.state == W4_TLS_HELLO_DONE &&
      t->dir[W4_DIR_TO_SERVER].stage != W4_TLS_DIR_OFF) {
    t->keys_later = TRUE;
    return;
  }
  dir_off (t, W4_DIR_TO_SERVER);
  dir_off (t, W4_DIR_TO_CLIENT);
}

/* The server answered a session the growing key log did not have at its
 * ClientHello: the browser may have written its lines since. At most once
 * per session (one stat per growing file when nothing changed). */
static gboolean
look_up_keys_again (W4TlsConn *t)
{
  t->keys_later = FALSE;
  w4_keylog_refresh (t->flow->dis->keylog);
  return find_keys (t);
}

static W4TlsKeys *
keys_from (W4TlsConn *t, const W4TlsSuite *suite, W4TlsSecretKind kind)
{
  const W4TlsSecret *s = &t->keys.secret[kind];

  return w4_tls13_keys_new (crypto_of (t->flow->dis), suite, s->bytes, s->len);
}

/* TLS 1.0-1.2: the key block from the master secret and both randoms.
 * Each direction's keys wait in next_keys for its ChangeCipherSpec; its
 * first protected record is its Finished, then application data.
 * An abbreviated (resumed) handshake is the same: the key log names the
 * master secret by this connection's client random. */
static gboolean
start_tls12 (W4TlsConn *t, guint16 version, const W4TlsSuite *suite, const W4TlsServerHello *sh)
{
  W4TlsDir *c = &t->dir[W4_DIR_TO_SERVER], *s = &t->dir[W4_DIR_TO_CLIENT];
  const W4TlsSecret *m = &t->keys.secret[W4_TLS_MASTER_SECRET];
  /* RFC 7366 3: offered and echoed; it only changes CBC suites */
  gboolean etm = t->hello.offers_etm && sh->etm && suite->mac != W4_TLS_MAC_AEAD;

  if (!have_master_secret (&t->keys) || suite->tls13)
    return FALSE;
  if (!w4_tls12_keys_new (crypto_of (t->flow->dis), suite, version, etm, m->bytes, m->len,
                          t->hello.client_random, sh->random, &c->next_keys, &s->next_keys))
    return FALSE;
  t->tls12 = TRUE;
  t->decrypting = TRUE;
  return TRUE;
}

/* The server's first record, whole, held the ServerHello @sh (@version
 * as w4_tls_server_hello read it): a TLS 1.3 session with a suite we can
 * open gets its four keys, a TLS 1.0-1.2 one its key block; anything else
 * is not decrypted. */
static void
start_decrypting (W4TlsConn *t, guint16 version, const W4TlsServerHello *sh)
{
  const W4TlsSuite *suite = NULL;
  W4TlsDir *c = &t->dir[W4_DIR_TO_SERVER], *s = &t->dir[W4_DIR_TO_CLIENT];

  if (s->stage == W4_TLS_DIR_OFF || c->stage == W4_TLS_DIR_OFF)
    goto off;
  if (t->keys_later && !look_up_keys_again (t))
    goto off; /* still not there: key_state says MISSING */
  t->key_state = W4_TLS_KEYS_UNSUPPORTED;
  if ((suite = w4_tls_suite_find (sh->suite)) == NULL || crypto_of (t->flow->dis) == NULL)
    goto off;
  if (version >= 0x0301 && version <= 0x0303) {
    if (start_tls12 (t, version, suite, sh)) {
      t->key_state = W4_TLS_KEYS_OK;
      t->proof_pending = TRUE;
      return;
    }
    goto off;
  }
  if (version != 0x0304 || !have_tls13_secrets (&t->keys))
    goto off;
  t->suite = suite;
  c->keys = keys_from (t, suite, W4_TLS_CLIENT_HS_SECRET);
  c->next_keys = keys_from (t, suite, W4_TLS_CLIENT_APP_SECRET);
  s->keys = keys_from (t, suite, W4_TLS_SERVER_HS_SECRET);
  s->next_keys = keys_from (t, suite, W4_TLS_SERVER_APP_SECRET);
  if (c->keys == NULL || c->next_keys == NULL || s->keys == NULL || s->next_keys == NULL)
    goto off;
  c->stage = s->stage = W4_TLS_DIR_HANDSHAKE;
  t->decrypting = TRUE;
  t->key_state = W4_TLS_KEYS_OK;
  t->proof_pending = TRUE;
  return;
off:
  dir_off (t, W4_DIR_TO_SERVER);
  dir_off (t, W4_DIR_TO_CLIENT);
  /* an undecided ClientHello is still read */
  if (t->decided)
    maybe_stop (t, W4_DIR_TO_SERVER);
}

/* Which handshake messages of interest this plaintext completes
 * (HS_SAW_*). Messages may span records: their headers are followed
 * across them. */
static guint
hs_walk (W4TlsDir *d, const guint8 *p, gsize n)
{
  guint saw = 0;
  gsize i = 0;

  while (i < n) {
    if (d->hs_left > 0) {
      gsize k = MIN ((gsize) d->hs_left, n - i);
      d->hs_left -= (guint32) k;
      i += k;
    } else {
      d->hs_hdr[d->hs_hdr_len++] = p[i++];
      if (d->hs_hdr_len < 4)
        continue;
      d->hs_left = (guint32) d->hs_hdr[1] << 16 | (guint32) d->hs_hdr[2] << 8 | d->hs_hdr[3];
      d->hs_hdr_len = 0;
    }
    /* hs_hdr keeps the message's type until the next header starts */
    if (d->hs_left == 0 && d->hs_hdr_len == 0) {
      if (d->hs_hdr[0] == TLS_HS_FINISHED)
        saw |= HS_SAW_FINISHED;
      else if (d->hs_hdr[0] == TLS_HS_KEY_UPDATE)
        saw |= HS_SAW_KEY_UPDATE;
    }
  }
  return saw;
}

/* Do the server's EncryptedExtensions, the first message of its first
 * protected handshake record, accept early data (RFC 8446 4.2.10: an
 * empty early_data extension)? An EE split over records is taken as not
 * accepting (then the client's 0-RTT records are skipped, as servers do). */
static gboolean
ee_accepts_early_data (const guint8 *p, gsize n)
{
  W4Reader r, exts;
  guint8 type = 0, l0 = 0;
  guint16 l1 = 0, exts_len = 0;

  w4_rd_init (&r, p, n);
  if (!w4_rd_u8 (&r, &type) || type != TLS_HS_ENCRYPTED_EXTENSIONS || !w4_rd_u8 (&r, &l0) ||
      !w4_rd_u16 (&r, &l1) || !w4_rd_u16 (&r, &exts_len) || w4_rd_left (&r) < exts_len)
    return FALSE;
  exts = w4_rd_sub (&r, exts_len);
  while (w4_rd_left (&exts) >= 4) {
    guint16 et = 0, el = 0;
    if (!w4_rd_u16 (&exts, &et) || !w4_rd_u16 (&exts, &el) || !w4_rd_skip (&exts, el))
      return FALSE;
    if (et == TLS_EXT_EARLY_DATA)
      return TRUE;
  }
  return FALSE;
}

/* TLS 1.3: a client record that fails with the handshake keys before any
 * opened with them is 0-RTT data the server skips when it did not accept
 * early data (RFC 8446 4.2.10), or one whose early secret the key log
 * lacks: it is passed (the sequence number rewound), counted, and the
 * direction goes on. Only when the ClientHello offered early data. */
static gboolean
skip_early_record (W4TlsConn *t, W4Dir dir, guint64 seq_before)
{
  W4TlsDir *d = &t->dir[dir];

  /* with the early secret, 0-RTT records open with it (open_early),
   * accepted or not: a record that fails here is the handshake's */
  if (dir != W4_DIR_TO_SERVER || t->tls12 || d->stage != W4_TLS_DIR_HANDSHAKE || d->opened ||
      !t->hello.offers_early_data || t->keys.secret[W4_TLS_CLIENT_EARLY_SECRET].len != 0)
    return FALSE;
  w4_tls_keys_set_seq (d->keys, seq_before);
  d->early_skipped++;
  if (t->early_accepted && !t->early_warned) {
    t->early_warned = TRUE;
    dir_warn (t, dir, &d->first,
              "the server accepted the client's TLS early data (0-RTT), which the key log has no "
              "CLIENT_EARLY_TRAFFIC_SECRET for: what it carried is not read");
  }
  return TRUE;
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
    gboolean h2_server = dir == W4_DIR_TO_CLIENT && w4_h2_probe_server_start (p, n) == W4_PROBE_YES;
    const W4StreamProto *p0 = dir == W4_DIR_TO_CLIENT ? (h2_server ? &w4_h2_proto : NULL)
                                                      : w4_app_choose (&at, p, n);
    if (p0 == NULL && dir == W4_DIR_TO_CLIENT)
      return;
    if (p0 != &w4_h1_proto && p0 != &w4_h2_proto) {
      t->inner_failed = TRUE;
      return;
    }
    /* the session's HTTP runs on a record of its own, inside the one TLS
     * runs on: its findings say TLS, the connection's do not */
    t->rec = w4_flow_push_layer (t->flow, W4_LAYER_TLS, t->on, NULL);
    if (t->rec == NULL) {
      t->inner_failed = TRUE;
      return;
    }
    t->inner = p0;
    t->inner_st = p0->new (t->flow, t->rec);
  }
  t->inner->feed (t->inner_st, dir, &chunk);
}

/* The early secret's keys: the ServerHello's suite when it was read (an
 * accepted PSK keeps its suite), else each TLS 1.3 suite of the secret's
 * hash length in turn, the one that opens @rec kept. */
static gboolean
early_keys_for (W4TlsConn *t, const guint8 *rec, gsize len, guint8 *out, gsize cap,
                guint8 *type, gsize *plain_len)
{
  static const guint16 suites[] = { 0x1301, 0x1303, 0x1302 };
  const W4TlsSecret *s = &t->keys.secret[W4_TLS_CLIENT_EARLY_SECRET];

  for (guint i = 0; i < G_N_ELEMENTS (suites); i++) {
    const W4TlsSuite *suite = w4_tls_suite_find (suites[i]);
    W4TlsKeys *k;
    if (t->suite != NULL && suite != t->suite)
      continue;
    k = w4_tls13_keys_new (crypto_of (t->flow->dis), suite, s->bytes, s->len);
    if (k == NULL)
      continue; /* the secret's length is another hash's */
    if (w4_tls_keys_decrypt (k, rec, len, out, cap, type, plain_len) == W4_TLS_OPEN_OK) {
      t->early_keys = k;
      return TRUE;
    }
    w4_tls_keys_free (k);
  }
  return FALSE;
}

/* The held early plaintext, once the server's EncryptedExtensions are
 * read: to the inner protocol when accepted (before the server's answer
 * to it), else dropped, as the server dropped it. Past the bound, what
 * was held is followed by a loss: the inner protocol reads nothing across
 * it. */
static void
early_decided (W4TlsConn *t)
{
  t->early_decided = TRUE;
  if (t->early_plain == NULL)
    return;
  if (t->early_accepted)
    feed_inner (t, W4_DIR_TO_SERVER, t->early_plain->data, t->early_plain->len, &t->early_first);
  if (t->early_accepted && t->early_too_long) {
    dir_warn (t, W4_DIR_TO_SERVER, &t->early_first,
              "the client's TLS early data is longer than why401 holds: the rest is not read");
    if (t->inner != NULL)
      t->inner->gap (t->inner_st, W4_DIR_TO_SERVER, 0, &t->early_first);
  }
  memset (t->early_plain->data, 0, t->early_plain->len);
  g_clear_pointer (&t->early_plain, g_byte_array_unref);
}

/* TLS 1.3: is @rec one of the client's 0-RTT records, opened with the
 * key log's CLIENT_EARLY_TRAFFIC_SECRET? Its application data is held
 * (early_decided), its EndOfEarlyData ends them. A record they do not open
 * is the handshake's: FALSE, no more early records. */
static gboolean
open_early (W4TlsConn *t, W4Dir dir, const guint8 *rec, gsize len)
{
  W4TlsDir *d = &t->dir[dir];
  guint8 plain[W4_TLS13_CIPHERTEXT_MAX];
  guint8 type = 0;
  gsize n = 0;
  gboolean ok;

  if (dir != W4_DIR_TO_SERVER || t->tls12 || t->early_done || !t->hello.offers_early_data ||
      rec[0] != TLS_CT_APP_DATA || t->keys.secret[W4_TLS_CLIENT_EARLY_SECRET].len == 0 ||
      d->opened || d->stage == W4_TLS_DIR_OFF || crypto_of (t->flow->dis) == NULL)
    return FALSE;
  ok = t->early_keys != NULL
           ? w4_tls_keys_decrypt (t->early_keys, rec, len, plain, sizeof plain, &type, &n) ==
                 W4_TLS_OPEN_OK
           : early_keys_for (t, rec, len, plain, sizeof plain, &type, &n);
  if (!ok) {
    t->early_done = TRUE;
    g_clear_pointer (&t->early_keys, w4_tls_keys_free);
    return FALSE;
  }
  if (type == TLS_CT_APP_DATA && t->early_too_long) {
    /* nothing after the bound either: what is read would have a hole */
  } else if (type == TLS_CT_APP_DATA && !t->early_decided) {
    if (t->early_plain == NULL) {
      t->early_plain = g_byte_array_new ();
      t->early_first = d->first;
    }
    if (t->early_plain->len + n <= W4_TLS_EARLY_DATA_MAX) {
      g_byte_array_append (t->early_plain, plain, (guint) n);
    } else {
      /* said when the server accepts it (early_decided): before, the
       * session is not known to be decrypted, and a rejected one is lost
       * to the server too */
      t->early_too_long = TRUE;
    }
  } else if (type == TLS_CT_APP_DATA && t->early_accepted) {
    feed_inner (t, dir, plain, n, &d->first);
  } else if (type == TLS_CT_HANDSHAKE && n >= 1 && plain[0] == TLS_HS_END_OF_EARLY_DATA) {
    t->early_done = TRUE;
    g_clear_pointer (&t->early_keys, w4_tls_keys_free);
  }
  memset (plain, 0, n);
  return TRUE;
}

/* The session's first protected record was opened (@r): when it failed
 * its tag the key log's secrets are not this session's (or are damaged):
 * nothing is decrypted, on_tls says why (and no warning per connection:
 * the not-decrypted info counts them). TRUE when decryption ends here. */
static gboolean
keys_proven (W4TlsConn *t, W4TlsOpen r)
{
  t->proof_pending = FALSE;
  if (r == W4_TLS_OPEN_BAD_TAG) {
    t->key_state = W4_TLS_KEYS_WRONG;
    t->decrypting = FALSE;
    t->tls12 = FALSE;
    dir_off (t, W4_DIR_TO_SERVER);
    dir_off (t, W4_DIR_TO_CLIENT);
  }
  maybe_announce (t);
  return r == W4_TLS_OPEN_BAD_TAG;
}

/* TLS 1.0-1.2: @dir's ChangeCipherSpec. Its keys take effect with the
 * next record, sequence number 0 (RFC 5246 6.1). A second one (a
 * renegotiation: its keys come from hellos sent encrypted) stops the
 * direction. */
static void
change_cipher_spec (W4TlsConn *t, W4Dir dir)
{
  W4TlsDir *d = &t->dir[dir];

  if (d->next_keys == NULL) {
    if (d->stage == W4_TLS_DIR_APP) {
      dir_warn (t, dir, &d->first, "the TLS session was renegotiated: the direction is not decrypted further");
      dir_off (t, dir);
    }
    return;
  }
  w4_tls_keys_free (d->keys);
  d->keys = g_steal_pointer (&d->next_keys);
  d->stage = W4_TLS_DIR_APP;
}

/* TLS 1.3 handshake plaintext of @dir: its Finished moves it to the
 * traffic keys; a KeyUpdate after it to the next traffic secret, from the
 * next record on (RFC 8446 4.6.3); NewSessionTicket is ignored. */
static void
tls13_handshake (W4TlsConn *t, W4Dir dir, const guint8 *p, gsize n)
{
  W4TlsDir *d = &t->dir[dir];
  guint saw = hs_walk (d, p, n);

  if (d->stage == W4_TLS_DIR_HANDSHAKE && (saw & HS_SAW_FINISHED)) {
    w4_tls_keys_free (d->keys);
    d->keys = g_steal_pointer (&d->next_keys);
    d->stage = W4_TLS_DIR_APP;
  } else if (d->stage == W4_TLS_DIR_APP && (saw & HS_SAW_KEY_UPDATE) &&
             !w4_tls13_keys_update (crypto_of (t->flow->dis), d->keys)) {
    dir_warn (t, dir, &d->first, "a TLS KeyUpdate could not be followed: the direction is not decrypted further");
    dir_off (t, dir);
  }
}

/* One whole record of @dir (header included). */
static void
open_record (W4TlsConn *t, W4Dir dir, const guint8 *rec, gsize len)
{
  W4TlsDir *d = &t->dir[dir];
  guint8 plain[W4_TLS_CIPHERTEXT_MAX];
  guint8 type = 0;
  gsize plain_len = 0;
  W4TlsOpen r;
  guint64 seq_before;

  if (dir == W4_DIR_TO_CLIENT && !t->server_seen) {
    W4TlsServerHello sh = { 0 };

    /* read once: its version for on_tls, its suite and random for keys */
    t->version = w4_tls_server_hello (rec, len, &sh);
    start_decrypting (t, t->version, &sh);
    t->server_seen = TRUE;
    maybe_announce (t);
    return;
  }
  if (open_early (t, dir, rec, len))
    return;
  if (t->tls12 && rec[0] == TLS_CT_CCS) {
    change_cipher_spec (t, dir);
    return;
  }
  /* the hellos and ChangeCipherSpec travel unprotected; in TLS 1.3 every
   * protected record says application data outside */
  if (d->stage == W4_TLS_DIR_PLAIN || (!t->tls12 && rec[0] != TLS_CT_APP_DATA))
    return;
  seq_before = w4_tls_keys_seq (d->keys);
  r = w4_tls_keys_decrypt (d->keys, rec, len, plain, sizeof plain, &type, &plain_len);
  if (r == W4_TLS_OPEN_BAD_TAG && skip_early_record (t, dir, seq_before))
    return;
  if (t->proof_pending && keys_proven (t, r))
    return;
  if (r != W4_TLS_OPEN_OK) {
    dir_warn (t, dir, &d->first,
              r == W4_TLS_OPEN_BAD_TAG
                ? "a TLS record failed its authentication tag: the direction is not decrypted further"
                : "a TLS record could not be decrypted: the direction is not decrypted further");
    dir_off (t, dir);
    return;
  }
  if (dir == W4_DIR_TO_CLIENT && d->stage == W4_TLS_DIR_HANDSHAKE && !d->opened) {
    t->early_accepted = type == TLS_CT_HANDSHAKE && ee_accepts_early_data (plain, plain_len);
    early_decided (t);
  }
  d->opened = TRUE;
  if (type == TLS_CT_ALERT && plain_len >= 2)
    tls_alert (t, dir, plain[0], plain[1], &d->first, TRUE);
  if (dir == W4_DIR_TO_CLIENT && type == TLS_CT_APP_DATA && plain_len > 0)
    t->server_app_seen = TRUE;
  if (!t->tls12 && type == TLS_CT_HANDSHAKE)
    tls13_handshake (t, dir, plain, plain_len);
  else if (d->stage == W4_TLS_DIR_APP && type == TLS_CT_APP_DATA) {
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
    if (d->rec->len > d->rec_charged) {
      /* the buffer is reused record after record: its largest is kept */
      w4_budget_charge (t->flow->dis->limits.budget, W4_MEM_TLS, d->rec->len - d->rec_charged);
      d->rec_charged = d->rec->len;
    }
    i += take;
    if (d->rec->len < want)
      break;
    if (d->rec_need == 0) {
      gsize frag = (gsize) d->rec->data[3] << 8 | d->rec->data[4];
      gsize frag_max = t->version == 0x0304 ? W4_TLS13_CIPHERTEXT_MAX : W4_TLS_CIPHERTEXT_MAX;
      if (d->rec->data[1] != 3 || frag == 0 || frag > frag_max) {
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

  if (!t->watch[dir].done)
    watch_feed (t, dir, chunk);
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
    maybe_stop (t, dir);
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
  if (t->decided)
    maybe_stop (t, dir);
}

static void
tls_gap (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at)
{
  W4TlsConn *t = st;

  /* a record cut by a gap is never opened: the direction stops */
  if (t->dir[dir].stage != W4_TLS_DIR_OFF)
    dir_off (t, dir);
  t->watch[dir].done = TRUE; /* record boundaries are lost */
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

  /* a record the capture cut is not opened: said, not guessed at */
  if (t->dir[dir].stage != W4_TLS_DIR_OFF && t->dir[dir].rec->len > 0 && t->decrypting)
    dir_warn (t, dir, &t->dir[dir].first,
              "the capture ends inside a TLS record: what it holds is not decrypted");
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
