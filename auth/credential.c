/* credential.c: what an Authorization or Proxy-Authorization value, or an
 * API-key header, says about who is asking.
 *
 * Implements RFC 9110 11.4 and 11.6.2 (auth-scheme, then a token68 or
 * auth-params), RFC 7617 Basic (strict base64, user before the first ':'),
 * RFC 6750 Bearer (one b64token), RFC 7616 Digest (digest.c), NTLM and
 * Negotiate tokens (ntlm.c), API-key headers, JWT claims of bearer-like
 * values (jwt.c), and the fingerprints and principals of
 * ../shared/spec/FINDINGS.md.
 *
 * Deliberately ignored: auth-param semantics beyond what the correlator
 * uses, and Kerberos tickets inside Negotiate (their names are encrypted).
 *
 * Credentials are judged strictly, unlike challenges: a badly built header
 * is itself a finding (malformed-credentials). */
#include "credential.h"

#include <string.h>

#include <openssl/evp.h>

#include "auth-private.h"
#include "base64.h"
#include "digest.h"
#include "jwt.h"
#include "ntlm.h"
#include "spnego.h"

/* ---- fingerprints ---------------------------------------------------------- */

char *
w4_auth_fingerprint (const void *bytes, gsize len)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  char out[7 + 12 + 1] = "sha256:";

  static gsize sha256_once = 0;
  static EVP_MD *sha256 = NULL;

  g_return_val_if_fail (bytes != NULL || len == 0, NULL);
  /* Fetched once: EVP_sha256 () makes OpenSSL 3 look the algorithm up in
   * its provider store on every digest, which cost twice the hashing. The
   * fetched method is immutable and never freed (like EVP_sha256's). */
  if (g_once_init_enter (&sha256_once)) {
    sha256 = EVP_MD_fetch (NULL, "SHA256", NULL);
    g_once_init_leave (&sha256_once, 1);
  }
  if (sha256 == NULL || EVP_Digest (len ? bytes : "", len, md, &md_len, sha256, NULL) != 1 ||
      md_len < 6)
    g_error ("SHA-256 is not available from OpenSSL");
  for (guint i = 0; i < 6; i++) {
    out[7 + 2 * i] = hex[md[i] >> 4];
    out[7 + 2 * i + 1] = hex[md[i] & 0xf];
  }
  out[19] = '\0';
  return g_strdup (out);
}

/* ---- credentials ---------------------------------------------------------- */

void
w4_auth_credential_free (W4Credential *c)
{
  if (c == NULL)
    return;
  g_free (c->scheme);
  g_free (c->fingerprint);
  g_free (c->principal);
  g_free (c->basic_user);
  if (c->basic_password != NULL) {
    /* A secret: do not leave it in freed heap memory. */
    memset (c->basic_password, 0, strlen (c->basic_password));
    g_free (c->basic_password);
  }
  w4_jwt_free (c->jwt);
  if (c->digest_params != NULL)
    g_ptr_array_unref (c->digest_params);
  g_free (c->ntlm_user);
  g_free (c->ntlm_workstation);
  g_free (c->negotiate_spn);
  g_free (c);
}

static void
w4_cred_malformed (W4Credential *c, const char *why)
{
  if (!c->malformed) {
    c->malformed = TRUE;
    c->malformed_why = why;
  }
}

/* RFC 6750 2.1 b64token holds none of these; FINDINGS names them as what
 * makes a token malformed. Other odd characters are not flagged: real
 * tokens stray from b64token often enough, and still work. */
static const char *
w4_token_problem (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) s[i];
    if (c == ' ' || c == '\t')
      return "the token contains spaces";
    if (c == '"' || c == '\'')
      return "the token contains quotes";
    if (w4_tok_is_ctl (c))
      return "the token contains control characters";
  }
  return NULL;
}

static void
w4_cred_jwt (W4Credential *c, const char *s, gsize len)
{
  c->jwt = w4_jwt_new (s, len);
  if (c->jwt != NULL && c->jwt->sub != NULL) {
    g_free (c->principal);
    c->principal = g_strdup (c->jwt->sub);
  }
}

