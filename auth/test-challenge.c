/* test-challenge.c: table-driven tests of WWW-Authenticate parsing
 * (challenge.h); test-util.h says how inputs are fed. */
#include "test-util.h"

static char *
challenges_str (GPtrArray *cs)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < cs->len; i++) {
    const W4Challenge *c = g_ptr_array_index (cs, i);
    if (i > 0)
      g_string_append (s, " | ");
    g_string_append_printf (s, "%s<%s>", c->scheme, w4_auth_scheme_name (c->kind));
    if (c->token68 != NULL)
      g_string_append_printf (s, " t68=%s", c->token68);
    for (guint j = 0; j < c->params->len; j++) {
      const W4AuthParam *p = g_ptr_array_index (c->params, j);
      g_string_append_printf (s, " %s=[%s]", p->name, p->value);
    }
  }
  return g_string_free (s, FALSE);
}

typedef struct {
  const char *desc;
  const char *ref;
  const char *in;
  gsize len;
  const char *want;
} ChallengeCase;

static const ChallengeCase challenge_cases[] = {
  { "basic realm", "RFC 7617 2", IN ("Basic realm=\"WallyWorld\""), "Basic<Basic> realm=[WallyWorld]" },
  { "two challenges, quoted comma", "RFC 9110 11.6.1",
    IN ("Basic realm=\"a, b\", Bearer error=\"invalid_token\", error_description=\"The access token expired\""),
    "Basic<Basic> realm=[a, b] | Bearer<Bearer> error=[invalid_token] error_description=[The access token expired]" },
  { "bare schemes", "RFC 4559 4.1", IN ("Negotiate, NTLM"), "Negotiate<Negotiate> | NTLM<NTLM>" },
  { "digest with qop list", "RFC 7616 3.3",
    IN ("Digest realm=\"x\", qop=\"auth,auth-int\", nonce=\"abc\", algorithm=MD5"),
    "Digest<Digest> realm=[x] qop=[auth,auth-int] nonce=[abc] algorithm=[MD5]" },
  { "digest stale", "RFC 7616 3.3",
    IN ("Digest realm=\"r\", nonce=\"n2\", stale=true, qop=\"auth\""),
    "Digest<Digest> realm=[r] nonce=[n2] stale=[true] qop=[auth]" },
  { "escapes in quoted string", "RFC 9110 5.6.4",
    IN ("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\""),
    "Newauth<other> realm=[apps] type=[1] title=[Login to \"apps\"] | Basic<Basic> realm=[simple]" },
  { "token68 then another", "RFC 9110 11.2",
    IN ("Negotiate YIIBCgYGKwYBBQUCoIH/MIH8oDAwLgYKKwYBBAGCNwICCgYJKoZIgvcSAQICBgkqhkiG9xIBAgIG=="
        ", Basic realm=\"x\""),
    "Negotiate<Negotiate> t68=YIIBCgYGKwYBBQUCoIH/MIH8oDAwLgYKKwYBBAGCNwICCgYJKoZIgvcSAQICBgkqhkiG9xIBAgIG== | Basic<Basic> realm=[x]" },
  { "ntlm type 2 token68", "MS-NLMP 2.2.1.2", IN ("NTLM TlRMTVNTUAACAAAA"), "NTLM<NTLM> t68=TlRMTVNTUAACAAAA" },
  { "token68 ending in one =", "RFC 9110 11.2", IN ("Foo abc="), "Foo<other> t68=abc=" },
  { "case-insensitive scheme", "RFC 9110 11.1", IN ("BEARER realm=\"api\""), "BEARER<Bearer> realm=[api]" },
  { "param name lowercased, BWS", "RFC 9110 11.2", IN ("Basic Realm = \"x\""), "Basic<Basic> realm=[x]" },
  { "trailing and empty elements", "RFC 9110 5.6.1", IN (" , Basic realm=\"x\",, ,"), "Basic<Basic> realm=[x]" },
  { "unquoted value with slash", "leniency", IN ("Bearer realm=a/b, scope=read"), "Bearer<Bearer> realm=[a/b] scope=[read]" },
  { "unterminated quote keeps the challenge", "RFC 9110 5.6.4", IN ("Basic realm=\"abc"), "Basic<Basic>" },
  { "garbage stops parsing", "RFC 9110 11.6.1", IN ("Basic realm=\"x\", @@@, Bearer"), "Basic<Basic> realm=[x]" },
  { "api key challenge", "FINDINGS Words", IN ("ApiKey realm=\"x\""), "ApiKey<API key> realm=[x]" },
  { "empty", "RFC 9110 11.6.1", IN (""), "" },
  { "quoted-pair backslash", "RFC 9110 5.6.4", IN ("Basic realm=\"a\\\\b\""), "Basic<Basic> realm=[a\\b]" },
};

