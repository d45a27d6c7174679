#ifndef RUST_GROUPS_H
#define RUST_GROUPS_H
/* ---- rust_groups.c: rust-groups' own work ----------------------------------- */
#include "library.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

/* rust-groups' output: one line per group (or, matrix, one JSON array),
 * sorted by group_key, each {group_key, group_key_tag, rust_aliases,
 * shared_aliases, architectures, representative_rust_tag}; with
 * workflow_keys a plain key is written "<commit>: <directory>", as the
 * original workflow hashed it, so its images are found. */
void rust_groups_print(const struct source_group *groups, size_t n, bool workflow_keys,
                       bool matrix, struct buf *out);

#endif
