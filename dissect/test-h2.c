/* test-h2.c: h2.c's frames and streams, fed over TCP: the events a
 * prior-knowledge connection gives (heads with h2_stream, bodies, resets),
 * padding, priority and CONTINUATION, interleaved streams answered out of
 * order, interim responses and trailers, the limits, and bad input
 * (counted and said, never a crash, nothing made of what was cut). */
#include "test-util.h"

#include <string.h>

#include "dissect-private.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* A connection's byte streams being built, and where their TCP
 * sequence numbers are. */
typedef struct {
  TRec r;
  guint32 cs, ss;
} Conn;

static void
conn_open (Conn *c, W4LimitId id, guint64 value)
{
  t_rec_init_limit (&c->r, id, value);
  c->r.show_headers = TRUE;
  t_seg (&c->r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);
  t_seg (&c->r, 2, 80, 40000, T_SYN | T_ACK, 5000, 1001, NULL, 0);
  c->cs = 1001;
  c->ss = 5001;
}

/* One TCP segment of @b from the client (1) or the server (2). */
static void
send_bytes (Conn *c, int from, const GByteArray *b)
{
  if (from == 1) {
    t_seg (&c->r, 1, 40000, 80, T_ACK, c->cs, c->ss, (const char *) b->data, b->len);
    c->cs += b->len;
  } else {
    t_seg (&c->r, 2, 80, 40000, T_ACK, c->ss, c->cs, (const char *) b->data, b->len);
    c->ss += b->len;
  }
}

static char *
conn_finish (Conn *c)
{
  char *log;

  w4_dis_finish (c->r.dis);
  log = g_strdup (c->r.log->str);
  t_rec_clear (&c->r);
  return log;
}

/* Appends a frame to @b. */
static void
frame (GByteArray *b, guint8 type, guint8 flags, guint32 sid, const void *payload, gsize len)
{
  guint8 h[9] = { (guint8) (len >> 16), (guint8) (len >> 8), (guint8) len, type, flags,
                  (guint8) (sid >> 24), (guint8) (sid >> 16), (guint8) (sid >> 8), (guint8) sid };

  g_byte_array_append (b, h, 9);
  if (len > 0)
    g_byte_array_append (b, payload, (guint) len);
}

/* HPACK: a literal field without indexing, new name (RFC 7541 6.2.2). */
static void
lit (GByteArray *hb, const char *name, const char *value)
{
  guint8 z = 0, nl = (guint8) strlen (name), vl = (guint8) strlen (value);

  g_assert_cmpuint (strlen (name), <, 127);
  g_assert_cmpuint (strlen (value), <, 127);
  g_byte_array_append (hb, &z, 1);
  g_byte_array_append (hb, &nl, 1);
  g_byte_array_append (hb, (const guint8 *) name, nl);
  g_byte_array_append (hb, &vl, 1);
  g_byte_array_append (hb, (const guint8 *) value, vl);
}

/* A request block: :method GET (static 2), :scheme http (6), @path, the
 * authority, and @extra ("name", "value", ..., NULL). */
static GByteArray *
req_block (const char *path, const char *authority, ...)
{
  GByteArray *hb = g_byte_array_new ();
  static const guint8 get_http[] = { 0x82, 0x86 };
  va_list ap;
  const char *n;

  g_byte_array_append (hb, get_http, 2);
  lit (hb, ":path", path);
  lit (hb, ":authority", authority);
  va_start (ap, authority);
  while ((n = va_arg (ap, const char *)) != NULL)
    lit (hb, n, va_arg (ap, const char *));
  va_end (ap);
  return hb;
}

static GByteArray *
resp_block (const char *status, ...)
{
  GByteArray *hb = g_byte_array_new ();
  va_list ap;
  const char *n;

  lit (hb, ":status", status);
  va_start (ap, status);
  while ((n = va_arg (ap, const char *)) != NULL)
    lit (hb, n, va_arg (ap, const char *));
  va_end (ap);
  return hb;
}

static GByteArray *
client_start (void)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) preface, 24);
  frame (b, 4, 0, 0, NULL, 0);
  return b;
}

