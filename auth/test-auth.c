/* test-auth.c: table-driven tests of the auth parsers (auth.h).
 *
 * Every input is copied into a g_malloc buffer of exactly its length (no
 * NUL after it), so AddressSanitizer catches a parser reading one byte too
 * far; every row is also fed as every truncated prefix of itself, which
 * must never crash. Parsed results are compared as one canonical string per
 * row, which keeps the tables readable. */
#include <string.h>

#include "auth.h"

/* An input as raw bytes with an explicit length. */
#define IN(s) s, sizeof (s) - 1

static char *
dup_exact (const char *s, gsize len)
{
  /* g_malloc (0) is NULL; the parsers accept (NULL, 0). */
  return len ? g_memdup2 (s, len) : NULL;
}

/* ---- challenges ------------------------------------------------------------ */

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

/* ---- credentials ------------------------------------------------------------ */

static char *
cred_str (const W4Credential *c)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s", w4_auth_scheme_name (c->kind));
  if (c->malformed)
    g_string_append_printf (s, " MALFORMED(%s)", c->malformed_why);
  g_string_append_printf (s, " fp=%s pr=%s", c->fingerprint, c->principal);
  if (c->basic_user != NULL)
    g_string_append_printf (s, " user=%s pw=%s", c->basic_user, c->basic_password);
  if (c->is_jwt) {
    g_string_append_printf (s, " jwt sub=%s", c->jwt_sub ? c->jwt_sub : "-");
    if (c->has_exp)
      g_string_append_printf (s, " exp=%" G_GINT64_FORMAT, c->jwt_exp);
    if (c->has_nbf)
      g_string_append_printf (s, " nbf=%" G_GINT64_FORMAT, c->jwt_nbf);
    if (c->has_iat)
      g_string_append_printf (s, " iat=%" G_GINT64_FORMAT, c->jwt_iat);
  }
  if (c->digest_params != NULL)
    for (guint j = 0; j < c->digest_params->len; j++) {
      const W4AuthParam *p = g_ptr_array_index (c->digest_params, j);
      g_string_append_printf (s, " %s=[%s]", p->name, p->value);
    }
  if (c->ntlm_type != 0)
    g_string_append_printf (s, " ntlm=%u", c->ntlm_type);
  if (c->ntlm_user != NULL)
    g_string_append_printf (s, " ntlm_user=%s", c->ntlm_user);
  if (c->negotiate_is_ntlm)
    g_string_append (s, " spnego-ntlm");
  return g_string_free (s, FALSE);
}

typedef struct {
  const char *desc;
  const char *ref;
  const char *in;
  gsize len;
  const char *want;
} CredCase;

/* JWT header {"alg":"HS256"}, payload
 * {"sub":"alice","exp":1700000000,"nbf":1600000000.5,"iat":1599999999},
 * signature "sig". */
#define JWT "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMCwibmJmIjoxNjAwMDAwMDAwLjUsImlhdCI6MTU5OTk5OTk5OX0.c2ln"
/* payload {"sub":"alice","exp":1700000000} */
#define JWT2 "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln"

