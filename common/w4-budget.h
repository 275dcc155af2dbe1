/* w4-budget.h: one memory budget (--max-mem) that every growing table and
 * buffer of every stage is charged against.
 *
 * The named limits (w4-limits.h) bound each table's count; the budget
 * bounds their sum in bytes, so that no mix of inputs can take more than
 * the user allowed. A stage charges what it keeps (a record's size, a
 * buffer's capacity) when it keeps it and releases the same amount when it
 * lets go, so `used` is what the stages hold by their own accounting (the
 * allocator's overhead and the program's fixed cost are not in it: the
 * default leaves room for them).
 *
 * Nothing is evicted from inside a charge: the caller is in the middle of
 * changing a table. The pipeline calls w4_budget_enforce () between
 * packets, which runs the evictors the stages registered, least useful
 * state first (W4EvictKind order), until the use is back under the low
 * mark. A buffer that would take a large block at once asks
 * w4_budget_fits () first and, when it does not fit, does without (counted
 * in `refused`), as it would at its limit.
 *
 * One budget per pipeline, single-threaded: a stage reaches it through
 * W4Limits.budget (NULL: nothing is charged, as in the unit tests). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a charge is for: the summary shows the use by kind at the peak. */
typedef enum {
  W4_MEM_FLOWS,          /* dissect: connection states (flow.c, tcp-number.c live part) */
  W4_MEM_REASM,          /* out-of-order segments and their bytes (tcp-reasm.c) */
  W4_MEM_HTTP,           /* HTTP/1 parser states, heads being read, bodies kept (h1.c) */
  W4_MEM_TLS,            /* TLS session states and the key store (tls*.c) */
  W4_MEM_H2,             /* HTTP/2 connection states, frame buffers, HPACK (h2*.c) */
  W4_MEM_FRAGMENTS,      /* IP datagrams in reassembly (capture/ipfrag.c) */
  W4_MEM_STREAM_NUMBERS, /* tcp.stream records kept after a flow's state is gone */
  W4_MEM_EXCHANGES,      /* correlator: exchanges pending, in windows, awaiting decision */
  W4_MEM_CLIENTS,        /* correlator: per-client and per-connection state */
  W4_MEM_AGGREGATES,     /* credential histories, servers, principals, risk accumulators */
  W4_MEM_TRACKERS,       /* cookie jars, Digest, NTLM/Negotiate legs, redirects, CSRF, proxy, clocks */
  W4_MEM_FINDINGS,       /* findings kept for the text and json reports */
  W4_MEM_KINDS
} W4MemKind;

/* What an evictor gives up, in the order w4_budget_enforce () asks. */
typedef enum {
  W4_EVICT_IDLE_FLOWS,   /* connections with no packet for a while (the longest idle first) */
  W4_EVICT_DECIDED_EARLY, /* the oldest failures awaiting their 30 s, decided now */
  W4_EVICT_STREAM_NUMBERS, /* numbers of connections whose state is gone (the oldest first):
                            * the same ports seen again get a new tcp.stream */
  W4_EVICT_FLOWS,        /* connections still active (the longest idle first) */
  W4_EVICT_STATE,        /* per-client windows, histories, trackers (least recently used) */
  W4_EVICT_FINDINGS,     /* findings kept for the text/json report (counted, not shown) */
  W4_EVICT_KINDS
} W4EvictKind;

/* Frees state worth at least @want bytes of charges if it can (releasing
 * them through w4_budget_release as it goes) and returns how many items it
 * gave up (0: nothing left to give). */
typedef guint64 (*W4EvictFunc) (void *user, guint64 want);

typedef struct W4Budget {
  guint64 max;                        /* bytes; 0: no budget (nothing enforced) */
  guint64 used, peak;
  guint64 by_kind[W4_MEM_KINDS];
  guint64 peak_by_kind[W4_MEM_KINDS]; /* by_kind when `used` peaked */
  guint64 evicted[W4_EVICT_KINDS];    /* items given up, by kind */
  guint64 refused[W4_MEM_KINDS];      /* allocations not made because they did not fit */
  guint64 enforcements;               /* times the budget was over and evictors ran */
  struct {
    W4EvictFunc fn;
    void *user;
  } evictors[W4_EVICT_KINDS];
} W4Budget;

/* The default --max-mem: fits beside a desktop on a laptop. */
#define W4_BUDGET_DEFAULT (512ull << 20)
/* Eviction stops when the use is back under this share of max (percent):
 * enforcing at every packet for a few bytes would thrash. */
#define W4_BUDGET_LOW_MARK 90

void w4_budget_init (W4Budget *b, guint64 max);

static inline void
w4_budget_charge (W4Budget *b, W4MemKind kind, guint64 n)
{
  if (b == NULL)
    return;
  b->used += n;
  b->by_kind[kind] += n;
  if (b->used > b->peak) {
    b->peak = b->used;
    for (int k = 0; k < W4_MEM_KINDS; k++)
      b->peak_by_kind[k] = b->by_kind[k];
  }
}

static inline void
w4_budget_release (W4Budget *b, W4MemKind kind, guint64 n)
{
  if (b == NULL)
    return;
  /* A stage that releases more than it charged has a bug; never wrap, and
   * take from `used` only what its kind held, so the two stay in step. */
  n = MIN (n, b->by_kind[kind]);
  b->by_kind[kind] -= n;
  b->used -= MIN (n, b->used);
}

/* Is the use over the budget (the pipeline then enforces it)? */
static inline gboolean
w4_budget_over (const W4Budget *b)
{
  return b != NULL && b->max > 0 && b->used > b->max;
}

/* Would @n more bytes fit? TRUE without a budget. A FALSE answer is
 * counted as a refusal of @kind: the caller then does without. */
gboolean w4_budget_fits (W4Budget *b, W4MemKind kind, guint64 n);

void w4_budget_set_evictor (W4Budget *b, W4EvictKind kind, W4EvictFunc fn, void *user);

/* Runs the evictors in W4EvictKind order until the use is under the low
 * mark or none can give more. Returns FALSE when it is still over max.
 * Call it only where no stage is in the middle of a change. */
gboolean w4_budget_enforce (W4Budget *b);

/* "flows", "decided-early", ... (summary and warnings). */
const char *w4_evict_name (W4EvictKind kind);
/* "flows", "reassembly", ... */
const char *w4_mem_name (W4MemKind kind);
/* Parses a --max-mem value: bytes, or with a K, M, G suffix (powers of
 * 1024, "KiB"/"MiB"/"GiB" too). FALSE when it is not one, or below 1 MiB. */
gboolean w4_budget_parse_size (const char *s, guint64 *out);
/* (transfer full) @bytes for a person: "64 MiB", "1.5 GiB", "300 KiB"
 * (whole units when exact, else one decimal rounded down; below 1 MiB in
 * KiB). */
char *w4_budget_format_size (guint64 bytes);

G_END_DECLS
