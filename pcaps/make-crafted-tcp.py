#!/usr/bin/python3
"""Make the crafted TCP edge-case captures in pcaps/ (tcp-*.pcap,
http-on-port-8081.pcap, sip-lookalike.pcap).

    /usr/bin/python3 pcaps/make-crafted-tcp.py [OUTDIR]

Needs Debian's python3-scapy (hence /usr/bin/python3). The output is
deterministic: fixed timestamps, addresses from the documentation ranges
(client 192.0.2.x, server 198.51.100.x), fixed ports, ISNs and IP ids, so
rerunning the script gives byte-identical files.

Every capture is a realistic HTTP/1.1 exchange over Ethernet that ends in a
401 with a Basic challenge unless its comment says otherwise. See
pcaps/README.md for what each one shows and what why401 should report.
"""

import base64
import calendar
import os
import sys
import time

from scapy.all import Ether, IP, TCP, Raw, PcapWriter  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

# 2024-03-05 09:30:00 UTC: a fixed start for every capture.
T_BASE = calendar.timegm((2024, 3, 5, 9, 30, 0, 0, 0, 0))
CLIENT_MAC = "02:00:00:00:02:0a"
SERVER_MAC = "02:00:00:00:64:14"


def http_date(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(t))


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class Flow:
    """One TCP connection; makes packets with consistent seq/ack numbers.
    Packets are returned, not stored: the caller lays them out in wire order
    (and may reorder, drop or duplicate them). Timestamps are given when the
    capture is written."""

    def __init__(self, cli="192.0.2.10", cport=51514, srv="198.51.100.20", sport=80,
                 cisn=1000000, sisn=3000000):
        self.cli, self.cport, self.srv, self.sport = cli, cport, srv, sport
        self.c_isn, self.s_isn = cisn, sisn
        self.c_next, self.s_next = cisn, sisn   # next seq each side will send
        self.ip_id = {"c": 0x1000, "s": 0x5000}

    def _pkt(self, side, flags, seq, ack, payload=b""):
        self.ip_id[side] = (self.ip_id[side] + 1) & 0xFFFF
        if side == "c":
            eth = Ether(src=CLIENT_MAC, dst=SERVER_MAC)
            ip = IP(src=self.cli, dst=self.srv, ttl=64, id=self.ip_id[side], flags="DF")
            tcp = TCP(sport=self.cport, dport=self.sport, flags=flags, seq=seq, ack=ack,
                      window=64240 if "S" in flags else 502)
        else:
            eth = Ether(src=SERVER_MAC, dst=CLIENT_MAC)
            ip = IP(src=self.srv, dst=self.cli, ttl=64, id=self.ip_id[side], flags="DF")
            tcp = TCP(sport=self.sport, dport=self.cport, flags=flags, seq=seq, ack=ack,
                      window=65160 if "S" in flags else 509)
        if "S" in flags:
            tcp.options = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
        p = eth / ip / tcp
        if payload:
            p = p / Raw(load=payload)
        return p

    def handshake(self):
        syn = self._pkt("c", "S", self.c_next, 0)
        self.c_next += 1
        synack = self._pkt("s", "SA", self.s_next, self.c_next)
        self.s_next += 1
        ack = self._pkt("c", "A", self.c_next, self.s_next)
        return [syn, synack, ack]

    def data(self, side, payload, flags="PA"):
        """A segment carrying payload from side 'c' or 's'; advances seq."""
        if isinstance(payload, str):
            payload = payload.encode()
        if side == "c":
            p = self._pkt("c", flags, self.c_next, self.s_next, payload)
            self.c_next += len(payload)
        else:
            p = self._pkt("s", flags, self.s_next, self.c_next, payload)
            self.s_next += len(payload)
        return p

    def segments(self, side, payload, sizes):
        """Split payload into consecutive segments of the given sizes (the
        last one takes the rest); returns the list of packets."""
        if isinstance(payload, str):
            payload = payload.encode()
        out, pos = [], 0
        for i, n in enumerate(sizes + [None]):
            chunk = payload[pos:] if n is None else payload[pos:pos + n]
            if not chunk:
                break
            out.append(self.data(side, chunk, "PA" if (n is None or pos + n >= len(payload)) else "A"))
            pos += len(chunk)
        return out

    def raw(self, side, seq, payload, flags="PA"):
        """A segment at an explicit sequence number (retransmissions,
        overlaps); does not advance the state."""
        if isinstance(payload, str):
            payload = payload.encode()
        if side == "c":
            return self._pkt("c", flags, seq, self.s_next, payload)
        return self._pkt("s", flags, seq, self.c_next, payload)

    def ack(self, side):
        if side == "c":
            return self._pkt("c", "A", self.c_next, self.s_next)
        return self._pkt("s", "A", self.s_next, self.c_next)

    def close(self):
        """Client-initiated FIN exchange."""
        fin1 = self._pkt("c", "FA", self.c_next, self.s_next)
        self.c_next += 1
        fin2 = self._pkt("s", "FA", self.s_next, self.c_next)
        self.s_next += 1
        last = self._pkt("c", "A", self.c_next, self.s_next)
        return [fin1, fin2, last]


