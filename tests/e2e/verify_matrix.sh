#!/bin/sh
# verify_matrix.sh - a tamper matrix over the custody entry kinds of a sealed
# package: one case holding CASE_INIT, ACQUIRE_START, IMPORT, DERIVE,
# MISMATCH, MANIFEST_CHANGE, NOTE, ERROR, PARSE, REPORT (with report_root)
# and SEAL, sealed three ways (U: unsigned; S: unsigned case, seal --sign;
# K: signed case, case init --sign-key). For every kind one value of its
# body is changed (custody_tamper.py, python3, valid JSON) in two variants:
#   asis     only that line changes: both verifiers exit 1 (custody-chain /
#            custody-head, and custos verify's digest of custody/log.jsonl);
#   rechain  every later prev, the manifest's custody size/head/root, the
#            log's digests, the .tsq, the zip (canonical order) with its
#            comment and the sidecars recomputed as an attacker would,
#            signatures the attacker cannot make dropped.
# The limit, by design: a fully re-chained forgery of a package is
# undetectable without a key, because everything in it is a function of the
# bytes the attacker controls (PACKAGE.md: signatures anchor the record).
# So the rechain variant is asserted WITH the examiner's public key (both
# verifiers exit 1: signature / seal-signature), for U too (a key given for
# an unsigned package fails). A signed case (K) carries its public key in
# CASE_INIT, so `custos verify` catches the unsigned rewritten entries even
# without --pubkey (custody-chain); verify.sh does not check per-entry
# signatures and needs the key. An attacker who also strips the key from
# CASE_INIT and every sig makes K look like U: again only the key tells.
# Also: manifest.initial.json changed (and its digests recomputed) fails
# manifest-initial in both verifiers; a package without it (as an older
# custos sealed it) gets a note from verify.sh, not a failure.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup verify_matrix
KINDS="CASE_INIT ACQUIRE_START IMPORT DERIVE MISMATCH MANIFEST_CHANGE NOTE ERROR PARSE ANALYZE EXPORT REPORT SEAL"
# 3 builds x (2 + 13 kinds x 8) + K without key 13 x 2 + initial 1 + 5 + 2
tap_plan 352
TAMPER="python3 $SRCDIR/tests/e2e/custody_tamper.py"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

must sh "$SRCDIR/fixtures/make-samples.sh" "$T/s" >/dev/null
must "$CUSTOS" keygen -o "$T/k.pem" >/dev/null
PUB=$T/k.pub.pem
# a second item with one damaged database: parse writes an ERROR entry
D="$T/bad/data/data/com.android.providers.contacts/databases"
mkdir -p "$D"
must python3 -c 'import random,sys; r=random.Random(5); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(8192)))' \
	>"$D/contacts2.db"

