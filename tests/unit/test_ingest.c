/*
 * test_ingest.c - unit tests of the evidence writer (extract/ingest.c):
 * slots and their paths, streaming a file in chunks with the case's hash
 * policy (SHA-256 + MD5, SM3 on request, by the case's settings or by the
 * item's inventory), the inventory lines it lists, abort (no file, no
 * line), duplicate names, resume (done files re-checked, a tampered copy
 * caught, a partial file removed), the summary and the closing custody
 * entry, and misuse (no item, three files open, write after commit).
 */
#include "extract/ingest_int.h"
#include "tests/harness/tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static char casedir[4096];

static struct cu_case *new_case(const char *name)
{
	struct cu_case_init_opts o = {.case_id = "T-INGEST"};
	struct cu_case *c = NULL;
	struct cu_error err;
	snprintf(casedir, sizeof(casedir), "%s/case", tap_tmpdir(name));
	if (cu_case_init(casedir, &o, &c, NULL, NULL, &err) != CU_OK) {
		tap_diag("case init: %s", err.msg);
		return NULL;
	}
	return c;
}

/* Digest of p with OpenSSL directly (not through core's hasher). */
static void digest_hex(const char *alg, const void *p, size_t n, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_Digest(p, n, md, &len, EVP_get_digestbyname(alg), NULL);
	cu_hex(md, len, hex);
}

struct rows {
	size_t n;
	struct cu_inventory_rec last;
	char paths[16][256];
};

static enum cu_status keep_row(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct rows *rs = ctx;
	(void)err;
	if (rs->n < 16)
		snprintf(rs->paths[rs->n], sizeof(rs->paths[0]), "%s", r->evidence_path);
	rs->n++;
	cu_inventory_rec_release(&rs->last);
	memset(&rs->last, 0, sizeof(rs->last));
	rs->last.size = r->size;
	memcpy(rs->last.sha256, r->sha256, sizeof(r->sha256));
	memcpy(rs->last.md5, r->md5, sizeof(r->md5));
	memcpy(rs->last.sm3, r->sm3, sizeof(r->sm3));
	rs->last.kind = cu_strdup(r->kind);
	rs->last.derivation = r->derivation ? cu_strdup(r->derivation) : NULL;
	return CU_OK;
}

static size_t inventory(struct cu_case *c, const char *item, struct rows *rs)
{
	struct cu_error err;
	memset(rs, 0, sizeof(*rs));
	if (cu_inventory_each(c, item, keep_row, rs, &err) != CU_OK)
		tap_diag("inventory: %s", err.msg);
	return rs->n;
}

/* Streams p in chunks of step bytes into a new file at device path dev. */
static enum cu_status put(struct cu_ingest *w, const char *dev, const char *p, size_t n,
			  size_t step, struct cu_digests *d, struct cu_error *err)
{
	struct cu_ingest_slot s = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo fi;
	enum cu_status st;

	memset(&fi, 0, sizeof(fi));
	fi.device_path = dev;
	fi.device_path_len = strlen(dev);
	fi.type = "file";
	fi.mode = 0644;
	if ((st = cu_ingest_slot_plan(w, dev, strlen(dev), false, &s, err)) != CU_OK)
		goto out;
	if (s.done)
		goto out;
	if ((st = cu_ingest_file_open(w, &s, &f, err)) != CU_OK)
		goto out;
	for (size_t off = 0; off < n; off += step) {
		size_t k = n - off < step ? n - off : step;
		if ((st = cu_ingest_file_write(&f, p + off, k, err)) != CU_OK)
			goto out;
	}
	if ((st = cu_ingest_file_commit(&f, NULL, d, err)) != CU_OK)
		goto out;
	st = cu_ingest_record(w, &s, &fi, d, err);
out:
	cu_ingest_file_abort(&f);
	cu_ingest_slot_release(&s);
	return st;
}