static void
test_challenges (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (challenge_cases); i++) {
    const ChallengeCase *tc = &challenge_cases[i];
    g_autofree char *buf = dup_exact (tc->in, tc->len);
    g_autoptr (GPtrArray) cs = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);
    g_autofree char *got = NULL;

    g_test_message ("%s (%s)", tc->desc, tc->ref);
    w4_auth_parse_challenges (buf, tc->len, cs);
    got = challenges_str (cs);
    g_assert_cmpstr (got, ==, tc->want);

    for (gsize n = 0; n < tc->len; n++) {
      g_autofree char *p = dup_exact (tc->in, n);
      g_autoptr (GPtrArray) pc = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);
      w4_auth_parse_challenges (p, n, pc);
    }
  }
}

static void
test_challenges_across_headers (void)
{
  /* Two WWW-Authenticate fields append to one list (RFC 9110 11.6.1). */
  g_autoptr (GPtrArray) cs = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);
  g_autofree char *a = dup_exact (IN ("Negotiate"));
  g_autofree char *b = dup_exact (IN ("Basic realm=\"r\""));
  g_autofree char *got = NULL;
  const W4Challenge *c;
  g_autofree char *msg = NULL;

  g_assert_cmpuint (w4_auth_parse_challenges (a, 9, cs), ==, 1);
  g_assert_cmpuint (w4_auth_parse_challenges (b, 15, cs), ==, 1);
  got = challenges_str (cs);
  g_assert_cmpstr (got, ==, "Negotiate<Negotiate> | Basic<Basic> realm=[r]");
  c = g_ptr_array_index (cs, 1);
  g_assert_cmpstr (w4_auth_challenge_param (c, "REALM"), ==, "r");
  g_assert_null (w4_auth_challenge_param (c, "nonce"));
  g_assert_null (w4_message_from_challenge (c));

  g_ptr_array_set_size (cs, 0);
  {
    g_autofree char *v = dup_exact (IN ("Bearer realm=\"x\", error=\"invalid_token\", "
                                         "error_description=\"The access token expired\""));
    w4_auth_parse_challenges (v, strlen ("Bearer realm=\"x\", error=\"invalid_token\", "
                                         "error_description=\"The access token expired\""), cs);
  }
  msg = w4_message_from_challenge (g_ptr_array_index (cs, 0));
  g_assert_cmpstr (msg, ==, "invalid_token: The access token expired");
}

static void
test_challenge_caps (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr (GPtrArray) cs = g_ptr_array_new_with_free_func ((GDestroyNotify) w4_auth_challenge_free);
  const W4Challenge *c;

  for (int i = 0; i < 100; i++)
    g_string_append (s, "Basic, ");
  g_assert_cmpuint (w4_auth_parse_challenges (s->str, s->len, cs), ==, 32);
  g_ptr_array_set_size (cs, 0);
  g_string_assign (s, "Digest ");
  for (int i = 0; i < 100; i++)
    g_string_append_printf (s, "p%d=\"v\", ", i);
  g_assert_cmpuint (w4_auth_parse_challenges (s->str, s->len, cs), ==, 1);
  c = g_ptr_array_index (cs, 0);
  g_assert_cmpuint (c->params->len, ==, 64);
  g_string_free (s, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/challenge/table", test_challenges);
  g_test_add_func ("/auth/challenge/across-headers", test_challenges_across_headers);
  g_test_add_func ("/auth/challenge/caps", test_challenge_caps);
  return g_test_run ();
}
