#!/bin/sh
# import_hostile.sh - hostile tar/zip images (fixtures/import/mk_hostile.py):
# '..' and absolute names, symlink and hard-link escapes, duplicates, case
# collisions, non-UTF-8 names, a declared-size bomb, a real decompression
# bomb and a truncated tar.gz. Nothing may appear outside the case, nothing
# may crash, messages are clear, and what came before the fault stays
# intact and listed.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_hostile
tap_plan 68

TAG=custos-hostile-$$
mkdir -p "$T/w/a/b/c/d/e"
must python3 "$SRCDIR/fixtures/import/mk_hostile.py" "$T/img" "$TAG"
E=$T/img/expected.json
exp() { python3 -c "import json,sys; print(json.load(open('$E'))['$1'])"; }
escaped() { # nothing named *TAG* anywhere outside the cases
	found=$(find "$T" /tmp -name "*$TAG*" ! -path "$T/w/*/case/*" 2>/dev/null | head -5)
	test -z "$found" || echo "# escaped: $found"
	test -z "$found"
}
import_in() { # import_in NAME IMAGE [env...]: case at $T/w/a/b/c/d/e/NAME/case
	C=$T/w/a/b/c/d/e/$1/case
	mkdir -p "$T/w/a/b/c/d/e/$1"
	mkcase "$C"
	img=$2
	shift 2
	env "$@" "$CUSTOS" --case "$C" import "$img" --item H >"$T/out" 2>"$T/err"
}
inv() { cat "$C/inventory/H.jsonl"; }

head -c 5000 /dev/urandom >"$T/junk.zip"
printf 'PK\003\004' | dd of="$T/junk.zip" conv=notrunc 2>/dev/null
# Deflate bomb: a zip (~256 KiB) whose one member inflates to 256 MiB of
# zeros, about 1030:1, so the ratio limit (1000:1) never fires. The bytes
# written from an archive are capped by its size times --max-expansion.
python3 - "$T/dbomb.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("data/first.txt", b"before the bomb\n")
    with z.open("data/zeros.bin", "w", force_zip64=True) as f:
        mib = bytes(1 << 20)
        for _ in range(256):
            f.write(mib)
PY
# A member 5,000 directories deep (10,000-byte name, pax header).
python3 - "$T/deep.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("data/ok.txt", b"ok\n"), ("data/" + "d/" * 5000 + "f.txt", b"deep\n")):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mtime = 1600000000
        t.addfile(ti, io.BytesIO(data))
PY
# adb backups cut short: uncompressed at a member boundary (the tar loses
# its last member and its end-of-archive blocks) and compressed by one byte (the zlib stream
# loses its checksum); libarchive takes either end of data for the end.
must python3 "$SRCDIR/fixtures/import/mk_ab.py" "$T/ab0.ab" "$T/ab0.exp" --version 5 --compressed 0
must python3 "$SRCDIR/fixtures/import/mk_ab.py" "$T/ab1.ab" "$T/ab1.exp" --version 5 --compressed 1
must python3 - "$T/ab0.ab" "$T/cut0.ab" <<'PY'
import io, sys, tarfile
b = open(sys.argv[1], "rb").read()
hdr = b.index(b"none\n") + 5  # version 5, not compressed, no encryption
last = tarfile.open(fileobj=io.BytesIO(b[hdr:])).getmembers()[-1]
open(sys.argv[2], "wb").write(b[: hdr + last.offset])  # cut just before the last member
PY
head -c $(($(wc -c <"$T/ab1.ab") - 1)) "$T/ab1.ab" >"$T/cut1.ab"
# iOS backups: one whose Manifest.db is gone, one whose Manifest.plist
# holds values of the wrong types.
must python3 "$SRCDIR/fixtures/import/mk_ios_backup.py" "$T/ios1"
must python3 "$SRCDIR/fixtures/import/mk_ios_backup.py" "$T/ios2"
nodb=$(dirname "$(find "$T/ios1" -name Manifest.db)")
rm -f "$nodb/Manifest.db"
mistyped=$(dirname "$(find "$T/ios2" -name Manifest.db)")
must python3 - "$mistyped/Manifest.plist" <<'PY'
import plistlib, sys
p = sys.argv[1]
m = plistlib.load(open(p, "rb"))
m["IsEncrypted"] = "no"
m["Version"] = 10
m["Lockdown"]["SerialNumber"] = 12345
plistlib.dump(m, open(p, "wb"), fmt=plistlib.FMT_BINARY)
PY
# zips whose central directory says more than libarchive passes on: a
# member name with a NUL byte (counted, not terminated, in a zip), and four
# central-directory entries sharing one local entry.
must python3 - "$T" <<'PY'
import io, struct, sys, zipfile
out = sys.argv[1]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("data/ok.txt", b"ok\n")
    z.writestr("data/nul_X_name.txt", b"after the nul\n")
    z.writestr("data/last.txt", b"last\n")