static const CredCase cred_cases[] = {
  /* printf %s 'dXNlcjpwdw==' | sha256sum -> 6051a376ba2c... */
  { "basic good", "RFC 7617 2", IN ("Basic dXNlcjpwdw=="),
    "Basic fp=sha256:6051a376ba2c pr=user user=user pw=pw" },
  { "basic two spaces after the scheme", "FINDINGS fingerprints", IN ("Basic  dXNlcjpwdw=="),
    "Basic fp=sha256:6051a376ba2c pr=user user=user pw=pw" },
  { "basic lowercase scheme", "RFC 9110 11.1", IN ("basic dXNlcjpwdw=="),
    "Basic fp=sha256:6051a376ba2c pr=user user=user pw=pw" },
  { "basic colon in password", "RFC 7617 2 (zeek basic-auth-with-colon)", IN ("Basic dXNlcjpwYTpzcw=="),
    "Basic fp=sha256:e4a86abc4a7c pr=user user=user pw=pa:ss" },
  { "basic no colon", "RFC 7617 2", IN ("Basic bm9jb2xvbg=="),
    "Basic MALFORMED(Basic payload has no ':' between user and password) fp=sha256:3721a43c45ad pr=sha256:3721a43c45ad" },
  { "basic not base64", "RFC 4648 4", IN ("Basic dXNlcjpwdw"),
    "Basic MALFORMED(Basic payload is not base64) fp=sha256:b54d6bc4dded pr=sha256:b54d6bc4dded" },
  { "basic bad alphabet", "RFC 4648 4", IN ("Basic dXNl*jpwdw=="),
    "Basic MALFORMED(Basic payload is not base64) fp=sha256:adc0449c9913 pr=sha256:adc0449c9913" },
  { "basic empty user", "RFC 7617 2", IN ("Basic OnB3"),
    "Basic fp=sha256:e8e11f342b03 pr=sha256:e8e11f342b03 user= pw=pw" },
  { "basic alone", "FINDINGS malformed-credentials", IN ("Basic"),
    "Basic MALFORMED(empty credentials) fp=sha256:e3b0c44298fc pr=sha256:e3b0c44298fc" },
  { "basic repeated", "FINDINGS malformed-credentials", IN ("Basic Basic dXNlcjpwdw=="),
    "Basic MALFORMED(the scheme word is repeated) fp=sha256:91e1c7cf67af pr=sha256:91e1c7cf67af" },
  { "empty value", "FINDINGS malformed-credentials", IN (""),
    "token MALFORMED(empty credentials) fp=sha256:e3b0c44298fc pr=sha256:e3b0c44298fc" },
  { "bearer opaque", "RFC 6750 2.1", IN ("Bearer abc"), "Bearer fp=sha256:ba7816bf8f01 pr=sha256:ba7816bf8f01" },
  { "bearer uppercase", "RFC 9110 11.1", IN ("BEARER abc"), "Bearer fp=sha256:ba7816bf8f01 pr=sha256:ba7816bf8f01" },
  { "bearer bearer", "FINDINGS malformed-credentials", IN ("Bearer Bearer x"),
    "Bearer MALFORMED(the scheme word is repeated) fp=sha256:b937a6fd6074 pr=sha256:b937a6fd6074" },
  { "bearer with a space", "RFC 6750 2.1", IN ("Bearer ab cd"),
    "Bearer MALFORMED(the token contains spaces) fp=sha256:b09c5477abec pr=sha256:b09c5477abec" },
  { "bearer quoted", "RFC 6750 2.1", IN ("Bearer \"abc\""),
    "Bearer MALFORMED(the token contains quotes) fp=sha256:6cc43f858fbb pr=sha256:6cc43f858fbb" },
  { "bearer control char", "RFC 6750 2.1", IN ("Bearer ab\x01" "c"),
    "Bearer MALFORMED(the token contains control characters) fp=sha256:ebfd220cc6c9 pr=sha256:ebfd220cc6c9" },
  { "bearer alone", "FINDINGS malformed-credentials", IN ("Bearer"),
    "Bearer MALFORMED(empty credentials) fp=sha256:e3b0c44298fc pr=sha256:e3b0c44298fc" },
  { "bearer jwt", "RFC 7519 4.1", IN ("Bearer " JWT),
    "Bearer fp=sha256:1508ea580840 pr=alice jwt sub=alice exp=1700000000 nbf=1600000000 iat=1599999999" },
  { "bearer jwt exp only", "RFC 7519 4.1.4", IN ("Bearer " JWT2),
    "Bearer fp=sha256:4665d482640e pr=alice jwt sub=alice exp=1700000000" },
  { "bare jwt", "FINDINGS fingerprints", IN (JWT2),
    "token fp=sha256:4665d482640e pr=alice jwt sub=alice exp=1700000000" },
  { "bare opaque with slash", "FINDINGS fingerprints", IN ("ab/c=="),
    "token fp=sha256:95bfc41ee3c9 pr=sha256:95bfc41ee3c9" },
  { "not a jwt: header not json", "RFC 7519 7.2", IN ("Bearer YWJj.YWJj.YWJj"),
    "Bearer fp=sha256:ef8f4737c762 pr=sha256:ef8f4737c762" },
  { "digest", "RFC 7616 3.4",
    IN ("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
        "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
        "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
        "response=\"8ca523f5e9506fed4657c9700eebdbec\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""),
    NULL },
  { "digest username*", "RFC 7616 3.4.4",
    IN ("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"r\", uri=\"/\", response=\"x\""), NULL },
  { "digest garbage", "RFC 7616 3.4", IN ("Digest username=\"a\" realm=\"b\""), NULL },
  { "aws other scheme", "RFC 9110 11.4",
    IN ("AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc"),
    NULL },
  { "negotiate kerberos", "RFC 4559 4.2", IN ("Negotiate YIIBCgYGKwYBBQUC"), NULL },
  { "ntlm not base64", "MS-NLMP", IN ("NTLM !!!!"), NULL },
  { "ntlm not ntlmssp", "MS-NLMP 2.2.1", IN ("NTLM YWJjZA=="), NULL },
  { "ntlm type 1", "MS-NLMP 2.2.1.1", IN ("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="), NULL },
  /* Real values from the shared corpus (tshark -e http.authorization). */
  { "zeek basic-auth-with-colon", "RFC 7617 2", IN ("Basic  dGVzdDoxOjM0"),
    "Basic fp=sha256:d9f1d9ba104c pr=test user=test pw=1:34" },
  { "arkime ntlm type 3, UTF-16 names", "MS-NLMP 2.2.1.3",
    IN ("NTLM TlRMTVNTUAADAAAAGAAYAFgAAAAYABgAcAAAAA4ADgCIAAAACAAIAJYAAAAQABAAngAAABAAEACuAAAABQIAAgoAYUoAAAAPAAAAAAAAAAAAAAAAAAAAAExMTExMTExMTExMTExMTExMTExMTExMTE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkgAVABUAFAARABPAE0AZABhAHYAZQBIAFQAVABQAEgATwBTAFQAS0tLS0tLS0tLS0tLS0tLSw=="),
    "NTLM fp=sha256:3c36f0633dea pr=HTTPDOM\\dave ntlm=3 ntlm_user=HTTPDOM\\dave" },
  { "arkime negotiate with raw ntlmssp type 3", "RFC 4559 4.2",
    IN ("Negotiate TlRMTVNTUAADAAAAGAAYAFgAAAAYABgAcAAAABAAEACIAAAABgAGAJgAAAASABIAngAAABAAEACwAAAABQIAAgoAXVgAAAAPAAAAAAAAAAAAAAAAAAAAAExMTExMTExMTExMTExMTExMTExMTExMTE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkgAVABUAFAANgBEAE8ATQBlAHYAZQBIAFQAVABQADYASABPAFMAVABLS0tLS0tLS0tLS0tLS0tL"),
    "Negotiate fp=sha256:c71a801d36ae pr=HTTP6DOM\\eve ntlm=3 ntlm_user=HTTP6DOM\\eve spnego-ntlm" },
};

/* What the NULL rows above must show (checked field by field: their
 * fingerprints are long to keep in a string). */
static void
check_cred_fields (gsize i, const W4Credential *c)
{
  switch (i) {
  case 23: /* digest */
    g_assert_false (c->malformed);
    g_assert_cmpint (c->kind, ==, W4_SCHEME_DIGEST);
    g_assert_cmpstr (c->principal, ==, "Mufasa");
    g_assert_cmpuint (c->digest_params->len, ==, 10);
    {
      const W4AuthParam *p = g_ptr_array_index (c->digest_params, 2);
      g_assert_cmpstr (p->name, ==, "uri");
      g_assert_cmpstr (p->value, ==, "/dir/index.html");
      p = g_ptr_array_index (c->digest_params, 5);
      g_assert_cmpstr (p->name, ==, "nc");
      g_assert_cmpstr (p->value, ==, "00000001");
      p = g_ptr_array_index (c->digest_params, 7);
      g_assert_cmpstr (p->value, ==, "auth");
      p = g_ptr_array_index (c->digest_params, 8);
      g_assert_cmpstr (p->name, ==, "response");
    }
    break;
  case 24: /* username* */
    g_assert_false (c->malformed);
    g_assert_cmpstr (c->principal, ==, "J\xc3\xa4s\xc3\xb8n Doe");
    break;
  case 25:
    g_assert_true (c->malformed);
    g_assert_cmpstr (c->malformed_why, ==, "Digest parameters cannot be parsed");
    break;
  case 26:
    g_assert_false (c->malformed);
    g_assert_cmpint (c->kind, ==, W4_SCHEME_OTHER);
    g_assert_cmpstr (c->scheme, ==, "AWS4-HMAC-SHA256");
    g_assert_cmpstr (c->principal, ==, c->fingerprint);
    break;
  case 27:
    g_assert_false (c->malformed);
    g_assert_cmpint (c->kind, ==, W4_SCHEME_NEGOTIATE);
    g_assert_false (c->negotiate_is_ntlm);
    g_assert_cmpuint (c->ntlm_type, ==, 0);
    break;
  case 28:
    g_assert_true (c->malformed);
    g_assert_cmpstr (c->malformed_why, ==, "NTLM token is not base64");
    break;
  case 29:
    g_assert_true (c->malformed);
    g_assert_cmpstr (c->malformed_why, ==, "NTLM token is not an NTLMSSP message");
    break;
  case 30:
    g_assert_false (c->malformed);
    g_assert_cmpuint (c->ntlm_type, ==, 1);
    g_assert_null (c->ntlm_user);
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
test_credentials (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cred_cases); i++) {
    const CredCase *tc = &cred_cases[i];
    g_autofree char *buf = dup_exact (tc->in, tc->len);
    g_autoptr (W4Credential) c = NULL;

    g_test_message ("%s (%s)", tc->desc, tc->ref);
    c = w4_auth_parse_credentials (buf, tc->len);
    g_assert_nonnull (c);
    g_assert_nonnull (c->fingerprint);
    g_assert_nonnull (c->principal);
    if (tc->want != NULL) {
      g_autofree char *got = cred_str (c);
      g_assert_cmpstr (got, ==, tc->want);
    } else {
      check_cred_fields (i, c);
    }
    for (gsize n = 0; n < tc->len; n++) {
      g_autofree char *p = dup_exact (tc->in, n);
      g_autoptr (W4Credential) pc = w4_auth_parse_credentials (p, n);
      g_assert_nonnull (pc);
    }
  }
}

/* A fingerprint over a value the shell can check:
 * printf %s 'dXNlcjpwdw==' | sha256sum -> 6051a376ba2c... */
static void
test_fingerprint (void)
{
  g_autofree char *a = w4_auth_fingerprint ("dXNlcjpwdw==", 12);
  g_autofree char *b = w4_auth_fingerprint ("abc", 3);
  g_autofree char *e = w4_auth_fingerprint (NULL, 0);

  g_assert_cmpstr (a, ==, "sha256:6051a376ba2c");
  g_assert_cmpstr (b, ==, "sha256:ba7816bf8f01");
  g_assert_cmpstr (e, ==, "sha256:e3b0c44298fc");
}

/* ---- NTLM built from bytes --------------------------------------------------- */

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
}

