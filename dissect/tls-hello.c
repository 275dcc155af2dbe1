/* tls-hello.c: SNI and ALPN out of a TLS ClientHello (RFC 8446 4.1.2,
 * RFC 6066 3, RFC 7301 3.1), through the bounds-checked reader.
 *
 * What it does: collects the handshake bytes of the client's first TLS
 * records (record headers are checked and stripped; a ClientHello split
 * over several records is joined) until the first handshake message is
 * whole, then reads that message once. Only the server_name (the first
 * host_name entry) and application_layer_protocol_negotiation extensions
 * are looked at.
 *
 * What it deliberately ignores: every other extension (key shares, ECH:
 * the outer server_name of an ECH hello is the public name, and that is
 * what the wire shows), SSLv2-compatible hellos (no extensions, and no
 * client has sent one for a decade), and any hello after the first
 * (HelloRetryRequest: the second hello names the same server). A host name
 * with characters no DNS name has is not reported at all rather than
 * reported wrong. */
#include "dissect-private.h"

#include <string.h>

/* RFC 8446 5.1: a plaintext record never exceeds 2^14 bytes. */
#define W4_TLS_RECORD_MAX 16384

enum {
  TLS_CT_HANDSHAKE = 22,
  TLS_HS_CLIENT_HELLO = 1,
  TLS_HS_SERVER_HELLO = 2,
  TLS_EXT_SUPPORTED_VERSIONS = 43,
  TLS_EXT_SERVER_NAME = 0,
  TLS_EXT_ALPN = 16,
  TLS_EXT_ENCRYPT_THEN_MAC = 22,
  TLS_EXT_EARLY_DATA = 42,
  TLS_SNI_HOST_NAME = 0,
};

void
w4_tls_hello_init (W4TlsHello *th)
{
  memset (th, 0, sizeof *th);
  th->state = W4_TLS_HELLO_MORE;
}

void
w4_tls_hello_clear (W4TlsHello *th)
{
  g_clear_pointer (&th->msg, g_byte_array_unref);
  g_clear_pointer (&th->sni, g_free);
  g_clear_pointer (&th->alpn, g_free);
}

/* A child reader over exactly the next @n bytes, which must all be there:
 * the message is whole, so a length that runs past it is a lie. */
static gboolean
sub_exact (W4Reader *r, gsize n, W4Reader *out)
{
  if (r->status == W4_OK && w4_rd_left (r) < n)
    r->status = W4_MALFORMED;
  if (r->status != W4_OK)
    return FALSE;
  *out = w4_rd_sub (r, n);
  return TRUE;
}

static gboolean
skip_vector8 (W4Reader *r)
{
  guint8 n = 0;

  return w4_rd_u8 (r, &n) && w4_rd_skip (r, n);
}

static gboolean
skip_vector16 (W4Reader *r)
{
  guint16 n = 0;

  return w4_rd_u16 (r, &n) && w4_rd_skip (r, n);
}

/* Letters, digits, '-', '.' and '_' (seen in real internal names). */
static gboolean
is_dns_name (W4Span s)
{
  if (s.len == 0 || s.len > W4_TLS_SNI_MAX)
    return FALSE;
  for (gsize i = 0; i < s.len; i++) {
    guint8 c = s.ptr[i];
    if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_')
      return FALSE;
  }
  return TRUE;
}

/* RFC 6066 3: ServerNameList; the first host_name entry. */
static gboolean
read_server_name (W4Reader *ext, char **sni)
{
  W4Reader list;
  guint16 list_len = 0;

  if (!w4_rd_u16 (ext, &list_len) || !sub_exact (ext, list_len, &list))
    return FALSE;
  while (w4_rd_left (&list) > 0) {
    guint8 type = 0;
    guint16 n = 0;
    W4Span name;

    if (!w4_rd_u8 (&list, &type) || !w4_rd_u16 (&list, &n) || !w4_rd_span (&list, n, &name))
      return FALSE;
    if (type != TLS_SNI_HOST_NAME || *sni != NULL)
      continue;
    if (!is_dns_name (name))
      return FALSE;
    *sni = g_strndup ((const char *) name.ptr, name.len);
  }
  return w4_rd_ok (&list);
}

static gboolean
is_printable_token (W4Span s)
{
  for (gsize i = 0; i < s.len; i++)
    if (s.ptr[i] <= 0x20 || s.ptr[i] >= 0x7f || s.ptr[i] == ',')
      return FALSE;
  return s.len > 0;
}

