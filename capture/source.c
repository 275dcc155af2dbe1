/* source.c: one input's bytes, opened once, decompressed when they are gzip
 * or zstd, as a stdio stream that libpcap (pcap_fopen_offline) and pcapng.c
 * read as if it were the capture file itself.
 *
 * Compression is recognised by its magic bytes, never by the file name, so
 * `zcat -f`-style inputs work from standard input and FIFOs too, as in
 * tshark. The bytes sniffed to find out cannot be put back into a pipe: the
 * stream replays them (a fopencookie stream), first the raw ones to the
 * decompressor, then the first four decompressed ones, which tell pcapng
 * from pcap, to whoever reads the stream.
 *
 * gzip: every member of a concatenated file (cat a.gz b.gz) is read, as
 * gzip -d does. zstd: every frame, skippable frames skipped by libzstd.
 * Damaged or cut-short compressed data ends the stream where the good data
 * ends; w4_src_damage says why, so that capture.c warns with the file and
 * the frame and keeps what came before, as for a truncated pcap.
 *
 * Memory is bounded: the compressed input is read through a buffer of
 * W4_SRC_IN_SIZE bytes, zlib's window is 32 KiB, and libzstd refuses frames
 * whose window is larger than 2^W4_SRC_ZSTD_WINDOW_LOG_MAX bytes. The
 * decompressor exists only while a stream is open. */
#define _GNU_SOURCE

#include "source-private.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Compressed bytes read from the descriptor at a time. */
#define W4_SRC_IN_SIZE (64u * 1024)
/* Largest zstd window accepted, log2 bytes: 2^27 = 128 MiB is libzstd's
 * own default limit (what `zstd -d` accepts without --memory), so every
 * file zstd writes without --long=28 or more is read. */
#define W4_SRC_ZSTD_WINDOW_LOG_MAX 27
/* Bytes sniffed: the longest magic looked at (zstd's and pcapng's). */
#define W4_SRC_MAGIC 4

struct W4Src {
  int fd;
  char *name;
  W4SrcKind kind;
  gboolean seekable;
  off_t start;                 /* offset of the input's first byte */
  guint8 magic[W4_SRC_MAGIC];  /* raw bytes sniffed: replayed when not seekable */
  gsize n_magic;
  gboolean opened;             /* a stream was opened once already */
  gboolean stream_open;
  char *damage;                /* why the decompressed bytes ended early */
};

/* The state of one open stream (the cookie). */
typedef struct {
  W4Src *src;
  guint8 raw[W4_SRC_MAGIC];    /* raw bytes to give before the descriptor's */
  gsize raw_n, raw_pos;
  guint8 out[W4_SRC_MAGIC];    /* decompressed bytes to give first */
  gsize out_n, out_pos;
  guint8 *in;                  /* compressed input, W4_SRC_IN_SIZE */
  gsize in_pos, in_len;
  gboolean in_eof;
  z_stream z;
  gboolean z_ready;
  gboolean in_member;          /* gzip: inside a member (its end not seen) */
  ZSTD_DStream *zs;
  size_t zs_hint;              /* libzstd's last return: 0 = frame complete */
  gboolean failed;
} W4SrcStream;

