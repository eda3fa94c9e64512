/*
 * archive.c - tar (ustar, pax, GNU; plain or gzip/bzip2/xz) and zip
 * (incl. ZIP64) images of an Android file system, read with libarchive as a
 * stream: each data block goes hasher -> evidence file as it is produced, and
 * the raw archive bytes are hashed on the way in, so the image itself gets
 * its SHA-256/MD5 in the same single pass (zip is read with libarchive's
 * streaming reader for that reason: no seeking back to the central
 * directory).
 *
 * Member names are hostile data: ".." is refused (recorded with the hash of
 * the data it carried), absolute names are taken relative to the image root
 * (GNU tar strips the "/" the same way), symlinks are recorded and never
 * followed, hard links are honoured only to members already stored, a name
 * seen twice keeps both copies ("~dupN"), names differing only in case are
 * both kept and reported. A zip's central directory is also read here
 * (names with their length, local entry offsets): a NUL byte in a name
 * is kept (escaped %00 by the evidence writer) rather than cutting the
 * name, and entries libarchive never gives (several sharing one local
 * entry) are each warned about. Bombs: a declared size beyond the free space is
 * refused before reading; the bytes actually written from one archive are
 * capped by the archive's size times --max-expansion (default
 * CU_IMPORT_MAX_EXPANSION_DEFAULT, never below 64 MiB) and by the free
 * space of the case, whatever the compression; and by a ratio to the
 * compressed bytes consumed so far (CUSTOS_IMPORT_MAX_RATIO).
 */
#include "extract/formats/formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

/* A member name for a message: as it is, unless it holds a NUL byte
 * (then escaped, cu_path_show). */
static const char *name_shown(const char *name, size_t n, char *tmp, size_t tmpn)
{
	if (memchr(name, '\0', n) == NULL)
		return name;
	return cu_path_show(name, n, tmp, tmpn);
}

enum cu_status cu_import_member_path_n(const char *name, size_t n, struct cu_buf *out,
				       bool *absolute, struct cu_error *err)
{
	enum cu_status st;
	size_t i = 0;
	char shown[512];

	cu_buf_reset(out);
	*absolute = n > 0 && name[0] == '/';
	if ((st = cu_buf_puts(out, "", err)) != CU_OK)
		return st;
	while (i < n) {
		const char *p = name + i;
		const char *e = memchr(p, '/', n - i);
		size_t len = e ? (size_t)(e - p) : n - i;
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return cu_error_set(err, CU_E_PATH, "member name '%s' contains '..'",
					    name_shown(name, n, shown, sizeof(shown)));
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if ((st = cu_buf_putc(out, '/', err)) != CU_OK ||
			    (st = cu_buf_append(out, p, len, err)) != CU_OK)
				return st;
		}
		i += len;
		if (i < n && name[i] == '/')
			i++;
	}
	if (out->len == 0)
		return cu_error_set(err, CU_E_PATH, "member name '%s' names the image root",
				    name_shown(name, n, shown, sizeof(shown)));
	return CU_OK;
}

enum cu_status cu_import_member_path(const char *name, struct cu_buf *out, bool *absolute,
				     struct cu_error *err)
{
	return cu_import_member_path_n(name, strlen(name), out, absolute, err);
}

/* ---- a zip's central directory, read by custos itself ---- */

/*
 * libarchive gives member names as C strings (a NUL inside a zip name,
 * which is counted, cuts it) and keeps one member per local entry (four
 * central-directory entries sharing one local entry come out once). The
 * central directory read here gives every name with its length and its
 * local entry offset, so neither goes unnoticed.
 */
struct cd_entry {
	char *name;
	size_t len;
	uint64_t off;
	size_t idx; /* position in the central directory */
	bool claimed;
};
struct cu_zip_cd {
	struct cd_entry *v;
	size_t n;
	size_t cursor;
};
#define CD_MAX_ENTRIES ((size_t)1 << 22)

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool read_at(const struct cu_format_source *in, uint64_t off, void *buf, size_t n)
{
	struct cu_error e;
	size_t got = 0;
	return in->in.seek(in->in.ctx, (int64_t)off, SEEK_SET) == (int64_t)off &&
	       cu_format_read_full(in, buf, n, &got, &e) == CU_OK && got == n;
}

