/* cor-private.h: the correlator engine's internal state, shared by
 * correlate.c (events, pairing, windows, aggregates, timing, summary),
 * state.c (findings, limit drops, frames and files, lookups: what the
 * trackers and rules call back into), decide.c and the rules it asks
 * (rule.h), the trackers (track-*.c), and risk.c (the risk and info texts).
 * Not for other stages. */
#pragma once

#include "auth.h"
#include "correlate.h"
#include "track-digest.h"
#include "w4-budget.h"

#include <string.h>

G_BEGIN_DECLS

/* How far a rule may look at exchanges after a failed response: the
 * contract's handshake check and "later success" look 30 s ahead. */
#define W4_COR_LOOKAHEAD_SEC 30
/* Exchanges stay in the per-client window this long after they arrived:
 * the 30 s look-ahead plus slack for a server that answers slowly. Older
 * facts live on in the flat per-credential aggregates. */
#define W4_COR_WINDOW_SEC 40
/* Each growing table of W4Correlate has its own limit in w4-limits.h (the
 * inventory is there): servers, server-principals, principals,
 * credentials, risk-groups, retry-groups, gap-connections, tls-servers,
 * h2-servers, bare-fragments, undecided, body-waits, request-credentials;
 * the trackers' own: conn-auth (track-conn-auth.c), digest-peers
 * (track-digest.c), proxy-legs (track-proxy.c), date-servers
 * (track-clock.c). */
/* Host names counted per server to report the most seen one. */
#define W4_COR_HOSTS_PER_SERVER 4
/* Kinds of TLS alert (description, sender) kept per server; more are
 * only counted (a fixed size: a handful of alert kinds exist). */
#define W4_COR_TLS_ALERTS 8
/* retry-storm: this many rejections of one credential within the window. */
#define W4_COR_STORM_COUNT 5
#define W4_COR_STORM_SEC 60
/* A challenge header is shown in evidence up to this many characters. */
#define W4_COR_EVIDENCE_CHARS 200
/* What one entry costs a GHashTable beside its key and value: a key, a
 * value and a hash slot, and GLib keeps between one and four slots per
 * entry (two on average after it resized). */
#define W4_COR_HASH_SLOT (2 * (2 * sizeof (gpointer) + sizeof (guint)))
/* What the allocator takes for a block of @n bytes: glibc's malloc gives a
 * chunk of 16-byte multiples with an 8-byte header, 32 bytes at least.
 * The records kept per client are small and many (the hostile 'clients'
 * case: a dozen blocks per client), so they are charged what they take,
 * not what they ask for: half again as much for short strings. */
static inline guint64
w4_cor_alloc_bytes (guint64 n)
{
  return MAX (32, (n + 8 + 15) & ~(guint64) 15);
}

/* ...for a copy of @s (0 for NULL). */
static inline guint64
w4_cor_str_alloc_bytes (const char *s)
{
  return s != NULL ? w4_cor_alloc_bytes (strlen (s) + 1) : 0;
}
/* Characters of a TLS server name kept per server (dissect already
 * refuses longer names: a DNS name has at most 253). */
#define W4_COR_SNI_MAX 255

/* One credential a request carried, in a form that outlives the packet.
 * Immutable once made, and shared by the exchanges that carried the same
 * header to the same server (correlate.c shared_cred): reference counted. */
typedef struct {
  gint refs;
  W4Scheme kind;
  gboolean proxy;          /* from Proxy-Authorization */
  W4Credential *parsed;    /* (owned) Authorization / API key; NULL for a cookie */
  char *name;              /* header name, or the cookie's name */
  char *fingerprint;       /* (owned) */
  char *principal;         /* (owned) FINDINGS' principal */
  char *agg_key;           /* (owned) "server|..." key of its W4CorCredAgg */
  W4JwtClaims *jwt;        /* (owned) a cookie whose value is a JWT: its claims, else NULL */
  /* its key in W4Correlate.cred_cache (owned), and that table (transfer
   * none), while it is there; NULL: not shared */
  char *cache_key;
  GHashTable *cache;
} W4CorCred;

/* The JWT @cred carries (Authorization, API key or cookie), or NULL. */
static inline const W4JwtClaims *
w4_cor_cred_jwt (const W4CorCred *cred)
{
  return cred->parsed != NULL ? cred->parsed->jwt : cred->jwt;
}

