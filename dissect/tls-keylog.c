/* tls-keylog.c: the TLS key store and its NSS key log reader.
 *
 * Sessions live in a hash table keyed by the client random and in a queue
 * in the order they were first seen: past the `tls-keys` limit the first
 * one goes (a key log grows at its end, so the oldest sessions are the
 * least likely to be in a capture made now).
 *
 * Files are read with pread from the offset where the last read stopped,
 * through one buffer of W4_KL_CHUNK bytes; a partial line at the end of the
 * buffer is carried to its start (it is at most W4_KEYLOG_LINE_MAX bytes:
 * anything longer is skipped up to its newline, never kept). The offset
 * always points at the first byte not yet parsed, so a growing file's
 * unfinished last line is read again, whole, once its newline is there:
 * SSLKEYLOGFILE writers append whole lines, but a reader can still catch
 * one half written, and half a 48-byte secret would pass for a 32-byte one. */
#include "tls-keylog.h"
#include "w4-budget.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes read from a file at a time. */
#define W4_KL_CHUNK (64u * 1024)

typedef struct {
  W4TlsSessionKeys keys;
  GList link;        /* in W4Keylog.order */
  guint last_source; /* the last source that gave it a secret (counts.sessions) */
} W4KlEntry;

typedef struct {
  guint id;
  char *origin;      /* what warnings call it: "key log PATH", or a DSB's name */
  char *path;        /* files: as given */
  gboolean is_file;
  gboolean growing;
  guint64 offset;    /* files: first byte not yet parsed */
  dev_t dev;
  ino_t ino;
  gboolean skipping; /* inside a line longer than W4_KEYLOG_LINE_MAX */
  W4KeylogCounts counts;
} W4KlSource;

struct W4Keylog {
  guint64 max_sessions;
  W4AnomalyFunc warn;
  void *warn_user;
  GHashTable *sessions; /* client random -> W4KlEntry (owned) */
  GQueue order;         /* W4KlEntry links, first seen first */
  GPtrArray *files;     /* W4KlSource*, in the order added */
  guint next_id;
  W4KeylogCounts text_counts; /* the last w4_keylog_add_text */
  guint n_sources;      /* files and texts added */
  gboolean growing;     /* one of the files is */
  struct W4Budget *budget; /* W4_MEM_TLS is charged for the sessions, or NULL */
};

/* What a session kept costs (W4_MEM_TLS): its entry and, in the table, a
 * key, a value and a hash per slot, up to two slots an entry. */
#define W4_KL_ENTRY_COST (sizeof (W4KlEntry) + 2 * (2 * sizeof (gpointer) + sizeof (guint)))

