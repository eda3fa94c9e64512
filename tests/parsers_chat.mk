# Tests for the chat parsers (WhatsApp, QQ, Telegram).
check_PROGRAMS += tests/unit/test_telegram_tl tests/unit/test_qq_xor
TESTS += tests/unit/test_telegram_tl tests/unit/test_qq_xor
tests_unit_test_telegram_tl_LDADD = $(CU_TESTLIBS)
tests_unit_test_qq_xor_LDADD = $(CU_TESTLIBS)

# Fuzz targets (tests/fuzz/README.md): corpus replayed by make check.
check_PROGRAMS += tests/fuzz/replay_chat_tl tests/fuzz/replay_chat_qq_xor
TESTS += tests/fuzz/replay_chat_tl tests/fuzz/replay_chat_qq_xor
tests_fuzz_replay_chat_tl_SOURCES = tests/fuzz/fuzz_chat_tl.c tests/fuzz/replay.c
tests_fuzz_replay_chat_tl_LDADD = $(CU_TESTLIBS)
tests_fuzz_replay_chat_qq_xor_SOURCES = tests/fuzz/fuzz_chat_qq_xor.c tests/fuzz/replay.c
tests_fuzz_replay_chat_qq_xor_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/chat_tl tests/fuzz/corpus/chat_qq_xor

# End-to-end: case init -> import (dir at device paths) -> parse -> sqlite3 vs goldens.
TESTS += tests/e2e/parse_chat_whatsapp.sh tests/e2e/parse_chat_qq.sh \
	tests/e2e/parse_chat_telegram.sh
EXTRA_DIST += tests/e2e/parse_chat_whatsapp.sh tests/e2e/parse_chat_qq.sh \
	tests/e2e/parse_chat_telegram.sh tests/e2e/chat_lib.sh \
	tests/data/chat/make_whatsapp.py tests/data/chat/make_qq.py \
	tests/data/chat/make_telegram.py tests/data/chat/golden_from_samples.sh \
	tests/golden/chat_qq_android_accounts.txt \
	tests/golden/chat_qq_android_contacts.txt \
	tests/golden/chat_qq_android_conversations.txt \
	tests/golden/chat_qq_android_messages.txt \
	tests/golden/chat_qq_ios_accounts.txt \
	tests/golden/chat_qq_ios_conversations.txt \
	tests/golden/chat_qq_ios_messages.txt \
	tests/golden/chat_telegram_accounts.txt \
	tests/golden/chat_telegram_contacts.txt \
	tests/golden/chat_telegram_conversations.txt \
	tests/golden/chat_telegram_messages.txt \
	tests/golden/chat_whatsapp_android_conversations.txt \
	tests/golden/chat_whatsapp_android_messages.txt \
	tests/golden/chat_whatsapp_current_calls.txt \
	tests/golden/chat_whatsapp_current_conversations.txt \
	tests/golden/chat_whatsapp_current_messages.txt \
	tests/golden/chat_whatsapp_ios_accounts.txt \
	tests/golden/chat_whatsapp_ios_calls.txt \
	tests/golden/chat_whatsapp_ios_contacts.txt \
	tests/golden/chat_whatsapp_ios_conversations.txt \
	tests/golden/chat_whatsapp_ios_messages.txt \
	tests/golden/chat_whatsapp_legacy_accounts.txt \
	tests/golden/chat_whatsapp_legacy_contacts.txt \
	tests/golden/chat_whatsapp_legacy_conversations.txt \
	tests/golden/chat_whatsapp_legacy_messages.txt \
	tests/golden/chat_whatsapp_odd_messages.txt

# Every chat parser over arbitrary database bytes (cu_parse_file, in-memory case.db).
check_PROGRAMS += tests/fuzz/replay_chat_db
TESTS += tests/fuzz/replay_chat_db
tests_fuzz_replay_chat_db_SOURCES = tests/fuzz/fuzz_chat_db.c tests/fuzz/replay.c
tests_fuzz_replay_chat_db_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/chat_db
