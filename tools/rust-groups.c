/* rust-groups: the build groups of a library file, one JSON object a line. */
#include "util.h"
#include "library.h"
#include "rust_groups.h"

#include <getopt.h>
#include <stdlib.h>


static void usage(int status)
{
	fputs("usage: rust-groups [--workflow-keys | --with-workflow-keys] [--matrix] [FILE]\n"
	      "Reads a Docker Official Images library file (stdin without FILE) and\n"
	      "prints one JSON object per group of entries built from the same\n"
	      "sources, sorted by group_key: group_key, group_key_tag, rust_aliases,\n"
	      "shared_aliases, architectures, representative_rust_tag.\n"
	      "  --workflow-keys  keys as the original workflow hashed them, \"COMMIT: DIR\"\n"
	      "  --with-workflow-keys  the documented keys, and the workflow's key tag\n"
	      "                   beside each group_key_tag, as workflow_key_tag\n"
	      "  --matrix         one JSON array instead of one object a line\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"workflow-keys", no_argument, NULL, 'w'},
		{"with-workflow-keys", no_argument, NULL, 'W'},
		{"matrix", no_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum group_keys keys = KEYS_DOCUMENTED;
	bool matrix = false;
	int c;
	argv0 = "rust-groups";
	opterr = 0;     /* getopt would name the path of the binary */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'W':
			if (keys != KEYS_DOCUMENTED) {
				warnx("--workflow-keys and --with-workflow-keys exclude each other");
				usage(EXIT_USAGE);
			}
			keys = c == 'w' ? KEYS_WORKFLOW : KEYS_BOTH;
			break;
		case 'm': matrix = true; break;
		case 'h': usage(0); break;
		default:
			warnx("unknown option %s", argv[optind - 1]);
			usage(EXIT_USAGE);
		}
	}
	if (argc - optind > 1) {
		warnx("one FILE at most");
		usage(EXIT_USAGE);
	}

	struct input in;
	struct library lib;
	struct source_group *groups;
	size_t n;
	input_read(&in, optind < argc ? argv[optind] : NULL);
	library_parse(&lib, &in);
	library_source_groups(&lib, &groups, &n);

	struct buf out = {0};
	rust_groups_print(groups, n, keys, matrix, &out);
	output(&out);

	buf_free(&out);
	source_groups_free(groups, n);
	library_free(&lib);
	input_free(&in);
	return 0;
}
