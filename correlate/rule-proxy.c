/* rule-proxy.c: proxy-dropped-credentials, from the link the proxy-legs
 * tracker (track-proxy.c) put on both legs of a request that went through
 * a forward proxy: the client's request to the proxy, and the request the
 * proxy sent on to the origin server. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-proxy.h"

#include <string.h>

/* The failure is the origin's answer to a forwarded request that lost the
 * client's credentials, or the answer the proxy relayed to the client for
 * it (the same status as the origin's) (FINDINGS). */
static gboolean
proxy_dropped_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorTrackFacts *t = w4_cor_track_peek (c->ex);

  if (t->proxy_from != NULL && t->proxy_from->loss != W4_PROXY_KEPT) {
    v->proxy_link = t->proxy_from;
    return TRUE;
  }
  if (t->proxy_to != NULL && t->proxy_to->loss != W4_PROXY_KEPT &&
      t->proxy_to->origin_resp_frame != 0 && t->proxy_to->origin_status == c->ex->status) {
    v->proxy_link = t->proxy_to;
    v->proxy_relayed = TRUE;
    return TRUE;
  }
  return FALSE;
}

/* "without the Authorization header the client sent". (transfer full) */
static char *
loss_words (const W4CorProxyLink *l)
{
  switch (l->loss) {
  case W4_PROXY_AUTHZ_DROPPED:
    return g_strdup ("without the Authorization header the client sent");
  case W4_PROXY_AUTHZ_CHANGED:
    return g_strdup ("with another Authorization header than the one the client sent");
  case W4_PROXY_COOKIE_DROPPED:
    return w4_cor_printf ("without the cookie %s the client sent", l->cookie);
  case W4_PROXY_COOKIE_CHANGED:
    return w4_cor_printf ("with another value of the cookie %s than the client sent",
                          l->cookie);
  case W4_PROXY_KEPT:
    break;
  }
  return g_strdup ("without the credentials the client sent");
}

/* Does the forwarded request's Via name squid? Its configuration then
 * has a name for what removes a request header. */
static gboolean
via_is_squid (const W4CorProxyLink *l)
{
  g_autofree char *low = l->via ? g_ascii_strdown (l->via, -1) : NULL;

  return low != NULL && strstr (low, "squid") != NULL;
}

static char *
fix_words (const W4CorProxyLink *l)
{
  const char *header = l->cookie != NULL ? "Cookie" : "Authorization";

  if (via_is_squid (l))
    return w4_cor_printf ("Configure the proxy at %s to pass the %s header through to %s "
                          "unchanged (squid: check request_header_access and "
                          "request_header_replace for %s).",
                          l->proxy, header, l->origin, header);
  return w4_cor_printf ("Configure the proxy at %s to pass the %s header through to %s "
                        "unchanged (not clearing or replacing it).",
                        l->proxy, header, l->origin);
}

/* The origin server's failure: the forwarded request is the finding's. */
static void
explain_origin_leg (const W4CorCtx *c, const W4CorProxyLink *l, W4Finding *f)
{
  g_autofree char *lost = loss_words (l);
  g_autofree char *uri = w4_cor_display_uri (c, l->origin_target);
  g_autofree char *at_client = w4_cor_frame_ref (c, l->client_req_frame);
  g_autofree char *relay = NULL;
  g_autofree char *cl_ev = w4_cor_printf ("%s (the client's request to the proxy at %s)",
                                          l->client_what, l->proxy);

  if (l->client_resp_frame != 0) {
    g_autofree char *at_relay = w4_cor_frame_ref (c, l->client_resp_frame);
    relay = l->client_status == c->ex->status
              ? w4_cor_printf ("; the proxy relayed the %u to the client (%s)", l->client_status,
                               at_relay)
              : w4_cor_printf ("; the proxy answered the client %u (%s)", l->client_status,
                               at_relay);
  }
  f->summary = w4_cor_printf ("The proxy at %s forwarded %s %s to %s %s (%s), and the server "
                              "answered %u%s.",
                              l->proxy, l->method, uri, l->origin, lost, at_client,
                              c->ex->status, relay ? relay : "");
  w4_cor_ev_add (c->ev, l->client_req_frame, l->client_req_stream, cl_ev);
  if (l->client_resp_frame != 0) {
    g_autofree char *rs = w4_cor_printf ("%u relayed by the proxy to the client",
                                         l->client_status);
    w4_cor_ev_add (c->ev, l->client_resp_frame, l->client_resp_stream, rs);
  }
}

/* The answer the proxy relayed: the client's request is the finding's. */
static void
explain_client_leg (const W4CorCtx *c, const W4CorProxyLink *l, W4Finding *f)
{
  g_autofree char *lost = loss_words (l);
  g_autofree char *uri = w4_cor_display_uri (c, l->origin_target);
  g_autofree char *at_fwd = w4_cor_frame_ref (c, l->origin_req_frame);
  g_autofree char *at_answer = w4_cor_frame_ref (c, l->origin_resp_frame);
  g_autofree char *fwd_ev = NULL;
  g_autofree char *ans_ev = w4_cor_printf ("%s (the server's answer to the proxy)",
                                           l->origin_resp_what ? l->origin_resp_what : "");

  if (l->via != NULL)
    fwd_ev = w4_cor_printf ("%s (the proxy's request to %s, Via: %s)", l->origin_what,
                            l->origin, l->via);
  else
    fwd_ev = w4_cor_printf ("%s (the proxy's request to %s)", l->origin_what, l->origin);
  f->summary = w4_cor_printf ("The proxy at %s forwarded this request to %s as %s %s (%s) %s; "
                              "the server answered %u (%s), and the proxy relayed that answer "
                              "to the client.",
                              l->proxy, l->origin, l->method, uri, at_fwd, lost,
                              l->origin_status, at_answer);
  w4_cor_ev_add (c->ev, l->origin_req_frame, l->origin_req_stream, fwd_ev);
  w4_cor_ev_add (c->ev, l->origin_resp_frame, l->origin_resp_stream, ans_ev);
}

static void
proxy_dropped_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorProxyLink *l = v->proxy_link;

  if (v->proxy_relayed)
    explain_client_leg (c, l, f);
  else
    explain_origin_leg (c, l, f);
  f->fix = fix_words (l);
  /* the forwarded request carries no credential of its own: the finding
   * is about the client's */
  if (f->principal == NULL && l->principal != NULL) {
    f->principal = g_strdup (l->principal);
    g_free (f->scheme);
    f->scheme = g_strdup (l->scheme);
  }
}

const W4CorRule w4_rule_proxy_dropped_credentials = { FALSE, proxy_dropped_holds,
                                                      proxy_dropped_explain };
