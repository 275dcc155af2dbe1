/* test-cor-format.c: w4_cor_printf and w4_cor_append_printf write what
 * g_strdup_printf and g_string_append_printf write, for the conversions
 * they do by hand and for those they hand to GLib. */
#include "cor-format.h"

#include <string.h>

/* Some cases are odd formats on purpose (a trailing '%', '0' with '-'):
 * the point is that both sides write the same for them. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

#define SAME(...)                                                                  \
  G_STMT_START {                                                                   \
    g_autofree char *want = g_strdup_printf (__VA_ARGS__);                         \
    g_autofree char *got = w4_cor_printf (__VA_ARGS__);                            \
    g_autoptr (GString) s = g_string_new ("head ");                                \
    g_autoptr (GString) t = g_string_new ("head ");                                \
    g_string_append_printf (s, __VA_ARGS__);                                       \
    w4_cor_append_printf (t, __VA_ARGS__);                                         \
    g_assert_cmpstr (got, ==, want);                                               \
    g_assert_cmpstr (t->str, ==, s->str);                                          \
  } G_STMT_END

static void
test_by_hand (void)
{
  SAME ("%s", "");
  SAME ("plain text, no conversion");
  SAME ("");
  SAME ("%s %s", "GET", "/index.html");
  SAME ("a %s b %u c %d", "x", 4294967295u, -2147483647 - 1);
  SAME ("%u%%", 42u);
  SAME ("frame %" G_GUINT64_FORMAT " in %s", G_MAXUINT64, "a.pcap");
  SAME ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, G_MININT64, G_MAXINT64);
  SAME ("%" G_GSIZE_FORMAT " bytes", (gsize) 12345);
  SAME ("%zu", (size_t) 7);
  SAME ("%ld %li %lu", -5L, 6L, 7UL);
  SAME ("%03u|%02d|%06u|%-4d|%4d|%-04d|%05d", 7u, 5, 123456789u, 3, -3, 9, -42);
  SAME ("%c%s", 'T', "he rest");
  SAME ("[%5s][%-5s][%.2s][%.*s][%*s][%-*s]", "ab", "ab", "abcdef", 3, "abcdef", 4, "x", 4, "y");
  SAME ("[%*s][%.*s]", -3, "z", -1, "all of it");
  SAME ("%.0s|%.10s", "gone", "short");
  SAME ("%i %d", 0, -0);
  SAME ("trailing %", 1);
}

static void
test_handed_on (void)
{
  /* conversions and cases the hand-written path leaves to GLib */
  SAME ("%s and %s", "a", (const char *) NULL);
  SAME ("%.3s", (const char *) NULL);
  SAME ("%x %X %o", 255u, 255u, 8u);
  SAME ("%5.2f", 3.14159);
  SAME ("%+d % d", 5, 5);
  SAME ("%.3d", 7);
  SAME ("%lld %llu", -1LL, 2ULL);
  SAME ("%hhu", 300);
  SAME ("%05s", "ab");
  SAME ("%5%");
  SAME ("%9999s|", "wide");
}

static void
test_long (void)
{
  g_autofree char *big = g_strnfill (5000, 'q');

  /* past the stack buffer, more than once */
  SAME ("%s-%s-%s %u", big, big, big, 3u);
}

static void
test_append_uint (void)
{
  static const guint64 v[] = { 0, 9, 10, 12345, G_MAXUINT32, G_MAXUINT64 };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++) {
    g_autoptr (GString) s = g_string_new ("n=");
    g_autofree char *want = g_strdup_printf ("n=%" G_GUINT64_FORMAT, v[i]);

    w4_cor_append_uint (s, v[i]);
    g_assert_cmpstr (s->str, ==, want);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cor-format/by-hand", test_by_hand);
  g_test_add_func ("/cor-format/handed-on", test_handed_on);
  g_test_add_func ("/cor-format/long", test_long);
  g_test_add_func ("/cor-format/append-uint", test_append_uint);
  return g_test_run ();
}
