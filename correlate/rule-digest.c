/* rule-digest.c: Digest causes, from the failed response's challenge and
 * the Digest tracker's facts about the request's nonce (track-digest.c):
 *  - stale-nonce: the challenge says stale=true; or the client replayed a
 *    nonce count it had used with that nonce; or it reused a nonce the
 *    server had already answered with a new one; or it reused a nonce that
 *    worked before and the server now answers with a new one;
 *  - digest-mismatch: the response's uri is not the request-target as sent,
 *    or its realm, algorithm or qop is not what the challenge it answers
 *    (the one that issued its nonce) asked for. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

/* W4CorVerdict.digest_why */
enum {
  STALE_FLAG = 1,  /* stale=true */
  STALE_NC_REPLAY, /* a nonce count used before with this nonce */
  STALE_REFUSED,   /* a nonce the server had answered with a new one */
  STALE_EXPIRED,   /* a nonce that worked, now answered with a new one */
  MISMATCH_URI,
  MISMATCH_REALM,
  MISMATCH_ALGORITHM,
  MISMATCH_QOP,
};

static gboolean
param_is_true (const W4Challenge *ch, const char *name)
{
  const char *v = ch ? w4_auth_challenge_param (ch, name) : NULL;

  return v != NULL && g_ascii_strcasecmp (v, "true") == 0;
}

static const char *
cred_param (const W4CorCred *cred, const char *name)
{
  const GPtrArray *params = cred->parsed ? cred->parsed->digest_params : NULL;

  for (guint i = 0; params != NULL && i < params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index ((GPtrArray *) params, i);
    if (strcmp (ap->name, name) == 0)
      return ap->value;
  }
  return NULL;
}

/* The tracker's facts about the Digest credential the status names, or
 * NULL when the request carried none toward it. */
static const W4CorDigestFacts *
facts_of (const W4CorCtx *c)
{
  if (c->authz == NULL || c->authz->kind != W4_SCHEME_DIGEST)
    return NULL;
  return w4_cor_digest_facts_for (w4_cor_track_peek (c->ex)->digest, c->proxy);
}

/* ---- stale-nonce (401 and 407) ------------------------------------------- */

static gboolean
stale_nonce_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorDigestFacts *f;

  if (param_is_true (w4_cor_challenge_of (c, W4_SCHEME_DIGEST), "stale")) {
    v->digest_why = STALE_FLAG;
    return TRUE;
  }
  if ((f = facts_of (c)) == NULL)
    return FALSE;
  v->cred = c->authz;
  if (f->nc_frame != 0)
    v->digest_why = STALE_NC_REPLAY;
  else if (f->refused_frame != 0)
    v->digest_why = STALE_REFUSED;
  else if (w4_cor_digest_nonce_expired (c->ex, c->authz))
    v->digest_why = STALE_EXPIRED;
  return v->digest_why != 0;
}

static void
stale_nonce_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorDigestFacts *d = facts_of (c);
  g_autofree char *at = NULL;

  switch (v->digest_why) {
  case STALE_NC_REPLAY:
    at = w4_cor_frame_ref (c, d->nc_frame);
    f->summary = w4_cor_printf (
      "The client sent nonce count nc=%s with a nonce it had already sent with that count at "
      "%s: the %s refuses a replayed nonce count.",
      cred_param (c->authz, "nc"), at, w4_cor_who_answers (c));
    w4_cor_ev_add (c->ev, d->nc_frame, d->nc_stream,
                   "the earlier request with the same nonce and nonce count");
    break;
  case STALE_REFUSED:
    at = w4_cor_frame_ref (c, d->refused_frame);
    f->summary = w4_cor_printf (
      "The client sent again a nonce the %s had already refused at %s (it answered with a new "
      "nonce); the client did not restart the handshake with the new one.",
      w4_cor_who_answers (c), at);
    w4_cor_ev_add (c->ev, d->refused_frame, d->refused_stream,
                   "the earlier failure that answered this nonce with a new one");
    break;
  case STALE_EXPIRED:
    at = w4_cor_frame_ref (c, d->ok_frame);
    f->summary = w4_cor_printf (
      "The client reused a nonce that worked at %s, and the %s answered with a new nonce: it no "
      "longer accepts the old one (it expired without stale=true).",
      at, w4_cor_who_answers (c));
    w4_cor_ev_add (c->ev, d->ok_frame, d->ok_stream, "the earlier success with this nonce");
    break;
  default:
    f->summary = w4_cor_printf ("The %s marked the Digest nonce stale (stale=true), and the "
                                "client did not get through with the new nonce.",
                                w4_cor_who_answers (c));
    break;
  }
  if (d != NULL && d->challenge_frame != 0 && v->digest_why != STALE_FLAG)
    w4_cor_ev_add (c->ev, d->challenge_frame, d->challenge_stream,
                   "the challenge that issued the nonce");
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_STALE_NONCE)->fix);
}

const W4CorRule w4_rule_stale_nonce = { FALSE, stale_nonce_holds, stale_nonce_explain };

/* ---- digest-mismatch (401 and 407) --------------------------------------- */

/* The path and query of an absolute-form @u ("http://h/p?q" -> "/p?q");
 * @u itself otherwise. */
