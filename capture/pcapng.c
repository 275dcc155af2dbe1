/* pcapng.c: a small pcapng reader for what libpcap 1.10 refuses.
 *
 * libpcap stops at an Interface Description Block whose link type or snap
 * length differs from the first one's, and at sections of different byte
 * orders; the pcapng format (draft-ietf-opsawg-pcapng, sections 4.1-4.6)
 * allows both, and Wireshark writes such files when it captures on several
 * interfaces at once. This reader handles the blocks that carry packets:
 * SHB (both byte orders, several sections), IDB (link type, snap length,
 * if_tsresol, if_tsoffset), EPB, SPB and the obsolete OPB, and hands the
 * payload of each Decryption Secrets Block (section 4.7: TLS key log text
 * from `editcap --inject-secrets`, and others) to a callback. Other blocks
 * (name resolution, statistics, custom) are skipped.
 *
 * Every length in the file is hostile: a block must be at least 12 bytes, a
 * multiple of 4, no larger than W4_NG_MAX_BLOCK, and end with the same length
 * it began with; a packet's captured length must fit in its block. Options,
 * interfaces and the timestamp resolution are bounded too. */
#include "pcapng-private.h"

#include <string.h>

#include "w4-reader.h"

/* Largest block accepted: libpcap's own cap is 16 MiB for a packet
 * (MAXIMUM_SNAPLEN is 256 KiB), so a bigger block is damage. */
#define W4_NG_MAX_BLOCK (16u * 1024 * 1024)
/* Interfaces per section; Wireshark's "any"-style captures have dozens. */
/* Options looked at per IDB. */
#define W4_NG_MAX_OPTIONS 256

/* 64-bit fractions times 10^9 need 94 bits. */
__extension__ typedef unsigned __int128 w4_u128;

#define W4_NG_SHB 0x0A0D0D0Au
#define W4_NG_IDB 1u
#define W4_NG_OPB 2u
#define W4_NG_SPB 3u
#define W4_NG_EPB 6u
#define W4_NG_DSB 0x0Au

typedef struct {
  int linktype;
  guint32 snaplen;
  /* Timestamp units: 10^-exp (pow2 FALSE) or 2^-exp (pow2 TRUE). */
  guint8 exp;
  gboolean pow2;
  gint64 offset_sec;
  guint32 serial;
} W4NgIface;

struct W4Pcapng {
  FILE *f;
  gboolean big_endian; /* of the current section */
  gboolean seen_shb;
  GArray *ifaces;      /* W4NgIface, current section */
  guint32 n_serial;    /* interfaces seen in the whole file */
  guint32 n_section;   /* interfaces described in this section, also past the cap */
  guint32 section_base; /* n_serial when this section began */
  guint8 *buf;         /* current block; grows, reused across blocks */
  gsize buf_cap;
  W4NgSecretsFunc secrets; /* Decryption Secrets Blocks go here (may be NULL) */
  void *secrets_user;
};

static gboolean
w4_ng_u16 (W4Pcapng *ng, W4Reader *r, guint16 *v)
{
  return ng->big_endian ? w4_rd_u16 (r, v) : w4_rd_u16le (r, v);
}

static gboolean
w4_ng_u32 (W4Pcapng *ng, W4Reader *r, guint32 *v)
{
  return ng->big_endian ? w4_rd_u32 (r, v) : w4_rd_u32le (r, v);
}

static guint32
w4_ng_raw32 (const guint8 *p, gboolean be)
{
  W4Reader r;
  guint32 v = 0;

  w4_rd_init (&r, p, 4);
  if (be)
    w4_rd_u32 (&r, &v);
  else
    w4_rd_u32le (&r, &v);
  return v;
}

void
w4_ng_free (W4Pcapng *ng)
{
  if (ng == NULL)
    return;
  if (ng->f != NULL)
    fclose (ng->f);
  g_array_unref (ng->ifaces);
  g_free (ng->buf);
  g_free (ng);
}

/* Reads @n bytes. 1: read; 0: clean end of file before any byte (only
 * when @eof_ok); -1: cut short. */
