/* app.c: the seam above TCP: which protocol each direction speaks.
 *
 * A direction's first in-order bytes choose its protocol, never its port:
 * a TLS record (tls.c), HTTP/2's connection preface (h2.c), or the start of
 * an HTTP/1 message (h1.c); anything else is not read (SSH, SIP, TLS on
 * port 80 are not taken for HTTP). The protocols do the rest: h1.c hands a
 * connection over to h2.c after "101 Switching Protocols" to h2c, and asks
 * for a fresh choice after a CONNECT's 2xx (the tunnel may carry TLS or
 * HTTP). One state per protocol and connection serves both directions.
 *
 * A first segment too short to tell (a NEED_MORE, no YES) is not held
 * back for the next one: a protocol whose parser checks the rest of
 * its start itself (HTTP/1: llhttp) takes it, any other protocol is not
 * chosen on a prefix (a preface or record header cut after two bytes).
 * After lost bytes, before any protocol was chosen, the direction waits
 * for a segment that starts with an unmistakable message start. */
#include "dissect-private.h"

/* In the order they are asked; their starts never overlap (a record type
 * byte, "PRI * HTTP/2.0", a method or "HTTP/1."). */
static const W4StreamProto *const w4_app_protos[] = {
  &w4_tls_proto,
  &w4_h2_proto,
  &w4_h1_proto,
};

const W4StreamProto *
w4_app_choose (const W4ProbeAt *at, const guint8 *data, gsize len)
{
  const W4StreamProto *prefix = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (w4_app_protos); i++) {
    const W4StreamProto *p = w4_app_protos[i];
    W4Probe r = p->probe (at, data, len);
    if (r == W4_PROBE_YES)
      return p;
    if (r == W4_PROBE_NEED_MORE && p->prefix_is_enough && prefix == NULL && !at->lost)
      prefix = p;
  }
  return prefix;
}

gboolean
w4_app_starts_stream (W4Dir dir, const guint8 *data, gsize len)
{
  /* Roles may still be the port's guess here (no SYN seen), so the preface
   * counts in either direction; a TLS record of application data counts,
   * as the capture may have missed the handshake. */
  return w4_h1_starts_message (dir, data, len) ||
         w4_tls_probe_record (data, len, TRUE) == W4_PROBE_YES ||
         w4_h2_probe_preface (data, len) == W4_PROBE_YES;
}

W4FlowApp *
w4_app_of (W4Flow *flow)
{
  if (flow->app == NULL) {
    flow->app = g_new0 (W4FlowApp, 1);
    flow->app->top = &flow->info;
    w4_budget_charge (flow->dis->limits.budget, W4_MEM_FLOWS, sizeof (W4FlowApp));
  }
  return flow->app;
}

static void *
state_of (W4Flow *flow, const W4StreamProto *proto)
{
  W4FlowApp *app = w4_app_of (flow);

  if (app->state[proto->id] == NULL)
    app->state[proto->id] = proto->new (flow, app->top);
  return app->state[proto->id];
}

static void
use (W4Flow *flow, W4Dir dir, const W4StreamProto *proto)
{
  W4AppHalf *a = &w4_app_of (flow)->half[dir];

  a->proto = proto;
  a->st = state_of (flow, proto);
}

void
w4_app_feed (W4Flow *flow, W4Dir dir, const W4Chunk *chunk)
{
  W4AppHalf *a;

  if (chunk->len == 0)
    return;
  a = &w4_app_of (flow)->half[dir];
  if (a->done)
    return;
  if (a->proto == NULL) {
    W4ProbeAt at = { dir, !flow->tcp[dir].saw_syn, a->lost, chunk->seg_start };
    const W4StreamProto *p = w4_app_choose (&at, chunk->data, chunk->len);
    if (p == NULL) {
      /* not a protocol we read; after a loss, wait for a start */
      a->done = !a->lost;
      return;
    }
    use (flow, dir, p);
  }
  a->proto->feed (a->st, dir, chunk);
}

void
w4_app_gap (W4Flow *flow, W4Dir dir, guint64 count, guint64 frame, W4Time ts)
{
  W4AppHalf *a = &w4_app_of (flow)->half[dir];
  W4FrameMark at = { 0, frame, ts };

  if (a->done)
    return;
  if (a->proto == NULL) {
    /* what comes next is not the direction's start */
    a->lost = TRUE;
    return;
  }
  a->proto->gap (a->st, dir, count, &at);
}

void
w4_app_eof (W4Flow *flow, W4Dir dir, guint64 frame, W4Time ts)
{
  W4AppHalf *a;
  W4FrameMark at = { 0, frame, ts };

  if (flow->app == NULL)
    return; /* nothing reached the seam: not lost, may still begin */
  a = &flow->app->half[dir];
  if (a->done)
    return;
  if (a->proto == NULL) {
    /* a direction waiting for a start after a loss ends with it; one
     * that has seen nothing yet may still begin (bytes after a FIN are
     * read as they always were) */
    a->done = a->lost;
    return;
  }
  a->proto->eof (a->st, dir, &at);
  a->done = TRUE;
}

void
w4_app_stop (W4Flow *flow, W4Dir dir)
{
  w4_app_of (flow)->half[dir].done = TRUE;
}

void
w4_app_restart (W4Flow *flow)
{
  for (int d = 0; d < 2; d++) {
    W4AppHalf *a = &w4_app_of (flow)->half[d];
    a->proto = NULL;
    a->st = NULL;
    a->lost = FALSE;
    a->done = FALSE;
  }
}

void
w4_app_take_over (W4Flow *flow, const W4StreamProto *proto)
{
  for (int d = 0; d < 2; d++) {
    W4AppHalf *a = &w4_app_of (flow)->half[d];
    if (a->proto != NULL && a->proto != proto && !a->done) {
      W4FrameMark now = { 0, flow->last_frame, flow->last_ts };
      a->proto->gap (a->st, (W4Dir) d, 0, &now);
    }
    use (flow, (W4Dir) d, proto);
    a->done = FALSE;
    a->lost = FALSE;
  }
}

void
w4_app_clear (W4Flow *flow)
{
  W4FlowApp *app = flow->app;

  if (app == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (w4_app_protos); i++) {
    const W4StreamProto *p = w4_app_protos[i];
    if (app->state[p->id] != NULL)
      p->free (app->state[p->id]);
    app->state[p->id] = NULL;
  }
  while (app->layers != NULL) {
    W4FlowLayer *l = app->layers;
    app->layers = l->next;
    g_free (l);
  }
  flow->app = NULL;
  g_free (app);
  w4_budget_release (flow->dis->limits.budget, W4_MEM_FLOWS, sizeof (W4FlowApp));
}
