/* test-budget.c: the --max-mem budget: charges and their peak, fits and
 * refusals, the order evictors are asked in and where they stop, sizes. */
#include "w4-budget.h"

/* NULL is no budget: every call is a no-op and everything fits. */
static void
test_null_budget (void)
{
  w4_budget_charge (NULL, W4_MEM_FLOWS, 100);
  w4_budget_release (NULL, W4_MEM_FLOWS, 100);
  g_assert_false (w4_budget_over (NULL));
  g_assert_true (w4_budget_fits (NULL, W4_MEM_REASM, G_MAXUINT64));
  g_assert_true (w4_budget_enforce (NULL));
}

static void
test_charge_release_peak (void)
{
  W4Budget b;

  w4_budget_init (&b, 1000);
  w4_budget_charge (&b, W4_MEM_FLOWS, 300);
  w4_budget_charge (&b, W4_MEM_HTTP, 200);
  g_assert_cmpuint (b.used, ==, 500);
  g_assert_cmpuint (b.by_kind[W4_MEM_FLOWS], ==, 300);
  w4_budget_release (&b, W4_MEM_FLOWS, 300);
  w4_budget_charge (&b, W4_MEM_FINDINGS, 100);
  g_assert_cmpuint (b.used, ==, 300);
  /* the peak and its make-up are those of the moment `used` was highest */
  g_assert_cmpuint (b.peak, ==, 500);
  g_assert_cmpuint (b.peak_by_kind[W4_MEM_FLOWS], ==, 300);
  g_assert_cmpuint (b.peak_by_kind[W4_MEM_HTTP], ==, 200);
  g_assert_cmpuint (b.peak_by_kind[W4_MEM_FINDINGS], ==, 0);
  /* releasing more than was charged never wraps */
  w4_budget_release (&b, W4_MEM_HTTP, 10000);
  g_assert_cmpuint (b.by_kind[W4_MEM_HTTP], ==, 0);
  g_assert_cmpuint (b.used, ==, 100);
  w4_budget_release (&b, W4_MEM_FINDINGS, 10000);
  g_assert_cmpuint (b.used, ==, 0);
  g_assert_false (w4_budget_over (&b));
}

static void
test_fits_refused (void)
{
  W4Budget b;

  w4_budget_init (&b, 1000);
  w4_budget_charge (&b, W4_MEM_FLOWS, 900);
  g_assert_true (w4_budget_fits (&b, W4_MEM_REASM, 100));
  g_assert_false (w4_budget_fits (&b, W4_MEM_REASM, 101));
  g_assert_false (w4_budget_fits (&b, W4_MEM_H2, G_MAXUINT64));
  g_assert_cmpuint (b.refused[W4_MEM_REASM], ==, 1);
  g_assert_cmpuint (b.refused[W4_MEM_H2], ==, 1);
  /* already over: nothing more fits */
  w4_budget_charge (&b, W4_MEM_FLOWS, 200);
  g_assert_true (w4_budget_over (&b));
  g_assert_false (w4_budget_fits (&b, W4_MEM_REASM, 0));
  /* no budget (max 0): everything fits, nothing is over */
  w4_budget_init (&b, 0);
  w4_budget_charge (&b, W4_MEM_FLOWS, G_MAXUINT32);
  g_assert_false (w4_budget_over (&b));
  g_assert_true (w4_budget_fits (&b, W4_MEM_REASM, G_MAXUINT32));
  g_assert_true (w4_budget_enforce (&b));
  g_assert_cmpuint (b.enforcements, ==, 0);
}

/* A test evictor: gives up items of @size bytes of @kind, @batch at a
 * time, until it has none; records the order it was called in. */
typedef struct {
  W4Budget *b;
  W4MemKind kind;
  guint64 items, size, batch;
  guint64 bytes_per_item_freed; /* what it really releases per item */
  GString *log;
  char tag;
} TestPool;

static guint64
test_evict (void *user, guint64 want)
{
  TestPool *p = user;
  guint64 n = 0;

  g_string_append_c (p->log, p->tag);
  g_assert_cmpuint (want, >, 0);
  while (p->items > 0 && n < p->batch) {
    p->items--;
    n++;
    w4_budget_release (p->b, p->kind, p->bytes_per_item_freed);
  }
  return n;
}

