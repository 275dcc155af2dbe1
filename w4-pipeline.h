/* w4-pipeline.h: the stages capture -> dissect -> correlate wired together,
 * once, for the program (why401.c) and for whatever must run exactly the
 * same path (tests/fuzz-pipeline.c). Findings go to the caller's
 * W4FindingSink (usually report/); nothing here prints. */
#pragma once

#include "capture.h"
#include "correlate.h"
#include "dissect.h"

G_BEGIN_DECLS

/* The warn function (W4AnomalyFunc, w4-events.h) is called for every
 * anomaly of capture and dissect before the correlator sees it, e.g. to
 * print warnings, except limits: the correlator reports each limit once,
 * whichever stage hit it (w4_cor_set_warn). */

typedef struct W4Pipeline W4Pipeline;

/* Returns (transfer full). @limits, @opts and @findings are copied; @warn
 * may be NULL. */
W4Pipeline *w4_pipe_new (const W4Limits *limits, const W4CorrelateOptions *opts,
                         const W4FindingSink *findings, W4AnomalyFunc warn, void *warn_user);
void w4_pipe_free (W4Pipeline *pipe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Pipeline, w4_pipe_free)

/* (transfer none) The capture, to add files to or open live, and stop. */
W4Capture *w4_pipe_capture (W4Pipeline *pipe);
/* (transfer none) The correlator, to name the inputs. */
W4Correlate *w4_pipe_correlate (W4Pipeline *pipe);

/* Reads the NSS key log @path (--keylog) into the key store, with one
 * warning saying how many TLS sessions it held and that they are not used
 * yet (malformed lines are warnings of their own). @growing for a live
 * capture: it is read again once a second for what was appended (complete
 * lines). FALSE with @error when it cannot be read. Decryption Secrets
 * Blocks of pcapng inputs go into the same store, with the same warning. */
gboolean w4_pipe_add_keylog (W4Pipeline *pipe, const char *path, gboolean growing,
                             GError **error);
/* (transfer none) The key store, for the TLS layer. */
typedef struct W4Keylog W4Keylog;
W4Keylog *w4_pipe_keylog (W4Pipeline *pipe);

/* The run's memory budget (--max-mem; default W4_BUDGET_DEFAULT), which
 * every stage's limits point to. Set it before the run. */
void w4_pipe_set_max_mem (W4Pipeline *pipe, guint64 max);
/* (transfer none) The budget, for a stage outside the pipeline (the
 * report) to charge and register its evictor with; it lives as long as
 * the pipeline. */
struct W4Budget *w4_pipe_budget (W4Pipeline *pipe);

/* Reads every input (w4_cap_run); returns how many could be read at all. */
guint w4_pipe_run (W4Pipeline *pipe);

/* End of input: flushes dissect, decides everything pending, enforces the
 * budget once more. Returns (transfer full) the summary, with the budget's
 * account as it stands then. */
W4Summary *w4_pipe_finish (W4Pipeline *pipe);

G_END_DECLS
