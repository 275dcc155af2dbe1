/* ipfrag-private.h: IPv4 and IPv6 fragment reassembly, bounded (capture/ only). */
#pragma once

#include "w4-events.h"

G_BEGIN_DECLS

/* Fragments of one datagram share this key (RFC 791 section 3.2; RFC 8200
 * section 4.5 keys on src, dst and id; the protocol is added because the
 * brief asks for it and it costs nothing). */
typedef struct {
  W4Addr src, dst;
  guint32 id;   /* 16 bits for IPv4, 32 for IPv6 */
  guint8 proto; /* IPv4 protocol, or IPv6 next header after the fragment header */
} W4FragKey;

/* A completed datagram: the transport part (IPv4) or the fragmentable part
 * (IPv6) in one buffer. Owned by the caller; release with
 * w4_frag_done_clear. */
typedef struct {
  guint8 *data;
  gsize len;
  W4FragPiece *pieces; /* sorted by offset */
  guint n_pieces;
} W4FragDone;

typedef struct W4FragTable W4FragTable;

/* Returns (transfer full) an empty table bounded by @limits
 * (W4_LIMIT_FRAG_DATAGRAMS, W4_LIMIT_FRAG_BYTES); @limits is borrowed and
 * must outlive the table. */
W4FragTable *w4_frag_table_new (const W4Limits *limits);
void w4_frag_table_free (W4FragTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4FragTable, w4_frag_table_free)

/* Adds one fragment: @len bytes of @data (packet lifetime, copied) at
 * @offset of the datagram's payload, @more = the More Fragments flag.
 * Returns TRUE when this fragment completes the datagram and fills @out;
 * FALSE when more are needed or the fragment was dropped. *@limit_hit is
 * set to the limit reached (W4_LIMIT_FRAG_DATAGRAMS: oldest datagram dropped
 * to make room; W4_LIMIT_FRAG_BYTES: this datagram would exceed the limit
 * and was dropped), or W4_LIMIT_COUNT when none was. Partial datagrams
 * older than 30 s of capture time are dropped first. */
gboolean w4_frag_add (W4FragTable *t, const W4FragKey *key, W4Time ts, guint64 frame,
                      guint32 offset, gboolean more, const guint8 *data, gsize len,
                      W4FragDone *out, W4LimitId *limit_hit);

void w4_frag_done_clear (W4FragDone *done);

/* Datagrams currently held (for tests). */
guint w4_frag_table_size (W4FragTable *t);

G_END_DECLS
