# cargo-chef image publisher: small C filters chained by make.
# Read top to bottom: what is built, how the pipeline runs, how it is tested.
# GNU make (4.0 or later): the makefiles use its functions, conditionals,
# includes, pattern and order-only rules.  Every recipe and $(shell) runs
# with sh -e, as .POSIX would have it: a recipe fails at its first failing
# command.
SHELL := /bin/sh
.SHELLFLAGS := -ec
.DELETE_ON_ERROR:
.SUFFIXES:

include config.mk

TOOLS = semver-check rust-groups arch-filter tag-gen \
        image-probe image-alias image-manifest image-tags

all: bin

include mk/build.mk

# ---------------------------------------------------------------------------
# The pipeline: `make publish`.  Its knobs, all of them, given on the command
# line (make publish IMAGE=..) or in the environment (IMAGE=.. make publish;
# each one taken from there is named when the run starts).  mk/check-knobs.sh
# checks every one before the first request.
#   IMAGE      target repository ([host/]name); empty: the embedded registry
#              started on loopback under $(STATE) (make registry-up)
#   UPSTREAM   the official image derived from (rust): LIBRARY's and
#              BASE_REPO's defaults
#   LIBRARY    the library file: a URL (conditional GET) or a path
#   TAGS_FROM  a git repository whose vX.Y.Z tags are cargo-chef's releases
#   VERSION    the release to publish; empty: the greatest of TAGS_FROM
#   BASE_REPO  where the base images are: BASE_REPO:<representative tag>
#   TAG_FORMAT the aliases' names, with {version} and {tag}
#   VERSION_ARG the build argument that gets the version (BASE_IMAGE the base)
#   PLATFORMS  the platforms built, at most (a group builds those it has)
#   BUILDER    buildx or buildah; empty: buildx when `docker buildx` works
#   CONTEXT    the build context, with its Dockerfile
#   STATE      where the run keeps what it knows (and the embedded registry)
#   DRY_RUN    1: probe (HEAD) and print each group's decision, no more
#   LOCK_WAIT  seconds to wait for another run on $(STATE); 0: refuse at once
#   TAGS_TIMEOUT     seconds git ls-remote of TAGS_FROM may take
#   LIBRARY_TIMEOUT  seconds the fetch of LIBRARY may take
#   ALLOW_FEWER_PLATFORMS  1: a tag may move to an image with fewer platforms
#   REFRESH_BASE  1: HEAD each group's base every run; rebuild a group whose
#              base changed since its image was built, and move its aliases
#   MIRRORS    more repositories, each given every tag of IMAGE at the same
#              digest (the one build pushed there; else copied from IMAGE)
#   (the registry tools' own bounds: REGISTRY_DEADLINE, REGISTRY_ATTEMPTS, ..)
IMAGE     ?=
UPSTREAM  ?= rust
LIBRARY   ?= https://raw.githubusercontent.com/docker-library/official-images/master/library/$(UPSTREAM)
TAGS_FROM ?= https://github.com/LukeMathWalker/cargo-chef.git
VERSION   ?=
BASE_REPO ?= docker.io/library/$(UPSTREAM)
TAG_FORMAT ?= {version}-rust-{tag}
VERSION_ARG ?= CHEF_TAG
PLATFORMS ?= linux/amd64,linux/arm64,linux/arm/v7,linux/386
BUILDER   ?=
CONTEXT   ?= docker
STATE     ?= state
DRY_RUN   ?=
LOCK_WAIT ?= 600
TAGS_TIMEOUT    ?= 60
LIBRARY_TIMEOUT ?= 120
ALLOW_FEWER_PLATFORMS ?=
REFRESH_BASE ?=
MIRRORS   ?=
KNOBS = IMAGE UPSTREAM LIBRARY TAGS_FROM VERSION BASE_REPO TAG_FORMAT VERSION_ARG \
        PLATFORMS BUILDER CONTEXT STATE DRY_RUN LOCK_WAIT TAGS_TIMEOUT LIBRARY_TIMEOUT \
        ALLOW_FEWER_PLATFORMS REFRESH_BASE MIRRORS
