/*
 * test_adb_usb_io.c - the USB transport's bulk I/O under umockdev: an
 * in-process ioctl handler (libumockdev's UMockdevIoctlBase answering
 * usbdevfs SUBMITURB/REAPURB, as libusb's own tests/umockdev.c does) plays
 * an adbd behind a fake /dev/bus/usb node, so the real libusb code path
 * runs: header and payload as separate bulk OUT transfers, a zero-length
 * packet after a payload that is a multiple of wMaxPacketSize (and none
 * otherwise), exact-size IN reads, a kernel driver detached before the
 * claim, a claim refused with EBUSY (an adb server holds the device), and a
 * device that disappears mid-session. Run under umockdev-wrapper
 * (tests/e2e/adb_usb_io.sh).
 */
#include "extract/android/adb_int.h"
#include "tests/harness/tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>

#include <umockdev.h>

#define EP_IN  0x81
#define EP_OUT 0x01
#define MPS    512

struct fake {
	pthread_mutex_t mu;
	/* behaviour */
	bool busy, driver_bound, gone;
	/* seen */
	bool detached;
	int out_sizes[256];
	size_t n_out;
	unsigned char h2d[1 << 16];
	size_t h2d_len;
	unsigned char d2h[1 << 16];
	size_t d2h_off, d2h_len;
	GList *done;    /* urbs ready to reap (UMockdevIoctlData *) */
	GList *pending; /* IN urbs waiting for data */
	char last_service[1024];
};

static struct fake fk = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void queue_packet(uint32_t cmd, uint32_t a0, uint32_t a1, const void *p, size_t n)
{
	unsigned char h[CU_ADB_HEADER_SIZE];

	cu_adb_header_pack(cmd, a0, a1, p, (uint32_t)n, false, h);
	if (fk.d2h_len + sizeof(h) + n > sizeof(fk.d2h))
		return;
	memcpy(fk.d2h + fk.d2h_len, h, sizeof(h));
	if (n > 0)
		memcpy(fk.d2h + fk.d2h_len + sizeof(h), p, n);
	fk.d2h_len += sizeof(h) + n;
}

/* The device's side: whole packets from the host get their answers. */
static void device_react(void)
{
	for (;;) {
		struct cu_adb_header h;
		struct cu_error e;
		const unsigned char *payload = fk.h2d + CU_ADB_HEADER_SIZE;
		size_t whole;

		if (fk.h2d_len < CU_ADB_HEADER_SIZE ||
		    cu_adb_header_parse(fk.h2d, CU_ADB_MAX_PAYLOAD, &h, &e) != CU_OK)
			return;
		whole = CU_ADB_HEADER_SIZE + h.data_length;
		if (fk.h2d_len < whole)
			return;
		if (h.command == CU_ADB_CNXN) {
			static const char banner[] =
			    "device::ro.product.name=usbsim;ro.product.model=USB Sim;"
			    "ro.product.device=usbsim;features=";

			queue_packet(CU_ADB_CNXN, CU_ADB_VERSION_SKIP_CHECKSUM, 4096, banner,
				     sizeof(banner) - 1);
		} else if (h.command == CU_ADB_OPEN) {
			static const char out[] = "usb says hi\n";

			snprintf(fk.last_service, sizeof(fk.last_service), "%.*s",
				 (int)h.data_length, (const char *)payload);
			queue_packet(CU_ADB_OKAY, 9, h.arg0, NULL, 0);
			queue_packet(CU_ADB_WRTE, 9, h.arg0, out, sizeof(out) - 1);
			queue_packet(CU_ADB_CLSE, 9, h.arg0, NULL, 0);
		}
		memmove(fk.h2d, fk.h2d + whole, fk.h2d_len - whole);
		fk.h2d_len -= whole;
	}
}

