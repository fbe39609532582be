/*
 * file_uri.c: a stem's path as the file:// URI a drop target expects (file_uri.h).
 *
 * The empty host form ("file:///home/...") is the one file managers, GTK and Qt write into
 * text/uri-list and all of them read. Only the unreserved characters of RFC 3986 (letters, digits,
 * "-._~") and the path separator stay as they are; everything else, space, '%', '#', '?', and each
 * byte of a UTF-8 name, becomes %XX, so the URI survives any reader. The output is bounded by cap.
 */
#include "file_uri.h"

static int unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '/';
}

long segue_file_uri(char *out, size_t cap, const char *path) {
    static const char hex[] = "0123456789ABCDEF";
    static const char scheme[] = "file://";
    if (cap == 0) return -1;
    out[0] = '\0';
    if (path == NULL || path[0] != '/') return -1;
    size_t n = 0;
    for (const char *s = scheme; *s; s++) {
        if (n + 1 >= cap) goto too_long;
        out[n++] = *s;
    }
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (unreserved(*p)) {
            if (n + 1 >= cap) goto too_long;
            out[n++] = (char)*p;
        } else {
            if (n + 3 >= cap) goto too_long;
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
    return (long)n;
too_long:
    out[0] = '\0';
    return -1;
}
