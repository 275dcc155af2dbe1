/* redact.c: secrets kept out of URIs before a report shows them: query
 * (and fragment) parameters that carry secrets, and the password of an
 * absolute URI's userinfo (RFC 3986 3.2.1 deprecates it, clients still
 * send it). */
#include "redact.h"

#include <string.h>

#include "w4-token.h"

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
  /* Longer than any name in the list once decoded: 33 bytes are enough to
   * tell. */
  w4_tok_pct_decode (name, len, dec, 33);
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

  /* An absolute URI: scheme ":" "//" authority; or a CONNECT's authority
   * form, which some clients send with a userinfo too: hide its password. */
  {
    gsize stop = strcspn (uri, "/?#");
    gboolean absolute = stop > 0 && uri[stop - 1] == ':' && uri[stop] == '/' && uri[stop + 1] == '/';
    gboolean authority = stop > 0 && uri[stop] == '\0';
    if (absolute || authority) {
      gsize auth_start = absolute ? stop + 2 : 0;
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
