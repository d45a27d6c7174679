# Build: bin/<tool> from tools/<tool>.c over the shared library tools/lib/.
# build/san/ holds the same tools built with ASan and UBSan for the tests.
LIBSRC  = $(wildcard tools/lib/*.c)
LIBHDR  = $(wildcard tools/lib/*.h)
LIBOBJ  = $(LIBSRC:tools/lib/%.c=build/obj/lib/%.o)
SANOBJ  = $(LIBSRC:tools/lib/%.c=build/san/obj/lib/%.o)
BINS    = $(TOOLS:%=bin/%)
SANBINS = $(TOOLS:%=build/san/bin/%)
MANS    = $(TOOLS:%=tools/%.1)
DEPLIBS = $$(pkg-config --libs libcurl jansson libssl libcrypto 2>/dev/null || echo '$(LIBS)')

bin: $(BINS)
san: $(SANBINS)

# The Debian packages of mk/packages.txt, installed when one is missing:
# deps for building, deps-run for the pipeline, deps-all for the tests too.
deps:
	@sh mk/deps.sh build
deps-run: deps
	@sh mk/deps.sh run
deps-all: deps
	@sh mk/deps.sh run test

build/obj/lib/%.o: tools/lib/%.c $(LIBHDR) config.mk | deps
	@mkdir -p build/obj/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/libutil.a: $(LIBOBJ)
	rm -f $@ && ar rcs $@ $(LIBOBJ)

bin/%: tools/%.c build/libutil.a $(LIBHDR) config.mk
	@mkdir -p bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itools/lib -o $@ $< build/libutil.a $(DEPLIBS)

build/san/obj/lib/%.o: tools/lib/%.c $(LIBHDR) config.mk | deps
	@mkdir -p build/san/obj/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

build/san/libutil.a: $(SANOBJ)
	rm -f $@ && ar rcs $@ $(SANOBJ)

build/san/bin/%: tools/%.c build/san/libutil.a $(LIBHDR) config.mk
	@mkdir -p build/san/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -Itools/lib -o $@ $< build/san/libutil.a $(DEPLIBS)

install: $(BINS)
	mkdir -p "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(MANPREFIX)/man1"
	for t in $(TOOLS); do \
		cp "bin/$$t" "$(DESTDIR)$(PREFIX)/bin/$$t" && chmod 755 "$(DESTDIR)$(PREFIX)/bin/$$t" && \
		cp "tools/$$t.1" "$(DESTDIR)$(MANPREFIX)/man1/$$t.1" && chmod 644 "$(DESTDIR)$(MANPREFIX)/man1/$$t.1" || exit 1; \
	done

uninstall:
	for t in $(TOOLS); do rm -f "$(DESTDIR)$(PREFIX)/bin/$$t" "$(DESTDIR)$(MANPREFIX)/man1/$$t.1"; done

clean:
	rm -rf bin build

.PHONY: bin san deps deps-run deps-all install uninstall clean

# The tool list, for the tests.
list-tools:
	@echo $(TOOLS)
.PHONY: list-tools
