/* rule-cookie.c: causes the cookie jar explains (insecure-cookie-dropped,
 * cookie-expired, cookie-not-sent). The jar (track-cookie-jar.c) checked
 * the request against what the server had set when the request was seen;
 * these rules only read that check, and hold when cookies are what the
 * response asked for: no proxy (a 407 wants Proxy-Authorization), no
 * Authorization or API key sent toward it, and no challenge in an HTTP
 * authentication scheme (FINDINGS "Words": cookies count as credentials
 * when the response offers no challenge). */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-cookie-jar.h"

#include <string.h>

static gboolean
offers_http_auth (const W4CorCtx *c)
{
  if (!w4_cor_has_challenges (c))
    return FALSE;
  for (guint i = 0; i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);
    switch (ch->kind) {
    case W4_SCHEME_BASIC:
    case W4_SCHEME_BEARER:
    case W4_SCHEME_DIGEST:
    case W4_SCHEME_NTLM:
    case W4_SCHEME_NEGOTIATE:
      return TRUE;
    default:
      break;
    }
  }
  return FALSE;
}

/* The jar's check of the failed request, when cookies are what counts. A
 * CORS preflight carries no cookies by the Fetch standard, whatever the
 * jar holds: that is cors-preflight's story, not the jar's. */
static const W4CorCookieCheck *
cookie_check (const W4CorCtx *c)
{
  if (c->proxy || c->authz != NULL || c->apikey != NULL || offers_http_auth (c))
    return NULL;
  if (c->ex->has_acrm && g_strcmp0 (c->ex->method, "OPTIONS") == 0)
    return NULL;
  return w4_cor_track_peek (c->ex)->cookie_check;
}

/* "over http" / "over TLS" */
static const char *
carrier (gboolean tls)
{
  return tls ? "over TLS" : "over plain http";
}

/* Evidence: the Set-Cookie that set (or deleted) the cookie. */
static void
ev_set_cookie (const W4CorCtx *c, const W4CorCookieFact *k)
{
  g_autofree char *what = w4_cor_printf ("Set-Cookie: %s%s%s%s %s", k->name,
                                         k->attrs[0] ? " (" : "", k->attrs,
                                         k->attrs[0] ? ")" : "", carrier (k->over_tls));
  w4_cor_ev_add (c->ev, k->set_frame, k->set_stream, what);
}

/* "GET /app/home" without the query: cookies follow the path only. */
static char *
request_words (const W4CorCtx *c)
{
  const W4CorCookieCheck *chk = w4_cor_track_peek (c->ex)->cookie_check;

  return w4_cor_printf ("%s %s", c->ex->method, chk->req_path);
}

/* ---- insecure-cookie-dropped -------------------------------------------- */

static gboolean
insecure_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorCookieCheck *chk = cookie_check (c);

  if (chk == NULL || chk->insecure == NULL)
    return FALSE;
  v->cookie = chk->insecure;
  return TRUE;
}

static void
insecure_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCookieFact *k = v->cookie;
  g_autofree char *at = w4_cor_frame_ref (c, k->set_frame);
  g_autofree char *rq = request_words (c);

  f->summary = w4_cor_printf ("Cookie `%s` was set with Secure over plain http in %s (%s); "
                              "the client never sent it back over http, and %s went without "
                              "it.",
                              k->name, at, k->attrs, rq);
  f->fix = g_strdup ("Serve the site over https: clients refuse (or keep back) Secure cookies "
                     "set over plain http.");
  ev_set_cookie (c, k);
}

const W4CorRule w4_rule_insecure_cookie_dropped = { FALSE, insecure_holds, insecure_explain };

/* ---- cookie-expired -------------------------------------------------------- */

static gboolean
expired_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorCookieCheck *chk = cookie_check (c);

  if (chk == NULL || chk->expired == NULL)
    return FALSE;
  v->cookie = chk->expired;
  return TRUE;
}

static void
expired_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCookieFact *k = v->cookie;
  g_autofree char *at = w4_cor_frame_ref (c, k->set_frame);
  g_autofree char *rq = request_words (c);
  const char *client = k->sent ? "the client still sent it" : "the client no longer sent it";

  if (k->deleted) {
    f->summary = w4_cor_printf ("Cookie `%s` was deleted by the server in %s (%s) before %s; "
                                "%s.",
                                k->name, at, k->attrs, rq, client);
  } else {
    g_autofree char *life = w4_cor_duration (w4_time_diff_usec (k->set_ts, k->expiry));
    g_autofree char *ago = w4_cor_duration (w4_time_diff_usec (k->expiry, c->ex->req_ts));
    f->summary = w4_cor_printf ("Cookie `%s` was set in %s (%s) and expired %s later, %s before "
                                "%s; %s.",
                                k->name, at, k->attrs, life, ago, rq, client);
  }
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_COOKIE_EXPIRED)->fix);
  ev_set_cookie (c, k);
  if (!k->sent && k->last_sent_frame != 0)
    w4_cor_ev_add (c->ev, k->last_sent_frame, k->last_sent_stream, "the last request that carried the cookie");
}

