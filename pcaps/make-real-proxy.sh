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

HARNESS_NAME=make-real-proxy.sh
HARNESS_TOOLS="tcpdump curl openssl ${SQUID:-squid}"
. "$(dirname "$0")/lib/harness.sh"
SQUID=${SQUID:-squid}
NCSA=${NCSA:-/usr/lib/squid/basic_ncsa_auth}
[ -x "$NCSA" ] || { log "missing $NCSA (squid)"; exit 1; }
id proxy >/dev/null 2>&1 || { log "no user proxy (squid)"; exit 1; }

SQUID_PID=
stop_squid() {
    [ -n "$SQUID_PID" ] || return 0
    kill -TERM "$SQUID_PID" 2>/dev/null || true
    wait "$SQUID_PID" 2>/dev/null || true
    SQUID_PID=
}
harness_on_exit() { stop_squid; }

ORIGIN_PORT=$(free_port)
start_server auth-server "$PYTHON" "$HERE/servers/auth_server.py" --port "$ORIGIN_PORT" \
    --max-seconds "$TIMEOUT"
COOKIE_PORT=$(free_port)
start_server cookie-server "$PYTHON" "$HERE/servers/cookie_server.py" --port "$COOKIE_PORT" \
    --max-seconds "$TIMEOUT"
wait_port "$ORIGIN_PORT"
wait_port "$COOKIE_PORT"

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
    wait_port "$PROXY_PORT"
}

# Every capture holds both legs and starts with an empty cookie jar.
proxy_capture() { # file-name
    rm -f "$WORK/jar"
    start_capture "$1" "tcp port $PROXY_PORT or tcp port $ORIGIN_PORT or tcp port $COOKIE_PORT"
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
proxy_capture squid-authorization-stripped.pcap
pcurl 401 -u alice:secret "$O/basic-only"
finish_capture
stop_squid

start_squid "http_access allow lo
http_access deny all"
proxy_capture squid-wrong-password.pcap
pcurl 401 -u alice:wrong "$O/basic-only"
finish_capture
stop_squid

start_squid "auth_param basic program $NCSA $WORK/squid/htpasswd
auth_param basic realm why401-proxy
acl authed proxy_auth REQUIRED
http_access allow lo authed
http_access deny all"
proxy_capture squid-proxy-auth.pcap
pcurl 200 --proxy-anyauth -U alice:secret -u alice:secret "$O/basic-only"
pcurl 407 --proxy-basic -U alice:wrong -u alice:secret "$O/basic-only"
finish_capture
stop_squid

start_squid "http_access allow lo
http_access deny all
request_header_access Cookie deny all"
proxy_capture squid-cookie-stripped.pcap
pcurl 200 -c "$WORK/jar" -d user=alice -d password=secret "$C/login?kind=plain"
pcurl 401 -b "$WORK/jar" "$C/app/home"
finish_capture
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
