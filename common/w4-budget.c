/* w4-budget.c: the --max-mem budget (see w4-budget.h). */
#include "w4-budget.h"

#include <errno.h>
#include <string.h>

void
w4_budget_init (W4Budget *b, guint64 max)
{
  memset (b, 0, sizeof *b);
  b->max = max;
}

gboolean
w4_budget_fits (W4Budget *b, W4MemKind kind, guint64 n)
{
  if (b == NULL || b->max == 0 || (b->used <= b->max && n <= b->max - b->used))
    return TRUE;
  b->refused[kind]++;
  return FALSE;
}

void
w4_budget_set_evictor (W4Budget *b, W4EvictKind kind, W4EvictFunc fn, void *user)
{
  b->evictors[kind].fn = fn;
  b->evictors[kind].user = user;
}

static guint64
low_mark (const W4Budget *b)
{
  return b->max / 100 * W4_BUDGET_LOW_MARK;
}

gboolean
w4_budget_enforce (W4Budget *b)
{
  if (!w4_budget_over (b))
    return TRUE;
  b->enforcements++;
  for (int k = 0; k < W4_EVICT_KINDS && b->used > low_mark (b); k++) {
    W4EvictFunc fn = b->evictors[k].fn;

    /* An evictor gives up a batch at a time; ask again while it can. */
    while (fn != NULL && b->used > low_mark (b)) {
      guint64 before = b->used;
      guint64 n = fn (b->evictors[k].user, b->used - low_mark (b));

      b->evicted[k] += n;
      /* Nothing left to give, or items that freed no charged bytes: asking
       * again would never end. */
      if (n == 0 || b->used >= before)
        break;
    }
  }
  return b->used <= b->max;
}

const char *
w4_evict_name (W4EvictKind kind)
{
  static const char *const names[W4_EVICT_KINDS] = {
    [W4_EVICT_IDLE_FLOWS] = "idle-flows",
    [W4_EVICT_DECIDED_EARLY] = "decided-early",
    [W4_EVICT_STREAM_NUMBERS] = "stream-numbers",
    [W4_EVICT_FLOWS] = "flows",
    [W4_EVICT_STATE] = "state",
    [W4_EVICT_FINDINGS] = "findings",
  };
  return (int) kind >= 0 && kind < W4_EVICT_KINDS ? names[kind] : "?";
}

const char *
w4_mem_name (W4MemKind kind)
{
  static const char *const names[W4_MEM_KINDS] = {
    [W4_MEM_FLOWS] = "flows",
    [W4_MEM_REASM] = "reassembly",
    [W4_MEM_HTTP] = "http",
    [W4_MEM_TLS] = "tls",
    [W4_MEM_H2] = "http2",
    [W4_MEM_FRAGMENTS] = "fragments",
    [W4_MEM_STREAM_NUMBERS] = "stream-numbers",
    [W4_MEM_EXCHANGES] = "exchanges",
    [W4_MEM_CLIENTS] = "clients",
    [W4_MEM_AGGREGATES] = "aggregates",
    [W4_MEM_TRACKERS] = "trackers",
    [W4_MEM_FINDINGS] = "findings",
  };
  return (int) kind >= 0 && kind < W4_MEM_KINDS ? names[kind] : "?";
}

gboolean
w4_budget_parse_size (const char *s, guint64 *out)
{
  char *end = NULL;
  guint64 v, mul = 1;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (s, &end, 10);
  if (errno == ERANGE)
    return FALSE;
  if (g_ascii_strcasecmp (end, "k") == 0 || g_ascii_strcasecmp (end, "kib") == 0)
    mul = 1ull << 10;
  else if (g_ascii_strcasecmp (end, "m") == 0 || g_ascii_strcasecmp (end, "mib") == 0)
    mul = 1ull << 20;
  else if (g_ascii_strcasecmp (end, "g") == 0 || g_ascii_strcasecmp (end, "gib") == 0)
    mul = 1ull << 30;
  else if (*end != '\0')
    return FALSE;
  if (v > G_MAXUINT64 / mul || v * mul < (1ull << 20))
    return FALSE;
  *out = v * mul;
  return TRUE;
}

/* @bytes in @unit (named @name): whole when exact, else one decimal,
 * rounded down. Integer arithmetic: printf's %f would follow the locale's
 * decimal separator. */
static char *
format_in_unit (guint64 bytes, guint64 unit, const char *name)
{
  guint64 whole = bytes / unit, tenths = (bytes % unit) * 10 / unit;

  if (bytes % unit == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", whole, name);
  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " %s", whole, tenths, name);
}

char *
w4_budget_format_size (guint64 bytes)
{
  if (bytes >= (1ull << 30))
    return format_in_unit (bytes, 1ull << 30, "GiB");
  if (bytes >= (1ull << 20))
    return format_in_unit (bytes, 1ull << 20, "MiB");
  return format_in_unit (bytes, 1ull << 10, "KiB");
}
