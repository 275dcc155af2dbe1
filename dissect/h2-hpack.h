/* h2-hpack.h: HPACK (RFC 7541) header block decoding for h2.c, through
 * libnghttp2's inflater. One decoder per direction of a connection: the
 * dynamic table is the sender's, and every block must be decoded in order
 * (also the ones whose fields are not kept) for the table to stay in step. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct W4Hpack W4Hpack;

/* One decoded field (pointers valid during the call only). */
typedef void (*W4HpackFieldFunc) (void *user, const guint8 *name, gsize name_len,
                                  const guint8 *value, gsize value_len);

/* A decoder with the protocol's initial table size (4096); NULL when
 * libnghttp2 cannot allocate one. */
W4Hpack *w4_hpack_new (void);
void w4_hpack_free (W4Hpack *hp);
/* The receiver's SETTINGS_HEADER_TABLE_SIZE: the encoder may grow its
 * table up to @size from here on. FALSE when the decoder refuses it (in
 * the middle of a block). */
gboolean w4_hpack_set_max_table_size (W4Hpack *hp, guint32 size);
/* Decodes the next fragment of a header block (a HEADERS, PUSH_PROMISE
 * or CONTINUATION frame's fragment); @final for the block's last one.
 * Fields go to @field as they complete. FALSE: the bytes are not valid
 * HPACK; the decoder's table is lost, so it must not be used again. */
gboolean w4_hpack_decode (W4Hpack *hp, const guint8 *in, gsize len, gboolean final,
                          W4HpackFieldFunc field, void *user);

G_END_DECLS
