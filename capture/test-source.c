/* test-source.c: inputs opened once, decompressed by their magic. */
#include "source-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Bytes that look like the start of a pcapng, then a counter. */
static GBytes *
sample (gsize n)
{
  guint8 *b = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    b[i] = (guint8) (i * 7 + i / 251);
  if (n >= 4)
    memcpy (b, "\x0a\x0d\x0d\x0a", 4);
  return g_bytes_new_take (b, n);
}

static GBytes *
gzip_of (GBytes *in)
{
  z_stream z;
  gsize cap = g_bytes_get_size (in) + 1024;
  guint8 *out = g_malloc (cap);

  memset (&z, 0, sizeof z);
  g_assert_cmpint (deflateInit2 (&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  z.next_in = (Bytef *) g_bytes_get_data (in, NULL);
  z.avail_in = (uInt) g_bytes_get_size (in);
  z.next_out = out;
  z.avail_out = (uInt) cap;
  g_assert_cmpint (deflate (&z, Z_FINISH), ==, Z_STREAM_END);
  deflateEnd (&z);
  return g_bytes_new_take (out, cap - z.avail_out);
}

static GBytes *
zstd_of (GBytes *in)
{
  gsize cap = ZSTD_compressBound (g_bytes_get_size (in));
  guint8 *out = g_malloc (cap);
  size_t n = ZSTD_compress (out, cap, g_bytes_get_data (in, NULL), g_bytes_get_size (in), 3);

  g_assert_false (ZSTD_isError (n));
  return g_bytes_new_take (out, n);
}

/* A descriptor holding @data: a pipe (not seekable) or a temporary file. */
static int
fd_of (GBytes *data, gboolean seekable)
{
  gsize n = g_bytes_get_size (data);
  const guint8 *p = g_bytes_get_data (data, NULL);

  if (seekable) {
    char path[] = "/tmp/test-source.XXXXXX";
    int fd = mkstemp (path);

    g_assert_cmpint (fd, >=, 0);
    unlink (path);
    g_assert_cmpint (write (fd, p, n), ==, (gssize) n);
    lseek (fd, 0, SEEK_SET);
    return fd;
  } else {
    int fds[2];

    g_assert_cmpint (pipe (fds), ==, 0);
    g_assert_cmpuint (n, <=, 65536); /* fits a pipe's buffer: no writer thread */
    g_assert_cmpint (write (fds[1], p, n), ==, (gssize) n);
    close (fds[1]);
    return fds[0];
  }
}

/* Everything the stream gives. */
static GBytes *
read_all (W4Src *src, gboolean *is_ng)
{
  g_autoptr (GError) error = NULL;
  FILE *fp = w4_src_open (src, NULL, 0, is_ng, &error);
  GByteArray *out = g_byte_array_new ();
  guint8 buf[1000];
  size_t n;

  g_assert_no_error (error);
  g_assert_nonnull (fp);
  while ((n = fread (buf, 1, sizeof buf, fp)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  fclose (fp);
  return g_byte_array_free_to_bytes (out);
}

static void
check_roundtrip (GBytes *plain, GBytes *file, W4SrcKind kind, gboolean seekable)
{
  g_autoptr (GError) error = NULL;
  W4Src *src = w4_src_new (fd_of (file, seekable), "x", &error);
  gboolean is_ng = FALSE;
  g_autoptr (GBytes) got = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (w4_src_kind (src), ==, kind);
  g_assert_cmpint (w4_src_seekable (src), ==, seekable);
  got = read_all (src, &is_ng);
  g_assert_true (is_ng);
  g_assert_true (g_bytes_equal (got, plain));
  g_assert_null (w4_src_damage (src));
  if (seekable) {
    /* Read again from the start: what a regular file does at run time. */
    g_autoptr (GBytes) again = read_all (src, &is_ng);
    g_assert_true (g_bytes_equal (again, plain));
  } else {
    FILE *fp = w4_src_open (src, NULL, 0, &is_ng, &error);
    g_assert_null (fp);
    g_assert_nonnull (error);
  }
  w4_src_free (src);
}

static void
test_plain (void)
{
  g_autoptr (GBytes) plain = sample (50000);

  check_roundtrip (plain, plain, W4_SRC_PLAIN, TRUE);
  check_roundtrip (plain, plain, W4_SRC_PLAIN, FALSE);
}

static void
test_gzip (void)
{
  g_autoptr (GBytes) plain = sample (200000);
  g_autoptr (GBytes) gz = gzip_of (plain);

  check_roundtrip (plain, gz, W4_SRC_GZIP, TRUE);
  check_roundtrip (plain, gz, W4_SRC_GZIP, FALSE);
}

/* cat a.gz b.gz decompresses to a + b, as gzip -d gives. */
static void
test_gzip_members (void)
{
  g_autoptr (GBytes) plain = sample (90000);
  g_autoptr (GBytes) a = g_bytes_new_from_bytes (plain, 0, 30001);
  g_autoptr (GBytes) b = g_bytes_new_from_bytes (plain, 30001, 90000 - 30001);
  g_autoptr (GBytes) ga = gzip_of (a);
  g_autoptr (GBytes) gb = gzip_of (b);
  GByteArray *cat = g_byte_array_new ();
  g_autoptr (GBytes) both = NULL;

  g_byte_array_append (cat, g_bytes_get_data (ga, NULL), (guint) g_bytes_get_size (ga));
  g_byte_array_append (cat, g_bytes_get_data (gb, NULL), (guint) g_bytes_get_size (gb));
  both = g_byte_array_free_to_bytes (cat);
  check_roundtrip (plain, both, W4_SRC_GZIP, TRUE);
  check_roundtrip (plain, both, W4_SRC_GZIP, FALSE);
}

static void
test_zstd (void)
{
  g_autoptr (GBytes) plain = sample (300000);
  g_autoptr (GBytes) zs = zstd_of (plain);

  check_roundtrip (plain, zs, W4_SRC_ZSTD, TRUE);
  check_roundtrip (plain, zs, W4_SRC_ZSTD, FALSE);
}

/* A cut-short or damaged file gives what could be decoded, and says why
 * it stopped. */
static void
check_damaged (GBytes *file, W4SrcKind kind, const char *why, gsize max_good, GBytes *plain)
{
  g_autoptr (GError) error = NULL;
  W4Src *src = w4_src_new (fd_of (file, TRUE), "x", &error);
  gboolean is_ng = FALSE;
  g_autoptr (GBytes) got = NULL;

  g_assert_cmpint (w4_src_kind (src), ==, kind);
  got = read_all (src, &is_ng);
  g_assert_nonnull (w4_src_damage (src));
  g_assert_nonnull (strstr (w4_src_damage (src), why));
  g_assert_cmpuint (g_bytes_get_size (got), <=, max_good);
  /* What was given is the start of the real data. */
  g_assert_cmpint (memcmp (g_bytes_get_data (got, NULL), g_bytes_get_data (plain, NULL),
                           MIN (g_bytes_get_size (got), 100)), ==, 0);
  w4_src_free (src);
}

static void
test_cut_short (void)
{
  g_autoptr (GBytes) plain = sample (200000);
  g_autoptr (GBytes) gz = gzip_of (plain);
  g_autoptr (GBytes) zs = zstd_of (plain);
  g_autoptr (GBytes) gz_cut = g_bytes_new_from_bytes (gz, 0, g_bytes_get_size (gz) / 2);
  g_autoptr (GBytes) zs_cut = g_bytes_new_from_bytes (zs, 0, g_bytes_get_size (zs) - 10);

  check_damaged (gz_cut, W4_SRC_GZIP, "gzip data cut short", 200000, plain);
  check_damaged (zs_cut, W4_SRC_ZSTD, "zstd data cut short", 200000, plain);
}

static void
test_damaged (void)
{
  g_autoptr (GBytes) plain = sample (200000);
  g_autoptr (GBytes) gz = gzip_of (plain);
  gsize n = g_bytes_get_size (gz);
  guint8 *bad = g_memdup2 (g_bytes_get_data (gz, NULL), n);
  g_autoptr (GBytes) bad_gz = NULL;

  bad[n - 6] ^= 0xff; /* the CRC-32 of the trailer */
  bad_gz = g_bytes_new_take (bad, n);
  check_damaged (bad_gz, W4_SRC_GZIP, "gzip data damaged", 200000, plain);
}

/* Fewer than four bytes: no magic, a plain input whose reader says why. */
static void
test_short (void)
{
  g_autoptr (GBytes) two = g_bytes_new_static ("\x1f\x8b", 2);
  g_autoptr (GBytes) one = g_bytes_new_static ("a", 1);
  g_autoptr (GError) error = NULL;
  gboolean is_ng = TRUE;
  W4Src *src = w4_src_new (fd_of (one, FALSE), "x", &error);
  g_autoptr (GBytes) got = read_all (src, &is_ng);

  g_assert_false (is_ng);
  g_assert_cmpint (w4_src_kind (src), ==, W4_SRC_PLAIN);
  g_assert_true (g_bytes_equal (got, one));
  w4_src_free (src);
  /* A gzip magic with nothing after it is a gzip input cut short. */
  src = w4_src_new (fd_of (two, FALSE), "x", &error);
  g_clear_pointer (&got, g_bytes_unref);
  got = read_all (src, &is_ng);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);
  g_assert_nonnull (w4_src_damage (src));
  w4_src_free (src);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/source/plain", test_plain);
  g_test_add_func ("/source/gzip", test_gzip);
  g_test_add_func ("/source/gzip-members", test_gzip_members);
  g_test_add_func ("/source/zstd", test_zstd);
  g_test_add_func ("/source/cut-short", test_cut_short);
  g_test_add_func ("/source/damaged", test_damaged);
  g_test_add_func ("/source/short", test_short);
  return g_test_run ();
}
