/*
 * test_custody_signed.c - signed cases and the case's default examiner
 * through the core API: CASE_INIT records the key and the examiner; an
 * append without the key, or with another key, is refused and records
 * nothing; the default signer signs; opening or verifying a log with an
 * unsigned entry after a signed CASE_INIT fails; the default examiner is
 * the actor when nothing else names one.
 */
#include "core/core.h"
#include "tests/harness/tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char base[512];

static size_t count_lines(const char *path)
{
	struct cu_buf b = CU_BUF_INIT;
	size_t n = 0;
	if (cu_file_read_all(path, 1 << 20, &b, NULL) == CU_OK)
		for (size_t i = 0; i < b.len; i++)
			n += b.data[i] == '\n';
	cu_buf_release(&b);
	return n;
}

int main(void)
{
	struct cu_signer *key = NULL, *other = NULL;
	struct cu_case_init_opts o = {0};
	const char *ex[] = {"王建国"};
	struct cu_case *c = NULL;
	struct cu_error err;
	struct cu_custody_check chk;
	struct cu_case_settings cs;
	char dir[1024], log[1100];
	const char *unsigned_line;
	int fd;

	tap_plan(18);
	unsetenv("CUSTOS_EXAMINER");
	snprintf(base, sizeof(base), "%s", tap_tmpdir("custody_signed"));
	snprintf(dir, sizeof(dir), "%s/case", base);
	snprintf(log, sizeof(log), "%s/custody/log.jsonl", dir);
	TAP_MUST(cu_signer_generate(&key, &err));
	TAP_MUST(cu_signer_generate(&other, &err));

	o.case_id = "S-1";
	o.examiners = ex;
	o.n_examiners = 1;
	o.case_key = key;
	tap_is_int(cu_case_init(dir, &o, &c, NULL, NULL, &err), CU_OK, "case init with a case key");
	tap_is_str(cu_custody_case_key_id(c->custody), cu_signer_key_id(key),
		   "the log knows the case key from CASE_INIT");
	tap_is_str(cu_custody_case_examiner(c->custody), "王建国", "and the default examiner");
	tap_is_str(cu_case_default_actor()->name, "王建国",
		   "the default examiner is the actor when nothing else names one");
	tap_ok(cu_case_examiner_named(), "an examiner is named");
	TAP_MUST(cu_case_settings_read(dir, &cs, &err));
	tap_is_str(cs.sign_key_id, cu_signer_key_id(key), "settings: sign_key_id");
	tap_is_str(cs.examiner, "王建国", "settings: default examiner");

	tap_is_int(
	    cu_custody_append(c->custody, "NOTE", cu_case_default_actor(), NULL, NULL, NULL, &err),
	    CU_E_KEY, "append without the key refused");
	tap_ok(strstr(err.msg, "CUSTOS_SIGN_KEY") != NULL, "says how to give the key");
	tap_is_int(
	    cu_custody_append(c->custody, "NOTE", cu_case_default_actor(), NULL, NULL, other, &err),
	    CU_E_KEY, "append with another key refused");
	tap_is_int((int64_t)count_lines(log), 1, "nothing recorded");
	cu_custody_set_default_signer(key);
	tap_is_int(
	    cu_custody_append(c->custody, "NOTE", cu_case_default_actor(), NULL, NULL, NULL, &err),
	    CU_OK, "the default signer signs");
	cu_custody_set_default_signer(NULL);
	tap_is_int(cu_custody_verify_file(log, NULL, &chk, &err), CU_OK, "signed log verifies");
	tap_is_int((int64_t)chk.signed_entries, 2, "both entries signed");
	tap_is_str(chk.case_key_id, cu_signer_key_id(key), "check names the case key");
	cu_case_close(c);
	c = NULL;

	/* A well-formed, chained but unsigned entry appended behind its back:
	 * an unsigned log would accept it, a signed case does not. */
	{
		struct cu_custody *plain = NULL;
		unsigned char head[32];
		char hex[65], line[512];
		TAP_MUST(cu_custody_open(log, false, false, &plain, &err));
		cu_custody_head(plain, head);
		cu_hex(head, 32, hex);
		cu_custody_close(plain);
		snprintf(line, sizeof(line),
			 "{\"body\":{\"v\":1,\"seq\":2,\"prev\":\"%s\",\"time\":\"2026-11-18T11:06:"
			 "40.000Z\",\"event\":\"NOTE\",\"actor\":{\"name\":\"x\",\"id\":null,"
			 "\"role\":\"examiner\"},\"subject\":{},\"details\":{}}}\n",
			 hex);
		unsigned_line = line;
		fd = open(log, O_WRONLY | O_APPEND);
		TAP_MUST(fd < 0 || write(fd, unsigned_line, strlen(unsigned_line)) !=
				       (ssize_t)strlen(unsigned_line));
		if (fd >= 0)
			close(fd);
	}
	tap_is_int(cu_custody_verify_file(log, NULL, &chk, &err), CU_E_INTEGRITY,
		   "an unsigned entry in a signed case fails verification");
	tap_ok(strstr(err.msg, "line 3 (seq 2, NOTE) is unsigned") != NULL, "names it: %s",
	       err.msg);
	tap_is_int(cu_case_open(dir, &c, &err), CU_E_INTEGRITY, "and the case does not open");
	cu_case_close(c);

	cu_signer_free(key);
	cu_signer_free(other);
	return tap_done();
}