static int cd_cmp(const void *a, const void *b)
{
	const struct cd_entry *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void zip_cd_free(struct cu_zip_cd *cd)
{
	if (cd == NULL)
		return;
	for (size_t i = 0; i < cd->n; i++)
		free(cd->v[i].name);
	free(cd->v);
	free(cd);
}

/* Reads the central directory of the zip in (size bytes); NULL when there
 * is none custos can read (libarchive then says what is wrong). Leaves the
 * file at offset 0. */
static struct cu_zip_cd *zip_cd_load(const struct cu_format_source *in, uint64_t size)
{
	unsigned char *tail = NULL, *dir = NULL, z64[56];
	struct cu_zip_cd *cd = NULL;
	size_t tl, i, at = 0;
	uint64_t count, dsize, doff;
	bool found = false;

	if (in->in.seek == NULL || size < 22)
		return NULL;
	tl = size < 65557 ? (size_t)size : 65557;
	if ((tail = cu_malloc(tl)) == NULL || !read_at(in, size - tl, tail, tl))
		goto fail;
	for (i = tl - 22 + 1; i-- > 0;) {
		if (memcmp(tail + i, "PK\x05\x06", 4) == 0) {
			found = true;
			break;
		}
	}
	if (!found)
		goto fail;
	count = le16(tail + i + 10);
	dsize = le32(tail + i + 12);
	doff = le32(tail + i + 16);
	if ((count == 0xffff || dsize == 0xffffffff || doff == 0xffffffff) && i >= 20 &&
	    memcmp(tail + i - 20, "PK\x06\x07", 4) == 0) {
		uint64_t z = le64(tail + i - 20 + 8);
		if (z > size - 56 || !read_at(in, z, z64, sizeof(z64)) ||
		    memcmp(z64, "PK\x06\x06", 4) != 0)
			goto fail;
		count = le64(z64 + 32);
		dsize = le64(z64 + 40);
		doff = le64(z64 + 48);
	}
	if (count > CD_MAX_ENTRIES || dsize > CU_IMPORT_META_MAX || doff > size ||
	    dsize > size - doff || dsize < 46 * count)
		goto fail;
	if ((cd = calloc(1, sizeof(*cd))) == NULL ||
	    (count > 0 && (cd->v = calloc((size_t)count, sizeof(*cd->v))) == NULL) ||
	    (dir = cu_malloc(dsize ? (size_t)dsize : 1)) == NULL ||
	    !read_at(in, doff, dir, (size_t)dsize))
		goto fail;
	for (i = 0; i < count; i++) {
		if (at + 46 > dsize || memcmp(dir + at, "PK\x01\x02", 4) != 0)
			goto fail;
		size_t nl = le16(dir + at + 28), xl = le16(dir + at + 30), cl = le16(dir + at + 32);
		if (at + 46 + nl + xl + cl > dsize)
			goto fail;
		uint64_t off = le32(dir + at + 42);
		if (off == 0xffffffff) {
			/* ZIP64 extra: the sizes first when they overflowed. */
			const unsigned char *x = dir + at + 46 + nl, *xe = x + xl;
			while (x + 4 <= xe) {
				size_t fl = le16(x + 2);
				if (x + 4 + fl > xe)
					break;
				if (le16(x) == 0x0001) {
					size_t skip = (le32(dir + at + 24) == 0xffffffff ? 8 : 0) +
						      (le32(dir + at + 20) == 0xffffffff ? 8 : 0);
					if (skip + 8 <= fl)
						off = le64(x + 4 + skip);
					break;
				}
				x += 4 + fl;
			}
		}
		struct cd_entry *ce = &cd->v[cd->n];
		if ((ce->name = cu_malloc(nl + 1)) == NULL)
			goto fail;
		memcpy(ce->name, dir + at + 46, nl);
		ce->name[nl] = '\0';
		ce->len = nl;
		ce->off = off;
		ce->idx = i;
		cd->n++;
		at += 46 + nl + xl + cl;
	}
	qsort(cd->v, cd->n, sizeof(*cd->v), cd_cmp);
	free(tail);
	free(dir);
	(void)in->in.seek(in->in.ctx, 0, SEEK_SET);
	return cd;
fail:
	free(tail);
	free(dir);
	zip_cd_free(cd);
	(void)in->in.seek(in->in.ctx, 0, SEEK_SET);
	return NULL;
}

/* The central-directory entry of the member libarchive named name (cut at
 * a NUL): the next unclaimed entry whose name is name, or name followed by
 * a NUL byte. NULL if none. */
static struct cd_entry *zip_cd_claim(struct cu_zip_cd *cd, const char *name)
{
	size_t nl = strlen(name);
	if (cd == NULL || cd->n == 0)
		return NULL;
	for (size_t k = 0; k < cd->n; k++) {
		struct cd_entry *ce = &cd->v[(cd->cursor + k) % cd->n];
		if (ce->claimed || ce->len < nl || memcmp(ce->name, name, nl) != 0 ||
		    (ce->len > nl && ce->name[nl] != '\0'))
			continue;
		ce->claimed = true;
		cd->cursor = (size_t)(ce - cd->v) + 1;
		return ce;
	}
	return NULL;
}

/* Every central-directory name libarchive never gave: warned about, with
 * the member that does hold its local entry when one does. */
static void zip_cd_unclaimed(struct cu_format_run *x, const struct cu_zip_cd *cd, const char *arc)
{
	char a[512], b[512];
	if (cd == NULL)
		return;
	for (size_t i = 0; i < cd->n; i++) {
		const struct cd_entry *ce = &cd->v[i], *holder = NULL;
		if (ce->claimed)
			continue;
		for (size_t k = i; k-- > 0 && cd->v[k].off == ce->off;)
			if (cd->v[k].claimed)
				holder = &cd->v[k];
		for (size_t k = i + 1; holder == NULL && k < cd->n && cd->v[k].off == ce->off; k++)
			if (cd->v[k].claimed)
				holder = &cd->v[k];
		const char *an = name_shown(ce->name, ce->len, a, sizeof(a));
		if (holder != NULL) {
			const char *bn = name_shown(holder->name, holder->len, b, sizeof(b));
			cu_ingest_warn(
			    x->w, true,
			    "'%s': member '%s' (central directory entry %zu) shares its "
			    "local entry at offset %llu with '%s': its data was imported "
			    "once, under that name, not under this one",
			    arc, an, ce->idx + 1, (unsigned long long)ce->off, bn);
		} else {
			cu_ingest_warn(
			    x->w, true,
			    "'%s': member '%s' (central directory entry %zu, local entry "
			    "at offset %llu) could not be read: not imported",
			    arc, an, ce->idx + 1, (unsigned long long)ce->off);
		}
		cu_ingest_skip(x->w, an, "central directory entry not read from the archive");
	}
}

struct reader {
	const struct cu_import_archive_src *src;
	unsigned char *buf;
	struct cu_error err;
	bool failed;
};

static la_int64_t ar_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	struct reader *r = ud;
	int64_t pos = r->src->seek(r->src->ctx, off, whence);
	if (pos < 0) {
		archive_set_error(a, errno, "seek failed in the image");
		return ARCHIVE_FATAL;
	}
	return pos;
}

