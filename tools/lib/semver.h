#ifndef SEMVER_H
#define SEMVER_H
/* ---- semver.c: Semantic Versioning 2.0.0 ----------------------------------
 * MAJOR.MINOR.PATCH[-PRE][+BUILD], exactly as semver.org states it: numeric
 * fields have no leading zeros and any number of digits (they are compared
 * as digit strings, never converted to an integer type); PRE and BUILD are
 * dot-separated non-empty identifiers of [0-9A-Za-z-]; a numeric PRE
 * identifier has no leading zero.  Build metadata has no precedence.
 * A parsed version points into the caller's text and owns nothing. */
#include <stdbool.h>
#include <stddef.h>

/* A piece of the caller's text. */
struct semver_span {
	const char *p;
	size_t n;
};

struct semver {
	struct semver_span major, minor, patch;
	struct semver_span pre;     /* without the '-'; p is NULL when absent */
	struct semver_span build;   /* without the '+'; p is NULL when absent */
	struct semver_span bare;    /* the whole version but "+BUILD" */
};

/* Parses s[0..n) (no 'v' prefix, no white space) into *v.  Returns false and
 * points *why at a static reason when it is not a version. */
bool semver_parse(const char *s, size_t n, struct semver *v, const char **why);
/* Precedence: <0, 0 or >0 as a is lower than, equal to or higher than b.
 * 0 for versions that differ only in build metadata. */
int semver_cmp(const struct semver *a, const struct semver *b);
/* Exactly MAJOR.MINOR.PATCH: no pre-release, no build metadata.  Only such a
 * version is published, and it is safe in an image tag. */
bool semver_is_release(const struct semver *v);
/* Parses s as one whole release (as semver_parse and semver_is_release);
 * false with a static reason in *why otherwise. */
bool semver_check_release(const char *s, const char **why);

#endif