static void
put32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
put_buf (guint8 *msg, gsize field, guint16 len, guint32 off)
{
  put16 (msg + field, len);
  put16 (msg + field + 2, len);
  put32 (msg + field + 4, off);
}

/* MS-NLMP 2.2.1.3 AUTHENTICATE_MESSAGE: 64 bytes of fixed fields, then
 * domain, user and workstation names; LM/NT responses and the session key
 * left empty (the parser does not look at them). */
static GByteArray *
ntlm_type3 (gboolean unicode, const char *dom, const char *user)
{
  GByteArray *m = g_byte_array_new ();
  guint8 fixed[64] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 3, 0, 0, 0 };
  guint32 off = 64;
  GByteArray *names = g_byte_array_new ();
  const char *parts[3] = { dom, user, "WS" };
  const gsize fields[3] = { 28, 36, 44 };

  for (int k = 0; k < 3; k++) {
    gsize n = strlen (parts[k]);
    guint16 blen = (guint16) (unicode ? 2 * n : n);
    put_buf (fixed, fields[k], blen, off);
    for (gsize j = 0; j < n; j++) {
      guint8 ch[2] = { (guint8) parts[k][j], 0 };
      g_byte_array_append (names, ch, unicode ? 2 : 1);
    }
    off += blen;
  }
  put_buf (fixed, 12, 0, off);
  put_buf (fixed, 20, 0, off);
  put_buf (fixed, 52, 0, off);
  put32 (fixed + 60, unicode ? 0xa2888205u : 0xa2888206u);
  g_byte_array_append (m, fixed, sizeof fixed);
  g_byte_array_append (m, names->data, names->len);
  g_byte_array_unref (names);
  return m;
}

