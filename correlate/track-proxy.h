/* track-proxy.h: the proxy-legs tracker (track-proxy.c). When one capture
 * holds both legs through a forward proxy, the client's request to the
 * proxy (absolute-form target, "GET http://origin:8080/x") and the
 * request the proxy sent on for it (the same method and URL, in origin
 * form with a Host header or again in absolute form, sent while the
 * client's request awaited its answer), the two are linked, and what the
 * forwarded request lost of the client's credentials (Authorization, a
 * session cookie) is written down for proxy-dropped-credentials
 * (rule-proxy.c), on both legs' failures. Not for other stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* The proxy's request for a client's request comes within this long of
 * capture time after it (and before the client's answer). */
#define W4_COR_PROXY_LEG_SEC 30
/* Characters of the forwarded request's Via kept for evidence. */
#define W4_COR_VIA_CHARS 120

/* What the forwarded request did with the client's credentials. */
typedef enum {
  W4_PROXY_KEPT,              /* passed them on unchanged (or there were none) */
  W4_PROXY_AUTHZ_DROPPED,     /* the client's Authorization is missing */
  W4_PROXY_AUTHZ_CHANGED,     /* another Authorization in its place */
  W4_PROXY_COOKIE_DROPPED,    /* a session cookie the client sent is missing */
  W4_PROXY_COOKIE_CHANGED,    /* ...or carries another value */
} W4ProxyLoss;

/* One forwarded request and the client's request it forwards. Shared,
 * reference counted, by both exchanges (W4CorTrackFacts.proxy_to on the
 * client's, proxy_from on the proxy's), so each leg's finding can name
 * the other leg; it holds copies, not the exchanges. */
typedef struct W4CorProxyLink {
  gint refs;
  W4ProxyLoss loss;
  char *proxy;                 /* (owned) "ip:port" the client sent its request to */
  char *origin;                /* (owned) "ip:port" the proxy sent it on to */
  char *cookie;                /* (owned) the cookie's name for the cookie losses */
  char *principal, *scheme;    /* (owned) of the client's credential */
  char *via;                   /* (owned) the forwarded request's Via, capped, or NULL */
  /* the client's leg: its request (and, once seen, the answer the proxy relayed) */
  char *client_what;           /* (owned) evidence: the request and its credentials */
  guint64 client_req_frame, client_resp_frame;
  gint64 client_req_stream, client_resp_stream;
  guint client_status;
  /* the proxy's leg to the origin */
  char *method, *origin_target; /* (owned) the forwarded request line */
  char *origin_what;           /* (owned) evidence: the forwarded request */
  char *origin_resp_what;      /* (owned) evidence: the origin's answer, once seen */
  guint64 origin_req_frame, origin_resp_frame;
  gint64 origin_req_stream, origin_resp_stream;
  guint origin_status;
} W4CorProxyLink;

void w4_cor_proxy_link_unref (W4CorProxyLink *l);

typedef struct W4CorProxy W4CorProxy;

W4CorProxy *w4_cor_proxy_new (void);
void w4_cor_proxy_free (W4CorProxy *p);
/* Records it keeps (forwarded requests), for the budget. */
guint w4_cor_proxy_size (W4Correlate *cor);
/* A request: linked to the client's request it forwards, if any; an
 * absolute-form request is remembered until its own forwarded leg comes
 * (limit "proxy-legs"). */
void w4_cor_proxy_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req);
/* A response: noted on the link of either leg; a client's request
 * answered is forgotten. */
void w4_cor_proxy_on_response (W4Correlate *cor, W4CorExchange *ex);
/* Drops @ex's references to its links (exchange teardown). */
void w4_cor_proxy_exchange_clear (W4CorExchange *ex);
/* How many client requests await their forwarded leg now, and how many
 * pairs were linked so far (tests). */
guint w4_cor_proxy_pending (W4Correlate *cor);
guint64 w4_cor_proxy_linked (W4Correlate *cor);

G_END_DECLS
