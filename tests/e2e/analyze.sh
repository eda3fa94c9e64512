#!/bin/sh
# analyze.sh - the analysis of a case on two fixture phones that share a
# counterpart in different spellings (fixtures/analysis/make-phones.py),
# imported and parsed through the real path: the hits per kind against the
# hand-written fixtures/analysis/expected-hits.tsv (every expected hit found,
# no other hit: recall and false positives counted exactly, per kind), the
# links against expected-links.tsv with their evidence on both devices, the
# ANALYZE custody entry, idempotence (a second run gives the same rows, read
# back with sqlite3), verify CASE after it, and the graph: DOT opened by
# Graphviz (dot -Tsvg), GraphML well-formed (xmllint), hostile names escaped.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup analyze
tap_plan 61
export SOURCE_DATE_EPOCH=1795000000
cd "$T" || exit 1
FX=$SRCDIR/fixtures/analysis

must python3 "$FX/make-phones.py" phones
run "case init" "$CUSTOS" case init case --case-id T2026-ANA-0001
run "import PA" "$CUSTOS" --case case import phones/PA --format android-dir --item PA
run "import PB" "$CUSTOS" --case case import phones/PB --format android-dir --item PB
run "parse (analyses too)" "$CUSTOS" --case case parse
like "$(cat "$T/last.out")" '^analysis: 11 code words, 6 crypto addresses, 5 tracking numbers, 2 pick-up codes, 1 bank cards, 10 phone numbers; 7 links$' \
	"parse's summary has the analysis line"
db=case/case.db