static int
w4_ng_read (W4Pcapng *ng, void *dst, gsize n, gboolean eof_ok)
{
  gsize got = fread (dst, 1, n, ng->f);

  if (got == n)
    return 1;
  if (got == 0 && eof_ok && feof (ng->f))
    return 0;
  return -1;
}

/* Reads the next block whole into ng->buf: @type and the body (without
 * the type and both lengths) in @body. 1 / 0 (end) / -1 (errbuf set). */
static int
w4_ng_block (W4Pcapng *ng, guint32 *type, W4Reader *body, char *errbuf, gsize errlen)
{
  guint8 head[12];
  guint32 total, trailer;
  int rc;

  rc = w4_ng_read (ng, head, 8, TRUE);
  if (rc == 0)
    return 0;
  if (rc < 0) {
    g_strlcpy (errbuf, "truncated pcapng block header", errlen);
    return -1;
  }
  *type = w4_ng_raw32 (head, ng->big_endian);
  if (*type != W4_NG_SHB && !ng->seen_shb) {
    g_strlcpy (errbuf, "not a pcapng file (no section header first)", errlen);
    return -1;
  }
  if (*type == W4_NG_SHB) {
    ng->seen_shb = TRUE;
    guint32 magic;

    /* A new section may switch byte order: its magic says which. */
    if (w4_ng_read (ng, head + 8, 4, FALSE) < 0) {
      g_strlcpy (errbuf, "truncated pcapng section header", errlen);
      return -1;
    }
    magic = w4_ng_raw32 (head + 8, FALSE);
    if (magic == 0x1A2B3C4Du)
      ng->big_endian = FALSE;
    else if (magic == 0x4D3C2B1Au)
      ng->big_endian = TRUE;
    else {
      g_strlcpy (errbuf, "bad pcapng byte-order magic", errlen);
      return -1;
    }
  }
  total = w4_ng_raw32 (head + 4, ng->big_endian);
  if (total < 12 || total % 4 != 0 || total > W4_NG_MAX_BLOCK ||
      (*type == W4_NG_SHB && total < 28)) {
    g_snprintf (errbuf, errlen, "bad pcapng block length %u", total);
    return -1;
  }
  if (ng->buf_cap < total) {
    ng->buf_cap = MAX (total, 4096u);
    ng->buf = g_realloc (ng->buf, ng->buf_cap);
  }
  /* Everything after type and length, up to and including the trailer. */
  if (*type == W4_NG_SHB) {
    memcpy (ng->buf, head + 8, 4);
    rc = w4_ng_read (ng, ng->buf + 4, total - 12, FALSE);
  } else {
    rc = w4_ng_read (ng, ng->buf, total - 8, FALSE);
  }
  if (rc < 0) {
    g_strlcpy (errbuf, "truncated pcapng block", errlen);
    return -1;
  }
  trailer = w4_ng_raw32 (ng->buf + total - 12, ng->big_endian);
  if (trailer != total) {
    g_snprintf (errbuf, errlen, "pcapng block lengths differ (%u, %u)", total, trailer);
    return -1;
  }
  w4_rd_init (body, ng->buf, total - 12);
  return 1;
}

