/* test-fixture.c: the builders the correlator's unit tests share
 * (test-fixture.h). */
#include "test-fixture.h"

#include <arpa/inet.h>
#include <string.h>

void
on_finding (void *user, W4Finding *f)
{
  Fx *fx = user;

  g_ptr_array_add (fx->out, f);
}

void
fx_init (Fx *fx)
{
  W4Limits limits;
  W4CorrelateOptions opts = { .show_secrets = FALSE, .decide_after_sec = 30 };
  W4FindingSink sink = { on_finding, fx };

  memset (fx, 0, sizeof *fx);
  w4_limits_init (&limits);
  fx->out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_finding_free);
  fx->cor = w4_cor_new (&limits, &opts, &sink);
  fx->sink = w4_cor_sink (fx->cor);
  w4_cor_set_file_name (fx->cor, 0, "test.pcap");
}

void
fx_clear (Fx *fx)
{
  w4_summary_free (fx->summary);
  w4_cor_free (fx->cor);
  g_ptr_array_unref (fx->out);
}

void
fx_finish (Fx *fx)
{
  fx->summary = w4_cor_finish (fx->cor);
}

void
set_ep (W4Endpoint *e, const char *ip, guint16 port)
{
  memset (e, 0, sizeof *e);
  if (strchr (ip, ':')) {
    e->addr.family = 6;
    g_assert_cmpint (inet_pton (AF_INET6, ip, e->addr.a), ==, 1);
  } else {
    e->addr.family = 4;
    g_assert_cmpint (inet_pton (AF_INET, ip, e->addr.a), ==, 1);
  }
  e->port = port;
}

/* Opens connection @i (tcp.stream @i). */
W4ConnInfo *
fx_conn (Fx *fx, guint i, const char *cip, guint16 cport, const char *sip, guint16 sport)
{
  W4ConnInfo *c = &fx->conn[i];
  W4FrameInfo fi = { .frame = 1 };

  memset (c, 0, sizeof *c);
  c->conn_id = ++fx->next_conn_id;
  c->stream = i;
  set_ep (&c->client, cip, cport);
  set_ep (&c->server, sip, sport);
  fx->sink.on_conn_open (fx->sink.user, c, &fi);
  return c;
}

W4Time
t_at (double sec)
{
  /* Rounded to whole microseconds: doubles near 1.4e9 s carry ~0.2 us. */
  gint64 us = (gint64) (sec * 1e6 + 0.5);
  W4Time t = { us / G_USEC_PER_SEC, (guint32) (us % G_USEC_PER_SEC) * 1000 };

  return t;
}

/* Builds a head whose header spans point into fresh exact-length copies,
 * delivers it, and frees the copies. */
void
deliver (Fx *fx, W4HttpHead *h, const char *const *hdrs)
{
  W4Header hv[32];
  GPtrArray *bufs = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  for (; hdrs && hdrs[n] != NULL; n++) {
    const char *colon = strchr (hdrs[n], ':');
    const char *v = colon + 1;
    char *name, *value;

    g_assert_nonnull (colon);
    g_assert_cmpuint (n, <, G_N_ELEMENTS (hv));
    while (*v == ' ')
      v++;
    name = g_memdup2 (hdrs[n], colon - hdrs[n]);
    value = g_memdup2 (v, strlen (v) ? strlen (v) : 1);
    g_ptr_array_add (bufs, name);
    g_ptr_array_add (bufs, value);
    hv[n].name = w4_span (name, colon - hdrs[n]);
    hv[n].value = w4_span (value, strlen (v));
  }
  h->headers = hv;
  h->n_headers = n;
  if (h->dir == W4_DIR_TO_SERVER)
    fx->sink.on_request (fx->sink.user, h);
  else
    fx->sink.on_response (fx->sink.user, h);
  g_ptr_array_unref (bufs);
}

void
req (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, const char *method, const char *target,
     const char *const *hdrs)
{
  req_cut (fx, c, frame, sec, method, target, hdrs, 0, 0);
}

void
req_cut (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, const char *method,
         const char *target, const char *const *hdrs, guint cut, guint64 block_len)
{
  W4HttpHead h = { 0 };
  char *m = g_memdup2 (method, strlen (method));
  char *t = g_memdup2 (target, strlen (target));

  h.conn = c;
  h.dir = W4_DIR_TO_SERVER;
  h.proto = W4_HTTP_1;
  h.http_major = h.http_minor = 1;
  h.first_frame = h.last_frame = frame;
  h.first_ts = h.last_ts = t_at (sec);
  h.method = w4_span (m, strlen (method));
  h.target = w4_span (t, strlen (target));
  h.cut = cut;
  h.headers_truncated = cut != 0;
  h.header_block_len = block_len;
  deliver (fx, &h, hdrs);
  g_free (m);
  g_free (t);
}

void
resp (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, guint status, const char *const *hdrs)
{
  W4HttpHead h = { 0 };

  h.conn = c;
  h.dir = W4_DIR_TO_CLIENT;
  h.proto = W4_HTTP_1;
  h.http_major = h.http_minor = 1;
  h.first_frame = h.last_frame = frame;
  h.first_ts = h.last_ts = t_at (sec);
  h.status = status;
  deliver (fx, &h, hdrs);
}

void
fx_close (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, W4CloseReason why)
{
  fx->sink.on_conn_close (fx->sink.user, c, why, frame, t_at (sec));
}

W4Finding *
nth (Fx *fx, guint i)
{
  g_assert_cmpuint (i, <, fx->out->len);
  return g_ptr_array_index (fx->out, i);
}

guint
count_kind (Fx *fx, W4Kind kind)
{
  guint n = 0;

  for (guint i = 0; i < fx->out->len; i++)
    n += ((W4Finding *) g_ptr_array_index (fx->out, i))->kind == kind;
  return n;
}

gboolean
has_evidence (const W4Finding *f, guint64 frame)
{
  for (guint i = 0; i < f->evidence->len; i++)
    if (((W4Evidence *) g_ptr_array_index (f->evidence, i))->frame == frame)
      return TRUE;
  return FALSE;
}

const char *
ev_what (const W4Finding *f, guint i)
{
  g_assert_cmpuint (i, <, f->evidence->len);
  return ((W4Evidence *) g_ptr_array_index (f->evidence, i))->what;
}

void
assert_failure (const W4Finding *f, W4Cause cause, guint64 related)
{
  g_assert_cmpstr (w4_kind_name (f->kind), ==, "failure");
  g_assert_cmpstr (w4_cause_name (f->cause), ==, w4_cause_name (cause));
  g_assert_cmphex (f->related, ==, related);
}
