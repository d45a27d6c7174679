/* library.c: the Docker Official Images library file: parse, validate, group.
 * The rules and the messages are bashbrew's (manifest/rfc2822.go over
 * pault.ag/go/debian/control); library-format.md states them. */
#include "library.h"
#include "util.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

static const char *const field_name[LIB_NFIELDS] = {
	"GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder",
};
static const char *const list_name[LIB_NLISTS] = {
	"Maintainers", "Tags", "SharedTags", "Architectures", "Constraints",
};

#define MAINTAINERS_FORMAT \
	"Full Name <contact-email-or-url> (@github-handle) OR Full Name (@github-handle)"

/* ---- text: Unicode white space, UTF-8, Go's %q ----------------------------- */

/* Length of the white space character (Go's unicode.IsSpace) at s[0..n), or
 * 0.  The input is valid UTF-8, so a lead byte starts a whole character. */
static size_t space_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n >= 1 && (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r')))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;                               /* NEL, NO-BREAK SPACE */
	if (n >= 3 && u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;                               /* OGHAM SPACE MARK */
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3;                               /* U+2000..200A, 2028, 2029, 202F */
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;                               /* MEDIUM MATHEMATICAL SPACE */
	if (n >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;                               /* IDEOGRAPHIC SPACE */
	return 0;
}

/* Length of the white space character that ends s[0..n), or 0. */
static size_t space_before(const char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (space_at(s + n - k, k) == k)
			return k;
	return 0;
}

/* s[0..*n) without leading white space; *n shrinks to match. */
static const char *trim_left(const char *s, size_t *n)
{
	size_t k;
	while ((k = space_at(s, *n))) {
		s += k;
		*n -= k;
	}
	return s;
}

static size_t trim_right(const char *s, size_t n)
{
	size_t k;
	while ((k = space_before(s, n)))
		n -= k;
	return n;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 (overlong forms,
 * surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || s[0] > 0xf4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

static unsigned long utf8_rune(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	unsigned long r = s[0] & lead_mask[len];
	for (size_t i = 1; i < len; i++)
		r = r << 6 | (s[i] & 0x3f);
	return r;
}

/* bashbrew reads bytes; this pipeline wants text: no NUL, valid UTF-8. */
static void check_text(const struct input *in)
{
	const unsigned char *s = (const unsigned char *)in->text.data;
	size_t n = in->text.len, line = 1;
	for (size_t i = 0; i < n;) {
		size_t len = s[i] ? utf8_len(s + i, n - i) : 0;
		if (s[i] == 0)
			die_at(in->name, line, "NUL byte: not a text file");
		if (len == 0)
			die_at(in->name, line, "invalid UTF-8 (byte 0x%02x)", s[i]);
		line += s[i] == '\n';
		i += len;
	}
}

/* Characters Go's strconv.Quote escapes beyond ASCII: C1 controls, white
 * space other than ' ', and the invisible format characters likely in text. */
static bool rune_hidden(unsigned long r)
{
	return (r >= 0x80 && r <= 0xa0) || r == 0xad || r == 0x1680 ||
	       (r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
	       (r >= 0x205f && r <= 0x2064) || r == 0x3000 || r == 0xfeff;
}

/* Strings made for messages live here until the check that made them ends:
 * a die_at() in between leaves them reachable, not leaked. */
static struct strlist scratch;

static const char *keep(char *s)
{
	strlist_push(&scratch, s);
	free(s);
	return scratch.v[scratch.n - 1];
}

/* Longer values are cut in messages: a 1 MB tag makes no 2 MB error line. */
enum { QUOTE_MAX = 256 };

/* s as Go's %q prints it (bashbrew's messages quote with %q), cut after
 * QUOTE_MAX bytes. */
static const char *goquote(const char *s)
{
	struct buf b = {0};
	size_t n = strlen(s);
	const unsigned char *end = (const unsigned char *)s + (n > QUOTE_MAX ? QUOTE_MAX : n);
	buf_addc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; p < end;) {
		size_t len = utf8_len(p, (size_t)(end - p));
		unsigned long r = len ? utf8_rune(p, len) : *p;
		const char *esc = strchr("\a\b\f\n\r\t\v", (int)r);
		if (r == '"' || r == '\\')
			buf_printf(&b, "\\%c", (char)r);
		else if (r && esc)
			buf_printf(&b, "\\%c", "abfnrtv"[esc - "\a\b\f\n\r\t\v"]);
		else if (r < 0x20 || r == 0x7f || len == 0)
			buf_printf(&b, "\\x%02x", *p);
		else if (rune_hidden(r))
			buf_printf(&b, "\\u%04lx", r);
		else
			buf_add(&b, p, len);
		p += len ? len : 1;
	}
	buf_addc(&b, '"');
	if (n > QUOTE_MAX)
		buf_printf(&b, "... (%zu bytes)", n);
	return keep(b.data);
}

/* The elements of l joined with ", " (bashbrew's TagsString()); free it. */
static char *join(const struct strlist *l, const char *sep)
{
	struct buf b = {0};
	buf_adds(&b, "");
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i ? sep : "", l->v[i]);
	return b.data;
}

/* ---- paragraphs ------------------------------------------------------------ */

struct kv {
	char *key;
	struct buf value;
	size_t line;
};

struct para {
	struct kv *kv;
	size_t n, cap;
	size_t line;            /* its first line */
};

struct reader {
	const struct input *in;
	size_t pos, line;
	bool keyed;             /* a key line was read */
};

static void para_clear(struct para *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->kv[i].key);
		buf_free(&p->kv[i].value);
	}
	p->n = 0;
}

/* "TAG: REPO@COMMIT [DIRECTORY]", the format bashbrew read before 2017; it
 * is told by the first key line, where a library file has Maintainers. */
static bool old_format_line(const char *key, const char *value)
{
	size_t word = strcspn(value, " \t");
	const char *at = memchr(value, '@', word);
	if (!valid_tag(key) || !at || !strstr(value, "://") || strstr(value, "://") > at)
		return false;
	size_t hex = strspn(at + 1, "0123456789abcdef");
	if (hex < 7 || at + 1 + hex != value + word)
		return false;
	const char *rest = value + word + strspn(value + word, " \t");
	return strcspn(rest, " \t") == strlen(rest);
}

static void para_set(struct para *p, struct reader *r, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	if (!colon) {
		const char *s = keep(xstrndup(line, len));
		die_at(r->in->name, r->line, "Bad line: %s has no ':' (and is no continuation line)",
		       goquote(s));
	}
	size_t klen = (size_t)(colon - line), vlen = len - klen - 1;
	const char *k = trim_left(line, &klen), *v = trim_left(colon + 1, &vlen);
	char *key = xstrndup(k, trim_right(k, klen));
	struct buf value = {0};
	buf_add(&value, v, trim_right(v, vlen));
	if (!r->keyed && old_format_line(key, value.data))
		die_at(r->in->name, r->line,
		       "this is the old line-based format (\"TAG: GITREPO@COMMIT [DIRECTORY]\"), "
		       "which bashbrew no longer reads: write paragraphs of Tags, GitRepo, "
		       "GitCommit and Directory");
	r->keyed = true;
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->kv[i].key, key) == 0) {   /* a duplicate key: the last wins */
			free(key);
			buf_free(&p->kv[i].value);
			struct kv last = {p->kv[i].key, value, r->line};
			memmove(p->kv + i, p->kv + i + 1, (p->n - i - 1) * sizeof *p->kv);
			p->kv[p->n - 1] = last;
			return;
		}
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->kv = xrealloc(p->kv, p->cap * sizeof *p->kv);
	}
	p->kv[p->n++] = (struct kv){key, value, r->line};
}

