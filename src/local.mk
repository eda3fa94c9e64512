bin_PROGRAMS += src/custos
src_custos_SOURCES = src/cli.h src/main.c src/cli.c \
	src/cmd_case.c src/cmd_custody.c src/cmd_keygen.c \
	src/cmd_seal.c src/cmd_verify.c \
	src/cmd_import.c src/cmd_acquire.c src/cmd_devices.c \
	src/cmd_parse.c src/cmd_recover.c src/cmd_analyze.c \
	src/cmd_report.c src/cmd_run.c src/cmd_export.c
src_custos_CFLAGS = $(AM_CFLAGS)
src_custos_LDADD = $(CU_LIBS_ALL) $(CU_DEP_LIBS)
