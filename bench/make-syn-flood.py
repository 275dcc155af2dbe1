#!/usr/bin/python3
"""make-syn-flood.py: a capture of COUNT TCP connections that only send a SYN.

    bench/make-syn-flood.py OUT.pcap COUNT

Each SYN comes from its own client (10.x.y.z, a port from 1024 up) to one
server on port 80, 10 us apart, so every one is a new connection that never
carries data: what a flow costs before its first payload byte is
(peak RSS - an empty run's RSS) / COUNT. Checksums are left zero.
"""
import struct
import sys

LINKTYPE_ETHERNET = 1


def syn(i):
    src = bytes([10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
    dst = bytes([192, 168, 0, 1])
    sport = 1024 + (i % 60000)
    tcp = struct.pack("!HHIIBBHHH", sport, 80, (i * 2654435761) & 0xffffffff, 0,
                      5 << 4, 0x02, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0, 64, 6, 0,
                     src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    count = int(sys.argv[2])
    with open(sys.argv[1], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for i in range(count):
            t = 1700000000 * 1000000 + i * 10
            pkt = syn(i)
            out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)))
            out.write(pkt)


if __name__ == "__main__":
    main()
