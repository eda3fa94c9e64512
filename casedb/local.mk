# case.db (CASEDB.md): schema, version, openers. Used by parsers (write)
# and report (read); links before core.
noinst_LIBRARIES += libcucasedb.a
libcucasedb_a_SOURCES = casedb/casedb.h casedb/schema.c casedb/open.c

# The openers: schema version checked, wrong versions refused by name.
check_PROGRAMS += tests/unit/test_casedb
TESTS += tests/unit/test_casedb
tests_unit_test_casedb_LDADD = $(CU_TESTLIBS)
