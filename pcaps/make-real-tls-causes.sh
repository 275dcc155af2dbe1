#!/bin/bash
# Make the captures of earlier causes reproduced inside TLS 1.3: the same
# servers as the cleartext captures (nginx auth_basic, servers/auth_server.py,
# servers/cookie_server.py) behind TLS with a self-signed certificate for
# api.example.test, and node's http2 module resetting NTLM over HTTP/2 as
# IIS does (servers/h2_ntlm_server.js), answer curl on loopback while tcpdump
# records and curl writes its NSS key log (SSLKEYLOGFILE), kept beside each
# capture as NAME.keys.
#
#   sudo pcaps/make-real-tls-causes.sh
#
# tls13-no-credentials.pcap (+ .keys): nginx auth_basic, curl without -u, two
#   connections: GET /private/report.txt over HTTP/1.1 (--http1.1) -> 401,
#   then the same over HTTP/2 (ALPN h2) -> 401; never retried.
# tls13-bearer-expired.pcap (+ .keys): servers/auth_server.py over TLS: GET
#   /bearer with a JWT for alice whose exp (2024-01-01) has passed -> 401
#   `Bearer ... error="invalid_token", error_description="The access token
#   expired"`; the python server offers no ALPN, so this is HTTP/1.1.
# tls13-cookie-path-curl.pcap (+ .keys): servers/cookie_server.py over TLS,
#   curl with its cookie jar: POST /login?kind=path sets sid with Path=/app,
#   GET /app/home carries it -> 200, GET /api/data cannot -> 401 (HTTP/1.1,
#   one connection per curl run).
# tls13-h2-ntlm-http11-required.pcap (+ .keys): servers/h2_ntlm_server.js
#   (node, HTTPS with ALPN h2 and http/1.1): curl --ntlm --http2 sends its
#   NTLM type 1 over HTTP/2 at once; node resets the stream with
#   HTTP_1_1_REQUIRED; curl opens a new connection (resuming the TLS
#   session), speaks HTTP/1.1 and runs the NTLM handshake there -> 200.
# tls13-h2-ntlm-challenge-reset.pcap (+ .keys): the same server,
#   clients/h2_ntlm_client.js (node's http2 module) on one TLS 1.3 h2
#   connection: GET / without credentials (stream 1) -> 401 `www-authenticate:
#   NTLM`, then GET / with an NTLM type 1 (stream 3) -> RST_STREAM
#   HTTP_1_1_REQUIRED; the client does not fall back (what a client without
#   that fallback meets with IIS).
# tls13-h2-ntlm-anyauth.pcap (+ .keys): the same server, curl --anyauth
#   --http2: a request without credentials over HTTP/2 -> 401
#   `www-authenticate: NTLM`; curl itself switches to HTTP/1.1 for NTLM
#   ("Forcing HTTP/1.1 for NTLM") on a new connection, so no reset is sent.
#
# Needs root (tcpdump on lo), nginx (with ssl and http2), node (with its
# http2 module, v20 here), openssl, curl (with HTTP/2 and NTLM), tcpdump
# and python3. Every server runs under a temporary directory on a free
# loopback port, its own configuration there; everything started is
# stopped on exit, also on error; timeout(1) ends the script after
# $WHY401_MAKE_TIMEOUT seconds (default 120). The keys are for a throwaway
# certificate and these sessions only. Versions go to VERSIONS-tls-causes.txt.
set -euo pipefail

HARNESS_NAME=make-real-tls-causes.sh
HARNESS_TOOLS="nginx node openssl tcpdump curl"
. "$(dirname "$0")/lib/harness.sh"
curl --version | grep -q HTTP2 || { log "curl without HTTP/2"; exit 1; }
curl --version | grep -q NTLM || { log "curl without NTLM"; exit 1; }

# ---------------------------------------------------------------- servers ---

NGINX_PORT=$(free_port)
AUTH_PORT=$(free_port)
COOKIE_PORT=$(free_port)
NTLM_PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp" "$WORK/www/private"
echo "private report over TLS" > "$WORK/www/private/report.txt"
echo "alice:$(openssl passwd -apr1 right-password)" > "$WORK/htpasswd"
chmod -R a+rX "$WORK/www" "$WORK/htpasswd"

self_signed_cert api.example.test
TLS_ARGS=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")

nginx_conf <<EOF
    default_type text/plain;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl http2;
        server_name api.example.test;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.3;
        root $WORK/www;
        location /private/ {
            auth_basic "private area";
            auth_basic_user_file $WORK/htpasswd;
        }
    }
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"
start_server auth-server "$PYTHON" "$HERE/servers/auth_server.py" --port "$AUTH_PORT" \
    --max-seconds "$TIMEOUT" "${TLS_ARGS[@]}"
start_server cookie-server "$PYTHON" "$HERE/servers/cookie_server.py" --port "$COOKIE_PORT" \
    --max-seconds "$TIMEOUT" "${TLS_ARGS[@]}"
start_server ntlm-server node "$HERE/servers/h2_ntlm_server.js" --port "$NTLM_PORT" \
    --cert "$WORK/cert.pem" --key "$WORK/key.pem" --max-seconds "$TIMEOUT"
for p in "$NGINX_PORT" "$AUTH_PORT" "$COOKIE_PORT" "$NTLM_PORT"; do wait_port "$p"; done
log "nginx on $NGINX_PORT, auth_server.py on $AUTH_PORT, cookie_server.py on $COOKIE_PORT," \
    "h2_ntlm_server.js on $NTLM_PORT (all TLS)"

