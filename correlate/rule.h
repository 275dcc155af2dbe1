/* rule.h: what the cause rules (rule-*.c), the engine that asks them
 * (decide.c) and the shared phrasing (explain.c) have in common. Not for
 * other stages.
 *
 * A rule is a pair: holds() reads the failed exchange and the aggregates
 * and never writes; what it found (the credential, its aggregate, the JWT
 * and the claim that decided...) goes into a W4CorVerdict, and the rule's
 * explain() writes the finding's summary and fix (and evidence) from that
 * verdict instead of finding it again. */
#pragma once

#include "cor-private.h"
#include "cor-format.h"

G_BEGIN_DECLS

/* Evidence being gathered for a finding, and the frames of the finding's
 * file it names with the streams they are on, for the display filter
 * (cor-filter.c). Frames come in as the run counts them and go out as
 * their file does. */
typedef struct {
  W4Correlate *cor;
  W4Finding *f;
  guint file_index;      /* the finding's file */
  GArray *frames;        /* W4CorFilterFrame */
} W4CorEv;

/* A failed exchange as the rules see it: the credentials it offered
 * toward its status. */
typedef struct W4CorCtx {
  W4Correlate *cor;
  const W4CorExchange *ex;
  gboolean proxy;             /* a 407: the proxy's headers count */
  const W4CorCred *authz;     /* the first header the status names, or NULL */
  guint n_authz;              /* how many of that header */
  guint n_other_authz;        /* how many of the other one */
  const W4CorCred *apikey;    /* the first API-key header, or NULL */
  gboolean has_cookie;
  const W4CorCred *main;      /* w4_cor_main_cred() */
  const W4CorExchange *retry; /* set by the handshake check */
  guint file_index;           /* the finding's file: its response's */
  W4CorEv *ev;                /* where explain() adds evidence */
} W4CorCtx;

/* What a rule's holds() found, for its explain(). Zeroed before each
 * holds(); each rule fills what it names. */
typedef struct W4CorVerdict {
  const W4CorCred *cred;         /* the credential the cause is about */
  const W4CorCredAgg *agg;       /* its successes on this server */
  gboolean later;                /* permission-denied: a success after the failure */
  const W4JwtClaims *jwt;        /* the JWT whose claim decided (cred carries it), or NULL */
  gint64 jwt_time;               /* that claim (exp, nbf or iat), seconds */
  const char *jwt_claim;         /* ...its name: "exp", "nbf" or "iat" */
  const struct W4CorClock *clock; /* token causes: the server's Date skew (track-clock.h) */
  const char *header;            /* malformed-credentials: the header at fault */
  const char *why;               /* ...why it cannot be parsed */
  guint repeated;                /* ...how many of it (> 1: repeated) */
  gboolean cookies_only;         /* no-credentials: only cookies were sent */
  gboolean first_leg;            /* unexplained: a first handshake leg... */
  const W4CorExchange *next;     /* ...and the client's next leg, or NULL */
  const struct W4CorCaLeg *ca_leg; /* connection-auth-broken: the server leg... */
  gboolean ca_answering;         /* ...that the failed request answered from another connection */
  const struct W4CorRedirectLink *redirect; /* credentials-dropped-on-redirect: the 3xx */
  const struct W4CorCsrfSuccess *csrf_success; /* csrf-token-missing: a success with... */
  guint csrf_header;             /* ...this W4CsrfHeader, which the request lacks */
  guint digest_why;              /* stale-nonce, digest-mismatch: which kind (rule-digest.c) */
  const char *digest_sent;       /* digest-mismatch: the response's value... */
  const char *digest_wanted;     /* ...and the challenge's or the request's */
  const struct W4CorCookieFact *cookie; /* cookie causes: the cookie (track-cookie-jar.h) */
  const struct W4CorProxyLink *proxy_link; /* proxy-dropped-credentials: the two legs... */
  gboolean proxy_relayed;        /* ...and this is the client's leg (the relayed answer) */
  /* rejected-credentials: the principal's record on this server (NULL:
   * none), another principal that succeeded here most recently (NULL:
   * none), and how many other principals tried here */
  const W4CorPrincipalAgg *principal;
  const W4CorPrincipalAgg *other;
  guint others_tried;
} W4CorVerdict;

struct W4CorRule {
  /* TRUE for the causes that hold when no other does (forbidden,
   * unexplained): never asked with the others, never related. */
  gboolean fallback;
  /* Does the cause hold for the failed exchange? Reads only. */
  gboolean (*holds) (const W4CorCtx *c, W4CorVerdict *v);
  /* The finding's summary and fix (and evidence through c->ev) from what
   * holds() found. */
  void (*explain) (const W4CorCtx *c, const W4CorVerdict *v, W4Finding *f);
};

/* ctx.c: the context and the facts several rules ask. */
void w4_cor_ctx_init (W4CorCtx *c, W4Correlate *cor, const W4CorExchange *ex);
gboolean w4_cor_has_challenges (const W4CorCtx *c);
/* Does the response offer @cred's scheme? An API key counts when a
 * challenge names it (FINDINGS "Words"); other schemes compare by word. */
gboolean w4_cor_offered (const W4CorCtx *c, const W4CorCred *cred);
/* Is @cred one the request offered toward this status: the header the
 * status names, the API key, the session cookies? */