static W4Credential *
parse_header_with_blob (const char *scheme, const guint8 *blob, gsize len, char **header)
{
  g_autofree char *b64 = g_base64_encode (blob, len);
  g_autofree char *v = g_strconcat (scheme, " ", b64, NULL);
  gsize vlen = strlen (v);
  g_autofree char *exact = dup_exact (v, vlen);
  W4Credential *c = w4_auth_parse_credentials (exact, vlen);

  /* Every truncated prefix too. */
  for (gsize n = 0; n < vlen; n++) {
    g_autofree char *p = dup_exact (v, n);
    w4_auth_credential_free (w4_auth_parse_credentials (p, n));
  }
  if (header != NULL)
    *header = g_steal_pointer (&v);
  return c;
}

static void
test_ntlm (void)
{
  g_autoptr (GByteArray) u = ntlm_type3 (TRUE, "CORP", "alice");
  g_autoptr (GByteArray) o = ntlm_type3 (FALSE, "CORP", "bob");
  g_autoptr (GByteArray) nodom = ntlm_type3 (TRUE, "", "carol");
  g_autoptr (W4Credential) c = NULL;

  c = parse_header_with_blob ("NTLM", u->data, u->len, NULL);
  g_assert_false (c->malformed);
  g_assert_cmpuint (c->ntlm_type, ==, 3);
  g_assert_cmpstr (c->ntlm_user, ==, "CORP\\alice");
  g_assert_cmpstr (c->principal, ==, "CORP\\alice");
  g_clear_pointer (&c, w4_auth_credential_free);

  c = parse_header_with_blob ("NTLM", o->data, o->len, NULL);
  g_assert_cmpstr (c->principal, ==, "CORP\\bob");
  g_clear_pointer (&c, w4_auth_credential_free);

  c = parse_header_with_blob ("NTLM", nodom->data, nodom->len, NULL);
  g_assert_cmpstr (c->principal, ==, "carol");
  g_clear_pointer (&c, w4_auth_credential_free);

  /* Negotiate with raw NTLMSSP (RFC 4559 allows it) */
  c = parse_header_with_blob ("Negotiate", u->data, u->len, NULL);
  g_assert_true (c->negotiate_is_ntlm);
  g_assert_cmpint (c->kind, ==, W4_SCHEME_NEGOTIATE);
  g_assert_cmpstr (c->principal, ==, "CORP\\alice");
  g_clear_pointer (&c, w4_auth_credential_free);

  /* SPNEGO NegTokenResp (RFC 4178 4.2.2) wrapping it:
   * a1 82 LL LL  30 82 LL LL  a2 82 LL LL  04 82 LL LL  <NTLMSSP> */
  {
    g_autoptr (GByteArray) sp = g_byte_array_new ();
    guint n = u->len;
    guint8 hdr[16] = { 0xa1, 0x82, (guint8) ((n + 12) >> 8), (guint8) (n + 12),
                       0x30, 0x82, (guint8) ((n + 8) >> 8),  (guint8) (n + 8),
                       0xa2, 0x82, (guint8) ((n + 4) >> 8),  (guint8) (n + 4),
                       0x04, 0x82, (guint8) (n >> 8),        (guint8) n };
    g_byte_array_append (sp, hdr, sizeof hdr);
    g_byte_array_append (sp, u->data, u->len);
    c = parse_header_with_blob ("Negotiate", sp->data, sp->len, NULL);
    g_assert_false (c->malformed);
    g_assert_true (c->negotiate_is_ntlm);
    g_assert_cmpuint (c->ntlm_type, ==, 3);
    g_assert_cmpstr (c->principal, ==, "CORP\\alice");
    g_clear_pointer (&c, w4_auth_credential_free);
  }

  /* A lying user buffer (offset past the end): no user, no crash. */
  {
    g_autoptr (GByteArray) bad = ntlm_type3 (TRUE, "CORP", "alice");
    put_buf (bad->data, 36, 10, 0xfffffff0u);
    c = parse_header_with_blob ("NTLM", bad->data, bad->len, NULL);
    g_assert_cmpuint (c->ntlm_type, ==, 3);
    g_assert_null (c->ntlm_user);
    g_assert_cmpstr (c->principal, ==, c->fingerprint);
    g_clear_pointer (&c, w4_auth_credential_free);
  }

  /* Type 2 as a server would send it, also through the credential parser. */
  {
    guint8 t2[32] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0 };
    c = parse_header_with_blob ("NTLM", t2, sizeof t2, NULL);
    g_assert_cmpuint (c->ntlm_type, ==, 2);
    g_clear_pointer (&c, w4_auth_credential_free);
  }
}

