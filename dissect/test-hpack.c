/* test-hpack.c: h2-hpack.c against RFC 7541 appendix C: the request
 * sequences of C.3 (no Huffman) and C.4 (Huffman) with the default table,
 * the response sequences of C.5 and C.6 with a 256-byte table (whose
 * evictions the third response of each depends on), each block also fed
 * cut in two at every byte (as HEADERS + CONTINUATION would bring it). */
#include "h2-hpack.h"

#include <string.h>

typedef struct {
  GString *text; /* "name: value\n" per field */
} Got;

static void
got_field (void *user, const guint8 *name, gsize name_len, const guint8 *value, gsize value_len)
{
  Got *g = user;

  g_string_append_len (g->text, (const char *) name, (gssize) name_len);
  g_string_append (g->text, ": ");
  g_string_append_len (g->text, (const char *) value, (gssize) value_len);
  g_string_append_c (g->text, '\n');
}

static GBytes *
unhex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *b = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    b[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (b, n);
}

/* One connection's blocks, in order, and what each decodes to. @cut: the
 * byte each block is split at (0: whole). */
static void
run_sequence (const char *const *blocks, const char *const *want, gsize n, gsize cut)
{
  W4Hpack *hp = w4_hpack_new ();

  g_assert_nonnull (hp);
  for (gsize i = 0; i < n; i++) {
    g_autoptr (GBytes) b = unhex (blocks[i]);
    gsize len = 0;
    const guint8 *p = g_bytes_get_data (b, &len);
    gsize at = MIN (cut, len);
    Got g = { g_string_new (NULL) };

    if (at > 0)
      g_assert_true (w4_hpack_decode (hp, p, at, FALSE, got_field, &g));
    g_assert_true (w4_hpack_decode (hp, p + at, len - at, TRUE, got_field, &g));
    g_assert_cmpstr (g.text->str, ==, want[i]);
    g_string_free (g.text, TRUE);
  }
  w4_hpack_free (hp);
}

static void
run_all_cuts (const char *const *blocks, const char *const *want, gsize n)
{
  for (gsize cut = 0; cut < 64; cut++)
    run_sequence (blocks, want, n, cut);
}

#define C3_REQ1 ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n"
#define C3_REQ2 C3_REQ1 "cache-control: no-cache\n"
#define C3_REQ3                                                                                    \
  ":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\n"               \
  "custom-key: custom-value\n"

static const char *const request_fields[] = { C3_REQ1, C3_REQ2, C3_REQ3 };

static void
test_c3_requests (void)
{
  static const char *const blocks[] = {
    "828684410f7777772e6578616d706c652e636f6d",
    "828684be58086e6f2d6361636865",
    "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
  };
  run_all_cuts (blocks, request_fields, 3);
}

static void
test_c4_requests_huffman (void)
{
  static const char *const blocks[] = {
    "828684418cf1e3c2e5f23a6ba0ab90f4ff",
    "828684be5886a8eb10649cbf",
    "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
  };
  run_all_cuts (blocks, request_fields, 3);
}

#define C5_TAIL "location: https://www.example.com\n"
#define C5_RESP1                                                                                   \
  ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n" C5_TAIL
#define C5_RESP2                                                                                   \
  ":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n" C5_TAIL
#define C5_RESP3                                                                                   \
  ":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n" C5_TAIL            \
  "content-encoding: gzip\n"                                                                       \
  "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n"

static const char *const response_fields[] = { C5_RESP1, C5_RESP2, C5_RESP3 };

/* The appendix's encoder has a 256-byte table (SETTINGS_HEADER_TABLE_SIZE
 * 256); a decoder learns that from a dynamic table size update (RFC 7541
 * 6.3), so the first block is preceded by one: 0x3f 0xe1 0x01 is 256. */
#define SIZE_256 "3fe101"

static void
test_c5_responses (void)
{
  static const char *const blocks[] = {
    SIZE_256 "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a32312047"
             "4d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
    "4803333037c1c0bf",
    "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d41"
    "53444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b207665727369"
    "6f6e3d31",
  };
  run_all_cuts (blocks, response_fields, 3);
}

