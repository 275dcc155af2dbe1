/* capture.c: packets in, through libpcap, for files and live interfaces.
 *
 * Files: each is opened once, when added, and its first packet's time is
 * peeked, so that the run reads the files in order of their first packet
 * (as `mergecap -a` would join them); frame numbers continue across files.
 * The descriptor stays open until that file has been read: opening the
 * path again would fail for a FIFO or `<(zcat x.gz)`, and could read
 * another file than the one peeked at. What stays open per idle file is
 * only that descriptor: a regular file (also compressed) is read again from
 * its start at run time, so its libpcap handle, 1 MiB buffer and
 * decompressor are freed after the peek. Only a stream (pipe, FIFO,
 * terminal: anything that cannot seek) keeps its open reader and its
 * peeked record, since its bytes cannot be read twice; runs name hundreds
 * of rotated files, rarely more than a few pipes. RLIMIT_NOFILE's soft
 * limit is raised to the hard one for the hundreds; past that, a file is a
 * warning ("Too many open files") and the others are read. source.c reads
 * gzip and zstd inputs (by their magic bytes) for both.
 *
 * libpcap 1.10 refuses a pcapng whose interfaces differ in link type or
 * snap length, or whose sections differ in byte order; pcapng.c reads
 * those. A regular file switches to it where libpcap stopped (the packets
 * libpcap already gave are skipped); a stream in pcapng form always uses
 * it, because it could not be re-read.
 *
 * Decryption Secrets Blocks (TLS key logs that `editcap --inject-secrets`
 * put into a pcapng) are skipped by libpcap. pcapng.c gives them where they
 * stand; for a pcapng file libpcap reads, a second short pass when the file
 * is added reads the blocks before its first packet for them, where every
 * known writer (editcap, Wireshark's export) puts them: a few blocks, not a
 * second read of the file. Whichever reader meets a block again (the run
 * after the peek, pcapng.c after libpcap) gives it on once.
 *
 * A BPF filter (-f) on files is compiled once per link type (also for
 * pcapng.c's per-interface link types) and applied with
 * pcap_offline_filter: a frame it rejects still counts (on_frame), so that
 * frame numbers stay the file's, and its TCP header still takes part in
 * tcp.stream numbering (numbered_only), but nothing else is made of it.
 *
 * A record cut short or damaged ends that file with a warning naming the
 * file and the frame; what was read before stays analysed, and the next
 * file runs. Every record counts as a frame, whatever becomes of it.
 *
 * Live: pcap_create, immediate mode, a snaplen that keeps whole packets,
 * a non-blocking handle polled with a timeout of at most 1 s, so that on_tick
 * fires about once a second without traffic. w4_cap_stop only sets a sig_atomic_t and calls pcap_breakloop,
 * both safe in a signal handler.
 *
 * No global state; no allocation per packet except for IP reassembly. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "decode-private.h"
#include "pcapng-private.h"
#include "source-private.h"

/* libpcap's own maximum (MAXIMUM_SNAPLEN): whole packets, also from
 * interfaces with large MTUs and GRO. */
#define W4_CAP_LIVE_SNAPLEN 262144
/* Read timeout for live capture, ms: bounds the delay of on_tick and of
 * noticing a stop request. */
#define W4_CAP_LIVE_TIMEOUT_MS 1000
/* Bytes of the first record we keep for a stream (its peek cannot be
 * re-read); larger first records are kept up to this, like a snaplen. */
#define W4_CAP_PEEK_MAX 262144

/* The -f filter for files, compiled for one link type. */
typedef struct {
  int dlt;
  gboolean ok; /* compiled; otherwise warned once, frames not analysed */
  struct bpf_program prog;
} W4CapFilter;

typedef struct W4CapFile {
  struct W4Capture *cap;
  char *name;
  W4Src *src;        /* the descriptor, opened once; freed once read */
  gboolean is_stream; /* cannot seek: read once, from add time on */
  gboolean use_ng;   /* read with pcapng.c rather than libpcap */
  gboolean readable; /* opened at add time */
  gboolean is_ng;    /* the bytes are pcapng */
  guint dsb_given;   /* Decryption Secrets Blocks given to the sink */
  guint dsb_pass;    /* ... met by the reader open now */
  /* Open handles: streams from add time on; regular files during the run. */
  pcap_t *pcap;
  W4Pcapng *ng;
  int dlt;           /* libpcap's link type for the whole file */
  gboolean has_first;
  W4Time first_ts;
  /* stream: the peeked first record, replayed at run time, or why it
   * could not be read (reported in order, at run time). */
  gboolean peek_pending;
  char *peek_error;
  W4Time peek_ts;
  guint32 peek_caplen, peek_wirelen;
  int peek_dlt;
  guint8 *peek_data;
  /* stdio buffer of the stream a regular file is read through during the
   * run; freed only after that stream is closed. */
  char *iobuf;
  /* -f compiled on this file's own libpcap handle, which knows what
   * pcap_open_dead cannot: a DLT_NULL file written in the other byte order
   * has its address family swapped. NULL until first used. */
  W4CapFilter *pcap_filter;
  /* pcapng.c: interfaces already warned about (bit per serial < 64). */
  guint64 warned_if;
  gboolean warned_more;
} W4CapFile;