/* The first reason wins: what follows a failure is its consequence. */
static void G_GNUC_PRINTF (2, 3)
w4_src_set_damage (W4Src *src, const char *fmt, ...)
{
  va_list ap;

  if (src->damage != NULL)
    return;
  va_start (ap, fmt);
  src->damage = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

/* read(2) with the raw replay first. */
static ssize_t
w4_src_raw_read (W4SrcStream *st, void *buf, size_t size)
{
  ssize_t n;

  if (st->raw_pos < st->raw_n) {
    size_t k = MIN (size, st->raw_n - st->raw_pos);

    memcpy (buf, st->raw + st->raw_pos, k);
    st->raw_pos += k;
    return (ssize_t) k;
  }
  do
    n = read (st->src->fd, buf, size);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Makes compressed input available. TRUE when some is; FALSE at its end
 * (st->in_eof) or on a read error (st->failed). */
static gboolean
w4_src_fill (W4SrcStream *st)
{
  ssize_t n;

  if (st->in_pos < st->in_len)
    return TRUE;
  if (st->in_eof || st->failed)
    return FALSE;
  n = w4_src_raw_read (st, st->in, W4_SRC_IN_SIZE);
  if (n < 0) {
    w4_src_set_damage (st->src, "read error: %s", g_strerror (errno));
    st->failed = TRUE;
    return FALSE;
  }
  st->in_pos = 0;
  st->in_len = (gsize) n;
  if (n == 0)
    st->in_eof = TRUE;
  return n > 0;
}

/* Decompressed bytes into @buf; 0 at the end, -1 on damage. Each pass
 * consumes input, produces output, or reads from the descriptor. */
static ssize_t
w4_src_gzip_read (W4SrcStream *st, char *buf, size_t size)
{
  while (!st->failed) {
    int rc;
    size_t produced;

    if (!w4_src_fill (st)) {
      if (st->failed)
        return -1;
      if (st->in_member)
        w4_src_set_damage (st->src, "gzip data cut short");
      return 0;
    }
    if (!st->in_member) {
      /* Zero bytes after a member are padding (tape blocks, dd conv=sync):
       * gzip -d ignores them, and so does this. */
      while (st->in_pos < st->in_len && st->in[st->in_pos] == 0)
        st->in_pos++;
      if (st->in_pos == st->in_len)
        continue;
      /* Another member follows the one that ended (cat a.gz b.gz). */
      inflateReset (&st->z);
      st->in_member = TRUE;
    }
    st->z.next_in = st->in + st->in_pos;
    st->z.avail_in = (uInt) (st->in_len - st->in_pos);
    st->z.next_out = (Bytef *) buf;
    st->z.avail_out = (uInt) MIN (size, (size_t) G_MAXUINT32);
    rc = inflate (&st->z, Z_NO_FLUSH);
    produced = MIN (size, (size_t) G_MAXUINT32) - st->z.avail_out;
    st->in_pos = st->in_len - st->z.avail_in;
    if (rc == Z_STREAM_END) {
      st->in_member = FALSE;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      w4_src_set_damage (st->src, "gzip data damaged (%s)",
                         st->z.msg != NULL ? st->z.msg : "unknown error");
      st->failed = TRUE;
    }
    if (produced > 0)
      return (ssize_t) produced;
  }
  errno = EIO;
  return -1;
}

static ssize_t
w4_src_zstd_read (W4SrcStream *st, char *buf, size_t size)
{
  while (!st->failed) {
    ZSTD_inBuffer in;
    ZSTD_outBuffer out = { buf, size, 0 };
    size_t rc;

    if (!w4_src_fill (st)) {
      if (st->failed)
        return -1;
      if (st->zs_hint != 0)
        w4_src_set_damage (st->src, "zstd data cut short");
      return 0;
    }
    in.src = st->in + st->in_pos;
    in.size = st->in_len - st->in_pos;
    in.pos = 0;
    rc = ZSTD_decompressStream (st->zs, &out, &in);
    st->in_pos += in.pos;
    if (ZSTD_isError (rc)) {
      w4_src_set_damage (st->src, "zstd data damaged (%s)", ZSTD_getErrorName (rc));
      st->failed = TRUE;
    } else {
      st->zs_hint = rc;
    }
    if (out.pos > 0)
      return (ssize_t) out.pos;
  }
  errno = EIO;
  return -1;
}

static ssize_t
w4_src_decoded_read (W4SrcStream *st, char *buf, size_t size)
{
  switch (st->src->kind) {
  case W4_SRC_GZIP:
    return w4_src_gzip_read (st, buf, size);
  case W4_SRC_ZSTD:
    return w4_src_zstd_read (st, buf, size);
  case W4_SRC_PLAIN:
  default:
    return w4_src_raw_read (st, buf, size);
  }
}

static ssize_t
w4_src_cookie_read (void *c, char *buf, size_t size)
{
  W4SrcStream *st = c;

  if (st->out_pos < st->out_n) {
    size_t k = MIN (size, st->out_n - st->out_pos);

    memcpy (buf, st->out + st->out_pos, k);
    st->out_pos += k;
    return (ssize_t) k;
  }
  return w4_src_decoded_read (st, buf, size);
}

static int
w4_src_cookie_close (void *c)
{
  W4SrcStream *st = c;

  /* The descriptor stays open: it belongs to the W4Src. */
  if (st->z_ready)
    inflateEnd (&st->z);
  ZSTD_freeDStream (st->zs);
  g_free (st->in);
  st->src->stream_open = FALSE;
  g_free (st);
  return 0;
}

W4Src *
w4_src_new (int fd, const char *name, GError **error)
{
  W4Src *src;
  struct stat sb;

  g_return_val_if_fail (fd >= 0, NULL);
  src = g_new0 (W4Src, 1);
  src->fd = fd;
  src->name = g_strdup (name);
  src->start = lseek (fd, 0, SEEK_CUR);
  src->seekable = src->start >= 0 && fstat (fd, &sb) == 0 && S_ISREG (sb.st_mode);
  /* At most four reads of at least one byte each. */
  while (src->n_magic < W4_SRC_MAGIC) {
    ssize_t n = read (fd, src->magic + src->n_magic, W4_SRC_MAGIC - src->n_magic);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s",
                   g_strerror (errno));
      w4_src_free (src);
      return NULL;
    }
    if (n == 0)
      break;
    src->n_magic += (gsize) n;
  }
  if (src->n_magic >= 2 && src->magic[0] == 0x1f && src->magic[1] == 0x8b)
    src->kind = W4_SRC_GZIP;
  else if (src->n_magic == 4 && memcmp (src->magic, "\x28\xb5\x2f\xfd", 4) == 0)
    src->kind = W4_SRC_ZSTD;
  return src;
}

