/* keylog-shim.c: makes a program that links OpenSSL write an NSS key log.
 *
 *   cc -shared -fPIC -O2 -o keylog-shim.so bench/keylog-shim.c -ldl -lssl
 *   SSLKEYLOGFILE=keys.txt LD_PRELOAD=./keylog-shim.so wrk https://...
 *
 * wrk and ab do not write a key log themselves (curl and browsers do, reading
 * SSLKEYLOGFILE). This library, preloaded, wraps SSL_CTX_new: it calls the
 * real one (found with dlsym (RTLD_NEXT)) and gives every new context a key
 * log callback, which OpenSSL calls with one line per secret ("CLIENT_RANDOM
 * ..." for TLS 1.2, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ..." and its siblings for
 * TLS 1.3). Each line is appended to $SSLKEYLOGFILE with a single write on an
 * O_APPEND descriptor, so several threads or processes can share the file
 * without interleaving their lines.
 *
 * Used by bench/make-capture.sh --tls; it is not part of why401. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef SSL_CTX *(*w4_ssl_ctx_new_fn) (const SSL_METHOD *method);

static int w4_keylog_fd = -1;

static void
w4_keylog_write (const SSL *ssl, const char *line)
{
  char buf[1024];
  size_t len = strlen (line);

  (void) ssl;
  if (w4_keylog_fd < 0 || len + 1 > sizeof buf)
    return;
  memcpy (buf, line, len);
  buf[len++] = '\n';
  if (write (w4_keylog_fd, buf, len) != (ssize_t) len)
    fprintf (stderr, "keylog-shim: short write to $SSLKEYLOGFILE\n");
}

/* Opened once, at load time, before the program starts any thread. */
__attribute__ ((constructor)) static void
w4_keylog_open (void)
{
  const char *path = getenv ("SSLKEYLOGFILE");

  if (path == NULL || *path == '\0')
    return;
  w4_keylog_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (w4_keylog_fd < 0)
    perror ("keylog-shim: $SSLKEYLOGFILE");
}

SSL_CTX *
SSL_CTX_new (const SSL_METHOD *method)
{
  static w4_ssl_ctx_new_fn real_new;
  SSL_CTX *ctx;

  if (real_new == NULL)
    real_new = (w4_ssl_ctx_new_fn) dlsym (RTLD_NEXT, "SSL_CTX_new");
  if (real_new == NULL)
    return NULL;
  ctx = real_new (method);
  if (ctx != NULL && w4_keylog_fd >= 0)
    SSL_CTX_set_keylog_callback (ctx, w4_keylog_write);
  return ctx;
}
