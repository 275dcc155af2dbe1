/* test-fixture.h: builders for the correlator's unit tests
 * (test-correlate.c, test-rule-*.c): a correlator fed with synthetic
 * W4Sink events (connections, request and response heads from "Name:
 * value" strings, copied into buffers that are freed right after the
 * event, so a kept pointer into packet memory shows up under ASan), and
 * assertions on what came out, in the order it came out. Test code only. */
#pragma once

#include "auth.h"
#include "cor-private.h"
#include "correlate.h"

G_BEGIN_DECLS

typedef struct {
  W4Correlate *cor;
  W4Sink sink;
  GPtrArray *out;   /* (element-type W4Finding) in emission order */
  W4Summary *summary;
  W4ConnInfo conn[8];
  guint64 next_conn_id;
} Fx;

#define H(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* "test:test" and others, base64 */
#define BASIC_TEST_WRONG "Authorization: Basic dGVzdDp3cm9uZw==" /* test:wrong */
#define BASIC_TEST_OK "Authorization: Basic dGVzdDp0ZXN0"       /* test:test */
#define BASIC_BOB "Authorization: Basic Ym9iOnNlY3JldA=="        /* bob:secret */
#define BEARER "Authorization: Bearer abcdef0123456789"

#define BIT(c) (G_GUINT64_CONSTANT (1) << (c))

/* The W4FindingSink callback of fx_init (user: the Fx), for a test that
 * builds its own correlator: appends to @fx->out. */
void on_finding (void *user, W4Finding *f);
/* A correlator with default limits and 30 s decisions, its findings
 * collected in @fx->out; file 0 is "test.pcap". */
void fx_init (Fx *fx);
void fx_clear (Fx *fx);
/* End of input: the last findings and the summary. */
void fx_finish (Fx *fx);
void set_ep (W4Endpoint *e, const char *ip, guint16 port);
/* Opens connection @i (tcp.stream @i). */
W4ConnInfo *fx_conn (Fx *fx, guint i, const char *cip, guint16 cport, const char *sip,
                     guint16 sport);
/* Capture time @sec, rounded to whole microseconds. */
W4Time t_at (double sec);
/* Builds a head whose header spans point into fresh exact-length copies,
 * delivers it, and frees the copies. */
void deliver (Fx *fx, W4HttpHead *h, const char *const *hdrs);
/* A request of one frame at @sec ("Name: value" headers, H(...)). */
void req (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, const char *method, const char *target,
          const char *const *hdrs);
/* A request whose head lost something to a header cap (@cut: W4_HEAD_CUT_*). */
void req_cut (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, const char *method,
              const char *target, const char *const *hdrs, guint cut, guint64 block_len);
/* A response of one frame at @sec. */
void resp (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, guint status, const char *const *hdrs);
/* Connection @c closes (@why) in @frame at @sec. */
void fx_close (Fx *fx, W4ConnInfo *c, guint64 frame, double sec, W4CloseReason why);
/* The @i-th finding emitted (asserts there is one). */
W4Finding *nth (Fx *fx, guint i);
guint count_kind (Fx *fx, W4Kind kind);
gboolean has_evidence (const W4Finding *f, guint64 frame);
const char *ev_what (const W4Finding *f, guint i);
/* A failure with @cause as primary and exactly @related. */
void assert_failure (const W4Finding *f, W4Cause cause, guint64 related);

G_END_DECLS
