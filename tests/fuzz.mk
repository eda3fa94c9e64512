# Fuzzing. Every parser of untrusted bytes has a libFuzzer target
# tests/fuzz/fuzz_<name>.c (LLVMFuzzerTestOneInput) and a corpus in
# tests/fuzz/corpus/<name>/. `make check` replays each corpus through
# tests/fuzz/replay_<name> (declared in the owning tests/*.mk, see
# tests/fuzz/README.md); `make fuzz` builds real libFuzzer binaries with clang.
EXTRA_DIST += tests/fuzz/README.md

# Real libFuzzer binaries: a clang build of the libraries with coverage and
# sanitizers (from a clean copy of the distribution), then one binary per
# target. `make fuzz-smoke` runs each for FUZZ_SECONDS on its corpus.
# FUZZ_ONLY="recover ..." builds and runs only those targets (CI runs the
# SQLite carver's this way on every change).
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
FUZZ_SECONDS = 20
fuzz: distdir
	rm -rf fuzz-build && mkdir fuzz-build
	cd fuzz-build && ../$(distdir)/configure -q CC=clang CFLAGS='$(FUZZ_CFLAGS)' \
		--with-shared='$(CUSTOS_SHARED)' && \
		$(MAKE) $(CU_LIBS_ALL)
	set -e; for f in $(srcdir)/tests/fuzz/fuzz_*.c; do \
		[ -e "$$f" ] || continue; \
		n=$$(basename $$f .c); \
		if [ -n "$(FUZZ_ONLY)" ]; then \
			case " $(FUZZ_ONLY) " in *" $${n#fuzz_} "*) ;; *) continue ;; esac; \
		fi; \
		echo "  FUZZ     $$n"; \
		clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -D_GNU_SOURCE -I$(srcdir) -Ifuzz-build \
			$(JANSSON_CFLAGS) $(SQLITE_CFLAGS) $(LIBXML_CFLAGS) $(PLIST_CFLAGS) \
			$(LIBARCHIVE_CFLAGS) $(LIBZIP_CFLAGS) $$f \
			$(addprefix fuzz-build/,$(CU_LIBS_ALL)) $(CU_DEP_LIBS) -o fuzz-build/$$n; \
	done
	rm -rf $(distdir)
fuzz-smoke: fuzz
	set -e; for b in fuzz-build/fuzz_*; do \
		n=$$(basename $$b); c=$(srcdir)/tests/fuzz/corpus/$${n#fuzz_}; \
		mkdir -p fuzz-build/corpus-$$n; \
		$$b -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 fuzz-build/corpus-$$n $$c >fuzz-build/$$n.log 2>&1 \
			|| { tail -30 fuzz-build/$$n.log; exit 1; }; \
		echo "  fuzz ok  $$n ($(FUZZ_SECONDS) s)"; \
	done
.PHONY: fuzz fuzz-smoke
