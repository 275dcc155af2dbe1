/* rule-header.c: causes seen in the request's and response's headers
 * alone: cors-preflight, wrong-auth-header, scheme-mismatch,
 * malformed-credentials, no-credentials. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-header.h"

#include <string.h>

/* ---- cors-preflight ------------------------------------------------------ */

static gboolean
cors_preflight_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  (void) v;
  return c->ex->has_acrm && g_strcmp0 (c->ex->method, "OPTIONS") == 0;
}

/* "GET /api/data with the header authorization, from http://a.test": the
 * request the preflight asks about, as far as the preflight says. */
static char *
preflight_asks (const W4CorHeaderFacts *pf, const char *uri)
{
  GString *s = g_string_new (NULL);

  w4_cor_append_printf (s, "%s %s", pf->acr_method, uri);
  if (pf->acr_headers != NULL && pf->acr_headers[0] != '\0')
    w4_cor_append_printf (s, " with the header%s %s", strchr (pf->acr_headers, ',') ? "s" : "",
                          pf->acr_headers);
  if (pf->origin != NULL)
    w4_cor_append_printf (s, ", from a page on %s", pf->origin);
  return g_string_free (s, FALSE);
}

static void
cors_preflight_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *uri = w4_cor_display_uri (c, c->ex->target);
  const W4CorHeaderFacts *pf = w4_cor_track_peek (c->ex)->header;

  (void) v;
  /* an empty method names nothing to quote */
  if (pf == NULL || pf->acr_method == NULL || pf->acr_method[0] == '\0') {
    f->summary = w4_cor_printf ("The browser's CORS preflight (OPTIONS with "
                                "Access-Control-Request-Method) for %s was refused with %u; "
                                "browsers never send credentials on a preflight.",
                                uri, c->ex->status);
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_CORS_PREFLIGHT)->fix);
    return;
  }
  g_autofree char *asks = preflight_asks (pf, uri);
  f->summary = w4_cor_printf ("The browser's CORS preflight for %s (OPTIONS %s) was refused "
                              "with %u; browsers never send credentials on a preflight, so "
                              "the %s itself is not sent.",
                              asks, uri, c->ex->status, pf->acr_method);
  f->fix = w4_cor_printf ("Let OPTIONS requests through without authentication, and answer "
                          "them with Access-Control-Allow-Origin: %s%s%s.",
                          pf->origin ? pf->origin : "<the page's origin>",
                          pf->acr_headers ? " and Access-Control-Allow-Headers: " : "",
                          pf->acr_headers ? pf->acr_headers : "");
}

const W4CorRule w4_rule_cors_preflight = { FALSE, cors_preflight_holds, cors_preflight_explain };

/* ---- wrong-auth-header (401 and 407) ------------------------------------- */

static gboolean
wrong_auth_header_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  (void) v;
  if (c->ex->status == 407)
    return c->ex->n_authz > 0 && c->ex->n_proxy_authz == 0;
  return c->ex->n_proxy_authz > 0 && c->ex->n_authz == 0;
}

static void
wrong_auth_header_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  (void) v;
  if (c->ex->status == 407) {
    f->summary = g_strdup ("The proxy asked for Proxy-Authorization (407), but the request sent "
                           "its credentials in Authorization.");
    f->fix = g_strdup ("Send the proxy credentials in Proxy-Authorization, which is what a 407 "
                       "asks for.");
  } else {
    f->summary = g_strdup ("The server asked for Authorization (401), but the request carried "
                           "only Proxy-Authorization.");
    f->fix = g_strdup ("Send the credentials in Authorization, which is what a 401 asks for.");
  }
}

const W4CorRule w4_rule_wrong_auth_header = { FALSE, wrong_auth_header_holds,
                                              wrong_auth_header_explain };

/* ---- scheme-mismatch ----------------------------------------------------- */

static gboolean
scheme_mismatch_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  /* A bare token has no scheme to mismatch: that is malformed. */
  if (!w4_cor_has_challenges (c) || c->authz == NULL || c->authz->kind == W4_SCHEME_NONE ||
      w4_cor_offered (c, c->authz))
    return FALSE;
  v->cred = c->authz;
  return TRUE;
}

static void
scheme_mismatch_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *schemes = w4_cor_offered_list (c);

  f->summary = w4_cor_printf ("The request sent %s credentials in %s, but the %s offers only "
                              "%s.", w4_cor_scheme_word (v->cred), w4_cor_authz_header (c),
                              w4_cor_who_answers (c), schemes);
  f->fix = w4_cor_printf ("Use a scheme the %s offers: %s (see %s).", w4_cor_who_answers (c),
                          schemes, w4_cor_challenge_header (c));
}