static la_ssize_t ar_read(struct archive *a, void *ud, const void **out)
{
	struct reader *r = ud;
	ssize_t n = r->src->pull(r->src->ctx, r->buf, CU_IMPORT_CHUNK, &r->err);
	if (n < 0) {
		r->failed = true;
		archive_set_error(a, EIO, "%s", r->err.msg);
		return -1;
	}
	*out = r->buf;
	return n;
}

/* Reads and hashes data that is not stored (unsafe name), so the record
 * of what was refused still carries its size and SHA-256. */
static void hash_refused(struct cu_format_run *x, struct archive *a, struct cu_digests *d, bool *ok)
{
	struct cu_error e;
	*ok = false;
	if (cu_hasher_reset(x->hasher, &e) != CU_OK)
		return;
	for (;;) {
		la_ssize_t n = archive_read_data(a, x->buf, CU_IMPORT_CHUNK);
		if (n < 0)
			return;
		if (n == 0)
			break;
		if (cu_hasher_update(x->hasher, x->buf, (size_t)n, &e) != CU_OK)
			return;
	}
	*ok = cu_hasher_final(x->hasher, d, &e) == CU_OK;
}

static json_t *entry_meta(struct archive_entry *ent, uint64_t index, bool derived_note)
{
	json_t *m = json_object();
	if (m == NULL)
		return NULL;
	json_object_set_new(m, "member_index", json_integer((json_int_t)index));
	if (archive_entry_size_is_set(ent))
		json_object_set_new(m, "declared_size", json_integer(archive_entry_size(ent)));
	if (archive_entry_uid(ent) >= 0)
		json_object_set_new(m, "uid", json_integer(archive_entry_uid(ent)));
	if (archive_entry_gid(ent) >= 0)
		json_object_set_new(m, "gid", json_integer(archive_entry_gid(ent)));
	const char *u = archive_entry_uname(ent), *g = archive_entry_gname(ent);
	if (u != NULL && cu_utf8_valid(u, strlen(u)))
		json_object_set_new(m, "uname", json_string(u));
	if (g != NULL && cu_utf8_valid(g, strlen(g)))
		json_object_set_new(m, "gname", json_string(g));
	if (archive_entry_atime_is_set(ent))
		json_object_set_new(m, "atime", json_integer(archive_entry_atime(ent)));
	if (archive_entry_ctime_is_set(ent))
		json_object_set_new(m, "ctime", json_integer(archive_entry_ctime(ent)));
	if (archive_entry_birthtime_is_set(ent))
		json_object_set_new(m, "birthtime", json_integer(archive_entry_birthtime(ent)));
	if (archive_entry_mtime_is_set(ent))
		json_object_set_new(m, "mtime_ns",
				    json_integer((json_int_t)archive_entry_mtime(ent) * 1000000000 +
						 archive_entry_mtime_nsec(ent)));
	if (derived_note)
		json_object_set_new(m, "decrypted_from_container", json_true());
	return m;
}

struct run {
	struct cu_format_run *x;
	const struct cu_import_archive_src *src;
	struct archive *a;
	uint64_t produced;
	uint64_t index;
	/* Expansion limit: bytes written from this archive, whatever the
	 * compression (deflate tops out near 1032:1, under any ratio limit). */
	uint64_t cap_expansion; /* archive size x max_expansion, or UINT64_MAX */
	uint64_t cap_space;     /* free space at the start less the reserve */
	uint64_t max_expansion;
	struct cu_ingest_pathmap lower; /* case-folded names */
};