static void test_stream_and_policy(void)
{
	struct cu_case *c = new_case("ingest_stream");
	struct cu_ingest *w = NULL;
	struct cu_error err;
	struct cu_digests d;
	struct rows rs;
	char want[129];
	const char *text = "the quick brown fox jumps over the lazy dog\n";
	struct cu_ingest_summary sum;

	if (c == NULL) {
		tap_ok(false, "case for the writer");
		return;
	}
	tap_is_int(cu_ingest_hash_policy(c, NULL, 0), CU_HASH_DEFAULT,
		   "policy: SHA-256 + MD5 by default");
	tap_is_int(cu_ingest_hash_policy(c, NULL, CU_HASH_SM3), CU_HASH_DEFAULT | CU_HASH_SM3,
		   "policy: SM3 on request");
	tap_is_int(cu_ingest_open(c, CU_INGEST_IMPORT, cu_ingest_hash_policy(c, NULL, CU_HASH_SM3),
				  false, &w, &err),
		   CU_OK, "open an import writer");
	tap_ok(cu_ingest_item(w) == NULL, "no item before set_item");
	tap_is_int(put(w, "/a.txt", text, strlen(text), 5, &d, &err), CU_E_INTERNAL,
		   "planning before the item is chosen is refused");
	tap_is_int(cu_ingest_set_item(w, "IT1", &err), CU_OK, "set the item");
	tap_is_int(cu_ingest_set_item(w, "IT2", &err), CU_E_INTERNAL, "the item is set once");
	tap_is_int(put(w, "/data/a.txt", text, strlen(text), 5, &d, &err), CU_OK,
		   "a file streamed in 5-byte chunks: %s", err.msg);
	digest_hex("SHA256", text, strlen(text), want);
	tap_is_str(d.sha256, want, "SHA-256 of the stream (OpenSSL one-shot)");
	digest_hex("MD5", text, strlen(text), want);
	tap_is_str(d.md5, want, "MD5 of the stream");
	digest_hex("SM3", text, strlen(text), want);
	tap_is_str(d.sm3, want, "SM3 of the stream");
	tap_is_int(cu_ingest_flush(w, true, &err), CU_OK, "flush and wait");
	tap_is_int(inventory(c, "IT1", &rs), 1, "one inventory line after the flush");
	tap_is_str(rs.paths[0], "evidence/IT1/data/a.txt", "slot under evidence/<item>/");
	tap_is_str(rs.last.sm3, want, "the line carries SM3");
	tap_is_str(rs.last.kind, "evidence", "kind evidence");
	cu_inventory_rec_release(&rs.last);
	{
		struct stat sb;
		char p[4200];
		snprintf(p, sizeof(p), "%s/evidence/IT1/data/a.txt", casedir);
		tap_ok(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0444 &&
			   (uint64_t)sb.st_size == strlen(text),
		       "committed file is read-only with every byte");
	}
	/* The same name again: kept as ~dup1 with a warning. */
	tap_is_int(put(w, "/data/a.txt", "x", 1, 1, &d, &err), CU_OK, "same name again");
	tap_is_int(cu_ingest_stats(w)->warnings, 1, "duplicate name warned about");
	tap_ok(strstr(cu_ingest_warnings_json(w), "duplicate name") != NULL,
	       "the warning is listed as JSON");
	tap_is_int(cu_ingest_summarize(w, &sum, &err), CU_OK, "summary");
	tap_is_int((int64_t)sum.content_files, 2, "summary: two files in the content tree");
	tap_is_str(sum.inventory, "inventory/IT1.jsonl", "summary: inventory path");
	{
		/* The content root equals core's function over the two rows. */
		struct cu_content_file f[2];
		unsigned char root[32];
		char hex[65], sha_a[65], sha_x[65];
		digest_hex("SHA256", text, strlen(text), sha_a);
		digest_hex("SHA256", "x", 1, sha_x);
		f[0] = (struct cu_content_file){"evidence/IT1/data/a.txt~dup1", 1, sha_x};
		f[1] = (struct cu_content_file){"evidence/IT1/data/a.txt", strlen(text), sha_a};
		tap_ok(cu_merkle_content_root(f, 2, root, &err) == CU_OK, "content root by hand");
		cu_hex(root, 32, hex);
		tap_is_str(sum.content_root, hex, "summary: content root = cu_merkle_content_root");
	}
	tap_is_int(cu_ingest_close(w, "IMPORT", "{\"item\":\"IT1\"}", "{\"files\":2}", &err), CU_OK,
		   "close with the custody entry");
	cu_ingest_free(w);
	/* A later writer for the item (derive) follows the item's SM3. */
	tap_is_int(cu_ingest_hash_policy(c, "IT1", 0), CU_HASH_DEFAULT | CU_HASH_SM3,
		   "policy: an item listed with SM3 keeps SM3");
	tap_is_int(cu_ingest_hash_policy(c, "NOITEM", 0), CU_HASH_DEFAULT,
		   "policy: an item without inventory has the default");
	json_object_set_new(c->manifest, "settings", json_pack("{s:[s]}", "hash", "SM3"));
	tap_is_int(cu_ingest_hash_policy(c, NULL, 0), CU_HASH_DEFAULT | CU_HASH_SM3,
		   "policy: the case's settings ask for SM3");
	cu_case_close(c);
}

