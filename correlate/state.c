/* state.c: the correlator's shared state that rules and trackers read and
 * report into, below the engine (correlate.c) that feeds it: findings and
 * their evidence, every limit drop, the map from run-wide frame numbers to
 * files, and the servers' and principals' aggregates. Nothing here calls a
 * tracker or a rule, so every track-*.c and rule-*.c can use it without an
 * include circle back into the engine. */
#include "cor-private.h"

#include <string.h>

/* ---- findings -------------------------------------------------------------- */

/* An entry and its strings are one block (w4_finding_add_evidence_in). */
static void
evidence_free(gpointer p)
{
  g_free(p);
}

W4Finding *
w4_finding_new(void)
{
  W4Finding *f = g_new0(W4Finding, 1);

  f->stream = -1;
  f->client_port = f->server_port = -1;
  f->h2_stream = -1;
  f->evidence = g_ptr_array_new_with_free_func(evidence_free);
  return f;
}

void
w4_finding_free(W4Finding *f)
{
  if (f == NULL)
    return;
  g_free(f->client);
  g_free(f->server);
  g_free(f->tunnel);
  g_free(f->method);
  g_free(f->uri);
  g_free(f->host);
  g_free(f->file);
  g_free(f->request_file);
  g_free(f->principal);
  g_free(f->server_message);
  g_free(f->summary);
  g_free(f->fix);
  g_ptr_array_unref(f->evidence);
  g_free(f->wireshark_filter);
  g_free(f->client_ip);
  g_free(f->server_ip);
  g_free(f->community_id);
  g_free(f->sni);
  g_free(f->scheme);
  g_free(f);
}

void
w4_finding_add_evidence_in(W4Finding *f, guint64 frame, const char *file, const char *what)
{
  /* One allocation for the entry and its strings, not three: a finding
   * has three or four entries, and each was three mallocs and frees. */
  gsize what_size = what != NULL ? strlen(what) + 1 : 0;
  gsize file_size = file != NULL ? strlen(file) + 1 : 0;
  W4Evidence *e = g_malloc(sizeof *e + what_size + file_size);
  char *strings = (char *)(e + 1);

  e->frame = frame;
  e->what = what != NULL ? memcpy(strings, what, what_size) : NULL;
  e->file = file != NULL ? memcpy(strings + what_size, file, file_size) : NULL;
  g_ptr_array_add(f->evidence, e);
}

void
w4_finding_add_evidence(W4Finding *f, guint64 frame, const char *what)
{
  w4_finding_add_evidence_in(f, frame, NULL, what);
}

/* ---- limits ---------------------------------------------------------------- */

void
w4_cor_note_limit(W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts, const char *why)
{
  w4_cor_note_limit_drops(cor, id, frame, ts, why, 1);
}

/* What reaching a limit the correlator enforces itself means, for the
 * warning (the other stages' limits come with their own message). */
