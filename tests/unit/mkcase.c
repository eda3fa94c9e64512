/*
 * mkcase.c - test helper (not a test): fills a case made by `custos case
 * init` with evidence files, inventory lines and IMPORT / DERIVE custody
 * entries through the core API, the way an import does (hash while
 * copying, one pass), so seal/verify can be tested without a device.
 *
 *   mkcase CASE ITEM            a few small phone files (+ one derived file)
 *   mkcase CASE ITEM bulk MB    mixed files totalling about MB MiB (bench)
 *   mkcase CASE ITEM sm3        the small set, with SM3 digests too
 *   mkcase CASE ITEM many N     N tiny files (1-256 bytes) in 100-wide fan-out
 *                               directories: memory per file (verify_many.sh)
 *   mkcase CASE ITEM many N phone   the same with 1-64 KiB files, about
 *                               log-uniform (a phone's small files, bench)
 * Content is deterministic (a fixed xorshift stream), so two runs agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static bool quick;                          /* many: small files written in place */
static struct cu_buf pending = CU_BUF_INIT; /* their inventory lines */

static enum cu_status flush_pending(struct cu_case *c, const char *item, struct cu_error *err)
{
	enum cu_status st = CU_OK;

	if (pending.len > 0)
		st = cu_inventory_append_lines(c, item, pending.data, pending.len, err);
	cu_buf_reset(&pending);
	return st;
}

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int die(const struct cu_error *err)
{
	fprintf(stderr, "mkcase: %s\n", err->msg);
	return 1;
}

/* Writes head + filler to a scratch file, then copies it into the case
 * while hashing and records the inventory line. */
static enum cu_status add_file(struct cu_case *c, const char *item, const char *kind,
			       const char *device_path, const void *head, size_t head_len,
			       uint64_t size, const char *derived_from, unsigned algs,
			       struct cu_error *err)
{
	struct cu_buf rel = CU_BUF_INIT, dst = CU_BUF_INIT, dev = CU_BUF_INIT, tmp = CU_BUF_INIT;
	struct cu_inventory_rec r;
	struct cu_digests d;
	enum cu_status st;
	unsigned char *buf = NULL;
	int fd = -1;
	const size_t chunk = 1 << 20;

	memset(&r, 0, sizeof(r));
	if ((st = cu_path_from_device(device_path, strlen(device_path), &dev, err)) != CU_OK)
		goto out;
	if ((st = cu_buf_printf(&rel, err, "%s/%s/%s",
				strcmp(kind, "derived") ? "evidence" : "derived", item,
				dev.data)) != CU_OK ||
	    (st = cu_case_path(c, rel.data, &dst, err)) != CU_OK ||
	    (st = cu_mkdirs(dst.data, 0755, true, err)) != CU_OK ||
	    (st = cu_buf_printf(&tmp, err, "%s/work/mkcase.tmp", c->dir)) != CU_OK ||
	    (st = cu_mkdirs(tmp.data, 0755, true, err)) != CU_OK)
		goto out;
	if (quick && head_len == 0 && size <= chunk) {
		/* Many small files (bench, verify_many.sh): written in place and
		 * hashed in memory, without the scratch copy and its fsync. */
		struct cu_hasher *h = NULL;
		if ((buf = malloc(chunk)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "mkcase: out of memory");
			goto out;
		}
		for (size_t i = 0; i + 8 <= size + 8 && i + 8 <= chunk; i += 8) {
			uint64_t v = next();
			memcpy(buf + i, &v, 8);
		}
		fd = open(dst.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "'%s'", dst.data);
			goto out;
		}
		if ((st = cu_write_all(fd, buf, (size_t)size, dst.data, err)) != CU_OK ||
		    (st = cu_hasher_new(algs, 0, &h, err)) != CU_OK ||
		    (st = cu_hasher_update(h, buf, (size_t)size, err)) != CU_OK ||
		    (st = cu_hasher_final(h, &d, err)) != CU_OK) {
			cu_hasher_free(h);
			goto out;
		}
		cu_hasher_free(h);
		close(fd);
		fd = -1;
		goto record;
	}
	fd = open(tmp.data, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (buf = malloc(chunk)) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "scratch file");
		goto out;
	}
	if (head_len > 0 && (st = cu_write_all(fd, head, head_len, "scratch", err)) != CU_OK)
		goto out;
	for (uint64_t left = size > head_len ? size - head_len : 0; left > 0;) {
		size_t n = left < chunk ? (size_t)left : chunk;
		for (size_t i = 0; i + 8 <= chunk; i += 8) {
			uint64_t v = next();
			memcpy(buf + i, &v, 8);
		}
		if ((st = cu_write_all(fd, buf, n, "scratch", err)) != CU_OK)
			goto out;
		left -= n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "seek");
		goto out;
	}
	if ((st = cu_copy_hash_fd(fd, dst.data, algs, 0, NULL, &d, err)) != CU_OK)
		goto out;
