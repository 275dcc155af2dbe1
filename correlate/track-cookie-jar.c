/* track-cookie-jar.c: what each Set-Cookie did, per client, and what each
 * later request carried (RFC 6265 5.3 storage, 5.4 sending).
 *
 * The jar is the server's side of the story: every cookie the server set,
 * kept per client IP address (one jar per client, holding every host's
 * cookies, so that Domain= matching across hosts works as in a browser)
 * and replaced as 5.3 step 11 says (same name, domain and path). The
 * client's side is what it sent: a request is checked against the jar
 * when it is seen, so the check holds exactly what the server had set
 * before it, and the rules decide from what the client did, not from a
 * rule about clients (curl and Chromium send Secure cookies over http to
 * loopback, python's cookiejar never does).
 *
 * Bounded by the `cookies` limit (all jars together): past it the cookie
 * touched longest ago in capture time is forgotten, and counted. Cookie
 * values are kept only as fingerprints. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-cookie-jar.h"

#include <string.h>

#include "w4-token.h"

typedef enum { SS_NONE = 0, SS_LAX, SS_STRICT, SS_OFF } SameSite;

typedef struct _Jar Jar;
typedef struct _Bucket Bucket;

/* One stored cookie. */
typedef struct {
  Bucket *bucket;
  guint64 touched;           /* W4CorCookieJar.touches when last set or sent */
  char *name, *fingerprint, *domain, *path, *set_host, *attrs;
  gboolean host_only, secure, over_tls, domain_rejected;
  SameSite samesite;
  gboolean has_expiry;
  W4Time expiry;
  guint64 set_frame;
  gint64 set_stream;
  W4Time set_ts;
  guint64 last_sent_frame;
  gint64 last_sent_stream;
  gboolean sent_cleartext;   /* carried over cleartext since it was set */
  GList lru;                 /* in W4CorCookieJar.lru, oldest touched first */
} JarCookie;

/* The cookies of one client that a request to one host can meet: those
 * whose domain is that host (host-only, or Domain=host), and those the
 * host set with a Domain that does not cover it. A request looks up its
 * host and each parent domain, so its cost is bounded by the labels of its
 * host times cookies-per-host, not by the jar. */
struct _Bucket {
  Jar *jar;
  char *home;                /* (owned) */
  GPtrArray *cookies;        /* JarCookie (owned) */
};

struct _Jar {
  W4Addr client;
  GHashTable *homes;         /* home -> Bucket* */
};

struct W4CorCookieJar {
  GHashTable *jars;          /* W4Addr* -> Jar* */
  GQueue lru;                /* JarCookie, least recently touched first */
  guint64 touches;
};

/* ---- RFC 6265 matching ----------------------------------------------------- */