struct W4Capture {
  W4Limits limits;
  W4CaptureSink sink;
  W4Decoder dec;
  GPtrArray *files; /* W4CapFile*, in run order */
  gboolean nofile_raised;
  gboolean stdin_taken; /* "-" can be read once */
  /* files: -f, and its programs by link type (GArray of W4CapFilter) */
  char *bpf;
  GArray *filters;
  /* live */
  pcap_t *live;
  int live_dlt;
  guint64 stop_count;
  guint stop_seconds;
  volatile sig_atomic_t stop_flag;
  /* totals */
  guint64 packets;
  guint64 bytes;
  guint cur_file;
  /* frames of the file being read: Wireshark's numbers count per file */
  guint frames_file;
  guint64 file_packets;
};

G_DEFINE_QUARK (w4-capture-error-quark, w4_capture_error)

static void
w4_cap_file_free (gpointer p)
{
  W4CapFile *f = p;

  if (f == NULL)
    return;
  if (f->pcap != NULL)
    pcap_close (f->pcap);
  w4_ng_free (f->ng);
  w4_src_free (f->src); /* after the streams over it are closed */
  g_free (f->iobuf);
  g_free (f->peek_data);
  g_free (f->peek_error);
  g_free (f->name);
  g_free (f);
}

W4Capture *
w4_cap_new (const W4Limits *limits, const W4CaptureSink *sink)
{
  W4Capture *cap;

  g_return_val_if_fail (limits != NULL && sink != NULL, NULL);
  cap = g_new0 (W4Capture, 1);
  cap->limits = *limits;
  cap->sink = *sink;
  w4_dec_init (&cap->dec, &cap->limits, &cap->sink);
  cap->files = g_ptr_array_new_with_free_func (w4_cap_file_free);
  return cap;
}

void
w4_cap_free (W4Capture *cap)
{
  if (cap == NULL)
    return;
  g_ptr_array_unref (cap->files);
  for (guint i = 0; cap->filters != NULL && i < cap->filters->len; i++) {
    W4CapFilter *flt = &g_array_index (cap->filters, W4CapFilter, i);
    if (flt->ok)
      pcap_freecode (&flt->prog);
  }
  if (cap->filters != NULL)
    g_array_unref (cap->filters);
  g_free (cap->bpf);
  if (cap->live != NULL)
    pcap_close (cap->live);
  w4_dec_clear (&cap->dec);
  g_free (cap);
}

/* ---- events ------------------------------------------------------------- */

static void
w4_cap_warn (W4Capture *cap, guint64 frame, W4Time ts, const char *message)
{
  W4Anomaly a;

  if (cap->sink.on_anomaly == NULL)
    return;
  memset (&a, 0, sizeof a);
  a.kind = W4_ANOM_WARNING;
  a.frame = frame;
  a.ts = ts;
  a.limit = W4_LIMIT_COUNT;
  a.message = message;
  cap->sink.on_anomaly (cap->sink.user, &a);
}

/* One frame: count it, tell the sink, decode it (unless @dlt < 0: an
 * interface we cannot read, whose packets still count). */
static void
w4_cap_frame (W4Capture *cap, int dlt, guint file_index, W4Time ts, guint32 caplen,
              guint32 wirelen, const guint8 *data)
{
  W4FrameInfo fi;

  /* Files are read one after another: a new index starts a file. */
  if (cap->packets == 0 || file_index != cap->frames_file) {
    cap->frames_file = file_index;
    cap->file_packets = 0;
  }
  fi.frame = ++cap->packets;
  fi.file_frame = ++cap->file_packets;
  fi.ts = ts;
  fi.file_index = file_index;
  fi.caplen = caplen;
  fi.wirelen = wirelen;
  cap->bytes += caplen;
  if (cap->sink.on_frame != NULL)
    cap->sink.on_frame (cap->sink.user, &fi);
  if (dlt >= 0)
    w4_dec_frame (&cap->dec, dlt, &fi, data, caplen);
}

static W4Time
w4_cap_ts (const struct timeval *tv, gboolean nano)
{
  W4Time t;

  t.sec = tv->tv_sec;
  /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
  t.nsec = (guint32) (nano ? tv->tv_usec : tv->tv_usec * 1000);
  if (t.nsec >= 1000000000u)
    t.nsec = 999999999u;
  return t;
}

/* ---- files ---------------------------------------------------------------- */

/* libpcap reads through stdio, whose default buffer (4 KiB for a pipe or
 * a cookie stream) costs a read(2) for every 4 KiB: a visible share of a
 * run. A regular file is read at run time through a 1 MiB buffer, which
 * exists only while that file is read. */
#define W4_CAP_IOBUF_SIZE (1 << 20)

/* A run may name hundreds of rotated files, each holding a descriptor
 * until it is read: take what the hard limit allows (done once). */
static void
w4_cap_raise_nofile (W4Capture *cap)
{
  struct rlimit rl;

  if (cap->nofile_raised)
    return;
  cap->nofile_raised = TRUE;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void) setrlimit (RLIMIT_NOFILE, &rl); /* at worst the old limit stays */
  }
}

/* How an input is named in an error: "-" is standard input. */
static const char *
w4_cap_label (const char *path)
{
  return strcmp (path, "-") == 0 ? "standard input" : path;
}

/* "x.pcap.gz: " says the reader saw decompressed bytes. */
static const char *
w4_cap_kind_note (const W4CapFile *f)
{
  switch (w4_src_kind (f->src)) {
  case W4_SRC_GZIP:
    return " (after gzip decompression)";
  case W4_SRC_ZSTD:
    return " (after zstd decompression)";
  case W4_SRC_PLAIN:
  default:
    return "";
  }
}

/* A Decryption Secrets Block, from pcapng.c: on to the sink unless an
 * earlier reader of this file gave it already. */
