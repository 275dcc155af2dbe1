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

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-redirect.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in tcpdump curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-real-redirect.sh: missing $tool" >&2; exit 1; }
done
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-redirect.XXXXXX)
PIDS=()
TCPDUMP_PID=
log() { echo "make-real-redirect.sh: $*" >&2; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$TCPDUMP_PID" ] || { kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; } || true
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ $rc -eq 0 ] || { log "failed (exit $rc)"; tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true; }
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'log "stopped (timeout or TERM)"; exit 143' TERM

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() { # role port [target]
    "$PYTHON" "$HERE/servers/redirect_csrf_server.py" --role "$1" --port "$2" \
        --target "${3:-}" --max-seconds "$TIMEOUT" > "$WORK/server-$1.log" 2>&1 &
    PIDS+=($!)
    local n=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 100 ] || { log "server $1 did not start"; return 1; }
        sleep 0.1
    done
}

start_capture() { # file-name filter
    CAP_NAME=$1
    tcpdump -i lo --immediate-mode -U -s 0 -n -Z root -w "$WORK/$1" "$2" \
        > "$WORK/tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
    local n=0
    until grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null; do
        n=$((n + 1))
        kill -0 "$TCPDUMP_PID" 2>/dev/null && [ $n -lt 100 ] || { log "tcpdump did not start"; return 1; }
        sleep 0.1
    done
    sleep 0.2
}

stop_capture() {
    sleep 0.5
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    cp "$WORK/$CAP_NAME" "$OUT/$CAP_NAME.tmp"
    mv "$OUT/$CAP_NAME.tmp" "$OUT/$CAP_NAME"
    log "wrote $CAP_NAME ($(stat -c %s "$OUT/$CAP_NAME") bytes)"
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
start_server basic "$PB"
start_server redirect "$PA" "http://127.0.0.1:$PB/data"
start_server csrf "$PC"

start_capture python-redirect-cross-origin.pcap "tcp port $PA or tcp port $PB"
expect_code 401 -L -u user:pass "http://127.0.0.1:$PA/start"
stop_capture

start_capture python-redirect-same-origin.pcap "tcp port $PA"
expect_code 200 -L -u user:pass "http://127.0.0.1:$PA/old/page"
stop_capture

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
stop_capture

log "done"
