/* test-keylog.c: the TLS key store and its NSS key log reader
 * (tls-keylog.c): every label, wrong lengths, bad hex, CRLF, missing
 * fields, comments, a huge line, the tls-keys limit, a growing file read
 * again after a partial and then a completed line, and every prefix of a
 * sample key log read without harm. */
#include "test-util.h"
#include "tls-keylog.h"
#include "w4-budget.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <string.h>

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define R2 "0202020202020202020202020202020202020202020202020202020202020202"
#define R3 "0303030303030303030303030303030303030303030303030303030303030303"
#define S32 "1111111111111111111111111111111111111111111111111111111111111111"
#define S48 S32 "22222222222222222222222222222222"
/* 48 bytes beginning with 0xab (upper-case digits), and with 0x33 */
#define S62 "11111111111111111111111111111111111111111111111111111111111111"
#define S48_AB "AB" S62 "22222222222222222222222222222222"
#define S48_33 "33" S62 "22222222222222222222222222222222"

typedef struct {
  GPtrArray *warnings; /* messages */
  guint limits;        /* W4_ANOM_LIMIT anomalies for tls-keys */
} TWarn;

static void
t_warn (void *user, const W4Anomaly *what)
{
  TWarn *w = user;

  if (what->kind == W4_ANOM_LIMIT) {
    g_assert_cmpint (what->limit, ==, W4_LIMIT_TLS_KEYS);
    w->limits++;
  } else {
    g_assert_cmpint (what->kind, ==, W4_ANOM_WARNING);
    g_ptr_array_add (w->warnings, g_strdup (what->message));
  }
}

static void
t_warn_init (TWarn *w)
{
  w->warnings = g_ptr_array_new_with_free_func (g_free);
  w->limits = 0;
}

static void
t_warn_clear (TWarn *w)
{
  g_ptr_array_unref (w->warnings);
}

static void
t_random (guint8 *out, guint8 b)
{
  memset (out, b, W4_KEYLOG_RANDOM_LEN);
}

static const W4KeylogCounts *
t_text (W4Keylog *kl, const char *text)
{
  return w4_keylog_add_text (kl, "keys", (const guint8 *) text, strlen (text));
}

static void
test_every_label (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  const W4KeylogCounts *c;
  const W4TlsSessionKeys *k;
  guint8 r[32];

  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  c = t_text (kl, "CLIENT_RANDOM " R1 " " S48 "\n"
                  "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\n"
                  "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S48 "\n"
                  "CLIENT_TRAFFIC_SECRET_0 " R2 " " S32 "\n"
                  "SERVER_TRAFFIC_SECRET_0 " R2 " " S32 "\n"
                  "EXPORTER_SECRET " R2 " " S32 "\n"
                  "CLIENT_EARLY_TRAFFIC_SECRET " R2 " " S32 "\n"
                  "EARLY_EXPORTER_SECRET " R2 " " S32 "\n"
                  /* OpenSSL 3.0 after a KeyUpdate */
                  "CLIENT_TRAFFIC_SECRET_N " R2 " " S32 "\n"
                  "SERVER_TRAFFIC_SECRET_N " R2 " " S32 "\n");
  g_assert_cmpuint (c->lines, ==, 10);
  g_assert_cmpuint (c->secrets, ==, 6);
  g_assert_cmpuint (c->ignored, ==, 4);
  g_assert_cmpuint (c->malformed, ==, 0);
  g_assert_cmpuint (c->sessions, ==, 2);
  g_assert_cmpuint (w.warnings->len, ==, 0);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 2);

  t_random (r, 1);
  k = w4_keylog_find (kl, r);
  g_assert_nonnull (k);
  g_assert_cmpmem (k->client_random, 32, r, 32);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].len, ==, 48);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].bytes[0], ==, 0x11);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].bytes[47], ==, 0x22);
  g_assert_cmpuint (k->secret[W4_TLS_CLIENT_HS_SECRET].len, ==, 0);

  t_random (r, 2);
  k = w4_keylog_find (kl, r);
  g_assert_nonnull (k);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].len, ==, 0);
  g_assert_cmpuint (k->secret[W4_TLS_CLIENT_HS_SECRET].len, ==, 32);
  g_assert_cmpuint (k->secret[W4_TLS_SERVER_HS_SECRET].len, ==, 48);
  g_assert_cmpuint (k->secret[W4_TLS_CLIENT_APP_SECRET].len, ==, 32);
  g_assert_cmpuint (k->secret[W4_TLS_SERVER_APP_SECRET].len, ==, 32);

  t_random (r, 3);
  g_assert_null (w4_keylog_find (kl, r));
  g_assert_cmpstr (w4_keylog_label (W4_TLS_SERVER_APP_SECRET), ==, "SERVER_TRAFFIC_SECRET_0");
  t_warn_clear (&w);
}

