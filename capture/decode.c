/* decode.c: from a captured frame down to each IP datagram's transport part.
 *
 * Link layers: Ethernet (802.1Q/802.1ad/0x9100 tags at any depth up to the
 * tunnel-depth limit, 802.3 + LLC/SNAP), Linux SLL and SLL2, raw IP, BSD
 * NULL/LOOP, PPP (RFC 1661/1662, address/control and protocol field
 * compression), PPPoE session (RFC 2516), Cisco HDLC, NFLOG (TLVs up to
 * NFULA_PAYLOAD), 802.11 data frames with or without radiotap, LLC/SNAP.
 * Tunnels: GRE (RFC 2784/2890, the RFC 1701 routing field, PPTP's enhanced
 * GRE of RFC 2637), ERSPAN I/II/III, VXLAN (RFC 7348, UDP 4789), MPLS
 * (RFC 3032), IP-in-IP (protocols 4 and 41). IPv4 (RFC 791) and IPv6
 * (RFC 8200 extension headers), fragments through ipfrag.c, and the IP
 * header quoted inside ICMP (RFC 792) and ICMPv6 (RFC 4443) errors.
 *
 * Every read goes through a W4Reader. Each datagram's transport bytes are
 * bounded by what was captured and by the IP length fields, so that
 * Ethernet padding or an 802.11 FCS never becomes TCP payload.
 *
 * Deliberately ignored: encrypted 802.11 frames (no keys), A-MSDU, MPLS
 * pseudowires with a control word, GTP and other UDP tunnels besides VXLAN,
 * and checksums (captures taken on a sending host carry offloaded, wrong
 * ones; Wireshark does not check them by default either). Non-IP payloads
 * (ARP, LLDP, STP...) are skipped without a word: they are not damage. */
#include "decode-private.h"

#include <string.h>

#include "w4-reader.h"

/* IPv6 extension headers walked before giving up: real packets carry two
 * or three; the cap keeps a crafted chain of 8-byte headers cheap. */
#define W4_CAP_MAX_IPV6_EXT 16
/* MPLS labels popped in one stack; RFC 3032 puts no bound, real stacks
 * hold two to four. */
#define W4_CAP_MAX_MPLS_LABELS 16
/* NFLOG TLVs looked at per frame; the kernel emits about ten. */
#define W4_CAP_MAX_NFLOG_TLVS 64
/* RFC 1701 source route entries skipped in one GRE header. */
#define W4_CAP_MAX_GRE_SRE 16
/* Radiotap "present" words (each extends the previous with bit 31). */
#define W4_CAP_MAX_RADIOTAP_PRESENT 8
/* Whatever --limit tunnel-depth says, recursion stops here: each level uses
 * a C stack frame. */
#define W4_CAP_MAX_DEPTH_HARD 64

static void w4_dec_ethertype (W4Decoder *d, guint16 type, const guint8 *p, gsize len);
static void w4_dec_ether (W4Decoder *d, const guint8 *p, gsize len);
static void w4_dec_ipv4 (W4Decoder *d, const guint8 *p, gsize len);
static void w4_dec_ipv6 (W4Decoder *d, const guint8 *p, gsize len);
static void w4_dec_transport (W4Decoder *d, W4IpPacket *pkt);

/* ---- helpers ------------------------------------------------------------ */

static void
w4_dec_anomaly (W4Decoder *d, W4AnomalyKind kind, W4LimitId limit, const char *message)
{
  W4Anomaly a;

  /* A frame -f rejected is not analysed: nothing to say about it. */
  if (d->numbering_only || d->sink->on_anomaly == NULL)
    return;
  memset (&a, 0, sizeof a);
  a.kind = kind;
  a.frame = d->fi->frame;
  a.ts = d->fi->ts;
  a.limit = limit;
  a.message = message;
  d->sink->on_anomaly (d->sink->user, &a);
}

static void
w4_dec_undecoded (W4Decoder *d, const char *why)
{
  w4_dec_anomaly (d, W4_ANOM_UNDECODED, W4_LIMIT_COUNT, why);
}

/* Enters one more encapsulation; FALSE (and one limit anomaly per frame)
 * when that would go past the tunnel-depth limit. */
static gboolean
w4_dec_enter (W4Decoder *d)
{
  guint64 max = MIN (d->limits->v[W4_LIMIT_TUNNEL_DEPTH], W4_CAP_MAX_DEPTH_HARD);

  if (d->depth >= max) {
    if (!d->depth_reported)
      w4_dec_anomaly (d, W4_ANOM_LIMIT, W4_LIMIT_TUNNEL_DEPTH,
                      "too many nested encapsulations; inner layers not decoded");
    d->depth_reported = TRUE;
    return FALSE;
  }
  d->depth++;
  return TRUE;
}

static void
w4_dec_leave (W4Decoder *d)
{
  d->depth--;
}

static const guint8 *
w4_rd_here (const W4Reader *r)
{
  return r->data + r->off;
}

/* Guesses IPv4 or IPv6 from the version nibble (raw IP, MPLS, NFLOG). */
static void
w4_dec_ip_guess (W4Decoder *d, const guint8 *p, gsize len)
{
  if (len == 0)
    return;
  switch (p[0] >> 4) {
  case 4:
    w4_dec_ipv4 (d, p, len);
    break;
  case 6:
    w4_dec_ipv6 (d, p, len);
    break;
  default:
    w4_dec_undecoded (d, "raw packet is neither IPv4 nor IPv6");
    break;
  }
}

