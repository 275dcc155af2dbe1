/* auth.h: parsers for what a request and a response say about
 * authentication. Pure functions over copied strings: no capture state.
 *
 * - challenges: WWW-Authenticate / Proxy-Authenticate (RFC 9110 11.6.1 and
 *   11.7.1): several challenges per header value, auth-params with quoted
 *   strings (commas, escapes), token68, scheme names case-insensitive;
 * - credentials: Authorization / Proxy-Authorization (RFC 9110 11.6.2,
 *   RFC 7617 Basic, RFC 6750 Bearer, RFC 7616 Digest, MS-NLMP NTLM inside
 *   NTLM or Negotiate, RFC 4559 Negotiate), parsed strictly;
 * - API-key headers and cookies as credentials;
 * - fingerprints and principals exactly as ../shared/spec/FINDINGS.md says;
 * - JWT payload claims (sub, exp, nbf, iat), decoded, never verified;
 * - the server's own words from a Bearer challenge or a small JSON body;
 * - redaction of secrets inside URIs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  W4_SCHEME_NONE = 0,   /* no scheme word (a bare token) */
  W4_SCHEME_BASIC,
  W4_SCHEME_BEARER,
  W4_SCHEME_DIGEST,
  W4_SCHEME_NTLM,
  W4_SCHEME_NEGOTIATE,
  W4_SCHEME_APIKEY,     /* an API-key header (X-API-Key, Api-Key, X-Auth-Token) */
  W4_SCHEME_COOKIE,     /* a cookie used as credential */
  W4_SCHEME_OTHER,      /* any other scheme word (AWS4-HMAC-SHA256, token, ...) */
} W4Scheme;

/* Canonical display name: "Basic", "Bearer", ... "API key", "cookie". For
 * OTHER the caller shows the scheme word it has. */
const char *w4_scheme_name (W4Scheme s);
/* Maps a scheme word (case-insensitive) to its kind; OTHER for unknown. */
W4Scheme w4_scheme_from_word (const char *word, gsize len);

/* ---- challenges ------------------------------------------------------- */

typedef struct {
  char *name;   /* lowercased */
  char *value;  /* unquoted, escapes removed */
} W4AuthParam;

typedef struct {
  W4Scheme kind;
  char *scheme;       /* the scheme word as sent */
  char *token68;      /* NULL unless the challenge carries a token68 */
  GPtrArray *params;  /* (element-type W4AuthParam) in order */
} W4Challenge;

void w4_challenge_free (W4Challenge *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Challenge, w4_challenge_free)

/* Parses one header value, appending each challenge to @out (element-type
 * W4Challenge, owned by @out's free func, which the caller sets to
 * w4_challenge_free). Lenient where servers are (trailing commas, empty
 * elements); stops at what cannot be parsed and keeps what was. Returns the
 * number of challenges appended. At most 32 challenges per value. */
guint w4_auth_parse_challenges (const char *value, gsize len, GPtrArray *out);

/* The value of auth-param @name (case-insensitive), or NULL. (transfer none) */
const char *w4_challenge_param (const W4Challenge *c, const char *name);

/* ---- credentials ------------------------------------------------------ */

typedef struct {
  W4Scheme kind;
  char *scheme;          /* the scheme word as sent; NULL when none */
  gboolean malformed;    /* cannot be parsed (FINDINGS: malformed-credentials) */
  const char *malformed_why; /* static text: "Basic payload is not base64", ... */
  char *fingerprint;     /* "sha256:" + 12 hex digits (see w4_fingerprint) */
  char *principal;       /* FINDINGS' principal; falls back to the fingerprint */
  /* Basic */
  char *basic_user;
  char *basic_password;  /* secret: shown only with --show-secrets */
  /* Bearer, cookie or API-key value that is a JWT (three base64url parts,
   * a JSON header and payload) */
  gboolean is_jwt;
  char *jwt_sub;
  gboolean has_exp, has_nbf, has_iat;
  gint64 jwt_exp, jwt_nbf, jwt_iat;  /* seconds since the epoch */
  /* Digest (names lowercased, values unquoted) */
  GPtrArray *digest_params;   /* (element-type W4AuthParam) */
  /* NTLM (also inside Negotiate when the token is NTLMSSP) */
  guint ntlm_type;       /* 1, 2 or 3; 0 when not NTLM */
  char *ntlm_user;       /* type 3: "DOMAIN\user" */
  /* Negotiate */
  gboolean negotiate_is_ntlm; /* the SPNEGO/raw token is NTLMSSP */
} W4Credential;

