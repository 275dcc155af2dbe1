#!/usr/bin/env python3
"""Agreement with tshark on every failed response of the project's captures (TAP).

usage: tests/parity-pcaps.py WHY401 [CAPTURE ...]   (run from the source root)

With no CAPTURE it reads every pcaps/*.pcap and pcaps/*.pcapng. For each capture, every
HTTP/1 or HTTP/2 response with status 401, 407 or 403 that tshark dissects must be one finding of
why401 (kind failure or note) with the same tcp.stream, the same status, and a
response_frame among the frames that carry the response's header block: from the first
TCP segment (or, when one segment carries it, the first IP fragment) to the frame where
tshark completes it. And why401 must report no failed response that tshark does not.

tshark runs with out-of-order reassembly on (its default leaves such segments out) and
without body reassembly, so that a response counts once its headers are complete, as in
why401. A NAME.keys beside a capture is passed to both as the TLS key log, so responses
inside decrypted TLS are compared too; HTTP/2 responses (`:status`) are compared once
why401's --help says it reads HTTP/2.

One TAP line per capture. tests/parity-known.txt lists the captures where why401 disagrees
on purpose (README.md says why): those are "not ok ... # TODO" and do not fail the test;
any other disagreement does, and so does a listed capture that agrees (a stale list).
Without tshark the test is skipped. This is the project's
own check, for anyone with a clone; CI also checks the shared corpus with the shared
parity tool (tests/corpus-parity.sh).
"""
import glob
import json
import os
import shutil
import subprocess
import sys

FAILED_STATUSES = (401, 407, 403)
KNOWN = "tests/parity-known.txt"


def known_disagreements(path=KNOWN):
    """{capture path: why} from the known-disagreements file (tab-separated)."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, _, why = line.partition("\t")
            known[name] = why
    return known


def numbers(field):
    """The integers of one tshark field printed with -E aggregator=','."""
    return [int(x) for x in field.split(",") if x.strip().isdigit()]


def keylog_of(capture):
    """The key log beside a capture (NAME.keys, as the test runners pass it), or None."""
    base = capture
    for ext in (".gz", ".zst", ".pcapng", ".pcap"):
        if base.endswith(ext):
            base = base[:-len(ext)]
    keys = base + ".keys"
    return keys if os.path.exists(keys) else None


def tshark_responses(capture, h2):
    """tshark's failed responses: a list of (stream, status, first_frame, last_frame)."""
    fields = ["frame.number", "tcp.stream", "http.response.code", "http2.headers.status",
              "tcp.segment", "ip.fragment", "ipv6.fragment"]
    statuses = ",".join(map(str, FAILED_STATUSES))
    wanted = "http.response.code in {%s}" % statuses
    if h2:
        wanted += " || http2.headers.status in {%s}" % statuses
    cmd = ["tshark", "-n", "-r", capture,
           "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "http.desegment_body:FALSE",
           "-Y", wanted,
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    keys = keylog_of(capture)
    if keys:
        cmd[1:1] = ["-o", "tls.keylog_file:" + keys]
    for field in fields:
        cmd += ["-e", field]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError("tshark failed: " + run.stderr.strip()[:300])
    responses = []
    for line in run.stdout.splitlines():
        cols = (line.split("\t") + [""] * len(fields))[:len(fields)]
        frame, stream, codes, h2codes, segments, frags4, frags6 = cols
        codes = codes + "," + (h2codes if h2 else "")
        last = int(frame)
        # The header block's frames: its TCP segments when it spans several,
        # else the IP fragments of the one segment, else this frame alone.
        pieces = numbers(segments) or numbers(frags4) or numbers(frags6)
        first = min(pieces + [last])
        # Several responses can end in one frame (pipelining): one row each.
        for status in numbers(codes):
            if status in FAILED_STATUSES:
                responses.append((numbers(stream)[0], status, first, last))
    return sorted(responses)


def why401_responses(why401, capture):
    """why401's failed responses: a list of (stream, status, response_frame)."""
    keys = keylog_of(capture)
    run = subprocess.run([why401, "--format", "ndjson"] + (["--keylog", keys] if keys else [])
                         + [capture], capture_output=True, text=True, timeout=300)
    if run.returncode not in (0, 1):
        raise RuntimeError("why401 exited %d: %s" % (run.returncode, run.stderr.strip()[:300]))
    responses = []
    for line in run.stdout.splitlines():
        obj = json.loads(line)
        # a failure with no status (a stream reset instead of an answer) is
        # no response tshark could show
        if (obj.get("type") == "finding" and obj.get("kind") in ("failure", "note")
                and obj.get("status") in FAILED_STATUSES):
            responses.append((obj.get("stream"), obj.get("status"), obj.get("response_frame")))
    return sorted(responses)


def compare(theirs, ours):
    """(tshark's responses why401 lacks, why401's responses tshark lacks), one to one."""
    unmatched = list(ours)
    missing = []
    for stream, status, first, last in theirs:
        match = next((o for o in unmatched
                      if o[0] == stream and o[1] == status
                      and o[2] is not None and first <= o[2] <= last), None)
        if match is None:
            missing.append((stream, status, first, last))
        else:
            unmatched.remove(match)
    return missing, unmatched


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    why401 = argv[1]
    captures = argv[2:] or sorted(glob.glob("pcaps/*.pcap") + glob.glob("pcaps/*.pcapng"))
    if shutil.which("tshark") is None:
        print("1..0 # SKIP tshark is not installed (make deps-test installs it)")
        return 0
    known = known_disagreements()
    helptext = subprocess.run([why401, "--help"], capture_output=True, text=True)
    h2 = "HTTP/2" in helptext.stdout + helptext.stderr
    print("1..%d" % len(captures))
    if not h2:
        print("# HTTP/2 responses not compared: why401 --help does not mention HTTP/2")
    failed = 0
    agree = 0
    for i, capture in enumerate(captures, 1):
        try:
            theirs = tshark_responses(capture, h2)
            ours = why401_responses(why401, capture)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            print("not ok %d - %s" % (i, capture))
            print("# %s" % e)
            failed += 1
            continue
        missing, extra = compare(theirs, ours)
        if not missing and not extra:
            agree += 1
            # A listed capture that now agrees is an unexpected pass: the
            # list (and README.md) must lose it.
            stale = (" # TODO listed in %s but agrees now: remove it" % KNOWN
                     if capture in known else "")
            print("ok %d - %s (%d failed responses)%s" % (i, capture, len(theirs), stale))
            continue
        todo = " # TODO " + known[capture] if capture in known else ""
        print("not ok %d - %s%s" % (i, capture, todo))
        for stream, status, first, last in missing:
            print("# tshark only: stream %s, status %s, frames %s-%s" % (stream, status, first, last))
        for stream, status, frame in extra:
            print("# why401 only: stream %s, status %s, frame %s" % (stream, status, frame))
        if not todo:
            failed += 1
    print("# %d of %d captures agree with tshark" % (agree, len(captures)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