/* Gives waiting IN urbs what the device has to send. */
static void fill_pending(void)
{
	while (fk.pending != NULL && fk.d2h_off < fk.d2h_len) {
		UMockdevIoctlData *d = fk.pending->data;
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)d->data;
		size_t n = fk.d2h_len - fk.d2h_off;

		if (n > (size_t)urb->buffer_length)
			n = (size_t)urb->buffer_length;
		memcpy(urb->buffer, fk.d2h + fk.d2h_off, n);
		fk.d2h_off += n;
		urb->actual_length = (int)n;
		urb->status = 0;
		fk.pending = g_list_delete_link(fk.pending, fk.pending);
		fk.done = g_list_append(fk.done, d);
	}
	if (fk.d2h_off == fk.d2h_len)
		fk.d2h_off = fk.d2h_len = 0;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer unused)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong request = umockdev_ioctl_client_get_request(client);
	gboolean handled = TRUE;

	(void)handler;
	(void)unused;
	pthread_mutex_lock(&fk.mu);
	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
				      USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_ZERO_PACKET;
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_GETDRIVER: {
		UMockdevIoctlData *d;

		if (!fk.driver_bound) {
			umockdev_ioctl_client_complete(client, -1, ENODATA);
			break;
		}
		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
		snprintf(((struct usbdevfs_getdriver *)d->data)->driver, USBDEVFS_MAXDRIVERNAME,
			 "usb-storage");
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_IOCTL: /* USBDEVFS_DISCONNECT of the kernel driver */
		fk.detached = true;
		fk.driver_bound = false;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_CLAIMINTERFACE:
		if (fk.busy)
			umockdev_ioctl_client_complete(client, -1, EBUSY);
		else
			umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
	case USBDEVFS_SETINTERFACE: umockdev_ioctl_client_complete(client, 0, 0); break;
	case USBDEVFS_SUBMITURB: {
		UMockdevIoctlData *d =
		    umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)d->data;

		if (fk.gone) {
			umockdev_ioctl_data_unref(d);
			umockdev_ioctl_client_complete(client, -1, ENODEV);
			break;
		}
		if (urb->endpoint == EP_OUT) {
			if (fk.n_out < sizeof(fk.out_sizes) / sizeof(fk.out_sizes[0]))
				fk.out_sizes[fk.n_out++] = urb->buffer_length;
			if (urb->buffer_length > 0 &&
			    fk.h2d_len + (size_t)urb->buffer_length <= sizeof(fk.h2d)) {
				UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(
				    d, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
				    (gsize)urb->buffer_length, NULL);

				memcpy(fk.h2d + fk.h2d_len, buf->data, (size_t)urb->buffer_length);
				fk.h2d_len += (size_t)urb->buffer_length;
				umockdev_ioctl_data_unref(buf);
			}
			urb->actual_length = urb->buffer_length;
			urb->status = 0;
			fk.done = g_list_append(fk.done, d);
			device_react();
		} else {
			fk.pending = g_list_append(fk.pending, d);
		}
		fill_pending();
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		UMockdevIoctlData *ptr, *d;

		if (fk.done == NULL) {
			umockdev_ioctl_client_complete(client, -1, EAGAIN);
			break;
		}
		d = fk.done->data;
		fk.done = g_list_delete_link(fk.done, fk.done);
		ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
		umockdev_ioctl_data_set_ptr(ptr, 0, d);
		umockdev_ioctl_data_unref(ptr);
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_DISCARDURB: umockdev_ioctl_client_complete(client, -1, EINVAL); break;
	default: handled = FALSE;
	}
	pthread_mutex_unlock(&fk.mu);
	return handled;
}

static bool sink(void *ctx, int stream, const void *p, size_t n)
{
	struct cu_error e;

	(void)stream;
	return cu_buf_append(ctx, p, n, &e) == CU_OK;
}

/* The sizes of the OUT transfers since index from, as text: "24 512 0 24". */
static void out_sizes(size_t from, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	pthread_mutex_lock(&fk.mu);
	for (size_t i = from; i < fk.n_out && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%d", i > from ? " " : "",
					fk.out_sizes[i]);
	pthread_mutex_unlock(&fk.mu);
}

static void reset_fake(void)
{
	pthread_mutex_lock(&fk.mu);
	fk.busy = fk.driver_bound = fk.gone = fk.detached = false;
	fk.n_out = fk.h2d_len = fk.d2h_len = fk.d2h_off = 0;
	pthread_mutex_unlock(&fk.mu);
}

