/* track-proxy.c: the proxy-legs tracker (track-proxy.h).
 *
 * A forward proxy shows in a capture as an address that receives requests
 * in absolute form ("GET http://origin:8080/x", RFC 9112 3.2.2) and, while
 * one is pending, sends a request for the same method and URL itself:
 * in origin form with a Host header to the origin server, or again in
 * absolute form to a parent proxy. Each absolute-form request is
 * remembered under "METHOD URL" (the URL normalised as track-redirect.c
 * does: scheme, lower-case host, port, path, query) until its answer
 * comes, W4_COR_PROXY_LEG_SEC of capture time pass, or, oldest first, the
 * "proxy-legs" limit is reached (counted and shown like every limit). A
 * later request for the same key on another connection, to another
 * endpoint than the proxy, is its forwarded leg when it comes from the
 * proxy's address or says it was forwarded (Via, Forwarded,
 * X-Forwarded-For: a proxy with two interfaces sends from another address).
 *
 * Two pending client requests with one key cannot be told apart: the key
 * is then marked ambiguous and nothing is linked to it (no cause from a
 * guess). A reverse proxy receives origin-form requests and is never
 * linked: the capture does not say which URL it maps them to. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-proxy.h"

#include "rule.h"
#include "track-redirect.h"
#include "w4-token.h"

#include <string.h>

typedef struct {
  char *key;                 /* (owned) "METHOD URL" */
  W4CorExchange *ex;         /* (owned ref) the client's request */
  gboolean ambiguous;        /* another pending request has the same key */
  GList *qlink;              /* in W4CorProxy.order */
} Rec;

struct W4CorProxy {
  GHashTable *by_key;        /* key -> Rec* (owned) */
  GQueue order;              /* Rec*, oldest request first */
  guint64 linked;
};

/* ---- links --------------------------------------------------------------- */

static W4CorProxyLink *
link_ref (W4CorProxyLink *l)
{
  l->refs++;
  return l;
}

void
w4_cor_proxy_link_unref (W4CorProxyLink *l)
{
  if (l == NULL || --l->refs > 0)
    return;
  g_free (l->proxy);
  g_free (l->origin);
  g_free (l->cookie);
  g_free (l->principal);
  g_free (l->scheme);
  g_free (l->via);
  g_free (l->client_what);
  g_free (l->method);
  g_free (l->origin_target);
  g_free (l->origin_what);
  g_free (l->origin_resp_what);
  g_free (l);
}

void
w4_cor_proxy_exchange_clear (W4CorExchange *ex)
{
  if (ex->track == NULL)
    return;
  w4_cor_proxy_link_unref (g_steal_pointer (&ex->track->proxy_from));
  w4_cor_proxy_link_unref (g_steal_pointer (&ex->track->proxy_to));
}

/* ---- the table ----------------------------------------------------------- */

static void
rec_free (gpointer p)
{
  Rec *r = p;

  w4_cor_exchange_unref (r->ex);
  g_free (r->key);
  g_free (r);
}

W4CorProxy *
w4_cor_proxy_new (void)
{
  W4CorProxy *p = g_new0 (W4CorProxy, 1);

  p->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, rec_free);
  g_queue_init (&p->order);
  return p;
}

void
w4_cor_proxy_free (W4CorProxy *p)
{
  if (p == NULL)
    return;
  g_queue_clear (&p->order);
  g_hash_table_unref (p->by_key);
  g_free (p);
}

guint
w4_cor_proxy_pending (W4Correlate *cor)
{
  return g_hash_table_size (cor->proxy->by_key);
}

guint64
w4_cor_proxy_linked (W4Correlate *cor)
{
  return cor->proxy->linked;
}

static void
rec_remove (W4CorProxy *p, Rec *rec)
{
  g_queue_delete_link (&p->order, rec->qlink);
  g_hash_table_remove (p->by_key, rec->key);
}

/* Requests older than the window get no forwarded leg any more, and one
 * answered already is done (its proxy sent on what it would). */
static void
prune (W4CorProxy *p, W4Time now)
{
  Rec *rec;

  while ((rec = g_queue_peek_head (&p->order)) != NULL &&
         (rec->ex->has_response ||
          w4_time_diff_usec (rec->ex->req_ts, now) >
            (gint64) W4_COR_PROXY_LEG_SEC * G_USEC_PER_SEC))
    rec_remove (p, rec);
}

