/* test-http1.c: HTTP/1 through llhttp (placeholder, filled below). */
#include "test-util.h"

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  return g_test_run ();
}
