/* decode-private.h: link layers, tunnels and IP down to the transport
 * header (capture/ only; tests use it directly). */
#pragma once

#include "capture.h"
#include "ipfrag-private.h"

G_BEGIN_DECLS

/* Link types as libpcap's pcap_datalink() and our pcapng reader give them
 * (DLT_ and LINKTYPE_ values; both spellings of raw IP are accepted). */
#define W4_DLT_NULL 0
#define W4_DLT_EN10MB 1
#define W4_DLT_PPP 9
#define W4_DLT_RAW 12
#define W4_DLT_RAW_OPENBSD 14
#define W4_DLT_PPP_HDLC 50
#define W4_DLT_LINKTYPE_RAW 101
#define W4_DLT_C_HDLC 104
#define W4_DLT_IEEE802_11 105
#define W4_DLT_LOOP 108
#define W4_DLT_LINUX_SLL 113
#define W4_DLT_RADIOTAP 127
#define W4_DLT_IPV4 228
#define W4_DLT_IPV6 229
#define W4_DLT_NFLOG 239
#define W4_DLT_LINUX_SLL2 276

typedef struct {
  const W4Limits *limits;     /* borrowed, run lifetime */
  const W4CaptureSink *sink;  /* borrowed, run lifetime */
  W4FragTable *frags;         /* owned */
  /* Per frame: */
  const W4FrameInfo *fi;
  gsize missing;              /* bytes on the wire past the captured end (snaplen) */
  guint depth;                /* encapsulations entered so far in this frame */
  gboolean depth_reported;
  /* Set by capture.c around a frame that -f rejected: its datagrams are
   * delivered numbered_only (Wireshark numbers tcp.stream over the whole
   * file), with no reassembly and no anomalies. */
  gboolean numbering_only;
} W4Decoder;

void w4_dec_init (W4Decoder *d, const W4Limits *limits, const W4CaptureSink *sink);
void w4_dec_clear (W4Decoder *d);

/* TRUE when w4_dec_frame can read link type @dlt. */
gboolean w4_dec_linktype_supported (int dlt);

/* Decodes one frame (on_frame is the caller's job) and calls sink->on_ip
 * for each datagram found; @data has packet lifetime. */
void w4_dec_frame (W4Decoder *d, int dlt, const W4FrameInfo *fi, const guint8 *data,
                   gsize caplen);

G_END_DECLS
