#!/usr/bin/env python3
"""A small HTTP server (stdlib only) for what only browsers do across
origins: a page on one site calls an API on another with a Bearer token, so
the browser sends a CORS preflight first. It makes the cors-*.pcap captures
(pcaps/make-real-browser.sh), with two site names mapped to this one server.

Usage: python3 cors_server.py [--host 127.0.0.1] [--port PORT] [--max-seconds N]

Endpoints (HTTP/1.1, keep-alive, Content-Length always set):
  GET /page?target=URL&token=T[&again=T2]
                 an HTML page whose script fetches URL with credentials:
                 "include" and `Authorization: Bearer T` (a header that makes
                 the browser send an OPTIONS preflight before a cross-origin
                 request), and when `again` is given, fetches URL once more
                 with Bearer T2. It writes what each fetch gave into the
                 page's <pre id="result"> ("200", "401", "failed: ..."), then
                 sets the title to "done".
  /strict/data   authentication before everything, as a server whose auth
                 filter runs ahead of its CORS handling: every method,
                 OPTIONS too, needs `Authorization: Bearer tok-good-1`;
                 without it 401 `WWW-Authenticate: Bearer realm="api"`, no
                 CORS headers. A preflight never carries credentials, so the
                 browser never sends the real request.
  /fixed/data    the same API with the preflight let through: OPTIONS answers
                 204 with Access-Control-Allow-Origin (the request's Origin),
                 -Credentials: true, -Headers: Authorization, -Methods: GET;
                 GET with tok-good-1 gets 200, any other token 401
                 `Bearer realm="api", error="invalid_token"`, both with the
                 CORS headers so the page can read them.
Anything else: 404. The server stops by itself after --max-seconds (default 120).
"""

import json
import urllib.parse

from testserver import JsonHandler, serve

GOOD_TOKEN = "tok-good-1"

PAGE = """<!doctype html><title>calling</title><pre id="result"></pre><script>
const out = document.getElementById("result");
async function call(token) {
  try {
    const r = await fetch(%(target)s, {credentials: "include",
                                       headers: {"Authorization": "Bearer " + token}});
    out.textContent += r.status + "\\n";
  } catch (e) {
    out.textContent += "failed: " + e.message + "\\n";
  }
}
(async () => {
  await call(%(token)s);
  if (%(again)s !== null) await call(%(again)s);
  document.title = "done";
})();
</script>
"""


class Handler(JsonHandler):
    server_version = "why401-cors-test/1"

    def send(self, status, ctype, data, headers=()):
        self.send_response(status)
        if data:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def reply(self, status, body, headers=()):
        self.send(status, "application/json", json.dumps(body).encode() + b"\n", headers)

    def bearer(self):
        auth = self.headers.get("Authorization", "")
        return auth[7:].strip() if auth.startswith("Bearer ") else None

    def cors_headers(self):
        origin = self.headers.get("Origin")
        if origin is None:
            return []
        return [("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin")]

    def api(self, fixed):
        if fixed and self.command == "OPTIONS":
            self.send(204, "", b"", self.cors_headers() + [
                ("Access-Control-Allow-Headers", "Authorization"),
                ("Access-Control-Allow-Methods", "GET")])
            return
        extra = self.cors_headers() if fixed else []
        token = self.bearer()
        if token == GOOD_TOKEN:
            self.reply(200, {"data": [1, 2, 3], "user": "alice"}, extra)
        elif token is None:
            self.reply(401, {"error": "unauthorized", "message": "Bearer token required"},
                       extra + [("WWW-Authenticate", 'Bearer realm="api"')])
        else:
            self.reply(401, {"error": "invalid_token", "message": "Unknown token"},
                       extra + [("WWW-Authenticate",
                                 'Bearer realm="api", error="invalid_token"')])

    def page(self, query):
        def js(name):
            value = query.get(name, [None])[0]
            return json.dumps(value)
        html = PAGE % {"target": js("target"), "token": js("token"), "again": js("again")}
        self.send(200, "text/html; charset=utf-8", html.encode())

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/strict/data":
            self.api(fixed=False)
        elif url.path == "/fixed/data":
            self.api(fixed=True)
        elif url.path == "/page" and self.command == "GET":
            self.page(urllib.parse.parse_qs(url.query))
        else:
            self.reply(404, {"error": "not_found"})

    do_GET = do_OPTIONS = do_POST = route


def main():
    serve(Handler)


if __name__ == "__main__":
    main()