const W4CorRule w4_rule_cookie_expired = { FALSE, expired_holds, expired_explain };

/* ---- cookie-not-sent ------------------------------------------------------- */

static gboolean
not_sent_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorCookieCheck *chk = cookie_check (c);

  if (chk == NULL || chk->n_live == 0 || chk->n_carried > 0 || chk->unsent == NULL)
    return FALSE;
  v->cookie = chk->unsent;
  return TRUE;
}

/* Why the cookie stayed behind, as a clause after "Cookie `x` was set ...". */
static char *
not_sent_why (const W4CorCtx *c, const W4CorCookieFact *k, const char *at)
{
  const W4CorCookieCheck *chk = w4_cor_track_peek (c->ex)->cookie_check;

  switch (k->why) {
  case W4_CK_WHY_PATH:
    return w4_cor_printf ("with %s%s in %s, and %s is outside it", strstr (k->attrs, "Path=")
                                                                     ? "Path="
                                                                     : "the default path ",
                          k->path, at, chk->req_path);
  case W4_CK_WHY_SECURE:
    return w4_cor_printf ("with Secure in %s %s, and this request went over plain http", at,
                          carrier (k->over_tls));
  case W4_CK_WHY_DOMAIN:
    return w4_cor_printf ("in %s with Domain=%s, which does not cover the host that set it, "
                          "so clients refuse it", at, k->domain);
  case W4_CK_WHY_SAMESITE:
    if (k->strict && chk->navigation)
      return w4_cor_printf ("in %s (%s), and this request is a top-level navigation from "
                            "another site (%s): SameSite=Strict keeps the cookie off even "
                            "those, where Lax would let it go", at, k->attrs,
                            chk->cross_by ? chk->cross_by : "Sec-Fetch-Site");
    return w4_cor_printf ("in %s (%s), and this request is cross-site (%s)", at, k->attrs,
                          chk->cross_by ? chk->cross_by : "Sec-Fetch-Site");
  case W4_CK_WHY_UNKNOWN:
  default:
    return w4_cor_printf ("in %s (%s) and had not expired; nothing in the request keeps it "
                          "from applying, so the client's cookie jar did not keep or send it",
                          at, k->attrs[0] ? k->attrs : "no attributes");
  }
}

static void
not_sent_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCookieFact *k = v->cookie;
  const W4CorCookieCheck *chk = w4_cor_track_peek (c->ex)->cookie_check;
  g_autofree char *at = w4_cor_frame_ref (c, k->set_frame);
  g_autofree char *rq = request_words (c);
  g_autofree char *why = not_sent_why (c, k, at);

  f->summary = w4_cor_printf ("Cookie `%s` was set %s; %s carried none of the %u unexpired "
                              "cookie%s the server set for this host.",
                              k->name, why, rq, chk->n_live, chk->n_live == 1 ? "" : "s");
  switch (k->why) {
  case W4_CK_WHY_PATH:
    f->fix = w4_cor_printf ("Set the cookie with a Path that covers %s (e.g. Path=/), or call "
                            "the endpoint under %s.", chk->req_path, k->path);
    break;
  case W4_CK_WHY_SECURE:
    f->fix = g_strdup ("Use https for the requests that need the Secure cookie.");
    break;
  case W4_CK_WHY_DOMAIN:
    f->fix = g_strdup ("Set the cookie's Domain to the host's own domain or leave it out.");
    break;
  case W4_CK_WHY_SAMESITE:
    if (k->strict && chk->navigation)
      f->fix = g_strdup ("Set the cookie with SameSite=Lax if links from other sites must "
                         "arrive logged in (Lax cookies go with top-level GET navigations), or "
                         "keep Strict and let such a first request log in again.");
    else
      f->fix = g_strdup ("Set SameSite=None; Secure on a cookie that cross-site requests need, "
                         "or make the request same-site.");
    break;
  default:
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_COOKIE_NOT_SENT)->fix);
    break;
  }
  ev_set_cookie (c, k);
}

const W4CorRule w4_rule_cookie_not_sent = { FALSE, not_sent_holds, not_sent_explain };