static void
w4_cap_on_ng_secrets (void *user, guint32 type, const guint8 *data, gsize len)
{
  W4CapFile *f = user;
  W4CaptureSink *sink = &f->cap->sink;
  W4CapSecrets secrets;

  if (++f->dsb_pass <= f->dsb_given)
    return;
  f->dsb_given = f->dsb_pass;
  if (sink->on_secrets == NULL)
    return;
  secrets.file = f->name;
  secrets.index = f->dsb_given;
  secrets.type = type;
  secrets.data = data;
  secrets.len = len;
  sink->on_secrets (sink->user, &secrets);
}

static W4Pcapng *
w4_cap_ng_open (W4CapFile *f, FILE *fp, GError **error)
{
  W4Pcapng *ng = w4_ng_open (fp, error);

  if (ng != NULL) {
    w4_ng_set_secrets (ng, w4_cap_on_ng_secrets, f);
    f->dsb_pass = 0;
  }
  return ng;
}

/* Opens a reader (libpcap, or pcapng.c when @f->use_ng or, for a stream,
 * when the bytes are pcapng) over a fresh stream of @f's bytes. */
static gboolean
w4_cap_open_reader (W4CapFile *f, gboolean with_iobuf, GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  g_autoptr (GError) src_error = NULL;
  gboolean is_ng = FALSE;
  FILE *fp;

  if (with_iobuf && f->iobuf == NULL)
    f->iobuf = g_malloc (W4_CAP_IOBUF_SIZE);
  fp = w4_src_open (f->src, with_iobuf ? f->iobuf : NULL, W4_CAP_IOBUF_SIZE, &is_ng, &src_error);
  if (fp == NULL) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s",
                 w4_cap_label (f->name), src_error->message);
    return FALSE;
  }
  /* A stream cannot be read again when libpcap gives up on a pcapng it
   * does not mix: pcapng.c reads it from the start. */
  f->is_ng = is_ng;
  if (is_ng && f->is_stream)
    f->use_ng = TRUE;
  if (f->use_ng) {
    f->ng = w4_cap_ng_open (f, fp, error);
    return f->ng != NULL;
  }
  f->pcap = pcap_fopen_offline_with_tstamp_precision (fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (f->pcap == NULL) {
    fclose (fp);
    if (w4_src_damage (f->src) != NULL)
      g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s before a capture "
                   "header could be read", w4_cap_label (f->name), w4_src_damage (f->src));
    else
      g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s%s",
                   w4_cap_label (f->name), errbuf, w4_cap_kind_note (f));
    return FALSE;
  }
  f->dlt = pcap_datalink (f->pcap);
  return TRUE;
}

static void
w4_cap_close_reader (W4CapFile *f)
{
  if (f->pcap_filter != NULL && f->pcap_filter->ok)
    pcap_freecode (&f->pcap_filter->prog);
  g_clear_pointer (&f->pcap_filter, g_free);
  g_clear_pointer (&f->pcap, pcap_close);
  g_clear_pointer (&f->ng, w4_ng_free);
  g_clear_pointer (&f->iobuf, g_free);
}

/* libpcap's words when it gives up on a valid pcapng that pcapng.c reads. */
static gboolean
w4_cap_pcap_refuses_ng (const char *err)
{
  return g_str_has_prefix (err, "an interface has a ") ||
         strstr (err, "sections with different byte orders") != NULL;
}

/* Reads one record of @f. 1: packet (fields filled); 0: end; -1: damaged,
 * @err says why. */
static int
w4_cap_file_next (W4CapFile *f, int *dlt, W4Time *ts, guint32 *caplen, guint32 *wirelen,
                  const guint8 **data, int *if_serial, char *err, gsize errlen)
{
  *if_serial = -1;
  if (f->ng != NULL) {
    W4NgPacket pk;
    int rc = w4_ng_next (f->ng, &pk, err, errlen);

    if (rc <= 0)
      return rc;
    *dlt = pk.linktype;
    *ts = pk.ts;
    *caplen = pk.caplen;
    *wirelen = pk.wirelen;
    *data = pk.data;
    *if_serial = (int) MIN (pk.if_serial, (guint32) G_MAXINT);
    return 1;
  } else {
    struct pcap_pkthdr *hdr;
    const u_char *bytes;
    int rc = pcap_next_ex (f->pcap, &hdr, &bytes);

    if (rc == 1) {
      *dlt = f->dlt;
      *ts = w4_cap_ts (&hdr->ts, TRUE);
      *caplen = hdr->caplen;
      *wirelen = hdr->len;
      *data = bytes;
      return 1;
    }
    if (rc == PCAP_ERROR_BREAK)
      return 0;
    g_strlcpy (err, pcap_geterr (f->pcap), errlen);
    return -1;
  }
}

static int
w4_cap_file_cmp (gconstpointer a, gconstpointer b)
{
  const W4CapFile *x = *(W4CapFile *const *) a, *y = *(W4CapFile *const *) b;

  /* Files without a packet go last; they add nothing to the merge. */
  if (x->has_first != y->has_first)
    return x->has_first ? -1 : 1;
  if (!x->has_first)
    return 0;
  return w4_time_cmp (x->first_ts, y->first_ts);
}

/* A pcapng file libpcap reads: its Decryption Secrets Blocks before the
 * first packet, read with pcapng.c over another stream of its bytes. Damage
 * is not reported here: the run meets it and says so, in order. */
