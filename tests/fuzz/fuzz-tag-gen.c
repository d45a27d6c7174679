/*
 * fuzz-tag-gen: tag-gen (tag_gen) on group lines.  The first line holds its options
 * ("--version X.Y.Z --image REPO [--format F] [--base B] [--context H]
 * [--plain] [--no-latest] [--kinds]"; a version and an image are given by
 * default); the rest is its input.  Properties: every reference printed
 * parses (ref_parse), is in REPO, has a tag and no digest, and no two lines
 * print the same reference; with --kinds, every line is a kind, a valid tag
 * and a version or "-".
 */
#include "fuzz.h"
#include "ref.h"
#include "tag_gen.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct run {
	struct input in;
	struct tag_gen_options o;
	struct buf out;
};

static void run(void *arg)
{
	struct run *r = arg;
	tag_gen_check_options(&r->o);
	if (r->o.kinds)
		tag_gen_kinds(&r->in, &r->o, &r->out);
	else
		tag_gen(&r->in, &r->o, &r->out);
}

/* ref is in the repository image, with a tag. */
static void check_ref(const char *image, const char *text, struct strlist *seen)
{
	struct ref want, got;
	const char *why;
	fuzz_assert(ref_parse(image, &want, &why));
	fuzz_assert(ref_parse(text, &got, &why));
	fuzz_assert(strcmp(want.host, got.host) == 0 && strcmp(want.name, got.name) == 0);
	fuzz_assert(got.tag && !got.digest);
	fuzz_assert(!strlist_has(seen, text));
	strlist_push(seen, text);
	ref_free(&want);
	ref_free(&got);
}

/* "canonical|build|alias TAG VERSION|-" */
static void check_kind(const char *text)
{
	char kind[16], tag[200], version[200];
	fuzz_assert(sscanf(text, "%15s %199s %199s", kind, tag, version) == 3);
	fuzz_assert(strcmp(kind, "canonical") == 0 || strcmp(kind, "build") == 0 ||
	            strcmp(kind, "alias") == 0);
	fuzz_assert(valid_tag(tag));
	fuzz_assert(strcmp(version, "-") == 0 || valid_tag(version));
}

static void check_output(const struct run *r)
{
	struct strlist seen = {0};
	size_t pos = 0, len;
	const char *line;
	while (next_line(&r->out, &pos, &line, &len)) {
		char *text = xstrndup(line, len);
		if (r->o.kinds) {
			check_kind(text);
			free(text);
			continue;
		}
		if (r->o.plain) {
			check_ref(r->o.image, text, &seen);
			free(text);
			continue;
		}
		json_t *g = json_loads(text, 0, NULL), *t;
		size_t i;
		fuzz_assert(g);
		fuzz_assert(json_is_string(json_object_get(g, "canonical")));
		check_ref(r->o.image, json_string_value(json_object_get(g, "canonical")), &seen);
		json_array_foreach(json_object_get(g, "tags"), i, t) {
			fuzz_assert(json_is_string(t));
			check_ref(r->o.image, json_string_value(t), &seen);
		}
		json_decref(g);
		free(text);
	}
	strlist_free(&seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {.o = {.version = "0.1.77", .image = "registry.example/cargo-chef"}};
	struct strlist args = {0};
	argv0 = "tag-gen";
	fuzz_args_input(data, size, &args, &r.in);
	for (size_t i = 0; i < args.n; i++) {
		const char *a = args.v[i], *next = i + 1 < args.n ? args.v[i + 1] : NULL;
		if (strcmp(a, "--plain") == 0)
			r.o.plain = true;
		else if (strcmp(a, "--no-latest") == 0)
			r.o.no_latest = true;
		else if (strcmp(a, "--version") == 0 && next)
			r.o.version = args.v[++i];
		else if (strcmp(a, "--image") == 0 && next)
			r.o.image = args.v[++i];
		else if (strcmp(a, "--format") == 0 && next)
			r.o.format = args.v[++i];
		else if (strcmp(a, "--base") == 0 && next)
			r.o.base = args.v[++i];
		else if (strcmp(a, "--context") == 0 && next)
			r.o.context = args.v[++i];
		else if (strcmp(a, "--kinds") == 0)
			r.o.kinds = true;
	}
	if (fuzz_run(run, &r))
		check_output(&r);
	buf_free(&r.out);
	strlist_free(&args);
	input_free(&r.in);
	return 0;
}
