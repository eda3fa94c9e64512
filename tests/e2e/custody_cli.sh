#!/bin/sh
# custody_cli.sh - `custos keygen` and `custos custody add|show|verify`,
# cross-checked independently: openssl recomputes the key id; python3
# (hashlib + cryptography) recomputes every leaf from the stored line bytes,
# the prev chain, the RFC 6962 root and every Ed25519 signature, and must
# agree with `custos custody verify --json`. Tampering, truncation and a
# torn last line are caught; --repair records the torn line and goes on.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup custody_cli
tap_plan 74
M="$SRCDIR/fixtures/manifest"
unset SOURCE_DATE_EPOCH

# --- keygen --------------------------------------------------------------
run "keygen" "$CUSTOS" keygen -o "$T/examiner.pem"
kid=$(cat "$T/last.out")
is "$(stat -c %a "$T/examiner.pem")" 600 "private key mode 0600"
is "$(stat -c %a "$T/examiner.pub.pem")" 644 "public key beside it, mode 0644"
want=$(openssl pkey -pubin -in "$T/examiner.pub.pem" -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)
is "$kid" "sha256:$want" "key id = sha256 of the raw public key (openssl)"
pk2=$(openssl pkey -in "$T/examiner.pem" -pubout | openssl pkey -pubin -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)
is "$pk2" "$want" "private and public key files match (openssl)"
sum=$(sha256sum "$T/examiner.pem")
expect_exit 3 "keygen never overwrites" "$CUSTOS" keygen -o "$T/examiner.pem"
is "$(sha256sum "$T/examiner.pem")" "$sum" "existing key unchanged"
(umask 000; "$CUSTOS" keygen -o "$T/k0.pem" >/dev/null 2>&1)
is "$(stat -c %a "$T/k0.pem")" 600 "0600 even with umask 000"
expect_exit 2 "keygen without -o" "$CUSTOS" keygen
run "second key" "$CUSTOS" keygen -o "$T/other.pem"

# --- a signed CASE_INIT; Ed25519 is deterministic, so it reproduces --------
must env SOURCE_DATE_EPOCH=1795000000 "$CUSTOS" case init "$T/s1" --case-id S-1 --sign "$T/examiner.pem" >/dev/null 2>&1
must env SOURCE_DATE_EPOCH=1795000000 "$CUSTOS" case init "$T/s2" --case-id S-1 --sign "$T/examiner.pem" >/dev/null 2>&1
run "signed CASE_INIT verifies" "$CUSTOS" --case "$T/s1" custody verify --pubkey "$T/examiner.pub.pem"
like "$(cat "$T/last.out")" '1 entry, 1 signed$' "CASE_INIT is signed and checked"
cmp -s "$T/s1/custody/log.jsonl" "$T/s2/custody/log.jsonl"; ok $? "signed logs are byte-identical too"

# --- add / show / verify ---------------------------------------------------
must "$CUSTOS" case init "$T/case" --case-id A4403052026110001 --manifest "$M/sample-seizure.json" \
	--examiner 王建国 >/dev/null 2>&1
C="$CUSTOS --case $T/case"
run "add TRANSFER, signed" $C custody add --action TRANSFER --actor 王建国 --actor-id 990101 \
	--to 李娜 --note "移交电子数据实验室" --sign "$T/examiner.pem"
run "add RECEIVE" $C custody add --action RECEIVE --actor 李娜 --note 'tab	and "quotes" \ and <b>'
run "add NOTE, signed" $C custody add --action NOTE --actor 李娜 --note "封存完好" --sign "$T/examiner.pem"
expect_exit 2 "bad action name refused" $C custody add --action "transfer now" --actor x
expect_exit 2 "tool-only event refused" $C custody add --action SEAL --actor x
like "$(cat "$T/last.err")" 'recorded by custos itself' "says why"
expect_exit 2 "non-UTF-8 actor (a GBK terminal) refused" $C custody add --action NOTE --actor "$(printf '\325\305\316\260')"
expect_exit 2 "non-UTF-8 note refused" $C custody add --action NOTE --actor x --note "$(printf '\325\305')"
expect_exit 2 "non-UTF-8 --to refused" $C custody add --action TRANSFER --actor x --to "$(printf '\325\305')"
like "$(cat "$T/last.err")" 'not valid UTF-8.*nothing was recorded' "says nothing was recorded"
expect_exit 2 "--actor required" $C custody add --action NOTE
is "$(wc -l <"$T/case/custody/log.jsonl" | tr -d ' ')" 4 "four entries"
run "show" $C custody show
like "$(cat "$T/last.out")" '1  .*TRANSFER +王建国 \(990101\) \[signed\]  \{"to":"李娜"\}' "show: table row"
like "$(cat "$T/last.out")" '4 entries; root [0-9a-f]{64}' "show: count and root"
run "show --json" $C custody show --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [e["body"]["event"] for e in d["entries"]]==["CASE_INIT","TRANSFER","RECEIVE","NOTE"] and d["ok"]' "$T/last.out"
ok $? "show --json: entries parse"
run "verify with the key" $C custody verify --pubkey "$T/examiner.pub.pem"
like "$(cat "$T/last.out")" 'custody log OK: 4 entries, 2 signed' "verify: summary"
expect_exit 0 "verify --json" $C custody verify --json --pubkey "$T/examiner.pub.pem"
cp "$T/last.out" "$T/verify.json"
expect_exit 0 "verify with another key" $C custody verify --json --pubkey "$T/other.pub.pem"
like "$(cat "$T/last.out")" '"signed_entries":2,"unverified_signatures":2' "other key: signatures counted unverified"

