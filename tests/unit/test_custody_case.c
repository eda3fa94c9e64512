/*
 * test_custody_case.c - the case directory, the manifest schema check and
 * the inventory: case init/open/save, missing and invalid manifest fields,
 * ID numbers hashed, inventory round trip, torn last line skipped (and cut
 * with an ERROR entry on the next append), bad middle line named by
 * file:line, item ids that would escape refused.
 */
#include "core/core.h"
#include "tests/harness/tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[512];
static char sample[2048];

static void append_bytes(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		tap_diag("cannot append to %s", path);
	if (fd >= 0)
		close(fd);
}

static json_t *load_sample(void)
{
	json_t *m = NULL;
	struct cu_error err;
	if (cu_json_load_file(sample, 1 << 20, &m, &err) != CU_OK)
		tap_diag("sample: %s", err.msg);
	return m;
}

static bool list_has(const struct cu_buf *b, const char *line)
{
	size_t n = strlen(line);
	for (size_t a = 0; b->data != NULL && a < b->len;) {
		const char *nl = memchr(b->data + a, '\n', b->len - a);
		size_t len = nl ? (size_t)(nl - (b->data + a)) : b->len - a;
		if (len == n && memcmp(b->data + a, line, n) == 0)
			return true;
		a += len + 1;
	}
	return false;
}

static void test_schema(void)
{
	json_t *m = load_sample(), *c;
	struct cu_buf miss = CU_BUF_INIT;
	struct cu_error err;
	size_t n = 99;

	/* The partial sample lacks only tool-filled fields. */
	json_object_set_new(m, "format", json_string("custos-manifest"));
	json_object_set_new(m, "format_version", json_integer(1));
	tap_is_int(cu_manifest_check(m, &miss, &n, &err), CU_OK, "sample manifest checks");
	tap_is_int((int64_t)n, 0, "sample: nothing missing");
	if (n)
		tap_diag("missing: %s", miss.data);

	c = json_object_get(m, "case");
	json_object_del(c, "agency");
	json_object_set_new(c, "purpose", json_string(""));
	json_object_set_new(
	    json_array_get(json_object_get(json_object_get(m, "seizure"), "items"), 0), "seal",
	    json_null());
	json_array_remove(json_object_get(json_object_get(m, "personnel"), "investigators"), 1);
	json_object_del(json_object_get(m, "personnel"), "witnesses");
	tap_is_int(cu_manifest_check(m, &miss, &n, &err), CU_OK, "incomplete manifest checks");
	tap_is_int((int64_t)n, 5, "5 missing");
	tap_ok(list_has(&miss, "case.agency"), "absent case.agency listed");
	tap_ok(list_has(&miss, "case.purpose"), "empty case.purpose listed");
	tap_ok(list_has(&miss, "seizure.items[0].seal"), "null item seal listed");
	tap_ok(list_has(&miss, "personnel.investigators (at least 2, has 1)"),
	       "one investigator is too few");
	tap_ok(list_has(&miss, "personnel.witnesses or personnel.no_witness_reason"),
	       "witness or reason");
	json_object_set_new(json_object_get(m, "personnel"), "no_witness_reason",
			    json_string("深夜抓捕，无见证人，全程录像"));
	tap_is_int(cu_manifest_check(m, &miss, &n, &err), CU_OK, "with no_witness_reason");
	tap_is_int((int64_t)n, 4, "no_witness_reason satisfies the witness rule");

	json_object_set_new(c, "case_title", json_integer(7));
	json_object_set_new(json_object_get(c, "legal_basis"), "type", json_string("没收"));
	tap_is_int(cu_manifest_check(m, &miss, &n, &err), CU_E_FORMAT, "wrong types are invalid");
	tap_ok(strstr(err.msg, "case.case_title: should be string, is integer") != NULL &&
		   strstr(err.msg, "case.legal_basis.type") != NULL,
	       "invalid fields named: %s", err.msg);
	tap_ok(strstr(cu_manifest_schema_text(), "\"custos-manifest\"") != NULL,
	       "schema text is built in");
	json_decref(m);
	cu_buf_release(&miss);
}