void w4_credential_free (W4Credential *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Credential, w4_credential_free)

/* Parses an Authorization / Proxy-Authorization value. Never NULL: a value
 * that cannot be parsed comes back with malformed set (and a fingerprint
 * over what was there). (transfer full) */
W4Credential *w4_auth_parse_credentials (const char *value, gsize len);

/* An API-key header value (X-API-Key, Api-Key, X-Auth-Token) as a
 * credential: kind APIKEY, fingerprint over the whole value, JWT claims when
 * it is a JWT. (transfer full) */
W4Credential *w4_auth_parse_apikey (const char *value, gsize len);

/* Is @name (case-insensitive) an API-key header? */
gboolean w4_is_apikey_header (const char *name, gsize len);

/* ---- cookies ---------------------------------------------------------- */

typedef struct {
  char *name;
  char *value;   /* secret */
} W4Cookie;

void w4_cookie_free (W4Cookie *c);
/* Splits a Cookie header value ("a=1; b=2") appending W4Cookie to @out (at
 * most 64 per value). Returns how many were appended. */
guint w4_parse_cookie_header (const char *value, gsize len, GPtrArray *out);

typedef struct {
  char *name;
  char *value;
  char *path, *domain, *samesite;  /* NULL when absent */
  gboolean secure, httponly;
  gboolean has_max_age;
  gint64 max_age;
  gboolean has_expires;
  gint64 expires;                  /* seconds since the epoch */
} W4SetCookie;

void w4_set_cookie_free (W4SetCookie *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4SetCookie, w4_set_cookie_free)
/* Parses one Set-Cookie value (RFC 6265 5.2); NULL when it has no name=value. */
W4SetCookie *w4_parse_set_cookie (const char *value, gsize len);

/* Does the cookie name look like a session cookie (PHPSESSID, JSESSIONID,
 * session, sid, connect.sid, *_session, wordpress_logged_in_*, ...)? */
gboolean w4_is_session_cookie_name (const char *name);

/* ---- fingerprints, JWT, base64 ---------------------------------------- */

/* "sha256:" + first 12 hex digits of SHA-256 over @len bytes. (transfer full) */
char *w4_fingerprint (const void *bytes, gsize len);

/* Strict RFC 4648 base64 (standard alphabet, '=' padding required to a
 * multiple of 4, no whitespace). NULL when invalid. The result is
 * NUL-terminated for convenience; *out_len excludes it. (transfer full) */
guint8 *w4_base64_decode_strict (const char *in, gsize len, gsize *out_len);
/* base64url without padding (JWT segments); also accepts padding. */
guint8 *w4_base64url_decode (const char *in, gsize len, gsize *out_len);

typedef struct {
  char *sub;           /* NULL when absent */
  gboolean has_exp, has_nbf, has_iat;
  gint64 exp, nbf, iat;
} W4JwtClaims;

/* Decodes a compact JWT's payload (not verified). FALSE when @token is not
 * three base64url segments with a JSON object header and payload. On TRUE
 * the caller owns claims->sub. */
gboolean w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims);

/* ---- the server's words ----------------------------------------------- */

/* From a Bearer challenge: "error: error_description" (or either), else
 * NULL. (transfer full) */
char *w4_server_message_from_challenge (const W4Challenge *c);
/* From a small JSON 4xx body (application/json, application/problem+json,
 * or a body that parses as a JSON object): the first of error/message/
 * detail/title found (strings; "error": {"message": ...} too). NULL when
 * none. At most 300 characters returned. (transfer full) */
char *w4_server_message_from_body (const char *content_type, const guint8 *body, gsize len);

/* ---- secrets in URIs -------------------------------------------------- */

/* @uri with the values of query parameters named like access_token,
 * id_token, token, code, api_key, apikey, key, password, secret, sig,
 * signature replaced by "[redacted]". (transfer full) */
char *w4_redact_uri (const char *uri);

G_END_DECLS
