#!/usr/bin/env bash
# make-capture.sh: a large benchmark capture of real HTTP traffic with Basic
# auth failures, made with real software only.
#
#   sudo bench/make-capture.sh OUT.pcap SIZE [--tls]
#
# SIZE is where to stop: bytes, or with an IEC suffix (256M, 1G). The file
# ends a little past it (what the link carries in one 0.1 s poll, plus
# tcpdump's buffer). Beside OUT.pcap it writes OUT.log (the commands, wrk's
# and ab's summaries, tcpdump's counters) and, with --tls, OUT.keys.
#
# Two network namespaces joined by one veth pair (MTU 1500, gso_max_segs 1 so
# packets are wire-sized, as on a real link, not 64 KiB GSO segments):
#   server 10.250.0.1  nginx, public pages and auth_basic pages of 200 B,
#                      4 KiB and 64 KiB; tcpdump on its veth end
#   client 10.250.0.2  wrk (HTTP/1.1 keep-alive, a Lua mix of right, wrong,
#                      missing and malformed credentials, Bearer, 404s and
#                      Connection: close) and four ab (HTTP/1.0, short
#                      connections, and one keep-alive)
# Nothing is routed off the machine; no system configuration is read or
# changed. Every process started here is stopped by its PID and both
# namespaces are deleted on every exit path: the end, an error, Ctrl-C,
# SIGTERM (a script started with & ignores SIGINT: send it SIGTERM).
#
# --tls: nginx speaks TLS 1.3 only (a self-signed certificate made with
# openssl for this run), on 8443. wrk and ab drive https under
# bench/keylog-shim.c (built here with cc against libssl-dev, LD_PRELOADed),
# which writes the NSS key log OUT.keys that tshark (-o tls.keylog_file:) and
# why401 (--keylog) decrypt the capture with.
#
# What the capture looks like, on purpose or as a property of the setup:
# tcpdump starts before the load, so every connection's handshake is in the
# file, and stops first, so the last connections are cut mid-stream; TCP
# checksums are not valid (veth keeps checksum offload, as on any sending
# host); timestamps are not strictly ordered (RX and TX are stamped on
# different CPUs); client ports are reused within the capture (tcp_tw_reuse).
#
# Needs root, iproute2, nginx, wrk, ab (apache2-utils), tcpdump, openssl,
# coreutils; with --tls also cc and libssl-dev. Env: BENCH_MAX_SECS (give up
# after that much load, default 1800), BENCH_WRK_CONNS (default 8).
set -euo pipefail

usage() { echo "usage: $0 OUT.pcap SIZE [--tls]" >&2; exit 2; }
fail() { echo "make-capture: $*" >&2; exit 1; }

{ [ $# -ge 2 ] && [ $# -le 3 ]; } || usage
OUT=$(realpath -m "$1")
SIZE=$2
TLS=
if [ $# = 3 ]; then [ "$3" = --tls ] || usage; TLS=1; fi
case $OUT in *.pcap) ;; *) fail "OUT must end in .pcap: $OUT" ;; esac
TARGET=$(numfmt --from=iec "$SIZE" 2>/dev/null) || fail "bad SIZE: $SIZE"
MAX_SECS=${BENCH_MAX_SECS:-1800}
WRK_CONNS=${BENCH_WRK_CONNS:-8}
HERE=$(cd "$(dirname "$0")" && pwd)
LOG=${OUT%.pcap}.log
KEYS=${OUT%.pcap}.keys

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, tcpdump)"
tools="ip nginx wrk ab tcpdump openssl numfmt base64"
[ -z "$TLS" ] || tools="$tools cc"
for t in $tools; do command -v "$t" >/dev/null || fail "missing: $t"; done
[ -z "$TLS" ] || [ -f /usr/include/openssl/ssl.h ] || fail "missing: libssl-dev (for the key log shim)"
mkdir -p "$(dirname "$OUT")"

