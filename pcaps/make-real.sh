#!/bin/bash
# Make the "real" test captures in pcaps/: real servers (nginx, apache2,
# python3 http.server) answer real clients (curl) on loopback while tcpdump
# records the traffic.
#
#   sudo pcaps/make-real.sh            # writes pcaps/<behaviour>.pcap,
#                                      # pcaps/demo.pcapng, pcaps/VERSIONS.txt
#
# Needs root (tcpdump on lo), nginx, apache2 (with mod_auth_digest),
# htpasswd, tcpdump, editcap, curl, openssl and python3. Every server runs
# under a temporary directory with its own configuration on a free loopback
# port; no system configuration is read or changed. Everything started here is
# stopped on exit, also on error, and timeout(1) ends the script after
# $WHY401_MAKE_TIMEOUT seconds (default 300).
set -euo pipefail

HARNESS_NAME=make-real.sh
HARNESS_TOOLS="nginx apache2 htpasswd tcpdump editcap curl openssl"
HARNESS_TIMEOUT=300
. "$(dirname "$0")/lib/harness.sh"
[ -f /usr/lib/apache2/modules/mod_auth_digest.so ] || { log "missing apache2 mod_auth_digest"; exit 1; }

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# A JWT with a dummy signature (the server does not check it).
make_jwt() { # sub iat exp
    local h p s
    h=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
    p=$(printf '{"sub":"%s","iss":"why401-test","iat":%d,"exp":%d}' "$1" "$2" "$3" | b64url)
    s=$(printf 'dummy-signature-not-checked' | b64url)
    printf '%s.%s.%s' "$h" "$p" "$s"
}
JWT_VALID=$(make_jwt alice 1704063600 4102444800)    # exp 2100-01-01
JWT_EXPIRED=$(make_jwt alice 1704063600 1704067200)  # exp 2024-01-01

# ---------------------------------------------------------------- servers ---

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp" "$WORK/www/private" "$WORK/www/app/public" \
         "$WORK/www/app/admin" "$WORK/www/forbidden"
echo "private page" > "$WORK/www/private/index.html"
echo "quarterly report" > "$WORK/www/private/report.txt"
echo "public app page" > "$WORK/www/app/public/index.html"
echo "admin app page" > "$WORK/www/app/admin/index.html"
echo "not for you" > "$WORK/www/forbidden/secret.txt"
chmod -R a+rX "$WORK/www"
htpasswd -bc "$WORK/htpasswd" alice secret 2>/dev/null
htpasswd -b "$WORK/htpasswd" bob hunter2 2>/dev/null
chmod 644 "$WORK/htpasswd"
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
    server_tokens on;
    keepalive_timeout 5;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        server_name localhost;
        root $WORK/www;
        location /private/ {
            auth_basic "private area";
            auth_basic_user_file $WORK/htpasswd;
        }
        location /forbidden/ {
            deny all;
        }
        location /app/ {
            auth_basic "app";
            auth_basic_user_file $WORK/htpasswd;
            location /app/admin/ {
                # only bob may administer; alice is a valid user without rights
                if (\$remote_user != "bob") { return 403; }
            }
        }
    }
}
EOF
nginx -t -q -p "$WORK" -c "$WORK/nginx.conf"
nginx -p "$WORK" -c "$WORK/nginx.conf" > "$WORK/nginx-stdout.log" 2>&1 &
PIDS+=($!)

APACHE_PORT=$(free_port)
mkdir -p "$WORK/apache/www/digest"
echo "digest-protected page" > "$WORK/apache/www/digest/index.html"
chmod -R a+rX "$WORK/apache"
# htdigest format: user:realm:MD5(user:realm:password)
printf 'alice:digest-realm:%s\n' \
    "$(printf 'alice:digest-realm:secret' | openssl md5 -r | cut -d' ' -f1)" > "$WORK/htdigest"
