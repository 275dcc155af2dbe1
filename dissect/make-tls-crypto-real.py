#!/usr/bin/python3
"""Writes dissect/test-tls-crypto-real.h: records of real TLS sessions for
test-tls-crypto.c, one per cipher family and version.

Each case runs `openssl s_server -www` and `openssl s_client -keylogfile`
(real libssl, not tls-crypto.c) on the loopback, with a relay in between
that keeps the bytes of each direction. From those bytes and the key log it
takes the hello randoms, the ServerHello's version, suite and
encrypt_then_mac, every protected record the client sent and the server's
first protected record:

  TLS 1.3: the client's Finished (client handshake secret, sequence 0), then
           its GET and close_notify (client application secret, from 0);
           the server's EncryptedExtensions (server handshake secret, 0);
  TLS 1.0-1.2: the client's Finished (sequence 0), its GET (TLS 1.0: after
           an empty record, OpenSSL's defence against BEAST) and
           close_notify; the server's Finished (sequence 0); all under the
           master secret.

Run it again only to change the cases: the output differs each run (fresh
randoms and keys), and any run's output must pass the test.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

REQUEST = b"GET / HTTP/1.0\r\n\r\n"

# name, s_client/s_server options
CASES = [
    ("tls13-aes256gcm", ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"]),
    ("tls13-chacha20", ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"]),
    ("tls12-aes128gcm", ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]),
    ("tls12-aes256gcm", ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"]),
    ("tls12-chacha20", ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"]),
    ("tls12-cbc-sha-etm", ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"]),
    ("tls12-cbc-sha-mte", ["-tls1_2", "-no_etm", "-cipher", "ECDHE-RSA-AES128-SHA"]),
    ("tls12-cbc-sha256-mte", ["-tls1_2", "-no_etm", "-cipher", "AES256-SHA256"]),
    ("tls12-cbc-sha384-etm", ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"]),
    ("tls11-cbc-sha-mte", ["-tls1_1", "-no_etm", "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0"]),
    ("tls10-cbc-sha-mte", ["-tls1", "-no_etm", "-cipher", "AES128-SHA:@SECLEVEL=0"]),
    ("tls10-cbc-sha-etm", ["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"]),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pump(src, dst, keep):
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        keep.extend(data)
        dst.sendall(data)


def run_case(tmp, opts):
    srv_port, relay_port = free_port(), free_port()
    keylog = os.path.join(tmp, "keys.log")
    if os.path.exists(keylog):
        os.unlink(keylog)
    server = subprocess.Popen(
        ["openssl", "s_server", "-quiet", "-www", "-accept", str(srv_port), "-naccept", "1",
         "-cert", os.path.join(tmp, "cert.pem"), "-key", os.path.join(tmp, "key.pem")] + opts,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", relay_port))
    listener.listen(1)
    time.sleep(0.5)
    c2s, s2c = bytearray(), bytearray()

    def relay():
        down, _ = listener.accept()
        up = socket.create_connection(("127.0.0.1", srv_port))
        t = threading.Thread(target=pump, args=(down, up, c2s))
        t.start()
        pump(up, down, s2c)
        t.join()
        down.close()
        up.close()

    rt = threading.Thread(target=relay)
    rt.start()
    client = subprocess.run(
        ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:%d" % relay_port,
         "-keylogfile", keylog] + opts,
        input=REQUEST, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30)
    rt.join(timeout=30)
    server.wait(timeout=30)
    listener.close()
    if not client.stdout.startswith(b"HTTP/1.0 200"):
        sys.exit("no response for %s" % opts)
    keys = {}
    with open(keylog) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and not line.startswith("#"):
                keys[fields[0]] = fields[2]
    return bytes(c2s), bytes(s2c), keys


def records(stream):
    out, pos = [], 0
    while pos + 5 <= len(stream):
        n = int.from_bytes(stream[pos + 3:pos + 5], "big")
        out.append(stream[pos:pos + 5 + n])
        pos += 5 + n
    return out


def server_hello(rec):
    """(random, version, suite, etm) of the ServerHello in record @rec."""
    body = rec[5 + 4:]
    version = int.from_bytes(body[0:2], "big")
    random = body[2:34]
    sid_len = body[34]
    pos = 35 + sid_len
    suite = int.from_bytes(body[pos:pos + 2], "big")
    pos += 3
    etm = False
    if pos + 2 <= len(body):
        end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
        pos += 2
        while pos + 4 <= end:
            ext = int.from_bytes(body[pos:pos + 2], "big")
            n = int.from_bytes(body[pos + 2:pos + 4], "big")
            if ext == 0x002b:
                version = int.from_bytes(body[pos + 4:pos + 6], "big")
            if ext == 0x0016:
                etm = True
            pos += 4 + n
    return random, version, suite, etm


def after_ccs(recs):
    """The protected records: those after the first ChangeCipherSpec."""
    for i, r in enumerate(recs):
        if r[0] == 20:
            return recs[i + 1:]
    return []


def c_hex(b):
    h = b.hex()
    lines = [h[i:i + 64] for i in range(0, len(h), 64)]
    return "\n".join('    "%s"' % line for line in lines)


def main():
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test-tls-crypto-real.h")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                        "/CN=localhost", "-days", "2", "-keyout", os.path.join(tmp, "key.pem"),
                        "-out", os.path.join(tmp, "cert.pem")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, opts in CASES:
            c2s, s2c, keys = run_case(tmp, opts)
            crecs, srecs = records(c2s), records(s2c)
            client_random = crecs[0][5 + 4 + 2:5 + 4 + 34]
            server_random, version, suite, etm = server_hello(srecs[0])
            cprot, sprot = after_ccs(crecs), after_ccs(srecs)
            if version == 0x0304:
                # the server's compatibility CCS may be absent: its first
                # record of type 23 is the first protected one
                sprot = [r for r in srecs if r[0] == 23]
                cprot = [r for r in crecs if r[0] == 23]
                secrets = (keys["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], keys["CLIENT_TRAFFIC_SECRET_0"],
                           keys["SERVER_HANDSHAKE_TRAFFIC_SECRET"])
            else:
                secrets = (keys["CLIENT_RANDOM"], "", "")
            rows.append((name, version, suite, etm, secrets, client_random, server_random,
                         b"".join(cprot), sprot[0]))
            print("%s: version %04x suite %04x etm %d" % (name, version, suite, etm))
    with open(out_path, "w") as f:
        f.write("/* test-tls-crypto-real.h: written by make-tls-crypto-real.py from sessions\n"
                " * between openssl s_client and s_server (OpenSSL %s). */\n\n" %
                subprocess.run(["openssl", "version"], capture_output=True, text=True)
                .stdout.split()[1])
        f.write("static const TReal t_real[] = {\n")
        for name, version, suite, etm, secrets, cr, sr, crecs, sfirst in rows:
            f.write('  { "%s", 0x%04x, 0x%04x, %s,\n' % (name, version, suite,
                                                          "TRUE" if etm else "FALSE"))
            for s in secrets:
                f.write(c_hex(bytes.fromhex(s)) + ",\n" if s else '    "",\n')
            for b in (cr, sr, crecs, sfirst):
                f.write(c_hex(b) + ",\n")
            f.write("  },\n")
        f.write("};\n")


if __name__ == "__main__":
    main()
