#!/bin/bash
# Make the forward-proxy captures in pcaps/: squid (Debian's package) as a
# forward proxy on loopback in front of the python servers, curl -x as the
# client; tcpdump records both legs (client -> squid, squid -> origin).
#
#   sudo pcaps/make-real-proxy.sh
#
# squid-authorization-stripped.pcap: squid with `request_header_access
#   Authorization deny all`; curl -x squid -u alice:secret GET
#   /basic-only of servers/auth_server.py: squid forwards it without
#   Authorization, the origin answers 401, squid relays the 401.
# squid-wrong-password.pcap: squid passing credentials through (its
#   default); curl -u alice:wrong: the origin refuses the password it got,
#   squid relays the 401.
# squid-proxy-auth.pcap: squid asking for proxy authentication (Basic,
#   basic_ncsa_auth with an htpasswd file): curl --proxy-anyauth -U
#   alice:secret -u alice:secret GET /basic-only: 407, then the retry
#   with Proxy-Authorization passes (squid forwards Authorization, the
#   origin answers 200); then curl --proxy-basic -U alice:wrong: 407.
# squid-cookie-stripped.pcap: squid with `request_header_access Cookie
#   deny all` in front of servers/cookie_server.py: curl -x squid logs in
#   (POST /login, sid set), then GET /app/home with the cookie: squid
#   forwards it without Cookie, the origin answers 401 (no challenge),
#   squid relays the 401.
#
# Needs root (tcpdump on lo; squid starts as root and drops to the `proxy`
# user), squid, tcpdump, curl, openssl and python3. Each squid runs in the
# foreground (-N) with its own configuration, port, pid file, logs and no
# disk cache in a temp dir, and is stopped after its capture, also on
# error; timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds
# (default 120). The tools' versions go to pcaps/VERSIONS-proxy.txt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}
SQUID=${SQUID:-squid}
NCSA=${NCSA:-/usr/lib/squid/basic_ncsa_auth}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-proxy.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in tcpdump curl openssl "$PYTHON" "$SQUID"; do
    command -v "$tool" >/dev/null || { echo "make-real-proxy.sh: missing $tool" >&2; exit 1; }
done
[ -x "$NCSA" ] || { echo "make-real-proxy.sh: missing $NCSA (squid)" >&2; exit 1; }
id proxy >/dev/null 2>&1 || { echo "make-real-proxy.sh: no user proxy (squid)" >&2; exit 1; }
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-proxy.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=
COOKIE_PID=
SQUID_PID=
TCPDUMP_PID=
log() { echo "make-real-proxy.sh: $*" >&2; }

stop_squid() {
    [ -n "$SQUID_PID" ] || return 0
    kill -TERM "$SQUID_PID" 2>/dev/null || true
    wait "$SQUID_PID" 2>/dev/null || true
    SQUID_PID=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$TCPDUMP_PID" ] || { kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; } || true
    stop_squid
    [ -z "$SERVER_PID" ] || { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; } || true
    [ -z "$COOKIE_PID" ] || { kill -TERM "$COOKIE_PID" 2>/dev/null; wait "$COOKIE_PID" 2>/dev/null; } || true
    [ $rc -eq 0 ] || { log "failed (exit $rc)"; tail -n 20 "$WORK"/*.log "$WORK"/squid/*.log >&2 2>/dev/null || true; }
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

wait_port() { # port what
    local n=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 150 ] || { log "$2 did not start"; return 1; }
        sleep 0.1
    done
}

ORIGIN_PORT=$(free_port)
"$PYTHON" "$HERE/servers/auth_server.py" --port "$ORIGIN_PORT" --max-seconds "$TIMEOUT" \
    > "$WORK/auth-server.log" 2>&1 &
SERVER_PID=$!
COOKIE_PORT=$(free_port)
"$PYTHON" "$HERE/servers/cookie_server.py" --port "$COOKIE_PORT" --max-seconds "$TIMEOUT" \
    > "$WORK/cookie-server.log" 2>&1 &
COOKIE_PID=$!
wait_port "$ORIGIN_PORT" "auth server"
wait_port "$COOKIE_PORT" "cookie server"

# alice:secret for squid's proxy authentication (basic_ncsa_auth reads
# APR1 MD5 hashes)
mkdir -p "$WORK/squid"
echo "alice:$(openssl passwd -apr1 secret)" > "$WORK/squid/htpasswd"
chown -R proxy:proxy "$WORK/squid"

# start_squid LINES: squid on a free port with the common configuration
# plus LINES (access and header rules).
start_squid() {
    PROXY_PORT=$(free_port)
    rm -f "$WORK/squid/"*.log
    cat > "$WORK/squid/squid.conf" <<EOF
http_port 127.0.0.1:$PROXY_PORT
visible_hostname why401-proxy
cache_effective_user proxy
pid_filename $WORK/squid/squid.pid
cache_log $WORK/squid/cache.log
access_log stdio:$WORK/squid/access.log
cache_store_log none
coredump_dir $WORK/squid
cache deny all
cache_mem 4 MB
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
acl lo src 127.0.0.1/32
$1
EOF
    chown proxy:proxy "$WORK/squid/squid.conf"
    "$SQUID" -N -f "$WORK/squid/squid.conf" -n why401px > "$WORK/squid-run.log" 2>&1 &
    SQUID_PID=$!
    wait_port "$PROXY_PORT" squid
}

start_capture() { # file-name
    CAP_NAME=$1
    rm -f "$WORK/jar"
    tcpdump -i lo --immediate-mode -U -s 0 -n -Z root -w "$WORK/$1" \
        "tcp port $PROXY_PORT or tcp port $ORIGIN_PORT or tcp port $COOKIE_PORT" \
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

# curl through the proxy; checks the status.
pcurl() { # expected-status curl-args...
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -x "http://127.0.0.1:$PROXY_PORT" -w '%{http_code}' "$@") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl $* gave $got, expected $want"; return 1; }
}
O="http://127.0.0.1:$ORIGIN_PORT"
C="http://127.0.0.1:$COOKIE_PORT"

start_squid "http_access allow lo
http_access deny all
request_header_access Authorization deny all"
start_capture squid-authorization-stripped.pcap
pcurl 401 -u alice:secret "$O/basic-only"
stop_capture
stop_squid

start_squid "http_access allow lo
http_access deny all"
start_capture squid-wrong-password.pcap
pcurl 401 -u alice:wrong "$O/basic-only"
stop_capture
stop_squid

start_squid "auth_param basic program $NCSA $WORK/squid/htpasswd
auth_param basic realm why401-proxy
acl authed proxy_auth REQUIRED
http_access allow lo authed
http_access deny all"
start_capture squid-proxy-auth.pcap
pcurl 200 --proxy-anyauth -U alice:secret -u alice:secret "$O/basic-only"
pcurl 407 --proxy-basic -U alice:wrong -u alice:secret "$O/basic-only"
stop_capture
stop_squid

start_squid "http_access allow lo
http_access deny all
request_header_access Cookie deny all"
start_capture squid-cookie-stripped.pcap
pcurl 200 -c "$WORK/jar" -d user=alice -d password=secret "$C/login?kind=plain"
pcurl 401 -b "$WORK/jar" "$C/app/home"
stop_capture
stop_squid

{
    echo "# Tools that made the forward-proxy captures (pcaps/make-real-proxy.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "squid: $("$SQUID" -v | head -n 1)"
    echo "python3: $("$PYTHON" --version 2>&1)"
    echo "curl: $(curl --version | head -n 1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-proxy.txt"
log "wrote VERSIONS-proxy.txt"