# 1. hits: expected vs found, per kind (multisets of item, artifact, kind, normalized)
sqlite3 -separator '	' "$db" "SELECT item_id, artifact, kind, normalized FROM hits" >hits.tsv
python3 - "$FX/expected-hits.tsv" hits.tsv >score.txt <<'PY'
import collections, sys
def load(p):
    c = collections.Counter()
    for line in open(p, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            c[tuple(line.split("\t")[:4])] += 1
    return c
exp, got = load(sys.argv[1]), load(sys.argv[2])
kinds = ["code_word", "crypto_address", "tracking_number", "pickup_code", "bank_card", "phone_number"]
for k in kinds:
    e = sum(n for key, n in exp.items() if key[2] == k)
    tp = sum(min(n, got[key]) for key, n in exp.items() if key[2] == k)
    fp = sum(n - min(n, exp[key]) for key, n in got.items() if key[2] == k)
    print("%s expected=%d found=%d false_positives=%d" % (k, e, tp, fp))
for key, n in sorted((exp - got).items()):
    print("# missed %s x%d" % ("|".join(key), n))
for key, n in sorted((got - exp).items()):
    print("# false positive %s x%d" % ("|".join(key), n))
PY
grep '^#' score.txt
for kv in code_word:11 crypto_address:6 tracking_number:5 pickup_code:2 bank_card:1 phone_number:10; do
	k=${kv%%:*}
	n=${kv#*:}
	like "$(grep "^$k " score.txt)" "^$k expected=$n found=$n false_positives=0\$" \
		"$k: all $n expected hits found, no false positive"
done
is "$(sqlite3 "$db" "SELECT count(*) FROM hits WHERE offset IS NULL OR offset < 0 OR rule IS NULL OR rule = ''")" 0 \
	"every hit has an offset and a rule"
# the offset is the byte offset of value in the text (substr on a blob counts bytes)
is "$(sqlite3 "$db" "SELECT count(*) FROM hits h JOIN messages m ON m.message_id = h.artifact_id WHERE h.artifact = 'messages' AND substr(CAST(m.body AS BLOB), h.offset + 1, length(CAST(h.value AS BLOB))) <> CAST(h.value AS BLOB)")" 0 \
	"every message hit's offset points at its value in the body"
is "$(sqlite3 "$db" "SELECT count(*) FROM hits WHERE kind = 'code_word' AND artifact = 'messages' AND artifact_id IN (SELECT message_id FROM messages WHERE body LIKE '%冰箱%' OR body LIKE '%冰淇淋%')")" 0 \
	"no code word in the messages of innocent compounds (冰箱, 冰淇淋, 溜冰场)"

# 2. links: exactly the expected ones, evidence naming rows on both devices
sqlite3 -separator '	' "$db" "SELECT kind, normalized, item_a, item_b FROM links ORDER BY link_id" >links.tsv
grep -v '^#' "$FX/expected-links.tsv" >links.want
run "links are exactly the expected ones, in order" diff -u links.want links.tsv
sqlite3 "$db" "SELECT evidence FROM links WHERE kind = 'phone_number'" >ev.json
python3 - ev.json >ev.out 2>&1 <<'PY'
import json, sys
ev = json.load(open(sys.argv[1], encoding="utf-8"))
a, b = ev["a"], ev["b"]
assert a["item"] == "PA" and b["item"] == "PB", (a["item"], b["item"])
va = {(r["table"], r["value"]) for r in a["rows"]}
vb = {(r["table"], r["value"]) for r in b["rows"]}
assert ("contacts", "+86 138-0013-8000") in va, va
assert ("calls", "+86 138 0013 8000") in va, va
assert ("contacts", "13800138000") in vb, vb
assert ("calls", "13800138000") in vb, vb
for r in a["rows"] + b["rows"]:
    if r["table"] in ("contacts", "calls", "messages"):
        assert isinstance(r["source_id"], int) and r["device_path"].startswith("/data/data/"), r
assert a["count"] >= len(a["rows"]) and b["count"] >= len(b["rows"])
PY
ok $? "phone link evidence: both spellings, each row with its source file" || sed 's/^/#   /' ev.out
like "$(sqlite3 "$db" "SELECT evidence FROM links WHERE normalized = 'wxid_buyer_xm'")" '"role":"account"' \
	"an account of PB seen as a contact on PA: evidence says account"

# 3. custody: ANALYZE with lexicon files and their hashes, counts, case.db's hash
entry=$(grep '"event":"ANALYZE"' case/custody/log.jsonl | tail -n 1)
python3 - "$entry" "$db" >cust.out 2>&1 <<'PY'
import hashlib, json, sys
d = json.loads(sys.argv[1])["body"]["details"]
assert d["lexicon"]["files"], d["lexicon"]
for f in d["lexicon"]["files"]:
    assert hashlib.sha256(open(f["path"], "rb").read()).hexdigest() == f["sha256"], f
assert d["hits"]["code_word"] == 11 and d["links"] == 7, d
assert d["case_db_sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
PY
ok $? "ANALYZE entry: lexicon files with their SHA-256, counts, case.db's hash" || sed 's/^/#   /' cust.out
run "verify CASE after parse + analyze" "$CUSTOS" verify case

# 4. idempotence: a second run gives the same hits and links
dump() { sqlite3 "$db" "SELECT * FROM hits ORDER BY hit_id; SELECT * FROM links ORDER BY link_id"; }
dump >run1.txt
run "analyze again" "$CUSTOS" --case case analyze
dump >run2.txt
run "the same hits and links, row for row" cmp run1.txt run2.txt
is "$(grep -c '"event":"ANALYZE"' case/custody/log.jsonl)" 2 "two ANALYZE entries"
run "verify CASE after the second analyze" "$CUSTOS" verify case
like "$(cat "$T/last.out")" 'case.db sha256 [0-9a-f]{64} matches' "case.db matches the last ANALYZE entry"

# 5. the graph
run "analyze --graph g.dot" "$CUSTOS" --case case analyze --graph g.dot
run "Graphviz opens the DOT graph" dot -Tsvg -o g.svg g.dot
like "$(grep -F 'alert(1)' g.dot)" 'label="\\"\];n1--n2\[label=\\"x' "the hostile name is one quoted DOT label"
run "analyze --graph g.graphml" "$CUSTOS" --case case analyze --graph g.graphml
run "the GraphML is well-formed XML" xmllint --noout g.graphml
is "$(xmllint --xpath 'count(//*[local-name()="script"])' g.graphml)" 0 "no element smuggled in by a name"
run "analyze --graph g.svg (custos's own drawing)" "$CUSTOS" --case case analyze --graph own.svg
run "custos's SVG is well-formed XML" xmllint --noout own.svg
python3 - g.graphml >gml.out 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
g = ET.parse(sys.argv[1]).getroot().find("g:graph", ns)
label = {n.get("id"): n.find("g:data[@key='label']", ns).text for n in g.findall("g:node", ns)}
ident = {n.get("id"): n.find("g:data[@key='ident']", ns).text for n in g.findall("g:node", ns)}
items = {i for i, v in ident.items() if v.startswith("item:")}
assert len(items) == 2, ident
# the dealer is one node tied to both phones
k = [i for i, v in ident.items() if v == "wechat_id:wxid_k8dealer88"]
assert len(k) == 1, ident
ends = {(e.get("source"), e.get("target")) for e in g.findall("g:edge", ns)}
assert sum(1 for s, t in ends if k[0] in (s, t) and ({s, t} & items)) == 2, ends
assert any(e.find("g:data[@key='kind']", ns).text == "link" for e in g.findall("g:edge", ns))
assert any("<script>" in (v or "") for v in label.values()), label  # kept as text
PY
ok $? "graph: two item nodes, the dealer one node tied to both, a link edge, names as text" ||
	sed 's/^/#   /' gml.out

# 6. an agency's own lexicon file, given to analyze (and to parse)
printf '老地方\tmeeting-place\tthe usual place\ttest\n' >agency.tsv
run "analyze --lexicon agency.tsv" "$CUSTOS" --case case analyze --lexicon agency.tsv
is "$(sqlite3 "$db" "SELECT item_id || ' ' || artifact || ' ' || value FROM hits WHERE normalized = '老地方'")" "PA messages 老地方" \
	"the agency's term is found (once, in PA's SMS)"
like "$(grep '"event":"ANALYZE"' case/custody/log.jsonl | tail -n 1)" "\"path\":\"[^\"]*agency.tsv\",\"sha256\":\"$(sha256sum agency.tsv | cut -d' ' -f1)\"" \
	"the ANALYZE entry names agency.tsv with its SHA-256"
expect_exit 3 "a missing --lexicon file is an input error" "$CUSTOS" --case case analyze --lexicon nope.tsv
like "$(cat "$T/last.err")" "nope.tsv" "the message names the file"
run "parse --lexicon agency.tsv passes it on" "$CUSTOS" --case case parse --lexicon agency.tsv
is "$(sqlite3 "$db" "SELECT count(*) FROM hits WHERE normalized = '老地方'")" 1 "parse analysed with the agency's file too"

# 7. recovered records of tables no parser maps (recovered_records.values_json):
# each string value is a text; a row as SQLite recovery writes it
sqlite3 "$db" "INSERT INTO recovered_records(item_id, source_id, table_name, candidates, source_page, source_offset, source_file, status, partial, values_json) VALUES ('PB', 1, NULL, '[\"a\",\"b\"]', 3, 1200, 'db', 'deleted', 0, '[12,\"钱转到 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\",null]')"
ok $? "a recovered record added to case.db (sqlite3)"
run "analyze with the recovered record" "$CUSTOS" --case case analyze
is "$(sqlite3 "$db" "SELECT kind || ' ' || field || ' ' || offset || ' ' || normalized FROM hits WHERE artifact = 'recovered_records'")" \
	"crypto_address values_json[1] 10 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" \
	"its string value scanned: the address found at its byte offset in that value"

# 8. the report: hits by value, links with their evidence, the graph, marked bodies
run "report" "$CUSTOS" --case case report --format html
R=case/report
ok "$([ -s $R/hitvalues.html ] && [ -s $R/links.html ] && [ -s $R/links-graph.svg ]; echo $?)" \
	"hits-by-value page, links page and graph written"
is "$(grep -rl '<script>alert\|<img src=x' $R --include='*.html' --include='*.svg' | wc -l | tr -d ' ')" 0 \
	"no hostile body or name is markup in any page or the graph"
like "$(cat $R/chats/wechat/*.html)" "&lt;script&gt;alert\\(&#39;x&#39;\\)&lt;/script&gt;&lt;b&gt;<mark class=\"hit\" title=\"code_word · [^\"]+\">K粉</mark>" \
	"the hostile body shows as text, its code word marked with the rule in the title"
like "$(cat $R/hitvalues.html)" '<h3><mark><bdi>\+8613800138000</bdi></mark> · 8 × · 2 item\(s\)</h3>' \
	"hits by value: the shared number, 8 occurrences on 2 items"
like "$(cat $R/links.html)" 'wxid_k8dealer88.*<b>PA</b>.*<b>PB</b>' "links page: the dealer's WeChat ID with both sides"
run "the report's graph is well-formed XML" xmllint --noout $R/links-graph.svg
rlo=$(printf '\342\200\256')
is "$(cat g.dot g.graphml own.svg $R/links-graph.svg $R/links-graph.dot | grep -c "$rlo")" 0 \
	"no raw right-to-left override of a name in any graph"
run "verify CASE after the report" "$CUSTOS" verify case
# Chromium renders the pages under their CSP: the hostile body and name stay text nodes
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --user-data-dir=$T/chrome"
chat=$(grep -l 'alert(&#39;x&#39;)' $R/chats/wechat/*.html | head -n 1)
for page in "$chat" "$R/links.html" "$R/hitvalues.html"; do
	HOME=$T timeout -k 10 120 chromium $CHROME_FLAGS --virtual-time-budget=3000 --dump-dom "file://$PWD/$page" >page.dom 2>chrome.err
	st=$?
	[ $st -eq 0 ] && [ -s page.dom ] && ! grep -qE '<(script>|img src="x"|b>K粉)' page.dom &&
		grep -qE "&lt;script&gt;alert|wxid_k8dealer88" page.dom
	ok $? "Chromium: ${page#$R/} rendered, the hostile text is text, no injected element"
done

# 9. one writer of case.db at a time: the lock parse takes on CASE/work
expect_exit 3 "analyze while the case is locked (a parse running): refused" \
	flock case/work "$CUSTOS" --case case analyze
like "$(cat "$T/last.err")" 'another `custos parse` or `custos analyze` is running on this case' \
	"the refusal says why"

# 10. no lexicon to be found: parse still writes case.db, says the analysis
# failed (exit 3) and leaves case.db as PARSE recorded it
expect_exit 3 "parse with no lexicon directory: exit 3" env CUSTOS_DATADIR="$T/none" "$CUSTOS" --case case parse
like "$(cat "$T/last.err")" "case.db was written, but analyze: loading the lexicon: .*$T/none" \
	"the message says case.db was written and why the analysis failed"
"$CUSTOS" verify case >verify.out 2>&1
like "$(cat verify.out)" '^ok   case-db: case.db sha256 [0-9a-f]{64} matches' "case.db is still the one PARSE recorded"
is "$(sqlite3 "$db" "SELECT count(*) FROM hits")" 0 "a new case.db without hits (not the old ones)"
tap_done