/* Reads the next paragraph into *p; false at the end of the input.  Comment
 * lines vanish first (they do not end a paragraph); a paragraph ends at an
 * exactly empty line; a line starting with a space or a tab continues the
 * last key's value (" ." is an empty line), or is dropped before any key. */
static bool next_paragraph(struct reader *r, struct para *p)
{
	const char *line;
	size_t len;
	para_clear(p);
	while (next_line(&r->in->text, &r->pos, &line, &len)) {
		r->line++;
		size_t rest = len;
		const char *first = trim_left(line, &rest);
		if (rest && *first == '#')
			continue;
		if (len == 0 || (len == 1 && line[0] == '\r')) {
			if (p->n)
				return true;
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (p->n == 0)
				continue;
			size_t n = trim_right(line + 1, len - 1);
			struct buf *v = &p->kv[p->n - 1].value;
			buf_addc(v, '\n');
			if (!(n == 1 && line[1] == '.'))
				buf_add(v, line + 1, n);
			continue;
		}
		if (p->n == 0)
			p->line = r->line;
		para_set(p, r, line, len);
	}
	return p->n > 0;
}

/* ---- entries ---------------------------------------------------------------- */

/* A list field's value: split on ',' only, each element trimmed of spaces,
 * tabs, CR and LF; "" and a trailing comma give empty elements. */
