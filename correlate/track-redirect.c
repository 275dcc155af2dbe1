/* track-redirect.c: the redirect tracker (track-redirect.h) and the URL
 * arithmetic it needs: RFC 3986 reference resolution (section 5.2, with
 * remove_dot_segments) and origins (RFC 6454: scheme, host, port).
 *
 * Remembered per (client address, resolved URL): one record per 3xx, the
 * newest wins; records leave W4_COR_REDIRECT_FOLLOW_SEC of capture time
 * after their 3xx, or, oldest first, when the "redirects" limit is
 * reached (counted and shown like every limit). A 3xx whose request names
 * no URL, whose Location is too long, does not parse or is not http(s) is
 * not remembered: its follow-up is then not linked, and no cause is
 * concluded from the link's absence. */
#define G_LOG_DOMAIN "why401-correlate"

#include "track-redirect.h"

#include "rule.h"

#include <string.h>

/* ---- URLs ---------------------------------------------------------------- */

void
w4_url_clear (W4Url *u)
{
  g_clear_pointer (&u->scheme, g_free);
  g_clear_pointer (&u->host, g_free);
  g_clear_pointer (&u->path, g_free);
  g_clear_pointer (&u->query, g_free);
  u->port = 0;
}

static guint16
default_port (const char *scheme)
{
  return strcmp (scheme, "https") == 0 ? 443 : 80;
}

/* A URI reference split as RFC 3986 appendix B does; pointers into the
 * caller's bytes. */
typedef struct {
  const char *scheme, *auth, *path, *query;
  gsize scheme_len, auth_len, path_len, query_len;
  gboolean has_scheme, has_auth, has_query;
} RefParts;

