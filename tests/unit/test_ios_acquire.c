/*
 * test_ios_acquire.c - the host side of an iPhone backup as the acquisition
 * driver applies it to its spool (extract/ios/acquire.c through
 * acquire_int.h), without a phone: what the phone may do after sending a
 * file — send it again, move another onto it, remove it, copy it, break a
 * file off, stop in the middle — never loses a received byte: each such
 * file is recorded as evidence under _mobilebackup2/<why>/attempt-N/ with
 * the digests computed while it arrived, and the spool is left without a
 * file in it.
 */
#include "extract/ios/acquire_int.h"
#include "tests/harness/tap.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define U "00008101-UNITTEST"

static struct cu_case *new_case(const char *name, char *dir, size_t n)
{
	struct cu_case_init_opts o = {.case_id = "T-IOS-SPOOL"};
	struct cu_case *c = NULL;
	struct cu_error err;
	snprintf(dir, n, "%s/case", tap_tmpdir(name));
	if (cu_case_init(dir, &o, &c, NULL, NULL, &err) != CU_OK) {
		tap_diag("case init: %s", err.msg);
		return NULL;
	}
	return c;
}

struct seen {
	size_t n;
	char path[32][256];
	char sha[32][65];
};

static enum cu_status keep(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct seen *s = ctx;
	(void)err;
	if (s->n < 32) {
		snprintf(s->path[s->n], sizeof(s->path[0]), "%s", r->device_path);
		snprintf(s->sha[s->n], sizeof(s->sha[0]), "%s", r->sha256);
		s->n++;
	}
	return CU_OK;
}

/* The inventory lists path with the SHA-256 of body. */
static bool listed(const struct seen *s, const char *path, const char *body)
{
	char want[65];
	cu_sha256_hex(body, strlen(body), want);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->path[i], path) == 0)
			return strcmp(s->sha[i], want) == 0;
	return false;
}

static enum cu_status put(const struct cu_ios_backup_sink *k, const char *path, const char *body,
			  bool end_ok, struct cu_error *err)
{
	enum cu_status st = k->file_begin(k->ctx, path, err);
	size_t n = strlen(body), half = n / 2;
	if (st == CU_OK && half > 0) /* in two blocks, as the stream gives them */
		st = k->file_data(k->ctx, body, half, err);
	if (st == CU_OK)
		st = k->file_data(k->ctx, body + half, n - half, err);
	if (st == CU_OK)
		st = k->file_end(k->ctx, end_ok, end_ok ? NULL : "Simulated read error", err);
	return st;
}

static size_t files_under(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char sub[4096];
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (lstat(sub, &sb) != 0)
			continue;
		n += S_ISDIR(sb.st_mode) ? files_under(sub) : 1;
	}
	closedir(d);
	return n;
}

/* rm -r of a tree of directories (no file is expected in it) */
static void rmdirs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char sub[4096];
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		rmdirs(sub);
	}
	closedir(d);
	(void)rmdir(dir);
}

