#!/bin/bash
# Make the real browser captures in pcaps/: what only browsers do (CORS
# preflights, Secure and SameSite cookies), with headless Chromium (Debian's
# `chromium`), next to curl 7.88 where the two differ; and the malformed
# credentials curl sends when asked to. Versions go to VERSIONS-browser.txt.
#
#   sudo pcaps/make-real-browser.sh
#
# cors-preflight-chromium.pcap: a page on site-a.test fetches
#   site-b.test/strict/data with `Authorization: Bearer` and credentials:
#   "include": Chromium first sends OPTIONS with Access-Control-Request-Method
#   (never with credentials); servers/cors_server.py authenticates every
#   method -> 401, and Chromium never sends the GET.
# cors-preflight-allowed-chromium.pcap: the same page against /fixed/data,
#   whose OPTIONS answers 204 with the CORS headers: the GET follows with the
#   good token -> 200, then (the preflight cached) a GET with a revoked token
#   -> 401 `error="invalid_token"`: a real request's failure, no preflight's.
# cookie-samesite-strict-chromium.pcap: a one-click login on b.localhost sets
#   sid with SameSite=Strict; a page on a.localhost navigates to
#   b.localhost/app/home (top-level, cross-site: Lax cookies would go, Strict
#   ones do not) -> 401. *.localhost is a secure context for Chromium, so the
#   request carries Sec-Fetch-Site: cross-site (over http to another name it
#   sends no Sec-Fetch-*: see cookie-samesite-chromium.pcap, made by
#   make-real-cookies.sh, for the Referer case).
# cookie-samesite-secure-chromium.pcap: b.localhost sets sid with Secure and
#   SameSite=Lax over http; Chromium keeps it (a secure context) and sends it
#   over http to b.localhost/go, whose page goes to a.localhost/cross, whose
#   script fetches b.localhost/api/data with credentials: "include":
#   cross-site, so no Lax cookie -> 401. SameSite kept it back, not Secure:
#   the client had sent it over http.
# cookie-secure-chromium-localhost.pcap: Chromium on http://localhost: the
#   login sets sid with Secure over http; localhost is a secure context, so
#   Chromium keeps it and sends it over http -> 200, no failure.
# cookie-secure-chromium-netns.pcap, cookie-secure-curl-netns.pcap (network
#   namespaces only): the same login with the server in a network namespace
#   of its own at 10.231.PORT-derived address over a veth pair, not loopback:
#   Chromium, and curl, refuse a Secure cookie set over http by a host that is
#   not a secure context, so the next page goes without it -> 401.
# python-malformed-credentials.pcap: curl against servers/auth_server.py with
#   `Authorization: Basic not-base64!` (/basic-only -> 401), an empty
#   `Authorization: Bearer` (/bearer -> 401), and two Authorization headers
#   (alice's wrong password, then her right one; python reads the first ->
#   401), one connection each.
#
# Needs root (tcpdump, ip netns), tcpdump, curl, python3, and for the browser
# captures Debian's chromium (run with --no-sandbox as root, a fresh profile
# in the temp dir); iproute2 with network namespaces for the netns captures.
# What cannot be made here is skipped, and said so. The servers run on free
# loopback ports (and one in the namespace); everything started is stopped,
# and the namespace and its veth removed, on exit, also on error; timeout(1)
# ends the script after $WHY401_MAKE_TIMEOUT seconds (default 180).
set -euo pipefail

HARNESS_NAME=make-real-browser.sh
HARNESS_TOOLS="tcpdump curl"
HARNESS_TIMEOUT=180
. "$(dirname "$0")/lib/harness.sh"
NS=
VETH=