/* ---- API keys ------------------------------------------------------------------ */

static void
test_apikey (void)
{
  g_autofree char *v = dup_exact (IN ("abc"));
  g_autofree char *j = dup_exact (IN (JWT2));
  g_autoptr (W4Credential) a = w4_auth_parse_apikey (v, 3);
  g_autoptr (W4Credential) b = w4_auth_parse_apikey (j, strlen (JWT2));
  g_autoptr (W4Credential) e = w4_auth_parse_apikey (NULL, 0);

  g_assert_cmpint (a->kind, ==, W4_SCHEME_APIKEY);
  g_assert_cmpstr (a->fingerprint, ==, "sha256:ba7816bf8f01");
  g_assert_false (a->malformed);
  g_assert_true (b->is_jwt);
  g_assert_cmpstr (b->principal, ==, "alice");
  g_assert_true (e->malformed);

  g_assert_true (w4_auth_is_apikey_header ("x-api-key", 9));
  g_assert_true (w4_auth_is_apikey_header ("Api-Key", 7));
  g_assert_true (w4_auth_is_apikey_header ("X-AUTH-TOKEN", 12));
  g_assert_false (w4_auth_is_apikey_header ("X-API-Keys", 10));
  g_assert_false (w4_auth_is_apikey_header ("X-API-Key", 5));

  g_assert_cmpint (w4_auth_scheme_from_word ("negotiate", 9), ==, W4_SCHEME_NEGOTIATE);
  g_assert_cmpint (w4_auth_scheme_from_word ("Basicx", 5), ==, W4_SCHEME_BASIC);
  g_assert_cmpint (w4_auth_scheme_from_word ("token", 5), ==, W4_SCHEME_OTHER);
  g_assert_cmpstr (w4_auth_scheme_name (W4_SCHEME_APIKEY), ==, "API key");
}

