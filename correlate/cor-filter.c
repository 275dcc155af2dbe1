/* cor-filter.c: the identifiers a finding gives a user to find its packets
 * elsewhere: the Wireshark display filter, and the Community ID that joins
 * it to Zeek's conn.log and Suricata's eve.json.
 *
 * The display filter must select exactly the packets it names, in the file
 * it is applied to (the finding's `file`; frames of other input files
 * cannot be in it, their evidence entries name their own file). Frame
 * numbers alone already do that; "tcp.stream eq N &&" is added in front
 * when every named frame shows that stream's TCP header, so the filter
 * reads as the connection it is about. It is left out when one does not:
 * an IP fragment that did not complete its datagram has no TCP layer in
 * Wireshark (tcp.stream is set in the frame that reassembles it), and an
 * evidence frame can lie on another connection.
 *
 * Community ID v1 (github.com/corelight/community-id-spec): SHA-1 over
 * seed (2 bytes, big endian), source address, destination address,
 * protocol, a zero byte, source port, destination port (2 bytes each, big
 * endian), with the endpoints ordered so that the smaller address (then
 * the smaller port) is the source; "1:" + base64 of the digest. */
#define G_LOG_DOMAIN "why401-correlate"

#include "cor-private.h"
#include "cor-format.h"

#include <openssl/evp.h>
#include <string.h>

static gint
filter_frame_cmp (gconstpointer a, gconstpointer b)
{
  const W4CorFilterFrame *x = a, *y = b;

  return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void
append_stream (GString *s, gint64 stream)
{
  g_string_append_len (s, "tcp.stream eq ", 14);
  w4_cor_append_uint (s, (guint64) stream);
}

char *
w4_cor_wireshark_filter (W4CorFilterFrame *frames, guint n, gint64 stream)
{
  GString *s = g_string_sized_new (64);
  gint64 common;
  guint kept = 0;

  if (n == 0) {
    if (stream >= 0)
      append_stream (s, stream);
    return g_string_free (s, FALSE);
  }
  qsort (frames, n, sizeof *frames, filter_frame_cmp);
  for (guint i = 0; i < n; i++) {
    if (kept > 0 && frames[i].frame == frames[kept - 1].frame) {
      /* the same frame named twice: what both say */
      if (frames[i].stream != frames[kept - 1].stream)
        frames[kept - 1].stream = -1;
      frames[kept - 1].tcp &= frames[i].tcp;
      continue;
    }
    frames[kept++] = frames[i];
  }
  common = frames[0].stream;
  for (guint i = 0; i < kept && common >= 0; i++)
    if (!frames[i].tcp || frames[i].stream != common)
      common = -1;
  if (common >= 0) {
    append_stream (s, common);
    g_string_append_len (s, " && ", 4);
  }
  if (kept == 1) {
    g_string_append_len (s, "frame.number == ", 16);
    w4_cor_append_uint (s, frames[0].frame);
  } else {
    g_string_append_len (s, "frame.number in {", 17);
    for (guint i = 0; i < kept; i++) {
      if (i > 0)
        g_string_append_c (s, ',');
      w4_cor_append_uint (s, frames[i].frame);
    }
    g_string_append_c (s, '}');
  }
  return g_string_free (s, FALSE);
}

/* Address then port, as the spec orders a flow's endpoints. */
static int
cid_endpoint_cmp (const W4Endpoint *x, const W4Endpoint *y, gsize alen)
{
  int c = memcmp (x->addr.a, y->addr.a, alen);

  if (c != 0)
    return c;
  return x->port < y->port ? -1 : x->port > y->port;
}

/* The bytes the digest is over: seed, addresses, protocol, ports. */
#define W4_CID_INPUT_MAX (2 + 16 + 16 + 2 + 4)
/* "1:" and the base64 of a SHA-1 (28 characters), with its NUL. */
#define W4_CID_STRLEN (2 + 28 + 1)
/* Flows whose Community ID is remembered: a connection's findings ask for
 * the same one again and again (half of perf30k's 1,315 asks), and each
 * SHA-1 through OpenSSL's EVP costs about 2,300 instructions. A fixed
 * table per thread, one slot per hash value (a new flow takes its slot). */
#define W4_CID_CACHE_SLOTS 64

typedef struct {
  guint8 input[W4_CID_INPUT_MAX];
  guint8 input_len; /* 0: the slot is empty */
  char id[W4_CID_STRLEN];
} W4CidSlot;

static __thread W4CidSlot w4_cid_cache[W4_CID_CACHE_SLOTS];

/* Standard base64 with padding, as g_base64_encode writes it, of a SHA-1's
 * 20 bytes into @out (28 characters and a NUL). */
static void
cid_base64 (const guint8 digest[20], char out[29])
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  guint i = 0, o = 0;

  for (; i + 3 <= 20; i += 3) {
    guint32 v = (guint32) digest[i] << 16 | (guint32) digest[i + 1] << 8 | digest[i + 2];

    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  /* 20 = 6 * 3 + 2: two bytes left, one '=' */
  {
    guint32 v = (guint32) digest[18] << 16 | (guint32) digest[19] << 8;

    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = '=';
  }
  out[o] = '\0';
}

/* "1:" + base64 of the SHA-1 of @n bytes at @buf into @id; FALSE when
 * OpenSSL has no SHA-1. */
static gboolean
cid_digest (const guint8 *buf, gsize n, char id[W4_CID_STRLEN])
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  static gsize sha1_once = 0;
  static EVP_MD *sha1 = NULL;

  /* Fetched once, as w4_auth_fingerprint does SHA-256: EVP_sha1 () makes
   * OpenSSL 3 look it up in its provider store on every digest. The
   * fetched method is immutable and never freed. */
  if (g_once_init_enter (&sha1_once)) {
    sha1 = EVP_MD_fetch (NULL, "SHA1", NULL);
    g_once_init_leave (&sha1_once, 1);
  }
  if (sha1 == NULL || EVP_Digest (buf, n, digest, &dlen, sha1, NULL) != 1 || dlen != 20)
    return FALSE;
  id[0] = '1';
  id[1] = ':';
  cid_base64 (digest, id + 2);
  return TRUE;
}

