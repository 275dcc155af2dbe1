#!/usr/bin/python3
"""Make the crafted HTTP/2 captures in pcaps/: bad input (h2-bad-*.pcap)
and a server that refuses NTLM over HTTP/2 (h2-reset-http11-required.pcap).

    /usr/bin/python3 pcaps/make-crafted-h2.py [OUTDIR]

Needs Debian's python3-scapy (hence /usr/bin/python3); the TCP side comes
from make-crafted-tcp.py (its Flow and write: fixed timestamps, addresses,
ports and ISNs, so the files are byte-identical on every run). Each is
HTTP/2 with prior knowledge on port 80 whose framing or HPACK breaks
somewhere; what comes before the break is read (a 401 on stream 1 in most),
the break is one warning, and nothing is concluded from what follows. See
pcaps/README.md for what each one shows.
"""

import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("crafted_tcp", os.path.join(HERE, "make-crafted-tcp.py"))
tcp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tcp)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, GOAWAY, CONTINUATION = 0, 1, 3, 4, 7, 9
PROTOCOL_ERROR, COMPRESSION_ERROR = 0x1, 0x9
END_STREAM, END_HEADERS = 0x1, 0x4


def frame(ftype, flags, sid, payload=b"", length=None):
    n = len(payload) if length is None else length
    return struct.pack(">I", n)[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def lit(name, value):
    """HPACK literal field without indexing, new name (RFC 7541 6.2.2)."""
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def request(path, *fields):
    # :method GET and :scheme http from the static table (indexes 2 and 6)
    block = b"\x82\x86" + lit(":path", path) + lit(":authority", "api.example")
    for name, value in fields:
        block += lit(name, value)
    return block


def response(status, *fields):
    block = lit(":status", status)
    for name, value in fields:
        block += lit(name, value)
    return block


def goaway(last_sid, code):
    return frame(GOAWAY, 0, 0, struct.pack(">II", last_sid, code))


def start(f):
    """Handshake, the client's preface with SETTINGS, the server's SETTINGS
    and both ACKs."""
    pk = f.handshake()
    pk.append(f.data("c", PREFACE + frame(SETTINGS, 0, 0)))
    pk.append(f.data("s", frame(SETTINGS, 0, 0, struct.pack(">HI", 3, 100)) + frame(SETTINGS, 1, 0)))
    pk.append(f.data("c", frame(SETTINGS, 1, 0)))
    return pk


def first_401(f):
    """A GET on stream 1 answered 401 with a Basic challenge and a body."""
    return [
        f.data("c", frame(HEADERS, END_HEADERS | END_STREAM, 1, request("/private"))),
        f.data("s", frame(HEADERS, END_HEADERS, 1,
                          response("401", ("www-authenticate", 'Basic realm="api"'),
                                   ("content-type", "text/plain")))
               + frame(DATA, END_STREAM, 1, b"login required\n")),
    ]


def garbage_after_preface():
    """The preface, then an HTTP/1 request line where frames should be."""
    f = tcp.Flow(cport=52001)
    pk = f.handshake()
    pk.append(f.data("c", PREFACE + b"GET /private HTTP/1.1\r\nHost: api.example\r\n\r\n"))
    pk.append(f.data("s", frame(SETTINGS, 0, 0)))
    pk += f.close()
    tcp.write("h2-bad-garbage-after-preface.pcap", pk)


def headers_interrupted():
    """A HEADERS frame without END_HEADERS followed by DATA instead of its
    CONTINUATION (RFC 9113 6.10), after a 401 that is read; the server
    answers GOAWAY PROTOCOL_ERROR, as a real one does."""
    f = tcp.Flow(cport=52002)
    pk = start(f) + first_401(f)
    block = request("/next", ("authorization", "Basic YWxpY2U6d3Jvbmc="))
    pk.append(f.data("c", frame(HEADERS, 0, 3, block[:8]) + frame(DATA, END_STREAM, 3, b"x")))
    pk.append(f.data("s", goaway(1, PROTOCOL_ERROR)))
    pk += f.close()
    tcp.write("h2-bad-headers-interrupted.pcap", pk)


def frame_over_limit():
    """A HEADERS frame whose header claims 16 MiB - 1 (over h2-frame-bytes,
    1 MiB): the limit is said at once, without waiting for its bytes."""
    f = tcp.Flow(cport=52003)
    pk = start(f) + first_401(f)
    pk.append(f.data("c", frame(HEADERS, END_HEADERS, 3, request("/big"), length=0xFFFFFF)))
    pk += f.close()
    tcp.write("h2-bad-frame-over-limit.pcap", pk)


def hpack_error():
    """A header block that is not valid HPACK (an index past both tables),
    after a 401 that is read; the server answers GOAWAY COMPRESSION_ERROR."""
    f = tcp.Flow(cport=52004)
    pk = start(f) + first_401(f)
    pk.append(f.data("c", frame(HEADERS, END_HEADERS | END_STREAM, 3, b"\x82\xff\x7f")))
    pk.append(f.data("s", goaway(1, COMPRESSION_ERROR)))
    pk += f.close()
    tcp.write("h2-bad-hpack-error.pcap", pk)


def truncated_at_end():
    """The capture ends in the middle of the server's HEADERS frame: its
    401 is not complete, so it is not reported (a warning says a message is
    missing)."""
    f = tcp.Flow(cport=52005)
    pk = start(f)
    pk.append(f.data("c", frame(HEADERS, END_HEADERS | END_STREAM, 1, request("/private"))))
    whole = frame(HEADERS, END_HEADERS, 1, response("401", ("www-authenticate", 'Basic realm="api"')))
    pk.append(f.data("s", whole[:20]))
    tcp.write("h2-bad-truncated-at-end.pcap", pk)


NTLM_TYPE1 = "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw=="


def reset_http11_required():
    """What IIS does to Windows authentication over HTTP/2: a 401 offering
    Negotiate and NTLM on stream 1, then the client's NTLM type 1 on
    stream 3 is reset with HTTP_1_1_REQUIRED (0xd). Crafted until a real
    capture of it exists."""
    f = tcp.Flow(cport=52006)
    pk = start(f)
    pk.append(f.data("c", frame(HEADERS, END_HEADERS | END_STREAM, 1, request("/intranet/"))))
    pk.append(f.data("s", frame(HEADERS, END_HEADERS, 1,
                                response("401", ("www-authenticate", "Negotiate"),
                                         ("www-authenticate", "NTLM"),
                                         ("server", "Microsoft-IIS/10.0")))
                     + frame(DATA, END_STREAM, 1, b"401 - Unauthorized")))
    pk.append(f.data("c", frame(HEADERS, END_HEADERS | END_STREAM, 3,
                                request("/intranet/", ("authorization", NTLM_TYPE1)))))
    pk.append(f.data("s", frame(RST_STREAM, 0, 3, struct.pack(">I", 0xd))))
    pk += f.close()
    tcp.write("h2-reset-http11-required.pcap", pk)


def main():
    os.makedirs(tcp.OUT, exist_ok=True)
    for fn in (garbage_after_preface, headers_interrupted, frame_over_limit, hpack_error,
               truncated_at_end, reset_http11_required):
        fn()


if __name__ == "__main__":
    main()