# ------------------------------------------------------------- bookkeeping
ID=wb$$                       # interface names are at most 15 characters
NS_SRV=${ID}srv NS_CLI=${ID}cli
VETH_SRV=${ID}s VETH_CLI=${ID}c
SRV=10.250.0.1 CLI=10.250.0.2
if [ -n "$TLS" ]; then PORT=8443 SCHEME=https; else PORT=8080 SCHEME=http; fi
URL=$SCHEME://$SRV:$PORT
WORK=$(mktemp -d /tmp/why401-bench.XXXXXX)
NAMESPACES=() LOAD=() NGINX="" TCPDUMP=""

log() { echo "[$(date -u +%T)] $*" | tee -a "$LOG" >&2; }

# stop PID SIGNAL: send it, wait up to 10 s, then SIGKILL
stop() {
  local pid=$1 sig=$2 i
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "PID $pid still there 10 s after SIG$sig: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid ns f
  set +e
  trap - EXIT INT TERM HUP
  for pid in "${LOAD[@]}"; do stop "$pid" INT; done
  stop "$TCPDUMP" INT
  stop "$NGINX" TERM            # the master stops its worker
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do  # only ours can be inside
      log "leftover PID $pid in $ns: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null && log "removed netns $ns"
  done
  for f in "$WORK"/*.out "$WORK"/tcpdump.err "$WORK"/nginx-error.log; do
    [ -s "$f" ] && { echo "----- $(basename "$f")"; cat "$f"; } >>"$LOG"
  done
  rm -rf "$WORK"
  if [ "$rc" != 0 ]; then     # no half capture that a cache would take as made
    rm -f "$OUT" "$KEYS"
    log "failed (exit $rc): removed what it wrote but $LOG; nothing is left running"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

: >"$LOG"
log "making $OUT: until $TARGET bytes ($SIZE)${TLS:+, TLS 1.3 with key log $KEYS}"
log "versions: $(nginx -v 2>&1 | sed 's/.*version: //'), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')," \
    "ab $(ab -V | awk 'NR == 1 { print $5 }'), tcpdump $(tcpdump --version | awk 'NR == 1 { print $3 }')," \
    "$(openssl version | cut -d' ' -f1-2), Linux $(uname -r)"

# ----------------------------------------------------------------- network
ip netns add "$NS_SRV"; NAMESPACES+=("$NS_SRV")
ip netns add "$NS_CLI"; NAMESPACES+=("$NS_CLI")
ip link add "$VETH_SRV" mtu 1500 gso_max_segs 1 type veth \
  peer name "$VETH_CLI" mtu 1500 gso_max_segs 1
ip link set "$VETH_SRV" netns "$NS_SRV"
ip link set "$VETH_CLI" netns "$NS_CLI"
ip -n "$NS_SRV" addr add "$SRV/24" dev "$VETH_SRV"
ip -n "$NS_CLI" addr add "$CLI/24" dev "$VETH_CLI"
for ns in "$NS_SRV" "$NS_CLI"; do ip -n "$ns" link set lo up; done
ip -n "$NS_SRV" link set "$VETH_SRV" up
ip -n "$NS_CLI" link set "$VETH_CLI" up
# ab opens thousands of connections a second from one address
ip netns exec "$NS_CLI" sysctl -q -w net.ipv4.ip_local_port_range="10000 65000" \
  net.ipv4.tcp_tw_reuse=1
log "netns $NS_SRV ($SRV on $VETH_SRV) <-> $NS_CLI ($CLI on $VETH_CLI), MTU 1500, gso_max_segs 1"

# ----------------------------------------------------------------- content
chmod 755 "$WORK"
mkdir -p "$WORK/www/public" "$WORK/www/private" "$WORK/logs"
page() {  # page FILE BYTES: the same text of exactly BYTES bytes on every run
  local f=$1 n=$2 line
  line="$(basename "$f"): why401 benchmark page, a line of plain text to fill it"
  head -c "$n" <(yes "$line") >"$f"    # not a pipe: yes's SIGPIPE would fail it
}
for dir in public private; do
  page "$WORK/www/$dir/small.html" 200
  page "$WORK/www/$dir/medium.html" 4096
  page "$WORK/www/$dir/large.bin" 65536
done
chmod -R a+rX "$WORK/www"
USER1=alice PASS1=correct-horse-401
USER2=bob PASS2=b0b-secret
printf '%s:%s\n%s:%s\n' \
  "$USER1" "$(openssl passwd -apr1 -salt why401a "$PASS1")" \
  "$USER2" "$(openssl passwd -apr1 -salt why401b "$PASS2")" >"$WORK/htpasswd"
chmod 644 "$WORK/htpasswd"

LISTEN="listen $SRV:$PORT;"
if [ -n "$TLS" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=why401-bench.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  chmod 644 "$WORK/key.pem"
  LISTEN="listen $SRV:$PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;"
  cc -shared -fPIC -O2 -o "$WORK/keylog-shim.so" "$HERE/keylog-shim.c" -ldl -lssl
  rm -f "$KEYS"
fi
cat >"$WORK/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log crit;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/html;
    types { text/html html; application/octet-stream bin; }
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server {
        $LISTEN
        server_name why401-bench.test;
        root $WORK/www;
        location /public/ { }
        location /private/ {
            auth_basic "why401 bench";
            auth_basic_user_file $WORK/htpasswd;
        }
    }
}
EOF
ip netns exec "$NS_SRV" nginx -p "$WORK" -c "$WORK/nginx.conf" &
NGINX=$!
log "nginx (PID $NGINX) on $URL"
for i in $(seq 100); do
  ip netns exec "$NS_CLI" bash -c "exec 3<>/dev/tcp/$SRV/$PORT" 2>/dev/null && break
  kill -0 "$NGINX" 2>/dev/null || fail "nginx exited: $(cat "$WORK/nginx-error.log")"
  [ "$i" -lt 100 ] || fail "nginx does not listen on $SRV:$PORT"
  sleep 0.1
done

# Clients run niced in the client namespace (so tcpdump keeps up), with the
# key log shim for TLS. An array, not a function: "${CLIENT[@]}" cmd & makes
# $! the client's own PID (ip, env and nice exec it), which stop() signals.
CLIENT=(ip netns exec "$NS_CLI")
[ -z "$TLS" ] || CLIENT+=(env SSLKEYLOGFILE="$KEYS" LD_PRELOAD="$WORK/keylog-shim.so")
CLIENT+=(nice -n 10)
# Before the capture: the server answers as configured.
check() {  # check WANT PATH [USER:PASS]
  local want=$1 path=$2 got
  got=$("${CLIENT[@]}" ab -q -n 1 ${3:+-A "$3"} "$URL$path" 2>&1 | awk '/^Non-2xx responses/ { n = $3 } END { print n + 0 }')
  [ "$got" = "$want" ] || fail "$path ${3:-without credentials}: $got non-2xx responses, want $want"
}
check 0 /public/small.html
check 1 /private/small.html
check 0 /private/small.html "$USER1:$PASS1"
check 1 /private/small.html "$USER1:wrong"
log "nginx answers 200 and 401 as configured"
rm -f "$KEYS"                  # the checks' sessions are not in the capture

# ---------------------------------------------------------------- the load
basic() { printf 'Basic %s' "$(printf '%s' "$1" | base64 -w0)"; }
cat >"$WORK/mix.lua" <<EOF
-- One cycle of requests, shuffled the same way on every run; wrk sends it
-- round and round on every connection of its thread.
local good, good2 = "$(basic "$USER1:$PASS1")", "$(basic "$USER2:$PASS2")"
local wrong_case = "$(basic "$USER1:Correct-Horse-401")"
local no_such_user = "$(basic "mallory:$PASS1")"
local empty_password = "$(basic "$USER2:")"
local mix = {
  -- { how many per cycle, path, Authorization, Connection }
  { 8, "/public/small.html" }, { 5, "/public/medium.html" }, { 1, "/public/large.bin" },
  { 6, "/private/small.html", good }, { 4, "/private/medium.html", good },
  { 1, "/private/large.bin", good }, { 2, "/private/medium.html", good2 },
  { 3, "/private/small.html", wrong_case }, { 1, "/private/medium.html", wrong_case },
  { 2, "/private/small.html", no_such_user }, { 1, "/private/small.html", empty_password },
  { 4, "/private/small.html" }, { 1, "/private/large.bin" },
  { 1, "/private/small.html", "Basic !!not-base64!!" },
  { 1, "/private/small.html", "Bearer eyJhbGciOiJub25lIn0.e30." },
  { 1, "/public/missing.html" },
  { 1, "/public/small.html", nil, "close" },
  { 1, "/private/medium.html", good, "close" },
}
local cycle = {}
-- in init(): wrk fills in its own Host header only after loading the script
init = function(args)
  for _, m in ipairs(mix) do
    local h = { ["Host"] = "$SRV:$PORT", ["User-Agent"] = "why401-bench/1 (wrk)", ["Accept"] = "*/*" }
    h["Authorization"] = m[3]
    h["Connection"] = m[4]
    for _ = 1, m[1] do cycle[#cycle + 1] = wrk.format("GET", m[2], h) end
  end
  math.randomseed(401)
  for i = #cycle, 2, -1 do
    local j = math.random(i)
    cycle[i], cycle[j] = cycle[j], cycle[i]
  end
end
local n = 0
request = function()
  n = n % #cycle + 1
  return cycle[n]
end
EOF

# ----------------------------------------------------------------- capture
rm -f "$OUT"
ip netns exec "$NS_SRV" tcpdump -i "$VETH_SRV" -s 0 -B 131072 -Z root -w "$OUT" 2>"$WORK/tcpdump.err" &
TCPDUMP=$!
log "tcpdump (PID $TCPDUMP): -i $VETH_SRV -s 0 -B 131072 -w $OUT"
for i in $(seq 100); do
  grep -q 'listening on' "$WORK/tcpdump.err" && break
  kill -0 "$TCPDUMP" 2>/dev/null || fail "tcpdump exited: $(cat "$WORK/tcpdump.err")"
  sleep 0.1
done
sleep 0.3

load() {  # load NAME COMMAND...
  local name=$1; shift
  "${CLIENT[@]}" "$@" >"$WORK/$name.out" 2>&1 &
  LOAD+=($!)
  log "load $name (PID $!): $*"
}
AB_TLS=
[ -z "$TLS" ] || AB_TLS="-f TLS1.3"
load wrk wrk -t 1 -c "$WRK_CONNS" -d "${MAX_SECS}s" --timeout 10s -s "$WORK/mix.lua" "$URL/"
# shellcheck disable=SC2086  # AB_TLS is empty or two words
{
  load ab-wrong-password ab -q -r $AB_TLS -n 5000000 -c 2 -A "$USER1:wrong-password" "$URL/private/small.html"
  load ab-no-credentials ab -q -r $AB_TLS -n 5000000 -c 1 "$URL/private/medium.html"
  load ab-public ab -q -r $AB_TLS -n 5000000 -c 1 "$URL/public/medium.html"
  load ab-keepalive ab -q -r -k $AB_TLS -n 5000000 -c 2 -A "$USER2:$PASS2" "$URL/private/medium.html"
}

start=$SECONDS last=0
while :; do
  size=$(stat -c %s "$OUT" 2>/dev/null || echo 0)
  [ "$size" -ge "$TARGET" ] && break
  [ $((SECONDS - start)) -lt "$MAX_SECS" ] || fail "gave up after $MAX_SECS s at $size bytes"
  kill -0 "$TCPDUMP" 2>/dev/null || fail "tcpdump exited: $(cat "$WORK/tcpdump.err")"
  for pid in "${LOAD[@]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a load generator (PID $pid) exited early: see $LOG"
  done
  if [ $((SECONDS - last)) -ge 10 ]; then log "  $size bytes"; last=$SECONDS; fi
  sleep 0.1
done
log "$SIZE reached after $((SECONDS - start)) s: stopping tcpdump, then the load"
stop "$TCPDUMP" INT; TCPDUMP=
for pid in "${LOAD[@]}"; do stop "$pid" INT; done
LOAD=()
log "tcpdump: $(tr '\n' ' ' <"$WORK/tcpdump.err")"
if grep -q '[1-9][0-9]* packets dropped by kernel' "$WORK/tcpdump.err"; then
  log "warning: the kernel dropped packets: the capture has gaps (a busy machine)"
fi
log "wrote $OUT ($(stat -c %s "$OUT") bytes)${TLS:+ and $KEYS ($(wc -l <"$KEYS") lines)}"
