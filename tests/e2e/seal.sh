#!/bin/sh
# seal.sh - custos seal: golden determinism, independent cross-checks
# (unzip, sha256sum, openssl, python3 hashlib), the packaged verify.sh,
# CASE/UCO structure, signature, RFC 3161 request, inclusion proofs, a
# killed seal, mandatory fields and SM3.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal
tap_plan 126
# The kill hook exists only in builds configured with --enable-test-hooks.
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"
MKCASE="$BUILDDIR/tests/unit/mkcase"
CHECK="python3 $SRCDIR/tests/e2e/seal_check.py"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate case (mkcase)" "$MKCASE" case A1
must cp -a case case-copy
nlog=$(wc -l <case/custody/log.jsonl | tr -d ' ')

# 1. Golden: the same case state gives a byte-identical package (a copy of
# the case directory sealed at the same fixed time). Sealing appends the
# SEAL entry to the case's own log, so one case sealed twice is two states.
run "seal 1" "$CUSTOS" --case case seal -o d1
out1=$(cat "$T/last.out")
is "$(cat "$T/last.err")" "" "a first seal does not warn"
run "seal 2 (a cp -a copy of the case)" "$CUSTOS" --case case-copy seal -o d2
P1=$(ls d1/*.custos.zip)
P2=$(ls d2/*.custos.zip)
is "$(basename "$P1")" "T2026-SEAL-0001_A1_20261118T110640Z.custos.zip" "package name <case>_<item>_<time>"
cmp "$P1" "$P2" >/dev/null 2>&1
ok $? "the same case state gives a byte-identical package"
cmp "$P1.custody.jsonl" "$P2.custody.jsonl" >/dev/null 2>&1
ok $? "living custody logs identical"
is "$(wc -l <case/custody/log.jsonl | tr -d ' ')" "$((nlog + 1))" "seal appends one entry to the case's log"
cmp case/custody/log.jsonl "$P1.custody.jsonl" >/dev/null 2>&1
ok $? "the case's log ends with the SEAL entry the package holds"
seal=$(printf '%s\n' "$out1" | tail -n 1)
like "$seal" '^[0-9a-f]{64}$' "seal hash printed last"
like "$out1" 'seal hash: ([0-9a-f]{4} ){15}[0-9a-f]{4}' "seal hash in 16 groups of 4"
is "$(unzip -p "$P1" manifest.json | sha256sum | cut -c1-64)" "$seal" "seal hash = SHA-256(manifest.json)"
is "$(unzip -z "$P1" | tail -n 1)" "CUSTOS1 $seal" "zip comment CUSTOS1 <seal hash>"
(cd d1 && sha256sum -c --quiet "$(basename "$P1").sha256") >/dev/null 2>&1
ok $? "sidecar .sha256 checks with sha256sum -c"
is "$(head -c "$(wc -c <"$P1.custody.jsonl")" "$P1.custody.jsonl" | sha256sum)" \
	"$(unzip -p "$P1" custody/log.jsonl | sha256sum)" "living log equals the sealed log"
ls d1/.custos-seal.* >/dev/null 2>&1
ok $((!$?)) "no work folder left behind"

# 2. Independent cross-checks.
run "unzip -t" unzip -tq "$P1"
is "$(unzip -Z1 "$P1" | head -n 1)" "mimetype" "mimetype is the first entry"
is "$(unzip -p "$P1" mimetype)" "application/vnd.custos.evidence+zip;version=1" "mimetype content"
like "$(zipinfo -v "$P1" | sed -n '/^Central directory entry #1:/,/^Central directory entry #2:/p')" \
	'compression method: +none \(stored\)' "mimetype stored"
like "$(zipinfo -v "$P1" | grep -c 'length of extra field: *0 bytes')" "^$(unzip -Z1 "$P1" | wc -l)\$" \
	"no extra fields in any entry"
run "python3 hashlib: every entry's digests, coverage, content root, custody chain" \
	$CHECK crosscheck "$P1"
mkdir x && (cd x && unzip -q "../$P1")
python3 - "$T/x" >"$T/sums.out" 2>&1 <<'EOF'
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
with open(sys.argv[1] + "/../SHA256SUMS", "w") as a, open(sys.argv[1] + "/../MD5SUMS", "w") as b:
    for r in m["files"] + m["derived"] + m["package_files"]:
        a.write("%s  %s\n" % (r["sha256"], r["path"]))
        b.write("%s  %s\n" % (r["md5"], r["path"]))
EOF
(cd x && sha256sum -c --quiet ../SHA256SUMS && md5sum -c --quiet ../MD5SUMS) >/dev/null 2>&1
ok $? "sha256sum -c and md5sum -c of every listed file"
cat >expect.py <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
rows = {r["device_path"]: r for r in m["files"]}
assert rows["HomeDomain/Library/SMS/sms.db"]["category"] == "短信"
assert rows["HomeDomain/Library/SMS/sms.db"]["format"] == "SQLite数据库"
assert rows["/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.db"]["category"] == "微信聊天"
assert rows["HomeDomain/Library/Preferences/com.apple.x.plist"]["format"] == "plist"
assert [r["seq"] for r in m["files"]] == list(range(1, len(m["files"]) + 1))
assert all(r["acquired"] and r["method"] for r in m["files"])
assert m["derived"][0]["inputs"] == ["evidence/A1/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.db"]
assert m["content_root"]["alg"] == "RFC6962-SHA-256"
assert m["custody"]["log"] == "custody/log.jsonl"
assert m["case"]["case_number"] == "T2026-SEAL-0001"
assert {r["path"] for r in m["package_files"]} >= {"custody/log.jsonl", "inventory/A1.jsonl",
    "case.jsonld", "VERIFY.md", "verify.sh"}
EOF
run "manifest files[]: seq, category, format, acquired, derived inputs" python3 expect.py x/manifest.json
last=$(tail -n 1 x/custody/log.jsonl)
like "$last" '"event":"SEAL"' "last custody entry is SEAL"
like "$last" "\"package\":\"$(basename "$P1")\"" "SEAL names the package"
like "$last" "\"root\":\"$(sed -n 's/^    "root": "\(.*\)"$/\1/p' x/manifest.json | head -n 1)\"" \
	"SEAL carries the content root"
run "CASE/UCO case.jsonld: types, hashes, unique ids, references resolve" $CHECK jsonld "$P1"

# 3. RFC 3161 request, parsed by openssl.
must unzip -p "$P1" manifest.json.tsq >tsq.der
tsqtext=$(openssl ts -query -in tsq.der -text 2>/dev/null)
like "$tsqtext" 'Hash Algorithm: sha256' "openssl ts -query parses the tsq"
is "$(printf '%s\n' "$tsqtext" | sed -n 's/^ *[0-9a-f]\{4\} - \([0-9a-f -]*\)  .*/\1/p' | tr -d ' -' | tr -d '\n')" \
	"$seal" "tsq imprint = seal hash"
like "$tsqtext" 'Certificate required: yes' "tsq asks for the TSA certificate"

# 3b. A TSA's reply (test TSA made with openssl) is checked by custos
# verify, given with --tsr or added to the package as manifest.json.tsr.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key \
	-out tsa.crt -subj /CN=custos-test-tsa -days 2 \
	-addext "extendedKeyUsage=critical,timeStamping" >/dev/null 2>&1
printf '[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ./serial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_chain = no\n' >tsa.cnf
echo 01 >serial
openssl ts -reply -config tsa.cnf -queryfile tsq.der -signer tsa.crt -inkey tsa.key -out reply.tsr >/dev/null 2>&1
ok $? "test TSA answers the tsq"
must unzip -p "$P1" manifest.json >m1.json
run "openssl ts -verify: the reply stamps manifest.json" openssl ts -verify -data m1.json -in reply.tsr -CAfile tsa.crt
run "custos verify --tsr" "$CUSTOS" verify "$P1" --tsr reply.tsr
like "$(cat "$T/last.out")" 'ok   timestamp: reply.tsr: token imprint matches' "timestamp check reported"
run "--tsa-ca: the TSA's signature verifies" "$CUSTOS" verify "$P1" --tsr reply.tsr --tsa-ca tsa.crt
like "$(cat "$T/last.out")" 'TSA signature verifies with the given CA' "TSA signature reported"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o.key -out o.crt \
	-subj /CN=not-the-tsa -days 2 >/dev/null 2>&1
expect_exit 1 "--tsa-ca with a foreign CA fails" "$CUSTOS" verify "$P1" --tsr reply.tsr --tsa-ca o.crt
like "$(cat "$T/last.out")" 'FAIL timestamp: .*TSA signature does not verify' "foreign CA named"
cp "$P1" with-tsr.zip && cp reply.tsr manifest.json.tsr && zip -q with-tsr.zip manifest.json.tsr
run "a manifest.json.tsr inside the package is checked" "$CUSTOS" verify with-tsr.zip
like "$(cat "$T/last.out")" 'ok   timestamp: manifest.json.tsr' "in-package tsr reported"

# 4. custos verify, and the packaged verify.sh for real.
run "custos verify passes" "$CUSTOS" verify "$P1"
like "$(cat "$T/last.out")" 'RESULT: all checks passed' "verify says so"
"$CUSTOS" --json verify "$P1" >v.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["ok"] and all(c["ok"] for c in d["checks"]) else 1)' v.json
ok $? "verify --json: ok true, every check ok"
must unzip -p "$P1" verify.sh >verify.sh
run "packaged verify.sh passes" sh verify.sh "$P1"
like "$(cat "$T/last.out")" 'ok   content-root' "verify.sh recomputes the content root"
like "$(cat "$T/last.out")" 'ok   custody-root' "verify.sh recomputes the custody root"
VERIFY_SH_NO_PYTHON=1 sh verify.sh "$P1" >nopy.out 2>&1
ok $? "packaged verify.sh passes with the shell-only trees (no python3)"
same "$(grep -E 'content-root|custody-root' nopy.out)" "$(grep -E 'content-root|custody-root' "$T/last.out")" \
	"shell-only and python3 trees agree"
