/* correlate.c: from HTTP messages to decided findings.
 *
 * What it does
 *  - Pairs responses with requests: HTTP/1 first in, first out per
 *    connection (interim 1xx responses consume nothing), HTTP/2 by stream
 *    id. A failed response whose request was not captured still becomes an
 *    exchange, with the request side empty.
 *  - Copies out of each message only what the rules need (W4CorExchange):
 *    method, target, Host, the parsed credentials with their fingerprints,
 *    cookie names, the challenges of the header the status names, frames,
 *    times, and for a 401/407/403 the server's own words from its body.
 *  - Keeps two kinds of state, both bounded:
 *    * a time window of exchanges per client IP address (the contract's
 *      client), for the handshake check's 30 s look-ahead: the same client
 *      retrying the same method and target on any connection. Exchanges
 *      leave the window as soon as no undecided failure's look-ahead can
 *      return them (window_compact), at the latest W4_COR_WINDOW_SEC after
 *      they arrived, or oldest first when W4_LIMIT_EXCHANGES or
 *      W4_LIMIT_CLIENTS is reached or the budget is over (evict_state);
 *    * what repeats is shared, not copied: interned strings, credentials
 *      and challenge sets parsed once per header value;
 *    * flat aggregates over the whole capture: per (server, credential)
 *      first/last success and counts, per server its principals and
 *      totals. These answer "ever succeeded", "succeeded before/after"
 *      without keeping exchanges, so memory stays flat in capture length.
 *  - Timing (FINDINGS "When a finding is decided"): a failed response is
 *    decided once 30 s of capture time passed after its header block
 *    completed (w4_cor_time), or at w4_cor_finish. Findings leave in the
 *    order of their response's first frame (then arrival within the frame):
 *    a decided finding waits only for undecided ones earlier in that order.
 *  - Risks and infos need counts over the whole capture (count, first
 *    frame), so they are decided at the end, after the last failures.
 *
 * The cause table is causes.c; decide.c asks its rules (rule-*.c) and
 * writes a failure's texts with them, risk.c the risks' and infos'.
 *
 * Deliberately ignored: request bodies (credentials in a POSTed form are
 * not HTTP authentication), and seq numbers for pairing (FIFO is what
 * HTTP/1 guarantees; seq only matches a body to its head). */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"
#include "rule.h"
#include "track-conn-auth.h"
#include "track-csrf.h"
#include "track-redirect.h"
#include "track-cookie-jar.h"
#include "track-proxy.h"
#include "track-header.h"
#include "track-clock.h"
#include "track-credential.h"

#include <string.h>

#include "w4-token.h"

/* ---- summary ------------------------------------------------------------- */

void
w4_server_stat_free (gpointer p)
{
  W4ServerStat *s = p;

  g_free (s->server);
  g_free (s->tunnel);
  g_free (s->host);
  g_free (s->schemes);
  if (s->tls_alerts != NULL)
    g_array_unref (s->tls_alerts);
  g_free (s);
}

void
w4_principal_stat_free (gpointer p)
{
  W4PrincipalStat *s = p;

  g_free (s->principal);
  g_free (s->specific_server);
  g_free (s->specific_other);
  g_free (s);
}

void
w4_summary_free (W4Summary *s)
{
  if (s == NULL)
    return;
  if (s->by_server)
    g_ptr_array_unref (s->by_server);
  if (s->by_principal)
    g_ptr_array_unref (s->by_principal);
  if (s->warnings)
    g_ptr_array_unref (s->warnings);
  g_free (s);
}

/* ---- exchanges, connections, clients ------------------------------------ */

typedef struct {
  guint64 conn_id;
  W4Endpoint client, server;
  gboolean tls_undecrypted; /* on_tls: TLS that was not decrypted */
  gboolean tls_decrypted;   /* on_tls: decrypted TLS (its HTTP's findings name c->sni) */
  gboolean offers_h2;       /* ...whose ClientHello offered ALPN h2 */
  W4TlsKeyState tls_keys;   /* ...and why it was not decrypted */
  char *sni;                /* (owned) ...and named this server, or NULL */
  char *tunnel_to;          /* (owned) ...through a CONNECT tunnel to this target, or NULL */
  gboolean h2_unparsed;     /* on_h2: HTTP/2 that dissect does not parse */
  guint64 open_frame;
  W4Time open_ts;
  GQueue pending;          /* HTTP/1 requests awaiting a response (ref each) */
  GHashTable *h2_pending;  /* h2 stream id -> W4CorExchange (ref) */
  GQueue body_wait;        /* failed exchanges awaiting their body (ref each) */
  guint64 unparsed_frame;  /* a request here could not be parsed (its frame), 0: none */
  char *unparsed_why;      /* (owned) */
  /* (ref) the last failed HTTP/2 response here that offered NTLM or
   * Negotiate, for a reset asking for HTTP/1.1 after it, or NULL */
  W4CorExchange *ca_challenge;
} W4CorConn;

/* ---- interned strings ---------------------------------------------------- */

/* Servers, methods, targets, hosts and credentials repeat from exchange
 * to exchange: each record holds a reference to one shared copy (a
 * GRefString from GLib's intern table, gone with its last reference),
 * not a copy of its own. Release with unintern (). */
static char *
intern (const char *s)
{
  return s != NULL ? g_ref_string_new_intern (s) : NULL;
}

/* ...of @len bytes at @p, which need not end in a NUL: a longer one than
 * a stack buffer holds is rare (a long target) and kept unshared. */
static char *
intern_len (const char *p, gsize len)
{
  char buf[W4_COR_INTERN_MAX];

  if (len >= sizeof buf)
    return g_ref_string_new_len (p, (gssize) len);
  memcpy (buf, p, len);
  buf[len] = '\0';
  return g_ref_string_new_intern (buf);
}

/* ...and frees @s (transfer full). */
static char *
intern_take (char *s)
{
  char *r = intern (s);

  g_free (s);
  return r;
}

static void
unintern (char *s)
{
  if (s != NULL)
    g_ref_string_release (s);
}

static void
last_group_clear (W4CorLastGroup *last)
{
  unintern (last->a);
  unintern (last->b);
  memset (last, 0, sizeof *last);
}

/* Remembers @group (in a table that keeps it until the end or until the
 * budget evicts it: evict_accs clears the cache then) as the last one
 * found, for @client and the interned strings @a and @b (NULL: none),
 * whose references it takes. */
static void
last_group_set (W4CorLastGroup *last, gpointer group, const W4Addr *client, W4Scheme kind,
                const char *a, const char *b)
{
  /* (the new references first: they may be the strings it drops) */
  char *ra = a != NULL ? g_ref_string_acquire ((char *) a) : NULL;
  char *rb = b != NULL ? g_ref_string_acquire ((char *) b) : NULL;

  last_group_clear (last);
  last->group = group;
  last->client = *client;
  last->kind = kind;
  last->a = ra;
  last->b = rb;
}

/* ---- table keys ---------------------------------------------------------- */

/* A key up to this long is built on the stack (a longer one, rare: a long
 * tunnel target or header value, is allocated). */
#define W4_COR_KEY_STACK 1024

/* A string key of a table, joined from parts: g_strdup_printf took a
 * tenth of a request's instructions for what is a few copies. */
typedef struct {
  char *str;               /* @buf, or (owned) an allocation */
  char buf[W4_COR_KEY_STACK];
} W4CorKey;

/* A string (NULL: empty) as a part of a key. */
static W4Span
key_str (const char *s)
{
  return w4_span (s, s != NULL ? strlen (s) : 0);
}

/* Sets @k to the @n @parts one after another (no NULs inside: the
 * callers check), and returns it. */
static const char *
key_join (W4CorKey *k, const W4Span *parts, guint n)
{
  gsize total = 0;
  char *p;

  for (guint i = 0; i < n; i++)
    total += parts[i].len;
  k->str = total < sizeof k->buf ? k->buf : g_malloc (total + 1);
  p = k->str;
  for (guint i = 0; i < n; i++) {
    if (parts[i].len > 0)
      memcpy (p, parts[i].ptr, parts[i].len);
    p += parts[i].len;
  }
  *p = '\0';
  return k->str;
}

/* Joins the strings (NULL: empty) @a, @sep, @b, @sep, @c into @k; @c may
 * be omitted (NULL, with its separator). */
static const char *
key_join3 (W4CorKey *k, const char *a, const char *sep, const char *b, const char *c)
{
  W4Span parts[] = { key_str (a), key_str (sep), key_str (b), key_str (c != NULL ? sep : NULL),
                     key_str (c) };

  return key_join (k, parts, G_N_ELEMENTS (parts));
}

/* The key of @k as an allocation of its own (transfer full); @k is
 * cleared. */
static char *
key_take (W4CorKey *k)
{
  char *s = k->str == k->buf ? g_strdup (k->buf) : k->str;

  k->str = NULL;
  return s;
}

static void
key_clear (W4CorKey *k)
{
  if (k->str != k->buf)
    g_free (k->str);
  k->str = NULL;
}

/* A string hash eight bytes at a time (FxHash's step), for the shared
 * credential and challenge caches, whose keys carry a whole header value:
 * g_str_hash takes a step per byte. Only for tables that are not walked
 * for output (their order follows the hash). */
static guint
key_hash (gconstpointer p)
{
  const char *s = p;
  gsize n = strlen (s);
  guint64 h = n, w;

  for (; n >= sizeof w; n -= sizeof w, s += sizeof w) {
    memcpy (&w, s, sizeof w);
    h = ((h << 5 | h >> 59) ^ w) * G_GUINT64_CONSTANT (0x517cc1b727220a95);
  }
  if (n > 0) {
    w = 0;
    memcpy (&w, s, n);
    h = ((h << 5 | h >> 59) ^ w) * G_GUINT64_CONSTANT (0x517cc1b727220a95);
  }
  return (guint) (h ^ h >> 32);
}

static void
challenge_set_unref (W4CorChallengeSet *set)
{
  if (--set->refs > 0)
    return;
  if (set->cache != NULL)
    g_hash_table_remove (set->cache, set->key);
  g_free (set->key);
  g_ptr_array_unref (set->list);
  g_free (set);
}

static void
cor_cred_unref (gpointer p)
{
  W4CorCred *c = p;

  if (--c->refs > 0)
    return;
  if (c->cache != NULL)
    g_hash_table_remove (c->cache, c->cache_key);
  g_free (c->cache_key);
  w4_auth_credential_free (c->parsed);
  w4_jwt_free (c->jwt);
  unintern (c->name);
  unintern (c->fingerprint);
  unintern (c->principal);
  unintern (c->agg_key);
  g_free (c);
}

/* ---- the memory budget --------------------------------------------------- */

/* What one record of a table holds beside its struct (key, strings, hash
 * table slot), roughly: the budget wants consistent, not exact, figures. */
#define W4_COR_EST_RECORD 64
/* What a tracker's record holds, all told. */
#define W4_COR_EST_TRACKER_RECORD 192
/* What a shared credential or challenge set holds (its parse, strings and
 * cache key). */
#define W4_COR_EST_SHARED_CRED 384
/* What one parsed challenge holds (its words and a few parameters). */
#define W4_COR_EST_CHALLENGE 128

static guint64
str_bytes (const char *s)
{
  return s != NULL ? strlen (s) + 1 : 0;
}

static guint64
cred_bytes (const W4CorCred *c)
{
  guint64 n = sizeof *c + str_bytes (c->name) + str_bytes (c->fingerprint) +
              str_bytes (c->principal) + str_bytes (c->agg_key);

  if (c->parsed != NULL)
    n += sizeof *c->parsed + str_bytes (c->parsed->scheme) + str_bytes (c->parsed->fingerprint) +
         str_bytes (c->parsed->principal) + str_bytes (c->parsed->basic_user) +
         str_bytes (c->parsed->basic_password) + (c->parsed->jwt != NULL ? W4_COR_EST_RECORD : 0);
  if (c->jwt != NULL)
    n += W4_COR_EST_RECORD;
  return n;
}

/* What @ex holds: its record, strings, credentials, challenges. */
static guint64
exchange_bytes (const W4CorExchange *ex)
{
  guint64 n = sizeof *ex + str_bytes (ex->server_key) + str_bytes (ex->tunnel_to) +
              str_bytes (ex->sni) + str_bytes (ex->method) + str_bytes (ex->target) +
              str_bytes (ex->host) + str_bytes (ex->cookie_names) +
              str_bytes (ex->unparsed_req_why) + str_bytes (ex->challenge_text) +
              str_bytes (ex->content_type) + str_bytes (ex->server_message);

  if (ex->creds != NULL) {
    n += sizeof (GPtrArray) + ex->creds->len * sizeof (gpointer);
    for (guint i = 0; i < ex->creds->len; i++) {
      const W4CorCred *c = g_ptr_array_index (ex->creds, i);
      /* a shared one is charged once, with the cache (budget_sync) */
      n += c->cache != NULL ? 0 : cred_bytes (c);
    }
  }
  /* a shared set is charged once, with the cache (budget_sync) */
  if (ex->challenges != NULL && ex->chset == NULL)
    n += sizeof (GPtrArray) + ex->challenges->len * (sizeof (gpointer) + W4_COR_EST_CHALLENGE);
  if (ex->track != NULL)
    n += sizeof *ex->track + W4_COR_EST_TRACKER_RECORD;
  return n;
}

/* Charges @ex's budget what @ex holds now (it grows as its request, its
 * response and its body are read); w4_cor_exchange_unref releases it. */
static void
exchange_recharge (W4CorExchange *ex)
{
  guint64 now = MIN (exchange_bytes (ex), G_MAXUINT32);

  if (now > ex->charged)
    w4_budget_charge (ex->budget, W4_MEM_EXCHANGES, now - ex->charged);
  else
    w4_budget_release (ex->budget, W4_MEM_EXCHANGES, ex->charged - now);
  ex->charged = (guint32) now;
}

