/* report-private.h: what report.c, text.c and json.c share. */
#pragma once

#include "report.h"
#include "timeline.h"
#include "w4-jsonw.h"

G_BEGIN_DECLS

/* One server's failure times for the text timeline. */
typedef struct {
  char *server;  /* "ip:port" */
  char *tunnel;  /* the CONNECT tunnel's target (the server behind the proxy), or NULL */
  char *host;    /* the first Host seen, or NULL */
  GArray *times; /* (element-type gint64) response times, seconds, arrival order */
} W4TimelineServer;

struct W4Report {
  W4ReportOptions opts;
  FILE *out;                 /* borrowed: the caller closes it */
  gboolean color;            /* decided once, from opts.color and @out */
  guint width;               /* text: wrap column, decided once (opts.width, @out, $COLUMNS) */
  GPtrArray *inputs;         /* (element-type utf8) run order */
  GPtrArray *kept;           /* (element-type W4Finding) emission order, text and json */
  guint64 dropped;           /* findings beyond opts.max_findings: counted, not kept */
  guint64 streamed;          /* text, opts.stream: findings printed as they were decided */
  guint64 n_keepable;        /* findings text/json would keep (also under -q) */
  guint64 n_kind[W4_KIND_INFO + 1];
  /* every finding received (kept or not), by kind and primary cause */
  guint64 n_by[W4_KIND_INFO + 1][W4_CAUSE_COUNT];
  /* text: every failure's time by server (also streamed and dropped ones; not under -q),
   * bounded by the findings limit; first failure first */
  GPtrArray *timeline;       /* (element-type W4TimelineServer) */
  GHashTable *timeline_by;   /* server, or "server>tunnel" (owned) -> W4TimelineServer (borrowed) */
  guint64 timeline_kept, timeline_missed;
  /* ndjson (compact), json (indented): the bytes not yet written, reused
   * (grows to the longest block or finding) */
  W4JsonW jw;
  gboolean flush_each;       /* ndjson: every line out and flushed at once */
  gint64 written_at;         /* ndjson: when jw was last written out (monotonic, us) */
  guint64 json_streamed;     /* json: findings written into the document so far */
  /* --max-mem (w4_rep_set_budget): kept findings and timeline times are
   * charged as W4_MEM_FINDINGS; NULL: nothing is charged */
  W4Budget *budget;
  guint64 timeline_charged;  /* bytes of timeline arrays charged so far */
  /* kept findings the text would not have shown (without --all: past the
   * examples of their group; notes), given up to the budget, by group */
  guint64 unshown_evicted[W4_KIND_INFO + 1][W4_CAUSE_COUNT];
  guint64 budget_dropped;    /* kept findings it would have shown, given up (counted) */
  guint64 kept_by[W4_KIND_INFO + 1][W4_CAUSE_COUNT]; /* in @kept, by group */
};

/* ndjson: one finding's line, out at once when rep->flush_each, else
 * when a block has gathered or 100 ms have passed since the last write. */
void w4_rep_ndjson_finding (W4Report *rep, const W4Finding *f);
/* ndjson: the summary line, and out with every line still held. */
void w4_rep_ndjson_finish (W4Report *rep, const W4Summary *s);
/* Writes out and flushes what rep->jw holds, and empties it. */
void w4_rep_json_write_out (W4Report *rep);
/* --format json: one finding into the document's findings array, written
 * at once (the document's head before the first), so that no finding is
 * kept for the end. */
void w4_rep_json_stream_finding (W4Report *rep, const W4Finding *f);
/* --format json: the rest of the document (the array's end, the summary). */
void w4_rep_json_finish (W4Report *rep, const W4Summary *s);

/* The text report. */
void w4_rep_text_finish (W4Report *rep, const W4Summary *s);
/* opts.stream: TRUE when text prints @f at once (a failure; a note with
 * --all), as w4_rep_text_stream does. */
gboolean w4_rep_text_streams (const W4Report *rep, const W4Finding *f);
/* Prints one decided finding on its own, with its cause, and flushes. */
void w4_rep_text_stream (W4Report *rep, const W4Finding *f);

/* A warning about findings not kept, or NULL (transfer full). */
char *w4_rep_dropped_warning (const W4Report *rep);

G_END_DECLS
