#!/bin/bash
# Make the Digest captures in pcaps/: apache2 mod_auth_digest (nonce-count
# checking on) answers curl --digest and a python Digest client
# (pcaps/clients/digest_client.py, which computes real RFC 7616 responses
# with hashlib over the parameters each scenario chooses) on loopback while
# tcpdump records the traffic. Set up as pcaps/make-real.sh sets up apache2.
#
#   sudo pcaps/make-real-digest.sh      # writes pcaps/apache-digest-*.pcap
#
# Needs root (tcpdump on lo), apache2 with mod_auth_digest, tcpdump, curl,
# openssl and python3. The server runs under a temporary directory with its
# own configuration on a free loopback port; nothing of the system's is
# read or changed. Everything started here is stopped on exit, also on
# error, and timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "make-real-digest.sh: needs root (tcpdump on lo)" >&2
    exit 1
fi
for tool in apache2 tcpdump curl openssl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "make-real-digest.sh: missing $tool" >&2; exit 1; }
done
[ -f /usr/lib/apache2/modules/mod_auth_digest.so ] ||
    { echo "make-real-digest.sh: missing apache2 mod_auth_digest" >&2; exit 1; }

if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/why401-digest.XXXXXX)
chmod 755 "$WORK"          # apache children run unprivileged
APACHE_PID=
PY_PID=
TCPDUMP_PID=

log() { echo "make-real-digest.sh: $*" >&2; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    if [ -n "$PY_PID" ]; then
        kill -TERM "$PY_PID" 2>/dev/null || true
        wait "$PY_PID" 2>/dev/null || true
    fi
    if [ -n "$APACHE_PID" ]; then
        kill -TERM "$APACHE_PID" 2>/dev/null || true
        local n=0
        while kill -0 "$APACHE_PID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        kill -KILL "$APACHE_PID" 2>/dev/null || true
        wait "$APACHE_PID" 2>/dev/null || true
    fi
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

wait_port() {
    local n=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt 100 ] || { log "nothing listens on port $1"; return 1; }
        sleep 0.1
    done
}

# ------------------------------------------------------------------ server ---

PORT=$(free_port)
PY_PORT=$(free_port)
mkdir -p "$WORK/apache/www/digest"
echo "digest-protected page" > "$WORK/apache/www/digest/index.html"
echo "another digest-protected page" > "$WORK/apache/www/digest/other.html"
chmod -R a+rX "$WORK/apache"
printf 'alice:digest-realm:%s\n' \
    "$(printf 'alice:digest-realm:secret' | openssl md5 -r | cut -d' ' -f1)" > "$WORK/htdigest"
chmod 644 "$WORK/htdigest"
MODS=/usr/lib/apache2/modules
cat > "$WORK/apache.conf" <<CONF
ServerRoot $WORK/apache
ServerName localhost
Listen 127.0.0.1:$PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authn_file_module $MODS/mod_authn_file.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_digest_module $MODS/mod_auth_digest.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
User www-data
Group www-data
PidFile $WORK/apache.pid
DefaultRuntimeDir $WORK/apache
Mutex file:$WORK/apache default
ErrorLog $WORK/apache-error.log
LogLevel info
TypesConfig /etc/mime.types
DirectoryIndex index.html
KeepAlive On
StartServers 1
ServerLimit 1
AuthDigestShmemSize 64k
DocumentRoot $WORK/apache/www
<Directory />
    Require all denied
</Directory>
<Directory $WORK/apache/www>
    Require all granted
</Directory>
<Location /digest/>
    AuthType Digest
    AuthName "digest-realm"
    AuthDigestDomain /digest/
    AuthDigestProvider file
    AuthUserFile $WORK/htdigest
    # refuse a nonce count the client already used (RFC 7616 3.4)
    AuthDigestNcCheck On
    Require valid-user
</Location>
# a reverse proxy that rewrites the path on its way to the python Digest
# server: /app/x reaches it as /protected/x, Authorization unchanged
ProxyPass /app/ http://127.0.0.1:$PY_PORT/protected/
CONF
apache2 -t -f "$WORK/apache.conf" 2>"$WORK/apache-configtest.log"
apache2 -f "$WORK/apache.conf" -DFOREGROUND > "$WORK/apache-stdout.log" 2>&1 &
APACHE_PID=$!
wait_port "$PORT"
"$PYTHON" "$HERE/servers/digest_server.py" --port "$PY_PORT" --max-seconds "$TIMEOUT" \
    > "$WORK/python-server.log" 2>&1 &
PY_PID=$!
wait_port "$PY_PORT"
log "apache2 on $PORT, python Digest server on $PY_PORT"

# ---------------------------------------------------------------- captures ---

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
    sleep 0.5
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    cp "$CAP_FILE" "$OUT/$CAP_NAME.tmp"
    mv "$OUT/$CAP_NAME.tmp" "$OUT/$CAP_NAME"
    log "wrote $CAP_NAME ($(stat -c %s "$OUT/$CAP_NAME") bytes)"
}

# client EXPECTED-STATUSES scenario [port path]: the python client, its
# statuses checked.
client() {
    local want=$1 got
    got=$("$PYTHON" "$HERE/clients/digest_client.py" --port "${3:-$PORT}" --path "${4:-/digest/}" "$2")
    [ "$got" = "$want" ] || { log "$CAP_NAME: $2 gave '$got', expected '$want'"; return 1; }
}

A="http://127.0.0.1:$PORT"

# curl --digest, right password, two pages on one connection: nc=00000001
# then nc=00000002 with the same nonce (no replay, no failure after the
# challenge)
start_capture apache-digest-curl-two-pages.pcap "tcp port $PORT"
got=$(curl -sS -m 5 --digest -u alice:secret -o /dev/null -o /dev/null -w '%{http_code} ' \
    "$A/digest/" "$A/digest/other.html")
[ "$got" = "200 200 " ] || { log "curl gave '$got'"; exit 1; }
stop_capture

start_capture apache-digest-nc-replay.pcap "tcp port $PORT"
client "200 401" nc-replay
stop_capture

start_capture apache-digest-realm-mismatch.pcap "tcp port $PORT"
client "401" realm-mismatch
stop_capture

start_capture apache-digest-algorithm-mismatch.pcap "tcp port $PORT"
client "401" algorithm
stop_capture

# Apache answers a uri that is not the request's with 400 Bad Request
# (mod_auth_digest: "uri mismatch"), not 401: no finding, by design
start_capture apache-digest-uri-mismatch.pcap "tcp port $PORT"
client "400" uri-mismatch
stop_capture

# the python server computes the digest over the request-target it got:
# the uri=/other response to GET /protected/x fails, 401 with a fresh challenge
start_capture python-digest-uri-mismatch.pcap "tcp port $PY_PORT"
client "401" uri-mismatch "$PY_PORT" /protected/x
stop_capture

# curl --digest through the rewriting proxy: curl's uri=/app/x is right for
# the request it sent, but the origin gets GET /protected/x with it, 401
start_capture apache-proxy-digest-uri-rewritten.pcap "tcp port $PORT or tcp port $PY_PORT"
got=$(curl -sS -m 5 --digest -u alice:secret -o /dev/null -w '%{http_code}' "$A/app/x") || true
[ "$got" = "401" ] || { log "$CAP_NAME: curl gave '$got', expected 401"; exit 1; }
stop_capture

grep -E 'mismatch|nonce|nc|algorithm' "$WORK/apache-error.log" | sed 's/^/  apache: /' >&2 || true
log "done"
