noinst_LIBRARIES += libcuparsers.a
libcuparsers_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(PLIST_CFLAGS) $(ZLIB_CFLAGS)
libcuparsers_a_SOURCES = parsers/parsers.h parsers/library.c
include parsers/common.mk
include parsers/wechat.mk
include parsers/chat.mk
include parsers/recovery/local.mk