/* ---- link layers ---------------------------------------------------------- */

static void
w4_dec_vlan (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint16 tci, type;

  w4_rd_init (&r, p, len);
  w4_rd_u16 (&r, &tci);
  w4_rd_u16 (&r, &type);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated VLAN tag");
    return;
  }
  if (!w4_dec_enter (d))
    return;
  w4_dec_ethertype (d, type, w4_rd_here (&r), w4_rd_left (&r));
  w4_dec_leave (d);
}

static void
w4_dec_mpls (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint32 label = 0;
  guint i;

  w4_rd_init (&r, p, len);
  for (i = 0; i < W4_CAP_MAX_MPLS_LABELS; i++) {
    if (!w4_rd_u32 (&r, &label)) {
      w4_dec_undecoded (d, "truncated MPLS label stack");
      return;
    }
    if (label & 0x100) /* bottom of stack */
      break;
  }
  if (i == W4_CAP_MAX_MPLS_LABELS) {
    w4_dec_undecoded (d, "MPLS label stack too deep");
    return;
  }
  if (!w4_dec_enter (d))
    return;
  /* RFC 3032 leaves the payload type to the label's meaning, which a
   * capture does not carry; the version nibble is what Wireshark and
   * tcpdump use too. */
  w4_dec_ip_guess (d, w4_rd_here (&r), w4_rd_left (&r));
  w4_dec_leave (d);
}

static void
w4_dec_ppp_proto (W4Decoder *d, guint16 proto, const guint8 *p, gsize len)
{
  switch (proto) {
  case 0x0021:
    w4_dec_ipv4 (d, p, len);
    break;
  case 0x0057:
    w4_dec_ipv6 (d, p, len);
    break;
  case 0x0281:
  case 0x0283:
    w4_dec_mpls (d, p, len);
    break;
  default:
    break; /* LCP, IPCP, CHAP...: control traffic, not ours */
  }
}

/* The PPP protocol field and what follows; RFC 1661 section 6.5 lets it
 * shrink to one byte (an odd first byte), which PPPoE peers use too. */
static void
w4_dec_ppp_fields (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 b0 = 0;
  guint16 proto;

  w4_rd_init (&r, p, len);
  if (!w4_rd_peek_u8 (&r, 0, &b0)) {
    w4_dec_undecoded (d, "truncated PPP header");
    return;
  }
  if (b0 & 1) {
    w4_rd_skip (&r, 1);
    proto = b0;
  } else if (!w4_rd_u16 (&r, &proto)) {
    w4_dec_undecoded (d, "truncated PPP header");
    return;
  }
  w4_dec_ppp_proto (d, proto, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_chdlc (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 addr, ctrl;
  guint16 proto;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &addr);
  w4_rd_u8 (&r, &ctrl);
  w4_rd_u16 (&r, &proto);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated Cisco HDLC header");
    return;
  }
  w4_dec_ethertype (d, proto, w4_rd_here (&r), w4_rd_left (&r));
}

/* PPP as in RFC 1662 framing (address/control optional, RFC 1661 protocol
 * field compression allowed). @maybe_chdlc: DLT_PPP_SERIAL captures may
 * hold Cisco HDLC frames instead (libpcap's pcap-linktype(7)). */
static void
w4_dec_ppp (W4Decoder *d, const guint8 *p, gsize len, gboolean maybe_chdlc)
{
  W4Reader r;
  guint8 b0 = 0, b1 = 0;

  w4_rd_init (&r, p, len);
  if (!w4_rd_peek_u8 (&r, 0, &b0)) {
    w4_dec_undecoded (d, "empty PPP frame");
    return;
  }
  if (maybe_chdlc && (b0 == 0x0f || b0 == 0x8f)) {
    w4_dec_chdlc (d, p, len);
    return;
  }
  if (b0 == 0xff && w4_rd_peek_u8 (&r, 1, &b1) && b1 == 0x03)
    w4_rd_skip (&r, 2);
  w4_dec_ppp_fields (d, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_pppoe (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r, body;
  guint8 vt, code;
  guint16 session, plen;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &vt);
  w4_rd_u8 (&r, &code);
  w4_rd_u16 (&r, &session);
  w4_rd_u16 (&r, &plen);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated PPPoE header");
    return;
  }
  if (vt != 0x11 || code != 0)
    return; /* not a session data packet (RFC 2516 section 4) */
  body = w4_rd_sub (&r, plen);
  if (!w4_dec_enter (d))
    return;
  w4_dec_ppp_fields (d, w4_rd_here (&body), w4_rd_left (&body));
  w4_dec_leave (d);
}

