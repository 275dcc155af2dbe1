/* track-digest.h: the Digest tracker (track-digest.c): per client and
 * server, the Digest challenges seen (by nonce) and the responses that used
 * them, so the rules of rule-digest.c can tell a replayed nonce count, a
 * nonce the server no longer accepts, and a response whose realm, uri,
 * algorithm or qop does not match what it answers. Not for other stages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _W4CorDigest W4CorDigest;

/* Nonces remembered per (client, server): a client answers the newest
 * challenge, so a few cover a handshake, a stale restart and a retry. The
 * least recently used one gives way (fixed size, not a table). */
#define W4_DIGEST_NONCES_PER_PEER 4
/* Nonce counts remembered per nonce for the replay check (a ring). */
#define W4_DIGEST_NCS_PER_NONCE 8
/* A (client, server) not seen for this long of capture time is forgotten:
 * servers expire nonces far sooner (Apache: 300 s). */
#define W4_DIGEST_IDLE_SEC 3600
/* Characters of a challenge's realm, qop or algorithm kept. */
#define W4_DIGEST_PARAM_CHARS 128

/* What the tracker knew when a request with Digest credentials arrived:
 * facts about the request's nonce before this request. Frames are the run's
 * (0: none), streams the tcp.stream in their file (-1: unknown). */
typedef struct W4CorDigestFacts W4CorDigestFacts;
struct W4CorDigestFacts {
  gboolean proxy;               /* from Proxy-Authorization */
  W4CorDigestFacts *next;       /* (owned) the other header's, when both are Digest */
  /* the newest challenge seen from this server to this client with the
   * response's nonce: the one it answers */
  guint64 challenge_frame;
  gint64 challenge_stream;
  char *realm, *qop, *algorithm; /* (owned) as challenged; NULL when absent */
  /* the last earlier request with this nonce */
  guint64 used_frame;
  gint64 used_stream;
  /* an earlier request with this nonce and this nonce count */
  guint64 nc_frame;
  gint64 nc_stream;
  /* a success that answered a request with this nonce (response frame) */
  guint64 ok_frame;
  gint64 ok_stream;
  /* a failure that answered a request with this nonce with a new nonce:
   * the server had refused it (response frame) */
  guint64 refused_frame;
  gint64 refused_stream;
};

/* Frees @f and the facts after it. */
void w4_cor_digest_facts_free (W4CorDigestFacts *f);
/* The facts of the Authorization (@proxy FALSE) or Proxy-Authorization
 * credential in the list @f, (transfer none) or NULL. */
const W4CorDigestFacts *w4_cor_digest_facts_for (const W4CorDigestFacts *f, gboolean proxy);

/* (transfer full) an empty tracker. */
W4CorDigest *w4_cor_digest_new (void);
void w4_cor_digest_free (W4CorDigest *d);
/* Records it keeps (peers), for the budget. */
guint w4_cor_digest_size (W4Correlate *cor);

G_END_DECLS
