#!/bin/bash
# Make the real cookie captures in pcaps/: the python cookie server
# (servers/cookie_server.py) answers curl with its cookie engine (-c/-b jar)
# and python urllib with http.cookiejar on loopback while tcpdump records.
#
#   sudo pcaps/make-real-cookies.sh
#
# cookie-path-curl.pcap: curl logs in (kind=path: sid with Path=/app), GET
#   /app/home carries sid -> 200, GET /api/data cannot -> 401.
# cookie-expired-curl.pcap: curl logs in (kind=short: sid with Max-Age=2),
#   GET /app/home -> 200, 3 s later curl has dropped the cookie -> 401.
# cookie-secure-python.pcap: urllib + http.cookiejar logs in (kind=secure:
#   sid with Secure over http); the cookiejar never sends a Secure cookie over
#   http, so GET /app/home -> 401; then it logs in again (kind=plain), GET
#   /app/profile -> 200, POST /logout deletes sid (Max-Age=0), GET
#   /app/profile -> 401. (Another page than the first: a retry of the same
#   page that passes within 30 s would make the first 401 a `challenge`.)
# cookie-secure-curl.pcap: the same Secure login with curl: curl treats
#   127.0.0.1 as a secure context and sends the cookie over http -> 200, no
#   failure (why insecure-cookie-dropped is decided from what the client did).
# cookie-samesite-chromium.pcap (only when chromium is installed): headless
#   Chromium, site-a.test and site-b.test both mapped to 127.0.0.1: a
#   one-click login on site-b sets sid with SameSite=Lax, a page on site-a
#   fetches site-b's /api/data with credentials: "include" (cross-site: no
#   cookie) -> 401, then navigates to site-b's /app/home (top-level: Lax
#   cookies go) -> 200.
#
# Needs root (tcpdump on lo), tcpdump, curl and python3 (and Debian's
# chromium for the SameSite capture). The server runs on a
# free loopback port and is stopped on exit, also on error; timeout(1) ends
# the script after $WHY401_MAKE_TIMEOUT seconds (default 120).
set -euo pipefail

HARNESS_NAME=make-real-cookies.sh
HARNESS_TOOLS="tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

PORT=$(free_port)
start_server python-server "$PYTHON" "$HERE/servers/cookie_server.py" --port "$PORT" \
    --max-seconds "$TIMEOUT"
wait_port "$PORT"
U="http://127.0.0.1:$PORT"

# Every capture starts with an empty cookie jar.
cookie_capture() { # file-name
    rm -f "$WORK/jar"
    start_capture "$1" "tcp port $PORT"
}

# curl with its cookie engine: reads and writes $WORK/jar; checks the status.
ccurl() { # expected-status curl-args...
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -b "$WORK/jar" -c "$WORK/jar" -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}
LOGIN=(-d user=alice -d password=secret)

cookie_capture cookie-path-curl.pcap
ccurl 200 "${LOGIN[@]}" "$U/login?kind=path"
ccurl 200 "$U/app/home"
ccurl 401 "$U/api/data"
finish_capture

cookie_capture cookie-expired-curl.pcap
ccurl 200 "${LOGIN[@]}" "$U/login?kind=short"
ccurl 200 "$U/app/home"
sleep 3
ccurl 401 "$U/app/home"
finish_capture

cookie_capture cookie-secure-curl.pcap
ccurl 200 "${LOGIN[@]}" "$U/login?kind=secure"
ccurl 200 "$U/app/home"
finish_capture

cookie_capture cookie-secure-python.pcap
"$PYTHON" - "$U" <<'PY'
import http.cookiejar, sys, urllib.error, urllib.parse, urllib.request
base = sys.argv[1]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
login = urllib.parse.urlencode({"user": "alice", "password": "secret"}).encode()

def status(path, data=None):
    try:
        with opener.open(base + path, data=data, timeout=5) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code

steps = [("/login?kind=secure", login, 200), ("/app/home", None, 401),
         ("/login?kind=plain", login, 200), ("/app/profile", None, 200),
         ("/logout", b"", 200), ("/app/profile", None, 401)]
for path, data, want in steps:
    got = status(path, data)
    if got != want:
        sys.exit("urllib %s gave %s, expected %s" % (path, got, want))
PY
finish_capture

if command -v chromium >/dev/null; then
    cookie_capture cookie-samesite-chromium.pcap
    A="http://site-a.test:$PORT"
    B="http://site-b.test:$PORT"
    NEXT=$("$PYTHON" -c 'import sys, urllib.parse as u
a, b = sys.argv[1:]
cross = a + "/cross?target=" + u.quote(b + "/api/data", safe="") + "&then=" + u.quote(b + "/app/home", safe="")
print(u.quote(cross, safe=""))' "$A" "$B")
    # root needs --no-sandbox; the profile is a fresh one in $WORK
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$WORK/chromium" \
        --host-resolver-rules="MAP site-a.test 127.0.0.1, MAP site-b.test 127.0.0.1" \
        --virtual-time-budget=5000 --dump-dom "$B/magic-login?next=$NEXT" \
        > "$WORK/chromium.out" 2> "$WORK/chromium.log"
    grep -q "alice" "$WORK/chromium.out" ||
        { log "chromium did not reach /app/home"; cat "$WORK/chromium.out" >&2; exit 1; }
    finish_capture
else
    log "no chromium: cookie-samesite-chromium.pcap not made"
fi
