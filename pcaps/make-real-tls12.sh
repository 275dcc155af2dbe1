#!/bin/bash
# Make the TLS 1.2 decryption captures in pcaps/ (and the TLS 1.3 ones that
# need more than one handshake shape): nginx with a self-signed certificate
# and auth_basic answers curl (and openssl s_client where curl cannot) on
# loopback while tcpdump records and the client writes its NSS key log.
# Every connection carries a wrong Basic password (401) and then, on the
# same connection, the right one (200), so only decryption shows the 401.
#
#   sudo pcaps/make-real-tls12.sh
#
# tls12-aead-basic-auth.pcap: three TLS 1.2 connections, one per AEAD
#   suite: ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384,
#   ECDHE-RSA-CHACHA20-POLY1305.
# tls12-cbc-basic-auth.pcap: three TLS 1.2 CBC connections:
#   ECDHE-RSA-AES128-SHA with encrypt-then-MAC (curl and OpenSSL negotiate
#   it by default), ECDHE-RSA-AES128-SHA without it (a second nginx server
#   with `ssl_conf_command Options -EncryptThenMac`), ECDHE-RSA-AES256-SHA384
#   (HMAC-SHA384, with encrypt-then-MAC).
# tls-resumed-basic-auth.pcap: curl, one process, two transfers each, the
#   first with `Connection: close` so the second opens a new connection
#   and resumes: TLS 1.2 (a session ticket: abbreviated handshake, the
#   server's ChangeCipherSpec first), then TLS 1.3 (a PSK from the
#   NewSessionTicket). The 401 is on the first connection, the 200 on the
#   resumed one.
# tls13-hrr-keyupdate.pcap: TLS 1.3 with a HelloRetryRequest (a server
#   that only takes P-256, curl's first key share is X25519: a second
#   ClientHello), and an openssl s_client connection that sends a KeyUpdate
#   asking the server for one too (`K`) between the 401 and the 200.
# tls13-early-data.pcap: openssl s_client resumes a session and sends its
#   wrong-password request as 0-RTT early data (nginx `ssl_early_data on`),
#   then the right password after the handshake.
# tls-client-cert-required.pcap: servers/client_cert_server.py (python ssl,
#   CERT_REQUIRED) and curl without a client certificate: TLS 1.2, the
#   server's handshake_failure alert in clear; TLS 1.3, its
#   certificate_required alert after the client's Finished, encrypted (only
#   the key log shows it). No HTTP at all.
# tls-server-cert-rejected.pcap: curl without -k to nginx's self-signed
#   certificate: it rejects it with an unknown_ca alert, TLS 1.2 in clear,
#   TLS 1.3 encrypted with its handshake keys (only the key log shows it).
# Each NAME.pcap has its key log NAME.keys beside it.
#
# Needs root (tcpdump on lo), nginx, openssl, curl, tcpdump and python3.
# The servers run under a temporary directory with their own configuration
# on free loopback ports, and are stopped on exit, also on error;
# timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds (default
# 120). The keys are for a throwaway certificate and these sessions only.
set -euo pipefail

HARNESS_NAME=make-real-tls12.sh
HARNESS_TOOLS="nginx openssl tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"

PORT=$(free_port)      # TLS 1.2 and 1.3, encrypt-then-MAC as OpenSSL does
NOETM=$(free_port)     # encrypt-then-MAC refused
HRR=$(free_port)       # TLS 1.3 with P-256 only: curl's X25519 share is retried
EARLY=$(free_port)     # TLS 1.3 accepting early data
CERTREQ=$(free_port)   # python ssl requiring a client certificate
HOST=api.example.test
mkdir -p "$WORK/nginx-tmp" "$WORK/www/private"
echo "private hello over TLS" > "$WORK/www/private/index.html"
echo "alice:$(openssl passwd -apr1 right-password)" > "$WORK/htpasswd"
chmod -R a+rX "$WORK/www" "$WORK/htpasswd"

self_signed_cert "$HOST"

# server port extra-directives: one TLS server block with auth_basic.
server_block() {
    cat <<EOF
    server {
        listen 127.0.0.1:$1 ssl;
        server_name $HOST;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ALL;
        ssl_session_cache shared:tls:1m;
        root $WORK/www;
        location /private/ {
            auth_basic "private";
            auth_basic_user_file $WORK/htpasswd;
        }
        $2
    }
EOF
}

nginx_conf <<EOF
    default_type text/plain;
    keepalive_timeout 5;
