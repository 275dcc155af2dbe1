/* test-jsonw.c: the streaming writer against jansson 2.14, byte for byte.
 *
 * Every value is built once as a json_t tree, dumped by jansson, and
 * written again through the writer by walking the tree: compact
 * (JSON_COMPACT), indented (JSON_INDENT (2), also 4) and indented inside a
 * document (what report/json.c's old w4_json_write_indented made of
 * jansson's dump: every line after the first moved right). Strings that
 * are not valid UTF-8 are compared with jansson's dump of what
 * g_utf8_make_valid makes of them, which is what the report wrote before
 * the writer existed. */
#include <jansson.h>
#include <string.h>

#include "w4-jsonw.h"

/* Writes @j through @w, members in jansson's (insertion) order. */
static void
write_tree (W4JsonW *w, const json_t *j)
{
  switch (json_typeof (j)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *v;

    w4_jsonw_begin_object (w);
    json_object_foreach ((json_t *) j, key, v) {
      w4_jsonw_key (w, key);
      write_tree (w, v);
    }
    w4_jsonw_end_object (w);
    break;
  }
  case JSON_ARRAY: {
    size_t i;
    json_t *v;

    w4_jsonw_begin_array (w);
    json_array_foreach (j, i, v)
      write_tree (w, v);
    w4_jsonw_end_array (w);
    break;
  }
  case JSON_STRING:
    w4_jsonw_string_len (w, json_string_value (j), json_string_length (j));
    break;
  case JSON_INTEGER:
    w4_jsonw_int (w, json_integer_value (j));
    break;
  case JSON_TRUE:
  case JSON_FALSE:
    w4_jsonw_bool (w, json_is_true (j));
    break;
  case JSON_NULL:
    w4_jsonw_null (w);
    break;
  case JSON_REAL:
  default:
    g_assert_not_reached (); /* the writer has no reals: the report writes none */
  }
}

/* jansson's dump of @j with @flags, every line after the first indented by
 * @base more levels of two spaces (transfer full). */
static char *
jansson_dump (const json_t *j, size_t flags, guint base)
{
  char *dump = json_dumps (j, flags | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
  g_autofree char *pad = g_strnfill (2 * base, ' ');
  g_autofree char *nl = g_strconcat ("\n", pad, NULL);
  g_auto (GStrv) lines = NULL;
  char *out;

  g_assert_nonnull (dump);
  lines = g_strsplit (dump, "\n", -1);
  out = g_strjoinv (nl, lines);
  free (dump);
  return out;
}

/* The writer's bytes for @j (transfer full, NUL-terminated). */
static char *
writer_dump (W4JsonW *w, const json_t *j, guint base)
{
  w4_jsonw_reset (w, base);
  write_tree (w, j);
  return g_strndup (w->data, w->len);
}

/* @j through the writer in every mode equals jansson's dump. */
static void
assert_same (const json_t *j)
{
  struct {
    guint indent, base;
    size_t flags;
  } modes[] = {
    { 0, 0, JSON_COMPACT },
    { 2, 0, JSON_INDENT (2) },
    { 2, 1, JSON_INDENT (2) },
    { 2, 2, JSON_INDENT (2) },
    { 4, 0, JSON_INDENT (4) },
  };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    W4JsonW w;
    g_autofree char *want = NULL, *got = NULL;

    /* the base only ever moves lines by two spaces a level */
    if (modes[m].base > 0 && modes[m].indent != 2)
      continue;
    w4_jsonw_init (&w, modes[m].indent);
    want = jansson_dump (j, modes[m].flags, modes[m].base);
    got = writer_dump (&w, j, modes[m].base);
    g_assert_cmpstr (got, ==, want);
    w4_jsonw_clear (&w);
  }
}

/* Takes @j (transfer full). */
static void
assert_same_new (json_t *j)
{
  g_assert_nonnull (j);
  assert_same (j);
  json_decref (j);
}

static void
test_scalars (void)
{
  static const json_int_t ints[] = {
    0, 1, -1, 9, 10, 99, 100, -10, 65535, 4294967295LL, 4294967296LL, -2147483648LL,
    999999999999999999LL, 1000000000000000000LL, G_MAXINT64, G_MININT64, G_MININT64 + 1,
  };

  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    assert_same_new (json_integer (ints[i]));
  assert_same_new (json_true ());
  assert_same_new (json_false ());
  assert_same_new (json_null ());
  assert_same_new (json_string (""));
  assert_same_new (json_string ("plain"));
}

