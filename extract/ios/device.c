/*
 * device.c - an iPhone over usbmuxd and lockdownd (libimobiledevice 1.3.0):
 * listing with a state per device, opening a trusted session (and noticing
 * when that created a pair record), lockdown values as JSON or XML, the
 * clock, installation_proxy Browse, and the AFC media jail (walk, read).
 *
 * Every request to lockdownd and every service started is reported through
 * hooks->command with the reply as XML, so the driver can log it.
 */
#include "config.h"

#include "extract/ios/device_int.h"
#include "extract/ios/plistjson.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libimobiledevice/installation_proxy.h>
#include <usbmuxd.h>

/* ------------------------------------------------------------------ */
/* Reporting and errors                                                */
/* ------------------------------------------------------------------ */

void cu_ios_report(struct cu_ios *d, const char *what, bool ok, const char *msg, plist_t reply)
{
	char *xml = NULL;
	uint32_t len = 0;

	if (d == NULL || d->h.command == NULL)
		return;
	if (reply != NULL)
		plist_to_xml(reply, &xml, &len);
	d->h.command(d->h.ctx, what, ok, msg, xml, xml ? len : 0);
	if (xml != NULL)
		plist_to_xml_free(xml);
}

void cu_ios_report_change(struct cu_ios *d, const char *what, json_t *details)
{
	if (d != NULL && d->h.device_change != NULL)
		d->h.device_change(d->h.ctx, what, details);
}

#define ADVICE_CABLE "connect the iPhone with a data cable, unlock it, then run again"
#define ADVICE_TRUST "unlock the iPhone and tap Trust, enter the passcode, then run again"
#define ADVICE_DENIED                                                                              \
	"Trust was denied on the iPhone: unplug and reconnect it, tap Trust and enter the "        \
	"passcode, then run again"
#define ADVICE_LOCKED "unlock the iPhone (enter the passcode) and keep it unlocked, then run again"
#define ADVICE_RETRUST                                                                             \
	"the iPhone no longer trusts this computer (reset or trust revoked): unlock it, "          \
	"tap Trust when asked and enter the passcode, then run again"

static const char *ld_advice(int lerr)
{
	switch (lerr) {
	case LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING:
	case LOCKDOWN_E_MISSING_PAIR_RECORD:
	case LOCKDOWN_E_PAIRING_FAILED: return ADVICE_TRUST;
	case LOCKDOWN_E_USER_DENIED_PAIRING: return ADVICE_DENIED;
	case LOCKDOWN_E_PASSWORD_PROTECTED:
	case LOCKDOWN_E_ESCROW_LOCKED: return ADVICE_LOCKED;
	case LOCKDOWN_E_INVALID_HOST_ID:
	case LOCKDOWN_E_INVALID_PAIR_RECORD:
	case LOCKDOWN_E_INVALID_CONF: return ADVICE_RETRUST;
	default: return ADVICE_CABLE;
	}
}

static const char *ld_state(int lerr)
{
	switch (lerr) {
	case LOCKDOWN_E_SUCCESS: return "ready";
	case LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING:
	case LOCKDOWN_E_MISSING_PAIR_RECORD:
	case LOCKDOWN_E_PAIRING_FAILED:
	case LOCKDOWN_E_USER_DENIED_PAIRING:
	case LOCKDOWN_E_INVALID_HOST_ID:
	case LOCKDOWN_E_INVALID_PAIR_RECORD:
	case LOCKDOWN_E_INVALID_CONF: return "untrusted";
	case LOCKDOWN_E_PASSWORD_PROTECTED:
	case LOCKDOWN_E_ESCROW_LOCKED: return "locked";
	default: return "unavailable";
	}
}

enum cu_status cu_ios_lockdown_error(const struct cu_ios *d, const char *udid, int lerr,
				     const char *what, struct cu_error *err)
{
	const char *u = udid ? udid : d ? d->udid : "?";
	const char *why = lockdownd_strerror((lockdownd_error_t)lerr);

	return cu_error_set(err, CU_E_DEVICE, "iPhone %s: lockdownd %s failed (%s, %d): %s", u,
			    what, why ? why : "unknown error", lerr, ld_advice(lerr));
}

