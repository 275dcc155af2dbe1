#!/usr/bin/python3
"""make-crafted-link.py: small captures that exercise each link layer and
tunnel the capture stage decodes, where the public corpus has none.

Each file holds one complete HTTP exchange over TCP: the 3-way handshake, a
GET with "Authorization: Basic" (alice:wrong), "HTTP/1.1 401 Unauthorized"
with WWW-Authenticate Basic realm="lab", Content-Length and a short body,
then FIN/ACK both ways. Addresses are documentation ranges (RFC 5737,
RFC 3849), timestamps are fixed, so running this again writes the same
bytes.

Run with Debian's python3 (it has python3-scapy):
    /usr/bin/python3 pcaps/make-crafted-link.py [OUTDIR]
"""
import base64
import os
import struct
import sys

from scapy.all import IP, IPv6, TCP, UDP, Ether, Dot1Q, GRE, Raw
from scapy.all import IPv6ExtHdrFragment, fragment, fragment6
from scapy.layers.l2 import CookedLinuxV2, Dot1AD
from scapy.layers.ppp import PPPoE, PPP
from scapy.layers.dot11 import RadioTap, Dot11, Dot11QoS
from scapy.layers.l2 import LLC, SNAP
from scapy.layers.vxlan import VXLAN
from scapy.contrib.mpls import MPLS
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III, ERSPAN_PlatformSpecific

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

CLIENT4, SERVER4 = "192.0.2.10", "198.51.100.20"
CLIENT6, SERVER6 = "2001:db8::10", "2001:db8::20"
# Tunnel endpoints (outer headers), also documentation addresses.
OUTER_A, OUTER_B = "192.0.2.1", "198.51.100.1"
CPORT, SPORT = 51000, 80
BASE_TIME = 1700000000  # 2023-11-14T22:13:20Z

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_NFLOG = 239
LINKTYPE_LINUX_SLL2 = 276

CRED = base64.b64encode(b"alice:wrong").decode()
REQUEST = (
    "GET /private/report HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    f"Authorization: Basic {CRED}\r\n"
    "\r\n"
).encode()
BODY = b"<html><body><h1>401 Unauthorized</h1></body></html>\n"
RESPONSE = (
    "HTTP/1.1 401 Unauthorized\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
    "Content-Type: text/html\r\n"
    f"Content-Length: {len(BODY)}\r\n"
    'WWW-Authenticate: Basic realm="lab"\r\n'
    "\r\n"
).encode() + BODY


def exchange(v6=False):
    """The exchange as a list of (from_client, IP packet)."""
    if v6:
        c2s = IPv6(src=CLIENT6, dst=SERVER6, hlim=64)
        s2c = IPv6(src=SERVER6, dst=CLIENT6, hlim=64)
    else:
        c2s = IP(src=CLIENT4, dst=SERVER4, ttl=64, id=0x1000)
        s2c = IP(src=SERVER4, dst=CLIENT4, ttl=64, id=0x2000)
    c, s = 1000, 5000  # initial sequence numbers
    t = lambda **kw: TCP(sport=CPORT, dport=SPORT, window=64240, **kw)
    u = lambda **kw: TCP(sport=SPORT, dport=CPORT, window=65160, **kw)
    pkts = [
        (True, c2s / t(flags="S", seq=c)),
        (False, s2c / u(flags="SA", seq=s, ack=c + 1)),
        (True, c2s / t(flags="A", seq=c + 1, ack=s + 1)),
        (True, c2s / t(flags="PA", seq=c + 1, ack=s + 1) / Raw(REQUEST)),
        (False, s2c / u(flags="A", seq=s + 1, ack=c + 1 + len(REQUEST))),
        (False, s2c / u(flags="PA", seq=s + 1, ack=c + 1 + len(REQUEST)) / Raw(RESPONSE)),
        (True, c2s / t(flags="A", seq=c + 1 + len(REQUEST), ack=s + 1 + len(RESPONSE))),
        (True, c2s / t(flags="FA", seq=c + 1 + len(REQUEST), ack=s + 1 + len(RESPONSE))),
        (False, s2c / u(flags="FA", seq=s + 1 + len(RESPONSE), ack=c + 2 + len(REQUEST))),
        (True, c2s / t(flags="A", seq=c + 2 + len(REQUEST), ack=s + 2 + len(RESPONSE))),
    ]
    return pkts


def write_pcap(name, linktype, frames):
    """Writes a microsecond pcap; frames are bytes, one per 1 ms."""
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, data in enumerate(frames):
            usec = i * 1000
            f.write(struct.pack("<IIII", BASE_TIME, usec, len(data), len(data)))
            f.write(data)
    print(f"wrote {path} ({len(frames)} frames)")


def eth(from_client, payload_type=None):
    src, dst = ("02:00:00:00:00:0a", "02:00:00:00:00:14")
    if not from_client:
        src, dst = dst, src
    if payload_type is None:
        return Ether(src=src, dst=dst)
    return Ether(src=src, dst=dst, type=payload_type)


def simple(name, linktype, wrap, v6=False):
    write_pcap(name, linktype, [bytes(wrap(fc, ip)) for fc, ip in exchange(v6)])


