/* test-tls.c: the ClientHello reader (tls-hello.c): SNI and ALPN from
 * whole, split, fragmented, cut and damaged hellos. A hello that is not
 * whole never yields a name, and damage never yields a wrong one. */
#include "test-util.h"
#include "tls-hello.h"
#include "tls-keylog.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  int from; /* 1: client, 2: server */
  gsize len;
  const char *data;
} TSessionPacket;

#include "test-tls-session.h"

#define T_SESSION_401 6 /* the packet holding the 401's record */

/* Where the replay's keys come from. */
typedef enum {
  KEYS_TEXT,         /* the session's key log, given before */
  KEYS_GROWING,      /* a growing key log file, the lines written after the ClientHello */
  KEYS_GROWING_NONE, /* a growing key log file that never gets them */
  KEYS_OTHER,        /* a key log of another session (tls13-basic-auth's second) */
  KEYS_DAMAGED,      /* the session's key log with its server secrets changed */
} KeysFrom;

static const char *keys_from = NULL; /* the growing file's path */
static int cut_at = -1; /* the capture ends halfway through this packet (-1: none) */

/* Before packet @i of the replay: a growing key log gets the session's
 * lines once the ClientHello (packet 0) was read. */
static void
grow_keys (KeysFrom from, guint i)
{
  if (from == KEYS_GROWING && i == 1)
    g_assert_true (g_file_set_contents (keys_from, t_session_keys, -1, NULL));
}

/* The key log @from gives, into @kl. */
static void
add_keys (W4Keylog *kl, KeysFrom from)
{
  g_autofree char *text = g_strdup (t_session_keys);

  switch (from) {
  case KEYS_TEXT:
    break;
  case KEYS_GROWING:
  case KEYS_GROWING_NONE:
    g_assert_true (g_file_set_contents (keys_from, "", 0, NULL));
    g_assert_true (w4_keylog_add_file (kl, keys_from, TRUE, NULL));
    return;
  case KEYS_OTHER:
    /* the same labels and secrets for another client random: each
     * line's first random digit changed */
    for (char *p = strchr (text, ' '); p != NULL; p = strchr (p + 1, '\n')) {
      p = strchr (p, ' ');
      if (p == NULL)
        break;
      p[1] = p[1] == 'f' ? 'e' : 'f';
    }
    break;
  case KEYS_DAMAGED: {
    /* the server handshake secret's last hex digit changed */
    char *end = strchr (strstr (text, "SERVER_HANDSHAKE_TRAFFIC_SECRET "), '\n');
    end[-1] = end[-1] == '0' ? '1' : '0';
    break;
  }
  }
  w4_keylog_add_text (kl, "test", (const guint8 *) text, strlen (text));
}

/* Replays t_session through the dissector with its keys (@from): each
 * packet cut into @piece-byte segments (0: whole), or with @coalesce each
 * run of one side's packets in one segment; packet @drop's first half lost
 * (-1: none), packet @flip's last byte flipped (-1: none). Returns the
 * event log. */
static gboolean t_show_layers; /* replay_session's log says each event's layers */