static void test_case_init(char *dir, size_t dir_n)
{
	struct cu_case_init_opts o = {.case_id = "A4403052026110001", .manifest_path = sample};
	const char *ex[] = {"王建国"};
	struct cu_case *c = NULL;
	struct cu_error err;
	struct cu_buf miss = CU_BUF_INIT, b = CU_BUF_INIT;
	size_t n = 9;
	struct stat sb;

	snprintf(dir, dir_n, "%s/case1", base);
	o.examiners = ex;
	o.n_examiners = 1;
	tap_is_int(cu_case_set_actor("王建国", NULL, "examiner", &err), CU_OK, "set the examiner");
	cu_alloc_fail_after(1);
	tap_is_int(cu_case_set_actor("李四", NULL, "examiner", &err), CU_E_NOMEM,
		   "set the examiner: allocation failure reported");
	tap_is_str(cu_case_default_actor()->name, "王建国",
		   "a failed set keeps the previous examiner");
	tap_is_int(cu_case_init(dir, &o, &c, &miss, &n, &err), CU_OK, "case init: %s", err.msg);
	tap_is_int((int64_t)n, 0, "complete sample: nothing missing");
	const char *subs[] = {"custody", "evidence", "derived", "inventory", "work", "report"};
	bool all = true;
	for (size_t i = 0; i < 6; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, subs[i]);
		all = all && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
	}
	tap_ok(all, "layout directories exist");
	tap_ok(c != NULL && c->dir[0] == '/', "absolute case dir");
	tap_is_int((int64_t)cu_custody_size(c->custody), 1, "one custody entry");
	tap_is_str(
	    json_string_value(json_object_get(json_object_get(c->manifest, "case"), "case_number")),
	    "A4403052026110001", "case number");
	json_t *w = json_array_get(
	    json_object_get(json_object_get(c->manifest, "personnel"), "witnesses"), 0);
	tap_ok(json_object_get(w, "id_number") == NULL, "plain witness ID number removed");
	/* sha256("990101199003071234") */
	tap_is_str(json_string_value(json_object_get(w, "id_sha256")),
		   "c89e451dc248d6e689b15b77ce2870f741c8f4cdaba2d1075d2cfef5d0a732d6",
		   "witness id_sha256");
	tap_is_str(json_string_value(json_object_get(c->manifest, "format")), "custos-manifest",
		   "format filled");

	/* manifest.json: pretty, 2 spaces, newline at the end; CASE_INIT names its hash. */
	char mp[4096], hex[65];
	snprintf(mp, sizeof(mp), "%s/manifest.json", dir);
	TAP_MUST(cu_file_read_all(mp, 1 << 20, &b, &err));
	tap_ok(cu_str_has_prefix(b.data, "{\n  \"format\": \"custos-manifest\",\n"),
	       "manifest is indented by 2 spaces, format first");
	tap_ok(b.data[b.len - 1] == '\n', "manifest ends with a newline");
	cu_sha256_hex(b.data, b.len, hex);
	snprintf(mp, sizeof(mp), "%s/custody/log.jsonl", dir);
	cu_buf_reset(&b);
	TAP_MUST(cu_file_read_all(mp, 1 << 20, &b, &err));
	tap_ok(strstr(b.data, hex) != NULL, "CASE_INIT carries the manifest sha256");
	tap_ok(strstr(b.data, "\"actor\":{\"name\":\"王建国\",\"id\":\"990101\"") != NULL,
	       "actor badge taken from the investigators");

	/* Save round trip. */
	json_object_set_new(c->manifest, "note", json_string("中文 ok"));
	tap_is_int(cu_case_save_manifest(c, &err), CU_OK, "save manifest");
	cu_case_close(c);
	c = NULL;
	tap_is_int(cu_case_open(dir, &c, &err), CU_OK, "reopen case");
	tap_is_str(json_string_value(json_object_get(c->manifest, "note")), "中文 ok",
		   "saved field reloaded");
	cu_case_close(c);

	/* Refusals. */
	tap_is_int(cu_case_init(dir, &o, NULL, NULL, NULL, &err), CU_E_EXISTS,
		   "non-empty directory refused");
	char d2[1024];
	snprintf(d2, sizeof(d2), "%s/case2", base);
	o.case_id = "OTHER";
	tap_is_int(cu_case_init(d2, &o, NULL, NULL, NULL, &err), CU_E_USAGE,
		   "case id differing from the manifest refused");
	tap_ok(!cu_file_exists(d2), "nothing created on refusal");
	o.case_id = "X";
	o.manifest_path = NULL;
	tap_is_int(cu_case_init(d2, &o, NULL, &miss, &n, &err), CU_OK, "init without manifest");
	tap_ok(n >= 8 && list_has(&miss, "case.case_title") && list_has(&miss, "seizure.items"),
	       "without manifest: %zu missing, named", n);
	/* A failure before CASE_INIT is written leaves nothing behind. */
	{
		struct cu_signer *gen = NULL, *pub = NULL;
		char d3[1024], kp[1024];
		snprintf(d3, sizeof(d3), "%s/case3", base);
		snprintf(kp, sizeof(kp), "%s/k.pub.pem", base);
		TAP_MUST(cu_signer_generate(&gen, &err));
		TAP_MUST(cu_signer_write_pem(gen, NULL, kp, &err));
		tap_is_int(cu_signer_load_public(kp, &pub, &err), CU_OK, "public key loaded");
		o.signer = pub; /* cannot sign: the CASE_INIT append fails */
		tap_is_int(cu_case_init(d3, &o, NULL, NULL, NULL, &err), CU_E_KEY,
			   "init fails when CASE_INIT cannot be signed");
		tap_ok(!cu_file_exists(d3), "the half-made case directory was removed");
		o.signer = gen;
		tap_is_int(cu_case_init(d3, &o, NULL, NULL, NULL, &err), CU_OK,
			   "a rerun succeeds (signed)");
		o.signer = NULL;
		cu_signer_free(gen);
		cu_signer_free(pub);
	}
	tap_is_int(cu_case_open(base, &c, &err), CU_E_NOTFOUND, "non-case directory refused");
	tap_ok(strstr(err.msg, "not a case directory") != NULL, "says so: %s", err.msg);
	cu_buf_release(&miss);
	cu_buf_release(&b);
}

