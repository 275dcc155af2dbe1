/* why401.c: the program. Reads the command line, wires the stages
 * capture -> dissect -> correlate -> report, handles SIGINT/SIGTERM and the
 * privilege drop of a live capture, and turns the result into the exit
 * status of ../shared/spec/FINDINGS.md:
 *
 *   0  no failure found (challenge notes do not count)
 *   1  at least one finding of kind failure
 *   2  bad usage, or no input could be read at all
 *
 * A damaged input is a warning (stderr and summary.warnings), never exit 2:
 * what was read is still analysed and reported. Only this file and report/
 * print; everything printed here goes to stderr, prefixed "why401: ",
 * except what copies tcpdump word for word so that its readers can read it:
 * the interface list of -D (stdout), a live capture's "listening on" line
 * and its kernel counts at the end. Whatever it carries from outside (file
 * names, interface names, libpcap's messages) goes through
 * w4_text_sanitize first. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <jansson.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "correlate.h"
#include "report.h"
#include "w4-budget.h"
#include "w4-pipeline.h"
#include "w4-text.h"

#ifndef W4_VERSION
#define W4_VERSION "0.1.0"
#endif

#define W4_EXIT_CLEAN 0
#define W4_EXIT_FAILURES 1
#define W4_EXIT_USAGE 2

/* ---- the command line --------------------------------------------------- */

typedef struct {
  char **files;        /* -r FILE, repeatable */
  char **rest;         /* FILE... */
  char *iface;         /* -i */
  char *bpf;           /* -f */
  gint64 count;        /* -c */
  gint duration;       /* --duration */
  char *user;          /* -Z */
  char *format;        /* --format */
  char *output;        /* -o */
  gboolean all;        /* --all, -v */
  W4Color color;       /* --color */
  gboolean show_secrets;
  char **limits;       /* --limit NAME=N, repeatable */
  char *max_mem;       /* --max-mem SIZE */
  guint64 max_mem_bytes; /* its value (W4_BUDGET_DEFAULT without it) */
  char **keylogs;      /* --keylog FILE, repeatable */
  gboolean quiet;      /* -q */
  gboolean version;    /* --version */
  gboolean no_resolve; /* -n: accepted; why401 never resolves names */
  gboolean no_promisc; /* -p */
  gboolean list_interfaces; /* -D */
} W4Args;

static void
w4_args_clear (W4Args *a)
{
  g_strfreev (a->files);
  g_strfreev (a->rest);
  g_free (a->iface);
  g_free (a->bpf);
  g_free (a->user);
  g_free (a->format);
  g_free (a->output);
  g_strfreev (a->limits);
  g_free (a->max_mem);
  g_strfreev (a->keylogs);
}

static gboolean
w4_parse_color (const char *name, const char *value, gpointer data, GError **error)
{
  W4Args *a = data;

  /* "--color" alone means always, as in ls and grep. */
  if (value == NULL || g_strcmp0 (value, "always") == 0)
    a->color = W4_COLOR_ALWAYS;
  else if (g_strcmp0 (value, "auto") == 0)
    a->color = W4_COLOR_AUTO;
  else if (g_strcmp0 (value, "never") == 0)
    a->color = W4_COLOR_NEVER;
  else {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--color takes auto, always or never, not '%s'", value);
    return FALSE;
  }
  return TRUE;
}

static char *
w4_limit_names (void)
{
  g_autoptr (GString) s = g_string_new (NULL);

  gsize line_start = 0;

  /* Wrapped for --help; the error message shows it too. */
  for (int i = 0; i < W4_LIMIT_COUNT; i++) {
    const char *name = w4_limit_name ((W4LimitId) i);
    if (i > 0 && s->len - line_start + strlen (name) > 76) {
      g_string_append (s, ",\n  ");
      line_start = s->len;
    } else if (i > 0) {
      g_string_append (s, ", ");
    }
    g_string_append (s, name);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
w4_usage_error (const char *msg)
{
  /* The message quotes what was typed: sanitised line by line (its own
   * line breaks stay). */
  g_auto (GStrv) lines = g_strsplit (msg, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree char *safe = w4_text_sanitize (lines[i]);
    fprintf (stderr, "%s%s\n", i == 0 ? "why401: " : "", safe);
  }
  fprintf (stderr, "Try 'why401 --help' for more information.\n");
}

/* TRUE when the word after @arg is @arg's value: @arg is a long option of
 * @entries that takes one (without "=VALUE"), or a short option or a
 * cluster of them ("-nr") whose last letter takes one. */
static gboolean
w4_next_word_is_value (const char *arg, const GOptionEntry *entries)
{
  gboolean is_long = g_str_has_prefix (arg, "--");
  gsize n = strlen (arg);

  if (arg[0] != '-' || n < 2 || (is_long && strchr (arg, '=') != NULL))
    return FALSE;
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++) {
    gboolean named = is_long ? strcmp (arg + 2, e->long_name) == 0
                             : e->short_name != 0 && arg[n - 1] == e->short_name;
    if (named && e->long_name[0] != '\0')
      return e->arg != G_OPTION_ARG_NONE && !(e->flags & G_OPTION_FLAG_OPTIONAL_ARG);
  }
  return FALSE;
}

/* "--color" alone means always, as in GNU ls, and takes no value: only
 * "--color=WHEN" does. GOption's optional argument would take the next word
 * ("why401 --color x.pcap" would read no file), so a bare "--color" becomes
 * "--color=always" before parsing. Words that are another option's value,
 * and everything after "--", are left alone. */
static void
w4_bare_color_to_always (int argc, char **argv, const GOptionEntry *entries)
{
  static char always[] = "--color=always";

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++) {
    if (strcmp (argv[i], "--color") == 0)
      argv[i] = always;
    else if (w4_next_word_is_value (argv[i], entries))
      i++;
  }
}

