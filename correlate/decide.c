/* decide.c: w4_cor_decide, a failed response's finding in three steps:
 *  1. the handshake check (401/407 only): a normal challenge step that a
 *     retry within 30 s got past becomes a `note` with cause `challenge`;
 *  2. the cause table (causes.c) top to bottom: the first rule that holds
 *     for the response's status is the primary cause, every other that
 *     holds goes to `related`; rows without a rule are skipped. When none
 *     holds, the fallback row of the status (`forbidden` for a 403,
 *     `unexplained` else) is the cause. `missing-challenge` is added for a
 *     401 without WWW-Authenticate (407 without Proxy-Authenticate);
 *  3. the texts: the primary rule's explain writes summary and fix from
 *     what its holds found; then what every finding says (evidence, what
 *     a header cap cut, the display filter).
 *
 * Rules see only copied exchange records and the flat aggregates: they
 * may use everything seen up to the decision, including later requests. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

/* ---- step 1: the handshake check ---------------------------------------- */

/* First half of the check: this request could not have passed yet. */
static gboolean
handshake_step (const W4CorCtx *c)
{
  if (w4_cor_ctx_intermediate_leg (c))
    return TRUE;
  if (w4_cor_has_challenges (c))
    return !w4_cor_offered (c, c->authz) && !w4_cor_offered (c, c->apikey);
  return !w4_cor_has_any_credentials (c->ex);
}

/* Second half: the same client's retry within 30 s got past
 * authentication. (transfer none) the retry, or NULL. */
static const W4CorExchange *
find_retry (const W4CorCtx *c)
{
  gboolean cut = FALSE;
  const W4CorExchange *e = w4_cor_next_attempt_cut (c, TRUE, &cut);

  /* Not found within the bound: say that the look was cut, since the
   * failure is then reported as one although a retry may have passed. */
  if (e == NULL && cut)
    w4_cor_note_limit (c->cor, W4_LIMIT_RETRY_SCAN, c->ex->resp_frame, c->ex->resp_ts, NULL);
  return e;
}

/* The note's texts: which handshake, and the retry that passed. */
static void
text_note (const W4CorCtx *c, W4Finding *f, W4CorEv *ev)
{
  const W4CorExchange *r = c->retry;
  g_autofree char *rq = w4_cor_request_what (c, r);
  g_autofree char *rs = w4_cor_printf ("%u: authentication passed", r->status);
  g_autofree char *schemes = w4_cor_offered_list (c);
  g_autofree char *at = w4_cor_frame_ref (c, r->req_frame);

  f->summary = w4_cor_printf (
    "A normal step of %s%s handshake: the %s challenged, and the client's retry at %s passed "
    "authentication.",
    schemes[0] ? "the " : "an authentication", schemes[0] ? schemes : "", w4_cor_who_answers (c),
    at);
  f->fix = g_strdup ("Nothing to fix: this response is a normal step of the authentication "
                     "handshake.");
  w4_cor_principal_from_later_leg (c, f, r);
  w4_cor_ev_add (ev, r->req_frame, r->req_stream, rq);
  w4_cor_ev_add (ev, r->resp_frame, r->resp_stream, rs);
}

/* ---- what every finding says: what a header cap cut, odd names --------- */

static char *
size_words (guint64 n)
{
  if (n < 10240)
    return w4_cor_printf ("%" G_GUINT64_FORMAT " bytes", n);
  return w4_cor_printf ("%" G_GUINT64_FORMAT " KiB", (n + 512) / 1024);
}

/* "the request's header block was 70 KiB: fields after the first 16 KiB
 * were not kept, ..." for a message whose head lost something, or NULL. */
