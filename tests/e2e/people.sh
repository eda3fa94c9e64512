#!/bin/sh
# people.sh - who acted and who signed. Commands that change the record
# refuse without a named examiner (--examiner, CUSTOS_EXAMINER or the case
# default from case init); custody add takes only the documented actions;
# a case made with a signing key signs every entry and refuses unsigned
# ones; verify --pubkey K fails unless manifest.json.sig and the SEAL entry
# are signed by K, in custos and in the standalone verify.sh (openssl).
# The attack: evidence replaced, every hash recomputed, the signatures
# stripped (people_attack.py, written without custos or the key).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup people
tap_plan 75
MKCASE="$BUILDDIR/tests/unit/mkcase"
ATTACK="python3 $SRCDIR/tests/e2e/people_attack.py"
MAN="$SRCDIR/tests/e2e/seal-manifest.json"
ID=T2026-SEAL-0001
EV=evidence/A1/HomeDomain/Library/SMS/sms.db
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
mkdir src && echo "hello" >src/a.txt
lines() { wc -l <"$1" | tr -d ' '; }
U="env -u CUSTOS_EXAMINER -u CUSTOS_SIGN_KEY $CUSTOS"
UK="env -u CUSTOS_EXAMINER $CUSTOS" # CUSTOS_SIGN_KEY as given

# --- an examiner must be named -------------------------------------------
expect_exit 2 "case init without an examiner refused" $U case init c0 --case-id $ID
like "$(cat last.err)" 'Name the examiner: --examiner NAME, CUSTOS_EXAMINER=NAME, or a case default with .custos case init DIR --examiner NAME.' \
	"says how to name one"
[ ! -e c0 ]; ok $? "nothing created"
run "case init with an examiner, no default" env CUSTOS_EXAMINER=李娜 $CUSTOS case init c1 --case-id $ID --manifest "$MAN"
expect_exit 2 "import without an examiner refused" $U --case c1 import src --format dir --item A1
like "$(cat last.err)" '^custos: import: no examiner is named' "names the command"
is "$(lines c1/custody/log.jsonl)" 1 "nothing recorded"
for verb in parse report seal; do
	expect_exit 2 "$verb without an examiner refused" $U --case c1 $verb
done
expect_exit 2 "run without an examiner refused" $U run src --case-id $ID -o r0
like "$(cat last.err)" '^custos: run: no examiner is named' "run says so before it starts"
run "the global --examiner names one" $U --examiner 张伟 --case c1 import src --format dir --item A1
like "$(tail -n 1 c1/custody/log.jsonl)" '"event":"IMPORT","actor":\{"name":"张伟","id":null,"role":"examiner"\}' \
	"IMPORT by the examiner named"
run "verify CASE needs no examiner" $U verify c1
run "--version needs none" $U --version
run "import --help needs none" $U import --help
run "custody show needs none" $U --case c1 custody show

run "case init --examiner sets the case default" $U case init c2 --case-id $ID --manifest "$MAN" --examiner 王建国
like "$(head -n 1 c2/custody/log.jsonl)" '"default_examiner":"王建国"' "CASE_INIT records the default examiner"
run "import with only the case default" $U --case c2 import src --format dir --item A1
like "$(tail -n 1 c2/custody/log.jsonl)" '"event":"IMPORT","actor":\{"name":"王建国","id":"990101","role":"examiner"\}|"event":"IMPORT","actor":\{"name":"王建国"' \
	"IMPORT by the case's default examiner"
run "CUSTOS_EXAMINER overrides the default" env -u CUSTOS_SIGN_KEY CUSTOS_EXAMINER=李娜 $CUSTOS --case c2 custody add --action NOTE --actor 李娜 --note x
like "$(tail -n 1 c2/custody/log.jsonl)" '"actor":\{"name":"李娜"' "custody add names its --actor"

# --- custody actions are a fixed vocabulary ------------------------------
n=$(lines c2/custody/log.jsonl)
expect_exit 2 "unknown action refused" $CUSTOS --case c2 custody add --action HANDOVER --actor 李娜
like "$(cat last.err)" "unknown custody action 'HANDOVER'.*TRANSFER, RECEIVE, VERIFY, UNSEAL.*NOTE" \
	"lists the allowed actions"
is "$(lines c2/custody/log.jsonl)" "$n" "nothing recorded"
run "a documented action in lower case" $CUSTOS --case c2 custody add --action transfer --actor 李娜 --to 法院
like "$(tail -n 1 c2/custody/log.jsonl)" '"event":"TRANSFER"' "recorded as TRANSFER"

