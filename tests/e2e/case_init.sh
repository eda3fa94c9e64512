#!/bin/sh
# case_init.sh - `custos case init`: complete and partial seizure manifests,
# missing mandatory fields listed by name (warning, exit 0), invalid fields
# refused (exit 3) before anything is created, existing directories refused,
# ID numbers hashed, and byte-identical output under SOURCE_DATE_EPOCH.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup case_init
tap_plan 58
M="$SRCDIR/fixtures/manifest"
export SOURCE_DATE_EPOCH=1795000000

# --- complete sample ---------------------------------------------------
run "init with the complete sample" "$CUSTOS" case init "$T/c1" --case-id A4403052026110001 \
	--manifest "$M/sample-seizure.json" --examiner 王建国
is "$(cat "$T/last.err")" "" "no warning for a complete manifest"
for d in custody evidence derived inventory work report; do
	[ -d "$T/c1/$d" ]; ok $? "layout: $d/"
done
is "$(wc -l <"$T/c1/custody/log.jsonl" | tr -d ' ')" 1 "one custody entry"
like "$(cat "$T/c1/custody/log.jsonl")" '"event":"CASE_INIT","actor":\{"name":"王建国","id":"990101","role":"examiner"\},"subject":\{"case_id":"A4403052026110001"\}' \
	"CASE_INIT by the examiner with badge, subject case_id"
msha=$(sha256sum "$T/c1/manifest.json" | cut -d' ' -f1)
like "$(cat "$T/c1/custody/log.jsonl")" "\"manifest_sha256\":\"$msha\",\"clock\":\"fixed\"" \
	"CASE_INIT records the manifest's sha256 and the fixed clock"
python3 - "$T/c1/manifest.json" >"$T/py.out" 2>&1 <<'PY'
import json, sys, hashlib
m = json.load(open(sys.argv[1], encoding="utf-8"))
assert m["format"] == "custos-manifest" and m["format_version"] == 1
assert m["case"]["case_number"] == "A4403052026110001"
assert m["case"]["case_title"] == "贩卖毒品案"
t = m["tool"]
assert t["name"] == "custos" and len(t["sha256"]) == 64, t
assert t["libraries"]["openssl"] and t["libraries"]["sqlite"]
w = m["personnel"]["witnesses"][0]
assert "id_number" not in w
assert w["id_sha256"] == hashlib.sha256(b"990101199003071234").hexdigest()
assert m["personnel"]["examiners"] == [{"name": "王建国", "role": "examiner"}]
assert m["seizure"]["location"]["lat"] == 22.5431
assert m["seizure"]["items"][0]["isolation"]["method"] == "信号屏蔽袋"
print("ok")
PY
ok $? "manifest merged, tool filled, witness ID hashed (python check)"
[ $? -eq 0 ] || sed 's/^/#   /' "$T/py.out"
first=$(head -c 40 "$T/c1/manifest.json" | head -2 | tr '\n' '|')
is "$first" '{|  "format": "custos-manifest",|' "manifest pretty-printed with 2 spaces"
is "$(tail -c 1 "$T/c1/manifest.json" | od -An -c | tr -d ' ')" '\n' "manifest ends with a newline"

# --- the tool's own hash is the binary's --------------------------------
want=$(sha256sum "$CUSTOS" | cut -d' ' -f1)
like "$(cat "$T/c1/manifest.json")" "\"sha256\": \"$want\"" "tool.sha256 is sha256sum of the binary"

# --- missing mandatory fields: warning, listed by name ----------------
run "init with a partial manifest still succeeds" "$CUSTOS" case init "$T/c2" --case-id X-2 \
	--manifest "$M/partial-missing.json"
err=$(cat "$T/last.err")
like "$err" 'warning: 8 mandatory manifest fields are missing' "warning counts the missing fields"
for f in 'case\.agency' 'case\.purpose' 'case\.legal_basis\.document_number' \
	'personnel\.investigators \(at least 2, has 1\)' \
	'personnel\.witnesses or personnel\.no_witness_reason' 'seizure\.location\.text' \
	'seizure\.items\[0\]\.seal$' 'seizure\.items\[0\]\.features\.colour'; do
	like "$err" "  - $f" "missing field listed: $f"
done
like "$(cat "$T/c2/custody/log.jsonl")" '"missing_fields":\["case\.agency","case\.purpose",' \
	"missing fields recorded in CASE_INIT"
hid=$(python3 -c 'import hashlib;print(hashlib.sha256(b"990102198805061237").hexdigest())')
like "$(cat "$T/c2/manifest.json")" "\"id_sha256\": \"$hid\"" "holder id_number replaced by its sha256"
grep -q 990102198805061237 "$T/c2/manifest.json"
nok $? "plain ID number not stored"
run "--keep-ids keeps the plain number" "$CUSTOS" case init "$T/c2k" --case-id X-2 \
	--manifest "$M/partial-missing.json" --keep-ids
