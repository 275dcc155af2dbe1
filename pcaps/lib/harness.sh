# harness.sh: what every capture script in pcaps/ shares. A script sets
#   HARNESS_NAME     its name for messages ("make-real-cookies.sh")
#   HARNESS_TOOLS    the commands it needs, besides python3
#   HARNESS_TIMEOUT  the bound of the whole run in seconds (default 120;
#                    WHY401_MAKE_TIMEOUT overrides it)
# and then sources this file, which checks for root and the tools, re-runs
# the script under timeout(1) (its TERM reaches the cleanup trap), makes a
# temporary directory $WORK and sets the trap that stops the capture and
# every server, shows their logs when the run failed and removes $WORK.
#
# It gives: HERE (pcaps/), OUT (where captures go: WHY401_PCAP_OUT or
# pcaps/), PYTHON, TIMEOUT, WORK, PIDS (servers, in start order; a script
# appends what it starts in the background), and the functions log,
# free_port, wait_port, start_server, stop_servers, start_capture,
# stop_capture, save_capture, finish_capture, self_signed_cert and
# nginx_conf. A script that starts and
# stops a server of its own between captures defines harness_on_exit to
# stop it; the trap calls it before stopping the servers in PIDS.
# shellcheck shell=bash

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${WHY401_PCAP_OUT:-$HERE}
PYTHON=${PYTHON:-python3}
TIMEOUT=${WHY401_MAKE_TIMEOUT:-${HARNESS_TIMEOUT:-120}}

log() { echo "$HARNESS_NAME: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "needs root (tcpdump on lo)"
    exit 1
fi
for tool in $HARNESS_TOOLS "$PYTHON"; do
    command -v "$tool" >/dev/null || { log "missing $tool"; exit 1; }
done
if [ -z "${WHY401_MAKE_INNER:-}" ]; then
    WHY401_MAKE_INNER=1 exec timeout -k 10 "$TIMEOUT" bash "$0" "$@"
fi

WORK=$(mktemp -d "/tmp/why401-${HARNESS_NAME%.sh}.XXXXXX")
chmod 755 "$WORK"          # nginx workers and apache children run unprivileged
PIDS=()
TCPDUMP_PID=
CAP_NAME=
CAP_FILE=

# Stops every server, the last started first; one that ignores TERM gets
# KILL after 5 s.
stop_servers() {
    local i n
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM "${PIDS[i]}" 2>/dev/null || true
    done
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        n=0
        while kill -0 "${PIDS[i]}" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        kill -KILL "${PIDS[i]}" 2>/dev/null || true
        wait "${PIDS[i]}" 2>/dev/null || true
    done
    PIDS=()
}

harness_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    if declare -F harness_on_exit >/dev/null; then harness_on_exit || true; fi
    stop_servers
    if [ $rc -ne 0 ]; then
        log "failed (exit $rc); server logs were in $WORK:"
        tail -n 20 "$WORK"/*.log "$WORK"/*/*.log >&2 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit $rc
}
trap harness_cleanup EXIT
trap 'exit 130' INT
trap 'log "stopped (timeout or TERM)"; exit 143' TERM

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something accepts connections on port $1 of $2 (default
# 127.0.0.1), before any capture starts, so these probes are never
# recorded.
wait_port() { # port [address]
    local n=0
    until (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt 100 ] || { log "nothing listens on ${2:-127.0.0.1}:$1"; return 1; }
        sleep 0.1
    done
}

start_server() { # log-name command...
    local name=$1
    shift
    "$@" > "$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}

start_capture() { # file-name bpf-filter [interface]
    CAP_NAME=$1
    CAP_FILE="$WORK/$1"
    tcpdump -i "${3:-lo}" --immediate-mode -U -s 0 -n -Z root -w "$CAP_FILE" "$2" \
        > "$WORK/tcpdump.log" 2>&1 &
    TCPDUMP_PID=$!
    local n=0
    until grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null; do
        n=$((n + 1))
        kill -0 "$TCPDUMP_PID" 2>/dev/null && [ $n -lt 100 ] ||
            { log "tcpdump did not start: $(cat "$WORK/tcpdump.log")"; return 1; }
        sleep 0.1
    done
    sleep 0.2
}

stop_capture() {
    sleep 0.5               # let the last FIN/ACKs reach the capture
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    grep -E "packets (captured|dropped by kernel)" "$WORK/tcpdump.log" |
        sed "s/^/  $CAP_NAME: /" >&2 || true
}

# Copies the capture into $OUT (as $1, by default its own name) through a
# temporary name, so a failed run never leaves half a file there.
save_capture() { # [final-name]
    local name=${1:-$CAP_NAME}
    cp "$CAP_FILE" "$OUT/$name.tmp"
    mv "$OUT/$name.tmp" "$OUT/$name"
    log "wrote $name ($(stat -c %s "$OUT/$name") bytes)"
}

finish_capture() { # [final-name]
    stop_capture
    save_capture "$@"
}

# self_signed_cert NAME: a throwaway certificate for NAME (CN and DNS name)
# and its key in $WORK/cert.pem and $WORK/key.pem, readable by the servers'
# unprivileged workers.
self_signed_cert() { # name
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$1" \
        -addext "subjectAltName=DNS:$1" \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log"
    chmod 644 "$WORK/key.pem" "$WORK/cert.pem"
}

# nginx_conf < HTTP-BLOCK: $WORK/nginx.conf for an nginx in the foreground
# whose pid file, logs and temporary files stay in $WORK; standard input is
# the rest of its http block (settings, server blocks).
nginx_conf() {
    mkdir -p "$WORK/nginx-tmp"
    {
        cat <<EOF
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
EOF
        cat
        echo "}"
    } > "$WORK/nginx.conf"
}
