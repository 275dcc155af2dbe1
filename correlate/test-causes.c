/* test-causes.c: the cause table against the contract.
 *
 * The contract's codes are embedded below in its order (the failure table
 * of ../shared/spec/FINDINGS.md top to bottom, then the codes of its other
 * sections), so the table is checked even where the contract is not at
 * hand. When it is (W4_FINDINGS names it), its failure and risk tables are
 * also parsed and compared with the rows, which catches a contract that
 * moved on without the code. */
#include <string.h>

#include "causes.h"
#include "rule.h"

/* The contract's codes, precedence order for the failures. */
static const struct {
  const char *code;
  W4Kind kind;
} contract[] = {
  { "cors-preflight", W4_KIND_FAILURE },
  { "connection-auth-broken", W4_KIND_FAILURE },
  { "credentials-dropped-on-redirect", W4_KIND_FAILURE },
  { "proxy-dropped-credentials", W4_KIND_FAILURE },
  { "wrong-auth-header", W4_KIND_FAILURE },
  { "expired-token", W4_KIND_FAILURE },
  { "token-not-yet-valid", W4_KIND_FAILURE },
  { "stale-nonce", W4_KIND_FAILURE },
  { "digest-mismatch", W4_KIND_FAILURE },
  { "scheme-mismatch", W4_KIND_FAILURE },
  { "malformed-credentials", W4_KIND_FAILURE },
  { "insecure-cookie-dropped", W4_KIND_FAILURE },
  { "cookie-expired", W4_KIND_FAILURE },
  { "cookie-not-sent", W4_KIND_FAILURE },
  { "csrf-token-missing", W4_KIND_FAILURE },
  { "permission-denied", W4_KIND_FAILURE },
  { "session-expired", W4_KIND_FAILURE },
  { "no-credentials", W4_KIND_FAILURE },
  { "rejected-credentials", W4_KIND_FAILURE },
  { "forbidden", W4_KIND_FAILURE },
  { "unexplained", W4_KIND_FAILURE },
  /* never primary, only in related */
  { "missing-challenge", W4_KIND_FAILURE },
  { "challenge", W4_KIND_NOTE },
  { "cleartext-credentials", W4_KIND_RISK },
  { "retry-storm", W4_KIND_RISK },
  { "not-decrypted", W4_KIND_INFO },
  { "gap", W4_KIND_INFO },
  { "limit", W4_KIND_INFO },
  /* an extension: HTTP/2 seen, not parsed yet */
  { "not-parsed", W4_KIND_INFO },
};

static void
test_order_and_codes (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (contract), ==, W4_CAUSE_COUNT);
  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);

    g_assert_nonnull (row);
    g_assert_cmpint (row->cause, ==, i);
    g_assert_cmpstr (row->code, ==, contract[i].code);
    g_assert_cmpstr (w4_cause_name ((W4Cause) i), ==, contract[i].code);
    g_assert_cmpint (row->kind, ==, contract[i].kind);
    g_assert_nonnull (row->means);
    g_assert_nonnull (row->fix);
  }
  g_assert_null (w4_cause_info (W4_CAUSE_COUNT));
  g_assert_cmpstr (w4_cause_name (W4_CAUSE_COUNT), ==, "unknown");
}

/* FINDINGS "For a 403, the codes no-credentials, rejected-credentials and
 * unexplained are replaced by forbidden", which is 403 only. */
static void
test_statuses (void)
{
  g_assert_cmpuint (w4_cause_info (W4_CAUSE_FORBIDDEN)->statuses, ==, W4_ST_403);
  g_assert_false (w4_cause_info (W4_CAUSE_NO_CREDENTIALS)->statuses & W4_ST_403);
  g_assert_false (w4_cause_info (W4_CAUSE_REJECTED_CREDENTIALS)->statuses & W4_ST_403);
  g_assert_false (w4_cause_info (W4_CAUSE_UNEXPLAINED)->statuses & W4_ST_403);
  g_assert_cmpuint (w4_cause_info (W4_CAUSE_WRONG_AUTH_HEADER)->statuses, ==,
                    W4_ST_401 | W4_ST_407);
  /* the handshake check and missing-challenge are for 401 and 407 only
   * (a 403 has no challenge to answer); decide.c reads these rows */
  g_assert_cmpuint (w4_cause_info (W4_CAUSE_CHALLENGE)->statuses, ==, W4_ST_401 | W4_ST_407);
  g_assert_cmpuint (w4_cause_info (W4_CAUSE_MISSING_CHALLENGE)->statuses, ==,
                    W4_ST_401 | W4_ST_407);
  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);
    /* a failure or note applies to some status, a risk or info to none */
    g_assert_cmpint (row->statuses != 0, ==,
                     row->kind == W4_KIND_FAILURE || row->kind == W4_KIND_NOTE);
  }
  g_assert_cmpuint (w4_cause_status_bit (401), ==, W4_ST_401);
  g_assert_cmpuint (w4_cause_status_bit (407), ==, W4_ST_407);
  g_assert_cmpuint (w4_cause_status_bit (403), ==, W4_ST_403);
  g_assert_cmpuint (w4_cause_status_bit (404), ==, 0);
}

