/* test-decode.c: link layers, tunnels and IP, table-driven.
 *
 * Each row builds one frame from raw header bytes (written out below with
 * their readable form in a comment) around a fixed inner datagram, decodes
 * it, and checks what reached the sink. Every truncated prefix of every
 * frame is decoded too, from a buffer of exactly that size, so that a read
 * past the end shows under -Db_sanitize=address. */
#include <string.h>

#include "decode-private.h"

/* ---- recording sink ------------------------------------------------------ */

typedef struct {
  guint n_ip;
  guint n_tcp;
  guint n_quoted;
  guint n_limit;
  guint n_undecoded;
  W4Addr last_tcp_src;
  gsize last_tcp_len, last_tcp_claimed;
  guint last_n_frags;
  guint64 last_frag_frames[8];
  const guint8 *lo, *hi; /* the frame buffer, to check l4 stays inside */
  gboolean out_of_bounds;
} Rec;

static void
rec_ip (void *user, const W4IpPacket *pkt)
{
  Rec *r = user;

  r->n_ip++;
  if (pkt->frags == NULL && pkt->l4_len > 0 &&
      (pkt->l4 < r->lo || pkt->l4 + pkt->l4_len > r->hi))
    r->out_of_bounds = TRUE;
  if (pkt->l4_len > pkt->l4_claimed)
    r->out_of_bounds = TRUE;
  if (pkt->icmp_quoted)
    r->n_quoted++;
  if (pkt->proto == 6 && !pkt->icmp_quoted) {
    r->n_tcp++;
    r->last_tcp_src = pkt->src;
    r->last_tcp_len = pkt->l4_len;
    r->last_tcp_claimed = pkt->l4_claimed;
    r->last_n_frags = pkt->n_frags;
    for (guint i = 0; i < pkt->n_frags && i < G_N_ELEMENTS (r->last_frag_frames); i++)
      r->last_frag_frames[i] = pkt->frags[i].frame;
  }
}

static void
rec_anomaly (void *user, const W4Anomaly *a)
{
  Rec *r = user;

  if (a->kind == W4_ANOM_LIMIT)
    r->n_limit++;
  else if (a->kind == W4_ANOM_UNDECODED)
    r->n_undecoded++;
}

/* ---- frame building -------------------------------------------------------- */

/* IPv4 192.0.2.1 -> 198.51.100.2, TCP 51000 -> 80, flags PA, payload "GET"
 * (20 + 20 + 3 = 43 bytes). */
static const guint8 inner_v4[] = {
  0x45, 0x00, 0x00, 0x2b, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* v4, len 43, DF, TCP */
  192, 0, 2, 1, 198, 51, 100, 2,                                         /* src, dst */
  0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0, /* TCP */
  'G', 'E', 'T',
};

/* IPv6 2001:db8::1 -> 2001:db8::2, TCP 51000 -> 80, payload "GET". */
static const guint8 inner_v6[] = {
  0x60, 0, 0, 0, 0x00, 0x17, 6, 64, /* payload 23, next TCP */
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
  0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
  'G', 'E', 'T',
};

/* Appends an IPv4 header for @proto around @payload (192.0.2.100 ->
 * 198.51.100.200), with its total length right. */
static void
wrap_ipv4 (GByteArray *b, guint8 proto, const guint8 *payload, gsize len)
{
  guint16 tot = (guint16) (20 + len);
  guint8 h[20] = { 0x45, 0, (guint8) (tot >> 8), (guint8) tot, 0, 1, 0, 0, 64, proto, 0, 0,
                   192, 0, 2, 100, 198, 51, 100, 200 };

  g_byte_array_append (b, h, sizeof h);
  g_byte_array_append (b, payload, (guint) len);
}

typedef enum { IN_V4, IN_V6, IN_NONE } Inner;

typedef struct {
  const char *desc;
  const char *ref;
  int dlt;
  const guint8 *head; /* link and tunnel headers before the inner datagram */
  gsize head_len;
  Inner inner;
  gsize pad;          /* zero bytes after it (Ethernet padding, FCS) */
  /* expected */
  guint n_tcp;
  guint n_quoted;
  gboolean v6;
  guint n_limit;
} Row;

