/* rule-conn-auth.c: the NTLM and Negotiate family: connection-auth-broken,
 * and the words a Negotiate rejection adds to rejected-credentials.
 *
 * connection-auth-broken. NTLM and Negotiate
 * authenticate a TCP connection; the handshake breaks when a later leg
 * runs on another connection than the leg before it, or when the
 * connection closes after a server leg that expects the client's next
 * leg. The legs and their connections come from track-conn-auth.c, which
 * leaves what it saw in the exchange records. Over HTTP/2 a server that
 * cannot run them (IIS) resets the next request with HTTP_1_1_REQUIRED:
 * the challenge before it is the failure, and the client must use
 * HTTP/1.1 for that server. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"
#include "track-conn-auth.h"

#include <string.h>

/* Either the failed request answered a server leg of another connection
 * (ca_prev), or the failed response carried a server leg whose answer
 * never came on its connection (ca_leg: it closed, or the answer went
 * elsewhere). */
static gboolean
conn_auth_broken_holds (const W4CorCtx *c, W4CorVerdict *v)
{
  const W4CorCaLeg *leg = w4_cor_track_peek (c->ex)->ca_leg;

  if (w4_cor_track_peek (c->ex)->h2_reset_frame != 0)
    return TRUE;
  if (w4_cor_track_peek (c->ex)->ca_prev != NULL) {
    v->ca_leg = w4_cor_track_peek (c->ex)->ca_prev;
    v->ca_answering = TRUE;
    return TRUE;
  }
  if (leg != NULL && !leg->answered_here && (leg->closed || leg->answered_elsewhere)) {
    v->ca_leg = leg;
    return TRUE;
  }
  return FALSE;
}

/* "the NTLM type 2 challenge", "the server's Negotiate token". */
static const char *
server_leg_words (const W4CorCaLeg *leg)
{
  if (leg->scheme == W4_SCHEME_NTLM)
    return "the NTLM type 2 challenge";
  if (leg->ntlm_type == 2)
    return "the Negotiate (NTLM type 2) challenge";
  return "the server's Negotiate token";
}

/* What the client should have sent next on the same connection. */
static const char *
answer_words (const W4CorCaLeg *leg)
{
  return leg->ntlm_type == 2 ? "the type 3 answer" : "the client's next Negotiate token";
}

static char *
on_stream (gint64 stream)
{
  if (stream < 0)
    return g_strdup ("a connection");
  return w4_cor_printf ("tcp.stream %" G_GINT64_FORMAT, stream);
}

/* " and the server closed it (Connection: close)", " and that connection
 * closed (frame 14)", or "". */
static char *
close_words (const W4CorCtx *c, const W4CorCaLeg *leg)
{
  g_autofree char *at = NULL;

  if (!leg->closed)
    return g_strdup ("");
  if (leg->close_header)
    return g_strdup (" and the server closed it (Connection: close)");
  at = w4_cor_frame_ref (c, leg->close_frame);
  return w4_cor_printf (" and that connection closed (%s)", at);
}

/* Moves the last @n evidence entries of @f to the front: the legs before
 * the failed request come first, as the packets did. */
static void
evidence_to_front (W4Finding *f, guint n)
{
  for (guint i = 0; i < n; i++)
    g_ptr_array_insert (f->evidence, (gint) i,
                        g_ptr_array_steal_index (f->evidence, f->evidence->len - n + i));
}

/* Evidence for the legs the summary names besides the failed exchange
 * itself (decide.c already lists its request and response). */
static void
leg_evidence (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCaLeg *leg = v->ca_leg;
  g_autofree char *s = on_stream (leg->stream);
  guint before = f->evidence->len;

  if (v->ca_answering) {
    g_autofree char *what = w4_cor_printf ("%u with %s on %s", leg->status,
                                           server_leg_words (leg), s);
    w4_cor_ev_add (c->ev, leg->frame, leg->stream, what);
  }
  if (leg->close_frame != 0) {
    g_autofree char *what = w4_cor_printf ("%s closed after %s", s, server_leg_words (leg));
    w4_cor_ev_add (c->ev, leg->close_frame, leg->stream, what);
  }
  if (v->ca_answering)
    evidence_to_front (f, f->evidence->len - before);
  if (!v->ca_answering && leg->answered_elsewhere) {
    g_autofree char *ns = on_stream (leg->next_stream);
    g_autofree char *what = w4_cor_printf ("%s on %s", answer_words (leg), ns);
    w4_cor_ev_add (c->ev, leg->next_frame, leg->next_stream, what);
  }
}

