/* ipfrag.c: IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5)
 * fragment reassembly.
 *
 * Each partial datagram keeps one buffer that grows up to the frag-bytes
 * limit and a sorted list of the byte ranges received so far, each with the
 * frame that brought it, so the finished datagram can say which frame
 * carried which offset (the report cites those frames as evidence).
 *
 * Overlaps: the first copy of a byte wins, as in Wireshark's default and
 * in most stacks; a later overlapping fragment only fills holes. RFC 8200
 * says to drop the whole datagram on overlap; we do not, because we are a
 * witness, not a host, and a retransmitted identical fragment is common.
 *
 * Bounds: at most frag-datagrams partial datagrams (the oldest is dropped to
 * make room), at most frag-bytes per datagram, at most
 * W4_CAP_FRAG_MAX_PIECES ranges per datagram, and partial datagrams expire
 * after 30 s of capture time (the IPv6 reassembly timeout of RFC 8200 is 60 s,
 * Linux uses 30 s for both; a capture-time clock keeps replays
 * deterministic). What a partial datagram holds is charged to the --max-mem
 * budget (W4_MEM_FRAGMENTS) as it grows; a buffer that does not fit in it
 * is not grown and the datagram is given up (counted as refused). */
#include "ipfrag-private.h"

#include "w4-budget.h"

#include <string.h>

/* Tiny-fragment attacks can cut 64 KiB into 8-byte pieces (8192 of them);
 * past this many distinct ranges we give up on the datagram. */
#define W4_CAP_FRAG_MAX_PIECES 8192
/* Seconds of capture time a partial datagram may wait for its pieces. */
#define W4_CAP_FRAG_TIMEOUT_SEC 30

typedef struct {
  guint32 off, len;
  guint64 frame;
} W4FragRange;

typedef struct {
  W4FragKey key;
  W4Time first_ts;
  guint8 *buf;
  gsize buf_len;
  guint32 total; /* valid when total_known */
  gboolean total_known;
  W4FragRange *r;
  guint n_r, cap_r;
  guint64 charged; /* bytes charged to the budget for it, released when dropped */
  GList link; /* in the age queue; data points back here */
} W4FragDgram;

struct W4FragTable {
  const W4Limits *limits;
  GHashTable *by_key; /* W4FragKey* (inside the dgram) -> W4FragDgram*, owns the dgram */
  GQueue age;         /* oldest first */
};

static guint
w4_frag_key_hash (gconstpointer p)
{
  const W4FragKey *k = p;

  return w4_addr_hash (&k->src) * 33 ^ w4_addr_hash (&k->dst) ^ k->id * 2654435761u ^ k->proto;
}

static gboolean
w4_frag_key_equal (gconstpointer a, gconstpointer b)
{
  const W4FragKey *x = a, *y = b;

  return x->id == y->id && x->proto == y->proto && w4_addr_equal (&x->src, &y->src) &&
         w4_addr_equal (&x->dst, &y->dst);
}

static void
w4_frag_dgram_free (gpointer p)
{
  W4FragDgram *g = p;

  g_free (g->buf);
  g_free (g->r);
  g_free (g);
}

W4FragTable *
w4_frag_table_new (const W4Limits *limits)
{
  W4FragTable *t = g_new0 (W4FragTable, 1);

  t->limits = limits;
  t->by_key = g_hash_table_new_full (w4_frag_key_hash, w4_frag_key_equal, NULL,
                                     w4_frag_dgram_free);
  g_queue_init (&t->age);
  return t;
}

static void
w4_frag_charge (W4FragTable *t, W4FragDgram *g, guint64 n)
{
  w4_budget_charge (t->limits->budget, W4_MEM_FRAGMENTS, n);
  g->charged += n;
}

void
w4_frag_table_free (W4FragTable *t)
{
  if (t == NULL)
    return;
  for (GList *l = t->age.head; l != NULL; l = l->next)
    w4_budget_release (t->limits->budget, W4_MEM_FRAGMENTS, ((W4FragDgram *) l->data)->charged);
  g_hash_table_destroy (t->by_key);
  g_free (t);
}

guint
w4_frag_table_size (W4FragTable *t)
{
  return g_hash_table_size (t->by_key);
}

static void
w4_frag_drop (W4FragTable *t, W4FragDgram *g)
{
  w4_budget_release (t->limits->budget, W4_MEM_FRAGMENTS, g->charged);
  g_queue_unlink (&t->age, &g->link);
  g_hash_table_remove (t->by_key, &g->key);
}

void
w4_frag_done_clear (W4FragDone *done)
{
  g_clear_pointer (&done->data, g_free);
  g_clear_pointer (&done->pieces, g_free);
  done->len = 0;
  done->n_pieces = 0;
}

static int
w4_frag_range_cmp (const void *a, const void *b)
{
  const W4FragRange *x = a, *y = b;

  return x->off < y->off ? -1 : x->off > y->off;
}

static gboolean
w4_frag_push_range (W4FragTable *t, W4FragDgram *g, guint32 off, guint32 len, guint64 frame)
{
  if (g->n_r == g->cap_r) {
    guint old = g->cap_r;

    if (g->cap_r >= W4_CAP_FRAG_MAX_PIECES)
      return FALSE;
    g->cap_r = g->cap_r ? MIN (g->cap_r * 2, W4_CAP_FRAG_MAX_PIECES) : 4;
    g->r = g_renew (W4FragRange, g->r, g->cap_r);
    w4_frag_charge (t, g, (guint64) (g->cap_r - old) * sizeof (W4FragRange));
  }
  g->r[g->n_r].off = off;
  g->r[g->n_r].len = len;
  g->r[g->n_r].frame = frame;
  g->n_r++;
  return TRUE;
}

