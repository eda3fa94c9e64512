# WhatsApp, QQ, Telegram parsers (owner: chat helper).
libcuparsers_a_SOURCES += parsers/chat/group.c parsers/chat/chat.h parsers/chat/chat_util.c \
	parsers/chat/telegram_tl.c parsers/chat/whatsapp_ios.c parsers/chat/whatsapp_android.c \
	parsers/chat/qq_android.c parsers/chat/qq_ios.c parsers/chat/telegram_android.c \
	parsers/chat/telegram_ios.c
