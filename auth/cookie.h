/* cookie.h: Cookie and Set-Cookie values (RFC 6265). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;
  char *value;   /* secret */
} W4Cookie;

void w4_cookie_free (W4Cookie *c);
/* Splits a Cookie header value ("a=1; b=2") appending W4Cookie to @out (at
 * most 64 per value). Returns how many were appended. */
guint w4_cookie_parse_header (const char *value, gsize len, GPtrArray *out);

typedef struct {
  char *name;
  char *value;
  char *path, *domain, *samesite;  /* NULL when absent */
  gboolean secure, httponly;
  gboolean has_max_age;
  gint64 max_age;
  gboolean has_expires;
  gint64 expires;                  /* seconds since the epoch */
} W4SetCookie;

void w4_cookie_set_free (W4SetCookie *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4SetCookie, w4_cookie_set_free)
/* Parses one Set-Cookie value (RFC 6265 5.2); NULL when it has no name=value. */
W4SetCookie *w4_cookie_parse_set (const char *value, gsize len);

/* RFC 6265 5.1.1 cookie-date into seconds since the epoch; it also reads
 * the three HTTP-date forms of RFC 9110 5.6.7 (IMF-fixdate, rfc850-date,
 * asctime-date), as a `Date` header carries them. FALSE when no date. */
gboolean w4_cookie_parse_date (const char *s, gsize len, gint64 *out);

/* Does the cookie name look like a session cookie (PHPSESSID, JSESSIONID,
 * session, sid, connect.sid, *_session, wordpress_logged_in_*, ...)? */
gboolean w4_cookie_is_session_name (const char *name);

G_END_DECLS