/* The challenge was followed by a reset that asks for HTTP/1.1. */
static void
h2_reset_explain (const W4CorCtx *c, W4Finding *f)
{
  const W4CorTrackFacts *t = w4_cor_track_peek (c->ex);
  gboolean ntlm = FALSE, negotiate = FALSE;
  const char *scheme, *authenticates;
  g_autofree char *at = w4_cor_frame_ref (c, c->ex->resp_frame);
  g_autofree char *rst_at = w4_cor_frame_ref (c, t->h2_reset_frame);
  g_autofree char *req_at = t->h2_reset_req_frame != 0 ? w4_cor_frame_ref (c, t->h2_reset_req_frame)
                                                       : NULL;
  g_autofree char *what = NULL;

  for (guint i = 0; c->ex->challenges != NULL && i < c->ex->challenges->len; i++) {
    W4Scheme k = ((const W4Challenge *) g_ptr_array_index (c->ex->challenges, i))->kind;
    ntlm |= k == W4_SCHEME_NTLM;
    negotiate |= k == W4_SCHEME_NEGOTIATE;
  }
  scheme = ntlm && negotiate ? "Negotiate or NTLM" : ntlm ? "NTLM" : "Negotiate";
  authenticates = ntlm && negotiate ? "both authenticate" : "it authenticates";
  f->summary = w4_cor_printf (
    "The %s's %u (%s) asked for %s over HTTP/2; the client's next request (HTTP/2 stream %u%s%s%s) "
    "was reset with HTTP_1_1_REQUIRED (%s): %s one TCP connection, which HTTP/2 shares among its "
    "streams, so this server runs %s only over HTTP/1.1: the client must use HTTP/1.1 for this "
    "server.",
    w4_cor_who_answers (c), c->ex->status, at, scheme, t->h2_reset_stream, req_at ? ", " : "",
    req_at ? req_at : "", req_at ? "" : ", not captured", rst_at, authenticates,
    ntlm && negotiate ? "them" : "it");
  f->fix = w4_cor_printf ("The client must use HTTP/1.1 for this server (curl --http1.1; a "
                          "browser retries on HTTP/1.1 by itself), or turn HTTP/2 off where "
                          "the server uses %s.", scheme);
  what = w4_cor_printf ("RST_STREAM HTTP_1_1_REQUIRED on HTTP/2 stream %u", t->h2_reset_stream);
  if (t->h2_reset_req_frame != 0)
    w4_cor_ev_add (c->ev, t->h2_reset_req_frame, t->h2_reset_tcp_stream,
                   "the next request, on HTTP/2");
  w4_cor_ev_add (c->ev, t->h2_reset_frame, t->h2_reset_tcp_stream, what);
}

static void
leg_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  const W4CorCaLeg *leg = v->ca_leg;
  const char *scheme = leg->scheme == W4_SCHEME_NTLM ? "NTLM" : "Negotiate";
  g_autofree char *s = on_stream (leg->stream);
  g_autofree char *at = w4_cor_frame_ref (c, leg->frame);
  g_autofree char *closed = close_words (c, leg);
  g_autofree char *first = w4_cor_printf ("%s came on %s (%s)%s", server_leg_words (leg), s, at,
                                          closed);

  if (v->ca_answering || leg->answered_elsewhere) {
    guint64 next_frame = v->ca_answering ? c->ex->req_frame : leg->next_frame;
    gint64 next_stream = v->ca_answering ? c->ex->req_stream : leg->next_stream;
    g_autofree char *ns = on_stream (next_stream);
    g_autofree char *nat = w4_cor_frame_ref (c, next_frame);

    f->summary = w4_cor_printf (
      "%c%s; %s went on %s (%s): %s authenticates one TCP connection, so the server could not "
      "tie the answer to its challenge.", g_ascii_toupper (first[0]), first + 1,
      answer_words (leg), ns, nat, scheme);
  } else {
    f->summary = w4_cor_printf (
      "%c%s, so %s could not follow on that connection, and the capture holds none on another: "
      "%s authenticates one TCP connection.", g_ascii_toupper (first[0]), first + 1,
      answer_words (leg), scheme);
  }
  if (leg->close_header)
    f->fix = w4_cor_printf ("Keep the connection open through the %s handshake: the %s (or a "
                            "proxy in front of it) sent Connection: close with its challenge.",
                            scheme, w4_cor_who_answers (c));
  else if (v->ca_answering || leg->answered_elsewhere)
    f->fix = w4_cor_printf ("Keep each client connection on one server connection through the "
                            "%s handshake: check proxies and load balancers between them "
                            "(connection affinity, keep-alive to the server).", scheme);
  else
    f->fix = g_strdup (w4_cause_info (W4_CAUSE_CONNECTION_AUTH_BROKEN)->fix);
  /* a type 1 names nobody: the type 3 that answered elsewhere does */
  if (!v->ca_answering && leg->next_user != NULL) {
    g_free (f->principal);
    f->principal = g_strdup (leg->next_user);
  }
  leg_evidence (c, v, f);
}

