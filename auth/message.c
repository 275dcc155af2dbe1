/* message.c: the server's own words.
 *
 * - RFC 6750 3: a Bearer challenge's error and error_description;
 * - small JSON error bodies: OAuth 2.0 (RFC 6749 5.2: error,
 *   error_description), RFC 9457 problem details (detail, title), and the
 *   shapes frameworks send ({"error": {"message": ...}} from Google-style
 *   APIs, {"error": ..., "message": ...} from Spring, {"code": ...,
 *   "message": ...} from WordPress, whose code names the cause, e.g.
 *   rest_cookie_invalid_nonce, so it is kept in front of the message);
 *
 * Deliberately ignored: HTML error pages (no reliable structure) and bodies
 * over 4 KiB (an error message is short; a large body is a page or data). */
#include "message.h"

#include <string.h>

#include <jansson.h>

#include "auth-private.h"

char *
w4_message_from_challenge (const W4Challenge *c)
{
  const char *err, *desc;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (c != NULL, NULL);
  err = w4_auth_challenge_param (c, "error");
  desc = w4_auth_challenge_param (c, "error_description");
  if (err != NULL && err[0] == '\0')
    err = NULL;
  if (desc != NULL && desc[0] == '\0')
    desc = NULL;
  if (err == NULL && desc == NULL)
    return NULL;
  if (err != NULL && desc != NULL)
    joined = g_strconcat (err, ": ", desc, NULL);
  else
    joined = g_strdup (err != NULL ? err : desc);
  return w4_auth_text (joined, strlen (joined), W4_AUTH_MAX_MESSAGE, TRUE);
}

/* A non-empty string member, or NULL. */
static const char *
w4_json_str (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  if (!json_is_string (v) || json_string_length (v) == 0)
    return NULL;
  return json_string_value (v);
}

char *
w4_message_from_body (const char *content_type, const guint8 *body, gsize len)
{
  json_t *root, *err;
  const char *first = NULL, *second = NULL;
  char *msg = NULL;

  if (body == NULL || len == 0 || len > W4_AUTH_MAX_BODY)
    return NULL;
  /* Whatever the Content-Type says: servers label JSON text/plain or
   * text/html often enough, and a body that is not a JSON object fails the
   * parse below anyway. */
  (void) content_type;
  if (len >= 3 && body[0] == 0xef && body[1] == 0xbb && body[2] == 0xbf) {
    body += 3;
    len -= 3;
  }
  root = json_loadb ((const char *) body, len, JSON_DECODE_INT_AS_REAL, NULL);
  if (root == NULL)
    return NULL;
  if (!json_is_object (root)) {
    json_decref (root);
    return NULL;
  }
  /* The first of error / message / detail / title (message.h), with the
   * companion field that completes it. */
  err = json_object_get (root, "error");
  if (json_is_object (err) && w4_json_str (err, "message") != NULL) {
    first = w4_json_str (err, "message");
  } else if (w4_json_str (root, "error") != NULL) {
    first = w4_json_str (root, "error");
    second = w4_json_str (root, "error_description");
    if (second == NULL)
      second = w4_json_str (root, "message");
  } else if (w4_json_str (root, "message") != NULL) {
    first = w4_json_str (root, "code");
    second = w4_json_str (root, "message");
    if (first == NULL) {
      first = second;
      second = NULL;
    }
  } else if (w4_json_str (root, "detail") != NULL) {
    first = w4_json_str (root, "detail");
  } else if (w4_json_str (root, "title") != NULL) {
    first = w4_json_str (root, "title");
  }
  if (first != NULL) {
    g_autofree char *joined = second != NULL ? g_strconcat (first, ": ", second, NULL)
                                             : g_strdup (first);
    msg = w4_auth_text (joined, strlen (joined), W4_AUTH_MAX_MESSAGE, TRUE);
    g_strstrip (msg);
    if (msg[0] == '\0')
      g_clear_pointer (&msg, g_free);
  }
  json_decref (root);
  return msg;
}
