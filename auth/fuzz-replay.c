/* fuzz-replay.c: a main () for the auth fuzz targets in the ordinary build
 * (gcc, no libFuzzer): each argument is a file fed once to the target, so a
 * crashing input can be replayed under a debugger or ASan, and the harnesses
 * keep compiling where no clang is. */
#include "fuzz.h"

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr (GError) err = NULL;

    if (!g_file_get_contents (argv[i], &data, &len, &err)) {
      g_printerr ("%s\n", err->message);
      return 2;
    }
    LLVMFuzzerTestOneInput ((const guint8 *) data, len);
  }
  return 0;
}
