# WhatsApp, QQ, Telegram parsers and their decoders (TL, QQ XOR).
libcuparsers_a_SOURCES += parsers/chat/chat_parsers.c parsers/chat/chat.h \
	parsers/chat/telegram_tl.h parsers/chat/qq_xor.h \
	parsers/chat/telegram_tl.c parsers/chat/whatsapp_ios.c parsers/chat/whatsapp_android.c \
	parsers/chat/whatsapp_backup.c \
	parsers/chat/qq_android.c parsers/chat/qq_ios.c parsers/chat/telegram_android.c \
	parsers/chat/telegram_ios.c