static void
pool_fill (TestPool *p, W4Budget *b, W4MemKind kind, guint64 items, guint64 size, char tag,
           GString *log)
{
  p->b = b;
  p->kind = kind;
  p->items = items;
  p->size = p->bytes_per_item_freed = size;
  p->batch = 4;
  p->tag = tag;
  p->log = log;
  w4_budget_charge (b, kind, items * size);
}

/* Evictors are asked least useful first, each until it has nothing left,
 * and only until the use is under the low mark (90 % of max). */
static void
test_enforce_order_low_mark (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  W4Budget b;
  TestPool idle, early, state;

  w4_budget_init (&b, 10000);
  pool_fill (&idle, &b, W4_MEM_FLOWS, 10, 100, 'i', log);    /* 1000 */
  pool_fill (&early, &b, W4_MEM_EXCHANGES, 50, 100, 'd', log); /* 5000 */
  pool_fill (&state, &b, W4_MEM_CLIENTS, 50, 100, 's', log);   /* 5000 */
  /* registered out of order: enforce still asks in W4EvictKind order */
  w4_budget_set_evictor (&b, W4_EVICT_STATE, test_evict, &state);
  w4_budget_set_evictor (&b, W4_EVICT_IDLE_FLOWS, test_evict, &idle);
  w4_budget_set_evictor (&b, W4_EVICT_DECIDED_EARLY, test_evict, &early);
  g_assert_cmpuint (b.used, ==, 11000);
  g_assert_true (w4_budget_over (&b));

  g_assert_true (w4_budget_enforce (&b));
  g_assert_cmpuint (b.enforcements, ==, 1);
  /* 11000 -> 9000: all 10 idle flows (1000: batches of 4, 4, 2, then a
   * call that finds none), then undecided ones in batches of 4 until the
   * low mark: 12 (1200) */
  g_assert_cmpuint (b.evicted[W4_EVICT_IDLE_FLOWS], ==, 10);
  g_assert_cmpuint (b.evicted[W4_EVICT_DECIDED_EARLY], ==, 12);
  g_assert_cmpuint (b.evicted[W4_EVICT_STATE], ==, 0);
  g_assert_cmpuint (b.used, <=, 9000);
  g_assert_cmpstr (log->str, ==, "iiiiddd");
  g_assert_false (w4_budget_over (&b));

  /* under max: enforcing does nothing */
  g_assert_true (w4_budget_enforce (&b));
  g_assert_cmpuint (b.enforcements, ==, 1);
  g_assert_cmpstr (log->str, ==, "iiiiddd");
}

/* When the evictors cannot free enough, enforce says so and stops. */
static void
test_enforce_not_enough (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  W4Budget b;
  TestPool idle;

  w4_budget_init (&b, 1000);
  pool_fill (&idle, &b, W4_MEM_FLOWS, 2, 100, 'i', log);
  w4_budget_charge (&b, W4_MEM_TLS, 2000); /* nobody evicts TLS */
  w4_budget_set_evictor (&b, W4_EVICT_IDLE_FLOWS, test_evict, &idle);
  g_assert_false (w4_budget_enforce (&b));
  g_assert_cmpuint (b.evicted[W4_EVICT_IDLE_FLOWS], ==, 2);
  g_assert_cmpuint (b.used, ==, 2000);
  /* asked once more, finding nothing: it answered 0 */
  g_assert_cmpstr (log->str, ==, "ii");
}

/* An evictor that gives up items without releasing their bytes (a bug in
 * a stage) is not asked forever. */
static void
test_enforce_no_progress (void)
{
  g_autoptr (GString) log = g_string_new (NULL);
  W4Budget b;
  TestPool leaky;

  w4_budget_init (&b, 1000);
  pool_fill (&leaky, &b, W4_MEM_FINDINGS, 1000, 2, 'f', log);
  leaky.bytes_per_item_freed = 0;
  w4_budget_set_evictor (&b, W4_EVICT_FINDINGS, test_evict, &leaky);
  g_assert_false (w4_budget_enforce (&b));
  g_assert_cmpstr (log->str, ==, "f");
  g_assert_cmpuint (b.evicted[W4_EVICT_FINDINGS], ==, 4);
}

