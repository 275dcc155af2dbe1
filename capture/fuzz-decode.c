/* fuzz-decode.c: libFuzzer target for one link-layer frame through
 * decode.c (link layers, VLAN/MPLS/PPPoE, tunnels: GRE, ERSPAN, VXLAN,
 * IP-in-IP; ICMP errors; IPv4 and IPv6 with their fragments). The first
 * byte picks the link type (bits 0-3: one of the 16 decode.c knows) and
 * whether the frame was cut by the snap length (bit 4: the wire had 100
 * bytes more); the rest is the frame, in a copy of its exact size. Every
 * transport part handed out is read, and must lie inside the frame or be a
 * reassembled datagram, and never claim less than it holds. Seeds: frames
 * of pcaps/ (tests/fuzz-seeds.py). Run e.g.:
 *   build-fuzz/tests/fuzz-decode -max_len=2048 CORPUS */
#include "fuzz.h"

#include "decode-private.h"

/* The bytes beyond the captured end that bit 4 of the first byte claims. */
#define W4_FZ_DECODE_SNAPPED 100

static const int link_types[16] = {
  W4_DLT_NULL, W4_DLT_EN10MB, W4_DLT_PPP, W4_DLT_RAW, W4_DLT_RAW_OPENBSD, W4_DLT_PPP_HDLC,
  W4_DLT_LINKTYPE_RAW, W4_DLT_C_HDLC, W4_DLT_IEEE802_11, W4_DLT_LOOP, W4_DLT_LINUX_SLL,
  W4_DLT_RADIOTAP, W4_DLT_IPV4, W4_DLT_IPV6, W4_DLT_NFLOG, W4_DLT_LINUX_SLL2,
};

typedef struct {
  const guint8 *lo, *hi; /* the frame */
  guint64 touched;
} W4FzFrame;

static void
on_ip (void *user, const W4IpPacket *pkt)
{
  W4FzFrame *fr = user;

  g_assert (pkt->l4_len <= pkt->l4_claimed);
  g_assert (pkt->frags != NULL || pkt->l4_len == 0 ||
            (pkt->l4 >= fr->lo && pkt->l4 + pkt->l4_len <= fr->hi));
  for (gsize i = 0; i < pkt->l4_len; i++)
    fr->touched += pkt->l4[i];
}

static void
on_anomaly (void *user, const W4Anomaly *a)
{
  (void) user;
  (void) a;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  W4FzFrame fr = { 0 };
  W4CaptureSink sink = { NULL, on_ip, on_anomaly, NULL, NULL, &fr };
  W4Limits limits;
  W4Decoder d;
  guint8 *frame; /* exactly sized: a read before or after it is caught */
  gsize caplen;
  W4FrameInfo fi = { 1, { 1700000000, 0 }, 0, 0, 0, 1 };

  if (size == 0)
    return 0;
  caplen = size - 1;
  frame = caplen > 0 ? g_memdup2 (data + 1, caplen) : NULL;
  fr.lo = frame;
  fr.hi = frame != NULL ? frame + caplen : NULL; /* NULL + 0 is undefined */
  fi.caplen = (guint32) caplen;
  fi.wirelen = (guint32) caplen + ((data[0] & 0x10) ? W4_FZ_DECODE_SNAPPED : 0);
  w4_limits_init (&limits);
  w4_dec_init (&d, &limits, &sink);
  w4_dec_frame (&d, link_types[data[0] & 0x0f], &fi, frame, caplen);
  w4_dec_clear (&d);
  g_free (frame);
  return 0;
}
