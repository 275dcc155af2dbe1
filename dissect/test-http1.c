/* test-http1.c: HTTP/1 through llhttp: start lines and headers split
 * across segments, pipelining, HEAD, 1xx, chunked bodies, upgrades and
 * tunnels, look-alike protocols, limits; and every exchange fed whole, split
 * at every byte, byte by byte and cut at every byte. */
#include "test-util.h"

#include <string.h>

#include "dissect-private.h"

/* A connection with a handshake; returns the next sequence numbers. */
static void
open_conn (TRec *r, guint32 *cseq, guint32 *sseq)
{
  t_seg (r, 1, 40000, 80, T_SYN, 1000, 0, NULL, 0);
  t_seg (r, 2, 80, 40000, T_SYN | T_ACK, 5000, 1001, NULL, 0);
  *cseq = 1001;
  *sseq = 5001;
}

/* Sends @data from @from in segments cut at the offsets in @cuts (sorted,
 * 0-terminated), or in @step-byte pieces when @step > 0. */
static void
send_split (TRec *r, int from, guint32 *seq, const char *data, gsize len, const gsize *cuts,
            gsize step)
{
  gsize pos = 0;

  while (pos < len) {
    gsize next = len;
    if (step > 0) {
      next = MIN (len, pos + step);
    } else if (cuts != NULL) {
      for (const gsize *c = cuts; *c != 0; c++)
        if (*c > pos && *c < next) {
          next = *c;
          break;
        }
    }
    if (from == 1)
      t_seg (r, 1, 40000, 80, T_ACK, *seq, 5001, data + pos, next - pos);
    else
      t_seg (r, 2, 80, 40000, T_ACK, *seq, 1001, data + pos, next - pos);
    *seq += (guint32) (next - pos);
    pos = next;
  }
}

static char *
run_exchange (const char *req, const char *resp, gsize req_cut, gsize resp_cut, gsize step,
              gboolean hide_frames, gboolean headers)
{
  TRec r;
  guint32 cs, ss;
  gsize rc[2] = { req_cut, 0 }, sc[2] = { resp_cut, 0 };
  char *out;

  t_rec_init (&r);
  r.hide_frames = hide_frames;
  r.show_headers = headers;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), rc, step);
  if (resp != NULL)
    send_split (&r, 2, &ss, resp, strlen (resp), sc, step);
  w4_dis_finish (r.dis);
  out = g_strdup (r.log->str);
  t_rec_clear (&r);
  return out;
}

