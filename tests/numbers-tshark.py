#!/usr/bin/env python3
"""The numbers a finding gives a user, checked against tshark (TAP output).

    tests/numbers-tshark.py WHY401 PCAPDIR

Each finding's numbers are what Wireshark shows with the finding's file
open alone: its stream is the tcp.stream of its response frame there, its
community_id is tshark's (communityid post-dissector) for that frame, and
its wireshark_filter, applied to that file, lists exactly the evidence
frames that lie in it (entries of other files name their own "file").

Checked on a few captures of pcaps/ (IP fragments, several connections)
and on pcaps/demo.pcapng split with editcap -c at three places, read as
one run: the per-file numbering (frames and tcp.stream restart in each
file, a connection that continues gets the next file's number), and the
analysis across the files (the same summary; a success in the first file
still explains a failure in the second; a request and its response in two
files).

Skips (plan 1..0) without tshark or editcap.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SINGLE = [
    "demo.pcapng",
    "link-ipv4-fragments.pcap",
    "link-ipv6-fragments.pcap",
    "link-ipv6.pcap",
    "nginx-403-permission-denied.pcap",
    "python-retry-storm.pcap",
]
FIELDS = ["stream", "request_frame", "response_frame", "file", "request_file", "evidence",
          "wireshark_filter", "client_ip", "client_port", "server_ip", "server_port",
          "community_id", "tls", "sni", "h2_stream", "count", "scheme"]
# editcap -c N: demo.pcapng's 148 frames in files of N
SPLITS = [40, 117, 141]

results = []


def check(ok, what):
    results.append((bool(ok), what))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tshark_frames(path):
    """frame.number -> (tcp.stream or None, communityid or None)"""
    out = run(["tshark", "-n", "-r", path, "--enable-protocol", "communityid",
               "-T", "fields", "-e", "frame.number", "-e", "tcp.stream",
               "-e", "communityid"]).stdout
    frames = {}
    for line in out.splitlines():
        cols = (line.split("\t") + ["", ""])[:3]
        frames[int(cols[0])] = (int(cols[1].split(",")[0]) if cols[1] else None,
                                cols[2].split(",")[0] or None)
    return frames


def tshark_select(path, flt):
    out = run(["tshark", "-n", "-r", path, "-Y", flt, "-T", "fields",
               "-e", "frame.number"]).stdout
    return sorted(int(x) for x in out.split())


def why401(why, files, cwd, summary=None):
    p = run([why, "--format", "ndjson"] + files, cwd=cwd,
            env=dict(os.environ, LC_ALL="C", TZ="UTC"))
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    if summary is not None:
        summary.extend(o for o in lines if o.get("type") == "summary")
    return [o for o in lines if o.get("type") == "finding"]


def check_findings(findings, dirpath, label):
    cache = {}

    def frames_of(name):
        if name not in cache:
            cache[name] = tshark_frames(os.path.join(dirpath, name))
        return cache[name]

    for f in findings:
        tag = "%s: %s %s frame %s of %s" % (label, f["kind"], f["cause"],
                                          f["response_frame"], f["file"])
        missing = [k for k in FIELDS if k not in f]
        check(not missing, tag + ": every contract field is there (missing: %s)" % missing)
        if missing:
            continue
        if f["response_frame"] is None or f["file"] is None:
            continue
        fr = frames_of(f["file"])
        resp = fr.get(f["response_frame"])
        check(resp is not None, tag + ": the frame exists in its file")
        if resp is None:
            continue
        if f["stream"] is not None and resp[0] is not None:
            check(resp[0] == f["stream"],
                  tag + ": stream %s is tshark's %s" % (f["stream"], resp[0]))
        # a fragment without the TCP header gets an IP-only ID from tshark
        if f["community_id"] is not None and resp[0] is not None:
            check(resp[1] == f["community_id"],
                  tag + ": community_id %s is tshark's %s" % (f["community_id"], resp[1]))
        if f["request_frame"] is not None:
            check(f["request_file"] is not None and
                  f["request_frame"] in frames_of(f["request_file"]),
                  tag + ": request frame %s is in %s" % (f["request_frame"], f["request_file"]))
        want = sorted({e["frame"] for e in f["evidence"] if "file" not in e})
        if f["cause"] in ("not-decrypted", "gap"):
            continue  # their filters show the server or the connection
        got = tshark_select(os.path.join(dirpath, f["file"]), f["wireshark_filter"])
        check(got == want, tag + ": filter %r selects %s, evidence %s"
              % (f["wireshark_filter"], got, want))
        for e in f["evidence"]:
            if "file" in e:
                check(e["file"] != f["file"] and e["frame"] in frames_of(e["file"]),
                      tag + ": evidence frame %s is in %s" % (e["frame"], e["file"]))


def main():
    if len(sys.argv) != 3:
        print("usage: numbers-tshark.py WHY401 PCAPDIR", file=sys.stderr)
        return 2
    why, pcaps = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if shutil.which("tshark") is None or shutil.which("editcap") is None:
        print("1..0 # SKIP tshark and editcap are needed")
        return 0

    for name in SINGLE:
        check_findings(why401(why, [name], pcaps), pcaps, name)

    whole_summary = []
    whole = why401(why, ["demo.pcapng"], pcaps, whole_summary)
    tmp = tempfile.mkdtemp(prefix="why401-numbers-")
    try:
        for n in SPLITS:
            d = os.path.join(tmp, "c%d" % n)
            os.mkdir(d)
            run(["editcap", "-c", str(n), os.path.join(pcaps, "demo.pcapng"),
                 os.path.join(d, "part.pcapng")])
            parts = sorted(os.listdir(d))
            summary = []
            found = why401(why, parts, d, summary)
            label = "demo split every %d frames" % n
            # a connection that spans files counts once
            check(summary == whole_summary, label + ": the same summary as the whole capture")
            check_findings(found, d, label)
            # the same findings as for the whole file: state crosses files
            check([(f["kind"], f["cause"]) for f in found] ==
                  [(f["kind"], f["cause"]) for f in whole],
                  label + ": the same findings as the whole capture")
            # and each names the same packet: its frame in the whole file
            offsets = {p: i * n for i, p in enumerate(parts)}
            check([offsets[f["file"]] + f["response_frame"] for f in found] ==
                  [f["response_frame"] for f in whole],
                  label + ": each response frame is the same packet")
            exp = [f for f in found if f["cause"] == "session-expired"]
            if n == 141:
                # the answer is frame 1 of the second file: not of the run
                check(exp and exp[0]["response_frame"] == 1,
                      label + ": the 401 is frame 1 of its file")
            check(len(exp) == 1 and exp[0]["file"] == parts[-1],
                  label + ": session-expired decided in the last file")
            if n == 141:
                f = exp[0] if exp else {}
                check(f.get("request_file") == parts[0] and f.get("request_frame") == 140 and
                      f.get("response_frame") == 1 and f.get("stream") == 0,
                      label + ": request in the first file, response frame 1 of the second")
                other = [e for e in f.get("evidence", []) if e.get("file") == parts[0]]
                check(len(other) == 3,
                      label + ": its request and the two earlier successes name the first file")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("1..%d" % len(results))
    for i, (ok, what) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
