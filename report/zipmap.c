/*
 * zipmap.c - the byte layout of a ZIP from its own bytes (zipmap.h).
 *
 * Format facts (PKWARE APPNOTE 6.3.x): end of central directory record
 * (EOCD, "PK\5\6", 22 bytes + comment) last; before it optionally the
 * ZIP64 end record ("PK\6\6", 12 + its declared size) and the ZIP64
 * locator ("PK\6\7", 20 bytes); the central directory ("PK\1\2" headers of
 * 46 bytes + name + extra + comment) before those; local entries ("PK\3\4"
 * headers of 30 bytes + name + extra, the data, and a data descriptor when
 * flag bit 3 is set) from offset 0. ZIP64 extra field 0x0001 carries the
 * 64-bit sizes and offset; 0x9901 is WinZip AES (seal --encrypt).
 *
 * A sealed package has exactly that layout with nothing in between: the
 * findings name every byte range that does not fit it.
 */
#include "report/zipmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_Z64_END 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u
#define SIG_DD      0x08074b50u

#define EOCD_LEN    22
#define Z64_LOC_LEN 20
#define Z64_END_LEN 56
#define CDH_LEN     46
#define LFH_LEN     30
/* How far before the end the EOCD is looked for: the longest comment,
 * and as much trailing data again (reported, never accepted). */
#define EOCD_WINDOW ((uint64_t)EOCD_LEN + 65535 + 65536)

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

static void issue(struct cu_zipmap *m, const char *fmt, ...) CU_PRINTF(2, 3);
static void issue(struct cu_zipmap *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nissues < CU_ZIPMAP_MAX_ISSUES) {
		va_start(ap, fmt);
		vsnprintf(m->issues[m->nissues], CU_ZIPMAP_ISSUE_LEN, fmt, ap);
		va_end(ap);
	}
	m->nissues++;
}

/* A name for messages: printable ASCII kept, other bytes as \xHH, cut. */
static void show_name(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			out[o++] = (char)s[i];
		} else if (s[i] >= 0x80) {
			out[o++] = (char)s[i]; /* UTF-8 names stay readable */
		} else {
			snprintf(out + o, cap - o, "\\x%02x", s[i]);
			o += 4;
		}
	}
	out[o] = '\0';
}

static bool rd(const struct cu_zipmap_src *src, uint64_t off, void *buf, size_t n)
{
	if (off > src->size || n > src->size - off)
		return false;
	return src->read_at(src->ctx, off, buf, n);
}

/* The EOCD: the one ending exactly at the end of the file, else the last
 * one whose comment fits (the bytes after it are trailing data). */
