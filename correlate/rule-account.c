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

/* "3 times" / "once". (transfer full) */
static char *
times (guint64 n)
{
  return n == 1 ? g_strdup ("once") : w4_cor_printf ("%" G_GUINT64_FORMAT " times", n);
}

/* " The same request succeeded with it at frame 2, so its permission was
 * withdrawn since.": when the history's first success (before the
 * failure) or last success (after it) was this very method and target;
 * (transfer full) NULL otherwise (the history keeps only those two). */
static char *
same_request_words (const W4CorCtx *c, const W4CorVerdict *v)
{
  const W4CorCredAgg *a = v->agg;
  guint32 request = w4_cor_request_key (c->ex);
  g_autofree char *at = NULL;

  if (request == 0)
    return NULL;
  if (a->first_success_frame < c->ex->resp_frame && a->first_success_request == request) {
    at = w4_cor_frame_ref (c, a->first_success_frame);
    return w4_cor_printf (" The same request succeeded with it at %s, so its permission was "
                          "withdrawn since.", at);
  }
  if (v->later && a->last_success_request == request) {
    at = w4_cor_frame_ref (c, a->last_success_frame);
    return w4_cor_printf (" The same request succeeded with it later, at %s, so its "
                          "permission was granted since.", at);
  }
  return NULL;
}

/* The credential's successes before and after the failure: its first
 * success when that came before, its last when that came after (the
 * history keeps both ends, so a 403 between two successes names both). */
static void
permission_denied_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCredAgg *a = v->agg;
  gboolean before = a->first_success_frame < c->ex->resp_frame;
  g_autofree char *what = w4_cor_what (c);
  g_autofree char *phrase = w4_cor_cred_phrase (v->cred);
  g_autofree char *n = times (a->successes);
  g_autofree char *first = w4_cor_frame_ref (c, a->first_success_frame);
  g_autofree char *last = w4_cor_frame_ref (c, a->last_success_frame);
  g_autofree char *when = NULL;
  g_autofree char *same = same_request_words (c, v);

  if (before && v->later)
    when = w4_cor_printf ("before and after this one (%s in all: first at %s, last at %s)", n,
                          first, last);
  else if (v->later)
    when = a->successes == 1 ? w4_cor_printf ("later (once, at %s)", last)
                             : w4_cor_printf ("later (%s: first at %s, last at %s)", n,
                                              first, last);
  else
    when = a->successes == 1 ? w4_cor_printf ("earlier (once, at %s)", first)
                             : w4_cor_printf ("earlier (%s: first at %s, last at %s)", n,
                                              first, last);
  f->summary = w4_cor_printf ("The %s refused %s with %u although %s succeeded on other "
                              "requests to it %s: the account lacks permission for this "
                              "endpoint.%s",
                              w4_cor_who_answers (c), what, c->ex->status, phrase, when,
                              same ? same : "");
  f->fix = g_strdup (w4_cause_info (W4_CAUSE_PERMISSION_DENIED)->fix);
  if (before)
    w4_cor_ev_add (c->ev, a->first_success_frame, a->first_success_stream,
                   "an earlier success with the same credential");
  if (a->last_success_frame != a->first_success_frame || !before)
    w4_cor_ev_add (c->ev, a->last_success_frame, a->last_success_stream,
                   v->later ? "a later success with the same credential"
                            : "the last earlier success with the same credential");
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

/* The observed lifetime: from the first success to the first refusal
 * after the last success (the history's refused mark; this failure when
 * the history has none). */
