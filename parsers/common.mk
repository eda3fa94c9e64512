# Parser framework: registry, sink, case.db, parse driver, toolkit and
# table specs; system parsers; payment parsers and decoders.
libcuparsers_a_SOURCES += parsers/registry.c parsers/parse_int.h parsers/parse.c \
	parsers/sink.c parsers/toolkit.c parsers/spec.c parsers/ciphertext.c parsers/coverage.c parsers/device_tz.c \
	parsers/system/system.h parsers/system/typedstream.h parsers/system/system_parsers.c \
	parsers/system/sms_ios.c parsers/system/addressbook_ios.c \
	parsers/system/callhistory_ios.c parsers/system/mmssms_android.c \
	parsers/system/contacts2_android.c parsers/system/calllog_android.c \
	parsers/system/content.h parsers/system/content_android.c \
	parsers/payments/payments.h parsers/payments/payments_parsers.c \
	parsers/payments/banksms.h parsers/payments/banksms.c \
	parsers/payments/wcpay.h parsers/payments/wcpay.c parsers/payments/alipay.c

# The row-loop guard (toolkit.c) over deliberately damaged b-trees.
check_PROGRAMS += tests/unit/test_rows_guard
TESTS += tests/unit/test_rows_guard
tests_unit_test_rows_guard_LDADD = $(CU_TESTLIBS)
