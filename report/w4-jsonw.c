/* w4-jsonw.c: a streaming JSON writer with jansson's bytes (w4-jsonw.h).
 *
 * jansson's dump.c, for the flags the report uses: a container's first
 * member goes on a new line one level deeper, members are separated by ","
 * and a new line, the closing bracket goes on a new line at the container's
 * level; an empty container is "[]" or "{}" with no line break; a key is
 * followed by ": " (":" compact). Compact mode has no line breaks at all. */
#include "w4-jsonw.h"

#include <string.h>

/* The first allocation: a finding's compact line is about 1.5 KiB. */
#define W4_JSONW_MIN_SIZE 4096
/* Levels of nesting the first allocation of the open-container stack holds. */
#define W4_JSONW_MIN_LEVELS 16
/* jansson's JSON_INDENT takes 5 bits. */
#define W4_JSONW_MAX_INDENT 31

void
w4_jsonw_init (W4JsonW *w, guint indent)
{
  memset (w, 0, sizeof *w);
  w->indent = MIN (indent, W4_JSONW_MAX_INDENT);
}

void
w4_jsonw_clear (W4JsonW *w)
{
  g_free (w->data);
  g_free (w->open);
  w->data = NULL;
  w->open = NULL;
  w->len = w->size = 0;
  w->open_size = 0;
  w->level = 0;
  w->after_key = FALSE;
}

void
w4_jsonw_reset (W4JsonW *w, guint base)
{
  w->len = 0;
  w->level = 0;
  w->base = base;
  w->after_key = FALSE;
}

/* Room for @n more bytes at data + len. */
static inline void
w4_jsonw_reserve (W4JsonW *w, gsize n)
{
  gsize want;

  if (G_LIKELY (w->size - w->len >= n))
    return;
  want = MAX (2 * w->size, W4_JSONW_MIN_SIZE);
  while (want - w->len < n) {
    if (want > G_MAXSIZE / 2)
      g_error ("w4_jsonw: %" G_GSIZE_FORMAT " bytes do not fit in memory", w->len + n);
    want *= 2;
  }
  w->data = g_realloc (w->data, want);
  w->size = want;
}

static inline void
w4_jsonw_put (W4JsonW *w, const char *bytes, gsize n)
{
  w4_jsonw_reserve (w, n);
  memcpy (w->data + w->len, bytes, n);
  w->len += n;
}

static inline void
w4_jsonw_putc (W4JsonW *w, char c)
{
  w4_jsonw_reserve (w, 1);
  w->data[w->len++] = c;
}

void
w4_jsonw_raw (W4JsonW *w, const char *bytes, gsize n)
{
  w4_jsonw_put (w, bytes, n);
}

/* jansson's dump_indent between tokens: a line break and @level levels
 * (plus the base) of indentation; nothing when compact. */
static inline void
w4_jsonw_newline (W4JsonW *w, guint level)
{
  gsize spaces;

  if (w->indent == 0)
    return;
  spaces = (gsize) (w->base + level) * w->indent;
  w4_jsonw_reserve (w, 1 + spaces);
  w->data[w->len++] = '\n';
  memset (w->data + w->len, ' ', spaces);
  w->len += spaces;
}

/* What goes before a value or a key: nothing after a key; inside a
 * container, the separator from the member before (if any) and the line
 * break. */
static inline void
w4_jsonw_member (W4JsonW *w)
{
  guint8 *has_members;

  if (w->after_key) {
    w->after_key = FALSE;
    return;
  }
  if (w->level == 0)
    return;
  has_members = &w->open[w->level - 1];
  if (*has_members)
    w4_jsonw_putc (w, ',');
  *has_members = 1;
  w4_jsonw_newline (w, w->level);
}

static void
w4_jsonw_begin (W4JsonW *w, char bracket)
{
  w4_jsonw_member (w);
  w4_jsonw_putc (w, bracket);
  if (w->level == w->open_size) {
    w->open_size = MAX (2 * w->open_size, W4_JSONW_MIN_LEVELS);
    w->open = g_realloc (w->open, w->open_size);
  }
  w->open[w->level++] = 0;
}

static void
w4_jsonw_end (W4JsonW *w, char bracket)
{
  /* an end without its begin: the caller's bug, but not one to write
   * outside the stack for */
  g_return_if_fail (w->level > 0);
  w->after_key = FALSE;
  if (w->open[--w->level])
    w4_jsonw_newline (w, w->level);
  w4_jsonw_putc (w, bracket);
}

