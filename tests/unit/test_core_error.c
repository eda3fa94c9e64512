/* test_core_error.c - error records, prefixes, truncation, exit codes, log. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static void test_set_and_prefix(void)
{
	struct cu_error err;
	enum cu_status rc;

	cu_error_clear(&err);
	tap_is_int(err.code, CU_OK, "clear sets CU_OK");
	tap_is_str(err.msg, "", "clear empties the message");
	rc = cu_error_set(&err, CU_E_FORMAT, "table '%s' missing in '%s'", "message", "a.db");
	tap_is_int(rc, CU_E_FORMAT, "set returns the code");
	tap_is_int(err.code, CU_E_FORMAT, "set stores the code");
	tap_is_str(err.msg, "table 'message' missing in 'a.db'", "set formats the message");
	rc = cu_error_prefix(&err, "parse '%s'", "wechat");
	tap_is_int(rc, CU_E_FORMAT, "prefix returns the code");
	tap_is_str(err.msg, "parse 'wechat': table 'message' missing in 'a.db'",
		   "prefix builds the chain");
	cu_error_prefix(&err, "seal");
	tap_is_str(err.msg, "seal: parse 'wechat': table 'message' missing in 'a.db'",
		   "prefix twice keeps the whole chain");
	/* A NULL error record is allowed and only returns the code. */
	tap_is_int(cu_error_set(NULL, CU_E_IO, "x"), CU_E_IO, "set on NULL returns the code");
	/* Arguments pointing into the record itself. */
	cu_error_set(&err, CU_E_IO, "again: %s", err.msg);
	tap_ok(strncmp(err.msg, "again: seal: parse", 18) == 0, "set may quote its own message");
}

static void test_errno(void)
{
	struct cu_error err;

	cu_error_errno(&err, CU_E_IO, ENOENT, "cannot open '%s'", "x");
	tap_is_int(err.code, CU_E_IO, "errno variant keeps the code");
	tap_is_str(err.msg, "cannot open 'x': No such file or directory", "errno text appended");
}

static void test_truncation(void)
{
	struct cu_error err;
	char big[3000];
	size_t len;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cu_error_set(&err, CU_E_LIMIT, "%s", big);
	len = strlen(err.msg);
	tap_is_int((int64_t)len, CU_ERROR_MSG_MAX - 1, "long message truncated to the buffer");
	tap_ok(strstr(err.msg, " \xe2\x80\xa6 ") != NULL && strcmp(err.msg + len - 3, "aaa") == 0,
	       "long message loses its middle (marked \" … \"), not its end");
	cu_error_prefix(&err, "ctx");
	len = strlen(err.msg);
	tap_is_int((int64_t)len, CU_ERROR_MSG_MAX - 1, "prefix on a full message stays bounded");
	tap_ok(strncmp(err.msg, "ctx: aaa", 8) == 0, "prefix keeps the context at the front");
	tap_ok(strcmp(err.msg + len - 3, "aaa") == 0, "prefix keeps the end of the inner message");
	cu_error_set(&err, CU_E_IO, "short");
	cu_error_prefix(&err, "%s", big);
	tap_is_int((int64_t)strlen(err.msg), CU_ERROR_MSG_MAX - 1, "huge prefix stays bounded");
	cu_error_errno(&err, CU_E_IO, EIO, "%s", big);
	tap_is_int((int64_t)strlen(err.msg), CU_ERROR_MSG_MAX - 1, "errno on full stays bounded");
	tap_ok(strstr(err.msg, "Input/output error") != NULL, "errno text survives a full message");
	/* A member name deeper than the buffer: the reason at the end stays. */
	cu_error_set(&err, CU_E_PATH, "member '%s' not imported: %s", big, "path too long");
	len = strlen(err.msg);
	tap_ok(len < CU_ERROR_MSG_MAX && strncmp(err.msg, "member 'aaa", 11) == 0 &&
		   strcmp(err.msg + len - 29, "' not imported: path too long") == 0,
	       "long name shortened in the middle: what and why both kept");
	cu_error_prefix(&err, "import of '%s'", "x.tar");
	len = strlen(err.msg);
	tap_ok(strncmp(err.msg, "import of 'x.tar': member 'aaa", 30) == 0 &&
		   strcmp(err.msg + len - 13, "path too long") == 0,
	       "prefix on a shortened message keeps context and reason");
	/* UTF-8 is never split at the cut. */
	{
		char cjk[3001];
		for (size_t i = 0; i + 3 <= 3000; i += 3)
			memcpy(cjk + i, "\xe4\xb8\xad", 3);
		cjk[3000] = '\0';
		cu_error_set(&err, CU_E_PATH, "%s", cjk);
		tap_ok(cu_utf8_valid(err.msg, strlen(err.msg)), "the cut keeps UTF-8 valid");
	}
}

