#!/usr/bin/env python3
"""A small HTTP server (stdlib only) that issues and checks HS256 JWTs
(hmac + hashlib), in a session cookie and in an API-key header, with a
clock that can be set off by a configured number of seconds. It makes the
jwt-*.pcap captures (pcaps/make-real-jwt.sh).

Usage: python3 jwt_server.py [--host 127.0.0.1] [--port PORT]
                             [--clock-offset SECONDS] [--max-seconds N]

--clock-offset shifts this server's clock: the `Date` header it sends, the
iat/nbf/exp of the tokens it issues and the time it checks tokens against
(a server whose clock is off, as a host without NTP would be). All
instances share one HMAC key, so one instance checks another's tokens.

Endpoints (HTTP/1.1, keep-alive, Content-Length always set):
  POST /login?ttl=N  form user=alice&password=secret: 200 and
                 Set-Cookie: session=<JWT>; Path=/; HttpOnly (no Max-Age: the
                 cookie outlives the token, as in many single-page apps),
                 the JWT valid for N seconds (default 600) by this server's
                 clock. A wrong password: 403.
  POST /token?ttl=N  the same form: 200 {"token": "<JWT>"} (for an API key).
  GET /app/*     needs the cookie `session` with a valid JWT; else 401 with
                 NO WWW-Authenticate (as cookie applications answer) and a
                 JSON body {"error": "invalid_token", "error_description": ...}.
  GET /api/*     needs X-API-Key with a valid JWT; else 401 with
                 WWW-Authenticate: ApiKey realm="api" and the same JSON body.
  A JWT is valid when its signature matches, exp is later than now, and
  nbf and iat are not later than now (no leeway: the server is strict).
  The descriptions say which: "The token expired", "The token is not valid
  yet", "Bad signature", "No token".
Anything else: 404.

The server stops by itself after --max-seconds (default 120).
"""

import base64
import email.utils
import hashlib
import hmac
import json
import time
import urllib.parse
from http.cookies import SimpleCookie

from testserver import JsonHandler, serve

USERS = {"alice": "secret"}
KEY = b"why401-test-hmac-key-not-a-secret"
ISSUER = "why401-jwt-test"
AUDIENCE = "why401-api"
OFFSET = 0.0  # seconds this server's clock is off (set by --clock-offset)


def now():
    return time.time() + OFFSET


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(sub, ttl):
    t = int(now())
    header = {"alg": "HS256", "typ": "JWT", "kid": "test-1"}
    claims = {"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": t, "nbf": t, "exp": t + ttl}
    signing = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(KEY, signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64url(sig)


def check(token):
    """None when valid, else the description of what is wrong."""
    if not token:
        return "No token"
    try:
        head, body, sig = token.split(".")
        want = hmac.new(KEY, (head + "." + body).encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, b64url_decode(sig)):
            return "Bad signature"
        claims = json.loads(b64url_decode(body))
    except (ValueError, TypeError):
        return "Bad token"
    t = now()
    if claims.get("exp", 0) <= t:
        return "The token expired"
    if claims.get("nbf", 0) > t or claims.get("iat", 0) > t:
        return "The token is not valid yet"
    return None


class Handler(JsonHandler):
    server_version = "why401-jwt-test/1"

    def date_time_string(self, timestamp=None):
        # the Date header by this server's (possibly wrong) clock
        return email.utils.formatdate(now() if timestamp is None else timestamp, usegmt=True)

    def read_form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        return urllib.parse.parse_qs(raw.decode(errors="replace"))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        form = self.read_form()
        user, password = form.get("user", [""])[0], form.get("password", [""])[0]
        if url.path not in ("/login", "/token"):
            self.reply(404, {"error": "not_found"})
            return
        if USERS.get(user) != password:
            self.reply(403, {"error": "bad_login", "message": "Wrong user or password"})
            return
        token = issue(user, int(query.get("ttl", ["600"])[0]))
        if url.path == "/login":
            self.reply(200, {"logged_in": user},
                       [("Set-Cookie", "session=%s; Path=/; HttpOnly" % token)])
        else:
            self.reply(200, {"token": token})

    def cookie_token(self):
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:
            return None
        return jar["session"].value if "session" in jar else None

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/app/"):
            why = check(self.cookie_token())
            challenge = []
        elif path.startswith("/api/"):
            why = check(self.headers.get("X-API-Key"))
            challenge = [("WWW-Authenticate", 'ApiKey realm="api"')]
        else:
            self.reply(404, {"error": "not_found"})
            return
        if why is None:
            self.reply(200, {"page": path, "user": "alice"})
        else:
            self.reply(401, {"error": "invalid_token", "error_description": why}, challenge)


def main():
    def add_arguments(ap):
        ap.add_argument("--clock-offset", type=float, default=0.0)

    def configure(args):
        global OFFSET
        OFFSET = args.clock_offset

    serve(Handler, add_arguments, configure)


if __name__ == "__main__":
    main()
