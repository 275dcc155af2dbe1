#!/usr/bin/env python3
"""A Digest client for the captures of pcaps/make-real-digest.sh.

It sends a request without credentials, reads the server's Digest
challenge, and answers it with a real RFC 7616 response computed with
hashlib over the parameters a scenario chooses, so the server judges a
correctly computed digest whose realm, uri or algorithm is not the
challenge's or the request's, or whose nonce count repeats. One TCP
connection (http.client, keep-alive) per run.

    digest_client.py --port P --path /digest/ SCENARIO

Scenarios:
  nc-replay       nc=00000001 (accepted), then the same nonce and
                  nc=00000001 again
  realm-mismatch  realm="other-realm" in the response (computed with it)
  uri-mismatch    uri=/other while the request is for --path
  algorithm       algorithm=SHA-256 while the challenge says MD5
Exit status 0 when the server answered each step as the scenario expects.
"""
import argparse
import hashlib
import http.client
import os
import re
import sys


def parse_challenge(value):
    """The auth-params of a Digest challenge (quoted or token values)."""
    if not value.lower().startswith("digest "):
        raise ValueError("not a Digest challenge: %r" % value)
    params = {}
    for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', value[7:]):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return params


def hexdigest(algorithm, text):
    h = hashlib.sha256 if algorithm.upper() == "SHA-256" else hashlib.md5
    return h(text.encode()).hexdigest()


def authorization(ch, user, password, method, uri, nc, realm=None, algorithm=None):
    realm = ch["realm"] if realm is None else realm
    algorithm = ch.get("algorithm", "MD5") if algorithm is None else algorithm
    cnonce = os.urandom(8).hex()
    ha1 = hexdigest(algorithm, "%s:%s:%s" % (user, realm, password))
    ha2 = hexdigest(algorithm, "%s:%s" % (method, uri))
    resp = hexdigest(algorithm, "%s:%s:%s:%s:%s:%s" % (ha1, ch["nonce"], nc, cnonce, "auth", ha2))
    parts = ['username="%s"' % user, 'realm="%s"' % realm, 'nonce="%s"' % ch["nonce"],
             'uri="%s"' % uri, "algorithm=%s" % algorithm, 'response="%s"' % resp]
    if "opaque" in ch:
        parts.append('opaque="%s"' % ch["opaque"])
    parts += ["qop=auth", "nc=%s" % nc, 'cnonce="%s"' % cnonce]
    return "Digest " + ", ".join(parts)


def get(conn, path, authz=None):
    headers = {"User-Agent": "why401-digest-client/1"}
    if authz:
        headers["Authorization"] = authz
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("WWW-Authenticate")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/digest/")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="secret")
    ap.add_argument("scenario", choices=["nc-replay", "realm-mismatch", "uri-mismatch", "algorithm"])
    a = ap.parse_args()

    conn = http.client.HTTPConnection(a.host, a.port, timeout=5)
    status, www = get(conn, a.path)
    if status != 401 or www is None:
        sys.exit("expected a 401 Digest challenge, got %s" % status)
    ch = parse_challenge(www)
    steps = []
    if a.scenario == "nc-replay":
        auth = authorization(ch, a.user, a.password, "GET", a.path, "00000001")
        steps.append(get(conn, a.path, auth)[0])
        # the same nonce and nonce count again (a fresh cnonce, a correct digest)
        auth = authorization(ch, a.user, a.password, "GET", a.path, "00000001")
        steps.append(get(conn, a.path, auth)[0])
    elif a.scenario == "realm-mismatch":
        auth = authorization(ch, a.user, a.password, "GET", a.path, "00000001", realm="other-realm")
        steps.append(get(conn, a.path, auth)[0])
    elif a.scenario == "uri-mismatch":
        auth = authorization(ch, a.user, a.password, "GET", "/other", "00000001")
        steps.append(get(conn, a.path, auth)[0])
    else:
        auth = authorization(ch, a.user, a.password, "GET", a.path, "00000001", algorithm="SHA-256")
        steps.append(get(conn, a.path, auth)[0])
    conn.close()
    print(" ".join(str(s) for s in steps))


if __name__ == "__main__":
    main()
