"""What the small stdlib test servers here share: a handler that logs to
stdout and answers JSON, and a main that serves on --host/--port until
--max-seconds have passed (so a crashed capture script leaves nothing
running), over TLS when given --tls-cert and --tls-key. Stdlib only;
imported by cookie_server.py, cors_server.py, history_server.py and
jwt_server.py, which run beside it."""

import argparse
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)

    def reply(self, status, body, headers=()):
        """@body as JSON (one line, newline-terminated), then @headers."""
        data = json.dumps(body).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""


def tls_context(cert, key):
    """A server context for HTTPS: OpenSSL's defaults (TLS 1.2 and 1.3), no
    ALPN, so a client offering h2 speaks HTTP/1.1 with this server."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def serve(handler, add_arguments=None, configure=None):
    """Parses --host, --port, --max-seconds (and what @add_arguments adds to
    the parser), calls @configure(args), and serves @handler until
    --max-seconds have passed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    ap.add_argument("--tls-key", help="and this PEM key")
    if add_arguments is not None:
        add_arguments(ap)
    args = ap.parse_args()
    if configure is not None:
        configure(args)
    srv = ThreadingHTTPServer((args.host, args.port), handler)
    srv.daemon_threads = True
    if args.tls_cert:
        srv.socket = tls_context(args.tls_cert, args.tls_key).wrap_socket(
            srv.socket, server_side=True)
    stop = threading.Timer(args.max_seconds, srv.shutdown)
    stop.daemon = True
    stop.start()
    srv.serve_forever()
