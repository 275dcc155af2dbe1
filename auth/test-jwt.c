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
      g_free (cl.sub);
    }
    for (gsize n = 0; n < tc->len; n++) {
      g_autofree char *p = dup_exact (tc->in, n);
      if (w4_jwt_decode (p, n, &cl))
        g_free (cl.sub);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/base64", test_base64);
  g_test_add_func ("/auth/jwt", test_jwt);
  return g_test_run ();
}
