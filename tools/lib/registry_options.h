#ifndef REGISTRY_OPTIONS_H
#define REGISTRY_OPTIONS_H
/* ---- registry_options.c: the options every registry tool shares ------------
 * --insecure, --attempts, --deadline, --connect-timeout, --stall-timeout,
 * their REGISTRY_* variables, REGISTRY_CONNECT_TO, and a tool's own boolean
 * flags. */
#include <stdbool.h>

/* The knobs every registry tool shares (options and REGISTRY_* variables). */
struct registry_options {
	bool insecure;          /* --insecure: plain HTTP to non-loopback hosts */
	long attempts;          /* --attempts N: sends of one request, at most */
	long deadline;          /* --deadline S: seconds for one operation, retries and all */
	long connect_timeout;   /* --connect-timeout S */
	long stall_timeout;     /* --stall-timeout S: abort a transfer idle this long */
	long backoff_ms;        /* REGISTRY_BACKOFF_MS: the first retry waits up to this */
	const char *connect_to; /* REGISTRY_CONNECT_TO, validated; NULL when unset */
};

/* Whether s is a REGISTRY_CONNECT_TO value: HOST:PORT:TO_HOST:TO_PORT[,...]
 * (curl's --connect-to, every part given; a host is a DNS name, an IPv4
 * address or a [bracketed] IPv6 one; a port 1 to 65535).  On false *why
 * is a static message. */
bool valid_connect_to(const char *s, const char **why);

/* A tool's own boolean flag, for registry_parse_args. */
struct registry_flag {
	const char *name;       /* "--raw" */
	bool *value;
};

/* Parses the common options (after the REGISTRY_* variables, which they
 * override) and the tool's flags (a list ended by {0}) out of argv; --help
 * calls usage(0), a bad option or value usage(2) after a message (usage
 * must exit).  Returns the index of the first operand. */
int registry_parse_args(int argc, char **argv, struct registry_options *o,
                        const struct registry_flag *flags, void (*usage)(int));

/* The common OPTIONS text of every tool's usage message. */
extern const char registry_usage[];

#endif
