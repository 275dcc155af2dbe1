/* track-csrf.c: the anti-forgery tracker (track-csrf.h). One fixed-size
 * record per (client address, server), holding per header the first 2xx
 * whose request carried a session cookie and that header. Records leave
 * W4_COR_CSRF_KEEP_SEC of capture time after their last such success, or,
 * least recently used first, at the "csrf-pairs" limit (counted and shown
 * like every limit); a forgotten pair only means a later request without
 * the header is not called csrf-token-missing. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-csrf.h"
#include "lru.h"

#include "w4-token.h"

#include <string.h>

static const char *const header_names[W4_CSRF_COUNT] = {
  [W4_CSRF_WP_NONCE] = "X-WP-Nonce",
  [W4_CSRF_X_CSRF_TOKEN] = "X-CSRF-Token",
  [W4_CSRF_X_XSRF_TOKEN] = "X-XSRF-Token",
  [W4_CSRF_X_CSRFTOKEN] = "X-CSRFToken",
};

const char *
w4_csrf_header_name (W4CsrfHeader h)
{
  return (int) h >= 0 && h < W4_CSRF_COUNT ? header_names[h] : "unknown";
}

int
w4_csrf_header_of (const char *name, gsize len)
{
  /* every name above starts with "X-": most headers of a request are
   * refused here without comparing them with each name */
  if (len < 2 || (name[0] | 0x20) != 'x' || name[1] != '-')
    return -1;
  for (int i = 0; i < W4_CSRF_COUNT; i++)
    if (w4_tok_span_ieq (name, len, header_names[i]))
      return i;
  return -1;
}

typedef struct {
  W4CorLruEntry e;                     /* key: "client|server"; last_ts: the last success */
  W4CorCsrfSuccess first[W4_CSRF_COUNT];
} Rec;

struct W4CorCsrf {
  W4CorLru pairs;                      /* Rec, least recently successful first */
};

W4CorCsrf *
w4_cor_csrf_new (void)
{
  W4CorCsrf *t = g_new0 (W4CorCsrf, 1);

  w4_cor_lru_init (&t->pairs, g_free);
  return t;
}

void
w4_cor_csrf_free (W4CorCsrf *t)
{
  if (t == NULL)
    return;
  w4_cor_lru_clear (&t->pairs);
  g_free (t);
}

guint
w4_cor_csrf_size (W4Correlate *cor)
{
  return w4_cor_lru_size (&cor->csrf->pairs);
}

static char *
pair_key (const W4CorExchange *ex)
{
  char addr[W4_ENDPOINT_STRLEN];

  w4_addr_format (&ex->client.addr, addr, sizeof addr);
  return g_strdup_printf ("%s|%s", addr, ex->server_key);
}

static gboolean
has_session_cookie (const W4CorExchange *ex)
{
  for (guint i = 0; i < ex->creds->len; i++)
    if (((const W4CorCred *) g_ptr_array_index (ex->creds, i))->kind == W4_SCHEME_COOKIE)
      return TRUE;
  return FALSE;
}

void
w4_cor_csrf_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req)
{
  (void) cor;
  for (guint i = 0; i < req->n_headers; i++) {
    int h = w4_csrf_header_of ((const char *) req->headers[i].name.ptr,
                               req->headers[i].name.len);
    if (h >= 0)
      w4_cor_track_get (ex)->csrf_headers |= (guint8) (1u << h);
  }
}

/* The record of @ex's pair, made (and the least recently successful one
 * evicted at the limit) when @create; NULL when there is none or the
 * limit is 0. */
static Rec *
rec_get (W4Correlate *cor, const W4CorExchange *ex, gboolean create)
{
  W4CorCsrf *t = cor->csrf;
  g_autofree char *key = pair_key (ex);
  Rec *r = w4_cor_lru_lookup (&t->pairs, key);

  if (r != NULL || !create)
    return r;
  return w4_cor_lru_add (&t->pairs, cor, W4_LIMIT_CSRF_PAIRS, sizeof (Rec), g_steal_pointer (&key),
                         ex->resp_frame, ex->resp_ts);
}

void
w4_cor_csrf_on_response (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorCsrf *t = cor->csrf;
  Rec *r;

  w4_cor_lru_expire (&t->pairs, ex->resp_ts, W4_COR_CSRF_KEEP_SEC);
  /* Only a 2xx says the token was accepted: an application that refuses
   * a session often answers with a redirect to its login page. */
  if (!ex->has_request || w4_cor_track_peek (ex)->csrf_headers == 0 || ex->status < 200 ||
      ex->status > 299 || !has_session_cookie (ex))
    return;
  r = rec_get (cor, ex, TRUE);
  if (r == NULL)
    return;
  for (int h = 0; h < W4_CSRF_COUNT; h++) {
    if (!(w4_cor_track_peek (ex)->csrf_headers & (1u << h)) || r->first[h].req_frame != 0)
      continue;
    r->first[h].req_frame = ex->req_frame;
    r->first[h].req_stream = ex->req_stream;
    r->first[h].resp_frame = ex->resp_frame;
    r->first[h].status = ex->status;
  }
  w4_cor_lru_touch (&t->pairs, &r->e, ex->resp_ts);
}

const W4CorCsrfSuccess *
w4_cor_csrf_success (W4Correlate *cor, const W4CorExchange *ex, W4CsrfHeader header)
{
  Rec *r = rec_get (cor, ex, FALSE);

  if (r == NULL || (int) header < 0 || header >= W4_CSRF_COUNT || r->first[header].req_frame == 0)
    return NULL;
  return &r->first[header];
}
