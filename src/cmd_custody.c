/*
 * cmd_custody.c - `custos custody add | show | verify` (CLI.md).
 *
 * By default they work on the case's custody/log.jsonl (--case DIR);
 * --log FILE names another log, typically a sealed package's living
 * sidecar <package>.custody.jsonl, which goes on after sealing with
 * PRINT / SIGN / TRANSFER / RECEIVE / VERIFY / UNSEAL entries.
 */
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char custody_usage[] =
    "usage: custos custody add --action ACTION --actor NAME [--actor-id BADGE]\n"
    "                          [--role ROLE] [--to NAME] [--note TEXT] [--log FILE]\n"
    "                          [--sign KEY.pem] [--repair]\n"
    "       custos custody show [--log FILE] [--json]\n"
    "       custos custody verify [--log FILE] [--pubkey KEY.pem] [--expect-head HEX]\n"
    "                             [--expect-root HEX] [--expect-size N]\n"
    "                             [--manifest MANIFEST.json] [--json]\n";

#define LOG_MAX ((size_t)1 << 30)

/* Prints s for a terminal: control bytes (and so escape sequences from a
 * hostile note) become '?'. */
static void put_safe(const char *s, int width)
{
	int n = 0;
	for (; s != NULL && *s; s++, n++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	for (; n < width; n++)
		putchar(' ');
}

static const char *log_path(const struct cu_cli *cli, const char *log, struct cu_buf *b,
			    struct cu_error *err)
{
	if (log != NULL)
		return log;
	cu_buf_reset(b);
	if (cu_path_join(cli->case_dir, CU_CASE_CUSTODY, b, err) != CU_OK)
		return NULL;
	return b->data;
}

/* Events custos records itself (CUSTODY.md). DEVICE_CHANGE, SEIZE and
 * DEVICE_STATE may also be written by hand (a change the examiner made). */
static const char *const tool_events[] = {
    "CASE_INIT", "ACQUIRE_START", "COMMAND", "ACQUIRE_END",     "IMPORT", "DERIVE", "PARSE",
    "REPORT",    "SEAL",          "ERROR",   "MANIFEST_CHANGE", "EXPORT", NULL,
};

/* {"key": val}, or {} when val is NULL, into out; *bad_utf8 is set when val
 * is not valid UTF-8 (the writer replaced bytes: nothing may be recorded). */
static enum cu_status one_field(struct cu_buf *out, const char *key, const char *val,
				bool *bad_utf8, struct cu_error *err)
{
	struct cu_json j;
	enum cu_status st;

	cu_json_init(&j, out);
	cu_json_obj_begin(&j);
	if (val != NULL)
		cu_json_kv_str(&j, key, val);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) == CU_OK && j.replaced > 0)
		*bad_utf8 = true;
	return st;
}

/* The actions a person may record by hand (docs/custody.md): a fixed
 * vocabulary, so every entry means one documented thing; anything else
 * goes into a NOTE. */
static const char *const human_events[] = {
    "SEIZE",  "DEVICE_STATE", "DEVICE_CHANGE", "TRANSFER", "RECEIVE", "VERIFY",
    "UNSEAL", "PRINT",        "SIGN",          "NOTE",     NULL,
};