static const struct {
  const char *label;
  W4TlsSecretKind kind;
} w4_kl_labels[] = {
  { "CLIENT_RANDOM", W4_TLS_MASTER_SECRET },
  { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", W4_TLS_CLIENT_HS_SECRET },
  { "SERVER_HANDSHAKE_TRAFFIC_SECRET", W4_TLS_SERVER_HS_SECRET },
  { "CLIENT_TRAFFIC_SECRET_0", W4_TLS_CLIENT_APP_SECRET },
  { "SERVER_TRAFFIC_SECRET_0", W4_TLS_SERVER_APP_SECRET },
  { "CLIENT_EARLY_TRAFFIC_SECRET", W4_TLS_CLIENT_EARLY_SECRET },
};

/* Labels other writers log that nothing here uses: exporters (NSS, OpenSSL, BoringSSL), ECH (BoringSSL, Chromium), the RSA
 * pre-master forms (old NSS, Wireshark's own), and the secrets OpenSSL 3.0
 * logs after a KeyUpdate (its own *_TRAFFIC_SECRET_N: the layer derives
 * them from secret 0 itself). Not malformed. */
static const char *const w4_kl_ignored[] = {
  "EXPORTER_SECRET", "EARLY_EXPORTER_SECRET", "EARLY_EXPORTER_MASTER_SECRET", "ECH_SECRET", "ECH_CONFIG", "RSA", "PMS_CLIENT_RANDOM",
  "CLIENT_TRAFFIC_SECRET_N", "SERVER_TRAFFIC_SECRET_N",
};

/* ---- the table ------------------------------------------------------------ */

static guint
w4_kl_hash (gconstpointer key)
{
  const guint8 *p = key;
  guint h = 2166136261u; /* FNV-1a: the randoms come from the user's files */

  for (guint i = 0; i < W4_KEYLOG_RANDOM_LEN; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static gboolean
w4_kl_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, W4_KEYLOG_RANDOM_LEN) == 0;
}

static void
w4_kl_source_free (gpointer p)
{
  W4KlSource *src = p;

  g_free (src->origin);
  g_free (src->path);
  g_free (src);
}

W4Keylog *
w4_keylog_new (guint64 max_sessions, W4AnomalyFunc warn, void *warn_user)
{
  W4Keylog *kl = g_new0 (W4Keylog, 1);

  kl->max_sessions = MAX (max_sessions, 1);
  kl->warn = warn;
  kl->warn_user = warn_user;
  kl->sessions = g_hash_table_new_full (w4_kl_hash, w4_kl_equal, NULL, g_free);
  g_queue_init (&kl->order);
  kl->files = g_ptr_array_new_with_free_func (w4_kl_source_free);
  kl->next_id = 1;
  return kl;
}

void
w4_keylog_free (W4Keylog *kl)
{
  if (kl == NULL)
    return;
  /* The entries hold secrets: cleared before their memory is given back. */
  for (GList *l = kl->order.head, *next; l != NULL; l = next) {
    W4KlEntry *e = l->data;

    next = l->next;
    explicit_bzero (e->keys.secret, sizeof e->keys.secret);
  }
  g_queue_init (&kl->order); /* the links are inside the entries: not freed apart */
  w4_budget_release (kl->budget, W4_MEM_TLS,
                     (guint64) g_hash_table_size (kl->sessions) * W4_KL_ENTRY_COST);
  g_hash_table_unref (kl->sessions);
  g_ptr_array_unref (kl->files);
  g_free (kl);
}

void
w4_keylog_set_budget (W4Keylog *kl, struct W4Budget *budget)
{
  guint64 held = (guint64) g_hash_table_size (kl->sessions) * W4_KL_ENTRY_COST;

  if (kl->budget == budget)
    return;
  w4_budget_release (kl->budget, W4_MEM_TLS, held);
  kl->budget = budget;
  w4_budget_charge (kl->budget, W4_MEM_TLS, held);
}

static void
w4_kl_anomaly (W4Keylog *kl, W4AnomalyKind kind, const char *message)
{
  W4Anomaly a = { 0 };

  if (kl->warn == NULL)
    return;
  a.kind = kind;
  a.limit = kind == W4_ANOM_LIMIT ? W4_LIMIT_TLS_KEYS : W4_LIMIT_COUNT;
  a.message = message;
  kl->warn (kl->warn_user, &a);
}

/* Makes room for one more session: the first seen goes. */
static void
w4_kl_evict_first (W4Keylog *kl)
{
  GList *first = g_queue_pop_head_link (&kl->order);
  W4KlEntry *e;

  if (first == NULL)
    return;
  e = first->data;
  w4_kl_anomaly (kl, W4_ANOM_LIMIT, "the first TLS sessions of the key logs are forgotten");
  explicit_bzero (e->keys.secret, sizeof e->keys.secret);
  g_hash_table_remove (kl->sessions, e->keys.client_random);
  w4_budget_release (kl->budget, W4_MEM_TLS, W4_KL_ENTRY_COST);
}

static void
w4_kl_store (W4Keylog *kl, W4KlSource *src, W4TlsSecretKind kind, const guint8 *random,
             const guint8 *secret, gsize len)
{
  W4KlEntry *e = g_hash_table_lookup (kl->sessions, random);

  if (e == NULL) {
    if (g_hash_table_size (kl->sessions) >= kl->max_sessions)
      w4_kl_evict_first (kl);
    e = g_new0 (W4KlEntry, 1);
    memcpy (e->keys.client_random, random, W4_KEYLOG_RANDOM_LEN);
    e->link.data = e;
    g_queue_push_tail_link (&kl->order, &e->link);
    g_hash_table_insert (kl->sessions, e->keys.client_random, e);
    w4_budget_charge (kl->budget, W4_MEM_TLS, W4_KL_ENTRY_COST);
  }
  if (e->last_source != src->id) {
    e->last_source = src->id;
    src->counts.sessions++;
  }
  /* A duplicate overwrites: the same session logged twice has one secret. */
  e->keys.secret[kind].len = (guint8) len;
  memcpy (e->keys.secret[kind].bytes, secret, len);
  src->counts.secrets++;
}

const W4TlsSessionKeys *
w4_keylog_find (W4Keylog *kl, const guint8 *client_random)
{
  W4KlEntry *e;

  g_return_val_if_fail (kl != NULL && client_random != NULL, NULL);
  e = g_hash_table_lookup (kl->sessions, client_random);
  return e != NULL ? &e->keys : NULL;
}

guint
w4_keylog_n_sessions (W4Keylog *kl)
{
  return g_hash_table_size (kl->sessions);
}

const char *
w4_keylog_label (W4TlsSecretKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (w4_kl_labels); i++)
    if (w4_kl_labels[i].kind == kind)
      return w4_kl_labels[i].label;
  return "unknown";
}

