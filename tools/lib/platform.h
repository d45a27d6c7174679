#ifndef PLATFORM_H
#define PLATFORM_H
/* ---- platform.c: architectures and platforms -------------------------------
 * The library format names architectures the bashbrew way ("arm64v8"); buildx
 * wants platforms ("linux/arm64").  The table is the whole of
 * docs/library-format.md: a name outside it is an error, never a guess
 * ("arm64", "x86_64" and "armhf" are not names of the format). */
#include "util.h"

#include <stddef.h>

/* One bashbrew architecture and the buildx platform it builds for. */
struct platform_arch {
	const char *arch;       /* "arm64v8" */
	const char *platform;   /* "linux/arm64" */
};
/* Every architecture of the format, in the order of library-format.md. */
extern const struct platform_arch platform_table[];
extern const size_t platform_table_len;

/* What the pipeline builds unless told otherwise. */
#define PLATFORM_DEFAULT_ALLOW "linux/amd64,linux/arm64,linux/arm/v7,linux/386"

/* The buildx platform of a bashbrew architecture; NULL when unknown. */
const char *platform_of_arch(const char *arch);
/* The bashbrew architecture of a buildx platform; NULL when unknown. */
const char *arch_of_platform(const char *platform);

/* Appends the words of s[0..n) to *out: words are separated by commas and
 * white space, and empty words are skipped ("amd64, arm64v8 i386"). */
void platform_split(const char *s, size_t n, struct strlist *out);
/* Parses a list of platforms (as platform_split reads it) into *allow, sorted
 * and unique.  Returns NULL, or the first word that is not a platform of the
 * table (owned by *allow) or "" when the list is empty. */
const char *platform_parse_allow(const char *list, struct strlist *allow);
/* Appends to *out the platforms of the architectures arches[0..n) that allow
 * holds (every one when allow is NULL), sorted and unique.  Returns NULL, or
 * the first architecture that is not in the table. */
const char *platform_filter(char *const *arches, size_t n, const struct strlist *allow,
                            struct strlist *out);

#endif