/* The challenges of one challenge header value, shared by the responses
 * that sent it (correlate.c shared_challenges); reference counted. */
typedef struct {
  gint refs;
  char *key;               /* (owned) its key in W4Correlate.challenge_cache */
  GHashTable *cache;       /* (transfer none) that table; NULL once it is gone */
  GPtrArray *list;         /* (element-type W4Challenge) */
} W4CorChallengeSet;

typedef struct _W4CorClient W4CorClient;
struct W4CorExchange;

/* A list of exchanges through links inside them (W4CorExLink), in arrival
 * order: the windows (correlate.c window_*). */
typedef struct {
  struct W4CorExchange *prev, *next;
} W4CorExLink;

typedef struct {
  struct W4CorExchange *head, *tail;
  guint length;
} W4CorExList;
struct W4CorCookieJar;     /* track-cookie-jar.h */
struct W4CorCookieCheck;

/* What the cause trackers found for one exchange. Most exchanges give
 * them nothing, so this lives apart from W4CorExchange and is made only
 * when a tracker has something to keep (w4_cor_track_get): the window
 * holds every exchange of the last 40 s, and each field here would be
 * paid by all of them. */
typedef struct {
  struct W4CorCookieCheck *cookie_check; /* (owned) track-cookie-jar.c, or NULL */
  W4CorDigestFacts *digest; /* (owned) Digest credentials: the tracker's facts, or NULL */
  struct W4CorRedirectLink *redirect; /* (owned) track-redirect.c: the 3xx it followed, or NULL */
  /* track-conn-auth.c (owned refs, NULL when none): the server leg its
   * response carried, and the one on another connection its request
   * answered */
  struct W4CorCaLeg *ca_leg, *ca_prev;
  guint8 csrf_headers;     /* track-csrf.c: bits (1 << W4CsrfHeader) of anti-forgery headers */
  /* track-proxy.c (owned refs, NULL when none): the client's request this
   * one forwards, and the forwarded request of this client's request,
   * when the proxy lost credentials between them */
  struct W4CorProxyLink *proxy_from, *proxy_to;
  struct W4CorHeaderFacts *header; /* (owned) track-header.c: preflight, repeated headers */
  /* track-conn-auth.c: this NTLM/Negotiate challenge's next request, on
   * HTTP/2, was reset by the server with HTTP_1_1_REQUIRED (what IIS
   * does): the reset's frame (0: none), its stream, and the reset
   * request's first frame (0: not captured) */
  guint64 h2_reset_frame;
  gint64 h2_reset_tcp_stream;
  guint32 h2_reset_stream;
  guint64 h2_reset_req_frame;
} W4CorTrackFacts;

/* One request and its response, as far as they were captured. Shared by
 * the connection's pending queue, the client window and the decision
 * queue, hence reference counted; flow/run lifetime. */