static enum cu_status find_eocd(const struct cu_zipmap_src *src, struct cu_zipmap *m,
				unsigned char eocd[EOCD_LEN], struct cu_error *err)
{
	uint64_t s = src->size, win = s < EOCD_WINDOW ? s : EOCD_WINDOW, base = s - win;
	unsigned char *buf = NULL;
	bool found = false, exact = false;
	uint64_t at = 0;
	enum cu_status st = CU_OK;

	if (s < EOCD_LEN)
		return cu_error_set(err, CU_E_FORMAT, "%llu bytes: too short for a ZIP",
				    (unsigned long long)s);
	if ((buf = cu_malloc((size_t)win)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
	if (!rd(src, base, buf, (size_t)win)) {
		st = cu_error_set(err, CU_E_IO, "cannot read the last %llu bytes",
				  (unsigned long long)win);
		goto out;
	}
	for (uint64_t i = win - EOCD_LEN + 1; i-- > 0;) {
		if (le32(buf + i) != SIG_EOCD)
			continue;
		uint64_t end = base + i + EOCD_LEN + le16(buf + i + 20);
		if (end == s) {
			at = base + i;
			found = exact = true;
			break;
		}
		if (end < s && !found) {
			at = base + i;
			found = true;
		}
	}
	if (!found) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "no end of central directory record in the last %llu bytes",
				  (unsigned long long)win);
		goto out;
	}
	memcpy(eocd, buf + (at - base), EOCD_LEN);
	m->eocd_offset = at;
	m->comment_len = le16(eocd + 20);
	if ((m->comment = cu_malloc(m->comment_len + 1)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
		goto out;
	}
	memcpy(m->comment, buf + (at - base) + EOCD_LEN, m->comment_len);
	m->comment[m->comment_len] = '\0';
	if (!exact)
		issue(m,
		      "%llu bytes after the end of central directory record and its %zu-byte "
		      "comment (appended data)",
		      (unsigned long long)(s - at - EOCD_LEN - m->comment_len), m->comment_len);
out:
	free(buf);
	return st;
}

struct dir {
	uint64_t entries, cd_size, cd_off;
	uint64_t cd_end; /* where the central directory must end: the next record */
};

/* The ZIP64 locator and end record, when present, give the real values. */
static enum cu_status read_zip64(const struct cu_zipmap_src *src, struct cu_zipmap *m,
				 const unsigned char eocd[EOCD_LEN], struct dir *d,
				 struct cu_error *err)
{
	unsigned char loc[Z64_LOC_LEN], rec[Z64_END_LEN];
	uint64_t lpos, rpos, rsize;
	bool marked = le16(eocd + 8) == 0xffff || le16(eocd + 10) == 0xffff ||
		      le32(eocd + 12) == 0xffffffffu || le32(eocd + 16) == 0xffffffffu;

	d->entries = le16(eocd + 10);
	d->cd_size = le32(eocd + 12);
	d->cd_off = le32(eocd + 16);
	d->cd_end = m->eocd_offset;
	if (le16(eocd + 4) != 0 || le16(eocd + 6) != 0 || le16(eocd + 8) != le16(eocd + 10))
		issue(m, "the end record names other disks (a split archive): seal writes one");
	if (m->eocd_offset < Z64_LOC_LEN ||
	    !rd(src, m->eocd_offset - Z64_LOC_LEN, loc, sizeof(loc)) || le32(loc) != SIG_Z64_LOC) {
		if (marked)
			return cu_error_set(err, CU_E_INTEGRITY,
					    "the end record defers to ZIP64 but there is no ZIP64 "
					    "locator before it");
		return CU_OK;
	}
	m->zip64 = true;
	lpos = m->eocd_offset - Z64_LOC_LEN;
	d->cd_end = lpos;
	if (le32(loc + 4) != 0 || le32(loc + 16) > 1)
		issue(m, "the ZIP64 locator names other disks (a split archive)");
	rpos = le64(loc + 8);
	/* Unadjusted offsets after prepended data: the record is then found
	 * where it must be, right before the locator. */
	if (lpos < Z64_END_LEN)
		return cu_error_set(err, CU_E_INTEGRITY, "no room for the ZIP64 end record");
	if (rpos > lpos - Z64_END_LEN || !rd(src, rpos, rec, sizeof(rec)) ||
	    le32(rec) != SIG_Z64_END) {
		rpos = lpos - Z64_END_LEN;
		if (!rd(src, rpos, rec, sizeof(rec)) || le32(rec) != SIG_Z64_END)
			return cu_error_set(
			    err, CU_E_INTEGRITY,
			    "no ZIP64 end record at offset %llu (the locator's) or before the "
			    "locator",
			    (unsigned long long)le64(loc + 8));
	}
	rsize = le64(rec + 4);
	if (rsize < Z64_END_LEN - 12 || rsize > lpos - rpos - 12)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "the ZIP64 end record at offset %llu declares %llu bytes",
				    (unsigned long long)rpos, (unsigned long long)rsize);
	if (rpos + 12 + rsize != lpos)
		issue(m, "%llu bytes between the ZIP64 end record and its locator",
		      (unsigned long long)(lpos - rpos - 12 - rsize));
	if (le32(rec + 16) != 0 || le32(rec + 20) != 0 || le64(rec + 24) != le64(rec + 32))
		issue(m, "the ZIP64 end record names other disks (a split archive)");
	d->entries = le64(rec + 32);
	d->cd_size = le64(rec + 40);
	d->cd_off = le64(rec + 48);
	d->cd_end = rpos;
	return CU_OK;
}

/* Where the central directory is: at its declared offset, or (offsets not
 * adjusted after prepending data) right before the end records. */