static const char *
limit_meaning(W4LimitId id)
{
  switch (id) {
  case W4_LIMIT_CLIENTS:
    return "too many clients at once: the oldest client state was dropped";
  case W4_LIMIT_EXCHANGES:
    return "too many exchanges kept for look-back: the oldest were dropped";
  case W4_LIMIT_PENDING_REQ:
    return "too many requests waiting for a response";
  case W4_LIMIT_SERVERS:
    return "too many servers: later ones are missing from the summary";
  case W4_LIMIT_PRINCIPALS:
    return "too many principals: later ones are missing from the summary";
  case W4_LIMIT_SERVER_PRINCIPALS:
    return "too many principals on one server: later ones are not compared with the others";
  case W4_LIMIT_CREDENTIALS:
    return "too many credentials: the least recently used one's history was forgotten, "
           "findings about it say less";
  case W4_LIMIT_RISK_GROUPS:
    return "too many cleartext-credentials groups: later ones were not reported";
  case W4_LIMIT_RETRY_GROUPS:
    return "too many rejected credentials: later ones are not checked for retry storms";
  case W4_LIMIT_GAP_CONNECTIONS:
    return "too many connections with gaps: later ones get no gap info";
  case W4_LIMIT_TLS_SERVERS:
    return "too many TLS servers: later ones get no not-decrypted info";
  case W4_LIMIT_H2_SERVERS:
    return "too many HTTP/2 servers: later ones get no not-parsed info";
  case W4_LIMIT_BARE_FRAGMENTS:
    return "too many IP fragments remembered: filters naming older ones leave out tcp.stream";
  case W4_LIMIT_UNDECIDED:
    return "too many failures awaiting their decision: the oldest were decided early";
  case W4_LIMIT_BODY_WAITS:
    return "too many failures awaiting their body on one connection: the oldest lost its "
           "server message";
  case W4_LIMIT_REQUEST_CREDENTIALS:
    return "too many credentials in one request: later ones were ignored";
  case W4_LIMIT_FILES:
    return "too many input files: findings in later ones do not name their file";
  case W4_LIMIT_CONN_AUTH:
    return "too many clients in NTLM/Negotiate handshakes: the oldest handshake was forgotten";
  case W4_LIMIT_REDIRECTS:
    return "too many redirects at once: the oldest were forgotten, their follow-ups not linked";
  case W4_LIMIT_CSRF_PAIRS:
    return "too many clients and servers with anti-forgery headers: the least recent were "
           "forgotten";
  case W4_LIMIT_COOKIES:
    return "too many cookies set: the least recently used were forgotten, cookie causes "
           "about them are not seen";
  case W4_LIMIT_COOKIES_PER_HOST:
    return "too many cookies for one host: the least recently used were forgotten";
  case W4_LIMIT_DATE_SERVERS:
    return "too many servers' clocks: the least recently seen were forgotten";
  case W4_LIMIT_H2_FRAME_BYTES:
    return "an HTTP/2 frame was longer: the rest of its connection's HTTP/2 was not read (a "
           "DATA frame's bytes were only counted)";
  case W4_LIMIT_H2_HEADER_BLOCK:
    return "an HTTP/2 header block was longer: the rest of its connection's HTTP/2 was not read";
  case W4_LIMIT_H2_DECODED_BYTES:
    return "an HTTP/2 message's decoded header fields were longer: the fields past it are "
           "missing from it";
  case W4_LIMIT_H2_STREAMS:
    return "too many HTTP/2 streams open on one connection: later ones are not reported";
  case W4_LIMIT_H2_HPACK_TABLE:
    return "an HTTP/2 peer allowed a larger HPACK table: held to the limit, a sender that uses "
           "more makes its connection's HTTP/2 unreadable";
  case W4_LIMIT_RETRY_SCAN:
    return "a failure's retry was looked for among only its client's next exchanges: a retry "
           "past them was not seen, and the failure is not called a challenge step";
  default:
    return NULL;
  }
}

/* Every drop at every limit of every stage ends here (capture's and
 * dissect's through w4_cor_anomaly): @n more things dropped. The first hit
 * is a warning for summary.warnings and, through the warn function, for
 * stderr; the `limit` info counts them all. */
void
w4_cor_note_limit_drops(W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts, const char *why,
                        guint64 n)
{
  const char *name = w4_limit_name(id);
  W4Anomaly what = { 0 };
  guint64 before = cor->limit_hits[id];

  cor->limit_hits[id] += n;
  if (before != 0 || n == 0)
    return;
  cor->limit_first_frame[id] = frame;
  cor->limit_first_ts[id] = ts;
  if (why == NULL)
    why = limit_meaning(id);
  g_ptr_array_add(cor->warnings, g_strdup_printf("limit %s reached%s%s; raise it with --limit %s=N",
                                                 name, why ? ": " : "", why ? why : "", name));
  what.kind = W4_ANOM_LIMIT;
  what.frame = frame;
  what.ts = ts;
  what.limit = id;
  what.message = why;
  if (cor->warn != NULL)
    cor->warn(cor->warn_user, &what);
}

