/* hostile-gen.c: writes the hostile captures of bench/hostile.sh (and of
 * the meson test 'hostile'): traffic shaped to make a passive analyser keep
 * as much state as it can, as real TCP over Ethernet and IPv4 (handshakes,
 * sequence and acknowledgement numbers, checksums), so why401 reads it as
 * it reads any capture.
 *
 *   hostile-gen CASE N OUT.pcap
 *
 *   syn        N connections that send a SYN and nothing else (N clients'
 *              ports on 256 addresses, to one server), 100 k a second
 *   pipeline   one connection whose client sends N requests back to back,
 *              ten to a segment, and no response ever comes
 *   failures   N connections, each a Basic request answered 401, all within
 *              about 3 s: every failure awaits its 30 s decision at once
 *   clients    N clients (distinct addresses), each with its own credential
 *              (Basic user-I), each answered 401, 5000 a second
 *
 * A classic pcap (microseconds, LINKTYPE_ETHERNET), written through one
 * large buffer: a million connections take a few seconds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define HDR_LEN (ETH_LEN + IP_LEN + TCP_LEN)
#define MAX_PAYLOAD 1400

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10

#define BASE_SEC 1764633600u /* 2025-12-02T00:00:00Z */

typedef struct {
  uint32_t ip;   /* host order */
  uint16_t port;
  uint32_t seq;  /* next sequence number to send */
} Host;

typedef struct {
  Host c, s;
} Conn;

static FILE *out;
static uint64_t packets;

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24);
  p[1] = (uint8_t) (v >> 16);
  p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

static uint32_t
sum16 (const uint8_t *p, size_t n, uint32_t acc)
{
  for (size_t i = 0; i + 1 < n; i += 2)
    acc += (uint32_t) (p[i] << 8 | p[i + 1]);
  if (n & 1)
    acc += (uint32_t) p[n - 1] << 8;
  return acc;
}

static uint16_t
fold (uint32_t acc)
{
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t) ~acc;
}

static void
write_header (void)
{
  /* little-endian magic, version 2.4, no zone or accuracy, snaplen
   * 65535, LINKTYPE_ETHERNET */
  static const uint8_t h[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0xff, 0xff, 0, 0, 1, 0, 0, 0 };

  fwrite (h, 1, sizeof h, out);
}

/* One TCP segment from @from to @to at @usec microseconds after BASE_SEC;
 * advances @from's sequence number. */