/* LLC/SNAP (RFC 1042): AA AA 03, OUI, ethertype. Other LLC is not IP. */
static void
w4_dec_llc (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 dsap, ssap, ctrl;
  guint16 type;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &dsap);
  w4_rd_u8 (&r, &ssap);
  w4_rd_u8 (&r, &ctrl);
  if (!w4_rd_ok (&r) || dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
    return;
  w4_rd_skip (&r, 3);
  if (!w4_rd_u16 (&r, &type)) {
    w4_dec_undecoded (d, "truncated SNAP header");
    return;
  }
  w4_dec_ethertype (d, type, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_ether (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint16 type;

  w4_rd_init (&r, p, len);
  w4_rd_skip (&r, 12);
  if (!w4_rd_u16 (&r, &type)) {
    w4_dec_undecoded (d, "truncated Ethernet header");
    return;
  }
  if (type <= 1500) {
    /* 802.3 length field: bounds the LLC payload (drops the padding). */
    W4Reader body = w4_rd_sub (&r, type);
    w4_dec_llc (d, w4_rd_here (&body), w4_rd_left (&body));
    return;
  }
  w4_dec_ethertype (d, type, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_ethertype (W4Decoder *d, guint16 type, const guint8 *p, gsize len)
{
  switch (type) {
  case 0x0800:
    w4_dec_ipv4 (d, p, len);
    break;
  case 0x86dd:
    w4_dec_ipv6 (d, p, len);
    break;
  case 0x8100: /* 802.1Q */
  case 0x88a8: /* 802.1ad */
  case 0x9100: /* pre-standard QinQ */
  case 0x9200:
    w4_dec_vlan (d, p, len);
    break;
  case 0x8847:
  case 0x8848:
    w4_dec_mpls (d, p, len);
    break;
  case 0x8864:
    w4_dec_pppoe (d, p, len);
    break;
  case 0x6558: /* transparent Ethernet bridging */
    if (w4_dec_enter (d)) {
      w4_dec_ether (d, p, len);
      w4_dec_leave (d);
    }
    break;
  default:
    break; /* ARP, LLDP, PPPoE discovery...: not IP, nothing to say */
  }
}

static void
w4_dec_sll (W4Decoder *d, const guint8 *p, gsize len, gboolean v2)
{
  W4Reader r;
  guint16 hatype = 0, proto = 0;

  w4_rd_init (&r, p, len);
  if (v2) {
    /* protocol, reserved, ifindex, hatype, pkttype, addrlen, addr[8] */
    w4_rd_u16 (&r, &proto);
    w4_rd_skip (&r, 6);
    w4_rd_u16 (&r, &hatype);
    w4_rd_skip (&r, 10);
  } else {
    /* pkttype, hatype, addrlen, addr[8], protocol */
    w4_rd_skip (&r, 2);
    w4_rd_u16 (&r, &hatype);
    w4_rd_skip (&r, 10);
    w4_rd_u16 (&r, &proto);
  }
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated Linux cooked header");
    return;
  }
  if (hatype == 824) /* ARPHRD_NETLINK: the protocol is a netlink family */
    return;
  if (proto == 0x0004) { /* ETH_P_802_2: an LLC frame follows */
    w4_dec_llc (d, w4_rd_here (&r), w4_rd_left (&r));
    return;
  }
  w4_dec_ethertype (d, proto, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_null (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  W4Span af;
  guint v;

  w4_rd_init (&r, p, len);
  if (!w4_rd_span (&r, 4, &af)) {
    w4_dec_undecoded (d, "truncated loopback header");
    return;
  }
  /* The AF value is in the capturing host's byte order (NULL) or in
   * network order (LOOP), and some writers got LOOP wrong; AF values are
   * small, so whichever end holds the non-zero byte is the value. */
  if (af.ptr[1] != 0 || af.ptr[2] != 0)
    v = 0;
  else
    v = af.ptr[0] != 0 ? af.ptr[0] : af.ptr[3];
  switch (v) {
  case 2: /* AF_INET everywhere */
    w4_dec_ipv4 (d, w4_rd_here (&r), w4_rd_left (&r));
    break;
  case 10: /* Linux */
  case 24: /* NetBSD, OpenBSD, BSD/OS */
  case 28: /* FreeBSD, DragonFly */
  case 30: /* macOS */
    w4_dec_ipv6 (d, w4_rd_here (&r), w4_rd_left (&r));
    break;
  default:
    break;
  }
}

static void
w4_dec_nflog (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 family, version;
  guint16 resid;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &family);
  w4_rd_u8 (&r, &version);
  w4_rd_u16 (&r, &resid);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated NFLOG header");
    return;
  }
  for (guint i = 0; i < W4_CAP_MAX_NFLOG_TLVS && w4_rd_left (&r) >= 4; i++) {
    W4Reader tlv = r;
    guint16 tlen = 0, ttype = 0;
    W4Reader val;

    /* TLV length and type are in the capturing host's byte order
     * (pcap-linktype(7)); try little-endian, the common case, and fall
     * back to big-endian when the length does not fit. */
    w4_rd_u16le (&tlv, &tlen);
    w4_rd_u16le (&tlv, &ttype);
    if (tlen < 4 || tlen > w4_rd_left (&r)) {
      tlv = r;
      w4_rd_u16 (&tlv, &tlen);
      w4_rd_u16 (&tlv, &ttype);
    }
    if (tlen < 4 || tlen > w4_rd_left (&r)) {
      w4_dec_undecoded (d, "bad NFLOG TLV length");
      return;
    }
    val = w4_rd_sub (&tlv, tlen - 4u);
    if ((ttype & 0x7fff) == 9) { /* NFULA_PAYLOAD */
      if (family == 2)
        w4_dec_ipv4 (d, val.data, val.len);
      else if (family == 10)
        w4_dec_ipv6 (d, val.data, val.len);
      else
        w4_dec_ip_guess (d, val.data, val.len);
      return;
    }
    /* Each TLV is padded to 4 bytes; the last one may lack the padding.
     * tlen >= 4, so every pass consumes at least 4 bytes. */
    w4_rd_skip (&r, MIN ((gsize) ((tlen + 3u) & ~3u), w4_rd_left (&r)));
  }
}

static void
w4_dec_80211 (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint16 fc;
  guint type, subtype, flags;
  gsize hdr = 24;

  w4_rd_init (&r, p, len);
  if (!w4_rd_u16le (&r, &fc)) {
    w4_dec_undecoded (d, "truncated 802.11 header");
    return;
  }
  type = (fc >> 2) & 3;
  subtype = (fc >> 4) & 0xf;
  flags = fc >> 8;
  if (type != 2)
    return; /* management and control frames carry no IP */
  if (subtype & 4)
    return; /* null-data and QoS null: no body */
  if (flags & 0x40)
    return; /* protected: we have no keys */
  if ((flags & 3) == 3)
    hdr += 6; /* To DS and From DS: a fourth address */
  if (subtype & 8) {
    guint8 qos0 = 0;

    /* QoS control; bit 7 of its first byte says the body is an A-MSDU,
     * which we do not unpack. */
    if (w4_rd_peek_u8 (&r, hdr - 2, &qos0) && (qos0 & 0x80))
      return;
    hdr += 2;
    if (flags & 0x80)
      hdr += 4; /* +HTC: the Order bit on a QoS data frame means HT control */
  }
  if (!w4_rd_skip (&r, hdr - 2)) {
    w4_dec_undecoded (d, "truncated 802.11 header");
    return;
  }
  w4_dec_llc (d, w4_rd_here (&r), w4_rd_left (&r));
}

static void
w4_dec_radiotap (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 version, pad;
  guint16 rlen;
  guint32 present = 0, word = 0;
  gsize body_len, off;
  gboolean fcs = FALSE;
  guint i;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &version);
  w4_rd_u8 (&r, &pad);
  w4_rd_u16le (&r, &rlen);
  if (!w4_rd_ok (&r) || rlen < 8 || rlen > len) {
    w4_dec_undecoded (d, "truncated radiotap header");
    return;
  }
  /* Present words live inside the radiotap header, not past it. */
  r.len = rlen;
  /* Walk the present words only to find the Flags field (bit 1), whose
   * 0x10 says a 4-byte FCS ends the frame. Fields before it: TSFT (bit 0,
   * 8 bytes aligned to 8). */
  for (i = 0; i < W4_CAP_MAX_RADIOTAP_PRESENT; i++) {
    if (!w4_rd_u32le (&r, &word))
      break;
    if (i == 0)
      present = word;
    if (!(word & 0x80000000u))
      break;
  }
  off = r.off;
  if (w4_rd_ok (&r) && (present & 2)) {
    W4Reader hdr;
    guint8 rflags = 0;

    if (present & 1)
      off = ((off + 7) & ~(gsize) 7) + 8;
    w4_rd_init (&hdr, p, rlen);
    if (w4_rd_peek_u8 (&hdr, off, &rflags))
      fcs = (rflags & 0x10) != 0;
  }
  body_len = len - rlen;
  if (fcs && body_len >= 4)
    body_len -= 4;
  w4_dec_80211 (d, p + rlen, body_len);
}

/* ---- IP ------------------------------------------------------------------- */

static void
w4_dec_deliver (W4Decoder *d, const W4IpPacket *pkt)
{
  W4IpPacket copy;

  if (d->sink->on_ip == NULL)
    return;
  if (d->numbering_only) {
    copy = *pkt;
    copy.numbered_only = TRUE;
    pkt = &copy;
  }
  d->sink->on_ip (d->sink->user, pkt);
}

static void
w4_dec_frag_limit (W4Decoder *d, W4LimitId hit)
{
  if (hit == W4_LIMIT_FRAG_DATAGRAMS)
    w4_dec_anomaly (d, W4_ANOM_LIMIT, hit,
                    "too many IP datagrams in reassembly; the oldest was dropped");
  else if (hit == W4_LIMIT_FRAG_BYTES)
    w4_dec_anomaly (d, W4_ANOM_LIMIT, hit, "IP datagram too large to reassemble; dropped");
}

/* An IPv4 header quoted by an ICMP error: only its first bytes are there
 * (RFC 792: header + 64 bits; RFC 1812 allows more). */
static void
w4_dec_quoted_ipv4 (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 vihl, proto;
  guint16 totlen, frag;
  W4Span s, t;
  W4IpPacket pkt;
  gsize ihl;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &vihl);
  w4_rd_skip (&r, 1);
  w4_rd_u16 (&r, &totlen);
  w4_rd_skip (&r, 2);
  w4_rd_u16 (&r, &frag);
  w4_rd_skip (&r, 1);
  w4_rd_u8 (&r, &proto);
  w4_rd_skip (&r, 2);
  w4_rd_span (&r, 4, &s);
  w4_rd_span (&r, 4, &t);
  ihl = (gsize) (vihl & 0xf) * 4;
  if (!w4_rd_ok (&r) || (vihl >> 4) != 4 || ihl < 20 || !w4_rd_skip (&r, ihl - 20))
    return;
  if ((frag & 0x1fff) != 0)
    return; /* a later fragment: no transport header in it */
  memset (&pkt, 0, sizeof pkt);
  pkt.fi = d->fi;
  pkt.src.family = pkt.dst.family = 4;
  memcpy (pkt.src.a, s.ptr, 4);
  memcpy (pkt.dst.a, t.ptr, 4);
  pkt.proto = proto;
  pkt.icmp_quoted = TRUE;
  pkt.l4 = w4_rd_here (&r);
  pkt.l4_len = w4_rd_left (&r);
  pkt.l4_claimed = totlen > ihl ? totlen - ihl : pkt.l4_len;
  if (pkt.l4_len > pkt.l4_claimed)
    pkt.l4_len = pkt.l4_claimed;
  w4_dec_deliver (d, &pkt);
}

static void w4_dec_ipv6_chain (W4Decoder *d, const W4Addr *src, const W4Addr *dst, guint8 nh,
                               const guint8 *p, gsize len, gsize claimed, gboolean quoted,
                               W4FragPiece *frags, guint n_frags);

static void
w4_dec_quoted_ipv6 (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint32 vtf;
  guint16 plen;
  guint8 nh, hlim;
  W4Span s, t;
  W4Addr src = { .family = 6 }, dst = { .family = 6 };

  w4_rd_init (&r, p, len);
  w4_rd_u32 (&r, &vtf);
  w4_rd_u16 (&r, &plen);
  w4_rd_u8 (&r, &nh);
  w4_rd_u8 (&r, &hlim);
  w4_rd_span (&r, 16, &s);
  w4_rd_span (&r, 16, &t);
  if (!w4_rd_ok (&r) || (vtf >> 28) != 6)
    return;
  memcpy (src.a, s.ptr, 16);
  memcpy (dst.a, t.ptr, 16);
  w4_dec_ipv6_chain (d, &src, &dst, nh, w4_rd_here (&r), w4_rd_left (&r),
                     MAX ((gsize) plen, w4_rd_left (&r)), TRUE, NULL, 0);
}

static void
w4_dec_gre (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint16 flags = 0, ptype = 0;
  guint ver;
  gboolean seq = FALSE;

  w4_rd_init (&r, p, len);
  w4_rd_u16 (&r, &flags);
  w4_rd_u16 (&r, &ptype);
  ver = flags & 7;
  if (ver == 0) {
    if (flags & 0xc000)
      w4_rd_skip (&r, 4); /* checksum + offset (RFC 1701) or reserved1 */
    if (flags & 0x2000)
      w4_rd_skip (&r, 4); /* key (RFC 2890) */
    if (flags & 0x1000) {
      w4_rd_skip (&r, 4); /* sequence number */
      seq = TRUE;
    }
    if (flags & 0x4000) {
      guint i;

      /* RFC 1701 routing: source route entries up to a NULL one. */
      for (i = 0; i < W4_CAP_MAX_GRE_SRE; i++) {
        guint16 af = 0;
        guint8 sre_off, sre_len = 0;

        w4_rd_u16 (&r, &af);
        w4_rd_u8 (&r, &sre_off);
        w4_rd_u8 (&r, &sre_len);
        if (!w4_rd_ok (&r) || (af == 0 && sre_len == 0))
          break;
        w4_rd_skip (&r, sre_len);
      }
      if (i == W4_CAP_MAX_GRE_SRE) {
        w4_dec_undecoded (d, "GRE routing field too long");
        return;
      }
    }
  } else if (ver == 1) {
    /* PPTP enhanced GRE (RFC 2637 section 4.1): key is always there. */
    w4_rd_skip (&r, 4);
    if (flags & 0x1000)
      w4_rd_skip (&r, 4);
    if (flags & 0x0080)
      w4_rd_skip (&r, 4); /* acknowledgment number */
  } else {
    return;
  }
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated GRE header");
    return;
  }

  switch (ptype) {
  case 0x6558:
    w4_dec_ether (d, w4_rd_here (&r), w4_rd_left (&r));
    break;
  case 0x88be:
    /* ERSPAN type II carries a sequence number and an 8-byte header;
     * type I has neither (how Wireshark tells them apart). */
    if (seq && !w4_rd_skip (&r, 8)) {
      w4_dec_undecoded (d, "truncated ERSPAN header");
      return;
    }
    w4_dec_ether (d, w4_rd_here (&r), w4_rd_left (&r));
    break;
  case 0x22eb: {
    /* ERSPAN type III: 12 bytes; the last 16 bits are P(1) FT(5) HW
     * ID(6) D(1) Gra(2) O(1); O adds an 8-byte platform subheader. */
    guint16 w = 0;
    guint ft;

    w4_rd_skip (&r, 10);
    w4_rd_u16 (&r, &w);
    if (w & 1)
      w4_rd_skip (&r, 8);
    if (!w4_rd_ok (&r)) {
      w4_dec_undecoded (d, "truncated ERSPAN header");
      return;
    }
    ft = (w >> 10) & 0x1f;
    if (ft == 0)
      w4_dec_ether (d, w4_rd_here (&r), w4_rd_left (&r));
    else if (ft == 2)
      w4_dec_ip_guess (d, w4_rd_here (&r), w4_rd_left (&r));
    break;
  }
  case 0x880b:
    w4_dec_ppp (d, w4_rd_here (&r), w4_rd_left (&r), FALSE);
    break;
  default:
    w4_dec_ethertype (d, ptype, w4_rd_here (&r), w4_rd_left (&r));
    break;
  }
}