static void test_abort_and_misuse(void)
{
	struct cu_case *c = new_case("ingest_abort");
	struct cu_ingest *w = NULL;
	struct cu_ingest_slot s1 = CU_INGEST_SLOT_INIT, s2 = CU_INGEST_SLOT_INIT,
			      s3 = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f1 = CU_INGEST_FILE_INIT, f2 = CU_INGEST_FILE_INIT,
			      f3 = CU_INGEST_FILE_INIT;
	struct cu_error err;
	struct cu_digests d;
	struct rows rs;

	if (c == NULL ||
	    cu_ingest_open(c, CU_INGEST_ACQUIRE, CU_HASH_DEFAULT, false, &w, &err) != CU_OK ||
	    cu_ingest_set_item(w, "DEV", &err) != CU_OK) {
		tap_ok(false, "writer for the abort tests");
		return;
	}
	tap_is_int(cu_ingest_slot_plan(w, "/sdcard/x.jpg", 13, false, &s1, &err), CU_OK, "plan");
	tap_is_int(cu_ingest_file_open(w, &s1, &f1, &err), CU_OK, "open");
	tap_is_int(cu_ingest_file_write(&f1, "partial", 7, &err), CU_OK, "a chunk arrives");
	cu_ingest_file_abort(&f1);
	tap_ok(access(s1.abs.data, F_OK) != 0, "abort removes the partial file");
	cu_ingest_file_abort(&f1); /* twice is harmless */
	tap_is_int(cu_ingest_file_write(&f1, "x", 1, &err), CU_E_INTERNAL,
		   "writing to an aborted file is refused");
	/* Two files at once (evidence + derived in one pass), not three. */
	tap_is_int(cu_ingest_slot_plan(w, "/sdcard/x.jpg", 13, false, &s1, &err), CU_OK,
		   "plan again after the abort (name not used)");
	tap_is_int(cu_ingest_slot_plan(w, "/sdcard/x.jpg", 13, true, &s2, &err), CU_OK,
		   "derived slot");
	tap_ok(strncmp(s2.rel.data, "derived/DEV/", 12) == 0, "derived slot under derived/");
	tap_is_int(cu_ingest_slot_plan(w, "/sdcard/y", 9, false, &s3, &err), CU_OK, "third slot");
	tap_is_int(cu_ingest_file_open(w, &s1, &f1, &err), CU_OK, "first file open");
	tap_is_int(cu_ingest_file_open(w, &s2, &f2, &err), CU_OK, "second file open");
	tap_is_int(cu_ingest_file_open(w, &s3, &f3, &err), CU_E_INTERNAL, "a third is refused");
	tap_is_int(cu_ingest_file_commit(&f1, NULL, &d, &err), CU_OK, "commit the first");
	tap_is_int(cu_ingest_file_commit(&f1, NULL, &d, &err), CU_E_INTERNAL,
		   "committing twice is refused");
	tap_is_int(cu_ingest_file_open(w, &s3, &f3, &err), CU_OK, "its hasher is free again");
	cu_ingest_file_abort(&f2);
	cu_ingest_file_abort(&f3);
	tap_is_int(cu_ingest_slot_plan(w, "/../etc/passwd", 14, false, &s3, &err), CU_E_PATH,
		   "'..' refused");
	tap_is_int(cu_ingest_slot_plan_path(w, "derived/DEV/../../x", &s3, &err), CU_E_PATH,
		   "case-relative path with '..' refused");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "close without an entry");
	tap_is_int(inventory(c, "DEV", &rs), 0, "nothing recorded: no inventory line");
	cu_inventory_rec_release(&rs.last);
	cu_ingest_slot_release(&s1);
	cu_ingest_slot_release(&s2);
	cu_ingest_slot_release(&s3);
	cu_ingest_free(w);
	cu_case_close(c);
}

