#!/bin/sh
# TLS decryption with key logs that are not the capture's own: part of a
# key log (the early-data secret left out), key logs for other sessions,
# and a damaged one. Each must be counted and said, never crash, never
# hide a 401 behind silence.
# usage: tls-keys.sh WHY401 (run from the source root)
why401=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..8"
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
# The early-data capture's key log with CLIENT_HANDSHAKE_TRAFFIC_SECRET
# damaged: the early data opens with its own secret, the client's Finished
# does not; that is said as a failed record, not taken for 0-RTT data the
# key log has no secret for (which hid every later request silently).
awk '$1 == "CLIENT_HANDSHAKE_TRAFFIC_SECRET" {
         d = substr($3, length($3)) == "0" ? "1" : "0"; $3 = substr($3, 1, length($3) - 1) d
     } { print }' \
    pcaps/tls13-early-data.keys > "$tmp/bad-chts.keys"
"$why401" --format json --keylog "$tmp/bad-chts.keys" pcaps/tls13-early-data.pcap \
    > "$tmp/out" 2> "$tmp/err2"
cat "$tmp/err2" >> "$tmp/err"
check "damaged client handshake secret: a failed record, not missing early secrets" \
    sh -c "grep -q 'a TLS record failed its authentication tag' '$tmp/err2' &&
           ! grep -q 'no CLIENT_EARLY_TRAFFIC_SECRET' '$tmp/err2'"
# A key log of other sessions: the TLS 1.2 captures's three connections
# are "not in the key log", said in the not-decrypted info.
"$why401" --keylog pcaps/tls13-basic-auth.keys pcaps/tls12-aead-basic-auth.pcap \
    > "$tmp/out" 2>> "$tmp/err"
flat=$(tr -s ' \n' '  ' < "$tmp/out")
check "another session's key log: 'the key log has no secrets for them'" sh -c 'case "$1" in
    *"3 connections, not decrypted (the key log has no secrets for them)"*) ;; *) exit 1 ;; esac' sh "$flat"
# The capture's own key log with every secret's digits changed: the
# sessions are in it, their first protected record fails its tag.
awk '{ s = $3; gsub(/[0-9]/, "a", s); print $1, $2, s }' pcaps/tls12-aead-basic-auth.keys > "$tmp/mangled.keys"
"$why401" --format json --keylog "$tmp/mangled.keys" pcaps/tls12-aead-basic-auth.pcap \
    > "$tmp/out" 2>> "$tmp/err"
check "damaged key log: 'the key log's secrets do not open them', no HTTP read" \
    sh -c "grep -q \"3 connections, not decrypted (the key log's secrets do not open them)\" '$tmp/out' &&
           grep -q '\"http_requests\": 0,' '$tmp/out'"
check "damaged key log: the fix asks for the key log of this capture, whole" \
    grep -q '"fix": "Pass the key log the client wrote during this capture' "$tmp/out"
# A server that requires a client certificate, without the key log: the
# TLS 1.2 handshake_failure alert travels in clear and is in the server's
# row; TLS 1.3's certificate_required is encrypted and is not (the capture's
# expected file, with its key log, has both).
"$why401" --format json pcaps/tls-client-cert-required.pcap > "$tmp/out" 2>> "$tmp/err"
check "alerts without the key log: handshake_failure only" \
    sh -c "grep -q '\"description\": \"handshake_failure\"' '$tmp/out' &&
           ! grep -q certificate_required '$tmp/out'"
# TLS inside a proxy's CONNECT tunnel, without the key log: the
# not-decrypted info names the server the tunnel leads to, not only the
# proxy (two tunnels through one proxy are two servers).
"$why401" --format json pcaps/squid-tunnel-tls.pcap > "$tmp/out" 2>> "$tmp/err"
flat=$(tr -s ' \n' '  ' < "$tmp/out")
check "TLS in a tunnel, not decrypted: the tunnel's server is named" sh -c 'case "$1" in
    *"TLS to 127.0.0.1:47357 tunnel to api.example.test:38361 (SNI api.example.test): 2 connections"*"\"tunnel\": \"api.example.test:38361\""*) ;;
    *) exit 1 ;; esac' sh "$flat"
sed 's/^/# /' "$tmp/err"
[ $bad -eq 0 ]
