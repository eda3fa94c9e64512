/*
 * ios_backup.c - iTunes/Finder/idevicebackup2 backups (iOS 10+ layout):
 * <root>/<fileID[0:2]>/<fileID>, mapped to domain + relative path by
 * Manifest.db (SQLite, Files(fileID, domain, relativePath, flags, file)),
 * with Info.plist (written by the host), Manifest.plist (Lockdown facts,
 * IsEncrypted, BackupKeyBag, ManifestKey) and Status.plist beside it
 * (PROTOCOLS.md section 2, APPS.md 6.1).
 *
 * Evidence: the four metadata files as "_backup/<name>" and every listed
 * file as "<domain>/<relativePath>". Manifest.db is queried on a staged
 * copy in CASE/work (written in the same pass as the evidence copy) opened
 * read-only with immutable=1.
 *
 * Encrypted backups: the password is checked by unwrapping the class keys
 * before anything is written; the ENCRYPTED files are the evidence and the
 * decrypted ones are derived files (derived/<item>/<device path>), both
 * produced in one read of the source: read -> evidence hash + copy ->
 * AES-256-CBC (zero IV, per-file key unwrapped with its protection class
 * key) -> derived hash + copy, cut to MBFile Size after the PKCS#7 strip.
 */
#include "extract/formats/formats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <plist/plist.h>
#include <sqlite3.h>

