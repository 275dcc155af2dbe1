/* test-message.c: tests of the server's words and URI redaction
 * (message.h, redact.h); test-util.h says how inputs are fed. */
#include "test-util.h"

static void
test_server_message (void)
{
  static const struct {
    const char *desc;
    const char *ref;
    const char *in;
    gsize len;
    const char *want;
  } cases[] = {
    { "oauth error", "RFC 6749 5.2",
      IN ("{\"error\": \"invalid_token\", \"error_description\": \"expired\"}"), "invalid_token: expired" },
    { "nested error message", "Google JSON style",
      IN ("{\"error\": {\"code\": 401, \"message\": \"Request had invalid credentials.\"}}"),
      "Request had invalid credentials." },
    { "wordpress code", "WordPress REST API",
      IN ("{\"code\":\"rest_cookie_invalid_nonce\",\"message\":\"Cookie check failed\",\"data\":{\"status\":403}}"),
      "rest_cookie_invalid_nonce: Cookie check failed" },
    { "problem details", "RFC 9457 3.1",
      IN ("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"Token expired\"}"),
      "Token expired" },
    { "title only", "RFC 9457 3.1", IN ("{\"title\":\"Forbidden\"}"), "Forbidden" },
    { "spring", "Spring Boot error",
      IN ("{\"status\":401,\"error\":\"Unauthorized\",\"message\":\"Full authentication is required\"}"),
      "Unauthorized: Full authentication is required" },
    { "control characters stripped", "FINDINGS server_message",
      IN ("{\"message\":\"bad\\u0007 to\\nken\"}"), "bad to ken" },
    { "array", "only objects", IN ("[\"error\"]"), NULL },
    { "html", "not JSON", IN ("<html>401</html>"), NULL },
    { "no field", "auth.h", IN ("{\"status\":401}"), NULL },
    { "empty", "auth.h", IN (""), NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *buf = dup_exact (cases[i].in, cases[i].len);
    g_autofree char *got = NULL;

    g_test_message ("%s (%s)", cases[i].desc, cases[i].ref);
    got = w4_message_from_body ("application/json", (const guint8 *) buf, cases[i].len);
    g_assert_cmpstr (got, ==, cases[i].want);
    for (gsize n = 0; n < cases[i].len; n++) {
      g_autofree char *p = dup_exact (cases[i].in, n);
      g_free (w4_message_from_body (NULL, (const guint8 *) p, n));
    }
  }

  /* Over 4 KiB: not considered. Long messages: 300 characters. */
  {
    GString *big = g_string_new ("{\"message\":\"");
    g_autofree char *m = NULL;
    for (int i = 0; i < 500; i++)
      g_string_append (big, "\xc3\xa9");
    g_string_append (big, "\"}");
    m = w4_message_from_body ("application/json", (const guint8 *) big->str, big->len);
    g_assert_cmpuint (g_utf8_strlen (m, -1), ==, 300);
    while (big->len <= 4096)
      g_string_insert (big, 1, " ");
    g_assert_null (w4_message_from_body ("application/json", (const guint8 *) big->str, big->len));
    g_string_free (big, TRUE);
  }
}

static void
test_redact_uri (void)
{
  static const struct {
    const char *in;
    const char *want;
  } cases[] = {
    { "/api?access_token=abc&x=1", "/api?access_token=[redacted]&x=1" },
    { "/cb?code=xyz&state=s", "/cb?code=[redacted]&state=s" },
    { "/x?API_KEY=k&Sig=s&signature=t&keys=ok", "/x?API_KEY=[redacted]&Sig=[redacted]&signature=[redacted]&keys=ok" },
    { "/x?refresh_token=r&client_secret=c", "/x?refresh_token=[redacted]&client_secret=[redacted]" },
    { "/x?access%5Ftoken=a", "/x?access%5Ftoken=[redacted]" },
    { "/x?token", "/x?token" },
    { "/plain", "/plain" },
    { "/x?a=1#access_token=t&b=2", "/x?a=1#access_token=[redacted]&b=2" },
    { "http://user:pw@host/p?password=x", "http://user:[redacted]@host/p?password=[redacted]" },
    { "http://host/p?&&key=", "http://host/p?&&key=[redacted]" },
    /* a CONNECT's authority form with userinfo (non-standard, but sent) */
    { "user:pw@host:443", "user:[redacted]@host:443" },
    { "host:443", "host:443" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *got = w4_redact_uri (cases[i].in);
    g_test_message ("%s (FINDINGS secrets)", cases[i].in);
    g_assert_cmpstr (got, ==, cases[i].want);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/server-message", test_server_message);
  g_test_add_func ("/auth/redact-uri", test_redact_uri);
  return g_test_run ();
}
