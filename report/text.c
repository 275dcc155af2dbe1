/* text.c: the report for a person at a terminal, most useful first.
 *
 * Layout: one header line (inputs and totals); the failed responses by
 * cause, by server and by principal; one section per failure cause (most
 * frequent first) with what it means, what to fix and a few examples, each
 * with the Wireshark filter that shows its packets; then risks, infos and
 * warnings. Challenge notes (normal handshake steps) are one line unless
 * --all, which also lists every finding with its evidence.
 *
 * Lines fit the width report.c picked (the terminal's, else $COLUMNS, else
 * 80), wrapped between words only: a word longer than a line (a URI, a
 * filter, which a user copies) goes whole on a line of its own. In a live
 * capture (opts.stream) each failure is printed as soon as it is decided,
 * and the end prints the summary and the cause groups without repeating
 * them. Colour only when asked or when the
 * output is a terminal (report.c decides). Strings from the capture are
 * escaped (controls, invalid UTF-8, bidirectional and format characters)
 * before printing, so a hostile header cannot move the cursor, recolour the
 * terminal or display reversed. */
#include "report-private.h"

#include <string.h>

#include "w4-text.h"
#define W4_TEXT_TOP 5 /* entries of by-server and by-principal shown */

/* ---- output helpers ----------------------------------------------------- */

typedef enum {
  W4_STYLE_BOLD,
  W4_STYLE_FAIL,
  W4_STYLE_RISK,
  W4_STYLE_INFO,
  W4_STYLE_DIM,
  W4_STYLE_OK,
} W4Style;

static const char *
w4_style_on (const W4Report *rep, W4Style s)
{
  static const char *const codes[] = {
    [W4_STYLE_BOLD] = "\033[1m", [W4_STYLE_FAIL] = "\033[1;31m", [W4_STYLE_RISK] = "\033[1;33m",
    [W4_STYLE_INFO] = "\033[1;36m", [W4_STYLE_DIM] = "\033[2m", [W4_STYLE_OK] = "\033[32m",
  };
  return rep->color ? codes[s] : "";
}

static const char *
w4_style_off (const W4Report *rep)
{
  return rep->color ? "\033[0m" : "";
}

/* (transfer full) @s as printable UTF-8 with every control, invalid byte
 * and bidirectional or format character escaped (common/w4-text.c), so
 * capture content cannot drive the terminal or display reversed. */
static char *
w4_clean (const char *s)
{
  return w4_text_sanitize (s);
}

/* (transfer full) @s with every word longer than 64 characters cut to its
 * first 40 and a count: an NTLM or Negotiate blob in the evidence is
 * hundreds of characters that no one reads, and it would push the line
 * far past the screen. The JSON keeps it whole. */