static enum cu_status locate_cd(const struct cu_zipmap_src *src, struct cu_zipmap *m,
				const struct dir *d, struct cu_error *err)
{
	unsigned char sig[4];

	if (d->cd_size > d->cd_end)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "the central directory is declared %llu bytes long, more than "
				    "the %llu bytes before the end records",
				    (unsigned long long)d->cd_size, (unsigned long long)d->cd_end);
	if (d->cd_size > CU_ZIPMAP_CD_MAX)
		return cu_error_set(err, CU_E_LIMIT,
				    "the central directory is %llu bytes, more than the %llu "
				    "custos reads",
				    (unsigned long long)d->cd_size,
				    (unsigned long long)CU_ZIPMAP_CD_MAX);
	if (d->cd_off <= d->cd_end - d->cd_size &&
	    (d->cd_size == 0 || (rd(src, d->cd_off, sig, 4) && le32(sig) == SIG_CENTRAL))) {
		m->cd_offset = d->cd_off;
		m->cd_size = d->cd_size;
		if (d->cd_off + d->cd_size != d->cd_end)
			issue(m,
			      "%llu bytes at offset %llu between the central directory and the end "
			      "record",
			      (unsigned long long)(d->cd_end - d->cd_off - d->cd_size),
			      (unsigned long long)(d->cd_off + d->cd_size));
		return CU_OK;
	}
	uint64_t at = d->cd_end - d->cd_size;
	if (d->cd_size > 0 && at > d->cd_off && rd(src, at, sig, 4) && le32(sig) == SIG_CENTRAL) {
		m->cd_offset = at;
		m->cd_size = d->cd_size;
		m->shift = at - d->cd_off;
		issue(m,
		      "the central directory is stored %llu bytes after the offset the end record "
		      "gives: data was put in front of the archive",
		      (unsigned long long)m->shift);
		return CU_OK;
	}
	return cu_error_set(err, CU_E_INTEGRITY,
			    "no central directory at offset %llu (the end record's), %llu bytes "
			    "long",
			    (unsigned long long)d->cd_off, (unsigned long long)d->cd_size);
}

/* manifest.json.tsr, the RFC 3161 reply, is added to a sealed package
 * later with whatever zip tool is at hand (PACKAGE.md): its extra fields
 * (times, uid/gid) are that tool's, not seal's. */
static bool is_added(const unsigned char *name, size_t n)
{
	static const char tsr[] = "manifest.json.tsr";
	return n == sizeof(tsr) - 1 && memcmp(name, tsr, n) == 0;
}

/* Walks an extra field block: the ZIP64 values (want_* in the order
 * APPNOTE 4.5.3 gives), and any field seal never writes. */
struct z64want {
	bool size, comp, offset;
	uint64_t v_size, v_comp, v_offset;
	bool has_z64;
	bool any_extra; /* the timestamp reply, added later by any zip tool */
};

static bool walk_extra(struct cu_zipmap *m, const unsigned char *x, size_t n, const char *where,
		       const char *shown, struct z64want *w)
{
	size_t i = 0;

	while (i < n) {
		if (n - i < 4) {
			issue(m, "%s of '%s': %zu stray bytes at the end of its extra field", where,
			      shown, n - i);
			return false;
		}
		uint16_t id = le16(x + i), len = le16(x + i + 2);
		if (len > n - i - 4) {
			issue(m, "%s of '%s': extra field 0x%04x runs past its end", where, shown,
			      id);
			return false;
		}
		const unsigned char *v = x + i + 4;
		if (id == 0x0001) {
			size_t k = 0;
			w->has_z64 = true;
			if (w->size && k + 8 <= len) {
				w->v_size = le64(v + k);
				k += 8;
			}
			if (w->comp && k + 8 <= len) {
				w->v_comp = le64(v + k);
				k += 8;
			}
			if (w->offset && k + 8 <= len) {
				w->v_offset = le64(v + k);
				k += 8;
			}
			if (k < (size_t)(w->size + w->comp + w->offset) * 8) {
				issue(m, "%s of '%s': ZIP64 extra field too short", where, shown);
				return false;
			}
		} else if (id != 0x9901 && !w->any_extra) {
			issue(m,
			      "%s of '%s' carries a %u-byte extra field 0x%04x that seal never "
			      "writes",
			      where, shown, len, id);
		}
		i += 4 + (size_t)len;
	}
	return true;
}