/* ---- one line ------------------------------------------------------------- */

static void
w4_kl_malformed (W4Keylog *kl, W4KlSource *src, const char *why)
{
  src->counts.malformed++;
  if (src->counts.malformed <= W4_KEYLOG_LINE_WARNINGS) {
    g_autofree char *msg = g_strdup_printf ("%s line %" G_GUINT64_FORMAT ": %s; line skipped",
                                            src->origin, src->counts.lines, why);
    w4_kl_anomaly (kl, W4_ANOM_WARNING, msg);
  } else if (src->counts.malformed == W4_KEYLOG_LINE_WARNINGS + 1) {
    g_autofree char *msg = g_strdup_printf (
        "%s: more malformed lines; they are skipped without a warning each", src->origin);
    w4_kl_anomaly (kl, W4_ANOM_WARNING, msg);
  }
}

static gboolean
w4_kl_space (char c)
{
  return c == ' ' || c == '\t';
}

/* Decodes @n hex digits at @s into @out (n / 2 bytes); FALSE when @n is
 * odd or a character is not a hex digit. */
static gboolean
w4_kl_unhex (const char *s, gsize n, guint8 *out)
{
  if (n % 2 != 0)
    return FALSE;
  for (gsize i = 0; i < n; i += 2) {
    int hi = g_ascii_xdigit_value (s[i]), lo = g_ascii_xdigit_value (s[i + 1]);

    if (hi < 0 || lo < 0)
      return FALSE;
    out[i / 2] = (guint8) (hi << 4 | lo);
  }
  return TRUE;
}

