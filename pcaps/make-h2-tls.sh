#!/bin/bash
# Make the HTTP/2 and TLS test captures in pcaps/: what why401 cannot read
# yet (HTTP/2 is not parsed, TLS is not decrypted) and must say so. Real
# servers answer curl on loopback while tcpdump records the traffic.
#
#   sudo pcaps/make-h2-tls.sh      # writes pcaps/h2-prior-knowledge-403.pcap,
#                                  # pcaps/h2c-upgrade-404.pcap,
#                                  # pcaps/tls-sni-not-decrypted.pcap,
#                                  # pcaps/VERSIONS-h2-tls.txt
#
# Needs root (tcpdump on lo), nginx (with http2 and ssl), apache2 (with
# mod_http2, which answers an h2c upgrade; nginx does not), openssl, curl
# (with HTTP/2), tcpdump and python3. Every
# server runs under a temporary directory with its own configuration on a
# free loopback port; no system configuration is read or changed. Everything
# started here is stopped on exit, also on error, and timeout(1) ends the
# script after $WHY401_MAKE_TIMEOUT seconds (default 120).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-h2-tls.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in nginx apache2 openssl tcpdump curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-h2-tls.sh: missing $tool" >&2; exit 1; }
done
curl --version | grep -q HTTP2 || { echo "make-h2-tls.sh: curl without HTTP/2" >&2; exit 1; }
[ -f /usr/lib/apache2/modules/mod_http2.so ] ||
    { echo "make-h2-tls.sh: missing apache2 mod_http2" >&2; exit 1; }

# The whole run is bounded: re-run this script under timeout(1), whose TERM
# reaches the cleanup trap below.
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-h2tls.XXXXXX)
chmod 755 "$WORK"          # nginx workers and apache children run unprivileged
PIDS=()                    # servers, in start order
TCPDUMP_PID=

