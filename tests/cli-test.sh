#!/bin/sh
# The command line's conventions, as tcpdump users expect them (TAP).
#   tests/cli-test.sh WHY401   (run from the source root)
# Short letters mean what they mean in tcpdump (-n -p -v -D ...), none
# contradicts both tcpdump and tshark (-V is tshark's packet detail, -a its
# autostop: both refused), and a bare --color takes no value, as in GNU ls.
why401=$1
case $why401 in /*) ;; *) why401=$(pwd)/$why401 ;; esac
demo=pcaps/demo.pcapng
here=$(pwd)
tmp=$(mktemp -d /tmp/why401-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
check() { # check NAME COMMAND...: ok when COMMAND succeeds
  name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
status_of() { "$@" > "$tmp/out" 2> "$tmp/err"; echo $?; }

echo "1..28"

# --color alone means always and leaves the next word alone (a file here).
s=$(status_of "$why401" --color "$demo")
check "bare --color reads the next word as a file (exit $s)" \
  sh -c "[ $s = 1 ] && grep -q '^.\[1mdemo.pcapng' '$tmp/out'"
s=$(status_of "$why401" --color=never "$demo")
check "--color=never takes its value" sh -c "[ $s = 1 ] && ! grep -q '\[1m' '$tmp/out'"
s=$(status_of "$why401" --color never "$demo")
check "--color never: 'never' is a file name, not a value (exit $s)" \
  sh -c "[ $s = 1 ] && grep -q 'never' '$tmp/err' && grep -q '\[1m' '$tmp/out'"
# a bare --color that is another option's value stays that value
s=$(cd "$tmp" && status_of "$why401" -o --color --format ndjson "$here/$demo")
check "-o --color: --color is -o's value, a file name (exit $s)" test -s "$tmp/--color"

# Letters of tcpdump and tshark that mean something else here are refused.
s=$(status_of "$why401" -V)
check "-V is refused (tshark's packet detail), exit $s" test "$s" = 2
s=$(status_of "$why401" -a "$demo")
check "-a is refused (tshark's autostop), exit $s" test "$s" = 2
s=$(status_of "$why401" --version)
check "--version prints the version" sh -c "[ $s = 0 ] && grep -q '^why401 ' '$tmp/out'"

# -n is accepted (nothing is resolved); -v shows what --all shows.
"$why401" --all "$demo" > "$tmp/all" 2>/dev/null
s=$(status_of "$why401" -n -v "$demo")
check "-n -v: exit $s, same report as --all" sh -c "[ $s = 1 ] && cmp -s '$tmp/all' '$tmp/out'"
s=$(status_of "$why401" -nv "$demo")
check "-nv clustered as in tcpdump" sh -c "[ $s = 1 ] && cmp -s '$tmp/all' '$tmp/out'"
s=$(status_of "$why401" -p "$demo")
check "-p with a file is accepted (exit $s)" test "$s" = 1

# -D lists the interfaces as tcpdump -D does, and exits 0.
s=$(status_of "$why401" -D)
check "-D exits 0 and lists 'N.NAME' lines" sh -c "[ $s = 0 ] && grep -q '^1\.' '$tmp/out'"
if command -v tcpdump > /dev/null 2>&1; then
  tcpdump -D > "$tmp/tcpdump-D" 2>/dev/null
  check "-D prints what tcpdump -D prints" cmp -s "$tmp/tcpdump-D" "$tmp/out"
else
  ok "-D prints what tcpdump -D prints # SKIP tcpdump is not installed"
fi
# A warning names a frame as the user finds it: in its own file. The
# outlier is frame 7 of the second file of the run (frame 17 run-wide).
s=$(status_of "$why401" -q pcaps/link-null.pcap pcaps/clock-outlier-udp.pcap)
check "an outlier timestamp names its file's frame (exit $s)" \
  grep -q '^why401: warning: frame 7 of clock-outlier-udp.pcap is dated' "$tmp/err"
# Every warning of summary.warnings is on stderr too: here a message that
# could not be parsed.
s=$(status_of "$why401" -q pcaps/python-request-line-odd.pcap)
check "a message that could not be parsed is a warning on stderr (exit $s)" \
  grep -q '^why401: warning: 1 HTTP message could not be parsed and is not analysed (the first in frame 28 of python-request-line-odd.pcap' "$tmp/err"
# HTTP/2 is read: no warning that it is not (its 403 is a failure, exit 1).
s=$(status_of "$why401" -q pcaps/link-null.pcap pcaps/h2-prior-knowledge-403.pcap)
check "HTTP/2 is read, not warned about (exit $s)" \
  sh -c "[ $s = 1 ] && ! grep -q 'HTTP/2' '$tmp/err'"
# --keylog: the key log is read and counted (TLS 1.0-1.3 are decrypted with it);
# a malformed line is named by its number, never shown; one that cannot be
# read is exit 2; -o does not overwrite a key log; --help says it all,
# and that HTTP/2 is read.
keys=pcaps/tls-keylog-curl.keys
s=$(status_of "$why401" -q --keylog "$keys" pcaps/tls-keylog-curl.pcap)
check "--keylog: sessions counted on stderr (exit $s)" sh -c "[ $s = 0 ] && grep -q \
  '^why401: warning: key log $keys: secrets for 2 TLS sessions\$' \
  '$tmp/err'"
"$why401" --format json --keylog "$keys" pcaps/tls-keylog-curl.pcap > "$tmp/out" 2>/dev/null
check "--keylog: the same line in summary.warnings" \
  grep -q '"key log pcaps/tls-keylog-curl.keys: secrets for 2 TLS sessions"' "$tmp/out"
{ cat "$keys"; echo "CLIENT_RANDOM 00 SECRETBYTES"; } > "$tmp/bad.keys"
s=$(status_of "$why401" -q --keylog "$tmp/bad.keys" --keylog "$keys" pcaps/tls-keylog-curl.pcap)
check "--keylog: a malformed line is a warning with its number, without its content (exit $s)" \
  sh -c "[ $s = 0 ] && grep -q 'bad.keys line 7: the client random is not 64 hex digits' '$tmp/err' \
         && grep -q 'bad.keys: secrets for 2 TLS sessions (1 malformed line skipped)' '$tmp/err' \
         && ! grep -q SECRETBYTES '$tmp/err' '$tmp/out'"
printf '# nothing yet\n' > "$tmp/empty.keys"
s=$(status_of "$why401" -q --keylog "$tmp/empty.keys" pcaps/tls-keylog-curl.pcap)
check "--keylog: a key log without secrets says so (exit $s)" \
  grep -q 'empty.keys: no TLS secrets in it$' "$tmp/err"
s=$(status_of "$why401" --keylog "$tmp/missing.keys" pcaps/tls-keylog-curl.pcap)
check "--keylog: a key log that cannot be read is exit 2 (exit $s)" \
  sh -c "[ $s = 2 ] && grep -q 'cannot read the key log .*missing.keys' '$tmp/err'"
cp "$keys" "$tmp/keep.keys"
s=$(status_of "$why401" --keylog "$tmp/keep.keys" -o "$tmp/keep.keys" pcaps/tls-keylog-curl.pcap)
check "-o refuses to overwrite a key log (exit $s)" \
  sh -c "[ $s = 2 ] && cmp -s '$keys' '$tmp/keep.keys'"
s=$(status_of sh -c "cat pcaps/tls-keys-injected.pcapng | '$why401' -q -")
check "a pcapng stream's Decryption Secrets Block is read (exit $s)" \
  grep -q '^why401: warning: -: Decryption Secrets Block 1: secrets for 2 TLS sessions' "$tmp/err"
"$why401" --help > "$tmp/help" 2>&1
check "--help documents --keylog and HTTP/2" \
  sh -c "grep -q -- '--keylog=FILE' '$tmp/help' && grep -q 'HTTP/2' '$tmp/help'"

# --max-mem: a size of at least 1 MiB; anything else is a usage error.
s=$(status_of "$why401" --max-mem 0 "$demo")
check "--max-mem 0 is refused with one line (exit $s)" \
  sh -c "[ $s = 2 ] && grep -q \"^why401: bad --max-mem '0': expected a size of at least 1 MiB\" '$tmp/err'"
s=$(status_of "$why401" --max-mem 64MB "$demo")
check "--max-mem 64MB (no such unit) is refused (exit $s)" test "$s" = 2
s=$(status_of "$why401" --format ndjson --max-mem 64M "$demo")
check "--max-mem 64M is the summary's budget (exit $s)" \
  sh -c "[ $s = 1 ] && tail -n 1 '$tmp/out' | grep -q '\"budget\":{\"max_bytes\":67108864,'"
s=$(status_of "$why401" --format ndjson "$demo")
check "the default budget is 512 MiB (exit $s)" \
  sh -c "[ $s = 1 ] && tail -n 1 '$tmp/out' | grep -q '\"max_bytes\":536870912,'"
check "--help documents --max-mem" grep -q -- '--max-mem=SIZE' "$tmp/help"
exit $((bad > 0))