static void note_case_collision(struct run *r, const char *rel)
{
	struct cu_ingest_pathmap_val v, *have;
	struct cu_error e;
	char *low = cu_strdup(rel);
	if (low == NULL)
		return;
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	have = cu_ingest_pathmap_get(&r->lower, low);
	if (have != NULL && strcmp(have->sha256, "seen") == 0) {
		cu_ingest_warn(r->x->w, false,
			       "'%s' differs from another member only in letter case: both kept "
			       "(they would collide on a case-insensitive file system)",
			       rel);
	} else {
		memset(&v, 0, sizeof(v));
		snprintf(v.sha256, sizeof(v.sha256), "seen");
		/* Out of memory only costs this note, never the member. */
		if (cu_ingest_pathmap_put(&r->lower, low, &v, &e) != CU_OK)
			cu_debug("import: %s", e.msg);
	}
	free(low);
}

/* Keep this much free so the case can still be completed (the writer's
 * own reserve). */
#define EXPANSION_SPACE_RESERVE ((uint64_t)64 << 20)

/* The expansion limits of one archive: its size times --max-expansion
 * (the default never stops below CU_IMPORT_RATIO_FLOOR), and the free
 * space of the case directory. Recorded in the IMPORT details. */
static void expansion_limits(struct run *r)
{
	struct cu_format_run *x = r->x;
	bool given = x->max_expansion != 0;
	uint64_t mult = given ? x->max_expansion : CU_IMPORT_MAX_EXPANSION_DEFAULT;
	struct statvfs vfs;

	r->max_expansion = mult;
	r->cap_expansion = UINT64_MAX;
	if (r->src->size > 0) {
		if (r->src->size > UINT64_MAX / mult)
			r->cap_expansion = UINT64_MAX;
		else
			r->cap_expansion = r->src->size * mult;
		if (!given && r->cap_expansion < CU_IMPORT_RATIO_FLOOR)
			r->cap_expansion = CU_IMPORT_RATIO_FLOOR;
	}
	r->cap_space = UINT64_MAX;
	if (statvfs(x->c->dir, &vfs) == 0) {
		uint64_t avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
		r->cap_space =
		    avail > EXPANSION_SPACE_RESERVE ? avail - EXPANSION_SPACE_RESERVE : 0;
	}
	if (x->details != NULL) {
		json_object_set_new(x->details, "max_expansion", json_integer((json_int_t)mult));
		json_object_set_new(x->details, "max_expansion_given", json_boolean(given));
		if (r->cap_expansion != UINT64_MAX)
			json_object_set_new(x->details, "expansion_limit_bytes",
					    json_integer((json_int_t)r->cap_expansion));
	}
}

/* Warns, records the member as skipped and sets err: the archive wrote
 * more than its expansion limit or the free space allows. */
static void expansion_stop(struct run *r, const char *name, struct cu_error *err)
{
	struct cu_format_run *x = r->x;
	if (r->produced > r->cap_expansion) {
		bool floor = r->cap_expansion == CU_IMPORT_RATIO_FLOOR &&
			     r->src->size * r->max_expansion < CU_IMPORT_RATIO_FLOOR;
		cu_ingest_warn(x->w, true,
			       "member '%s' of '%s': the output reached %llu bytes from a "
			       "%llu-byte archive, more than its expansion limit of %llu bytes "
			       "(%s, --max-expansion %llu): stopped as a decompression bomb; if "
			       "the image is genuine, import it again with a higher "
			       "--max-expansion",
			       name, r->src->name, (unsigned long long)r->produced,
			       (unsigned long long)r->src->size,
			       (unsigned long long)r->cap_expansion,
			       floor ? "the default's 64 MiB minimum" : "that many times its size",
			       (unsigned long long)r->max_expansion);
		cu_ingest_skip(x->w, name, "expansion limit (bomb)");
		cu_error_set(err, CU_E_LIMIT,
			     "expansion limit of %llu bytes (--max-expansion %llu) hit in member "
			     "'%s' of '%s'",
			     (unsigned long long)r->cap_expansion,
			     (unsigned long long)r->max_expansion, name, r->src->name);
		return;
	}
	cu_ingest_warn(x->w, true,
		       "member '%s' of '%s': %llu bytes written would leave less than %llu "
		       "bytes free in the case directory '%s': stopped; free space there or "
		       "move the case to a larger disk",
		       name, r->src->name, (unsigned long long)r->produced,
		       (unsigned long long)EXPANSION_SPACE_RESERVE, x->c->dir);
	cu_ingest_skip(x->w, name, "free space exhausted");
	cu_error_set(err, CU_E_LIMIT, "free space in '%s' exhausted by member '%s' of '%s'",
		     x->c->dir, name, r->src->name);
}

/* One regular member; returns non-OK only to stop the whole archive. */
/* What an archive entry says of itself: device path, origin, mode, mtime
 * and meta (also returned: a new reference the caller drops). */
static json_t *entry_fileinfo(struct run *r, struct archive_entry *ent, const struct cu_buf *dev,
			      const char *origin, struct cu_ingest_fileinfo *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->device_path = dev->data;
	fi->device_path_len = dev->len;
	fi->origin = origin;
	fi->mode = (int64_t)archive_entry_perm(ent);
	if (archive_entry_mtime_is_set(ent)) {
		fi->have_mtime = true;
		fi->mtime.tv_sec = archive_entry_mtime(ent);
		fi->mtime.tv_nsec = archive_entry_mtime_nsec(ent);
	}
	fi->meta = entry_meta(ent, r->index, r->src->members_derived_note);
	return fi->meta;
}

