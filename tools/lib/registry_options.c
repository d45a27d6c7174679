/* registry_options.c: the registry tools' common options (see registry_options.h). */
#include "registry_options.h"
#include "util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char registry_usage[] =
	"  --insecure              plain HTTP to a non-loopback registry\n"
	"  --attempts N            send a request at most N times (5)\n"
	"  --deadline SECONDS      time bound of a request and its retries (120)\n"
	"  --connect-timeout SECONDS   (10)\n"
	"  --stall-timeout SECONDS     abort a transfer idle this long (30)\n";

struct knob {
	const char *option, *env;
	size_t offset;
	long min, max;
};

static const struct knob knobs[] = {
	{"--attempts", "REGISTRY_ATTEMPTS", offsetof(struct registry_options, attempts), 1, 100},
	{"--deadline", "REGISTRY_DEADLINE", offsetof(struct registry_options, deadline), 1, 86400},
	{"--connect-timeout", "REGISTRY_CONNECT_TIMEOUT",
	 offsetof(struct registry_options, connect_timeout), 1, 3600},
	{"--stall-timeout", "REGISTRY_STALL_TIMEOUT",
	 offsetof(struct registry_options, stall_timeout), 1, 3600},
	{NULL, "REGISTRY_BACKOFF_MS", offsetof(struct registry_options, backoff_ms), 0, 600000},
};

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void set_knob(const struct knob *k, struct registry_options *o, const char *name,
                     const char *value, void (*usage)(int))
{
	if (!parse_long(value, k->min, k->max, (long *)((char *)o + k->offset))) {
		warnx("%s: want a whole number from %ld to %ld, not \"%s\"", name, k->min, k->max, value);
		usage(EXIT_USAGE);
		exit(EXIT_USAGE);
	}
}

/* A host of a connect-to entry, up to the ':' after it. */
static const char *host_part(const char *p)
{
	if (*p == '[') {
		size_t n = strspn(p + 1, "0123456789abcdefABCDEF:.");
		return n > 1 && p[1 + n] == ']' ? p + n + 2 : NULL;
	}
	const char *start = p, *label = p;
	for (;; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9');
		if (alnum)
			continue;
		if (*p == '-' && p > label)
			continue;
		if (*p == '.' && p > label && p[-1] != '-') {
			label = p + 1;
			continue;
		}
		break;
	}
	return p > label && p[-1] != '-' && p - start <= 253 ? p : NULL;
}

/* A port, 1 to 65535, up to the character after it. */
static const char *port_part(const char *p)
{
	size_t n = strspn(p, "0123456789");
	if (n < 1 || n > 5 || *p == '0')
		return NULL;
	long v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535 ? p + n : NULL;
}

bool valid_connect_to(const char *s, const char **why)
{
	const char *p = s;
	for (;;) {
		for (int part = 0; part < 4; part++) {
			const char *end = part % 2 ? port_part(p) : host_part(p);
			if (!end || (part < 3 && *end != ':')) {
				*why = part % 2 ? "want a port from 1 to 65535" : "want a host name or address";
				return false;
			}
			p = end + (part < 3);
		}
		if (*p == '\0')
			return true;
		if (*p != ',' || p[1] == '\0') {
			*why = "want HOST:PORT:TO_HOST:TO_PORT[,...]";
			return false;
		}
		p++;
	}
}

int registry_parse_args(int argc, char **argv, struct registry_options *o,
                        const struct registry_flag *flags, void (*usage)(int))
{
	*o = (struct registry_options){false, 5, 120, 10, 30, 500, NULL};
	const char *connect_to = getenv("REGISTRY_CONNECT_TO"), *why;
	if (connect_to && *connect_to) {
		if (!valid_connect_to(connect_to, &why)) {
			warnx("REGISTRY_CONNECT_TO: %s", why);
			usage(EXIT_USAGE);
			exit(EXIT_USAGE);
		}
		o->connect_to = connect_to;
	}
	const char *ca = getenv("REGISTRY_CA_FILE");
	if (ca && *ca && access(ca, R_OK) != 0) {
		char *q = quoted(ca);
		warnx("REGISTRY_CA_FILE: cannot read %s", q);
		free(q);
		usage(EXIT_USAGE);
		exit(EXIT_USAGE);
	}
	for (size_t k = 0; k < sizeof knobs / sizeof *knobs; k++) {
		const char *v = getenv(knobs[k].env);
		if (v && *v)
			set_knob(&knobs[k], o, knobs[k].env, v, usage);
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--help") == 0)
			usage(0);
		if (strcmp(a, "--insecure") == 0) {
			o->insecure = true;
			continue;
		}
		const struct registry_flag *f = flags;
		while (f && f->name && strcmp(a, f->name) != 0)
			f++;
		if (f && f->name) {
			*f->value = true;
			continue;
		}
		const struct knob *k = knobs;
		size_t n = strcspn(a, "=");
		while (k->option && !(strlen(k->option) == n && strncmp(a, k->option, n) == 0))
			k++;
		if (!k->option) {
			warnx("unknown option %s", a);
			usage(EXIT_USAGE);
			exit(EXIT_USAGE);
		}
		const char *value = a[n] == '=' ? a + n + 1 : argv[++i];
		if (!value) {
			warnx("%s needs a value", k->option);
			usage(EXIT_USAGE);
			exit(EXIT_USAGE);
		}
		set_knob(k, o, k->option, value, usage);
	}
	return i;
}
