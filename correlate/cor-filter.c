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

char *
w4_cor_wireshark_filter (W4CorFilterFrame *frames, guint n, gint64 stream)
{
  GString *s = g_string_new (NULL);
  gint64 common;
  guint kept = 0;

  if (n == 0) {
    if (stream >= 0)
      w4_cor_append_printf (s, "tcp.stream eq %" G_GINT64_FORMAT, stream);
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
  if (common >= 0)
    w4_cor_append_printf (s, "tcp.stream eq %" G_GINT64_FORMAT " && ", common);
  if (kept == 1) {
    w4_cor_append_printf (s, "frame.number == %" G_GUINT64_FORMAT, frames[0].frame);
  } else {
    g_string_append (s, "frame.number in {");
    for (guint i = 0; i < kept; i++)
      w4_cor_append_printf (s, "%s%" G_GUINT64_FORMAT, i ? "," : "", frames[i].frame);
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

char *
w4_community_id (const W4Endpoint *a, const W4Endpoint *b, guint8 proto, guint16 seed)
{
  guint8 buf[2 + 16 + 16 + 2 + 4];
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  gsize alen, n = 0;
  const W4Endpoint *src = a, *dst = b;
  g_autofree char *b64 = NULL;
  static gsize sha1_once = 0;
  static EVP_MD *sha1 = NULL;

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
  /* Fetched once, as w4_auth_fingerprint does SHA-256: EVP_sha1 () makes
   * OpenSSL 3 look it up in its provider store on every digest. The
   * fetched method is immutable and never freed. */
  if (g_once_init_enter (&sha1_once)) {
    sha1 = EVP_MD_fetch (NULL, "SHA1", NULL);
    g_once_init_leave (&sha1_once, 1);
  }
  if (sha1 == NULL || EVP_Digest (buf, n, digest, &dlen, sha1, NULL) != 1)
    return NULL;
  b64 = g_base64_encode (digest, dlen);
  return g_strconcat ("1:", b64, NULL);
}
