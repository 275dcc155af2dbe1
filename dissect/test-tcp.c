/* test-tcp.c: TCP reassembly and tcp.stream numbering, fed synthetic
 * segments and checked against the recorded event lines. */
#include "test-util.h"
#include "w4-budget.h"

#include <string.h>

#define REQ "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
#define RESP "HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope"

static void
handshake (TRec *r, guint16 cport, guint32 cisn, guint32 sisn)
{
  t_seg (r, 1, cport, 80, T_SYN, cisn, 0, NULL, 0);
  t_seg (r, 2, 80, cport, T_SYN | T_ACK, sisn, cisn + 1, NULL, 0);
  t_seg (r, 1, cport, 80, T_ACK, cisn + 1, sisn + 1, NULL, 0);
}

static void
test_in_order (void)
{
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK | T_PSH, 1001, 5001, REQ, strlen (REQ));
  t_seg (&r, 2, 80, 40000, T_ACK | T_PSH, 5001, 1001 + strlen (REQ), RESP, strlen (RESP));
  t_seg (&r, 1, 40000, 80, T_ACK | T_FIN, 1001 + strlen (REQ), 5001 + strlen (RESP), NULL, 0);
  t_seg (&r, 2, 80, 40000, T_ACK | T_FIN, 5001 + strlen (RESP), 1002 + strlen (REQ), NULL, 0);
  t_seg (&r, 1, 40000, 80, T_ACK, 1002 + strlen (REQ), 5002 + strlen (RESP), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f4-4 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f5-5 401\n"
                   "body 0 s2c #0 4 'nope'\n"
                   "close 0 fin\n");
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 1);
  t_rec_clear (&r);
}

static void
test_out_of_order (void)
{
  TRec r;
  const char *p1 = "GET /a HT", *p2 = "TP/1.1\r\nHost: x\r\n\r\n";

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + 9, 5001, p2, strlen (p2));
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, p1, strlen (p1));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f5-4 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_overlap_first_wins (void)
{
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, "GET /a HTTP/1.1\r\n", 17);
  /* a retransmission with other bytes for the same range, then more */
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, "GET /b HTTP/1.1\r\nX: 1\r\n", 23);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + 23, 5001, "\r\n", 2);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f4-6 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_gap (void)
{
  TRec r;
  const char *r1 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
  const char *r2 = "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  t_seg (&r, 2, 80, 40000, T_ACK, 5001, 1001, r1, strlen (r1));
  /* 100 bytes lost, then the next response */
  t_seg (&r, 2, 80, 40000, T_ACK, 5001 + strlen (r1) + 100, 1001, r2, strlen (r2));
  t_seg (&r, 2, 80, 40000, T_ACK | T_FIN, 5001 + strlen (r1) + 100 + strlen (r2), 1001, NULL, 0);
  t_seg (&r, 1, 40000, 80, T_ACK | T_FIN, 1001 + strlen (REQ), 5001, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f4-4 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f5-5 200\n"
                   "anomaly gap 0 s2c 100\n"
                   "body 0 s2c #0 5 incomplete\n"
                   "resp 0 #1 f6-6 401\n"
                   "body 0 s2c #1 0\n"
                   "close 0 fin\n");
  t_rec_clear (&r);
}

static void
test_gap_in_length_body (void)
{
  TRec r;
  const char *h = "HTTP/1.1 403 No\r\nContent-Length: 10\r\n\r\n0123";
  const char *r2 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 2, 80, 40000, T_ACK, 5001, 1001, h, strlen (h));
  /* "45" lost; "6789" and the next response arrive */
  t_seg (&r, 2, 80, 40000, T_ACK, 5001 + strlen (h) + 2, 1001, "6789", 4);
  t_seg (&r, 2, 80, 40000, T_ACK, 5001 + strlen (h) + 6, 1001, r2, strlen (r2));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "resp 0 #0 f4-4 403\n"
                   "anomaly gap 0 s2c 2\n"
                   "body 0 s2c #0 10 incomplete '0123'\n"
                   "resp 0 #1 f6-6 200\n"
                   "body 0 s2c #1 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_port_reuse (void)
{
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0); /* retransmitted SYN: same */
  t_seg (&r, 1, 40000, 80, T_ACK | T_FIN, 1001, 5001, NULL, 0);
  t_seg (&r, 2, 80, 40000, T_ACK | T_FIN, 5001, 1002, NULL, 0);
  handshake (&r, 40000, 9000, 7000); /* new ISN: a new connection */
  t_seg (&r, 2, 80, 40001, T_SYN | T_ACK, 1, 1, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 fin\n"
                   "open 1 10.0.0.1:40000>10.0.0.2:80 f7\n"
                   "close 1 end\n"
                   "open 2 10.0.0.1:40001>10.0.0.2:80 f10\n"
                   "close 2 end\n");
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 3);
  t_rec_clear (&r);
}

