/* credentials.c: docker config.json and credential helpers (see credentials.h). */
#include "credentials.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

extern char **environ;

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void credentials_free(struct credentials *cr)
{
	wipe_free(cr->user);
	wipe_free(cr->secret);
	*cr = (struct credentials){0};
}

static bool is_hub(const char *host)
{
	return strcmp(host, "registry-1.docker.io") == 0;
}

/* Whether a config.json key ("https://index.docker.io/v1/", "ghcr.io",
 * "http://127.0.0.1:5000") names host, as the docker CLI compares them:
 * without scheme and path. */
static bool key_matches(const char *key, const char *host)
{
	if (strncmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncmp(key, "http://", 7) == 0)
		key += 7;
	size_t n = strcspn(key, "/");
	if (is_hub(host))
		return (n == 15 && strncmp(key, "index.docker.io", n) == 0) ||
		       (n == 9 && strncmp(key, "docker.io", n) == 0) ||
		       (n == 20 && strncmp(key, "registry-1.docker.io", n) == 0);
	return strlen(host) == n && strncmp(key, host, n) == 0;
}

bool credentials_host_matches(const char *name, const char *host)
{
	return key_matches(name, host);
}

static json_t *object_for_host(json_t *obj, const char *host)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
		if (key_matches(key, host))
			return v;
	return NULL;
}

/* "user:password" in base64 (config.json's auths[host].auth). */
static int decode_auth(const char *b64, struct credentials *cr, char **err)
{
	size_t n = strlen(b64);
	if (n == 0 || n % 4 != 0 || n > 65536)
		return *err = xstrdup("config.json: auth is not base64"), -1;
	unsigned char *out = xmalloc(n / 4 * 3 + 1);
	int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (len < 0) {
		free(out);
		return *err = xstrdup("config.json: auth is not base64"), -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	for (const char *p = b64 + n - 1; p > b64 && *p == '=' && len > 0; p--)
		len--;
	out[len] = '\0';
	char *colon = memchr(out, ':', (size_t)len);
	int rc = 1;
	if (!colon || strlen((char *)out) != (size_t)len) {
		*err = xstrdup("config.json: auth is not base64 of user:password");
		rc = -1;
	} else {
		cr->user = xstrndup((char *)out, (size_t)(colon - (char *)out));
		cr->secret = xstrdup(colon + 1);
	}
	OPENSSL_cleanse(out, (size_t)len);
	free(out);
	return rc;
}

/* A credential helper's name is a command-name suffix: nothing a shell or
 * a path would read specially. */
static bool valid_helper(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	                 strlen(s);
}

static void read_all(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (b->len < 1 << 20)
			buf_add(b, chunk, (size_t)n);
	}
	OPENSSL_cleanse(chunk, sizeof chunk);
}

/* docker-credential-NAME get: the server on stdin, JSON on stdout. */
static int run_helper(const char *name, const char *server, struct credentials *cr, char **err)
{
	if (!valid_helper(name))
		return *err = xasprintf("config.json: bad credential helper name \"%s\"", name), -1;
	char *prog = xasprintf("docker-credential-%s", name);
	int in[2], out[2];
	if (pipe(in) < 0 || pipe(out) < 0)
		die(EXIT_BAD, "pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(out[i], F_SETFD, FD_CLOEXEC);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	char *args[] = {prog, "get", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		*err = xasprintf("cannot run %s: %s", prog, strerror(rc));
		free(prog);
		return -1;
	}
	/* a helper that exits without reading gives EPIPE (SIGPIPE is ignored) */
	size_t len = strlen(server);
	if (write(in[1], server, len) != (ssize_t)len && errno != EPIPE)
		warnx("%s: write: %s", prog, strerror(errno));
	close(in[1]);
	struct buf text = {0};
	read_all(out[0], &text);
	close(out[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = 0;   /* a failing helper means "no credentials for this server" */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		json_t *j = json_loadb(text.data ? text.data : "", text.len, 0, NULL);
		const char *u = json_string_value(json_object_get(j, "Username"));
		const char *s = json_string_value(json_object_get(j, "Secret"));
		if (u && s) {
			cr->identity_token = strcmp(u, "<token>") == 0;
			cr->user = xstrdup(u);
			cr->secret = xstrdup(s);
			rc = 1;
		} else {
			*err = xasprintf("%s: answer without Username and Secret", prog);
			rc = -1;
		}
		json_decref(j);
	}
	if (text.data)
		OPENSSL_cleanse(text.data, text.len);
	buf_free(&text);
	free(prog);
	return rc;
}

static char *config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return xasprintf("%s/config.json", dir);
	const char *home = getenv("HOME");
	return home && *home ? xasprintf("%s/.docker/config.json", home) : NULL;
}

static int from_config(json_t *cfg, const char *host, struct credentials *cr, char **err)
{
	const char *server = is_hub(host) ? "https://index.docker.io/v1/" : host;
	const char *helper = json_string_value(object_for_host(json_object_get(cfg, "credHelpers"), host));
	if (!helper)
		helper = json_string_value(json_object_get(cfg, "credsStore"));
	if (helper && *helper) {
		int rc = run_helper(helper, server, cr, err);
		if (rc != 0)
			return rc;
	}
	json_t *entry = object_for_host(json_object_get(cfg, "auths"), host);
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	if (auth && *auth)
		return decode_auth(auth, cr, err);
	const char *id = json_string_value(json_object_get(entry, "identitytoken"));
	if (id && *id) {
		cr->user = xstrdup("<token>");
		cr->secret = xstrdup(id);
		cr->identity_token = true;
		return 1;
	}
	return 0;
}

enum credentials_found credentials_find(const char *host, struct credentials *cr, char **err)
{
	*cr = (struct credentials){0};
	*err = NULL;
	const char *user = getenv("REGISTRY_USER"), *pass = getenv("REGISTRY_PASSWORD");
	const char *owner = getenv("REGISTRY_CREDENTIALS_HOST");
	if (user && *user) {
		if (!pass)
			return *err = xstrdup("REGISTRY_USER is set but REGISTRY_PASSWORD is not"), -1;
		/* the environment's credentials are for one registry, named: an
		 * unnamed one gets them never, so a base registry never sees them */
		if (owner && *owner && credentials_host_matches(owner, host)) {
			cr->user = xstrdup(user);
			cr->secret = xstrdup(pass);
			return 1;
		}
		if (!owner || !*owner)
			warnx("REGISTRY_USER is set but REGISTRY_CREDENTIALS_HOST is not: the environment's "
			      "credentials go to no registry (%s asked for some)", host);
	}
	char *path = config_path();
	if (!path || access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	json_error_t je;
	json_t *cfg = json_load_file(path, 0, &je);
	int rc;
	if (!cfg) {
		*err = xasprintf("%s:%d: %s", path, je.line, je.text);
		rc = -1;
	} else if (!json_is_object(cfg)) {
		*err = xasprintf("%s: not a JSON object", path);
		rc = -1;
	} else {
		rc = from_config(cfg, host, cr, err);
	}
	json_decref(cfg);
	free(path);
	if (rc < 0)
		credentials_free(cr);
	return rc;
}