def write(name, pkts, start=T_BASE, step=0.000250, delays=None, times=None):
    """Write pkts with fixed timestamps: start + step between packets, plus
    delays[i] (seconds) before packet i; times[i] overrides packet i's
    timestamp outright."""
    delays = delays or {}
    times = times or {}
    path = os.path.join(OUT, name)
    t = start
    w = PcapWriter(path, linktype=1, sync=True)
    for i, p in enumerate(pkts):
        if i:
            t += step
        t += delays.get(i, 0.0)
        p = p.__class__(bytes(p))          # freeze: compute lengths and checksums
        p.time = times.get(i, t)
        w.write(p)
    w.close()
    print("wrote %s (%d packets, %d bytes)" % (name, len(pkts), os.path.getsize(path)))


# ----------------------------------------------------------- HTTP messages --

def get(uri, host="app.example.com", auth=None, method="GET", extra=()):
    lines = ["%s %s HTTP/1.1" % (method, uri), "Host: %s" % host,
             "User-Agent: curl/7.88.1", "Accept: */*"]
    if auth:
        lines.append("Authorization: %s" % auth)
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


HTML_401 = ("<html>\r\n<head><title>401 Authorization Required</title></head>\r\n"
            "<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n"
            "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n")
HTML_403 = ("<html>\r\n<head><title>403 Forbidden</title></head>\r\n"
            "<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n"
            "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n")


def response(status, reason, body="", t=T_BASE, headers=(), ctype="text/html",
             content_length=None):
    if isinstance(body, str):
        body = body.encode()
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: nginx/1.22.1",
             "Date: %s" % http_date(t), "Content-Type: %s" % ctype,
             "Content-Length: %d" % (len(body) if content_length is None else content_length),
             "Connection: keep-alive"]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def r401(t=T_BASE, realm="private area", body=HTML_401, **kw):
    return response(401, "Unauthorized", body, t,
                    headers=['WWW-Authenticate: Basic realm="%s"' % realm], **kw)


def r200(body="<html><body>welcome</body></html>\r\n", t=T_BASE):
    return response(200, "OK", body, t)


def r403(t=T_BASE):
    return response(403, "Forbidden", HTML_403, t)


WRONG = basic("alice", "wrong-password")


# ---------------------------------------------------------------- captures --

def tcp_out_of_order():
    """The 401's status line+first headers and the rest of its headers arrive
    swapped on the wire; the body comes last."""
    f = Flow(cport=51001)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    a, b, c = f.segments("s", r401(), [60, 120])   # status+Server / rest / body
    pk += [b, a, c]
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-out-of-order.pcap", pk)


def tcp_retransmission_overlap():
    """The 401's header arrives in two segments; then a retransmission that
    overlaps both carries different bytes ("HTTP/1.1 200 OK..."). The first
    data wins: the response is the 401."""
    f = Flow(cport=51002)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    resp = r401()
    start = f.s_next
    s1, s2 = f.segments("s", resp, [80])
    pk += [s1, s2]
    # A retransmission covering bytes 0..119 with different content.
    forged = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nX-Filler: "
    forged += b"x" * (120 - len(forged) - 2) + b"\r\n"
    assert len(forged) == 120
    pk.append(f.raw("s", start, forged, "PA"))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-retransmission-overlap.pcap", pk)


def tcp_gap():
    """Keep-alive connection: the first 401 has a long HTML body in three
    segments and the capture lost the middle one (the client ACKs it all);
    the client retries as bob on the same connection and gets a second 401,
    which must still be found."""
    f = Flow(cport=51003)
    pk = f.handshake()
    pk.append(f.data("c", get("/docs/", auth=WRONG)))
    pk.append(f.ack("s"))
    body = HTML_401.replace("</body>", "<!-- " + "p" * 2600 + " -->\r\n</body>")
    s1, s2, s3 = f.segments("s", r401(body=body), [1448, 1448])
    pk += [s1, s3]                      # s2 lost by the capture
    pk.append(f.ack("c"))
    pk.append(f.data("c", get("/docs/", auth=basic("bob", "not-hunter2"))))
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-gap.pcap", pk, delays={len(pk) - 6: 0.8})


