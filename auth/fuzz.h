/* fuzz.h: what every auth/ libFuzzer target shares. Each target gets the
 * input in an exactly-sized copy (no NUL after it), so AddressSanitizer
 * sees a read one past the end, and entry points that take a C string get
 * a second copy cut at the first NUL. Built only with -Dfuzz=true and
 * clang. */
#pragma once

#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  char *bytes; /* exactly size bytes (NULL when size is 0) */
  char *cstr;  /* the input up to its first NUL, NUL-terminated */
  gsize len;
} W4FuzzInput;

static inline W4FuzzInput
w4_fuzz_input (const guint8 *data, size_t size)
{
  W4FuzzInput in = { NULL, g_strndup ((const char *) data, size), size };
  if (size > 0)
    in.bytes = g_memdup2 (data, size);
  return in;
}

/* A limit a target may make small: bit i of the input's pick byte sets
 * limit @id of the i-th entry to @value, so that every limit's path runs. */
typedef struct {
  int id;        /* W4LimitId */
  guint64 value;
} W4FuzzLimit;

/* Defaults (w4_limits_init), then the small values @pick selects from the
 * @n entries of @table. A macro: the auth/ targets have no W4Limits (the
 * user includes w4-limits.h). */
#define w4_fuzz_limits(limits, pick, table, n) \
  G_STMT_START { \
    w4_limits_init (limits); \
    for (guint w4_fl_i = 0; w4_fl_i < (n) && w4_fl_i < 8; w4_fl_i++) \
      if ((pick) >> w4_fl_i & 1) \
        (limits)->v[(table)[w4_fl_i].id] = (table)[w4_fl_i].value; \
  } G_STMT_END

static inline void
w4_fuzz_input_clear (W4FuzzInput *in)
{
  g_free (in->bytes);
  g_free (in->cstr);
}