/* Parses @argv into @a; FALSE after printing why (exit 2). */
static gboolean
w4_parse_args (int *argc, char ***argv, W4Args *a)
{
  g_autofree char *limit_help = NULL;
  g_autofree char *description = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  GOptionGroup *group;
  /* GOption stores a callback in a data pointer; the union says so without
   * a cast ISO C forbids. */
  union {
    GOptionArgFunc f;
    gpointer p;
  } color_cb = { .f = w4_parse_color };

  limit_help = w4_limit_names ();
  description = g_strdup_printf (
      "why401 explains every HTTP 401, 407 and 403 in a capture: the cause, the packets that\n"
      "prove it, and what to fix. Several FILEs are joined into one timeline in the order of\n"
      "their first packet (as mergecap -a would); '-' reads standard input, and a FIFO or a\n"
      "pipe is read as a stream. pcap and pcapng, also gzip- or zstd-compressed.\n"
      "\n"
      "Output formats:\n"
      "  text     for a person: failures grouped by cause, examples, Wireshark filters\n"
      "  json     one document {\"version\": 1, \"findings\": [...], \"summary\": {...}}\n"
      "  ndjson   one finding per line as soon as it is decided, then a summary line\n"
      "Frame numbers and stream numbers match Wireshark's frame.number and tcp.stream in the\n"
      "file that holds the packet (each file counts on its own). The \"file\" field of a\n"
      "finding is that input file's base name (without its directory).\n"
      "Passwords, tokens and cookie values are shown only as fingerprints unless\n"
      "--show-secrets is given. Colour (--color=auto) when the output is a terminal and\n"
      "NO_COLOR is not set; --color alone means always. Text wraps at the terminal's width\n"
      "(when not a terminal: $COLUMNS, else 80).\n"
      "\n"
      "TLS keys: --keylog FILE reads the NSS key log that browsers, curl and OpenSSL write\n"
      "where SSLKEYLOGFILE says (what Wireshark's tls.keylog_file reads); a pcapng input may\n"
      "carry the same in Decryption Secrets Blocks (editcap --inject-secrets). why401 reads\n"
      "and counts them (a warning says how many sessions, and names each malformed line) and\n"
      "decrypts TLS 1.0 to 1.3 with them. Live, the key log is read again as it grows.\n"
      "\n"
      "HTTP/1 and HTTP/2 are read on any port: HTTP/2 with prior knowledge (the connection\n"
      "preface), after an Upgrade: h2c, and inside decrypted TLS (ALPN h2). An HTTP/2 finding's\n"
      "h2_stream is its stream id (Wireshark's http2.streamid); \"stream\" stays tcp.stream.\n"
      "\n"
      "Live capture: -i IFACE (or any; -D lists them) opens the interface in immediate mode,\n"
      "promiscuous unless -p, and says so on stderr as tcpdump does (\"listening on ...\"); when\n"
      "started as root, why401 drops to the user 'nobody' once the interface is open (-Z USER\n"
      "to choose, -Z root to keep root). The text report prints each failure as it is decided\n"
      "(30 s after its response). Ctrl-C (SIGINT) or SIGTERM stops it: pending responses are\n"
      "decided and printed, then the summary, and on stderr the kernel's packet counts.\n"
      "\n"
      "Memory: --max-mem SIZE (default 512M; K, M, G: powers of 1024; at least 1M) bounds\n"
      "what all tables and buffers keep together. Past it the least useful state goes first\n"
      "(idle connections, then failures decided before their 30 s, active connections,\n"
      "client state, kept findings); a warning says so and the summary counts what went.\n"
      "\n"
      "Limits (--limit NAME=N):\n  %s.\n"
      "\n"
      "Exit status: 0 no failure found, 1 at least one failure, 2 bad usage or no input could\n"
      "be read. A damaged input is a warning, not an error.\n"
      "\n"
      "Examples:\n"
      "  why401 capture.pcapng\n"
      "  why401 --format ndjson -r a.pcap -r b.pcap | jq 'select(.kind == \"failure\")'\n"
      "  sudo why401 -i eth0 -f 'tcp port 80' --duration 60",
      limit_help);

  const GOptionEntry entries[] = {
    { "read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &a->files,
      "Read packets from FILE (repeatable; same as giving FILE)", "FILE" },
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &a->iface,
      "Capture live on IFACE ('any' for all)", "IFACE" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING, &a->bpf,
      "BPF filter, as in tcpdump: live, or on files (rejected frames still count)", "BPF" },
    { "count", 'c', 0, G_OPTION_ARG_INT64, &a->count, "Live: stop after COUNT packets", "COUNT" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &a->duration, "Live: stop after SECS seconds",
      "SECS" },
    { "user", 'Z', 0, G_OPTION_ARG_STRING, &a->user,
      "Live, as root: become USER once the interface is open (default nobody)",
      "USER" },
    { "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &a->no_promisc,
      "Live: no promiscuous mode (default: promiscuous)", NULL },
    { "list-interfaces", 'D', 0, G_OPTION_ARG_NONE, &a->list_interfaces,
      "List interfaces for -i (as tcpdump -D) and exit", NULL },
    { "numeric", 'n', 0, G_OPTION_ARG_NONE, &a->no_resolve,
      "No name resolution (why401 resolves none)", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &a->format, "Output format: text (default), json, ndjson",
      "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a->output,
      "Write the report to FILE instead of standard output", "FILE" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &a->all,
      "Text: list every finding with its evidence, normal challenge steps too", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &a->all, "More detail: the same as --all", NULL },
    { "color", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, color_cb.p,
      "Colour: auto (default), always, never", "WHEN" },
    { "show-secrets", 0, 0, G_OPTION_ARG_NONE, &a->show_secrets,
      "Show passwords, tokens and cookie values instead of fingerprints", NULL },
    { "keylog", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->keylogs,
      "Read TLS secrets from an NSS key log (SSLKEYLOGFILE; repeatable)", "FILE" },
    { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->limits,
      "Change a resource limit (repeatable; names below)", "NAME=N" },
    { "max-mem", 0, 0, G_OPTION_ARG_STRING, &a->max_mem,
      "Memory budget for all state kept (default 512M)", "SIZE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "Print only the summary", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &a->version, "Print the version and exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->rest, NULL, "FILE..." },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  ctx = g_option_context_new ("| -i IFACE [-f BPF]");
  g_option_context_set_summary (ctx, "Explain every HTTP 401, 407 and 403 in packet captures.");
  g_option_context_set_description (ctx, description);
  /* The callback for --color needs @a as its data: a main group carries it. */
  group = g_option_group_new (NULL, NULL, NULL, a, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (ctx, group);

  w4_bare_color_to_always (*argc, *argv, entries);
  if (!g_option_context_parse (ctx, argc, argv, &error)) {
    w4_usage_error (error->message);
    return FALSE;
  }
  return TRUE;
}

/* ---- warnings ----------------------------------------------------------- */

typedef struct {
  gboolean limit_warned[W4_LIMIT_COUNT];
} W4Warnings;

/* One line on stderr per user-facing warning; a limit once per name (it
 * can be hit millions of times; the report's `limit` info counts them). */
static void
w4_warn_anomaly (void *user, const W4Anomaly *what)
{
  W4Warnings *w = user;

  if (what->kind == W4_ANOM_WARNING && what->message != NULL) {
    g_autofree char *safe = w4_text_sanitize (what->message);
    fprintf (stderr, "why401: warning: %s\n", safe);
  } else if (what->kind == W4_ANOM_LIMIT && (guint) what->limit < W4_LIMIT_COUNT &&
             !w->limit_warned[what->limit]) {
    g_autofree char *safe = w4_text_sanitize (what->message);
    w->limit_warned[what->limit] = TRUE;
    fprintf (stderr, "why401: warning: limit %s reached%s%s; raise it with --limit %s=N\n",
             w4_limit_name (what->limit), what->message ? ": " : "",
             what->message ? safe : "", w4_limit_name (what->limit));
  }
}

/* ---- signals ------------------------------------------------------------ */

/* The one piece of process-wide state: a signal handler has no user data. */
static W4Capture *volatile w4_signal_target;
/* -o's temporary file while it exists: a signal that ends the program
 * removes it, so that no stray file is left beside the target. */
static const char *volatile w4_signal_tmp;
/* -o's target when this run created it (empty until the rename). */
static const char *volatile w4_signal_created;

/* During a run the first signal stops the capture (the report is still
 * written); otherwise, or for a second one when finishing takes too long,
 * the program ends the ordinary way, by the signal. */
static void
w4_on_signal (int sig)
{
  W4Capture *cap = w4_signal_target;

  if (cap != NULL) {
    w4_signal_target = NULL;
    w4_cap_stop (cap);
    return;
  }
  if (w4_signal_tmp != NULL)
    unlink (w4_signal_tmp);
  if (w4_signal_created != NULL)
    unlink (w4_signal_created);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Installed once, before -o's temporary file can exist. */
static void
w4_catch_signals (void)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = w4_on_signal;
  sigemptyset (&sa.sa_mask);
  /* No SA_RESTART: a blocking read returns EINTR and the capture loop sees
   * the stop at once. */
  sa.sa_flags = 0;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

static void
w4_install_signals (W4Capture *cap)
{
  w4_signal_target = cap;
}

static void
w4_remove_signals (void)
{
  w4_signal_target = NULL;
}

/* ---- main --------------------------------------------------------------- */

static gboolean
w4_check_args (W4Args *a, W4Format *format, W4Limits *limits)
{
  gboolean live = a->iface != NULL;
  gboolean files = (a->files && a->files[0]) || (a->rest && a->rest[0]);

  if (a->format == NULL || strcmp (a->format, "text") == 0)
    *format = W4_FORMAT_TEXT;
  else if (strcmp (a->format, "json") == 0)
    *format = W4_FORMAT_JSON;
  else if (strcmp (a->format, "ndjson") == 0)
    *format = W4_FORMAT_NDJSON;
  else {
    g_autofree char *m = g_strdup_printf ("--format takes text, json or ndjson, not '%s'",
                                          a->format);
    w4_usage_error (m);
    return FALSE;
  }

  w4_limits_init (limits);
  for (guint i = 0; a->limits && a->limits[i]; i++) {
    if (!w4_limits_set (limits, a->limits[i])) {
      g_autofree char *names = w4_limit_names ();
      g_autofree char *m = g_strdup_printf (
          "bad --limit '%s': expected NAME=N, N from 1 to %u, NAME one of:\n  %s", a->limits[i],
          G_MAXUINT32, names);
      w4_usage_error (m);
      return FALSE;
    }
  }

  a->max_mem_bytes = W4_BUDGET_DEFAULT;
  if (a->max_mem != NULL && !w4_budget_parse_size (a->max_mem, &a->max_mem_bytes)) {
    g_autofree char *m = g_strdup_printf (
        "bad --max-mem '%s': expected a size of at least 1 MiB, in bytes or with K, M or G "
        "(powers of 1024), e.g. 512M or 2G", a->max_mem);
    w4_usage_error (m);
    return FALSE;
  }

  if (live && files) {
    w4_usage_error ("give either capture files or -i IFACE, not both");
    return FALSE;
  }
  if (!live && !files) {
    w4_usage_error ("no input: give a capture FILE (or '-' for standard input) or -i IFACE");
    return FALSE;
  }
  if (!live && (a->count || a->duration || a->user)) {
    w4_usage_error ("-c, --duration and -Z apply to live capture (-i IFACE) only");
    return FALSE;
  }
  if (a->count < 0 || a->duration < 0) {
    w4_usage_error ("-c and --duration take a number of 0 or more");
    return FALSE;
  }
  return TRUE;
}

static void
w4_print_version (void)
{
  printf ("why401 %s\n%s, jansson %s, GLib %u.%u.%u\n", W4_VERSION, pcap_lib_version (),
          JANSSON_VERSION, glib_major_version, glib_minor_version, glib_micro_version);
}

/* The text of an error of capture/, whose messages name the file or
 * interface first ("x.pcap: No such file or directory"), without the
 * "why401: " prefix. (transfer full; raw bytes: sanitise to print) */
static char *
w4_cap_error_text (const GError *error)
{
  const char *msg = error != NULL ? error->message : "unknown error";
  const char *colon = strstr (msg, ": ");

  /* libpcap's own message often names the file already, and capture/ puts
   * the name first too: "x.pcap: x.pcap: No such file or directory". Say
   * it once. */
  if (colon != NULL) {
    gsize n = (gsize) (colon - msg) + 2;
    if (strncmp (colon + 2, msg, n) == 0)
      msg = colon + 2;
  }
  if (error != NULL && error->domain == W4_CAPTURE_ERROR &&
      error->code == W4_CAPTURE_ERROR_OPEN)
    return g_strdup_printf ("cannot open %s", msg);
  if (error != NULL && error->domain == W4_CAPTURE_ERROR &&
      error->code == W4_CAPTURE_ERROR_PRIVS)
    return g_strdup_printf ("cannot drop privileges: %s", msg);
  return g_strdup (msg);
}

/* One line on stderr for an error of capture/. */
static void
w4_print_cap_error (const GError *error)
{
  g_autofree char *text = w4_cap_error_text (error);
  g_autofree char *safe = w4_text_sanitize (text);

  fprintf (stderr, "why401: %s\n", safe);
}

/* -D: "1.eth0 [Up, Running, Connected]", one interface a line, as tcpdump. */
static int
w4_list_interfaces (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = w4_cap_list_interfaces (&error);

  if (lines == NULL) {
    g_autofree char *safe = w4_text_sanitize (error->message);

    fprintf (stderr, "why401: cannot list the interfaces: %s\n", safe);
    return W4_EXIT_USAGE;
  }
  for (guint i = 0; lines[i] != NULL; i++)
    printf ("%u.%s\n", i + 1, lines[i]);
  return W4_EXIT_CLEAN;
}

/* tcpdump's line when the capture starts, word for word, so that whoever
 * reads tcpdump's stderr can read ours: "listening on lo, link-type EN10MB
 * (Ethernet), snapshot length 262144 bytes". */
static void
w4_print_listening (W4Capture *cap, const char *iface)
{
  int dlt, snaplen;
  const char *name, *desc;
  g_autofree char *safe = w4_text_sanitize (iface);

  if (!w4_cap_live_info (cap, &dlt, &snaplen))
    return;
  name = pcap_datalink_val_to_name (dlt);
  desc = pcap_datalink_val_to_description (dlt);
  if (name != NULL)
    fprintf (stderr, "listening on %s, link-type %s (%s), snapshot length %d bytes\n", safe,
             name, desc != NULL ? desc : name, snaplen);
  else
    fprintf (stderr, "listening on %s, link-type %d, snapshot length %d bytes\n", safe, dlt,
             snaplen);
}

/* tcpdump's counts at the end, in its words: what why401 read, what the
 * kernel's filter passed, and what the kernel dropped (its buffer was
 * full: those packets are missing from the analysis). */
static void
w4_print_live_counts (W4Capture *cap)
{
  g_autoptr (GError) error = NULL;
  W4CapLiveStats st;
  guint64 captured = w4_cap_packets (cap);

  fprintf (stderr, "%" G_GUINT64_FORMAT " packet%s captured\n", captured,
           captured == 1 ? "" : "s");
  if (!w4_cap_live_stats (cap, &st, &error)) {
    w4_print_cap_error (error);
    return;
  }
  fprintf (stderr, "%u packet%s received by filter\n", st.received, st.received == 1 ? "" : "s");
  fprintf (stderr, "%u packet%s dropped by kernel\n", st.dropped, st.dropped == 1 ? "" : "s");
  if (st.if_dropped != 0)
    fprintf (stderr, "%u packet%s dropped by interface\n", st.if_dropped,
             st.if_dropped == 1 ? "" : "s");
}

/* Adds every file; collects in @errors why each one that cannot be opened
 * could not. Returns how many could. */
static guint
w4_add_files (W4Capture *cap, char **list, GPtrArray *errors)
{
  guint ok = 0;

  for (guint i = 0; list && list[i]; i++) {
    g_autoptr (GError) error = NULL;
    if (w4_cap_add_file (cap, list[i], &error))
      ok++;
    else
      g_ptr_array_add (errors, w4_cap_error_text (error));
  }
  return ok;
}

/* TRUE when an input is not a regular file (a pipe, a FIFO; "-" when
 * standard input is one): it may be a capture still being written
 * (tcpdump -w - | why401 -), whose findings ndjson must not hold back. */
static gboolean
w4_inputs_include_a_stream (const W4Args *a)
{
  char **lists[2] = { a->files, a->rest };
  struct stat st;

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++) {
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
      const char *in = lists[l][i];
      int rc = strcmp (in, "-") == 0 ? fstat (STDIN_FILENO, &st) : stat (in, &st);

      if (rc == 0 && !S_ISREG (st.st_mode))
        return TRUE;
    }
  }
  return FALSE;
}

