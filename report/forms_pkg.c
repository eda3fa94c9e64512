/*
 * forms_pkg.c - the forms beside a sealed package (PACKAGE.md): a file
 * cannot carry the hash of a package that contains it, so after sealing the
 * forms that print the seal hash are written to <package>.forms/ and their
 * printing is recorded (PRINT entries) in the living custody log
 * <package>.custody.jsonl, which continues the sealed log.
 */
#include "report/docx_int.h"
#include "report/html_int.h"
#include "report/seal_int.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

/* Reads manifest.json from the package and checks that its SHA-256 is the
 * seal hash the zip comment names ("CUSTOS1 <hex>"). */
static enum cu_status read_manifest(const char *package, struct cu_buf *out, char seal[65],
				    struct cu_error *err)
{
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	int zerr = 0;
	enum cu_status st;
	const char *comment;
	int clen = 0;
	char buf[65536];
	zip_int64_t got;

	if ((za = zip_open(package, ZIP_RDONLY, &zerr)) == NULL)
		return cu_error_set(err, CU_E_FORMAT,
				    "'%s' is not a readable package (zip error %d): check the "
				    "path, or run custos verify on it",
				    package, zerr);
	if ((zf = zip_fopen(za, CU_PKG_MANIFEST, 0)) == NULL) {
		st =
		    cu_error_set(err, CU_E_FORMAT, "package '%s' has no readable manifest.json: %s",
				 package, zip_strerror(za));
		goto out;
	}
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		if (out->len + (size_t)got > CU_PKG_MANIFEST_MAX) {
			st = cu_error_set(err, CU_E_LIMIT, "manifest.json of '%s' is too large",
					  package);
			goto out;
		}
		if ((st = cu_buf_append(out, buf, (size_t)got, err)) != CU_OK)
			goto out;
	}
	if (got < 0) {
		st = cu_error_set(err, CU_E_FORMAT, "cannot read manifest.json of '%s': %s",
				  package, zip_file_strerror(zf));
		goto out;
	}
	cu_sha256_hex(out->data ? out->data : "", out->len, seal);
	comment = zip_get_archive_comment(za, &clen, ZIP_FL_ENC_RAW);
	if (comment == NULL || clen != 8 + 64 || memcmp(comment, "CUSTOS1 ", 8) != 0 ||
	    memcmp(comment + 8, seal, 64) != 0) {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "package '%s': SHA-256 of manifest.json (%s) is not the seal "
				  "hash in the zip comment: run custos verify",
				  package, seal);
		goto out;
	}
	st = CU_OK;
out:
	if (zf != NULL)
		zip_fclose(zf);
	if (za != NULL)
		zip_discard(za);
	return st;
}

/* Copies case.db out of the package into path (the forms count messages
 * per app and read not_examined from it). A package without one gives no
 * file: the forms then say less, never something else. */
static enum cu_status copy_casedb(const char *package, const char *path, struct cu_error *err)
{
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	FILE *out = NULL;
	int zerr = 0;
	enum cu_status st = CU_OK;
	char buf[65536];
	zip_int64_t got;

	if ((za = zip_open(package, ZIP_RDONLY, &zerr)) == NULL)
		return cu_error_set(err, CU_E_FORMAT, "'%s' is not a readable package", package);
	if ((zf = zip_fopen(za, "case.db", 0)) == NULL)
		goto out;
	if ((out = fopen(path, "wb")) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", path);
		goto out;
	}
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot write '%s'", path);
			goto out;
		}
	if (got < 0)
		st = cu_error_set(err, CU_E_FORMAT, "cannot read case.db of '%s': %s", package,
				  zip_file_strerror(zf));
out:
	if (out != NULL && fclose(out) != 0 && st == CU_OK)
		st = cu_error_errno(err, CU_E_IO, errno, "cannot write '%s'", path);
	if (zf != NULL)
		zip_fclose(zf);
	zip_discard(za);
	return st;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

enum cu_status cu_report_forms_for_package(const char *package, const struct cu_report_opts *o,
					   const struct cu_actor *actor,
					   const struct cu_signer *signer,
					   struct cu_forms_result *out, struct cu_error *err)
{
	struct cu_buf man = CU_BUF_INIT, dir = CU_BUF_INIT, tmp = CU_BUF_INIT, log = CU_BUF_INIT;
	struct cu_buf names = CU_BUF_INIT, fp = CU_BUF_INIT, db = CU_BUF_INIT;
	json_t *m = NULL;
	struct cu_custody *cus = NULL;
	struct cu_forms_result res;
	struct cu_forms_in in;
	enum cu_status st;
	const char *base, *zone_name = NULL;
	int tz = 480;
	char label[64];
	bool made = false;

