/* h2-hpack.c: the HPACK decoder of h2.c, libnghttp2's inflater behind a
 * small interface (the only user of libnghttp2).
 *
 * A fragment is decoded as it arrives (nghttp2 keeps a field cut between
 * two frames), so a header block is never buffered whole. */
#include "h2-hpack.h"

#include <nghttp2/nghttp2.h>

struct W4Hpack {
  nghttp2_hd_inflater *inflater;
  guint32 max_table; /* the largest SETTINGS_HEADER_TABLE_SIZE given so far */
};

/* RFC 7541 4.2 / RFC 9113 6.5.2: the table size before any SETTINGS. */
#define W4_HPACK_INITIAL_TABLE 4096

W4Hpack *
w4_hpack_new (void)
{
  W4Hpack *hp = g_new0 (W4Hpack, 1);

  if (nghttp2_hd_inflate_new (&hp->inflater) != 0) {
    g_free (hp);
    return NULL;
  }
  hp->max_table = W4_HPACK_INITIAL_TABLE;
  return hp;
}

void
w4_hpack_free (W4Hpack *hp)
{
  if (hp == NULL)
    return;
  nghttp2_hd_inflate_del (hp->inflater);
  g_free (hp);
}

gboolean
w4_hpack_set_max_table_size (W4Hpack *hp, guint32 size)
{
  /* Only growth is applied. A capture cannot tell when the encoder saw a
   * smaller size (a block already on its way still uses the old one), and
   * a shrinking encoder says so itself with a table size update that the
   * decoder follows (RFC 7541 6.3). */
  if (size <= hp->max_table)
    return TRUE;
  if (nghttp2_hd_inflate_change_table_size (hp->inflater, size) != 0)
    return FALSE;
  hp->max_table = size;
  return TRUE;
}

gboolean
w4_hpack_decode (W4Hpack *hp, const guint8 *in, gsize len, gboolean final,
                 W4HpackFieldFunc field, void *user)
{
  /* each round consumes input or emits a field: both are finite */
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2 (hp->inflater, &nv, &flags, in, len, final ? 1 : 0);

    if (used < 0 || (gsize) used > len)
      return FALSE;
    /* an empty fragment may come as NULL: no arithmetic on it */
    if (used > 0) {
      in += used;
      len -= (gsize) used;
    }
    if (flags & NGHTTP2_HD_INFLATE_EMIT)
      field (user, nv.name, nv.namelen, nv.value, nv.valuelen);
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers (hp->inflater);
      return len == 0;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      return !final;
  }
}
