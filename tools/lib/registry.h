#ifndef REGISTRY_H
#define REGISTRY_H
/* ---- registry.h: a small OCI distribution client on libcurl ----------------
 * What a registry tool includes.  The client's files, lowest first:
 *
 *   registry_options.c  the options every registry tool shares
 *   http_param.c        tokens and quoted-strings of HTTP headers
 *   challenge.c         WWW-Authenticate challenges
 *   credentials.c       credentials, as the docker CLI finds them
 *   link.c              the Link header of a paged answer
 *   client.c            the handle: begin, end, the last error
 *   transport.c         requests: retries with backoff, timeouts, counts
 *   authorize.c         the 401: challenges, credentials, bearer tokens
 *   manifest.c          manifest head, get and put
 *   tag_list.c          a repository's tag list, following Link pages
 */
#include "client.h"
#include "link.h"
#include "manifest.h"
#include "registry_options.h"
#include "tag_list.h"

#endif
