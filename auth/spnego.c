/* spnego.c: a Negotiate token's SPNEGO message and the Kerberos message
 * inside it, read through W4Reader.
 *
 * DER (X.690) as SPNEGO and Kerberos use it: one-byte tags (the high-tag
 * form is refused), definite lengths of at most four bytes. The shapes
 * read (RFC 4178 4.2, RFC 2743 3.1, RFC 4120 5):
 *   [APPLICATION 0] { OID spnego, [0] NegTokenInit }      the client's first
 *   [1] NegTokenResp                                      every later token
 *   NegTokenInit ::= SEQUENCE { [0] mechTypes SEQUENCE OF OID, [1] reqFlags,
 *                               [2] mechToken OCTET STRING, [3] mechListMIC }
 *   NegTokenResp ::= SEQUENCE { [0] negState ENUMERATED, [1] supportedMech OID,
 *                               [2] responseToken OCTET STRING, [3] mechListMIC }
 *   inner token: [APPLICATION 0] { OID krb5, TOK_ID (2 bytes), message }, or NTLMSSP
 *   AP-REQ   [APPLICATION 14] SEQUENCE { [0] pvno, [1] msg-type, [2] ap-options BIT STRING,
 *              [3] ticket [APPLICATION 1] SEQUENCE { [0] tkt-vno, [1] realm,
 *              [2] sname PrincipalName, [3] enc-part EncryptedData { [0] etype, [1] kvno,
 *              [2] cipher } }, [4] authenticator }
 *   KRB-ERROR [APPLICATION 30] SEQUENCE { ..., [4] stime KerberosTime,
 *              [5] susec, [6] error-code INTEGER, ... }
 * Nothing is decrypted or verified; fields that cannot be read are left
 * unset, so a token cut by a header cap says less, never something wrong. */
#include "spnego.h"

#include <string.h>

#include "w4-reader.h"

#define W4_DER_MAX_LEN_BYTES 4
#define W4_SPN_MAX_PARTS 4       /* name-strings of a service principal kept */
#define W4_SPN_MAX_CHARS 256     /* bytes of each part and of the realm kept */

