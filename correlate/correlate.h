/* correlate.h: from HTTP messages to findings.
 *
 * Pairs responses with requests (HTTP/1: first in, first out per
 * connection; HTTP/2: by stream id), keeps per-client state across
 * connections, and decides for every 401, 407 and 403 one finding as
 * ../shared/spec/FINDINGS.md defines (causes, precedence, timing: 30 s of
 * capture time after the response, or the end of input). Also the risks
 * (cleartext-credentials, retry-storm) and infos (gap, limit,
 * not-decrypted, not-parsed). Findings go to a W4FindingSink as they are decided. */
#pragma once

#include "causes.h"
#include "w4-budget.h"
#include "w4-events.h"

G_BEGIN_DECLS

/* W4Kind, W4Cause and the cause table: causes.h. */

typedef struct {
  guint64 frame; /* frame.number in its file */
  char *what;    /* (owned) in the entry's own block: freed with it */
  char *file;    /* (owned, the same) its file when not the finding's, else NULL */
} W4Evidence;

/* One finding, run lifetime. NULL char* fields are JSON null. Frame numbers
 * and @stream are the ones Wireshark shows with the packet's file open
 * alone (INPUT.md "Files"): @stream and @response_frame count in @file,
 * @request_frame in @request_file. */
typedef struct {
  W4Kind kind;
  W4Cause cause;
  guint64 related;          /* bit (1 << W4Cause) for every other code that holds */
  guint status;             /* 401, 407, 403; 0 = null */
  gint64 stream;            /* tcp.stream; -1 = null */
  char *client, *server;    /* "ip:port" / "[v6]:port" */
  char *method, *uri, *host;
  guint64 request_frame;    /* 0 = null */
  guint64 response_frame;   /* 0 = null */
  char *file;
  char *request_file;       /* the request's file; NULL when there is no request */
  W4Time time;
  char *principal;
  char *server_message;
  char *summary;
  char *fix;
  GPtrArray *evidence;      /* (element-type W4Evidence) */
  char *wireshark_filter;
  char *client_ip, *server_ip;  /* the endpoints split; NULL (a limit) = null */
  gint client_port, server_port; /* -1 = null */
  char *community_id;       /* Community ID v1 of the TCP connection, or NULL */
  gboolean tls;             /* the exchange was decrypted TLS */
  char *sni;                /* the TLS server name, or NULL */
  gint64 h2_stream;         /* HTTP/2 stream id; -1 = null */
  /* Extensions (contract: add fields freely) */
  guint64 count;            /* risks: how many requests; limit: how many hits; 0 = not shown */
  char *scheme;             /* the credential's scheme, or NULL */
  /* the CONNECT target of the tunnel the exchange ran in ("host:port"):
   * @server is the proxy's address, this the server behind it; NULL */
  char *tunnel;
  /* decided before its 30 s were up (the memory budget or the undecided
   * limit): what came after it was not seen, so its cause may say less */
  gboolean decided_early;
} W4Finding;

W4Finding *w4_finding_new (void);
void w4_finding_free (W4Finding *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Finding, w4_finding_free)
/* Appends evidence (copies @what). */
void w4_finding_add_evidence (W4Finding *f, guint64 frame, const char *what);
/* The same for a packet in input file @file (copied; NULL: the finding's). */
void w4_finding_add_evidence_in (W4Finding *f, guint64 frame, const char *file, const char *what);

/* One kind of TLS alert that ended handshakes with a server. */
typedef struct {
  guint8 description;      /* the alert's code (116: certificate_required ...) */
  const char *name;        /* (transfer none, static) its RFC name, NULL when unknown */
  gboolean from_server;    /* the server sent it (else the client) */
  guint64 frame;           /* the first one's frame (the summary's: counted in its file) */
  const char *file;        /* (transfer none) the first one's input file name, or NULL */
  guint64 count;           /* handshakes it ended */
} W4TlsAlertStat;

typedef struct {
  char *server;   /* "ip:port" */
  /* Extension: the CONNECT target when these are the answers that came
   * through a proxy's tunnel from the server behind it; NULL for the
   * server at @server itself */
  char *tunnel;
  gboolean proxy; /* Extension: it answered as a proxy (407, CONNECT, Proxy-Authorization) */
  char *host;     /* most seen Host, or NULL */
  guint64 failed, total;
  char *schemes;  /* comma-separated schemes the server offered or accepted, e.g. "Basic,Digest" */
  /* Extensions (track-credential.c): what makes a third-party API stand
   * out from the main application */
  guint64 challenge_steps; /* of @failed, the normal challenge steps (notes) */
  gint failure_rate;       /* % of the responses besides those steps that failed, rounded;
                            * -1: there were none */
  gboolean main;           /* of 2 or more servers, the one with the most responses that
                            * got past authentication */
  gboolean stands_out;     /* not the main one, fails (>= 50 %) while the main one does not */
  /* TLS alerts that ended handshakes with this server (on_tls_alert), or
   * NULL when there were none (element-type W4TlsAlertStat) */
  GArray *tls_alerts;
} W4ServerStat;

