/*
 * banksms.h - money amounts and Chinese bank notification SMS (banksms.c);
 * internal to parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_BANKSMS_H
#define CUSTOS_PARSERS_BANKSMS_H

#include "parsers/parsers.h"

/*
 * Money: parses a decimal amount at s[0..n) - "2,309.95", "128.00", "100",
 * ".5" is refused - with integer arithmetic only: digits with optional
 * thousands commas in groups of three, then optionally '.' and 1-2 digits.
 * Writes minor units (fen) and the bytes used; false when no amount
 * starts at s or it overflows.
 */
bool cu_money_parse_minor(const char *s, size_t n, int64_t *minor, size_t *used);

/*
 * Chinese bank notification SMS (APPS.md 8.3). Templates vary by bank and
 * year, so this is a keyword + pattern extractor, not a per-bank table.
 * A message counts as a bank SMS when the sender is a 955xx short code or
 * the body carries a 【...银行...】 / [...银行] / 【...农信...】 style tag, and
 * a direction keyword and an amount are found.
 */
struct cu_banksms {
	char bank[96];          /* tag text ("工商银行") or short code, "" unknown */
	char card_tail[8];      /* "0579", "" unknown */
	const char *direction;  /* "incoming" | "outgoing" (static) */
	const char *kind;       /* "debit" | "credit" | "refund" (static) */
	char keyword[16];       /* the direction keyword matched ("代付") */
	int64_t amount_minor;   /* fen */
	int64_t balance_minor;  /* fen, CU_UNKNOWN */
	char counterparty[192]; /* "" unknown */
	int month, day, hour, minute, second; /* from the body, -1 when absent */
};
/* CU_OK and *out filled; CU_E_NOTFOUND when body is not a bank SMS (err set). */
enum cu_status cu_banksms_parse(const char *sender, const char *body, struct cu_banksms *out,
				struct cu_error *err) CU_WARN_UNUSED;
/* The transaction time: the body's month/day/time read as Beijing time
 * (UTC+8) in the year of sms_ms (the year before when that would be after
 * the SMS), else sms_ms. */
int64_t cu_banksms_time(const struct cu_banksms *b, int64_t sms_ms);
/* For SMS parsers: when (sender, body) is a bank SMS, sinks a bank-sms
 * payment linked to message_id with prov. Returns CU_OK either way. */
enum cu_status cu_banksms_sink(struct cu_parse_ctx *ctx, const char *sender, const char *body,
			       int64_t sms_ms, int64_t message_id, const struct cu_prov *prov,
			       struct cu_error *err) CU_WARN_UNUSED;

#endif
