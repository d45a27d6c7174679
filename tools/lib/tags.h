#ifndef TAGS_H
#define TAGS_H
/* ---- tags.c: the tags a group is published under -------------------------
 * From a group line (with platforms) and a release X.Y.Z: the canonical tag
 * X.Y.Z-base-<group_key_tag>, built once per group, and the aliases that
 * point at it: X.Y.Z-rust-<alias> and latest-rust-<alias> for each alias,
 * and latest.  A shared alias belongs to the one group that still claims it
 * after arch-filter; every tag is checked by valid_tag() and published by
 * exactly one group. */
#include "util.h"

#include <stdbool.h>

struct tag_options {
	const char *version;    /* the release, X.Y.Z */
	const char *image;      /* the repository, as given: [host[:port]/]name */
	bool plain;             /* print references one a line instead of JSON */
	bool no_latest;         /* leave out latest and latest-rust-*: not the newest release */
};

/* Dies unless version is a release and image a repository without tag or
 * digest. */
void tags_check_options(const struct tag_options *o);
/* Reads the group lines of in and appends to out each with "canonical" and
 * "tags" added (or, plain, their references); dies naming the line of a bad
 * group, a bad tag, or a tag two groups would publish. */
void tags_generate(const struct input *in, const struct tag_options *o, struct buf *out);

#endif
