/*
 * test_custody.c - the custody log: append, reopen, verify; tampering
 * (flipped body byte, changed prev, deleted / reordered lines, truncated
 * tail); torn last line detected and repaired; Ed25519 signatures good,
 * bad and by another key.
 */
#include "core/core.h"
#include "tests/harness/tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[1024];
static char logpath[CU_PATH_MAX];
static char key1[CU_PATH_MAX], pub1[CU_PATH_MAX], pub2[CU_PATH_MAX];

static struct cu_actor examiner = {"张伟", "110231", "examiner"};

static void read_file(const char *path, struct cu_buf *b)
{
	struct cu_error err;
	cu_buf_reset(b);
	if (cu_file_read_all(path, 1 << 24, b, &err) != CU_OK)
		tap_diag("read %s: %s", path, err.msg);
}

static void write_file(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		tap_diag("cannot write %s", path);
	if (fd >= 0)
		close(fd);
}

/* Offsets of the starts of lines in b (at most max). */
static size_t line_starts(const struct cu_buf *b, size_t *starts, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len && n < max; i++)
		if (i == 0 || b->data[i - 1] == '\n')
			starts[n++] = i;
	return n;
}

static enum cu_status verify(const char *data, size_t n, const char *pub,
			     struct cu_custody_check *chk, struct cu_error *err)
{
	cu_error_clear(err);
	return cu_custody_verify_buf(data, n, "test", pub, chk, err);
}

static void make_keys(void)
{
	struct cu_signer *s = NULL, *t = NULL;
	struct cu_error err;
	struct stat sb;

	snprintf(key1, sizeof(key1), "%s/k1.pem", dir);
	snprintf(pub1, sizeof(pub1), "%s/k1.pub.pem", dir);
	snprintf(pub2, sizeof(pub2), "%s/k2.pub.pem", dir);
	tap_is_int(cu_signer_generate(&s, &err), CU_OK, "generate key 1");
	tap_is_int(cu_signer_write_pem(s, key1, pub1, &err), CU_OK, "write key 1");
	tap_ok(stat(key1, &sb) == 0 && (sb.st_mode & 0777) == 0600, "private key mode 0600");
	tap_is_int(cu_signer_write_pem(s, key1, NULL, &err), CU_E_EXISTS,
		   "existing key file is never overwritten");
	tap_is_int(cu_signer_generate(&t, &err), CU_OK, "generate key 2");
	tap_is_int(cu_signer_write_pem(t, NULL, pub2, &err), CU_OK, "write key 2 public");
	tap_ok(strncmp(cu_signer_key_id(s), "sha256:", 7) == 0 && strlen(cu_signer_key_id(s)) == 71,
	       "key id is sha256:<64 hex>");
	tap_ok(strcmp(cu_signer_key_id(s), cu_signer_key_id(t)) != 0, "two keys differ");
	cu_signer_free(s);
	cu_signer_free(t);
	/* Reloading gives the same key id; a public key cannot sign. */
	struct cu_signer *a = NULL, *b = NULL;
	unsigned char sig[64];
	tap_is_int(cu_signer_load(key1, &a, &err), CU_OK, "load private key");
	tap_is_int(cu_signer_load_public(pub1, &b, &err), CU_OK, "load public key");
	tap_is_str(cu_signer_key_id(a), cu_signer_key_id(b), "same key id from both files");
	tap_is_int(cu_signer_sign(b, "x", 1, sig, &err), CU_E_KEY, "public key cannot sign");
	tap_is_int(cu_signer_sign(a, "x", 1, sig, &err), CU_OK, "private key signs");
	tap_is_int(cu_signer_verify(b, "x", 1, sig, 64, &err), CU_OK, "signature verifies");
	tap_is_int(cu_signer_verify(b, "y", 1, sig, 64, &err), CU_E_INTEGRITY,
		   "signature of other data fails");
	tap_is_int(cu_signer_verify(b, "x", 1, sig, 63, &err), CU_E_INTEGRITY,
		   "a short signature fails");
	tap_is_int(cu_signer_load(pub1, &a, &err) == CU_OK ? 0 : err.code, CU_E_KEY,
		   "a public key file is not a private key");
	cu_signer_free(a);
	cu_signer_free(b);
}