/* A lockdownd reply's Error string as the library's code (for the advice). */
static int ld_error_code(const char *e)
{
	static const struct {
		const char *s;
		int code;
	} map[] = {
	    {"PasswordProtected", LOCKDOWN_E_PASSWORD_PROTECTED},
	    {"UserDeniedPairing", LOCKDOWN_E_USER_DENIED_PAIRING},
	    {"PairingDialogResponsePending", LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING},
	    {"InvalidHostID", LOCKDOWN_E_INVALID_HOST_ID},
	    {"MissingValue", LOCKDOWN_E_MISSING_VALUE},
	    {"GetProhibited", LOCKDOWN_E_GET_PROHIBITED},
	    {"NoRunningSession", LOCKDOWN_E_NO_RUNNING_SESSION},
	    {"InvalidService", LOCKDOWN_E_INVALID_SERVICE},
	    {"EscrowLocked", LOCKDOWN_E_ESCROW_LOCKED},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(e, map[i].s) == 0)
			return map[i].code;
	return LOCKDOWN_E_UNKNOWN_ERROR;
}

/* ------------------------------------------------------------------ */
/* Pair records (usbmuxd's, never written here)                        */
/* ------------------------------------------------------------------ */

/* The record usbmuxd holds for udid, parsed, or NULL when there is none. */
static plist_t pair_record(const char *udid)
{
	char *data = NULL;
	uint32_t size = 0;
	plist_t pl = NULL;

	if (usbmuxd_read_pair_record(udid, &data, &size) < 0 || data == NULL || size == 0) {
		free(data);
		return NULL;
	}
	plist_from_memory(data, size, &pl);
	free(data);
	return pl;
}