static char *
cut_words (const W4CorCtx *c, const char *whose, guint cut, guint64 block_len)
{
  g_autofree char *block = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *which = NULL;

  /* nearly every finding: nothing was cut, and nothing is formatted */
  if (cut == 0)
    return NULL;
  block = size_words (block_len);
  kept = size_words (c->cor->limits.v[W4_LIMIT_HEADER_BYTES]);
  auth = size_words (c->cor->limits.v[W4_LIMIT_AUTH_HEADER_BYTES]);
  if ((cut & W4_HEAD_CUT_ORDINARY) && (cut & W4_HEAD_CUT_COUNT))
    which = w4_cor_printf ("fields after the first %s and past the first %" G_GUINT64_FORMAT
                           " fields were not kept", kept, c->cor->limits.v[W4_LIMIT_HEADERS]);
  else if (cut & W4_HEAD_CUT_COUNT)
    which = w4_cor_printf ("fields past the first %" G_GUINT64_FORMAT " were not kept",
                           c->cor->limits.v[W4_LIMIT_HEADERS]);
  else if (cut & W4_HEAD_CUT_ORDINARY)
    which = w4_cor_printf ("fields after the first %s were not kept", kept);
  if (!(cut & W4_HEAD_CUT_AUTH))
    return w4_cor_printf ("the %s's header block was %s: %s, but every authentication field "
                          "was", whose, block, which);
  return w4_cor_printf ("the %s's header block was %s: %s%sauthentication fields beyond %s "
                        "(auth-header-bytes) were cut", whose, block, which ? which : "",
                        which ? ", and " : "", auth);
}

/* Authentication fields of the request (credentials, cookies) or of the
 * response (its challenge) were cut: no rule may conclude from their
 * absence, so the finding is unexplained (403: forbidden) and says why. */
static void
text_auth_cut (const W4CorCtx *c, W4Finding *f, W4CorEv *ev)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *uri = w4_cor_display_uri (c, ex->target);
  g_autofree char *what = ex->has_request ? w4_cor_printf ("%s %s", ex->method, uri)
                                          : g_strdup ("the request");
  gboolean req_cut = (ex->req_cut & W4_HEAD_CUT_AUTH) != 0;
  g_autofree char *words = req_cut ? cut_words (c, "request", ex->req_cut, ex->req_block_len)
                                   : cut_words (c, "response", ex->resp_cut, ex->resp_block_len);

  f->summary = w4_cor_printf ("The %s answered %s with %u, but %s, so %s is not known and "
                              "nothing can be concluded from what is missing.",
                              w4_cor_who_answers (c), what, ex->status, words,
                              req_cut ? "what credentials the request carried"
                                    : "what the server asked for");
  f->fix = g_strdup ("Run again with --limit header-bytes=N and --limit auth-header-bytes=N "
                     "above the header block's size to see every field.");
  w4_cor_ev_add (ev, req_cut ? ex->req_frame : ex->resp_frame,
          req_cut ? ex->req_stream : ex->resp_stream, words);
}

/* Only ordinary fields were cut: the rules concluded as usual, and the
 * finding still says what it did not see. */
static void
text_ordinary_cut (const W4CorCtx *c, W4Finding *f, W4CorEv *ev)
{
  const W4CorExchange *ex = c->ex;

  for (int side = 0; side < 2; side++) {
    g_autofree char *words = side == 0
        ? cut_words (c, "request", ex->has_request ? ex->req_cut : 0, ex->req_block_len)
        : cut_words (c, "response", ex->resp_cut, ex->resp_block_len);
    char *longer;

    if (words == NULL)
      continue;
    longer = w4_cor_printf ("%s (Not all was seen: %s.)", f->summary ? f->summary : "", words);
    g_free (f->summary);
    f->summary = longer;
    w4_cor_ev_add (ev, side == 0 ? ex->req_frame : ex->resp_frame,
            side == 0 ? ex->req_stream : ex->resp_stream, words);
  }
}

/* A field name HTTP does not allow was read anyway: the server may have
 * stopped reading fields there (python's http.server does; nginx skips
 * the one field), so the finding says the server may not have seen what
 * came after it. */