static gboolean
w4_frag_complete (const W4FragDgram *g)
{
  guint32 end = 0;

  if (!g->total_known)
    return FALSE;
  for (guint i = 0; i < g->n_r; i++) {
    if (g->r[i].off > end)
      return FALSE;
    end = MAX (end, g->r[i].off + g->r[i].len);
  }
  return end >= g->total;
}

static void
w4_frag_expire (W4FragTable *t, W4Time now)
{
  /* The queue is in arrival order; capture time may step back a little, so
   * stop at the first datagram that is still young. */
  while (t->age.head != NULL) {
    W4FragDgram *g = t->age.head->data;
    gint64 age;

    /* Capture times are hostile (a pcapng's if_tsoffset is any 64-bit
     * value): saturate rather than overflow. */
    if (__builtin_sub_overflow (now.sec, g->first_ts.sec, &age))
      age = now.sec < g->first_ts.sec ? G_MININT64 : G_MAXINT64;
    if (age <= W4_CAP_FRAG_TIMEOUT_SEC)
      break;
    w4_frag_drop (t, g);
  }
}

gboolean
w4_frag_add (W4FragTable *t, const W4FragKey *key, W4Time ts, guint64 frame, guint32 offset,
             gboolean more, const guint8 *data, gsize len, W4FragDone *out,
             W4LimitId *limit_hit)
{
  W4FragDgram *g;
  guint64 max_bytes = t->limits->v[W4_LIMIT_FRAG_BYTES];
  guint64 end64 = (guint64) offset + len;
  guint32 end, cursor;
  guint n_old;

  *limit_hit = W4_LIMIT_COUNT;
  memset (out, 0, sizeof *out);
  w4_frag_expire (t, ts);

  g = g_hash_table_lookup (t->by_key, key);
  if (end64 > max_bytes) {
    *limit_hit = W4_LIMIT_FRAG_BYTES;
    if (g != NULL)
      w4_frag_drop (t, g);
    return FALSE;
  }
  end = (guint32) end64;

  if (g == NULL) {
    guint64 max_dgrams = t->limits->v[W4_LIMIT_FRAG_DATAGRAMS];

    /* Bounded by the limit: each pass removes one datagram. */
    while (g_hash_table_size (t->by_key) >= max_dgrams && t->age.head != NULL) {
      w4_frag_drop (t, t->age.head->data);
      *limit_hit = W4_LIMIT_FRAG_DATAGRAMS;
    }
    if (max_dgrams == 0)
      return FALSE;
    g = g_new0 (W4FragDgram, 1);
    g->key = *key;
    g->first_ts = ts;
    g->link.data = g;
    g_hash_table_insert (t->by_key, &g->key, g);
    g_queue_push_tail_link (&t->age, &g->link);
    w4_frag_charge (t, g, sizeof *g);
  }

  if (!more && !g->total_known) {
    /* The first last-fragment fixes the length; bytes a later one claims
     * beyond it are ignored (first wins, as for overlaps). */
    g->total_known = TRUE;
    g->total = end;
  }
  if (g->total_known && end > g->total)
    end = g->total;
  if (offset >= end && len > 0)
    goto check;

  if (g->buf_len < end) {
    /* up to frag-bytes at once: only when it fits in the budget */
    if (!w4_budget_fits (t->limits->budget, W4_MEM_FRAGMENTS, end - g->buf_len)) {
      w4_frag_drop (t, g);
      return FALSE;
    }
    w4_frag_charge (t, g, end - g->buf_len);
    g->buf = g_realloc (g->buf, end);
    memset (g->buf + g->buf_len, 0, end - g->buf_len);
    g->buf_len = end;
  }

  /* Copy only the holes in [offset, end); ranges are sorted by offset. */
  cursor = offset;
  n_old = g->n_r;
  for (guint i = 0; i < n_old && cursor < end; i++) {
    guint32 ro = g->r[i].off, re = g->r[i].off + g->r[i].len;

    if (re <= cursor)
      continue;
    if (ro >= end)
      break;
    if (ro > cursor) {
      memcpy (g->buf + cursor, data + (cursor - offset), ro - cursor);
      if (!w4_frag_push_range (t, g, cursor, ro - cursor, frame))
        goto too_many;
    }
    cursor = MAX (cursor, re);
  }
  if (cursor < end) {
    memcpy (g->buf + cursor, data + (cursor - offset), end - cursor);
    if (!w4_frag_push_range (t, g, cursor, end - cursor, frame))
      goto too_many;
  }
  if (g->n_r != n_old)
    qsort (g->r, g->n_r, sizeof *g->r, w4_frag_range_cmp);

check:
  if (!w4_frag_complete (g))
    return FALSE;

  out->len = g->total;
  out->data = g_steal_pointer (&g->buf);
  out->pieces = g_new (W4FragPiece, MAX (g->n_r, 1));
  for (guint i = 0; i < g->n_r; i++) {
    if (g->r[i].off >= g->total)
      break;
    out->pieces[out->n_pieces].offset = g->r[i].off;
    out->pieces[out->n_pieces].frame = g->r[i].frame;
    out->n_pieces++;
  }
  w4_frag_drop (t, g);
  return TRUE;

too_many:
  *limit_hit = W4_LIMIT_FRAG_BYTES;
  w4_frag_drop (t, g);
  return FALSE;
}