chmod 644 "$WORK/htdigest"
MODS=/usr/lib/apache2/modules
cat > "$WORK/apache.conf" <<EOF
ServerRoot $WORK/apache
ServerName localhost
Listen 127.0.0.1:$APACHE_PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authn_file_module $MODS/mod_authn_file.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_digest_module $MODS/mod_auth_digest.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
User www-data
Group www-data
PidFile $WORK/apache.pid
DefaultRuntimeDir $WORK/apache
Mutex file:$WORK/apache default
ErrorLog $WORK/apache-error.log
LogLevel warn
TypesConfig /etc/mime.types
DirectoryIndex index.html
KeepAlive On
StartServers 1
ServerLimit 1
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
    Require valid-user
</Location>
EOF
apache2 -t -f "$WORK/apache.conf" 2>"$WORK/apache-configtest.log"
apache2 -f "$WORK/apache.conf" -DFOREGROUND > "$WORK/apache-stdout.log" 2>&1 &
PIDS+=($!)

PY_PORT=$(free_port)
"$PYTHON" "$HERE/servers/auth_server.py" --port "$PY_PORT" --max-seconds "$TIMEOUT" \
    --session-uses 3 > "$WORK/python-server.log" 2>&1 &
PIDS+=($!)

wait_port "$NGINX_PORT"
wait_port "$APACHE_PORT"
wait_port "$PY_PORT"
log "nginx on $NGINX_PORT, apache2 on $APACHE_PORT, python on $PY_PORT"

# --------------------------------------------------------------- captures ---

# req EXPECTED-STATUS curl-args...: run curl, check the final status code.
req() {
    local want=$1 got
    shift
    got=$(curl -sS -o /dev/null -m 5 -w '%{http_code}' "$@") || true
    if [ "$got" != "$want" ]; then
        log "$CAP_NAME: curl $* gave $got, expected $want"
        return 1
    fi
}

N="http://127.0.0.1:$NGINX_PORT"
A="http://127.0.0.1:$APACHE_PORT"
P="http://127.0.0.1:$PY_PORT"

# nginx ------------------------------------------------------------------

start_capture nginx-basic-wrong-password.pcap "tcp port $NGINX_PORT"
req 401 -u alice:wrong-password "$N/private/"
sleep 0.3
req 200 -u alice:secret "$N/private/"
req 200 -u bob:hunter2 "$N/private/"
stop_capture; save_capture

start_capture nginx-basic-challenge-then-ok.pcap "tcp port $NGINX_PORT"
req 200 --anyauth -u alice:secret "$N/private/"
stop_capture; save_capture

start_capture nginx-basic-no-credentials.pcap "tcp port $NGINX_PORT"
req 401 "$N/private/report.txt"
stop_capture; save_capture

start_capture nginx-403-forbidden.pcap "tcp port $NGINX_PORT"
req 403 "$N/forbidden/secret.txt"
stop_capture; save_capture

start_capture nginx-403-permission-denied.pcap "tcp port $NGINX_PORT"
req 200 -u alice:secret "$N/app/public/"
sleep 0.2
req 403 -u alice:secret "$N/app/admin/"
stop_capture; save_capture

# apache2 mod_auth_digest --------------------------------------------------

start_capture apache-digest-challenge-then-ok.pcap "tcp port $APACHE_PORT"
req 200 --digest -u alice:secret "$A/digest/"
stop_capture; save_capture

start_capture apache-digest-wrong-password.pcap "tcp port $APACHE_PORT"
req 401 --digest -u alice:wrong-password "$A/digest/"
stop_capture; save_capture

# python http.server -------------------------------------------------------

start_capture python-bearer-expired.pcap "tcp port $PY_PORT"
req 200 -H "Authorization: Bearer $JWT_VALID" "$P/bearer"
sleep 0.2
req 401 -H "Authorization: Bearer $JWT_EXPIRED" "$P/bearer"
stop_capture; save_capture

start_capture python-bearer-scheme-mismatch.pcap "tcp port $PY_PORT"
req 401 -H "Authorization: Bearer $JWT_VALID" "$P/basic-only"
stop_capture; save_capture

