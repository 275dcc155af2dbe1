#!/usr/bin/env python3
"""A small HTTP server (stdlib only) for why401's credential-history captures
(pcaps/make-real-history.sh): a session that lasts a few seconds after its
first use, a main application where one account is refused and another
passes, and a "third-party" API that refuses every token.

Usage: python3 history_server.py --role session|app|api [--host 127.0.0.1]
                                 [--port PORT] [--session-seconds S]
                                 [--max-seconds N]

Roles (HTTP/1.1, keep-alive, Content-Length always set, JSON bodies):
  session  POST /login  form user=alice&password=secret: 200 and
                        Set-Cookie: sid=<random>; Path=/; HttpOnly (no
                        Max-Age: the client keeps it). The server ends the
                        session --session-seconds (default 3) after the
                        first request that used it.
           /app/*       needs a live sid: 200; an ended or unknown one: 401
                        with NO WWW-Authenticate (as most cookie
                        applications answer) and {"error": "session_expired"}.
  app      /app/*       Basic: bob:hunter2 passes; alice's account is
                        disabled, so alice gets 401 whatever her password
                        (WWW-Authenticate: Basic realm="app" and
                        {"error": "account_disabled"}), as does anything else.
  api      /v1/*        Bearer: only "partner-live-key" passes; any other
                        token gets 401 with WWW-Authenticate: Bearer
                        realm="partner", error="invalid_token",
                        error_description="Unknown API token".
Anything else: 404. The server stops by itself after --max-seconds
(default 120).
"""

import base64
import binascii
import secrets
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

from testserver import JsonHandler, serve

APP_USERS = {"bob": "hunter2", "alice": "secret"}
APP_DISABLED = {"alice"}
API_TOKENS = {"partner-live-key"}
SESSION_USERS = {"alice": "secret"}
_sessions = {}  # sid -> end time (monotonic) once first used, or None
_lock = threading.Lock()


class Handler(JsonHandler):
    server_version = "why401-history-test/1"
    role = "session"
    session_seconds = 3.0

    # ---- session role
    def session_live(self):
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:
            return False
        if "sid" not in jar:
            return False
        sid = jar["sid"].value
        now = time.monotonic()
        with _lock:
            if sid not in _sessions:
                return False
            end = _sessions[sid]
            if end is None:
                _sessions[sid] = now + self.session_seconds
                return True
            if now >= end:
                del _sessions[sid]
                return False
            return True

    def do_session(self):
        url = urllib.parse.urlsplit(self.path)
        if self.command == "POST" and url.path == "/login":
            form = urllib.parse.parse_qs(self.read_body().decode(errors="replace"))
            user, password = form.get("user", [""])[0], form.get("password", [""])[0]
            if SESSION_USERS.get(user) != password:
                self.reply(403, {"error": "bad_login"})
                return
            sid = secrets.token_hex(16)
            with _lock:
                _sessions[sid] = None
            self.reply(200, {"logged_in": user},
                       [("Set-Cookie", "sid=%s; Path=/; HttpOnly" % sid)])
        elif url.path.startswith("/app/"):
            if self.session_live():
                self.reply(200, {"page": url.path})
            else:
                self.reply(401, {"error": "session_expired",
                                 "message": "Your session has ended: log in again"})
        else:
            self.reply(404, {"error": "not_found"})

    # ---- app role
    def basic_user(self):
        auth = self.headers.get("Authorization", "")
        scheme, _, rest = auth.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(rest.strip(), validate=True).decode()
            user, sep, password = decoded.partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if not sep or APP_USERS.get(user) != password or user in APP_DISABLED:
            return None
        return user

    def do_app(self):
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/app/"):
            self.reply(404, {"error": "not_found"})
            return
        user = self.basic_user()
        if user is None:
            self.reply(401, {"error": "account_disabled" if "Authorization" in self.headers
                             else "login_required"},
                       [("WWW-Authenticate", 'Basic realm="app"')])
        else:
            self.reply(200, {"page": path, "user": user})

    # ---- api role
    def do_api(self):
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/v1/"):
            self.reply(404, {"error": "not_found"})
            return
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip() in API_TOKENS:
            self.reply(200, {"data": path})
        else:
            self.reply(401, {"error": "invalid_token", "error_description": "Unknown API token"},
                       [("WWW-Authenticate", 'Bearer realm="partner", error="invalid_token", '
                                             'error_description="Unknown API token"')])

    def dispatch(self):
        getattr(self, "do_" + self.role)()

    do_GET = dispatch
    do_POST = dispatch


def main():
    def add_arguments(ap):
        ap.add_argument("--role", choices=("session", "app", "api"), required=True)
        ap.add_argument("--session-seconds", type=float, default=3.0)

    def configure(args):
        Handler.role = args.role
        Handler.session_seconds = args.session_seconds

    serve(Handler, add_arguments, configure)


if __name__ == "__main__":
    main()
