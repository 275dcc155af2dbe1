/* test-reader.c: W4Reader to the last byte, and the shared formatters.
 *
 * Inputs are copied into exactly-sized heap buffers so that a read one byte
 * too far is caught by AddressSanitizer builds. */
#include <string.h>

#include "w4-limits.h"
#include "w4-reader.h"

static guint8 *
exact_copy (const void *src, gsize len)
{
  guint8 *p = g_malloc (len ? len : 1);
  memcpy (p, src, len);
  return p;
}

static void
test_reader_integers (void)
{
  static const guint8 bytes[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
  g_autofree guint8 *buf = exact_copy (bytes, sizeof bytes);
  W4Reader r;
  guint16 u16;
  guint32 u32;
  guint8 u8;

  w4_rd_init (&r, buf, sizeof bytes);
  g_assert_true (w4_rd_u16 (&r, &u16));
  g_assert_cmpuint (u16, ==, 0x1234);
  g_assert_true (w4_rd_u16le (&r, &u16));
  g_assert_cmpuint (u16, ==, 0x7856);
  g_assert_true (w4_rd_u8 (&r, &u8));
  g_assert_cmpuint (u8, ==, 0x9a);
  g_assert_cmpuint (w4_rd_left (&r), ==, 0);
  g_assert_false (w4_rd_u8 (&r, &u8));
  g_assert_cmpint (r.status, ==, W4_TRUNCATED);

  w4_rd_init (&r, buf, sizeof bytes);
  g_assert_true (w4_rd_u32 (&r, &u32));
  g_assert_cmphex (u32, ==, 0x12345678);
  w4_rd_init (&r, buf, sizeof bytes);
  g_assert_true (w4_rd_u32le (&r, &u32));
  g_assert_cmphex (u32, ==, 0x78563412);
}

/* Every prefix of a 4-byte field fails as TRUNCATED, and failure sticks. */
static void
test_reader_every_prefix (void)
{
  static const guint8 bytes[] = { 1, 2, 3, 4 };

  for (gsize n = 0; n < sizeof bytes; n++) {
    g_autofree guint8 *buf = exact_copy (bytes, n);
    W4Reader r;
    guint32 v = 0;
    guint8 b;

    w4_rd_init (&r, buf, n);
    g_assert_false (w4_rd_u32 (&r, &v));
    g_assert_cmpint (r.status, ==, W4_TRUNCATED);
    g_assert_cmpuint (r.off, ==, 0);
    /* sticky: even a read that would fit fails now */
    g_assert_false (w4_rd_u8 (&r, &b));
  }
}

/* A child reader knows what its field claims: reading into the part that was
 * not captured is TRUNCATED, past the claim MALFORMED. */
static void
test_reader_sub (void)
{
  static const guint8 bytes[] = { 0xaa, 0xbb, 0xcc };
  g_autofree guint8 *buf = exact_copy (bytes, sizeof bytes);
  W4Reader r, c;
  W4Span s;
  guint8 b;

  w4_rd_init (&r, buf, sizeof bytes);
  g_assert_true (w4_rd_u8 (&r, &b));
  c = w4_rd_sub (&r, 10); /* claims 10, only 2 captured */
  g_assert_cmpuint (c.len, ==, 2);
  g_assert_cmpuint (w4_rd_left (&r), ==, 0);
  g_assert_true (w4_rd_span (&c, 2, &s));
  g_assert_cmpuint (s.ptr[1], ==, 0xcc);
  g_assert_false (w4_rd_u8 (&c, &b));
  g_assert_cmpint (c.status, ==, W4_TRUNCATED);

  w4_rd_init (&r, buf, sizeof bytes);
  c = w4_rd_sub (&r, 1); /* claims 1 of 3 captured */
  g_assert_true (w4_rd_u8 (&c, &b));
  g_assert_false (w4_rd_u8 (&c, &b));
  g_assert_cmpint (c.status, ==, W4_MALFORMED);
  g_assert_cmpuint (w4_rd_left (&r), ==, 2);
}

/* A huge skip must not wrap the offset. */
static void
test_reader_no_wrap (void)
{
  static const guint8 bytes[] = { 1, 2 };
  g_autofree guint8 *buf = exact_copy (bytes, sizeof bytes);
  W4Reader r;
  guint8 b;

  w4_rd_init (&r, buf, sizeof bytes);
  g_assert_true (w4_rd_u8 (&r, &b));
  g_assert_false (w4_rd_skip (&r, G_MAXSIZE));
  g_assert_cmpuint (r.off, ==, 1);
  g_assert_false (w4_rd_peek_u8 (&r, 0, &b));
}

static void
test_format (void)
{
  W4Endpoint e4 = { { 4, { 192, 0, 2, 1 } }, 80 };
  W4Endpoint e6 = { { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, 8080 };
  W4Time t = { 1381844050, 802943999 };
  char buf[W4_ENDPOINT_STRLEN];
  char tbuf[W4_TIME_STRLEN];

  g_assert_cmpstr (w4_endpoint_format (&e4, buf, sizeof buf), ==, "192.0.2.1:80");
  g_assert_cmpstr (w4_endpoint_format (&e6, buf, sizeof buf), ==, "[2001:db8::1]:8080");
  /* truncated, not rounded */
  g_assert_cmpstr (w4_time_format_iso (t, tbuf, sizeof tbuf), ==, "2013-10-15T13:34:10.802943Z");
  /* The last second gmtime_r takes (tm_year == G_MAXINT): no int overflow. */
  t.sec = G_GINT64_CONSTANT (67768036191676799);
  t.nsec = 0;
  g_assert_cmpstr (w4_time_format_iso (t, tbuf, sizeof tbuf), ==,
                   "2147485547-12-31T23:59:59.000000Z");
  t.sec = G_MAXINT64;
  g_assert_cmpstr (w4_time_format_iso (t, tbuf, sizeof tbuf), ==, "1970-01-01T00:00:00.000000Z");
}

/* Hostile timestamps: a pcapng's 64-bit times put packets 2^64 us apart;
 * the difference saturates instead of overflowing (tests/fuzz-pipeline
 * found expire_idle overflowing with a packet at 18443152390129 s). */
static void
test_time_diff (void)
{
  W4Time zero = { 0, 0 };
  W4Time late = { 18443152390129, 0 };
  W4Time max = { G_MAXINT64, 999999999 };
  W4Time min = { G_MININT64, 0 };
  W4Time a = { 10, 500000000 }, b = { 12, 250000 };

  g_assert_cmpint (w4_time_diff_usec (a, b), ==, 1500250);
  g_assert_cmpint (w4_time_diff_usec (b, a), ==, -1500250);
  g_assert_cmpint (w4_time_diff_usec (zero, late), ==, G_MAXINT64);
  g_assert_cmpint (w4_time_diff_usec (late, zero), ==, G_MININT64);
  g_assert_cmpint (w4_time_diff_usec (min, max), ==, G_MAXINT64);
  g_assert_cmpint (w4_time_diff_usec (max, min), ==, G_MININT64);
  g_assert_cmpint (w4_time_diff_usec (max, max), ==, 0);
  /* 9223372036854 s is the last whole second that fits in microseconds. */
  W4Time edge = { 9223372036854, 0 };
  g_assert_cmpint (w4_time_diff_usec (zero, edge), ==, (gint64) 9223372036854 * 1000000);
}

static void
test_limits (void)
{
  W4Limits l;

  w4_limits_init (&l);
  g_assert_cmpuint (l.v[W4_LIMIT_BODY_KEEP], ==, 4096);
  g_assert_true (w4_limits_set (&l, "flows=10"));
  g_assert_cmpuint (l.v[W4_LIMIT_FLOWS], ==, 10);
  g_assert_false (w4_limits_set (&l, "flow=10"));
  g_assert_false (w4_limits_set (&l, "flows=-1"));
  g_assert_false (w4_limits_set (&l, "flows"));
  for (int i = 0; i < W4_LIMIT_COUNT; i++)
    g_assert_cmpstr (w4_limit_name ((W4LimitId) i), !=, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reader/integers", test_reader_integers);
  g_test_add_func ("/reader/every-prefix", test_reader_every_prefix);
  g_test_add_func ("/reader/sub-reader", test_reader_sub);
  g_test_add_func ("/reader/no-wrap", test_reader_no_wrap);
  g_test_add_func ("/types/format", test_format);
  g_test_add_func ("/types/time-diff-saturates", test_time_diff);
  g_test_add_func ("/limits/names-and-overrides", test_limits);
  return g_test_run ();
}
