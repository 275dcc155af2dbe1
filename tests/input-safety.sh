#!/bin/bash
# Inputs are kept safe and read however they come, as TAP.
#
#   tests/input-safety.sh WHY401 PCAPDIR
#
# -o never overwrites an input (same path, another spelling, a symlink, a
# hard link); a json/text report replaces an old one only when the run
# succeeded, with no temporary file left; a FIFO, a process substitution,
# standard input and gzip/zstd compression (also concatenated members, also
# through a pipe) give the same findings as the plain file; a cut-short
# compressed file is a warning naming the file and the frame; an input that
# cannot be opened among readable ones is a warning in summary.warnings,
# and alone it is exit 2; -f on a file keeps the file's frame numbers (the
# ones tshark gives) and a filter that does not compile is exit 2 with one
# line; file names on stderr are sanitised.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 WHY401 PCAPDIR" >&2
    exit 2
fi
WHY401=$1
PCAPDIR=$2
case $WHY401 in /*) ;; *) WHY401=$(cd "$(dirname "$WHY401")" && pwd)/$(basename "$WHY401") ;; esac
case $PCAPDIR in /*) ;; *) PCAPDIR=$(cd "$PCAPDIR" && pwd) ;; esac
export LC_ALL=C TZ=UTC

T=$(mktemp -d /tmp/why401-input-safety.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check () { # check NAME COMMAND...: ok when COMMAND succeeds
    local name=$1; shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# The findings with the input's name taken out (it differs by design): the
# values of "file", and of any other key ending in file ("request_file").
findings () { sed -E 's/(file)":"[^"]*"/\1":"F"/g'; }

echo "1..37"

cp "$PCAPDIR/demo.pcapng" demo.pcapng
cp "$PCAPDIR/nginx-basic-wrong-password.pcap" plain.pcap
cp demo.pcapng orig.pcapng
"$WHY401" --format ndjson demo.pcapng > ref.ndjson 2> /dev/null
ref_status=$?
findings < ref.ndjson > ref.norm

# ---- -o never destroys an input -------------------------------------------
ln -s demo.pcapng link.pcapng
ln demo.pcapng hard.pcapng
for out in demo.pcapng ./demo.pcapng "$T/demo.pcapng" link.pcapng hard.pcapng; do
    "$WHY401" -o "$out" demo.pcapng > /dev/null 2> err.txt
    status=$?
    check "-o $out naming the input: exit 2, input intact, one line" \
        test "$status" -eq 2 -a "$(wc -l < err.txt)" -eq 1 -a -n "$(cmp -s demo.pcapng orig.pcapng && echo same)"
    cp orig.pcapng demo.pcapng # for the next tests, whatever happened
done
"$WHY401" -o demo.pcapng - < demo.pcapng > /dev/null 2>&1
status=$?
check "-o naming standard input's file: exit 2, input intact" \
    test "$status" -eq 2 -a -n "$(cmp -s demo.pcapng orig.pcapng && echo same)"
cp orig.pcapng demo.pcapng

# ---- json/text: temp file + rename ------------------------------------------
echo OLD > report.json
"$WHY401" --format json -o report.json missing.pcap > /dev/null 2>&1
status=$?
check "failing json run (exit 2) leaves the old report" \
    test "$status" -eq 2 -a "$(cat report.json)" = OLD
check "no temporary file left after a failing run" \
    test -z "$(ls -A | grep '^\.report\.json\.')"
"$WHY401" --format json -o report.json demo.pcapng > /dev/null 2>&1
status=$?
check "a succeeding json run replaces the report whole" \
    python3 -c 'import json,sys; d=json.load(open("report.json")); sys.exit(0 if "summary" in d else 1)' 2> /dev/null
check "no temporary file left after a succeeding run; exit by findings" \
    test -z "$(ls -A | grep '^\.report\.json\.')" -a "$status" -eq "$ref_status"
# Killed while the temporary file exists (here: blocked opening a FIFO that
# no one writes): the old report stays and no temporary file is left.
mkfifo idle.fifo
echo OLD > report.json
"$WHY401" --format json -o report.json idle.fifo > /dev/null 2>&1 &
killed=$!
sleep 1
kill -TERM "$killed"
wait "$killed"
status=$?
check "a run killed by SIGTERM leaves the old report, dies by the signal" \
    test "$status" -eq 143 -a "$(cat report.json)" = OLD
check "no temporary file left after a run killed by SIGTERM" \
    test -z "$(ls -A | grep '^\.report\.json\.')"
# A symlink whose file does not exist yet: the file is created, as plain
# writing through the link would, and the link stays.
mkdir linkdir
ln -s linkdir/new.json newlink.json
"$WHY401" --format json -o newlink.json demo.pcapng > /dev/null 2>&1
check "-o through a dangling symlink creates its file and keeps the link" \
    test -L newlink.json -a -s linkdir/new.json
# The kernel decides, as for plain writing: a report the user may not
# write is not replaced (rename(2) would need only the directory).
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    mkdir rodir
    echo OLD > rodir/ro.json
    chmod 444 rodir/ro.json
    chown -R nobody rodir
    chmod a+rx "$T"
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$WHY401" --format json -o rodir/ro.json demo.pcapng > /dev/null 2>&1
    status=$?
    check "-o onto a file the user may not write: exit 2, file unchanged" \
        test "$status" -eq 2 -a "$(cat rodir/ro.json)" = OLD
else
    skip "-o onto a file the user may not write" "needs root and setpriv"
fi
echo OLD > report.txt
"$WHY401" -o report.txt demo.pcapng > /dev/null 2>&1
check "text -o writes the report" grep -q "demo.pcapng: 148 packets" report.txt
"$WHY401" --format ndjson -o stream.ndjson demo.pcapng > /dev/null 2>&1
check "ndjson -o streams to the target" cmp -s stream.ndjson ref.ndjson

# ---- pipes and FIFOs ----------------------------------------------------------
mkfifo capture.fifo
# A reader that opens the FIFO twice would wait for a second writer forever.
cat demo.pcapng > capture.fifo &
timeout 60 "$WHY401" --format ndjson capture.fifo 2> /dev/null | findings > fifo.norm
kill %1 2> /dev/null
wait
check "FIFO input gives the file's findings" cmp -s fifo.norm ref.norm
"$WHY401" --format ndjson <(cat demo.pcapng) 2> /dev/null | findings > procsub.norm
check "<(cat x.pcapng) gives the file's findings" cmp -s procsub.norm ref.norm
"$WHY401" --format ndjson <(cat plain.pcap) 2> /dev/null | findings > procsub2.norm
"$WHY401" --format ndjson plain.pcap > plain.ndjson 2> /dev/null
findings < plain.ndjson > plain.norm
check "<(cat x.pcap) gives the file's findings (pcap)" cmp -s procsub2.norm plain.norm
# Same base name as the file: summaries that name the file ("frame 21 in
# demo.pcapng") then compare too.
mkdir fifodir
mkfifo fifodir/demo.pcapng
cat demo.pcapng > fifodir/demo.pcapng &
timeout 60 "$WHY401" --format ndjson plain.pcap fifodir/demo.pcapng > two.ndjson 2> /dev/null
kill %1 2> /dev/null
wait
"$WHY401" --format ndjson plain.pcap demo.pcapng > twofiles.ndjson 2> /dev/null
check "a FIFO among files is merged as the file would be" cmp -s two.ndjson twofiles.ndjson

# ---- compressed captures ------------------------------------------------------
gzip -c demo.pcapng > packed.gz
"$WHY401" --format ndjson packed.gz 2> /dev/null | findings > gz.norm
check "gzip file (detected by magic) gives the file's findings" cmp -s gz.norm ref.norm
"$WHY401" --format ndjson - < packed.gz 2> /dev/null | findings > gzstdin.norm
check "gzip through standard input" cmp -s gzstdin.norm ref.norm
cat packed.gz | "$WHY401" --format ndjson - 2> /dev/null | findings > gzpipe.norm
check "gzip through a pipe" cmp -s gzpipe.norm ref.norm
head -c 9000 demo.pcapng | gzip -c > members.gz
tail -c +9001 demo.pcapng | gzip -c >> members.gz
"$WHY401" --format ndjson members.gz 2> /dev/null | findings > members.norm
check "concatenated gzip members are read as one capture" cmp -s members.norm ref.norm
{ cat packed.gz; head -c 1000 /dev/zero; } > padded.gz
"$WHY401" --format ndjson padded.gz 2> padded.err | findings > padded.norm
check "zero padding after the last gzip member is no damage (as gzip -d)" \
    test -z "$(cat padded.err)" -a -n "$(cmp -s padded.norm ref.norm && echo same)"
if command -v zstd > /dev/null 2>&1; then
    zstd -q -c demo.pcapng > packed.zst
    "$WHY401" --format ndjson packed.zst 2> /dev/null | findings > zst.norm
    check "zstd file gives the file's findings" cmp -s zst.norm ref.norm
    "$WHY401" --format ndjson <(cat packed.zst) 2> /dev/null | findings > zstpipe.norm
    check "zstd through a pipe" cmp -s zstpipe.norm ref.norm
else
    skip "zstd file gives the file's findings" "no zstd"
    skip "zstd through a pipe" "no zstd"
fi
head -c 5000 packed.gz > cut.gz
"$WHY401" --format ndjson cut.gz > cut.ndjson 2> cut.err
status=$?
check "cut-short gzip: a warning naming the file and the frame, what came before analysed" \
    test "$status" -le 1 -a -n "$(grep 'cut\.gz: gzip data cut short at frame [0-9]' cut.err)" \
         -a -n "$(tail -1 cut.ndjson | grep 'cut.gz: gzip data cut short')"

# ---- inputs that cannot be opened ----------------------------------------------
"$WHY401" --format json demo.pcapng missing.pcap > miss.json 2> miss.err
status=$?
check "missing input among readable ones: in summary.warnings, exit by findings" \
    python3 -c '
import json, sys
w = json.load(open("miss.json"))["summary"]["warnings"]
sys.exit(0 if any("missing.pcap" in x for x in w) and int(sys.argv[1]) == int(sys.argv[2]) else 1)
' "$status" "$ref_status" 2> /dev/null
check "missing input among readable ones: a warning on stderr" grep -q "warning: .*missing.pcap" miss.err
"$WHY401" --format json missing.pcap /etc/hostname > /dev/null 2>&1
check "no readable input: exit 2" test $? -eq 2

mkdir many
for i in $(seq 1 40); do cp plain.pcap "many/f$i.pcap"; done
(ulimit -n 30; "$WHY401" --format json many/*.pcap > many.json 2> many.err)
check "more inputs than descriptors: a warning for each left out, the others analysed" \
    python3 -c '
import json, sys
s = json.load(open("many.json"))["summary"]
w = [x for x in s["warnings"] if "Too many open files" in x]
sys.exit(0 if w and s["packets"] > 0 and len(w) < 40 else 1)' 2> /dev/null
(ulimit -S -n 20; "$WHY401" --format json many/*.pcap > many2.json 2> /dev/null)
check "a low soft descriptor limit is raised to the hard one" \
    python3 -c '
import json, sys
s = json.load(open("many2.json"))["summary"]
sys.exit(0 if not s["warnings"] and s["packets"] == 40 * int(sys.argv[1]) else 1)' \
    "$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["packets"])' < plain.ndjson)" 2> /dev/null

# ---- -f on files -----------------------------------------------------------------
bpf='tcp port 41623'
"$WHY401" --format ndjson -f "$bpf" demo.pcapng 2> /dev/null | python3 -c '
import json, sys
print("\n".join("%d %d" % (d["stream"], d["response_frame"]) for d in map(json.loads, sys.stdin)
      if d.get("type") == "finding" and d.get("status") in (401, 403, 407)))' | sort -u > f.frames
if command -v tshark > /dev/null 2>&1; then
    responses='http.response.code == 401 || http.response.code == 403 || http.response.code == 407'
    tshark -r demo.pcapng -Y "tcp.port == 41623 && ($responses)" -T fields -e tcp.stream \
        -e frame.number 2> /dev/null | tr '\t' ' ' | sort -u > tshark.frames
    check "-f on a file keeps tshark's frame.number and tcp.stream" \
        test -s f.frames -a -n "$(cmp -s f.frames tshark.frames && echo same)"
else
    check "-f on a file keeps the file's frame and stream numbers" \
        test "$(tr '\n' ' ' < f.frames)" = "1 18 2 30 4 50 5 60 "
fi
"$WHY401" -f 'tcp prt 80' demo.pcapng > /dev/null 2> bpf.err
status=$?
check "a filter that does not compile: exit 2, one line" \
    test "$status" -eq 2 -a "$(wc -l < bpf.err)" -eq 1

# ---- sanitised names on stderr ---------------------------------------------------
evil=$(printf 'x\033[2J\nforged: \342\200\256txt.exe')
"$WHY401" --format json demo.pcapng "$evil" > /dev/null 2> evil.err
check "file names on stderr: no ESC, no raw newline, bidi escaped" \
    test "$(wc -l < evil.err)" -eq 1 -a -z "$(grep -l $'\033' evil.err)" \
         -a -n "$(grep -F 'x\x1B[2J\nforged: \u202Etxt.exe' evil.err)"

"$WHY401" --format "$(printf 'x\033[2J')" demo.pcapng > /dev/null 2> usage.err
check "a usage error quoting what was typed: ESC escaped" \
    test -z "$(grep -l $'\033' usage.err)" -a -n "$(grep -F 'x\x1B[2J' usage.err)"

exit $((failed > 0))