typedef struct W4CorExchange {
  /* (field order: 8-byte members, then times and endpoints, then 4-byte
   * ones and the flags, so that no padding is paid by every exchange) */
  W4Budget *budget;        /* (transfer none) W4Limits.budget, or NULL */
  guint64 arrival;         /* creation order: ties within one frame */
  /* connection */
  guint64 conn_id;
  /* tcp.stream in the file of the request's and of the response's first
   * frame (-1: unknown); a rotated capture may put them in two files */
  gint64 req_stream, resp_stream;
  /* (owned, interned: correlate.c intern) what tells servers apart:
   * "ip:port", and for an exchange inside a CONNECT tunnel "ip:port>target"
   * (the proxy's address and the server behind it: the proxy's own answers
   * and the origin's are not one server's). Findings show the endpoint and
   * @tunnel_to apart. */
  char *server_key;
  char *tunnel_to;         /* (owned, interned) the tunnel's CONNECT target, or NULL */
  char *sni;               /* (owned, interned) the decrypted TLS session's server name, or NULL */
  guint64 resp_seq;
  /* request */
  char *method, *target, *host;   /* (owned, interned) target raw: rules compare it */
  guint64 req_frame;
  GPtrArray *creds;        /* (element-type W4CorCred) */
  char *cookie_names;      /* (owned) "a, b" or NULL when no Cookie header */
  W4CorTrackFacts *track;  /* (owned) the trackers' facts, NULL while they have none */
  guint64 req_block_len;   /* its header block's size as sent */
  guint64 unparsed_req_frame; /* no request: the one dissect could not parse, 0: none */
  char *unparsed_req_why;  /* (owned) its parse error */
  /* response */
  guint64 resp_frame;
  GPtrArray *challenges;   /* (element-type W4Challenge) of the header the status names */
  W4CorChallengeSet *chset; /* (owned ref) the shared set @challenges is, or NULL: its own */
  char *challenge_text;    /* (owned, interned) the first such header value, for evidence */
  char *content_type;      /* (owned, interned) failed responses only */
  char *server_message;    /* (owned) */
  guint64 resp_block_len;
  /* decision */
  /* correlate.c, the window: a hash of the retry key (client, server,
   * method, target); for a failure waiting for its retry, its links in
   * W4Correlate.awaiting; once answered for good, the arrival of the
   * request past which its look-ahead never goes (G_MAXUINT64: not yet) */
  guint64 retry_hash;
  struct W4CorExchange *await_prev, *await_next;
  guint64 retry_stop;
  struct W4CorExchange *reach_next; /* correlate.c window_compact's lists */
  union {
    /* (owned) once decided, until released */
    W4Finding *finding;
    /* while undecided (no finding yet): the next in W4Correlate's due
     * list; a link inside the record, where a list node would cost each
     * undecided failure 32 bytes more */
    struct W4CorExchange *due_next;
  };
  W4CorClient *client_state; /* (transfer none) while in a window, else NULL */
  /* its links in client_state->window and in W4Correlate.window: inside
   * the record, where list nodes would cost every exchange in the window
   * 64 bytes more */
  W4CorExLink in_client, in_window;
  /* the next in W4Correlate.in_order (see there) until released */
  struct W4CorExchange *order_next;

  W4Time req_ts;
  W4Time resp_ts, resp_done_ts;
  W4Endpoint client, server;

  gint refs;
  /* what it is charged to the run's budget as W4_MEM_EXCHANGES
   * (correlate.c exchange_recharge), released when the last ref goes */
  guint32 charged;
  guint32 h2_stream;
  guint n_authz, n_proxy_authz, n_apikey;
  guint req_cut;           /* W4HttpHead.cut of the request */
  guint req_odd;           /* W4HttpHead.odd of the request */
  guint status;
  guint resp_cut;          /* W4HttpHead.cut of the response */

  /* flags, set only to TRUE or FALSE */
  guint tls : 1;
  guint h2 : 1;
  guint has_request : 1;
  guint has_acrm : 1;      /* Access-Control-Request-Method */
  guint has_response : 1;
  guint has_challenge_header : 1;
  guint message_from_challenge : 1;
  guint message_bare : 1;  /* from a challenge with an error code but no error_description */
  guint failed : 1;        /* 401, 407 or 403 */
  guint decided : 1;
  guint awaits_retry : 1;  /* correlate.c: in W4Correlate.awaiting */
  guint look : 2;          /* correlate.c W4CorLook: how its decision looks ahead */
} W4CorExchange;

/* @ex's tracker facts for reading: an empty record when it has none. */
static inline const W4CorTrackFacts *
w4_cor_track_peek (const W4CorExchange *ex)
{
  static const W4CorTrackFacts none;
  return ex->track != NULL ? ex->track : &none;
}

/* @ex's tracker facts for writing, made on first use. */
static inline W4CorTrackFacts *
w4_cor_track_get (W4CorExchange *ex)
{
  if (ex->track == NULL)
    ex->track = g_new0 (W4CorTrackFacts, 1);
  return ex->track;
}

struct _W4CorClient {
  W4Addr addr;
  W4CorExList window;      /* W4CorExchange through in_client (refs held by W4Correlate.window) */
  guint compact_at;        /* window length at which it is compacted next */
};

/* A client's window is compacted when it grew by a quarter since the
 * last time, by this many exchanges at least (each compaction walks it
 * once: at most five steps per exchange added, and what no look-ahead
 * needs stays at most a quarter of what it needs). */
#define W4_COR_COMPACT_MIN 64

/* Flat per (server, credential) facts over the whole capture: the
 * credential's history (track-credential.c). */
