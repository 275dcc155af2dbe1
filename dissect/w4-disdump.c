/* w4-disdump: runs capture -> dissect over capture files and prints what
 * dissect saw, to compare with tshark. A developer tool; not installed.
 *
 *   w4-disdump FILE...      one line per event:
 *                           open/close/req/resp/body/anomaly with the stream
 *   w4-disdump -s FILE...   frame <TAB> tcp.stream list (as
 *                           tshark -T fields -e frame.number -e tcp.stream;
 *                           both count within each file, so the output for
 *                           several files is tshark's for each in turn)
 *   w4-disdump -H FILE...   frame <TAB> stream <TAB> method <TAB> status, one
 *                           line per HTTP message at the frame that completes
 *                           it (tshark shows a message where its body ends) */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "dissect-private.h"

typedef enum { MODE_EVENTS, MODE_STREAMS, MODE_HTTP } Mode;

typedef struct {
  Mode mode;
  W4Dissect *dis;
  guint64 frame;      /* frame whose stream list is being collected */
  GString *streams;
  GHashTable *last;   /* conn_id*2+dir -> "method\tstatus" of the open message */
  GHashTable *tls;    /* conn_id of connections with TLS not decrypted (on_tls) */
} Dump;

static void
flush_frame (Dump *d)
{
  if (d->mode == MODE_STREAMS && d->frame != 0)
    printf ("%" G_GUINT64_FORMAT "\t%s\n", d->frame, d->streams->str);
  g_string_truncate (d->streams, 0);
}

static void
cap_frame (void *user, const W4FrameInfo *fi)
{
  Dump *d = user;

  flush_frame (d);
  d->frame = fi->file_frame;
  w4_dis_frame (d->dis, fi);
}

static void
cap_ip (void *user, const W4IpPacket *pkt)
{
  Dump *d = user;
  gint64 s;

  w4_dis_ip (d->dis, pkt);
  s = w4_dis_last_stream (d->dis);
  if (s >= 0) {
    if (d->streams->len > 0)
      g_string_append_c (d->streams, ',');
    g_string_append_printf (d->streams, "%" G_GINT64_FORMAT, s);
  }
}

static void
cap_anomaly (void *user, const W4Anomaly *a)
{
  Dump *d = user;

  if (d->mode == MODE_EVENTS && a->kind != W4_ANOM_UNDECODED)
    printf ("capture-anomaly %d f%" G_GUINT64_FORMAT " %s\n", a->kind, a->frame,
            a->message ? a->message : "");
}

static void
on_open (void *user, const W4ConnInfo *c, const W4FrameInfo *fi)
{
  Dump *d = user;
  char a[W4_ENDPOINT_STRLEN], b[W4_ENDPOINT_STRLEN];

  if (d->mode == MODE_EVENTS)
    printf ("open %u %s > %s f%" G_GUINT64_FORMAT "\n", c->stream,
            w4_endpoint_format (&c->client, a, sizeof a),
            w4_endpoint_format (&c->server, b, sizeof b), fi->frame);
}

static void
on_close (void *user, const W4ConnInfo *c, W4CloseReason why, guint64 frame, W4Time ts)
{
  Dump *d = user;
  static const char *names[] = { "fin", "rst", "evicted", "end-of-input", "reused" };

  gboolean tls = g_hash_table_remove (d->tls, GSIZE_TO_POINTER (c->conn_id));

  if (d->mode == MODE_EVENTS)
    printf ("close %u %s f%" G_GUINT64_FORMAT "%s\n", c->stream, names[why], frame,
            tls ? " tls-undecrypted" : "");
}

static void
on_tls (void *user, const W4TlsInfo *tls)
{
  Dump *d = user;

  if (!tls->decrypted)
    g_hash_table_add (d->tls, GSIZE_TO_POINTER (tls->conn->conn_id));
}

