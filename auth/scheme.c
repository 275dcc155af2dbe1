/* scheme.c: authentication scheme words (RFC 9110 11.1: case-insensitive
 * tokens) and the names the report shows for them. */
#include "scheme.h"

#include "w4-token.h"

const char *
w4_auth_scheme_name (W4Scheme s)
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
w4_auth_scheme_from_word (const char *word, gsize len)
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

