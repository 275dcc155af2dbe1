#!/usr/bin/env python3
"""make-seeds.py: the seed corpora of the libFuzzer targets, made from the
captures of pcaps/ (and ../shared/corpus when it exists), in the input
format each target's file describes.

    make-seeds.py OUT CAPTURE_DIR...

writes OUT/NAME/ per target (OUT is build-fuzz/corpus under make fuzz;
nothing is written next to the captures). Captures are read here (pcap and
pcapng, the common link types, IPv4/IPv6, TCP) with no library, so that a
missing package never leaves a target without seeds."""
import base64
import hashlib
import os
import re
import struct
import sys

MAX_SEED = 65536      # what make fuzz passes as -max_len to the capture targets
MAX_FILES = 400       # captures read per directory tree: seeds, not a benchmark
FRAMES_PER_FILE = 24  # decode seeds per capture

# fuzz-decode.c's link_types[], in its order.
DECODE_LINKS = [0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 127, 228, 229, 239, 276]


def captures(dirs):
    for d in dirs:
        found = []
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if re.search(r'\.(pcap|pcapng|cap)$', n):
                    found.append(os.path.join(root, n))
        yield from sorted(found)[:MAX_FILES]


def read_pcap(data):
    """[(linktype, ts_seconds_float, frame)] of a pcap or pcapng file."""
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic == b'\x0a\x0d\x0d\x0a':
        return read_pcapng(data)
    for endian, nsec in (('<', False), ('>', False), ('<', True), ('>', True)):
        want = 0xa1b23c4d if nsec else 0xa1b2c3d4
        if struct.unpack(endian + 'I', magic)[0] == want:
            break
    else:
        return []
    link = struct.unpack(endian + 'I', data[20:24])[0] & 0x0fffffff
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        out.append((link, sec + frac / (1e9 if nsec else 1e6), frame))
        off += 16 + caplen
    return out


