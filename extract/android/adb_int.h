/*
 * adb_int.h - the layers under adb.h, for custos's own tests and fuzzers:
 * the packet codec (pure), the CNXN banner, the transport interface with
 * its in-memory pair, TCP and USB back ends, the RSA key and the Android
 * public-key format, and a connection over any transport.
 * No third-party header here: libusb stays inside extract/android/usb.c.
 */
#ifndef CUSTOS_EXTRACT_ANDROID_ADB_INT_H
#define CUSTOS_EXTRACT_ANDROID_ADB_INT_H

#include "extract/android/adb.h"

/* Commands (adb.h:42-49): four ASCII bytes read as a little-endian u32. */
#define CU_ADB_CNXN 0x4e584e43u
#define CU_ADB_AUTH 0x48545541u
#define CU_ADB_OPEN 0x4e45504fu
#define CU_ADB_OKAY 0x59414b4fu
#define CU_ADB_CLSE 0x45534c43u
#define CU_ADB_WRTE 0x45545257u
#define CU_ADB_STLS 0x534c5453u
#define CU_ADB_SYNC 0x434e5953u /* obsolete, refused */

#define CU_ADB_VERSION_MIN           0x01000000u /* payload checksums required */
#define CU_ADB_VERSION_SKIP_CHECKSUM 0x01000001u
#define CU_ADB_MAX_PAYLOAD_V1        4096u /* CNXN and AUTH must fit */
#define CU_ADB_MAX_PAYLOAD           (1024u * 1024u)
#define CU_ADB_MIN_PEER_PAYLOAD      256u /* a smaller announced maxdata is refused */
#define CU_ADB_HEADER_SIZE           24

/* AUTH types (adb_auth.h:30-33) and the token size (adb.h:103). */
#define CU_ADB_AUTH_TOKEN        1u
#define CU_ADB_AUTH_SIGNATURE    2u
#define CU_ADB_AUTH_RSAPUBLICKEY 3u
#define CU_ADB_TOKEN_SIZE        20u

/* ---- packet codec ---------------------------------------------------- */

struct cu_adb_header {
	uint32_t command, arg0, arg1, data_length, data_check, magic;
};

/* Byte sum of the payload (adb.cpp:113-119): not a CRC. */
uint32_t cu_adb_checksum(const void *p, size_t n);
/* Packs the 24-byte header of a packet carrying n payload bytes; data_check is the
 * payload's checksum when with_checksum, else 0. */
void cu_adb_header_pack(uint32_t command, uint32_t arg0, uint32_t arg1, const void *payload,
			uint32_t n, bool with_checksum, unsigned char out[CU_ADB_HEADER_SIZE]);
/* Unpacks and validates a header: magic == command ^ 0xffffffff, a known command,
 * data_length <= max_payload. CU_E_FORMAT names what is wrong. */
enum cu_status cu_adb_header_parse(const unsigned char in[CU_ADB_HEADER_SIZE], uint32_t max_payload,
				   struct cu_adb_header *h, struct cu_error *err) CU_WARN_UNUSED;
enum cu_adb_check {
	CU_ADB_CHECK_NONE,   /* version >= 0x01000001: data_check is ignored */
	CU_ADB_CHECK_LAX,    /* before CNXN: 0 or the right sum */
	CU_ADB_CHECK_STRICT, /* version 0x01000000: the right sum */
};
enum cu_status cu_adb_payload_verify(const struct cu_adb_header *h, const void *payload,
				     enum cu_adb_check mode, struct cu_error *err) CU_WARN_UNUSED;
/* "CNXN", ... or "????" for an unknown command. */
const char *cu_adb_command_name(uint32_t command);

/* The device's CNXN banner "device::ro.product.name=x;ro.product.model=y;
 * ro.product.device=z;features=a,b" (adb.cpp:294-315). Values longer than the
 * fields are cut; the features list is kept whole (at most 4 KiB, the CNXN cap). */
