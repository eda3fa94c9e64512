/*
 * cmd_case.c - `custos case init DIR --case-id ID [--manifest FILE]
 * [--examiner NAME]... [--keep-ids]` (CLI.md), and the recorded manifest
 * changes `custos case set FIELD VALUE --reason TEXT` and `custos case edit
 * [--from FILE] --reason TEXT` (docs/manifest-changes.md).
 *
 * Creates the case directory, its manifest and the CASE_INIT custody entry
 * (cu_case_init). Missing mandatory manifest fields are a warning here, at
 * the scene: each is printed by name and recorded in CASE_INIT; the case is
 * created and the exit status is 0. Invalid fields stop it (exit 3).
 */
#include "src/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char init_usage[] =
    "usage: custos case init DIR --case-id ID [--manifest SEIZURE.json]\n"
    "                        [--examiner NAME]... [--keep-ids] [--sign KEY.pem]\n"
    "                        [--sign-key KEY.pem]\n"
    "       custos case set FIELD VALUE --reason TEXT [--string] [--sign KEY.pem]\n"
    "       custos case edit [--from FILE] --reason TEXT [--adopt] [--sign KEY.pem]\n";

static void print_missing(const struct cu_buf *missing, size_t n)
{
	fprintf(stderr,
		"custos: warning: %zu mandatory manifest field%s missing (needed for the "
		"forms; sealing will refuse unless --allow-incomplete; fill each in with "
		"'custos case set FIELD VALUE --reason TEXT'):\n",
		n, n == 1 ? " is" : "s are");
	for (size_t a = 0; missing->data != NULL && a < missing->len;) {
		const char *nl = memchr(missing->data + a, '\n', missing->len - a);
		size_t len = nl ? (size_t)(nl - (missing->data + a)) : missing->len - a;
		fprintf(stderr, "  - %.*s\n", (int)len, missing->data + a);
		a += len + 1;
	}
}

