#!/usr/bin/env python3
"""A small RFC 7616 Digest server (python http.server) for
pcaps/make-real-digest.sh: the behaviour of servers that check the digest
against the request-target they received (not against the response's uri
parameter), so a response whose uri is not the request's fails the digest
and is answered 401 with a fresh challenge, as a rewriting proxy makes
happen. Apache's mod_auth_digest answers the same request 400 instead.

    digest_server.py --port P [--max-seconds N]

Every path is protected; user alice, password secret, realm "py-digest".
"""
import argparse
import hashlib
import http.server
import os
import re
import threading

REALM = "py-digest"
USERS = {"alice": "secret"}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def parse(value):
    params = {}
    for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', value):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return params


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "why401-digest-server/1"

    def challenge(self):
        nonce = os.urandom(16).hex()
        body = b"authentication required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate",
                         'Digest realm="%s", nonce="%s", qop="auth", algorithm=MD5' % (REALM, nonce))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        authz = self.headers.get("Authorization", "")
        if not authz.lower().startswith("digest "):
            return self.challenge()
        p = parse(authz[7:])
        password = USERS.get(p.get("username", ""))
        if password is None or p.get("realm") != REALM:
            return self.challenge()
        ha1 = md5("%s:%s:%s" % (p["username"], REALM, password))
        # the request-target as received, not p["uri"]
        ha2 = md5("%s:%s" % (self.command, self.path))
        want = md5("%s:%s:%s:%s:%s:%s" % (ha1, p.get("nonce", ""), p.get("nc", ""),
                                          p.get("cnonce", ""), p.get("qop", ""), ha2))
        if p.get("response") != want:
            return self.challenge()
        body = b"digest-protected page\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    threading.Timer(a.max_seconds, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
