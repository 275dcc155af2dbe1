/* text.c: text for people out of untrusted bytes, as every parser here
 * keeps it (see auth-private.h). */
#include "auth-private.h"

/* Printable ASCII throughout (the common case: user names, realms)? */
static gboolean
plain_ascii (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] < 0x20 || (guchar) s[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

/* The text is kept for the run by many callers (user names in every
 * credential): it takes the bytes it holds, not a GString's rounded-up
 * capacity (at least 128 bytes). */
char *
w4_auth_text (const char *s, gsize len, gsize max_chars, gboolean strip)
{
  GString *out;
  gsize off = 0, chars = 0, kept;

  if (len == 0)
    return g_strdup ("");
  if (plain_ascii (s, MIN (len, max_chars)))
    return g_strndup (s, MIN (len, max_chars));
  out = g_string_sized_new (MIN (len, max_chars * 2) + 1);

  /* Each turn consumes at least one byte; output is capped by max_chars. */
  while (off < len && chars < max_chars) {
    gunichar ch = g_utf8_get_char_validated (s + off, (gssize) (len - off));
    gsize step;

    if (ch == (gunichar) -1 || ch == (gunichar) -2) {
      g_string_append_unichar (out, 0xFFFD);
      off++;
      chars++;
      continue;
    }
    step = (gsize) (g_utf8_next_char (s + off) - (s + off));
    if (step == 0 || step > len - off)
      step = 1;
    off += step;
    if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0)) {
      if (!strip)
        g_string_append_c (out, '?');
      else if (ch == '\t' || ch == '\r' || ch == '\n')
        g_string_append_c (out, ' ');
      else
        continue;
    } else {
      g_string_append_unichar (out, ch);
    }
    chars++;
  }
  kept = out->len;
  return g_realloc (g_string_free (out, FALSE), kept + 1);
}