grep -q '"id_number": "990102198805061237"' "$T/c2k/manifest.json"; ok $? "id_number kept with --keep-ids"
expect_exit 0 "--json prints the missing list" "$CUSTOS" --json case init "$T/c2j" --case-id X-2 \
	--manifest "$M/partial-missing.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "case.agency" in d["missing_fields"] and d["case_id"]=="X-2"' "$T/last.out"
ok $? "--json output parses and names the missing fields"

# --- refusals ------------------------------------------------------------
expect_exit 3 "invalid field types refused" "$CUSTOS" case init "$T/c3" --case-id X-3 \
	--manifest "$M/invalid-types.json"
like "$(cat "$T/last.err")" 'case\.agency: should be string, is integer' "names the wrong type"
like "$(cat "$T/last.err")" 'case\.legal_basis\.type: "没收" is not one of' "names the bad enum value"
like "$(cat "$T/last.err")" 'invalid-types\.json' "names the manifest file"
[ ! -e "$T/c3" ]; ok $? "nothing created for an invalid manifest"
expect_exit 3 "existing non-empty directory refused" "$CUSTOS" case init "$T/c1" --case-id A4403052026110001
like "$(cat "$T/last.err")" 'already exists and is not empty' "says why"
is "$(wc -l <"$T/c1/custody/log.jsonl" | tr -d ' ')" 1 "existing case untouched"
mkdir "$T/empty"
run "an empty existing directory is fine" "$CUSTOS" case init "$T/empty" --case-id E-1
expect_exit 2 "non-UTF-8 examiner refused" "$CUSTOS" case init "$T/c7" --case-id X --examiner "$(printf '\325\305')"
[ ! -e "$T/c7" ]; ok $? "nothing created for a bad examiner name"
expect_exit 2 "--case-id is required" "$CUSTOS" case init "$T/c4"
expect_exit 2 "case id differing from the manifest" "$CUSTOS" case init "$T/c5" --case-id OTHER \
	--manifest "$M/sample-seizure.json"
printf '{"case": ' >"$T/broken.json"
expect_exit 3 "unparsable manifest refused" "$CUSTOS" case init "$T/c6" --case-id X --manifest "$T/broken.json"
like "$(cat "$T/last.err")" 'broken\.json' "names the broken file"

# --- golden: byte-identical under SOURCE_DATE_EPOCH ------------------------
must "$CUSTOS" case init "$T/g1" --case-id A4403052026110001 --manifest "$M/sample-seizure.json" \
	--examiner 王建国 >/dev/null 2>&1
must "$CUSTOS" case init "$T/g2" --case-id A4403052026110001 --manifest "$M/sample-seizure.json" \
	--examiner 王建国 >/dev/null 2>&1
cmp -s "$T/g1/custody/log.jsonl" "$T/g2/custody/log.jsonl"; ok $? "two inits: identical custody logs"
cmp -s "$T/g1/manifest.json" "$T/g2/manifest.json"; ok $? "two inits: identical manifests"
must env SOURCE_DATE_EPOCH=1795000001 "$CUSTOS" case init "$T/g3" --case-id A4403052026110001 \
	--manifest "$M/sample-seizure.json" --examiner 王建国 >/dev/null 2>&1
cmp -s "$T/g1/custody/log.jsonl" "$T/g3/custody/log.jsonl"
nok $? "another SOURCE_DATE_EPOCH gives another log (the test can fail)"

# --- library versions: tool.libraries agrees with `custos --version` ------
run "custos --version" "$CUSTOS" --version
for lib in libzip libusb; do
	v=$(sed -n "s/^$lib \([0-9][0-9.]*\)\$/\1/p" "$T/last.out")
	like "$v" '^[0-9]+\.[0-9]+' "--version names $lib"
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tool"]["libraries"][sys.argv[2]])' \
		"$T/c1/manifest.json" "$lib")
	is "$got" "$v" "manifest tool.libraries.$lib is the version --version prints"
done
# Each folder reports the libraries it wraps; names and order stay put.
is "$(sed -n '3,$p' "$T/last.out" | grep -v '^test hooks' | cut -d' ' -f1 | tr '\n' ' ')" \
	"OpenSSL SQLite libzip libimobiledevice libplist libusbmuxd libusb jansson libdeflate libxlsxwriter " \
	"--version lists the libraries in their order"
is "$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["tool"]["libraries"]))' \
	"$T/c1/manifest.json")" "openssl sqlite jansson libzip libimobiledevice libplist libusbmuxd libusb libdeflate libxlsxwriter" \
	"tool.libraries names the libraries in their order"
# (the .pc file's version is the soname's; the header says the release)
is "$(grep '^libxlsxwriter ' "$T/last.out" | cut -d' ' -f2)" \
	"$(sed -n 's/^#define LXW_VERSION "\(.*\)"$/\1/p' "$(pkg-config --variable=includedir xlsxwriter)/xlsxwriter.h")" \
	"--version: libxlsxwriter's run-time version = its header's LXW_VERSION"
tap_done