static void
w4_cred_basic (W4Credential *c, const char *s, gsize len)
{
  gsize n = 0;
  g_autofree guint8 *raw = w4_b64_decode_strict (s, len, &n);
  const guint8 *colon;

  if (raw == NULL) {
    w4_cred_malformed (c, "Basic payload is not base64");
    return;
  }
  colon = memchr (raw, ':', n);
  if (colon == NULL) {
    w4_cred_malformed (c, "Basic payload has no ':' between user and password");
    memset (raw, 0, n);
    return;
  }
  /* RFC 7617 2: the user-id cannot contain ':', so the first one splits;
   * the password may contain more. */
  c->basic_user = w4_auth_text ((const char *) raw, (gsize) (colon - raw), W4_AUTH_MAX_PRINCIPAL,
                                FALSE);
  c->basic_password = w4_auth_text ((const char *) colon + 1, n - (gsize) (colon + 1 - raw),
                                    G_MAXSIZE, FALSE);
  memset (raw, 0, n);
  /* An empty user name is well-formed (":pw" is legal), but the empty
   * string identifies nobody: the principal stays the fingerprint. */
  if (c->basic_user[0] != '\0') {
    g_free (c->principal);
    c->principal = g_strdup (c->basic_user);
  }
}

static void
w4_cred_digest (W4Credential *c, const char *s, gsize len)
{
  char *user;

  c->digest_params = g_ptr_array_new_with_free_func (w4_auth_param_free);
  if (!w4_digest_parse_params (s, len, c->digest_params))
    w4_cred_malformed (c, "Digest parameters cannot be parsed");
  user = w4_digest_principal (c->digest_params);
  if (user != NULL) {
    g_free (c->principal);
    c->principal = user;
  }
}

/* NTLM and Negotiate carry one base64 token (RFC 4559 4.2). */
static void
w4_cred_ntlm (W4Credential *c, const char *s, gsize len)
{
  gsize n = 0, at = 0;
  guint type = 0;
  char *user = NULL;
  g_autofree guint8 *raw = w4_b64_decode_strict (s, len, &n);

  if (raw == NULL || n == 0) {
    w4_cred_malformed (c, c->kind == W4_SCHEME_NTLM ? "NTLM token is not base64"
                                                    : "Negotiate token is not base64");
    return;
  }
  if (c->kind == W4_SCHEME_NEGOTIATE) {
    /* Raw NTLMSSP, or SPNEGO (RFC 4178) wrapping it in DER; we look for the
     * signature instead of walking the DER: the NTLM message's offsets are
     * relative to its own start, and reads stay inside @raw. */
    gssize off = w4_ntlm_find (raw, n);
    if (off < 0) {
      /* Kerberos: the client's name is encrypted (in the authenticator);
       * the ticket's service principal is not, and names what the
       * credential is for: every AP-REQ has its own fingerprint, so that
       * would make each request a principal of its own */
      W4Spnego sp;
      if (w4_spnego_parse (raw, n, &sp)) {
        c->negotiate_spn = g_steal_pointer (&sp.spn);
        if (c->negotiate_spn != NULL) {
          g_free (c->principal);
          c->principal = g_strdup_printf ("ticket for %s", c->negotiate_spn);
        }
        c->negotiate_kvno = sp.ticket_kvno <= G_MAXINT16 ? (gint16) sp.ticket_kvno : -1;
        c->negotiate_mutual = (gint8) sp.mutual;
        w4_spnego_clear (&sp);
      }
      return;
    }
    at = (gsize) off;
    c->negotiate_is_ntlm = TRUE;
  }
  if (!w4_ntlm_parse (raw + at, n - at, &type, &user)) {
    w4_cred_malformed (c, "NTLM token is not an NTLMSSP message");
    return;
  }
  c->ntlm_type = type;
  c->ntlm_user = user;
  c->ntlm_workstation = w4_ntlm_workstation (raw + at, n - at);
  if (user != NULL) {
    g_free (c->principal);
    c->principal = g_strdup (user);
  }
}

static W4Credential *
w4_cred_new (W4Scheme kind, const char *bytes, gsize len)
{
  W4Credential *c = g_new0 (W4Credential, 1);
  c->kind = kind;
  c->fingerprint = w4_auth_fingerprint (bytes, len);
  c->principal = g_strdup (c->fingerprint);
  return c;
}

/* A bare token with no scheme word (FINDINGS: fingerprint over the whole
 * value): a JWT or an opaque key. */
