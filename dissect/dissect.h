/* dissect.h: from IP datagrams to HTTP messages.
 *
 * TCP reassembly per direction (out of order, overlaps, gaps, port reuse,
 * mid-stream starts), connection numbering equal to Wireshark's tcp.stream,
 * and above it a protocol per direction chosen by its first bytes (app.c):
 * HTTP/1.x through llhttp on any port, TLS (its ClientHello), HTTP/2 (h2.c:
 * frames and HPACK, prior knowledge or after an h2c upgrade). Emits W4Sink
 * events (see common/w4-events.h for their order). TLS decryption (tls.c)
 * feeds plaintext into the same protocols, as TCP reassembly does. */
#pragma once

#include "w4-events.h"

G_BEGIN_DECLS

typedef struct W4Dissect W4Dissect;

/* Returns (transfer full). @limits and @sink are copied. */
W4Dissect *w4_dis_new (const W4Limits *limits, const W4Sink *sink);
void w4_dis_free (W4Dissect *dis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Dissect, w4_dis_free)

/* Every frame, before its datagrams: sets capture time to @fi->ts (idle
 * flows expire by capture time, never wall-clock). The caller's clock: it
 * may step back; the pipeline passes one that resists outliers. */
void w4_dis_frame (W4Dissect *dis, const W4FrameInfo *fi);

/* One IP datagram's transport part (TCP is dissected; other protocols are
 * ignored). */
void w4_dis_ip (W4Dissect *dis, const W4IpPacket *pkt);

/* End of input: flushes every connection (bodies cut short are delivered
 * incomplete) and closes them with W4_CLOSE_END_OF_INPUT. */
void w4_dis_finish (W4Dissect *dis);

/* The key store TLS sessions are decrypted with ((transfer none): it must
 * outlive @dis; NULL: none, TLS is not decrypted). */
typedef struct W4Keylog W4Keylog;
void w4_dis_set_keylog (W4Dissect *dis, W4Keylog *keylog);

/* Number of TCP connections numbered so far (tcp.stream max + 1). */
guint64 w4_dis_connections (W4Dissect *dis);

G_END_DECLS
