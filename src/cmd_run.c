/*
 * cmd_run.c - `custos run` (CLI.md): the whole job in one command — case
 * init, import or acquisition (--device UDID: an iPhone usbmuxd lists;
 * else Android, --device SERIAL over USB, --adb-connect HOST:PORT over
 * TCP), parse, report, seal,
 * the seal-hash forms beside the package, and verify — with one progress
 * display and a summary at the end.
 *
 * Everything goes through the library calls the single verbs use, so a run
 * leaves exactly what the verbs would: OUT/<case-id>/ (the case), the
 * package, its .sha256, its living custody log and its .forms/ folder.
 * Exit codes per CLI.md: 5 when some part failed (recorded in the custody
 * log) but a package was still produced and verified.
 */
#include "src/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract/extract.h"
#include "extract/ios/device.h"
#include "analysis/analysis.h"
#include "parsers/parsers.h"
#include "report/report.h"

#define STEPS 7

static const char run_usage[] =
    "usage: custos run (PATH | --device ID | --adb-connect HOST:PORT) --case-id ID -o OUT-DIR\n"
    "                  [--manifest SEIZURE.json] [--examiner NAME]... [--item ITEM-ID]\n"
    "                  [--format auto|ios-backup|android-tar|android-zip|android-dir|\n"
    "                   android-ab|dir] [--password-file F] [--sign KEY.pem] [--hash sm3]\n"
    "                  [--report-format html|docx|all] [--tz ZONE] [--allow-incomplete]\n"
    "                  [--new-item --reason TEXT] [--root] [--adb-backup]\n"
    "                  [--media] [--backup-password-file F] [--whatsapp-key F]\n"
    "                  [--lexicon FILE]...\n"
    "  --device UDID of an iPhone (usbmuxd lists it): lockdownd facts, apps, a full\n"
    "  backup (--backup-password-file F, or --password-file F, decodes an encrypted\n"
    "  one), --media over AFC; any other --device is an Android serial.\n"
    "  Without --item the manifest's only seizure item is used; with several listed,\n"
    "  --item is required; an item the list does not name needs --new-item --reason.\n"
    "  Case init (OUT-DIR/<case-id>/), import (PATH) or Android acquisition over ADB\n"
    "  (--device SERIAL by USB, --adb-connect HOST:PORT by TCP), parse, report, seal\n"
    "  (package in OUT-DIR), --root and --adb-backup as for acquire,\n"
    "  the seal-hash forms beside the package (<package>.forms/), and verify.\n";

struct secret_src {
	const char *file;
	const char *path;
};

/* Everything one run carries from step to step. */
struct run {
	const struct cu_cli *cli;
	int step;
	bool show;
	const char *out, *device, *adb_connect, *key, *path;
	const char **examiners; /* --examiner NAME... */
	size_t n_ex;
	struct secret_src sec;
	struct cu_library libs[CU_CLI_LIBRARIES_MAX];
	struct cu_case_init_opts io;
	struct cu_import_opts im;
	struct cu_import_stats ist;
	struct cu_acquire_opts ao;
	struct cu_acquire_stats ast;
	struct cu_parse_opts po;
	struct cu_parse_stats pst;
	struct cu_analysis_opts ana;
	struct cu_report_opts ro;
	struct cu_report_result rres;
	struct cu_seal_opts so;
	struct cu_seal_result sres;
	struct cu_forms_result fres;
	struct cu_verify_opts vo;
	struct cu_verify_report vrep;
	struct cu_case *c;
	struct cu_signer *signer;
	struct cu_buf casedir;
	bool is_partial, forms_ok;
};

/* A step returns the exit code to stop with, or GO to go on. */
#define GO (-1)

static void step(struct run *r, const char *what)
{
	r->step++;
	if (r->show) {
		cu_progress_clear_line();
		fprintf(stderr, "custos run: [%d/%d] %s\n", r->step, STEPS, what);
	}
}

static void partial(struct run *r, const char *what, const struct cu_error *err)
{
	(void)r;
	fprintf(stderr, "custos run: %s: %s\n", what, err->msg);
}

static enum cu_status ask_password(void *ctx, struct cu_buf *out, struct cu_error *err)
{
	const struct secret_src *s = ctx;
	char prompt[512];
	snprintf(prompt, sizeof(prompt), "password for '%s': ", s->path);
	return cu_cli_read_secret(s->file, "CUSTOS_PASSWORD", prompt, out, err);
}