static void split_list(const char *v, struct strlist *out)
{
	for (;;) {
		size_t n = strcspn(v, ",");
		const char *s = v;
		while (n && strchr(" \t\r\n", *s)) {
			s++;
			n--;
		}
		while (n && strchr(" \t\r\n", s[n - 1]))
			n--;
		char *el = xstrndup(s, n);
		strlist_push(out, el);
		free(el);
		v += strcspn(v, ",");
		if (!*v++)
			return;
	}
}

static void strlist_copy(struct strlist *to, const struct strlist *from)
{
	for (size_t i = 0; i < from->n; i++)
		strlist_push(to, from->v[i]);
}

static void entry_free(struct lib_entry *e)
{
	for (int f = 0; f < LIB_NFIELDS; f++)
		free(e->field[f]);
	for (int l = 0; l < LIB_NLISTS; l++)
		strlist_free(&e->list[l]);
	for (size_t i = 0; i < e->narchval; i++) {
		free(e->archval[i].arch);
		free(e->archval[i].value);
	}
	free(e->archval);
	*e = (struct lib_entry){0};
}

static void entry_copy(struct lib_entry *to, const struct lib_entry *from)
{
	*to = *from;
	for (int f = 0; f < LIB_NFIELDS; f++)
		to->field[f] = xstrdup(from->field[f]);
	for (int l = 0; l < LIB_NLISTS; l++) {
		to->list[l] = (struct strlist){0};
		strlist_copy(&to->list[l], &from->list[l]);
	}
	to->archval = xcalloc(from->narchval, sizeof *to->archval);
	for (size_t i = 0; i < from->narchval; i++) {
		to->archval[i] = from->archval[i];
		to->archval[i].arch = xstrdup(from->archval[i].arch);
		to->archval[i].value = xstrdup(from->archval[i].value);
	}
}

static void set_archval(struct lib_entry *e, const char *arch, size_t archlen,
                        enum lib_field f, const struct kv *kv)
{
	struct lib_archvalue *a = NULL;
	for (size_t i = 0; i < e->narchval && !a; i++)
		if (e->archval[i].field == f && strlen(e->archval[i].arch) == archlen &&
		    memcmp(e->archval[i].arch, arch, archlen) == 0)
			a = &e->archval[i];
	if (!a) {
		e->archval = xrealloc(e->archval, (e->narchval + 1) * sizeof *e->archval);
		a = &e->archval[e->narchval++];
		*a = (struct lib_archvalue){xstrndup(arch, archlen), f, NULL, 0};
	}
	free(a->value);
	a->value = xstrdup(kv->value.data);
	a->line = kv->line;
}

/* Applies paragraph p over *e (a copy of the resolved global paragraph, or
 * of the defaults): single fields replace, Maintainers, Tags and Constraints
 * append, Architectures and SharedTags replace, "<arch>-<Field>" replace the
 * inherited ones; unknown keys are ignored. */
static void entry_apply(struct lib_entry *e, const struct para *p)
{
	e->line = p->line;
	for (size_t i = 0; i < p->n; i++) {
		const struct kv *kv = &p->kv[i];
		size_t klen = strlen(kv->key);
		for (int f = 0; f < LIB_NFIELDS; f++) {
			size_t flen = strlen(field_name[f]);
			if (strcmp(kv->key, field_name[f]) == 0) {
				free(e->field[f]);
				e->field[f] = xstrdup(kv->value.data);
				e->field_line[f] = kv->line;
			} else if (klen > flen && kv->key[klen - flen - 1] == '-' &&
			           strcmp(kv->key + klen - flen, field_name[f]) == 0) {
				set_archval(e, kv->key, klen - flen - 1, (enum lib_field)f, kv);
			}
		}
		for (int l = 0; l < LIB_NLISTS; l++) {
			if (strcmp(kv->key, list_name[l]) != 0)
				continue;
			if (l == LIB_ARCHITECTURES || l == LIB_SHAREDTAGS)
				strlist_free(&e->list[l]);
			split_list(kv->value.data, &e->list[l]);
			e->list_line[l] = kv->line;
		}
	}
	strlist_sort_unique(&e->list[LIB_ARCHITECTURES]);
}