/* Delivers one transport part, then looks inside it when it is a tunnel
 * or an ICMP error. Quoted headers are delivered only: nothing nests in a
 * quotation that we could use. */
static void
w4_dec_transport (W4Decoder *d, W4IpPacket *pkt)
{
  W4Reader r;
  guint8 type = 0;
  guint16 sport = 0, dport = 0;

  if (pkt->icmp_quoted) {
    w4_dec_deliver (d, pkt);
    return;
  }
  w4_rd_init (&r, pkt->l4, pkt->l4_len);
  switch (pkt->proto) {
  case 4: /* IP in IP */
  case 41:
  case 47: /* GRE */
    if (!w4_dec_enter (d))
      return;
    if (pkt->proto == 4)
      w4_dec_ipv4 (d, pkt->l4, pkt->l4_len);
    else if (pkt->proto == 41)
      w4_dec_ipv6 (d, pkt->l4, pkt->l4_len);
    else
      w4_dec_gre (d, pkt->l4, pkt->l4_len);
    w4_dec_leave (d);
    return;
  case 17:
    w4_dec_deliver (d, pkt);
    w4_rd_u16 (&r, &sport);
    w4_rd_u16 (&r, &dport);
    /* VXLAN by port, as Wireshark does (RFC 7348 section 5). */
    if (w4_rd_ok (&r) && dport == 4789 && w4_rd_skip (&r, 4 + 8) && w4_dec_enter (d)) {
      w4_dec_ether (d, w4_rd_here (&r), w4_rd_left (&r));
      w4_dec_leave (d);
    }
    return;
  case 1:
    w4_dec_deliver (d, pkt);
    /* Destination unreachable, source quench, redirect, time exceeded,
     * parameter problem quote the offending datagram after 8 bytes. */
    if (w4_rd_u8 (&r, &type) && (type == 3 || type == 4 || type == 5 || type == 11 || type == 12) &&
        w4_rd_skip (&r, 7))
      w4_dec_quoted_ipv4 (d, w4_rd_here (&r), w4_rd_left (&r));
    return;
  case 58:
    w4_dec_deliver (d, pkt);
    if (w4_rd_u8 (&r, &type) && type >= 1 && type <= 4 && w4_rd_skip (&r, 7))
      w4_dec_quoted_ipv6 (d, w4_rd_here (&r), w4_rd_left (&r));
    return;
  default:
    w4_dec_deliver (d, pkt);
    return;
  }
}

