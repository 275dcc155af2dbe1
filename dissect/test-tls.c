/* test-tls.c: the ClientHello reader (tls-hello.c): SNI and ALPN from
 * whole, split, fragmented, cut and damaged hellos. A hello that is not
 * whole never yields a name, and damage never yields a wrong one. */
#include "test-util.h"
#include "tls-hello.h"

#include <string.h>

/* Feeds @data in @step-byte pieces (all at once when 0). */
static W4TlsHelloState
feed (W4TlsHello *th, const guint8 *data, gsize len, gsize step)
{
  W4TlsHelloState st = th->state;

  for (gsize pos = 0; pos < len;) {
    gsize n = step == 0 ? len - pos : MIN (step, len - pos);
    st = w4_tls_hello_feed (th, data + pos, n);
    pos += n;
  }
  return st;
}

static void
test_sni_and_alpn (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  W4TlsHello th;

  for (gsize step = 0; step <= 7; step++) {
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, rec->len, step), ==, W4_TLS_HELLO_DONE);
    g_assert_cmpstr (th.sni, ==, "api.example.com");
    g_assert_cmpstr (th.alpn, ==, "h2,http/1.1");
    g_assert_true (th.offers_h2);
    g_assert_null (th.msg); /* freed once decided */
    w4_tls_hello_clear (&th);
  }
}

static void
test_no_sni (void)
{
  g_autoptr (GByteArray) rec = t_client_hello (NULL, "http/1.1");
  W4TlsHello th;

  w4_tls_hello_init (&th);
  g_assert_cmpint (feed (&th, rec->data, rec->len, 0), ==, W4_TLS_HELLO_DONE);
  g_assert_null (th.sni);
  g_assert_cmpstr (th.alpn, ==, "http/1.1");
  g_assert_false (th.offers_h2);
  w4_tls_hello_clear (&th);
}

/* Every prefix of the record is a hello still to come: no name yet; lost
 * bytes then decide it without one. */
