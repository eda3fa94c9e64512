#!/bin/sh
# import_archive.sh - tar, tar.gz and zip images made here with Debian's tar
# and zip: member digests against sha256sum/md5sum of the files packed, the
# image's own digest (same pass) against sha256sum, device paths, mtimes,
# symlinks, and the archive left untouched.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_archive
tap_plan 46

S=$T/src
mkdir -p "$S/data/data/com.eg.android.AlipayGphone/databases" "$S/sdcard/Download"
head -c 200000 /dev/urandom >"$S/data/data/com.eg.android.AlipayGphone/databases/alipayclient.db"
printf 'hello\n' >"$S/sdcard/Download/note.txt"
: >"$S/sdcard/empty"
ln -s /data/data/x "$S/sdcard/link"
touch -d '2020-01-02 03:04:06' "$S/sdcard/Download/note.txt"

check_members() { # check_members CASE ITEM LABEL
	inv=$1/inventory/$2.jsonl
	bad=0
	for f in data/data/com.eg.android.AlipayGphone/databases/alipayclient.db sdcard/Download/note.txt sdcard/empty; do
		sha=$(sha256sum "$S/$f" | cut -d' ' -f1)
		md5=$(md5sum "$S/$f" | cut -d' ' -f1)
		grep -F "\"device_path\":\"/$f\"" "$inv" | grep -F "\"sha256\":\"$sha\"" | grep -qF "\"md5\":\"$md5\"" ||
			{ bad=1; echo "# $3: digest mismatch for $f"; }
		cmp -s "$S/$f" "$1/evidence/$2/$f" || { bad=1; echo "# $3: copy differs: $f"; }
	done
	ok $bad "$3: member digests match sha256sum/md5sum, copies identical"
	is "$(grep -c '"type":"file"' "$inv")" "3" "$3: three files listed"
	grep -F '"device_path":"/sdcard/link"' "$inv" | grep -q '"type":"symlink".*"link_target":"/data/data/x"'
	ok $? "$3: symlink member recorded with its target"
	same "$(stat -c %Y "$1/evidence/$2/sdcard/Download/note.txt")" "$(stat -c %Y "$S/sdcard/Download/note.txt")" "$3: mtime kept"
}
source_digest_ok() { # CASE ARCHIVE LABEL
	sha=$(sha256sum "$2" | cut -d' ' -f1)
	md5=$(md5sum "$2" | cut -d' ' -f1)
	grep '"event":"IMPORT"' "$1/custody/log.jsonl" | grep -F "\"source_digests\":{\"size\":$(stat -c %s "$2"),\"sha256\":\"$sha\",\"md5\":\"$md5\"" >/dev/null
	ok $? "$3: the image's own digest (same pass) matches sha256sum/md5sum"
}

(cd "$S" && tar --format=gnu -cf "$T/dump.tar" data sdcard) || bail "could not build the archive"
(cd "$S" && tar -czf "$T/dump.tar.gz" ./data ./sdcard) || bail "could not build the archive"
(cd "$S" && zip -qry "$T/dump.zip" data sdcard) || bail "could not build the archive"
(cd "$S" && tar --format=posix -cf "$T/dump-pax.tar" data sdcard) || bail "could not build the archive"
before=$(sha256sum "$T"/dump*)

for a in dump.tar dump.tar.gz dump.zip dump-pax.tar; do
	C=$T/case-$a
	mkcase "$C"
	run "$a: import" "$CUSTOS" --case "$C" import "$T/$a" --item "A1"
	check_members "$C" A1 "$a"
	source_digest_ok "$C" "$T/$a" "$a"
done
grep -q '"format":"android-zip"' "$T/case-dump.zip/custody/log.jsonl"
ok $? "zip autodetected as android-zip"
grep -q '"format":"android-tar"' "$T/case-dump.tar.gz/custody/log.jsonl"
ok $? "tar.gz autodetected as android-tar"
is "$(sha256sum "$T"/dump*)" "$before" "archives unchanged"

# ZIP64: Debian zip streams stdin as a ZIP64 entry (version needed 4.5);
# python writes ZIP64 local headers on request.
head -c 70000 /dev/urandom >"$T/payload"
must zip -q "$T/z64.zip" - <"$T/payload"
unzip -Zv "$T/z64.zip" | grep -q 'minimum software version required to extract: *4.5'
ok $? "zip made a ZIP64 entry"
must python3 -c "
import zipfile, sys
with zipfile.ZipFile(sys.argv[1], 'a') as z:
    with z.open('data/forced64.bin', 'w', force_zip64=True) as f: f.write(open(sys.argv[2], 'rb').read())