int main(void)
{
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	struct cu_adb_usb_candidate *c = NULL;
	struct cu_adb_transport *t = NULL;
	struct cu_adb *a = NULL;
	struct cu_adb_opts o = {NULL, 1000, 3000};
	struct cu_buf out = CU_BUF_INIT, cmd = CU_BUF_INIT;
	struct cu_error e;
	char sizes[512];
	size_t n = 0, mark;
	int code;

	tap_plan(13);
	if (getenv("LD_PRELOAD") == NULL || strstr(getenv("LD_PRELOAD"), "umockdev") == NULL)
		tap_bail(
		    "not under umockdev: run through umockdev-wrapper (tests/e2e/adb_usb_io.sh)");
	tb = umockdev_testbed_new();
	handler = umockdev_ioctl_base_new();
	g_signal_connect(handler, "handle-ioctl", G_CALLBACK(on_ioctl), NULL);
	if (!umockdev_testbed_attach_ioctl(tb, "/dev/bus/usb/001/002", handler, NULL))
		tap_bail("cannot attach the ioctl handler");
	/* ADB alone: interface 0 ff/42/01, bulk 0x81 IN / 0x01 OUT, 512 bytes. */
	umockdev_testbed_add_from_string(
	    tb,
	    "P: /devices/usb1/1-2\n"
	    "N: bus/usb/001/002\n"
	    "E: SUBSYSTEM=usb\n"
	    "E: DRIVER=usb\n"
	    "E: BUSNUM=001\n"
	    "E: DEVNUM=002\n"
	    "E: DEVNAME=/dev/bus/usb/001/002\n"
	    "E: DEVTYPE=usb_device\n"
	    "A: busnum=1\\n\n"
	    "A: devnum=2\\n\n"
	    "A: bConfigurationValue=1\\n\n"
	    "A: speed=480\\n\n"
	    "A: serial=USBIO1\\n\n"
	    "H: descriptors=1201000200000040d118e74e4004010203010902200001010080fa0904000002ff4201000705810200020007050102000200\n",
	    NULL);

	TAP_MUST(cu_adb_usb_scan(&c, &n, &e));
	tap_ok(n == 1 && strcmp(c[0].serial, "USBIO1") == 0 && c[0].ep_in == EP_IN &&
		   c[0].ep_out == EP_OUT && c[0].max_packet_out == MPS,
	       "the fake phone is found with its bulk endpoints");
	if (n != 1)
		tap_bail("no device to test");

	reset_fake();
	fk.driver_bound = true;
	TAP_MUST(cu_adb_usb_connect(&c[0], &t, &e));
	tap_ok(fk.detached, "a kernel driver on the interface is detached before the claim");
	TAP_MUST(cu_adb_open_transport(t, c[0].serial, &o, NULL, &a, &e));
	tap_is_str(cu_adb_serial(a), "USBIO1", "connected over USB; serial from sysfs");
	out_sizes(0, sizes, sizeof(sizes));
	tap_ok(strncmp(sizes, "24 ", 3) == 0, "the header goes as its own 24-byte transfer (%s)",
	       sizes);

	/* OPEN's payload is "shell:" + cmd + NUL: 512 bytes, a multiple of 512. */
	TAP_MUST(cu_buf_puts(&cmd, "echo ", &e));
	while (cmd.len < 512 - 7)
		TAP_MUST(cu_buf_putc(&cmd, 'x', &e));
	mark = fk.n_out;
	TAP_MUST(cu_adb_shell(a, cmd.data, sink, &out, &code, &e));
	out_sizes(mark, sizes, sizeof(sizes));
	tap_ok(strncmp(sizes, "24 512 0 ", 9) == 0,
	       "a 512-byte payload is followed by a zero-length packet (%s)", sizes);
	tap_ok(strlen(fk.last_service) == 511 && strncmp(fk.last_service, "shell:echo ", 11) == 0,
	       "the device got the whole service");
	tap_is_mem(out.data, out.len, "usb says hi\n", 12, "output read back over bulk IN");
	tap_is_int(code, -1, "v1 shell over USB");

	cu_buf_reset(&cmd);
	TAP_MUST(cu_buf_puts(&cmd, "echo ", &e));
	while (cmd.len < 511 - 7)
		TAP_MUST(cu_buf_putc(&cmd, 'y', &e));
	mark = fk.n_out;
	cu_buf_reset(&out);
	TAP_MUST(cu_adb_shell(a, cmd.data, sink, &out, &code, &e));
	out_sizes(mark, sizes, sizeof(sizes));
	tap_ok(strncmp(sizes, "24 511 24", 9) == 0,
	       "a 511-byte payload: no zero-length packet (%s)", sizes);

	pthread_mutex_lock(&fk.mu);
	fk.gone = true;
	pthread_mutex_unlock(&fk.mu);
	tap_is_int(cu_adb_shell(a, "id", sink, &out, &code, &e), CU_E_DEVICE,
		   "the device disappears: device error");
	tap_ok(strstr(e.msg, "cable") != NULL, "the message asks about the cable: %s", e.msg);
	cu_adb_close(a);
	a = NULL;

	reset_fake();
	fk.busy = true;
	tap_is_int(cu_adb_usb_connect(&c[0], &t, &e), CU_E_DEVICE,
		   "the interface is claimed by another program: device error");
	tap_ok(strstr(e.msg, "an adb server holds the device: run `adb kill-server`") != NULL,
	       "busy: the message says to run adb kill-server: %s", e.msg);

	free(c);
	cu_buf_release(&out);
	cu_buf_release(&cmd);
	g_object_unref(handler);
	g_object_unref(tb);
	return tap_done();
}