static void
test_names (void)
{
  g_assert_cmpstr (w4_evict_name (W4_EVICT_IDLE_FLOWS), ==, "idle-flows");
  g_assert_cmpstr (w4_evict_name (W4_EVICT_STREAM_NUMBERS), ==, "stream-numbers");
  g_assert_cmpstr (w4_evict_name (W4_EVICT_FINDINGS), ==, "findings");
  g_assert_cmpstr (w4_evict_name (W4_EVICT_KINDS), ==, "?");
  g_assert_cmpstr (w4_mem_name (W4_MEM_REASM), ==, "reassembly");
  g_assert_cmpstr (w4_mem_name (W4_MEM_KINDS), ==, "?");
  for (int k = 0; k < W4_MEM_KINDS; k++)
    g_assert_cmpstr (w4_mem_name ((W4MemKind) k), !=, "?");
  for (int k = 0; k < W4_EVICT_KINDS; k++)
    g_assert_nonnull (w4_evict_name ((W4EvictKind) k));
}

static void
test_parse_size (void)
{
  static const struct {
    const char *in;
    gboolean ok;
    guint64 bytes;
  } cases[] = {
    { "1048576", TRUE, 1048576 },
    { "1048575", FALSE, 0 },       /* below 1 MiB */
    { "0", FALSE, 0 },
    { "1024k", TRUE, 1 << 20 },
    { "1024K", TRUE, 1 << 20 },
    { "1023K", FALSE, 0 },
    { "64M", TRUE, 64ull << 20 },
    { "64MiB", TRUE, 64ull << 20 },
    { "64mib", TRUE, 64ull << 20 },
    { "512m", TRUE, 512ull << 20 },
    { "2G", TRUE, 2ull << 30 },
    { "2GiB", TRUE, 2ull << 30 },
    { "1M", TRUE, 1 << 20 },
    { "", FALSE, 0 },
    { "M", FALSE, 0 },
    { "-1M", FALSE, 0 },
    { "+1M", FALSE, 0 },
    { " 1M", FALSE, 0 },
    { "1 M", FALSE, 0 },
    { "1.5G", FALSE, 0 },
    { "64MB", FALSE, 0 },          /* ambiguous (1000 or 1024): refused */
    { "64T", FALSE, 0 },
    { "0x100M", FALSE, 0 },
    { "18446744073709551615", TRUE, G_MAXUINT64 },
    { "18446744073709551616", FALSE, 0 }, /* past 64 bits */
    { "17179869184G", FALSE, 0 },         /* 2^64 bytes */
    { "17179869183G", TRUE, 17179869183ull << 30 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint64 v = 7;
    gboolean ok = w4_budget_parse_size (cases[i].in, &v);

    g_test_message ("'%s'", cases[i].in);
    g_assert_cmpint (ok, ==, cases[i].ok);
    g_assert_cmpuint (v, ==, ok ? cases[i].bytes : 7);
  }
  g_assert_false (w4_budget_parse_size (NULL, NULL));
}

static void
test_format_size (void)
{
  static const struct {
    guint64 bytes;
    const char *text;
  } cases[] = {
    { 64ull << 20, "64 MiB" },
    { 512ull << 20, "512 MiB" },
    { 1ull << 30, "1 GiB" },
    { 3ull << 29, "1.5 GiB" },
    { (1ull << 20) + 1, "1.0 MiB" },
    { (2ull << 20) - 1, "1.9 MiB" },
    { 300ull << 10, "300 KiB" },
    { 1536, "1.5 KiB" },
    { 0, "0 KiB" },
    { G_MAXUINT64, "17179869183.9 GiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *s = w4_budget_format_size (cases[i].bytes);
    g_assert_cmpstr (s, ==, cases[i].text);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/budget/null", test_null_budget);
  g_test_add_func ("/budget/charge-release-peak", test_charge_release_peak);
  g_test_add_func ("/budget/fits-refused", test_fits_refused);
  g_test_add_func ("/budget/enforce-order-low-mark", test_enforce_order_low_mark);
  g_test_add_func ("/budget/enforce-not-enough", test_enforce_not_enough);
  g_test_add_func ("/budget/enforce-no-progress", test_enforce_no_progress);
  g_test_add_func ("/budget/names", test_names);
  g_test_add_func ("/budget/parse-size", test_parse_size);
  g_test_add_func ("/budget/format-size", test_format_size);
  return g_test_run ();
}