static void
session_expired_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCredAgg *a = v->agg;
  gboolean first_refusal = a->refused_frame == 0 || a->refused_frame == c->ex->resp_frame;
  W4Time end = first_refusal ? c->ex->resp_ts : a->refused_ts;
  g_autofree char *phrase = w4_cor_cred_phrase (v->cred);
  g_autofree char *life = w4_cor_lifetime (w4_time_diff_usec (a->first_success_ts, end));
  g_autofree char *first = w4_cor_frame_ref (c, a->first_success_frame);
  g_autofree char *first_at = w4_cor_clock (a->first_success_ts);
  g_autofree char *last = w4_cor_frame_ref (c, a->last_success_frame);
  g_autofree char *last_at = w4_cor_clock (a->last_success_ts);
  g_autofree char *n = times (a->successes);
  g_autofree char *refusal = NULL;
  g_autofree char *since = NULL;

  phrase[0] = g_ascii_toupper (phrase[0]);
  if (first_refusal) {
    refusal = g_strdup ("this refusal");
  } else {
    g_autofree char *at = w4_cor_frame_ref (c, a->refused_frame);
    g_autofree char *clock = w4_cor_clock (a->refused_ts);
    g_autofree char *later = w4_cor_lifetime (w4_time_diff_usec (a->refused_ts, c->ex->resp_ts));
    refusal = w4_cor_printf ("its first refusal (%s at %s)", at, clock);
    since = w4_cor_printf (" This request was refused %s after that.", later);
  }
  f->summary = w4_cor_printf ("%s worked on this %s for %s, from its first success (%s at %s) "
                              "to %s; it succeeded %s, the last at %s (%s), and nothing "
                              "succeeded with it afterwards.%s",
                              phrase, w4_cor_who_answers (c), life, first, first_at, refusal, n,
                              last, last_at, since ? since : "");
  f->fix = g_strdup ("The server expired or revoked the session sooner than the client "
                     "expected: log in again and check the session lifetime.");
  w4_cor_ev_add (c->ev, a->first_success_frame, a->first_success_stream,
                 "the first success with the same credential");
  if (a->last_success_frame != a->first_success_frame)
    w4_cor_ev_add (c->ev, a->last_success_frame, a->last_success_stream,
                   "the last success with the same credential");
  if (!first_refusal)
    w4_cor_ev_add (c->ev, a->refused_frame, a->refused_stream,
                   "the first refusal of the same credential after its last success");
}

const W4CorRule w4_rule_session_expired = { FALSE, session_expired_holds,
                                            session_expired_explain };

/* ---- rejected-credentials (401 and 407) ---------------------------------- */

/* The principal's record on this server and the principal that
 * succeeded here most recently besides it: what the summary says of the
 * account (the server keeps its two most recent, no scan). */
static void
rejected_principals (const W4CorCtx *c, W4CorVerdict *v)
{
  W4CorServer *s = w4_cor_server_peek (c->cor, c->ex->server_key);
  guint n;

  if (s == NULL || v->cred == NULL)
    return;
  v->principal = g_hash_table_lookup (s->principals, v->cred->principal);
  v->other = s->recent_ok[0] != v->principal ? s->recent_ok[0] : s->recent_ok[1];
  n = g_hash_table_size (s->principals);
  v->others_tried = v->principal != NULL ? n - 1 : n;
}

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
  if (holds)
    rejected_principals (c, v);
  return holds;
}

/* "user bob: 10 of 10 succeeded": a principal's record on this server.
 * (transfer full) */
static char *
principal_record (const char *noun, const W4CorPrincipalAgg *p)
{
  return w4_cor_printf ("%s %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " succeeded", noun,
                        p->name, p->succeeded, p->succeeded + p->failed);
}

/* Whether the principal ever succeeded, and whether others do on this
 * server ("alice: 0 of 12; bob: 10 of 10" is an account-specific
 * problem): explanation only, the rule does not depend on it. */
