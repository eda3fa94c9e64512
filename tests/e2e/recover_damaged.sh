#!/bin/sh
# recover_damaged.sh - `custos recover FILE --json` on about a hundred
# damaged copies of two realistic phone databases
# (fixtures/recovery/make-damaged.py: truncations at many offsets, zeroed
# pages, bad trigger / index / view / table definitions, bogus header
# fields, broken interior pointers, random byte damage, appended garbage).
# Each run finishes within `timeout -k 5 30`, exits 0 (or 3: not SQLite)
# and never by a signal, prints only JSON objects (one per line: a record,
# or the {"error": ...} object of a file that is not SQLite), and
# leaves the file byte-identical with nothing created beside it. On the
# pristine bases, which had no row deleted, no sms / message row is
# reported.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup recover_damaged
export PYTHONDONTWRITEBYTECODE=1
FX=$SRCDIR/fixtures/recovery
D=$T/damaged
must python3 "$FX/make-damaged.py" "$D" >/dev/null
names=$(python3 -c 'import json,sys; print(" ".join(v["name"] for v in json.load(open(sys.argv[1]))["variants"]))' \
	"$D/manifest.json")
python3 -c 'import json,sys; [print(v["name"] + "\t" + v["detail"]) for v in json.load(open(sys.argv[1]))["variants"]]' \
	"$D/manifest.json" >"$T/details.tsv"
n=0
for v in $names; do n=$((n + 1)); done
[ "$n" -ge 100 ] || bail "only $n damaged variants"
tap_plan $((n + 3))
chmod a-w "$D"/damaged/*.db "$D"/base/*.db
jsonl_ok() { # jsonl_ok FILE: every non-empty line is a JSON object with values
	python3 -c '
import json, sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if l.strip():
        r = json.loads(l)
        assert isinstance(r, dict) and (isinstance(r.get("values"), list) or isinstance(r.get("error"), dict)), \
            "line %d" % n
' "$1" 2>/dev/null
}
ls_before=$(ls -a "$D/damaged" | sort)
for v in $names; do
	f=$D/damaged/$v
	sum=$(sha256sum <"$f")
	timeout -k 5 30 "$CUSTOS" recover "$f" --json >"$T/out.jsonl" 2>"$T/err.txt"
	st=$?
	why=
	case $st in
	0 | 3) ;;
	124 | 137) why="hung (killed after 30 s)" ;;
	*) why="exit $st$([ $st -gt 128 ] && echo " (signal $((st - 128)))")" ;;
	esac
	[ -z "$why" ] && ! jsonl_ok "$T/out.jsonl" && why="output is not one JSON object per line"
	[ -z "$why" ] && [ "$(sha256sum <"$f")" != "$sum" ] && why="the file changed"
	detail=$(awk -F '\t' -v n="$v" '$1 == n { print $2 }' "$T/details.tsv")
	if [ -z "$why" ]; then
		ok 0 "$v ($detail): exit $st, $(grep -c . "$T/out.jsonl") output lines"
	else
		ok 1 "$v ($detail): $why"
		sed 's/^/#   /' "$T/err.txt" | head -5
	fi
done
is "$(ls -a "$D/damaged" | sort)" "$ls_before" "no -wal / -shm / -journal created beside the damaged files"
for b in mmssms.db:sms EnMicroMsg.db:message; do
	db=${b%%:*} tab=${b#*:}
	timeout -k 5 30 "$CUSTOS" recover "$D/base/$db" --json >"$T/base.jsonl" 2>"$T/err.txt"
	st=$?
	is "$st $(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if l.strip() and json.loads(l).get("table") == sys.argv[2]))' \
		"$T/base.jsonl" "$tab" 2>&1)" "0 0" "pristine $db (nothing deleted): exit 0, no $tab row reported"
done
tap_done
