/*
 * usb.c - the USB transport over libusb (the only file that sees libusb
 * besides library.c): the ADB interface is class 0xff, subclass 0x42,
 * protocol 0x01 with a bulk IN and a bulk OUT endpoint (transport_usb.cpp
 * is_adb_interface), often beside MTP/PTP on a composite device. The
 * 24-byte header and the payload go as separate bulk transfers, with a
 * zero-length packet after a payload that is a non-zero multiple of
 * wMaxPacketSize (zero_length_packet.md); the device sends none, so we
 * read exactly 24 bytes, then exactly data_length bytes.
 */
#include "extract/android/adb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#define ADB_CLASS    0xff
#define ADB_SUBCLASS 0x42
#define ADB_PROTOCOL 0x01

bool cu_adb_usb_needs_zlp(size_t n, unsigned max_packet)
{
	return n > 0 && max_packet > 0 && n % max_packet == 0;
}

bool cu_adb_usb_pick_interface(const unsigned char *config, size_t n,
			       struct cu_adb_usb_candidate *c)
{
	size_t off = 0;
	bool in_adb = false;
	uint8_t iface = 0, alt = 0, ep_in = 0, ep_out = 0;
	uint16_t mp_in = 0, mp_out = 0;

	/* Walk every descriptor by its bLength; a length under 2 or past the end stops. */
	while (off + 2 <= n) {
		uint8_t len = config[off], type = config[off + 1];

		if (len < 2 || off + len > n)
			break;
		if (type == LIBUSB_DT_INTERFACE && len >= 9) {
			if (in_adb && ep_in && ep_out)
				break;
			in_adb = config[off + 5] == ADB_CLASS && config[off + 6] == ADB_SUBCLASS &&
				 config[off + 7] == ADB_PROTOCOL;
			iface = config[off + 2];
			alt = config[off + 3];
			ep_in = ep_out = 0;
			mp_in = mp_out = 0;
		} else if (type == LIBUSB_DT_ENDPOINT && len >= 7 && in_adb) {
			uint8_t addr = config[off + 2], attr = config[off + 3];
			uint16_t mps = (uint16_t)(config[off + 4] | config[off + 5] << 8) & 0x7ff;

			if ((attr & 3) == LIBUSB_TRANSFER_TYPE_BULK && mps > 0) {
				if ((addr & LIBUSB_ENDPOINT_IN) && ep_in == 0) {
					ep_in = addr;
					mp_in = mps;
				} else if (!(addr & LIBUSB_ENDPOINT_IN) && ep_out == 0) {
					ep_out = addr;
					mp_out = mps;
				}
			}
		}
		off += len;
	}
	if (!in_adb || ep_in == 0 || ep_out == 0)
		return false;
	c->interface = iface;
	c->alt_setting = alt;
	c->ep_in = ep_in;
	c->ep_out = ep_out;
	c->max_packet_in = mp_in;
	c->max_packet_out = mp_out;
	return true;
}

/* Rebuilds the raw bytes of a parsed configuration for cu_adb_usb_pick_interface
 * (libusb keeps each interface's descriptors apart). */
static bool pick_from_config(const struct libusb_config_descriptor *cfg,
			     struct cu_adb_usb_candidate *c)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *in = &cfg->interface[i];

		for (int j = 0; j < in->num_altsetting; j++) {
			const struct libusb_interface_descriptor *d = &in->altsetting[j];
			unsigned char raw[9 + 32 * 7];
			size_t n = 0;

			raw[n++] = 9;
			raw[n++] = LIBUSB_DT_INTERFACE;
			raw[n++] = d->bInterfaceNumber;
			raw[n++] = d->bAlternateSetting;
			raw[n++] = d->bNumEndpoints;
			raw[n++] = d->bInterfaceClass;
			raw[n++] = d->bInterfaceSubClass;
			raw[n++] = d->bInterfaceProtocol;
			raw[n++] = d->iInterface;
			for (int k = 0; k < d->bNumEndpoints && k < 32; k++) {
				const struct libusb_endpoint_descriptor *e = &d->endpoint[k];

				raw[n++] = 7;
				raw[n++] = LIBUSB_DT_ENDPOINT;
				raw[n++] = e->bEndpointAddress;
				raw[n++] = e->bmAttributes;
				raw[n++] = (unsigned char)e->wMaxPacketSize;
				raw[n++] = (unsigned char)(e->wMaxPacketSize >> 8);
				raw[n++] = e->bInterval;
			}
			if (cu_adb_usb_pick_interface(raw, n, c))
				return true;
		}
	}
	return false;
}

