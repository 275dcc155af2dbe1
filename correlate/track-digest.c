/* track-digest.c: the Digest tracker. Per (client address, server, origin
 * or proxy), the last few nonces: the challenge that issued each (realm,
 * qop, algorithm), the requests that used it with their nonce counts, and
 * how the server answered them. A request with Digest credentials gets,
 * before it is remembered, the facts about its nonce (W4CorDigestFacts on
 * its exchange record), so a rule decided 30 s later sees the state as it
 * was when the request was sent.
 *
 * Nonces are kept as fingerprints, never the response value: the tracker
 * only compares. The pairs are one table under the digest-peers limit
 * (least recently seen evicted, and forgotten after W4_DIGEST_IDLE_SEC of
 * capture time); what is inside a pair is fixed-size. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"

#include <string.h>

typedef struct {
  gboolean in_use;
  char fp[24];                  /* w4_auth_fingerprint of the nonce */
  guint64 touched;              /* the pair's tick when last seen: LRU */
  guint64 challenge_frame;
  gint64 challenge_stream;
  char *realm, *qop, *algorithm; /* (owned) */
  guint64 used_frame;
  gint64 used_stream;
  guint32 ncs[W4_DIGEST_NCS_PER_NONCE];
  guint64 nc_frames[W4_DIGEST_NCS_PER_NONCE];
  gint64 nc_streams[W4_DIGEST_NCS_PER_NONCE];
  guint n_ncs, nc_pos;
  guint64 ok_frame, refused_frame;
  gint64 ok_stream, refused_stream;
} DigestNonce;

typedef struct {
  char *key;                    /* (owned) "client|server|w" or "...|p" */
  W4Time last_ts;
  GList *lru_link;              /* in W4CorDigest.lru */
  guint64 tick;
  DigestNonce nonces[W4_DIGEST_NONCES_PER_PEER];
} DigestPeer;

struct _W4CorDigest {
  GHashTable *peers;            /* key -> DigestPeer* (owned) */
  GQueue lru;                   /* DigestPeer*, least recently seen first */
};

void
w4_cor_digest_facts_free (W4CorDigestFacts *f)
{
  while (f != NULL) {
    W4CorDigestFacts *next = f->next;

    g_free (f->realm);
    g_free (f->qop);
    g_free (f->algorithm);
    g_free (f);
    f = next;
  }
}

const W4CorDigestFacts *
w4_cor_digest_facts_for (const W4CorDigestFacts *f, gboolean proxy)
{
  for (; f != NULL; f = f->next)
    if (f->proxy == proxy)
      return f;
  return NULL;
}

static void
nonce_clear (DigestNonce *n)
{
  g_free (n->realm);
  g_free (n->qop);
  g_free (n->algorithm);
  memset (n, 0, sizeof *n);
}

static void
peer_free (gpointer p)
{
  DigestPeer *peer = p;

  for (guint i = 0; i < W4_DIGEST_NONCES_PER_PEER; i++)
    nonce_clear (&peer->nonces[i]);
  g_free (peer->key);
  g_free (peer);
}

W4CorDigest *
w4_cor_digest_new (void)
{
  W4CorDigest *d = g_new0 (W4CorDigest, 1);

  d->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, peer_free);
  g_queue_init (&d->lru);
  return d;
}

void
w4_cor_digest_free (W4CorDigest *d)
{
  if (d == NULL)
    return;
  g_queue_clear (&d->lru);
  g_hash_table_unref (d->peers);
  g_free (d);
}

/* ---- the pairs: lookup, expiry, eviction --------------------------------- */

static char *
peer_key (const W4CorExchange *ex, gboolean proxy)
{
  char buf[W4_ENDPOINT_STRLEN];
  W4Endpoint client = ex->client;

  client.port = 0; /* per client address: a client opens new connections */
  return g_strdup_printf ("%s|%s|%c", w4_endpoint_format (&client, buf, sizeof buf),
                          ex->server_key, proxy ? 'p' : 'w');
}

static void
peer_drop (W4CorDigest *d, DigestPeer *peer)
{
  g_queue_delete_link (&d->lru, peer->lru_link);
  g_hash_table_remove (d->peers, peer->key);
}

