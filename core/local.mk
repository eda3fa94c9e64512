noinst_LIBRARIES += libcucore.a
libcucore_a_SOURCES = \
	core/core.h core/banned.h \
	core/error.c core/log.c core/alloc.c core/buf.c core/str.c core/path.c \
	core/file.c core/hash.c core/json.c core/time.c core/progress.c \
	core/merkle.c core/custody.c core/case.c core/inventory.c core/version.c
libcucore_a_SOURCES += core/signer.c core/schema.c core/manifest.c

# Typed item facts of the manifest (core/manifest.c).
check_PROGRAMS += tests/unit/test_core_manifest
TESTS += tests/unit/test_core_manifest
tests_unit_test_core_manifest_LDADD = $(CORE_TESTLIBS)
# Secrets held in memory only: no core dumps, locked and wiped buffers.
libcucore_a_SOURCES += core/secret.c
