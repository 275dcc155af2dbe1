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

static gboolean
far_behind (const W4Clock *c, W4Time ts)
{
  return w4_time_diff_usec (ts, c->now) > (gint64) W4_CLOCK_JUMP_SEC * G_USEC_PER_SEC;
}

static void
start_jump (W4Clock *c, guint64 frame, W4Time ts, gboolean back)
{
  c->jump_pending = TRUE;
  c->jump_back = back;
  c->jump_frame = frame;
  c->jump_ts = ts;
  c->agreeing = 0;
}

/* A far step back: taken once the next frames are as far back. Returns
 * TRUE when this frame confirmed it (described in @outlier). */
static gboolean
step_back (W4Clock *c, guint64 frame, W4Time ts, W4ClockOutlier *outlier)
{
  if (!c->jump_pending) {
    start_jump (c, frame, ts, TRUE);
    return FALSE;
  }
  if (++c->agreeing < W4_CLOCK_CONFIRM_FRAMES) {
    if (w4_time_cmp (ts, c->jump_ts) > 0)
      c->jump_ts = ts; /* the newest of the new traffic */
    return FALSE;
  }
  outlier->frame = c->jump_frame;
  outlier->clock = c->now;
  outlier->back = TRUE;
  c->now = w4_time_cmp (ts, c->jump_ts) > 0 ? ts : c->jump_ts;
  outlier->ts = c->now;
  c->jump_pending = FALSE;
  return TRUE;
}

gboolean
w4_clock_frame (W4Clock *c, guint64 frame, W4Time ts, W4ClockOutlier *outlier)
{
  gboolean found = FALSE;

  if (!c->started) {
    c->started = TRUE;
    c->now = ts;
    c->first_frame = frame;
    c->frames = 1;
    return FALSE;
  }
  if (far_behind (c, ts) && c->frames == 1) {
    /* the first frame was far ahead of all that follows: it alone was */
    outlier->frame = c->first_frame;
    outlier->ts = c->now;
    outlier->clock = ts;
    outlier->back = FALSE;
    c->now = ts;
    c->frames++;
    return TRUE;
  }
  c->frames++;
  if (far_behind (c, ts) && (!c->jump_pending || c->jump_back))
    return step_back (c, frame, ts, outlier);
  if (c->jump_pending && c->jump_back) {
    /* back at the old time: that frame alone was dated far back, which
     * never moved the clock */
    c->jump_pending = FALSE;
  } else if (c->jump_pending) {
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
    outlier->back = FALSE;
    c->jump_pending = FALSE;
    found = TRUE;
  }
  if (far_ahead (c, ts)) {
    start_jump (c, frame, ts, FALSE);
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
