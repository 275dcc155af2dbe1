#!/usr/bin/python3
"""Prints the test-tls-crypto.c values that have no published vector, computed
here with Python's hmac and hashlib, independently of OpenSSL's KDFs:

- TLS 1.3 KeyUpdate (RFC 8446 7.2): the next traffic secret after RFC 8448
  section 3's server_application_traffic_secret_0, its key and iv (7.3);
- the TLS 1.0/1.1 PRF (RFC 2246 5: P_MD5 xor P_SHA-1 over the split secret)
  for the inputs of the widely used TLS 1.2 PRF SHA-256 test vector.
"""
import hashlib
import hmac


def hkdf_expand(prk, info, n, h=hashlib.sha256):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return out[:n]


def expand_label(secret, label, context, n):
    full = b"tls13 " + label
    info = n.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    return hkdf_expand(secret, info, n)


def p_hash(h, secret, seed, n):
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + seed, h).digest()
    return out[:n]


def prf10(secret, label, seed, n):
    half = (len(secret) + 1) // 2
    md5 = p_hash(hashlib.md5, secret[:half], label + seed, n)
    sha = p_hash(hashlib.sha1, secret[len(secret) - half:], label + seed, n)
    return bytes(x ^ y for x, y in zip(md5, sha))


def show(name, b):
    print("%s (%d): %s" % (name, len(b), b.hex(" ")))


s_ap = bytes.fromhex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
nxt = expand_label(s_ap, b"traffic upd", b"", 32)
show("server_application_traffic_secret_1", nxt)
show("key", expand_label(nxt, b"key", b"", 16))
show("iv", expand_label(nxt, b"iv", b"", 12))
show("prf10", prf10(bytes.fromhex("9bbe436ba940f017b17652849a71db35"), b"test label",
                    bytes.fromhex("a0ba9f936cda311827a6f796ffd5198c"), 100))
