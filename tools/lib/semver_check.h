#ifndef SEMVER_CHECK_H
#define SEMVER_CHECK_H
/* ---- semver_check.c: semver-check's own work -------------------------------- */
#include "util.h"

#include <stdbool.h>

/* semver-check's work: the greatest version among the tags of in (names one
 * a line, or git ls-remote --tags lines: the last path component, one 'v'
 * dropped; peeled "^{}" lines skipped; names that are not semver skipped and
 * counted on stderr), appended to out as "X.Y.Z\n" without build metadata.
 * Dies naming the line when the greatest is a pre-release (unless
 * releases_only, which takes the greatest release), or when there is none. */
void semver_check(const struct input *in, bool releases_only, struct buf *out);

#endif
