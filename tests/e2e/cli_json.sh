#!/bin/sh
# cli_json.sh - --json errors: every command, failing under --json (global
# or its own), prints exactly one JSON object on stdout, one line that
# python3's json.loads accepts, with {"error": {"code", "exit", "message"}}
# whose exit is the process's exit code; stderr keeps the human message.
# Usage errors found before the verb runs count too.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup cli_json
tap_plan 28

C=$T/case
mkcase "$C"
printf 'not a zip\n' >"$T/bad.zip"

# one NAME WANT-EXIT ARGS...: runs custos ARGS; one test point.
one() {
	name=$1 want=$2
	shift 2
	"$CUSTOS" "$@" >"$T/j.out" 2>"$T/j.err"
	st=$?
	python3 - "$T/j.out" "$T/j.err" "$st" "$want" <<'PY'
import json, sys
out = open(sys.argv[1], "rb").read()
err = open(sys.argv[2], "rb").read()
st, want = int(sys.argv[3]), int(sys.argv[4])
problems = []
if st != want:
    problems.append("exit %d, want %d" % (st, want))
lines = out.split(b"\n")
if len(lines) != 2 or lines[1] != b"":
    problems.append("stdout is not exactly one line: %r" % out[:300])
try:
    doc = json.loads(out.decode("utf-8"))
    e = doc["error"]
    if set(e) != {"code", "exit", "message"}:
        problems.append("error keys %s" % sorted(e))
    if e["exit"] != st:
        problems.append("error.exit %r, process exit %d" % (e["exit"], st))
    codes = {1: "integrity", 2: "usage", 3: "input", 4: "device", 5: "partial"}
    if e["code"] != codes.get(st, "error"):
        problems.append("error.code %r for exit %d" % (e["code"], st))
    if not isinstance(e["message"], str) or not e["message"]:
        problems.append("empty message")
    elif e["message"].encode() not in err and e["message"].split(":")[0].encode() not in err:
        problems.append("message %r not on stderr" % e["message"])
except Exception as x:
    problems.append("not a JSON error object: %r (%s)" % (out[:300], x))
if not err.strip():
    problems.append("stderr is empty")
for p in problems:
    print("#   " + p)
sys.exit(1 if problems else 0)
PY
	ok $? "$name"
}

one "no command" 2 --json
one "unknown command" 2 --json frobnicate
one "unknown global option" 2 --json --frob parse
one "abbreviated global option" 2 --json --ca "$C" parse
one "devices: unknown option" 2 --json devices --bogus
one "acquire" 2 --json acquire
one "recover: missing file" 3 --json recover "$T/x.db"
one "case init without --case-id" 2 --json case init "$T/c2"
one "case: unknown subcommand" 2 --json case frob
one "case init: --json after the verb, bad option first" 2 case init "$T/c3" --bogus --json
one "import: missing path" 3 --json --case "$C" import "$T/missing"
one "import: abbreviated option" 2 --json --case "$C" import "$T/missing" --pass X
one "parse: not a case" 3 --json --case "$T/nocase" parse
one "parse: stray argument" 2 --json --case "$C" parse extra
one "report: not a case" 3 --json --case "$T/nocase" report
one "report: bad --format" 2 --json --case "$C" report --format pdf
one "custody add: no --action" 2 --json --case "$C" custody add --actor A
one "custody show: missing log" 3 --json --case "$C" custody show --log "$T/none.jsonl"
one "custody: unknown subcommand" 2 --json --case "$C" custody frob
one "seal: not a case" 3 --json --case "$T/nocase" seal
one "seal: --password-file without --encrypt" 2 --json --case "$C" seal --password-file "$T/x"
one "verify: --expect-sha256 malformed" 2 --json verify "$T/bad.zip" --expect-sha256 12
one "run: missing arguments" 2 --json run
one "keygen: no -o" 2 --json keygen
one "keygen: --json after the verb" 2 keygen --json

# The documents of verify and custody verify carry the same error object.
"$CUSTOS" --json verify "$T/bad.zip" >"$T/v.out" 2>"$T/v.err"
st=$?
python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
e = d["error"]
assert d["ok"] is False and e["exit"] == int(sys.argv[2]) and e["code"] in ("integrity", "input"), d
' "$T/v.out" "$st"
ok $? "verify's failing report holds error {code, exit, message} (exit $st)"

# A partial import (exit 5) prints its own document: the error object is
# its "error" member, and it is still the one line on stdout.
must python3 "$SRCDIR/fixtures/import/mk_ios_backup.py" "$T/plain" --missing --unlisted >/dev/null
"$CUSTOS" --json --case "$C" import "$T/plain" >"$T/p.out" 2>"$T/p.err"
is "$?" 5 "partial import under --json: exit 5"
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert len(lines) == 2 and lines[1] == "", lines
d = json.loads(lines[0])
assert d["status"] == "partial" and d["files"] > 0, d
assert d["error"]["exit"] == 5 and d["error"]["code"] == "partial" and d["error"]["message"], d
' "$T/p.out"
ok $? "one object: the import summary with error {code partial, exit 5}"
tap_done