static bool has_file_at(int dfd, const char *name)
{
	struct stat sb;
	return fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

static bool is_backup_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* iOS 10+: Manifest.db; iOS 9 and older: Manifest.mbdb (claimed here
	 * so it is not taken for a plain directory, then refused clearly).
	 * Two of the backup's own plists without either database are claimed
	 * too: a backup that lost Manifest.db is refused, not imported as a
	 * plain folder. */
	bool yes = false;
	if (fd >= 0) {
		int plists = has_file_at(fd, "Manifest.plist") + has_file_at(fd, "Info.plist") +
			     has_file_at(fd, "Status.plist");
		yes = (has_file_at(fd, "Manifest.plist") &&
		       (has_file_at(fd, "Manifest.db") || has_file_at(fd, "Manifest.mbdb"))) ||
		      plists >= 2;
		close(fd);
	}
	return yes;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum cu_status cu_import_ios_find_root(const char *path, struct cu_buf *root, int *count,
				       struct cu_error *err)
{
	enum cu_status st = CU_OK;
	char *found[8];
	int n = 0;
	DIR *d;
	struct dirent *de;

	*count = 0;
	cu_buf_reset(root);
	if (is_backup_dir(path)) {
		*count = 1;
		return cu_buf_puts(root, path, err);
	}
	/* idevicebackup2 and iTunes write <dir>/<UDID>/: look one level down. */
	if ((d = opendir(path)) == NULL)
		return cu_error_errno(err, CU_E_IO, errno, "cannot read directory '%s'", path);
	while ((de = readdir(d)) != NULL && n < 8) {
		struct cu_buf sub = CU_BUF_INIT;
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		if (cu_buf_printf(&sub, err, "%s/%s", path, de->d_name) == CU_OK &&
		    lstat(sub.data, &sb) == 0 && S_ISDIR(sb.st_mode) && is_backup_dir(sub.data))
			found[n++] = cu_buf_detach(&sub, NULL);
		cu_buf_release(&sub);
	}
	closedir(d);
	if (n > 1)
		qsort(found, (size_t)n, sizeof(found[0]), str_cmp);
	*count = n;
	if (n == 1)
		st = cu_buf_puts(root, found[0], err);
	else if (n > 1)
		st = cu_error_set(err, CU_E_USAGE,
				  "'%s' holds %d backups (e.g. '%s' and '%s'): import one of them",
				  path, n, found[0], found[1]);
	for (int i = 0; i < n; i++)
		free(found[i]);
	return st;
}

/* ------------------------------------------------------------------ */
/* MBFile (NSKeyedArchiver) from Manifest.db Files.file                 */
/* ------------------------------------------------------------------ */

void cu_ios_mbfile_release(struct cu_ios_mbfile *m)
{
	free(m->target);
	m->target = NULL;
	OPENSSL_cleanse(m->enc_key, sizeof(m->enc_key));
}

static plist_t objref(plist_t objs, plist_t node)
{
	uint64_t uid = 0;
	if (node == NULL || plist_get_node_type(node) != PLIST_UID)
		return NULL;
	plist_get_uid_val(node, &uid);
	if (uid >= plist_array_get_size(objs))
		return NULL;
	return plist_array_get_item(objs, (uint32_t)uid);
}

static bool get_int(plist_t dict, const char *key, int64_t *out)
{
	plist_t n = plist_dict_get_item(dict, key);
	uint64_t u = 0;
	if (n == NULL || plist_get_node_type(n) != PLIST_UINT)
		return false;
	plist_get_uint_val(n, &u);
	*out = (int64_t)u;
	return true;
}

enum cu_status cu_ios_mbfile_parse(const void *blob, size_t n, struct cu_ios_mbfile *out,
				   struct cu_error *err)
{
	plist_t root = NULL, objs, top, mb, node;
	struct cu_ios_mbfile m;
	enum cu_status st = CU_OK;
	int64_t v;

	memset(&m, 0, sizeof(m));
	m.mtime = m.birth = m.ctime = INT64_MIN;
	m.mode = m.uid = m.gid = m.protection = m.flags = -1;
	if (n < 8 || n > UINT32_MAX || memcmp(blob, "bplist00", 8) != 0)
		return cu_error_set(err, CU_E_FORMAT, "MBFile is not a binary plist");
	plist_from_bin(blob, (uint32_t)n, &root);
	if (root == NULL || plist_get_node_type(root) != PLIST_DICT) {
		st = cu_error_set(err, CU_E_FORMAT, "MBFile plist does not parse");
		goto out;
	}
	objs = plist_dict_get_item(root, "$objects");
	top = plist_dict_get_item(root, "$top");
	if (objs == NULL || plist_get_node_type(objs) != PLIST_ARRAY || top == NULL ||
	    plist_get_node_type(top) != PLIST_DICT) {
		st = cu_error_set(err, CU_E_FORMAT, "MBFile has no $objects/$top");
		goto out;
	}
	mb = objref(objs, plist_dict_get_item(top, "root"));
	if (mb == NULL || plist_get_node_type(mb) != PLIST_DICT) {
		st = cu_error_set(err, CU_E_FORMAT, "MBFile $top.root is not an object");
		goto out;
	}
	if (get_int(mb, "Size", &v)) {
		m.size = (uint64_t)v;
		m.have_size = true;
	}
	(void)get_int(mb, "LastModified", &m.mtime);
	(void)get_int(mb, "Birth", &m.birth);
	(void)get_int(mb, "LastStatusChange", &m.ctime);
	(void)get_int(mb, "Mode", &m.mode);
	(void)get_int(mb, "UserID", &m.uid);
	(void)get_int(mb, "GroupID", &m.gid);
	(void)get_int(mb, "ProtectionClass", &m.protection);
	(void)get_int(mb, "Flags", &m.flags);
	if (get_int(mb, "InodeNumber", &v)) {
		m.inode = (uint64_t)v;
		m.have_inode = true;
	}
	node = objref(objs, plist_dict_get_item(mb, "Target"));
	if (node != NULL && plist_get_node_type(node) == PLIST_STRING) {
		char *s = NULL;
		plist_get_string_val(node, &s);
		if (s != NULL && strcmp(s, "$null") != 0)
			m.target = s;
		else
			free(s);
	}
	node = objref(objs, plist_dict_get_item(mb, "EncryptionKey"));
	if (node != NULL && plist_get_node_type(node) == PLIST_DICT) {
		plist_t data = plist_dict_get_item(node, "NS.data");
		if (data != NULL && plist_get_node_type(data) == PLIST_DATA) {
			char *p = NULL;
			uint64_t len = 0;
			plist_get_data_val(data, &p, &len);
			if (p != NULL && len <= sizeof(m.enc_key)) {
				memcpy(m.enc_key, p, (size_t)len);
				m.enc_key_len = (size_t)len;
			}
			if (p != NULL)
				OPENSSL_cleanse(p, (size_t)len);
			free(p);
		}
	}
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	cu_ios_mbfile_release(&m);
	if (root != NULL)
		plist_free(root);
	return st;
}

/* ------------------------------------------------------------------ */
/* Plists and item facts                                               */
/* ------------------------------------------------------------------ */

static plist_t plist_parse(const struct cu_buf *b)
{
	plist_t p = NULL;
	if (b->len == 0 || b->len > UINT32_MAX)
		return NULL;
	plist_from_memory(b->data, (uint32_t)b->len, &p);
	if (p != NULL && plist_get_node_type(p) != PLIST_DICT) {
		plist_free(p);
		p = NULL;
	}
	return p;
}

static json_t *pstr(plist_t d, const char *key)
{
	plist_t n = d ? plist_dict_get_item(d, key) : NULL;
	char *s = NULL;
	json_t *j;
	if (n == NULL || plist_get_node_type(n) != PLIST_STRING)
		return NULL;
	plist_get_string_val(n, &s);
	j = (s && s[0] && cu_utf8_valid(s, strlen(s))) ? json_string(s) : NULL;
	free(s);
	return j;
}

/* A plist type with its article, for messages. */
static const char *plist_type_name(plist_type t)
{
	switch (t) {
	case PLIST_BOOLEAN: return "a boolean";
	case PLIST_UINT: return "an integer";
	case PLIST_REAL: return "a real";
	case PLIST_STRING: return "a string";
	case PLIST_ARRAY: return "an array";
	case PLIST_DICT: return "a dictionary";
	case PLIST_DATE: return "a date";
	case PLIST_DATA: return "data";
	case PLIST_KEY: return "a key";
	case PLIST_UID: return "a UID";
	default: return "a value of unknown type";
	}
}

/* The keys custos reads from the backup's plists and the type each must
 * have. A key of another type was read as absent without a word; now it
 * is warned about, naming the file, the key and both types. */
struct plist_key_type {
	const char *key;
	plist_type type;
};
static const struct plist_key_type manifest_keys[] = {
    {"IsEncrypted", PLIST_BOOLEAN}, {"Lockdown", PLIST_DICT},  {"BackupKeyBag", PLIST_DATA},
    {"ManifestKey", PLIST_DATA},    {"Version", PLIST_STRING}, {"WasPasscodeSet", PLIST_BOOLEAN},
    {"Date", PLIST_DATE},           {NULL, PLIST_NONE},
};
static const struct plist_key_type lockdown_keys[] = {
    {"DeviceName", PLIST_STRING},
    {"ProductVersion", PLIST_STRING},
    {"BuildVersion", PLIST_STRING},
    {"ProductType", PLIST_STRING},
    {"SerialNumber", PLIST_STRING},
    {"UniqueDeviceID", PLIST_STRING},
    {NULL, PLIST_NONE},
};
static const struct plist_key_type info_keys[] = {
    {"Device Name", PLIST_STRING},
    {"Product Version", PLIST_STRING},
    {"Build Version", PLIST_STRING},
    {"Product Type", PLIST_STRING},
    {"IMEI", PLIST_STRING},
    {"MEID", PLIST_STRING},
    {"Serial Number", PLIST_STRING},
    {"Unique Identifier", PLIST_STRING},
    {"ICCID", PLIST_STRING},
    {"Phone Number", PLIST_STRING},
    {NULL, PLIST_NONE},
};
static const struct plist_key_type status_keys[] = {
    {"SnapshotState", PLIST_STRING},
    {"IsFullBackup", PLIST_BOOLEAN},
    {NULL, PLIST_NONE},
};

/* Warns about every key of keys that d holds with another type; returns
 * how many. d NULL or not a dictionary: nothing to check. */
static unsigned check_plist_types(struct cu_format_run *x, plist_t d, const char *file,
				  const struct plist_key_type *keys)
{
	unsigned bad = 0;
	if (d == NULL || plist_get_node_type(d) != PLIST_DICT)
		return 0;
	for (const struct plist_key_type *k = keys; k->key != NULL; k++) {
		plist_t n = plist_dict_get_item(d, k->key);
		if (n == NULL || plist_get_node_type(n) == k->type)
			continue;
		bad++;
		cu_ingest_warn(x->w, false,
			       "%s: key '%s' is %s, not %s: its value is not used (the file "
			       "is kept as found in the evidence)",
			       file, k->key, plist_type_name(plist_get_node_type(n)),
			       plist_type_name(k->type));
	}
	return bad;
}

/* First non-NULL of two facts (Info.plist, then Manifest.plist Lockdown). */
static json_t *either(plist_t a, const char *ka, plist_t b, const char *kb)
{
	json_t *j = pstr(a, ka);
	return j ? j : pstr(b, kb);
}

static void set_or_null(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

/* key: [v] ([] when v is NULL; null if the array cannot be made). Takes v. */
static void set_list1(json_t *o, const char *key, json_t *v)
{
	json_t *a = json_array();

	json_object_set_new(o, key, a != NULL ? a : json_null());
	if (v != NULL && a != NULL)
		json_array_append_new(a, v);
	else
		json_decref(v);
}

static void item_facts(struct cu_format_run *x, plist_t info, plist_t lockdown)
{
	json_t *f = x->item_facts, *ids = json_object(), *feat = json_object();
	if (ids == NULL || feat == NULL) {
		json_decref(ids);
		json_decref(feat);
		return;
	}
	set_or_null(f, "name", either(info, "Device Name", lockdown, "DeviceName"));
	set_or_null(f, "os_version", either(info, "Product Version", lockdown, "ProductVersion"));
	set_or_null(f, "build", either(info, "Build Version", lockdown, "BuildVersion"));
	json_object_set_new(feat, "make", json_string("Apple"));
	set_or_null(feat, "model", either(info, "Product Type", lockdown, "ProductType"));
	json_object_set_new(f, "features", feat);
	set_list1(ids, "imei", pstr(info, "IMEI"));
	set_or_null(ids, "meid", pstr(info, "MEID"));
	set_or_null(ids, "serial", either(info, "Serial Number", lockdown, "SerialNumber"));
	set_or_null(ids, "udid", either(info, "Unique Identifier", lockdown, "UniqueDeviceID"));
	set_or_null(ids, "iccid", pstr(info, "ICCID"));
	set_list1(ids, "msisdn", pstr(info, "Phone Number"));
	set_or_null(ids, "product_type", either(info, "Product Type", lockdown, "ProductType"));
	json_object_set_new(f, "identifiers", ids);
}

/* ------------------------------------------------------------------ */
/* The import                                                          */
/* ------------------------------------------------------------------ */

struct ios {
	struct cu_format_run *x;
	int rootfd;
	const char *root;
	bool encrypted;
	struct cu_ios_keybag kb;
	EVP_CIPHER_CTX *cctx;
	struct cu_buf work; /* staged Manifest.db */
	uint64_t listed, missing, unlisted;
	struct cu_ingest_pathmap ids; /* fileIDs named by Manifest.db */
};

static void fill_fi(struct cu_ingest_fileinfo *fi, const char *dev, size_t devlen,
		    const char *origin, const struct stat *sb)
{
	memset(fi, 0, sizeof(*fi));
	fi->device_path = dev;
	fi->device_path_len = devlen;
	fi->type = "file";
	fi->origin = origin;
	fi->mode = -1;
	if (sb != NULL) {
		fi->have_mtime = true;
		fi->mtime = sb->st_mtim;
		fi->mode = (int64_t)(sb->st_mode & 07777);
	}
}

/*
 * Decrypts in the same pass as the evidence copy. `in` is the source (or,
 * on resume when the evidence copy exists already, that copy); ev may be
 * NULL (evidence already stored). The derived output is cut to `size`
 * (MBFile Size) when known; padding and length problems become warnings.
 */
/* Writes plaintext to the derived copy, cut at the size Manifest.db gives
 * (size < 0: unknown, nothing cut): the cipher's padding is not the file. */
static enum cu_status write_clipped(struct cu_ingest_file *der, const unsigned char *plain,
				    size_t w, int64_t size, uint64_t *written, struct cu_error *err)
{
	enum cu_status st;

	if (size >= 0 && *written + w > (uint64_t)size)
		w = (size_t)((uint64_t)size - *written);
	if ((st = cu_ingest_file_write(der, plain, w, err)) == CU_OK)
		*written += w;
	return st;
}

static enum cu_status decrypt_pass(struct ios *b, int in, const char *what,
				   struct cu_ingest_file *ev, struct cu_ingest_file *der,
				   const unsigned char key[32], int64_t size, bool *ok,
				   struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	unsigned char *plain = NULL;
	enum cu_status st = CU_OK;
	static const unsigned char iv[16];
	uint64_t written = 0;
	int outl = 0;

	*ok = false;
	if ((plain = cu_malloc(CU_IMPORT_CHUNK + 32)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (EVP_DecryptInit_ex(b->cctx, EVP_aes_256_cbc(), NULL, key, iv) != 1) {
		st = cu_error_openssl(err, "AES-256-CBC setup for '%s'", what);
		goto out;
	}
	for (;;) {
		ssize_t r = read(in, x->buf, CU_IMPORT_CHUNK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			cu_ingest_warn(x->w, true, "read error in '%s': %s", what, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (ev != NULL && (st = cu_ingest_file_write(ev, x->buf, (size_t)r, err)) != CU_OK)
			goto out;
		cu_progress_add(&x->prog, (uint64_t)r);
		if (EVP_DecryptUpdate(b->cctx, plain, &outl, x->buf, (int)r) != 1) {
			st = cu_error_openssl(err, "AES-256-CBC decryption of '%s'", what);
			goto out;
		}
		if ((st = write_clipped(der, plain, (size_t)outl, size, &written, err)) != CU_OK)
			goto out;
	}
	if (EVP_DecryptFinal_ex(b->cctx, plain, &outl) != 1) {
		ERR_clear_error();
		cu_ingest_warn(x->w, true,
			       "'%s': bad PKCS#7 padding after decryption (damaged file or wrong "
			       "key); the derived copy may lack its last block",
			       what);
		outl = 0;
	}
	if ((st = write_clipped(der, plain, (size_t)outl, size, &written, err)) != CU_OK)
		goto out;
	if (size >= 0 && written != (uint64_t)size)
		cu_ingest_warn(x->w, true, "'%s': decrypted %llu bytes, Manifest.db says %lld",
			       what, (unsigned long long)written, (long long)size);
	*ok = true;
out:
	if (plain != NULL)
		OPENSSL_cleanse(plain, CU_IMPORT_CHUNK + 32);
	free(plain);
	return st;
}

/* Acquisition: the file named origin in the spool, already hashed. */
static bool spooled(struct ios *b, const char *origin, struct cu_ingest_spooled *sp)
{
	memset(sp, 0, sizeof(*sp));
	return b->x->spooled != NULL && b->x->spooled(b->x, origin, sp);
}

/*
 * Stores one encrypted file: evidence (as read) and derived (decrypted).
 * A spooled file is moved into its evidence slot and read once to decrypt.
 * `in` is the open source. Handles resume: each half may already be done.
 */
static enum cu_status store_encrypted(struct ios *b, int in, const char *what, const char *dev,
				      size_t devlen, struct cu_ingest_fileinfo *fi,
				      const unsigned char key[32], uint32_t cls, int64_t size,
				      int tee_fd, struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	struct cu_ingest_slot es = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_slot ds = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_file ev = CU_INGEST_FILE_INIT, der = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo dfi;
	struct cu_digests ed, dd;
	struct cu_error e;
	enum cu_status st = CU_OK;
	char derivation[64];
	struct cu_ingest_spooled sp;
	json_t *from = NULL;
	int src = in, own = -1;
	bool ok = false;

	if ((st = cu_ingest_slot_plan(x->w, dev, devlen, false, &es, &e)) != CU_OK ||
	    (st = cu_ingest_slot_plan(x->w, dev, devlen, true, &ds, &e)) != CU_OK) {
		if (e.code == CU_E_PATH || e.code == CU_E_EXISTS || e.code == CU_E_IO) {
			cu_ingest_warn(x->w, true, "'%s' (%s) not imported: %s", what, dev, e.msg);
			st = CU_OK;
		} else {
			*err = e;
		}
		goto out;
	}
	if (es.done && ds.done)
		goto out;
	if (!es.done && spooled(b, what, &sp)) {
		if ((st = cu_ingest_adopt(x->w, &es, &sp, fi, err)) != CU_OK)
			goto out;
		es.done = true;
	}
	if (es.done) {
		/* Resume between the two halves: decrypt the evidence copy. */
		own = open(es.abs.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (own < 0) {
			cu_ingest_warn(x->w, true, "resume: cannot reopen '%s'", es.rel.data);
			goto out;
		}
		src = own;
	} else if ((st = cu_ingest_file_open(x->w, &es, &ev, err)) != CU_OK) {
		goto name_fail;
	}
	if ((st = cu_ingest_file_open(x->w, &ds, &der, err)) != CU_OK)
		goto name_fail;
	der.tee_fd = tee_fd;
	if ((st = decrypt_pass(b, src, what, es.done ? NULL : &ev, &der, key, size, &ok, err)) !=
	    CU_OK)
		goto out;
	if (!es.done) {
		if ((st = cu_ingest_file_commit(&ev, fi->have_mtime ? &fi->mtime : NULL, &ed,
						err)) != CU_OK)
			goto out;
		if ((st = cu_ingest_record(x->w, &es, fi, &ed, err)) != CU_OK)
			goto out;
	}
	if ((st = cu_ingest_file_commit(&der, fi->have_mtime ? &fi->mtime : NULL, &dd, err)) !=
	    CU_OK)
		goto out;
	dfi = *fi;
	dfi.derived = true;
	from = json_pack("[s]", es.rel.data);
	dfi.derived_from = from;
	snprintf(derivation, sizeof(derivation), "ios-backup-aes256-cbc class=%u", cls);
	dfi.derivation = derivation;
	st = cu_ingest_record(x->w, &ds, &dfi, &dd, err);
	goto out;
name_fail:
	if (st == CU_E_PATH) {
		st = CU_OK;
		cu_ingest_warn(x->w, true, "'%s' (%s) not imported: %s", what, dev, err->msg);
		cu_ingest_skip(x->w, dev, "name not storable in the case");
	}
out:
	cu_ingest_file_abort(&ev);
	cu_ingest_file_abort(&der);
	if (own >= 0)
		close(own);
	json_decref(from);
	cu_ingest_slot_release(&es);
	cu_ingest_slot_release(&ds);
	return st;
}

/* Stores a metadata file already read into memory. */
static enum cu_status store_meta(struct ios *b, const char *name, const struct cu_buf *data,
				 const struct stat *sb, struct cu_error *err)
{
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	struct cu_buf dev = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_buf_printf(&dev, err, "_backup/%s", name)) != CU_OK)
		goto out;
	fill_fi(&fi, dev.data, dev.len, name, sb);
	if ((st = cu_ingest_slot_plan(b->x->w, dev.data, dev.len, false, &s, err)) != CU_OK)
		goto out;
	struct cu_ingest_spooled sp;
	if (!s.done && spooled(b, name, &sp))
		st = cu_ingest_adopt(b->x->w, &s, &sp, &fi, err);
	else if (!s.done)
		st = cu_ingest_store_mem(b->x->w, data->data, data->len, &s, &fi, NULL, err);
out:
	cu_ingest_slot_release(&s);
	cu_buf_release(&dev);
	return st;
}

static enum cu_status copy_case_file(const char *from, const char *to, unsigned char *buf,
				     struct cu_error *err)
{
	enum cu_status st = CU_OK;
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot stage '%s'", from);
		goto out;
	}
	for (;;) {
		size_t got = 0;
		if ((st = cu_read_full(in, buf, CU_IMPORT_CHUNK, &got, from, err)) != CU_OK ||
		    got == 0)
			break;
		if ((st = cu_write_all(out, buf, got, to, err)) != CU_OK)
			break;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return st;
}

/* Manifest.db: evidence copy + staged copy for SQLite (+ derived when
 * encrypted), one read of the source. */
static enum cu_status store_manifest_db(struct ios *b, const struct cu_buf *mkey,
					struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	struct stat sb;
	enum cu_status st = CU_OK;
	const char *dev = "_backup/Manifest.db";
	int fd = -1, tee = -1;

	if ((st = cu_case_path(x->c, "work", &b->work, err)) != CU_OK ||
	    (st = cu_mkdirs(b->work.data, 0700, false, err)) != CU_OK ||
	    (st = cu_buf_printf(&b->work, err, "/import-%s-Manifest.db", x->item)) != CU_OK)
		goto out;
	unlink(b->work.data);
	fd = cu_import_open_source(b->rootfd, "Manifest.db");
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s/Manifest.db'", b->root);
		goto out;
	}
	tee = open(b->work.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (tee < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", b->work.data);
		goto out;
	}
	fill_fi(&fi, dev, strlen(dev), "Manifest.db", &sb);
	if (b->encrypted && mkey->len == 0) {
		/* Before iOS 10.2 an encrypted backup left Manifest.db itself in
		 * the clear (no ManifestKey); the files stay encrypted. */
		cu_ingest_warn(x->w, false,
			       "'%s' is encrypted but has no ManifestKey: Manifest.db is read as "
			       "plain SQLite (iOS before 10.2)",
			       b->root);
	}
	if (b->encrypted && mkey->len > 0) {
		unsigned char key[32];
		uint32_t cls = 0;
		struct cu_buf ddev = CU_BUF_INIT;
		if ((st = cu_ios_unwrap_file_key(&b->kb, (const unsigned char *)mkey->data,
						 mkey->len, &cls, key, err)) != CU_OK) {
			cu_error_prefix(err, "ManifestKey of '%s'", b->root);
			goto out;
		}
		st = store_encrypted(b, fd, "Manifest.db", dev, strlen(dev), &fi, key, cls, -1, tee,
				     err);
		OPENSSL_cleanse(key, sizeof(key));
		if (st != CU_OK)
			goto out;
		/* Resume: the derived copy may exist already; stage from it. */
		struct stat tsb;
		if (fstat(tee, &tsb) == 0 && tsb.st_size == 0) {
			struct cu_ingest_slot ds = {CU_BUF_INIT, CU_BUF_INIT, false, false};
			st = cu_buf_printf(&ddev, err, "derived/%s/_backup/Manifest.db", x->item);
			if (st == CU_OK &&
			    (st = cu_case_path(x->c, ddev.data, &ds.abs, err)) == CU_OK)
				st = copy_case_file(ds.abs.data, b->work.data, x->buf, err);
			cu_ingest_slot_release(&ds);
		}
		cu_buf_release(&ddev);
		goto out;
	}
	if ((st = cu_ingest_slot_plan(x->w, dev, strlen(dev), false, &s, err)) != CU_OK)
		goto out;
	struct cu_ingest_spooled sp;
	if (!s.done && spooled(b, "Manifest.db", &sp)) {
		if ((st = cu_ingest_adopt(x->w, &s, &sp, &fi, err)) != CU_OK)
			goto out;
		s.done = true;
	}
	if (s.done) {
		close(tee);
		tee = -1;
		st = copy_case_file(s.abs.data, b->work.data, x->buf, err);
		goto out;
	}
	{
		/* cu_import_copy_fd with a tee: the same loop, inlined. */
		struct cu_ingest_file o = CU_INGEST_FILE_INIT;
		struct cu_digests d;
		if ((st = cu_ingest_file_open(x->w, &s, &o, err)) != CU_OK)
			goto out;
		o.tee_fd = tee;
		for (;;) {
			size_t got = 0;
			if ((st = cu_read_full(fd, x->buf, CU_IMPORT_CHUNK, &got, "Manifest.db",
					       err)) != CU_OK)
				break;
			if (got == 0)
				break;
			if ((st = cu_ingest_file_write(&o, x->buf, got, err)) != CU_OK)
				break;
			cu_progress_add(&x->prog, got);
		}
		if (st == CU_OK)
			st = cu_ingest_file_commit(&o, &fi.mtime, &d, err);
		cu_ingest_file_abort(&o);
		if (st == CU_OK)
			st = cu_ingest_record(x->w, &s, &fi, &d, err);
	}
out:
	if (fd >= 0)
		close(fd);
	if (tee >= 0) {
		if (fsync(tee) != 0 && st == CU_OK)
			st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", b->work.data);
		close(tee);
	}
	cu_ingest_slot_release(&s);
	return st;
}

/* A read-only, immutable SQLite URI for path: all of it or an error (a cut
 * URI would open another file, or this one writable). */
static enum cu_status uri_escape(const char *path, struct cu_buf *out, struct cu_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	struct cu_text t;

	cu_text_init(&t, out);
	cu_text_puts(&t, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		unsigned char ch = *p;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '/' || ch == '-' || ch == '_' || ch == '.' ||
		    ch == '~')
			cu_text_putc(&t, (char)ch);
		else
			cu_text_printf(&t, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	cu_text_puts(&t, "?mode=ro&immutable=1");
	return cu_text_finish(&t, err);
}

static bool is_file_id(const char *s)
{
	if (s == NULL || strlen(s) != 40)
		return false;
	for (int i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static json_t *mb_meta(const char *file_id, const char *domain, const char *rel, int64_t flags,
		       const struct cu_ios_mbfile *m, bool have_mb)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "file_id", json_string(file_id));
	json_object_set_new(
	    o, "domain", cu_utf8_valid(domain, strlen(domain)) ? json_string(domain) : json_null());
	json_object_set_new(o, "relative_path",
			    cu_utf8_valid(rel, strlen(rel)) ? json_string(rel) : json_null());
	json_object_set_new(o, "flags", json_integer(flags));
	if (!have_mb)
		return o;
	if (m->protection >= 0)
		json_object_set_new(o, "protection_class", json_integer(m->protection));
	if (m->have_size)
		json_object_set_new(o, "size", json_integer((json_int_t)m->size));
	if (m->mtime != INT64_MIN)
		json_object_set_new(o, "last_modified", json_integer(m->mtime));
	if (m->birth != INT64_MIN)
		json_object_set_new(o, "birth", json_integer(m->birth));
	if (m->ctime != INT64_MIN)
		json_object_set_new(o, "last_status_change", json_integer(m->ctime));
	if (m->mode >= 0)
		json_object_set_new(o, "mode", json_integer(m->mode));
	if (m->uid >= 0)
		json_object_set_new(o, "uid", json_integer(m->uid));
	if (m->gid >= 0)
		json_object_set_new(o, "gid", json_integer(m->gid));
	if (m->have_inode)
		json_object_set_new(o, "inode", json_integer((json_int_t)m->inode));
	if (m->enc_key_len > 0)
		json_object_set_new(o, "encrypted", json_true());
	return o;
}

static enum cu_status one_row(struct ios *b, sqlite3_stmt *q, struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	const char *fid = (const char *)sqlite3_column_text(q, 0);
	const char *domain = (const char *)sqlite3_column_text(q, 1);
	const char *rel = (const char *)sqlite3_column_text(q, 2);
	int64_t flags = sqlite3_column_int64(q, 3);
	const void *blob = sqlite3_column_blob(q, 4);
	size_t bloblen = (size_t)sqlite3_column_bytes(q, 4);
	struct cu_ios_mbfile m;
	struct cu_error e;
	struct cu_buf dev = CU_BUF_INIT, origin = CU_BUF_INIT;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	enum cu_status st = CU_OK;
	bool have_mb = false, copy;
	json_t *meta = NULL;
	int dfd = -1, fd = -1;
	char sub[3];

	memset(&m, 0, sizeof(m));
	b->listed++;
	if (domain == NULL)
		domain = "";
	if (rel == NULL)
		rel = "";
	if (!is_file_id(fid)) {
		cu_ingest_warn(x->w, true,
			       "Manifest.db row with fileID '%.60s' (%s/%s): not a SHA-1 "
			       "hex name, not imported",
			       fid ? fid : "(null)", domain, rel);
		goto out;
	}
	{
		struct cu_ingest_pathmap_val none;
		memset(&none, 0, sizeof(none));
		if ((st = cu_ingest_pathmap_put(&b->ids, fid, &none, err)) != CU_OK)
			goto out;
	}
	if (flags == 2)
		goto out; /* directory: nothing to copy */
	if (blob != NULL && bloblen > 0) {
		if (cu_ios_mbfile_parse(blob, bloblen, &m, &e) == CU_OK)
			have_mb = true;
		else
			cu_ingest_warn(x->w, false, "Manifest.db %s (%s/%s): %s", fid, domain, rel,
				       e.msg);
	}
	if ((st = cu_buf_printf(&dev, err, "%s/%s", domain, rel)) != CU_OK ||
	    (st = cu_buf_printf(&origin, err, "%.2s/%s", fid, fid)) != CU_OK)
		goto out;
	meta = mb_meta(fid, domain, rel, flags, &m, have_mb);
	fill_fi(&fi, dev.data, dev.len, origin.data, NULL);
	fi.meta = meta;
	if (have_mb && m.mtime != INT64_MIN) {
		fi.have_mtime = true;
		fi.mtime.tv_sec = (time_t)m.mtime;
	}
	if (have_mb && m.mode >= 0)
		fi.mode = m.mode & 07777;
	if (flags == 4 || (have_mb && (m.mode & 0170000) == 0120000)) {
		fi.type = "symlink";
		fi.link_target = m.target ? m.target : "";
		if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &s, &e) != CU_OK) {
			cu_ingest_warn(x->w, true, "'%s' not recorded: %s", dev.data, e.msg);
			goto out;
		}
		if (!s.done)
			st = cu_ingest_record(x->w, &s, &fi, NULL, err);
		goto out;
	}
	memcpy(sub, fid, 2);
	sub[2] = '\0';
	{
		int flags_dir = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		dfd = openat(b->rootfd, sub, flags_dir);
	}
	fd = dfd >= 0 ? cu_import_open_source(dfd, fid) : -1;
	struct stat sb;
	bool moved = false;
	if (fd < 0 && errno == ENOENT && x->spooled != NULL) {
		/* Resume of an acquisition: moved out of the spool already (an
		 * encrypted one may still lack its decrypted copy)? */
		moved =
		    cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &s, &e) == CU_OK && s.done;
		if (moved && !b->encrypted)
			goto out;
		errno = ENOENT;
	}
	if (!moved && (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		b->missing++;
		cu_ingest_warn(x->w, true,
			       "'%s' is listed in Manifest.db but %s in the backup (%s)", dev.data,
			       fd < 0 && errno == ENOENT ? "missing" : "unreadable", origin.data);
		cu_ingest_skip(x->w, dev.data, "listed in Manifest.db, missing from the backup");
		goto out;
	}
	if (b->encrypted) {
		unsigned char key[32];
		uint32_t cls = 0;
		if (!have_mb || m.enc_key_len == 0 ||
		    cu_ios_unwrap_file_key(&b->kb, m.enc_key, m.enc_key_len, &cls, key, &e) !=
			CU_OK) {
			cu_ingest_warn(x->w, true,
				       "'%s': no usable file key (%s): stored encrypted "
				       "only, not decrypted",
				       dev.data,
				       have_mb && m.enc_key_len ? e.msg : "none in MBFile");
			if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &s, &e) != CU_OK) {
				cu_ingest_warn(x->w, true, "'%s' not imported: %s", dev.data,
					       e.msg);
				goto out;
			}
			if (!s.done)
				st = cu_ingest_copy_fd(x->w, fd, origin.data, &s, &fi, err);
			goto out;
		}
		st = store_encrypted(b, fd, origin.data, dev.data, dev.len, &fi, key, cls,
				     have_mb && m.have_size ? (int64_t)m.size : -1, -1, err);
		OPENSSL_cleanse(key, sizeof(key));
		goto out;
	}
	if ((st = cu_import_slot_plan_file(x, "", dev.data, dev.data, dev.len, (uint64_t)sb.st_size,
					   &s, &copy, err)) != CU_OK ||
	    !copy)
		goto out;
	{
		struct cu_ingest_spooled sp;
		if (spooled(b, origin.data, &sp))
			st = cu_ingest_adopt(x->w, &s, &sp, &fi, err);
		else
			st = cu_ingest_copy_fd(x->w, fd, origin.data, &s, &fi, err);
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	json_decref(meta);
	cu_ios_mbfile_release(&m);
	cu_buf_release(&dev);
	cu_buf_release(&origin);
	cu_ingest_slot_release(&s);
	return st;
}

static enum cu_status walk_manifest(struct ios *b, struct cu_error *err)
{
	struct cu_buf uri = CU_BUF_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	enum cu_status st = CU_OK;
	int rc;

	if ((st = uri_escape(b->work.data, &uri, err)) != CU_OK)
		goto out;
	if (sqlite3_open_v2(uri.data, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
	    SQLITE_OK) {
		st = cu_error_set(err, CU_E_FORMAT, "cannot open Manifest.db of '%s': %s", b->root,
				  db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT fileID, domain, relativePath, flags, file FROM Files "
			       "ORDER BY fileID",
			       -1, &q, NULL) != SQLITE_OK) {
		st = cu_error_set(err, b->encrypted ? CU_E_KEY : CU_E_FORMAT,
				  "Manifest.db of '%s' has no readable Files table: %s%s", b->root,
				  sqlite3_errmsg(db),
				  b->encrypted ? " (was it decrypted with the right key?)" : "");
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((st = one_row(b, q, err)) != CU_OK)
			goto out;
	}
	if (rc != SQLITE_DONE)
		cu_ingest_warn(b->x->w, true, "Manifest.db of '%s' is damaged after %llu rows: %s",
			       b->root, (unsigned long long)b->listed, sqlite3_errmsg(db));
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
	cu_buf_release(&uri);
	return st;
}

/* One file the backup holds that Manifest.db does not name: kept as
 * evidence under _backup/unlisted/ (nothing in a seized image is dropped
 * silently; an unlisted file may be a leftover or a planted one). */
static enum cu_status store_unlisted(struct ios *b, int dfd, const char *sub, const char *name,
				     struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	struct cu_buf dev = CU_BUF_INIT, origin = CU_BUF_INIT;
	struct cu_error e;
	struct stat sb;
	enum cu_status st = CU_OK;
	int fd = -1;
	char target[CU_PATH_MAX];

	if ((st = cu_buf_printf(&origin, err, "%s%s%s", sub ? sub : "", sub ? "/" : "", name)) !=
		CU_OK ||
	    (st = cu_buf_printf(&dev, err, "_backup/unlisted/%s", origin.data)) != CU_OK)
		goto out;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		goto out;
	b->unlisted++;
	cu_ingest_warn(x->w, false,
		       "'%s' is in the backup but not listed in Manifest.db: kept as '%s'",
		       origin.data, dev.data);
	fill_fi(&fi, dev.data, dev.len, origin.data, &sb);
	if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &s, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "unlisted '%s' not stored: %s", origin.data, e.msg);
		goto out;
	}
	if (s.done)
		goto out;
	if (S_ISLNK(sb.st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fi.type = "symlink";
		fi.link_target = target;
		st = cu_ingest_record(x->w, &s, &fi, NULL, err);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		cu_ingest_skip(x->w, origin.data, "not a regular file in the backup directory");
		goto out;
	}
	fd = cu_import_open_source(dfd, name);
	if (fd < 0) {
		cu_ingest_warn(x->w, true, "cannot open unlisted '%s': %s", origin.data,
			       strerror(errno));
		goto out;
	}
	struct cu_ingest_spooled sp;
	if (spooled(b, origin.data, &sp))
		st = cu_ingest_adopt(x->w, &s, &sp, &fi, err);
	else
		st = cu_ingest_copy_fd(x->w, fd, origin.data, &s, &fi, err);
out:
	if (fd >= 0)
		close(fd);
	cu_buf_release(&dev);
	cu_buf_release(&origin);
	cu_ingest_slot_release(&s);
	return st;
}

static bool is_hex2(const char *n)
{
	return strlen(n) == 2 && ((n[0] >= '0' && n[0] <= '9') || (n[0] >= 'a' && n[0] <= 'f')) &&
	       ((n[1] >= '0' && n[1] <= '9') || (n[1] >= 'a' && n[1] <= 'f'));
}

static enum cu_status list_sorted(int dfd, char ***names, size_t *n, struct cu_error *err)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **v = NULL;
	size_t k = 0, cap = 0;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return cu_error_errno(err, CU_E_IO, errno, "cannot list the backup directory");
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nv = cu_reallocarray(v, nc, sizeof(*v));
			if (nv == NULL)
				goto nomem;
			v = nv;
			cap = nc;
		}
		if ((v[k] = cu_strdup(de->d_name)) == NULL)
			goto nomem;
		k++;
	}
	closedir(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), str_cmp);
	*names = v;
	*n = k;
	return CU_OK;
