/* flow.c: the live state of TCP connections: the flow table, its LRU
 * order, idle expiry and closing.
 *
 * Live state per connection, bounded by W4_LIMIT_FLOWS (the
 * idle-longest is evicted). Idle connections expire by capture time: 10 min
 * without a packet, 1 min once a FIN or RST was seen (a closed connection's
 * state is only kept so that its last ACKs and retransmissions do not open
 * it again). Over the --max-mem budget, the budget's evictors give flows up
 * the same way (idle ones first, then any, the longest idle first).
 *
 * A flow is charged to W4_MEM_FLOWS; what it holds above TCP (W4FlowApp,
 * app.c) only once a byte reaches it, so a SYN-only connection costs its
 * W4Flow and its stream-number record (about 390 bytes with malloc's and
 * the hash table's share). */
#include "dissect-private.h"

#include <string.h>

static W4FlowLru *
flow_lru (W4Flow *flow)
{
  return flow->in_closed_lru ? &flow->dis->lru_closed : &flow->dis->lru_open;
}

void
w4_flow_to_closed_lru (W4Flow *flow)
{
  if (flow->in_closed_lru)
    return;
  w4_lru_unlink (&flow->dis->lru_open, flow);
  flow->in_closed_lru = TRUE;
  w4_lru_push_tail (&flow->dis->lru_closed, flow);
}

void
w4_dis_ensure_open (W4Flow *flow)
{
  W4Dissect *dis = flow->dis;
  W4FrameInfo fi = { 0 };

  if (flow->opened)
    return;
  flow->opened = TRUE;
  flow->roles_final = TRUE;
  fi.frame = flow->first_frame;
  fi.ts = flow->first_ts;
  fi.file_index = flow->info.file_index;
  if (dis->sink.on_conn_open)
    dis->sink.on_conn_open (dis->sink.user, &flow->info, &fi);
  w4_tls_opened (flow);
}

W4Flow *
w4_flow_new (W4Dissect *dis, W4ConvRec *rec, const W4IpPacket *pkt, const W4Endpoint *src,
          const W4Endpoint *dst)
{
  W4Flow *flow = g_new0 (W4Flow, 1);

  flow->dis = dis;
  flow->rec = rec;
  flow->info.conn_id = dis->next_conn_id++;
  flow->info.stream = flow->info.first_stream = flow->info.prev_stream = rec->stream;
  flow->info.stream_file = flow->info.prev_stream_file = rec->stream_file;
  flow->info.file_index = pkt->fi->file_index;
  flow->first_frame = pkt->fi->frame;
  flow->first_ts = pkt->fi->ts;
  flow->last_ts = pkt->fi->ts;
  /* tentative roles until a SYN or the first HTTP bytes say otherwise:
   * servers listen on the lower, well-known port */
  if (src->port < dst->port) {
    flow->info.server = *src;
    flow->info.client = *dst;
  } else {
    flow->info.client = *src;
    flow->info.server = *dst;
  }
  w4_lru_push_tail (&dis->lru_open, flow);
  rec->flow = flow;
  dis->n_flows++;
  w4_budget_charge (dis->limits.budget, W4_MEM_FLOWS, sizeof (W4Flow));
  return flow;
}

/* Frees the heavy parts (parsers, queues) of a closed flow. */
static void
flow_strip (W4Flow *flow)
{
  w4_reasm_clear (flow->dis->limits.budget, &flow->tcp[0]);
  w4_reasm_clear (flow->dis->limits.budget, &flow->tcp[1]);
  w4_app_clear (flow);
}

void
w4_flow_destroy (W4Flow *flow)
{
  W4Dissect *dis = flow->dis;

  w4_lru_unlink (flow_lru (flow), flow);
  if (flow->rec != NULL && flow->rec->flow == flow)
    flow->rec->flow = NULL;
  flow_strip (flow);
  dis->n_flows--;
  g_free (flow);
  w4_budget_release (dis->limits.budget, W4_MEM_FLOWS, sizeof (W4Flow));
}

void
w4_flow_swap_roles (W4Flow *flow)
{
  W4Endpoint e = flow->info.client;
  W4TcpHalf t = flow->tcp[0];

  flow->info.client = flow->info.server;
  flow->info.server = e;
  flow->tcp[0] = flow->tcp[1];
  flow->tcp[1] = t;
  w4_flow_sync_layers (flow);
}

/* A layer's record is the TCP record's copy: whoever reads a connection
 * (its stream, endpoints, id) reads it the same in every layer. */
static void
layer_copy (W4FlowLayer *l, const W4ConnInfo *tcp)
{
  W4ConnLayer layer = l->info.layer;
  const W4ConnInfo *outer = l->info.outer;
  const char *tunnel_to = l->info.tunnel_to;

  l->info = *tcp;
  l->info.layer = layer;
  l->info.outer = outer;
  l->info.tunnel_to = tunnel_to;
}

const W4ConnInfo *
w4_flow_push_layer (W4Flow *flow, W4ConnLayer layer, const W4ConnInfo *outer,
                    const char *tunnel_to)
{
  gsize n = tunnel_to != NULL ? strnlen (tunnel_to, W4_TUNNEL_TO_MAX - 1) : 0;
  W4FlowApp *app = w4_app_of (flow);
  W4FlowLayer *l;

  if (app->n_layers >= W4_FLOW_LAYERS_MAX)
    return NULL;
  l = g_malloc0 (sizeof *l + (tunnel_to != NULL ? n + 1 : 0));
  l->info.layer = layer;
  l->info.outer = outer;
  if (tunnel_to != NULL) {
    memcpy (l->tunnel_to, tunnel_to, n);
    l->info.tunnel_to = l->tunnel_to;
  }
  layer_copy (l, &flow->info);
  l->next = app->layers;
  app->layers = l;
  app->n_layers++;
  return &l->info;
}

