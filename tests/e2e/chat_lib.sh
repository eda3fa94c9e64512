# chat_lib.sh - shared helpers of the chat parser e2e tests (sourced after
# tap.sh and tap_setup). Runs the real pipeline: case init -> import of a
# directory laid out at device paths -> parse -> sqlite3 queries on case.db.
export SOURCE_DATE_EPOCH=1700000000
C="$T/case"
chat_case() { run "case init" "$CUSTOS" case init "$C" --case-id CHAT-TEST "$@"; }
# chat_import ITEM DIR
chat_import() { run "import $1" "$CUSTOS" --case "$C" import "$2" --format dir --item "$1"; }
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
# Messages of one item in the golden column order.
chat_messages() {
	cq "SELECT c.identifier, m.sender, m.sender_name, m.direction, m.sent_utc, m.sent_ms,
	 m.kind, m.body, m.raw_type, m.attachment, m.source_table, m.source_rowid
	 FROM messages m LEFT JOIN conversations c ON c.conversation_id = m.conversation_id
	 WHERE m.item_id = '$1' ORDER BY m.source_table, m.source_rowid"
}
chat_conversations() {
	cq "SELECT identifier, title, is_group FROM conversations WHERE item_id = '$1'
	 AND app = '$2' ORDER BY identifier"
}
chat_contacts() {
	cq "SELECT identifier, display_name, alias, remark, phone, source_table, source_rowid
	 FROM contacts WHERE item_id = '$1' AND app = '$2' ORDER BY source_table, source_rowid"
}
chat_calls() {
	cq "SELECT counterpart, direction, started_utc, started_ms, duration_s, answered,
	 source_table, source_rowid FROM calls WHERE item_id = '$1' AND app = '$2'
	 ORDER BY source_table, source_rowid"
}
chat_accounts() {
	cq "SELECT app, identifier, display_name FROM accounts WHERE item_id = '$1'
	 AND app = '$2' ORDER BY identifier"
}
# golden NAME TEXT: TEXT must equal tests/golden/NAME.txt exactly.
golden() {
	want=$(cat "$SRCDIR/tests/golden/$1.txt")
	is "$2" "$want" "$1 matches its golden file"
}
# Every message row names its source file (provenance) for this item.
chat_provenance() {
	n=$(cq "SELECT count(*) FROM messages m LEFT JOIN sources s ON s.source_id = m.source_id
	 WHERE m.item_id = '$1' AND (s.sha256 IS NULL OR m.source_table IS NULL
	 OR m.source_rowid IS NULL)")
	is "$n" 0 "$1: every message has source file hash, table and rowid"
}