/* The server name a decrypted TLS session on @conn asked for, or NULL. */
static char *
exchange_sni (W4Correlate *cor, const W4ConnInfo *conn)
{
  const W4CorConn *c = g_hash_table_lookup (cor->conns, &conn->conn_id);

  return c != NULL && c->tls_decrypted ? intern (c->sni) : NULL;
}

static W4CorExchange *
exchange_new (W4Correlate *cor, const W4ConnInfo *conn)
{
  W4CorExchange *ex = g_new0 (W4CorExchange, 1);
  char buf[W4_ENDPOINT_STRLEN];

  ex->refs = 1;
  ex->budget = cor->limits.budget;
  ex->arrival = cor->arrival_counter++;
  ex->conn_id = conn->conn_id;
  ex->req_stream = ex->resp_stream = -1;
  ex->client = conn->client;
  ex->server = conn->server;
  w4_endpoint_format (&conn->server, buf, sizeof buf);
  ex->tunnel_to = intern (w4_conn_tunnel_to (conn));
  ex->server_key = intern_take (w4_cor_server_key (buf, ex->tunnel_to));
  ex->tls = w4_conn_over_tls (conn) != FALSE;
  ex->sni = exchange_sni (cor, conn);
  ex->creds = g_ptr_array_new_with_free_func (cor_cred_unref);
  exchange_recharge (ex);
  return ex;
}

static W4CorExchange *
exchange_ref (W4CorExchange *ex)
{
  ex->refs++;
  return ex;
}

void
w4_cor_exchange_unref (W4CorExchange *ex)
{
  if (ex == NULL || --ex->refs > 0)
    return;
  w4_budget_release (ex->budget, W4_MEM_EXCHANGES, ex->charged);
  unintern (ex->server_key);
  unintern (ex->tunnel_to);
  unintern (ex->method);
  unintern (ex->target);
  unintern (ex->host);
  unintern (ex->sni);
  g_ptr_array_unref (ex->creds);
  g_free (ex->cookie_names);
  if (ex->chset != NULL)
    challenge_set_unref (ex->chset);
  else if (ex->challenges != NULL)
    g_ptr_array_unref (ex->challenges);
  unintern (ex->challenge_text);
  unintern (ex->content_type);
  g_free (ex->server_message);
  g_free (ex->unparsed_req_why);
  w4_finding_free (ex->finding);
  if (ex->track != NULL) {
    w4_cor_cookie_check_free (ex->track->cookie_check);
    w4_cor_redirect_link_free (ex->track->redirect);
    w4_cor_digest_facts_free (ex->track->digest);
    w4_cor_ca_exchange_clear (ex);
    w4_cor_proxy_exchange_clear (ex);
    w4_cor_header_facts_free (ex->track->header);
    g_free (ex->track);
  }
  g_free (ex);
}

static void
exchange_unref_cb (gpointer p)
{
  w4_cor_exchange_unref (p);
}

static void
conn_free (gpointer p)
{
  W4CorConn *c = p;

  g_queue_clear_full (&c->pending, exchange_unref_cb);
  g_queue_clear_full (&c->body_wait, exchange_unref_cb);
  g_hash_table_unref (c->h2_pending);
  if (c->ca_challenge != NULL)
    w4_cor_exchange_unref (c->ca_challenge);
  g_free (c->unparsed_why);
  g_free (c->sni);
  g_free (c->tunnel_to);
  g_free (c);
}

static void
client_free (gpointer p)
{
  W4CorClient *c = p;

  /* the exchanges hold the links: the list owns nothing */
  g_free (c);
}

static guint
addr_hash_cb (gconstpointer p)
{
  return w4_addr_hash (p);
}

static gboolean
addr_equal_cb (gconstpointer a, gconstpointer b)
{
  return w4_addr_equal (a, b);
}

static void
risk_acc_clear (W4CorRiskAcc *a)
{
  g_free (a->client);
  g_free (a->server);
  g_free (a->tunnel_to);
  g_free (a->method);
  g_free (a->uri);
  g_free (a->host);
  g_free (a->principal);
  g_free (a->scheme);
  g_free (a->header);
  g_free (a->sni);
}

static void
risk_acc_free (gpointer p)
{
  risk_acc_clear (p);
  g_free (p);
}

static void
storm_free (gpointer p)
{
  W4CorStorm *s = p;

  risk_acc_clear (&s->acc);
  g_free (s);
}

static void
server_free (gpointer p)
{
  W4CorServer *s = p;

  g_free (s->key);
  g_free (s->endpoint);
  g_free (s->tunnel_to);
  for (guint i = 0; i < W4_COR_HOSTS_PER_SERVER; i++)
    unintern (s->hosts[i]);
  g_free (s->other_scheme);
  g_hash_table_unref (s->principals);
  g_free (s);
}

static gint
order_cmp (gconstpointer a, gconstpointer b, gpointer user)
{
  const W4CorExchange *x = a, *y = b;

  if (x->resp_frame != y->resp_frame)
    return x->resp_frame < y->resp_frame ? -1 : 1;
  if (x->arrival != y->arrival)
    return x->arrival < y->arrival ? -1 : 1;
  return 0;
}

/* Adds the failed @ex (transfer full) to the response order: at the tail of
 * the list when it comes after the tail (a list link inside the record, no
 * node), else into the sequence. */
static void
order_add (W4Correlate *cor, W4CorExchange *ex)
{
  if (cor->in_order_tail == NULL) {
    cor->in_order_head = cor->in_order_tail = ex;
  } else if (order_cmp (cor->in_order_tail, ex, NULL) < 0) {
    cor->in_order_tail->order_next = ex;
    cor->in_order_tail = ex;
  } else {
    g_sequence_insert_sorted (cor->order, ex, order_cmp, NULL);
  }
}

/* The failures awaiting their decision, oldest first: @ex (transfer full)
 * joins at the tail. */
static void
due_push (W4Correlate *cor, W4CorExchange *ex)
{
  ex->due_next = NULL;
  if (cor->due_tail != NULL)
    cor->due_tail->due_next = ex;
  else
    cor->due_head = ex;
  cor->due_tail = ex;
  cor->due_len++;
}

/* (transfer full) the oldest undecided failure, taken out, or NULL. Its
 * link is cleared: the field becomes its finding. */
static W4CorExchange *
due_pop (W4Correlate *cor)
{
  W4CorExchange *ex = cor->due_head;

  if (ex == NULL)
    return NULL;
  cor->due_head = ex->due_next;
  if (cor->due_head == NULL)
    cor->due_tail = NULL;
  ex->due_next = NULL;
  cor->due_len--;
  return ex;
}

/* ---- the memory budget: tables charged by their sizes --------------------- */

/* Charges (or releases) the difference between @want and what *@charged
 * says was charged as @kind. */
static void
charge_to (W4Budget *b, W4MemKind kind, guint64 *charged, guint64 want)
{
  if (want > *charged)
    w4_budget_charge (b, kind, want - *charged);
  else
    w4_budget_release (b, kind, *charged - want);
  *charged = want;
}

/* The connections, aggregates and trackers, charged at a fixed size per
 * record from their tables' sizes: called as time passes and at the end,
 * so that the budget follows them without a charge in every code path
 * that adds or drops a record. */
static void
budget_sync (W4Correlate *cor)
{
  W4Budget *b = cor->limits.budget;
  guint64 accs, aggs, trackers;

  if (b == NULL)
    return;
  /* This runs for every frame, most of which change no table: only an
   * event, what w4_cor_time did, or evictors (the budget counts their
   * runs) can have changed the sizes read here. */
  if (!cor->budget_stale && b->enforcements == cor->budget_enforcements)
    return;
  cor->budget_stale = FALSE;
  cor->budget_enforcements = b->enforcements;
  charge_to (b, W4_MEM_CLIENTS, &cor->charged_conns,
             (guint64) g_hash_table_size (cor->conns) * (sizeof (W4CorConn) + W4_COR_EST_RECORD));
  accs = (guint64) g_hash_table_size (cor->gaps) +
         g_hash_table_size (cor->undecrypted) + g_hash_table_size (cor->unparsed);
  aggs = accs * (sizeof (W4CorRiskAcc) + W4_COR_EST_RECORD) +
         (guint64) g_hash_table_size (cor->servers) * (sizeof (W4CorServer) + W4_COR_EST_RECORD) +
         cor->server_principals * (sizeof (W4CorPrincipalAgg) + W4_COR_EST_RECORD) +
         (guint64) g_hash_table_size (cor->cred_cache) * W4_COR_EST_SHARED_CRED +
         (guint64) g_hash_table_size (cor->challenge_cache) * W4_COR_EST_SHARED_CRED;
  charge_to (b, W4_MEM_AGGREGATES, &cor->charged_aggregates, aggs);
  trackers = (guint64) w4_cor_ca_size (cor) + w4_cor_jar_size (cor) + w4_cor_digest_size (cor) +
             w4_cor_proxy_size (cor) + w4_cor_redirects_size (cor) + w4_cor_csrf_size (cor) +
             w4_cor_clock_size (cor);
  charge_to (b, W4_MEM_TRACKERS, &cor->charged_trackers, trackers * W4_COR_EST_TRACKER_RECORD);
}

/* ---- limits (counted in state.c) ----------------------------------------- */

static void
note_limit_why (W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts, const char *why)
{
  w4_cor_note_limit (cor, id, frame, ts, why);
}

static void
note_limit (W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts)
{
  w4_cor_note_limit (cor, id, frame, ts, NULL);
}

/* ---- the window ---------------------------------------------------------- */

/* A client's record and its entry in W4Correlate.clients. */
#define W4_COR_CLIENT_BYTES (w4_cor_alloc_bytes (sizeof (W4CorClient)) + W4_COR_HASH_SLOT)

/* Drops the oldest exchange from the window (and its client when that was
 * the client's last). */
static void window_unlink (W4Correlate *cor, W4CorExchange *ex);
static void window_compact (W4Correlate *cor, W4CorClient *cl);

/* @ex's link in @list: in_client for a client's window, else in_window. */
static W4CorExLink *
ex_link (W4CorExchange *ex, gboolean client)
{
  return client ? &ex->in_client : &ex->in_window;
}

static void
exlist_unlink (W4CorExList *list, W4CorExchange *ex, gboolean client)
{
  W4CorExLink *k = ex_link (ex, client);

  if (k->prev != NULL)
    ex_link (k->prev, client)->next = k->next;
  else
    list->head = k->next;
  if (k->next != NULL)
    ex_link (k->next, client)->prev = k->prev;
  else
    list->tail = k->prev;
  k->prev = k->next = NULL;
  list->length--;
}

/* Inserts @ex into @list where its arrival puts it: at the tail for a
 * request that just came, a few places before it for a failure added when
 * its response came. */
static void
exlist_insert_by_arrival (W4CorExList *list, W4CorExchange *ex, gboolean client)
{
  W4CorExchange *before = list->tail; /* the one @ex goes after, or NULL */
  W4CorExLink *k = ex_link (ex, client);

  while (before != NULL && before->arrival > ex->arrival)
    before = ex_link (before, client)->prev;
  k->prev = before;
  k->next = before != NULL ? ex_link (before, client)->next : list->head;
  if (k->prev != NULL)
    ex_link (k->prev, client)->next = ex;
  else
    list->head = ex;
  if (k->next != NULL)
    ex_link (k->next, client)->prev = ex;
  else
    list->tail = ex;
  list->length++;
}

static void
window_pop (W4Correlate *cor)
{
  W4CorExchange *ex = cor->window.head;

  if (ex != NULL)
    window_unlink (cor, ex);
}

/* Takes @ex out of the window (and its client when that was the client's
 * last). */
static void
window_unlink (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorClient *cl = ex->client_state;

  exlist_unlink (&cor->window, ex, FALSE);
  if (cl != NULL) {
    exlist_unlink (&cl->window, ex, TRUE);
    ex->client_state = NULL;
    if (cl->window.length == 0) {
      w4_budget_release (cor->limits.budget, W4_MEM_CLIENTS, W4_COR_CLIENT_BYTES);
      g_hash_table_remove (cor->clients, &cl->addr);
    }
  }
  w4_cor_exchange_unref (ex);
}

static W4Time
exchange_ts (const W4CorExchange *ex)
{
  return ex->has_request ? ex->req_ts : ex->resp_ts;
}

static guint64
exchange_frame (const W4CorExchange *ex)
{
  return ex->has_request ? ex->req_frame : ex->resp_frame;
}

static void
window_add (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorClient *cl = g_hash_table_lookup (cor->clients, &ex->client.addr);

  while (cor->window.length > 0 && cor->window.length >= cor->limits.v[W4_LIMIT_EXCHANGES]) {
    note_limit (cor, W4_LIMIT_EXCHANGES, exchange_frame (ex), exchange_ts (ex));
    window_pop (cor);
    cl = g_hash_table_lookup (cor->clients, &ex->client.addr);
  }
  if (cl == NULL) {
    /* The least useful client state is the one whose newest facts are
     * oldest: dropping from the window's head frees exactly those. */
    while (cor->window.length > 0 &&
           g_hash_table_size (cor->clients) >= cor->limits.v[W4_LIMIT_CLIENTS]) {
      note_limit (cor, W4_LIMIT_CLIENTS, exchange_frame (ex), exchange_ts (ex));
      window_pop (cor);
    }
    if (cor->limits.v[W4_LIMIT_CLIENTS] == 0 || cor->limits.v[W4_LIMIT_EXCHANGES] == 0)
      return;
    cl = g_new0 (W4CorClient, 1);
    w4_budget_charge (cor->limits.budget, W4_MEM_CLIENTS, W4_COR_CLIENT_BYTES);
    cl->addr = ex->client.addr;
    cl->compact_at = W4_COR_COMPACT_MIN;
    g_hash_table_insert (cor->clients, &cl->addr, cl);
  }
  exlist_insert_by_arrival (&cor->window, exchange_ref (ex), FALSE);
  exlist_insert_by_arrival (&cl->window, ex, TRUE);
  ex->client_state = cl;
  if (cl->window.length >= cl->compact_at)
    window_compact (cor, cl);
}