# --------------------------------------------------------------- captures ---

# tls_curl "EXPECTED" curl-args...: curl over TLS to api.example.test (mapped
# to 127.0.0.1), its key log into $KEYS, a cookie jar in $WORK/jar; EXPECTED
# is what -w prints: each request's status and HTTP version ("401 1.1 ").
tls_curl() {
    local want=$1 got
    shift
    got=$(SSLKEYLOGFILE="$KEYS" curl -sS -m 5 -k -b "$WORK/jar" -c "$WORK/jar" \
        --resolve "api.example.test:$PORT:127.0.0.1" -o /dev/null \
        -w '%{http_code} %{http_version} ' "$@") || true
    if [ "$got" != "$want" ]; then
        log "$CAP_NAME: curl $* gave '$got', expected '$want'"
        return 1
    fi
}

# tls_capture name port: starts the capture of name.pcap on port, with an
# empty key log and cookie jar.
tls_capture() {
    PORT=$2
    KEYS="$WORK/$1.keys"
    : > "$KEYS"
    rm -f "$WORK/jar"
    start_capture "$1.pcap" "tcp port $PORT"
}

# tls_finish name sessions: saves the capture and its key log, which must
# hold that many TLS 1.3 sessions.
tls_finish() {
    finish_capture
    [ "$(grep -c "^SERVER_TRAFFIC_SECRET_0 " "$KEYS")" = "$2" ] ||
        { log "$1.keys: not $2 TLS 1.3 session(s)"; exit 1; }
    cp "$KEYS" "$OUT/$1.keys.tmp"
    mv "$OUT/$1.keys.tmp" "$OUT/$1.keys"
    log "wrote $1.keys"
}

#   no-credentials, over HTTP/1.1 and then HTTP/2
tls_capture tls13-no-credentials "$NGINX_PORT"
U="https://api.example.test:$NGINX_PORT/private/report.txt"
tls_curl "401 1.1 " --http1.1 "$U"
tls_curl "401 2 " --http2 "$U"
tls_finish tls13-no-credentials 2

#   expired-token: the Bearer JWT of make-real.sh's python-bearer-expired
#   (exp 2024-01-01; a dummy signature, auth_server.py checks only exp)
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
JWT_EXPIRED="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$(printf \
    '{"sub":"alice","iss":"why401-test","iat":1704063600,"exp":1704067200}' | b64url).$(printf \
    'dummy-signature-not-checked' | b64url)"
tls_capture tls13-bearer-expired "$AUTH_PORT"
tls_curl "401 1.1 " -H "Authorization: Bearer $JWT_EXPIRED" \
    "https://api.example.test:$AUTH_PORT/bearer"
tls_finish tls13-bearer-expired 1

#   cookie-not-sent: the cookie's Path does not cover the API
tls_capture tls13-cookie-path-curl "$COOKIE_PORT"
C="https://api.example.test:$COOKIE_PORT"
tls_curl "200 1.1 " -d user=alice -d password=secret "$C/login?kind=path"
tls_curl "200 1.1 " "$C/app/home"
tls_curl "401 1.1 " "$C/api/data"
tls_finish tls13-cookie-path-curl 3

#   connection-auth-broken: NTLM over HTTP/2, reset with HTTP_1_1_REQUIRED.
#   curl says 200 1.1 in the end: its HTTP/1.1 retry passed.
N="https://api.example.test:$NTLM_PORT/"
tls_capture tls13-h2-ntlm-http11-required "$NTLM_PORT"
tls_curl "200 1.1 " --http2 --ntlm -u 'LAB\alice:secret' "$N"
tls_finish tls13-h2-ntlm-http11-required 2

#   the same server, curl --anyauth: a 401 NTLM over HTTP/2, no reset
tls_capture tls13-h2-ntlm-anyauth "$NTLM_PORT"
tls_curl "200 1.1 " --http2 --anyauth -u 'LAB\alice:secret' "$N"
tls_finish tls13-h2-ntlm-anyauth 2

#   the same server, a client that tries NTLM over HTTP/2 after the
#   challenge (as browsers first do) and has no HTTP/1.1 fallback: 401 on
#   stream 1, then stream 3 reset with HTTP_1_1_REQUIRED
tls_capture tls13-h2-ntlm-challenge-reset "$NTLM_PORT"
node "$HERE/clients/h2_ntlm_client.js" --url "$N" --connect 127.0.0.1 --keylog "$KEYS" \
    > "$WORK/h2-ntlm-client.log" 2>&1 ||
    { log "$CAP_NAME: h2_ntlm_client.js: $(cat "$WORK/h2-ntlm-client.log")"; exit 1; }
tls_finish tls13-h2-ntlm-challenge-reset 1

# ---------------------------------------------------------------- versions --

{
    echo "# Tools that made the TLS cause captures (pcaps/make-real-tls-causes.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "node: $(node --version) (nghttp2 $(node -p process.versions.nghttp2)," \
         "openssl $(node -p process.versions.openssl))"
    echo "python3: $("$PYTHON" --version 2>&1) ($("$PYTHON" -c 'import ssl; print(ssl.OPENSSL_VERSION)'))"
    echo "openssl: $(openssl version)"
    echo "curl: $(curl --version | head -n 1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-tls-causes.txt"
log "wrote VERSIONS-tls-causes.txt"
log "done"
