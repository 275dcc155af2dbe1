/* track-credential.c: the credential histories (track-credential.h).
 *
 * A record per (server, credential): the agg_key of W4CorCred names it
 * ("server|fingerprint", a cookie's "server|cookie:name|fingerprint"), so a
 * record holds only counts, frames and times, never a secret. Records live
 * for the whole capture (a session that expired an hour after its first
 * success is still explained); at the "credentials" limit the least
 * recently used record gives way, so a capture with ever new tokens keeps
 * the recent ones, and the drop is counted through w4_cor_note_limit. A
 * forgotten history only means that a later failure of that credential is
 * explained without it (rejected-credentials instead of session-expired),
 * and the `limit` info says that happened.
 *
 * Each record is charged to the run's budget (W4_MEM_AGGREGATES) by what it
 * holds, when it is made and until it goes; over the budget the least
 * recently used ones give way first (w4_cor_cred_history_evict, the
 * engine's W4_EVICT_STATE), as at the limit but without counting a limit. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-credential.h"

#include <string.h>

typedef struct {
  W4CorCredAgg agg;        /* first: w4_cor_cred_agg hands out &rec->agg */
  char *key;               /* (owned) the credential's agg_key */
  GList link;              /* in W4CorCredHistory.order (no allocation of its own) */
} Rec;

struct W4CorCredHistory {
  GHashTable *by_key;      /* key -> Rec* (owned) */
  GQueue order;            /* Rec*, least recently used first */
  W4Budget *budget;        /* (transfer none) the run's, or NULL */
  guint64 charged;         /* what the records are charged, all told */
};

/* What @r holds: the record, its key, its slot in by_key. */
static guint64
rec_bytes (const Rec *r)
{
  return w4_cor_alloc_bytes (sizeof *r) + w4_cor_str_alloc_bytes (r->key) + W4_COR_HASH_SLOT;
}

static void
rec_free (gpointer p)
{
  Rec *r = p;

  g_free (r->key);
  g_free (r);
}

W4CorCredHistory *
w4_cor_cred_history_new (W4Budget *budget)
{
  W4CorCredHistory *h = g_new0 (W4CorCredHistory, 1);

  h->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, rec_free);
  g_queue_init (&h->order);
  h->budget = budget;
  return h;
}

void
w4_cor_cred_history_free (W4CorCredHistory *h)
{
  if (h == NULL)
    return;
  w4_budget_release (h->budget, W4_MEM_AGGREGATES, h->charged);
  /* the links are inside the records: the queue owns nothing */
  g_hash_table_unref (h->by_key);
  g_free (h);
}

/* Forgets the least recently used record. */
static void
rec_drop_oldest (W4CorCredHistory *h)
{
  Rec *old = g_queue_peek_head (&h->order);
  guint64 n = rec_bytes (old);

  g_queue_unlink (&h->order, &old->link);
  w4_budget_release (h->budget, W4_MEM_AGGREGATES, n);
  h->charged -= MIN (n, h->charged);
  g_hash_table_remove (h->by_key, old->key);
}

guint64
w4_cor_cred_history_evict (W4Correlate *cor, guint64 want, guint max)
{
  W4CorCredHistory *h = cor->creds;
  guint64 start = h->charged, n = 0;

  while (h->order.length > 0 && n < max && start - h->charged < want) {
    rec_drop_oldest (h);
    n++;
  }
  return n;
}

guint
w4_cor_cred_history_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->creds->by_key);
}

const W4CorCredAgg *
w4_cor_cred_agg (W4Correlate *cor, const char *agg_key)
{
  Rec *r = agg_key ? g_hash_table_lookup (cor->creds->by_key, agg_key) : NULL;

  return r ? &r->agg : NULL;
}

/* The record of @key, made (and the least recently used one forgotten at
 * the limit) when new; moved to the most recently used end. */
