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

echo "1..15"

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
# A tcp.stream number is the file's: the warning names the file.
s=$(status_of "$why401" -q pcaps/link-null.pcap pcaps/h2-prior-knowledge-403.pcap)
check "the HTTP/2 warning names the file of its tcp.stream (exit $s)" \
  grep -q 'first on tcp.stream 0 of h2-prior-knowledge-403.pcap to ' "$tmp/err"
exit $((bad > 0))
