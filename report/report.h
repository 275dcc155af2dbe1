/* report.h: findings out, for a person (text) or a script (json, ndjson).
 * Reads findings and the summary only; the only stage besides main that
 * prints. JSON as jansson would write it (through our streaming writer,
 * w4-jsonw.h), as ../shared/spec/FINDINGS.md defines. */
#pragma once

#include <stdio.h>

#include "correlate.h"

G_BEGIN_DECLS

typedef enum {
  W4_FORMAT_TEXT,
  W4_FORMAT_JSON,
  W4_FORMAT_NDJSON,
} W4Format;

typedef enum {
  W4_COLOR_AUTO,
  W4_COLOR_ALWAYS,
  W4_COLOR_NEVER,
} W4Color;

typedef struct {
  W4Format format;
  W4Color color;
  gboolean all;         /* --all: every finding and the challenge notes in text */
  gboolean quiet;       /* -q: only the summary (text: header and summary; ndjson: the
                         * summary line; json: the document without "findings") */
  guint examples;       /* examples per cause group in text; 0 means 5 */
  guint64 max_findings; /* findings kept for text and json (the "findings" limit); 0 means
                         * the default of w4_limits_init */
  guint width;          /* text: wrap column; 0: the terminal's width when the output is a
                         * terminal, else $COLUMNS when set, else 80 */
  gboolean stream;      /* text (live capture): print each failure, and with --all each
                         * note, as soon as it is decided; the end then prints the summary
                         * and the cause groups without repeating them; ndjson: every
                         * line flushed at once */
  gboolean flush_lines; /* ndjson: every line flushed at once also without @stream (an
                         * input that is a pipe may be a capture still being written).
                         * Otherwise lines go out in blocks, at least every 100 ms,
                         * unless the output is a terminal */
  W4AnomalyFunc warn;   /* the findings limit's first hit (for stderr); may be NULL */
  void *warn_user;
} W4ReportOptions;

typedef struct W4Report W4Report;

/* Writes to @out (not closed by the report). Returns (transfer full). */
W4Report *w4_rep_new (const W4ReportOptions *opts, FILE *out);
void w4_rep_free (W4Report *rep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Report, w4_rep_free)

/* Names an input for the text header, in run order: a file's name as the
 * findings show it, or "interface eth0" (copied). */
void w4_rep_add_input (W4Report *rep, const char *name);

/* A decided finding, (transfer full). ndjson prints it at once (flushed as
 * opts.stream and opts.flush_lines say); json writes it into its document;
 * text keeps it (bounded by the findings limit, counted). */
void w4_rep_finding (W4Report *rep, W4Finding *f);
/* The end: prints what was kept and the summary. */
void w4_rep_finish (W4Report *rep, const W4Summary *summary);

/* Charges what @rep keeps (the text report's findings and timeline) to
 * @budget as W4_MEM_FINDINGS, and registers its W4_EVICT_FINDINGS evictor,
 * which gives up kept findings the text would not show first, then the
 * latest kept ones (counted, named in the report). @budget must outlive
 * @rep; call it before the first finding. */
void w4_rep_set_budget (W4Report *rep, W4Budget *budget);

/* Findings of kind failure received so far (notes do not count): the exit
 * status is 1 when this is not 0. Counts also findings not kept. */
guint64 w4_rep_n_failures (const W4Report *rep);

/* A W4FindingSink that feeds @rep. */
W4FindingSink w4_rep_sink (W4Report *rep);

G_END_DECLS
