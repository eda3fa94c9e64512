/*
 * report.h - manifest, seal, verify, CASE/UCO export, HTML report and the
 * Chinese forms. libzip and libqrencode are used only inside report/.
 */
#ifndef CUSTOS_REPORT_H
#define CUSTOS_REPORT_H

#include "core/core.h"

/* ------------------------------------------------------------------ */
/* seal/verify (issue 3): sealed evidence package, PACKAGE.md          */
/* ------------------------------------------------------------------ */

#define CU_PACKAGE_MIMETYPE "application/vnd.custos.evidence+zip;version=1"
#define CU_PACKAGE_SUFFIX   ".custos.zip"

struct cu_seal_opts {
	const char *output;   /* FILE.zip, or a directory for the generated name; NULL = case dir */
	const char *sign_key; /* Ed25519 private key PEM (custos keygen), or NULL */
	const char *password; /* non-NULL: WinZip AES-256 for all entries but the seal itself */
	unsigned hash_algs;   /* CU_HASH_DEFAULT, optionally | CU_HASH_SM3 */
	bool allow_incomplete; /* seal although mandatory manifest fields are missing */
};

struct cu_seal_result {
	char package[CU_PATH_MAX]; /* path of the written package */
	char name[CU_PATH_MAX];    /* its file name */
	char seal_hash[65];        /* SHA-256(manifest.json) */
	char outer_sha256[65];     /* SHA-256 of the whole package (the .sha256 sidecar) */
	char content_root[65];
	char custody_head[65];
	uint64_t custody_size;
	uint64_t files;   /* evidence + derived files */
	uint64_t bytes;   /* their total size */
	unsigned missing; /* mandatory manifest fields missing (with allow_incomplete) */
};

/*
 * Seals the case into a deterministic ZIP (PACKAGE.md). The case directory
 * is only read: the SEAL custody entry goes into the package's copy of the
 * log, which is also left beside the package as <package>.custody.jsonl
 * (the living log). Evidence is not re-hashed: files[] carries the inventory
 * digests made at import, checked later by cu_verify_package(). The package
 * appears under its final name only when complete (written as .partial,
 * fsync'ed, renamed); <package>.sha256 is written beside it.
 */
enum cu_status cu_seal_case(struct cu_case *c, const struct cu_seal_opts *opts,
			    struct cu_seal_result *out, struct cu_error *err);

/* Package file name for a case id, item and Unix ms time (sanitised). */
enum cu_status cu_seal_package_name(const char *case_id, const char *item, int64_t unix_ms,
				    struct cu_buf *out, struct cu_error *err);

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
enum cu_status cu_verify_package(const char *path, const struct cu_verify_opts *opts,
				 struct cu_verify_report *rep, struct cu_error *err);
/* Verifies a case directory: every inventory file against its digests,
 * unlisted evidence files, and the custody chain. */
enum cu_status cu_verify_case_dir(const char *dir, const struct cu_verify_opts *opts,
				  struct cu_verify_report *rep, struct cu_error *err);

/* Writes an inclusion proof (JSON, one line) for one package path into out. */
enum cu_status cu_verify_prove(const char *package, const char *path, const char *password,
			       struct cu_buf *out, struct cu_error *err);
/* Checks a proof file against the package's content_root; CU_E_INTEGRITY if it fails. */
enum cu_status cu_verify_proof(const char *package, const char *proof_file, const char *password,
			       struct cu_error *err);

/* ----------------------- end of seal/verify ----------------------- */

#endif