static void
on_head (void *user, const W4HttpHead *h)
{
  Dump *d = user;
  g_autofree char *what = NULL;

  if (h->dir == W4_DIR_TO_SERVER)
    what = g_strdup_printf ("%.*s\t", (int) h->method.len, h->method.ptr);
  else
    what = g_strdup_printf ("\t%u", h->status);
  if (d->mode == MODE_EVENTS) {
    if (h->dir == W4_DIR_TO_SERVER)
      printf ("req %u #%" G_GUINT64_FORMAT " f%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
              " %.*s %.*s%s\n", h->conn->stream, h->seq, h->first_frame, h->last_frame,
              (int) h->method.len, h->method.ptr, (int) h->target.len, h->target.ptr,
              h->headers_truncated ? " [truncated]" : "");
    else
      printf ("resp %u #%" G_GUINT64_FORMAT " f%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
              " %u %.*s%s\n", h->conn->stream, h->seq, h->first_frame, h->last_frame, h->status,
              (int) h->reason.len, h->reason.ptr, h->interim ? " [interim]" : "");
  }
  g_hash_table_replace (d->last, GSIZE_TO_POINTER (h->conn->conn_id * 2 + h->dir),
                        g_steal_pointer (&what));
}

static void
on_body (void *user, const W4HttpBody *b)
{
  Dump *d = user;
  const char *what = g_hash_table_lookup (d->last, GSIZE_TO_POINTER (b->conn->conn_id * 2 + b->dir));

  if (d->mode == MODE_EVENTS)
    printf ("body %u %s #%" G_GUINT64_FORMAT " len=%" G_GUINT64_FORMAT " f%" G_GUINT64_FORMAT
            "%s\n", b->conn->stream, b->dir == W4_DIR_TO_SERVER ? "c2s" : "s2c", b->seq,
            b->total_len, b->last_frame, b->complete ? "" : " incomplete");
  else if (d->mode == MODE_HTTP && what != NULL)
    printf ("%" G_GUINT64_FORMAT "\t%u\t%s\n", b->last_frame, b->conn->stream, what);
}

static void
on_anomaly (void *user, const W4Anomaly *a)
{
  Dump *d = user;
  static const char *names[] = { "warning", "limit", "gap", "http-error", "upgrade",
                                 "undecoded" };

  if (d->mode != MODE_EVENTS)
    return;
  printf ("anomaly %s", names[a->kind]);
  if (a->conn)
    printf (" %u %s", a->conn->stream, a->dir == W4_DIR_TO_SERVER ? "c2s" : "s2c");
  printf (" f%" G_GUINT64_FORMAT, a->frame);
  if (a->kind == W4_ANOM_GAP)
    printf (" count=%" G_GUINT64_FORMAT, a->count);
  if (a->kind == W4_ANOM_LIMIT)
    printf (" %s", w4_limit_name (a->limit));
  if (a->message)
    printf (" %s", a->message);
  printf ("\n");
}

int
main (int argc, char **argv)
{
  W4Limits limits;
  Dump d = { 0 };
  W4CaptureSink csink = { cap_frame, cap_ip, cap_anomaly, NULL, NULL, &d };
  W4Sink dsink = { on_open, on_close, on_head, on_head, on_body, on_anomaly, on_tls, NULL, NULL, NULL, &d };
  g_autoptr (W4Capture) cap = NULL;
  int first = 1, status = 0;

  if (argc > 1 && strcmp (argv[1], "-s") == 0) {
    d.mode = MODE_STREAMS;
    first = 2;
  } else if (argc > 1 && strcmp (argv[1], "-H") == 0) {
    d.mode = MODE_HTTP;
    first = 2;
  }
  if (argc <= first) {
    fprintf (stderr, "usage: w4-disdump [-s|-H] FILE...\n");
    return 2;
  }
  w4_limits_init (&limits);
  d.streams = g_string_new (NULL);
  d.last = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  d.tls = g_hash_table_new (NULL, NULL);
  d.dis = w4_dis_new (&limits, &dsink);
  cap = w4_cap_new (&limits, &csink);
  for (int i = first; i < argc; i++) {
    g_autoptr (GError) error = NULL;
    if (!w4_cap_add_file (cap, argv[i], &error)) {
      fprintf (stderr, "w4-disdump: %s\n", error->message);
      status = 1;
    }
  }
  w4_cap_run (cap);
  flush_frame (&d);
  w4_dis_finish (d.dis);
  if (d.mode == MODE_EVENTS)
    printf ("connections %" G_GUINT64_FORMAT "\n", w4_dis_connections (d.dis));
  w4_dis_free (d.dis);
  g_hash_table_destroy (d.last);
  g_hash_table_destroy (d.tls);
  g_string_free (d.streams, TRUE);
  return status;
}
