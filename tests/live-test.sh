#!/bin/bash
# Live-capture test: why401 -i lo sees a real 401 from the test server, and
# behaves as tcpdump does on the way.
#
#   tests/live-test.sh WHY401
#
# Skips (exit 77, which meson counts as a skip) when not root, when the
# why401 binary is missing, or when python3 or curl is missing. Otherwise it
# starts pcaps/servers/auth_server.py on a free loopback port, then twice:
#  1. WHY401 -i lo -p -f 'tcp port PORT' --duration 6 --format ndjson -Z root
#     in the background, waits 1.5 s for it to open the device, makes curl
#     get a 401 (no credentials, never retried) from the server, waits for
#     why401 to stop by itself, and checks that its ndjson output holds a
#     finding with status 401; that stderr has tcpdump's "listening on lo,
#     link-type EN10MB (Ethernet), snapshot length N bytes" line and, at the
#     end, its counts (captured, received by filter, dropped by kernel), the
#     captured count being the summary's packets; and that -p left lo's
#     promiscuity count alone (ip -d link) while it ran.
#  2. the same in text and without -p, for --duration 40: lo's promiscuity
#     count rises while it runs (promiscuous by default), and the failure's
#     lines reach stdout while the capture still runs (a failure is decided
#     30 s after its response), not only when it stops.
# Bounded in time; stops everything it started on exit.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SERVER="$HERE/../pcaps/servers/auth_server.py"
WHY401=${1:-}
PYTHON=${PYTHON:-python3}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "live capture needs root"
[ -n "$WHY401" ] || skip "no why401 binary given (usage: $0 WHY401)"
[ -x "$WHY401" ] || skip "why401 binary not found: $WHY401"
command -v "$PYTHON" >/dev/null || skip "no $PYTHON"
command -v curl >/dev/null || skip "no curl"
[ -f "$SERVER" ] || { echo "FAIL: missing $SERVER"; exit 1; }

TMP=$(mktemp -d /tmp/why401-live.XXXXXX)
SERVER_PID=
WHY_PID=
cleanup() {
    [ -n "$WHY_PID" ] && kill -TERM "$WHY_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null
    [ -n "$WHY_PID" ] && wait "$WHY_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "FAIL: $*"
    for f in "$TMP"/why401.out "$TMP"/why401.err "$TMP"/server.log; do
        [ -s "$f" ] && { echo "--- $(basename "$f")"; head -n 40 "$f"; }
    done
    exit 1
}

PORT=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$PYTHON" "$SERVER" --port "$PORT" --max-seconds 60 > "$TMP/server.log" 2>&1 &
SERVER_PID=$!
n=0
until grep -q listening "$TMP/server.log" 2>/dev/null; do
    n=$((n + 1))
    [ $n -lt 150 ] && kill -0 "$SERVER_PID" 2>/dev/null || fail "test server did not start"
    sleep 0.1
done

# lo's promiscuity count (ip -d link), or nothing when ip cannot say.
promiscuity() {
    ip -d link show lo 2>/dev/null | sed -n 's/.* promiscuity \([0-9]*\).*/\1/p' | head -n 1
}
PROMISC_BEFORE=$(promiscuity)

# --duration ends the capture by itself; timeout is only a safety net.
timeout -k 5 20 "$WHY401" -i lo -p -f "tcp port $PORT" --duration 6 --format ndjson -Z root \
    > "$TMP/why401.out" 2> "$TMP/why401.err" &
WHY_PID=$!
sleep 1.5
kill -0 "$WHY_PID" 2>/dev/null || { wait "$WHY_PID"; fail "why401 exited early (status $?)"; }
PROMISC_DURING=$(promiscuity)
grep -Eq '^listening on lo, link-type EN10MB \(Ethernet\), snapshot length [0-9]+ bytes$' \
    "$TMP/why401.err" || fail "no tcpdump-style 'listening on lo, ...' line on stderr at the start"

code=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/basic-only") ||
    fail "curl could not reach the test server"
[ "$code" = 401 ] || fail "the test server answered $code, expected 401"

wait "$WHY_PID"
rc=$?
WHY_PID=
case $rc in
    0|1) ;;
    124|137) fail "why401 did not stop after --duration 6 (killed by timeout)" ;;
    *) fail "why401 exited with status $rc" ;;
esac

"$PYTHON" - "$TMP/why401.out" <<'PY' || fail "no finding with status 401 in why401's ndjson output"
import json, sys
found = False
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        if obj.get("type") == "finding" and obj.get("status") == 401:
            found = True
            print("found: kind=%s cause=%s response_frame=%s"
                  % (obj.get("kind"), obj.get("cause"), obj.get("response_frame")))