static void
segment (Host *from, const Host *to, uint8_t flags, const char *data, size_t len,
         uint64_t usec)
{
  uint8_t f[16 + HDR_LEN + MAX_PAYLOAD];
  uint8_t *eth = f + 16, *ip = eth + ETH_LEN, *tcp = ip + IP_LEN;
  uint32_t caplen = (uint32_t) (HDR_LEN + len), acc;
  uint32_t sec = BASE_SEC + (uint32_t) (usec / 1000000), us = (uint32_t) (usec % 1000000);
  uint8_t pseudo[12];

  if (len > MAX_PAYLOAD)
    abort ();
  /* record header, little-endian */
  for (int i = 0; i < 4; i++) {
    f[i] = (uint8_t) (sec >> (8 * i));
    f[4 + i] = (uint8_t) (us >> (8 * i));
    f[8 + i] = f[12 + i] = (uint8_t) (caplen >> (8 * i));
  }
  /* Ethernet: locally administered MACs derived from the addresses */
  eth[0] = 0x02, eth[1] = 0;
  put32 (eth + 2, to->ip);
  eth[6] = 0x02, eth[7] = 0;
  put32 (eth + 8, from->ip);
  put16 (eth + 12, 0x0800);
  /* IPv4, DF, TTL 64 */
  memset (ip, 0, IP_LEN);
  ip[0] = 0x45;
  put16 (ip + 2, (uint16_t) (IP_LEN + TCP_LEN + len));
  put16 (ip + 4, (uint16_t) packets);
  put16 (ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  put32 (ip + 12, from->ip);
  put32 (ip + 16, to->ip);
  put16 (ip + 10, fold (sum16 (ip, IP_LEN, 0)));
  /* TCP */
  memset (tcp, 0, TCP_LEN);
  put16 (tcp, from->port);
  put16 (tcp + 2, to->port);
  put32 (tcp + 4, from->seq);
  put32 (tcp + 8, (flags & F_ACK) ? to->seq : 0);
  tcp[12] = (TCP_LEN / 4) << 4;
  tcp[13] = flags;
  put16 (tcp + 14, 64240);
  if (len > 0) /* a bare SYN or ACK passes no data (NULL) */
    memcpy (tcp + TCP_LEN, data, len);
  put32 (pseudo, from->ip);
  put32 (pseudo + 4, to->ip);
  pseudo[8] = 0, pseudo[9] = 6;
  put16 (pseudo + 10, (uint16_t) (TCP_LEN + len));
  acc = sum16 (pseudo, sizeof pseudo, 0);
  put16 (tcp + 16, fold (sum16 (tcp, TCP_LEN + len, acc)));
  fwrite (f, 1, 16 + caplen, out);
  packets++;
  from->seq += (uint32_t) len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

/* A deterministic spread of initial sequence numbers. */
static uint32_t
isn (uint64_t i, uint32_t salt)
{
  uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ salt;
  x ^= x >> 29;
  return (uint32_t) (x * 0xbf58476d1ce4e5b9ull >> 32);
}

static void
handshake (Conn *k, uint64_t i, uint64_t usec)
{
  k->c.seq = isn (i, 1);
  k->s.seq = isn (i, 2);
  segment (&k->c, &k->s, F_SYN, NULL, 0, usec);
  segment (&k->s, &k->c, F_SYN | F_ACK, NULL, 0, usec + 100);
  segment (&k->c, &k->s, F_ACK, NULL, 0, usec + 200);
}

/* Client closes, server closes, client acknowledges. */
static void
close_conn (Conn *k, uint64_t usec)
{
  segment (&k->c, &k->s, F_FIN | F_ACK, NULL, 0, usec);
  segment (&k->s, &k->c, F_FIN | F_ACK, NULL, 0, usec + 100);
  segment (&k->c, &k->s, F_ACK, NULL, 0, usec + 200);
}

static const uint32_t server_ip = 0x0a000001; /* 10.0.0.1 */

static void
gen_syn (uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    Conn k = { { 0x0a010000u + (uint32_t) (i % 256) + 256 * (uint32_t) (i / (256 * 60000)),
                 (uint16_t) (1024 + (i / 256) % 60000), isn (i, 1) },
               { server_ip, 80, 0 } };
    segment (&k.c, &k.s, F_SYN, NULL, 0, i * 10);
  }
}

static void
gen_pipeline (uint64_t n)
{
  Conn k = { { 0x0a010001u, 40000, 0 }, { server_ip, 80, 0 } };
  char buf[MAX_PAYLOAD];
  uint64_t t = 0, i = 0, segs = 0;

  handshake (&k, 0, t);
  t = 1000;
  while (i < n) {
    size_t len = 0;
    for (int j = 0; j < 10 && i < n; j++, i++)
      len += (size_t) snprintf (buf + len, sizeof buf - len,
                                "GET /p/%llu HTTP/1.1\r\nHost: app\r\n\r\n",
                                (unsigned long long) i);
    segment (&k.c, &k.s, F_PSH | F_ACK, buf, len, t);
    /* the server acknowledges now and then, and never answers */
    if (++segs % 8 == 0)
      segment (&k.s, &k.c, F_ACK, NULL, 0, t + 5);
    t += 20;
  }
  close_conn (&k, t + 1000);
}

/* Basic credentials for @user with password "pw-@user", base64. */
static size_t
basic (char *out_b64, const char *user)
{
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char plain[128];
  size_t n = (size_t) snprintf (plain, sizeof plain, "%s:pw-%s", user, user), o = 0;

  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t) (uint8_t) plain[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t) (uint8_t) plain[i + 1] << 8;
    if (i + 2 < n)
      v |= (uint8_t) plain[i + 2];
    out_b64[o++] = tab[v >> 18 & 63];
    out_b64[o++] = tab[v >> 12 & 63];
    out_b64[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
    out_b64[o++] = i + 2 < n ? tab[v & 63] : '=';
  }
  out_b64[o] = '\0';
  return o;
}

