/* w4-types.h: the small value types every stage shares.
 *
 * Plain structs only: addresses, endpoints, capture times, byte spans and the
 * status codes dissectors return. Nothing here allocates. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a dissector says about bytes it was handed (STYLE: odd traffic is
 * evidence, not an error). */
typedef enum {
  W4_OK = 0,
  W4_NEED_MORE,  /* a valid prefix: feed more bytes */
  W4_TRUNCATED,  /* asked for more than was captured */
  W4_MALFORMED,  /* asked for more than the field claims, or a bad value */
  W4_LIMIT,      /* a named limit in w4-limits.h was reached */
} W4Status;

/* A borrowed run of bytes; never NUL-terminated by contract. Lifetime is
 * stated wherever a span is handed over (usually: packet). */
typedef struct {
  const guint8 *ptr;
  gsize len;
} W4Span;

/* Capture time as the file stores it, at nanosecond precision (pcapng and
 * nanosecond pcap); microsecond files have nsec multiple of 1000. */
typedef struct {
  gint64 sec;
  guint32 nsec;
} W4Time;

typedef struct {
  guint8 family; /* 0 (unset), 4 or 6 */
  guint8 a[16];  /* IPv4 in the first 4 bytes */
} W4Addr;

typedef struct {
  W4Addr addr;
  guint16 port;
} W4Endpoint;

/* A direction inside a connection, never a bare 0 or 1. */
typedef enum {
  W4_DIR_TO_SERVER = 0,
  W4_DIR_TO_CLIENT = 1,
} W4Dir;

static inline W4Span
w4_span (const void *ptr, gsize len)
{
  W4Span s = { (const guint8 *) ptr, len };
  return s;
}

/* Microseconds from @a to @b (negative when @b is earlier: capture times
 * may go backwards a little), saturated to G_MININT64 / G_MAXINT64.
 * Timestamps are hostile: a pcapng's 64-bit times (or its if_tsoffset) put
 * packets up to 2^64 units apart, and 2^63 microseconds is only 292 000
 * years; without saturation the subtraction or the product overflows
 * (undefined behaviour, found by tests/fuzz-pipeline). */
static inline gint64
w4_time_diff_usec (W4Time a, W4Time b)
{
  gint64 ds, us, out;
  gint64 dn = ((gint64) b.nsec - (gint64) a.nsec) / 1000;

  if (__builtin_sub_overflow (b.sec, a.sec, &ds) ||
      __builtin_mul_overflow (ds, (gint64) G_USEC_PER_SEC, &us) ||
      __builtin_add_overflow (us, dn, &out))
    return b.sec < a.sec ? G_MININT64 : G_MAXINT64;
  return out;
}

static inline int
w4_time_cmp (W4Time a, W4Time b)
{
  if (a.sec != b.sec)
    return a.sec < b.sec ? -1 : 1;
  if (a.nsec != b.nsec)
    return a.nsec < b.nsec ? -1 : 1;
  return 0;
}

gboolean w4_addr_equal (const W4Addr *a, const W4Addr *b);
guint w4_addr_hash (const W4Addr *a);
gboolean w4_endpoint_equal (const W4Endpoint *a, const W4Endpoint *b);

/* Formats the address ("192.0.2.1", "2001:db8::1") into @buf; returns @buf. */
char *w4_addr_format (const W4Addr *a, char *buf, gsize len);
/* "ip:port", or "[v6]:port" for IPv6; returns @buf. 64 bytes always suffice. */
char *w4_endpoint_format (const W4Endpoint *e, char *buf, gsize len);
#define W4_ENDPOINT_STRLEN 64

/* ISO 8601 UTC with 6 decimals, truncated: "2013-10-15T13:34:10.802943Z".
 * Returns @buf; 40 bytes always suffice. */
char *w4_time_format_iso (W4Time t, char *buf, gsize len);
#define W4_TIME_STRLEN 40

G_END_DECLS