/* Inputs that could not be opened: with none readable, each is an error
 * line and the run ends (exit 2); among readable ones, each is a warning,
 * on stderr and in summary.warnings, and the others are analysed. */
static void
w4_report_open_errors (GPtrArray *errors, guint opened, W4Warnings *warnings, W4Correlate *cor)
{
  for (guint i = 0; i < errors->len; i++) {
    const char *text = g_ptr_array_index (errors, i);

    if (opened == 0) {
      g_autofree char *safe = w4_text_sanitize (text);
      fprintf (stderr, "why401: %s\n", safe);
    } else {
      W4Anomaly an = { .kind = W4_ANOM_WARNING, .limit = W4_LIMIT_COUNT, .message = text };

      w4_warn_anomaly (warnings, &an);
      w4_cor_anomaly (cor, &an);
    }
  }
}

static int
w4_run (W4Args *a, W4Format format, const W4Limits *limits, FILE *out)
{
  W4Warnings warnings = { 0 };
  W4ReportOptions ropts = { 0 };
  W4CorrelateOptions copts = { 0 };
  /* Freed in the reverse order: the report, which releases what it kept
   * from the pipeline's budget, before the pipeline. */
  g_autoptr (W4Pipeline) pipe = NULL;
  g_autoptr (W4Report) rep = NULL;
  g_autoptr (W4Summary) summary = NULL;
  W4FindingSink fsink;
  W4Capture *cap;
  W4Correlate *cor;

  ropts.format = format;
  ropts.color = a->color;
  ropts.all = a->all;
  ropts.quiet = a->quiet;
  ropts.examples = 5;
  ropts.max_findings = limits->v[W4_LIMIT_FINDINGS];
  ropts.stream = a->iface != NULL; /* live text: each failure as it is decided */
  ropts.flush_lines = w4_inputs_include_a_stream (a); /* ndjson: a pipe may be live */
  ropts.warn = w4_warn_anomaly;
  ropts.warn_user = &warnings;
  copts.show_secrets = a->show_secrets;
  copts.decide_after_sec = 30;

  rep = w4_rep_new (&ropts, out);
  fsink = w4_rep_sink (rep);
  pipe = w4_pipe_new (limits, &copts, &fsink, w4_warn_anomaly, &warnings);
  w4_pipe_set_max_mem (pipe, a->max_mem_bytes);
  w4_rep_set_budget (rep, w4_pipe_budget (pipe));
  cap = w4_pipe_capture (pipe);
  cor = w4_pipe_correlate (pipe);

  /* Before the inputs: their Decryption Secrets Blocks are read when they
   * are added, and the key logs' lines come first on stderr. A key log
   * that cannot be read is a mistake to fix before the run (exit 2). */
  for (guint i = 0; a->keylogs != NULL && a->keylogs[i] != NULL; i++) {
    g_autoptr (GError) error = NULL;

    if (!w4_pipe_add_keylog (pipe, a->keylogs[i], a->iface != NULL, &error)) {
      g_autofree char *safe = w4_text_sanitize (error->message);

      fprintf (stderr, "why401: cannot read the key log %s\n", safe);
      return W4_EXIT_USAGE;
    }
  }

  if (a->iface != NULL) {
    g_autoptr (GError) error = NULL;
    const char *user = a->user;
    g_autofree char *input = g_strdup_printf ("interface %s", a->iface);

    if (!w4_cap_open_live (cap, a->iface, a->bpf, !a->no_promisc, &error)) {
      w4_print_cap_error (error);
      return W4_EXIT_USAGE;
    }
    /* As tcpdump does: once the device is open, root is no longer needed.
     * Started as root: become -Z USER, or nobody (-Z root keeps root). Not
     * root: nothing to drop, but an explicit -Z that cannot be honoured is
     * an error rather than a silent surprise. */
    if (user == NULL && geteuid () == 0)
      user = "nobody";
    if (user != NULL && !w4_cap_drop_privileges (user, &error)) {
      w4_print_cap_error (error);
      return W4_EXIT_USAGE;
    }
    w4_cap_set_stop (cap, (guint64) a->count, (guint) a->duration);
    w4_cor_set_file_name (cor, 0, a->iface);
    w4_rep_add_input (rep, input);
    w4_print_listening (cap, a->iface);
  } else {
    g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GError) filter_error = NULL;
    guint opened;

    /* -f on files, as tcpdump -r -f: checked before any file is opened. */
    if (!w4_cap_set_filter (cap, a->bpf, &filter_error)) {
      w4_print_cap_error (filter_error);
      return W4_EXIT_USAGE;
    }
    opened = w4_add_files (cap, a->files, errors) + w4_add_files (cap, a->rest, errors);

    w4_report_open_errors (errors, opened, &warnings, cor);
    if (opened == 0)
      return W4_EXIT_USAGE;
    /* Names in run order (capture sorts the files by first packet); the
     * base name, so the output does not depend on where the file lies. */
    for (guint i = 0; i < w4_cap_n_files (cap); i++) {
      g_autofree char *base = g_path_get_basename (w4_cap_file_name (cap, i));
      w4_cor_set_file_name (cor, i, base);
      w4_rep_add_input (rep, base);
    }
  }

  w4_install_signals (cap);
  guint read = w4_pipe_run (pipe);
  w4_remove_signals ();
  if (a->iface != NULL)
    w4_print_live_counts (cap);
  if (read == 0 && a->iface == NULL) {
    fprintf (stderr, "why401: no input could be read\n");
    return W4_EXIT_USAGE;
  }

  summary = w4_pipe_finish (pipe);
  w4_rep_finish (rep, summary);
  return w4_rep_n_failures (rep) > 0 ? W4_EXIT_FAILURES : W4_EXIT_CLEAN;
}