$(server_block "$PORT" "")
$(server_block "$NOETM" "ssl_conf_command Options -EncryptThenMac;")
$(server_block "$HRR" "ssl_ecdh_curve prime256v1;")
$(server_block "$EARLY" "ssl_early_data on;")
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"
for p in "$PORT" "$NOETM" "$HRR" "$EARLY"; do wait_port "$p"; done
log "nginx TLS on $PORT, $NOETM (no encrypt-then-MAC), $HRR (P-256 only), $EARLY (early data)"

# wrong_then_right keys port expect curl-args...: one curl process, GET
# /private/ with the wrong password, then (--next) with the right one;
# @expect is what curl's -w says for both ("401 200").
wrong_then_right() {
    local keys=$1 port=$2 expect=$3 got
    shift 3
    got=$(SSLKEYLOGFILE="$WORK/$keys" curl -sS -m 5 -k --http1.1 "$@" \
        --resolve "$HOST:$port:127.0.0.1" -o /dev/null -w '%{http_code} ' \
        -u alice:wrong-password "https://$HOST:$port/private/" --next \
        -k --http1.1 "$@" --resolve "$HOST:$port:127.0.0.1" -o /dev/null \
        -w '%{http_code}' -u alice:right-password "https://$HOST:$port/private/") || true
    if [ "$got" != "$expect" ]; then
        log "curl $* on $port gave '$got', expected '$expect'"
        return 1
    fi
}

# save name: the capture and its key log, through temporary names.
save_with_keys() {
    save_capture "$1.pcap"
    cp "$WORK/$1.keys" "$OUT/$1.keys.tmp"
    mv "$OUT/$1.keys.tmp" "$OUT/$1.keys"
    log "wrote $1.keys"
}

# lines label keys: how many lines of @label the key log has.
lines() { grep -c "^$1 " "$WORK/$2" || true; }

start_capture tls12-aead-basic-auth.pcap "tcp port $PORT"
for suite in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305; do
    wrong_then_right tls12-aead-basic-auth.keys "$PORT" "401 200" --tlsv1.2 --tls-max 1.2 \
        --ciphers "$suite"
done
stop_capture
[ "$(lines CLIENT_RANDOM tls12-aead-basic-auth.keys)" = 3 ] || { log "not 3 TLS 1.2 sessions"; exit 1; }
save_with_keys tls12-aead-basic-auth

start_capture tls12-cbc-basic-auth.pcap "tcp port $PORT or tcp port $NOETM"
wrong_then_right tls12-cbc-basic-auth.keys "$PORT" "401 200" --tlsv1.2 --tls-max 1.2 \
    --ciphers ECDHE-RSA-AES128-SHA
wrong_then_right tls12-cbc-basic-auth.keys "$NOETM" "401 200" --tlsv1.2 --tls-max 1.2 \
    --ciphers ECDHE-RSA-AES128-SHA
wrong_then_right tls12-cbc-basic-auth.keys "$PORT" "401 200" --tlsv1.2 --tls-max 1.2 \
    --ciphers ECDHE-RSA-AES256-SHA384
stop_capture
[ "$(lines CLIENT_RANDOM tls12-cbc-basic-auth.keys)" = 3 ] || { log "not 3 TLS 1.2 sessions"; exit 1; }
save_with_keys tls12-cbc-basic-auth

# The first transfer closes its connection: the second one resumes.
start_capture tls-resumed-basic-auth.pcap "tcp port $PORT"
wrong_then_right tls-resumed-basic-auth.keys "$PORT" "401 200" --tlsv1.2 --tls-max 1.2 \
    --ciphers ECDHE-RSA-AES128-GCM-SHA256 -H 'Connection: close'
wrong_then_right tls-resumed-basic-auth.keys "$PORT" "401 200" --tlsv1.3 -H 'Connection: close'
stop_capture
[ "$(lines CLIENT_RANDOM tls-resumed-basic-auth.keys)" = 2 ] &&
    [ "$(lines SERVER_TRAFFIC_SECRET_0 tls-resumed-basic-auth.keys)" = 2 ] ||
    { log "not 2 TLS 1.2 and 2 TLS 1.3 sessions"; exit 1; }
save_with_keys tls-resumed-basic-auth

# s_client request keys port auth: one HTTP/1.1 request line set for
# openssl s_client's stdin.
request() { printf 'GET /private/ HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n%b\r\n' \
    "$HOST" "$(printf 'alice:%s' "$1" | base64)" "${2:-}"; }

