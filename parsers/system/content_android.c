/*
 * content_android.c - Android content providers as dumped over ADB with
 * `content query` (extract/android/acquire.c) -> messages (app "sms"),
 * (SMS and MMS), calls (app "calls") and contacts (app "contacts"), in the same shape as
 * the parsers of the providers' own databases (mmssms_android.c,
 * calllog_android.c, contacts2_android.c).
 *
 * The acquisition keeps each provider table as raw evidence files under
 * /_adb/content/ (docs/custody.md, "Android acquisition"):
 *   <t>.ids.txt   --projection _id                 (the anchor list)
 *   <t>.txt       --projection _id:<fixed...>:<free text last>
 *   sms.address.txt --projection _id:address       (sms only)
 * all with --sort _id. The text format and how it is split without ever
 * cutting or merging a value: content.h. Columns (AOSP Telephony.Sms,
 * CallLog.Calls, ContactsContract.RawContacts / Data):
 *   sms:          _id thread_id date(ms) type read body
 *   mms:          _id thread_id date(s) msg_box read sub
 *   mms/part:     _id mid seq ct text
 *   calls:        _id date(ms) duration(s) type number
 *   raw_contacts: _id deleted display_name
 *   data:         _id raw_contact_id mimetype data1
 * Fixtures: tests/unit/test_content_query.c (hostile bodies) and the
 * simulated phone's canned outputs (tests/sim/phone/).
 */
#include "parsers/system/content.h"
#include "parsers/system/system.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The text format                                                     */
/* ------------------------------------------------------------------ */

static const char no_result[] = "No result found.";

static bool is_no_result(const char *t, size_t n)
{
	size_t k = sizeof(no_result) - 1;
	return (n == k || (n == k + 1 && t[k] == '\n')) && memcmp(t, no_result, k) == 0;
}

/* Reads an unsigned decimal at t[*i] (no sign, no leading zero but "0"). */
static bool read_index(const char *t, size_t n, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t s = *i;

	if (s >= n || t[s] < '0' || t[s] > '9')
		return false;
	if (t[s] == '0' && s + 1 < n && t[s + 1] >= '0' && t[s + 1] <= '9')
		return false;
	while (s < n && t[s] >= '0' && t[s] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(t[s] - '0');
		s++;
	}
	*i = s;
	*out = v;
	return true;
}