# --- independent cross-check in python --------------------------------------
cat >"$T/check.py" <<'PY'
import hashlib, json, sys, base64
from cryptography.hazmat.primitives.serialization import load_pem_public_key
log, pub, verify = sys.argv[1], sys.argv[2], sys.argv[3]
key = load_pem_public_key(open(pub, "rb").read())
raw = key.public_bytes_raw() if hasattr(key, "public_bytes_raw") else None
from cryptography.hazmat.primitives import serialization
raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
kid = "sha256:" + hashlib.sha256(raw).hexdigest()
data = open(log, "rb").read()
assert data.endswith(b"\n")
leaves, prev, signed = [], "0" * 64, 0
for i, line in enumerate(data[:-1].split(b"\n")):
    text = line.decode("utf-8")
    assert text.startswith('{"body":'), i
    # the body's exact bytes: what the decoder consumed, sliced from the line
    _, end = json.JSONDecoder().raw_decode(text, 8)
    body = text[8:end].encode("utf-8")
    obj = json.loads(text)
    assert obj["body"] == json.loads(body)
    assert obj["body"]["seq"] == i, ("seq", i)
    assert obj["body"]["prev"] == prev, ("prev", i)
    leaf = hashlib.sha256(b"\x00" + body).digest()
    if "sig" in obj:
        s = obj["sig"]
        assert s["alg"] == "Ed25519" and s["key_id"] == kid
        key.verify(base64.b64decode(s["value"]), body)  # raises if bad
        signed += 1
    leaves.append(leaf)
    prev = leaf.hex()

def mth(d):
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()

v = json.load(open(verify))
assert v["ok"] is True
assert v["entries"] == len(leaves), (v["entries"], len(leaves))
assert v["head"] == leaves[-1].hex(), "head"
assert v["root"] == mth(leaves).hex(), "root"
assert v["signed_entries"] == signed and v["unverified_signatures"] == 0
print(v["head"], v["root"])
PY
python3 "$T/check.py" "$T/case/custody/log.jsonl" "$T/examiner.pub.pem" "$T/verify.json" >"$T/py.out" 2>&1
ok $? "python recomputes leaves, chain, RFC 6962 root and signatures = custos verify --json"
sed 's/^/#   /' "$T/py.out"
head0=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["head"])' "$T/verify.json")
root0=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["root"])' "$T/verify.json")

# --- tampering ---------------------------------------------------------------
cp "$T/case/custody/log.jsonl" "$T/good.jsonl"
sed '3s/李娜/李那/' "$T/good.jsonl" >"$T/t1.jsonl"
expect_exit 1 "changed byte in a body" $C custody verify --log "$T/t1.jsonl"
like "$(cat "$T/last.err")" 'line 4.*prev' "names line 4's broken prev link"
expect_exit 1 "changed signed body, with the key" $C custody verify --log "$T/t1.jsonl" --pubkey "$T/examiner.pub.pem"
sed '2s/移交/转交/' "$T/good.jsonl" >"$T/t2.jsonl"
expect_exit 1 "changed signed body" $C custody verify --log "$T/t2.jsonl" --pubkey "$T/examiner.pub.pem"
like "$(cat "$T/last.err")" 'line 2 .*bad signature' "names line 2's bad signature"
sed '3d' "$T/good.jsonl" >"$T/t3.jsonl"
expect_exit 1 "deleted line" $C custody verify --log "$T/t3.jsonl"
like "$(cat "$T/last.err")" 'line 3: seq is 3, expected 2' "names the gap"
for n in 1 3 2 4; do sed -n "${n}p" "$T/good.jsonl"; done >"$T/t4.jsonl"
expect_exit 1 "reordered lines" $C custody verify --log "$T/t4.jsonl"
head -n 3 "$T/good.jsonl" >"$T/t5.jsonl"
expect_exit 0 "truncated tail still chains" $C custody verify --log "$T/t5.jsonl"
expect_exit 1 "truncated tail: head differs from the recorded head" $C custody verify --log "$T/t5.jsonl" --expect-head "$head0"
expect_exit 1 "truncated tail: root differs" $C custody verify --log "$T/t5.jsonl" --expect-root "$root0" --json
like "$(cat "$T/last.out")" '"ok":false' "--json says ok false"
expect_exit 0 "untampered log matches head, root and size" $C custody verify --log "$T/good.jsonl" \
	--expect-head "$head0" --expect-root "$root0" --expect-size 4