static void list_events(FILE *f, const char *const *v)
{
	for (size_t i = 0; v[i] != NULL; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
}

/* ------------------------------------------------------------------ */

static int custody_add(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"action", required_argument, NULL, 'a'},
	    {"actor", required_argument, NULL, 'n'},
	    {"actor-id", required_argument, NULL, 'i'},
	    {"role", required_argument, NULL, 'r'},
	    {"to", required_argument, NULL, 't'},
	    {"note", required_argument, NULL, 'N'},
	    {"log", required_argument, NULL, 'l'},
	    {"sign", required_argument, NULL, 's'},
	    {"repair", no_argument, NULL, 'R'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	const char *action = NULL, *to = NULL, *note = NULL, *log = NULL, *key = NULL;
	struct cu_actor actor = {NULL, NULL, "examiner"};
	struct cu_custody *c = NULL;
	struct cu_case *cs = NULL;
	struct cu_signer *signer = NULL;
	struct cu_buf subject = CU_BUF_INIT, details = CU_BUF_INIT;
	struct cu_error err;
	bool bad_utf8 = false;
	bool repair = false, json = cli->json;
	int ch, rc = 2;
	char event[40];
	unsigned char head[32];
	char hex[65];

	cu_error_clear(&err);
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'a': action = optarg; break;
		case 'n': actor.name = optarg; break;
		case 'i': actor.id = optarg; break;
		case 'r': actor.role = optarg; break;
		case 't': to = optarg; break;
		case 'N': note = optarg; break;
		case 'l': log = optarg; break;
		case 's': key = optarg; break;
		case 'R': repair = true; break;
		case 'j': json = true; break;
		default: fputs(custody_usage, stderr); return 2;
		}
	}
	if (optind != argc || action == NULL || actor.name == NULL || actor.name[0] == '\0') {
		fprintf(stderr, "custos: custody add needs --action and --actor\n%s",
			custody_usage);
		return 2;
	}
	/* "transfer" means TRANSFER; events only the tool records are refused
	 * so a hand-made entry can never pose as an acquisition or a seal. */
	if (strlen(action) >= sizeof(event)) {
		fprintf(stderr, "custos: action '%s' is too long\n", action);
		return 2;
	}
	for (size_t i = 0; action[i]; i++)
		event[i] =
		    action[i] >= 'a' && action[i] <= 'z' ? (char)(action[i] - 32) : action[i];
	event[strlen(action)] = '\0';
	for (size_t i = 0; tool_events[i] != NULL; i++) {
		if (strcmp(event, tool_events[i]) == 0) {
			fprintf(
			    stderr,
			    "custos: %s entries are recorded by custos itself, not by custody "
			    "add (use TRANSFER, RECEIVE, NOTE, PRINT, SIGN, VERIFY, UNSEAL...)\n",
			    event);
			return 2;
		}
	}
	{
		bool known = false;
		for (size_t i = 0; human_events[i] != NULL && !known; i++)
			known = strcmp(event, human_events[i]) == 0;
		if (!known) {
			fprintf(
			    stderr,
			    "custos: unknown custody action '%s'; nothing was recorded. custody "
			    "add accepts: ",
			    action);
			list_events(stderr, human_events);
			fputs(" (anything else: --action NOTE --note TEXT)\n", stderr);
			return 2;
		}
	}
	action = event;
	if (!cu_utf8_valid(actor.name, strlen(actor.name)) ||
	    (actor.id != NULL && !cu_utf8_valid(actor.id, strlen(actor.id))) ||
	    !cu_utf8_valid(actor.role, strlen(actor.role))) {
		fprintf(stderr, "custos: --actor / --actor-id / --role is not valid UTF-8 (check "
				"the terminal's encoding); nothing was recorded\n");
		return 2;
	}
	if (one_field(&subject, "to", to, &bad_utf8, &err) != CU_OK ||
	    one_field(&details, "note", note, &bad_utf8, &err) != CU_OK)
		goto fail;
	if (bad_utf8) {
		fprintf(stderr, "custos: --to / --note is not valid UTF-8 (check the terminal's "
				"encoding); nothing was recorded\n");
		goto out;
	}
	if (key != NULL && cu_signer_load(key, &signer, &err) != CU_OK)
		goto fail;
	if (log != NULL) {
		if (cu_custody_open(log, false, repair, &c, &err) != CU_OK)
			goto fail;
	} else {
		if (cu_case_open_ex(cli->case_dir, repair ? CU_CASE_REPAIR : 0, &cs, &err) != CU_OK)
			goto fail;
		c = cs->custody;
		if (actor.id == NULL)
			actor.id = cu_manifest_badge(cs->manifest, actor.name);
	}
	if (cu_custody_append(c, action, &actor, subject.data, details.data, signer, &err) != CU_OK)
		goto fail;
	cu_custody_head(c, head);
	cu_hex(head, 32, hex);
	if (json)
		printf("{\"seq\":%llu,\"event\":\"%s\",\"head\":\"%s\"}\n",
		       (unsigned long long)(cu_custody_size(c) - 1), action, hex);
	else if (!cli->quiet)
		printf("appended %s as seq %llu to %s; head %s\n", action,
		       (unsigned long long)(cu_custody_size(c) - 1), cu_custody_path(c), hex);
	rc = 0;
	goto out;
