#!/usr/bin/python3
"""Writes test-tls-session.h for test-tls.c: the TCP payloads of the first
connection of pcaps/tls13-basic-auth.pcap (TLS 1.3, TLS_AES_128_GCM_SHA256,
HTTP/1.1: a 401 then a 200), in capture order, and the key log lines of its
session. Needs tshark.

    cd dissect && ./make-tls-session.py > test-tls-session.h
"""
import subprocess

PCAP = "../pcaps/tls13-basic-auth.pcap"
KEYS = "../pcaps/tls13-basic-auth.keys"

out = subprocess.run(["tshark", "-r", PCAP, "-Y", "tcp.stream==0 && tcp.len>0", "-T", "fields",
                      "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.payload"],
                     capture_output=True, text=True, check=True).stdout.split("\n")
rows = [l.split("\t") for l in out if l]
client_port = rows[0][0]
hello = bytes.fromhex(rows[0][2])
client_random = hello[11:43].hex()
print("/* test-tls-session.h: written by make-tls-session.py from the first")
print(" * connection of pcaps/tls13-basic-auth.pcap. */\n")
print("static const TSessionPacket t_session[] = {")
for src, dst, payload in rows:
    side = 1 if src == client_port else 2
    print("  { %d, %d," % (side, len(payload) // 2))
    for i in range(0, len(payload), 64):
        print('    "%s"' % "".join("\\x" + payload[j:j + 2] for j in range(i, min(i + 64, len(payload)), 2)))
    print("  },")
print("};\n")
print("static const char t_session_keys[] =")
for line in open(KEYS):
    if line.split()[1:2] == [client_random]:
        print('  "%s\\n"' % line.strip())
print(";")