typedef struct {
  guint64 successes, failures;
  guint64 first_success_frame, last_success_frame;   /* response frames */
  gint64 first_success_stream, last_success_stream;
  W4Time first_success_ts, last_success_ts;
  /* the first failure since the last success (frame 0: none since, or
   * never a success): an expired session's observed lifetime runs from
   * the first success to that failure */
  guint64 refused_frame;
  gint64 refused_stream;
  W4Time refused_ts;
  /* w4_cor_request_key of the first and the last success's request (0:
   * not captured), so that a rule can tell the same request from others */
  guint32 first_success_request, last_success_request;
} W4CorCredAgg;

typedef struct {
  const char *name;        /* (transfer none) its key in W4CorServer.principals */
  guint64 failed, succeeded;
  guint64 rejected;        /* failures decided as rejected-credentials */
  guint64 last_success_frame;
  gint64 last_success_stream;
} W4CorPrincipalAgg;

typedef struct {
  char *key;               /* (owned) W4CorExchange.server_key */
  char *endpoint;          /* (owned) "ip:port" */
  char *tunnel_to;         /* (owned) the CONNECT tunnel's target, or NULL */
  char *hosts[W4_COR_HOSTS_PER_SERVER]; /* (owned refs) W4CorExchange.host strings */
  guint64 host_counts[W4_COR_HOSTS_PER_SERVER];
  guint64 failed, total;
  guint32 schemes;         /* bit (1 << W4Scheme) offered or accepted */
  char *other_scheme;      /* (owned) first W4_SCHEME_OTHER word */
  GHashTable *principals;  /* char* -> W4CorPrincipalAgg* */
  /* the two principals that succeeded most recently (NULL: fewer), so that
   * "does another principal succeed here" costs no scan of principals */
  const W4CorPrincipalAgg *recent_ok[2];
  guint64 challenge_steps; /* failed responses decided as normal challenge steps */
  /* it acted as a proxy (a 407, a CONNECT, Proxy-Authorization): not an
   * application that others are measured against */
  gboolean proxy;
  W4TlsAlertStat alerts[W4_COR_TLS_ALERTS]; /* handshakes ended by TLS alerts */
  guint n_alerts;
  guint64 alerts_other;    /* of kinds past W4_COR_TLS_ALERTS */
} W4CorServer;

/* What correlate.c intern_again remembers the last string of. */
typedef enum {
  W4_COR_LAST_METHOD,
  W4_COR_LAST_TARGET,
  W4_COR_LAST_HOST,
  W4_COR_LAST_CONTENT_TYPE,
  W4_COR_LAST_CHALLENGE,   /* W4CorExchange.challenge_text */
  W4_COR_LAST_FIELDS
} W4CorLastField;

/* Strings correlate.c intern_again keeps per field: a few, as a client
 * cycles through a few targets. */
#define W4_COR_LAST_KEPT 4
/* ...and only the short ones, which the intern table shares (correlate.c
 * intern_len), so what they pin is small. */
#define W4_COR_INTERN_MAX 512

typedef struct {
  char *s[W4_COR_LAST_KEPT]; /* (owned refs, interned) or NULL */
  gsize len[W4_COR_LAST_KEPT];
  guint next;                /* the slot the next new string takes */
} W4CorLastStrings;

/* The last group of a table of risk groups (or servers) that was found,
 * and what keyed it, so that the same key again costs compares instead of
 * a key and a lookup (correlate.c cleartext_group, note_rejection,
 * server_of). Its groups stay in their table until the end. */
typedef struct {
  gpointer group;          /* (transfer none) or NULL: none yet */
  W4Addr client;
  W4Scheme kind;
  char *a, *b;             /* (owned refs, interned) or NULL */
} W4CorLastGroup;

struct W4Correlate {
  W4Limits limits;
  W4CorrelateOptions opts;
  W4FindingSink sink;
  W4Time now;
  guint64 arrival_counter;