static int case_init(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"case-id", required_argument, NULL, 'i'},  {"manifest", required_argument, NULL, 'm'},
	    {"examiner", required_argument, NULL, 'e'}, {"keep-ids", no_argument, NULL, 'k'},
	    {"sign", required_argument, NULL, 's'},     {"sign-key", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},           {NULL, 0, NULL, 0},
	};
	struct cu_case_init_opts o = {0};
	const char *case_key_path = NULL;
	struct cu_signer *case_key = NULL;
	const char **examiners = NULL;
	size_t n_ex = 0;
	struct cu_buf missing = CU_BUF_INIT;
	struct cu_error err;
	struct cu_case *c = NULL;
	size_t n_missing = 0;
	const char *dir;
	struct cu_library libs[CU_CLI_LIBRARIES_MAX];
	const char *key = NULL;
	struct cu_signer *signer = NULL;
	bool json = cli->json;
	int ch, rc = 2;

	cu_error_clear(&err);
	examiners = calloc((size_t)argc + 1, sizeof(*examiners));
	if (examiners == NULL) {
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'i': o.case_id = optarg; break;
		case 'm': o.manifest_path = optarg; break;
		case 'e': examiners[n_ex++] = optarg; break;
		case 'k': o.keep_ids = true; break;
		case 's': key = optarg; break;
		case 'S': case_key_path = optarg; break;
		case 'j': json = true; break;
		default: fputs(init_usage, stderr); goto out;
		}
	}
	if (optind != argc - 1 || o.case_id == NULL) {
		fprintf(stderr, "custos: case init needs DIR and --case-id\n%s", init_usage);
		goto out;
	}
	dir = argv[optind];
	o.examiners = examiners;
	o.n_examiners = n_ex;
	cu_cli_case_libraries(&o, libs);
	if (n_ex > 0 && cu_case_set_actor(examiners[0], NULL, "examiner", &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}

	if (key != NULL) {
		if (cu_signer_load(key, &signer, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		o.signer = signer;
	}
	/* A signed case: every custody entry from CASE_INIT on is signed by
	 * this key (or CUSTOS_SIGN_KEY / --sign-key before the command). */
	if (case_key_path != NULL) {
		if (cu_signer_load(case_key_path, &case_key, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		o.case_key = case_key;
	}
	if (cu_case_init(dir, &o, &c, &missing, &n_missing, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (n_missing > 0 && !cli->quiet)
		print_missing(&missing, n_missing);
	if (json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "case_dir", c->dir);
		cu_json_kv_str(&j, "case_id", o.case_id);
		cu_json_key(&j, "missing_fields");
		cu_json_arr_begin(&j);
		for (size_t a = 0; missing.data != NULL && a < missing.len;) {
			const char *nl = memchr(missing.data + a, '\n', missing.len - a);
			size_t len = nl ? (size_t)(nl - (missing.data + a)) : missing.len - a;
			cu_json_strn(&j, missing.data + a, len);
			a += len + 1;
		}
		cu_json_arr_end(&j);
		cu_json_obj_end(&j);
		if ((rc = cu_cli_json_print(cli, &j, &b)) != 0)
			goto out;
	} else if (!cli->quiet) {
		printf("case %s created in %s\n", o.case_id, c->dir);
	}
	rc = 0;
out:
	cu_signer_free(signer);
	cu_signer_free(case_key);
	cu_case_close(c);
	cu_buf_release(&missing);
	free(examiners);
	return rc;
}

/* ------------------------------------------------------------------ */
/* case set / case edit                                                */
/* ------------------------------------------------------------------ */

#define EDIT_MAX ((size_t)64 << 20)

/* VALUE as JSON when it parses as JSON (a number, true, null, "text",
 * [..], {..}), else the text itself as a string. */
static json_t *value_of(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v != NULL ? v : json_string(text);
}

/* Runs $VISUAL or $EDITOR on path through sh (so "code -w" works), the
 * way git does: sh -c '$EDITOR "$@"' $EDITOR path. */
static enum cu_status run_editor(const char *path, struct cu_error *err)
{
	const char *ed = getenv("VISUAL");
	struct cu_buf cmd = CU_BUF_INIT;
	enum cu_status st;
	pid_t pid;
	int status;

	if (ed == NULL || ed[0] == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || ed[0] == '\0')
		return cu_error_set(err, CU_E_USAGE,
				    "case edit: neither VISUAL nor EDITOR is set: set one, or "
				    "give the new manifest with --from FILE");
	if ((st = cu_buf_printf(&cmd, err, "%s \"$@\"", ed)) != CU_OK)
		return st;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cu_buf_release(&cmd);
		return cu_error_errno(err, CU_E_IO, errno, "case edit: cannot start '%s'", ed);
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd.data, ed, path, (char *)NULL);
		_exit(127);
	}
	cu_buf_release(&cmd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cu_error_errno(err, CU_E_IO, errno, "case edit: waiting for '%s'",
					      ed);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cu_error_set(err, CU_E_USAGE,
				    "case edit: the editor '%s' failed (status %d): nothing "
				    "changed; the copy is kept in '%s'",
				    ed, WIFEXITED(status) ? WEXITSTATUS(status) : -1, path);
	return CU_OK;
}

/* The editor's copy: CASE/work/manifest.edit.<pid>.json, mode 0600. */
static enum cu_status edit_copy(struct cu_case *c, struct cu_buf *path, struct cu_error *err)
{
	struct cu_buf text = CU_BUF_INIT, rel = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_buf_printf(&rel, err, "work/manifest.edit.%ld.json", (long)getpid())) !=
		CU_OK ||
	    (st = cu_case_path(c, rel.data, path, err)) != CU_OK ||
	    (st = cu_manifest_serialize(c->manifest, &text, err)) != CU_OK)
		goto out;
	st = cu_file_write_atomic(path->data, text.data, text.len, 0600, err);
out:
	cu_buf_release(&text);
	cu_buf_release(&rel);
	return st;
}

static int case_change(struct cu_cli *cli, int argc, char **argv, bool edit)
{
	static const struct option opts[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {"from", required_argument, NULL, 'f'},
	    {"adopt", no_argument, NULL, 'a'},
	    {"sign", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"string", no_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_manifest_change_opts o = {.command = edit ? "edit" : "set"};
	struct cu_signer *signer = NULL;
	struct cu_case *c = NULL;
	struct cu_buf tmp = CU_BUF_INIT, text = CU_BUF_INIT;
	struct cu_error err;
	json_t *next = NULL, *value = NULL;
	const char *from = NULL, *key = NULL;
	size_t n = 0;
	bool json = cli->json, as_string = false, scalar = false;
	char hex[65];
	int ch, rc = 2;

	cu_error_clear(&err);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': o.reason = optarg; break;
		case 'f': from = optarg; break;
		case 'a': o.adopt = true; break;
		case 's': key = optarg; break;
		case 'j': json = true; break;
		case 'S': as_string = true; break;
		default: fputs(init_usage, stderr); goto out;
		}
	}
	if (edit ? optind != argc : (optind != argc - 2 || from != NULL)) {
		fprintf(stderr, "custos: case %s: %s\n%s", o.command,
			edit ? "takes no operands (the new manifest comes from the editor or "
			       "--from FILE)"
			     : "needs FIELD and VALUE (and no --from)",
			init_usage);
		goto out;
	}
	if (!edit && o.adopt) {
		fprintf(stderr, "custos: case set: --adopt belongs to case edit\n%s", init_usage);
		goto out;
	}
	if (o.reason == NULL || o.reason[0] == '\0') {
		fprintf(stderr,
			"custos: case %s needs --reason TEXT: every manifest change is recorded "
			"with its reason in the custody log\n%s",
			o.command, init_usage);
		goto out;
	}
	if (key != NULL) {
		if (cu_signer_load(key, &signer, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		o.signer = signer;
	}
	if (cu_case_open(cli->case_dir, &c, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (!edit) {
		if ((next = json_deep_copy(c->manifest)) == NULL ||
		    (value = as_string ? json_string(argv[optind + 1])
				       : value_of(argv[optind + 1])) == NULL) {
			fprintf(stderr, "custos: out of memory\n");
			rc = 3;
			goto out;
		}
		if (cu_manifest_set_path(next, argv[optind], value, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		scalar = json_is_number(value) || json_is_boolean(value) || json_is_null(value);
		value = NULL; /* taken over by next */
	} else {
		const char *src = from;
		if (src == NULL) {
			if (edit_copy(c, &tmp, &err) != CU_OK ||
			    run_editor(tmp.data, &err) != CU_OK) {
				rc = cu_cli_fail(cli, &err);
				goto out;
			}
			src = tmp.data;
		}
		if (cu_json_load_file(src, EDIT_MAX, &next, &err) != CU_OK) {
			cu_error_prefix(&err, "case edit: nothing changed%s%s",
					from ? ""
					     : "; your "
					       "edit is kept in ",
					from ? "" : tmp.data);
			rc = cu_cli_fail(cli, &err);
			if (from == NULL)
				cu_buf_reset(&tmp); /* keep the copy */
			goto out;
		}
	}
	if (cu_case_manifest_change(c, next, &o, &n, &err) != CU_OK) {
		bool was_json = scalar && err.code == CU_E_FORMAT;
		if (edit && from == NULL) {
			cu_error_prefix(&err,
					"case edit: nothing changed (your edit is kept in '%s')",
					tmp.data);
			cu_buf_reset(&tmp);
		}
		rc = cu_cli_fail(cli, &err);
		if (was_json)
			fprintf(stderr,
				"custos: note: VALUE '%s' was read as JSON (not text); to set it "
				"as text, give --string or quote it: '\"%s\"' (a list of text: "
				"'[\"%s\"]')\n",
				argv[optind + 1], argv[optind + 1], argv[optind + 1]);
		goto out;
	}
	if (cu_manifest_serialize(c->manifest, &text, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	cu_sha256_hex(text.data, text.len, hex);
	if (json)
		printf("{\"command\":\"case %s\",\"changes\":%zu,\"manifest_sha256\":\"%s\"}\n",
		       o.command, n, hex);
	else if (!cli->quiet)
		printf("manifest changed (%zu field%s), recorded in MANIFEST_CHANGE; manifest "
		       "sha256 %s\n",
		       n, n == 1 ? "" : "s", hex);
	rc = 0;
out:
	if (tmp.len > 0)
		(void)unlink(tmp.data);
	json_decref(next);
	json_decref(value);
	cu_buf_release(&tmp);
	cu_buf_release(&text);
	cu_signer_free(signer);
	cu_case_close(c);
	return rc;
}

int cu_cmd_case(struct cu_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(init_usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "init") == 0)
		return case_init(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return case_change(cli, argc - 1, argv + 1, false);
	if (strcmp(argv[1], "edit") == 0)
		return case_change(cli, argc - 1, argv + 1, true);
	fprintf(stderr, "custos: unknown case command '%s'\n%s", argv[1], init_usage);
	return 2;
}
