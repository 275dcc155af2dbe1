/* rule-csrf.c: csrf-token-missing, from what the anti-forgery tracker
 * (track-csrf.c) learnt of this client's successes on this server, or
 * from the server's own words. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-csrf.h"

#include <string.h>

/* A session cookie of the request that succeeded on this server before
 * the request, (transfer none) or NULL. */
static const W4CorCred *
cookie_that_worked (const W4CorCtx *c, const W4CorCredAgg **agg)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    const W4CorCredAgg *a;

    if (cred->kind != W4_SCHEME_COOKIE)
      continue;
    a = w4_cor_cred_agg (c->cor, cred->agg_key);
    if (a != NULL && a->successes > 0 && a->first_success_frame < c->ex->req_frame) {
      *agg = a;
      return cred;
    }
  }
  return NULL;
}

/* Does the server's message name an anti-forgery token (WordPress
 * rest_cookie_invalid_nonce, "CSRF token missing", "invalid XSRF token")? */
static gboolean
message_names_token (const char *msg)
{
  g_autofree char *low = msg ? g_ascii_strdown (msg, -1) : NULL;

  return low != NULL &&
         (strstr (low, "nonce") != NULL || strstr (low, "csrf") != NULL ||
          strstr (low, "xsrf") != NULL);
}

static gboolean
message_not_logged_in (const char *msg)
{
  return msg != NULL && strstr (msg, "rest_not_logged_in") != NULL;
}

/* The request carries a session cookie that worked before and lacks a
 * header this client's successes here carried; or the server names a
 * nonce or CSRF token, or says rest_not_logged_in to a cookie that worked
 * (FINDINGS). Only the first case needs the tracker. */
static gboolean
csrf_missing_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorExchange *ex = c->ex;
  const W4CorCredAgg *agg = NULL;
  const W4CorCred *cookie;

  if (c->proxy || !ex->has_request || !c->has_cookie)
    return FALSE;
  cookie = cookie_that_worked (c, &agg);
  v->cred = cookie;
  v->agg = agg;
  if (cookie != NULL) {
    for (int h = 0; h < W4_CSRF_COUNT; h++) {
      const W4CorCsrfSuccess *s;

      if (w4_cor_track_peek (ex)->csrf_headers & (1u << h))
        continue;
      s = w4_cor_csrf_success (c->cor, ex, (W4CsrfHeader) h);
      if (s != NULL && s->resp_frame < ex->req_frame) {
        v->csrf_success = s;
        v->csrf_header = (guint) h;
        return TRUE;
      }
    }
  }
  if (message_names_token (ex->server_message))
    return TRUE;
  return cookie != NULL && message_not_logged_in (ex->server_message);
}

/* ", and the server says \"...\"" or "". (transfer full) */
static char *
server_words (const W4CorExchange *ex)
{
  if (ex->server_message == NULL)
    return g_strdup ("");
  return w4_cor_printf (" (\"%s\")", ex->server_message);
}

static void
csrf_missing_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *what = w4_cor_what (c);
  g_autofree char *said = server_words (ex);
  g_autofree char *phrase = v->cred ? w4_cor_cred_phrase (v->cred) : NULL;
  g_autofree char *worked = v->agg ? w4_cor_frame_ref (c, v->agg->first_success_frame) : NULL;

  if (v->csrf_success != NULL) {
    const char *name = w4_csrf_header_name ((W4CsrfHeader) v->csrf_header);
    g_autofree char *at = w4_cor_frame_ref (c, v->csrf_success->req_frame);
    g_autofree char *ev = w4_cor_printf ("a success (%u) of this client with %s and the "
                                         "session cookie", v->csrf_success->status, name);

    f->summary = w4_cor_printf ("%s carried %s, which succeeded on this %s before (%s), but not "
                                "%s, which this client's successful request at %s carried; the "
                                "%s answered %u%s.",
                                what, phrase, w4_cor_who_answers (c), worked, name, at,
                                w4_cor_who_answers (c), ex->status, said);
    f->fix = w4_cor_printf ("Send the application's anti-forgery header (%s) with every "
                            "cookie-authenticated API call, as the successful request did.",
                            name);
    w4_cor_ev_add (c->ev, v->csrf_success->req_frame, v->csrf_success->req_stream, ev);
  } else if (v->cred != NULL) {
    f->summary = w4_cor_printf ("The %s refused %s with %u%s: it names the anti-forgery token, "
                                "and %s succeeded on it before (%s), so the session is valid "
                                "and the token is what is missing or wrong.",
                                w4_cor_who_answers (c), what, ex->status, said, phrase, worked);
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_CSRF_TOKEN_MISSING)->fix);
  } else {
    f->summary = w4_cor_printf ("The %s refused %s (sent with cookies %s) with %u%s: it names "
                                "the anti-forgery token, which is missing or wrong.",
                                w4_cor_who_answers (c), what, ex->cookie_names, ex->status,
                                said);
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_CSRF_TOKEN_MISSING)->fix);
  }
  if (v->agg != NULL && (v->csrf_success == NULL ||
                         v->agg->first_success_frame != v->csrf_success->resp_frame))
    w4_cor_ev_add (c->ev, v->agg->first_success_frame, v->agg->first_success_stream,
                   "an earlier success with the same session cookie");
}

const W4CorRule w4_rule_csrf_token_missing = { FALSE, csrf_missing_holds, csrf_missing_explain };