static void
test_every_prefix (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2");

  for (gsize cut = 0; cut < rec->len; cut++) {
    W4TlsHello th;
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, cut, 0), ==, W4_TLS_HELLO_MORE);
    g_assert_null (th.sni);
    w4_tls_hello_lost (&th);
    g_assert_cmpint (th.state, ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* One handshake message over two records (RFC 8446 5.1 allows it). */
static void
test_two_records (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("split.example.com", NULL);
  g_autoptr (GByteArray) two = g_byte_array_new ();
  gsize payload = rec->len - 5, first = payload / 2;
  guint8 hdr[5] = { 0x16, 0x03, 0x01, 0, 0 };
  W4TlsHello th;

  hdr[3] = (guint8) (first >> 8);
  hdr[4] = (guint8) first;
  g_byte_array_append (two, hdr, 5);
  g_byte_array_append (two, rec->data + 5, (guint) first);
  hdr[3] = (guint8) ((payload - first) >> 8);
  hdr[4] = (guint8) (payload - first);
  g_byte_array_append (two, hdr, 5);
  g_byte_array_append (two, rec->data + 5 + first, (guint) (payload - first));

  w4_tls_hello_init (&th);
  g_assert_cmpint (feed (&th, two->data, two->len, 3), ==, W4_TLS_HELLO_DONE);
  g_assert_cmpstr (th.sni, ==, "split.example.com");
  w4_tls_hello_clear (&th);
}

typedef struct {
  const char *name;
  const guint8 *data;
  gsize len;
} BadCase;

static void
test_not_a_client_hello (void)
{
  static const guint8 app_data[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
  static const guint8 server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 };
  static const guint8 empty_record[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };
  static const guint8 huge_record[] = { 0x16, 0x03, 0x01, 0x48, 0x01 };
  static const guint8 huge_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00 };
  static const guint8 sslv2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01 };
  const BadCase cases[] = {
    { "application data", app_data, sizeof app_data },
    { "server hello", server_hello, sizeof server_hello },
    { "empty record", empty_record, sizeof empty_record },
    { "record over 2^14", huge_record, sizeof huge_record },
    { "hello over the bound", huge_hello, sizeof huge_hello },
    { "SSLv2", sslv2, sizeof sslv2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    W4TlsHello th;
    g_test_message ("%s", cases[i].name);
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, cases[i].data, cases[i].len, 0), ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* A name no DNS name looks like is not reported (terminal escapes,
 * spaces, NUL): no name rather than a wrong one. */
static void
test_bad_names (void)
{
  static const char *const names[] = { "a\033[31m.example", "two words", "x\001y" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (GByteArray) rec = t_client_hello (names[i], "h2");
    W4TlsHello th;
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, rec->len, 0), ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* Every byte of the body replaced by 0x00 and by 0xff: never a crash, and
 * a name, when one comes out, is a DNS name. Length fields that lie run
 * past their parent and fail the parse. */
static void
test_damaged_bytes (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  static const guint8 values[] = { 0x00, 0xff };

  for (gsize at = 9; at < rec->len; at++)
    for (gsize v = 0; v < G_N_ELEMENTS (values); v++) {
      g_autoptr (GByteArray) copy = g_byte_array_sized_new (rec->len);
      W4TlsHello th;
      g_byte_array_append (copy, rec->data, rec->len);
      copy->data[at] = values[v];
      w4_tls_hello_init (&th);
      w4_tls_parse_client_hello (&th, copy->data + 9, copy->len - 9);
      if (th.sni != NULL)
        for (const char *p = th.sni; *p; p++)
          g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_');
      w4_tls_hello_clear (&th);
    }
}

/* Random damage (a few bytes anywhere, record headers too) fed in random
 * pieces: never a crash or a leak (run under the sanitizers in CI), and a
 * name, when one comes out, is a DNS name. */
static void
test_random_damage (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  GRand *rnd = g_rand_new_with_seed (443);

  for (guint round = 0; round < 3000; round++) {
    g_autoptr (GByteArray) copy = g_byte_array_sized_new (rec->len);
    guint n = (guint) g_rand_int_range (rnd, 1, 5);
    W4TlsHello th;
    gsize pos = 0;

    g_byte_array_append (copy, rec->data, rec->len);
    for (guint i = 0; i < n; i++)
      copy->data[g_rand_int_range (rnd, 0, (gint32) copy->len)] = (guint8) g_rand_int (rnd);
    w4_tls_hello_init (&th);
    while (pos < copy->len && th.state == W4_TLS_HELLO_MORE) {
      gsize k = MIN ((gsize) g_rand_int_range (rnd, 1, 200), copy->len - pos);
      w4_tls_hello_feed (&th, copy->data + pos, k);
      pos += k;
    }
    if (th.sni != NULL)
      for (const char *p = th.sni; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_');
    w4_tls_hello_clear (&th);
  }
  g_rand_free (rnd);
}

/* A server_name extension whose list claims more than the extension: the
 * parse fails, no name. */
static void
test_lying_length (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", NULL);
  static const guint8 ext[] = { 0x00, 0x00, 0x00, 0x14, 0x00, 0x12 };
  W4TlsHello th;
  gsize at = 0;

  while (at + sizeof ext <= rec->len && memcmp (rec->data + at, ext, sizeof ext) != 0)
    at++;
  g_assert_cmpuint (at + sizeof ext, <=, rec->len);
  rec->data[at + 5] = 0x40; /* ServerNameList length 0x12 -> 0x40 */
  w4_tls_hello_init (&th);
  g_assert_cmpint (w4_tls_parse_client_hello (&th, rec->data + 9, rec->len - 9), ==, W4_MALFORMED);
  g_assert_null (th.sni);
  w4_tls_hello_clear (&th);
}

/* The ServerHello's version: from supported_versions (TLS 1.3), else
 * legacy_version; every cut prefix and a lying length give none. */
static void
test_server_version (void)
{
  g_autoptr (GByteArray) tls13 = t_server_hello (0x0303, 0x0304);
  g_autoptr (GByteArray) tls12 = t_server_hello (0x0303, 0);
  g_autoptr (GByteArray) client = t_client_hello ("api.example.com", NULL);

  g_assert_cmphex (w4_tls_server_version (tls13->data, tls13->len), ==, 0x0304);
  g_assert_cmphex (w4_tls_server_version (tls12->data, tls12->len), ==, 0x0303);
  for (guint n = 0; n < tls13->len; n++)
    g_assert_cmphex (w4_tls_server_version (tls13->data, n), ==, 0);
  /* a ClientHello is not a ServerHello */
  g_assert_cmphex (w4_tls_server_version (client->data, client->len), ==, 0);
  /* supported_versions claiming 3 bytes: malformed, not a version */
  tls13->data[tls13->len - 3] = 3;
  g_assert_cmphex (w4_tls_server_version (tls13->data, tls13->len), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/sni-and-alpn", test_sni_and_alpn);
  g_test_add_func ("/tls/no-sni", test_no_sni);
  g_test_add_func ("/tls/every-prefix", test_every_prefix);
  g_test_add_func ("/tls/two-records", test_two_records);
  g_test_add_func ("/tls/not-a-client-hello", test_not_a_client_hello);
  g_test_add_func ("/tls/bad-names", test_bad_names);
  g_test_add_func ("/tls/damaged-bytes", test_damaged_bytes);
  g_test_add_func ("/tls/random-damage", test_random_damage);
  g_test_add_func ("/tls/lying-length", test_lying_length);
  g_test_add_func ("/tls/server-version", test_server_version);
  return g_test_run ();
}