static enum cu_status member_file(struct run *r, struct archive_entry *ent, const char *name,
				  struct cu_buf *dev, struct cu_error *err)
{
	struct cu_format_run *x = r->x;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_file o = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo fi;
	struct cu_digests d;
	struct cu_error e;
	enum cu_status st = CU_OK;
	json_t *meta = NULL;
	bool truncated = false, stop = false;
	char why[CU_ERROR_MSG_MAX] = "";
	int64_t declared = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : -1;
	struct cu_buf origin = CU_BUF_INIT;

	if ((st = cu_buf_printf(&origin, err, "%s%s", r->src->origin_prefix, name)) != CU_OK)
		goto out;
	if (declared > 0 && cu_ingest_check_space(x->w, (uint64_t)declared, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "member '%s' declares %lld bytes: %s; not imported",
			       name, (long long)declared, e.msg);
		cu_ingest_skip(x->w, name, "declared size exceeds the free space");
		(void)archive_read_data_skip(r->a);
		goto out;
	}
	if ((st = cu_ingest_slot_plan(x->w, dev->data, dev->len, false, &s, &e)) != CU_OK) {
		st = CU_OK;
		cu_ingest_warn(x->w, true, "member '%s' not imported: %s", name, e.msg);
		(void)archive_read_data_skip(r->a);
		goto out;
	}
	note_case_collision(r, s.rel.data);
	if (s.done) {
		/* Resume: stored and re-checked already; the stream moves on. */
		if (archive_read_data_skip(r->a) == ARCHIVE_FATAL) {
			st = cu_error_set(err, CU_E_FORMAT, "archive damaged in member '%s': %s",
					  name, archive_error_string(r->a));
		}
		goto out;
	}
	if ((st = cu_ingest_file_open(x->w, &s, &o, err)) != CU_OK) {
		if (st != CU_E_PATH)
			goto out;
		st = CU_OK;
		cu_ingest_warn(x->w, true, "member '%s' not imported: %s", name, err->msg);
		cu_ingest_skip(x->w, name, "name not storable in the case");
		(void)archive_read_data_skip(r->a);
		goto out;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(r->a, x->buf, CU_IMPORT_CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			truncated = true;
			snprintf(why, sizeof(why), "%s",
				 archive_error_string(r->a) ? archive_error_string(r->a)
							    : "read error");
			stop = n == ARCHIVE_FATAL;
			break;
		}
		r->produced += (uint64_t)n;
		uint64_t consumed = r->src->consumed(r->src->ctx);
		uint64_t ratio = cu_import_max_ratio();
		if (r->produced > CU_IMPORT_RATIO_FLOOR && r->produced / ratio > consumed) {
			cu_ingest_file_abort(&o);
			cu_ingest_warn(x->w, true,
				       "member '%s': decompressed output reached %llu bytes from "
				       "%llu bytes of input (more than %llu:1): stopped as a "
				       "decompression bomb",
				       name, (unsigned long long)r->produced,
				       (unsigned long long)consumed, (unsigned long long)ratio);
			cu_ingest_skip(x->w, name, "decompression ratio limit (bomb)");
			st = cu_error_set(err, CU_E_LIMIT,
					  "decompression ratio limit hit in member '%s' of '%s'",
					  name, r->src->name);
			goto out;
		}
		if (r->produced > r->cap_expansion || r->produced > r->cap_space) {
			cu_ingest_file_abort(&o);
			expansion_stop(r, name, err);
			st = err->code;
			goto out;
		}
		if ((st = cu_ingest_file_write(&o, x->buf, (size_t)n, err)) != CU_OK) {
			cu_ingest_file_abort(&o);
			cu_error_prefix(err, "member '%s'", name);
			goto out;
		}
	}
	meta = entry_fileinfo(r, ent, dev, origin.data, &fi);
	fi.type = "file";
	if (truncated && meta != NULL)
		json_object_set_new(meta, "truncated", json_true());
	if ((st = cu_ingest_file_commit(&o, fi.have_mtime ? &fi.mtime : NULL, &d, err)) != CU_OK)
		goto out;
	if (truncated)
		cu_ingest_warn(x->w, true,
			       "member '%s' is truncated (%llu of %lld bytes): %s; the partial "
			       "data is kept and marked truncated",
			       name, (unsigned long long)d.size, (long long)declared, why);
	if ((st = cu_ingest_record(x->w, &s, &fi, &d, err)) != CU_OK)
		goto out;
	if (stop)
		st = cu_error_set(err, CU_E_FORMAT, "'%s' is damaged in member '%s': %s",
				  r->src->name, name, why);
out:
	json_decref(meta);
	cu_buf_release(&origin);
	cu_ingest_slot_release(&s);
	return st;
}

static enum cu_status member_link(struct run *r, struct archive_entry *ent, const char *name,
				  struct cu_buf *dev, bool hard, struct cu_error *err)
{
	struct cu_format_run *x = r->x;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_slot ts = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	struct cu_buf tdev = CU_BUF_INIT, origin = CU_BUF_INIT, esc = CU_BUF_INIT;
	struct cu_error e;
	enum cu_status st = CU_OK;
	json_t *meta = NULL;
	bool abs_name;

