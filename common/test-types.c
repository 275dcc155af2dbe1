/* test-types.c: address and endpoint formatting (w4-types.h), checked
 * against inet_ntop, which the IPv4 path replaced for speed. */
#include "w4-types.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

static W4Addr
v4 (guint8 a, guint8 b, guint8 c, guint8 d)
{
  W4Addr x = { .family = 4 };
  x.a[0] = a, x.a[1] = b, x.a[2] = c, x.a[3] = d;
  return x;
}

static void
check_v4 (const W4Addr *a, guint16 port)
{
  char want_ip[INET_ADDRSTRLEN], want[64], got[64];
  W4Endpoint e = { .addr = *a, .port = port };

  g_assert_nonnull (inet_ntop (AF_INET, a->a, want_ip, sizeof want_ip));
  g_assert_cmpstr (w4_addr_format (a, got, sizeof got), ==, want_ip);
  g_snprintf (want, sizeof want, "%s:%u", want_ip, port);
  g_assert_cmpstr (w4_endpoint_format (&e, got, sizeof got), ==, want);
}

static void
test_ipv4_like_inet_ntop (void)
{
  W4Addr edges[] = { v4 (0, 0, 0, 0), v4 (255, 255, 255, 255), v4 (10, 0, 100, 9),
                     v4 (192, 0, 2, 1), v4 (1, 22, 199, 200) };
  guint16 ports[] = { 0, 9, 10, 80, 443, 9999, 10000, 65535 };
  GRand *r = g_rand_new_with_seed (401);

  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (ports); j++)
      check_v4 (&edges[i], ports[j]);
  for (int i = 0; i < 10000; i++) {
    W4Addr a = v4 ((guint8) g_rand_int (r), (guint8) g_rand_int (r), (guint8) g_rand_int (r),
                   (guint8) g_rand_int (r));
    check_v4 (&a, (guint16) g_rand_int (r));
  }
  g_rand_free (r);
}

/* A buffer too small for the whole text gets nothing, as with inet_ntop:
 * a cut address would name another host. */
static void
test_ipv4_short_buffer (void)
{
  W4Addr a = v4 (192, 168, 100, 200);
  W4Endpoint e = { .addr = a, .port = 8080 };
  char buf[32];

  memset (buf, 'x', sizeof buf);
  g_assert_cmpstr (w4_addr_format (&a, buf, 15), ==, "");
  g_assert_cmpstr (w4_addr_format (&a, buf, 16), ==, "192.168.100.200");
  g_assert_cmpstr (w4_endpoint_format (&e, buf, 20), ==, "");
  g_assert_cmpstr (w4_endpoint_format (&e, buf, 21), ==, "192.168.100.200:8080");
  g_assert_true (w4_addr_format (&a, buf, 0) == buf);
}

static void
test_ipv6_unchanged (void)
{
  W4Endpoint e = { .addr = { .family = 6 }, .port = 443 };
  char buf[64];

  e.addr.a[0] = 0x20, e.addr.a[1] = 0x01, e.addr.a[2] = 0x0d, e.addr.a[3] = 0xb8;
  e.addr.a[15] = 1;
  g_assert_cmpstr (w4_endpoint_format (&e, buf, sizeof buf), ==, "[2001:db8::1]:443");
}

/* The time as gmtime_r and printf write it (w4_time_format_iso's other path). */
static void
iso_reference (W4Time t, char *buf, gsize len)
{
  struct tm tm;
  time_t secs = (time_t) t.sec;

  g_assert_nonnull (gmtime_r (&secs, &tm));
  g_snprintf (buf, len, "%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d.%06uZ",
              (gint64) tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
              tm.tm_sec, t.nsec / 1000);
}

static void
check_iso (W4Time t)
{
  char want[W4_TIME_STRLEN], got[W4_TIME_STRLEN];

  iso_reference (t, want, sizeof want);
  g_assert_cmpstr (w4_time_format_iso (t, got, sizeof got), ==, want);
}

/* The hand-written date is gmtime_r's: leap days, centuries, the ends of
 * the range it covers, and times past it (which take the other path). */
static void
test_iso_like_gmtime (void)
{
  static const gint64 edges[] = {
    0, 59, 86399, 86400, 68169599, 68169600, /* 1972-02-29 */
    951782400, 951868800, /* 2000-02-29, 2000-03-01 */
    4107456000, 4107542400, /* 2100-02-28, 2100-03-01 */
    G_GINT64_CONSTANT (253402300799), G_GINT64_CONSTANT (253402300800), -1, -86401,
  };
  GRand *r = g_rand_new_with_seed (8);

  for (guint i = 0; i < G_N_ELEMENTS (edges); i++) {
    check_iso ((W4Time) { edges[i], 0 });
    check_iso ((W4Time) { edges[i], 999999999 });
  }
  for (guint i = 0; i < 200000; i++) {
    gint64 sec = (gint64) (g_rand_double (r) * 253402300800.0 * 1.01);
    check_iso ((W4Time) { sec, (guint32) g_rand_int_range (r, 0, 1000000000) });
  }
  check_iso ((W4Time) { 1700000000, 4000000000u }); /* a hostile nsec: 7 digits */
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/types/ipv4-like-inet-ntop", test_ipv4_like_inet_ntop);
  g_test_add_func ("/types/ipv4-short-buffer", test_ipv4_short_buffer);
  g_test_add_func ("/types/ipv6-unchanged", test_ipv6_unchanged);
  g_test_add_func ("/types/iso-like-gmtime", test_iso_like_gmtime);
  return g_test_run ();
}
