#!/bin/sh
# TLS decryption with key logs that are not the capture's own: part of a
# key log (the early-data secret left out), and, below, key logs for other
# sessions or damaged. Each must be counted and said, never crash, never
# hide a 401 behind silence.
# usage: tls-keys.sh WHY401 (run from the source root)
why401=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
n=0
bad=0
check() { # description command...
    n=$((n + 1))
    d=$1
    shift
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}
# 0-RTT early data without CLIENT_EARLY_TRAFFIC_SECRET: the early records
# are skipped (the server accepted them: a warning says so), the rest of
# the direction is still decrypted (the 200 after the handshake is read).
grep -v '^CLIENT_EARLY_TRAFFIC_SECRET ' pcaps/tls13-early-data.keys > "$tmp/no-early.keys"
"$why401" --format json --keylog "$tmp/no-early.keys" pcaps/tls13-early-data.pcap \
    > "$tmp/out" 2> "$tmp/err"
check "early data without its secret: skipped with a warning" \
    grep -q "accepted the client's TLS early data (0-RTT), which the key log has no CLIENT_EARLY_TRAFFIC_SECRET for" "$tmp/err"
check "early data without its secret: the request after the handshake is still read" \
    grep -q '"http_requests": 1,' "$tmp/out"
sed 's/^/# /' "$tmp/err"
[ $bad -eq 0 ]
