/*
 * util.h: everything the tools share, one section per file of tools/lib/.
 * Read this header as the table of contents of the library.
 *
 *   util.c      errors, allocation, buffers, string lists, input, output
 *   semver.c    Semantic Versioning 2.0.0 parsing and precedence
 *   library.c   the Docker Official Images library file: parse, validate, group
 *   platform.c  upstream architecture names and buildx platforms
 *   group.c     the JSON group lines that travel between the filters
 *   tags.c      the canonical and alias tags of a group
 *   ref.c       image references, repository names, tags, digests
 *   registry.h  a small OCI distribution client on libcurl, one file per
 *               concern (options, transport, authorization, manifests,
 *               tag lists): its own table of contents
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- util.c: errors ------------------------------------------------------
 * Every message is "argv0: ..." on stderr.  Exit statuses are the tools'
 * contract: 0 success, 1 bad input or remote failure, 2 usage. */
enum { EXIT_BAD = 1, EXIT_USAGE = 2 };
extern const char *argv0;
/* When set, die() and die_at() call it instead of exit(): the fuzz targets
 * unwind with longjmp so one bad input does not end the fuzzer.  It must not
 * return. */
extern void (*die_hook)(int status);
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "argv0: file:line: message" (line 0: "argv0: file: message"), exit 1. */
_Noreturn void die_at(const char *file, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- util.c: allocation (dies on exhaustion) ----------------------------- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- util.c: a growable byte buffer, always NUL-terminated --------------- */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* ---- util.c: lists of strings --------------------------------------------- */
struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_push(struct strlist *l, const char *s);   /* copies s */
void strlist_sort_unique(struct strlist *l);          /* byte order */
bool strlist_has(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* ---- util.c: input and output --------------------------------------------
 * Filters read all input first and print only once everything succeeded, so
 * a failing tool writes nothing to stdout. */
struct input {
	const char *name;   /* the file name, or "stdin" */
	struct buf text;
};
/* Reads FILE, or stdin when path is NULL or "-"; dies on a read error. */
void input_read(struct input *in, const char *path);
void input_free(struct input *in);
/* The next line of text from *pos: sets *line and *len (no newline, CR kept),
 * returns false at the end. */
bool next_line(const struct buf *text, size_t *pos, const char **line, size_t *len);
/* Writes b to stdout and flushes; dies when stdout fails (a full disk). */
void output(const struct buf *b);

/* ---- util.c: time ---------------------------------------------------------- */
/* Milliseconds of CLOCK_MONOTONIC: for durations, never a date. */
long monotonic_ms(void);

/* ---- util.c: checks and digests ------------------------------------------- */
/* ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$: safe as an image tag, a file name and
 * a shell word. */
bool valid_tag(const char *s);
/* s quoted for a message ("a\\"b", control and non-ASCII bytes as \\xNN), so
 * hostile input cannot forge lines or escape sequences on a terminal, and cut
 * after QUOTED_MAX bytes ("..." (N bytes)); free it. */
enum { QUOTED_MAX = 256 };
char *quoted(const char *s);
/* n bytes of s as a message may show them: printable ASCII as is, a
 * backslash doubled, any other byte (control, C1, UTF-8 of a bidi override)
 * as \xNN; at most max bytes of that, then "..." when cut, so that a
 * server's words or a hostile reference take one bounded line; free it. */
char *printable(const char *s, size_t n, size_t max);
/* Lowercase hex SHA-256 (OpenSSL's libcrypto) of n bytes into out[65]. */
void sha256_hex(const void *p, size_t n, char out[65]);

#endif
