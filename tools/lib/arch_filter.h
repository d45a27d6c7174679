#ifndef ARCH_FILTER_H
#define ARCH_FILTER_H
/* ---- arch_filter.c: arch-filter's own work ---------------------------------- */
#include "util.h"

/* arch-filter's work on in: group lines (a line starting with '{') get
 * "platforms", the allowed platforms of their architectures, and a group
 * left with none is dropped, said on stderr; otherwise in holds architecture
 * names, whose allowed platforms are appended comma-joined on one line.
 * allow NULL allows every platform.  Dies naming the line of an unknown
 * architecture or a bad group line. */
void arch_filter(const struct input *in, const struct strlist *allow, struct buf *out);

#endif
