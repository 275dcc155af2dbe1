/* w4-text.c: one terminal sanitiser for every line that carries outside
 * bytes: the text report and the warnings on stderr.
 *
 * Why escape rather than replace with '?': a user comparing a file name or
 * a user name with what the server logged needs to see which byte was
 * there. Why format characters too: U+202E (RIGHT-TO-LEFT OVERRIDE) makes
 * "admin<U+202E>txt.exe" display as "adminexe.txt", and zero-width
 * characters make two different names look equal (Trojan Source,
 * CVE-2021-42574). */
#include "w4-text.h"

#include <string.h>

gboolean
w4_text_is_unsafe (gunichar c)
{
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
    return TRUE;
  /* Listed by hand as well as by category, so that a GLib with older
   * Unicode tables still escapes the ones that reorder or hide text. */
  if (c == 0x061c || (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
    return TRUE;
  switch (g_unichar_type (c)) {
  case G_UNICODE_CONTROL:
  case G_UNICODE_FORMAT:
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR:
    return TRUE;
  default:
    return FALSE;
  }
}

static void
w4_text_escape_byte (GString *out, guchar b)
{
  switch (b) {
  case '\n':
    g_string_append (out, "\\n");
    break;
  case '\r':
    g_string_append (out, "\\r");
    break;
  case '\t':
    g_string_append (out, "\\t");
    break;
  default:
    g_string_append_printf (out, "\\x%02X", b);
  }
}

char *
w4_text_sanitize_len (const char *s, gsize len)
{
  GString *out;
  const char *p, *end;

  if (s == NULL)
    return g_strdup ("");
  out = g_string_sized_new (len + 1);
  p = s;
  end = s + len;
  /* Bounded by @len: every pass consumes at least one byte. */
  while (p < end) {
    guchar b = (guchar) *p;
    gunichar c;
    gsize n;

    if (b < 0x80) {
      if (b < 0x20 || b == 0x7f)
        w4_text_escape_byte (out, b);
      else
        g_string_append_c (out, (char) b);
      p++;
      continue;
    }
    c = g_utf8_get_char_validated (p, (gssize) (end - p));
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      /* Not UTF-8 (or cut short at the end): that one byte, visibly. */
      g_string_append_printf (out, "\\x%02X", b);
      p++;
      continue;
    }
    n = (gsize) (g_utf8_next_char (p) - p);
    if (w4_text_is_unsafe (c)) {
      if (c > 0xffff)
        g_string_append_printf (out, "\\U%08X", (guint) c);
      else
        g_string_append_printf (out, "\\u%04X", (guint) c);
    } else {
      g_string_append_len (out, p, (gssize) n);
    }
    p += n;
  }
  return g_string_free (out, FALSE);
}

char *
w4_text_sanitize (const char *s)
{
  return w4_text_sanitize_len (s, s != NULL ? strlen (s) : 0);
}

glong
w4_text_width (const char *s)
{
  glong cols = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_iszerowidth (c))
      continue;
    cols += g_unichar_iswide (c) ? 2 : 1;
  }
  return cols;
}
