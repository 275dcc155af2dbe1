/* test-app.c: app.c's choice of a direction's protocol from its first
 * bytes: each protocol's probe (YES, NO, NEED_MORE) and what app.c makes
 * of them: a TLS record, HTTP/2's preface, an HTTP/1 start, anything else,
 * first segments too short to tell, and the first bytes after a loss. */
#include "test-util.h"

#include <string.h>

#include "dissect-private.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* What app.c chooses for @dir's first chunk @s (@len bytes; strlen when
 * -1), joined at its start (with SYN) unless @midstream. */
static const W4StreamProto *
choose (W4Dir dir, const char *s, gssize len, gboolean midstream)
{
  W4ProbeAt at = { dir, midstream, FALSE, TRUE };

  return w4_app_choose (&at, (const guint8 *) s, len < 0 ? strlen (s) : (gsize) len);
}

/* The same after bytes were lost before it; @seg_start: it starts a
 * segment. */
static const W4StreamProto *
choose_after_loss (W4Dir dir, const char *s, gboolean seg_start)
{
  W4ProbeAt at = { dir, FALSE, TRUE, seg_start };

  return w4_app_choose (&at, (const guint8 *) s, strlen (s));
}

static W4Probe
probe (const W4StreamProto *p, W4Dir dir, const char *s, gssize len, gboolean midstream)
{
  W4ProbeAt at = { dir, midstream, FALSE, TRUE };

  return p->probe (&at, (const guint8 *) s, len < 0 ? strlen (s) : (gsize) len);
}

static void
test_tls_record (void)
{
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", "h2,http/1.1");
  static const char app_data[] = "\x17\x03\x03\x00\x20";
  static const char tls10[] = "\x16\x03\x01\x00\x05";
  static const char future[] = "\x16\x03\x05\x00\x05";

  g_assert_true (w4_app_choose (&(W4ProbeAt){ W4_DIR_TO_SERVER, FALSE, FALSE, TRUE },
                                hello->data, hello->len) == &w4_tls_proto);
  g_assert_true (choose (W4_DIR_TO_CLIENT, tls10, 5, FALSE) == &w4_tls_proto);
  /* application data only counts when the capture joined late */
  g_assert_true (choose (W4_DIR_TO_SERVER, app_data, 5, TRUE) == &w4_tls_proto);
  g_assert_null (choose (W4_DIR_TO_SERVER, app_data, 5, FALSE));
  g_assert_cmpint (probe (&w4_tls_proto, W4_DIR_TO_SERVER, app_data, 5, FALSE), ==, W4_PROBE_NO);
  /* no TLS version 3.5 */
  g_assert_null (choose (W4_DIR_TO_SERVER, future, 5, FALSE));
  g_assert_cmpint (probe (&w4_h1_proto, W4_DIR_TO_SERVER, tls10, 5, FALSE), ==, W4_PROBE_NO);
}

static void
test_h2_preface (void)
{
  g_assert_true (choose (W4_DIR_TO_SERVER, preface, -1, FALSE) == &w4_h2_proto);
  /* "PRI * HTTP/2.0" is enough when the first segment is that short */
  g_assert_true (choose (W4_DIR_TO_SERVER, preface, 14, FALSE) == &w4_h2_proto);
  g_assert_cmpint (probe (&w4_h2_proto, W4_DIR_TO_SERVER, preface, 14, FALSE), ==, W4_PROBE_YES);
  /* only the client sends it */
  g_assert_null (choose (W4_DIR_TO_CLIENT, preface, -1, FALSE));
  /* not an HTTP/1 request line ("HTTP/2.0"), whatever llhttp would say */
  g_assert_cmpint (probe (&w4_h1_proto, W4_DIR_TO_SERVER, preface, -1, FALSE), ==, W4_PROBE_NO);
  /* while roles may still be the port's guess, TCP starts a late-joined
   * direction at a preface either way */
  g_assert_true (w4_app_starts_stream (W4_DIR_TO_CLIENT, (const guint8 *) preface, 24));
}

static void
test_http1_start (void)
{
  g_assert_true (choose (W4_DIR_TO_SERVER, "GET / HTTP/1.1\r\n", -1, FALSE) == &w4_h1_proto);
  g_assert_true (choose (W4_DIR_TO_SERVER, "PROPFIND /d HTTP/1.1\r\n", -1, FALSE) == &w4_h1_proto);
  /* a method llhttp does not know, on a request line that names HTTP/1.x */
  g_assert_true (choose (W4_DIR_TO_SERVER, "RPC_IN_DATA /rpc HTTP/1.1\r\n", -1, FALSE) ==
                 &w4_h1_proto);
  g_assert_true (choose (W4_DIR_TO_CLIENT, "HTTP/1.1 401 Unauthorized\r\n", -1, FALSE) ==
                 &w4_h1_proto);
  /* a request line is not a response, nor the other way round */
  g_assert_null (choose (W4_DIR_TO_CLIENT, "GET / HTTP/1.1\r\n", -1, FALSE));
  g_assert_null (choose (W4_DIR_TO_SERVER, "HTTP/1.1 200 OK\r\n", -1, FALSE));
  g_assert_true (w4_app_starts_stream (W4_DIR_TO_SERVER, (const guint8 *) "GET / HTTP/1.1", 14));
}

