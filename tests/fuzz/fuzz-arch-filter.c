/*
 * fuzz-arch-filter: arch-filter on architecture lists and on group lines.
 * The first line holds its options ("--allow LIST" or "--all"); the rest is
 * its input, told apart as the tool does.  Property: every platform printed
 * is one of the table, and one --allow admits.
 */
#include "fuzz.h"
#include "platform.h"

#include <string.h>

#include <jansson.h>

struct run {
	struct input in;
	const char *list;       /* --allow */
	bool all;               /* --all */
	struct strlist allow;
	struct buf out;
};

static void run(void *arg)
{
	struct run *r = arg;
	const char *bad = platform_parse_allow(r->list ? r->list : PLATFORM_DEFAULT_ALLOW, &r->allow);
	if (bad)
		die(EXIT_BAD, "--allow: unknown platform %s", quoted(bad));
	platform_filter_input(&r->in, r->all ? NULL : &r->allow, &r->out);
}

static void check_platform(const struct run *r, const char *p)
{
	fuzz_assert(arch_of_platform(p));
	fuzz_assert(r->all || strlist_has(&r->allow, p));
}

/* Each output line: "p1,p2,..." for names, a group object for groups. */
static void check_output(const struct run *r)
{
	size_t pos = 0, len;
	const char *line;
	while (next_line(&r->out, &pos, &line, &len)) {
		json_t *g = json_loadb(line, len, 0, NULL);
		if (!g) {
			struct strlist names = {0};
			platform_split(line, len, &names);
			for (size_t i = 0; i < names.n; i++)
				check_platform(r, names.v[i]);
			strlist_free(&names);
			continue;
		}
		json_t *platforms = json_object_get(g, "platforms"), *p;
		size_t i;
		fuzz_assert(json_array_size(platforms) > 0);
		json_array_foreach(platforms, i, p) {
			fuzz_assert(json_is_string(p));
			check_platform(r, json_string_value(p));
		}
		json_decref(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {0};
	struct strlist args = {0};
	argv0 = "arch-filter";
	fuzz_args_input(data, size, &args, &r.in);
	for (size_t i = 0; i < args.n; i++) {
		if (strcmp(args.v[i], "--all") == 0)
			r.all = true;
		else if (strcmp(args.v[i], "--allow") == 0 && i + 1 < args.n)
			r.list = args.v[++i];
	}
	if (fuzz_run(run, &r))
		check_output(&r);
	buf_free(&r.out);
	strlist_free(&r.allow);
	strlist_free(&args);
	input_free(&r.in);
	return 0;
}