static void test_append_reopen(struct cu_custody_check *expect)
{
	struct cu_custody *c = NULL;
	struct cu_signer *s = NULL;
	struct cu_error err;
	unsigned char head[32], root[32], head2[32], root2[32];
	struct cu_buf b = CU_BUF_INIT;

	cu_error_clear(&err);
	tap_is_int(cu_custody_open(logpath, false, false, &c, &err), CU_E_NOTFOUND,
		   "missing log without create is not found");
	tap_is_int(cu_custody_open(logpath, true, false, &c, &err), CU_OK, "create log");
	tap_is_int((int64_t)cu_custody_size(c), 0, "new log is empty");
	TAP_MUST(cu_signer_load(key1, &s, &err));
	tap_is_int(cu_custody_append(c, "CASE_INIT", &examiner, "{\"case_id\":\"A-1\"}",
				     "{\"clock\":\"fixed\"}", NULL, &err),
		   CU_OK, "append CASE_INIT");
	tap_is_int(cu_custody_append(c, "SEIZE", &examiner, NULL, NULL, s, &err), CU_OK,
		   "append signed SEIZE");
	tap_is_int(cu_custody_append(c, "NOTE", cu_case_default_actor(), "{}",
				     "{\"note\":\"line\\nbreak \\\"quoted\\\" {brace} 中文\"}",
				     NULL, &err),
		   CU_OK, "append NOTE with escapes and braces in strings");
	tap_is_int(
	    cu_custody_append(c, "TRANSFER", &examiner, "{\n  \"to\": \"李娜\"\n}", NULL, s, &err),
	    CU_OK, "append pretty-printed subject (re-serialised onto one line)");
	tap_is_int(cu_custody_append(c, "bad event", &examiner, NULL, NULL, NULL, &err), CU_E_USAGE,
		   "bad event name refused");
	tap_is_int(cu_custody_append(c, "NOTE", &examiner, "[1]", NULL, NULL, &err), CU_E_INTERNAL,
		   "non-object subject refused");
	tap_is_int(cu_custody_append(c, "RECEIVE", &examiner, NULL, NULL, NULL, &err), CU_OK,
		   "append RECEIVE");
	tap_is_int((int64_t)cu_custody_size(c), 5, "five entries");
	cu_custody_head(c, head);
	tap_is_int(cu_custody_root(c, root, &err), CU_OK, "root");
	cu_custody_close(c);
	cu_signer_free(s);

	tap_is_int(cu_custody_open(logpath, false, false, &c, &err), CU_OK, "reopen");
	tap_is_int((int64_t)cu_custody_size(c), 5, "reopened: five entries");
	cu_custody_head(c, head2);
	TAP_MUST(cu_custody_root(c, root2, &err));
	tap_is_mem(head2, 32, head, 32, "reopened head equals");
	tap_is_mem(root2, 32, root, 32, "reopened root equals");

	/* Two handles on one log: appends through either stay one chain. */
	struct cu_custody *d = NULL;
	tap_is_int(cu_custody_open(logpath, false, false, &d, &err), CU_OK, "second handle");
	tap_is_int(cu_custody_append(d, "NOTE", &examiner, NULL, NULL, NULL, &err), CU_OK,
		   "append via second handle");
	tap_is_int(cu_custody_append(c, "NOTE", &examiner, NULL, NULL, NULL, &err), CU_OK,
		   "append via first handle catches up");
	tap_is_int((int64_t)cu_custody_size(c), 7, "first handle sees 7");
	cu_custody_close(d);
	cu_custody_head(c, head);
	TAP_MUST(cu_custody_root(c, root, &err));
	cu_custody_close(c);

	read_file(logpath, &b);
	tap_ok(b.len > 0 && b.data[b.len - 1] == '\n', "log ends with a newline");
	size_t nl = 0;
	for (size_t i = 0; i < b.len; i++)
		nl += b.data[i] == '\n';
	tap_is_int((int64_t)nl, 7, "one line per entry");
	tap_ok(cu_str_has_prefix(b.data, "{\"body\":{\"v\":1,\"seq\":0,\"prev\":\"0000000000"),
	       "first line starts with the fixed key order");
	tap_ok(strstr(b.data, "\"event\":\"SEIZE\",\"actor\":{\"name\":\"张伟\",\"id\":\"110231\","
			      "\"role\":\"examiner\"},\"subject\":{},\"details\":{}},\"sig\":{"
			      "\"alg\":\"Ed25519\",\"key_id\":\"sha256:") != NULL,
	       "signed line layout");

	struct cu_custody_check chk;
	tap_is_int(verify(b.data, b.len, pub1, &chk, &err), CU_OK, "log verifies with key 1");
	tap_is_int((int64_t)chk.entries, 7, "verify: 7 entries");
	tap_is_mem(chk.head, 32, head, 32, "verify head = writer head");
	tap_is_mem(chk.root, 32, root, 32, "verify root = writer root");
	tap_is_int((int64_t)chk.signed_entries, 2, "2 signed entries");
	tap_is_int((int64_t)chk.unverified_signatures, 0, "all signatures checked");
	tap_is_int(verify(b.data, b.len, pub2, &chk, &err), CU_OK, "verifies with another key");
	tap_is_int((int64_t)chk.unverified_signatures, 2, "other key: 2 unverified");
	tap_is_int(verify(b.data, b.len, NULL, &chk, &err), CU_OK, "verifies without a key");
	*expect = chk;
	cu_buf_release(&b);
}

