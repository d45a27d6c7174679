/* arch_filter.c: arch-filter's own work (see arch_filter.h). */
#include "arch_filter.h"
#include "group_line.h"
#include "platform.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Platforms of the names in each line, joined on one line. */
static void filter_names(const struct input *in, const struct strlist *allow, struct buf *out)
{
	struct strlist platforms = {0};
	size_t pos = 0, lineno = 0;
	const char *line;
	size_t len;
	while (next_line(&in->text, &pos, &line, &len)) {
		struct strlist names = {0};
		lineno++;
		if (memchr(line, '\0', len))
			die_at(in->name, lineno, "NUL byte: not a list of names");
		platform_split(line, len, &names);
		const char *bad = platform_filter(names.v, names.n, allow, &platforms);
		if (bad)
			die_at(in->name, lineno, "unknown architecture %s", quoted(bad));
		strlist_free(&names);
	}
	if (platforms.n == 0)
		warnx("%s: no allowed platform", in->name);
	for (size_t i = 0; i < platforms.n; i++)
		buf_printf(out, "%s%s", i ? "," : "", platforms.v[i]);
	buf_addc(out, '\n');
	strlist_free(&platforms);
}

/* Each group line with "platforms" added; groups left with none dropped. */
static void filter_groups(const struct input *in, const struct strlist *allow, struct buf *out)
{
	size_t pos = 0, lineno = 0;
	json_t *g;
	while ((g = group_line_next(in, &pos, &lineno))) {
		struct strlist arches = {0}, platforms = {0};
		const char *key = group_line_string(in, lineno, g, "group_key");
		group_line_strings(in, lineno, g, "architectures", &arches);
		const char *bad = platform_filter(arches.v, arches.n, allow, &platforms);
		if (bad) {
			json_decref(g);
			die_at(in->name, lineno, "unknown architecture %s", quoted(bad));
		}
		if (platforms.n == 0) {
			char *name = quoted(key);
			warnx("%s:%zu: dropped group %s: no allowed platform", in->name, lineno, name);
			free(name);
		} else {
			group_line_set_last(g, "platforms", group_line_array(&platforms));
			char *s = json_dumps(g, JSON_COMPACT);
			if (!s)
				die(EXIT_BAD, "out of memory");
			buf_printf(out, "%s\n", s);
			free(s);
		}
		strlist_free(&arches);
		strlist_free(&platforms);
		json_decref(g);
	}
}

/* Group lines start with a JSON value; plain names never do. */
static bool json_input(const struct buf *text)
{
	size_t skip = strspn(text->data, " \t\r\n");
	return text->data[skip] == '{' || text->data[skip] == '[';
}

void arch_filter(const struct input *in, const struct strlist *allow, struct buf *out)
{
	if (json_input(&in->text))
		filter_groups(in, allow, out);
	else if (in->text.data[strspn(in->text.data, " \t\r\n")])
		filter_names(in, allow, out);
}
