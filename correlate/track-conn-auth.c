/* track-conn-auth.c: which TCP connection each leg of an NTLM or
 * Negotiate handshake ran on, and whether the connection closed between a
 * server's leg and the client's answer (connection-auth-broken,
 * rule-conn-auth.c).
 *
 * NTLM and Negotiate authenticate a connection (MS-NLMP; RFC 4559 4): the
 * server keeps the handshake's state with the TCP connection, so the
 * client's type 3 must come on the connection that carried the type 2.
 * State, all bounded:
 *  - per connection, the server leg that awaits the client's answer
 *    (removed at the answer or at the close: as many as live connections);
 *  - per (client address, server), the recent server legs (at most
 *    W4_CA_LEGS_PER_PAIR), so an answer on another connection finds the
 *    leg it answers. Pairs are kept in last-use order, expire
 *    W4_CA_HANDSHAKE_SEC of capture time after their last leg, and past
 *    the conn-auth limit the least recently used is dropped and counted.
 * Conclusions are written into the legs themselves, which the exchanges
 * that carried them hold: the rule reads them from the exchange. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-conn-auth.h"

#include <string.h>

#include "w4-token.h"

typedef struct {
  char *key;               /* (owned) "client address|server ip:port" */
  GList link;              /* in W4CorCaTracker.lru; data = this pair */
  W4Time last_ts;
  W4CorCaLeg *legs[W4_CA_LEGS_PER_PAIR]; /* (ref each) oldest first */
  guint n;
} W4CaPair;

struct W4CorCaTracker {
  GHashTable *pairs;       /* key -> W4CaPair* (owned) */
  GQueue lru;              /* W4CaPair, least recently used first */
  GHashTable *conns;       /* guint64* conn_id -> W4CorCaLeg* (ref): awaiting the answer */
};

static void
leg_clear (gpointer p)
{
  W4CorCaLeg *leg = p;

  g_free (leg->next_user);
}

static void
leg_unref (gpointer p)
{
  if (p != NULL)
    g_rc_box_release_full (p, leg_clear);
}

static void
pair_free (gpointer p)
{
  W4CaPair *pair = p;

  for (guint i = 0; i < pair->n; i++)
    leg_unref (pair->legs[i]);
  g_free (pair->key);
  g_free (pair);
}

W4CorCaTracker *
w4_cor_ca_new (void)
{
  W4CorCaTracker *t = g_new0 (W4CorCaTracker, 1);

  t->pairs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pair_free);
  g_queue_init (&t->lru);
  /* keys point into the legs, which the table's values keep alive */
  t->conns = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, leg_unref);
  return t;
}

void
w4_cor_ca_free (W4CorCaTracker *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref (t->conns);
  g_queue_init (&t->lru); /* its links live in the pairs */
  g_hash_table_unref (t->pairs);
  g_free (t);
}

void
w4_cor_ca_exchange_clear (W4CorExchange *ex)
{
  if (ex->track == NULL)
    return;
  leg_unref (g_steal_pointer (&ex->track->ca_leg));
  leg_unref (g_steal_pointer (&ex->track->ca_prev));
}

/* ---- pairs --------------------------------------------------------------- */

static char *
pair_key (const W4CorExchange *ex)
{
  char buf[W4_ENDPOINT_STRLEN];

  return g_strconcat (w4_addr_format (&ex->client.addr, buf, sizeof buf), "|", ex->server_key,
                      NULL);
}

static void
pair_drop (W4CorCaTracker *t, W4CaPair *pair)
{
  g_queue_unlink (&t->lru, &pair->link);
  g_hash_table_remove (t->pairs, pair->key);
}

static W4CaPair *
pair_peek (W4CorCaTracker *t, const W4CorExchange *ex)
{
  g_autofree char *key = pair_key (ex);

  return g_hash_table_lookup (t->pairs, key);
}

/* The pair of @ex's client and server, made when there is none; past the
 * conn-auth limit the least recently used pair makes room. */
static W4CaPair *
pair_get (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorCaTracker *t = cor->conn_auth;
  W4CaPair *pair = pair_peek (t, ex);

  if (pair == NULL) {
    if (cor->limits.v[W4_LIMIT_CONN_AUTH] == 0) {
      w4_cor_note_limit (cor, W4_LIMIT_CONN_AUTH, ex->resp_frame, ex->resp_ts, NULL);
      return NULL;
    }
    while (g_hash_table_size (t->pairs) >= cor->limits.v[W4_LIMIT_CONN_AUTH]) {
      w4_cor_note_limit (cor, W4_LIMIT_CONN_AUTH, ex->resp_frame, ex->resp_ts, NULL);
      pair_drop (t, g_queue_peek_head (&t->lru));
    }
    pair = g_new0 (W4CaPair, 1);
    pair->key = pair_key (ex);
    pair->link.data = pair;
    g_hash_table_insert (t->pairs, pair->key, pair);
  } else {
    g_queue_unlink (&t->lru, &pair->link);
  }
  g_queue_push_tail_link (&t->lru, &pair->link);
  return pair;
}