void
w4_jsonw_begin_object (W4JsonW *w)
{
  w4_jsonw_begin (w, '{');
}

void
w4_jsonw_end_object (W4JsonW *w)
{
  w4_jsonw_end (w, '}');
}

void
w4_jsonw_begin_array (W4JsonW *w)
{
  w4_jsonw_begin (w, '[');
}

void
w4_jsonw_end_array (W4JsonW *w)
{
  w4_jsonw_end (w, ']');
}

/* The length of the valid UTF-8 sequence that starts at @p (a byte >=
 * 0x80), or 0 when none does: no overlong forms, no surrogates, nothing
 * above U+10FFFF, as both jansson's utf8_check_full and g_utf8_validate
 * define it. */
static inline gsize
w4_jsonw_utf8_len (const guint8 *p, gsize left)
{
  guint8 lead = p[0], lo = 0x80, hi = 0xBF;
  gsize n;

  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0)
      lo = 0xA0; /* overlong below U+0800 */
    else if (lead == 0xED)
      hi = 0x9F; /* U+D800..U+DFFF, the surrogates */
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0)
      lo = 0x90; /* overlong below U+10000 */
    else if (lead == 0xF4)
      hi = 0x8F; /* above U+10FFFF */
  } else {
    return 0; /* a continuation byte, C0/C1 (overlong ASCII), F5..FF */
  }
  if (left < n || p[1] < lo || p[1] > hi)
    return 0;
  for (gsize i = 2; i < n; i++)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return 0;
  return n;
}

/* What a byte needs in a string: 0 nothing (printable ASCII), 1 an
 * escape (a control character, '"', '\\'), 2 a check that it starts a
 * valid UTF-8 sequence. A table, because most bytes are 0 and this is the
 * writer's innermost loop. */
enum { W4_JSONW_PLAIN, W4_JSONW_ESCAPE, W4_JSONW_UTF8 };
static const guint8 w4_jsonw_byte_class[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* jansson's escape of a control character, '"' or '\\', at @o (room for
 * 6 bytes); returns the end. */
static char *
w4_jsonw_escape (char *o, guint8 c)
{
  static const char hex[] = "0123456789ABCDEF";
  char short_form = 0;

  switch (c) {
  case '"':
    short_form = '"';
    break;
  case '\\':
    short_form = '\\';
    break;
  case '\b':
    short_form = 'b';
    break;
  case '\f':
    short_form = 'f';
    break;
  case '\n':
    short_form = 'n';
    break;
  case '\r':
    short_form = 'r';
    break;
  case '\t':
    short_form = 't';
    break;
  default:
    break;
  }
  *o++ = '\\';
  if (short_form != 0) {
    *o++ = short_form;
    return o;
  }
  *o++ = 'u';
  *o++ = '0';
  *o++ = '0';
  *o++ = hex[c >> 4];
  *o++ = hex[c & 0xF];
  return o;
}

/* Whether the 8 bytes at @p are all plain (printable ASCII other than
 * '"' and '\\'), tested at once: a byte at a time, the scan was the
 * writer's largest cost. Each term has a byte's high bit set where that
 * byte is below 0x20 ((x - 0x20..) & ~x), is '"' or '\\' (the
 * has-zero-byte test on x XOR the character), or is 0x80 or above (x).
 * A borrow may also flag a byte next to a flagged one, which only sends
 * the word to the byte loop: a word is never passed that should not be. */
static inline gboolean
w4_jsonw_plain8 (const guint8 *p)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 high = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 x, q, b;

  memcpy (&x, p, sizeof x);
  q = x ^ (ones * '"');
  b = x ^ (ones * '\\');
  return ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high) == 0;
}

/* The longest a byte becomes in a string: "\u00XX". */
#define W4_JSONW_MAX_PER_BYTE 6

/* The quoted string, in one pass, written in place after one reserve for
 * the longest it can become: plain words are copied 8 bytes at a time; a
 * byte that starts no valid UTF-8 sequence becomes U+FFFD, as
 * g_utf8_make_valid makes it. */
