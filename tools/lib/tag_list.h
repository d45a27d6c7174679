#ifndef TAG_LIST_H
#define TAG_LIST_H
/* ---- tag_list.c: a repository's tag list, page by page ---------------------
 * tags/list (no pull), following each page's Link rel="next" (link.c). */
#include "client.h"
#include "ref.h"
#include "util.h"

/* Every tag of r's repository (r's tag and digest are not looked at), in
 * the order served, following the pages' Link rel="next" (same host only,
 * no loop, 10000 pages at most): REG_OK with *tags set ("tags": null is
 * none), REG_MISSING (404: unknown repository; registry_error() has the
 * registry's words) or REG_FAILED.  Each tag is valid_tag(). */
int tag_list(struct registry *reg, const struct ref *r, struct strlist *tags);

#endif