static void
test_garbage (void)
{
  static const char *const not_ours[] = {
    "SSH-2.0-OpenSSH_9.2\r\n", "SIP/2.0 401 Unauthorized\r\n", "HTTP/2 200\r\n",
    "\x00\x00\x12\x04\x00\x00\x00\x00\x00", "RTSP/1.0 200 OK\r\n", "hello world\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (not_ours); i++) {
    gssize len = i == 3 ? 9 : -1;
    g_assert_null (choose (W4_DIR_TO_CLIENT, not_ours[i], len, FALSE));
    g_assert_null (choose (W4_DIR_TO_SERVER, not_ours[i], len, FALSE));
    g_assert_false (w4_app_starts_stream (W4_DIR_TO_SERVER, (const guint8 *) not_ours[i],
                                          len < 0 ? strlen (not_ours[i]) : (gsize) len));
  }
  g_assert_null (choose (W4_DIR_TO_SERVER, "", 0, FALSE));
}

/* First segments too short to tell: every probe can say NEED_MORE, and
 * only HTTP/1 is chosen on a prefix (llhttp checks the rest). */
static void
test_need_more (void)
{
  g_assert_cmpint (probe (&w4_h1_proto, W4_DIR_TO_SERVER, "GE", -1, FALSE), ==,
                   W4_PROBE_NEED_MORE);
  g_assert_true (choose (W4_DIR_TO_SERVER, "GE", -1, FALSE) == &w4_h1_proto);
  g_assert_true (choose (W4_DIR_TO_SERVER, "GET", -1, FALSE) == &w4_h1_proto);
  g_assert_cmpint (probe (&w4_h1_proto, W4_DIR_TO_CLIENT, "HTTP/", -1, FALSE), ==,
                   W4_PROBE_NEED_MORE);
  g_assert_true (choose (W4_DIR_TO_CLIENT, "HTTP/", -1, FALSE) == &w4_h1_proto);
  /* "P" could be POST or the preface: HTTP/1 takes it, as it did */
  g_assert_cmpint (probe (&w4_h2_proto, W4_DIR_TO_SERVER, "P", -1, FALSE), ==, W4_PROBE_NEED_MORE);
  g_assert_true (choose (W4_DIR_TO_SERVER, "P", -1, FALSE) == &w4_h1_proto);
  /* a preface or a record header cut short is not taken on a prefix */
  g_assert_cmpint (probe (&w4_h2_proto, W4_DIR_TO_SERVER, preface, 12, FALSE), ==,
                   W4_PROBE_NEED_MORE);
  g_assert_null (choose (W4_DIR_TO_SERVER, preface, 12, FALSE));
  g_assert_cmpint (probe (&w4_tls_proto, W4_DIR_TO_SERVER, "\x16", 1, FALSE), ==,
                   W4_PROBE_NEED_MORE);
  g_assert_cmpint (probe (&w4_tls_proto, W4_DIR_TO_SERVER, "\x16\x03", 2, FALSE), ==,
                   W4_PROBE_NEED_MORE);
  g_assert_null (choose (W4_DIR_TO_SERVER, "\x16\x03", 2, FALSE));
  /* a prefix of nothing we know is no */
  g_assert_cmpint (probe (&w4_h1_proto, W4_DIR_TO_SERVER, "XY", -1, FALSE), ==, W4_PROBE_NO);
  g_assert_cmpint (probe (&w4_tls_proto, W4_DIR_TO_SERVER, "\x16\x02", 2, FALSE), ==, W4_PROBE_NO);
  /* TCP does not start a late-joined direction on a prefix */
  g_assert_false (w4_app_starts_stream (W4_DIR_TO_SERVER, (const guint8 *) "GE", 2));
}

/* After a loss, before any protocol: only a whole HTTP/1 start at a
 * segment boundary (no record boundary or preface can be found again). */
static void
test_after_loss (void)
{
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", NULL);
  W4ProbeAt lost = { W4_DIR_TO_SERVER, FALSE, TRUE, TRUE };

  g_assert_true (choose_after_loss (W4_DIR_TO_SERVER, "GET / HTTP/1.1\r\n", TRUE) == &w4_h1_proto);
  g_assert_null (choose_after_loss (W4_DIR_TO_SERVER, "GET / HTTP/1.1\r\n", FALSE));
  g_assert_null (choose_after_loss (W4_DIR_TO_SERVER, "GE", TRUE));
  g_assert_null (choose_after_loss (W4_DIR_TO_SERVER, preface, TRUE));
  g_assert_null (w4_app_choose (&lost, hello->data, hello->len));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/tls-record", test_tls_record);
  g_test_add_func ("/app/h2-preface", test_h2_preface);
  g_test_add_func ("/app/http1-start", test_http1_start);
  g_test_add_func ("/app/garbage", test_garbage);
  g_test_add_func ("/app/need-more", test_need_more);
  g_test_add_func ("/app/after-loss", test_after_loss);
  return g_test_run ();
}
