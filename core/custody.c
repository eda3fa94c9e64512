/*
 * custody.c - the hash-chained custody log (CUSTODY.md).
 *
 * One JSON object per line: {"body":{...},"sig":{...}}. The leaf of a line
 * is SHA-256(0x00 || B) over the exact stored bytes B of its body, found by
 * a small scanner (the body is always the first member, so its span runs
 * from the '{' after `{"body":` to the matching '}'); nothing is ever
 * re-serialised to be hashed. body.prev is the hex leaf of the previous
 * entry (64 zeros for seq 0); head = (n, leaf_{n-1}); root = RFC 6962 tree
 * hash of all leaves.
 *
 * Torn lines. The writer emits each line (with its '\n') in one write() on
 * an O_APPEND descriptor and fsyncs, so a crash can leave at most a partial
 * last line. Such a line is never accepted silently: opening reports it,
 * and with `repair` the torn bytes stay where they are, a '\n' ends them,
 * and an ERROR entry whose details.torn_line records the torn line's
 * number, offset, length and SHA-256 follows. A verifier accepts a bad
 * line only when the very next line is such an ERROR entry describing it
 * byte for byte; the torn line is not an entry (no seq, no leaf).
 *
 * Several processes may append to one log (an examiner adding a NOTE while
 * an import runs): every append takes an exclusive flock() and first reads
 * and checks any lines other writers added, so the chain stays linear.
 *
 * Only the body is hashed, so the bytes around it must be exactly what the
 * writer emits ("}" or the fixed ,"sig":{...}} form); anything else fails.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MAX         ((size_t)1 << 30)
#define BODY_PREFIX     "{\"body\":"
#define BODY_PREFIX_LEN 8
#define ZERO_PREV       "0000000000000000000000000000000000000000000000000000000000000000"

struct cu_custody {
	char *path;
	int fd;
	uint64_t size; /* bytes parsed so far (always ends at a line boundary) */
	uint64_t lineno;
	uint64_t n;
	unsigned char head[32];
	unsigned char (*leaves)[32];
	size_t cap;
	/* From the CASE_INIT entry (seq 0), once read: a signed case's key
	 * (every entry must carry its signature) and the default examiner. */
	struct cu_signer *case_key;
	char *case_examiner;
};

/* The key that signs entries appended without an explicit signer (the
 * case key given by --sign-key or CUSTOS_SIGN_KEY); borrowed. */
static const struct cu_signer *default_signer;

void cu_custody_set_default_signer(const struct cu_signer *s)
{
	default_signer = s;
}

const struct cu_signer *cu_custody_default_signer(void)
{
	return default_signer;
}

/* ------------------------------------------------------------------ */
/* Scanning and parsing one line                                       */
/* ------------------------------------------------------------------ */

/*
 * Finds the body span: the line must start with `{"body":{`; the span runs
 * to the matching '}', counting braces outside JSON strings (a string ends
 * at an unescaped '"'; "\\" escapes the next byte). Returns false if the
 * line is cut before the body closes.
 */
static bool scan_body(const char *line, size_t len, size_t *off, size_t *blen)
{
	size_t i = BODY_PREFIX_LEN;
	int depth = 0;
	bool in_str = false;

	if (len <= BODY_PREFIX_LEN || memcmp(line, BODY_PREFIX, BODY_PREFIX_LEN) != 0 ||
	    line[i] != '{')
		return false;
	for (; i < len; i++) {
		char ch = line[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			if (++depth > CU_JSON_MAX_DEPTH * 4)
				return false;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0) {
				*off = BODY_PREFIX_LEN;
				*blen = i + 1 - BODY_PREFIX_LEN;
				return ch == '}';
			}
		}
	}
	return false;
}

struct parsed {
	json_t *root; /* whole line */
	json_t *body;
	size_t body_off, body_len;
	uint64_t seq;
	const char *prev;
	const char *event;
	json_t *sig; /* or NULL */
	unsigned char leaf[32];
};

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool event_name_ok(const char *e)
{
	size_t n = strlen(e);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((e[i] >= 'A' && e[i] <= 'Z') || e[i] == '_' || (e[i] >= '0' && e[i] <= '9')))
			return false;
	return true;
}

/*
 * The bytes after the body must be exactly what the writer emits: "}" or
 * ,"sig":{"alg":"Ed25519","key_id":K,"value":V}} with nothing else. The
 * chain covers only the body, so nothing outside it may vary unnoticed
 * (the signature itself is checked against a key).
 */
static bool canonical_tail(const char *t, size_t n, json_t *sig)
{
	const char *kid, *val;
	char buf[512];
	int k;

	if (sig == NULL)
		return n == 1 && t[0] == '}';
	if (json_object_size(sig) != 3)
		return false;
	kid = json_string_value(json_object_get(sig, "key_id"));
	val = json_string_value(json_object_get(sig, "value"));
	if (kid == NULL || val == NULL || strpbrk(kid, "\"\\") || strpbrk(val, "\"\\") ||
	    !json_is_string(json_object_get(sig, "alg")))
		return false;
	k = snprintf(buf, sizeof(buf),
		     ",\"sig\":{\"alg\":\"%s\",\"key_id\":\"%s\",\"value\":\"%s\"}}",
		     json_string_value(json_object_get(sig, "alg")), kid, val);
	return k > 0 && (size_t)k < sizeof(buf) && (size_t)k == n && memcmp(buf, t, n) == 0;
}

