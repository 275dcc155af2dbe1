#!/bin/bash
# Make the real captures of odd but valid-enough requests in pcaps/: the
# python auth server (servers/auth_server.py) answers curl and a raw-socket
# python client on loopback while tcpdump records the traffic.
#
#   sudo pcaps/make-real-odd.sh
#
# python-header-padding-wrong-password.pcap: curl sends 90 padding fields of
#   800 bytes (a 72 KB header block, beyond header-bytes' 64 KiB) and after
#   them alice's wrong Basic password to /basic-only -> 401.
# python-header-padding-beyond-auth.pcap: the same padding, then four
#   20 KB Cookie fields (80 KB of authentication fields, beyond
#   auth-header-bytes: the fourth is cut) and the same Authorization -> 401.
# python-ctl-byte-in-target.pcap: 50 requests with a 0x01 byte in the
#   request target (python's http.server accepts it, llhttp does not), each
#   with alice's wrong Basic password, one connection each -> 50 x 401.
# python-odd-field-name.pcap: a request with a Latin-1 byte in one field
#   name ("X-Tr\xe4ce"), then alice's right Basic password: python's
#   http.server stops reading fields at that name, so it answers 401.
# python-request-line-odd.pcap: alice's wrong Basic password three times,
#   one connection each: "GET<TAB>/basic-only<TAB>HTTP/1.1" (python splits
#   on any whitespace), "GET /basic-only HTTP/1.2" (python takes any 1.x)
#   and a request with a bare CR inside a field value (python takes it;
#   llhttp refuses it, and why401 counts it as not parsed) -> 3 x 401.
#
# Needs root (tcpdump on lo), tcpdump, curl and python3. The server runs on a
# free loopback port and is stopped on exit, also on error; timeout(1) ends
# the script after $WHY401_MAKE_TIMEOUT seconds (default 120).
set -euo pipefail

HARNESS_NAME=make-real-odd.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

PORT=$(free_port)
start_server python-server "$PYTHON" "$HERE/servers/auth_server.py" --port "$PORT" \
    --max-seconds "$TIMEOUT"
wait_port "$PORT"

expect_401() {
    local got
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "$@") || true
    [ "$got" = 401 ] || { log "$CAP_NAME: curl gave $got, expected 401"; return 1; }
}

# curl puts -u's Authorization before the -H fields: given as the last -H
# field instead, it comes after the padding, as the cut must be tested
AUTH="Authorization: Basic $(printf alice:wrong-password | base64 -w0)"
PAD=()
for i in $(seq -w 1 90); do
    PAD+=(-H "X-Pad-$i: $(head -c 800 /dev/zero | tr '\0' 'p')")
done
COOKIES=()
for i in 1 2 3 4; do
    COOKIES+=(-H "Cookie: pad$i=$(head -c 20000 /dev/zero | tr '\0' 'c')")
done

start_capture python-header-padding-wrong-password.pcap "tcp port $PORT"
expect_401 "${PAD[@]}" -H "$AUTH" "http://127.0.0.1:$PORT/basic-only"
finish_capture

start_capture python-header-padding-beyond-auth.pcap "tcp port $PORT"
expect_401 "${PAD[@]}" "${COOKIES[@]}" -H "$AUTH" "http://127.0.0.1:$PORT/basic-only"
finish_capture

start_capture python-ctl-byte-in-target.pcap "tcp port $PORT"
"$PYTHON" - "$PORT" <<'PY'
import base64, socket, sys, time
port = int(sys.argv[1])
cred = base64.b64encode(b"alice:wrong-password").decode()
for i in range(50):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET /basic-only?attempt=%d&x=\x01 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               "Authorization: Basic %s\r\nConnection: close\r\n\r\n" % (i + 1, port, cred)).encode())
    reply = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        reply += chunk
    s.close()
    if not reply.startswith(b"HTTP/1.0 401") and not reply.startswith(b"HTTP/1.1 401"):
        sys.exit("attempt %d: %r" % (i + 1, reply[:40]))
    time.sleep(0.05)
PY
finish_capture

start_capture python-odd-field-name.pcap "tcp port $PORT"
"$PYTHON" - "$PORT" <<'PY'
import base64, socket, sys
port = int(sys.argv[1])
cred = base64.b64encode(b"alice:secret").decode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /basic-only HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Tr\xe4ce: 1\r\n"
          b"Authorization: Basic %s\r\nConnection: close\r\n\r\n" % (port, cred.encode()))
# the server did not read "Connection: close" either: read one response
# (its Content-Length) and close
reply = b""
while b"\r\n\r\n" not in reply:
    reply += s.recv(65536)
head, body = reply.split(b"\r\n\r\n", 1)
length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
while length and len(body) < length[0]:
    body += s.recv(65536)
s.close()
if b" 401 " not in reply.split(b"\r\n", 1)[0]:
    sys.exit("odd field name: %r" % reply[:40])
PY
finish_capture

start_capture python-request-line-odd.pcap "tcp port $PORT"
"$PYTHON" - "$PORT" <<'PY'
import base64, socket, sys, time
port = int(sys.argv[1])
cred = base64.b64encode(b"alice:wrong-password")
for line, extra in ((b"GET\t/basic-only\tHTTP/1.1", b""), (b"GET /basic-only HTTP/1.2", b""),
                    (b"GET /basic-only HTTP/1.1", b"X-Note: a\rb\r\n")):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(line + b"\r\nHost: 127.0.0.1:%d\r\n%sAuthorization: Basic %s\r\n"
              b"Connection: close\r\n\r\n" % (port, extra, cred))
    # python may stop reading fields early (the bare CR) and miss
    # "Connection: close": read one response by its Content-Length
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += s.recv(65536)
    head, body = reply.split(b"\r\n\r\n", 1)
    length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
              if l.lower().startswith(b"content-length:")]
    while length and len(body) < length[0]:
        body += s.recv(65536)
    s.close()
    if b" 401 " not in reply.split(b"\r\n", 1)[0]:
        sys.exit("%r: %r" % (line, reply[:40]))
    time.sleep(0.05)
PY
finish_capture