must $CHECK tamper "$P1" tampered.zip flip evidence/A1/HomeDomain/Library/SMS/sms.db 100
expect_exit 1 "packaged verify.sh fails on a tampered copy" sh verify.sh tampered.zip
like "$(cat "$T/last.out")" 'FAIL sha256: .*sms.db' "verify.sh names the tampered file"
unzip -p "$P1" VERIFY.md | grep -q 'openssl pkeyutl -verify'
ok $? "VERIFY.md explains the signature check"

# 4b. The living custody log beside the package continues the sealed one.
run "custody add --log appends to the living log" "$CUSTOS" custody add --action TRANSFER \
	--actor 测试员甲 --to 物证室 --log "$P2.custody.jsonl"
run "verify accepts the continued living log" "$CUSTOS" verify "$P2"
like "$(cat "$T/last.out")" 'ok   living-log: .*plus 1 later entries' "living log checked"
sed -i '1s/"CASE_INIT"/"CASE_INIX"/' "$P2.custody.jsonl"
expect_exit 1 "a rewritten living log fails" "$CUSTOS" verify "$P2"
like "$(cat "$T/last.out")" 'FAIL living-log: .*does not start with the sealed' "rewritten living log named"

# 5. Signed seal: custos and openssl both verify the signature.
run "keygen" "$CUSTOS" keygen -o k.pem
run "signed seal" "$CUSTOS" --case case seal -o d3 --sign k.pem
P3=$(ls d3/*.custos.zip)
like "$(cat "$T/last.err")" "sealed before \\(SEAL entry seq $nlog, package '$(basename "$P1")'\\)" \
	"sealing again warns and names the first package"
python3 -c 'import json,sys; s=[json.loads(l)["body"]["seq"] for l in open(sys.argv[1])]; sys.exit(s != list(range(len(s))))' \
	case/custody/log.jsonl
ok $? "one chain: every seq of the case's log once, in order"
is "$(unzip -p "$P3" custody/log.jsonl | head -n "$((nlog + 1))" | sha256sum)" \
	"$(unzip -p "$P1" custody/log.jsonl | sha256sum)" "the second package's log continues the first's"
run "verify --pubkey" "$CUSTOS" verify "$P3" --pubkey k.pub.pem
like "$(cat "$T/last.out")" 'ok   signature: manifest.json.sig verifies' "signature check reported"
must unzip -p "$P3" manifest.json >m3.json
must unzip -p "$P3" manifest.json.sig >m3.sig
run "openssl pkeyutl verifies manifest.json.sig" openssl pkeyutl -verify -pubin -inkey k.pub.pem \
	-rawin -in m3.json -sigfile m3.sig
run "verify.sh with the public key" sh verify.sh "$P3" k.pub.pem
expect_exit 1 "a tsr for another manifest fails" "$CUSTOS" verify "$P3" --tsr reply.tsr
like "$(cat "$T/last.out")" 'FAIL timestamp: reply.tsr: timestamp token: imprint is not SHA-256\(manifest.json\)' \
	"foreign tsr named"

like "$(grep -c '"key_id": "sha256:' m3.json)" '^[1-9]' "manifest lists the key id"

# 5b. -o FILE.zip names the package; sidecar and SEAL entry follow.
run "seal -o FILE.zip" "$CUSTOS" --case case seal -o named/evidence-A1.zip
(cd named && sha256sum -c --quiet evidence-A1.zip.sha256) >/dev/null 2>&1
ok $? "sidecar names the chosen file"
like "$(unzip -p named/evidence-A1.zip custody/log.jsonl | tail -n 1)" '"package":"evidence-A1.zip"' \
	"SEAL entry names the chosen file"
run "verify the named package" "$CUSTOS" verify named/evidence-A1.zip

# 6. Inclusion proofs.
ev=evidence/A1/HomeDomain/Library/SMS/sms.db
"$CUSTOS" verify "$P1" --prove "$ev" >proof.json
ok $? "--prove prints a proof"
like "$(cat proof.json)" "\"path\":\"$ev\".*\"audit_path\":\\[" "proof names path and audit path"
run "--proof checks it" "$CUSTOS" verify "$P1" --proof proof.json
must $CHECK proof-tamper proof.json bad-proof.json
expect_exit 1 "a tampered proof fails" "$CUSTOS" verify "$P1" --proof bad-proof.json
like "$(cat "$T/last.err")" 'does not reproduce the content_root' "tampered proof named"
expect_exit 3 "--prove of an unknown path" "$CUSTOS" verify "$P1" --prove evidence/A1/nope

# 7. A killed seal leaves no *.custos.zip (hook: SIGKILL mid-write).
CUSTOS_TEST_SEAL_KILL_AT=0.5 "$CUSTOS" --case case seal -o d4 >/dev/null 2>&1
st=$?
ok $((st == 0)) "seal killed mid-write (status $st)"
is "$(ls d4/*.custos.zip 2>/dev/null | wc -l | tr -d ' ')" 0 "no *.custos.zip after the kill"
ls -d d4/.custos-seal.* >/dev/null 2>&1
ok $? "the killed seal's work folder is what remains"
like "$(tail -n 1 case/custody/log.jsonl)" '"event":"SEAL"' "the killed seal's SEAL entry stays in the case's log"
run "a later seal into the same folder works" "$CUSTOS" --case case seal -o d4
like "$(cat "$T/last.err")" "sealed before \\(SEAL entry seq [0-9]+, package 'T2026-SEAL-0001_A1_" \
	"and warns about the earlier SEAL entry"
is "$(ls d4/*.custos.zip | wc -l | tr -d ' ')" 1 "one package"
is "$(ls -A d4 | grep -c '^\.custos-seal\.')" 0 "the stale work folder was removed"

# 8. Mandatory fields: an error, unless --allow-incomplete (recorded).
printf '{"case":{"case_title":"缺项测试"}}\n' >partial.json
run "case init with a partial manifest" "$CUSTOS" case init inc --case-id T-INC-1 --manifest partial.json
# An empty case is refused before its manifest is checked: give it evidence.
must "$MKCASE" inc A1 >/dev/null
expect_exit 2 "seal refuses missing mandatory fields" "$CUSTOS" --case inc seal -o d5
like "$(cat "$T/last.err")" 'mandatory fields: .*agency' "the missing fields are named"
run "seal --allow-incomplete" "$CUSTOS" --case inc seal -o d5 --allow-incomplete
like "$(unzip -p d5/*.custos.zip custody/log.jsonl | tail -n 1)" '"allow_incomplete":true,"missing":\["' \
	"SEAL entry records --allow-incomplete and what is missing"
run "incomplete package verifies" "$CUSTOS" verify d5/*.custos.zip

"$CUSTOS" --json --case inc seal -o d5j --allow-incomplete >seal.json 2>/dev/null
python3 -c 'import json,sys,hashlib,zipfile,glob; d=json.load(open(sys.argv[1])); z=zipfile.ZipFile(d["package"]); sys.exit(0 if d["seal_hash"]==hashlib.sha256(z.read("manifest.json")).hexdigest() and d["missing_fields"]>0 else 1)' seal.json
ok $? "seal --json: one document with the package and its seal hash"

# 9. SM3: only from the inventory (evidence is never re-hashed).
expect_exit 3 "--hash sm3 refuses an inventory without SM3" "$CUSTOS" --case case seal -o d6 --hash sm3
like "$(cat "$T/last.err")" 'no SM3' "reason given"
run "case init (sm3)" "$CUSTOS" case init c3 --case-id T2026-SEAL-0001 --manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate with SM3" "$MKCASE" c3 A1 sm3
# A case.db and report/ no PARSE / REPORT entry records are refused
# (docs/custody.md); made by custos parse and report they are sealed.
must sqlite3 c3/case.db 'CREATE TABLE items(item_id TEXT PRIMARY KEY); INSERT INTO items VALUES ("A1");'
mkdir -p c3/report/forms && echo '<html>报告</html>' >c3/report/index.html && echo 'form' >c3/report/forms/f1.html
expect_exit 1 "seal refuses a case.db no PARSE entry records" "$CUSTOS" --case c3 seal -o d6 --hash sm3
like "$(cat "$T/last.err")" 'not recorded by any PARSE custody entry: run custos parse' "and says to run custos parse"
must rm -rf c3/case.db c3/report
# mkcase's files are not real databases: parse ends partial (exit 5).
expect_exit 5 "parse the mkcase files (partial)" "$CUSTOS" --case c3 parse
run "report" "$CUSTOS" --case c3 report
run "seal --hash sm3 (with case.db and report/)" "$CUSTOS" --case c3 seal -o d6 --hash sm3
unzip -Z1 d6/*.custos.zip | grep -E '^(case.db|report/)' >packed.txt
is "$(head -n 1 packed.txt)" "case.db" "case.db packed before report/"
is "$(sed 1d packed.txt | LC_ALL=C sort | tr '\n' ' ')" "$(sed 1d packed.txt | tr '\n' ' ')" \
	"report/ packed in bytewise order"
run "python3 cross-check with case.db and report/" $CHECK crosscheck d6/*.custos.zip
must unzip -p d6/*.custos.zip manifest.json >m6.json
is "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(all(len(r["sm3"] or "")==64 for r in m["files"]+m["package_files"]))' m6.json)" \
	True "SM3 for every file"
run "verify checks SM3 too" "$CUSTOS" verify d6/*.custos.zip

# 10. Case directory verification.
run "verify CASE-DIR" "$CUSTOS" verify case
like "$(cat "$T/last.out")" "ok   content-root: $(unzip -p "$P1" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["content_root"]["root"])') over 6 files" \
	"case content root (for the report) equals the sealed one"
f=case/evidence/A1/HomeDomain/Library/SMS/sms.db
chmod u+w "$f" && printf 'X' | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_exit 1 "verify CASE-DIR finds a changed evidence file" "$CUSTOS" verify case
like "$(cat "$T/last.out")" 'FAIL file evidence/A1/HomeDomain/Library/SMS/sms.db' "named"
echo extra >case/evidence/A1/unlisted.bin
expect_exit 1 "verify CASE-DIR finds an unlisted file" "$CUSTOS" verify case
like "$(cat "$T/last.out")" "unlisted.bin' is not in the inventory" "named"
expect_exit 1 "seal refuses evidence whose size changed" sh -c \
	"printf 'more' >>'$f' && '$CUSTOS' --case case seal -o d7"
like "$(cat "$T/last.err")" 'sms.db.*inventory says' "reason names the file"
# Files are checked while the inventory is read, in its order, but a seal
# names the first bad file bytewise by path, as if checked there: two files
# gone, the one listed later in the inventory sorts first and is named.
must cp -a case-copy c8
pair=$(python3 - c8/inventory/A1.jsonl <<'PY'
import json, sys
ps = [r["evidence_path"] for r in map(json.loads, open(sys.argv[1])) if r.get("type") == "file"]
for i, a in enumerate(ps):
    for b in ps[i + 1:]:
        if b.encode() < a.encode():
            print(a)
            print(b)
            sys.exit(0)
sys.exit(1)
PY
)
ok $? "the inventory lists a file before one that sorts ahead of it"
first=$(printf '%s\n' "$pair" | sed -n 2p)
for g in $pair; do chmod u+w "c8/$(dirname "$g")" && rm -f "c8/$g"; done
nlog8=$(wc -l <c8/custody/log.jsonl)
expect_exit 3 "seal refuses a vanished evidence file" "$CUSTOS" --case c8 seal -o d8
like "$(cat "$T/last.err")" "seal: evidence file '$first' listed in the inventory cannot be opened" \
	"the first missing file bytewise by path is named"
is "$(wc -l <c8/custody/log.jsonl)" "$nlog8" "refused before the SEAL entry: nothing appended"
# A line listed twice (a resumed import) is packed once; the same path with
# other digests is refused.
must cp -a case-copy c9
must cp -a case-copy c10
chmod u+w c9/inventory c9/inventory/A1.jsonl c10/inventory c10/inventory/A1.jsonl
line=$(grep -m1 '"type":"file"' c9/inventory/A1.jsonl)
printf '%s\n' "$line" >>c9/inventory/A1.jsonl
printf '%s\n' "$line" | sed 's/"sha256":"\(.\)/"sha256":"f/; s/"sha256":"f\(.\)/"sha256":"e\1/' >>c10/inventory/A1.jsonl
run "seal with a line listed twice" "$CUSTOS" --case c9 seal -o d9
n9=$(unzip -p d9/*.custos.zip manifest.json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(len(m["files"]) + len(m["derived"]), len({r["path"] for r in m["files"] + m["derived"]}))')
nf=$(grep -c '"type":"file"' case-copy/inventory/A1.jsonl)
is "$n9" "$nf $nf" "the file listed twice is packed once (manifest rows, distinct paths)"
run "the package with the duplicate line verifies" "$CUSTOS" verify d9/*.custos.zip
expect_exit 1 "the same path with other digests is refused" "$CUSTOS" --case c10 seal -o d10
like "$(cat "$T/last.err")" "twice with different digests" "the conflict is named"

tap_done
