/*
 * acquire.c - `custos acquire --device UDID` for an iPhone: the
 * acquisition driver over the device layer (extract/ios/device.h:
 * usbmuxd, lockdownd, installation_proxy, AFC, mobilebackup2). Nothing is
 * written on the phone except, when the examiner asks, a temporary backup
 * password (DEVICE_CHANGE entries).
 *
 * Order: the phone is opened (pairing if needed: a DEVICE_CHANGE), its
 * lockdownd root values name the item, ACQUIRE_START, the clock, the
 * lockdownd domains as evidence files ("_lockdown/...") and as typed facts
 * in the manifest's items[], the installed apps ("_apps/installed.json"),
 * the full backup over mobilebackup2 received into a spool in
 * CASE/work/ios/<item>/<attempt>/ (each file hashed as it streams, by the
 * evidence writer's hashers), the media over AFC with --media, the clock
 * again; then Info.plist is written into the spool as a host writes it and
 * the standard iOS-backup decoder lays the finished backup out exactly as
 * `custos import` does, adopting each spooled file (moved, not copied
 * again). Every exchange with the phone is a COMMAND custody entry with
 * the SHA-256 of its raw reply (docs/custody.md, "iOS acquisition").
 *
 * Nothing received is ever lost: a file the phone removes or replaces
 * after sending it, the files of a backup attempt that broke off, and a
 * backup that cannot be decoded (encrypted, no password) are recorded as
 * evidence under "_mobilebackup2/..." with a warning. A dropped connection
 * leaves the acquisition "running" with an ERROR entry: `--resume` takes
 * the backup again cleanly (a new attempt, a new spool).
 */
#include "extract/ios/acquire_int.h"
#include "extract/extract.h"
#include "extract/record_int.h"
#include "extract/formats/formats.h"
#include "extract/ingest_int.h"
#include "extract/ios/device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <plist/plist.h>

#define ATTEMPT_MAX 999
#define PW_MAX      1024
#define LIST_CAP    ((size_t)1 << 20)

/* ---- the spool map: phone path -> what the writer computed ---- */

struct spent {
	char *key; /* the phone's path "<udid>/xx/<fileID>" */
	struct cu_ingest_spooled sp;
	char *abs; /* owned; sp.abs points here */
	struct spent *next;
};
/* Every directory that ever held a spooled file ("<udid>", "<udid>/xx"),
 * so a move or remove of a path that holds nothing costs no scan. */
struct spdir {
	char *path;
	struct spdir *next;
};
struct spmap {
	struct spent **tab;
	size_t cap, n;
	struct spdir **dirs;
	size_t dcap, dn;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t fnv_n(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static bool dir_has(const struct spmap *m, const char *p, size_t n)
{
	if (m->dcap == 0)
		return false;
	for (struct spdir *d = m->dirs[fnv_n(p, n) & (m->dcap - 1)]; d != NULL; d = d->next)
		if (strncmp(d->path, p, n) == 0 && d->path[n] == '\0')
			return true;
	return false;
}

static enum cu_status dir_add(struct spmap *m, const char *p, size_t n, struct cu_error *err)
{
	struct spdir *d;
	if (dir_has(m, p, n))
		return CU_OK;
	if (m->dn + 1 > m->dcap / 2) {
		size_t nc = m->dcap ? m->dcap * 2 : 256;
		struct spdir **nt = calloc(nc, sizeof(*nt));
		if (nt == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		for (size_t i = 0; i < m->dcap; i++)
			for (struct spdir *q = m->dirs[i], *nx; q != NULL; q = nx) {
				nx = q->next;
				struct spdir **b = &nt[fnv(q->path) & (nc - 1)];
				q->next = *b;
				*b = q;
			}
		free(m->dirs);
		m->dirs = nt;
		m->dcap = nc;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->path = cu_malloc(n + 1)) == NULL) {
		free(d);
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	memcpy(d->path, p, n);
	d->path[n] = '\0';
	struct spdir **b = &m->dirs[fnv_n(p, n) & (m->dcap - 1)];
	d->next = *b;
	*b = d;
	m->dn++;
	return CU_OK;
}

/* Records the directories above key. */
static enum cu_status dirs_of(struct spmap *m, const char *key, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	for (const char *q = strchr(key, '/'); q != NULL && st == CU_OK; q = strchr(q + 1, '/'))
		st = dir_add(m, key, (size_t)(q - key), err);
	return st;
}

static struct spent **sp_find(struct spmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	struct spent **pp = &m->tab[fnv(key) & (m->cap - 1)];
	while (*pp != NULL && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	return pp;
}

static struct spent *sp_get(struct spmap *m, const char *key)
{
	struct spent **pp = sp_find(m, key);
	return pp ? *pp : NULL;
}

static void sp_free_one(struct spent *e)
{
	free(e->key);
	free(e->abs);
	free(e);
}

static void sp_del(struct spmap *m, const char *key)
{
	struct spent **pp = sp_find(m, key);
	if (pp != NULL && *pp != NULL) {
		struct spent *e = *pp;
		*pp = e->next;
		sp_free_one(e);
		m->n--;
	}
}

static enum cu_status sp_put(struct spmap *m, struct spent *e, struct cu_error *err)
{
	if (m->n + 1 > m->cap / 2) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		struct spent **nt = calloc(nc, sizeof(*nt));
		if (nt == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		for (size_t i = 0; i < m->cap; i++)
			for (struct spent *p = m->tab[i], *nx; p != NULL; p = nx) {
				nx = p->next;
				struct spent **b = &nt[fnv(p->key) & (nc - 1)];
				p->next = *b;
				*b = p;
			}
		free(m->tab);
		m->tab = nt;
		m->cap = nc;
	}
	enum cu_status st;
	if ((st = dirs_of(m, e->key, err)) != CU_OK)
		return st;
	sp_del(m, e->key);
	struct spent **b = &m->tab[fnv(e->key) & (m->cap - 1)];
	e->next = *b;
	*b = e;
	m->n++;
	return CU_OK;
}

static void sp_release(struct spmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		for (struct spent *p = m->tab[i], *nx; p != NULL; p = nx) {
			nx = p->next;
			sp_free_one(p);
		}
	free(m->tab);
	for (size_t i = 0; i < m->dcap; i++)
		for (struct spdir *d = m->dirs[i], *nx; d != NULL; d = nx) {
			nx = d->next;
			free(d->path);
			free(d);
		}
	free(m->dirs);
	memset(m, 0, sizeof(*m));
}

/* False when nothing is spooled at key or under key/ (no scan needed). */
static bool sp_may_hold(struct spmap *m, const char *key)
{
	return sp_get(m, key) != NULL || dir_has(m, key, strlen(key));
}

/* ---- the driver's state ---- */

/* An entry made before ACQUIRE_START (opening the phone), written after it. */
struct pending {
	char *event;
	char *details;
};

struct iacq {
	struct cu_format_run run; /* first: the decoder's callbacks get it */
	struct cu_case *c;
	const struct cu_acquire_opts *o;
	struct cu_ingest *w;
	struct cu_ios *dev;
	struct cu_acquire_stats st;
	char udid[64];
	char item[128];
	bool resume, begun, new_item;
	json_t *acq;    /* borrowed: our acquisitions[] entry */
	json_t *read;   /* borrowed: the items[] entry */
	json_t *state;  /* owned: device_state facts */
	json_t *record; /* owned: clock, backup summary */
	json_t *root;   /* owned: lockdownd root values */
	json_t *apps;   /* owned: installed apps (array) or NULL */
	char manifest_sha256[65];
	struct cu_buf subject;
	/* the connection dropped (or the phone stopped the backup): resumable */
	bool lost;
	struct cu_error lost_err;
	/* a failure inside a hook (cannot return one) */
	bool hook_failed;
	struct cu_error hook_err;
	struct pending *pend;
	size_t n_pend, cap_pend;
	/* the raw reply of the last exchange (kept as evidence for the
	 * lockdownd values: the bytes whose SHA-256 its COMMAND entry names) */
	struct cu_buf last_raw;
	bool have_raw;
	/* the backup */
	unsigned attempt;
	struct cu_buf spool_rel; /* "ios/<item>/<attempt>" under CASE/work */
	struct cu_buf spool_abs; /* CASE/work/ios/<item>/<attempt> */
	struct spmap map;
	struct cu_ingest_slot fslot;
	struct cu_ingest_file f;
	bool f_open;
	char *f_key;
	/* The phone's data blocks gathered before hashing: a socket read may
	 * give a few KiB, and the writer hashes on a second core only what
	 * comes in large pieces. */
	unsigned char *fbuf;
	size_t fbuf_n;
	unsigned replaced; /* ~N suffix counter for kept files */
	struct cu_buf pw;  /* the backup password (secret buffer) or empty */
	bool have_pw, pw_set_by_us, encrypted;
	const char *backup_state; /* "decoded", "kept-encrypted", "interrupted", ... */
	struct cu_progress bprog; /* the backup's own percentage */
	/* inodes of the listed evidence files (salvaging a killed run's spool) */
	ino_t *listed_ino;
	size_t n_ino;
	bool ino_built;
	/* the apps, asked before ACQUIRE_START: a locked phone refuses the
	 * service, and then nothing is written to the case */
	json_t *apps_pre;
	bool apps_fetched;
	struct cu_error apps_err;
};

/* ---- small helpers ---- */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void hook_fail(struct iacq *x, const struct cu_error *e)
{
	if (!x->hook_failed) {
		x->hook_failed = true;
		x->hook_err = *e;
	}
}

/* ---- custody entries ---- */

static enum cu_status make_subject(struct iacq *x, struct cu_error *err)
{
	struct cu_json j;
	cu_buf_reset(&x->subject);
	cu_json_init(&j, &x->subject);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_str(&j, "device", x->udid);
	cu_json_obj_end(&j);
	return cu_json_finish(&j, err);
}

/* Appends now, or keeps it for right after ACQUIRE_START. */
static enum cu_status entry(struct iacq *x, const char *event, const char *details,
			    struct cu_error *err)
{
	if (x->begun)
		return cu_custody_append(x->c->custody, event, cu_case_default_actor(),
					 x->subject.data, details, NULL, err);
	if (x->n_pend == x->cap_pend) {
		size_t nc = x->cap_pend ? x->cap_pend * 2 : 16;
		struct pending *np = cu_reallocarray(x->pend, nc, sizeof(*np));
		if (np == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		x->pend = np;
		x->cap_pend = nc;
	}
	struct pending *p = &x->pend[x->n_pend];
	p->event = cu_strdup(event);
	p->details = cu_strdup(details);
	if (p->event == NULL || p->details == NULL) {
		free(p->event);
		free(p->details);
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	x->n_pend++;
	return CU_OK;
}

static enum cu_status flush_pending(struct iacq *x, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	for (size_t i = 0; i < x->n_pend && st == CU_OK; i++)
		st = cu_custody_append(x->c->custody, x->pend[i].event, cu_case_default_actor(),
				       x->subject.data, x->pend[i].details, NULL, err);
	return st;
}

/* The device layer's hooks: every exchange a COMMAND entry, every change
 * on the phone or its pairing a DEVICE_CHANGE entry. */
static void hook_command(void *ctx, const char *what, bool ok, const char *msg, const void *raw,
			 size_t rawlen)
{
	struct iacq *x = ctx;
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;
	char sha[65], now[CU_TIME_STR];

	x->st.commands++;
	cu_time_format_ms(cu_time_now_ms(), now);
	cu_buf_reset(&x->last_raw);
	x->have_raw = raw != NULL && ok && cu_buf_append(&x->last_raw, raw, rawlen, &e) == CU_OK;
	/* the first word names the service ("lockdownd GetValue ...") */
	char svc[64];
	size_t sn = what ? strcspn(what, " ") : 0;
	snprintf(svc, sizeof(svc), "%.*s", (int)(sn < sizeof(svc) ? sn : sizeof(svc) - 1),
		 what ? what : "");
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "command", what ? what : "");
	cu_json_kv_str(&j, "service", svc);
	cu_json_kv_bool(&j, "ok", ok);
	cu_json_key(&j, "reply_sha256");
	if (raw != NULL) {
		cu_sha256_hex(raw, rawlen, sha);
		cu_json_str(&j, sha);
	} else {
		cu_json_null(&j);
	}
	cu_json_kv_int(&j, "reply_bytes", raw != NULL ? (int64_t)rawlen : 0);
	cu_json_kv_str(&j, "time", now);
	cu_json_key(&j, "error");
	cu_json_str(&j, ok ? NULL : (msg && *msg ? msg : "failed"));
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) != CU_OK || entry(x, "COMMAND", det.data, &e) != CU_OK)
		hook_fail(x, &e);
	cu_buf_release(&det);
}

static void hook_change(void *ctx, const char *what, json_t *details)
{
	struct iacq *x = ctx;
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "change", what ? what : "");
	cu_json_key(&j, "details");
	if (details != NULL)
		cu_json_jansson(&j, details);
	else
		cu_json_null(&j);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) != CU_OK || entry(x, "DEVICE_CHANGE", det.data, &e) != CU_OK)
		hook_fail(x, &e);
	cu_buf_release(&det);
	if (what != NULL && strstr(what, "pair") != NULL && x->record != NULL)
		json_object_set_new(x->record, "paired_now", json_true());
}