static void
w4_dec_ipv4 (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint8 vihl, tos, ttl, proto;
  guint16 totlen, id, frag, csum;
  W4Span s, t;
  W4IpPacket pkt;
  gsize ihl, avail;
  guint32 offset;
  gboolean more;

  w4_rd_init (&r, p, len);
  w4_rd_u8 (&r, &vihl);
  w4_rd_u8 (&r, &tos);
  w4_rd_u16 (&r, &totlen);
  w4_rd_u16 (&r, &id);
  w4_rd_u16 (&r, &frag);
  w4_rd_u8 (&r, &ttl);
  w4_rd_u8 (&r, &proto);
  w4_rd_u16 (&r, &csum);
  w4_rd_span (&r, 4, &s);
  w4_rd_span (&r, 4, &t);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated IPv4 header");
    return;
  }
  ihl = (gsize) (vihl & 0xf) * 4;
  if ((vihl >> 4) != 4 || ihl < 20) {
    w4_dec_undecoded (d, "bad IPv4 header");
    return;
  }
  if (!w4_rd_skip (&r, ihl - 20)) {
    w4_dec_undecoded (d, "truncated IPv4 options");
    return;
  }
  /* A total length of 0 is what TCP segmentation offload leaves in a
   * capture taken on the sender; Wireshark then trusts the captured length
   * (its "TSO support" preference, on by default), and so do we. */
  if (totlen == 0)
    totlen = (guint16) MIN (len, G_MAXUINT16);
  if (totlen < ihl) {
    w4_dec_undecoded (d, "IPv4 total length shorter than its header");
    return;
  }
  /* A total length beyond what was on the wire is a lie (damage or a
   * fuzzed capture); like Wireshark, believe the frame. */
  if ((gsize) totlen > len + d->missing)
    totlen = (guint16) MIN (len + d->missing, G_MAXUINT16);
  avail = MIN (len, (gsize) totlen) - ihl;

  memset (&pkt, 0, sizeof pkt);
  pkt.fi = d->fi;
  pkt.src.family = pkt.dst.family = 4;
  memcpy (pkt.src.a, s.ptr, 4);
  memcpy (pkt.dst.a, t.ptr, 4);
  pkt.proto = proto;
  pkt.l4 = w4_rd_here (&r);
  pkt.l4_len = avail;
  pkt.l4_claimed = totlen - ihl;

  more = (frag & 0x2000) != 0;
  offset = (guint32) (frag & 0x1fff) * 8;
  if (more || offset != 0) {
    W4FragKey key;
    W4FragDone done;
    W4LimitId hit;
    gboolean complete;
    gsize saved_missing;

    memset (&key, 0, sizeof key);
    key.src = pkt.src;
    key.dst = pkt.dst;
    key.id = id;
    key.proto = proto;
    /* A fragment cut by the snaplen adds what was captured; the datagram
     * then never completes and expires, rather than carrying invented
     * bytes. A frame -f rejected takes no part in reassembly. */
    if (d->numbering_only)
      return;
    complete = w4_frag_add (d->frags, &key, d->fi->ts, d->fi->frame, offset, more, pkt.l4,
                            pkt.l4_len, &done, &hit);
    w4_dec_frag_limit (d, hit);
    if (!complete)
      return;
    pkt.l4 = done.data;
    pkt.l4_len = pkt.l4_claimed = done.len;
    pkt.frags = done.pieces;
    pkt.n_frags = done.n_pieces;
    saved_missing = d->missing;
    d->missing = 0; /* the reassembled buffer is whole */
    w4_dec_transport (d, &pkt);
    d->missing = saved_missing;
    w4_frag_done_clear (&done);
    return;
  }
  w4_dec_transport (d, &pkt);
}

