EXTRA_DIST += bench/RESULTS.md bench/run bench/hash.sh bench/import.sh bench/parse.sh bench/seal.sh \
	bench/acquire_android.sh
.PHONY: bench
bench: src/custos
	$(SHELL) $(top_srcdir)/bench/run $(abs_top_builddir)
