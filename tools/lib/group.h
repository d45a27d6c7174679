#ifndef GROUP_H
#define GROUP_H
/* ---- group.c: group lines -------------------------------------------------
 * The groups travel between filters as JSON lines: rust-groups prints one
 * object a line, arch-filter adds "platforms", tag-gen adds "canonical" and
 * "tags".  Each filter reads them the same way and dies naming the line. */
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

/* The next non-blank line of in from *pos as a JSON object (new reference),
 * with its number in *lineno; NULL at the end of the input. */
struct json_t *group_next(const struct input *in, size_t *pos, size_t *lineno);
/* The string member key of group g; dies naming the line when it is missing
 * or not a string. */
const char *group_string(const struct input *in, size_t lineno, struct json_t *g,
                         const char *key);
/* Appends the array of strings key of group g to *out; dies naming the line
 * when it is missing or holds anything but strings. */
void group_strings(const struct input *in, size_t lineno, struct json_t *g,
                   const char *key, struct strlist *out);
/* Sets member key of g to v (stealing the reference) as its last member, so a
 * filter's additions always end the line whatever its input held. */
void group_set_last(struct json_t *g, const char *key, struct json_t *v);
/* A JSON array of strings made of l (new reference). */
struct json_t *group_array(const struct strlist *l);

struct lib_group;
/* rust-groups' output: one line per group (or, matrix, one JSON array),
 * sorted by group_key, each {group_key, group_key_tag, rust_aliases,
 * shared_aliases, architectures, representative_rust_tag}; with
 * workflow_keys a plain key is written "<commit>: <directory>", as the
 * original workflow hashed it, so its images are found. */
void group_print(const struct lib_group *groups, size_t n, bool workflow_keys, bool matrix,
                 struct buf *out);
#endif