static void
check (const char *req, const char *resp, const char *expected)
{
  g_autofree char *got = run_exchange (req, resp, 0, 0, 0, FALSE, FALSE);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_split_status_line (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

  t_rec_init (&r);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  /* frame 4: "HT", 5: "TP/1.1 401 Unau", 6: "thorized\r\nWWW-Auth", 7: the rest */
  send_split (&r, 2, &ss, "HT", 2, NULL, 0);
  send_split (&r, 2, &ss, "TP/1.1 401 Unau", 15, NULL, 0);
  send_split (&r, 2, &ss, "thorized\r\nWWW-Auth", 18, NULL, 0);
  send_split (&r, 2, &ss, "enticate:  Basic realm=\"x\"  \r\nContent-Length: 0\r\n\r\n", 51, NULL,
              0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET / [Host=a]\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f4-7 401 [WWW-Authenticate=Basic realm=\"x\"] [Content-Length=0]\n"
                   "body 0 s2c #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_pipelining_head (void)
{
  check ("HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
         "HTTP/1.1 401 No\r\nContent-Length: 5\r\n\r\nhello",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 HEAD /a\n"
         "body 0 c2s #0 0\n"
         "req 0 #1 f3-3 GET /b\n"
         "body 0 c2s #1 0\n"
         "resp 0 #0 f4-4 200\n"
         "body 0 s2c #0 0\n"
         "resp 0 #1 f4-4 401\n"
         "body 0 s2c #1 5 'hello'\n"
         "close 0 end\n");
}

static void
test_continue (void)
{
  check ("POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 POST /u\n"
         "body 0 c2s #0 2\n"
         "resp 0 #0 f4-4 100 interim\n"
         "body 0 s2c #0 0\n"
         "resp 0 #1 f4-4 403\n"
         "body 0 s2c #1 0\n"
         "close 0 end\n");
}

static void
test_odd_but_valid (void)
{
  /* no reason phrase; LF-only lines; a bare-LF request */
  check ("GET / HTTP/1.1\nHost: a\n\n", "HTTP/1.1 401\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 0\n"
         "close 0 end\n");
}

/* A response with neither reason phrase nor header fields leaves the
 * header buffer empty: its spans must not be made by adding 0 to a NULL
 * pointer (UBSan; fuzz-pipeline found it). */
static void
test_empty_head (void)
{
  check ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 401\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 0\n"
         "close 0 end\n");
}

static void
test_request_te_not_chunked (void)
{
  check ("HEAD /f HTTP/1.1\r\nTransfer-Encoding: ,.chunked,\r\n\r\nGET /g HTTP/1.1\r\n\r\n", NULL,
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 HEAD /f\n"
         "body 0 c2s #0 0\n"
         "req 0 #1 f3-3 GET /g\n"
         "body 0 c2s #1 0\n"
         "close 0 end\n");
}

static void
test_continue_body_skipped (void)
{
  TRec r;
  guint32 cs, ss;
  const char *post = "POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n";
  const char *retry = "POST /u HTTP/1.1\r\nAuthorization: Basic eDp5\r\nContent-Length: 2\r\n\r\nok";
  const char *r401 = "HTTP/1.1 401 No\r\nWWW-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, post, strlen (post), NULL, 0);
  send_split (&r, 2, &ss, r401, strlen (r401), NULL, 0);
  send_split (&r, 1, &cs, retry, strlen (retry), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 POST /u\n"
                   "resp 0 #0 f4-4 401\n"
                   "body 0 s2c #0 0\n"
                   "body 0 c2s #0 0 incomplete\n"
                   "req 0 #1 f5-5 POST /u\n"
                   "body 0 c2s #1 2\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_chunked (void)
{
  check ("GET / HTTP/1.1\r\n\r\n",
         "HTTP/1.1 401 No\r\nTransfer-Encoding: chunked\r\n\r\n"
         "4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nTrailer: t\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 7 '{\"a\":1}'\n"
         "close 0 end\n");
}

static void
test_eof_body (void)
{
  TRec r;
  guint32 cs, ss;
  const char *resp = "HTTP/1.0 401 No\r\n\r\nuntil close";

  t_rec_init (&r);
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, "GET / HTTP/1.0\r\n\r\n", 18, NULL, 0);
  send_split (&r, 2, &ss, resp, strlen (resp), NULL, 0);
  t_seg (&r, 2, 80, 40000, T_ACK | T_FIN, ss, cs, NULL, 0);
  t_seg (&r, 1, 40000, 80, T_ACK | T_FIN, cs, ss + 1, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f4-4 401\n"
                   "body 0 s2c #0 11 'until close'\n"
                   "close 0 fin\n");
  t_rec_clear (&r);
}

static void
test_connect_refused_then_tunnel (void)
{
  check ("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"
         "CONNECT h:443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n",
         "HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"
         "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01garbage",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 CONNECT h:443\n"
         "body 0 c2s #0 0\n"
         "req 0 #1 f3-3 CONNECT h:443\n"
         "body 0 c2s #1 0\n"
         "resp 0 #0 f4-4 407\n"
         "body 0 s2c #0 0\n"
         "resp 0 #1 f4-4 200\n"
         "body 0 s2c #1 0\n"
         "anomaly upgrade 0 s2c\n"
         "close 0 end\n");
  /* plain HTTP through the tunnel is HTTP again */
  check ("CONNECT h:80 HTTP/1.1\r\n\r\n",
         "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 CONNECT h:80\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 200\n"
         "body 0 s2c #0 0\n"
         "anomaly upgrade 0 s2c\n"
         "resp 0 #1 f4-4 401\n"
         "body 0 s2c #1 0\n"
         "close 0 end\n");
}

/* The proxy's answers run on the TCP connection's record, what comes
 * through the tunnel on the tunnel's, inside it (same id and stream): a
 * proxy's 407 and an origin's 401 are told apart. */
static void
test_tunnel_layer (void)
{
  TRec r;
  guint32 cs, ss;
  /* a userinfo in the target (some clients send one) is no part of it */
  const char *connect = "CONNECT u:secret@h:80 HTTP/1.1\r\n\r\n", *ok = "HTTP/1.1 200 OK\r\n\r\n";
  const char *get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  const char *no = "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  r.show_layers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, connect, strlen (connect), NULL, 0);
  send_split (&r, 2, &ss, ok, strlen (ok), NULL, 0);
  send_split (&r, 1, &cs, get, strlen (get), NULL, 0);
  send_split (&r, 2, &ss, no, strlen (no), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 CONNECT u:secret@h:80 on=tcp\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f4-4 200 on=tcp\n"
                   "body 0 s2c #0 0\n"
                   "anomaly upgrade 0 s2c on=tcp\n"
                   "req 0 #1 f5-5 GET / on=tunnel(h:80)/tcp\n"
                   "body 0 c2s #1 0\n"
                   "resp 0 #1 f6-6 401 on=tunnel(h:80)/tcp\n"
                   "body 0 s2c #1 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

static void
test_websocket_upgrade (void)
{
  check ("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
         "\x81\x02hi",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /ws\n"
         "body 0 c2s #0 0\n"
         "anomaly http-error 0 c2s\n"
         "resp 0 #0 f4-4 101\n"
         "body 0 s2c #0 0\n"
         "anomaly upgrade 0 s2c\n"
         "close 0 end\n");
}

/* h2c (RFC 7540 3.2): the 101 switches to HTTP/2 (h2.c reads on; the
 * 101 is interim: the request's answer comes on stream 1); a WebSocket
 * upgrade (above) does not. */
static void
test_h2c_upgrade (void)
{
  check ("GET /private HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
         "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
         "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
         "\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /private\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 101 interim\n"
         "body 0 s2c #0 0\n"
         "close 0 end h2-parsed\n");
  /* refused: HTTP/1 goes on, nothing is HTTP/2 */
  check ("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
         "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /\n"
         "body 0 c2s #0 0\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 0\n"
         "close 0 end\n");
}

/* The preface in a short first segment ("PRI * HTTP/2.0") is still
 * recognised, and where a capture starts with it. */
static void
test_http2_preface_short_segment (void)
{
  TRec r;
  guint32 cs, ss;
  gsize cuts[2] = { 14, 0 };
  const char *preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  t_rec_init (&r);
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, preface, strlen (preface), cuts, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end h2-parsed\n");
  t_rec_clear (&r);

  /* without the handshake (capture started at the preface) too */
  t_rec_init (&r);
  t_seg (&r, 1, 40000, 80, T_ACK, 1001, 5001, preface, strlen (preface));
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "close 0 end h2-parsed\n");
  t_rec_clear (&r);
}

static void
test_sip_is_not_http (void)
{
  check ("REGISTER sip:x SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n",
         "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\"\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "close 0 end\n");
  check ("OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n",
         "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\"\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "anomaly http-error 0 c2s\n"
         "close 0 end\n");
}

static void
test_rtsp_is_not_http (void)
{
  check ("OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\n\r\n",
         "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "anomaly http-error 0 c2s\n"
         "close 0 end\n");
}

static void
test_http2_preface_is_not_http1 (void)
{
  check ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", NULL,
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "close 0 end h2-parsed\n");
}

static void
test_unknown_method (void)
{
  check ("RPC_IN_DATA /rpc/rpcproxy.dll?x:6001 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"
         "\r\nRPC_OUT_DATA /rpc HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
         "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 RPC_IN_DATA /rpc/rpcproxy.dll?x:6001\n"
         "body 0 c2s #0 2\n"
         "req 0 #1 f3-3 RPC_OUT_DATA /rpc\n"
         "body 0 c2s #1 0\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 0\n"
         "close 0 end\n");
  /* a token that is no method, or a line without HTTP/1.x, is not HTTP */
  check ("HELLO there\r\n\r\n", NULL,
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "close 0 end\n");
}

static void
test_header_limits (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\nGET /2 HTTP/1.1\r\nD: 4\r\n\r\n";

  t_rec_init_limit (&r, W4_LIMIT_HEADERS, 2);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 1);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly limit 0 c2s headers\n"
                   "req 0 #0 f3-38 GET / truncated [A=1] [B=2]\n"
                   "body 0 c2s #0 0\n"
                   "req 0 #1 f39-63 GET /2 [D=4]\n"
                   "body 0 c2s #1 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* Requests whose responses were not captured: past pending-requests the
 * oldest method is forgotten, and each drop is a limit anomaly (so the
 * limit info's count is the number forgotten: 5 requests, room for 2). */
static void
test_pending_limit (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"
                    "GET /4 HTTP/1.1\r\n\r\nGET /5 HTTP/1.1\r\n\r\n";
  const char *at;
  guint drops = 0;

  t_rec_init_limit (&r, W4_LIMIT_PENDING_REQ, 2);
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 1);
  w4_dis_finish (r.dis);
  for (at = r.log->str; (at = strstr (at, "anomaly limit 0 c2s pending-requests\n")) != NULL; at++)
    drops++;
  g_assert_cmpuint (drops, ==, 3);
  g_assert_nonnull (strstr (r.log->str, "GET /5"));
  t_rec_clear (&r);
}

static void
test_header_bytes_limit (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /abc HTTP/1.1\r\nLong: 0123456789\r\n\r\n";

  t_rec_init_limit (&r, W4_LIMIT_HEADER_BYTES, 12);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly limit 0 c2s header-bytes\n"
                   "req 0 #0 f3-3 GET /abc truncated [Long=0]\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* The Upgrade of a 101 decides that HTTP/2 follows: padding past
 * header-bytes must not cut it, or what follows would not be read as
 * HTTP/2. */
static void
test_h2c_upgrade_past_cap (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
  const char *resp = "HTTP/1.1 101 Switching Protocols\r\nX-Pad: 0123456789abcdef\r\n"
                     "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                     "\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64";

  t_rec_init_limit (&r, W4_LIMIT_HEADER_BYTES, 40);
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  send_split (&r, 2, &ss, resp, strlen (resp) + 15, NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_true (g_str_has_suffix (r.log->str, "close 0 end h2-parsed\n"));
  t_rec_clear (&r);
}

/* A control byte in the request target (python's http.server takes it,
 * llhttp does not) must not hide the request: it is read, and reported
 * with the byte as sent. */
static void
test_control_byte_in_target (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /basic-only?x=\x01 HTTP/1.1\r\nAuthorization: Basic dTpw\r\n\r\n"
                    "GET\t/tab\tHTTP/1.1\r\n\r\nGET /v12 HTTP/1.2\r\n\r\n";
  const char *resp = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";

  t_rec_init (&r);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  send_split (&r, 2, &ss, resp, strlen (resp), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /basic-only?x=\x01 odd-target [Authorization=Basic dTpw]\n"
                   "body 0 c2s #0 0\n"
                   "req 0 #1 f3-3 GET /tab odd-target\n"
                   "body 0 c2s #1 0\n"
                   "req 0 #2 f3-3 GET /v12 odd-target\n"
                   "body 0 c2s #2 0\n"
                   "resp 0 #0 f4-4 401 [Content-Length=0]\n"
                   "body 0 s2c #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* More refused bytes than any fixed table of stand-ins holds: a client
 * that pads its target with control bytes must not hide its request (and
 * its credentials) again; every byte is reported as sent. */
static void
test_many_control_bytes_in_target (void)
{
  TRec r;
  guint32 cs, ss;
  g_autofree char *ctl = g_strnfill (200, '\x01');
  g_autofree char *names = g_strnfill (100, '\x02');
  g_autofree char *req = g_strdup_printf ("GET /a%s HTTP/1.1\r\nX%s: 1\r\n"
                                          "Authorization: Basic dTpw\r\n\r\n", ctl, names);
  g_autofree char *want = g_strdup_printf ("open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                                           "req 0 #0 f3-3 GET /a%s odd-target odd-name "
                                           "[X%s=1] [Authorization=Basic dTpw]\n"
                                           "body 0 c2s #0 0\n"
                                           "close 0 end\n", ctl, names);

  t_rec_init (&r);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==, want);
  t_rec_clear (&r);
}

/* Field names with bytes llhttp refuses (nginx ignores such a field,
 * python takes it) must not hide the message or the fields after them;
 * the name is reported as sent. */
static void
test_odd_field_names (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /a HTTP/1.1\r\nX-\xc3\xa9t\xc3\xa9: 1\r\nX\x01Y: 2\r\nNo colon\r\n"
                    "Authorization: Basic dTpw\r\n\r\n";
  const char *resp = "HTTP/1.1 401 No\r\nX(y): 1\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
                     "Content-Length: 0\r\n\r\n";

  t_rec_init (&r);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  send_split (&r, 2, &ss, resp, strlen (resp), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "req 0 #0 f3-3 GET /a odd-name [X-\xc3\xa9t\xc3\xa9=1] [X\x01Y=2] "
                   "[No colon=] [Authorization=Basic dTpw]\n"
                   "body 0 c2s #0 0\n"
                   "resp 0 #0 f4-4 401 odd-name [X(y)=1] [WWW-Authenticate=Basic realm=\"r\"] "
                   "[Content-Length=0]\n"
                   "body 0 s2c #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* Padding past header-bytes and the field count does not push the
 * credentials out: they have their own bound (auth-header-bytes). */
static void
test_auth_fields_past_cap (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /abc HTTP/1.1\r\nPad: 0123456789\r\nMore: x\r\n"
                    "authorization: Basic YTpi\r\nCookie: s=1\r\n\r\n";

  t_rec_init_limit (&r, W4_LIMIT_HEADER_BYTES, 12);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly limit 0 c2s header-bytes\n"
                   "req 0 #0 f3-3 GET /abc truncated [Pad=01] [authorization=Basic YTpi] "
                   "[Cookie=s=1]\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* Beyond auth-header-bytes too: a credential cut short is left out (it
 * would read as a wrong one) and the head says authentication fields were
 * cut. */
static void
test_auth_fields_cut (void)
{
  TRec r;
  guint32 cs, ss;
  const char *req = "GET /abc HTTP/1.1\r\nCookie: s=1\r\nAuthorization: Basic YWxpY2U6d3Jvbmc=\r\n\r\n";

  t_rec_init_limit (&r, W4_LIMIT_AUTH_HEADER_BYTES, 30);
  r.show_headers = TRUE;
  open_conn (&r, &cs, &ss);
  send_split (&r, 1, &cs, req, strlen (req), NULL, 0);
  w4_dis_finish (r.dis);
  g_assert_cmpstr (r.log->str, ==,
                   "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
                   "anomaly limit 0 c2s auth-header-bytes\n"
                   "req 0 #0 f3-3 GET /abc truncated auth-cut [Cookie=s=1]\n"
                   "body 0 c2s #0 0\n"
                   "close 0 end\n");
  t_rec_clear (&r);
}

/* The exchanges fed every other way must give the same events (frames
 * aside), and no cut may crash. */
static const char *const split_cases[][2] = {
  { "GET /a HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dTpw\r\n\r\n"
    "HEAD /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 12\r\n\r\n"
    "{\"e\":\"bad\"}\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nnope!\r\n0\r\n\r\n" },
  { "PUT /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
    "HTTP/1.0 407 Proxy\r\nProxy-Authenticate: Basic realm=\"p\"\r\n\r\nbody to the end" },
  /* control bytes in targets, TAB separators and odd bytes in field names,
   * which llhttp alone refuses */
  { "GET\t/t\tHTTP/1.1\r\nHost: x\r\n\r\nGET /v HTTP/1.2\r\n\r\n",
    "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\nHTTP/1.3 401 No\r\nContent-Length: 0\r\n\r\n" },
  { "POST /p HTTP/1.1\r\nX\x01: 1\r\nContent-Length: 2\r\n\r\nabGET /q HTTP/1.1\r\n\xff: 2\r\n"
    "Garbage\r\n\r\n",
    "HTTP/1.1 401 No\r\nX\x02: 1\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 403 No\r\n{}: 1\r\n\r\n" },
  { "GET /a?x=\x01 HTTP/1.1\r\nAuthorization: Basic dTpw\r\n\r\n"
    "\r\nGET /\x7f\x02b HTTP/1.1\r\n\r\n",
    "HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\nHTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n" },
};

static void
test_split_everywhere (void)
{
  for (gsize k = 0; k < G_N_ELEMENTS (split_cases); k++) {
    const char *req = split_cases[k][0], *resp = split_cases[k][1];
    g_autofree char *whole = run_exchange (req, resp, 0, 0, 0, TRUE, TRUE);
    g_autofree char *bytes = run_exchange (req, resp, 0, 0, 1, TRUE, TRUE);

    g_assert_cmpstr (bytes, ==, whole);
    for (gsize i = 1; i < strlen (req); i++) {
      g_autofree char *got = run_exchange (req, resp, i, 0, 0, TRUE, TRUE);
      g_assert_cmpstr (got, ==, whole);
    }
    for (gsize i = 1; i < strlen (resp); i++) {
      g_autofree char *got = run_exchange (req, resp, 0, i, 0, TRUE, TRUE);
      g_assert_cmpstr (got, ==, whole);
    }
  }
}

static void
test_truncated_prefixes (void)
{
  for (gsize k = 0; k < G_N_ELEMENTS (split_cases); k++) {
    const char *req = split_cases[k][0], *resp = split_cases[k][1];
    for (gsize i = 0; i <= strlen (req); i++) {
      g_autofree char *r1 = g_strndup (req, i);
      g_autofree char *got = run_exchange (r1, NULL, 0, 0, 0, TRUE, TRUE);
      g_assert_nonnull (got);
    }
    for (gsize i = 0; i <= strlen (resp); i++) {
      g_autofree char *r2 = g_strndup (resp, i);
      g_autofree char *got = run_exchange (req, r2, 0, 0, 0, TRUE, TRUE);
      g_assert_nonnull (strstr (got, "close 0 end\n"));
    }
  }
}

/* Which field names are kept under auth-header-bytes (h1.c's lists, looked
 * up by length first): each in any case, and look-alikes that are not. */
static void
test_auth_relevant_names (void)
{
  static const char *const request[] = {
    "Authorization", "PROXY-AUTHORIZATION", "cookie", "X-CSRF-Token", "X-XSRF-TOKEN",
    "x-csrftoken", "X-WP-Nonce", "Origin", "Sec-Fetch-Site", "host",
    "Access-Control-Request-Method", "Expect", "X-API-Key", "Api-Key", "X-Auth-Token",
  };
  static const char *const response[] = {
    "WWW-Authenticate", "Proxy-Authenticate", "Set-Cookie", "location", "Content-Type",
    "Upgrade",
  };
  static const char *const neither[] = {
    "", "Date", "Accept", "User-Agent", "Content-Length", "Connection", "Hosts", "hos",
    "Authorizatio", "Cookie2", "X-CSRF-Tokens", "Origim", "Server", "ETag",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (request); i++) {
    const guint8 *n = (const guint8 *) request[i];
    g_assert_true (w4_h1_field_is_auth_relevant (W4_DIR_TO_SERVER, n, strlen (request[i])));
    g_assert_false (w4_h1_field_is_auth_relevant (W4_DIR_TO_CLIENT, n, strlen (request[i])));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (response); i++) {
    const guint8 *n = (const guint8 *) response[i];
    g_assert_true (w4_h1_field_is_auth_relevant (W4_DIR_TO_CLIENT, n, strlen (response[i])));
    g_assert_false (w4_h1_field_is_auth_relevant (W4_DIR_TO_SERVER, n, strlen (response[i])));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (neither); i++) {
    const guint8 *n = (const guint8 *) neither[i];
    g_assert_false (w4_h1_field_is_auth_relevant (W4_DIR_TO_SERVER, n, strlen (neither[i])));
    g_assert_false (w4_h1_field_is_auth_relevant (W4_DIR_TO_CLIENT, n, strlen (neither[i])));
  }
}

/* A TAB inside the target: llhttp would take it as part of the target, but
 * the head scan makes it the separator (as python's http.server splits the
 * line), so the request reads as the scan has it, also when llhttp first
 * reads heads as they came (try_unscanned). */
static void
test_tab_inside_target (void)
{
  check ("GET /a HTTP/1.1\r\n\r\nGET /a\tb HTTP/1.1\r\n\r\n",
         "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n",
         "open 0 10.0.0.1:40000>10.0.0.2:80 f1\n"
         "req 0 #0 f3-3 GET /a\n"
         "body 0 c2s #0 0\n"
         "anomaly http-error 0 c2s\n"
         "resp 0 #0 f4-4 401\n"
         "body 0 s2c #0 0\n"
         "close 0 end\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http1/split-status-line", test_split_status_line);
  g_test_add_func ("/http1/pipelining-head", test_pipelining_head);
  g_test_add_func ("/http1/100-continue", test_continue);
  g_test_add_func ("/http1/chunked", test_chunked);
  g_test_add_func ("/http1/100-continue-body-skipped", test_continue_body_skipped);
  g_test_add_func ("/http1/request-te-not-chunked", test_request_te_not_chunked);
  g_test_add_func ("/http1/odd-but-valid", test_odd_but_valid);
  g_test_add_func ("/http1/empty-head", test_empty_head);
  g_test_add_func ("/http1/body-to-eof", test_eof_body);
  g_test_add_func ("/http1/connect-refused-then-tunnel", test_connect_refused_then_tunnel);
  g_test_add_func ("/http1/tunnel-layer", test_tunnel_layer);
  g_test_add_func ("/http1/websocket-upgrade", test_websocket_upgrade);
  g_test_add_func ("/http1/h2c-upgrade", test_h2c_upgrade);
  g_test_add_func ("/http1/h2c-upgrade-past-cap", test_h2c_upgrade_past_cap);
  g_test_add_func ("/http1/http2-preface-short-segment", test_http2_preface_short_segment);
  g_test_add_func ("/http1/sip-is-not-http", test_sip_is_not_http);
  g_test_add_func ("/http1/rtsp-is-not-http", test_rtsp_is_not_http);
  g_test_add_func ("/http1/h2-preface-is-not-http1", test_http2_preface_is_not_http1);
  g_test_add_func ("/http1/unknown-method", test_unknown_method);
  g_test_add_func ("/http1/header-count-limit", test_header_limits);
  g_test_add_func ("/http1/pending-requests-limit", test_pending_limit);
  g_test_add_func ("/http1/header-bytes-limit", test_header_bytes_limit);
  g_test_add_func ("/http1/auth-fields-past-cap", test_auth_fields_past_cap);
  g_test_add_func ("/http1/control-byte-in-target", test_control_byte_in_target);
  g_test_add_func ("/http1/many-control-bytes-in-target", test_many_control_bytes_in_target);
  g_test_add_func ("/http1/odd-field-names", test_odd_field_names);
  g_test_add_func ("/http1/auth-fields-cut", test_auth_fields_cut);
  g_test_add_func ("/http1/split-everywhere", test_split_everywhere);
  g_test_add_func ("/http1/truncated-prefixes", test_truncated_prefixes);
  g_test_add_func ("/http1/auth-relevant-names", test_auth_relevant_names);
  g_test_add_func ("/http1/tab-inside-target", test_tab_inside_target);
  return g_test_run ();
}