/* ---- the output file ---------------------------------------------------- */

/* TRUE (after one line on stderr) when -o names one of the inputs: opening
 * it for writing would truncate the capture before it is read. Compared by
 * device and inode, so another spelling of the path, a symlink or a hard
 * link is caught too; "-" is compared through standard input. */
static gboolean
w4_output_names_input (const W4Args *a)
{
  char **lists[3] = { a->files, a->rest, a->keylogs }; /* a key log is an input too */
  struct stat os, is;

  if (stat (a->output, &os) != 0)
    return FALSE; /* not there yet: cannot be an input that was read */
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++) {
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
      const char *in = lists[l][i];
      int rc = strcmp (in, "-") == 0 ? fstat (STDIN_FILENO, &is) : stat (in, &is);

      if (rc == 0 && is.st_dev == os.st_dev && is.st_ino == os.st_ino) {
        g_autofree char *so = w4_text_sanitize (a->output);
        g_autofree char *si = w4_text_sanitize (strcmp (in, "-") == 0 ? "standard input" : in);
        fprintf (stderr, "why401: -o %s is the input %s; refusing to overwrite it\n", so, si);
        return TRUE;
      }
    }
  }
  return FALSE;
}

/* The report's destination. json and text are one document written at the
 * end: they go to a temporary file beside the target (same directory, so
 * rename(2) is atomic) and replace it only when the run succeeded, so an
 * interrupted or failed run never leaves half a report over an old one.
 * ndjson streams findings as they are decided (a reader may follow the
 * file), so it is written in place; so is a target that is not a regular
 * file (/dev/null, a FIFO, a terminal), which cannot be renamed over. */