/* Forgets the pairs not seen for W4_DIGEST_IDLE_SEC before @now. */
static void
expire (W4CorDigest *d, W4Time now)
{
  DigestPeer *head;

  while ((head = g_queue_peek_head (&d->lru)) != NULL &&
         w4_time_diff_usec (head->last_ts, now) > (gint64) W4_DIGEST_IDLE_SEC * G_USEC_PER_SEC)
    peer_drop (d, head);
}

/* The pair of @ex (@proxy: the proxy's), made when @create; NULL when not
 * known, or when the limit is 0. */
static DigestPeer *
peer_get (W4Correlate *cor, const W4CorExchange *ex, gboolean proxy, guint64 frame, W4Time ts,
          gboolean create)
{
  W4CorDigest *d = cor->digest;
  g_autofree char *key = peer_key (ex, proxy);
  DigestPeer *peer;

  expire (d, ts);
  peer = g_hash_table_lookup (d->peers, key);
  if (peer == NULL && create) {
    while (d->lru.length > 0 && d->lru.length >= cor->limits.v[W4_LIMIT_DIGEST_PEERS]) {
      w4_cor_note_limit (cor, W4_LIMIT_DIGEST_PEERS, frame, ts,
                         "too many Digest clients: the least recently seen one's nonces "
                         "were forgotten, so a reused nonce there is not recognised");
      peer_drop (d, g_queue_peek_head (&d->lru));
    }
    if (cor->limits.v[W4_LIMIT_DIGEST_PEERS] == 0)
      return NULL;
    peer = g_new0 (DigestPeer, 1);
    peer->key = g_steal_pointer (&key);
    g_hash_table_insert (d->peers, peer->key, peer);
    g_queue_push_tail (&d->lru, peer);
    peer->lru_link = d->lru.tail;
  }
  if (peer == NULL)
    return NULL;
  /* a capture time that steps back keeps the later one */
  if (w4_time_diff_usec (peer->last_ts, ts) > 0 || peer->tick == 0)
    peer->last_ts = ts;
  peer->tick++;
  g_queue_unlink (&d->lru, peer->lru_link);
  g_queue_push_tail_link (&d->lru, peer->lru_link);
  return peer;
}

/* The record of nonce @fp in @peer, or (when @create) a fresh one in the
 * least recently used slot. */
static DigestNonce *
nonce_get (DigestPeer *peer, const char *fp, gboolean create)
{
  DigestNonce *oldest = &peer->nonces[0];

  for (guint i = 0; i < W4_DIGEST_NONCES_PER_PEER; i++) {
    DigestNonce *n = &peer->nonces[i];

    if (n->in_use && strcmp (n->fp, fp) == 0) {
      n->touched = peer->tick;
      return n;
    }
    if (!n->in_use || (oldest->in_use && n->touched < oldest->touched))
      oldest = n;
  }
  if (!create)
    return NULL;
  nonce_clear (oldest);
  oldest->in_use = TRUE;
  g_strlcpy (oldest->fp, fp, sizeof oldest->fp);
  oldest->touched = peer->tick;
  return oldest;
}

/* ---- parameters ---------------------------------------------------------- */

static const char *
cred_param (const W4Credential *p, const char *name)
{
  for (guint i = 0; p->digest_params != NULL && i < p->digest_params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index (p->digest_params, i);
    if (strcmp (ap->name, name) == 0)
      return ap->value;
  }
  return NULL;
}

static char *
capped (const char *v)
{
  return v ? g_strndup (v, W4_DIGEST_PARAM_CHARS) : NULL;
}

/* nc: exactly 8 hex digits (RFC 7616 3.4); FALSE for anything else. */
static gboolean
parse_nc (const char *v, guint32 *out)
{
  guint32 n = 0;

  if (v == NULL || strlen (v) != 8)
    return FALSE;
  for (guint i = 0; i < 8; i++) {
    int d = g_ascii_xdigit_value (v[i]);
    if (d < 0)
      return FALSE;
    n = n << 4 | (guint32) d;
  }
  *out = n;
  return TRUE;
}

