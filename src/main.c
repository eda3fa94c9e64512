/*
 * main.c - `custos`: global options, then a git-style verb (CLI.md).
 */
#include "config.h"
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cu_verb cu_verbs[] = {
    {"devices", "list attached iOS and Android devices",
     "custos devices [--adb-connect HOST:PORT] [--json]\n"
     "  List attached iPhones (usbmuxd; honours USBMUXD_SOCKET_ADDRESS) and Android\n"
     "  (USB ADB) devices, and the one at HOST:PORT over TCP: id, platform,\n"
     "  transport, model, state (iOS: ready / untrusted / locked / unavailable;\n"
     "  Android: ready / unauthorized / offline / busy) and what to do for a phone\n"
     "  not ready. With --json, an array of objects {id, platform, transport, state,\n"
     "  model, product, device, advice} (iOS adds name and ios_version).\n",
     cu_cmd_devices},
    {"case", "create a case directory; record changes to its manifest",
     "custos case init DIR --case-id ID [--manifest SEIZURE.json] [--examiner NAME]...\n"
     "                 [--keep-ids] [--sign KEY.pem] [--sign-key KEY.pem] [--json]\n"
     "       custos case set FIELD VALUE --reason TEXT [--string] [--sign KEY.pem]\n"
     "       custos case edit [--from FILE] --reason TEXT [--adopt] [--sign KEY.pem]\n"
     "  init: create a case directory with its seizure manifest and the first custody\n"
     "  entry. The manifest is validated against docs/manifest.schema.json; every\n"
     "  missing mandatory field is listed by name. The manifest as first given is\n"
     "  kept unchanged in CASE/manifest.initial.json. The first --examiner is the\n"
     "  case's default examiner; --sign-key (or CUSTOS_SIGN_KEY) makes a signed\n"
     "  case whose every custody entry is signed by that key.\n"
     "  set: change one field of CASE/manifest.json. FIELD is a path of object keys\n"
     "  joined by '.' with list elements as [N] ([N] one past the end appends):\n"
     "  case.case_number, seizure.items[0].identifiers.imei[0]. VALUE is read as\n"
     "  JSON when it parses as JSON (42, true, null, [\"a\"], {\"k\":1}, \"text\"),\n"
     "  else taken as text; --string always takes it as text (an IMEI typed as\n"
     "  digits is a JSON number: quote it or give --string).\n"
     "  edit: open a copy of the manifest in $VISUAL or $EDITOR, or take the whole\n"
     "  new manifest from --from FILE; --adopt records a manifest.json changed\n"
     "  outside custos as found.\n"
     "  set and edit validate the result against the schema and refuse invalid\n"
     "  fields (exit 3); each writes a MANIFEST_CHANGE custody entry with the\n"
     "  reason, the changed paths with old and new values, and the manifest's\n"
     "  SHA-256 before and after. verify and seal refuse a manifest.json whose\n"
     "  hash no custody entry explains.\n",
     cu_cmd_case},
    {"acquire", "acquire one device into the case",
     "custos acquire (--device UDID|SERIAL | --adb-connect HOST:PORT) [--item ITEM-ID]\n"
     "               [--new-item --reason TEXT] [--resume] [--root] [--adb-backup]\n"
     "               [--hash sm3] [--adb-key FILE] [--auth-wait SECONDS] [--json]\n"
     "               [--media] [--backup-password-file F] [--set-backup-password-file F]\n"
     "               [--remove-backup-password]\n"
     "  An iPhone (--device UDID, listed by usbmuxd): lockdownd facts, installed apps,\n"
     "  a full backup over mobilebackup2 hashed as received and laid out as `custos\n"
     "  import` lays out a backup, --media: DCIM and friends over AFC. An encrypted\n"
     "  backup is decoded with --backup-password-file F, else kept whole (exit 5)\n"
     "  and decoded later by --resume --backup-password-file F. Opt-in: set a known\n"
     "  temporary backup password first (--set-backup-password-file F) and remove\n"
     "  it afterwards (--remove-backup-password); both are DEVICE_CHANGE entries.\n"
     "  An Android phone over custos's own ADB stack (no adb binary or server): by\n"
     "  USB serial or HOST:PORT over TCP. Records the device clock against the\n"
     "  workstation's, getprop, IMEI/ICCID/number where the OS\n"
     "  allows, battery, airplane mode, screen lock, accounts, users, work profiles,\n"
     "  app clones and packages; SMS, MMS, call log and contacts (content query);\n"
     "  all of /sdcard over sync, hashed as received. Every command sent is a\n"
     "  COMMAND custody entry with the SHA-256 of its output; nothing is written to\n"
     "  the phone. --root: /data/data of WeChat, QQ, WhatsApp, Telegram, Alipay via\n"
     "  su (a DEVICE_CHANGE entry first). --adb-backup: an adb backup .ab kept as\n"
     "  evidence and its members unpacked. A cut cable or a killed run leaves the\n"
     "  case resumable: --resume finishes it.\n"
     "  The RSA key is $CUSTOS_ADB_KEY or ~/.config/custos/adbkey (made on first use).\n",
     cu_cmd_acquire},
    {"import", "ingest a phone image made elsewhere",
     "custos import PATH [--format auto|ios-backup|android-tar|android-zip|android-dir|\n"
     "                    android-ab|dir] [--item ITEM-ID] [--password-file F] [--resume]\n"
     "                   [--hash sm3] [--mount-point P] [--derived-key-file F]\n"
     "                   [--save-derived-key F] [--new-item] [--again] [--reason TEXT]\n"
     "                   [--max-expansion N]\n"
     "  Ingest an image made elsewhere (iTunes/Finder/idevicebackup2 backup,\n"
     "  encrypted or not; Android file-system dump as directory, tar, tar.gz or\n"
     "  zip; adb backup .ab). Every byte is hashed once while copied.\n"
     "  Item: without --item, the manifest's only seizure item; with several\n"
     "  listed, --item is required; an item the list does not name needs\n"
     "  --new-item --reason TEXT. Only a manifest with no seizure items files\n"
     "  the data under the phone's serial (or ITEM1, ITEM2...).\n"
     "  The same source is never imported twice into one item (finish a broken\n"
     "  import with --resume); the same image into another item needs\n"
     "  --again --reason TEXT. Facts read from the device that contradict the\n"
     "  seizure record are MISMATCH custody entries and warnings.\n"
     "  Passwords: --password-file F, or CUSTOS_PASSWORD, or a prompt.\n"
     "  An archive may write at most N times its size (--max-expansion, default\n"
     "  100, never less than 64 MiB) and never fill the case's disk.\n",
     cu_cmd_import},
    {"parse", "parse artifacts into case.db",
     "custos parse [--item ITEM-ID] [--imei IMEI]... [--whatsapp-key F] [--lexicon FILE]...\n"
     "             [--json]\n"
     "  Parse every known artifact of the case's items into CASE/case.db; files\n"
     "  no parser read are listed (case.db not_examined) with the reason.\n"
     "  --whatsapp-key F: the WhatsApp backup key file (key, encrypted_backup.key,\n"
     "  or a file with the 64-hex key) for .crypt12/.crypt14/.crypt15 backups.\n"
     "  --imei IMEI (repeatable) is tried as a WeChat/QQ key candidate after the\n"
     "  manifest's IMEIs, for every item parsed (give --item to restrict it); it is\n"
     "  recorded in the PARSE entry (imei_given), the manifest is not changed.\n"
     "  Then analyses the case as `custos analyze [--lexicon FILE]...` does.\n",
     cu_cmd_parse},
    {"analyze", "find code words, identifiers and links in case.db",
     "custos analyze [--lexicon FILE]... [--graph FILE.graphml|FILE.dot|FILE.svg] [--json]\n"
     "  Fill case.db's hits (drug code words of the shipped lexicon and each --lexicon\n"
     "  FILE; crypto addresses, tracking numbers, pick-up codes, bank cards and phone\n"
     "  numbers, each validated) and links (the same identifier on several items)\n"
     "  again, and record an ANALYZE custody entry. parse and run do this too.\n"
     "  --graph writes the contact/ring graph (format from the name).\n",
     cu_cmd_analyze},
    {"recover", "recover deleted SQLite records",
     "custos recover FILE.db... [--json] [--wal FILE] [--journal FILE] [--live]\n"
     "               [--duplicates] [--time-limit SECONDS]\n"
     "  Recover deleted and superseded records from SQLite files (with their\n"
     "  -wal/-journal beside them, never written). --json prints one JSON object\n"
     "  per record (docs/cli.md, docs/recovery.md).\n",
     cu_cmd_recover},
    {"report", "write the court report and the Chinese forms",
     "custos report [--format html|docx|all] [--tz ZONE] [--page-rows N] [--examiner NAME]\n"
     "custos report --forms-for PACKAGE.zip [--examiner NAME] [--sign KEY.pem]\n"
     "  Write CASE/report/: the court report and the Chinese forms (they carry the\n"
     "  content root). --forms-for writes <package>.forms/ with the seal hash and\n"
     "  records their printing in the package's living custody log.\n",
     cu_cmd_report},
    {"export", "export case.db rows (CSV, xlsx, JSON) or the case as CASE/UCO",
     "custos export KIND [--format FORMAT] [-o FILE] [--tz ZONE] [--json]\n"
     "  KIND: messages, calls, contacts, payments, timeline, hits, links (csv,\n"
     "  xlsx, json), case-uco (jsonld) or graph (graphml, dot). Every row names its\n"
     "  source file, its SHA-256 and table/rowid or page/offset; times in UTC and\n"
     "  in ZONE. CSV: RFC 4180, UTF-8 with BOM; cells that start with = + - @ are\n"
     "  prefixed with '. Default output CASE/exports/KIND.FORMAT; recorded as an\n"
     "  EXPORT custody entry (SHA-256).\n",
     cu_cmd_export},
    {"custody", "append to, print or check the custody log",
     "custos custody add --action ACTION --actor NAME [--actor-id ID] [--role ROLE]\n"
     "                   [--to NAME] [--note TEXT] [--log FILE] [--sign KEY.pem] [--repair]\n"
     "custos custody show [--log FILE] [--json]\n"
     "custos custody verify [--log FILE] [--pubkey KEY.pem] [--manifest FILE]\n"
     "                      [--expect-size N] [--expect-head H] [--expect-root H] [--json]\n"
     "  Append to / print / check the hash-chained custody log. ACTION is one of\n"
     "  SEIZE DEVICE_STATE DEVICE_CHANGE TRANSFER RECEIVE VERIFY UNSEAL PRINT SIGN NOTE.\n",
     cu_cmd_custody},
    {"seal", "seal the case into an evidence package",
     "custos seal [-o FILE.zip|DIR] [--sign KEY.pem] [--encrypt] [--password-file F]\n"
     "            [--hash sm3] [--allow-incomplete] [--json]\n"
     "  Seal the case into a package (PACKAGE.md). The seal hash is printed last.\n",
     cu_cmd_seal},
    {"verify", "verify a package or a case directory",
     "custos verify PACKAGE.zip|CASE-DIR [--pubkey KEY.pem] [--expect-sha256 H]\n"
     "              [--tsr FILE] [--tsa-ca FILE] [--password-file F]\n"
     "              [--prove PATH] [--proof FILE] [--json]\n"
     "  Verify everything; exit 0 only if every check passes, 1 on a mismatch.\n"
     "  With --pubkey K, manifest.json.sig and the SEAL entry must be signed by K.\n",
     cu_cmd_verify},
    {"run", "the whole job in one go",
     "custos run (PATH | --device UDID|SERIAL | --adb-connect HOST:PORT) --case-id ID\n"
     "           -o OUT-DIR [--manifest SEIZURE.json] [--examiner NAME] [--item ITEM]\n"
     "           [--format F] [--password-file F] [--sign KEY.pem] [--hash sm3]\n"
     "           [--report-format F] [--tz ZONE] [--allow-incomplete] [--root]\n"
     "           [--adb-backup] [--media] [--backup-password-file F] [--lexicon FILE]...\n"
     "           [--json]\n"
     "  Case init, acquire or import, parse, report, seal and verify.\n",
     cu_cmd_run},
    {"keygen", "create an examiner signing key",
     "custos keygen -o KEY.pem [--json]\n"
     "  Create an Ed25519 examiner signing key (mode 0600) and KEY.pub.pem.\n",
     cu_cmd_keygen},
    {NULL, NULL, NULL, NULL},
};

