/* test-clock.c: capture time for decisions against outlier timestamps. */
#include "w4-clock.h"

static W4Time
at (gint64 sec)
{
  W4Time t = { sec, 0 };
  return t;
}

static const gint64 year = 365 * 24 * 3600;

/* One frame a year ahead among traffic at the old time: not taken, and
 * named once the next frame comes back to the old time. */
static void
test_outlier (void)
{
  W4Clock c;
  W4ClockOutlier o = { 0 };

  w4_clock_init (&c);
  g_assert_false (w4_clock_frame (&c, 1, at (1000), &o));
  g_assert_false (w4_clock_frame (&c, 2, at (1001), &o));
  g_assert_false (w4_clock_frame (&c, 3, at (1001 + year), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1001);
  g_assert_true (w4_clock_frame (&c, 4, at (1002), &o));
  g_assert_cmpuint (o.frame, ==, 3);
  g_assert_cmpint (o.ts.sec, ==, 1001 + year);
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1002);
  g_assert_false (w4_clock_frame (&c, 5, at (1003), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1003);
}

/* A long idle gap followed by traffic at the new time moves the clock once
 * the frames after the jump agree. */
static void
test_idle_gap (void)
{
  W4Clock c;
  W4ClockOutlier o = { 0 };

  w4_clock_init (&c);
  w4_clock_frame (&c, 1, at (1000), &o);
  g_assert_false (w4_clock_frame (&c, 2, at (1000 + 7200), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000);
  g_assert_false (w4_clock_frame (&c, 3, at (1000 + 7201), &o));
  g_assert_false (w4_clock_frame (&c, 4, at (1000 + 7202), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000 + 7202);
  /* below the threshold a jump is taken at once */
  g_assert_false (w4_clock_frame (&c, 5, at (1000 + 7202 + 300), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000 + 7502);
}

/* The first frame dated a year ahead: it alone is the outlier when the
 * second is far behind it (nothing came before it to compare). */
static void
test_first_frame_outlier (void)
{
  W4Clock c;
  W4ClockOutlier o = { 0 };

  w4_clock_init (&c);
  w4_clock_frame (&c, 1, at (1000 + year), &o);
  g_assert_true (w4_clock_frame (&c, 2, at (1000), &o));
  g_assert_false (o.back);
  g_assert_cmpuint (o.frame, ==, 1);
  g_assert_cmpint (o.ts.sec, ==, 1000 + year);
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000);
  /* a lone frame dated far back never moves it */
  g_assert_false (w4_clock_frame (&c, 3, at (2), &o));
  g_assert_false (w4_clock_frame (&c, 4, at (1003), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1003);
}

/* Traffic that goes on far back (inputs not in time order) takes the
 * clock back once the frames after the step agree, and it is reported. */
static void
test_step_back (void)
{
  W4Clock c;
  W4ClockOutlier o = { 0 };

  w4_clock_init (&c);
  w4_clock_frame (&c, 1, at (1000 + year), &o);
  w4_clock_frame (&c, 2, at (1001 + year), &o);
  g_assert_false (w4_clock_frame (&c, 3, at (1000), &o));
  g_assert_false (w4_clock_frame (&c, 4, at (1001), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1001 + year);
  g_assert_true (w4_clock_frame (&c, 5, at (1002), &o));
  g_assert_true (o.back);
  g_assert_cmpuint (o.frame, ==, 3);
  g_assert_cmpint (o.clock.sec, ==, 1001 + year);
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1002);
}

/* Steps back never move the clock back; ticks only move it forward. */
static void
test_backwards (void)
{
  W4Clock c;
  W4ClockOutlier o = { 0 };

  w4_clock_init (&c);
  w4_clock_frame (&c, 1, at (1000), &o);
  g_assert_false (w4_clock_frame (&c, 2, at (990), &o));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000);
  w4_clock_tick (&c, at (995));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1000);
  w4_clock_tick (&c, at (1005));
  g_assert_cmpint (w4_clock_now (&c).sec, ==, 1005);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clock/outlier", test_outlier);
  g_test_add_func ("/clock/idle-gap", test_idle_gap);
  g_test_add_func ("/clock/backwards", test_backwards);
  g_test_add_func ("/clock/first-frame-outlier", test_first_frame_outlier);
  g_test_add_func ("/clock/step-back", test_step_back);
  return g_test_run ();
}