/* The parsed Digest credential of @ex in Authorization (@proxy FALSE) or
 * Proxy-Authorization, with a nonce; (transfer none) or NULL. */
static const W4Credential *
digest_cred (const W4CorExchange *ex, gboolean proxy)
{
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);

    if (c->kind == W4_SCHEME_DIGEST && c->proxy == proxy && c->parsed != NULL &&
        !c->parsed->malformed && cred_param (c->parsed, "nonce") != NULL)
      return c->parsed;
  }
  return NULL;
}

static char *
nonce_fp (const char *nonce)
{
  return w4_auth_fingerprint (nonce, strlen (nonce));
}

/* ---- requests ------------------------------------------------------------ */

static W4CorDigestFacts *
facts_of (const DigestNonce *n, gboolean proxy, gboolean has_nc, guint32 nc)
{
  W4CorDigestFacts *f = g_new0 (W4CorDigestFacts, 1);

  f->proxy = proxy;
  f->challenge_stream = f->used_stream = f->nc_stream = f->ok_stream = f->refused_stream = -1;
  if (n == NULL)
    return f;
  if (n->challenge_frame != 0) {
    f->challenge_frame = n->challenge_frame;
    f->challenge_stream = n->challenge_stream;
    f->realm = g_strdup (n->realm);
    f->qop = g_strdup (n->qop);
    f->algorithm = g_strdup (n->algorithm);
  }
  f->used_frame = n->used_frame;
  f->used_stream = n->used_stream;
  for (guint i = 0; has_nc && i < n->n_ncs; i++)
    if (n->ncs[i] == nc && n->nc_frames[i] > f->nc_frame) {
      f->nc_frame = n->nc_frames[i];
      f->nc_stream = n->nc_streams[i];
    }
  f->ok_frame = n->ok_frame;
  f->ok_stream = n->ok_stream;
  f->refused_frame = n->refused_frame;
  f->refused_stream = n->refused_stream;
  return f;
}

static void
remember_use (DigestNonce *n, const W4CorExchange *ex, gboolean has_nc, guint32 nc)
{
  n->used_frame = ex->req_frame;
  n->used_stream = ex->req_stream;
  if (!has_nc)
    return;
  n->ncs[n->nc_pos] = nc;
  n->nc_frames[n->nc_pos] = ex->req_frame;
  n->nc_streams[n->nc_pos] = ex->req_stream;
  n->nc_pos = (n->nc_pos + 1) % W4_DIGEST_NCS_PER_NONCE;
  if (n->n_ncs < W4_DIGEST_NCS_PER_NONCE)
    n->n_ncs++;
}

void
w4_cor_digest_on_request (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorDigestFacts **tail = NULL;

  /* each header's nonce on its own: the origin's and the proxy's */
  for (int proxy = 0; proxy < 2; proxy++) {
    const W4Credential *p = digest_cred (ex, proxy);
    g_autofree char *fp = NULL;
    DigestPeer *peer;
    DigestNonce *n;
    guint32 nc = 0;
    gboolean has_nc;

    if (p == NULL)
      continue;
    if (tail == NULL)
      tail = &w4_cor_track_get (ex)->digest;
    fp = nonce_fp (cred_param (p, "nonce"));
    has_nc = parse_nc (cred_param (p, "nc"), &nc);
    peer = peer_get (cor, ex, proxy, ex->req_frame, ex->req_ts, TRUE);
    n = peer ? nonce_get (peer, fp, FALSE) : NULL;
    *tail = facts_of (n, proxy, has_nc, nc);
    tail = &(*tail)->next;
    if (peer == NULL)
      continue;
    if (n == NULL)
      n = nonce_get (peer, fp, TRUE); /* seen without its challenge */
    remember_use (n, ex, has_nc, nc);
  }
}

/* ---- responses ----------------------------------------------------------- */

