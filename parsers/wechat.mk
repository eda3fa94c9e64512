# WeChat (iOS, Android) parsers and their decoders (SQLCipher 1, keys,
# protobuf).
libcuparsers_a_SOURCES += parsers/wechat/wechat_parsers.c \
	parsers/wechat/wechat_int.h \
	parsers/wechat/sqlcipher1.h parsers/wechat/sqlcipher1.c \
	parsers/wechat/keys.h parsers/wechat/keys.c \
	parsers/wechat/protobuf.h parsers/wechat/protobuf.c \
	parsers/wechat/common.c \
	parsers/wechat/android.c \
	parsers/wechat/ios.c
