/* w4-types.c: formatting and comparison of the shared value types. */
#include "w4-types.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

gboolean
w4_addr_equal (const W4Addr *a, const W4Addr *b)
{
  if (a->family != b->family)
    return FALSE;
  return memcmp (a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

guint
w4_addr_hash (const W4Addr *a)
{
  guint h = a->family;
  gsize n = a->family == 4 ? 4 : 16;

  for (gsize i = 0; i < n; i++)
    h = h * 31 + a->a[i];
  return h;
}

gboolean
w4_endpoint_equal (const W4Endpoint *a, const W4Endpoint *b)
{
  return a->port == b->port && w4_addr_equal (&a->addr, &b->addr);
}

/* Writes @v in decimal at @p and returns the end. */
static char *
put_decimal (char *p, guint v)
{
  char digits[10];
  int n = 0;

  do {
    digits[n++] = (char) ('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *p++ = digits[--n];
  return p;
}

/* One byte in decimal at @p (no leading zeros), returning the end:
 * without put_decimal's loop and reversal (four of them per address). */
static char *
put_octet (char *p, guint8 v)
{
  if (v >= 100) {
    *p++ = (char) ('0' + v / 100);
    *p++ = (char) ('0' + v / 10 % 10);
  } else if (v >= 10) {
    *p++ = (char) ('0' + v / 10);
  }
  *p++ = (char) ('0' + v % 10);
  return p;
}

/* A dotted quad by hand, into @p (room for 15 characters), returning the
 * end: inet_ntop goes through sprintf, and every exchange formats its
 * endpoints, which made inet_ntop 4% of a run's instructions. */
static char *
put_ipv4 (char *p, const guint8 a[4])
{
  for (guint i = 0; i < 4; i++) {
    if (i > 0)
      *p++ = '.';
    p = put_octet (p, a[i]);
  }
  return p;
}

/* Copies @s (@n bytes) into @buf when it fits with its NUL, as inet_ntop
 * does; otherwise leaves @buf empty. */
static void
copy_if_fits (char *buf, gsize len, const char *s, gsize n)
{
  if (n < len) {
    memcpy (buf, s, n);
    buf[n] = '\0';
  }
}

char *
w4_addr_format (const W4Addr *a, char *buf, gsize len)
{
  char v4[16];

  if (len == 0)
    return buf;
  buf[0] = '\0';
  if (a->family == 4)
    copy_if_fits (buf, len, v4, (gsize) (put_ipv4 (v4, a->a) - v4));
  else if (a->family == 6)
    inet_ntop (AF_INET6, a->a, buf, (socklen_t) len);
  return buf;
}

char *
w4_endpoint_format (const W4Endpoint *e, char *buf, gsize len)
{
  char ip[INET6_ADDRSTRLEN];

  if (e->addr.family == 4) {
    char v4[16 + 6];
    char *end = put_ipv4 (v4, e->addr.a);
    *end++ = ':';
    end = put_decimal (end, e->port);
    if (len > 0)
      buf[0] = '\0';
    copy_if_fits (buf, len, v4, (gsize) (end - v4));
    return buf;
  }
  w4_addr_format (&e->addr, ip, sizeof ip);
  if (e->addr.family == 6)
    g_snprintf (buf, len, "[%s]:%u", ip, e->port);
  else
    g_snprintf (buf, len, "%s:%u", ip, e->port);
  return buf;
}

/* Seconds at 10000-01-01T00:00:00Z: below it (and from 1970) a time is
 * written by hand; other years go through gmtime_r and g_snprintf. */
#define W4_TIME_HAND_END G_GINT64_CONSTANT (253402300800)

/* @v in exactly @n digits (the lowest ones), at @p; returns the end. */
static char *
put_digits (char *p, guint v, guint n)
{
  for (guint i = n; i > 0; i--) {
    p[i - 1] = (char) ('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

/* "2026-12-02T17:33:15.505889Z" for 1970 <= year <= 9999, by hand: every
 * finding has a time, and gmtime_r with g_snprintf cost 3,800
 * instructions each. Days to a civil date as in Howard Hinnant's
 * civil_from_days (proleptic Gregorian, as gmtime_r). FALSE: out of range
 * or @len too small, nothing written. */
static gboolean
time_format_iso_by_hand (W4Time t, char *buf, gsize len)
{
  gint64 days, sod, era, doe, yoe, doy, mp, d, m, y;
  guint usec = t.nsec / 1000;
  char *p = buf;

  if (t.sec < 0 || t.sec >= W4_TIME_HAND_END || usec >= 1000000 || len < 28)
    return FALSE;
  days = t.sec / 86400;
  sod = t.sec % 86400;
  days += 719468; /* from 0000-03-01 */
  era = days / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
  p = put_digits (p, (guint) y, 4);
  *p++ = '-';
  p = put_digits (p, (guint) m, 2);
  *p++ = '-';
  p = put_digits (p, (guint) d, 2);
  *p++ = 'T';
  p = put_digits (p, (guint) (sod / 3600), 2);
  *p++ = ':';
  p = put_digits (p, (guint) (sod / 60 % 60), 2);
  *p++ = ':';
  p = put_digits (p, (guint) (sod % 60), 2);
  *p++ = '.';
  p = put_digits (p, usec, 6);
  *p++ = 'Z';
  *p = '\0';
  return TRUE;
}

char *
w4_time_format_iso (W4Time t, char *buf, gsize len)
{
  struct tm tm;
  time_t secs = (time_t) t.sec;

  if (time_format_iso_by_hand (t, buf, len))
    return buf;

  if (gmtime_r (&secs, &tm) == NULL) {
    g_snprintf (buf, len, "1970-01-01T00:00:00.000000Z");
    return buf;
  }
  /* 64-bit: glibc's gmtime_r accepts a tm_year up to G_MAXINT (a capture
   * time near 6.8e16 s, a pcapng with if_tsresol 0 can say so), and
   * tm_year + 1900 would overflow int. */
  g_snprintf (buf, len, "%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d.%06uZ",
              (gint64) tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
              tm.tm_sec, t.nsec / 1000);
  return buf;
}