static void
text_odd_name (const W4CorCtx *c, W4Finding *f, W4CorEv *ev)
{
  const W4CorExchange *ex = c->ex;
  static const char words[] = "the request has a field name with bytes HTTP does not allow; "
                              "some servers stop reading fields there, so the server may not "
                              "have seen the fields after it";
  char *longer;

  if (!ex->has_request || !(ex->req_odd & W4_HEAD_ODD_NAME))
    return;
  longer = w4_cor_printf ("%s (Note: %s.)", f->summary ? f->summary : "", words);
  g_free (f->summary);
  f->summary = longer;
  w4_cor_ev_add (ev, ex->req_frame, ex->req_stream, words);
}

/* The request of this response was seen but could not be parsed: say so,
 * rather than "not captured", and point at it. */
static void
text_unparsed_request (const W4CorCtx *c, W4Finding *f, W4CorEv *ev)
{
  const W4CorExchange *ex = c->ex;
  g_autofree char *words = NULL;

  if (ex->has_request || ex->unparsed_req_frame == 0)
    return;
  words = w4_cor_printf ("a request that could not be parsed (%s)",
                         ex->unparsed_req_why ? ex->unparsed_req_why : "parse error");
  g_free (f->summary);
  f->summary = w4_cor_printf ("The %s answered with %u a request that could not be parsed "
                              "(frame %" G_GUINT64_FORMAT ": %s), so what it carried is not "
                              "known.", w4_cor_who_answers (c), ex->status,
                              ex->unparsed_req_frame,
                              ex->unparsed_req_why ? ex->unparsed_req_why : "parse error");
  /* on the response's connection: in its file, the same stream */
  w4_cor_ev_add (ev, ex->unparsed_req_frame, ex->resp_stream, words);
  /* the request comes first in the evidence, as everywhere */
  if (f->evidence->len > 1)
    g_ptr_array_insert (f->evidence, 0, g_ptr_array_steal_index (f->evidence, f->evidence->len - 1));
}

/* ---- step 2: the cause table ------------------------------------------- */

static W4Finding *
finding_base (W4Correlate *cor, const W4CorExchange *ex)
{
  W4Finding *f = w4_finding_new ();
  char buf[W4_ENDPOINT_STRLEN];

  f->status = ex->status;
  f->stream = ex->resp_stream;
  f->client = g_strdup (w4_endpoint_format (&ex->client, buf, sizeof buf));
  f->server = g_strdup (w4_endpoint_format (&ex->server, buf, sizeof buf));
  f->tunnel = g_strdup (ex->tunnel_to);
  if (ex->has_request) {
    f->method = g_strdup (ex->method);
    f->uri = cor->opts.show_secrets ? g_strdup (ex->target) : w4_redact_uri (ex->target);
    f->host = g_strdup (ex->host);
    f->request_frame = w4_cor_frame_in_file (cor, ex->req_frame, &f->request_file);
  }
  f->response_frame = w4_cor_frame_in_file (cor, ex->resp_frame, &f->file);
  f->time = ex->resp_ts;
  f->server_message = g_strdup (ex->server_message);
  w4_cor_finding_endpoints (f, &ex->client, &ex->server);
  f->tls = ex->tls;
  f->sni = g_strdup (ex->sni);
  f->h2_stream = ex->h2 ? (gint64) ex->h2_stream : -1;
  return f;
}

/* Does the table's row of @cause apply to @ex's status? */
static gboolean
applies (W4Cause cause, const W4CorExchange *ex)
{
  return (w4_cause_info (cause)->statuses & w4_cause_status_bit (ex->status)) != 0;
}

/* The row that holds when no other does, for a status's W4_ST_ @bit. */
static const W4CauseInfo *
fallback_row (guint bit)
{
  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);

    if (row->kind == W4_KIND_FAILURE && row->rule != NULL && row->rule->fallback &&
        (row->statuses & bit))
      return row;
  }
  g_assert_not_reached ();
}

/* Step 2: the cause table top to bottom. Returns the primary cause's row,
 * with what its rule found in @v; every other cause that holds goes to
 * @f's related. */