static void
w4_cap_scan_secrets (W4Capture *cap, W4CapFile *f)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  gboolean is_ng = FALSE;
  W4Pcapng *ng;
  FILE *fp;

  if (f->is_stream || !f->is_ng || f->use_ng || cap->sink.on_secrets == NULL)
    return;
  fp = w4_src_open (f->src, NULL, 0, &is_ng, NULL);
  if (fp == NULL)
    return;
  ng = w4_cap_ng_open (f, fp, NULL);
  if (ng == NULL) {
    fclose (fp);
    return;
  }
  (void) w4_ng_scan_secrets (ng, errbuf, sizeof errbuf);
  w4_ng_free (ng);
}

/* Opens @path ("-": standard input) once. */
static W4Src *
w4_cap_open_src (W4Capture *cap, const char *path, GError **error)
{
  g_autoptr (GError) src_error = NULL;
  W4Src *src;
  int fd;

  w4_cap_raise_nofile (cap);
  if (strcmp (path, "-") == 0 && cap->stdin_taken) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN,
                 "standard input: given more than once");
    return NULL;
  }
  if (strcmp (path, "-") == 0) {
    fd = STDIN_FILENO;
    cap->stdin_taken = TRUE;
  } else {
    fd = open (path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s", path,
                 g_strerror (errno));
    return NULL;
  }
  src = w4_src_new (fd, path, &src_error);
  if (src == NULL)
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s", w4_cap_label (path),
                 src_error->message);
  return src;
}

gboolean
w4_cap_add_file (W4Capture *cap, const char *path, GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  W4CapFile *f;
  int dlt, if_serial, rc;
  W4Time ts;
  guint32 caplen, wirelen;
  const guint8 *data;

  g_return_val_if_fail (cap != NULL && path != NULL, FALSE);
  f = g_new0 (W4CapFile, 1);
  f->cap = cap;
  f->name = g_strdup (path);
  f->src = w4_cap_open_src (cap, path, error);
  if (f->src == NULL) {
    w4_cap_file_free (f);
    return FALSE;
  }
  f->is_stream = !w4_src_seekable (f->src);
  if (!w4_cap_open_reader (f, FALSE, error)) {
    w4_cap_file_free (f);
    return FALSE;
  }

  if (f->pcap != NULL && !w4_dec_linktype_supported (f->dlt)) {
    const char *name = pcap_datalink_val_to_name (f->dlt);

    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN,
                 "%s: link type %d (%s) is not one why401 can read; file skipped", path,
                 f->dlt, name != NULL ? name : "unknown");
    w4_cap_file_free (f);
    return FALSE;
  }

  rc = w4_cap_file_next (f, &dlt, &ts, &caplen, &wirelen, &data, &if_serial, errbuf,
                         sizeof errbuf);
  if (rc < 0 && f->pcap != NULL && w4_cap_pcap_refuses_ng (errbuf)) {
    /* Mixed link types before the first packet: pcapng.c reads it. A
     * stream never gets here (a pcapng stream uses pcapng.c from the
     * start). */
    w4_cap_close_reader (f);
    f->use_ng = TRUE;
    if (!w4_cap_open_reader (f, FALSE, error)) {
      w4_cap_file_free (f);
      return FALSE;
    }
    rc = w4_cap_file_next (f, &dlt, &ts, &caplen, &wirelen, &data, &if_serial, errbuf,
                           sizeof errbuf);
  }
  if (rc == 1) {
    f->has_first = TRUE;
    f->first_ts = ts;
    if (f->is_stream) {
      f->peek_pending = TRUE;
      f->peek_ts = ts;
      f->peek_dlt = dlt;
      f->peek_caplen = MIN (caplen, W4_CAP_PEEK_MAX);
      f->peek_wirelen = wirelen;
      f->peek_data = g_memdup2 (data, f->peek_caplen);
      (void) if_serial;
    }
  } else if (rc < 0 && f->is_stream) {
    /* A regular file meets the same damage again at run time, in order. */
    f->peek_error = g_strdup (errbuf);
  }
  f->readable = TRUE;
  if (!f->is_stream)
    w4_cap_close_reader (f); /* the descriptor alone stays open */
  w4_cap_scan_secrets (cap, f);

  g_ptr_array_add (cap->files, f);
  /* Stable insertion sort: equal first times keep the order given. */
  g_ptr_array_sort (cap->files, w4_cap_file_cmp);
  return TRUE;
}

/* ---- -f on files ---------------------------------------------------------- */

/* Link types a filter is tried on to see that it compiles at all; one that
 * compiles for none of them is a user's mistake (exit 2). */
static const int w4_cap_filter_probe_dlts[] = {
  DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_NULL, DLT_IEEE802_11_RADIO,
};

/* pcapng.c gives the file's LINKTYPE_ values; pcap_compile wants DLT_
 * ones, which differ for a few (libpcap maps them when it reads a file). */
static int
w4_cap_linktype_to_dlt (int linktype)
{
  switch (linktype) {
  case 101: /* LINKTYPE_RAW */
    return DLT_RAW;
  case 50: /* LINKTYPE_PPP_HDLC */
    return DLT_PPP_SERIAL;
  default:
    return linktype;
  }
}

