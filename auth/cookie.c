/* cookie.c: cookies as credentials.
 *
 * Implements RFC 6265 5.4 (a Cookie header is "name=value" pairs separated
 * by ';'), 5.2 (parsing one Set-Cookie: the first name=value pair, then
 * attributes; unknown attributes ignored; the last occurrence of an
 * attribute wins) and 5.1.1 (the cookie-date algorithm, which reads the
 * RFC 1123, RFC 850 and asctime forms alike without strptime).
 *
 * Deliberately not done here: cookie-jar logic (default path, domain
 * matching, Max-Age over Expires precedence); the correlator owns the jar
 * and this file only reports what the header said. Cookie values are kept
 * byte for byte (they are compared and fingerprinted, never shown); names
 * are made printable because reports show them. */
#include "cookie.h"

#include <string.h>

#include "auth-private.h"
#include "w4-token.h"

/* Max-Age beyond this (about 31,700 years) is kept as this. */
#define W4_MAX_AGE_CAP G_GINT64_CONSTANT (1000000000000)

void
w4_cookie_free (W4Cookie *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->value);
  g_free (c);
}

void
w4_cookie_set_free (W4SetCookie *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->value);
  g_free (c->path);
  g_free (c->domain);
  g_free (c->samesite);
  g_free (c);
}

/* Splits "name=value" at the first '=' and trims both; FALSE without '='. */
static gboolean
w4_ck_pair (const char *s, gsize len, const char **name, gsize *name_len, const char **val,
            gsize *val_len)
{
  const char *eq = memchr (s, '=', len);

  if (eq == NULL)
    return FALSE;
  *name = s;
  *name_len = (gsize) (eq - s);
  *val = eq + 1;
  *val_len = len - *name_len - 1;
  w4_tok_trim_ows (name, name_len);
  w4_tok_trim_ows (val, val_len);
  return TRUE;
}

guint
w4_cookie_parse_header (const char *value, gsize len, GPtrArray *out)
{
  gsize off = 0;
  guint added = 0;

  g_return_val_if_fail (value != NULL || len == 0, 0);
  g_return_val_if_fail (out != NULL, 0);
  /* Each turn consumes one ';'-separated piece (at least its separator). */
  while (off < len && added < W4_AUTH_MAX_COOKIES) {
    const char *piece = value + off, *semi, *name, *val;
    gsize plen, name_len, val_len;

    semi = memchr (piece, ';', len - off);
    plen = semi != NULL ? (gsize) (semi - piece) : len - off;
    off += plen + (semi != NULL ? 1 : 0);
    /* Pieces without '=' or with an empty name are not cookies a server
     * could have set through 5.2; browsers skip them too. */
    if (!w4_ck_pair (piece, plen, &name, &name_len, &val, &val_len) || name_len == 0)
      continue;
    {
      W4Cookie *c = g_new0 (W4Cookie, 1);
      c->name = w4_auth_text (name, MIN (name_len, (gsize) W4_AUTH_MAX_COOKIE_LEN),
                              W4_AUTH_MAX_COOKIE_LEN, FALSE);
      c->value = g_strndup (val, MIN (val_len, (gsize) W4_AUTH_MAX_COOKIE_LEN));
      g_ptr_array_add (out, c);
      added++;
    }
  }
  return added;
}

/* ---- RFC 6265 5.1.1 cookie-date ------------------------------------------ */