/* One connection: handshake, a GET with Basic @user, a 401, close. */
static void
failed_exchange (Conn *k, uint64_t i, const char *user, uint64_t usec)
{
  static const char resp[] = "HTTP/1.1 401 Unauthorized\r\nServer: nginx\r\n"
                             "WWW-Authenticate: Basic realm=\"app\"\r\n"
                             "Content-Length: 0\r\n\r\n";
  char b64[200], req[400];
  size_t len;

  basic (b64, user);
  len = (size_t) snprintf (req, sizeof req,
                           "GET /api/items HTTP/1.1\r\nHost: app\r\nUser-Agent: curl/7.88.1\r\n"
                           "Authorization: Basic %s\r\n\r\n", b64);
  handshake (k, i, usec);
  segment (&k->c, &k->s, F_PSH | F_ACK, req, len, usec + 300);
  segment (&k->s, &k->c, F_PSH | F_ACK, resp, sizeof resp - 1, usec + 800);
  segment (&k->c, &k->s, F_ACK, NULL, 0, usec + 900);
  close_conn (k, usec + 1000);
}

static void
gen_failures (uint64_t n)
{
  /* 3 s in all, whatever N */
  uint64_t step = n > 0 ? 3000000 / n : 0;

  for (uint64_t i = 0; i < n; i++) {
    Conn k = { { 0x0a010000u + (uint32_t) (i % 64) + 256 * (uint32_t) (i / (64 * 60000)),
                 (uint16_t) (1024 + (i / 64) % 60000), 0 },
               { server_ip, 80, 0 } };
    failed_exchange (&k, i, "alice", i * step);
  }
}

static void
gen_clients (uint64_t n)
{
  char user[32];

  for (uint64_t i = 0; i < n; i++) {
    /* 10.64.0.0 upwards: one address per client */
    Conn k = { { 0x0a400000u + (uint32_t) i, (uint16_t) (30000 + i % 30000), 0 },
               { server_ip, 80, 0 } };
    snprintf (user, sizeof user, "user-%llu", (unsigned long long) i);
    failed_exchange (&k, i, user, i * 200);
  }
}

int
main (int argc, char **argv)
{
  static char buf[1 << 20];
  char *end = NULL;
  uint64_t n;

  if (argc != 4) {
    fprintf (stderr, "usage: %s syn|pipeline|failures|clients N OUT.pcap\n", argv[0]);
    return 2;
  }
  n = strtoull (argv[2], &end, 10);
  if (end == argv[2] || *end != '\0' || n > 16000000) {
    fprintf (stderr, "hostile-gen: N must be a number up to 16000000\n");
    return 2;
  }
  out = fopen (argv[3], "wb");
  if (out == NULL) {
    perror (argv[3]);
    return 2;
  }
  setvbuf (out, buf, _IOFBF, sizeof buf);
  write_header ();
  if (strcmp (argv[1], "syn") == 0)
    gen_syn (n);
  else if (strcmp (argv[1], "pipeline") == 0)
    gen_pipeline (n);
  else if (strcmp (argv[1], "failures") == 0)
    gen_failures (n);
  else if (strcmp (argv[1], "clients") == 0)
    gen_clients (n);
  else {
    fprintf (stderr, "hostile-gen: no case '%s'\n", argv[1]);
    fclose (out);
    remove (argv[3]);
    return 2;
  }
  if (fclose (out) != 0) {
    perror (argv[3]);
    return 2;
  }
  printf ("%llu\n", (unsigned long long) packets);
  return 0;
}