	memset(&res, 0, sizeof(res));
	if ((st = read_manifest(package, &man, res.seal_hash, err)) != CU_OK ||
	    (st = cu_json_load_str(man.data, man.len, "manifest.json", &m, err)) != CU_OK)
		goto out;
	if ((st = cu_buf_printf(&dir, err, "%s.forms", package)) != CU_OK ||
	    (st = cu_buf_printf(&tmp, err, "%s.forms.partial", package)) != CU_OK ||
	    (st = cu_buf_printf(&log, err, "%s.custody.jsonl", package)) != CU_OK)
		goto out;
	if (cu_file_exists(dir.data)) {
		st = cu_error_set(err, CU_E_EXISTS,
				  "'%s' already exists: the forms of this package were written "
				  "before (their PRINT entries are in '%s')",
				  dir.data, log.data);
		goto out;
	}
	if (!cu_file_exists(log.data)) {
		st =
		    cu_error_set(err, CU_E_NOTFOUND,
				 "the living custody log '%s' is missing: it is written beside the "
				 "package by custos seal",
				 log.data);
		goto out;
	}
	if (strlen(dir.data) >= sizeof(res.dir)) {
		st = cu_error_set(err, CU_E_LIMIT, "path too long: '%s'", dir.data);
		goto out;
	}
	nftw(tmp.data, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(tmp.data, 0755) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", tmp.data);
		goto out;
	}
	made = true;

	{
		const json_t *loc = json_object_get(json_object_get(m, "seizure"), "location");
		zone_name = o && o->tz ? o->tz : json_string_value(json_object_get(loc, "tz"));
		if (zone_name == NULL || !cu_report_parse_tz(zone_name, &tz)) {
			zone_name = "Asia/Shanghai";
			tz = 480;
		}
		snprintf(label, sizeof(label), "UTC%c%02d:%02d (%s)", tz < 0 ? '-' : '+',
			 (tz < 0 ? -tz : tz) / 60, (tz < 0 ? -tz : tz) % 60, zone_name);
	}
	base = strrchr(package, '/');
	base = base ? base + 1 : package;
	memset(&in, 0, sizeof(in));
	in.manifest = m;
	in.files = json_object_get(m, "files");
	in.custody_log = log.data;
	in.hash_hex = res.seal_hash;
	in.is_seal = true;
	in.package_name = base;
	in.tz = tz;
	in.tz_label = label;
	in.formats = o ? o->formats : 0;
	/* case.db beside the forms only while they are written. */
	if ((st = cu_buf_printf(&db, err, "%s.case.db", tmp.data)) != CU_OK)
		goto out;
	if ((st = copy_casedb(package, db.data, err)) != CU_OK) {
		unlink(db.data);
		goto out;
	}
	st = cu_forms_write_ex(tmp.data, &in,
			       cu_case_examiner_named() && actor != NULL ? actor->name : NULL,
			       db.data, &names, err);
	unlink(db.data);
	if (st != CU_OK)
		goto out;
	if (rename(tmp.data, dir.data) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot rename '%s' to '%s'", tmp.data,
				    dir.data);
		goto out;
	}
	made = false;
	memcpy(res.dir, dir.data, dir.len + 1);

	/* One PRINT entry per form document, with its digest, chained to the
	 * sealed log's head. */
	if ((st = cu_custody_open(log.data, false, false, &cus, err)) != CU_OK)
		goto out;
	for (size_t a = 0; a < names.len;) {
		const char *nl = memchr(names.data + a, '\n', names.len - a);
		size_t len = nl ? (size_t)(nl - (names.data + a)) : names.len - a;
		char name[256];
		struct cu_digests d;
		struct cu_buf sub = CU_BUF_INIT, det = CU_BUF_INIT;
		struct cu_json j;

		if (len == 0 || len >= sizeof(name))
			break;
		memcpy(name, names.data + a, len);
		name[len] = '\0';
		a += len + 1;
		res.files++;
		if (!cu_str_has_suffix(name, ".html") && !cu_str_has_suffix(name, ".docx"))
			continue;
		if (strcmp(name, "index.html") == 0)
			continue;
		cu_buf_reset(&fp);
		if ((st = cu_buf_printf(&fp, err, "%s/%s", dir.data, name)) != CU_OK ||
		    (st = cu_hash_file(fp.data, CU_HASH_SHA256, &d, err)) != CU_OK)
			goto out;
		cu_json_init(&j, &sub);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "package", base);
		cu_json_kv_str(&j, "form", name);
		cu_json_obj_end(&j);
		if ((st = cu_json_finish(&j, err)) != CU_OK) {
			cu_buf_release(&sub);
			goto out;
		}
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "path", name);
		cu_json_kv_str(&j, "sha256", d.sha256);
		cu_json_kv_str(&j, "seal_hash", res.seal_hash);
		cu_json_kv_int(&j, "copies", cu_str_has_prefix(name, "seizure-list") ? 3 : 1);
		cu_json_kv_str(&j, "note",
			       "form generated for printing and signature; the signed paper "
			       "copies carry the seal hash");
		cu_json_kv_str(&j, "tool", cu_version());
		cu_json_obj_end(&j);
		st = cu_json_finish(&j, err);
		if (st == CU_OK)
			st =
			    cu_custody_append(cus, "PRINT", actor ? actor : cu_case_default_actor(),
					      sub.data, det.data, signer, err);
		cu_buf_release(&sub);
		cu_buf_release(&det);
		if (st != CU_OK)
			goto out;
	}
	res.custody_size = cu_custody_size(cus);
	if (out != NULL)
		*out = res;
	st = CU_OK;
out:
	if (made)
		nftw(tmp.data, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (cus != NULL)
		cu_custody_close(cus);
	json_decref(m);
	cu_buf_release(&man);
	cu_buf_release(&dir);
	cu_buf_release(&tmp);
	cu_buf_release(&log);
	cu_buf_release(&names);
	cu_buf_release(&fp);
	cu_buf_release(&db);
	if (st != CU_OK)
		cu_error_prefix(err, "forms for '%s'", package);
	return st;
}