/* Keeps @leg (a new ref) among @pair's recent legs: answered ones make
 * room first, then the oldest (counted: its answer could no longer be
 * matched). */
static void
pair_add_leg (W4Correlate *cor, W4CaPair *pair, W4CorCaLeg *leg)
{
  guint kept = 0;

  for (guint i = 0; i < pair->n; i++) {
    W4CorCaLeg *l = pair->legs[i];
    if (l->answered_here || l->answered_elsewhere)
      leg_unref (l);
    else
      pair->legs[kept++] = l;
  }
  pair->n = kept;
  if (pair->n == W4_CA_LEGS_PER_PAIR) {
    w4_cor_note_limit (cor, W4_LIMIT_CONN_AUTH, leg->frame, leg->ts,
                       "too many NTLM/Negotiate handshakes at once between one client and "
                       "server: the oldest was forgotten");
    leg_unref (pair->legs[0]);
    memmove (pair->legs, pair->legs + 1, (pair->n - 1) * sizeof pair->legs[0]);
    pair->n--;
  }
  pair->legs[pair->n++] = g_rc_box_acquire (leg);
  pair->last_ts = leg->ts;
}

guint
w4_cor_ca_on_time (W4Correlate *cor, W4Time now)
{
  W4CorCaTracker *t = cor->conn_auth;
  W4CaPair *pair;
  guint dropped = 0;

  /* called for every frame: most captures have no NTLM or Negotiate
   * handshake in flight */
  if (t->lru.length == 0)
    return 0;
  while ((pair = g_queue_peek_head (&t->lru)) != NULL &&
         w4_time_diff_usec (pair->last_ts, now) > (gint64) W4_CA_HANDSHAKE_SEC * G_USEC_PER_SEC) {
    pair_drop (t, pair);
    dropped++;
  }
  return dropped;
}

/* ---- the legs ------------------------------------------------------------ */

/* The NTLM or Negotiate credential @ex's request carried, or NULL. */
static const W4Credential *
conn_auth_cred (const W4CorExchange *ex)
{
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);
    const W4Credential *p = c->parsed;

    if (p != NULL && !p->malformed &&
        (p->kind == W4_SCHEME_NTLM || p->kind == W4_SCHEME_NEGOTIATE))
      return p;
  }
  return NULL;
}

static gboolean
is_ntlm (const W4Credential *p)
{
  return p->kind == W4_SCHEME_NTLM || p->negotiate_is_ntlm;
}

/* The newest leg of @pair in @scheme, on another connection than
 * @conn_id, that no client leg has answered yet; or NULL. */
static W4CorCaLeg *
unanswered_elsewhere (W4CaPair *pair, W4Scheme scheme, guint64 conn_id)
{
  for (guint i = pair->n; i-- > 0;) {
    W4CorCaLeg *l = pair->legs[i];

    if (l->scheme == scheme && l->conn_id != conn_id && !l->answered_here &&
        !l->answered_elsewhere)
      return l;
  }
  return NULL;
}

void
w4_cor_ca_on_request (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorCaTracker *t = cor->conn_auth;
  const W4Credential *p = conn_auth_cred (ex);
  W4CorCaLeg *waiting, *leg;
  W4CaPair *pair;

  if (p == NULL)
    return;
  waiting = g_hash_table_lookup (t->conns, &ex->conn_id);
  if (waiting != NULL) {
    /* the answer (or a new first leg) on the leg's own connection */
    waiting->answered_here = TRUE;
    waiting->closed = FALSE; /* whatever the response said, it stayed open */
    g_hash_table_remove (t->conns, &ex->conn_id);
    return;
  }
  /* An NTLM type 1 starts a handshake; a Negotiate token is a later leg
   * only when a server leg awaits one. */
  if (is_ntlm (p) && p->ntlm_type != 3)
    return;
  if ((pair = pair_peek (t, ex)) == NULL ||
      (leg = unanswered_elsewhere (pair, p->kind, ex->conn_id)) == NULL)
    return;
  leg->answered_elsewhere = TRUE;
  leg->next_ntlm_type = is_ntlm (p) ? p->ntlm_type : 0;
  leg->next_frame = ex->req_frame;
  leg->next_stream = ex->req_stream;
  leg->next_user = g_strdup (p->ntlm_user);
  w4_cor_track_get (ex)->ca_prev = g_rc_box_acquire (leg);
}

/* The NTLM message type inside a challenge's base64 token, 0 when it is
 * not NTLMSSP (a SPNEGO wrapper is searched for one). */
static guint
token_ntlm_type (const char *token68)
{
  gsize n = 0;
  g_autofree guint8 *raw = w4_b64_decode_strict (token68, strlen (token68), &n);
  guint type = 0;
  g_autofree char *user = NULL;
  gssize at;

  if (raw == NULL || (at = w4_ntlm_find (raw, n)) < 0)
    return 0;
  w4_ntlm_parse (raw + at, n - (gsize) at, &type, &user);
  return type;
}

