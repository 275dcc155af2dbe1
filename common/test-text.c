/* test-text.c: the terminal sanitiser. */
#include "w4-text.h"

static void
check (const char *in, gsize len, const char *want)
{
  g_autofree char *got = w4_text_sanitize_len (in, len);

  g_assert_cmpstr (got, ==, want);
  g_assert_true (g_utf8_validate (got, -1, NULL));
}

static void
test_plain (void)
{
  g_autofree char *null = w4_text_sanitize (NULL);

  check ("capture.pcap", 12, "capture.pcap");
  check ("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 12, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  check ("C:\\x\\y", 6, "C:\\x\\y");
  g_assert_cmpstr (null, ==, "");
}

static void
test_c0_del (void)
{
  check ("a\033[2Jb", 6, "a\\x1B[2Jb");
  check ("x\ny\r\tz\x7f", 7, "x\\ny\\r\\tz\\x7F");
  check ("a\0b", 3, "a\\x00b");
}

static void
test_c1 (void)
{
  /* U+009B is CSI on terminals that take 8-bit controls; U+0085 is NEL. */
  check ("a\xc2\x9b" "2Jb\xc2\x85", 8, "a\\u009B2Jb\\u0085");
}

static void
test_invalid_utf8 (void)
{
  check ("a\xff\xfe" "b", 4, "a\\xFF\\xFEb");
  check ("\xc3", 1, "\\xC3");            /* cut short */
  check ("\xc0\xaf", 2, "\\xC0\\xAF");   /* overlong '/' */
  check ("\xed\xa0\x80", 3, "\\xED\\xA0\\x80"); /* a surrogate */
}

static void
test_bidi (void)
{
  /* admin U+202E txt.exe would display as "adminexe.txt". */
  check ("admin\xe2\x80\xaetxt.exe", 15, "admin\\u202Etxt.exe");
  check ("\xd8\x9c", 2, "\\u061C");
  check ("\xe2\x80\x8b\xe2\x80\x8f", 6, "\\u200B\\u200F");
  check ("\xe2\x80\xaa\xe2\x80\xad", 6, "\\u202A\\u202D");
  check ("\xe2\x81\xa0\xe2\x81\xa4", 6, "\\u2060\\u2064");
  check ("\xe2\x81\xa6\xe2\x81\xa9", 6, "\\u2066\\u2069");
  check ("\xef\xbb\xbf", 3, "\\uFEFF");
  check ("\xe2\x80\xa8", 3, "\\u2028");         /* line separator */
  check ("soft\xc2\xad", 6, "soft\\u00AD");      /* Cf: soft hyphen */
  check ("\xf3\xa0\x80\x81", 4, "\\U000E0001");  /* Cf: language tag */
}

static void
test_is_unsafe (void)
{
  g_assert_true (w4_text_is_unsafe (0x202e));
  g_assert_true (w4_text_is_unsafe (0x1b));
  g_assert_false (w4_text_is_unsafe ('a'));
  g_assert_false (w4_text_is_unsafe (0xe9));
  g_assert_false (w4_text_is_unsafe (0x65e5));
}

/* Columns, not code points: CJK takes two, a combining accent none. */
static void
test_width (void)
{
  g_assert_cmpint (w4_text_width (""), ==, 0);
  g_assert_cmpint (w4_text_width ("alice"), ==, 5);
  g_assert_cmpint (w4_text_width ("\xe7\x94\xb0\xe4\xb8\xad"), ==, 4);      /* two CJK */
  g_assert_cmpint (w4_text_width ("e\xcc\x81"), ==, 1);                 /* e + U+0301 */
  g_assert_cmpint (w4_text_width ("\xef\xbc\xa1" "b"), ==, 3);             /* fullwidth A, b */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text/plain", test_plain);
  g_test_add_func ("/text/c0-del", test_c0_del);
  g_test_add_func ("/text/c1", test_c1);
  g_test_add_func ("/text/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/text/bidi", test_bidi);
  g_test_add_func ("/text/is-unsafe", test_is_unsafe);
  g_test_add_func ("/text/width", test_width);
  return g_test_run ();
}