/* ---- item ---- */

static bool kept_encrypted(const json_t *acq);

/* The unfinished acquisition of this iPhone: "running", or finished with
 * its backup kept encrypted (decoded by --resume with the password). */
static json_t *find_running(struct cu_case *c, const char *udid)
{
	json_t *acqs = json_object_get(c->manifest, "acquisitions"), *a, *found = NULL;
	size_t i;
	json_array_foreach(acqs, i, a)
	{
		const char *m = jstr(a, "method"), *s = jstr(a, "status");
		const char *d = jstr(json_object_get(a, "source"), "udid");
		if (m && s && d && strcmp(m, "mobilebackup2") == 0 && strcmp(d, udid) == 0 &&
		    (strcmp(s, "running") == 0 || kept_encrypted(a)))
			found = a;
	}
	return found;
}

bool cu_acquire_ios_resumable(struct cu_case *c, const char *udid)
{
	return c != NULL && udid != NULL && find_running(c, udid) != NULL;
}

/* As Android: --item, the interrupted acquisition of this phone, the
 * seizure list's only item, else the phone's serial (or UDID, or ITEMn). */
static enum cu_status choose_item(struct iacq *x, const char *serial, struct cu_error *err)
{
	struct cu_acquire_choice ch = {
	    .what = "iPhone",
	    .device = x->udid,
	    .ids = {serial, x->udid}, /* as `custos import` names an iPhone backup */
	    .unfinished = find_running(x->c, x->udid),
	    .resume_hint = "`custos acquire --resume --device UDID`",
	};
	enum cu_status st = cu_acquire_choose_item(x->c, x->o, x->resume, &ch, err);
	if (st == CU_OK) {
		snprintf(x->item, sizeof(x->item), "%s", ch.item);
		x->new_item = ch.new_item;
		x->acq = ch.acq;
	}
	return st;
}

/* ---- evidence files from memory ---- */

/* Stores bytes as the evidence file at devpath (once: on resume a file
 * already listed is kept). Failures of the case's disk stop the run;
 * a name the writer refuses is warned about. */
static enum cu_status store(struct iacq *x, const char *devpath, const void *p, size_t n,
			    const char *origin, char sha[65], struct cu_error *err)
{
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_fileinfo fi;
	struct cu_digests d;
	struct cu_error e;
	enum cu_status st = CU_OK;

	if (sha != NULL)
		sha[0] = '\0';
	memset(&fi, 0, sizeof(fi));
	fi.device_path = devpath;
	fi.device_path_len = strlen(devpath);
	fi.type = "file";
	fi.mode = -1;
	fi.origin = origin;
	if (cu_ingest_slot_plan(x->w, devpath, fi.device_path_len, false, &slot, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "'%s': %s", devpath, e.msg);
		goto out;
	}
	if (slot.done)
		goto out;
	if ((st = cu_ingest_store_mem(x->w, p, n, &slot, &fi, &d, err)) == CU_OK && sha != NULL)
		snprintf(sha, 65, "%s", d.sha256);
out:
	cu_ingest_slot_release(&slot);
	return st;
}

/* ---- lockdownd facts ---- */

static void set_fact(json_t *o, const char *key, const char *v)
{
	if (v == NULL || *v == '\0' || !cu_utf8_valid(v, strlen(v)))
		return;
	json_t *have = json_object_get(o, key);
	if (have == NULL || json_is_null(have))
		json_object_set_new(o, key, json_string(v));
}

static void add_list(json_t *o, const char *key, const char *v)
{
	if (v == NULL || *v == '\0' || !cu_utf8_valid(v, strlen(v)))
		return;
	json_t *have = json_object_get(o, key), *e;
	size_t i;
	if (json_is_string(have)) {
		json_t *arr = json_array();
		json_array_append(arr, have);
		json_object_set_new(o, key, arr);
		have = arr;
	}
	if (!json_is_array(have)) {
		have = json_array();
		json_object_set_new(o, key, have);
	}
	json_array_foreach(have, i,
			   e) if (json_is_string(e) && strcmp(json_string_value(e), v) == 0) return;
	json_array_append_new(have, json_string(v));
}

/* The typed facts of the items[] entry from the lockdownd root values
 * (the same fields `custos import` reads from a backup's Info.plist). */
static void root_facts(struct iacq *x)
{
	json_t *r = x->root, *ids = cu_extract_obj_child(x->read, "identifiers");
	json_t *feat = cu_extract_obj_child(x->read, "features");

	set_fact(x->read, "name", jstr(r, "DeviceName"));
	set_fact(x->read, "os_version", jstr(r, "ProductVersion"));
	set_fact(x->read, "build", jstr(r, "BuildVersion"));
	set_fact(feat, "make", "Apple");
	set_fact(feat, "model", jstr(r, "ProductType"));
	set_fact(feat, "hardware_model", jstr(r, "HardwareModel"));
	set_fact(feat, "device_class", jstr(r, "DeviceClass"));
	set_fact(ids, "udid", jstr(r, "UniqueDeviceID") ? jstr(r, "UniqueDeviceID") : x->udid);
	set_fact(ids, "serial", jstr(r, "SerialNumber"));
	add_list(ids, "imei", jstr(r, "InternationalMobileEquipmentIdentity"));
	add_list(ids, "imei", jstr(r, "InternationalMobileEquipmentIdentity2"));
	set_fact(ids, "meid", jstr(r, "MobileEquipmentIdentifier"));
	set_fact(ids, "iccid", jstr(r, "IntegratedCircuitCardIdentity"));
	add_list(ids, "msisdn", jstr(r, "PhoneNumber"));
	set_fact(ids, "product_type", jstr(r, "ProductType"));
	set_fact(ids, "wifi_mac", jstr(r, "WiFiAddress"));
	set_fact(ids, "bluetooth_mac", jstr(r, "BluetoothAddress"));

	set_fact(x->state, "time_zone", jstr(r, "TimeZone"));
	set_fact(x->state, "activation_state", jstr(r, "ActivationState"));
	json_t *pp = json_object_get(r, "PasswordProtected");
	if (json_is_boolean(pp))
		json_object_set_new(x->state, "passcode_set", json_boolean(json_is_true(pp)));
}

/* One lockdownd domain (NULL = the root) as an evidence file and JSON. */
static enum cu_status read_domain(struct iacq *x, const char *domain, const char *devpath,
				  bool want_json, json_t **out, struct cu_error *err)
{
	struct cu_buf xml = CU_BUF_INIT;
	struct cu_error e;
	enum cu_status st = CU_OK;

	*out = NULL;
	x->have_raw = false;
	if (cu_ios_values_xml(x->dev, domain, &xml, &e) != CU_OK) {
		if (e.code == CU_E_DEVICE && !domain) {
			x->lost = true;
			x->lost_err = e;
			goto out;
		}
		cu_ingest_warn(x->w, false, "lockdownd domain %s: %s", domain ? domain : "(root)",
			       e.msg);
		goto out;
	}
	/* the reply as it came (its SHA-256 is the COMMAND entry's), else
	 * the value as the device layer gives it */
	if (x->have_raw && x->last_raw.len > 0)
		st = store(x, devpath, x->last_raw.data, x->last_raw.len,
			   domain ? domain : "lockdownd GetValue", NULL, err);
	else
		st = store(x, devpath, xml.data ? xml.data : "", xml.len,
			   domain ? domain : "lockdownd GetValue", NULL, err);
	if (st != CU_OK || !want_json)
		goto out;
	if (cu_ios_values(x->dev, domain, out, &e) != CU_OK) {
		cu_ingest_warn(x->w, false, "lockdownd domain %s: %s", domain ? domain : "(root)",
			       e.msg);
		*out = NULL;
	}
out:
	cu_buf_release(&xml);
	return st;
}

static enum cu_status lockdown_facts(struct iacq *x, struct cu_error *err)
{
	static const struct {
		const char *domain, *file;
	} doms[] = {
	    {"com.apple.mobile.backup", "_lockdown/com.apple.mobile.backup.plist"},
	    {"com.apple.disk_usage", "_lockdown/com.apple.disk_usage.plist"},
	    {"com.apple.mobile.battery", "_lockdown/com.apple.mobile.battery.plist"},
	    {"com.apple.international", "_lockdown/com.apple.international.plist"},
	};
	enum cu_status st;
	json_t *v = NULL, *dj = json_object();

	/* x->root was read before the item was chosen */
	if ((st = read_domain(x, NULL, "_lockdown/root.plist", false, &v, err)) != CU_OK)
		goto out;
	root_facts(x);
	for (size_t i = 0; i < sizeof(doms) / sizeof(doms[0]) && !x->lost; i++) {
		if ((st = read_domain(x, doms[i].domain, doms[i].file, true, &v, err)) != CU_OK)
			goto out;
		if (v == NULL)
			continue;
		if (i == 0) {
			json_t *we = json_object_get(v, "WillEncrypt");
			if (json_is_boolean(we)) {
				x->encrypted = json_is_true(we);
				json_object_set_new(x->state, "backup_will_encrypt",
						    json_boolean(x->encrypted));
			}
			json_t *re = json_object_get(v, "RequiresEncrypt");
			if (json_is_boolean(re))
				json_object_set_new(x->state, "backup_requires_encrypt",
						    json_boolean(json_is_true(re)));
		} else if (i == 1) {
			static const char *const keys[] = {"TotalDiskCapacity", "TotalDataCapacity",
							   "TotalDataAvailable",
							   "AmountDataAvailable", NULL};
			for (const char *const *k = keys; *k; k++)
				if (json_is_integer(json_object_get(v, *k)))
					json_object_set(dj, *k, json_object_get(v, *k));
		}
		json_decref(v);
		v = NULL;
	}
	if (json_object_size(dj) > 0)
		json_object_set(x->state, "disk_usage", dj);
	json_object_set_new(x->state, "lockdown_domains",
			    json_string("evidence _lockdown/*.plist (the raw replies)"));
out:
	json_decref(dj);
	return st;
}

/* ---- installed apps ---- */

static enum cu_status apps(struct iacq *x, struct cu_error *err)
{
	struct cu_error e;
	json_t *list = NULL, *a, *slim = json_array();
	enum cu_status st = CU_OK;
	size_t i;
	char *text = NULL;

	if (x->apps_fetched) { /* asked before ACQUIRE_START */
		list = x->apps_pre;
		x->apps_pre = NULL;
		e = x->apps_err;
	}
	if (list == NULL && (x->apps_fetched || cu_ios_apps(x->dev, &list, &e) != CU_OK)) {
		if (e.code == CU_E_DEVICE) {
			x->lost = true;
			x->lost_err = e;
		} else {
			cu_ingest_warn(x->w, false, "installed apps: %s", e.msg);
		}
		goto out;
	}
	if ((text = json_dumps(list, JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = store(x, "_apps/installed.json", text, strlen(text), "installation_proxy Browse",
			NULL, err)) != CU_OK)
		goto out;
	json_array_foreach(list, i, a)
	{
		const char *name = jstr(a, "CFBundleDisplayName");
		json_t *o = json_object();
		set_fact(o, "bundle_id", jstr(a, "CFBundleIdentifier"));
		set_fact(o, "name", name ? name : jstr(a, "CFBundleName"));
		set_fact(o, "version", jstr(a, "CFBundleShortVersionString"));
		set_fact(o, "build", jstr(a, "CFBundleVersion"));
		set_fact(o, "signer", jstr(a, "SignerIdentity"));
		set_fact(o, "type", jstr(a, "ApplicationType"));
		json_array_append_new(slim, o);
	}
	json_object_set_new(x->state, "apps",
			    json_pack("{s:I, s:s, s:O}", "count", (json_int_t)json_array_size(list),
				      "list", "evidence _apps/installed.json", "installed", slim));
	x->apps = list;
	list = NULL;
out:
	free(text);
	json_decref(list);
	json_decref(slim);
	return st;
}

/* ---- clock ---- */

static enum cu_status clock_check(struct iacq *x, const char *when)
{
	int64_t before = cu_time_now_ms(), after, dev = 0;
	struct cu_error e;
	char ws[CU_TIME_STR], ds[CU_TIME_STR];
	bool ok = cu_ios_time(x->dev, &dev, &e) == CU_OK;

