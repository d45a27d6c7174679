/* util.c: errors, allocation, buffers, string lists, input and output. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


const char *argv0 = "tool";
void (*die_hook)(int status);

static _Noreturn void finish(int status)
{
	if (die_hook)
		die_hook(status);
	exit(status);
}

static void vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	finish(status);
}

void die_at(const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;
	if (line)
		fprintf(stderr, "%s: %s:%zu: ", argv0, file, line);
	else
		fprintf(stderr, "%s: %s: ", argv0, file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	finish(EXIT_BAD);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EXIT_BAD, "out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die(EXIT_BAD, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EXIT_BAD, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_BAD, "bad format");
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void buf_grow(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		die(EXIT_BAD, "out of memory");
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_BAD, "bad format");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

void strlist_push(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort_unique(struct strlist *l)
{
	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof *l->v, cmp_str);
	size_t out = 1;
	for (size_t i = 1; i < l->n; i++) {
		if (strcmp(l->v[i], l->v[out - 1]) == 0)
			free(l->v[i]);
		else
			l->v[out++] = l->v[i];
	}
	l->n = out;
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct strlist){0};
}

void input_read(struct input *in, const char *path)
{
	FILE *f = stdin;
	in->text = (struct buf){0};
	in->name = "stdin";
	if (path && strcmp(path, "-") != 0) {
		in->name = path;
		if (!(f = fopen(path, "rb")))
			die_at(path, 0, "%s", strerror(errno));
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&in->text, chunk, n);
	if (ferror(f))
		die_at(in->name, 0, "read error: %s", strerror(errno));
	if (f != stdin)
		fclose(f);
	buf_add(&in->text, "", 0);
}

void input_free(struct input *in)
{
	buf_free(&in->text);
}

bool next_line(const struct buf *text, size_t *pos, const char **line, size_t *len)
{
	if (*pos >= text->len)
		return false;
	const char *start = text->data + *pos;
	const char *nl = memchr(start, '\n', text->len - *pos);
	size_t n = nl ? (size_t)(nl - start) : text->len - *pos;
	*line = start;
	*len = n;
	*pos += n + (nl != NULL);
	return true;
}

void output(const struct buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
		die(EXIT_BAD, "write error: %s", strerror(errno));
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EXIT_BAD, "write error: %s", strerror(errno));
}

long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

bool valid_tag(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++, n++) {
		char c = *p;
		bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		            (c >= '0' && c <= '9') || c == '_';
		if (!word && (n == 0 || (c != '.' && c != '-')))
			return false;
	}
	return n >= 1 && n <= 128;
}

char *quoted(const char *s)
{
	struct buf b = {0};
	size_t n = strlen(s);
	const unsigned char *end = (const unsigned char *)s + (n > QUOTED_MAX ? QUOTED_MAX : n);
	buf_addc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; p < end; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			buf_printf(&b, "\\x%02x", *p);
		else
			buf_addc(&b, (char)*p);
	}
	buf_addc(&b, '"');
	if (n > QUOTED_MAX)
		buf_printf(&b, "... (%zu bytes)", n);
	return b.data;
}

char *printable(const char *s, size_t n, size_t max)
{
	struct buf b = {0};
	buf_adds(&b, "");
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		char one[5];
		if (p[i] == '\\')
			snprintf(one, sizeof one, "\\\\");
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			snprintf(one, sizeof one, "\\x%02x", p[i]);
		else
			snprintf(one, sizeof one, "%c", p[i]);
		if (b.len + strlen(one) > max) {
			buf_adds(&b, "...");
			break;
		}
		buf_adds(&b, one);
	}
	return b.data;
}