/* Parses one line (without '\n') into p. Failure text goes to why. */
static bool parse_line(const char *line, size_t len, struct parsed *p, char *why, size_t why_n)
{
	json_error_t jerr;
	json_t *v, *actor;
	const char *key;
	json_int_t seq;

	memset(p, 0, sizeof(*p));
	if (len == 0) {
		snprintf(why, why_n, "empty line");
		return false;
	}
	if (!scan_body(line, len, &p->body_off, &p->body_len)) {
		snprintf(why, why_n, "does not start with a complete {\"body\":{...}} member");
		return false;
	}
	p->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (p->root == NULL) {
		snprintf(why, why_n, "not valid JSON at column %d: %.100s", jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(p->root)) {
		snprintf(why, why_n, "not a JSON object");
		goto bad;
	}
	json_object_foreach(p->root, key, v)
	{
		if (strcmp(key, "body") != 0 && strcmp(key, "sig") != 0) {
			snprintf(why, why_n, "unknown member '%s'", key);
			goto bad;
		}
	}
	p->body = json_object_get(p->root, "body");
	p->sig = json_object_get(p->root, "sig");
	if (!json_is_object(p->body)) {
		snprintf(why, why_n, "body is not an object");
		goto bad;
	}
	v = json_object_get(p->body, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		snprintf(why, why_n, "body.v is not 1 (unsupported log version)");
		goto bad;
	}
	v = json_object_get(p->body, "seq");
	seq = json_is_integer(v) ? json_integer_value(v) : -1;
	if (seq < 0) {
		snprintf(why, why_n, "body.seq is not a non-negative integer");
		goto bad;
	}
	p->seq = (uint64_t)seq;
	p->prev = json_string_value(json_object_get(p->body, "prev"));
	if (p->prev == NULL || !is_hex64(p->prev)) {
		snprintf(why, why_n, "body.prev is not 64 lowercase hex digits");
		goto bad;
	}
	if (!json_is_string(json_object_get(p->body, "time"))) {
		snprintf(why, why_n, "body.time missing");
		goto bad;
	}
	p->event = json_string_value(json_object_get(p->body, "event"));
	if (p->event == NULL || !event_name_ok(p->event)) {
		snprintf(why, why_n, "body.event missing or not an event name");
		goto bad;
	}
	actor = json_object_get(p->body, "actor");
	if (!json_is_object(actor) || !json_is_string(json_object_get(actor, "name"))) {
		snprintf(why, why_n, "body.actor.name missing");
		goto bad;
	}
	if (!json_is_object(json_object_get(p->body, "subject")) ||
	    !json_is_object(json_object_get(p->body, "details"))) {
		snprintf(why, why_n, "body.subject or body.details is not an object");
		goto bad;
	}
	if (p->sig != NULL && !json_is_object(p->sig)) {
		snprintf(why, why_n, "sig is not an object");
		goto bad;
	}
	if (!canonical_tail(line + p->body_off + p->body_len, len - p->body_off - p->body_len,
			    p->sig)) {
		snprintf(why, why_n, "bytes after the body are not the writer's exact form");
		goto bad;
	}
	cu_merkle_leaf_hash(line + p->body_off, p->body_len, p->leaf);
	return true;
bad:
	json_decref(p->root);
	p->root = NULL;
	return false;
}

/* ------------------------------------------------------------------ */
/* Walking a log                                                       */
/* ------------------------------------------------------------------ */

typedef enum cu_status (*entry_fn)(const struct cu_custody_entry *e, void *ctx,
				   struct cu_error *err);

struct walk {
	const char *what;
	uint64_t lineno; /* physical lines consumed */
	uint64_t n;
	unsigned char head[32];
	unsigned char (*leaves)[32];
	size_t cap;
	const struct cu_signer *pub;
	uint64_t signed_entries, unverified;
	/* Set by a CASE_INIT entry naming a case key (owned by the walk's
	 * owner: the log, or verify_buf), and its default examiner. */
	struct cu_signer *case_key;
	char *case_examiner;
	entry_fn fn;
	void *fn_ctx;
	/* Set when the walk stops at a torn last line. */
	bool torn;
	uint64_t torn_line;
	size_t torn_off, torn_len;
	bool torn_has_nl;
};

static enum cu_status push_leaf(struct walk *w, const unsigned char leaf[32], struct cu_error *err)
{
	if (w->n >= w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		void *p = cu_reallocarray(w->leaves, cap, 32);
		if (p == NULL)
			return cu_error_set(err, CU_E_NOMEM, "custody log '%s': out of memory",
					    w->what);
		w->leaves = p;
		w->cap = cap;
	}
	memcpy(w->leaves[w->n], leaf, 32);
	memcpy(w->head, leaf, 32);
	w->n++;
	return CU_OK;
}

static enum cu_status check_sig(struct walk *w, const struct parsed *p, const char *line,
				struct cu_error *err)
{
	const char *alg, *key_id, *value;
	struct cu_buf raw = CU_BUF_INIT;
	struct cu_error derr;
	enum cu_status st = CU_OK;

	if (p->sig == NULL)
		return CU_OK;
	w->signed_entries++;
	alg = json_string_value(json_object_get(p->sig, "alg"));
	key_id = json_string_value(json_object_get(p->sig, "key_id"));
	value = json_string_value(json_object_get(p->sig, "value"));
	if (alg == NULL || key_id == NULL || value == NULL || strcmp(alg, "Ed25519") != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu: sig is not an Ed25519 "
				    "{alg, key_id, value} object",
				    w->what, (unsigned long long)w->lineno);
	if (w->pub == NULL || strcmp(key_id, cu_signer_key_id(w->pub)) != 0) {
		w->unverified++;
		return CU_OK;
	}
	cu_error_clear(&derr);
	raw.max = 1024;
	st = cu_base64_decode(value, strlen(value), &raw, &derr);
	if (st == CU_OK)
		st = cu_signer_verify(w->pub, line + p->body_off, p->body_len,
				      (const unsigned char *)raw.data, raw.len, &derr);
	cu_buf_release(&raw);
	/* Only a signature that was checked and failed is tampering; a check
	 * that could not run (no memory, OpenSSL failure) is reported as such. */
	if (st == CU_E_NOMEM || st == CU_E_CRYPTO) {
		*err = derr;
		return cu_error_prefix(
		    err, "custody log '%s': line %llu (seq %llu): signature by %s", w->what,
		    (unsigned long long)w->lineno, (unsigned long long)p->seq, key_id);
	}
	if (st != CU_OK)
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "custody log '%s': line %llu (seq %llu): bad signature by %s",
				  w->what, (unsigned long long)w->lineno,
				  (unsigned long long)p->seq, key_id);
	return st;
}

