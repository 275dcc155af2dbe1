/* credential.h: Authorization / Proxy-Authorization values and API-key headers as
 * credentials, with the fingerprints and principals of FINDINGS.md. */
#pragma once

#include <glib.h>
#include "jwt.h"
#include "scheme.h"

G_BEGIN_DECLS

typedef struct {
  /* The 4-byte fields first and together, so that no pointer leaves a
   * hole: a credential lives as long as its exchange, thousands at once. */
  W4Scheme kind;
  gboolean malformed;    /* cannot be parsed (FINDINGS: malformed-credentials) */
  guint ntlm_type;       /* NTLM (also inside Negotiate): 1, 2 or 3; 0 when not NTLM */
  gboolean negotiate_is_ntlm; /* the SPNEGO/raw token is NTLMSSP */
  /* Negotiate with negotiate_spn: the ticket's key version (-1 not sent,
   * or above G_MAXINT16: no real keytab gets there), and whether the
   * AP-REQ asked for mutual authentication (-1 not read) */
  gint16 negotiate_kvno;
  gint8 negotiate_mutual;
  char *scheme;          /* the scheme word as sent; NULL when none */
  const char *malformed_why; /* static text: "Basic payload is not base64", ... */
  char *fingerprint;     /* "sha256:" + 12 hex digits (see w4_auth_fingerprint) */
  char *principal;       /* FINDINGS' principal; falls back to the fingerprint */
  /* Basic */
  char *basic_user;
  char *basic_password;  /* secret: shown only with --show-secrets (the correlator
                          * keeps it only then) */
  /* (owned) a Bearer or API-key value that is a JWT (three base64url
   * parts, a JSON header and payload): its header and claims; else NULL */
  W4JwtClaims *jwt;
  /* Digest (names lowercased, values unquoted) */
  GPtrArray *digest_params;   /* (element-type W4AuthParam) */
  /* NTLM type 3 */
  char *ntlm_user;       /* "DOMAIN\user" */
  char *ntlm_workstation; /* the client's workstation name, or NULL */
  /* Negotiate */
  char *negotiate_spn;   /* Kerberos: the AP-REQ ticket's service principal (not encrypted) */
} W4Credential;

void w4_auth_credential_free (W4Credential *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Credential, w4_auth_credential_free)

/* Parses an Authorization / Proxy-Authorization value. Never NULL: a value
 * that cannot be parsed comes back with malformed set (and a fingerprint
 * over what was there). (transfer full) */
W4Credential *w4_auth_parse_credentials (const char *value, gsize len);

/* An API-key header value (X-API-Key, Api-Key, X-Auth-Token) as a
 * credential: kind APIKEY, fingerprint over the whole value, JWT claims when
 * it is a JWT. (transfer full) */
W4Credential *w4_auth_parse_apikey (const char *value, gsize len);

/* Is @name (case-insensitive) an API-key header? */
gboolean w4_auth_is_apikey_header (const char *name, gsize len);

/* "sha256:" + first 12 hex digits of SHA-256 over @len bytes. (transfer full) */
char *w4_auth_fingerprint (const void *bytes, gsize len);

G_END_DECLS
