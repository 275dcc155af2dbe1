/* cor-format.h: printf for findings' texts, without stdio's cost.
 *
 * A finding's summary, evidence and filter are built from a dozen
 * g_strdup_printf calls, and glibc's vfprintf spends over a thousand
 * instructions on each, most of it in the FILE machinery it writes
 * through (issue 8: 39 M of the benchmark's 320 M). These do the
 * conversions the texts use by hand, into one buffer:
 *   %s %c %d %i %u %ld %li %lu %zu %%, with the '-' and '0' flags,
 *   a width, and a precision for %s (digits or '*').
 * Anything else, or a NULL %s (glibc writes "(null)"), is handed to
 * g_strdup_vprintf whole, so the bytes are always g_strdup_printf's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_strdup_printf's result. (transfer full) */
char *w4_cor_printf (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* g_string_append_printf's effect. */
void w4_cor_append_printf (GString *s, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* "%" G_GUINT64_FORMAT of @v appended, without parsing a format (a
 * display filter's frame numbers). */
void w4_cor_append_uint (GString *s, guint64 v);

G_END_DECLS