# The namespace goes once nothing runs in it, so the servers stop first;
# the veth goes with it, but its root end is removed by name too in case
# the namespace lingers.
harness_on_exit() {
    stop_servers
    [ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
    [ -z "$VETH" ] || ip link del "$VETH" 2>/dev/null || true
}

# browser_server log-name address port [ip netns exec NS] script args...
browser_server() {
    local name=$1 addr=$2 port=$3
    shift 3
    start_server "$name" "$@" --host "$addr" --port "$port" --max-seconds "$TIMEOUT"
}

quote() { "$PYTHON" -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$1"; }

# chromium profile-name url [flags...]: loads url, runs its scripts (virtual
# time), prints the DOM. Root needs --no-sandbox; each run a fresh profile.
CHROMIUM_N=0
chromium_dom() {
    local url=$1
    shift
    CHROMIUM_N=$((CHROMIUM_N + 1))
    timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$WORK/chromium-$CHROMIUM_N" "$@" \
        --virtual-time-budget=5000 --dump-dom "$url" 2> "$WORK/chromium.log"
}

expect_dom() { # what-it-must-contain dom
    grep -q -- "$1" <<< "$2" || { log "$CAP_NAME: the page does not show '$1':"; echo "$2" >&2; return 1; }
}

# curl with its cookie engine: reads and writes $WORK/jar; checks the status.
ccurl() { # expected-status curl-args...
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -b "$WORK/jar" -c "$WORK/jar" -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}

# The versions of what made the captures; the end of every run that made some.
finish() {
    {
        echo "# Tools that made the browser captures (pcaps/$HARNESS_NAME)"
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        if command -v chromium >/dev/null; then
            echo "chromium: $(chromium --version 2>/dev/null | tail -n 1)"
        fi
        echo "curl: $(curl --version | head -n 1)"
        echo "python3: $("$PYTHON" --version 2>&1)"
        echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
        echo "iproute2: $(ip -V 2>&1 || echo none)"
        echo "kernel: $(uname -sr)"
    } > "$OUT/VERSIONS-browser.txt"
    log "wrote VERSIONS-browser.txt"
    log "done"
    exit 0
}

PA=$(free_port)
browser_server auth-server 127.0.0.1 "$PA" "$PYTHON" "$HERE/servers/auth_server.py"
wait_port "$PA" 127.0.0.1

# ---- malformed credentials (curl) ---------------------------------------------

start_capture python-malformed-credentials.pcap "tcp port $PA" lo
A="http://127.0.0.1:$PA"
ccurl 401 -H 'Authorization: Basic not-base64!' "$A/basic-only"
ccurl 401 -H 'Authorization: Bearer' "$A/bearer"
ccurl 401 -H "Authorization: Basic $(printf 'alice:wrong-password' | base64)" \
    -H "Authorization: Basic $(printf 'alice:secret' | base64)" "$A/basic-only"
finish_capture

if ! command -v chromium >/dev/null; then
    log "no chromium: the cors-*, cookie-*-chromium* and cookie-secure-curl-netns captures not made"
    finish
fi

PC=$(free_port)
PK=$(free_port)
browser_server cors-server 127.0.0.1 "$PC" "$PYTHON" "$HERE/servers/cors_server.py"
browser_server cookie-server 127.0.0.1 "$PK" "$PYTHON" "$HERE/servers/cookie_server.py"
wait_port "$PC" 127.0.0.1
wait_port "$PK" 127.0.0.1
SITES="MAP site-a.test 127.0.0.1, MAP site-b.test 127.0.0.1"

# ---- CORS preflight -------------------------------------------------------------

start_capture cors-preflight-chromium.pcap "tcp port $PC" lo
T=$(quote "http://site-b.test:$PC/strict/data")
DOM=$(chromium_dom "http://site-a.test:$PC/page?target=$T&token=tok-good-1" \
    --host-resolver-rules="$SITES")
expect_dom "failed: Failed to fetch" "$DOM"
finish_capture

start_capture cors-preflight-allowed-chromium.pcap "tcp port $PC" lo
T=$(quote "http://site-b.test:$PC/fixed/data")
DOM=$(chromium_dom "http://site-a.test:$PC/page?target=$T&token=tok-good-1&again=tok-revoked-7" \
    --host-resolver-rules="$SITES")
expect_dom $'200\n401' "$DOM"
finish_capture

# ---- SameSite=Strict on a cross-site navigation ----------------------------------

start_capture cookie-samesite-strict-chromium.pcap "tcp port $PK" lo
# Chromium resolves *.localhost to loopback itself
GO=$(quote "http://a.localhost:$PK/go?to=$(quote "http://b.localhost:$PK/app/home")")
DOM=$(chromium_dom "http://b.localhost:$PK/magic-login?kind=strict&next=$GO")
expect_dom "not_logged_in" "$DOM"
finish_capture

start_capture cookie-samesite-secure-chromium.pcap "tcp port $PK" lo
CROSS=$(quote "http://a.localhost:$PK/cross?target=$(quote "http://b.localhost:$PK/api/data")")
GO=$(quote "http://b.localhost:$PK/go?to=$CROSS")
DOM=$(chromium_dom "http://b.localhost:$PK/magic-login?kind=secure-lax&next=$GO")
expect_dom "<title>done</title>" "$DOM"
finish_capture

# ---- Secure over http: localhost, then a namespace's own address ------------------

start_capture cookie-secure-chromium-localhost.pcap "tcp port $PK" lo
DOM=$(chromium_dom "http://localhost:$PK/magic-login?kind=secure&next=%2Fapp%2Fhome")
expect_dom '"user": "alice"' "$DOM"
finish_capture

NS_OK=
if command -v ip >/dev/null && ip netns add "why401-$PK" 2>/dev/null; then
    NS="why401-$PK"
    VETH="w4b$PK"
    OCTET=$((PK % 250 + 1))
    if ip link add "$VETH" type veth peer name "w4n$PK" 2>/dev/null &&
       ip link set "w4n$PK" netns "$NS" &&
       ip addr add "10.231.$OCTET.1/24" dev "$VETH" && ip link set "$VETH" up &&
       ip netns exec "$NS" ip addr add "10.231.$OCTET.2/24" dev "w4n$PK" &&
       ip netns exec "$NS" ip link set "w4n$PK" up &&
       ip netns exec "$NS" ip link set lo up; then
        NS_OK=1
    fi
fi
if [ -z "$NS_OK" ]; then
    log "no network namespaces here: cookie-secure-*-netns.pcap not made"
    finish
fi
NA=10.231.$OCTET.2
PN=8080
browser_server netns-cookie-server "$NA" "$PN" ip netns exec "$NS" "$PYTHON" "$HERE/servers/cookie_server.py"
wait_port "$PN" "$NA"
N="http://$NA:$PN"

start_capture cookie-secure-chromium-netns.pcap "tcp port $PN" "$VETH"
DOM=$(chromium_dom "$N/magic-login?kind=secure&next=%2Fapp%2Fhome")
expect_dom "not_logged_in" "$DOM"
finish_capture

start_capture cookie-secure-curl-netns.pcap "tcp port $PN" "$VETH"
rm -f "$WORK/jar"
ccurl 200 -d user=alice -d password=secret "$N/login?kind=secure"
ccurl 401 "$N/app/home"
finish_capture

finish
