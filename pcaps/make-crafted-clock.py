#!/usr/bin/python3
"""Make clock-outlier-udp.pcap: nginx-basic-challenge-then-ok.pcap (a real
capture) with one unrelated UDP packet, dated a year ahead, inserted right
after the 401 (so it becomes frame 7); and clock-outlier-first.pcap, the
same packet inserted before everything (frame 1).

    /usr/bin/python3 pcaps/make-crafted-clock.py [OUTDIR]

Needs Debian's python3-scapy. Deterministic: rerunning writes the same bytes
(the inserted packet's time is the 401's plus 365 days). The capture time
for decisions must not jump to it: the 401 stays a `challenge` note (its
retry comes 0.25 ms later), and the packet is a warning naming frame 7. In
clock-outlier-first.pcap the traffic after frame 1 takes the clock back (a
warning names frame 2) and the 401 is a `challenge` note too.
"""

import os
import sys

from scapy.all import Ether, IP, UDP, Raw, PcapReader, PcapWriter  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
SOURCE = os.path.join(HERE, "nginx-basic-challenge-then-ok.pcap")
AFTER_FRAME = 6            # the 401
YEAR = 365 * 24 * 3600


def odd_packet(t):
    odd = Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00") / \
        IP(src="127.0.0.1", dst="127.0.0.1", id=0x4242) / \
        UDP(sport=40000, dport=9999) / Raw(b"clock-outlier")
    odd = odd.__class__(bytes(odd))
    odd.time = t + YEAR
    return odd


def write(name, after_frame):
    """Copy SOURCE with the odd packet after frame @after_frame (0: first),
    dated a year after the frame it follows (or precedes)."""
    path = os.path.join(OUT, name)
    reader = PcapReader(SOURCE)
    w = PcapWriter(path, linktype=reader.linktype, sync=True)
    for n, p in enumerate(reader, 1):
        if n == 1 and after_frame == 0:
            w.write(odd_packet(p.time))
        w.write(p)
        if n == after_frame:
            w.write(odd_packet(p.time))
    w.close()
    reader.close()
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main():
    write("clock-outlier-udp.pcap", AFTER_FRAME)
    write("clock-outlier-first.pcap", 0)


if __name__ == "__main__":
    main()