/* The central directory, whole (bounded by locate_cd). */
static enum cu_status read_cd(const struct cu_zipmap_src *src, struct cu_zipmap *m,
			      const struct dir *d, struct cu_error *err)
{
	unsigned char *cd = NULL;
	size_t n = (size_t)m->cd_size, pos = 0;
	enum cu_status st = CU_OK;
	char shown[200];

	if (d->entries > m->cd_size / CDH_LEN)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "the end record lists %llu entries; a %llu-byte central "
				    "directory holds at most %llu",
				    (unsigned long long)d->entries, (unsigned long long)m->cd_size,
				    (unsigned long long)(m->cd_size / CDH_LEN));
	if ((cd = cu_malloc(n ? n : 1)) == NULL ||
	    (m->e = cu_calloc(d->entries ? (size_t)d->entries : 1, sizeof(*m->e))) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
		goto out;
	}
	if (n > 0 && !rd(src, m->cd_offset, cd, n)) {
		st = cu_error_set(err, CU_E_IO, "cannot read the central directory");
		goto out;
	}
	for (uint64_t i = 0; i < d->entries; i++) {
		struct cu_zipmap_entry *e = &m->e[i];
		const unsigned char *h = cd + pos;
		if (n - pos < CDH_LEN || le32(h) != SIG_CENTRAL) {
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "central directory entry %llu (of %llu) is missing or "
					  "damaged at offset %llu",
					  (unsigned long long)i + 1, (unsigned long long)d->entries,
					  (unsigned long long)(m->cd_offset + pos));
			goto out;
		}
		size_t nl = le16(h + 28), xl = le16(h + 30), cl = le16(h + 32);
		if (n - pos - CDH_LEN < nl + xl + cl) {
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "central directory entry %llu runs past the directory",
					  (unsigned long long)i + 1);
			goto out;
		}
		if ((e->name = cu_malloc(nl + 1)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
			goto out;
		}
		memcpy(e->name, h + CDH_LEN, nl);
		e->name[nl] = '\0';
		e->name_len = nl;
		m->n = (size_t)i + 1;
		show_name(h + CDH_LEN, nl, shown, sizeof(shown));
		e->flags = le16(h + 8);
		e->method = le16(h + 10);
		e->crc = le32(h + 16);
		struct z64want w;
		memset(&w, 0, sizeof(w));
		w.size = le32(h + 24) == 0xffffffffu;
		w.comp = le32(h + 20) == 0xffffffffu;
		w.offset = le32(h + 42) == 0xffffffffu;
		w.v_size = le32(h + 24);
		w.v_comp = le32(h + 20);
		w.v_offset = le32(h + 42);
		w.any_extra = is_added(h + CDH_LEN, nl);
		(void)walk_extra(m, h + CDH_LEN + nl, xl, "the central directory entry", shown, &w);
		e->size = w.v_size;
		e->comp_size = w.v_comp;
		e->offset = w.v_offset;
		if (cl > 0)
			issue(m, "central directory entry '%s' has a %zu-byte comment", shown, cl);
		if (le16(h + 34) != 0)
			issue(m, "entry '%s' is on another disk (a split archive)", shown);
		if (memchr(e->name, '\0', nl) != NULL)
			issue(m, "entry name '%s' holds a NUL byte", shown);
		pos += CDH_LEN + nl + xl + cl;
	}
	if (pos != n)
		issue(m,
		      "%zu bytes at the end of the central directory after its last entry "
		      "(offset %llu)",
		      n - pos, (unsigned long long)(m->cd_offset + pos));
out:
	free(cd);
	return st;
}

/* One local header: where its entry ends, and that it agrees with the
 * central directory. scratch holds 128 KiB (name + extra). */
static void read_local(const struct cu_zipmap_src *src, struct cu_zipmap *m,
		       struct cu_zipmap_entry *e, unsigned char *scratch)
{
	unsigned char h[LFH_LEN];
	char shown[200];
	uint64_t off = e->offset, limit = m->cd_offset;

	show_name((const unsigned char *)e->name, e->name_len, shown, sizeof(shown));
	e->end = off;
	if (off > limit || limit - off < LFH_LEN || !rd(src, off, h, LFH_LEN) ||
	    le32(h) != SIG_LOCAL) {
		issue(m, "no local header for '%s' at offset %llu", shown, (unsigned long long)off);
		return;
	}
	size_t nl = le16(h + 26), xl = le16(h + 28);
	if (limit - off - LFH_LEN < nl + xl || !rd(src, off + LFH_LEN, scratch, nl + xl)) {
		issue(m, "local header of '%s' at offset %llu runs into the central directory",
		      shown, (unsigned long long)off);
		return;
	}
	uint16_t flags = le16(h + 6);
	struct z64want w;
	memset(&w, 0, sizeof(w));
	w.size = le32(h + 22) == 0xffffffffu;
	w.comp = le32(h + 18) == 0xffffffffu;
	w.v_size = le32(h + 22);
	w.v_comp = le32(h + 18);
	w.any_extra = is_added(scratch, nl);
	(void)walk_extra(m, scratch + nl, xl, "the local header", shown, &w);
	if (nl != e->name_len || memcmp(scratch, e->name, nl) != 0)
		issue(m,
		      "the local header at offset %llu names another file than the central "
		      "directory's '%s'",
		      (unsigned long long)off, shown);
	if (le16(h + 8) != e->method || (flags & 0x0008) != (e->flags & 0x0008))
		issue(m,
		      "the local header of '%s' disagrees with the central directory (method "
		      "or flags)",
		      shown);
	else if (!(flags & 0x0008) &&
		 (le32(h + 14) != e->crc || w.v_comp != e->comp_size || w.v_size != e->size))
		issue(m,
		      "the local header of '%s' disagrees with the central directory (CRC or "
		      "sizes)",
		      shown);
	uint64_t data = off + LFH_LEN + nl + xl;
	if (e->comp_size > limit - data) {
		issue(m,
		      "the data of '%s' (%llu bytes at offset %llu) runs into the central "
		      "directory",
		      shown, (unsigned long long)e->comp_size, (unsigned long long)data);
		e->end = limit;
		return;
	}
	e->end = data + e->comp_size;
	if (flags & 0x0008) {
		issue(m,
		      "'%s' is followed by a data descriptor (flag bit 3), which seal never "
		      "writes",
		      shown);
		unsigned char dd[4];
		uint64_t len = w.has_z64 ? 20 : 12;
		if (rd(src, e->end, dd, 4) && le32(dd) == SIG_DD)
			len += 4;
		if (len > limit - e->end) {
			issue(m, "the data descriptor of '%s' runs into the central directory",
			      shown);
			len = limit - e->end;
		}
		e->end += len;
	}
}