/* Each bad line: skipped, counted, one warning with its line number and
 * never its content. */
static void
test_malformed_lines (void)
{
  static const struct {
    const char *line;
    const char *why;
  } bad[] = {
    { "CLIENT_RANDOM " R1 " " S32, "master secret is 48 bytes" },
    { "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 "11", "32 or 48 bytes" },
    { "CLIENT_TRAFFIC_SECRET_0 " R1 " 1", "not in hex" },
    { "CLIENT_RANDOM " R1 " " S48 "0", "not in hex" },
    { "CLIENT_RANDOM " R1 " " "zz" S48 , "not in hex" },
    { "CLIENT_RANDOM 01" R1 " " S48, "64 hex digits" },
    { "CLIENT_RANDOM " "0g" R1 " " S48, "64 hex digits" },
    { "CLIENT_RANDOM " R1, "fields missing" },
    { "CLIENT_RANDOM", "fields missing" },
    { "CLIENT_RANDOM " R1 " " S48 " extra", "more than three" },
    { "client_random " R1 " " S48, "not a key log label" },
    { "GET / HTTP/1.1", "not a key log label" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    TWarn w;
    g_autoptr (W4Keylog) kl = NULL;
    g_autofree char *text = g_strdup_printf ("# comment\n\nCLIENT_RANDOM " R2 " " S48 "\n%s\n",
                                             bad[i].line);
    const W4KeylogCounts *c;
    const char *msg;

    t_warn_init (&w);
    kl = w4_keylog_new (100, t_warn, &w);
    c = t_text (kl, text);
    g_assert_cmpuint (c->lines, ==, 4);
    g_assert_cmpuint (c->malformed, ==, 1);
    g_assert_cmpuint (c->secrets, ==, 1);
    g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 1);
    g_assert_cmpuint (w.warnings->len, ==, 1);
    msg = g_ptr_array_index (w.warnings, 0);
    g_test_message ("%s -> %s", bad[i].line, msg);
    g_assert_true (g_str_has_prefix (msg, "keys line 4: "));
    g_assert_nonnull (strstr (msg, bad[i].why));
    g_assert_null (strstr (msg, "1111")); /* no secret in a warning */
    t_warn_clear (&w);
  }
}

static void
test_crlf_blanks_and_case (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  const W4KeylogCounts *c;
  const W4TlsSessionKeys *k;
  guint8 r[32];

  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  /* Windows line ends, tabs and runs of spaces, upper-case hex, blank lines
   * of spaces, indented comments, a last line without a newline. */
  c = t_text (kl, "# SSL/TLS secrets log file, generated by NSS\r\n"
                  "\r\n"
                  "   \t \r\n"
                  "  # indented\r\n"
                  "CLIENT_RANDOM\t" R1 "   " S48_AB " \r\n"
                  "  SERVER_TRAFFIC_SECRET_0 " R2 " " S32);
  g_assert_cmpuint (c->lines, ==, 6);
  g_assert_cmpuint (c->malformed, ==, 0);
  g_assert_cmpuint (c->secrets, ==, 2);
  g_assert_cmpuint (w.warnings->len, ==, 0);
  t_random (r, 1);
  k = w4_keylog_find (kl, r);
  g_assert_nonnull (k);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].bytes[0], ==, 0xab);
  t_warn_clear (&w);
}

/* Lines past W4_KEYLOG_LINE_MAX are skipped whole, never kept; what follows
 * is read. */