start_capture tls13-hrr-keyupdate.pcap "tcp port $HRR or tcp port $PORT"
wrong_then_right tls13-hrr-keyupdate.keys "$HRR" "401 200" --tlsv1.3
# s_client reads a stdin chunk starting with K as "send a KeyUpdate and
# ask the peer for one"; the requests are sent as they are.
{ request wrong-password; sleep 0.5; echo K; sleep 0.5
  request right-password 'Connection: close\r\n'; sleep 1; } |
    openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" -tls1_3 \
        -keylogfile "$WORK/tls13-hrr-keyupdate.keys" > "$WORK/keyupdate.log" 2>&1 || true
stop_capture
grep -q "KEYUPDATE" "$WORK/keyupdate.log" || { log "s_client sent no KeyUpdate"; exit 1; }
[ "$(grep -c '^HTTP/1.1 ' "$WORK/keyupdate.log")" = 2 ] || { log "s_client: not two responses"; grep -E "^HTTP|KEYUPD|error" "$WORK/keyupdate.log" >&2; exit 1; }
save_with_keys tls13-hrr-keyupdate

# A first connection gets a ticket (not captured), the second sends its
# first request as early data.
request right-password 'Connection: close\r\n' | { cat; sleep 1; } |
    openssl s_client -connect "127.0.0.1:$EARLY" -servername "$HOST" -tls1_3 \
        -sess_out "$WORK/sess.pem" > "$WORK/ticket.log" 2>&1 || true
request wrong-password > "$WORK/early.txt"
start_capture tls13-early-data.pcap "tcp port $EARLY"
{ sleep 0.5; request right-password 'Connection: close\r\n'; sleep 1; } |
    openssl s_client -connect "127.0.0.1:$EARLY" -servername "$HOST" -tls1_3 \
        -sess_in "$WORK/sess.pem" -early_data "$WORK/early.txt" \
        -keylogfile "$WORK/tls13-early-data.keys" > "$WORK/early.log" 2>&1 || true
stop_capture
grep -q "Early data was accepted" "$WORK/early.log" || { log "early data not accepted"; exit 1; }
save_with_keys tls13-early-data

# A server that requires a client certificate; curl has none to give.
start_server client-cert "$PYTHON" "$HERE/servers/client_cert_server.py" "$CERTREQ" \
    "$WORK/cert.pem" "$WORK/key.pem"
wait_port "$CERTREQ"
start_capture tls-client-cert-required.pcap "tcp port $CERTREQ"
for v in "--tlsv1.2 --tls-max 1.2" --tlsv1.3; do
    # shellcheck disable=SC2086 # two words for TLS 1.2
    got=$(SSLKEYLOGFILE="$WORK/tls-client-cert-required.keys" curl -sS -m 5 -k --http1.1 $v \
        --resolve "$HOST:$CERTREQ:127.0.0.1" -o /dev/null -w '%{http_code}' \
        "https://$HOST:$CERTREQ/" 2>>"$WORK/curl-cert.log") || true
    [ "$got" = 000 ] || { log "curl $v without a certificate gave '$got', expected no answer"; exit 1; }
done
stop_capture
grep -Eq "certificate required|alert" "$WORK/curl-cert.log" || { log "curl: no alert: $(cat "$WORK/curl-cert.log")"; exit 1; }
save_with_keys tls-client-cert-required

# A client that does not trust the server's certificate.
start_capture tls-server-cert-rejected.pcap "tcp port $PORT"
for v in "--tlsv1.2 --tls-max 1.2" --tlsv1.3; do
    # shellcheck disable=SC2086 # two words for TLS 1.2
    got=$(SSLKEYLOGFILE="$WORK/tls-server-cert-rejected.keys" curl -sS -m 5 --http1.1 $v \
        --resolve "$HOST:$PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
        "https://$HOST:$PORT/" 2>>"$WORK/curl-ca.log") || true
    [ "$got" = 000 ] || { log "curl $v without -k gave '$got', expected no answer"; exit 1; }
done
stop_capture
grep -q "certificate" "$WORK/curl-ca.log" || { log "curl: no certificate error"; exit 1; }
save_with_keys tls-server-cert-rejected

{
    echo "# Tools that made the TLS 1.2 captures (pcaps/make-real-tls12.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "openssl: $(openssl version)"
    echo "curl: $(curl --version | head -n 1)"
    echo "python3: $("$PYTHON" --version 2>&1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-tls12.txt"
log "wrote VERSIONS-tls12.txt"
log "done"
