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
     "custos devices [--adb-connect HOST:PORT]\n"
     "  List attached iOS (usbmuxd) and Android (USB ADB) devices: id, platform,\n"
     "  model, state (ready / unauthorized / locked / untrusted).\n"
     "  With --json, an array of objects.\n",
     cu_cmd_devices},
    {"case", "create a case directory; record changes to its manifest",
     "custos case init DIR --case-id ID [--manifest SEIZURE.json] [--examiner NAME]...\n"
     "                 [--keep-ids] [--sign KEY.pem] [--json]\n"
     "       custos case set FIELD VALUE --reason TEXT [--string] [--sign KEY.pem]\n"
     "       custos case edit [--from FILE] --reason TEXT [--adopt] [--sign KEY.pem]\n"
     "  init: create a case directory with its seizure manifest and the first custody\n"
     "  entry. The manifest is validated against docs/manifest.schema.json; every\n"
     "  missing mandatory field is listed by name. The manifest as first given is\n"
     "  kept unchanged in CASE/manifest.initial.json.\n"
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
     "custos acquire [--device ID] [--adb-connect HOST:PORT] [--item ITEM-ID] [--resume]\n"
     "               [--media] [--backup-password-file F]\n"
     "  Acquire one device into the case. iOS by UDID (libimobiledevice; honours\n"
     "  USBMUXD_SOCKET_ADDRESS), Android by serial over USB or HOST:PORT over TCP.\n",
     cu_cmd_acquire},
    {"import", "ingest a phone image made elsewhere",
     "custos import PATH [--format auto|ios-backup|android-tar|android-zip|android-dir|\n"
     "                    android-ab|dir] [--item ITEM-ID] [--password-file F] [--resume]\n"
     "                   [--hash sm3] [--mount-point P] [--derived-key-file F]\n"
     "                   [--save-derived-key F]\n"
     "  Ingest an image made elsewhere (iTunes/Finder/idevicebackup2 backup,\n"
     "  encrypted or not; Android file-system dump as directory, tar, tar.gz or\n"
     "  zip; adb backup .ab). Every byte is hashed once while copied.\n"
     "  Passwords: --password-file F, or CUSTOS_PASSWORD, or a prompt.\n",
     cu_cmd_import},
    {"parse", "parse artifacts into case.db",
     "custos parse [--item ITEM-ID] [--imei IMEI]... [--json]\n"
     "  Parse every known artifact of the case's items into CASE/case.db.\n"
     "  --imei IMEI (repeatable) is tried as a WeChat/QQ key candidate after the\n"
     "  manifest's IMEIs, for every item parsed (give --item to restrict it); it is\n"
     "  recorded in the PARSE entry (imei_given), the manifest is not changed.\n",
     cu_cmd_parse},
    {"recover", "recover deleted SQLite records",
     "custos recover FILE.db [--json]\n"
     "  Recover deleted and superseded records from one SQLite file (with its\n"
     "  -wal/-journal beside it). --json prints one JSON object per record.\n",
     cu_cmd_recover},
    {"report", "write the court report and the Chinese forms",
     "custos report [--format html|docx|all] [--tz ZONE] [--page-rows N] [--examiner NAME]\n"
     "custos report --forms-for PACKAGE.zip [--examiner NAME] [--sign KEY.pem]\n"
     "  Write CASE/report/: the court report and the Chinese forms (they carry the\n"
     "  content root). --forms-for writes <package>.forms/ with the seal hash and\n"
     "  records their printing in the package's living custody log.\n",
     cu_cmd_report},
    {"custody", "append to, print or check the custody log",
     "custos custody add --action ACTION --actor NAME [--actor-id ID] [--role ROLE]\n"
     "                   [--to NAME] [--note TEXT] [--log FILE] [--sign KEY.pem] [--repair]\n"
     "custos custody show [--log FILE] [--json]\n"
     "custos custody verify [--log FILE] [--pubkey KEY.pem] [--manifest FILE]\n"
     "                      [--expect-size N] [--expect-head H] [--expect-root H] [--json]\n"
     "  Append to / print / check the hash-chained custody log.\n",
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
     "  Verify everything; exit 0 only if every check passes, 1 on a mismatch.\n",
     cu_cmd_verify},
    {"run", "the whole job in one go",
     "custos run (PATH | --device ID | --adb-connect HOST:PORT) --case-id ID -o OUT-DIR\n"
     "           [--manifest SEIZURE.json] [--examiner NAME] [--item ITEM] [--format F]\n"
     "           [--password-file F] [--sign KEY.pem] [--hash sm3] [--report-format F]\n"
     "           [--tz ZONE] [--allow-incomplete] [--json]\n"
     "  Case init, acquire or import, parse, report, seal and verify.\n",
     cu_cmd_run},
    {"keygen", "create an examiner signing key",
     "custos keygen -o KEY.pem [--json]\n"
     "  Create an Ed25519 examiner signing key (mode 0600) and KEY.pub.pem.\n",
     cu_cmd_keygen},
    {NULL, NULL, NULL, NULL},
};

static const char global_usage[] =
    "usage: custos [--case DIR] [-q|--quiet] [-v|--verbose] [--json] <command> [options]\n"
    "       custos --version\n"
    "       custos <command> --help\n";

static void print_help(void)
{
	printf("%s\ncommands:\n", global_usage);
	for (const struct cu_verb *v = cu_verbs; v->name; v++)
		printf("  %-9s %s\n", v->name, v->summary);
	printf("\nexit codes: 0 success, 1 integrity failure, 2 usage error, 3 input error,\n"
	       "            4 device error, 5 partial (failures recorded in the custody log)\n");
}

int main(int argc, char **argv)
{
	struct cu_cli cli = {.case_dir = "."};
	static const struct option opts[] = {
	    {"case", required_argument, NULL, 'C'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, 'j'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* "+" stops at the verb: its options are its own. */
	while ((c = getopt_long(argc, argv, "+qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'C': cli.case_dir = optarg; break;
		case 'q': cli.quiet = true; break;
		case 'v': cli.verbose = true; break;
		case 'j': cli.json = true; break;
		case 'V': cu_cli_print_version(); return 0;
		case 'h': print_help(); return 0;
		default: fputs(global_usage, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(global_usage, stderr);
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
	optind = 1; /* verbs parse their own options from vargv */
	return verb->run(&cli, vargc, vargv);
}
