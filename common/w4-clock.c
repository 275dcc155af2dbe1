/* w4-clock.c: capture time for decisions (see w4-clock.h). */
#include "w4-clock.h"

#include <string.h>

void
w4_clock_init (W4Clock *c)
{
  memset (c, 0, sizeof *c);
}

static gboolean
far_ahead (const W4Clock *c, W4Time ts)
{
  return w4_time_diff_usec (c->now, ts) > (gint64) W4_CLOCK_JUMP_SEC * G_USEC_PER_SEC;
}

gboolean
w4_clock_frame (W4Clock *c, guint64 frame, W4Time ts, W4ClockOutlier *outlier)
{
  gboolean found = FALSE;

  if (!c->started) {
    c->started = TRUE;
    c->now = ts;
    return FALSE;
  }
  if (c->jump_pending) {
    if (far_ahead (c, ts)) {
      /* traffic goes on at the new time: a real gap, the clock follows */
      if (++c->agreeing >= W4_CLOCK_CONFIRM_FRAMES) {
        c->jump_pending = FALSE;
        c->now = w4_time_cmp (ts, c->jump_ts) > 0 ? ts : c->jump_ts;
      }
      return FALSE;
    }
    /* back at the old time: the jump was that one frame's */
    outlier->frame = c->jump_frame;
    outlier->ts = c->jump_ts;
    outlier->clock = c->now;
    c->jump_pending = FALSE;
    found = TRUE;
  }
  if (far_ahead (c, ts)) {
    c->jump_pending = TRUE;
    c->jump_frame = frame;
    c->jump_ts = ts;
    c->agreeing = 0;
  } else if (w4_time_cmp (ts, c->now) > 0) {
    c->now = ts;
  }
  return found;
}

void
w4_clock_tick (W4Clock *c, W4Time now)
{
  if (!c->started || w4_time_cmp (now, c->now) > 0) {
    c->started = TRUE;
    c->now = now;
  }
}

W4Time
w4_clock_now (const W4Clock *c)
{
  return c->now;
}
