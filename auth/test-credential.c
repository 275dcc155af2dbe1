/* test-credential.c: table-driven tests of Authorization values, NTLM
 * messages built from bytes, and API keys (credential.h, ntlm.h; see
 * test-util.h for how inputs are fed). */
#include "test-util.h"

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
  if (c->jwt) {
    g_string_append_printf (s, " jwt sub=%s", c->jwt->sub ? c->jwt->sub : "-");
    if (c->jwt->has_exp)
      g_string_append_printf (s, " exp=%" G_GINT64_FORMAT, c->jwt->exp);
    if (c->jwt->has_nbf)
      g_string_append_printf (s, " nbf=%" G_GINT64_FORMAT, c->jwt->nbf);
    if (c->jwt->has_iat)
      g_string_append_printf (s, " iat=%" G_GINT64_FORMAT, c->jwt->iat);
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
  if (c->ntlm_workstation != NULL)
    g_string_append_printf (s, " ntlm_ws=%s", c->ntlm_workstation);
  if (c->negotiate_is_ntlm)
    g_string_append (s, " spnego-ntlm");
  if (c->negotiate_spn != NULL)
    g_string_append_printf (s, " spn=%s", c->negotiate_spn);
  return g_string_free (s, FALSE);
}

typedef struct {
  const char *desc;
  const char *ref;
  const char *in;
  gsize len;
  const char *want;
} CredCase;

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
    "NTLM fp=sha256:3c36f0633dea pr=HTTPDOM\\dave ntlm=3 ntlm_user=HTTPDOM\\dave ntlm_ws=HTTPHOST" },
  { "arkime negotiate with raw ntlmssp type 3", "RFC 4559 4.2",
    IN ("Negotiate TlRMTVNTUAADAAAAGAAYAFgAAAAYABgAcAAAABAAEACIAAAABgAGAJgAAAASABIAngAAABAAEACwAAAABQIAAgoAXVgAAAAPAAAAAAAAAAAAAAAAAAAAAExMTExMTExMTExMTExMTExMTExMTExMTE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkgAVABUAFAANgBEAE8ATQBlAHYAZQBIAFQAVABQADYASABPAFMAVABLS0tLS0tLS0tLS0tLS0tL"),
    "Negotiate fp=sha256:c71a801d36ae pr=HTTP6DOM\\eve ntlm=3 ntlm_user=HTTP6DOM\\eve ntlm_ws=HTTP6HOST spnego-ntlm" },
  /* hand-made DER (auth/test-spnego.c's INIT_KRB_APREQ): the AP-REQ's
   * ticket names its service principal in the clear */
  { "negotiate kerberos ap-req", "RFC 4120 5.3, 5.5.1",
    IN ("Negotiate YIHbBgYrBgEFBQKggdAwgc2gJDAiBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICCqKBpASBoWCBngYJKoZIhvcSAQICAQBugY4wgYugAwIBBaEDAgEOogcDBQAAAAAAo1lhVzBVoAMCAQWhDRsLRVhBTVBMRS5DT02iIjAgoAMCAQKhGTAXGwRIVFRQGw93ZWIuZXhhbXBsZS5jb22jGzAZoAMCARKiEgQQAAAAAAAAAAAAAAAAAAAAAKQbMBmgAwIBEqISBBARERERERERERERERERERER"),
    "Negotiate fp=sha256:e8e3b884a0ca pr=ticket for HTTP/web.example.com@EXAMPLE.COM spn=HTTP/web.example.com@EXAMPLE.COM" },
  /* an unknown scheme word before a JWT (djangorestframework-jwt) */
  { "jwt after another scheme word", "RFC 7519 4.1.2", IN ("JWT " JWT2),
    "other fp=sha256:4665d482640e pr=alice jwt sub=alice exp=1700000000" },
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
  g_assert_nonnull (b->jwt);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/credentials/table", test_credentials);
  g_test_add_func ("/auth/credentials/fingerprint", test_fingerprint);
  g_test_add_func ("/auth/credentials/ntlm", test_ntlm);
  g_test_add_func ("/auth/credentials/apikey", test_apikey);
  return g_test_run ();
}