static void
remember_challenge (DigestPeer *peer, const W4CorExchange *ex, const W4Challenge *ch)
{
  const char *nonce = w4_auth_challenge_param (ch, "nonce");
  g_autofree char *fp = NULL;
  DigestNonce *n;

  if (nonce == NULL)
    return;
  fp = nonce_fp (nonce);
  n = nonce_get (peer, fp, TRUE);
  n->challenge_frame = ex->resp_frame;
  n->challenge_stream = ex->resp_stream;
  g_free (n->realm);
  g_free (n->qop);
  g_free (n->algorithm);
  n->realm = capped (w4_auth_challenge_param (ch, "realm"));
  n->qop = capped (w4_auth_challenge_param (ch, "qop"));
  n->algorithm = capped (w4_auth_challenge_param (ch, "algorithm"));
}

/* Does @ex's response offer a Digest challenge whose nonce is not @fp? */
static gboolean
offers_other_nonce (const W4CorExchange *ex, const char *fp)
{
  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
    const char *nonce = ch->kind == W4_SCHEME_DIGEST ? w4_auth_challenge_param (ch, "nonce")
                                                     : NULL;
    g_autofree char *other = nonce ? nonce_fp (nonce) : NULL;

    if (other != NULL && strcmp (other, fp) != 0)
      return TRUE;
  }
  return FALSE;
}

/* How the server answered the nonce the request used: a success, or a
 * failure with a new nonce (it no longer takes the old one). */
static void
remember_answer (DigestPeer *peer, const W4CorExchange *ex, const W4Credential *p,
                 gboolean proxy)
{
  g_autofree char *fp = nonce_fp (cred_param (p, "nonce"));
  DigestNonce *n = nonce_get (peer, fp, FALSE);
  guint refusal = proxy ? 407 : 401;

  if (n == NULL)
    return;
  if (ex->status == refusal) {
    if (offers_other_nonce (ex, fp) && n->refused_frame == 0) {
      n->refused_frame = ex->resp_frame;
      n->refused_stream = ex->resp_stream;
    }
  } else if (ex->status != 401 && ex->status != 407 && ex->status != 400) {
    n->ok_frame = ex->resp_frame;
    n->ok_stream = ex->resp_stream;
  }
}

void
w4_cor_digest_on_response (W4Correlate *cor, W4CorExchange *ex)
{
  gboolean proxy = ex->status == 407; /* whose challenges ex->challenges holds */
  gboolean has_challenge = w4_cor_challenge_in (ex, W4_SCHEME_DIGEST) != NULL;

  /* each side's nonce: a 407 answers the proxy's, anything else got past
   * the proxy and answers the origin's too */
  for (int side = 0; side < 2; side++) {
    gboolean side_proxy = side == 1;
    const W4Credential *p = ex->has_request ? digest_cred (ex, side_proxy) : NULL;
    gboolean challenges_here = has_challenge && side_proxy == proxy;
    DigestPeer *peer;

    if ((p == NULL || (proxy && !side_proxy)) && !challenges_here)
      continue;
    peer = peer_get (cor, ex, side_proxy, ex->resp_frame, ex->resp_ts, challenges_here);
    if (peer == NULL)
      continue;
    if (p != NULL && !(proxy && !side_proxy))
      remember_answer (peer, ex, p, side_proxy);
    for (guint i = 0; challenges_here && i < ex->challenges->len; i++) {
      const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
      if (ch->kind == W4_SCHEME_DIGEST)
        remember_challenge (peer, ex, ch);
    }
  }
}

gboolean
w4_cor_digest_nonce_expired (const W4CorExchange *ex, const W4CorCred *cred)
{
  const W4CorDigestFacts *f;
  const char *nonce;
  g_autofree char *fp = NULL;

  if (cred == NULL || cred->kind != W4_SCHEME_DIGEST || cred->parsed == NULL ||
      ex->status != (cred->proxy ? 407u : 401u))
    return FALSE;
  f = w4_cor_digest_facts_for (w4_cor_track_peek (ex)->digest, cred->proxy);
  nonce = cred_param (cred->parsed, "nonce");
  /* a replayed nc or a nonce refused before is the client's doing */
  if (f == NULL || f->ok_frame == 0 || f->nc_frame != 0 || f->refused_frame != 0 || nonce == NULL)
    return FALSE;
  fp = nonce_fp (nonce);
  return offers_other_nonce (ex, fp);
}

guint
w4_cor_digest_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->digest->peers);
}
