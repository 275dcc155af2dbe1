/* ntlm.c: the few facts the correlator needs from an NTLM message.
 *
 * MS-NLMP 2.2.1: every message starts with the signature "NTLMSSP\0" and a
 * little-endian MessageType at offset 8 (1 NEGOTIATE, 2 CHALLENGE,
 * 3 AUTHENTICATE). An AUTHENTICATE message names its user: DomainNameFields
 * at offset 28 and UserNameFields at offset 36, each a security buffer
 * (u16 length, u16 maximum length, u32 offset from the message start), and
 * NegotiateFlags at offset 60, whose bit 0x1 (NEGOTIATE_UNICODE) says the
 * names are UTF-16LE rather than the OEM code page.
 *
 * Deliberately ignored: the challenge-response blobs (we do not verify
 * anything), version and MIC fields, and the OEM code page itself (read as
 * Latin-1, which is right for ASCII names and harmless otherwise). All reads
 * go through W4Reader, so a lying length never reads outside the message. */
#include "ntlm.h"

#include <string.h>

#include "auth-private.h"
#include "w4-reader.h"

#define W4_NTLM_SIG "NTLMSSP\0"
#define W4_NTLM_SIG_LEN 8
#define W4_NTLM_UNICODE 0x00000001u
#define W4_NTLM_MAX_NAME 512 /* bytes of a domain or user name read: Windows
                              * caps user names at 104 UTF-16 units */
#define W4_NTLM_MAX_SEARCH 65536 /* bytes of a SPNEGO blob searched */

gssize
w4_ntlm_find (const guint8 *buf, gsize len)
{
  gsize n = MIN (len, (gsize) W4_NTLM_MAX_SEARCH);

  if (buf == NULL || n < W4_NTLM_SIG_LEN)
    return -1;
  for (gsize i = 0; i + W4_NTLM_SIG_LEN <= n; i++)
    if (buf[i] == 'N' && memcmp (buf + i, W4_NTLM_SIG, W4_NTLM_SIG_LEN) == 0)
      return (gssize) i;
  return -1;
}

/* A security buffer's bytes, or FALSE when it points outside @msg. */
static gboolean
w4_ntlm_buffer (const guint8 *msg, gsize len, gsize field_off, W4Span *out)
{
  W4Reader r;
  guint16 blen, bmax;
  guint32 boff;

  w4_rd_init (&r, msg, len);
  w4_rd_skip (&r, field_off);
  w4_rd_u16le (&r, &blen);
  w4_rd_u16le (&r, &bmax);
  w4_rd_u32le (&r, &boff);
  if (!w4_rd_ok (&r))
    return FALSE;
  if (blen == 0) {
    *out = w4_span (msg, 0);
    return TRUE;
  }
  w4_rd_init (&r, msg, len);
  w4_rd_skip (&r, boff);
  return w4_rd_span (&r, blen, out);
}

/* UTF-16LE to UTF-8, unpaired surrogates as U+FFFD (g_utf16_to_utf8 would
 * refuse the whole name). */
static char *
w4_ntlm_utf16 (W4Span s)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gsize i = 0, n = MIN (s.len, (gsize) W4_NTLM_MAX_NAME) & ~(gsize) 1;

  while (i < n) {
    gunichar u = (gunichar) (s.ptr[i] | s.ptr[i + 1] << 8);
    i += 2;
    if (u >= 0xd800 && u < 0xdc00 && i < n) {
      gunichar lo = (gunichar) (s.ptr[i] | s.ptr[i + 1] << 8);
      if (lo >= 0xdc00 && lo < 0xe000) {
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        i += 2;
      } else {
        u = 0xfffd;
      }
    } else if (u >= 0xd800 && u < 0xe000) {
      u = 0xfffd;
    }
    g_string_append_unichar (out, u);
  }
  return w4_auth_text (out->str, out->len, W4_AUTH_MAX_PRINCIPAL, FALSE);
}

static char *
w4_ntlm_oem (W4Span s)
{
  gsize n = MIN (s.len, (gsize) W4_NTLM_MAX_NAME);
  g_autofree char *utf8 = g_convert ((const char *) s.ptr, (gssize) n, "UTF-8", "ISO-8859-1",
                                     NULL, NULL, NULL);
  if (utf8 == NULL)
    return w4_auth_text ((const char *) s.ptr, n, W4_AUTH_MAX_PRINCIPAL, FALSE);
  return w4_auth_text (utf8, strlen (utf8), W4_AUTH_MAX_PRINCIPAL, FALSE);
}

/* NegotiateFlags sit at 60 only when the payload starts after them; old
 * (NTLMv1-era) messages put their payload right after the workstation
 * buffer at 52, and then the names are Unicode only if they look it.
 * @usr: the user name, @dom: the domain (may be empty). */
static gboolean
w4_ntlm_unicode (const guint8 *msg, gsize len, W4Span usr, W4Span dom)
{
  W4Reader r;
  guint32 flags = 0;

  w4_rd_init (&r, msg, len);
  w4_rd_skip (&r, 60);
  if (w4_rd_u32le (&r, &flags) && (usr.ptr - msg) >= 64 && (dom.len == 0 || (dom.ptr - msg) >= 64))
    return (flags & W4_NTLM_UNICODE) != 0;
  return usr.len % 2 == 0 && usr.len >= 2 && usr.ptr[1] == 0;
}

char *
w4_ntlm_workstation (const guint8 *msg, gsize len)
{
  guint type = 0;
  g_autofree char *user = NULL;
  W4Span dom, usr, ws;
  char *out;

  if (!w4_ntlm_parse (msg, len, &type, &user) || type != 3 || user == NULL ||
      !w4_ntlm_buffer (msg, len, 28, &dom) || !w4_ntlm_buffer (msg, len, 36, &usr) ||
      !w4_ntlm_buffer (msg, len, 44, &ws) || ws.len == 0)
    return NULL;
  out = w4_ntlm_unicode (msg, len, usr, dom) ? w4_ntlm_utf16 (ws) : w4_ntlm_oem (ws);
  if (out[0] == '\0')
    g_clear_pointer (&out, g_free);
  return out;
}

gboolean
w4_ntlm_parse (const guint8 *msg, gsize len, guint *type, char **user)
{
  W4Reader r;
  guint32 t = 0;
  W4Span dom, usr;
  g_autofree char *d = NULL, *u = NULL;

  g_return_val_if_fail (type != NULL && user != NULL, FALSE);
  *type = 0;
  *user = NULL;
  if (msg == NULL || len < W4_NTLM_SIG_LEN + 4 || memcmp (msg, W4_NTLM_SIG, W4_NTLM_SIG_LEN) != 0)
    return FALSE;
  w4_rd_init (&r, msg, len);
  w4_rd_skip (&r, W4_NTLM_SIG_LEN);
  w4_rd_u32le (&r, &t);
  *type = t;
  if (t != 3)
    return TRUE;

  if (!w4_ntlm_buffer (msg, len, 28, &dom) || !w4_ntlm_buffer (msg, len, 36, &usr) ||
      usr.len == 0)
    return TRUE;
  if (w4_ntlm_unicode (msg, len, usr, dom)) {
    d = w4_ntlm_utf16 (dom);
    u = w4_ntlm_utf16 (usr);
  } else {
    d = w4_ntlm_oem (dom);
    u = w4_ntlm_oem (usr);
  }
  if (u[0] == '\0')
    return TRUE;
  *user = d[0] != '\0' ? g_strconcat (d, "\\", u, NULL) : g_steal_pointer (&u);
  return TRUE;
}
