/* track-clock.h: the server clock tracker (track-clock.c). How far each
 * server's clock, as its `Date` response header shows it, is from the
 * capture's clock, so the token causes (rule-token.c) can say what a JWT's
 * exp, nbf or iat meant by the server's clock as well as by the capture's.
 * One fixed-size record per server, no copies of headers. Not for other
 * stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* A Date header further than this from the capture's clock is a clock
 * that is off, not the second a response takes to leave: summaries say
 * so. */
#define W4_COR_CLOCK_SKEW_SEC 60
/* A server's record is kept this long of capture time after its last
 * Date header. */
#define W4_COR_CLOCK_KEEP_SEC 3600
/* A new Date that moves the skew by at most this much is the same clock
 * (the header has whole seconds): the record keeps its first frame. */
#define W4_COR_CLOCK_JITTER_SEC 2

/* What a server's Date headers say of its clock. */
typedef struct W4CorClock {
  gint64 skew_sec;         /* the server's clock minus the capture's (positive: ahead) */
  gint64 date;             /* that response's Date, seconds since the epoch */
  guint64 frame;           /* the response whose Date first showed this skew */
  gint64 stream;           /* its tcp.stream */
} W4CorClock;

typedef struct W4CorClocks W4CorClocks;

W4CorClocks *w4_cor_clock_new (void);
void w4_cor_clock_free (W4CorClocks *t);
/* A response: its Date header, compared with its capture time, updates
 * its server's record (limit "date-servers"). */
void w4_cor_clock_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp);
/* What @ex's server's Date headers said, (transfer none) or NULL. */
const W4CorClock *w4_cor_clock_of (W4Correlate *cor, const W4CorExchange *ex);
/* Is the server's clock further from the capture's than W4_COR_CLOCK_SKEW_SEC? */
gboolean w4_cor_clock_is_off (const W4CorClock *k);
/* How many servers are remembered now (tests). */
guint w4_cor_clock_size (W4Correlate *cor);

G_END_DECLS