start_capture python-session-expired.pcap "tcp port $PY_PORT"
for i in 1 2 3; do
    req 200 -H "Authorization: Bearer sess-4f2a9c61e0d7" "$P/session"
    sleep 0.4
done
req 401 -H "Authorization: Bearer sess-4f2a9c61e0d7" "$P/session"
sleep 0.4
req 401 -H "Authorization: Bearer sess-4f2a9c61e0d7" "$P/session"
stop_capture; save_capture

start_capture python-apikey-rejected.pcap "tcp port $PY_PORT"
req 200 -H "X-API-Key: key-good-123" "$P/apikey"
sleep 0.2
req 401 -H "X-API-Key: key-wrong-999" "$P/apikey"
stop_capture; save_capture

start_capture python-401-no-challenge.pcap "tcp port $PY_PORT"
req 401 "$P/nochallenge"
sleep 0.2
req 401 -u alice:wrong-password "$P/nochallenge?attempt=2"
stop_capture; save_capture

start_capture python-407-wrong-header.pcap "tcp port $PY_PORT"
req 407 -x "$P" -u alice:secret "http://api.example.test/resource"
stop_capture; save_capture

start_capture python-retry-storm.pcap "tcp port $PY_PORT"
for i in 1 2 3 4 5 6; do
    req 401 -u alice:wrong-password "$P/basic-only"
    sleep 0.3
done
stop_capture; save_capture

# demo: several causes in one capture, one client address per story --------

start_capture demo.pcap "tcp port $NGINX_PORT or tcp port $APACHE_PORT or tcp port $PY_PORT"
#   challenge then ok (note): Digest handshake, and Basic via --anyauth
req 200 --interface 127.0.0.2 --digest -u alice:secret "$A/digest/"
req 200 --interface 127.0.0.2 --anyauth -u alice:secret "$N/private/"
#   wrong password (rejected-credentials); bob succeeds afterwards
req 401 --interface 127.0.0.3 -u alice:wrong-password "$N/private/"
req 200 --interface 127.0.0.3 -u bob:hunter2 "$N/private/"
#   no credentials, never retried
req 401 --interface 127.0.0.4 "$N/private/report.txt"
#   403 forbidden by an access rule
req 403 --interface 127.0.0.5 "$N/forbidden/secret.txt"
#   Bearer sent to a Basic-only endpoint (scheme-mismatch)
req 401 --interface 127.0.0.6 -H "Authorization: Bearer $JWT_VALID" "$P/basic-only"
#   expired Bearer JWT
req 401 --interface 127.0.0.7 -H "Authorization: Bearer $JWT_EXPIRED" "$P/bearer"
#   407 to a request with Authorization only (wrong-auth-header)
req 407 --interface 127.0.0.8 -x "$P" -u alice:secret "http://api.example.test/resource"
#   session token revoked after 3 uses (session-expired)
for i in 1 2 3; do
    req 200 --interface 127.0.0.9 -H "Authorization: Bearer sess-demo-7b3e0a" "$P/session"
    sleep 0.3
done
req 401 --interface 127.0.0.9 -H "Authorization: Bearer sess-demo-7b3e0a" "$P/session"
stop_capture
editcap -F pcapng "$CAP_FILE" "$WORK/demo.pcapng"
CAP_FILE="$WORK/demo.pcapng"
save_capture demo.pcapng

# ---------------------------------------------------------------- versions --

{
    echo "# Tools that made the real captures (pcaps/make-real.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "apache2: $(apache2 -v | sed -n 's/^Server version: //p')"
    echo "python3: $("$PYTHON" --version 2>&1)"
    echo "curl: $(curl --version | head -n 1)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "libpcap: $(tcpdump --version 2>&1 | sed -n 's/^libpcap version //p')"
    echo "editcap: $(editcap --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS.txt"
log "wrote VERSIONS.txt"
log "done"
