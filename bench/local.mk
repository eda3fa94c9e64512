EXTRA_DIST += bench/RESULTS.md bench/run
.PHONY: bench
bench: src/custos
	$(SHELL) $(top_srcdir)/bench/run $(abs_top_builddir)