static gboolean
w4_kl_hex_only (const char *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* Splits @s (@n bytes) at runs of spaces and tabs into at most @max
 * fields; returns how many there were (max + 1 when more). */
static guint
w4_kl_fields (const char *s, gsize n, const char **f, gsize *flen, guint max)
{
  guint k = 0;
  gsize i = 0;

  while (i < n) {
    gsize start;

    while (i < n && w4_kl_space (s[i]))
      i++;
    if (i == n)
      break;
    if (k == max)
      return max + 1;
    start = i;
    while (i < n && !w4_kl_space (s[i]))
      i++;
    f[k] = s + start;
    flen[k] = i - start;
    k++;
  }
  return k;
}

/* One line without its newline; @n <= W4_KEYLOG_LINE_MAX. */
static void
w4_kl_line (W4Keylog *kl, W4KlSource *src, const char *s, gsize n)
{
  const char *f[3];
  gsize flen[3];
  guint8 random[W4_KEYLOG_RANDOM_LEN], secret[W4_KEYLOG_SECRET_MAX];
  gsize secret_len;
  int kind = -1;
  guint nf;

  src->counts.lines++;
  /* CRLF (a key log copied through Windows) and trailing blanks. */
  while (n > 0 && (s[n - 1] == '\r' || w4_kl_space (s[n - 1])))
    n--;
  while (n > 0 && w4_kl_space (s[0])) {
    s++;
    n--;
  }
  if (n == 0 || s[0] == '#')
    return;
  nf = w4_kl_fields (s, n, f, flen, 3);
  for (guint i = 0; i < G_N_ELEMENTS (w4_kl_ignored); i++) {
    if (flen[0] == strlen (w4_kl_ignored[i]) && memcmp (f[0], w4_kl_ignored[i], flen[0]) == 0) {
      src->counts.ignored++;
      return;
    }
  }
  for (guint i = 0; i < G_N_ELEMENTS (w4_kl_labels); i++)
    if (flen[0] == strlen (w4_kl_labels[i].label) &&
        memcmp (f[0], w4_kl_labels[i].label, flen[0]) == 0)
      kind = (int) w4_kl_labels[i].kind;
  if (kind < 0) {
    w4_kl_malformed (kl, src, "not a key log label");
    return;
  }
  if (nf != 3) {
    w4_kl_malformed (kl, src, nf < 3 ? "fields missing (LABEL CLIENT_RANDOM SECRET)"
                                     : "more than three fields");
    return;
  }
  if (flen[1] != 2 * W4_KEYLOG_RANDOM_LEN || !w4_kl_unhex (f[1], flen[1], random)) {
    w4_kl_malformed (kl, src, "the client random is not 64 hex digits");
    return;
  }
  if (!w4_kl_hex_only (f[2], flen[2]) || flen[2] % 2 != 0) {
    w4_kl_malformed (kl, src, "the secret is not in hex");
    return;
  }
  secret_len = flen[2] / 2;
  if (kind == W4_TLS_MASTER_SECRET ? secret_len != 48 : (secret_len != 32 && secret_len != 48)) {
    w4_kl_malformed (kl, src, kind == W4_TLS_MASTER_SECRET
                                  ? "a master secret is 48 bytes (96 hex digits)"
                                  : "a TLS 1.3 secret is 32 or 48 bytes (64 or 96 hex digits)");
    return;
  }
  w4_kl_unhex (f[2], flen[2], secret);
  w4_kl_store (kl, src, (W4TlsSecretKind) kind, random, secret, secret_len);
  explicit_bzero (secret, sizeof secret);
}

/* Parses the complete lines of @p. Returns the bytes consumed: all of @n
 * but a trailing partial line of at most W4_KEYLOG_LINE_MAX bytes (which
 * the caller keeps, to read again with what follows). A longer line is
 * consumed as it comes, src->skipping, and counted malformed at its end. */
static gsize
w4_kl_feed (W4Keylog *kl, W4KlSource *src, const guint8 *p, gsize n)
{
  gsize pos = 0;

  /* Bounded by @n: every pass consumes a line or returns. */
  while (pos < n) {
    const guint8 *nl = memchr (p + pos, '\n', n - pos);
    gsize end = nl != NULL ? (gsize) (nl - p) : n;

    if (nl == NULL) {
      if (src->skipping || n - pos > W4_KEYLOG_LINE_MAX) {
        src->skipping = TRUE;
        return n;
      }
      return pos;
    }
    if (src->skipping || end - pos > W4_KEYLOG_LINE_MAX) {
      src->skipping = FALSE;
      src->counts.lines++;
      w4_kl_malformed (kl, src, "longer than any key log line");
    } else {
      w4_kl_line (kl, src, (const char *) p + pos, end - pos);
    }
    pos = end + 1;
  }
  return pos;
}

/* The end of a source that will not grow: its last line needs no newline. */
static void
w4_kl_feed_end (W4Keylog *kl, W4KlSource *src, const guint8 *p, gsize n)
{
  if (src->skipping) {
    src->skipping = FALSE;
    src->counts.lines++;
    w4_kl_malformed (kl, src, "longer than any key log line");
  } else if (n > 0) {
    w4_kl_line (kl, src, (const char *) p, n);
  }
}

/* ---- sources -------------------------------------------------------------- */

const W4KeylogCounts *
w4_keylog_add_text (W4Keylog *kl, const char *origin, const guint8 *text, gsize len)
{
  W4KlSource src = { 0 };
  gsize used;

  g_return_val_if_fail (kl != NULL && (text != NULL || len == 0), NULL);
  src.id = kl->next_id++;
  src.origin = (char *) origin;
  kl->n_sources++;
  if (len > 0) { /* an empty block may come without a buffer at all */
    used = w4_kl_feed (kl, &src, text, len);
    w4_kl_feed_end (kl, &src, text + used, src.skipping ? 0 : len - used);
  }
  kl->text_counts = src.counts;
  return &kl->text_counts;
}

/* Reads @src's file from its offset to its end. FALSE with @error when it
 * cannot be read. */
static gboolean
w4_kl_read_file (W4Keylog *kl, W4KlSource *src, int fd, GError **error)
{
  g_autofree guint8 *buf = g_malloc (W4_KL_CHUNK);
  gsize have = 0; /* carried partial line at buf's start, from src->offset */

  /* Bounded by the file: every pass reads more of it or ends. */
  for (;;) {
    ssize_t got;
    gsize n, used;

    do
      got = pread (fd, buf + have, W4_KL_CHUNK - have, (off_t) (src->offset + have));
    while (got < 0 && errno == EINTR);
    if (got < 0) {
      int err = errno;

      explicit_bzero (buf, W4_KL_CHUNK);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "%s: %s", src->path,
                   g_strerror (err));
      return FALSE;
    }
    if (got == 0)
      break;
    n = have + (gsize) got;
    used = w4_kl_feed (kl, src, buf, n);
    src->offset += used;
    have = n - used;
    memmove (buf, buf + used, have);
  }
  if (!src->growing) {
    w4_kl_feed_end (kl, src, buf, have);
    src->offset += have;
  }
  explicit_bzero (buf, W4_KL_CHUNK);
  return TRUE;
}

