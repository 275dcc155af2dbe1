#!/bin/sh
# Fails when capture/, dissect/, auth/ or correlate/ use C library calls that have no
# bounds (strcpy, strcat, sprintf, strtok) or trust NUL-terminated input
# (sscanf, atoi, strtol, strtoul) or the stack (alloca): captured bytes are
# hostile, so these stages read through W4Reader and GLib's checked helpers.
cd "${1:-.}" || exit 2
hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|sscanf|atoi|atol|strtol|strtoul|strtoll|strtoull|alloca)[[:space:]]*\(' \
         capture/*.c dissect/*.c auth/*.c correlate/*.c 2>/dev/null | grep -v 'g_snprintf\|snprintf')
echo "1..1"
if [ -n "$hits" ]; then
  echo "not ok 1 - no unbounded C string calls in capture/, dissect/, auth/, correlate/"
  printf '%s\n' "$hits" | sed 's/^/# /'
  exit 1
fi
echo "ok 1 - no unbounded C string calls in capture/, dissect/, auth/, correlate/"