const char *lib_entry_get(const struct lib_entry *e, const char *arch, enum lib_field f)
{
	for (size_t i = 0; i < e->narchval; i++)
		if (e->archval[i].field == f && strcmp(e->archval[i].arch, arch) == 0 &&
		    e->archval[i].value[0])
			return e->archval[i].value;
	return e->field[f];
}

/* Go's path.Clean: "./2.3/x/" is "2.3/x", "" is ".", "a/../b" is "b". */
static char *clean_path(const char *s)
{
	bool rooted = s[0] == '/';
	struct strlist parts = {0};
	while (*s) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (parts.n && strcmp(parts.v[parts.n - 1], "..") != 0)
				free(parts.v[--parts.n]);
			else if (!rooted)
				strlist_push(&parts, "..");
		} else if (n && !(n == 1 && s[0] == '.')) {
			char *part = xstrndup(s, n);
			strlist_push(&parts, part);
			free(part);
		}
		s += n + (s[n] == '/');
	}
	char *joined = join(&parts, "/");
	char *out = rooted ? xasprintf("/%s", joined) : *joined ? xstrdup(joined) : xstrdup(".");
	free(joined);
	strlist_free(&parts);
	return out;
}

/* ---- validation ------------------------------------------------------------ */

/* Go's regexp \s: ASCII white space but for \v. */
static bool go_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* [^\s<>()] */
static bool word_char(char c)
{
	return !go_space(c) && !strchr("<>()", c);
}