static char *
replay_session_keys (KeysFrom keys, gsize piece, gboolean coalesce, int drop, int flip)
{
  TRec r;
  g_autoptr (W4Keylog) kl = w4_keylog_new (16, NULL, NULL);
  guint32 seq[3] = { 0, 101, 501 };
  GByteArray *run = g_byte_array_new ();
  char *log;

  t_rec_init (&r);
  r.show_layers = t_show_layers;
  add_keys (kl, keys);
  w4_dis_set_keylog (r.dis, kl);
  t_seg (&r, 1, 40000, 443, T_SYN, 100, 0, NULL, 0);
  t_seg (&r, 2, 443, 40000, T_SYN | T_ACK, 500, 101, NULL, 0);
  t_seg (&r, 1, 40000, 443, T_ACK, 101, 501, NULL, 0);
  for (guint i = 0; i < G_N_ELEMENTS (t_session); i++) {
    const TSessionPacket *p = &t_session[i];
    int from = p->from, to = 3 - from;
    guint16 sport = from == 1 ? 40000 : 443, dport = from == 1 ? 443 : 40000;
    g_autofree char *data = g_memdup2 (p->data, p->len);
    gsize start = 0;

    grow_keys (keys, i);
    if ((int) i == flip)
      data[p->len - 1] ^= 0x01;
    if (coalesce) {
      g_byte_array_append (run, (const guint8 *) data, (guint) p->len);
      if (i + 1 < G_N_ELEMENTS (t_session) && t_session[i + 1].from == from)
        continue;
      t_seg (&r, from, sport, dport, T_ACK | T_PSH, seq[from], seq[to], (const char *) run->data,
             run->len);
      seq[from] += run->len;
      g_byte_array_set_size (run, 0);
      continue;
    }
    if ((int) i == drop)
      start = p->len / 2; /* lost: the next segment starts there */
    for (gsize off = start, end = (int) i == cut_at ? p->len / 2 : p->len; off < end;) {
      gsize n = piece == 0 ? end - off : MIN (piece, end - off);
      t_seg (&r, from, sport, dport, T_ACK | T_PSH, seq[from] + (guint32) off, seq[to], data + off, n);
      off += n;
    }
    seq[from] += (guint32) p->len;
    if ((int) i == cut_at)
      break;
  }
  w4_dis_finish (r.dis);
  log = g_strdup (r.log->str);
  t_rec_clear (&r);
  g_byte_array_unref (run);
  return log;
}

static char *
replay_session (gsize piece, gboolean coalesce, int drop, int flip)
{
  return replay_session_keys (KEYS_TEXT, piece, coalesce, drop, flip);
}

/* The HTTP events of @log: what must not depend on segmentation. */
static char *
http_lines (const char *log)
{
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  g_autoptr (GRegex) frames = g_regex_new (" f[0-9]+-[0-9]+", 0, 0, NULL);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "req ") || g_str_has_prefix (lines[i], "resp ")) {
      g_autofree char *l = g_regex_replace_literal (frames, lines[i], -1, 0, "", 0, NULL);
      g_string_append_printf (out, "%s\n", l);
    }
  return g_string_free (out, FALSE);
}

/* A TLS 1.3 session with its keys: the 401 and the 200 inside come out,
 * with the frame of the packet that carried each record's first byte. */
static void
test_decrypt_session (void)
{
  g_autofree char *log = replay_session (0, FALSE, -1, -1);

  g_test_message ("%s", log);
  /* frames 1-3 are the handshake's: t_session[5] is frame 9 */
  g_assert_nonnull (strstr (log, "req 0 #0 f9-9 GET /private/"));
  g_assert_nonnull (strstr (log, "resp 0 #0 f10-10 401"));
  g_assert_nonnull (strstr (log, "resp 0 #1 f12-12 200"));
  /* on_tls said decrypted: not shown as " tls" */
  g_assert_nonnull (strstr (log, "close 0 end sni=api.example.test alpn=http/1.1 v=0304"));
  g_assert_null (strstr (log, "anomaly"));
}

/* The decrypted HTTP runs on the session's own record, inside the TCP
 * connection's (same id and stream), and a gap inside it is the session's;
 * the TCP record stays a TCP one. */
static void
test_decrypt_layers (void)
{
  g_autofree char *log = NULL, *gap = NULL;

  t_show_layers = TRUE;
  log = replay_session (0, FALSE, -1, -1);
  gap = replay_session (0, FALSE, T_SESSION_401, -1);
  t_show_layers = FALSE;
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "req 0 #0 f9-9 GET /private/ on=tls/tcp\n"));
  g_assert_nonnull (strstr (log, "resp 0 #0 f10-10 401 on=tls/tcp\n"));
  g_assert_null (strstr (log, "!"));
  g_assert_nonnull (strstr (gap, "anomaly gap 0 s2c"));
  g_assert_nonnull (strstr (gap, " on=tls/tcp\n"));
}

/* Records split over many segments, or several records in one segment:
 * the same HTTP. */
static void
test_decrypt_segmentation (void)
{
  g_autofree char *log = replay_session (0, FALSE, -1, -1);
  g_autofree char *want = http_lines (log);
  /* from 3 bytes on: a first segment must show the record header's
   * type and version for TLS to be chosen (app.c) */
  gsize pieces[] = { 3, 4, 5, 7, 100 };

  g_assert_cmpuint (strlen (want), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++) {
    g_autofree char *l = replay_session (pieces[i], FALSE, -1, -1);
    g_autofree char *got = http_lines (l);
    g_assert_cmpstr (got, ==, want);
  }
  {
    g_autofree char *l = replay_session (0, TRUE, -1, -1);
    g_autofree char *got = http_lines (l);
    g_assert_cmpstr (got, ==, want);
  }
}