static void
conn_auth_broken_explain (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f)
{
  if (w4_cor_track_peek (c->ex)->h2_reset_frame != 0)
    h2_reset_explain (c, f);
  else
    leg_explain (c, v, f);
}

const W4CorRule w4_rule_connection_auth_broken = { FALSE, conn_auth_broken_holds,
                                                   conn_auth_broken_explain };

/* ---- a Negotiate rejection's words (rejected-credentials) ------------------ */

/* The request's Kerberos AP-REQ, or NULL: a Negotiate credential whose
 * ticket names its service principal. */
static const W4Credential *
kerberos_cred (const W4CorCred *cred)
{
  const W4Credential *p = cred != NULL ? cred->parsed : NULL;

  if (p == NULL || p->malformed || cred->kind != W4_SCHEME_NEGOTIATE || p->negotiate_spn == NULL)
    return NULL;
  return p;
}

char *
w4_cor_kerberos_cred_phrase (const W4CorCred *cred)
{
  const W4Credential *p = kerberos_cred (cred);
  g_autofree char *kvno = NULL;

  if (p == NULL)
    return NULL;
  if (p->negotiate_kvno >= 0)
    kvno = w4_cor_printf (" (key version %d)", p->negotiate_kvno);
  return w4_cor_printf ("the Kerberos ticket for %s%s in Negotiate credentials (%s)",
                        p->negotiate_spn, kvno ? kvno : "", cred->fingerprint);
}

/* " The error's stime, the server's clock, ...": which clock a
 * KRB_AP_ERR_SKEW points at, from the server's time in the error and the
 * capture's time of the response. The capture's clock is a third clock
 * (usually one of the two ends'), so this says "agrees" only within a
 * minute. */
static char *
skew_words (const W4CorCtx *c, const W4Spnego *s, gboolean *client_off)
{
  /* seconds, saturated: a hostile capture time or stime reaches the
   * extremes of gint64 */
  gint64 diff = w4_cor_sec_between (s->krb_stime, c->ex->resp_ts.sec);
  g_autofree char *d = w4_cor_duration_sec_abs (diff);

  *client_off = diff > -60 && diff < 61;
  if (*client_off)
    return g_strdup (" The error's stime (the server's clock) agrees with the capture's time "
                     "within a minute, so the client's clock is the one that is off.");
  return w4_cor_printf (" The error's stime (the server's clock) is %s %s the capture's time, "
                        "so the server's clock is off (perhaps the client's too).", d,
                        diff > 0 ? "behind" : "ahead of");
}

/* The host part of a service principal "HTTP/host@REALM" (the second
 * name-string), as a span of @spn; FALSE when it has none. */
static gboolean
spn_host (const char *spn, const char **host, gsize *len)
{
  const char *slash = strchr (spn, '/');
  const char *end;

  if (slash == NULL)
    return FALSE;
  *host = slash + 1;
  end = *host + strcspn (*host, "/@");
  *len = (gsize) (end - *host);
  return *len > 0;
}

/* " The ticket is for the host X, but the request named Y: ..." when the
 * SPN's host is not the request's Host (without its port): the client
 * canonicalised the name it was given (a DNS CNAME, a reverse lookup), so
 * it asked the KDC for another service principal than the one the
 * server's keytab may hold. */
