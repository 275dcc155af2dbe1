/* lru.c: see lru.h. */
#include "lru.h"

void
w4_cor_lru_init (W4CorLru *t, GDestroyNotify free_rec)
{
  t->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&t->order);
  t->free_rec = free_rec;
}

void
w4_cor_lru_remove (W4CorLru *t, W4CorLruEntry *e)
{
  g_queue_unlink (&t->order, &e->link);
  g_hash_table_remove (t->by_key, e->key);
  g_free (e->key);
  t->free_rec (e);
}

void
w4_cor_lru_clear (W4CorLru *t)
{
  W4CorLruEntry *e;

  if (t->by_key == NULL)
    return;
  while ((e = g_queue_peek_head (&t->order)) != NULL)
    w4_cor_lru_remove (t, e);
  g_clear_pointer (&t->by_key, g_hash_table_unref);
}

guint
w4_cor_lru_size (const W4CorLru *t)
{
  return t->order.length;
}

gpointer
w4_cor_lru_lookup (const W4CorLru *t, const char *key)
{
  return g_hash_table_lookup (t->by_key, key);
}

gpointer
w4_cor_lru_add (W4CorLru *t, W4Correlate *cor, W4LimitId id, gsize size, char *key,
                guint64 frame, W4Time ts)
{
  guint64 max = cor->limits.v[id];
  W4CorLruEntry *e;

  g_return_val_if_fail (size >= sizeof (W4CorLruEntry), NULL);
  while (t->order.length > 0 && t->order.length >= max) {
    w4_cor_note_limit (cor, id, frame, ts, NULL);
    w4_cor_lru_remove (t, g_queue_peek_head (&t->order));
  }
  if (max == 0) {
    w4_cor_note_limit (cor, id, frame, ts, NULL);
    g_free (key);
    return NULL;
  }
  e = g_malloc0 (size);
  e->key = key;
  e->last_ts = ts;
  e->link.data = e;
  g_queue_push_tail_link (&t->order, &e->link);
  g_hash_table_insert (t->by_key, e->key, e);
  return e;
}

void
w4_cor_lru_touch (W4CorLru *t, W4CorLruEntry *e, W4Time ts)
{
  e->last_ts = ts;
  g_queue_unlink (&t->order, &e->link);
  g_queue_push_tail_link (&t->order, &e->link);
}

void
w4_cor_lru_expire (W4CorLru *t, W4Time now, gint64 keep_sec)
{
  W4CorLruEntry *e;

  while ((e = g_queue_peek_head (&t->order)) != NULL &&
         w4_time_diff_usec (e->last_ts, now) > keep_sec * G_USEC_PER_SEC)
    w4_cor_lru_remove (t, e);
}