static gboolean
is_absolute_form (const char *target)
{
  return target != NULL && target[0] != '/' && target[0] != '*' && strstr (target, "://") != NULL;
}

/* "GET http://127.0.0.1:8080/x?y", or NULL when the request names no URL. */
static char *
request_key (const W4CorExchange *ex)
{
  W4Url u;
  g_autofree char *url = NULL;

  if (!ex->has_request || ex->h2 || ex->method == NULL ||
      !w4_url_of_request (ex->tls, ex->host, &ex->server, ex->target, &u))
    return NULL;
  url = w4_url_to_string (&u);
  w4_url_clear (&u);
  return g_strdup_printf ("%s %s", ex->method, url);
}

static const char limit_why[] = "too many requests to proxies at once: the oldest were "
                                "forgotten, their forwarded requests not linked";

static void
remember (W4Correlate *cor, W4CorExchange *ex, char *key)
{
  W4CorProxy *p = cor->proxy;
  Rec *rec;

  while (p->order.length > 0 && p->order.length >= cor->limits.v[W4_LIMIT_PROXY_LEGS]) {
    w4_cor_note_limit (cor, W4_LIMIT_PROXY_LEGS, ex->req_frame, ex->req_ts, limit_why);
    rec_remove (p, g_queue_peek_head (&p->order));
  }
  if (cor->limits.v[W4_LIMIT_PROXY_LEGS] == 0) {
    w4_cor_note_limit (cor, W4_LIMIT_PROXY_LEGS, ex->req_frame, ex->req_ts, limit_why);
    g_free (key);
    return;
  }
  rec = g_new0 (Rec, 1);
  rec->key = key;
  rec->ex = ex;
  ex->refs++;
  g_queue_push_tail (&p->order, rec);
  rec->qlink = p->order.tail;
  g_hash_table_insert (p->by_key, rec->key, rec);
}

/* ---- linking ------------------------------------------------------------- */

/* Does the X-Forwarded-For or Forwarded value @v (@len bytes) list the
 * address @ip? Elements are split at ',' and ';'; each is the address
 * (X-Forwarded-For) or for=ADDR (Forwarded), with quotes, [] and a :port
 * around it. */
static gboolean
lists_address (const char *v, gsize len, const char *ip)
{
  gsize ip_len = strlen (ip), i = 0;

  while (i < len) {
    gsize start = i, end, n;
    const char *e;

    while (i < len && v[i] != ',' && v[i] != ';')
      i++;
    end = i++;
    e = v + start;
    n = end - start;
    w4_tok_trim_ows (&e, &n);
    if (n >= 4 && g_ascii_strncasecmp (e, "for=", 4) == 0)
      e += 4, n -= 4;
    if (n > 0 && e[0] == '"')
      e++, n--;
    if (n > 0 && e[0] == '[')
      e++, n--;
    /* the address, then the end or what may follow it: "]", ":port", '"' */
    if (n >= ip_len && memcmp (e, ip, ip_len) == 0 &&
        (n == ip_len || e[ip_len] == ']' || e[ip_len] == '"' ||
         (e[ip_len] == ':' && memchr (ip, ':', ip_len) == NULL)))
      return TRUE;
  }
  return FALSE;
}

/* Does the request say a proxy sent it on behalf of @cl's client (an
 * X-Forwarded-For or Forwarded naming its address)? A Via alone names
 * the proxy, not the client: from another address it ties the request to
 * no one. @via gets the first Via's value, for the evidence. */
static gboolean
names_client (const W4HttpHead *req, const W4CorExchange *cl, char **via)
{
  char ip[W4_ENDPOINT_STRLEN];
  gboolean yes = FALSE;

  w4_addr_format (&cl->client.addr, ip, sizeof ip);
  for (guint i = 0; i < req->n_headers; i++) {
    const W4Header *h = &req->headers[i];
    const char *name = (const char *) h->name.ptr;

    if (w4_tok_span_ieq (name, h->name.len, "Via")) {
      if (*via == NULL)
        *via = g_strndup ((const char *) h->value.ptr, MIN (h->value.len, W4_COR_VIA_CHARS));
    } else if (w4_tok_span_ieq (name, h->name.len, "Forwarded") ||
               w4_tok_span_ieq (name, h->name.len, "X-Forwarded-For")) {
      yes = yes || lists_address ((const char *) h->value.ptr, h->value.len, ip);
    }
  }
  return yes;
}