static gboolean
is_scheme (const char *s, gsize len)
{
  if (len == 0 || !g_ascii_isalpha (s[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
      return FALSE;
  return TRUE;
}

/* FALSE for control bytes: a Location with them is not a URL a client
 * would follow as sent. The fragment is dropped (never sent). */
static gboolean
split_ref (const char *s, gsize len, RefParts *r)
{
  gsize i = 0, start;

  memset (r, 0, sizeof *r);
  for (gsize k = 0; k < len; k++)
    if ((guchar) s[k] < 0x20 || (guchar) s[k] == 0x7f)
      return FALSE;
  for (gsize k = 0; k < len && strchr (":/?#", s[k]) == NULL; k++)
    i = k + 1;
  if (i < len && s[i] == ':' && is_scheme (s, i)) {
    r->has_scheme = TRUE;
    r->scheme = s;
    r->scheme_len = i;
    i++;
  } else {
    i = 0;
  }
  if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    start = i;
    while (i < len && strchr ("/?#", s[i]) == NULL)
      i++;
    r->has_auth = TRUE;
    r->auth = s + start;
    r->auth_len = i - start;
  }
  start = i;
  while (i < len && s[i] != '?' && s[i] != '#')
    i++;
  r->path = s + start;
  r->path_len = i - start;
  if (i < len && s[i] == '?') {
    start = ++i;
    while (i < len && s[i] != '#')
      i++;
    r->has_query = TRUE;
    r->query = s + start;
    r->query_len = i - start;
  }
  return TRUE;
}

/* authority = [userinfo "@"] host [":" port]: host (lower case) and port
 * into @u; FALSE for an empty host, a bad port or a host too long. */
static gboolean
parse_authority (const char *a, gsize len, W4Url *u)
{
  const char *at = g_strrstr_len (a, (gssize) len, "@");
  const char *host, *end = a + len, *colon = NULL;
  guint64 port = 0;

  host = at ? at + 1 : a;
  if (host < end && *host == '[') {
    const char *close = memchr (host, ']', (gsize) (end - host));
    if (close == NULL)
      return FALSE;
    if (close + 1 < end) {
      if (close[1] != ':')
        return FALSE;
      colon = close + 1;
    }
  } else {
    colon = memchr (host, ':', (gsize) (end - host));
  }
  {
    const char *host_end = colon ? colon : end;
    gsize hlen = (gsize) (host_end - host);
    if (hlen == 0 || hlen > W4_COR_URL_HOST_MAX)
      return FALSE;
    u->host = g_ascii_strdown (host, (gssize) hlen);
  }
  if (colon != NULL && colon + 1 < end) {
    for (const char *p = colon + 1; p < end; p++) {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      port = port * 10 + (guint64) (*p - '0');
      if (port > 65535)
        return FALSE;
    }
    if (port == 0)
      return FALSE;
  }
  u->port = port != 0 ? (guint16) port : default_port (u->scheme);
  return TRUE;
}

/* RFC 3986 5.2.4 remove_dot_segments. (transfer full) */
static char *
remove_dot_segments (const char *in, gsize len)
{
  GString *out = g_string_sized_new (len + 1);
  const char *p = in, *end = in + len;

  while (p < end) {
    gsize left = (gsize) (end - p);

    if (left >= 3 && strncmp (p, "../", 3) == 0) {
      p += 3;
    } else if (left >= 2 && strncmp (p, "./", 2) == 0) {
      p += 2;
    } else if (left >= 3 && strncmp (p, "/./", 3) == 0) {
      p += 2;
    } else if (left == 2 && strncmp (p, "/.", 2) == 0) {
      /* "/." at the end becomes "/" */
      g_string_append_c (out, '/');
      p = end;
    } else if ((left >= 4 && strncmp (p, "/../", 4) == 0) ||
               (left == 3 && strncmp (p, "/..", 3) == 0)) {
      const char *slash = g_strrstr_len (out->str, (gssize) out->len, "/");
      g_string_truncate (out, slash ? (gsize) (slash - out->str) : 0);
      if (left == 3) {
        g_string_append_c (out, '/');
        p = end;
      } else {
        p += 3;
      }
    } else if ((left == 1 && *p == '.') || (left == 2 && strncmp (p, "..", 2) == 0)) {
      p = end;
    } else {
      /* the first segment, with its leading "/" if any */
      const char *next = p + (*p == '/' ? 1 : 0);
      while (next < end && *next != '/')
        next++;
      g_string_append_len (out, p, next - p);
      p = next;
    }
  }
  return g_string_free (out, FALSE);
}

/* Base path up to its last "/", then @path (5.2.3 merge). (transfer full) */
static char *
merge_paths (const W4Url *base, const char *path, gsize len)
{
  const char *slash = strrchr (base->path, '/');
  gsize keep = slash ? (gsize) (slash - base->path) + 1 : 0;
  GString *s = g_string_new_len (base->path, (gssize) keep);

  if (keep == 0)
    g_string_append_c (s, '/');
  g_string_append_len (s, path, (gssize) len);
  return g_string_free (s, FALSE);
}

static char *
path_or_root (char *path)
{
  if (path[0] != '/') {
    char *rooted = g_strconcat ("/", path, NULL);
    g_free (path);
    return rooted;
  }
  return path;
}

gboolean
w4_url_resolve (const W4Url *base, const char *ref, gsize len, W4Url *out)
{
  RefParts r;

  memset (out, 0, sizeof *out);
  if (!split_ref (ref, len, &r))
    return FALSE;
  if (r.has_scheme) {
    out->scheme = g_ascii_strdown (r.scheme, (gssize) r.scheme_len);
    if (strcmp (out->scheme, "http") != 0 && strcmp (out->scheme, "https") != 0)
      goto fail;
    /* "http:/x" without authority: RFC 3986's strict parser keeps it
     * relative to nothing; no client follows it to a host. */
    if (!r.has_auth || !parse_authority (r.auth, r.auth_len, out))
      goto fail;
    out->path = path_or_root (remove_dot_segments (r.path, r.path_len));
  } else {
    if (base == NULL || base->scheme == NULL)
      goto fail;
    out->scheme = g_strdup (base->scheme);
    if (r.has_auth) {
      if (!parse_authority (r.auth, r.auth_len, out))
        goto fail;
      out->path = path_or_root (remove_dot_segments (r.path, r.path_len));
    } else {
      out->host = g_strdup (base->host);
      out->port = base->port;
      if (r.path_len == 0) {
        out->path = g_strdup (base->path);
        if (!r.has_query) {
          out->query = g_strdup (base->query);
          return TRUE;
        }
      } else if (r.path[0] == '/') {
        out->path = remove_dot_segments (r.path, r.path_len);
      } else {
        g_autofree char *merged = merge_paths (base, r.path, r.path_len);
        out->path = path_or_root (remove_dot_segments (merged, strlen (merged)));
      }
    }
  }
  if (r.has_query)
    out->query = g_strndup (r.query, r.query_len);
  return TRUE;
fail:
  w4_url_clear (out);
  return FALSE;
}

gboolean
w4_url_of_request (gboolean tls, const char *host_header, const W4Endpoint *server,
                   const char *target, W4Url *out)
{
  memset (out, 0, sizeof *out);
  if (target == NULL || target[0] == '\0')
    return FALSE;
  if (target[0] != '/') /* absolute-form (to a proxy); "*" and authority-form fail here */
    return w4_url_resolve (NULL, target, strlen (target), out);
  out->scheme = g_strdup (tls ? "https" : "http");
  if (host_header != NULL && host_header[0] != '\0') {
    if (!parse_authority (host_header, strlen (host_header), out)) {
      w4_url_clear (out);
      return FALSE;
    }
  } else {
    char buf[W4_ENDPOINT_STRLEN];
    w4_addr_format (&server->addr, buf, sizeof buf);
    out->host = server->addr.family == 6 ? g_strdup_printf ("[%s]", buf)
                                                    : g_ascii_strdown (buf, -1);
    out->port = server->port;
  }
  {
    RefParts r;
    if (!split_ref (target, strlen (target), &r)) {
      w4_url_clear (out);
      return FALSE;
    }
    out->path = g_strndup (r.path, r.path_len);
    if (r.has_query)
      out->query = g_strndup (r.query, r.query_len);
  }
  return TRUE;
}

gboolean
w4_url_same_origin (const W4Url *a, const W4Url *b)
{
  return g_strcmp0 (a->scheme, b->scheme) == 0 && g_strcmp0 (a->host, b->host) == 0 &&
         a->port == b->port;
}

char *
w4_url_origin (const W4Url *u)
{
  if (u->port == default_port (u->scheme))
    return g_strdup_printf ("%s://%s", u->scheme, u->host);
  return g_strdup_printf ("%s://%s:%u", u->scheme, u->host, u->port);
}

char *
w4_url_to_string (const W4Url *u)
{
  g_autofree char *origin = w4_url_origin (u);

  return g_strdup_printf ("%s%s%s%s", origin, u->path, u->query ? "?" : "",
                          u->query ? u->query : "");
}

/* ---- the tracker --------------------------------------------------------- */

typedef struct {
  char *key;                 /* (owned) "client|url" */
  W4CorRedirectLink link;
  GList *qlink;              /* in W4CorRedirects.order */
} Rec;

struct W4CorRedirects {
  GHashTable *by_key;        /* key -> Rec* (owned) */
  GQueue order;              /* Rec*, oldest 3xx first */
};

static void
link_clear (W4CorRedirectLink *l)
{
  g_free (l->method);
  g_free (l->target);
  g_free (l->authz);
  g_free (l->location);
  g_free (l->from_origin);
  g_free (l->to_origin);
}

void
w4_cor_redirect_link_free (W4CorRedirectLink *l)
{
  if (l == NULL)
    return;
  link_clear (l);
  g_free (l);
}

static void
rec_free (gpointer p)
{
  Rec *r = p;

  link_clear (&r->link);
  g_free (r->key);
  g_free (r);
}

W4CorRedirects *
w4_cor_redirects_new (void)
{
  W4CorRedirects *r = g_new0 (W4CorRedirects, 1);

  r->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, rec_free);
  g_queue_init (&r->order);
  return r;
}

void
w4_cor_redirects_free (W4CorRedirects *r)
{
  if (r == NULL)
    return;
  g_queue_clear (&r->order);
  g_hash_table_unref (r->by_key);
  g_free (r);
}

guint
w4_cor_redirects_size (W4Correlate *cor)
{
  return g_hash_table_size (cor->redirects->by_key);
}

static void
rec_remove (W4CorRedirects *r, Rec *rec)
{
  g_queue_delete_link (&r->order, rec->qlink);
  g_hash_table_remove (r->by_key, rec->key);
}

/* Records whose 3xx is older than the follow window are of no more use. */
static void
prune (W4CorRedirects *r, W4Time now)
{
  Rec *rec;

  while ((rec = g_queue_peek_head (&r->order)) != NULL &&
         w4_time_diff_usec (rec->link.resp_ts, now) >
           (gint64) W4_COR_REDIRECT_FOLLOW_SEC * G_USEC_PER_SEC)
    rec_remove (r, rec);
}

static char *
client_key (const W4CorExchange *ex, const W4Url *u)
{
  char addr[W4_ENDPOINT_STRLEN];
  g_autofree char *url = w4_url_to_string (u);

  w4_addr_format (&ex->client.addr, addr, sizeof addr);
  return g_strdup_printf ("%s|%s", addr, url);
}

/* The redirected request's Authorization as evidence shows it. */
static char *
authz_desc (W4Correlate *cor, const W4CorExchange *ex)
{
  W4CorCtx c = { .cor = cor };

  if (ex->n_authz == 0)
    return NULL;
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
    if (cred->parsed != NULL && !cred->proxy && cred->kind != W4_SCHEME_APIKEY)
      return w4_cor_cred_desc (&c, cred);
  }
  return g_strdup ("credentials");
}

