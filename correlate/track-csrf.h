/* track-csrf.h: the anti-forgery tracker (track-csrf.c). Which
 * anti-forgery headers (X-WP-Nonce, X-CSRF-Token, X-XSRF-Token,
 * X-CSRFToken) a client's successful cookie-authenticated requests to a
 * server carried, and the first such success per header, so that
 * csrf-token-missing (rule-csrf.c) sees a request with the session cookie
 * but without the header. Not for other stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* What a client learnt about a server's anti-forgery header is kept this
 * long of capture time after its last such success (a login session). */
#define W4_COR_CSRF_KEEP_SEC 3600

/* The headers, as bits of W4CorExchange.csrf_headers. */
typedef enum {
  W4_CSRF_WP_NONCE,
  W4_CSRF_X_CSRF_TOKEN,
  W4_CSRF_X_XSRF_TOKEN,
  W4_CSRF_X_CSRFTOKEN,
  W4_CSRF_COUNT
} W4CsrfHeader;

/* "X-WP-Nonce", ... as the contract spells it. */
const char *w4_csrf_header_name (W4CsrfHeader h);
/* The header @name (case-insensitive, @len bytes), or -1 when not one. */
int w4_csrf_header_of (const char *name, gsize len);

/* A success of this client on this server that carried @header. */
typedef struct W4CorCsrfSuccess {
  guint64 req_frame;       /* 0: none */
  gint64 req_stream;
  guint64 resp_frame;
  guint status;
} W4CorCsrfSuccess;

typedef struct W4CorCsrf W4CorCsrf;

W4CorCsrf *w4_cor_csrf_new (void);
void w4_cor_csrf_free (W4CorCsrf *t);
/* A request: which anti-forgery headers it carries (ex->track->csrf_headers). */
void w4_cor_csrf_on_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req);
/* A response: a 2xx to a request with a session cookie and anti-forgery
 * headers is remembered (limit "csrf-pairs"). */
void w4_cor_csrf_on_response (W4Correlate *cor, W4CorExchange *ex);
/* The first success of @ex's client on @ex's server that carried @header,
 * (transfer none) or NULL. */
const W4CorCsrfSuccess *w4_cor_csrf_success (W4Correlate *cor, const W4CorExchange *ex,
                                             W4CsrfHeader header);
/* How many (client, server) pairs are remembered now (tests). */
guint w4_cor_csrf_size (W4Correlate *cor);

G_END_DECLS