	after = cu_time_now_ms();
	if (!ok && e.code == CU_E_DEVICE && strcmp(when, "start") != 0) {
		/* the phone is gone: only the backup's end is lost */
		cu_ingest_warn(x->w, false, "clock at %s: %s", when, e.msg);
	}
	json_t *clk = json_object();
	int64_t mid = before + (after - before) / 2;
	cu_time_format_ms(mid, ws);
	json_object_set_new(clk, "workstation", json_string(ws));
	json_object_set_new(clk, "round_trip_ms", json_integer(after - before));
	if (ok && cu_time_format_ms(dev, ds)) {
		json_object_set_new(clk, "device", json_string(ds));
		json_object_set_new(clk, "offset_ms", json_integer(dev - mid));
		if (strcmp(when, "start") == 0)
			x->st.clock_offset_ms = dev - mid;
	} else {
		json_object_set_new(clk, "device", json_null());
		json_object_set_new(clk, "offset_ms", json_null());
		json_object_set_new(clk, "note", json_string("the device time could not be read"));
		cu_ingest_warn(x->w, false, "clock at %s: the device time could not be read", when);
	}
	json_object_set_new(cu_extract_obj_child(x->record, "clock"), when, clk);
	if (x->acq != NULL)
		json_object_set(x->acq, "clock", json_object_get(x->record, "clock"));
	return CU_OK;
}

/* ---- keeping received files as evidence ---- */

/* Records the spooled file of e as evidence at devpath (moved from the
 * spool, its digests those computed while it arrived) and forgets it. */
static enum cu_status keep_spooled(struct iacq *x, struct spent *e, const char *devpath,
				   const char *why, struct cu_error *err)
{
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_fileinfo fi;
	struct cu_buf alt = CU_BUF_INIT;
	struct cu_error pe;
	enum cu_status st = CU_OK;
	json_t *meta = json_pack("{s:s, s:s, s:i}", "kept_because", why, "phone_path", e->key,
				 "backup_attempt", (int)x->attempt);

	memset(&fi, 0, sizeof(fi));
	fi.device_path = devpath;
	fi.device_path_len = strlen(devpath);
	fi.type = "file";
	fi.mode = -1;
	fi.origin = e->key;
	fi.meta = meta;
	for (unsigned k = 1;; k++) {
		if (cu_ingest_slot_plan(x->w, fi.device_path, fi.device_path_len, false, &slot,
					&pe) != CU_OK) {
			cu_ingest_warn(x->w, true, "'%s' (received as '%s') could not be kept: %s",
				       fi.device_path, e->key, pe.msg);
			goto out;
		}
		if (!slot.done)
			break;
		/* listed by an earlier run: the same bytes need no second line;
		 * other bytes get a name of their own, never the listed one's */
		const struct cu_ingest_pathmap_val *v = cu_ingest_used(x->w, slot.rel.data);
		if (v != NULL && strcmp(v->sha256, e->sp.d.sha256) == 0)
			goto forget;
		cu_ingest_slot_release(&slot);
		slot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
		cu_buf_reset(&alt);
		if (k > 99 || (st = cu_buf_printf(&alt, err, "%s~r%u", devpath, k)) != CU_OK) {
			if (st == CU_OK)
				cu_ingest_warn(x->w, true, "'%s' could not be kept: no free name",
					       devpath);
			goto out;
		}
		fi.device_path = alt.data;
		fi.device_path_len = alt.len;
	}
	if ((st = cu_ingest_adopt(x->w, &slot, &e->sp, &fi, err)) != CU_OK)
		goto out;
forget:
	/* the evidence slot is a hard link to it now: the spool name goes */
	(void)unlink(e->abs);
	sp_del(&x->map, e->key);
out:
	json_decref(meta);
	cu_ingest_slot_release(&slot);
	cu_buf_release(&alt);
	return st;
}

/* "_mobilebackup2/<what>/<attempt>/<phone path>" (~N when used). */
static enum cu_status kept_name(struct iacq *x, const char *what, const char *key,
				struct cu_buf *out, struct cu_error *err)
{
	cu_buf_reset(out);
	return cu_buf_printf(out, err, "_mobilebackup2/%s/attempt-%u/%s~%u", what, x->attempt, key,
			     ++x->replaced);
}

/* A file the phone replaces or removes after sending it: kept, warned. */
static enum cu_status keep_displaced(struct iacq *x, const char *key, const char *what,
				     const char *why, struct cu_error *err)
{
	struct spent *e = sp_get(&x->map, key);
	struct cu_buf dev = CU_BUF_INIT;
	enum cu_status st;
	if (e == NULL)
		return CU_OK;
	if ((st = kept_name(x, what, key, &dev, err)) == CU_OK) {
		cu_ingest_warn(x->w, false,
			       "'%s', received earlier, was %s by the phone: the received copy is "
			       "kept as '%s'",
			       key, why, dev.data);
		st = keep_spooled(x, e, dev.data, why, err);
	}
	cu_buf_release(&dev);
	return st;
}

/* Every file still in the spool map, kept under _mobilebackup2/<what>/
 * with the phone's path (the backup could not be decoded, or broke off). */
static enum cu_status keep_all(struct iacq *x, const char *what, const char *why,
			       struct cu_error *err)
{
	struct cu_buf dev = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	char **keys = NULL;
	size_t n = 0;