static const W4CauseInfo *
walk_table (const W4CorCtx *c, W4Finding *f, W4CorVerdict *v)
{
  guint bit = w4_cause_status_bit (c->ex->status);
  const W4CauseInfo *primary = NULL;

  for (guint i = 0; i < W4_CAUSE_COUNT; i++) {
    const W4CauseInfo *row = w4_cause_info ((W4Cause) i);
    W4CorVerdict found = { 0 };

    /* no rule yet, a fallback, or not for this status: not asked */
    if (row->kind != W4_KIND_FAILURE || row->rule == NULL || row->rule->holds == NULL ||
        row->rule->fallback || !(row->statuses & bit))
      continue;
    if (!row->rule->holds (c, &found))
      continue;
    if (primary == NULL) {
      primary = row;
      *v = found;
    } else {
      f->related |= G_GUINT64_CONSTANT (1) << row->cause;
    }
  }
  if (primary == NULL) {
    primary = fallback_row (bit);
    memset (v, 0, sizeof *v);
    primary->rule->holds (c, v);
  }
  return primary;
}

W4Finding *
w4_cor_decide (W4Correlate *cor, W4CorExchange *ex)
{
  W4Finding *f = finding_base (cor, ex);
  W4CorCtx c;
  W4CorEv ev;
  W4CorVerdict v;
  const W4CauseInfo *primary;

  w4_cor_ctx_init (&c, cor, ex);
  ev = w4_cor_ev_start (cor, f, c.file_index);
  c.ev = &ev;
  if (c.main != NULL) {
    f->principal = g_strdup (c.main->principal);
    f->scheme = g_strdup (w4_cor_scheme_word (c.main));
  }
  if (applies (W4_CAUSE_MISSING_CHALLENGE, ex) && !ex->has_challenge_header)
    f->related |= G_GUINT64_CONSTANT (1) << W4_CAUSE_MISSING_CHALLENGE;

  if (ex->has_request) {
    /* f->uri is w4_cor_display_uri's result for ex->target already */
    g_autofree char *rq = w4_cor_request_what_shown (&c, ex, f->uri);
    w4_cor_ev_add (&ev, ex->req_frame, ex->req_stream, rq);
  }
  {
    g_autofree char *rs = w4_cor_response_what (&c);
    w4_cor_ev_add (&ev, ex->resp_frame, ex->resp_stream, rs);
  }

  if ((ex->has_request && (ex->req_cut & W4_HEAD_CUT_AUTH)) || (ex->resp_cut & W4_HEAD_CUT_AUTH)) {
    f->kind = W4_KIND_FAILURE;
    f->cause = fallback_row (w4_cause_status_bit (ex->status))->cause;
    if (ex->resp_cut & W4_HEAD_CUT_AUTH) /* the challenge may be among what was cut */
      f->related &= ~(G_GUINT64_CONSTANT (1) << W4_CAUSE_MISSING_CHALLENGE);
    text_auth_cut (&c, f, &ev);
    w4_cor_ev_finish (&ev);
    return f;
  }

  if (applies (W4_CAUSE_CHALLENGE, ex) && handshake_step (&c) &&
      (c.retry = find_retry (&c)) != NULL) {
    f->kind = W4_KIND_NOTE;
    f->cause = W4_CAUSE_CHALLENGE;
    text_note (&c, f, &ev);
    text_ordinary_cut (&c, f, &ev);
    w4_cor_ev_finish (&ev);
    return f;
  }

  f->kind = W4_KIND_FAILURE;
  primary = walk_table (&c, f, &v);
  f->cause = primary->cause;
  primary->rule->explain (&c, &v, f);
  text_ordinary_cut (&c, f, &ev);
  text_odd_name (&c, f, &ev);
  if (primary->rule->fallback)
    text_unparsed_request (&c, f, &ev);
  if (w4_cor_ctx_intermediate_leg (&c) && f->principal != NULL)
    w4_cor_summary_principal (cor, f->principal, FALSE);
  w4_cor_ev_finish (&ev);
  return f;
}
