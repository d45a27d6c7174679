/* image-probe: which image references exist, and their digests (HEAD only). */
#include "util.h"
#include "ref.h"
#include "registry.h"

#include <stdlib.h>

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: %s [OPTIONS] [REF...]\n"
	        "Prints REF<TAB>DIGEST for each reference that exists and REF<TAB>- for\n"
	        "each that does not (references one a line on stdin when none is given).\n"
	        "HEAD requests only: no counted pull.\n"
	        "OPTIONS:\n%s  --help\n",
	        argv0, registry_usage);
	exit(status);
}

int main(int argc, char **argv)
{
	argv0 = "image-probe";
	struct registry_options o;
	int first = registry_parse_args(argc, argv, &o, NULL, usage);
	struct registry *reg = registry_begin(&o);
	struct reflist refs;
	int status = 0;
	struct buf out = {0};
	if (!reflist_read(&refs, argv + first, (size_t)(argc - first)))
		status = EXIT_BAD;
	for (size_t i = 0; i < refs.n && !status; i++) {
		struct manifest m;
		int rc = manifest_head(reg, &refs.ref[i], &m);
		if (rc == REG_FAILED) {
			warnx("%s: %s", refs.text[i], registry_error(reg));
			status = EXIT_BAD;
		} else {
			buf_printf(&out, "%s\t%s\n", refs.text[i], rc == REG_OK ? m.digest : "-");
		}
		manifest_free(&m);
	}
	if (!status)
		output(&out);
	buf_free(&out);
	reflist_free(&refs);
	registry_end(reg);
	return status;
}