static const char *dict_str(plist_t dict, const char *key)
{
	plist_t n = dict ? plist_dict_get_item(dict, key) : NULL;

	if (n == NULL || plist_get_node_type(n) != PLIST_STRING)
		return NULL;
	return plist_get_string_ptr(n, NULL);
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */
/* ------------------------------------------------------------------ */

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static void probe_value(lockdownd_client_t ld, const char *key, char *dst, size_t n)
{
	plist_t v = NULL;

	if (lockdownd_get_value(ld, NULL, key, &v) == LOCKDOWN_E_SUCCESS && v != NULL &&
	    plist_get_node_type(v) == PLIST_STRING)
		copy_str(dst, n, plist_get_string_ptr(v, NULL));
	plist_free(v);
}

/* State of one device without pairing: lockdownd without a handshake for
 * the public values, usbmuxd's pair record, a session when there is one
 * and the media service started (not used) to see whether it is locked. */
static void probe(const char *udid, enum idevice_connection_type type, struct cu_ios_devinfo *di)
{
	idevice_t dev = NULL;
	lockdownd_client_t ld = NULL;
	plist_t rec;
	int lerr;

	memset(di, 0, sizeof(*di));
	copy_str(di->udid, sizeof(di->udid), udid);
	copy_str(di->via, sizeof(di->via), type == CONNECTION_NETWORK ? "network" : "usb");
	copy_str(di->state, sizeof(di->state), "unavailable");
	copy_str(di->advice, sizeof(di->advice), ADVICE_CABLE);
	if (idevice_new_with_options(&dev, udid,
				     type == CONNECTION_NETWORK
					 ? IDEVICE_LOOKUP_NETWORK
					 : IDEVICE_LOOKUP_USBMUX) != IDEVICE_E_SUCCESS)
		return;
	lerr = lockdownd_client_new(dev, &ld, CU_IOS_LABEL);
	if (lerr != LOCKDOWN_E_SUCCESS) {
		idevice_free(dev);
		return;
	}
	probe_value(ld, "DeviceName", di->name, sizeof(di->name));
	probe_value(ld, "ProductType", di->product_type, sizeof(di->product_type));
	probe_value(ld, "ProductVersion", di->product_version, sizeof(di->product_version));
	rec = pair_record(udid);
	if (rec == NULL || dict_str(rec, "HostID") == NULL) {
		lerr = LOCKDOWN_E_MISSING_PAIR_RECORD;
	} else {
		char *sid = NULL;

		lerr = lockdownd_start_session(ld, dict_str(rec, "HostID"), &sid, NULL);
		if (lerr == LOCKDOWN_E_SUCCESS) {
			lockdownd_service_descriptor_t svc = NULL;

			/* a locked phone refuses the media service (PasswordProtected);
			 * the service is only started, never connected to */
			if (lockdownd_start_service(ld, "com.apple.afc", &svc) ==
			    LOCKDOWN_E_PASSWORD_PROTECTED)
				lerr = LOCKDOWN_E_PASSWORD_PROTECTED;
			if (svc != NULL)
				lockdownd_service_descriptor_free(svc);
			(void)lockdownd_stop_session(ld, sid);
		}
		free(sid);
	}
	plist_free(rec);
	copy_str(di->state, sizeof(di->state), ld_state(lerr));
	copy_str(di->advice, sizeof(di->advice), lerr == LOCKDOWN_E_SUCCESS ? "" : ld_advice(lerr));
	lockdownd_client_free(ld);
	idevice_free(dev);
}

enum cu_status cu_ios_list(struct cu_ios_devinfo **out, size_t *n, struct cu_error *err)
{
	idevice_info_t *list = NULL;
	int count = 0;
	struct cu_ios_devinfo *v;
	size_t k = 0;

	if (idevice_get_device_list_extended(&list, &count) != IDEVICE_E_SUCCESS)
		return cu_error_set(err, CU_E_DEVICE,
				    "iPhones: usbmuxd does not answer (is the usbmuxd service "
				    "installed and running?)");
	v = cu_calloc(count > 0 ? (size_t)count : 1, sizeof(*v));
	if (v == NULL) {
		idevice_device_list_extended_free(list);
		return cu_error_set(err, CU_E_NOMEM, "iPhones: out of memory");
	}
	for (int i = 0; i < count; i++) {
		bool dup = false;

		if (list[i] == NULL || list[i]->udid == NULL)
			continue;
		/* a phone on USB and Wi-Fi at once: once, by its USB entry */
		for (size_t j = 0; j < k; j++)
			if (strcmp(v[j].udid, list[i]->udid) == 0)
				dup = true;
		if (dup)
			continue;
		probe(list[i]->udid, list[i]->conn_type, &v[k++]);
	}
	idevice_device_list_extended_free(list);
	*out = v;
	*n = k;
	return CU_OK;
}

bool cu_ios_known(const char *udid)
{
	char **list = NULL;
	int count = 0;
	bool found = false;

	if (udid == NULL || idevice_get_device_list(&list, &count) != IDEVICE_E_SUCCESS)
		return false;
	for (int i = 0; i < count; i++)
		if (list[i] != NULL && strcmp(list[i], udid) == 0)
			found = true;
	idevice_device_list_free(list);
	return found;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

static enum cu_status pick_udid(const char *udid, char *out, size_t n, struct cu_error *err)
{
	char **list = NULL;
	int count = 0;
	bool found = false;

	if (idevice_get_device_list(&list, &count) != IDEVICE_E_SUCCESS)
		return cu_error_set(err, CU_E_DEVICE,
				    "iPhone: usbmuxd does not answer (is the usbmuxd service "
				    "installed and running?); " ADVICE_CABLE);
	for (int i = 0; i < count; i++)
		if (list[i] != NULL && udid != NULL && strcmp(list[i], udid) == 0)
			found = true;
	if (udid == NULL && count == 1) {
		copy_str(out, n, list[0]);
		found = true;
	}
	idevice_device_list_free(list);
	if (found) {
		if (udid != NULL)
			copy_str(out, n, udid);
		return CU_OK;
	}
	if (udid != NULL)
		return cu_error_set(err, CU_E_DEVICE, "iPhone %s: not attached: " ADVICE_CABLE,
				    udid);
	if (count == 0)
		return cu_error_set(err, CU_E_DEVICE, "no iPhone attached: " ADVICE_CABLE);
	return cu_error_set(err, CU_E_DEVICE,
			    "%d iPhones attached: name the one to acquire by its UDID (custos "
			    "devices lists them)",
			    count);
}

static json_t *pair_details(const char *udid, plist_t rec)
{
	json_t *o = json_object();
	const char *s;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "udid", json_string(udid));
	if ((s = dict_str(rec, "HostID")) != NULL)
		json_object_set_new(o, "host_id", json_string(s));
	if ((s = dict_str(rec, "SystemBUID")) != NULL)
		json_object_set_new(o, "system_buid", json_string(s));
	json_object_set_new(o, "stored_by", json_string("usbmuxd"));
	return o;
}

enum cu_status cu_ios_open(const char *udid, const struct cu_ios_hooks *h, struct cu_ios **out,
			   struct cu_error *err)
{
	struct cu_ios *d;
	plist_t before, after;
	const char *hs;
	enum cu_status st;
	int lerr;

	d = cu_calloc(1, sizeof(*d));
	if (d == NULL)
		return cu_error_set(err, CU_E_NOMEM, "iPhone: out of memory");
	if (h != NULL)
		d->h = *h;
	st = pick_udid(udid, d->udid, sizeof(d->udid), err);
	if (st != CU_OK) {
		free(d);
		return st;
	}
	if (idevice_new_with_options(&d->dev, d->udid,
				     IDEVICE_LOOKUP_USBMUX | IDEVICE_LOOKUP_NETWORK) !=
	    IDEVICE_E_SUCCESS) {
		st = cu_error_set(err, CU_E_DEVICE, "iPhone %s: not attached: " ADVICE_CABLE,
				  d->udid);
		free(d);
		return st;
	}
	/* libimobiledevice pairs on its own when usbmuxd has no record: ask
	 * before and after, so a record created here is reported. */
	before = pair_record(d->udid);
	hs = before != NULL
		 ? "lockdownd handshake (QueryType, GetValue ProductVersion, StartSession)"
		 : "lockdownd handshake (QueryType, GetValue ProductVersion, Pair, "
		   "StartSession)";
	lerr = lockdownd_client_new_with_handshake(d->dev, &d->ld, CU_IOS_LABEL);
	after = before == NULL ? pair_record(d->udid) : NULL;
	if (before == NULL && after != NULL) {
		json_t *det = pair_details(d->udid, after);

		cu_ios_report(d, "lockdownd Pair", true,
			      "pair record created and stored by usbmuxd", NULL);
		cu_ios_report_change(d, "pair record created", det);
		json_decref(det);
	}
	plist_free(before);
	plist_free(after);
	if (lerr != LOCKDOWN_E_SUCCESS) {
		st = cu_ios_lockdown_error(d, d->udid, lerr, "handshake", err);
		cu_ios_report(d, hs, false, err->msg, NULL);
		d->ld = NULL;
		cu_ios_close(d);
		return st;
	}
	cu_ios_report(d, hs, true, NULL, NULL);
	*out = d;
	return CU_OK;
}

void cu_ios_close(struct cu_ios *d)
{
	if (d == NULL)
		return;
	if (d->afc != NULL)
		afc_client_free(d->afc);
	if (d->ld != NULL)
		lockdownd_client_free(d->ld);
	if (d->dev != NULL)
		idevice_free(d->dev);
	free(d);
}

const char *cu_ios_udid(const struct cu_ios *d)
{
	return d->udid;
}

/* ------------------------------------------------------------------ */
/* Lockdown values                                                     */
/* ------------------------------------------------------------------ */

/* GetValue as sent on the wire, so the reply itself is reported. *value
 * is the reply's Value (a copy). */
static enum cu_status ld_get(struct cu_ios *d, const char *domain, const char *key, plist_t *value,
			     struct cu_error *err)
{
	plist_t req = plist_new_dict(), reply = NULL, v;
	char what[256];
	const char *e;
	int lerr;

	snprintf(what, sizeof(what), "lockdownd GetValue%s%s%s%s", domain ? " " : "",
		 domain ? domain : "", key ? " " : "", key ? key : "");
	plist_dict_set_item(req, "Label", plist_new_string(CU_IOS_LABEL));
	if (domain != NULL)
		plist_dict_set_item(req, "Domain", plist_new_string(domain));
	if (key != NULL)
		plist_dict_set_item(req, "Key", plist_new_string(key));
	plist_dict_set_item(req, "Request", plist_new_string("GetValue"));
	lerr = lockdownd_send(d->ld, req);
	plist_free(req);
	if (lerr == LOCKDOWN_E_SUCCESS)
		lerr = lockdownd_receive(d->ld, &reply);
	if (lerr != LOCKDOWN_E_SUCCESS || reply == NULL) {
		enum cu_status st = cu_ios_lockdown_error(d, NULL, lerr, what + 10, err);

		cu_ios_report(d, what, false, err->msg, NULL);
		plist_free(reply);
		return st;
	}
	e = dict_str(reply, "Error");
	v = plist_dict_get_item(reply, "Value");
	if (e != NULL || v == NULL) {
		enum cu_status st;

		if (e != NULL && (strcmp(e, "MissingValue") == 0))
			st = cu_error_set(err, CU_E_NOTFOUND, "iPhone %s: %s: no such value",
					  d->udid, what + 10);
		else if (e != NULL)
			st = cu_ios_lockdown_error(d, NULL, ld_error_code(e), what + 10, err);
		else
			st =
			    cu_error_set(err, CU_E_DEVICE, "iPhone %s: %s: a reply without a Value",
					 d->udid, what + 10);
		if (e != NULL && strcmp(e, "MissingValue") != 0 &&
		    ld_error_code(e) == LOCKDOWN_E_UNKNOWN_ERROR)
			st = cu_error_prefix(err, "%s", e);
		cu_ios_report(d, what, false, err->msg, reply);
		plist_free(reply);
		return st;
	}
	cu_ios_report(d, what, true, NULL, reply);
	*value = plist_copy(v);
	plist_free(reply);
	return CU_OK;
}

enum cu_status cu_ios_values(struct cu_ios *d, const char *domain, json_t **out,
			     struct cu_error *err)
{
	plist_t v = NULL;
	enum cu_status st = ld_get(d, domain, NULL, &v, err);

	if (st != CU_OK)
		return st;
	st = cu_ios_plist_to_json(v, out, err);
	plist_free(v);
	if (st != CU_OK)
		return cu_error_prefix(err, "iPhone %s: values %s", d->udid, domain ? domain : "");
	return CU_OK;
}

enum cu_status cu_ios_values_xml(struct cu_ios *d, const char *domain, struct cu_buf *out,
				 struct cu_error *err)
{
	plist_t v = NULL;
	char *xml = NULL;
	uint32_t len = 0;
	enum cu_status st = ld_get(d, domain, NULL, &v, err);

	if (st != CU_OK)
		return st;
	plist_to_xml(v, &xml, &len);
	plist_free(v);
	if (xml == NULL)
		return cu_error_set(err, CU_E_NOMEM, "iPhone %s: values as XML: out of memory",
				    d->udid);
	st = cu_buf_append(out, xml, len, err);
	plist_to_xml_free(xml);
	return st;
}

enum cu_status cu_ios_time(struct cu_ios *d, int64_t *unix_ms, struct cu_error *err)
{
	plist_t v = NULL;
	enum cu_status st = ld_get(d, NULL, "TimeIntervalSince1970", &v, err);
	double s = -1;

	if (st != CU_OK)
		return st;
	if (plist_get_node_type(v) == PLIST_REAL) {
		plist_get_real_val(v, &s);
	} else if (plist_get_node_type(v) == PLIST_UINT) {
		uint64_t u = 0;

		plist_get_uint_val(v, &u);
		s = (double)u;
	}
	plist_free(v);
	if (!isfinite(s) || s < 0 || s > 253402300799.0)
		return cu_error_set(err, CU_E_FORMAT,
				    "iPhone %s: TimeIntervalSince1970 is not a time", d->udid);
	*unix_ms = (int64_t)(s * 1000.0 + 0.5); /* s >= 0: rounded */
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Services                                                            */
/* ------------------------------------------------------------------ */

/* StartService sent here rather than through lockdownd_start_service(), so
 * the reply itself is reported; the escrow bag (the pair record's, as
 * lockdownd_start_service_with_escrow_bag() sends it) never is. */
enum cu_status cu_ios_start_service(struct cu_ios *d, const char *service, bool escrow,
				    lockdownd_service_descriptor_t *out, struct cu_error *err)
{
	plist_t req, reply = NULL, n;
	lockdownd_service_descriptor_t svc;
	char what[160];
	const char *e;
	uint64_t port = 0;
	uint8_t ssl = 0;
	enum cu_status st;
	int lerr;

	snprintf(what, sizeof(what), "lockdownd StartService %s", service);
	req = plist_new_dict();
	plist_dict_set_item(req, "Label", plist_new_string(CU_IOS_LABEL));
	plist_dict_set_item(req, "Request", plist_new_string("StartService"));
	plist_dict_set_item(req, "Service", plist_new_string(service));
	if (escrow) {
		plist_t rec = pair_record(d->udid);
		plist_t bag = rec ? plist_dict_get_item(rec, "EscrowBag") : NULL;

		if (bag == NULL || plist_get_node_type(bag) != PLIST_DATA) {
			plist_free(rec);
			plist_free(req);
			st =
			    cu_ios_lockdown_error(d, NULL, LOCKDOWN_E_INVALID_CONF, what + 10, err);
			cu_error_prefix(err, "the pair record has no escrow bag");
			cu_ios_report(d, what, false, err->msg, NULL);
			return st;
		}
		plist_dict_set_item(req, "EscrowBag", plist_copy(bag));
		plist_free(rec);
	}
	lerr = lockdownd_send(d->ld, req);
	plist_free(req);
	if (lerr == LOCKDOWN_E_SUCCESS)
		lerr = lockdownd_receive(d->ld, &reply);
	if (lerr == LOCKDOWN_E_SUCCESS && reply == NULL)
		lerr = LOCKDOWN_E_PLIST_ERROR;
	if (lerr == LOCKDOWN_E_SUCCESS && (e = dict_str(reply, "Error")) != NULL) {
		lerr = ld_error_code(e);
		if (lerr == LOCKDOWN_E_INVALID_SERVICE) {
			st = cu_error_set(
			    err, CU_E_DEVICE,
			    "iPhone %s: %s: the iPhone does not offer this service (%s)", d->udid,
			    what + 10, e);
			cu_ios_report(d, what, false, err->msg, reply);
			plist_free(reply);
			return st;
		}
	}
	if (lerr == LOCKDOWN_E_SUCCESS) {
		n = plist_dict_get_item(reply, "Port");
		if (n != NULL && plist_get_node_type(n) == PLIST_UINT)
			plist_get_uint_val(n, &port);
		n = plist_dict_get_item(reply, "EnableServiceSSL");
		if (n != NULL && plist_get_node_type(n) == PLIST_BOOLEAN)
			plist_get_bool_val(n, &ssl);
		if (port == 0 || port > 65535)
			lerr = LOCKDOWN_E_INVALID_RESPONSE;
	}
	if (lerr != LOCKDOWN_E_SUCCESS) {
		st = cu_ios_lockdown_error(d, NULL, lerr, what + 10, err);
		if (reply != NULL && dict_str(reply, "Error") != NULL &&
		    ld_error_code(dict_str(reply, "Error")) == LOCKDOWN_E_UNKNOWN_ERROR)
			cu_error_prefix(err, "%s", dict_str(reply, "Error"));
		cu_ios_report(d, what, false, err->msg, reply);
		plist_free(reply);
		return st;
	}
	cu_ios_report(d, what, true, NULL, reply);
	plist_free(reply);
	/* freed by lockdownd_service_descriptor_free(): plain malloc */
	svc = malloc(sizeof(*svc));
	if (svc == NULL || (svc->identifier = strdup(service)) == NULL) {
		free(svc);
		return cu_error_set(err, CU_E_NOMEM, "iPhone %s: out of memory", d->udid);
	}
	svc->port = (uint16_t)port;
	svc->ssl_enabled = ssl;
	*out = svc;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Installed apps                                                      */
/* ------------------------------------------------------------------ */

enum cu_status cu_ios_apps(struct cu_ios *d, json_t **out, struct cu_error *err)
{
	lockdownd_service_descriptor_t svc = NULL;
	instproxy_client_t ip = NULL;
	plist_t opts, apps = NULL;
	enum cu_status st;
	int ierr;

	st = cu_ios_start_service(d, "com.apple.mobile.installation_proxy", false, &svc, err);
	if (st != CU_OK)
		return st;
	ierr = instproxy_client_new(d->dev, svc, &ip);
	lockdownd_service_descriptor_free(svc);
	if (ierr != INSTPROXY_E_SUCCESS) {
		st = cu_error_set(
		    err, CU_E_DEVICE,
		    "iPhone %s: installation_proxy: cannot connect (%d): " ADVICE_CABLE, d->udid,
		    ierr);
		cu_ios_report(d, "installation_proxy Browse", false, err->msg, NULL);
		return st;
	}
	opts = instproxy_client_options_new();
	instproxy_client_options_add(opts, "ApplicationType", "Any", NULL);
	instproxy_client_options_set_return_attributes(
	    opts, "CFBundleIdentifier", "CFBundleDisplayName", "CFBundleName",
	    "CFBundleShortVersionString", "CFBundleVersion", "SignerIdentity", "ApplicationType",
	    "Path", "Container", NULL);
	ierr = instproxy_browse(ip, opts, &apps);
	instproxy_client_options_free(opts);
	instproxy_client_free(ip);
	if (ierr != INSTPROXY_E_SUCCESS || apps == NULL ||
	    plist_get_node_type(apps) != PLIST_ARRAY) {
		st =
		    cu_error_set(err, CU_E_DEVICE,
				 "iPhone %s: installation_proxy Browse failed (%d)", d->udid, ierr);
		cu_ios_report(d, "installation_proxy Browse", false, err->msg, apps);
		plist_free(apps);
		return st;
	}
	cu_ios_report(d, "installation_proxy Browse", true, NULL, apps);
	st = cu_ios_plist_to_json(apps, out, err);
	plist_free(apps);
	if (st != CU_OK)
		return cu_error_prefix(err, "iPhone %s: installation_proxy Browse", d->udid);
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* AFC (the media jail)                                                */
/* ------------------------------------------------------------------ */

#define AFC_DEPTH_MAX 64
#define AFC_BLOCK     65536

static enum cu_status afc_ready(struct cu_ios *d, struct cu_error *err)
{
	lockdownd_service_descriptor_t svc = NULL;
	enum cu_status st;
	int aerr;

	if (d->afc != NULL)
		return CU_OK;
	st = cu_ios_start_service(d, "com.apple.afc", false, &svc, err);
	if (st != CU_OK)
		return st;
	aerr = afc_client_new(d->dev, svc, &d->afc);
	lockdownd_service_descriptor_free(svc);
	if (aerr != AFC_E_SUCCESS) {
		d->afc = NULL;
		return cu_error_set(err, CU_E_DEVICE,
				    "iPhone %s: AFC: cannot connect (%d): " ADVICE_CABLE, d->udid,
				    aerr);
	}
	return CU_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t kv_i64(char **kv, const char *key, bool *found)
{
	for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL; i += 2)
		if (strcmp(kv[i], key) == 0) {
			int64_t v;

			if (cu_parse_i64(kv[i + 1], &v)) {
				*found = true;
				return v;
			}
		}
	*found = false;
	return 0;
}

static const char *kv_str(char **kv, const char *key)
{
	for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL; i += 2)
		if (strcmp(kv[i], key) == 0)
			return kv[i + 1];
	return NULL;
}

struct afc_walk {
	struct cu_ios *d;
	bool (*fn)(void *ctx, const struct cu_ios_afc_entry *e);
	void *ctx;
	size_t entries, failed;
};

static enum cu_status walk_dir(struct afc_walk *w, const char *dir, int depth, struct cu_error *err)
{
	char **names = NULL;
	size_t n = 0;
	enum cu_status st = CU_OK;
	int aerr;

	if (depth > AFC_DEPTH_MAX)
		return cu_error_set(err, CU_E_LIMIT, "iPhone %s: AFC %s: nested deeper than %d",
				    w->d->udid, dir, AFC_DEPTH_MAX);
	aerr = afc_read_directory(w->d->afc, dir, &names);
	if (aerr != AFC_E_SUCCESS && depth > 0) {
		char msg[CU_PATH_MAX + 128];

		/* one unreadable directory (permission, gone meanwhile): said, the walk goes on */
		snprintf(msg, sizeof(msg), "%s: not listed (%d)", dir, aerr);
		cu_ios_report(w->d, "afc ReadDirectory", false, msg, NULL);
		cu_warn("iPhone %s: AFC %s", w->d->udid, msg);
		w->failed++;
		afc_dictionary_free(names);
		return CU_OK;
	}
	if (aerr != AFC_E_SUCCESS) {
		afc_dictionary_free(names);
		return cu_error_set(
		    err, aerr == AFC_E_OBJECT_NOT_FOUND ? CU_E_NOTFOUND : CU_E_DEVICE,
		    "iPhone %s: AFC ReadDirectory %s failed (%d)", w->d->udid, dir, aerr);
	}
	while (names != NULL && names[n] != NULL)
		n++;
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && st == CU_OK; i++) {
		struct cu_ios_afc_entry e;
		struct cu_buf path = CU_BUF_INIT;
		char **kv = NULL;
		const char *fmt;
		bool found;

		if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0 ||
		    names[i][0] == '\0' || strchr(names[i], '/') != NULL)
			continue;
		st = cu_buf_printf(&path, err, "%s%s%s", dir,
				   dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (st == CU_OK && path.len > CU_PATH_MAX)
			st = cu_error_set(err, CU_E_LIMIT, "iPhone %s: AFC path too long",
					  w->d->udid);
		if (st != CU_OK) {
			cu_buf_release(&path);
			break;
		}
		aerr = afc_get_file_info(w->d->afc, path.data, &kv);
		if (aerr != AFC_E_SUCCESS || kv == NULL) {
			char msg[CU_PATH_MAX + 128];

			/* gone meanwhile or unreadable: said, and the walk goes on */
			snprintf(msg, sizeof(msg), "%s: no file information (%d)", path.data, aerr);
			cu_ios_report(w->d, "afc GetFileInfo", false, msg, NULL);
			cu_warn("iPhone %s: AFC %s", w->d->udid, msg);
			w->failed++;
			afc_dictionary_free(kv);
			cu_buf_release(&path);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.path = path.data;
		fmt = kv_str(kv, "st_ifmt");
		e.dir = fmt != NULL && strcmp(fmt, "S_IFDIR") == 0;
		e.symlink = fmt != NULL && strcmp(fmt, "S_IFLNK") == 0;
		e.link_target = e.symlink ? kv_str(kv, "LinkTarget") : NULL;
		e.size = (uint64_t)kv_i64(kv, "st_size", &found);
		e.mtime_ns = kv_i64(kv, "st_mtime", &found);
		if (!found)
			e.mtime_ns = INT64_MIN;
		e.birth_ns = kv_i64(kv, "st_birthtime", &found);
		if (!found)
			e.birth_ns = INT64_MIN;
		w->entries++;
		if (!w->fn(w->ctx, &e))
			st = cu_error_set(err, CU_E_INTERRUPTED, "iPhone %s: AFC walk stopped",
					  w->d->udid);
		else if (e.dir)
			st = walk_dir(w, path.data, depth + 1, err);
		afc_dictionary_free(kv);
		cu_buf_release(&path);
	}
	afc_dictionary_free(names);
	return st;
}

enum cu_status cu_ios_afc_walk(struct cu_ios *d, const char *root,
			       bool (*fn)(void *ctx, const struct cu_ios_afc_entry *e), void *ctx,
			       struct cu_error *err)
{
	struct afc_walk w = {d, fn, ctx, 0, 0};
	char what[CU_PATH_MAX + 32], msg[128];
	enum cu_status st = afc_ready(d, err);

	if (st != CU_OK)
		return st;
	st = walk_dir(&w, root && root[0] ? root : "/", 0, err);
	snprintf(what, sizeof(what), "afc walk %s", root && root[0] ? root : "/");
	snprintf(msg, sizeof(msg), "%zu entries, %zu unreadable (no file information or listing)",
		 w.entries, w.failed);
	cu_ios_report(d, what, st == CU_OK, st == CU_OK ? msg : err->msg, NULL);
	return st;
}

enum cu_status cu_ios_afc_read(struct cu_ios *d, const char *path,
			       enum cu_status (*sink)(void *ctx, const void *p, size_t n,
						      struct cu_error *err),
			       void *ctx, struct cu_error *err)
{
	uint64_t h = 0;
	char *buf;
	enum cu_status st = afc_ready(d, err);
	int aerr;

	if (st != CU_OK)
		return st;
	aerr = afc_file_open(d->afc, path, AFC_FOPEN_RDONLY, &h);
	if (aerr != AFC_E_SUCCESS)
		return cu_error_set(err,
				    aerr == AFC_E_OBJECT_NOT_FOUND ? CU_E_NOTFOUND : CU_E_DEVICE,
				    "iPhone %s: AFC open %s failed (%d)", d->udid, path, aerr);
	buf = cu_malloc(AFC_BLOCK);
	if (buf == NULL) {
		afc_file_close(d->afc, h);
		return cu_error_set(err, CU_E_NOMEM, "iPhone %s: AFC read: out of memory", d->udid);
	}
	for (;;) {
		uint32_t got = 0;

		aerr = afc_file_read(d->afc, h, buf, AFC_BLOCK, &got);
		if (aerr != AFC_E_SUCCESS) {
			st = cu_error_set(err, CU_E_DEVICE, "iPhone %s: AFC read %s failed (%d)",
					  d->udid, path, aerr);
			break;
		}
		if (got == 0)
			break;
		st = sink(ctx, buf, got, err);
		if (st != CU_OK)
			break;
	}
	free(buf);
	afc_file_close(d->afc, h);
	return st;
}