static gboolean
is_ip_literal (const char *host)
{
  gboolean dots_digits = TRUE;

  if (strchr (host, ':') != NULL)
    return TRUE;
  for (const char *p = host; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      dots_digits = FALSE;
  return dots_digits;
}

gboolean
w4_cor_cookie_domain_match (const char *host, const char *domain)
{
  gsize hl, dl;

  if (host == NULL || domain == NULL || domain[0] == '\0')
    return FALSE;
  if (strcmp (host, domain) == 0)
    return TRUE;
  hl = strlen (host);
  dl = strlen (domain);
  /* a suffix after a '.', and the host a name rather than an address */
  return hl > dl && strcmp (host + hl - dl, domain) == 0 && host[hl - dl - 1] == '.' &&
         !is_ip_literal (host);
}

gboolean
w4_cor_cookie_path_match (const char *path, const char *cpath)
{
  gsize cl;

  if (path == NULL || cpath == NULL)
    return FALSE;
  if (strcmp (path, cpath) == 0)
    return TRUE;
  cl = strlen (cpath);
  if (strncmp (path, cpath, cl) != 0)
    return FALSE;
  return (cl > 0 && cpath[cl - 1] == '/') || path[cl] == '/';
}

char *
w4_cor_cookie_default_path (const char *uri_path)
{
  const char *last;

  if (uri_path == NULL || uri_path[0] != '/')
    return g_strdup ("/");
  last = strrchr (uri_path, '/');
  if (last == uri_path)
    return g_strdup ("/");
  return g_strndup (uri_path, (gsize) (last - uri_path));
}

/* "http://h:1/x?q" -> "/x"; "/x?q" -> "/x"; "*" or "" -> "/" */
char *
w4_cor_cookie_req_path (const char *target)
{
  const char *p = target, *end;

  if (p == NULL)
    return g_strdup ("/");
  if (p[0] != '/') {
    const char *scheme = strstr (p, "://");
    if (scheme == NULL)
      return g_strdup ("/");
    p = strchr (scheme + 3, '/');
    if (p == NULL)
      return g_strdup ("/");
  }
  end = p + strcspn (p, "?#");
  return g_strndup (p, (gsize) (end - p));
}

/* "Example.COM:8080" -> "example.com"; "[::1]:80" -> "::1" */
static char *
host_of_authority (const char *a, gsize len)
{
  const char *end = a + len;

  while (len > 0 && (a[0] == ' ' || a[0] == '\t'))
    a++, len--;
  end = a + len;
  while (end > a && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  if (end > a && a[0] == '[') {
    const char *close = memchr (a, ']', (gsize) (end - a));
    if (close == NULL)
      return NULL;
    return g_ascii_strdown (a + 1, close - a - 1);
  }
  {
    const char *colon = memchr (a, ':', (gsize) (end - a));
    if (colon != NULL)
      end = colon;
  }
  if (end == a)
    return NULL;
  return g_ascii_strdown (a, end - a);
}

char *
w4_cor_cookie_host (const char *host_header, const char *target)
{
  if (target != NULL && target[0] != '/') {
    const char *s = strstr (target, "://");
    if (s != NULL) {
      const char *auth = s + 3;
      return host_of_authority (auth, strcspn (auth, "/?#"));
    }
  }
  if (host_header == NULL)
    return NULL;
  return host_of_authority (host_header, strlen (host_header));
}

/* ---- the jar ---------------------------------------------------------------- */

static void
jar_cookie_free (gpointer p)
{
  JarCookie *k = p;

  g_free (k->name);
  g_free (k->fingerprint);
  g_free (k->domain);
  g_free (k->path);
  g_free (k->set_host);
  g_free (k->attrs);
  g_free (k);
}

static void
bucket_free_cb (gpointer p)
{
  Bucket *b = p;

  g_ptr_array_unref (b->cookies);
  g_free (b->home);
  g_free (b);
}

static void
jar_free_cb (gpointer p)
{
  Jar *j = p;

  g_hash_table_unref (j->homes);
  g_free (j);
}

static guint
addr_hash (gconstpointer p)
{
  return w4_addr_hash (p);
}

static gboolean
addr_eq (gconstpointer a, gconstpointer b)
{
  return w4_addr_equal (a, b);
}

W4CorCookieJar *
w4_cor_jar_new (void)
{
  W4CorCookieJar *jar = g_new0 (W4CorCookieJar, 1);

  jar->jars = g_hash_table_new_full (addr_hash, addr_eq, NULL, jar_free_cb);
  g_queue_init (&jar->lru);
  return jar;
}

void
w4_cor_jar_free (W4CorCookieJar *jar)
{
  if (jar == NULL)
    return;
  g_hash_table_unref (jar->jars);   /* frees the cookies the queue links */
  g_free (jar);
}

static void
touch (W4CorCookieJar *all, JarCookie *k)
{
  k->touched = ++all->touches;
  g_queue_unlink (&all->lru, &k->lru);
  g_queue_push_tail_link (&all->lru, &k->lru);
}

/* Removes @k from its bucket (and the bucket, and the jar, when it was
 * their last). */
static void
forget (W4CorCookieJar *all, JarCookie *k)
{
  Bucket *b = k->bucket;
  Jar *j = b->jar;

  g_queue_unlink (&all->lru, &k->lru);
  g_ptr_array_remove_fast (b->cookies, k);   /* frees k */
  if (b->cookies->len > 0)
    return;
  g_hash_table_remove (j->homes, b->home);
  if (g_hash_table_size (j->homes) == 0)
    g_hash_table_remove (all->jars, &j->client);
}

static void
fact_free (W4CorCookieFact *f)
{
  if (f == NULL)
    return;
  g_free (f->name);
  g_free (f->attrs);
  g_free (f->path);
  g_free (f->domain);
  g_free (f);
}

void
w4_cor_cookie_check_free (W4CorCookieCheck *chk)
{
  if (chk == NULL)
    return;
  fact_free (chk->insecure);
  fact_free (chk->expired);
  fact_free (chk->unsent);
  g_free (chk->req_path);
  g_free (chk->cross_by);
  g_free (chk);
}

/* ---- Set-Cookie ------------------------------------------------------------- */

/* "Path=/app; Max-Age=2; Secure": the attributes as the server set them,
 * for summaries and evidence. */
static char *
attrs_text (const W4SetCookie *sc)
{
  GString *s = g_string_new (NULL);

#define SEP() (s->len ? "; " : "")
  if (sc->domain)
    g_string_append_printf (s, "%sDomain=%s", SEP (), sc->domain);
  if (sc->path)
    g_string_append_printf (s, "%sPath=%s", SEP (), sc->path);
  if (sc->has_max_age)
    g_string_append_printf (s, "%sMax-Age=%" G_GINT64_FORMAT, SEP (), sc->max_age);
  if (sc->has_expires) {
    char buf[W4_TIME_STRLEN];
    W4Time t = { sc->expires, 0 };
    w4_time_format_iso (t, buf, sizeof buf);
    /* the seconds are what matters: drop ".000000" */
    if (strlen (buf) > 8)
      memmove (buf + strlen (buf) - 8, "Z", 2);
    g_string_append_printf (s, "%sExpires=%s", SEP (), buf);
  }
  if (sc->secure)
    g_string_append_printf (s, "%sSecure", SEP ());
  if (sc->httponly)
    g_string_append_printf (s, "%sHttpOnly", SEP ());
  if (sc->samesite)
    g_string_append_printf (s, "%sSameSite=%s", SEP (), sc->samesite);
#undef SEP
  return g_string_free (s, FALSE);
}

static W4Time
time_plus_sec (W4Time t, gint64 sec)
{
  if (__builtin_add_overflow (t.sec, sec, &t.sec))
    t.sec = sec < 0 ? G_MININT64 : G_MAXINT64;
  return t;
}

static Bucket *
bucket_peek (W4CorCookieJar *all, const W4Addr *client, const char *home)
{
  Jar *j = g_hash_table_lookup (all->jars, client);

  return j != NULL ? g_hash_table_lookup (j->homes, home) : NULL;
}

static Bucket *
bucket_get (W4CorCookieJar *all, const W4Addr *client, const char *home)
{
  Jar *j = g_hash_table_lookup (all->jars, client);
  Bucket *b;

  if (j == NULL) {
    j = g_new0 (Jar, 1);
    j->client = *client;
    j->homes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free_cb);
    g_hash_table_insert (all->jars, &j->client, j);
  }
  b = g_hash_table_lookup (j->homes, home);
  if (b == NULL) {
    b = g_new0 (Bucket, 1);
    b->jar = j;
    b->home = g_strdup (home);
    b->cookies = g_ptr_array_new_with_free_func (jar_cookie_free);
    g_hash_table_insert (j->homes, b->home, b);
  }
  return b;
}

/* Makes room in @b for one more: its cookie touched longest ago goes. */
static void
bucket_make_room (W4Correlate *cor, Bucket *b, guint64 frame, W4Time ts)
{
  guint64 cap = cor->limits.v[W4_LIMIT_COOKIES_PER_HOST];

  while (b->cookies->len > 0 && b->cookies->len >= cap) {
    JarCookie *oldest = g_ptr_array_index (b->cookies, 0);
    for (guint i = 1; i < b->cookies->len; i++) {
      JarCookie *k = g_ptr_array_index (b->cookies, i);
      if (k->touched < oldest->touched)
        oldest = k;
    }
    gboolean last = b->cookies->len == 1;

    w4_cor_note_limit (cor, W4_LIMIT_COOKIES_PER_HOST, frame, ts, NULL);
    forget (cor->cookie_jar, oldest);
    if (last)        /* the bucket went with its last cookie */
      return;
  }
}

static void
store (W4Correlate *cor, W4CorExchange *ex, const W4SetCookie *sc, const char *host,
       const char *req_path, guint64 frame, W4Time ts)
{
  W4CorCookieJar *all = cor->cookie_jar;
  guint64 cap = cor->limits.v[W4_LIMIT_COOKIES];
  JarCookie *k = g_new0 (JarCookie, 1);
  Bucket *b;
  const char *home;

  k->name = g_strdup (sc->name);
  k->fingerprint = w4_auth_fingerprint (sc->value, strlen (sc->value));
  k->set_host = g_strdup (host);
  k->attrs = attrs_text (sc);
  /* 5.3 step 6: a Domain attribute makes a domain cookie, and one that
   * does not cover the host that set it is refused by the client */
  if (sc->domain != NULL) {
    k->domain = g_strdup (sc->domain);
    k->domain_rejected = !w4_cor_cookie_domain_match (host, sc->domain);
  } else {
    k->domain = g_strdup (host);
    k->host_only = TRUE;
  }
  k->path = sc->path ? g_strdup (sc->path) : w4_cor_cookie_default_path (req_path);
  k->secure = sc->secure;
  k->over_tls = ex->tls;
  if (sc->samesite != NULL)
    k->samesite = strcmp (sc->samesite, "Strict") == 0 ? SS_STRICT
                  : strcmp (sc->samesite, "Lax") == 0  ? SS_LAX
                  : strcmp (sc->samesite, "None") == 0 ? SS_OFF
                                                       : SS_NONE;
  /* 5.3 step 3: Max-Age wins over Expires; against the capture time of
   * the response, the client's clock as near as the capture knows it */
  if (sc->has_max_age) {
    k->has_expiry = TRUE;
    k->expiry = time_plus_sec (ts, sc->max_age);
  } else if (sc->has_expires) {
    k->has_expiry = TRUE;
    k->expiry.sec = sc->expires;
  }
  k->set_frame = frame;
  k->set_stream = ex->resp_stream;
  k->set_ts = ts;

  home = k->domain_rejected ? k->set_host : k->domain;
  b = bucket_peek (all, &ex->client.addr, home);
  /* 5.3 step 11: replaces the cookie of the same name, domain and path
   * (a refused one replaces nothing, but is kept as said) */
  for (guint i = 0; b != NULL && i < b->cookies->len; i++) {
    JarCookie *old = g_ptr_array_index (b->cookies, i);
    if (strcmp (old->name, k->name) == 0 && strcmp (old->domain, k->domain) == 0 &&
        strcmp (old->path, k->path) == 0 && old->host_only == k->host_only &&
        old->domain_rejected == k->domain_rejected) {
      g_queue_unlink (&all->lru, &old->lru);
      g_ptr_array_remove_index_fast (b->cookies, i);
      break;
    }
  }
  if (b != NULL)
    bucket_make_room (cor, b, frame, ts);
  b = bucket_get (all, &ex->client.addr, home);
  k->bucket = b;
  k->lru.data = k;
  k->touched = ++all->touches;
  g_ptr_array_add (b->cookies, k);
  g_queue_push_tail_link (&all->lru, &k->lru);
  /* the cookie touched longest ago goes first; the newest stays */
  while (all->lru.length > cap) {
    JarCookie *oldest = g_queue_peek_head (&all->lru);
    w4_cor_note_limit (cor, W4_LIMIT_COOKIES, frame, ts, NULL);
    forget (all, oldest);
  }
}

static gboolean
span_is (W4Span s, const char *lit)
{
  return w4_tok_span_ieq ((const char *) s.ptr, s.len, lit);
}

void
w4_cor_jar_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp)
{
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;

  for (guint i = 0; i < resp->n_headers; i++) {
    const W4Header *h = &resp->headers[i];
    g_autoptr (W4SetCookie) sc = NULL;

    if (!span_is (h->name, "Set-Cookie"))
      continue;
    sc = w4_cookie_parse_set ((const char *) h->value.ptr, h->value.len);
    if (sc == NULL)
      continue;
    if (host == NULL) {
      char buf[W4_ENDPOINT_STRLEN];
      host = ex->has_request ? w4_cor_cookie_host (ex->host, ex->target) : NULL;
      if (host == NULL)
        host = g_strdup (w4_addr_format (&ex->server.addr, buf, sizeof buf));
      path = w4_cor_cookie_req_path (ex->has_request ? ex->target : NULL);
    }
    store (cor, ex, sc, host, path, resp->first_frame, resp->first_ts);
  }
}

