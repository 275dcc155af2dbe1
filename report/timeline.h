/* timeline.h: the text report's per-server timeline, its data part. Pure:
 * failure times in, per-minute (or wider) bins out, so it is unit-tested
 * apart from the printing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most bins one line holds; a narrower wrap width asks for fewer. */
#define W4_TIMELINE_MAX_BINS 60

typedef struct {
  gint64 first, last;   /* earliest and latest failure, seconds (min and max: a capture's
                         * time may step back a little) */
  guint64 failures;
  guint64 span_minutes; /* minute columns from first's minute to last's, at least 1 */
  guint64 bin_minutes;  /* minutes per bin: 1, or a round size when the span is longer
                         * than the bins a line holds */
  guint n_bins;         /* bins used, 1 .. max_bins */
  guint64 bins[W4_TIMELINE_MAX_BINS]; /* failures per bin, from first's minute */
} W4TimelineRow;

/* Buckets @n failure times (seconds, any order) into at most @max_bins bins
 * (1 .. W4_TIMELINE_MAX_BINS). FALSE, and @row untouched, when @n is 0. */
gboolean w4_timeline_bucket (const gint64 *times, gsize n, guint max_bins, W4TimelineRow *row);

G_END_DECLS