sys.exit(0 if found else 1)
PY
[ $rc -eq 1 ] || fail "why401 found a 401 failure but exited with status $rc, expected 1"
echo "PASS: why401 saw the live 401"

# tcpdump's counts at the end; "captured" is what why401 analysed.
packets=$("$PYTHON" -c 'import json, sys
print([json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["packets"])' "$TMP/why401.out")
grep -qx "$packets packets\{0,1\} captured" "$TMP/why401.err" ||
    fail "no '$packets packets captured' line on stderr (the summary counted $packets)"
grep -Eq '^[0-9]+ packets? received by filter$' "$TMP/why401.err" ||
    fail "no 'N packets received by filter' line on stderr"
grep -Eq '^[0-9]+ packets? dropped by kernel$' "$TMP/why401.err" ||
    fail "no 'N packets dropped by kernel' line on stderr"
[ "$(tail -n 1 "$TMP/why401.err" | sed 's/^[0-9]* //')" = "packets dropped by kernel" ] ||
    [ "$(tail -n 1 "$TMP/why401.err" | sed 's/^[0-9]* //')" = "packet dropped by kernel" ] ||
    fail "the kernel's counts are not the last lines on stderr"
echo "PASS: tcpdump's listening line and kernel counts ($packets packets captured)"
if [ -n "$PROMISC_BEFORE" ]; then
    [ "$PROMISC_DURING" = "$PROMISC_BEFORE" ] ||
        fail "-p: lo's promiscuity went from $PROMISC_BEFORE to $PROMISC_DURING"
    echo "PASS: -p left lo's promiscuity at $PROMISC_BEFORE"
fi

# 2. Text, promiscuous: the failure is printed as soon as it is decided.
PROMISC_BEFORE=$(promiscuity)
timeout -k 5 70 "$WHY401" -i lo -f "tcp port $PORT" --duration 40 -Z root \
    > "$TMP/why401.out" 2> "$TMP/why401.err" &
WHY_PID=$!
sleep 1.5
kill -0 "$WHY_PID" 2>/dev/null || { wait "$WHY_PID"; fail "why401 exited early (status $?)"; }
PROMISC_DURING=$(promiscuity)
code=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/basic-only") ||
    fail "curl could not reach the test server"
[ "$code" = 401 ] || fail "the test server answered $code, expected 401"
n=0
until grep -q 'GET /basic-only -> 401' "$TMP/why401.out"; do
    kill -0 "$WHY_PID" 2>/dev/null || fail "the failure was not printed before the capture stopped"
    n=$((n + 1))
    [ $n -lt 450 ] || fail "the failure was not printed within 45 s"
    sleep 0.1
done
kill -0 "$WHY_PID" 2>/dev/null || fail "the failure was not printed before the capture stopped"
echo "PASS: the failure was printed while the capture ran (after $((n / 10)) s)"
grep -q 'interface lo:' "$TMP/why401.out" && fail "the summary came before the capture stopped"
wait "$WHY_PID"
rc=$?
WHY_PID=
[ $rc -eq 1 ] || fail "why401 exited with status $rc, expected 1"
grep -q '^interface lo: ' "$TMP/why401.out" || fail "no summary at the end of the text report"
[ "$(grep -c 'GET /basic-only -> 401' "$TMP/why401.out")" = 1 ] ||
    fail "the failure was printed again at the end"
if [ -n "$PROMISC_BEFORE" ]; then
    [ "$PROMISC_DURING" -gt "$PROMISC_BEFORE" ] ||
        fail "lo's promiscuity stayed at $PROMISC_BEFORE: not promiscuous by default"
    echo "PASS: promiscuous by default (lo's promiscuity $PROMISC_BEFORE -> $PROMISC_DURING)"
fi

# -i any: Linux cooked v2, the link type tcpdump asks for there, and what
# comes in it is read.
timeout -k 5 20 "$WHY401" -i any -f "tcp port $PORT" --duration 4 --format ndjson -Z root \
    > "$TMP/any.out" 2> "$TMP/any.err" &
WHY_PID=$!
sleep 1.5
grep -Eq '^listening on any, link-type LINUX_SLL2 \(Linux cooked v2\), snapshot length [0-9]+ bytes$' \
    "$TMP/any.err" || fail "-i any did not open as LINUX_SLL2, as tcpdump does"
code=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/basic-only") ||
    fail "curl could not reach the test server"
wait "$WHY_PID"
WHY_PID=
grep -q '"status":401' "$TMP/any.out" || fail "the 401 was not seen through -i any"
echo "PASS: -i any opens as LINUX_SLL2 (Linux cooked v2) and its 401 is seen"
