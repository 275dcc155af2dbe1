/* test-cookie.c: tests of Cookie and Set-Cookie parsing (cookie.h);
 * test-util.h says how inputs are fed. */
#include "test-util.h"

static void
test_cookie_header (void)
{
  static const struct {
    const char *desc;
    const char *in;
    gsize len;
    const char *want;
  } cases[] = {
    { "two cookies", IN ("a=1; b=2"), "a=1|b=2|" },
    { "spaces and empty pieces", IN ("  a = 1 ;; ;b=x=y"), "a=1|b=x=y|" },
    { "no equals skipped", IN ("flag; PHPSESSID=abc"), "PHPSESSID=abc|" },
    { "empty value", IN ("a="), "a=|" },
    { "empty name skipped", IN ("=v; c=d"), "c=d|" },
    { "quoted value kept as sent", IN ("a=\"q\""), "a=\"q\"|" },
    { "empty", IN (""), "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *buf = dup_exact (cases[i].in, cases[i].len);
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);
    g_autoptr (GString) s = g_string_new (NULL);

    g_test_message ("%s (RFC 6265 5.4)", cases[i].desc);
    w4_cookie_parse_header (buf, cases[i].len, out);
    for (guint j = 0; j < out->len; j++) {
      const W4Cookie *c = g_ptr_array_index (out, j);
      g_string_append_printf (s, "%s=%s|", c->name, c->value);
    }
    g_assert_cmpstr (s->str, ==, cases[i].want);
    for (gsize n = 0; n < cases[i].len; n++) {
      g_autofree char *p = dup_exact (cases[i].in, n);
      g_autoptr (GPtrArray) po = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);
      w4_cookie_parse_header (p, n, po);
    }
  }
  {
    GString *many = g_string_new (NULL);
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_cookie_free);
    for (int i = 0; i < 100; i++)
      g_string_append_printf (many, "c%d=v; ", i);
    g_assert_cmpuint (w4_cookie_parse_header (many->str, many->len, out), ==, 64);
    g_string_free (many, TRUE);
  }
}

static char *
set_cookie_str (const W4SetCookie *c)
{
  GString *s = g_string_new (NULL);
  if (c == NULL)
    return g_string_free (s, FALSE);
  g_string_append_printf (s, "%s=%s", c->name, c->value);
  if (c->path)
    g_string_append_printf (s, " path=%s", c->path);
  if (c->domain)
    g_string_append_printf (s, " domain=%s", c->domain);
  if (c->samesite)
    g_string_append_printf (s, " samesite=%s", c->samesite);
  if (c->secure)
    g_string_append (s, " secure");
  if (c->httponly)
    g_string_append (s, " httponly");
  if (c->has_max_age)
    g_string_append_printf (s, " max-age=%" G_GINT64_FORMAT, c->max_age);
  if (c->has_expires)
    g_string_append_printf (s, " expires=%" G_GINT64_FORMAT, c->expires);
  return g_string_free (s, FALSE);
}

