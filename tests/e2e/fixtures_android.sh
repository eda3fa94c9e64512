#!/bin/sh
# The sample Android tar, checked with independent tools: GNU tar, gzip,
# sqlite3, Debian's sqlcipher (WeChat EnMicroMsg.db), Java's own
# ObjectInputStream (CompatibleInfo.cfg), python3 hashlib.
. "$SRCDIR/tests/harness/tap.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_setup fixtures_android
tap_plan 38
run "sample images build" fixtures_samples || bail "sample images did not build"
A=$S/android.tar
WX=data/data/com.tencent.mm/MicroMsg/cc509bd1d73e37d487fc13c432a812e9/EnMicroMsg.db

run "tar tvf lists the Android tar" tar tvf "$A"
list=$(tar tf "$A")
for m in data/data/com.android.providers.telephony/databases/mmssms.db \
	data/data/com.android.providers.contacts/databases/contacts2.db \
	data/data/com.android.providers.contacts/databases/calllog.db \
	data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml \
	data/data/com.tencent.mm/shared_prefs/auth_info_key_prefs.xml \
	data/data/com.tencent.mm/MicroMsg/CompatibleInfo.cfg "$WX" \
	data/data/com.whatsapp/databases/msgstore.db data/data/com.whatsapp/databases/wa.db \
	data/data/com.tencent.mobileqq/databases/2750123456.db data/data/com.tencent.mobileqq/files/kc \
	data/data/org.telegram.messenger/files/cache4.db \
	data/data/com.eg.android.AlipayGphone/databases/messagebox.db \
	sdcard/DCIM/Camera/IMG_20240317_190455.jpg system/build.prop; do
	printf '%s\n' "$list" | grep -qxF "$m"; ok $? "tar has $m"
done
missing=$(python3 -c '
import json, sys
img = [i for i in json.load(open(sys.argv[1], encoding="utf-8"))["images"] if i["image"] == "android.tar"][0]
have = set(open(sys.argv[2], encoding="utf-8").read().split("\n"))
for p in [a["device_path"] for a in img["artifacts"]] + img["media"]:
    if p.lstrip("/") not in have:
        print(p)
' "$SRCDIR/fixtures/expected/images.json" /dev/stdin <<EOF2
$list
EOF2
)
is "$missing" "" "every device path in fixtures/expected/images.json is in the tar"
is "$(printf '%s\n' "$list" | LC_ALL=C sort -c 2>&1 && echo sorted)" sorted "members are sorted"
is "$(TZ=UTC tar tvf "$A" | awk '{print $4, $5}' | grep -v '^2024-03-2[45] ' | wc -l)" 0 "fixed member times"
run "gzip copy is valid" gzip -t "$S/android.tar.gz"
is "$(gzip -dc "$S/android.tar.gz" | sha256sum | cut -d' ' -f1)" "$(sha256sum <"$A" | cut -d' ' -f1)" \
	"android.tar.gz decompresses to android.tar"

mkdir -p "$T/x" && tar xf "$A" -C "$T/x" || ok 1 "extract"
like "$(cat "$T/x/system/build.prop")" 'ro\.product\.model=Redmi Note 12' "build.prop names the model"
uin=$(sed -n 's/.*name="default_uin" value="\([0-9-]*\)".*/\1/p' "$T/x/data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml")
is "$uin" 987654321 "WeChat uin from system_config_prefs.xml"
is "$(printf 'mm%s' "$uin" | md5sum | cut -c1-32)" cc509bd1d73e37d487fc13c432a812e9 "userdir = md5(mm+uin)"

# CompatibleInfo.cfg: let Java itself deserialize the HashMap (key 258 = IMEI).
if command -v java >/dev/null 2>&1; then
	cat >"$T/ReadCfg.java" <<'JAVA'
import java.io.*;
import java.util.*;
public class ReadCfg {
	public static void main(String[] a) throws Exception {
		try (ObjectInputStream in = new ObjectInputStream(new FileInputStream(a[0]))) {
			Map<?, ?> m = (Map<?, ?>) in.readObject();
			System.out.println(m.getClass().getName() + " " + m.size() + " " + m.get(Integer.valueOf(258)));
		}
	}
}
JAVA
	imei_line=$(java "$T/ReadCfg.java" "$T/x/data/data/com.tencent.mm/MicroMsg/CompatibleInfo.cfg" 2>&1)
	is "$imei_line" "java.util.HashMap 2 352099001761481" "Java ObjectInputStream reads CompatibleInfo.cfg (258 = IMEI)"
else
	skip "java not installed: CompatibleInfo.cfg not deserialized independently"
fi
imei=352099001761481
key=$(printf '%s%s' "$imei" "$uin" | md5sum | cut -c1-7)
is "$key" af6bd2e "WeChat key = md5(IMEI+uin)[:7]"

db=$T/x/$WX
if [ ! -s "$db" ] || sqlite3 "$db" 'SELECT count(*) FROM message' >/dev/null 2>&1; then st=1; else st=0; fi
ok $st "plain sqlite3 cannot read EnMicroMsg.db"
if command -v sqlcipher >/dev/null 2>&1; then
	if sqlcipher --version | grep -q 'SQLCipher [45]'; then
		pragmas="PRAGMA key='$key'; PRAGMA cipher_compatibility=1;"
		bad="PRAGMA key='0000000'; PRAGMA cipher_compatibility=1;"
	else
		pragmas="PRAGMA key='$key'; PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;"
		bad="PRAGMA key='0000000'; PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;"
	fi
	got=$(printf '%s\n' "$pragmas" "SELECT count(*) FROM message;" "PRAGMA integrity_check;" \
		"SELECT value FROM userinfo WHERE id=2;" | sqlcipher "$db" 2>&1 | tr '\n' ' ')
	is "$got" "27 ok wxid_owner_aj " "sqlcipher opens EnMicroMsg.db with the derived key"
	got=$(printf '%s\n' "$bad" "SELECT count(*) FROM message;" | sqlcipher "$db" 2>&1)
	like "$got" 'not a database|encrypted' "sqlcipher refuses a wrong key"
else
	skip "sqlcipher not installed"
	skip "sqlcipher not installed"
fi
is "$(head -c 16 "$db" | od -An -tx1 | tr -d ' \n')" "$(python3 -c 'import hashlib;print(hashlib.sha256(b"custos-fixture:wechat-android-EnMicroMsg:salt:0").hexdigest()[:32])')" \
	"EnMicroMsg.db salt is the fixed, documented one"

for pair in com.android.providers.telephony/databases/mmssms.db:sms:7 \
	com.android.providers.contacts/databases/contacts2.db:raw_contacts:5 \
	com.android.providers.contacts/databases/calllog.db:calls:5 \
	com.whatsapp/databases/msgstore.db:message:7 \
	org.telegram.messenger/files/cache4.db:messages_v2:5 \
	com.eg.android.AlipayGphone/databases/messagebox.db:service_message:3; do
	f=${pair%%:*}; rest=${pair#*:}; tbl=${rest%%:*}; n=${rest#*:}
	is "$(sqlite3 "$T/x/data/data/$f" "PRAGMA integrity_check; SELECT count(*) FROM $tbl" | tr '\n' ' ')" "ok $n " \
		"sqlite3: $(basename "$f") $tbl has $n rows"
done
is "$(cat "$T/x/data/data/com.tencent.mobileqq/files/kc")" "$imei" "QQ XOR key file"
tap_done