static void test_nothing_lost(void)
{
	char dir[4096], work[4200];
	struct cu_case *c = new_case("spool", dir, sizeof(dir));
	struct cu_ingest *w = NULL;
	struct cu_ios_backup_sink k;
	struct iacq *x = NULL;
	struct cu_error err;
	struct seen s;
	json_t *ls = json_object();

	if (c == NULL)
		return;
	memset(&s, 0, sizeof(s));
	tap_is_int(cu_ingest_open(c, CU_INGEST_ACQUIRE, CU_HASH_DEFAULT, false, &w, &err), CU_OK,
		   "writer");
	tap_is_int(cu_ingest_set_item(w, "P", &err), CU_OK, "item");
	tap_is_int(cu_ios_acq_spool_open(c, w, U, &x, &k, &err), CU_OK, "spool for attempt 1");
	tap_ok(k.mkdir(k.ctx, U "/Snapshot/aa", &err) == CU_OK &&
		   k.mkdir(k.ctx, U "/aa", &err) == CU_OK,
	       "CreateDirectory in the spool");
	tap_is_int(put(&k, U "/Snapshot/aa/f1", "one", true, &err), CU_OK, "a file received");
	tap_is_int(put(&k, U "/Snapshot/aa/f1", "ONE again", true, &err), CU_OK,
		   "the same file sent again");
	tap_ok(put(&k, U "/Snapshot/aa/f2", "two", true, &err) == CU_OK &&
		   put(&k, U "/Snapshot/Manifest.db", "db", true, &err) == CU_OK,
	       "two more files");
	tap_is_int(k.move(k.ctx, U "/Snapshot/aa", U "/aa", &err), CU_OK,
		   "MoveItems of a directory onto an empty one");
	tap_is_int(put(&k, U "/aa/f3", "three", true, &err), CU_OK, "a file received");
	tap_is_int(k.move(k.ctx, U "/aa/f2", U "/aa/f3", &err), CU_OK,
		   "a file moved onto another received file");
	tap_is_int(k.remove(k.ctx, U "/aa/f1", &err), CU_OK, "RemoveItems of a received file");
	tap_is_int(k.remove(k.ctx, U "/nothing/here", &err), CU_OK,
		   "RemoveItems of a path that is not there");
	tap_is_int(k.move(k.ctx, U "/missing", U "/aa/x", &err), CU_E_NOTFOUND,
		   "MoveItems of a path that is not there: refused");
	tap_is_int(k.copy(k.ctx, U "/aa/f3", U "/aa/f4", &err), CU_OK, "CopyItem");
	tap_is_int(k.list(k.ctx, U "/aa", ls, &err), CU_OK, "ContentsOfDirectory");
	tap_ok(json_object_get(ls, "f3") && json_object_get(ls, "f4") &&
		   !json_object_get(ls, "f1") && !json_object_get(ls, "f2"),
	       "... lists what the spool holds now (f3, f4)");
	tap_is_int(put(&k, U "/aa/f5", "par", false, &err), CU_OK,
		   "a file the phone reports an error for");
	tap_ok(k.file_begin(k.ctx, U "/bb/f6", &err) == CU_OK &&
		   k.file_data(k.ctx, "six", 3, &err) == CU_OK,
	       "a file in transfer when the stream stops");
	tap_is_int((int64_t)cu_ios_acq_spooled(x), 3,
		   "three files in the spool map (f6 still arriving)");
	tap_is_int(cu_ios_acq_spool_close(x, &err), CU_OK, "the attempt ends broken off");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "writer closed");
	tap_is_int((int64_t)cu_ingest_stats(w)->failures, 2, "two failures: f5 and f6");
	cu_ingest_free(w);
	tap_is_int(cu_inventory_each(c, "P", keep, &s, &err), CU_OK, "inventory read");
	tap_is_int((int64_t)s.n, 8, "every received version listed (8)");
	tap_ok(listed(&s, "_mobilebackup2/replaced/attempt-1/" U "/Snapshot/aa/f1~1", "one"),
	       "the first copy of a file sent twice: replaced, its digest");
	tap_ok(listed(&s, "_mobilebackup2/replaced/attempt-1/" U "/aa/f3~2", "three"),
	       "the file another was moved onto: replaced");
	tap_ok(listed(&s, "_mobilebackup2/removed/attempt-1/" U "/aa/f1~3", "ONE again"),
	       "the file the phone removed: removed (its second version)");
	tap_ok(listed(&s, "_mobilebackup2/incomplete/attempt-1/" U "/aa/f5~4", "par"),
	       "the file the phone failed: what came of it, incomplete");
	tap_ok(listed(&s, "_mobilebackup2/incomplete/attempt-1/" U "/bb/f6~5", "six"),
	       "the file cut by the stop: what came of it, incomplete");
	tap_ok(
	    listed(&s, "_mobilebackup2/interrupted/attempt-1/" U "/aa/f3", "two") &&
		listed(&s, "_mobilebackup2/interrupted/attempt-1/" U "/aa/f4", "two") &&
		listed(&s, "_mobilebackup2/interrupted/attempt-1/" U "/Snapshot/Manifest.db", "db"),
	    "the rest under their last names: interrupted (the moved f2 as f3, its copy f4)");
	snprintf(work, sizeof(work), "%s/work", dir);
	tap_is_int((int64_t)files_under(work), 0, "no file left in the spool");

	/* the next attempt gets a new spool */
	tap_is_int(cu_ingest_open(c, CU_INGEST_ACQUIRE, CU_HASH_DEFAULT, true, &w, &err), CU_OK,
		   "writer (resume)");
	tap_is_int(cu_ingest_set_item(w, "P", &err), CU_OK, "item");
	tap_is_int(cu_ios_acq_spool_open(c, w, U, &x, &k, &err), CU_OK, "spool for the resume");
	tap_is_int(put(&k, U "/aa/f1", "one", true, &err), CU_OK, "a file received again");
	tap_is_int(cu_ios_acq_spool_close(x, &err), CU_OK, "ended");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "writer closed");
	cu_ingest_free(w);
	memset(&s, 0, sizeof(s));
	tap_is_int(cu_inventory_each(c, "P", keep, &s, &err), CU_OK, "inventory read");
	tap_ok(s.n == 9 && listed(&s, "_mobilebackup2/interrupted/attempt-2/" U "/aa/f1", "one"),
	       "the second attempt's files are attempt-2, the first's still listed");

	/* the same attempt number again (its spool gone, as after a crash
	 * before the manifest said so): a listed name is never reused for
	 * other bytes, and the same bytes are not listed twice */
	snprintf(work, sizeof(work), "%s/work", dir);
	rmdirs(work);
	tap_is_int(cu_ingest_open(c, CU_INGEST_ACQUIRE, CU_HASH_DEFAULT, true, &w, &err), CU_OK,
		   "writer (resume)");
	tap_is_int(cu_ingest_set_item(w, "P", &err), CU_OK, "item");
	tap_is_int(cu_ios_acq_spool_open(c, w, U, &x, &k, &err), CU_OK, "spool, attempt 1 again");
	tap_ok(put(&k, U "/aa/f3", "other bytes", true, &err) == CU_OK &&
		   put(&k, U "/aa/f4", "two", true, &err) == CU_OK,
	       "two files under names attempt 1 listed");
	tap_is_int(cu_ios_acq_spool_close(x, &err), CU_OK, "ended");
	tap_is_int(cu_ingest_close(w, NULL, NULL, NULL, &err), CU_OK, "writer closed");
	cu_ingest_free(w);
	memset(&s, 0, sizeof(s));
	tap_is_int(cu_inventory_each(c, "P", keep, &s, &err), CU_OK, "inventory read");
	tap_ok(
	    s.n == 10 &&
		listed(&s, "_mobilebackup2/interrupted/attempt-1/" U "/aa/f3~r1", "other bytes") &&
		listed(&s, "_mobilebackup2/interrupted/attempt-1/" U "/aa/f3", "two"),
	    "other bytes: a name of their own (~r1), the listed file unchanged; the same bytes "
	    "not listed again");
	tap_is_int((int64_t)files_under(work), 0, "no file left in the spool");
	json_decref(ls);
	cu_case_close(c);
}

int main(void)
{
	tap_plan(48);
	test_nothing_lost();
	return tap_done();
}
