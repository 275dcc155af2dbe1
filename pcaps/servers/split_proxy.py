#!/usr/bin/env python3
"""A reverse proxy that opens a new upstream connection for every request.

It keeps the client's connection alive but sends each request to the
upstream server on a fresh TCP connection, closed after the response: what a
load balancer or proxy without connection affinity does, and what breaks
connection-bound authentication (NTLM, Negotiate).

    split_proxy.py LISTEN_PORT UPSTREAM_PORT

GET only; Authorization and the upstream's WWW-Authenticate pass through.
Stdlib only.
"""
import http.client
import http.server
import sys

UPSTREAM = 0
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=5)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream.request("GET", self.path, headers=headers)
        reply = upstream.getresponse()
        body = reply.read()
        upstream.close()
        self.send_response(reply.status, reply.reason)
        for name, value in reply.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    global UPSTREAM
    port, UPSTREAM = int(sys.argv[1]), int(sys.argv[2])
    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
