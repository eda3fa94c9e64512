noinst_LIBRARIES += libcucore.a
libcucore_a_SOURCES = \
	core/core.h core/banned.h \
	core/error.c core/log.c core/alloc.c core/buf.c core/str.c core/path.c \
	core/file.c core/hash.c core/json.c core/time.c core/progress.c \
	core/merkle.c core/custody.c core/case.c core/inventory.c core/version.c
libcucore_a_SOURCES += core/signer.c core/schema.c