static gboolean
w4_cap_compile (int dlt, const char *bpf, struct bpf_program *prog, char *err, gsize errlen)
{
  pcap_t *dead = pcap_open_dead (w4_cap_linktype_to_dlt (dlt), W4_CAP_LIVE_SNAPLEN);
  gboolean ok;

  if (dead == NULL) {
    g_strlcpy (err, "out of memory", errlen);
    return FALSE;
  }
  ok = pcap_compile (dead, prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (!ok)
    g_strlcpy (err, pcap_geterr (dead), errlen);
  pcap_close (dead);
  return ok;
}

gboolean
w4_cap_set_filter (W4Capture *cap, const char *bpf, GError **error)
{
  char err[PCAP_ERRBUF_SIZE] = "", first_err[PCAP_ERRBUF_SIZE] = "";

  g_return_val_if_fail (cap != NULL, FALSE);
  if (bpf == NULL || bpf[0] == '\0')
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (w4_cap_filter_probe_dlts); i++) {
    struct bpf_program prog;

    if (w4_cap_compile (w4_cap_filter_probe_dlts[i], bpf, &prog, err, sizeof err)) {
      pcap_freecode (&prog);
      g_free (cap->bpf);
      cap->bpf = g_strdup (bpf);
      if (cap->filters == NULL)
        cap->filters = g_array_new (FALSE, TRUE, sizeof (W4CapFilter));
      return TRUE;
    }
    if (i == 0)
      g_strlcpy (first_err, err, sizeof first_err);
  }
  g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_FILTER, "filter \"%s\": %s", bpf,
               first_err);
  return FALSE;
}

/* The program for @dlt, compiled on first use; not ok when the filter
 * does not compile for it (warned once: its frames count, and are not
 * analysed, since what the filter would keep is unknown). The cache holds
 * at most one program per link type the decoder reads (about twenty):
 * frames of other link types never get here. */
static const W4CapFilter *
w4_cap_filter_for (W4Capture *cap, W4CapFile *f, int dlt, guint64 frame, W4Time ts)
{
  W4CapFilter flt = { 0 };
  char err[PCAP_ERRBUF_SIZE] = "";

  if (f->pcap != NULL && f->pcap_filter != NULL)
    return f->pcap_filter;
  if (f->pcap == NULL) {
    for (guint i = 0; i < cap->filters->len; i++)
      if (g_array_index (cap->filters, W4CapFilter, i).dlt == dlt)
        return &g_array_index (cap->filters, W4CapFilter, i);
  }
  flt.dlt = dlt;
  if (f->pcap != NULL) {
    flt.ok = pcap_compile (f->pcap, &flt.prog, cap->bpf, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!flt.ok)
      g_strlcpy (err, pcap_geterr (f->pcap), sizeof err);
  } else {
    flt.ok = w4_cap_compile (dlt, cap->bpf, &flt.prog, err, sizeof err);
  }
  if (!flt.ok) {
    const char *name = pcap_datalink_val_to_name (dlt);
    g_autofree char *msg = g_strdup_printf (
        "%s: filter \"%s\" does not apply to link type %d (%s): %s; its packets are counted "
        "but not read",
        f->name, cap->bpf, dlt, name != NULL ? name : "unknown", err);
    w4_cap_warn (cap, frame, ts, msg);
  }
  if (f->pcap != NULL) {
    f->pcap_filter = g_memdup2 (&flt, sizeof flt);
    return f->pcap_filter;
  }
  g_array_append_val (cap->filters, flt);
  return &g_array_index (cap->filters, W4CapFilter, cap->filters->len - 1);
}

/* TRUE when -f is set and rejects this frame (or cannot judge it). */
static gboolean
w4_cap_filter_rejects (W4Capture *cap, W4CapFile *f, int dlt, W4Time ts, guint32 caplen,
                       guint32 wirelen, const guint8 *data)
{
  const W4CapFilter *flt;
  struct pcap_pkthdr hdr;

  if (cap->bpf == NULL || dlt < 0)
    return FALSE;
  flt = w4_cap_filter_for (cap, f, dlt, cap->packets + 1, ts);
  if (!flt->ok)
    return TRUE;
  memset (&hdr, 0, sizeof hdr);
  hdr.caplen = caplen;
  hdr.len = wirelen;
  return pcap_offline_filter (&flt->prog, &hdr, data) == 0;
}

static void
w4_cap_warn_interface (W4Capture *cap, W4CapFile *f, int if_serial, guint64 frame, W4Time ts,
                       const char *why)
{
  g_autofree char *msg = NULL;

  if (if_serial < 64) {
    if (f->warned_if & ((guint64) 1 << if_serial))
      return;
    f->warned_if |= (guint64) 1 << if_serial;
  } else {
    if (f->warned_more)
      return;
    f->warned_more = TRUE;
  }
  msg = g_strdup_printf ("%s: interface %d %s; its packets are counted but not read", f->name,
                         if_serial, why);
  w4_cap_warn (cap, frame, ts, msg);
}

/* Why a pcapng packet's interface cannot be read, for its warning. */
static const char *
w4_cap_if_trouble (int dlt)
{
  if (dlt == W4_NG_IF_OVER_CAP)
    return "is past the first " G_STRINGIFY (W4_NG_MAX_INTERFACES)
           " interfaces of its section, which are all why401 keeps";
  if (dlt < 0)
    return "is not described";
  return "has a link type why401 cannot read";
}

/* The warning for a file whose records stop early at its frame
 * @file_frame: a damaged or cut-short compressed stream says so (the reader
 * only saw its bytes end); otherwise the reader's reason. */
static void
w4_cap_warn_damage (W4Capture *cap, W4CapFile *f, const char *errbuf, guint64 file_frame)
{
  g_autofree char *msg = NULL;
  const char *damage = w4_src_damage (f->src);

  if (damage != NULL)
    msg = g_strdup_printf ("%s: %s at frame %" G_GUINT64_FORMAT "; analysed what came before",
                           f->name, damage, file_frame);
  else if (strstr (errbuf, "truncated") != NULL)
    msg = g_strdup_printf ("%s: truncated at frame %" G_GUINT64_FORMAT
                           "; analysed what came before",
                           f->name, file_frame);
  else
    msg = g_strdup_printf ("%s: damaged record at frame %" G_GUINT64_FORMAT
                           " (%s); analysed what came before",
                           f->name, file_frame, errbuf);
  w4_cap_warn (cap, cap->packets + 1, (W4Time){ 0, 0 }, msg);
}

