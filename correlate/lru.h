/* lru.h: a tracker's table of records by string key, least recently used
 * first, bounded by a named limit and expired by capture time: what
 * track-clock.c and track-csrf.c each wrote out for themselves. A record
 * embeds a W4CorLruEntry as its first member. */
#pragma once

#include "cor-private.h"

G_BEGIN_DECLS

typedef struct {
  char *key;      /* (owned) */
  W4Time last_ts; /* capture time of its last use */
  GList link;     /* in W4CorLru.order: embedded, so a use allocates nothing */
} W4CorLruEntry;

typedef struct {
  GHashTable *by_key;      /* key -> record (not owned: order owns them) */
  GQueue order;            /* W4CorLruEntry*, least recently used first */
  GDestroyNotify free_rec; /* frees a record (not its entry's key) */
} W4CorLru;

void w4_cor_lru_init (W4CorLru *t, GDestroyNotify free_rec);
void w4_cor_lru_clear (W4CorLru *t);
guint w4_cor_lru_size (const W4CorLru *t);
/* The record under @key, (transfer none) or NULL. */
gpointer w4_cor_lru_lookup (const W4CorLru *t, const char *key);
/* A new zeroed record of @size bytes under @key (transfer full), the most
 * recently used; the least recently used go first until fewer than the
 * limit @id of @cor remain, each counted at @id (@frame, @ts). NULL, and
 * counted, when that limit is 0. */
gpointer w4_cor_lru_add (W4CorLru *t, W4Correlate *cor, W4LimitId id, gsize size, char *key,
                         guint64 frame, W4Time ts);
/* @e was used at @ts: it becomes the most recently used. */
void w4_cor_lru_touch (W4CorLru *t, W4CorLruEntry *e, W4Time ts);
void w4_cor_lru_remove (W4CorLru *t, W4CorLruEntry *e);
/* Removes every record last used more than @keep_sec before @now. */
void w4_cor_lru_expire (W4CorLru *t, W4Time now, gint64 keep_sec);

G_END_DECLS