static void
settings (GByteArray *b)
{
  static const guint8 s[] = { 0, 3, 0, 0, 0, 100 }; /* MAX_CONCURRENT_STREAMS 100 */

  frame (b, 4, 0, 0, s, sizeof s);
}

#define END_STREAM 0x1
#define END_HEADERS 0x4
#define PADDED 0x8
#define PRIORITY 0x20

/* Prior knowledge: a 401 with its challenge and body, paired by stream. */
static void
test_prior_knowledge_401 (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/private", "api.example", "authorization", "Basic Zm9vOmJhcg==", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", "www-authenticate", "Basic realm=\"x\"", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  settings (sv);
  frame (sv, 4, 1, 0, NULL, 0);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, 0, 1, "denied", 6);
  send_bytes (&c, 2, sv);
  g_byte_array_set_size (sv, 0);
  frame (sv, 0, END_STREAM, 1, "!", 1);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /private s1 [Host=api.example] [authorization=Basic Zm9vOmJhcg==]\n"
                   "body 0 c2s #0 0 s1\n"
                   "resp 0 #0 f4-4 401 s1 [www-authenticate=Basic realm=\"x\"]\n"
                   "body 0 s2c #0 7 s1 'denied!'\n"
                   "close 0 end h2-parsed\n");
}

/* HEADERS with padding and priority, its block cut into a CONTINUATION
 * in the next segment: first_frame is the HEADERS frame's, last_frame the
 * CONTINUATION's. DATA with padding: the padding is not body. */
static void
test_padding_priority_continuation (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/a", "h", NULL);
  g_autoptr (GByteArray) hp = g_byte_array_new ();
  g_autoptr (GByteArray) rs = resp_block ("403", NULL);
  static const guint8 prio[] = { 0, 0, 0, 0, 15 };
  static const guint8 padded_data[] = { 3, 'n', 'o', 0, 0, 0 };
  guint8 pad = 2;
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  /* pad length, priority, the first 5 bytes of the block, padding */
  g_byte_array_append (hp, &pad, 1);
  g_byte_array_append (hp, prio, 5);
  g_byte_array_append (hp, rq->data, 5);
  g_byte_array_append (hp, (const guint8 *) "\0\0", 2);
  frame (cl, 1, PADDED | PRIORITY | END_STREAM, 1, hp->data, hp->len);
  send_bytes (&c, 1, cl);
  g_byte_array_set_size (cl, 0);
  frame (cl, 9, END_HEADERS, 1, rq->data + 5, rq->len - 5);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, PADDED | END_STREAM, 1, padded_data, sizeof padded_data);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-4 GET /a s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "resp 0 #0 f5-5 403 s1\n"
                   "body 0 s2c #0 2 s1 'no'\n"
                   "close 0 end h2-parsed\n");
}

/* Streams 1 and 3 answered 3 first: seq follows the order heads
 * complete, h2_stream says which request each answers. A 100 before the
 * final head is interim; trailers after DATA are not a message. */
static void
test_streams_interim_trailers (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) r1 = req_block ("/one", "h", NULL);
  g_autoptr (GByteArray) r3 = req_block ("/three", "h", NULL);
  g_autoptr (GByteArray) s100 = resp_block ("100", NULL);
  g_autoptr (GByteArray) s200 = resp_block ("200", NULL);
  g_autoptr (GByteArray) s401 = resp_block ("401", NULL);
  g_autoptr (GByteArray) trailer = resp_block ("999", "grpc-status", "0", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS, 1, r1->data, r1->len);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, r3->data, r3->len);
  frame (cl, 0, END_STREAM, 1, "up", 2);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 3, s401->data, s401->len);
  frame (sv, 1, END_HEADERS, 1, s100->data, s100->len);
  frame (sv, 0, END_STREAM, 3, "no", 2);
  frame (sv, 1, END_HEADERS, 1, s200->data, s200->len);
  frame (sv, 0, 0, 1, "ok", 2);
  frame (sv, 1, END_HEADERS | END_STREAM, 1, trailer->data, trailer->len);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /one s1 [Host=h]\n"
                   "req 0 #1 f3-3 GET /three s3 [Host=h]\n"
                   "body 0 c2s #1 0 s3\n"
                   "body 0 c2s #0 2 s1\n"
                   "resp 0 #0 f4-4 401 s3\n"
                   "resp 0 #1 f4-4 100 interim s1\n"
                   "body 0 s2c #0 2 s3 'no'\n"
                   "resp 0 #2 f4-4 200 s1\n"
                   "body 0 s2c #2 2 s1\n"
                   "close 0 end h2-parsed\n");
}