b = buf.getvalue().replace(b"data/nul_X_name.txt", b"data/nul_\0_name.txt")
open(out + "/nulname.zip", "wb").write(b)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
    z.writestr("data/first.txt", b"first\n")
    z.writestr("data/shared1.txt", b"shared data\n")
b = buf.getvalue()
eocd = b.rindex(b"PK\x05\x06")
n, cdsize, cdoff = struct.unpack("<HII", b[eocd + 10:eocd + 20])
cd, recs, p = b[cdoff:cdoff + cdsize], [], 0
while p < len(cd):
    nl, xl, cl = struct.unpack("<HHH", cd[p + 28:p + 34])
    recs.append(cd[p:p + 46 + nl + xl + cl])
    p += 46 + nl + xl + cl
recs = recs[:1] + [recs[1].replace(b"shared1", b"shared%d" % i) for i in range(1, 5)]
newcd = b"".join(recs)
tail = bytearray(b[eocd:])
struct.pack_into("<HHII", tail, 8, len(recs), len(recs), len(newcd), cdoff)
open(out + "/shared.zip", "wb").write(b[:cdoff] + newcd + bytes(tail))
PY
sleep 1
: >"$T/marker"
import_in tar "$T/img/hostile.tar"; st=$?
is "$st" "5" "hostile.tar: partial (exit 5), no crash"
escaped
ok $? "hostile.tar: nothing escaped the case"
like "$(cat "$T/err")" "'\.\./\.\./$TAG-dotdot.txt' refused.*sha256 [0-9a-f]{64}" "'..' member refused, with its hash"
like "$(cat "$T/err")" "hard link 'data/hardout' points to .*not followed" "hard link out refused"
inv | grep -q "\"sha256\":\"$(exp ok1)\""
ok $? "first good member intact"
inv | grep -q "\"sha256\":\"$(exp ok2)\""
ok $? "last good member intact (import went on)"
inv | grep '"device_path":"/sdcard/abs.txt"' | grep -q "$(exp abs)"
ok $? "absolute member stored relative to the image root"
inv | grep '"device_path":"/data/linkout"' | grep -q '"type":"symlink"'
ok $? "symlink pointing out recorded, not followed"
test ! -L "$C/evidence/H/data/linkout"
ok $? "no symlink created in the case"
inv | grep '"evidence_path":"evidence/H/data/dup.txt"' | grep -q "$(exp dup1)" &&
	inv | grep '"evidence_path":"evidence/H/data/dup.txt~dup1"' | grep -q "$(exp dup2)"
ok $? "duplicate names: both copies kept (~dup1)"
like "$(cat "$T/err")" "duplicate name '/data/dup.txt'" "duplicate reported"
inv | grep -q '"device_path":"/data/Case.txt"' && inv | grep -q '"device_path":"/data/case.txt"'
ok $? "case-colliding names both kept"
like "$(cat "$T/err")" "only in letter case" "case collision reported"
inv | grep '"evidence_path":"evidence/H/data/bad%FF%FEname.txt"' | grep -q "$(exp nonutf8)"
ok $? "non-UTF-8 name escaped reversibly"
inv | grep '"device_path":"/data/hardin"' | grep -q "\"sha256\":\"$(exp ok1)\""
ok $? "hard link to an earlier member honoured"
like "$(cat "$T/err")" "LLLL\.txt' not imported: .*(too long)" "over-long name refused for that member only"
like "$(cat "$T/err")" "ok1.txt/inside' not imported" "file-where-a-directory-would-be refused for that member only"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"failures":5'
ok $? "IMPORT entry counts the five refusals"

