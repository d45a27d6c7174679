#ifndef TAGS_H
#define TAGS_H
/* ---- tags.c: the grammar of every tag the pipeline publishes -----------------
 * The one place where a name is made or read back (tests/t6995 greps that
 * no other file of tools/ or mk/ spells one):
 *   canonical   <version>-base-<key16>             one image per group
 *   build tag   <canonical>.<8 hex>                 its build inputs: the
 *               first 8 hex digits of the SHA-256 of "<platforms>\n<context>\n"
 *               (platforms comma-joined, context the build context's hash)
 *   aliases     TAG_FORMAT with {version} and {tag}: <version>-rust-<tag> by
 *               default; the floating ones with "latest" for {version}, and
 *               "latest" itself
 * The original workflow's canonical names have the same form, from its own
 * key (rust-groups --with-workflow-keys). */
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

#define TAG_FORMAT_DEFAULT "{version}-rust-{tag}"
/* The form of canonical and build tags, for messages. */
#define TAG_BASE_FORM "<version>-base-<16 hex>[.<8 hex>]"
/* The version of the floating aliases, and the one floating tag of its own. */
#define TAG_LATEST "latest"

/* The canonical tag of a group (free it). */
char *tag_canonical(const char *version, const char *key16);
/* The build tag of canonical (a tag, not a reference: or a reference, the
 * suffix is the same) for the platforms and the context hash (free it). */
char *tag_build(const char *canonical, const struct strlist *platforms, const char *context);
/* True when format is a TAG_FORMAT: {version} and {tag} once each, and
 * besides them only what a tag may hold, beginning as a tag may; else false
 * and *why says what is wrong. */
bool tag_format_check(const char *format, const char **why);
/* Sets *b to format with version and alias put in; not checked. */
void tag_alias(struct buf *b, const char *format, const char *version, const char *alias);

/* True when version is of the form X.Y.Z[-pre], as canonical tags' are. */
bool tag_version_ok(const char *version);

/* What a tag of a repository is to the pipeline, read back. */
enum tag_kind {
	TAG_OTHER,      /* an alias, or no name of the pipeline's */
	TAG_CANONICAL,  /* <version>-base-<key16> */
	TAG_BUILD,      /* <version>-base-<key16>.<8 hex> */
};
/* The kind of tag; a canonical or build tag's version, of the form
 * X.Y.Z[-pre], is its first *version_len bytes. */
enum tag_kind tag_kind_of(const char *tag, size_t *version_len);
/* True when tag is format's alias of version (with any alias); version NULL:
 * of any version of the form X.Y.Z[-pre] (a release's alias, not a floating
 * one). */
bool tag_is_alias_of(const char *format, const char *version, const char *tag);

#endif
