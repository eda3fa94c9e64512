/*
 * seal_int.h - private helpers shared by the seal/verify files of report/
 * (seal.c, sealutil.c, caseuco.c, verifytext.c, verify.c). Not a public
 * header: other folders use report/report.h.
 */
#ifndef CUSTOS_SEAL_INT_H
#define CUSTOS_SEAL_INT_H

#include "report/report.h"

/* Fixed names inside every package (PACKAGE.md). */
#define CU_PKG_MIMETYPE  "mimetype"
#define CU_PKG_MANIFEST  "manifest.json"
#define CU_PKG_SIG       "manifest.json.sig"
#define CU_PKG_TSQ       "manifest.json.tsq"
#define CU_PKG_TSR       "manifest.json.tsr"
#define CU_PKG_CUSTODY   "custody/log.jsonl"
#define CU_PKG_JSONLD    "case.jsonld"
#define CU_PKG_VERIFY_MD "VERIFY.md"
#define CU_PKG_VERIFY_SH "verify.sh"

/* Caps for the few things loaded whole. */
#define CU_PKG_MANIFEST_MAX ((size_t)256 << 20)
#define CU_PKG_CUSTODY_MAX  ((size_t)256 << 20)

/* DER RFC 3161 TimeStampReq over a SHA-256 imprint; certReq true, nonce
 * taken from the imprint so the request is deterministic. */
CU_WARN_UNUSED enum cu_status cu_seal_tsq_build(const unsigned char imprint[32], struct cu_buf *out,
						struct cu_error *err);
/* Checks that a DER TimeStampReq carries the SHA-256 imprint. */
CU_WARN_UNUSED enum cu_status
cu_seal_tsq_check(const void *der, size_t n, const unsigned char imprint[32], struct cu_error *err);
/* Checks a DER TimeStampResp: granted, and its token's imprint matches;
 * with ca_file (PEM) also the TSA's signature and certificate chain. */
CU_WARN_UNUSED enum cu_status cu_seal_tsr_check(const void *der, size_t n,
						const unsigned char imprint[32],
						const char *ca_file, struct cu_buf *detail,
						struct cu_error *err);

/* The text of VERIFY.md and verify.sh (static, ASCII/UTF-8). */
const char *cu_seal_verify_md(void);
const char *cu_seal_verify_sh(void);

/* The evidence and derived files of a seal, sorted on disk (seal_files.c):
 * memory bounded whatever the file count. Strings of a cu_sealfile are
 * valid during the callback only. */
struct cu_sealfile {
	bool derived;
	const char *path, *item, *device_path, *derivation;
	const char *derived_from; /* compact JSON array, or NULL */
	const char *sha256, *md5, *sm3, *format;
	uint64_t size;
};
/* Files of a sorted list opened relative to their folder: the folder of
 * the last file stays open (O_PATH), so the next file in it costs a lookup
 * of one name instead of a walk of its whole path (sealutil.c). */
struct cu_dircache {
	int base; /* the folder the paths are relative to (not owned) */
	int fd;   /* the last path's folder, or -1 */
	char *dir;
	size_t dirlen, cap;
};
void cu_dircache_init(struct cu_dircache *dc, int base);
void cu_dircache_release(struct cu_dircache *dc);
/* The folder of path as a dirfd (base for a bare name; owned by dc) and
 * *leaf its last component; -1 with errno set when the folder cannot be
 * opened. */
int cu_dircache_dirfd(struct cu_dircache *dc, const char *path, const char **leaf);

struct cu_sealfiles;
enum cu_status cu_sealfiles_open(const char *workdir, struct cu_sealfiles **out,
				 struct cu_error *err) CU_WARN_UNUSED;
void cu_sealfiles_close(struct cu_sealfiles *f);
/* Reads every item's inventory into the list (on a second thread); with
 * casefd >= 0 checks each file under it (regular file, the inventory's
 * size) and notes its format from the first bytes the inventory recorded
 * (or read once): a failed check is reported by finish. */