/* ---- base64 and JWT ------------------------------------------------------------- */

typedef struct {
  const char *desc;
  const char *in;
  gsize len;
  gboolean url;
  const char *want; /* NULL: rejected */
} B64Case;

static const B64Case b64_cases[] = {
  { "padded", IN ("dXNlcjpwdw=="), FALSE, "user:pw" },
  { "one pad", IN ("YWJjZA=="), FALSE, "abcd" },
  { "no pad needed", IN ("YWJj"), FALSE, "abc" },
  { "missing padding", IN ("YWJjZA"), FALSE, NULL },
  { "bad char", IN ("YW*j"), FALSE, NULL },
  { "space", IN ("YW Jj"), FALSE, NULL },
  { "pad in the middle", IN ("YW==YWJj"), FALSE, NULL },
  { "three pads", IN ("Y==="), FALSE, NULL },
  { "url alphabet in std", IN ("-_-_"), FALSE, NULL },
  { "empty", IN (""), FALSE, "" },
  { "url unpadded", IN ("YWJjZA"), TRUE, "abcd" },
  { "url padded", IN ("YWJjZA=="), TRUE, "abcd" },
  { "url one char left", IN ("YWJjZ"), TRUE, NULL },
  { "url std alphabet", IN ("ab+/"), TRUE, NULL },
};

