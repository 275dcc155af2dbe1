/* explain.c: the phrasing findings share: how a request, a response, a
 * credential, a duration or a frame is named in a summary or in evidence,
 * and the evidence list with the display filter it makes. Secrets never
 * enter a text unless --show-secrets: credentials appear as scheme, user
 * name or subject, and fingerprint; URIs are redacted. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

/* Bytes an evidence text's buffer starts with: what most hold. */
#define W4_COR_TEXT_START 128

const char *
w4_cor_challenge_header (const W4CorCtx *c)
{
  return c->proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

const char *
w4_cor_authz_header (const W4CorCtx *c)
{
  return c->proxy ? "Proxy-Authorization" : "Authorization";
}

const char *
w4_cor_who_answers (const W4CorCtx *c)
{
  return c->proxy ? "proxy" : "server";
}

char *
w4_cor_display_uri (const W4CorCtx *c, const char *target)
{
  if (target == NULL)
    return NULL;
  return c->cor->opts.show_secrets ? g_strdup (target) : w4_redact_uri (target);
}

gboolean
w4_cor_is_user_cred (const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  if (p == NULL || p->malformed)
    return FALSE;
  return p->basic_user != NULL || p->ntlm_user != NULL ||
         (cred->kind == W4_SCHEME_DIGEST && g_strcmp0 (cred->principal, cred->fingerprint) != 0);
}

const char *
w4_cor_scheme_word (const W4CorCred *cred)
{
  if (cred->kind == W4_SCHEME_OTHER && cred->parsed && cred->parsed->scheme)
    return cred->parsed->scheme;
  return w4_auth_scheme_name (cred->kind);
}

/* "Basic (user test)": how evidence shows a credential. (transfer full) */
char *
w4_cor_cred_desc (const W4CorCtx *c, const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  if (p == NULL)
    return w4_cor_printf ("cookie %s (%s)", cred->name, cred->fingerprint);
  if (p->malformed)
    return w4_cor_printf ("%s (malformed: %s)", p->scheme ? p->scheme : "no scheme",
                          p->malformed_why ? p->malformed_why : "cannot be parsed");
  switch (cred->kind) {
  case W4_SCHEME_APIKEY:
    if (p->jwt && p->jwt->sub)
      return w4_cor_printf ("%s (JWT for %s, %s)", cred->name, p->jwt->sub, cred->fingerprint);
    return w4_cor_printf ("%s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_BASIC:
    if (c->cor->opts.show_secrets && p->basic_password)
      return w4_cor_printf ("Basic (user %s, password %s)", p->basic_user, p->basic_password);
    return w4_cor_printf ("Basic (user %s)", p->basic_user ? p->basic_user : "");
  case W4_SCHEME_BEARER:
    if (p->jwt && p->jwt->sub)
      return w4_cor_printf ("Bearer (JWT for %s, %s)", p->jwt->sub, cred->fingerprint);
    return w4_cor_printf ("Bearer (%s)", cred->fingerprint);
  case W4_SCHEME_DIGEST:
    return w4_cor_printf ("Digest (user %s)", cred->principal);
  case W4_SCHEME_NTLM:
    if (p->ntlm_user && p->ntlm_workstation)
      return w4_cor_printf ("NTLM type %u (user %s, workstation %s)", p->ntlm_type,
                            p->ntlm_user, p->ntlm_workstation);
    if (p->ntlm_user)
      return w4_cor_printf ("NTLM type %u (user %s)", p->ntlm_type, p->ntlm_user);
    return w4_cor_printf ("NTLM type %u", p->ntlm_type);
  case W4_SCHEME_NEGOTIATE:
    if (p->negotiate_is_ntlm && p->ntlm_user)
      return w4_cor_printf ("Negotiate (NTLM type %u, user %s)", p->ntlm_type, p->ntlm_user);
    if (p->negotiate_is_ntlm)
      return w4_cor_printf ("Negotiate (NTLM type %u)", p->ntlm_type);
    if (p->negotiate_spn)
      return w4_cor_printf ("Negotiate (Kerberos for %s, %s)", p->negotiate_spn,
                            cred->fingerprint);
    return w4_cor_printf ("Negotiate (%s)", cred->fingerprint);
  default:
    return w4_cor_printf ("%s (%s)", w4_cor_scheme_word (cred), cred->fingerprint);
  }
}

/* "Basic credentials for user test": how summaries name a credential. */
char *
w4_cor_cred_phrase (const W4CorCred *cred)
{
  const W4Credential *p = cred->parsed;

  switch (cred->kind) {
  case W4_SCHEME_COOKIE:
    return w4_cor_printf ("the session cookie %s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_APIKEY:
    return w4_cor_printf ("the API key in %s (%s)", cred->name, cred->fingerprint);
  case W4_SCHEME_BEARER:
    if (p && p->jwt && p->jwt->sub)
      return w4_cor_printf ("the Bearer token for subject %s", p->jwt->sub);
    return w4_cor_printf ("the Bearer token %s", cred->fingerprint);
  default:
    if (w4_cor_is_user_cred (cred))
      return w4_cor_printf ("%s credentials for user %s", w4_cor_scheme_word (cred),
                            cred->principal);
    return w4_cor_printf ("%s credentials (%s)", w4_cor_scheme_word (cred), cred->fingerprint);
  }
}

/* "GET /password-ok.php with Authorization: Basic (user test)". */
char *
w4_cor_request_what (const W4CorCtx *c, const W4CorExchange *ex)
{
  g_autofree char *uri = w4_cor_display_uri (c, ex->target);

  return w4_cor_request_what_shown (c, ex, uri);
}

char *
w4_cor_request_what_shown (const W4CorCtx *c, const W4CorExchange *ex, const char *uri)
{
  /* room for the usual request line and credential, without regrowing */
  GString *s = g_string_sized_new (W4_COR_TEXT_START);
  gboolean any = FALSE;

  w4_cor_append_printf (s, "%s %s", ex->method, uri);
  for (guint i = 0; i < ex->creds->len; i++) {
    const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
    g_autofree char *d = NULL;
    guint n;

    if (cred->kind == W4_SCHEME_COOKIE)
      continue;
    d = w4_cor_cred_desc (c, cred);
    g_string_append (s, any ? ", " : " with ");
    any = TRUE;
    n = cred->kind == W4_SCHEME_APIKEY ? 1 : cred->proxy ? ex->n_proxy_authz : ex->n_authz;
    if (cred->kind == W4_SCHEME_APIKEY)
      g_string_append (s, d);
    else if (n > 1)
      w4_cor_append_printf (s, "%u %s headers (first: %s)", n, cred->name, d);
    else
      w4_cor_append_printf (s, "%s: %s", cred->name, d);
  }
  if (ex->cookie_names != NULL) {
    /* Analytics cookies beside an Authorization header are noise: name
     * the session cookies then, and all cookies only when they are all the
     * request carried. */
    GString *sess = g_string_new (NULL);
    for (guint i = 0; i < ex->creds->len; i++) {
      const W4CorCred *cred = g_ptr_array_index (ex->creds, i);
      if (cred->kind == W4_SCHEME_COOKIE)
        w4_cor_append_printf (sess, "%s%s", sess->len ? ", " : "", cred->name);
    }
    if (!any || sess->len > 0) {
      g_string_append (s, any ? ", " : " with ");
      w4_cor_append_printf (s, "Cookie: %s", any ? sess->str : ex->cookie_names);
      any = TRUE;
    }
    g_string_free (sess, TRUE);
  }
  if (!any)
    g_string_append (s, " without credentials");
  return g_string_free (s, FALSE);
}

/* "401 with WWW-Authenticate: Basic realm=\"...\"". */
char *
w4_cor_response_what (const W4CorCtx *c)
{
  const W4CorExchange *ex = c->ex;
  GString *s = g_string_sized_new (W4_COR_TEXT_START);

  g_autofree char *token = w4_cor_negotiate_token_words (w4_cor_challenge_in (ex,
                                                                            W4_SCHEME_NEGOTIATE));

  w4_cor_append_printf (s, "%u", ex->status);
  if (ex->challenge_text != NULL)
    w4_cor_append_printf (s, " with %s: %s", w4_cor_challenge_header (c), ex->challenge_text);
  else if (ex->status != 403)
    w4_cor_append_printf (s, " without %s", w4_cor_challenge_header (c));
  if (token != NULL) /* what the Negotiate token's bytes say */
    w4_cor_append_printf (s, " (%s)", token);
  if (ex->server_message != NULL && !ex->message_from_challenge)
    w4_cor_append_printf (s, "; the server says \"%s\"", ex->server_message);
  return g_string_free (s, FALSE);
}

/* "Basic or Digest": the schemes the response offers. */
char *
w4_cor_offered_list (const W4CorCtx *c)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; w4_cor_has_challenges (c) && i < c->ex->challenges->len; i++) {
    const W4Challenge *ch = g_ptr_array_index (c->ex->challenges, i);
    const char *w =
      ch->kind == W4_SCHEME_OTHER && ch->scheme ? ch->scheme : w4_auth_scheme_name (ch->kind);
    gboolean seen = FALSE;

    for (guint j = 0; j < i; j++) {
      const W4Challenge *o = g_ptr_array_index (c->ex->challenges, j);
      const char *ow =
        o->kind == W4_SCHEME_OTHER && o->scheme ? o->scheme : w4_auth_scheme_name (o->kind);
      seen |= g_ascii_strcasecmp (w, ow) == 0;
    }
    if (seen)
      continue;
    if (s->len > 0)
      g_string_append (s, i + 1 == c->ex->challenges->len ? " or " : ", ");
    g_string_append (s, w);
  }
  return g_string_free (s, FALSE);
}

/* "42 s", "5 min 3 s", "2 h 1 min". */
char *
w4_cor_duration (gint64 usec)
{
  return w4_cor_duration_sec (usec / G_USEC_PER_SEC);
}

gint64
w4_cor_sec_between (gint64 from, gint64 to)
{
  gint64 d;

  if (__builtin_sub_overflow (to, from, &d))
    d = to > from ? G_MAXINT64 : G_MININT64;
  return d;
}

char *
w4_cor_duration_sec_abs (gint64 sec)
{
  /* -G_MININT64 does not exist: the saturated value stands for the longest */
  return w4_cor_duration_sec (sec == G_MININT64 ? G_MAXINT64 : ABS (sec));
}

char *
w4_cor_duration_sec (gint64 s)
{
  if (s < 0)
    s = 0;
  if (s < 60)
    return w4_cor_printf ("%" G_GINT64_FORMAT " s", s);
  if (s < 3600)
    return w4_cor_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s", s / 60, s % 60);
  if (s < 48 * 3600)
    return w4_cor_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600,
                          (s % 3600) / 60);
  /* "25493 h 57 min" is hard to read: past two days, days and hours. */
  return w4_cor_printf ("%" G_GINT64_FORMAT " days %" G_GINT64_FORMAT " h", s / 86400,
                        (s % 86400) / 3600);
}

