#!/bin/bash
# Live-capture test: why401 -i lo sees a real 401 from the test server.
#
#   tests/live-test.sh WHY401
#
# Skips (exit 77, which meson counts as a skip) when not root, when the
# why401 binary is missing, or when python3 or curl is missing. Otherwise it
# starts pcaps/servers/auth_server.py on a free loopback port, starts
#     WHY401 -i lo -f 'tcp port PORT' --duration 6 --format ndjson -Z root
# in the background, waits 1.5 s for it to open the device, makes curl get a
# 401 (no credentials, never retried) from the server, waits for why401 to
# stop by itself, and checks that its ndjson output holds a finding with
# status 401. Bounded in time; stops everything it started on exit.
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
"$PYTHON" "$SERVER" --port "$PORT" --max-seconds 30 > "$TMP/server.log" 2>&1 &
SERVER_PID=$!
n=0
until grep -q listening "$TMP/server.log" 2>/dev/null; do
    n=$((n + 1))
    [ $n -lt 150 ] && kill -0 "$SERVER_PID" 2>/dev/null || fail "test server did not start"
    sleep 0.1
done

# --duration ends the capture by itself; timeout is only a safety net.
timeout -k 5 20 "$WHY401" -i lo -f "tcp port $PORT" --duration 6 --format ndjson -Z root \
    > "$TMP/why401.out" 2> "$TMP/why401.err" &
WHY_PID=$!
sleep 1.5
kill -0 "$WHY_PID" 2>/dev/null || { wait "$WHY_PID"; fail "why401 exited early (status $?)"; }

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