fail:
	rc = cu_cli_fail(cli, &err);
out:
	if (cs != NULL)
		cu_case_close(cs);
	else
		cu_custody_close(c);
	cu_signer_free(signer);
	cu_buf_release(&subject);
	cu_buf_release(&details);
	return rc;
}

/* ------------------------------------------------------------------ */

struct show_ctx {
	bool json;
	struct cu_json *j;
};

static enum cu_status show_entry(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct show_ctx *s = ctx;
	json_t *body = json_object_get(e->json, "body");
	json_t *actor = json_object_get(body, "actor");
	json_t *sig = json_object_get(e->json, "sig");
	char leaf[65];
	char *subj, *det;

	(void)err;
	cu_hex(e->leaf, 32, leaf);
	if (s->json) {
		cu_json_obj_begin(s->j);
		cu_json_key(s->j, "seq");
		cu_json_uint(s->j, e->seq);
		cu_json_kv_str(s->j, "leaf", leaf);
		cu_json_key(s->j, "body");
		cu_json_raw(s->j, e->body, e->body_len); /* the exact stored bytes */
		cu_json_key(s->j, "sig");
		if (sig != NULL)
			cu_json_jansson(s->j, sig);
		else
			cu_json_null(s->j);
		cu_json_obj_end(s->j);
		return CU_OK;
	}
	subj = json_dumps(json_object_get(body, "subject"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	det = json_dumps(json_object_get(body, "details"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%4llu  ", (unsigned long long)e->seq);
	put_safe(json_string_value(json_object_get(body, "time")), 24);
	printf("  ");
	put_safe(json_string_value(json_object_get(body, "event")), 12);
	printf("  ");
	put_safe(json_string_value(json_object_get(actor, "name")), 0);
	if (json_is_string(json_object_get(actor, "id"))) {
		printf(" (");
		put_safe(json_string_value(json_object_get(actor, "id")), 0);
		printf(")");
	}
	printf("%s  ", sig != NULL ? " [signed]" : "");
	if (subj != NULL && strcmp(subj, "{}") != 0) {
		put_safe(subj, 0);
		printf(" ");
	}
	if (det != NULL && strcmp(det, "{}") != 0)
		put_safe(det, 0);
	printf("\n");
	free(subj);
	free(det);
	return CU_OK;
}

static int custody_show(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"log", required_argument, NULL, 'l'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	const char *log = NULL, *path;
	struct cu_buf pb = CU_BUF_INIT, data = CU_BUF_INIT, out = CU_BUF_INIT;
	struct cu_error err;
	struct cu_custody_check chk;
	struct cu_json j;
	struct show_ctx s = {.json = cli->json, .j = &j};
	enum cu_status st;
	int ch, rc = 2;

	cu_error_clear(&err);
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'l': log = optarg; break;
		case 'j': s.json = true; break;
		default: fputs(custody_usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(custody_usage, stderr);
		return 2;
	}
	if ((path = log_path(cli, log, &pb, &err)) == NULL)
		goto fail;
	cu_buf_init(&data, LOG_MAX);
	if (cu_file_read_all(path, LOG_MAX, &data, &err) != CU_OK) {
		cu_error_prefix(&err, "custody log");
		goto fail;
	}
	if (s.json) {
		cu_json_init(&j, &out);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "log", path);
		cu_json_key(&j, "entries");
		cu_json_arr_begin(&j);
	} else {
		printf(" SEQ  TIME                      EVENT         ACTOR  SUBJECT DETAILS\n");
	}
	st = cu_custody_each_buf(data.data ? data.data : "", data.len, path, NULL, show_entry, &s,
				 &chk, &err);
	if (s.json) {
		char hex[65];
		cu_json_arr_end(&j);
		cu_json_kv_bool(&j, "ok", st == CU_OK);
		if (st == CU_OK) {
			cu_json_key(&j, "size");
			cu_json_uint(&j, chk.entries);
			cu_hex(chk.head, 32, hex);
			cu_json_kv_str(&j, "head", chk.entries ? hex : NULL);
			cu_hex(chk.root, 32, hex);
			cu_json_kv_str(&j, "root", hex);
		}
		if (st == CU_OK)
			cu_json_kv_str(&j, "error", NULL);
		else
			cu_cli_json_error_member(&j, cu_status_exit_code(st), err.msg);
		cu_json_obj_end(&j);
		struct cu_error jerr;
		if (cu_json_finish(&j, &jerr) != CU_OK) {
			err = jerr;
			goto fail;
		}
		printf("%s\n", out.data);
	}
	if (st != CU_OK)
		goto fail;
	if (!s.json && !cli->quiet) {
		char hex[65];
		cu_hex(chk.root, 32, hex);
		printf("%llu entries; root %s\n", (unsigned long long)chk.entries, hex);
	}
	rc = 0;
	goto out;
fail:
	rc = cu_cli_fail(cli, &err);
out:
	cu_buf_release(&pb);
	cu_buf_release(&data);
	cu_buf_release(&out);
	return rc;
}

/* ------------------------------------------------------------------ */

/*
 * --manifest FILE: the manifest's custody {size, head, root} (written at
 * seal) must be the head and root of the log's first `size` entries; the
 * log may go on after it (the living sidecar), never differ before it.
 */
static enum cu_status check_manifest_prefix(const char *manifest, const char *data, size_t n,
					    const char *path, struct cu_error *err)
{
	json_t *m = NULL, *cu;
	enum cu_status st;
	json_int_t size;
	const char *head, *root;

	if ((st = cu_json_load_file(manifest, (size_t)64 << 20, &m, err)) != CU_OK)
		return st;
	cu = json_object_get(m, "custody");
	size = json_integer_value(json_object_get(cu, "size"));
	head = json_string_value(json_object_get(cu, "head"));
	root = json_string_value(json_object_get(cu, "root"));
	if (!json_is_integer(json_object_get(cu, "size")) || size < 1 || head == NULL ||
	    root == NULL)
		st = cu_error_set(err, CU_E_FORMAT,
				  "manifest '%s' has no custody {size, head, root} record (not "
				  "sealed yet?)",
				  manifest);
	else if ((st = cu_custody_check_prefix(data, n, path, (uint64_t)size, head, root, err)) !=
		 CU_OK)
		cu_error_prefix(err, "against '%s'", manifest);
	json_decref(m);
	return st;
}

static int custody_verify(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"log", required_argument, NULL, 'l'},
	    {"pubkey", required_argument, NULL, 'p'},
	    {"expect-head", required_argument, NULL, 'H'},
	    {"expect-root", required_argument, NULL, 'R'},
	    {"expect-size", required_argument, NULL, 'S'},
	    {"manifest", required_argument, NULL, 'M'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	const char *log = NULL, *pubkey = NULL, *path, *exp_head = NULL, *exp_root = NULL;
	const char *exp_size = NULL, *manifest = NULL;
	struct cu_buf pb = CU_BUF_INIT, data = CU_BUF_INIT, out = CU_BUF_INIT;
	struct cu_error err;
	struct cu_custody_check chk;
	bool json = cli->json;
	enum cu_status st;
	char head[65] = "", root[65] = "";
	int ch, rc;

	cu_error_clear(&err);
	memset(&chk, 0, sizeof(chk));
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'l': log = optarg; break;
		case 'p': pubkey = optarg; break;
		case 'H': exp_head = optarg; break;
		case 'R': exp_root = optarg; break;
		case 'S': exp_size = optarg; break;
		case 'M': manifest = optarg; break;
		case 'j': json = true; break;
		default: fputs(custody_usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(custody_usage, stderr);
		return 2;
	}
	if ((path = log_path(cli, log, &pb, &err)) == NULL) {
		st = err.code;
		goto report;
	}
	cu_buf_init(&data, LOG_MAX);
	if ((st = cu_file_read_all(path, LOG_MAX, &data, &err)) != CU_OK) {
		cu_error_prefix(&err, "custody log");
		goto report;
	}
	st = cu_custody_verify_buf(data.data ? data.data : "", data.len, path, pubkey, &chk, &err);
	if (st == CU_OK) {
		uint64_t want;
		if (chk.entries > 0)
			cu_hex(chk.head, 32, head);
		cu_hex(chk.root, 32, root);
		if (exp_size != NULL && (!cu_parse_u64(exp_size, &want) || want != chk.entries))
			st = cu_error_set(&err, CU_E_INTEGRITY,
					  "custody log '%s' has %llu entries, expected %s", path,
					  (unsigned long long)chk.entries, exp_size);
		else if (exp_head != NULL && strcmp(exp_head, head) != 0)
			st = cu_error_set(
			    &err, CU_E_INTEGRITY,
			    "custody log '%s': head %s is not the expected %s (entries "
			    "removed or added?)",
			    path, head[0] ? head : "(empty)", exp_head);
		else if (exp_root != NULL && strcmp(exp_root, root) != 0)
			st = cu_error_set(&err, CU_E_INTEGRITY,
					  "custody log '%s': root %s is not the expected %s", path,
					  root, exp_root);
		else if (manifest != NULL)
			st = check_manifest_prefix(manifest, data.data ? data.data : "", data.len,
						   path, &err);
	}
report:
	if (json) {
		struct cu_json j;
		struct cu_error jerr;
		cu_json_init(&j, &out);
		cu_json_obj_begin(&j);
		cu_json_kv_bool(&j, "ok", st == CU_OK);
		cu_json_kv_str(&j, "log", path);
		cu_json_key(&j, "entries");
		cu_json_uint(&j, chk.entries);
		cu_json_kv_str(&j, "head", head[0] ? head : NULL);
		cu_json_kv_str(&j, "root", root[0] ? root : NULL);
		cu_json_key(&j, "signed_entries");
		cu_json_uint(&j, chk.signed_entries);
		cu_json_key(&j, "unverified_signatures");
		cu_json_uint(&j, chk.unverified_signatures);
		cu_json_kv_str(&j, "error", st == CU_OK ? NULL : err.msg);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &jerr) == CU_OK)
			printf("%s\n", out.data);
	}
	if (st != CU_OK) {
		rc = cu_cli_fail(cli, &err);
	} else {
		if (!json && !cli->quiet) {
			printf("custody log OK: %llu %s, %llu signed",
			       (unsigned long long)chk.entries,
			       chk.entries == 1 ? "entry" : "entries",
			       (unsigned long long)chk.signed_entries);
			if (chk.unverified_signatures > 0)
				printf(" (%llu not checked: %s)",
				       (unsigned long long)chk.unverified_signatures,
				       pubkey ? "signed by another key" : "give --pubkey");
			printf("\nhead %s\nroot %s\n", head[0] ? head : "(empty)", root);
		}
		rc = 0;
	}
	cu_buf_release(&pb);
	cu_buf_release(&data);
	cu_buf_release(&out);
	return rc;
}

int cu_cmd_custody(struct cu_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(custody_usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "add") == 0)
		return custody_add(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return custody_show(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return custody_verify(cli, argc - 1, argv + 1);
	fprintf(stderr, "custos: unknown custody command '%s'\n%s", argv[1], custody_usage);
	return 2;
}
