/*
 * cmd_devices.c - `custos devices` (CLI.md): the iPhones usbmuxd lists
 * (extract/ios/device.h: a lockdownd probe without pairing) and the
 * Android phones custos can reach over its own ADB stack (USB, and the TCP
 * address given with --adb-connect), with their state and, for a phone
 * that cannot be used yet, what the investigator should do. Nothing is
 * written anywhere, nor to the phones.
 */
#include "extract/android/adb.h"
#include "extract/ios/device.h"
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void print_json(const struct cu_ios_devinfo *io, size_t ni, const struct cu_adb_device *d,
		       size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	struct cu_json j;

	cu_error_clear(&err);
	cu_json_init(&j, &b);
	cu_json_arr_begin(&j);
	for (size_t i = 0; i < ni; i++) {
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "id", io[i].udid);
		cu_json_kv_str(&j, "platform", "ios");
		cu_json_kv_str(&j, "transport", io[i].via[0] ? io[i].via : "usb");
		cu_json_kv_str(&j, "state", io[i].state);
		cu_json_kv_str(&j, "model", io[i].product_type[0] ? io[i].product_type : NULL);
		cu_json_kv_str(&j, "product", io[i].product_type[0] ? io[i].product_type : NULL);
		cu_json_kv_str(&j, "device", NULL);
		cu_json_kv_str(&j, "name", io[i].name[0] ? io[i].name : NULL);
		cu_json_kv_str(&j, "ios_version",
			       io[i].product_version[0] ? io[i].product_version : NULL);
		cu_json_kv_str(&j, "advice", io[i].advice[0] ? io[i].advice : NULL);
		cu_json_obj_end(&j);
	}
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
	struct cu_ios_devinfo *io = NULL;
	struct cu_error err;
	const char *hostport = NULL;
	size_t n = 0, ni = 0;
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
	/* iPhones first: without usbmuxd (no iPhone support running) the
	 * Android list still comes */
	if (cu_ios_list(&io, &ni, &err) != CU_OK) {
		cu_warn("devices: iPhones not listed: %s", err.msg);
		free(io);
		io = NULL;
		ni = 0;
		cu_error_clear(&err);
	}
	if (cu_adb_list(hostport, &ao, &d, &n, &err) != CU_OK) {
		free(io);
		return cu_cli_fail(cli, &err);
	}
	if (cli->json) {
		print_json(io, ni, d, n);
	} else if (n == 0 && ni == 0) {
		if (!cli->quiet)
			printf("no device found: no iPhone (usbmuxd) and no Android phone%s (a "
			       "data cable? USB debugging on?)\n",
			       hostport ? " over USB nor at the address given" : " over USB");
	} else {
		printf("%-24s %-8s %-5s %-13s %s\n", "ID", "PLATFORM", "VIA", "STATE", "MODEL");
		for (size_t i = 0; i < ni; i++) {
			printf("%-24s %-8s %-5s %-13s %s\n", io[i].udid, "ios",
			       io[i].via[0] ? io[i].via : "usb", io[i].state,
			       io[i].product_type[0] ? io[i].product_type : "-");
			if (io[i].advice[0])
				printf("    -> %s\n", io[i].advice);
		}
		for (size_t i = 0; i < n; i++) {
			printf("%-24s %-8s %-5s %-13s %s\n", d[i].serial, "android", d[i].transport,
			       d[i].state, d[i].model[0] ? d[i].model : "-");
			if (d[i].advice[0])
				printf("    -> %s\n", d[i].advice);
		}
	}
	free(d);
	free(io);
	return 0;
}
