#!/bin/bash
# Make the CONNECT tunnel capture in pcaps/: curl asks squid (Debian's
# package, a forward proxy with Basic proxy authentication) for a tunnel to
# nginx over TLS 1.3, with its key log (SSLKEYLOGFILE); tcpdump records the
# client's leg only (client -> squid), as a capture taken on the client's
# host would.
#
#   sudo pcaps/make-real-tunnel.sh
#
# squid-tunnel-tls.pcap, three curl runs to https://api.example.test/private/
# (nginx auth_basic) through squid:
#   1. --proxy-anyauth -U alice:secret -u alice:wrong: CONNECT without
#      Proxy-Authorization -> 407 (Proxy-Authenticate: Basic), CONNECT with
#      it -> 200, then inside the tunnel TLS 1.3 and GET /private/ with the
#      wrong password -> 401 from the origin;
#   2. --proxy-basic -U alice:secret -u alice:right: CONNECT -> 200, inside
#      it GET /private/ -> 200;
#   3. --proxy-basic -U alice:wrong: CONNECT -> 407 again (the proxy refuses
#      its password), no tunnel.
#   The proxy's 407s travel in clear on the TCP connection, the origin's 401
#   inside the tunnel's TLS: why401 must tell them apart (the 401 `tls: true`
#   with the SNI, the 407s not; cleartext-credentials for the
#   Proxy-Authorization only).
# squid-tunnel-tls.keys: curl's key log of the two TLS sessions.
#
# Needs root (tcpdump on lo; squid starts as root and drops to `proxy`),
# squid, nginx, openssl, curl and tcpdump. squid and nginx run under a temp
# dir with their own configurations on free loopback ports; squid resolves
# api.example.test through its own hosts file. Everything is stopped on
# exit, also on error; timeout(1) ends the script after
# $WHY401_MAKE_TIMEOUT seconds (default 120). The tools' versions go to
# pcaps/VERSIONS-tunnel.txt.
set -euo pipefail

HARNESS_NAME=make-real-tunnel.sh
HARNESS_TOOLS="nginx openssl tcpdump curl ${SQUID:-squid}"
. "$(dirname "$0")/lib/harness.sh"
SQUID=${SQUID:-squid}
NCSA=${NCSA:-/usr/lib/squid/basic_ncsa_auth}
[ -x "$NCSA" ] || { log "missing $NCSA (squid)"; exit 1; }
id proxy >/dev/null 2>&1 || { log "no user proxy (squid)"; exit 1; }

# The origin: nginx over TLS with Basic auth on /private/.
ORIGIN_PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp" "$WORK/www/private"
echo "private hello through the tunnel" > "$WORK/www/private/index.html"
echo "alice:$(openssl passwd -apr1 right)" > "$WORK/htpasswd"
chmod -R a+rX "$WORK/www" "$WORK/htpasswd"
self_signed_cert api.example.test
nginx_conf <<EOF
    default_type text/plain;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$ORIGIN_PORT ssl;
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
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_port "$ORIGIN_PORT"

# The proxy: squid asking for Basic proxy authentication (alice:secret).
PROXY_PORT=$(free_port)
mkdir -p "$WORK/squid"
echo "alice:$(openssl passwd -apr1 secret)" > "$WORK/squid/htpasswd"
echo "127.0.0.1 api.example.test" > "$WORK/squid/hosts"
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
hosts_file $WORK/squid/hosts
auth_param basic program $NCSA $WORK/squid/htpasswd
auth_param basic realm why401-proxy
acl lo src 127.0.0.1/32
acl authed proxy_auth REQUIRED
http_access allow lo authed
http_access deny all
EOF
chown -R proxy:proxy "$WORK/squid"
start_server squid "$SQUID" -N -f "$WORK/squid/squid.conf" -n why401tun
wait_port "$PROXY_PORT"
log "nginx TLS on $ORIGIN_PORT, squid on $PROXY_PORT"

# tcurl "connect-status status" curl-args...: through squid to the origin;
# checks the last CONNECT's status and the origin's (000: none).
tcurl() {
    local want=$1 got
    shift
    got=$(SSLKEYLOGFILE="$WORK/keys.log" curl -s -o /dev/null -m 5 -k --http1.1 \
        -x "http://127.0.0.1:$PROXY_PORT" -w '%{http_connect} %{http_code}' "$@" \
        "https://api.example.test:$ORIGIN_PORT/private/") || true
    [ "$got" = "$want" ] || { log "curl $* gave '$got', expected $want"; return 1; }
}

start_capture squid-tunnel-tls.pcap "tcp port $PROXY_PORT"
tcurl "200 401" --proxy-anyauth -U alice:secret -u alice:wrong
tcurl "200 200" --proxy-basic -U alice:secret -u alice:right
tcurl "407 000" --proxy-basic -U alice:wrong -u alice:right
stop_capture
[ "$(grep -c "^SERVER_TRAFFIC_SECRET_0 " "$WORK/keys.log")" = 2 ] ||
    { log "key log: not two TLS 1.3 sessions"; exit 1; }
save_capture
cp "$WORK/keys.log" "$OUT/squid-tunnel-tls.keys.tmp"
mv "$OUT/squid-tunnel-tls.keys.tmp" "$OUT/squid-tunnel-tls.keys"
log "wrote squid-tunnel-tls.keys"

{
    echo "# Tools that made the CONNECT tunnel capture (pcaps/make-real-tunnel.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "squid: $("$SQUID" -v | head -n 1)"
    echo "nginx: $(nginx -v 2>&1)"
    echo "curl: $(curl --version | head -n 1)"
    echo "openssl: $(openssl version)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-tunnel.txt"
log "wrote VERSIONS-tunnel.txt"
