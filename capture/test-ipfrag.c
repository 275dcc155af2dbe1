/* test-ipfrag.c: fragment reassembly (RFC 791 section 3.2, RFC 8200
 * section 4.5) and its bounds. */
#include <string.h>

#include "ipfrag-private.h"
#include "w4-budget.h"

static W4FragKey
key_n (guint32 id)
{
  W4FragKey k;

  memset (&k, 0, sizeof k);
  k.src.family = k.dst.family = 4;
  k.src.a[0] = 192, k.src.a[3] = 1;
  k.dst.a[0] = 198, k.dst.a[3] = 2;
  k.id = id;
  k.proto = 6;
  return k;
}

static const guint8 data[32] = "0123456789abcdefghijklmnopqrstuv";

static gboolean
add (W4FragTable *t, guint32 id, gint64 sec, guint64 frame, guint32 off, gboolean more,
     const guint8 *p, gsize len, W4FragDone *done, W4LimitId *hit)
{
  W4FragKey k = key_n (id);
  W4Time ts = { sec, 0 };

  return w4_frag_add (t, &k, ts, frame, off, more, p, len, done, hit);
}

static void
test_in_order (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;

  w4_limits_init (&l);
  t = w4_frag_table_new (&l);
  g_assert_false (add (t, 1, 0, 1, 0, TRUE, data, 16, &done, &hit));
  g_assert_true (add (t, 1, 0, 2, 16, FALSE, data + 16, 16, &done, &hit));
  g_assert_cmpuint (hit, ==, W4_LIMIT_COUNT);
  g_assert_cmpuint (done.len, ==, 32);
  g_assert_cmpmem (done.data, 32, data, 32);
  g_assert_cmpuint (done.n_pieces, ==, 2);
  g_assert_cmpuint (done.pieces[1].offset, ==, 16);
  g_assert_cmpuint (done.pieces[1].frame, ==, 2);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 0);
  w4_frag_done_clear (&done);
}

/* Overlap: the first copy of a byte wins; the later fragment fills only
 * the hole. */
static void
test_overlap_first_wins (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;
  guint8 other[32];

  memset (other, 'X', sizeof other);
  w4_limits_init (&l);
  t = w4_frag_table_new (&l);
  g_assert_false (add (t, 7, 0, 1, 8, TRUE, data + 8, 16, &done, &hit));
  g_assert_false (add (t, 7, 0, 2, 0, TRUE, other, 16, &done, &hit)); /* overlaps 8..16 */
  g_assert_true (add (t, 7, 0, 3, 24, FALSE, data + 24, 8, &done, &hit));
  g_assert_cmpmem (done.data + 8, 16, data + 8, 16);
  g_assert_cmpmem (done.data, 8, other, 8);
  g_assert_cmpuint (done.pieces[0].frame, ==, 2);
  g_assert_cmpuint (done.pieces[1].frame, ==, 1);
  w4_frag_done_clear (&done);
}

static void
test_datagram_limit (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;

  w4_limits_init (&l);
  g_assert_true (w4_limits_set (&l, "frag-datagrams=2"));
  t = w4_frag_table_new (&l);
  add (t, 1, 0, 1, 0, TRUE, data, 8, &done, &hit);
  add (t, 2, 0, 2, 0, TRUE, data, 8, &done, &hit);
  g_assert_cmpuint (hit, ==, W4_LIMIT_COUNT);
  add (t, 3, 0, 3, 0, TRUE, data, 8, &done, &hit);
  g_assert_cmpuint (hit, ==, W4_LIMIT_FRAG_DATAGRAMS);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 2);
  /* Datagram 1 was the oldest and is gone: its last piece completes nothing. */
  g_assert_false (add (t, 1, 0, 4, 8, FALSE, data + 8, 8, &done, &hit));
}

static void
test_bytes_limit (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;

  w4_limits_init (&l);
  g_assert_true (w4_limits_set (&l, "frag-bytes=24"));
  t = w4_frag_table_new (&l);
  g_assert_false (add (t, 1, 0, 1, 0, TRUE, data, 16, &done, &hit));
  g_assert_false (add (t, 1, 0, 2, 16, FALSE, data + 16, 16, &done, &hit));
  g_assert_cmpuint (hit, ==, W4_LIMIT_FRAG_BYTES);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 0);
}

