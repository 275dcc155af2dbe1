/* auth-message.c: the server's own words, and secrets kept out of URIs.
 *
 * - RFC 6750 3: a Bearer challenge's error and error_description;
 * - small JSON error bodies: OAuth 2.0 (RFC 6749 5.2: error,
 *   error_description), RFC 9457 problem details (detail, title), and the
 *   shapes frameworks send ({"error": {"message": ...}} from Google-style
 *   APIs, {"error": ..., "message": ...} from Spring, {"code": ...,
 *   "message": ...} from WordPress, whose code names the cause, e.g.
 *   rest_cookie_invalid_nonce, so it is kept in front of the message);
 * - URI redaction: query (and fragment) parameters that carry secrets, and
 *   the password of an absolute URI's userinfo (RFC 3986 3.2.1 deprecates
 *   it, clients still send it).
 *
 * Deliberately ignored: HTML error pages (no reliable structure) and bodies
 * over 4 KiB (an error message is short; a large body is a page or data). */
#include "auth-private.h"

#include <string.h>

#include <jansson.h>

char *
w4_server_message_from_challenge (const W4Challenge *c)
{
  const char *err, *desc;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (c != NULL, NULL);
  err = w4_challenge_param (c, "error");
  desc = w4_challenge_param (c, "error_description");
  if (err != NULL && err[0] == '\0')
    err = NULL;
  if (desc != NULL && desc[0] == '\0')
    desc = NULL;
  if (err == NULL && desc == NULL)
    return NULL;
  if (err != NULL && desc != NULL)
    joined = g_strconcat (err, ": ", desc, NULL);
  else
    joined = g_strdup (err != NULL ? err : desc);
  return w4_auth_text (joined, strlen (joined), W4_AUTH_MAX_MESSAGE, TRUE);
}

/* A non-empty string member, or NULL. */
static const char *
w4_json_str (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  if (!json_is_string (v) || json_string_length (v) == 0)
    return NULL;
  return json_string_value (v);
}

char *
w4_server_message_from_body (const char *content_type, const guint8 *body, gsize len)
{
  json_t *root, *err;
  const char *first = NULL, *second = NULL;
  char *msg = NULL;

  if (body == NULL || len == 0 || len > W4_AUTH_MAX_BODY)
    return NULL;
  /* Whatever the Content-Type says: servers label JSON text/plain or
   * text/html often enough, and a body that is not a JSON object fails the
   * parse below anyway. */
  (void) content_type;
  if (len >= 3 && body[0] == 0xef && body[1] == 0xbb && body[2] == 0xbf) {
    body += 3;
    len -= 3;
  }
  root = json_loadb ((const char *) body, len, JSON_DECODE_INT_AS_REAL, NULL);
  if (root == NULL)
    return NULL;
  if (!json_is_object (root)) {
    json_decref (root);
    return NULL;
  }
  /* The first of error / message / detail / title (auth.h), with the
   * companion field that completes it. */
  err = json_object_get (root, "error");
  if (json_is_object (err) && w4_json_str (err, "message") != NULL) {
    first = w4_json_str (err, "message");
  } else if (w4_json_str (root, "error") != NULL) {
    first = w4_json_str (root, "error");
    second = w4_json_str (root, "error_description");
    if (second == NULL)
      second = w4_json_str (root, "message");
  } else if (w4_json_str (root, "message") != NULL) {
    first = w4_json_str (root, "code");
    second = w4_json_str (root, "message");
    if (first == NULL) {
      first = second;
      second = NULL;
    }
  } else if (w4_json_str (root, "detail") != NULL) {
    first = w4_json_str (root, "detail");
  } else if (w4_json_str (root, "title") != NULL) {
    first = w4_json_str (root, "title");
  }
  if (first != NULL) {
    g_autofree char *joined = second != NULL ? g_strconcat (first, ": ", second, NULL)
                                             : g_strdup (first);
    msg = w4_auth_text (joined, strlen (joined), W4_AUTH_MAX_MESSAGE, TRUE);
    g_strstrip (msg);
    if (msg[0] == '\0')
      g_clear_pointer (&msg, g_free);
  }
  json_decref (root);
  return msg;
}

