/* track-cookie-jar.h: the cookie jar tracker (track-cookie-jar.c) and what
 * it tells the cookie rules (rule-cookie.c) about one request. Not for
 * other stages. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

typedef struct W4CorCookieJar W4CorCookieJar;

/* Why a cookie the server set for this host did not travel with a request,
 * as far as the packets show. */
typedef enum {
  W4_CK_WHY_UNKNOWN = 0,  /* it should have: the client's jar lost it */
  W4_CK_WHY_PATH,         /* the request path is outside the cookie's Path */
  W4_CK_WHY_SECURE,       /* Secure, and the request went over http */
  W4_CK_WHY_DOMAIN,       /* its Domain does not cover the host that set it */
  W4_CK_WHY_SAMESITE,     /* SameSite=Strict/Lax on a cross-site request */
} W4CorCookieWhy;

/* One cookie as the server set it, as a rule quotes it. */
typedef struct W4CorCookieFact {
  char *name;             /* (owned) */
  char *attrs;            /* (owned) "Path=/app; Secure": the attributes as set */
  char *path;             /* (owned) the effective path (Path or the default) */
  char *domain;           /* (owned) Domain, or the host for a host-only cookie */
  gboolean host_only;
  guint64 set_frame;      /* the response that set it (run frame) */
  gint64 set_stream;
  W4Time set_ts;
  gboolean over_tls;      /* it was set over TLS */
  gboolean has_expiry;
  W4Time expiry;          /* Max-Age resolved against set_ts, or Expires */
  gboolean deleted;       /* set already expired (Max-Age<=0, past Expires) */
  gboolean sent;          /* the request carried it (a cookie of that name) */
  guint64 last_sent_frame; /* the last earlier request that carried it, 0: none */
  gint64 last_sent_stream;
  W4CorCookieWhy why;     /* not sent: why */
  gboolean strict;        /* SameSite=Strict */
} W4CorCookieFact;

/* What the jar said about one request, decided when the request was seen
 * (the jar then held exactly what the server had set before it). NULL
 * facts do not apply. */
typedef struct W4CorCookieCheck {
  /* a Secure cookie set over cleartext, that would apply but for Secure,
   * missing from this cleartext request, and never sent over cleartext
   * since it was set: the client dropped it for Secure */
  W4CorCookieFact *insecure;
  /* a cookie that applies to this request and had expired (or been
   * deleted) by its time, whether the client sent it or not */
  W4CorCookieFact *expired;
  guint n_live;           /* unexpired cookies set for this host */
  guint n_carried;        /* ...of them the request carried */
  /* the first unexpired one not carried (one with a reason first) */
  W4CorCookieFact *unsent;
  char *req_path;         /* (owned) the request's path, for the summary */
  char *cross_by;         /* (owned) cross-site: what showed it ("Sec-Fetch-Site:
                           * cross-site", "its Referer is on a.test"), or NULL */
  gboolean navigation;    /* a top-level GET navigation: Lax cookies go, Strict do not */
} W4CorCookieCheck;

void w4_cor_cookie_check_free (W4CorCookieCheck *chk);

W4CorCookieJar *w4_cor_jar_new (void);
void w4_cor_jar_free (W4CorCookieJar *jar);
/* Records it keeps (jars and the cookies in them), for the budget. */
guint w4_cor_jar_size (W4Correlate *cor);
/* on_request: checks @ex's request against its client's jar (fills
 * ex->track->cookie_check) and notes which cookies it carried. */
void w4_cor_jar_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req);
/* on_response: stores what each Set-Cookie of @resp did. */
void w4_cor_jar_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp);

/* RFC 6265 matching, exported for the unit tests. */
/* 5.1.3: does @host domain-match @domain (both lower case)? */
gboolean w4_cor_cookie_domain_match (const char *host, const char *domain);
/* 5.1.4: does request path @path path-match cookie path @cpath? */
gboolean w4_cor_cookie_path_match (const char *path, const char *cpath);
/* 5.1.4: the default-path of a request's uri-path. (transfer full) */
char *w4_cor_cookie_default_path (const char *uri_path);
/* The host a request names (Host, or the absolute-form target's
 * authority), lower case and without the port; NULL when none. (transfer
 * full) */
char *w4_cor_cookie_host (const char *host_header, const char *target);
/* The path of a request target (origin- or absolute-form), without the
 * query. (transfer full) */
char *w4_cor_cookie_req_path (const char *target);

G_END_DECLS