/* Above G_MAXINT64 jansson has nothing to compare with: the exact digits. */
static void
test_uint (void)
{
  static const guint64 v[] = { 0, 7, G_MAXINT64, (guint64) G_MAXINT64 + 1, G_MAXUINT64 };
  W4JsonW w;

  w4_jsonw_init (&w, 0);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++) {
    g_autofree char *want = g_strdup_printf ("%" G_GUINT64_FORMAT, v[i]);
    g_autofree char *got = NULL;

    w4_jsonw_reset (&w, 0);
    w4_jsonw_uint (&w, v[i]);
    got = g_strndup (w.data, w.len);
    g_assert_cmpstr (got, ==, want);
  }
  w4_jsonw_clear (&w);
}

/* Every byte below 0x20, DEL, quotes, backslashes and slashes, alone and
 * together, also as keys. */
static void
test_escapes (void)
{
  char all[0x20 + 8];
  json_t *o = json_object ();
  json_t *a = json_array ();

  for (guint c = 0; c < 0x20; c++) {
    char one[3] = { 'x', (char) c, 'y' };
    char key[3] = { 'k', (char) (c == 0 ? 1 : c), '\0' };

    all[c] = (char) c;
    json_array_append_new (a, json_stringn (one, sizeof one));
    json_array_append_new (a, json_stringn (one + 1, 1));
    json_object_set_new (o, key, json_stringn (one, sizeof one));
  }
  memcpy (all + 0x20, "\"\\/\x7f'<>&", 8);
  json_array_append_new (a, json_stringn (all, sizeof all));
  json_array_append_new (a, json_string ("\"quoted\" \\back\\slash\\ a/b </script>"));
  json_array_append_new (a, json_string ("\\\\\\\"\"\""));
  json_object_set_new (o, "\"key\\with/quotes\"", json_string ("\t\r\n"));
  json_object_set_new (o, "", json_string ("empty key"));
  json_object_set_new (o, "a", a);
  assert_same_new (o);
}

/* Non-ASCII passes through as it is (no JSON_ENSURE_ASCII). */
static void
test_utf8 (void)
{
  static const char *const s[] = {
    "\xc3\xa9t\xc3\xa9",               /* été */
    "\xe2\x82\xac 5",                  /* € */
    "\xf0\x9d\x84\x9e",                /* U+1D11E, outside the BMP */
    "\xef\xbf\xbf\xef\xbf\xbe",        /* U+FFFF U+FFFE, noncharacters but valid */
    "\xf4\x8f\xbf\xbf",                /* U+10FFFF, the last */
    "\xe2\x80\xa8\xe2\x80\xa9",        /* U+2028 U+2029: JSON allows them raw */
    ("\xe2\x80\xae" "evil"),           /* U+202E: the text report escapes it, JSON need not */
    "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80", /* edges */
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xe4\xb8\x96\xe7\x95\x8c",
  };
  json_t *a = json_array ();

  for (guint i = 0; i < G_N_ELEMENTS (s); i++) {
    json_t *o = json_object ();

    g_assert_true (g_utf8_validate (s[i], -1, NULL));
    json_object_set_new (o, s[i], json_string (s[i]));
    json_array_append_new (a, json_string (s[i]));
    json_array_append_new (a, o);
  }
  assert_same_new (a);
}

/* What the report wrote before the writer, for a string from the capture
 * (report/json.c's old w4_json_str): made valid, then jansson's. */
static json_t *
jansson_str_made_valid (const char *s)
{
  if (g_utf8_validate (s, -1, NULL))
    return json_string (s);
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  return json_string (valid);
}

static void
assert_invalid_as_before (const char *s)
{
  json_t *want_tree = json_pack ("[o]", jansson_str_made_valid (s));
  g_autofree char *want = jansson_dump (want_tree, JSON_COMPACT, 0);
  g_autofree char *got = NULL;
  W4JsonW w;

  w4_jsonw_init (&w, 0);
  w4_jsonw_begin_array (&w);
  w4_jsonw_string (&w, s);
  w4_jsonw_end_array (&w);
  got = g_strndup (w.data, w.len);
  g_assert_cmpstr (got, ==, want);
  w4_jsonw_clear (&w);
  json_decref (want_tree);
}

