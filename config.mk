# Knobs a user may change; the rules live in Makefile and mk/*.mk.
PREFIX    = /usr/local
MANPREFIX = $(PREFIX)/share/man
CC        = cc
CFLAGS    = -std=c11 -Wall -Wextra -Werror -O2 -g
CPPFLAGS  = -D_POSIX_C_SOURCE=200809L
LIBS      = -ljansson -lssl -lcrypto -lcurl
# Flags of the sanitizer build the tests also run (make check).
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