/* The server resets a stream (HTTP_1_1_REQUIRED): on_h2_reset first, then
 * its messages end incomplete. */
static void
test_rst_stream (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/ntlm", "iis", "authorization", "NTLM TlRMTVNTUAABAAAA", NULL);
  static const guint8 code[] = { 0, 0, 0, 0xd };
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  frame (sv, 3, 0, 1, code, 4);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /ntlm s1 [Host=iis] [authorization=NTLM TlRMTVNTUAABAAAA]\n"
                   "reset 0 s2c s1 code=13 req\n"
                   "body 0 c2s #0 0 incomplete s1\n"
                   "close 0 end h2-parsed\n");
}

/* A header block interrupted by another frame type (RFC 9113 6.10): the
 * connection's HTTP/2 is not read further, said once; no head is made of
 * the half block, and nothing of what follows. */
static void
test_headers_interrupted (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) rq2 = req_block ("/later", "h", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, 0, 1, rq->data, rq->len);
  frame (cl, 0, END_STREAM, 1, "x", 1);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, rq2->data, rq2->len);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly http-error 0 c2s\n"
                   "close 0 end h2-parsed\n");
}

/* Bytes that are not HPACK: the same, and the request before them stays. */
static void
test_hpack_error (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  static const guint8 bad[] = { 0xbf }; /* index 63: the table has one entry */
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, bad, 1);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /x s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "anomaly http-error 0 c2s\n"
                   "close 0 end h2-parsed\n");
}

/* Garbage after the preface: read as frames, it breaks them somewhere;
 * said, not crashed on. */
static void
test_garbage_after_preface (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = g_byte_array_new ();
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  g_byte_array_append (cl, (const guint8 *) preface, 24);
  g_byte_array_append (cl, (const guint8 *) "\x00\x00\x05\x01\x05\x00\x00\x00\x01GET / HTTP/1.1\r\n", 25);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly http-error 0 c2s\n"
                   "close 0 end h2-parsed\n");
}

/* A HEADERS frame over h2-frame-bytes cannot be skipped (the table would
 * be lost): limit and warning; a DATA frame over it is skipped and its
 * bytes counted, its body not kept. */
static void
test_frame_limit (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", NULL);
  g_autoptr (GByteArray) big = req_block ("/a-long-path-over-the-limit-of-forty-bytes", "h", NULL);
  char data[64];
  g_autofree char *log = NULL;

  memset (data, 'd', sizeof data);
  conn_open (&c, W4_LIMIT_H2_FRAME_BYTES, 40);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, END_STREAM, 1, data, sizeof data);
  send_bytes (&c, 2, sv);
  g_byte_array_set_size (cl, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, big->data, big->len);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /x s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "resp 0 #0 f4-4 401 s1\n"
                   "anomaly limit h2-frame-bytes\n"
                   "body 0 s2c #0 64 s1\n"
                   "anomaly limit h2-frame-bytes\n"
                   "anomaly http-error 0 c2s\n"
                   "close 0 end h2-parsed\n");
}

/* Decoded fields past h2-decoded-bytes are cut, and the head says which
 * kind: a credential cut is auth-cut, so no rule reads its absence. */
static void
test_decoded_limit (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", "x-pad", "0123456789012345678901234567890123456789",
                                         "authorization", "Bearer abc", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_H2_DECODED_BYTES, 40);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly limit h2-decoded-bytes\n"
                   "req 0 #0 f3-3 GET /x s1 truncated auth-cut [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "close 0 end h2-parsed\n");
}