static void test_openssl(void)
{
	struct cu_error err;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* Queue a real OpenSSL error: an unknown digest name. */
	ERR_clear_error();
	tap_ok(EVP_MD_fetch(NULL, "NO-SUCH-DIGEST", NULL) == NULL, "unknown digest not found");
	cu_error_openssl(&err, "cannot fetch '%s'", "NO-SUCH-DIGEST");
	tap_is_int(err.code, CU_E_CRYPTO, "openssl errors are CU_E_CRYPTO");
	tap_ok(strncmp(err.msg, "cannot fetch 'NO-SUCH-DIGEST': error:", 37) == 0,
	       "openssl queue text appended: %s", err.msg);
	tap_is_int((int64_t)ERR_peek_error(), 0, "openssl queue cleared");
	cu_error_openssl(&err, "nothing queued");
	tap_is_str(err.msg, "nothing queued: no openssl error queued", "empty queue said");
	EVP_MD_CTX_free(ctx);
}

static void test_exit_codes(void)
{
	static const struct {
		enum cu_status s;
		int code;
	} want[] = {
	    {CU_OK, 0},
	    {CU_E_INTEGRITY, 1},
	    {CU_E_USAGE, 2},
	    {CU_E_NOMEM, 3},
	    {CU_E_IO, 3},
	    {CU_E_FORMAT, 3},
	    {CU_E_UNSUPPORTED, 3},
	    {CU_E_KEY, 3},
	    {CU_E_NOTFOUND, 3},
	    {CU_E_LIMIT, 3},
	    {CU_E_PATH, 3},
	    {CU_E_EXISTS, 3},
	    {CU_E_CRYPTO, 3},
	    {CU_E_INTERNAL, 3},
	    {CU_E_DEVICE, 4},
	    {CU_E_PARTIAL, 5},
	    {CU_E_NOT_IMPLEMENTED, 2},
	    {CU_E_INTERRUPTED, 5},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		tap_is_int(cu_status_exit_code(want[i].s), want[i].code, "exit code of %s",
			   cu_strerror(want[i].s));
		tap_ok(strcmp(cu_strerror(want[i].s), "unknown error") != 0, "status %d named",
		       (int)want[i].s);
	}
}

static void test_log(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cu_log_set_stream(f);
	cu_log_set_level(CU_LOG_WARN);
	cu_warn("disk %s", "full");
	cu_info("hidden");
	cu_error_log("bad %d", 3);
	cu_log_set_level(CU_LOG_DEBUG);
	tap_is_int(cu_log_get_level(), CU_LOG_DEBUG, "level stored");
	cu_debug("dbg");
	cu_info("note");
	cu_log_set_stream(NULL);
	fclose(f);
	tap_is_str(text,
		   "custos: warning: disk full\ncustos: error: bad 3\ncustos: debug: dbg\n"
		   "custos: note\n",
		   "log prefixes and level filter");
	free(text);
}

int main(void)
{
	tap_plan(67);
	test_set_and_prefix();
	test_errno();
	test_truncation();
	test_openssl();
	test_exit_codes();
	test_log();
	tap_is_str(cu_version(), "custos " PACKAGE_VERSION, "version string");
	return tap_done();
}
