/* fuzz-dissect.h: what the dissect/ fuzz targets that feed TCP segments
 * share (fuzz-h1.c, fuzz-h2.c, fuzz-tcp.c): a sink that reads every field
 * of what it gets, so AddressSanitizer sees a bad span, and one TCP segment
 * of a connection 10.0.0.1:40000 <-> 10.0.0.2:PORT built and fed as
 * capture/ feeds dissect. */
#pragma once

#include "fuzz.h"

#include "dissect.h"

/* The sink: no event is checked but for what dissect.h promises. */
W4Sink w4_fz_sink (void);

/* Bytes the sink read (so that the reads are not optimised away). */
extern guint64 w4_fz_touched;

typedef struct {
  W4Dissect *dis;
  guint64 frame;     /* the last frame number given */
  guint16 port;      /* the server's */
} W4FzConn;

typedef struct {
  gboolean from_server;
  guint8 flags;      /* TCP flags byte (0x02 SYN, 0x10 ACK, 0x01 FIN, 0x04 RST...) */
  guint32 seq, ack;
  W4Time ts;
} W4FzSegment;

/* Feeds @conn what the input says: @p holds @size bytes (the first, which
 * picked the limits, included). */
typedef void (*W4FzFeed) (W4FzConn *conn, const guint8 *p, gsize size);

/* A whole run: the input copied to its exact size, limits picked by its
 * first byte from @table (w4_fuzz_limits), a dissector on a connection to
 * port 80 fed by @feed, then its end. Returns 0 for libFuzzer. */
int w4_fz_run (const guint8 *data, size_t size, const W4FuzzLimit *table, guint n_table,
               W4FzFeed feed);

/* One frame carrying one segment of @len payload bytes (the TCP header is
 * built here, 20 bytes). */
void w4_fz_segment (W4FzConn *c, const W4FzSegment *s, const guint8 *payload, gsize len);