/* Bytes [from, to) that no entry covers: prepended data, or a gap that may
 * hold a local entry the central directory does not list. */
static void uncovered(const struct cu_zipmap_src *src, struct cu_zipmap *m, uint64_t from,
		      uint64_t to, const char *before, unsigned char *scratch)
{
	unsigned char h[LFH_LEN];
	char shown[200];

	if (rd(src, from, h, LFH_LEN) && le32(h) == SIG_LOCAL) {
		size_t nl = le16(h + 26);
		if (nl > 190)
			nl = 190;
		if (from + LFH_LEN + nl > to || !rd(src, from + LFH_LEN, scratch, nl))
			nl = 0;
		show_name(scratch, nl, shown, sizeof(shown));
		issue(m,
		      "%llu bytes at offset %llu, before %s, hold a local entry '%s' the central "
		      "directory does not list (hidden entry)",
		      (unsigned long long)(to - from), (unsigned long long)from, before, shown);
	} else if (from == 0) {
		issue(m, "%llu bytes before the first local header (prepended data)",
		      (unsigned long long)to);
	} else {
		issue(m, "%llu bytes at offset %llu, before %s, belong to no entry",
		      (unsigned long long)(to - from), (unsigned long long)from, before);
	}
}

static int cmp_offset(const void *a, const void *b)
{
	const struct cu_zipmap_entry *x = *(const struct cu_zipmap_entry *const *)a;
	const struct cu_zipmap_entry *y = *(const struct cu_zipmap_entry *const *)b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Every local entry in place: from 0, one after the other, up to the
 * central directory, in central directory order. */
static enum cu_status check_layout(const struct cu_zipmap_src *src, struct cu_zipmap *m,
				   struct cu_error *err)
{
	struct cu_zipmap_entry **by = NULL;
	unsigned char *scratch = cu_malloc(2 * 65536);
	uint64_t cursor = 0;
	char shown[200], before[240];

	if (scratch == NULL || (by = cu_calloc(m->n ? m->n : 1, sizeof(*by))) == NULL) {
		free(scratch);
		return cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
	}
	for (size_t i = 0; i < m->n; i++) {
		struct cu_zipmap_entry *e = &m->e[i];
		if (e->offset > UINT64_MAX - m->shift)
			e->offset = UINT64_MAX;
		else
			e->offset += m->shift;
		read_local(src, m, e, scratch);
		by[i] = e;
	}
	for (size_t i = 1; i < m->n; i++)
		if (m->e[i].offset <= m->e[i - 1].offset) {
			char a[200];
			show_name((const unsigned char *)m->e[i - 1].name, m->e[i - 1].name_len, a,
				  sizeof(a));
			show_name((const unsigned char *)m->e[i].name, m->e[i].name_len, shown,
				  sizeof(shown));
			issue(m,
			      "the central directory lists '%s' after '%s' but its local entry is "
			      "stored before it (entries reordered)",
			      shown, a);
			break;
		}
	if (m->n > 1)
		qsort(by, m->n, sizeof(*by), cmp_offset);
	for (size_t i = 0; i < m->n; i++) {
		const struct cu_zipmap_entry *e = by[i];
		show_name((const unsigned char *)e->name, e->name_len, shown, sizeof(shown));
		if (e->end == e->offset)
			continue; /* no local header there: named by read_local */
		if (e->offset > cursor) {
			snprintf(before, sizeof(before), "'%s'", shown);
			uncovered(src, m, cursor, e->offset, before, scratch);
		} else if (e->offset < cursor) {
			issue(m,
			      "the local entry of '%s' at offset %llu overlaps the entry before it "
			      "(which ends at %llu)",
			      shown, (unsigned long long)e->offset, (unsigned long long)cursor);
		}
		if (e->end > cursor)
			cursor = e->end;
	}
	if (cursor < m->cd_offset)
		uncovered(src, m, cursor, m->cd_offset, "the central directory", scratch);
	free(by);
	free(scratch);
	return CU_OK;
}

void cu_zipmap_release(struct cu_zipmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	free(m->comment);
	memset(m, 0, sizeof(*m));
}

enum cu_status cu_zipmap_read(const struct cu_zipmap_src *src, struct cu_zipmap *m,
			      struct cu_error *err)
{
	unsigned char eocd[EOCD_LEN] = {0};
	struct dir d;
	enum cu_status st;

	memset(m, 0, sizeof(*m));
	memset(&d, 0, sizeof(d));
	m->file_size = src->size;
	if ((st = find_eocd(src, m, eocd, err)) != CU_OK)
		return st;
	if ((st = read_zip64(src, m, eocd, &d, err)) != CU_OK)
		return st;
	if ((st = locate_cd(src, m, &d, err)) != CU_OK)
		return st;
	if ((st = read_cd(src, m, &d, err)) != CU_OK)
		return st;
	return check_layout(src, m, err);
}

struct fdsrc {
	int fd;
};

static bool fd_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
	struct fdsrc *f = ctx;
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = pread(f->fd, p, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		p += got;
		off += (uint64_t)got;
		n -= (size_t)got;
	}
	return true;
}

