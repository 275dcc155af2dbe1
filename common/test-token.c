/* test-token.c: the field-value toolkit (w4-token.h).
 *
 * Every input is copied into a buffer of exactly its length (no NUL after
 * it), so AddressSanitizer sees a read one past the end; every input is
 * also read as each of its truncated prefixes, with what a prefix must give
 * stated from the whole input's answer. */
#include "w4-token.h"

#define IN(s) s, sizeof (s) - 1

static char *
dup_exact (const char *s, gsize len)
{
  return len ? g_memdup2 (s, len) : NULL;
}

static void
test_classes (void)
{
  const char *tchars = "!#$%&'*+-.^_`|~09azAZ";
  const char *not_tchars = "\"(),/:;<=>?@[\\]{} \t\x7f";

  for (const char *p = tchars; *p; p++)
    g_assert_true (w4_tok_is_tchar ((guchar) *p));
  for (const char *p = not_tchars; *p; p++)
    g_assert_false (w4_tok_is_tchar ((guchar) *p));
  g_assert_false (w4_tok_is_tchar (0x80));
  g_assert_false (w4_tok_is_tchar (0));
  g_assert_true (w4_tok_is_ows (' ') && w4_tok_is_ows ('\t'));
  g_assert_false (w4_tok_is_ows ('\r') || w4_tok_is_ows ('\n') || w4_tok_is_ows (0));
  g_assert_true (w4_tok_is_ctl (0) && w4_tok_is_ctl ('\t') && w4_tok_is_ctl (0x1f) &&
                 w4_tok_is_ctl (0x7f));
  g_assert_false (w4_tok_is_ctl (' ') || w4_tok_is_ctl (0x80));
}

static void
test_span_ieq (void)
{
  g_assert_true (w4_tok_span_ieq (IN ("BASIC"), "basic"));
  g_assert_true (w4_tok_span_ieq ("Basic realm", 5, "basic"));
  g_assert_false (w4_tok_span_ieq (IN ("Basi"), "basic"));
  g_assert_false (w4_tok_span_ieq (IN ("Basics"), "basic"));
  g_assert_true (w4_tok_span_ieq (NULL, 0, ""));
  /* a prefix equals the literal only when it is the whole literal */
  for (gsize n = 0; n <= 6; n++) {
    g_autofree char *b = dup_exact ("Bearer", n);
    g_assert_cmpint (w4_tok_span_ieq (b, n, "bearer"), ==, n == 6);
  }
}

typedef struct {
  const char *in;
  gsize len;
  const char *want; /* after trimming */
} TrimCase;

static void
test_trim (void)
{
  static const TrimCase cases[] = {
    { IN ("abc"), "abc" },
    { IN ("  abc\t "), "abc" },
    { IN ("\t a b \t"), "a b" },
    { IN (" \t "), "" },
    { IN (""), "" },
    { IN ("a\r\n"), "a\r\n" }, /* CR LF are not OWS */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (gsize n = 0; n <= cases[i].len; n++) {
      g_autofree char *b = dup_exact (cases[i].in, n);
      const char *s = b, *ref = cases[i].in;
      gsize len = n, ref_len = n;

      w4_tok_trim_ows (&s, &len);
      /* the reference: drop OWS from both ends by hand */
      while (ref_len > 0 && (ref[0] == ' ' || ref[0] == '\t')) {
        ref++;
        ref_len--;
      }
      while (ref_len > 0 && (ref[ref_len - 1] == ' ' || ref[ref_len - 1] == '\t'))
        ref_len--;
      g_assert_cmpuint (len, ==, ref_len);
      if (len > 0)
        g_assert_cmpmem (s, len, ref, ref_len);
      if (n == cases[i].len)
        g_assert_cmpmem (s, len, cases[i].want, strlen (cases[i].want));
    }
  }
}

typedef struct {
  const char *in;
  gsize len;
  gsize ows, token; /* bytes of OWS skipped, then of the token read */
} TokenCase;