struct cu_adb_banner {
	char kind[16]; /* "device", "recovery", "sideload", "bootloader" ... */
	char product[64], model[64], device[64];
	char features[CU_ADB_MAX_PAYLOAD_V1 + 1];
};
void cu_adb_banner_parse(const char *banner, size_t n, struct cu_adb_banner *out);
/* True when feature is one of the comma-separated names in list. */
bool cu_adb_feature_in(const char *list, const char *feature);

/* shell_protocol.h:43-57: [u8 id][u32 LE length] before each v2 shell frame. */
enum {
	CU_ADB_SHELL_STDIN = 0,
	CU_ADB_SHELL_STDOUT = 1,
	CU_ADB_SHELL_STDERR = 2,
	CU_ADB_SHELL_EXIT = 3,
	CU_ADB_SHELL_CLOSE_STDIN = 4,
	CU_ADB_SHELL_WINDOW = 5,
};
#define CU_ADB_SHELL_FRAME_MAX (64u * 1024u * 1024u)

/* ---- transports --------------------------------------------------------- */

struct cu_adb_transport;
struct cu_adb_transport_ops {
	/* Sends one packet: the 24-byte header, then the payload (USB: separate bulk
	 * transfers, and a zero-length packet after a payload that is a multiple of
	 * wMaxPacketSize). */
	enum cu_status (*send)(struct cu_adb_transport *t, const unsigned char *hdr,
			       const void *payload, size_t n, unsigned timeout_ms,
			       struct cu_error *err);
	/* Reads exactly n bytes; the peer closing first is CU_E_DEVICE, a timeout too
	 * (with "timed out" in the message). */
	enum cu_status (*recv)(struct cu_adb_transport *t, void *p, size_t n, unsigned timeout_ms,
			       struct cu_error *err);
	void (*close)(struct cu_adb_transport *t);
};
struct cu_adb_transport {
	const struct cu_adb_transport_ops *ops;
	char kind[8];     /* "usb", "tcp", "mem" */
	char name[160];   /* what messages call the device: "tcp 127.0.0.1:5037" */
	char serial[128]; /* the transport's own idea of the serial (USB serial, host:port) */
};

/* Two connected ends in memory; each direction buffers at most max bytes (0 = 64 MiB)
 * and a write past that fails (the tests never fill it). Reads wait up to timeout_ms.
 * Closing one end makes the other read EOF once drained and fail its writes. */
enum cu_status cu_adb_mem_pair(size_t max, struct cu_adb_transport **host,
			       struct cu_adb_transport **device,
			       struct cu_error *err) CU_WARN_UNUSED;
/* Ends this end's writing: the peer reads what is buffered, then EOF. */
void cu_adb_mem_shutdown(struct cu_adb_transport *t);
/* Bytes waiting to be read on this end (scripted devices check the host's pacing). */
size_t cu_adb_mem_pending(struct cu_adb_transport *t);
/* Writes raw bytes to the peer of t (no packet framing): scripted devices and fuzzers. */
enum cu_status cu_adb_mem_write(struct cu_adb_transport *t, const void *p, size_t n,
				struct cu_error *err) CU_WARN_UNUSED;

/* "host:port" or "[v6]:port"; a missing port is 5555 (adb.h:192). */
enum cu_status cu_adb_tcp_connect(const char *hostport, unsigned timeout_ms,
				  struct cu_adb_transport **out,
				  struct cu_error *err) CU_WARN_UNUSED;

/* USB: one ADB interface found on a device (class 0xff, subclass 0x42, protocol 1
 * with a bulk IN and a bulk OUT endpoint). */
struct cu_adb_usb_candidate {
	uint8_t bus, address;
	char port_path[32]; /* sysfs name: "1-2.3" */
	uint16_t vendor, product;
	uint8_t interface, alt_setting;
	uint8_t ep_in, ep_out;
	uint16_t max_packet_in, max_packet_out;
	char serial[128]; /* sysfs serial, else the iSerial string, else "usb:1-2.3" */
};
/* Enumerates USB devices and their ADB interfaces (no device is opened except to read
 * a serial that sysfs does not give). *out is malloc'ed; a machine without USB gives
 * none. CU_E_DEVICE when libusb itself cannot start. */