  GHashTable *conns;       /* guint64* conn_id -> W4CorConn* */
  GHashTable *clients;     /* W4Addr* -> W4CorClient* */
  W4CorExList window;      /* W4CorExchange through in_window (one ref each), in arrival order */
  /* W4CorExchange.retry_hash -> the first of the failures with it that
   * wait for their retry (a list through await_next) */
  GHashTable *awaiting;
  GHashTable *scratch;     /* empty between uses: correlate.c window_compact */
  /* "server_key\nheader name\nvalue" -> W4CorCred* (weak: a credential
   * leaves it with its last reference): correlate.c shared_cred */
  GHashTable *cred_cache;
  /* "header name\nvalue" -> W4CorChallengeSet* (weak, as cred_cache) */
  GHashTable *challenge_cache;
  struct W4CorCredHistory *creds; /* track-credential.c: agg_key -> W4CorCredAgg */
  GHashTable *servers;     /* key -> W4CorServer* */
  W4CorLastGroup last_server; /* correlate.c server_of; a: its key */
  GHashTable *principals;  /* name -> W4PrincipalStat* (summary) */
  /* failed W4CorExchange (ref each) not yet released, by response frame
   * (correlate.c order_add): those that came in that order (nearly all:
   * responses are read in frame order) in a list through order_next, and
   * the few that did not in a sorted sequence; the first of the two heads
   * is the next to release */
  struct W4CorExchange *in_order_head, *in_order_tail;
  GSequence *order;
  /* failed W4CorExchange (ref each) not yet decided, in arrival order: a
   * list through due_next */
  struct W4CorExchange *due_head, *due_tail;
  guint64 due_len;

  GHashTable *cleartext;   /* "client|server|scheme" -> W4CorRiskAcc* */
  GHashTable *storms;      /* "client|server|fp" -> W4CorStorm* */
  W4CorLastGroup last_cleartext; /* a: its server_key */
  W4CorLastGroup last_storm;     /* a, b: its credential's agg_key and fingerprint */
  /* the last strings interned for each field: correlate.c intern_again.
   * Not charged: each is a string an exchange charged when it took it, and
   * once those exchanges are gone, what they pin stays below
   * W4_COR_LAST_FIELDS * W4_COR_LAST_KEPT * W4_COR_INTERN_MAX bytes */
  W4CorLastStrings last_interned[W4_COR_LAST_FIELDS];
  GHashTable *gaps;        /* conn_id -> W4CorRiskAcc* */
  GHashTable *undecrypted; /* server key -> W4CorRiskAcc* */
  GHashTable *unparsed;    /* server key -> W4CorRiskAcc* (HTTP/2 not parsed) */
  W4CorDigest *digest;     /* track-digest.c */
  struct W4CorCookieJar *cookie_jar; /* track-cookie-jar.c */
  guint64 limit_hits[W4_LIMIT_COUNT];
  guint64 limit_first_frame[W4_LIMIT_COUNT];
  W4Time limit_first_ts[W4_LIMIT_COUNT];
  GPtrArray *file_names;   /* (element-type utf8) by file index; NULL holes */
  GArray *file_starts;     /* (element-type W4CorFileStart) in run order */
  GArray *bare_frames;     /* (element-type guint64) sorted: fragments without TCP */
  guint64 bare_forgotten;  /* bare_frames knows nothing at or below this frame */

  guint64 packets, bytes, connections;
  guint64 http_requests, http_responses, failed_responses;
  guint64 http_unparsed;   /* W4_ANOM_HTTP_ERROR: messages given up on */
  guint64 unparsed_frame;  /* ...the first one's frame, and why */
  char *unparsed_why;      /* (owned) */
  guint unparsed_file;
  guint64 by_cause[W4_CAUSE_COUNT];
  GPtrArray *warnings;
  guint64 warnings_dropped; /* past the first 100 (limits' are always kept) */
  W4AnomalyFunc warn;      /* limits reached, for stderr; may be NULL */
  void *warn_user;
  gboolean finished;
  struct W4CorCaTracker *conn_auth; /* track-conn-auth.c */
  struct W4CorRedirects *redirects; /* track-redirect.c */
  struct W4CorCsrf *csrf;   /* track-csrf.c */
  struct W4CorProxy *proxy; /* track-proxy.c */
  struct W4CorClocks *clocks; /* track-clock.c */
  /* what correlate.c budget_sync charged by table sizes (W4_MEM_CLIENTS
   * for connections, W4_MEM_AGGREGATES, W4_MEM_TRACKERS) */
  guint64 charged_conns, charged_aggregates, charged_trackers;
  /* ...and whether they may have changed since: an event came
   * (correlate.c budget_touch), or the budget ran its evictors
   * (W4Budget.enforcements, as seen then) */
  gboolean budget_stale;
  guint64 budget_enforcements;
  /* what the cleartext and storm groups are charged one by one
   * (W4CorRiskAcc.charged), and summary.by_principal's records (state.c) */
  guint64 charged_groups, charged_principals;
  guint64 server_principals; /* records in all W4CorServer.principals */
};

