# Test suite: TAP everywhere (tests/harness/). C unit tests are check
# programs; shell tests (*.sh) drive the custos binary on fixtures.
TEST_EXTENSIONS = .sh
LOG_DRIVER = $(SHELL) $(top_srcdir)/tests/harness/tap-driver
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	CUSTOS='$(abs_top_builddir)/src/custos'; \
	SRCDIR='$(abs_top_srcdir)'; \
	BUILDDIR='$(abs_top_builddir)'; \
	SHARED='$(CUSTOS_SHARED)'; \
	TESTTMP='$(abs_top_builddir)/tests/tmp'; \
	export CUSTOS SRCDIR BUILDDIR SHARED TESTTMP;

check_LIBRARIES = tests/harness/libtap.a
tests_harness_libtap_a_SOURCES = tests/harness/tap.h tests/harness/tap.c
EXTRA_DIST += tests/harness/tap.sh tests/harness/tap-driver tests/README.md
# Unit tests link this plus the libraries under test.
CU_TESTLIBS = tests/harness/libtap.a $(CU_LIBS_ALL) $(CU_DEP_LIBS)

clean-local: clean-tests-tmp
clean-tests-tmp:
	-chmod -R u+w tests/tmp 2>/dev/null; rm -rf tests/tmp
.PHONY: clean-tests-tmp

include tests/core.mk
include tests/custody.mk
include tests/seal.mk
include tests/import.mk
include tests/parsers.mk
include tests/parsers_wechat.mk
include tests/parsers_chat.mk
include tests/report.mk
include tests/fuzz.mk
include tests/fixtures.mk
include tests/cli.mk
include tests/android.mk
include tests/sim.mk
include tests/acquire.mk
include tests/ios.mk

# ASan + UBSan build of the whole suite, from a clean copy of the
# distribution so the in-tree build is left alone.
ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
check-asan: distdir
	rm -rf asan-build && mkdir asan-build
	cd asan-build && $(abs_builddir)/$(distdir)/configure --enable-werror --enable-test-hooks \
		--with-shared='$(CUSTOS_SHARED)' \
		CFLAGS='$(ASAN_CFLAGS)' LDFLAGS='-fsanitize=address,undefined' >/dev/null
	cd asan-build && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(MAKE) check
	rm -rf $(distdir)
.PHONY: check-asan

format-check:
	cd $(top_srcdir) && git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
format:
	cd $(top_srcdir) && git ls-files '*.c' '*.h' | xargs clang-format -i
.PHONY: format-check format
include tests/recovery.mk
include tests/recovery_corpus.mk
include tests/analysis_lib.mk
include tests/analysis_case.mk
include tests/report_review.mk
include tests/export.mk
include tests/coverage.mk
