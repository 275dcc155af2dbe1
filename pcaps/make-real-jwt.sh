#!/bin/bash
# Make the real JWT captures in pcaps/: the python JWT server
# (servers/jwt_server.py: HS256 tokens in a session cookie or an API-key
# header, a clock that can be set off) answers curl on loopback while
# tcpdump records. Two instances share the HMAC key: ISSUER with its clock
# 5 min ahead, and API with its clock 5 min 3 s ahead, beside GOOD (right).
#
#   sudo pcaps/make-real-jwt.sh
#
# jwt-cookie-expired-curl.pcap: curl (-b/-c cookie jar) logs in to GOOD
#   (POST /login?ttl=2: session=<JWT exp in 2 s>, no Max-Age), GET
#   /app/profile with it -> 200; 3 s later curl still sends the cookie, the
#   token has expired -> 401 without WWW-Authenticate, JSON "The token expired".
# jwt-apikey-expired-curl.pcap: curl gets a token from GOOD (POST
#   /token?ttl=2), GET /api/data with X-API-Key -> 200; 3 s later -> 401
#   (WWW-Authenticate: ApiKey, JSON "The token expired").
# jwt-not-yet-valid-curl.pcap: curl logs in to ISSUER (clock 5 min ahead:
#   iat = nbf = 5 min after the capture's clock), then GET /app/profile on
#   GOOD with the cookie -> 401 "The token is not valid yet".
# jwt-server-clock-ahead-curl.pcap: curl gets a token from GOOD valid for
#   2 min (POST /token?ttl=120), then GET /api/data on API (clock 5 min 3 s
#   ahead: its Date header shows it) -> 401 "The token expired".
#
# Needs root (tcpdump on lo), tcpdump, curl and python3. The servers run on
# free loopback ports and are stopped on exit, also on error; timeout(1)
# ends the script after $WHY401_MAKE_TIMEOUT seconds (default 120).
#
# VERSIONS (the captures in git were made with): tcpdump 4.99.3 (libpcap
# 1.10.3), curl 7.88.1, Python 3.11.7 (Debian 12).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-jwt.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in tcpdump curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-real-jwt.sh: missing $tool" >&2; exit 1; }
done
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-jwt.XXXXXX)
SERVER_PIDS=()
TCPDUMP_PID=
log() { echo "make-real-jwt.sh: $*" >&2; }

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    [ -z "$TCPDUMP_PID" ] || { kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; } || true
    for pid in "${SERVER_PIDS[@]}"; do
        { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true
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

start_server() { # name clock-offset -> sets PORT_<name>
    local port n=0
    port=$(free_port)
    "$PYTHON" "$HERE/servers/jwt_server.py" --port "$port" --clock-offset "$2" \
        --max-seconds "$TIMEOUT" > "$WORK/server-$1.log" 2>&1 &
    SERVER_PIDS+=($!)
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 100 ] || { log "server $1 did not start"; exit 1; }
        sleep 0.1
    done
    printf -v "PORT_$1" '%s' "$port"
}
start_server GOOD 0
start_server ISSUER 300
start_server API 303
GOOD="http://127.0.0.1:$PORT_GOOD"
ISSUER="http://127.0.0.1:$PORT_ISSUER"
API="http://127.0.0.1:$PORT_API"

start_capture() { # file-name ports...
    CAP_NAME=$1
    shift
    local filter="" p n=0
    for p in "$@"; do filter="${filter:+$filter or }tcp port $p"; done
    rm -f "$WORK/jar"
    tcpdump -i lo --immediate-mode -U -s 0 -n -Z root -w "$WORK/$CAP_NAME" "$filter" \
        > "$WORK/tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
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

# curl with its cookie engine: reads and writes $WORK/jar; checks the status.
ccurl() { # expected-status curl-args...
    local want=$1 got
    shift
    got=$(curl -sS -o "$WORK/body" -m 5 -b "$WORK/jar" -c "$WORK/jar" -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}
LOGIN=(-d user=alice -d password=secret)
token_from_body() {
    "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/body"
}

start_capture jwt-cookie-expired-curl.pcap "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$GOOD/login?ttl=2"
ccurl 200 "$GOOD/app/profile"
sleep 3
ccurl 401 "$GOOD/app/profile"
stop_capture

start_capture jwt-apikey-expired-curl.pcap "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$GOOD/token?ttl=2"
TOKEN=$(token_from_body)
ccurl 200 -H "X-API-Key: $TOKEN" "$GOOD/api/data"
sleep 3
ccurl 401 -H "X-API-Key: $TOKEN" "$GOOD/api/data"
stop_capture

start_capture jwt-not-yet-valid-curl.pcap "$PORT_ISSUER" "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$ISSUER/login?ttl=900"
ccurl 401 "$GOOD/app/profile"
stop_capture

start_capture jwt-server-clock-ahead-curl.pcap "$PORT_GOOD" "$PORT_API"
ccurl 200 "${LOGIN[@]}" "$GOOD/token?ttl=120"
TOKEN=$(token_from_body)
ccurl 401 -H "X-API-Key: $TOKEN" "$API/api/data"
stop_capture
