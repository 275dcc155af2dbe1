/* fuzz-report.c: libFuzzer target for the text, JSON and NDJSON writers
 * (text.c, json.c, report.c, timeline.c over w4-jsonw.c): findings whose
 * every string comes from the input, hostile bytes included (controls,
 * invalid UTF-8, bidirectional overrides, quotes, backslashes), must come
 * out escaped and valid:
 *   - json and ndjson parse with jansson (the document; each line);
 *   - text without colour holds valid UTF-8 with no control byte but the
 *     newline, no C1 control and no bidirectional or format character
 *     (text.c escapes them all), so a capture cannot rewrite a terminal.
 * Text with colour and --all runs too (unchecked: its escapes are ours).
 *
 * Input: the first byte picks the finding's kind and flags, the second its
 * cause, the third the report (bits 0-1: text, coloured text, json,
 * ndjson: one per input, which keeps each run short) and how many findings
 * (bits 2-3: 1 to W4_FZ_REP_FINDINGS); the rest is cut at NUL bytes into
 * the strings, given in turn to every string field of the findings
 * (evidence, summary warnings and the server and principal tables
 * included). Run e.g.:
 *   build-fuzz/tests/fuzz-report -dict=tests/fuzz/report.dict -max_len=2048 CORPUS */
#define _GNU_SOURCE

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "report.h"

/* Findings made from one input: enough for the text report's grouping. */
#define W4_FZ_REP_FINDINGS 3

typedef struct {
  const char *p, *end; /* what is left of the input's strings */
} W4FzStrings;

/* (transfer full) the next string of the input; "" when they ran out. */
static char *
next_string (W4FzStrings *s)
{
  const char *nul = memchr (s->p, '\0', (gsize) (s->end - s->p));
  const char *stop = nul != NULL ? nul : s->end;
  char *out = g_strndup (s->p, (gsize) (stop - s->p));

  s->p = nul != NULL ? nul + 1 : s->end;
  return out;
}

static W4Finding *
w4_fz_finding (W4FzStrings *s, guint8 pick, guint8 cause, guint i)
{
  W4Finding *f = w4_finding_new ();
  char *ev;

  f->kind = (W4Kind) ((pick + i) % (W4_KIND_INFO + 1));
  f->cause = (W4Cause) ((cause + i) % W4_CAUSE_COUNT);
  f->related = (pick & 8) ? G_MAXUINT64 >> (64 - W4_CAUSE_COUNT) : 0;
  f->status = (pick & 16) ? 407 : 401;
  f->stream = (pick & 32) ? -1 : (gint64) i;
  f->request_frame = i + 1;
  f->response_frame = i + 2;
  f->time.sec = (pick & 64) ? G_MAXINT64 / 2 : 1700000000 + i;
  f->client_port = (pick & 128) ? -1 : 40000;
  f->server_port = 80;
  f->h2_stream = (pick & 32) ? 1 : -1;
  f->tls = (pick & 4) != 0;
  f->count = pick;
  f->client = next_string (s);
  f->server = next_string (s);
  f->method = next_string (s);
  f->uri = next_string (s);
  f->host = next_string (s);
  f->file = next_string (s);
  f->request_file = next_string (s);
  f->principal = next_string (s);
  f->server_message = next_string (s);
  f->summary = next_string (s);
  f->fix = next_string (s);
  f->wireshark_filter = next_string (s);
  f->client_ip = next_string (s);
  f->server_ip = next_string (s);
  f->community_id = next_string (s);
  f->sni = next_string (s);
  f->scheme = next_string (s);
  f->tunnel = (pick & 2) ? next_string (s) : NULL;
  ev = next_string (s);
  w4_finding_add_evidence (f, i + 1, ev);
  g_free (ev);
  ev = next_string (s);
  w4_finding_add_evidence_in (f, i + 2, f->file, ev);
  g_free (ev);
  return f;
}

/* (transfer full: w4_summary_free) a summary of one server, one principal
 * and one warning, their strings from the input. */