/* A lifetime seen in the capture: under a minute to a tenth of a second
 * (truncated, as w4_cor_duration), so a session that lasts a few seconds
 * does not read as a whole number it did not reach; longer ones as
 * w4_cor_duration. */
char *
w4_cor_lifetime (gint64 usec)
{
  if (usec < 0)
    usec = 0;
  if (usec < 60 * G_USEC_PER_SEC)
    return w4_cor_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT " s", usec / G_USEC_PER_SEC,
                          usec % G_USEC_PER_SEC / 100000);
  return w4_cor_duration (usec);
}

/* "05:56:58.412": a capture time of day (UTC, as the findings' times),
 * to the millisecond (truncated). */
char *
w4_cor_clock (W4Time t)
{
  g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (t.sec);
  g_autofree char *hms = d != NULL ? g_date_time_format (d, "%H:%M:%S") : NULL;

  return w4_cor_printf ("%s.%03u", hms != NULL ? hms : "?", t.nsec / 1000000u);
}

/* Microseconds from second @from to second @to, saturated: a JWT's times
 * (up to +-1e15 s) times 10^6 overflow gint64 (UBSan). */
gint64
w4_cor_sec_diff_usec (gint64 from, gint64 to)
{
  W4Time a = { from, 0 }, b = { to, 0 };

  return w4_time_diff_usec (a, b);
}