/* Name: [^\s<>()][^<>()]* over s[0..n). */
static bool maintainer_name(const char *s, size_t n)
{
	if (n == 0 || !word_char(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (strchr("<>()", s[i]))
			return false;
	return true;
}

/* bashbrew's ^(NAME)(?:\s+<(EMAIL)>)?\s+[(]@(HANDLE)[)]$ without a regex
 * engine: the handle is found from the end, then the e-mail from '<'. */
static bool valid_maintainer(const char *s)
{
	size_t n = strlen(s), j;
	if (n < 4 || s[n - 1] != ')')
		return false;
	for (j = n - 1; j > 0 && word_char(s[j - 1]); j--)
		;
	/* s[j..n-1) is "@HANDLE" (a handle may hold '@') and s[j-1] is '(' */
	if (j < 2 || s[j - 1] != '(' || s[j] != '@' || j + 1 >= n - 1)
		return false;
	size_t end = j - 1;                     /* s[0..end) is NAME [<EMAIL>] \s+ */
	size_t ws = end;
	while (ws > 0 && go_space(s[ws - 1]))
		ws--;
	if (ws == end)
		return false;
	const char *lt = memchr(s, '<', end);
	if (!lt)
		return maintainer_name(s, end - 1);     /* NAME may end in blanks */
	size_t k = (size_t)(lt - s), m = k;
	while (m > 0 && go_space(s[m - 1]))
		m--;
	if (m == k || ws == 0 || s[ws - 1] != '>' || !maintainer_name(s, m))
		return false;
	for (size_t i = k + 1; i < ws - 1; i++)
		if (!word_char(s[i]))
			return false;
	return ws - 1 > k + 1;
}

/* ^refs/(heads|tags)/[^*?:]+$ */
static bool valid_fetch(const char *s)
{
	const char *rest = strncmp(s, "refs/heads/", 11) == 0 ? s + 11 :
	                   strncmp(s, "refs/tags/", 10) == 0 ? s + 10 : NULL;
	return rest && *rest && !strpbrk(rest, "*?:");
}

/* A full commit id, SHA-1 or SHA-256: a tag or branch name never passes. */
static bool valid_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return !s[n] && (n == 40 || n == 64);
}

/* The elements of l that ok() rejects, joined with ", "; NULL when none. */
static const char *invalid_of(const struct strlist *l, bool (*ok)(const char *))
{
	struct buf b = {0};
	for (size_t i = 0; i < l->n; i++)
		if (!ok(l->v[i]))
			buf_printf(&b, "%s%s", b.len ? ", " : "", l->v[i]);
	return b.data ? keep(b.data) : NULL;
}

static bool known_arch(const char *arch)
{
	return platform_of_arch(arch) != NULL;
}

/* Where an error about a value of e points: the line that set it, or the
 * entry's first line for a built-in default. */
static size_t at(const struct lib_entry *e, size_t line)
{
	return line ? line : e->line;
}

/* The global paragraph: Maintainers, no Tags, known Architectures. */
static void check_global(const struct library *lib)
{
	const struct lib_entry *g = &lib->global;
	const char *bad;
	if (g->list[LIB_MAINTAINERS].n == 0)
		die_at(lib->file, g->line, "missing Maintainers");
	if ((bad = invalid_of(&g->list[LIB_MAINTAINERS], valid_maintainer)))
		die_at(lib->file, g->list_line[LIB_MAINTAINERS],
		       "invalid Maintainers: %s (expected format %s)", goquote(bad),
		       goquote(MAINTAINERS_FORMAT));
	if (g->list[LIB_TAGS].n)
		die_at(lib->file, g->list_line[LIB_TAGS], "global Tags not permitted");
	if ((bad = invalid_of(&g->list[LIB_ARCHITECTURES], known_arch)))
		die_at(lib->file, at(g, g->list_line[LIB_ARCHITECTURES]),
		       "invalid global Architectures: %s", goquote(bad));
	strlist_free(&scratch);
}

/* The entry as bashbrew's messages name it: its Tags, quoted. */
static const char *tags_name(const struct lib_entry *e)
{
	return goquote(keep(join(&e->list[LIB_TAGS], ", ")));
}

/* The first earlier entry whose list l holds tag, or NULL. */
static const struct lib_entry *find_tag(const struct library *lib, enum lib_list l, const char *tag)
{
	for (size_t i = 0; i < lib->n; i++)
		if (strlist_has(&lib->entry[i].list[l], tag))
			return &lib->entry[i];
	return NULL;
}

/* Tags and SharedTags against each other and the earlier entries. */
static void check_duplicates(const struct library *lib, const struct lib_entry *e,
                             const char *name)
{
	const struct strlist *tags = &e->list[LIB_TAGS], *shared = &e->list[LIB_SHAREDTAGS];
	const char *file = lib->file;
	const struct lib_entry *other;
	for (size_t i = 0; i < tags->n; i++) {
		const char *t = tags->v[i];
		const char *q = goquote(t);
		if ((other = find_tag(lib, LIB_TAGS, t)))
			die_at(file, e->list_line[LIB_TAGS], "Tags %s includes duplicate tag: %s (duplicated in %s)",
			       name, q, tags_name(other));
		if ((other = find_tag(lib, LIB_SHAREDTAGS, t)))
			die_at(file, e->list_line[LIB_TAGS],
			       "Tags %s includes tag conflicting with a shared tag: %s (shared tag in %s)",
			       name, q, tags_name(other));
		for (size_t j = 0; j < i; j++)
			if (strcmp(tags->v[j], t) == 0)
				die_at(file, e->list_line[LIB_TAGS], "Tags %s includes duplicate tag: %s", name, q);
	}
	for (size_t i = 0; i < shared->n; i++) {
		const char *t = shared->v[i];
		const char *q = goquote(t);
		if ((other = find_tag(lib, LIB_TAGS, t)))
			die_at(file, e->list_line[LIB_SHAREDTAGS],
			       "Tags %s includes conflicting shared tag: %s (duplicated in %s)",
			       name, q, tags_name(other));
		if (strlist_has(tags, t))
			die_at(file, e->list_line[LIB_SHAREDTAGS],
			       "Tags %s includes duplicate tag: %s (in SharedTags)", name, q);
	}
}

/* Removes repeated SharedTags, keeping the first of each. */
static void dedupe(struct strlist *l)
{
	size_t out = 0;
	for (size_t i = 0; i < l->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < out && !seen; j++)
			seen = strcmp(l->v[j], l->v[i]) == 0;
		if (seen)
			free(l->v[i]);
		else
			l->v[out++] = l->v[i];
	}
	l->n = out;
}