/*
 * A signed case: the CASE_INIT entry (seq 0) names the case key in
 * details.sign_key_id and holds its raw public key (base64) in
 * details.sign_public_key. From then on every entry, CASE_INIT included,
 * must be signed by that key, and the signature is checked with the
 * recorded key whatever --pubkey says (--pubkey pins which key that is).
 */
static enum cu_status case_settings(struct walk *w, const struct parsed *p, struct cu_error *err)
{
	const json_t *d = json_object_get(p->body, "details");
	const char *kid = json_string_value(json_object_get(d, "sign_key_id"));
	const char *pub = json_string_value(json_object_get(d, "sign_public_key"));
	const char *ex = json_string_value(json_object_get(d, "default_examiner"));
	struct cu_buf raw = CU_BUF_INIT;
	struct cu_error derr;
	enum cu_status st = CU_OK;

	if (p->seq != 0 || strcmp(p->event, "CASE_INIT") != 0)
		return CU_OK;
	if (ex != NULL && w->case_examiner == NULL && (w->case_examiner = cu_strdup(ex)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "custody log '%s': out of memory", w->what);
	if (kid == NULL && pub == NULL)
		return CU_OK;
	cu_error_clear(&derr);
	raw.max = 256;
	if (kid == NULL || pub == NULL ||
	    cu_base64_decode(pub, strlen(pub), &raw, &derr) != CU_OK || raw.len != 32 ||
	    cu_signer_from_raw_public((const unsigned char *)raw.data, &w->case_key, &derr) !=
		CU_OK) {
		st = cu_error_set(
		    err, CU_E_INTEGRITY,
		    "custody log '%s': line %llu: CASE_INIT names a case key but "
		    "details.sign_key_id / sign_public_key are not a usable Ed25519 key",
		    w->what, (unsigned long long)w->lineno);
		goto out;
	}
	if (strcmp(cu_signer_key_id(w->case_key), kid) != 0)
		st = cu_error_set(
		    err, CU_E_INTEGRITY,
		    "custody log '%s': line %llu: CASE_INIT's sign_public_key has key "
		    "id %s, not the recorded sign_key_id %s",
		    w->what, (unsigned long long)w->lineno, cu_signer_key_id(w->case_key), kid);
out:
	cu_buf_release(&raw);
	return st;
}

static enum cu_status check_case_sig(struct walk *w, const struct parsed *p, const char *line,
				     struct cu_error *err)
{
	const char *kid, *value;
	struct cu_buf raw = CU_BUF_INIT;
	struct cu_error derr;
	enum cu_status st;

	if (w->case_key == NULL)
		return CU_OK;
	kid = json_string_value(json_object_get(p->sig, "key_id"));
	value = json_string_value(json_object_get(p->sig, "value"));
	if (p->sig == NULL || kid == NULL || value == NULL)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu (seq %llu, %s) is unsigned, but "
				    "the case is signed with key %s: every entry must carry its "
				    "signature (an entry was added or rewritten without the key)",
				    w->what, (unsigned long long)w->lineno,
				    (unsigned long long)p->seq, p->event,
				    cu_signer_key_id(w->case_key));
	if (strcmp(kid, cu_signer_key_id(w->case_key)) != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu (seq %llu, %s) is signed by %s, "
				    "not by the case key %s",
				    w->what, (unsigned long long)w->lineno,
				    (unsigned long long)p->seq, p->event, kid,
				    cu_signer_key_id(w->case_key));
	cu_error_clear(&derr);
	raw.max = 1024;
	st = cu_base64_decode(value, strlen(value), &raw, &derr);
	if (st == CU_OK)
		st = cu_signer_verify(w->case_key, line + p->body_off, p->body_len,
				      (const unsigned char *)raw.data, raw.len, &derr);
	cu_buf_release(&raw);
	if (st == CU_E_NOMEM || st == CU_E_CRYPTO) {
		*err = derr;
		return cu_error_prefix(err, "custody log '%s': line %llu", w->what,
				       (unsigned long long)w->lineno);
	}
	if (st != CU_OK)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu (seq %llu, %s): bad signature by "
				    "the case key %s",
				    w->what, (unsigned long long)w->lineno,
				    (unsigned long long)p->seq, p->event, kid);
	return CU_OK;
}

