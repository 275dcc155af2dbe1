/* w4-limits.c: default values of the named limits, and their names. */
#include "w4-limits.h"

#include <string.h>

static const struct {
  const char *name;
  guint64 dflt;
} limit_table[W4_LIMIT_COUNT] = {
  /* 256k connections in flight covers a busy proxy's capture; each costs a
   * few hundred bytes plus its parsers. */
  [W4_LIMIT_FLOWS] = { "flows", 262144 },
  /* Out-of-order data beyond 1 MiB per direction means the capture lost
   * far more than a reorder: give up on the hole and resynchronise. */
  [W4_LIMIT_REASM_BYTES] = { "reasm-bytes", 1 << 20 },
  [W4_LIMIT_OOO_SEGMENTS] = { "ooo-segments", 256 },
  /* Pipelined requests awaiting a response; a connection whose responses
   * were never captured must not grow without end. */
  [W4_LIMIT_PENDING_REQ] = { "pending-requests", 64 },
  /* Real header blocks stay well under 64 KiB (nginx's default large
   * buffers are 4 x 8 KiB). */
  [W4_LIMIT_HEADER_BYTES] = { "header-bytes", 65536 },
  [W4_LIMIT_HEADERS] = { "headers", 128 },
  /* Credentials, challenges and cookies are kept under their own bound, so
   * a header block padded beyond header-bytes (Apache takes 100 fields of
   * 8 KiB) cannot hide them: 64 KiB holds any real set of them. */
  [W4_LIMIT_AUTH_HEADER_BYTES] = { "auth-header-bytes", 65536 },
  /* The contract keeps the first 4 KiB of a 4xx body. */
  [W4_LIMIT_BODY_KEEP] = { "body-keep", 4096 },
  [W4_LIMIT_FRAG_DATAGRAMS] = { "frag-datagrams", 4096 },
  [W4_LIMIT_FRAG_BYTES] = { "frag-bytes", 65535 },
  [W4_LIMIT_TUNNEL_DEPTH] = { "tunnel-depth", 8 },
  [W4_LIMIT_CLIENTS] = { "clients", 65536 },
  [W4_LIMIT_EXCHANGES] = { "exchanges", 1 << 20 },
  [W4_LIMIT_FINDINGS] = { "findings", 1 << 20 },
  /* About 130 bytes each (hash entry, queue link, addresses, bases): 2M
   * connections' numbers in about 270 MiB at worst. Beyond it the oldest
   * closed connection's number is forgotten (and counted). */
  [W4_LIMIT_STREAM_NUMBERS] = { "stream-numbers", 1 << 21 },
  /* The summary's tables: a few hundred bytes each (key, host names,
   * schemes, the server's principal table header). */
  [W4_LIMIT_SERVERS] = { "servers", 65536 },
  [W4_LIMIT_PRINCIPALS] = { "principals", 1 << 18 },
  /* "Other users succeed" needs a handful; a credential-stuffing capture
   * must not grow one server's table without end (servers x this x ~100 B
   * is 1.6 GiB at worst with the defaults). */
  [W4_LIMIT_SERVER_PRINCIPALS] = { "server-principals", 256 },
  /* ~200 B each (key with server and fingerprint, counts, frames). */
  [W4_LIMIT_CREDENTIALS] = { "credentials", 1 << 20 },
  /* Accumulators become one finding each at the end; ~350 B apiece. */
  [W4_LIMIT_RISK_GROUPS] = { "risk-groups", 1 << 18 },
  /* One per rejected credential and client: credential stuffing makes
   * many. ~450 B each, 450 MiB at worst. */
  [W4_LIMIT_RETRY_GROUPS] = { "retry-groups", 1 << 20 },
  [W4_LIMIT_GAP_CONNECTIONS] = { "gap-connections", 1 << 18 },
  [W4_LIMIT_TLS_SERVERS] = { "tls-servers", 65536 },
  [W4_LIMIT_H2_SERVERS] = { "h2-servers", 65536 },
  /* 8 bytes each; past it the older half is forgotten (their filters then
   * leave out tcp.stream: still exact, less tidy). */
  [W4_LIMIT_BARE_FRAGMENTS] = { "bare-fragments", 65536 },
  /* Failed exchanges wait 30 s of capture time for their decision; a flood
   * of 401s must not hold them all (~1 KiB each with their finding). Past
   * it the oldest is decided early, with less look-ahead. */
  [W4_LIMIT_UNDECIDED] = { "undecided", 1 << 19 },
  /* HTTP/1 sends a body right after its head; HTTP/2 interleaves a few. */
  [W4_LIMIT_BODY_WAITS] = { "body-waits", 16 },
  /* Authorization, Proxy-Authorization, one API key and session cookies:
   * more is an attack, not a client. */
  [W4_LIMIT_REQUEST_CREDENTIALS] = { "request-credentials", 16 },
  /* A name per input file: a directory of rotated captures stays far
   * below this. */
  [W4_LIMIT_FILES] = { "files", 65536 },
  /* A client and server in the middle of an NTLM or Negotiate handshake:
   * ~150 B each plus up to W4_CA_LEGS_PER_PAIR legs of ~100 B; they expire
   * a minute of capture time after their last leg. */
  [W4_LIMIT_CONN_AUTH] = { "conn-auth", 65536 },
  /* A 3xx is followed within seconds; ~300 B each (key, origins, Location). */
  [W4_LIMIT_REDIRECTS] = { "redirects", 65536 },
  /* Fixed-size records (~150 B with the key): one per client and server
   * using anti-forgery headers. */
  [W4_LIMIT_CSRF_PAIRS] = { "csrf-pairs", 65536 },
  /* ~1 KiB each (four nonces with their last nonce counts and challenge
   * parameters): 64 MiB at worst. The least recently seen pair goes. */
  [W4_LIMIT_DIGEST_PEERS] = { "digest-peers", 65536 },
  /* ~300 B each (name, fingerprint, domain, path, attributes); browsers
   * keep about 3000 per profile, a capture of many clients more. */
  [W4_LIMIT_COOKIES] = { "cookies", 1 << 18 },
  /* Browsers keep 150-180 per domain; a request scans its host's and its
   * parent domains' buckets, so this bounds what one request costs. */
  [W4_LIMIT_COOKIES_PER_HOST] = { "cookies-per-host", 256 },
  /* A request to a proxy waits here until its answer (a round trip to the
   * origin): ~100 B each (key, a reference to its exchange, which the
   * window keeps anyway). */
  [W4_LIMIT_PROXY_LEGS] = { "proxy-legs", 65536 },
  /* ~100 B each (server key, skew, frame); the least recently seen goes. */
  [W4_LIMIT_DATE_SERVERS] = { "date-servers", 65536 },
  /* ~300 B each (client random, five secrets, hash and queue links): a
   * browser's key log of a year of browsing, 300 MiB at worst. Past it
   * the session read first is forgotten. */
  [W4_LIMIT_TLS_KEYS] = { "tls-keys", 1 << 20 },
  /* Exchanges of one client after a failure, within the 30 s the retry
   * may come in: a cost bound per decision, not a table. */
  [W4_LIMIT_RETRY_SCAN] = { "retry-scan", 4096 },
  /* HTTP/2 frames are 16 KiB unless the receiver's SETTINGS allow more
   * (up to 16 MiB); servers that raise it rarely send frames over 1 MiB.
   * A frame is buffered whole, once per direction. */
  [W4_LIMIT_H2_FRAME_BYTES] = { "h2-frame-bytes", 1 << 20 },
  /* A header block is decoded as its frames arrive, so this bounds work,
   * not memory: real blocks are a few KiB (nginx refuses past 16 KiB of
   * decoded fields by default, Apache past 8 KiB a field). */
  [W4_LIMIT_H2_HEADER_BLOCK] = { "h2-header-block", 1 << 20 },
  /* Decoded fields kept for one message, as header-bytes and
   * auth-header-bytes together for HTTP/1: indexed fields from the table
   * can decode to far more than the block's bytes. */
  [W4_LIMIT_H2_DECODED_BYTES] = { "h2-decoded-bytes", 131072 },
  /* Servers allow 100 to 128 concurrent streams; ~100 B each, streams
   * leave when both sides ended them. */
  [W4_LIMIT_H2_STREAMS] = { "h2-streams", 1024 },
  /* The peers' SETTINGS_HEADER_TABLE_SIZE: 4 KiB by default, browsers and
   * servers allow up to 64 KiB. */
  [W4_LIMIT_H2_HPACK_TABLE] = { "h2-hpack-table", 65536 },
};

void
w4_limits_init (W4Limits *l)
{
  for (int i = 0; i < W4_LIMIT_COUNT; i++)
    l->v[i] = limit_table[i].dflt;
  l->budget = NULL;
}

const char *
w4_limit_name (W4LimitId id)
{
  if ((int) id < 0 || id >= W4_LIMIT_COUNT)
    return "unknown";
  return limit_table[id].name;
}

gboolean
w4_limits_set (W4Limits *l, const char *assignment)
{
  const char *eq = strchr (assignment, '=');
  guint64 n;

  if (eq == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (eq + 1, 10, 1, G_MAXUINT32, &n, NULL))
    return FALSE;
  for (int i = 0; i < W4_LIMIT_COUNT; i++) {
    if (strlen (limit_table[i].name) == (gsize) (eq - assignment) &&
        strncmp (limit_table[i].name, assignment, (gsize) (eq - assignment)) == 0) {
      l->v[i] = n;
      return TRUE;
    }
  }
  return FALSE;
}
