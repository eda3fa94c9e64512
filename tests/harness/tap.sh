# tap.sh - TAP helpers for shell tests. Source it, declare the plan with
# tap_plan N before the first test, call ok/is/..., and finish with
# tap_done. A script that stops early (or runs more points than planned)
# fails: the driver sees the plan first and tap_done compares the counts.
# Every test gets a fresh $T work directory.
# Commands that change the record refuse without a named examiner: the
# suite names one; tests of that refusal unset it.
export CUSTOS_EXAMINER="${CUSTOS_EXAMINER:-Tap Examiner}"
tap_n=0
tap_fail=0
tap_planned=
exec 9>&1 # the TAP stream: bail and must report here even under a redirect
tap_plan() { # tap_plan N: declares N test points; once, before the first
	[ -z "$tap_planned" ] && [ "$tap_n" -eq 0 ] || bail "tap_plan called twice or after a test"
	tap_planned=$1
	echo "1..$1"
}
bail() { echo "Bail out! $*" >&9; exit 1; } # stops the script; the driver reports an ERROR
ok() { # ok CONDITION-EXIT-STATUS NAME
	[ -n "$tap_planned" ] || bail "test point before tap_plan"
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_fail=$((tap_fail + 1)); fi
}
# todo CONDITION-EXIT-STATUS NAME REASON: a known gap, named with its reason.
# Failing, it is reported "not ok ... # TODO" (automake: XFAIL, not a failure);
# passing, "ok ... # TODO" (XPASS, which fails the suite: the gap is closed,
# remove it from the list of known gaps).
todo() {
	[ -n "$tap_planned" ] || bail "test point before tap_plan"
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2 # TODO $3"; else echo "not ok $tap_n - $2 # TODO $3"; fi
}
# run NAME CMD...: passes when CMD exits 0.
run() { name=$1; shift; "$@" >"$T/last.out" 2>"$T/last.err"; st=$?; ok $st "$name"; [ $st -eq 0 ] || { sed 's/^/#   /' "$T/last.err" | head -20; }; return $st; }
# expect_exit CODE NAME CMD...: passes when CMD exits with CODE.
expect_exit() { code=$1; name=$2; shift 2; "$@" >"$T/last.out" 2>"$T/last.err"; st=$?
	if [ $st -eq "$code" ]; then ok 0 "$name"; else ok 1 "$name (exit $st, want $code)"; sed 's/^/#   /' "$T/last.err" | head -20; fi; }
# nok STATUS NAME: passes when a grep/cmp-like check found nothing or a
# difference (exit 1); exit 0 or an error (exit 2 and up) fails.
nok() {
	if [ "$1" -eq 1 ]; then ok 0 "$2"; else ok 1 "$2 (exit $1, want 1)"; fi
}
is() { # is GOT WANT NAME
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}
same() { # same GOT WANT NAME: is, for two computed values; an empty WANT fails
	if [ -z "$2" ]; then ok 1 "$3 (nothing to compare: empty)"; return; fi
	is "$1" "$2" "$3"
}
like() { # like TEXT REGEX NAME (grep -E); an empty REGEX (a lost value) fails
	if [ -z "$2" ]; then ok 1 "$3 (empty pattern)"; return; fi
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; printf '%s\n' "$1" | head -10 | sed 's/^/#   /'; echo "#   want match: $2"; fi
}
skip() { [ -n "$tap_planned" ] || bail "test point before tap_plan"; tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
skip_rest() { # skip_rest REASON: skips every planned point not run yet
	while [ "$tap_n" -lt "${tap_planned:-0}" ]; do skip "$1"; done
}
# shared_missing REASON: for tests that need ../shared/samples. With CI=true
# (CI has ../shared) the script bails out and fails; elsewhere it skips the
# points left with the reason and ends the script.
shared_missing() {
	[ "${CI:-}" = true ] && bail "$1 (CI=true: ../shared must be present)"
	diag "skipping the rest: $1 (outside CI)"
	skip_rest "$1"
	tap_done
}
diag() { echo "# $*"; }
tap_done() {
	[ -n "$tap_planned" ] || { echo "# no plan declared (tap_plan)"; exit 1; }
	[ "$tap_n" -eq "$tap_planned" ] || { echo "# planned $tap_planned tests, ran $tap_n"; exit 1; }
	[ "$tap_fail" -eq 0 ]; exit $?; }
# must CMD...: a set-up step that is not itself a test point; if it fails
# the script bails out (stdout passes through, stderr shown on failure).
must() {
	"$@" 2>"$T/last.must" && return 0
	set -- "$?" "$@"
	echo "# exit $1: $(shift; printf '%s ' "$@")" >&9
	sed "s/^/#   /" "$T/last.must" | tail -20 >&9
	bail "set-up step failed: $2"
}
# mkcase DIR: a case for the import tests (custos case init). A failing
# case init fails the test: there is no hand-made fallback case.
mkcase() { must "$CUSTOS" case init "$1" --case-id "T-IMPORT" >/dev/null; }
tap_setup() { # tap_setup NAME: fresh $T under $TESTTMP
	: "${TESTTMP:=/tmp/custos-tests}"
	T="$TESTTMP/$1.$$"
	chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; mkdir -p "$T"
	export T
}
