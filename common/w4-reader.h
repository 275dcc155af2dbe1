/* w4-reader.h: bounds-checked reads of untrusted bytes.
 *
 * Every read of packet memory in capture/, dissect/ and correlate/ goes
 * through a W4Reader (or hands a span to llhttp, nghttp2 or OpenSSL). The
 * reader knows what was captured (len); a child reader made for a
 * length-prefixed field also knows what the field claims. Asking past what
 * was captured is W4_TRUNCATED, past what the field claims W4_MALFORMED.
 * The first failure sticks, so a run of reads is checked once at the end. */
#pragma once

#include "w4-types.h"

G_BEGIN_DECLS

typedef struct {
  const guint8 *data; /* borrowed: packet lifetime */
  gsize len;          /* bytes actually available (captured) */
  gsize claimed;      /* bytes the field claims (>= len when cut short); G_MAXSIZE when unknown */
  gsize off;          /* invariant: off <= len */
  W4Status status;    /* first failure wins and sticks */
} W4Reader;

static inline void
w4_rd_init (W4Reader *r, const void *data, gsize len)
{
  r->data = (const guint8 *) data;
  r->len = len;
  /* A top-level reader claims nothing: reading past its end means the
   * capture stopped short (TRUNCATED), not that a field lied. */
  r->claimed = G_MAXSIZE;
  r->off = 0;
  r->status = W4_OK;
}

static inline gsize
w4_rd_left (const W4Reader *r)
{
  return r->len - r->off;
}

static inline gboolean
w4_rd_ok (const W4Reader *r)
{
  return r->status == W4_OK;
}

/* Fails the reader when @n more bytes are not there; compares with what is
 * left, because off + n can wrap and len - off cannot. */
static inline gboolean
w4_rd_need (W4Reader *r, gsize n)
{
  if (r->status != W4_OK)
    return FALSE;
  if (r->len - r->off < n) {
    r->status = (r->claimed - r->off < n) ? W4_MALFORMED : W4_TRUNCATED;
    return FALSE;
  }
  return TRUE;
}

static inline gboolean
w4_rd_u8 (W4Reader *r, guint8 *out)
{
  if (!w4_rd_need (r, 1))
    return FALSE;
  *out = r->data[r->off];
  r->off += 1;
  return TRUE;
}

static inline gboolean
w4_rd_u16 (W4Reader *r, guint16 *out)
{
  if (!w4_rd_need (r, 2))
    return FALSE;
  *out = (guint16) (r->data[r->off] << 8 | r->data[r->off + 1]);
  r->off += 2;
  return TRUE;
}

static inline gboolean
w4_rd_u16le (W4Reader *r, guint16 *out)
{
  if (!w4_rd_need (r, 2))
    return FALSE;
  *out = (guint16) (r->data[r->off] | r->data[r->off + 1] << 8);
  r->off += 2;
  return TRUE;
}

static inline gboolean
w4_rd_u32 (W4Reader *r, guint32 *out)
{
  if (!w4_rd_need (r, 4))
    return FALSE;
  *out = (guint32) r->data[r->off] << 24 | (guint32) r->data[r->off + 1] << 16 |
         (guint32) r->data[r->off + 2] << 8 | (guint32) r->data[r->off + 3];
  r->off += 4;
  return TRUE;
}

static inline gboolean
w4_rd_u32le (W4Reader *r, guint32 *out)
{
  if (!w4_rd_need (r, 4))
    return FALSE;
  *out = (guint32) r->data[r->off] | (guint32) r->data[r->off + 1] << 8 |
         (guint32) r->data[r->off + 2] << 16 | (guint32) r->data[r->off + 3] << 24;
  r->off += 4;
  return TRUE;
}

static inline gboolean
w4_rd_skip (W4Reader *r, gsize n)
{
  if (!w4_rd_need (r, n))
    return FALSE;
  r->off += n;
  return TRUE;
}

/* Borrows @n bytes into @out (packet lifetime). */
static inline gboolean
w4_rd_span (W4Reader *r, gsize n, W4Span *out)
{
  if (!w4_rd_need (r, n))
    return FALSE;
  out->ptr = r->data + r->off;
  out->len = n;
  r->off += n;
  return TRUE;
}

/* Looks at the byte @at positions ahead without consuming; FALSE when it is
 * not there (does not fail the reader). */
static inline gboolean
w4_rd_peek_u8 (const W4Reader *r, gsize at, guint8 *out)
{
  if (r->status != W4_OK || r->len - r->off <= at)
    return FALSE;
  *out = r->data[r->off + at];
  return TRUE;
}

/* A child reader over the next @claimed bytes of a length-prefixed field.
 * When fewer were captured the child has len < claimed: reading into the
 * missing part is W4_TRUNCATED, past the claim W4_MALFORMED. The parent
 * moves past what the child covers. */
static inline W4Reader
w4_rd_sub (W4Reader *r, gsize claimed)
{
  W4Reader c;
  gsize have = w4_rd_left (r);

  if (r->status != W4_OK)
    have = 0;
  c.data = r->data + r->off;
  c.len = claimed < have ? claimed : have;
  c.claimed = claimed;
  c.off = 0;
  c.status = r->status;
  r->off += c.len;
  return c;
}

/* The rest of the reader as a span, consuming it. */
static inline W4Span
w4_rd_rest (W4Reader *r)
{
  W4Span s = { r->data + r->off, w4_rd_left (r) };
  if (r->status != W4_OK)
    s.len = 0;
  r->off = r->len;
  return s;
}

G_END_DECLS
