/*
 * file_uri.h: a file's absolute path as a file:// URI (RFC 8089, RFC 3986 percent-encoding), the form a
 * drop target reads from `text/uri-list` when a take is dragged out of the plugin's window.
 * Pure text, no system calls: any thread, testable alone (tests/test_file_uri.c).
 */
#ifndef SEGUE_FILE_URI_H
#define SEGUE_FILE_URI_H

#include <stddef.h>

/* Writes "file://" + the path into out, every byte outside RFC 3986's unreserved set and '/' as %XX
 * (upper-case hex; UTF-8 names are encoded byte by byte). The path must be absolute (start with '/').
 * Returns the URI's length, or -1 when the path is not absolute or the URI would not fit in cap
 * (out is then ""). */
long segue_file_uri(char *out, size_t cap, const char *path);

#endif
