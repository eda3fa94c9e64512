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
