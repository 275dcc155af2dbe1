#!/bin/bash
# Make the Kerberos captures in pcaps/: an MIT KDC (krb5kdc) for the realm
# WHY401.TEST, apache2 with mod_auth_gssapi (AuthType GSSAPI) for the
# service principal HTTP/web.why401.test, and curl --negotiate -u : with a
# ticket from kinit, all on loopback while tcpdump records both the HTTP
# port and the KDC's (the AS and TGS exchanges are evidence too, though
# why401 reads only HTTP). Each capture starts with its own kinit.
#
#   sudo pcaps/make-real-kerberos.sh
#
# apache-kerberos-ok.pcap: curl --anyauth asks without credentials -> 401
#   "Negotiate"; its TGT gets the ticket for HTTP/web.why401.test (TGS
#   exchange), the AP-REQ goes in Authorization: Negotiate -> 200 with the
#   server's accept-completed token (the AP-REP).
# The others use curl --negotiate, which sends its AP-REQ with the first
# request, and asks for mutual authentication: MIT krb5's acceptor then
# answers a failed AP-REQ with a SPNEGO reject carrying a KRB-ERROR.
# apache-kerberos-stale-keytab.pcap: /stale/ uses a keytab exported before
#   the service principal was re-keyed (key version 1, the KDC's is 2): the
#   ticket has kvno 2 -> 401, KRB_AP_ERR_BADKEYVER (44).
# apache-kerberos-wrong-key.pcap: /wrongkey/ uses a keytab with the right
#   kvno but a key made from another password -> 401,
#   KRB_AP_ERR_BAD_INTEGRITY (31) (MIT's answer; others say MODIFIED, 41).
# apache-kerberos-clock-skew.pcap: the service ticket is fetched at the
#   real time (kvno), then curl runs under faketime 10 minutes ahead: its
#   authenticator's time is outside the 5-minute skew -> 401,
#   KRB_AP_ERR_SKEW (37); the KRB-ERROR's stime is the server's (real) time.
# apache-kerberos-wrong-spn.pcap: curl calls the server by another name
#   (other.why401.test: a principal the KDC knows, the server's keytab
#   lacks) -> 401, KRB_AP_ERR_NOT_US (35).
# apache-kerberos-two-keytabs.pcap: one ticket for HTTP/web.why401.test
#   passes on /private/ -> 200 and fails on /stale/ -> 401 BADKEYVER (two
#   curl runs, two connections).
# apache-kerberos-canonicalised.pcap: curl calls alias.why401.test, whose
#   location /alias/ has the keytab of HTTP/alias.why401.test; the client's
#   krb5 canonicalises the name (dns_canonicalize_hostname = true; its own
#   /etc/hosts, in a mount namespace, names web.why401.test first) and
#   asks for HTTP/web.why401.test -> 401, KRB_AP_ERR_NOT_US (35).
# apache-kerberos-no-mutual.pcap: clients/negotiate_client.py (python-gssapi,
#   SPNEGO without mutual authentication) to /stale/ -> 401 with a bare
#   SPNEGO reject: the server says no Kerberos error at all.
#
# Needs root (tcpdump on lo), tcpdump, curl, python3, apache2,
# libapache2-mod-auth-gssapi, krb5-kdc, krb5-admin-server (kadmin.local),
# krb5-user (kinit, kvno, ktutil), faketime and python3-gssapi (for
# /usr/bin/python3). The KDC and apache2 use their
# own configuration, database and keytabs in a temporary directory
# (KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME), on free loopback ports; host
# names reach 127.0.0.1 through curl --resolve, /etc is neither read for them
# nor changed. Everything started here is stopped on exit, also on error;
# timeout(1) ends the script after $WHY401_MAKE_TIMEOUT seconds (default 120).
# Every rerun changes timestamps, ports, keys and tickets.
set -euo pipefail

HARNESS_NAME=make-real-kerberos.sh
HARNESS_TOOLS="tcpdump curl /usr/bin/python3 unshare apache2 krb5kdc kdb5_util kadmin.local kinit kvno ktutil faketime"
. "$(dirname "$0")/lib/harness.sh"
MODS=/usr/lib/apache2/modules
[ -f "$MODS/mod_auth_gssapi.so" ] || { log "missing libapache2-mod-auth-gssapi"; exit 1; }
/usr/bin/python3 -c 'import gssapi' 2>/dev/null || { log "missing python3-gssapi"; exit 1; }

# ------------------------------------------------------------------ KDC ---