/* Streams past h2-streams are not reported (said once); the others are. */
static void
test_streams_limit (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) r1 = req_block ("/1", "h", NULL);
  g_autoptr (GByteArray) r3 = req_block ("/3", "h", NULL);
  g_autoptr (GByteArray) r5 = req_block ("/5", "h", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_H2_STREAMS, 1);
  frame (cl, 1, END_HEADERS, 1, r1->data, r1->len);
  frame (cl, 1, END_HEADERS, 3, r3->data, r3->len);
  frame (cl, 1, END_HEADERS, 5, r5->data, r5->len);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /1 s1 [Host=h]\n"
                   "anomaly limit h2-streams\n"
                   "body 0 c2s #0 0 incomplete s1\n"
                   "close 0 end h2-parsed\n");
}

/* A HEADERS frame cut by the end of the capture: its message is missing,
 * said; the other side's body just ends incomplete. */
static void
test_truncated_at_end (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, rq->data, rq->len);
  g_byte_array_set_size (cl, cl->len - 3);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, END_STREAM, 1, "abcdef", 6);
  g_byte_array_set_size (sv, sv->len - 2);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /x s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "resp 0 #0 f4-4 401 s1\n"
                   "anomaly http-error 0 c2s\n"
                   "body 0 s2c #0 0 incomplete s1\n"
                   "close 0 end h2-parsed\n");
}

/* The same conversation fed one byte per segment (after the preface's
 * first 14) gives the same events: frames and fields cut anywhere. */
static void
test_byte_by_byte (void)
{
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/private", "api", "authorization", "Basic eA==", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", "www-authenticate", "Basic", NULL);
  g_autofree char *whole = NULL, *bytes = NULL;

  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  settings (sv);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, END_STREAM, 1, "denied", 6);
  for (int pass = 0; pass < 2; pass++) {
    Conn c;
    conn_open (&c, W4_LIMIT_COUNT, 0);
    c.r.hide_frames = TRUE;
    for (int from = 1; from <= 2; from++) {
      GByteArray *all = from == 1 ? cl : sv;
      if (pass == 0) {
        send_bytes (&c, from, all);
        continue;
      }
      /* the preface's first 14 bytes, to tell it from POST (app.c) */
      for (guint i = 0; i < all->len;) {
        guint n = from == 1 && i == 0 ? 14 : 1;
        g_autoptr (GByteArray) one = g_byte_array_new ();
        g_byte_array_append (one, all->data + i, n);
        send_bytes (&c, from, one);
        i += n;
      }
    }
    if (pass == 0)
      whole = conn_finish (&c);
    else
      bytes = conn_finish (&c);
  }
  g_assert_nonnull (strstr (whole, "401 s1 [www-authenticate=Basic]"));
  g_assert_cmpstr (bytes, ==, whole);
}

/* Empty pieces: a CONTINUATION with no bytes ends the block, a block of
 * one field with an empty name and value (found by fuzz-h2 under UBSan:
 * arithmetic on an empty buffer's NULL data). */
static void
test_empty_pieces (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  static const guint8 empty_field[] = { 0, 0, 0 };
  g_autofree char *log = NULL;

  /* first on the direction, while its buffers have never held a byte */
  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_STREAM, 1, NULL, 0);
  frame (cl, 9, END_HEADERS, 1, NULL, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, empty_field, sizeof empty_field);
  send_bytes (&c, 1, cl);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3   s1\n"
                   "body 0 c2s #0 0 s1\n"
                   "req 0 #1 f3-3   s3 [=]\n"
                   "body 0 c2s #1 0 s3\n"
                   "close 0 end h2-parsed\n");
}

/* Bytes lost on the client's side while the server's 401 body is open:
 * HTTP/2 cannot go on past a hole, and both sides' open messages end
 * incomplete (the 401's body too, so its wait ends). */
static void
test_gap_ends_both_sides (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) more = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, 0, 1, "part", 4);
  send_bytes (&c, 2, sv);
  /* 100 client bytes never captured, then more */
  c.cs += 100;
  frame (more, 1, END_HEADERS | END_STREAM, 3, rq->data, rq->len);
  send_bytes (&c, 1, more);
  log = conn_finish (&c);
  g_assert_nonnull (strstr (log, "anomaly gap 0 c2s 100\n"));
  g_assert_nonnull (strstr (log, "body 0 s2c #0 4 incomplete s1 'part'\n"));
}

