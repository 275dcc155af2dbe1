/* rule-redirect.c: credentials-dropped-on-redirect, from the link the
 * redirect tracker (track-redirect.c) put on the failed request. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-redirect.h"

/* The failed request followed a 3xx whose request carried Authorization,
 * to another origin, and carries none itself (FINDINGS). */
static gboolean
dropped_on_redirect_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorRedirectLink *l = w4_cor_track_peek (c->ex)->redirect;

  if (l == NULL || !l->cross_origin || l->authz == NULL || c->ex->n_authz > 0)
    return FALSE;
  v->redirect = l;
  return TRUE;
}

static void
dropped_on_redirect_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorRedirectLink *l = v->redirect;
  g_autofree char *what = w4_cor_what (c);
  g_autofree char *at_req = w4_cor_frame_ref (c, l->req_frame);
  g_autofree char *at_3xx = w4_cor_frame_ref (c, l->resp_frame);
  g_autofree char *uri = w4_cor_display_uri (c, l->target);
  g_autofree char *loc = w4_cor_display_uri (c, l->location);
  g_autofree char *rq = w4_cor_printf ("%s %s with Authorization: %s (redirected)", l->method,
                                       uri, l->authz);
  g_autofree char *rs = w4_cor_printf ("%u with Location: %s (to %s, another origin)",
                                       l->status, loc, l->to_origin);

  f->summary = w4_cor_printf ("%s followed the %u redirect at %s from %s to %s, another origin: "
                              "the request to %s (%s) carried Authorization, the client left it "
                              "out on the cross-origin hop, and the %s answered %u.",
                              what, l->status, at_3xx, l->from_origin, l->to_origin,
                              l->from_origin, at_req, w4_cor_who_answers (c), c->ex->status);
  f->fix = w4_cor_printf ("Clients drop Authorization when a redirect leaves the origin: call "
                          "%s directly, or keep the redirect on %s.",
                          l->to_origin, l->from_origin);
  w4_cor_ev_add (c->ev, l->req_frame, l->req_stream, rq);
  w4_cor_ev_add (c->ev, l->resp_frame, l->resp_stream, rs);
}

const W4CorRule w4_rule_credentials_dropped_on_redirect = { FALSE, dropped_on_redirect_holds,
                                                            dropped_on_redirect_explain };
