#!/bin/sh
# What why401 cannot read (TLS without its keys) is said, never hidden
# behind "No failed responses": the text report names what was not
# inspected and the TLS info names the SNI. HTTP/2 (prior knowledge, h2c
# upgrade) is read now: it is not among what was not inspected, and no
# warning says otherwise.
# usage: not-inspected.sh WHY401 (run from the source root)
why401=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
n=0
bad=0
check() { # description command...
    n=$((n + 1))
    d=$1
    shift
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}
"$why401" pcaps/h2c-upgrade-404.pcap pcaps/tls-sni-not-decrypted.pcap \
    >"$tmp/out" 2>"$tmp/err"
status=$?
flat=$(tr -s ' \n' '  ' <"$tmp/out")
check "exit 0 (nothing failed in what was read)" [ $status -eq 0 ]
check "no flat 'No failed responses'" sh -c '! grep -q "^No failed (401/407/403) responses\.$" "$1"' sh "$tmp/out"
check "names what was not inspected, the SNI too" sh -c 'case "$1" in
    *"not inspected: TLS to 1 server."*"(SNI api.example.test)"*) ;;
    *) exit 1 ;; esac' sh "$flat"
check "no HTTP/2 warning on stderr" [ "$(grep -c 'HTTP/2' "$tmp/err")" -eq 0 ]
sed 's/^/# /' "$tmp/err"
[ $bad -eq 0 ]