/* One record. One that -f rejects still counts (frame numbers stay the
 * file's) and still takes part in tcp.stream numbering (Wireshark numbers
 * the whole file, and the user opens the whole file), but is not analysed. */
static void
w4_cap_file_frame (W4Capture *cap, W4CapFile *f, guint index, int dlt, W4Time ts,
                   guint32 caplen, guint32 wirelen, const guint8 *data)
{
  cap->dec.numbering_only = w4_cap_filter_rejects (cap, f, dlt, ts, caplen, wirelen, data);
  w4_cap_frame (cap, dlt, index, ts, caplen, wirelen, data);
  cap->dec.numbering_only = FALSE;
}

/* Reads one file to its end, then closes it. FALSE when it could not be
 * opened again. */
static gboolean
w4_cap_run_file (W4Capture *cap, guint index)
{
  W4CapFile *f = g_ptr_array_index (cap->files, index);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  guint64 in_file = 0;
  g_autoptr (GError) error = NULL;
  gboolean opened = TRUE;

  if (!f->is_stream && !w4_cap_open_reader (f, TRUE, &error)) {
    w4_cap_warn (cap, 0, (W4Time){ 0, 0 }, error->message);
    opened = FALSE;
    goto done;
  }

  if (f->peek_pending) {
    f->peek_pending = FALSE;
    in_file++;
    w4_cap_file_frame (cap, f, index, f->peek_dlt, f->peek_ts, f->peek_caplen,
                       f->peek_wirelen, f->peek_data);
    g_clear_pointer (&f->peek_data, g_free);
  }
  if (f->peek_error != NULL) {
    w4_cap_warn_damage (cap, f, f->peek_error, in_file + 1);
    goto done;
  }

  /* Bounded by the file: every pass reads one record or ends. */
  while (!cap->stop_flag) {
    int dlt, if_serial, rc;
    W4Time ts;
    guint32 caplen, wirelen;
    const guint8 *data;

    rc = w4_cap_file_next (f, &dlt, &ts, &caplen, &wirelen, &data, &if_serial, errbuf,
                           sizeof errbuf);
    if (rc == 0) {
      if (w4_src_damage (f->src) != NULL)
        w4_cap_warn_damage (cap, f, "", in_file + 1);
      break;
    }
    if (rc < 0 && f->pcap != NULL && !f->is_stream && w4_cap_pcap_refuses_ng (errbuf)) {
      /* libpcap met an interface it will not mix: carry on with pcapng.c
       * from the same record, skipping what libpcap already gave. */
      w4_cap_close_reader (f);
      f->use_ng = TRUE;
      if (!w4_cap_open_reader (f, TRUE, &error)) {
        w4_cap_warn (cap, 0, (W4Time){ 0, 0 }, error->message);
        goto done;
      }
      for (guint64 k = 0; k < in_file; k++) {
        rc = w4_cap_file_next (f, &dlt, &ts, &caplen, &wirelen, &data, &if_serial, errbuf,
                               sizeof errbuf);
        if (rc != 1)
          break;
      }
      continue;
    }
    if (rc < 0) {
      w4_cap_warn_damage (cap, f, errbuf, in_file + 1);
      break;
    }
    in_file++;
    if (f->ng != NULL && !w4_dec_linktype_supported (dlt)) {
      w4_cap_warn_interface (cap, f, if_serial, cap->packets + 1, ts, w4_cap_if_trouble (dlt));
      dlt = -1;
    }
    w4_cap_file_frame (cap, f, index, dlt, ts, caplen, wirelen, data);
  }
done:
  /* Read once: its descriptor and buffers go now, not at the end of the
   * run (hundreds of files). */
  w4_cap_close_reader (f);
  g_clear_pointer (&f->src, w4_src_free);
  return opened;
}

/* ---- live ----------------------------------------------------------------- */

static W4Time w4_cap_now (void);

/* On "any", Linux cooked v2 as tcpdump asks for it (it names each packet's
 * interface), when libpcap offers it; else its default, cooked v1. */
static void
w4_cap_prefer_sll2 (pcap_t *p)
{
  int *dlts = NULL;
  int n = pcap_list_datalinks (p, &dlts);

  for (int i = 0; i < n; i++) {
    if (dlts[i] == W4_DLT_LINUX_SLL2) {
      pcap_set_datalink (p, W4_DLT_LINUX_SLL2);
      break;
    }
  }
  if (n >= 0)
    pcap_free_datalinks (dlts);
}

/* tcpdump -D's words for an interface's flags (print_devs in tcpdump.c). */
static void
w4_cap_describe_flags (GString *s, bpf_u_int32 flags)
{
  static const struct {
    bpf_u_int32 bit;
    const char *name;
  } names[] = {
    { PCAP_IF_UP, "Up" },
    { PCAP_IF_RUNNING, "Running" },
    { PCAP_IF_LOOPBACK, "Loopback" },
    { PCAP_IF_WIRELESS, "Wireless" },
  };
  gsize start = s->len;
  bpf_u_int32 status = flags & PCAP_IF_CONNECTION_STATUS;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].bit)
      g_string_append_printf (s, "%s%s", s->len > start ? ", " : "", names[i].name);
  if (s->len == start)
    g_string_append (s, "none");
  if (status == PCAP_IF_CONNECTION_STATUS_UNKNOWN)
    g_string_append (s, (flags & PCAP_IF_WIRELESS) ? ", Association status unknown"
                                                   : ", Connection status unknown");
  else if (status == PCAP_IF_CONNECTION_STATUS_CONNECTED)
    g_string_append (s, (flags & PCAP_IF_WIRELESS) ? ", Associated" : ", Connected");
  else if (status == PCAP_IF_CONNECTION_STATUS_DISCONNECTED)
    g_string_append (s, (flags & PCAP_IF_WIRELESS) ? ", Not associated" : ", Disconnected");
}