#define H(...) (const guint8[]){ __VA_ARGS__ }, sizeof ((const guint8[]){ __VA_ARGS__ })

#define ETH_MACS 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2

static const Row rows[] = {
  { "ethernet ipv4", "IEEE 802.3 clause 3", W4_DLT_EN10MB, H (ETH_MACS, 0x08, 0x00), IN_V4, 0, 1, 0, FALSE, 0 },
  { "ethernet padding is not payload", "RFC 894", W4_DLT_EN10MB, H (ETH_MACS, 0x08, 0x00), IN_V4, 17, 1, 0, FALSE, 0 },
  { "802.1Q", "IEEE 802.1Q", W4_DLT_EN10MB, H (ETH_MACS, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00), IN_V4, 0, 1, 0, FALSE, 0 },
  /* 88a8 vlan 100, 8100 vlan 200, 9100 vlan 300, then IPv6 */
  { "three tags 802.1ad/802.1Q/0x9100", "IEEE 802.1ad", W4_DLT_EN10MB,
    H (ETH_MACS, 0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x91, 0x00, 0x01, 0x2c, 0x86, 0xdd), IN_V6, 0, 1, 0, TRUE, 0 },
  { "ethernet ipv6", "RFC 2464", W4_DLT_EN10MB, H (ETH_MACS, 0x86, 0xdd), IN_V6, 0, 1, 0, TRUE, 0 },
  /* 802.3 length 0x33 + LLC/SNAP AA AA 03 000000 0800 */
  { "802.3 + LLC/SNAP", "RFC 1042", W4_DLT_EN10MB,
    H (ETH_MACS, 0x00, 0x33, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00), IN_V4, 4, 1, 0, FALSE, 0 },
  { "ARP is silently skipped", "RFC 826", W4_DLT_EN10MB, H (ETH_MACS, 0x08, 0x06), IN_V4, 0, 0, 0, FALSE, 0 },
  /* SLL: pkttype 0, hatype 1, halen 6, addr[8], proto 0800 */
  { "linux sll", "pcap-linktype(7) LINUX_SLL", W4_DLT_LINUX_SLL,
    H (0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00), IN_V4, 0, 1, 0, FALSE, 0 },
  /* SLL2: proto 86dd, reserved, ifindex 2, hatype 1, pkttype 4, halen 6, addr[8] */
  { "linux sll2", "pcap-linktype(7) LINUX_SLL2", W4_DLT_LINUX_SLL2,
    H (0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0), IN_V6, 0, 1, 0, TRUE, 0 },
  { "raw ip 12 (v4)", "pcap-linktype(7) RAW", W4_DLT_RAW, H (0), IN_V4, 0, 1, 0, FALSE, 0 },
  { "raw ip 101 (v6)", "pcap-linktype(7) RAW", W4_DLT_LINKTYPE_RAW, H (0), IN_V6, 0, 1, 0, TRUE, 0 },
  { "ipv4 228", "pcap-linktype(7) IPV4", W4_DLT_IPV4, H (0), IN_V4, 0, 1, 0, FALSE, 0 },
  { "ipv6 229", "pcap-linktype(7) IPV6", W4_DLT_IPV6, H (0), IN_V6, 0, 1, 0, TRUE, 0 },
  { "null AF_INET little-endian", "pcap-linktype(7) NULL", W4_DLT_NULL, H (2, 0, 0, 0), IN_V4, 0, 1, 0, FALSE, 0 },
  { "null AF_INET6 24 big-endian", "pcap-linktype(7) NULL", W4_DLT_NULL, H (0, 0, 0, 24), IN_V6, 0, 1, 0, TRUE, 0 },
  { "loop AF_INET6 30 (macOS)", "pcap-linktype(7) LOOP", W4_DLT_LOOP, H (0, 0, 0, 30), IN_V6, 0, 1, 0, TRUE, 0 },
  { "null AF_INET6 28 little-endian", "pcap-linktype(7) NULL", W4_DLT_NULL, H (28, 0, 0, 0), IN_V6, 0, 1, 0, TRUE, 0 },
  /* PPP: ff 03 0021 */
  { "ppp with address/control", "RFC 1662 section 3.1", W4_DLT_PPP, H (0xff, 0x03, 0x00, 0x21), IN_V4, 0, 1, 0, FALSE, 0 },
  { "ppp compressed protocol", "RFC 1661 section 6.5", W4_DLT_PPP, H (0x21), IN_V4, 0, 1, 0, FALSE, 0 },
  { "ppp in hdlc, ipv6", "pcap-linktype(7) PPP_HDLC", W4_DLT_PPP_HDLC, H (0xff, 0x03, 0x00, 0x57), IN_V6, 0, 1, 0, TRUE, 0 },
  { "cisco hdlc in PPP_SERIAL", "pcap-linktype(7) PPP_HDLC", W4_DLT_PPP_HDLC, H (0x0f, 0x00, 0x08, 0x00), IN_V4, 0, 1, 0, FALSE, 0 },
  { "cisco hdlc", "pcap-linktype(7) C_HDLC", W4_DLT_C_HDLC, H (0x8f, 0x00, 0x86, 0xdd), IN_V6, 0, 1, 0, TRUE, 0 },
  /* PPPoE: 8864, ver/type 11, code 00, session 002d, length 0x2c (1 + 43), proto 21 */
  { "pppoe session, compressed protocol", "RFC 2516 section 6", W4_DLT_EN10MB,
    H (ETH_MACS, 0x88, 0x64, 0x11, 0x00, 0x00, 0x2d, 0x00, 0x2c, 0x21), IN_V4, 6, 1, 0, FALSE, 0 },
  /* MPLS: label 16 (s=0), label 17 (s=1) */
  { "mpls two labels", "RFC 3032", W4_DLT_EN10MB,
    H (ETH_MACS, 0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x01, 0x11, 0x40), IN_V6, 0, 1, 0, TRUE, 0 },
  /* NFLOG: AF_INET, v0, res 0; TLV len 8 type 1 (hdr); TLV len 47 type 9 */
  { "nflog payload tlv", "pcap-linktype(7) NFLOG", W4_DLT_NFLOG,
    H (2, 0, 0, 0, 8, 0, 1, 0, 0x08, 0x00, 3, 0, 47, 0, 9, 0), IN_V4, 1, 1, 0, FALSE, 0 },
  /* 802.11 QoS data, to DS, LLC/SNAP IPv4 */
  { "802.11 qos data", "IEEE 802.11-2020 9.3.2.1", W4_DLT_IEEE802_11,
    H (0x88, 0x01, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3, 0x10, 0,
       0x00, 0x00, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00), IN_V4, 0, 1, 0, FALSE, 0 },
  /* 802.11 protected data frame: skipped */
  { "802.11 protected frame skipped", "IEEE 802.11-2020 9.2.4.1.9", W4_DLT_IEEE802_11,
    H (0x08, 0x41, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3, 0x10, 0,
       0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00), IN_V4, 0, 0, 0, FALSE, 0 },
  /* radiotap v0 len 9, present = Flags, flags 0x10 (FCS at end); then a
   * plain data frame, 4 FCS bytes follow the datagram (pad 4) */
  { "radiotap with FCS", "radiotap.org Flags", W4_DLT_RADIOTAP,
    H (0, 0, 9, 0, 0x02, 0, 0, 0, 0x10,
       0x08, 0x02, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3, 0x10, 0,
       0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd), IN_V6, 4, 1, 0, TRUE, 0 },
  /* IPv6 hop-by-hop (8 bytes) + destination options (8 bytes) then TCP:
   * the header is written in full here, inner is none. */
  { "ipv6 extension headers", "RFC 8200 section 4", W4_DLT_RAW,
    H (0x60, 0, 0, 0, 0x00, 0x27, 0, 64,
       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
       60, 0, 1, 4, 0, 0, 0, 0,   /* hop-by-hop: next dst-opts, PadN */
       6, 0, 1, 4, 0, 0, 0, 0,    /* dst-opts: next TCP */
       0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
       'G', 'E', 'T'), IN_NONE, 0, 1, 0, TRUE, 0 },
  /* IPv6 atomic fragment (offset 0, M 0) then TCP */
  { "ipv6 atomic fragment", "RFC 6946", W4_DLT_RAW,
    H (0x60, 0, 0, 0, 0x00, 0x1f, 44, 64,
       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
       6, 0, 0, 0, 0, 0, 0, 7,
       0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
       'G', 'E', 'T'), IN_NONE, 0, 1, 0, TRUE, 0 },
  /* IPv4 total length 0 (TSO on the sender): trust the capture */
  { "ipv4 total length 0 (TSO)", "Wireshark ip.tso_support", W4_DLT_RAW,
    H (0x45, 0x00, 0x00, 0x00, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
       192, 0, 2, 1, 198, 51, 100, 2,
       0xc7, 0x38, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
       'G', 'E', 'T'), IN_NONE, 0, 1, 0, FALSE, 0 },
};

