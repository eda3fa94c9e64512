/*
 * report.h - manifest, seal, verify, CASE/UCO export, HTML report and the
 * Chinese forms. libzip and libqrencode are used only inside report/.
 */
#ifndef CUSTOS_REPORT_H
#define CUSTOS_REPORT_H

#include "core/core.h"

/* ------------------------------------------------------------------ */
/* seal/verify: sealed evidence package, PACKAGE.md                    */
/* ------------------------------------------------------------------ */

#define CU_PACKAGE_MIMETYPE "application/vnd.custos.evidence+zip;version=1"
#define CU_PACKAGE_SUFFIX   ".custos.zip"

struct cu_seal_opts {
	const char *output;   /* FILE.zip, or a directory for the generated name; NULL = case dir */
	const char *sign_key; /* Ed25519 private key PEM (custos keygen), or NULL */
	const char *password; /* non-NULL: WinZip AES-256 for all entries but the seal itself */
	unsigned hash_algs;   /* CU_HASH_DEFAULT, optionally | CU_HASH_SM3 */
	bool allow_incomplete; /* seal although mandatory manifest fields are missing or an
				* acquisition is unfinished (both recorded) */
};

struct cu_seal_result {
	char package[CU_PATH_MAX]; /* path of the written package */
	char name[CU_PATH_MAX];    /* its file name */
	char seal_hash[65];        /* SHA-256(manifest.json) */
	char outer_sha256[65];     /* SHA-256 of the whole package (the .sha256 sidecar) */
	char content_root[65];
	char custody_head[65];
	uint64_t custody_size;
	uint64_t files;      /* evidence + derived files */
	uint64_t bytes;      /* their total size */
	unsigned missing;    /* mandatory manifest fields missing (with allow_incomplete) */
	unsigned unfinished; /* acquisitions not finished (with allow_incomplete) */
};

/*
 * Seals the case into a deterministic ZIP (PACKAGE.md): the same case
 * state sealed at the same (fixed) time gives the same bytes. The SEAL
 * custody entry is appended to the case's own log; the package holds the
 * log up to and including it, and the same bytes are left beside the
 * package as <package>.custody.jsonl (the living log, which continues
 * from there). A case sealed before is sealed again with a warning naming
 * the earlier package. Evidence is not re-hashed: files[] carries the inventory
 * digests made at import, checked later by cu_verify_package(). The package
 * appears under its final name only when complete (written in a work
 * folder ".custos-seal.<pid>" beside it, fsync'ed, renamed; a later seal
 * removes the folders of killed ones); <package>.sha256 is written beside it.
 */
CU_WARN_UNUSED enum cu_status cu_seal_case(struct cu_case *c, const struct cu_seal_opts *opts,
					   struct cu_seal_result *out, struct cu_error *err);

/*
 * The content root (CUSTODY.md) a seal of the case would carry now, from the
 * inventory digests (nothing is re-hashed): for the report and forms made
 * before sealing, which go inside the package and so cannot carry the seal
 * hash. *files gets the number of evidence + derived files (may be NULL).
 */
CU_WARN_UNUSED enum cu_status cu_seal_case_content_root(struct cu_case *c, char root_hex[65],
							uint64_t *files, struct cu_error *err);

/* Package file name for a case id, item and Unix ms time (sanitised). */
CU_WARN_UNUSED enum cu_status cu_seal_package_name(const char *case_id, const char *item,
						   int64_t unix_ms, struct cu_buf *out,
						   struct cu_error *err);

/* The 提取固定清单 category (短信, 微信聊天, ...) of a device path; never NULL. */
const char *cu_seal_category(const char *device_path);
/* The file format (SQLite数据库, plist, 图片, ...) from the first bytes and the name. */
const char *cu_seal_format(const unsigned char *head, size_t n, const char *name);

/* One named check of a verification, in order. */
struct cu_verify_check {
	char *name; /* "outer-hash", "entry evidence/x/y", "custody-chain", ... */
	bool ok;
	bool warning; /* ok, but worth saying (unsigned package, no key given) */
	char *detail;
};

struct cu_verify_report {
	struct cu_verify_check *checks;
	size_t n, cap;
	bool ok;           /* every check passed */
	unsigned failures; /* integrity failures (exit 1) */
	bool unreadable;   /* the input itself could not be read (exit 3) */
	bool need_password;
	char seal_hash[65];
	char content_root[65];
	uint64_t entries, bytes;
};

struct cu_verify_opts {
	const char *pubkey;        /* Ed25519 public (or private) key PEM, or NULL */
	const char *expect_sha256; /* outer hash to expect, or NULL (sidecar used if present) */
	const char *tsr;           /* RFC 3161 response file to check, or NULL */
	const char *tsa_ca;        /* PEM CA(s) of the TSA: also check the token's signature */
	const char *password;      /* for encrypted packages, or NULL */
};

void cu_verify_report_init(struct cu_verify_report *r);
void cu_verify_report_release(struct cu_verify_report *r);
/* Exit code per CLI.md: 0 all pass, 1 integrity, 3 unreadable input. */
int cu_verify_report_exit(const struct cu_verify_report *r);

