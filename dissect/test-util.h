/* test-util.h: a recording W4Sink and a TCP segment builder for the
 * dissect unit tests. */
#pragma once

#include "dissect.h"
#include "w4-budget.h"

G_BEGIN_DECLS

#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_PSH 0x08
#define T_ACK 0x10

typedef struct {
  GString *log;      /* one line per event */
  W4Dissect *dis;
  W4Limits limits;
  guint64 frame;     /* last frame number used */
  gboolean show_headers;
  gboolean hide_frames; /* to compare runs fed in different segments */
  /* heads and anomalies say the layers of their record ("on=tls/tcp"),
   * a record that is not its TCP connection's copy marked '!' */
  gboolean show_layers;
  guint file_index;  /* input file of the next frames */
  guint64 file_frame; /* last frame number used in that file */
  GHashTable *seen;  /* conn_id -> TSeen*: on_tls and on_h2, shown at close */
  /* every test's charges, without a maximum: t_rec_clear checks that
   * each was released */
  W4Budget budget;
} TRec;

void t_rec_init (TRec *r);
/* The same with one limit set to @value. */
void t_rec_init_limit (TRec *r, W4LimitId id, guint64 value);
/* The same with the charges going to @budget (checked by the caller). */
void t_rec_init_budget (TRec *r, W4Budget *budget);
void t_rec_clear (TRec *r);

/* One TCP segment from host @from (1 = client 10.0.0.1, 2 = server
 * 10.0.0.2) with ports @sport/@dport, in a new frame. */
void t_seg (TRec *r, int from, guint16 sport, guint16 dport, guint16 flags, guint32 seq,
            guint32 ack, const char *payload, gsize len);
/* The same, as an ICMP-quoted header of @quoted bytes. */
void t_quoted (TRec *r, int from, guint16 sport, guint16 dport, guint16 flags, guint32 seq,
               gsize quoted);
/* The next frames come from the next input file (a rotated capture). */
void t_next_file (TRec *r);
/* (transfer full) A TLS record holding a ClientHello with server_name
 * @sni (none when NULL) and the ALPN protocols in @alpn ("h2,http/1.1";
 * none when NULL). */
GByteArray *t_client_hello (const char *sni, const char *alpn);
/* (transfer full) A TLS record holding a ServerHello with @legacy as its
 * legacy_version and, unless 0, a supported_versions extension selecting
 * @selected. */
GByteArray *t_server_hello (guint16 legacy, guint16 selected);
/* Sets the time of the next frames (seconds). */
void t_time (TRec *r, gint64 sec);

G_END_DECLS
