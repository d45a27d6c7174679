# Fuzzing: one libFuzzer target per parser of untrusted text, built with
# clang, ASan and UBSan from tests/fuzz/fuzz-<target>.c over tools/lib/.
#   make fuzz [FUZZ_SECONDS=60]   runs each target FUZZ_SECONDS; a crash is
#                                 saved to tests/fuzz/regressions/<target>/
#   make fuzz-smoke               the same for FUZZ_SMOKE_SECONDS (3) each
#   make fuzz-build               builds build/fuzz/fuzz-<target>
#   make fuzz-replay              runs every target on its regressions
# Working corpora stay under build/fuzz/, so a run goes on from the last.
FUZZ_TARGETS = library semver tag-list arch-filter tag-gen ref challenge token response link
FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 3
FUZZ_CC      = clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  = $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_OBJ     = $(LIBSRC:tools/lib/%.c=build/fuzz/obj/lib/%.o)
FUZZ_BINS    = $(FUZZ_TARGETS:%=build/fuzz/fuzz-%)

build/fuzz/obj/lib/%.o: tools/lib/%.c $(LIBHDR) config.mk mk/fuzz.mk | deps
	@mkdir -p build/fuzz/obj/lib
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/obj/fuzz.o: tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(LIBHDR) config.mk mk/fuzz.mk | deps
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -Itools/lib -c -o $@ $<

# An archive: each target links the library objects it calls, no more.
build/fuzz/libutil.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $(FUZZ_OBJ)

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c build/fuzz/obj/fuzz.o build/fuzz/libutil.a
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -Itools/lib -Itests/fuzz \
		-o $@ $< build/fuzz/obj/fuzz.o build/fuzz/libutil.a $(DEPLIBS)

fuzz-build: $(FUZZ_BINS)

# The seeds of arch-filter and tag-gen include the filters' own output.
fuzz: $(FUZZ_BINS) bin/rust-groups bin/arch-filter
	@status=0; for t in $(FUZZ_TARGETS); do \
		BIN="$(CURDIR)/bin" CORPUS="$(abspath $(CORPUS))" \
		sh tests/fuzz/run.sh --save $$t $(FUZZ_SECONDS) build/fuzz || status=1; \
	done; exit $$status

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-replay: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		[ -d tests/fuzz/regressions/$$t ] || continue; \
		ASAN_OPTIONS=detect_leaks=0 build/fuzz/fuzz-$$t tests/fuzz/regressions/$$t/* \
			>/dev/null 2>&1 || \
			{ echo "fuzz-$$t crashes on a regression input: rerun it by hand" >&2; exit 1; }; \
	done

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-replay