char *
w4_community_id (const W4Endpoint *a, const W4Endpoint *b, guint8 proto, guint16 seed)
{
  guint8 buf[W4_CID_INPUT_MAX];
  gsize alen, n = 0;
  guint h = 0;
  const W4Endpoint *src = a, *dst = b;
  W4CidSlot *slot;

  if (a->addr.family != b->addr.family || (a->addr.family != 4 && a->addr.family != 6))
    return NULL;
  alen = a->addr.family == 4 ? 4 : 16;
  if (cid_endpoint_cmp (a, b, alen) > 0) {
    src = b;
    dst = a;
  }
  buf[n++] = (guint8) (seed >> 8);
  buf[n++] = (guint8) seed;
  memcpy (buf + n, src->addr.a, alen);
  n += alen;
  memcpy (buf + n, dst->addr.a, alen);
  n += alen;
  buf[n++] = proto;
  buf[n++] = 0;
  buf[n++] = (guint8) (src->port >> 8);
  buf[n++] = (guint8) src->port;
  buf[n++] = (guint8) (dst->port >> 8);
  buf[n++] = (guint8) dst->port;

  for (gsize i = 0; i < n; i++)
    h = h * 31 + buf[i];
  slot = &w4_cid_cache[h % W4_CID_CACHE_SLOTS];
  if (slot->input_len == n && memcmp (slot->input, buf, n) == 0)
    return g_strdup (slot->id);
  slot->input_len = 0;
  if (!cid_digest (buf, n, slot->id))
    return NULL;
  memcpy (slot->input, buf, n);
  slot->input_len = (guint8) n;
  return g_strdup (slot->id);
}
