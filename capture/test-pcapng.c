/* test-pcapng.c: the pcapng reader libpcap's refusals fall back to, and the
 * file side of W4Capture (run order, frame numbering, damaged files,
 * interfaces of unknown link type). Files are built here, byte by byte. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "pcapng-private.h"

/* IPv4 192.0.2.1 -> 198.51.100.2, TCP 51000 -> 80, "GET" (43 bytes). */
static const guint8 inner_v4[] = {
  0x45, 0x00, 0x00, 0x2b, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
  192, 0, 2, 1, 198, 51, 100, 2,
  0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
  'G', 'E', 'T',
};

static void
put16 (GByteArray *b, guint16 v, gboolean be)
{
  guint8 x[2] = { (guint8) (be ? v >> 8 : v), (guint8) (be ? v : v >> 8) };
  g_byte_array_append (b, x, 2);
}

static void
put32 (GByteArray *b, guint32 v, gboolean be)
{
  for (int i = 0; i < 4; i++) {
    guint8 x = (guint8) (be ? v >> (24 - 8 * i) : v >> (8 * i));
    g_byte_array_append (b, &x, 1);
  }
}

static void
block (GByteArray *out, guint32 type, GByteArray *body, gboolean be)
{
  static const guint8 zero[4] = { 0 };
  guint pad = (4 - body->len % 4) % 4;
  guint32 total = 12 + body->len + pad;

  put32 (out, type, be);
  put32 (out, total, be);
  g_byte_array_append (out, body->data, body->len);
  g_byte_array_append (out, zero, pad);
  put32 (out, total, be);
  g_byte_array_set_size (body, 0);
}

static void
shb (GByteArray *out, gboolean be)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();

  put32 (b, 0x1A2B3C4D, be);
  put16 (b, 1, be);
  put16 (b, 0, be);
  put32 (b, 0xffffffff, be);
  put32 (b, 0xffffffff, be);
  block (out, 0x0A0D0D0A, b, be);
}

static void
idb (GByteArray *out, guint16 linktype, gint tsresol, gboolean be)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();

  put16 (b, linktype, be);
  put16 (b, 0, be);
  put32 (b, 0, be);
  if (tsresol >= 0) {
    guint8 v[4] = { (guint8) tsresol, 0, 0, 0 };

    put16 (b, 9, be);
    put16 (b, 1, be);
    g_byte_array_append (b, v, 4);
    put16 (b, 0, be);
    put16 (b, 0, be);
  }
  block (out, 1, b, be);
}

static void
epb (GByteArray *out, guint32 if_id, guint64 ts, const guint8 *head, gsize head_len, gboolean be)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint32 len = (guint32) (head_len + sizeof inner_v4);

  put32 (b, if_id, be);
  put32 (b, (guint32) (ts >> 32), be);
  put32 (b, (guint32) ts, be);
  put32 (b, len, be);
  put32 (b, len, be);
  g_byte_array_append (b, head, (guint) head_len);
  g_byte_array_append (b, inner_v4, sizeof inner_v4);
  block (out, 6, b, be);
}

static const guint8 eth_head[] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
static const guint8 null_head[] = { 2, 0, 0, 0 };

/* A file libpcap refuses: Ethernet (ns), NULL (us), link type 147
 * (unknown to us) in a little-endian section, then a big-endian section
 * with raw IP. Five packets, four of them readable. */
static GByteArray *
mixed_file (void)
{
  GByteArray *f = g_byte_array_new ();

  shb (f, FALSE);
  idb (f, 1, 9, FALSE);
  idb (f, 0, -1, FALSE);
  idb (f, 147, -1, FALSE);
  epb (f, 0, G_GUINT64_CONSTANT (1700000000000000001), eth_head, sizeof eth_head, FALSE);
  epb (f, 1, G_GUINT64_CONSTANT (1700000000000002), null_head, sizeof null_head, FALSE);
  epb (f, 2, G_GUINT64_CONSTANT (1700000000000003), eth_head, sizeof eth_head, FALSE);
  shb (f, TRUE);
  idb (f, 101, -1, TRUE);
  epb (f, 0, G_GUINT64_CONSTANT (1700000000000004), NULL, 0, TRUE);
  epb (f, 0, G_GUINT64_CONSTANT (1700000000000005), NULL, 0, TRUE);
  return f;
}