static void test_resume(void)
{
	struct cu_case *c = new_case("ingest_resume");
	struct cu_ingest *w = NULL;
	struct cu_ingest_slot s = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_error err;
	struct cu_digests d;
	struct rows rs;
	char p[4200];

	if (c == NULL || cu_ingest_open(c, CU_INGEST_IMPORT, CU_HASH_DEFAULT, false, &w, &err) ||
	    cu_ingest_set_item(w, "R", &err)) {
		tap_ok(false, "writer for the resume tests");
		return;
	}
	tap_is_int(put(w, "/one", "1111", 4, 4, &d, &err), CU_OK, "first run: /one");
	tap_is_int(put(w, "/two", "2222", 4, 4, &d, &err), CU_OK, "first run: /two");
	/* The run dies writing /three: a partial file, never listed. */
	tap_is_int(cu_ingest_slot_plan(w, "/three", 6, false, &s, &err), CU_OK, "plan /three");
	tap_is_int(cu_ingest_file_open(w, &s, &f, &err), CU_OK, "open /three");
	tap_is_int(cu_ingest_file_write(&f, "33", 2, &err), CU_OK, "half of /three");
	tap_is_int(cu_ingest_flush(w, true, &err), CU_OK, "the listed files are durable");
	close(f.fd); /* as a kill would leave it: on disk, not listed */
	f.fd = -1;
	cu_ingest_free(w);
	w = NULL;
	/* Someone changes the evidence copy of /two meanwhile. */
	snprintf(p, sizeof(p), "%s/evidence/R/two", casedir);
	chmod(p, 0644);
	{
		FILE *fp = fopen(p, "w");
		if (fp) {
			fputs("2XXX", fp);
			fclose(fp);
		}
	}
	tap_is_int(cu_ingest_open(c, CU_INGEST_IMPORT, CU_HASH_DEFAULT, true, &w, &err), CU_OK,
		   "resume writer");
	tap_is_int(cu_ingest_set_item(w, "R", &err), CU_OK, "resume: item's inventory loaded");
	tap_is_int((int64_t)cu_ingest_resume_count(w), 2, "resume map holds the two listed files");
	tap_is_int(put(w, "/one", "1111", 4, 4, &d, &err), CU_OK, "/one again");
	tap_is_int(put(w, "/two", "2222", 4, 4, &d, &err), CU_OK, "/two again");
	tap_is_int(put(w, "/three", "3333", 4, 4, &d, &err), CU_OK, "/three written anew");
	tap_is_int(cu_ingest_stats(w)->rechecked, 1, "one copy re-checked and good");
	tap_is_int(cu_ingest_stats(w)->failures, 1, "the tampered copy is a failure");
	tap_is_int(cu_ingest_stats(w)->partials_removed, 1, "the partial file was removed");
	tap_is_int(cu_ingest_stats(w)->files, 1, "only /three was written");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "close");
	tap_is_int(inventory(c, "R", &rs), 3, "three lines, none twice");
	tap_is_str(rs.paths[2], "evidence/R/three", "the redone file listed last");
	tap_ok(strcmp(rs.last.sha256, d.sha256) == 0, "with the digest of the full file");
	cu_inventory_rec_release(&rs.last);
	/* Without resume the case refuses to write over evidence. */
	cu_ingest_free(w);
	w = NULL;
	tap_is_int(cu_ingest_open(c, CU_INGEST_IMPORT, CU_HASH_DEFAULT, false, &w, &err), CU_OK,
		   "a second, non-resume writer");
	tap_is_int(cu_ingest_set_item(w, "R", &err), CU_OK, "same item");
	tap_is_int(put(w, "/one", "1111", 4, 4, &d, &err), CU_E_EXISTS,
		   "an existing evidence file is never overwritten");
	cu_ingest_slot_release(&s);
	cu_ingest_free(w);
	cu_case_close(c);
}

