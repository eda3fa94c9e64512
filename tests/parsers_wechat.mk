# tests for parsers_wechat (WeChat Android/iOS, WeChat Pay, Alipay)
check_PROGRAMS += tests/unit/test_sqlcipher1
TESTS += tests/unit/test_sqlcipher1
tests_unit_test_sqlcipher1_LDADD = $(CU_TESTLIBS)

EXTRA_DIST += tests/data/wechat
check_PROGRAMS += tests/unit/test_wechat_keys tests/unit/test_wcpay
TESTS += tests/unit/test_wechat_keys tests/unit/test_wcpay
tests_unit_test_wechat_keys_LDADD = $(CU_TESTLIBS)
tests_unit_test_wcpay_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/unit/test_wechat_android
TESTS += tests/unit/test_wechat_android
tests_unit_test_wechat_android_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/golden/wechat_android.txt
check_PROGRAMS += tests/unit/test_wechat_more
TESTS += tests/unit/test_wechat_more
tests_unit_test_wechat_more_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/golden/wechat_ios.txt tests/golden/wechat_alipay.txt

# Fuzz targets (tests/fuzz/README.md): replayed over their corpus by make check.
check_PROGRAMS += tests/fuzz/replay_wechat_sqlcipher1 tests/fuzz/replay_wechat_javaser \
	tests/fuzz/replay_wechat_wcpay tests/fuzz/replay_wechat_protobuf
TESTS += tests/fuzz/replay_wechat_sqlcipher1 tests/fuzz/replay_wechat_javaser \
	tests/fuzz/replay_wechat_wcpay tests/fuzz/replay_wechat_protobuf
tests_fuzz_replay_wechat_sqlcipher1_SOURCES = tests/fuzz/fuzz_wechat_sqlcipher1.c tests/fuzz/replay.c
tests_fuzz_replay_wechat_sqlcipher1_LDADD = $(CU_TESTLIBS)
tests_fuzz_replay_wechat_javaser_SOURCES = tests/fuzz/fuzz_wechat_javaser.c tests/fuzz/replay.c
tests_fuzz_replay_wechat_javaser_LDADD = $(CU_TESTLIBS)
tests_fuzz_replay_wechat_wcpay_SOURCES = tests/fuzz/fuzz_wechat_wcpay.c tests/fuzz/replay.c
tests_fuzz_replay_wechat_wcpay_LDADD = $(CU_TESTLIBS)
tests_fuzz_replay_wechat_protobuf_SOURCES = tests/fuzz/fuzz_wechat_protobuf.c tests/fuzz/replay.c
tests_fuzz_replay_wechat_protobuf_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/wechat_sqlcipher1 tests/fuzz/corpus/wechat_javaser \
	tests/fuzz/corpus/wechat_wcpay tests/fuzz/corpus/wechat_protobuf

# End to end: case init -> import -> parse, encrypted EnMicroMsg.db, iOS, Alipay.
TESTS += tests/e2e/parse_wechat.sh
EXTRA_DIST += tests/e2e/parse_wechat.sh

# `custos parse --imei`: the WeChat key from an IMEI the examiner gives.
TESTS += tests/e2e/parse_imei.sh
EXTRA_DIST += tests/e2e/parse_imei.sh
