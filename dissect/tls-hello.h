/* tls-hello.h: the server name (SNI) and the offered ALPN protocols of a
 * TLS ClientHello, read from the client's first stream bytes, and the
 * version a ServerHello selects.
 *
 * why401 does not decrypt TLS yet; what it can say about a TLS connection
 * is which name the client asked for (RFC 6066 3) and whether it offered
 * HTTP/2 (RFC 7301). Both travel in clear in the ClientHello, which may
 * span TCP segments and, rarely, several TLS records: the records'
 * handshake bytes are collected up to W4_TLS_HELLO_MAX. A ClientHello that
 * is cut (by the capture, a gap, or the bound) yields no name, never a
 * wrong one. */
#pragma once

#include "w4-reader.h"

G_BEGIN_DECLS

/* Handshake bytes of one ClientHello kept while it arrives. RFC 8446 5.1
 * caps a plaintext record at 2^14 bytes; real ClientHellos (also with
 * post-quantum key shares) fit one record, so one record's worth is the
 * bound: a longer hello gives no SNI. */
#define W4_TLS_HELLO_MAX 16384
/* A DNS name is at most 253 characters (RFC 1035 2.3.4); HostName's
 * length field allows more, which no real name needs. */
#define W4_TLS_SNI_MAX 255
/* Bytes of the offered ALPN list kept as text ("h2,http/1.1"). */
#define W4_TLS_ALPN_MAX 64

typedef enum {
  W4_TLS_HELLO_MORE,   /* a valid prefix so far: feed the next bytes */
  W4_TLS_HELLO_DONE,   /* read: sni/alpn are set where the hello has them */
  W4_TLS_HELLO_FAILED, /* not a ClientHello, malformed, cut, or over the bound */
} W4TlsHelloState;

/* The client direction's ClientHello being collected (flow lifetime). */
typedef struct {
  W4TlsHelloState state;
  guint8 rec_hdr[5];   /* the record header being read */
  guint rec_hdr_len;
  guint32 rec_left;    /* payload bytes of the current record still to come */
  GByteArray *msg;     /* handshake bytes so far; freed once decided */
  char *sni;           /* (owned) NUL-terminated host name, or NULL */
  char *alpn;          /* (owned) offered protocols, comma-separated, or NULL */
  gboolean offers_h2;  /* "h2" is among the offered protocols */
  gboolean offers_etm; /* it carries encrypt_then_mac (RFC 7366, extension 22) */
  gboolean offers_early_data; /* it carries early_data (TLS 1.3 0-RTT, extension 42) */
  /* the hello's random: the key logs' name for the session */
  guint8 client_random[32];
} W4TlsHello;

void w4_tls_hello_init (W4TlsHello *th);
/* Frees what @th owns (sni and alpn too). */
void w4_tls_hello_clear (W4TlsHello *th);
/* The next in-order bytes of the client direction, from its first byte on. */
W4TlsHelloState w4_tls_hello_feed (W4TlsHello *th, const guint8 *data, gsize len);
/* Bytes of the client direction were lost or it ended before the hello was
 * whole: FAILED, no SNI. */
void w4_tls_hello_lost (W4TlsHello *th);

/* Parses the body of one ClientHello handshake message (after its 4-byte
 * handshake header) into @th's sni, alpn and offers_h2. W4_OK also when the
 * hello has no server_name (sni stays NULL); W4_TRUNCATED or W4_MALFORMED
 * when it is cut or wrong (nothing is set then). */
W4Status w4_tls_parse_client_hello (W4TlsHello *th, const guint8 *body, gsize len);

/* The version a ServerHello selects (0x0303: TLS 1.2, 0x0304: TLS 1.3,
 * from supported_versions when present), when @data (the server's first
 * stream bytes) starts with a record holding the whole ServerHello; else
 * 0 (cut, another message, not TLS: never a guess). */
guint16 w4_tls_server_version (const guint8 *data, gsize len);

/* What decryption needs of a ServerHello. */
typedef struct {
  guint16 version;   /* as w4_tls_server_version says */
  guint16 suite;     /* the selected cipher suite */
  guint8 random[32];
  gboolean etm;      /* it echoes encrypt_then_mac: accepted (TLS 1.0-1.2, CBC) */
} W4TlsServerHello;

/* As w4_tls_server_version, and fills @out (only when it returns non-0). */
guint16 w4_tls_server_hello (const guint8 *data, gsize len, W4TlsServerHello *out);

G_END_DECLS
