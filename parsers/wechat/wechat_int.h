/*
 * wechat_int.h - private to parsers/wechat/: the message classification
 * and payment extraction shared by the Android and iOS WeChat parsers
 * (both store the same payloads and type codes, APPS.md 1.5 and 2.2).
 */
#ifndef CUSTOS_WECHAT_INT_H
#define CUSTOS_WECHAT_INT_H

#include "parsers/parsers.h"
#include "parsers/payments/wcpay.h"
#include "parsers/wechat/keys.h"
#include "parsers/wechat/protobuf.h"
#include "parsers/wechat/sqlcipher1.h"

#define WX_APP         "wechat"
#define WX_PAY_APP     "wechat-pay"
#define WX_PAY_ACCOUNT "gh_3dfda90e39d6" /* 微信支付 official account (APPS.md 8.1) */

struct wx;

/* Display name of a username (contact remark, else nickname), malloc'ed
 * or NULL. */
typedef char *(*wx_display_fn)(struct wx *w, const char *username);

/* One parse of one WeChat database. */
struct wx {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	sqlite3 *db;
	const char *table; /* message table of the rows being emitted */
	char *own_wxid, *own_name;
	wx_display_fn display;
	/* msgSvrIds named by revoke notices (sorted) */
	int64_t *recalled;
	size_t nrecalled;
	/* (svrid) -> type, content, is_send of the message a revoke names;
	 * may be NULL */
	sqlite3_stmt *q_orig;
	/* text of a recalled message from an app-specific store (iOS
	 * RevokeMsgTable), malloc'ed or NULL; may be NULL */
	char *(*revoked_text)(struct wx *w, int64_t svrid);
	/* (svrid, sendid) -> receiveAmount; may be NULL */
	sqlite3_stmt *q_lucky;
	/* last conversation looked up */
	char *conv_talker;
	int64_t conv_id;
	uint64_t xml_errors;
};

/* One message row as the platform parser read it. */
struct wx_row {
	int64_t rowid;
	int64_t svrid; /* CU_UNKNOWN if none */
	int64_t type;
	const char *type_text; /* the type column as found when not an integer */
	bool is_send;
	int64_t time_ms; /* CU_UNKNOWN if none */
	const char *talker;
	const char *content; /* may be NULL */
	size_t content_len;
	const char *attachment; /* computed by the platform parser, may be NULL */
	/* the row's provenance as the spec loop gives it (a recovered record's
	 * page/offset/kind); NULL: a live row of w->table */
	const struct cu_prov *prov;
};

void wx_release(struct wx *w);
/* Records the msgSvrIds named by the revoke notices of one message table
 * (SQL selecting the 10002 contents). */
enum cu_status wx_collect_recalls(struct wx *w, const char *sql,
				  struct cu_error *err) CU_WARN_UNUSED;
/* Conversation id for a talker (creates the conversation row). */
enum cu_status wx_conversation(struct wx *w, const char *talker, int64_t *id,
			       struct cu_error *err) CU_WARN_UNUSED;
/* Classifies one row and writes the message (and payment) rows. */
enum cu_status wx_emit(struct wx *w, const struct wx_row *r, struct cu_error *err) CU_WARN_UNUSED;

extern const struct cu_parser cu_parser_wechat_android;
extern const struct cu_parser cu_parser_wechat_ios;
bool wx_is_group(const char *username);
/* An fnmatch(3) pattern matching exactly prefix[0..n) + suffix (suffix may
 * hold wildcards). */
enum cu_status wx_exact_pattern(const char *prefix, size_t n, const char *suffix,
				struct cu_buf *out, struct cu_error *err) CU_WARN_UNUSED;
/* md5 hex of a string (for media paths and iOS table names). */
void wx_md5_hex(const char *s, size_t n, char out[33]);

#endif