enum cu_status cu_zipmap_read_file(const char *path, struct cu_zipmap *m, struct cu_error *err)
{
	struct fdsrc f;
	struct cu_zipmap_src src;
	struct stat sb;
	enum cu_status st;

	memset(m, 0, sizeof(*m));
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", path);
	if (fstat(f.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(f.fd);
		return cu_error_set(err, CU_E_IO, "'%s' is not a regular file", path);
	}
	src.size = (uint64_t)sb.st_size;
	src.read_at = fd_read_at;
	src.ctx = &f;
	st = cu_zipmap_read(&src, m, err);
	close(f.fd);
	if (st != CU_OK)
		return cu_error_prefix(err, "'%s'", path);
	return CU_OK;
}

void cu_zipmap_fd_close(struct cu_zipmap_fd *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

enum cu_status cu_zipmap_fd_open(const char *path, struct cu_zipmap_fd *f, struct cu_error *err)
{
	struct stat sb;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", path);
	if (fstat(f->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cu_zipmap_fd_close(f);
		return cu_error_set(err, CU_E_IO, "'%s' is not a regular file", path);
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	f->src.size = (uint64_t)sb.st_size;
	f->src.read_at = fd_read_at;
	/* fd_read_at reads the descriptor at the start of its context. */
	f->src.ctx = f;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* one forward pass                                                    */
/* ------------------------------------------------------------------ */

#define WALK_CD_WIN  ((size_t)1 << 20)
#define WALK_WIN     ((size_t)4 << 20)
#define WALK_REC_MAX ((size_t)CDH_LEN + 3 * 65535)

void cu_zipwalk_release(struct cu_zipwalk *w)
{
	if (w == NULL)
		return;
	w->map.n = 0; /* a count: the walk keeps no entry array */
	cu_zipmap_release(&w->map);
	free(w->cd);
	free(w->win);
	free(w->scratch);
	free(w->name);
	memset(w, 0, sizeof(*w));
}

enum cu_status cu_zipwalk_open(const struct cu_zipmap_src *src, struct cu_zipwalk *w,
			       struct cu_error *err)
{
	unsigned char eocd[EOCD_LEN] = {0};
	struct dir d;
	enum cu_status st;

	memset(w, 0, sizeof(*w));
	memset(&d, 0, sizeof(d));
	w->src = src;
	w->map.file_size = src->size;
	if ((st = find_eocd(src, &w->map, eocd, err)) != CU_OK)
		return st;
	if ((st = read_zip64(src, &w->map, eocd, &d, err)) != CU_OK)
		return st;
	if ((st = locate_cd(src, &w->map, &d, err)) != CU_OK)
		return st;
	if (d.entries > w->map.cd_size / CDH_LEN)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "the end record lists %llu entries; a %llu-byte central "
				    "directory holds at most %llu",
				    (unsigned long long)d.entries,
				    (unsigned long long)w->map.cd_size,
				    (unsigned long long)(w->map.cd_size / CDH_LEN));
	w->entries = d.entries;
	w->cd = cu_malloc(WALK_CD_WIN + WALK_REC_MAX);
	w->win = cu_malloc(WALK_WIN + 2 * 65536 + LFH_LEN);
	w->scratch = cu_malloc(2 * 65536);
	w->name = cu_malloc(65536);
	if (w->cd == NULL || w->win == NULL || w->scratch == NULL || w->name == NULL)
		return cu_error_set(err, CU_E_NOMEM, "zip layout: out of memory");
	return CU_OK;
}

/* n bytes of the central directory at w->cd_pos, or NULL past its end. */
static const unsigned char *cd_at(struct cu_zipwalk *w, size_t n)
{
	uint64_t end = w->map.cd_offset + w->map.cd_size;

	if (w->cd_pos > end || n > end - w->cd_pos)
		return NULL;
	if (w->cd_pos < w->cd_off || w->cd_pos + n > w->cd_off + w->cd_len) {
		uint64_t len = end - w->cd_pos;
		if (len > WALK_CD_WIN)
			len = WALK_CD_WIN;
		if (len < n)
			len = n; /* n <= WALK_REC_MAX: the buffer holds it */
		if (!rd(w->src, w->cd_pos, w->cd, (size_t)len))
			return NULL;
		w->cd_off = w->cd_pos;
		w->cd_len = (size_t)len;
	}
	return w->cd + (w->cd_pos - w->cd_off);
}

const unsigned char *cu_zipwalk_bytes(struct cu_zipwalk *w, uint64_t off, size_t max, size_t *got)
{
	uint64_t s = w->src->size;

	*got = 0;
	if (off > s || max == 0)
		return NULL;
	if (max > s - off)
		max = (size_t)(s - off);
	if (off < w->win_off || off >= w->win_off + w->win_len) {
		uint64_t len = s - off;
		if (len > WALK_WIN)
			len = WALK_WIN;
		if (!rd(w->src, off, w->win, (size_t)len))
			return NULL;
		w->win_off = off;
		w->win_len = (size_t)len;
	}
	size_t have = (size_t)(w->win_off + w->win_len - off);
	*got = max < have ? max : have;
	return w->win + (off - w->win_off);
}

/* n bytes at off in one piece (n <= 2 * 64 KiB + 30). */
static const unsigned char *walk_exact(struct cu_zipwalk *w, uint64_t off, size_t n)
{
	size_t got;
	const unsigned char *p = cu_zipwalk_bytes(w, off, n, &got);

	if (p != NULL && got == n)
		return p;
	if (off > w->src->size || n > w->src->size - off)
		return NULL;
	if (!rd(w->src, off, w->win, n))
		return NULL;
	/* The window now starts at off: read on from there. */
	w->win_off = off;
	w->win_len = n;
	return w->win;
}

/* The local header of e: where its entry ends and that it agrees with
 * the central directory (as read_local). */
static void walk_local(struct cu_zipwalk *w, struct cu_zipwalk_entry *e)
{
	struct cu_zipmap *m = &w->map;
	const unsigned char *h;
	char shown[200];
	uint64_t off = e->offset, limit = m->cd_offset;

	show_name((const unsigned char *)e->name, e->name_len, shown, sizeof(shown));
	e->end = e->data = off;
	e->has_local = false;
	if (off > limit || limit - off < LFH_LEN || (h = walk_exact(w, off, LFH_LEN)) == NULL ||
	    le32(h) != SIG_LOCAL) {
		issue(m, "no local header for '%s' at offset %llu", shown, (unsigned long long)off);
		return;
	}
	size_t nl = le16(h + 26), xl = le16(h + 28);
	uint16_t flags = le16(h + 6), method = le16(h + 8);
	uint32_t crc = le32(h + 14);
	struct z64want wz;
	memset(&wz, 0, sizeof(wz));
	wz.size = le32(h + 22) == 0xffffffffu;
	wz.comp = le32(h + 18) == 0xffffffffu;
	wz.v_size = le32(h + 22);
	wz.v_comp = le32(h + 18);
	const unsigned char *x;
	if (limit - off - LFH_LEN < nl + xl ||
	    (x = walk_exact(w, off, LFH_LEN + nl + xl)) == NULL) {
		issue(m, "local header of '%s' at offset %llu runs into the central directory",
		      shown, (unsigned long long)off);
		return;
	}
	x += LFH_LEN;
	wz.any_extra = is_added(x, nl);
	(void)walk_extra(m, x + nl, xl, "the local header", shown, &wz);
	if (nl != e->name_len || memcmp(x, e->name, nl) != 0)
		issue(m,
		      "the local header at offset %llu names another file than the central "
		      "directory's '%s'",
		      (unsigned long long)off, shown);
	if (method != e->method || (flags & 0x0008) != (e->flags & 0x0008))
		issue(m,
		      "the local header of '%s' disagrees with the central directory (method "
		      "or flags)",
		      shown);
	else if (!(flags & 0x0008) &&
		 (crc != e->crc || wz.v_comp != e->comp_size || wz.v_size != e->size))
		issue(m,
		      "the local header of '%s' disagrees with the central directory (CRC or "
		      "sizes)",
		      shown);
	uint64_t data = off + LFH_LEN + nl + xl;
	e->data = data;
	if (e->comp_size > limit - data) {
		issue(m,
		      "the data of '%s' (%llu bytes at offset %llu) runs into the central "
		      "directory",
		      shown, (unsigned long long)e->comp_size, (unsigned long long)data);
		e->end = limit;
		return;
	}
	e->end = data + e->comp_size;
	if (flags & 0x0008) {
		issue(m,
		      "'%s' is followed by a data descriptor (flag bit 3), which seal never "
		      "writes",
		      shown);
		return; /* the full reader measures it */
	}
	e->has_local = true;
}

/* After the last entry: the directory ends with it, the entries end
 * where the directory starts. */
static void walk_end(struct cu_zipwalk *w)
{
	struct cu_zipmap *m = &w->map;
	uint64_t pos = w->cd_pos - m->cd_offset;

	w->done = true;
	if (pos != m->cd_size)
		issue(m,
		      "%llu bytes at the end of the central directory after its last entry "
		      "(offset %llu)",
		      (unsigned long long)(m->cd_size - pos), (unsigned long long)w->cd_pos);
	if (w->cursor != m->cd_offset)
		w->disorder = true;
}

enum cu_status cu_zipwalk_next(struct cu_zipwalk *w, const struct cu_zipwalk_entry **out,
			       struct cu_error *err)
{
	struct cu_zipmap *m = &w->map;
	struct cu_zipwalk_entry *e = &w->cur;
	const unsigned char *h;
	char shown[200];

	if (w->done || w->next == w->entries) {
		if (!w->done)
			walk_end(w);
		return CU_E_NOTFOUND;
	}
	if (w->cd_pos == 0)
		w->cd_pos = m->cd_offset;
	if ((h = cd_at(w, CDH_LEN)) == NULL || le32(h) != SIG_CENTRAL)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "central directory entry %llu (of %llu) is missing or damaged "
				    "at offset %llu",
				    (unsigned long long)w->next + 1, (unsigned long long)w->entries,
				    (unsigned long long)w->cd_pos);
	size_t nl = le16(h + 28), xl = le16(h + 30), cl = le16(h + 32);
	if ((h = cd_at(w, CDH_LEN + nl + xl + cl)) == NULL)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "central directory entry %llu runs past the directory",
				    (unsigned long long)w->next + 1);
	memset(e, 0, sizeof(*e));
	memcpy(w->name, h + CDH_LEN, nl);
	w->name[nl] = '\0';
	e->name = w->name;
	e->name_len = nl;
	e->index = w->next;
	show_name(h + CDH_LEN, nl, shown, sizeof(shown));
	e->flags = le16(h + 8);
	e->method = le16(h + 10);
	e->crc = le32(h + 16);
	struct z64want wz;
	memset(&wz, 0, sizeof(wz));
	wz.size = le32(h + 24) == 0xffffffffu;
	wz.comp = le32(h + 20) == 0xffffffffu;
	wz.offset = le32(h + 42) == 0xffffffffu;
	wz.v_size = le32(h + 24);
	wz.v_comp = le32(h + 20);
	wz.v_offset = le32(h + 42);
	wz.any_extra = is_added(h + CDH_LEN, nl);
	(void)walk_extra(m, h + CDH_LEN + nl, xl, "the central directory entry", shown, &wz);
	e->size = wz.v_size;
	e->comp_size = wz.v_comp;
	e->offset = wz.v_offset > UINT64_MAX - m->shift ? UINT64_MAX : wz.v_offset + m->shift;
	if (cl > 0)
		issue(m, "central directory entry '%s' has a %zu-byte comment", shown, cl);
	if (le16(h + 34) != 0)
		issue(m, "entry '%s' is on another disk (a split archive)", shown);
	if (memchr(w->name, '\0', nl) != NULL)
		issue(m, "entry name '%s' holds a NUL byte", shown);
	w->cd_pos += CDH_LEN + nl + xl + cl;
	w->next++;
	m->n = (size_t)w->next;
	if (w->cd_only) {
		*out = e;
		return CU_OK;
	}
	walk_local(w, e);
	/* In place: exactly where the entry before ended. */
	if (!e->has_local || e->offset != w->cursor ||
	    (e->index > 0 && e->offset <= w->prev_offset))
		w->disorder = true;
	if (e->has_local && e->end > w->cursor)
		w->cursor = e->end;
	w->prev_offset = e->offset;
	*out = e;
	return CU_OK;
}

bool cu_zipwalk_clean(const struct cu_zipwalk *w)
{
	return w->map.nissues == 0 && !w->disorder;
}