static const W4Header *
find_location (const W4HttpHead *resp)
{
  for (guint i = 0; i < resp->n_headers; i++)
    if (w4_tok_span_ieq ((const char *) resp->headers[i].name.ptr, resp->headers[i].name.len,
                         "Location"))
      return &resp->headers[i];
  return NULL;
}

static void
remember (W4Correlate *cor, Rec *rec)
{
  W4CorRedirects *r = cor->redirects;
  Rec *old = g_hash_table_lookup (r->by_key, rec->key);

  if (old != NULL)
    rec_remove (r, old);
  while (r->order.length > 0 && r->order.length >= cor->limits.v[W4_LIMIT_REDIRECTS]) {
    w4_cor_note_limit (cor, W4_LIMIT_REDIRECTS, rec->link.resp_frame, rec->link.resp_ts, NULL);
    rec_remove (r, g_queue_peek_head (&r->order));
  }
  if (cor->limits.v[W4_LIMIT_REDIRECTS] == 0) {
    w4_cor_note_limit (cor, W4_LIMIT_REDIRECTS, rec->link.resp_frame, rec->link.resp_ts, NULL);
    rec_free (rec);
    return;
  }
  g_queue_push_tail (&r->order, rec);
  rec->qlink = r->order.tail;
  g_hash_table_insert (r->by_key, rec->key, rec);
}