/* An entry, in bashbrew's order of checks, before it joins lib. */
static void check_entry(const struct library *lib, struct lib_entry *e)
{
	const char *file = lib->file;
	const char *name = tags_name(e), *bad, *bad_shared;
	if (!valid_fetch(e->field[LIB_GITFETCH]))
		die_at(file, at(e, e->field_line[LIB_GITFETCH]),
		       "Tags %s has invalid GitFetch (must be \"refs/heads/...\" or \"refs/tags/...\"): %s",
		       name, goquote(e->field[LIB_GITFETCH]));
	if (!valid_commit(e->field[LIB_GITCOMMIT]))
		die_at(file, at(e, e->field_line[LIB_GITCOMMIT]),
		       "Tags %s has invalid GitCommit (must be a commit, not a tag or ref): %s",
		       name, goquote(e->field[LIB_GITCOMMIT]));
	for (size_t i = 0; i < e->narchval; i++) {
		const struct lib_archvalue *a = &e->archval[i];
		if (!a->value[0] || !strlist_has(&e->list[LIB_ARCHITECTURES], a->arch))
			continue;
		if (a->field == LIB_GITFETCH && !valid_fetch(a->value))
			die_at(file, a->line, "Tags %s has invalid %s-GitFetch (must be \"refs/heads/...\" "
			       "or \"refs/tags/...\"): %s", name, a->arch, goquote(a->value));
		if (a->field == LIB_GITCOMMIT && !valid_commit(a->value))
			die_at(file, a->line, "Tags %s has invalid %s-GitCommit (must be a commit, "
			       "not a tag or ref): %s", name, a->arch, goquote(a->value));
	}
	if (e->list[LIB_TAGS].n == 0)
		die_at(file, e->line, "missing Tags");
	if (!e->field[LIB_GITREPO][0])
		die_at(file, e->line, "Tags %s missing one of GitRepo, GitFetch, or GitCommit", name);
	if ((bad = invalid_of(&e->list[LIB_MAINTAINERS], valid_maintainer)))
		die_at(file, e->list_line[LIB_MAINTAINERS],
		       "Tags %s has invalid Maintainers: %s (expected format %s)", name, goquote(bad),
		       goquote(MAINTAINERS_FORMAT));

	dedupe(&e->list[LIB_SHAREDTAGS]);
	char *dir = clean_path(e->field[LIB_DIRECTORY]);
	free(e->field[LIB_DIRECTORY]);
	e->field[LIB_DIRECTORY] = dir;
	for (size_t i = 0; i < e->narchval; i++) {
		struct lib_archvalue *a = &e->archval[i];
		if (a->field == LIB_DIRECTORY && a->value[0]) {
			dir = clean_path(a->value);
			free(a->value);
			a->value = dir;
		}
	}

	bad = invalid_of(&e->list[LIB_TAGS], valid_tag);
	bad_shared = invalid_of(&e->list[LIB_SHAREDTAGS], valid_tag);
	if (bad || bad_shared)
		die_at(file, bad ? e->list_line[LIB_TAGS] : e->list_line[LIB_SHAREDTAGS],
		       "Tags %s has invalid (Shared)Tags: %s", name, goquote(bad && bad_shared ?
		       keep(xasprintf("%s, %s", bad, bad_shared)) : bad ? bad : bad_shared));
	if ((bad = invalid_of(&e->list[LIB_ARCHITECTURES], known_arch)))
		die_at(file, at(e, e->list_line[LIB_ARCHITECTURES]),
		       "Tags %s has invalid Architectures: %s", name, goquote(bad));
	check_duplicates(lib, e, name);
	strlist_free(&scratch);
}