" "$T/z64.zip" "$T/payload"
C=$T/case-z64
mkcase "$C"
run "ZIP64 archive: import" "$CUSTOS" --case "$C" import "$T/z64.zip" --item Z
want=$(sha256sum "$T/payload" | cut -d' ' -f1)
is "$(grep -c "\"sha256\":\"$want\"" "$C/inventory/Z.jsonl")" "2" "ZIP64 members (streamed and forced) have the right sha256"

# Same input, same output: with SOURCE_DATE_EPOCH the inventory and the
# IMPORT details are byte-identical across two cases.
for n in 1 2; do
	mkdir -p "$T/det$n"
	must env SOURCE_DATE_EPOCH=1700000000 "$CUSTOS" case init "$T/det$n/case" --case-id DET >/dev/null
	must env SOURCE_DATE_EPOCH=1700000000 "$CUSTOS" --case "$T/det$n/case" import "$T/dump.tar" --item D >/dev/null
done
cmp -s "$T/det1/case/inventory/D.jsonl" "$T/det2/case/inventory/D.jsonl"
ok $? "deterministic inventory"
is "$(grep '"event":"IMPORT"' "$T/det1/case/custody/log.jsonl" | sed 's/.*"details"://')" \
	"$(grep '"event":"IMPORT"' "$T/det2/case/custody/log.jsonl" | sed 's/.*"details"://')" "deterministic IMPORT details"

# A dump of the /data partition: --mount-point puts the members under /data.
mkdir -p "$T/part/data/com.tencent.mm/databases" "$T/part/user_de/0/com.x" "$T/part/app"
echo db >"$T/part/data/com.tencent.mm/databases/EnMicroMsg.db"
(cd "$T/part" && tar -cf "$T/part.tar" .) || bail "could not build the archive"
C=$T/case-part
mkcase "$C"
run "tar of /data with --mount-point /data" "$CUSTOS" --case "$C" import "$T/part.tar" --item P --mount-point /data/
grep -q '"device_path":"/data/data/com.tencent.mm/databases/EnMicroMsg.db"' "$C/inventory/P.jsonl"
ok $? "--mount-point prefixes the device paths"
run "directory of /data: mount point guessed" "$CUSTOS" --case "$C" import "$T/part" --item P2
grep -q '"device_path":"/data/data/com.tencent.mm/databases/EnMicroMsg.db"' "$C/inventory/P2.jsonl"
ok $? "data/ + user_de/ + app/ taken for the /data partition"
like "$(cat "$T/last.err")" "looks like the /data partition" "the guess is announced"
run "--mount-point / overrides the guess" "$CUSTOS" --case "$C" import "$T/part" --item P3 --mount-point / \
	--again --reason "same directory, other mount point"
grep -q '"device_path":"/data/com.tencent.mm/databases/EnMicroMsg.db"' "$C/inventory/P3.jsonl"
ok $? "root mount point keeps the paths as they are"
expect_exit 2 "relative --mount-point refused" "$CUSTOS" --case "$C" import "$T/part.tar" --item P4 --mount-point data
expect_exit 2 "'..' in --mount-point refused" "$CUSTOS" --case "$C" import "$T/part.tar" --item P4 --mount-point /data/../x

# SM3 on request.
C=$T/case-sm3
mkcase "$C"
run "import with --hash sm3" "$CUSTOS" --case "$C" import "$T/dump.tar" --item S1 --hash sm3
grep -F '"device_path":"/sdcard/Download/note.txt"' "$C/inventory/S1.jsonl" | grep -q '"sm3":"[0-9a-f]\{64\}"'
ok $? "SM3 recorded when asked"
if openssl dgst -sm3 </dev/null >/dev/null 2>&1; then
	want=$(openssl dgst -sm3 -r "$S/sdcard/Download/note.txt" | cut -d' ' -f1)
	grep -F '"device_path":"/sdcard/Download/note.txt"' "$C/inventory/S1.jsonl" | grep -qF "\"sm3\":\"$want\""
	ok $? "SM3 matches openssl dgst -sm3"
else
	skip "openssl without SM3"
fi
C=$T/case-sm3b
mkcase "$C"
must python3 -c "
import json, sys
m = json.load(open(sys.argv[1])); m['settings'] = {'hash': ['sm3']}
json.dump(m, open(sys.argv[1], 'w'), ensure_ascii=False, indent=2)
" "$C/manifest.json"
run "import into a case whose manifest asks for SM3" "$CUSTOS" --case "$C" import "$T/dump.tar" --item S2
grep -F '"device_path":"/sdcard/Download/note.txt"' "$C/inventory/S2.jsonl" | grep -q '"sm3":"[0-9a-f]\{64\}"'
ok $? "SM3 recorded when the case asks (settings.hash)"
tap_done
