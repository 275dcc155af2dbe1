#!/usr/bin/python3
"""A Negotiate client for pcaps/make-real-kerberos.sh that does not ask for
mutual authentication.

curl always asks for it (GSS_C_MUTUAL_FLAG: the AP-REQ's ap-options say
mutual-required), and MIT krb5's acceptor answers a failed AP-REQ that
asked for it with a KRB-ERROR inside the server's Negotiate token; without
it the server's SPNEGO answer is a bare reject. This client builds its
SPNEGO token with python-gssapi (Debian's python3-gssapi, over the same MIT
libraries) asking only for replay detection (no flags at all would mean
python-gssapi's defaults, mutual among them), sends it with http.client,
and checks the status.

    negotiate_client.py --port P --host web.why401.test --path /stale/ --expect 401

It connects to 127.0.0.1 and sends Host: HOST:P; the ticket comes from
$KRB5CCNAME (kinit before). Exit status 0 when the status is --expect.
"""
import argparse
import base64
import http.client
import sys

import gssapi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--expect", type=int, required=True)
    args = ap.parse_args()

    spnego = gssapi.Mechanism.from_sasl_name("SPNEGO")
    name = gssapi.Name("HTTP@" + args.host, gssapi.NameType.hostbased_service)
    ctx = gssapi.SecurityContext(name=name, mech=spnego, usage="initiate",
                                 flags=[gssapi.RequirementFlag.replay_detection])
    token = base64.b64encode(ctx.step()).decode()

    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
    conn.request("GET", args.path, headers={"Host": "%s:%d" % (args.host, args.port),
                                            "Authorization": "Negotiate " + token})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    if resp.status != args.expect:
        sys.exit("negotiate_client.py: %s gave %d, expected %d" % (args.path, resp.status,
                                                                  args.expect))


if __name__ == "__main__":
    main()