static const char global_usage[] =
    "usage: custos [--case DIR] [-q|--quiet] [-v|--verbose] [--json] [--examiner NAME]\n"
    "              [--sign-key KEY.pem] <command> [options]\n"
    "       custos --version\n"
    "       custos <command> --help\n";

static void print_help(void)
{
	printf("%s\ncommands:\n", global_usage);
	for (const struct cu_verb *v = cu_verbs; v->name; v++)
		printf("  %-9s %s\n", v->name, v->summary);
	printf("\ncommands that change the record name the examiner: --examiner NAME,\n"
	       "CUSTOS_EXAMINER, or the case's default (case init --examiner); a signed\n"
	       "case also needs its key: --sign-key KEY.pem or CUSTOS_SIGN_KEY.\n");
	printf("\nexit codes: 0 success, 1 integrity failure, 2 usage error, 3 input error,\n"
	       "            4 device error, 5 partial (failures recorded in the custody log)\n");
}

/* Commands that append to a custody record: they need a named examiner
 * and, in a signed case, the case key. */
static bool changes_record(const char *verb, int argc, char **argv)
{
	static const char *const verbs[] = {"acquire", "import",  "parse",  "report", "seal",
					    "run",     "analyze", "export", NULL};
	for (size_t i = 0; verbs[i] != NULL; i++)
		if (strcmp(verb, verbs[i]) == 0)
			return true;
	/* Every case subcommand but a bare "case" (usage) writes an entry. */
	if (strcmp(verb, "case") == 0)
		return argc > 1;
	return strcmp(verb, "custody") == 0 && argc > 1 && strcmp(argv[1], "add") == 0;
}

