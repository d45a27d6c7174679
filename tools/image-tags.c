/* image-tags: every tag of a repository, from its paged tags/list. */
#include "util.h"
#include "ref.h"
#include "registry.h"

#include <stdlib.h>

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: %s [OPTIONS] REPO\n"
	        "Prints every tag of REPO ([host[:port]/]name, no tag or digest), one a line,\n"
	        "in byte order, following the registry's pages (Link rel=\"next\", same\n"
	        "host only).  Tag listings only: no counted pull.\n"
	        "OPTIONS:\n%s  --help\n",
	        argv0, registry_usage);
	exit(status);
}

int main(int argc, char **argv)
{
	argv0 = "image-tags";
	struct registry_options o;
	int first = registry_parse_args(argc, argv, &o, NULL, usage);
	if (argc - first != 1) {
		warnx(argc - first ? "one REPO only" : "REPO is missing");
		usage(EXIT_USAGE);
	}
	const char *text = argv[first];
	struct registry *reg = registry_begin(&o);
	struct ref r;
	struct strlist tags = {0};
	struct buf out = {0};
	const char *why;
	bool ok = false;
	if (!ref_parse(text, &r, &why)) {
		ref_warn_invalid(NULL, 0, text, why);
	} else if (r.tag || r.digest) {
		warnx("%s: invalid repository: it has a tag or digest", text);
	} else if (tag_list(reg, &r, &tags) != REG_OK) {
		warnx("%s: %s", text, registry_error(reg));
	} else {
		strlist_sort_unique(&tags);
		for (size_t i = 0; i < tags.n; i++)
			buf_printf(&out, "%s\n", tags.v[i]);
		ok = true;
	}
	if (ok)
		output(&out);
	buf_free(&out);
	strlist_free(&tags);
	ref_free(&r);
	registry_end(reg);
	return ok ? 0 : EXIT_BAD;
}
