/* test-util.h: what the auth/ unit tests share.
 *
 * Every input is copied into a g_malloc buffer of exactly its length (no
 * NUL after it), so AddressSanitizer catches a parser reading one byte too
 * far; every row is also fed as every truncated prefix of itself, which
 * must never crash. Parsed results are compared as one canonical string per
 * row, which keeps the tables readable. */
#pragma once

#include <string.h>

#include "auth.h"

/* An input as raw bytes with an explicit length. */
#define IN(s) s, sizeof (s) - 1

/* JWT header {"alg":"HS256"}, payload
 * {"sub":"alice","exp":1700000000,"nbf":1600000000.5,"iat":1599999999},
 * signature "sig". */
#define JWT "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMCwibmJmIjoxNjAwMDAwMDAwLjUsImlhdCI6MTU5OTk5OTk5OX0.c2ln"
/* payload {"sub":"alice","exp":1700000000} */
#define JWT2 "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln"

static inline char *
dup_exact (const char *s, gsize len)
{
  /* g_malloc (0) is NULL; the parsers accept (NULL, 0). */
  return len ? g_memdup2 (s, len) : NULL;
}