static W4Summary *
w4_fz_summary (W4FzStrings *s)
{
  W4Summary *sum = g_new0 (W4Summary, 1);
  W4ServerStat *st = g_new0 (W4ServerStat, 1);
  W4PrincipalStat *ps = g_new0 (W4PrincipalStat, 1);

  sum->packets = 12;
  sum->failed_responses = 1;
  st->server = next_string (s);
  st->host = next_string (s);
  st->schemes = next_string (s);
  st->failed = 1;
  st->total = 3;
  sum->by_server = g_ptr_array_new_with_free_func (w4_server_stat_free);
  g_ptr_array_add (sum->by_server, st);
  ps->principal = next_string (s);
  ps->failed = 1;
  sum->by_principal = g_ptr_array_new_with_free_func (w4_principal_stat_free);
  g_ptr_array_add (sum->by_principal, ps);
  sum->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sum->warnings, next_string (s));
  return sum;
}

/* (transfer full) the report of @opts over findings made from @data. */
static char *
w4_fz_report (const W4ReportOptions *opts, const guint8 *data, gsize size, gsize *len_out)
{
  W4FzStrings s = { (const char *) data + 3, (const char *) data + size };
  guint n_findings = 1 + (data[2] >> 2 & 3) % W4_FZ_REP_FINDINGS;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  W4Report *rep = w4_rep_new (opts, out);
  W4FindingSink sink = w4_rep_sink (rep);
  W4Summary *sum;

  w4_rep_add_input (rep, "in.pcap");
  for (guint i = 0; i < n_findings; i++)
    sink.on_finding (sink.user, w4_fz_finding (&s, data[0], data[1], i));
  sum = w4_fz_summary (&s);
  w4_rep_finish (rep, sum);
  w4_rep_free (rep);
  w4_summary_free (sum);
  fclose (out);
  *len_out = len;
  return buf;
}

static void
w4_fz_check_json (const char *buf, gsize len, gboolean lines)
{
  const char *p = buf, *end = buf + len;

  while (p < end) {
    const char *nl = lines ? memchr (p, '\n', (gsize) (end - p)) : NULL;
    const char *stop = nl != NULL ? nl : end;
    json_error_t err;
    json_t *doc = json_loadb (p, (gsize) (stop - p), JSON_REJECT_DUPLICATES, &err);

    if (doc == NULL) {
      g_printerr ("not JSON: %s at %d: %.*s\n", err.text, err.position, (int) (stop - p), p);
      g_assert_not_reached ();
    }
    json_decref (doc);
    p = nl != NULL ? nl + 1 : end;
  }
}

/* TRUE for what may rewrite a terminal or hide text: C0 but newline, DEL,
 * C1, and the bidirectional and other format characters text.c escapes. */
static gboolean
w4_fz_unsafe (gunichar c)
{
  return (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) ||
         g_unichar_type (c) == G_UNICODE_FORMAT;
}

static void
w4_fz_check_text (const char *buf, gsize len)
{
  const char *end;

  g_assert (g_utf8_validate (buf, (gssize) len, &end));
  for (const char *p = buf; p < buf + len; p = g_utf8_next_char (p)) {
    if (w4_fz_unsafe (g_utf8_get_char (p))) {
      g_printerr ("unescaped U+%04X at %td: %.*s\n", g_utf8_get_char (p), p - buf, (int) len, buf);
      g_assert_not_reached ();
    }
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const W4ReportOptions reports[] = {
    { .format = W4_FORMAT_TEXT, .color = W4_COLOR_NEVER, .all = TRUE, .width = 60 },
    { .format = W4_FORMAT_TEXT, .color = W4_COLOR_ALWAYS, .all = TRUE },
    { .format = W4_FORMAT_JSON },
    { .format = W4_FORMAT_NDJSON },
  };
  const W4ReportOptions *opts;
  guint8 *copy;
  char *out;
  gsize len;

  if (size < 3)
    return 0;
  opts = &reports[data[2] & 3];
  copy = g_memdup2 (data, size); /* exactly sized: a read past the input is caught */
  out = w4_fz_report (opts, copy, size, &len);
  if (opts->format != W4_FORMAT_TEXT)
    w4_fz_check_json (out, len, opts->format == W4_FORMAT_NDJSON);
  else if (opts->color == W4_COLOR_NEVER)
    w4_fz_check_text (out, len);
  free (out);
  g_free (copy);
  return 0;
}