void library_parse(struct library *lib, const struct input *in)
{
	struct reader r = {in, 0, 0, false};
	struct para p = {0};
	check_text(in);
	*lib = (struct library){.file = in->name};
	struct lib_entry *g = &lib->global;
	g->field[LIB_GITREPO] = xstrdup("");
	g->field[LIB_GITFETCH] = xstrdup("refs/heads/master");
	g->field[LIB_GITCOMMIT] = xstrdup("");
	g->field[LIB_DIRECTORY] = xstrdup(".");
	g->field[LIB_FILE] = xstrdup("Dockerfile");
	g->field[LIB_BUILDER] = xstrdup("");
	strlist_push(&g->list[LIB_ARCHITECTURES], "amd64");
	if (!next_paragraph(&r, &p))
		die_at(in->name, 0, "empty input: no paragraph (a library file starts with "
		       "Maintainers)");
	entry_apply(g, &p);
	check_global(lib);
	size_t cap = 0;
	while (next_paragraph(&r, &p)) {
		struct lib_entry e;
		entry_copy(&e, g);
		entry_apply(&e, &p);
		check_entry(lib, &e);
		if (lib->n == cap) {
			cap = cap ? 2 * cap : 16;
			lib->entry = xrealloc(lib->entry, cap * sizeof *lib->entry);
		}
		lib->entry[lib->n++] = e;
	}
	para_clear(&p);
	free(p.kv);
}

void library_free(struct library *lib)
{
	entry_free(&lib->global);
	for (size_t i = 0; i < lib->n; i++)
		entry_free(&lib->entry[i]);
	free(lib->entry);
	*lib = (struct library){0};
}

/* ---- groups ------------------------------------------------------------------ */

/* s with '%', ',', ';' and '=' as %XX, for the parts of a composite key. */
static void add_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("%,;=", *s))
			buf_printf(b, "%%%02X", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
}

/* The per-architecture value of field f (and g, joined by ':') in the key:
 * once when every architecture agrees, else "<arch>=<value>" for each. */
static void add_sources(struct buf *b, const struct lib_entry *e, enum lib_field f, int g)
{
	const struct strlist *arches = &e->list[LIB_ARCHITECTURES];
	bool same = true;
	for (size_t i = 1; i < arches->n; i++)
		same &= strcmp(lib_entry_get(e, arches->v[i], f), lib_entry_get(e, arches->v[0], f)) == 0 &&
		        (g < 0 || strcmp(lib_entry_get(e, arches->v[i], (enum lib_field)g),
		                         lib_entry_get(e, arches->v[0], (enum lib_field)g)) == 0);
	for (size_t i = 0; i < (same ? 1 : arches->n); i++) {
		if (!same)
			buf_printf(b, "%s%s=", i ? "," : "", arches->v[i]);
		add_escaped(b, lib_entry_get(e, arches->v[i], f));
		if (g >= 0) {
			buf_addc(b, ':');
			add_escaped(b, lib_entry_get(e, arches->v[i], (enum lib_field)g));
		}
	}
}

/* True when every architecture of e builds field f with value v. */
static bool all_are(const struct lib_entry *e, enum lib_field f, const char *v)
{
	const struct strlist *arches = &e->list[LIB_ARCHITECTURES];
	for (size_t i = 0; i < arches->n; i++)
		if (strcmp(lib_entry_get(e, arches->v[i], f), v) != 0)
			return false;
	return true;
}

/* Groups of the same sources but for different Architectures would share a
 * key: each of them gets ";arches=<arch>,..." (library.h). */
static void disambiguate(struct lib_group *groups, size_t n)
{
	bool *clash = xcalloc(n, sizeof *clash);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(groups[i].key, groups[j].key) == 0)
				clash[i] = clash[j] = true;
	for (size_t i = 0; i < n; i++) {
		if (!clash[i])
			continue;
		char *list = join(&groups[i].arches, ",");
		char *key = xasprintf("%s;arches=%s", groups[i].key, list);
		free(list);
		free(groups[i].key);
		groups[i].key = key;
		groups[i].plain = false;
		free(groups[i].commit);
		free(groups[i].directory);
		groups[i].commit = groups[i].directory = NULL;
	}
	free(clash);
}