gboolean
w4_keylog_add_file (W4Keylog *kl, const char *path, gboolean growing, GError **error)
{
  W4KlSource *src;
  struct stat st;
  int fd;

  g_return_val_if_fail (kl != NULL && path != NULL, FALSE);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) != 0) {
    int err = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "%s: %s", path,
                 g_strerror (err));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    close (fd);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: is a directory", path);
    return FALSE;
  }
  src = g_new0 (W4KlSource, 1);
  src->id = kl->next_id++;
  src->origin = g_strdup_printf ("key log %s", path);
  src->path = g_strdup (path);
  src->is_file = TRUE;
  src->growing = growing;
  kl->growing |= growing;
  kl->n_sources++;
  src->dev = st.st_dev;
  src->ino = st.st_ino;
  if (!w4_kl_read_file (kl, src, fd, error)) {
    close (fd);
    w4_kl_source_free (src);
    return FALSE;
  }
  close (fd);
  g_ptr_array_add (kl->files, src);
  return TRUE;
}

/* New lines of one growing file; the secrets stored. */
static guint64
w4_kl_refresh_file (W4Keylog *kl, W4KlSource *src)
{
  guint64 before = src->counts.secrets;
  g_autoptr (GError) error = NULL;
  struct stat st;
  int fd;

  /* One stat when nothing changed; a file that is gone may come back. */
  if (stat (src->path, &st) != 0)
    return 0;
  if (st.st_dev == src->dev && st.st_ino == src->ino && (guint64) st.st_size == src->offset)
    return 0;
  fd = open (src->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) != 0) {
    if (fd >= 0)
      close (fd);
    return 0;
  }
  /* Replaced (a new file under the name) or cut: read it from its start.
   * Duplicates of what was read are harmless. */
  if (st.st_dev != src->dev || st.st_ino != src->ino || (guint64) st.st_size < src->offset) {
    src->dev = st.st_dev;
    src->ino = st.st_ino;
    src->offset = 0;
    src->skipping = FALSE;
    src->counts.lines = 0;
  }
  if (!w4_kl_read_file (kl, src, fd, &error)) {
    g_autofree char *msg = g_strdup_printf ("key log %s", error->message);
    w4_kl_anomaly (kl, W4_ANOM_WARNING, msg);
  }
  close (fd);
  return src->counts.secrets - before;
}

guint64
w4_keylog_refresh (W4Keylog *kl)
{
  guint64 stored = 0;

  g_return_val_if_fail (kl != NULL, 0);
  for (guint i = 0; i < kl->files->len; i++) {
    W4KlSource *src = g_ptr_array_index (kl->files, i);

    if (src->growing)
      stored += w4_kl_refresh_file (kl, src);
  }
  return stored;
}

const W4KeylogCounts *
w4_keylog_file_counts (W4Keylog *kl, guint index, const char **path)
{
  W4KlSource *src;

  g_return_val_if_fail (kl != NULL, NULL);
  if (index >= kl->files->len)
    return NULL;
  src = g_ptr_array_index (kl->files, index);
  if (path != NULL)
    *path = src->path;
  return &src->counts;
}

guint
w4_keylog_n_files (W4Keylog *kl)
{
  return kl->files->len;
}

gboolean
w4_keylog_given (W4Keylog *kl)
{
  return kl != NULL && kl->n_sources > 0;
}

gboolean
w4_keylog_growing (W4Keylog *kl)
{
  return kl != NULL && kl->growing;
}