char **
w4_cap_list_interfaces (GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_if_t *devs = NULL;
  GPtrArray *lines;

  if (pcap_findalldevs (&devs, errbuf) < 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s", errbuf);
    return NULL;
  }
  lines = g_ptr_array_new ();
  for (pcap_if_t *d = devs; d != NULL; d = d->next) {
    GString *s = g_string_new (d->name);

    if (d->description != NULL)
      g_string_append_printf (s, " (%s)", d->description);
    if (d->flags != 0) {
      g_string_append (s, " [");
      w4_cap_describe_flags (s, d->flags);
      g_string_append_c (s, ']');
    }
    g_ptr_array_add (lines, g_string_free (s, FALSE));
  }
  pcap_freealldevs (devs);
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

gboolean
w4_cap_open_live (W4Capture *cap, const char *iface, const char *bpf, gboolean promisc,
                  GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p;
  int rc;

  g_return_val_if_fail (cap != NULL && iface != NULL, FALSE);
  g_return_val_if_fail (cap->live == NULL, FALSE);
  p = pcap_create (iface, errbuf);
  if (p == NULL) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s", iface, errbuf);
    return FALSE;
  }
  pcap_set_snaplen (p, W4_CAP_LIVE_SNAPLEN);
  /* Promiscuous by default, as tcpdump: a capture for someone else's
   * failed login must see traffic not addressed to this host. "any" has no
   * promiscuous mode (libpcap would only answer with a warning). */
  pcap_set_promisc (p, promisc && strcmp (iface, "any") != 0);
  pcap_set_immediate_mode (p, 1);
  pcap_set_timeout (p, W4_CAP_LIVE_TIMEOUT_MS);
  /* Not every device offers nanoseconds; microseconds are fine then. */
  pcap_set_tstamp_precision (p, PCAP_TSTAMP_PRECISION_NANO);
  rc = pcap_activate (p);
  if (rc < 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s", iface,
                 rc == PCAP_ERROR ? pcap_geterr (p) : pcap_statustostr (rc));
    pcap_close (p);
    return FALSE;
  }
  if (rc > 0) {
    /* A warning (e.g. no promiscuous mode): the capture works, say it. */
    g_autofree char *msg = g_strdup_printf (
        "%s: %s", iface, rc == PCAP_WARNING ? pcap_geterr (p) : pcap_statustostr (rc));
    w4_cap_warn (cap, 0, w4_cap_now (), msg);
  }
  if (strcmp (iface, "any") == 0)
    w4_cap_prefer_sll2 (p);
  if (pcap_setnonblock (p, 1, errbuf) < 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "%s: %s", iface, errbuf);
    pcap_close (p);
    return FALSE;
  }
  cap->live_dlt = pcap_datalink (p);
  if (!w4_dec_linktype_supported (cap->live_dlt)) {
    const char *name = pcap_datalink_val_to_name (cap->live_dlt);

    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN,
                 "%s: link type %d (%s) is not one why401 can read", iface, cap->live_dlt,
                 name != NULL ? name : "unknown");
    pcap_close (p);
    return FALSE;
  }
  if (bpf != NULL && bpf[0] != '\0') {
    struct bpf_program prog;

    if (pcap_compile (p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
      g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_FILTER, "filter \"%s\": %s", bpf,
                   pcap_geterr (p));
      pcap_close (p);
      return FALSE;
    }
    rc = pcap_setfilter (p, &prog);
    pcap_freecode (&prog);
    if (rc < 0) {
      g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_FILTER, "filter \"%s\": %s", bpf,
                   pcap_geterr (p));
      pcap_close (p);
      return FALSE;
    }
  }
  cap->live = p;
  return TRUE;
}

gboolean
w4_cap_live_info (W4Capture *cap, int *linktype, int *snaplen)
{
  g_return_val_if_fail (cap != NULL, FALSE);
  if (cap->live == NULL)
    return FALSE;
  *linktype = cap->live_dlt;
  *snaplen = pcap_snapshot (cap->live);
  return TRUE;
}

gboolean
w4_cap_live_stats (W4Capture *cap, W4CapLiveStats *st, GError **error)
{
  struct pcap_stat ps;

  g_return_val_if_fail (cap != NULL && st != NULL, FALSE);
  if (cap->live == NULL || pcap_stats (cap->live, &ps) < 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_OPEN, "pcap_stats: %s",
                 cap->live != NULL ? pcap_geterr (cap->live) : "no live capture");
    return FALSE;
  }
  st->received = ps.ps_recv;
  st->dropped = ps.ps_drop;
  st->if_dropped = ps.ps_ifdrop;
  return TRUE;
}

void
w4_cap_set_stop (W4Capture *cap, guint64 count, guint seconds)
{
  g_return_if_fail (cap != NULL);
  cap->stop_count = count;
  cap->stop_seconds = seconds;
}

