/* track-redirect.h: the redirect tracker (track-redirect.c). Each 3xx
 * with a Location is remembered, resolved against its request (RFC 3986
 * section 5), with whether that request carried Authorization; the same
 * client's next request to the resolved URL, within a short window of
 * capture time, gets the link (W4CorExchange.redirect), which
 * credentials-dropped-on-redirect (rule-redirect.c) reads. Not for other
 * stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

/* A follow-up request counts as following a 3xx this long after it. */
#define W4_COR_REDIRECT_FOLLOW_SEC 30
/* A Location longer than this is not tracked (a real one is far shorter;
 * nothing is concluded from one that is not). */
#define W4_COR_LOCATION_MAX 4096
/* Characters of a host name kept (a DNS name has at most 253). */
#define W4_COR_URL_HOST_MAX 255

/* An http or https URL, split: what an origin and a follow-up compare. */
typedef struct {
  char *scheme;       /* (owned) "http" or "https" */
  char *host;         /* (owned) lower case; an IPv6 literal keeps its [] */
  guint16 port;       /* the scheme's default when the URL names none */
  char *path;         /* (owned) begins with "/" */
  char *query;        /* (owned) without "?", NULL when there is none */
} W4Url;

void w4_url_clear (W4Url *u);
/* The URL a request asked for: absolute-form targets as they are, else
 * scheme from @tls, host and port from @host_header (NULL: @server's
 * address and port). FALSE for a target that names no URL ("*",
 * authority-form) or does not parse. */
gboolean w4_url_of_request (gboolean tls, const char *host_header, const W4Endpoint *server,
                            const char *target, W4Url *out);
/* RFC 3986 5.2: @ref (a Location, @len bytes) resolved against @base.
 * FALSE when it does not parse or is not http(s). */
gboolean w4_url_resolve (const W4Url *base, const char *ref, gsize len, W4Url *out);
/* Same origin (RFC 6454): scheme, host and port. */
gboolean w4_url_same_origin (const W4Url *a, const W4Url *b);
/* "http://a.example:8080" (the port left out when it is the default).
 * (transfer full) */
char *w4_url_origin (const W4Url *u);
/* The whole URL, origin + path [+ "?" query]. (transfer full) */
char *w4_url_to_string (const W4Url *u);

/* What a follow-up request knows of the 3xx it followed. Owned by the
 * follow-up's exchange. */
typedef struct W4CorRedirectLink {
  guint64 req_frame, resp_frame;   /* the redirected request and its 3xx */
  gint64 req_stream, resp_stream;
  W4Time resp_ts;
  guint status;
  char *method, *target;           /* (owned) the redirected request */
  char *authz;                     /* (owned) its Authorization as evidence shows it, or NULL */
  char *location;                  /* (owned) the Location as sent, capped */
  char *from_origin, *to_origin;   /* (owned) */
  gboolean cross_origin;
} W4CorRedirectLink;

void w4_cor_redirect_link_free (W4CorRedirectLink *l);

typedef struct W4CorRedirects W4CorRedirects;

W4CorRedirects *w4_cor_redirects_new (void);
void w4_cor_redirects_free (W4CorRedirects *r);
/* A response: a 3xx with Location is remembered (limit "redirects"). */
void w4_cor_redirect_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp);
/* A request: linked to the 3xx it follows, if any. */
void w4_cor_redirect_on_request (W4Correlate *cor, W4CorExchange *ex);
/* How many 3xx are remembered now (tests). */
guint w4_cor_redirects_size (W4Correlate *cor);

G_END_DECLS