static void
w4_ng_idb (W4Pcapng *ng, W4Reader *r)
{
  W4NgIface ifc;
  guint16 lt = 0, reserved;

  memset (&ifc, 0, sizeof ifc);
  w4_ng_u16 (ng, r, &lt);
  w4_ng_u16 (ng, r, &reserved);
  w4_ng_u32 (ng, r, &ifc.snaplen);
  ifc.linktype = w4_rd_ok (r) ? lt : -1;
  ifc.exp = 6; /* microseconds unless if_tsresol says otherwise */
  ifc.serial = ng->n_serial++;
  ng->n_section++;
  for (guint i = 0; i < W4_NG_MAX_OPTIONS && w4_rd_left (r) >= 4; i++) {
    guint16 code = 0, olen = 0;
    W4Reader val;

    w4_ng_u16 (ng, r, &code);
    w4_ng_u16 (ng, r, &olen);
    if (code == 0) /* opt_endofopt */
      break;
    val = w4_rd_sub (r, olen);
    w4_rd_skip (r, MIN ((gsize) ((4u - olen % 4u) % 4u), w4_rd_left (r)));
    if (code == 9 && olen >= 1) { /* if_tsresol */
      guint8 v = 0;

      w4_rd_u8 (&val, &v);
      ifc.pow2 = (v & 0x80) != 0;
      ifc.exp = v & 0x7f;
    } else if (code == 14 && olen >= 8) { /* if_tsoffset, seconds */
      guint32 a = 0, b = 0;
      guint64 off;

      w4_ng_u32 (ng, &val, &a);
      w4_ng_u32 (ng, &val, &b);
      off = ng->big_endian ? ((guint64) a << 32 | b) : ((guint64) b << 32 | a);
      ifc.offset_sec = (gint64) off;
    }
  }
  /* Units finer than 2^-63 or 10^-19 do not fit in 64 bits anyway. */
  if ((ifc.pow2 && ifc.exp > 63) || (!ifc.pow2 && ifc.exp > 19))
    ifc.exp = ifc.pow2 ? 63 : 19;
  if (ng->ifaces->len < W4_NG_MAX_INTERFACES)
    g_array_append_val (ng->ifaces, ifc);
}

static W4Time
w4_ng_time (const W4NgIface *ifc, guint64 t)
{
  W4Time out;
  guint64 sec, frac;

  if (ifc->pow2) {
    sec = ifc->exp == 0 ? t : t >> ifc->exp;
    frac = ifc->exp == 0 ? 0 : t & (((guint64) 1 << ifc->exp) - 1);
    out.nsec = (guint32) (((w4_u128) frac * 1000000000u) >> ifc->exp);
  } else {
    guint64 ups = 1;

    for (guint i = 0; i < ifc->exp; i++)
      ups *= 10;
    sec = t / ups;
    frac = t % ups;
    out.nsec = (guint32) ((w4_u128) frac * 1000000000u / ups);
  }
  /* Both parts are hostile: a 64-bit count of seconds (if_tsresol 0) need
   * not fit in gint64, and if_tsoffset is any signed 64-bit value.
   * Saturate rather than wrap or overflow. */
  if (sec > (guint64) G_MAXINT64)
    sec = G_MAXINT64;
  if (__builtin_add_overflow ((gint64) sec, ifc->offset_sec, &out.sec))
    out.sec = ifc->offset_sec < 0 ? G_MININT64 : G_MAXINT64;
  return out;
}

/* A Decryption Secrets Block: secrets type, secrets length, the secrets
 * (padded to 4 bytes), options. One whose length exceeds its block is
 * damage, as a packet's is. */
static gboolean
w4_ng_dsb (W4Pcapng *ng, W4Reader *r, char *errbuf, gsize errlen)
{
  guint32 type = 0, len = 0;
  W4Span data;

  w4_ng_u32 (ng, r, &type);
  w4_ng_u32 (ng, r, &len);
  if (!w4_rd_ok (r) || !w4_rd_span (r, len, &data)) {
    g_snprintf (errbuf, errlen, "pcapng decryption secrets block claims %u bytes, its block "
                "holds fewer", len);
    return FALSE;
  }
  if (ng->secrets != NULL)
    ng->secrets (ng->secrets_user, type, data.ptr, data.len);
  return TRUE;
}

void
w4_ng_set_secrets (W4Pcapng *ng, W4NgSecretsFunc fn, void *user)
{
  ng->secrets = fn;
  ng->secrets_user = user;
}

int
w4_ng_scan_secrets (W4Pcapng *ng, char *errbuf, gsize errlen)
{
  /* Bounded by the file: every pass consumes one block of >= 12 bytes. */
  for (;;) {
    guint32 type = 0;
    W4Reader r;
    int rc = w4_ng_block (ng, &type, &r, errbuf, errlen);

    if (rc <= 0)
      return rc;
    if (type == W4_NG_EPB || type == W4_NG_OPB || type == W4_NG_SPB)
      return 1;
    if (type == W4_NG_DSB && !w4_ng_dsb (ng, &r, errbuf, errlen))
      return -1;
  }
}