def tcp_status_line_split():
    """Status line, headers and body of the 401 in three segments, the way
    python's http.server and many others write them; the request is split
    after its request line too."""
    f = Flow(cport=51004)
    pk = f.handshake()
    req = get("/private/", auth=WRONG)
    line_end = req.index(b"\r\n") + 2
    pk += f.segments("c", req, [line_end])
    pk.append(f.ack("s"))
    resp = r401()
    st_end = resp.index(b"\r\n") + 2
    hdr_end = resp.index(b"\r\n\r\n") + 4
    pk += f.segments("s", resp, [st_end, hdr_end - st_end])
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-status-line-split.pcap", pk)


def tcp_pipelined():
    """Three pipelined requests in one segment (alice's correct password is
    sent on all three); responses 200, 401, 403 in order, the 401 and 403 in
    one segment."""
    f = Flow(cport=51005)
    pk = f.handshake()
    alice = basic("alice", "secret")
    reqs = (get("/private/a.txt", auth=alice) + get("/private/b.txt", auth=WRONG)
            + get("/forbidden/c.txt", auth=alice))
    pk.append(f.data("c", reqs))
    pk.append(f.data("s", r200()))
    pk.append(f.data("s", r401() + r403()))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-pipelined.pcap", pk)


def tcp_port_reuse():
    """Two connections on the same 4-tuple 5 s apart, each with its own ISN,
    each a Basic request answered 401. tshark numbers them stream 0 and 1."""
    pk = []
    f1 = Flow(cport=51006, cisn=1000000, sisn=3000000)
    pk += f1.handshake()
    pk.append(f1.data("c", get("/private/", auth=WRONG)))
    pk.append(f1.data("s", r401()))
    pk.append(f1.ack("c"))
    pk += f1.close()
    second = len(pk)
    f2 = Flow(cport=51006, cisn=2500000000, sisn=700000)
    pk += f2.handshake()
    pk.append(f2.data("c", get("/private/", auth=basic("alice", "wrong-again"))))
    pk.append(f2.data("s", r401(t=T_BASE + 5)))
    pk.append(f2.ack("c"))
    pk += f2.close()
    write("tcp-port-reuse.pcap", pk, delays={second: 5.0})


def tcp_midstream():
    """The capture starts in the middle of a keep-alive connection (no SYN):
    first the tail of an earlier 200's body, then a full request and its 401."""
    f = Flow(cport=51007, cisn=1200000, sisn=3400000)
    pk = []
    pk.append(f.data("s", "uration of the earlier page.</p>\r\n</body></html>\r\n"))
    pk.append(f.ack("c"))
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    write("tcp-midstream.pcap", pk, delays={2: 1.5})


def tcp_bad_checksum():
    """A whole exchange ending in 401 where every TCP checksum is wrong, as
    checksum offload on the capturing host produces (IP checksums are
    right)."""
    f = Flow(cport=51008)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    pk += f.close()
    bad = []
    for p in pk:
        p = p.__class__(bytes(p))          # computes the right checksum
        good = p[TCP].chksum
        p[TCP].chksum = (good + 0x1234) & 0xFFFF or 1
        bad.append(p)
    write("tcp-bad-checksum.pcap", bad)


def tcp_timestamps_backwards():
    """The 401's packet is stamped 0.2 ms earlier than the packet before it
    (the server's ACK of the request): order is file order."""
    f = Flow(cport=51009)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    i401 = len(pk)
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    pk += f.close()
    step = 0.000250
    prev_time = T_BASE + (i401 - 1) * step
    write("tcp-timestamps-backwards.pcap", pk, step=step,
          times={i401: prev_time - 0.0002})


def tcp_cut_off():
    """The capture ends in the middle of the 401's body: headers complete,
    Content-Length says more bytes than the file holds."""
    f = Flow(cport=51010)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.ack("s"))
    resp = r401()
    hdr_end = resp.index(b"\r\n\r\n") + 4
    first, _rest = f.segments("s", resp, [hdr_end + 40])
    pk.append(first)                    # the rest never made it into the file
    write("tcp-cut-off.pcap", pk)


def tcp_100_continue():
    """POST with Expect: 100-continue: headers, interim 100 Continue, the
    body, then the final 401."""
    f = Flow(cport=51011)
    pk = f.handshake()
    body = b'{"report":"q3","format":"pdf"}'
    req = get("/api/reports", method="POST", auth=WRONG,
              extra=["Content-Type: application/json", "Content-Length: %d" % len(body),
                     "Expect: 100-continue"])
    pk.append(f.data("c", req))
    pk.append(f.data("s", "HTTP/1.1 100 Continue\r\n\r\n"))
    pk.append(f.data("c", body))
    pk.append(f.data("s", r401(realm="api")))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-100-continue.pcap", pk)