/* Does entry p (an ERROR) describe the torn line [t, t+tlen) at line tline? */
static bool records_torn(const struct parsed *p, const char *t, size_t tlen, uint64_t tline)
{
	json_t *tl = json_object_get(json_object_get(p->body, "details"), "torn_line");
	json_t *jl = json_object_get(tl, "length");
	json_t *jn = json_object_get(tl, "line");
	const char *h = json_string_value(json_object_get(tl, "sha256"));
	char hex[65];

	if (strcmp(p->event, "ERROR") != 0 || !json_is_integer(jl) || h == NULL ||
	    json_integer_value(jl) < 0 || (uint64_t)json_integer_value(jl) != tlen)
		return false;
	if (jn != NULL && (!json_is_integer(jn) || json_integer_value(jn) < 0 ||
			   (uint64_t)json_integer_value(jn) != tline))
		return false;
	cu_sha256_hex(t, tlen, hex);
	return strcmp(hex, h) == 0;
}

/* Is the line starting at data[next] an ERROR entry recording the line
 * [t, t+tlen) (physical line tline) as torn? Cheap unless it mentions
 * "torn_line". */
static bool next_records_torn(const char *data, size_t n, size_t next, const char *t, size_t tlen,
			      uint64_t tline)
{
	const char *line = data + next, *nl;
	size_t len;
	struct parsed p;
	char why[160];
	bool yes;

	if (next >= n)
		return false;
	nl = memchr(line, '\n', n - next);
	len = nl ? (size_t)(nl - line) : n - next;
	if (memmem(line, len, "\"torn_line\":", 12) == NULL)
		return false;
	if (!parse_line(line, len, &p, why, sizeof(why)))
		return false;
	yes = records_torn(&p, t, tlen, tline);
	json_decref(p.root);
	return yes;
}

/*
 * Walks data[0..n) (starting at a line boundary, physical line w->lineno+1,
 * file offset base). Stops with CU_E_INTEGRITY at the first problem, naming
 * the line; a torn last line also sets w->torn and its position.
 */
static enum cu_status walk_chunk(struct walk *w, const char *data, size_t n, uint64_t base,
				 struct cu_error *err)
{
	size_t pos = 0;
	bool pending = false;
	size_t p_off = 0, p_len = 0;
	uint64_t p_line = 0;
	char p_why[160] = "";
	enum cu_status st = CU_OK;

	while (pos < n) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - line) : n - pos;
		bool last = nl == NULL || pos + len + 1 == n;
		struct parsed p;
		char why[160];
		bool good;
		char prevhex[65];

		w->lineno++;
		good = parse_line(line, len, &p, why, sizeof(why));
		if (good && nl == NULL) {
			json_decref(p.root);
			good = false;
			snprintf(why, sizeof(why), "no newline at the end");
		}
		if (!good) {
			if (pending)
				return cu_error_set(err, CU_E_INTEGRITY,
						    "custody log '%s': line %llu: %s (after the "
						    "bad line %llu)",
						    w->what, (unsigned long long)w->lineno, why,
						    (unsigned long long)p_line);
			if (last) {
				w->torn = true;
				w->torn_line = w->lineno;
				w->torn_off = (size_t)base + pos;
				w->torn_len = len;
				w->torn_has_nl = nl != NULL;
				return cu_error_set(
				    err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu is torn (%s; %zu bytes, an "
				    "interrupted write?): it is kept as evidence; to record it in an "
				    "ERROR entry and go on, run 'custos custody add --repair --action "
				    "NOTE --actor NAME --note WHY'",
				    w->what, (unsigned long long)w->lineno, why, len);
			}
			pending = true;
			p_off = pos;
			p_len = len;
			p_line = w->lineno;
			snprintf(p_why, sizeof(p_why), "%s", why);
			pos += len + 1;
			continue;
		}
		if (!pending && !last &&
		    next_records_torn(data, n, pos + len + 1, line, len, w->lineno)) {
			/* A complete line that lost only its '\n' (short write) and
			 * was then repaired: it is a torn line, not an entry. */
			json_decref(p.root);
			pending = true;
			p_off = pos;
			p_len = len;
			p_line = w->lineno;
			snprintf(p_why, sizeof(p_why), "recorded as torn");
			pos += len + 1;
			continue;
		}
		if (pending) {
			if (!records_torn(&p, data + p_off, p_len, p_line)) {
				json_decref(p.root);
				return cu_error_set(
				    err, CU_E_INTEGRITY,
				    "custody log '%s': line %llu: %s, and line %llu "
				    "is not an ERROR entry recording it",
				    w->what, (unsigned long long)p_line, p_why,
				    (unsigned long long)w->lineno);
			}
			pending = false;
		}
		if (p.seq != w->n) {
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "custody log '%s': line %llu: seq is %llu, expected %llu "
					  "(an entry was removed, inserted or reordered)",
					  w->what, (unsigned long long)w->lineno,
					  (unsigned long long)p.seq, (unsigned long long)w->n);
			goto bad;
		}
		if (w->n == 0)
			memcpy(prevhex, ZERO_PREV, 65);
		else
			cu_hex(w->head, 32, prevhex);
		if (strcmp(p.prev, prevhex) != 0) {
			st =
			    cu_error_set(err, CU_E_INTEGRITY,
					 "custody log '%s': line %llu (seq %llu): prev %s does not "
					 "match the previous entry's leaf %s",
					 w->what, (unsigned long long)w->lineno,
					 (unsigned long long)p.seq, p.prev, prevhex);
			goto bad;
		}
		if ((st = check_sig(w, &p, line, err)) != CU_OK)
			goto bad;
		if ((st = case_settings(w, &p, err)) != CU_OK ||
		    (st = check_case_sig(w, &p, line, err)) != CU_OK)
			goto bad;
		if (w->fn != NULL) {
			struct cu_custody_entry e = {
			    .seq = p.seq,
			    .line = line,
			    .line_len = len,
			    .body = line + p.body_off,
			    .body_len = p.body_len,
			    .json = p.root,
			};
			memcpy(e.leaf, p.leaf, 32);
			if ((st = w->fn(&e, w->fn_ctx, err)) != CU_OK)
				goto bad;
		}
		if ((st = push_leaf(w, p.leaf, err)) != CU_OK)
			goto bad;
		json_decref(p.root);
		pos += len + 1;
		continue;
	bad:
		json_decref(p.root);
		return st;
	}
	if (pending)
		CU_BUG("pending torn line at end of walk");
	return CU_OK;
}

