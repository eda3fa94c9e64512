#!/bin/sh
# cli_secrets.sh - secrets stay in memory only. While custos waits for a
# backup password on a pipe it cannot dump core (RLIMIT_CORE 0 seen from
# /proc, PR_GET_DUMPABLE 0 and the limit seen from inside through the
# CUSTOS_TEST_SECRET_REPORT hook, which also says the secret was locked);
# package passwords and signing keys likewise. Long options never abbreviate
# (getopt_long would read "--password X" as "--password-file X"), for every
# command that parses options, and a value that may be a password (given to
# an abbreviated option, or as a --password-file that cannot be read) is
# never echoed.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup cli_secrets
tap_plan 57

GEN="python3 $SRCDIR/fixtures/import/mk_ab.py"
SECRET=hunter2XYZ
printf 'ab-pass-7\n' >"$T/pw"
must $GEN "$T/enc.ab" "$T/enc.exp" --version 5 --compressed 1 --password-file "$T/pw" --rounds 2000
C=$T/case
mkcase "$C"

# --- core dumps while the password is awaited, and while it is held ----
mkfifo "$T/fifo"
(
	ulimit -c unlimited 2>/dev/null || ulimit -c 100000 2>/dev/null
	CUSTOS_TEST_SECRET_REPORT=$T/report
	export CUSTOS_TEST_SECRET_REPORT
	exec "$CUSTOS" --case "$C" import "$T/enc.ab" --item AB --password-file "$T/fifo"
) >"$T/imp.out" 2>"$T/imp.err" &
pid=$!
core=
i=0
while [ $i -lt 100 ]; do # custos blocks opening the pipe until we write
	core=$(awk '/^Max core file size/ {print $5 "/" $6}' "/proc/$pid/limits" 2>/dev/null)
	case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
	*custos) [ "$core" = 0/0 ] && break ;;
	esac
	sleep 0.05
	i=$((i + 1))
done
is "$core" 0/0 "waiting for the password: core file size 0 (soft/hard) in /proc/PID/limits"
printf 'ab-pass-7\n' >"$T/fifo"
wait $pid
ok $? "the import then finishes with the password from the pipe"
[ -s "$T/report" ]
ok $? "the secret was held (test hook report written)"
grep -v '^dumpable=0 core=0/0 ' "$T/report" | sed 's/^/#   /'
grep -qv '^dumpable=0 core=0/0 ' "$T/report"
nok $? "every time a secret was held: PR_GET_DUMPABLE 0 and RLIMIT_CORE 0/0"
grep -q "locked=1 secure_heap=1" "$T/report"
ok $? "the secret's pages were locked (mlock) and OpenSSL has its secure heap"
grep -rqa 'ab-pass-7' "$T/imp.out" "$T/imp.err" "$C"
nok $? "the password is in no output and no case file"

# A private key written (keygen), then the package password and the
# signing key read (seal --encrypt --sign; whether the seal itself is
# allowed does not matter here: both are read first).
CUSTOS_TEST_SECRET_REPORT=$T/kreport "$CUSTOS" keygen -o "$T/key.pem" >/dev/null 2>"$T/keygen.err"
grep -q '^dumpable=0 core=0/0 locked=1' "$T/kreport" && ! grep -qv '^dumpable=0 core=0/0 ' "$T/kreport"
ok $? "keygen: the private key's PEM text held locked with dumps off"
rm -f "$T/report"
CUSTOS_EXAMINER="Test Examiner" CUSTOS_TEST_SECRET_REPORT=$T/report "$CUSTOS" --case "$C" seal \
	--allow-incomplete --encrypt --password-file "$T/pw" --sign "$T/key.pem" -o "$T/pkg.zip" \
	>"$T/seal.out" 2>"$T/seal.err"
n=$(grep -c '^dumpable=0 core=0/0 ' "$T/report" 2>/dev/null)
[ "${n:-0}" -ge 1 ]
ok $? "seal: package password (and signing key) held with dumps off ($n report lines)"
grep -qv '^dumpable=0 core=0/0 ' "$T/report"
nok $? "seal: no secret held while dumpable"

# --- options are never abbreviated --------------------------------------
# refused NAME SHOWN ARGS...: exit 2, "unknown option --SHOWN (options are
# never abbreviated)" on stderr, and $SECRET on neither stream.
refused() {
	name=$1 shown=$2
	shift 2
	expect_exit 2 "$name: refused (exit 2)" "$@"
	like "$(cat "$T/last.err")" "unknown option --$shown \(options are never abbreviated\)" \
		"$name: says options are never abbreviated"
	cat "$T/last.out" "$T/last.err" | grep -qF "$SECRET"
	nok $? "$name: the value is not echoed"
}
refused "import --password X" password "$CUSTOS" --case "$C" import "$T/enc.ab" --password "$SECRET"
refused "import --password=X" password "$CUSTOS" --case "$C" import "$T/enc.ab" --password="$SECRET"
refused "seal --password X" password "$CUSTOS" --case "$C" seal --encrypt --password "$SECRET"
refused "verify --password X" password "$CUSTOS" verify "$T/pkg.zip" --password "$SECRET"
refused "run --password X" password "$CUSTOS" run "$T/enc.ab" --case-id X -o "$T/run" --password "$SECRET"
refused "global --ca DIR" ca "$CUSTOS" --ca "$SECRET" parse
refused "case init --case-i" case-i "$CUSTOS" case init "$T/c2" --case-i "$SECRET"
refused "parse --ite" ite "$CUSTOS" --case "$C" parse --ite "$SECRET"
refused "report --form" form "$CUSTOS" --case "$C" report --form "$SECRET"
refused "custody add --act" act "$CUSTOS" --case "$C" custody add --act "$SECRET" --actor A
refused "custody show --lo" lo "$CUSTOS" --case "$C" custody show --lo "$SECRET"
refused "custody verify --pub" pub "$CUSTOS" --case "$C" custody verify --pub "$SECRET"
refused "keygen --out" out "$CUSTOS" keygen --out "$T/nodir/$SECRET"

# An "option" that does not look like an option name (a pasted password,
# terminal controls) is not shown either.
expect_exit 2 "unknown option --<password>: usage error" "$CUSTOS" --case "$C" parse "--$SECRET"
cat "$T/last.out" "$T/last.err" | grep -qF "$SECRET"
nok $? "unknown option --<password>: not echoed"

# --- a --password-file that cannot be read is not named -----------------
# (into a case of its own: the image is already in $C, and a second copy is
# refused before any password is asked for)
mkcase "$T/case3"
expect_exit 3 "import --password-file MISSING: input error" \
	"$CUSTOS" --case "$T/case3" import "$T/enc.ab" --item AB2 --password-file "$SECRET"
like "$(cat "$T/last.err")" "file given to --password-file cannot be read" "import: says what failed"
cat "$T/last.out" "$T/last.err" | grep -qF "$SECRET"
nok $? "import: the missing file's name (maybe a password) is not echoed"
expect_exit 3 "seal --encrypt --password-file MISSING: input error" \
	"$CUSTOS" --case "$C" seal --encrypt --password-file "$SECRET" -o "$T/pkg2.zip"
cat "$T/last.out" "$T/last.err" | grep -qF "$SECRET"
nok $? "seal: the missing file's name is not echoed"
expect_exit 3 "verify --password-file MISSING: input error" \
	"$CUSTOS" verify "$T/pkg.zip" --password-file "$SECRET"
cat "$T/last.out" "$T/last.err" | grep -qF "$SECRET"
nok $? "verify: the missing file's name is not echoed"
tap_done