/* Rows whose frame needs lengths computed (tunnels, ICMP): built by code. */
typedef struct {
  const char *desc;
  const char *ref;
  int dlt;
  void (*build) (GByteArray *b);
  guint n_tcp, n_quoted;
  gboolean v6;
  guint n_limit;
} BuiltRow;

static const guint8 eth_v4[] = { ETH_MACS, 0x08, 0x00 };

static void
build_gre_key_seq (GByteArray *b)
{
  /* GRE: C K S set (0xb000), proto 0800, checksum+reserved, key, seq */
  static const guint8 gre[] = { 0xb0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1 };
  g_autoptr (GByteArray) p = g_byte_array_new ();

  g_byte_array_append (p, gre, sizeof gre);
  g_byte_array_append (p, inner_v4, sizeof inner_v4);
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 47, p->data, p->len);
}

static void
build_erspan2 (GByteArray *b)
{
  /* GRE S (0x1000), proto 88be, seq; ERSPAN II 8 bytes; Ethernet; v6 */
  static const guint8 gre[] = { 0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 5,
                                0x10, 0x00, 0x00, 0x01, 0, 0, 0, 1, ETH_MACS, 0x86, 0xdd };
  g_autoptr (GByteArray) p = g_byte_array_new ();

  g_byte_array_append (p, gre, sizeof gre);
  g_byte_array_append (p, inner_v6, sizeof inner_v6);
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 47, p->data, p->len);
}

