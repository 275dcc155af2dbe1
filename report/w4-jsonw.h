/* w4-jsonw.h: a streaming JSON writer, byte for byte what jansson 2.14
 * dumps, without a tree.
 *
 * Building a json_t per finding and dumping it cost over a third of the
 * benchmark capture's instructions (issue 8); Suricata's eve output left
 * jansson for a streaming JsonBuilder for the same reason. This writer
 * appends tokens to a growable buffer that is reused from one object to
 * the next (no allocation once it has grown to the longest object).
 *
 * Output is exactly json_dumpb's with JSON_COMPACT (indent 0) or with
 * JSON_INDENT (n) (n > 0), both with JSON_PRESERVE_ORDER (keys come out in
 * the order they are written): the same separators, newlines, indentation,
 * empty containers ("[]", "{}"), integers and string escapes ('"', '\\',
 * \b \f \n \r \t, other control characters as \u00XX with upper-case hex,
 * '/' and non-ASCII passed through). report/test-jsonw.c and
 * report/fuzz-jsonw.c compare it with jansson.
 *
 * Strings: jansson refuses invalid UTF-8 (json_string returns NULL); the
 * report made such strings valid first (g_utf8_make_valid: every byte that
 * does not start a valid sequence becomes U+FFFD). The writer does the
 * same as it escapes, in one pass, so a string from the capture is always
 * written and never lost.
 *
 * The caller keeps the structure balanced (a key before each member's
 * value, every begin ended); the writer does not check more than it needs
 * to stay within its buffers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *data;      /* (owned) the bytes since the last reset; not NUL-terminated */
  gsize len;
  gsize size;      /* allocated */
  guint indent;    /* spaces per level; 0: compact */
  guint base;      /* levels the whole value is indented by (see w4_jsonw_reset) */
  guint level;     /* containers open */
  guint8 *open;    /* (owned) per open container: 0 while empty, 1 once it has a member */
  guint open_size;
  gboolean after_key; /* a key was written; its value comes next */
} W4JsonW;

/* @indent 0: compact (JSON_COMPACT); n: JSON_INDENT (n), at most 31. */
void w4_jsonw_init (W4JsonW *w, guint indent);
/* Frees the buffers (the struct is the caller's). */
void w4_jsonw_clear (W4JsonW *w);
/* Empties the buffer (keeping its memory) for a new value. @base > 0
 * indents every line after the first by @base more levels, as when the
 * value sits that deep inside a document whose beginning was written
 * elsewhere (the --format json document, a finding at a time). */
void w4_jsonw_reset (W4JsonW *w, guint base);

void w4_jsonw_begin_object (W4JsonW *w);
void w4_jsonw_end_object (W4JsonW *w);
void w4_jsonw_begin_array (W4JsonW *w);
void w4_jsonw_end_array (W4JsonW *w);

/* An object member's key (escaped like a string); its value follows. */
void w4_jsonw_key (W4JsonW *w, const char *key);
/* The same for a key of @len bytes that needs no escape (printable ASCII
 * other than '"' and '\\', as the report's own field names are), written
 * without looking at its bytes: a finding has 33 keys. */
void w4_jsonw_key_plain (W4JsonW *w, const char *key, gsize len);

/* A string; NULL writes null. */
void w4_jsonw_string (W4JsonW *w, const char *s);
/* @len bytes of @s (NULL: null), which may hold NUL bytes (written as
 * \u0000, as json_stringn would). */
void w4_jsonw_string_len (W4JsonW *w, const char *s, gsize len);
void w4_jsonw_int (W4JsonW *w, gint64 v);
/* The exact value: above G_MAXINT64 jansson could neither write nor read
 * it, so a caller that must match jansson clamps first. */
void w4_jsonw_uint (W4JsonW *w, guint64 v);
void w4_jsonw_bool (W4JsonW *w, gboolean v);
void w4_jsonw_null (W4JsonW *w);

/* @n bytes appended as they are, outside the structure (a document's head
 * written by hand, a newline between ndjson lines). */
void w4_jsonw_raw (W4JsonW *w, const char *bytes, gsize n);

G_END_DECLS