/* Where an input file starts in the run's frame order (files are read one
 * after another). */
typedef struct {
  guint64 first_frame;
  guint file_index;
} W4CorFileStart;

/* A risk or info being accumulated until it is decided (at the end). */
typedef struct {
  W4Cause cause;
  guint64 count;
  guint64 bytes;
  guint64 first_frame;
  W4Time first_ts;
  gint64 stream;               /* in the file of first_frame */
  W4Endpoint client_ep, server_ep;
  gboolean tls;
  gint64 h2_stream;            /* of the first request, -1 = none */
  char *client, *server;       /* (owned) formatted */
  char *tunnel_to;             /* (owned) the CONNECT tunnel's target, or NULL */
  char *method, *uri, *host;   /* (owned) of the first request */
  char *principal;             /* (owned) of the first request */
  gboolean mixed_principals;
  char *scheme;                /* (owned) display name */
  char *header;                /* (owned) e.g. "Authorization" */
  guint16 server_port;
  guint64 frames[W4_COR_STORM_COUNT];
  guint n_frames;
  /* not-decrypted: the first TLS server name (SNI) seen for the server, or
   * NULL; what the finding's sni field carries */
  char *sni;                   /* (owned) */
  gboolean sni_mixed;          /* other connections named another server */
  guint64 h2_offers;           /* connections whose ClientHello offered h2 */
  /* ...and why they were not decrypted when key logs were given */
  guint64 keys_missing;        /* the key logs have no secrets for them */
  guint64 keys_wrong;          /* the secrets there do not open them */
  guint64 keys_unsupported;    /* a TLS version or cipher suite not decrypted */
  /* what it is charged to the budget, with its key (cleartext and storm
   * groups, as many as clients: correlate.c group_grow); 0: by its
   * table's size */
  guint64 charged;
} W4CorRiskAcc;

typedef struct {
  W4CorRiskAcc acc;            /* count = rejections in the whole capture */
  W4Time recent[W4_COR_STORM_COUNT]; /* ring of the last rejections' times */
  guint64 recent_frames[W4_COR_STORM_COUNT];
  guint ring_pos, ring_n;
  gboolean storm;
} W4CorStorm;

void w4_cor_exchange_unref (W4CorExchange *ex);

/* decide.c: decides the failed @ex (kind, cause, related, texts).
 * Returns (transfer full) the finding. */
W4Finding *w4_cor_decide (W4Correlate *cor, W4CorExchange *ex);
/* risk.c: the risk or info finding for @acc. (transfer full) */
W4Finding *w4_cor_risk_finding (W4Correlate *cor, const W4CorRiskAcc *acc);
W4Finding *w4_cor_limit_finding (W4Correlate *cor, W4LimitId id);

/* state.c: counts a drop at limit @id (every stage's drops end here); the
 * first hit is a warning for summary.warnings and stderr. @why may be NULL
 * (the limit's own meaning is used). */
void w4_cor_note_limit (W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts,
                        const char *why);
/* state.c: the same for @n drops at once. */
void w4_cor_note_limit_drops (W4Correlate *cor, W4LimitId id, guint64 frame, W4Time ts,
                              const char *why, guint64 n);
/* track-credential.c: @agg_key's history. (transfer none), NULL when unknown. */
const W4CorCredAgg *w4_cor_cred_agg (W4Correlate *cor, const char *agg_key);
/* state.c: lookups the rules use. (transfer none), NULL when unknown. */
W4CorServer *w4_cor_server_peek (W4Correlate *cor, const char *server_key);
/* (transfer full) W4CorExchange.server_key of a server at @endpoint
 * ("ip:port"), reached through a CONNECT tunnel to @tunnel_to (NULL: not). */
char *w4_cor_server_key (const char *endpoint, const char *tunnel_to);
/* w4_cor_file_name and w4_cor_locate: in correlate.h. */
/* Does Wireshark show the TCP header (tcp.stream) in @frame? FALSE for an
 * IP fragment that did not complete its datagram, and when unsure. */
gboolean w4_cor_frame_has_tcp (W4Correlate *cor, guint64 frame);

/* cor-filter.c: one frame a display filter names, by its number in the
 * finding's file, with the tcp.stream it is on there (-1: none or not
 * known) and whether Wireshark shows that TCP header in it. */
