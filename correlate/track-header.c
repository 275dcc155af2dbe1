/* track-header.c: the request facts the header rules quote
 * (track-header.h). Most requests are neither preflights nor carry a
 * credentials header twice: for them this costs two comparisons. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-header.h"

#include <string.h>

#include "rule.h"
#include "w4-token.h"

static gboolean
name_is (const W4Header *h, const char *lit)
{
  return w4_tok_span_ieq ((const char *) h->name.ptr, h->name.len, lit);
}

static char *
value_dup (const W4Header *h)
{
  return g_strndup ((const char *) h->value.ptr, MIN (h->value.len, W4_COR_EVIDENCE_CHARS));
}

void
w4_cor_header_facts_free (W4CorHeaderFacts *f)
{
  if (f == NULL)
    return;
  g_free (f->acr_method);
  g_free (f->acr_headers);
  g_free (f->origin);
  g_free (f->repeats[0]);
  g_free (f->repeats[1]);
  g_free (f);
}

static W4CorHeaderFacts *
facts_get (W4CorExchange *ex)
{
  W4CorTrackFacts *t = w4_cor_track_get (ex);

  if (t->header == NULL)
    t->header = g_new0 (W4CorHeaderFacts, 1);
  return t->header;
}

static void
read_preflight (W4CorHeaderFacts *f, const W4HttpHead *req)
{
  for (guint i = 0; i < req->n_headers; i++) {
    const W4Header *h = &req->headers[i];
    char **slot = name_is (h, "Access-Control-Request-Method")    ? &f->acr_method
                  : name_is (h, "Access-Control-Request-Headers") ? &f->acr_headers
                  : name_is (h, "Origin")                         ? &f->origin
                                                                  : NULL;
    if (slot != NULL && *slot == NULL)
      *slot = value_dup (h);
  }
}

/* Each copy of @name, as summaries name a credential, and whether they
 * differ (by fingerprint). */
static void
read_repeats (W4CorHeaderFacts *f, guint which, const char *name, const W4HttpHead *req)
{
  GString *s = g_string_new (NULL);
  g_autofree char *first = NULL;
  guint shown = 0;

  for (guint i = 0; i < req->n_headers; i++) {
    const W4Header *h = &req->headers[i];
    g_autoptr (W4Credential) p = NULL;
    W4CorCred cred = { 0 };
    g_autofree char *phrase = NULL;

    if (!name_is (h, name))
      continue;
    p = w4_auth_parse_credentials ((const char *) h->value.ptr, h->value.len);
    if (first == NULL)
      first = g_strdup (p->fingerprint);
    else if (g_strcmp0 (first, p->fingerprint) != 0)
      f->repeats_differ[which] = TRUE;
    if (shown++ >= W4_COR_REPEATS_SHOWN)
      continue;
    cred.kind = p->kind;
    cred.parsed = p;
    cred.fingerprint = p->fingerprint;
    cred.principal = p->principal ? p->principal : p->fingerprint;
    if (p->malformed) {
      phrase = g_strdup_printf ("%s that cannot be parsed (%s)", p->scheme ? p->scheme : "a value",
                                p->malformed_why ? p->malformed_why : "not valid credentials");
    } else {
      phrase = w4_cor_cred_phrase (&cred);
      /* "for user alice" twice says nothing: the fingerprints tell them apart */
      if (w4_cor_is_user_cred (&cred)) {
        char *both = g_strdup_printf ("%s (%s)", phrase, p->fingerprint);
        g_free (phrase);
        phrase = both;
      }
    }
    g_string_append_printf (s, "%s%s", s->len ? ", then " : "", phrase);
  }
  f->repeats[which] = g_string_free (s, FALSE);
}

void
w4_cor_header_facts_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req)
{
  (void) cor;
  if (ex->has_acrm && g_strcmp0 (ex->method, "OPTIONS") == 0)
    read_preflight (facts_get (ex), req);
  if (ex->n_authz > 1)
    read_repeats (facts_get (ex), 0, "Authorization", req);
  if (ex->n_proxy_authz > 1)
    read_repeats (facts_get (ex), 1, "Proxy-Authorization", req);
}