static Rec *
rec_touch (W4Correlate *cor, const char *key, const W4CorExchange *ex)
{
  W4CorCredHistory *h = cor->creds;
  Rec *r = g_hash_table_lookup (h->by_key, key);

  if (r != NULL) {
    g_queue_unlink (&h->order, &r->link);
    g_queue_push_tail_link (&h->order, &r->link);
    return r;
  }
  if (cor->limits.v[W4_LIMIT_CREDENTIALS] == 0) {
    w4_cor_note_limit (cor, W4_LIMIT_CREDENTIALS, ex->resp_frame, ex->resp_ts, NULL);
    return NULL;
  }
  if (g_hash_table_size (h->by_key) >= cor->limits.v[W4_LIMIT_CREDENTIALS]) {
    rec_drop_oldest (h);
    w4_cor_note_limit (cor, W4_LIMIT_CREDENTIALS, ex->resp_frame, ex->resp_ts, NULL);
  }
  r = g_new0 (Rec, 1);
  r->key = g_strdup (key);
  r->link.data = r;
  g_hash_table_insert (h->by_key, r->key, r);
  g_queue_push_tail_link (&h->order, &r->link);
  h->charged += rec_bytes (r);
  w4_budget_charge (h->budget, W4_MEM_AGGREGATES, rec_bytes (r));
  return r;
}

guint32
w4_cor_request_key (const W4CorExchange *ex)
{
  guint32 h = 2166136261u; /* FNV-1a over "METHOD target" */

  if (!ex->has_request || ex->method == NULL || ex->target == NULL)
    return 0;
  for (const char *p = ex->method; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * 16777619u;
  h = (h ^ ' ') * 16777619u;
  for (const char *p = ex->target; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * 16777619u;
  return h != 0 ? h : 1;
}

static void
note_success (W4CorCredAgg *a, const W4CorExchange *ex)
{
  guint32 request = w4_cor_request_key (ex);

  if (a->successes++ == 0) {
    a->first_success_frame = ex->resp_frame;
    a->first_success_stream = ex->resp_stream;
    a->first_success_ts = ex->resp_ts;
    a->first_success_request = request;
  }
  a->last_success_frame = ex->resp_frame;
  a->last_success_stream = ex->resp_stream;
  a->last_success_ts = ex->resp_ts;
  a->last_success_request = request;
  a->refused_frame = 0;
}

static void
note_failure (W4CorCredAgg *a, const W4CorExchange *ex)
{
  a->failures++;
  /* Only a 401 or 407 refuses the credential: a 403 after a success is
   * a permission this account lacks (permission-denied, forbidden), and
   * must not end the lifetime session-expired measures. */
  if (a->successes == 0 || ex->status == 403)
    return;
  if (a->refused_frame == 0) {
    a->refused_frame = ex->resp_frame;
    a->refused_stream = ex->resp_stream;
    a->refused_ts = ex->resp_ts;
  }
}

void
w4_cor_cred_on_response (W4Correlate *cor, const W4CorExchange *ex)
{
  gboolean success = ex->status < 400;

  if (!success && !ex->failed)
    return;
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);
    Rec *r = rec_touch (cor, c->agg_key, ex);

    if (r == NULL)
      continue;
    if (success)
      note_success (&r->agg, ex);
    else
      note_failure (&r->agg, ex);
  }
}

/* ---- the summary's per-server and per-principal facts -------------------- */

void
w4_cor_history_on_decided (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorServer *s = w4_cor_server_peek (cor, ex->server_key);
  const W4Finding *f = ex->finding;
  W4CorPrincipalAgg *p;

  if (s == NULL || f == NULL)
    return;
  if (f->kind == W4_KIND_NOTE)
    s->challenge_steps++;
  else if (f->kind == W4_KIND_FAILURE && f->cause == W4_CAUSE_REJECTED_CREDENTIALS &&
           f->principal != NULL && (p = g_hash_table_lookup (s->principals, f->principal)))
    p->rejected++;
}