/* ---- which exchanges the window keeps ----------------------------------- */

/* The window's only reader is the look-ahead of an undecided failure for
 * its retry (w4_cor_next_attempt_cut): the first later request of the
 * same client to the same server with the same method and target, with
 * credentials, after the failed response. So:
 *  - only a failure whose decision may look ahead (lookahead_of) waits
 *    for its retry (W4Correlate.awaiting: retry hash -> those failures);
 *  - a waiting failure is answered for good by a later such request whose
 *    response passed authentication: its look-ahead never goes past that
 *    one (W4CorExchange.retry_stop), and it stops waiting;
 *  - every request enters the window (its response may come after a
 *    later request's, as TCP reassembly orders them), and window_compact
 *    drops what no undecided failure's look-ahead, nor a request still
 *    without response, can reach (they stay: a look-ahead starts at its
 *    own place).
 * A hash collision only keeps one more exchange, which the look-ahead
 * then skips. */

static guint64
fnv_bytes (guint64 h, const void *p, gsize n)
{
  const guint8 *b = p;

  for (gsize i = 0; i < n; i++)
    h = (h ^ b[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

/* Hashes @s with its terminating NUL, so that "a"+"b" is not "ab"+"". */
static guint64
fnv_str (guint64 h, const char *s)
{
  return s != NULL ? fnv_bytes (h, s, strlen (s) + 1) : fnv_bytes (h, "", 1);
}

/* What makes a request a retry of another: client, server, method, target. */
static guint64
retry_hash (const W4CorExchange *ex)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  h = fnv_bytes (h, &ex->client.addr.family, 1);
  h = fnv_bytes (h, ex->client.addr.a, ex->client.addr.family == 4 ? 4 : 16);
  h = fnv_str (h, ex->server_key);
  h = fnv_str (h, ex->method);
  return fnv_str (h, ex->target);
}

static gboolean
same_retry_key (const W4CorExchange *a, const W4CorExchange *b)
{
  return a->retry_hash == b->retry_hash && w4_addr_equal (&a->client.addr, &b->client.addr) &&
         strcmp (a->server_key, b->server_key) == 0 && g_strcmp0 (a->method, b->method) == 0 &&
         g_strcmp0 (a->target, b->target) == 0;
}

/* Might @cred carry an intermediate leg of a handshake (what
 * w4_cor_intermediate_leg tells once the trackers are done)? */
static gboolean
maybe_intermediate_leg (const W4CorCred *cred)
{
  const W4Credential *p = cred != NULL ? cred->parsed : NULL;

  return p != NULL && !p->malformed &&
         (p->kind == W4_SCHEME_NTLM || p->kind == W4_SCHEME_NEGOTIATE ||
          p->kind == W4_SCHEME_DIGEST);
}

/* How far deciding the failed @ex looks ahead for its retry: only the
 * handshake check does (decide.c: a 401 or 407 that is a handshake step),
 * for one that passed authentication, and the unexplained rule for a
 * first leg, for any answer. These tests hold whenever theirs may, so that
 * a failure that offered credentials the server asks for (a wrong
 * password) waits for nothing. */
typedef enum {
  LOOK_NONE,
  LOOK_PASSED,             /* for a retry that passed authentication */
  LOOK_ANY,                /* ...and for the first answered one */
} W4CorLook;

static W4CorLook
lookahead_of (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorCtx c;
  gboolean step;

  if (!ex->has_request)
    return LOOK_NONE;
  w4_cor_ctx_init (&c, cor, ex);
  if (maybe_intermediate_leg (c.authz))
    return LOOK_ANY;
  if (ex->status != 401 && ex->status != 407)
    return LOOK_NONE;
  if (w4_cor_has_challenges (&c))
    step = !w4_cor_offered (&c, c.authz) && !w4_cor_offered (&c, c.apikey);
  else
    step = !w4_cor_has_any_credentials (ex);
  return step ? LOOK_PASSED : LOOK_NONE;
}

/* The failed @ex (its response just read) waits for its retry. */
static void
awaiting_add (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorExchange *head;

  ex->retry_stop = G_MAXUINT64;
  head = g_hash_table_lookup (cor->awaiting, &ex->retry_hash);
  ex->await_prev = NULL;
  ex->await_next = head;
  if (head != NULL)
    head->await_prev = ex;
  g_hash_table_replace (cor->awaiting, &ex->retry_hash, ex);
  ex->awaits_retry = TRUE;
}

/* ...and no longer: answered for good, or decided. */
static void
awaiting_remove (W4Correlate *cor, W4CorExchange *ex)
{
  if (!ex->awaits_retry)
    return;
  ex->awaits_retry = FALSE;
  if (ex->await_next != NULL)
    ex->await_next->await_prev = ex->await_prev;
  if (ex->await_prev != NULL)
    ex->await_prev->await_next = ex->await_next;
  else if (ex->await_next != NULL)
    g_hash_table_replace (cor->awaiting, &ex->await_next->retry_hash, ex->await_next);
  else
    g_hash_table_remove (cor->awaiting, &ex->retry_hash);
  ex->await_prev = ex->await_next = NULL;
}

static gboolean
passed_auth (const W4CorExchange *e)
{
  return e->status != 400 && e->status != 401 && e->status != 407;
}

/* The response of @e (in the window) passed authentication: the failures
 * waiting for its key that it would answer (w4_cor_next_attempt_cut's
 * test) look no further than @e. */
static void
awaiting_answered (W4Correlate *cor, W4CorExchange *e)
{
  W4CorExchange *f, *next;

  if (e->client_state == NULL || !e->has_request || !passed_auth (e))
    return;
  for (f = g_hash_table_lookup (cor->awaiting, &e->retry_hash); f != NULL; f = next) {
    next = f->await_next;
    if (f->arrival >= e->arrival || e->req_frame <= f->resp_frame || !same_retry_key (f, e) ||
        (f->status == 407 ? e->n_proxy_authz == 0 : !w4_cor_has_any_credentials (e)))
      continue;
    f->retry_stop = e->arrival;
    awaiting_remove (cor, f);
  }
}

/* An undecided failure whose decision looks ahead. */
static gboolean
undecided_looking (const W4CorExchange *e)
{
  return e->has_response && e->failed && !e->decided && e->look != LOOK_NONE;
}

/* A request without its response yet, or an undecided failure that
 * looks ahead: a look-ahead starts at its own place, and such a request
 * may become such a failure (of any kind: its response is not known). */
static gboolean
looks_or_may (const W4CorExchange *e)
{
  return !e->has_response || undecided_looking (e);
}

/* Might the look-ahead of @f (looks_or_may) return @e, later than @f? */
static gboolean
may_return (const W4CorExchange *f, const W4CorExchange *e)
{
  if (!f->has_response)
    return TRUE;
  return e->req_frame > f->resp_frame && (f->look == LOOK_ANY || passed_auth (e));
}

/* Is @e within the look-ahead of one of the earlier ones on @reach's list
 * for its key (see window_compact)? Drops from the list those whose stop
 * lies before @e. */
static gboolean
reached (GHashTable *reach, W4CorExchange *e)
{
  W4CorExchange *head = g_hash_table_lookup (reach, &e->retry_hash);
  W4CorExchange **link = &head;
  guint looked = 0;
  gboolean hit = FALSE;

  while (*link != NULL && !hit) {
    W4CorExchange *f = *link;
    gboolean open = !f->has_response || f->retry_stop >= e->arrival;

    if (!open) {
      *link = f->reach_next;
      continue;
    }
    /* a long list (failures that nothing answered) keeps @e unexamined */
    hit = may_return (f, e) || ++looked >= W4_COR_COMPACT_MIN;
    link = &f->reach_next;
  }
  if (head == NULL)
    g_hash_table_remove (reach, &e->retry_hash);
  else
    g_hash_table_replace (reach, &head->retry_hash, head);
  return hit;
}

static void
reach_add (GHashTable *reach, W4CorExchange *f)
{
  f->reach_next = g_hash_table_lookup (reach, &f->retry_hash);
  g_hash_table_replace (reach, &f->retry_hash, f);
}

/* Drops from @cl's window what no undecided failure's look-ahead can
 * return before its stop. Walking the window in arrival order, @reach
 * lists by retry hash the earlier looks_or_may () exchanges whose
 * look-ahead is still open; what none of them may return goes. */
static void
window_compact (W4Correlate *cor, W4CorClient *cl)
{
  GHashTable *reach = cor->scratch;
  W4CorExchange *e, *next;

  for (e = cl->window.head; e != NULL; e = next) {
    gboolean keep = reached (reach, e);

    next = e->in_client.next;
    if (looks_or_may (e))
      reach_add (reach, e);
    else if (!keep)
      window_unlink (cor, e);
  }
  g_hash_table_remove_all (reach);
  cl->compact_at = cl->window.length + MAX (cl->window.length / 4, W4_COR_COMPACT_MIN);
}

static void
window_prune (W4Correlate *cor, W4Time now)
{
  for (;;) {
    W4CorExchange *ex = cor->window.head;

    if (ex == NULL ||
        w4_time_diff_usec (exchange_ts (ex), now) < (gint64) W4_COR_WINDOW_SEC * G_USEC_PER_SEC)
      return;
    window_pop (cor);
  }
}

/* The connection's tcp.stream in the file of its frame @frame. */
static gint64
frame_stream (W4Correlate *cor, const W4ConnInfo *conn, guint64 frame)
{
  guint file_index;

  w4_cor_locate (cor, frame, &file_index);
  return w4_conn_stream_in_file (conn, file_index);
}

/* The server record of @key (W4CorExchange.server_key), made for the
 * server at @server through a tunnel to @tunnel_to (NULL: none) if new. */
static W4CorServer *
server_get (W4Correlate *cor, const char *key, const W4Endpoint *server, const char *tunnel_to,
            guint64 frame, W4Time ts)
{
  W4CorServer *s = g_hash_table_lookup (cor->servers, key);
  char buf[W4_ENDPOINT_STRLEN];

  if (s != NULL)
    return s;
  if (g_hash_table_size (cor->servers) >= cor->limits.v[W4_LIMIT_SERVERS]) {
    note_limit (cor, W4_LIMIT_SERVERS, frame, ts);
    return NULL;
  }
  s = g_new0 (W4CorServer, 1);
  s->key = g_strdup (key);
  s->endpoint = g_strdup (w4_endpoint_format (server, buf, sizeof buf));
  s->tunnel_to = g_strdup (tunnel_to);
  s->principals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (cor->servers, s->key, s);
  return s;
}

/* Counts @host (W4CorExchange.host: a GRefString, mostly interned) for
 * @s. The server keeps a reference to the string, so that the same host
 * as before (most requests) is found by its pointer, without a compare. */
/* server_get for @ex's server: the last one found when it is that one
 * again (W4CorExchange.server_key is interned and the record holds a
 * reference: the same pointer is the same key; servers stay to the end). */
static W4CorServer *
server_of (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorLastGroup *last = &cor->last_server;
  W4CorServer *s;

  if (last->group != NULL && last->a == ex->server_key)
    return last->group;
  s = server_get (cor, ex->server_key, &ex->server, ex->tunnel_to, ex->resp_frame, ex->resp_ts);
  if (s != NULL)
    last_group_set (last, s, &ex->server.addr, W4_SCHEME_NONE, ex->server_key, NULL);
  return s;
}

static void
server_note_host (W4CorServer *s, const char *host)
{
  guint i;

  if (host == NULL)
    return;
  for (i = 0; i < W4_COR_HOSTS_PER_SERVER && s->hosts[i] != NULL; i++) {
    if (s->hosts[i] == host || g_ascii_strcasecmp (s->hosts[i], host) == 0) {
      s->host_counts[i]++;
      return;
    }
  }
  if (i < W4_COR_HOSTS_PER_SERVER) {
    s->hosts[i] = g_ref_string_acquire ((char *) host);
    s->host_counts[i] = 1;
  }
}

static void
server_note_scheme (W4CorServer *s, W4Scheme kind, const char *word)
{
  s->schemes |= 1u << kind;
  if (kind == W4_SCHEME_OTHER && s->other_scheme == NULL && word != NULL)
    s->other_scheme = g_strdup (word);
}

static W4CorPrincipalAgg *
server_principal (W4Correlate *cor, W4CorServer *s, const char *principal, guint64 frame,
                  W4Time ts)
{
  W4CorPrincipalAgg *p = g_hash_table_lookup (s->principals, principal);

  if (p != NULL)
    return p;
  if (g_hash_table_size (s->principals) >= cor->limits.v[W4_LIMIT_SERVER_PRINCIPALS]) {
    note_limit (cor, W4_LIMIT_SERVER_PRINCIPALS, frame, ts);
    return NULL;
  }
  p = g_new0 (W4CorPrincipalAgg, 1);
  cor->server_principals++;
  p->name = g_strdup (principal);
  g_hash_table_insert (s->principals, (char *) p->name, p);
  return p;
}

/* @p succeeded on @s just now: it leads the two most recent successes. */
static void
server_principal_succeeded (W4CorServer *s, const W4CorPrincipalAgg *p)
{
  if (s->recent_ok[0] != p) {
    s->recent_ok[1] = s->recent_ok[0];
    s->recent_ok[0] = p;
  }
}

/* Feeds a response's outcome into the flat aggregates. */
static void
aggregate_response (W4Correlate *cor, W4CorExchange *ex)
{
  gboolean success = ex->status < 400;
  W4CorServer *s = server_of (cor, ex);
  const W4CorCred *mc = w4_cor_main_cred (ex, ex->status);

  if (s != NULL) {
    s->total++;
    if (ex->failed)
      s->failed++;
    s->proxy |= ex->status == 407 || ex->n_proxy_authz > 0 ||
                (ex->method != NULL && strcmp (ex->method, "CONNECT") == 0);
    server_note_host (s, ex->host);
    if (ex->challenges) {
      for (guint i = 0; i < ex->challenges->len; i++) {
        const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
        server_note_scheme (s, ch->kind, ch->scheme);
      }
    }
    if (success && mc != NULL && mc->parsed != NULL)
      server_note_scheme (s, mc->kind, mc->parsed->scheme);
  }

  w4_cor_cred_on_response (cor, ex);

  /* A first handshake leg names no principal (NTLM type 1 is the same bytes
   * for everyone): its failure is counted when decided, for the user its
   * later leg names (w4_cor_decide). */
  if (mc != NULL && (success || ex->failed) && !(ex->failed && w4_cor_intermediate_leg (ex, mc))) {
    if (s != NULL) {
      W4CorPrincipalAgg *p = server_principal (cor, s, mc->principal, ex->resp_frame, ex->resp_ts);
      if (p != NULL) {
        if (success) {
          p->succeeded++;
          p->last_success_frame = ex->resp_frame;
          p->last_success_stream = ex->resp_stream;
          server_principal_succeeded (s, p);
        } else {
          p->failed++;
        }
      }
    }
    w4_cor_summary_principal (cor, mc->principal, success);
  }
}

/* ---- risks accumulated over the capture ---------------------------------- */

/* What @a's strings hold. */
static guint64
acc_strings_bytes (const W4CorRiskAcc *a)
{
  const char *const strs[] = { a->client, a->server,    a->tunnel_to, a->method, a->uri,
                               a->host,   a->principal, a->scheme,    a->header, a->sni };
  guint64 n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    n += w4_cor_str_alloc_bytes (strs[i]);
  return n;
}

/* A cleartext or storm group @a holds @n bytes more: there are as many as
 * clients, so each is charged what it holds (W4_MEM_AGGREGATES), not by
 * its table's size. */
static void
group_grow (W4Correlate *cor, W4CorRiskAcc *a, guint64 n)
{
  a->charged += n;
  cor->charged_groups += n;
  w4_budget_charge (cor->limits.budget, W4_MEM_AGGREGATES, n);
}

/* ...and @a goes: what it was charged is released. */
static void
group_release (W4Correlate *cor, W4CorRiskAcc *a)
{
  w4_budget_release (cor->limits.budget, W4_MEM_AGGREGATES, a->charged);
  cor->charged_groups -= MIN (a->charged, cor->charged_groups);
  a->charged = 0;
}

/* What a new group @a with @key holds, in a record of @size bytes. */
static guint64
group_bytes (const W4CorRiskAcc *a, gsize size, const char *key)
{
  return w4_cor_alloc_bytes (size) + w4_cor_str_alloc_bytes (key) + W4_COR_HASH_SLOT +
         acc_strings_bytes (a);
}

static W4CorRiskAcc *
acc_init (W4CorRiskAcc *a, W4Cause cause, const W4CorExchange *ex, guint64 frame, W4Time ts)
{
  char buf[W4_ENDPOINT_STRLEN];

  a->cause = cause;
  a->first_frame = frame;
  a->first_ts = ts;
  a->stream = ex->has_request && frame == ex->req_frame ? ex->req_stream : ex->resp_stream;
  a->client_ep = ex->client;
  a->server_ep = ex->server;
  a->tls = ex->tls;
  a->h2_stream = ex->h2 ? (gint64) ex->h2_stream : -1;
  a->client = g_strdup (w4_endpoint_format (&ex->client, buf, sizeof buf));
  a->server = g_strdup (w4_endpoint_format (&ex->server, buf, sizeof buf));
  a->tunnel_to = g_strdup (ex->tunnel_to);
  a->server_port = ex->server.port;
  if (ex->has_request) {
    a->method = g_strdup (ex->method);
    a->uri = g_strdup (ex->target);
    a->host = g_strdup (ex->host);
  }
  return a;
}

static gboolean
is_cleartext_scheme (W4Scheme k)
{
  return k == W4_SCHEME_BASIC || k == W4_SCHEME_BEARER || k == W4_SCHEME_APIKEY ||
         k == W4_SCHEME_COOKIE;
}

/* The cleartext-credentials group of @c, sent by @ex's client to its
 * server: the last one found when it is that one again (a client sends
 * the same credential request after request), else from the table, made
 * if new; NULL at the risk-groups limit (counted). */
static W4CorRiskAcc *
cleartext_group (W4Correlate *cor, const W4CorExchange *ex, const W4CorCred *c)
{
  W4CorLastGroup *last = &cor->last_cleartext;
  const char *scheme = w4_auth_scheme_name (c->kind);
  char addr[W4_ENDPOINT_STRLEN];
  W4CorKey key;
  W4CorRiskAcc *a;

  /* server_key is interned, and the record holds a reference: the same
   * pointer is the same string */
  if (last->group != NULL && last->kind == c->kind && last->a == ex->server_key &&
      w4_addr_equal (&last->client, &ex->client.addr))
    return last->group;
  w4_addr_format (&ex->client.addr, addr, sizeof addr);
  key_join3 (&key, addr, "|", ex->server_key, scheme);
  a = g_hash_table_lookup (cor->cleartext, key.str);
  if (a == NULL) {
    if (g_hash_table_size (cor->cleartext) >= cor->limits.v[W4_LIMIT_RISK_GROUPS]) {
      note_limit (cor, W4_LIMIT_RISK_GROUPS, ex->req_frame, ex->req_ts);
      key_clear (&key);
      return NULL;
    }
    a = acc_init (g_new0 (W4CorRiskAcc, 1), W4_CAUSE_CLEARTEXT_CREDENTIALS, ex, ex->req_frame,
                  ex->req_ts);
    a->scheme = g_strdup (scheme);
    a->header = g_strdup (c->name);
    group_grow (cor, a, group_bytes (a, sizeof *a, key.str));
    g_hash_table_insert (cor->cleartext, key_take (&key), a);
  }
  key_clear (&key);
  last_group_set (last, a, &ex->client.addr, c->kind, ex->server_key, NULL);
  return a;
}

static void
note_cleartext (W4Correlate *cor, const W4CorExchange *ex)
{
  if (ex->tls)
    return;
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);
    W4CorRiskAcc *a;

    if (!is_cleartext_scheme (c->kind))
      continue;
    a = cleartext_group (cor, ex, c);
    if (a == NULL)
      continue;
    /* A header that cannot be parsed names no one: its fingerprint is not
     * a second user beside the ones well-formed headers name. */
    if (c->parsed != NULL && c->parsed->malformed)
      ;
    else if (a->principal == NULL) {
      a->principal = g_strdup (c->principal);
      group_grow (cor, a, w4_cor_str_alloc_bytes (a->principal));
    } else if (strcmp (a->principal, c->principal) != 0)
      a->mixed_principals = TRUE;
    a->count++;
  }
}