void
w4_src_free (W4Src *src)
{
  if (src == NULL)
    return;
  g_warn_if_fail (!src->stream_open);
  if (src->fd >= 0)
    close (src->fd);
  g_free (src->damage);
  g_free (src->name);
  g_free (src);
}

W4SrcKind
w4_src_kind (const W4Src *src)
{
  return src->kind;
}

const char *
w4_src_kind_name (const W4Src *src)
{
  switch (src->kind) {
  case W4_SRC_GZIP:
    return "gzip";
  case W4_SRC_ZSTD:
    return "zstd";
  case W4_SRC_PLAIN:
  default:
    return NULL;
  }
}

gboolean
w4_src_seekable (const W4Src *src)
{
  return src->seekable;
}

const char *
w4_src_damage (const W4Src *src)
{
  return src->damage;
}

static gboolean
w4_src_decoder_init (W4SrcStream *st)
{
  if (st->src->kind == W4_SRC_GZIP) {
    /* 15 + 16: the largest window, gzip wrapper only. */
    if (inflateInit2 (&st->z, 15 + 16) != Z_OK)
      return FALSE;
    st->z_ready = TRUE;
    st->in_member = TRUE;
  } else if (st->src->kind == W4_SRC_ZSTD) {
    st->zs = ZSTD_createDStream ();
    if (st->zs == NULL ||
        ZSTD_isError (ZSTD_DCtx_setParameter (st->zs, ZSTD_d_windowLogMax,
                                              W4_SRC_ZSTD_WINDOW_LOG_MAX)))
      return FALSE;
    st->zs_hint = 1; /* no frame complete yet */
  }
  if (st->src->kind != W4_SRC_PLAIN)
    st->in = g_malloc (W4_SRC_IN_SIZE);
  return TRUE;
}

FILE *
w4_src_open (W4Src *src, char *iobuf, gsize iobuf_size, gboolean *is_ng, GError **error)
{
  static const cookie_io_functions_t io = { w4_src_cookie_read, NULL, NULL,
                                            w4_src_cookie_close };
  W4SrcStream *st;
  FILE *fp;

  g_return_val_if_fail (src != NULL && !src->stream_open, NULL);
  *is_ng = FALSE;
  if (src->opened && !src->seekable) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                 "cannot be read twice (a pipe or other stream)");
    return NULL;
  }
  st = g_new0 (W4SrcStream, 1);
  st->src = src;
  if (src->seekable) {
    /* The magic was read from the descriptor: start over. */
    if (lseek (src->fd, src->start, SEEK_SET) < 0) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s",
                   g_strerror (errno));
      g_free (st);
      return NULL;
    }
  } else {
    memcpy (st->raw, src->magic, src->n_magic);
    st->raw_n = src->n_magic;
  }
  g_clear_pointer (&src->damage, g_free);
  if (!w4_src_decoder_init (st)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "cannot start the %s decompressor",
                 w4_src_kind_name (src));
    src->stream_open = TRUE; /* for the close below */
    w4_src_cookie_close (st);
    return NULL;
  }
  /* The first decompressed bytes say pcap or pcapng; the stream gives
   * them again. At most four reads that each return at least one byte. */
  while (st->out_n < W4_SRC_MAGIC) {
    ssize_t n = w4_src_decoded_read (st, (char *) st->out + st->out_n, W4_SRC_MAGIC - st->out_n);

    if (n <= 0)
      break;
    st->out_n += (gsize) n;
  }
  *is_ng = st->out_n == 4 && memcmp (st->out, "\x0a\x0d\x0d\x0a", 4) == 0;
  src->opened = TRUE;
  src->stream_open = TRUE;
  fp = fopencookie (st, "rb", io);
  if (fp == NULL) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
    w4_src_cookie_close (st);
    return NULL;
  }
  if (iobuf != NULL)
    setvbuf (fp, iobuf, _IOFBF, iobuf_size);
  return fp;
}
