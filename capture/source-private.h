/* source-private.h: one input's bytes, opened once, decompressed when they
 * are gzip or zstd, as a stdio stream for libpcap and pcapng.c.
 * capture/ only. */
#pragma once

#include <stdio.h>

#include "w4-types.h"

G_BEGIN_DECLS

typedef struct W4Src W4Src;

typedef enum {
  W4_SRC_PLAIN,
  W4_SRC_GZIP,
  W4_SRC_ZSTD,
} W4SrcKind;

/* Takes @fd (transfer full: closed by w4_src_free) and sniffs its first
 * bytes for a compression magic (1f 8b: gzip; 28 b5 2f fd: zstd). @name is
 * for messages. NULL with @error when nothing could be read. */
W4Src *w4_src_new (int fd, const char *name, GError **error);
void w4_src_free (W4Src *src);

W4SrcKind w4_src_kind (const W4Src *src);
/* "gzip", "zstd", or NULL for a plain input. */
const char *w4_src_kind_name (const W4Src *src);

/* TRUE when the input can be read again from its start (a regular file,
 * also compressed): w4_src_open may then be called again. A pipe, a FIFO or
 * a terminal can be read once. */
gboolean w4_src_seekable (const W4Src *src);

/* Returns (transfer full) a read-only stream over the input's bytes,
 * decompressed, from its start; *@is_ng says whether they begin with the
 * pcapng magic. The stream must be closed (fclose, also through pcap_close
 * or w4_ng_free) before the next w4_src_open and before w4_src_free; closing
 * it frees the decompressor. @iobuf (may be NULL: stdio's default) of
 * @iobuf_size bytes is its stdio buffer and must outlive it. NULL with
 * @error when it cannot be opened (again). */
FILE *w4_src_open (W4Src *src, char *iobuf, gsize iobuf_size, gboolean *is_ng, GError **error);

/* After the stream ended or failed: NULL when the compressed data was
 * whole; otherwise why the decompressed bytes stopped early ("gzip data
 * cut short", "zstd: Corrupted block detected"). */
const char *w4_src_damage (const W4Src *src);

G_END_DECLS
