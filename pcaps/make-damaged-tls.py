#!/usr/bin/python3
"""Damage a real TLS 1.2 capture the way a bad tap or a cut capture does.

    /usr/bin/python3 pcaps/make-damaged-tls.py

From tls12-aead-basic-auth.pcap (make-real-tls12.sh: three connections,
each a 401 then a 200 inside TLS 1.2) it writes, with the same key log
beside each:

  tls12-bad-tag.pcap     frame 11, the server's record holding the first
                         connection's 401, with its last byte (inside the
                         AEAD tag) flipped, the TCP checksum made right
                         again: the record fails its tag.
  tls12-cut-record.pcap  the capture ends inside frame 45, the record of
                         the third connection's 401: the first half of its
                         payload is kept (the packet's captured length cut,
                         as a snap length does), nothing after it.

Stdlib only (a classic pcap of Ethernet, IPv4, TCP).
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "tls12-aead-basic-auth"


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    header, packets, off = data[:24], [], 24
    while off + 16 <= len(data):
        ts_sec, ts_usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        packets.append([ts_sec, ts_usec, orig, bytearray(data[off + 16:off + 16 + incl])])
        off += 16 + incl
    return header, packets


def write_pcap(path, header, packets):
    with open(path + ".tmp", "wb") as f:
        f.write(header)
        for ts_sec, ts_usec, orig, frame in packets:
            f.write(struct.pack("<IIII", ts_sec, ts_usec, len(frame), orig))
            f.write(frame)
    os.replace(path + ".tmp", path)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def fix_tcp_checksum(frame):
    ip = 14
    ihl = (frame[ip] & 0x0F) * 4
    total = struct.unpack("!H", frame[ip + 2:ip + 4])[0]
    tcp = ip + ihl
    seg = bytearray(frame[tcp:ip + total])
    seg[16:18] = b"\0\0"
    pseudo = frame[ip + 12:ip + 20] + struct.pack("!BBH", 0, 6, len(seg))
    frame[tcp + 16:tcp + 18] = struct.pack("!H", checksum(bytes(pseudo + seg)))


def tcp_payload_offset(frame):
    ip = 14
    tcp = ip + (frame[ip] & 0x0F) * 4
    return tcp + (frame[tcp + 12] >> 4) * 4


def save(name, header, packets):
    write_pcap(os.path.join(HERE, name + ".pcap"), header, packets)
    shutil.copyfile(os.path.join(HERE, SOURCE + ".keys"), os.path.join(HERE, name + ".keys"))
    print("wrote %s.pcap and %s.keys" % (name, name))


def main():
    header, packets = read_pcap(os.path.join(HERE, SOURCE + ".pcap"))

    bad = [list(p) for p in packets]
    frame = bytearray(bad[10][3])      # frame 11
    frame[-1] ^= 0x01
    fix_tcp_checksum(frame)
    bad[10][3] = frame
    save("tls12-bad-tag", header, bad)

    cut = [list(p) for p in packets[:45]]
    frame = cut[44][3]                 # frame 45
    start = tcp_payload_offset(frame)
    cut[44][3] = frame[:start + (len(frame) - start) // 2]
    save("tls12-cut-record", header, cut)


if __name__ == "__main__":
    main()