static void
test_reader (void)
{
  g_autoptr (GByteArray) f = mixed_file ();
  FILE *fp = fmemopen (f->data, f->len, "rb");
  g_autoptr (W4Pcapng) ng = w4_ng_open (fp, NULL);
  W4NgPacket pk;
  char err[256];
  int lt[5];
  int n = 0;

  while (n < 6 && w4_ng_next (ng, &pk, err, sizeof err) == 1)
    lt[n++] = pk.linktype;
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (lt[0], ==, 1);
  g_assert_cmpint (lt[1], ==, 0);
  g_assert_cmpint (lt[2], ==, 147);
  g_assert_cmpint (lt[3], ==, 101);
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 0);
  g_assert_cmpint (pk.ts.sec, ==, 1700000000);
  g_assert_cmpuint (pk.ts.nsec, ==, 5000);
}

/* A section with more interfaces than the reader keeps: a packet on one
 * past the cap says so (not "no such interface") and names the interface's
 * number over the file; one on an interface never described still says
 * that. */
static void
test_reader_interface_cap (void)
{
  g_autoptr (GByteArray) f = g_byte_array_new ();
  W4NgPacket pk;
  char err[256];
  FILE *fp;

  shb (f, FALSE);
  idb (f, 101, -1, FALSE); /* serial 0, in the first section */
  shb (f, FALSE);
  for (guint i = 0; i < W4_NG_MAX_INTERFACES + 2; i++)
    idb (f, 101, -1, FALSE);
  epb (f, 7, 1, NULL, 0, FALSE);
  epb (f, W4_NG_MAX_INTERFACES + 1, 2, NULL, 0, FALSE);
  epb (f, W4_NG_MAX_INTERFACES + 2, 3, NULL, 0, FALSE);
  fp = fmemopen (f->data, f->len, "rb");
  g_autoptr (W4Pcapng) ng = w4_ng_open (fp, NULL);

  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 1);
  g_assert_cmpint (pk.linktype, ==, 101);
  g_assert_cmpuint (pk.if_serial, ==, 8);
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 1);
  g_assert_cmpint (pk.linktype, ==, W4_NG_IF_OVER_CAP);
  g_assert_cmpuint (pk.if_serial, ==, W4_NG_MAX_INTERFACES + 2);
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 1);
  g_assert_cmpint (pk.linktype, ==, W4_NG_IF_UNDESCRIBED);
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 0);
}

/* Every prefix of the file: packets then end or a damage report, never a
 * crash; a prefix that cuts a block says "truncated". */
static void
test_reader_prefixes (void)
{
  g_autoptr (GByteArray) f = mixed_file ();

  for (gsize k = 1; k < f->len; k++) {
    guint8 *copy = g_memdup2 (f->data, k);
    FILE *fp = fmemopen (copy, k, "rb");
    W4Pcapng *ng = w4_ng_open (fp, NULL);
    W4NgPacket pk;
    char err[256] = "";
    int rc, n = 0;

    while ((rc = w4_ng_next (ng, &pk, err, sizeof err)) == 1 && n < 10)
      n++;
    g_assert_cmpint (n, <=, 5);
    if (rc < 0)
      g_assert_nonnull (strstr (err, "truncated"));
    w4_ng_free (ng);
    g_free (copy);
  }
}

typedef struct {
  guint64 frames, tcp;
  guint warnings;
  GString *warned;
  guint first_file_index;
  GString *secrets; /* "index type len text" per Decryption Secrets Block, when not NULL */
} Rec;

static void
rec_frame (void *user, const W4FrameInfo *fi)
{
  Rec *r = user;

  g_assert_cmpuint (fi->frame, ==, r->frames + 1);
  if (r->frames == 0)
    r->first_file_index = fi->file_index;
  r->frames++;
}

static void
rec_ip (void *user, const W4IpPacket *pkt)
{
  Rec *r = user;

  if (pkt->proto == 6)
    r->tcp++;
}

static void
rec_anomaly (void *user, const W4Anomaly *a)
{
  Rec *r = user;

  if (a->kind == W4_ANOM_WARNING) {
    r->warnings++;
    g_string_append_printf (r->warned, "%s\n", a->message);
  }
}

