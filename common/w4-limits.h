/* w4-limits.h: every place that can grow has a named limit here.
 *
 * Captures are hostile and can be huge; memory must stay flat in capture
 * size. Each limit has a default chosen for a 24 GiB, 2-core machine reading
 * multi-GiB captures, and an override on the command line (--limit NAME=N).
 * Reaching a limit drops the least useful state and emits a W4_ANOM_LIMIT
 * anomaly naming the limit; the correlator's note_limit_drops () is the one
 * place every drop of every stage ends (its own directly, capture's and
 * dissect's through w4_cor_anomaly): it counts the drops for the `limit`
 * info and writes the first hit to summary.warnings and stderr. No table
 * borrows another's limit.
 *
 * Inventory of what grows, and what bounds it:
 *
 *   capture/
 *     IP fragment reassembly (ipfrag.c)      frag-datagrams, frag-bytes
 *     nested encapsulations (decode.c)       tunnel-depth
 *   dissect/
 *     live connections (flow.c flows)        flows; also expire by capture time
 *     TLS sessions' secrets (tls-keylog.c,   tls-keys (the first read goes)
 *       from --keylog and pcapng DSBs)
 *     stream-number records (tcp-number.c)   stream-numbers
 *     out-of-order queue per direction       ooo-segments, reasm-bytes
 *     HTTP/1 requests awaiting a response    pending-requests (h1.c; the
 *                                            correlator mirrors the same queue,
 *                                            so both count under one name)
 *     one message's head (h1.c)              header-bytes, headers,
 *                                            auth-header-bytes
 *     a 4xx body kept for its message        body-keep
 *     HTTP/2 (h2.c): one frame's payload     h2-frame-bytes
 *       one header block (compressed,        h2-header-block
 *       across CONTINUATION frames)
 *       its decoded fields kept              h2-decoded-bytes (and headers)
 *       streams per connection               h2-streams
 *       HPACK's dynamic table per direction  h2-hpack-table (inside nghttp2)
 *   correlate/ (correlate.c unless named)
 *     connections (conns)                    flows: one per live dissect flow,
 *                                            removed on its close event
 *     per-client windows (clients)           clients; exchanges leave by time
 *     exchanges in the windows (window)      exchanges
 *     failed responses awaiting decision     undecided (due/order: decided
 *                                            early past it)
 *     requests per connection (pending,      pending-requests
 *       h2_pending)
 *     failed responses awaiting their body   body-waits (per connection)
 *     credentials read from one request      request-credentials
 *     (server, credential) histories         credentials (track-credential.c;
 *                                            the least recently used goes)
 *     servers (summary.by_server)            servers
 *     principals per server                  server-principals
 *     principals (summary.by_principal)      principals
 *     cleartext-credentials accumulators     risk-groups
 *     retry-storm accumulators               retry-groups
 *     gap accumulators per connection        gap-connections
 *     not-decrypted accumulators per server  tls-servers
 *     not-parsed (HTTP/2) per server         h2-servers
 *     IP fragments without TCP (cor-filter   bare-fragments
 *       display filters: bare_frames)
 *     input file names (file_names)          files
 *     3xx awaiting a follow-up (track-       redirects; also expire by
 *       redirect.c)                          capture time (30 s)
 *     anti-forgery headers per (client,      csrf-pairs; also expire by
 *       server) (track-csrf.c)               capture time (1 h)
 *     Digest nonces per (client, server)     digest-peers (track-digest.c;
 *                                            also expire by capture time)
 *     cookie jars (track-cookie-jar.c)       cookies (all jars together;
 *                                            the least recently touched goes)
 *     one client's cookies for one host      cookies-per-host (what one
 *                                            request scans)
 *     requests to a proxy awaiting their     proxy-legs; also leave when
 *       forwarded leg (track-proxy.c)        answered or after 30 s
 *     servers' Date header skew (track-      date-servers; also expire by
 *       clock.c)                             capture time (1 h)
 *     a failure's look for its retry (the    retry-scan (a cost bound: a
 *       handshake check, ctx.c)              scan cut short is counted)
 *     anomaly warnings (summary.warnings)    the first 100 kept, the rest
 *                                            counted in one more line (limit
 *                                            warnings are always kept)
 *   report/
 *     findings kept for text/json            findings
 *
 *   Fixed-size, not tables (no limit needed): host names per server
 *   (W4_COR_HOSTS_PER_SERVER, only the most seen one is reported), a
 *   challenge shown in evidence (W4_COR_EVIDENCE_CHARS), a TLS server name
 *   (W4_COR_SNI_MAX), a Location tracked (W4_COR_LOCATION_MAX: longer ones
 *   are not tracked), a Digest pair's nonces and nonce counts
 *   (W4_DIGEST_NONCES_PER_PEER, W4_DIGEST_NCS_PER_NONCE: the least recently
 *   used gives way), input file starts (one per input file),
 *   capture's protocol bounds (W4_CAP_FRAG_MAX_PIECES: 64 KiB in 8-byte
 *   pieces; W4_CAP_MAX_* header chains, given up on with an anomaly) and
 *   dissect's TLS ClientHello bounds (W4_TLS_HELLO_MAX, SNI, ALPN). */
#pragma once

#include "w4-types.h"

G_BEGIN_DECLS