static void
test_c6_responses_huffman (void)
{
  static const char *const blocks[] = {
    SIZE_256 "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c7"
             "8f0b97c8e9ae82ae43d3",
    "4883640effc1c0bf",
    "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdf"
    "cd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
  };
  run_all_cuts (blocks, response_fields, 3);
}

/* After C.5.3 the 256-byte table holds three entries (RFC 7541 C.5.3:
 * 215 bytes): index 64 is the oldest, 65 is gone. Their outputs alone do
 * not show the evictions (C.5.3's references survive them either way). */
static void
test_c5_table_after_evictions (void)
{
  static const char *const blocks[] = {
    SIZE_256 "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a32312047"
             "4d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
    "4803333037c1c0bf",
    "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d41"
    "53444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b207665727369"
    "6f6e3d31",
  };
  static const guint8 oldest[] = { 0xc0 };                        /* index 64 */
  static const guint8 evicted[] = { 0xc1 };                      /* index 65 */
  W4Hpack *hp = w4_hpack_new ();
  Got g = { g_string_new (NULL) };

  for (gsize i = 0; i < 3; i++) {
    g_autoptr (GBytes) b = unhex (blocks[i]);
    gsize len = 0;
    const guint8 *p = g_bytes_get_data (b, &len);
    g_assert_true (w4_hpack_decode (hp, p, len, TRUE, got_field, &g));
  }
  g_string_truncate (g.text, 0);
  g_assert_true (w4_hpack_decode (hp, oldest, 1, TRUE, got_field, &g));
  g_assert_cmpstr (g.text->str, ==, "date: Mon, 21 Oct 2013 20:13:22 GMT\n");
  g_assert_false (w4_hpack_decode (hp, evicted, 1, TRUE, got_field, &g));
  g_string_free (g.text, TRUE);
  w4_hpack_free (hp);
}

/* Index 0, an index past both tables, a string longer than the block, a
 * block cut in the middle of a field: errors, not fields. */
static void
test_bad_blocks (void)
{
  static const char *const bad[] = { "80", "ff7f", "000561", "0005616263", "be" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    W4Hpack *hp = w4_hpack_new ();
    g_autoptr (GBytes) b = unhex (bad[i]);
    gsize len = 0;
    const guint8 *p = g_bytes_get_data (b, &len);
    Got g = { g_string_new (NULL) };
    g_assert_false (w4_hpack_decode (hp, p, len, TRUE, got_field, &g));
    g_assert_cmpstr (g.text->str, ==, "");
    g_string_free (g.text, TRUE);
    w4_hpack_free (hp);
  }
}

/* A table size update above the receiver's SETTINGS is an error; once the
 * receiver's SETTINGS allow it, it is taken. 0x3f 0xe1 0x3f is 8192. */
static void
test_table_size_from_settings (void)
{
  g_autoptr (GBytes) b = unhex ("3fe13f82");
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (b, &len);
  W4Hpack *hp = w4_hpack_new ();
  Got g = { g_string_new (NULL) };

  g_assert_false (w4_hpack_decode (hp, p, len, TRUE, got_field, &g));
  w4_hpack_free (hp);
  hp = w4_hpack_new ();
  g_assert_true (w4_hpack_set_max_table_size (hp, 8192));
  g_assert_true (w4_hpack_decode (hp, p, len, TRUE, got_field, &g));
  g_assert_cmpstr (g.text->str, ==, ":method: GET\n");
  g_string_free (g.text, TRUE);
  w4_hpack_free (hp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hpack/rfc7541-c3-requests", test_c3_requests);
  g_test_add_func ("/hpack/rfc7541-c4-requests-huffman", test_c4_requests_huffman);
  g_test_add_func ("/hpack/rfc7541-c5-responses-256", test_c5_responses);
  g_test_add_func ("/hpack/rfc7541-c6-responses-huffman-256", test_c6_responses_huffman);
  g_test_add_func ("/hpack/c5-table-after-evictions", test_c5_table_after_evictions);
  g_test_add_func ("/hpack/bad-blocks", test_bad_blocks);
  g_test_add_func ("/hpack/table-size-from-settings", test_table_size_from_settings);
  return g_test_run ();
}