static void
test_token (void)
{
  static const TokenCase cases[] = {
    { IN ("Basic realm"), 0, 5 },
    { IN ("  \tBearer,"), 3, 6 },
    { IN ("AWS4-HMAC-SHA256 x"), 0, 16 },
    { IN ("!#$%&'*+-.^_`|~z="), 0, 16 },
    { IN ("=x"), 0, 0 },
    { IN ("\"q\""), 0, 0 },
    { IN ("caf\xc3\xa9"), 0, 3 },
    { IN (""), 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    const TokenCase *c = &cases[i];
    for (gsize n = 0; n <= c->len; n++) {
      g_autofree char *b = dup_exact (c->in, n);
      W4Tok t = w4_tok_init (b, n);
      gsize ows = w4_tok_skip_ows (&t), tok = w4_tok_token (&t);

      /* a prefix holds as much of the OWS and the token as it has */
      g_assert_cmpuint (ows, ==, MIN (c->ows, n));
      g_assert_cmpuint (tok, ==, n > c->ows ? MIN (c->token, n - c->ows) : 0);
      g_assert_cmpuint (t.off, ==, ows + tok);
      g_assert_true (t.off <= t.len);
    }
  }
}

typedef struct {
  const char *in;
  gsize len;
  gboolean ok;
  const char *want; /* the unescaped text (when ok) */
  gsize end;        /* cursor after the closing quote (when ok) */
} QuotedCase;

static void
test_quoted (void)
{
  static const QuotedCase cases[] = {
    { IN ("\"WallyWorld\""), TRUE, "WallyWorld", 12 },
    { IN ("\"a, b\", x"), TRUE, "a, b", 6 },
    { IN ("\"a\\\"b\\\\c\"rest"), TRUE, "a\"b\\c", 9 },
    { IN ("\"tab\there\""), TRUE, "tab\there", 10 },
    { IN ("\"\""), TRUE, "", 2 },
    { IN ("\"caf\xc3\xa9\""), TRUE, "caf\xc3\xa9", 7 },
    { IN ("\"unterminated"), FALSE, NULL, 0 },
    { IN ("\"ends in backslash\\"), FALSE, NULL, 0 },
    { IN ("\"nl\nx\""), FALSE, NULL, 0 },
    { IN ("\"esc\\\nx\""), FALSE, NULL, 0 },
    { IN ("\"del\x7f\""), FALSE, NULL, 0 },
    { IN ("noquote"), FALSE, NULL, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    const QuotedCase *c = &cases[i];
    for (gsize n = 0; n <= c->len; n++) {
      g_autofree char *b = dup_exact (c->in, n);
      g_autoptr (GString) out = g_string_new (NULL);
      W4Tok t = w4_tok_init (b, n);
      gboolean ok = w4_tok_quoted (&t, out, 4096);

      g_assert_true (t.off <= t.len);
      if (c->ok && n >= c->end) {
        /* the closing quote is inside the prefix: the same answer */
        g_assert_true (ok);
        g_assert_cmpstr (out->str, ==, c->want);
        g_assert_cmpuint (t.off, ==, c->end);
      } else {
        /* cut before its closing quote, or bad anyway */
        g_assert_false (ok);
      }
    }
  }
}

static void
test_quoted_cap (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  W4Tok t = w4_tok_init (IN ("\"abcdefgh\" tail"));

  g_assert_true (w4_tok_quoted (&t, out, 3));
  g_assert_cmpstr (out->str, ==, "abc");
  g_assert_cmpuint (t.off, ==, 10); /* read to the end all the same */
}

typedef struct {
  const char *in;
  gsize len;
  gboolean sep;
  gsize end;
} SepCase;

static void
test_list_sep (void)
{
  static const SepCase cases[] = {
    { IN (", next"), TRUE, 2 },
    { IN (" ,, \t, next"), TRUE, 7 },
    { IN ("  "), TRUE, 2 },
    { IN (""), TRUE, 0 },
    { IN (" x"), FALSE, 1 },
    { IN (";"), FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    const SepCase *c = &cases[i];
    for (gsize n = 0; n <= c->len; n++) {
      g_autofree char *b = dup_exact (c->in, n);
      W4Tok t = w4_tok_init (b, n);
      gboolean sep = w4_tok_list_sep (&t);

      g_assert_true (t.off <= t.len);
      if (n == c->len) {
        g_assert_cmpint (sep, ==, c->sep);
        g_assert_cmpuint (t.off, ==, c->end);
      } else if (n <= c->end) {
        /* only separators and OWS so far: the end of the value is reached */
        g_assert_true (sep);
        g_assert_cmpuint (t.off, ==, n);
      }
    }
  }
}

/* Percent-decoding: whole escapes decoded, broken ones kept and reported,
 * the cap honoured; every input read from an exact-length copy. */
static void
test_pct_decode (void)
{
  static const struct {
    const char *in;
    gsize max_keep;
    const char *out;
    gboolean whole;
  } cases[] = {
    { "J%C3%A4s%c3%b8n", 64, "J\xc3\xa4s\xc3\xb8n", TRUE },
    { "access%5Ftoken", 64, "access_token", TRUE },
    { "plain", 64, "plain", TRUE },
    { "", 64, "", TRUE },
    { "100%", 64, "100%", FALSE },
    { "a%4", 64, "a%4", FALSE },
    { "a%zz", 64, "a%zz", FALSE },
    { "%41%42%43", 2, "AB", TRUE },
    { "abcdef", 3, "abc", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    gsize len = strlen (cases[i].in);
    g_autofree char *in = dup_exact (cases[i].in, len);
    g_autoptr (GString) out = g_string_new (NULL);

    g_assert_cmpint (w4_tok_pct_decode (in, len, out, cases[i].max_keep), ==, cases[i].whole);
    g_assert_cmpstr (out->str, ==, cases[i].out);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token/classes", test_classes);
  g_test_add_func ("/token/span-ieq", test_span_ieq);
  g_test_add_func ("/token/trim-ows", test_trim);
  g_test_add_func ("/token/token", test_token);
  g_test_add_func ("/token/quoted", test_quoted);
  g_test_add_func ("/token/quoted-cap", test_quoted_cap);
  g_test_add_func ("/token/list-sep", test_list_sep);
  g_test_add_func ("/token/pct-decode", test_pct_decode);
  return g_test_run ();
}