/* The command line, checked before anything is created. */
static int parse_args(struct run *r, struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"case-id", required_argument, NULL, 'i'},
	    {"output", required_argument, NULL, 'o'},
	    {"manifest", required_argument, NULL, 'm'},
	    {"examiner", required_argument, NULL, 'e'},
	    {"item", required_argument, NULL, 'I'},
	    {"new-item", no_argument, NULL, 'N'},
	    {"reason", required_argument, NULL, 'W'},
	    {"format", required_argument, NULL, 'f'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"sign", required_argument, NULL, 's'},
	    {"hash", required_argument, NULL, 'H'},
	    {"report-format", required_argument, NULL, 'R'},
	    {"tz", required_argument, NULL, 'z'},
	    {"allow-incomplete", no_argument, NULL, 'a'},
	    {"device", required_argument, NULL, 'd'},
	    {"adb-connect", required_argument, NULL, 'c'},
	    {"root", no_argument, NULL, 'S'},
	    {"adb-backup", no_argument, NULL, 'B'},
	    {"media", no_argument, NULL, 'M'},
	    {"backup-password-file", required_argument, NULL, 'P'},
	    {"whatsapp-key", required_argument, NULL, 'K'},
	    {"json", no_argument, NULL, 'j'},
	    {"lexicon", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((ch = cu_cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (ch) {
		case 'i': r->io.case_id = optarg; break;
		case 'o': r->out = optarg; break;
		case 'm': r->io.manifest_path = optarg; break;
		case 'e': r->examiners[r->n_ex++] = optarg; break;
		case 'I': r->im.item = optarg; break;
		case 'N': r->im.new_item = true; break;
		case 'W': r->im.reason = optarg; break;
		case 'f':
			if (!cu_import_format_parse(optarg, &r->im.format)) {
				fprintf(stderr, "custos run: unknown format '%s'\n%s", optarg,
					run_usage);
				return 2;
			}
			break;
		case 'p': r->sec.file = optarg; break;
		case 's': r->key = optarg; break;
		case 'H':
			if (strcmp(optarg, "sm3") != 0) {
				fprintf(stderr, "custos run: --hash takes 'sm3' (SHA-256 and MD5 "
						"are always computed)\n");
				return 2;
			}
			r->im.hash_algs |= CU_HASH_SM3;
			r->so.hash_algs |= CU_HASH_SM3;
			break;
		case 'R':
			if (!cu_report_parse_formats(optarg, &r->ro.formats)) {
				fprintf(stderr,
					"custos run: --report-format takes html, docx or all\n");
				return 2;
			}
			break;
		case 'z': r->ro.tz = optarg; break;
		case 'a': r->so.allow_incomplete = true; break;
		case 'd': r->device = optarg; break;
		case 'c': r->adb_connect = optarg; break;
		case 'S': r->ao.root = true; break;
		case 'B': r->ao.adb_backup = true; break;
		case 'M': r->ao.media = true; break;
		case 'P': r->ao.backup_password_file = optarg; break;
		case 'K': r->po.whatsapp_key = optarg; break;
		case 'j': cli->json = true; break;
		case 'L':
			((const char **)r->ana.lexicon_files)[r->ana.nlexicon_files++] = optarg;
			break;
		case 'h': fputs(run_usage, stdout); return 0;
		default: fputs(run_usage, stderr); return 2;
		}
	}
	if (r->device != NULL || r->adb_connect != NULL) {
		if (optind != argc || (r->device != NULL && r->adb_connect != NULL)) {
			fprintf(stderr,
				"custos run: give one of PATH, --device SERIAL or --adb-connect "
				"HOST:PORT\n%s",
				run_usage);
			return 2;
		}
		if (r->io.case_id == NULL || r->out == NULL) {
			fprintf(stderr, "custos run: needs --case-id and -o OUT-DIR\n%s",
				run_usage);
			return 2;
		}
		r->ao.serial = r->device;
		r->ao.hostport = r->adb_connect;
		r->ao.item = r->im.item;
		r->ao.new_item = r->im.new_item;
		r->ao.reason = r->im.reason;
		r->ao.hash_algs = r->im.hash_algs;
		r->show = !cli->quiet && !cli->json;
		return GO;
	}
	if (optind + 1 != argc || r->io.case_id == NULL || r->out == NULL) {
		fprintf(stderr, "custos run: needs PATH, --case-id and -o OUT-DIR\n%s", run_usage);
		return 2;
	}
	r->path = argv[optind];
	if (access(r->path, R_OK) != 0) {
		fprintf(stderr, "custos run: cannot read '%s': %s (nothing was created)\n", r->path,
			strerror(errno));
		return 3;
	}
	if (r->ro.tz != NULL) {
		int off;
		if (!cu_report_parse_tz(r->ro.tz, &off)) {
			fprintf(stderr, "custos run: unknown time zone '%s'\n", r->ro.tz);
			return 2;
		}
	}
	r->show = !cli->quiet && !cli->json;
	return GO;
}

/* The signing key (case init, seal and verify use it), the examiner as
 * actor, and the library versions for the manifest. */
static int prepare(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	if (r->key == NULL)
		r->key = r->cli->sign_key; /* --sign-key / CUSTOS_SIGN_KEY */
	if (r->key != NULL) {
		if (cu_signer_load(r->key, &r->signer, &err) != CU_OK)
			return cu_cli_fail(r->cli, &err);
		r->io.signer = r->signer;
		/* The run's case is a signed case: every entry by this key. */
		r->io.case_key = r->signer;
		cu_custody_set_default_signer(r->signer);
		r->so.sign_key = r->key;
		r->vo.pubkey = r->key; /* a private key PEM also verifies (report.h) */
	}
	if (r->n_ex > 0 && cu_case_set_actor(r->examiners[0], NULL, "examiner", &err) != CU_OK)
		return cu_cli_fail(r->cli, &err);
	r->io.examiners = r->examiners;
	r->io.n_examiners = r->n_ex;
	cu_cli_case_libraries(&r->io, r->libs);
	return GO;
}

/* 1. case init: OUT/<case-id>/ (the id escaped as one safe name). */
static int init_case(struct run *r)
{
	struct cu_buf missing = CU_BUF_INIT, comp = CU_BUF_INIT;
	struct cu_error err;
	size_t n_missing = 0;
	int rc = GO;

	cu_error_clear(&err);
	step(r, "case init");
	if (cu_mkdirs(r->out, 0755, false, &err) != CU_OK ||
	    cu_path_escape_component(r->io.case_id, strlen(r->io.case_id), &comp, &err) != CU_OK ||
	    cu_path_join(r->out, comp.data, &r->casedir, &err) != CU_OK ||
	    cu_case_init(r->casedir.data, &r->io, &r->c, &missing, &n_missing, &err) != CU_OK) {
		rc = cu_cli_fail(r->cli, &err);
		goto out;
	}
	if (n_missing > 0 && !r->cli->quiet)
		fprintf(stderr,
			"custos run: warning: %zu mandatory manifest field(s) missing:\n%s"
			"(sealing refuses unless --allow-incomplete; fill each in with "
			"'custos case set FIELD VALUE --reason TEXT')\n",
			n_missing, missing.data ? missing.data : "");
out:
	cu_buf_release(&missing);
	cu_buf_release(&comp);
	return rc;
}

/* A step that may end partial: st is its result. */
static int partial_or_stop(struct run *r, const char *what, enum cu_status st,
			   const struct cu_error *err)
{
	if (st == CU_E_PARTIAL) {
		r->is_partial = true;
		partial(r, what, err);
	} else if (st != CU_OK) {
		int rc = cu_cli_fail(r->cli, err);
		fprintf(stderr, "custos run: the case stays in '%s'\n", r->casedir.data);
		return rc;
	}
	return GO;
}

/* 2. import, or acquire the phone. */
static int import_image(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	if (r->device != NULL || r->adb_connect != NULL) {
		enum cu_status st;
		step(r, "acquire");
		bool ios = r->device != NULL && cu_ios_known(r->device);
		if (!ios && (r->ao.media || r->ao.backup_password_file != NULL) &&
		    r->adb_connect == NULL) {
			st = cu_error_set(&err, CU_E_DEVICE,
					  "no iPhone '%s' is attached (usbmuxd does not list it): "
					  "--media and --backup-password-file are for an iPhone",
					  r->device);
			return partial_or_stop(r, "acquire", st, &err);
		}
		if (ios && r->ao.backup_password_file == NULL)
			r->ao.backup_password_file = r->sec.file; /* --password-file */
		st = ios ? cu_acquire_ios_run(r->c, &r->ao, &r->ast, &err)
			 : cu_acquire_android_run(r->c, &r->ao, &r->ast, &err);
		snprintf(r->ist.item, sizeof(r->ist.item), "%s", r->ast.item);
		if (st == CU_E_DEVICE && r->ast.item[0] != '\0')
			fprintf(stderr,
				"custos run: the acquisition stays resumable in '%s': "
				"`custos --case %s acquire --resume %s %s`, then parse, report "
				"and seal\n",
				r->casedir.data, r->casedir.data,
				r->device ? "--device" : "--adb-connect",
				r->device ? r->device : r->adb_connect);
		return partial_or_stop(r, "acquire", st, &err);
	}
	step(r, "import");
	r->sec.path = r->path;
	r->im.password_cb = ask_password;
	r->im.password_ctx = &r->sec;
	return partial_or_stop(r, "import", cu_import_run(r->c, r->path, &r->im, &r->ist, &err),
			       &err);
}

/* 3. parse. */
static int parse_case(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	step(r, "parse");
	int rc = partial_or_stop(r, "parse", cu_parse_case_run(r->c, &r->po, &r->pst, &err), &err);
	if (rc != GO)
		return rc;
	cu_error_clear(&err);
	/* Like a failed report, a failed analysis does not stop the seal. */
	if (cu_analysis_run(r->c, &r->ana, NULL, &err) != CU_OK) {
		r->is_partial = true;
		partial(r, "analyze", &err);
	}
	return GO;
}

/* 4. report (inside the package: carries the content root). A failed
 * report does not stop the seal: the evidence is sealed anyway. */
static int report_case(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	step(r, "report");
	if (cu_report_case(r->c, &r->ro, &r->rres, &err) != CU_OK) {
		r->is_partial = true;
		partial(r, "report", &err);
		cu_error_clear(&err);
		if (cu_custody_append(r->c->custody, "ERROR", cu_case_default_actor(),
				      "{\"step\":\"report\"}", NULL, NULL, &err) != CU_OK)
			partial(r, "custody", &err);
	}
	return GO;
}

/* 5. seal. */
static int seal_case(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	step(r, "seal");
	r->so.output = r->out;
	if (cu_seal_case(r->c, &r->so, &r->sres, &err) != CU_OK) {
		int rc = cu_cli_fail(r->cli, &err);
		fprintf(stderr, "custos run: nothing sealed; the case stays in '%s'\n",
			r->casedir.data);
		return rc;
	}
	return GO;
}

/* 6. the forms with the seal hash, beside the package. */
static int write_forms(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	step(r, "forms");
	if (cu_report_forms_for_package(r->sres.package, &r->ro, cu_case_default_actor(), r->signer,
					&r->fres, &err) != CU_OK) {
		r->is_partial = true;
		partial(r, "forms", &err);
	} else {
		r->forms_ok = true;
	}
	return GO;
}

/* 7. verify the package as a court would. */
static int verify_package(struct run *r)
{
	struct cu_error err;

	cu_error_clear(&err);
	step(r, "verify");
	if (cu_verify_package(r->sres.package, &r->vo, &r->vrep, &err) != CU_OK)
		return cu_cli_fail(r->cli, &err);
	for (size_t i = 0; i < r->vrep.n; i++)
		if (!r->vrep.checks[i].ok)
			fprintf(stderr, "custos run: verify: FAIL %s: %s\n", r->vrep.checks[i].name,
				r->vrep.checks[i].detail ? r->vrep.checks[i].detail : "");
	return GO;
}

static void print_summary_json(const struct run *r)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	struct cu_json j;

	cu_error_clear(&err);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "status", !r->vrep.ok ? "failed" : r->is_partial ? "partial" : "ok");
	cu_json_kv_str(&j, "case_dir", r->c->dir);
	cu_json_kv_str(&j, "item", r->ist.item);
	cu_json_kv_int(&j, "items", (int64_t)r->rres.items);
	cu_json_kv_int(&j, "files", (int64_t)r->sres.files);
	cu_json_kv_int(&j, "bytes", (int64_t)r->sres.bytes);
	cu_json_kv_int(&j, "messages", (int64_t)r->pst.messages);
	cu_json_kv_int(&j, "payments", (int64_t)r->pst.payments);
	cu_json_kv_int(&j, "recovered", (int64_t)r->pst.recovered);
	cu_json_kv_int(&j, "not_examined", (int64_t)r->pst.not_examined);
	cu_json_kv_int(&j, "hits", (int64_t)r->rres.hits);
	cu_json_kv_str(&j, "package", r->sres.package);
	cu_json_kv_str(&j, "forms", r->forms_ok ? r->fres.dir : NULL);
	cu_json_kv_bool(&j, "verified", r->vrep.ok);
	cu_json_kv_str(&j, "seal_hash", r->sres.seal_hash);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &err) == CU_OK)
		printf("%s\n", b.data);
	cu_buf_release(&b);
}

