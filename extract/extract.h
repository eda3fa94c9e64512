/*
 * extract.h - acquisition and import: everything that brings a phone's
 * data into a case directory (evidence/, inventory/, custody entries).
 * Device acquisition (iOS via libimobiledevice, Android via ADB) and image
 * import write exactly the same layout and inventory (core.h: case layout).
 */
#ifndef CUSTOS_EXTRACT_H
#define CUSTOS_EXTRACT_H

#include "core/core.h"

enum cu_import_format {
	CU_IMPORT_AUTO = 0,
	CU_IMPORT_IOS_BACKUP,
	CU_IMPORT_ANDROID_TAR,
	CU_IMPORT_ANDROID_ZIP,
	CU_IMPORT_ANDROID_DIR,
	CU_IMPORT_ANDROID_AB,
	CU_IMPORT_DIR,
};

struct cu_import_opts {
	enum cu_import_format format;
	/*
	 * The item id. NULL: the manifest's only seizure item (seizure.items[]);
	 * with several listed, CU_E_USAGE naming them; with none listed, the
	 * phone's serial (or UDID) or ITEMn.
	 */
	const char *item;
	/* An item not in the seizure list: allowed only with new_item and a
	 * reason (recorded in the IMPORT entry and the manifest). */
	bool new_item;
	/* The same image (same SHA-256, or the same directory) imported
	 * before into this case: allowed only with again and a reason. */
	bool again;
	const char *reason;        /* for new_item and again; borrowed */
	const char *password;      /* backup password (never logged), or NULL */
	const char *password_file; /* alternatively */
	bool resume;
	unsigned hash_algs; /* CU_HASH_DEFAULT [| CU_HASH_SM3]; 0 = default */
	/*
	 * Asked for the password only when the image turns out to be
	 * encrypted (after password/password_file). Fills out (the import
	 * wipes it); CU_E_KEY when none can be had. May be NULL.
	 */
	enum cu_status (*password_cb)(void *ctx, struct cu_buf *out, struct cu_error *err);
	void *password_ctx;
	/* iOS: a 32-byte key derived earlier (skips the ~10M-round PBKDF2),
	 * and where to save the derived key (mode 0600) when the examiner asks. */
	const char *derived_key_file;
	const char *save_derived_key_file;
	/* Android dumps: where the image's root was mounted on the phone
	 * ("/data" for a /data partition dump); NULL = "/" (or guessed for a
	 * directory holding data/, user_de/ and app/). */
	const char *mount_point;
	/* Archives (tar, zip, .ab): the bytes written from one archive may
	 * reach this many times the archive's size (--max-expansion N);
	 * 0 = CU_IMPORT_MAX_EXPANSION_DEFAULT, which never stops below
	 * 64 MiB. Recorded in the IMPORT entry. */
	uint64_t max_expansion;
};
#define CU_IMPORT_MAX_EXPANSION_DEFAULT 100

struct cu_import_stats {
	uint64_t files, bytes, warnings, skipped, derived;
	uint64_t failures, rechecked;
	uint64_t mismatches; /* MISMATCH entries: typed facts the device contradicts */
	char item[128];      /* the item id used */
};

/* CU_E_NOTFOUND "no items imported yet: run custos import" unless some
 * item of the case has an inventory with at least one line (parse, report
 * and seal call it first). */
enum cu_status cu_import_require_evidence(struct cu_case *c, struct cu_error *err) CU_WARN_UNUSED;

/* Parses a --format name; false if unknown. */
bool cu_import_format_parse(const char *name, enum cu_import_format *out);
const char *cu_import_format_name(enum cu_import_format f);

/* Imports PATH into the case. CU_E_PARTIAL when some members failed (each
 * recorded); CU_E_KEY for a wrong or missing password (message names the
 * backup). */
enum cu_status cu_import_run(struct cu_case *c, const char *path, const struct cu_import_opts *opts,
			     struct cu_import_stats *stats, struct cu_error *err) CU_WARN_UNUSED;

/* True for ids usable as one path component: [A-Za-z0-9._-], 1..64, no
 * leading dot (an item id the seizure list does not give). */
