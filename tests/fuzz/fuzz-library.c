/*
 * fuzz-library: a library file through rust-groups' code: library_parse()
 * (parse and validate), library_source_groups(), library_representative() and the
 * JSON lines of the groups (rust_groups_print), with both kinds of key.
 */
#include "fuzz.h"
#include "library.h"
#include "rust_groups.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct run {
	struct input in;
	struct library lib;
};

static void parse(void *arg)
{
	struct run *r = arg;
	library_parse(&r->lib, &r->in);
}

static bool is_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return s[n] == '\0' && (n == 40 || n == 64);
}

/* What a group promises the filters after it (library.h). */
static void check_group(const struct source_group *g)
{
	fuzz_assert(g->key && *g->key);
	fuzz_assert(g->tags.n > 0 && g->arches.n > 0);
	for (size_t i = 0; i < g->tags.n; i++)
		fuzz_assert(valid_tag(g->tags.v[i]));
	for (size_t i = 0; i < g->shared.n; i++)
		fuzz_assert(valid_tag(g->shared.v[i]));
	for (size_t i = 0; i < g->arches.n; i++)
		fuzz_assert(platform_of_arch(g->arches.v[i]));
	if (g->plain) {
		fuzz_assert(is_commit(g->commit));
		char *key = xasprintf("%s:%s", g->commit, g->directory);
		fuzz_assert(strcmp(key, g->key) == 0);
		free(key);
	}
	const char *rep = library_representative(&g->tags);
	fuzz_assert(rep && strlist_has(&g->tags, rep));
}

/* Every line printed is one JSON object, keys sorted, of each kind of key. */
static void check_lines(const struct source_group *groups, size_t n)
{
	for (int keys = KEYS_DOCUMENTED; keys <= KEYS_BOTH; keys++) {
		struct buf out = {0};
		rust_groups_print(groups, n, (enum group_keys)keys, false, &out);
		size_t pos = 0, len, lines = 0;
		const char *line;
		char *previous = NULL;
		while (next_line(&out, &pos, &line, &len)) {
			json_t *g = json_loadb(line, len, 0, NULL);
			fuzz_assert(json_is_object(g));
			const char *key = json_string_value(json_object_get(g, "group_key"));
			fuzz_assert(key);
			fuzz_assert(!previous || strcmp(previous, key) < 0);
			free(previous);
			previous = xstrdup(key);
			json_decref(g);
			lines++;
		}
		fuzz_assert(lines == n);
		free(previous);
		buf_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	argv0 = "rust-groups";
	fuzz_input(&r.in, data, size);
	if (fuzz_run(parse, &r)) {
		struct source_group *groups;
		size_t n, tags = 0, grouped = 0;
		library_source_groups(&r.lib, &groups, &n);
		for (size_t i = 0; i < r.lib.n; i++)
			tags += r.lib.entry[i].list[LIST_TAGS].n;
		for (size_t i = 0; i < n; i++) {
			check_group(&groups[i]);
			grouped += groups[i].tags.n;
			for (size_t j = 0; j < i; j++)   /* two sources, two keys */
				fuzz_assert(strcmp(groups[i].key, groups[j].key) != 0);
		}
		fuzz_assert(grouped == tags);   /* Tags are unique across the file */
		check_lines(groups, n);
		source_groups_free(groups, n);
		library_free(&r.lib);
	}
	input_free(&r.in);
	return 0;
}
