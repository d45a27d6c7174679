/*
 * util.h: the bottom layer of tools/lib/, and its table of contents.
 *
 * The library is in layers; a file includes and calls only its own layer
 * and those above it in this list (tests/t0050-headers.sh checks it, and
 * that every header compiles alone).  A tool includes the headers of what
 * it calls, and links only those objects.
 *
 * 1. util.c           errors, allocation, buffers, string lists, input,
 *                     output, a clock, valid_tag(), quoted()
 * 2. tables and small parsers, each on util alone:
 *    digest.c         SHA-256 (Nettle)
 *    tags.c           the grammar of every tag published: canonical, build
 *                     and alias tags, made and read back
 *    semver.c         Semantic Versioning 2.0.0: parse, precedence
 *    platform.c       the table of bashbrew architectures and buildx
 *                     platforms, lists of them
 *    ref.c            image references, repository names, tags, digests
 *    group_line.c     the JSON group lines between the filters: read, write
 *    http_param.c     tokens and quoted-strings of HTTP headers
 *    challenge.c      WWW-Authenticate challenges
 *    credentials.c    registry credentials, as the docker CLI finds them
 *    link.c           the Link header of a paged answer (RFC 8288, 3986)
 *    registry_options.c  the options every registry tool shares
 * 3. library.c        the Docker Official Images library file: parse,
 *                     validate, and its groups of entries of the same sources
 *    client.c         the registry client's handle: begin, end, last error
 * 4. transport.c      registry requests: retries, backoff, timeouts, counts
 * 5. authorize.c      the 401: challenges, credentials, bearer tokens
 * 6. each filter's own work, and the registry client's calls:
 *    semver_check.c   semver-check: the greatest version of a tag list
 *    rust_groups.c    rust-groups: the group lines of a library file
 *    arch_filter.c    arch-filter: platforms for groups or names
 *    tag_gen.c        tag-gen: the canonical and alias tags of each group
 *    manifest.c       manifest head, get and put
 *    tag_list.c       a repository's tag list, following Link pages
 *    registry.h       what a registry tool includes: the client's calls
 * 7. the tools, tools/<tool>.c
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

#endif
