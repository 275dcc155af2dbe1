#!/bin/bash
# Make the TLS key log captures in pcaps/: nginx with a self-signed
# certificate answers curl over TLS 1.2 and TLS 1.3 on loopback while
# tcpdump records the traffic and curl writes its NSS key log
# (SSLKEYLOGFILE); editcap then puts that key log into a pcapng as a
# Decryption Secrets Block, as a user would.
#
#   sudo pcaps/make-real-keylog.sh
#
# tls-keylog-curl.pcap: two connections to api.example.test, each GET /
#   -> 200: the first TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256: one CLIENT_RANDOM
#   line), the second TLS 1.3 (TLS_AES_256_GCM_SHA384: the handshake and
#   traffic secrets of 48 bytes, and EXPORTER_SECRET). HTTP/1.1 only, and
#   no 401/407/403 inside: what tshark decrypts with the keys agrees with
#   why401, which does not decrypt yet.
# tls-keylog-curl.keys: curl's key log of those two sessions.
# tls-keys-injected.pcapng: `editcap --inject-secrets tls,tls-keylog-curl.keys`
#   of the capture: the same packets, the key log in a Decryption Secrets
#   Block before them.
# tls13-basic-auth.pcap: three TLS 1.3 connections to api.example.test, one
#   per suite (TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256,
#   TLS_AES_256_GCM_SHA384), each carrying HTTP/1.1 GET /private/ with a
#   wrong Basic password (nginx auth_basic: 401) and then, on the same
#   connection, the right one (200): a 401 that only decryption shows.
# tls13-basic-auth.keys: curl's key log of those three sessions.
#
# Needs root (tcpdump on lo), nginx, openssl, curl, tcpdump, editcap and
# python3. The server runs under a temporary directory with its own
# configuration on a free loopback port, and is stopped on exit, also on
# error; timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds
# (default 120). The keys are for a throwaway certificate and these two
# sessions only.
set -euo pipefail

HARNESS_NAME=make-real-keylog.sh
HARNESS_TOOLS="nginx openssl tcpdump curl editcap"
. "$(dirname "$0")/lib/harness.sh"

PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp" "$WORK/www"
echo "hello over TLS" > "$WORK/www/index.html"
mkdir -p "$WORK/www/private"
echo "private hello over TLS" > "$WORK/www/private/index.html"
echo "alice:$(openssl passwd -apr1 right-password)" > "$WORK/htpasswd"
chmod -R a+rX "$WORK/www" "$WORK/htpasswd"

self_signed_cert api.example.test

nginx_conf <<EOF
    default_type text/plain;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name api.example.test;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $WORK/www;
        location /private/ {
            auth_basic "private";
            auth_basic_user_file $WORK/htpasswd;
        }
    }
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_port "$PORT"
log "nginx TLS on $PORT"

# get curl-args...: GET / over HTTP/1.1, expecting 200; the key log grows
# by that session's lines (checked below: they also say the TLS version).
get() {
    local got
    got=$(SSLKEYLOGFILE="$WORK/keys.log" curl -sS -o /dev/null -m 5 -k --http1.1 \
        --resolve "api.example.test:$PORT:127.0.0.1" -w '%{http_code}' "$@" \
        "https://api.example.test:$PORT/") || true
    if [ "$got" != 200 ]; then
        log "curl $* gave '$got', expected 200"
        return 1
    fi
}

start_capture tls-keylog-curl.pcap "tcp port $PORT"
get --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
get --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384
stop_capture

# Each session must be in the key log: one CLIENT_RANDOM, the TLS 1.3 four.
for label in CLIENT_RANDOM CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
             CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
    [ "$(grep -c "^$label " "$WORK/keys.log")" = 1 ] ||
        { log "key log: not one $label line"; exit 1; }
done
editcap --inject-secrets "tls,$WORK/keys.log" "$CAP_FILE" "$WORK/injected.pcapng"

save_capture
cp "$WORK/keys.log" "$OUT/tls-keylog-curl.keys.tmp"
mv "$OUT/tls-keylog-curl.keys.tmp" "$OUT/tls-keylog-curl.keys"
log "wrote tls-keylog-curl.keys"
cp "$WORK/injected.pcapng" "$OUT/tls-keys-injected.pcapng.tmp"
mv "$OUT/tls-keys-injected.pcapng.tmp" "$OUT/tls-keys-injected.pcapng"
log "wrote tls-keys-injected.pcapng ($(stat -c %s "$OUT/tls-keys-injected.pcapng") bytes)"

# wrong-then-right suite: on one TLS 1.3 connection with @suite, GET
# /private/ with a wrong password (401), then with the right one (200).
wrong_then_right() {
    local got
    got=$(SSLKEYLOGFILE="$WORK/auth-keys.log" curl -sS -m 5 -k --http1.1 --tlsv1.3 \
        --tls13-ciphers "$1" --resolve "api.example.test:$PORT:127.0.0.1" \
        -o /dev/null -w '%{http_code} ' -u alice:wrong-password \
        "https://api.example.test:$PORT/private/" --next -k --http1.1 --tlsv1.3 \
        --tls13-ciphers "$1" --resolve "api.example.test:$PORT:127.0.0.1" \
        -o /dev/null -w '%{http_code}' -u alice:right-password \
        "https://api.example.test:$PORT/private/") || true
    if [ "$got" != "401 200" ]; then
        log "curl with $1 gave '$got', expected '401 200'"
        return 1
    fi
}

start_capture tls13-basic-auth.pcap "tcp port $PORT"
wrong_then_right TLS_AES_128_GCM_SHA256
wrong_then_right TLS_CHACHA20_POLY1305_SHA256
wrong_then_right TLS_AES_256_GCM_SHA384
stop_capture
[ "$(grep -c "^SERVER_TRAFFIC_SECRET_0 " "$WORK/auth-keys.log")" = 3 ] ||
    { log "key log: not three TLS 1.3 sessions"; exit 1; }
save_capture
cp "$WORK/auth-keys.log" "$OUT/tls13-basic-auth.keys.tmp"
mv "$OUT/tls13-basic-auth.keys.tmp" "$OUT/tls13-basic-auth.keys"
log "wrote tls13-basic-auth.keys"

# HTTP/2 inside TLS 1.3 with its keys: curl offers h2 (its default over
# https), nginx takes it, the 401 travels in HTTP/2, which why401 decrypts
# but does not parse yet (and must say so).
start_capture tls13-h2-basic-auth.pcap "tcp port $PORT"
got=$(SSLKEYLOGFILE="$WORK/h2-keys.log" curl -sS -m 5 -k --http2 --tlsv1.3 \
    --resolve "api.example.test:$PORT:127.0.0.1" -o /dev/null -w '%{http_code} %{http_version}' \
    -u alice:wrong-password "https://api.example.test:$PORT/private/") || true
[ "$got" = "401 2" ] || { log "curl --http2 gave '$got', expected '401 2'"; exit 1; }
stop_capture
save_capture
cp "$WORK/h2-keys.log" "$OUT/tls13-h2-basic-auth.keys.tmp"
mv "$OUT/tls13-h2-basic-auth.keys.tmp" "$OUT/tls13-h2-basic-auth.keys"
log "wrote tls13-h2-basic-auth.keys"

{
    echo "# Tools that made the TLS key log captures (pcaps/make-real-keylog.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "openssl: $(openssl version)"
    echo "curl: $(curl --version | head -n 1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "editcap: $(editcap -V 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-keylog.txt"
log "wrote VERSIONS-keylog.txt"
log "done"