const W4CorRule w4_rule_scheme_mismatch = { FALSE, scheme_mismatch_holds,
                                            scheme_mismatch_explain };

/* ---- malformed-credentials ----------------------------------------------- */

static gboolean
malformed_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  if (c->n_authz > 1) {
    v->header = w4_cor_authz_header (c);
    v->repeated = c->n_authz;
    return TRUE;
  }
  if (c->authz && c->authz->parsed->malformed) {
    v->cred = c->authz;
    v->header = w4_cor_authz_header (c);
    v->why = c->authz->parsed->malformed_why ? c->authz->parsed->malformed_why
                                             : "not valid credentials";
    return TRUE;
  }
  if (c->apikey && c->apikey->parsed->malformed) {
    v->header = c->apikey->name;
    v->why = c->apikey->parsed->malformed_why ? c->apikey->parsed->malformed_why
                                              : "not a valid key";
    return TRUE;
  }
  return FALSE;
}

static void
malformed_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorHeaderFacts *hf = w4_cor_track_peek (c->ex)->header;
  const guint which = c->proxy ? 1 : 0;
  const char *scheme = v->cred && v->cred->parsed ? v->cred->parsed->scheme : NULL;

  if (v->repeated > 1 && hf != NULL && hf->repeats[which] != NULL)
    f->summary = w4_cor_printf ("The request carried %u %s headers%s: %s%s; servers reject "
                                "that or act on one of them.", v->repeated, v->header,
                                hf->repeats_differ[which] ? " with different credentials"
                                                          : ", all the same",
                                hf->repeats[which],
                                v->repeated > W4_COR_REPEATS_SHOWN ? ", ..." : "");
  else if (v->repeated > 1)
    f->summary = w4_cor_printf ("The request carried %u %s headers; servers reject that or "
                                "pick one arbitrarily.", v->repeated, v->header);
  else if (scheme != NULL && strstr (v->why, scheme) == NULL)
    /* "empty credentials" says more with the scheme word it followed */
    f->summary = w4_cor_printf ("The %s header (%s) cannot be parsed: %s.", v->header, scheme,
                                v->why);
  else
    f->summary = w4_cor_printf ("The %s header cannot be parsed: %s.", v->header, v->why);
  f->fix = w4_cor_printf ("Fix how the client builds the %s header.", v->header);
}

const W4CorRule w4_rule_malformed_credentials = { FALSE, malformed_holds, malformed_explain };

/* ---- no-credentials (401 and 407) ---------------------------------------- */

static gboolean
is_http_auth_scheme (W4Scheme k)
{
  return k == W4_SCHEME_BASIC || k == W4_SCHEME_DIGEST || k == W4_SCHEME_BEARER ||
         k == W4_SCHEME_NTLM || k == W4_SCHEME_NEGOTIATE;
}

static gboolean
challenges_only_http_auth (const W4CorCtx *c)
{
  if (!w4_cor_has_challenges (c))
    return FALSE;
  for (guint i = 0; i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);
    if (!is_http_auth_scheme (ch->kind))
      return FALSE;
  }
  return TRUE;
}

static gboolean
no_credentials_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  /* Without the request we cannot know that it carried nothing. */
  if (!c->ex->has_request || c->authz != NULL || c->apikey != NULL)
    return FALSE;
  /* Cookies are credentials, except when the response asks only for HTTP
   * authentication: then they were not what it asked for. */
  if (c->ex->cookie_names != NULL && !c->proxy && !challenges_only_http_auth (c))
    return FALSE;
  v->cookies_only = c->ex->cookie_names != NULL && !c->proxy;
  return TRUE;
}

static void
no_credentials_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *schemes = w4_cor_offered_list (c);
  const char *wanted = c->proxy ? "Proxy-Authorization" : "credentials";

  if (v->cookies_only)
    f->summary = w4_cor_printf ("The request carried only cookies (%s), but the server asks "
                                "for %s authentication, so the cookies sent were not what it "
                                "asked for.", ex->cookie_names, schemes);
  else if (w4_cor_has_challenges (c))
    f->summary = w4_cor_printf ("The request carried no %s, and the %s asks for %s.", wanted,
                                w4_cor_who_answers (c), schemes);
  else
    f->summary = w4_cor_printf ("The request carried no %s, and the %s's %u names no scheme "
                                "to use.", wanted, w4_cor_who_answers (c), ex->status);
  if (w4_cor_has_challenges (c))
    f->fix = w4_cor_printf ("Send credentials (%s, as %s asks); check the client's auth "
                            "configuration.", schemes, w4_cor_challenge_header (c));
  else
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_NO_CREDENTIALS)->fix);
}

const W4CorRule w4_rule_no_credentials = { FALSE, no_credentials_holds, no_credentials_explain };
