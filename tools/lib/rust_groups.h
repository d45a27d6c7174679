#ifndef RUST_GROUPS_H
#define RUST_GROUPS_H
/* ---- rust_groups.c: rust-groups' own work ----------------------------------- */
#include "library.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

/* Which group key a line has: the documented one; the original workflow's
 * instead (a plain key written "<commit>: <directory>", as its awk hashed
 * it, so its matrix is reproduced); or both, the workflow's key tag as
 * "workflow_key_tag" beside group_key_tag (so its images are found). */
enum group_keys { KEYS_DOCUMENTED, KEYS_WORKFLOW, KEYS_BOTH };
/* rust-groups' output: one line per group (or, matrix, one JSON array),
 * sorted by group_key, each {group_key, group_key_tag, [workflow_key_tag,]
 * rust_aliases, shared_aliases, architectures, representative_rust_tag}. */
void rust_groups_print(const struct source_group *groups, size_t n, enum group_keys keys,
                       bool matrix, struct buf *out);

#endif
