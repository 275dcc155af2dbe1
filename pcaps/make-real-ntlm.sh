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

HARNESS_NAME=make-real-ntlm.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

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
        start_capture python-ntlm-keepalive.pcap "tcp port $PORT"
        expect 200 "http://127.0.0.1:$PORT/private"
    else
        start_capture python-ntlm-close-after-type2.pcap "tcp port $PORT"
        expect 401 "http://127.0.0.1:$PORT/private"
    fi
    finish_capture
    stop_servers
done

PORT=$(free_port)
PROXY_PORT=$(free_port)
start_server ntlm-behind-proxy "$PYTHON" "$HERE/servers/ntlm_server.py" "$PORT" keepalive
start_server split-proxy "$PYTHON" "$HERE/servers/split_proxy.py" "$PROXY_PORT" "$PORT"
wait_port "$PORT"
wait_port "$PROXY_PORT"
start_capture python-ntlm-split-by-proxy.pcap "tcp port $PORT"
expect 401 "http://127.0.0.1:$PROXY_PORT/private"
finish_capture
