"""A TLS server that requires a client certificate (ssl.CERT_REQUIRED).

    /usr/bin/python3 pcaps/servers/client_cert_server.py PORT CERT KEY

Serves HTTP/1.1 200 to a client that shows a certificate signed by CERT
(itself: a self-signed one); a client without one gets the TLS alert
OpenSSL sends: handshake_failure (40) in TLS 1.2, certificate_required
(116) in TLS 1.3, after the client's Finished, encrypted. Used by
make-real-tls12.sh; stdlib only.
"""
import http.server
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"hello, certificate holder\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write(fmt % args + "\n")


class Server(http.server.HTTPServer):
    def handle_error(self, request, client_address):
        # a client without a certificate is what this server is for
        sys.stderr.write("handshake refused: %s\n" % (sys.exc_info()[1],))


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cert)
    httpd = Server(("127.0.0.1", port), Handler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
