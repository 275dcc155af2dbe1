#!/usr/bin/env python3
"""A small HTTP server (stdlib only) with a session cookie login, whose
protected pages fail the ways why401's cookie causes explain. It makes the
cookie-*.pcap captures (pcaps/make-real-cookies.sh).

Usage: python3 cookie_server.py [--host 127.0.0.1] [--port PORT] [--max-seconds N]

Endpoints (HTTP/1.1, keep-alive, Content-Length always set):
  POST /login?kind=K  form user=alice&password=secret (or Basic alice:secret):
                 200 and a session cookie `sid`, whose attributes K chooses:
                   path    Path=/app; HttpOnly
                   short   Path=/; Max-Age=2; HttpOnly
                   secure  Path=/; Secure; HttpOnly
                   plain   Path=/; HttpOnly
                 A wrong password: 403 with a JSON body.
  POST /logout   deletes the session: Set-Cookie: sid=; Path=/; Max-Age=0.
  GET /magic-login?next=URL[&kind=K]  a one-click login for a browser: 200
                 with Set-Cookie: sid=...; Path=/; HttpOnly and the attribute
                 K chooses (lax: SameSite=Lax, the default; strict:
                 SameSite=Strict; secure: Secure; secure-lax: both), and a
                 page that goes on to URL.
  GET /cross?target=URL&then=URL2  a page whose script fetches URL with
                 credentials: "include" (from another site, a cross-site fetch),
                 then goes on to URL2 (a top-level navigation) when given.
  GET /go?to=URL  a page whose script goes on to URL (a top-level navigation
                 started by this site's page).
  /app/*, /api/* need a live session cookie `sid`; without one: 401 with NO
                 WWW-Authenticate (as most session-cookie applications answer)
                 and a JSON body {"error": "not_logged_in", ...}.
  /public        200 to anyone.
Anything else: 404. The server's own session lifetime follows the cookie's
(a `short` session ends after 2 s too).

The server stops by itself after --max-seconds (default 120).
"""

import base64
import json
import secrets
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

from testserver import JsonHandler, serve

USERS = {"alice": "secret"}
COOKIE_ATTRS = {
    "path": "Path=/app; HttpOnly",
    "short": "Path=/; Max-Age=2; HttpOnly",
    "secure": "Path=/; Secure; HttpOnly",
    "plain": "Path=/; HttpOnly",
}
MAGIC_ATTRS = {
    "lax": "Path=/; SameSite=Lax; HttpOnly",
    "strict": "Path=/; SameSite=Strict; HttpOnly",
    "secure": "Path=/; Secure; HttpOnly",
    "secure-lax": "Path=/; Secure; SameSite=Lax; HttpOnly",
}
LIFETIME = {"short": 2.0}
_sessions = {}  # sid -> end time (monotonic) or None
_lock = threading.Lock()


class Handler(JsonHandler):
    server_version = "why401-cookie-test/1"

    def user_ok(self, form):
        user, password = form.get("user", [""])[0], form.get("password", [""])[0]
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return False
        return USERS.get(user) == password

    def session(self):
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:
            return None
        if "sid" not in jar:
            return None
        sid = jar["sid"].value
        with _lock:
            if sid not in _sessions:
                return None
            end = _sessions[sid]
            if end is not None and time.monotonic() >= end:
                del _sessions[sid]
                return None
        return sid

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        form = urllib.parse.parse_qs(self.read_body().decode(errors="replace"))
        if url.path == "/login":
            kind = urllib.parse.parse_qs(url.query).get("kind", ["path"])[0]
            if kind not in COOKIE_ATTRS:
                self.reply(400, {"error": "bad_kind"})
                return
            if not self.user_ok(form):
                self.reply(403, {"error": "bad_login", "message": "Wrong user or password"})
                return
            sid = secrets.token_hex(16)
            life = LIFETIME.get(kind)
            with _lock:
                _sessions[sid] = time.monotonic() + life if life else None
            self.reply(200, {"logged_in": "alice"},
                       [("Set-Cookie", "sid=%s; %s" % (sid, COOKIE_ATTRS[kind]))])
        elif url.path == "/logout":
            sid = self.session()
            if sid is not None:
                with _lock:
                    _sessions.pop(sid, None)
            self.reply(200, {"logged_out": True}, [("Set-Cookie", "sid=; Path=/; Max-Age=0")])
        else:
            self.do_GET()

    def reply_html(self, status, html, headers=()):
        # a page ends with a newline, as served files do: tshark without
        # body reassembly reads a body segment without one as the start of
        # a line and swallows the next response on the connection into it
        data = html.encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query)
        if path == "/magic-login":
            kind = query.get("kind", ["lax"])[0]
            if kind not in MAGIC_ATTRS:
                self.reply(400, {"error": "bad_kind"})
                return
            sid = secrets.token_hex(16)
            with _lock:
                _sessions[sid] = None
            nxt = json.dumps(query.get("next", ["/app/home"])[0])
            self.reply_html(200, "<!doctype html><title>in</title><script>location.href = %s;"
                            "</script>" % nxt,
                            [("Set-Cookie", "sid=%s; %s" % (sid, MAGIC_ATTRS[kind]))])
        elif path == "/cross":
            target = json.dumps(query.get("target", ["/api/data"])[0])
            then = query.get("then", [""])[0]
            after = "location.href = %s;" % json.dumps(then) if then else "document.title = 'done';"
            self.reply_html(200, "<!doctype html><title>cross</title><script>"
                            "fetch(%s, {credentials: 'include', mode: 'no-cors'})"
                            ".finally(() => { %s });</script>" % (target, after))
        elif path == "/go":
            to = json.dumps(query.get("to", ["/app/home"])[0])
            self.reply_html(200, "<!doctype html><title>go</title><script>location.href = %s;"
                            "</script>" % to)
        elif path == "/public":
            self.reply(200, {"public": True})
        elif path.startswith("/app/") or path.startswith("/api/"):
            if self.session() is None:
                self.reply(401, {"error": "not_logged_in",
                                 "message": "Log in first: no valid session cookie"})
            else:
                self.reply(200, {"page": path, "user": "alice"})
        else:
            self.reply(404, {"error": "not_found"})


def main():
    serve(Handler)


if __name__ == "__main__":
    main()