void
w4_cor_redirect_on_response (W4Correlate *cor, W4CorExchange *ex, const W4HttpHead *resp)
{
  const W4Header *loc;
  W4Url base, to;
  Rec *rec;

  prune (cor->redirects, resp->first_ts);
  if (!ex->has_request || ex->status < 300 || ex->status > 399 || ex->status == 304)
    return;
  loc = find_location (resp);
  if (loc == NULL || loc->value.len == 0 || loc->value.len > W4_COR_LOCATION_MAX)
    return;
  if (!w4_url_of_request (ex->tls, ex->host, &ex->server, ex->target, &base))
    return;
  if (!w4_url_resolve (&base, (const char *) loc->value.ptr, loc->value.len, &to)) {
    w4_url_clear (&base);
    return;
  }
  rec = g_new0 (Rec, 1);
  rec->key = client_key (ex, &to);
  rec->link.req_frame = ex->req_frame;
  rec->link.resp_frame = ex->resp_frame;
  rec->link.req_stream = ex->req_stream;
  rec->link.resp_stream = ex->resp_stream;
  rec->link.resp_ts = ex->resp_ts;
  rec->link.status = ex->status;
  rec->link.method = g_strdup (ex->method);
  rec->link.target = g_strdup (ex->target);
  rec->link.authz = authz_desc (cor, ex);
  rec->link.location = g_strndup ((const char *) loc->value.ptr, loc->value.len);
  rec->link.from_origin = w4_url_origin (&base);
  rec->link.to_origin = w4_url_origin (&to);
  rec->link.cross_origin = !w4_url_same_origin (&base, &to);
  w4_url_clear (&base);
  w4_url_clear (&to);
  remember (cor, rec);
}

static W4CorRedirectLink *
link_copy (const W4CorRedirectLink *l)
{
  W4CorRedirectLink *c = g_new (W4CorRedirectLink, 1);

  *c = *l;
  c->method = g_strdup (l->method);
  c->target = g_strdup (l->target);
  c->authz = g_strdup (l->authz);
  c->location = g_strdup (l->location);
  c->from_origin = g_strdup (l->from_origin);
  c->to_origin = g_strdup (l->to_origin);
  return c;
}

void
w4_cor_redirect_on_request (W4Correlate *cor, W4CorExchange *ex)
{
  W4CorRedirects *r = cor->redirects;
  W4Url u;
  g_autofree char *key = NULL;
  Rec *rec;

  prune (r, ex->req_ts);
  if (g_hash_table_size (r->by_key) == 0 || w4_cor_track_peek (ex)->redirect != NULL)
    return;
  if (!w4_url_of_request (ex->tls, ex->host, &ex->server, ex->target, &u))
    return;
  key = client_key (ex, &u);
  w4_url_clear (&u);
  rec = g_hash_table_lookup (r->by_key, key);
  if (rec == NULL || ex->req_frame <= rec->link.resp_frame)
    return;
  w4_cor_track_get (ex)->redirect = link_copy (&rec->link);
}