/* A rotated capture: tcp.stream counts within each file (the user opens
 * that file alone in Wireshark), while the connections go on. */
static void
test_numbers_per_file (void)
{
  TRec r;
  size_t q = strlen (REQ);

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);                  /* stream 0 of file 0 */
  handshake (&r, 40001, 2000, 6000);                  /* stream 1 of file 0 */
  t_seg (&r, 1, 40000, 80, T_ACK | T_PSH, 1001, 5001, REQ, q);
  t_next_file (&r);
  /* 40001 comes first in file 1: its stream 0 there; 40000 gets 1 */
  t_seg (&r, 1, 40001, 80, T_ACK | T_FIN, 2001, 6001, NULL, 0);
  t_seg (&r, 2, 80, 40000, T_ACK | T_PSH, 5001, 1001 + q, RESP, strlen (RESP));
  /* a new ISN on 40001's ports: a new connection, in file 1 too */
  t_seg (&r, 2, 80, 40001, T_ACK | T_FIN, 6001, 2002, NULL, 0);
  handshake (&r, 40001, 9000, 7000);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f7-7 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "resp 1 #0 f9-9 401\n"
                   "body 1 s2c #0 4 'nope'\n"
                   /* opened late (no data): stream 1 in file 0, closed as 0 of file 1 */
                   "open 1 10.0.0.1:40001>10.0.0.2:80 f4\n"
                   "close 0 fin\n"
                   "close 1 end\n"
                   "open 2 10.0.0.1:40001>10.0.0.2:80 f11\n"
                   "close 2 end\n");
  /* three connections in the run: the first two span both files */
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 3);
  t_rec_clear (&r);
}

static void
test_syn_after_midstream_base (void)
{
  TRec r;

  t_rec_init (&r);
  /* first packet without SYN: Wireshark's base is seq - 1 */
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, NULL, 0);
  t_seg (&r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);  /* == base: same stream */
  t_seg (&r, 2, 80, 40000, T_SYN, 4999, 0, NULL, 0);  /* base ack-1 = 5000: differs */
  w4_dis_finish (r.dis);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 2);
  t_rec_clear (&r);
}

static void
test_midstream (void)
{
  TRec r;
  const char *tail = "end of an earlier body\r\n";
  const char *req = "POST /login HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";

  t_rec_init (&r);
  /* no SYN; the server side (port 80) speaks first with a body tail */
  t_seg (&r, 2, 80, 40000, T_ACK, 7000, 3000, tail, strlen (tail));
  t_seg (&r, 1, 40000, 80, T_ACK, 3000, 7000 + strlen (tail), req, strlen (req));
  t_seg (&r, 2, 80, 40000, T_ACK, 7000 + strlen (tail), 3000 + strlen (req), RESP, strlen (RESP));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f2-2 POST /login\n"
                   "body 0 c2s #0 3\n"
                   "resp 0 #0 f3-3 401\n"
                   "body 0 s2c #0 4 'nope'\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_roles_by_request (void)
{
  TRec r;

  t_rec_init (&r);
  /* client on a lower port than the server, no SYN: the request decides */
  t_seg (&r, 1, 80, 8080, T_ACK, 3000, 7000, REQ, strlen (REQ));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:80>10.0.0.2:8080 f1\n"
                   "req 0 #0 f1-1 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_icmp_quoted (void)
{
  TRec r;

  t_rec_init (&r);
  t_quoted (&r, 1, 40000, 80, T_SYN, 1000, 20); /* a new connection: numbered */
  t_quoted (&r, 1, 40001, 80, T_SYN, 1000, 8);  /* too short: Wireshark gives up */
  handshake (&r, 40000, 1000, 5000);             /* same ports: same number */
  handshake (&r, 40002, 1000, 5000);
  w4_dis_finish (r.dis);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 2);
  /* a quoted pure SYN with another ISN starts a new number, as in
   * Wireshark (its port-reuse check runs before it knows the header is
   * quoted); a quoted SYN/ACK does not */
  t_quoted (&r, 1, 40002, 80, T_SYN, 7777, 20);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 3);
  t_quoted (&r, 2, 80, 40000, T_SYN | T_ACK, 1, 20);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 3);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f3\n"
                   "close 0 end\n"
                   "open 1 10.0.0.1:40002>10.0.0.2:80 f6\n"
                   "close 1 end\n");
  t_rec_clear (&r);
}