/* The key of e's sources (library.h has the format); sets *plain. */
static char *source_key(const struct lib_entry *e, bool *plain)
{
	const char *arch0 = e->list[LIB_ARCHITECTURES].v[0];
	const char *commit = lib_entry_get(e, arch0, LIB_GITCOMMIT);
	const char *dir = lib_entry_get(e, arch0, LIB_DIRECTORY);
	bool default_file = all_are(e, LIB_FILE, "Dockerfile");
	bool no_builder = all_are(e, LIB_BUILDER, "");
	*plain = all_are(e, LIB_GITCOMMIT, commit) && all_are(e, LIB_DIRECTORY, dir) &&
	         default_file && no_builder && e->list[LIB_CONSTRAINTS].n == 0 &&
	         !strpbrk(dir, "%,;=");
	if (*plain)
		return xasprintf("%s:%s", commit, dir);
	struct buf b = {0};
	add_sources(&b, e, LIB_GITCOMMIT, LIB_DIRECTORY);
	if (!default_file) {
		buf_adds(&b, ";file=");
		add_sources(&b, e, LIB_FILE, -1);
	}
	if (!no_builder) {
		buf_adds(&b, ";builder=");
		add_sources(&b, e, LIB_BUILDER, -1);
	}
	for (size_t i = 0; i < e->list[LIB_CONSTRAINTS].n; i++) {
		buf_adds(&b, i ? "," : ";constraints=");
		add_escaped(&b, e->list[LIB_CONSTRAINTS].v[i]);
	}
	return b.data;
}

void library_group(const struct library *lib, struct lib_group **groups, size_t *n)
{
	struct strlist ids = {0};       /* ids.v[j]: what makes group j */
	*groups = NULL;
	*n = 0;
	for (size_t i = 0; i < lib->n; i++) {
		const struct lib_entry *e = &lib->entry[i];
		const struct strlist *arches = &e->list[LIB_ARCHITECTURES];
		bool plain;
		char *key = source_key(e, &plain), *list = join(arches, ",");
		char *id = xasprintf("%s\n%s", key, list);
		free(list);
		struct lib_group *g = NULL;
		for (size_t j = 0; j < *n && !g; j++)
			if (strcmp(ids.v[j], id) == 0)
				g = &(*groups)[j];
		if (g) {
			free(key);
		} else {
			strlist_push(&ids, id);
			*groups = xrealloc(*groups, (*n + 1) * sizeof **groups);
			g = &(*groups)[(*n)++];
			*g = (struct lib_group){.key = key, .plain = plain};
			if (plain) {
				g->commit = xstrdup(lib_entry_get(e, arches->v[0], LIB_GITCOMMIT));
				g->directory = xstrdup(lib_entry_get(e, arches->v[0], LIB_DIRECTORY));
			}
			strlist_copy(&g->arches, arches);
		}
		free(id);
		strlist_copy(&g->tags, &e->list[LIB_TAGS]);
		strlist_copy(&g->shared, &e->list[LIB_SHAREDTAGS]);
		strlist_sort_unique(&g->tags);
		strlist_sort_unique(&g->shared);
	}
	strlist_free(&ids);
	disambiguate(*groups, *n);
}

void lib_groups_free(struct lib_group *groups, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(groups[i].key);
		free(groups[i].commit);
		free(groups[i].directory);
		strlist_free(&groups[i].tags);
		strlist_free(&groups[i].shared);
		strlist_free(&groups[i].arches);
	}
	free(groups);
}

/* 0 for "X.Y.Z[-suffix]", 1 for "X.Y[-suffix]", 2 for "X[-suffix]", 3 for
 * any other tag, 4 for "latest". */
static int tag_rank(const char *t)
{
	if (strcmp(t, "latest") == 0)
		return 4;
	int parts = 0;
	for (;;) {
		size_t digits = strspn(t, "0123456789");
		if (digits == 0)
			return 3;
		t += digits;
		if (++parts < 3 && *t == '.')
			t++;
		else
			break;
	}
	return *t == '\0' || *t == '-' ? 3 - parts : 3;
}

const char *library_representative(const struct strlist *tags)
{
	const char *best = NULL;
	int best_rank = 5;
	for (size_t i = 0; i < tags->n; i++) {
		int rank = tag_rank(tags->v[i]);
		if (rank < best_rank || (rank == best_rank && strcmp(tags->v[i], best) < 0)) {
			best = tags->v[i];
			best_rank = rank;
		}
	}
	return best;
}
