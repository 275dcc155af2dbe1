/* fuzz-pcapng.c: libFuzzer target for the project's own pcapng block
 * reader (pcapng.c: sections of either byte order, interfaces, timestamp
 * resolutions, Enhanced/Simple/obsolete Packet Blocks and Decryption
 * Secrets Blocks). The input is one pcapng file, read as capture.c reads
 * it: first the secrets before the first packet (w4_ng_scan_secrets),
 * then every block again from the start (w4_ng_next), secrets among the
 * packets included. Every byte the reader hands out is read, so
 * AddressSanitizer sees a packet or secret that points past its block.
 * Seeds: the pcapng files of pcaps/ and ../shared/corpus. Run e.g.:
 *   build-fuzz/tests/fuzz-pcapng -dict=tests/fuzz/pcapng.dict -max_len=65536 CORPUS */
#define _GNU_SOURCE

#include <stdio.h>

#include "fuzz.h"
#include "pcapng-private.h"

/* w4_ng_next and w4_ng_scan_secrets want at least this much for @errbuf. */
#define W4_FZ_NG_ERRBUF 256

static guint64 touched;

static void
touch (const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    touched += p[i];
}

static void
on_secrets (void *user, guint32 type, const guint8 *data, gsize len)
{
  (void) user;
  touched += type;
  touch (data, len);
}

/* A reader over @in (a FILE over the bytes: fmemopen), its secrets fed
 * to on_secrets; NULL when the FILE cannot be made. */
static W4Pcapng *
w4_fz_ng_open (const W4FuzzInput *in)
{
  FILE *f = fmemopen (in->bytes, in->len, "rb");
  W4Pcapng *ng;

  if (f == NULL)
    return NULL;
  ng = w4_ng_open (f, NULL); /* takes @f, also when it fails */
  if (ng != NULL)
    w4_ng_set_secrets (ng, on_secrets, NULL);
  return ng;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FuzzInput in = w4_fuzz_input (data, size);
  char errbuf[W4_FZ_NG_ERRBUF];
  W4Pcapng *ng;

  if (size == 0) {
    w4_fuzz_input_clear (&in);
    return 0;
  }
  ng = w4_fz_ng_open (&in);
  if (ng != NULL) {
    (void) w4_ng_scan_secrets (ng, errbuf, sizeof errbuf);
    w4_ng_free (ng);
  }
  ng = w4_fz_ng_open (&in);
  if (ng != NULL) {
    W4NgPacket pkt;

    /* Ends: every call consumes a block of at least 12 bytes or fails. */
    while (w4_ng_next (ng, &pkt, errbuf, sizeof errbuf) == 1) {
      touch (pkt.data, pkt.caplen);
      touched += (guint64) pkt.linktype + pkt.if_id;
    }
    w4_ng_free (ng);
  }
  w4_fuzz_input_clear (&in);
  return 0;
}