	if (x->map.n == 0)
		return CU_OK;
	if ((keys = cu_reallocarray(NULL, x->map.n, sizeof(*keys))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < x->map.cap; i++)
		for (struct spent *p = x->map.tab[i]; p != NULL; p = p->next)
			keys[n++] = p->key;
	for (size_t i = 0; i < n && st == CU_OK; i++) {
		cu_buf_reset(&dev);
		struct spent *e = sp_get(&x->map, keys[i]);
		if (e == NULL)
			continue;
		if ((st = cu_buf_printf(&dev, err, "_mobilebackup2/%s/attempt-%u/%s", what,
					x->attempt, keys[i])) == CU_OK)
			st = keep_spooled(x, e, dev.data, why, err);
	}
	free(keys);
	cu_buf_release(&dev);
	return st;
}

/* The inodes of the item's listed evidence files (once, sorted): a spool
 * file linked to one of them was adopted and its line is durable. */
struct inoset {
	struct iacq *x;
	ino_t *v;
	size_t n, cap;
	struct cu_buf abs;
};

static enum cu_status ino_cb(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct inoset *s = ctx;
	struct stat sb;
	(void)err;
	if (r->evidence_path == NULL ||
	    cu_case_path(s->x->c, r->evidence_path, &s->abs, err) != CU_OK ||
	    lstat(s->abs.data, &sb) != 0 || !S_ISREG(sb.st_mode))
		return CU_OK;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		ino_t *nv = cu_reallocarray(s->v, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = sb.st_ino;
	return CU_OK;
}

static int ino_cmp(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;
	return x < y ? -1 : x > y;
}

static bool listed_inode(struct iacq *x, ino_t ino)
{
	if (!x->ino_built) {
		struct inoset s = {x, NULL, 0, 0, CU_BUF_INIT};
		struct cu_error e;
		x->ino_built = true;
		if (cu_inventory_each(x->c, x->item, ino_cb, &s, &e) != CU_OK) {
			free(s.v); /* unknown: every linked file is salvaged */
			s.v = NULL;
			s.n = 0;
		}
		cu_buf_release(&s.abs);
		if (s.n > 1)
			qsort(s.v, s.n, sizeof(*s.v), ino_cmp);
		x->listed_ino = s.v;
		x->n_ino = s.n;
	}
	return x->n_ino > 0 && bsearch(&ino, x->listed_ino, x->n_ino, sizeof(ino), ino_cmp) != NULL;
}

/* Regular files left in a spool by a run that was killed (no map): each
 * is recorded (hashed now) under _mobilebackup2/leftover/attempt-N/ and
 * removed from the spool only once recorded. */
static enum cu_status salvage_dir(struct iacq *x, const char *abs, const char *rel,
				  unsigned attempt, int depth, struct cu_error *err)
{
	DIR *d = opendir(abs);
	struct dirent *de;
	enum cu_status st = CU_OK;
	struct cu_buf sub = CU_BUF_INIT, srel = CU_BUF_INIT, dev = CU_BUF_INIT;

	if (d == NULL)
		return CU_OK;
	while (st == CU_OK && (de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cu_buf_reset(&sub);
		cu_buf_reset(&srel);
		if ((st = cu_buf_printf(&sub, err, "%s/%s", abs, de->d_name)) != CU_OK ||
		    (st = cu_buf_printf(&srel, err, "%s%s%s", rel, *rel ? "/" : "", de->d_name)) !=
			CU_OK)
			break;
		if (lstat(sub.data, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode) && depth < 64) {
			st = salvage_dir(x, sub.data, srel.data, attempt, depth + 1, err);
			(void)rmdir(sub.data);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if (sb.st_nlink > 1 && listed_inode(x, sb.st_ino)) {
			/* adopted and listed: its evidence slot is a link to it */
			(void)unlink(sub.data);
			continue;
		}
		cu_buf_reset(&dev);
		if ((st = cu_buf_printf(&dev, err, "_mobilebackup2/leftover/attempt-%u/%s", attempt,
					srel.data)) != CU_OK)
			break;
		struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
		struct cu_ingest_fileinfo fi;
		struct cu_error pe;
		json_t *meta =
		    json_pack("{s:s, s:b}", "kept_because",
			      "received by a run that stopped before recording it",
			      "complete_when_received", (sb.st_mode & 0222) == 0 ? 1 : 0);
		memset(&fi, 0, sizeof(fi));
		fi.device_path = dev.data;
		fi.device_path_len = dev.len;
		fi.type = "file";
		fi.mode = -1;
		fi.origin = srel.data;
		fi.meta = meta;
		/* a name listed already (an earlier resume) is never reused: the
		 * bytes are not known to be the same, they get a name of their own */
		bool planned = false;
		size_t base = dev.len;
		cu_error_clear(&pe);
		for (unsigned k = 1; k < 100; k++) {
			if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &slot, &pe) !=
			    CU_OK)
				break;
			if (!slot.done) {
				planned = true;
				break;
			}
			cu_ingest_slot_release(&slot);
			slot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
			dev.len = base;
			dev.data[base] = '\0';
			if ((st = cu_buf_printf(&dev, err, "~r%u", k)) != CU_OK)
				break;
			fi.device_path = dev.data;
			fi.device_path_len = dev.len;
		}
		if (st != CU_OK) {
			json_decref(meta);
			cu_ingest_slot_release(&slot);
			break;
		}
		if (!planned) {
			cu_ingest_warn(x->w, true, "'%s' could not be kept: %s", sub.data,
				       pe.code != CU_OK ? pe.msg : "no free name");
		} else {
			int fd = open(sub.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0) {
				cu_ingest_warn(x->w, true, "'%s': %s", sub.data, strerror(errno));
			} else {
				st = cu_ingest_copy_fd(x->w, fd, sub.data, &slot, &fi, err);
				close(fd);
				if (st == CU_OK && (st = cu_ingest_flush(x->w, true, err)) == CU_OK)
					(void)unlink(sub.data);
			}
			cu_ingest_warn(x->w, false,
				       "'%s' was received by an earlier run that stopped: kept as "
				       "'%s'",
				       srel.data, dev.data);
		}
		json_decref(meta);
		cu_ingest_slot_release(&slot);
	}
	closedir(d);
	cu_buf_release(&sub);
	cu_buf_release(&srel);
	cu_buf_release(&dev);
	return st;
}

/* The next attempt's spool: CASE/work/ios/<item>/<N>; earlier attempts'
 * leftovers (a killed run) are recorded first. */
static enum cu_status spool_begin(struct iacq *x, struct cu_error *err)
{
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	struct stat sb;
	unsigned n;

	for (n = 1; n <= ATTEMPT_MAX; n++) {
		cu_buf_reset(&rel);
		cu_buf_reset(&abs);
		if ((st = cu_buf_printf(&rel, err, "work/ios/%s/%u", x->item, n)) != CU_OK ||
		    (st = cu_case_path(x->c, rel.data, &abs, err)) != CU_OK)
			goto out;
		if (lstat(abs.data, &sb) != 0)
			break;
		x->attempt = n;
		if ((st = salvage_dir(x, abs.data, "", n, 0, err)) != CU_OK)
			goto out;
		(void)rmdir(abs.data);
	}
	if (n > ATTEMPT_MAX) {
		st = cu_error_set(err, CU_E_LIMIT, "too many backup attempts in '%s'", x->c->dir);
		goto out;
	}
	json_t *prev = x->acq ? json_object_get(x->acq, "backup_attempts") : NULL;
	if (json_is_integer(prev) && (json_int_t)n <= json_integer_value(prev))
		n = (unsigned)json_integer_value(prev) + 1;
	x->attempt = n;
	if (x->acq != NULL)
		json_object_set_new(x->acq, "backup_attempts", json_integer(n));
	cu_buf_reset(&x->spool_rel);
	cu_buf_reset(&x->spool_abs);
	cu_buf_reset(&rel);
	if ((st = cu_buf_printf(&x->spool_rel, err, "ios/%s/%u", x->item, n)) != CU_OK ||
	    (st = cu_buf_printf(&rel, err, "work/%s", x->spool_rel.data)) != CU_OK ||
	    (st = cu_case_path(x->c, rel.data, &x->spool_abs, err)) != CU_OK ||
	    (st = cu_mkdirs(x->spool_abs.data, 0700, false, err)) != CU_OK)
		goto out;
out:
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	return st;
}

/* The spool path of a phone path (checked relative by the device layer). */
static enum cu_status spool_path(struct iacq *x, const char *path, struct cu_buf *out,
				 struct cu_error *err)
{
	cu_buf_reset(out);
	return cu_path_join(x->spool_abs.data, path, out, err);
}

/* ---- the backup sink ---- */

static enum cu_status s_file_begin(void *ctx, const char *path, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf rel = CU_BUF_INIT;
	enum cu_status st;

	if (x->f_open) { /* the device layer always ends a file first */
		cu_ingest_file_abort(&x->f);
		x->f_open = false;
	}
	x->fbuf_n = 0;
	/* a file sent twice: the first copy is kept */
	if ((st = keep_displaced(x, path, "replaced", "sent again", err)) != CU_OK)
		goto out;
	/* the spool slot makes its directories and refuses a name that
	 * exists (a directory the phone made, a file left): never overwritten */
	if ((st = cu_path_check_relative(path, strlen(path), err)) != CU_OK ||
	    (st = cu_buf_printf(&rel, err, "%s/%s", x->spool_rel.data, path)) != CU_OK)
		goto out;
	cu_ingest_slot_release(&x->fslot);
	x->fslot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
	x->f = (struct cu_ingest_file)CU_INGEST_FILE_INIT;
	if ((st = cu_ingest_spool_plan(x->w, rel.data, &x->fslot, err)) != CU_OK ||
	    (st = cu_ingest_file_open(x->w, &x->fslot, &x->f, err)) != CU_OK)
		goto out;
	x->f_open = true;
	free(x->f_key);
	if ((x->f_key = cu_strdup(path)) == NULL)
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
out:
	cu_buf_release(&rel);
	return st;
}

#define FBUF_CAP ((size_t)1 << 20)

static enum cu_status f_flush(struct iacq *x, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	if (x->fbuf_n > 0)
		st = cu_ingest_file_write(&x->f, x->fbuf, x->fbuf_n, err);
	x->fbuf_n = 0;
	return st;
}

static enum cu_status s_file_data(void *ctx, const void *p, size_t n, struct cu_error *err)
{
	struct iacq *x = ctx;
	enum cu_status st;
	if (!x->f_open)
		return cu_error_set(err, CU_E_INTERNAL, "file data without a file");
	if (x->fbuf == NULL && (x->fbuf = cu_malloc(FBUF_CAP)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	while (n > 0) {
		if (x->fbuf_n == 0 && n >= FBUF_CAP)
			return cu_ingest_file_write(&x->f, p, n, err);
		size_t k = FBUF_CAP - x->fbuf_n < n ? FBUF_CAP - x->fbuf_n : n;
		memcpy(x->fbuf + x->fbuf_n, p, k);
		x->fbuf_n += k;
		p = (const unsigned char *)p + k;
		n -= k;
		if (x->fbuf_n == FBUF_CAP && (st = f_flush(x, err)) != CU_OK)
			return st;
	}
	return CU_OK;
}

static enum cu_status s_file_end(void *ctx, bool ok, const char *device_msg, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_digests d;
	enum cu_status st;
	struct spent *e;

	if (!x->f_open)
		return CU_OK;
	if ((st = f_flush(x, err)) != CU_OK) {
		cu_ingest_file_abort(&x->f);
		x->f_open = false;
		return st;
	}
	x->f_open = false;
	unsigned char head[16];
	size_t head_n = x->f.head_n < sizeof(head) ? x->f.head_n : sizeof(head);
	memcpy(head, x->f.head, head_n);
	if ((st = cu_ingest_file_commit(&x->f, NULL, &d, err)) != CU_OK)
		return st;
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = cu_strdup(x->f_key)) == NULL ||
	    (e->abs = cu_strdup(x->fslot.abs.data)) == NULL) {
		if (e)
			sp_free_one(e);
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	e->sp.abs = e->abs;
	e->sp.d = d;
	memcpy(e->sp.head, head, head_n);
	e->sp.head_n = head_n;
	if ((st = sp_put(&x->map, e, err)) != CU_OK) {
		sp_free_one(e);
		return st;
	}
	if (!ok) {
		/* the phone reported an error for this file, or the stream broke:
		 * the bytes that came are kept, never taken for the whole file */
		struct cu_buf dev = CU_BUF_INIT;
		if ((st = kept_name(x, "incomplete", x->f_key, &dev, err)) == CU_OK) {
			cu_ingest_warn(x->w, true,
				       "'%s' did not arrive whole (%s): the %llu byte(s) received "
				       "are kept as '%s'",
				       x->f_key, device_msg && *device_msg ? device_msg : "broken",
				       (unsigned long long)d.size, dev.data);
			st = keep_spooled(x, e, dev.data, device_msg ? device_msg : "incomplete",
					  err);
		}
		cu_buf_release(&dev);
	}
	return st;
}

static enum cu_status s_mkdir(void *ctx, const char *path, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf abs = CU_BUF_INIT;
	enum cu_status st;
	if ((st = spool_path(x, path, &abs, err)) == CU_OK)
		st = cu_mkdirs(abs.data, 0700, false, err);
	cu_buf_release(&abs);
	return st;
}

/* Every spooled key equal to from or under from/ gets the prefix to. */
static enum cu_status rekey(struct iacq *x, const char *from, const char *to, struct cu_error *err)
{
	size_t fl = strlen(from);
	struct spent *moved = NULL;
	enum cu_status st = CU_OK;

	if (!sp_may_hold(&x->map, from))
		return CU_OK;
	/* A file moved on its own (a phone may move every file of a backup one
	 * by one): found by its key, no scan. */
	struct spent **one = sp_find(&x->map, from);
	if (one != NULL && *one != NULL) {
		moved = *one;
		*one = moved->next;
		moved->next = NULL;
		x->map.n--;
	}
	bool under = dir_has(&x->map, from, fl); /* a directory: what it holds moves too */
	for (size_t i = 0; under && i < x->map.cap; i++) {
		struct spent **pp = &x->map.tab[i];
		while (*pp != NULL) {
			struct spent *e = *pp;
			if (strncmp(e->key, from, fl) == 0 &&
			    (e->key[fl] == '\0' || e->key[fl] == '/')) {
				*pp = e->next;
				x->map.n--;
				e->next = moved;
				moved = e;
			} else {
				pp = &e->next;
			}
		}
	}
	while (moved != NULL) {
		struct spent *e = moved;
		moved = e->next;
		struct cu_buf k = CU_BUF_INIT, a = CU_BUF_INIT;
		if (st == CU_OK &&
		    (st = cu_buf_printf(&k, err, "%s%s", to, e->key + fl)) == CU_OK &&
		    (st = spool_path(x, k.data, &a, err)) == CU_OK) {
			free(e->key);
			free(e->abs);
			e->key = k.data;
			e->abs = a.data;
			e->sp.abs = e->abs;
			k.data = a.data = NULL;
			st = sp_put(&x->map, e, err);
			if (st != CU_OK)
				sp_free_one(e);
		} else {
			sp_free_one(e);
		}
		cu_buf_release(&k);
		cu_buf_release(&a);
	}
	return st;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps every spooled file at or under key (the phone removes or
 * replaces it). */
static enum cu_status keep_under(struct iacq *x, const char *key, const char *what, const char *why,
				 struct cu_error *err)
{
	size_t kl = strlen(key), nk = 0, ck = 0;
	enum cu_status st = CU_OK;
	char **keys = NULL;

	if (!sp_may_hold(&x->map, key))
		return CU_OK;
	/* the keys first (keeping one changes the map), in one pass */
	for (size_t i = 0; i < x->map.cap && st == CU_OK; i++)
		for (struct spent *p = x->map.tab[i]; p != NULL && st == CU_OK; p = p->next) {
			if (strncmp(p->key, key, kl) != 0 ||
			    (p->key[kl] != '\0' && p->key[kl] != '/'))
				continue;
			if (nk == ck) {
				size_t nc = ck ? ck * 2 : 16;
				char **nv = cu_reallocarray(keys, nc, sizeof(*keys));
				if (nv == NULL) {
					st = cu_error_set(err, CU_E_NOMEM, "out of memory");
					break;
				}
				keys = nv;
				ck = nc;
			}
			if ((keys[nk] = cu_strdup(p->key)) == NULL)
				st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			else
				nk++;
		}
	/* in name order, so the kept names do not depend on the hash layout */
	if (st == CU_OK && nk > 1)
		qsort(keys, nk, sizeof(*keys), str_cmp);
	for (size_t i = 0; i < nk && st == CU_OK; i++)
		st = keep_displaced(x, keys[i], what, why, err);
	cu_strv_free(keys, nk);
	return st;
}

/* rm -r of what is not evidence: directories emptied by keep_under. */
static void remove_tree(const char *abs, int depth)
{
	struct stat sb;
	if (lstat(abs, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode) && depth < 64) {
		DIR *d = opendir(abs);
		struct dirent *de;
		if (d != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
					continue;
				size_t n = strlen(abs) + strlen(de->d_name) + 2;
				char *sub = cu_malloc(n);
				if (sub == NULL)
					break;
				snprintf(sub, n, "%s/%s", abs, de->d_name);
				remove_tree(sub, depth + 1);
				free(sub);
			}
			closedir(d);
		}
		(void)rmdir(abs);
	}
	/* a regular file left here is not in the map: never ours to delete */
}

static enum cu_status s_move(void *ctx, const char *from, const char *to, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf a = CU_BUF_INIT, b = CU_BUF_INIT;
	enum cu_status st;

	if (strcmp(from, to) == 0)
		return CU_OK;
	/* the target is replaced: what we received there is kept */
	if ((st = keep_under(x, to, "replaced", "replaced by a move", err)) != CU_OK ||
	    (st = spool_path(x, from, &a, err)) != CU_OK ||
	    (st = spool_path(x, to, &b, err)) != CU_OK ||
	    (st = cu_mkdirs(b.data, 0700, true, err)) != CU_OK)
		goto out;
	remove_tree(b.data, 0);
	if (rename(a.data, b.data) != 0) {
		st = cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				    "cannot move '%s' to '%s' in the spool", from, to);
		goto out;
	}
	st = rekey(x, from, to, err);
out:
	cu_buf_release(&a);
	cu_buf_release(&b);
	return st;
}

static enum cu_status s_remove(void *ctx, const char *path, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf a = CU_BUF_INIT;
	enum cu_status st;
	if ((st = keep_under(x, path, "removed", "removed", err)) == CU_OK &&
	    (st = spool_path(x, path, &a, err)) == CU_OK)
		remove_tree(a.data, 0);
	cu_buf_release(&a);
	return st;
}

static enum cu_status s_copy(void *ctx, const char *from, const char *to, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf a = CU_BUF_INIT;
	enum cu_status st;
	int fd = -1;
	unsigned char *buf = NULL;

	if ((st = spool_path(x, from, &a, err)) != CU_OK)
		goto out;
	if ((fd = open(a.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		st = cu_error_errno(err, CU_E_NOTFOUND, errno, "cannot copy '%s' in the spool",
				    from);
		goto out;
	}
	if ((buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = s_file_begin(x, to, err)) != CU_OK)
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf, CU_IMPORT_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", a.data);
			break;
		}
		if (r == 0)
			break;
		if ((st = s_file_data(x, buf, (size_t)r, err)) != CU_OK)
			break;
	}
	if (st == CU_OK)
		st = s_file_end(x, true, NULL, err);
	else if (x->f_open) {
		cu_ingest_file_abort(&x->f);
		x->f_open = false;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	cu_buf_release(&a);
	return st;
}

static enum cu_status s_list(void *ctx, const char *path, json_t *out, struct cu_error *err)
{
	struct iacq *x = ctx;
	struct cu_buf a = CU_BUF_INIT;
	enum cu_status st;
	DIR *d = NULL;
	struct dirent *de;
	size_t n = 0;

	if ((st = spool_path(x, path, &a, err)) != CU_OK)
		goto out;
	if ((d = opendir(a.data)) == NULL) {
		st = cu_error_errno(err, CU_E_NOTFOUND, errno, "cannot list '%s'", path);
		goto out;
	}
	while ((de = readdir(d)) != NULL && n < LIST_CAP) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		json_object_set_new(out, de->d_name,
				    json_pack("{s:b, s:I, s:I}", "dir", S_ISDIR(sb.st_mode), "size",
					      (json_int_t)sb.st_size, "mtime",
					      (json_int_t)sb.st_mtime));
		n++;
	}
out:
	if (d != NULL)
		closedir(d);
	cu_buf_release(&a);
	return st;
}

static uint64_t s_free_space(void *ctx)
{
	struct iacq *x = ctx;
	struct statvfs vs;
	if (statvfs(x->c->dir, &vs) != 0)
		return 0;
	return (uint64_t)vs.f_bavail * (uint64_t)vs.f_frsize;
}

static void s_progress(void *ctx, double percent)
{
	struct iacq *x = ctx;
	if (!x->bprog.active)
		cu_progress_start(&x->bprog, "backup", 1000);
	if (percent >= 0 && percent <= 100)
		cu_progress_set(&x->bprog, (uint64_t)(percent * 10.0));
}

/* ---- Info.plist, as a host writes it ---- */

static void pl_str(plist_t d, const char *key, const char *v)
{
	if (v != NULL)
		plist_dict_set_item(d, key, plist_new_string(v));
}

static enum cu_status write_info_plist(struct iacq *x, struct cu_error *err)
{
	plist_t d = plist_new_dict(), inst = plist_new_array();
	json_t *r = x->root, *a;
	char *xml = NULL;
	uint32_t xl = 0;
	size_t i;
	enum cu_status st;
	char udid_up[64], guid[33], sha[65];

	snprintf(udid_up, sizeof(udid_up), "%s", x->udid);
	for (char *p = udid_up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	/* a stable GUID: from the UDID and the attempt (idevicebackup2 makes
	 * a random one; nothing reads it) */
	{
		char seed[128];
		snprintf(seed, sizeof(seed), "custos %s %u", x->udid, x->attempt);
		cu_sha256_hex(seed, strlen(seed), sha);
		for (i = 0; i < 32; i++)
			guid[i] = (char)(sha[i] >= 'a' ? sha[i] - 'a' + 'A' : sha[i]);
		guid[32] = '\0';
	}
	pl_str(d, "Build Version", jstr(r, "BuildVersion"));
	pl_str(d, "Device Name", jstr(r, "DeviceName"));
	pl_str(d, "Display Name", jstr(r, "DeviceName"));
	pl_str(d, "GUID", guid);
	pl_str(d, "ICCID", jstr(r, "IntegratedCircuitCardIdentity"));
	pl_str(d, "IMEI", jstr(r, "InternationalMobileEquipmentIdentity"));
	pl_str(d, "IMEI 2", jstr(r, "InternationalMobileEquipmentIdentity2"));
	json_array_foreach(x->apps, i, a)
	{
		const char *t = jstr(a, "ApplicationType"), *id = jstr(a, "CFBundleIdentifier");
		if (id != NULL && (t == NULL || strcmp(t, "User") == 0))
			plist_array_append_item(inst, plist_new_string(id));
	}
	plist_dict_set_item(d, "Installed Applications", inst);
	plist_dict_set_item(d, "Last Backup Date",
			    plist_new_date((int32_t)(cu_time_now_ms() / 1000 - 978307200), 0));
	pl_str(d, "MEID", jstr(r, "MobileEquipmentIdentifier"));
	pl_str(d, "Phone Number", jstr(r, "PhoneNumber"));
	pl_str(d, "Product Name", jstr(r, "ProductName"));
	pl_str(d, "Product Type", jstr(r, "ProductType"));
	pl_str(d, "Product Version", jstr(r, "ProductVersion"));
	pl_str(d, "Serial Number", jstr(r, "SerialNumber"));
	pl_str(d, "Target Identifier", x->udid);
	pl_str(d, "Target Type", "Device");
	pl_str(d, "Unique Identifier", udid_up);
	plist_to_xml(d, &xml, &xl);
	plist_free(d);
	if (xml == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory (Info.plist)");
	/* into the spool like a received file: hashed, then adopted */
	char path[128];
	snprintf(path, sizeof(path), "%s/Info.plist", x->udid);
	if ((st = s_file_begin(x, path, err)) == CU_OK &&
	    (st = s_file_data(x, xml, xl, err)) == CU_OK)
		st = s_file_end(x, true, NULL, err);
	free(xml);
	return st;
}

/* ---- decoding the spool as `custos import` would ---- */

static bool run_spooled(struct cu_format_run *r, const char *origin, struct cu_ingest_spooled *out)
{
	struct iacq *x = (struct iacq *)r;
	char key[CU_PATH_MAX];
	if ((size_t)snprintf(key, sizeof(key), "%s/%s", x->udid, origin) >= sizeof(key))
		return false;
	struct spent *e = sp_get(&x->map, key);
	if (e == NULL)
		return false;
	*out = e->sp;
	return true;
}

static enum cu_status run_begin_item(struct cu_format_run *r, const char *suggested,
				     struct cu_error *err)
{
	(void)r;
	(void)suggested;
	(void)err;
	return CU_OK; /* chosen before anything was received */
}

static enum cu_status run_password(struct cu_format_run *r, struct cu_buf *out,
				   struct cu_error *err)
{
	struct iacq *x = (struct iacq *)r;
	if (!x->have_pw)
		return cu_error_set(err, CU_E_KEY, "the backup is encrypted and no password given");
	return cu_buf_append(out, x->pw.data, x->pw.len, err);
}

static enum cu_status run_prepare(struct iacq *x, struct cu_error *err)
{
	x->run.w = x->w;
	x->run.c = x->c;
	x->run.begin_item = run_begin_item;
	x->run.password = run_password;
	x->run.mount_prefix = "";
	if (x->run.item == NULL && (x->run.item = cu_strdup(x->item)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (x->run.item_facts == NULL && (x->run.item_facts = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (x->run.details == NULL && (x->run.details = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (x->run.buf == NULL && (x->run.buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	enum cu_status st = CU_OK;
	unsigned algs = cu_ingest_algs(x->w);
	if (x->run.hasher == NULL)
		st = cu_hasher_new(algs, CU_HASHER_THREADED, &x->run.hasher, err);
	if (st == CU_OK && x->run.hasher2 == NULL)
		st = cu_hasher_new(algs, CU_HASHER_THREADED, &x->run.hasher2, err);
	return st;
}

static void run_release(struct iacq *x)
{
	free(x->run.item);
	cu_hasher_free(x->run.hasher);
	cu_hasher_free(x->run.hasher2);
	free(x->run.buf);
	json_decref(x->run.item_facts);
	json_decref(x->run.details);
}

/* One DERIVE entry for the decrypted files (as import writes one). */
static enum cu_status derive_entry(struct iacq *x, struct cu_error *err)
{
	const struct cu_ingest_stats *ws = cu_ingest_stats(x->w);
	struct cu_ingest_summary sum;
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if (ws->derived == 0)
		return CU_OK;
	if ((st = cu_ingest_summarize(x->w, &sum, err)) != CU_OK)
		return st;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method",
		       x->run.derive_method ? x->run.derive_method : "ios-backup-aes256-cbc");
	cu_json_kv_int(&j, "files", (int64_t)sum.derived_files);
	cu_json_kv_int(&j, "bytes", (int64_t)ws->derived_bytes);
	cu_json_kv_int(&j, "files_this_run", (int64_t)ws->derived);
	cu_json_kv_str(&j, "inputs",
		       "the encrypted backup files named by each derived file's "
		       "derived_from in the inventory");
	cu_json_kv_str(&j, "inventory", sum.inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum.inventory_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) == CU_OK)
		st = entry(x, "DERIVE", det.data, err);
	cu_buf_release(&det);
	return st;
}

static enum cu_status drop_adopted(struct iacq *x, struct cu_error *err)
{
	char **keys = NULL;
	size_t n = 0;
	if (x->map.n == 0)
		return CU_OK;
	if ((keys = cu_reallocarray(NULL, x->map.n, sizeof(*keys))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < x->map.cap; i++)
		for (struct spent *p = x->map.tab[i]; p != NULL; p = p->next) {
			struct stat sb;
			if (lstat(p->abs, &sb) == 0 && sb.st_nlink > 1)
				keys[n++] = p->key;
		}
	for (size_t i = 0; i < n; i++) {
		struct spent *e = sp_get(&x->map, keys[i]);
		if (e != NULL) {
			(void)unlink(e->abs);
			sp_del(&x->map, e->key);
		}
	}
	free(keys);
	return CU_OK;
}

/* The finished backup in the spool -> the case layout of an import. An
 * encrypted one without its password is kept whole as received. */
static enum cu_status decode(struct iacq *x, struct cu_error *err)
{
	struct cu_format_source src;
	struct cu_buf root = CU_BUF_INIT;
	struct cu_error e;
	enum cu_status st, dst;

	if ((st = run_prepare(x, err)) != CU_OK)
		goto out;
	x->run.spooled = run_spooled;
	x->run.spooled_ctx = x;
	if ((st = cu_buf_printf(&root, err, "%s/%s", x->spool_abs.data, x->udid)) != CU_OK)
		goto out;
	memset(&src, 0, sizeof(src));
	src.name = x->udid;
	src.path = root.data;
	cu_error_clear(&e);
	dst = cu_format_ios_backup(&x->run, &src, &e);
	if (dst == CU_E_KEY && !x->have_pw) {
		x->backup_state = "kept-encrypted";
		st = keep_all(x, "backup", "encrypted backup, no password given", err);
		if (st == CU_OK)
			cu_ingest_skip(x->w, "the decrypted backup",
				       "the iPhone encrypts its backups and no password was given: "
				       "the encrypted backup is kept whole under "
				       "_mobilebackup2/backup/; decode it with `custos acquire "
				       "--resume --device UDID --backup-password-file F`");
		goto out;
	}
	if (dst == CU_E_KEY) {
		/* a wrong password: the backup is kept whole for the right one */
		x->backup_state = "kept-wrong-password";
		if ((st = keep_all(x, "backup", "the password given does not open it", err)) ==
		    CU_OK)
			cu_ingest_skip(
			    x->w, "the decrypted backup",
			    "the backup password given does not open the encrypted "
			    "backup: it is kept whole under _mobilebackup2/backup/; decode "
			    "it with `custos acquire --resume --device UDID "
			    "--backup-password-file F` and the right password");
		goto out;
	}
	if (dst != CU_OK) {
		cu_ingest_warn(x->w, true, "the backup received could not be laid out: %s", e.msg);
		x->backup_state = "kept-undecoded";
		st = keep_all(x, "backup", e.msg, err);
		goto out;
	}
	x->backup_state = "decoded";
	/* adopted files are hard links in their evidence slots now: their
	 * spool names go; whatever the decoder did not take is kept too */
	if ((st = drop_adopted(x, err)) != CU_OK)
		goto out;
	if ((st = keep_all(x, "unused", "received but not part of the backup's layout", err)) !=
	    CU_OK)
		goto out;
	st = derive_entry(x, err);
out:
	x->run.spooled = NULL;
	cu_buf_release(&root);
	return st;
}

/*
 * --resume of an acquisition whose backup was kept encrypted: the raw
 * backup kept as evidence (evidence/<item>/_mobilebackup2/backup/
 * attempt-N/<udid>/) is decoded with the password, written into the
 * case's standard layout as import would (read once more from the
 * evidence copies; the phone is not needed).
 */
static enum cu_status decode_kept(struct iacq *x, struct cu_error *err)
{
	struct cu_format_source src;
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT, dev = CU_BUF_INIT;
	struct cu_error e;
	enum cu_status st = CU_OK, dst;
	json_t *bk = json_object_get(x->acq, "backup");
	const char *kept = jstr(bk, "kept");

	if (kept == NULL)
		return CU_OK;
	if ((st = cu_buf_printf(&rel, err, "evidence/%s/%s", x->item, kept)) != CU_OK ||
	    (st = cu_case_path(x->c, rel.data, &abs, err)) != CU_OK ||
	    (st = run_prepare(x, err)) != CU_OK)
		goto out;
	memset(&src, 0, sizeof(src));
	src.name = rel.data;
	src.path = abs.data;
	dst = cu_format_ios_backup(&x->run, &src, &e);
	if (dst == CU_E_KEY) { /* nothing written: try again with the right one */
		cu_ingest_warn(x->w, false, "the kept backup '%s': %s", rel.data, e.msg);
		x->backup_state = "kept-wrong-password";
		goto out;
	}
	if (dst != CU_OK) {
		cu_ingest_warn(x->w, true, "the kept backup '%s' could not be laid out: %s",
			       rel.data, e.msg);
		goto out;
	}
	json_object_set_new(bk, "state", json_string("decoded"));
	json_object_set_new(bk, "decoded_from", json_string(kept));
	x->backup_state = "decoded";
	st = derive_entry(x, err);
out:
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	cu_buf_release(&dev);
	return st;
}

/* ---- the backup ---- */

static enum cu_status backup(struct iacq *x, struct cu_error *err)
{
	struct cu_ios_backup_sink sink;
	struct cu_ios_backup_result res;
	struct cu_error e;
	enum cu_status st, bst;
	json_t *bk = cu_extract_obj_child(x->record, "backup");

	if ((st = spool_begin(x, err)) != CU_OK)
		return st;
	memset(&sink, 0, sizeof(sink));
	sink.ctx = x;
	sink.file_begin = s_file_begin;
	sink.file_data = s_file_data;
	sink.file_end = s_file_end;
	sink.mkdir = s_mkdir;
	sink.move = s_move;
	sink.remove = s_remove;
	sink.copy = s_copy;
	sink.list = s_list;
	sink.free_space = s_free_space;
	sink.progress = s_progress;
	memset(&res, 0, sizeof(res));
	cu_error_clear(&e);
	char started[CU_TIME_STR], ended[CU_TIME_STR];
	cu_time_format_ms(cu_time_now_ms(), started);
	cu_info("acquire: full backup of '%s' (keep the iPhone unlocked; since iOS 16.1 it asks "
		"for its passcode)",
		x->udid);
	bst = cu_ios_backup(x->dev, true, &sink, &res, &e);
	cu_progress_finish(&x->bprog);
	cu_time_format_ms(cu_time_now_ms(), ended);
	if (x->f_open) { /* never a partial file taken for a whole one */
		(void)s_file_end(x, false, "the transfer broke off", err);
	}
	json_object_set_new(bk, "attempt", json_integer(x->attempt));
	json_object_set_new(bk, "started", json_string(started));
	json_object_set_new(bk, "ended", json_string(ended));
	json_object_set_new(bk, "files_received", json_integer((json_int_t)res.files));
	json_object_set_new(bk, "bytes_received", json_integer((json_int_t)res.bytes));
	json_object_set_new(bk, "error_code", json_integer((json_int_t)res.error_code));
	json_object_set_new(bk, "error_description",
			    res.error_desc[0] ? json_string(res.error_desc) : json_null());
	json_object_set_new(bk, "will_encrypt", json_boolean(x->encrypted));
	if (bst != CU_OK) {
		if (res.error_code != 0 && res.error_code != -1) /* -1: no final message */
			cu_ingest_warn(
			    x->w, true, "the iPhone ended the backup with ErrorCode %lld: %s",
			    (long long)res.error_code, res.error_desc[0] ? res.error_desc : e.msg);
		else
			cu_ingest_warn(x->w, true, "backup attempt %u broke off: %s", x->attempt,
				       e.msg);
		/* what came is kept; the backup is taken again by --resume */
		if ((st = keep_all(x, "interrupted", "the backup attempt did not finish", err)) !=
		    CU_OK)
			return st;
		json_object_set_new(bk, "state", json_string("interrupted"));
		x->backup_state = "interrupted";
		x->lost = true;
		x->lost_err = e;
		if (e.code == CU_OK) {
			x->lost_err.code = CU_E_DEVICE;
			snprintf(x->lost_err.msg, sizeof(x->lost_err.msg), "the backup failed");
		}
		return CU_OK;
	}
	json_object_set_new(bk, "state", json_string("received"));
	return CU_OK;
}

/* ---- media over AFC ---- */

struct media {
	struct iacq *x;
	uint64_t files, bytes, dirs, links, failed;
	enum cu_status st;
	struct cu_error err;
	bool stop;
};

struct media_file {
	struct cu_ingest_file *f;
};

static enum cu_status media_sink(void *ctx, const void *p, size_t n, struct cu_error *err)
{
	struct media_file *m = ctx;
	return cu_ingest_file_write(m->f, p, n, err);
}

static bool media_cb(void *ctx, const struct cu_ios_afc_entry *en)
{
	struct media *m = ctx;
	struct iacq *x = m->x;
	struct cu_buf dev = CU_BUF_INIT;
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo fi;
	struct cu_digests d;
	struct cu_error e;
	bool go = true;

	if (en->dir) {
		m->dirs++;
		return true;
	}
	if (cu_buf_printf(&dev, &e, "/var/mobile/Media%s", en->path) != CU_OK) {
		m->st = e.code;
		m->err = e;
		return false;
	}
	memset(&fi, 0, sizeof(fi));
	fi.device_path = dev.data;
	fi.device_path_len = dev.len;
	fi.type = en->symlink ? "symlink" : "file";
	fi.mode = -1;
	fi.origin = "afc";
	fi.link_target = en->link_target;
	if (en->mtime_ns != INT64_MIN) {
		fi.have_mtime = true;
		fi.mtime.tv_sec = (time_t)(en->mtime_ns / 1000000000);
		fi.mtime.tv_nsec = (long)(en->mtime_ns % 1000000000);
	}
	json_t *meta = NULL;
	if (en->birth_ns != INT64_MIN) {
		char bt[CU_TIME_STR];
		if (cu_time_format_ms(en->birth_ns / 1000000, bt))
			meta = json_pack("{s:s}", "birth", bt);
	}
	fi.meta = meta;
	if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &slot, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "'%s': %s", dev.data, e.msg);
		goto out;
	}
	if (slot.done)
		goto out;
	if (en->symlink) {
		m->links++;
		if (cu_ingest_record(x->w, &slot, &fi, NULL, &e) != CU_OK) {
			m->st = e.code;
			m->err = e;
			go = false;
		}
		goto out;
	}
	if (cu_ingest_file_open(x->w, &slot, &f, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "'%s': %s", dev.data, e.msg);
		goto out;
	}
	struct media_file mf = {&f};
	enum cu_status rs = cu_ios_afc_read(x->dev, en->path, media_sink, &mf, &e);
	if (rs != CU_OK) {
		cu_ingest_file_abort(&f);
		m->failed++;
		cu_ingest_warn(x->w, true, "'%s' over AFC: %s", dev.data, e.msg);
		if (rs == CU_E_DEVICE) {
			x->lost = true;
			x->lost_err = e;
			go = false;
		} else if (rs == CU_E_IO || rs == CU_E_NOMEM) {
			m->st = rs;
			m->err = e;
			go = false;
		}
		goto out;
	}
	if (cu_ingest_file_commit(&f, fi.have_mtime ? &fi.mtime : NULL, &d, &e) != CU_OK ||
	    cu_ingest_record(x->w, &slot, &fi, &d, &e) != CU_OK) {
		m->st = e.code;
		m->err = e;
		go = false;
		goto out;
	}
	m->files++;
	m->bytes += d.size;
out:
	json_decref(meta);
	cu_ingest_slot_release(&slot);
	cu_buf_release(&dev);
	return go;
}

static enum cu_status media(struct iacq *x, struct cu_error *err)
{
	static const char *const roots[] = {"/DCIM",       "/PhotoData", "/Downloads", "/Books",
					    "/Recordings", "/Podcasts",  "/Purchases", NULL};
	struct media m;
	struct cu_error e;
	char started[CU_TIME_STR], ended[CU_TIME_STR];

	memset(&m, 0, sizeof(m));
	m.x = x;
	cu_time_format_ms(cu_time_now_ms(), started);
	for (const char *const *r = roots; *r && !x->lost && m.st == CU_OK; r++) {
		enum cu_status ws = cu_ios_afc_walk(x->dev, *r, media_cb, &m, &e);
		if (ws == CU_E_NOTFOUND)
			continue; /* not on this phone */
		if (ws != CU_OK && m.st == CU_OK && !x->lost) {
			if (ws == CU_E_DEVICE) {
				x->lost = true;
				x->lost_err = e;
			} else {
				cu_ingest_warn(x->w, true, "AFC '%s': %s", *r, e.msg);
			}
		}
	}
	cu_time_format_ms(cu_time_now_ms(), ended);
	if (m.st != CU_OK) {
		*err = m.err;
		return m.st;
	}
	json_object_set_new(x->record, "media",
			    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s}", "device_root",
				      "/var/mobile/Media", "files", (json_int_t)m.files, "bytes",
				      (json_int_t)m.bytes, "directories", (json_int_t)m.dirs,
				      "symlinks", (json_int_t)m.links, "failed",
				      (json_int_t)m.failed, "started", started, "ended", ended));
	return CU_OK;
}

/* ---- backup password (opt-in) ---- */

static enum cu_status read_pw(const char *file, struct cu_buf *out, struct cu_error *err)
{
	enum cu_status st;
	if (out->data == NULL && (st = cu_secret_buf_reserve(out, PW_MAX + 1, err)) != CU_OK)
		return st;
	cu_buf_reset(out);
	if ((st = cu_secret_read_file(file, PW_MAX, out, err)) != CU_OK)
		return cu_error_prefix(err, "the backup password file");
	if (out->len == 0)
		return cu_error_set(err, CU_E_USAGE, "the backup password file is empty");
	return CU_OK;
}

/* ---- manifest, start and end ---- */

static enum cu_status begin(struct iacq *x, struct cu_error *err)
{
	struct cu_case *c = x->c;
	json_t *items, *acqs;
	char now[CU_TIME_STR], host[256] = "";
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if (c->manifest == NULL && (c->manifest = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if ((items = cu_extract_manifest_array(c, "items")) == NULL ||
	    (acqs = cu_extract_manifest_array(c, "acquisitions")) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	cu_time_format_ms(cu_time_now_ms(), now);
	x->read = (json_t *)cu_manifest_item_in(c->manifest, CU_MANIFEST_IMPORTED, x->item);
	if (x->read == NULL) {
		x->read = json_pack("{s:s, s:i, s:{}, s:{}, s:s, s:s+}", "item_id", x->item,
				    "quantity", 1, "features", "identifiers", "os", "iOS", "source",
				    "iOS acquisition of ", x->udid);
		if (x->read == NULL || json_array_append_new(items, x->read) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		if (x->new_item)
			json_object_set_new(x->read, "not_in_seizure_list", json_true());
	}
	if (x->acq != NULL) {
		json_t *r = json_object_get(x->acq, "resumed");
		if (!json_is_array(r)) {
			r = json_array();
			json_object_set_new(x->acq, "resumed", r);
		}
		json_array_append_new(r, json_string(now));
	} else {
		(void)gethostname(host, sizeof(host) - 1);
		x->acq = json_pack(
		    "{s:s, s:s, s:n, s:n, s:s, s:s, s:{s:s, s:s, s:s?, s:s?}, s:s, "
		    "s:[], s:[]}",
		    "item_id", x->item, "start", now, "end", "location", "method", "mobilebackup2",
		    "status", "running", "source", "udid", x->udid, "transport", "usbmuxd",
		    "product_type", jstr(x->root, "ProductType"), "ios_version",
		    jstr(x->root, "ProductVersion"), "workstation", host, "errors", "not_acquired");
		if (x->acq == NULL || json_array_append_new(acqs, x->acq) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		if (x->new_item)
			json_object_set_new(x->acq, "new_item",
					    json_pack("{s:s}", "reason", x->o->reason));
	}
	if ((st = cu_extract_manifest_hash(c, x->manifest_sha256, err)) != CU_OK)
		return st;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", "mobilebackup2");
	cu_json_kv_str(&j, "transport", "usbmuxd");
	cu_json_kv_str(&j, "udid", x->udid);
	cu_json_kv_str(&j, "serial", jstr(x->root, "SerialNumber"));
	cu_json_kv_str(&j, "product_type", jstr(x->root, "ProductType"));
	cu_json_kv_str(&j, "ios_version", jstr(x->root, "ProductVersion"));
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_bool(&j, "media", x->o->media);
	cu_json_kv_bool(&j, "backup_password_given", x->o->backup_password_file != NULL);
	cu_json_kv_bool(&j, "set_backup_password", x->o->set_backup_password_file != NULL);
	cu_json_kv_bool(&j, "remove_backup_password", x->o->remove_backup_password);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) == CU_OK &&
	    (st = cu_custody_append(c->custody, "ACQUIRE_START", cu_case_default_actor(),
				    x->subject.data, det.data, NULL, err)) == CU_OK)
		st = cu_case_save_manifest(c, err);
	cu_buf_release(&det);
	x->begun = st == CU_OK;
	if (st == CU_OK)
		st = flush_pending(x, err);
	return st;
}

static enum cu_status finish(struct iacq *x, bool running, struct cu_error *err)
{
	const struct cu_ingest_stats *ws = cu_ingest_stats(x->w);
	struct cu_ingest_summary sum;
	struct cu_buf det = CU_BUF_INIT, fmt = CU_BUF_INIT;
	struct cu_json j;
	char now[CU_TIME_STR];
	enum cu_status st;
	const char *status;

	if ((st = cu_ingest_summarize(x->w, &sum, err)) != CU_OK)
		goto out;
	json_object_set(x->read, "device_state", x->state);
	{
		char where[CU_PATH_MAX];
		snprintf(where, sizeof(where),
			 "lockdownd values of the iPhone (evidence/%s/_lockdown/root.plist)",
			 x->item);
		json_object_set_new(x->read, "facts_source", json_string(where));
	}
	if ((st = cu_import_check_facts(x->c, x->item, "acquire", "the iPhone over lockdownd",
					err)) != CU_OK)
		goto out;
	bool kept_enc = x->backup_state != NULL && strncmp(x->backup_state, "kept-", 5) == 0;
	status = running ? "running" : ws->failures || kept_enc ? "partial" : "complete";
	cu_time_format_ms(cu_time_now_ms(), now);
	if ((st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_warnings_json(x->w))) != CU_OK)
		goto out;
	json_t *errs = json_loads(fmt.data, 0, NULL);
	cu_buf_reset(&fmt);
	if ((st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_skipped_json(x->w))) != CU_OK) {
		json_decref(errs);
		goto out;
	}
	json_t *skipped = json_loads(fmt.data, 0, NULL);
	if (!running)
		json_object_set_new(x->acq, "end", json_string(now));
	json_object_set_new(x->acq, "status", json_string(status));
	json_object_set_new(x->acq, "errors", errs ? errs : json_array());
	json_object_set_new(x->acq, "not_acquired", skipped ? skipped : json_array());
	json_object_set_new(x->acq, "files", json_integer((json_int_t)sum.evidence_files));
	json_object_set_new(x->acq, "warnings", json_integer((json_int_t)ws->warnings));
	json_object_set_new(x->acq, "failures", json_integer((json_int_t)ws->failures));
	json_object_set_new(x->acq, "content_root", json_string(sum.content_root));
	json_object_set_new(x->acq, "inventory_sha256", json_string(sum.inventory_sha256));
	{
		json_t *bk = cu_extract_obj_child(x->acq, "backup"),
		       *rb = json_object_get(x->record, "backup");
		const char *k;
		json_t *v;
		json_object_foreach(rb, k, v) json_object_set(bk, k, v);
		if (x->backup_state != NULL)
			json_object_set_new(bk, "state", json_string(x->backup_state));
		if (kept_enc && json_object_get(bk, "kept") == NULL) {
			char kept[256];
			snprintf(kept, sizeof(kept), "_mobilebackup2/backup/attempt-%u/%s",
				 x->attempt, x->udid);
			json_object_set_new(bk, "kept", json_string(kept));
		}
		if (x->run.details != NULL && json_object_size(x->run.details) > 0)
			json_object_set(bk, "format_details", x->run.details);
		if (json_object_get(x->record, "media") != NULL)
			json_object_set(x->acq, "media", json_object_get(x->record, "media"));
		if (json_object_get(x->record, "paired_now") != NULL)
			json_object_set_new(x->acq, "paired_now", json_true());
	}
	if ((st = cu_extract_manifest_hash(x->c, x->manifest_sha256, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", "mobilebackup2");
	cu_json_kv_str(&j, "udid", x->udid);
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_str(&j, "status", status);
	cu_json_kv_int(&j, "files", (int64_t)ws->files);
	cu_json_kv_int(&j, "bytes", (int64_t)ws->bytes);
	cu_json_kv_int(&j, "derived", (int64_t)ws->derived);
	cu_json_kv_int(&j, "commands", (int64_t)x->st.commands);
	cu_json_kv_int(&j, "warnings", (int64_t)ws->warnings);
	cu_json_kv_int(&j, "failures", (int64_t)ws->failures);
	cu_extract_json_list(&j, "warning_list", cu_ingest_warnings_json(x->w));
	cu_extract_json_list(&j, "not_acquired", cu_ingest_skipped_json(x->w));
	cu_json_key(&j, "clock");
	cu_json_jansson(&j, json_object_get(x->record, "clock"));
	cu_json_key(&j, "backup");
	cu_json_jansson(&j, json_object_get(x->acq, "backup"));
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_int(&j, "rechecked", (int64_t)ws->rechecked);
	cu_json_kv_int(&j, "item_files", (int64_t)sum.evidence_files);
	cu_json_key(&j, "content_root");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
	cu_json_kv_int(&j, "size", (int64_t)sum.content_files);
	cu_json_kv_str(&j, "root", sum.content_root);
	cu_json_obj_end(&j);
	cu_json_kv_str(&j, "inventory", sum.inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum.inventory_sha256);
	cu_json_key(&j, "interrupted");
	cu_json_str(&j, x->lost ? x->lost_err.msg : NULL);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK ||
	    (st = cu_ingest_close(x->w, running ? "ERROR" : "ACQUIRE_END", x->subject.data,
				  det.data, err)) != CU_OK)
		goto out;
	if ((st = cu_import_record_mismatches(x->c, x->item, x->subject.data, &x->st.mismatches,
					      err)) != CU_OK)
		goto out;
	st = cu_case_save_manifest(x->c, err);
out:
	cu_buf_release(&det);
	cu_buf_release(&fmt);
	return st;
}

/* --resume of an acquisition whose backup is kept encrypted: decoded
 * from the evidence with the password, without the phone. */
static bool kept_encrypted(const json_t *acq)
{
	const json_t *bk = json_object_get(acq, "backup");
	const char *s = json_string_value(json_object_get(bk, "state"));
	return s != NULL && json_string_value(json_object_get(bk, "kept")) != NULL &&
	       (strcmp(s, "kept-encrypted") == 0 || strcmp(s, "kept-wrong-password") == 0);
}

/* The device layer's sentences name the iPhone already; others get it. */
static enum cu_status name_phone(struct cu_error *err, const char *udid)
{
	if (strstr(err->msg, udid) == NULL)
		cu_error_prefix(err, "iPhone '%s'", udid);
	return err->code;
}

static bool probe_stop(void *ctx, const struct cu_ios_afc_entry *e)
{
	(void)ctx;
	(void)e;
	return false;
}

/* The acquisition stopped before ACQUIRE_START (no item yet) after
 * changing the phone (a pairing made): that change is still recorded,
 * with the exchanges around it, under the subject {"device": UDID}. */
static void unbegun_changes(struct iacq *x)
{
	struct cu_buf subj = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;
	bool any = false;

	for (size_t i = 0; i < x->n_pend; i++)
		any = any || strcmp(x->pend[i].event, "DEVICE_CHANGE") == 0;
	if (!any || x->c->custody == NULL)
		return;
	cu_json_init(&j, &subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "device", x->udid);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) == CU_OK)
		for (size_t i = 0; i < x->n_pend; i++)
			if (cu_custody_append(x->c->custody, x->pend[i].event,
					      cu_case_default_actor(), subj.data,
					      x->pend[i].details, NULL, &e) != CU_OK) {
				cu_error_log("%s", e.msg);
				break;
			}
	cu_buf_release(&subj);
}

enum cu_status cu_acquire_ios_run(struct cu_case *c, const struct cu_acquire_opts *o,
				  struct cu_acquire_stats *stats, struct cu_error *err)
{
	struct iacq x;
	struct cu_ios_hooks hooks;
	enum cu_status st;
	bool running = false, offline = false;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.resume = o->resume;
	x.st.clock_offset_ms = INT64_MIN;
	x.fslot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
	x.f = (struct cu_ingest_file)CU_INGEST_FILE_INIT;
	cu_buf_init(&x.subject, 0);
	cu_buf_init(&x.last_raw, (size_t)16 << 20);
	cu_buf_init(&x.spool_rel, CU_PATH_MAX);
	cu_buf_init(&x.spool_abs, CU_PATH_MAX);
	if (o->serial == NULL || *o->serial == '\0' || strlen(o->serial) >= sizeof(x.udid)) {
		st = cu_error_set(err, CU_E_USAGE, "give the iPhone with --device UDID");
		goto out;
	}
	if (c->custody == NULL) {
		st = cu_error_set(err, CU_E_INTERNAL, "the case's custody log is not open");
		goto out;
	}
	if (o->remove_backup_password && o->set_backup_password_file == NULL &&
	    o->backup_password_file == NULL) {
		st = cu_error_set(err, CU_E_USAGE,
				  "--remove-backup-password needs the password to remove: "
				  "--backup-password-file F or --set-backup-password-file F");
		goto out;
	}
	snprintf(x.udid, sizeof(x.udid), "%s", o->serial);
	if ((x.state = json_object()) == NULL || (x.record = json_object()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (o->backup_password_file != NULL || o->set_backup_password_file != NULL) {
		if ((st = read_pw(o->set_backup_password_file ? o->set_backup_password_file
							      : o->backup_password_file,
				  &x.pw, err)) != CU_OK)
			goto out;
		x.have_pw = true;
	}
	/* A backup kept encrypted is decoded from the case, without the phone. */
	{
		json_t *r = x.resume ? find_running(c, x.udid) : NULL;
		offline = r != NULL && kept_encrypted(r);
		if (offline && !x.have_pw) {
			st =
			    cu_error_set(err, CU_E_USAGE,
					 "the backup of the iPhone '%s' was kept encrypted: resume "
					 "with --backup-password-file F to decode it",
					 x.udid);
			goto out;
		}
	}
	if (!offline) {
		memset(&hooks, 0, sizeof(hooks));
		hooks.ctx = &x;
		hooks.command = hook_command;
		hooks.device_change = hook_change;
		if ((st = cu_ios_open(x.udid, &hooks, &x.dev, err)) != CU_OK) {
			name_phone(err, x.udid);
			goto out;
		}
		if ((st = cu_ios_values(x.dev, NULL, &x.root, err)) != CU_OK) {
			cu_error_prefix(err, "iPhone '%s': lockdownd values", x.udid);
			goto out;
		}
		const char *u = jstr(x.root, "UniqueDeviceID");
		if (u != NULL && strcmp(u, x.udid) != 0 && strlen(u) < sizeof(x.udid)) {
			cu_warn("acquire: the iPhone says its UDID is '%s' (asked for '%s')", u,
				x.udid);
		}
	} else if ((x.root = json_object()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (!offline) {
		/* A locked iPhone refuses AFC and mobilebackup2 (PasswordProtected):
		 * asked first, so that nothing is written to the case for it */
		struct cu_error pe;
		if (cu_ios_afc_walk(x.dev, "/", probe_stop, NULL, &pe) == CU_E_DEVICE) {
			*err = pe;
			st = name_phone(err, x.udid);
			err->code = st = CU_E_DEVICE;
			goto out;
		}
		cu_error_clear(&x.apps_err);
		x.apps_fetched = true;
		if (cu_ios_apps(x.dev, &x.apps_pre, &x.apps_err) != CU_OK) {
			json_decref(x.apps_pre);
			x.apps_pre = NULL;
			if (x.apps_err.code == CU_E_DEVICE) {
				*err = x.apps_err;
				st = name_phone(err, x.udid);
				err->code = st = CU_E_DEVICE;
				goto out;
			}
		}
	}
	snprintf(x.st.serial, sizeof(x.st.serial), "%s", x.udid);
	if ((st = choose_item(&x, jstr(x.root, "SerialNumber"), err)) != CU_OK ||
	    (st = cu_ingest_open(c, CU_INGEST_ACQUIRE,
				 cu_ingest_hash_policy(c, x.item, o->hash_algs), x.resume, &x.w,
				 err)) != CU_OK ||
	    (st = cu_ingest_set_item(x.w, x.item, err)) != CU_OK ||
	    (st = make_subject(&x, err)) != CU_OK)
		goto out;
	cu_ingest_set_progress(x.w, &x.run.prog);
	if (x.resume)
		cu_info("acquire: resuming item '%s': %zu files already listed", x.item,
			cu_ingest_resume_count(x.w));
	if ((st = begin(&x, err)) != CU_OK)
		goto out;
	if (x.hook_failed) {
		*err = x.hook_err;
		st = err->code;
		goto end;
	}

	if (offline) {
		/* the read facts of the first run stay; only the backup is decoded */
		json_t *ds = json_object_get(x.read, "device_state");
		if (json_is_object(ds)) {
			json_decref(x.state);
			x.state = json_deep_copy(ds);
		}
		json_t *rb = json_object_get(x.acq, "backup");
		if (json_is_object(rb))
			json_object_set_new(x.record, "backup", json_deep_copy(rb));
		/* still kept until decoded */
		x.backup_state = strcmp(jstr(rb, "state"), "kept-wrong-password") == 0
				     ? "kept-wrong-password"
				     : "kept-encrypted";
		json_t *ck = json_object_get(x.acq, "clock");
		if (json_is_object(ck))
			json_object_set_new(x.record, "clock", json_deep_copy(ck));
		if ((st = decode_kept(&x, err)) != CU_OK)
			goto end;
		goto end;
	}

	/* 1. clock, 2. lockdownd facts, 3. apps, 4. backup, 5. media, 6. clock */
	if ((st = clock_check(&x, "start")) != CU_OK || (st = lockdown_facts(&x, err)) != CU_OK ||
	    (st = apps(&x, err)) != CU_OK)
		goto end;
	if (!x.lost && o->set_backup_password_file != NULL) {
		if (x.encrypted) {
			cu_ingest_warn(
			    x.w, false,
			    "the iPhone already encrypts its backups (its own password): "
			    "no password set; decoding needs that password "
			    "(--backup-password-file)");
			x.have_pw = false;
			if (o->backup_password_file != NULL) { /* the phone's own, given too */
				if ((st = read_pw(o->backup_password_file, &x.pw, err)) != CU_OK)
					goto end;
				x.have_pw = true;
			}
		} else {
			struct cu_error e;
			if (cu_ios_backup_password(x.dev, NULL, x.pw.data, &e) != CU_OK) {
				cu_ingest_warn(x.w, true, "setting the backup password: %s", e.msg);
				x.have_pw = false;
			} else {
				x.pw_set_by_us = true;
				x.encrypted = true;
				json_object_set_new(x.state, "backup_password_set_by_custos",
						    json_true());
			}
		}
	}
	if (!x.lost && (st = backup(&x, err)) != CU_OK)
		goto end;
	if (!x.lost && o->remove_backup_password && (x.pw_set_by_us || x.have_pw)) {
		struct cu_error e;
		if (cu_ios_backup_password(x.dev, x.pw.data, NULL, &e) != CU_OK)
			cu_ingest_warn(x.w, true, "removing the backup password: %s", e.msg);
		else
			json_object_set_new(x.state, "backup_password_removed", json_true());
	} else if (x.pw_set_by_us && !x.lost) {
		cu_ingest_warn(x.w, false,
			       "the backup password custos set stays on the iPhone (remove it "
			       "with --remove-backup-password)");
	}
	if (!x.lost && o->media && (st = media(&x, err)) != CU_OK)
		goto end;
	if (!x.lost)
		(void)clock_check(&x, "end");
	if (x.hook_failed) {
		*err = x.hook_err;
		st = err->code;
		goto end;
	}
	/* the phone is no longer needed: the backup is laid out */
	cu_ios_close(x.dev);
	x.dev = NULL;
	if (x.backup_state != NULL && strcmp(x.backup_state, "interrupted") == 0) {
		running = true;
	} else if (!x.lost && json_object_get(x.record, "backup") != NULL) {
		if ((st = write_info_plist(&x, err)) != CU_OK || (st = decode(&x, err)) != CU_OK)
			goto end;
		remove_tree(x.spool_abs.data, 0); /* directories only: files are evidence */
		for (int up = 0; up < 2; up++) {  /* work/ios/<item>, work/ios when empty */
			char *slash = strrchr(x.spool_abs.data, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			(void)rmdir(x.spool_abs.data);
		}
	}
	running = running || x.lost;
end:
	if (st != CU_OK && !x.begun)
		goto out;
	if (st != CU_OK) {
		struct cu_error e2;
		if (cu_ingest_flush(x.w, true, &e2) != CU_OK)
			cu_error_log("%s", e2.msg);
		if (x.map.n > 0 && keep_all(&x, "interrupted", "the run stopped", &e2) != CU_OK)
			cu_error_log("%s", e2.msg);
		goto out;
	}
	if ((st = cu_ingest_flush(x.w, true, err)) != CU_OK ||
	    (st = finish(&x, running, err)) != CU_OK)
		goto out;
	{
		const struct cu_ingest_stats *ws = cu_ingest_stats(x.w);
		x.st.files = ws->files;
		x.st.bytes = ws->bytes;
		x.st.warnings = ws->warnings + x.st.mismatches;
		x.st.failures = ws->failures;
		x.st.rechecked = ws->rechecked;
		x.st.skipped = ws->skipped;
	}
	snprintf(x.st.item, sizeof(x.st.item), "%s", x.item);
	if (x.lost && x.lost_err.code != CU_E_DEVICE) {
		/* the phone sent what no backup holds (a malformed message, a
		 * path outside the backup): refused, nothing written for it */
		*err = x.lost_err;
		cu_error_prefix(err,
				"the backup of the iPhone '%s' was stopped: the phone sent what a "
				"backup cannot hold, refused (%llu files kept); `custos acquire "
				"--resume --device %s` takes the backup again",
				x.udid, (unsigned long long)x.st.files, x.udid);
		err->code = st = CU_E_DEVICE;
	} else if (x.lost) {
		*err = x.lost_err;
		cu_error_prefix(
		    err,
		    "the backup of the iPhone '%s' did not finish (%llu files kept); "
		    "reconnect and unlock it, then finish with `custos acquire --resume "
		    "--device %s`",
		    x.udid, (unsigned long long)x.st.files, x.udid);
		err->code = st = CU_E_DEVICE;
	} else if (x.backup_state != NULL && strcmp(x.backup_state, "kept-wrong-password") == 0) {
		st = cu_error_set(
		    err, CU_E_KEY,
		    "the backup password given does not open the encrypted backup of "
		    "the iPhone '%s': the backup is kept whole as evidence "
		    "(_mobilebackup2/backup/); decode it with `custos acquire --resume "
		    "--device %s --backup-password-file F` and the right password",
		    x.udid, x.udid);
	} else if (x.backup_state != NULL && strcmp(x.backup_state, "kept-encrypted") == 0) {
		st =
		    cu_error_set(err, CU_E_PARTIAL,
				 "the iPhone '%s' encrypts its backups and no password was given: "
				 "the encrypted backup is kept whole as evidence "
				 "(_mobilebackup2/backup/) but not decoded; decode it with `custos "
				 "acquire --resume --device %s --backup-password-file F`",
				 x.udid, x.udid);
	} else if (x.st.failures > 0) {
		st = cu_error_set(err, CU_E_PARTIAL,
				  "acquisition of '%s' into item '%s' finished with %llu "
				  "failure(s); each is recorded in the custody log (ACQUIRE_END "
				  "entry)",
				  x.udid, x.item, (unsigned long long)x.st.failures);
	}
out:
	if (!x.begun && x.n_pend > 0)
		unbegun_changes(&x);
	if (stats != NULL) {
		if (x.item[0] != '\0' && x.begun)
			snprintf(x.st.item, sizeof(x.st.item), "%s", x.item);
		*stats = x.st;
	}
	if (x.f_open)
		cu_ingest_file_abort(&x.f);
	free(x.fbuf);
	free(x.f_key);
	cu_ingest_slot_release(&x.fslot);
	for (size_t i = 0; i < x.n_pend; i++) {
		free(x.pend[i].event);
		free(x.pend[i].details);
	}
	free(x.pend);
	sp_release(&x.map);
	run_release(&x);
	cu_ingest_free(x.w);
	cu_ios_close(x.dev);
	json_decref(x.state);
	json_decref(x.record);
	json_decref(x.root);
	json_decref(x.apps);
	json_decref(x.apps_pre);
	free(x.listed_ino);
	cu_buf_release(&x.subject);
	cu_buf_release(&x.last_raw);
	cu_buf_release(&x.spool_rel);
	cu_buf_release(&x.spool_abs);
	if (x.pw.data != NULL)
		cu_secret_buf_wipe(&x.pw);
	return st;
}

/* ---- without a phone: the spool and its sink (acquire_int.h) ---- */

enum cu_status cu_ios_acq_spool_open(struct cu_case *c, struct cu_ingest *w, const char *udid,
				     struct iacq **out, struct cu_ios_backup_sink *sink,
				     struct cu_error *err)
{
	struct iacq *x = calloc(1, sizeof(*x));
	enum cu_status st;

	*out = NULL;
	if (x == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	x->c = c;
	x->w = w;
	x->fslot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
	x->f = (struct cu_ingest_file)CU_INGEST_FILE_INIT;
	cu_buf_init(&x->spool_rel, CU_PATH_MAX);
	cu_buf_init(&x->spool_abs, CU_PATH_MAX);
	snprintf(x->udid, sizeof(x->udid), "%s", udid);
	snprintf(x->item, sizeof(x->item), "%s", cu_ingest_item(w) ? cu_ingest_item(w) : "");
	if ((st = spool_begin(x, err)) != CU_OK) {
		cu_buf_release(&x->spool_rel);
		cu_buf_release(&x->spool_abs);
		free(x);
		return st;
	}
	memset(sink, 0, sizeof(*sink));
	sink->ctx = x;
	sink->file_begin = s_file_begin;
	sink->file_data = s_file_data;
	sink->file_end = s_file_end;
	sink->mkdir = s_mkdir;
	sink->move = s_move;
	sink->remove = s_remove;
	sink->copy = s_copy;
	sink->list = s_list;
	sink->free_space = s_free_space;
	*out = x;
	return CU_OK;
}

size_t cu_ios_acq_spooled(const struct iacq *x)
{
	return x->map.n;
}

enum cu_status cu_ios_acq_spool_close(struct iacq *x, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	if (x->f_open)
		st = s_file_end(x, false, "the transfer broke off", err);
	if (st == CU_OK)
		st = keep_all(x, "interrupted", "the backup attempt did not finish", err);
	if (x->f_open)
		cu_ingest_file_abort(&x->f);
	free(x->fbuf);
	free(x->f_key);
	cu_ingest_slot_release(&x->fslot);
	sp_release(&x->map);
	cu_buf_release(&x->spool_rel);
	cu_buf_release(&x->spool_abs);
	free(x->listed_ino);
	free(x);
	return st;
}
