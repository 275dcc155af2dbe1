/* w4-limits.h: every place that can grow has a named limit here.
 *
 * Captures are hostile and can be huge; memory must stay flat in capture
 * size. Each limit has a default chosen for a 24 GiB, 2-core machine reading
 * multi-GiB captures, and an override on the command line (--limit NAME=N).
 * Reaching a limit drops the least useful state and emits a W4_ANOM_LIMIT
 * anomaly naming the limit, so the report's `limit` info can count it. */
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
  W4_LIMIT_COUNT
} W4LimitId;

typedef struct {
  guint64 v[W4_LIMIT_COUNT];
} W4Limits;

/* Fills @l with the defaults. */
void w4_limits_init (W4Limits *l);
/* "flows", "reasm-bytes", ... : the name used on the command line and in
 * the `limit` info. */
const char *w4_limit_name (W4LimitId id);
/* Parses "NAME=N" and sets it; FALSE when NAME or N is not valid. */
gboolean w4_limits_set (W4Limits *l, const char *assignment);

G_END_DECLS
