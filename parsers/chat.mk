# WhatsApp, QQ, Telegram parsers.
libcuparsers_a_SOURCES += parsers/chat/group.c
