/* fuzz-jsonw.c: libFuzzer target for the streaming JSON writer
 * (w4-jsonw.h) against jansson.
 *
 * The input is a little program: each byte picks an operation (open an
 * array or an object, close one, a string of the next N bytes, a C string,
 * an integer from the next 8 bytes, true, false, null), and a value inside
 * an object first takes its key from the input. Every operation goes to
 * two writers (compact, and indented two spaces at a base depth the first
 * byte picks) and builds the same json_t tree. At the end the bytes must be
 * what jansson dumps for the tree (JSON_COMPACT; JSON_INDENT (2) with the
 * base as report/json.c's old w4_json_write_indented added it), and the
 * compact bytes must parse with json_loads into an equal tree that dumps to
 * the same bytes again.
 *
 * Strings take any bytes: jansson gets what the report gave it before the
 * writer, each NUL-free piece made valid by g_utf8_make_valid; the writer
 * gets the raw bytes. Equal keys are made unique (a "#n" suffix), since
 * jansson keeps one member per key and the writer writes what it is given.
 *
 * Run, after `CC=clang meson setup build-fuzz -Dfuzz=true
 * -Db_sanitize=address,undefined -Db_lundef=false`:
 *   build-fuzz/report/fuzz-jsonw -max_total_time=300 -max_len=4096
 * In the ordinary build replay-jsonw feeds it the files on its command
 * line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w4-jsonw.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Deeper than this, an opening is read as null: jansson's dump and load
 * recurse (json_loads stops at 2048 levels). */
#define FUZZ_MAX_DEPTH 200

typedef struct {
  const guint8 *p;
  gsize left;
} FuzzIn;

typedef struct {
  W4JsonW compact, indented;
  json_t *stack[FUZZ_MAX_DEPTH + 1]; /* (borrowed) the open containers, the root first */
  guint depth;
  guint base;
} Fuzz;

static gboolean
fuzz_byte (FuzzIn *in, guint8 *b)
{
  if (in->left == 0)
    return FALSE;
  *b = *in->p++;
  in->left--;
  return TRUE;
}

/* The next (length byte, bytes) from the input: as many as are left. */
static const char *
fuzz_bytes (FuzzIn *in, gsize *len)
{
  guint8 n = 0;
  const char *s;

  (void) fuzz_byte (in, &n);
  *len = MIN ((gsize) n, in->left);
  s = (const char *) in->p;
  in->p += *len;
  in->left -= *len;
  return s;
}

/* What the report handed jansson for @len bytes of @s: each piece between
 * NUL bytes made valid UTF-8 (transfer full, @out_len bytes). */