static const char *
origin_form (const char *u)
{
  const char *sep = strstr (u, "://"), *path;

  if (u[0] == '/' || sep == NULL)
    return u;
  path = strchr (sep + 3, '/');
  return path ? path : "/";
}

/* RFC 7616 3.4: uri is the request-target as sent. A client that sends an
 * absolute-form target to a proxy may name the path alone, or the other
 * way round: the same resource either way. */
static gboolean
uri_matches (const char *uri, const char *target)
{
  return strcmp (uri, target) == 0 || strcmp (origin_form (uri), origin_form (target)) == 0;
}

/* Is the response's qop one of the challenge's list ("auth,auth-int")? */
static gboolean
qop_offered (const char *list, const char *qop)
{
  W4Tok t;

  if (list == NULL)
    return FALSE;
  t = w4_tok_init (list, strlen (list));
  w4_tok_list_sep (&t); /* leading OWS and empty elements */
  while (!w4_tok_eof (&t)) {
    gsize from = t.off, n = w4_tok_token (&t);

    if (n == 0)
      break;
    if (w4_tok_span_ieq (list + from, n, qop))
      return TRUE;
    if (!w4_tok_list_sep (&t))
      break;
  }
  return FALSE;
}

static gboolean
digest_mismatch_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorDigestFacts *f = facts_of (c);
  const char *uri, *realm, *alg, *qop, *want_realm;

  if (f == NULL)
    return FALSE;
  v->cred = c->authz;
  uri = cred_param (c->authz, "uri");
  realm = cred_param (c->authz, "realm");
  alg = cred_param (c->authz, "algorithm");
  qop = cred_param (c->authz, "qop");
  /* the realm of the challenge answered, else the one this failure asks */
  want_realm = f->challenge_frame != 0
                 ? f->realm
                 : w4_auth_challenge_param (w4_cor_challenge_of (c, W4_SCHEME_DIGEST), "realm");
  if (c->ex->has_request && uri != NULL && !uri_matches (uri, c->ex->target)) {
    v->digest_why = MISMATCH_URI;
    v->digest_sent = uri;
    v->digest_wanted = c->ex->target;
  } else if (realm != NULL && want_realm != NULL && strcmp (realm, want_realm) != 0) {
    v->digest_why = MISMATCH_REALM;
    v->digest_sent = realm;
    v->digest_wanted = want_realm;
  } else if (f->challenge_frame == 0) {
    return FALSE; /* algorithm and qop: only against the challenge answered */
  } else if (g_ascii_strcasecmp (alg ? alg : "MD5", f->algorithm ? f->algorithm : "MD5") != 0) {
    v->digest_why = MISMATCH_ALGORITHM;
    v->digest_sent = alg ? alg : "MD5 (by default)";
    v->digest_wanted = f->algorithm ? f->algorithm : "MD5 (by default)";
  } else if (qop != NULL && !qop_offered (f->qop, qop)) {
    v->digest_why = MISMATCH_QOP;
    v->digest_sent = qop;
    v->digest_wanted = f->qop;
  }
  return v->digest_why != 0;
}

static void
digest_mismatch_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorDigestFacts *d = facts_of (c);
  g_autofree char *at = d->challenge_frame ? w4_cor_frame_ref (c, d->challenge_frame) : NULL;
  g_autofree char *where = at ? w4_cor_printf ("the challenge at %s", at)
                              : w4_cor_printf ("the %s", w4_cor_who_answers (c));

  switch (v->digest_why) {
  case MISMATCH_URI: {
    g_autofree char *sent = w4_cor_display_uri (c, v->digest_sent);
    g_autofree char *target = w4_cor_display_uri (c, v->digest_wanted);
    f->summary = w4_cor_printf (
      "The Digest response names uri=%s but the request is for %s: the %s checks the digest "
      "against the request-target as it arrives (a proxy that rewrote the URI is the usual "
      "reason).",
      sent, target, w4_cor_who_answers (c));
    break;
  }
  case MISMATCH_REALM:
    f->summary = w4_cor_printf ("The Digest response names realm=\"%s\" but %s asked for "
                                "realm=\"%s\".", v->digest_sent, where, v->digest_wanted);
    break;
  case MISMATCH_ALGORITHM:
    f->summary = w4_cor_printf ("The Digest response uses algorithm=%s but %s offered "
                                "algorithm=%s.", v->digest_sent, where, v->digest_wanted);
    break;
  default:
    if (v->digest_wanted == NULL)
      f->summary = w4_cor_printf ("The Digest response uses qop=%s but %s offered no qop.",
                                  v->digest_sent, where);
    else
      f->summary = w4_cor_printf ("The Digest response uses qop=%s but %s offered "
                                  "qop=\"%s\".", v->digest_sent, where, v->digest_wanted);
    break;
  }
  if (d->challenge_frame != 0)
    w4_cor_ev_add (c->ev, d->challenge_frame, d->challenge_stream,
                   "the challenge the Digest response answers");
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_DIGEST_MISMATCH)->fix);
}

const W4CorRule w4_rule_digest_mismatch = { FALSE, digest_mismatch_holds, digest_mismatch_explain };
