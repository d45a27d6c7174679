/* platform.c: bashbrew architectures and buildx platforms. */
#include "platform.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

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
