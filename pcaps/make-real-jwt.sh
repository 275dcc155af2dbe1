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

HARNESS_NAME=make-real-jwt.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

jwt_server() { # name clock-offset -> sets PORT_<name>
    local port
    port=$(free_port)
    start_server "server-$1" "$PYTHON" "$HERE/servers/jwt_server.py" --port "$port" \
        --clock-offset "$2" --max-seconds "$TIMEOUT"
    wait_port "$port"
    printf -v "PORT_$1" '%s' "$port"
}
jwt_server GOOD 0
jwt_server ISSUER 300
jwt_server API 303
GOOD="http://127.0.0.1:$PORT_GOOD"
ISSUER="http://127.0.0.1:$PORT_ISSUER"
API="http://127.0.0.1:$PORT_API"

# Every capture starts with an empty cookie jar.
jwt_capture() { # file-name ports...
    local name=$1 filter="" p
    shift
    for p in "$@"; do filter="${filter:+$filter or }tcp port $p"; done
    rm -f "$WORK/jar"
    start_capture "$name" "$filter"
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

jwt_capture jwt-cookie-expired-curl.pcap "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$GOOD/login?ttl=2"
ccurl 200 "$GOOD/app/profile"
sleep 3
ccurl 401 "$GOOD/app/profile"
finish_capture

jwt_capture jwt-apikey-expired-curl.pcap "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$GOOD/token?ttl=2"
TOKEN=$(token_from_body)
ccurl 200 -H "X-API-Key: $TOKEN" "$GOOD/api/data"
sleep 3
ccurl 401 -H "X-API-Key: $TOKEN" "$GOOD/api/data"
finish_capture

jwt_capture jwt-not-yet-valid-curl.pcap "$PORT_ISSUER" "$PORT_GOOD"
ccurl 200 "${LOGIN[@]}" "$ISSUER/login?ttl=900"
ccurl 401 "$GOOD/app/profile"
finish_capture

jwt_capture jwt-server-clock-ahead-curl.pcap "$PORT_GOOD" "$PORT_API"
ccurl 200 "${LOGIN[@]}" "$GOOD/token?ttl=120"
TOKEN=$(token_from_body)
ccurl 401 -H "X-API-Key: $TOKEN" "$API/api/data"
finish_capture
