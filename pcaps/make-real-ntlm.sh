#!/bin/bash
# Make the NTLM captures in pcaps/: curl --ntlm (which builds the real NTLM
# legs) against a small connection-bound NTLM server (servers/ntlm_server.py)
# on loopback while tcpdump records the traffic.
#
#   sudo pcaps/make-real-ntlm.sh
#
# python-ntlm-keepalive.pcap: type 1 -> 401 with a type 2, type 3 on the
#   same kept-alive connection -> 200 (the handshake as it should go).
# python-ntlm-close-after-type2.pcap: the server sends its type 2 with
#   "Connection: close" and closes; curl ("Connection closure while
#   negotiating auth") gives up without a type 3.
# python-ntlm-split-by-proxy.pcap: curl talks to servers/split_proxy.py,
#   which keeps curl's connection but opens a new one to the NTLM server for
#   every request; only the proxy -> server side is captured: the type 2
#   goes on one connection, the type 3 on another, and the server (which
#   keeps the handshake with the connection) answers it 401 again.
#
# Needs root (tcpdump on lo), tcpdump, curl and python3. The servers run on
# free loopback ports and are stopped on exit, also on error; timeout(1)
# ends the script after $WHY401_MAKE_TIMEOUT seconds (default 120). Every
# rerun changes timestamps and ports.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-ntlm.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in tcpdump curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-real-ntlm.sh: missing $tool" >&2; exit 1; }
done
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-ntlm.XXXXXX)
PIDS=()
TCPDUMP_PID=
log() { echo "make-real-ntlm.sh: $*" >&2; }

stop_servers() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$TCPDUMP_PID" ] || { kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; } || true
    stop_servers
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

wait_port() {
    local n=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 100 ] || { log "nothing listens on port $1"; return 1; }
        sleep 0.1
    done
}

start_server() { # log-name command...
    local name=$1; shift
    "$@" > "$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}

start_capture() { # file-name port
    CAP_NAME=$1
    tcpdump -i lo --immediate-mode -U -s 0 -n -Z root -w "$WORK/$1" "tcp port $2" \
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

expect() { # status curl-args...
    local want=$1 got; shift
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' --ntlm -u 'LAB\alice:secret' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl gave $got, expected $want"; return 1; }
}

for mode in keepalive close; do
    PORT=$(free_port)
    start_server "ntlm-$mode" "$PYTHON" "$HERE/servers/ntlm_server.py" "$PORT" "$mode"
    wait_port "$PORT"
    if [ "$mode" = keepalive ]; then
        start_capture python-ntlm-keepalive.pcap "$PORT"
        expect 200 "http://127.0.0.1:$PORT/private"
    else
        start_capture python-ntlm-close-after-type2.pcap "$PORT"
        expect 401 "http://127.0.0.1:$PORT/private"
    fi
    stop_capture
    stop_servers
done

PORT=$(free_port)
PROXY_PORT=$(free_port)
start_server ntlm-behind-proxy "$PYTHON" "$HERE/servers/ntlm_server.py" "$PORT" keepalive
start_server split-proxy "$PYTHON" "$HERE/servers/split_proxy.py" "$PROXY_PORT" "$PORT"
wait_port "$PORT"
wait_port "$PROXY_PORT"
start_capture python-ntlm-split-by-proxy.pcap "$PORT"
expect 401 "http://127.0.0.1:$PROXY_PORT/private"
stop_capture