/* A signed decimal (an _id). */
static bool read_id(const char *t, size_t n, size_t *i, int64_t *out)
{
	size_t s = *i;
	bool neg = false;
	uint64_t v;

	if (s < n && t[s] == '-') {
		neg = true;
		s++;
	}
	if (!read_index(t, n, &s, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*i = s;
	return true;
}

static bool lit(const char *t, size_t n, size_t *i, const char *s)
{
	size_t k = strlen(s);
	if (n - *i < k || memcmp(t + *i, s, k) != 0)
		return false;
	*i += k;
	return true;
}

/* The start of one row at pos: "Row: <index> _id=<id>, " then the fixed
 * columns (no ',' nor '\n' in their values) and "<last>=". Fills the
 * index, the id, the fixed values and where the last value starts. */
struct row_start {
	uint64_t index;
	int64_t id;
	size_t vstart[CU_CQ_MAX_COLS], vlen[CU_CQ_MAX_COLS];
	size_t last; /* offset of the last column's value */
};

static bool match_start(const char *t, size_t n, size_t pos, const char *const *cols, size_t ncols,
			struct row_start *rs)
{
	size_t i = pos;

	if (!lit(t, n, &i, "Row: ") || !read_index(t, n, &i, &rs->index) || !lit(t, n, &i, " ") ||
	    !lit(t, n, &i, cols[0]) || !lit(t, n, &i, "="))
		return false;
	rs->vstart[0] = i;
	if (!read_id(t, n, &i, &rs->id))
		return false;
	rs->vlen[0] = i - rs->vstart[0];
	for (size_t k = 1; k < ncols; k++) {
		if (!lit(t, n, &i, ", ") || !lit(t, n, &i, cols[k]) || !lit(t, n, &i, "="))
			return false;
		rs->vstart[k] = i;
		if (k + 1 == ncols)
			break;
		while (i < n && t[i] != ',' && t[i] != '\n')
			i++;
		rs->vlen[k] = i - rs->vstart[k];
	}
	rs->last = rs->vstart[ncols - 1];
	return true;
}

enum cu_status cu_cq_parse_ids(const char *text, size_t n, const char *what, int64_t **ids,
			       size_t *nids, struct cu_error *err)
{
	static const char *const cols[] = {"_id"};
	int64_t *v = NULL;
	size_t cnt = 0, cap = 0, pos = 0, line = 1;

	if (n == 0 || is_no_result(text, n)) {
		*ids = NULL;
		*nids = 0;
		return CU_OK;
	}
	while (pos < n) {
		struct row_start rs;
		size_t i;
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - text) : n;

		memset(&rs, 0, sizeof(rs));
		/* the whole line is exactly "Row: i _id=N" */
		if (!match_start(text, end, pos, cols, 1, &rs) ||
		    rs.vstart[0] + rs.vlen[0] != end || rs.index != cnt) {
			free(v);
			return cu_error_set(
			    err, CU_E_FORMAT,
			    "%s: line %zu is not \"Row: %zu _id=N\": not the output "
			    "of content query --projection _id",
			    what, line, cnt);
		}
		(void)i;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 256;
			int64_t *nv = cu_reallocarray(v, nc, sizeof(*nv));
			if (nv == NULL) {
				free(v);
				return cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = rs.id;
		pos = end + 1;
		line++;
	}
	*ids = v;
	*nids = cnt;
	return CU_OK;
}

struct cand {
	size_t pos;
	uint64_t index;
};

enum cu_status cu_cq_parse(const char *text, size_t n, const char *what, const char *const *cols,
			   size_t ncols, const int64_t *ids, size_t nids, cu_cq_row_fn fn,
			   void *ctx, size_t *ambiguous, struct cu_error *err)
{
	struct cand *c = NULL;
	size_t nc = 0, cap = 0, rows = 0, amb = 0;
	size_t *first = NULL, *chosen = NULL, *count = NULL, *byidx = NULL;
	enum cu_status rc = CU_OK;

	if (ncols < 2 || ncols > CU_CQ_MAX_COLS || strcmp(cols[0], "_id") != 0)
		return cu_error_set(err, CU_E_INTERNAL, "%s: bad projection", what);
	if (n == 0 || is_no_result(text, n)) {
		if (nids > 0)
			return cu_error_set(err, CU_E_FORMAT,
					    "%s: no rows, but the _id list of the same table has "
					    "%zu (the table changed between the queries?)",
					    what, nids);
		if (ambiguous)
			*ambiguous = 0;
		return CU_OK;
	}
	/* Every line start that is a well-formed row start is a candidate. */
	for (size_t pos = 0; pos < n;) {
		struct row_start rs;
		if (match_start(text, n, pos, cols, ncols, &rs) &&
		    (ids == NULL || (rs.index < nids && ids[rs.index] == rs.id))) {
			if (nc == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct cand *nv = cu_reallocarray(c, ncap, sizeof(*nv));
				if (nv == NULL) {
					rc = cu_error_set(err, CU_E_NOMEM, "%s: out of memory",
							  what);
					goto out;
				}
				c = nv;
				cap = ncap;
			}
			c[nc].pos = pos;
			c[nc].index = rs.index;
			nc++;
		}
		const char *nl = memchr(text + pos, '\n', n - pos);
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
	if (nc == 0 || c[0].pos != 0 || c[0].index != 0) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "%s: does not start with \"Row: 0 %s=\": not the output of "
				  "content query --projection %s...",
				  what, cols[0], cols[0]);
		goto out;
	}
	/* How many rows: the id list's, else as long as the indexes run. */
	if (ids != NULL) {
		rows = nids;
	} else {
		bool *seen = cu_calloc(nc + 1, sizeof(*seen));
		if (seen == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
			goto out;
		}
		for (size_t k = 0; k < nc; k++)
			if (c[k].index <= nc)
				seen[c[k].index] = true;
		while (rows <= nc && seen[rows])
			rows++;
		free(seen);
	}
	/* Candidates grouped by index, in text order (counting sort). */
	if ((first = cu_calloc(rows + 1, sizeof(*first))) == NULL ||
	    (count = cu_calloc(rows + 1, sizeof(*count))) == NULL ||
	    (chosen = cu_calloc(rows + 1, sizeof(*chosen))) == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
		goto out;
	}
	if ((byidx = cu_calloc(nc + 1, sizeof(*byidx))) == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
		goto out;
	}
	for (size_t k = 0; k < nc; k++)
		if (c[k].index < rows)
			count[c[k].index]++;
	for (size_t r = 1; r <= rows; r++)
		first[r] = first[r - 1] + count[r - 1];
	memset(count, 0, (rows + 1) * sizeof(*count));
	for (size_t k = 0; k < nc; k++)
		if (c[k].index < rows)
			byidx[first[c[k].index] + count[c[k].index]++] = c[k].pos;
	/* From the end: each row starts at the latest candidate before the
	 * start of the row after it. */
	size_t limit = n + 1;
	for (size_t r = rows; r-- > 0;) {
		size_t found = SIZE_MAX, alternatives = 0;
		for (size_t k = count[r]; k-- > 0;) {
			size_t p = byidx[first[r] + k];
			if (p >= limit)
				continue;
			if (found == SIZE_MAX)
				found = p;
			alternatives++;
		}
		if (r == 0 && found != SIZE_MAX && found != 0) {
			found = 0; /* row 0 starts the text */
		}
		if (found == SIZE_MAX) {
			rc = cu_error_set(err, CU_E_FORMAT,
					  "%s: row %zu%s not found (the output is cut short, or "
					  "the table changed between the queries)",
					  what, r, ids ? " of the _id list" : "");
			if (ids != NULL)
				cu_error_prefix(err, "_id %lld", (long long)ids[r]);
			goto out;
		}
		chosen[r] = found;
		/* the other starts of this row in the text: a value holding a
		 * copy of a row start */
		count[r] = alternatives > 1;
		limit = found;
	}
	for (size_t r = 0; r < rows && rc == CU_OK; r++) {
		struct row_start rs;
		struct cu_cq_row row;
		size_t end = r + 1 < rows ? chosen[r + 1] - 1 : n;

		if (r + 1 == rows && end > 0 && text[end - 1] == '\n')
			end--;
		if (!match_start(text, n, chosen[r], cols, ncols, &rs) || rs.last > end) {
			rc = cu_error_set(err, CU_E_INTERNAL, "%s: row %zu re-read differs", what,
					  r);
			break;
		}
		memset(&row, 0, sizeof(row));
		row.index = (int64_t)r;
		row.id = rs.id;
		row.ambiguous = count[r] != 0;
		for (size_t k = 0; k + 1 < ncols; k++) {
			row.v[k].p = text + rs.vstart[k];
			row.v[k].n = rs.vlen[k];
		}
		row.v[ncols - 1].p = text + rs.last;
		row.v[ncols - 1].n = end - rs.last;
		for (size_t k = 0; k < ncols; k++)
			row.v[k].null = row.v[k].n == 4 && memcmp(row.v[k].p, "NULL", 4) == 0;
		if (row.ambiguous)
			amb++;
		rc = fn(ctx, &row, err);
	}
	/* Text after the last row that the id list does not explain is
	 * part of the last value: nothing is dropped. */
	if (rc == CU_OK && ambiguous)
		*ambiguous = amb;
out:
	free(c);
	free(byidx);
	free(first);
	free(count);
	free(chosen);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading the files                                                   */
/* ------------------------------------------------------------------ */

#define CONTENT_DIR "/_adb/content/"
/* The largest provider dump read (a phone with a million SMS is ~300 MB). */
#define CONTENT_MAX ((size_t)1 << 30)

static enum cu_status read_artifact(const struct cu_artifact *a, struct cu_buf *out,
				    struct cu_error *err)
{
	enum cu_status rc;
	cu_buf_init(out, CONTENT_MAX + 1);
	rc = cu_file_read_all(a->work_path, CONTENT_MAX, out, err);
	if (rc != CU_OK)
		cu_error_prefix(err, "'%s'", a->device_path);
	return rc;
}

struct found_text {
	struct cu_buf text;
	bool found;
	char what[CU_PATH_MAX];
};

static enum cu_status found_cb(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
			       struct cu_error *err)
{
	struct found_text *f = arg;
	(void)ctx;
	if (f->found)
		return CU_OK;
	f->found = true;
	snprintf(f->what, sizeof(f->what), "%s", a->device_path);
	return read_artifact(a, &f->text, err);
}

/* The sibling file CONTENT_DIR name of the same item, read whole; absent
 * is *found = false. */
static enum cu_status read_sibling(struct cu_parse_ctx *ctx, const char *name, struct found_text *f,
				   struct cu_error *err)
{
	char pat[256];
	enum cu_status rc;

	snprintf(pat, sizeof(pat), "%s%s", CONTENT_DIR, name);
	cu_buf_init(&f->text, CONTENT_MAX + 1);
	f->found = false;
	snprintf(f->what, sizeof(f->what), "%s", pat);
	rc = cu_parse_find(ctx, pat, found_cb, f, err);
	if (rc == CU_E_NOTFOUND) {
		cu_error_clear(err);
		return CU_OK;
	}
	return rc;
}

/* The anchors of a table: its .ids.txt sibling, parsed. Without it the
 * rows are split on their own starts (and a warning says so). */
static enum cu_status table_ids(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				const char *table, int64_t **ids, size_t *nids, bool *have,
				struct cu_error *err)
{
	struct found_text f;
	char name[96];
	enum cu_status rc;

	*ids = NULL;
	*nids = 0;
	*have = false;
	snprintf(name, sizeof(name), "%s.ids.txt", table);
	rc = read_sibling(ctx, name, &f, err);
	if (rc == CU_OK && f.found) {
		rc = cu_cq_parse_ids(f.text.data ? f.text.data : "", f.text.len, f.what, ids, nids,
				     err);
		*have = rc == CU_OK;
	} else if (rc == CU_OK) {
		cu_parse_warn(ctx, a,
			      "'%s%s' missing: rows split without the _id list (a value that "
			      "copies a row start could be split)",
			      CONTENT_DIR, name);
	}
	cu_buf_release(&f.text);
	return rc;
}

/* A value as a NUL-terminated string in b (NULL for NULL). */
static const char *val(const struct cu_cq_value *v, struct cu_buf *b, struct cu_error *err,
		       enum cu_status *rc)
{
	cu_buf_reset(b);
	if (v->null)
		return NULL;
	if (*rc == CU_OK)
		*rc = cu_buf_append(b, v->p, v->n, err);
	if (*rc == CU_OK && b->data == NULL)
		*rc = cu_buf_puts(b, "", err);
	return *rc == CU_OK ? b->data : NULL;
}

static int64_t ival(const struct cu_cq_value *v)
{
	char tmp[32];
	int64_t x;
	if (v->null || v->n == 0 || v->n >= sizeof(tmp))
		return CU_UNKNOWN;
	memcpy(tmp, v->p, v->n);
	tmp[v->n] = '\0';
	return cu_parse_i64(tmp, &x) ? x : CU_UNKNOWN;
}

/* id -> text, from a "_id:<text>" query (sorted by _id). */
struct id_text {
	int64_t id;
	char *text;
};
struct id_texts {
	struct id_text *v;
	size_t n, cap;
};

static enum cu_status id_text_row(void *ctx, const struct cu_cq_row *r, struct cu_error *err)
{
	struct id_texts *t = ctx;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct id_text *nv = cu_reallocarray(t->v, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n].id = r->id;
	t->v[t->n].text = r->v[1].null ? NULL : cu_strndup(r->v[1].p, r->v[1].n);
	if (!r->v[1].null && t->v[t->n].text == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	t->n++;
	return CU_OK;
}

static void id_texts_release(struct id_texts *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static const char *id_text_find(const struct id_texts *t, int64_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].id == id)
			return t->v[mid].text;
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The sibling "<table>.<what>.txt" of projection _id:<col> into t. */
static enum cu_status load_id_texts(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				    const char *file, const char *col, const int64_t *ids,
				    size_t nids, bool have_ids, struct id_texts *t,
				    struct cu_error *err)
{
	const char *cols[] = {"_id", col};
	struct found_text f;
	size_t amb = 0;
	enum cu_status rc = read_sibling(ctx, file, &f, err);

	if (rc == CU_OK && !f.found)
		cu_parse_warn(ctx, a, "'%s%s' missing: no %s for these rows", CONTENT_DIR, file,
			      col);
	else if (rc == CU_OK)
		rc = cu_cq_parse(f.text.data, f.text.len, f.what, cols, 2, have_ids ? ids : NULL,
				 nids, id_text_row, t, &amb, err);
	if (rc == CU_OK && amb > 0)
		cu_parse_warn(ctx, a,
			      "'%s': %zu row(s) whose %s holds a copy of a row start: "
			      "split at the latest one",
			      f.what, amb, col);
	cu_buf_release(&f.text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sms                                                                 */
/* ------------------------------------------------------------------ */

enum { SMS_ID, SMS_THREAD, SMS_DATE, SMS_TYPE, SMS_READ, SMS_BODY, SMS_NCOLS };
static const char *const sms_cols[] = {"_id", "thread_id", "date", "type", "read", "body"};

struct sms_run {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	struct id_texts addr;
	struct cu_buf body, rt;
	size_t ambiguous;
};

static const char *sms_status(int64_t type, int64_t read)
{
	switch (type) {
	case 1: return read == 1 ? "read" : read == 0 ? "unread" : NULL;
	case 2: return "sent";
	case 3: return "draft";
	case 4: return "outbox";
	case 5: return "failed";
	case 6: return "queued";
	default: return NULL;
	}
}

static enum cu_status sms_row(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct sms_run *s = arg;
	struct cu_message m;
	struct cu_conversation conv;
	int64_t type = ival(&r->v[SMS_TYPE]), id = CU_UNKNOWN;
	const char *address = id_text_find(&s->addr, r->id);
	enum cu_status rc = CU_OK;
	char raw[24];

	memset(&m, 0, sizeof(m));
	m.app = "sms";
	m.conversation_id = CU_UNKNOWN;
	if (address != NULL && *address) {
		memset(&conv, 0, sizeof(conv));
		conv.app = "sms";
		conv.identifier = address;
		conv.is_group = 0;
		conv.source_id = s->a->source_id;
		if ((rc = cu_sink_conversation(s->ctx, &conv, &m.conversation_id, err)) != CU_OK)
			return rc;
	}
	m.direction = type == 1 ? "incoming" : (type >= 2 && type <= 6) ? "outgoing" : NULL;
	m.sender = type == 1 ? address : NULL;
	m.sent_ms = cu_parse_ms_from_unix_ms(ival(&r->v[SMS_DATE]));
	m.kind = "text";
	/* The content tool prints a NULL body and the text "NULL" alike:
	 * the four letters are kept (a text is never dropped). */
	struct cu_cq_value bv = r->v[SMS_BODY];
	bv.null = false;
	m.body = val(&bv, &s->body, err, &rc);
	m.body_len = m.body ? s->body.len : 0;
	if (type != CU_UNKNOWN) {
		snprintf(raw, sizeof(raw), "%lld", (long long)type);
		m.raw_type = raw;
	}
	m.status = sms_status(type, ival(&r->v[SMS_READ]));
	m.prov = cu_prov_row(s->a, "sms", r->id);
	if (rc != CU_OK)
		return rc;
	if (r->ambiguous) {
		s->ambiguous++;
		cu_parse_warn(s->ctx, s->a,
			      "sms _id %lld: its body holds a copy of the next row's start; kept "
			      "whole (split at the latest row start)",
			      (long long)r->id);
	}
	if ((rc = cu_sink_message(s->ctx, &m, &id, err)) != CU_OK)
		return rc;
	if (type == 1)
		rc = cu_banksms_sink(s->ctx, address, m.body, m.sent_ms, id, &m.prov, err);
	return rc;
}

static enum cu_status parse_sms(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				struct cu_error *err)
{
	struct sms_run s;
	struct cu_buf text;
	int64_t *ids = NULL;
	size_t nids = 0;
	bool have = false;
	enum cu_status rc;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.a = a;
	cu_buf_init(&s.body, 0);
	cu_buf_init(&s.rt, 0);
	cu_buf_init(&text, 0);
	if ((rc = read_artifact(a, &text, err)) != CU_OK ||
	    (rc = table_ids(ctx, a, "sms", &ids, &nids, &have, err)) != CU_OK ||
	    (rc = load_id_texts(ctx, a, "sms.address.txt", "address", ids, nids, have, &s.addr,
				err)) != CU_OK)
		goto out;
	rc = cu_cq_parse(text.data, text.len, a->device_path, sms_cols, SMS_NCOLS,
			 have ? ids : NULL, nids, sms_row, &s, NULL, err);
out:
	free(ids);
	id_texts_release(&s.addr);
	cu_buf_release(&s.body);
	cu_buf_release(&s.rt);
	cu_buf_release(&text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* mms                                                                 */
/* ------------------------------------------------------------------ */

/* pdu: date in seconds, msg_box 1 inbox / 2 sent / 3 drafts / 4 outbox /
 * 5 failed (APPS.md 7.2); part: text/plain parts make the body, smil is
 * layout, the others are attachments (their kind from the first). The
 * addresses (mms/#/addr) are not dumped: no sender, no conversation. */
enum { PDU_ID, PDU_THREAD, PDU_DATE, PDU_BOX, PDU_READ, PDU_SUB, PDU_NCOLS };
static const char *const pdu_cols[] = {"_id", "thread_id", "date", "msg_box", "read", "sub"};
enum { PART_ID, PART_MID, PART_SEQ, PART_CT, PART_TEXT, PART_NCOLS };
static const char *const part_cols[] = {"_id", "mid", "seq", "ct", "text"};

struct part_row {
	int64_t id, mid, seq;
	char *ct, *text;
};
struct mms_run {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	struct part_row *p;
	size_t np, cap, next;
	struct cu_buf body, att;
};

static enum cu_status part_row_cb(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct mms_run *m = arg;
	if (m->np == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct part_row *nv = cu_reallocarray(m->p, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		m->p = nv;
		m->cap = nc;
	}
	struct part_row *p = &m->p[m->np++];
	p->id = r->id;
	p->mid = ival(&r->v[PART_MID]);
	p->seq = ival(&r->v[PART_SEQ]);
	p->ct = r->v[PART_CT].null ? NULL : cu_strndup(r->v[PART_CT].p, r->v[PART_CT].n);
	p->text = r->v[PART_TEXT].null ? NULL : cu_strndup(r->v[PART_TEXT].p, r->v[PART_TEXT].n);
	if ((!r->v[PART_CT].null && p->ct == NULL) || (!r->v[PART_TEXT].null && p->text == NULL))
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	return CU_OK;
}

static int part_cmp(const void *x, const void *y)
{
	const struct part_row *a = x, *b = y;
	if (a->mid != b->mid)
		return a->mid < b->mid ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static const char *kind_for_ct(const char *ct)
{
	if (!ct)
		return "file";
	if (strncmp(ct, "image/", 6) == 0)
		return "image";
	if (strncmp(ct, "video/", 6) == 0)
		return "video";
	if (strncmp(ct, "audio/", 6) == 0)
		return "voice";
	if (strcmp(ct, "text/x-vCard") == 0 || strcmp(ct, "text/vcard") == 0)
		return "contact";
	return "file";
}

static enum cu_status pdu_row_cb(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct mms_run *m = arg;
	struct cu_message msg;
	int64_t box = ival(&r->v[PDU_BOX]);
	const char *kind = "text";
	enum cu_status rc = CU_OK;
	char raw[32];

	cu_buf_reset(&m->body);
	cu_buf_reset(&m->att);
	/* parts sorted by mid; pdus come by _id */
	while (m->next < m->np && m->p[m->next].mid < r->id)
		m->next++;
	for (; rc == CU_OK && m->next < m->np && m->p[m->next].mid == r->id; m->next++) {
		const struct part_row *p = &m->p[m->next];
		if (p->ct && strcmp(p->ct, "application/smil") == 0)
			continue;
		if (p->ct && strcmp(p->ct, "text/plain") == 0) {
			if (p->text && m->body.len)
				rc = cu_buf_putc(&m->body, '\n', err);
			if (rc == CU_OK && p->text)
				rc = cu_buf_puts(&m->body, p->text, err);
		} else {
			if (!strcmp(kind, "text"))
				kind = kind_for_ct(p->ct);
			rc = cu_parse_join_add(&m->att, "\n", p->ct, err);
		}
	}
	if (rc != CU_OK)
		return rc;
	memset(&msg, 0, sizeof(msg));
	msg.app = "sms";
	msg.conversation_id = CU_UNKNOWN;
	msg.direction = box == 1 ? "incoming" : (box >= 2 && box <= 5) ? "outgoing" : NULL;
	msg.sent_ms = cu_parse_ms_from_unix_s(ival(&r->v[PDU_DATE]));
	msg.kind = kind;
	if (m->body.len) {
		msg.body = m->body.data;
		msg.body_len = m->body.len;
	} else if (!r->v[PDU_SUB].null) {
		rc = cu_buf_append(&m->body, r->v[PDU_SUB].p, r->v[PDU_SUB].n, err);
		if (rc == CU_OK && m->body.data == NULL)
			rc = cu_buf_puts(&m->body, "", err);
		msg.body = m->body.data;
		msg.body_len = m->body.len;
	}
	if (rc != CU_OK)
		return rc;
	/* the parts' types stand for the attachments: the dump has no file names */
	msg.attachment = m->att.len ? m->att.data : NULL;
	snprintf(raw, sizeof(raw), "mms/%lld", (long long)(box == CU_UNKNOWN ? -1 : box));
	msg.raw_type = raw;
	msg.status = box == 1 ? (ival(&r->v[PDU_READ]) == 1 ? "read" : "unread") : NULL;
	msg.prov = cu_prov_row(m->a, "pdu", r->id);
	if (r->ambiguous)
		cu_parse_warn(
		    m->ctx, m->a,
		    "mms _id %lld: its subject holds a copy of the next row's start; kept "
		    "whole",
		    (long long)r->id);
	return cu_sink_message(m->ctx, &msg, NULL, err);
}

static enum cu_status parse_mms(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				struct cu_error *err)
{
	struct mms_run m;
	struct found_text parts;
	struct cu_buf text;
	int64_t *ids = NULL, *pids = NULL;
	size_t nids = 0, npids = 0, amb = 0;
	bool have = false, phave = false;
	enum cu_status rc;

	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	m.a = a;
	cu_buf_init(&m.body, 0);
	cu_buf_init(&m.att, 0);
	cu_buf_init(&text, 0);
	cu_buf_init(&parts.text, 0);
	if ((rc = read_artifact(a, &text, err)) != CU_OK ||
	    (rc = table_ids(ctx, a, "mms", &ids, &nids, &have, err)) != CU_OK ||
	    (rc = table_ids(ctx, a, "mms-part", &pids, &npids, &phave, err)) != CU_OK ||
	    (rc = read_sibling(ctx, "mms-part.txt", &parts, err)) != CU_OK)
		goto out;
	if (parts.found)
		rc = cu_cq_parse(parts.text.data, parts.text.len, parts.what, part_cols, PART_NCOLS,
				 phave ? pids : NULL, npids, part_row_cb, &m, &amb, err);
	else
		cu_parse_warn(ctx, a, "'%smms-part.txt' missing: MMS without their parts",
			      CONTENT_DIR);
	if (rc != CU_OK)
		goto out;
	if (amb > 0)
		cu_parse_warn(ctx, a,
			      "%zu MMS part(s) whose text holds a copy of a row start: split at "
			      "the latest one",
			      amb);
	if (m.np > 1)
		qsort(m.p, m.np, sizeof(*m.p), part_cmp);
	rc = cu_cq_parse(text.data, text.len, a->device_path, pdu_cols, PDU_NCOLS,
			 have ? ids : NULL, nids, pdu_row_cb, &m, NULL, err);
out:
	for (size_t i = 0; i < m.np; i++) {
		free(m.p[i].ct);
		free(m.p[i].text);
	}
	free(m.p);
	free(ids);
	free(pids);
	cu_buf_release(&parts.text);
	cu_buf_release(&m.body);
	cu_buf_release(&m.att);
	cu_buf_release(&text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* calls                                                               */
/* ------------------------------------------------------------------ */

enum { CALL_ID, CALL_DATE, CALL_DURATION, CALL_TYPE, CALL_NUMBER, CALL_NCOLS };
static const char *const call_cols[] = {"_id", "date", "duration", "type", "number"};

struct call_run {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	struct cu_buf number;
};

static enum cu_status call_row(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct call_run *cr = arg;
	struct cu_call c;
	struct cu_row_extra x = CU_ROW_EXTRA_INIT;
	int64_t type = ival(&r->v[CALL_TYPE]), dur = ival(&r->v[CALL_DURATION]);
	enum cu_status rc = CU_OK;
	char raw[24];

	memset(&c, 0, sizeof(c));
	c.app = "calls";
	c.counterpart = val(&r->v[CALL_NUMBER], &cr->number, err, &rc);
	if (rc != CU_OK)
		return rc;
	c.started_ms = cu_parse_ms_from_unix_ms(ival(&r->v[CALL_DATE]));
	c.duration_s = dur;
	/* CallLog.Calls.type (APPS.md 7.4), as calllog_android.c reads it */
	switch (type) {
	case 1:
	case 7:
		c.direction = "incoming";
		c.answered = 1;
		break;
	case 2:
		c.direction = "outgoing";
		c.answered = -1; /* the log does not say; never inferred from the duration */
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		c.direction = "incoming";
		c.answered = 0;
		break;
	default: c.direction = NULL; c.answered = -1;
	}
	if (type != CU_UNKNOWN) {
		snprintf(raw, sizeof(raw), "%lld", (long long)type);
		x.raw_type = raw;
	}
	c.prov = cu_prov_row(cr->a, "calls", r->id);
	if (r->ambiguous)
		cu_parse_warn(cr->ctx, cr->a,
			      "calls _id %lld: its number holds a copy of the next row's start; "
			      "kept whole",
			      (long long)r->id);
	return cu_sink_call_x(cr->ctx, &c, &x, NULL, err);
}

static enum cu_status parse_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  struct cu_error *err)
{
	struct call_run cr = {ctx, a, CU_BUF_INIT};
	struct cu_buf text;
	int64_t *ids = NULL;
	size_t nids = 0;
	bool have = false;
	enum cu_status rc;

	cu_buf_init(&text, 0);
	if ((rc = read_artifact(a, &text, err)) == CU_OK &&
	    (rc = table_ids(ctx, a, "calls", &ids, &nids, &have, err)) == CU_OK)
		rc = cu_cq_parse(text.data, text.len, a->device_path, call_cols, CALL_NCOLS,
				 have ? ids : NULL, nids, call_row, &cr, NULL, err);
	free(ids);
	cu_buf_release(&cr.number);
	cu_buf_release(&text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* contacts                                                            */
/* ------------------------------------------------------------------ */

#define MT_PHONE "vnd.android.cursor.item/phone_v2"
#define MT_EMAIL "vnd.android.cursor.item/email_v2"
#define MT_NICK  "vnd.android.cursor.item/nickname"
#define MT_NOTE  "vnd.android.cursor.item/note"
#define MT_NAME  "vnd.android.cursor.item/name"

enum { DATA_ID, DATA_RAW, DATA_MIME, DATA_1, DATA_NCOLS };
static const char *const data_cols[] = {"_id", "raw_contact_id", "mimetype", "data1"};
enum { RAW_ID, RAW_DELETED, RAW_NAME, RAW_NCOLS };
static const char *const raw_cols[] = {"_id", "deleted", "display_name"};

struct data_row {
	int64_t id, raw;
	char *mime, *data1;
};
struct raw_row {
	int64_t id, deleted;
	char *name;
	bool ambiguous;
};
struct contacts_run {
	struct data_row *d;
	size_t nd, capd;
	struct raw_row *r;
	size_t nr, capr;
};

static enum cu_status data_row_cb(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct contacts_run *cr = arg;
	if (cr->nd == cr->capd) {
		size_t nc = cr->capd ? cr->capd * 2 : 256;
		struct data_row *nv = cu_reallocarray(cr->d, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		cr->d = nv;
		cr->capd = nc;
	}
	struct data_row *d = &cr->d[cr->nd++];
	d->id = r->id;
	d->raw = ival(&r->v[DATA_RAW]);
	d->mime = r->v[DATA_MIME].null ? NULL : cu_strndup(r->v[DATA_MIME].p, r->v[DATA_MIME].n);
	d->data1 = r->v[DATA_1].null ? NULL : cu_strndup(r->v[DATA_1].p, r->v[DATA_1].n);
	if ((!r->v[DATA_MIME].null && d->mime == NULL) || (!r->v[DATA_1].null && d->data1 == NULL))
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	return CU_OK;
}

static enum cu_status raw_row_cb(void *arg, const struct cu_cq_row *r, struct cu_error *err)
{
	struct contacts_run *cr = arg;
	if (cr->nr == cr->capr) {
		size_t nc = cr->capr ? cr->capr * 2 : 256;
		struct raw_row *nv = cu_reallocarray(cr->r, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		cr->r = nv;
		cr->capr = nc;
	}
	struct raw_row *w = &cr->r[cr->nr++];
	w->id = r->id;
	w->deleted = ival(&r->v[RAW_DELETED]);
	w->ambiguous = r->ambiguous;
	w->name = r->v[RAW_NAME].null ? NULL : cu_strndup(r->v[RAW_NAME].p, r->v[RAW_NAME].n);
	if (!r->v[RAW_NAME].null && w->name == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	return CU_OK;
}

static int data_cmp(const void *x, const void *y)
{
	const struct data_row *a = x, *b = y;
	if (a->raw != b->raw)
		return a->raw < b->raw ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static enum cu_status parse_contacts(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     struct cu_error *err)
{
	struct contacts_run cr;
	struct found_text raw;
	struct cu_buf text, phones = CU_BUF_INIT, emails = CU_BUF_INIT, first = CU_BUF_INIT,
			    nick = CU_BUF_INIT, note = CU_BUF_INIT, name = CU_BUF_INIT;
	int64_t *ids = NULL, *rids = NULL;
	size_t nids = 0, nrids = 0, amb = 0;
	bool have = false, rhave = false;
	enum cu_status rc;

	memset(&cr, 0, sizeof(cr));
	cu_buf_init(&text, 0);
	cu_buf_init(&raw.text, 0);
	if ((rc = read_artifact(a, &text, err)) != CU_OK ||
	    (rc = table_ids(ctx, a, "data", &ids, &nids, &have, err)) != CU_OK ||
	    (rc = cu_cq_parse(text.data, text.len, a->device_path, data_cols, DATA_NCOLS,
			      have ? ids : NULL, nids, data_row_cb, &cr, &amb, err)) != CU_OK)
		goto out;
	if (amb > 0)
		cu_parse_warn(ctx, a,
			      "%zu data row(s) whose data1 holds a copy of a row start: split at "
			      "the latest one",
			      amb);
	if ((rc = table_ids(ctx, a, "raw_contacts", &rids, &nrids, &rhave, err)) != CU_OK ||
	    (rc = read_sibling(ctx, "raw_contacts.txt", &raw, err)) != CU_OK)
		goto out;
	if (raw.found)
		rc = cu_cq_parse(raw.text.data, raw.text.len, raw.what, raw_cols, RAW_NCOLS,
				 rhave ? rids : NULL, nrids, raw_row_cb, &cr, NULL, err);
	else
		cu_parse_warn(ctx, a, "'%sraw_contacts.txt' missing: contacts from data rows only",
			      CONTENT_DIR);
	if (rc != CU_OK)
		goto out;
	if (cr.nd > 1)
		qsort(cr.d, cr.nd, sizeof(*cr.d), data_cmp);
	/* One contact per raw contact (listed, or named by data rows). */
	size_t di = 0, ri = 0;
	while (rc == CU_OK && (di < cr.nd || ri < cr.nr)) {
		int64_t id;
		struct raw_row *rr = NULL;
		if (ri < cr.nr && (di >= cr.nd || cr.r[ri].id <= cr.d[di].raw))
			id = cr.r[ri].id, rr = &cr.r[ri++];
		else
			id = cr.d[di].raw;
		cu_buf_reset(&phones);
		cu_buf_reset(&emails);
		cu_buf_reset(&first);
		cu_buf_reset(&nick);
		cu_buf_reset(&note);
		cu_buf_reset(&name);
		for (; rc == CU_OK && di < cr.nd && cr.d[di].raw <= id; di++) {
			const struct data_row *d = &cr.d[di];
			if (d->raw != id || d->mime == NULL)
				continue;
			if (strcmp(d->mime, MT_PHONE) == 0) {
				if (!first.len && d->data1)
					rc = cu_buf_puts(&first, d->data1, err);
				if (rc == CU_OK)
					rc = cu_parse_join_add(&phones, ", ", d->data1, err);
			} else if (strcmp(d->mime, MT_EMAIL) == 0) {
				rc = cu_parse_join_add(&emails, ", ", d->data1, err);
			} else if (strcmp(d->mime, MT_NICK) == 0) {
				rc = cu_parse_join_add(&nick, ", ", d->data1, err);
			} else if (strcmp(d->mime, MT_NOTE) == 0) {
				rc = cu_parse_join_add(&note, "\n", d->data1, err);
			} else if (strcmp(d->mime, MT_NAME) == 0 && !name.len && d->data1) {
				rc = cu_buf_puts(&name, d->data1, err);
			}
		}
		if (rc != CU_OK)
			break;
		struct cu_contact c;
		struct cu_row_extra x = CU_ROW_EXTRA_INIT;
		memset(&c, 0, sizeof(c));
		c.app = "contacts";
		c.display_name = rr && rr->name && *rr->name ? rr->name
				 : name.len                  ? name.data
							     : NULL;
		c.identifier = first.len ? first.data : (emails.len ? emails.data : NULL);
		c.phone = phones.len ? phones.data : NULL;
		c.alias = nick.len ? nick.data : NULL;
		c.remark = note.len ? note.data : NULL;
		x.email = emails.len ? emails.data : NULL;
		x.status = rr && rr->deleted == 1 ? "deleted" : NULL;
		c.prov = cu_prov_row(a, "raw_contacts", id);
		if (rr && rr->ambiguous)
			cu_parse_warn(ctx, a,
				      "raw_contacts _id %lld: its display_name holds a copy of the "
				      "next row's start; kept whole",
				      (long long)id);
		rc = cu_sink_contact_x(ctx, &c, &x, NULL, err);
	}
out:
	for (size_t i = 0; i < cr.nd; i++) {
		free(cr.d[i].mime);
		free(cr.d[i].data1);
	}
	for (size_t i = 0; i < cr.nr; i++)
		free(cr.r[i].name);
	free(cr.d);
	free(cr.r);
	free(ids);
	free(rids);
	cu_buf_release(&raw.text);
	cu_buf_release(&text);
	cu_buf_release(&phones);
	cu_buf_release(&emails);
	cu_buf_release(&first);
	cu_buf_release(&nick);
	cu_buf_release(&note);
	cu_buf_release(&name);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The parsers                                                         */
/* ------------------------------------------------------------------ */

/* The file is a content query output (or its "No result found."). */
static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	char head[16];
	FILE *f;
	size_t got;

	(void)ctx;
	if (a->work_path == NULL || (f = fopen(a->work_path, "rb")) == NULL)
		return 10; /* parse() says why it cannot be read */
	got = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (got == 0 || (got >= 5 && memcmp(head, "Row: ", 5) == 0) ||
	    (got >= 9 && memcmp(head, "No result", 9) == 0))
		return 90;
	return 10;
}

static const char *const sms_patterns[] = {CONTENT_DIR "sms.txt", NULL};
static const char *const mms_patterns[] = {CONTENT_DIR "mms.txt", NULL};
static const char *const call_patterns[] = {CONTENT_DIR "calls.txt", NULL};
static const char *const contact_patterns[] = {CONTENT_DIR "data.txt", NULL};

const struct cu_parser cu_parser_content_sms_android = {
    .name = "android-content-sms",
    .app = "sms",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = sms_patterns,
    .probe = probe,
    .parse = parse_sms,
};

const struct cu_parser cu_parser_content_mms_android = {
    .name = "android-content-mms",
    .app = "sms",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = mms_patterns,
    .probe = probe,
    .parse = parse_mms,
};

const struct cu_parser cu_parser_content_calls_android = {
    .name = "android-content-calls",
    .app = "calls",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = call_patterns,
    .probe = probe,
    .parse = parse_calls,
};

const struct cu_parser cu_parser_content_contacts_android = {
    .name = "android-content-contacts",
    .app = "contacts",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = contact_patterns,
    .probe = probe,
    .parse = parse_contacts,
};
