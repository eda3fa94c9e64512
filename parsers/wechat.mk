# WeChat (iOS, Android) and Alipay parsers, WeChat Pay.
libcuparsers_a_SOURCES += parsers/wechat/group.c \
	parsers/wechat/wechat_int.h \
	parsers/wechat/sqlcipher1.c \
	parsers/wechat/keys.c \
	parsers/wechat/wcpay.c \
	parsers/wechat/protobuf.c \
	parsers/wechat/common.c \
	parsers/wechat/android.c \
	parsers/wechat/ios.c \
	parsers/wechat/alipay.c