/* A record cut by a gap is never opened: the server direction stops
 * decrypting, the 401 it held is not made up. */
static void
test_decrypt_gap (void)
{
  g_autofree char *log = replay_session (0, FALSE, T_SESSION_401, -1);

  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "req 0 #0"));
  g_assert_null (strstr (log, " 401"));
  g_assert_null (strstr (log, "resp 0"));
  g_assert_nonnull (strstr (log, "anomaly gap"));
}

/* A record that fails its tag: a warning, nothing from it or after it. */
static void
test_decrypt_bad_tag (void)
{
  g_autofree char *log = replay_session (0, FALSE, -1, T_SESSION_401);

  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "anomaly warning"));
  g_assert_null (strstr (log, " 401"));
  g_assert_null (strstr (log, "resp 0"));
}

/* Feeds @data in @step-byte pieces (all at once when 0). */
static W4TlsHelloState
feed (W4TlsHello *th, const guint8 *data, gsize len, gsize step)
{
  W4TlsHelloState st = th->state;

  for (gsize pos = 0; pos < len;) {
    gsize n = step == 0 ? len - pos : MIN (step, len - pos);
    st = w4_tls_hello_feed (th, data + pos, n);
    pos += n;
  }
  return st;
}

static void
test_sni_and_alpn (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  W4TlsHello th;

  for (gsize step = 0; step <= 7; step++) {
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, rec->len, step), ==, W4_TLS_HELLO_DONE);
    g_assert_cmpstr (th.sni, ==, "api.example.com");
    g_assert_cmpstr (th.alpn, ==, "h2,http/1.1");
    g_assert_true (th.offers_h2);
    g_assert_null (th.msg); /* freed once decided */
    w4_tls_hello_clear (&th);
  }
}

static void
test_no_sni (void)
{
  g_autoptr (GByteArray) rec = t_client_hello (NULL, "http/1.1");
  W4TlsHello th;

  w4_tls_hello_init (&th);
  g_assert_cmpint (feed (&th, rec->data, rec->len, 0), ==, W4_TLS_HELLO_DONE);
  g_assert_null (th.sni);
  g_assert_cmpstr (th.alpn, ==, "http/1.1");
  g_assert_false (th.offers_h2);
  w4_tls_hello_clear (&th);
}

/* Every prefix of the record is a hello still to come: no name yet; lost
 * bytes then decide it without one. */