static void
w4_jsonw_quoted (W4JsonW *w, const guint8 *s, gsize len)
{
  const guint8 *p = s, *end = s + len;
  char *o;

  if (len > (G_MAXSIZE - 2) / W4_JSONW_MAX_PER_BYTE)
    g_error ("w4_jsonw: a string of %" G_GSIZE_FORMAT " bytes does not fit in memory", len);
  w4_jsonw_reserve (w, 2 + W4_JSONW_MAX_PER_BYTE * len);
  o = w->data + w->len;
  *o++ = '"';
  while (p < end) {
    guint8 c;
    gsize n;

    if (end - p >= 8) {
      if (w4_jsonw_plain8 (p)) {
        memcpy (o, p, 8);
        o += 8;
        p += 8;
        continue;
      }
    } else if (len >= 8 && w4_jsonw_plain8 (end - 8)) {
      /* the tail, as the string's last word: the bytes before the tail
       * in that word are plain too, so they were copied as they are and
       * writing them again changes nothing */
      gsize tail = (gsize) (end - p);

      memcpy (o - (8 - tail), end - 8, 8);
      o += tail;
      break;
    }
    c = *p;
    switch (w4_jsonw_byte_class[c]) {
    case W4_JSONW_PLAIN:
      *o++ = (char) c;
      p++;
      continue;
    case W4_JSONW_UTF8:
      n = w4_jsonw_utf8_len (p, (gsize) (end - p));
      if (n > 0) {
        memcpy (o, p, n);
        o += n;
        p += n;
        continue;
      }
      memcpy (o, "\xEF\xBF\xBD", 3);
      o += 3;
      break;
    default:
      o = w4_jsonw_escape (o, c);
      break;
    }
    p++;
  }
  *o++ = '"';
  w->len = (gsize) (o - w->data);
}

void
w4_jsonw_key_plain (W4JsonW *w, const char *key, gsize len)
{
  /* the usual case, an object's member in a compact line: the separator,
   * the key and ':' after one reserve */
  if (w->indent == 0 && !w->after_key && w->level > 0) {
    guint8 *has_members = &w->open[w->level - 1];
    char *o;

    w4_jsonw_reserve (w, len + 4);
    o = w->data + w->len;
    if (*has_members)
      *o++ = ',';
    *has_members = 1;
    *o++ = '"';
    memcpy (o, key, len);
    o += len;
    *o++ = '"';
    *o++ = ':';
    w->len = (gsize) (o - w->data);
    w->after_key = TRUE;
    return;
  }
  w4_jsonw_member (w);
  w4_jsonw_reserve (w, len + 4);
  w->data[w->len++] = '"';
  memcpy (w->data + w->len, key, len);
  w->len += len;
  w->data[w->len++] = '"';
  w->data[w->len++] = ':';
  if (w->indent != 0)
    w->data[w->len++] = ' ';
  w->after_key = TRUE;
}

void
w4_jsonw_key (W4JsonW *w, const char *key)
{
  w4_jsonw_member (w);
  w4_jsonw_quoted (w, (const guint8 *) key, strlen (key));
  if (w->indent == 0)
    w4_jsonw_putc (w, ':');
  else
    w4_jsonw_put (w, ": ", 2);
  w->after_key = TRUE;
}

void
w4_jsonw_string (W4JsonW *w, const char *s)
{
  if (s == NULL) {
    w4_jsonw_null (w);
    return;
  }
  w4_jsonw_member (w);
  w4_jsonw_quoted (w, (const guint8 *) s, strlen (s));
}

void
w4_jsonw_string_len (W4JsonW *w, const char *s, gsize len)
{
  if (s == NULL) {
    w4_jsonw_null (w);
    return;
  }
  w4_jsonw_member (w);
  w4_jsonw_quoted (w, (const guint8 *) s, len);
}

/* Decimal digits of @v, with a '-' first when @negative. */
static void
w4_jsonw_digits (W4JsonW *w, guint64 v, gboolean negative)
{
  char buf[21];
  gsize i = sizeof buf;

  do {
    buf[--i] = (char) ('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative)
    buf[--i] = '-';
  w4_jsonw_put (w, buf + i, sizeof buf - i);
}

void
w4_jsonw_int (W4JsonW *w, gint64 v)
{
  w4_jsonw_member (w);
  /* the magnitude in unsigned arithmetic, where -G_MININT64 fits */
  w4_jsonw_digits (w, v < 0 ? (guint64) 0 - (guint64) v : (guint64) v, v < 0);
}

void
w4_jsonw_uint (W4JsonW *w, guint64 v)
{
  w4_jsonw_member (w);
  w4_jsonw_digits (w, v, FALSE);
}

void
w4_jsonw_bool (W4JsonW *w, gboolean v)
{
  w4_jsonw_member (w);
  if (v)
    w4_jsonw_put (w, "true", 4);
  else
    w4_jsonw_put (w, "false", 5);
}

void
w4_jsonw_null (W4JsonW *w)
{
  w4_jsonw_member (w);
  w4_jsonw_put (w, "null", 4);
}
