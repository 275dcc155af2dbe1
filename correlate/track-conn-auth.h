/* track-conn-auth.h: the legs of NTLM and Negotiate handshakes and the TCP
 * connections they ran on (track-conn-auth.c), for connection-auth-broken
 * (rule-conn-auth.c). Not for other stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* Unanswered server legs remembered per (client, server) at once: a
 * browser runs a handshake on each of its few connections. */
#define W4_CA_LEGS_PER_PAIR 8
/* A client answers a server's leg within a second or two; a pair with no
 * leg for this long of capture time is forgotten. */
#define W4_CA_HANDSHAKE_SEC 60

/* A server's leg that expects a further client leg (an NTLM type 2
 * challenge, a Negotiate token to continue), and what became of it.
 * Reference counted (g_rc_box): held by the exchange whose response
 * carried it, by the connection until the client answers or it closes,
 * and by its (client, server) pair. */
typedef struct W4CorCaLeg {
  W4Scheme scheme;         /* W4_SCHEME_NTLM or W4_SCHEME_NEGOTIATE */
  guint ntlm_type;         /* 2, or 0 for a Negotiate token that is not NTLM */
  guint status;            /* 401 or 407 */
  guint64 conn_id;
  gint64 stream;           /* tcp.stream of its response, in that frame's file */
  guint64 frame;           /* its response's first frame */
  W4Time ts;
  /* the connection after it */
  gboolean close_header;   /* the response said Connection: close */
  gboolean closed;         /* it closed before the client's next leg on it */
  guint64 close_frame;     /* the FIN or RST that closed it, 0: not seen */
  gboolean answered_here;  /* the client's next leg came on the same connection */
  /* the client's next leg on another connection */
  gboolean answered_elsewhere;
  guint next_ntlm_type;    /* 3, or 0 for a Negotiate token */
  guint64 next_frame;      /* its request's first frame */
  gint64 next_stream;
  char *next_user;         /* (owned) its NTLM type 3 user ("DOMAIN\\user"), or NULL */
} W4CorCaLeg;

typedef struct W4CorCaTracker W4CorCaTracker;

W4CorCaTracker *w4_cor_ca_new (void);
void w4_cor_ca_free (W4CorCaTracker *t);
/* Records it keeps (pairs and connections awaiting an answer), for the budget. */
guint w4_cor_ca_size (W4Correlate *cor);
/* The engine's hooks (correlate.c). */
void w4_cor_ca_on_request (W4Correlate *cor, W4CorExchange *ex);
void w4_cor_ca_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp);
void w4_cor_ca_on_conn_close (W4Correlate *cor, const W4ConnInfo *conn, W4CloseReason why,
                              guint64 frame);
/* ...returns how many records it dropped. */
guint w4_cor_ca_on_time (W4Correlate *cor, W4Time now);
/* Does the failed @ex's challenge offer NTLM or Negotiate? */
gboolean w4_cor_ca_challenges (const W4CorExchange *ex);
/* The server reset HTTP/2 stream @rst->h2_stream with HTTP_1_1_REQUIRED
 * after @challenge (a failed response of that connection that offered
 * NTLM or Negotiate); @reset_req is the reset stream's request, or NULL.
 * @tcp_stream: the reset frame's tcp.stream. */
void w4_cor_ca_on_h2_reset (W4CorExchange *challenge, const W4CorExchange *reset_req,
                            const W4H2Reset *rst, gint64 tcp_stream);
/* Drops @ex's references to legs (when the exchange record goes). */
void w4_cor_ca_exchange_clear (W4CorExchange *ex);

G_END_DECLS
