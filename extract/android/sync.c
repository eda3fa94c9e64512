/*
 * sync.c - the sync: service (sync.md; file_sync_protocol.h): requests are
 * [4-byte id][u32 LE length][path ≤ 1024]; replies STAT (16 bytes), STA2
 * (72), DENT (20 + name) / DNT2 (76 + name) ending with DONE of the same
 * size, DATA (8 + ≤ 64 KiB) ending with DONE (8), and FAIL (8 + message).
 * Replies may be split across or merged within WRTEs: the stream is read
 * as bytes. adbd ends the session after a FAIL, so the session reopens its
 * stream on the next request.
 */
#include "extract/android/stream.h"

#include <stdlib.h>
#include <string.h>

#define SYNC_PATH_MAX     1024u
#define SYNC_DATA_MAX     (64u * 1024u)
#define SYNC_NAME_MAX     1024u
#define SYNC_FAIL_MSG_MAX 4096u
#define STAT_V1_SIZE      16u
#define STAT_V2_SIZE      72u
#define DENT_V1_SIZE      20u
#define DENT_V2_SIZE      76u
#define LINUX_ENOENT      2u
#define LINUX_ENOTDIR     20u

struct cu_adb_sync {
	struct cu_adb *a;
	struct cu_adb_stream *st; /* NULL: reopened on the next request */
};

static uint32_t u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64le(const unsigned char *p)
{
	return (uint64_t)u32le(p) | (uint64_t)u32le(p + 4) << 32;
}

static bool is_id(const unsigned char *p, const char *id)
{
	return memcmp(p, id, 4) == 0;
}

