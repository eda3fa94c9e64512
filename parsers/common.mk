# Parser framework: registry, sink, parse driver; system parsers.
libcuparsers_a_SOURCES += parsers/registry.c parsers/parse_int.h parsers/parse.c \
	parsers/sink.c parsers/sqlite_util.c \
	parsers/system/system.h parsers/system/group.c parsers/system/util.c \
	parsers/system/banksms.c parsers/system/sms_ios.c parsers/system/addressbook_ios.c \
	parsers/system/callhistory_ios.c parsers/system/mmssms_android.c \
	parsers/system/contacts2_android.c parsers/system/calllog_android.c

# The row-loop guard (sqlite_util.c) over deliberately damaged b-trees.
check_PROGRAMS += tests/unit/test_rows_guard
TESTS += tests/unit/test_rows_guard
tests_unit_test_rows_guard_LDADD = $(CU_TESTLIBS)
