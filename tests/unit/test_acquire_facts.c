/*
 * test_acquire_facts.c - the readers of the phone's command output used by
 * the Android acquisition (extract/android/acquire_int.h): getprop values
 * (one spanning lines), iphonesubinfo parcels (answered, refused, absent),
 * IMEI check digits, users / work profiles / app clones, accounts,
 * dumpsys integers, the device clock, shell quoting and package lines.
 */
#include "extract/android/acquire_int.h"
#include "tests/harness/tap.h"

#include <string.h>

struct acc {
	int n;
	char last[128];
};
static void acc_cb(void *ctx, const char *name, const char *type)
{
	struct acc *a = ctx;
	a->n++;
	snprintf(a->last, sizeof(a->last), "%s|%s", name, type);
}

#define S(x) x, strlen(x)

int main(void)
{
	struct cu_buf v = CU_BUF_INIT;
	struct cu_error err;
	int64_t i64 = 0;

	tap_plan(33);
	cu_error_clear(&err);

	const char *gp =
	    "[ro.build.version.release]: [13]\n[ro.product.model]: [Redmi Note 12]\n"
	    "[ro.multi]: [line one\nline two]\n[ro.empty]: []\n[ro.product.modelx]: [no]\n";
	tap_ok(cu_acq_getprop(S(gp), "ro.product.model", &v) &&
		   strcmp(v.data, "Redmi Note 12") == 0,
	       "getprop: a value");
	tap_ok(cu_acq_getprop(S(gp), "ro.multi", &v) && strcmp(v.data, "line one\nline two") == 0,
	       "getprop: a value over two lines");
	tap_ok(cu_acq_getprop(S(gp), "ro.empty", &v) && v.len == 0, "getprop: an empty value");
	tap_ok(!cu_acq_getprop(S(gp), "ro.product", &v), "getprop: a key prefix is not the key");

	/* IMEI 490154203237518 as the parcel dump prints it */
	const char *imei =
	    "Result: Parcel(\n"
	    "  0x00000000: 00000000 0000000f 00390034 00310030 '........4.9.0.1.'\n"
	    "  0x00000010: 00340035 00300032 00320033 00370033 '5.4.2.0.3.2.3.7.'\n"
	    "  0x00000020: 00310035 00000038                   '5.1.8...        ')\n";
	tap_is_int(cu_acq_parcel_string(S(imei), &v, &err), CU_OK, "parcel: an answer");
	tap_is_str(v.data, "490154203237518", "parcel: the UTF-16 string decoded");
	tap_ok(cu_acq_imei_valid(v.data), "and its Luhn digit checks");
	tap_ok(!cu_acq_imei_valid("490154203237519"), "a wrong check digit fails");
	tap_ok(!cu_acq_imei_valid("49015420323751"), "14 digits is no IMEI");
	const char *refused =
	    "Result: Parcel(\n"
	    "  0x00000000: ffffffff 00000008 00650052 00750071 '........R.e.q.u.'\n"
	    "  0x00000010: 00720069 00730065 '......i.r.e.s.')\n";
	tap_is_int(cu_acq_parcel_string(S(refused), &v, &err), CU_E_DEVICE,
		   "parcel: an exception is a refusal");
	tap_ok(strstr(err.msg, "refused") != NULL && strstr(err.msg, "Requires") != NULL,
	       "saying so, with the exception's message: %s", err.msg);
	const char *null_str = "Result: Parcel(00000000 ffffffff   '........')\n";
	tap_is_int(cu_acq_parcel_string(S(null_str), &v, &err), CU_OK, "parcel: a null string");
	tap_is_str(v.data, "", "reads as empty");
	tap_is_int(cu_acq_parcel_string(S("/system/bin/sh: service: not found\n"), &v, &err),
		   CU_E_FORMAT, "no parcel at all");
	const char *lying = "Result: Parcel(00000000 000000ff 00350033 '....')\n";
	tap_is_int(cu_acq_parcel_string(S(lying), &v, &err), CU_E_FORMAT,
		   "a length beyond the words is refused");

	struct cu_acq_user u[8];
	const char *users = "Users:\n\tUserInfo{0:机主:c13} running\n"
			    "\tUserInfo{10:Work profile:1030} running\n"
			    "\tUserInfo{999:XSpace:801010}\n\tgarbage{\n";
	size_t nu = cu_acq_users(S(users), u, 8);
	tap_is_int((int64_t)nu, 3, "three users");
	tap_ok(u[0].id == 0 && strcmp(u[0].name, "机主") == 0 && u[0].running, "the owner");
	tap_ok(u[1].id == 10 && (u[1].flags & CU_ACQ_USER_MANAGED_PROFILE), "a work profile");
	tap_ok(cu_acq_user_is_clone(&u[2]) && !u[2].running, "an app clone space (999)");
	tap_ok(!cu_acq_user_is_clone(&u[0]), "the owner is no clone");

	struct acc a = {0, ""};
	const char *acc = "Accounts: 2\n    Account {name=a@b.cn, type=com.google}\n"
			  "    Account {name=wxid, type=x}, type=com.tencent.mm.account}\n"
			  "  AccountHistory:\n    Account {name=old, type=gone}\n";
	cu_acq_accounts(S(acc), acc_cb, &a);
	tap_is_int(a.n, 2, "two accounts, not the history");
	tap_is_str(a.last, "wxid, type=x}|com.tencent.mm.account",
		   "a name holding ', type=' stays whole");

	const char *bat = "Current Battery Service state:\n  AC powered: false\n  level: 87\n"
			  "  status: 2\n";
	tap_ok(cu_acq_dumpsys_int(S(bat), "level", &i64) && i64 == 87, "battery level");
	tap_ok(!cu_acq_dumpsys_int(S(bat), "plugged", &i64), "an absent key");

	tap_ok(cu_acq_device_time(S("1700000000.123456789\n"), &i64) && i64 == 1700000000123,
	       "date +%%s.%%N");
	tap_ok(cu_acq_device_time(S("1700000000\n"), &i64) && i64 == 1700000000000, "date +%%s");
	tap_ok(!cu_acq_device_time(S("1700000000.N\n"), &i64), "no %%N support is refused");
	tap_ok(!cu_acq_device_time(S("Mon Dec  7\n"), &i64), "not a number");

	cu_buf_reset(&v);
	TAP_MUST(cu_acq_shell_quote(S("it's a\nname"), &v, &err));
	tap_is_str(v.data, "'it'\\''s a\nname'", "shell quoting");

	struct cu_acq_package p;
	const char *pl = "package:/data/app/~~x==/com.tencent.mm-1/base.apk=com.tencent.mm "
			 "versionCode:2360 uid:10234 installer=com.android.vending";
	tap_ok(cu_acq_package_line(S(pl), &p), "a package line");
	tap_is_str(p.name, "com.tencent.mm", "its name (the apk path holds '=')");
	tap_ok(p.version_code == 2360 && p.uid == 10234 &&
		   strcmp(p.installer, "com.android.vending") == 0,
	       "version, uid, installer");
	tap_ok(!cu_acq_package_line(S("Error: unknown option -U"), &p), "not a package line");

	cu_buf_release(&v);
	return tap_done();
}
