# WeChat (iOS, Android) and Alipay parsers, WeChat Pay.
libcuparsers_a_SOURCES += parsers/wechat/group.c
