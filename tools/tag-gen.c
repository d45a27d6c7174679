/* tag-gen: the image references each group of sources is published under. */
#include "util.h"
#include "tags.h"

#include <getopt.h>
#include <stdlib.h>

static _Noreturn void usage(int status)
{
	fputs("usage: tag-gen --version X.Y.Z --image REPO [--plain] [--no-latest] [FILE]\n"
	      "Adds to each group line (from arch-filter) \"canonical\", REPO:X.Y.Z-base-\n"
	      "<group_key_tag>, and \"tags\": REPO:X.Y.Z-rust-<alias> and\n"
	      "REPO:latest-rust-<alias> for each alias, and REPO:latest.\n"
	      "--plain prints one reference a line; --no-latest leaves out latest*.\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"version", required_argument, NULL, 'v'},
		{"image", required_argument, NULL, 'i'},
		{"plain", no_argument, NULL, 'p'},
		{"no-latest", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	argv0 = "tag-gen";
	struct tag_options o = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'v': o.version = optarg; break;
		case 'i': o.image = optarg; break;
		case 'p': o.plain = true; break;
		case 'n': o.no_latest = true; break;
		case 'h': usage(0);
		case ':': warnx("%s needs an argument", argv[optind - 1]); usage(EXIT_USAGE);
		default: warnx("bad option %s", argv[optind - 1]); usage(EXIT_USAGE);
		}
	}
	if (!o.version || !o.image) {
		warnx("--version and --image are required");
		usage(EXIT_USAGE);
	}
	if (argc - optind > 1) {
		warnx("one FILE at most");
		usage(EXIT_USAGE);
	}

	tags_check_options(&o);
	struct input in;
	input_read(&in, argv[optind]);
	struct buf out = {0};
	tags_generate(&in, &o, &out);
	output(&out);
	buf_free(&out);
	input_free(&in);
	return 0;
}
