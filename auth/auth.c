/* auth.c: what an Authorization header and a WWW-Authenticate header say.
 *
 * Implements:
 * - RFC 9110 11.2-11.4 and 11.6: challenges and credentials (auth-scheme,
 *   token68, auth-param with token or quoted-string values, quoted-pair
 *   escapes, several challenges in one field value);
 * - RFC 7617 Basic (strict base64, user before the first ':'), RFC 6750
 *   Bearer (one b64token), RFC 7616 Digest (username, username*), NTLM and
 *   Negotiate tokens (auth-ntlm.c), API-key headers;
 * - the fingerprints and principals of ../shared/spec/FINDINGS.md;
 * - strict RFC 4648 base64 and base64url, and RFC 7519 JWT claims (decoded
 *   with jansson, never verified: we explain failures, we do not judge
 *   signatures).
 *
 * Deliberately ignored: auth-param semantics beyond what the correlator
 * uses, and Kerberos tickets inside Negotiate (their names are encrypted).
 *
 * Leniency: servers send trailing commas, empty list elements and unquoted
 * values with '/' or '=' in them; challenges accept all of that, because a
 * challenge is only evidence. Credentials are judged strictly, because a
 * badly built header is itself a finding (malformed-credentials). */
#include "auth-private.h"

#include <math.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

/* ---- schemes ------------------------------------------------------------ */

const char *
w4_scheme_name (W4Scheme s)
{
  switch (s) {
  case W4_SCHEME_NONE: return "token"; /* a bare token, no scheme word */
  case W4_SCHEME_BASIC: return "Basic";
  case W4_SCHEME_BEARER: return "Bearer";
  case W4_SCHEME_DIGEST: return "Digest";
  case W4_SCHEME_NTLM: return "NTLM";
  case W4_SCHEME_NEGOTIATE: return "Negotiate";
  case W4_SCHEME_APIKEY: return "API key";
  case W4_SCHEME_COOKIE: return "cookie";
  case W4_SCHEME_OTHER: return "other";
  default: return "other";
  }
}

W4Scheme
w4_scheme_from_word (const char *word, gsize len)
{
  static const struct {
    const char *word;
    W4Scheme kind;
  } table[] = {
    { "Basic", W4_SCHEME_BASIC },
    { "Bearer", W4_SCHEME_BEARER },
    { "Digest", W4_SCHEME_DIGEST },
    { "NTLM", W4_SCHEME_NTLM },
    { "Negotiate", W4_SCHEME_NEGOTIATE },
    /* Challenges that name an API-key header (FINDINGS: "an API-key header
     * counts when a challenge names it"). */
    { "ApiKey", W4_SCHEME_APIKEY },
    { "Api-Key", W4_SCHEME_APIKEY },
    { "X-API-Key", W4_SCHEME_APIKEY },
  };

  g_return_val_if_fail (word != NULL || len == 0, W4_SCHEME_OTHER);
  if (len == 0)
    return W4_SCHEME_NONE;
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (w4_tok_span_ieq (word, len, table[i].word))
      return table[i].kind;
  return W4_SCHEME_OTHER;
}

/* ---- text --------------------------------------------------------------- */

char *
w4_auth_text (const char *s, gsize len, gsize max_chars, gboolean strip)
{
  GString *out = g_string_sized_new (MIN (len, max_chars * 2) + 1);
  gsize off = 0, chars = 0;

  /* Each turn consumes at least one byte; output is capped by max_chars. */
  while (off < len && chars < max_chars) {
    gunichar ch = g_utf8_get_char_validated (s + off, (gssize) (len - off));
    gsize step;

    if (ch == (gunichar) -1 || ch == (gunichar) -2) {
      g_string_append_unichar (out, 0xFFFD);
      off++;
      chars++;
      continue;
    }
    step = (gsize) (g_utf8_next_char (s + off) - (s + off));
    if (step == 0 || step > len - off)
      step = 1;
    off += step;
    if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0)) {
      if (!strip)
        g_string_append_c (out, '?');
      else if (ch == '\t' || ch == '\r' || ch == '\n')
        g_string_append_c (out, ' ');
      else
        continue;
    } else {
      g_string_append_unichar (out, ch);
    }
    chars++;
  }
  return g_string_free (out, FALSE);
}

/* ---- fingerprints and base64 --------------------------------------------- */