static void
test_set_cookie (void)
{
  static const struct {
    const char *desc;
    const char *ref;
    const char *in;
    gsize len;
    const char *want; /* "" when NULL is expected */
  } cases[] = {
    { "all attributes", "RFC 6265 5.2",
      IN ("SID=31d4d96e407aad42; Path=/; Domain=.Example.COM; Secure; HttpOnly; SameSite=lax; Max-Age=3600"),
      "SID=31d4d96e407aad42 path=/ domain=example.com samesite=Lax secure httponly max-age=3600" },
    /* date -u -d 'Wed, 09 Jun 2021 10:18:14 GMT' +%s -> 1623233894 */
    { "expires rfc1123", "RFC 6265 5.1.1", IN ("lang=en-US; Expires=Wed, 09 Jun 2021 10:18:14 GMT"),
      "lang=en-US expires=1623233894" },
    { "expires rfc850", "RFC 6265 5.1.1", IN ("a=b; expires=Wednesday, 09-Jun-21 10:18:14 GMT"),
      "a=b expires=1623233894" },
    { "expires asctime", "RFC 6265 5.1.1", IN ("a=b; expires=Wed Jun  9 10:18:14 2021"),
      "a=b expires=1623233894" },
    { "expires epoch (deletion)", "RFC 6265 5.1.1", IN ("a=; expires=Thu, 01 Jan 1970 00:00:00 GMT"),
      "a= expires=0" },
    { "bad date ignored", "RFC 6265 5.1.1", IN ("a=b; Expires=31 Feb 2021 10:00:00"), "a=b" },
    { "hour 24 ignored", "RFC 6265 5.1.1", IN ("a=b; Expires=01 Jan 2021 24:00:00"), "a=b" },
    { "max-age negative", "RFC 6265 5.2.2", IN ("a=b; Max-Age=-1"), "a=b max-age=-1" },
    { "max-age not a number", "RFC 6265 5.2.2", IN ("a=b; Max-Age=1h"), "a=b" },
    { "max-age huge clamped", "RFC 6265 5.2.2", IN ("a=b; Max-Age=99999999999999999999999"),
      "a=b max-age=1000000000000" },
    { "relative path ignored", "RFC 6265 5.2.4", IN ("a=b; Path=x"), "a=b" },
    { "last attribute wins", "RFC 6265 5.3", IN ("a=b; Path=/x; Path=/y"), "a=b path=/y" },
    { "no equals", "RFC 6265 5.2", IN ("abc; Path=/"), "" },
    { "empty name", "RFC 6265 5.2", IN ("=abc"), "" },
    { "samesite odd kept", "RFC 6265bis 5.6.7", IN ("a=b;SameSite=Weird"), "a=b samesite=Weird" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *buf = dup_exact (cases[i].in, cases[i].len);
    g_autoptr (W4SetCookie) c = NULL;
    g_autofree char *got = NULL;

    g_test_message ("%s (%s)", cases[i].desc, cases[i].ref);
    c = w4_cookie_parse_set (buf, cases[i].len);
    got = set_cookie_str (c);
    g_assert_cmpstr (got, ==, cases[i].want);
    for (gsize n = 0; n < cases[i].len; n++) {
      g_autofree char *p = dup_exact (cases[i].in, n);
      w4_cookie_set_free (w4_cookie_parse_set (p, n));
    }
  }
}

static void
test_session_names (void)
{
  static const char *const yes[] = {
    "PHPSESSID", "JSESSIONID", "session", "sid", "connect.sid", "laravel_session",
    "_gitlab_session", "wordpress_logged_in_0123abcd", "ASP.NET_SessionId",
    "ASPSESSIONIDQACTSTRB", "__Host-session", "SSESS0123abcd", ".AspNetCore.Cookies",
  };
  static const char *const no[] = { "lang", "theme", "_ga", "XSRF-TOKEN", "csrftoken", "", "__Host-" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (w4_cookie_is_session_name (yes[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (w4_cookie_is_session_name (no[i]));
}

/* A Date header's three forms (RFC 9110 5.6.7), read by the cookie-date
 * algorithm; 784111777 is the RFC's example instant. */
static void
test_http_date (void)
{
  static const struct {
    const char *in;
    gboolean ok;
    gint64 want;
  } cases[] = {
    { "Sun, 06 Nov 1994 08:49:37 GMT", TRUE, 784111777 },  /* IMF-fixdate */
    { "Sunday, 06-Nov-94 08:49:37 GMT", TRUE, 784111777 }, /* rfc850-date */
    { "Sun Nov  6 08:49:37 1994", TRUE, 784111777 },       /* asctime-date */
    { "Wed, 02 Dec 2026 01:31:01 GMT", TRUE, 1796175061 },
    { "yesterday", FALSE, 0 },
    { "Sun, 06 Nov 1994 GMT", FALSE, 0 },
    { "", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *buf = dup_exact (cases[i].in, strlen (cases[i].in));
    gint64 t = -1;

    g_test_message ("%s (RFC 9110 5.6.7)", cases[i].in);
    g_assert_cmpint (w4_cookie_parse_date (buf, strlen (cases[i].in), &t), ==, cases[i].ok);
    if (cases[i].ok)
      g_assert_cmpint (t, ==, cases[i].want);
  }
  g_assert_false (w4_cookie_parse_date (NULL, 0, &(gint64){ 0 }));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/cookie/header", test_cookie_header);
  g_test_add_func ("/auth/cookie/set-cookie", test_set_cookie);
  g_test_add_func ("/auth/cookie/session-names", test_session_names);
  g_test_add_func ("/auth/cookie/http-date", test_http_date);
  return g_test_run ();
}
