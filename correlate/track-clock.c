/* track-clock.c: the server clock tracker (track-clock.h). One record per
 * server: the skew between its `Date` header and the capture time of the
 * response that carried it, and that response's frame for evidence.
 * Records leave W4_COR_CLOCK_KEEP_SEC of capture time after their last
 * Date, or, least recently seen first, at the "date-servers" limit
 * (counted and shown like every limit); a forgotten server only means a
 * token finding does not say what the server's clock made of the token. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-clock.h"
#include "lru.h"

#include "w4-token.h"

#include <string.h>

/* A Date header longer than this is not a date (IMF-fixdate is 29
 * characters): not read. */
#define W4_COR_CLOCK_DATE_MAX 64
/* Dates further than this from the capture are garbage, not a clock:
 * ignored (and they keep the arithmetic far from overflow). */
#define W4_COR_CLOCK_SANE_SEC ((gint64) 100 * 365 * 86400)

typedef struct {
  W4CorLruEntry e;          /* key: the server "ip:port"; last_ts: its last Date */
  W4CorClock clock;
} Rec;

struct W4CorClocks {
  W4CorLru servers;         /* Rec, least recently seen first */
  /* The last Date header value read and what it gave (a server sends the
   * same value for every response within a second: parsed once) */
  char last_date[W4_COR_CLOCK_DATE_MAX];
  gsize last_date_len;      /* 0: none yet */
  gboolean last_date_ok;
  gint64 last_date_sec;
};

W4CorClocks *
w4_cor_clock_new (void)
{
  W4CorClocks *t = g_new0 (W4CorClocks, 1);

  w4_cor_lru_init (&t->servers, g_free);
  return t;
}

void
w4_cor_clock_free (W4CorClocks *t)
{
  if (t == NULL)
    return;
  w4_cor_lru_clear (&t->servers);
  g_free (t);
}

guint
w4_cor_clock_size (W4Correlate *cor)
{
  return w4_cor_lru_size (&cor->clocks->servers);
}

/* The Date value @p (@len bytes, at most W4_COR_CLOCK_DATE_MAX), parsed,
 * or FALSE; the same value as the last one gives the last result. */
static gboolean
date_value (W4CorClocks *t, const char *p, gsize len, gint64 *date)
{
  if (len == 0) /* no date; its pointer may be NULL */
    return FALSE;
  if (len != t->last_date_len || memcmp (p, t->last_date, len) != 0) {
    t->last_date_ok = w4_cookie_parse_date (p, len, &t->last_date_sec);
    memcpy (t->last_date, p, len);
    t->last_date_len = len;
  }
  *date = t->last_date_sec;
  return t->last_date_ok;
}

/* The response's Date, or FALSE when it has none that can be read. */
static gboolean
response_date (W4CorClocks *t, const W4HttpHead *resp, gint64 *date)
{
  for (guint i = 0; i < resp->n_headers; i++) {
    const W4Header *h = &resp->headers[i];

    if (w4_tok_span_ieq ((const char *) h->name.ptr, h->name.len, "Date"))
      return h->value.len <= W4_COR_CLOCK_DATE_MAX &&
             date_value (t, (const char *) h->value.ptr, h->value.len, date);
  }
  return FALSE;
}

/* The record of @ex's server, made (and the least recently seen one
 * evicted at the limit); NULL when the limit is 0. */
static Rec *
rec_get (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorClocks *t = cor->clocks;
  GList *mru = t->servers.order.tail;
  Rec *r;

  /* responses come in runs from one server: the most recently seen one
   * is compared first, before the table's hash */
  if (mru != NULL && strcmp (((const W4CorLruEntry *) mru->data)->key, ex->server_key) == 0)
    return mru->data;
  r = w4_cor_lru_lookup (&t->servers, ex->server_key);

  if (r != NULL)
    return r;
  r = w4_cor_lru_add (&t->servers, cor, W4_LIMIT_DATE_SERVERS, sizeof (Rec),
                      g_strdup (ex->server_key), ex->resp_frame, ex->resp_ts);
  if (r != NULL)
    r->clock.skew_sec = G_MININT64; /* no Date yet */
  return r;
}

void
w4_cor_clock_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp)
{
  W4CorClocks *t = cor->clocks;
  gint64 date, skew;
  Rec *r;

  w4_cor_lru_expire (&t->servers, ex->resp_ts, W4_COR_CLOCK_KEEP_SEC);
  if (!response_date (t, resp, &date))
    return;
  /* A capture time is not bounded (pcapng offsets): compare only what is
   * near enough to mean a clock, so the subtraction cannot overflow. */
  if (ex->resp_ts.sec > G_MAXINT64 / 2 || ex->resp_ts.sec < G_MININT64 / 2 ||
      date - ex->resp_ts.sec > W4_COR_CLOCK_SANE_SEC ||
      ex->resp_ts.sec - date > W4_COR_CLOCK_SANE_SEC)
    return;
  /* The Date is the second the server formatted it, the capture time a
   * moment later: whole seconds compare. */
  skew = date - ex->resp_ts.sec;
  r = rec_get (cor, ex);
  if (r == NULL)
    return;
  if (r->clock.skew_sec == G_MININT64 || ABS (skew - r->clock.skew_sec) > W4_COR_CLOCK_JITTER_SEC) {
    r->clock.skew_sec = skew;
    r->clock.date = date;
    r->clock.frame = ex->resp_frame;
    r->clock.stream = ex->resp_stream;
  }
  w4_cor_lru_touch (&t->servers, &r->e, ex->resp_ts);
}

const W4CorClock *
w4_cor_clock_of (W4Correlate *cor, const W4CorExchange *ex)
{
  Rec *r = w4_cor_lru_lookup (&cor->clocks->servers, ex->server_key);

  return r != NULL && r->clock.skew_sec != G_MININT64 ? &r->clock : NULL;
}

gboolean
w4_cor_clock_is_off (const W4CorClock *k)
{
  return k != NULL && ABS (k->skew_sec) > W4_COR_CLOCK_SKEW_SEC;
}