static char *
w4_shorten_words (const char *s)
{
  g_autofree char *clean = w4_clean (s);
  g_auto (GStrv) words = g_strsplit (clean, " ", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++) {
    glong n = g_utf8_strlen (words[i], -1);
    if (i > 0)
      g_string_append_c (out, ' ');
    if (n > 64) {
      const char *cut = g_utf8_offset_to_pointer (words[i], 40);
      g_string_append_len (out, words[i], cut - words[i]);
      g_string_append_printf (out, "...(%ld-char)", n);
    } else {
      g_string_append (out, words[i]);
    }
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Prints @text word-wrapped at rep->width between words, never inside one,
 * every line indented by @indent spaces; @first is printed before the first
 * word (a label); @first_on and @text_on (escapes or "") style the label
 * and the text. A word that does not fit where it would go starts a new
 * line, where it stands alone when it is longer than a line. */
static void
w4_wrap_styled (W4Report *rep, guint indent, const char *first, const char *first_on,
                const char *text_on, const char *text)
{
  g_autofree char *clean = w4_clean (text);
  g_auto (GStrv) words = g_strsplit (clean, " ", -1);
  glong width = (glong) rep->width;
  glong col;

  /* Continuation lines hang under the text, not under the label, unless
   * the label takes half the line. */
  glong hang = indent + (first != NULL ? w4_text_width (first) : 0);
  if (hang > width / 2)
    hang = indent + 2;

  fprintf (rep->out, "%*s%s%s%s%s", (int) indent, "", first_on, first != NULL ? first : "",
           *first_on ? w4_style_off (rep) : "", text_on);
  col = indent + (first != NULL ? w4_text_width (first) : 0);
  /* A label ends with its own spacing: the first word follows it directly. */
  gboolean has_word = FALSE;
  gboolean has_label = first != NULL && first[0] != '\0';
  glong extra_spaces = 0; /* a run of spaces between words is kept, not at a break */
  for (guint i = 0; words[i] != NULL; i++) {
    glong wl = w4_text_width (words[i]);
    glong sep = has_word ? 1 + extra_spaces : 0;
    if (wl == 0) {
      extra_spaces += has_word ? 1 : 0;
      continue;
    }
    extra_spaces = 0;
    if ((has_word || has_label) && col + sep + wl > width) {
      fprintf (rep->out, "\n%*s", (int) hang, "");
      col = hang;
      has_word = has_label = FALSE;
      sep = 0;
    }
    fprintf (rep->out, "%*s", (int) sep, "");
    fputs (words[i], rep->out);
    col += sep + wl;
    has_word = TRUE;
  }
  fprintf (rep->out, "%s\n", *text_on ? w4_style_off (rep) : "");
}

static void
w4_wrap (W4Report *rep, guint indent, const char *first, const char *text)
{
  w4_wrap_styled (rep, indent, first, "", "", text);
}

/* TRUE when @host tells more than @server ("ip:port") already does: a
 * Host header that is just the address is noise on a narrow line. */
static gboolean
w4_host_adds (const char *host, const char *server)
{
  const char *colon;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (server == NULL)
    return TRUE;
  if (strcmp (host, server) == 0)
    return FALSE;
  colon = strrchr (server, ':');
  if (colon != NULL && strlen (host) == (gsize) (colon - server) &&
      strncmp (host, server, (gsize) (colon - server)) == 0)
    return FALSE;
  return TRUE;
}

/* (transfer full) How a server is named: "127.0.0.1:8080 (app.test)",
 * its Host when that says more; for the server behind a proxy's CONNECT
 * tunnel "127.0.0.1:3128 tunnel to api.example:443", the proxy's address
 * and the tunnel's target (its Host only when that says more still). */
static char *
w4_text_server_label (const char *server_raw, const char *tunnel_raw, const char *host_raw)
{
  g_autofree char *server = w4_clean (server_raw);
  g_autofree char *host = w4_clean (host_raw);
  g_autofree char *tunnel = w4_clean (tunnel_raw);
  GString *l = g_string_new (server_raw != NULL ? server : "?");

  if (tunnel_raw != NULL) {
    g_string_append_printf (l, " tunnel to %s", tunnel);
    if (w4_host_adds (host_raw, tunnel_raw))
      g_string_append_printf (l, " (%s)", host);
  } else if (w4_host_adds (host_raw, server_raw)) {
    g_string_append_printf (l, " (%s)", host);
  }
  return g_string_free (l, FALSE);
}

static const char *
w4_plural (guint64 n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

/* ---- header and summary ------------------------------------------------- */

static void
w4_text_header (W4Report *rep, const W4Summary *s)
{
  g_autoptr (GString) inputs = g_string_new (NULL);

  for (guint i = 0; i < rep->inputs->len; i++) {
    g_autofree char *c = w4_clean (g_ptr_array_index (rep->inputs, i));
    if (i > 0 && inputs->len + strlen (c) > 56) {
      g_string_append_printf (inputs, " and %u more", rep->inputs->len - i);
      break;
    }
    if (i > 0)
      g_string_append (inputs, ", ");
    g_string_append (inputs, c);
  }
  if (inputs->len == 0)
    g_string_append (inputs, "capture");

  g_autofree char *label = g_strdup_printf ("%s: ", inputs->str);
  g_autofree char *totals = g_strdup_printf (
      "%" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT " HTTP %s, %"
      G_GUINT64_FORMAT " %s", s->packets,
      w4_plural (s->packets, "packet", "packets"), s->connections,
      w4_plural (s->connections, "connection", "connections"), s->http_requests,
      w4_plural (s->http_requests, "request", "requests"), s->http_responses,
      w4_plural (s->http_responses, "response", "responses"));
  w4_wrap_styled (rep, 0, label, w4_style_on (rep, W4_STYLE_BOLD), "", totals);
}

/* (transfer full) "HTTP/2 to 1 server, TLS to 2 servers": what the
 * not-parsed and not-decrypted infos (one per server) left uninspected, or
 * NULL when everything was read. */
static char *
w4_text_uninspected (W4Report *rep)
{
  guint64 h2 = rep->n_by[W4_KIND_INFO][W4_CAUSE_NOT_PARSED];
  guint64 tls = rep->n_by[W4_KIND_INFO][W4_CAUSE_NOT_DECRYPTED];
  g_autoptr (GString) out = g_string_new (NULL);

  if (h2 > 0)
    g_string_append_printf (out, "HTTP/2 to %" G_GUINT64_FORMAT " %s", h2,
                            w4_plural (h2, "server", "servers"));
  if (tls > 0)
    g_string_append_printf (out, "%sTLS to %" G_GUINT64_FORMAT " %s", out->len ? ", " : "", tls,
                            w4_plural (tls, "server", "servers"));
  return out->len ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* (transfer full) "127.0.0.1:8080 (app.test)": a server, with its Host
 * when that says more. */
static char *
w4_text_server_name (const W4ServerStat *st)
{
  g_autofree char *server = NULL;

  /* a proxy's Host fields name the servers behind it, not the proxy */
  if (st->proxy && st->tunnel == NULL) {
    server = w4_clean (st->server);
    return g_strdup_printf ("%s (proxy)", server);
  }
  return w4_text_server_label (st->server, st->tunnel, st->host);
}

/* (transfer full) " (67%)", or with challenge steps " (2 of them challenge
 * steps; 50% of the other 4)": a Digest or NTLM server answers every first
 * request with a 401 that is no failure. "" when there is no rate. */
static char *
w4_text_failure_rate (const W4ServerStat *st)
{
  if (st->failure_rate < 0)
    return g_strdup (st->challenge_steps > 0 ? " (all challenge steps)" : "");
  if (st->challenge_steps == 0)
    return g_strdup_printf (" (%d%%)", st->failure_rate);
  return g_strdup_printf (" (%" G_GUINT64_FORMAT " of them %s; %d%% of the other %" G_GUINT64_FORMAT
                          ")", st->challenge_steps,
                          w4_plural (st->challenge_steps, "a challenge step", "challenge steps"),
                          st->failure_rate, st->total - st->challenge_steps);
}

/* (transfer full) "; account-specific: on 127.0.0.1:8080 bob succeeded 10 of
 * 10": the principal failed every time on a server where another one
 * succeeded. "" when there is no such server. */
static char *
w4_text_account_specific (const W4PrincipalStat *st)
{
  g_autofree char *server = NULL;
  g_autofree char *other = NULL;

  if (st->specific_server == NULL)
    return g_strdup ("");
  server = w4_clean (st->specific_server);
  other = w4_clean (st->specific_other);
  return g_strdup_printf ("; account-specific: on %s it failed %" G_GUINT64_FORMAT " of %"
                          G_GUINT64_FORMAT " while %s succeeded %" G_GUINT64_FORMAT " of %"
                          G_GUINT64_FORMAT, server, st->specific_failed, st->specific_failed,
                          other, st->other_succeeded, st->other_total);
}

/* (transfer full) "; TLS handshakes ended by alerts: certificate_required
 * (116) from the server 2 times, first at frame 19": "" when none. */
static char *
w4_text_tls_alerts (const W4ServerStat *st)
{
  GString *s = g_string_new ("");

  for (guint i = 0; st->tls_alerts != NULL && i < st->tls_alerts->len; i++) {
    const W4TlsAlertStat *a = &g_array_index (st->tls_alerts, W4TlsAlertStat, i);
    g_string_append (s, i == 0 ? "; TLS handshakes ended by alerts: " : ", ");
    g_string_append_printf (s, "%s (%u) from the %s", a->name != NULL ? a->name : "alert",
                            a->description, a->from_server ? "server" : "client");
    if (a->count > 1)
      g_string_append_printf (s, " %" G_GUINT64_FORMAT " times, first", a->count);
    g_string_append_printf (s, " at frame %" G_GUINT64_FORMAT, a->frame);
  }
  return g_string_free (s, FALSE);
}

/* Servers whose TLS handshakes alerts ended, when no failure was found:
 * the handshake failure is then the one thing to say about them. */
static void
w4_text_alert_servers (W4Report *rep, const W4Summary *s)
{
  gboolean first = TRUE;

  for (guint i = 0; s->by_server != NULL && i < s->by_server->len; i++) {
    const W4ServerStat *st = g_ptr_array_index (s->by_server, i);
    if (st->tls_alerts == NULL)
      continue;
    g_autofree char *name = w4_text_server_name (st);
    g_autofree char *alerts = w4_text_tls_alerts (st);
    /* alerts starts "; " for the failures table's line: here it follows the name */
    g_autofree char *txt = g_strdup_printf ("%s: %s", name, alerts + 2);
    w4_wrap (rep, 2, first ? "by server:    " : "              ", txt);
    first = FALSE;
  }
}

static void
w4_text_summary (W4Report *rep, const W4Summary *s)
{
  guint64 failures = rep->n_kind[W4_KIND_FAILURE];
  guint64 notes = rep->n_kind[W4_KIND_NOTE];
  gboolean any = FALSE;

  fputc ('\n', rep->out);
  if (s->failed_responses == 0 && failures == 0 && notes == 0) {
    g_autofree char *unseen = w4_text_uninspected (rep);
    /* Not a flat "none" when HTTP/2 or TLS hid what is inside them. */
    if (unseen != NULL) {
      g_autofree char *txt = g_strdup_printf ("No failed (401/407/403) responses in the HTTP "
                                              "that was read; not inspected: %s.", unseen);
      w4_wrap (rep, 0, NULL, txt);
      w4_text_alert_servers (rep, s);
      return;
    }
    fprintf (rep->out, "%sNo failed (401/407/403) responses.%s\n", w4_style_on (rep, W4_STYLE_OK),
             w4_style_off (rep));
    w4_text_alert_servers (rep, s);
    return;
  }
  g_autofree char *failed = g_strdup_printf ("%" G_GUINT64_FORMAT " failed %s: ",
                                             s->failed_responses,
                                             w4_plural (s->failed_responses, "response",
                                                        "responses"));
  g_autofree char *split = g_strdup_printf ("%" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT
                                            " normal challenge %s", failures,
                                            w4_plural (failures, "failure", "failures"), notes,
                                            w4_plural (notes, "step", "steps"));
  w4_wrap_styled (rep, 0, failed, w4_style_on (rep, W4_STYLE_BOLD), "", split);

  /* by cause: failures only (the notes are counted above), most first */
  g_autoptr (GString) line = g_string_new (NULL);
  W4Cause order[W4_CAUSE_COUNT];
  guint n_order = 0;
  for (int c = 0; c < W4_CAUSE_COUNT; c++) {
    if (c == W4_CAUSE_CHALLENGE || s->by_cause[c] == 0)
      continue;
    guint j = n_order++;
    while (j > 0 && s->by_cause[order[j - 1]] < s->by_cause[c]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = (W4Cause) c;
  }
  for (guint i = 0; i < n_order; i++) {
    g_string_append_printf (line, "%s%s %" G_GUINT64_FORMAT, line->len ? ", " : "",
                            w4_cause_name (order[i]), s->by_cause[order[i]]);
    any = TRUE;
  }
  if (any)
    w4_wrap (rep, 2, "by cause:     ", line->str);

  const W4ServerStat *main_st = NULL;
  for (guint i = 0; s->by_server != NULL && i < s->by_server->len; i++)
    if (((const W4ServerStat *) g_ptr_array_index (s->by_server, i))->main)
      main_st = g_ptr_array_index (s->by_server, i);
  for (guint i = 0; s->by_server != NULL && i < s->by_server->len; i++) {
    const W4ServerStat *st = g_ptr_array_index (s->by_server, i);
    if (i == W4_TEXT_TOP) {
      fprintf (rep->out, "                ... and %u more servers\n", s->by_server->len - i);
      break;
    }
    g_autofree char *name = w4_text_server_name (st);
    g_autofree char *rate = w4_text_failure_rate (st);
    g_autofree char *schemes = w4_clean (st->schemes);
    g_autofree char *against = main_st != NULL && st->stands_out ? w4_text_server_name (main_st)
                                                                 : NULL;
    g_autofree char *alerts = w4_text_tls_alerts (st);
    g_autofree char *txt = g_strdup_printf (
        "%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " failed%s%s%s%s%s%s%s%s", name, st->failed,
        st->total, rate, st->schemes && *st->schemes ? ", schemes " : "",
        st->schemes ? schemes : "", against ? "; stands out: fails while " : "",
        against ? against : "", against ? " succeeds" : "", st->main ? "; the main server" : "",
        alerts);
    w4_wrap (rep, 2, i == 0 ? "by server:    " : "              ", txt);
  }
  for (guint i = 0; s->by_principal != NULL && i < s->by_principal->len; i++) {
    const W4PrincipalStat *st = g_ptr_array_index (s->by_principal, i);
    if (i == W4_TEXT_TOP) {
      fprintf (rep->out, "                ... and %u more principals\n",
               s->by_principal->len - i);
      break;
    }
    g_autofree char *p = w4_clean (st->principal);
    g_autofree char *specific = w4_text_account_specific (st);
    g_autofree char *txt = g_strdup_printf ("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                            " succeeded%s", p, st->succeeded,
                                            st->succeeded + st->failed, specific);
    w4_wrap (rep, 2, i == 0 ? "by principal: " : "              ", txt);
  }
}

/* ---- the memory budget ----------------------------------------------------- */

/* What the budget's evictors gave up, in the order they were asked. */
static void
w4_text_evicted (GString *out, const W4Budget *b)
{
  static const struct {
    W4EvictKind kind;
    const char *verb, *one, *many;
  } words[] = {
    { W4_EVICT_IDLE_FLOWS, "dropped", "idle connection", "idle connections" },
    { W4_EVICT_DECIDED_EARLY, "decided", "failure early", "failures early" },
    { W4_EVICT_STREAM_NUMBERS, "forgot", "connection number", "connection numbers" },
    { W4_EVICT_FLOWS, "dropped", "active connection", "active connections" },
    { W4_EVICT_STATE, "forgot", "client state", "client states" },
    { W4_EVICT_FINDINGS, "gave up", "kept finding", "kept findings" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++) {
    guint64 n = b->evicted[words[i].kind];

    if (n != 0)
      g_string_append_printf (out, "%s%s %" G_GUINT64_FORMAT " %s", out->len ? ", " : "",
                              words[i].verb, n, w4_plural (n, words[i].one, words[i].many));
  }
}

/* Allocations not made because they did not fit, by kind. */
static void
w4_text_refused (GString *out, const W4Budget *b)
{
  g_autoptr (GString) kinds = g_string_new (NULL);
  guint64 total = 0;

  for (int k = 0; k < W4_MEM_KINDS; k++) {
    if (b->refused[k] == 0)
      continue;
    total += b->refused[k];
    g_string_append_printf (kinds, "%s%s %" G_GUINT64_FORMAT, kinds->len ? ", " : "",
                            w4_mem_name ((W4MemKind) k), b->refused[k]);
  }
  if (total != 0)
    g_string_append_printf (out, "%sdid without %" G_GUINT64_FORMAT " %s (%s)",
                            out->len ? "; " : "", total,
                            w4_plural (total, "allocation", "allocations"), kinds->str);
}

/* One line when the budget was reached: what was given up to stay in it
 * (the JSON summary's budget object counts the same). */
static void
w4_text_budget (W4Report *rep, const W4Summary *s)
{
  const W4Budget *b = &s->budget;
  g_autoptr (GString) what = g_string_new (NULL);
  g_autofree char *max = NULL, *peak = NULL, *txt = NULL;

  w4_text_evicted (what, b);
  w4_text_refused (what, b);
  if (b->enforcements == 0 && what->len == 0)
    return;
  max = w4_budget_format_size (b->max);
  peak = w4_budget_format_size (b->peak);
  txt = g_strdup_printf ("budget %s reached (peak %s): %s", max, peak,
                         what->len ? what->str : "nothing could be given up");
  w4_wrap (rep, 2, "memory:       ", txt);
}

/* ---- timeline ------------------------------------------------------------ */

/* Room the histogram leaves on a line: indent and the words after it. */
#define W4_TIMELINE_LINE_ROOM 26

/* Histogram levels, empty first: block elements when the output is UTF-8,
 * else ASCII. An empty bin is a blank, so the gaps between bursts show. */
static const char *const w4_levels_utf8[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const w4_levels_ascii[] = { " ", ".", ":", "*", "#" };

static void
w4_timeline_histogram (GString *out, const W4TimelineRow *row)
{
  gboolean utf8 = g_get_charset (NULL);
  const char *const *levels = utf8 ? w4_levels_utf8 : w4_levels_ascii;
  guint64 top_level = (utf8 ? G_N_ELEMENTS (w4_levels_utf8) : G_N_ELEMENTS (w4_levels_ascii)) - 1;
  guint64 most = 1;

  for (guint i = 0; i < row->n_bins; i++)
    most = MAX (most, row->bins[i]);
  for (guint i = 0; i < row->n_bins; i++) {
    /* rounded up: one failure in a busy span still shows */
    guint64 level = (row->bins[i] * top_level + most - 1) / most;
    g_string_append (out, levels[level]);
  }
}

/* "05:57:09", or with the date when the span crosses midnight (UTC, as the
 * findings' times are). */
static void
w4_timeline_clock (GString *out, gint64 sec, gboolean with_date)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (sec);
  g_autofree char *txt = t != NULL ? g_date_time_format (t, with_date ? "%F %T" : "%T") : NULL;
  g_string_append (out, txt != NULL ? txt : "?");
}

static void
w4_timeline_duration (GString *out, guint64 minutes)
{
  if (minutes < 120)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT " min", minutes);
  else if (minutes % 60 == 0)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT " h", minutes / 60);
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT " h %" G_GUINT64_FORMAT " min",
                            minutes / 60, minutes % 60);
}

static void
w4_timeline_line (W4Report *rep, const W4TimelineServer *ts, const W4TimelineRow *row)
{
  g_autofree char *name = w4_text_server_label (ts->server, ts->tunnel, ts->host);
  g_autoptr (GString) label = g_string_new (name);
  g_autoptr (GString) when = g_string_new (NULL);
  g_autoptr (GString) hist = g_string_new (NULL);
  g_autoptr (GString) count = g_string_new (NULL);
  gboolean days = row->first / 86400 != row->last / 86400;

  w4_timeline_clock (when, row->first, days);
  g_string_append (when, " - ");
  w4_timeline_clock (when, row->last, days);
  w4_timeline_histogram (hist, row);
  g_string_append_printf (count, "%" G_GUINT64_FORMAT " %s in ", row->failures,
                          w4_plural (row->failures, "failure", "failures"));
  w4_timeline_duration (count, row->span_minutes);
  if (row->bin_minutes > 1) {
    g_string_append (count, ", 1 column = ");
    w4_timeline_duration (count, row->bin_minutes);
  }

  glong one_line = 2 + w4_text_width (label->str) + 2 + w4_text_width (when->str) + 2 +
                   row->n_bins + 2 + w4_text_width (count->str);
  if (one_line <= (glong) rep->width) {
    fprintf (rep->out, "  %s  %s  %s  %s\n", label->str, when->str, hist->str, count->str);
    return;
  }
  /* narrow: the words wrapped, the histogram on its own line (it fits:
   * its bins were capped by the width) */
  g_autofree char *words = g_strdup_printf ("%s  %s  %s", label->str, when->str, count->str);
  w4_wrap (rep, 2, NULL, words);
  fprintf (rep->out, "    %s\n", hist->str);
}

static gint
w4_timeline_by_first (gconstpointer a, gconstpointer b)
{
  const W4TimelineRow *ra = a, *rb = b;
  return ra->first < rb->first ? -1 : ra->first > rb->first;
}

/* Per server, when failures started and stopped, and a histogram of them
 * by minute (wider bins for longer spans); nothing without failures. */
static void
w4_text_timeline (W4Report *rep)
{
  guint n = rep->timeline->len;
  guint max_bins;

  if (n == 0)
    return;
  max_bins = rep->width > W4_TIMELINE_LINE_ROOM ? rep->width - W4_TIMELINE_LINE_ROOM : 1;
  max_bins = MIN (max_bins, W4_TIMELINE_MAX_BINS);

  g_autofree W4TimelineRow *rows = g_new0 (W4TimelineRow, n);
  g_autofree guint *order = g_new (guint, n);
  for (guint i = 0; i < n; i++) {
    const W4TimelineServer *ts = g_ptr_array_index (rep->timeline, i);
    w4_timeline_bucket ((const gint64 *) (void *) ts->times->data, ts->times->len, max_bins,
                        &rows[i]);
    order[i] = i;
  }
  /* earliest first (insertion sort: stable, and n is small in practice) */
  for (guint i = 1; i < n; i++) {
    for (guint j = i; j > 0; j--) {
      guint t = order[j];
      if (w4_timeline_by_first (&rows[t], &rows[order[j - 1]]) >= 0)
        break;
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  }

  fprintf (rep->out, "\n%s== Timeline ==%s\n", w4_style_on (rep, W4_STYLE_BOLD),
           w4_style_off (rep));
  for (guint i = 0; i < n; i++) {
    if (i == W4_TEXT_TOP) {
      fprintf (rep->out, "  ... and %u more servers\n", n - i);
      break;
    }
    w4_timeline_line (rep, g_ptr_array_index (rep->timeline, order[i]), &rows[order[i]]);
  }
  if (rep->timeline_missed > 0) {
    g_autofree char *txt = g_strdup_printf (
        "%" G_GUINT64_FORMAT " later %s beyond the %s limit %s not in the timeline",
        rep->timeline_missed, w4_plural (rep->timeline_missed, "failure", "failures"),
        w4_limit_name (W4_LIMIT_FINDINGS), w4_plural (rep->timeline_missed, "is", "are"));
    w4_wrap (rep, 2, NULL, txt);
  }
}

/* ---- one finding -------------------------------------------------------- */

/* @shown_fix: the fix already on screen (the cause's, or the previous
 * example's): the finding's own is shown only when it says something else. */
static void
w4_text_finding (W4Report *rep, const W4Finding *f, gboolean evidence, const char *shown_fix)
{
  char tbuf[W4_TIME_STRLEN];
  g_autofree char *client = w4_clean (f->client);
  g_autofree char *server = w4_text_server_label (f->server, f->tunnel, f->host);
  g_autoptr (GString) l1 = g_string_new (NULL);
  g_autoptr (GString) l2 = g_string_new (NULL);

  /* where and when */
  g_string_append_printf (l1, "%s  %s -> %s", w4_time_format_iso (f->time, tbuf, sizeof tbuf),
                          f->client ? client : "?", server);
  w4_wrap_styled (rep, 2, NULL, "", w4_style_on (rep, W4_STYLE_BOLD), l1->str);

  /* what: method URI -> status, principal, frames */
  if (f->method != NULL || f->uri != NULL) {
    g_autofree char *m = w4_clean (f->method);
    g_autofree char *u = w4_clean (f->uri);
    g_string_append_printf (l2, "%s %s", f->method ? m : "?", f->uri ? u : "?");
  } else if (f->kind == W4_KIND_FAILURE || f->kind == W4_KIND_NOTE) {
    g_string_append (l2, "(request not captured)");
  }
  if (f->status != 0)
    g_string_append_printf (l2, "%s%u", l2->len ? " -> " : "", f->status);
  if (f->principal != NULL) {
    g_autofree char *p = w4_clean (f->principal);
    g_string_append_printf (l2, "%sprincipal %s", l2->len ? ", " : "", p);
  }
  if (f->stream >= 0)
    g_string_append_printf (l2, "%sstream %" G_GINT64_FORMAT, l2->len ? ", " : "", f->stream);
  if (f->request_frame != 0 && f->request_file != NULL && f->file != NULL &&
      strcmp (f->request_file, f->file) != 0) {
    /* a rotated capture: frame numbers count in their own file */
    g_autofree char *rfn = w4_clean (f->request_file);
    g_string_append_printf (l2, "%sframe %" G_GUINT64_FORMAT " in %s, frame %" G_GUINT64_FORMAT,
                            l2->len ? ", " : "", f->request_frame, rfn, f->response_frame);
  } else if (f->request_frame != 0 && f->response_frame != 0 &&
             f->request_frame != f->response_frame)
    g_string_append_printf (l2, "%sframes %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT,
                            l2->len ? ", " : "", f->request_frame, f->response_frame);
  else if (f->response_frame != 0 || f->request_frame != 0)
    g_string_append_printf (l2, "%sframe %" G_GUINT64_FORMAT, l2->len ? ", " : "",
                            f->response_frame ? f->response_frame : f->request_frame);
  if (f->file != NULL && rep->inputs->len > 1) {
    g_autofree char *fn = w4_clean (f->file);
    g_string_append_printf (l2, " in %s", fn);
  }
  if (l2->len)
    w4_wrap (rep, 4, NULL, l2->str);

  if (f->summary != NULL)
    w4_wrap (rep, 4, NULL, f->summary);
  /* a fix of its own (the squid option, HTTP/1.1 for this server) says
   * more than the cause's above the group */
  if (f->fix != NULL && g_strcmp0 (f->fix, shown_fix) != 0)
    w4_wrap (rep, 4, "fix: ", f->fix);
  if (f->server_message != NULL)
    w4_wrap (rep, 4, "server said: ", f->server_message);
  if (f->decided_early)
    w4_wrap (rep, 4, "note: ",
             "decided before its 30 s were up (memory budget or --limit undecided): "
             "packets after it were not considered");
  if (f->related != 0) {
    g_autoptr (GString) rel = g_string_new (NULL);
    for (int c = 0; c < W4_CAUSE_COUNT && c < 64; c++)
      if (f->related & (G_GUINT64_CONSTANT (1) << c))
        g_string_append_printf (rel, "%s%s", rel->len ? ", " : "", w4_cause_name ((W4Cause) c));
    w4_wrap (rep, 4, "also: ", rel->str);
  }
  if (evidence && f->evidence != NULL) {
    for (guint i = 0; i < f->evidence->len; i++) {
      const W4Evidence *e = g_ptr_array_index (f->evidence, i);
      g_autofree char *efn = e->file != NULL ? w4_clean (e->file) : NULL;
      g_autofree char *label =
        efn != NULL ? g_strdup_printf ("frame %" G_GUINT64_FORMAT " in %s: ", e->frame, efn)
                    : g_strdup_printf ("frame %" G_GUINT64_FORMAT ": ", e->frame);
      g_autofree char *what = w4_shorten_words (e->what);
      w4_wrap (rep, 6, label, what);
    }
  }
  if (f->wireshark_filter != NULL) {
    /* Never wrapped: it is meant to be copied whole. When it does not fit
     * after its label it gets a line of its own. */
    g_autofree char *flt = w4_clean (f->wireshark_filter);
    gboolean fits = 4 + strlen ("filter: ") + (guint) w4_text_width (flt) <= rep->width;
    fprintf (rep->out, "    %sfilter:%s%s%s\n", w4_style_on (rep, W4_STYLE_DIM),
             fits ? " " : "\n      ", flt, w4_style_off (rep));
  }
}

/* ---- sections ----------------------------------------------------------- */

static W4Style
w4_kind_style (W4Kind k)
{
  switch (k) {
  case W4_KIND_FAILURE:
    return W4_STYLE_FAIL;
  case W4_KIND_RISK:
    return W4_STYLE_RISK;
  case W4_KIND_INFO:
    return W4_STYLE_INFO;
  case W4_KIND_NOTE:
  default:
    return W4_STYLE_OK;
  }
}

/* ---- live: each failure as it is decided ------------------------------- */

/* The kinds whose findings the live text prints as they come: the end
 * names their causes without repeating them. */
static gboolean
w4_text_streamed_kind (const W4Report *rep, W4Kind kind)
{
  return rep->opts.stream && !rep->opts.quiet &&
         (kind == W4_KIND_FAILURE || (kind == W4_KIND_NOTE && rep->opts.all));
}

gboolean
w4_rep_text_streams (const W4Report *rep, const W4Finding *f)
{
  return w4_text_streamed_kind (rep, f->kind);
}

void
w4_rep_text_stream (W4Report *rep, const W4Finding *f)
{
  fputc ('\n', rep->out);
  fprintf (rep->out, "%s%s%s\n", w4_style_on (rep, w4_kind_style (f->kind)),
           w4_cause_name (f->cause), w4_style_off (rep));
  w4_text_finding (rep, f, rep->opts.all, w4_cause_info (f->cause)->fix);
  fflush (rep->out);
  rep->streamed++;
}

/* One cause group: heading, paragraph, fix, examples from what was kept. */
static void
w4_text_group (W4Report *rep, W4Kind kind, W4Cause cause)
{
  guint64 total = rep->n_by[kind][cause];
  /* kept: also those the budget took that would not have been shown */
  guint64 shown = 0, kept = rep->unshown_evicted[kind][cause];
  gboolean all = rep->opts.all;

  fputc ('\n', rep->out);
  fprintf (rep->out, "%s%s%s (%" G_GUINT64_FORMAT ")\n", w4_style_on (rep, w4_kind_style (kind)),
           w4_cause_name (cause), w4_style_off (rep), total);
  /* what the cause means and what to fix: from the cause table */
  if (w4_cause_info (cause)->means != NULL)
    w4_wrap (rep, 2, NULL, w4_cause_info (cause)->means);
  if (w4_cause_info (cause)->fix != NULL)
    w4_wrap (rep, 2, "Fix: ", w4_cause_info (cause)->fix);
  if (w4_text_streamed_kind (rep, kind))
    return; /* printed above, each as it was decided */
  const char *shown_fix = w4_cause_info (cause)->fix;
  for (guint i = 0; i < rep->kept->len; i++) {
    const W4Finding *f = g_ptr_array_index (rep->kept, i);
    if (f->cause != cause || f->kind != kind)
      continue;
    kept++;
    if (!all && shown >= rep->opts.examples)
      continue;
    fputc ('\n', rep->out);
    w4_text_finding (rep, f, all, shown_fix);
    if (f->fix != NULL)
      shown_fix = f->fix;
    shown++;
  }
  if (total > shown) {
    if (shown < kept)
      fprintf (rep->out, "  ... and %" G_GUINT64_FORMAT " more (use --all)\n", total - shown);
    else
      fprintf (rep->out, "  ... and %" G_GUINT64_FORMAT " more, not kept (%s)\n", total - shown,
               rep->budget_dropped == 0 ? "findings limit"
               : rep->dropped == 0      ? "memory budget"
                                        : "findings limit, memory budget");
  }
}

/* Causes of @kind that occurred, most frequent first (ties: contract
 * order). Returns the number written to @out. */
static guint
w4_text_causes_of (W4Report *rep, W4Kind kind, W4Cause *out)
{
  const guint64 *n = rep->n_by[kind];
  guint len = 0;

  for (int c = 0; c < W4_CAUSE_COUNT; c++)
    if (n[c] != 0)
      out[len++] = (W4Cause) c;
  for (guint i = 1; i < len; i++) {
    W4Cause x = out[i];
    guint j = i;
    while (j > 0 && n[out[j - 1]] < n[x]) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = x;
  }
  return len;
}

static void
w4_text_kind (W4Report *rep, W4Kind kind, const char *title)
{
  W4Cause causes[W4_CAUSE_COUNT];
  guint n = w4_text_causes_of (rep, kind, causes);

  if (n == 0)
    return;
  if (title != NULL) {
    fputc ('\n', rep->out);
    g_autofree char *heading = g_strdup_printf ("== %s ==", title);
    w4_wrap_styled (rep, 0, NULL, "", w4_style_on (rep, W4_STYLE_BOLD), heading);
  }
  for (guint i = 0; i < n; i++)
    w4_text_group (rep, kind, causes[i]);
}

static void
w4_text_warnings (W4Report *rep, const W4Summary *s)
{
  g_autofree char *dropped = w4_rep_dropped_warning (rep);
  guint n = (s->warnings ? s->warnings->len : 0) + (dropped ? 1 : 0);

  if (n == 0)
    return;
  fputc ('\n', rep->out);
  fprintf (rep->out, "%s== Warnings (%u) ==%s\n", w4_style_on (rep, W4_STYLE_BOLD), n,
           w4_style_off (rep));
  for (guint i = 0; s->warnings != NULL && i < s->warnings->len; i++)
    w4_wrap (rep, 2, "- ", g_ptr_array_index (s->warnings, i));
  if (dropped != NULL)
    w4_wrap (rep, 2, "- ", dropped);
}

void
w4_rep_text_finish (W4Report *rep, const W4Summary *s)
{
  guint64 notes = rep->n_kind[W4_KIND_NOTE];

  if (rep->streamed != 0)
    fputc ('\n', rep->out); /* the summary apart from the last failure */
  w4_text_header (rep, s);
  w4_text_summary (rep, s);
  w4_text_budget (rep, s);
  if (!rep->opts.quiet) {
    w4_text_timeline (rep);
    w4_text_kind (rep, W4_KIND_FAILURE, "Failures, most frequent cause first");
    if (notes != 0 && rep->opts.all) {
      w4_text_kind (rep, W4_KIND_NOTE, "Normal handshake steps");
    } else if (notes != 0) {
      fputc ('\n', rep->out);
      g_autofree char *steps = g_strdup_printf (
          "%" G_GUINT64_FORMAT " %s normal challenge %s (--all shows them)", notes,
          w4_plural (notes, "response was a", "responses were"),
          w4_plural (notes, "step", "steps"));
      w4_wrap (rep, 0, NULL, steps);
    }
    w4_text_kind (rep, W4_KIND_RISK, "Risks");
    w4_text_kind (rep, W4_KIND_INFO, "Not inspected");
  }
  w4_text_warnings (rep, s);
}
