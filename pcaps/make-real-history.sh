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

HARNESS_NAME=make-real-history.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

history_server() { # role port args...
    local role=$1 port=$2
    shift 2
    start_server "server-$role" "$PYTHON" "$HERE/servers/history_server.py" --role "$role" \
        --port "$port" --max-seconds "$TIMEOUT" "$@"
    wait_port "$port"
}

# Every capture starts with an empty cookie jar.
history_capture() { # file-name pcap-filter
    rm -f "$WORK/jar"
    start_capture "$1" "$2"
}

# curl that checks the status: expected-status curl-args...
ccurl() {
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}

SESSION_PORT=$(free_port)
history_server session "$SESSION_PORT" --session-seconds 3.5
history_capture history-session-lifetime.pcap "tcp port $SESSION_PORT"
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
finish_capture

APP_PORT=$(free_port)
API_PORT=$(free_port)
history_server app "$APP_PORT"
history_server api "$API_PORT"
history_capture history-third-party-api.pcap "tcp port $APP_PORT or tcp port $API_PORT"
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
finish_capture