/* Is @fwd the proxy's request for the pending client request @cl? It comes
 * from the proxy's address, or says it forwards @cl's client (@says). */
static gboolean
forwards (const W4CorExchange *cl, const W4CorExchange *fwd, gboolean says)
{
  if (cl->has_response || fwd->conn_id == cl->conn_id ||
      w4_endpoint_equal (&fwd->server, &cl->server) || fwd->req_frame <= cl->req_frame)
    return FALSE;
  if (w4_time_diff_usec (cl->req_ts, fwd->req_ts) < 0 ||
      w4_time_diff_usec (cl->req_ts, fwd->req_ts) > (gint64) W4_COR_PROXY_LEG_SEC * G_USEC_PER_SEC)
    return FALSE;
  return says || w4_addr_equal (&fwd->client.addr, &cl->server.addr);
}

/* The request's Authorization (not Proxy-Authorization: the proxy uses
 * that one up), or NULL. */
static const W4CorCred *
authz_of (const W4CorExchange *ex)
{
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);
    if (c->parsed != NULL && !c->proxy && c->kind != W4_SCHEME_APIKEY)
      return c;
  }
  return NULL;
}

static const W4CorCred *
cookie_of (const W4CorExchange *ex, const char *name)
{
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (ex->creds, i);
    if (c->kind == W4_SCHEME_COOKIE && strcmp (c->name, name) == 0)
      return c;
  }
  return NULL;
}

/* What @fwd lost of @cl's credentials; @which: the client's credential at
 * stake. Nothing is concluded when a header cap cut either request's
 * authentication fields. */
static W4ProxyLoss
compare (const W4CorExchange *cl, const W4CorExchange *fwd, const W4CorCred **which)
{
  const W4CorCred *a = authz_of (cl);

  *which = NULL;
  if ((cl->req_cut & W4_HEAD_CUT_AUTH) || (fwd->req_cut & W4_HEAD_CUT_AUTH))
    return W4_PROXY_KEPT;
  if (a != NULL) {
    const W4CorCred *b = authz_of (fwd);
    *which = a;
    if (b == NULL)
      return W4_PROXY_AUTHZ_DROPPED;
    if (strcmp (a->fingerprint, b->fingerprint) != 0)
      return W4_PROXY_AUTHZ_CHANGED;
  }
  for (guint i = 0; i < cl->creds->len; i++) {
    const W4CorCred *c = g_ptr_array_index (cl->creds, i);
    const W4CorCred *d;

    if (c->kind != W4_SCHEME_COOKIE)
      continue;
    *which = c;
    d = cookie_of (fwd, c->name);
    if (d == NULL)
      return W4_PROXY_COOKIE_DROPPED;
    if (strcmp (c->fingerprint, d->fingerprint) != 0)
      return W4_PROXY_COOKIE_CHANGED;
  }
  *which = NULL;
  return W4_PROXY_KEPT;
}

/* "GET /x without credentials": a request as evidence shows it. */
static char *
request_words (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorCtx c = { .cor = cor };

  return w4_cor_request_what (&c, ex);
}

static W4CorProxyLink *
link_new (W4Correlate *cor, const W4CorExchange *cl, const W4CorExchange *fwd, W4ProxyLoss loss,
          const W4CorCred *which, char *via)
{
  W4CorProxyLink *l = g_new0 (W4CorProxyLink, 1);

  l->refs = 1;
  l->loss = loss;
  l->proxy = g_strdup (cl->server_key);
  l->origin = g_strdup (fwd->server_key);
  if (loss == W4_PROXY_COOKIE_DROPPED || loss == W4_PROXY_COOKIE_CHANGED)
    l->cookie = g_strdup (which->name);
  l->principal = g_strdup (which->principal);
  l->scheme = g_strdup (w4_cor_scheme_word (which));
  l->via = via;
  l->client_what = request_words (cor, cl);
  l->client_req_frame = cl->req_frame;
  l->client_req_stream = cl->req_stream;
  l->client_resp_stream = -1;
  l->method = g_strdup (fwd->method);
  l->origin_target = g_strdup (fwd->target);
  l->origin_what = request_words (cor, fwd);
  l->origin_req_frame = fwd->req_frame;
  l->origin_req_stream = fwd->req_stream;
  l->origin_resp_stream = -1;
  return l;
}