/* Walks IPv6 extension headers from @nh over @p (@len captured of @claimed)
 * and hands the transport part on. @frags (owned by the caller, may be
 * adjusted in place) is set when @p is a reassembled fragmentable part. */
static void
w4_dec_ipv6_chain (W4Decoder *d, const W4Addr *src, const W4Addr *dst, guint8 nh,
                   const guint8 *p, gsize len, gsize claimed, gboolean quoted,
                   W4FragPiece *frags, guint n_frags)
{
  W4Reader r;
  W4IpPacket pkt;
  guint i;

  w4_rd_init (&r, p, len);
  for (i = 0; i < W4_CAP_MAX_IPV6_EXT; i++) {
    guint8 next = 0, hlen = 0;
    gsize size;

    switch (nh) {
    case 0:   /* hop-by-hop */
    case 43:  /* routing */
    case 60:  /* destination options */
    case 135: /* mobility */
    case 139: /* HIP */
    case 140: /* shim6 */
    case 51:  /* AH: length in 4-byte units minus 2 (RFC 4302) */
      w4_rd_u8 (&r, &next);
      w4_rd_u8 (&r, &hlen);
      size = nh == 51 ? ((gsize) hlen + 2) * 4 : ((gsize) hlen + 1) * 8;
      if (!w4_rd_skip (&r, size - 2)) {
        if (!quoted)
          w4_dec_undecoded (d, "truncated IPv6 extension header");
        return;
      }
      nh = next;
      continue;
    case 44: { /* fragment */
      guint8 res;
      guint16 offm = 0;
      guint32 id = 0;
      W4FragKey key;
      W4FragDone done;
      W4LimitId hit;
      gsize avail, fclaimed, saved_missing;

      w4_rd_u8 (&r, &next);
      w4_rd_u8 (&r, &res);
      w4_rd_u16 (&r, &offm);
      w4_rd_u32 (&r, &id);
      if (!w4_rd_ok (&r)) {
        if (!quoted)
          w4_dec_undecoded (d, "truncated IPv6 fragment header");
        return;
      }
      if ((offm & 0xfff9) == 0) {
        /* Atomic fragment (RFC 6946): the datagram itself. */
        nh = next;
        continue;
      }
      if (quoted || frags != NULL) {
        if (!quoted)
          w4_dec_undecoded (d, "IPv6 fragment inside a reassembled datagram");
        return;
      }
      memset (&key, 0, sizeof key);
      key.src = *src;
      key.dst = *dst;
      key.id = id;
      key.proto = next;
      avail = w4_rd_left (&r);
      fclaimed = claimed > r.off ? claimed - r.off : 0;
      if (avail > fclaimed)
        avail = fclaimed;
      if (d->numbering_only)
        return; /* a frame -f rejected takes no part in reassembly */
      if (!w4_frag_add (d->frags, &key, d->fi->ts, d->fi->frame, offm & 0xfff8, offm & 1,
                        w4_rd_here (&r), avail, &done, &hit)) {
        w4_dec_frag_limit (d, hit);
        return;
      }
      w4_dec_frag_limit (d, hit);
      saved_missing = d->missing;
      d->missing = 0; /* the reassembled buffer is whole */
      w4_dec_ipv6_chain (d, src, dst, next, done.data, done.len, done.len, FALSE, done.pieces,
                         done.n_pieces);
      d->missing = saved_missing;
      w4_frag_done_clear (&done);
      return;
    }
    default:
      break;
    }
    break;
  }
  if (i == W4_CAP_MAX_IPV6_EXT) {
    if (!quoted)
      w4_dec_undecoded (d, "too many IPv6 extension headers");
    return;
  }

  memset (&pkt, 0, sizeof pkt);
  pkt.fi = d->fi;
  pkt.src = *src;
  pkt.dst = *dst;
  pkt.proto = nh;
  pkt.icmp_quoted = quoted;
  pkt.l4 = w4_rd_here (&r);
  pkt.l4_len = w4_rd_left (&r);
  pkt.l4_claimed = claimed > r.off ? claimed - r.off : 0;
  if (pkt.l4_len > pkt.l4_claimed)
    pkt.l4_len = pkt.l4_claimed;
  if (frags != NULL && n_frags > 0) {
    /* Offsets count from the transport header, past any extension
     * headers that were inside the fragmentable part. */
    for (guint k = 0; k < n_frags; k++)
      frags[k].offset = frags[k].offset > r.off ? (guint32) (frags[k].offset - r.off) : 0;
    pkt.frags = frags;
    pkt.n_frags = n_frags;
  }
  w4_dec_transport (d, &pkt);
}

