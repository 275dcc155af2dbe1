/* fuzz-pipeline.c: libFuzzer target for the whole program: the input is one
 * capture file (pcap or pcapng), run capture -> dissect -> correlate ->
 * report as why401.c wires them, once per output format.
 *
 * The input is written to a memfd and added by its /proc/self/fd path, so
 * capture/ takes its production path unchanged: w4_cap_add_file opens it
 * by name, once, peeks the first packet, and w4_cap_run reads it again from
 * its start (as does the pcapng.c fallback); gzip and zstd inputs are
 * decompressed there too.
 *
 * Three passes, each a fresh pipeline:
 *   - text with --all and colour (every code path of text.c);
 *   - json with --show-secrets (the secret-showing branches of correlate/);
 *   - ndjson with tiny limits (every eviction and limit path).
 * The json and ndjson outputs must parse: a report that is not JSON is a
 * bug as much as a crash is.
 *
 * The stages are wired by w4-pipeline.c, as for why401. What why401.c does
 * besides is left out: the command line, signals,
 * and the warnings it prints on stderr (only printing). Built only with
 * -Dfuzz=true and clang:
 *
 *   CC=clang-14 meson setup B -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *   UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=quarantine_size_mb=16 \
 *     B/tests/fuzz-pipeline -fork=2 -max_len=65536 -timeout=5 -rss_limit_mb=512 CORPUS SEEDS
 *
 * UBSan only reports unless told to halt, and fork mode hides what is only
 * reported. ASan's default 256 MiB quarantine alone passes a 512 MiB RSS
 * limit after a thousand inputs (live heap stays near 40 MiB, libFuzzer's
 * own corpus), so shrink it when looking for unbounded tables. */
#define _GNU_SOURCE

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report.h"
#include "w4-pipeline.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* One run of why401's w4_run over @path, the report into @out. */
static void
w4_fz_pipeline (const char *path, const W4ReportOptions *ropts_in,
                const W4CorrelateOptions *copts_in, const W4Limits *limits, FILE *out)
{
  W4ReportOptions ropts = *ropts_in;
  W4CorrelateOptions copts = *copts_in;
  g_autoptr (W4Report) rep = NULL;
  g_autoptr (W4Pipeline) pipe = NULL;
  g_autoptr (W4Summary) summary = NULL;
  W4FindingSink fsink;
  W4Capture *cap;

  ropts.examples = 5;
  ropts.max_findings = limits->v[W4_LIMIT_FINDINGS];
  copts.decide_after_sec = 30;

  rep = w4_rep_new (&ropts, out);
  fsink = w4_rep_sink (rep);
  pipe = w4_pipe_new (limits, &copts, &fsink, NULL, NULL);
  cap = w4_pipe_capture (pipe);
  if (!w4_cap_add_file (cap, path, NULL))
    return;
  for (guint i = 0; i < w4_cap_n_files (cap); i++) {
    g_autofree char *base = g_path_get_basename (w4_cap_file_name (cap, i));
    w4_cor_set_file_name (w4_pipe_correlate (pipe), i, base);
    w4_rep_add_input (rep, base);
  }
  if (w4_pipe_run (pipe) > 0) {
    summary = w4_pipe_finish (pipe);
    w4_rep_finish (rep, summary);
    (void) w4_rep_n_failures (rep);
  }
}

/* Aborts unless @text (NUL-terminated, @len bytes) is one JSON document,
 * or, with @lines, one per line. */
static void
w4_fz_check_json (const char *text, gsize len, gboolean lines)
{
  json_error_t err;

  if (len == 0)
    return;
  if (!lines) {
    json_t *j = json_loadb (text, len, 0, &err);
    if (j == NULL) {
      fprintf (stderr, "fuzz-pipeline: json report does not parse: %s (line %d)\n", err.text,
               err.line);
      abort ();
    }
    json_decref (j);
    return;
  }
  for (const char *p = text, *end = text + len; p < end;) {
    const char *nl = memchr (p, '\n', (gsize) (end - p));
    gsize n = nl ? (gsize) (nl - p) : (gsize) (end - p);
    json_t *j = json_loadb (p, n, 0, &err);
    if (j == NULL) {
      fprintf (stderr, "fuzz-pipeline: ndjson line does not parse: %s: %.*s\n", err.text,
               (int) MIN (n, 400), p);
      abort ();
    }
    json_decref (j);
    p += n + 1;
  }
}

static int w4_fz_fd = -1;
static char w4_fz_path[64];

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4Limits limits, tiny;
  W4ReportOptions ropts = { 0 };
  W4CorrelateOptions copts = { 0 };
  static const char *const tiny_set[] = {
    "flows=3", "reasm-bytes=256", "ooo-segments=2", "pending-requests=2", "header-bytes=200",
    "headers=4", "body-keep=16", "frag-datagrams=2", "frag-bytes=600", "tunnel-depth=2",
    "clients=2", "exchanges=3", "findings=2", "stream-numbers=2",
  };

  if (w4_fz_fd < 0) {
    w4_fz_fd = memfd_create ("fuzz-pipeline", 0);
    if (w4_fz_fd < 0)
      abort ();
    g_snprintf (w4_fz_path, sizeof w4_fz_path, "/proc/self/fd/%d", w4_fz_fd);
  }
  if (ftruncate (w4_fz_fd, 0) != 0 ||
      (size > 0 && pwrite (w4_fz_fd, data, size, 0) != (ssize_t) size))
    abort ();

  w4_limits_init (&limits);
  w4_limits_init (&tiny);
  for (guint i = 0; i < G_N_ELEMENTS (tiny_set); i++)
    if (!w4_limits_set (&tiny, tiny_set[i]))
      abort ();

  for (int pass = 0; pass < 3; pass++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);

    if (out == NULL)
      abort ();
    memset (&ropts, 0, sizeof ropts);
    memset (&copts, 0, sizeof copts);
    ropts.color = W4_COLOR_NEVER;
    if (pass == 0) {
      ropts.format = W4_FORMAT_TEXT;
      ropts.all = TRUE;
      ropts.color = W4_COLOR_ALWAYS;
    } else if (pass == 1) {
      ropts.format = W4_FORMAT_JSON;
      copts.show_secrets = TRUE;
    } else {
      ropts.format = W4_FORMAT_NDJSON;
    }
    w4_fz_pipeline (w4_fz_path, &ropts, &copts, pass == 2 ? &tiny : &limits, out);
    fclose (out);
    if (pass > 0)
      w4_fz_check_json (buf, len, pass == 2);
    free (buf);
  }
  return 0;
}