/* retry-storm: one more rejection of @c from this client to this server. */
static void
note_rejection (W4Correlate *cor, const W4CorExchange *ex, const W4CorCred *c)
{
  W4CorLastGroup *last = &cor->last_storm;
  char addr[W4_ENDPOINT_STRLEN];
  W4CorKey key;
  W4CorStorm *s = NULL;
  guint oldest;

  /* the last group again (agg_key and fingerprint are interned, and the
   * record holds references: the same pointers are the same strings) */
  if (last->group != NULL && last->a == c->agg_key && last->b == c->fingerprint &&
      w4_addr_equal (&last->client, &ex->client.addr))
    s = last->group;
  if (s == NULL) {
    w4_addr_format (&ex->client.addr, addr, sizeof addr);
    key_join3 (&key, addr, "|", c->agg_key, c->fingerprint);
    s = g_hash_table_lookup (cor->storms, key.str);
  } else {
    key.str = NULL;
  }
  if (s == NULL) {
    if (g_hash_table_size (cor->storms) >= cor->limits.v[W4_LIMIT_RETRY_GROUPS]) {
      note_limit (cor, W4_LIMIT_RETRY_GROUPS, ex->resp_frame, ex->resp_ts);
      key_clear (&key);
      return;
    }
    s = g_new0 (W4CorStorm, 1);
    acc_init (&s->acc, W4_CAUSE_RETRY_STORM, ex, ex->has_request ? ex->req_frame : ex->resp_frame,
              ex->has_request ? ex->req_ts : ex->resp_ts);
    s->acc.scheme = g_strdup (c->parsed && c->parsed->scheme && c->kind == W4_SCHEME_OTHER
                                ? c->parsed->scheme
                                : w4_auth_scheme_name (c->kind));
    s->acc.header = g_strdup (c->fingerprint);
    s->acc.principal = g_strdup (c->principal);
    group_grow (cor, &s->acc, group_bytes (&s->acc, sizeof *s, key.str));
    g_hash_table_insert (cor->storms, key_take (&key), s);
  }
  if (key.str != NULL)
    last_group_set (last, s, &ex->client.addr, c->kind, c->agg_key, c->fingerprint);
  key_clear (&key);
  s->acc.count++;
  s->recent[s->ring_pos] = ex->resp_ts;
  s->recent_frames[s->ring_pos] = ex->has_request ? ex->req_frame : ex->resp_frame;
  s->ring_pos = (s->ring_pos + 1) % W4_COR_STORM_COUNT;
  if (s->ring_n < W4_COR_STORM_COUNT)
    s->ring_n++;
  if (s->storm || s->ring_n < W4_COR_STORM_COUNT)
    return;
  /* The ring is full: ring_pos now points at the oldest of the last five. */
  oldest = s->ring_pos;
  if (w4_time_diff_usec (s->recent[oldest], ex->resp_ts) <=
      (gint64) W4_COR_STORM_SEC * G_USEC_PER_SEC) {
    s->storm = TRUE;
    for (guint i = 0; i < W4_COR_STORM_COUNT; i++)
      s->acc.frames[i] = s->recent_frames[(oldest + i) % W4_COR_STORM_COUNT];
    s->acc.n_frames = W4_COR_STORM_COUNT;
  }
}

/* ---- events -------------------------------------------------------------- */

/* An event may change any table that budget_sync charges by its size: the
 * next w4_cor_time charges them again. */
static void
budget_touch (W4Correlate *cor)
{
  cor->budget_stale = TRUE;
}

static W4CorConn *
conn_get (W4Correlate *cor, const W4ConnInfo *ci)
{
  W4CorConn *c = g_hash_table_lookup (cor->conns, &ci->conn_id);

  if (c == NULL) {
    c = g_new0 (W4CorConn, 1);
    c->conn_id = ci->conn_id;
    c->client = ci->client;
    c->server = ci->server;
    g_queue_init (&c->pending);
    g_queue_init (&c->body_wait);
    c->h2_pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, exchange_unref_cb);
    g_hash_table_insert (cor->conns, &c->conn_id, c);
  }
  return c;
}

static void
on_conn_open (void *user, const W4ConnInfo *conn, const W4FrameInfo *fi)
{
  W4Correlate *cor = user;
  W4CorConn *c = conn_get (cor, conn);

  budget_touch (cor);
  c->open_frame = fi ? fi->frame : 0;
  if (fi)
    c->open_ts = fi->ts;
}

/* The per-server info of connections that could not be inspected (TLS
 * without keys, HTTP/2 not parsed yet) in @table. */
static W4CorRiskAcc *
note_uninspected (W4Correlate *cor, GHashTable *table, W4Cause cause, const W4CorConn *c,
                  const W4ConnInfo *conn)
{
  char buf[W4_ENDPOINT_STRLEN];
  W4CorRiskAcc *a;
  g_autofree char *key = NULL;

  /* TLS through a proxy's tunnel is the tunnel's server's, not the proxy's */
  w4_endpoint_format (&c->server, buf, sizeof buf);
  key = w4_cor_server_key (buf, c->tunnel_to);
  a = g_hash_table_lookup (table, key);
  if (a == NULL) {
    char cbuf[W4_ENDPOINT_STRLEN];

    W4LimitId id = cause == W4_CAUSE_NOT_DECRYPTED ? W4_LIMIT_TLS_SERVERS : W4_LIMIT_H2_SERVERS;

    if (g_hash_table_size (table) >= cor->limits.v[id]) {
      note_limit (cor, id, c->open_frame, c->open_ts);
      return NULL;
    }
    a = g_new0 (W4CorRiskAcc, 1);
    a->cause = cause;
    a->first_frame = c->open_frame;
    a->first_ts = c->open_ts;
    a->stream = frame_stream (cor, conn, c->open_frame);
    a->client_ep = c->client;
    a->server_ep = c->server;
    a->h2_stream = -1;
    a->client = g_strdup (w4_endpoint_format (&c->client, cbuf, sizeof cbuf));
    a->server = g_strdup (buf);
    a->tunnel_to = g_strdup (c->tunnel_to);
    a->server_port = c->server.port;
    g_hash_table_insert (table, g_steal_pointer (&key), a);
  }
  a->count++;
  return a;
}

/* "h2" among the comma-separated ALPN protocols a ClientHello offered. */
static gboolean
alpn_offers_h2 (const char *alpn)
{
  g_auto (GStrv) names = g_strsplit (alpn, ",", -1);

  return g_strv_contains ((const char *const *) names, "h2");
}

/* The first server name seen is kept (bounded by dissect's
 * W4_TLS_SNI_MAX); another one on the same server is only noted. */
static void
note_undecrypted (W4Correlate *cor, const W4CorConn *c, const W4ConnInfo *ci)
{
  W4CorRiskAcc *a = note_uninspected (cor, cor->undecrypted, W4_CAUSE_NOT_DECRYPTED, c, ci);

  if (a == NULL)
    return;
  if (c->sni != NULL && a->sni == NULL)
    a->sni = g_strdup (c->sni);
  else if (c->sni != NULL && strncmp (a->sni, c->sni, W4_COR_SNI_MAX) != 0)
    a->sni_mixed = TRUE;
  if (c->offers_h2)
    a->h2_offers++;
  if (c->tls_keys == W4_TLS_KEYS_MISSING)
    a->keys_missing++;
  else if (c->tls_keys == W4_TLS_KEYS_WRONG)
    a->keys_wrong++;
  else if (c->tls_keys == W4_TLS_KEYS_UNSUPPORTED)
    a->keys_unsupported++;
}

