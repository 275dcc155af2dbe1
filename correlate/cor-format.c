/* cor-format.c: printf for findings' texts, without stdio (cor-format.h).
 *
 * One pass over the format into a buffer that starts on the stack; the
 * conversions it does not know send the whole call to GLib, so a rare
 * format costs what it did and never comes out different. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-format.h"

#include <stdarg.h>
#include <string.h>

/* Bytes a text is built in before the buffer moves to the heap: nearly
 * every summary fits. The heap buffer then grows with what is written, as
 * g_strdup_printf's would: the arguments are bounded by their own limits. */
#define W4_COR_FMT_STACK 512
/* A wider field than this (none of our formats asks for one) goes to
 * GLib, which knows what to do about a width near G_MAXINT. */
#define W4_COR_FMT_MAX_WIDTH 4096

typedef struct {
  char *p;
  gsize len;
  gsize cap;
  char stack[W4_COR_FMT_STACK];
} W4CorFmtBuf;

static void
fmt_init (W4CorFmtBuf *b)
{
  b->p = b->stack;
  b->len = 0;
  b->cap = sizeof b->stack;
}

static void
fmt_clear (W4CorFmtBuf *b)
{
  if (b->p != b->stack)
    g_free (b->p);
}

/* Room for @n more bytes. */
static void
fmt_reserve (W4CorFmtBuf *b, gsize n)
{
  gsize want = b->cap;

  if (G_LIKELY (b->cap - b->len >= n))
    return;
  while (want - b->len < n) {
    if (want > G_MAXSIZE / 2)
      g_error ("w4_cor_printf: %" G_GSIZE_FORMAT " bytes do not fit in memory", b->len + n);
    want *= 2;
  }
  if (b->p == b->stack) {
    b->p = g_malloc (want);
    memcpy (b->p, b->stack, b->len);
  } else {
    b->p = g_realloc (b->p, want);
  }
  b->cap = want;
}

static void
fmt_put (W4CorFmtBuf *b, const char *s, gsize n)
{
  fmt_reserve (b, n);
  memcpy (b->p + b->len, s, n);
  b->len += n;
}

static void
fmt_fill (W4CorFmtBuf *b, char c, gsize n)
{
  if (n == 0) /* nearly always: no width */
    return;
  fmt_reserve (b, n);
  memset (b->p + b->len, c, n);
  b->len += n;
}

/* What one conversion said besides its letter. */
typedef struct {
  gboolean left;  /* '-': pad after */
  gboolean zero;  /* '0': pad numbers with zeros after the sign */
  gsize width;
  gssize prec;    /* -1: none */
} W4CorFmtSpec;

/* @n bytes of @s within the spec's width. */
static void
fmt_padded (W4CorFmtBuf *b, const W4CorFmtSpec *sp, const char *s, gsize n)
{
  gsize pad = sp->width > n ? sp->width - n : 0;

  if (!sp->left)
    fmt_fill (b, ' ', pad);
  fmt_put (b, s, n);
  if (sp->left)
    fmt_fill (b, ' ', pad);
}

/* Room for the decimal digits of any guint64. */
#define W4_COR_FMT_DIGITS 20