static void walk_release(struct walk *w)
{
	free(w->leaves);
	w->leaves = NULL;
	cu_signer_free(w->case_key);
	w->case_key = NULL;
	free(w->case_examiner);
	w->case_examiner = NULL;
}

/* ------------------------------------------------------------------ */
/* Verify and iterate (in memory)                                      */
/* ------------------------------------------------------------------ */

static enum cu_status verify_buf(const char *data, size_t n, const char *what,
				 const char *pubkey_pem_path, entry_fn fn, void *ctx,
				 struct cu_custody_check *out, struct cu_error *err)
{
	struct walk w = {.what = what ? what : "log"};
	struct cu_signer *pub = NULL;
	struct cu_custody_check chk;
	enum cu_status st;

	if (pubkey_pem_path != NULL &&
	    (st = cu_signer_load_public(pubkey_pem_path, &pub, err)) != CU_OK)
		return st;
	w.pub = pub;
	w.fn = fn;
	w.fn_ctx = ctx;
	if ((st = walk_chunk(&w, data, n, 0, err)) != CU_OK)
		goto out;
	memset(&chk, 0, sizeof(chk));
	chk.entries = w.n;
	memcpy(chk.head, w.head, 32);
	if ((st = cu_merkle_root((const unsigned char(*)[32])w.leaves, (size_t)w.n, chk.root,
				 err)) != CU_OK)
		goto out;
	chk.signed_entries = w.signed_entries;
	chk.unverified_signatures = w.unverified;
	chk.bad_signatures = 0;
	if (w.case_key != NULL)
		snprintf(chk.case_key_id, sizeof(chk.case_key_id), "%s",
			 cu_signer_key_id(w.case_key));
	if (out != NULL)
		*out = chk;
out:
	walk_release(&w);
	cu_signer_free(pub);
	return st;
}

enum cu_status cu_custody_verify_buf(const char *data, size_t n, const char *what,
				     const char *pubkey_pem_path, struct cu_custody_check *out,
				     struct cu_error *err)
{
	return verify_buf(data, n, what, pubkey_pem_path, NULL, NULL, out, err);
}

enum cu_status cu_custody_each_buf(const char *data, size_t n, const char *what,
				   const char *pubkey_pem_path, cu_custody_entry_fn fn, void *ctx,
				   struct cu_custody_check *out, struct cu_error *err)
{
	return verify_buf(data, n, what, pubkey_pem_path, fn, ctx, out, err);
}

struct prefix_leaves {
	unsigned char (*v)[32];
	size_t n, cap;
};

static enum cu_status keep_leaf(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct prefix_leaves *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = cu_reallocarray(l->v, cap, 32);
		if (p == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		l->v = p;
		l->cap = cap;
	}
	memcpy(l->v[l->n++], e->leaf, 32);
	return CU_OK;
}

enum cu_status cu_custody_check_prefix(const char *data, size_t n, const char *what, uint64_t size,
				       const char *head_hex, const char *root_hex,
				       struct cu_error *err)
{
	struct prefix_leaves l = {0};
	enum cu_status st;
	unsigned char r[32];
	char hex[65];

	if (what == NULL)
		what = "log";
	if (size == 0 || head_hex == NULL || root_hex == NULL)
		return cu_error_set(err, CU_E_USAGE,
				    "custody prefix check of '%s': no size, "
				    "head and root given",
				    what);
	if ((st = verify_buf(data, n, what, NULL, keep_leaf, &l, NULL, err)) != CU_OK)
		goto out;
	if ((uint64_t)l.n < size) {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "custody log '%s' has %zu entries, fewer than the %llu recorded "
				  "(truncated)",
				  what, l.n, (unsigned long long)size);
		goto out;
	}
	cu_hex(l.v[size - 1], 32, hex);
	if (strcmp(hex, head_hex) != 0) {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "custody log '%s': entry %llu has leaf %s, but the recorded head "
				  "is %s",
				  what, (unsigned long long)(size - 1), hex, head_hex);
		goto out;
	}
	if ((st = cu_merkle_root((const unsigned char(*)[32])l.v, (size_t)size, r, err)) != CU_OK)
		goto out;
	cu_hex(r, 32, hex);
	if (strcmp(hex, root_hex) != 0)
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "custody log '%s': root of the first %llu entries is %s, but the "
				  "recorded root is %s",
				  what, (unsigned long long)size, hex, root_hex);
out:
	free(l.v);
	return st;
}

enum cu_status cu_custody_verify_file(const char *path, const char *pubkey_pem_path,
				      struct cu_custody_check *out, struct cu_error *err)
{
	struct cu_buf data = CU_BUF_INIT;
	enum cu_status st;

	cu_buf_init(&data, LOG_MAX);
	if ((st = cu_file_read_all(path, LOG_MAX, &data, err)) != CU_OK) {
		cu_error_prefix(err, "custody log");
		goto out;
	}
	st = cu_custody_verify_buf(data.data ? data.data : "", data.len, path, pubkey_pem_path, out,
				   err);
out:
	cu_buf_release(&data);
	return st;
}