char *
w4_fingerprint (const void *bytes, gsize len)
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

static int
w4_b64_value (guchar c, gboolean url)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == (url ? '-' : '+'))
    return 62;
  if (c == (url ? '_' : '/'))
    return 63;
  return -1;
}

/* Decodes @n alphabet characters (no padding) of @in; @n % 4 != 1. */
static guint8 *
w4_b64_decode_body (const char *in, gsize n, gboolean url, gsize *out_len)
{
  guint8 *out = g_malloc (n / 4 * 3 + 3);
  gsize o = 0;
  guint32 acc = 0;
  guint bits = 0;

  for (gsize i = 0; i < n; i++) {
    int v = w4_b64_value ((guchar) in[i], url);
    if (v < 0) {
      g_free (out);
      return NULL;
    }
    acc = (acc << 6) | (guint32) v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (guint8) (acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

guint8 *
w4_base64_decode_strict (const char *in, gsize len, gsize *out_len)
{
  gsize pad = 0;

  g_return_val_if_fail (in != NULL || len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);
  /* RFC 4648 4: padding to a multiple of 4 is required here, unlike GLib's
   * decoder, which skips anything it does not know. */
  if (len % 4 != 0)
    return NULL;
  while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
    pad++;
  return w4_b64_decode_body (in, len - pad, FALSE, out_len);
}

guint8 *
w4_base64url_decode (const char *in, gsize len, gsize *out_len)
{
  g_return_val_if_fail (in != NULL || len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);
  /* RFC 7515 2: JWS leaves the padding off; accept it when present, but
   * only as far as it completes the last quantum. */
  if (len % 4 == 0) {
    gsize pad = 0;
    while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
      pad++;
    len -= pad;
  }
  if (len % 4 == 1)
    return NULL;
  return w4_b64_decode_body (in, len, TRUE, out_len);
}

/* ---- JWT ---------------------------------------------------------------- */

static gboolean
w4_jwt_time (json_t *obj, const char *key, gint64 *out)
{
  json_t *v = json_object_get (obj, key);
  double d;

  if (v == NULL || !json_is_number (v))
    return FALSE;
  d = json_number_value (v);
  /* RFC 7519 2 NumericDate may be fractional; a value outside +-1e15 s
   * (31 million years) is not a date but garbage, and would overflow. */
  if (!isfinite (d) || d > 1e15 || d < -1e15)
    return FALSE;
  /* Rounded down (no libm: floor by hand). */
  *out = (gint64) d;
  if ((double) *out > d)
    (*out)--;
  return TRUE;
}

static json_t *
w4_jwt_segment (const char *s, gsize len)
{
  gsize n = 0;
  g_autofree guint8 *raw = NULL;
  json_t *j;

  if (len == 0)
    return NULL;
  raw = w4_base64url_decode (s, len, &n);
  if (raw == NULL)
    return NULL;
  /* Integers as reals: a huge integer claim elsewhere in the payload must
   * not make jansson reject the whole token. */
  j = json_loadb ((const char *) raw, n, JSON_DECODE_INT_AS_REAL, NULL);
  if (j != NULL && !json_is_object (j)) {
    json_decref (j);
    return NULL;
  }
  return j;
}

gboolean
w4_jwt_decode (const char *token, gsize len, W4JwtClaims *claims)
{
  const char *d1, *d2;
  json_t *header, *payload, *sub;

  g_return_val_if_fail (claims != NULL, FALSE);
  memset (claims, 0, sizeof *claims);
  if (token == NULL || len == 0)
    return FALSE;
  d1 = memchr (token, '.', len);
  if (d1 == NULL)
    return FALSE;
  d2 = memchr (d1 + 1, '.', len - (gsize) (d1 + 1 - token));
  if (d2 == NULL)
    return FALSE;
  /* Exactly three segments: five would be a JWE, whose payload is
   * encrypted. The signature may be empty ("alg": "none"), but it must be
   * base64url. */
  if (memchr (d2 + 1, '.', len - (gsize) (d2 + 1 - token)) != NULL)
    return FALSE;
  {
    gsize slen = len - (gsize) (d2 + 1 - token), n = 0;
    g_autofree guint8 *sig = w4_base64url_decode (d2 + 1, slen, &n);
    if (sig == NULL)
      return FALSE;
  }
  header = w4_jwt_segment (token, (gsize) (d1 - token));
  if (header == NULL)
    return FALSE;
  json_decref (header);
  payload = w4_jwt_segment (d1 + 1, (gsize) (d2 - d1 - 1));
  if (payload == NULL)
    return FALSE;

  sub = json_object_get (payload, "sub");
  if (json_is_string (sub) && json_string_length (sub) > 0)
    claims->sub = w4_auth_text (json_string_value (sub), json_string_length (sub),
                                W4_AUTH_MAX_PRINCIPAL, FALSE);
  claims->has_exp = w4_jwt_time (payload, "exp", &claims->exp);
  claims->has_nbf = w4_jwt_time (payload, "nbf", &claims->nbf);
  claims->has_iat = w4_jwt_time (payload, "iat", &claims->iat);
  json_decref (payload);
  return TRUE;
}

/* ---- the auth-param lexer ------------------------------------------------- */

/* RFC 9110 11.2 token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+"
 * / "/" ) *"=" */
static gsize
w4_lx_token68 (W4Tok *lx)
{
  gsize start = lx->off;
  while (!w4_tok_eof (lx)) {
    guchar c = w4_tok_cur (lx);
    if (!(g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
          c == '/'))
      break;
    lx->off++;
  }
  if (lx->off == start)
    return 0;
  while (!w4_tok_eof (lx) && w4_tok_cur (lx) == '=')
    lx->off++;
  return lx->off - start;
}

typedef enum {
  W4_LX_PARAM,     /* an auth-param was read */
  W4_LX_NOT_PARAM, /* the element is not "token = ...": cursor unchanged */
  W4_LX_ERROR,     /* cannot be parsed */
} W4LxResult;

static void
w4_param_free (gpointer p)
{
  W4AuthParam *ap = p;
  if (ap == NULL)
    return;
  g_free (ap->name);
  g_free (ap->value);
  g_free (ap);
}

/* token BWS "=" BWS ( token / quoted-string ) at the cursor. Unquoted
 * values are read leniently up to OWS or ',' because servers send
 * `realm=a/b` and clients `uri=/x?y=1`. Appends to @params unless it holds
 * W4_AUTH_MAX_PARAMS already (the rest are read and dropped). */
static W4LxResult
w4_lx_param (W4Tok *lx, GPtrArray *params)
{
  gsize start = lx->off, name_len;
  const char *name;
  g_autoptr (GString) value = NULL;

  name = lx->p + lx->off;
  name_len = w4_tok_token (lx);
  if (name_len == 0)
    goto not_param;
  w4_tok_skip_ows (lx);
  if (w4_tok_cur (lx) != '=' || w4_tok_eof (lx))
    goto not_param;
  lx->off++;
  w4_tok_skip_ows (lx);
  value = g_string_new (NULL);
  if (w4_tok_cur (lx) == '"' && !w4_tok_eof (lx)) {
    if (!w4_tok_quoted (lx, value, W4_AUTH_MAX_VALUE))
      return W4_LX_ERROR;
  } else {
    while (!w4_tok_eof (lx)) {
      guchar c = w4_tok_cur (lx);
      if (c == ',' || w4_tok_is_ows (c) || c == '"' || w4_tok_is_ctl (c))
        break;
      if (value->len < W4_AUTH_MAX_VALUE)
        g_string_append_c (value, (char) c);
      lx->off++;
    }
  }
  if (params->len < W4_AUTH_MAX_PARAMS) {
    W4AuthParam *ap = g_new0 (W4AuthParam, 1);
    ap->name = g_ascii_strdown (name, (gssize) name_len);
    ap->value = w4_auth_text (value->str, value->len, W4_AUTH_MAX_VALUE, FALSE);
    g_ptr_array_add (params, ap);
  }
  return W4_LX_PARAM;

not_param:
  lx->off = start;
  return W4_LX_NOT_PARAM;
}

/* Does the text at the cursor start an auth-param ("name=value") rather than
 * a token68 ("abc==")? Looks ahead only. */
static gboolean
w4_lx_looks_like_param (const W4Tok *lx)
{
  W4Tok t = *lx;
  guchar c;

  if (w4_tok_token (&t) == 0)
    return FALSE;
  w4_tok_skip_ows (&t);
  if (w4_tok_eof (&t) || w4_tok_cur (&t) != '=')
    return FALSE;
  t.off++;
  w4_tok_skip_ows (&t);
  /* A token68 ends in '=' padding followed by ',' or the end; a parameter
   * has a value. */
  c = w4_tok_cur (&t);
  return !w4_tok_eof (&t) && c != ',' && c != '=';
}

/* ---- challenges ----------------------------------------------------------- */

void
w4_challenge_free (W4Challenge *c)
{
  if (c == NULL)
    return;
  g_free (c->scheme);
  g_free (c->token68);
  if (c->params != NULL)
    g_ptr_array_unref (c->params);
  g_free (c);
}

const char *
w4_challenge_param (const W4Challenge *c, const char *name)
{
  g_return_val_if_fail (c != NULL && name != NULL, NULL);
  if (c->params == NULL)
    return NULL;
  for (guint i = 0; i < c->params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index (c->params, i);
    if (g_ascii_strcasecmp (ap->name, name) == 0)
      return ap->value;
  }
  return NULL;
}

guint
w4_auth_parse_challenges (const char *value, gsize len, GPtrArray *out)
{
  W4Tok lx = w4_tok_init (value, len);
  W4Challenge *cur = NULL;
  guint added = 0;

  g_return_val_if_fail (value != NULL || len == 0, 0);
  g_return_val_if_fail (out != NULL, 0);

  w4_tok_list_sep (&lx); /* leading OWS and empty elements */
  /* Each turn consumes a token or stops: bounded by len and by the caps. */
  while (!w4_tok_eof (&lx)) {
    W4LxResult r;
    const char *scheme;
    gsize scheme_len;

    if (cur != NULL && cur->token68 == NULL) {
      r = w4_lx_param (&lx, cur->params);
      if (r == W4_LX_ERROR)
        break;
      if (r == W4_LX_PARAM) {
        if (!w4_tok_list_sep (&lx))
          break;
        continue;
      }
    }
    /* A new challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ] */
    if (added >= W4_AUTH_MAX_CHALLENGES)
      break;
    scheme = lx.p + lx.off;
    scheme_len = w4_tok_token (&lx);
    if (scheme_len == 0)
      break;
    cur = g_new0 (W4Challenge, 1);
    cur->kind = w4_scheme_from_word (scheme, scheme_len);
    cur->scheme = g_strndup (scheme, scheme_len);
    cur->params = g_ptr_array_new_with_free_func (w4_param_free);
    g_ptr_array_add (out, cur);
    added++;

    if (w4_tok_list_sep (&lx))
      continue; /* a bare scheme: "Negotiate, NTLM" */
    if (lx.off == (gsize) (scheme - lx.p) + scheme_len)
      break; /* the scheme runs into something that is not a space */
    if (w4_lx_looks_like_param (&lx)) {
      r = w4_lx_param (&lx, cur->params);
      if (r != W4_LX_PARAM || !w4_tok_list_sep (&lx))
        break;
    } else {
      const char *t = lx.p + lx.off;
      gsize tlen = w4_lx_token68 (&lx);
      if (tlen == 0)
        break;
      cur->token68 = g_strndup (t, tlen);
      if (!w4_tok_list_sep (&lx))
        break;
    }
  }
  return added;
}

/* ---- credentials ---------------------------------------------------------- */

void
w4_credential_free (W4Credential *c)
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
  g_free (c->jwt_sub);
  if (c->digest_params != NULL)
    g_ptr_array_unref (c->digest_params);
  g_free (c->ntlm_user);
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
  W4JwtClaims cl;

  if (!w4_jwt_decode (s, len, &cl))
    return;
  c->is_jwt = TRUE;
  c->jwt_sub = cl.sub;
  c->has_exp = cl.has_exp;
  c->jwt_exp = cl.exp;
  c->has_nbf = cl.has_nbf;
  c->jwt_nbf = cl.nbf;
  c->has_iat = cl.has_iat;
  c->jwt_iat = cl.iat;
  if (cl.sub != NULL) {
    g_free (c->principal);
    c->principal = g_strdup (cl.sub);
  }
}

static void
w4_cred_basic (W4Credential *c, const char *s, gsize len)
{
  gsize n = 0;
  g_autofree guint8 *raw = w4_base64_decode_strict (s, len, &n);
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

/* RFC 8187 ext-value "UTF-8''J%C3%A4s%C3%B8n" (RFC 7616 3.4.4 username*). */
static char *
w4_ext_value (const char *v)
{
  gsize len = strlen (v), i;
  const char *q1, *q2;
  g_autoptr (GString) raw = g_string_new (NULL);

  q1 = memchr (v, '\'', len);
  if (q1 == NULL)
    return NULL;
  q2 = memchr (q1 + 1, '\'', len - (gsize) (q1 + 1 - v));
  if (q2 == NULL || !w4_tok_span_ieq (v, (gsize) (q1 - v), "UTF-8"))
    return NULL;
  for (i = (gsize) (q2 + 1 - v); i < len; i++) {
    if (v[i] == '%') {
      int hi, lo;
      if (len - i < 3)
        return NULL;
      hi = g_ascii_xdigit_value (v[i + 1]);
      lo = g_ascii_xdigit_value (v[i + 2]);
      if (hi < 0 || lo < 0)
        return NULL;
      g_string_append_c (raw, (char) (hi << 4 | lo));
      i += 2;
    } else {
      g_string_append_c (raw, v[i]);
    }
  }
  return w4_auth_text (raw->str, raw->len, W4_AUTH_MAX_PRINCIPAL, FALSE);
}

static void
w4_cred_digest (W4Credential *c, const char *s, gsize len)
{
  W4Tok lx = w4_tok_init (s, len);
  const char *user = NULL, *user_ext = NULL;

  c->digest_params = g_ptr_array_new_with_free_func (w4_param_free);
  /* Each turn reads one auth-param or stops. */
  while (!w4_tok_eof (&lx)) {
    if (w4_lx_param (&lx, c->digest_params) != W4_LX_PARAM || !w4_tok_list_sep (&lx)) {
      w4_cred_malformed (c, "Digest parameters cannot be parsed");
      break;
    }
  }
  for (guint i = 0; i < c->digest_params->len; i++) {
    const W4AuthParam *ap = g_ptr_array_index (c->digest_params, i);
    if (user == NULL && strcmp (ap->name, "username") == 0)
      user = ap->value;
    else if (user_ext == NULL && strcmp (ap->name, "username*") == 0)
      user_ext = ap->value;
  }
  if (user != NULL && user[0] != '\0') {
    g_free (c->principal);
    c->principal = w4_auth_text (user, strlen (user), W4_AUTH_MAX_PRINCIPAL, FALSE);
  } else if (user_ext != NULL) {
    char *u = w4_ext_value (user_ext);
    if (u != NULL && u[0] != '\0') {
      g_free (c->principal);
      c->principal = u;
    } else {
      g_free (u);
    }
  }
}

/* NTLM and Negotiate carry one base64 token (RFC 4559 4.2). */
static void
w4_cred_ntlm (W4Credential *c, const char *s, gsize len)
{
  gsize n = 0, at = 0;
  guint type = 0;
  char *user = NULL;
  g_autofree guint8 *raw = w4_base64_decode_strict (s, len, &n);

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
    if (off < 0)
      return; /* Kerberos: its names are encrypted, the fingerprint stays */
    at = (gsize) off;
    c->negotiate_is_ntlm = TRUE;
  }
  if (!w4_ntlm_parse (raw + at, n - at, &type, &user)) {
    w4_cred_malformed (c, "NTLM token is not an NTLMSSP message");
    return;
  }
  c->ntlm_type = type;
  c->ntlm_user = user;
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
  c->fingerprint = w4_fingerprint (bytes, len);
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
  kind = w4_scheme_from_word (word, word_len);
  /* A scheme word is a token followed by space (RFC 9110 11.4), or a known
   * scheme word standing alone (credentials left empty). Anything else,
   * such as a JWT or "abc==", is a bare token. */
  if (word_len == 0 || (w4_tok_eof (&lx) && (kind == W4_SCHEME_OTHER || kind == W4_SCHEME_APIKEY)) ||
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
w4_is_apikey_header (const char *name, gsize len)
{
  if (name == NULL)
    return FALSE;
  return w4_tok_span_ieq (name, len, "X-API-Key") || w4_tok_span_ieq (name, len, "Api-Key") ||
         w4_tok_span_ieq (name, len, "X-Auth-Token");
}