static void
test_evicted_keeps_number (void)
{
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  handshake (&r, 40001, 1000, 5000);
  t_time (&r, 1000 + 3600);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  w4_dis_finish (r.dis);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 2);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 evicted\n"
                   "open 1 10.0.0.1:40001>10.0.0.2:80 f4\n"
                   "close 1 evicted\n"
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f7\n"
                   "req 0 #0 f7-7 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_flow_limit (void)
{
  TRec r;

  t_rec_init_limit (&r, W4_LIMIT_FLOWS, 1);
  handshake (&r, 40000, 1000, 5000);
  handshake (&r, 40001, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  w4_dis_finish (r.dis);
  g_assert_cmpuint (w4_dis_connections (r.dis), ==, 2);
  g_assert_cmpstr (r.log->str, ==,
                   "anomaly limit flows\n"
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 evicted\n"
                   "anomaly limit flows\n"
                   "open 1 10.0.0.1:40001>10.0.0.2:80 f4\n"
                   "close 1 evicted\n"
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f7\n"
                   "req 0 #0 f7-7 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_ooo_limit (void)
{
  TRec r;
  char seg[10];

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  memset (seg, 'x', sizeof seg);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  /* 300 segments after a hole: the queue limit (256) gives the hole up */
  for (guint i = 0; i < 300; i++)
    t_seg (&r, 1, 40000, 80, T_ACK, 1001 + strlen (REQ) + 10 + i * 10, 5001, seg, sizeof seg);
  w4_dis_finish (r.dis);
  g_assert_nonnull (strstr (r.log->str, "anomaly limit 0 c2s ooo-segments\n"
                                        "anomaly gap 0 c2s 10\n"));
  t_rec_clear (&r);
}

static void
test_acked_hole (void)
{
  TRec r;
  const char *r2 = "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  /* the first response segment (50 bytes) was not captured */
  t_seg (&r, 2, 80, 40000, T_ACK, 5051, 1001 + strlen (REQ), r2, strlen (r2));
  /* the client acknowledges it all: the 50 bytes are lost for good */
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + strlen (REQ), 5051 + strlen (r2), NULL, 0);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f4-4 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "anomaly gap 0 s2c 50\n"
                   "resp 0 #0 f5-5 401\n"
                   "body 0 s2c #0 0\n");
  w4_dis_finish (r.dis);
  t_rec_clear (&r);
}

/* A segment exactly 2^31 bytes behind the next expected byte: the
 * signed difference is INT32_MIN, which must not be negated (undefined
 * behaviour, found by UBSan under tests/fuzz-pipeline). Whatever it
 * carries, it is not new data: dropped as a retransmission. */
static void
test_segment_half_window_behind (void)
{
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  t_seg (&r, 1, 40000, 80, T_ACK, (guint32) (1001 + strlen (REQ)) - 0x80000000u, 5001, REQ, strlen (REQ));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f4-4 GET /a\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_tls (void)
{
  TRec r;
  const char hello[] = "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00";

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, hello, sizeof hello - 1);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end tls\n");
  t_rec_clear (&r);
}

/* A ClientHello in three segments, the middle one late: the name comes
 * from the reassembled client stream. */
static void
test_tls_sni_across_segments (void)
{
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", "h2,http/1.1");
  const char *h = (const char *) hello->data;
  guint32 a = 40, b = 90;
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, h, a);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + b, 5001, h + b, hello->len - b);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + a, 5001, h + a, b - a);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end tls sni=api.example.com alpn=h2,http/1.1\n");
  t_rec_clear (&r);
}

/* The close line of a TLS connection whose client sends @hello and whose
 * server's first segment is @n bytes of @server. */
static char *
tls_close_line (const GByteArray *hello, const GByteArray *server, guint n)
{
  TRec r;
  char *line;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, (const char *) hello->data, hello->len);
  t_seg (&r, 2, 80, 40000, T_ACK, 5001, 1001 + hello->len, (const char *) server->data, n);
  w4_dis_finish (r.dis);
  line = g_strdup (strstr (r.log->str, "close"));
  t_rec_clear (&r);
  return line;
}