# --- torn last line and repair ----------------------------------------------
printf '{"body":{"v":1,"seq":4,"prev":"ab' >>"$T/case/custody/log.jsonl"
expect_exit 1 "torn last line fails verify" $C custody verify
like "$(cat "$T/last.err")" 'line 5 is torn' "names the torn line"
expect_exit 1 "add refuses a torn log without --repair" $C custody add --action NOTE --actor 李娜
like "$(cat "$T/last.err")" '\-\-repair' "suggests --repair"
run "add with --repair" $C custody add --action NOTE --actor 李娜 --note "after crash" --repair
run "repaired log verifies" $C custody verify --pubkey "$T/examiner.pub.pem"
like "$(cat "$T/last.out")" 'custody log OK: 6 entries' "4 + ERROR + NOTE"
run "show after repair" $C custody show
like "$(cat "$T/last.out")" 'ERROR .*"torn_line":\{"line":5,"offset":[0-9]+,"length":33,' "ERROR entry records the torn line"
expect_exit 0 "repaired log: verify --json" $C custody verify --json --pubkey "$T/examiner.pub.pem"

# --- two writers at once: appends are locked and chained, never forked ----
cp "$T/good.jsonl" "$T/busy.jsonl"
( for i in 1 2 3 4 5 6 7 8 9 10 11 12; do "$CUSTOS" custody add --log "$T/busy.jsonl" --action NOTE --actor a >/dev/null 2>&1 || echo fail; done ) >"$T/w1" &
w1=$!
( for i in 1 2 3 4 5 6 7 8 9 10 11 12; do "$CUSTOS" custody add --log "$T/busy.jsonl" --action NOTE --actor b >/dev/null 2>&1 || echo fail; done ) >"$T/w2" &
w2=$!
wait $w1 $w2
is "$(cat "$T/w1" "$T/w2")" "" "every concurrent append succeeded"
run "concurrently written log verifies" "$CUSTOS" custody verify --log "$T/busy.jsonl" --expect-size 28

# --- the living sidecar of a package --------------------------------------
cp "$T/good.jsonl" "$T/pkg.custos.zip.custody.jsonl"
run "append to a sidecar with --log" $C custody add --log "$T/pkg.custos.zip.custody.jsonl" \
	--action RECEIVE --actor 法院 --role court --sign "$T/other.pem"
run "verify the sidecar" "$CUSTOS" custody verify --log "$T/pkg.custos.zip.custody.jsonl" --pubkey "$T/other.pub.pem"
like "$(cat "$T/last.out")" '5 entries, 3 signed \(2 not checked' "sidecar: 5 entries, other signer counted"
# --manifest: the sealed custody record {size, head, root} must be a prefix
printf '{"custody":{"log":"custody/log.jsonl","size":4,"head":"%s","root":"%s"}}\n' "$head0" "$root0" >"$T/sealed.json"
run "sidecar continues the sealed log" "$CUSTOS" custody verify --log "$T/pkg.custos.zip.custody.jsonl" --manifest "$T/sealed.json"
run "the sealed log itself" "$CUSTOS" custody verify --log "$T/good.jsonl" --manifest "$T/sealed.json"
expect_exit 1 "truncated log vs manifest" "$CUSTOS" custody verify --log "$T/t5.jsonl" --manifest "$T/sealed.json"
like "$(cat "$T/last.err")" 'fewer than the 4 recorded' "names the truncation"
printf '{"custody":{"size":3,"head":"%s","root":"%s"}}\n' "$head0" "$root0" >"$T/sealed3.json"
expect_exit 1 "head recorded for another size" "$CUSTOS" custody verify --log "$T/good.jsonl" --manifest "$T/sealed3.json"
expect_exit 3 "manifest without custody record" "$CUSTOS" custody verify --log "$T/good.jsonl" --manifest "$M/sample-seizure.json"
run "add NOTE by a listed investigator" $C custody add --action note --actor 陈晓燕 --note "补充照片"
like "$(tail -n 1 "$T/case/custody/log.jsonl")" '"actor":\{"name":"陈晓燕","id":"990102","role":"examiner"\}' "badge filled from the manifest"
expect_exit 3 "missing sidecar" "$CUSTOS" custody add --log "$T/nope.jsonl" --action NOTE --actor x
expect_exit 3 "not a case directory" "$CUSTOS" --case "$T" custody add --action NOTE --actor x
tap_done