static void
rec_secrets (void *user, const W4CapSecrets *s)
{
  Rec *r = user;

  g_assert_nonnull (s->file);
  g_string_append_printf (r->secrets, "%u %08x %" G_GSIZE_FORMAT " %.*s\n", s->index, s->type,
                          s->len, (int) s->len, (const char *) s->data);
}

static char *
write_tmp (const char *name, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("w4cap-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
  g_free (dir);
  return path;
}

static void
remove_tmp (char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
}

static void
run_files (const char *const *paths, guint n, Rec *rec, guint *ok_files)
{
  W4Limits limits;
  W4CaptureSink sink = { rec_frame, rec_ip, rec_anomaly, NULL, NULL, rec };
  g_autoptr (W4Capture) cap = NULL;

  if (rec->secrets != NULL)
    sink.on_secrets = rec_secrets;

  w4_limits_init (&limits);
  cap = w4_cap_new (&limits, &sink);
  for (guint i = 0; i < n; i++) {
    g_autoptr (GError) error = NULL;

    w4_cap_add_file (cap, paths[i], &error);
  }
  *ok_files = w4_cap_run (cap);
  g_assert_cmpuint (w4_cap_packets (cap), ==, rec->frames);
}

static void
test_capture_mixed (void)
{
  g_autoptr (GByteArray) f = mixed_file ();
  char *path = write_tmp ("mixed.pcapng", f->data, f->len);
  const char *paths[] = { path };
  Rec rec = { 0 };
  guint ok;

  rec.warned = g_string_new (NULL);
  run_files (paths, 1, &rec, &ok);
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (rec.frames, ==, 5);
  g_assert_cmpuint (rec.tcp, ==, 4);
  g_assert_cmpuint (rec.warnings, ==, 1);
  g_assert_nonnull (strstr (rec.warned->str, "interface 2"));
  g_string_free (rec.warned, TRUE);
  remove_tmp (path);
}

static void
test_capture_truncated_then_next (void)
{
  g_autoptr (GByteArray) f = mixed_file ();
  /* Cut inside the last packet block: four frames survive. */
  char *cut = write_tmp ("cut.pcapng", f->data, f->len - 40);
  char *whole = write_tmp ("whole.pcapng", f->data, f->len);
  const char *paths[] = { cut, whole };
  Rec rec = { 0 };
  guint ok;

  rec.warned = g_string_new (NULL);
  run_files (paths, 2, &rec, &ok);
  g_assert_cmpuint (ok, ==, 2);
  g_assert_cmpuint (rec.frames, ==, 4 + 5);
  g_assert_nonnull (strstr (rec.warned->str, "cut.pcapng: truncated at frame 5"));
  g_string_free (rec.warned, TRUE);
  remove_tmp (cut);
  remove_tmp (whole);
}

/* Classic pcap, microseconds, Ethernet, one packet at @sec. */
static GByteArray *
pcap_one (guint32 sec)
{
  GByteArray *b = g_byte_array_new ();

  put32 (b, 0xa1b2c3d4, FALSE);
  put16 (b, 2, FALSE);
  put16 (b, 4, FALSE);
  put32 (b, 0, FALSE);
  put32 (b, 0, FALSE);
  put32 (b, 65535, FALSE);
  put32 (b, 1, FALSE);
  put32 (b, sec, FALSE);
  put32 (b, 0, FALSE);
  put32 (b, sizeof eth_head + sizeof inner_v4, FALSE);
  put32 (b, sizeof eth_head + sizeof inner_v4, FALSE);
  g_byte_array_append (b, eth_head, sizeof eth_head);
  g_byte_array_append (b, inner_v4, sizeof inner_v4);
  return b;
}

static void
test_capture_order (void)
{
  g_autoptr (GByteArray) late = pcap_one (2000);
  g_autoptr (GByteArray) early = pcap_one (1000);
  char *a = write_tmp ("late.pcap", late->data, late->len);
  char *b = write_tmp ("early.pcap", early->data, early->len);
  char *junk = write_tmp ("junk.txt", (const guint8 *) "not a capture at all", 20);
  const char *paths[] = { a, junk, b };
  Rec rec = { 0 };
  guint ok;

  rec.warned = g_string_new (NULL);
  rec.first_file_index = 99;
  run_files (paths, 3, &rec, &ok);
  g_assert_cmpuint (ok, ==, 2);
  g_assert_cmpuint (rec.frames, ==, 2);
  g_assert_cmpuint (rec.tcp, ==, 2);
  g_assert_cmpuint (rec.first_file_index, ==, 0);
  g_string_free (rec.warned, TRUE);
  remove_tmp (a);
  remove_tmp (b);
  remove_tmp (junk);
}

/* if_tsresol 0 (seconds) with a 64-bit count and if_tsoffset at its
 * extremes: the time saturates instead of wrapping or overflowing. */
static void
test_reader_far_times (void)
{
  static const struct {
    guint64 offset, ts;
    gint64 sec;
  } rows[] = {
    { G_MAXINT64, G_MAXUINT64, G_MAXINT64 },
    { G_MAXINT64, 1, G_MAXINT64 },
    { (guint64) G_MININT64, 0, G_MININT64 },
    { (guint64) G_MININT64, G_MAXUINT64, -1 },
    { 0, G_MAXUINT64, G_MAXINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (GByteArray) f = g_byte_array_new ();
    g_autoptr (GByteArray) b = g_byte_array_new ();
    guint8 res[4] = { 0, 0, 0, 0 };
    FILE *fp;
    W4NgPacket pk;
    char err[256];

    shb (f, FALSE);
    put16 (b, 1, FALSE);
    put16 (b, 0, FALSE);
    put32 (b, 0, FALSE);
    put16 (b, 9, FALSE); /* if_tsresol: 10^0 */
    put16 (b, 1, FALSE);
    g_byte_array_append (b, res, 4);
    put16 (b, 14, FALSE); /* if_tsoffset */
    put16 (b, 8, FALSE);
    put32 (b, (guint32) rows[i].offset, FALSE);
    put32 (b, (guint32) (rows[i].offset >> 32), FALSE);
    put16 (b, 0, FALSE);
    put16 (b, 0, FALSE);
    block (f, 1, b, FALSE);
    epb (f, 0, rows[i].ts, eth_head, sizeof eth_head, FALSE);

    fp = fmemopen (f->data, f->len, "rb");
    g_autoptr (W4Pcapng) ng = w4_ng_open (fp, NULL);
    g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 1);
    g_assert_cmpint (pk.ts.sec, ==, rows[i].sec);
  }
}

/* A Decryption Secrets Block of @type holding @text (padded by block ()),
 * and, when @claim is not 0, claiming that many bytes instead. */
static void
dsb (GByteArray *out, guint32 type, const char *text, guint32 claim, gboolean be)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  static const guint8 zero[4] = { 0 };
  gsize n = strlen (text);

  put32 (b, type, be);
  put32 (b, claim != 0 ? claim : (guint32) n, be);
  g_byte_array_append (b, (const guint8 *) text, (guint) n);
  g_byte_array_append (b, zero, (guint) ((4 - n % 4) % 4));
  put16 (b, 0, be); /* opt_endofopt */
  put16 (b, 0, be);
  block (out, 0x0A, b, be);
}