import_in zip "$T/img/hostile.zip"; st=$?
is "$st" "5" "hostile.zip: partial (exit 5)"
escaped
ok $? "hostile.zip: nothing escaped the case"
inv | grep -q "\"sha256\":\"$(exp zok)\"" && inv | grep -q "\"sha256\":\"$(exp zlast)\""
ok $? "zip good members intact"
inv | grep -q '"evidence_path":"evidence/H/data/zdup.txt~dup1"'
ok $? "zip duplicate kept"

import_in declared "$T/img/declared.tar"; st=$?
is "$st" "5" "declared-size bomb: partial (exit 5)"
like "$(cat "$T/err")" "huge.bin' declares 1099511627776 bytes" "declared size named"
inv | grep -q "\"sha256\":\"$(exp before)\""
ok $? "member before the bomb intact"

import_in bomb "$T/img/bomb.tar.gz" CUSTOS_IMPORT_MAX_RATIO=100; st=$?
is "$st" "5" "decompression bomb: stopped, partial (exit 5)"
like "$(cat "$T/err")" "decompression bomb" "bomb named"
inv | grep -q "\"sha256\":\"$(exp first)\""
ok $? "member before the bomb intact"
test ! -e "$C/evidence/H/data/zeros.bin"
ok $? "bomb output removed"
du_k=$(du -sk "$C" | cut -f1)
ok $([ "$du_k" -lt 20000 ] && echo 0 || echo 1) "case stays small after the bomb (${du_k} KiB)"

import_in trunc "$T/img/truncated.tar.gz"; st=$?
is "$st" "5" "truncated tar.gz: partial (exit 5)"
like "$(cat "$T/err")" "truncated" "truncation named"
inv | grep -q "\"sha256\":\"$(exp t1)\"" && inv | grep -q "\"sha256\":\"$(exp t2)\""
ok $? "members before the cut intact and listed"
inv | grep '"device_path":"/data/t3.bin"' | grep -q '"truncated":true'
ok $? "the cut member is marked truncated"

zsize=$(wc -c <"$T/dbomb.zip")
import_in dbomb "$T/dbomb.zip" && st=0 || st=$?
is "$st" "5" "deflate bomb, default limit: stopped, partial (exit 5)"
like "$(cat "$T/err")" "member 'data/zeros.bin' of '[^']*dbomb.zip': the output reached [0-9]+ bytes from a $zsize-byte archive, more than its expansion limit of 67108864 bytes.*--max-expansion" "deflate bomb: member, sizes and the option named"
test ! -e "$C/evidence/H/data/zeros.bin" && inv | grep -q '"device_path":"/data/first.txt"'
ok $? "deflate bomb: output removed, the member before it kept"
C0=$C
mkdir -p "$T/w/a/b/c/d/e/dbomb10"
C=$T/w/a/b/c/d/e/dbomb10/case
mkcase "$C"
"$CUSTOS" --case "$C" import "$T/dbomb.zip" --item H --max-expansion 10 >"$T/out" 2>"$T/err" && st=0 || st=$?
is "$st" "5" "deflate bomb, --max-expansion 10: stopped (exit 5)"
like "$(cat "$T/err")" "expansion limit of $((zsize * 10)) bytes \\(that many times its size, --max-expansion 10\\)" "explicit limit: ten times the archive's size"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"max_expansion":10,"max_expansion_given":true'
ok $? "IMPORT entry records --max-expansion 10"
du_k=$(du -sk "$C" | cut -f1)
ok $([ "$du_k" -lt 4000 ] && echo 0 || echo 1) "case stays small under a tight limit (${du_k} KiB)"
grep '"event":"IMPORT"' "$C0/custody/log.jsonl" | grep -q '"max_expansion":100,"max_expansion_given":false'
ok $? "IMPORT entry records the default limit"

# A warning naming a 10,000-byte member loses the middle of the name, not
# the reason at its end.
import_in deep "$T/deep.tar" && st=0 || st=$?
is "$st" "5" "5,000-deep member: refused, partial (exit 5)"
like "$(grep "member 'data/d/d" "$T/err")" "^custos: warning: import: member 'data/d/d/d.* … .*/d/d/f\.txt' not imported: path too long" "the warning keeps the start, the end of the name and the reason"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q "f.txt' not imported: path too long"
ok $? "the IMPORT entry's warning keeps the reason"

