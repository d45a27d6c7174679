#ifndef TAG_GEN_H
#define TAG_GEN_H
/* ---- tag_gen.c: tag-gen's own work, the tags a group is published under -
 * From a group line (with platforms) and a release X.Y.Z: the canonical tag,
 * built once per group, and the aliases that point at it, versioned and
 * floating, in TAG_FORMAT (tags.h has the grammar); optionally the base to
 * build from, the original workflow's canonical name and the build tag.  A shared alias belongs to the one group that still claims it
 * after arch-filter; every tag is checked by valid_tag() and published by
 * exactly one group. */
#include "util.h"

#include <stdbool.h>

struct tag_gen_options {
	const char *version;    /* the release, X.Y.Z (kinds: the one looked at, or NULL) */
	const char *image;      /* the repository, as given: [host[:port]/]name */
	const char *format;     /* the aliases' TAG_FORMAT; NULL: the default */
	const char *base;       /* adds "base", BASE:<representative_rust_tag>; or NULL */
	const char *context;    /* adds "build_tag" for this context hash; or NULL */
	const char *previous;   /* with context: adds "previous_build_tag", the build
	                         * tag of these inputs for this release; or NULL */
	bool build_tag;         /* read plan lines, print their build tags (tag_gen_build_tags) */
	bool plain;             /* print references one a line instead of JSON */
	bool no_latest;         /* leave out latest and the floating aliases: not the newest release */
	bool kinds;             /* read tags, say their kinds (tag_gen_kinds) */
};

/* Dies unless version is a release, image and base repositories without tag
 * or digest, format a TAG_FORMAT and context a SHA-256; sets the default
 * format. */
void tag_gen_check_options(struct tag_gen_options *o);
/* Reads the group lines of in and appends to out each with "canonical" and
 * "tags" added (or, plain, their references); dies naming the line of a bad
 * group, a bad tag, or a tag two groups would publish. */
void tag_gen(const struct input *in, const struct tag_gen_options *o, struct buf *out);
/* Reads tag names, one a line, and appends to out a line for each tag of
 * the version (o->version, or each version that has a canonical or build
 * tag among them): "canonical TAG VERSION", "build TAG VERSION", "alias TAG
 * VERSION", and "alias TAG -" for a tag that is no version's alias (latest,
 * the floating ones, strangers); the other versions' tags are left out. */
void tag_gen_kinds(const struct input *in, const struct tag_gen_options *o, struct buf *out);
/* Reads plan lines (tag-gen's own output: "canonical" and "platforms") and
 * appends to out each one's build tag for o->context, one reference a line:
 * the names of other inputs of one image (REFRESH_BASE's base tags) are
 * made here, with the context hash of those inputs. */
void tag_gen_build_tags(const struct input *in, const struct tag_gen_options *o, struct buf *out);

#endif