static void
test_expiry (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;

  w4_limits_init (&l);
  t = w4_frag_table_new (&l);
  add (t, 1, 100, 1, 0, TRUE, data, 16, &done, &hit);
  /* 31 s later the partial datagram is gone. */
  g_assert_false (add (t, 1, 131, 2, 16, FALSE, data + 16, 16, &done, &hit));
  g_assert_cmpuint (w4_frag_table_size (t), ==, 1);
}

/* Times 2^64 s apart (pcapng if_tsoffset): the age saturates, no
 * overflow, and the old datagram goes. */
static void
test_expiry_far_times (void)
{
  W4Limits l;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;

  w4_limits_init (&l);
  t = w4_frag_table_new (&l);
  add (t, 1, G_MININT64, 1, 0, TRUE, data, 16, &done, &hit);
  add (t, 2, G_MAXINT64, 2, 0, TRUE, data, 16, &done, &hit);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 1);
  /* Time going back by 2^64 s keeps what is there. */
  add (t, 3, G_MININT64, 3, 0, TRUE, data, 16, &done, &hit);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 2);
}

/* Partial datagrams are charged as they grow and released when they
 * complete, expire or are dropped; a buffer that does not fit in the
 * budget is not grown: the datagram is given up, counted as refused. */
static void
test_budget (void)
{
  W4Limits l;
  W4Budget b;
  W4FragDone done;
  W4LimitId hit;
  g_autoptr (W4FragTable) t = NULL;
  static guint8 big[60000];

  w4_limits_init (&l);
  w4_budget_init (&b, 1 << 20);
  l.budget = &b;
  t = w4_frag_table_new (&l);
  g_assert_false (add (t, 1, 0, 1, 0, TRUE, data, 16, &done, &hit));
  g_assert_cmpuint (b.by_kind[W4_MEM_FRAGMENTS], >=, 16);
  g_assert_cmpuint (b.used, ==, b.by_kind[W4_MEM_FRAGMENTS]);
  g_assert_true (add (t, 1, 0, 2, 16, FALSE, data + 16, 16, &done, &hit));
  w4_frag_done_clear (&done);
  g_assert_cmpuint (b.used, ==, 0);
  g_assert_cmpuint (b.peak, >=, 32);

  /* expiry releases too */
  g_assert_false (add (t, 2, 0, 3, 0, TRUE, data, 16, &done, &hit));
  g_assert_cmpuint (b.used, >, 0);
  g_assert_false (add (t, 3, 100, 4, 0, TRUE, data, 8, &done, &hit));
  g_assert_cmpuint (w4_frag_table_size (t), ==, 1);
  g_assert_false (add (t, 3, 100, 5, 8, TRUE, big, 59000, &done, &hit));

  /* the rest of the budget taken by others: the next buffer is refused */
  w4_budget_charge (&b, W4_MEM_FLOWS, (1 << 20) - b.used - 100);
  g_assert_false (add (t, 4, 100, 6, 0, TRUE, big, 1000, &done, &hit));
  g_assert_cmpuint (hit, ==, W4_LIMIT_COUNT);
  g_assert_cmpuint (b.refused[W4_MEM_FRAGMENTS], ==, 1);
  g_assert_cmpuint (w4_frag_table_size (t), ==, 1);
  g_clear_pointer (&t, w4_frag_table_free);
  g_assert_cmpuint (b.by_kind[W4_MEM_FRAGMENTS], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ipfrag/in-order", test_in_order);
  g_test_add_func ("/ipfrag/overlap-first-wins", test_overlap_first_wins);
  g_test_add_func ("/ipfrag/limit/datagrams", test_datagram_limit);
  g_test_add_func ("/ipfrag/limit/bytes", test_bytes_limit);
  g_test_add_func ("/ipfrag/expiry-30s", test_expiry);
  g_test_add_func ("/ipfrag/expiry-far-times", test_expiry_far_times);
  g_test_add_func ("/ipfrag/budget", test_budget);
  return g_test_run ();
}