typedef struct {
  FILE *fp;
  char *target; /* -o as given (resolved when a symlink) */
  char *tmp;    /* NULL when writing the target directly */
  gboolean created; /* the target did not exist: removed again on failure */
} W4Output;

/* (transfer full) @path with its symlinks followed to the file they name,
 * which may not exist yet (realpath fails then): writing through a link
 * creates or replaces that file, never the link. At most 40 links, as the
 * kernel follows (ELOOP). */
static char *
w4_output_follow_links (const char *path)
{
  char *cur = g_strdup (path);

  for (guint hops = 0; hops < 40; hops++) {
    g_autofree char *dest = g_file_read_link (cur, NULL);
    char *next;

    if (dest == NULL)
      break; /* not a link (or not there): this is the file */
    if (g_path_is_absolute (dest)) {
      next = g_steal_pointer (&dest);
    } else {
      g_autofree char *dir = g_path_get_dirname (cur);
      next = g_build_filename (dir, dest, NULL);
    }
    g_free (cur);
    cur = next;
  }
  return cur;
}

static gboolean
w4_output_open (W4Output *o, const char *path, W4Format format)
{
  struct stat st;
  gboolean exists = stat (path, &st) == 0;
  g_autofree char *safe = w4_text_sanitize (path);

  o->target = g_strdup (path);
  if (format == W4_FORMAT_NDJSON || (exists && !S_ISREG (st.st_mode))) {
    o->fp = fopen (path, "w");
  } else {
    g_autofree char *dir = NULL, *base = NULL;
    mode_t mask = umask (0);
    struct stat probed, found;
    int fd;

    umask (mask);
    /* The kernel decides first, as for plain writing: write permission on
     * the file itself (rename(2) needs only the directory's) and its
     * protections on following links (fs.protected_symlinks in sticky
     * directories such as /tmp). Neither truncates: the old report stays
     * until the new one is whole. A file this creates is removed again
     * when the run fails. */
    fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666 & ~mask);
    if (fd >= 0) {
      int rc = fstat (fd, &probed);
      close (fd);
      o->created = !exists;
      /* Through a symlink, the file it points to is replaced, not the
       * link: the one the kernel just opened (checked: same inode). */
      g_free (o->target);
      o->target = w4_output_follow_links (path);
      if (rc != 0 || stat (o->target, &found) != 0 || found.st_dev != probed.st_dev ||
          found.st_ino != probed.st_ino) {
        if (o->created)
          unlink (o->target);
        errno = EAGAIN;
        fd = -1;
      }
    }
    if (fd >= 0) {
      dir = g_path_get_dirname (o->target);
      base = g_path_get_basename (o->target);
      o->tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
      fd = mkstemp (o->tmp);
      if (fd < 0 && o->created)
        unlink (o->target);
    }
    if (fd >= 0) {
      /* mkstemp gives 0600; the report gets what fopen would have given
       * (or keeps the permissions of the report it replaces, without
       * set-id bits: a report is not a program). */
      fchmod (fd, exists ? (st.st_mode & 0777) : (0666 & ~mask));
      o->fp = fdopen (fd, "w");
      if (o->fp == NULL) {
        close (fd);
        unlink (o->tmp);
        if (o->created)
          unlink (o->target);
      }
    }
  }
  if (o->fp == NULL) {
    fprintf (stderr, "why401: cannot write %s: %s\n", safe, g_strerror (errno));
    g_clear_pointer (&o->target, g_free);
    g_clear_pointer (&o->tmp, g_free);
    return FALSE;
  }
  return TRUE;
}

