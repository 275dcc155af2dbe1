/* causes.c: the cause table (causes.h), in the contract's precedence
 * order. The means and fix texts are the group texts of the text report;
 * a finding's own summary and fix come from its rule's explain (which
 * reuses the row's fix where the two say the same). */
#include "causes.h"

/* The rules (rule-*.c). A row without one is a cause not recognised yet:
 * the engine skips it. */
extern const W4CorRule w4_rule_cors_preflight;
extern const W4CorRule w4_rule_connection_auth_broken;
extern const W4CorRule w4_rule_credentials_dropped_on_redirect;
extern const W4CorRule w4_rule_proxy_dropped_credentials;
extern const W4CorRule w4_rule_wrong_auth_header;
extern const W4CorRule w4_rule_expired_token;
extern const W4CorRule w4_rule_token_not_yet_valid;
extern const W4CorRule w4_rule_stale_nonce;
extern const W4CorRule w4_rule_digest_mismatch;
extern const W4CorRule w4_rule_scheme_mismatch;
extern const W4CorRule w4_rule_malformed_credentials;
extern const W4CorRule w4_rule_csrf_token_missing;
extern const W4CorRule w4_rule_insecure_cookie_dropped;
extern const W4CorRule w4_rule_cookie_expired;
extern const W4CorRule w4_rule_cookie_not_sent;
extern const W4CorRule w4_rule_permission_denied;
extern const W4CorRule w4_rule_session_expired;
extern const W4CorRule w4_rule_no_credentials;
extern const W4CorRule w4_rule_rejected_credentials;
extern const W4CorRule w4_rule_forbidden;
extern const W4CorRule w4_rule_unexplained;

