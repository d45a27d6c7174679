# The pipeline's goals besides publish (included by Makefile under the lock).
PROBE_TOOLS = bin/image-probe bin/image-alias bin/image-manifest

# Per group: canonical, its decision (mk/decide.sh), platforms, aliases; and the
# counted reads (GETs) publish would spend.  HEAD requests only.
plan: $(STATE)/groups.mk | $(PROBE_TOOLS)
	@mk/report.sh plan

# The groups as a GitHub Actions matrix: {"include":[{"group":..},..]}.
matrix: $(STATE)/plan.jsonl
	@mk/report.sh matrix

# One group, by its key16: what a matrix job of the workflow runs.
group: $(if $(filter $(G),$(PLAN_GROUPS)),group-$(G),group-unknown)
group-unknown:
	@echo "make group: G=$(G) is not a group of the plan; make plan lists them" >&2; exit 1

# Every tag of the plan at its canonical digest (HEAD requests only).
verify: $(STATE)/plan.jsonl | $(PROBE_TOOLS)
	@mk/report.sh verify

# Every group again, its stamp ignored: each tag HEADed, those moved outside
# the pipeline pointed back (one GET per group that drifted), a missing
# image built.
repair: $(PLAN_GROUPS:%=repair-%)
	@:

FORCE:

.PHONY: plan matrix group group-unknown verify repair publish FORCE $(PLAN_GROUPS:%=group-%) \
	$(PLAN_GROUPS:%=repair-%)