static void test_tamper(const struct cu_custody_check *expect)
{
	struct cu_buf b = CU_BUF_INIT, t = CU_BUF_INIT;
	struct cu_custody_check chk;
	struct cu_error err;
	size_t st[16], n;
	char *p;

	read_file(logpath, &b);
	n = line_starts(&b, st, 16);
	tap_is_int((int64_t)n, 7, "7 lines to tamper with");

	/* Flip one byte inside the body of line 3 (seq 2): line 4's prev breaks. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, b.len, NULL));
	p = strstr(t.data + st[2], "\"event\":\"NOTE\"");
	p[10] = 'M'; /* NOTE -> MOTE */
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY, "flipped body byte");
	tap_ok(strstr(err.msg, "line 4") != NULL && strstr(err.msg, "prev") != NULL,
	       "names line 4 prev: %s", err.msg);

	/* Flip a byte in a signed body (line 2): signature fails first. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, b.len, NULL));
	p = strstr(t.data + st[1], "SEIZE");
	p[0] = 'Z';
	tap_is_int(verify(t.data, t.len, pub1, &chk, &err), CU_E_INTEGRITY,
		   "flipped signed body with key");
	tap_ok(strstr(err.msg, "line 2") != NULL && strstr(err.msg, "signature") != NULL,
	       "names line 2 bad signature: %s", err.msg);

	/* Change prev of line 5. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, b.len, NULL));
	p = strstr(t.data + st[4], "\"prev\":\"") + 8;
	*p = *p == 'a' ? 'b' : 'a';
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY, "changed prev");
	tap_ok(strstr(err.msg, "line 5") != NULL, "names line 5: %s", err.msg);

	/* Delete line 3. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, st[2], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[3], b.len - st[3], NULL));
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY, "deleted line");
	tap_ok(strstr(err.msg, "line 3") != NULL && strstr(err.msg, "seq") != NULL,
	       "names line 3 seq: %s", err.msg);

	/* Swap lines 4 and 5. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, st[3], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[4], st[5] - st[4], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[3], st[4] - st[3], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[5], b.len - st[5], NULL));
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY, "reordered lines");
	tap_ok(strstr(err.msg, "line 4") != NULL, "names line 4: %s", err.msg);

	/* Truncated tail: a shorter valid log, caught by head/root. */
	tap_is_int(verify(b.data, st[6], NULL, &chk, &err), CU_OK, "truncated tail still chains");
	tap_is_int((int64_t)chk.entries, 6, "truncated: 6 entries");
	tap_ok(memcmp(chk.head, expect->head, 32) != 0, "truncated: head differs from expected");
	tap_ok(memcmp(chk.root, expect->root, 32) != 0, "truncated: root differs from expected");

	/* Prefix check: the full log continues the 6-entry head/root. */
	{
		char h6[65], r6[65];
		cu_hex(chk.head, 32, h6);
		cu_hex(chk.root, 32, r6);
		cu_error_clear(&err);
		tap_is_int(cu_custody_check_prefix(b.data, b.len, "full", 6, h6, r6, &err), CU_OK,
			   "full log continues its 6-entry prefix: %s", err.msg);
		tap_is_int(cu_custody_check_prefix(b.data, st[6], "cut", 6, h6, r6, &err), CU_OK,
			   "the prefix itself checks");
		tap_is_int(cu_custody_check_prefix(b.data, st[5], "cut5", 6, h6, r6, &err),
			   CU_E_INTEGRITY, "a shorter log fails the prefix check");
		tap_ok(strstr(err.msg, "fewer than the 6") != NULL, "says truncated: %s", err.msg);
		r6[0] = r6[0] == 'a' ? 'b' : 'a';
		tap_is_int(cu_custody_check_prefix(b.data, b.len, "full", 6, h6, r6, &err),
			   CU_E_INTEGRITY, "wrong recorded root fails");
		tap_is_int(cu_custody_check_prefix(b.data, b.len, "full", 5, h6, r6, &err),
			   CU_E_INTEGRITY, "head recorded for another size fails");
	}

	/* Signature value altered; another key's id kept. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, b.len, NULL));
	p = strstr(t.data + st[1], "\"value\":\"") + 9;
	*p = *p == 'A' ? 'B' : 'A';
	tap_is_int(verify(t.data, t.len, pub1, &chk, &err), CU_E_INTEGRITY, "altered signature");
	tap_is_int(verify(t.data, t.len, pub2, &chk, &err), CU_OK,
		   "altered signature unverifiable with another key (counted)");
	tap_is_int((int64_t)chk.unverified_signatures, 2, "counted as unverified");

	/* A duplicate "body" member must not let a second body hide. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, st[6], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[6], b.len - st[6] - 2, NULL)); /* drop "}\n" */
	TAP_MUST(cu_buf_puts(&t, ",\"body\":{}}\n", NULL));
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY,
		   "duplicate body member refused");

	/* Bytes outside the body (not covered by the chain) must be exact. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, st[6], NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[6], b.len - st[6] - 2, NULL)); /* drop "}\n" */
	TAP_MUST(cu_buf_puts(&t, " }\n", NULL));
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY,
		   "extra whitespace after the body refused");
	tap_ok(strstr(err.msg, "line 7") != NULL, "names line 7: %s", err.msg);
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, b.len, NULL));
	p = strstr(t.data + st[1], ",\"sig\":{\"alg\"");
	memcpy(p, ",\"sig\":{\"alG\"", 14);
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY,
		   "altered sig member name refused");

	/* Garbage line in the middle without an ERROR entry. */
	cu_buf_reset(&t);
	TAP_MUST(cu_buf_append(&t, b.data, st[3], NULL));
	TAP_MUST(cu_buf_puts(&t, "{\"body\":{\"v\":1,\"se\n", NULL));
	TAP_MUST(cu_buf_append(&t, b.data + st[3], b.len - st[3], NULL));
	tap_is_int(verify(t.data, t.len, NULL, &chk, &err), CU_E_INTEGRITY,
		   "unrecorded bad middle line");
	tap_ok(strstr(err.msg, "line 4") != NULL, "names line 4: %s", err.msg);
	cu_buf_release(&b);
	cu_buf_release(&t);
}

