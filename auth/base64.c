/* base64.c: strict RFC 4648 base64 (Basic, NTLM and Negotiate tokens) and
 * base64url (RFC 7515 JWS segments). Strict on purpose: a Basic payload
 * that is not valid base64 is itself a finding (malformed-credentials),
 * where GLib's decoder would skip what it does not know. */
#include "base64.h"

static int
w4_b64_value (guchar c, gboolean url)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == (url ? '-' : '+'))
    return 62;
  if (c == (url ? '_' : '/'))
    return 63;
  return -1;
}

/* Decodes @n alphabet characters (no padding) of @in; @n % 4 != 1. */
static guint8 *
w4_b64_decode_body (const char *in, gsize n, gboolean url, gsize *out_len)
{
  guint8 *out = g_malloc (n / 4 * 3 + 3);
  gsize o = 0;
  guint32 acc = 0;
  guint bits = 0;

  for (gsize i = 0; i < n; i++) {
    int v = w4_b64_value ((guchar) in[i], url);
    if (v < 0) {
      g_free (out);
      return NULL;
    }
    acc = (acc << 6) | (guint32) v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (guint8) (acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

guint8 *
w4_b64_decode_strict (const char *in, gsize len, gsize *out_len)
{
  gsize pad = 0;

  g_return_val_if_fail (in != NULL || len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);
  /* RFC 4648 4: padding to a multiple of 4 is required here, unlike GLib's
   * decoder, which skips anything it does not know. */
  if (len % 4 != 0)
    return NULL;
  while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
    pad++;
  return w4_b64_decode_body (in, len - pad, FALSE, out_len);
}

guint8 *
w4_b64_decode_url (const char *in, gsize len, gsize *out_len)
{
  g_return_val_if_fail (in != NULL || len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);
  /* RFC 7515 2: JWS leaves the padding off; accept it when present, but
   * only as far as it completes the last quantum. */
  if (len % 4 == 0) {
    gsize pad = 0;
    while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
      pad++;
    len -= pad;
  }
  if (len % 4 == 1)
    return NULL;
  return w4_b64_decode_body (in, len, TRUE, out_len);
}