static void
build_erspan3 (GByteArray *b)
{
  /* GRE S, proto 22eb, seq; ERSPAN III 12 bytes with O=1, FT=0;
   * platform subheader 8 bytes; Ethernet; v4 */
  static const guint8 gre[] = { 0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 5,
                                0x20, 0x00, 0x00, 0x01, 0, 0, 0x30, 0x39, 0, 0, 0x00, 0x01,
                                0x0c, 0, 0, 0, 0, 0, 0, 0, ETH_MACS, 0x08, 0x00 };
  g_autoptr (GByteArray) p = g_byte_array_new ();

  g_byte_array_append (p, gre, sizeof gre);
  g_byte_array_append (p, inner_v4, sizeof inner_v4);
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 47, p->data, p->len);
}

static void
build_vxlan (GByteArray *b)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();
  guint16 ulen = (guint16) (8 + 8 + 14 + sizeof inner_v4);
  guint8 udp[] = { 0xc0, 0x00, 0x12, 0xb5, (guint8) (ulen >> 8), (guint8) ulen, 0, 0,
                   0x08, 0, 0, 0, 0, 0, 42, 0, ETH_MACS, 0x08, 0x00 };

  g_byte_array_append (p, udp, sizeof udp);
  g_byte_array_append (p, inner_v4, sizeof inner_v4);
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 17, p->data, p->len);
}

static void
build_6in4 (GByteArray *b)
{
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 41, inner_v6, sizeof inner_v6);
}

static void
build_ipip_too_deep (GByteArray *b)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();

  g_byte_array_append (p, inner_v4, sizeof inner_v4);
  for (int i = 0; i < 12; i++) {
    g_autoptr (GByteArray) q = g_byte_array_new ();

    wrap_ipv4 (q, 4, p->data, p->len);
    g_byte_array_set_size (p, 0);
    g_byte_array_append (p, q->data, q->len);
  }
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  g_byte_array_append (b, p->data, p->len);
}

static void
build_icmp_unreach (GByteArray *b)
{
  /* ICMP type 3 code 3, quoting the inner IPv4 header + first 8 TCP bytes */
  g_autoptr (GByteArray) p = g_byte_array_new ();
  static const guint8 icmp[] = { 3, 3, 0, 0, 0, 0, 0, 0 };

  g_byte_array_append (p, icmp, sizeof icmp);
  g_byte_array_append (p, inner_v4, 28);
  g_byte_array_append (b, eth_v4, sizeof eth_v4);
  wrap_ipv4 (b, 1, p->data, p->len);
}