typedef struct {
  guint64 frame;
  gint64 stream;
  gboolean tcp;
} W4CorFilterFrame;
/* (transfer full) a display filter that selects exactly @frames (sorted
 * here, duplicates dropped): "tcp.stream eq S && frame.number in {...}"
 * when all are on stream S and show its TCP header, else the frame numbers
 * alone; "tcp.stream eq @stream" when there are none (@stream -1: ""). */
char *w4_cor_wireshark_filter (W4CorFilterFrame *frames, guint n, gint64 stream);
/* cor-filter.c: (transfer full) the Community ID v1 ("1:" + base64 of a
 * SHA-1) of the flow between @a and @b with IP protocol @proto, as Zeek and
 * Suricata compute it; NULL when the addresses are not both IPv4 or IPv6. */
char *w4_community_id (const W4Endpoint *a, const W4Endpoint *b, guint8 proto, guint16 seed);
/* The credential that speaks for @ex toward @status: the header the status
 * names (Proxy-Authorization for 407, else Authorization; for a success
 * either), else an API key, else a cookie carrying a JWT, else a session
 * cookie. (transfer none) or NULL. */
const W4CorCred *w4_cor_main_cred (const W4CorExchange *ex, guint status);
/* exchange.c: did @cred carry only an intermediate leg of a challenge-response
 * handshake that @ex's response continues (NTLM type 1, a Negotiate token
 * answered with a further token, a Digest answer to a stale nonce)? Such a
 * leg is not a rejected credential: the server answered as it should. */
gboolean w4_cor_intermediate_leg (const W4CorExchange *ex, const W4CorCred *cred);
/* exchange.c: the SPNEGO/Kerberos reading of a Negotiate challenge's
 * token into @out (clear it with w4_spnego_clear); FALSE when there is
 * none or it cannot be read. */
gboolean w4_cor_negotiate_token (const W4Challenge *ch, W4Spnego *out);
/* exchange.c: does the server's Negotiate token @ch ask for the client's
 * next token? Not when it is a SPNEGO reject, accept-completed, or carries
 * a Kerberos KRB-ERROR; a token that cannot be read is taken as one. */
gboolean w4_cor_negotiate_continues (const W4Challenge *ch);
/* exchange.c: what a Negotiate challenge's token says ("SPNEGO reject with
 * the Kerberos error KRB_AP_ERR_SKEW (37)", "SPNEGO accept-completed with
 * the Kerberos AP-REP"), or NULL. (transfer full) */
char *w4_cor_negotiate_token_words (const W4Challenge *ch);
/* state.c: @ex's first challenge of @kind, (transfer none) or NULL. */
const W4Challenge *w4_cor_challenge_in (const W4CorExchange *ex, W4Scheme kind);
/* track-digest.c, called by the engine: a request's Digest credentials
 * (fills ex->track->digest, then remembers the nonce and nc), and a response's
 * Digest challenges and what it says of the nonce its request used. */
void w4_cor_digest_on_request (W4Correlate *cor, W4CorExchange *ex);
void w4_cor_digest_on_response (W4Correlate *cor, W4CorExchange *ex);
/* track-digest.c: did @cred reuse a nonce that worked before (not with a
 * replayed nc, not one refused since), and does
 * @ex's failure answer it with a new nonce (the server no longer accepts
 * it, without saying stale=true)? Like stale=true, such an answer is a
 * step of the handshake: a client that restarts with the new nonce passes. */
gboolean w4_cor_digest_nonce_expired (const W4CorExchange *ex, const W4CorCred *cred);
/* track-credential.c: a 32-bit hash of @ex's method and target (never 0;
 * 0 when the request was not captured): the same request, as compact as
 * a history record needs it. */
guint32 w4_cor_request_key (const W4CorExchange *ex);
/* Counts a failure or success of @principal for summary.by_principal. */
void w4_cor_summary_principal (W4Correlate *cor, const char *principal, gboolean success);
/* state.c: (transfer container) @table's values, sorted by @cmp (which
 * gets pointers to them, as g_ptr_array_sort gives). */
GPtrArray *w4_cor_values_sorted (GHashTable *table, GCompareFunc cmp);
/* state.c, over the budget: forgets the @n principals of summary.by_principal
 * with the fewest responses (a later response makes a new count). Returns
 * how many went. */
guint64 w4_cor_principals_evict (W4Correlate *cor, guint64 n);

G_END_DECLS
