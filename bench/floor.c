/* floor.c: the benchmark's read floor, the cheapest program that still looks
 * at a whole capture.
 *
 *   floor FILE
 *
 * Opens FILE with libpcap exactly as a plain tool would (pcap_open_offline:
 * libpcap's own stdio buffer, one read per st_blksize) and reads every packet
 * with pcap_next_ex, folding every captured byte into a checksum, eight bytes
 * at a time, so that no page and no cache line of the file is skipped and the
 * compiler cannot drop the reads. It prints the packets, the captured bytes
 * and the checksum on stdout, and exits 1 when libpcap fails mid-file.
 *
 * bench/bench.sh divides every tool's wall time by this program's, run in
 * alternation with it on the same file: a ratio of 2.0 means "twice what
 * merely reading the capture costs on this machine, now". */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One add and one shift per 8-byte word, then the tail byte by byte: cheap
 * enough that the loop stays bound by reading, and it depends on every byte. */
static uint64_t
w4_floor_sum (const unsigned char *data, uint32_t len)
{
  uint64_t sum = 0, word;
  uint32_t i = 0;

  for (; i + 8 <= len; i += 8) {
    memcpy (&word, data + i, sizeof word);
    sum += word ^ (sum >> 7);
  }
  for (; i < len; i++)
    sum += data[i];
  return sum;
}

int
main (int argc, char **argv)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *hdr;
  const unsigned char *data;
  unsigned long long packets = 0, bytes = 0;
  uint64_t checksum = 0;
  pcap_t *pcap;
  int rc;

  if (argc != 2) {
    fprintf (stderr, "usage: floor FILE\n");
    return 2;
  }
  pcap = pcap_open_offline (argv[1], errbuf);
  if (pcap == NULL) {
    fprintf (stderr, "floor: %s\n", errbuf);
    return 2;
  }
  while ((rc = pcap_next_ex (pcap, &hdr, &data)) == 1) {
    packets++;
    bytes += hdr->caplen;
    checksum = checksum * 31 + w4_floor_sum (data, hdr->caplen);
  }
  if (rc == PCAP_ERROR) {
    fprintf (stderr, "floor: %s (after %llu packets)\n", pcap_geterr (pcap), packets);
    pcap_close (pcap);
    return 1;
  }
  pcap_close (pcap);
  printf ("packets %llu bytes %llu checksum %016llx\n", packets, bytes,
          (unsigned long long) checksum);
  return 0;
}