/* What the TLS handshake showed is kept until the connection closes, where
 * the not-decrypted info counts it. */
static void
on_tls (void *user, const W4TlsInfo *tls)
{
  W4CorConn *c = conn_get (user, tls->conn);

  budget_touch (user);
  if (tls->sni != NULL && c->sni == NULL)
    c->sni = g_strndup (tls->sni, W4_COR_SNI_MAX);
  if (c->tunnel_to == NULL)
    c->tunnel_to = g_strdup (w4_conn_tunnel_to (tls->conn));
  if (tls->decrypted) {
    c->tls_decrypted = TRUE;
    return;
  }
  c->tls_undecrypted = TRUE;
  c->tls_keys = tls->keys;
  c->offers_h2 |= tls->alpn != NULL && alpn_offers_h2 (tls->alpn);
}

/* The alert names of RFC 8446 6 and RFC 5246 7.2 a handshake ends with. */
static const char *
tls_alert_name (guint8 d)
{
  static const struct {
    guint8 code;
    const char *name;
  } names[] = {
    { 10, "unexpected_message" },  { 20, "bad_record_mac" },
    { 21, "decryption_failed" },   { 22, "record_overflow" },
    { 40, "handshake_failure" },   { 41, "no_certificate" },
    { 42, "bad_certificate" },     { 43, "unsupported_certificate" },
    { 44, "certificate_revoked" }, { 45, "certificate_expired" },
    { 46, "certificate_unknown" }, { 47, "illegal_parameter" },
    { 48, "unknown_ca" },          { 49, "access_denied" },
    { 50, "decode_error" },        { 51, "decrypt_error" },
    { 70, "protocol_version" },    { 71, "insufficient_security" },
    { 80, "internal_error" },      { 86, "inappropriate_fallback" },
    { 109, "missing_extension" },  { 110, "unsupported_extension" },
    { 112, "unrecognized_name" },  { 113, "bad_certificate_status_response" },
    { 115, "unknown_psk_identity" }, { 116, "certificate_required" },
    { 120, "no_application_protocol" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].code == d)
      return names[i].name;
  return NULL;
}

/* A handshake ended by an alert counts on its server (W4CorServer.alerts:
 * the first W4_COR_TLS_ALERTS kinds, the rest only counted in
 * alerts_other). */
static void
on_tls_alert (void *user, const W4TlsAlert *alert)
{
  W4Correlate *cor = user;
  char ep[W4_ENDPOINT_STRLEN];
  const char *tunnel_to = w4_conn_tunnel_to (alert->conn);
  g_autofree char *key = w4_cor_server_key (
      w4_endpoint_format (&alert->conn->server, ep, sizeof ep), tunnel_to);
  W4CorServer *s;
  gboolean from_server = alert->from == W4_DIR_TO_CLIENT;
  guint i;

  budget_touch (cor);
  s = server_get (cor, key, &alert->conn->server, tunnel_to, alert->frame, alert->ts);
  if (s == NULL)
    return;
  for (i = 0; i < s->n_alerts; i++)
    if (s->alerts[i].description == alert->description && s->alerts[i].from_server == from_server)
      break;
  if (i == s->n_alerts) {
    if (i == W4_COR_TLS_ALERTS) {
      s->alerts_other++;
      return;
    }
    s->n_alerts++;
    s->alerts[i].description = alert->description;
    s->alerts[i].from_server = from_server;
    s->alerts[i].frame = alert->frame;
  }
  s->alerts[i].count++;
}

static void
on_h2 (void *user, const W4H2Info *h2)
{
  W4CorConn *c = conn_get (user, h2->conn);

  budget_touch (user);
  c->h2_unparsed |= !h2->parsed;
}

/* A stream reset ends its request's wait (it gets no response). The
 * server's HTTP_1_1_REQUIRED after an NTLM or Negotiate challenge on the
 * connection is connection-auth-broken for that challenge, when it ends a
 * later stream than the challenge's (the client's next request: a reset
 * of the challenge's own stream after its 401 is no answer to a retry). */
static void
on_h2_reset (void *user, const W4H2Reset *rst)
{
  W4Correlate *cor = user;
  W4CorConn *c = conn_get (cor, rst->conn);
  W4CorExchange *req = NULL;
  gpointer key = GUINT_TO_POINTER (rst->h2_stream);

  budget_touch (cor);
  if (!g_hash_table_steal_extended (c->h2_pending, key, NULL, (gpointer *) &req))
    req = NULL;
  if (rst->dir == W4_DIR_TO_CLIENT && rst->error_code == W4_H2_HTTP_1_1_REQUIRED &&
      c->ca_challenge != NULL && !c->ca_challenge->decided &&
      rst->h2_stream > c->ca_challenge->h2_stream)
    w4_cor_ca_on_h2_reset (c->ca_challenge, req, rst, frame_stream (cor, rst->conn, rst->frame));
  if (req != NULL)
    w4_cor_exchange_unref (req);
}

static void
on_conn_close (void *user, const W4ConnInfo *conn, W4CloseReason why, guint64 frame, W4Time ts)
{
  W4Correlate *cor = user;
  W4CorConn *c = conn_get (cor, conn);

  budget_touch (cor);
  if (c->tls_undecrypted)
    note_undecrypted (cor, c, conn);
  if (c->h2_unparsed)
    note_uninspected (cor, cor->unparsed, W4_CAUSE_NOT_PARSED, c, conn);
  w4_cor_ca_on_conn_close (cor, conn, why, frame);
  g_hash_table_remove (cor->conns, &conn->conn_id);
}

/* Case-insensitive comparison of a captured name with a literal. */
static gboolean
span_is (W4Span s, const char *lit)
{
  return w4_tok_span_ieq ((const char *) s.ptr, s.len, lit);
}

static char *
span_dup (W4Span s)
{
  return g_strndup ((const char *) s.ptr, s.len);
}

static char *
span_intern (W4Span s)
{
  return intern_len ((const char *) s.ptr, s.len);
}

/* span_intern for @field, whose value repeats from message to message (a
 * client asks the same host, often the same few targets): the same bytes
 * as one of the last few give that string, without the intern table's
 * hash and lock. */
static char *
intern_again (W4Correlate *cor, W4CorLastField field, W4Span s)
{
  W4CorLastStrings *last = &cor->last_interned[field];
  char **slot;
  char *r;

  if (s.len >= W4_COR_INTERN_MAX) /* not shared anyway */
    return span_intern (s);
  for (guint i = 0; i < W4_COR_LAST_KEPT; i++)
    if (last->s[i] != NULL && last->len[i] == s.len &&
        (s.len == 0 || memcmp (last->s[i], s.ptr, s.len) == 0))
      return g_ref_string_acquire (last->s[i]);
  r = span_intern (s);
  slot = &last->s[last->next];
  unintern (*slot);
  *slot = g_ref_string_acquire (r);
  last->len[last->next] = s.len;
  last->next = (last->next + 1) % W4_COR_LAST_KEPT;
  return r;
}

/* Takes @c (transfer full) into @ex's credentials. */
static void
add_cred (W4Correlate *cor, W4CorExchange *ex, W4CorCred *c)
{
  if (ex->creds->len >= cor->limits.v[W4_LIMIT_REQUEST_CREDENTIALS]) {
    note_limit (cor, W4_LIMIT_REQUEST_CREDENTIALS, ex->req_frame, ex->req_ts);
    cor_cred_unref (c);
    return;
  }
  if (c->agg_key != NULL) { /* shared: made for this server before */
    g_ptr_array_add (ex->creds, c);
    return;
  }
  {
    W4CorKey key;

    if (c->kind == W4_SCHEME_COOKIE)
      key_join (&key,
                (W4Span[]) { key_str (ex->server_key), key_str ("|cookie:"), key_str (c->name),
                             key_str ("|"), key_str (c->fingerprint) },
                5);
    else
      key_join3 (&key, ex->server_key, "|", c->fingerprint, NULL);
    c->agg_key = intern (key.str);
    key_clear (&key);
  }
  g_ptr_array_add (ex->creds, c);
}

/* Only --show-secrets shows a Basic password (its fingerprint stands for
 * it everywhere else): without it, it is not kept past the parse. */
static W4Credential *
forget_password (W4Correlate *cor, W4Credential *p)
{
  if (!cor->opts.show_secrets && p->basic_password != NULL) {
    memset (p->basic_password, 0, strlen (p->basic_password));
    g_clear_pointer (&p->basic_password, g_free);
  }
  return p;
}

static W4CorCred *
cred_from_parsed (W4Credential *p, const char *name, gboolean proxy)
{
  W4CorCred *c = g_new0 (W4CorCred, 1);

  c->refs = 1;
  c->kind = p->kind;
  c->proxy = proxy;
  c->parsed = p;
  c->name = intern (name);
  c->fingerprint = intern (p->fingerprint ? p->fingerprint : "");
  c->principal = intern (p->principal ? p->principal : c->fingerprint);
  return c;
}

static void
read_cookies (W4Correlate *cor, W4CorExchange *ex, W4Span value, GString *names)
{
  g_autoptr (GPtrArray) cookies = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);

  w4_cookie_parse_header ((const char *) value.ptr, value.len, cookies);
  for (guint i = 0; i < cookies->len; i++) {
    const W4Cookie *k = g_ptr_array_index (cookies, i);
    W4CorCred *c;
    /* a JWT authenticates whatever the cookie's name (FINDINGS: its sub
     * is the principal) */
    W4JwtClaims *jwt = w4_jwt_new (k->value, strlen (k->value));

    if (names->len > 0)
      g_string_append (names, ", ");
    g_string_append (names, k->name);
    if (jwt == NULL && !w4_cookie_is_session_name (k->name))
      continue;
    c = g_new0 (W4CorCred, 1);
    c->refs = 1;
    c->kind = W4_SCHEME_COOKIE;
    c->name = intern (k->name);
    c->fingerprint = intern_take (w4_auth_fingerprint (k->value, strlen (k->value)));
    c->jwt = jwt;
    c->principal = intern (jwt && jwt->sub ? jwt->sub : c->fingerprint);
    add_cred (cor, ex, c);
  }
}

/* Header values up to this long share their parsed credential (a Basic
 * or Bearer value; the long ones, Negotiate and NTLM tokens, differ in
 * every request anyway). */
#define W4_COR_SHARED_CRED_MAX 512

/* The credential of the header @name: @value (an Authorization, a
 * Proxy-Authorization or an API key header) of a request of @ex: the one
 * made before for the same header to the same server when there is one
 * (parsing is a pure function of the value), else a new one. (transfer
 * full) */
static W4CorCred *
shared_cred (W4Correlate *cor, const W4CorExchange *ex, const char *name, gboolean proxy,
             gboolean apikey, W4Span value)
{
  const char *v = (const char *) value.ptr;
  W4CorKey key;
  W4CorCred *c;
  W4Credential *p;

  key.str = NULL; /* (not the whole buffer: zeroing it would cost more than the key) */

  if (value.len <= W4_COR_SHARED_CRED_MAX && memchr (v, '\0', value.len) == NULL) {
    key_join (&key,
              (W4Span[]) { key_str (ex->server_key), key_str ("\n"), key_str (name), key_str ("\n"),
                           value },
              5);
    c = g_hash_table_lookup (cor->cred_cache, key.str);
    if (c != NULL) {
      key_clear (&key);
      c->refs++;
      return c;
    }
  }
  p = apikey ? w4_auth_parse_apikey (v, value.len)
             : forget_password (cor, w4_auth_parse_credentials (v, value.len));
  c = cred_from_parsed (p, name, proxy);
  if (key.str != NULL) {
    /* its agg_key is set by add_cred before another exchange finds it */
    c->cache_key = key_take (&key);
    c->cache = cor->cred_cache;
    g_hash_table_insert (cor->cred_cache, c->cache_key, c);
  }
  return c;
}

static void
read_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req)
{
  g_autoptr (GString) cookie_names = NULL;

  ex->has_request = TRUE;
  /* an HTTP/2 request may lack :method or :path (malformed, or cut by
   * h2-decoded-bytes): "?", as the report says what it does not know; a
   * NULL would read as a request not captured */
  ex->method = req->method.len > 0 ? intern_again (cor, W4_COR_LAST_METHOD, req->method)
                                    : intern ("?");
  ex->target = req->target.len > 0 ? intern_again (cor, W4_COR_LAST_TARGET, req->target)
                                    : intern ("?");
  ex->req_frame = req->first_frame;
  ex->req_stream = frame_stream (cor, req->conn, req->first_frame);
  ex->req_ts = req->first_ts;
  ex->req_cut = req->cut;
  ex->req_block_len = req->header_block_len;
  ex->req_odd = req->odd;
  ex->h2 = req->proto == W4_HTTP_2;
  ex->h2_stream = req->h2_stream;

  for (guint i = 0; i < req->n_headers; i++) {
    const W4Header *h = &req->headers[i];

    if (span_is (h->name, "Authorization") || span_is (h->name, "Proxy-Authorization")) {
      gboolean proxy = h->name.len > strlen ("Authorization");
      if (proxy)
        ex->n_proxy_authz++;
      else
        ex->n_authz++;
      /* The first header of each kind is the one servers act on; the count
       * is what malformed-credentials needs. */
      if ((proxy ? ex->n_proxy_authz : ex->n_authz) == 1)
        add_cred (cor, ex, shared_cred (cor, ex, proxy ? "Proxy-Authorization" : "Authorization",
                                        proxy, FALSE, h->value));
    } else if (w4_auth_is_apikey_header ((const char *) h->name.ptr, h->name.len)) {
      g_autofree char *name = span_dup (h->name);
      if (ex->n_apikey++ == 0)
        add_cred (cor, ex, shared_cred (cor, ex, name, FALSE, TRUE, h->value));
    } else if (span_is (h->name, "Cookie")) {
      if (cookie_names == NULL)
        cookie_names = g_string_new (NULL);
      read_cookies (cor, ex, h->value, cookie_names);
    } else if (span_is (h->name, "Host")) {
      if (ex->host == NULL)
        ex->host = intern_again (cor, W4_COR_LAST_HOST, h->value);
    } else if (span_is (h->name, "Access-Control-Request-Method")) {
      ex->has_acrm = TRUE;
    }
  }
  if (cookie_names != NULL)
    ex->cookie_names = g_string_free (g_steal_pointer (&cookie_names), FALSE);
}

