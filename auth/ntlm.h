/* ntlm.h: the few facts the correlator needs from an NTLM message (MS-NLMP). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* MS-NLMP: when @msg (@len bytes) starts with "NTLMSSP\0", sets *@type to
 * its MessageType and, for a type 3 message, *@user to "DOMAIN\user"
 * ("user" when the domain is empty; NULL when the user is empty or the
 * buffers lie outside the message). FALSE when it is not NTLMSSP. */
gboolean w4_ntlm_parse (const guint8 *msg, gsize len, guint *type, char **user);
/* A type 3 message's workstation name (WorkstationFields at offset 44),
 * in the names' encoding; NULL when empty, not type 3, or out of bounds. */
char *w4_ntlm_workstation (const guint8 *msg, gsize len);
/* Offset of the first "NTLMSSP\0" inside @buf (a SPNEGO blob), or -1. */
gssize w4_ntlm_find (const guint8 *buf, gsize len);

G_END_DECLS