def read_pcapng(data):
    out, links, off, endian = [], [], 0, '<'
    while off + 12 <= len(data):
        btype = struct.unpack(endian + 'I', data[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            endian = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            links = []
        blen = struct.unpack(endian + 'I', data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(endian + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, hi, lo, caplen = struct.unpack(endian + 'IIII', body[:16])
            if ifid < len(links):
                out.append((links[ifid], ((hi << 32) | lo) / 1e6, body[20:20 + caplen]))
        off += blen
    return out


def to_ip(link, frame):
    """The IP datagram inside a frame of a common link type, or None."""
    if link == 1:
        off, etype = 14, frame[12:14]
        while etype in (b'\x81\x00', b'\x88\xa8') and len(frame) >= off + 4:
            etype, off = frame[off + 2:off + 4], off + 4
        return frame[off:] if etype in (b'\x08\x00', b'\x86\xdd') else None
    if link in (0, 108):
        return frame[4:]
    if link in (12, 14, 101, 228, 229):
        return frame
    if link == 113:
        return frame[16:]
    if link == 276:
        return frame[20:]
    return None


def to_tcp(ip):
    """(src, dst, sport, dport, seq, flags, payload) of a TCP segment, or None."""
    if not ip:
        return None
    if ip[0] >> 4 == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6 or struct.unpack('>H', ip[6:8])[0] & 0x3fff:
            return None
        tcp, src, dst = ip[ihl:struct.unpack('>H', ip[2:4])[0]], ip[12:16], ip[16:20]
    elif ip[0] >> 4 == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return None
        tcp, src, dst = ip[40:40 + struct.unpack('>H', ip[4:6])[0]], ip[8:24], ip[24:40]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack('>HHI', tcp[:8])
    return src, dst, sport, dport, seq, tcp[13], tcp[(tcp[12] >> 4) * 4:]


def first_connection(frames):
    """[(from_server, seq, flags, ts, payload)] of the capture's first TCP connection."""
    key, segs = None, []
    for link, ts, frame in frames:
        t = to_tcp(to_ip(link, frame))
        if t is None:
            continue
        src, dst, sport, dport, seq, flags, payload = t
        if key is None:
            key = (src, sport)
        if (src, sport) == key:
            segs.append((False, seq, flags, ts, payload))
        elif (dst, dport) == key:
            segs.append((True, seq, flags, ts, payload))
        if len(segs) >= 64:
            break
    return segs


def fragments(frames):
    """fuzz-ipfrag.c records of the IPv4 fragments of a capture."""
    recs, last = b'', None
    for link, ts, frame in frames:
        ip = to_ip(link, frame)
        if not ip or ip[0] >> 4 != 4 or len(ip) < 20:
            continue
        word = struct.unpack('>H', ip[6:8])[0]
        if not word & 0x3fff:
            continue
        data = ip[(ip[0] & 15) * 4:struct.unpack('>H', ip[2:4])[0]][:255]
        step = 0 if last is None else max(-128, min(127, int(ts - last)))
        last = ts
        recs += bytes([4 if word & 0x2000 else 0]) + struct.pack('>Hb', word & 0x1fff, step)
        recs += bytes([len(data)]) + data
    return recs


def tcp_records(segs):
    out, nxt, last = b'\x00', [None, None], None
    for from_server, seq, flags, ts, payload in segs:
        d = int(from_server)
        if nxt[d] is None:
            nxt[d] = seq
        step = 0 if last is None else max(-128, min(127, int((ts - last) * 1000)))
        last = ts
        chunks = [payload[i:i + 255] for i in range(0, len(payload), 255)] or [b'']
        for i, chunk in enumerate(chunks):
            delta = (seq - nxt[d]) & 0xffffffff if i == 0 else 0
            out += bytes([d << 7 | (flags & 0x3f)]) + struct.pack('>Ib', delta, step if i == 0 else 0)
            out += bytes([len(chunk)]) + chunk
            nxt[d] = (seq + len(chunk) + (1 if i == 0 and flags & 3 else 0)) & 0xffffffff
            seq = nxt[d]
    return out


def stream_records(segs, first=b'\x00', strip=b''):
    """fuzz-h1.c / fuzz-h2.c records: in-order payload bytes, 127 at most each."""
    out, client = first, True
    for from_server, _, _, _, payload in segs:
        if not from_server and client and strip and payload.startswith(strip):
            payload = payload[len(strip):]
            client = False
        for i in range(0, len(payload), 127):
            chunk = payload[i:i + 127]
            out += bytes([(0x80 if from_server else 0) | len(chunk)]) + chunk
    return out


def tls_records(segs):
    """fuzz-tls.c raw segments: [direction][length, 2 bytes][bytes], after byte 1."""
    out = b'\x01'
    for from_server, _, _, _, payload in segs:
        if payload:
            out += bytes([int(from_server)]) + struct.pack('>H', len(payload)) + payload
    return out


HEADER = re.compile(rb'^([A-Za-z-]+):[ \t]*([^\r\n]*)', re.M)


def header_seeds(payloads, add):
    for blob in payloads:
        for m in HEADER.finditer(blob):
            name, value = m.group(1).lower(), m.group(2)
            if name in (b'www-authenticate', b'proxy-authenticate'):
                add('challenge', value)
            elif name in (b'authorization', b'proxy-authorization', b'x-api-key'):
                add('credential', value)
                scheme, _, rest = value.partition(b' ')
                if scheme.lower() == b'digest':
                    add('digest', rest)
                if scheme.lower() in (b'ntlm', b'negotiate'):
                    try:
                        raw = base64.b64decode(rest.strip(), validate=False)
                    except Exception:
                        continue
                    add('ntlm' if raw.startswith(b'NTLMSSP') else 'spnego', raw)
            elif name in (b'cookie', b'set-cookie', b'date'):
                add('cookie', value)
        for tok in re.findall(rb'eyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*', blob):
            add('jwt', tok)
        for body in re.findall(rb'\{[^\r\n{}]{2,400}\}', blob):
            add('message', body)


def report_seeds(expected, add):
    """fuzz-report.c inputs: the strings of the expected reports, NUL-joined."""
    for line in expected.splitlines():
        strings = re.findall(rb'"((?:[^"\\]|\\.)*)"', line)
        if strings:
            body = b'\x00'.join(strings[1::2])[:2048]
            for report in range(4):  # fuzz-report.c's text, coloured text, json, ndjson
                add('report', bytes([0, 0, report]) + body)


def main():
    out_dir, dirs = sys.argv[1], sys.argv[2:]
    seen = set()

    def add(target, data):
        if not data or len(data) > MAX_SEED:
            data = data[:MAX_SEED]
        if not data:
            return
        digest = hashlib.sha1(data).hexdigest()
        if (target, digest) in seen:
            return
        seen.add((target, digest))
        os.makedirs(os.path.join(out_dir, target), exist_ok=True)
        with open(os.path.join(out_dir, target, digest), 'wb') as f:
            f.write(data)

    for path in captures(dirs):
        with open(path, 'rb') as f:
            data = f.read()
        add('pipeline', data[:MAX_SEED])
        if data[:4] == b'\x0a\x0d\x0d\x0a':
            add('pcapng', data[:MAX_SEED])
        frames = read_pcap(data)
        for link, _, frame in frames[:FRAMES_PER_FILE]:
            if link in DECODE_LINKS:
                add('decode', bytes([DECODE_LINKS.index(link)]) + frame[:4096])
        frag = fragments(frames)
        if frag:
            add('ipfrag', b'\x00' + frag[:4096])
        segs = first_connection(frames)
        if segs:
            add('tcp', tcp_records(segs)[:4096])
            add('h1', stream_records(segs)[:4096])
            add('h2', stream_records(segs, strip=b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')[:4096])
            add('tls', tls_records(segs)[:4096])
        header_seeds([p for _, _, _, _, p in first_connection(frames)] +
                     [frame for _, _, frame in frames[:200]], add)
        base = re.sub(r'\.(pcap|pcapng|cap)$', '', path)
        if os.path.exists(base + '.keys'):
            with open(base + '.keys', 'rb') as f:
                add('keylog', b'\x01' + f.read()[:4096])
        if os.path.exists(base + '.expected.ndjson'):
            with open(base + '.expected.ndjson', 'rb') as f:
                report_seeds(f.read(), add)
    add('tls', b'\x00')
    add('jsonw', b'\x00')
    add('tls-crypto', b'\x00' + bytes(64))


if __name__ == '__main__':
    main()