/* The value of the verb's own option `name` (--name V or --name=V) before
 * any "--", or NULL: a look ahead so the checks below run before the verb
 * starts work; the verb parses its options itself. */
static const char *verb_option(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
		if (strcmp(argv[i], name) == 0 && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

/*
 * Before a command that changes the record: a person must be named (the
 * entries say who acted), and a signed case needs its key. Returns the exit
 * code to stop with, or -1 to go on. *signer gets the key loaded (from
 * --sign-key, CUSTOS_SIGN_KEY, or the verb's --sign), owned by the caller.
 */
static int record_checks(struct cu_cli *cli, const char *verb, int argc, char **argv,
			 const char *key_path, struct cu_signer **signer)
{
	struct cu_case_settings cs;
	struct cu_error err;
	bool new_case =
	    (strcmp(verb, "case") == 0 && strcmp(argv[1], "init") == 0) || strcmp(verb, "run") == 0;
	bool have_case;
	const char *kp = key_path;

	cu_error_clear(&err);
	have_case = !new_case && cu_case_settings_read(cli->case_dir, &cs, NULL) == CU_OK;
	if (!cu_case_examiner_named() && verb_option(argc, argv, "--examiner") == NULL &&
	    strcmp(verb, "custody") != 0 /* custody add names its --actor */ &&
	    !(have_case && cs.examiner[0] != '\0')) {
		cu_error_set(&err, CU_E_USAGE,
			     "%s: no examiner is named, and every custody entry must say who "
			     "acted; nothing was done. Name the examiner: --examiner NAME, "
			     "CUSTOS_EXAMINER=NAME, or a case default with 'custos case init DIR "
			     "--examiner NAME'",
			     verb);
		return cu_cli_fail(cli, &err);
	}
	if (kp == NULL && (strcmp(verb, "seal") == 0 || strcmp(verb, "report") == 0 ||
			   strcmp(verb, "custody") == 0))
		kp = verb_option(argc, argv, "--sign");
	if (kp != NULL && cu_signer_load(kp, signer, &err) != CU_OK)
		return cu_cli_fail(cli, &err);
	if (*signer != NULL) {
		cu_custody_set_default_signer(*signer);
		if (cli->sign_key == NULL)
			cli->sign_key = kp;
	}
	if (have_case && cs.sign_key_id[0] != '\0') {
		if (*signer == NULL) {
			cu_error_set(
			    &err, CU_E_USAGE,
			    "%s: case '%s' is signed with key %s: every custody entry must be "
			    "signed; nothing was done. Give the case's private key with "
			    "--sign-key KEY.pem (before the command) or CUSTOS_SIGN_KEY=KEY.pem",
			    verb, cli->case_dir, cs.sign_key_id);
			return cu_cli_fail(cli, &err);
		}
		if (strcmp(cu_signer_key_id(*signer), cs.sign_key_id) != 0) {
			cu_error_set(
			    &err, CU_E_KEY,
			    "%s: case '%s' is signed with key %s, but '%s' is key %s; nothing "
			    "was done. Give the case's own private key",
			    verb, cli->case_dir, cs.sign_key_id, kp, cu_signer_key_id(*signer));
			return cu_cli_fail(cli, &err);
		}
	}
	return -1;
}

/* Global options, then the verb. */
static int run(int argc, char **argv)
{
	struct cu_cli cli = {.case_dir = "."};
	static const struct option opts[] = {
	    {"case", required_argument, NULL, 'C'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, 'j'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {"examiner", required_argument, NULL, 'E'},
	    {"sign-key", required_argument, NULL, 'K'},
	    {NULL, 0, NULL, 0},
	};
	int c, rc;
	const char *examiner = NULL, *key_path = NULL;
	struct cu_signer *signer = NULL;
	struct cu_error err;

	/* "+" stops at the verb: its options are its own. */
	while ((c = cu_cli_getopt(argc, argv, "+qvh", opts)) != -1) {
		switch (c) {
		case 'C': cli.case_dir = optarg; break;
		case 'q': cli.quiet = true; break;
		case 'v': cli.verbose = true; break;
		case 'j': cli.json = true; break;
		case 'V': cu_cli_print_version(); return 0;
		case 'h': print_help(); return 0;
		case 'E': examiner = optarg; break;
		case 'K': key_path = optarg; break;
		default: fputs(global_usage, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "custos: no command given\n%s", global_usage);
		return 2;
	}

	cu_log_set_level(cli.quiet ? CU_LOG_ERROR : cli.verbose ? CU_LOG_DEBUG : CU_LOG_INFO);
	cu_progress_enable(!cli.quiet && !cli.json && isatty(STDERR_FILENO));

	const struct cu_verb *verb = cu_cli_verb(argv[optind]);
	if (verb == NULL) {
		fprintf(stderr, "custos: unknown command '%s'\n%s", argv[optind], global_usage);
		return 2;
	}
	int vargc = argc - optind;
	char **vargv = argv + optind;
	if (cu_cli_wants_help(vargc, vargv))
		return cu_cli_usage(verb->name, false);
	cu_error_clear(&err);
	if (examiner != NULL &&
	    (examiner[0] == '\0' || !cu_utf8_valid(examiner, strlen(examiner)) ||
	     cu_case_set_actor(examiner, NULL, "examiner", &err) != CU_OK)) {
		fprintf(stderr, "custos: --examiner: %s\n",
			err.msg[0] ? err.msg : "the name is empty or not valid UTF-8");
		return 2;
	}
	if (key_path == NULL && getenv("CUSTOS_SIGN_KEY") != NULL &&
	    getenv("CUSTOS_SIGN_KEY")[0] != '\0')
		key_path = getenv("CUSTOS_SIGN_KEY");
	if (changes_record(verb->name, vargc, vargv) &&
	    (rc = record_checks(&cli, verb->name, vargc, vargv, key_path, &signer)) >= 0) {
		cu_signer_free(signer);
		return rc;
	}
	optind = 1; /* verbs parse their own options from vargv */
	rc = verb->run(&cli, vargc, vargv);
	cu_custody_set_default_signer(NULL);
	cu_signer_free(signer);
	return rc;
}

int main(int argc, char **argv)
{
	struct cu_error err = {0};

	/* First, for every command: a core dump taken while a backup password,
	 * a key derived from it, a package password or a private signing key
	 * is held would write it to disk. Which command ends up holding a
	 * secret is known only later (an image turns out to be encrypted, a
	 * --sign key is loaded deep inside seal), so the whole process is made
	 * non-dumpable before any argument is looked at. The secrets
	 * themselves are locked and wiped (cu_secret_* in core/secret.c). */
	if (cu_secret_no_core_dumps(&err) != CU_OK) {
		fprintf(stderr, "custos: %s\n", err.msg);
		return 3;
	}
	/* Under --json, every failure ends as one JSON error object on
	 * stdout, including usage errors found before the verb runs. */
	cu_cli_json_errors_begin(argc, argv);
	return cu_cli_json_errors_end(run(argc, argv));
}