/* The sysfs serial (what adb reads on Linux, and readable without opening the
 * device), the trimmed first line of /sys/bus/usb/devices/<port>/serial. */
static bool sysfs_serial(const char *port_path, char *out, size_t n)
{
	char path[128], buf[256];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/serial", port_path);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	len = strlen(buf);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e)
			return false; /* a serial we could not type back: use the port */
	if (len == 0 || len >= n)
		return false;
	memcpy(out, buf, len + 1);
	return true;
}

static void candidate_serial(libusb_device *dev, const struct libusb_device_descriptor *dd,
			     struct cu_adb_usb_candidate *c)
{
	libusb_device_handle *h = NULL;
	unsigned char s[128];
	int r;

	if (sysfs_serial(c->port_path, c->serial, sizeof(c->serial)))
		return;
	if (dd->iSerialNumber != 0 && libusb_open(dev, &h) == 0) {
		r = libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, s, sizeof(s));
		libusb_close(h);
		if (r > 0 && (size_t)r < sizeof(c->serial)) {
			bool ok = true;

			for (int i = 0; i < r; i++)
				if (s[i] < 0x21 || s[i] > 0x7e)
					ok = false;
			if (ok) {
				memcpy(c->serial, s, (size_t)r);
				c->serial[r] = '\0';
				return;
			}
		}
	}
	snprintf(c->serial, sizeof(c->serial), "usb:%s", c->port_path);
}

static void candidate_port(libusb_device *dev, struct cu_adb_usb_candidate *c)
{
	uint8_t ports[8];
	int np = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	size_t off;

	off = (size_t)snprintf(c->port_path, sizeof(c->port_path), "%u",
			       (unsigned)libusb_get_bus_number(dev));
	for (int i = 0; i < np && off < sizeof(c->port_path); i++)
		off += (size_t)snprintf(c->port_path + off, sizeof(c->port_path) - off, "%c%u",
					i == 0 ? '-' : '.', (unsigned)ports[i]);
}

/* Devices in a stable order: bus, then port path ("1-2" before "1-10"). */
static int by_port(const void *pa, const void *pb)
{
	const struct cu_adb_usb_candidate *a = pa, *b = pb;
	const char *x = a->port_path, *y = b->port_path;

	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	while (*x && *y) {
		if (*x >= '0' && *x <= '9' && *y >= '0' && *y <= '9') {
			char *ex, *ey;
			unsigned long nx = strtoul(x, &ex, 10), ny = strtoul(y, &ey, 10);

			if (nx != ny)
				return nx < ny ? -1 : 1;
			x = ex;
			y = ey;
		} else {
			if (*x != *y)
				return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
			x++;
			y++;
		}
	}
	return *x ? 1 : *y ? -1 : 0;
}