static void test_torn(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_custody *c = NULL;
	struct cu_custody_check chk;
	struct cu_error err;
	size_t st[16], n, good_len;
	char torn_path[CU_PATH_MAX];

	snprintf(torn_path, sizeof(torn_path), "%s/torn.jsonl", dir);
	read_file(logpath, &b);
	n = line_starts(&b, st, 16);
	good_len = st[n - 1];
	/* Crash mid-write: the last line is cut in the middle. */
	write_file(torn_path, b.data, good_len + 40);
	cu_error_clear(&err);
	tap_is_int(cu_custody_open(torn_path, false, false, &c, &err), CU_E_INTEGRITY,
		   "torn last line detected on open");
	tap_ok(strstr(err.msg, "line 7") != NULL && strstr(err.msg, "torn") != NULL,
	       "message names line 7 torn: %s", err.msg);
	tap_is_int(verify(b.data, good_len + 40, NULL, &chk, &err), CU_E_INTEGRITY,
		   "verify refuses a torn last line");

	tap_is_int(cu_custody_open(torn_path, false, true, &c, &err), CU_OK, "repair opens");
	tap_is_int((int64_t)cu_custody_size(c), 7, "6 entries + the ERROR entry");
	tap_is_int(cu_custody_append(c, "NOTE", &examiner, NULL, NULL, NULL, &err), CU_OK,
		   "append after repair");
	cu_custody_close(c);
	read_file(torn_path, &b);
	tap_is_int(verify(b.data, b.len, pub1, &chk, &err), CU_OK, "repaired log verifies: %s",
		   err.msg);
	tap_is_int((int64_t)chk.entries, 8, "8 entries after repair");
	tap_ok(strstr(b.data, "\"event\":\"ERROR\"") != NULL &&
		   strstr(b.data, "\"torn_line\":{\"line\":7,") != NULL &&
		   strstr(b.data, "\"length\":40,") != NULL,
	       "ERROR entry records line 7, 40 bytes");
	/* The torn bytes are kept in place, ended by a newline. */
	tap_ok(memcmp(b.data + good_len, b.data + good_len, 40) == 0 &&
		   b.data[good_len + 40] == '\n',
	       "torn bytes kept, then a newline");
	tap_is_int(cu_custody_open(torn_path, false, false, &c, &err), CU_OK,
		   "repaired log reopens without repair");
	cu_custody_close(c);

	/* Changing one torn byte breaks the ERROR entry's record of it. */
	b.data[good_len + 5] ^= 1;
	tap_is_int(verify(b.data, b.len, NULL, &chk, &err), CU_E_INTEGRITY,
		   "altered torn bytes detected");

	/* A complete last line without its newline is torn too. */
	read_file(logpath, &b);
	write_file(torn_path, b.data, b.len - 1);
	tap_is_int(cu_custody_open(torn_path, false, false, &c, &err), CU_E_INTEGRITY,
		   "missing final newline detected");
	tap_is_int(cu_custody_open(torn_path, false, true, &c, &err), CU_OK, "and repaired");
	tap_is_int((int64_t)cu_custody_size(c), 7, "6 + ERROR");
	cu_custody_close(c);
	read_file(torn_path, &b);
	tap_is_int(verify(b.data, b.len, NULL, &chk, &err), CU_OK, "verifies: %s", err.msg);

	/* Unparsable last line that does end with a newline. */
	read_file(logpath, &b);
	TAP_MUST(cu_buf_puts(&b, "garbage\n", NULL));
	write_file(torn_path, b.data, b.len);
	tap_is_int(cu_custody_open(torn_path, false, true, &c, &err), CU_OK,
		   "garbage last line repaired");
	cu_custody_close(c);
	read_file(torn_path, &b);
	tap_is_int(verify(b.data, b.len, NULL, &chk, &err), CU_OK, "verifies: %s", err.msg);
	tap_is_int((int64_t)chk.entries, 8, "7 + ERROR");
	cu_buf_release(&b);
}