REALM=WHY401.TEST
HOST=web.why401.test
OTHER=other.why401.test
ALIAS=alias.why401.test
KDC_PORT=$(free_port)
HTTP_PORT=$(free_port)
mkdir -p "$WORK/kdc" "$WORK/rcache" "$WORK/ccache"
chmod 1777 "$WORK/rcache"
export KRB5_CONFIG="$WORK/krb5.conf"
export KRB5_KDC_PROFILE="$WORK/kdc.conf"
export KRB5RCACHEDIR="$WORK/rcache"
# no DNS, no reverse lookups: the SPN is the name in the URL
cat > "$KRB5_CONFIG" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    kdc_timesync = 0
    permitted_enctypes = aes256-cts-hmac-sha1-96
[realms]
    $REALM = {
        kdc = 127.0.0.1:$KDC_PORT
    }
[domain_realm]
    .why401.test = $REALM
    why401.test = $REALM
EOF
cat > "$KRB5_KDC_PROFILE" <<EOF
[kdcdefaults]
    kdc_ports = $KDC_PORT
    kdc_tcp_ports = $KDC_PORT
[realms]
    $REALM = {
        database_name = $WORK/kdc/principal
        key_stash_file = $WORK/kdc/stash
        acl_file = $WORK/kdc/kadm5.acl
        supported_enctypes = aes256-cts-hmac-sha1-96:normal
        master_key_type = aes256-cts-hmac-sha1-96
    }
[logging]
    kdc = FILE:$WORK/kdc.log
EOF
: > "$WORK/kdc/kadm5.acl"
kdb5_util create -s -r "$REALM" -P why401-master-key > "$WORK/kdb5_util.log" 2>&1
kadm() { kadmin.local -r "$REALM" -q "$1" >> "$WORK/kadmin.log" 2>&1; }
kadm "addprinc -pw secret alice"
kadm "addprinc -randkey HTTP/$HOST"
kadm "addprinc -randkey HTTP/$OTHER"
kadm "addprinc -randkey HTTP/$ALIAS"
kadm "ktadd -norandkey -k $WORK/http-alias.keytab HTTP/$ALIAS"
# the keytab of key version 1, then the principal is re-keyed (version 2,
# the one the KDC's tickets use) and exported again: the current keytab
kadm "ktadd -norandkey -k $WORK/http-kvno1.keytab HTTP/$HOST"
kadm "cpw -randkey HTTP/$HOST"
kadm "ktadd -norandkey -k $WORK/http.keytab HTTP/$HOST"
# the right key version with a key made from a password nobody registered
printf 'addent -password -p HTTP/%s@%s -k 2 -e aes256-cts-hmac-sha1-96\nnot-the-key\nwkt %s\nquit\n' \
    "$HOST" "$REALM" "$WORK/http-wrongkey.keytab" | ktutil > "$WORK/ktutil.log" 2>&1
