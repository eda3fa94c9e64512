/*
 * cmd_devices.c - `custos devices` (CLI.md): the Android phones custos can
 * reach over its own ADB stack (USB, and the TCP address given with
 * --adb-connect), with their state and, for a phone that cannot be used
 * yet, what the investigator should do. Nothing is written anywhere.
 */
#include "extract/android/adb.h"
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void print_json(const struct cu_adb_device *d, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	struct cu_json j;

	cu_error_clear(&err);
	cu_json_init(&j, &b);
	cu_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "id", d[i].serial);
		cu_json_kv_str(&j, "platform", "android");
		cu_json_kv_str(&j, "transport", d[i].transport);
		cu_json_kv_str(&j, "state", d[i].state);
		cu_json_kv_str(&j, "model", d[i].model[0] ? d[i].model : NULL);
		cu_json_kv_str(&j, "product", d[i].product[0] ? d[i].product : NULL);
		cu_json_kv_str(&j, "device", d[i].device[0] ? d[i].device : NULL);
		cu_json_kv_str(&j, "advice", d[i].advice[0] ? d[i].advice : NULL);
		cu_json_obj_end(&j);
	}
	cu_json_arr_end(&j);
	if (cu_json_finish(&j, &err) == CU_OK)
		printf("%s\n", b.data);
	cu_buf_release(&b);
}

int cu_cmd_devices(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"adb-connect", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_adb_opts ao;
	struct cu_adb_device *d = NULL;
	struct cu_error err;
	const char *hostport = NULL;
	size_t n = 0;
	int ch;

	memset(&ao, 0, sizeof(ao));
	cu_error_clear(&err);
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'c': hostport = optarg; break;
		case 'j': cli->json = true; break;
		default: return cu_cli_usage("devices", true);
		}
	}
	if (optind != argc)
		return cu_cli_usage("devices", true);
	/* Listing only looks: a phone waiting for its "Allow" tap is shown as
	 * unauthorized at once, not waited for. */
	ao.auth_wait_ms = 1;
	if (cu_adb_list(hostport, &ao, &d, &n, &err) != CU_OK)
		return cu_cli_fail(cli, &err);
	if (cli->json) {
		print_json(d, n);
	} else if (n == 0) {
		if (!cli->quiet)
			printf("no Android device found%s (USB debugging on? cable a data "
			       "cable?)\n",
			       hostport ? " over USB nor at the address given" : " over USB");
	} else {
		printf("%-24s %-8s %-5s %-13s %s\n", "ID", "PLATFORM", "VIA", "STATE", "MODEL");
		for (size_t i = 0; i < n; i++) {
			printf("%-24s %-8s %-5s %-13s %s\n", d[i].serial, "android", d[i].transport,
			       d[i].state, d[i].model[0] ? d[i].model : "-");
			if (d[i].advice[0])
				printf("    -> %s\n", d[i].advice);
		}
	}
	free(d);
	return 0;
}