log() { echo "make-h2-tls.sh: $*" >&2; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    local i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM "${PIDS[i]}" 2>/dev/null || true
    done
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        # bounded wait: a server that ignores TERM gets KILL after 5 s
        local n=0
        while kill -0 "${PIDS[i]}" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        kill -KILL "${PIDS[i]}" 2>/dev/null || true
        wait "${PIDS[i]}" 2>/dev/null || true
    done
    if [ $rc -ne 0 ]; then
        log "failed (exit $rc); server logs were in $WORK:"
        tail -n 20 "$WORK"/*.log 2>/dev/null >&2 || true
    fi
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

# Wait until something accepts connections on 127.0.0.1:$1 (before any capture
# starts, so these probes are never recorded).
wait_port() {
    local n=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt 100 ] || { log "nothing listens on port $1"; return 1; }
        sleep 0.1
    done
}

# ---------------------------------------------------------------- servers ---

H2C_PORT=$(free_port)      # nginx: HTTP/2 in cleartext, prior knowledge only
TLS_PORT=$(free_port)      # nginx: TLS (ALPN h2 and http/1.1)
UPG_PORT=$(free_port)      # apache2 mod_http2: h2c upgrade
mkdir -p "$WORK/nginx-tmp" "$WORK/www/forbidden" "$WORK/apache/www"
echo "not for you" > "$WORK/www/forbidden/secret.txt"
chmod -R a+rX "$WORK/www" "$WORK/apache"

# A self-signed certificate for the name the client asks for (SNI).
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=api.example.test" \
    -addext "subjectAltName=DNS:api.example.test" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log"
chmod 644 "$WORK/key.pem" "$WORK/cert.pem"

cat > "$WORK/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    default_type text/plain;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$H2C_PORT http2;
        server_name localhost;
        root $WORK/www;
        location /forbidden/ { deny all; }
    }
    server {
        listen 127.0.0.1:$TLS_PORT ssl http2;
        server_name api.example.test;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        root $WORK/www;
        location /forbidden/ { deny all; }
    }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" > "$WORK/nginx.log" 2>&1 &
PIDS+=($!)
MODS=/usr/lib/apache2/modules
cat > "$WORK/apache.conf" <<EOF
ServerRoot $WORK/apache
ServerName localhost
Listen 127.0.0.1:$UPG_PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule http2_module $MODS/mod_http2.so
User www-data
Group www-data
PidFile $WORK/apache.pid
DefaultRuntimeDir $WORK/apache
Mutex file:$WORK/apache default
ErrorLog $WORK/apache-error.log
LogLevel warn
KeepAlive On
StartServers 1
ServerLimit 1
Protocols h2c http/1.1
DocumentRoot $WORK/apache/www
<Directory />
    Require all denied
</Directory>
<Directory $WORK/apache/www>
    Require all granted
</Directory>
EOF
apache2 -f "$WORK/apache.conf" -DFOREGROUND > "$WORK/apache.log" 2>&1 &
PIDS+=($!)

wait_port "$H2C_PORT"
wait_port "$TLS_PORT"
wait_port "$UPG_PORT"
log "nginx h2c on $H2C_PORT, nginx TLS on $TLS_PORT, apache2 h2c upgrade on $UPG_PORT"

# --------------------------------------------------------------- captures ---

CAP_NAME=
CAP_FILE=

start_capture() { # file-name bpf-filter
    CAP_NAME=$1
    CAP_FILE="$WORK/$1"
    tcpdump -i lo --immediate-mode -U -s 0 -n -Z root -w "$CAP_FILE" "$2" > "$WORK/tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
    local n=0
    until grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null; do
        n=$((n + 1))
        kill -0 "$TCPDUMP_PID" 2>/dev/null && [ $n -lt 100 ] ||
            { log "tcpdump did not start: $(cat "$WORK/tcpdump.log")"; return 1; }
        sleep 0.1
    done
    sleep 0.2
}

stop_capture() {
    sleep 0.5               # let the last FIN/ACKs reach the capture
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    grep -E "packets (captured|dropped by kernel)" "$WORK/tcpdump.log" | sed "s/^/  $CAP_NAME: /" >&2 || true
}

save_capture() {
    cp "$CAP_FILE" "$OUT/$CAP_NAME.tmp"
    mv "$OUT/$CAP_NAME.tmp" "$OUT/$CAP_NAME"
    log "wrote $CAP_NAME ($(stat -c %s "$OUT/$CAP_NAME") bytes)"
}

# req EXPECTED-STATUS EXPECTED-HTTP-VERSION curl-args...: run curl, check
# the final status code and the HTTP version it spoke.
req() {
    local want=$1 want_version=$2 got
    shift 2
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code} %{http_version}' "$@") || true
    if [ "$got" != "$want $want_version" ]; then
        log "$CAP_NAME: curl $* gave '$got', expected '$want $want_version'"
        return 1
    fi
}

#   HTTP/2 with prior knowledge: a 403 that why401 cannot see yet
start_capture h2-prior-knowledge-403.pcap "tcp port $H2C_PORT"
req 403 2 --http2-prior-knowledge "http://127.0.0.1:$H2C_PORT/forbidden/secret.txt"
stop_capture; save_capture

#   h2c upgrade (Upgrade: h2c, 101, then HTTP/2): apache refuses (401, 403)
#   before it would upgrade, so a refusal stays HTTP/1.1 and curl 7.88 cannot
#   send a second request on an upgraded connection; a missing page is
#   upgraded and answered 404 inside HTTP/2. The point is the not-parsed
#   info: what HTTP/2 carries is not seen.
start_capture h2c-upgrade-404.pcap "tcp port $UPG_PORT"
req 404 2 --http2 "http://127.0.0.1:$UPG_PORT/missing/report.txt"
stop_capture; save_capture

#   TLS with SNI api.example.test, twice: curl offering h2 (ALPN h2,http/1.1),
#   then HTTP/1.1 only; both get a 403 inside TLS
start_capture tls-sni-not-decrypted.pcap "tcp port $TLS_PORT"
req 403 2 -k --resolve "api.example.test:$TLS_PORT:127.0.0.1" \
    "https://api.example.test:$TLS_PORT/forbidden/secret.txt"
req 403 1.1 -k --http1.1 --resolve "api.example.test:$TLS_PORT:127.0.0.1" \
    "https://api.example.test:$TLS_PORT/forbidden/secret.txt"
stop_capture; save_capture

# ---------------------------------------------------------------- versions --

{
    echo "# Tools that made the HTTP/2 and TLS captures (pcaps/make-h2-tls.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "apache2: $(apache2 -v | sed -n 's/^Server version: //p')"
    echo "openssl: $(openssl version)"
    echo "curl: $(curl --version | head -n 1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-h2-tls.txt"
log "wrote VERSIONS-h2-tls.txt"
log "done"