static void
on_request (void *user, const W4HttpHead *req)
{
  W4Correlate *cor = user;
  W4CorConn *c = conn_get (cor, req->conn);
  W4CorExchange *ex = exchange_new (cor, req->conn);

  budget_touch (cor);
  cor->http_requests++;
  read_request (cor, ex, req);
  ex->retry_hash = retry_hash (ex);
  w4_cor_ca_on_request (cor, ex);
  w4_cor_redirect_on_request (cor, ex);
  w4_cor_csrf_on_request (cor, ex, req);
  w4_cor_digest_on_request (cor, ex);
  w4_cor_proxy_on_request (cor, ex, req);
  w4_cor_jar_request (cor, ex, req);
  w4_cor_header_facts_on_request (cor, ex, req);
  note_cleartext (cor, ex);
  exchange_recharge (ex);
  window_add (cor, ex);

  if (req->proto == W4_HTTP_2) {
    if (g_hash_table_size (c->h2_pending) >= cor->limits.v[W4_LIMIT_PENDING_REQ]) {
      note_limit (cor, W4_LIMIT_PENDING_REQ, req->first_frame, req->first_ts);
      w4_cor_exchange_unref (ex);
      return;
    }
    g_hash_table_replace (c->h2_pending, GUINT_TO_POINTER (req->h2_stream), ex);
    return;
  }
  /* A connection whose responses were never captured must not queue
   * requests without end: the oldest is the least likely to be answered. */
  while (c->pending.length > 0 && c->pending.length >= cor->limits.v[W4_LIMIT_PENDING_REQ]) {
    note_limit (cor, W4_LIMIT_PENDING_REQ, req->first_frame, req->first_ts);
    w4_cor_exchange_unref (g_queue_pop_head (&c->pending));
  }
  if (cor->limits.v[W4_LIMIT_PENDING_REQ] == 0) {
    w4_cor_exchange_unref (ex);
    return;
  }
  g_queue_push_tail (&c->pending, ex);
}

static void
challenge_free_cb (gpointer p)
{
  w4_auth_challenge_free (p);
}

/* A challenge header value up to this long shares its parse. */
#define W4_COR_SHARED_CHALLENGE_MAX 512

/* The challenges of a response whose header @want is the one @only (NULL:
 * none), as a set shared with the responses that sent the same (the
 * parse is a pure function of the value). (transfer full) NULL when not
 * shared (a long value): the caller parses. */
static W4CorChallengeSet *
shared_challenges (W4Correlate *cor, const char *want, const W4Header *only)
{
  W4CorKey key;
  W4CorChallengeSet *set;

  if (only == NULL)
    key_join (&key, (W4Span[]) { key_str (want) }, 1);
  else if (only->value.len <= W4_COR_SHARED_CHALLENGE_MAX &&
           memchr (only->value.ptr, '\0', only->value.len) == NULL)
    key_join (&key, (W4Span[]) { key_str (want), key_str ("\n"), only->value }, 3);
  else
    return NULL;
  set = g_hash_table_lookup (cor->challenge_cache, key.str);
  if (set != NULL) {
    key_clear (&key);
    set->refs++;
    return set;
  }
  set = g_new0 (W4CorChallengeSet, 1);
  set->refs = 1;
  set->list = g_ptr_array_new_with_free_func (challenge_free_cb);
  if (only != NULL)
    w4_auth_parse_challenges ((const char *) only->value.ptr, only->value.len, set->list);
  set->key = key_take (&key);
  set->cache = cor->challenge_cache;
  g_hash_table_insert (cor->challenge_cache, set->key, set);
  return set;
}

static void
read_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp)
{
  const char *want = resp->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
  const W4Header *first = NULL; /* the first header @want */
  guint n_want = 0;

  ex->has_response = TRUE;
  ex->status = resp->status;
  ex->resp_frame = resp->first_frame;
  ex->resp_stream = frame_stream (cor, resp->conn, resp->first_frame);
  ex->resp_ts = resp->first_ts;
  ex->resp_done_ts = resp->last_ts;
  ex->resp_seq = resp->seq;
  ex->resp_cut = resp->cut;
  ex->resp_block_len = resp->header_block_len;
  ex->failed = resp->status == 401 || resp->status == 407 || resp->status == 403;

  /* one pass over the headers; a second only for what is not shared */
  for (guint i = 0; i < resp->n_headers; i++) {
    const W4Header *h = &resp->headers[i];

    if (span_is (h->name, want)) {
      if (n_want++ == 0)
        first = h;
      if (ex->challenge_text == NULL && ex->failed)
        ex->challenge_text = intern_again (
          cor, W4_COR_LAST_CHALLENGE,
          w4_span (h->value.ptr, MIN (h->value.len, W4_COR_EVIDENCE_CHARS)));
    } else if (ex->failed && ex->content_type == NULL && span_is (h->name, "Content-Type")) {
      ex->content_type = intern_again (cor, W4_COR_LAST_CONTENT_TYPE, h->value);
    }
  }
  ex->has_challenge_header = n_want > 0;
  /* (several such headers are not shared: their parse is their list's) */
  ex->chset = n_want <= 1 ? shared_challenges (cor, want, first) : NULL;
  if (ex->chset != NULL) {
    ex->challenges = ex->chset->list;
  } else {
    ex->challenges = g_ptr_array_new_with_free_func (challenge_free_cb);
    for (guint i = 0; i < resp->n_headers; i++) {
      const W4Header *h = &resp->headers[i];

      if (span_is (h->name, want))
        w4_auth_parse_challenges ((const char *) h->value.ptr, h->value.len, ex->challenges);
    }
  }
  if (ex->failed) {
    for (guint i = 0; i < ex->challenges->len && ex->server_message == NULL; i++) {
      const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
      if (ch->kind == W4_SCHEME_BEARER) {
        ex->server_message = w4_message_from_challenge (ch);
        ex->message_bare = w4_auth_challenge_param (ch, "error_description") == NULL;
      }
    }
    ex->message_from_challenge = ex->server_message != NULL;
  }
}

static void decide_overflow (W4Correlate *cor);

static void
on_response (void *user, const W4HttpHead *resp)
{
  W4Correlate *cor = user;
  W4CorConn *c = conn_get (cor, resp->conn);
  W4CorExchange *ex = NULL;

  budget_touch (cor);
  /* 1xx is not the final answer: its request still awaits one. */
  if (resp->interim || (resp->status >= 100 && resp->status < 200 && resp->status != 101))
    return;
  cor->http_responses++;

  if (resp->proto == W4_HTTP_2) {
    gpointer key = GUINT_TO_POINTER (resp->h2_stream);
    if (g_hash_table_steal_extended (c->h2_pending, key, NULL, (gpointer *) &ex) == FALSE)
      ex = NULL;
    /* RFC 7540 3.2: after an upgrade to h2c the HTTP/1 request is stream
     * 1, answered in HTTP/2 (its 101 is interim) */
    if (ex == NULL && resp->h2_stream == 1 && c->pending.length > 0) {
      ex = g_queue_pop_head (&c->pending);
      ex->h2 = TRUE;
      ex->h2_stream = 1;
    }
  } else {
    ex = g_queue_pop_head (&c->pending);
  }
  if (ex == NULL) {
    /* The request was not captured (capture started late, or lost): the
     * response still counts and, when failed, still gets its finding. */
    ex = exchange_new (cor, resp->conn);
    ex->h2 = resp->proto == W4_HTTP_2;
    ex->h2_stream = resp->h2_stream;
    ex->unparsed_req_frame = c->unparsed_frame;
    ex->unparsed_req_why = g_steal_pointer (&c->unparsed_why);
    c->unparsed_frame = 0;
    read_response (cor, ex, resp);
    exchange_recharge (ex);
    if (!ex->failed) {
      aggregate_response (cor, ex);
      w4_cor_exchange_unref (ex);
      return;
    }
  } else {
    read_response (cor, ex, resp);
  }
  awaiting_answered (cor, ex);
  w4_cor_ca_on_response (cor, ex, resp);
  if (ex->failed && ex->h2 && w4_cor_ca_challenges (ex)) {
    if (c->ca_challenge != NULL)
      w4_cor_exchange_unref (c->ca_challenge);
    c->ca_challenge = exchange_ref (ex);
  }
  w4_cor_jar_response (cor, ex, resp);
  aggregate_response (cor, ex);
  w4_cor_redirect_on_response (cor, ex, resp);
  w4_cor_csrf_on_response (cor, ex);
  w4_cor_digest_on_response (cor, ex);
  w4_cor_proxy_on_response (cor, ex);
  w4_cor_clock_on_response (cor, ex, resp);
  exchange_recharge (ex);

  if (ex->failed) {
    const W4CorCred *mc = w4_cor_main_cred (ex, ex->status);

    cor->failed_responses++;
    /* A first handshake leg answered by the server's leg is no rejection:
     * NTLM type 1 messages repeat byte for byte and would look like a storm. */
    if (mc != NULL && ex->status != 403 && !w4_cor_intermediate_leg (ex, mc))
      note_rejection (cor, ex, mc);
    order_add (cor, exchange_ref (ex));
    due_push (cor, exchange_ref (ex));
    ex->look = lookahead_of (cor, ex);
    if (ex->look != LOOK_NONE)
      awaiting_add (cor, ex);
    while (c->body_wait.length > 0 && c->body_wait.length >= cor->limits.v[W4_LIMIT_BODY_WAITS]) {
      note_limit (cor, W4_LIMIT_BODY_WAITS, ex->resp_frame, ex->resp_ts);
      w4_cor_exchange_unref (g_queue_pop_head (&c->body_wait));
    }
    g_queue_push_tail (&c->body_wait, exchange_ref (ex));
    decide_overflow (cor);
  }
  w4_cor_exchange_unref (ex);
}

static void
on_body (void *user, const W4HttpBody *body)
{
  W4Correlate *cor = user;
  W4CorConn *c;

  /* (most bodies find no failure waiting: nothing changes, and the budget
   * is not touched) */
  if (body->dir != W4_DIR_TO_CLIENT)
    return;
  c = g_hash_table_lookup (cor->conns, &body->conn->conn_id);
  if (c == NULL)
    return;
  for (GList *l = c->body_wait.head; l != NULL; l = l->next) {
    W4CorExchange *ex = l->data;

    if (ex->h2 ? ex->h2_stream != body->h2_stream : ex->resp_seq != body->seq)
      continue;
    /* The challenge's words win, unless they are a bare error code and the
     * body says more (servers often put the description only there). */
    if ((ex->server_message == NULL || ex->message_bare) && body->prefix.len > 0) {
      char *said = w4_message_from_body (ex->content_type, body->prefix.ptr, body->prefix.len);
      if (said != NULL &&
          (ex->server_message == NULL || strlen (said) > strlen (ex->server_message))) {
        g_free (ex->server_message);
        ex->server_message = said;
        ex->message_from_challenge = FALSE;
        ex->message_bare = FALSE;
        exchange_recharge (ex);
      } else {
        g_free (said);
      }
    }
    g_queue_delete_link (&c->body_wait, l);
    w4_cor_exchange_unref (ex);
    budget_touch (cor);
    return;
  }
}

void
w4_cor_anomaly (W4Correlate *cor, const W4Anomaly *what)
{
  g_return_if_fail (cor != NULL && what != NULL);

  budget_touch (cor);
  switch (what->kind) {
  case W4_ANOM_WARNING:
    /* A damaged file can repeat the same warning for every record. */
    if (what->message != NULL && cor->warnings->len < 100)
      g_ptr_array_add (cor->warnings, g_strdup (what->message));
    else if (what->message != NULL)
      cor->warnings_dropped++;
    break;
  case W4_ANOM_HTTP_ERROR:
    /* a message dissect could not read at all: counted and named, since
     * its 401 (or its credentials) is missing from every finding */
    if (cor->http_unparsed++ == 0) {
      cor->unparsed_frame = what->frame;
      cor->unparsed_why = g_strdup (what->message);
      cor->unparsed_file = what->conn ? what->conn->file_index : 0;
    }
    if (what->conn != NULL && what->dir == W4_DIR_TO_SERVER) {
      /* the response that comes without its request names it */
      W4CorConn *c = g_hash_table_lookup (cor->conns, &what->conn->conn_id);
      if (c != NULL && c->unparsed_frame == 0) {
        c->unparsed_frame = what->frame;
        c->unparsed_why = g_strdup (what->message);
      }
    }
    break;
  case W4_ANOM_LIMIT:
    if (what->limit < W4_LIMIT_COUNT)
      note_limit_why (cor, what->limit, what->frame, what->ts, what->message);
    break;
  case W4_ANOM_GAP: {
    W4CorRiskAcc *a;
    if (what->conn == NULL)
      break;
    a = g_hash_table_lookup (cor->gaps, &what->conn->conn_id);
    if (a == NULL) {
      char buf[W4_ENDPOINT_STRLEN];
      guint64 *key;
      if (g_hash_table_size (cor->gaps) >= cor->limits.v[W4_LIMIT_GAP_CONNECTIONS]) {
        note_limit (cor, W4_LIMIT_GAP_CONNECTIONS, what->frame, what->ts);
        break;
      }
      a = g_new0 (W4CorRiskAcc, 1);
      a->cause = W4_CAUSE_GAP;
      a->first_frame = what->frame;
      a->first_ts = what->ts;
      a->stream = frame_stream (cor, what->conn, what->frame);
      a->client_ep = what->conn->client;
      a->server_ep = what->conn->server;
      a->tls = w4_conn_over_tls (what->conn);
      a->h2_stream = -1;
      a->client = g_strdup (w4_endpoint_format (&what->conn->client, buf, sizeof buf));
      a->server = g_strdup (w4_endpoint_format (&what->conn->server, buf, sizeof buf));
      a->server_port = what->conn->server.port;
      key = g_new (guint64, 1);
      *key = what->conn->conn_id;
      g_hash_table_insert (cor->gaps, key, a);
    }
    a->count++;
    a->bytes += what->count;
    break;
  }
  default:
    break;
  }
}

