#!/bin/sh
# seal_encrypt.sh - custos seal --encrypt: WinZip AES-256 for everything but
# the seal itself; the manifest stays readable, evidence does not, and
# custos verify needs (and checks with) the password.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_encrypt
tap_plan 19
MKCASE="$BUILDDIR/tests/unit/mkcase"
cd "$T" || exit 1
EV=evidence/A1/HomeDomain/Library/SMS/sms.db

run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate" "$MKCASE" case A1
CUSTOS_PACKAGE_PASSWORD='pa ss"word' "$CUSTOS" --case case seal -o d --encrypt >seal.out 2>seal.err
ok $? "seal --encrypt (password from CUSTOS_PACKAGE_PASSWORD)"
P=$(ls d/*.custos.zip)
grep -rq 'pa ss"word' d case seal.out seal.err
nok $? "the password is written nowhere"
like "$(unzip -l "$P")" "$EV" "unzip -l still lists the entries"
like "$(unzip -p "$P" manifest.json | head -n 3)" '"format": "custos-manifest"' "manifest.json readable by unzip -p"
seal=$(tail -n 1 seal.out)
is "$(unzip -p "$P" manifest.json | sha256sum | cut -c1-64)" "$seal" "seal hash checkable without the password"
run "VERIFY.md readable" sh -c "unzip -p '$P' VERIFY.md | grep -q 'Encrypted packages'"
enc=$(zipinfo -v "$P" | awk -v e="$EV" '/^Central directory entry/ {n=0} $0 ~ "^  "e"$" {n=1} n && /file security status/ {print; exit}')
like "$enc" 'encrypted' "evidence entry flagged encrypted"
unzip -p -P '' "$P" "$EV" </dev/null >plain.out 2>/dev/null
cmp -s plain.out "case/$EV"
nok $? "evidence not readable without the password"
expect_exit 3 "custos verify without the password: exit 3" "$CUSTOS" verify "$P"
like "$(cat "$T/last.out")" 'is encrypted: give the package password' "says a password is needed"
CUSTOS_PACKAGE_PASSWORD='pa ss"word' "$CUSTOS" verify "$P" >v.out 2>&1
ok $? "custos verify with CUSTOS_PACKAGE_PASSWORD passes"
like "$(cat v.out)" 'ok   files: ' "every file checked"
printf 'pa ss"word\n' >pw
run "verify --password-file" "$CUSTOS" verify "$P" --password-file pw
CUSTOS_PACKAGE_PASSWORD=wrong "$CUSTOS" verify "$P" >v2.out 2>&1
is "$?" 3 "wrong password: exit 3"
like "$(cat v2.out)" 'wrong package password' "wrong password named"
run "sh verify.sh on an encrypted package (seal checks only)" sh -c "unzip -p '$P' verify.sh >v.sh && sh v.sh '$P'"
like "$(cat "$T/last.out")" 'note encrypted package' "verify.sh says what it cannot check"
tap_done
