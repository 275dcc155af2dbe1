/* capture.h: packets in, through libpcap: files (pcap, pcapng, '-') and live
 * interfaces. Decodes link layers and tunnels down to IP, reassembles IPv4
 * and IPv6 fragments (bounded), and hands each IP datagram's transport part
 * to a W4CaptureSink. See ../shared/spec/INPUT.md (the contract). */
#pragma once

#include "w4-events.h"

G_BEGIN_DECLS

/* pcapng Decryption Secrets Block secrets types (pcapng section 4.7). */
#define W4_CAP_SECRETS_TLS 0x544c534bu /* "TLSK": NSS key log text */

/* The payload of a pcapng Decryption Secrets Block. */
typedef struct {
  const char *file;    /* the input, as it was named to w4_cap_add_file */
  guint index;         /* 1 for the file's first such block, 2 for the next... */
  guint32 type;        /* W4_CAP_SECRETS_TLS, or another (SSH, WireGuard...) */
  const guint8 *data;  /* valid during the call; untrusted bytes */
  gsize len;
} W4CapSecrets;

typedef struct {
  /* Every frame, in input order, before anything decoded from it. */
  void (*on_frame) (void *user, const W4FrameInfo *fi);
  /* Each IP datagram (or ICMP-quoted transport header) found in a frame. */
  void (*on_ip) (void *user, const W4IpPacket *pkt);
  /* Warnings (damaged file, unknown link type), limits, undecodable layers. */
  void (*on_anomaly) (void *user, const W4Anomaly *what);
  /* Live capture only: about once a second even when no packet comes, with
   * the current wall-clock time, so pending findings can be decided. */
  void (*on_tick) (void *user, W4Time now);
  /* May be NULL. Each Decryption Secrets Block of a pcapng input, once:
   * those before the file's first packet as soon as the file is added
   * (before any frame of the run); later ones among the frames, where they
   * stand, when pcapng.c reads the file (a stream, or a file libpcap
   * refuses). libpcap skips them: a later one in a file libpcap reads is
   * not seen (no known writer puts one there). */
  void (*on_secrets) (void *user, const W4CapSecrets *secrets);
  void *user;
} W4CaptureSink;

typedef struct W4Capture W4Capture;

typedef enum {
  W4_CAPTURE_ERROR_OPEN,    /* a file or device could not be opened */
  W4_CAPTURE_ERROR_FILTER,  /* the BPF expression did not compile */
  W4_CAPTURE_ERROR_PRIVS,   /* dropping privileges failed */
} W4CaptureError;
#define W4_CAPTURE_ERROR (w4_capture_error_quark ())
GQuark w4_capture_error_quark (void);

/* Returns (transfer full) a capture reading nothing yet. @limits and @sink
 * are copied. */
W4Capture *w4_cap_new (const W4Limits *limits, const W4CaptureSink *sink);
void w4_cap_free (W4Capture *cap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Capture, w4_cap_free)

/* Adds an input file ("-" is standard input; a FIFO or a pipe works too;
 * gzip and zstd are decompressed). Opens it now, once, and peeks at its
 * first packet's time, so that w4_cap_run reads the files in order of their
 * first packet (as `mergecap -a` would join them). FALSE with @error when
 * it cannot be opened or is not a capture; the other files still count. */
gboolean w4_cap_add_file (W4Capture *cap, const char *path, GError **error);

/* Files only: read only the frames BPF expression @bpf accepts (NULL or
 * "": all), as tcpdump -r -f would; the others still count as frames, so
 * numbers stay the file's. FALSE with @error (W4_CAPTURE_ERROR_FILTER)
 * when @bpf compiles for no common link type. */
gboolean w4_cap_set_filter (W4Capture *cap, const char *bpf, GError **error);

/* Opens a live interface ("any" too) in immediate mode with a snaplen that
 * keeps whole packets, in promiscuous mode when @promisc (tcpdump's default;
 * -p turns it off), and compiles @bpf (may be NULL). A warning of libpcap's
 * (the capture still works) goes to the sink's on_anomaly. */
gboolean w4_cap_open_live (W4Capture *cap, const char *iface, const char *bpf, gboolean promisc,
                           GError **error);

/* The interfaces libpcap can capture on, one line each as tcpdump -D
 * writes them without the number: "eth0 [Up, Running, Connected]", "any
 * (Pseudo-device that captures on all interfaces) [Up, Running]".
 * (transfer full) NULL-terminated; NULL with @error when listing fails. */
char **w4_cap_list_interfaces (GError **error);

/* Live: what tcpdump's "listening on" line names: the link-layer type (a
 * DLT_ value, for pcap_datalink_val_to_name) and the snapshot length in
 * force. FALSE when no interface is open. */
gboolean w4_cap_live_info (W4Capture *cap, int *linktype, int *snaplen);

/* Live: the kernel's counts since the interface was opened (pcap_stats),
 * as tcpdump prints them at the end. */
typedef struct {
  guint received;   /* packets received by filter */
  guint dropped;    /* packets dropped by kernel (buffer full) */
  guint if_dropped; /* packets dropped by the interface or its driver */
} W4CapLiveStats;
gboolean w4_cap_live_stats (W4Capture *cap, W4CapLiveStats *st, GError **error);

/* Live only: stop after @count packets (0: no limit) or @seconds of wall
 * time (0: no limit). */
void w4_cap_set_stop (W4Capture *cap, guint64 count, guint seconds);

/* Reads all inputs to the end (files), or until stopped (live). Returns the
 * number of inputs that could be read at all. */
guint w4_cap_run (W4Capture *cap);

/* Asks a running w4_cap_run to return soon. Async-signal-safe. */
void w4_cap_stop (W4Capture *cap);

/* Drops root privileges after the device is open, as tcpdump -Z does:
 * initgroups, setgid, setuid to @user (main picks "nobody" when started as
 * root and no -Z is given). TRUE when done, or when not running as root and
 * @user is already the current user; FALSE with @error (W4_CAPTURE_ERROR_PRIVS)
 * when @user is unknown, when not root and @user is someone else, or when a
 * call fails. */
gboolean w4_cap_drop_privileges (const char *user, GError **error);

/* Input file names in run order (after sorting by first packet), for the
 * `file` field: index = W4FrameInfo.file_index. (transfer none) */
const char *w4_cap_file_name (W4Capture *cap, guint file_index);
guint w4_cap_n_files (W4Capture *cap);

/* Totals so far: frames and captured bytes. */
guint64 w4_cap_packets (W4Capture *cap);
guint64 w4_cap_bytes (W4Capture *cap);

G_END_DECLS
