/* w4-token.h: the pieces of HTTP field-value grammar every header parser
 * needs (RFC 9110 5.6): OWS, tokens, quoted strings with quoted-pairs,
 * comma-separated lists and case-insensitive comparison of counted spans.
 * One copy for auth/, correlate/ and dissect/ instead of one per parser.
 *
 * W4Tok is a cursor over counted bytes that need not be NUL-terminated:
 * every read checks the end first, so a value cut anywhere is safe. */
#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* RFC 9110 5.6.2 tchar. */
static inline gboolean
w4_tok_is_tchar (guchar c)
{
  if (g_ascii_isalnum (c))
    return TRUE;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
  case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
    return TRUE;
  default:
    return FALSE;
  }
}

/* RFC 9110 5.6.3 OWS: SP and HTAB (also RFC 6265's WSP). */
static inline gboolean
w4_tok_is_ows (guchar c)
{
  return c == ' ' || c == '\t';
}

/* RFC 5234 CTL: C0 controls and DEL. */
static inline gboolean
w4_tok_is_ctl (guchar c)
{
  return c < 0x20 || c == 0x7f;
}

/* Case-insensitive (ASCII) comparison of @len bytes at @s with the
 * NUL-terminated literal @lit. */
static inline gboolean
w4_tok_span_ieq (const char *s, gsize len, const char *lit)
{
  gsize n = strlen (lit);
  return n == len && (n == 0 || g_ascii_strncasecmp (s, lit, n) == 0);
}

/* Narrows *@s / *@len to leave out leading and trailing OWS. */
void w4_tok_trim_ows (const char **s, gsize *len);

typedef struct {
  const char *p;
  gsize len;
  gsize off; /* invariant: off <= len */
} W4Tok;

static inline W4Tok
w4_tok_init (const char *p, gsize len)
{
  return (W4Tok) { p, len, 0 };
}

static inline gboolean
w4_tok_eof (const W4Tok *t)
{
  return t->off >= t->len;
}

/* The byte at the cursor, 0 at the end (check w4_tok_eof to tell a NUL). */
static inline guchar
w4_tok_cur (const W4Tok *t)
{
  return w4_tok_eof (t) ? 0 : (guchar) t->p[t->off];
}

/* Skips OWS; returns how many bytes. */
gsize w4_tok_skip_ows (W4Tok *t);

/* Reads 1*tchar; returns its length (0 when the cursor is not on one). */
gsize w4_tok_token (W4Tok *t);

/* RFC 9110 5.6.4 quoted-string, the opening DQUOTE at the cursor: appends
 * the text without its quoted-pair backslashes to @out, at most @max_keep
 * bytes (the rest is read but not kept). FALSE when unterminated or when it
 * holds a control character other than HTAB, escaped or not. */
gboolean w4_tok_quoted (W4Tok *t, GString *out, gsize max_keep);

/* After a list element (RFC 9110 5.6.1): skips OWS, then every ',' and
 * empty element with the OWS around them. TRUE when a comma was skipped or
 * the end is reached; FALSE when something else follows the element. */
gboolean w4_tok_list_sep (W4Tok *t);

/* Percent-decodes @len bytes of @s (RFC 3986 2.1) into @out, keeping at
 * most @max_keep bytes. A '%' not followed by two hex digits is kept as it
 * is, and makes the answer FALSE (a strict caller rejects the value, a
 * lenient one uses what came out); TRUE when every escape was whole. */
gboolean w4_tok_pct_decode (const char *s, gsize len, GString *out, gsize max_keep);

G_END_DECLS