# The scripts read the knobs from their environment: no value is ever
# pasted into a shell command line.
export $(KNOBS)
# (a make run by this one, as make demo's, sees every knob in its environment:
# only the first make's environment is the user's)
ifeq ($(MAKELEVEL),0)
KNOBS_FROM_ENVIRONMENT := $(foreach k,$(KNOBS),$(if $(filter environment,$(origin $(k))),$(k)))
endif
export KNOBS_FROM_ENVIRONMENT
export PATH := $(CURDIR)/bin:$(PATH)

PIPELINE_GOALS = publish plan matrix group verify repair

ifndef PIPELINE_LOCKED
# A pipeline goal runs this makefile again under the lock of $(STATE)
# (mk/pipeline.mk): what follows is what that inner make does.
include mk/pipeline.mk
else
# Inputs are looked at on every run (FORCE) but each stage's output is
# rewritten only when its content changes, so a stage whose inputs did not
# change keeps its timestamp and nothing after it runs.  After make restarts
# to read a new groups.mk, the inputs are not fetched a second time.
INPUTS = $(if $(MAKE_RESTARTS),,FORCE)

# 1. The version, and whether latest* may move to it; beside it, the
#    previous release when they move (its build tags are where they are).
$(STATE)/version: $(INPUTS) mk/version.sh bin/semver-check
	@mk/version.sh "$@"
$(STATE)/previous: $(STATE)/version ;

# 2. The library file (a conditional GET for a URL).
$(STATE)/library: $(INPUTS) mk/fetch-library.sh
	@mk/fetch-library.sh "$@"

#    The knobs the plan depends on, and the build context's hash.
$(STATE)/settings: $(INPUTS) mk/settings.sh
	@mk/settings.sh "$@" IMAGE UPSTREAM BASE_REPO TAG_FORMAT PLATFORMS
$(STATE)/context: $(INPUTS) mk/context-hash.sh
	@mk/context-hash.sh "$@"

# 3. The plan: rust-groups | arch-filter | tag-gen, one JSON line per group.
#    X.done records that X was brought up to date; X itself changes only with
#    its content, and its empty recipe lets make see that (so a new script
#    that writes the same plan does not make the stages after it run).
$(STATE)/plan.jsonl: $(STATE)/plan.jsonl.done ;
$(STATE)/plan.jsonl.done: $(STATE)/version $(STATE)/previous $(STATE)/library \
                          $(STATE)/settings $(STATE)/context mk/plan.sh mk/lib.sh \
                          bin/rust-groups bin/arch-filter bin/tag-gen
	@mk/plan.sh "$(STATE)/plan.jsonl"
	@touch "$@"

#    REFRESH_BASE=1: the digest of every group's base, HEADed each run
#    (empty without it); a group's stamp holds its base's.
$(STATE)/bases: $(INPUTS) $(STATE)/plan.jsonl mk/bases.sh | bin/image-probe
	@mk/bases.sh "$@"

# 4. The generated makefile: group-<key16> made by its stamp (and, for each
#    of MIRRORS, a stamp per group and mirror: mk/mirror-group.sh).
$(STATE)/mirrors: $(INPUTS) mk/settings.sh
	@mk/settings.sh "$@" MIRRORS
$(STATE)/groups.mk: $(STATE)/groups.mk.done ;
$(STATE)/groups.mk.done: $(STATE)/plan.jsonl $(STATE)/context $(STATE)/bases $(STATE)/mirrors \
                         mk/groups.sh mk/lib.sh mk/mirror-lib.sh
	@mk/groups.sh "$(STATE)/groups.mk"
	@touch "$@"
include $(STATE)/groups.mk

# 5. Publish each group; a stamp is written only after its group succeeded.
publish: $(PLAN_GROUPS:%=group-%)
	@:
$(STATE)/stamps/%: | bin/image-probe bin/image-alias bin/image-manifest
	@mk/publish-group.sh "$(basename $*)" "$@"

include mk/pipeline-goals.mk
endif

include mk/test.mk

.PHONY: all
