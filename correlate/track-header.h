/* track-header.h: what the header rules (rule-header.c) quote from a
 * request beyond the engine's counts, kept per exchange in
 * W4CorTrackFacts and only for the rare requests that need it: a CORS
 * preflight's Access-Control-Request-* and Origin, and each copy of a
 * repeated Authorization / Proxy-Authorization header. No state across
 * exchanges. Not for other stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* Copies of a repeated header described, at most; the count says all. */
#define W4_COR_REPEATS_SHOWN 4

typedef struct W4CorHeaderFacts {
  /* OPTIONS with Access-Control-Request-Method: its values as sent
   * (capped to W4_COR_EVIDENCE_CHARS), NULL when absent */
  char *acr_method, *acr_headers, *origin;
  /* [0] Authorization, [1] Proxy-Authorization, when repeated: each copy
   * as a summary names it ("Basic credentials for user alice
   * (sha256:...)"), joined with ", then ", and whether any copy differs
   * from the first */
  char *repeats[2];
  gboolean repeats_differ[2];
} W4CorHeaderFacts;

void w4_cor_header_facts_free (W4CorHeaderFacts *f);
/* on_request, after the engine read the request: keeps the facts above
 * when @ex is a preflight or repeats a credentials header. */
void w4_cor_header_facts_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req);

G_END_DECLS