static void
test_base64 (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (b64_cases); i++) {
    const B64Case *tc = &b64_cases[i];
    g_autofree char *buf = dup_exact (tc->in, tc->len);
    gsize n = 0;
    g_autofree guint8 *out = tc->url ? w4_b64_decode_url (buf, tc->len, &n)
                                     : w4_b64_decode_strict (buf, tc->len, &n);
    g_test_message ("%s (RFC 4648 4, 5)", tc->desc);
    if (tc->want == NULL) {
      g_assert_null (out);
    } else {
      g_assert_nonnull (out);
      g_assert_cmpmem (out, n, tc->want, strlen (tc->want));
    }
  }
}

typedef struct {
  const char *desc;
  const char *in;
  gsize len;
  gboolean ok;
  const char *sub;
  gint64 exp;
} JwtCase;

static const JwtCase jwt_cases[] = {
  { "claims", IN (JWT), TRUE, "alice", 1700000000 },
  { "empty signature (alg none)", IN ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0."), TRUE, "alice", 1700000000 },
  { "two segments", IN ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9"), FALSE, NULL, 0 },
  { "four segments", IN ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.a.b"), FALSE, NULL, 0 },
  { "payload is an array", IN ("eyJhbGciOiJIUzI1NiJ9.WzFd.c2ln"), FALSE, NULL, 0 },
  { "empty header", IN (".eyJzdWIiOiJhbGljZSJ9.c2ln"), FALSE, NULL, 0 },
  /* {"alg":"none"} . {"exp":"soon","sub":7} : present but not usable */
  { "wrong claim types", IN ("eyJhbGciOiJub25lIn0.eyJleHAiOiJzb29uIiwic3ViIjo3fQ."), TRUE, NULL, -1 },
};

static void
test_jwt (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (jwt_cases); i++) {
    const JwtCase *tc = &jwt_cases[i];
    g_autofree char *buf = dup_exact (tc->in, tc->len);
    W4JwtClaims cl;
    gboolean ok;

    g_test_message ("%s (RFC 7519)", tc->desc);
    ok = w4_jwt_decode (buf, tc->len, &cl);
    g_assert_cmpint (ok, ==, tc->ok);
    if (ok) {
      g_assert_cmpstr (cl.sub, ==, tc->sub);
      if (tc->exp >= 0) {
        g_assert_true (cl.has_exp);
        g_assert_cmpint (cl.exp, ==, tc->exp);
      } else {
        g_assert_false (cl.has_exp);
      }
      g_free (cl.sub);
    }
    for (gsize n = 0; n < tc->len; n++) {
      g_autofree char *p = dup_exact (tc->in, n);
      if (w4_jwt_decode (p, n, &cl))
        g_free (cl.sub);
    }
  }
}

/* ---- cookies ---------------------------------------------------------------------- */

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

/* ---- server messages and URIs -------------------------------------------------- */

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
  g_test_add_func ("/auth/challenge/table", test_challenges);
  g_test_add_func ("/auth/challenge/across-headers", test_challenges_across_headers);
  g_test_add_func ("/auth/challenge/caps", test_challenge_caps);
  g_test_add_func ("/auth/credentials/table", test_credentials);
  g_test_add_func ("/auth/credentials/fingerprint", test_fingerprint);
  g_test_add_func ("/auth/credentials/ntlm", test_ntlm);
  g_test_add_func ("/auth/credentials/apikey", test_apikey);
  g_test_add_func ("/auth/base64", test_base64);
  g_test_add_func ("/auth/jwt", test_jwt);
  g_test_add_func ("/auth/cookie/header", test_cookie_header);
  g_test_add_func ("/auth/cookie/set-cookie", test_set_cookie);
  g_test_add_func ("/auth/cookie/session-names", test_session_names);
  g_test_add_func ("/auth/server-message", test_server_message);
  g_test_add_func ("/auth/redact-uri", test_redact_uri);
  return g_test_run ();
}
