#!/usr/bin/env python3
"""A small HTTP server (stdlib only) for the redirect and anti-forgery captures
(pcaps/make-real-redirect.sh). One process plays one role:

  --role redirect  /start     302, Location: the --target URL (another origin)
                   /old/page  302, Location: ../new (relative: same origin)
                   /new       Basic user:pass -> 200, else 401 Basic realm="a"
  --role basic     /data      Basic user:pass -> 200, else 401 Basic realm="b"
  --role csrf      POST /login      200, Set-Cookie: sessionid=...; Path=/;
                                    HttpOnly, and a JSON {"nonce": ...}
                   POST /api/items  with the session cookie and X-CSRF-Token
                                    equal to the nonce -> 201; with the cookie
                                    but no (or a wrong) token -> 403 JSON
                                    {"code": "rest_cookie_invalid_nonce", ...}
                                    as WordPress answers; no cookie -> 401
                                    {"code": "rest_not_logged_in", ...}

Usage: redirect_csrf_server.py --role ROLE --port PORT [--target URL]
                               [--max-seconds N]
HTTP/1.1, keep-alive, Content-Length always set. The server stops by itself
after --max-seconds (default 120).
"""

import argparse
import base64
import http.server
import json
import secrets
import threading

GOOD_BASIC = "Basic " + base64.b64encode(b"user:pass").decode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "why401-test/1"
    sessions = {}  # session id -> nonce

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, status, obj, headers=()):
        self.reply(status, json.dumps(obj).encode(),
                   [("Content-Type", "application/json; charset=UTF-8"), *headers])

    def basic(self, realm):
        if self.headers.get("Authorization") == GOOD_BASIC:
            self.reply(200, b"ok\n", [("Content-Type", "text/plain")])
        else:
            self.reply(401, b"authentication required\n",
                       [("WWW-Authenticate", 'Basic realm="%s"' % realm),
                        ("Content-Type", "text/plain")])

    def session(self):
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "sessionid" and value in self.sessions:
                return value
        return None

    def do_GET(self):
        role = self.server.role
        if role == "redirect" and self.path == "/start":
            self.reply(302, b"", [("Location", self.server.target)])
        elif role == "redirect" and self.path == "/old/page":
            self.reply(302, b"", [("Location", "../new")])
        elif role == "redirect" and self.path == "/new":
            self.basic("a")
        elif role == "basic" and self.path == "/data":
            self.basic("b")
        else:
            self.reply(404, b"not found\n", [("Content-Type", "text/plain")])

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.server.role != "csrf":
            self.reply(404, b"not found\n")
        elif self.path == "/login":
            sid, nonce = secrets.token_hex(16), secrets.token_hex(8)
            self.sessions[sid] = nonce
            self.reply_json(200, {"nonce": nonce},
                            [("Set-Cookie", "sessionid=%s; Path=/; HttpOnly" % sid)])
        elif self.path.startswith("/api/"):
            sid = self.session()
            if sid is None:
                self.reply_json(401, {"code": "rest_not_logged_in",
                                      "message": "You are not currently logged in.",
                                      "data": {"status": 401}})
            elif self.headers.get("X-CSRF-Token") != self.sessions[sid]:
                self.reply_json(403, {"code": "rest_cookie_invalid_nonce",
                                      "message": "Cookie check failed",
                                      "data": {"status": 403}})
            else:
                self.reply_json(201, {"id": 1})
        else:
            self.reply(404, b"not found\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", choices=["redirect", "basic", "csrf"], required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--target", default="")
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    srv = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    srv.role, srv.target = args.role, args.target
    threading.Timer(args.max_seconds, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