	if ((st = cu_buf_printf(&origin, err, "%s%s", r->src->origin_prefix, name)) != CU_OK)
		goto out;
	meta = entry_fileinfo(r, ent, dev, origin.data, &fi);
	if (!hard) {
		fi.type = "symlink";
		fi.link_target = archive_entry_symlink(ent);
		if (fi.link_target == NULL)
			fi.link_target = "";
		if (cu_ingest_slot_plan(x->w, dev->data, dev->len, false, &s, &e) != CU_OK) {
			cu_ingest_warn(x->w, true, "symlink member '%s' not recorded: %s", name,
				       e.msg);
			goto out;
		}
		if (!s.done)
			st = cu_ingest_record(x->w, &s, &fi, NULL, err);
		goto out;
	}
	/* A hard link names an earlier member; it is honoured only if that
	 * member was stored in this case (never a path outside it). */
	const char *target = archive_entry_hardlink(ent);
	const struct cu_ingest_pathmap_val *tv = NULL;
	if (cu_import_member_path(target, &tdev, &abs_name, &e) == CU_OK &&
	    cu_path_from_device(tdev.data, tdev.len, &esc, &e) == CU_OK) {
		if ((st = cu_buf_printf(&ts.rel, err, "evidence/%s/%s", x->item, esc.data)) !=
		    CU_OK)
			goto out;
		tv = cu_ingest_used(x->w, ts.rel.data);
	}
	if (tv == NULL || tv->sha256[0] == '\0') {
		cu_ingest_warn(
		    x->w, true,
		    "hard link '%s' points to '%s', which is not a file stored from this "
		    "image: not followed",
		    name, target);
		cu_ingest_skip(x->w, name, "hard link to a member not in the image");
		goto out;
	}
	struct cu_ingest_pathmap_val tval = *tv;
	if (cu_ingest_slot_plan(x->w, dev->data, dev->len, false, &s, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "hard link member '%s' not recorded: %s", name, e.msg);
		goto out;
	}
	if (s.done)
		goto out;
	if ((st = cu_case_path(x->c, ts.rel.data, &ts.abs, err)) != CU_OK)
		goto out;
	if (link(ts.abs.data, s.abs.data) != 0) {
		cu_ingest_warn(x->w, true, "hard link '%s': cannot link the evidence copy: %s",
			       name, strerror(errno));
		goto out;
	}
	struct cu_digests d;
	memset(&d, 0, sizeof(d));
	d.algs = cu_ingest_algs(x->w);
	d.size = tval.size;
	memcpy(d.sha256, tval.sha256, sizeof(d.sha256));
	memcpy(d.md5, tval.md5, sizeof(d.md5));
	memcpy(d.sm3, tval.sm3, sizeof(d.sm3));
	if (meta != NULL)
		json_object_set_new(meta, "hardlink_to", json_stringn(tdev.data, tdev.len));
	fi.type = "file";
	st = cu_ingest_record(x->w, &s, &fi, &d, err);
out:
	(void)archive_read_data_skip(r->a);
	json_decref(meta);
	cu_buf_release(&tdev);
	cu_buf_release(&origin);
	cu_buf_release(&esc);
	cu_ingest_slot_release(&s);
	cu_ingest_slot_release(&ts);
	return st;
}