static void
test_every_prefix (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2");

  for (gsize cut = 0; cut < rec->len; cut++) {
    W4TlsHello th;
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, cut, 0), ==, W4_TLS_HELLO_MORE);
    g_assert_null (th.sni);
    w4_tls_hello_lost (&th);
    g_assert_cmpint (th.state, ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* One handshake message over two records (RFC 8446 5.1 allows it). */
static void
test_two_records (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("split.example.com", NULL);
  g_autoptr (GByteArray) two = g_byte_array_new ();
  gsize payload = rec->len - 5, first = payload / 2;
  guint8 hdr[5] = { 0x16, 0x03, 0x01, 0, 0 };
  W4TlsHello th;

  hdr[3] = (guint8) (first >> 8);
  hdr[4] = (guint8) first;
  g_byte_array_append (two, hdr, 5);
  g_byte_array_append (two, rec->data + 5, (guint) first);
  hdr[3] = (guint8) ((payload - first) >> 8);
  hdr[4] = (guint8) (payload - first);
  g_byte_array_append (two, hdr, 5);
  g_byte_array_append (two, rec->data + 5 + first, (guint) (payload - first));

  w4_tls_hello_init (&th);
  g_assert_cmpint (feed (&th, two->data, two->len, 3), ==, W4_TLS_HELLO_DONE);
  g_assert_cmpstr (th.sni, ==, "split.example.com");
  w4_tls_hello_clear (&th);
}

typedef struct {
  const char *name;
  const guint8 *data;
  gsize len;
} BadCase;

static void
test_not_a_client_hello (void)
{
  static const guint8 app_data[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
  static const guint8 server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 };
  static const guint8 empty_record[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };
  static const guint8 huge_record[] = { 0x16, 0x03, 0x01, 0x48, 0x01 };
  static const guint8 huge_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00 };
  static const guint8 sslv2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01 };
  const BadCase cases[] = {
    { "application data", app_data, sizeof app_data },
    { "server hello", server_hello, sizeof server_hello },
    { "empty record", empty_record, sizeof empty_record },
    { "record over 2^14", huge_record, sizeof huge_record },
    { "hello over the bound", huge_hello, sizeof huge_hello },
    { "SSLv2", sslv2, sizeof sslv2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    W4TlsHello th;
    g_test_message ("%s", cases[i].name);
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, cases[i].data, cases[i].len, 0), ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* A name no DNS name looks like is not reported (terminal escapes,
 * spaces, NUL): no name rather than a wrong one. */
static void
test_bad_names (void)
{
  static const char *const names[] = { "a\033[31m.example", "two words", "x\001y" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (GByteArray) rec = t_client_hello (names[i], "h2");
    W4TlsHello th;
    w4_tls_hello_init (&th);
    g_assert_cmpint (feed (&th, rec->data, rec->len, 0), ==, W4_TLS_HELLO_FAILED);
    g_assert_null (th.sni);
    w4_tls_hello_clear (&th);
  }
}

/* Every byte of the body replaced by 0x00 and by 0xff: never a crash, and
 * a name, when one comes out, is a DNS name. Length fields that lie run
 * past their parent and fail the parse. */
static void
test_damaged_bytes (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  static const guint8 values[] = { 0x00, 0xff };

  for (gsize at = 9; at < rec->len; at++)
    for (gsize v = 0; v < G_N_ELEMENTS (values); v++) {
      g_autoptr (GByteArray) copy = g_byte_array_sized_new (rec->len);
      W4TlsHello th;
      g_byte_array_append (copy, rec->data, rec->len);
      copy->data[at] = values[v];
      w4_tls_hello_init (&th);
      w4_tls_parse_client_hello (&th, copy->data + 9, copy->len - 9);
      if (th.sni != NULL)
        for (const char *p = th.sni; *p; p++)
          g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_');
      w4_tls_hello_clear (&th);
    }
}

/* Random damage (a few bytes anywhere, record headers too) fed in random
 * pieces: never a crash or a leak (run under the sanitizers in CI), and a
 * name, when one comes out, is a DNS name. */
static void
test_random_damage (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", "h2,http/1.1");
  GRand *rnd = g_rand_new_with_seed (443);

  for (guint round = 0; round < 3000; round++) {
    g_autoptr (GByteArray) copy = g_byte_array_sized_new (rec->len);
    guint n = (guint) g_rand_int_range (rnd, 1, 5);
    W4TlsHello th;
    gsize pos = 0;

    g_byte_array_append (copy, rec->data, rec->len);
    for (guint i = 0; i < n; i++)
      copy->data[g_rand_int_range (rnd, 0, (gint32) copy->len)] = (guint8) g_rand_int (rnd);
    w4_tls_hello_init (&th);
    while (pos < copy->len && th.state == W4_TLS_HELLO_MORE) {
      gsize k = MIN ((gsize) g_rand_int_range (rnd, 1, 200), copy->len - pos);
      w4_tls_hello_feed (&th, copy->data + pos, k);
      pos += k;
    }
    if (th.sni != NULL)
      for (const char *p = th.sni; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_');
    w4_tls_hello_clear (&th);
  }
  g_rand_free (rnd);
}

/* A server_name extension whose list claims more than the extension: the
 * parse fails, no name. */
static void
test_lying_length (void)
{
  g_autoptr (GByteArray) rec = t_client_hello ("api.example.com", NULL);
  static const guint8 ext[] = { 0x00, 0x00, 0x00, 0x14, 0x00, 0x12 };
  W4TlsHello th;
  gsize at = 0;

  while (at + sizeof ext <= rec->len && memcmp (rec->data + at, ext, sizeof ext) != 0)
    at++;
  g_assert_cmpuint (at + sizeof ext, <=, rec->len);
  rec->data[at + 5] = 0x40; /* ServerNameList length 0x12 -> 0x40 */
  w4_tls_hello_init (&th);
  g_assert_cmpint (w4_tls_parse_client_hello (&th, rec->data + 9, rec->len - 9), ==, W4_MALFORMED);
  g_assert_null (th.sni);
  w4_tls_hello_clear (&th);
}

/* The ServerHello's version: from supported_versions (TLS 1.3), else
 * legacy_version; every cut prefix and a lying length give none. */
static void
test_server_version (void)
{
  g_autoptr (GByteArray) tls13 = t_server_hello (0x0303, 0x0304);
  g_autoptr (GByteArray) tls12 = t_server_hello (0x0303, 0);
  g_autoptr (GByteArray) client = t_client_hello ("api.example.com", NULL);

  g_assert_cmphex (w4_tls_server_version (tls13->data, tls13->len), ==, 0x0304);
  g_assert_cmphex (w4_tls_server_version (tls12->data, tls12->len), ==, 0x0303);
  for (guint n = 0; n < tls13->len; n++)
    g_assert_cmphex (w4_tls_server_version (tls13->data, n), ==, 0);
  /* a ClientHello is not a ServerHello */
  g_assert_cmphex (w4_tls_server_version (client->data, client->len), ==, 0);
  /* supported_versions claiming 3 bytes: malformed, not a version */
  tls13->data[tls13->len - 3] = 3;
  g_assert_cmphex (w4_tls_server_version (tls13->data, tls13->len), ==, 0);
}

/* The capture ends inside a record (no packet lost, the rest never
 * captured): a warning says it is not decrypted, nothing is made up. */
static void
test_decrypt_cut_at_end (void)
{
  g_autofree char *log = NULL;

  cut_at = T_SESSION_401;
  log = replay_session (0, FALSE, -1, -1);
  cut_at = -1;
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "req 0 #0"));
  g_assert_null (strstr (log, "resp 0"));
  g_assert_nonnull (strstr (log, "anomaly warning"));
}

