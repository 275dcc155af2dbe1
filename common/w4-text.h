/* w4-text.h: bytes from outside (capture content, file names, libpcap's
 * messages) made safe to print on a terminal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* (transfer full) @s (may be NULL: "") as printable UTF-8, every character
 * that could drive or deceive a terminal written as a visible escape:
 *   - C0 controls and DEL: \n \r \t, others \xNN (ESC is \x1B);
 *   - bytes that are not valid UTF-8: \xNN, one per byte;
 *   - C1 controls (U+0080-U+009F), Unicode format characters (category Cf:
 *     the bidirectional embeddings, overrides and isolates U+202A-U+202E,
 *     U+2066-U+2069, the marks U+061C, U+200E, U+200F, zero-width
 *     characters U+200B-U+200D, U+2060-U+2064, U+FEFF, soft hyphen, tags...)
 *     and the line and paragraph separators U+2028, U+2029: \uXXXX (or
 *     \UXXXXXXXX above U+FFFF).
 * A backslash stays as it is: URIs and Windows paths keep their look, and
 * the text is for reading, not for decoding back. */
char *w4_text_sanitize (const char *s);

/* The same for @len bytes of @s (NUL bytes inside are escaped too). */
char *w4_text_sanitize_len (const char *s, gsize len);

/* TRUE for a code point w4_text_sanitize writes as an escape. */
gboolean w4_text_is_unsafe (gunichar c);

/* The columns valid UTF-8 @s takes on a terminal: 2 for a wide (East Asian
 * wide or full-width) character, 0 for a combining or zero-width one, 1
 * for the rest; what wrapping counts. */
glong w4_text_width (const char *s);

G_END_DECLS