/* ---- a request against the jar ------------------------------------------ */

static W4CorCookieFact *
fact_of (const JarCookie *k, gboolean sent, W4CorCookieWhy why)
{
  W4CorCookieFact *f = g_new0 (W4CorCookieFact, 1);

  f->name = g_strdup (k->name);
  f->attrs = g_strdup (k->attrs);
  f->path = g_strdup (k->path);
  f->domain = g_strdup (k->domain);
  f->host_only = k->host_only;
  f->set_frame = k->set_frame;
  f->set_stream = k->set_stream;
  f->set_ts = k->set_ts;
  f->over_tls = k->over_tls;
  f->has_expiry = k->has_expiry;
  f->expiry = k->expiry;
  f->deleted = k->has_expiry && w4_time_cmp (k->expiry, k->set_ts) <= 0;
  f->sent = sent;
  f->last_sent_frame = k->last_sent_frame;
  f->last_sent_stream = k->last_sent_stream;
  f->why = why;
  f->strict = k->samesite == SS_STRICT;
  return f;
}

/* The request's view: its host, path, cookie names, TLS, and whether it is
 * cross-site (RFC 6265bis 5.2) as far as it says. */
typedef struct {
  char *host, *path;
  GHashTable *names;         /* cookie names carried */
  gboolean tls;
  gboolean cross_site;
  char *cross_by;            /* (owned) what showed it, for the summary */
  gboolean lax_allowed;      /* a top-level GET navigation: Lax cookies go */
} ReqView;