/* The ServerHello in the server's first segment gives the version (TLS 1.3
 * says it in supported_versions only); one cut there gives none. */
static void
test_tls_server_version (void)
{
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", "h2");
  g_autoptr (GByteArray) tls13 = t_server_hello (0x0303, 0x0304);
  g_autoptr (GByteArray) tls12 = t_server_hello (0x0303, 0);
  g_autofree char *v13 = tls_close_line (hello, tls13, tls13->len);
  g_autofree char *v12 = tls_close_line (hello, tls12, tls12->len);
  g_autofree char *cut = tls_close_line (hello, tls13, tls13->len - 1);

  g_assert_cmpstr (v13, ==, "close 0 end tls sni=api.example.com alpn=h2 v=0304\n");
  g_assert_cmpstr (v12, ==, "close 0 end tls sni=api.example.com alpn=h2 v=0303\n");
  g_assert_cmpstr (cut, ==, "close 0 end tls sni=api.example.com alpn=h2\n");
}

/* The hello's middle segment was never captured (the server acknowledged
 * it), or the capture ends inside the hello: no name, never a wrong one. */
static void
test_tls_hello_cut (void)
{
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", "h2");
  const char *h = (const char *) hello->data;
  guint32 a = 40, b = 90;
  TRec r;

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, h, a);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + b, 5001, h + b, hello->len - b);
  t_seg (&r, 2, 80, 40000, T_ACK, 5001, 1001 + hello->len, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end tls\n");
  t_rec_clear (&r);

  t_rec_init (&r);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, h, hello->len - 1);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end tls\n");
  t_rec_clear (&r);
}

/* Random segments (flags, sequence numbers, HTTP-looking pieces) on a few
 * port pairs, with tiny limits so every eviction path runs: nothing may
 * crash or leak (run under the sanitizers in CI). */
static void
test_random_segments (void)
{
  static const char *const pieces[] = {
    "GET / HTTP/1.1\r\n", "HTTP/1.1 401 No\r\n", "Content-Length: 5\r\n", "\r\n",
    "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n", "CONNECT a:1 HTTP/1.1\r\n",
    "HTTP/1.1 200 OK\r\n", "RPC_IN_DATA /x HTTP/1.1\r\n", "\x16\x03\x01\x00", "xyz",
    "HTTP/1.1 100 Continue\r\n\r\n", "Expect: 100-continue\r\n", "HEAD / HTTP/1.1\r\n",
  };
  GRand *rnd = g_rand_new_with_seed (401);

  for (int round = 0; round < 20; round++) {
    TRec r;
    t_rec_init_limit (&r, (W4LimitId) (round % 4 == 0   ? W4_LIMIT_FLOWS
                                       : round % 4 == 1 ? W4_LIMIT_OOO_SEGMENTS
                                       : round % 4 == 2 ? W4_LIMIT_STREAM_NUMBERS
                                                        : W4_LIMIT_REASM_BYTES),
                      2);
    for (int i = 0; i < 2000; i++) {
      char buf[256];
      gsize len = 0;
      int n = g_rand_int_range (rnd, 0, 4);
      guint16 cport = (guint16) (40000 + g_rand_int_range (rnd, 0, 4));
      guint16 flags = (guint16) g_rand_int_range (rnd, 0, 0x20);
      guint32 seq = g_rand_int_range (rnd, 0, 10) == 0
                        ? g_rand_int (rnd) /* far away, and across the wrap */
                        : 1000 + (guint32) g_rand_int_range (rnd, 0, 600);
      for (int k = 0; k < n; k++) {
        const char *pc = pieces[g_rand_int_range (rnd, 0, G_N_ELEMENTS (pieces))];
        gsize pl = strlen (pc);
        if (len + pl < sizeof buf) {
          memcpy (buf + len, pc, pl);
          len += pl;
        }
      }
      if (g_rand_int_range (rnd, 0, 50) == 0)
        t_time (&r, 1000 + i * 10);
      if (g_rand_boolean (rnd))
        t_seg (&r, 1, cport, 80, flags, seq, 1000, buf, len);
      else
        t_seg (&r, 2, 80, cport, flags, seq, 1000, buf, len);
    }
    w4_dis_finish (r.dis);
    t_rec_clear (&r);
  }
  g_rand_free (rnd);
}

/* Every charge a connection's state made is released when it goes: at
 * teardown the budget is back at 0 in every kind. */