enum cu_status cu_adb_usb_scan(struct cu_adb_usb_candidate **out, size_t *n,
			       struct cu_error *err) CU_WARN_UNUSED;
/* Picks the ADB interface from a raw configuration descriptor (the bytes after the
 * 9-byte configuration header included): the first class ff/42/01 interface with
 * both bulk endpoints. false when none; descriptors are bounds-checked. */
bool cu_adb_usb_pick_interface(const unsigned char *config, size_t n,
			       struct cu_adb_usb_candidate *c);
/* A zero-length packet follows a payload that is a non-zero multiple of wMaxPacketSize
 * (zero_length_packet.md). */
bool cu_adb_usb_needs_zlp(size_t n, unsigned max_packet);
/* Opens and claims the interface of candidate c. BUSY: CU_E_DEVICE naming
 * `adb kill-server`. */
enum cu_status cu_adb_usb_connect(const struct cu_adb_usb_candidate *c,
				  struct cu_adb_transport **out,
				  struct cu_error *err) CU_WARN_UNUSED;

/* ---- the key ------------------------------------------------------------ */

struct cu_adb_key; /* an RSA-2048 private key */

/* The key file: $CUSTOS_ADB_KEY, else $XDG_CONFIG_HOME/custos/adbkey, else
 * ~/.config/custos/adbkey. */
enum cu_status cu_adb_key_default_path(struct cu_buf *out, struct cu_error *err) CU_WARN_UNUSED;
/* Loads the PEM private key at path, or creates a new RSA-2048 key there (mode 0600,
 * parent directories 0700) when the file does not exist, with PATH.pub beside it in
 * the Android format. A key that is not RSA-2048 is CU_E_KEY. */
enum cu_status cu_adb_key_load(const char *path, bool create, struct cu_adb_key **out,
			       struct cu_error *err) CU_WARN_UNUSED;
void cu_adb_key_free(struct cu_adb_key *k);
/* A fresh RSA-2048 key in memory only (tests, fuzzers). */
enum cu_status cu_adb_key_generate(struct cu_adb_key **out, struct cu_error *err) CU_WARN_UNUSED;
/* PKCS#1 v1.5 over the 20-byte token taken as a SHA-1 digest, no hashing
 * (client/auth.cpp:262-281). sig gets 256 bytes. */
enum cu_status cu_adb_key_sign(const struct cu_adb_key *k, const unsigned char *token, size_t n,
			       unsigned char sig[256], struct cu_error *err) CU_WARN_UNUSED;
/* The 524-byte Android public key blob (android_pubkey.cpp): u32 64, u32 n0inv,
 * n (LE), R^2 mod n (LE), u32 e. */
enum cu_status cu_adb_key_pubkey_blob(const struct cu_adb_key *k, unsigned char blob[524],
				      struct cu_error *err) CU_WARN_UNUSED;
/* "<base64 of the blob> <comment>" (no NUL, no newline): what AUTH RSAPUBLICKEY
 * carries (with a NUL) and adbkey.pub holds (with a newline). */
enum cu_status cu_adb_key_pubkey_text(const struct cu_adb_key *k, const char *comment,
				      struct cu_buf *out, struct cu_error *err) CU_WARN_UNUSED;

/* ---- a connection over any transport ------------------------------------ */

/* Connects (CNXN, AUTH) over t, which it takes over (closed on failure too). key may
 * be NULL: loaded (or created) from o->key_path / the default path when the device asks
 * for AUTH; a given key is borrowed. serial NULL = the transport's. */
enum cu_status cu_adb_open_transport(struct cu_adb_transport *t, const char *serial,
				     const struct cu_adb_opts *o, const struct cu_adb_key *key,
				     struct cu_adb **out, struct cu_error *err) CU_WARN_UNUSED;
/* The negotiated protocol version and max payload. */
uint32_t cu_adb_version(const struct cu_adb *a);
uint32_t cu_adb_max_payload(const struct cu_adb *a);

/* For cu_adb_list(): the state a failed open means and what to do. */
void cu_adb_device_from_error(const struct cu_error *e, struct cu_adb_device *d);

#endif