nomem:
	closedir(d);
	cu_strv_free(v, k);
	return cu_error_set(err, CU_E_NOMEM, "out of memory listing the backup");
}

/* Files present in the backup directory that Manifest.db does not name. */
static enum cu_status scan_unlisted(struct ios *b, struct cu_error *err)
{
	static const char *const known[] = {"Info.plist", "Manifest.plist", "Status.plist",
					    "Manifest.db"};
	char **top = NULL, **sub = NULL;
	size_t ntop = 0, nsub = 0;
	enum cu_status st;

	if ((st = list_sorted(b->rootfd, &top, &ntop, err)) != CU_OK)
		return st;
	for (size_t i = 0; i < ntop && st == CU_OK; i++) {
		bool is_known = false;
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			is_known |= strcmp(top[i], known[k]) == 0;
		if (is_known)
			continue;
		struct stat sb;
		if (is_hex2(top[i]) && fstatat(b->rootfd, top[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			int dfd = openat(b->rootfd, top[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dfd < 0)
				continue;
			if ((st = list_sorted(dfd, &sub, &nsub, err)) == CU_OK) {
				for (size_t j = 0; j < nsub && st == CU_OK; j++)
					if (cu_ingest_pathmap_get(&b->ids, sub[j]) == NULL)
						st = store_unlisted(b, dfd, top[i], sub[j], err);
				cu_strv_free(sub, nsub);
			}
			close(dfd);
			continue;
		}
		if (fstatat(b->rootfd, top[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			cu_ingest_warn(b->x->w, false,
				       "unexpected directory '%s' in the backup: not imported",
				       top[i]);
			cu_ingest_skip(b->x->w, top[i], "unexpected directory in the backup root");
			continue;
		}
		st = store_unlisted(b, b->rootfd, NULL, top[i], err);
	}
	cu_strv_free(top, ntop);
	return st;
}

static enum cu_status plist_data(plist_t d, const char *key, struct cu_buf *out,
				 struct cu_error *err)
{
	plist_t n = plist_dict_get_item(d, key);
	char *p = NULL;
	uint64_t len = 0;
	enum cu_status st;
	cu_buf_reset(out);
	if (n == NULL || plist_get_node_type(n) != PLIST_DATA)
		return CU_OK;
	plist_get_data_val(n, &p, &len);
	st = cu_buf_append(out, p ? p : "", (size_t)len, err);
	free(p);
	return st;
}

/* The key: from --derived-key-file, or the password (slow PBKDF2). */
static enum cu_status unlock(struct ios *b, struct cu_error *err)
{
	struct cu_format_run *x = b->x;
	struct cu_buf pw = CU_BUF_INIT, kf = CU_BUF_INIT;
	unsigned char key[32];
	enum cu_status st;
	bool from_file = false;

	(void)cu_secret_lock(key, sizeof(key));
	if (x->derived_key_file != NULL) {
		if ((st = cu_secret_buf_reserve(&kf, 64, err)) != CU_OK ||
		    (st = cu_file_read_all(x->derived_key_file, 64, &kf, err)) != CU_OK)
			goto out;
		if (kf.len != 32) {
			st = cu_error_set(err, CU_E_KEY,
					  "derived key file '%s' must hold exactly 32 bytes",
					  x->derived_key_file);
			goto out;
		}
		memcpy(key, kf.data, 32);
		from_file = true;
	} else {
		if ((st = x->password(x, &pw, err)) != CU_OK)
			goto out;
		cu_info("import: deriving the backup key (%u + %u PBKDF2 rounds; this takes a "
			"while)",
			b->kb.dpic, b->kb.iter);
		if ((st = cu_ios_keybag_derive(&b->kb, pw.data, pw.len, key, err)) != CU_OK)
			goto out;
	}
	if ((st = cu_ios_keybag_unlock(&b->kb, key, err)) != CU_OK) {
		cu_error_prefix(err, "encrypted iOS backup '%s'%s", b->root,
				from_file ? " (with the derived key file)" : "");
		goto out;
	}
	if (x->save_derived_key_file != NULL && !from_file) {
		int fd = open(x->save_derived_key_file,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'",
					    x->save_derived_key_file);
			goto out;
		}
		st = cu_write_all(fd, key, 32, x->save_derived_key_file, err);
		if (st == CU_OK && fsync(fd) != 0)
			st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'",
					    x->save_derived_key_file);
		close(fd);
		if (st != CU_OK)
			goto out;
		cu_info("import: derived key saved to '%s' (mode 0600); keep it as safe as the "
			"password",
			x->save_derived_key_file);
	}
out:
	cu_secret_wipe(key, sizeof(key));
	cu_import_buf_wipe(&pw);
	cu_import_buf_wipe(&kf);
	return st;
}

enum cu_status cu_format_ios_backup(struct cu_format_run *x, const struct cu_format_source *src,
				    struct cu_error *err)
{
	struct ios b;
	struct cu_buf root = CU_BUF_INIT, info = CU_BUF_INIT, man = CU_BUF_INIT,
		      stat_b = CU_BUF_INIT;
	struct cu_buf bag = CU_BUF_INIT, mkey = CU_BUF_INIT;
	struct stat info_sb, man_sb, stat_sb;
	plist_t pinfo = NULL, pman = NULL, pstatus = NULL, lockdown = NULL;
	enum cu_status st;
	struct cu_error e;
	int count = 0;
	bool have_info = false, have_status = false;

	memset(&b, 0, sizeof(b));
	cu_buf_init(&b.work, CU_PATH_MAX);
	b.x = x;
	b.rootfd = -1;
	x->os = "iOS";
	x->derive_method = "ios-backup-aes256-cbc";
	if ((st = cu_import_ios_find_root(src->path, &root, &count, err)) != CU_OK)
		goto out;
	if (count == 0) {
		st =
		    cu_error_set(err, CU_E_FORMAT,
				 "'%s' is not an iOS backup: no Manifest.db and Manifest.plist in "
				 "it or one level down (iOS 9 and older backups are not supported)",
				 src->name);
		goto out;
	}
	b.root = root.data;
	if ((b.rootfd = open(b.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", b.root);
		goto out;
	}
	if (!has_file_at(b.rootfd, "Manifest.db") && !has_file_at(b.rootfd, "Manifest.mbdb")) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "'%s' is an iOS backup (it has %s%s%s) but Manifest.db missing: "
				  "without it no file can be given its device path; copy the "
				  "backup again from its source, or import it with --format dir "
				  "to keep its raw files",
				  b.root, has_file_at(b.rootfd, "Info.plist") ? "Info.plist " : "",
				  has_file_at(b.rootfd, "Manifest.plist") ? "Manifest.plist " : "",
				  has_file_at(b.rootfd, "Status.plist") ? "Status.plist" : "");
		goto out;
	}
	if (!has_file_at(b.rootfd, "Manifest.db")) {
		st = cu_error_set(err, CU_E_UNSUPPORTED,
				  "'%s' is an iOS 9 or older backup (Manifest.mbdb), which is not "
				  "supported: import it with --format dir to keep its raw files",
				  b.root);
		goto out;
	}
	/* Everything small first, into memory (each read once), so a wrong
	 * password stops us before anything is written. */
	if ((st = cu_import_read_small(b.rootfd, "Manifest.plist", "Manifest.plist",
				       CU_IMPORT_META_MAX, &man, &man_sb, err)) != CU_OK)
		goto out;
	if ((pman = plist_parse(&man)) == NULL) {
		st = cu_error_set(err, CU_E_FORMAT, "'%s/Manifest.plist' is not a readable plist",
				  b.root);
		goto out;
	}
	have_info = cu_import_read_small(b.rootfd, "Info.plist", "Info.plist", CU_IMPORT_META_MAX,
					 &info, &info_sb, &e) == CU_OK;
	pinfo = have_info ? plist_parse(&info) : NULL;
	have_status = cu_import_read_small(b.rootfd, "Status.plist", "Status.plist",
					   CU_IMPORT_META_MAX, &stat_b, &stat_sb, &e) == CU_OK;
	pstatus = have_status ? plist_parse(&stat_b) : NULL;
	if (plist_get_node_type(pman) != PLIST_DICT)
		cu_ingest_warn(x->w, false,
			       "Manifest.plist: the top level is %s, not a dictionary: no fact "
			       "in it is used",
			       plist_type_name(plist_get_node_type(pman)));
	(void)check_plist_types(x, pman, "Manifest.plist", manifest_keys);
	lockdown = plist_dict_get_item(pman, "Lockdown");
	if (lockdown != NULL && plist_get_node_type(lockdown) != PLIST_DICT)
		lockdown = NULL;
	(void)check_plist_types(x, lockdown, "Manifest.plist Lockdown", lockdown_keys);
	(void)check_plist_types(x, pinfo, "Info.plist", info_keys);
	(void)check_plist_types(x, pstatus, "Status.plist", status_keys);
	item_facts(x, pinfo, lockdown);

	plist_t enc = plist_dict_get_item(pman, "IsEncrypted");
	if (enc != NULL && plist_get_node_type(enc) == PLIST_BOOLEAN) {
		uint8_t v = 0;
		plist_get_bool_val(enc, &v);
		b.encrypted = v != 0;
	}
	if (b.encrypted) {
		/* The keybag will hold the unwrapped class keys. */
		(void)cu_secret_lock(&b.kb, sizeof(b.kb));
		if ((st = plist_data(pman, "BackupKeyBag", &bag, err)) != CU_OK ||
		    (st = plist_data(pman, "ManifestKey", &mkey, err)) != CU_OK)
			goto out;
		if ((st = cu_ios_keybag_parse((const unsigned char *)bag.data, bag.len, &b.kb,
					      err)) != CU_OK) {
			cu_error_prefix(err, "BackupKeyBag of '%s'", b.root);
			goto out;
		}
		if ((st = unlock(&b, err)) != CU_OK)
			goto out;
		if ((b.cctx = EVP_CIPHER_CTX_new()) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
	}
	json_t *serial = json_object_get(json_object_get(x->item_facts, "identifiers"), "serial");
	json_t *udid = json_object_get(json_object_get(x->item_facts, "identifiers"), "udid");
	const char *suggest =
	    json_string_value(serial) ? json_string_value(serial) : json_string_value(udid);
	if ((st = x->begin_item(x, suggest, err)) != CU_OK)
		goto out;
	json_object_set_new(x->details, "backup_root", json_string(b.root));
	json_object_set_new(x->details, "encrypted", json_boolean(b.encrypted));
	if (b.encrypted)
		json_object_set_new(x->details, "keybag",
				    json_pack("{s:i, s:i, s:i}", "type", (int)b.kb.type, "iter",
					      (int)b.kb.iter, "dpic", (int)b.kb.dpic));
	json_t *ver = pstr(pman, "Version");
	json_object_set_new(x->details, "manifest_version", ver ? ver : json_null());
	json_t *snap = pstr(pstatus, "SnapshotState");
	json_object_set_new(x->details, "snapshot_state", snap ? snap : json_null());
	if (have_status && snap != NULL && strcmp(json_string_value(snap), "finished") != 0)
		cu_ingest_warn(x->w, false,
			       "Status.plist says the backup snapshot is '%s', not "
			       "'finished': the backup may be incomplete",
			       json_string_value(snap));

	if (have_info && (st = store_meta(&b, "Info.plist", &info, &info_sb, err)) != CU_OK)
		goto out;
	if (!have_info)
		cu_ingest_warn(x->w, false, "'%s' has no readable Info.plist", b.root);
	if ((st = store_meta(&b, "Manifest.plist", &man, &man_sb, err)) != CU_OK)
		goto out;
	if (have_status && (st = store_meta(&b, "Status.plist", &stat_b, &stat_sb, err)) != CU_OK)
		goto out;
	cu_import_progress_tree(x, b.root);
	if ((st = store_manifest_db(&b, &mkey, err)) != CU_OK)
		goto out;
	if ((st = walk_manifest(&b, err)) == CU_OK)
		st = scan_unlisted(&b, err);
	json_object_set_new(x->details, "files_listed", json_integer((json_int_t)b.listed));
	json_object_set_new(x->details, "files_missing", json_integer((json_int_t)b.missing));
	json_object_set_new(x->details, "files_unlisted", json_integer((json_int_t)b.unlisted));
out:
	if (b.work.data != NULL && b.work.len > 0)
		unlink(b.work.data); /* the staged copy is scratch */
	if (b.rootfd >= 0)
		close(b.rootfd);
	EVP_CIPHER_CTX_free(b.cctx);
	cu_secret_wipe(&b.kb, sizeof(b.kb));
	if (pinfo)
		plist_free(pinfo);
	if (pman)
		plist_free(pman);
	if (pstatus)
		plist_free(pstatus);
	cu_buf_release(&root);
	cu_buf_release(&info);
	cu_buf_release(&man);
	cu_buf_release(&stat_b);
	cu_import_buf_wipe(&bag);
	cu_import_buf_wipe(&mkey);
	cu_buf_release(&b.work);
	cu_ingest_pathmap_release(&b.ids);
	return st;
}