static const W4CauseInfo causes[W4_CAUSE_COUNT] = {
  { .cause = W4_CAUSE_CORS_PREFLIGHT, .code = "cors-preflight",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_cors_preflight,
    .means =
      "A CORS preflight (OPTIONS with Access-Control-Request-Method) was refused. Browsers never "
      "send credentials on a preflight, so it cannot pass authentication and the real request is "
      "never sent.",
    .fix =
      "Let OPTIONS requests through without authentication." },
  { .cause = W4_CAUSE_CONNECTION_AUTH_BROKEN, .code = "connection-auth-broken",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_connection_auth_broken,
    .means =
      "NTLM and Negotiate authenticate a TCP connection, not a request: every leg of the "
      "handshake must travel on one kept-alive connection. Here a later leg came on another "
      "connection, or the connection closed in the middle of the handshake.",
    .fix =
      "Keep one connection end to end: check proxies, load balancers and Connection: close." },
  { .cause = W4_CAUSE_CREDENTIALS_DROPPED_ON_REDIRECT, .code = "credentials-dropped-on-redirect",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_credentials_dropped_on_redirect,
    .means =
      "The request followed a redirect to another origin (scheme, host or port) and the client "
      "left out the Authorization header, as clients do on cross-origin redirects.",
    .fix =
      "Call the final URL directly, or keep the redirect on the same origin." },
  { .cause = W4_CAUSE_PROXY_DROPPED_CREDENTIALS, .code = "proxy-dropped-credentials",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_proxy_dropped_credentials,
    .means =
      "The capture shows both sides of a proxy: the client sent credentials, but the proxy's "
      "request to the origin server lacked them or carried different ones.",
    .fix =
      "Configure the proxy to pass the credentials through (e.g. not clearing Authorization)." },
  { .cause = W4_CAUSE_WRONG_AUTH_HEADER, .code = "wrong-auth-header",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_wrong_auth_header,
    .means =
      "The credentials went in the wrong header: a proxy's 407 asks for Proxy-Authorization, a "
      "server's 401 asks for Authorization.",
    .fix =
      "Send the credentials in the header the status asks for." },
  { .cause = W4_CAUSE_EXPIRED_TOKEN, .code = "expired-token",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_expired_token,
    .means =
      "The token had expired at the time of the request (its exp claim, or the server's "
      "invalid_token error says so).",
    .fix =
      "Refresh the token; check the token lifetime." },
  { .cause = W4_CAUSE_TOKEN_NOT_YET_VALID, .code = "token-not-yet-valid",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_token_not_yet_valid,
    .means =
      "The token is not valid yet: its nbf or iat lies more than 60 s after the request time, "
      "which points to clock skew between the issuer and the server.",
    .fix =
      "Check NTP on the token issuer, the client and the server." },
  { .cause = W4_CAUSE_STALE_NONCE, .code = "stale-nonce",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_stale_nonce,
    .means =
      "Digest: the server marked the nonce stale, or the client reused a nonce or nonce count.",
    .fix =
      "The client must restart the Digest handshake with the new nonce." },
  { .cause = W4_CAUSE_DIGEST_MISMATCH, .code = "digest-mismatch",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_digest_mismatch,
    .means =
      "Digest: the client's realm, uri, algorithm or qop does not match the challenge or the "
      "request target (a proxy that rewrites the URI is a common reason).",
    .fix =
      "Fix the client's Digest parameters, or stop the proxy from rewriting the URI." },
  { .cause = W4_CAUSE_SCHEME_MISMATCH, .code = "scheme-mismatch",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_scheme_mismatch,
    .means =
      "The client authenticated with a scheme the server does not offer in its challenge.",
    .fix =
      "Use a scheme the server offers (see WWW-Authenticate or Proxy-Authenticate)." },
  { .cause = W4_CAUSE_MALFORMED_CREDENTIALS, .code = "malformed-credentials",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_malformed_credentials,
    .means =
      "The credentials header cannot be parsed: a Basic payload that is not base64 or has no "
      "':', empty credentials, a repeated scheme word, a token with spaces or quotes, or several "
      "Authorization headers.",
    .fix =
      "Fix how the client builds the header." },
  { .cause = W4_CAUSE_INSECURE_COOKIE_DROPPED, .code = "insecure-cookie-dropped",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_insecure_cookie_dropped,
    .means =
      "The server set a cookie marked Secure over plain HTTP; clients refuse to send Secure "
      "cookies over http, so the request came without it.",
    .fix =
      "Use https." },
  { .cause = W4_CAUSE_COOKIE_EXPIRED, .code = "cookie-expired",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_cookie_expired,
    .means =
      "A cookie the server set earlier in the capture had expired (Max-Age, Expires, or deleted) "
      "by the time of the request.",
    .fix =
      "Log in again; check the cookie lifetime." },
  { .cause = W4_CAUSE_COOKIE_NOT_SENT, .code = "cookie-not-sent",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_cookie_not_sent,
    .means =
      "The server had set unexpired cookies for this client and host, but the request carried "
      "none of them (Path, Domain or SameSite can keep a client from sending a cookie).",
    .fix =
      "Fix the cookie's Path/Domain/SameSite attributes or the client's cookie jar." },
  { .cause = W4_CAUSE_CSRF_TOKEN_MISSING, .code = "csrf-token-missing",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_csrf_token_missing,
    .means =
      "The request carried a session cookie that worked before, but not the anti-forgery header "
      "(X-CSRF-Token, X-XSRF-Token, X-WP-Nonce...) that the client's successful requests carried, "
      "or the server says the nonce or CSRF token is missing.",
    .fix =
      "Cookie-authenticated API calls need the application's anti-forgery token header." },
  { .cause = W4_CAUSE_PERMISSION_DENIED, .code = "permission-denied",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_ANY,
    .rule = &w4_rule_permission_denied,
    .means =
      "The same credential succeeds on other requests to this server: the account is "
      "authenticated but not allowed this endpoint.",
    .fix =
      "Grant the account permission for this endpoint, or use an account that has it." },
  { .cause = W4_CAUSE_SESSION_EXPIRED, .code = "session-expired",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_session_expired,
    .means =
      "The same credential succeeded on this server earlier and never after: the server expired "
      "or revoked the session sooner than the client expected.",
    .fix =
      "Check the session lifetime on the server and the client's re-login logic." },
  { .cause = W4_CAUSE_NO_CREDENTIALS, .code = "no-credentials",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_no_credentials,
    .means =
      "The request carried no credentials the server asked for: no Authorization (or "
      "Proxy-Authorization) and no API-key header, or only cookies where the server wants HTTP "
      "authentication.",
    .fix =
      "Send credentials; check the client's auth configuration." },
  { .cause = W4_CAUSE_REJECTED_CREDENTIALS, .code = "rejected-credentials",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_rejected_credentials,
    .means =
      "Well-formed credentials, in a scheme the server offers, were refused: wrong password, "
      "revoked key, bad signature, or a problem with this account.",
    .fix =
      "Check the credentials; test with another account." },
  { .cause = W4_CAUSE_FORBIDDEN, .code = "forbidden",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_403,
    .rule = &w4_rule_forbidden,
    .means =
      "A 403 that no credential problem explains: an access rule refuses the request whatever "
      "the credentials (IP allow-list, WAF, file permissions). Authenticating again will not help.",
    .fix =
      "Check the server's access rules for this resource." },
  { .cause = W4_CAUSE_UNEXPLAINED, .code = "unexplained",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .rule = &w4_rule_unexplained,
    .means =
      "A 401 or 407 that no rule explains; below is all the evidence the capture holds.",
    .fix =
      "Read the evidence; compare with a request that succeeds." },
  { .cause = W4_CAUSE_MISSING_CHALLENGE, .code = "missing-challenge",
    .kind = W4_KIND_FAILURE, .statuses = W4_ST_401 | W4_ST_407,
    .means =
      "A 401 without WWW-Authenticate (or a 407 without Proxy-Authenticate) breaks RFC 9110: the "
      "client cannot tell how to authenticate.",
    .fix =
      "Make the server send a challenge with every 401 and 407." },
  { .cause = W4_CAUSE_CHALLENGE, .code = "challenge",
    .kind = W4_KIND_NOTE, .statuses = W4_ST_401 | W4_ST_407,
    .means =
      "Normal steps of a challenge-response handshake: the first request went without "
      "credentials (or with an intermediate leg) and the retry passed authentication.",
    .fix =
      "Nothing to fix." },
  { .cause = W4_CAUSE_CLEARTEXT_CREDENTIALS, .code = "cleartext-credentials",
    .kind = W4_KIND_RISK, .statuses = 0,
    .means =
      "Credentials crossed the network unencrypted: anyone on the path can read and replay them.",
    .fix =
      "Use https for anything that carries credentials." },
  { .cause = W4_CAUSE_RETRY_STORM, .code = "retry-storm",
    .kind = W4_KIND_RISK, .statuses = 0,
    .means =
      "A client sent the same rejected credential 5 or more times within 60 s: this locks "
      "accounts, or it is a brute-force attempt.",
    .fix =
      "Stop the client from retrying rejected credentials; check for lockouts." },
  { .cause = W4_CAUSE_NOT_DECRYPTED, .code = "not-decrypted",
    .kind = W4_KIND_INFO, .statuses = 0,
    .means =
      "TLS that was not decrypted (no key log for these sessions, or keys that do not open "
      "them): the HTTP inside could not be inspected.",
    .fix =
      "Pass the client's key log (SSLKEYLOGFILE) with --keylog, or capture behind the TLS "
      "terminator, where HTTP is plain." },
  { .cause = W4_CAUSE_GAP, .code = "gap",
    .kind = W4_KIND_INFO, .statuses = 0,
    .means =
      "The capture lost bytes of these connections' HTTP; messages may be missing.",
    .fix =
      "Capture closer to the server, with a bigger buffer and whole packets." },
  { .cause = W4_CAUSE_LIMIT, .code = "limit",
    .kind = W4_KIND_INFO, .statuses = 0,
    .means =
      "A named limit was reached and some state was dropped; results may be incomplete.",
    .fix =
      "Raise the limit with --limit NAME=N if memory allows." },
  { .cause = W4_CAUSE_NOT_PARSED, .code = "not-parsed",
    .kind = W4_KIND_INFO, .statuses = 0,
    .means =
      "HTTP/2 (prior knowledge or an h2c upgrade) that why401 does not parse yet: 401, 407 and "
      "403 responses inside it are not reported.",
    .fix =
      "Read those connections in Wireshark, or make the client use HTTP/1.1 while capturing." },
};

const W4CauseInfo *
w4_cause_info (W4Cause c)
{
  if ((int) c < 0 || c >= W4_CAUSE_COUNT)
    return NULL;
  return &causes[c];
}

const char *
w4_cause_name (W4Cause c)
{
  const W4CauseInfo *info = w4_cause_info (c);

  return info != NULL ? info->code : "unknown";
}

const char *
w4_kind_name (W4Kind k)
{
  switch (k) {
  case W4_KIND_FAILURE:
    return "failure";
  case W4_KIND_NOTE:
    return "note";
  case W4_KIND_RISK:
    return "risk";
  case W4_KIND_INFO:
    return "info";
  }
  return "unknown";
}

guint
w4_cause_status_bit (guint status)
{
  switch (status) {
  case 401:
    return W4_ST_401;
  case 407:
    return W4_ST_407;
  case 403:
    return W4_ST_403;
  default:
    return 0;
  }
}