typedef struct {
  char *principal;
  guint64 failed, succeeded;
  /* Extension (track-credential.c): a server where this principal never
   * succeeded and was rejected (rejected-credentials) while another
   * principal succeeded there (an account-specific problem), that other
   * principal and its counts there; NULL when there is none */
  char *specific_server;
  char *specific_other;
  guint64 specific_failed;     /* this principal's failures there */
  guint64 other_succeeded, other_total;
} W4PrincipalStat;

typedef struct {
  guint64 packets, bytes, connections;
  guint64 http_requests, http_responses, failed_responses;
  guint64 http_unparsed;    /* HTTP messages that could not be parsed (not analysed) */
  guint64 by_cause[W4_CAUSE_COUNT];  /* failures and notes, by their primary cause */
  GPtrArray *by_server;     /* (element-type W4ServerStat) most failed first */
  GPtrArray *by_principal;  /* (element-type W4PrincipalStat) most failed first */
  GPtrArray *warnings;      /* (element-type utf8) */
  /* Extension: the --max-mem account at the end (peak, what was evicted
   * and refused), filled by the pipeline that owns the budget (all zero
   * when there was none; its evictors are not for calling) */
  W4Budget budget;
} W4Summary;

void w4_summary_free (W4Summary *s);
/* Free funcs of W4Summary.by_server and .by_principal entries (gpointer: for
 * g_ptr_array_new_with_free_func). */
void w4_server_stat_free (gpointer p);
void w4_principal_stat_free (gpointer p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Summary, w4_summary_free)

typedef struct {
  /* A decided finding, (transfer full): the receiver frees it. Called in
   * the order the contract gives (response order; risks and infos after
   * the failures decided with them). */
  void (*on_finding) (void *user, W4Finding *f);
  void *user;
} W4FindingSink;

typedef struct {
  gboolean show_secrets;   /* --show-secrets: passwords and tokens in clear */
  guint decide_after_sec;  /* 30 per the contract */
} W4CorrelateOptions;

typedef struct W4Correlate W4Correlate;

/* Returns (transfer full). Copies @limits, @opts and @sink. */
W4Correlate *w4_cor_new (const W4Limits *limits, const W4CorrelateOptions *opts,
                         const W4FindingSink *sink);
void w4_cor_free (W4Correlate *cor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Correlate, w4_cor_free)

/* The sink dissect delivers to (user = @cor). */
W4Sink w4_cor_sink (W4Correlate *cor);

/* Capture time moved on (every frame; live: ticks too): decides every
 * finding whose 30 s have passed. Taken as given: the caller keeps small
 * steps back and outliers out (w4-clock.h). */
void w4_cor_time (W4Correlate *cor, W4Time now);
/* Frame totals for the summary; also where each input file starts, so that
 * findings name a frame by its number in its own file. */
void w4_cor_count_frame (W4Correlate *cor, const W4FrameInfo *fi);
/* Every IP datagram (capture's on_ip): the frames of a TCP datagram's IP
 * fragments other than the one that completed it carry no TCP header in
 * Wireshark's view (no tcp.stream), which the display filters must know. */
void w4_cor_ip_datagram (W4Correlate *cor, const W4IpPacket *pkt);
/* A file name for W4FrameInfo.file_index (copied). */
void w4_cor_set_file_name (W4Correlate *cor, guint file_index, const char *name);
/* The name given for @file_index. (transfer none), NULL when unknown. */
const char *w4_cor_file_name (W4Correlate *cor, guint file_index);
/* The input file holding run-wide frame @frame (into @file_index) and the
 * frame's number in it, as a user finds it; 0 for frame 0. */
guint64 w4_cor_locate (W4Correlate *cor, guint64 frame, guint *file_index);
/* Warnings for summary.warnings (also from capture). */
void w4_cor_anomaly (W4Correlate *cor, const W4Anomaly *what);
/* Called once per limit, at its first hit, whichever stage hit it (the
 * same line also goes to summary.warnings): why401 prints it on stderr. */
void w4_cor_set_warn (W4Correlate *cor, W4AnomalyFunc warn, void *user);
/* Number of TCP connections, from dissect, for the summary. */
void w4_cor_set_connections (W4Correlate *cor, guint64 n);

/* End of input: decides everything pending. Returns (transfer full) the
 * summary. */
W4Summary *w4_cor_finish (W4Correlate *cor);

G_END_DECLS
