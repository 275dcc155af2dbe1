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

HARNESS_NAME=make-real-digest.sh
HARNESS_TOOLS="apache2 tcpdump curl openssl"
. "$(dirname "$0")/lib/harness.sh"
[ -f /usr/lib/apache2/modules/mod_auth_digest.so ] || { log "missing apache2 mod_auth_digest"; exit 1; }

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
PIDS+=($!)
wait_port "$PORT"
"$PYTHON" "$HERE/servers/digest_server.py" --port "$PY_PORT" --max-seconds "$TIMEOUT" \
    > "$WORK/python-server.log" 2>&1 &
PIDS+=($!)
wait_port "$PY_PORT"
log "apache2 on $PORT, python Digest server on $PY_PORT"

# ---------------------------------------------------------------- captures ---

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
finish_capture

start_capture apache-digest-nc-replay.pcap "tcp port $PORT"
client "200 401" nc-replay
finish_capture

start_capture apache-digest-realm-mismatch.pcap "tcp port $PORT"
client "401" realm-mismatch
finish_capture

start_capture apache-digest-algorithm-mismatch.pcap "tcp port $PORT"
client "401" algorithm
finish_capture

# Apache answers a uri that is not the request's with 400 Bad Request
# (mod_auth_digest: "uri mismatch"), not 401: no finding, by design
start_capture apache-digest-uri-mismatch.pcap "tcp port $PORT"
client "400" uri-mismatch
finish_capture

# the python server computes the digest over the request-target it got:
# the uri=/other response to GET /protected/x fails, 401 with a fresh challenge
start_capture python-digest-uri-mismatch.pcap "tcp port $PY_PORT"
client "401" uri-mismatch "$PY_PORT" /protected/x
finish_capture

# curl --digest through the rewriting proxy: curl's uri=/app/x is right for
# the request it sent, but the origin gets GET /protected/x with it, 401
start_capture apache-proxy-digest-uri-rewritten.pcap "tcp port $PORT or tcp port $PY_PORT"
got=$(curl -sS -m 5 --digest -u alice:secret -o /dev/null -w '%{http_code}' "$A/app/x") || true
[ "$got" = "401" ] || { log "$CAP_NAME: curl gave '$got', expected 401"; exit 1; }
finish_capture

grep -E 'mismatch|nonce|nc|algorithm' "$WORK/apache-error.log" | sed 's/^/  apache: /' >&2 || true
log "done"