typedef struct {
  GString *got;
} SecretsLog;

static void
log_secrets (void *user, guint32 type, const guint8 *data, gsize len)
{
  SecretsLog *l = user;

  g_string_append_printf (l->got, "%08x %" G_GSIZE_FORMAT " %.*s\n", type, len, (int) len,
                          (const char *) data);
}

/* pcapng.c gives each DSB's payload, without its padding, in both byte
 * orders, where it stands; one whose length passes its block is damage. */
static void
test_reader_secrets (void)
{
  g_autoptr (GByteArray) f = g_byte_array_new ();
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  SecretsLog l = { g_string_new (NULL) };
  char err[256] = "";
  W4NgPacket pk;
  FILE *fp;
  W4Pcapng *ng;

  shb (f, FALSE);
  dsb (f, 0x544c534b, "CLIENT_RANDOM a b\n", 0, FALSE);
  idb (f, 1, -1, FALSE);
  epb (f, 0, 1, eth_head, sizeof eth_head, FALSE);
  dsb (f, 0x5353484b, "ssh", 0, FALSE);
  shb (f, TRUE);
  dsb (f, 0x544c534b, "be", 0, TRUE);
  fp = fmemopen (f->data, f->len, "rb");
  ng = w4_ng_open (fp, NULL);
  w4_ng_set_secrets (ng, log_secrets, &l);
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 1);
  g_assert_cmpstr (l.got->str, ==, "544c534b 18 CLIENT_RANDOM a b\n\n");
  g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, 0);
  g_assert_cmpstr (l.got->str, ==, "544c534b 18 CLIENT_RANDOM a b\n\n5353484b 3 ssh\n"
                                   "544c534b 2 be\n");
  w4_ng_free (ng);

  /* The scan for a file libpcap reads stops at the first packet. */
  g_string_truncate (l.got, 0);
  fp = fmemopen (f->data, f->len, "rb");
  ng = w4_ng_open (fp, NULL);
  w4_ng_set_secrets (ng, log_secrets, &l);
  g_assert_cmpint (w4_ng_scan_secrets (ng, err, sizeof err), ==, 1);
  g_assert_cmpstr (l.got->str, ==, "544c534b 18 CLIENT_RANDOM a b\n\n");
  w4_ng_free (ng);

  /* A length past the block, and one past all of 32 bits. */
  for (guint i = 0; i < 2; i++) {
    g_byte_array_set_size (bad, 0);
    shb (bad, FALSE);
    dsb (bad, 0x544c534b, "abcd", i == 0 ? 13 : 0xffffffffu, FALSE);
    g_string_truncate (l.got, 0);
    fp = fmemopen (bad->data, bad->len, "rb");
    ng = w4_ng_open (fp, NULL);
    w4_ng_set_secrets (ng, log_secrets, &l);
    g_assert_cmpint (w4_ng_next (ng, &pk, err, sizeof err), ==, -1);
    g_assert_nonnull (strstr (err, "decryption secrets block"));
    g_assert_cmpstr (l.got->str, ==, "");
    w4_ng_free (ng);
  }
  g_string_free (l.got, TRUE);
}