static void
assert_budget_empty (const W4Budget *b)
{
  for (int k = 0; k < W4_MEM_KINDS; k++)
    g_assert_cmpuint (b->by_kind[k], ==, 0);
  g_assert_cmpuint (b->used, ==, 0);
}

static void
test_budget_released (void)
{
  W4Budget b;
  TRec r;
  char seg[10];
  const char tls[] = "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00";
  const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  w4_budget_init (&b, 0);
  t_rec_init_budget (&r, &b);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ));
  /* two segments after a hole are queued: reassembly holds them */
  memset (seg, 'x', sizeof seg);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + strlen (REQ) + 10, 5001, seg, sizeof seg);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + strlen (REQ) + 20, 5001, seg, sizeof seg);
  g_assert_cmpuint (b.by_kind[W4_MEM_REASM], >, 2 * sizeof seg);
  t_seg (&r, 2, 80, 40000, T_ACK, 5001, 1001 + strlen (REQ), RESP, strlen (RESP));
  g_assert_cmpuint (b.by_kind[W4_MEM_FLOWS], >, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_HTTP], >, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_STREAM_NUMBERS], >, 0);
  /* a second connection that only sends a SYN: a flow, no more */
  t_seg (&r, 1, 40001, 80, T_SYN, 7000, 0, NULL, 0);
  /* TLS and HTTP/2 states */
  handshake (&r, 40002, 1000, 5000);
  t_seg (&r, 1, 40002, 443, T_ACK, 1001, 5001, tls, sizeof tls - 1);
  g_assert_cmpuint (b.by_kind[W4_MEM_TLS], >, 0);
  handshake (&r, 40003, 1000, 5000);
  t_seg (&r, 1, 40003, 80, T_ACK, 1001, 5001, preface, sizeof preface - 1);
  g_assert_cmpuint (b.by_kind[W4_MEM_H2], >, 0);
  w4_dis_finish (r.dis);
  /* the flows went at the end of input; their numbers stay till the end */
  g_assert_cmpuint (b.by_kind[W4_MEM_FLOWS], ==, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_REASM], ==, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_HTTP], ==, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_TLS], ==, 0);
  g_assert_cmpuint (b.by_kind[W4_MEM_H2], ==, 0);
  t_rec_clear (&r);
  assert_budget_empty (&b);
}

/* Over the budget, the idle flows go first (as at the flows limit: closed
 * towards the correlator), then the others, the longest idle first. */
static void
test_budget_evicts_flows (void)
{
  W4Budget b;
  TRec r;

  w4_budget_init (&b, 0);
  t_rec_init_budget (&r, &b);
  t_time (&r, 1000);
  t_seg (&r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);
  t_time (&r, 1100);
  t_seg (&r, 1, 40001, 80, T_SYN, 2000, 0, NULL, 0);
  t_seg (&r, 1, 40002, 80, T_SYN, 3000, 0, NULL, 0);
  /* the pipeline enforces between packets: a budget that allows two
   * flows and the records gives up the one idle for 100 s */
  b.max = b.used - 1;
  g_assert_true (w4_budget_over (&b));
  w4_budget_enforce (&b);
  g_assert_cmpuint (b.evicted[W4_EVICT_IDLE_FLOWS], ==, 1);
  g_assert_cmpuint (b.evicted[W4_EVICT_FLOWS], ==, 0);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 evicted\n");
  /* a budget that holds none of them: the others go too, the oldest first */
  b.max = 1;
  w4_budget_enforce (&b);
  g_assert_cmpuint (b.evicted[W4_EVICT_FLOWS], ==, 2);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 evicted\n"
                   "open 1 10.0.0.1:40001>10.0.0.2:80 f2\n"
                   "close 1 evicted\n"
                   "open 2 10.0.0.1:40002>10.0.0.2:80 f3\n"
                   "close 2 evicted\n");
  w4_dis_finish (r.dis);
  t_rec_clear (&r);
  assert_budget_empty (&b);
}


/* The numbers of connections whose state went are given up before any live
 * connection, the oldest first; the same ports seen again are then a new
 * connection with a new number (counted, so the summary can say so). */