static void
build_icmpv6_toobig (GByteArray *b)
{
  /* ICMPv6 type 2 (packet too big), MTU, quoting the whole inner v6 */
  static const guint8 outer[] = { 0x60, 0, 0, 0, 0x00, 0x47, 58, 64,
                                  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,
                                  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                                  2, 0, 0, 0, 0, 0, 0x05, 0x00 };

  g_byte_array_append (b, outer, sizeof outer);
  g_byte_array_append (b, inner_v6, sizeof inner_v6);
}

static const BuiltRow built_rows[] = {
  { "gre with checksum, key, sequence", "RFC 2784, RFC 2890", W4_DLT_EN10MB, build_gre_key_seq, 1, 0, FALSE, 0 },
  { "gre erspan type II", "draft-foschiano-erspan-03 4.2", W4_DLT_EN10MB, build_erspan2, 1, 0, TRUE, 0 },
  { "gre erspan type III with platform subheader", "draft-foschiano-erspan-03 4.3", W4_DLT_EN10MB, build_erspan3, 1, 0, FALSE, 0 },
  { "vxlan", "RFC 7348 section 5", W4_DLT_EN10MB, build_vxlan, 1, 0, FALSE, 0 },
  { "6in4", "RFC 4213", W4_DLT_EN10MB, build_6in4, 1, 0, TRUE, 0 },
  { "ip-in-ip deeper than the limit", "w4-limits.h tunnel-depth", W4_DLT_EN10MB, build_ipip_too_deep, 0, 0, FALSE, 1 },
  { "icmp unreachable quoting tcp", "RFC 792", W4_DLT_EN10MB, build_icmp_unreach, 0, 1, FALSE, 0 },
  { "icmpv6 packet too big quoting tcp", "RFC 4443 section 3.2", W4_DLT_RAW, build_icmpv6_toobig, 0, 1, FALSE, 0 },
};

/* ---- running --------------------------------------------------------------- */

static void
decode_bytes (const guint8 *frame, gsize len, gsize wirelen, int dlt, Rec *rec)
{
  W4Limits limits;
  W4CaptureSink sink = { NULL, rec_ip, rec_anomaly, NULL, NULL, rec };
  W4Decoder d;
  W4FrameInfo fi = { 1, { 1700000000, 0 }, 0, (guint32) len, (guint32) wirelen, 1 };
  /* An exactly sized copy: reading one byte too far is caught by ASan. */
  guint8 *copy = g_memdup2 (frame, len);

  w4_limits_init (&limits);
  memset (rec, 0, sizeof *rec);
  rec->lo = copy;
  rec->hi = copy + len;
  w4_dec_init (&d, &limits, &sink);
  w4_dec_frame (&d, dlt, &fi, copy, len);
  w4_dec_clear (&d);
  g_free (copy);
}