static void print_summary(const struct run *r)
{
	char g[80];

	printf("case:      %s\n", r->c->dir);
	printf("items:     %llu (%s as item %s)\n", (unsigned long long)r->rres.items,
	       r->path ? "imported" : "acquired", r->ist.item);
	printf("files:     %llu (%llu bytes)\n", (unsigned long long)r->sres.files,
	       (unsigned long long)r->sres.bytes);
	printf("messages:  %llu\n", (unsigned long long)r->pst.messages);
	printf("payments:  %llu\n", (unsigned long long)r->pst.payments);
	printf("recovered: %llu (deleted rows found again; marked in the report)\n",
	       (unsigned long long)r->pst.recovered);
	printf("not examined: %llu (files no parser read; listed in the report)\n",
	       (unsigned long long)r->pst.not_examined);
	if (r->pst.not_examined) {
		struct cu_buf db = CU_BUF_INIT;
		struct cu_error e;

		cu_error_clear(&e);
		if (cu_case_path(r->c, CU_CASE_DB, &db, &e) != CU_OK ||
		    cu_parse_print_not_examined(db.data, stdout, &e) != CU_OK)
			fprintf(stderr, "custos run: %s\n", e.msg);
		cu_buf_release(&db);
	}
	printf("hits:      %llu\n", (unsigned long long)r->rres.hits);
	printf("report:    %s/report/index.html\n", r->c->dir);
	printf("package:   %s\n", r->sres.package);
	if (r->forms_ok)
		printf("forms:     %s\n", r->fres.dir);
	printf("verified:  %s\n", r->vrep.ok ? "all checks passed" : "FAILED");
	printf("status:    %s\n", r->is_partial ? "partial (see the custody log)" : "complete");
	cu_report_group_hex(r->sres.seal_hash, g);
	printf("seal hash: %s\n%s\n", g, r->sres.seal_hash);
}

