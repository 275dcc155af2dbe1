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

char *
w4_addr_format (const W4Addr *a, char *buf, gsize len)
{
  if (len == 0)
    return buf;
  buf[0] = '\0';
  if (a->family == 4)
    inet_ntop (AF_INET, a->a, buf, (socklen_t) len);
  else if (a->family == 6)
    inet_ntop (AF_INET6, a->a, buf, (socklen_t) len);
  return buf;
}

char *
w4_endpoint_format (const W4Endpoint *e, char *buf, gsize len)
{
  char ip[INET6_ADDRSTRLEN];

  w4_addr_format (&e->addr, ip, sizeof ip);
  if (e->addr.family == 6)
    g_snprintf (buf, len, "[%s]:%u", ip, e->port);
  else
    g_snprintf (buf, len, "%s:%u", ip, e->port);
  return buf;
}

char *
w4_time_format_iso (W4Time t, char *buf, gsize len)
{
  struct tm tm;
  time_t secs = (time_t) t.sec;

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
