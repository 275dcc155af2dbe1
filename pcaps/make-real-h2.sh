#!/bin/bash
# Make the real HTTP/2 authentication captures in pcaps/: nginx (auth_basic)
# over TLS 1.3 with ALPN h2 and in cleartext with prior knowledge, and
# apache2 mod_http2 answering an h2c upgrade, answer curl --http2 on
# loopback while tcpdump records; over TLS curl writes its NSS key log
# (SSLKEYLOGFILE), kept beside the capture as NAME.keys.
#
#   sudo pcaps/make-real-h2.sh
#
# tls13-h2-challenge-then-ok.pcap (+ .keys): one TLS 1.3 connection, ALPN h2:
#   GET /private/ without credentials (HTTP/2 stream 1) -> 401
#   `WWW-Authenticate: Basic realm="private"`, then on the same connection
#   with alice's right password (stream 3) -> 200.
# tls13-h2-wrong-password.pcap (+ .keys): one TLS 1.3 connection, ALPN h2:
#   GET /private/ with alice's wrong password (stream 1) -> 401, never
#   retried.
# h2c-prior-knowledge-challenge-then-ok.pcap: nginx `listen 80 http2;`
#   without ssl, curl --http2-prior-knowledge: the connection preface, GET
#   /private/ without credentials (stream 1) -> 401; then, on a second
#   connection (curl 7.88.1 cannot reuse a prior-knowledge connection), with
#   the right password (stream 1 again) -> 200.
# h2c-prior-knowledge-node-one-connection.pcap (when node is installed): the
#   same two requests from clients/h2c_client.js (node's http2 module) on
#   one prior-knowledge connection: stream 1 -> 401, stream 3 -> 200.
# h2c-upgrade-challenge-then-ok.pcap: apache2 with mod_http2 (`Protocols h2c
#   http/1.1`), mod_auth_basic, curl --http2 http://... on one connection:
#   GET /private/ with `Upgrade: h2c` and no credentials -> 401 in HTTP/1.1
#   (apache2 refuses before it upgrades); the same connection, GET with
#   Upgrade: h2c and alice's right password -> 101 Switching Protocols, and
#   the 200 comes in HTTP/2 on stream 1 (the upgraded request).
#
# Needs root (tcpdump on lo), nginx (with ssl and http2), apache2 (with
# mod_http2 and mod_auth_basic, both in Debian 12's apache2), openssl, curl
# (with HTTP/2), tcpdump and python3; node (v20 here) for the node capture.
# Every server runs under a temporary directory with its own configuration
# (apache2 with -f, its own ServerRoot, PidFile and port) on a free loopback
# port (the h2c one on 127.0.0.1:80, which must be free); no system configuration is read or changed. Everything started is stopped on exit, also on error;
# timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds (default
# 120). The keys are for a throwaway certificate and these sessions only.
# Versions go to VERSIONS-h2.txt.
set -euo pipefail

HARNESS_NAME=make-real-h2.sh
HARNESS_TOOLS="nginx apache2 openssl tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"
curl --version | grep -q HTTP2 || { log "curl without HTTP/2"; exit 1; }
MODS=/usr/lib/apache2/modules
for m in http2 auth_basic authn_file authn_core authz_user authz_core mpm_event; do
    [ -f "$MODS/mod_$m.so" ] || { log "missing apache2 mod_$m"; exit 1; }
done

# ---------------------------------------------------------------- servers ---

TLS_PORT=$(free_port)      # nginx: TLS 1.3, ALPN h2
# nginx: HTTP/2 in cleartext, prior knowledge only. On HTTP's port 80:
# tshark takes a connection preface for HTTP/2 only on a port it
# dissects as HTTP, and the captures must be comparable with it (why401
# chooses by the bytes, whatever the port).
H2C_PORT=${WHY401_H2C_PORT:-80}
if (exec 3<>"/dev/tcp/127.0.0.1/$H2C_PORT") 2>/dev/null; then
    log "127.0.0.1:$H2C_PORT is taken (set WHY401_H2C_PORT to another HTTP port)"
    exit 1
fi
UPG_PORT=$(free_port)      # apache2 mod_http2: h2c upgrade
mkdir -p "$WORK/nginx-tmp" "$WORK/www/private" "$WORK/apache/www/private"
echo "private hello over HTTP/2" > "$WORK/www/private/index.html"
echo "private hello after an h2c upgrade" > "$WORK/apache/www/private/index.html"
echo "alice:$(openssl passwd -apr1 right-password)" > "$WORK/htpasswd"
chmod -R a+rX "$WORK/www" "$WORK/apache" "$WORK/htpasswd"

self_signed_cert api.example.test

# nginx 1.22 spells HTTP/2 as a listen parameter (`http2 on;` is 1.25.1+).
nginx_conf <<EOF
    default_type text/plain;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$TLS_PORT ssl http2;
        server_name api.example.test;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.3;
        root $WORK/www;
        location /private/ {
            auth_basic "private";
            auth_basic_user_file $WORK/htpasswd;
        }
    }
    server {
        listen 127.0.0.1:$H2C_PORT http2;
        server_name localhost;
        root $WORK/www;
        location /private/ {
            auth_basic "private";
            auth_basic_user_file $WORK/htpasswd;
        }
    }
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"

cat > "$WORK/apache.conf" <<EOF
ServerRoot $WORK/apache
ServerName localhost
Listen 127.0.0.1:$UPG_PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authn_file_module $MODS/mod_authn_file.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_basic_module $MODS/mod_auth_basic.so
LoadModule dir_module $MODS/mod_dir.so
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
DirectoryIndex index.html
<Directory />
    Require all denied