int cu_cmd_run(struct cu_cli *cli, int argc, char **argv)
{
	static int (*const steps[])(struct run *) = {
	    prepare,     init_case, import_image, parse_case,
	    report_case, seal_case, write_forms,  verify_package,
	};
	struct run *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->examiners = calloc(2 * ((size_t)argc + 1), sizeof(*r->examiners))) == NULL) {
		free(r);
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	r->cli = cli;
	r->ana.lexicon_files = (const char *const *)r->examiners + argc + 1; /* --lexicon */
	cu_buf_init(&r->casedir, CU_BUF_DEFAULT_MAX);
	cu_verify_report_init(&r->vrep);
	r->im.hash_algs = CU_HASH_DEFAULT;
	r->so.hash_algs = CU_HASH_DEFAULT;

	rc = parse_args(r, cli, argc, argv);
	for (size_t i = 0; rc == GO && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = steps[i](r);
	if (rc == GO) {
		if (cli->json)
			print_summary_json(r);
		else if (!cli->quiet)
			print_summary(r);
		rc = !r->vrep.ok ? 1 : r->is_partial ? 5 : 0;
	}
	cu_verify_report_release(&r->vrep);
	cu_signer_free(r->signer);
	cu_case_close(r->c);
	cu_buf_release(&r->casedir);
	free(r->examiners);
	free(r);
	return rc;
}
