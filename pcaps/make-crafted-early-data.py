#!/usr/bin/python3
"""Make tls13-early-data-long.pcap (and its .keys, a copy of
tls13-early-data.keys): tls13-early-data.pcap (a real capture) whose
client sends, after the 0-RTT GET that nginx answers with 401, a POST of
66 500 body bytes as more early data, in six records (four of 16 000
plaintext bytes, one of 2 000, one of 500), each in a TCP segment of its
own inserted after frame 4. Its EndOfEarlyData (frame 10) is encrypted
again with the sequence number it now has; later sequence and
acknowledgement numbers move by the bytes added.

    /usr/bin/python3 pcaps/make-crafted-early-data.py [OUTDIR]

Needs Debian's python3-scapy and python3-cryptography. Deterministic:
rerunning writes the same bytes. The early data (66 KB) is longer than the
TLS layer holds (W4_TLS_EARLY_DATA_MAX, 64 KiB): what it held (the GET and
the POST's start) is read, then a loss, with a warning; not read with the
2 000-byte record past the bound left out and the next one appended (that
hole made the POST's body swallow the GET of frame 19).
"""

import os
import shutil
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from scapy.all import IP, TCP, Raw, rdpcap, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
SOURCE = os.path.join(HERE, "tls13-early-data.pcap")
KEYS = os.path.join(HERE, "tls13-early-data.keys")
NAME = "tls13-early-data-long"
EARLY_FRAME = 4   # ClientHello, ChangeCipherSpec, the 0-RTT GET
EOED_FRAME = 10   # EndOfEarlyData (early keys), Finished (handshake keys)
SIZES = [16000, 16000, 16000, 16000, 2000, 500]


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    return HKDFExpand(hashes.SHA384(), length, info).derive(secret)


def early_secret():
    for line in open(KEYS):
        f = line.split()
        if len(f) == 3 and f[0] == "CLIENT_EARLY_TRAFFIC_SECRET":
            return bytes.fromhex(f[2])
    raise SystemExit("no CLIENT_EARLY_TRAFFIC_SECRET in " + KEYS)


SECRET = early_secret()  # the session's suite is TLS_AES_256_GCM_SHA384
KEY = AESGCM(expand_label(SECRET, b"key", 32))
IV = expand_label(SECRET, b"iv", 12)


def nonce(seq):
    return bytes(a ^ b for a, b in zip(IV, seq.to_bytes(12, "big")))


def seal(seq, inner_type, plain):
    inner = plain + bytes([inner_type])
    hdr = b"\x17\x03\x03" + (len(inner) + 16).to_bytes(2, "big")
    return hdr + KEY.encrypt(nonce(seq), inner, hdr)


def unseal(seq, rec):
    inner = KEY.decrypt(nonce(seq), rec[5:], rec[:5])
    return inner.rstrip(b"\x00")


def records(data):
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i + 3:i + 5], "big")
        out.append(data[i:i + 5 + n])
        i += 5 + n
    return out


def post_plaintexts():
    body_len = sum(SIZES)
    head = (b"POST /upload HTTP/1.1\r\nHost: api.example.test\r\n"
            b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % body_len)
    body = (b"0123456789abcdef" * (body_len // 16 + 1))[:body_len]
    stream = head + body
    cuts, out, i = [len(head) + s for s in SIZES[:1]] + SIZES[1:], [], 0
    for n in cuts:
        out.append(stream[i:i + n])
        i += n
    return out


def with_payload(p, payload, seq=None):
    q = p.copy()
    q[TCP].remove_payload()
    q[TCP].add_payload(Raw(payload))
    if seq is not None:
        q[TCP].seq = seq
    del q[IP].len, q[IP].chksum, q[TCP].chksum
    q = q.__class__(bytes(q))
    q.time = p.time
    return q


def main():
    pkts = list(rdpcap(SOURCE))
    first = pkts[EARLY_FRAME - 1]
    client = (first[IP].src, first[TCP].sport)
    recs = records(bytes(first[TCP].payload))
    assert recs[-1][0] == 0x17 and unseal(0, recs[-1]).startswith(b"GET ")
    extra = [seal(1 + i, 23, p) for i, p in enumerate(post_plaintexts())]
    added = sum(len(r) for r in extra)
    eoed_recs = records(bytes(pkts[EOED_FRAME - 1][TCP].payload))
    eoed = unseal(1, eoed_recs[0])
    assert eoed[-1] == 22 and eoed[0] == 5  # EndOfEarlyData, type handshake
    eoed_recs[0] = seal(1 + len(extra), 22, eoed[:-1])

    out = []
    for n, p in enumerate(pkts, 1):
        if TCP not in p:
            out.append(p)
            continue
        from_client = (p[IP].src, p[TCP].sport) == client
        later = n > EARLY_FRAME
        if n == EOED_FRAME:
            p = with_payload(p, b"".join(eoed_recs))
        if later and from_client:
            p[TCP].seq = (p[TCP].seq + added) % 2**32
        elif later and p[TCP].flags & 0x10:
            p[TCP].ack = (p[TCP].ack + added) % 2**32
        if later:
            del p[TCP].chksum
            t = p.time
            p = p.__class__(bytes(p))
            p.time = t
        out.append(p)
        if n == EARLY_FRAME:
            seq = first[TCP].seq + len(first[TCP].payload)
            for r in extra:
                out.append(with_payload(first, r, seq % 2**32))
                seq += len(r)
    wrpcap(os.path.join(OUT, NAME + ".pcap"), out)
    shutil.copyfile(KEYS, os.path.join(OUT, NAME + ".keys"))


main()
