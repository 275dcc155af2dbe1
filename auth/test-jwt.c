/* test-jwt.c: tests of strict base64 and JWT claims (base64.h, jwt.h);
 * test-util.h says how inputs are fed. */
#include "test-util.h"

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
      w4_jwt_claims_clear (&cl);
    }
    for (gsize n = 0; n < tc->len; n++) {
      g_autofree char *p = dup_exact (tc->in, n);
      if (w4_jwt_decode (p, n, &cl))
        w4_jwt_claims_clear (&cl);
    }
  }
}

typedef struct {
  const char *desc;
  const char *in;
  gsize len;
  const char *alg, *kid, *iss, *aud;
  guint n_aud;
} JwtFieldCase;

static const JwtFieldCase jwt_field_cases[] = {
  /* {"alg":"HS256","kid":"k1","typ":"JWT"}.{"sub":"alice","iss":"https://idp.test",
   * "aud":"api","exp":1700000000} */
  { "header and string claims", "RFC 7515 4.1.1, 4.1.4; RFC 7519 4.1.1, 4.1.3",
    sizeof ("eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0."
            "eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vaWRwLnRlc3QiLCJhdWQiOiJhcGkiLCJleHAiOjE3MDAwMDAwMDB9.c2ln") - 1,
    "HS256", "k1", "https://idp.test", "api", 1 },
  /* {"alg":"RS256"}.{"sub":"bob","aud":[7,"web","api"]}: the first string */
  { "audience array", "RFC 7519 4.1.3",
    sizeof ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IiLCJhdWQiOls3LCJ3ZWIiLCJhcGkiXX0.c2ln") - 1,
    "RS256", NULL, NULL, "web", 3 },
  /* {"alg":7,"kid":""}.{"aud":[]}: present but not usable */
  { "unusable fields", "RFC 7515 4.1.1",
    sizeof ("eyJhbGciOjcsImtpZCI6IiJ9.eyJhdWQiOltdfQ.") - 1, NULL, NULL, NULL, NULL, 0 },
};
static const char *const jwt_field_tokens[] = {
  "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0."
  "eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vaWRwLnRlc3QiLCJhdWQiOiJhcGkiLCJleHAiOjE3MDAwMDAwMDB9.c2ln",
  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IiLCJhdWQiOls3LCJ3ZWIiLCJhcGkiXX0.c2ln",
  "eyJhbGciOjcsImtpZCI6IiJ9.eyJhdWQiOltdfQ.",
};

static void
test_jwt_fields (void)
{
  G_STATIC_ASSERT (G_N_ELEMENTS (jwt_field_cases) == G_N_ELEMENTS (jwt_field_tokens));
  for (gsize i = 0; i < G_N_ELEMENTS (jwt_field_cases); i++) {
    const JwtFieldCase *tc = &jwt_field_cases[i];
    g_autofree char *buf = dup_exact (jwt_field_tokens[i], tc->len);
    g_autoptr (W4JwtClaims) cl = NULL;

    g_test_message ("%s (%s)", tc->desc, tc->in);
    cl = w4_jwt_new (buf, tc->len);
    g_assert_nonnull (cl);
    g_assert_cmpstr (cl->alg, ==, tc->alg);
    g_assert_cmpstr (cl->kid, ==, tc->kid);
    g_assert_cmpstr (cl->iss, ==, tc->iss);
    g_assert_cmpstr (cl->aud, ==, tc->aud);
    g_assert_cmpuint (cl->n_aud, ==, tc->n_aud);
  }
}

/* {"alg":"none"} . {"iss":"xxx..."} with @n x's, base64url unpadded.
 * (transfer full) */
static char *
token_with_iss (gsize n)
{
  g_autoptr (GString) payload = g_string_new ("{\"iss\":\"");
  g_autofree char *b64 = NULL;
  char *end;

  for (gsize i = 0; i < n; i++)
    g_string_append_c (payload, 'x');
  g_string_append (payload, "\"}");
  b64 = g_base64_encode ((const guchar *) payload->str, payload->len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  end = strchr (b64, '=');
  if (end != NULL)
    *end = '\0';
  return g_strconcat ("eyJhbGciOiJub25lIn0.", b64, ".", NULL);
}

/* W4_JWT_MAX_LEN: the longest token within it is decoded, the next longer
 * one is not, however valid; a long claim is cut to W4_JWT_MAX_FIELD
 * characters. */
static void
test_jwt_caps (void)
{
  gsize n = 3 * W4_JWT_MAX_LEN / 4 - 64;
  g_autofree char *fits = NULL;

  for (;; n++) {
    g_autofree char *tok = token_with_iss (n);
    g_autofree char *buf = NULL;
    g_autoptr (W4JwtClaims) cl = NULL;

    if (strlen (tok) > W4_JWT_MAX_LEN) {
      buf = dup_exact (tok, strlen (tok));
      g_assert_null (w4_jwt_new (buf, strlen (tok)));
      break;
    }
    g_free (fits);
    fits = g_steal_pointer (&tok);
  }
  {
    g_autofree char *buf = dup_exact (fits, strlen (fits));
    g_autoptr (W4JwtClaims) cl = w4_jwt_new (buf, strlen (fits));
    g_assert_nonnull (cl);
    g_assert_cmpuint (g_utf8_strlen (cl->iss, -1), ==, W4_JWT_MAX_FIELD);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/base64", test_base64);
  g_test_add_func ("/auth/jwt", test_jwt);
  g_test_add_func ("/auth/jwt-fields", test_jwt_fields);
  g_test_add_func ("/auth/jwt-caps", test_jwt_caps);
  return g_test_run ();
}
