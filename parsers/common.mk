# Parser framework: registry, sink, case.db, parse driver; system parsers.
libcuparsers_a_SOURCES += parsers/registry.c parsers/parse_int.h parsers/parse.c \
	parsers/sink.c parsers/casedb.c parsers/sqlite_util.c \
	parsers/system/group.c
