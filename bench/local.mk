EXTRA_DIST += bench/RESULTS.md bench/run bench/hash.sh bench/import.sh bench/parse.sh bench/seal.sh \
	bench/phone.sh bench/phone_profile.sh bench/acquire_android.sh bench/acquire_ios.sh \
	bench/recover.sh bench/phone_million.sh bench/phone_digests.py
# The phone-shaped tree generator for bench/phone.sh: built with the checks
# (so it stays compiling) and by "make bench"; never installed.
check_PROGRAMS += bench/phonegen
bench_phonegen_LDADD = $(PTHREAD_LIBS) -lm
.PHONY: bench
bench: src/custos bench/phonegen$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run $(abs_top_builddir)