/* ------------------------------------------------------------------ */
/* The appendable log                                                  */
/* ------------------------------------------------------------------ */

/* Reads [off, end of file) of the log. */
static enum cu_status read_tail(struct cu_custody *c, uint64_t off, struct cu_buf *out,
				struct cu_error *err)
{
	struct stat sb;
	size_t want, got = 0;

	if (fstat(c->fd, &sb) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot stat custody log '%s'", c->path);
	if ((uint64_t)sb.st_size < off)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "custody log '%s' shrank from %llu to %lld bytes: it was "
				    "truncated by someone else",
				    c->path, (unsigned long long)off, (long long)sb.st_size);
	if ((uint64_t)sb.st_size - off > LOG_MAX)
		return cu_error_set(err, CU_E_LIMIT, "custody log '%s' is larger than %zu bytes",
				    c->path, LOG_MAX);
	want = (size_t)((uint64_t)sb.st_size - off);
	cu_buf_reset(out);
	if (cu_buf_grow(out, want + 1, err) != CU_OK)
		return cu_error_prefix(err, "custody log '%s'", c->path);
	while (got < want) {
		ssize_t r = pread(c->fd, out->data + got, want - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cu_error_errno(err, CU_E_IO, errno, "cannot read custody log '%s'",
					      c->path);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	out->len = got;
	out->data[got] = '\0';
	return CU_OK;
}

struct torn_info {
	bool torn;
	uint64_t line;
	uint64_t off;
	size_t len;
	bool has_nl;
	char sha256[65];
};

/*
 * Parses what other writers (or an earlier run) added since we last looked.
 * With `torn` non-NULL a torn last line is described there instead of
 * failing; the entries before it are kept.
 */
static enum cu_status catch_up(struct cu_custody *c, struct torn_info *torn, struct cu_error *err)
{
	struct cu_buf data = CU_BUF_INIT;
	struct walk w = {.what = c->path};
	enum cu_status st;

	cu_buf_init(&data, LOG_MAX + 1);
	if ((st = read_tail(c, c->size, &data, err)) != CU_OK)
		goto out;
	if (data.len == 0)
		goto out;
	w.lineno = c->lineno;
	w.n = c->n;
	memcpy(w.head, c->head, 32);
	w.leaves = c->leaves;
	w.cap = c->cap;
	w.case_key = c->case_key;
	w.case_examiner = c->case_examiner;
	st = walk_chunk(&w, data.data, data.len, c->size, err);
	c->leaves = w.leaves; /* may have been reallocated */
	c->cap = w.cap;
	c->case_key = w.case_key; /* read from CASE_INIT on the first walk */
	c->case_examiner = w.case_examiner;
	if (st == CU_OK) {
		c->n = w.n;
		memcpy(c->head, w.head, 32);
		c->lineno = w.lineno;
		c->size += data.len;
	} else if (w.torn && torn != NULL) {
		size_t rel = (size_t)(w.torn_off - c->size);
		c->n = w.n;
		memcpy(c->head, w.head, 32);
		c->lineno = w.torn_line; /* the torn line is consumed by the repair */
		c->size += data.len;
		torn->torn = true;
		torn->line = w.torn_line;
		torn->off = w.torn_off;
		torn->len = w.torn_len;
		torn->has_nl = w.torn_has_nl;
		cu_sha256_hex(data.data + rel, w.torn_len, torn->sha256);
		st = CU_OK;
	}
out:
	cu_buf_release(&data);
	return st;
}

/* Checks a caller's serialised JSON object and adds it to j. Objects
 * containing raw line breaks (pretty-printed) are re-serialised compactly:
 * a log line must stay one line. */
static enum cu_status put_object(struct cu_json *j, const char *what, const char *json,
				 struct cu_error *err)
{
	json_error_t jerr;
	json_t *v;

	if (json == NULL) {
		cu_json_obj_begin(j);
		cu_json_obj_end(j);
		return CU_OK;
	}
	v = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL || !json_is_object(v)) {
		json_decref(v);
		return cu_error_set(err, CU_E_INTERNAL, "custody entry %s is not a JSON object: %s",
				    what, v == NULL ? jerr.text : "wrong type");
	}
	if (strpbrk(json, "\r\n") != NULL)
		cu_json_jansson(j, v);
	else
		cu_json_raw(j, json, strlen(json));
	json_decref(v);
	return CU_OK;
}

static enum cu_status build_line(const struct cu_custody *c, const char *event,
				 const struct cu_actor *actor, const char *subject_json,
				 const char *details_json, const struct cu_signer *signer,
				 struct cu_buf *line, struct cu_error *err)
{
	struct cu_buf body = CU_BUF_INIT, b64 = CU_BUF_INIT;
	struct cu_json j;
	char prevhex[65], when[CU_TIME_STR];
	unsigned char sig[64];
	enum cu_status st;
	size_t start = line->len;