static void
w4_dec_ipv6 (W4Decoder *d, const guint8 *p, gsize len)
{
  W4Reader r;
  guint32 vtf;
  guint16 plen;
  guint8 nh, hlim;
  W4Span s, t;
  W4Addr src = { .family = 6 }, dst = { .family = 6 };
  gsize claimed;

  w4_rd_init (&r, p, len);
  w4_rd_u32 (&r, &vtf);
  w4_rd_u16 (&r, &plen);
  w4_rd_u8 (&r, &nh);
  w4_rd_u8 (&r, &hlim);
  w4_rd_span (&r, 16, &s);
  w4_rd_span (&r, 16, &t);
  if (!w4_rd_ok (&r)) {
    w4_dec_undecoded (d, "truncated IPv6 header");
    return;
  }
  if ((vtf >> 28) != 6) {
    w4_dec_undecoded (d, "bad IPv6 header");
    return;
  }
  memcpy (src.a, s.ptr, 16);
  memcpy (dst.a, t.ptr, 16);
  /* Payload length 0: a jumbogram (RFC 2675) or, far more often, TSO on
   * the capturing host; trust what was captured. */
  claimed = plen != 0 ? plen : w4_rd_left (&r);
  if (claimed > w4_rd_left (&r) + d->missing)
    claimed = w4_rd_left (&r) + d->missing;
  w4_dec_ipv6_chain (d, &src, &dst, nh, w4_rd_here (&r), MIN (w4_rd_left (&r), claimed), claimed,
                     FALSE, NULL, 0);
}

