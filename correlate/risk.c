/* risk.c: the texts of the risk and info findings (cleartext-credentials,
 * retry-storm, not-decrypted, not-parsed, gap, limit), from what
 * correlate.c accumulated over the whole capture. */
#define G_LOG_DOMAIN "why401-correlate"

#include "rule.h"

#include <string.h>

static W4Finding *
acc_base (W4Correlate *cor, const W4CorRiskAcc *a, W4Kind kind)
{
  W4Finding *f = w4_finding_new ();

  f->kind = kind;
  f->cause = a->cause;
  f->stream = a->stream;
  f->client = g_strdup (a->client);
  f->server = g_strdup (a->server);
  f->tunnel = g_strdup (a->tunnel_to);
  f->method = g_strdup (a->method);
  f->uri = a->uri == NULL || cor->opts.show_secrets ? g_strdup (a->uri) : w4_redact_uri (a->uri);
  f->host = g_strdup (a->host);
  f->response_frame = w4_cor_frame_in_file (cor, a->first_frame, &f->file);
  if (a->method)
    f->request_frame = w4_cor_frame_in_file (cor, a->first_frame, &f->request_file);
  f->time = a->first_ts;
  w4_cor_finding_endpoints (f, &a->client_ep, &a->server_ep);
  f->tls = a->tls;
  f->h2_stream = a->h2_stream;
  f->principal = a->mixed_principals ? NULL : g_strdup (a->principal);
  f->count = a->count;
  f->scheme = g_strdup (a->scheme);
  return f;
}

/* "ip.addr == 192.0.2.1 && tcp.port == 443" from "ip:port" / "[v6]:port". */
static char *
server_filter (const char *server)
{
  const char *colon = strrchr (server, ':');
  gboolean v6 = server[0] == '[';

  if (colon == NULL)
    return g_strdup ("");
  if (v6)
    return g_strdup_printf ("ipv6.addr == %.*s && tcp.port == %s", (int) (colon - server - 2),
                            server + 1, colon + 1);
  return g_strdup_printf ("ip.addr == %.*s && tcp.port == %s", (int) (colon - server), server,
                          colon + 1);
}

static char *
cleartext_what (const W4CorRiskAcc *a)
{
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_BASIC)) == 0) {
    if (a->mixed_principals)
      return g_strdup ("Basic credentials for several users");
    if (a->principal == NULL)
      return g_strdup ("Basic credentials that cannot be parsed");
    return g_strdup_printf ("Basic credentials for user %s", a->principal);
  }
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_COOKIE)) == 0)
    return g_strdup_printf ("the session cookie %s", a->header);
  if (g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_APIKEY)) == 0)
    return g_strdup_printf ("an API key in %s", a->header);
  return g_strdup_printf ("%s tokens", a->scheme);
}

/* ", the client offered HTTP/2 (ALPN h2)": what the ClientHellos of a
 * not-decrypted server say about the HTTP inside (the server's choice is
 * encrypted in TLS 1.3); "" when none offered it. */
static char *
undecrypted_h2 (const W4CorRiskAcc *a)
{
  if (a->h2_offers == 0)
    return g_strdup ("");
  if (a->count == 1)
    return g_strdup (", the client offered HTTP/2 (ALPN h2)");
  if (a->h2_offers == a->count)
    return g_strdup (", every client offered HTTP/2 (ALPN h2)");
  return g_strdup_printf (", %" G_GUINT64_FORMAT " of them offered HTTP/2 (ALPN h2)",
                          a->h2_offers);
}

/* Why the key logs did not decrypt a not-decrypted server's connections,
 * for its summary: "" when no key log was given (the fix says to pass
 * one). "the key log has no secrets for them" and "the key log's secrets
 * do not open them" ask for different fixes: the right key log, or an
 * intact one of this capture. */
