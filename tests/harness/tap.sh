# tap.sh - TAP helpers for shell tests. Source it, then call ok/is/...,
# and finish with tap_done. Every test gets a fresh $T work directory.
tap_n=0
tap_fail=0
ok() { # ok CONDITION-EXIT-STATUS NAME
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_fail=$((tap_fail + 1)); fi
}
# run NAME CMD...: passes when CMD exits 0.
run() { name=$1; shift; "$@" >"$T/last.out" 2>"$T/last.err"; st=$?; ok $st "$name"; [ $st -eq 0 ] || { sed 's/^/#   /' "$T/last.err" | head -20; }; return $st; }
# expect_exit CODE NAME CMD...: passes when CMD exits with CODE.
expect_exit() { code=$1; name=$2; shift 2; "$@" >"$T/last.out" 2>"$T/last.err"; st=$?
	if [ $st -eq "$code" ]; then ok 0 "$name"; else ok 1 "$name (exit $st, want $code)"; sed 's/^/#   /' "$T/last.err" | head -20; fi; }
is() { # is GOT WANT NAME
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}
like() { # like TEXT REGEX NAME (grep -E)
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; printf '%s\n' "$1" | head -10 | sed 's/^/#   /'; echo "#   want match: $2"; fi
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
diag() { echo "# $*"; }
tap_done() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; exit $?; }
# mkcase DIR: a case for the import tests (custos case init; should init
# fail, a bare manifest and an empty custody log, so import is still tested).
mkcase() {
	"$CUSTOS" case init "$1" --case-id "T-IMPORT" >/dev/null 2>&1 ||
		{ mkdir -p "$1/custody" && echo '{}' >"$1/manifest.json" && : >"$1/custody/log.jsonl"; }
}
tap_setup() { # tap_setup NAME: fresh $T under $TESTTMP
	: "${TESTTMP:=/tmp/custos-tests}"
	T="$TESTTMP/$1.$$"
	chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; mkdir -p "$T"
	export T
}