static void
test_huge_line (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  g_autoptr (GString) text = g_string_new ("CLIENT_RANDOM " R1 " ");
  const W4KeylogCounts *c;

  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "00");
  g_string_append (text, "\nCLIENT_RANDOM " R2 " " S48 "\n");
  /* one more without a newline at the end, longer than a line can be */
  for (guint i = 0; i < W4_KEYLOG_LINE_MAX + 1; i++)
    g_string_append_c (text, 'x');
  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  c = w4_keylog_add_text (kl, "keys", (const guint8 *) text->str, text->len);
  g_assert_cmpuint (c->lines, ==, 3);
  g_assert_cmpuint (c->malformed, ==, 2);
  g_assert_cmpuint (c->secrets, ==, 1);
  g_assert_cmpuint (w.warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (w.warnings, 0), "line 1: longer than"));
  g_assert_nonnull (strstr (g_ptr_array_index (w.warnings, 1), "line 3: longer than"));
  t_warn_clear (&w);
}

/* Only the first W4_KEYLOG_LINE_WARNINGS bad lines get a warning each. */
static void
test_warnings_capped (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  const W4KeylogCounts *c;

  for (guint i = 0; i < 1000; i++)
    g_string_append (text, "garbage\n");
  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  c = w4_keylog_add_text (kl, "keys", (const guint8 *) text->str, text->len);
  g_assert_cmpuint (c->malformed, ==, 1000);
  g_assert_cmpuint (w.warnings->len, ==, W4_KEYLOG_LINE_WARNINGS + 1);
  g_assert_nonnull (strstr (g_ptr_array_index (w.warnings, W4_KEYLOG_LINE_WARNINGS),
                            "more malformed lines"));
  t_warn_clear (&w);
}

/* A session logged again (two key logs, or a key log and a DSB) is no
 * error; the counts say which sources named it. */
static void
test_duplicates (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  const W4KeylogCounts *c;
  const W4TlsSessionKeys *k;
  guint8 r[32];

  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  c = t_text (kl, "CLIENT_RANDOM " R1 " " S48 "\nCLIENT_RANDOM " R1 " " S48 "\n");
  g_assert_cmpuint (c->secrets, ==, 2);
  g_assert_cmpuint (c->sessions, ==, 1);
  c = t_text (kl, "CLIENT_RANDOM " R1 " " S48_33 "\n");
  g_assert_cmpuint (c->sessions, ==, 1);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 1);
  g_assert_cmpuint (w.warnings->len, ==, 0);
  t_random (r, 1);
  k = w4_keylog_find (kl, r);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].bytes[0], ==, 0x33); /* the last wins */
  t_warn_clear (&w);
}

/* Past the limit, the session read first goes, with one limit anomaly per
 * session forgotten. */
static void
test_limit_evicts_first (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  guint8 r[32];

  for (guint i = 1; i <= 5; i++) {
    g_string_append (text, "CLIENT_RANDOM ");
    for (guint j = 0; j < 32; j++)
      g_string_append_printf (text, "%02x", i);
    g_string_append (text, " " S48 "\n");
  }
  t_warn_init (&w);
  kl = w4_keylog_new (3, t_warn, &w);
  w4_keylog_add_text (kl, "keys", (const guint8 *) text->str, text->len);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 3);
  g_assert_cmpuint (w.limits, ==, 2);
  for (guint i = 1; i <= 5; i++) {
    t_random (r, (guint8) i);
    if (i <= 2)
      g_assert_null (w4_keylog_find (kl, r));
    else
      g_assert_nonnull (w4_keylog_find (kl, r));
  }
  /* A secret for a session that is kept adds none and evicts none. */
  t_text (kl, "CLIENT_RANDOM 0303030303030303030303030303030303030303030303030303030303030303 " S48
              "\n");
  t_random (r, 3);
  g_assert_nonnull (w4_keylog_find (kl, r));
  g_assert_cmpuint (w.limits, ==, 2);
  t_warn_clear (&w);
}

static char *
t_tmpfile (void)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("test-keylog-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  return path;
}

