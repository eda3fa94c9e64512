/*
 * recover.c - the SQLite deleted-record carver (docs/recovery.md).
 *
 * Everything is read through our own page reader over the raw bytes of
 * the database, its -wal and its -journal (opened O_RDONLY; no SQLite
 * library is involved, so nothing is ever checkpointed or rolled back).
 *
 * 1. The header: page size, reserved bytes, encoding, freelist, auto-vacuum.
 * 2. The WAL: frames validated by salt and cumulative checksum; the latest
 *    committed frame of each page overlays the database file ("the live
 *    view", what SQLite would read).
 * 3. The schema from sqlite_master; then the schemas of DROPPED tables from
 *    freed sqlite_master records (page 1 freeblocks, its WAL/journal images).
 * 4. A walk of every live b-tree (visited bitmap, depth bound) that gives
 *    each page its role and fingerprints every live row (table, rowid,
 *    content), so a carved copy of a live row is a duplicate, not a deletion,
 *    and an older version of a live rowid is "superseded".
 * 5. Two carving passes over every source - WAL frames, journal page images,
 *    database pages: the first reports records whose cell header survived
 *    (rowid known), the second those whose header was rebuilt from the
 *    schema or whose columns were lost, so a rebuilt copy of a record already
 *    reported intact is recognised and not reported twice.
 *
 * Every offset, length and page number read from the files is checked;
 * chains (freeblocks, freelist, overflow, b-trees) carry loop guards.
 */
#include "parsers/recovery/recover_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(CU_REC_INTEGER == SQLITE_INTEGER && CU_REC_FLOAT == SQLITE_FLOAT &&
		   CU_REC_TEXT == SQLITE_TEXT && CU_REC_BLOB == SQLITE_BLOB &&
		   CU_REC_NULL == SQLITE_NULL,
	       "value type codes follow sqlite3.h");

#define MAX_DEPTH       40
#define MAX_PAYLOAD     ((size_t)64 << 20)
#define ST_LOST         UINT64_MAX
#define MAX_TABLES      4096
#define WAL_HDR         32
#define WAL_FRAME_HDR   24
#define JOURNAL_MAGIC_0 0xd9d505f9u
#define JOURNAL_MAGIC_1 0x20a163d7u

enum role {
	R_NONE = 0, /* not reached by any structure: an orphan page */
	R_LEAF,     /* live table leaf (owner set) */
	R_INTERIOR, /* live table interior */
	R_INDEX,    /* live index page */
	R_OVERFLOW, /* overflow page of a live cell */
	R_SCHEMA,   /* a page of the sqlite_master b-tree */
	R_TRUNK,    /* freelist trunk */
	R_FREE,     /* freelist leaf */
	R_PTRMAP,
	R_LOCKBYTE,
};

enum frame_kind { F_COMMITTED = 1, F_UNCOMMITTED, F_STALE };

/* Where the bytes being carved come from. */
struct loc {
	enum cu_rec_source source;
	const char *file;
	const char *status; /* base status: deleted / uncommitted / stale */
	uint32_t page;
	uint64_t base; /* file offset of the page image's byte 0 */
	uint32_t wal_frame;
	int owner; /* table index owning the live page, -1 */
	/* freed-cell headers are rebuilt only in the free space of table
	 * leaves (freeblocks and the gap): elsewhere (interior gaps holding
	 * stale pointer arrays, trunk pages, raw pages) only intact cells */
	bool rebuild;
};

/* A candidate record: serial types and value bytes, per stored column. */
struct rec {
	size_t n;
	uint64_t *st;
	const uint8_t **vp;
	int64_t rowid;
	bool rowid_known;
	bool partial;
	bool strict;       /* found by scanning free bytes: columns must hold their kind */
	bool index_fmt;    /* an index-format cell (WITHOUT ROWID table): no rowid */
	uint64_t cell_off; /* offset of the cell in the page image */
};

struct ctx {
	const char *path;
	const struct cu_rec_opts *opts;
	struct cu_rec_opts defopts;
	cu_rec_fn fn;
	void *fnctx;
	struct cu_rec_stats *st;
	struct cu_rec_stats ownstats;
	struct cu_error *err;
	enum cu_status cb_rc;

	int dbfd, walfd, jfd;
	uint64_t dbsize, walsize, jsize;
	uint32_t pgsz, usable;
	int enc; /* 1 UTF-8, 2 UTF-16LE, 3 UTF-16BE */
	bool autovac;
	uint32_t fl_head, fl_count;
	uint32_t db_pages; /* pages (whole or partial) in the database file */
	uint32_t npages;   /* pages of the live view */
	uint32_t total;    /* max(db_pages, npages): size of the page arrays */
	uint32_t lockbyte;

	/* WAL */
	bool wal_be, wal_hdr_ok;
	uint32_t salt1, salt2, nframes;
	uint8_t *fkind;
	uint32_t *overlay; /* page -> 1-based frame of its latest committed image */

	uint8_t *role;
	uint32_t *owner;
	uint8_t *visited;
	uint8_t *chainmark;

	struct cu_rec_table *tables;
	size_t ntables;
	struct cu_rec_table master;
	size_t maxcols;
	int live_only; /* cu_recover_live_table: the table, else -1 */
	bool has_wr;   /* a WITHOUT ROWID table is in the schema */
	uint32_t live_page;
	uint64_t live_off;

	struct cu_rec_set live_full, live_rowid, live_tail, emit_full, emit_tail;
	struct cu_rec_set live_prefix, emit_prefix; /* first bytes after column 0 */
	uint64_t budget;
	int64_t deadline;
	bool limit_hit, sets_full;
	int pass;         /* 1: header intact, 2: rebuilt or partial */
	size_t trust_end; /* rebuild: bytes from here on were overwritten (0: none) */
	bool schema_mode;

	uint8_t *pg, *img;
	struct cu_buf payload, arena, cand;
	struct rec r, r2, r3;
	struct cu_rec_value *vals;
	char warn[512];
};

const char *cu_rec_source_name(enum cu_rec_source s)
{
	switch (s) {
	case CU_REC_LIVE_DAMAGED: return "live";
	case CU_REC_FREEBLOCK: return "freeblock";
	case CU_REC_UNALLOCATED: return "unallocated";
	case CU_REC_FREELIST: return "freelist";
	case CU_REC_WAL: return "wal";
	case CU_REC_JOURNAL: return "journal";
	}
	return "unknown";
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void damaged(struct ctx *c, const char *what)
{
	size_t n = strlen(c->warn);

	c->st->damaged = true;
	if (strstr(c->warn, what))
		return;
	if (n + strlen(what) + 3 < sizeof(c->warn))
		snprintf(c->warn + n, sizeof(c->warn) - n, "%s%s", n ? "; " : "", what);
}

/* True once the time bound passed (checked per page). */
static bool over_time(struct ctx *c)
{
	if (c->limit_hit)
		return true;
	if (mono_ms() > c->deadline) {
		c->limit_hit = true;
		damaged(c, "time limit reached: recovery stopped early");
	}
	return c->limit_hit;
}

static bool stopped(const struct ctx *c)
{
	return c->limit_hit || c->cb_rc != CU_OK;
}

/* ------------------------------------------------------------------ */
/* Page reader                                                          */
/* ------------------------------------------------------------------ */

/* Reads n bytes at off; the part past the end of the file is zeroed.
 * Returns the bytes really read. */
static size_t read_at(int fd, uint64_t off, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < n)
		memset(buf + got, 0, n - got);
	return got;
}

static uint64_t wal_frame_off(const struct ctx *c, uint32_t frame /* 0-based */)
{
	return WAL_HDR + (uint64_t)frame * (WAL_FRAME_HDR + c->pgsz);
}

/* The live view of page pgno (WAL overlay, else the database file). */
static bool read_live(struct ctx *c, uint32_t pgno, uint8_t *buf)
{
	if (pgno == 0 || pgno > c->total)
		return false;
	if (c->overlay && c->overlay[pgno]) {
		read_at(c->walfd, wal_frame_off(c, c->overlay[pgno] - 1) + WAL_FRAME_HDR, buf,
			c->pgsz);
		return true;
	}
	return read_at(c->dbfd, (uint64_t)(pgno - 1) * c->pgsz, buf, c->pgsz) > 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[256];
	while (n >= sizeof(zero)) {
		if (memcmp(p, zero, sizeof(zero)))
			return false;
		p += sizeof(zero);
		n -= sizeof(zero);
	}
	return n == 0 || memcmp(p, zero, n) == 0;
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

/* Checks the text bytes of a value: valid UTF-8 (or an even length in a
 * UTF-16 database). */
static bool text_ok(const struct ctx *c, const uint8_t *p, size_t n)
{
	size_t i;

	if (c->enc == 1)
		return !memchr(p, 0, n) && cu_utf8_valid((const char *)p, n);
	if (n % 2)
		return false;
	for (i = 0; i < n; i += 2)
		if (p[i] == 0 && p[i + 1] == 0)
			return false;
	return true;
}

/* A TEXT or BLOB value cut by a broken overflow chain keeps the bytes that
 * survive: its serial type becomes that of the prefix (text trimmed to
 * whole characters). Other values past the cut are lost. */
static uint64_t cut_type(const struct ctx *c, uint64_t st, const uint8_t *p, size_t have)
{
	if (st < 12 || have == 0)
		return ST_LOST;
	if (st & 1) {
		if (c->enc == 1)
			have = cu_utf8_valid_prefix((const char *)p, have);
		else
			have &= ~(size_t)1;
		return have ? 13 + 2 * (uint64_t)have : ST_LOST;
	}
	return 12 + 2 * (uint64_t)have;
}

/*
 * Parses a record (header + body) of payload bytes pl[0..plen) of which
 * the first avail are present (a broken overflow chain gives avail < plen:
 * the columns past it are lost and the record is partial). strict: every
 * text must be valid in the database encoding.
 */
static bool parse_record(struct ctx *c, const uint8_t *pl, size_t plen, size_t avail, bool strict,
			 struct rec *r)
{
	uint64_t hl, st;
	size_t k, i, body;
	const uint8_t *end = pl + (avail < plen ? avail : plen);

	k = cu_rec_varint(pl, end, &hl);
	if (!k || hl < k + 1 || hl > plen || hl > avail)
		return false;
	r->n = 0;
	r->partial = false;
	body = (size_t)hl;
	for (i = k; i < hl;) {
		size_t sz, l = cu_rec_varint(pl + i, pl + hl, &st);
		if (!l || r->n >= c->maxcols)
			return false;
		sz = cu_rec_serial_size(st);
		if (sz == SIZE_MAX || sz > plen || body + sz > plen)
			return false;
		r->st[r->n] = st;
		if (body + sz <= avail) {
			r->vp[r->n] = pl + body;
			if (strict && st >= 13 && (st & 1) && !text_ok(c, pl + body, sz))
				return false;
		} else {
			r->st[r->n] = cut_type(c, st, pl + body, body < avail ? avail - body : 0);
			r->vp[r->n] = r->st[r->n] == ST_LOST ? NULL : pl + body;
			if (strict && r->st[r->n] != ST_LOST && (r->st[r->n] & 1) &&
			    !text_ok(c, pl + body, cu_rec_serial_size(r->st[r->n])))
				return false;
			r->partial = true;
		}
		r->n++;
		body += sz;
		i += l;
	}
	return body == plen && r->n > 0;
}

/* Local payload bytes of a table-leaf cell of payload P (§1.6). */
static size_t local_size(const struct ctx *c, uint64_t P)
{
	size_t U = c->usable, X = U - 35, M = ((U - 12) * 32 / 255) - 23, K;

	if (P <= X)
		return (size_t)P;
	K = M + (size_t)((P - M) % (U - 4));
	return K <= X ? K : M;
}

/* May an overflow chain of a deleted cell run through page pg? Not
 * through live b-tree, freelist trunk, pointer-map or lock-byte pages. */
static bool chain_page_ok(const struct ctx *c, uint32_t pg)
{
	if (pg == 0 || pg > c->total)
		return false;
	switch (c->role[pg]) {
	case R_LEAF:
	case R_INTERIOR:
	case R_INDEX:
	case R_SCHEMA:
	case R_TRUNK:
	case R_PTRMAP:
	case R_LOCKBYTE: return false;
	default: return true;
	}
}

/*
 * Assembles the payload of a cell: local bytes, then the overflow chain
 * from page first. live: the cell is a live one (its chain pages are
 * marked R_OVERFLOW). Returns the bytes assembled (< P when the chain is
 * broken, looping or too long).
 */
static size_t assemble(struct ctx *c, const uint8_t *local, size_t nlocal, uint64_t P,
		       uint32_t first, bool live)
{
	size_t want = P > MAX_PAYLOAD ? MAX_PAYLOAD : (size_t)P, have;
	uint32_t pg = first, chain[4096];
	size_t nchain = 0, i;
	struct cu_error e;

	cu_buf_reset(&c->payload);
	if (cu_buf_append(&c->payload, local, nlocal, &e) != CU_OK)
		return 0;
	have = nlocal;
	while (have < want && pg) {
		size_t take = c->usable - 4;
		if (live ? (pg > c->total) : !chain_page_ok(c, pg))
			break;
		if (c->chainmark[pg / 8] & (1u << (pg % 8))) {
			damaged(c, "overflow chain loops");
			break;
		}
		if (nchain == sizeof(chain) / sizeof(chain[0])) {
			/* long chain: clear the marks so far and go on (the count of
			 * pages needed still bounds the walk) */
			for (i = 0; i < nchain; i++)
				c->chainmark[chain[i] / 8] &= (uint8_t) ~(1u << (chain[i] % 8));
			nchain = 0;
		}
		c->chainmark[pg / 8] |= (uint8_t)(1u << (pg % 8));
		chain[nchain++] = pg;
		if (!read_live(c, pg, c->img))
			break;
		if (live) {
			if (c->role[pg] == R_NONE || c->role[pg] == R_FREE)
				c->role[pg] = R_OVERFLOW;
		}
		if (take > want - have)
			take = want - have;
		if (cu_buf_append(&c->payload, c->img + 4, take, &e) != CU_OK)
			break;
		have += take;
		pg = cu_rec_be32(c->img);
	}
	for (i = 0; i < nchain; i++)
		c->chainmark[chain[i] / 8] &= (uint8_t) ~(1u << (chain[i] % 8));
	return have;
}

/* ------------------------------------------------------------------ */
/* Table matching and fingerprints                                      */
/* ------------------------------------------------------------------ */

static bool is_table_name(const struct ctx *c, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i < c->ntables; i++)
		if (strlen(c->tables[i].name) == n && memcmp(c->tables[i].name, p, n) == 0)
			return true;
	return false;
}

