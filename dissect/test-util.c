/* test-util.c: the recording sink behind the dissect unit tests: every
 * event becomes one line of text, so tests compare strings. */
#include "test-util.h"

#include <string.h>

static gint64 t_now_sec = 1000;

static const char *
dir_name (W4Dir d)
{
  return d == W4_DIR_TO_SERVER ? "c2s" : "s2c";
}

static void
on_open (void *user, const W4ConnInfo *c, const W4FrameInfo *fi)
{
  TRec *r = user;
  char a[W4_ENDPOINT_STRLEN], b[W4_ENDPOINT_STRLEN];

  /* its number in the file of its first packet (open may come later) */
  g_string_append_printf (r->log, "open %" G_GINT64_FORMAT " %s>%s f%" G_GUINT64_FORMAT "\n",
                          w4_conn_stream_in_file (c, fi->file_index),
                          w4_endpoint_format (&c->client, a, sizeof a),
                          w4_endpoint_format (&c->server, b, sizeof b),
                          r->hide_frames ? 0 : fi->frame);
}

/* What on_tls and on_h2 said about a connection, until its close. */
typedef struct {
  gboolean tls_undecrypted;
  char *sni, *alpn;
  guint16 version;
  W4TlsKeyState keys;
  gboolean h2_unparsed;
  gboolean h2_parsed;
} TSeen;

static void
seen_free (gpointer p)
{
  TSeen *s = p;

  g_free (s->sni);
  g_free (s->alpn);
  g_free (s);
}

static TSeen *
seen_of (TRec *r, const W4ConnInfo *c)
{
  TSeen *s = g_hash_table_lookup (r->seen, &c->conn_id);

  if (s == NULL) {
    guint64 *key = g_new (guint64, 1);
    *key = c->conn_id;
    s = g_new0 (TSeen, 1);
    g_hash_table_insert (r->seen, key, s);
  }
  return s;
}

static void
on_tls (void *user, const W4TlsInfo *tls)
{
  TSeen *s = seen_of (user, tls->conn);

  s->tls_undecrypted = !tls->decrypted;
  s->sni = g_strdup (tls->sni);
  s->alpn = g_strdup (tls->alpn);
  s->version = tls->version;
  s->keys = tls->keys;
}

static void
on_h2 (void *user, const W4H2Info *h2)
{
  seen_of (user, h2->conn)->h2_unparsed = !h2->parsed;
  seen_of (user, h2->conn)->h2_parsed = h2->parsed;
}

static void
on_h2_reset (void *user, const W4H2Reset *rst)
{
  TRec *r = user;

  g_string_append_printf (r->log, "reset %u %s s%u code=%u%s%s\n", rst->conn->stream,
                          dir_name (rst->dir), rst->h2_stream, rst->error_code,
                          rst->had_request ? " req" : "", rst->answered ? " answered" : "");
}

static void
on_close (void *user, const W4ConnInfo *c, W4CloseReason why, guint64 frame, W4Time ts)
{
  TRec *r = user;
  static const char *names[] = { "fin", "rst", "evicted", "end", "reused" };
  TSeen none = { 0 };
  TSeen *s = g_hash_table_lookup (r->seen, &c->conn_id);
  char version[32] = "";
  static const char *keys[] = { "", " keys=missing", " keys=wrong", " keys=unsupported", "" };

  if (s == NULL)
    s = &none;
  if (s->version != 0)
    g_snprintf (version, sizeof version, " v=%04x%s", s->version,
                s->keys < G_N_ELEMENTS (keys) ? keys[s->keys] : "");
  g_string_append_printf (r->log, "close %u %s%s%s%s%s%s%s%s%s\n", c->stream, names[why],
                          s->tls_undecrypted ? " tls" : "", s->sni ? " sni=" : "",
                          s->sni ? s->sni : "", s->alpn ? " alpn=" : "", s->alpn ? s->alpn : "",
                          version, s->h2_unparsed ? " h2" : "", s->h2_parsed ? " h2-parsed" : "");
  g_hash_table_remove (r->seen, &c->conn_id);
}

