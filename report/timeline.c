/* timeline.c: failure times into bins, one row per server. */
#include "timeline.h"

#include <string.h>

/* Bin sizes a person reads at a glance, in minutes; beyond the last, whole
 * days. */
static const guint64 w4_round_bins[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440 };

static gint64
w4_minute_of (gint64 sec)
{
  /* floor, also before 1970 */
  return sec >= 0 ? sec / 60 : -((-sec + 59) / 60);
}

static guint64
w4_bin_size (guint64 span_minutes, guint max_bins)
{
  for (gsize i = 0; i < G_N_ELEMENTS (w4_round_bins); i++)
    if (span_minutes <= w4_round_bins[i] * max_bins)
      return w4_round_bins[i];
  /* whole days, enough of them */
  guint64 days = (span_minutes + 1440ull * max_bins - 1) / (1440ull * max_bins);
  return days * 1440;
}

gboolean
w4_timeline_bucket (const gint64 *times, gsize n, guint max_bins, W4TimelineRow *row)
{
  gint64 first, last, first_minute;

  g_return_val_if_fail (row != NULL, FALSE);
  if (n == 0 || times == NULL)
    return FALSE;
  max_bins = CLAMP (max_bins, 1, W4_TIMELINE_MAX_BINS);

  first = last = times[0];
  for (gsize i = 1; i < n; i++) {
    first = MIN (first, times[i]);
    last = MAX (last, times[i]);
  }
  memset (row, 0, sizeof *row);
  row->first = first;
  row->last = last;
  row->failures = n;
  first_minute = w4_minute_of (first);
  row->span_minutes = (guint64) (w4_minute_of (last) - first_minute) + 1;
  row->bin_minutes = w4_bin_size (row->span_minutes, max_bins);
  row->n_bins = (guint) ((row->span_minutes + row->bin_minutes - 1) / row->bin_minutes);
  for (gsize i = 0; i < n; i++) {
    guint64 bin = (guint64) (w4_minute_of (times[i]) - first_minute) / row->bin_minutes;
    row->bins[MIN (bin, (guint64) row->n_bins - 1)]++;
  }
  return TRUE;
}