static gboolean
w4_date_delim (guchar c)
{
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
         (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/* 1*@max DIGIT at @s, then (when @need_end) a non-digit or the end. Reads
 * at most @max digits, so no overflow. Returns digits read, 0 on mismatch. */
static gsize
w4_date_digits (const char *s, gsize len, gsize min, gsize max, guint *out)
{
  gsize i = 0;
  guint v = 0;

  while (i < len && i < max && g_ascii_isdigit (s[i])) {
    v = v * 10 + (guint) (s[i] - '0');
    i++;
  }
  if (i < min || (i < len && g_ascii_isdigit (s[i])))
    return 0;
  *out = v;
  return i;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Hinnant's
 * days_from_civil). */
static gint64
w4_days_from_civil (gint64 y, guint m, guint d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The month (0 for "jan" to 11) the three characters at @tok name, case
 * insensitively; 12 when none. Folded with | 0x20, which maps only the
 * ASCII letters onto the lowercase ones: one compare per month instead
 * of a string compare (every response's Date header is read). */
static guint
w4_date_month (const char *tok)
{
  static const char months[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec" };
  guchar a = (guchar) tok[0] | 0x20, b = (guchar) tok[1] | 0x20, c = (guchar) tok[2] | 0x20;
  guint i;

  for (i = 0; i < 12; i++)
    if (a == (guchar) months[i][0] && b == (guchar) months[i][1] && c == (guchar) months[i][2])
      break;
  return i;
}

static gboolean
w4_parse_cookie_date (const char *s, gsize len, gint64 *out)
{
  static const guint mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean have_time = FALSE, have_day = FALSE, have_month = FALSE, have_year = FALSE;
  guint hh = 0, mm = 0, ss = 0, day = 0, month = 0, year = 0;
  gsize off = 0;

  /* Each turn consumes a delimiter or a whole token. */
  while (off < len) {
    const char *tok = s + off;
    gsize tl = 0;

    if (w4_date_delim ((guchar) s[off])) {
      off++;
      continue;
    }
    while (off + tl < len && !w4_date_delim ((guchar) s[off + tl]))
      tl++;
    off += tl;

    if (!have_time) {
      gsize a, b, c;
      if ((a = w4_date_digits (tok, tl, 1, 2, &hh)) && a < tl && tok[a] == ':' &&
          (b = w4_date_digits (tok + a + 1, tl - a - 1, 1, 2, &mm)) && a + 1 + b < tl &&
          tok[a + 1 + b] == ':' &&
          (c = w4_date_digits (tok + a + b + 2, tl - a - b - 2, 1, 2, &ss))) {
        have_time = TRUE;
        continue;
      }
    }
    if (!have_day && w4_date_digits (tok, tl, 1, 2, &day)) {
      have_day = TRUE;
      continue;
    }
    if (!have_month && tl >= 3) {
      guint i = w4_date_month (tok);
      if (i < 12) {
        month = i + 1;
        have_month = TRUE;
        continue;
      }
    }
    if (!have_year && w4_date_digits (tok, tl, 2, 4, &year)) {
      have_year = TRUE;
      continue;
    }
  }
  if (!have_time || !have_day || !have_month || !have_year)
    return FALSE;
  if (year >= 70 && year <= 99)
    year += 1900;
  else if (year <= 69)
    year += 2000;
  if (day < 1 || day > mdays[month - 1] || year < 1601 || hh > 23 || mm > 59 || ss > 59)
    return FALSE;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    return FALSE;
  *out = w4_days_from_civil (year, month, day) * 86400 + hh * 3600 + mm * 60 + ss;
  return TRUE;
}

gboolean
w4_cookie_parse_date (const char *s, gsize len, gint64 *out)
{
  g_return_val_if_fail (out != NULL, FALSE);
  return s != NULL && w4_parse_cookie_date (s, len, out);
}

/* ---- Set-Cookie ------------------------------------------------------------ */

static void
w4_set_str (char **field, char *v)
{
  g_free (*field);
  *field = v;
}

W4SetCookie *
w4_cookie_parse_set (const char *value, gsize len)
{
  const char *semi, *name, *val;
  gsize nv_len, name_len, val_len, off;
  guint attrs = 0;
  g_autoptr (W4SetCookie) c = NULL;

  g_return_val_if_fail (value != NULL || len == 0, NULL);
  if (value == NULL)
    return NULL;
  semi = memchr (value, ';', len);
  nv_len = semi != NULL ? (gsize) (semi - value) : len;
  if (!w4_ck_pair (value, nv_len, &name, &name_len, &val, &val_len) || name_len == 0)
    return NULL;
  c = g_new0 (W4SetCookie, 1);
  c->name = w4_auth_text (name, MIN (name_len, (gsize) W4_AUTH_MAX_COOKIE_LEN),
                          W4_AUTH_MAX_COOKIE_LEN, FALSE);
  c->value = g_strndup (val, MIN (val_len, (gsize) W4_AUTH_MAX_COOKIE_LEN));

  off = nv_len;
  /* Each turn consumes the ';' at off and one cookie-av; at most
   * W4_AUTH_MAX_COOKIE_ATTRS are read: a real cookie has fewer than ten. */
  while (off < len && attrs < W4_AUTH_MAX_COOKIE_ATTRS) {
    const char *av = value + off + 1, *an, *avv;
    gsize av_len, an_len, avv_len;

    semi = memchr (av, ';', len - off - 1);
    av_len = semi != NULL ? (gsize) (semi - av) : len - off - 1;
    off += 1 + av_len;
    attrs++;
    if (!w4_ck_pair (av, av_len, &an, &an_len, &avv, &avv_len)) {
      an = av;
      an_len = av_len;
      avv = av + av_len;
      avv_len = 0;
      w4_tok_trim_ows (&an, &an_len);
    }
    if (w4_tok_span_ieq (an, an_len, "Expires")) {
      gint64 t;
      if (w4_parse_cookie_date (avv, avv_len, &t)) {
        c->has_expires = TRUE;
        c->expires = t;
      }
    } else if (w4_tok_span_ieq (an, an_len, "Max-Age")) {
      /* 5.2.2: a '-' or a digit first, digits after; ignored otherwise.
       * Saturated rather than overflowing: W4_MAX_AGE_CAP is forever here. */
      gboolean neg = avv_len > 0 && avv[0] == '-';
      gsize i = neg ? 1 : 0;
      gint64 v = 0;
      if (i < avv_len) {
        for (; i < avv_len && g_ascii_isdigit (avv[i]); i++)
          v = MIN (v * 10 + (avv[i] - '0'), W4_MAX_AGE_CAP);
        if (i == avv_len) {
          c->has_max_age = TRUE;
          c->max_age = neg ? -v : v;
        }
      }
    } else if (w4_tok_span_ieq (an, an_len, "Domain")) {
      /* 5.2.3: an empty value is ignored; a leading dot is dropped. */
      if (avv_len > 0 && avv[0] == '.') {
        avv++;
        avv_len--;
      }
      if (avv_len > 0) {
        g_autofree char *d = w4_auth_text (avv, avv_len, 255, FALSE);
        w4_set_str (&c->domain, g_ascii_strdown (d, -1));
      }
    } else if (w4_tok_span_ieq (an, an_len, "Path")) {
      /* 5.2.4: a path not starting with '/' means the default path, which
       * the jar computes from the request: report it as absent. */
      if (avv_len > 0 && avv[0] == '/')
        w4_set_str (&c->path, w4_auth_text (avv, MIN (avv_len, (gsize) W4_AUTH_MAX_COOKIE_LEN),
                                            W4_AUTH_MAX_COOKIE_LEN, FALSE));
      else
        w4_set_str (&c->path, NULL);
    } else if (w4_tok_span_ieq (an, an_len, "Secure")) {
      c->secure = TRUE;
    } else if (w4_tok_span_ieq (an, an_len, "HttpOnly")) {
      c->httponly = TRUE;
    } else if (w4_tok_span_ieq (an, an_len, "SameSite")) {
      /* RFC 6265bis 5.6.7: Strict, Lax or None, case-insensitive; anything
       * else is kept as sent so a report can quote it. */
      if (w4_tok_span_ieq (avv, avv_len, "Strict"))
        w4_set_str (&c->samesite, g_strdup ("Strict"));
      else if (w4_tok_span_ieq (avv, avv_len, "Lax"))
        w4_set_str (&c->samesite, g_strdup ("Lax"));
      else if (w4_tok_span_ieq (avv, avv_len, "None"))
        w4_set_str (&c->samesite, g_strdup ("None"));
      else
        w4_set_str (&c->samesite, w4_auth_text (avv, avv_len, 64, FALSE));
    }
  }
  return g_steal_pointer (&c);
}

/* ---- session cookie names ------------------------------------------------- */

gboolean
w4_cookie_is_session_name (const char *name)
{
  /* Names the common frameworks give their session or login cookies; a
   * token cookie (access_token, jwt) authenticates like one. */
  static const char *const exact[] = {
    "sid", "sessid", "phpsessid", "jsessionid", "connect.sid", "cfid", "cftoken",
    ".aspxauth", ".aspnetcore.cookies", ".aspxformsauth", "auth", "auth_token", "authtoken",
    "access_token", "id_token", "token", "jwt", "remember_token", "remember_me",
    "_oauth2_proxy", "laravel_token", "express:sess", "koa:sess", "rack.session",
    "play_session", "ci_session", "sessionid", "session", "sessiontoken",
  };
  static const char *const prefixes[] = {
    "wordpress_logged_in_", "wordpress_sec_", "aspsessionid", "sess", "ssess",
    ".aspnetcore.session", "_oauth2_proxy", "__session",
  };
  /* No "_token" suffix: XSRF-TOKEN and csrf_token are anti-forgery
   * cookies, not sessions. */
  static const char *const suffixes[] = { "_session", "-session", ".session", "_sess", "_sid",
                                          ".sid", "-sid", "sessionid" };
  g_autofree char *low = NULL;
  const char *n;
  gsize len;

  if (name == NULL || name[0] == '\0')
    return FALSE;
  low = g_ascii_strdown (name, -1);
  n = low;
  /* RFC 6265bis 4.1.3: the __Host- and __Secure- prefixes are decoration. */
  if (g_str_has_prefix (n, "__host-"))
    n += 7;
  else if (g_str_has_prefix (n, "__secure-"))
    n += 9;
  len = strlen (n);
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (exact); i++)
    if (strcmp (n, exact[i]) == 0)
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (n, prefixes[i]))
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (n, suffixes[i]))
      return TRUE;
  return strstr (n, "session") != NULL;
}