/* " on=tls/tunnel/tcp": @c's layer, then each outer one's. */
static void
append_layers (TRec *r, const W4ConnInfo *c)
{
  static const char *names[] = { "tcp", "tls", "tunnel" };

  if (!r->show_layers || c == NULL)
    return;
  g_string_append (r->log, " on=");
  for (const W4ConnInfo *l = c; l != NULL; l = l->outer) {
    g_string_append (r->log, names[l->layer]);
    if (l->tunnel_to != NULL)
      g_string_append_printf (r->log, "(%s)", l->tunnel_to);
    if (l->conn_id != c->conn_id || l->stream != c->stream)
      g_string_append_c (r->log, '!');
    if (l->outer != NULL)
      g_string_append_c (r->log, '/');
  }
}

static void
head (TRec *r, const W4HttpHead *h)
{
  char frames[64] = "";

  if (!r->hide_frames)
    g_snprintf (frames, sizeof frames, " f%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                h->first_frame, h->last_frame);
  if (h->dir == W4_DIR_TO_SERVER)
    g_string_append_printf (r->log, "req %u #%" G_GUINT64_FORMAT "%s %.*s %.*s", h->conn->stream,
                            h->seq, frames, (int) h->method.len, h->method.ptr,
                            (int) h->target.len, h->target.ptr);
  else
    g_string_append_printf (r->log, "resp %u #%" G_GUINT64_FORMAT "%s %u%s", h->conn->stream,
                            h->seq, frames, h->status, h->interim ? " interim" : "");
  if (h->h2_stream != 0)
    g_string_append_printf (r->log, " s%u", h->h2_stream);
  if (h->headers_truncated)
    g_string_append (r->log, " truncated");
  if (h->cut & W4_HEAD_CUT_AUTH)
    g_string_append (r->log, " auth-cut");
  if (h->odd & W4_HEAD_ODD_TARGET)
    g_string_append (r->log, " odd-target");
  if (h->odd & W4_HEAD_ODD_NAME)
    g_string_append (r->log, " odd-name");
  append_layers (r, h->conn);
  if (r->show_headers)
    for (guint i = 0; i < h->n_headers; i++)
      g_string_append_printf (r->log, " [%.*s=%.*s]", (int) h->headers[i].name.len,
                              h->headers[i].name.ptr, (int) h->headers[i].value.len,
                              h->headers[i].value.ptr);
  g_string_append_c (r->log, '\n');
}

static void
on_request (void *user, const W4HttpHead *h)
{
  head (user, h);
}

static void
on_response (void *user, const W4HttpHead *h)
{
  head (user, h);
}

static void
on_body (void *user, const W4HttpBody *b)
{
  TRec *r = user;

  g_string_append_printf (r->log, "body %u %s #%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "%s",
                          b->conn->stream, dir_name (b->dir), b->seq, b->total_len,
                          b->complete ? "" : " incomplete");
  if (b->h2_stream != 0)
    g_string_append_printf (r->log, " s%u", b->h2_stream);
  if (b->prefix.len > 0)
    g_string_append_printf (r->log, " '%.*s'", (int) b->prefix.len, b->prefix.ptr);
  g_string_append_c (r->log, '\n');
}

static void
on_anomaly (void *user, const W4Anomaly *a)
{
  TRec *r = user;
  static const char *names[] = { "warning", "limit", "gap", "http-error", "upgrade",
                                 "undecoded" };

  g_string_append_printf (r->log, "anomaly %s", names[a->kind]);
  if (a->conn)
    g_string_append_printf (r->log, " %u %s", a->conn->stream, dir_name (a->dir));
  if (a->kind == W4_ANOM_GAP)
    g_string_append_printf (r->log, " %" G_GUINT64_FORMAT, a->count);
  if (a->kind == W4_ANOM_LIMIT)
    g_string_append_printf (r->log, " %s", w4_limit_name (a->limit));
  append_layers (r, a->conn);
  g_string_append_c (r->log, '\n');
}

static void
on_tls_alert (void *user, const W4TlsAlert *a)
{
  TRec *r = user;

  g_string_append_printf (r->log, "alert %u %s f%" G_GUINT64_FORMAT " %u/%u%s\n", a->conn->stream,
                          a->from == W4_DIR_TO_CLIENT ? "server" : "client", a->frame, a->level,
                          a->description, a->decrypted ? " decrypted" : "");
}

void
t_rec_init_limit (TRec *r, W4LimitId id, guint64 value)
{
  W4Sink sink = { on_open, on_close, on_request, on_response, on_body, on_anomaly,
                  on_tls, on_h2, on_h2_reset, on_tls_alert, NULL };

  memset (r, 0, sizeof *r);
  r->log = g_string_new (NULL);
  r->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, seen_free);
  w4_limits_init (&r->limits);
  if (id < W4_LIMIT_COUNT)
    r->limits.v[id] = value;
  w4_budget_init (&r->budget, 0);
  r->limits.budget = &r->budget;
  sink.user = r;
  r->dis = w4_dis_new (&r->limits, &sink);
  t_now_sec = 1000;
}