/* 2: the record has the table's stored column count; 1: fewer columns
 * (ALTER TABLE ADD COLUMN); 0: does not fit. */
static int fits(const struct ctx *c, const struct cu_rec_table *t, const struct rec *r)
{
	size_t k;

	if (t->nomatch || r->n == 0 || r->n > t->nstored || t->without_rowid != r->index_fmt)
		return 0;
	for (k = 0; k < r->n; k++) {
		const struct cu_rec_column *col = &t->cols[t->stored[k]];
		if (r->st[k] == ST_LOST)
			continue;
		if (!cu_rec_affinity_accepts(col->aff, col->ipk, r->st[k]))
			return 0;
		if (r->strict && col->aff == CU_REC_AFF_TEXT && r->st[k] != 0 &&
		    !(r->st[k] >= 13 && (r->st[k] & 1)))
			return 0;
	}
	if (t->internal) {
		/* sqlite_sequence(name, seq), sqlite_stat1(tbl, idx, stat): the first
		 * column names a table */
		uint64_t s0 = r->st[0];
		if (r->n != t->nstored || s0 == ST_LOST || s0 < 13 || !(s0 & 1))
			return 0;
		if (c->enc == 1 && !is_table_name(c, r->vp[0], cu_rec_serial_size(s0)))
			return 0;
	}
	return r->n == t->nstored ? 2 : 1;
}

/* Fingerprint of a record's values for table index tid: the stored
 * columns from column `from`, absent ALTER-added columns as NULL. */
static uint64_t fp_values(const struct ctx *c, uint64_t seed, size_t tid, const struct rec *r,
			  size_t from, bool with_rowid)
{
	struct cu_rec_hash h;
	size_t k, ncols = tid < c->ntables ? c->tables[tid].nstored : r->n;

	cu_rec_hash_init(&h, seed);
	cu_rec_hash_u64(&h, tid);
	if (with_rowid)
		cu_rec_hash_u64(&h, (uint64_t)r->rowid);
	for (k = from; k < ncols; k++) {
		uint64_t st = k < r->n ? r->st[k] : 0;
		cu_rec_hash_u64(&h, st);
		if (st != ST_LOST && k < r->n && r->vp[k])
			cu_rec_hash_add(&h, r->vp[k], cu_rec_serial_size(st));
	}
	return cu_rec_hash_final(&h);
}

/* Fingerprints of the first L value bytes from column 1 on, for L in
 * prefix_len[]: what a copy cut short (partial) can still be compared by,
 * through the longest L it has. */
static const size_t prefix_len[] = {10, 16, 32, 64};
#define N_PREFIX (sizeof(prefix_len) / sizeof(prefix_len[0]))

static size_t prefix_have(const struct rec *r)
{
	size_t k, have = 0;

	if (r->n < 2 || r->st[1] == ST_LOST || !r->vp[1])
		return 0;
	for (k = 1; k < r->n && r->st[k] != ST_LOST && r->vp[k]; k++)
		have = (size_t)(r->vp[k] - r->vp[1]) + cu_rec_serial_size(r->st[k]);
	return have;
}

/* 0 when the record has fewer than prefix_len[which] bytes */
static uint64_t fp_prefix(const struct rec *r, size_t tid, size_t which)
{
	struct cu_rec_hash h;

	if (prefix_have(r) < prefix_len[which])
		return 0;
	cu_rec_hash_init(&h, 17 + which);
	cu_rec_hash_u64(&h, tid);
	cu_rec_hash_add(&h, r->vp[1], prefix_len[which]);
	return cu_rec_hash_final(&h);
}

/* The longest prefix fingerprint a (partial) record has, 0 when none. */
static uint64_t fp_prefix_best(const struct rec *r, size_t tid)
{
	size_t which = N_PREFIX, have = prefix_have(r);

	while (which > 0 && have < prefix_len[which - 1])
		which--;
	return which ? fp_prefix(r, tid, which - 1) : 0;
}

static uint64_t fp_rowid(size_t tid, int64_t rowid)
{
	struct cu_rec_hash h;
	cu_rec_hash_init(&h, 7);
	cu_rec_hash_u64(&h, tid);
	cu_rec_hash_u64(&h, (uint64_t)rowid);
	return cu_rec_hash_final(&h);
}

static void set_add(struct ctx *c, struct cu_rec_set *s, uint64_t key)
{
	if (!cu_rec_set_add(s, key, &c->budget) && !c->sets_full) {
		c->sets_full = true;
		damaged(c, "memory bound reached: some duplicates of live rows may be reported");
	}
}

/* ------------------------------------------------------------------ */
/* Emission                                                             */
/* ------------------------------------------------------------------ */