/* The site of a host name, without the public suffix list: its last two
 * labels. Wrong only toward "same site" (a.github.io and b.github.io look
 * alike), so a SameSite reason is never claimed from it falsely. */
static const char *
site_of (const char *host)
{
  const char *last = strrchr (host, '.');

  if (last == NULL || is_ip_literal (host))
    return host;
  for (const char *p = last - 1; p >= host; p--)
    if (*p == '.')
      return p + 1;
  return host;
}

/* Chromium sends Sec-Fetch-Site only to secure origins (https,
 * localhost): over http the initiator shows in Origin, or else in Referer
 * (its origin, by the default referrer policy). */
static void
cross_site_from_initiator (ReqView *v, const char *what, const char *url)
{
  g_autofree char *from = w4_cor_cookie_host (NULL, url);

  if (from == NULL || v->cross_by != NULL)
    return;
  if (strcmp (site_of (from), site_of (v->host)) != 0) {
    v->cross_site = TRUE;
    v->cross_by = g_strdup_printf ("its %s is on %s", what, from);
  } else {
    v->cross_by = g_strdup ("");   /* same site: looked at, nothing to say */
  }
}

static void
read_view (ReqView *v, const W4CorExchange *ex, const W4HttpHead *req)
{
  gboolean navigate = FALSE, mode_seen = FALSE, upgrade = FALSE, fetch_site = FALSE;
  g_autofree char *origin = NULL;
  g_autofree char *referer = NULL;
  g_autoptr (GPtrArray) cookies = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);

  v->host = w4_cor_cookie_host (ex->host, ex->target);
  if (v->host == NULL) {
    char buf[W4_ENDPOINT_STRLEN];
    v->host = g_strdup (w4_addr_format (&ex->server.addr, buf, sizeof buf));
  }
  v->path = w4_cor_cookie_req_path (ex->target);
  v->tls = ex->tls;
  v->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < req->n_headers; i++) {
    const W4Header *h = &req->headers[i];
    if (span_is (h->name, "Cookie"))
      w4_cookie_parse_header ((const char *) h->value.ptr, h->value.len, cookies);
    else if (span_is (h->name, "Sec-Fetch-Site")) {
      fetch_site = TRUE;
      v->cross_site = w4_tok_span_ieq ((const char *) h->value.ptr, h->value.len, "cross-site");
    } else if (span_is (h->name, "Sec-Fetch-Mode")) {
      mode_seen = TRUE;
      navigate = w4_tok_span_ieq ((const char *) h->value.ptr, h->value.len, "navigate");
    } else if (span_is (h->name, "Upgrade-Insecure-Requests")) {
      upgrade = TRUE;     /* browsers send it on navigations only */
    } else if (span_is (h->name, "Origin") && origin == NULL) {
      origin = g_strndup ((const char *) h->value.ptr, MIN (h->value.len, 2048));
    } else if (span_is (h->name, "Referer") && referer == NULL) {
      referer = g_strndup ((const char *) h->value.ptr, MIN (h->value.len, 2048));
    }
  }
  if (fetch_site) {
    if (v->cross_site)
      v->cross_by = g_strdup ("Sec-Fetch-Site: cross-site");
  } else {
    if (origin != NULL && strcmp (origin, "null") != 0)
      cross_site_from_initiator (v, "Origin", origin);
    if (referer != NULL)
      cross_site_from_initiator (v, "Referer", referer);
  }
  if (!mode_seen)
    navigate = upgrade;
  v->lax_allowed = navigate && g_strcmp0 (ex->method, "GET") == 0;
  for (guint i = 0; i < cookies->len; i++)
    g_hash_table_add (v->names, g_strdup (((W4Cookie *) g_ptr_array_index (cookies, i))->name));
}