typedef enum {
  W4_LIMIT_FLOWS,          /* live TCP connection states (oldest idle evicted) */
  W4_LIMIT_REASM_BYTES,    /* out-of-order bytes buffered per direction */
  W4_LIMIT_OOO_SEGMENTS,   /* out-of-order segments queued per direction */
  W4_LIMIT_PENDING_REQ,    /* requests waiting for a response per connection */
  W4_LIMIT_HEADER_BYTES,   /* bytes of one message's start line + headers */
  W4_LIMIT_HEADERS,        /* header fields kept per message */
  W4_LIMIT_AUTH_HEADER_BYTES, /* bytes of one message's authentication fields, past the two above */
  W4_LIMIT_BODY_KEEP,      /* bytes of a 4xx response body kept for the server's message */
  W4_LIMIT_FRAG_DATAGRAMS, /* IP datagrams being reassembled at once */
  W4_LIMIT_FRAG_BYTES,     /* bytes of one reassembled IP datagram */
  W4_LIMIT_TUNNEL_DEPTH,   /* nested encapsulations (VLAN, GRE, MPLS, IP-in-IP...) */
  W4_LIMIT_CLIENTS,        /* per-client correlator states */
  W4_LIMIT_EXCHANGES,      /* exchanges kept by the correlator for look-back */
  W4_LIMIT_FINDINGS,       /* findings kept for the text/json report */
  W4_LIMIT_STREAM_NUMBERS, /* compact tcp.stream records kept after eviction */
  W4_LIMIT_SERVERS,        /* per-server totals (summary.by_server) */
  W4_LIMIT_PRINCIPALS,     /* per-principal totals (summary.by_principal) */
  W4_LIMIT_SERVER_PRINCIPALS, /* principals remembered per server ("others succeed") */
  W4_LIMIT_CREDENTIALS,    /* per (server, credential) success/failure aggregates */
  W4_LIMIT_RISK_GROUPS,    /* cleartext-credentials accumulators (client, server, scheme) */
  W4_LIMIT_RETRY_GROUPS,   /* retry-storm accumulators (client, credential) */
  W4_LIMIT_GAP_CONNECTIONS, /* connections with a capture gap, for the gap infos */
  W4_LIMIT_TLS_SERVERS,    /* servers with TLS that was not decrypted */
  W4_LIMIT_H2_SERVERS,     /* servers with HTTP/2 that was not parsed */
  W4_LIMIT_BARE_FRAGMENTS, /* frames that were IP fragments without a TCP header */
  W4_LIMIT_UNDECIDED,      /* failed responses waiting for their decision */
  W4_LIMIT_BODY_WAITS,     /* failed responses per connection awaiting their body */
  W4_LIMIT_REQUEST_CREDENTIALS, /* credentials read from one request */
  W4_LIMIT_FILES,          /* input files whose names findings can carry */
  W4_LIMIT_CONN_AUTH,      /* (client, server) pairs whose NTLM/Negotiate legs are tracked */
  W4_LIMIT_REDIRECTS,      /* 3xx remembered for linking their follow-ups (track-redirect.c) */
  W4_LIMIT_CSRF_PAIRS,     /* (client, server) pairs whose successes carried anti-forgery headers */
  W4_LIMIT_DIGEST_PEERS,   /* (client, server) pairs whose Digest nonces are tracked */
  W4_LIMIT_COOKIES,        /* cookies the servers set, in all clients' jars */
  W4_LIMIT_COOKIES_PER_HOST, /* cookies of one client for one host (domain) */
  W4_LIMIT_PROXY_LEGS,     /* absolute-form requests awaiting the proxy's forwarded request */
  W4_LIMIT_DATE_SERVERS,   /* servers whose Date header skew is remembered (track-clock.c) */
  W4_LIMIT_TLS_KEYS,       /* TLS sessions whose key log secrets are kept (dissect/tls-keylog.c) */
  W4_LIMIT_RETRY_SCAN,     /* later exchanges of a client looked at for a failure's retry */
  W4_LIMIT_H2_FRAME_BYTES, /* bytes of one HTTP/2 frame's payload buffered (dissect/h2.c) */
  W4_LIMIT_H2_HEADER_BLOCK, /* compressed bytes of one HTTP/2 header block, CONTINUATIONs included */
  W4_LIMIT_H2_DECODED_BYTES, /* decoded field bytes of one HTTP/2 header block kept */
  W4_LIMIT_H2_STREAMS,     /* HTTP/2 streams tracked at once per connection */
  W4_LIMIT_H2_HPACK_TABLE, /* HPACK dynamic table size a SETTINGS may allow per direction */
  W4_LIMIT_COUNT
} W4LimitId;

struct W4Budget;

typedef struct {
  guint64 v[W4_LIMIT_COUNT];
  /* (transfer none) the run's --max-mem budget (w4-budget.h) that every
   * stage charges what it keeps against; NULL: nothing is charged */
  struct W4Budget *budget;
} W4Limits;

/* Fills @l with the defaults. */
void w4_limits_init (W4Limits *l);
/* "flows", "reasm-bytes", ... : the name used on the command line and in
 * the `limit` info. */
const char *w4_limit_name (W4LimitId id);
/* Parses "NAME=N" and sets it; FALSE when NAME or N is not valid. */
gboolean w4_limits_set (W4Limits *l, const char *assignment);

G_END_DECLS