void
w4_cap_stop (W4Capture *cap)
{
  /* Async-signal-safe: a store to a sig_atomic_t, and pcap_breakloop,
   * which only sets a flag (and writes to an eventfd on Linux). */
  cap->stop_flag = 1;
  if (cap->live != NULL)
    pcap_breakloop (cap->live);
}

static void
w4_cap_live_cb (u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
  W4Capture *cap = (W4Capture *) user;
  gboolean nano = pcap_get_tstamp_precision (cap->live) == PCAP_TSTAMP_PRECISION_NANO;

  w4_cap_frame (cap, cap->live_dlt, 0, w4_cap_ts (&h->ts, nano), h->caplen, h->len, bytes);
  if (cap->stop_count != 0 && cap->packets >= cap->stop_count) {
    cap->stop_flag = 1;
    pcap_breakloop (cap->live);
  }
}

static W4Time
w4_cap_now (void)
{
  gint64 us = g_get_real_time ();
  W4Time t = { us / G_USEC_PER_SEC, (guint32) (us % G_USEC_PER_SEC) * 1000 };

  return t;
}

static void
w4_cap_run_live (W4Capture *cap)
{
  gint64 start = g_get_monotonic_time ();
  gint64 last_tick = start;
  int fd = pcap_get_selectable_fd (cap->live);

  /* libpcap 1.10 on Linux keeps polling past its read timeout when nothing
   * arrives, so pcap_dispatch alone would starve on_tick and --duration:
   * the handle is non-blocking and we wait on its descriptor ourselves.
   * A signal interrupts poll (never restarted, signal(7)); one that lands
   * just before it costs at most one wait. Each pass waits at most 1 s. */
  while (!cap->stop_flag) {
    gint64 now = g_get_monotonic_time ();
    gint64 wait_us = G_USEC_PER_SEC - (now - last_tick);
    struct pollfd pfd = { fd, POLLIN, 0 };
    int rc;

    if (cap->stop_seconds != 0) {
      gint64 left = (gint64) cap->stop_seconds * G_USEC_PER_SEC - (now - start);

      if (left <= 0)
        break;
      wait_us = MIN (wait_us, left);
    }
    wait_us = CLAMP (wait_us, 0, G_USEC_PER_SEC);
    if (fd >= 0)
      poll (&pfd, 1, (int) ((wait_us + 999) / 1000));
    else
      g_usleep ((gulong) MIN (wait_us, 10000)); /* no selectable fd: short naps */
    rc = pcap_dispatch (cap->live, -1, w4_cap_live_cb, (u_char *) cap);
    if (rc == PCAP_ERROR) {
      g_autofree char *msg = g_strdup_printf ("live capture stopped: %s", pcap_geterr (cap->live));
      w4_cap_warn (cap, 0, w4_cap_now (), msg);
      break;
    }
    now = g_get_monotonic_time ();
    if (now - last_tick >= G_USEC_PER_SEC) {
      last_tick = now;
      if (cap->sink.on_tick != NULL)
        cap->sink.on_tick (cap->sink.user, w4_cap_now ());
    }
  }
}

/* ---- run ------------------------------------------------------------------ */

guint
w4_cap_run (W4Capture *cap)
{
  guint ok = 0;

  g_return_val_if_fail (cap != NULL, 0);
  if (cap->live != NULL) {
    w4_cap_run_live (cap);
    return 1;
  }
  for (guint i = 0; i < cap->files->len && !cap->stop_flag; i++) {
    cap->cur_file = i;
    if (w4_cap_run_file (cap, i))
      ok++;
  }
  return ok;
}

const char *
w4_cap_file_name (W4Capture *cap, guint file_index)
{
  g_return_val_if_fail (cap != NULL, NULL);
  if (cap->live != NULL && file_index == 0 && cap->files->len == 0)
    return "live";
  if (file_index >= cap->files->len)
    return NULL;
  return ((W4CapFile *) g_ptr_array_index (cap->files, file_index))->name;
}

guint
w4_cap_n_files (W4Capture *cap)
{
  g_return_val_if_fail (cap != NULL, 0);
  return cap->files->len;
}

guint64
w4_cap_packets (W4Capture *cap)
{
  return cap->packets;
}

guint64
w4_cap_bytes (W4Capture *cap)
{
  return cap->bytes;
}

/* ---- privileges ----------------------------------------------------------- */

gboolean
w4_cap_drop_privileges (const char *user, GError **error)
{
  struct passwd *pw;

  g_return_val_if_fail (user != NULL, FALSE);
  pw = getpwnam (user);
  if (pw == NULL) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_PRIVS, "unknown user \"%s\"", user);
    return FALSE;
  }
  if (geteuid () != 0 && getuid () != 0) {
    /* Nothing to drop; asking to become someone else without root fails,
     * as it does in tcpdump. */
    if (pw->pw_uid == getuid () && pw->pw_uid == geteuid ())
      return TRUE;
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_PRIVS,
                 "cannot change to user \"%s\": not running as root", user);
    return FALSE;
  }
  /* Order matters: groups and gid while we are still root, uid last. */
  if (initgroups (pw->pw_name, pw->pw_gid) != 0 || setgid (pw->pw_gid) != 0 ||
      setuid (pw->pw_uid) != 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_PRIVS,
                 "cannot change to user \"%s\": %s", user, g_strerror (errno));
    return FALSE;
  }
  /* Make sure there is no way back (setuid(0) must fail now). */
  if (pw->pw_uid != 0 && setuid (0) == 0) {
    g_set_error (error, W4_CAPTURE_ERROR, W4_CAPTURE_ERROR_PRIVS,
                 "privileges of user \"%s\" could be regained", user);
    return FALSE;
  }
  return TRUE;
}