enum cu_status cu_import_archive(struct cu_format_run *x, const struct cu_import_archive_src *src,
				 struct cu_error *err)
{
	enum cu_status st = CU_OK;
	struct reader rd = {src, NULL, {CU_OK, ""}, false};
	struct run r;
	struct archive_entry *ent;
	struct cu_buf dev = CU_BUF_INIT, mapped_name = CU_BUF_INIT, shown_name = CU_BUF_INIT;
	struct cu_error e;
	unsigned retries = 0;

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.src = src;
	expansion_limits(&r);
	if ((rd.buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL || (r.a = archive_read_new()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (src->zip && src->seek != NULL) {
		archive_read_support_format_zip_seekable(r.a);
	} else if (src->zip) {
		archive_read_support_format_zip_streamable(r.a);
	} else {
		archive_read_support_format_tar(r.a);
		archive_read_support_format_gnutar(r.a);
		archive_read_support_filter_gzip(r.a);
		archive_read_support_filter_bzip2(r.a);
		archive_read_support_filter_xz(r.a);
	}
	archive_read_set_read_callback(r.a, ar_read);
	if (src->seek != NULL)
		archive_read_set_seek_callback(r.a, ar_seek);
	archive_read_set_callback_data(r.a, &rd);
	if (archive_read_open1(r.a) != ARCHIVE_OK) {
		st = cu_error_set(err, rd.failed ? CU_E_IO : CU_E_FORMAT, "cannot read '%s': %s",
				  src->name, rd.failed ? rd.err.msg : archive_error_string(r.a));
		goto out;
	}
	for (;;) {
		int rc = archive_read_next_header(r.a, &ent);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc == ARCHIVE_RETRY && retries++ < 16) {
			cu_ingest_warn(
			    x->w, false, "'%s': skipped damaged data after member %llu: %s",
			    src->name, (unsigned long long)r.index, archive_error_string(r.a));
			continue;
		}
		if (rc < ARCHIVE_WARN) {
			st = cu_error_set(err, rd.failed ? CU_E_IO : CU_E_FORMAT,
					  "'%s' is damaged or truncated after %llu member(s): %s",
					  src->name, (unsigned long long)r.index,
					  rd.failed ? rd.err.msg : archive_error_string(r.a));
			goto out;
		}
		if (rc == ARCHIVE_WARN)
			cu_ingest_warn(x->w, false, "'%s' member %llu: %s", src->name,
				       (unsigned long long)r.index + 1, archive_error_string(r.a));
		r.index++;
		const char *name = archive_entry_pathname(ent);
		if (name == NULL || name[0] == '\0') {
			cu_ingest_warn(x->w, true,
				       "'%s' member %llu has no usable name: not imported",
				       src->name, (unsigned long long)r.index);
			(void)archive_read_data_skip(r.a);
			continue;
		}
		/* zip: the central directory's own entry, whose name is whole
		 * (libarchive's is cut at a NUL byte). */
		struct cd_entry *ce = zip_cd_claim(src->cd, name);
		const char *use = name;
		size_t use_len = strlen(name);
		if (ce != NULL && ce->len > use_len) {
			cu_buf_reset(&shown_name);
			if (cu_path_from_device(ce->name, ce->len, &shown_name, &e) != CU_OK)
				cu_buf_reset(&shown_name);
			use = ce->name;
			use_len = ce->len;
			if (shown_name.len > 0)
				name = shown_name.data;
			cu_ingest_warn(
			    x->w, false,
			    "member '%s' of '%s' has a NUL byte in its name: kept whole, "
			    "the NUL stored escaped as %%00 (device_path_escaped in the "
			    "inventory)",
			    name, src->name);
		}
		mode_t type = archive_entry_filetype(ent);
		bool hard = archive_entry_hardlink(ent) != NULL;
		if (type == AE_IFDIR && !hard)
			continue;
		bool absolute = false;
		bool mapped = src->map_name != NULL && src->map_name(name, &mapped_name);
		if (mapped) {
			use = mapped_name.data;
			use_len = mapped_name.len;
		}
		/* Mapped names are checked too: the mapping keeps the member's
		 * own components, which may hold "..". */
		if (cu_import_member_path_n(use, use_len, &dev, &absolute, &e) != CU_OK) {
			struct cu_digests d;
			bool ok = false;
			if (type == AE_IFREG && !hard)
				hash_refused(x, r.a, &d, &ok);
			if (ok)
				cu_ingest_warn(x->w, true,
					       "member '%s' refused: %s (data not imported: %llu "
					       "bytes, sha256 %s)",
					       name, e.msg, (unsigned long long)d.size, d.sha256);
			else
				cu_ingest_warn(x->w, true, "member '%s' refused: %s", name, e.msg);
			cu_ingest_skip(x->w, name, "unsafe member name");
			continue;
		}
		if (!mapped && x->mount_prefix[0] != '\0') {
			/* tar -C /data: members are relative to the mount point. */
			cu_buf_reset(&mapped_name);
			if (cu_buf_puts(&mapped_name, x->mount_prefix, &e) == CU_OK &&
			    cu_buf_append(&mapped_name, dev.data, dev.len, &e) == CU_OK) {
				/* The prefixed name becomes dev: swapped, not copied. */
				struct cu_buf swap = dev;
				dev = mapped_name;
				mapped_name = swap;
			}
		}
		if (absolute && !mapped)
			cu_ingest_warn(x->w, false,
				       "member '%s' has an absolute name: stored relative to the "
				       "image root",
				       name);
		if (hard)
			st = member_link(&r, ent, name, &dev, true, err);
		else if (type == AE_IFLNK)
			st = member_link(&r, ent, name, &dev, false, err);
		else if (type == AE_IFREG)
			st = member_file(&r, ent, name, &dev, err);
		else {
			cu_ingest_skip(x->w, name, "special file (device, FIFO or socket)");
			(void)archive_read_data_skip(r.a);
		}
		if (st != CU_OK)
			goto out;
	}
	zip_cd_unclaimed(x, src->cd, src->name);
out:
	if (r.a != NULL) {
		archive_read_close(r.a);
		archive_read_free(r.a);
	}
	cu_ingest_pathmap_release(&r.lower);
	cu_buf_release(&dev);
	cu_buf_release(&mapped_name);
	cu_buf_release(&shown_name);
	free(rd.buf);
	if (st == CU_OK && rd.failed) {
		*err = rd.err;
		st = rd.err.code;
	}
	return st;
}

/* ---- a tar or zip file as the source ---- */

struct filesrc {
	struct cu_format_run *x;
	const struct cu_format_source *in;
	uint64_t consumed;    /* bytes read, for the ratio limit */
	uint64_t pos;         /* file offset of the next read */
	uint64_t hashed_upto; /* the image digest covers [0, hashed_upto) */
	uint64_t reread;      /* bytes read a second time to finish the digest */
	uint64_t max_pos;
	bool eof;
};

/*
 * Reads for libarchive and feeds the image digest with the bytes that
 * extend the hashed prefix. A tar (and a streamed zip) is read front to
 * back, so every byte is hashed as it passes; the seekable zip reader
 * reads the central directory at the end first, and those bytes get
 * hashed when the members before them have been.
 */
static ssize_t file_pull(void *ctx, void *buf, size_t n, struct cu_error *err)
{
	struct filesrc *f = ctx;
	for (;;) {
		ssize_t r = f->in->in.read(f->in->in.ctx, buf, n);
		if (r < 0) {
			cu_error_errno(err, CU_E_IO, errno, "read error in '%s'", f->in->name);
			return -1;
		}
		if (r == 0 && f->pos >= f->hashed_upto)
			f->eof = true;
		uint64_t end = f->pos + (uint64_t)r;
		if (f->pos <= f->hashed_upto && end > f->hashed_upto) {
			size_t skip = (size_t)(f->hashed_upto - f->pos);
			if (cu_hasher_update(f->x->hasher2, (unsigned char *)buf + skip,
					     (size_t)r - skip, err) != CU_OK)
				return -1;
			f->hashed_upto = end;
		}
		f->pos = end;
		if (end > f->max_pos)
			f->max_pos = end;
		f->consumed += (uint64_t)r;
		cu_progress_set(&f->x->prog, f->hashed_upto);
		return r;
	}
}

static int64_t file_seek(void *ctx, int64_t off, int whence)
{
	struct filesrc *f = ctx;
	int64_t p = f->in->in.seek(f->in->in.ctx, off, whence);
	if (p < 0)
		return -1;
	f->pos = (uint64_t)p;
	return (int64_t)p;
}

static uint64_t file_consumed(void *ctx)
{
	return ((struct filesrc *)ctx)->consumed;
}

/* Hashes whatever the archive reader did not pass in order (bytes after
 * the end marker; a zip's central directory) so the image digest covers
 * the whole file. */
static enum cu_status drain(struct filesrc *f, struct cu_digests *d, struct cu_error *err)
{
	if (f->pos != f->hashed_upto) {
		if (f->in->in.seek == NULL ||
		    f->in->in.seek(f->in->in.ctx, (int64_t)f->hashed_upto, SEEK_SET) < 0)
			return cu_error_errno(err, CU_E_IO, errno, "seek in '%s'", f->in->name);
		/* Bytes below the furthest read were seen before. */
		f->reread = f->max_pos > f->hashed_upto ? f->max_pos - f->hashed_upto : 0;
		f->pos = f->hashed_upto;
	}
	f->eof = false;
	while (!f->eof) {
		if (file_pull(f, f->x->buf, CU_IMPORT_CHUNK, err) < 0)
			return CU_E_IO;
	}
	return cu_hasher_final(f->x->hasher2, d, err);
}

enum cu_status cu_import_source_digests_set(struct cu_format_run *x, const struct cu_digests *d)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "size", (json_int_t)d->size, "sha256", d->sha256,
			      "md5", d->md5);
	if (o != NULL && (d->algs & CU_HASH_SM3))
		json_object_set_new(o, "sm3", json_string(d->sm3));
	if (o == NULL || json_object_set_new(x->details, "source_digests", o) != 0)
		return CU_E_NOMEM;
	return CU_OK;
}