/* ---- files and frames ------------------------------------------------------ */

const char *
w4_cor_file_name(W4Correlate *cor, guint file_index)
{
  if (file_index < cor->file_names->len)
    return g_ptr_array_index(cor->file_names, file_index);
  return NULL;
}

guint64
w4_cor_locate(W4Correlate *cor, guint64 frame, guint *file_index)
{
  const W4CorFileStart *starts = (const W4CorFileStart *)(void *)cor->file_starts->data;
  guint lo = 0, hi = cor->file_starts->len;

  /* the last file that starts at or before @frame */
  while (hi - lo > 1) {
    guint mid = lo + (hi - lo) / 2;
    if (starts[mid].first_frame <= frame)
      lo = mid;
    else
      hi = mid;
  }
  if (hi == 0 || frame == 0 || starts[lo].first_frame > frame) {
    /* no frame was counted (the engine fed by hand): one file */
    *file_index = hi == 0 ? 0 : starts[0].file_index;
    return frame;
  }
  *file_index = starts[lo].file_index;
  return frame - starts[lo].first_frame + 1;
}

static gboolean
bare_find(W4Correlate *cor, guint64 frame, guint *pos)
{
  const guint64 *v = (const guint64 *)(void *)cor->bare_frames->data;
  guint lo = 0, hi = cor->bare_frames->len;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (v[mid] < frame)
      lo = mid + 1;
    else
      hi = mid;
  }
  *pos = lo;
  return lo < cor->bare_frames->len && v[lo] == frame;
}

gboolean
w4_cor_frame_has_tcp(W4Correlate *cor, guint64 frame)
{
  guint pos;

  if (frame <= cor->bare_forgotten)
    return FALSE;
  return !bare_find(cor, frame, &pos);
}

void
w4_cor_ip_datagram(W4Correlate *cor, const W4IpPacket *pkt)
{
  g_return_if_fail(cor != NULL && pkt != NULL);
  if (pkt->proto != 6 || pkt->fi == NULL || pkt->frags == NULL)
    return;
  for (guint i = 0; i < pkt->n_frags; i++) {
    guint64 frame = pkt->frags[i].frame;
    guint pos;

    if (frame == pkt->fi->frame || frame <= cor->bare_forgotten || bare_find(cor, frame, &pos))
      continue;
    if (cor->bare_frames->len >= cor->limits.v[W4_LIMIT_BARE_FRAGMENTS]) {
      /* forget the older half (at least one); what is forgotten counts as
       * bare */
      guint drop = MAX(cor->bare_frames->len / 2, 1);
      w4_cor_note_limit_drops(cor, W4_LIMIT_BARE_FRAGMENTS, frame, pkt->fi->ts, NULL, drop);
      cor->bare_forgotten = g_array_index(cor->bare_frames, guint64, drop - 1);
      g_array_remove_range(cor->bare_frames, 0, drop);
      if (frame <= cor->bare_forgotten)
        continue;
      bare_find(cor, frame, &pos);
    }
    g_array_insert_val(cor->bare_frames, pos, frame);
  }
}

const W4Challenge *
w4_cor_challenge_in (const W4CorExchange *ex, W4Scheme kind)
{
  for (guint i = 0; ex->challenges != NULL && i < ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (ex->challenges, i);
    if (ch->kind == kind)
      return ch;
  }
  return NULL;
}

/* ---- servers and principals ------------------------------------------------ */

W4CorServer *
w4_cor_server_peek(W4Correlate *cor, const char *server_key)
{
  return g_hash_table_lookup(cor->servers, server_key);
}

char *
w4_cor_server_key(const char *endpoint, const char *tunnel_to)
{
  if (tunnel_to == NULL)
    return g_strdup(endpoint);
  return g_strdup_printf("%s>%s", endpoint, tunnel_to);
}

