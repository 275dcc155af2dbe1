/* w4-token.c: RFC 9110 5.6 field-value grammar (see w4-token.h). */
#include "w4-token.h"

void
w4_tok_trim_ows (const char **s, gsize *len)
{
  while (*len > 0 && w4_tok_is_ows ((guchar) (*s)[0])) {
    (*s)++;
    (*len)--;
  }
  while (*len > 0 && w4_tok_is_ows ((guchar) (*s)[*len - 1]))
    (*len)--;
}

gsize
w4_tok_skip_ows (W4Tok *t)
{
  gsize start = t->off;
  while (!w4_tok_eof (t) && w4_tok_is_ows (w4_tok_cur (t)))
    t->off++;
  return t->off - start;
}

gsize
w4_tok_token (W4Tok *t)
{
  gsize start = t->off;
  while (!w4_tok_eof (t) && w4_tok_is_tchar (w4_tok_cur (t)))
    t->off++;
  return t->off - start;
}

gboolean
w4_tok_quoted (W4Tok *t, GString *out, gsize max_keep)
{
  if (w4_tok_eof (t) || w4_tok_cur (t) != '"')
    return FALSE;
  t->off++; /* the opening DQUOTE */
  /* Each turn consumes one or two bytes: bounded by len. */
  while (!w4_tok_eof (t)) {
    guchar c = w4_tok_cur (t);
    t->off++;
    if (c == '"')
      return TRUE;
    if (c == '\\') {
      if (w4_tok_eof (t))
        return FALSE;
      c = w4_tok_cur (t);
      t->off++;
    }
    if (w4_tok_is_ctl (c) && c != '\t')
      return FALSE;
    if (out->len < max_keep)
      g_string_append_c (out, (char) c);
  }
  return FALSE;
}

gboolean
w4_tok_list_sep (W4Tok *t)
{
  gboolean any = FALSE;

  w4_tok_skip_ows (t);
  while (!w4_tok_eof (t) && w4_tok_cur (t) == ',') {
    t->off++;
    any = TRUE;
    w4_tok_skip_ows (t);
  }
  return any || w4_tok_eof (t);
}

gboolean
w4_tok_pct_decode (const char *s, gsize len, GString *out, gsize max_keep)
{
  gboolean whole = TRUE;

  for (gsize i = 0; i < len && out->len < max_keep; i++) {
    int hi = -1, lo = -1;

    if (s[i] == '%' && len - i >= 3) {
      hi = g_ascii_xdigit_value (s[i + 1]);
      lo = g_ascii_xdigit_value (s[i + 2]);
    }
    if (hi >= 0 && lo >= 0) {
      g_string_append_c (out, (char) (hi << 4 | lo));
      i += 2;
    } else {
      whole = whole && s[i] != '%';
      g_string_append_c (out, s[i]);
    }
  }
  return whole;
}
