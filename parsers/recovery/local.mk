# Deleted-record recovery from SQLite files (own page reader; docs/recovery.md).
libcuparsers_a_SOURCES += parsers/recovery/recover.h parsers/recovery/recover_int.h \
	parsers/recovery/record.c parsers/recovery/recover.c