enum cu_status cu_adb_usb_scan(struct cu_adb_usb_candidate **out, size_t *n, struct cu_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	struct cu_adb_usb_candidate *v = NULL;
	size_t count = 0;
	ssize_t nd;
	int r;

	r = libusb_init(&ctx);
	if (r != 0)
		return cu_error_set(err, CU_E_DEVICE, "cannot start libusb: %s",
				    libusb_strerror((enum libusb_error)r));
	nd = libusb_get_device_list(ctx, &list);
	if (nd < 0) {
		/* No USB on this machine (a VM, a container): no devices. */
		nd = 0;
		list = NULL;
	}
	if (nd > 0) {
		v = cu_calloc((size_t)nd, sizeof(*v));
		if (v == NULL) {
			libusb_free_device_list(list, 1);
			libusb_exit(ctx);
			return cu_error_set(err, CU_E_NOMEM, "out of memory listing USB devices");
		}
	}
	for (ssize_t i = 0; i < nd; i++) {
		struct libusb_device_descriptor dd;
		struct libusb_config_descriptor *cfg = NULL;
		struct cu_adb_usb_candidate c;
		bool found = false;

		memset(&c, 0, sizeof(c));
		if (libusb_get_device_descriptor(list[i], &dd) != 0)
			continue;
		if (libusb_get_active_config_descriptor(list[i], &cfg) != 0 &&
		    libusb_get_config_descriptor(list[i], 0, &cfg) != 0)
			continue;
		found = pick_from_config(cfg, &c);
		libusb_free_config_descriptor(cfg);
		if (!found)
			continue;
		c.bus = libusb_get_bus_number(list[i]);
		c.address = libusb_get_device_address(list[i]);
		c.vendor = dd.idVendor;
		c.product = dd.idProduct;
		candidate_port(list[i], &c);
		candidate_serial(list[i], &dd, &c);
		v[count++] = c;
	}
	if (list != NULL)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	if (count > 1)
		qsort(v, count, sizeof(*v), by_port);
	*out = v;
	*n = count;
	return CU_OK;
}

/* ---- the transport -------------------------------------------------------- */

struct usb_end {
	struct cu_adb_transport base;
	libusb_context *ctx;
	libusb_device_handle *h;
	struct cu_adb_usb_candidate c;
	bool claimed;
};

static enum cu_status usb_err(struct usb_end *e, int r, const char *what, struct cu_error *err)
{
	if (r == LIBUSB_ERROR_TIMEOUT)
		return cu_error_set(err, CU_E_DEVICE, "%s: %s timed out waiting for the device",
				    e->base.name, what);
	if (r == LIBUSB_ERROR_NO_DEVICE)
		return cu_error_set(err, CU_E_DEVICE,
				    "%s: the device is gone (%s): was the cable pulled? Plug it in "
				    "and run again",
				    e->base.name, what);
	return cu_error_set(err, CU_E_DEVICE, "%s: %s failed: %s", e->base.name, what,
			    libusb_strerror((enum libusb_error)r));
}

static enum cu_status bulk_out(struct usb_end *e, const void *p, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	size_t done = 0;

	do {
		int chunk = n - done > (1u << 20) ? 1 << 20 : (int)(n - done), sent = 0;
		int r = libusb_bulk_transfer(e->h, e->c.ep_out, (unsigned char *)p + done, chunk,
					     &sent, timeout_ms);

		if (r != 0)
			return usb_err(e, r, "sending", err);
		done += (size_t)sent;
	} while (done < n);
	return CU_OK;
}

static enum cu_status usb_send(struct cu_adb_transport *t, const unsigned char *hdr,
			       const void *payload, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct usb_end *e = (struct usb_end *)t;
	enum cu_status rc;

	rc = bulk_out(e, hdr, CU_ADB_HEADER_SIZE, timeout_ms, err);
	if (rc == CU_OK && n > 0)
		rc = bulk_out(e, payload, n, timeout_ms, err);
	if (rc == CU_OK && cu_adb_usb_needs_zlp(n, e->c.max_packet_out))
		rc = bulk_out(e, "", 0, timeout_ms, err);
	return rc;
}

static enum cu_status usb_recv(struct cu_adb_transport *t, void *p, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct usb_end *e = (struct usb_end *)t;
	size_t got = 0;

	while (got < n) {
		int chunk = n - got > (1u << 20) ? 1 << 20 : (int)(n - got), r, read = 0;

		r = libusb_bulk_transfer(e->h, e->c.ep_in, (unsigned char *)p + got, chunk, &read,
					 timeout_ms);
		if (r != 0)
			return usb_err(e, r, "reading", err);
		got += (size_t)read;
	}
	return CU_OK;
}