void
w4_flow_sync_layers (W4Flow *flow)
{
  if (flow->app == NULL)
    return;
  for (W4FlowLayer *l = flow->app->layers; l != NULL; l = l->next)
    layer_copy (l, &flow->info);
}

void
w4_flow_close (W4Flow *flow, W4CloseReason why, guint64 frame, W4Time ts)
{
  W4Dissect *dis = flow->dis;

  if (flow->closed)
    return;
  for (int d = 0; d < 2; d++) {
    w4_reasm_flush (flow, (W4Dir) d, frame, ts);
    w4_app_eof (flow, (W4Dir) d, frame, ts);
  }
  w4_tls_closing (flow);
  w4_dis_ensure_open (flow);
  flow->closed = TRUE;
  if (dis->sink.on_conn_close)
    dis->sink.on_conn_close (dis->sink.user, &flow->info, why, frame, ts);
  flow_strip (flow);
  w4_flow_to_closed_lru (flow);
}

/* Closes (if still open) and forgets a flow's live state; its record keeps
 * the stream number. */
void
w4_flow_evict (W4Flow *flow, W4CloseReason why)
{
  if (!flow->closed) {
    /* A connection that saw FINs and then went quiet ended with them; one
     * FIN and silence until eviction too. At the end of input a half-closed
     * connection was still open. */
    gboolean both_fin = flow->tcp[0].fin_seen && flow->tcp[1].fin_seen;
    if (flow->fin_frame != 0 && (both_fin || why == W4_CLOSE_EVICTED))
      w4_flow_close (flow, W4_CLOSE_FIN, flow->fin_frame, flow->fin_ts);
    else
      w4_flow_close (flow, why, flow->last_frame, flow->last_ts);
  }
  w4_flow_destroy (flow);
}

void
w4_flow_expire_idle_now (W4Dissect *dis)
{
  W4Flow *flow;

  /* each round removes the head, so the queues bound the loops */
  while ((flow = dis->lru_closed.head) != NULL &&
         w4_time_diff_usec (flow->last_ts, dis->now) > W4_IDLE_CLOSED_USEC)
    w4_flow_evict (flow, W4_CLOSE_EVICTED);
  while ((flow = dis->lru_open.head) != NULL &&
         w4_time_diff_usec (flow->last_ts, dis->now) > W4_IDLE_OPEN_USEC)
    w4_flow_evict (flow, W4_CLOSE_EVICTED);
}

void
w4_flow_make_room (W4Dissect *dis, const W4FrameInfo *fi)
{
  W4Flow *flow;

  if (dis->n_flows < dis->limits.v[W4_LIMIT_FLOWS])
    return;
  /* closed or closing flows go first: they hold the least */
  flow = dis->lru_closed.head;
  if (flow == NULL)
    flow = dis->lru_open.head;
  if (flow == NULL)
    return;
  w4_dis_limit_anomaly (dis, W4_LIMIT_FLOWS, fi->frame, fi->ts,
                 "too many connections at once: the idle-longest was dropped");
  w4_flow_evict (flow, W4_CLOSE_EVICTED);
}

/* --- giving memory back (w4_budget_enforce, between packets) ------------- */

/* Under the budget, a connection this long without a packet is the least
 * useful state there is: longer than the gap between the requests of a
 * browser's keep-alive connection in use, and than the correlator's 30 s
 * decision window, so what it had to say has been said; a closed one
 * (FIN or RST seen) only waits for late ACKs, and goes after a second. */
#define W4_EVICT_IDLE_OPEN_USEC (G_USEC_PER_SEC * 30)
#define W4_EVICT_IDLE_CLOSED_USEC (G_USEC_PER_SEC * 1)

/* The least useful flow to evict: closed ones first (they hold the least
 * and say nothing more), each queue's longest idle at its head; with
 * @idle_only, only one idle for longer than the thresholds above. */
static W4Flow *
eviction_candidate (W4Dissect *dis, gboolean idle_only)
{
  W4Flow *closed = dis->lru_closed.head;
  W4Flow *open = dis->lru_open.head;

  if (!idle_only)
    return closed != NULL ? closed : open;
  if (closed != NULL && w4_time_diff_usec (closed->last_ts, dis->now) > W4_EVICT_IDLE_CLOSED_USEC)
    return closed;
  if (open != NULL && w4_time_diff_usec (open->last_ts, dis->now) > W4_EVICT_IDLE_OPEN_USEC)
    return open;
  return NULL;
}

/* Evicts flows as at the flows limit (their close event goes to the
 * correlator) until @want bytes of charges were given back or no flow
 * qualifies; the budget counts them. */
static guint64
evict_flows (W4Dissect *dis, guint64 want, gboolean idle_only)
{
  W4Budget *b = dis->limits.budget;
  guint64 before = b->used, n = 0;
  W4Flow *flow;

  while (before - MIN (b->used, before) < want &&
         (flow = eviction_candidate (dis, idle_only)) != NULL) {
    w4_flow_evict (flow, W4_CLOSE_EVICTED);
    n++;
  }
  return n;
}

static guint64
evict_idle_flows (void *user, guint64 want)
{
  return evict_flows (user, want, TRUE);
}

static guint64
evict_any_flows (void *user, guint64 want)
{
  return evict_flows (user, want, FALSE);
}

void
w4_flow_register_evictors (W4Dissect *dis)
{
  if (dis->limits.budget == NULL)
    return;
  w4_budget_set_evictor (dis->limits.budget, W4_EVICT_IDLE_FLOWS, evict_idle_flows, dis);
  w4_budget_set_evictor (dis->limits.budget, W4_EVICT_FLOWS, evict_any_flows, dis);
}