/* Allocation failures at every point: no crash, a clean error, and never a
 * torn or half-written line in the log. */
static void test_alloc_failures(void)
{
	struct cu_buf b = CU_BUF_INIT, after = CU_BUF_INIT;
	char p[2048];
	struct cu_error err;
	struct cu_custody_check chk;
	int ok_runs = 0, failed_runs = 0, bad = 0;

	snprintf(p, sizeof(p), "%s/alloc.jsonl", dir);
	read_file(logpath, &b);
	write_file(p, b.data, b.len);
	for (unsigned long k = 1; k < 120; k++) {
		struct cu_custody *c = NULL;
		enum cu_status st;

		cu_alloc_fail_after(k);
		st = cu_custody_open(p, false, false, &c, &err);
		if (st == CU_OK)
			st = cu_custody_append(c, "NOTE", &examiner, "{\"k\":1}", NULL, NULL, &err);
		cu_alloc_fail_after(0);
		cu_custody_close(c);
		if (st == CU_OK)
			ok_runs++;
		else if (st == CU_E_NOMEM || st == CU_E_LIMIT || st == CU_E_INTERNAL)
			failed_runs++;
		else
			bad++;
		read_file(p, &after);
		if (cu_custody_verify_buf(after.data, after.len, "alloc", NULL, &chk, &err) !=
		    CU_OK) {
			tap_diag("after failing allocation %lu: %s", k, err.msg);
			bad++;
			break;
		}
	}
	tap_ok(failed_runs > 0, "injected allocation failures hit (%d)", failed_runs);
	tap_ok(ok_runs > 0, "later runs succeed (%d)", ok_runs);
	tap_is_int(bad, 0, "every failure is clean and the log always verifies");
	/* Verify under failing allocations: each run either reports the
	 * failure as such or gives the same result as an undisturbed run. */
	{
		struct cu_custody_check want;
		enum cu_status st0 =
		    cu_custody_verify_buf(b.data, b.len, "alloc", pub1, &want, &err);
		int v_ok = 0, v_nomem = 0, v_bad = st0 == CU_OK ? 0 : 1;

		for (unsigned long k = 1; k < 60; k++) {
			enum cu_status st;

			cu_alloc_fail_after(k);
			st = cu_custody_verify_buf(b.data, b.len, "alloc", pub1, &chk, &err);
			cu_alloc_fail_after(0);
			if (st == CU_OK && chk.entries == want.entries &&
			    chk.signed_entries == want.signed_entries &&
			    memcmp(chk.root, want.root, sizeof(chk.root)) == 0)
				v_ok++;
			else if (st == CU_E_NOMEM)
				v_nomem++;
			else {
				tap_diag("verify after failing allocation %lu: status %d: %s", k,
					 (int)st, err.msg);
				v_bad++;
			}
		}
		tap_ok(v_nomem > 0 && v_ok > 0,
		       "verify under allocation failures: %d reported, %d same result", v_nomem,
		       v_ok);
		tap_ok(v_bad == 0, "no failing allocation reads as tampering (%d did)", v_bad);
	}
	cu_buf_release(&b);
	cu_buf_release(&after);
}

int main(void)
{
	struct cu_custody_check expect;
	const char *d = tap_tmpdir("custody");

	tap_plan(104);
	unsetenv("CUSTOS_EXAMINER");
	snprintf(dir, sizeof(dir), "%s", d);
	snprintf(logpath, sizeof(logpath), "%s/log.jsonl", dir);
	make_keys();
	test_append_reopen(&expect);
	test_tamper(&expect);
	test_torn();
	test_alloc_failures();
	return tap_done();
}
