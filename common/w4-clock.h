/* w4-clock.h: capture time for decisions, steady against outlier timestamps.
 *
 * Decisions that wait for capture time (the correlator's 30 s, dissect's
 * idle expiry) follow the newest timestamp seen. One packet dated far
 * ahead (a wrong clock, a damaged record, even an unrelated UDP packet)
 * would move that time a year on and decide everything at once. So a jump
 * forward by more than W4_CLOCK_JUMP_SEC is only taken once the packets
 * after it agree with the new time (a real idle gap followed by traffic);
 * when they come back to the old time instead, the jump was an outlier: it
 * is reported and never moves the clock. Small steps back never move it
 * back either (INPUT.md: capture time may step back a little); a step back
 * of more than W4_CLOCK_JUMP_SEC that the next packets confirm (an early
 * packet was the outlier, or the inputs are not in time order) does, and
 * is reported. The first frame has nothing before it to be checked
 * against: when the second is far behind it, the first was the outlier. */
#pragma once

#include "w4-types.h"

G_BEGIN_DECLS

/* A jump forward beyond this needs confirming. It is the idle expiry of an
 * open connection: a larger jump taken wrongly would end every connection. */
#define W4_CLOCK_JUMP_SEC 600
/* How many packets after the jump must agree with its time. */
#define W4_CLOCK_CONFIRM_FRAMES 2

typedef struct {
  gboolean started;
  W4Time now;
  gboolean jump_pending;  /* a frame jumped ahead (or back); waiting for the next ones */
  gboolean jump_back;
  guint64 jump_frame;
  W4Time jump_ts;
  guint agreeing;         /* frames since the jump that are as far ahead */
  guint64 frames;         /* frames seen (a lone first frame far ahead is an outlier) */
  guint64 first_frame;
} W4Clock;

/* A frame whose timestamp was not taken as capture time; or (@back) the
 * frame where capture time was confirmed to step far back. */
typedef struct {
  guint64 frame;
  W4Time ts;
  W4Time clock;  /* capture time around it (@back: before the step) */
  gboolean back;
} W4ClockOutlier;

void w4_clock_init (W4Clock *c);
/* A frame's timestamp. Returns TRUE when this frame showed that an earlier
 * jump was an outlier, described in @outlier. */
gboolean w4_clock_frame (W4Clock *c, guint64 frame, W4Time ts, W4ClockOutlier *outlier);
/* Live capture's wall-clock ticks are trusted: they only move forward. */
void w4_clock_tick (W4Clock *c, W4Time now);
/* Capture time for decisions (zero before the first frame). */
W4Time w4_clock_now (const W4Clock *c);

G_END_DECLS