record:
	r.kind = (char *)kind;
	r.item = (char *)item;
	r.device_path = (char *)device_path;
	r.evidence_path = rel.data;
	r.type = (char *)"file";
	r.size = d.size;
	memcpy(r.sha256, d.sha256, sizeof(r.sha256));
	memcpy(r.md5, d.md5, sizeof(r.md5));
	if (algs & CU_HASH_SM3)
		memcpy(r.sm3, d.sm3, sizeof(r.sm3));
	r.mode = -1;
	if (derived_from != NULL) {
		r.derived_from = json_pack("[s]", derived_from);
		r.derivation = (char *)"test: sqlcipher decrypt";
	}
	if (quick) {
		/* group commit: one write and fsync per MiB of lines */
		st = cu_inventory_rec_format(&r, &pending, err);
		if (st == CU_OK && pending.len >= ((size_t)1 << 20))
			st = flush_pending(c, item, err);
	} else {
		st = cu_inventory_append(c, &r, err);
	}
	json_decref(r.derived_from);
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.data);
	}
	free(buf);
	cu_buf_release(&rel);
	cu_buf_release(&dst);
	cu_buf_release(&dev);
	cu_buf_release(&tmp);
	return st;
}

int main(int argc, char **argv)
{
	struct cu_error err;
	struct cu_case *c = NULL;
	unsigned algs = CU_HASH_DEFAULT;
	const char *item;
	char subj[256], det[256];

	cu_error_clear(&err);
	if (argc < 3) {
		fprintf(stderr, "usage: mkcase CASE ITEM [bulk MB | sm3 | many N]\n");
		return 2;
	}
	item = argv[2];
	if (argc > 3 && strcmp(argv[3], "sm3") == 0)
		algs |= CU_HASH_SM3;
	if (cu_case_open(argv[1], &c, &err) != CU_OK)
		return die(&err);
	if (argc > 4 && strcmp(argv[3], "many") == 0) {
		int64_t n = 0;
		quick = true;
		if (!cu_parse_i64(argv[4], &n) || n <= 0)
			return 2;
		for (int64_t i = 0; i < n; i++) {
			char dp[128];
			snprintf(dp, sizeof(dp), "/sdcard/many/d%03u/f%07u.bin",
				 (unsigned)(i % 100), (unsigned)i);
			uint64_t sz = 1 + next() % 256;
			if (argc > 5 && strcmp(argv[5], "phone") == 0)
				sz = ((uint64_t)1024 << (next() % 7)) + next() % 1024;
			if (add_file(c, item, "evidence", dp, "", 0, sz, NULL, algs, &err) != CU_OK)
				return die(&err);
		}
		if (flush_pending(c, item, &err) != CU_OK)
			return die(&err);
		cu_buf_release(&pending);
	} else if (argc > 4 && strcmp(argv[3], "bulk") == 0) {
		int64_t mb = 0;
		if (!cu_parse_i64(argv[4], &mb) || mb <= 0)
			return 2;
		/* Mixed sizes: a few large databases and media, many small files. */
		uint64_t total = (uint64_t)mb << 20, done = 0;
		for (unsigned i = 0; done < total; i++) {
			char dp[128];
			uint64_t sz = (i % 10 == 0)  ? (64u << 20)
				      : (i % 3 == 0) ? (4u << 20)
						     : (96u << 10);
			if (sz > total - done)
				sz = total - done;
			snprintf(dp, sizeof(dp), "/sdcard/DCIM/bulk/f%05u.%s", i,
				 i % 10 == 0  ? "db"
				 : i % 3 == 0 ? "mp4"
					      : "jpg");
			if (add_file(c, item, "evidence", dp, i % 10 == 0 ? "SQLite format 3" : "",
				     i % 10 == 0 ? 16 : 0, sz, NULL, algs, &err) != CU_OK)
				return die(&err);
			done += sz;
		}
	} else {
		static const char sqlite[16] = "SQLite format 3";
		static const char bplist[] = "bplist00";
		static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0};
		char from[256];
		snprintf(from, sizeof(from),
			 "evidence/%s/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.db",
			 item);
		if (add_file(c, item, "evidence", "HomeDomain/Library/SMS/sms.db", sqlite, 16,
			     40000, NULL, algs, &err) != CU_OK ||
		    add_file(c, item, "evidence",
			     "/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.db", "", 0,
			     70000, NULL, algs, &err) != CU_OK ||
		    add_file(c, item, "evidence",
			     "HomeDomain/Library/Preferences/com.apple.x.plist", bplist, 8, 900,
			     NULL, algs, &err) != CU_OK ||
		    add_file(c, item, "evidence",
			     "CameraRollDomain/Media/DCIM/100APPLE/IMG_0001.JPG", jpeg, 4, 120000,
			     NULL, algs, &err) != CU_OK ||
		    add_file(c, item, "evidence", "/sdcard/Download/空文件.txt", "", 0, 0, NULL,
			     algs, &err) != CU_OK ||
		    add_file(c, item, "derived",
			     "/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.plain.db",
			     sqlite, 16, 50000, from, algs, &err) != CU_OK)
			return die(&err);
	}
	snprintf(subj, sizeof(subj), "{\"item\":\"%s\"}", item);
	snprintf(det, sizeof(det), "{\"format\":\"test\",\"method\":\"import\"}");
	if (cu_custody_append(c->custody, "IMPORT", cu_case_default_actor(), subj, det, NULL,
			      &err) != CU_OK)
		return die(&err);
	cu_case_close(c);
	return 0;
}