static void usb_close(struct cu_adb_transport *t)
{
	struct usb_end *e = (struct usb_end *)t;

	if (e->claimed)
		libusb_release_interface(e->h, e->c.interface);
	if (e->h != NULL)
		libusb_close(e->h);
	if (e->ctx != NULL)
		libusb_exit(e->ctx);
	free(e);
}

static const struct cu_adb_transport_ops usb_ops = {usb_send, usb_recv, usb_close};

enum cu_status cu_adb_usb_connect(const struct cu_adb_usb_candidate *c,
				  struct cu_adb_transport **out, struct cu_error *err)
{
	struct usb_end *e = cu_calloc(1, sizeof(*e));
	libusb_device **list = NULL;
	enum cu_status rc = CU_OK;
	ssize_t nd;
	int r;

	if (e == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory opening a USB device");
	e->c = *c;
	e->base.ops = &usb_ops;
	snprintf(e->base.kind, sizeof(e->base.kind), "usb");
	if (snprintf(e->base.name, sizeof(e->base.name), "adb device %s (usb %s)", c->serial,
		     c->port_path) < 0)
		e->base.name[0] = '\0';
	snprintf(e->base.serial, sizeof(e->base.serial), "%s", c->serial);
	r = libusb_init(&e->ctx);
	if (r != 0) {
		rc = cu_error_set(err, CU_E_DEVICE, "cannot start libusb: %s",
				  libusb_strerror((enum libusb_error)r));
		goto out;
	}
	nd = libusb_get_device_list(e->ctx, &list);
	for (ssize_t i = 0; i < nd; i++) {
		if (libusb_get_bus_number(list[i]) != c->bus ||
		    libusb_get_device_address(list[i]) != c->address)
			continue;
		r = libusb_open(list[i], &e->h);
		if (r == LIBUSB_ERROR_ACCESS) {
			rc = cu_error_set(err, CU_E_DEVICE,
					  "%s: no permission to open the USB device: add a udev "
					  "rule for Android devices (Debian: `apt install "
					  "android-sdk-platform-tools-common`, then replug) or run "
					  "as root",
					  e->base.name);
			goto out;
		}
		if (r != 0) {
			rc = usb_err(e, r, "opening", err);
			goto out;
		}
		break;
	}
	if (e->h == NULL) {
		rc = cu_error_set(err, CU_E_DEVICE,
				  "%s: the device is gone (unplugged?); plug it in and run again",
				  e->base.name);
		goto out;
	}
	/* A kernel driver bound to the ADB interface (rare) is detached first; the
	 * usbfs claim of an adb server is not a kernel driver and stays: BUSY below. */
	if (libusb_kernel_driver_active(e->h, c->interface) == 1) {
		r = libusb_detach_kernel_driver(e->h, c->interface);
		if (r != 0 && r != LIBUSB_ERROR_NOT_FOUND) {
			rc = usb_err(e, r, "detaching the kernel driver from the adb interface",
				     err);
			goto out;
		}
	}
	r = libusb_claim_interface(e->h, c->interface);
	if (r == LIBUSB_ERROR_BUSY) {
		rc = cu_error_set(err, CU_E_DEVICE,
				  "%s: busy: an adb server holds the device: run `adb "
				  "kill-server` and run again",
				  e->base.name);
		goto out;
	}
	if (r != 0) {
		rc = usb_err(e, r, "claiming the adb interface", err);
		goto out;
	}
	e->claimed = true;
	if (c->alt_setting != 0 &&
	    (r = libusb_set_interface_alt_setting(e->h, c->interface, c->alt_setting)) != 0) {
		rc = usb_err(e, r, "selecting the adb interface setting", err);
		goto out;
	}
	/* Stale data from an earlier session would desynchronise the first header. */
	(void)libusb_clear_halt(e->h, c->ep_in);
	(void)libusb_clear_halt(e->h, c->ep_out);
out:
	if (list != NULL)
		libusb_free_device_list(list, 1);
	if (rc != CU_OK) {
		usb_close(&e->base);
		return rc;
	}
	*out = &e->base;
	return CU_OK;
}
