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

/* One include for the callers (correlate/, later HTTP/2): each parser has
 * its own header, which the parsers include directly, so each file depends
 * on what it uses and the include graph shows it. */
#include "scheme.h"
#include "challenge.h"
#include "credential.h"
#include "cookie.h"
#include "base64.h"
#include "jwt.h"
#include "ntlm.h"
#include "spnego.h"
#include "message.h"
#include "redact.h"
