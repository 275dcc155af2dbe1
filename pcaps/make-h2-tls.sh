#!/bin/bash
# Make the HTTP/2 and TLS test captures in pcaps/: HTTP/2 that why401 reads
# (prior knowledge, h2c upgrade) and TLS it cannot decrypt (no keys), which it
# must say. Real
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

HARNESS_NAME=make-h2-tls.sh
HARNESS_TOOLS="nginx apache2 openssl tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"
curl --version | grep -q HTTP2 || { log "curl without HTTP/2"; exit 1; }
[ -f /usr/lib/apache2/modules/mod_http2.so ] || { log "missing apache2 mod_http2"; exit 1; }

# ---------------------------------------------------------------- servers ---

# nginx: HTTP/2 in cleartext, prior knowledge only, on HTTP's port 80:
# tshark takes a connection preface for HTTP/2 only on a port it dissects
# as HTTP (why401 chooses by the bytes, whatever the port)
H2C_PORT=${WHY401_H2C_PORT:-80}
if (exec 3<>"/dev/tcp/127.0.0.1/$H2C_PORT") 2>/dev/null; then
    log "127.0.0.1:$H2C_PORT is taken (set WHY401_H2C_PORT to another HTTP port)"
    exit 1
fi
TLS_PORT=$(free_port)      # nginx: TLS (ALPN h2 and http/1.1)
UPG_PORT=$(free_port)      # apache2 mod_http2: h2c upgrade
mkdir -p "$WORK/nginx-tmp" "$WORK/www/forbidden" "$WORK/apache/www"
echo "not for you" > "$WORK/www/forbidden/secret.txt"
chmod -R a+rX "$WORK/www" "$WORK/apache"

# A self-signed certificate for the name the client asks for (SNI).
self_signed_cert api.example.test

nginx_conf <<EOF
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
