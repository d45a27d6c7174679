/* arch-filter: bashbrew architectures to the buildx platforms to build. */
#include "util.h"
#include "platform.h"

#include <getopt.h>
#include <stdlib.h>


static _Noreturn void usage(int status)
{
	fputs("usage: arch-filter [--allow LIST | --all] [FILE]\n"
	      "Maps architecture names (amd64, arm64v8, ...) to buildx platforms,\n"
	      "keeping the allowed ones (default " PLATFORM_DEFAULT_ALLOW ").\n"
	      "Plain names in: one comma-joined line out.  Group lines of rust-groups\n"
	      "in: each gets \"platforms\"; a group left with none is dropped.\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"allow", required_argument, NULL, 'a'},
		{"all", no_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	argv0 = "arch-filter";
	const char *list = NULL;
	bool all = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'a': list = optarg; break;
		case 'A': all = true; break;
		case 'h': usage(0); break;
		case ':': warnx("%s needs an argument", argv[optind - 1]); usage(EXIT_USAGE);
		default: warnx("bad option %s", argv[optind - 1]); usage(EXIT_USAGE);
		}
	}
	if (list && all) {
		warnx("--allow and --all exclude each other");
		usage(EXIT_USAGE);
	}
	if (argc - optind > 1) {
		warnx("one FILE at most");
		usage(EXIT_USAGE);
	}

	struct strlist allow = {0};
	const char *bad = platform_parse_allow(list ? list : PLATFORM_DEFAULT_ALLOW, &allow);
	if (bad && !*bad)
		die(EXIT_BAD, "--allow: no platform in the list");
	if (bad)
		die(EXIT_BAD, "--allow: unknown platform %s (see arch-filter(1))", quoted(bad));
	struct input in;
	input_read(&in, argv[optind]);
	struct buf out = {0};
	platform_filter_input(&in, all ? NULL : &allow, &out);
	output(&out);
	buf_free(&out);
	input_free(&in);
	strlist_free(&allow);
	return 0;
}