# --- a signed case ---------------------------------------------------------
must $CUSTOS keygen -o k.pem >/dev/null
must $CUSTOS keygen -o k2.pem >/dev/null
kid="sha256:$(openssl pkey -pubin -in k.pub.pem -outform DER | tail -c 32 | sha256sum | cut -c1-64)"
run "case init --sign-key" $U case init sc --case-id $ID --manifest "$MAN" --examiner 王建国 --sign-key k.pem
like "$(head -n 1 sc/custody/log.jsonl)" "\"sign_key_id\":\"$kid\",\"sign_public_key\":\"[A-Za-z0-9+/=]{44}\"" \
	"CASE_INIT records the key id (openssl) and the public key"
like "$(head -n 1 sc/custody/log.jsonl)" "\"sig\":\\{\"alg\":\"Ed25519\",\"key_id\":\"$kid\"" "CASE_INIT is signed by it"
expect_exit 2 "import without the key refused" $U --case sc import src --format dir --item A1
like "$(cat last.err)" "signed with key $kid.*--sign-key KEY.pem .*CUSTOS_SIGN_KEY=KEY.pem" "says how to give the key"
expect_exit 3 "import with another key refused" env CUSTOS_SIGN_KEY=k2.pem $UK --case sc import src --format dir --item A1
is "$(lines sc/custody/log.jsonl)" 1 "nothing recorded"
run "import with CUSTOS_SIGN_KEY" env CUSTOS_SIGN_KEY=k.pem $UK --case sc import src --format dir --item A1
run "custody add with --sign-key" $U --sign-key k.pem --case sc custody add --action NOTE --actor 王建国 --note ok
expect_exit 3 "custody add --sign with another key refused" $U --case sc custody add --action NOTE --actor 王建国 --sign k2.pem
is "$(grep -vc "\"sig\":{\"alg\":\"Ed25519\",\"key_id\":\"$kid\"" sc/custody/log.jsonl)" 0 "every entry is signed by the case key"
python3 - sc/custody/log.jsonl k.pub.pem <<'EOF' >py.out 2>&1
import base64, hashlib, json, sys, subprocess
for n, line in enumerate(open(sys.argv[1], "rb").read().splitlines(), 1):
    body = line[8:line.index(b',"sig":{')]
    sig = base64.b64decode(json.loads(line)["sig"]["value"])
    open("b.bin", "wb").write(body); open("s.bin", "wb").write(sig)
    subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", sys.argv[2], "-rawin",
                    "-in", "b.bin", "-sigfile", "s.bin"], check=True, capture_output=True)
print("ok")
EOF
ok $? "openssl verifies every entry's signature"
run "verify CASE" $U verify sc
like "$(cat last.out)" "signed case, every entry by $kid" "says the case is signed"

# an unsigned entry appended by hand, correctly chained
cp -r sc sc-add
python3 - sc-add/custody/log.jsonl <<'EOF'
import hashlib, json, sys
p = sys.argv[1]
lines = open(p, "rb").read().splitlines()
last = lines[-1]
body = last[8:last.index(b',"sig":{')]
prev = hashlib.sha256(b"\x00" + body).hexdigest()
b = {"v": 1, "seq": len(lines), "prev": prev, "time": "2026-11-18T11:06:40.000Z", "event": "NOTE",
     "actor": {"name": "x", "id": None, "role": "examiner"}, "subject": {}, "details": {}}
open(p, "ab").write(b'{"body":' + json.dumps(b, separators=(",", ":")).encode() + b"}\n")
EOF
expect_exit 1 "verify CASE: an unsigned entry in a signed case" $U verify sc-add
ln=$(wc -l <sc-add/custody/log.jsonl)
like "$(cat last.out)" "line $ln \\(seq $((ln - 1)), NOTE\\) is unsigned, but the case is signed" "names the entry"
expect_exit 1 "no command appends to it" env CUSTOS_SIGN_KEY=k.pem $UK --case sc-add custody add --action NOTE --actor x

# a custody line deleted and the rest re-chained (signatures dropped)
cp -r sc sc-del
python3 - sc-del/custody/log.jsonl <<'EOF'
import hashlib, json, sys
p = sys.argv[1]
bodies = [json.loads(l)["body"] for l in open(p, "rb").read().splitlines()]
del bodies[1]
out, prev = b"", "0" * 64
for i, b in enumerate(bodies):
    b["seq"], b["prev"] = i, prev
    raw = json.dumps(b, ensure_ascii=False, separators=(",", ":")).encode()
    prev = hashlib.sha256(b"\x00" + raw).hexdigest()
    out += b'{"body":' + raw + b"}\n"