static void
check_frame (const char *desc, int dlt, const guint8 *frame, gsize len, guint n_tcp,
             guint n_quoted, gboolean v6, guint n_limit)
{
  Rec rec;

  decode_bytes (frame, len, len, dlt, &rec);
  g_test_message ("%s: ip=%u tcp=%u quoted=%u limit=%u", desc, rec.n_ip, rec.n_tcp, rec.n_quoted,
                  rec.n_limit);
  g_assert_false (rec.out_of_bounds);
  g_assert_cmpuint (rec.n_tcp, ==, n_tcp);
  g_assert_cmpuint (rec.n_quoted, ==, n_quoted);
  g_assert_cmpuint (rec.n_limit, ==, n_limit);
  if (n_tcp > 0) {
    /* The inner TCP segment: 20-byte header + "GET", padding excluded. */
    g_assert_cmpuint (rec.last_tcp_len, ==, 23);
    g_assert_cmpuint (rec.last_tcp_claimed, ==, 23);
    g_assert_cmpuint (rec.last_tcp_src.family, ==, v6 ? 6 : 4);
  }
  /* Every truncated prefix: no crash, nothing outside the buffer, and
   * never a longer segment than the whole frame gave. */
  for (gsize k = 0; k < len; k++) {
    decode_bytes (frame, k, len, dlt, &rec);
    g_assert_false (rec.out_of_bounds);
    if (rec.n_tcp > 0)
      g_assert_cmpuint (rec.last_tcp_len, <=, 23);
  }
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint8 zeros[32] = { 0 };

  g_test_message ("%s (%s)", row->desc, row->ref);
  /* Raw-IP rows have no link header; their head is a single 0 placeholder. */
  if (!(row->head_len == 1 && row->head[0] == 0))
    g_byte_array_append (b, row->head, (guint) row->head_len);
  if (row->inner == IN_V4)
    g_byte_array_append (b, inner_v4, sizeof inner_v4);
  else if (row->inner == IN_V6)
    g_byte_array_append (b, inner_v6, sizeof inner_v6);
  g_assert_cmpuint (row->pad, <=, sizeof zeros);
  g_byte_array_append (b, zeros, (guint) row->pad);
  check_frame (row->desc, row->dlt, b->data, b->len, row->n_tcp, row->n_quoted, row->v6,
               row->n_limit);
}

static void
test_built_row (gconstpointer data)
{
  const BuiltRow *row = data;
  g_autoptr (GByteArray) b = g_byte_array_new ();

  g_test_message ("%s (%s)", row->desc, row->ref);
  row->build (b);
  check_frame (row->desc, row->dlt, b->data, b->len, row->n_tcp, row->n_quoted, row->v6,
               row->n_limit);
}

/* Two IPv4 fragments (frames 1 and 2) of one TCP segment, the second
 * first: one delivery, from the completing frame, naming both frames. */
static void
test_ipv4_fragments (void)
{
  W4Limits limits;
  Rec rec;
  W4CaptureSink sink = { NULL, rec_ip, rec_anomaly, NULL, NULL, &rec };
  W4Decoder d;
  /* first: offset 0, MF, 16 bytes of TCP header; second: offset 16, 7 bytes */
  guint8 f1[20 + 16], f2[20 + 7];
  W4FrameInfo fi1 = { 1, { 10, 0 }, 0, sizeof f2, sizeof f2, 1 };
  W4FrameInfo fi2 = { 2, { 10, 5 }, 0, sizeof f1, sizeof f1, 2 };

  memcpy (f1, inner_v4, 20);
  memcpy (f1 + 20, inner_v4 + 20, 16);
  f1[2] = 0, f1[3] = sizeof f1, f1[6] = 0x20, f1[7] = 0; /* MF, offset 0 */
  memcpy (f2, inner_v4, 20);
  memcpy (f2 + 20, inner_v4 + 36, 7);
  f2[2] = 0, f2[3] = sizeof f2, f2[6] = 0x00, f2[7] = 2; /* offset 2*8 */

  w4_limits_init (&limits);
  memset (&rec, 0, sizeof rec);
  w4_dec_init (&d, &limits, &sink);
  w4_dec_frame (&d, W4_DLT_RAW, &fi1, f2, sizeof f2);
  g_assert_cmpuint (rec.n_tcp, ==, 0);
  w4_dec_frame (&d, W4_DLT_RAW, &fi2, f1, sizeof f1);
  g_assert_cmpuint (rec.n_tcp, ==, 1);
  g_assert_cmpuint (rec.last_tcp_len, ==, 23);
  g_assert_cmpuint (rec.last_n_frags, ==, 2);
  g_assert_cmpuint (rec.last_frag_frames[0], ==, 2);
  g_assert_cmpuint (rec.last_frag_frames[1], ==, 1);
  w4_dec_clear (&d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree char *path = g_strdup_printf ("/decode/link/%s", rows[i].desc);
    g_test_add_data_func (path, &rows[i], test_row);
  }
  for (guint i = 0; i < G_N_ELEMENTS (built_rows); i++) {
    g_autofree char *path = g_strdup_printf ("/decode/tunnel/%s", built_rows[i].desc);
    g_test_add_data_func (path, &built_rows[i], test_built_row);
  }
  g_test_add_func ("/decode/ipv4-fragments/out-of-order", test_ipv4_fragments);
  return g_test_run ();
}