static W4Credential *
w4_cred_bare (W4Scheme kind, const char *s, gsize len)
{
  W4Credential *c = w4_cred_new (kind, s, len);
  const char *why;

  if (len == 0) {
    w4_cred_malformed (c, "empty credentials");
    return c;
  }
  why = w4_token_problem (s, len);
  if (why != NULL)
    w4_cred_malformed (c, why);
  else
    w4_cred_jwt (c, s, len);
  return c;
}

W4Credential *
w4_auth_parse_credentials (const char *value, gsize len)
{
  W4Tok lx;
  const char *word, *rest;
  gsize word_len, rest_len;
  W4Scheme kind;
  W4Credential *c;

  g_return_val_if_fail (value != NULL || len == 0, NULL);
  if (value == NULL)
    value = "";
  w4_tok_trim_ows (&value, &len);
  lx = w4_tok_init (value, len);

  word = value;
  word_len = w4_tok_token (&lx);
  kind = w4_auth_scheme_from_word (word, word_len);
  /* A scheme word is a token followed by space (RFC 9110 11.4), or a known
   * scheme word standing alone (credentials left empty). Anything else,
   * such as a JWT or "abc==", is a bare token. */
  if (word_len == 0 ||
      (w4_tok_eof (&lx) && (kind == W4_SCHEME_OTHER || kind == W4_SCHEME_APIKEY)) ||
      (!w4_tok_eof (&lx) && !w4_tok_is_ows (w4_tok_cur (&lx))))
    return w4_cred_bare (W4_SCHEME_NONE, value, len);

  w4_tok_skip_ows (&lx);
  rest = value + lx.off;
  rest_len = len - lx.off;
  c = w4_cred_new (kind, rest, rest_len);
  c->scheme = g_strndup (word, word_len);
  if (rest_len == 0) {
    w4_cred_malformed (c, "empty credentials");
    return c;
  }
  /* "Bearer Bearer x": the client's library added the scheme to a value
   * that already had it. */
  {
    W4Tok t = w4_tok_init (rest, rest_len);
    gsize n = w4_tok_token (&t);
    if (n == word_len && g_ascii_strncasecmp (rest, word, n) == 0 &&
        (w4_tok_eof (&t) || w4_tok_is_ows (w4_tok_cur (&t)))) {
      w4_cred_malformed (c, "the scheme word is repeated");
      return c;
    }
  }

  switch (kind) {
  case W4_SCHEME_BASIC:
    w4_cred_basic (c, rest, rest_len);
    break;
  case W4_SCHEME_DIGEST:
    w4_cred_digest (c, rest, rest_len);
    break;
  case W4_SCHEME_NTLM:
  case W4_SCHEME_NEGOTIATE:
    w4_cred_ntlm (c, rest, rest_len);
    break;
  case W4_SCHEME_BEARER:
  case W4_SCHEME_APIKEY: {
    const char *why = w4_token_problem (rest, rest_len);
    if (why != NULL)
      w4_cred_malformed (c, why);
    else
      w4_cred_jwt (c, rest, rest_len);
    break;
  }
  case W4_SCHEME_NONE:
  case W4_SCHEME_COOKIE:
  case W4_SCHEME_OTHER:
  default:
    /* Unknown schemes (AWS4-HMAC-SHA256 Credential=..., token abc) have
     * their own grammar: only control characters are certainly wrong. */
    for (gsize i = 0; i < rest_len; i++)
      if (w4_tok_is_ctl ((guchar) rest[i]) && rest[i] != '\t') {
        w4_cred_malformed (c, "the credentials contain control characters");
        break;
      }
    /* "JWT eyJ..." (djangorestframework-jwt), "Token eyJ...": a JWT is
     * one whatever the scheme word before it */
    if (!c->malformed)
      w4_cred_jwt (c, rest, rest_len);
    break;
  }
  return c;
}

W4Credential *
w4_auth_parse_apikey (const char *value, gsize len)
{
  g_return_val_if_fail (value != NULL || len == 0, NULL);
  if (value == NULL)
    value = "";
  w4_tok_trim_ows (&value, &len);
  return w4_cred_bare (W4_SCHEME_APIKEY, value, len);
}

gboolean
w4_auth_is_apikey_header (const char *name, gsize len)
{
  if (name == NULL)
    return FALSE;
  return w4_tok_span_ieq (name, len, "X-API-Key") || w4_tok_span_ieq (name, len, "Api-Key") ||
         w4_tok_span_ieq (name, len, "X-Auth-Token");
}