/* Responses that got past authentication (neither 401, 407 nor 403). */
static guint64
got_through (const W4ServerStat *st)
{
  return st->total - MIN (st->failed, st->total);
}

/* Did @a get more responses past authentication than @b (then the
 * smaller key: deterministic)? */
static gboolean
more_through (const W4ServerStat *a, const W4ServerStat *b)
{
  if (got_through (a) != got_through (b))
    return got_through (a) > got_through (b);
  return g_strcmp0 (a->server, b->server) < 0;
}

static void
server_rates (W4Correlate *cor, GPtrArray *by_server)
{
  W4ServerStat *main_st = NULL;

  for (guint i = 0; i < by_server->len; i++) {
    W4ServerStat *st = g_ptr_array_index (by_server, i);
    g_autofree char *key = w4_cor_server_key (st->server, st->tunnel);
    const W4CorServer *sv = w4_cor_server_peek (cor, key);
    guint64 steps = sv ? MIN (sv->challenge_steps, st->failed) : 0;
    guint64 rest = st->total - steps;

    st->challenge_steps = steps;
    st->failure_rate = rest > 0 ? (gint) ((200 * (st->failed - steps) + rest) / (2 * rest)) : -1;
    /* a proxy is no application: the servers behind it are measured
     * against each other, not against it */
    if (!st->proxy && got_through (st) > 0 && (main_st == NULL || more_through (st, main_st)))
      main_st = st;
  }
  if (by_server->len < 2 || main_st == NULL || main_st->failure_rate >= 50)
    return;
  main_st->main = TRUE;
  for (guint i = 0; i < by_server->len; i++) {
    W4ServerStat *st = g_ptr_array_index (by_server, i);
    st->stands_out = st != main_st && !st->proxy && st->failure_rate >= 50;
  }
}

/* Is server @key's record of @p a better place to show its account-specific
 * failures than the one @st has: more failures there, then the smaller
 * key (deterministic, whatever the hash order). */
static gboolean
better_place (const W4PrincipalStat *st, const char *key, const W4CorPrincipalAgg *p)
{
  if (st->specific_server == NULL)
    return TRUE;
  if (p->failed != st->specific_failed)
    return p->failed > st->specific_failed;
  return strcmp (key, st->specific_server) < 0;
}

static void
principal_specific (W4Correlate *cor, GPtrArray *by_principal)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it, pit;
  gpointer k, v, pk, pv;

  for (guint i = 0; i < by_principal->len; i++) {
    W4PrincipalStat *st = g_ptr_array_index (by_principal, i);
    g_hash_table_insert (by_name, st->principal, st);
  }
  g_hash_table_iter_init (&it, cor->servers);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    const W4CorServer *sv = v;
    const W4CorPrincipalAgg *ok = sv->recent_ok[0];

    if (ok == NULL)
      continue;
    g_hash_table_iter_init (&pit, sv->principals);
    while (g_hash_table_iter_next (&pit, &pk, &pv)) {
      const W4CorPrincipalAgg *p = pv;
      W4PrincipalStat *st;

      /* only rejections say something about the account: an expired
       * token or a wrong scheme does not */
      if (p->succeeded > 0 || p->rejected == 0)
        continue;
      st = g_hash_table_lookup (by_name, p->name);
      if (st == NULL || !better_place (st, k, p))
        continue;
      g_free (st->specific_server);
      g_free (st->specific_other);
      st->specific_server = g_strdup (k);
      st->specific_other = g_strdup (ok->name);
      st->specific_failed = p->failed;
      st->other_succeeded = ok->succeeded;
      st->other_total = ok->succeeded + ok->failed;
    }
  }
}

void
w4_cor_history_summary (W4Correlate *cor, W4Summary *sum)
{
  if (sum->by_server != NULL)
    server_rates (cor, sum->by_server);
  if (sum->by_principal != NULL)
    principal_specific (cor, sum->by_principal);
}
