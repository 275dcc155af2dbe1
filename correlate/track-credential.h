/* track-credential.h: the credential histories (track-credential.c). One
 * fixed-size record per (server, credential fingerprint) over the whole
 * capture: successes and failures, the first and the last success (frame,
 * stream, time) and the first failure since the last success, which is
 * where an expired session's observed lifetime ends. The account rules
 * (rule-account.c: session-expired, permission-denied) and csrf-token-
 * missing read it through w4_cor_cred_agg (cor-private.h). Not for other
 * stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

typedef struct W4CorCredHistory W4CorCredHistory;

/* @budget (transfer none, may be NULL): what the records are charged to. */
W4CorCredHistory *w4_cor_cred_history_new (W4Budget *budget);
void w4_cor_cred_history_free (W4CorCredHistory *h);
/* A response to a request with credentials: a success (< 400) or a
 * failure (401/407/403) of every credential it carried, on its server. A
 * new credential past the limit "credentials" makes the least recently
 * used one's history forgotten (counted and shown like every limit). */
void w4_cor_cred_on_response (W4Correlate *cor, const W4CorExchange *ex);
/* A failed response decided: its server counts the normal challenge
 * steps, its principal there the rejections (for the summary). */
void w4_cor_history_on_decided (W4Correlate *cor, const W4CorExchange *ex);
/* The summary's history fields (W4ServerStat: challenge steps, failure
 * rate, the main server and those that stand out against it;
 * W4PrincipalStat: where the principal's failures are account-specific),
 * once at the end, over the per-server tables (bounded by their limits). */
void w4_cor_history_summary (W4Correlate *cor, W4Summary *sum);
/* Over the budget: forgets the least recently used histories, at most
 * @max of them, until their charges fell by @want bytes. Returns how many
 * went (0: none left). */
guint64 w4_cor_cred_history_evict (W4Correlate *cor, guint64 want, guint max);
/* How many histories are kept now (tests). */
guint w4_cor_cred_history_size (W4Correlate *cor);

G_END_DECLS
