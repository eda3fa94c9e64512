/*
 * cmd_acquire.c - `custos acquire` (CLI.md): one phone into the case. An
 * iPhone by UDID (--device UDID when usbmuxd lists it, or when the case
 * holds its unfinished acquisition): extract/ios/acquire.c. An Android
 * phone over custos's own ADB stack, by USB serial (--device) or TCP
 * address (--adb-connect): extract/android/acquire.c. This file parses
 * options and prints the result.
 */
#include "extract/extract.h"
#include "extract/ios/device.h"
#include "src/cli.h"

#include <getopt.h>
#include <string.h>

int cu_cmd_acquire(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"device", required_argument, NULL, 'd'},
	    {"adb-connect", required_argument, NULL, 'c'},
	    {"item", required_argument, NULL, 'i'},
	    {"new-item", no_argument, NULL, 'n'},
	    {"reason", required_argument, NULL, 'R'},
	    {"resume", no_argument, NULL, 'r'},
	    {"root", no_argument, NULL, 'S'},
	    {"adb-backup", no_argument, NULL, 'B'},
	    {"no-sdcard", no_argument, NULL, 'M'},
	    {"sdcard", required_argument, NULL, 'P'},
	    {"hash", required_argument, NULL, 'H'},
	    {"adb-key", required_argument, NULL, 'k'},
	    {"auth-wait", required_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"media", no_argument, NULL, 'm'},
	    {"backup-password-file", required_argument, NULL, 'p'},
	    {"set-backup-password-file", required_argument, NULL, 'E'},
	    {"remove-backup-password", no_argument, NULL, 'X'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_acquire_opts o;
	struct cu_acquire_stats stats;
	struct cu_case *c = NULL;
	struct cu_error err;
	enum cu_status st;
	uint64_t secs;
	int ch, rc;

	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	cu_error_clear(&err);
	o.hash_algs = CU_HASH_DEFAULT;
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'd': o.serial = optarg; break;
		case 'c': o.hostport = optarg; break;
		case 'i': o.item = optarg; break;
		case 'n': o.new_item = true; break;
		case 'R': o.reason = optarg; break;
		case 'r': o.resume = true; break;
		case 'S': o.root = true; break;
		case 'B': o.adb_backup = true; break;
		case 'M': o.no_media = true; break;
		case 'P': o.sdcard = optarg; break;
		case 'k': o.key_path = optarg; break;
		case 'j': cli->json = true; break;
		case 'm': o.media = true; break;
		case 'p': o.backup_password_file = optarg; break;
		case 'E': o.set_backup_password_file = optarg; break;
		case 'X': o.remove_backup_password = true; break;
		case 'w':
			if (!cu_parse_u64(optarg, &secs) || secs == 0 || secs > 3600) {
				fprintf(stderr,
					"custos acquire: --auth-wait takes seconds (1-3600), "
					"not '%s'\n",
					optarg);
				return 2;
			}
			o.auth_wait_ms = (unsigned)secs * 1000;
			break;
		case 'H':
			if (strcmp(optarg, "sm3") != 0) {
				fprintf(stderr,
					"custos acquire: --hash takes 'sm3' (SHA-256 and MD5 "
					"are always computed)\n");
				return 2;
			}
			o.hash_algs |= CU_HASH_SM3;
			break;
		default: return cu_cli_usage("acquire", true);
		}
	}
	if (optind != argc || (o.serial == NULL) == (o.hostport == NULL)) {
		fprintf(stderr, "custos acquire: give the phone with --device SERIAL (USB) or "
				"--adb-connect HOST:PORT (TCP)\n");
		return cu_cli_usage("acquire", true);
	}
	if (o.sdcard != NULL && o.sdcard[0] != '/') {
		fprintf(stderr, "custos acquire: --sdcard takes an absolute path on the phone\n");
		return 2;
	}
	if ((st = cu_case_open(cli->case_dir, &c, &err)) != CU_OK)
		return cu_cli_fail(cli, &err);
	/* An iPhone when usbmuxd lists the id (or the case holds its
	 * unfinished acquisition, which a kept encrypted backup finishes
	 * without the phone); else an Android serial. */
	bool ios = o.serial != NULL &&
		   (cu_ios_known(o.serial) || (o.resume && cu_acquire_ios_resumable(c, o.serial)));
	if (!ios && (o.media || o.backup_password_file || o.set_backup_password_file ||
		     o.remove_backup_password)) {
		fprintf(stderr,
			"custos acquire: --media and the backup password options are for an iPhone "
			"(--device UDID); no iPhone '%s' is attached (see `custos devices`)\n",
			o.serial ? o.serial : o.hostport);
		cu_case_close(c);
		return 4;
	}
	st = ios ? cu_acquire_ios_run(c, &o, &stats, &err)
		 : cu_acquire_android_run(c, &o, &stats, &err);
	if (stats.item[0] != '\0') {
		const char *status = st == CU_OK          ? "complete"
				     : st == CU_E_PARTIAL ? "partial"
							  : "interrupted";
		if (cli->json) {
			struct cu_buf b = CU_BUF_INIT;
			struct cu_json j;
			struct cu_error e;
			cu_json_init(&j, &b);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "item", stats.item);
			cu_json_kv_str(&j, "device", stats.serial);
			cu_json_kv_int(&j, "files", (int64_t)stats.files);
			cu_json_kv_int(&j, "bytes", (int64_t)stats.bytes);
			cu_json_kv_int(&j, "commands", (int64_t)stats.commands);
			cu_json_kv_int(&j, "warnings", (int64_t)stats.warnings);
			cu_json_kv_int(&j, "failures", (int64_t)stats.failures);
			cu_json_kv_int(&j, "rechecked", (int64_t)stats.rechecked);
			cu_json_kv_int(&j, "mismatches", (int64_t)stats.mismatches);
			cu_json_key(&j, "clock_offset_ms");
			if (stats.clock_offset_ms != INT64_MIN)
				cu_json_int(&j, stats.clock_offset_ms);
			else
				cu_json_null(&j);
			cu_json_kv_str(&j, "status", status);
			cu_json_obj_end(&j);
			if (cu_json_finish(&j, &e) == CU_OK)
				printf("%s\n", b.data);
			cu_buf_release(&b);
		} else if (!cli->quiet) {
			printf("acquired %llu file(s), %llu bytes from %s into item %s with %llu "
			       "command(s)",
			       (unsigned long long)stats.files, (unsigned long long)stats.bytes,
			       stats.serial, stats.item, (unsigned long long)stats.commands);
			if (stats.rechecked)
				printf(", %llu re-checked", (unsigned long long)stats.rechecked);
			if (stats.mismatches)
				printf(", %llu MISMATCH with the seizure record",
				       (unsigned long long)stats.mismatches);
			if (stats.clock_offset_ms != INT64_MIN)
				printf("; device clock %+lld ms", (long long)stats.clock_offset_ms);
			printf(" (%llu warning(s)): %s\n", (unsigned long long)stats.warnings,
			       status);
		}
	}
	rc = st == CU_OK ? 0 : cu_cli_fail(cli, &err);
	cu_case_close(c);
	return rc;
}
