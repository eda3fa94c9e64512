/*
 * adb_usb_scan.c - prints what the ADB USB layer finds, for
 * tests/e2e/adb_usb.sh under umockdev-run (a fake sysfs/udev with device
 * descriptors, no hardware). Without arguments: one line per ADB
 * interface found (serial, port, ids, interface, endpoints and their
 * wMaxPacketSize). With --list: cu_adb_list() lines (serial, transport,
 * state, advice). With --open SERIAL: tries cu_adb_open_usb() and prints
 * the status and message.
 */
#include "extract/android/adb_int.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct cu_error e;

	if (argc == 1) {
		struct cu_adb_usb_candidate *c = NULL;
		size_t n = 0;

		if (cu_adb_usb_scan(&c, &n, &e) != CU_OK) {
			printf("error: %s\n", e.msg);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s %s %04x:%04x if=%u alt=%u in=0x%02x/%u out=0x%02x/%u\n",
			       c[i].serial, c[i].port_path, c[i].vendor, c[i].product,
			       c[i].interface, c[i].alt_setting, c[i].ep_in, c[i].max_packet_in,
			       c[i].ep_out, c[i].max_packet_out);
		free(c);
		return 0;
	}
	if (strcmp(argv[1], "--list") == 0) {
		struct cu_adb_opts o = {getenv("CUSTOS_ADB_KEY"), 200, 500};
		struct cu_adb_device *d = NULL;
		size_t n = 0;

		if (cu_adb_list(argc > 2 ? argv[2] : NULL, &o, &d, &n, &e) != CU_OK) {
			printf("error: %s\n", e.msg);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s %s %s model=%s advice=%s\n", d[i].serial, d[i].transport,
			       d[i].state, d[i].model, d[i].advice);
		free(d);
		return 0;
	}
	if (strcmp(argv[1], "--open") == 0 && argc == 3) {
		struct cu_adb_opts o = {getenv("CUSTOS_ADB_KEY"), 200, 500};
		struct cu_adb *a = NULL;
		enum cu_status rc =
		    cu_adb_open_usb(strcmp(argv[2], "-") ? argv[2] : NULL, &o, &a, &e);

		printf("%s: %s\n", cu_strerror(rc), rc == CU_OK ? cu_adb_serial(a) : e.msg);
		cu_adb_close(a);
		return 0;
	}
	fprintf(stderr, "usage: adb_usb_scan [--list [HOST:PORT] | --open SERIAL|-]\n");
	return 2;
}