static void
clear_view (ReqView *v)
{
  g_free (v->host);
  g_free (v->path);
  g_free (v->cross_by);
  g_hash_table_unref (v->names);
}

/* Does @k belong to the request's host: it applies there (5.4 step 1's
 * domain part), or it was set by that host and refused for its Domain? */
static gboolean
for_host (const JarCookie *k, const ReqView *v, gboolean *applies)
{
  if (k->domain_rejected) {
    *applies = FALSE;
    return strcmp (k->set_host, v->host) == 0;
  }
  *applies = k->host_only ? strcmp (k->domain, v->host) == 0
                          : w4_cor_cookie_domain_match (v->host, k->domain);
  return *applies;
}

static W4CorCookieWhy
why_not_sent (const JarCookie *k, const ReqView *v)
{
  if (k->domain_rejected)
    return W4_CK_WHY_DOMAIN;
  if (!w4_cor_cookie_path_match (v->path, k->path))
    return W4_CK_WHY_PATH;
  /* Secure is the reason only for a client that has not sent the cookie
   * over cleartext since it was set: one that did (curl and Chromium on
   * loopback) was not held back by it, and another reason may apply */
  if (k->secure && !v->tls && !k->sent_cleartext)
    return W4_CK_WHY_SECURE;
  if (v->cross_site && (k->samesite == SS_STRICT || (k->samesite == SS_LAX && !v->lax_allowed)))
    return W4_CK_WHY_SAMESITE;
  return W4_CK_WHY_UNKNOWN;
}