static char *
spn_host_words (const W4CorCtx *c, const W4Credential *p)
{
  const char *h = c->ex->host, *spn_h;
  gsize hlen, spn_len;

  if (h == NULL || h[0] == '[' || !spn_host (p->negotiate_spn, &spn_h, &spn_len))
    return NULL;
  hlen = strcspn (h, ":");
  if (hlen == spn_len && g_ascii_strncasecmp (h, spn_h, hlen) == 0)
    return NULL;
  return w4_cor_printf (" The ticket is for the host %.*s, but the request named %.*s: the "
                        "client canonicalised the name (a DNS CNAME or a reverse lookup; "
                        "krb5.conf's dns_canonicalize_hostname and rdns, Chromium's "
                        "DisableAuthNegotiateCnameLookup), so it asked for another service "
                        "principal than the name in the URL.",
                        (int) spn_len, spn_h, (int) hlen, h);
}

/* The server's token carries a KRB-ERROR: name it, say what it means,
 * make its fix the finding's. */
static void
krb_error_words (const W4CorCtx *c, const W4Spnego *s, const W4Credential *krb, W4Finding *f)
{
  const char *name = w4_krb_error_name (s->krb_error);
  const char *meaning = w4_krb_error_meaning (s->krb_error);
  const char *fix = w4_krb_error_fix (s->krb_error);
  g_autofree char *extra = NULL;
  gboolean client_off = FALSE;
  char *longer;

  if (s->krb_error == 37 && s->has_stime)
    extra = skew_words (c, s, &client_off);
  else if (krb != NULL)
    extra = spn_host_words (c, krb);
  longer = w4_cor_printf ("%s The %s's Negotiate token carries the Kerberos error %s (%d)%s%s.%s",
                          f->summary, w4_cor_who_answers (c), name ? name : "code",
                          s->krb_error, meaning ? ": " : "", meaning ? meaning : "",
                          extra ? extra : "");
  g_free (f->summary);
  f->summary = longer;
  if (client_off)
    fix = "Synchronise the client's clock (NTP): the server's agrees with the capture's.";
  if (fix != NULL) {
    g_free (f->fix);
    f->fix = g_strdup (fix);
  }
}

/* A Kerberos AP-REQ refused without a KRB-ERROR (a bare SPNEGO reject, or
 * only a new "Negotiate" challenge): say so, and never guess the error. */
static void
no_krb_error_words (const W4CorCtx *c, const W4Credential *p, gboolean reject, W4Finding *f)
{
  g_autofree char *kvno = p->negotiate_kvno >= 0
                            ? w4_cor_printf (" at key version %d", p->negotiate_kvno)
                            : g_strdup ("");
  g_autofree char *host = spn_host_words (c, p);
  char *longer = w4_cor_printf (
    "%s The %s's answer %s no Kerberos error%s.%s", f->summary, w4_cor_who_answers (c),
    reject ? "is a bare SPNEGO reject: it names" : "carries",
    p->negotiate_mutual == 0 ? " (MIT krb5 sends the error back only to a client that asks for "
                               "mutual authentication, and this AP-REQ did not)"
                             : "",
    host ? host : "");

  g_free (f->summary);
  f->summary = longer;
  g_free (f->fix);
  f->fix = w4_cor_printf ("Read the %s's log for why it refused the ticket for %s: check that "
                          "its keytab holds that principal%s (klist -k), that the clocks agree "
                          "(NTP), and that the client calls the server by the SPN's host name.",
                          w4_cor_who_answers (c), p->negotiate_spn, kvno);
}

void
w4_cor_negotiate_rejection_words (const W4CorCtx *c, W4Finding *f)
{
  W4Spnego s;
  const W4Credential *krb;
  gboolean read;

  if (c->main == NULL || c->main->kind != W4_SCHEME_NEGOTIATE)
    return;
  krb = kerberos_cred (c->main);
  read = w4_cor_negotiate_token (w4_cor_challenge_of (c, W4_SCHEME_NEGOTIATE), &s);
  if (read && s.krb_msg == W4_KRB_ERROR) {
    krb_error_words (c, &s, krb, f);
  } else if (krb != NULL) {
    no_krb_error_words (c, krb, read && s.neg_state == W4_NEG_REJECT, f);
  } else if (read && s.neg_state == W4_NEG_REJECT) {
    char *longer = w4_cor_printf ("%s The %s's Negotiate token says reject (SPNEGO "
                                  "negState)%s%s.", f->summary, w4_cor_who_answers (c),
                                  s.mech != W4_MECH_UNKNOWN ? " for " : "",
                                  s.mech != W4_MECH_UNKNOWN ? w4_spnego_mech_name (s.mech) : "");
    g_free (f->summary);
    f->summary = longer;
  }
  if (read)
    w4_spnego_clear (&s);
}
