# Tests: tests/run runs tests/t*.sh against bin/ and, for the filters, the
# ASan+UBSan build too; it ends with "N passed, N failed".
CORPUS = tests/corpus

include mk/fuzz.mk
include mk/bench.mk

check: deps-all bin san
	@BIN="$(CURDIR)/bin" SANBIN="$(CURDIR)/build/san/bin" CORPUS="$(abspath $(CORPUS))" tests/run

.PHONY: check