/* The client's SETTINGS_HEADER_TABLE_SIZE arrives while the server's
 * header block is split across frames: taken when that block ends, so
 * the next block's table size update to it (8192) is accepted. */
static void
test_table_size_between_blocks (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) st = g_byte_array_new ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) r1 = resp_block ("100", NULL);
  g_autoptr (GByteArray) r2 = g_byte_array_new ();
  g_autoptr (GByteArray) r2f = resp_block ("401", NULL);
  static const guint8 table_8192[] = { 0, 1, 0, 0, 0x20, 0 };
  static const guint8 update_8192[] = { 0x3f, 0xe1, 0x3f };
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  frame (sv, 1, 0, 1, r1->data, 3);
  send_bytes (&c, 2, sv);
  frame (st, 4, 0, 0, table_8192, sizeof table_8192);
  send_bytes (&c, 1, st);
  g_byte_array_set_size (sv, 0);
  frame (sv, 9, END_HEADERS, 1, r1->data + 3, r1->len - 3);
  g_byte_array_append (r2, update_8192, sizeof update_8192);
  g_byte_array_append (r2, r2f->data, r2f->len);
  frame (sv, 1, END_HEADERS | END_STREAM, 1, r2->data, r2->len);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /x s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "resp 0 #0 f4-6 100 interim s1\n"
                   "resp 0 #1 f6-6 401 s1\n"
                   "body 0 s2c #1 0 s1\n"
                   "close 0 end h2-parsed\n");
}

/* Inside TLS the server's SETTINGS may come before the client's preface
 * (nginx sends it with its Finished): tls.c takes HTTP/2 from it. Only a
 * whole SETTINGS header on stream 0, not an ACK, not HTTP/1. */
static void
test_server_start_probe (void)
{
  static const guint8 settings_hdr[] = { 0, 0, 18, 4, 0, 0, 0, 0, 0 };
  static const guint8 ack[] = { 0, 0, 0, 4, 1, 0, 0, 0, 0 };
  static const guint8 on_stream_1[] = { 0, 0, 6, 4, 0, 0, 0, 0, 1 };
  static const guint8 odd_len[] = { 0, 0, 7, 4, 0, 0, 0, 0, 0 };

  g_assert_cmpint (w4_h2_probe_server_start (settings_hdr, 9), ==, W4_PROBE_YES);
  g_assert_cmpint (w4_h2_probe_server_start (settings_hdr, 8), ==, W4_PROBE_NO);
  g_assert_cmpint (w4_h2_probe_server_start (ack, 9), ==, W4_PROBE_NO);
  g_assert_cmpint (w4_h2_probe_server_start (on_stream_1, 9), ==, W4_PROBE_NO);
  g_assert_cmpint (w4_h2_probe_server_start (odd_len, 9), ==, W4_PROBE_NO);
  g_assert_cmpint (w4_h2_probe_server_start ((const guint8 *) "HTTP/1.1 200 OK\r\n", 17), ==,
                   W4_PROBE_NO);
}

/* A closed stream's late frames are no message (RFC 9113 5.1): the
 * server's answer to a request the client had reset (in flight when the
 * reset came) is not reported as a response without its request, and a
 * client that reuses the closed id opens no new request. */
static void
test_closed_stream_late_frames (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) cl2 = g_byte_array_new ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/x", "h", NULL);
  g_autoptr (GByteArray) rq3 = req_block ("/three", "h", NULL);
  g_autoptr (GByteArray) rs = resp_block ("401", "www-authenticate", "Basic", NULL);
  static const guint8 cancel[] = { 0, 0, 0, 8 };
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  frame (cl, 3, 0, 1, cancel, 4);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, rs->data, rs->len);
  frame (sv, 0, END_STREAM, 1, "abc", 3);
  send_bytes (&c, 2, sv);
  frame (cl2, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  frame (cl2, 1, END_HEADERS | END_STREAM, 3, rq3->data, rq3->len);
  send_bytes (&c, 1, cl2);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /x s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "reset 0 c2s s1 code=8 req\n"
                   "req 0 #1 f5-5 GET /three s3 [Host=h]\n"
                   "body 0 c2s #1 0 s3\n"
                   "close 0 end h2-parsed\n");
}