/* The id as text for a message: printable ASCII or hex. */
static const char *show_id(const unsigned char *p, char out[12])
{
	bool printable = true;

	for (int i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			printable = false;
	if (printable)
		snprintf(out, 12, "%c%c%c%c", p[0], p[1], p[2], p[3]);
	else
		snprintf(out, 12, "0x%08x", (unsigned)u32le(p));
	return out;
}

static void drop_stream(struct cu_adb_sync *s)
{
	cu_adb_stream_close(s->st);
	s->st = NULL;
}

static enum cu_status ensure_stream(struct cu_adb_sync *s, struct cu_error *err)
{
	if (s->st != NULL)
		return CU_OK;
	return cu_adb_stream_open(s->a, "sync:", &s->st, err);
}

enum cu_status cu_adb_sync_open(struct cu_adb *a, struct cu_adb_sync **out, struct cu_error *err)
{
	struct cu_adb_sync *s = cu_calloc(1, sizeof(*s));
	enum cu_status rc;

	if (s == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for a sync session");
	s->a = a;
	rc = ensure_stream(s, err);
	if (rc != CU_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return CU_OK;
}

void cu_adb_sync_close(struct cu_adb_sync *s)
{
	static const unsigned char quit[8] = {'Q', 'U', 'I', 'T', 0, 0, 0, 0};
	struct cu_error e;

	if (s == NULL)
		return;
	if (s->st != NULL)
		if (cu_adb_stream_write(s->st, quit, sizeof(quit), &e) != CU_OK)
			cu_debug("sync QUIT not sent: %s", e.msg);
	drop_stream(s);
	free(s);
}

static enum cu_status request(struct cu_adb_sync *s, const char *id, const char *path,
			      struct cu_error *err)
{
	unsigned char req[8 + SYNC_PATH_MAX];
	size_t n = strlen(path);
	enum cu_status rc;

	if (n == 0 || n > SYNC_PATH_MAX)
		return cu_error_set(err, CU_E_USAGE, "sync %s: path of %zu bytes (1..%u allowed)",
				    id, n, SYNC_PATH_MAX);
	rc = ensure_stream(s, err);
	if (rc != CU_OK)
		return rc;
	memcpy(req, id, 4);
	req[4] = (unsigned char)n;
	req[5] = (unsigned char)(n >> 8);
	req[6] = req[7] = 0;
	memcpy(req + 8, path, n);
	rc = cu_adb_stream_write(s->st, req, 8 + n, err);
	if (rc != CU_OK)
		drop_stream(s);
	return rc;
}

/* After FAIL's id: reads the message and reports it (the device ends the session). */
static enum cu_status read_fail(struct cu_adb_sync *s, const char *op, const char *path,
				struct cu_error *err)
{
	unsigned char lenb[4];
	char msg[SYNC_FAIL_MSG_MAX + 1], shown[512];
	uint32_t len;
	enum cu_status rc;

	rc = cu_adb_stream_read(s->st, lenb, 4, "a FAIL reply", err);
	if (rc != CU_OK)
		return rc;
	len = u32le(lenb);
	if (len > SYNC_FAIL_MSG_MAX)
		return cu_error_set(err, CU_E_FORMAT, "%s: sync FAIL message of %u bytes (max %u)",
				    cu_adb_name(s->a), (unsigned)len, SYNC_FAIL_MSG_MAX);
	rc = cu_adb_stream_read(s->st, msg, len, "a FAIL message", err);
	if (rc != CU_OK)
		return rc;
	drop_stream(s);
	return cu_error_set(err, CU_E_IO, "%s: %s '%s' failed on the device: %s", cu_adb_name(s->a),
			    op, path, cu_path_show(msg, len, shown, sizeof(shown)));
}

static enum cu_status unexpected(struct cu_adb_sync *s, const unsigned char *id, const char *op,
				 struct cu_error *err)
{
	char t[12];

	return cu_error_set(err, CU_E_FORMAT, "%s: unexpected sync reply '%s' to %s",
			    cu_adb_name(s->a), show_id(id, t), op);
}

/* Reads the 4-byte reply id; a FAIL is read and reported here. */
static enum cu_status reply_id(struct cu_adb_sync *s, const char *op, const char *path,
			       unsigned char id[4], struct cu_error *err)
{
	enum cu_status rc = cu_adb_stream_read(s->st, id, 4, "a sync reply", err);

	if (rc == CU_OK && is_id(id, "FAIL"))
		rc = read_fail(s, op, path, err);
	return rc;
}

/* Any failure but a FAIL (already handled) leaves the stream out of step: drop it. */
static enum cu_status finish(struct cu_adb_sync *s, enum cu_status rc)
{
	if (rc != CU_OK && rc != CU_E_IO && s->st != NULL)
		drop_stream(s);
	return rc;
}

static enum cu_status errno_status(struct cu_adb_sync *s, const char *op, const char *path,
				   uint32_t e, struct cu_error *err)
{
	char shown[512];

	return cu_error_set(err, CU_E_IO, "%s: %s '%s' on the device: %s (errno %u)",
			    cu_adb_name(s->a), op,
			    cu_path_show(path, strlen(path), shown, sizeof(shown)),
			    e < 4096 ? strerror((int)e) : "unknown error", (unsigned)e);
}

enum cu_status cu_adb_sync_stat(struct cu_adb_sync *s, const char *path, struct cu_adb_stat *st,
				struct cu_error *err)
{
	bool v2 = cu_adb_has_feature(s->a, "stat_v2");
	const char *op = v2 ? "STA2" : "STAT";
	unsigned char id[4], b[STAT_V2_SIZE];
	struct cu_adb_stat r = {0, 0, 0, false};
	enum cu_status rc;

	rc = request(s, op, path, err);
	if (rc != CU_OK)
		return rc;
	rc = reply_id(s, op, path, id, err);
	if (rc != CU_OK)
		return finish(s, rc);
	if (!is_id(id, op))
		return finish(s, unexpected(s, id, op, err));
	if (!v2) {
		rc = cu_adb_stream_read(s->st, b, STAT_V1_SIZE - 4, "a STAT reply", err);
		if (rc != CU_OK)
			return finish(s, rc);
		r.mode = u32le(b);
		r.size = u32le(b + 4);
		r.mtime = u32le(b + 8);
		r.exists = r.mode != 0 || r.size != 0 || r.mtime != 0;
	} else {
		uint32_t e;

		rc = cu_adb_stream_read(s->st, b, STAT_V2_SIZE - 4, "a STA2 reply", err);
		if (rc != CU_OK)
			return finish(s, rc);
		/* error dev ino mode nlink uid gid size atime mtime ctime */
		e = u32le(b);
		if (e == LINUX_ENOENT || e == LINUX_ENOTDIR) {
			r.exists = false;
		} else if (e != 0) {
			return errno_status(s, "stat", path, e, err);
		} else {
			r.mode = u32le(b + 20);
			r.size = u64le(b + 36);
			r.mtime = (int64_t)u64le(b + 52);
			r.exists = true;
		}
	}
	*st = r;
	return CU_OK;
}

enum cu_status cu_adb_sync_list(struct cu_adb_sync *s, const char *path, cu_adb_dirent_cb cb,
				void *ctx, struct cu_error *err)
{
	bool v2 = cu_adb_has_feature(s->a, "ls_v2");
	const char *op = v2 ? "LIS2" : "LIST", *dent = v2 ? "DNT2" : "DENT";
	size_t fixed = v2 ? DENT_V2_SIZE : DENT_V1_SIZE;
	unsigned char id[4], b[DENT_V2_SIZE];
	char name[SYNC_NAME_MAX + 1];
	bool stop = false;
	enum cu_status rc;

	rc = request(s, op, path, err);
	if (rc != CU_OK)
		return rc;
	for (;;) {
		struct cu_adb_stat st = {0, 0, 0, true};
		uint32_t namelen;

		rc = reply_id(s, op, path, id, err);
		if (rc != CU_OK)
			break;
		if (is_id(id, "DONE")) {
			rc = cu_adb_stream_read(s->st, b, fixed - 4, "the end of a listing", err);
			break;
		}
		if (!is_id(id, dent)) {
			rc = unexpected(s, id, op, err);
			break;
		}
		rc = cu_adb_stream_read(s->st, b, fixed - 4, "a directory entry", err);
		if (rc != CU_OK)
			break;
		if (v2) {
			uint32_t e = u32le(b);

			st.mode = u32le(b + 20);
			st.size = u64le(b + 36);
			st.mtime = (int64_t)u64le(b + 52);
			st.exists = e == 0;
			namelen = u32le(b + 68);
		} else {
			st.mode = u32le(b);
			st.size = u32le(b + 4);
			st.mtime = u32le(b + 8);
			namelen = u32le(b + 12);
		}
		if (namelen > SYNC_NAME_MAX) {
			rc =
			    cu_error_set(err, CU_E_FORMAT,
					 "%s: directory entry name of %u bytes (max %u) in '%s'",
					 cu_adb_name(s->a), (unsigned)namelen, SYNC_NAME_MAX, path);
			break;
		}
		rc = cu_adb_stream_read(s->st, name, namelen, "a directory entry name", err);
		if (rc != CU_OK)
			break;
		name[namelen] = '\0';
		if ((namelen == 1 && name[0] == '.') ||
		    (namelen == 2 && name[0] == '.' && name[1] == '.'))
			continue;
		/* After a stop the entries are read to DONE, so the session stays usable. */
		if (!stop && !cb(ctx, name, namelen, &st))
			stop = true;
	}
	return finish(s, rc);
}

enum cu_status cu_adb_sync_recv(struct cu_adb_sync *s, const char *path, cu_adb_sink sink,
				void *ctx, uint64_t *got, struct cu_error *err)
{
	unsigned char id[4], lenb[4];
	uint64_t total = 0;
	enum cu_status rc;

	rc = request(s, "RECV", path, err);
	if (rc != CU_OK)
		goto out;
	for (;;) {
		uint32_t left;

		rc = reply_id(s, "RECV", path, id, err);
		if (rc != CU_OK)
			break;
		rc = cu_adb_stream_read(s->st, lenb, 4, "a RECV reply", err);
		if (rc != CU_OK)
			break;
		if (is_id(id, "DONE"))
			break;
		if (!is_id(id, "DATA")) {
			rc = unexpected(s, id, "RECV", err);
			break;
		}
		left = u32le(lenb);
		if (left > SYNC_DATA_MAX) {
			rc = cu_error_set(err, CU_E_FORMAT,
					  "%s: RECV '%s': DATA block of %u bytes (max %u)",
					  cu_adb_name(s->a), path, (unsigned)left, SYNC_DATA_MAX);
			break;
		}
		while (left > 0) {
			const unsigned char *p;
			size_t n;

			rc = cu_adb_stream_peek(s->st, &p, &n, err);
			if (rc != CU_OK)
				goto out;
			if (n == 0) {
				rc = cu_error_set(err, CU_E_DEVICE,
						  "%s: RECV '%s': the device closed the transfer "
						  "after %llu bytes, in the middle of a block; the "
						  "file is incomplete",
						  cu_adb_name(s->a), path,
						  (unsigned long long)total);
				goto out;
			}
			if (n > left)
				n = left;
			if (!sink(ctx, 1, p, n)) {
				drop_stream(s);
				rc = cu_error_set(
				    err, CU_E_INTERRUPTED,
				    "%s: RECV '%s' stopped by the receiver after %llu "
				    "bytes",
				    cu_adb_name(s->a), path, (unsigned long long)total);
				goto out;
			}
			total += n;
			left -= (uint32_t)n;
			rc = cu_adb_stream_consume(s->st, n, err);
			if (rc != CU_OK)
				goto out;
		}
	}
out:
	if (got != NULL)
		*got = total;
	if (rc == CU_E_DEVICE && strstr(err->msg, "incomplete") == NULL)
		cu_error_prefix(err, "RECV '%s' after %llu bytes, the file is incomplete", path,
				(unsigned long long)total);
	return finish(s, rc);
}