static const guint8 oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const guint8 oid_krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const guint8 oid_krb5_ms[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const guint8 oid_ntlm[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };

/* The next DER element of @r: its tag and a reader over its value. */
static gboolean
der_next (W4Reader *r, guint8 *tag, W4Reader *value)
{
  guint8 t, l;
  gsize len = 0;

  if (!w4_rd_u8 (r, &t) || (t & 0x1f) == 0x1f || !w4_rd_u8 (r, &l))
    return FALSE;
  if (l & 0x80) {
    guint n = l & 0x7f;

    if (n == 0 || n > W4_DER_MAX_LEN_BYTES)
      return FALSE;
    for (guint i = 0; i < n; i++) {
      guint8 b;
      if (!w4_rd_u8 (r, &b))
        return FALSE;
      len = len << 8 | b;
    }
  } else {
    len = l;
  }
  *tag = t;
  *value = w4_rd_sub (r, len);
  return value->status == W4_OK;
}

/* The value of the first element tagged @want in @r, reading @r on. */
static gboolean
der_find (W4Reader *r, guint8 want, W4Reader *value)
{
  guint8 tag;

  while (w4_rd_left (r) > 0 && der_next (r, &tag, value))
    if (tag == want)
      return TRUE;
  return FALSE;
}

/* The single element tagged @want that @r holds (an explicit tag's content). */
static gboolean
der_only (W4Reader *r, guint8 want, W4Reader *value)
{
  guint8 tag;

  return der_next (r, &tag, value) && tag == want;
}

static gboolean
der_int (W4Reader *r, gint32 *out)
{
  W4Reader v;
  guint8 b;
  gint64 n;

  if (!der_only (r, 0x02, &v)) /* INTEGER */
    return FALSE;
  if (w4_rd_left (&v) == 0 || w4_rd_left (&v) > 4 || !w4_rd_u8 (&v, &b))
    return FALSE;
  n = (gint8) b;
  while (w4_rd_u8 (&v, &b))
    n = n * 256 + b;
  *out = (gint32) n;
  return TRUE;
}

static gboolean
span_is (W4Span s, const guint8 *bytes, gsize len)
{
  return s.len == len && memcmp (s.ptr, bytes, len) == 0;
}

static W4SpnegoMech
mech_of (W4Reader *oid)
{
  W4Span s = w4_rd_rest (oid);

  if (span_is (s, oid_krb5, sizeof oid_krb5) || span_is (s, oid_krb5_ms, sizeof oid_krb5_ms))
    return W4_MECH_KRB5;
  if (span_is (s, oid_ntlm, sizeof oid_ntlm))
    return W4_MECH_NTLM;
  return s.len > 0 ? W4_MECH_OTHER : W4_MECH_UNKNOWN;
}

/* A GeneralString / KerberosString, bounded, printable ASCII only. */
static void
append_string (GString *out, W4Reader *v)
{
  W4Span s = w4_rd_rest (v);

  for (gsize i = 0; i < s.len && i < W4_SPN_MAX_CHARS; i++)
    g_string_append_c (out, s.ptr[i] >= 0x20 && s.ptr[i] < 0x7f ? (char) s.ptr[i] : '?');
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { [0] tkt-vno, [1] realm,
 * [2] sname PrincipalName { [0] name-type, [1] SEQUENCE OF name-string },
 * [3] enc-part EncryptedData { [0] etype, [1] kvno OPTIONAL, [2] cipher } }:
 * the service principal into out->spn, the key version into
 * out->ticket_kvno (both in the clear; the rest is encrypted). */
static void
read_ticket (W4Reader *ticket, W4Spnego *out)
{
  W4Reader seq, f, realm, sname, names, part, enc;
  g_autoptr (GString) spn = g_string_new (NULL);
  guint8 tag;
  guint n = 0;

  if (!der_only (ticket, 0x61, &seq) || !der_only (&seq, 0x30, &seq))
    return;
  if (!der_find (&seq, 0xa1, &f) || !der_only (&f, 0x1b, &realm) ||
      !der_find (&seq, 0xa2, &f) || !der_only (&f, 0x30, &sname) ||
      !der_find (&sname, 0xa1, &f) || !der_only (&f, 0x30, &names))
    return;
  while (n < W4_SPN_MAX_PARTS && w4_rd_left (&names) > 0 && der_next (&names, &tag, &part)) {
    if (tag != 0x1b)
      return;
    if (n++ > 0)
      g_string_append_c (spn, '/');
    append_string (spn, &part);
  }
  if (n == 0)
    return;
  g_string_append_c (spn, '@');
  append_string (spn, &realm);
  out->spn = g_string_free (g_steal_pointer (&spn), FALSE);
  if (der_find (&seq, 0xa3, &f) && der_only (&f, 0x30, &enc) && der_find (&enc, 0xa1, &f))
    der_int (&f, &out->ticket_kvno);
}

/* APOptions ::= BIT STRING: a count of unused bits, then the bits;
 * mutual-required is bit 2 of the first byte (RFC 4120 5.5.1). */
static void
read_ap_options (W4Reader *f, W4Spnego *out)
{
  W4Reader v;
  guint8 unused, bits;

  if (der_only (f, 0x03, &v) && w4_rd_u8 (&v, &unused) && w4_rd_u8 (&v, &bits))
    out->mutual = (bits & 0x20) != 0;
}

/* KerberosTime ::= GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3), in UTC. */
static gboolean
read_krb_time (W4Reader *f, gint64 *out)
{
  W4Reader v;
  W4Span s;
  int part[6];
  static const guint8 width[6] = { 4, 2, 2, 2, 2, 2 };
  gsize at = 0;
  g_autoptr (GDateTime) t = NULL;

  if (!der_only (f, 0x18, &v))
    return FALSE;
  s = w4_rd_rest (&v);
  if (s.len != 15 || s.ptr[14] != 'Z')
    return FALSE;
  for (guint i = 0; i < 6; i++) {
    part[i] = 0;
    for (guint k = 0; k < width[i]; k++, at++) {
      if (!g_ascii_isdigit (s.ptr[at]))
        return FALSE;
      part[i] = part[i] * 10 + (s.ptr[at] - '0');
    }
  }
  t = g_date_time_new_utc (part[0], part[1], part[2], part[3], part[4], part[5]);
  if (t == NULL)
    return FALSE;
  *out = g_date_time_to_unix (t);
  return TRUE;
}

/* A Kerberos message: AP-REQ (its options, its ticket's service principal
 * and key version), AP-REP, or KRB-ERROR (the server's time, its
 * error-code). */
static void
read_krb_message (W4Reader *r, W4Spnego *out)
{
  W4Reader msg, seq, f, at;
  guint8 tag;

  if (!der_next (r, &tag, &msg) || !der_only (&msg, 0x30, &seq))
    return;
  /* each field is looked for from the start (@at), so one that is
   * missing or cut does not hide those after it */
  switch (tag) {
  case 0x6e: /* [APPLICATION 14] AP-REQ */
    out->krb_msg = W4_KRB_AP_REQ;
    if (at = seq, der_find (&at, 0xa2, &f))
      read_ap_options (&f, out);
    if (at = seq, der_find (&at, 0xa3, &f))
      read_ticket (&f, out);
    break;
  case 0x6f: /* [APPLICATION 15] AP-REP */
    out->krb_msg = W4_KRB_AP_REP;
    break;
  case 0x7e: /* [APPLICATION 30] KRB-ERROR */
    out->krb_msg = W4_KRB_ERROR;
    if (at = seq, der_find (&at, 0xa4, &f))
      out->has_stime = read_krb_time (&f, &out->krb_stime);
    if (at = seq, der_find (&at, 0xa6, &f))
      der_int (&f, &out->krb_error);
    break;
  default:
    break;
  }
}

/* The GSS-API token of a mechanism: [APPLICATION 0] { OID, mechanism bytes }.
 * For Kerberos the bytes are a two-byte TOK_ID and a Kerberos message. */
static gboolean
read_gss_token (W4Reader *r, W4SpnegoMech *mech, W4Reader *rest)
{
  W4Reader app, oid;

  if (!der_only (r, 0x60, &app) || !der_only (&app, 0x06, &oid))
    return FALSE;
  *mech = mech_of (&oid);
  *rest = app;
  return TRUE;
}

/* mechToken / responseToken: NTLMSSP, or a Kerberos GSS-API token. */
static void
read_inner (W4Reader *octets, W4Spnego *out)
{
  W4Span s = w4_rd_rest (octets);
  W4Reader r, rest;
  W4SpnegoMech mech;

  if (s.len >= 8 && memcmp (s.ptr, "NTLMSSP", 8) == 0) {
    out->inner_ntlm = TRUE;
    return;
  }
  w4_rd_init (&r, s.ptr, s.len);
  if (s.len > 0 && s.ptr[0] == 0x60) {
    if (read_gss_token (&r, &mech, &rest) && mech == W4_MECH_KRB5 && w4_rd_skip (&rest, 2))
      read_krb_message (&rest, out);
  } else {
    /* some servers send the bare KRB-ERROR or AP-REP */
    read_krb_message (&r, out);
  }
}

/* NegTokenInit ::= SEQUENCE { [0] mechTypes, [1] reqFlags, [2] mechToken, ... } */
static void
read_init (W4Reader *r, W4Spnego *out)
{
  W4Reader seq, f, list, oid, octets;
  guint8 tag;

  out->kind = W4_SPNEGO_INIT;
  if (!der_only (r, 0x30, &seq))
    return;
  while (w4_rd_left (&seq) > 0 && der_next (&seq, &tag, &f)) {
    if (tag == 0xa0 && der_only (&f, 0x30, &list) && der_only (&list, 0x06, &oid))
      out->mech = mech_of (&oid);
    else if (tag == 0xa2 && der_only (&f, 0x04, &octets))
      read_inner (&octets, out);
  }
}

/* NegTokenResp ::= SEQUENCE { [0] negState, [1] supportedMech, [2] responseToken, ... } */
static void
read_resp (W4Reader *r, W4Spnego *out)
{
  W4Reader seq, f, v;
  guint8 tag, state;

  out->kind = W4_SPNEGO_RESP;
  if (!der_only (r, 0x30, &seq))
    return;
  while (w4_rd_left (&seq) > 0 && der_next (&seq, &tag, &f)) {
    if (tag == 0xa0 && der_only (&f, 0x0a, &v) && w4_rd_left (&v) == 1 && w4_rd_u8 (&v, &state))
      out->neg_state = state;
    else if (tag == 0xa1 && der_only (&f, 0x06, &v))
      out->mech = mech_of (&v);
    else if (tag == 0xa2 && der_only (&f, 0x04, &v))
      read_inner (&v, out);
  }
}

gboolean
w4_spnego_parse (const guint8 *token, gsize len, W4Spnego *out)
{
  W4Reader r, body, rest, oid;
  guint8 tag;
  W4SpnegoMech mech;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  out->neg_state = W4_NEG_STATE_NONE;
  out->krb_error = -1;
  out->ticket_kvno = -1;
  out->mutual = -1;
  if (token == NULL || len == 0)
    return FALSE;
  if (len >= 8 && memcmp (token, "NTLMSSP", 8) == 0) {
    out->kind = W4_SPNEGO_RAW_NTLM;
    out->mech = W4_MECH_NTLM;
    out->inner_ntlm = TRUE;
    return TRUE;
  }
  w4_rd_init (&r, token, len);
  switch (token[0]) {
  case 0x60: /* [APPLICATION 0]: SPNEGO's NegTokenInit or a raw mechanism token */
    if (!der_only (&r, 0x60, &body) || !der_only (&body, 0x06, &oid))
      return FALSE;
    if (span_is (w4_rd_rest (&oid), oid_spnego, sizeof oid_spnego)) {
      if (der_only (&body, 0xa0, &rest))
        read_init (&rest, out);
      else
        out->kind = W4_SPNEGO_INIT;
      return TRUE;
    }
    w4_rd_init (&r, token, len);
    if (!read_gss_token (&r, &mech, &rest) || mech != W4_MECH_KRB5)
      return FALSE;
    out->kind = W4_SPNEGO_RAW_KRB5;
    out->mech = W4_MECH_KRB5;
    if (w4_rd_skip (&rest, 2))
      read_krb_message (&rest, out);
    return TRUE;
  case 0xa0: /* NegTokenInit without the GSS-API framing */
    if (!der_next (&r, &tag, &body))
      return FALSE;
    read_init (&body, out);
    return TRUE;
  case 0xa1:
    if (!der_next (&r, &tag, &body))
      return FALSE;
    read_resp (&body, out);
    return TRUE;
  default:
    return FALSE;
  }
}

void
w4_spnego_clear (W4Spnego *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->spn, g_free);
}

const char *
w4_spnego_neg_state_name (gint neg_state)
{
  switch (neg_state) {
  case W4_NEG_ACCEPT_COMPLETED: return "accept-completed";
  case W4_NEG_ACCEPT_INCOMPLETE: return "accept-incomplete";
  case W4_NEG_REJECT: return "reject";
  case W4_NEG_REQUEST_MIC: return "request-mic";
  default: return NULL;
  }
}

const char *
w4_spnego_mech_name (W4SpnegoMech mech)
{
  switch (mech) {
  case W4_MECH_KRB5: return "Kerberos";
  case W4_MECH_NTLM: return "NTLM";
  case W4_MECH_OTHER: return "another mechanism";
  default: return "an unknown mechanism";
  }
}

/* RFC 4120 7.5.9, the errors a server's AP exchange gives and a few of the
 * KDC's that clients relay. A meaning follows "carries the Kerberos error
 * NAME (code): " in a summary; a fix is the finding's fix. */
static const struct {
  gint32 code;
  const char *name;
  const char *meaning;
  const char *fix;
} krb_errors[] = {
  { 6, "KDC_ERR_C_PRINCIPAL_UNKNOWN", "the KDC does not know the client's principal",
    "Check the user name and realm the client logs in with." },
  { 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "the KDC does not know the service principal",
    "Register the SPN (HTTP/host) for the service account, and call the server by that host "
    "name." },
  { 24, "KDC_ERR_PREAUTH_FAILED", "pre-authentication failed: a wrong password",
    "Check the user's password." },
  { 31, "KRB_AP_ERR_BAD_INTEGRITY", "the server's keytab has a key of the ticket's key version "
    "for the service principal, but not the one the KDC encrypted the ticket with (a keytab made "
    "from another password, or a re-key that kept the key version): the keytab is out of date",
    "Export the service principal's keytab again from the KDC (kadmin ktadd -norandkey, or ktpass "
    "for Active Directory) and install it on the server." },
  { 32, "KRB_AP_ERR_TKT_EXPIRED", "the service ticket had expired",
    "The client must get a new ticket: purge its ticket cache (kdestroy, klist purge) and kinit "
    "again." },
  { 33, "KRB_AP_ERR_TKT_NYV", "the ticket is not valid yet: the clocks of the KDC, client and "
    "server differ", "Synchronise the clocks of the KDC, the client and the server (NTP)." },
  { 34, "KRB_AP_ERR_REPEAT", "the server saw this authenticator before (a replay, or a client "
    "that resent it)", "Retry with a new authenticator; check the server's replay cache." },
  { 35, "KRB_AP_ERR_NOT_US", "the ticket is for a service principal the server's keytab does "
    "not hold: the client asks the KDC for HTTP/ and the host name it takes from the URL (after "
    "any canonicalisation)",
    "Call the server by the host name of an SPN in its keytab, or add this SPN's key to the "
    "keytab (and register it for the service account)." },
  { 36, "KRB_AP_ERR_BADMATCH", "the ticket and the authenticator do not belong together",
    "Purge the client's ticket cache and retry." },
  { 37, "KRB_AP_ERR_SKEW", "the clocks of the client and the server differ by more than the "
    "allowed skew (5 minutes by default)",
    "Synchronise the clocks: check NTP on the client and the server." },
  { 41, "KRB_AP_ERR_MODIFIED", "the server could not decrypt the ticket: its keytab does not "
    "hold the service account's current key (keytab out of date, or the SPN is registered to "
    "another account)", "Export the service account's keytab again and install it on the "
    "server; check that the SPN is registered to that account only." },
  { 44, "KRB_AP_ERR_BADKEYVER", "the ticket is encrypted with a key version the server's keytab "
    "lacks: the service principal was re-keyed (its password changed) after the keytab was "
    "exported, so the keytab is out of date",
    "Export the service principal's keytab again (its current key version) and install it on "
    "the server." },
  { 45, "KRB_AP_ERR_NOKEY", "the server has no key for the ticket's service principal",
    "Add that SPN's key to the server's keytab, or fix the SPN the client asks for." },
  { 60, "KRB_ERR_GENERIC", "a generic Kerberos error", "Read the server's log: it says more." },
};

const char *
w4_krb_error_name (gint32 code)
{
  for (guint i = 0; i < G_N_ELEMENTS (krb_errors); i++)
    if (krb_errors[i].code == code)
      return krb_errors[i].name;
  return NULL;
}

const char *
w4_krb_error_meaning (gint32 code)
{
  for (guint i = 0; i < G_N_ELEMENTS (krb_errors); i++)
    if (krb_errors[i].code == code)
      return krb_errors[i].meaning;
  return NULL;
}

const char *
w4_krb_error_fix (gint32 code)
{
  for (guint i = 0; i < G_N_ELEMENTS (krb_errors); i++)
    if (krb_errors[i].code == code)
      return krb_errors[i].fix;
  return NULL;
}