enum cu_status cu_format_archive(struct cu_format_run *x, const struct cu_format_source *in,
				 bool zip, struct cu_error *err)
{
	enum cu_status st, dst;
	struct filesrc f = {x, in, 0, 0, 0, 0, 0, false};
	struct cu_import_archive_src src;
	struct cu_digests d;
	struct cu_error e;

	x->os = "Android";
	if ((st = x->begin_item(x, NULL, err)) != CU_OK)
		goto out;
	cu_progress_start(&x->prog, "import", in->size);
	if ((st = cu_hasher_reset(x->hasher2, err)) != CU_OK)
		goto out;
	memset(&src, 0, sizeof(src));
	src.name = in->name;
	src.pull = file_pull;
	src.ctx = &f;
	src.consumed = file_consumed;
	src.origin_prefix = "";
	src.zip = zip;
	src.size = in->size;
	if (src.zip && in->in.seek != NULL) {
		src.seek = file_seek;
		src.cd = zip_cd_load(in, in->size);
	}
	st = cu_import_archive(x, &src, err);
	zip_cd_free(src.cd);
	dst = drain(&f, &d, &e);
	if (dst == CU_OK) {
		if (cu_import_source_digests_set(x, &d) != CU_OK)
			cu_ingest_warn(x->w, false,
				       "the digest of the whole image could not be "
				       "recorded: out of memory");
		if (src.zip)
			json_object_set_new(x->details, "image_digest_reread_bytes",
					    json_integer((json_int_t)f.reread));
	} else
		cu_ingest_warn(x->w, false, "the digest of the whole image is unavailable: %s",
			       e.msg);
out:
	return st;
}
