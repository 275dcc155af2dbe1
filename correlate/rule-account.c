/* rule-account.c: causes that the credential's history on this server
 * explains (permission-denied, session-expired, rejected-credentials), and
 * the fallbacks when no rule holds: forbidden (403), unexplained
 * (401/407). */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

/* Session-like credentials: the same value is sent again and again. Digest
 * and NTLM responses change with every request, so they never repeat. */
static gboolean
is_session_like (const W4CorCred *cred)
{
  switch (cred->kind) {
  case W4_SCHEME_BASIC:
  case W4_SCHEME_BEARER:
  case W4_SCHEME_APIKEY:
  case W4_SCHEME_COOKIE:
  case W4_SCHEME_OTHER:
  case W4_SCHEME_NONE:
    return TRUE;
  default:
    return FALSE;
  }
}

/* ---- permission-denied --------------------------------------------------- */

/* The relevant credential that succeeds elsewhere on this server (403:
 * before or after; 401/407: after). */
static gboolean
permission_denied_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    const W4CorCredAgg *a;

    if (!w4_cor_is_relevant (c, cred) || (cred->parsed && cred->parsed->malformed))
      continue;
    a = w4_cor_cred_agg (c->cor, cred->agg_key);
    if (a == NULL || a->successes == 0)
      continue;
    if (c->ex->status == 403 || a->last_success_frame > c->ex->resp_frame) {
      v->cred = cred;
      v->agg = a;
      v->later = a->last_success_frame > c->ex->resp_frame;
      return TRUE;
    }
  }
  return FALSE;
}

static void
permission_denied_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *what = w4_cor_what (c);
  g_autofree char *phrase = w4_cor_cred_phrase (v->cred);
  g_autofree char *at = w4_cor_frame_ref (c, v->agg->last_success_frame);

  f->summary = g_strdup_printf ("The %s refused %s with %u although %s succeed%s on other "
                                "requests to it (%s): the account lacks permission for this "
                                "endpoint.",
                                w4_cor_who_answers (c), what, c->ex->status, phrase,
                                v->later ? "ed later" : "ed", at);
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_PERMISSION_DENIED)->fix);
  w4_cor_ev_add (c->ev, v->agg->last_success_frame, v->agg->last_success_stream,
                 v->later ? "a later success with the same credential"
                          : "an earlier success with the same credential");
}

const W4CorRule w4_rule_permission_denied = { FALSE, permission_denied_holds,
                                              permission_denied_explain };

/* ---- session-expired (401 and 407) --------------------------------------- */

/* Succeeded on this server before, none after. A 403 after a success means
 * the server recognised the credential: permission-denied always holds
 * then, and calling the same facts an expired session as well would
 * mislead (the table's row leaves 403 out). */
static gboolean
session_expired_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  for (guint i = 0; i < c->ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (c->ex->creds, i);
    const W4CorCredAgg *a;

    if (!w4_cor_is_relevant (c, cred) || !is_session_like (cred))
      continue;
    a = w4_cor_cred_agg (c->cor, cred->agg_key);
    if (a == NULL || a->successes == 0)
      continue;
    if (a->first_success_frame < c->ex->resp_frame && a->last_success_frame < c->ex->resp_frame) {
      v->cred = cred;
      v->agg = a;
      return TRUE;
    }
  }
  return FALSE;
}

static void
session_expired_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCredAgg *a = v->agg;
  g_autofree char *phrase = w4_cor_cred_phrase (v->cred);
  g_autofree char *after = w4_cor_duration (w4_time_diff_usec (a->first_success_ts,
                                                               c->ex->resp_ts));
  g_autofree char *first = w4_cor_frame_ref (c, a->first_success_frame);
  g_autofree char *last = w4_cor_frame_ref (c, a->last_success_frame);

  phrase[0] = g_ascii_toupper (phrase[0]);
  f->summary = g_strdup_printf ("%s succeeded on this %s (first at %s, last at %s) and %s after "
                                "its first success was refused; nothing succeeded with it "
                                "afterwards.",
                                phrase, w4_cor_who_answers (c), first, last, after);
  f->fix = g_strdup ("The server expired or revoked the session sooner than the client "
                     "expected: log in again and check the session lifetime.");
  w4_cor_ev_add (c->ev, a->first_success_frame, a->first_success_stream,
                 "the first success with the same credential");
  if (a->last_success_frame != a->first_success_frame)
    w4_cor_ev_add (c->ev, a->last_success_frame, a->last_success_stream,
                   "the last success with the same credential");
}