def main():
    simple("link-vlan-qinq.pcap", LINKTYPE_ETHERNET,
           lambda fc, ip: eth(fc) / Dot1AD(vlan=100) / Dot1Q(vlan=200) / ip)

    simple("link-sll2.pcap", LINKTYPE_LINUX_SLL2,
           lambda fc, ip: CookedLinuxV2(proto=0x0800, ifindex=2, lladdrtype=1,
                                        pkttype=0 if fc else 4, lladdrlen=6,
                                        src=b"\x02\x00\x00\x00\x00\x0a\x00\x00") / ip)

    def erspan2(fc, ip):
        return (eth(fc) / IP(src=OUTER_A, dst=OUTER_B, ttl=64, id=0x3000)
                / GRE(seqnum_present=1, sequence_number=7, proto=0x88be)
                / ERSPAN_II(ver=1, vlan=0, session_id=1, index=1) / eth(fc) / ip)
    simple("link-gre-erspan2.pcap", LINKTYPE_ETHERNET, erspan2)

    def erspan3(fc, ip):
        return (eth(fc) / IP(src=OUTER_A, dst=OUTER_B, ttl=64, id=0x3000)
                / GRE(seqnum_present=1, sequence_number=7, proto=0x22eb)
                / ERSPAN_III(session_id=1, timestamp=12345, o=1)
                / ERSPAN_PlatformSpecific(platf_id=3) / eth(fc) / ip)
    simple("link-gre-erspan3.pcap", LINKTYPE_ETHERNET, erspan3)

    simple("link-vxlan.pcap", LINKTYPE_ETHERNET,
           lambda fc, ip: (eth(fc) / IP(src=OUTER_A, dst=OUTER_B, ttl=64, id=0x3000)
                           / UDP(sport=49152, dport=4789) / VXLAN(vni=42, flags=0x08)
                           / eth(fc) / ip))

    simple("link-mpls.pcap", LINKTYPE_ETHERNET,
           lambda fc, ip: (eth(fc, 0x8847) / MPLS(label=16, s=0, ttl=64)
                           / MPLS(label=17, s=1, ttl=64) / ip))

    simple("link-ipv6.pcap", LINKTYPE_ETHERNET, lambda fc, ip: eth(fc) / ip, v6=True)

    # The 401 response in IPv4 fragments of 128 bytes of payload.
    frames = []
    for fc, ip in exchange():
        if not fc and ip.haslayer(Raw):
            for frag in fragment(IP(bytes(ip)), fragsize=128):
                frames.append(bytes(eth(fc) / frag))
        else:
            frames.append(bytes(eth(fc) / ip))
    write_pcap("link-ipv4-fragments.pcap", LINKTYPE_ETHERNET, frames)

    # The 401 response in IPv6 fragments.
    frames = []
    for fc, ip in exchange(v6=True):
        if not fc and ip.haslayer(Raw):
            tcp = IPv6(bytes(ip))[TCP]
            whole = IPv6(src=ip.src, dst=ip.dst, hlim=64) / IPv6ExtHdrFragment(id=0x42) / tcp
            for frag in fragment6(whole, 200):
                frames.append(bytes(eth(fc) / frag))
        else:
            frames.append(bytes(eth(fc) / ip))
    write_pcap("link-ipv6-fragments.pcap", LINKTYPE_ETHERNET, frames)

    simple("link-pppoe.pcap", LINKTYPE_ETHERNET,
           lambda fc, ip: eth(fc, 0x8864) / PPPoE(sessionid=0x2d) / PPP(proto=0x0021) / ip)

    # BSD loopback: the AF value in the writer's (little-endian) byte order.
    write_pcap("link-null.pcap", LINKTYPE_NULL,
               [struct.pack("<I", 2) + bytes(ip) for _, ip in exchange()])

    # 802.11 QoS data frames under radiotap, LLC/SNAP, unprotected.
    def wifi(fc, ip):
        ap, sta = "02:00:00:00:01:00", "02:00:00:00:00:0a"
        srv = "02:00:00:00:00:14"
        if fc:  # to DS: addr1 BSSID, addr2 source, addr3 destination
            dot11 = Dot11(type=2, subtype=8, FCfield="to-DS", addr1=ap, addr2=sta, addr3=srv)
        else:   # from DS: addr1 destination, addr2 BSSID, addr3 source
            dot11 = Dot11(type=2, subtype=8, FCfield="from-DS", addr1=sta, addr2=ap, addr3=srv)
        return (RadioTap(present="Flags+Rate+Channel", Flags=0, Rate=108,
                         ChannelFrequency=2437, ChannelFlags="2GHz+OFDM")
                / dot11 / Dot11QoS(TID=0) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3)
                / SNAP(OUI=0, code=0x0800) / ip)
    simple("link-80211-radiotap.pcap", LINKTYPE_IEEE802_11_RADIOTAP, wifi)

    # NFLOG: family AF_INET, version 0, resource id 1 (big-endian), then
    # TLVs in host (little-endian) order: NFULA_PACKET_HDR, NFULA_PREFIX,
    # NFULA_PAYLOAD; each padded to 4 bytes.
    def tlv(t, value):
        data = struct.pack("<HH", 4 + len(value), t) + value
        return data + b"\0" * (-len(data) % 4)
    frames = []
    for fc, ip in exchange():
        hdr = struct.pack("!BBH", 2, 0, 1)
        frames.append(hdr + tlv(1, struct.pack("!HBB", 0x0800, 3 if fc else 1, 0))
                      + tlv(10, b"why401\0") + tlv(9, bytes(ip)))
    write_pcap("link-nflog.pcap", LINKTYPE_NFLOG, frames)


if __name__ == "__main__":
    main()