/* A live key log still being written: the session's lines arrive after
 * its ClientHello was read; the store is read again when the server's
 * first record comes, and the session is decrypted. Lines that never come
 * leave it "not in the key log". */
static void
test_keys_growing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("why401-keys-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "keys.log", NULL);

  keys_from = path;
  {
    g_autofree char *log = replay_session_keys (KEYS_GROWING, 0, FALSE, -1, -1);
    g_test_message ("%s", log);
    g_assert_nonnull (strstr (log, "resp 0 #0 f10-10 401"));
    g_assert_nonnull (strstr (log, "close 0 end sni=api.example.test alpn=http/1.1 v=0304\n"));
  }
  {
    g_autofree char *log = replay_session_keys (KEYS_GROWING_NONE, 0, FALSE, -1, -1);
    g_test_message ("%s", log);
    g_assert_null (strstr (log, "resp 0"));
    g_assert_nonnull (strstr (log, "close 0 end tls sni=api.example.test alpn=http/1.1 v=0304 keys=missing"));
  }
  g_unlink (path);
  g_rmdir (dir);
  keys_from = NULL;
}

/* Key logs that do not fit: another session's (not in it) and this one's
 * damaged (its secrets do not open the first protected record): each is
 * said apart, with no per-record warning, and nothing is read. */
static void
test_keys_not_matching (void)
{
  {
    g_autofree char *log = replay_session_keys (KEYS_OTHER, 0, FALSE, -1, -1);
    g_test_message ("%s", log);
    g_assert_null (strstr (log, "req 0"));
    g_assert_nonnull (strstr (log, " tls sni=api.example.test alpn=http/1.1 v=0304 keys=missing"));
  }
  {
    g_autofree char *log = replay_session_keys (KEYS_DAMAGED, 0, FALSE, -1, -1);
    g_test_message ("%s", log);
    g_assert_null (strstr (log, "req 0"));
    g_assert_null (strstr (log, "anomaly"));
    g_assert_nonnull (strstr (log, " tls sni=api.example.test alpn=http/1.1 v=0304 keys=wrong"));
  }
}

/* A TLS 1.2 handshake without keys, in clear: the server's first segment
 * holds @server_alert (7 bytes: an alert record), then its ServerHello
 * unless @refused; the client then sends @client_alert (or nothing when
 * NULL). Returns the event log. */