char *
w4_cor_iso_time (gint64 sec)
{
  W4Time t = { sec, 0 };
  char buf[W4_TIME_STRLEN];

  return g_strdup (w4_time_format_iso (t, buf, sizeof buf));
}

/* @stream: the tcp.stream @frame is on in its file, -1 for "not one
 * connection's" (the filter then names frames only). */
void
w4_cor_ev_add (W4CorEv *ev, guint64 frame, gint64 stream, const char *what)
{
  guint file_index;
  guint64 in_file;

  if (frame == 0)
    return;
  in_file = w4_cor_locate (ev->cor, frame, &file_index);
  if (file_index != ev->file_index) {
    /* not in the file the filter applies to: the entry names its file */
    w4_finding_add_evidence_in (ev->f, in_file, w4_cor_file_name (ev->cor, file_index), what);
    return;
  }
  w4_finding_add_evidence (ev->f, in_file, what);
  {
    W4CorFilterFrame ff = { in_file, stream, stream >= 0 && w4_cor_frame_has_tcp (ev->cor, frame) };
    g_array_append_val (ev->frames, ff);
  }
}

void
w4_cor_ev_finish (W4CorEv *ev)
{
  g_free (ev->f->wireshark_filter);
  ev->f->wireshark_filter = w4_cor_wireshark_filter ((W4CorFilterFrame *) (void *) ev->frames->data,
                                                     ev->frames->len, ev->f->stream);
  g_array_unref (ev->frames);
}

