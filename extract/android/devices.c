/*
 * devices.c - finding and opening devices: `custos devices` (USB ADB
 * interfaces plus an optional TCP address) and the open calls of adb.h.
 */
#include "extract/android/adb_int.h"

#include <stdlib.h>
#include <string.h>

/* How long `devices` waits for a tap after offering the key: long enough for a
 * simulator, short enough not to hang a listing. */
#define LIST_AUTH_WAIT_MS  2000u
#define LIST_IO_TIMEOUT_MS 5000u

void cu_adb_device_from_error(const struct cu_error *e, struct cu_adb_device *d)
{
	if (strstr(e->msg, "unauthorized") != NULL) {
		snprintf(d->state, sizeof(d->state), "unauthorized");
		snprintf(d->advice, sizeof(d->advice),
			 "unlock the phone and tap Allow on the \"Allow USB debugging?\" prompt");
	} else if (strstr(e->msg, "an adb server holds the device") != NULL) {
		snprintf(d->state, sizeof(d->state), "busy");
		snprintf(d->advice, sizeof(d->advice),
			 "an adb server holds the device: run `adb kill-server`");
	} else {
		size_t n;

		snprintf(d->state, sizeof(d->state), "offline");
		/* The reason, cut at a UTF-8 boundary. */
		n = cu_utf8_valid_prefix(e->msg, strnlen(e->msg, sizeof(d->advice) - 1));
		memcpy(d->advice, e->msg, n);
		d->advice[n] = '\0';
	}
}

static void fill_ready(struct cu_adb *a, struct cu_adb_device *d)
{
	struct cu_adb_banner b;
	const char *banner = cu_adb_banner(a);

	cu_adb_banner_parse(banner, strlen(banner), &b);
	snprintf(d->state, sizeof(d->state), "ready");
	snprintf(d->product, sizeof(d->product), "%s", b.product);
	snprintf(d->model, sizeof(d->model), "%s", b.model);
	snprintf(d->device, sizeof(d->device), "%s", b.device);
	d->advice[0] = '\0';
	if (strcmp(b.kind, "device") != 0 && b.kind[0] != '\0') {
		snprintf(d->state, sizeof(d->state), "offline");
		snprintf(d->advice, sizeof(d->advice),
			 "the phone is in %s mode: boot it normally to acquire it", b.kind);
	}
}

static struct cu_adb_opts list_opts(const struct cu_adb_opts *o)
{
	struct cu_adb_opts l = {NULL, LIST_AUTH_WAIT_MS, LIST_IO_TIMEOUT_MS};

	if (o != NULL) {
		l.key_path = o->key_path;
		if (o->auth_wait_ms && o->auth_wait_ms < l.auth_wait_ms)
			l.auth_wait_ms = o->auth_wait_ms;
		if (o->io_timeout_ms && o->io_timeout_ms < l.io_timeout_ms)
			l.io_timeout_ms = o->io_timeout_ms;
	}
	return l;
}

static void probe(struct cu_adb_transport *t, const char *serial, const struct cu_adb_opts *lo,
		  struct cu_adb_device *d)
{
	struct cu_adb *a = NULL;
	struct cu_error e;

	if (cu_adb_open_transport(t, serial, lo, NULL, &a, &e) != CU_OK) {
		cu_adb_device_from_error(&e, d);
		return;
	}
	fill_ready(a, d);
	cu_adb_close(a);
}

enum cu_status cu_adb_list(const char *hostport, const struct cu_adb_opts *o,
			   struct cu_adb_device **out, size_t *n, struct cu_error *err)
{
	struct cu_adb_usb_candidate *c = NULL;
	struct cu_adb_device *v = NULL;
	struct cu_adb_opts lo = list_opts(o);
	size_t nc = 0, count = 0;
	enum cu_status rc;

	rc = cu_adb_usb_scan(&c, &nc, err);
	if (rc != CU_OK) {
		/* No libusb (no USB at all): list the TCP device alone. */
		cu_warn("USB devices not listed: %s", err->msg);
		c = NULL;
		nc = 0;
	}
	v = cu_calloc(nc + 1, sizeof(*v));
	if (v == NULL) {
		free(c);
		return cu_error_set(err, CU_E_NOMEM, "out of memory listing devices");
	}
	for (size_t i = 0; i < nc; i++) {
		struct cu_adb_device *d = &v[count++];
		struct cu_adb_transport *t = NULL;
		struct cu_error e;

		snprintf(d->serial, sizeof(d->serial), "%s", c[i].serial);
		snprintf(d->transport, sizeof(d->transport), "usb");
		if (cu_adb_usb_connect(&c[i], &t, &e) != CU_OK)
			cu_adb_device_from_error(&e, d);
		else
			probe(t, c[i].serial, &lo, d);
	}
	if (hostport != NULL) {
		struct cu_adb_device *d = &v[count++];
		struct cu_adb_transport *t = NULL;
		struct cu_error e;

		snprintf(d->serial, sizeof(d->serial), "%s", hostport);
		snprintf(d->transport, sizeof(d->transport), "tcp");
		if (cu_adb_tcp_connect(hostport, lo.io_timeout_ms, &t, &e) != CU_OK) {
			if (e.code == CU_E_USAGE) {
				free(c);
				free(v);
				return cu_error_set(err, e.code, "%s", e.msg);
			}
			cu_adb_device_from_error(&e, d);
		} else {
			probe(t, hostport, &lo, d);
		}
	}
	free(c);
	*out = v;
	*n = count;
	return CU_OK;
}

enum cu_status cu_adb_open_tcp(const char *hostport, const struct cu_adb_opts *o,
			       struct cu_adb **out, struct cu_error *err)
{
	struct cu_adb_transport *t = NULL;
	enum cu_status rc;

	rc =
	    cu_adb_tcp_connect(hostport, o && o->io_timeout_ms ? o->io_timeout_ms : 20000, &t, err);
	if (rc != CU_OK)
		return rc;
	return cu_adb_open_transport(t, hostport, o, NULL, out, err);
}

enum cu_status cu_adb_open_usb(const char *serial, const struct cu_adb_opts *o, struct cu_adb **out,
			       struct cu_error *err)
{
	struct cu_adb_usb_candidate *c = NULL, *pick = NULL;
	struct cu_adb_transport *t = NULL;
	size_t nc = 0;
	enum cu_status rc;

	rc = cu_adb_usb_scan(&c, &nc, err);
	if (rc != CU_OK)
		return rc;
	for (size_t i = 0; i < nc; i++) {
		if (serial != NULL && strcmp(c[i].serial, serial) != 0)
			continue;
		if (pick != NULL) {
			rc = cu_error_set(err, CU_E_USAGE,
					  "several USB Android devices are connected: pick one "
					  "with --device SERIAL (see `custos devices`)");
			goto out;
		}
		pick = &c[i];
	}
	if (pick == NULL) {
		if (serial != NULL)
			rc =
			    cu_error_set(err, CU_E_DEVICE,
					 "no USB Android device with serial '%s': check the cable, "
					 "that USB debugging is on, and `custos devices`",
					 serial);
		else
			rc = cu_error_set(err, CU_E_DEVICE,
					  "no USB Android device found: connect the phone, turn on "
					  "USB debugging (Developer options) and run again");
		goto out;
	}
	rc = cu_adb_usb_connect(pick, &t, err);
	if (rc == CU_OK)
		rc = cu_adb_open_transport(t, pick->serial, o, NULL, out, err);
out:
	free(c);
	return rc;
}