/* Links @fwd to the client's request of @rec; TRUE when it is its
 * forwarded leg. */
static gboolean
try_link (W4Correlate *cor, Rec *rec, W4CorExchange *fwd, const W4HttpHead *req)
{
  W4CorExchange *cl = rec->ex;
  g_autofree char *via = NULL;
  const W4CorCred *which;
  W4ProxyLoss loss;
  W4CorProxyLink *l;

  if (rec->ambiguous || !forwards (cl, fwd, names_client (req, cl, &via)))
    return FALSE;
  cor->proxy->linked++;
  loss = compare (cl, fwd, &which);
  /* A request passed on unchanged needs no link: only a loss is a cause. */
  if (loss == W4_PROXY_KEPT)
    return TRUE;
  l = link_new (cor, cl, fwd, loss, which, g_steal_pointer (&via));
  /* a proxy that sends the request again (a retry) replaces the link: the
   * client's answer is relayed from the last one */
  w4_cor_proxy_link_unref (w4_cor_track_get (cl)->proxy_to);
  w4_cor_track_get (cl)->proxy_to = link_ref (l);
  w4_cor_proxy_link_unref (w4_cor_track_get (fwd)->proxy_from);
  w4_cor_track_get (fwd)->proxy_from = l;
  return TRUE;
}

void
w4_cor_proxy_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req)
{
  W4CorProxy *p = cor->proxy;
  gboolean absolute = ex->has_request && is_absolute_form (ex->target);
  g_autofree char *key = NULL;
  Rec *rec = NULL;
  gboolean linked = FALSE;

  prune (p, ex->req_ts);
  if (!absolute && g_hash_table_size (p->by_key) == 0)
    return;
  key = request_key (ex);
  if (key == NULL)
    return;
  rec = g_hash_table_lookup (p->by_key, key);
  if (rec != NULL && rec->ex->has_response) {
    rec_remove (p, rec);
    rec = NULL;
  }
  if (rec != NULL)
    linked = try_link (cor, rec, ex, req);
  if (!absolute)
    return;
  if (rec != NULL && !linked) {
    /* two pending requests for one URL: which one the proxy forwards is
     * not known */
    rec->ambiguous = TRUE;
    return;
  }
  /* a request the proxy sends on to a parent proxy is itself a client
   * request for the next hop */
  if (rec != NULL)
    rec_remove (p, rec);
  remember (cor, ex, g_steal_pointer (&key));
}

/* "401 with WWW-Authenticate: ...": the origin's answer as evidence shows it. */
static char *
response_words (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorCtx c = { .cor = cor, .ex = ex, .proxy = ex->status == 407 };

  return w4_cor_response_what (&c);
}

void
w4_cor_proxy_on_response (W4Correlate *cor, W4CorExchange *ex)
{
  const W4CorTrackFacts *t = w4_cor_track_peek (ex);
  W4CorProxyLink *from = t->proxy_from, *to = t->proxy_to;

  if (from != NULL && from->origin_resp_frame == 0) {
    from->origin_resp_frame = ex->resp_frame;
    from->origin_resp_stream = ex->resp_stream;
    from->origin_status = ex->status;
    from->origin_resp_what = response_words (cor, ex);
  }
  if (to != NULL && to->client_resp_frame == 0) {
    to->client_resp_frame = ex->resp_frame;
    to->client_resp_stream = ex->resp_stream;
    to->client_status = ex->status;
  }
  if (ex->has_request && is_absolute_form (ex->target) &&
      g_hash_table_size (cor->proxy->by_key) > 0) {
    g_autofree char *key = request_key (ex);
    Rec *rec = key ? g_hash_table_lookup (cor->proxy->by_key, key) : NULL;
    if (rec != NULL && rec->ex == ex)
      rec_remove (cor->proxy, rec);
  }
}

guint
w4_cor_proxy_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->proxy->by_key);
}
