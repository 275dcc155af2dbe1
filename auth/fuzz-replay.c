/* fuzz-replay.c: a main () for the libFuzzer targets in the ordinary build
 * (gcc, no libFuzzer): each argument is a file fed once to the target, or a
 * directory whose files are fed in name order (not its subdirectories), so
 * a crashing input can be replayed under a debugger or ASan, the meson
 * tests replay tests/fuzz-regressions/, and the harnesses keep compiling
 * where no clang is. A directory that does not exist is a skipped test
 * (exit 77): that target has no regression input yet. */
#include "fuzz.h"

#define W4_REPLAY_EXIT_SKIP 77

/* Feeds the file at @path to the target; FALSE (and a message) when it
 * cannot be read. */
static gboolean
w4_replay_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) err = NULL;

  if (!g_file_get_contents (path, &data, &len, &err)) {
    g_printerr ("%s\n", err->message);
    return FALSE;
  }
  LLVMFuzzerTestOneInput ((const guint8 *) data, len);
  return TRUE;
}

static gint
w4_replay_compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Feeds every regular file directly in @dir, in name order (a replay the
 * same on every machine). */
static gboolean
w4_replay_dir (const char *dir)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &err);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL) {
    g_printerr ("%s\n", err->message);
    return FALSE;
  }
  while ((name = g_dir_read_name (d)) != NULL) {
    char *path = g_build_filename (dir, name, NULL);

    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (paths, path);
    else
      g_free (path);
  }
  g_ptr_array_sort (paths, w4_replay_compare_names);
  for (guint i = 0; i < paths->len; i++) {
    if (!w4_replay_file (paths->pdata[i]))
      return FALSE;
  }
  g_print ("%s: %u inputs replayed\n", dir, paths->len);
  return TRUE;
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    gboolean ok;

    if (!g_file_test (argv[i], G_FILE_TEST_EXISTS)) {
      g_print ("%s: no such input (no regression input yet)\n", argv[i]);
      return W4_REPLAY_EXIT_SKIP;
    }
    ok = g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? w4_replay_dir (argv[i])
                                                   : w4_replay_file (argv[i]);
    if (!ok)
      return 2;
  }
  return 0;
}
