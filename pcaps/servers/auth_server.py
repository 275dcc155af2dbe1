#!/usr/bin/env python3
"""A small HTTP server (stdlib only) whose endpoints fail authentication in the
ways why401 explains. It makes the python-*.pcap captures (pcaps/make-real.sh)
and serves the live test (tests/live-test.sh).

Usage: python3 auth_server.py [--host 127.0.0.1] [--port PORT] [--max-seconds N]
                              [--session-uses N] [--tls-cert PEM --tls-key PEM]

Endpoints (all HTTP/1.1, keep-alive, Content-Length always set):
  /bearer        Bearer JWT. The token with sub "alice" and an exp in the future
                 passes; a JWT whose exp has passed gets 401 with
                 WWW-Authenticate: Bearer error="invalid_token",
                 error_description="The access token expired" and a JSON body.
                 Anything else: 401 Bearer error="invalid_token" (malformed).
                 No credentials: 401 Bearer realm="api".
  /basic-only    Basic only (alice:secret, bob:hunter2). Any other scheme, or a
                 wrong password: 401 WWW-Authenticate: Basic realm="basic-only".
  /session       Opaque Bearer tokens "sess-*": each token passes for its first
                 --session-uses requests (default 3), then it is revoked: 401
                 Bearer error="invalid_token", error_description="The session
                 was revoked".
  /apikey        X-API-Key: "key-good-123" passes; any other key gets 401 with
                 WWW-Authenticate: ApiKey realm="api", header="X-API-Key" and a
                 JSON body.
  /nochallenge   Basic alice:secret passes; otherwise 401 with NO
                 WWW-Authenticate header (a misconfigured server).
  absolute-form  A request line with an absolute URI (the server is used as a
  requests       proxy, curl -x): 407 with Proxy-Authenticate: Basic
                 realm="proxy" unless Proxy-Authorization carries alice:secret.
  /public        200 to anyone.
Anything else: 404.

The server stops by itself after --max-seconds (default 120) so a crashed test
script never leaves it behind.
"""

import argparse
import base64
import binascii
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASIC_USERS = {"alice": "secret", "bob": "hunter2"}
API_KEYS = {"key-good-123"}
SESSION_USES = 3
_session_count = {}
_session_lock = threading.Lock()


def b64url_decode(part):
    part += "=" * (-len(part) % 4)
    return base64.urlsafe_b64decode(part.encode("ascii"))


def decode_jwt(token):
    """Return the JWT payload as a dict, or None when it is not a JWT.
    The signature is not checked: the test tokens carry a dummy one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    return payload


def parse_basic(value):
    """'Basic xxx' -> (user, password) or None."""
    if not value:
        return None
    scheme, _, rest = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    return user, password


def basic_ok(value):
    creds = parse_basic(value)
    return creds is not None and BASIC_USERS.get(creds[0]) == creds[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "why401-test-server/1.0"

    def log_message(self, fmt, *args):  # quiet: the capture is the log
        pass

    def _send(self, status, body=b"", content_type="text/plain", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj, headers=()):
        self._send(status, json.dumps(obj), "application/json", headers)

    def _drain_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)

    # --- endpoints ---------------------------------------------------------

    def do_bearer(self):
        auth = self.headers.get("Authorization")
        if not auth:
            return self._send(401, "authentication required\n",
                              headers=[("WWW-Authenticate", 'Bearer realm="api"')])
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        payload = decode_jwt(token) if scheme.lower() == "bearer" else None
        if payload is None:
            return self._json(401, {"error": "invalid_token",
                                    "error_description": "The access token is malformed"},
                              [("WWW-Authenticate",
                                'Bearer realm="api", error="invalid_token", '
                                'error_description="The access token is malformed"')])
        exp = payload.get("exp")
        if isinstance(exp, (int, float)) and exp <= time.time():
            desc = "The access token expired"
            return self._json(401, {"error": "invalid_token", "error_description": desc},
                              [("WWW-Authenticate",
                                'Bearer realm="api", error="invalid_token", '
                                'error_description="%s"' % desc)])
        return self._json(200, {"hello": payload.get("sub")})

    def do_basic_only(self):
        if basic_ok(self.headers.get("Authorization")):
            return self._send(200, "welcome\n")
        return self._send(401, "authentication required\n",
                          headers=[("WWW-Authenticate", 'Basic realm="basic-only"')])

    def do_session(self):
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith("sess-"):
            return self._send(401, "authentication required\n",
                              headers=[("WWW-Authenticate", 'Bearer realm="session"')])
        with _session_lock:
            used = _session_count.get(token, 0) + 1
            _session_count[token] = used
        if used <= SESSION_USES:
            return self._json(200, {"request": used})
        desc = "The session was revoked"
        return self._json(401, {"error": "invalid_token", "error_description": desc},
                          [("WWW-Authenticate",
                            'Bearer realm="session", error="invalid_token", '
                            'error_description="%s"' % desc)])

    def do_apikey(self):
        key = self.headers.get("X-API-Key")
        if key in API_KEYS:
            return self._json(200, {"ok": True})
        return self._json(401, {"error": "invalid_api_key",
                                "message": "The API key is not valid"},
                          [("WWW-Authenticate", 'ApiKey realm="api", header="X-API-Key"')])

    def do_nochallenge(self):
        if basic_ok(self.headers.get("Authorization")):
            return self._send(200, "welcome\n")
        return self._json(401, {"message": "Unauthorized"})

    def do_proxy(self):
        if basic_ok(self.headers.get("Proxy-Authorization")):
            return self._send(200, "proxied\n")
        return self._send(407, "proxy authentication required\n",
                          headers=[("Proxy-Authenticate", 'Basic realm="proxy"')])

    def _dispatch(self):
        self._drain_body()
        if self.path.startswith("http://") or self.path.startswith("https://"):
            return self.do_proxy()
        path = self.path.split("?", 1)[0]
        route = {
            "/bearer": self.do_bearer,
            "/basic-only": self.do_basic_only,
            "/session": self.do_session,
            "/apikey": self.do_apikey,
            "/nochallenge": self.do_nochallenge,
            "/public": lambda: self._send(200, "public\n"),
        }.get(path)
        if route is None:
            return self._send(404, "not found\n")
        return route()

    do_GET = _dispatch
    do_POST = _dispatch
    do_HEAD = _dispatch


def main():
    global SESSION_USES
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--session-uses", type=int, default=3)
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    ap.add_argument("--tls-key", help="and this PEM key")
    args = ap.parse_args()
    SESSION_USES = args.session_uses
    ThreadingHTTPServer.allow_reuse_address = True
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.daemon_threads = True
    if args.tls_cert:
        from testserver import tls_context
        httpd.socket = tls_context(args.tls_cert, args.tls_key).wrap_socket(
            httpd.socket, server_side=True)
    timer = threading.Timer(args.max_seconds, httpd.shutdown)
    timer.daemon = True
    timer.start()
    print("listening on %s:%d" % (args.host, args.port), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