struct collect {
	size_t n;
	struct cu_buf lines;
};

static enum cu_status collect_fn(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct collect *c = ctx;
	c->n++;
	return cu_inventory_rec_format(r, &c->lines, err);
}

static void test_inventory(const char *dir)
{
	struct cu_case *c = NULL;
	struct cu_error err;
	struct cu_buf want = CU_BUF_INIT, path = CU_BUF_INIT, logb = CU_BUF_INIT;
	struct collect col = {0, CU_BUF_INIT};
	struct cu_inventory_rec r;
	char **items = NULL;
	size_t n = 0;

	tap_is_int(cu_case_open(dir, &c, &err), CU_OK, "open case for inventory");

	memset(&r, 0, sizeof(r));
	r.kind = "evidence";
	r.item = "A1";
	r.device_path = "HomeDomain/Library/SMS/sms.db";
	r.evidence_path = "evidence/A1/HomeDomain/Library/SMS/sms.db";
	r.type = "file";
	r.size = 12288;
	memcpy(r.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 65);
	memcpy(r.md5, "900150983cd24fb0d6963f7d28e17f72", 33);
	r.mtime = "2026-11-20T01:02:03.000Z";
	r.mode = 0644;
	r.origin = "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28";
	r.meta = json_pack("{s:i}", "protection_class", 3);
	TAP_MUST(cu_buf_puts(
	    &want,
	    "{\"kind\":\"evidence\",\"item\":\"A1\",\"device_path\":\"HomeDomain/Library/SMS/"
	    "sms.db\",\"evidence_path\":\"evidence/A1/HomeDomain/Library/SMS/sms.db\","
	    "\"type\":\"file\",\"size\":12288,\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b"
	    "00361a396177a9cb410ff61f20015ad\",\"md5\":\"900150983cd24fb0d6963f7d28e17f72\","
	    "\"sm3\":null,\"mtime\":\"2026-11-20T01:02:03.000Z\",\"mode\":420,"
	    "\"link_target\":null,\"origin\":\"3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28\","
	    "\"derived_from\":null,\"derivation\":null,\"meta\":{\"protection_class\":3}}\n",
	    NULL));
	struct cu_buf got = CU_BUF_INIT;
	tap_is_int(cu_inventory_rec_format(&r, &got, &err), CU_OK, "format record");
	tap_is_str(got.data, want.data, "inventory line: exact key order and nulls");
	tap_is_int(cu_inventory_append(c, &r, &err), CU_OK, "append A1 file");
	json_decref(r.meta);
	r.meta = NULL;

	struct cu_inventory_rec d;
	memset(&d, 0, sizeof(d));
	d.kind = "evidence";
	d.item = "A1";
	d.device_path = "HomeDomain/Library";
	d.evidence_path = "evidence/A1/HomeDomain/Library";
	d.type = "dir";
	d.mode = -1;
	tap_is_int(cu_inventory_append(c, &d, &err), CU_OK, "append A1 dir");
	d.kind = "derived";
	d.type = "file";
	d.device_path = NULL;
	d.evidence_path = "derived/A1/sms.db";
	d.derived_from = json_pack("[s]", "evidence/A1/HomeDomain/Library/SMS/sms.db");
	d.derivation = "decrypt:ios-backup-keybag";
	memcpy(d.sha256, r.sha256, 65);
	tap_is_int(cu_inventory_append(c, &d, &err), CU_OK, "append A1 derived");
	json_decref(d.derived_from);
	d.derived_from = NULL;
	d.item = "B2";
	d.kind = "evidence";
	d.derivation = NULL;
	d.evidence_path = "evidence/B2/x";
	tap_is_int(cu_inventory_append(c, &d, &err), CU_OK, "append B2");

	tap_is_int(cu_inventory_each(c, "A1", collect_fn, &col, &err), CU_OK, "each A1");
	tap_is_int((int64_t)col.n, 3, "A1: 3 records");
	tap_ok(cu_str_has_prefix(col.lines.data, want.data), "first record round-trips exactly");
	tap_ok(strstr(col.lines.data,
		      "\"derived_from\":[\"evidence/A1/HomeDomain/Library/SMS/"
		      "sms.db\"],\"derivation\":\"decrypt:ios-backup-keybag\"") != NULL,
	       "derived record round-trips");
	col.n = 0;
	cu_buf_reset(&col.lines);
	tap_is_int(cu_inventory_each(c, NULL, collect_fn, &col, &err), CU_OK, "each all");
	tap_is_int((int64_t)col.n, 4, "all: 4 records");
	tap_is_int(cu_case_items(c, &items, &n, &err), CU_OK, "items");
	tap_ok(n == 2 && strcmp(items[0], "A1") == 0 && strcmp(items[1], "B2") == 0,
	       "items A1, B2 (manifest + inventory, sorted, unique)");
	cu_strv_free(items, n);

	/* Torn last line: skipped by readers. */
	TAP_MUST(cu_case_path(c, "inventory/A1.jsonl", &path, &err));
	append_bytes(path.data, "{\"kind\":\"evidence\",\"item\":\"A1\",\"dev");
	col.n = 0;
	tap_is_int(cu_inventory_each(c, "A1", collect_fn, &col, &err), CU_OK,
		   "torn last line skipped");
	tap_is_int((int64_t)col.n, 3, "still 3 records");
	/* Next append cuts it and records an ERROR entry. */
	uint64_t before = cu_custody_size(c->custody);
	tap_is_int(cu_inventory_append(c, &r, &err), CU_OK, "append after torn line");
	tap_is_int((int64_t)cu_custody_size(c->custody), (int64_t)(before + 1),
		   "ERROR entry recorded for the cut");
	col.n = 0;
	tap_is_int(cu_inventory_each(c, "A1", collect_fn, &col, &err), CU_OK, "each after cut");
	tap_is_int((int64_t)col.n, 4, "4 records after the cut");
	TAP_MUST(cu_case_path(c, "custody/log.jsonl", &logb, &err));
	struct cu_buf lb = CU_BUF_INIT;
	TAP_MUST(cu_file_read_all(logb.data, 1 << 20, &lb, &err));
	tap_ok(strstr(lb.data, "\"event\":\"ERROR\"") != NULL &&
		   strstr(lb.data, "\"length\":35,") != NULL,
	       "ERROR entry records 35 torn bytes");
	tap_is_int(cu_custody_verify_buf(lb.data, lb.len, "log", NULL, NULL, &err), CU_OK,
		   "custody log still verifies");
	cu_buf_release(&lb);

	/* A bad line in the middle is an error naming file:line. */
	TAP_MUST(cu_case_path(c, "inventory/B2.jsonl", &path, &err));
	append_bytes(path.data, "not json\n");
	tap_is_int(cu_inventory_append(c, &d, &err), CU_OK, "append after garbage line");
	col.n = 0;
	tap_is_int(cu_inventory_each(c, "B2", collect_fn, &col, &err), CU_E_FORMAT,
		   "bad middle line is an error");
	tap_ok(strstr(err.msg, "B2.jsonl:2") != NULL, "names file:line: %s", err.msg);
	/* A bad LAST line with a newline is treated as torn. */
	TAP_MUST(cu_case_path(c, "inventory/C3.jsonl", &path, &err));
	int fd = open(path.data, O_WRONLY | O_CREAT, 0644);
	const char *l =
	    "{\"kind\":\"evidence\",\"item\":\"C3\",\"type\":\"file\",\"size\":1}\n{\"kin\n";
	tap_ok(fd >= 0 && write(fd, l, strlen(l)) == (ssize_t)strlen(l), "write C3");
	close(fd);
	col.n = 0;
	tap_is_int(cu_inventory_each(c, "C3", collect_fn, &col, &err), CU_OK,
		   "bad last line skipped");
	tap_is_int((int64_t)col.n, 1, "C3: one record");

	/* Many records, some longer than the 64 KiB read chunk: streamed. */
	{
		struct cu_buf all = CU_BUF_INIT, line = CU_BUF_INIT, big = CU_BUF_INIT;
		struct cu_inventory_rec b;
		memset(&b, 0, sizeof(b));
		b.kind = "evidence";
		b.item = "BIG";
		b.type = "file";
		b.mode = -1;
		for (size_t k = 0; k < 100000; k++)
			TAP_MUST(cu_buf_putc(&big, (char)('a' + k % 26), NULL));
		for (size_t k = 0; k < 3000; k++) {
			char dp[64];
			snprintf(dp, sizeof(dp), "/data/media/0/DCIM/%05zu.jpg", k);
			b.device_path = dp;
			b.size = k;
			b.meta = k % 1000 == 7 ? json_pack("{s:s}", "blob", big.data) : NULL;
			cu_buf_reset(&line);
			TAP_MUST(cu_inventory_rec_format(&b, &line, NULL));
			TAP_MUST(cu_buf_append(&all, line.data, line.len, NULL));
			json_decref(b.meta);
		}
		TAP_MUST(cu_case_path(c, "inventory/BIG.jsonl", &path, &err));
		int bfd = open(path.data, O_WRONLY | O_CREAT | O_EXCL, 0644);
		tap_ok(bfd >= 0 && write(bfd, all.data, all.len) == (ssize_t)all.len,
		       "write %zu bytes of records", all.len);
		close(bfd);
		col.n = 0;
		cu_buf_reset(&col.lines);
		tap_is_int(cu_inventory_each(c, "BIG", collect_fn, &col, &err), CU_OK,
			   "stream 3000 records");
		tap_is_int((int64_t)col.n, 3000, "3000 records read");
		tap_ok(col.lines.len == all.len && memcmp(col.lines.data, all.data, all.len) == 0,
		       "every record round-trips across chunk boundaries");
		cu_buf_release(&all);
		cu_buf_release(&line);
		cu_buf_release(&big);
	}

	/* A record filed under the wrong item is refused. */
	TAP_MUST(cu_case_path(c, "inventory/D4.jsonl", &path, &err));
	fd = open(path.data, O_WRONLY | O_CREAT, 0644);
	l = "{\"kind\":\"evidence\",\"item\":\"A1\",\"type\":\"file\",\"size\":1}\n";
	tap_ok(fd >= 0 && write(fd, l, strlen(l)) == (ssize_t)strlen(l), "write D4");
	close(fd);
	tap_is_int(cu_inventory_each(c, "D4", collect_fn, &col, &err), CU_E_FORMAT,
		   "record of another item refused");
	tap_ok(strstr(err.msg, "D4.jsonl:1") != NULL, "names file:line: %s", err.msg);
	unlink(path.data);

	/* Lines read by the fast path and lines it leaves to jansson give the
	 * same records (test builds also cross-check every line both ways). */
	{
		static const char *const lines[] = {
		    "{\"kind\":\"evidence\",\"item\":\"E5\",\"device_path\":\"/a\\\"b\\\\c\\/d\\ne\","
		    "\"evidence_path\":\"evidence/E5/a\",\"type\":\"file\",\"size\":3,\"mode\":420}\n",
		    "{\"kind\":\"evidence\",\"item\":\"E5\",\"device_path\":\"/caf\\u00e9\\u4e2d\","
		    "\"type\":\"file\",\"size\":4}\n",
		    "{\"kind\":\"derived\",\"item\":\"E5\",\"device_path\":\"/m\",\"type\":\"file\","
		    "\"size\":5,\"derived_from\":[\"evidence/E5/a\"],\"meta\":{\"k\":1}}\n",
		    " { \"size\" : 6 , \"type\":\"file\",\"item\":\"E5\",\"kind\":\"evidence\","
		    "\"device_path\":\"/\u4e2d\u6587\",\"unknown\":null } \n",
		    "{\"kind\":\"evidence\",\"item\":\"E5\",\"device_path\":\"/dup\",\"type\":\"file\","
		    "\"size\":7,\"size\":8}\n"};
		struct cu_buf lp = CU_BUF_INIT;
		struct collect c5 = {0, CU_BUF_INIT};
		TAP_MUST(cu_case_path(c, "inventory/E5.jsonl", &lp, &err));
		fd = open(lp.data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		bool wrote = fd >= 0;
		for (size_t i = 0; wrote && i < sizeof(lines) / sizeof(lines[0]); i++)
			wrote = write(fd, lines[i], strlen(lines[i])) == (ssize_t)strlen(lines[i]);
		close(fd);
		tap_ok(wrote, "write E5");
		tap_is_int(cu_inventory_each(c, "E5", collect_fn, &c5, &err), CU_OK,
			   "fast and jansson lines read: %s", err.msg);
		tap_ok(
		    c5.n == 5 && c5.lines.data != NULL &&
			strstr(c5.lines.data, "\"device_path\":\"/a\\\"b\\\\c/d\\ne\"") != NULL &&
			strstr(c5.lines.data, "\"/caf\u00e9\u4e2d\"") != NULL &&
			strstr(c5.lines.data, "\"derived_from\":[\"evidence/E5/a\"]") != NULL &&
			strstr(c5.lines.data, "\"size\":6") != NULL &&
			strstr(c5.lines.data, "\"size\":8") != NULL &&
			strstr(c5.lines.data, "\"mode\":420") != NULL,
		    "5 records, escapes decoded, nested values and the last of a repeated key kept");
		unlink(lp.data);
		/* Invalid UTF-8 and a raw control byte are refused, not read (a
		 * good line after them: a bad last line is a torn write). */
		const char *badl[] = {
		    "{\"kind\":\"evidence\",\"item\":\"E6\",\"device_path\":\"/\xff\","
		    "\"type\":\"file\",\"size\":1}\n",
		    "{\"kind\":\"evidence\",\"item\":\"E6\",\"device_path\":\"/\x01\","
		    "\"type\":\"file\",\"size\":1}\n"};
		bool refused = true;
		for (size_t i = 0; i < 2; i++) {
			TAP_MUST(cu_case_path(c, "inventory/E6.jsonl", &lp, &err));
			fd = open(lp.data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			const char *good =
			    "{\"kind\":\"evidence\",\"item\":\"E6\",\"type\":\"file\","
			    "\"size\":1}\n";
			if (fd < 0 ||
			    write(fd, badl[i], strlen(badl[i])) != (ssize_t)strlen(badl[i]) ||
			    write(fd, good, strlen(good)) != (ssize_t)strlen(good))
				refused = false;
			close(fd);
			if (cu_inventory_each(c, "E6", collect_fn, &c5, &err) != CU_E_FORMAT)
				refused = false;
			unlink(lp.data);
		}
		tap_ok(refused, "invalid UTF-8 and a raw control byte in a string refused");
		cu_buf_release(&lp);
		cu_buf_release(&c5.lines);
	}

	/* Item ids that would escape or hide are refused. */
	const char *bad[] = {"", "../x", "a/b", ".hidden", "-rf", "a b", "a\\b", "x\ny"};
	bool all_refused = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.item = (char *)bad[i];
		if (cu_inventory_append(c, &d, &err) != CU_E_USAGE) {
			tap_diag("item id '%s' accepted", bad[i]);
			all_refused = false;
		}
	}
	tap_ok(all_refused, "unsafe item ids refused");
	tap_is_int(cu_case_item_check("检材-01_A.2", &err), CU_OK, "UTF-8 exhibit number ok");
	tap_is_int(cu_inventory_each(c, "../../etc", collect_fn, &col, &err), CU_E_USAGE,
		   "each refuses an unsafe item");

	cu_case_close(c);
	cu_buf_release(&want);
	cu_buf_release(&got);
	cu_buf_release(&path);
	cu_buf_release(&logb);
	cu_buf_release(&col.lines);
}

static void test_case_torn_custody(const char *dir)
{
	struct cu_case *c = NULL;
	struct cu_error err;
	char p[4096];

	snprintf(p, sizeof(p), "%s/custody/log.jsonl", dir);
	append_bytes(p, "{\"body\":{\"v\":1,");
	tap_is_int(cu_case_open(dir, &c, &err), CU_E_INTEGRITY, "case with torn custody log");
	tap_ok(strstr(err.msg, "torn") != NULL && strstr(err.msg, "--repair") != NULL,
	       "says torn and how to repair: %s", err.msg);
	tap_is_int(cu_case_open_ex(dir, CU_CASE_REPAIR, &c, &err), CU_OK, "repair opens");
	cu_case_close(c);
	tap_is_int(cu_case_open(dir, &c, &err), CU_OK, "opens normally after repair");
	cu_case_close(c);
}

int main(void)
{
	const char *src = getenv("SRCDIR");
	char dir[1024];

	tap_plan(91);
	unsetenv("CUSTOS_EXAMINER");
	setenv("SOURCE_DATE_EPOCH", "1795000000", 1);
	snprintf(base, sizeof(base), "%s", tap_tmpdir("custody_case"));
	snprintf(sample, sizeof(sample), "%s/fixtures/manifest/sample-seizure.json",
		 src ? src : ".");
	test_schema();
	test_case_init(dir, sizeof(dir));
	test_inventory(dir);
	test_case_torn_custody(dir);
	return tap_done();
}
