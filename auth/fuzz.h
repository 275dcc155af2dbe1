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

static inline void
w4_fuzz_input_clear (W4FuzzInput *in)
{
  g_free (in->bytes);
  g_free (in->cstr);
}