static void
t_append (const char *path, const char *text)
{
  FILE *f = fopen (path, "ab");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (text, 1, strlen (text), f), ==, strlen (text));
  fclose (f);
}

/* A browser appends while we capture: each refresh reads only the new
 * complete lines; a half-written line waits for its end (half a 48-byte
 * secret would pass for a 32-byte one). */
static void
test_growing_file (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = t_tmpfile ();
  const W4KeylogCounts *c;
  const W4TlsSessionKeys *k;
  const char *name = NULL;
  guint8 r[32];

  t_warn_init (&w);
  kl = w4_keylog_new (100, t_warn, &w);
  t_append (path, "CLIENT_RANDOM " R1 " " S48 "\nCLIENT_TRAFFIC_SECRET_0 " R2 " " S32);
  g_assert_true (w4_keylog_add_file (kl, path, TRUE, &error));
  g_assert_no_error (error);
  c = w4_keylog_file_counts (kl, 0, &name);
  g_assert_cmpstr (name, ==, path);
  g_assert_cmpuint (c->lines, ==, 1);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 1);
  g_assert_cmpuint (w4_keylog_refresh (kl), ==, 0); /* still partial */

  t_append (path, "2222222222222222222222222222222"); /* 47 bytes now: still no end */
  g_assert_cmpuint (w4_keylog_refresh (kl), ==, 0);
  t_append (path, "2\n");
  g_assert_cmpuint (w4_keylog_refresh (kl), ==, 1);
  t_random (r, 2);
  k = w4_keylog_find (kl, r);
  g_assert_nonnull (k);
  g_assert_cmpuint (k->secret[W4_TLS_CLIENT_APP_SECRET].len, ==, 48);
  g_assert_cmpuint (c->lines, ==, 2);
  g_assert_cmpuint (w4_keylog_refresh (kl), ==, 0); /* nothing new: nothing read */

  /* Replaced by a shorter file (a browser started again): read anew. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  t_append (path, "SERVER_TRAFFIC_SECRET_0 " R1 " " S32 "\n");
  g_assert_cmpuint (w4_keylog_refresh (kl), ==, 1);
  t_random (r, 1);
  k = w4_keylog_find (kl, r);
  g_assert_cmpuint (k->secret[W4_TLS_SERVER_APP_SECRET].len, ==, 32);
  g_assert_cmpuint (k->secret[W4_TLS_MASTER_SECRET].len, ==, 48); /* kept */
  g_assert_cmpuint (w.warnings->len, ==, 0);
  g_unlink (path);
  t_warn_clear (&w);
}

/* A file that will not grow: its last line needs no newline; one that
 * cannot be read is an error, and the store stays as it was. */