bool cu_import_item_id_safe(const char *id);

/*
 * Typed vs read (import.c, also used by acquisition): compares what the
 * seizure record typed for item (seizure.items[]) with what the device
 * said (the top-level items[] entry). Every differing field becomes an
 * element of the read item's "mismatches" and a warning ("<who>: item
 * ..."); where_fallback names where the read facts came from when the item
 * has no "facts_source". The manifest is saved by the caller.
 */
enum cu_status cu_import_check_facts(struct cu_case *c, const char *item, const char *who,
				     const char *where_fallback,
				     struct cu_error *err) CU_WARN_UNUSED;
/* One MISMATCH custody entry (subject given) per element of the read
 * item's "mismatches"; *count is incremented for each. */
enum cu_status cu_import_record_mismatches(struct cu_case *c, const char *item, const char *subject,
					   uint64_t *count, struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Android acquisition over ADB (extract/android/acquire.c)            */
/* ------------------------------------------------------------------ */
/*
 * `custos acquire --device SERIAL | --adb-connect HOST:PORT`: connects
 * through custos's own ADB stack (extract/android/adb.h), records the
 * device clock against the workstation's (start and end), the device
 * facts (getprop in full, IMEI/ICCID/number through iphonesubinfo where
 * the OS allows, battery, airplane mode, lock, accounts, users and work
 * profiles, app clones) into the manifest's items[] (compared with the
 * seizure record: MISMATCH entries), the installed packages, the content
 * providers (SMS, MMS, call log, contacts) as raw `content query` files,
 * and all of /sdcard over sync, every byte through the evidence writer.
 * Every command sent is a COMMAND custody entry with the SHA-256 of its
 * raw output; nothing is written to the phone. With root (su works) the
 * private data of the chat and payment apps (a DEVICE_CHANGE entry
 * first); with adb_backup an `adb backup` .ab imported as by import.
 * Resumable: a run cut by a cable pull or a kill is finished by
 * resume = true (files already listed are re-checked, not fetched again;
 * a partial file is never recorded).
 */
struct cu_acquire_opts {
	const char *serial;   /* USB serial (--device), or NULL */
	const char *hostport; /* TCP HOST:PORT (--adb-connect), or NULL */
	const char *item;     /* as cu_import_opts.item */
	bool new_item;
	const char *reason;
	bool resume;
	bool root;          /* --root: /data/data of the chat/payment apps via su */
	bool adb_backup;    /* --adb-backup: backup: service, .ab imported */
	bool no_media;      /* --no-sdcard: skip shared storage */
	const char *sdcard; /* shared storage root on the phone; NULL = "/sdcard" */
	unsigned hash_algs;
	/* the ADB connection (cu_adb_opts): NULL/0 = defaults */
	const char *key_path;
	unsigned auth_wait_ms, io_timeout_ms;
	/* iOS (serial = the UDID): --media (AFC), the backup password to
	 * decode an encrypted backup, the opt-in temporary password set
	 * before the backup (DEVICE_CHANGE) and its removal afterwards. */
	bool media;
	const char *backup_password_file;
	const char *set_backup_password_file;
	bool remove_backup_password;
};

struct cu_acquire_stats {
	uint64_t files, bytes, commands, warnings, failures, mismatches, rechecked, skipped;
	int64_t clock_offset_ms; /* device - workstation at the start; INT64_MIN unknown */
	char item[128];
	char serial[128];
};

/*
 * The item a device acquisition goes into (extract/acquire_item.c), by the
 * rules import uses: --item (listed, or unlisted with --new-item --reason),
 * on resume the item of the device's unfinished acquisition, the seizure
 * list's only item, else the first usable of ids[] (the device's serial,
 * its UDID), else ITEMn. An item holding evidence is refused unless resume.
 */
struct cu_acquire_choice {
	const char *what;        /* "phone", "iPhone": for messages */
	const char *device;      /* its serial or UDID: for messages */
	const char *ids[2];      /* item ids to try when the list names none */
	json_t *unfinished;      /* the device's unfinished acquisition, or NULL */
	const char *resume_hint; /* the command that finishes it */
	char item[128];          /* out: the item */
	bool new_item;           /* out: an exhibit the seizure list does not name */
	json_t *acq;             /* out: on resume, the acquisition being finished */
};
enum cu_status cu_acquire_choose_item(struct cu_case *c, const struct cu_acquire_opts *o,
				      bool resume, struct cu_acquire_choice *ch,
				      struct cu_error *err) CU_WARN_UNUSED;

/* CU_E_DEVICE (exit 4) with advice when the phone cannot be reached or
 * authorized, or when the connection drops (the case stays resumable);
 * CU_E_PARTIAL when some parts failed (each recorded). */
enum cu_status cu_acquire_android_run(struct cu_case *c, const struct cu_acquire_opts *o,
				      struct cu_acquire_stats *stats,
				      struct cu_error *err) CU_WARN_UNUSED;

/* iOS acquisition over usbmuxd/lockdownd/mobilebackup2
 * (extract/ios/acquire.c, docs/custody.md "iOS acquisition"). Exit codes
 * as Android; CU_E_PARTIAL also when an encrypted backup was kept whole
 * without its password. resumable: the case holds an unfinished iOS
 * acquisition of udid (resume needs no phone for a kept encrypted
 * backup). */
enum cu_status cu_acquire_ios_run(struct cu_case *c, const struct cu_acquire_opts *o,
				  struct cu_acquire_stats *stats,
				  struct cu_error *err) CU_WARN_UNUSED;
bool cu_acquire_ios_resumable(struct cu_case *c, const char *udid);

/* ------------------------------------------------------------------ */
/* The evidence writer (extract/ingest.c)                              */
/* ------------------------------------------------------------------ */
/*
 * Everything that puts files into a case goes through one writer: image
 * import, parse's derived files and device acquisition. A writer is opened
 * for a case and a source kind, given its item, then for each file: plan a
 * slot for the device path (CASE/evidence/<item>/<escaped path>, or
 * derived/), stream the bytes through the case's hash policy (SHA-256 + MD5
 * [+ SM3]) into the slot, commit (0444, mtime) or abort (the partial file is
 * removed), and record the inventory line. Lines are group-committed: the
 * files of a batch are made durable with one syncfs() before their lines go
 * to inventory/<item>.jsonl, so a line never names data that is not on disk.
 * On resume the item's inventory is the map of files already done: their
 * slots come back done after re-hashing the evidence copy, and a partial
 * file left by the interrupted run is removed. Closing waits for the last
 * batch and appends the custody entry (IMPORT, DERIVE, ACQUIRE).
 *
 * A stream received from a device fits the same calls: plan the slot when
 * the file's header arrives, cu_ingest_file_write() each chunk, commit at
 * its end or abort when the transfer breaks.
 *
 * Not thread-safe: one writer per thread of work. Strings passed in are
 * borrowed for the call unless stated otherwise.
 */
enum cu_ingest_source {
	CU_INGEST_IMPORT = 0,
	CU_INGEST_ACQUIRE,
	CU_INGEST_DERIVE,
};

struct cu_ingest; /* opaque */

/* Counts kept by a writer (this run). */
struct cu_ingest_stats {
	uint64_t files, bytes;           /* evidence files recorded */
	uint64_t derived, derived_bytes; /* derived files recorded */
	uint64_t warnings, failures;     /* failures: data missing or incomplete */
	uint64_t skipped;                /* data not stored, with the reason */
	uint64_t rechecked;              /* resume: evidence copies re-hashed */
	uint64_t partials_removed;       /* resume: partial files removed */
	uint64_t recorded;               /* inventory lines queued this run */
};

/*
 * The hash policy of a case: SHA-256 + MD5 always, plus requested, plus SM3
 * when the manifest says "settings": {"hash": "sm3"} (or an array holding
 * "sm3", any case), or when item is given and its inventory already carries
 * SM3 (an import with --hash sm3: files derived from it then get SM3 too).
 */
unsigned cu_ingest_hash_policy(struct cu_case *c, const char *item, unsigned requested);

/* Opens a writer. algs is the hash policy (cu_ingest_hash_policy()).
 * resume: cu_ingest_set_item() loads the item's inventory as the map of
 * files already done. The case stays the caller's. */
enum cu_status cu_ingest_open(struct cu_case *c, enum cu_ingest_source source, unsigned algs,
			      bool resume, struct cu_ingest **out,
			      struct cu_error *err) CU_WARN_UNUSED;
/* Stops the committer and frees the writer (queued lines not yet flushed
 * are dropped: call cu_ingest_close() or cu_ingest_flush() first). NULL ok. */
void cu_ingest_free(struct cu_ingest *w);

/* Sets the item (import and acquisition: a safe id, see
 * cu_import_item_id_safe()), creates evidence/<item>/ (not for derive)
 * and, on resume, loads the item's inventory. Once. */
enum cu_status cu_ingest_set_item(struct cu_ingest *w, const char *item,
				  struct cu_error *err) CU_WARN_UNUSED;
const char *cu_ingest_item(const struct cu_ingest *w); /* NULL before set_item */
unsigned cu_ingest_algs(const struct cu_ingest *w);
/* Files listed in the inventory when resuming began. */
size_t cu_ingest_resume_count(const struct cu_ingest *w);
const struct cu_ingest_stats *cu_ingest_stats(const struct cu_ingest *w);
/* Bytes copied by cu_ingest_copy_fd() go to this bar (borrowed, may be NULL). */
/* The source cannot repeat a name (a directory walk): the writer then keeps
 * no memory per file for duplicate names (a phone has millions). Not for
 * archives, whose hard links and repeated names need that memory. */
void cu_ingest_unique_names(struct cu_ingest *w, bool on);
void cu_ingest_set_progress(struct cu_ingest *w, struct cu_progress *p);

/* Records a warning: logged ("<source>: msg"), counted, listed up to
 * CU_INGEST_WARN_LIST_MAX. failure: the file's data is missing or incomplete. */
void cu_ingest_warn(struct cu_ingest *w, bool failure, const char *fmt, ...) CU_PRINTF(3, 4);
/* Records data not stored and why (manifest acquisitions[].not_acquired). */
void cu_ingest_skip(struct cu_ingest *w, const char *what, const char *why);
/* The listed warnings / skips as JSON array elements, "," separated ("" if
 * none). Borrowed until the next warning or skip. */
const char *cu_ingest_warnings_json(const struct cu_ingest *w);
const char *cu_ingest_skipped_json(const struct cu_ingest *w);
#define CU_INGEST_WARN_LIST_MAX 200

/* The output slot of one file. */
struct cu_ingest_slot {
	struct cu_buf rel; /* CASE-relative evidence (or derived) path */
	struct cu_buf abs; /* absolute path */
	bool done;         /* resume: already in the inventory and re-checked */
	bool done_bad;     /* resume: re-check found a mismatch */
};
#define CU_INGEST_SLOT_INIT                                                                        \
	{                                                                                          \
		CU_BUF_INIT, CU_BUF_INIT, false, false                                             \
	}
void cu_ingest_slot_release(struct cu_ingest_slot *s);

/*
 * Chooses where device_path (n bytes) goes: evidence/<item>/<escaped path>
 * (derived/ when derived). A name already used by this writer gets "~dupN"
 * (tar and zip may hold one name twice: all copies are kept). On resume, a
 * path already in the inventory is re-checked by hashing the evidence copy
 * and comes back with done = true; a partial file left on disk by the
 * interrupted run is removed. CU_E_PATH for unsafe names, CU_E_EXISTS when
 * the file exists and this is no resume.
 */
enum cu_status cu_ingest_slot_plan(struct cu_ingest *w, const char *device_path, size_t n,
				   bool derived, struct cu_ingest_slot *s,
				   struct cu_error *err) CU_WARN_UNUSED;
/* The same for a case-relative path the caller built (derived files named
 * by their parser): no ~dupN renaming, a name used twice is CU_E_EXISTS. */
enum cu_status cu_ingest_slot_plan_path(struct cu_ingest *w, const char *rel,
					struct cu_ingest_slot *s,
					struct cu_error *err) CU_WARN_UNUSED;

/* A file being written: every byte goes to the hasher and the file. */
struct cu_ingest_file {
	int fd;
	int tee_fd;      /* optional second plain copy (staging), -1 if none */
	int hasher;      /* which of the writer's hashers */
	const char *abs; /* borrowed from the slot */
	const char *rel; /* borrowed from the slot */
	uint64_t n;
	uint64_t limit; /* 0 = none */
	struct cu_ingest *w;
	unsigned char head[16]; /* the first bytes written, for the inventory */
	size_t head_n;
};
#define CU_INGEST_FILE_INIT                                                                        \
	{                                                                                          \
		-1, -1, -1, NULL, NULL, 0, 0, NULL, {0}, 0                                         \
	}
/* Creates the slot's file (O_EXCL). At most two files of one writer are
 * open at a time (an evidence copy and the file derived from it in the same
 * pass). CU_E_PATH when this file system cannot hold the name. */
enum cu_status cu_ingest_file_open(struct cu_ingest *w, struct cu_ingest_slot *s,
				   struct cu_ingest_file *f, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_ingest_file_write(struct cu_ingest_file *f, const void *p, size_t n,
				    struct cu_error *err) CU_WARN_UNUSED;
/* Mode 0444, mtime (NULL: leave), close; fills the digests. Durability
 * comes with the group commit. On failure the file is aborted. */
enum cu_status cu_ingest_file_commit(struct cu_ingest_file *f, const struct timespec *mtime,
				     struct cu_digests *d, struct cu_error *err) CU_WARN_UNUSED;
/* Closes and removes a file that will not be recorded. */
void cu_ingest_file_abort(struct cu_ingest_file *f);

/* What the inventory line says about one file. */
struct cu_ingest_fileinfo {
	const char *device_path;
	size_t device_path_len;
	const char *type; /* "file" or "symlink" */
	bool derived;
	const char *origin;
	const char *link_target;
	bool have_mtime;
	struct timespec mtime;
	int64_t mode;         /* -1 unknown */
	json_t *meta;         /* borrowed, may be NULL */
	json_t *derived_from; /* borrowed array, may be NULL */
	const char *derivation;
};

/*
 * A device may send a file before its evidence name is known (an iOS backup
 * names files by fileID; Manifest.db, which maps them to domain paths,
 * comes last) and may move files afterwards. Such a file is received into
 * a spool slot, CASE/work/<rel>, with the usual cu_ingest_file_open /
 * _write / _commit (hashed as it streams, the digests and first bytes kept
 * by the caller), and later given its evidence slot by
 * cu_ingest_adopt() with those digests: the bytes are read once. A spool
 * file is not recorded until adopted. CU_E_EXISTS when rel exists.
 */
enum cu_status cu_ingest_spool_plan(struct cu_ingest *w, const char *rel, struct cu_ingest_slot *s,
				    struct cu_error *err) CU_WARN_UNUSED;
/* What the caller kept of one spooled file. */
struct cu_ingest_spooled {
	const char *abs;        /* the spooled file (absolute) */
	struct cu_digests d;    /* from its cu_ingest_file_commit() */
	unsigned char head[16]; /* its first bytes (cu_ingest_file.head) */
	size_t head_n;
};
/* Gives a spooled file its evidence slot s (a hard link within the case:
 * the spool stays whole until the caller removes it), mode 0444, fi's
 * mtime, and records it with the spooled digests. Nothing when the slot is
 * done (resume). */
enum cu_status cu_ingest_adopt(struct cu_ingest *w, struct cu_ingest_slot *s,
			       const struct cu_ingest_spooled *sp,
			       const struct cu_ingest_fileinfo *fi,
			       struct cu_error *err) CU_WARN_UNUSED;

/* Queues the inventory line (group commit), updates the counts and the map
 * of used paths. d may be NULL for symlinks. */
enum cu_status cu_ingest_record(struct cu_ingest *w, const struct cu_ingest_slot *s,
				const struct cu_ingest_fileinfo *fi, const struct cu_digests *d,
				struct cu_error *err) CU_WARN_UNUSED;
/*
 * Copies an open regular file fd (read once, sequentially) into the slot,
 * hashing as it goes, and records it. Read errors and short files become
 * recorded failures (the partial copy is kept, meta.truncated = true). A
 * name the file system cannot hold is warned about and skipped. what names
 * the source in messages.
 */
enum cu_status cu_ingest_copy_fd(struct cu_ingest *w, int fd, const char *what,
				 struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				 struct cu_error *err) CU_WARN_UNUSED;
/*
 * The same for a directory walk (cu_ingest_unique_names on): fd is the
 * writer's from here on (closed by it, also on failure), and the copy may
 * run on one of the writer's copier threads (CUSTOS_IMPORT_COPIERS, 2;
 * 0 copies inline) while the caller goes on to the next file. The
 * inventory, warnings and skips come out in the order of the calls, as
 * with cu_ingest_copy_fd(); anything that records (cu_ingest_record, _warn,
 * _skip, _flush, _file_open) first lists every file handed over. A
 * copier's failure is returned by a later call (this one, _drain, _flush,
 * _record); files handed over after the failing one are removed unlisted.
 * fi's strings are copied; fi->meta, derived_from and link_target must be
 * NULL for the copy to leave this thread.
 */
enum cu_status cu_ingest_copy_fd_async(struct cu_ingest *w, int fd, const char *what,
				       struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				       struct cu_error *err) CU_WARN_UNUSED;
/* Lists every file handed to the copiers (waiting for them); returns a
 * copier's failure not reported yet. */
enum cu_status cu_ingest_drain(struct cu_ingest *w, struct cu_error *err) CU_WARN_UNUSED;
/* Lists the files the copiers have finished, oldest first, without
 * waiting; returns a failure not reported yet. */
enum cu_status cu_ingest_drain_ready(struct cu_ingest *w, struct cu_error *err) CU_WARN_UNUSED;
/* Writes bytes already in memory and records them; d (may be NULL) gets
 * the digests. */
enum cu_status cu_ingest_store_mem(struct cu_ingest *w, const void *p, size_t n,
				   struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				   struct cu_digests *d, struct cu_error *err) CU_WARN_UNUSED;
/* Free space check before writing want more bytes (a reserve is kept so
 * the case can still be completed). CU_E_LIMIT when short. */
enum cu_status cu_ingest_check_space(struct cu_ingest *w, uint64_t want,
				     struct cu_error *err) CU_WARN_UNUSED;
/* Hands the queued lines to the committer thread; with wait, returns once
 * everything queued is durable and listed. */
enum cu_status cu_ingest_flush(struct cu_ingest *w, bool wait, struct cu_error *err) CU_WARN_UNUSED;

/* The item's inventory as the custody entry and the manifest cite it. */
struct cu_ingest_summary {
	char inventory[CU_PATH_MAX]; /* "inventory/<item>.jsonl" */
	char inventory_sha256[65];   /* of the file as it is now ("" hashed if absent) */
	char content_root[65];       /* cu_merkle_content_root over every file row */
	size_t content_files;        /* rows in that tree */
	size_t evidence_files;       /* file rows of kind evidence */
	size_t derived_files;        /* file rows of kind derived */
};
/* Flushes (waiting) and summarizes the item's inventory. */
enum cu_status cu_ingest_summarize(struct cu_ingest *w, struct cu_ingest_summary *out,
				   struct cu_error *err) CU_WARN_UNUSED;
/*
 * Ends the writer's work: flushes everything queued (waiting), stops the
 * committer and, when entry is not NULL, appends the custody entry (entry
 * type, subject and details JSON) by the case's default actor. The writer
 * must still be freed.
 */
enum cu_status cu_ingest_close(struct cu_ingest *w, const char *entry, const char *subject,
			       const char *details, struct cu_error *err) CU_WARN_UNUSED;

/* The libraries extract/ios/ (libimobiledevice, libplist, libusbmuxd) and
 * extract/android/ (libusb) wrap, for --version and tool.libraries (struct
 * cu_library in core.h). */
size_t cu_extract_ios_libraries(struct cu_library *out, size_t max);
size_t cu_extract_android_libraries(struct cu_library *out, size_t max);

#endif