open(p, "wb").write(out)
EOF
expect_exit 1 "verify CASE: a line deleted and re-chained" $U verify sc-del
like "$(cat last.out)" 'is unsigned, but the case is signed' "names the unsigned entry"

expect_exit 2 "seal of a signed case without the key refused" $U --case sc seal -o d-sc
run "seal with the case key" env CUSTOS_SIGN_KEY=k.pem $UK --case sc seal -o d-sc
PS=$(ls d-sc/*.custos.zip)
run "the case key signs the manifest too: verify --pubkey" $U verify "$PS" --pubkey k.pub.pem
expect_exit 1 "verify --pubkey with another key fails" $U verify "$PS" --pubkey k2.pub.pem
like "$(grep '^FAIL' last.out)" 'FAIL seal-signature: the SEAL entry is signed by sha256:[0-9a-f]+, not by the --pubkey key' \
	"names the SEAL entry's signer"

run "verify CASE --pubkey with the case key" $U verify sc --pubkey k.pub.pem
expect_exit 1 "verify CASE --pubkey of an unsigned case fails" $U verify c1 --pubkey k.pub.pem
like "$(grep '^FAIL' last.out)" 'no entry of the custody log is signed by the --pubkey key' "says so"
expect_exit 1 "verify CASE --pubkey with another key fails" $U verify sc --pubkey k2.pub.pem
like "$(grep '^FAIL' last.out)" "FAIL custody-chain: the case is signed with key $kid, not by the --pubkey key" \
	"names both keys"

# run --sign makes its case a signed case: every entry, the living log too
run "run --sign" $U --examiner 王建国 run src --case-id $ID --manifest "$MAN" --format dir --item A1 \
	-o r1 --sign k.pem
is "$(cat r1/$ID/custody/log.jsonl r1/*.custody.jsonl | grep -vc "\"sig\":{\"alg\":\"Ed25519\",\"key_id\":\"$kid\"")" 0 \
	"run: every entry of the case and the living log is signed by the key"

# --- the attack on a sealed package -----------------------------------------
must $CUSTOS case init case --case-id $ID --manifest "$MAN"
must "$MKCASE" case A1
must $CUSTOS --case case seal -o d --sign k.pem
P=$(ls d/*.custos.zip)
run "untampered: verify --pubkey" $CUSTOS verify "$P" --pubkey k.pub.pem
like "$(cat last.out)" 'ok   seal-signature: the SEAL entry is signed by' "SEAL entry checked"
must sh -c "unzip -p '$P' verify.sh >verify.sh"
run "untampered: verify.sh PKG KEY" sh verify.sh "$P" k.pub.pem
like "$(cat last.out)" 'ok   seal-signature: the SEAL entry verifies with k.pub.pem' "verify.sh checks SEAL with openssl"

must $ATTACK "$P" att.custos.zip "$EV" >/dev/null
run "attack: without a key everything agrees" $CUSTOS verify att.custos.zip
expect_exit 1 "attack: verify --pubkey fails" $CUSTOS verify att.custos.zip --pubkey k.pub.pem
like "$(grep '^FAIL' last.out)" 'FAIL signature: package is unsigned \(no manifest.json.sig\), but --pubkey k.pub.pem was given' \
	"names the missing manifest signature"
like "$(grep '^FAIL' last.out)" 'FAIL seal-signature: the SEAL entry is unsigned' "names the unsigned SEAL entry"
expect_exit 1 "attack: verify.sh with the key fails" sh verify.sh att.custos.zip k.pub.pem
like "$(grep '^FAIL' last.out)" 'seal-signature: the SEAL entry \(line [0-9]+\) is unsigned' "verify.sh names it"

must $ATTACK "$P" att2.custos.zip "$EV" 1 >/dev/null
run "line deleted, re-chained: without a key everything agrees" $CUSTOS verify att2.custos.zip
expect_exit 1 "line deleted, re-chained: verify --pubkey fails" $CUSTOS verify att2.custos.zip --pubkey k.pub.pem
expect_exit 1 "line deleted, re-chained: verify.sh with the key fails" sh verify.sh att2.custos.zip k.pub.pem

# the same on the signed case's package: it fails even without a key
must $ATTACK "$PS" att3.custos.zip evidence/A1/a.txt 1 >/dev/null
expect_exit 1 "signed case's package re-chained: verify fails without a key" $CUSTOS verify att3.custos.zip
like "$(grep '^FAIL' last.out)" 'is unsigned, but the case is signed with key' "names the unsigned entry"

tap_done