gboolean w4_cor_is_relevant (const W4CorCtx *c, const W4CorCred *cred);
/* The first challenge of @kind, (transfer none) or NULL. */
const W4Challenge *w4_cor_challenge_of (const W4CorCtx *c, W4Scheme kind);
/* w4_cor_intermediate_leg() for the credential the status names. */
gboolean w4_cor_ctx_intermediate_leg (const W4CorCtx *c);
gboolean w4_cor_has_any_credentials (const W4CorExchange *ex);
/* The same client's next request with the same method and target to the
 * same server, with credentials, within 30 s after the failed response
 * (@must_pass: one that got past authentication). (transfer none) or NULL. */
const W4CorExchange *w4_cor_next_attempt (const W4CorCtx *c, gboolean must_pass);
/* The same, and @cut (may be NULL) says whether the retry-scan limit, not
 * the 30 s, ended the look. */
const W4CorExchange *w4_cor_next_attempt_cut (const W4CorCtx *c, gboolean must_pass,
                                              gboolean *cut);

/* rule-conn-auth.c: when the server's Negotiate token says why it refused
 * (a Kerberos KRB-ERROR, a SPNEGO reject), adds that to @f's summary and
 * makes the Kerberos error's meaning the fix. */
void w4_cor_negotiate_rejection_words (const W4CorCtx *c, W4Finding *f);
/* rule-conn-auth.c: "the Kerberos ticket for HTTP/web@REALM (key version
 * 2) in Negotiate credentials (sha256:...)" when @cred is a Kerberos
 * AP-REQ, else NULL. (transfer full) */
char *w4_cor_kerberos_cred_phrase (const W4CorCred *cred);

/* explain.c: phrasing. Every char * returned is (transfer full). */
const char *w4_cor_challenge_header (const W4CorCtx *c);
const char *w4_cor_authz_header (const W4CorCtx *c);
const char *w4_cor_who_answers (const W4CorCtx *c);
char *w4_cor_display_uri (const W4CorCtx *c, const char *target);
/* "GET /x" for the failed request, or "the request" without one. */
char *w4_cor_what (const W4CorCtx *c);
gboolean w4_cor_is_user_cred (const W4CorCred *cred);
const char *w4_cor_scheme_word (const W4CorCred *cred);
/* "Basic (user test)": how evidence shows a credential. */
char *w4_cor_cred_desc (const W4CorCtx *c, const W4CorCred *cred);
/* "Basic credentials for user test": how summaries name a credential. */
char *w4_cor_cred_phrase (const W4CorCred *cred);
/* "GET /password-ok.php with Authorization: Basic (user test)". */
char *w4_cor_request_what (const W4CorCtx *c, const W4CorExchange *ex);
/* The same with @ex's target as w4_cor_display_uri shows it already made
 * (the finding's uri): redacting a URI twice per finding cost 640
 * instructions. */
char *w4_cor_request_what_shown (const W4CorCtx *c, const W4CorExchange *ex, const char *uri);
/* "401 with WWW-Authenticate: Basic realm=\"...\"". */
char *w4_cor_response_what (const W4CorCtx *c);
/* "Basic or Digest": the schemes the response offers. */
char *w4_cor_offered_list (const W4CorCtx *c);
/* "42 s", "5 min 3 s", "2 h 1 min". */
char *w4_cor_duration (gint64 usec);
/* The same for @s seconds (negative: 0 s). */
char *w4_cor_duration_sec (gint64 s);
/* The length of a span of @sec seconds either way, G_MININT64 included:
 * hostile times (a JWT's exp, a KRB-ERROR's stime) reach the extremes. */
char *w4_cor_duration_sec_abs (gint64 sec);
/* @to - @from in seconds, saturated at the gint64 extremes. */
gint64 w4_cor_sec_between (gint64 from, gint64 to);
/* "4.9 s" under a minute, else as w4_cor_duration: an observed lifetime. */
char *w4_cor_lifetime (gint64 usec);
/* "05:56:58.412" (UTC). */
char *w4_cor_clock (W4Time t);
/* Microseconds from second @from to second @to, saturated. */
gint64 w4_cor_sec_diff_usec (gint64 from, gint64 to);
char *w4_cor_iso_time (gint64 sec);
W4CorEv w4_cor_ev_start (W4Correlate *cor, W4Finding *f, guint file_index);
/* @stream: the tcp.stream @frame is on in its file, -1 for "not one
 * connection's" (the filter then names frames only). */
void w4_cor_ev_add (W4CorEv *ev, guint64 frame, gint64 stream, const char *what);
void w4_cor_ev_finish (W4CorEv *ev);
/* "frame 12", or "frame 12 in a.pcap" when not in the finding's file. */
char *w4_cor_frame_ref (const W4CorCtx *c, guint64 frame);
/* The finding's principal from the handshake's later leg @next. */
void w4_cor_principal_from_later_leg (const W4CorCtx *c, W4Finding *f,
                                      const W4CorExchange *next);
/* client_ip ... community_id of a TCP connection's finding. */
void w4_cor_finding_endpoints (W4Finding *f, const W4Endpoint *client, const W4Endpoint *server);
/* @frame's number in its file, and the file's name into @file. */
guint64 w4_cor_frame_in_file (W4Correlate *cor, guint64 frame, char **file);

G_END_DECLS