/*
 * Verifies a package (every check of PACKAGE.md) into rep. Returns CU_OK
 * when the verification ran (rep->ok tells the verdict); an error only when
 * it could not run at all (allocation). Memory stays bounded: entries are
 * streamed through the hashers in chunks.
 */
CU_WARN_UNUSED enum cu_status cu_verify_package(const char *path, const struct cu_verify_opts *opts,
						struct cu_verify_report *rep, struct cu_error *err);
/* Verifies a case directory: every inventory file against its digests,
 * unlisted evidence files, and the custody chain. */
CU_WARN_UNUSED enum cu_status cu_verify_case_dir(const char *dir, const struct cu_verify_opts *opts,
						 struct cu_verify_report *rep,
						 struct cu_error *err);

/* Writes an inclusion proof (JSON, one line) for one package path into out. */
CU_WARN_UNUSED enum cu_status cu_verify_prove(const char *package, const char *path,
					      const char *password, struct cu_buf *out,
					      struct cu_error *err);
/* Checks a proof file against the package's content_root; CU_E_INTEGRITY if it fails. */
CU_WARN_UNUSED enum cu_status cu_verify_proof(const char *package, const char *proof_file,
					      const char *password, struct cu_error *err);

/* ----------------------- end of seal/verify ----------------------- */

/* ------------------------------------------------------------------ */
/* report/forms: HTML report, Chinese forms (HTML + docx)              */
/* ------------------------------------------------------------------ */

/* Escaping of hostile evidence text (report/escape.c). Appends to out;
 * on failure out is left as it was. Markup characters become references,
 * invalid UTF-8 U+FFFD, control and bidi-override characters a visible
 * "⟨U+202E⟩". The output is valid in HTML text, in double-quoted
 * attributes (with CU_ESC_ATTR) and in XML 1.0 (docx). */
#define CU_ESC_ATTR    1u /* newline and tab as &#10; &#9; */
#define CU_ESC_ONELINE 2u /* newline shown as a space */
CU_WARN_UNUSED enum cu_status cu_html_escape(struct cu_buf *out, const char *s, size_t n,
					     unsigned flags, struct cu_error *err);
/* Appends prefix (trusted, e.g. "../") + rel percent-encoded (only
 * [A-Za-z0-9-._~/] kept) so no scheme or query can survive. CU_E_PATH
 * unless rel passes cu_path_check_relative(): absolute paths, "..",
 * "javascript:..." style values are never linked (callers show them as text). */
CU_WARN_UNUSED enum cu_status cu_html_url_path(struct cu_buf *out, const char *prefix,
					       const char *rel, struct cu_error *err);
/* True for names a browser shows as an image (.jpg .jpeg .png .gif .webp .bmp). */
bool cu_html_is_image_name(const char *name);

/* Display helpers (report/report_util.c). */
#define CU_YUAN_STR 32
/* Minor units (fen) as yuan with 2 decimals and thousands separators,
 * integer arithmetic only: -123456 -> "-1,234.56". */
void cu_report_yuan(int64_t minor, char out[CU_YUAN_STR]);
#define CU_LOCAL_TIME_STR 40
/* Unix ms as "2024-03-22 18:03:00 +08:00" in the zone offset_min minutes
 * east of UTC; false when out of range. */
bool cu_report_local_time(int64_t unix_ms, int offset_min, char out[CU_LOCAL_TIME_STR]);
/* A 64-digit hex hash as 16 groups of 4 ("1a2b 3c4d ..."), 80 bytes. */
void cu_report_group_hex(const char *hex64, char out[80]);
/* Parses "+08:00", "-05:30", "UTC", "Z" or an IANA zone name into minutes
 * east of UTC (for a zone with daylight saving time: its standard offset;
 * to show a time, use cu_time_format_zone/cu_time_zone_offset). */
bool cu_report_parse_tz(const char *s, int *offset_min);

/* QR code of text (libqrencode, level M, 8-bit) as a grayscale PNG written
 * with zlib; scale pixels per module, 4-module quiet zone. */
CU_WARN_UNUSED enum cu_status cu_qr_png(const char *text, unsigned scale, struct cu_buf *out,
					struct cu_error *err);

#define CU_REPORT_HTML 1u
#define CU_REPORT_DOCX 2u
/* Parses --format "html", "docx" or "all" into CU_REPORT_* bits; false
 * (formats untouched) for anything else. */
bool cu_report_parse_formats(const char *s, unsigned *out);

struct cu_report_opts {
	unsigned formats; /* CU_REPORT_HTML | CU_REPORT_DOCX; 0 = both */
	const char *tz;   /* display zone (cu_report_parse_tz), NULL = manifest or +08:00 */
	size_t page_rows; /* rows per page of long tables; 0 = 1000 */
	bool no_custody;  /* do not append the REPORT custody entry */
};

struct cu_report_result {
	uint64_t items, conversations, messages, payments, calls, contacts, hits, files, pages;
	uint64_t bytes;        /* total size of evidence + derived files */
	char content_root[65]; /* what the in-package forms carry */
};