/* A request past h2-streams is not reported, and neither is its answer
 * when a slot is free again by then: a response without its request
 * would be a finding made of what the limit cut. */
static void
test_streams_limit_answer (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) r1 = req_block ("/1", "h", NULL);
  g_autoptr (GByteArray) r3 = req_block ("/3", "h", NULL);
  g_autoptr (GByteArray) ok = resp_block ("200", NULL);
  g_autoptr (GByteArray) denied = resp_block ("401", NULL);
  g_autofree char *log = NULL;

  conn_open (&c, W4_LIMIT_H2_STREAMS, 1);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, r1->data, r1->len);
  frame (cl, 1, END_HEADERS | END_STREAM, 3, r3->data, r3->len);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS | END_STREAM, 1, ok->data, ok->len);
  frame (sv, 1, END_HEADERS | END_STREAM, 3, denied->data, denied->len);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /1 s1 [Host=h]\n"
                   "body 0 c2s #0 0 s1\n"
                   "anomaly limit h2-streams\n"
                   "resp 0 #0 f4-4 200 s1\n"
                   "body 0 s2c #0 0 s1\n"
                   "close 0 end h2-parsed\n");
}

/* A response block without a three-digit :status (RFC 9113 8.3.2:
 * malformed; or its :status cut by h2-decoded-bytes) is no response: a
 * status 0 would count as a success, and a retry after a 401 as one that
 * passed. Said once; a later block on the stream is not taken for it. */
static void
test_response_without_status (void)
{
  Conn c;
  g_autoptr (GByteArray) cl = client_start ();
  g_autoptr (GByteArray) sv = g_byte_array_new ();
  g_autoptr (GByteArray) rq = req_block ("/private", "h", "authorization", "Basic eA==", NULL);
  g_autoptr (GByteArray) no_status = g_byte_array_new ();
  g_autoptr (GByteArray) late = resp_block ("200", NULL);
  g_autofree char *log = NULL;

  lit (no_status, "content-type", "text/plain");
  conn_open (&c, W4_LIMIT_COUNT, 0);
  frame (cl, 1, END_HEADERS | END_STREAM, 1, rq->data, rq->len);
  send_bytes (&c, 1, cl);
  frame (sv, 1, END_HEADERS, 1, no_status->data, no_status->len);
  frame (sv, 1, END_HEADERS | END_STREAM, 1, late->data, late->len);
  send_bytes (&c, 2, sv);
  log = conn_finish (&c);
  g_assert_cmpstr (log, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /private s1 [Host=h] [authorization=Basic eA==]\n"
                   "body 0 c2s #0 0 s1\n"
                   "anomaly http-error 0 s2c\n"
                   "close 0 end h2-parsed\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/h2/prior-knowledge-401", test_prior_knowledge_401);
  g_test_add_func ("/h2/padding-priority-continuation", test_padding_priority_continuation);
  g_test_add_func ("/h2/streams-interim-trailers", test_streams_interim_trailers);
  g_test_add_func ("/h2/rst-stream", test_rst_stream);
  g_test_add_func ("/h2/headers-interrupted", test_headers_interrupted);
  g_test_add_func ("/h2/hpack-error", test_hpack_error);
  g_test_add_func ("/h2/garbage-after-preface", test_garbage_after_preface);
  g_test_add_func ("/h2/frame-limit", test_frame_limit);
  g_test_add_func ("/h2/decoded-limit", test_decoded_limit);
  g_test_add_func ("/h2/streams-limit", test_streams_limit);
  g_test_add_func ("/h2/truncated-at-end", test_truncated_at_end);
  g_test_add_func ("/h2/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/h2/server-start-probe", test_server_start_probe);
  g_test_add_func ("/h2/empty-pieces", test_empty_pieces);
  g_test_add_func ("/h2/gap-ends-both-sides", test_gap_ends_both_sides);
  g_test_add_func ("/h2/table-size-between-blocks", test_table_size_between_blocks);
  g_test_add_func ("/h2/closed-stream-late-frames", test_closed_stream_late_frames);
  g_test_add_func ("/h2/streams-limit-answer", test_streams_limit_answer);
  g_test_add_func ("/h2/response-without-status", test_response_without_status);
  return g_test_run ();
}
