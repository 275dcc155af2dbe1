/* spnego.h: what a Negotiate token says (RFC 4559): the SPNEGO message
 * (RFC 4178 NegTokenInit / NegTokenResp with its negState and mechanism)
 * and the Kerberos message inside (RFC 4120: an AP-REQ's service principal,
 * which is not encrypted; a KRB-ERROR's error code). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  W4_SPNEGO_NONE,          /* not a token this module reads */
  W4_SPNEGO_INIT,          /* NegTokenInit (the client's first token) */
  W4_SPNEGO_RESP,          /* NegTokenResp (every later token, both ways) */
  W4_SPNEGO_RAW_KRB5,      /* a Kerberos GSS-API token without SPNEGO around it */
  W4_SPNEGO_RAW_NTLM,      /* an NTLMSSP message without SPNEGO around it */
} W4SpnegoKind;

typedef enum {
  W4_MECH_UNKNOWN,
  W4_MECH_KRB5,            /* 1.2.840.113554.1.2.2, or Microsoft's 1.2.840.48018.1.2.2 */
  W4_MECH_NTLM,            /* 1.3.6.1.4.1.311.2.2.10 */
  W4_MECH_OTHER,           /* some other OID */
} W4SpnegoMech;

/* RFC 4178 4.2.2 negState; W4_NEG_STATE_NONE when the token has none. */
#define W4_NEG_STATE_NONE -1
#define W4_NEG_ACCEPT_COMPLETED 0
#define W4_NEG_ACCEPT_INCOMPLETE 1
#define W4_NEG_REJECT 2
#define W4_NEG_REQUEST_MIC 3

/* RFC 4120 message types of the inner Kerberos token. */
#define W4_KRB_AP_REQ 14
#define W4_KRB_AP_REP 15
#define W4_KRB_ERROR 30

typedef struct {
  W4SpnegoKind kind;
  gint neg_state;          /* NegTokenResp's negState, or W4_NEG_STATE_NONE */
  W4SpnegoMech mech;       /* the first of mechTypes (init), supportedMech (resp), the raw token's */
  gboolean inner_ntlm;     /* the inner token is NTLMSSP */
  guint krb_msg;           /* the inner Kerberos message type (W4_KRB_*), 0 when none */
  gint32 krb_error;        /* a KRB-ERROR's error-code, -1 when none */
  char *spn;               /* (owned) an AP-REQ ticket's "sname@realm", or NULL */
  gint32 ticket_kvno;      /* an AP-REQ ticket's key version (its enc-part kvno), -1 when none */
  gint mutual;             /* an AP-REQ's ap-options say mutual-required: 1, 0; -1 not read */
  gboolean has_stime;
  gint64 krb_stime;        /* a KRB-ERROR's stime (the server's clock), seconds since the epoch */
} W4Spnego;

/* Reads a Negotiate token (its bytes after base64) into @out; every read
 * is bounds-checked and what cannot be read is left unset. FALSE when it
 * is none of the W4SpnegoKind forms. Clear @out with w4_spnego_clear. */
gboolean w4_spnego_parse (const guint8 *token, gsize len, W4Spnego *out);
void w4_spnego_clear (W4Spnego *s);

/* "accept-completed", "accept-incomplete", "reject", "request-mic", or NULL. */
const char *w4_spnego_neg_state_name (gint neg_state);
/* "Kerberos", "NTLM", "another mechanism", "an unknown mechanism". */
const char *w4_spnego_mech_name (W4SpnegoMech mech);
/* RFC 4120 7.5.9: "KRB_AP_ERR_SKEW" for 37..., NULL when not known. */
const char *w4_krb_error_name (gint32 code);
/* What the error means for the fix ("the client's and the server's clocks
 * differ by more than the allowed skew: check NTP on both"), or NULL. */
const char *w4_krb_error_meaning (gint32 code);
/* What to do about it, one sentence ("Set up NTP on the client ..."), or NULL. */
const char *w4_krb_error_fix (gint32 code);

G_END_DECLS