/* A file received before its name is known: spooled (hashed while it
 * streams), then given its evidence slot with those digests. */
static void test_spool_adopt(void)
{
	struct cu_case *c = new_case("spool");
	struct cu_ingest *w = NULL;
	struct cu_ingest_slot sp = CU_INGEST_SLOT_INIT, s = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_ingest_spooled sd;
	struct cu_ingest_fileinfo fi;
	struct cu_error err;
	struct rows rs;
	struct stat a, b;
	char want[65];
	static const char body[] = "bplist00 received over the DeviceLink stream";

	if (c == NULL)
		return;
	memset(&sd, 0, sizeof(sd));
	memset(&fi, 0, sizeof(fi));
	tap_is_int(cu_ingest_open(c, CU_INGEST_ACQUIRE, CU_HASH_DEFAULT, false, &w, &err), CU_OK,
		   "writer");
	tap_is_int(cu_ingest_set_item(w, "P", &err), CU_OK, "item");
	tap_is_int(cu_ingest_spool_plan(w, "ios/P/1/UDID/3d/3d0d", &sp, &err), CU_OK, "spool slot");
	tap_is_str(sp.rel.data, "work/ios/P/1/UDID/3d/3d0d", "spool slot under work/");
	tap_is_int(cu_ingest_spool_plan(w, "../evidence/x", &s, &err), CU_E_PATH,
		   "a spool path cannot leave work/");
	tap_ok(cu_ingest_file_open(w, &sp, &f, &err) == CU_OK &&
		   cu_ingest_file_write(&f, body, 10, &err) == CU_OK &&
		   cu_ingest_file_write(&f, body + 10, sizeof(body) - 11, &err) == CU_OK &&
		   cu_ingest_file_commit(&f, NULL, &sd.d, &err) == CU_OK,
	       "streamed into the spool");
	sd.abs = sp.abs.data;
	memcpy(sd.head, f.head, f.head_n);
	sd.head_n = f.head_n;
	fi.device_path = "HomeDomain/Library/SMS/sms.db";
	fi.device_path_len = strlen(fi.device_path);
	fi.type = "file";
	fi.mode = 0644;
	fi.have_mtime = true;
	fi.mtime.tv_sec = 1700000000;
	tap_is_int(cu_ingest_slot_plan(w, fi.device_path, fi.device_path_len, false, &s, &err),
		   CU_OK, "evidence slot");
	tap_is_int(cu_ingest_adopt(w, &s, &sd, &fi, &err), CU_OK, "adopted");
	tap_ok(stat(s.abs.data, &a) == 0 && stat(sp.abs.data, &b) == 0 && a.st_ino == b.st_ino &&
		   (a.st_mode & 0777) == 0444 && a.st_mtime == 1700000000,
	       "the evidence copy is the spooled bytes, read-only, with the device's mtime");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "close");
	digest_hex("SHA256", body, sizeof(body) - 1, want);
	tap_is_int(inventory(c, "P", &rs), 1, "one line");
	tap_is_str(rs.last.sha256, want, "its SHA-256 is the bytes' (from the spool's hasher)");
	cu_inventory_rec_release(&rs.last);
	{
		char path[4200], line[4096] = "", hex[33];
		FILE *fp;
		snprintf(path, sizeof(path), "%s/inventory/P.jsonl", casedir);
		fp = fopen(path, "r");
		if (fp != NULL) {
			if (fgets(line, sizeof(line), fp) == NULL)
				line[0] = '\0';
			fclose(fp);
		}
		cu_hex((const unsigned char *)body, 16, hex);
		tap_ok(strstr(line, hex) != NULL,
		       "the line carries the first bytes seen in the spool");
	}
	cu_ingest_file_abort(&f);
	cu_ingest_slot_release(&sp);
	cu_ingest_slot_release(&s);
	cu_ingest_free(w);
	cu_case_close(c);
}

int main(void)
{
	tap_plan(84);
	test_stream_and_policy();
	test_abort_and_misuse();
	test_resume();
	test_spool_adopt();
	return tap_done();
}