void
t_rec_init_budget (TRec *r, W4Budget *budget)
{
  W4Limits limits;

  t_rec_init (r);
  /* the dissector copies its limits: a new one with the budget in them */
  limits = r->limits;
  limits.budget = budget;
  w4_dis_free (r->dis);
  r->limits = limits;
  r->dis = w4_dis_new (&r->limits, &(W4Sink) { on_open, on_close, on_request, on_response,
                                               on_body, on_anomaly, on_tls, on_h2, on_h2_reset,
                                               on_tls_alert, r });
}

void
t_rec_init (TRec *r)
{
  t_rec_init_limit (r, W4_LIMIT_COUNT, 0);
}

void
t_rec_clear (TRec *r)
{
  w4_dis_free (r->dis);
  /* what the dissector charged, it released */
  for (int k = 0; k < W4_MEM_KINDS; k++)
    g_assert_cmpuint (r->limits.budget->by_kind[k], ==, 0);
  g_hash_table_destroy (r->seen);
  g_string_free (r->log, TRUE);
}

void
t_next_file (TRec *r)
{
  r->file_index++;
  r->file_frame = 0;
}

void
t_time (TRec *r, gint64 sec)
{
  t_now_sec = sec;
}

static void
fill_addr (W4Addr *a, int host)
{
  memset (a, 0, sizeof *a);
  a->family = 4;
  a->a[0] = 10;
  a->a[3] = (guint8) host;
}

static void
send_packet (TRec *r, int from, guint16 sport, guint16 dport, guint16 flags, guint32 seq,
             guint32 ack, const char *payload, gsize len, gsize quoted)
{
  guint8 *buf = g_malloc (20 + len);
  W4FrameInfo fi = { 0 };
  W4IpPacket pkt = { 0 };

  buf[0] = (guint8) (sport >> 8);
  buf[1] = (guint8) sport;
  buf[2] = (guint8) (dport >> 8);
  buf[3] = (guint8) dport;
  for (int i = 0; i < 4; i++) {
    buf[4 + i] = (guint8) (seq >> (24 - 8 * i));
    buf[8 + i] = (guint8) (ack >> (24 - 8 * i));
  }
  buf[12] = 5 << 4;
  buf[13] = (guint8) flags;
  buf[14] = 0xff;
  buf[15] = 0xff;
  memset (buf + 16, 0, 4);
  if (len)
    memcpy (buf + 20, payload, len);

  fi.frame = ++r->frame;
  fi.file_index = r->file_index;
  fi.file_frame = ++r->file_frame;
  fi.ts.sec = t_now_sec;
  fi.ts.nsec = (guint32) (r->frame * 1000);
  fi.caplen = fi.wirelen = (guint32) (20 + len);
  pkt.fi = &fi;
  fill_addr (&pkt.src, from);
  fill_addr (&pkt.dst, from == 1 ? 2 : 1);
  pkt.proto = 6;
  pkt.l4 = buf;
  pkt.l4_len = quoted ? quoted : 20 + len;
  pkt.l4_claimed = quoted ? 40 : 20 + len;
  pkt.icmp_quoted = quoted != 0;
  w4_dis_frame (r->dis, &fi);
  w4_dis_ip (r->dis, &pkt);
  g_free (buf);
}

void
t_seg (TRec *r, int from, guint16 sport, guint16 dport, guint16 flags, guint32 seq, guint32 ack,
       const char *payload, gsize len)
{
  send_packet (r, from, sport, dport, flags, seq, ack, payload, len, 0);
}

void
t_quoted (TRec *r, int from, guint16 sport, guint16 dport, guint16 flags, guint32 seq,
          gsize quoted)
{
  send_packet (r, from, sport, dport, flags, seq, 0, NULL, 0, quoted);
}