/* RFC 7301 3.1: ProtocolNameList, kept as text up to W4_TLS_ALPN_MAX
 * (whole names only); GREASE or binary names are left out of the text. */
static gboolean
read_alpn (W4Reader *ext, char **alpn, gboolean *offers_h2)
{
  W4Reader list;
  guint16 list_len = 0;
  g_autoptr (GString) text = g_string_new (NULL);

  if (!w4_rd_u16 (ext, &list_len) || !sub_exact (ext, list_len, &list))
    return FALSE;
  while (w4_rd_left (&list) > 0) {
    guint8 n = 0;
    W4Span name;

    if (!w4_rd_u8 (&list, &n) || n == 0 || !w4_rd_span (&list, n, &name))
      return FALSE;
    if (name.len == 2 && memcmp (name.ptr, "h2", 2) == 0)
      *offers_h2 = TRUE;
    if (!is_printable_token (name) || text->len + 1 + name.len > W4_TLS_ALPN_MAX)
      continue;
    if (text->len > 0)
      g_string_append_c (text, ',');
    g_string_append_len (text, (const char *) name.ptr, (gssize) name.len);
  }
  if (!w4_rd_ok (&list))
    return FALSE;
  if (*alpn == NULL && text->len > 0)
    *alpn = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* The extensions block: server_name and ALPN, each read once. */
static W4Status
read_extensions (W4Reader *r, char **sni, char **alpn, gboolean *offers_h2, gboolean *offers_etm,
                 gboolean *offers_early)
{
  W4Reader exts;
  guint16 exts_len = 0;

  if (!w4_rd_u16 (r, &exts_len) || !sub_exact (r, exts_len, &exts))
    return r->status;
  while (w4_rd_left (&exts) > 0) {
    guint16 type = 0, n = 0;
    W4Reader ext;
    gboolean ok = TRUE;

    if (!w4_rd_u16 (&exts, &type) || !w4_rd_u16 (&exts, &n) || !sub_exact (&exts, n, &ext))
      break;
    if (type == TLS_EXT_SERVER_NAME && *sni == NULL)
      ok = read_server_name (&ext, sni);
    else if (type == TLS_EXT_ALPN && *alpn == NULL)
      ok = read_alpn (&ext, alpn, offers_h2);
    else if (type == TLS_EXT_ENCRYPT_THEN_MAC)
      *offers_etm = TRUE;
    else if (type == TLS_EXT_EARLY_DATA)
      *offers_early = TRUE;
    if (!ok)
      return ext.status != W4_OK ? ext.status : W4_MALFORMED;
  }
  return exts.status;
}

W4Status
w4_tls_parse_client_hello (W4TlsHello *th, const guint8 *body, gsize len)
{
  W4Reader r;
  guint16 version = 0;
  char *sni = NULL, *alpn = NULL;
  gboolean offers_h2 = FALSE, offers_etm = FALSE, offers_early = FALSE;
  W4Status st;

  w4_rd_init (&r, body, len);
  r.claimed = len; /* the message is whole: reading past it is malformed */
  w4_rd_u16 (&r, &version);
  if (w4_rd_left (&r) >= sizeof th->client_random)
    memcpy (th->client_random, body + 2, sizeof th->client_random);
  w4_rd_skip (&r, 32); /* random */
  skip_vector8 (&r);   /* legacy_session_id */
  skip_vector16 (&r);  /* cipher_suites */
  skip_vector8 (&r);   /* legacy_compression_methods */
  st = r.status;
  /* a hello may end here, without extensions (RFC 5246 7.4.1.2): no name */
  if (st == W4_OK && w4_rd_left (&r) > 0)
    st = read_extensions (&r, &sni, &alpn, &offers_h2, &offers_etm, &offers_early);
  if (st != W4_OK) {
    g_free (sni);
    g_free (alpn);
    return st;
  }
  g_free (th->sni);
  g_free (th->alpn);
  th->sni = sni;
  th->alpn = alpn;
  th->offers_h2 = offers_h2;
  th->offers_etm = offers_etm;
  th->offers_early_data = offers_early;
  return W4_OK;
}

static void
decide (W4TlsHello *th, W4TlsHelloState state)
{
  th->state = state;
  g_clear_pointer (&th->msg, g_byte_array_unref);
}

/* The handshake bytes so far hold a whole first message: read it. */
static void
try_message (W4TlsHello *th)
{
  W4Reader r;
  guint8 type = 0, l0 = 0, l1 = 0, l2 = 0;
  guint32 msg_len;

  w4_rd_init (&r, th->msg->data, th->msg->len);
  if (!w4_rd_u8 (&r, &type) || !w4_rd_u8 (&r, &l0) || !w4_rd_u8 (&r, &l1) || !w4_rd_u8 (&r, &l2))
    return; /* the header is not whole yet */
  if (type != TLS_HS_CLIENT_HELLO) {
    decide (th, W4_TLS_HELLO_FAILED);
    return;
  }
  msg_len = (guint32) l0 << 16 | (guint32) l1 << 8 | l2;
  if (msg_len > W4_TLS_HELLO_MAX - 4) {
    decide (th, W4_TLS_HELLO_FAILED);
    return;
  }
  if (w4_rd_left (&r) < msg_len)
    return;
  decide (th, w4_tls_parse_client_hello (th, th->msg->data + 4, msg_len) == W4_OK
                  ? W4_TLS_HELLO_DONE
                  : W4_TLS_HELLO_FAILED);
}

/* The next byte of a record header; once it is whole, checks it: a
 * handshake record of TLS 1.0 to 1.3 (all say major 3), not empty (RFC 8446
 * 5.1 forbids zero-length handshake fragments), not over 2^14. */
static void
take_header_byte (W4TlsHello *th, W4Reader *r)
{
  guint8 c = 0;

  if (!w4_rd_u8 (r, &c))
    return;
  th->rec_hdr[th->rec_hdr_len++] = c;
  if (th->rec_hdr_len < sizeof th->rec_hdr)
    return;
  th->rec_left = (guint32) th->rec_hdr[3] << 8 | th->rec_hdr[4];
  if (th->rec_hdr[0] != TLS_CT_HANDSHAKE || th->rec_hdr[1] != 3 || th->rec_left == 0 ||
      th->rec_left > W4_TLS_RECORD_MAX)
    decide (th, W4_TLS_HELLO_FAILED);
}

/* What @r holds of the current record's payload joins the handshake bytes
 * (up to W4_TLS_HELLO_MAX); then the message is tried. */
static void
take_payload (W4TlsHello *th, W4Reader *r)
{
  gsize n = MIN (w4_rd_left (r), (gsize) th->rec_left);
  W4Span piece = { NULL, 0 };

  if (th->msg == NULL)
    th->msg = g_byte_array_new ();
  if (th->msg->len + n > W4_TLS_HELLO_MAX) {
    decide (th, W4_TLS_HELLO_FAILED);
    return;
  }
  if (!w4_rd_span (r, n, &piece))
    return;
  g_byte_array_append (th->msg, piece.ptr, (guint) piece.len);
  th->rec_left -= (guint32) n;
  if (th->rec_left == 0)
    th->rec_hdr_len = 0; /* the next record's header comes next */
  try_message (th);
}

W4TlsHelloState
w4_tls_hello_feed (W4TlsHello *th, const guint8 *data, gsize len)
{
  W4Reader r;

  w4_rd_init (&r, data, len);
  /* each round consumes at least one byte or decides */
  while (th->state == W4_TLS_HELLO_MORE && w4_rd_left (&r) > 0 && w4_rd_ok (&r)) {
    if (th->rec_hdr_len < sizeof th->rec_hdr)
      take_header_byte (th, &r);
    else
      take_payload (th, &r);
  }
  return th->state;
}

void
w4_tls_hello_lost (W4TlsHello *th)
{
  if (th->state == W4_TLS_HELLO_MORE)
    decide (th, W4_TLS_HELLO_FAILED);
}

/* ---- the server's version ----------------------------------------------- */

/* The selected version of a ServerHello body: supported_versions when
 * present (RFC 8446 4.2.1: TLS 1.3 says so only there), else
 * legacy_version. 0 when the body is cut or wrong. */
static guint16
server_hello_version (W4Reader *r)
{
  guint16 legacy = 0, exts_len = 0;
  W4Reader exts;

  if (!w4_rd_u16 (r, &legacy) || !w4_rd_skip (r, 32) || !skip_vector8 (r) || !w4_rd_skip (r, 3))
    return 0; /* random, legacy_session_id_echo, cipher_suite, compression */
  if (w4_rd_left (r) == 0)
    return legacy; /* no extensions (RFC 5246 7.4.1.3) */
  if (!w4_rd_u16 (r, &exts_len) || !sub_exact (r, exts_len, &exts))
    return 0;
  while (w4_rd_left (&exts) > 0) {
    guint16 type = 0, n = 0, selected = 0;
    W4Reader ext;
    if (!w4_rd_u16 (&exts, &type) || !w4_rd_u16 (&exts, &n) || !sub_exact (&exts, n, &ext))
      return 0;
    if (type == TLS_EXT_SUPPORTED_VERSIONS)
      return w4_rd_u16 (&ext, &selected) && w4_rd_left (&ext) == 0 ? selected : 0;
  }
  return legacy;
}

guint16
w4_tls_server_version (const guint8 *data, gsize len)
{
  return w4_tls_server_hello (data, len, NULL);
}

/* Does the rest of a ServerHello body (after its compression method)
 * carry the encrypt_then_mac extension? (RFC 7366 2: the server echoes it
 * to accept.) server_hello_version already checked the block's framing. */
static gboolean
server_hello_etm (W4Reader *r)
{
  guint16 exts_len = 0;
  W4Reader exts;

  if (w4_rd_left (r) == 0 || !w4_rd_u16 (r, &exts_len) || !sub_exact (r, exts_len, &exts))
    return FALSE;
  while (w4_rd_left (&exts) > 0) {
    guint16 type = 0, n = 0;
    W4Reader ext;
    if (!w4_rd_u16 (&exts, &type) || !w4_rd_u16 (&exts, &n) || !sub_exact (&exts, n, &ext))
      return FALSE;
    if (type == TLS_EXT_ENCRYPT_THEN_MAC)
      return TRUE;
  }
  return FALSE;
}

/* The random, cipher suite, session id echo and encrypt_then_mac of a
 * whole ServerHello body, into @out. */
static gboolean
server_hello_fields (const guint8 *body, gsize len, W4TlsServerHello *out)
{
  W4Reader r;
  guint16 legacy = 0;
  guint8 sid_len = 0;

  w4_rd_init (&r, body, len);
  if (!w4_rd_u16 (&r, &legacy) || w4_rd_left (&r) < sizeof out->random)
    return FALSE;
  memcpy (out->random, body + 2, sizeof out->random);
  if (!w4_rd_skip (&r, 32) || !w4_rd_u8 (&r, &sid_len) || !w4_rd_skip (&r, sid_len) ||
      !w4_rd_u16 (&r, &out->suite) || !w4_rd_skip (&r, 1))
    return FALSE;
  out->etm = server_hello_etm (&r);
  return TRUE;
}

guint16
w4_tls_server_hello (const guint8 *data, gsize len, W4TlsServerHello *out)
{
  guint16 version;
  W4Reader r, rec, body;
  guint8 type = 0, major = 0, minor = 0, hs_type = 0, len_hi = 0;
  guint16 rec_len = 0, len_lo = 0;
  gsize hs_len;

  /* The record may hold more messages (Certificate...) and run on into the
   * next segments: only the ServerHello, its first message, must be here. */
  w4_rd_init (&r, data, len);
  if (!w4_rd_u8 (&r, &type) || !w4_rd_u8 (&r, &major) || !w4_rd_u8 (&r, &minor) ||
      !w4_rd_u16 (&r, &rec_len) || type != TLS_CT_HANDSHAKE || major != 3 ||
      rec_len > W4_TLS_RECORD_MAX)
    return 0;
  rec = w4_rd_sub (&r, rec_len);
  if (!w4_rd_u8 (&rec, &hs_type) || !w4_rd_u8 (&rec, &len_hi) || !w4_rd_u16 (&rec, &len_lo) ||
      hs_type != TLS_HS_SERVER_HELLO)
    return 0;
  hs_len = (gsize) len_hi << 16 | len_lo;
  if (w4_rd_left (&rec) < hs_len)
    return 0; /* cut here, or longer than its record */
  body = w4_rd_sub (&rec, hs_len);
  version = server_hello_version (&body);
  if (out != NULL && version != 0) {
    if (!server_hello_fields (data + 9, hs_len, out))
      return 0;
    out->version = version;
  }
  return version;
}
