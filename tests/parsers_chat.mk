# Tests for the chat parsers (WhatsApp, QQ, Telegram; owner: chat helper).
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