static char *
replay_alerts (const char *server_alert, gboolean refused, const char *client_alert)
{
  TRec r;
  g_autoptr (GByteArray) hello = t_client_hello ("api.example.com", "http/1.1");
  g_autoptr (GByteArray) sh = t_server_hello (0x0303, 0);
  g_autoptr (GByteArray) flight = g_byte_array_new ();
  char *log;

  t_rec_init (&r);
  g_byte_array_append (flight, (const guint8 *) server_alert, 7);
  if (!refused)
    g_byte_array_append (flight, sh->data, sh->len);
  t_seg (&r, 1, 40000, 443, T_SYN, 100, 0, NULL, 0);
  t_seg (&r, 2, 443, 40000, T_SYN | T_ACK, 500, 101, NULL, 0);
  t_seg (&r, 1, 40000, 443, T_ACK | T_PSH, 101, 501, (const char *) hello->data, hello->len);
  t_seg (&r, 2, 443, 40000, T_ACK | T_PSH, 501, 101 + hello->len, (const char *) flight->data,
         flight->len);
  if (client_alert != NULL)
    t_seg (&r, 1, 40000, 443, T_ACK | T_PSH, 101 + hello->len, 501 + flight->len, client_alert, 7);
  w4_dis_finish (r.dis);
  log = g_strdup (r.log->str);
  t_rec_clear (&r);
  return log;
}

/* A warning alert does not end a TLS 1.0-1.2 handshake (RFC 5246 7.2: the
 * connection goes on; OpenSSL servers send unrecognized_name so for a name
 * they do not know): it is not said to have; a fatal one is. */
static void
test_warning_alert (void)
{
  g_autofree char *log = replay_alerts ("\x15\x03\x03\x00\x02\x01\x70", FALSE, NULL);
  g_autofree char *fatal = replay_alerts ("\x15\x03\x03\x00\x02\x01\x70", FALSE,
                                          "\x15\x03\x03\x00\x02\x02\x30");

  g_test_message ("%s", log);
  g_assert_null (strstr (log, "alert "));
  g_test_message ("%s", fatal);
  g_assert_null (strstr (fatal, "alert 0 server"));
  g_assert_nonnull (strstr (fatal, "alert 0 client f5 2/48\n"));
}

/* A server that refuses the ClientHello (no common version or suite)
 * answers with one alert record and nothing else: that alert ended the
 * handshake, though the direction never starts with a handshake record. */
static void
test_refusing_server (void)
{
  g_autofree char *log = replay_alerts ("\x15\x03\x03\x00\x02\x02\x28", TRUE, NULL);

  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "alert 0 server f4 2/40\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/sni-and-alpn", test_sni_and_alpn);
  g_test_add_func ("/tls/no-sni", test_no_sni);
  g_test_add_func ("/tls/every-prefix", test_every_prefix);
  g_test_add_func ("/tls/two-records", test_two_records);
  g_test_add_func ("/tls/not-a-client-hello", test_not_a_client_hello);
  g_test_add_func ("/tls/bad-names", test_bad_names);
  g_test_add_func ("/tls/damaged-bytes", test_damaged_bytes);
  g_test_add_func ("/tls/random-damage", test_random_damage);
  g_test_add_func ("/tls/lying-length", test_lying_length);
  g_test_add_func ("/tls/server-version", test_server_version);
  g_test_add_func ("/tls/decrypt-session", test_decrypt_session);
  g_test_add_func ("/tls/decrypt-layers", test_decrypt_layers);
  g_test_add_func ("/tls/decrypt-segmentation", test_decrypt_segmentation);
  g_test_add_func ("/tls/decrypt-gap", test_decrypt_gap);
  g_test_add_func ("/tls/decrypt-bad-tag", test_decrypt_bad_tag);
  g_test_add_func ("/tls/keys-growing", test_keys_growing);
  g_test_add_func ("/tls/decrypt-cut-at-end", test_decrypt_cut_at_end);
  g_test_add_func ("/tls/keys-not-matching", test_keys_not_matching);
  g_test_add_func ("/tls/warning-alert", test_warning_alert);
  g_test_add_func ("/tls/refusing-server", test_refusing_server);
  return g_test_run ();
}