	if (c->n == 0)
		memcpy(prevhex, ZERO_PREV, 65);
	else
		cu_hex(c->head, 32, prevhex);
	if (!cu_time_format_ms(cu_time_now_ms(), when)) {
		st = cu_error_set(err, CU_E_INTERNAL, "the system clock is out of range");
		goto out;
	}
	cu_json_init(&j, &body);
	cu_json_obj_begin(&j);
	cu_json_kv_int(&j, "v", 1);
	cu_json_key(&j, "seq");
	cu_json_uint(&j, c->n);
	cu_json_kv_str(&j, "prev", prevhex);
	cu_json_kv_str(&j, "time", when);
	cu_json_kv_str(&j, "event", event);
	cu_json_key(&j, "actor");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "name", actor->name);
	cu_json_kv_str(&j, "id", actor->id);
	cu_json_kv_str(&j, "role", actor->role);
	cu_json_obj_end(&j);
	cu_json_key(&j, "subject");
	if ((st = put_object(&j, "subject", subject_json, err)) != CU_OK)
		goto out;
	cu_json_key(&j, "details");
	if ((st = put_object(&j, "details", details_json, err)) != CU_OK)
		goto out;
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	if (j.replaced > 0) {
		/* A custody entry records names exactly or not at all. */
		st = cu_error_set(err, CU_E_USAGE,
				  "custody entry %s: the actor's name, id or role is not valid "
				  "UTF-8 (check the terminal's encoding)",
				  event);
		goto out;
	}

	cu_json_init(&j, line);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "body");
	cu_json_raw(&j, body.data, body.len);
	if (signer != NULL) {
		if ((st = cu_signer_sign(signer, body.data, body.len, sig, err)) != CU_OK)
			goto out;
		if ((st = cu_base64_encode(sig, sizeof(sig), &b64, err)) != CU_OK)
			goto out;
		cu_json_key(&j, "sig");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "alg", "Ed25519");
		cu_json_kv_str(&j, "key_id", cu_signer_key_id(signer));
		cu_json_kv_str(&j, "value", b64.data);
		cu_json_obj_end(&j);
	}
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	st = cu_buf_putc(line, '\n', err);
	/* The writer's own output must scan back to the same body span. */
	if (st == CU_OK) {
		size_t off, blen;
		if (!scan_body(line->data + start, line->len - start - 1, &off, &blen) ||
		    blen != body.len || memcmp(line->data + start + off, body.data, blen) != 0)
			CU_BUG("custody line does not scan back to its body");
	}
out:
	cu_buf_release(&body);
	cu_buf_release(&b64);
	return st;
}

static enum cu_status lock_log(struct cu_custody *c, struct cu_error *err)
{
	while (flock(c->fd, LOCK_EX) != 0) {
		if (errno != EINTR)
			return cu_error_errno(err, CU_E_IO, errno, "cannot lock custody log '%s'",
					      c->path);
	}
	return CU_OK;
}

static void unlock_log(struct cu_custody *c)
{
	(void)flock(c->fd, LOCK_UN);
}

/* Appends one entry; the log is locked and caught up by the caller.
 * `lead_newline` ends a torn line first, in the same write(). */
static enum cu_status append_locked(struct cu_custody *c, const char *event,
				    const struct cu_actor *actor, const char *subject_json,
				    const char *details_json, const struct cu_signer *signer,
				    bool lead_newline, struct cu_error *err)
{
	struct cu_buf line = CU_BUF_INIT;
	enum cu_status st;
	struct stat sb;
	ssize_t w;
	size_t start;
	unsigned char leaf[32];

	if (event == NULL || !event_name_ok(event))
		return cu_error_set(err, CU_E_USAGE,
				    "custody event '%s' is not an event name (A-Z, 0-9, _)",
				    event ? event : "(null)");
	if (signer == NULL)
		signer = default_signer;
	if (c->case_key != NULL && signer == NULL)
		return cu_error_set(
		    err, CU_E_KEY,
		    "custody log '%s' belongs to a signed case (key %s): every entry "
		    "must be signed, and no key was given; nothing was recorded. Give "
		    "the case's private key with --sign-key KEY.pem or "
		    "CUSTOS_SIGN_KEY=KEY.pem",
		    c->path, cu_signer_key_id(c->case_key));
	if (c->case_key != NULL &&
	    strcmp(cu_signer_key_id(signer), cu_signer_key_id(c->case_key)) != 0)
		return cu_error_set(
		    err, CU_E_KEY,
		    "custody log '%s' belongs to a case signed with key %s, but the "
		    "key given is %s; nothing was recorded. Give the case's private "
		    "key with --sign-key KEY.pem or CUSTOS_SIGN_KEY=KEY.pem",
		    c->path, cu_signer_key_id(c->case_key), cu_signer_key_id(signer));
	if (actor == NULL || actor->name == NULL || actor->name[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "custody entry %s has no actor name", event);
	/* Room for the new leaf first: once the line is written, nothing may
	 * fail that would report an entry as not appended. */
	if (c->n >= c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *p = cu_reallocarray(c->leaves, cap, 32);
		if (p == NULL)
			return cu_error_set(err, CU_E_NOMEM, "custody log '%s': out of memory",
					    c->path);
		c->leaves = p;
		c->cap = cap;
	}
	if (lead_newline && (st = cu_buf_putc(&line, '\n', err)) != CU_OK)
		goto out;
	start = line.len;
	if ((st = build_line(c, event, actor, subject_json, details_json, signer, &line, err)) !=
	    CU_OK)
		goto out;
	if (fstat(c->fd, &sb) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot stat custody log '%s'", c->path);
		goto out;
	}
	/* One write() of the whole line on an O_APPEND descriptor: a crash
	 * leaves either nothing or a prefix of this line. */
	do {
		w = write(c->fd, line.data, line.len);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot append to custody log '%s'",
				    c->path);
		goto out;
	}
	if ((size_t)w < line.len && (st = cu_write_all(c->fd, line.data + w, line.len - (size_t)w,
						       c->path, err)) != CU_OK) {
		cu_error_prefix(err, "custody log torn by a short write");
		goto out;
	}
	if (fsync(c->fd) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync custody log '%s'", c->path);
		goto out;
	}
	/* Record the new leaf (reuse the walk's growth logic). */
	{
		size_t off, blen;
		if (!scan_body(line.data + start, line.len - start - 1, &off, &blen))
			CU_BUG("custody line scan");
		cu_merkle_leaf_hash(line.data + start + off, blen, leaf);
	}
	memcpy(c->leaves[c->n], leaf, 32);
	c->n++;
	memcpy(c->head, leaf, 32);
	c->lineno++;
	c->size = (uint64_t)sb.st_size + line.len;
out:
	cu_buf_release(&line);
	return st;
}

