/* platform.c: bashbrew architectures and buildx platforms. */
#include "platform.h"
#include "util.h"
#include "group.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

const struct platform_arch platform_table[] = {
	{"amd64", "linux/amd64"},
	{"arm32v5", "linux/arm/v5"},
	{"arm32v6", "linux/arm/v6"},
	{"arm32v7", "linux/arm/v7"},
	{"arm64v8", "linux/arm64"},
	{"i386", "linux/386"},
	{"mips64le", "linux/mips64le"},
	{"ppc64le", "linux/ppc64le"},
	{"riscv64", "linux/riscv64"},
	{"s390x", "linux/s390x"},
	{"windows-amd64", "windows/amd64"},
};
const size_t platform_table_len = sizeof platform_table / sizeof platform_table[0];

const char *platform_of_arch(const char *arch)
{
	for (size_t i = 0; i < platform_table_len; i++)
		if (strcmp(platform_table[i].arch, arch) == 0)
			return platform_table[i].platform;
	return NULL;
}

const char *arch_of_platform(const char *platform)
{
	for (size_t i = 0; i < platform_table_len; i++)
		if (strcmp(platform_table[i].platform, platform) == 0)
			return platform_table[i].arch;
	return NULL;
}

static bool is_separator(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

void platform_split(const char *s, size_t n, struct strlist *out)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && is_separator(s[i]))
			i++;
		size_t start = i;
		while (i < n && !is_separator(s[i]))
			i++;
		if (i > start) {
			char *word = xstrndup(s + start, i - start);
			strlist_push(out, word);
			free(word);
		}
	}
}

const char *platform_parse_allow(const char *list, struct strlist *allow)
{
	platform_split(list, strlen(list), allow);
	if (allow->n == 0)
		return "";
	for (size_t i = 0; i < allow->n; i++)
		if (!arch_of_platform(allow->v[i]))
			return allow->v[i];
	strlist_sort_unique(allow);
	return NULL;
}

const char *platform_filter(char *const *arches, size_t n, const struct strlist *allow,
                            struct strlist *out)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = platform_of_arch(arches[i]);
		if (!p)
			return arches[i];
		if (!allow || strlist_has(allow, p))
			strlist_push(out, p);
	}
	strlist_sort_unique(out);
	return NULL;
}

/* ---- arch-filter's input ------------------------------------------------- */

/* Platforms of the names in each line, joined on one line. */
static void filter_names(const struct input *in, const struct strlist *allow, struct buf *out)
{
	struct strlist platforms = {0};
	size_t pos = 0, lineno = 0;
	const char *line;
	size_t len;
	while (next_line(&in->text, &pos, &line, &len)) {
		struct strlist names = {0};
		lineno++;
		if (memchr(line, '\0', len))
			die_at(in->name, lineno, "NUL byte: not a list of names");
		platform_split(line, len, &names);
		const char *bad = platform_filter(names.v, names.n, allow, &platforms);
		if (bad)
			die_at(in->name, lineno, "unknown architecture %s", quoted(bad));
		strlist_free(&names);
	}
	if (platforms.n == 0)
		warnx("%s: no allowed platform", in->name);
	for (size_t i = 0; i < platforms.n; i++)
		buf_printf(out, "%s%s", i ? "," : "", platforms.v[i]);
	buf_addc(out, '\n');
	strlist_free(&platforms);
}

/* Each group line with "platforms" added; groups left with none dropped. */
static void filter_groups(const struct input *in, const struct strlist *allow, struct buf *out)
{
	size_t pos = 0, lineno = 0;
	json_t *g;
	while ((g = group_next(in, &pos, &lineno))) {
		struct strlist arches = {0}, platforms = {0};
		const char *key = group_string(in, lineno, g, "group_key");
		group_strings(in, lineno, g, "architectures", &arches);
		const char *bad = platform_filter(arches.v, arches.n, allow, &platforms);
		if (bad) {
			json_decref(g);
			die_at(in->name, lineno, "unknown architecture %s", quoted(bad));
		}
		if (platforms.n == 0) {
			char *name = quoted(key);
			warnx("%s:%zu: dropped group %s: no allowed platform", in->name, lineno, name);
			free(name);
		} else {
			group_set_last(g, "platforms", group_array(&platforms));
			char *s = json_dumps(g, JSON_COMPACT);
			if (!s)
				die(EXIT_BAD, "out of memory");
			buf_printf(out, "%s\n", s);
			free(s);
		}
		strlist_free(&arches);
		strlist_free(&platforms);
		json_decref(g);
	}
}

/* Group lines start with a JSON value; plain names never do. */
static bool json_input(const struct buf *text)
{
	size_t skip = strspn(text->data, " \t\r\n");
	return text->data[skip] == '{' || text->data[skip] == '[';
}

void platform_filter_input(const struct input *in, const struct strlist *allow, struct buf *out)
{
	if (json_input(&in->text))
		filter_groups(in, allow, out);
	else if (in->text.data[strspn(in->text.data, " \t\r\n")])
		filter_names(in, allow, out);
}
