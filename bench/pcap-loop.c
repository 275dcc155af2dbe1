/* pcap-loop.c: the benchmark's baseline, a bare libpcap read loop.
 *
 * Reads every packet of a file and touches its bytes (a running sum, so the
 * compiler cannot drop the reads), as the cheapest possible program that
 * still looks at the whole capture. why401's target is at most twice its
 * time on the same file. */
#include <pcap/pcap.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *h;
  const unsigned char *data;
  unsigned long long packets = 0, bytes = 0, sum = 0;
  pcap_t *p;
  int rc;

  if (argc != 2) {
    fprintf (stderr, "usage: pcap-loop FILE\n");
    return 2;
  }
  p = pcap_open_offline_with_tstamp_precision (argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == NULL) {
    fprintf (stderr, "pcap-loop: %s\n", errbuf);
    return 2;
  }
  while ((rc = pcap_next_ex (p, &h, &data)) == 1) {
    packets++;
    bytes += h->caplen;
    for (unsigned i = 0; i < h->caplen; i += 64)
      sum += data[i];
  }
  pcap_close (p);
  printf ("%llu packets, %llu bytes (%llu)\n", packets, bytes, sum);
  return 0;
}
