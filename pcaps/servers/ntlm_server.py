#!/usr/bin/env python3
"""A small HTTP server that speaks NTLM (MS-NLMP) far enough for curl --ntlm.

It verifies nothing: a type 1 (NEGOTIATE) message gets a valid-looking type 2
(CHALLENGE) in a 401, and any type 3 (AUTHENTICATE) on the connection that was
sent the type 2 gets 200. Connection-bound, as IIS is: the handshake's state
lives with the TCP connection, so a type 3 on a connection that was never sent
a type 2 gets 401 with a fresh "WWW-Authenticate: NTLM".

    ntlm_server.py PORT MODE

MODE:
  keepalive   the type 2 goes on a kept-alive connection (the normal case)
  close       the type 2 comes with "Connection: close" and the server closes
              the connection (what a misconfigured server or proxy does)
Stdlib only.
"""
import base64
import http.server
import struct
import sys

MODE = "keepalive"


def type2_message():
    """An NTLM CHALLENGE message: target name "LAB", a fixed server challenge."""
    target = "LAB".encode("utf-16-le")
    flags = 0x00000001 | 0x00000200 | 0x00008000 | 0x00010000 | 0x00800000 | 0xa0000000
    header_len = 48
    target_info = b"\x02\x00" + struct.pack("<H", len(target)) + target + b"\x00\x00\x00\x00"
    msg = b"NTLMSSP\x00" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(target), len(target), header_len)
    msg += struct.pack("<I", flags)
    msg += bytes.fromhex("0123456789abcdef")            # server challenge
    msg += b"\x00" * 8                                   # reserved
    msg += struct.pack("<HHI", len(target_info), len(target_info), header_len + len(target))
    assert len(msg) == header_len
    return msg + target + target_info


def ntlm_type(value):
    """The NTLM message type in an "NTLM <base64>" header value, or 0."""
    parts = value.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "ntlm":
        return 0
    try:
        raw = base64.b64decode(parts[1])
    except ValueError:
        return 0
    if len(raw) < 12 or raw[:8] != b"NTLMSSP\x00":
        return 0
    return struct.unpack("<I", raw[8:12])[0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ntlm-test/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def reply(self, status, headers=(), body=b""):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        # the handshake's state is the connection's: this handler object
        # lives as long as the TCP connection does
        challenged = getattr(self, "challenged", False)
        kind = ntlm_type(self.headers.get("Authorization", ""))
        if kind == 1:
            self.challenged = True
            headers = [("WWW-Authenticate", "NTLM " + base64.b64encode(type2_message()).decode())]
            if MODE == "close":
                headers.append(("Connection", "close"))
                self.close_connection = True
            self.reply(401, headers, b"challenge\n")
        elif kind == 3 and challenged:
            self.challenged = False
            self.reply(200, [("Content-Type", "text/plain")], b"hello, NTLM user\n")
        else:
            self.reply(401, [("WWW-Authenticate", "NTLM")], b"authentication required\n")


def main():
    global MODE
    port = int(sys.argv[1])
    MODE = sys.argv[2] if len(sys.argv) > 2 else "keepalive"
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
