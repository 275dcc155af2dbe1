#!/usr/bin/python3
"""make-input.py: a benchmark capture of many distinct HTTP/1.1 connections.

    bench/make-input.py OUT.pcap SIZE_MB [SEED]

The demo-derived captures of bench/run.sh repeat the same 4-tuples and ISNs,
so after the first copy every connection is one Wireshark stream that has
already ended and its packets are only counted. This writes what a busy
capture looks like instead: 1023 clients on random ports, 4 servers, random ISNs, 64
connections interleaved at a time, each a handshake, one to four exchanges
(401 challenges and retries, Bearer errors with JSON bodies, 403 pages,
POSTs, 200s with bodies up to 256 KiB, some chunked), delayed ACKs and FINs.

Packets are written with struct rather than scapy (the bytes are simple and
scapy builds ~20k packets a second); checksums are left zero (why401 and
Wireshark do not check them). Same SEED, same bytes.
"""
import base64
import random
import struct
import sys

MSS = 1448
LINKTYPE_ETHERNET = 1


def request(rng, host, n):
    path = rng.choice(["/api/v1/orders", "/api/v1/users/%d" % rng.randrange(10**6),
                       "/private/report.pdf", "/admin/", "/static/app.js",
                       "/digest/", "/api/v2/search?q=%d&page=%d" % (rng.randrange(10**5), n)])
    return path, [
        ("Host", host),
        ("User-Agent", rng.choice(["curl/7.88.1", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) "
                                   "Gecko/20100101 Firefox/115.0", "python-requests/2.28.1"])),
        ("Accept", rng.choice(["*/*", "application/json", "text/html,application/xhtml+xml,"
                               "application/xml;q=0.9,*/*;q=0.8"])),
        ("Accept-Encoding", "gzip, deflate"),
        ("Accept-Language", "en-US,en;q=0.5"),
        ("Cookie", "session=%016x; theme=dark" % rng.getrandbits(64)),
        ("Connection", "keep-alive"),
    ]


def head(start, headers):
    return (start + "\r\n" + "".join("%s: %s\r\n" % h for h in headers) + "\r\n").encode()


def response(rng, code, reason, headers, body, chunked=False):
    common = [("Server", "nginx/1.22.1"), ("Date", "Sat, 28 Nov 2026 06:00:00 GMT"),
              ("Cache-Control", "no-store"), ("X-Request-Id", "%032x" % rng.getrandbits(128))]
    if chunked:
        hdrs = common + headers + [("Transfer-Encoding", "chunked")]
        out = b""
        for i in range(0, len(body), 8192):
            part = body[i:i + 8192]
            out += b"%x\r\n" % len(part) + part + b"\r\n"
        return head("HTTP/1.1 %d %s" % (code, reason), hdrs) + out + b"0\r\n\r\n"
    hdrs = common + headers + [("Content-Length", str(len(body)))]
    return head("HTTP/1.1 %d %s" % (code, reason), hdrs) + body


def filler(rng, n):
    line = b"lorem ipsum dolor sit amet, consectetur adipiscing elit %08x\n"
    reps = n // len(line % 0) + 1
    return (line % rng.getrandbits(32)) * reps


def jwt_payload(user):
    claims = '{"sub":"u%d","exp":1704067200}' % user
    return base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")


