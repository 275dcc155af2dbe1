#!/bin/bash
# Make the credential-history captures in pcaps/: the python history server
# (servers/history_server.py) in its three roles answers curl on loopback
# while tcpdump records.
#
#   sudo pcaps/make-real-history.sh
#
# history-session-lifetime.pcap: curl with its cookie engine (-b/-c jar) logs
#   in (role session: sid without Max-Age, so curl keeps sending it; the
#   server ends the session 3.5 s after its first use), then GETs /app/page1
#   .. /app/page4 one second apart -> 200, /app/page5 and /app/page6 -> 401
#   without WWW-Authenticate: session-expired, with an observed lifetime of
#   about 4 s (the first success to the first refusal).
# history-third-party-api.pcap: a main application (role app, Host app.test)
#   and a "third-party" API (role api, another port, Host api.partner.test),
#   both named with curl --resolve. bob (client 127.0.0.3) succeeds on the
#   application 5 times and calls the API with a token it refuses 4 times;
#   alice (client 127.0.0.2), whose account the application disabled, is
#   refused 3 times: the API stands out in the per-server table, and alice's
#   failures are account-specific (bob succeeds on the same server).
#
# Made with curl 7.88.1, python 3.11.7 and tcpdump 4.99.3 (Debian 12).
# Needs root (tcpdump on lo), tcpdump, curl and python3. The servers run on
# free loopback ports and are stopped on exit, also on error; timeout(1) ends
# the script after $WHY401_MAKE_TIMEOUT seconds (default 120).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-history.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in tcpdump curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-real-history.sh: missing $tool" >&2; exit 1; }
done
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-history.XXXXXX)
SERVER_PIDS=()
TCPDUMP_PID=
log() { echo "make-real-history.sh: $*" >&2; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$TCPDUMP_PID" ] || { kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; } || true
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
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

start_server() { # role port args...
    local role=$1 port=$2 n=0
    shift 2
    "$PYTHON" "$HERE/servers/history_server.py" --role "$role" --port "$port" \
        --max-seconds "$TIMEOUT" "$@" > "$WORK/server-$role.log" 2>&1 &
    SERVER_PIDS+=($!)
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 100 ] || { log "$role server did not start"; exit 1; }
        sleep 0.1
    done
}

start_capture() { # file-name pcap-filter
    CAP_NAME=$1
    rm -f "$WORK/jar"
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

# curl that checks the status: expected-status curl-args...
ccurl() {
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}

SESSION_PORT=$(free_port)
start_server session "$SESSION_PORT" --session-seconds 3.5
start_capture history-session-lifetime.pcap "tcp port $SESSION_PORT"
S="http://127.0.0.1:$SESSION_PORT"
JAR=(-b "$WORK/jar" -c "$WORK/jar")
ccurl 200 "${JAR[@]}" -d user=alice -d password=secret "$S/login"
for i in 1 2 3 4; do
    ccurl 200 "${JAR[@]}" "$S/app/page$i"
    sleep 1
done
ccurl 401 "${JAR[@]}" "$S/app/page5"
sleep 1
ccurl 401 "${JAR[@]}" "$S/app/page6"
stop_capture

APP_PORT=$(free_port)
API_PORT=$(free_port)
start_server app "$APP_PORT"
start_server api "$API_PORT"
start_capture history-third-party-api.pcap "tcp port $APP_PORT or tcp port $API_PORT"
APP=(--resolve "app.test:$APP_PORT:127.0.0.1")
API=(--resolve "api.partner.test:$API_PORT:127.0.0.1")
A="http://app.test:$APP_PORT"
P="http://api.partner.test:$API_PORT"
ccurl 200 --interface 127.0.0.3 "${APP[@]}" -u bob:hunter2 "$A/app/dashboard"
for i in 1 2 3 4; do
    ccurl 401 --interface 127.0.0.3 "${API[@]}" -H "Authorization: Bearer partner-test-key" \
        "$P/v1/quotes?page=$i"
    ccurl 200 --interface 127.0.0.3 "${APP[@]}" -u bob:hunter2 "$A/app/page$i"
    [ "$i" -eq 4 ] || ccurl 401 --interface 127.0.0.2 "${APP[@]}" -u alice:secret \
        "$A/app/page$i"
    sleep 0.3
done
stop_capture