/* Not UTF-8: every byte that starts no valid sequence becomes U+FFFD. */
static void
test_invalid_utf8 (void)
{
  static const char *const s[] = {
    "\x80", "\xbf", "a\xc0\x80z", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
    "\xed\xa0\x80", "\xed\xbf\xbf", /* surrogates */
    "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
    "\xf8\x88\x80\x80\x80", "\xfe\xff", "\xff",
    "\xe2\x82", "\xe2\x82" "A", "\xe2" "\xe2\x82\xac", "\xf0\x9d\x84", "\xc3", "x\xc3",
    "\xc3\x28", "\xa0\xa1", "caf\xe9 \"quoted\"\n", "\xe9\x00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    assert_invalid_as_before (s[i]);
}

/* Random byte strings, weighted towards what is hard: high bytes, control
 * characters, lead bytes with and without their continuations. */
static void
test_random_strings (void)
{
  static const guint8 pool[] = { 0x01, 0x09, 0x0a, 0x1f, '"', '\\', '/', 'a', 0x7f, 0x80,
                                 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef,
                                 0xf0, 0xf4, 0xf5, 0xff };

  for (guint n = 0; n < 20000; n++) {
    guint len = (guint) g_test_rand_int_range (0, 12);
    char s[12 + 1];

    for (guint i = 0; i < len; i++)
      s[i] = (char) (g_test_rand_bit () ? pool[g_test_rand_int_range (0, sizeof pool)]
                                        : g_test_rand_int_range (1, 256));
    s[len] = '\0';
    assert_invalid_as_before (s);
  }
}

/* The writer tests 8 bytes at once: every byte value at every place of a
 * word (and of the next, and of the tail), among plain bytes and next to
 * the bytes the word test is nearest to getting wrong ('!' after '"',
 * ' ' after a control character, ']' after '\\'). */
static void
test_every_byte_in_a_word (void)
{
  static const char around[] = { 'a', '!', ' ', ']', '#', '\x7f' };

  for (guint b = 1; b < 256; b++)
    for (guint at = 0; at < 19; at++)
      for (guint k = 0; k < G_N_ELEMENTS (around); k++) {
        char s[19 + 1];

        memset (s, around[k], 19);
        s[19] = '\0';
        s[at] = (char) b;
        assert_invalid_as_before (s);
      }
}

static void
test_empty_containers (void)
{
  assert_same_new (json_array ());
  assert_same_new (json_object ());
  assert_same_new (json_pack ("[[]]"));
  assert_same_new (json_pack ("[{}]"));
  assert_same_new (json_pack ("{s:[]}", "a"));
  assert_same_new (json_pack ("{s:{}}", "a"));
  assert_same_new (json_pack ("[[], {}, [[]], {s:{s:[]}}, i, []]", "x", "y", 1));
  assert_same_new (json_pack ("{s:[], s:{}, s:[{}], s:[i, [], i]}", "a", "b", "c", "d", 1, 2));
}

/* Deeper than the writer's first stack of open containers. */
static void
test_deep (void)
{
  json_t *root = json_array ();
  json_t *cur = root;

  for (guint d = 0; d < 100; d++) {
    json_t *next = d % 2 ? json_array () : json_object ();

    if (json_is_array (cur)) {
      json_array_append_new (cur, json_integer (d));
      json_array_append_new (cur, next);
    } else {
      json_object_set_new (cur, "d", json_integer (d));
      json_object_set_new (cur, "next", next);
    }
    cur = next;
  }
  assert_same_new (root);
}

/* Keys come out in the order they were written, not sorted. */
static void
test_key_order (void)
{
  json_t *o = json_object ();
  static const char *const keys[] = { "zeta", "alpha", "mu", "beta", "a", "Z", "10", "9" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    json_object_set_new (o, keys[i], json_integer (i));
  json_object_set_new (o, "nested", json_pack ("{s:1, s:2, s:[3, {s:4, s:5}]}", "y", "x",
                                                "w", "v", "u"));
  assert_same_new (o);
}

/* A plain key written without a look at its bytes is the key written
 * with one, compact and indented, first member or not. */
static void
test_key_plain (void)
{
  static const char *const keys[] = { "type", "request_frame", "a", "wireshark_filter",
                                      "rejected-credentials", "" };

  for (guint indent = 0; indent <= 4; indent += 2) {
    W4JsonW a, b;

    w4_jsonw_init (&a, indent);
    w4_jsonw_init (&b, indent);
    w4_jsonw_begin_object (&a);
    w4_jsonw_begin_object (&b);
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
      w4_jsonw_key (&a, keys[i]);
      w4_jsonw_key_plain (&b, keys[i], strlen (keys[i]));
      w4_jsonw_int (&a, i);
      w4_jsonw_int (&b, i);
    }
    w4_jsonw_end_object (&a);
    w4_jsonw_end_object (&b);
    g_assert_cmpmem (a.data, a.len, b.data, b.len);
    w4_jsonw_clear (&a);
    w4_jsonw_clear (&b);
  }
}

/* Something shaped like a finding, and many in one buffer. */
static void
test_finding_like (void)
{
  json_t *f = json_pack ("{s:s, s:s, s:[s, s], s:i, s:n, s:s, s:[{s:i, s:s}, {s:i, s:s, s:s}],"
                         " s:b, s:b, s:s}",
                         "type", "finding", "cause", "rejected-credentials", "related",
                         "challenge", "retry-storm", "status", 401, "stream", "uri",
                         "/a?b=c&d=\"e\"\n", "evidence", "frame", 4, "what",
                         "GET / with \"Basic\" \xe2\x80\x94 test", "frame", 6, "what", "401",
                         "file", "b.pcap", "tls", 1, "main", 0, "fix", "");

  assert_same (f);
  json_decref (f);
}

/* Reused between values: once it has grown to the longest, writing the
 * same again allocates nothing. */
static void
test_reuse (void)
{
  json_t *f = json_pack ("{s:s, s:[i, i, {s:[]}]}", "k", "a value", "a", 1, 2, "e");
  W4JsonW w;
  g_autofree char *first = NULL;
  char *data;
  gsize size;

  w4_jsonw_init (&w, 2);
  first = writer_dump (&w, f, 2);
  data = w.data;
  size = w.size;
  for (guint i = 0; i < 1000; i++) {
    g_autofree char *again = writer_dump (&w, f, 2);
    g_assert_cmpstr (again, ==, first);
  }
  g_assert_true (w.data == data);
  g_assert_cmpuint (w.size, ==, size);
  w4_jsonw_clear (&w);
  json_decref (f);
}

/* Lines one after the other in one buffer (ndjson): each is what jansson
 * writes for it. */
static void
test_lines (void)
{
  json_t *a = json_pack ("{s:i}", "a", 1);
  json_t *b = json_pack ("[s, {}]", "b");
  g_autofree char *da = jansson_dump (a, JSON_COMPACT, 0);
  g_autofree char *db = jansson_dump (b, JSON_COMPACT, 0);
  g_autofree char *want = g_strconcat (da, "\n", db, "\n", NULL);
  g_autofree char *got = NULL;
  W4JsonW w;

  w4_jsonw_init (&w, 0);
  write_tree (&w, a);
  w4_jsonw_raw (&w, "\n", 1);
  write_tree (&w, b);
  w4_jsonw_raw (&w, "\n", 1);
  got = g_strndup (w.data, w.len);
  g_assert_cmpstr (got, ==, want);
  w4_jsonw_clear (&w);
  json_decref (a);
  json_decref (b);
}

/* A long string crosses the first allocation. */
static void
test_long (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 40000; i++)
    g_string_append_c (s, (char) (i % 7 == 0 ? '\n' : i % 11 == 0 ? '"' : 'a' + i % 26));
  assert_same_new (json_pack ("[s, s]", s->str, s->str));
  g_string_free (s, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jsonw/scalars", test_scalars);
  g_test_add_func ("/jsonw/uint", test_uint);
  g_test_add_func ("/jsonw/escapes", test_escapes);
  g_test_add_func ("/jsonw/utf8", test_utf8);
  g_test_add_func ("/jsonw/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/jsonw/random-strings", test_random_strings);
  g_test_add_func ("/jsonw/empty-containers", test_empty_containers);
  g_test_add_func ("/jsonw/deep", test_deep);
  g_test_add_func ("/jsonw/key-order", test_key_order);
  g_test_add_func ("/jsonw/finding-like", test_finding_like);
  g_test_add_func ("/jsonw/reuse", test_reuse);
  g_test_add_func ("/jsonw/lines", test_lines);
  g_test_add_func ("/jsonw/long", test_long);
  g_test_add_func ("/jsonw/every-byte-in-a-word", test_every_byte_in_a_word);
  g_test_add_func ("/jsonw/key-plain", test_key_plain);
  return g_test_run ();
}
