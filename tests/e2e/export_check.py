#!/usr/bin/env python3
"""export_check.py - independent readers for custos exports (tests only).

  csv FILE            checks the BOM and CRLF row ends, prints the data row count
  json FILE           checks one JSON array of objects, prints its length
  xlsx FILE CSV       reads the workbook with zipfile + XML (no custos code), checks the
                      header row is frozen and filtered and every cell is text or a number
                      as in the CSV, and compares all sheets' rows with the CSV's
  same A.csv B.csv    the same rows (A: custos, with BOM; B: LibreOffice's, without)
  cell FILE.csv COL VALUE   prints the cells of column COL whose text contains VALUE
"""
import csv
import io
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_csv(path, bom=True):
    raw = open(path, "rb").read()
    if bom:
        if not raw.startswith(b"\xef\xbb\xbf"):
            sys.exit(f"{path}: no UTF-8 BOM")
        raw = raw[3:]
    text = raw.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def cmd_csv(path):
    raw = open(path, "rb").read()
    rows = read_csv(path)
    # RFC 4180: every record ends in CRLF (a bare LF only inside quotes).
    if not raw.endswith(b"\r\n"):
        sys.exit(f"{path}: last record does not end in CRLF")
    n = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != n:
            sys.exit(f"{path}: row {i} has {len(r)} fields, header {n}")
    print(len(rows) - 1)


def cmd_json(path):
    v = json.load(open(path, encoding="utf-8"))
    if not isinstance(v, list) or not all(isinstance(o, dict) for o in v):
        sys.exit(f"{path}: not one array of objects")
    print(len(v))


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_rows(z, name):
    root = ET.fromstring(z.read(name))
    pane = root.find(".//m:sheetViews/m:sheetView/m:pane", NS)
    if pane is None or pane.get("state") != "frozen" or pane.get("ySplit") != "1":
        sys.exit(f"{name}: header row not frozen")
    if root.find("m:autoFilter", NS) is None:
        sys.exit(f"{name}: no autofilter")
    rows = []
    for row in root.findall(".//m:sheetData/m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            t = c.get("t")
            if t == "inlineStr":
                v = "".join(x.text or "" for x in c.findall(".//m:t", NS))
                # OOXML escapes characters XML cannot hold as _xHHHH_ (ECMA-376
                # ST_Xstring), and a literal "_x" as _x005F_x.
                v = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), v)
            elif t == "s":
                sys.exit(f"{name}: shared strings not expected (constant memory)")
            elif t is None or t == "n":
                raw = c.find("m:v", NS).text
                f = float(raw)
                v = str(int(f)) if f == int(f) else raw
            else:
                sys.exit(f"{name}: cell type {t} (dates, booleans, formulas are never written)")
            if c.find("m:f", NS) is not None:
                sys.exit(f"{name}: a formula cell")
            cells[col_index(c.get("r"))] = v
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, "") for i in range(width)])
    return rows


def cmd_xlsx(path, csv_path):
    z = zipfile.ZipFile(path)
    sheets = sorted((n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)),
                    key=lambda n: int(re.search(r"(\d+)", n.rsplit("/", 1)[1]).group(1)))
    want = read_csv(csv_path)
    got = []
    for i, s in enumerate(sheets):
        rows = sheet_rows(z, s)
        if rows[0] != want[0][: len(rows[0])]:
            sys.exit(f"{s}: header {rows[0]} differs from the CSV's")
        got.extend(rows if i == 0 else rows[1:])
    compare(got, want, path, csv_path)
    print(len(got) - 1)


CUT = " …[cut: full text in the CSV or JSON export]"
CTL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def same_cell(g, w):
    """A sheet cell holds the CSV's text, except as documented (docs/cli.md): characters
    XML cannot hold are U+FFFD, and a text past Excel's cell limit is cut with a note."""
    w = CTL.sub("\ufffd", w)
    if g == w:
        return True
    return g.endswith(CUT) and len(g) > len(CUT) and w.startswith(g[: -len(CUT)])


def compare(got, want, a, b):
    if len(got) != len(want):
        sys.exit(f"{a}: {len(got)} rows, {b}: {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        # Trailing empty cells are not written in a sheet.
        w2 = list(w)
        while w2 and w2[-1] == "" and len(w2) > len(g):
            w2.pop()
        g2 = list(g) + [""] * (len(w2) - len(g))
        if len(g2) != len(w2) or not all(same_cell(x, y) for x, y in zip(g2, w2)):
            for j, (x, y) in enumerate(zip(g2, w2)):
                if not same_cell(x, y):
                    sys.exit(f"row {i} column {want[0][j]}: {x!r} in {a}, {y!r} in {b}")
            sys.exit(f"row {i}: {g2!r} vs {w2!r}")


def cmd_same(a, b):
    compare(read_csv(b, bom=False), read_csv(a), b, a)
    print("same")


def cmd_cell(path, col, value):
    rows = read_csv(path)
    j = rows[0].index(col)
    for r in rows[1:]:
        if value in r[j]:
            print(r[j])


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"csv": cmd_csv, "json": cmd_json, "xlsx": cmd_xlsx, "same": cmd_same, "cell": cmd_cell}[cmd](*sys.argv[2:])