/* Every failure has a rule with holds and explain, or none yet (the
 * engine skips it); forbidden and unexplained are the only fallbacks, one
 * for each status. */
static void
test_rules (void)
{
  static const W4Cause not_yet[] = {
    W4_CAUSE_MISSING_CHALLENGE, /* no rule: decide.c adds it to related */
  };
  static const guint statuses[] = { W4_ST_401, W4_ST_407, W4_ST_403 };

  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);
    gboolean later = FALSE;

    for (guint j = 0; j < G_N_ELEMENTS (not_yet); j++)
      later |= not_yet[j] == row->cause;
    if (row->kind != W4_KIND_FAILURE || later) {
      g_assert_null (row->rule);
      continue;
    }
    g_assert_nonnull (row->rule);
    g_assert_nonnull (row->rule->holds);
    g_assert_nonnull (row->rule->explain);
    g_assert_cmpint (row->rule->fallback, ==,
                     row->cause == W4_CAUSE_FORBIDDEN || row->cause == W4_CAUSE_UNEXPLAINED);
  }
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++) {
    guint n = 0;
    for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
      const W4CauseInfo *row = w4_cause_info ((W4Cause) i);
      n += row->rule != NULL && row->rule->fallback && (row->statuses & statuses[s]);
    }
    g_assert_cmpuint (n, ==, 1);
  }
}

/* The codes of the table that follows the heading @section in @md: the
 * first column of each row, "| `code` | ...". */
static GPtrArray *
contract_codes (const char *md, const char *section)
{
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);
  const char *p = strstr (md, section);
  g_auto (GStrv) lines = NULL;

  if (p == NULL)
    return codes;
  p += strlen (section);
  lines = g_strsplit (p, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *l = lines[i];
    const char *end;

    if (g_str_has_prefix (l, "## "))
      break;
    if (!g_str_has_prefix (l, "| `"))
      continue;
    end = strchr (l + 3, '`');
    if (end != NULL)
      g_ptr_array_add (codes, g_strndup (l + 3, end - (l + 3)));
  }
  return codes;
}

static void
compare_section (const char *md, const char *section, W4Kind kind)
{
  g_autoptr (GPtrArray) codes = contract_codes (md, section);
  guint n = 0;

  g_assert_cmpuint (codes->len, >, 0);
  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);

    /* missing-challenge is a sentence after the failure table, not a row */
    if (row->kind != kind || row->cause == W4_CAUSE_MISSING_CHALLENGE)
      continue;
    if (row->cause == W4_CAUSE_NOT_PARSED || n >= codes->len)
      break;
    g_assert_cmpstr (row->code, ==, g_ptr_array_index (codes, n));
    n++;
  }
  g_assert_cmpuint (n, ==, codes->len);
}

static void
test_contract_file (void)
{
  const char *path = g_getenv ("W4_FINDINGS");
  g_autofree char *md = NULL;

  if (path == NULL || !g_file_get_contents (path, &md, NULL, NULL)) {
    g_test_skip ("the contract (FINDINGS.md) is not at hand: checked against the embedded "
                 "list only");
    return;
  }
  compare_section (md, "## Failure causes", W4_KIND_FAILURE);
  compare_section (md, "## Risks", W4_KIND_RISK);
}

/* The parser above, on a table whose order differs: the check can fail. */
static void
test_contract_parser (void)
{
  static const char md[] = "## Failure causes\n\n| code | x |\n|---|---|\n"
                           "| `wrong-auth-header` | a |\n| `cors-preflight` | b |\n\n"
                           "## Risks\n| `retry-storm` | c |\n";
  g_autoptr (GPtrArray) f = contract_codes (md, "## Failure causes");
  g_autoptr (GPtrArray) r = contract_codes (md, "## Risks");

  g_assert_cmpuint (f->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f, 0), ==, "wrong-auth-header");
  g_assert_cmpstr (g_ptr_array_index (f, 1), !=, w4_cause_name (W4_CAUSE_WRONG_AUTH_HEADER));
  g_assert_cmpuint (r->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r, 0), ==, "retry-storm");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/causes/order-and-codes", test_order_and_codes);
  g_test_add_func ("/causes/statuses", test_statuses);
  g_test_add_func ("/causes/rules", test_rules);
  g_test_add_func ("/causes/contract-parser", test_contract_parser);
  g_test_add_func ("/causes/contract-file", test_contract_file);
  return g_test_run ();
}
