#!/usr/bin/env python3
"""forms_append.py LOG - appends an ANALYZE and an EXPORT entry (the shapes of
docs/custody.md) to an unsigned custody log, chained as CUSTODY.md says, so
the forms' handling of steps this build may not run itself can be tested."""
import hashlib
import json
import sys

log = sys.argv[1]
lines = open(log, "rb").read().splitlines()
last = lines[-1]
# An unsigned entry is {"body":B} exactly: B is the line without its first 8
# bytes and its last one.
assert last.startswith(b'{"body":') and b'"sig":' not in last, "unsigned log expected"
body = last[8:-1]
prev = hashlib.sha256(b"\x00" + body).hexdigest()
seq = json.loads(body)["seq"] + 1
actor = {"name": "李检查", "id": None, "role": "examiner"}
new = [
    ("ANALYZE", {"path": "case.db"},
     {"lexicon": {"terms": 120, "files": [{"path": "lexicon/drugs.tsv", "sha256": "0" * 64}]},
      "texts": 10, "bytes": 1000,
      "hits": {"code_word": 3, "crypto_address": 1, "tracking_number": 0, "pickup_code": 0,
               "bank_card": 0, "phone_number": 2}, "links": 1, "tool": "custos 0.1.0"}),
    ("EXPORT", {"path": "exports/messages.csv"},
     {"kind": "messages", "format": "csv", "path": "exports/messages.csv", "sha256": "1" * 64,
      "size": 10, "rows": 1, "tool": "custos 0.1.0"}),
]
with open(log, "ab") as f:
    for event, subject, details in new:
        b = json.dumps({"v": 1, "seq": seq, "prev": prev, "time": "2026-12-07T15:00:00.000Z",
                        "event": event, "actor": actor, "subject": subject, "details": details},
                       ensure_ascii=False, separators=(",", ":")).encode()
        f.write(b'{"body":' + b + b"}\n")
        prev = hashlib.sha256(b"\x00" + b).hexdigest()
        seq += 1