/*
 * Writes CASE/report/ from case.db, the manifest, the inventory and the
 * custody log: index.html and the pages beside it (paginated, streamed:
 * memory stays bounded whatever the number of messages), assets/, and
 * forms/ (扣押清单, 现场提取笔录 + 固定清单, 检查笔录 as HTML and .docx)
 * carrying the content root. Deterministic: same inputs, same bytes. The
 * old report/ is replaced as a whole only once the new one is complete.
 * Appends a REPORT custody entry (files and SHA-256 of index.html).
 */
CU_WARN_UNUSED enum cu_status cu_report_case(struct cu_case *c, const struct cu_report_opts *o,
					     struct cu_report_result *out, struct cu_error *err);

struct cu_forms_result {
	char dir[CU_PATH_MAX]; /* <package>.forms */
	char seal_hash[65];
	unsigned files;        /* files written */
	uint64_t custody_size; /* entries in the living log afterwards */
};

/*
 * After sealing: writes <package>.forms/ (the forms with the seal hash as
 * 16 groups of 4 hex digits and as a QR code) from the package's
 * manifest.json (its SHA-256 must equal the seal hash in the zip comment)
 * and appends one PRINT entry per form to the living custody log
 * <package>.custody.jsonl. An existing .forms folder is CU_E_EXISTS.
 */
CU_WARN_UNUSED enum cu_status
cu_report_forms_for_package(const char *package, const struct cu_report_opts *o,
			    const struct cu_actor *actor, const struct cu_signer *signer,
			    struct cu_forms_result *out, struct cu_error *err);

/* ----------------------- end of report/forms ---------------------- */

/* ------------------------------------------------------------------ */
/* report/export: case.db as CSV, xlsx, JSON; CASE/UCO                 */
/* ------------------------------------------------------------------ */

struct cu_export_opts {
	const char *kind;   /* messages, calls, contacts, payments, timeline, hits, links,
			     * case-uco, graph (cu_export_kind_name lists them) */
	const char *format; /* csv, xlsx, json (case-uco: jsonld; graph: graphml, dot);
			     * NULL = the kind's first */
	const char *output; /* NULL = CASE/exports/<kind>.<format> */
	const char *tz;     /* zone of the *_local columns; NULL = the manifest's, else
			     * Asia/Shanghai */
	bool no_custody;    /* do not append the EXPORT custody entry */
};

struct cu_export_result {
	char path[CU_PATH_MAX];
	char sha256[65];
	uint64_t size, rows;
};

/*
 * Writes one export of the case's case.db (docs/cli.md, export): rows in a
 * fixed order, each with its provenance; the file appears under its name
 * only when complete; the same case.db and options give the same bytes.
 * Refuses (CU_E_USAGE) an unknown kind or format and an output inside the
 * case's evidence, derived, inventory or custody folders, case.db or the
 * manifests. Appends an EXPORT custody entry {path} {kind, format, path,
 * sha256, size, rows, time_zone, case_db_sha256, tool}.
 */
CU_WARN_UNUSED enum cu_status cu_export_case(struct cu_case *c, const struct cu_export_opts *o,
					     struct cu_export_result *out, struct cu_error *err);
/*
 * For `custos report`: writes outdir/exports/<kind>.csv and .xlsx of
 * messages, calls, contacts, payments and timeline (and hits, links when
 * case.db has rows), appends to html the index section linking them
 * ("exports/<kind>.csv", relative to outdir), and sets *written to a new
 * array of {kind, format, path "report/exports/...", sha256, size, rows,
 * time_zone}. No custody entry: once the report is in place,
 * cu_export_record() appends one EXPORT entry per file.
 */
CU_WARN_UNUSED enum cu_status cu_export_for_report(struct cu_case *c, const char *outdir,
						   const char *tz, struct cu_buf *html,
						   json_t **written, struct cu_error *err);
CU_WARN_UNUSED enum cu_status cu_export_record(struct cu_case *c, const json_t *written,
					       struct cu_error *err);
/* The i-th kind's name, NULL past the last; its formats ("csv xlsx json"). */
const char *cu_export_kind_name(size_t i);
const char *cu_export_formats(const char *kind);

/*
 * The CASE/UCO document of a case directory (sealed or not): the
 * investigation, tool, people (manifest personnel), devices, every
 * inventory file with its hashes, the case.db artifacts (accounts,
 * contacts, messages, calls, payments) each tied to its source file by a
 * provenance relationship, and every custody entry as an investigative
 * action. db is the open case.db (may be NULL: no artifacts). *objects
 * (may be NULL) gets the number of artifact objects written.
 */
struct cu_textout;
struct sqlite3;
CU_WARN_UNUSED enum cu_status cu_caseuco_case(struct cu_case *c, struct sqlite3 *db,
					      struct cu_textout *out, uint64_t *objects,
					      struct cu_error *err);

/* ----------------------- end of report/export --------------------- */

/* The libraries report/ wraps (libzip), for --version and tool.libraries
 * (struct cu_library in core.h). */
size_t cu_report_libraries(struct cu_library *out, size_t max);

#endif