static int64_t be_int(const uint8_t *p, size_t n)
{
	uint64_t v = (p[0] & 0x80) ? UINT64_MAX : 0;
	size_t i;
	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

/* Decodes one value; text goes to the arena (offset in v->n's place is
 * fixed up by the caller through *text_off). */
static enum cu_status decode_value(struct ctx *c, uint64_t st, const uint8_t *p,
				   struct cu_rec_value *v, size_t *text_off, struct cu_error *err)
{
	size_t sz = cu_rec_serial_size(st);

	memset(v, 0, sizeof(*v));
	*text_off = SIZE_MAX;
	if (st == ST_LOST || st == 0 || !p) {
		v->type = CU_REC_NULL;
	} else if (st <= 6) {
		v->type = CU_REC_INTEGER;
		v->i = be_int(p, sz);
	} else if (st == 7) {
		uint64_t u = (uint64_t)be_int(p, 8);
		v->type = CU_REC_FLOAT;
		memcpy(&v->d, &u, sizeof(v->d));
	} else if (st == 8 || st == 9) {
		v->type = CU_REC_INTEGER;
		v->i = st == 9;
	} else if (st & 1) {
		size_t before = c->arena.len;
		v->type = CU_REC_TEXT;
		if (c->enc == 1) {
			if (cu_buf_append(&c->arena, p, sz, err) != CU_OK)
				return err->code;
		} else if (cu_rec_utf16_to_utf8(p, sz, c->enc == 3, &c->arena, err) != CU_OK) {
			return err->code;
		}
		v->n = c->arena.len - before;
		if (cu_buf_putc(&c->arena, 0, err) != CU_OK)
			return err->code;
		*text_off = before;
	} else {
		v->type = CU_REC_BLOB;
		v->p = p;
		v->n = sz;
	}
	return CU_OK;
}

/* Collects dropped-table schemas from a sqlite_master record. */
static void schema_record(struct ctx *c, const struct rec *r)
{
	char type[16], name[512];
	size_t i, tl, nl, sl;
	char *sql = NULL;
	struct cu_rec_table t, *g;
	struct cu_error e;

	if (r->n != 5 || r->st[1] == ST_LOST || r->st[4] == ST_LOST || r->st[0] == ST_LOST ||
	    r->st[1] < 13 || !(r->st[1] & 1) || r->st[4] < 13 || !(r->st[4] & 1) || r->st[0] < 13 ||
	    !(r->st[0] & 1))
		return;
	tl = cu_rec_serial_size(r->st[0]);
	nl = cu_rec_serial_size(r->st[1]);
	sl = cu_rec_serial_size(r->st[4]);
	cu_buf_reset(&c->arena);
	if (c->enc == 1) {
		if (tl >= sizeof(type) || nl >= sizeof(name))
			return;
		memcpy(type, r->vp[0], tl);
		type[tl] = 0;
		memcpy(name, r->vp[1], nl);
		name[nl] = 0;
		if (cu_buf_append(&c->arena, r->vp[4], sl, &e) != CU_OK)
			return;
	} else {
		size_t a, b;
		if (cu_rec_utf16_to_utf8(r->vp[0], tl, c->enc == 3, &c->arena, &e) != CU_OK)
			return;
		a = c->arena.len;
		if (a >= sizeof(type))
			return;
		memcpy(type, c->arena.data, a);
		type[a] = 0;
		cu_buf_reset(&c->arena);
		if (cu_rec_utf16_to_utf8(r->vp[1], nl, c->enc == 3, &c->arena, &e) != CU_OK)
			return;
		b = c->arena.len;
		if (b >= sizeof(name))
			return;
		memcpy(name, c->arena.data, b);
		name[b] = 0;
		cu_buf_reset(&c->arena);
		if (cu_rec_utf16_to_utf8(r->vp[4], sl, c->enc == 3, &c->arena, &e) != CU_OK)
			return;
	}
	if (strcmp(type, "table") != 0 || strncmp(name, "sqlite_", 7) == 0 || !c->arena.data)
		return;
	if (strlen(name) != nl && c->enc == 1)
		return; /* NUL inside the name */
	for (i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0)
			return;
	if (c->ntables >= MAX_TABLES)
		return;
	sql = cu_strndup(c->arena.data, c->arena.len);
	if (!sql)
		return;
	if (cu_rec_table_parse(&t, name, sql)) {
		g = cu_reallocarray(c->tables, c->ntables + 1, sizeof(*g));
		if (g) {
			c->tables = g;
			t.dropped = true;
			t.root = 0;
			c->tables[c->ntables++] = t;
		} else {
			cu_rec_table_release(&t);
		}
	}
	free(sql);
}

/* Bytes of the values that survive (NULL and lost columns count 0). A
 * partial record with fewer than PARTIAL_MIN_BYTES is a scrap ("wxid_",
 * "m") that cannot be told apart from noise or tied to a row: not reported. */
#define PARTIAL_MIN_BYTES 10
static size_t value_bytes(const struct rec *r)
{
	size_t k, n = 0;
	for (k = 0; k < r->n; k++)
		if (r->st[k] != ST_LOST && r->st[k] != 0)
			n += r->st[k] == 8 || r->st[k] == 9 ? 1 : cu_rec_serial_size(r->st[k]);
	return n;
}

/* A record whose values are all NULL, zero or zero bytes (a zeroed area
 * read as a record) proves nothing: not reported. */
static bool says_nothing(const struct rec *r)
{
	size_t k;

	for (k = 0; k < r->n; k++) {
		uint64_t st = r->st[k];
		size_t sz;
		if (st == ST_LOST || st == 0 || st == 8)
			continue;
		sz = cu_rec_serial_size(st);
		if (st == 9 || !r->vp[k] || !all_zero(r->vp[k], sz))
			return false;
	}
	return true;
}

/*
 * Reports one candidate record found at loc: matched against the tables,
 * checked against the live rows and the records already reported, then
 * given to the caller's function.
 */
static void emit(struct ctx *c, const struct loc *l, struct rec *r)
{
	size_t i, cand[64], ncand = 0, best = 0;
	int fit;
	const struct cu_rec_table *t = NULL;
	bool rebuilt = !r->rowid_known || r->partial, dup = false, superseded = false;
	bool reportable = false;
	struct cu_rec_record out;
	uint64_t key_full = 0, key_tail = 0, key_prefix, tidkey;
	size_t ncols, k;
	size_t *toff = NULL;
	struct cu_error e;

	if (stopped(c))
		return;
	if (c->schema_mode) {
		if (fits(c, &c->master, r))
			schema_record(c, r);
		return;
	}
	if ((c->pass == 1) == rebuilt)
		return;
	if (says_nothing(r) || (r->partial && value_bytes(r) < PARTIAL_MIN_BYTES))
		return;
	/* exact column count first; fewer columns (ALTER) only when no table
	 * fits exactly */
	for (i = 0; i < c->ntables && ncand < 64; i++) {
		fit = fits(c, &c->tables[i], r);
		if (!fit)
			continue;
		if ((size_t)fit > best) {
			best = (size_t)fit;
			ncand = 0;
		}
		if ((size_t)fit == best)
			cand[ncand++] = i;
	}
	if (ncand == 0)
		return;
	for (i = 0; i < ncand; i++)
		if (!c->tables[cand[i]].internal)
			reportable = true;
	if (!reportable)
		return;
	if (ncand > 1 && l->owner >= 0) {
		/* a freeblock of a live page of table T was a cell of T */
		for (i = 0; i < ncand; i++)
			if (cand[i] == (size_t)l->owner) {
				cand[0] = cand[i];
				ncand = 1;
				break;
			}
	}
	if (ncand == 1) {
		t = &c->tables[cand[0]];
		if (t->internal)
			return;
	}
	/* live rows: same rowid and content = duplicate; same rowid = older
	 * version; rowid unknown: the columns after the first */
	for (i = 0; i < ncand; i++) {
		if (r->rowid_known && r->partial) {
			/* a cut copy of a live rowid: most likely the live row's
			 * stale copy with bytes written over; not a deletion */
			if (ncand == 1 &&
			    cu_rec_set_has(&c->live_rowid, fp_rowid(cand[i], r->rowid)))
				dup = true;
		} else if (r->index_fmt) {
			if (cu_rec_set_has(&c->live_full, fp_values(c, 1, cand[i], r, 0, true)))
				dup = true;
		} else if (r->rowid_known) {
			/* an intact cell under a rowid a live row holds with other
			 * content is an earlier version of that rowid (a row deleted
			 * and its rowid re-used, or updated); found by scanning free
			 * bytes, a cell whose leading bytes equal a live row's is
			 * that row's stale copy written over further on: a duplicate */
			if (cu_rec_set_has(&c->live_full, fp_values(c, 1, cand[i], r, 0, true)))
				dup = true;
			else if (cu_rec_set_has(&c->live_rowid, fp_rowid(cand[i], r->rowid))) {
				uint64_t pf = fp_prefix_best(r, cand[i]);
				if (r->strict && (!pf || cu_rec_set_has(&c->live_prefix, pf)))
					dup = ncand == 1;
				else
					superseded = true;
			}
		} else if (cu_rec_set_has(&c->live_tail, fp_values(c, 3, cand[i], r, 1, false))) {
			dup = true;
		}
		if (r->partial && !dup) {
			uint64_t pf = fp_prefix_best(r, cand[i]);
			if (pf && cu_rec_set_has(&c->live_prefix, pf))
				dup = true;
		}
	}
	if (dup && !c->opts->duplicates) {
		c->st->duplicates_dropped++;
		return;
	}
	tidkey = ncand == 1 ? cand[0] : 100000 + cand[0] * 64 + ncand;
	if (r->rowid_known && !r->partial) {
		key_full = fp_values(c, 11, tidkey, r, 0, true);
		if (cu_rec_set_has(&c->emit_full, key_full))
			return;
	}
	key_tail = fp_values(c, 13, tidkey, r, 1, false);
	if (rebuilt && cu_rec_set_has(&c->emit_tail, key_tail))
		return;
	key_prefix = fp_prefix_best(r, tidkey);
	if (r->partial && key_prefix && cu_rec_set_has(&c->emit_prefix, key_prefix))
		return;
	if (key_full)
		set_add(c, &c->emit_full, key_full);
	set_add(c, &c->emit_tail, key_tail);
	for (k = 0; k < N_PREFIX; k++)
		if ((key_prefix = fp_prefix(r, tidkey, k)) != 0)
			set_add(c, &c->emit_prefix, key_prefix);

	/* values in declared column order */
	ncols = t ? t->ncols : r->n;
	toff = cu_calloc(ncols ? ncols : 1, sizeof(*toff));
	if (!toff) {
		c->cb_rc =
		    cu_error_set(c->err, CU_E_NOMEM, "recovering '%s': out of memory", c->path);
		return;
	}
	cu_buf_reset(&c->arena);
	for (k = 0; k < ncols; k++) {
		c->vals[k].type = CU_REC_NULL;
		toff[k] = SIZE_MAX;
	}
	for (k = 0; k < r->n && k < ncols; k++) {
		size_t col = t ? t->stored[k] : k;
		if (t && t->cols[col].ipk) {
			if (r->rowid_known) {
				memset(&c->vals[col], 0, sizeof(c->vals[col]));
				c->vals[col].type = CU_REC_INTEGER;
				c->vals[col].i = r->rowid;
			}
			continue;
		}
		if (decode_value(c, r->st[k], r->vp[k], &c->vals[col], &toff[col], &e) != CU_OK) {
			free(toff);
			c->cb_rc =
			    cu_error_set(c->err, e.code, "recovering '%s': %s", c->path, e.msg);
			return;
		}
	}
	for (k = 0; k < ncols; k++)
		if (toff[k] != SIZE_MAX)
			c->vals[k].p = (const unsigned char *)c->arena.data + toff[k];
	free(toff);

	cu_buf_reset(&c->cand);
	if (ncand > 1) {
		for (i = 0; i < ncand; i++)
			if (cu_buf_printf(&c->cand, &e, "%s%s", i ? "," : "",
					  c->tables[cand[i]].name) != CU_OK)
				return;
	}
	memset(&out, 0, sizeof(out));
	out.table = t ? t->name : NULL;
	out.candidates = ncand > 1 ? c->cand.data : NULL;
	out.source = l->source;
	out.status = dup ? "duplicate" : l->status;
	if (!dup && superseded && strcmp(l->status, "deleted") == 0)
		out.status = "superseded";
	out.page = l->page;
	out.offset = l->base + r->cell_off;
	out.file = l->file;
	out.wal_frame = l->wal_frame;
	out.rowid = r->rowid_known && !r->index_fmt ? r->rowid : INT64_MIN;
	out.partial = r->partial;
	out.dropped = t && t->dropped;
	out.ncols = ncols;
	out.values = c->vals;
	out.colnames = t ? t->colnames : NULL;
	c->st->records++;
	if (r->partial)
		c->st->partial++;
	if (ncand > 1)
		c->st->ambiguous++;
	c->cb_rc = c->fn(c->fnctx, &out, c->err);
}

/* ------------------------------------------------------------------ */
/* Cells                                                                */
/* ------------------------------------------------------------------ */

/*
 * A table-leaf cell at pg[off] whose bytes must end by lim. strict (carved
 * from free space): rowid >= 1 and valid text. Returns the cell length,
 * 0 when it is not a cell. The record goes to c->r.
 */
static size_t parse_cell(struct ctx *c, const uint8_t *pg, size_t off, size_t lim, bool strict,
			 bool live)
{
	uint64_t P, rowid;
	size_t n1, n2, nlocal, len, avail;
	const uint8_t *p = pg + off, *end = pg + lim;
	uint32_t ovf = 0;
	const uint8_t *pl;

	if (off >= lim)
		return 0;
	n1 = cu_rec_varint(p, end, &P);
	if (!n1)
		return 0;
	n2 = cu_rec_varint(p + n1, end, &rowid);
	if (!n2 || P < 2 || P > ((uint64_t)1 << 31))
		return 0;
	if (strict && (int64_t)rowid < 1)
		return 0;
	nlocal = local_size(c, P);
	len = n1 + n2 + nlocal + (nlocal < P ? 4 : 0);
	if (len > lim - off)
		return 0;
	pl = p + n1 + n2;
	if (!live && c->trust_end && off + len > c->trust_end) {
		/* a cell freed later was written over this one's tail */
		if (off + n1 + n2 >= c->trust_end)
			return 0;
		avail = c->trust_end - (off + n1 + n2);
		if (avail > nlocal)
			avail = nlocal;
	} else if (nlocal < P) {
		ovf = cu_rec_be32(pl + nlocal);
		avail = assemble(c, pl, nlocal, P, ovf, live);
		pl = (const uint8_t *)c->payload.data;
		if (!pl)
			return 0;
	} else {
		avail = (size_t)P;
	}
	c->r.rowid = (int64_t)rowid;
	c->r.rowid_known = true;
	c->r.strict = strict;
	c->r.index_fmt = false;
	c->r.cell_off = off;
	if (!parse_record(c, pl, (size_t)P, avail, strict || !live, &c->r))
		return 0;
	if (avail < P && !live)
		c->r.partial = true;
	return len;
}

/*
 * An index-format cell (leaf 0x0A: [P][payload][overflow]; interior 0x02:
 * [child][P][payload][overflow]) at pg[off], as a WITHOUT ROWID table
 * stores its rows. Returns the cell length, 0 when it is not a cell; the
 * record goes to c->r with index_fmt set (rowid 0 for the fingerprints,
 * reported unknown).
 */
static size_t parse_index_cell(struct ctx *c, const uint8_t *pg, size_t off, size_t lim,
			       bool interior, bool live)
{
	uint64_t P;
	size_t n1, nlocal, len, avail, U = c->usable, X = ((U - 12) * 64 / 255) - 23,
				       M = ((U - 12) * 32 / 255) - 23, skip = interior ? 4 : 0;
	const uint8_t *pl;

	if (off + skip >= lim)
		return 0;
	n1 = cu_rec_varint(pg + off + skip, pg + lim, &P);
	if (!n1 || P < 2 || P > ((uint64_t)1 << 31))
		return 0;
	nlocal = P <= X ? (size_t)P : M + (size_t)((P - M) % (U - 4));
	if (nlocal > X)
		nlocal = M;
	len = skip + n1 + nlocal + (nlocal < P ? 4 : 0);
	if (len > lim - off)
		return 0;
	pl = pg + off + skip + n1;
	if (nlocal < P) {
		avail = assemble(c, pl, nlocal, P, cu_rec_be32(pl + nlocal), live);
		pl = (const uint8_t *)c->payload.data;
		if (!pl)
			return 0;
	} else {
		avail = (size_t)P;
	}
	c->r.rowid = 0;
	c->r.rowid_known = true;
	c->r.strict = false;
	c->r.index_fmt = true;
	c->r.cell_off = off;
	if (!parse_record(c, pl, (size_t)P, avail, !live, &c->r))
		return 0;
	if (avail < P && !live)
		c->r.partial = true;
	return len;
}

/* The types a lost 1-byte serial type may have had, given its content
 * size and the column. Returns the count; *only the one when 1. */
static int lost_types(enum cu_rec_affinity aff, bool ipk, size_t size, uint64_t *only)
{
	static const uint64_t fixed[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	int n = 0;
	size_t i;
	bool text = false, blob = false;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (cu_rec_serial_size(fixed[i]) == size &&
		    cu_rec_affinity_accepts(aff, ipk, fixed[i])) {
			*only = fixed[i];
			n++;
		}
	if (size <= 57 && cu_rec_affinity_accepts(aff, ipk, 13 + 2 * size)) {
		*only = 13 + 2 * size;
		text = true;
		n++;
	}
	if (size <= 57 && cu_rec_affinity_accepts(aff, ipk, 12 + 2 * size)) {
		blob = true;
		if (!(aff == CU_REC_AFF_TEXT && text)) {
			*only = 12 + 2 * size;
			n++;
		}
	}
	(void)blob;
	return n;
}

/* Control characters other than tab, newline and carriage return: not in
 * the texts of a rebuilt record (a rebuilt header is weak evidence). */
static bool has_control(const uint8_t *p, size_t n, int enc)
{
	size_t i, step = enc == 1 ? 1 : 2;

	for (i = 0; i + step <= n; i += step) {
		unsigned u = enc == 1   ? p[i]
			     : enc == 2 ? (unsigned)(p[i] | p[i + 1] << 8)
					: (unsigned)(p[i] << 8 | p[i + 1]);
		if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
			return true;
	}
	return false;
}

/* A rebuilt header is weaker evidence than an intact one: its columns must
 * hold their declared kind (TEXT: text, INTEGER: integers, REAL: numbers),
 * never the conversions SQLite would tolerate (a BLOB in a TEXT column),
 * which is what stale cell pointers read as a record look like. */
static bool rebuilt_accepts(const struct cu_rec_column *col, uint64_t st)
{
	if (!cu_rec_affinity_accepts(col->aff, col->ipk, st))
		return false;
	if (col->aff == CU_REC_AFF_TEXT)
		return st == 0 || (st >= 13 && (st & 1));
	return true;
}

/*
 * A freed cell at pg[fb] whose first 4 bytes were overwritten by a
 * freeblock header, ending by E (exact: the cell ends exactly at E). The
 * bytes P, rowid and the record header length are rebuilt from table t's
 * stored columns: d = the bytes P and rowid took (2..10); when d = 2 the
 * first serial type was overwritten too and is derived from the size left.
 * Returns the cell length (result in *r), 0 when no layout fits.
 */
static size_t rebuild_one(struct ctx *c, const uint8_t *pg, size_t fb, size_t E, bool exact,
			  const struct cu_rec_table *t, size_t d, size_t want, struct rec *r)
{
	size_t h = fb + d, i, he, hl, n = 0, first, body, sk = 0, k, size0 = 0, P, len, avail;
	const uint8_t *base;
	uint64_t st;
	const struct cu_rec_column *c0 = &t->cols[t->stored[0]];

	if (h + 1 > E)
		return 0;
	if (d >= 5) {
		/* the intact bytes of P and rowid: the rowid's last byte ends a
		 * varint; at most one other varint ends among them */
		size_t q, ends = 0;
		if (pg[h - 1] & 0x80)
			return 0;
		for (q = fb + 4; q + 1 < h; q++)
			ends += !(pg[q] & 0x80);
		if (ends > 1)
			return 0;
	}
	if (d >= 4) {
		uint64_t v;
		size_t l = cu_rec_varint(pg + h, pg + E, &v);
		if (l != 1 || v < 2)
			return 0;
		hl = (size_t)v;
		he = h + hl;
		if (he > E)
			return 0;
		i = h + 1;
		first = 0;
	} else {
		i = fb + 4;
		first = d == 2 ? 1 : 0;
		he = 0;
		hl = 0;
	}
	n = first;
	while (n < want) {
		size_t l;
		if (d >= 4 && i >= he)
			break;
		l = cu_rec_varint(pg + i, pg + (d >= 4 ? he : E), &st);
		if (!l)
			return 0;
		if (cu_rec_serial_size(st) == SIZE_MAX)
			return 0;
		r->st[n] = st;
		n++;
		i += l;
	}
	if (d >= 4) {
		if (i != he)
			return 0;
	} else {
		he = i;
		hl = he - h;
		if (hl >= 128)
			return 0;
	}
	if (n == 0 || (d < 4 && n != want))
		return 0;
	r->n = n;
	for (k = first; k < n; k++) {
		const struct cu_rec_column *col = &t->cols[t->stored[k]];
		if (!rebuilt_accepts(col, r->st[k]))
			return 0;
		sk += cu_rec_serial_size(r->st[k]);
	}
	r->partial = false;
	if (d == 2) {
		if (c0->ipk) {
			r->st[0] = 0;
			size0 = 0;
		} else {
			uint64_t only = 0;
			if (!exact || E < he + sk)
				return 0;
			size0 = E - he - sk;
			switch (lost_types(c0->aff, c0->ipk, size0, &only)) {
			case 0: return 0;
			case 1: r->st[0] = only; break;
			default:
				r->st[0] = ST_LOST;
				r->partial = true;
				break;
			}
		}
	}
	body = size0 + sk;
	P = hl + body;
	if (cu_rec_varint_len(P) > d - 1 || d - cu_rec_varint_len(P) > 9)
		return 0;
	if (P > c->usable - 35) {
		/* spilled: the local part, a 4-byte first overflow page, the rest
		 * in the chain (freed with the row; read while it is intact) */
		size_t nloc = local_size(c, P);
		if (P > MAX_PAYLOAD || he - h > nloc || want < t->nstored)
			return 0;
		len = d + nloc + 4;
		if (fb + len > E)
			return 0;
		avail = assemble(c, pg + h, nloc, P, cu_rec_be32(pg + h + nloc), false);
		base = (const uint8_t *)c->payload.data;
		if (!base)
			return 0;
		body = hl;
	} else {
		len = d + P;
		avail = P;
		base = pg + h;
		body = he - h;
		/* the tail of a freed cell in the gap may lie under cells written
		 * since: what is past trust_end is lost */
		if (c->trust_end && h + P > c->trust_end) {
			if (he > c->trust_end)
				return 0;
			avail = c->trust_end - h;
		}
	}
	if (fb + len > E || (exact && d == 2 && !c0->ipk && fb + len != E))
		return 0;
	/* fewer columns than declared (a row from before ALTER TABLE ADD
	 * COLUMN, header length lost): only when the freeblock is this cell */
	if (d < 4 && want < t->nstored && (!exact || fb + len != E))
		return 0;
	/* value pointers and text checks; columns past a broken overflow
	 * chain are lost (partial) */
	for (k = 0; k < n; k++) {
		size_t sz = k == 0 && d == 2 ? size0 : cu_rec_serial_size(r->st[k]);
		size_t vsz = sz;
		if (r->st[k] != ST_LOST && body + sz > avail) {
			r->st[k] =
			    cut_type(c, r->st[k], base + body, body < avail ? avail - body : 0);
			r->partial = true;
			if (r->st[k] != ST_LOST)
				vsz = cu_rec_serial_size(r->st[k]);
		}
		r->vp[k] = r->st[k] == ST_LOST ? NULL : base + body;
		if (r->st[k] != ST_LOST && r->st[k] >= 13 && (r->st[k] & 1) &&
		    !text_ok(c, base + body, vsz))
			return 0;
		body += sz;
	}
	/* a record of nothing but NULLs says nothing; one of a single byte
	 * (stale pointers, page numbers read as a record) not much more */
	for (k = 0, sk = 0; k < n; k++)
		if (r->st[k] != 0 && r->st[k] != ST_LOST)
			sk += r->st[k] == 8 || r->st[k] == 9 ? 1 : cu_rec_serial_size(r->st[k]);
	if (sk < 2)
		return 0;
	for (k = 0; k < n; k++)
		if (r->st[k] != ST_LOST && r->st[k] >= 13 && (r->st[k] & 1) &&
		    has_control(r->vp[k], cu_rec_serial_size(r->st[k]), c->enc))
			return 0;
	r->rowid_known = false;
	r->rowid = INT64_MIN;
	r->cell_off = fb;
	return len;
}

static bool same_layout(const struct rec *a, const struct rec *b)
{
	size_t k;
	if (a->n != b->n)
		return false;
	for (k = 0; k < a->n; k++)
		if (a->st[k] != b->st[k] || a->vp[k] != b->vp[k])
			return false;
	return true;
}

/* Tries every table and every layout; reports the record when the layouts
 * that fit agree. A layout whose cell fills the freeblock exactly is
 * stronger evidence than one that leaves bytes over (coalesced blocks): when
 * exactly one exact layout exists it wins over any inexact ones. Returns
 * the cell length or 0. */
static size_t rebuild(struct ctx *c, const uint8_t *pg, size_t fb, size_t E, bool exact,
		      const struct loc *l, bool report)
{
	size_t i, d, len, nt = c->schema_mode ? 1 : c->ntables, round, want;
	size_t found[2] = {0, 0}; /* [0] inexact, [1] exact fit */
	size_t win[2][3];         /* table, d, want of the first layout of each kind */
	bool conflict[2] = {false, false};
	struct rec *keep[2] = {&c->r, &c->r3};
	int k;

	if (E - fb < 6)
		return 0;
	/* round 0: every declared column; round 1: fewer (ALTER) */
	for (round = 0; round < 2 && !found[0] && !found[1]; round++)
		for (i = 0; i < nt; i++) {
			const struct cu_rec_table *t = c->schema_mode ? &c->master : &c->tables[i];
			if (t->without_rowid || t->nomatch || t->nstored > c->maxcols)
				continue;
			for (want = round ? t->nstored - 1 : t->nstored;
			     want >= (round ? 1 : t->nstored) && want >= 1; want--)
				for (d = 2; d <= (round ? 3 : 10); d++) {
					struct rec *r;
					len = rebuild_one(c, pg, fb, E, exact, t, d, want, &c->r2);
					if (!len)
						continue;
					/* sqlite_sequence and sqlite_stat* records name a
					 * table in their first column: without it (lost
					 * with the header) a layout of theirs proves
					 * nothing and must not stand against another */
					c->r2.index_fmt = false;
					c->r2.strict = true;
					if (t->internal && !fits(c, t, &c->r2))
						continue;
					k = fb + len == E ? 1 : 0;
					r = keep[k];
					if (!found[k]) {
						found[k] = len;
						win[k][0] = i;
						win[k][1] = d;
						win[k][2] = want;
						r->n = c->r2.n;
						memcpy(r->st, c->r2.st, c->r2.n * sizeof(*r->st));
						memcpy(r->vp, c->r2.vp, c->r2.n * sizeof(*r->vp));
					} else if (len != found[k] || !same_layout(r, &c->r2)) {
						conflict[k] = true;
					}
				}
		}
	if (found[1] && !conflict[1])
		k = 1;
	else if (!found[1] && found[0] && !conflict[0])
		k = 0;
	else
		return 0;
	/* the winner again, straight into c->r (its values may point into the
	 * payload buffer a later layout reused) */
	len = rebuild_one(c, pg, fb, E, exact, c->schema_mode ? &c->master : &c->tables[win[k][0]],
			  win[k][1], win[k][2], &c->r);
	if (!len)
		return 0;
	c->r.rowid_known = false;
	c->r.rowid = INT64_MIN;
	c->r.strict = true;
	c->r.index_fmt = false;
	c->r.cell_off = fb;
	if (report)
		emit(c, l, &c->r);
	return len;
}

/* Is pg[p..p+4) a freeblock header [next][size] that may start a freed
 * cell ending by end? */
static bool fb_header(const struct ctx *c, const uint8_t *pg, size_t p, size_t end, size_t *size)
{
	size_t nx = cu_rec_be16(pg + p), sz = cu_rec_be16(pg + p + 2);

	if (sz < 6 || p + sz > c->usable)
		return false;
	(void)end;
	if (nx != 0 && (nx < p + sz || nx + 4 > c->usable))
		return false;
	*size = sz;
	return true;
}

/* The first freed-cell header inside [a, b) whose block runs exactly to
 * end (it was merged with everything after it up to there, the content
 * start or the end of the enclosing freeblock) and whose cell rebuilds: a
 * cell freed after the one being read was written over it from there on.
 * Cells freed one after another each leave such a header (every one's
 * block ran to the same end when it was freed): a cell rebuilds when it
 * ends exactly at end or at a later header of the chain that rebuilds.
 * 0 when none. */
#define MAX_INNER 32
static size_t find_chain(struct ctx *c, const uint8_t *pg, size_t a, size_t b, size_t end,
			 const struct loc *l, size_t outer_next, size_t outer_end);
static size_t find_inner(struct ctx *c, const uint8_t *pg, size_t a, size_t b, size_t end,
			 const struct loc *l)
{
	return find_chain(c, pg, a, b, end, l, 0, 0);
}

/* find_inner, and when outer_next is not 0 also the headers of the cells
 * freed after the one whose header [outer_next][size] ends at outer_end
 * (in bytes the page no longer maps: cells moved since, the block's end
 * lost): such a header names the same next block and ends where it ends
 * (up to a fragment of 3 bytes it absorbed); matching both is the
 * structure's own evidence that a cell ended there. */
static size_t find_chain(struct ctx *c, const uint8_t *pg, size_t a, size_t b, size_t end,
			 const struct loc *l, size_t outer_next, size_t outer_end)
{
	size_t q, sz, saved = c->trust_end, found = 0, cand[MAX_INNER], n = 0, i, j;
	bool good[MAX_INNER], sib[MAX_INNER];

	if (!l->rebuild)
		return 0;
	if (b > end)
		b = end;
	for (q = a; q < end && q + 4 <= end && n < MAX_INNER; q++) {
		if (q >= b && n == 0)
			return 0; /* no header in [a, b): the common case, cheap */
		if (!fb_header(c, pg, q, end, &sz))
			continue;
		sib[n] = outer_next && cu_rec_be16(pg + q) == outer_next && q + sz <= outer_end &&
			 q + sz + 3 >= outer_end;
		if (q + sz == end || sib[n])
			cand[n++] = q;
	}
	for (i = n; i-- > 0;) {
		c->trust_end = end;
		good[i] = sib[i] || rebuild(c, pg, cand[i], end, true, l, false) != 0;
		for (j = i + 1; j < n && !good[i]; j++)
			if (good[j]) {
				c->trust_end = cand[j];
				good[i] = rebuild(c, pg, cand[i], cand[j], true, l, false) != 0;
			}
	}
	for (i = 0; i < n && !found && cand[i] < b; i++)
		if (good[i])
			found = cand[i];
	c->trust_end = saved;
	return found;
}

static size_t index_cell_free(struct ctx *c, const uint8_t *pg, size_t p, size_t lim,
			      bool interior);

/* Carves free bytes pg[start..end): freed cells with a freeblock header
 * (rebuilt) and intact cells, zero runs skipped. A record with a later
 * freed cell's header inside it is cut there (partial) and the scan goes
 * on from that header. */
static void carve_region(struct ctx *c, const uint8_t *pg, size_t start, size_t end,
			 const struct loc *l)
{
	size_t p = start, len, sz, resume = 0, q;

	if (end > c->usable)
		end = c->usable;
	c->st->bytes_scanned += end > start ? end - start : 0;
	while (p + 3 < end && !stopped(c)) {
		if (pg[p] == 0 && p >= resume) {
			/* zero run (secure_delete, never-used space): skip it, but
			 * keep its last three bytes, which may begin a freeblock
			 * header [00 00][00 size] */
			size_t z = p;
			while (z < end && pg[z] == 0)
				z++;
			if (z >= end)
				break;
			resume = z;
			if (z >= p + 3)
				p = z - 3;
		}
		/* a freed cell keeps its freeblock size even when later writes
		 * took the bytes past the region (cells written since): its
		 * bytes past the region are lost (trust_end), the record partial.
		 * A header whose block fits the region exactly wins over one a
		 * byte or three earlier that does not (zeros before a header
		 * [01 6a][00 c0] also read as [00 00][01 6a]). */
		c->trust_end = end;
		if (l->rebuild && p + 4 <= end && fb_header(c, pg, p, end, &sz) &&
		    (len = rebuild(c, pg, p, p + sz, p + sz <= end, l, false)) != 0) {
			size_t k, sz2, len2;
			if (p + sz > end)
				for (k = 1; k <= 3 && p + k + 4 <= end; k++)
					if (fb_header(c, pg, p + k, end, &sz2) &&
					    p + k + sz2 <= end &&
					    (len2 = rebuild(c, pg, p + k, p + k + sz2, true, l,
							    false)) != 0) {
						p += k;
						sz = sz2;
						len = len2;
						break;
					}
			q = find_inner(c, pg, p + 4, p + len, end, l);
			c->trust_end = q ? q : end;
			len = rebuild(c, pg, p, p + sz, p + sz <= end, l, true);
			c->trust_end = 0;
			if (q) {
				p = q;
				continue;
			}
			if (len) {
				p += len < end - p ? len : end - p;
				continue;
			}
		}
		c->trust_end = 0;
		/* a freed cell merged with the ones freed after it: it ends
		 * exactly where the next one's old header is */
		if (l->rebuild && p + 4 <= end && fb_header(c, pg, p, end, &sz)) {
			size_t e2 = p + sz <= end ? p + sz : end;
			q = p + sz > end
				? find_chain(c, pg, p + 4, e2, e2, l, cu_rec_be16(pg + p), p + sz)
				: find_inner(c, pg, p + 4, e2, e2, l);
			if (q && rebuild(c, pg, p, q, true, l, true)) {
				p = q;
				continue;
			}
		}
		len = parse_cell(c, pg, p, end, true, false);
		if (len) {
			q = find_inner(c, pg, p + 4, p + len, end, l);
			if (q) {
				c->trust_end = q;
				if (parse_cell(c, pg, p, end, true, false))
					emit(c, l, &c->r);
				c->trust_end = 0;
				p = q;
				continue;
			}
			emit(c, l, &c->r);
			p += len;
			continue;
		}
		/* a WITHOUT ROWID table's whole cell (a former leaf's) */
		if (c->has_wr && pg[p] && (len = index_cell_free(c, pg, p, end, false)) != 0) {
			emit(c, l, &c->r);
			p += len;
			continue;
		}
		p++;
	}
}

/* Freeblocks and the unallocated gap of a table-leaf image. hdr: offset
 * of the b-tree header (100 on page 1). */
static void carve_leaf_free(struct ctx *c, const uint8_t *pg, size_t hdr, const struct loc *base,
			    bool in_place)
{
	size_t ncells = cu_rec_be16(pg + hdr + 3), ptr_end = hdr + 8 + 2 * ncells;
	size_t fb, prev = 0, guard = 0, len, i, a;
	struct loc l = *base;
	uint8_t cover[65536 / 8];

	l.rebuild = true;
	if (ptr_end > c->usable) {
		damaged(c, "cell pointer array past the page end");
		return;
	}
	/* bytes some structure claims: header and pointers, live cells,
	 * freeblocks; whatever is left (the gap, dead cells in the content
	 * area, fragments) is carved as unallocated */
	memset(cover, 0, (c->usable + 7) / 8);
	for (a = 0; a < ptr_end; a++)
		cover[a / 8] |= (uint8_t)(1u << (a % 8));
	for (i = 0; i < ncells; i++) {
		size_t off = cu_rec_be16(pg + hdr + 8 + 2 * i), n1, n2, clen;
		uint64_t P, rowid;
		if (off < ptr_end || off >= c->usable)
			continue;
		n1 = cu_rec_varint(pg + off, pg + c->usable, &P);
		n2 = n1 ? cu_rec_varint(pg + off + n1, pg + c->usable, &rowid) : 0;
		if (!n2)
			continue;
		clen = local_size(c, P);
		clen = n1 + n2 + clen + (clen < P ? 4 : 0);
		for (a = off; a < off + clen && a < c->usable; a++)
			cover[a / 8] |= (uint8_t)(1u << (a % 8));
	}
	l.source = in_place ? CU_REC_FREEBLOCK : base->source;
	for (fb = cu_rec_be16(pg + hdr + 1); fb && guard < c->usable / 4; guard++) {
		size_t sz;
		if (fb < ptr_end || fb <= prev || fb + 4 > c->usable) {
			damaged(c, "freeblock chain out of order or out of range");
			break;
		}
		sz = cu_rec_be16(pg + fb + 2);
		if (sz < 4 || fb + sz > c->usable) {
			damaged(c, "freeblock size out of range");
			break;
		}
		for (a = fb; a < fb + sz; a++)
			cover[a / 8] |= (uint8_t)(1u << (a % 8));
		c->st->bytes_scanned += 4;
		if (sz >= 6) {
			/* a cell written later over this one (and freed again, its
			 * block running to this block's end) cuts it: from there on
			 * its bytes are the later cell's */
			size_t q, rest;
			len = rebuild(c, pg, fb, fb + sz, true, &l, false);
			if (len) {
				q = find_inner(c, pg, fb + 4, fb + len, fb + sz, &l);
				c->trust_end = q;
				len = rebuild(c, pg, fb, fb + sz, true, &l, true);
				rest = q ? q : len ? fb + len : fb + 4;
			} else {
				/* or a cell was allocated from the block's end since
				 * (SQLite keeps the block's start and shrinks it): the
				 * freed cell runs past the block, cut at its end or at a
				 * later cell inside */
				q = find_inner(c, pg, fb + 4, fb + sz, fb + sz, &l);
				/* cells freed one after another merge: this one ends
				 * exactly where the next freed one's old header is */
				len = q ? rebuild(c, pg, fb, q, true, &l, true) : 0;
				if (!len) {
					c->trust_end = q ? q : fb + sz;
					len = rebuild(c, pg, fb, c->usable, false, &l, true);
				}
				rest = q ? q : len ? fb + sz : fb + 4;
			}
			c->trust_end = 0;
			if (rest + 4 <= fb + sz)
				carve_region(c, pg, rest, fb + sz, &l);
		}
		prev = fb;
		fb = cu_rec_be16(pg + fb);
	}
	l.source = in_place ? CU_REC_UNALLOCATED : base->source;
	l.owner = -1;
	for (a = ptr_end; a < c->usable && !stopped(c);) {
		size_t b;
		if (cover[a / 8] & (1u << (a % 8))) {
			a++;
			continue;
		}
		for (b = a; b < c->usable && !(cover[b / 8] & (1u << (b % 8))); b++)
			;
		if (b - a >= 4)
			carve_region(c, pg, a, b, &l);
		a = b;
	}
}

/* A table-leaf image no longer in use (freelist leaf, orphan, older WAL
 * frame, journal image): every cell through its pointers, then its free
 * space. */
static void carve_old_leaf(struct ctx *c, const uint8_t *pg, size_t hdr, const struct loc *l)
{
	size_t ncells = cu_rec_be16(pg + hdr + 3), i, ptr_end = hdr + 8 + 2 * ncells;

	if (ptr_end > c->usable)
		return;
	for (i = 0; i < ncells && !stopped(c); i++) {
		size_t off = cu_rec_be16(pg + hdr + 8 + 2 * i);
		if (off < ptr_end || off >= c->usable)
			continue;
		if (parse_cell(c, pg, off, c->usable, false, false))
			emit(c, l, &c->r);
	}
	carve_leaf_free(c, pg, hdr, l, false);
}

/* Does the image look like a table leaf b-tree page? */
static bool leaf_header_ok(const struct ctx *c, const uint8_t *pg, size_t hdr)
{
	size_t ncells, content;

	if (pg[hdr] != 0x0d)
		return false;
	ncells = cu_rec_be16(pg + hdr + 3);
	content = cu_rec_be16(pg + hdr + 5);
	if (content == 0)
		content = 65536;
	return hdr + 8 + 2 * ncells <= c->usable && (ncells == 0 || content < 65536);
}

/* A page image that is not the live version of its page (or is a freed
 * page): table leaves in full, interior gaps, other bytes scanned raw when
 * raw is set (freelist leaves and orphan pages of the database). */
static void carve_image(struct ctx *c, const uint8_t *pg, uint32_t pgno, const struct loc *l,
			bool raw)
{
	size_t hdr = pgno == 1 ? 100 : 0;

	c->st->pages_scanned++;
	if (all_zero(pg, c->usable))
		return;
	if (pgno == 1 && !c->schema_mode)
		return; /* the schema page: its records are sqlite_master rows */
	if (leaf_header_ok(c, pg, hdr)) {
		carve_old_leaf(c, pg, hdr, l);
	} else if (pg[hdr] == 0x05) {
		size_t ncells = cu_rec_be16(pg + hdr + 3), content = cu_rec_be16(pg + hdr + 5);
		if (content == 0)
			content = 65536;
		if (hdr + 12 + 2 * ncells < c->usable && content <= c->usable)
			carve_region(c, pg, hdr + 12 + 2 * ncells, content, l);
	} else if (pg[hdr] == 0x02 || pg[hdr] == 0x0a) {
		/* a WITHOUT ROWID table's rows (or an index's entries, which fit
		 * no such table unless their columns do) */
		size_t ncells = cu_rec_be16(pg + hdr + 3), i,
		       ptr = hdr + (pg[hdr] == 0x02 ? 12 : 8);
		if (!c->has_wr || ptr + 2 * ncells > c->usable)
			return;
		for (i = 0; i < ncells && !stopped(c); i++) {
			size_t off = cu_rec_be16(pg + ptr + 2 * i);
			if (off >= ptr + 2 * ncells && off < c->usable &&
			    parse_index_cell(c, pg, off, c->usable, pg[hdr] == 0x02, false))
				emit(c, l, &c->r);
		}
		/* then whole cells left in its free space (an interior cell's
		 * freeblock header overwrote its child pointer only) */
		for (i = ptr + 2 * ncells; i + 3 < c->usable && !stopped(c);) {
			size_t len = pg[hdr] == 0x02 || pg[i]
					 ? index_cell_free(c, pg, i, c->usable, pg[hdr] == 0x02)
					 : 0;
			if (!len) {
				i++;
				continue;
			}
			emit(c, l, &c->r);
			i += len;
		}
	} else if (pgno != 1 && cu_rec_be32(pg + 4) <= c->usable / 4 - 2 &&
		   cu_rec_be32(pg) <= c->total + c->nframes) {
		/* a freelist trunk image (next trunk, leaf count, leaf slots): a
		 * former leaf whose freed and live cells stay past the slots */
		struct loc t = *l;
		t.rebuild = true;
		carve_region(c, pg, 8 + 4 * (size_t)cu_rec_be32(pg + 4), c->usable, &t);
	} else if (raw) {
		carve_region(c, pg, 0, c->usable, l);
	}
}

/* ------------------------------------------------------------------ */
/* Live b-tree walk                                                      */
/* ------------------------------------------------------------------ */

static bool visit(struct ctx *c, uint32_t pg)
{
	if (pg == 0 || pg > c->total) {
		damaged(c, "b-tree child page number out of range");
		return false;
	}
	if (c->visited[pg / 8] & (1u << (pg % 8))) {
		damaged(c, "b-tree page reached twice (loop or shared page)");
		return false;
	}
	c->visited[pg / 8] |= (uint8_t)(1u << (pg % 8));
	return true;
}

static void live_row(struct ctx *c, int tid)
{
	const struct cu_rec_table *t = &c->tables[tid];
	struct rec *r = &c->r;

	if (r->n > t->nstored)
		return;
	set_add(c, &c->live_full, fp_values(c, 1, (size_t)tid, r, 0, true));
	set_add(c, &c->live_rowid, fp_rowid((size_t)tid, r->rowid));
	set_add(c, &c->live_tail, fp_values(c, 3, (size_t)tid, r, 1, false));
	{
		size_t k;
		uint64_t pf;
		for (k = 0; k < N_PREFIX; k++)
			if ((pf = fp_prefix(r, (size_t)tid, k)) != 0)
				set_add(c, &c->live_prefix, pf);
	}
	if (c->opts->live && (c->live_only < 0 || c->live_only == tid)) {
		/* reported as this table's row, whatever else it fits */
		struct cu_rec_record out;
		size_t k, *toff;
		struct cu_error e;

		toff = cu_calloc(t->ncols, sizeof(*toff));
		if (!toff)
			return;
		cu_buf_reset(&c->arena);
		for (k = 0; k < t->ncols; k++) {
			c->vals[k].type = CU_REC_NULL;
			toff[k] = SIZE_MAX;
		}
		for (k = 0; k < r->n; k++) {
			size_t col = t->stored[k];
			if (t->cols[col].ipk) {
				memset(&c->vals[col], 0, sizeof(c->vals[col]));
				c->vals[col].type = CU_REC_INTEGER;
				c->vals[col].i = r->rowid;
				continue;
			}
			if (decode_value(c, r->st[k], r->vp[k], &c->vals[col], &toff[col], &e) !=
			    CU_OK) {
				free(toff);
				return;
			}
		}
		for (k = 0; k < t->ncols; k++)
			if (toff[k] != SIZE_MAX)
				c->vals[k].p = (const unsigned char *)c->arena.data + toff[k];
		free(toff);
		memset(&out, 0, sizeof(out));
		out.table = t->name;
		out.source = CU_REC_LIVE_DAMAGED;
		out.status = "live";
		out.page = c->live_page;
		out.offset = c->live_off;
		out.file = "db";
		out.rowid = r->index_fmt ? INT64_MIN : r->rowid;
		out.partial = r->partial;
		out.ncols = t->ncols;
		out.values = c->vals;
		out.colnames = t->colnames;
		if (c->cb_rc == CU_OK) {
			c->st->records++;
			c->cb_rc = c->fn(c->fnctx, &out, c->err);
		}
	}
}

/*
 * A live leaf whose cell pointers are damaged: every cell of the table
 * found in its content area counts as live (fingerprinted, never reported
 * as deleted), so live rows the broken pointers hide are not reported as
 * deletions. Freed cells that are still whole on such a page are lost to
 * recovery: precision first on a damaged page.
 */
static void live_scan(struct ctx *c, const uint8_t *buf, size_t hdr, size_t ncells, int tid)
{
	size_t p = hdr + 8 + 2 * ncells, len, content = cu_rec_be16(buf + hdr + 5);

	/* from the content start when it is sane, else past the pointers */
	if (content >= hdr + 8 && content < c->usable)
		p = content;
	else if (p > c->usable)
		p = c->usable;

	while (p + 3 < c->usable && !stopped(c)) {
		if (buf[p] == 0) {
			p++;
			continue;
		}
		len = parse_cell(c, buf, p, c->usable, true, false);
		if (len && !c->r.partial && fits(c, &c->tables[tid], &c->r)) {
			bool saved = c->opts->live;
			c->defopts.live = false; /* fingerprints only */
			live_row(c, tid);
			c->defopts.live = saved;
			p += len;
			continue;
		}
		p++;
	}
}

/* Walks the b-tree at page pg for table tid (-1: sqlite_master, -2: an
 * index), giving pages their role and fingerprinting live rows. */
static void walk(struct ctx *c, uint32_t pg, int tid, int depth)
{
	uint8_t *buf = NULL;
	size_t hdr = pg == 1 ? 100 : 0, ncells, i;
	uint8_t type;

	if (depth > MAX_DEPTH) {
		damaged(c, "b-tree deeper than any real one");
		return;
	}
	if (stopped(c) || over_time(c) || !visit(c, pg))
		return;
	buf = cu_malloc(c->pgsz);
	if (!buf)
		return;
	if (!read_live(c, pg, buf)) {
		damaged(c, "b-tree page past the end of the file (truncated)");
		goto out;
	}
	c->st->pages_scanned++;
	type = buf[hdr];
	ncells = cu_rec_be16(buf + hdr + 3);
	if (type == 0x05 || type == 0x02) {
		size_t ptr = hdr + 12;
		if (ptr + 2 * ncells > c->usable) {
			damaged(c, "cell count past the page end");
			goto out;
		}
		c->role[pg] = tid == -1 ? R_SCHEMA : type == 0x02 ? R_INDEX : R_INTERIOR;
		c->owner[pg] = tid >= 0 ? (uint32_t)tid : UINT32_MAX;
		for (i = 0; i < ncells && !stopped(c); i++) {
			size_t off = cu_rec_be16(buf + ptr + 2 * i);
			if (off < ptr + 2 * ncells || off + 4 > c->usable) {
				damaged(c, "cell pointer out of range");
				continue;
			}
			/* a WITHOUT ROWID table's interior cells hold rows too */
			if (type == 0x02 && tid >= 0 && c->tables[tid].without_rowid &&
			    parse_index_cell(c, buf, off, c->usable, true, true))
				live_row(c, tid);
			walk(c, cu_rec_be32(buf + off), tid, depth + 1);
		}
		walk(c, cu_rec_be32(buf + hdr + 8), tid, depth + 1);
	} else if (type == 0x0d) {
		size_t ptr = hdr + 8;
		bool bad = false;
		if (ptr + 2 * ncells > c->usable) {
			damaged(c, "cell count past the page end");
			ncells = (c->usable - ptr) / 2;
			bad = true;
		}
		c->role[pg] = tid == -1 ? R_SCHEMA : R_LEAF;
		c->owner[pg] = tid >= 0 ? (uint32_t)tid : UINT32_MAX;
		for (i = 0; i < ncells && !stopped(c); i++) {
			size_t off = cu_rec_be16(buf + ptr + 2 * i);
			if (off < ptr + 2 * ncells || off >= c->usable) {
				if (!bad)
					damaged(c, "cell pointer out of range");
				bad = true;
				continue;
			}
			if (!parse_cell(c, buf, off, c->usable, false, true)) {
				if (!bad)
					damaged(c, "a live cell does not parse");
				bad = true;
				continue;
			}
			if (tid >= 0) {
				c->live_page = pg;
				c->live_off =
				    c->overlay && c->overlay[pg]
					? wal_frame_off(c, c->overlay[pg] - 1) + WAL_FRAME_HDR + off
					: (uint64_t)(pg - 1) * c->pgsz + off;
				live_row(c, tid);
			}
		}
		if (bad && tid >= 0)
			live_scan(c, buf, hdr, ncells, tid);
	} else if (type == 0x0a) {
		c->role[pg] = tid == -1 ? R_SCHEMA : R_INDEX;
		c->owner[pg] = tid >= 0 ? (uint32_t)tid : UINT32_MAX;
		if (tid >= 0 && c->tables[tid].without_rowid && hdr + 8 + 2 * ncells <= c->usable)
			for (i = 0; i < ncells && !stopped(c); i++) {
				size_t off = cu_rec_be16(buf + hdr + 8 + 2 * i);
				if (off >= hdr + 8 + 2 * ncells && off < c->usable &&
				    parse_index_cell(c, buf, off, c->usable, false, true))
					live_row(c, tid);
			}
		/* index cells may spill: mark the overflow pages so they are not
		 * carved as orphans */
		for (i = 0; i < ncells && hdr + 8 + 2 * i + 2 <= c->usable; i++) {
			size_t off = cu_rec_be16(buf + hdr + 8 + 2 * i), n1, U = c->usable;
			uint64_t P;
			size_t X = ((U - 12) * 64 / 255) - 23, M = ((U - 12) * 32 / 255) - 23, K,
			       nlocal;
			uint32_t ov, guard = 0;
			if (off + 4 > U)
				continue;
			n1 = cu_rec_varint(buf + off, buf + U, &P);
			if (!n1 || P <= X)
				continue;
			K = M + (size_t)((P - M) % (U - 4));
			nlocal = K <= X ? K : M;
			if (off + n1 + nlocal + 4 > U)
				continue;
			ov = cu_rec_be32(buf + off + n1 + nlocal);
			while (ov && ov <= c->total && guard++ < c->total &&
			       c->role[ov] == R_NONE) {
				c->role[ov] = R_OVERFLOW;
				if (!read_live(c, ov, c->img))
					break;
				ov = cu_rec_be32(c->img);
			}
		}
	} else {
		damaged(c, "a b-tree page of unknown type");
	}
out:
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Header, WAL, schema                                                   */
/* ------------------------------------------------------------------ */

static enum cu_status read_header(struct ctx *c)
{
	uint8_t h[100];
	uint32_t ps, hdr_pages, counter, valid_for;

	if (read_at(c->dbfd, 0, h, sizeof(h)) < sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0)
		return cu_error_set(c->err, CU_E_FORMAT, "'%s' is not an SQLite database", c->path);
	ps = cu_rec_be16(h + 16);
	if (ps == 1)
		ps = 65536;
	if (ps < 512 || ps > 65536 || (ps & (ps - 1))) {
		damaged(c, "bogus page size in the header (4096 assumed)");
		ps = 4096;
	}
	c->pgsz = ps;
	if (h[20] > 0 && ps - h[20] < 480) {
		damaged(c, "bogus reserved-bytes count in the header (0 assumed)");
		c->usable = ps;
	} else {
		c->usable = ps - h[20];
	}
	c->enc = (int)cu_rec_be32(h + 56);
	if (c->enc < 1 || c->enc > 3) {
		if (c->enc != 0)
			damaged(c, "bogus text encoding in the header (UTF-8 assumed)");
		c->enc = 1;
	}
	c->autovac = cu_rec_be32(h + 52) != 0;
	c->db_pages = (uint32_t)((c->dbsize + ps - 1) / ps);
	if (c->dbsize / ps > UINT32_MAX - 2)
		return cu_error_set(c->err, CU_E_LIMIT, "'%s' is too large", c->path);
	hdr_pages = cu_rec_be32(h + 28);
	counter = cu_rec_be32(h + 24);
	valid_for = cu_rec_be32(h + 92);
	c->npages = c->db_pages;
	if (hdr_pages && counter == valid_for) {
		if (hdr_pages > c->db_pages)
			damaged(c, "the file is shorter than its header says (truncated)");
		else
			c->npages = hdr_pages;
	}
	if (c->dbsize % ps)
		damaged(c, "the file size is not a whole number of pages");
	c->lockbyte = (uint32_t)(((uint64_t)1 << 30) / ps) + 1;
	return CU_OK;
}

static void wal_sum(bool be, const uint8_t *p, size_t n, uint32_t *s0, uint32_t *s1)
{
	size_t i;
	for (i = 0; i + 8 <= n; i += 8) {
		uint32_t a, b;
		if (be) {
			a = cu_rec_be32(p + i);
			b = cu_rec_be32(p + i + 4);
		} else {
			a = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			    (uint32_t)p[i + 3] << 24;
			b = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 |
			    (uint32_t)p[i + 6] << 16 | (uint32_t)p[i + 7] << 24;
		}
		*s0 += a + *s1;
		*s1 += b + *s0;
	}
}

/* Validates the WAL frames; fills fkind and the overlay. */
static enum cu_status wal_load(struct ctx *c)
{
	uint8_t h[WAL_HDR], fh[WAL_FRAME_HDR];
	uint32_t magic, s0 = 0, s1 = 0, i, last_commit = 0, commit_size = 0;
	uint64_t fsz = WAL_FRAME_HDR + (uint64_t)c->pgsz;
	bool chain = true;
	uint8_t *data = NULL;

	if (c->walfd < 0 || c->walsize < WAL_HDR)
		return CU_OK;
	read_at(c->walfd, 0, h, sizeof(h));
	magic = cu_rec_be32(h);
	if ((magic & 0xfffffffe) != 0x377f0682) {
		damaged(c, "the -wal has no WAL header");
		return CU_OK;
	}
	if (cu_rec_be32(h + 8) != c->pgsz) {
		damaged(c, "the -wal page size differs from the database's");
		return CU_OK;
	}
	c->wal_be = magic & 1;
	c->salt1 = cu_rec_be32(h + 16);
	c->salt2 = cu_rec_be32(h + 20);
	wal_sum(c->wal_be, h, 24, &s0, &s1);
	c->wal_hdr_ok = s0 == cu_rec_be32(h + 24) && s1 == cu_rec_be32(h + 28);
	if (!c->wal_hdr_ok)
		damaged(c, "the WAL header checksum is wrong (its frames are treated as stale)");
	if ((c->walsize - WAL_HDR) / fsz > UINT32_MAX / 2)
		return cu_error_set(c->err, CU_E_LIMIT, "'%s-wal' is too large", c->path);
	c->nframes = (uint32_t)((c->walsize - WAL_HDR) / fsz);
	if (!c->nframes)
		return CU_OK;
	c->fkind = cu_calloc(c->nframes, 1);
	data = cu_malloc(c->pgsz);
	if (!c->fkind || !data) {
		free(data);
		return cu_error_set(c->err, CU_E_NOMEM, "reading '%s-wal': out of memory", c->path);
	}
	for (i = 0; i < c->nframes; i++) {
		uint64_t off = wal_frame_off(c, i);
		bool salt;
		read_at(c->walfd, off, fh, sizeof(fh));
		salt = c->wal_hdr_ok && cu_rec_be32(fh + 8) == c->salt1 &&
		       cu_rec_be32(fh + 12) == c->salt2;
		if (!salt) {
			/* a frame of another salt ends the log; it is an older
			 * generation's (stale) unless its salts are zero: a frame
			 * whose header was never finished, part of the transaction
			 * in progress (uncommitted) */
			bool zero = cu_rec_be32(fh + 8) == 0 && cu_rec_be32(fh + 12) == 0;
			c->fkind[i] = zero && c->wal_hdr_ok ? F_UNCOMMITTED : F_STALE;
			chain = false;
			continue;
		}
		if (chain) {
			read_at(c->walfd, off + WAL_FRAME_HDR, data, c->pgsz);
			wal_sum(c->wal_be, fh, 8, &s0, &s1);
			wal_sum(c->wal_be, data, c->pgsz, &s0, &s1);
			if (s0 == cu_rec_be32(fh + 16) && s1 == cu_rec_be32(fh + 20) &&
			    cu_rec_be32(fh) != 0) {
				c->fkind[i] = F_UNCOMMITTED;
				if (cu_rec_be32(fh + 4)) {
					last_commit = i + 1;
					commit_size = cu_rec_be32(fh + 4);
				}
				continue;
			}
			chain = false;
		}
		c->fkind[i] = F_UNCOMMITTED; /* current salt, after a torn frame */
	}
	free(data);
	for (i = 0; i < last_commit; i++)
		if (c->fkind[i] == F_UNCOMMITTED)
			c->fkind[i] = F_COMMITTED;
	if (last_commit) {
		uint64_t cap = (uint64_t)c->db_pages + c->nframes;
		c->npages = commit_size;
		if (c->npages > cap) {
			damaged(c, "a WAL commit frame claims more pages than exist");
			c->npages = (uint32_t)cap;
		}
	}
	return CU_OK;
}

static enum cu_status alloc_pages(struct ctx *c)
{
	uint64_t total = c->npages > c->db_pages ? c->npages : c->db_pages, need;
	uint32_t i;

	c->total = (uint32_t)total;
	need = (total + 1) * (1 + 4 + (c->nframes ? 4 : 0)) + 2 * (total / 8 + 1);
	if (need > c->budget)
		return cu_error_set(c->err, CU_E_LIMIT,
				    "'%s': %llu pages exceed the memory bound of recovery", c->path,
				    (unsigned long long)total);
	c->budget -= need;
	c->role = cu_calloc(total + 1, 1);
	c->owner = cu_calloc(total + 1, sizeof(*c->owner));
	c->visited = cu_calloc(total / 8 + 1, 1);
	c->chainmark = cu_calloc(total / 8 + 1, 1);
	if (!c->role || !c->owner || !c->visited || !c->chainmark)
		return cu_error_set(c->err, CU_E_NOMEM, "recovering '%s': out of memory", c->path);
	if (c->nframes) {
		uint8_t fh[8];
		c->overlay = cu_calloc(total + 1, sizeof(*c->overlay));
		if (!c->overlay)
			return cu_error_set(c->err, CU_E_NOMEM, "recovering '%s': out of memory",
					    c->path);
		for (i = 0; i < c->nframes; i++) {
			uint32_t pg;
			if (c->fkind[i] != F_COMMITTED)
				continue;
			read_at(c->walfd, wal_frame_off(c, i), fh, sizeof(fh));
			pg = cu_rec_be32(fh);
			if (pg >= 1 && pg <= total)
				c->overlay[pg] = i + 1;
		}
	}
	return CU_OK;
}

static bool grow_cols(struct ctx *c, size_t maxcols)
{
	struct cu_rec_value *v;
	uint64_t *st, *st2;
	const uint8_t **vp, **vp2;

	v = cu_reallocarray(c->vals, maxcols + 1, sizeof(*v));
	if (v)
		c->vals = v;
	st = cu_reallocarray(c->r.st, maxcols + 1, sizeof(*st));
	if (st)
		c->r.st = st;
	st2 = cu_reallocarray(c->r2.st, maxcols + 1, sizeof(*st2));
	if (st2)
		c->r2.st = st2;
	vp = cu_reallocarray(c->r.vp, maxcols + 1, sizeof(*vp));
	if (vp)
		c->r.vp = vp;
	vp2 = cu_reallocarray(c->r2.vp, maxcols + 1, sizeof(*vp2));
	if (vp2)
		c->r2.vp = vp2;
	if (st2 && vp2) {
		st2 = cu_reallocarray(c->r3.st, maxcols + 1, sizeof(*st2));
		if (st2)
			c->r3.st = st2;
		vp2 = cu_reallocarray(c->r3.vp, maxcols + 1, sizeof(*vp2));
		if (vp2)
			c->r3.vp = vp2;
	}
	return v && st && st2 && vp && vp2;
}

/* The live schema: sqlite_master's b-tree rows (type, name, tbl_name,
 * rootpage, sql). */
/* One sqlite_master row at buf[off]: a table's schema is added. Returns
 * the cell length when the cell is a schema row (any type), else 0. */
static size_t schema_row(struct ctx *c, const uint8_t *buf, size_t off)
{
	size_t len = 0, i;
	char type[8] = "", name[1024];
	struct rec *r = &c->r;
	size_t tl, nl, sl;
	struct cu_rec_table t;
	struct cu_error e;
	if (off >= c->usable || !(len = parse_cell(c, buf, off, c->usable, false, true)))
		return 0;
	if (r->n < 5 || r->st[0] < 13 || r->st[1] < 13 || r->st[4] < 13 || !(r->st[4] & 1) ||
	    !r->vp[0] || !r->vp[1] || !r->vp[4] || r->st[0] == ST_LOST || r->st[1] == ST_LOST ||
	    r->st[4] == ST_LOST)
		return len; /* a cell, not a table's row */
	tl = cu_rec_serial_size(r->st[0]);
	nl = cu_rec_serial_size(r->st[1]);
	sl = cu_rec_serial_size(r->st[4]);
	cu_buf_reset(&c->arena);
	if (c->enc == 1) {
		if (tl >= sizeof(type) || nl >= sizeof(name))
			return 0;
		memcpy(type, r->vp[0], tl);
		type[tl] = 0;
		memcpy(name, r->vp[1], nl);
		name[nl] = 0;
		if (cu_buf_append(&c->arena, r->vp[4], sl, &e) != CU_OK)
			return 0;
	} else {
		if (cu_rec_utf16_to_utf8(r->vp[0], tl, c->enc == 3, &c->arena, &e) != CU_OK ||
		    c->arena.len >= sizeof(type))
			return 0;
		memcpy(type, c->arena.data, c->arena.len);
		type[c->arena.len] = 0;
		cu_buf_reset(&c->arena);
		if (cu_rec_utf16_to_utf8(r->vp[1], nl, c->enc == 3, &c->arena, &e) != CU_OK ||
		    c->arena.len >= sizeof(name))
			return 0;
		memcpy(name, c->arena.data, c->arena.len);
		name[c->arena.len] = 0;
		cu_buf_reset(&c->arena);
		if (cu_rec_utf16_to_utf8(r->vp[4], sl, c->enc == 3, &c->arena, &e) != CU_OK)
			return 0;
	}
	if (strcmp(type, "table") != 0 || !c->arena.data || c->ntables >= MAX_TABLES)
		return len;
	for (i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0)
			return len; /* seen already (a scan over damaged pointers) */
	if (cu_rec_table_parse(&t, name, c->arena.data)) {
		struct cu_rec_table *g;
		uint64_t root = 0;
		if (r->st[3] >= 1 && r->st[3] <= 6)
			root = (uint64_t)be_int(r->vp[3], cu_rec_serial_size(r->st[3]));
		else if (r->st[3] == 9)
			root = 1;
		t.root = root <= c->total ? (uint32_t)root : 0;
		t.internal = strncmp(name, "sqlite_", 7) == 0;
		if (t.internal && strcmp(name, "sqlite_sequence") != 0 &&
		    strcmp(name, "sqlite_stat1") != 0) {
			t.nomatch = true;
		}
		g = cu_reallocarray(c->tables, c->ntables + 1, sizeof(*g));
		if (!g) {
			cu_rec_table_release(&t);
			return 0;
		}
		c->tables = g;
		c->tables[c->ntables++] = t;
	}
	return len;
}

static enum cu_status load_schema(struct ctx *c)
{
	static const char master_sql[] = "CREATE TABLE sqlite_master(type text, name text, "
					 "tbl_name text, rootpage integer, sql text)";
	uint8_t *buf = NULL;
	uint32_t stack[MAX_DEPTH + 1][2]; /* page, next cell index */
	int sp = 0;
	size_t guard = 0;

	if (!cu_rec_table_parse(&c->master, "sqlite_master", master_sql))
		return cu_error_set(c->err, CU_E_INTERNAL, "sqlite_master schema");
	c->maxcols = 64;
	if (!grow_cols(c, c->maxcols))
		return cu_error_set(c->err, CU_E_NOMEM, "recovering '%s': out of memory", c->path);
	buf = cu_malloc(c->pgsz);
	if (!buf)
		return cu_error_set(c->err, CU_E_NOMEM, "recovering '%s': out of memory", c->path);
	/* an explicit stack (depth-bounded) over the schema b-tree */
	stack[0][0] = 1;
	stack[0][1] = 0;
	while (sp >= 0 && guard++ < (size_t)c->total * 64 + 64) {
		uint32_t pg = stack[sp][0], idx = stack[sp][1];
		size_t hdr = pg == 1 ? 100 : 0, ncells, i;
		if (!read_live(c, pg, buf)) {
			damaged(c, "schema page missing (truncated)");
			sp--;
			continue;
		}
		ncells = cu_rec_be16(buf + hdr + 3);
		if (buf[hdr] == 0x05 && hdr + 12 + 2 * ncells <= c->usable) {
			uint32_t child;
			if (idx > ncells) {
				sp--;
				continue;
			}
			if (idx < ncells) {
				size_t off = cu_rec_be16(buf + hdr + 12 + 2 * idx);
				child = off + 4 <= c->usable ? cu_rec_be32(buf + off) : 0;
			} else {
				child = cu_rec_be32(buf + hdr + 8);
			}
			stack[sp][1]++;
			if (child >= 1 && child <= c->total &&
			    (c->chainmark[child / 8] & (1u << (child % 8)))) {
				damaged(c, "schema b-tree loops");
				continue;
			}
			if (sp < MAX_DEPTH && child >= 1 && child <= c->total) {
				c->chainmark[child / 8] |= (uint8_t)(1u << (child % 8));
				sp++;
				stack[sp][0] = child;
				stack[sp][1] = 0;
			} else if (child) {
				damaged(c, "schema b-tree child out of range");
			}
			continue;
		}
		if (buf[hdr] == 0x0d && hdr + 8 + 2 * ncells <= c->usable) {
			bool bad = false;
			size_t q;
			for (i = 0; i < ncells; i++) {
				size_t off = cu_rec_be16(buf + hdr + 8 + 2 * i);
				if (!schema_row(c, buf, off))
					bad = true;
			}
			/* broken cell pointers: the schema rows are still in the
			 * content area */
			for (q = hdr + 8 + 2 * ncells; bad && q + 3 < c->usable;) {
				size_t l = buf[q] ? schema_row(c, buf, q) : 0;
				q += l ? l : 1;
			}

		} else {
			damaged(c, "a schema page is not a table b-tree page");
		}
		sp--;
	}
	free(buf);
	memset(c->chainmark, 0, c->total / 8 + 1);
	return CU_OK;
}

/* Index roots from sqlite_master, for the page roles: walked as -2. */
static void walk_indexes(struct ctx *c)
{
	uint8_t *buf = cu_malloc(c->pgsz);
	uint32_t pg;

	if (!buf)
		return;
	/* the schema pages are the ones the schema walk read: re-read page 1's
	 * tree through the roles set by walk(-1) */
	for (pg = 1; pg <= c->total && !stopped(c); pg++) {
		size_t hdr = pg == 1 ? 100 : 0, ncells, i;
		if (c->role[pg] != R_SCHEMA || !read_live(c, pg, buf) || buf[hdr] != 0x0d)
			continue;
		ncells = cu_rec_be16(buf + hdr + 3);
		if (hdr + 8 + 2 * ncells > c->usable)
			continue;
		for (i = 0; i < ncells; i++) {
			size_t off = cu_rec_be16(buf + hdr + 8 + 2 * i);
			struct rec *r = &c->r;
			uint64_t root = 0;
			if (off >= c->usable || !parse_cell(c, buf, off, c->usable, false, true))
				continue;
			if (r->n < 4 || r->st[0] != 13 + 2 * 5 || r->st[0] == ST_LOST)
				continue;
			if (c->enc == 1 && memcmp(r->vp[0], "index", 5) != 0)
				continue;
			if (r->st[3] >= 1 && r->st[3] <= 6)
				root = (uint64_t)be_int(r->vp[3], cu_rec_serial_size(r->st[3]));
			if (root >= 2 && root <= c->total)
				walk(c, (uint32_t)root, -2, 0);
		}
	}
	free(buf);
}

static void mark_structures(struct ctx *c)
{
	uint32_t trunk = c->fl_head, guard = 0, pg;
	uint8_t *buf = cu_malloc(c->pgsz);

	if (!buf)
		return;
	if (c->lockbyte <= c->total)
		c->role[c->lockbyte] = R_LOCKBYTE;
	if (c->autovac) {
		uint32_t J = c->usable / 5;
		for (pg = 2; pg <= c->total; pg += J + 1) {
			if (pg == c->lockbyte)
				pg++;
			if (pg <= c->total && c->role[pg] == R_NONE)
				c->role[pg] = R_PTRMAP;
		}
	}
	while (trunk && guard++ <= c->total) {
		uint32_t next, L, i;
		if (trunk > c->total || c->role[trunk] != R_NONE) {
			damaged(c, "freelist trunk page out of range or reused (loop)");
			break;
		}
		c->role[trunk] = R_TRUNK;
		if (!read_live(c, trunk, buf)) {
			damaged(c, "freelist trunk page past the end of the file");
			break;
		}
		next = cu_rec_be32(buf);
		L = cu_rec_be32(buf + 4);
		if (L > c->usable / 4 - 2) {
			damaged(c, "freelist trunk leaf count out of range");
			L = c->usable / 4 - 2;
		}
		for (i = 0; i < L; i++) {
			uint32_t leaf = cu_rec_be32(buf + 8 + 4 * i);
			if (leaf >= 2 && leaf <= c->total && c->role[leaf] == R_NONE)
				c->role[leaf] = R_FREE;
			else if (leaf)
				damaged(c, "freelist leaf page out of range or in use");
		}
		c->owner[trunk] = L;
		trunk = next;
	}
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Carving passes                                                        */
/* ------------------------------------------------------------------ */

/* An index cell at pg[p] that no live cell pointer names (strict text).
 * Returns its length or 0. */
static size_t index_cell_free(struct ctx *c, const uint8_t *pg, size_t p, size_t lim, bool interior)
{
	size_t len = parse_index_cell(c, pg, p, lim, interior, false), i;

	if (!len || c->r.partial)
		return 0;
	/* found by scanning free bytes: text where declared TEXT, and no
	 * control characters (page bytes read as a record carry them) */
	c->r.strict = true;
	for (i = 0; i < c->r.n; i++)
		if (c->r.st[i] >= 13 && (c->r.st[i] & 1) &&
		    has_control(c->r.vp[i], cu_rec_serial_size(c->r.st[i]), c->enc))
			return 0;
	for (i = 0; i < c->ntables; i++)
		if (c->tables[i].without_rowid && fits(c, &c->tables[i], &c->r) == 2)
			return len;
	return 0;
}

/* The live page pgno (its image in pg): carve by its role. */
static void carve_live_page(struct ctx *c, const uint8_t *pg, uint32_t pgno, struct loc *l)
{
	size_t hdr = pgno == 1 ? 100 : 0;
	bool in_file = l->source != CU_REC_WAL;

	c->st->pages_scanned++;
	switch (c->role[pgno]) {
	case R_LEAF:
		if (pg[hdr] != 0x0d)
			return;
		l->owner = (int)c->owner[pgno];
		carve_leaf_free(c, pg, hdr, l, in_file);
		break;
	case R_INTERIOR: {
		size_t ncells = cu_rec_be16(pg + hdr + 3), content = cu_rec_be16(pg + hdr + 5);
		if (content == 0)
			content = 65536;
		if (in_file)
			l->source = CU_REC_UNALLOCATED;
		if (hdr + 12 + 2 * ncells < c->usable && content <= c->usable)
			carve_region(c, pg, hdr + 12 + 2 * ncells, content, l);
		break;
	}
	case R_TRUNK: {
		size_t L = c->owner[pgno];
		if (in_file)
			l->source = CU_REC_FREELIST;
		l->rebuild = true; /* a former leaf: its freed cells stay past the slots */
		if (8 + 4 * L < c->usable)
			carve_region(c, pg, 8 + 4 * L, c->usable, l);
		break;
	}
	case R_INDEX:
		/* a WITHOUT ROWID table's leaf: whole index cells left in its
		 * gap and freeblocks (a freed cell with its header overwritten
		 * is not rebuilt in this format) */
		if (c->owner[pgno] < c->ntables && c->tables[c->owner[pgno]].without_rowid &&
		    (pg[hdr] == 0x0a || pg[hdr] == 0x02)) {
			/* an interior page's cells are [child][record]: a freed
			 * one's freeblock header overwrote the child pointer only */
			bool in = pg[hdr] == 0x02;
			size_t ncells = cu_rec_be16(pg + hdr + 3), p, len;
			if (in_file)
				l->source = CU_REC_UNALLOCATED;
			for (p = hdr + (in ? 12 : 8) + 2 * ncells;
			     p + 3 < c->usable && !stopped(c);) {
				/* an interior page may keep leaf cells from before
				 * it was split (a root) */
				if ((!in || !(len = index_cell_free(c, pg, p, c->usable, true))) &&
				    (!pg[p] ||
				     !(len = index_cell_free(c, pg, p, c->usable, false)))) {
					p++;
					continue;
				}
				emit(c, l, &c->r);
				p += len;
			}
		}
		break;
	case R_FREE:
		if (in_file)
			l->source = CU_REC_FREELIST;
		carve_image(c, pg, pgno, l, true);
		break;
	case R_NONE:
		if (in_file)
			l->source = CU_REC_UNALLOCATED;
		carve_image(c, pg, pgno, l, true);
		break;
	default: break;
	}
}

/* The frames of one kind (committed, uncommitted, stale). */
static void carve_wal(struct ctx *c, int kind)
{
	uint32_t i;
	uint8_t fh[WAL_FRAME_HDR];

	for (i = 0; i < c->nframes && !stopped(c) && !over_time(c); i++) {
		uint64_t off = wal_frame_off(c, i);
		uint32_t pgno;
		struct loc l = {CU_REC_WAL,          "wal", "deleted", 0,
				off + WAL_FRAME_HDR, i + 1, -1,        false};

		if (c->fkind[i] != kind)
			continue;
		read_at(c->walfd, off, fh, sizeof(fh));
		pgno = cu_rec_be32(fh);
		if (pgno == 0 || pgno > c->total + c->nframes)
			continue;
		read_at(c->walfd, off + WAL_FRAME_HDR, c->pg, c->pgsz);
		l.page = pgno;
		if (c->fkind[i] == F_STALE)
			l.status = "stale";
		else if (c->fkind[i] == F_UNCOMMITTED)
			l.status = "uncommitted";
		if (c->schema_mode) {
			if (pgno == 1 || (pgno <= c->total && c->role[pgno] == R_SCHEMA))
				carve_image(c, c->pg, pgno, &l, false);
			continue;
		}
		if (c->fkind[i] == F_COMMITTED && pgno <= c->total && c->overlay[pgno] == i + 1)
			carve_live_page(c, c->pg, pgno, &l);
		else
			carve_image(c, c->pg, pgno, &l, false);
	}
}

/* Rollback journal: header(s), then [page number][page image][checksum]
 * records; a zeroed header (PERSIST) is read by finding the records. */
static void carve_journal(struct ctx *c)
{
	uint8_t h[28], rh[4];
	uint64_t off = 0, rec = 8 + (uint64_t)c->pgsz;
	uint32_t sector = 512, guard = 0;
	bool have_header;

	if (c->jfd < 0 || c->jsize < 28)
		return;
	read_at(c->jfd, 0, h, sizeof(h));
	have_header = cu_rec_be32(h) == JOURNAL_MAGIC_0 && cu_rec_be32(h + 4) == JOURNAL_MAGIC_1;
	if (have_header) {
		uint32_t s = cu_rec_be32(h + 20), ps = cu_rec_be32(h + 24);
		if (s >= 32 && s <= 65536 && !(s & (s - 1)))
			sector = s;
		if (ps && ps != c->pgsz) {
			damaged(c, "the -journal page size differs from the database's");
			return;
		}
		off = sector;
	} else {
		/* the first record sits after one sector-sized header: try the
		 * sector sizes */
		uint32_t s;
		for (s = 512; s <= 65536; s *= 2) {
			uint32_t pgno;
			if (s + rec > c->jsize)
				break;
			read_at(c->jfd, s, rh, 4);
			pgno = cu_rec_be32(rh);
			if (pgno >= 1 && pgno <= c->total + 1) {
				off = s;
				sector = s;
				break;
			}
		}
		if (!off)
			return;
	}
	while (off + rec <= c->jsize && !stopped(c) && !over_time(c) && guard++ < (1u << 30)) {
		uint32_t pgno;
		struct loc l = {CU_REC_JOURNAL, "journal", "deleted", 0, off + 4, 0, -1, false};

		read_at(c->jfd, off, rh, 4);
		pgno = cu_rec_be32(rh);
		if (pgno == 0 || pgno > c->total + 1) {
			/* padding before the next segment's header: go to the next
			 * sector boundary holding the magic */
			uint64_t next = (off / sector + 1) * sector;
			uint8_t m[8];
			bool found = false;
			while (next + 28 <= c->jsize) {
				read_at(c->jfd, next, m, 8);
				if (cu_rec_be32(m) == JOURNAL_MAGIC_0 &&
				    cu_rec_be32(m + 4) == JOURNAL_MAGIC_1) {
					found = true;
					break;
				}
				if (!all_zero(m, 8))
					break;
				next += sector;
			}
			if (!found)
				break;
			off = next + sector;
			continue;
		}
		read_at(c->jfd, off + 4, c->pg, c->pgsz);
		l.page = pgno;
		if (c->schema_mode) {
			if (pgno == 1 || (pgno <= c->total && c->role[pgno] == R_SCHEMA))
				carve_image(c, c->pg, pgno, &l, false);
		} else {
			carve_image(c, c->pg, pgno, &l, false);
		}
		off += rec;
	}
}

static void carve_db(struct ctx *c)
{
	uint32_t pgno;

	for (pgno = 1; pgno <= c->db_pages && !stopped(c); pgno++) {
		struct loc l = {CU_REC_FREEBLOCK,
				"db",
				"deleted",
				pgno,
				(uint64_t)(pgno - 1) * c->pgsz,
				0,
				-1,
				false};
		if ((pgno & 63) == 0 && over_time(c))
			break;
		if (pgno == c->lockbyte || c->role[pgno] == R_PTRMAP)
			continue;
		if (c->schema_mode) {
			if (c->role[pgno] == R_SCHEMA && !(c->overlay && c->overlay[pgno])) {
				read_at(c->dbfd, l.base, c->pg, c->pgsz);
				carve_leaf_free(c, c->pg, pgno == 1 ? 100 : 0, &l, true);
			} else if (c->overlay && c->overlay[pgno] && c->role[pgno] == R_SCHEMA) {
				read_at(c->dbfd, l.base, c->pg, c->pgsz);
				carve_image(c, c->pg, pgno, &l, false);
			}
			continue;
		}
		read_at(c->dbfd, l.base, c->pg, c->pgsz);
		if (c->overlay && c->overlay[pgno]) {
			/* a committed WAL frame replaced this image */
			l.source = CU_REC_UNALLOCATED;
			carve_image(c, c->pg, pgno, &l, false);
		} else if (pgno > c->npages) {
			l.source = CU_REC_UNALLOCATED;
			carve_image(c, c->pg, pgno, &l, true);
		} else {
			carve_live_page(c, c->pg, pgno, &l);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Entry points                                                          */
/* ------------------------------------------------------------------ */

static int open_ro(const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int open_side(const char *db, const char *given, const char *suffix, uint64_t *size)
{
	char path[4200];

	if (given)
		return given[0] ? open_ro(given, size) : -1;
	if ((size_t)snprintf(path, sizeof(path), "%s%s", db, suffix) >= sizeof(path))
		return -1;
	return open_ro(path, size);
}

static void ctx_release(struct ctx *c)
{
	size_t i;

	if (c->dbfd >= 0)
		close(c->dbfd);
	if (c->walfd >= 0)
		close(c->walfd);
	if (c->jfd >= 0)
		close(c->jfd);
	free(c->fkind);
	free(c->overlay);
	free(c->role);
	free(c->owner);
	free(c->visited);
	free(c->chainmark);
	for (i = 0; i < c->ntables; i++)
		cu_rec_table_release(&c->tables[i]);
	free(c->tables);
	cu_rec_table_release(&c->master);
	c->st->filtered = c->live_full.bloom || c->live_rowid.bloom || c->live_tail.bloom ||
			  c->live_prefix.bloom || c->emit_full.bloom || c->emit_tail.bloom ||
			  c->emit_prefix.bloom;
	cu_rec_set_release(&c->live_full, NULL);
	cu_rec_set_release(&c->live_rowid, NULL);
	cu_rec_set_release(&c->live_tail, NULL);
	cu_rec_set_release(&c->live_prefix, NULL);
	cu_rec_set_release(&c->emit_prefix, NULL);
	cu_rec_set_release(&c->emit_full, NULL);
	cu_rec_set_release(&c->emit_tail, NULL);
	free(c->pg);
	free(c->img);
	cu_buf_release(&c->payload);
	cu_buf_release(&c->arena);
	cu_buf_release(&c->cand);
	free(c->r.st);
	free(c->r.vp);
	free(c->r2.st);
	free(c->r2.vp);
	free(c->r3.st);
	free(c->r3.vp);
	free(c->vals);
}

static enum cu_status run(const char *db_path, const struct cu_rec_opts *opts, const char *table,
			  cu_rec_fn fn, void *ctx, struct cu_rec_stats *stats, struct cu_error *err)
{
	struct ctx *c = cu_calloc(1, sizeof(*c));
	enum cu_status rc = CU_OK;
	size_t i;
	uint8_t h[100];

	if (!c)
		return cu_error_set(err, CU_E_NOMEM, "recovering '%s': out of memory", db_path);
	c->path = db_path;
	c->defopts = opts ? *opts : c->defopts;
	c->opts = &c->defopts;
	c->fn = fn;
	c->fnctx = ctx;
	c->st = stats ? stats : &c->ownstats;
	memset(c->st, 0, sizeof(*c->st));
	c->err = err;
	c->dbfd = c->walfd = c->jfd = -1;
	c->live_only = -1;
	c->budget = c->opts->mem_limit ? c->opts->mem_limit : CU_REC_MEM_LIMIT;
	/* the fingerprint sets: exact while small, then fixed-size filters
	 * (32 MiB in all), so memory does not grow with the file */
	c->live_full.max_bytes = c->live_rowid.max_bytes = c->live_prefix.max_bytes = 4 << 20;
	c->live_tail.max_bytes = 8 << 20;
	c->emit_full.max_bytes = c->emit_tail.max_bytes = c->emit_prefix.max_bytes = 4 << 20;
	c->deadline = mono_ms() + (int64_t)(c->opts->time_limit_ms ? c->opts->time_limit_ms
								   : CU_REC_TIME_LIMIT_MS);
	cu_buf_init(&c->payload, MAX_PAYLOAD + 1);
	cu_buf_init(&c->arena, MAX_PAYLOAD * 4 + 64);
	cu_buf_init(&c->cand, 1 << 20);

	c->dbfd = open_ro(db_path, &c->dbsize);
	if (c->dbfd < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", db_path);
		goto out;
	}
	if ((rc = read_header(c)) != CU_OK)
		goto out;
	c->walfd = open_side(db_path, c->opts->wal_path, "-wal", &c->walsize);
	if (!table)
		c->jfd = open_side(db_path, c->opts->journal_path, "-journal", &c->jsize);
	c->pg = cu_malloc(c->pgsz);
	c->img = cu_malloc(c->pgsz);
	if (!c->pg || !c->img) {
		rc = cu_error_set(err, CU_E_NOMEM, "recovering '%s': out of memory", db_path);
		goto out;
	}
	if ((rc = wal_load(c)) != CU_OK || (rc = alloc_pages(c)) != CU_OK)
		goto out;
	/* page 1 of the live view carries the current freelist */
	if (read_live(c, 1, c->pg)) {
		memcpy(h, c->pg, sizeof(h));
		c->fl_head = cu_rec_be32(h + 32);
		c->fl_count = cu_rec_be32(h + 36);
		c->autovac = cu_rec_be32(h + 52) != 0;
	}
	/* reserved bytes claimed by the header but used by page 1's cells: the
	 * field is bogus (a real reserved area is never written by the b-tree) */
	if (c->usable < c->pgsz && read_live(c, 1, c->pg) && c->pg[100] == 0x0d) {
		size_t ncells = cu_rec_be16(c->pg + 103), content = cu_rec_be16(c->pg + 105), k;
		bool bogus = content >= c->usable && content != 0;
		for (k = 0; k < ncells && 108 + 2 * k + 2 <= c->pgsz && !bogus; k++)
			bogus = cu_rec_be16(c->pg + 108 + 2 * k) >= c->usable;
		if (bogus) {
			damaged(c,
				"the reserved-bytes count in the header overlaps page 1's cells (0 "
				"assumed)");
			c->usable = c->pgsz;
		}
	}
	if ((rc = load_schema(c)) != CU_OK)
		goto out;
	if (table) {
		for (i = 0; i < c->ntables; i++)
			if (strcmp(c->tables[i].name, table) == 0)
				c->live_only = (int)i;
		if (c->live_only < 0) {
			rc = cu_error_set(err, CU_E_NOTFOUND, "no table '%s' in the schema of '%s'",
					  table, db_path);
			goto out;
		}
		c->defopts.live = true;
	}
	for (i = 0; i < c->ntables; i++) {
		if (c->tables[i].ncols > c->maxcols)
			c->maxcols = c->tables[i].ncols;
		if (c->tables[i].without_rowid && !c->tables[i].nomatch)
			c->has_wr = true;
	}
	if (!grow_cols(c, c->maxcols + 8)) {
		rc = cu_error_set(err, CU_E_NOMEM, "recovering '%s': out of memory", db_path);
		goto out;
	}
	/* live b-trees: the schema, then every table, then the indexes */
	walk(c, 1, -1, 0);
	for (i = 0; i < c->ntables && !stopped(c); i++) {
		const struct cu_rec_table *t = &c->tables[i];
		if (t->root >= 2)
			walk(c, t->root, (int)i, 0);
	}
	if (table)
		goto done;
	walk_indexes(c);
	mark_structures(c);

	/* dropped tables from freed schema records */
	c->schema_mode = true;
	carve_db(c);
	for (i = F_COMMITTED; i <= F_STALE && c->nframes; i++)
		carve_wal(c, (int)i);
	carve_journal(c);
	c->schema_mode = false;
	for (i = 0; i < c->ntables; i++)
		if (c->tables[i].ncols > c->maxcols)
			c->maxcols = c->tables[i].ncols;
	if (!grow_cols(c, c->maxcols + 8)) {
		rc = cu_error_set(err, CU_E_NOMEM, "recovering '%s': out of memory", db_path);
		goto out;
	}

	/* a record seen in several places is reported once, from the first:
	 * committed history before uncommitted frames before stale ones */
	for (c->pass = 1; c->pass <= 2 && !stopped(c); c->pass++) {
		if (c->nframes)
			carve_wal(c, F_COMMITTED);
		carve_journal(c);
		carve_db(c);
		if (c->nframes) {
			carve_wal(c, F_UNCOMMITTED);
			carve_wal(c, F_STALE);
		}
	}
done:
	if (c->cb_rc != CU_OK) {
		rc = c->cb_rc;
		goto out;
	}
	if (c->limit_hit)
		rc = cu_error_set(err, CU_E_LIMIT,
				  "recovering '%s': the time bound was reached; the records "
				  "found so far were reported",
				  db_path);
out:
	if (c->warn[0])
		snprintf(c->st->warnings, sizeof(c->st->warnings), "%s", c->warn);
	ctx_release(c);
	free(c);
	return rc;
}

enum cu_status cu_recover_file(const char *db_path, const struct cu_rec_opts *opts, cu_rec_fn fn,
			       void *ctx, struct cu_rec_stats *stats, struct cu_error *err)
{
	if (!db_path || !fn)
		return cu_error_set(err, CU_E_USAGE, "cu_recover_file: no file or callback");
	return run(db_path, opts, NULL, fn, ctx, stats, err);
}

enum cu_status cu_recover_live_table(const char *db_path, const char *table, cu_rec_fn fn,
				     void *ctx, struct cu_rec_stats *stats, struct cu_error *err)
{
	struct cu_rec_opts o;

	if (!db_path || !table || !fn)
		return cu_error_set(err, CU_E_USAGE, "cu_recover_live_table: missing argument");
	memset(&o, 0, sizeof(o));
	o.live = true;
	o.journal_path = "";
	return run(db_path, &o, table, fn, ctx, stats, err);
}