/* @v's decimal digits at the end of @digits; returns where they start. */
static gsize
fmt_digits (char digits[W4_COR_FMT_DIGITS], guint64 v)
{
  gsize i = W4_COR_FMT_DIGITS;

  do {
    digits[--i] = (char) ('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return i;
}

/* A decimal integer: @mag with a '-' when @negative, padded as printf
 * pads it ('0' goes between the sign and the digits, '-' wins over '0'). */
static void
fmt_integer (W4CorFmtBuf *b, const W4CorFmtSpec *sp, guint64 mag, gboolean negative)
{
  char digits[W4_COR_FMT_DIGITS];
  gsize i = fmt_digits (digits, mag), n, pad;

  n = sizeof digits - i + (negative ? 1 : 0);
  pad = sp->width > n ? sp->width - n : 0;
  if (!sp->left && !sp->zero)
    fmt_fill (b, ' ', pad);
  if (negative)
    fmt_put (b, "-", 1);
  if (!sp->left && sp->zero)
    fmt_fill (b, '0', pad);
  fmt_put (b, digits + i, sizeof digits - i);
  if (sp->left)
    fmt_fill (b, ' ', pad);
}

static void
fmt_signed (W4CorFmtBuf *b, const W4CorFmtSpec *sp, gint64 v)
{
  /* the magnitude in unsigned arithmetic, where -G_MININT64 fits */
  fmt_integer (b, sp, v < 0 ? (guint64) 0 - (guint64) v : (guint64) v, v < 0);
}

/* Reads the flags, width and precision after a '%' at *@f, leaving *@f on
 * what follows them (the length modifier or the letter). */
static void
fmt_spec (const char **f, va_list *ap, W4CorFmtSpec *sp)
{
  const char *p = *f;

  memset (sp, 0, sizeof *sp);
  sp->prec = -1;
  for (;; p++) {
    if (*p == '-')
      sp->left = TRUE;
    else if (*p == '0')
      sp->zero = TRUE;
    else
      break;
  }
  if (*p == '*') {
    int w = va_arg (*ap, int);

    if (w < 0)
      sp->left = TRUE;
    /* the magnitude in 64 bits, where -G_MININT fits */
    sp->width = (gsize) ABS ((gint64) w);
    p++;
  } else {
    while (*p >= '0' && *p <= '9') {
      if (sp->width <= W4_COR_FMT_MAX_WIDTH)
        sp->width = sp->width * 10 + (gsize) (*p - '0');
      p++;
    }
  }
  if (*p == '.') {
    p++;
    if (*p == '*') {
      int pr = va_arg (*ap, int);

      sp->prec = pr < 0 ? -1 : pr;
      p++;
    } else {
      sp->prec = 0;
      while (*p >= '0' && *p <= '9') {
        if (sp->prec <= G_MAXINT / 10)
          sp->prec = sp->prec * 10 + (*p - '0');
        p++;
      }
    }
  }
  *f = p;
}

/* One conversion at *@f (just after its '%'). FALSE: not one this file
 * does; the caller hands the whole call to GLib. */
static gboolean
fmt_conversion (W4CorFmtBuf *b, const char **f, va_list *ap)
{
  W4CorFmtSpec sp;
  const char *p;
  char c;

  fmt_spec (f, ap, &sp);
  p = *f;
  if (sp.width > W4_COR_FMT_MAX_WIDTH)
    return FALSE;
  if (p[0] == 'l' && (p[1] == 'd' || p[1] == 'i' || p[1] == 'u')) {
    if (sp.prec >= 0)
      return FALSE;
    if (p[1] == 'u')
      fmt_integer (b, &sp, va_arg (*ap, unsigned long), FALSE);
    else
      fmt_signed (b, &sp, va_arg (*ap, long));
    *f = p + 2;
    return TRUE;
  }
  if (p[0] == 'z' && p[1] == 'u') {
    if (sp.prec >= 0)
      return FALSE;
    fmt_integer (b, &sp, va_arg (*ap, size_t), FALSE);
    *f = p + 2;
    return TRUE;
  }
  switch (*p) {
  case 's': {
    const char *s = va_arg (*ap, const char *);

    /* NULL: glibc's "(null)", or less under a precision; '0' on a
     * string: not C's to say */
    if (s == NULL || sp.zero)
      return FALSE;
    fmt_padded (b, &sp, s, sp.prec < 0 ? strlen (s) : strnlen (s, (gsize) sp.prec));
    break;
  }
  case 'c':
    c = (char) va_arg (*ap, int);
    if (sp.prec >= 0 || sp.zero)
      return FALSE;
    fmt_padded (b, &sp, &c, 1);
    break;
  case 'd':
  case 'i':
    if (sp.prec >= 0)
      return FALSE;
    fmt_signed (b, &sp, va_arg (*ap, int));
    break;
  case 'u':
    if (sp.prec >= 0)
      return FALSE;
    fmt_integer (b, &sp, va_arg (*ap, unsigned int), FALSE);
    break;
  case '%':
    if (sp.width != 0 || sp.prec >= 0 || sp.left || sp.zero)
      return FALSE;
    fmt_put (b, "%", 1);
    break;
  default:
    return FALSE;
  }
  *f = p + 1;
  return TRUE;
}

/* The whole format into @b. FALSE: a conversion this file does not do
 * (@b then holds a part, to be thrown away). */
static gboolean
fmt_run (W4CorFmtBuf *b, const char *fmt, va_list ap)
{
  const char *f = fmt;
  va_list args;
  gboolean ok = TRUE;

  va_copy (args, ap);
  while (*f != '\0') {
    const char *pct = strchr (f, '%');

    if (pct == NULL) {
      fmt_put (b, f, strlen (f));
      break;
    }
    fmt_put (b, f, (gsize) (pct - f));
    if (pct[1] == 's') {
      /* a plain %s, most of what the texts hold: no flags to read */
      const char *s = va_arg (args, const char *);

      if (s == NULL) {
        ok = FALSE;
        break;
      }
      fmt_put (b, s, strlen (s));
      f = pct + 2;
      continue;
    }
    f = pct + 1;
    if (!fmt_conversion (b, &f, &args)) {
      ok = FALSE;
      break;
    }
  }
  va_end (args);
  return ok;
}

char *
w4_cor_printf (const char *fmt, ...)
{
  W4CorFmtBuf b;
  va_list ap;
  char *out;

  fmt_init (&b);
  va_start (ap, fmt);
  if (!fmt_run (&b, fmt, ap)) {
    out = g_strdup_vprintf (fmt, ap);
  } else {
    out = g_malloc (b.len + 1);
    memcpy (out, b.p, b.len);
    out[b.len] = '\0';
  }
  va_end (ap);
  fmt_clear (&b);
  return out;
}

void
w4_cor_append_printf (GString *s, const char *fmt, ...)
{
  W4CorFmtBuf b;
  va_list ap;

  fmt_init (&b);
  va_start (ap, fmt);
  if (!fmt_run (&b, fmt, ap))
    g_string_append_vprintf (s, fmt, ap);
  else
    g_string_append_len (s, b.p, (gssize) b.len);
  va_end (ap);
  fmt_clear (&b);
}

void
w4_cor_append_uint (GString *s, guint64 v)
{
  char digits[W4_COR_FMT_DIGITS];
  gsize i = fmt_digits (digits, v);

  g_string_append_len (s, digits + i, (gssize) (sizeof digits - i));
}
