# Build: bin/<tool> from tools/<tool>.c over the shared library tools/lib/.
# build/san/ holds the same tools built with ASan and UBSan for the tests.
# The library is an archive: the linker takes from it only the objects a
# tool calls (so no filter carries the registry client, and arch-filter and
# tag-gen not the library parser); each tool links only the libraries those
# objects need (tests/t0050-headers.sh checks both).
LIBSRC  = $(wildcard tools/lib/*.c)
LIBHDR  = $(wildcard tools/lib/*.h)
LIBOBJ  = $(LIBSRC:tools/lib/%.c=build/obj/lib/%.o)
SANOBJ  = $(LIBSRC:tools/lib/%.c=build/san/obj/lib/%.o)
BINS    = $(TOOLS:%=bin/%)
SANBINS = $(TOOLS:%=build/san/bin/%)
MANS    = $(TOOLS:%=tools/%.1)
# Every library, for the fuzz targets; config.mk's LIBS when pkg-config fails.
DEPLIBS = $$(pkg-config --libs libcurl jansson libssl libcrypto nettle 2>/dev/null || echo '$(LIBS) -lnettle')

# The pkg-config packages of each tool: jansson for the JSON group lines,
# nettle for SHA-256 (rust-groups' group_key_tag, a manifest's digest),
# libcurl, libssl (REGISTRY_CA_FILE's CAs added to the system's) and
# libcrypto (secrets wiped, config.json's base64) for the registry client.
PKGS_semver-check   =
PKGS_rust-groups    = jansson nettle
PKGS_arch-filter    = jansson
PKGS_tag-gen        = jansson nettle
PKGS_image-probe    = libcurl jansson nettle libssl libcrypto
PKGS_image-alias    = $(PKGS_image-probe)
PKGS_image-manifest = $(PKGS_image-probe)
PKGS_image-tags     = $(PKGS_image-probe)
# The libraries of tool $*, by pkg-config or else by name (libcurl: -lcurl).
TOOLLIBS = $$(pkg-config --libs $(PKGS_$*) 2>/dev/null || echo '$(patsubst %,-l%,$(patsubst lib%,%,$(PKGS_$*)))')

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
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itools/lib -o $@ $< build/libutil.a $(TOOLLIBS)

build/san/obj/lib/%.o: tools/lib/%.c $(LIBHDR) config.mk | deps
	@mkdir -p build/san/obj/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

build/san/libutil.a: $(SANOBJ)
	rm -f $@ && ar rcs $@ $(SANOBJ)

build/san/bin/%: tools/%.c build/san/libutil.a $(LIBHDR) config.mk
	@mkdir -p build/san/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -Itools/lib -o $@ $< build/san/libutil.a $(TOOLLIBS)

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