/* Closes the report; with a temporary file, renames it over the target
 * when @ok, removes it otherwise. FALSE (after a line on stderr) when the
 * report could not be completed. */
static gboolean
w4_output_close (W4Output *o, gboolean ok)
{
  gboolean done = TRUE;
  g_autofree char *safe = w4_text_sanitize (o->target);

  if (fclose (o->fp) != 0 && ok) {
    fprintf (stderr, "why401: cannot write %s: %s\n", safe, g_strerror (errno));
    done = FALSE;
  }
  if (o->tmp != NULL) {
    if (ok && done && rename (o->tmp, o->target) != 0) {
      fprintf (stderr, "why401: cannot write %s: %s\n", safe, g_strerror (errno));
      done = FALSE;
    }
    if (!ok || !done) {
      unlink (o->tmp);
      if (o->created)
        unlink (o->target);
    }
    w4_signal_tmp = NULL;
    w4_signal_created = NULL;
  }
  g_free (o->target);
  g_free (o->tmp);
  return done;
}

int
main (int argc, char **argv)
{
  W4Args a = { 0 };
  W4Format format = W4_FORMAT_TEXT;
  W4Limits limits;
  FILE *out = stdout;
  W4Output o = { 0 };
  int status;

  /* Messages and the ellipsis in --help in the user's language and charset. */
  setlocale (LC_ALL, "");
  g_set_prgname ("why401");
  a.color = W4_COLOR_AUTO;
  if (!w4_parse_args (&argc, &argv, &a)) {
    w4_args_clear (&a);
    return W4_EXIT_USAGE;
  }
  if (a.version) {
    w4_print_version ();
    w4_args_clear (&a);
    return W4_EXIT_CLEAN;
  }
  if (a.list_interfaces) {
    status = w4_list_interfaces ();
    w4_args_clear (&a);
    return status;
  }
  if (!w4_check_args (&a, &format, &limits)) {
    w4_args_clear (&a);
    return W4_EXIT_USAGE;
  }

  w4_catch_signals ();
  if (a.output != NULL && strcmp (a.output, "-") != 0) {
    if (w4_output_names_input (&a)) {
      w4_args_clear (&a);
      return W4_EXIT_USAGE;
    }
    if (!w4_output_open (&o, a.output, format)) {
      w4_args_clear (&a);
      return W4_EXIT_USAGE;
    }
    w4_signal_tmp = o.tmp;
    w4_signal_created = o.created ? o.target : NULL;
    out = o.fp;
  }

  status = w4_run (&a, format, &limits, out);

  /* A report that could not be written (disk full, closed pipe) must not
   * pass for a clean run. */
  if (fflush (out) != 0 || ferror (out)) {
    fprintf (stderr, "why401: cannot write the report: %s\n", g_strerror (errno));
    status = W4_EXIT_USAGE;
  }
  if (out != stdout && !w4_output_close (&o, status != W4_EXIT_USAGE))
    status = W4_EXIT_USAGE;
  w4_args_clear (&a);
  return status;
}
