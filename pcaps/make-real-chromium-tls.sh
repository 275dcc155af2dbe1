#!/bin/bash
# Make the headless Chromium capture over HTTPS in pcaps/: nginx with a
# self-signed certificate for app.example.test (ALPN h2) serves a page whose
# script fetch()es an API path that wants a Bearer token (401) and a
# forbidden one (403);
# Chromium loads it over HTTP/2 inside TLS 1.3 and writes its NSS key log
# (SSLKEYLOGFILE), kept beside the capture as NAME.keys.
#
#   sudo pcaps/make-real-chromium-tls.sh
#
# tls13-h2-chromium-fetch-401.pcap (+ .keys): Chromium GET / (the page),
#   then its script: fetch("/api/private/data.json") without credentials ->
#   401 `WWW-Authenticate: Bearer realm="api"` with a JSON body, then
#   fetch("/admin/") -> 403 (nginx `deny all`); the page writes both statuses
#   into its DOM, which the script checks. All on HTTP/2 streams of one TLS
#   connection when Chromium keeps one (see pcaps/README.md for what it did).
#
# Needs root (tcpdump on lo; Chromium then runs with --no-sandbox), nginx
# (with ssl and http2), Debian's chromium, openssl, tcpdump and python3.
# Chromium gets a fresh profile in the temp dir, --ignore-certificate-errors
# for the throwaway certificate, and --host-resolver-rules mapping
# app.example.test to 127.0.0.1; nginx its own configuration there, on a
# free loopback port. Everything started is stopped on exit, also on error;
# timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds (default
# 120). The keys are for that certificate and this session only. Versions go
# to VERSIONS-chromium-tls.txt.
set -euo pipefail

HARNESS_NAME=make-real-chromium-tls.sh
HARNESS_TOOLS="nginx chromium openssl tcpdump"
. "$(dirname "$0")/lib/harness.sh"

PORT=$(free_port)
ORIGIN="https://app.example.test:$PORT"
mkdir -p "$WORK/nginx-tmp" "$WORK/www/api/private" "$WORK/www/admin"
echo '{"secret": "not for you"}' > "$WORK/www/api/private/data.json"
echo "admins only" > "$WORK/www/admin/index.html"
cat > "$WORK/www/index.html" <<'EOF'
<!doctype html>
<html><head><title>loading</title></head>
<body><pre id="out"></pre>
<script>
// Two fetches in a row, so their streams come in a known order.
(async () => {
  const out = document.getElementById("out");
  for (const path of ["/api/private/data.json", "/admin/"]) {
    try {
      const r = await fetch(path, { cache: "no-store" });
      out.textContent += path + " " + r.status + "\n";
    } catch (e) {
      out.textContent += path + " failed: " + e.message + "\n";
    }
  }
  document.title = "done";
})();
</script></body></html>
EOF
chmod -R a+rX "$WORK/www"

self_signed_cert app.example.test

nginx_conf <<EOF
    types { text/html html; application/json json; }
    default_type text/plain;
    keepalive_timeout 10;
    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name app.example.test;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.3;
        root $WORK/www;
        location = /favicon.ico { return 204; }
        # Bearer, as an API answers a script: a Basic challenge would make
        # Chromium wait for a login prompt that headless never shows (the
        # fetch then never settles)
        location /api/private/ {
            default_type application/json;
            add_header WWW-Authenticate 'Bearer realm="api"' always;
            return 401 '{"error": "unauthorized", "message": "log in first"}\n';
        }
        location /admin/ { deny all; }
    }
EOF
start_server nginx nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_port "$PORT"
log "nginx TLS h2 on $PORT"

KEYS="$WORK/keys.log"
start_capture tls13-h2-chromium-fetch-401.pcap "tcp port $PORT"
DOM=$(SSLKEYLOGFILE="$KEYS" timeout 30 chromium --headless=new --no-sandbox --disable-gpu \
    --no-first-run --user-data-dir="$WORK/chromium-profile" --ignore-certificate-errors \
    --host-resolver-rules="MAP app.example.test 127.0.0.1" \
    --virtual-time-budget=5000 --dump-dom "$ORIGIN/" 2> "$WORK/chromium.log") || true
stop_capture
for want in "/api/private/data.json 401" "/admin/ 403" "<title>done</title>"; do
    grep -qF -- "$want" <<< "$DOM" ||
        { log "the page does not show '$want':"; echo "$DOM" >&2; exit 1; }
done
grep -q "^SERVER_TRAFFIC_SECRET_0 " "$KEYS" || { log "Chromium wrote no TLS 1.3 key log"; exit 1; }
save_capture
cp "$KEYS" "$OUT/tls13-h2-chromium-fetch-401.keys.tmp"
mv "$OUT/tls13-h2-chromium-fetch-401.keys.tmp" "$OUT/tls13-h2-chromium-fetch-401.keys"
log "wrote tls13-h2-chromium-fetch-401.keys ($(grep -c "^SERVER_TRAFFIC_SECRET_0 " "$KEYS") TLS session(s))"

{
    echo "# Tools that made the Chromium HTTPS capture (pcaps/make-real-chromium-tls.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "chromium: $(chromium --version 2>/dev/null | tail -n 1)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "openssl: $(openssl version)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-chromium-tls.txt"
log "wrote VERSIONS-chromium-tls.txt"
log "done"