def tcp_head_401():
    """HEAD answered 401 with Content-Length but no body; then a GET on the
    same connection answered 401 with a body. A parser that expects a body
    after the HEAD's 401 would swallow the second response."""
    f = Flow(cport=51012)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", method="HEAD", auth=WRONG)))
    head = r401()
    head = head[:head.index(b"\r\n\r\n") + 4]    # headers only, CL of the body
    pk.append(f.data("s", head))
    pk.append(f.ack("c"))
    pk.append(f.data("c", get("/private/", auth=WRONG)))
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-head-401.pcap", pk)


def tcp_chunked_401():
    """A Bearer 401 whose JSON body is chunked, the chunks split across
    segments: {"error":"invalid_token","error_description":"expired"}."""
    f = Flow(cport=51013, sport=80)
    pk = f.handshake()
    tok = "opaque-token-5e1d0c"
    pk.append(f.data("c", get("/api/me", auth="Bearer " + tok)))
    pk.append(f.ack("s"))
    head = ("HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.22.1\r\nDate: %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: keep-alive\r\n"
            'WWW-Authenticate: Bearer realm="api", error="invalid_token"\r\n\r\n'
            % http_date(T_BASE))
    c1 = '{"error":"invalid_token",'
    c2 = '"error_description":"expired"}'
    chunk1 = "%x\r\n%s\r\n" % (len(c1), c1)
    chunk2 = "%x\r\n%s\r\n" % (len(c2), c2)
    pk.append(f.data("s", head, "A"))
    pk.append(f.data("s", chunk1 + chunk2[:10], "A"))
    pk.append(f.data("s", chunk2[10:] + "0\r\n\r\n"))
    pk.append(f.ack("c"))
    pk += f.close()
    write("tcp-chunked-401.pcap", pk)


def http_on_port_8081():
    """HTTP on TCP port 8081, which is not in Wireshark's HTTP port list
    (tshark still finds it with its http_tcp heuristic); why401 must find the
    401 by content, not by port."""
    f = Flow(cport=51014, srv="198.51.100.21", sport=8081)
    pk = f.handshake()
    pk.append(f.data("c", get("/private/", host="app.example.com:8081", auth=WRONG)))
    pk.append(f.ack("s"))
    pk.append(f.data("s", r401()))
    pk.append(f.ack("c"))
    pk += f.close()
    write("http-on-port-8081.pcap", pk)


def sip_lookalike():
    """A SIP REGISTER over TCP 5060 answered SIP/2.0 401 Unauthorized with a
    Digest challenge: not HTTP, must NOT be reported."""
    f = Flow(cport=51015, srv="198.51.100.30", sport=5060)
    pk = f.handshake()
    reg = ("REGISTER sip:example.com SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 192.0.2.10:51015;branch=z9hG4bK776asdhds\r\n"
           "Max-Forwards: 70\r\n"
           "To: <sip:alice@example.com>\r\n"
           "From: <sip:alice@example.com>;tag=1928301774\r\n"
           "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
           "CSeq: 1 REGISTER\r\n"
           "Contact: <sip:alice@192.0.2.10:51015;transport=tcp>\r\n"
           "Content-Length: 0\r\n\r\n")
    pk.append(f.data("c", reg))
    resp = ("SIP/2.0 401 Unauthorized\r\n"
            "Via: SIP/2.0/TCP 192.0.2.10:51015;branch=z9hG4bK776asdhds;received=192.0.2.10\r\n"
            "To: <sip:alice@example.com>;tag=as5e3f2a1b\r\n"
            "From: <sip:alice@example.com>;tag=1928301774\r\n"
            "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
            "CSeq: 1 REGISTER\r\n"
            'WWW-Authenticate: Digest realm="example.com", nonce="5f3b8e2a", algorithm=MD5\r\n'
            "Content-Length: 0\r\n\r\n")
    pk.append(f.data("s", resp))
    pk.append(f.ack("c"))
    pk += f.close()
    write("sip-lookalike.pcap", pk)


def main():
    os.makedirs(OUT, exist_ok=True)
    for fn in (tcp_out_of_order, tcp_retransmission_overlap, tcp_gap, tcp_status_line_split,
               tcp_pipelined, tcp_port_reuse, tcp_midstream, tcp_bad_checksum,
               tcp_timestamps_backwards, tcp_cut_off, tcp_100_continue, tcp_head_401,
               tcp_chunked_401, http_on_port_8081, sip_lookalike):
        fn()


if __name__ == "__main__":
    main()