W4Pcapng *
w4_ng_open (FILE *f, GError **error)
{
  W4Pcapng *ng;

  g_return_val_if_fail (f != NULL, NULL);
  ng = g_new0 (W4Pcapng, 1);
  ng->f = f;
  ng->ifaces = g_array_new (FALSE, TRUE, sizeof (W4NgIface));
  /* Nothing is read yet: the first w4_ng_next insists on a Section Header
   * Block first, so a stream that cannot seek (stdin) needs no peeking. */
  return ng;
}

int
w4_ng_next (W4Pcapng *ng, W4NgPacket *out, char *errbuf, gsize errlen)
{
  /* Bounded by the file: every pass consumes one block of >= 12 bytes. */
  for (;;) {
    guint32 type = 0;
    W4Reader r;
    int rc = w4_ng_block (ng, &type, &r, errbuf, errlen);

    if (rc <= 0)
      return rc;
    switch (type) {
    case W4_NG_SHB:
      g_array_set_size (ng->ifaces, 0);
      ng->n_section = 0;
      ng->section_base = ng->n_serial;
      continue;
    case W4_NG_IDB:
      w4_ng_idb (ng, &r);
      continue;
    case W4_NG_EPB:
    case W4_NG_OPB:
    case W4_NG_SPB: {
      guint32 if_id = 0, hi = 0, lo = 0, caplen = 0, wirelen = 0;
      const W4NgIface *ifc = NULL;
      W4Span data;

      if (type == W4_NG_EPB) {
        w4_ng_u32 (ng, &r, &if_id);
      } else if (type == W4_NG_OPB) {
        guint16 id16 = 0, drops;

        w4_ng_u16 (ng, &r, &id16);
        w4_ng_u16 (ng, &r, &drops);
        if_id = id16;
      }
      if (type != W4_NG_SPB) {
        w4_ng_u32 (ng, &r, &hi);
        w4_ng_u32 (ng, &r, &lo);
        w4_ng_u32 (ng, &r, &caplen);
        w4_ng_u32 (ng, &r, &wirelen);
      } else {
        w4_ng_u32 (ng, &r, &wirelen);
      }
      if (!w4_rd_ok (&r)) {
        g_strlcpy (errbuf, "pcapng packet block too short", errlen);
        return -1;
      }
      if (if_id < ng->ifaces->len)
        ifc = &g_array_index (ng->ifaces, W4NgIface, if_id);
      if (type == W4_NG_SPB) {
        /* SPB: no captured length; it is what fits, capped by snaplen. */
        caplen = (guint32) MIN ((gsize) wirelen, w4_rd_left (&r));
        if (ifc != NULL && ifc->snaplen != 0)
          caplen = MIN (caplen, ifc->snaplen);
      }
      if (!w4_rd_span (&r, caplen, &data)) {
        g_snprintf (errbuf, errlen, "pcapng packet claims %u bytes, its block holds fewer",
                    caplen);
        return -1;
      }
      out->if_id = if_id;
      if (ifc != NULL)
        out->if_serial = ifc->serial;
      else
        out->if_serial = if_id < ng->n_section ? ng->section_base + if_id : G_MAXUINT32;
      if (ifc != NULL)
        out->linktype = ifc->linktype;
      else
        out->linktype = if_id < ng->n_section ? W4_NG_IF_OVER_CAP : W4_NG_IF_UNDESCRIBED;
      if (ifc != NULL && type != W4_NG_SPB) {
        out->ts = w4_ng_time (ifc, (guint64) hi << 32 | lo);
      } else {
        out->ts.sec = 0;
        out->ts.nsec = 0;
      }
      out->caplen = caplen;
      out->wirelen = wirelen;
      out->data = data.ptr;
      return 1;
    }
    case W4_NG_DSB:
      if (!w4_ng_dsb (ng, &r, errbuf, errlen))
        return -1;
      continue;
    default:
      continue; /* NRB, ISB, custom...: nothing we use */
    }
  }
}