static void
on_anomaly (void *user, const W4Anomaly *what)
{
  w4_cor_anomaly (user, what);
}

W4Sink
w4_cor_sink (W4Correlate *cor)
{
  W4Sink s = {
    .on_conn_open = on_conn_open,
    .on_conn_close = on_conn_close,
    .on_request = on_request,
    .on_response = on_response,
    .on_body = on_body,
    .on_anomaly = on_anomaly,
    .on_tls = on_tls,
    .on_h2 = on_h2,
    .on_h2_reset = on_h2_reset,
    .user = cor,
    .on_tls_alert = on_tls_alert,
  };
  return s;
}

/* ---- deciding and releasing ---------------------------------------------- */

static void
emit (W4Correlate *cor, W4Finding *f)
{
  if (cor->sink.on_finding)
    cor->sink.on_finding (cor->sink.user, f);
  else
    w4_finding_free (f);
}

static void
decide (W4Correlate *cor, W4CorExchange *ex)
{
  ex->finding = w4_cor_decide (cor, ex);
  ex->decided = TRUE;
  awaiting_remove (cor, ex);
  if (ex->finding->kind == W4_KIND_FAILURE || ex->finding->kind == W4_KIND_NOTE)
    cor->by_cause[ex->finding->cause]++;
  w4_cor_history_on_decided (cor, ex);
}

/* Decided before its look-ahead ended (over the budget or the undecided
 * limit): the finding says so. */
static void
decide_early (W4Correlate *cor, W4CorExchange *ex)
{
  decide (cor, ex);
  ex->finding->decided_early = TRUE;
}

/* The first failure not yet released in response order, or NULL. */
static W4CorExchange *
order_first (W4Correlate *cor)
{
  GSequenceIter *it = g_sequence_get_begin_iter (cor->order);
  W4CorExchange *late = g_sequence_iter_is_end (it) ? NULL : g_sequence_get (it);
  W4CorExchange *head = cor->in_order_head;

  if (head == NULL || (late != NULL && order_cmp (late, head, NULL) < 0))
    return late;
  return head;
}

/* Releases decided findings from the head of the response order: a finding
 * never waits for one later in that order, only for earlier undecided ones. */
static void
release (W4Correlate *cor)
{
  for (;;) {
    W4CorExchange *ex = order_first (cor);

    if (ex == NULL || !ex->decided)
      return;
    emit (cor, g_steal_pointer (&ex->finding));
    if (ex == cor->in_order_head) {
      cor->in_order_head = ex->order_next;
      if (cor->in_order_head == NULL)
        cor->in_order_tail = NULL;
      ex->order_next = NULL;
      w4_cor_exchange_unref (ex);
    } else {
      /* The sequence owns a reference: removing drops it. */
      g_sequence_remove (g_sequence_get_begin_iter (cor->order));
    }
  }
}

static void
decide_due (W4Correlate *cor, gboolean all)
{
  for (;;) {
    W4CorExchange *ex = cor->due_head;

    if (ex == NULL)
      break;
    if (!all && w4_time_diff_usec (ex->resp_done_ts, cor->now) <
                  (gint64) cor->opts.decide_after_sec * G_USEC_PER_SEC)
      break;
    due_pop (cor);
    decide (cor, ex);
    w4_cor_exchange_unref (ex);
    /* Released as soon as it may be (its finding is in response order
     * behind earlier undecided ones only): at the end all pending failures
     * are decided here, and their findings must not all exist at once. */
    release (cor);
  }
  /* This runs for every frame. After a release the head of cor->order is
   * undecided (or there is none), and only decide () above makes one
   * decided, so without a decision there is nothing to release. */
}

/* A flood of failures within the look-ahead must not hold them all until
 * their time comes: past the undecided limit the oldest is decided now,
 * with the look-ahead it has (its finding may say less), and counted. */
static void
decide_overflow (W4Correlate *cor)
{
  gboolean decided = FALSE;

  while (cor->due_len > 0 && cor->due_len > cor->limits.v[W4_LIMIT_UNDECIDED]) {
    W4CorExchange *ex = due_pop (cor);

    note_limit (cor, W4_LIMIT_UNDECIDED, ex->resp_frame, ex->resp_ts);
    decide_early (cor, ex);
    decided = TRUE;
    w4_cor_exchange_unref (ex);
  }
  if (decided)
    release (cor);
}

/* ---- what the budget evicts ---------------------------------------------- */

/* Items an evictor gives up per call: w4_budget_enforce asks again while
 * the use is over its low mark. */
#define W4_COR_EVICT_BATCH 64

/* A failure decided early no longer waits for its body: what the body
 * says could not change its finding. */
static void
drop_body_wait (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorConn *c = g_hash_table_lookup (cor->conns, &ex->conn_id);

  if (c != NULL && g_queue_remove (&c->body_wait, ex))
    w4_cor_exchange_unref (ex);
}

/* W4_EVICT_DECIDED_EARLY: the oldest failures awaiting their look-ahead
 * are decided now, as past the undecided limit (their findings may say
 * less), and released when the response order allows. Counted by the
 * budget (evicted[W4_EVICT_DECIDED_EARLY]), not as a limit. */
static guint64
evict_decide_early (void *user, guint64 want)
{
  W4Correlate *cor = user;
  W4Budget *b = cor->limits.budget;
  guint64 start = b->used, n = 0;

  while (cor->due_len > 0 && n < W4_COR_EVICT_BATCH && start - MIN (start, b->used) < want) {
    W4CorExchange *ex = due_pop (cor);

    decide_early (cor, ex);
    drop_body_wait (cor, ex);
    w4_cor_exchange_unref (ex);
    release (cor);
    n++;
  }
  return n;
}

/* A risk accumulator over the budget, with its key in its table. */
typedef struct {
  gpointer key;
  W4CorRiskAcc *acc;
} W4CorAccSlot;

static gint
acc_slot_cmp (gconstpointer a, gconstpointer b)
{
  const W4CorAccSlot *x = a, *y = b;

  if (x->acc->first_frame != y->acc->first_frame)
    return x->acc->first_frame < y->acc->first_frame ? -1 : 1;
  /* the keys are unique: the same order whatever the hash order */
  return strcmp (x->key, y->key);
}

/* Gives up the @n oldest (by first frame) accumulators of @table (string
 * keys, values that begin with a W4CorRiskAcc: cleartext, storms). One
 * that would have been a finding at the end (@is_finding) is decided now,
 * with the count it has: a later credential of its group starts a new one.
 * Returns how many went. */
static guint64
evict_accs (W4Correlate *cor, GHashTable *table, guint64 n,
            gboolean (*is_finding) (const W4CorRiskAcc *acc))
{
  g_autoptr (GArray) slots = g_array_sized_new (FALSE, FALSE, sizeof (W4CorAccSlot),
                                                g_hash_table_size (table));
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    W4CorAccSlot slot = { k, v };
    g_array_append_val (slots, slot);
  }
  g_array_sort (slots, acc_slot_cmp);
  n = MIN (n, slots->len);
  for (guint i = 0; i < n; i++) {
    const W4CorAccSlot *slot = &g_array_index (slots, W4CorAccSlot, i);

    if (is_finding (slot->acc))
      emit (cor, w4_cor_risk_finding (cor, slot->acc));
    /* the last-group caches must not point at a group that is gone */
    if (cor->last_storm.group == slot->acc)
      last_group_clear (&cor->last_storm);
    if (cor->last_cleartext.group == slot->acc)
      last_group_clear (&cor->last_cleartext);
    group_release (cor, slot->acc);
    g_hash_table_remove (table, slot->key);
  }
  return n;
}

static gboolean
cleartext_is_finding (const W4CorRiskAcc *acc)
{
  return TRUE;
}

static gboolean
storm_is_finding (const W4CorRiskAcc *acc)
{
  return ((const W4CorStorm *) (const void *) acc)->storm;
}

/* How many of @table's @per_item-byte records to give up for @want bytes:
 * an eighth of them at least, so that the sort is paid once per eighth. */
static guint64
evict_count (GHashTable *table, guint64 per_item, guint64 want)
{
  return MAX (want / per_item + 1, g_hash_table_size (table) / 8);
}

/* W4_EVICT_STATE, oldest client state first: the window's oldest
 * exchanges (the least recently used clients' windows, as at the clients
 * and exchanges limits: their look-aheads then see less), then the least
 * recently used credential histories (findings about those credentials
 * say less), then the retry-storm counts (the oldest groups first; a storm
 * found already is reported now), then summary.by_principal's rows that
 * count fewest, then the cleartext-credentials groups (reported now, with
 * the count they have). */
static guint64
evict_state (void *user, guint64 want)
{
  W4Correlate *cor = user;
  W4Budget *b = cor->limits.budget;
  guint64 start = b->used, n = 0;

  while (cor->window.length > 0 && n < W4_COR_EVICT_BATCH * 4 &&
         start - MIN (start, b->used) < want) {
    window_pop (cor);
    n++;
  }
  if (n > 0)
    return n;
  n = w4_cor_cred_history_evict (cor, want, W4_COR_EVICT_BATCH * 4);
  if (n > 0)
    return n;
  if (g_hash_table_size (cor->storms) > 0)
    n = evict_accs (cor, cor->storms, evict_count (cor->storms, sizeof (W4CorStorm), want),
                    storm_is_finding);
  else if (g_hash_table_size (cor->principals) > 0)
    n = w4_cor_principals_evict (cor, evict_count (cor->principals, sizeof (W4PrincipalStat),
                                                   want));
  else if (g_hash_table_size (cor->cleartext) > 0)
    n = evict_accs (cor, cor->cleartext, evict_count (cor->cleartext, sizeof (W4CorRiskAcc), want),
                    cleartext_is_finding);
  return n;
}

void
w4_cor_time (W4Correlate *cor, W4Time now)
{
  guint64 due;
  guint window;

  g_return_if_fail (cor != NULL);

  /* The caller's clock (the pipeline's, w4-clock.h): it never steps back
   * a little (INPUT.md allows that of frames), only when the traffic
   * confirms that an earlier time was an outlier. */
  cor->now = now;
  due = cor->due_len;
  window = cor->window.length;
  decide_due (cor, FALSE);
  window_prune (cor, cor->now);
  if (w4_cor_ca_on_time (cor, cor->now) > 0 || cor->due_len != due ||
      cor->window.length != window)
    budget_touch (cor);
  budget_sync (cor);
}

void
w4_cor_count_frame (W4Correlate *cor, const W4FrameInfo *fi)
{
  g_return_if_fail (cor != NULL && fi != NULL);
  cor->packets++;
  cor->bytes += fi->wirelen;
  /* Files are read one after another: a new index starts a file. */
  if (cor->file_starts->len == 0 ||
      g_array_index (cor->file_starts, W4CorFileStart, cor->file_starts->len - 1).file_index !=
        fi->file_index) {
    W4CorFileStart st = { fi->frame, fi->file_index };
    g_array_append_val (cor->file_starts, st);
  }
}

void
w4_cor_set_file_name (W4Correlate *cor, guint file_index, const char *name)
{
  g_return_if_fail (cor != NULL);
  if (file_index >= cor->limits.v[W4_LIMIT_FILES]) {
    note_limit (cor, W4_LIMIT_FILES, 0, cor->now);
    return;
  }
  if (cor->file_names->len <= file_index)
    g_ptr_array_set_size (cor->file_names, file_index + 1);
  g_free (g_ptr_array_index (cor->file_names, file_index));
  g_ptr_array_index (cor->file_names, file_index) = g_strdup (name);
}

void
w4_cor_set_warn (W4Correlate *cor, W4AnomalyFunc warn, void *user)
{
  g_return_if_fail (cor != NULL);
  cor->warn = warn;
  cor->warn_user = user;
}

void
w4_cor_set_connections (W4Correlate *cor, guint64 n)
{
  g_return_if_fail (cor != NULL);
  cor->connections = n;
}

W4Correlate *
w4_cor_new (const W4Limits *limits, const W4CorrelateOptions *opts, const W4FindingSink *sink)
{
  W4Correlate *cor = g_new0 (W4Correlate, 1);

  if (limits)
    cor->limits = *limits;
  else
    w4_limits_init (&cor->limits);
  if (opts)
    cor->opts = *opts;
  else
    cor->opts.decide_after_sec = W4_COR_LOOKAHEAD_SEC;
  if (sink)
    cor->sink = *sink;
  cor->conns = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, conn_free);
  cor->clients = g_hash_table_new_full (addr_hash_cb, addr_equal_cb, NULL, client_free);
  cor->awaiting = g_hash_table_new (g_int64_hash, g_int64_equal);
  cor->scratch = g_hash_table_new (g_int64_hash, g_int64_equal);
  cor->cred_cache = g_hash_table_new (key_hash, g_str_equal);
  cor->challenge_cache = g_hash_table_new (key_hash, g_str_equal);
  cor->creds = w4_cor_cred_history_new (cor->limits.budget);
  cor->servers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, server_free);
  cor->principals =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, w4_principal_stat_free);
  cor->order = g_sequence_new (exchange_unref_cb);
  cor->cleartext = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, risk_acc_free);
  cor->storms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, storm_free);
  cor->gaps = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, risk_acc_free);
  cor->undecrypted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, risk_acc_free);
  cor->unparsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, risk_acc_free);
  cor->digest = w4_cor_digest_new ();
  cor->cookie_jar = w4_cor_jar_new ();
  cor->clocks = w4_cor_clock_new ();
  cor->file_names = g_ptr_array_new_with_free_func (g_free);
  cor->file_starts = g_array_new (FALSE, FALSE, sizeof (W4CorFileStart));
  cor->bare_frames = g_array_new (FALSE, FALSE, sizeof (guint64));
  cor->warnings = g_ptr_array_new_with_free_func (g_free);
  cor->conn_auth = w4_cor_ca_new ();
  cor->redirects = w4_cor_redirects_new ();
  cor->csrf = w4_cor_csrf_new ();
  cor->proxy = w4_cor_proxy_new ();
  if (cor->limits.budget != NULL) {
    w4_budget_set_evictor (cor->limits.budget, W4_EVICT_DECIDED_EARLY, evict_decide_early, cor);
    w4_budget_set_evictor (cor->limits.budget, W4_EVICT_STATE, evict_state, cor);
  }
  return cor;
}

