/* tls-keylog.h: the TLS key store. Secrets from NSS key log files (what
 * browsers, curl, OpenSSL and Go write with SSLKEYLOGFILE, --keylog FILE)
 * and from pcapng Decryption Secrets Blocks (the same text), kept by the
 * session's 32-byte ClientHello random for the TLS layer to look up.
 *
 * A key log line is "LABEL CLIENT_RANDOM SECRET", both in hex:
 *   CLIENT_RANDOM                     TLS 1.0-1.2 master secret, 48 bytes
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET   TLS 1.3, 32 or 48 bytes (the suite's
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET     hash: SHA-256 or SHA-384)
 *   CLIENT_TRAFFIC_SECRET_0
 *   SERVER_TRAFFIC_SECRET_0
 *   CLIENT_EARLY_TRAFFIC_SECRET       TLS 1.3 0-RTT data (when it was sent)
 * The exporter, ECH and RSA-premaster labels are accepted and ignored (nothing here needs them). '#' comments and blank lines are
 * skipped; a malformed line is a warning naming its line number (never its
 * content: it may hold a secret) and is skipped. The same secret given
 * twice (two key logs, a key log and a DSB) is no error: the last wins.
 *
 * Bounded: at most the `tls-keys` limit of sessions (the first inserted is
 * evicted past it, with a W4_ANOM_LIMIT anomaly), lines up to
 * W4_KEYLOG_LINE_MAX bytes (a longer one is malformed, skipped without being
 * kept), files read through a fixed buffer. No secret is ever printed. */
#pragma once

#include "w4-events.h"

G_BEGIN_DECLS

/* Longest line kept: the longest valid one is 31 + 1 + 64 + 1 + 96 bytes;
 * room for spaces and a CR. */
#define W4_KEYLOG_LINE_MAX 512
#define W4_KEYLOG_RANDOM_LEN 32
#define W4_KEYLOG_SECRET_MAX 48
/* Per-line warnings given per source; the rest are only counted (in the
 * source's summary line): a file that is not a key log at all must not
 * flood stderr. */
#define W4_KEYLOG_LINE_WARNINGS 10

typedef enum {
  W4_TLS_MASTER_SECRET,       /* CLIENT_RANDOM: TLS 1.0-1.2, 48 bytes */
  W4_TLS_CLIENT_HS_SECRET,    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
  W4_TLS_SERVER_HS_SECRET,    /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
  W4_TLS_CLIENT_APP_SECRET,   /* CLIENT_TRAFFIC_SECRET_0 */
  W4_TLS_SERVER_APP_SECRET,   /* SERVER_TRAFFIC_SECRET_0 */
  W4_TLS_CLIENT_EARLY_SECRET, /* CLIENT_EARLY_TRAFFIC_SECRET: TLS 1.3 0-RTT data */
  W4_TLS_SECRET_COUNT
} W4TlsSecretKind;

typedef struct {
  guint8 len; /* 0: not in any key log (yet); else 32 or 48 */
  guint8 bytes[W4_KEYLOG_SECRET_MAX];
} W4TlsSecret;

/* What the key logs hold for one session. */
typedef struct {
  guint8 client_random[W4_KEYLOG_RANDOM_LEN];
  W4TlsSecret secret[W4_TLS_SECRET_COUNT]; /* indexed by W4TlsSecretKind */
} W4TlsSessionKeys;

typedef struct W4Keylog W4Keylog;

/* What one source (a file, or one Decryption Secrets Block) gave. */
typedef struct {
  guint64 lines;      /* lines read, comments and blank ones included */
  guint64 secrets;    /* lines whose secret was stored */
  guint64 ignored;    /* well-formed lines of a label not used (exporter, early...) */
  guint64 malformed;  /* lines skipped as malformed */
  guint64 sessions;   /* sessions (client randoms) this source gave a secret for */
} W4KeylogCounts;

/* Returns (transfer full) an empty store holding at most @max_sessions
 * sessions (the `tls-keys` limit). Warnings (malformed lines) and the
 * limit's anomaly go to @warn (may be NULL). */
W4Keylog *w4_keylog_new (guint64 max_sessions, W4AnomalyFunc warn, void *warn_user);
void w4_keylog_free (W4Keylog *kl);
/* The sessions kept are charged to @budget (W4_MEM_TLS) from now on,
 * those already read too (NULL: to none). It must outlive @kl. */
struct W4Budget;
void w4_keylog_set_budget (W4Keylog *kl, struct W4Budget *budget);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W4Keylog, w4_keylog_free)

/* Adds the key log file @path and reads every complete line it holds now.
 * When @growing (a live capture: a browser may still be writing it), an
 * unfinished last line (no newline yet) waits for w4_keylog_refresh;
 * otherwise it is read as the file's last line. FALSE with @error when the
 * file cannot be opened or read; the store is unchanged then. */
gboolean w4_keylog_add_file (W4Keylog *kl, const char *path, gboolean growing, GError **error);

/* Reads the lines added to the growing files since the last read (only
 * complete ones; a partial last line waits for its newline). A file that
 * became shorter or was replaced is read again from its start. Returns how
 * many secrets were stored. Cheap when nothing changed (one stat per file). */
guint64 w4_keylog_refresh (W4Keylog *kl);

/* Reads key log text held in memory: the payload of a pcapng Decryption
 * Secrets Block of type TLSK. @origin names it in warnings ("x.pcapng:
 * Decryption Secrets Block 1"). Returns (transfer none, valid until the
 * next call) what it gave. */
const W4KeylogCounts *w4_keylog_add_text (W4Keylog *kl, const char *origin, const guint8 *text,
                                          gsize len);

/* (transfer none) What file number @index (in the order added) gave so
 * far, and its name; NULL past the last. */
const W4KeylogCounts *w4_keylog_file_counts (W4Keylog *kl, guint index, const char **path);
guint w4_keylog_n_files (W4Keylog *kl);

/* The TLS layer's lookup: the secrets known for the session whose
 * ClientHello random is @client_random (32 bytes), or NULL. Each secret's
 * len says whether it is there (a TLS 1.3 session may have its handshake
 * secrets before its traffic secrets are written). (transfer none) Valid
 * until the store next changes (add, refresh: a session may be evicted). */
const W4TlsSessionKeys *w4_keylog_find (W4Keylog *kl, const guint8 *client_random);

/* A key log file or a Decryption Secrets Block was added (even one with
 * no secrets): a session not in the store is then "not in the key log",
 * not "no key log given". */
gboolean w4_keylog_given (W4Keylog *kl);
/* One of the files was added as growing: a session not found yet may be
 * found by w4_keylog_refresh. */
gboolean w4_keylog_growing (W4Keylog *kl);

/* Sessions held now. */
guint w4_keylog_n_sessions (W4Keylog *kl);

/* The key log label of @kind ("CLIENT_RANDOM", ...). */
const char *w4_keylog_label (W4TlsSecretKind kind);

G_END_DECLS
