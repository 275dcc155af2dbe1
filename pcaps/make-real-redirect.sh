#!/bin/bash
# Make the redirect and anti-forgery captures in pcaps/: python servers
# (servers/redirect_csrf_server.py) on free loopback ports answer curl and a
# python urllib client while tcpdump records the traffic.
#
#   sudo pcaps/make-real-redirect.sh
#
# python-redirect-cross-origin.pcap  curl -L -u: server A (one port) answers
#     302 to server B (another port: another origin); curl leaves
#     Authorization out on that hop (it does unless --location-trusted), B
#     answers 401.
# python-redirect-same-origin.pcap   curl -L -u: A answers 302 Location:
#     ../new (same origin); curl keeps Authorization, /new answers 200.
# python-csrf-token-missing.pcap     urllib with http.cookiejar: POST /login
#     sets the session cookie; POST /api/items with X-CSRF-Token -> 201; the
#     same without it -> 403 rest_cookie_invalid_nonce.
#
# Needs root (tcpdump on lo), tcpdump, curl, python3. Everything started here
# is stopped on exit, also on error; timeout(1) ends the script after
# $WHY401_MAKE_TIMEOUT seconds (default 120). Timestamps, ports and cookie
# values change on every run.
set -euo pipefail

HARNESS_NAME=make-real-redirect.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

start_role() { # role port [target]
    start_server "server-$1" "$PYTHON" "$HERE/servers/redirect_csrf_server.py" --role "$1" \
        --port "$2" --target "${3:-}" --max-seconds "$TIMEOUT"
    wait_port "$2"
}

expect_code() { # code curl-args...
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl gave $got, expected $want"; return 1; }
}

PA=$(free_port)
PB=$(free_port)
PC=$(free_port)
start_role basic "$PB"
start_role redirect "$PA" "http://127.0.0.1:$PB/data"
start_role csrf "$PC"

start_capture python-redirect-cross-origin.pcap "tcp port $PA or tcp port $PB"
expect_code 401 -L -u user:pass "http://127.0.0.1:$PA/start"
finish_capture

start_capture python-redirect-same-origin.pcap "tcp port $PA"
expect_code 200 -L -u user:pass "http://127.0.0.1:$PA/old/page"
finish_capture

start_capture python-csrf-token-missing.pcap "tcp port $PC"
"$PYTHON" - "$PC" <<'PY'
import http.cookiejar, json, sys, urllib.error, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
opener = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
nonce = json.load(opener.open(urllib.request.Request(base + "/login", data=b"u=user&p=pass")))["nonce"]
body = json.dumps({"title": "x"}).encode()
ok = opener.open(urllib.request.Request(base + "/api/items", data=body,
                                        headers={"X-CSRF-Token": nonce,
                                                 "Content-Type": "application/json"}))
assert ok.status == 201, ok.status
try:
    opener.open(urllib.request.Request(base + "/api/items", data=body,
                                       headers={"Content-Type": "application/json"}))
    sys.exit("expected 403")
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code
PY
finish_capture

log "done"