static char *
undecrypted_keys (const W4CorRiskAcc *a)
{
  GString *s = g_string_new ("");
  const struct {
    guint64 n;
    const char *what;
  } why[] = {
    { a->keys_missing, "the key log has no secrets for" },
    { a->keys_wrong, "the key log's secrets do not open" },
    { a->keys_unsupported, "why401 does not decrypt the TLS version or cipher suite of" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (why); i++) {
    if (why[i].n == 0)
      continue;
    g_string_append (s, s->len == 0 ? " (" : "; ");
    if (why[i].n == a->count)
      g_string_append_printf (s, "%s %s", why[i].what, a->count == 1 ? "it" : "them");
    else
      g_string_append_printf (s, "%s %" G_GUINT64_FORMAT " of them", why[i].what, why[i].n);
  }
  if (s->len > 0)
    g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

W4Finding *
w4_cor_risk_finding (W4Correlate *cor, const W4CorRiskAcc *a)
{
  W4Finding *f = acc_base (cor, a, w4_cause_info (a->cause)->kind);
  guint file_index;
  W4CorEv ev;

  w4_cor_locate (cor, a->first_frame, &file_index);
  ev = w4_cor_ev_start (cor, f, file_index);

  switch (a->cause) {
  case W4_CAUSE_CLEARTEXT_CREDENTIALS: {
    g_autofree char *what = cleartext_what (a);
    g_autofree char *ew = NULL;
    gboolean cookie = g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_COOKIE)) == 0;
    gboolean apikey = g_strcmp0 (a->scheme, w4_auth_scheme_name (W4_SCHEME_APIKEY)) == 0;

    f->summary = g_strdup_printf ("%" G_GUINT64_FORMAT " request%s sent %s over unencrypted HTTP.",
                                  a->count, a->count == 1 ? "" : "s", what);
    f->fix = g_strdup ("Use https for anything that carries credentials.");
    if (cookie)
      ew = g_strdup_printf ("Cookie %s over TCP port %u, no TLS", a->header, a->server_port);
    else if (apikey)
      ew = g_strdup_printf ("%s over TCP port %u, no TLS", a->header, a->server_port);
    else
      ew = g_strdup_printf ("%s: %s over TCP port %u, no TLS", a->header, a->scheme,
                            a->server_port);
    w4_cor_ev_add (&ev, a->first_frame, a->stream, ew);
    break;
  }
  case W4_CAUSE_RETRY_STORM: {
    gboolean user = a->principal && g_strcmp0 (a->principal, a->header) != 0;
    g_autofree char *client_ip = g_strdup (a->client);
    char *colon = strrchr (client_ip, ':');

    if (colon)
      *colon = '\0';
    f->summary = g_strdup_printf ("Client %s sent the same rejected %s credentials%s%s %"
                                  G_GUINT64_FORMAT " times to this server, %d of them within %d "
                                  "s: this locks accounts or looks like brute force.",
                                  client_ip, a->scheme, user ? " for " : "",
                                  user ? a->principal : "", a->count, W4_COR_STORM_COUNT,
                                  W4_COR_STORM_SEC);
    f->fix = g_strdup ("Stop the client from retrying rejected credentials (back off, fix the "
                       "stored password or key) before the account locks.");
    for (guint i = 0; i < a->n_frames; i++) {
      g_autofree char *w = g_strdup_printf ("rejected attempt %u of %u with %s", i + 1,
                                            a->n_frames, a->header);
      /* The attempts may be on several connections: filter by frame only. */
      w4_cor_ev_add (&ev, a->frames[i], -1, w);
    }
    break;
  }
  case W4_CAUSE_NOT_DECRYPTED: {
    g_autofree char *h2 = undecrypted_h2 (a);
    g_autofree char *sni = a->sni == NULL ? g_strdup ("")
                                          : g_strdup_printf (" (SNI %s%s)", a->sni,
                                                             a->sni_mixed ? " and others" : "");

    g_autofree char *keys = undecrypted_keys (a);

    g_autofree char *tunnel = a->tunnel_to == NULL ? g_strdup ("")
                                                   : g_strdup_printf (" tunnel to %s", a->tunnel_to);

    f->summary = g_strdup_printf ("TLS to %s%s%s: %" G_GUINT64_FORMAT " connection%s, not "
                                  "decrypted%s%s: a 401, 407 or 403 inside cannot be seen.",
                                  a->server, tunnel, sni, a->count, a->count == 1 ? "" : "s", keys,
                                  h2);
    /* name only what works today: TLS 1.0-1.3 with a key log */
    if (a->keys_wrong > 0)
      f->fix = g_strdup ("Pass the key log the client wrote during this capture (SSLKEYLOGFILE "
                         "of the same browser or curl run), whole and unedited: secrets of "
                         "other sessions, or damaged ones, do not open these. Or capture "
                         "behind the TLS terminator, where HTTP is plain.");
    else if (a->keys_missing > 0)
      f->fix = g_strdup ("Pass the key log of the client that made these connections (set "
                         "SSLKEYLOGFILE for it before it starts; every client process that "
                         "shares the file appends its sessions). Or capture behind the TLS "
                         "terminator, where HTTP is plain.");
    else
      f->fix = g_strdup ("Pass the client's key log with --keylog FILE (what browsers and curl "
                       "write where SSLKEYLOGFILE says): why401 decrypts TLS 1.0 to 1.3 "
                       "sessions with it. Or capture behind the TLS terminator (between the "
                       "load balancer or reverse proxy and the backend, where HTTP is plain).");
    f->sni = g_strdup (a->sni);
    w4_cor_ev_add (&ev, a->first_frame, a->stream,
                   "first packet of a TLS connection, not decrypted");
    w4_cor_ev_finish (&ev);
    g_free (f->wireshark_filter);
    f->wireshark_filter = server_filter (a->server);
    return f;
  }
  case W4_CAUSE_NOT_PARSED:
    f->summary = g_strdup_printf ("HTTP/2 on %" G_GUINT64_FORMAT " connection%s to %s was not "
                                  "parsed: failures inside it are not reported (why401 reads "
                                  "HTTP/1 only so far).",
                                  a->count, a->count == 1 ? "" : "s", a->server);
    f->fix = g_strdup ("Read these connections' 401, 407 and 403 responses in Wireshark (the "
                       "filter below), or make the client use HTTP/1.1 while capturing (curl "
                       "--http1.1).");
    w4_cor_ev_add (&ev, a->first_frame, a->stream,
                   "first packet of an HTTP/2 connection, not parsed");
    w4_cor_ev_finish (&ev);
    g_free (f->wireshark_filter);
    f->wireshark_filter = server_filter (a->server);
    return f;
  case W4_CAUSE_GAP:
    f->summary = g_strdup_printf ("Connection tcp.stream %" G_GINT64_FORMAT " lost %" G_GUINT64_FORMAT
                                  " bytes of HTTP in %" G_GUINT64_FORMAT " gap%s: messages there "
                                  "could not be inspected.",
                                  a->stream, a->bytes, a->count, a->count == 1 ? "" : "s");
    f->fix = g_strdup ("Capture with a larger buffer and full snap length, close to the client or "
                       "server, so no bytes are lost.");
    w4_cor_ev_add (&ev, a->first_frame, a->stream, "bytes missing before this packet");
    w4_cor_ev_finish (&ev);
    if (a->stream >= 0) {
      /* the whole connection: where it lost bytes is in the TCP analysis */
      g_free (f->wireshark_filter);
      f->wireshark_filter = g_strdup_printf ("tcp.stream eq %" G_GINT64_FORMAT, a->stream);
    }
    return f;
  default:
    break;
  }
  w4_cor_ev_finish (&ev);
  return f;
}