/* ---- entry points --------------------------------------------------------- */

void
w4_dec_init (W4Decoder *d, const W4Limits *limits, const W4CaptureSink *sink)
{
  memset (d, 0, sizeof *d);
  d->limits = limits;
  d->sink = sink;
  d->frags = w4_frag_table_new (limits);
}

void
w4_dec_clear (W4Decoder *d)
{
  g_clear_pointer (&d->frags, w4_frag_table_free);
}

gboolean
w4_dec_linktype_supported (int dlt)
{
  switch (dlt) {
  case W4_DLT_NULL:
  case W4_DLT_EN10MB:
  case W4_DLT_PPP:
  case W4_DLT_RAW:
  case W4_DLT_RAW_OPENBSD:
  case W4_DLT_PPP_HDLC:
  case W4_DLT_LINKTYPE_RAW:
  case W4_DLT_C_HDLC:
  case W4_DLT_IEEE802_11:
  case W4_DLT_LOOP:
  case W4_DLT_LINUX_SLL:
  case W4_DLT_RADIOTAP:
  case W4_DLT_IPV4:
  case W4_DLT_IPV6:
  case W4_DLT_NFLOG:
  case W4_DLT_LINUX_SLL2:
    return TRUE;
  default:
    return FALSE;
  }
}

void
w4_dec_frame (W4Decoder *d, int dlt, const W4FrameInfo *fi, const guint8 *data, gsize caplen)
{
  d->fi = fi;
  d->missing = fi->wirelen > caplen ? fi->wirelen - caplen : 0;
  d->depth = 0;
  d->depth_reported = FALSE;
  switch (dlt) {
  case W4_DLT_EN10MB:
    w4_dec_ether (d, data, caplen);
    break;
  case W4_DLT_LINUX_SLL:
    w4_dec_sll (d, data, caplen, FALSE);
    break;
  case W4_DLT_LINUX_SLL2:
    w4_dec_sll (d, data, caplen, TRUE);
    break;
  case W4_DLT_RAW:
  case W4_DLT_RAW_OPENBSD:
  case W4_DLT_LINKTYPE_RAW:
    w4_dec_ip_guess (d, data, caplen);
    break;
  case W4_DLT_IPV4:
    w4_dec_ipv4 (d, data, caplen);
    break;
  case W4_DLT_IPV6:
    w4_dec_ipv6 (d, data, caplen);
    break;
  case W4_DLT_NULL:
  case W4_DLT_LOOP:
    w4_dec_null (d, data, caplen);
    break;
  case W4_DLT_PPP:
    w4_dec_ppp (d, data, caplen, FALSE);
    break;
  case W4_DLT_PPP_HDLC:
    w4_dec_ppp (d, data, caplen, TRUE);
    break;
  case W4_DLT_C_HDLC:
    w4_dec_chdlc (d, data, caplen);
    break;
  case W4_DLT_NFLOG:
    w4_dec_nflog (d, data, caplen);
    break;
  case W4_DLT_IEEE802_11:
    w4_dec_80211 (d, data, caplen);
    break;
  case W4_DLT_RADIOTAP:
    w4_dec_radiotap (d, data, caplen);
    break;
  default:
    break;
  }
  d->fi = NULL;
}