chmod 644 "$WORK"/*.keytab
grep -q "Principal \"HTTP/$HOST@$REALM\" created" "$WORK/kadmin.log" ||
    { log "kadmin.local did not make the principals"; exit 1; }
[ -s "$WORK/http-wrongkey.keytab" ] || { log "ktutil did not write its keytab"; exit 1; }
krb5kdc -n -r "$REALM" > "$WORK/krb5kdc.log" 2>&1 &
PIDS+=($!)
wait_port "$KDC_PORT"

# -------------------------------------------------------------- apache2 ---

mkdir -p "$WORK/apache/www/private" "$WORK/apache/www/stale" "$WORK/apache/www/wrongkey" \
         "$WORK/apache/www/alias"
for d in private stale wrongkey alias; do echo "kerberos page ($d)" > "$WORK/apache/www/$d/index.html"; done
chmod -R a+rX "$WORK/apache"
gssapi_location() { # path keytab
    cat <<EOF
<Location $1>
    AuthType GSSAPI
    AuthName "Kerberos"
    GssapiCredStore keytab:$2
    GssapiAllowedMech krb5
    GssapiBasicAuth Off
    Require valid-user
</Location>
EOF
}
cat > "$WORK/apache.conf" <<EOF
ServerRoot $WORK/apache
ServerName $HOST
Listen 127.0.0.1:$HTTP_PORT
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_gssapi_module $MODS/mod_auth_gssapi.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
User www-data
Group www-data
PidFile $WORK/apache.pid
DefaultRuntimeDir $WORK/apache
Mutex file:$WORK/apache default
ErrorLog $WORK/apache-error.log
LogLevel warn auth_gssapi:debug
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
$(gssapi_location /private/ "$WORK/http.keytab")
$(gssapi_location /stale/ "$WORK/http-kvno1.keytab")
$(gssapi_location /wrongkey/ "$WORK/http-wrongkey.keytab")
$(gssapi_location /alias/ "$WORK/http-alias.keytab")
EOF
apache2 -t -f "$WORK/apache.conf" 2> "$WORK/apache-configtest.log"
apache2 -f "$WORK/apache.conf" -DFOREGROUND > "$WORK/apache-stdout.log" 2>&1 &
PIDS+=($!)
wait_port "$HTTP_PORT"
log "krb5kdc on $KDC_PORT, apache2 on $HTTP_PORT"

# ------------------------------------------------------------- captures ---

# Each capture holds the HTTP and the KDC exchanges, and starts with a
# fresh ticket cache (its AS and TGS exchanges are in it).
kerberos_capture() { # file-name
    start_capture "$1" "port $HTTP_PORT or port $KDC_PORT"
    export KRB5CCNAME="FILE:$WORK/ccache/$1.cc"
    echo secret | kinit alice@"$REALM" > "$WORK/kinit.log" 2>&1 ||
        { log "$CAP_NAME: kinit failed: $(cat "$WORK/kinit.log")"; return 1; }
}

# curl --negotiate alone sends its AP-REQ with the first request (Negotiate
# is the only method it may use); --anyauth asks first without credentials
# and picks Negotiate from the server's 401, as browsers do.
negotiate() { # expected-status host path curl-auth-option [command prefix...]
    local want=$1 host=$2 path=$3 how=$4 got
    shift 4
    got=$("$@" curl -sS -o /dev/null -m 5 -w '%{http_code}' "$how" -u : \
              --resolve "$host:$HTTP_PORT:127.0.0.1" "http://$host:$HTTP_PORT$path") || true
    [ "$got" = "$want" ] || { log "$CAP_NAME: curl gave $got, expected $want"; return 1; }
}

kerberos_capture apache-kerberos-ok.pcap
negotiate 200 "$HOST" /private/ --anyauth
finish_capture

kerberos_capture apache-kerberos-stale-keytab.pcap
negotiate 401 "$HOST" /stale/ --negotiate
finish_capture

kerberos_capture apache-kerberos-wrong-key.pcap
negotiate 401 "$HOST" /wrongkey/ --negotiate
finish_capture

kerberos_capture apache-kerberos-clock-skew.pcap
kvno "HTTP/$HOST@$REALM" > "$WORK/kvno.log" 2>&1   # the service ticket at the real time
negotiate 401 "$HOST" /private/ --negotiate env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +10m
finish_capture

kerberos_capture apache-kerberos-wrong-spn.pcap
negotiate 401 "$OTHER" /private/ --negotiate
finish_capture

kerberos_capture apache-kerberos-two-keytabs.pcap
negotiate 200 "$HOST" /private/ --negotiate
negotiate 401 "$HOST" /stale/ --negotiate
finish_capture

# A client that canonicalises host names (dns_canonicalize_hostname = true)
# in a mount namespace of its own whose /etc/hosts makes alias.why401.test
# a second name of web.why401.test: the system's /etc/hosts is not touched.
sed 's/dns_canonicalize_hostname = false/dns_canonicalize_hostname = true/' "$KRB5_CONFIG" \
    > "$WORK/krb5-canonicalise.conf"
printf '127.0.0.1 %s %s\n' "$HOST" "$ALIAS" > "$WORK/hosts"
kerberos_capture apache-kerberos-canonicalised.pcap
negotiate 401 "$ALIAS" /alias/ --negotiate env KRB5_CONFIG="$WORK/krb5-canonicalise.conf" \
    unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts"
finish_capture

kerberos_capture apache-kerberos-no-mutual.pcap
/usr/bin/python3 "$HERE/clients/negotiate_client.py" --port "$HTTP_PORT" --host "$HOST" \
    --path /stale/ --expect 401 > "$WORK/negotiate-client.log" 2>&1 ||
    { log "$CAP_NAME: $(cat "$WORK/negotiate-client.log")"; exit 1; }
finish_capture

grep -E "gss_accept_sec_context|GSS ERROR|krb5" "$WORK/apache-error.log" | sed 's/^/  apache2: /' >&2 || true

{
    echo "# Tools that made the Kerberos captures (pcaps/make-real-kerberos.sh)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "krb5 (kdc, kinit, libraries): $(dpkg-query -W -f '${Version}' krb5-kdc) (Debian krb5-kdc)," \
         "$(dpkg-query -W -f '${Version}' libgssapi-krb5-2) (libgssapi-krb5-2)"
    echo "apache2: $(apache2 -v | sed -n 's/^Server version: //p')"
    echo "mod_auth_gssapi: $(dpkg-query -W -f '${Version}' libapache2-mod-auth-gssapi)"
    echo "curl: $(curl --version | head -n 1)"
    echo "python3-gssapi: $(dpkg-query -W -f '${Version}' python3-gssapi) ($(/usr/bin/python3 --version))"
    echo "faketime: $(dpkg-query -W -f '${Version}' faketime)"
    echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
    echo "kernel: $(uname -sr)"
} > "$OUT/VERSIONS-kerberos.txt"
log "wrote VERSIONS-kerberos.txt"
