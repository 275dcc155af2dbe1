/* h2.c: HTTP/2, a stand-in that only says it was seen.
 *
 * HTTP/2 is recognised, not parsed yet: the client connection preface of
 * prior knowledge (RFC 9113 3.4), chosen by app.c, or an HTTP/1 upgrade
 * to h2c (RFC 7540 3.2) that h1.c hands over. Either way the connection
 * is marked, so its failures are not silently missing, and nothing more
 * of it is read. The frame parser and HPACK come here later. */
#include "dissect-private.h"

#include <string.h>

/* RFC 9113 3.4: the client connection preface of HTTP/2 with prior
 * knowledge. The first 14 bytes ("PRI * HTTP/2.0") are enough when the
 * first segment is short; no HTTP/1 request line starts that way. */
static const char w4_h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define W4_H2_PREFACE_MIN 14

/* A connection's HTTP/2 state (W4Flow.app_state[W4_PROTO_H2]). */
typedef struct {
  W4Flow *flow;
  const W4ConnInfo *on; /* the record it runs on */
  gboolean announced; /* the connection was marked */
} W4H2Conn;

W4Probe
w4_h2_probe_preface (const guint8 *data, gsize len)
{
  gsize n = MIN (len, sizeof w4_h2_preface - 1);

  if (n == 0 || memcmp (data, w4_h2_preface, n) != 0)
    return W4_PROBE_NO;
  return n >= W4_H2_PREFACE_MIN ? W4_PROBE_YES : W4_PROBE_NEED_MORE;
}

static W4Probe
h2_probe (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  /* the preface is the client's first bytes, and only those */
  if (at->dir != W4_DIR_TO_SERVER || at->lost)
    return W4_PROBE_NO;
  return w4_h2_probe_preface (data, len);
}

static void *
h2_new (W4Flow *flow, const W4ConnInfo *on)
{
  W4H2Conn *c = g_new0 (W4H2Conn, 1);

  c->flow = flow;
  c->on = on;
  return c;
}

static void
h2_free (void *st)
{
  g_free (st);
}

/* HTTP/2 seen on the connection at @at: it is marked (its failures would
 * go unseen), for the not-parsed info and a warning. */
static void
h2_announce (W4Flow *flow, W4Dir dir, const W4FrameMark *at, W4H2Start start, const char *how)
{
  const W4Sink *sink = w4_dis_sink (flow->dis);
  W4H2Info info = { 0 };

  w4_dis_ensure_open (flow);
  info.conn = &flow->info;
  info.how = start;
  info.frame = at->frame;
  info.ts = at->ts;
  info.parsed = FALSE;
  if (sink->on_h2 != NULL)
    sink->on_h2 (sink->user, &info);
  w4_dis_anomaly (flow, W4_ANOM_UPGRADE, dir, at->frame, at->ts, W4_LIMIT_COUNT, 0, how);
}

/* HTTP/2 starts on the connection at @at: announced, and both directions
 * stop. */
static void
h2_begin (W4Flow *flow, W4Dir dir, const W4FrameMark *at, W4H2Start start, const char *how)
{
  h2_announce (flow, dir, at, start, how);
  w4_app_take_over (flow, &w4_h2_proto);
}

void
w4_h2_inside_tls (W4Flow *flow, W4Dir dir, const W4FrameMark *at)
{
  h2_announce (flow, dir, at, W4_H2_PRIOR_KNOWLEDGE,
               "HTTP/2 inside decrypted TLS: HTTP/2 is not parsed yet");
}

void
w4_h2_upgraded (W4Flow *flow, const W4FrameMark *at)
{
  h2_begin (flow, W4_DIR_TO_CLIENT, at, W4_H2_UPGRADE,
            "101 Switching Protocols to h2c: HTTP/2 is not parsed yet");
}

static void
h2_feed (void *st, W4Dir dir, const W4Chunk *chunk)
{
  W4H2Conn *c = st;

  if (c->announced)
    return;
  c->announced = TRUE;
  h2_begin (c->flow, dir, &chunk->marks[0], W4_H2_PRIOR_KNOWLEDGE,
            "HTTP/2 connection preface: HTTP/2 is not parsed yet");
}

static void
h2_gap (void *st, W4Dir dir, guint64 lost, const W4FrameMark *at)
{
  (void) st;
  (void) dir;
  (void) lost;
  (void) at;
}

static void
h2_eof (void *st, W4Dir dir, const W4FrameMark *at)
{
  (void) st;
  (void) dir;
  (void) at;
}

const W4StreamProto w4_h2_proto = {
  .name = "h2",
  .id = W4_PROTO_H2,
  .probe = h2_probe,
  .prefix_is_enough = FALSE,
  .new = h2_new,
  .free = h2_free,
  .feed = h2_feed,
  .gap = h2_gap,
  .eof = h2_eof,
};