const W4CorRule w4_rule_session_expired = { FALSE, session_expired_holds,
                                            session_expired_explain };

/* ---- rejected-credentials (401 and 407) ---------------------------------- */

static gboolean
rejected_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  gboolean holds;

  /* The server answered a first handshake leg with its own leg: that is
   * the handshake going on, not a rejection. */
  if (w4_cor_ctx_intermediate_leg (c))
    return FALSE;
  if (c->authz && !c->authz->parsed->malformed &&
      (!w4_cor_has_challenges (c) || w4_cor_offered (c, c->authz)))
    holds = TRUE;
  else if (c->apikey && !c->apikey->parsed->malformed &&
           (!w4_cor_has_challenges (c) || w4_cor_offered (c, c->apikey)))
    holds = TRUE;
  else
    holds = !c->proxy && c->ex->cookie_names != NULL && !w4_cor_has_challenges (c);
  /* the credential the summary names; NULL: only cookies, none a session's */
  v->cred = c->authz && !c->authz->parsed->malformed ? c->authz
            : c->apikey                               ? c->apikey
                                                      : c->main;
  return holds;
}

/* Whether the principal ever succeeded, and whether others do on this
 * server: explanation only, the rule does not depend on it. */
static void
rejected_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCred *cred = v->cred;
  W4CorEv *ev = c->ev;
  W4CorServer *s = w4_cor_server_peek (c->cor, c->ex->server_key);
  const W4CorPrincipalAgg *mine = NULL;
  const char *other = NULL;
  const W4CorPrincipalAgg *other_agg = NULL;
  guint others_tried = 0;
  g_autofree char *phrase = NULL;
  g_autofree char *part1 = NULL;
  g_autofree char *part2 = NULL;
  const char *noun;

  if (cred == NULL) {
    f->summary = g_strdup_printf ("The %s rejected the cookies sent (%s) and offered no challenge.",
                                  w4_cor_who_answers (c), c->ex->cookie_names);
    f->fix = g_strdup ("Log in again; check the session cookie.");
    return;
  }
  noun = w4_cor_is_user_cred (cred) ? "user" : "principal";
  phrase = w4_cor_kerberos_cred_phrase (cred);
  if (phrase == NULL)
    phrase = w4_cor_cred_phrase (cred);
  if (s != NULL) {
    GHashTableIter it;
    gpointer k, val;

    mine = g_hash_table_lookup (s->principals, cred->principal);
    g_hash_table_iter_init (&it, s->principals);
    while (g_hash_table_iter_next (&it, &k, &val)) {
      const W4CorPrincipalAgg *p = val;
      if (strcmp (k, cred->principal) == 0)
        continue;
      others_tried++;
      if (p->succeeded > 0 &&
          (other_agg == NULL || p->last_success_frame > other_agg->last_success_frame)) {
        other = k;
        other_agg = p;
      }
    }
  }
  if (mine != NULL && mine->succeeded > 0) {
    g_autofree char *at = w4_cor_frame_ref (c, mine->last_success_frame);
    part1 = g_strdup_printf ("%s %s succeeded on this %s with other credentials (%s)", noun,
                             cred->principal, w4_cor_who_answers (c), at);
    w4_cor_ev_add (ev, mine->last_success_frame, mine->last_success_stream,
            "a success of the same principal");
  } else {
    part1 = g_strdup ("no request in this capture succeeded with them");
  }
  if (other != NULL) {
    g_autofree char *w = g_strdup_printf ("%s %s succeeded on this %s", noun, other,
                                          w4_cor_who_answers (c));
    g_autofree char *at = w4_cor_frame_ref (c, other_agg->last_success_frame);
    part2 = g_strdup_printf ("but %s %s succeeded on this %s (%s), so the problem is specific "
                             "to this account", noun, other, w4_cor_who_answers (c), at);
    w4_cor_ev_add (ev, other_agg->last_success_frame, other_agg->last_success_stream, w);
  } else if (others_tried > 0) {
    part2 = g_strdup_printf ("and no other %s succeeded either (%u tried)", noun, others_tried);
  } else {
    part2 = g_strdup_printf ("and no other %s tried", noun);
  }
  f->summary = g_strdup_printf ("The %s rejected %s; %s, %s.", w4_cor_who_answers (c), phrase,
                                part1, part2);
  switch (cred->kind) {
  case W4_SCHEME_BEARER:
    f->fix = g_strdup ("Check the token (revoked, wrong audience or signature); test with another "
                       "account.");
    break;
  case W4_SCHEME_APIKEY:
    f->fix = g_strdup ("Check the API key (revoked or mistyped); test with another key.");
    break;
  case W4_SCHEME_COOKIE:
    f->fix = g_strdup ("Log in again; check the session cookie.");
    break;
  default:
    f->fix = g_strdup ("Check the user name and password; test with another account.");
    break;
  }
  w4_cor_negotiate_rejection_words (c, f);
}

