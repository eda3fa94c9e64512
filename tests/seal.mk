# tests for seal (issue 3: sealed evidence package, verify)
# mkcase fills a case through the core API the way an import does.
check_PROGRAMS += tests/unit/mkcase
tests_unit_mkcase_LDADD = $(CU_TESTLIBS)