/* A server leg in @ex's response that expects a further client leg: an
 * NTLM type 2, or a Negotiate token answering a Negotiate request. */
static gboolean
server_leg (const W4CorExchange *ex, W4Scheme *scheme, guint *ntlm_type)
{
  const W4Credential *p = conn_auth_cred (ex);

  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);

    if (ch->token68 == NULL ||
        (ch->kind != W4_SCHEME_NTLM && ch->kind != W4_SCHEME_NEGOTIATE))
      continue;
    *scheme = ch->kind;
    *ntlm_type = token_ntlm_type (ch->token68);
    if (*ntlm_type == 2 ||
        (ch->kind == W4_SCHEME_NEGOTIATE && *ntlm_type == 0 && p != NULL &&
         p->kind == W4_SCHEME_NEGOTIATE && w4_cor_negotiate_continues (ch)))
      return TRUE;
  }
  return FALSE;
}

/* "Connection: close" among the response's fields. */
static gboolean
says_close (const W4HttpHead *resp)
{
  for (guint i = 0; i < resp->n_headers; i++) {
    const W4Header *h = &resp->headers[i];
    W4Tok tok;

    if (!w4_tok_span_ieq ((const char *) h->name.ptr, h->name.len, "Connection"))
      continue;
    tok = w4_tok_init ((const char *) h->value.ptr, h->value.len);
    while (!w4_tok_eof (&tok)) {
      gsize start, len;

      w4_tok_skip_ows (&tok);
      start = tok.off;
      len = w4_tok_token (&tok);
      if (len == 0 && !w4_tok_eof (&tok))
        tok.off++; /* not a token: step over it */
      else if (w4_tok_span_ieq (tok.p + start, len, "close"))
        return TRUE;
      w4_tok_list_sep (&tok);
    }
  }
  return FALSE;
}

void
w4_cor_ca_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp)
{
  W4CorCaTracker *t = cor->conn_auth;
  W4Scheme scheme;
  guint type = 0;
  W4CorCaLeg *leg;
  W4CaPair *pair;

  if ((ex->status != 401 && ex->status != 407) || ex->h2 || !server_leg (ex, &scheme, &type))
    return;
  leg = g_rc_box_new0 (W4CorCaLeg);
  leg->scheme = scheme;
  leg->ntlm_type = type;
  leg->status = ex->status;
  leg->conn_id = ex->conn_id;
  leg->stream = ex->resp_stream;
  leg->frame = ex->resp_frame;
  leg->ts = ex->resp_ts;
  leg->close_header = says_close (resp);
  leg->closed = leg->close_header;
  w4_cor_track_get (ex)->ca_leg = leg;
  if ((pair = pair_get (cor, ex)) != NULL)
    pair_add_leg (cor, pair, leg);
  g_hash_table_replace (t->conns, &leg->conn_id, g_rc_box_acquire (leg));
}

void
w4_cor_ca_on_conn_close (W4Correlate *cor, const W4ConnInfo *conn, W4CloseReason why,
                         guint64 frame)
{
  W4CorCaTracker *t = cor->conn_auth;
  W4CorCaLeg *leg = g_hash_table_lookup (t->conns, &conn->conn_id);

  if (leg == NULL)
    return;
  /* The end of the capture or an evicted state says nothing about the
   * connection itself. */
  if (why == W4_CLOSE_FIN || why == W4_CLOSE_RST || why == W4_CLOSE_REUSED) {
    leg->closed = TRUE;
    leg->close_frame = frame;
  }
  g_hash_table_remove (t->conns, &conn->conn_id);
}

/* ---- HTTP/2: a reset that asks for HTTP/1.1 ------------------------------ */

gboolean
w4_cor_ca_challenges (const W4CorExchange *ex)
{
  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
    if (ch->kind == W4_SCHEME_NTLM || ch->kind == W4_SCHEME_NEGOTIATE)
      return TRUE;
  }
  return FALSE;
}

/* IIS answers a request that needs connection-bound authentication over
 * HTTP/2 with RST_STREAM HTTP_1_1_REQUIRED (RFC 9113 7, 0xd): HTTP/2
 * multiplexes streams over the connection that NTLM and Negotiate would
 * authenticate. The challenge before it is the failed response the
 * finding explains (the reset request has no response of its own). */
void
w4_cor_ca_on_h2_reset (W4CorExchange *challenge, const W4CorExchange *reset_req,
                       const W4H2Reset *rst, gint64 tcp_stream)
{
  W4CorTrackFacts *t = w4_cor_track_get (challenge);

  if (t->h2_reset_frame != 0)
    return;
  t->h2_reset_frame = rst->frame;
  t->h2_reset_tcp_stream = tcp_stream;
  t->h2_reset_stream = rst->h2_stream;
  t->h2_reset_req_frame = reset_req != NULL && reset_req->has_request ? reset_req->req_frame : 0;
}

guint
w4_cor_ca_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->conn_auth->pairs) + g_hash_table_size (cor->conn_auth->conns);
}