/* What summary.by_principal's record @p holds (the summary's copy is made
 * at the end). */
static guint64
principal_bytes(const W4PrincipalStat *p)
{
  return w4_cor_alloc_bytes(sizeof *p) + w4_cor_str_alloc_bytes(p->principal) + W4_COR_HASH_SLOT;
}

void
w4_cor_summary_principal(W4Correlate *cor, const char *principal, gboolean success)
{
  W4PrincipalStat *p = g_hash_table_lookup(cor->principals, principal);

  if (p == NULL) {
    if (g_hash_table_size(cor->principals) >= cor->limits.v[W4_LIMIT_PRINCIPALS]) {
      w4_cor_note_limit(cor, W4_LIMIT_PRINCIPALS, 0, cor->now, NULL);
      return;
    }
    p = g_new0(W4PrincipalStat, 1);
    p->principal = g_strdup(principal);
    g_hash_table_insert(cor->principals, p->principal, p);
    cor->charged_principals += principal_bytes(p);
    w4_budget_charge(cor->limits.budget, W4_MEM_AGGREGATES, principal_bytes(p));
  }
  if (success)
    p->succeeded++;
  else
    p->failed++;
}

GPtrArray *
w4_cor_values_sorted(GHashTable *table, GCompareFunc cmp)
{
  GPtrArray *all = g_ptr_array_sized_new(g_hash_table_size(table));
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init(&it, table);
  while (g_hash_table_iter_next(&it, NULL, &v))
    g_ptr_array_add(all, v);
  g_ptr_array_sort(all, cmp);
  return all;
}

/* The summary's principals that say least go first: the fewest responses,
 * then the greater name (deterministic, whatever the hash order). */
static gint
principal_use_cmp(gconstpointer a, gconstpointer b)
{
  const W4PrincipalStat *x = *(W4PrincipalStat *const *)a, *y = *(W4PrincipalStat *const *)b;
  guint64 nx = x->failed + x->succeeded, ny = y->failed + y->succeeded;

  if (nx != ny)
    return nx < ny ? -1 : 1;
  return -strcmp(x->principal, y->principal);
}

guint64
w4_cor_principals_evict(W4Correlate *cor, guint64 n)
{
  g_autoptr(GPtrArray) all = w4_cor_values_sorted(cor->principals, principal_use_cmp);

  n = MIN(n, all->len);
  for (guint i = 0; i < n; i++) {
    const W4PrincipalStat *p = g_ptr_array_index(all, i);
    guint64 bytes = principal_bytes(p);

    w4_budget_release(cor->limits.budget, W4_MEM_AGGREGATES, bytes);
    cor->charged_principals -= MIN(bytes, cor->charged_principals);
    /* the table's value owns its key */
    g_hash_table_remove(cor->principals, p->principal);
  }
  return n;
}

const W4CorCred *
w4_cor_main_cred(const W4CorExchange *ex, guint status)
{
  gboolean proxy = status == 407;

  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index(ex->creds, i);
    if (c->parsed && c->kind != W4_SCHEME_APIKEY && c->proxy == proxy)
      return c;
  }
  if (status < 400) {
    for (guint i = 0; i < ex->creds->len; i++) {
      const W4CorCred *c = g_ptr_array_index(ex->creds, i);
      if (c->parsed && c->kind != W4_SCHEME_APIKEY)
        return c;
    }
  }
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index(ex->creds, i);
    if (c->kind == W4_SCHEME_APIKEY)
      return c;
  }
  for (guint i = 0; i < ex->creds->len; i++) { /* a JWT cookie names its subject */
    const W4CorCred *c = g_ptr_array_index(ex->creds, i);
    if (c->kind == W4_SCHEME_COOKIE && c->jwt != NULL)
      return c;
  }
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index(ex->creds, i);
    if (c->kind == W4_SCHEME_COOKIE)
      return c;
  }
  return NULL;
}