const W4CorRule w4_rule_rejected_credentials = { FALSE, rejected_holds, rejected_explain };

/* ---- forbidden (403 when nothing else holds) ----------------------------- */

static gboolean
forbidden_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  v->cred = c->main;
  return TRUE;
}

static void
forbidden_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *what = w4_cor_what (c);
  g_autofree char *by = v->cred ? w4_cor_cred_phrase (v->cred) : NULL;

  f->summary = g_strdup_printf ("The server refused %s with 403%s%s: an access rule (IP "
                                "allow-list, WAF, file permissions) refuses it whatever the "
                                "credentials, so authenticating again will not help.",
                                what, by ? " to " : "", by ? by : "");
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_FORBIDDEN)->fix);
}

const W4CorRule w4_rule_forbidden = { TRUE, forbidden_holds, forbidden_explain };

/* ---- unexplained (401/407 when nothing else holds) ----------------------- */

/* A first handshake leg answered with the server's leg, whose handshake
 * then did not get past authentication: say where it stopped. */
/* A first handshake leg answered with the server's leg, whose handshake
 * then did not get past authentication: say where it stopped. */
static void
unfinished_handshake (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f, const char *what)
{
  const W4CorExchange *next = v->next;
  W4CorEv *ev = c->ev;
  g_autofree char *leg = w4_cor_cred_desc (c, c->authz);

  w4_cor_principal_from_later_leg (c, f, next);
  if (next != NULL) {
    g_autofree char *rq = w4_cor_request_what (c, next);
    g_autofree char *rs = g_strdup_printf ("%u: the handshake's last leg failed", next->status);
    g_autofree char *at = w4_cor_frame_ref (c, next->req_frame);

    f->summary = g_strdup_printf (
      "%s carried the first leg of a handshake (%s) and the %s answered with its challenge, a "
      "normal step; but the client's next leg (%s) got %u, so authentication never completed.",
      what, leg, w4_cor_who_answers (c), at, next->status);
    f->fix = g_strdup_printf ("Look at why the %s refused the handshake's last leg with %u "
                              "(account, domain or the server's authentication settings).",
                              w4_cor_who_answers (c), next->status);
    w4_cor_ev_add (ev, next->req_frame, next->req_stream, rq);
    w4_cor_ev_add (ev, next->resp_frame, next->resp_stream, rs);
  } else {
    f->summary = g_strdup_printf (
      "%s carried the first leg of a handshake (%s) and the %s answered with its challenge, a "
      "normal step; but the capture holds no next leg from the client for it.", what, leg,
      w4_cor_who_answers (c));
    f->fix = g_strdup ("Check that the client continues the handshake on the same connection.");
  }
}

static gboolean
unexplained_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  v->first_leg = w4_cor_ctx_intermediate_leg (c);
  v->next = v->first_leg ? w4_cor_next_attempt (c, FALSE) : NULL;
  return TRUE;
}

static void
unexplained_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  g_autofree char *what = w4_cor_what (c);

  if (v->first_leg) {
    unfinished_handshake (c, v, f, what);
    return;
  }
  f->summary = g_strdup_printf ("The %s answered %s with %u, and nothing in the capture explains "
                                "why.", w4_cor_who_answers (c), what, c->ex->status);
  f->fix = g_strdup ("Look at the evidence: the capture does not show why the request was "
                     "refused.");
}

const W4CorRule w4_rule_unexplained = { TRUE, unexplained_holds, unexplained_explain };
