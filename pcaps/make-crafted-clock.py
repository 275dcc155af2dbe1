#!/usr/bin/python3
"""Make clock-outlier-udp.pcap: nginx-basic-challenge-then-ok.pcap (a real
capture) with one unrelated UDP packet, dated a year ahead, inserted right
after the 401 (so it becomes frame 7).

    /usr/bin/python3 pcaps/make-crafted-clock.py [OUTDIR]

Needs Debian's python3-scapy. Deterministic: rerunning writes the same bytes
(the inserted packet's time is the 401's plus 365 days). The capture time
for decisions must not jump to it: the 401 stays a `challenge` note (its
retry comes 0.25 ms later), and the packet is a warning naming frame 7.
"""

import os
import sys

from scapy.all import Ether, IP, UDP, Raw, PcapReader, PcapWriter  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
SOURCE = os.path.join(HERE, "nginx-basic-challenge-then-ok.pcap")
AFTER_FRAME = 6            # the 401
YEAR = 365 * 24 * 3600


def main():
    path = os.path.join(OUT, "clock-outlier-udp.pcap")
    reader = PcapReader(SOURCE)
    w = PcapWriter(path, linktype=reader.linktype, sync=True)
    for n, p in enumerate(reader, 1):
        w.write(p)
        if n == AFTER_FRAME:
            odd = Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00") / \
                IP(src="127.0.0.1", dst="127.0.0.1", id=0x4242) / \
                UDP(sport=40000, dport=9999) / Raw(b"clock-outlier")
            odd = odd.__class__(bytes(odd))
            odd.time = p.time + YEAR
            w.write(odd)
    w.close()
    reader.close()
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