void
w4_cor_free (W4Correlate *cor)
{
  if (cor == NULL)
    return;
  if (cor->limits.budget != NULL) {
    W4Budget *b = cor->limits.budget;

    w4_budget_set_evictor (b, W4_EVICT_DECIDED_EARLY, NULL, NULL);
    w4_budget_set_evictor (b, W4_EVICT_STATE, NULL, NULL);
    charge_to (b, W4_MEM_CLIENTS, &cor->charged_conns, 0);
    charge_to (b, W4_MEM_AGGREGATES, &cor->charged_aggregates, 0);
    charge_to (b, W4_MEM_TRACKERS, &cor->charged_trackers, 0);
    charge_to (b, W4_MEM_AGGREGATES, &cor->charged_groups, 0);
    charge_to (b, W4_MEM_AGGREGATES, &cor->charged_principals, 0);
  }
  g_hash_table_unref (cor->conns);
  w4_cor_ca_free (cor->conn_auth); /* exchanges keep their own refs to legs */
  while (cor->window.length > 0)
    window_pop (cor);
  g_hash_table_unref (cor->clients);
  g_hash_table_unref (cor->awaiting);
  g_hash_table_unref (cor->scratch);
  w4_cor_cred_history_free (cor->creds);
  g_hash_table_unref (cor->servers);
  g_hash_table_unref (cor->principals);
  while (cor->due_head != NULL)
    w4_cor_exchange_unref (due_pop (cor));
  while (cor->in_order_head != NULL) {
    W4CorExchange *ex = cor->in_order_head;

    cor->in_order_head = ex->order_next;
    w4_cor_exchange_unref (ex);
  }
  g_sequence_free (cor->order);
  last_group_clear (&cor->last_cleartext);
  last_group_clear (&cor->last_storm);
  last_group_clear (&cor->last_server);
  for (guint i = 0; i < W4_COR_LAST_FIELDS; i++)
    for (guint j = 0; j < W4_COR_LAST_KEPT; j++)
      unintern (cor->last_interned[i].s[j]);
  g_hash_table_unref (cor->cleartext);
  g_hash_table_unref (cor->storms);
  g_hash_table_unref (cor->gaps);
  g_hash_table_unref (cor->undecrypted);
  g_hash_table_unref (cor->unparsed);
  w4_cor_digest_free (cor->digest);
  w4_cor_jar_free (cor->cookie_jar);
  w4_cor_clock_free (cor->clocks);
  g_ptr_array_unref (cor->file_names);
  g_array_unref (cor->file_starts);
  g_array_unref (cor->bare_frames);
  g_ptr_array_unref (cor->warnings);
  g_free (cor->unparsed_why);
  w4_cor_redirects_free (cor->redirects);
  w4_cor_csrf_free (cor->csrf);
  w4_cor_proxy_free (cor->proxy);
  {
    /* every credential went with its exchanges; one that did not must
     * not reach for the table later */
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init (&it, cor->cred_cache);
    while (g_hash_table_iter_next (&it, NULL, &v))
      ((W4CorCred *) v)->cache = NULL;
    g_hash_table_unref (cor->cred_cache);
    g_hash_table_iter_init (&it, cor->challenge_cache);
    while (g_hash_table_iter_next (&it, NULL, &v))
      ((W4CorChallengeSet *) v)->cache = NULL;
    g_hash_table_unref (cor->challenge_cache);
  }
  g_free (cor);
}

/* ---- the end ------------------------------------------------------------- */

static gint
acc_cmp (gconstpointer a, gconstpointer b)
{
  const W4CorRiskAcc *x = *(W4CorRiskAcc *const *) a, *y = *(W4CorRiskAcc *const *) b;

  if (x->first_frame != y->first_frame)
    return x->first_frame < y->first_frame ? -1 : 1;
  return g_strcmp0 (x->scheme, y->scheme);
}

/* Emits the findings of @accs (W4CorRiskAcc*) in order of first frame. */
static void
emit_accs (W4Correlate *cor, GPtrArray *accs)
{
  g_ptr_array_sort (accs, acc_cmp);
  for (guint i = 0; i < accs->len; i++)
    emit (cor, w4_cor_risk_finding (cor, g_ptr_array_index (accs, i)));
}

static gint
server_stat_cmp (gconstpointer a, gconstpointer b)
{
  const W4ServerStat *x = *(W4ServerStat *const *) a, *y = *(W4ServerStat *const *) b;

  if (x->failed != y->failed)
    return x->failed > y->failed ? -1 : 1;
  if (x->total != y->total)
    return x->total > y->total ? -1 : 1;
  return g_strcmp0 (x->server, y->server);
}

static gint
principal_stat_cmp (gconstpointer a, gconstpointer b)
{
  const W4PrincipalStat *x = *(W4PrincipalStat *const *) a, *y = *(W4PrincipalStat *const *) b;

  if (x->failed != y->failed)
    return x->failed > y->failed ? -1 : 1;
  if (x->succeeded != y->succeeded)
    return x->succeeded > y->succeeded ? -1 : 1;
  return g_strcmp0 (x->principal, y->principal);
}

static char *
schemes_string (const W4CorServer *s)
{
  static const W4Scheme order[] = {
    W4_SCHEME_BASIC, W4_SCHEME_BEARER, W4_SCHEME_DIGEST, W4_SCHEME_NTLM, W4_SCHEME_NEGOTIATE,
    W4_SCHEME_APIKEY, W4_SCHEME_COOKIE, W4_SCHEME_OTHER, W4_SCHEME_NONE,
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
    if (!(s->schemes & (1u << order[i])))
      continue;
    if (out->len > 0)
      g_string_append_c (out, ',');
    if (order[i] == W4_SCHEME_OTHER && s->other_scheme)
      g_string_append (out, s->other_scheme);
    else
      g_string_append (out, w4_auth_scheme_name (order[i]));
  }
  return g_string_free (out, FALSE);
}

/* (transfer full) The warning for the HTTP messages that could not be
 * parsed (cor->http_unparsed > 0). */
static char *
unparsed_warning (W4Correlate *cor)
{
  const char *file = w4_cor_file_name (cor, cor->unparsed_file);

  return g_strdup_printf ("%" G_GUINT64_FORMAT " HTTP %s could not be parsed and %s "
                          "not analysed (the first in frame %" G_GUINT64_FORMAT "%s%s: %s)",
                          cor->http_unparsed, cor->http_unparsed == 1 ? "message" : "messages",
                          cor->http_unparsed == 1 ? "is" : "are", cor->unparsed_frame,
                          file ? " of " : "", file ? file : "",
                          cor->unparsed_why ? cor->unparsed_why : "parse error");
}

/* Once, at the end (only then is the count known): the same line on
 * stderr as in summary.warnings, as every other warning. */
static void
warn_unparsed_messages (W4Correlate *cor)
{
  g_autofree char *msg = NULL;
  W4Anomaly what = { 0 };

  if (cor->http_unparsed == 0 || cor->warn == NULL)
    return;
  msg = unparsed_warning (cor);
  what.kind = W4_ANOM_WARNING;
  what.message = msg;
  cor->warn (cor->warn_user, &what);
}

static W4Summary *
build_summary (W4Correlate *cor)
{
  W4Summary *s = g_new0 (W4Summary, 1);
  GHashTableIter it;
  gpointer v;

  s->packets = cor->packets;
  s->bytes = cor->bytes;
  s->connections = cor->connections;
  s->http_requests = cor->http_requests;
  s->http_responses = cor->http_responses;
  s->failed_responses = cor->failed_responses;
  s->http_unparsed = cor->http_unparsed;
  memcpy (s->by_cause, cor->by_cause, sizeof s->by_cause);

  s->by_server = g_ptr_array_new_with_free_func (w4_server_stat_free);
  g_hash_table_iter_init (&it, cor->servers);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    const W4CorServer *sv = v;
    W4ServerStat *st = g_new0 (W4ServerStat, 1);
    guint best = 0;

    st->server = g_strdup (sv->endpoint);
    st->tunnel = g_strdup (sv->tunnel_to);
    st->proxy = sv->proxy;
    for (guint i = 1; i < W4_COR_HOSTS_PER_SERVER; i++)
      if (sv->host_counts[i] > sv->host_counts[best])
        best = i;
    st->host = g_strdup (sv->hosts[best]);
    st->failed = sv->failed;
    st->total = sv->total;
    st->schemes = schemes_string (sv);
    for (guint i = 0; i < sv->n_alerts; i++) {
      W4TlsAlertStat a = sv->alerts[i];
      if (st->tls_alerts == NULL)
        st->tls_alerts = g_array_new (FALSE, FALSE, sizeof (W4TlsAlertStat));
      guint file_index = 0;
      a.name = tls_alert_name (a.description);
      a.frame = w4_cor_locate (cor, a.frame, &file_index);
      a.file = w4_cor_file_name (cor, file_index);
      g_array_append_val (st->tls_alerts, a);
    }
    g_ptr_array_add (s->by_server, st);
  }
  g_ptr_array_sort (s->by_server, server_stat_cmp);

  s->by_principal = g_ptr_array_new_with_free_func (w4_principal_stat_free);
  g_hash_table_iter_init (&it, cor->principals);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    const W4PrincipalStat *p = v;
    W4PrincipalStat *st = g_new0 (W4PrincipalStat, 1);

    st->principal = g_strdup (p->principal);
    st->failed = p->failed;
    st->succeeded = p->succeeded;
    g_ptr_array_add (s->by_principal, st);
  }
  g_ptr_array_sort (s->by_principal, principal_stat_cmp);

  s->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < cor->warnings->len; i++)
    g_ptr_array_add (s->warnings, g_strdup (g_ptr_array_index (cor->warnings, i)));
  if (cor->warnings_dropped > 0)
    g_ptr_array_add (s->warnings,
                     g_strdup_printf ("%" G_GUINT64_FORMAT " more %s not kept (the first 100 are "
                                      "above)", cor->warnings_dropped,
                                      cor->warnings_dropped == 1 ? "warning was"
                                                                 : "warnings were"));
  if (cor->http_unparsed > 0)
    g_ptr_array_add (s->warnings, unparsed_warning (cor));
  w4_cor_history_summary (cor, s);
  return s;
}

/* HTTP/2 that was not parsed hides failures: summary.warnings says so
 * too, once per server (in the infos' order), beside the not-parsed info. */
static void
warn_unparsed (W4Correlate *cor)
{
  g_autoptr (GPtrArray) accs = w4_cor_values_sorted (cor->unparsed, acc_cmp);

  for (guint i = 0; i < accs->len; i++) {
    const W4CorRiskAcc *a = g_ptr_array_index (accs, i);

    if (cor->warnings->len >= 100) {
      cor->warnings_dropped++;
      continue;
    }
    g_ptr_array_add (cor->warnings,
                     g_strdup_printf ("HTTP/2 on %" G_GUINT64_FORMAT " connection%s to %s was "
                                      "not parsed: 401, 407 and 403 responses inside it are not "
                                      "reported",
                                      a->count, a->count == 1 ? "" : "s", a->server));
  }
}

W4Summary *
w4_cor_finish (W4Correlate *cor)
{
  g_autoptr (GPtrArray) accs = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;

  g_return_val_if_fail (cor != NULL, NULL);

  if (!cor->finished) {
    cor->finished = TRUE;
    decide_due (cor, TRUE);

    /* Risks: counts are over the whole capture, so they are decided now. */
    g_hash_table_iter_init (&it, cor->cleartext);
    while (g_hash_table_iter_next (&it, NULL, &v))
      g_ptr_array_add (accs, v);
    g_hash_table_iter_init (&it, cor->storms);
    while (g_hash_table_iter_next (&it, NULL, &v))
      if (((W4CorStorm *) v)->storm)
        g_ptr_array_add (accs, &((W4CorStorm *) v)->acc);
    emit_accs (cor, accs);

    /* Infos: what could not be inspected. */
    g_ptr_array_set_size (accs, 0);
    g_hash_table_iter_init (&it, cor->undecrypted);
    while (g_hash_table_iter_next (&it, NULL, &v))
      g_ptr_array_add (accs, v);
    g_hash_table_iter_init (&it, cor->unparsed);
    while (g_hash_table_iter_next (&it, NULL, &v))
      g_ptr_array_add (accs, v);
    warn_unparsed (cor);
    warn_unparsed_messages (cor);
    g_hash_table_iter_init (&it, cor->gaps);
    while (g_hash_table_iter_next (&it, NULL, &v))
      g_ptr_array_add (accs, v);
    emit_accs (cor, accs);
    for (guint i = 0; i < W4_LIMIT_COUNT; i++)
      if (cor->limit_hits[i] > 0)
        emit (cor, w4_cor_limit_finding (cor, i));
    budget_touch (cor);
    budget_sync (cor);
  }
  return build_summary (cor);
}