static void
test_static_file (void)
{
  TWarn w;
  g_autoptr (W4Keylog) kl = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = t_tmpfile ();
  g_autofree char *dir = g_dir_make_tmp ("test-keylog-XXXXXX", NULL);
  g_autoptr (GString) big = g_string_new (NULL);

  /* more than one read buffer's worth, lines across its edges */
  for (guint i = 0; i < 2000; i++) {
    g_string_append (big, "CLIENT_RANDOM ");
    for (guint j = 0; j < 32; j++)
      g_string_append_printf (big, "%02x", (i + j) & 0xff);
    g_string_append (big, " " S48 "\n");
    g_string_append_printf (big, "# %u\n", i);
  }
  g_string_append (big, "CLIENT_RANDOM " R1 " " S48);
  t_append (path, big->str);
  t_warn_init (&w);
  kl = w4_keylog_new (1 << 20, t_warn, &w);
  g_assert_true (w4_keylog_add_file (kl, path, FALSE, &error));
  g_assert_cmpuint (w4_keylog_file_counts (kl, 0, NULL)->lines, ==, 4001);
  g_assert_cmpuint (w4_keylog_file_counts (kl, 0, NULL)->malformed, ==, 0);
  g_assert_cmpuint (w4_keylog_n_sessions (kl), ==, 256 + 1); /* the randoms repeat every 256 */
  g_assert_cmpuint (w4_keylog_file_counts (kl, 0, NULL)->secrets, ==, 2001);
  g_assert_cmpuint (w.warnings->len, ==, 0);

  g_assert_false (w4_keylog_add_file (kl, "/nonexistent/keys.log", FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_false (w4_keylog_add_file (kl, dir, FALSE, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (w4_keylog_n_files (kl), ==, 1);
  g_assert_null (w4_keylog_file_counts (kl, 1, NULL));
  g_unlink (path);
  g_rmdir (dir);
  t_warn_clear (&w);
}

/* Every prefix of a sample key log (each a key log cut anywhere) reads
 * without harm, and never stores more than the whole one. */
static void
test_every_prefix (void)
{
  static const char sample[] =
      "# SSL/TLS secrets log file, generated by NSS\n"
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S48 "\r\n"
      "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S48 "\n"
      "\n"
      "CLIENT_TRAFFIC_SECRET_0 " R2 " " S48 "\n"
      "SERVER_TRAFFIC_SECRET_0 " R2 " " S48 "\n"
      "EXPORTER_SECRET " R2 " " S48 "\n"
      "CLIENT_RANDOM " R1 " " S48 "\n"
      "CLIENT_RANDOM " R1 "\n";

  for (gsize n = 0; n <= sizeof sample - 1; n++) {
    TWarn w;
    g_autoptr (W4Keylog) kl = NULL;
    g_autofree guint8 *copy = g_memdup2 (sample, n); /* exactly n bytes */
    const W4KeylogCounts *c;

    t_warn_init (&w);
    kl = w4_keylog_new (100, t_warn, &w);
    c = w4_keylog_add_text (kl, "keys", copy, n);
    g_assert_cmpuint (c->secrets, <=, 5);
    g_assert_cmpuint (w4_keylog_n_sessions (kl), <=, 2);
    if (n == sizeof sample - 1) {
      g_assert_cmpuint (c->secrets, ==, 5);
      g_assert_cmpuint (c->malformed, ==, 1);
    }
    t_warn_clear (&w);
  }
}

/* The sessions kept are charged to the budget (those read before it was
 * set too), a forgotten one is released, and the rest with the store. */
static void
test_budget (void)
{
  TWarn w;
  W4Budget b;
  W4Keylog *kl;
  guint64 one;

  t_warn_init (&w);
  w4_budget_init (&b, 0);
  kl = w4_keylog_new (2, t_warn, &w);
  t_text (kl, "CLIENT_RANDOM " R1 " " S48 "\n");
  w4_keylog_set_budget (kl, &b);
  one = b.by_kind[W4_MEM_TLS];
  g_assert_cmpuint (one, >, sizeof (W4TlsSessionKeys));
  t_text (kl, "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\n");
  g_assert_cmpuint (b.by_kind[W4_MEM_TLS], ==, 2 * one);
  /* a third session: the first is forgotten (tls-keys = 2) */
  t_text (kl, "CLIENT_RANDOM " R3 " " S48 "\n");
  g_assert_cmpuint (b.by_kind[W4_MEM_TLS], ==, 2 * one);
  w4_keylog_free (kl);
  g_assert_cmpuint (b.by_kind[W4_MEM_TLS], ==, 0);
  g_assert_cmpuint (b.used, ==, 0);
  t_warn_clear (&w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keylog/every-label", test_every_label);
  g_test_add_func ("/keylog/budget", test_budget);
  g_test_add_func ("/keylog/malformed-lines", test_malformed_lines);
  g_test_add_func ("/keylog/crlf-blanks-case", test_crlf_blanks_and_case);
  g_test_add_func ("/keylog/huge-line", test_huge_line);
  g_test_add_func ("/keylog/warnings-capped", test_warnings_capped);
  g_test_add_func ("/keylog/duplicates", test_duplicates);
  g_test_add_func ("/keylog/limit-evicts-first", test_limit_evicts_first);
  g_test_add_func ("/keylog/growing-file", test_growing_file);
  g_test_add_func ("/keylog/static-file", test_static_file);
  g_test_add_func ("/keylog/every-prefix", test_every_prefix);
  return g_test_run ();
}