enum cu_status cu_sealfiles_load(struct cu_sealfiles *f, struct cu_case *c, int casefd,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Sorts and dedupes; stops at the first file (bytewise by path) whose
 * check failed in load. */
enum cu_status cu_sealfiles_finish(struct cu_sealfiles *f, unsigned algs,
				   struct cu_error *err) CU_WARN_UNUSED;
uint64_t cu_sealfiles_count(const struct cu_sealfiles *f);
uint64_t cu_sealfiles_bytes(const struct cu_sealfiles *f);
/* The content root (RFC 6962 over the files in content tree order), hex;
 * set by finish. */
const char *cu_sealfiles_root(const struct cu_sealfiles *f);
/* Distinct items; *one is the item when there is exactly one. */
unsigned long cu_sealfiles_items(const struct cu_sealfiles *f, const char **one);
typedef enum cu_status (*cu_sealfiles_fn)(const struct cu_sealfile *r, void *ctx,
					  struct cu_error *err);
/* which: 0 evidence, 1 derived, 2 both (evidence first); each bytewise by
 * path. item: only that item's files, or NULL. */
enum cu_status cu_sealfiles_each(struct cu_sealfiles *f, int which, const char *item,
				 cu_sealfiles_fn fn, void *ctx,
				 struct cu_error *err) CU_WARN_UNUSED;

/* A generated text written piece by piece to a file (or to mem when mem
 * is given), hashed with algs (0 = none) as it goes (textout.c). Errors
 * are sticky and returned by close. */
struct cu_textout {
	int fd;
	struct cu_buf *mem;
	struct cu_hasher *h;
	char *buf, *spare; /* spare: the last buffer, maybe still being hashed */
	size_t len;
	uint64_t size;
	enum cu_status st;
	struct cu_error err;
};
enum cu_status cu_textout_open(struct cu_textout *t, const char *path, unsigned algs,
			       struct cu_buf *mem, struct cu_error *err) CU_WARN_UNUSED;
void cu_textout_put(struct cu_textout *t, const void *p, size_t n);
void cu_textout_puts(struct cu_textout *t, const char *s);
/* text with `indent` spaces after each newline. */
void cu_textout_indented(struct cu_textout *t, const char *text, unsigned indent);
/* json_dumps(v, flags) re-indented by `indent` spaces. */
void cu_textout_json(struct cu_textout *t, const json_t *v, size_t flags, unsigned indent);
/* A JSON string literal, escaped exactly as jansson dumps it. */
void cu_textout_jstr(struct cu_textout *t, const char *s);
/* `      "key": "v",` (or null; no comma when last): a member at depth 3. */
void cu_textout_member(struct cu_textout *t, const char *key, const char *v, bool last);
/* Flushes, closes; d (may be NULL) gets the digests. */
enum cu_status cu_textout_close(struct cu_textout *t, struct cu_digests *d,
				struct cu_error *err) CU_WARN_UNUSED;
void cu_textout_abort(struct cu_textout *t);

/* The package's ZIP writer (zipwrite.c): entries written in the order
 * added, one forward pass, central directory spilled to `scratch`. */
struct cu_zipw;
enum cu_status cu_zipw_open(const char *path, int64_t time_ms, const char *scratch,
			    struct cu_progress *bar, struct cu_zipw **out,
			    struct cu_error *err) CU_WARN_UNUSED;
/* Reads exactly n bytes (the size the inventory lists): a shorter file
 * changed since it was listed (CU_E_INTEGRITY). */
enum cu_status cu_zipw_read_exact(int fd, unsigned char *p, size_t n, const char *what,
				  struct cu_error *err) CU_WARN_UNUSED;
/* size bytes from fd (exactly: a shorter file is CU_E_INTEGRITY). */
enum cu_status cu_zipw_add_fd(struct cu_zipw *z, const char *name, int fd, uint64_t size,
			      bool deflate, unsigned mode, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_zipw_add_mem(struct cu_zipw *z, const char *name, const void *p, size_t n,
			       bool deflate, unsigned mode, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_zipw_finish(struct cu_zipw *z, const char *comment, char out_sha256[65],
			      struct cu_error *err) CU_WARN_UNUSED;
void cu_zipw_free(struct cu_zipw *z);
/* A text entry deflated ahead (on another thread) into a scratch file. */
struct cu_zipw_pre {
	uint32_t crc;
	uint64_t usize, csize;
};
enum cu_status cu_zipw_predeflate(const char *src, const char *dst, struct cu_zipw_pre *out,
				  struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_zipw_add_predeflated(struct cu_zipw *z, const char *name, const char *path,
				       const struct cu_zipw_pre *pre, unsigned mode,
				       struct cu_error *err) CU_WARN_UNUSED;

/* The files of the CASE/UCO export, in package order: item = only that
 * item's, or NULL for all. */
typedef enum cu_status (*cu_caseuco_each)(void *src, const char *item, cu_sealfiles_fn fn,
					  void *ctx, struct cu_error *err);
/* Writes case.jsonld into out: manifest (case, items) + custody log lines +
 * files, streamed (one node per file is never all in memory). */
CU_WARN_UNUSED enum cu_status cu_seal_caseuco(const json_t *manifest, const char *package_id,
					      const char *custody_log, size_t custody_len,
					      cu_caseuco_each each, void *src,
					      struct cu_textout *out, struct cu_error *err);

/* cu_seal_caseuco() plus the case.db artifacts (accounts, contacts,
 * messages, calls, payments, each tied to its source file) read from db,
 * an open case.db (NULL: as cu_seal_caseuco()). */
struct sqlite3;
CU_WARN_UNUSED enum cu_status cu_seal_caseuco_db(const json_t *manifest, const char *package_id,
						 const char *custody_log, size_t custody_len,
						 cu_caseuco_each each, void *src,
						 struct sqlite3 *db, struct cu_textout *out,
						 struct cu_error *err);

/* Finds the case id in a manifest (case_id, case.case_id, case.case_number). */
const char *cu_seal_manifest_case_id(const json_t *manifest);

/* What the case's own custody log records (chain.c): the last PARSE
 * (with case_db_sha256), REPORT (with report_root), evidence-changing entry
 * (IMPORT, ACQUIRE_END, DERIVE) and SEAL. */
struct cu_chain_state {
	uint64_t entries;
	bool parsed, reported, changed, sealed;
	uint64_t parse_seq, report_seq, change_seq, seal_seq;
	char parse_db_sha256[65]; /* "" when the entry has none */
	char report_root[65];     /* "" when the entry has none */
	char change_event[32];
	char *seal_package; /* the last SEAL's subject.package (owned) */
};
enum cu_status cu_chain_read(struct cu_case *c, struct cu_chain_state *out,
			     struct cu_error *err) CU_WARN_UNUSED;
void cu_chain_release(struct cu_chain_state *cs);
/* The report tree's root: the content-tree root (CUSTODY.md leaf format)
 * over every regular file under CASE/report/, paths "report/...". An absent
 * report/ gives the empty tree and *files 0. */
enum cu_status cu_chain_report_root(const char *case_dir, char root_hex[65], uint64_t *files,
				    struct cu_error *err) CU_WARN_UNUSED;
/* case.db against the last PARSE, report/ against the last REPORT: CU_OK
 * with a line for the verify report in ok_detail, CU_E_INTEGRITY when the
 * bytes are not what the entry recorded (or no entry records them), or
 * CU_E_USAGE when a later entry made them stale; the message says which
 * command to run. No case.db and no
 * PARSE (no report/ and no REPORT) is fine: sealing straight after
 * acquisition is the scene workflow. */
enum cu_status cu_chain_check_db(struct cu_case *c, const struct cu_chain_state *cs,
				 struct cu_buf *ok_detail, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_chain_check_report(struct cu_case *c, const struct cu_chain_state *cs,
				     struct cu_buf *ok_detail, struct cu_error *err) CU_WARN_UNUSED;

/* An acquisition status that counts as finished: complete or partial
 * (running, aborted, failed or none are not). */
bool cu_chain_acquisition_finished(const char *status);
/* The manifest's unfinished acquisitions[] as a new array of
 * {acquisition (1-based), item_id, method, status, start}; NULL on no memory. */
json_t *cu_chain_unfinished(const json_t *manifest);
/* "acquisition 1 (item A1, import) is 'running'; ..." appended to out
 * (best effort: a failed append leaves the text short). */
void cu_chain_unfinished_text(const json_t *unfinished, struct cu_buf *out);

#endif