# build NAME HOW: case $T/NAME sealed into $T/NAME.out; HOW is plain,
# seal-sign or case-sign. Sets PKG.
build() {
	c=$T/$1
	unset CUSTOS_SIGN_KEY
	if [ "$2" = case-sign ]; then
		must "$CUSTOS" case init "$c" --case-id A4403052026110001 \
			--manifest "$SRCDIR/fixtures/manifest/sample-seizure.json" --sign-key "$T/k.pem" >/dev/null
		CUSTOS_SIGN_KEY=$T/k.pem
		export CUSTOS_SIGN_KEY
	else
		must "$CUSTOS" case init "$c" --case-id A4403052026110001 \
			--manifest "$SRCDIR/fixtures/manifest/sample-seizure.json" >/dev/null
	fi
	must "$CUSTOS" --case "$c" import "$T/s/ios-backup-encrypted" \
		--password-file "$T/s/ios-backup-encrypted.password" >/dev/null 2>&1
	must "$CUSTOS" --case "$c" import "$T/bad" --format android-dir --item X9 \
		--new-item --reason "found in the evidence bag" >/dev/null
	must "$CUSTOS" --case "$c" case set 'seizure.items[0].os_version' '"17.3.1"' \
		--reason "typed from the label" >/dev/null
	must "$CUSTOS" --case "$c" custody add --action NOTE --actor "$CUSTOS_EXAMINER" \
		--note "bag resealed" >/dev/null
	"$CUSTOS" --case "$c" parse >/dev/null 2>&1
	[ $? -eq 5 ] || bail "parse of $c: expected exit 5 (one damaged database)"
	must "$CUSTOS" --case "$c" report >/dev/null
	if [ "$2" = seal-sign ]; then
		must "$CUSTOS" --case "$c" seal -o "$T/$1.out" --sign "$T/k.pem" >/dev/null
	else
		must "$CUSTOS" --case "$c" seal -o "$T/$1.out" >/dev/null
	fi
	unset CUSTOS_SIGN_KEY
	PKG=$(ls "$T/$1.out/"*.custos.zip)
	unzip -p "$PKG" custody/log.jsonl >"$T/$1.log"
	kinds=$(python3 -c 'import json,sys
print(" ".join(sorted({json.loads(l)["body"]["event"] for l in open(sys.argv[1])})))' "$T/$1.log")
	is "$kinds" "$(echo $KINDS | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" \
		"$1: the sealed log holds every kind of the matrix"
	run "$1: the untampered package verifies (custos verify, verify.sh)" sh -c \
		'"$1" verify "$2" ${3:+--pubkey "$3"} && unzip -p "$2" verify.sh >"$4" && sh "$4" "$2" $3' \
		sh "$CUSTOS" "$PKG" "$([ "$2" = plain ] || echo "$PUB")" "$T/verify.sh"
}

# detect NAME FILE RE-CUSTOS RE-SH [PUB]: custos verify and verify.sh
# (with PUB when given) exit 1 and name a check matching their RE on a
# FAIL line.
detect() {
	if [ -n "${5:-}" ]; then
		expect_exit 1 "$1: custos verify --pubkey exits 1" "$CUSTOS" verify "$2" --pubkey "$5"
	else
		expect_exit 1 "$1: custos verify exits 1" "$CUSTOS" verify "$2"
	fi
	like "$(cat "$T/last.out")" "^FAIL ($3)" "$1: custos verify names the check"
	expect_exit 1 "$1: verify.sh exits 1" sh "$T/verify.sh" "$2" ${5:-}
	like "$(cat "$T/last.out")" "^FAIL ($4)" "$1: verify.sh names the check"
}

# tamper MODE PKG KIND: a fresh tampered copy $T/t/X.zip (no stale sidecars)
tamper() {
	rm -rf "$T/t" && mkdir "$T/t" && $TAMPER "$1" "$2" "$T/t/X.zip" "$3" ||
		bail "custody_tamper.py $1 $3 failed"
}

for how in plain seal-sign case-sign; do
	case $how in
	plain) cfg=U pub= ;;
	seal-sign) cfg=S pub=$PUB ;;
	case-sign) cfg=K pub=$PUB ;;
	esac
	build $cfg $how
	for kind in $KINDS; do
		tamper asis "$PKG" "$kind"
		detect "$cfg $kind asis" "$T/t/X.zip" \
			'custody-chain|custody-head|entry custody/log.jsonl' 'custody-chain|custody-head' "$pub"
		tamper rechain "$PKG" "$kind"
		detect "$cfg $kind rechain (with the key)" "$T/t/X.zip" 'signature|seal-signature' \
			'signature|seal-signature' "$PUB"
		if [ $cfg = K ]; then
			expect_exit 1 "K $kind rechain: custos verify without a key exits 1" "$CUSTOS" verify "$T/t/X.zip"
			like "$(cat "$T/last.out")" '^FAIL custody-chain: .* is unsigned, but the case is signed' \
				"K $kind rechain: custos verify names the unsigned entry of the signed case"
		fi
	done
done

# manifest.initial.json (U: no key needed, its hash is in CASE_INIT)
PKG=$(ls "$T/U.out/"*.custos.zip)
like "$(sh "$T/verify.sh" "$PKG")" '^ok   manifest-initial: manifest.initial.json is CASE_INIT' \
	"verify.sh: the sealed manifest.initial.json is CASE_INIT's"
tamper initial "$PKG" -
detect "U manifest.initial.json changed" "$T/t/X.zip" 'manifest-initial' 'manifest-initial'
like "$(cat "$T/last.out")" '^FAIL manifest-initial: manifest.initial.json \(sha256 [0-9a-f]{64}\) is not the manifest CASE_INIT names' \
	"verify.sh names both hashes"
tamper noinitial "$PKG" -
expect_exit 0 "U without manifest.initial.json (older custos): verify.sh passes" sh "$T/verify.sh" "$T/t/X.zip"
like "$(cat "$T/last.out")" '^note manifest-initial: no manifest.initial.json' "verify.sh notes its absence"
tap_done