</Directory>
<Directory $WORK/apache/www>
    Require all granted
</Directory>
<Directory $WORK/apache/www/private>
    AuthType Basic
    AuthName "private"
    AuthBasicProvider file
    AuthUserFile $WORK/htpasswd
    Require valid-user
</Directory>
EOF
apache2 -t -f "$WORK/apache.conf" 2> "$WORK/apache-configtest.log"
start_server apache apache2 -f "$WORK/apache.conf" -DFOREGROUND

wait_port "$TLS_PORT"
wait_port "$H2C_PORT"
wait_port "$UPG_PORT"
log "nginx TLS h2 on $TLS_PORT, nginx h2c on $H2C_PORT, apache2 h2c upgrade on $UPG_PORT"

# --------------------------------------------------------------- captures ---

# req "EXPECTED" curl-args...: one curl run (requests joined by --next share
# its connection when they can); EXPECTED is each request's status and HTTP
# version, as curl's -w prints them ("401 2 200 2 ").
req() {
    local want=$1 got
    shift
    got=$(curl -sS -m 5 "$@") || true
    if [ "$got" != "$want" ]; then
        log "$CAP_NAME: curl $* gave '$got', expected '$want'"
        return 1
    fi
}
W=(-o /dev/null -w '%{http_code} %{http_version} ')
TLS=(-k --http2 --tlsv1.3 --resolve "api.example.test:$TLS_PORT:127.0.0.1")
TLS_URL="https://api.example.test:$TLS_PORT/private/"

# keep_keys name: the key log of the capture just made, beside it as NAME.keys;
# it must hold exactly one TLS 1.3 session.
keep_keys() {
    [ "$(grep -c "^SERVER_TRAFFIC_SECRET_0 " "$WORK/$1.keys")" = 1 ] ||
        { log "$1.keys: not one TLS 1.3 session"; exit 1; }
    cp "$WORK/$1.keys" "$OUT/$1.keys.tmp"
    mv "$OUT/$1.keys.tmp" "$OUT/$1.keys"
    log "wrote $1.keys"
}

#   TLS 1.3 + h2: no credentials -> 401, then the right ones -> 200, one connection
start_capture tls13-h2-challenge-then-ok.pcap "tcp port $TLS_PORT"
SSLKEYLOGFILE="$WORK/tls13-h2-challenge-then-ok.keys" \
    req "401 2 200 2 " "${TLS[@]}" "${W[@]}" "$TLS_URL" \
    --next "${TLS[@]}" "${W[@]}" -u alice:right-password "$TLS_URL"
finish_capture
keep_keys tls13-h2-challenge-then-ok

#   TLS 1.3 + h2: a wrong password -> 401
start_capture tls13-h2-wrong-password.pcap "tcp port $TLS_PORT"
SSLKEYLOGFILE="$WORK/tls13-h2-wrong-password.keys" \
    req "401 2 " "${TLS[@]}" "${W[@]}" -u alice:wrong-password "$TLS_URL"
finish_capture
keep_keys tls13-h2-wrong-password

#   h2c with prior knowledge: no credentials -> 401, then the right ones -> 200
H2C_URL="http://127.0.0.1:$H2C_PORT/private/"
start_capture h2c-prior-knowledge-challenge-then-ok.pcap "tcp port $H2C_PORT"
# curl 7.88.1 cannot send a second request on a prior-knowledge connection
# (it finds the connection, then fails: "Error in the HTTP2 framing layer",
# also with --anyauth's own retry), so the retry is a second curl run and a
# second connection, a moment later.
req "401 2 " --http2-prior-knowledge "${W[@]}" "$H2C_URL"
req "200 2 " --http2-prior-knowledge "${W[@]}" -u alice:right-password "$H2C_URL"
finish_capture

#   the same with node's http2 client, which keeps one connection: 401 on
#   stream 1, 200 on stream 3
if command -v node >/dev/null; then
    start_capture h2c-prior-knowledge-node-one-connection.pcap "tcp port $H2C_PORT"
    node "$HERE/clients/h2c_client.js" --url "$H2C_URL" --expect 401 \
        --expect 200 --user alice:right-password > "$WORK/h2c-client.log" 2>&1 ||
        { log "$CAP_NAME: h2c_client.js: $(cat "$WORK/h2c-client.log")"; exit 1; }
    finish_capture
else
    log "no node: h2c-prior-knowledge-node-one-connection.pcap not made"
fi

#   h2c upgrade (apache2): without, then with credentials
UPG_URL="http://127.0.0.1:$UPG_PORT/private/"
start_capture h2c-upgrade-challenge-then-ok.pcap "tcp port $UPG_PORT"
req "401 1.1 200 2 " --http2 "${W[@]}" "$UPG_URL" \
    --next --http2 "${W[@]}" -u alice:right-password "$UPG_URL"
finish_capture

# ---------------------------------------------------------------- versions --

{
    echo "# Tools that made the HTTP/2 authentication captures (pcaps/make-real-h2.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "apache2: $(apache2 -v | sed -n 's/^Server version: //p')"
    echo "openssl: $(openssl version)"
    echo "curl: $(curl --version | head -n 1)"
    if command -v node >/dev/null; then
        echo "node: $(node --version) (nghttp2 $(node -p process.versions.nghttp2))"
    fi
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-h2.txt"
log "wrote VERSIONS-h2.txt"
log "done"