static char *
fuzz_made_valid (const char *s, gsize len, gsize *out_len)
{
  GString *out = g_string_sized_new (len);
  gsize start = 0;

  for (gsize i = 0; i <= len; i++) {
    if (i < len && s[i] != '\0')
      continue;
    if (i > start) {
      g_autofree char *piece = g_utf8_make_valid (s + start, (gssize) (i - start));
      g_string_append (out, piece);
    }
    if (i < len)
      g_string_append_c (out, '\0');
    start = i + 1;
  }
  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* Adds @v (transfer full) to the open container under @key (objects). */
static void
fuzz_tree_add (Fuzz *f, const char *key, json_t *v)
{
  json_t *top = f->stack[f->depth];

  if (v == NULL)
    abort (); /* jansson refused what the report would have given it */
  if (json_is_object (top)) {
    if (json_object_set_new (top, key, v) != 0)
      abort ();
  } else {
    json_array_append_new (top, v);
  }
}

/* An object member's key, written to both writers: the raw bytes up to a
 * NUL to the writer, made valid (and unique) to jansson. Returns the key
 * for jansson (transfer full), or NULL outside an object. */
static char *
fuzz_key (Fuzz *f, FuzzIn *in)
{
  json_t *top = f->stack[f->depth];
  gsize len, valid_len;
  const char *raw;
  g_autofree char *cut = NULL;
  char *valid;
  GString *suffix;

  if (!json_is_object (top))
    return NULL;
  raw = fuzz_bytes (in, &len);
  cut = g_strndup (raw, len); /* keys are C strings */
  valid = fuzz_made_valid (cut, strlen (cut), &valid_len);
  /* ASCII after the raw bytes cannot change how they are made valid */
  suffix = g_string_new (NULL);
  for (guint n = 1; json_object_get (top, valid) != NULL; n++) {
    g_autofree char *raw_key = NULL;

    g_string_printf (suffix, "#%u", n);
    raw_key = g_strconcat (cut, suffix->str, NULL);
    g_free (valid);
    valid = fuzz_made_valid (raw_key, strlen (raw_key), &valid_len);
  }
  {
    g_autofree char *raw_key = g_strconcat (cut, suffix->str, NULL);
    w4_jsonw_key (&f->compact, raw_key);
    w4_jsonw_key (&f->indented, raw_key);
  }
  g_string_free (suffix, TRUE);
  return valid;
}

static void
fuzz_open (Fuzz *f, FuzzIn *in, gboolean object)
{
  g_autofree char *key = fuzz_key (f, in);
  json_t *c;

  if (f->depth == FUZZ_MAX_DEPTH) {
    w4_jsonw_null (&f->compact);
    w4_jsonw_null (&f->indented);
    fuzz_tree_add (f, key, json_null ());
    return;
  }
  c = object ? json_object () : json_array ();
  fuzz_tree_add (f, key, c);
  f->stack[++f->depth] = c;
  if (object) {
    w4_jsonw_begin_object (&f->compact);
    w4_jsonw_begin_object (&f->indented);
  } else {
    w4_jsonw_begin_array (&f->compact);
    w4_jsonw_begin_array (&f->indented);
  }
}

static void
fuzz_close (Fuzz *f)
{
  json_t *top = f->stack[f->depth];

  if (f->depth == 0)
    return; /* the root closes at the end */
  f->depth--;
  if (json_is_object (top)) { /* a macro: its argument is read twice */
    w4_jsonw_end_object (&f->compact);
    w4_jsonw_end_object (&f->indented);
  } else {
    w4_jsonw_end_array (&f->compact);
    w4_jsonw_end_array (&f->indented);
  }
}

static void
fuzz_string (Fuzz *f, FuzzIn *in, gboolean c_string)
{
  g_autofree char *key = fuzz_key (f, in);
  gsize len, valid_len;
  const char *raw = fuzz_bytes (in, &len);
  g_autofree char *cut = g_strndup (raw, len);
  g_autofree char *valid = NULL;

  if (c_string) {
    w4_jsonw_string (&f->compact, cut);
    w4_jsonw_string (&f->indented, cut);
    len = strlen (cut);
  } else {
    w4_jsonw_string_len (&f->compact, raw, len);
    w4_jsonw_string_len (&f->indented, raw, len);
  }
  valid = fuzz_made_valid (c_string ? cut : raw, len, &valid_len);
  fuzz_tree_add (f, key, json_stringn (valid, valid_len));
}

static void
fuzz_integer (Fuzz *f, FuzzIn *in, gboolean as_uint)
{
  g_autofree char *key = fuzz_key (f, in);
  guint64 u = 0;
  gint64 v;

  for (guint i = 0; i < 8; i++) {
    guint8 b = 0;
    (void) fuzz_byte (in, &b);
    u = u << 8 | b;
  }
  v = (gint64) u;
  if (as_uint && v >= 0) {
    w4_jsonw_uint (&f->compact, (guint64) v);
    w4_jsonw_uint (&f->indented, (guint64) v);
  } else {
    w4_jsonw_int (&f->compact, v);
    w4_jsonw_int (&f->indented, v);
  }
  fuzz_tree_add (f, key, json_integer (v));
}

static void
fuzz_scalar (Fuzz *f, FuzzIn *in, guint8 which)
{
  g_autofree char *key = fuzz_key (f, in);

  if (which == 2) {
    w4_jsonw_null (&f->compact);
    w4_jsonw_null (&f->indented);
    fuzz_tree_add (f, key, json_null ());
    return;
  }
  w4_jsonw_bool (&f->compact, which == 1);
  w4_jsonw_bool (&f->indented, which == 1);
  fuzz_tree_add (f, key, json_boolean (which == 1));
}

/* jansson's dump, every line after the first @base levels (two spaces)
 * further right (transfer full). */
static char *
fuzz_dump (const json_t *j, size_t flags, guint base)
{
  char *dump = json_dumps (j, flags | JSON_PRESERVE_ORDER);
  g_autofree char *pad = g_strnfill (2 * base, ' ');
  g_autofree char *nl = g_strconcat ("\n", pad, NULL);
  char **lines;
  char *out;

  if (dump == NULL)
    abort ();
  lines = g_strsplit (dump, "\n", -1);
  out = g_strjoinv (nl, lines);
  g_strfreev (lines);
  free (dump);
  return out;
}

static void
fuzz_expect (const W4JsonW *w, const char *want)
{
  if (w->len != strlen (want) || memcmp (w->data, want, w->len) != 0) {
    fprintf (stderr, "writer: %.*s\njansson: %s\n", (int) w->len, w->data, want);
    abort ();
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static Fuzz f; /* the writers' buffers are reused, as the report reuses them */
  static gboolean ready;
  FuzzIn in = { data, size };
  guint8 op = 0;
  json_t *root = json_array ();

  if (!ready) {
    w4_jsonw_init (&f.compact, 0);
    w4_jsonw_init (&f.indented, 2);
    ready = TRUE;
  }
  (void) fuzz_byte (&in, &op);
  f.base = op % 4;
  w4_jsonw_reset (&f.compact, 0);
  w4_jsonw_reset (&f.indented, f.base);
  f.depth = 0;
  f.stack[0] = root;
  w4_jsonw_begin_array (&f.compact);
  w4_jsonw_begin_array (&f.indented);

  while (fuzz_byte (&in, &op)) {
    switch (op % 10) {
    case 0: fuzz_open (&f, &in, FALSE); break;
    case 1: fuzz_open (&f, &in, TRUE); break;
    case 2: fuzz_close (&f); break;
    case 3: fuzz_string (&f, &in, FALSE); break;
    case 4: fuzz_string (&f, &in, TRUE); break;
    case 5: fuzz_integer (&f, &in, FALSE); break;
    case 6: fuzz_integer (&f, &in, TRUE); break;
    default: fuzz_scalar (&f, &in, (guint8) (op % 10 - 7)); break;
    }
  }
  while (f.depth > 0)
    fuzz_close (&f);
  w4_jsonw_end_array (&f.compact);
  w4_jsonw_end_array (&f.indented);

  {
    g_autofree char *compact = fuzz_dump (root, JSON_COMPACT, 0);
    g_autofree char *indented = fuzz_dump (root, JSON_INDENT (2), f.base);
    g_autofree char *line = g_strndup (f.compact.data, f.compact.len);
    json_error_t err;
    json_t *back;

    fuzz_expect (&f.compact, compact);
    fuzz_expect (&f.indented, indented);
    /* what a script reading the ndjson line gets back */
    back = json_loadb (f.compact.data, f.compact.len, JSON_ALLOW_NUL, &err);
    if (back == NULL) {
      fprintf (stderr, "does not load (%s): %s\n", err.text, line);
      abort ();
    }
    if (!json_equal (back, root)) {
      fprintf (stderr, "loads as another value: %s\n", line);
      abort ();
    }
    {
      g_autofree char *again = fuzz_dump (back, JSON_COMPACT, 0);
      if (strcmp (again, line) != 0)
        abort ();
    }
    json_decref (back);
  }
  json_decref (root);
  return 0;
}