static void
test_budget_evicts_stream_numbers (void)
{
  W4Budget b;
  TRec r;
  guint64 flow, rec;

  w4_budget_init (&b, 0);
  t_rec_init_budget (&r, &b);
  t_time (&r, 1000);
  t_seg (&r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);
  t_time (&r, 1100);
  t_seg (&r, 1, 40001, 80, T_SYN, 2000, 0, NULL, 0);
  /* a budget whose low mark holds one flow and its number, less than one
   * more number (the mark is max / 100 * 90): the idle flow goes, then its
   * number; the live one keeps both */
  flow = b.by_kind[W4_MEM_FLOWS] / 2;
  rec = b.by_kind[W4_MEM_STREAM_NUMBERS] / 2;
  g_assert_cmpuint (rec, >, W4_BUDGET_LOW_MARK);
  b.max = (flow + rec + W4_BUDGET_LOW_MARK - 1) / W4_BUDGET_LOW_MARK * 100;
  w4_budget_enforce (&b);
  g_assert_cmpuint (b.evicted[W4_EVICT_IDLE_FLOWS], ==, 1);
  g_assert_cmpuint (b.evicted[W4_EVICT_STREAM_NUMBERS], ==, 1);
  g_assert_cmpuint (b.evicted[W4_EVICT_FLOWS], ==, 0);
  /* the first connection's ports again, same ISN: numbered anew (the
   * live one has 1) */
  t_seg (&r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_nonnull (strstr (r.log->str, "open 2 10.0.0.1:40000>10.0.0.2:80"));
  t_rec_clear (&r);
  assert_budget_empty (&b);
}
/* A segment ahead of a hole that the budget cannot hold is not queued:
 * as one over reasm-bytes, the hole before it is lost and it is read. */
static void
test_budget_refuses_segment (void)
{
  W4Budget b;
  TRec r;
  char seg[100];

  w4_budget_init (&b, 0);
  t_rec_init_budget (&r, &b);
  handshake (&r, 40000, 1000, 5000);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, REQ, strlen (REQ) - 2);
  b.max = b.used + sizeof seg / 2;
  memset (seg, 'x', sizeof seg);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001 + strlen (REQ) + 10, 5001, seg, sizeof seg);
  g_assert_cmpuint (b.refused[W4_MEM_REASM], ==, 1);
  g_assert_cmpuint (b.by_kind[W4_MEM_REASM], ==, 0);
  g_assert_nonnull (strstr (r.log->str, "anomaly gap 0 c2s 12\n"));
  w4_dis_finish (r.dis);
  t_rec_clear (&r);
  assert_budget_empty (&b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tcp/in-order", test_in_order);
  g_test_add_func ("/tcp/out-of-order", test_out_of_order);
  g_test_add_func ("/tcp/overlap-first-wins", test_overlap_first_wins);
  g_test_add_func ("/tcp/gap", test_gap);
  g_test_add_func ("/tcp/gap-in-length-body", test_gap_in_length_body);
  g_test_add_func ("/tcp/port-reuse-new-isn", test_port_reuse);
  g_test_add_func ("/tcp/syn-after-midstream-base", test_syn_after_midstream_base);
  g_test_add_func ("/tcp/numbers-per-file", test_numbers_per_file);
  g_test_add_func ("/tcp/midstream", test_midstream);
  g_test_add_func ("/tcp/roles-by-request", test_roles_by_request);
  g_test_add_func ("/tcp/icmp-quoted", test_icmp_quoted);
  g_test_add_func ("/tcp/evicted-keeps-number", test_evicted_keeps_number);
  g_test_add_func ("/tcp/flow-limit", test_flow_limit);
  g_test_add_func ("/tcp/ooo-limit", test_ooo_limit);
  g_test_add_func ("/tcp/acked-hole", test_acked_hole);
  g_test_add_func ("/tcp/segment-half-window-behind", test_segment_half_window_behind);
  g_test_add_func ("/tcp/tls", test_tls);
  g_test_add_func ("/tcp/tls-sni-across-segments", test_tls_sni_across_segments);
  g_test_add_func ("/tcp/tls-hello-cut", test_tls_hello_cut);
  g_test_add_func ("/tcp/tls-server-version", test_tls_server_version);
  g_test_add_func ("/tcp/random-segments", test_random_segments);
  g_test_add_func ("/tcp/budget-released", test_budget_released);
  g_test_add_func ("/tcp/budget-evicts-flows", test_budget_evicts_flows);
  g_test_add_func ("/tcp/budget-evicts-stream-numbers", test_budget_evicts_stream_numbers);
  g_test_add_func ("/tcp/budget-refuses-segment", test_budget_refuses_segment);
  return g_test_run ();
}