W4CorEv
w4_cor_ev_start (W4Correlate *cor, W4Finding *f, guint file_index)
{
  /* room for the frames of a usual finding's evidence, so that adding
   * them does not grow the array from nothing */
  W4CorEv ev = { cor, f, file_index,
                 g_array_sized_new (FALSE, FALSE, sizeof (W4CorFilterFrame), 8) };

  return ev;
}

/* "frame 12", or "frame 12 in a.pcap" when not in the finding's file. */
char *
w4_cor_frame_ref (const W4CorCtx *c, guint64 frame)
{
  guint file_index;
  guint64 in_file = w4_cor_locate (c->cor, frame, &file_index);
  const char *name = w4_cor_file_name (c->cor, file_index);

  if (file_index == c->file_index || name == NULL)
    return w4_cor_printf ("frame %" G_GUINT64_FORMAT, in_file);
  return w4_cor_printf ("frame %" G_GUINT64_FORMAT " in %s", in_file, name);
}

/* A first handshake leg (NTLM type 1) names nobody and is the same bytes
 * for everyone: when the handshake's later leg @next names its user (NTLM
 * type 3: DOMAIN\user), that user is the finding's principal. */
void
w4_cor_principal_from_later_leg (const W4CorCtx *c, W4Finding *f, const W4CorExchange *next)
{
  const W4CorCred *later;

  if (next == NULL || !w4_cor_ctx_intermediate_leg (c))
    return;
  later = w4_cor_main_cred (next, c->ex->status);
  if (later == NULL || later->parsed == NULL || later->parsed->ntlm_user == NULL)
    return;
  g_free (f->principal);
  f->principal = g_strdup (later->parsed->ntlm_user);
}

/* client_ip ... community_id of a TCP connection's finding. */
void
w4_cor_finding_endpoints (W4Finding *f, const W4Endpoint *client, const W4Endpoint *server)
{
  char buf[W4_ENDPOINT_STRLEN];

  if (client->addr.family == 0 || server->addr.family == 0)
    return;
  f->client_ip = g_strdup (w4_addr_format (&client->addr, buf, sizeof buf));
  f->client_port = client->port;
  f->server_ip = g_strdup (w4_addr_format (&server->addr, buf, sizeof buf));
  f->server_port = server->port;
  f->community_id = w4_community_id (client, server, 6, 0);
}

/* @frame's number in its file, and the file's name into @file. */
guint64
w4_cor_frame_in_file (W4Correlate *cor, guint64 frame, char **file)
{
  guint file_index;
  guint64 in_file = w4_cor_locate (cor, frame, &file_index);

  g_free (*file);
  *file = g_strdup (w4_cor_file_name (cor, file_index));
  return in_file;
}

char *
w4_cor_what (const W4CorCtx *c)
{
  g_autofree char *uri = w4_cor_display_uri (c, c->ex->target);

  if (!c->ex->has_request)
    return g_strdup ("the request");
  return w4_cor_printf ("%s %s", c->ex->method, uri);
}
