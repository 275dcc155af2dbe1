/* pcapng-private.h: a small, bounded pcapng reader for the files libpcap
 * 1.10 refuses (interfaces with different link types or snap lengths,
 * sections with different byte orders). capture/ only. */
#pragma once

#include <stdio.h>

#include "w4-types.h"

G_BEGIN_DECLS

typedef struct W4Pcapng W4Pcapng;

/* W4NgPacket.linktype when the packet's interface has none: no Interface
 * Description Block for it, or one past the W4_NG_MAX_INTERFACES kept per
 * section. */
#define W4_NG_IF_UNDESCRIBED (-1)
#define W4_NG_IF_OVER_CAP (-2)
#define W4_NG_MAX_INTERFACES 4096

typedef struct {
  int linktype;      /* LINKTYPE_ value of the packet's interface; W4_NG_IF_UNDESCRIBED or
                      * W4_NG_IF_OVER_CAP when there is none to give */
  guint32 if_id;     /* interface index within its section */
  guint32 if_serial; /* interface number over the whole file (for warnings) */
  W4Time ts;
  guint32 caplen, wirelen;
  const guint8 *data; /* valid until the next w4_ng_next call */
} W4NgPacket;

/* Takes @f (transfer full: closed by w4_ng_free). Reads the first Section
 * Header Block; NULL with @error when @f is not pcapng. */
W4Pcapng *w4_ng_open (FILE *f, GError **error);
void w4_ng_free (W4Pcapng *ng);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Pcapng, w4_ng_free)

/* Receives the payload of each Decryption Secrets Block: @type is its
 * secrets type (0x544c534b "TLSK": NSS key log text), @data (valid during
 * the call) its @len bytes, without the padding. */
typedef void (*W4NgSecretsFunc) (void *user, guint32 type, const guint8 *data, gsize len);
void w4_ng_set_secrets (W4Pcapng *ng, W4NgSecretsFunc fn, void *user);

/* For a file libpcap reads (it skips these blocks): reads the blocks
 * before the first packet block, where `editcap --inject-secrets` and
 * Wireshark's export write them, giving each Decryption Secrets Block to
 * the callback. 1: stopped at the first packet block; 0: the file ended;
 * -1: damaged (@errbuf says why). */
int w4_ng_scan_secrets (W4Pcapng *ng, char *errbuf, gsize errlen);

/* 1: a packet in @out; 0: end of file; -1: damaged or cut short, with
 * @errbuf (at least 256 bytes) saying why ("truncated..." when cut short). */
int w4_ng_next (W4Pcapng *ng, W4NgPacket *out, char *errbuf, gsize errlen);

G_END_DECLS