def exchanges(rng, host):
    """Yields (request bytes, response bytes) for one connection."""
    basic_ok = "Basic YWxpY2U6c2VjcmV0"
    for n in range(rng.randint(1, 4)):
        kind = rng.random()
        path, hdrs = request(rng, host, n)
        if kind < 0.30:
            # challenge, then the retry with credentials gets a large body
            yield (head("GET %s HTTP/1.1" % path, hdrs),
                   response(rng, 401, "Unauthorized",
                            [("WWW-Authenticate", 'Basic realm="private area"'),
                             ("Content-Type", "text/html")],
                            b"<html><body><h1>401 Unauthorized</h1></body></html>\n"))
            size = rng.choice([2048, 16384, 65536, 262144])
            yield (head("GET %s HTTP/1.1" % path, hdrs + [("Authorization", basic_ok)]),
                   response(rng, 200, "OK", [("Content-Type", "application/octet-stream")],
                            filler(rng, size)[:size], chunked=rng.random() < 0.3))
        elif kind < 0.45:
            yield (head("GET %s HTTP/1.1" % path,
                        hdrs + [("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.%s.c2lnbmF0dXJl"
                                 % jwt_payload(rng.randrange(1000)))]),
                   response(rng, 401, "Unauthorized",
                            [("WWW-Authenticate", 'Bearer realm="api", error="invalid_token", '
                              'error_description="The access token expired"'),
                             ("Content-Type", "application/json")],
                            b'{"error":"invalid_token","error_description":"expired"}'))
        elif kind < 0.55:
            yield (head("GET %s HTTP/1.1" % path, hdrs + [("Authorization", basic_ok)]),
                   response(rng, 403, "Forbidden", [("Content-Type", "text/html")],
                            b"<html><body><h1>403 Forbidden</h1>" + filler(rng, 1500)[:1500]
                            + b"</body></html>\n"))
        elif kind < 0.70:
            body = filler(rng, 6000)[:rng.randrange(200, 6000)]
            yield (head("POST %s HTTP/1.1" % path,
                        hdrs + [("Authorization", basic_ok), ("Content-Type", "text/plain"),
                                ("Content-Length", str(len(body)))]) + body,
                   response(rng, 201, "Created", [("Content-Type", "application/json")],
                            b'{"ok":true}'))
        else:
            size = rng.choice([512, 4096, 32768, 131072])
            yield (head("GET %s HTTP/1.1" % path, hdrs + [("Authorization", basic_ok)]),
                   response(rng, 200, "OK", [("Content-Type", "text/html; charset=utf-8")],
                            filler(rng, size)[:size], chunked=rng.random() < 0.3))


class Conn:
    def __init__(self, rng, idx):
        client = rng.randrange(1, 1024)
        self.cli = bytes([10, 0, client >> 8, client & 0xff])
        self.srv = bytes([192, 0, 2, 1 + idx % 4])
        self.cport = rng.randrange(1024, 65536)
        self.sport = rng.choice([80, 8080])
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]  # [client, server]
        self.steps = self.script(rng, "192.0.2.%d" % (1 + idx % 4))

    def script(self, rng, host):
        """Yields (sender, flags, payload): 0 client, 1 server."""
        yield 0, 0x02, b""
        yield 1, 0x12, b""
        yield 0, 0x10, b""
        for req, resp in exchanges(rng, host):
            for side, data in ((0, req), (1, resp)):
                segs = [data[i:i + MSS] for i in range(0, len(data), MSS)]
                for i, seg in enumerate(segs):
                    yield side, 0x18 if i == len(segs) - 1 else 0x10, seg
                    if i % 2 == 1:
                        yield 1 - side, 0x10, b""
                yield 1 - side, 0x10, b""
        yield 0, 0x11, b""
        yield 1, 0x11, b""
        yield 0, 0x10, b""

    def packet(self, side, flags, payload):
        src, dst = (self.cli, self.srv) if side == 0 else (self.srv, self.cli)
        sp, dp = (self.cport, self.sport) if side == 0 else (self.sport, self.cport)
        ack = self.seq[1 - side] if flags != 0x02 else 0
        tcp = struct.pack("!HHIIBBHHH", sp, dp, self.seq[side], ack, 5 << 4, flags,
                          65535, 0, 0)
        self.seq[side] = (self.seq[side] + len(payload) + (1 if flags & 0x03 else 0)) & 0xffffffff
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000,
                         64, 6, 0, src, dst)
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
        return eth + ip + tcp + payload


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: make-input.py OUT.pcap SIZE_MB [SEED]")
    out, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 401)
    usec = 1_700_000_000 * 1_000_000
    written = 24
    idx = 0
    active = []
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        while written < size or active:
            while len(active) < 64 and written < size:
                idx += 1
                active.append(Conn(rng, idx))
            c = active[rng.randrange(len(active))]
            step = next(c.steps, None)
            if step is None:
                active.remove(c)
                continue
            pkt = c.packet(*step)
            usec += rng.randrange(1, 3200)
            f.write(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(pkt), len(pkt)))
            f.write(pkt)
            written += 16 + len(pkt)


if __name__ == "__main__":
    main()