/* ---- URIs ------------------------------------------------------------------ */

/* FINDINGS' list, plus refresh_token and client_secret (OAuth 2.0 RFC 6749
 * sends both as parameters, and both are as secret as a password). */
static const char *const w4_secret_params[] = {
  "access_token", "id_token", "token", "code", "api_key", "apikey", "key", "password",
  "secret", "sig", "signature", "refresh_token", "client_secret",
};

static gboolean
w4_is_secret_param (const char *name, gsize len)
{
  g_autoptr (GString) dec = g_string_new (NULL);

  /* Compare the decoded name: "access%5Ftoken" is still access_token. */
  for (gsize i = 0; i < len && dec->len <= 32; i++) {
    int hi, lo;
    if (name[i] == '%' && len - i >= 3 && (hi = g_ascii_xdigit_value (name[i + 1])) >= 0 &&
        (lo = g_ascii_xdigit_value (name[i + 2])) >= 0) {
      g_string_append_c (dec, (char) (hi << 4 | lo));
      i += 2;
    } else {
      g_string_append_c (dec, name[i]);
    }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (w4_secret_params); i++)
    if (w4_tok_span_ieq (dec->str, dec->len, w4_secret_params[i]))
      return TRUE;
  return FALSE;
}

/* Appends "a=1&token=[redacted]" for the @len bytes of a query or
 * fragment. */
static void
w4_redact_params (GString *out, const char *s, gsize len)
{
  gsize off = 0;

  /* Each turn consumes one parameter and its '&'. */
  while (off <= len) {
    const char *p = s + off, *amp, *eq;
    gsize plen;

    amp = memchr (p, '&', len - off);
    plen = amp != NULL ? (gsize) (amp - p) : len - off;
    eq = memchr (p, '=', plen);
    if (eq != NULL && w4_is_secret_param (p, (gsize) (eq - p))) {
      g_string_append_len (out, p, eq - p + 1);
      g_string_append (out, "[redacted]");
    } else {
      g_string_append_len (out, p, (gssize) plen);
    }
    off += plen;
    if (amp == NULL)
      break;
    g_string_append_c (out, '&');
    off++;
  }
}

char *
w4_redact_uri (const char *uri)
{
  GString *out;
  gsize len, off = 0, end;
  const char *q, *h;

  g_return_val_if_fail (uri != NULL, NULL);
  len = strlen (uri);
  out = g_string_sized_new (len + 16);

  /* An absolute URI: scheme ":" "//" authority; hide a userinfo password. */
  {
    gsize stop = strcspn (uri, "/?#");
    if (stop > 0 && uri[stop - 1] == ':' && uri[stop] == '/' && uri[stop + 1] == '/') {
      gsize auth_start = stop + 2;
      gsize auth_len = strcspn (uri + auth_start, "/?#");
      const char *at = memchr (uri + auth_start, '@', auth_len);
      if (at != NULL) {
        const char *colon = memchr (uri + auth_start, ':', (gsize) (at - (uri + auth_start)));
        if (colon != NULL) {
          g_string_append_len (out, uri, colon + 1 - uri);
          g_string_append (out, "[redacted]");
          off = (gsize) (at - uri);
        }
      }
    }
  }

  q = memchr (uri + off, '?', len - off);
  h = memchr (uri + off, '#', len - off);
  if (q != NULL && h != NULL && h < q)
    q = NULL;
  end = q != NULL ? (gsize) (q - uri) : h != NULL ? (gsize) (h - uri) : len;
  g_string_append_len (out, uri + off, (gssize) (end - off));
  if (q != NULL) {
    gsize qs = (gsize) (q - uri) + 1;
    gsize qe = h != NULL ? (gsize) (h - uri) : len;
    g_string_append_c (out, '?');
    w4_redact_params (out, uri + qs, qe - qs);
  }
  if (h != NULL) {
    /* Fragments are not sent in requests, but a Location header can carry
     * one (OAuth implicit flow: #access_token=...). */
    gsize hs = (gsize) (h - uri) + 1;
    g_string_append_c (out, '#');
    w4_redact_params (out, uri + hs, len - hs);
  }
  return g_string_free (out, FALSE);
}