# Truncated adb backups are recorded failures that say so.
import_in cut0 "$T/cut0.ab" && st=0 || st=$?
is "$st" "5" "truncated .ab (tar end lost): partial (exit 5)"
like "$(cat "$T/err")" "cut0.ab' is truncated: its tar data ends after [0-9]+ bytes, without the end-of-archive blocks" "truncated .ab: the reason named"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"aborted":"[^"]*cut0.ab'"'"' is truncated'
ok $? "truncated .ab: the IMPORT entry records it"
import_in cut1 "$T/cut1.ab" && st=0 || st=$?
is "$st" "5" "compressed .ab missing its last byte: partial (exit 5)"
like "$(cat "$T/err")" "cut1.ab' is truncated: the compressed stream ends early" "compressed .ab: truncation named"
import_in ab0 "$T/ab0.ab" && st=0 || st=$?
is "$st" "0" "the whole .ab still imports cleanly (exit 0)"

# An iOS backup without Manifest.db is refused, not taken for a folder.
import_in nodb "$T/ios1" && st=0 || st=$?
is "$st" "3" "iOS backup without Manifest.db: refused (exit 3)"
like "$(cat "$T/err")" "is an iOS backup \\(it has Info.plist Manifest.plist Status.plist\\) but Manifest.db missing" "refusal says Manifest.db missing"
test ! -d "$C/evidence/H"
ok $? "nothing imported from it as a plain folder"

# Mistyped Manifest.plist values are warned about, key and types named.
import_in mistyped "$T/ios2" && st=0 || st=$?
is "$st" "0" "mistyped Manifest.plist: imported (exit 0)"
like "$(cat "$T/err")" "Manifest.plist: key 'IsEncrypted' is a string, not a boolean" "IsEncrypted: key and types named"
like "$(cat "$T/err")" "Manifest.plist: key 'Version' is an integer, not a string" "Version: key and types named"
like "$(cat "$T/err")" "Manifest.plist Lockdown: key 'SerialNumber' is an integer, not a string" "Lockdown SerialNumber: key and types named"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q "key 'IsEncrypted' is a string"
ok $? "the IMPORT entry lists the type warnings"

# A NUL in a zip member name: the name is kept whole, the NUL escaped.
import_in nulname "$T/nulname.zip" && st=0 || st=$?
is "$st" "0" "zip member name with a NUL: imported (exit 0)"
like "$(cat "$T/err")" "member 'data/nul_%00_name.txt' of '[^']*nulname.zip' has a NUL byte in its name" "the NUL named in a warning"
inv | grep '"device_path":"/data/nul_%00_name.txt"' | grep '"device_path_escaped":true' | grep -q "\"sha256\":\"$(printf 'after the nul\n' | sha256sum | cut -c1-64)\""
ok $? "stored under the whole name, NUL escaped reversibly, data intact"
test -f "$C/evidence/H/data/nul_%00_name.txt" && test ! -e "$C/evidence/H/data/nul_"
ok $? "no member stored under the name cut at the NUL"

# Four central-directory entries sharing one local entry: each name is
# imported or warned about.
import_in shared "$T/shared.zip" && st=0 || st=$?
is "$st" "5" "zip entries sharing one local entry: partial (exit 5)"
n=$(grep -c "member 'data/shared[234].txt' (central directory entry [345]) shares its local entry at offset [0-9]* with 'data/shared1.txt'" "$T/err")
is "$n" "3" "each of the three names not imported is warned about, with the one that was"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"what":"data/shared4.txt"'
ok $? "the IMPORT entry lists them as not imported"

# Garbage named like an archive (made before the marker).
import_in junk "$T/junk.zip"; st=$?
ok $([ "$st" -eq 3 ] || [ "$st" -eq 5 ] && echo 0 || echo 1) "random bytes as zip: input error, no crash (exit $st)"
new=$(find "$T" -newer "$T/marker" -type f ! -path "$T/w/*/case/*" ! -name out ! -name err ! -name 'last.*' | head -3)
is "$new" "" "no file written outside the case directories"
tap_done