static void
rejected_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCred *cred = v->cred;
  const W4CorPrincipalAgg *mine = v->principal, *other = v->other;
  W4CorEv *ev = c->ev;
  g_autofree char *phrase = NULL;
  g_autofree char *part1 = NULL;
  g_autofree char *part2 = NULL;
  const char *noun;
  gboolean kerberos;

  if (cred == NULL) {
    f->summary = w4_cor_printf ("The %s rejected the cookies sent (%s) and offered no challenge.",
                                w4_cor_who_answers (c), c->ex->cookie_names);
    f->fix = g_strdup ("Log in again; check the session cookie.");
    return;
  }
  noun = w4_cor_is_user_cred (cred) ? "user" : "principal";
  phrase = w4_cor_kerberos_cred_phrase (cred);
  kerberos = phrase != NULL;
  if (phrase == NULL)
    phrase = w4_cor_cred_phrase (cred);
  if (mine != NULL && mine->succeeded > 0) {
    g_autofree char *at = w4_cor_frame_ref (c, mine->last_success_frame);
    /* Every Kerberos AP-REQ is new bytes: "other credentials" is another
     * ticket for the same service, and the Kerberos error, not the
     * ticket, says what is wrong. */
    part1 = w4_cor_printf ("%s %s succeeded on this %s with other credentials (%" G_GUINT64_FORMAT
                           " of %" G_GUINT64_FORMAT ", the last at %s)%s", noun, cred->principal,
                           w4_cor_who_answers (c), mine->succeeded,
                           mine->succeeded + mine->failed, at,
                           kerberos ? "" : ", so the account works and these credentials are "
                                           "wrong or outdated");
    w4_cor_ev_add (ev, mine->last_success_frame, mine->last_success_stream,
                   kerberos ? "a success with another ticket for the same service"
                            : "a success of the same principal");
    f->summary = w4_cor_printf ("The %s rejected %s; %s.", w4_cor_who_answers (c), phrase,
                                part1);
  } else {
    /* the count only beside the others': alone, "no other tried" says it */
    if (mine != NULL && (other != NULL || v->others_tried > 0))
      part1 = w4_cor_printf ("no request in this capture succeeded with them (%s %s: 0 of %"
                             G_GUINT64_FORMAT " on this %s)", noun, cred->principal,
                             mine->failed, w4_cor_who_answers (c));
    else
      part1 = g_strdup ("no request in this capture succeeded with them");
    if (other != NULL) {
      g_autofree char *rec = principal_record (noun, other);
      g_autofree char *w = w4_cor_printf ("%s %s succeeded on this %s", noun, other->name,
                                          w4_cor_who_answers (c));
      g_autofree char *at = w4_cor_frame_ref (c, other->last_success_frame);
      part2 = w4_cor_printf ("but %s (the last at %s), so the problem is specific to this "
                             "account", rec, at);
      w4_cor_ev_add (ev, other->last_success_frame, other->last_success_stream, w);
    } else if (v->others_tried > 0) {
      part2 = w4_cor_printf ("and no other %s succeeded either (%u tried)", noun,
                             v->others_tried);
    } else {
      part2 = w4_cor_printf ("and no other %s tried", noun);
    }
    f->summary = w4_cor_printf ("The %s rejected %s; %s, %s.", w4_cor_who_answers (c), phrase,
                                part1, part2);
  }
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

  f->summary = w4_cor_printf ("The server refused %s with 403%s%s: an access rule (IP "
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
    g_autofree char *rs = w4_cor_printf ("%u: the handshake's last leg failed", next->status);
    g_autofree char *at = w4_cor_frame_ref (c, next->req_frame);

    f->summary = w4_cor_printf (
      "%s carried the first leg of a handshake (%s) and the %s answered with its challenge, a "
      "normal step; but the client's next leg (%s) got %u, so authentication never completed.",
      what, leg, w4_cor_who_answers (c), at, next->status);
    f->fix = w4_cor_printf ("Look at why the %s refused the handshake's last leg with %u "
                            "(account, domain or the server's authentication settings).",
                            w4_cor_who_answers (c), next->status);
    w4_cor_ev_add (ev, next->req_frame, next->req_stream, rq);
    w4_cor_ev_add (ev, next->resp_frame, next->resp_stream, rs);
  } else {
    f->summary = w4_cor_printf (
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
  f->summary = w4_cor_printf ("The %s answered %s with %u, and nothing in the capture explains "
                              "why.", w4_cor_who_answers (c), what, c->ex->status);
  f->fix = g_strdup ("Look at the evidence: the capture does not show why the request was "
                     "refused.");
}

const W4CorRule w4_rule_unexplained = { TRUE, unexplained_holds, unexplained_explain };