/* One stored cookie against the request: what the rules need, then what
 * the request did with it. */
static void
check_one (W4CorCookieJar *all, const W4CorExchange *ex, JarCookie *k, const ReqView *v,
           W4CorCookieCheck *chk)
{
  gboolean applies, carried, expired, path_ok;

  if (!for_host (k, v, &applies))
    return;
  carried = g_hash_table_contains (v->names, k->name);
  expired = k->has_expiry && w4_time_cmp (k->expiry, ex->req_ts) <= 0;
  path_ok = w4_cor_cookie_path_match (v->path, k->path);
  if (expired) {
    if (applies && path_ok && chk->expired == NULL)
      chk->expired = fact_of (k, carried, W4_CK_WHY_UNKNOWN);
  } else {
    chk->n_live++;
    if (carried) {
      chk->n_carried++;
    } else {
      W4CorCookieWhy why = why_not_sent (k, v);
      /* a cookie with a reason says more than one without */
      if (chk->unsent == NULL || (chk->unsent->why == W4_CK_WHY_UNKNOWN && why != W4_CK_WHY_UNKNOWN)) {
        fact_free (chk->unsent);
        chk->unsent = fact_of (k, FALSE, why);
      }
      /* the client dropped a Secure cookie it got over http: it never sent
       * it over http since (one that did is not held back by Secure) */
      if (k->secure && !k->over_tls && !v->tls && applies && path_ok && !k->sent_cleartext &&
          chk->insecure == NULL)
        chk->insecure = fact_of (k, FALSE, W4_CK_WHY_SECURE);
    }
  }
  if (carried) {
    k->last_sent_frame = ex->req_frame;
    k->last_sent_stream = ex->req_stream;
    k->sent_cleartext |= !v->tls;
    touch (all, k);
  }
}