W4Finding *
w4_cor_limit_finding (W4Correlate *cor, W4LimitId id)
{
  W4Finding *f = w4_finding_new ();
  guint file_index;
  W4CorEv ev;
  const char *name = w4_limit_name (id);

  f->kind = W4_KIND_INFO;
  f->cause = W4_CAUSE_LIMIT;
  f->count = cor->limit_hits[id];
  w4_cor_locate (cor, cor->limit_first_frame[id], &file_index);
  ev = w4_cor_ev_start (cor, f, file_index);
  if (cor->limit_first_frame[id] != 0)
    f->response_frame = w4_cor_frame_in_file (cor, cor->limit_first_frame[id], &f->file);
  f->time = cor->limit_first_ts[id];
  f->summary = g_strdup_printf ("The %s limit (%" G_GUINT64_FORMAT ") was reached %" G_GUINT64_FORMAT
                                " time%s: the least useful state was dropped, so some findings "
                                "may be less specific.",
                                name, cor->limits.v[id], f->count, f->count == 1 ? "" : "s");
  f->fix = g_strdup_printf ("Raise it with --limit %s=N if memory allows.", name);
  w4_cor_ev_add (&ev, cor->limit_first_frame[id], -1, "limit first reached here");
  w4_cor_ev_finish (&ev);
  return f;
}
