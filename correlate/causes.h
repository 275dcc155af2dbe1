/* causes.h: the cause table, in the contract's precedence order.
 *
 * One row per code of ../shared/spec/FINDINGS.md: the code, its kind, the
 * statuses it applies to, the rule that recognises it (correlate/rule-*.c;
 * NULL for causes not recognised yet, which the engine skips), and the
 * texts a report prints for its group (what it means, what to fix).
 * Adding a cause is one row here and one rule. report/ reads the rows
 * through w4_cause_info(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  W4_KIND_FAILURE,
  W4_KIND_NOTE,
  W4_KIND_RISK,
  W4_KIND_INFO,
} W4Kind;

/* In the contract's precedence order (most specific first) for failures;
 * then the note, risk and info codes. Each is the index of its row in the
 * cause table (causes.c; test-causes checks both against the contract).
 * Never reorder: W4Finding.related is a bit mask printed in this order. */
typedef enum {
  W4_CAUSE_CORS_PREFLIGHT,
  W4_CAUSE_CONNECTION_AUTH_BROKEN,
  W4_CAUSE_CREDENTIALS_DROPPED_ON_REDIRECT,
  W4_CAUSE_PROXY_DROPPED_CREDENTIALS,
  W4_CAUSE_WRONG_AUTH_HEADER,
  W4_CAUSE_EXPIRED_TOKEN,
  W4_CAUSE_TOKEN_NOT_YET_VALID,
  W4_CAUSE_STALE_NONCE,
  W4_CAUSE_DIGEST_MISMATCH,
  W4_CAUSE_SCHEME_MISMATCH,
  W4_CAUSE_MALFORMED_CREDENTIALS,
  W4_CAUSE_INSECURE_COOKIE_DROPPED,
  W4_CAUSE_COOKIE_EXPIRED,
  W4_CAUSE_COOKIE_NOT_SENT,
  W4_CAUSE_CSRF_TOKEN_MISSING,
  W4_CAUSE_PERMISSION_DENIED,
  W4_CAUSE_SESSION_EXPIRED,
  W4_CAUSE_NO_CREDENTIALS,
  W4_CAUSE_REJECTED_CREDENTIALS,
  W4_CAUSE_FORBIDDEN,
  W4_CAUSE_UNEXPLAINED,
  W4_CAUSE_MISSING_CHALLENGE,   /* only ever in related */
  W4_CAUSE_CHALLENGE,           /* note */
  W4_CAUSE_CLEARTEXT_CREDENTIALS, /* risk */
  W4_CAUSE_RETRY_STORM,         /* risk */
  W4_CAUSE_NOT_DECRYPTED,       /* info */
  W4_CAUSE_GAP,                 /* info */
  W4_CAUSE_LIMIT,               /* info */
  W4_CAUSE_NOT_PARSED,          /* info: HTTP/2 seen, not parsed yet (an extension) */
  W4_CAUSE_COUNT
} W4Cause;

/* The statuses a row applies to (W4CauseInfo.statuses). */
#define W4_ST_401 (1u << 0)
#define W4_ST_407 (1u << 1)
#define W4_ST_403 (1u << 2)
#define W4_ST_ANY (W4_ST_401 | W4_ST_407 | W4_ST_403)

/* A status's W4_ST_ bit; 0 for any other status. */
guint w4_cause_status_bit (guint status);

/* How a rule recognises a cause (correlate/rule.h); opaque to report/. */
typedef struct W4CorRule W4CorRule;

typedef struct {
  W4Cause cause;
  const char *code;          /* "cors-preflight", ... as in the contract */
  W4Kind kind;
  guint statuses;            /* W4_ST_ bits; 0 for risks and infos */
  const W4CorRule *rule;     /* NULL: not recognised yet (or not by a rule) */
  const char *means;         /* a report's paragraph for the cause's group */
  const char *fix;           /* a report's advice for the group */
} W4CauseInfo;

/* The row of @c (transfer none); rows are in precedence order, and the row
 * of cause i is row i. NULL when @c is not a cause. */
const W4CauseInfo *w4_cause_info (W4Cause c);

/* "cors-preflight", ... as in the contract ("unknown" for no cause). */
const char *w4_cause_name (W4Cause c);
const char *w4_kind_name (W4Kind k);

G_END_DECLS
