/* w4-capdump: prints one line per IP datagram the capture stage delivers,
 *   frame <TAB> src <TAB> dst <TAB> proto <TAB> sport <TAB> dport <TAB> l4_payload_len
 * (ports from the first 4 bytes of TCP/UDP; payload length from the IP
 * length, as tshark's tcp.len; ICMP-quoted headers print "q" after the
 * protocol number). Anomalies go to stderr. A developer tool for
 * check-corpus.sh; not installed. */
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "w4-reader.h"

static void
dump_ip (void *user, const W4IpPacket *pkt)
{
  char s[64], d[64];
  W4Reader r;
  guint16 sport = 0, dport = 0;
  gsize payload = pkt->l4_claimed;

  w4_rd_init (&r, pkt->l4, pkt->l4_len);
  if (pkt->proto == 6 || pkt->proto == 17) {
    w4_rd_u16 (&r, &sport);
    w4_rd_u16 (&r, &dport);
  }
  if (pkt->proto == 6) {
    guint8 doff = 0;
    gsize hlen;

    /* As tshark: no tcp.len when the header's length field is not there
     * or its length is more than the segment. */
    if (!w4_rd_skip (&r, 8) || !w4_rd_u8 (&r, &doff) ||
        (hlen = (gsize) (doff >> 4) * 4) > pkt->l4_claimed) {
      printf ("%" G_GUINT64_FORMAT "\t%s\t%s\t%u%s\t%u\t%u\t\n", pkt->fi->frame,
              w4_addr_format (&pkt->src, s, sizeof s), w4_addr_format (&pkt->dst, d, sizeof d),
              pkt->proto, pkt->icmp_quoted ? "q" : "", sport, dport);
      return;
    }
    payload -= hlen;
  } else if (pkt->proto == 17) {
    payload = payload >= 8 ? payload - 8 : 0;
  }
  printf ("%" G_GUINT64_FORMAT "\t%s\t%s\t%u%s\t%u\t%u\t%" G_GSIZE_FORMAT "\n", pkt->fi->frame,
          w4_addr_format (&pkt->src, s, sizeof s), w4_addr_format (&pkt->dst, d, sizeof d),
          pkt->proto, pkt->icmp_quoted ? "q" : "", sport, dport, payload);
}

static void
dump_anomaly (void *user, const W4Anomaly *a)
{
  if (a->kind == W4_ANOM_UNDECODED && g_getenv ("W4_CAPDUMP_QUIET") != NULL)
    return;
  fprintf (stderr, "anomaly kind=%d frame=%" G_GUINT64_FORMAT " limit=%s: %s\n", a->kind, a->frame,
           a->limit < W4_LIMIT_COUNT ? w4_limit_name (a->limit) : "-",
           a->message != NULL ? a->message : "");
}

int
main (int argc, char **argv)
{
  W4Limits limits;
  W4CaptureSink sink = { NULL, dump_ip, dump_anomaly, NULL, NULL, NULL };
  g_autoptr (W4Capture) cap = NULL;
  int status = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: w4-capdump FILE...\n");
    return 2;
  }
  w4_limits_init (&limits);
  cap = w4_cap_new (&limits, &sink);
  for (int i = 1; i < argc; i++) {
    g_autoptr (GError) error = NULL;

    if (!w4_cap_add_file (cap, argv[i], &error)) {
      fprintf (stderr, "w4-capdump: %s\n", error->message);
      status = 1;
    }
  }
  w4_cap_run (cap);
  fprintf (stderr, "frames=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT "\n",
           w4_cap_packets (cap), w4_cap_bytes (cap));
  return status;
}