/* Records a torn line found at the end of the log: ERROR entry with the
 * torn bytes' position, length and digest (the bytes themselves stay). */
static enum cu_status repair_torn(struct cu_custody *c, const struct torn_info *t,
				  struct cu_error *err)
{
	struct cu_buf details = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	cu_json_init(&j, &details);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "reason", "torn last line (interrupted write); bytes kept in place");
	cu_json_key(&j, "torn_line");
	cu_json_obj_begin(&j);
	cu_json_key(&j, "line");
	cu_json_uint(&j, t->line);
	cu_json_key(&j, "offset");
	cu_json_uint(&j, t->off);
	cu_json_key(&j, "length");
	cu_json_uint(&j, t->len);
	cu_json_kv_str(&j, "sha256", t->sha256);
	cu_json_obj_end(&j);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	cu_warn("custody log '%s': line %llu is torn (%zu bytes); recording it in an ERROR entry",
		c->path, (unsigned long long)t->line, t->len);
	st = append_locked(c, "ERROR", cu_case_default_actor(), NULL, details.data, NULL,
			   !t->has_nl, err);
out:
	cu_buf_release(&details);
	return st;
}

enum cu_status cu_custody_open(const char *path, bool create, bool repair, struct cu_custody **out,
			       struct cu_error *err)
{
	struct cu_custody *c = NULL;
	struct torn_info torn = {0};
	enum cu_status st;
	bool locked = false, created = false;
	int flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;

	if (path == NULL)
		return cu_error_set(err, CU_E_USAGE, "no custody log path given");
	c = cu_calloc(1, sizeof(*c));
	if (c == NULL || (c->path = cu_strdup(path)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory opening custody log '%s'", path);
		goto fail;
	}
	c->fd = open(path, flags);
	if (c->fd < 0 && errno == ENOENT && create) {
		c->fd = open(path, flags | O_CREAT | O_EXCL, 0644);
		created = c->fd >= 0;
		if (c->fd < 0 && errno == EEXIST)
			c->fd = open(path, flags);
	}
	if (c->fd < 0) {
		st = cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				    "cannot open custody log '%s'", path);
		goto fail;
	}
	if (created) {
		struct cu_buf dir = CU_BUF_INIT;
		const char *slash = strrchr(path, '/');
		st = cu_buf_append(&dir, path, slash ? (size_t)(slash - path) : 1, err);
		if (st == CU_OK)
			st = cu_fsync_dir(slash ? (slash == path ? "/" : dir.data) : ".", err);
		cu_buf_release(&dir);
		if (st != CU_OK)
			goto fail;
	}
	if ((st = lock_log(c, err)) != CU_OK)
		goto fail;
	locked = true;
	if ((st = catch_up(c, repair ? &torn : NULL, err)) != CU_OK)
		goto fail;
	if (torn.torn && (st = repair_torn(c, &torn, err)) != CU_OK)
		goto fail;
	unlock_log(c);
	*out = c;
	return CU_OK;
fail:
	if (locked)
		unlock_log(c);
	cu_custody_close(c);
	return st;
}

void cu_custody_close(struct cu_custody *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->leaves);
	free(c->path);
	cu_signer_free(c->case_key);
	free(c->case_examiner);
	free(c);
}

enum cu_status cu_custody_append(struct cu_custody *c, const char *event,
				 const struct cu_actor *actor, const char *subject_json,
				 const char *details_json, const struct cu_signer *signer,
				 struct cu_error *err)
{
	enum cu_status st;

	if (c == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "custody append on a closed log");
	if ((st = lock_log(c, err)) != CU_OK)
		return st;
	/* Another process may have appended since: check and chain onto it. */
	st = catch_up(c, NULL, err);
	if (st == CU_OK)
		st = append_locked(c, event, actor, subject_json, details_json, signer, false, err);
	unlock_log(c);
	return st;
}

uint64_t cu_custody_size(const struct cu_custody *c)
{
	return c->n;
}

uint64_t cu_custody_bytes(const struct cu_custody *c)
{
	return c->size;
}

void cu_custody_head(const struct cu_custody *c, unsigned char head[32])
{
	if (c->n == 0)
		memset(head, 0, 32);
	else
		memcpy(head, c->head, 32);
}

enum cu_status cu_custody_root(const struct cu_custody *c, unsigned char root[32],
			       struct cu_error *err)
{
	return cu_merkle_root((const unsigned char(*)[32])c->leaves, (size_t)c->n, root, err);
}

const char *cu_custody_path(const struct cu_custody *c)
{
	return c->path;
}

const char *cu_custody_case_key_id(const struct cu_custody *c)
{
	return c->case_key != NULL ? cu_signer_key_id(c->case_key) : NULL;
}

const char *cu_custody_case_examiner(const struct cu_custody *c)
{
	return c->case_examiner;
}
