# Deleted-record recovery scored against a generated corpus with ground
# truth (fixtures/recovery/), and run on damaged copies of two realistic
# databases. The generators write into each test's temp dir; no database
# is stored in the tree.
RECOVERY_CORPUS_TESTS = tests/e2e/recover_corpus.sh tests/e2e/recover_damaged.sh \
	tests/e2e/recover_memory.sh
TESTS += $(RECOVERY_CORPUS_TESTS)
EXTRA_DIST += $(RECOVERY_CORPUS_TESTS) \
	fixtures/recovery/README.md \
	fixtures/recovery/known-gaps.txt \
	fixtures/recovery/corpuslib.py \
	fixtures/recovery/make-corpus.py \
	fixtures/recovery/make-damaged.py \
	fixtures/recovery/score.py