/* A DNS name has at most 253 characters: a longer Host is looked up whole
 * only, so a hostile one with thousands of dots cannot make a request cost
 * the square of its length. */
#define W4_COOKIE_HOST_MAX 253

/* The buckets a request to @host can meet: the host, then each parent
 * domain ("a.b.example" -> "b.example" -> "example"); an address, or a
 * name longer than a DNS name can be, only itself. */
static void
check_buckets (W4CorCookieJar *all, const W4CorExchange *ex, const ReqView *v,
               W4CorCookieCheck *chk)
{
  const char *home = v->host;

  while (home != NULL && home[0] != '\0') {
    Bucket *b = bucket_peek (all, &ex->client.addr, home);

    /* check_one may touch (reorder the LRU) but never removes */
    for (guint i = 0; b != NULL && i < b->cookies->len; i++)
      check_one (all, ex, g_ptr_array_index (b->cookies, i), v, chk);
    if (is_ip_literal (home) || strlen (v->host) > W4_COOKIE_HOST_MAX)
      break;
    home = strchr (home, '.');
    if (home != NULL)
      home++;
  }
}

void
w4_cor_jar_request (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *req)
{
  W4CorCookieJar *all = cor->cookie_jar;
  W4CorCookieCheck chk = { 0 };
  ReqView v = { 0 };

  /* no jar at all (no Set-Cookie seen yet) needs no hash of the address */
  if (!ex->has_request || g_hash_table_size (all->jars) == 0 ||
      !g_hash_table_contains (all->jars, &ex->client.addr))
    return;
  read_view (&v, ex, req);
  check_buckets (all, ex, &v, &chk);
  /* kept only when it has something to say: most requests carry what
   * they should */
  if (chk.insecure != NULL || chk.expired != NULL || chk.unsent != NULL) {
    chk.req_path = g_strdup (v.path);
    chk.cross_by = v.cross_site ? g_strdup (v.cross_by) : NULL;
    chk.navigation = v.lax_allowed;
    w4_cor_track_get (ex)->cookie_check = g_memdup2 (&chk, sizeof chk);
  }
  clear_view (&v);
}

guint
w4_cor_jar_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->cookie_jar->jars) + cor->cookie_jar->lru.length;
}