static void
put16 (GByteArray *b, guint v)
{
  guint8 x[2] = { (guint8) (v >> 8), (guint8) v };
  g_byte_array_append (b, x, 2);
}

/* Appends @body as a vector with a @width-byte length prefix. */
static void
put_vector (GByteArray *b, guint width, const GByteArray *body)
{
  if (width == 1) {
    guint8 n = (guint8) body->len;
    g_byte_array_append (b, &n, 1);
  } else if (width == 2) {
    put16 (b, body->len);
  } else {
    guint8 x[3] = { (guint8) (body->len >> 16), (guint8) (body->len >> 8), (guint8) body->len };
    g_byte_array_append (b, x, 3);
  }
  g_byte_array_append (b, body->data, body->len);
}

GByteArray *
t_client_hello (const char *sni, const char *alpn)
{
  static const guint8 versions[] = { 0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04 };
  GByteArray *rec = g_byte_array_new ();
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GByteArray) exts = g_byte_array_new ();
  g_autoptr (GByteArray) hs = g_byte_array_new ();
  guint8 zeros[32] = { 0 };

  put16 (body, 0x0303);
  g_byte_array_append (body, zeros, 32); /* random */
  g_byte_array_append (body, (const guint8 *) "\x20", 1);
  g_byte_array_append (body, zeros, 32); /* session id */
  g_byte_array_append (body, (const guint8 *) "\x00\x02\x13\x01", 4); /* cipher suites */
  g_byte_array_append (body, (const guint8 *) "\x01\x00", 2);         /* compression */
  if (sni != NULL) {
    g_autoptr (GByteArray) list = g_byte_array_new ();
    g_autoptr (GByteArray) name = g_byte_array_new ();
    g_autoptr (GByteArray) ext = g_byte_array_new ();
    g_byte_array_append (name, (const guint8 *) sni, (guint) strlen (sni));
    g_byte_array_append (list, (const guint8 *) "\x00", 1); /* host_name */
    put_vector (list, 2, name);
    put_vector (ext, 2, list);
    put16 (exts, 0); /* server_name */
    put_vector (exts, 2, ext);
  }
  g_byte_array_append (exts, versions, sizeof versions);
  if (alpn != NULL) {
    g_autoptr (GByteArray) list = g_byte_array_new ();
    g_autoptr (GByteArray) ext = g_byte_array_new ();
    g_auto (GStrv) names = g_strsplit (alpn, ",", -1);
    for (guint i = 0; names[i] != NULL; i++) {
      g_autoptr (GByteArray) one = g_byte_array_new ();
      g_byte_array_append (one, (const guint8 *) names[i], (guint) strlen (names[i]));
      put_vector (list, 1, one);
    }
    put_vector (ext, 2, list);
    put16 (exts, 16); /* application_layer_protocol_negotiation */
    put_vector (exts, 2, ext);
  }
  put_vector (body, 2, exts);
  g_byte_array_append (hs, (const guint8 *) "\x01", 1); /* client_hello */
  put_vector (hs, 3, body);
  g_byte_array_append (rec, (const guint8 *) "\x16\x03\x01", 3);
  put_vector (rec, 2, hs);
  return rec;
}

GByteArray *
t_server_hello (guint16 legacy, guint16 selected)
{
  GByteArray *rec = g_byte_array_new ();
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GByteArray) exts = g_byte_array_new ();
  g_autoptr (GByteArray) hs = g_byte_array_new ();
  guint8 zeros[32] = { 0 };

  put16 (body, legacy);
  g_byte_array_append (body, zeros, 32);                        /* random */
  g_byte_array_append (body, (const guint8 *) "\x00", 1);       /* session id */
  g_byte_array_append (body, (const guint8 *) "\x13\x01\x00", 3); /* suite, compression */
  if (selected != 0) {
    put16 (exts, 43); /* supported_versions */
    put16 (exts, 2);
    put16 (exts, selected);
    put_vector (body, 2, exts);
  }
  g_byte_array_append (hs, (const guint8 *) "\x02", 1); /* server_hello */
  put_vector (hs, 3, body);
  g_byte_array_append (rec, (const guint8 *) "\x16\x03\x03", 3);
  put_vector (rec, 2, hs);
  return rec;
}