/* W4Capture gives each DSB once: from the short pass when libpcap reads
 * the file, and from pcapng.c when libpcap gives up half way (the blocks
 * pcapng.c meets again are not given twice). */
static void
test_capture_secrets (void)
{
  g_autoptr (GByteArray) f = g_byte_array_new ();
  char *path;
  const char *paths[1];
  Rec rec = { 0 };
  guint ok;

  shb (f, FALSE);
  idb (f, 1, -1, FALSE);
  dsb (f, 0x544c534b, "first", 0, FALSE);
  epb (f, 0, 1, eth_head, sizeof eth_head, FALSE);
  idb (f, 0, -1, FALSE); /* libpcap stops here: pcapng.c goes on */
  dsb (f, 0x544c534b, "second", 0, FALSE);
  epb (f, 1, 2, null_head, sizeof null_head, FALSE);
  path = write_tmp ("secrets.pcapng", f->data, f->len);
  paths[0] = path;
  rec.warned = g_string_new (NULL);
  rec.secrets = g_string_new (NULL);
  run_files (paths, 1, &rec, &ok);
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (rec.frames, ==, 2);
  g_assert_cmpuint (rec.tcp, ==, 2);
  g_assert_cmpstr (rec.secrets->str, ==, "1 544c534b 5 first\n2 544c534b 6 second\n");
  g_string_free (rec.warned, TRUE);
  g_string_free (rec.secrets, TRUE);
  remove_tmp (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pcapng/reader/mixed-link-types-and-byte-orders", test_reader);
  g_test_add_func ("/pcapng/reader/every-prefix", test_reader_prefixes);
  g_test_add_func ("/pcapng/reader/interface-cap", test_reader_interface_cap);
  g_test_add_func ("/pcapng/reader/far-times", test_reader_far_times);
  g_test_add_func ("/pcapng/reader/decryption-secrets", test_reader_secrets);
  g_test_add_func ("/capture/file/decryption-secrets-once", test_capture_secrets);
  g_test_add_func ("/capture/file/pcapng-libpcap-refuses", test_capture_mixed);
  g_test_add_func ("/capture/file/truncated-then-next-file", test_capture_truncated_then_next);
  g_test_add_func ("/capture/file/order-by-first-packet", test_capture_order);
  return g_test_run ();
}
