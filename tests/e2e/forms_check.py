#!/usr/bin/env python3
"""forms_check.py - checks of the rendered forms (forms_render.sh).

OUT holds, for each form F (seizure-list, extraction-record,
examination-record), F.pdf (the docx through LibreOffice) and F.chrome.pdf
(the HTML through Chromium's print). Each subcommand prints what it found
wrong and exits 1, or exits 0:

  pages OUT            Chromium prints as many sheets as LibreOffice, and
                       every LibreOffice page says 第 X 页 共 Y 页 with X
                       counting 1..Y in each copy or part
  maxpages OUT N       every form has fewer than N pages in both renderers
  english OUT CASE     no ASCII word on any form outside hashes, file
                       names, identifiers, model names and the words the
                       manifest itself gives (names, libraries, host name)
  dates OUT            Chinese date-times, no ISO date-time
  fields OUT FORMS EXAMINER
                       the mandatory fields; the appendix hash is the
                       SHA-256 of FORMS/extraction-files.csv
  claims OUT FORMS LOG no step claimed that the custody log lacks (and the
                       steps it has are stated)
  keep OUT LASTITEM    on each copy of the 扣押清单 the signatures, the
                       保管人 line and the seal box are on the page of the
                       last listed item
"""
import hashlib
import json
import os
import re
import subprocess
import sys

FORMS = ["seizure-list", "extraction-record", "examination-record"]


def pages_text(pdf):
    """The text of each page (pdftotext, form feeds between pages)."""
    out = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True,
                         stdout=subprocess.PIPE).stdout.decode("utf-8")
    # a path or name broken at a hyphen across lines is one token
    out = re.sub(r"-[ \t]*\n[ \t]*", "-", out)
    pages = out.split("\f")
    if pages and pages[-1].strip() == "":
        pages = pages[:-1]
    return pages


def npages(pdf):
    out = subprocess.run(["pdfinfo", pdf], check=True, stdout=subprocess.PIPE).stdout.decode()
    return int(re.search(r"^Pages:\s*(\d+)", out, re.M).group(1))


def flat(s):
    return re.sub(r"\s+", "", s)


def fail(msgs):
    for m in msgs:
        print("#   " + m)
    sys.exit(1 if msgs else 0)


def cmd_pages(out):
    bad = []
    for f in FORMS:
        lo = os.path.join(out, f + ".pdf")
        ch = os.path.join(out, f + ".chrome.pdf")
        n_lo, n_ch = npages(lo), npages(ch)
        if n_lo != n_ch:
            bad.append("%s: LibreOffice %d pages, Chromium %d" % (f, n_lo, n_ch))
        for which, pdf in (("LibreOffice", lo), ("Chromium", ch)):
            want_x, total = 1, None
            for i, p in enumerate(pages_text(pdf)):
                m = re.findall(r"第(\d+)页共(\d+)页", flat(p))
                if len(m) != 1:
                    bad.append("%s (%s) page %d: %d page numbers" % (f, which, i + 1, len(m)))
                    continue
                x, y = int(m[0][0]), int(m[0][1])
                if x == 1:
                    if total is not None and want_x != total + 1:
                        bad.append("%s (%s): a part ended on page %d of %d" %
                                   (f, which, want_x - 1, total))
                    want_x, total = 1, y
                if x != want_x or y != total:
                    bad.append("%s (%s) page %d says 第%d页共%d页, want 第%d页共%s页" %
                               (f, which, i + 1, x, y, want_x, total))
                want_x = x + 1
            if total is not None and want_x != total + 1:
                bad.append("%s (%s): the last part ended on page %d of %d" %
                           (f, which, want_x - 1, total))
    fail(bad)


def cmd_maxpages(out, n):
    bad = []
    for f in FORMS:
        for suffix in (".pdf", ".chrome.pdf"):
            k = npages(os.path.join(out, f + suffix))
            if k >= n:
                bad.append("%s%s: %d pages (want fewer than %d)" % (f, suffix, k, n))
    fail(bad)


# Words a Chinese form may carry: identifiers and product names.
ALLOWED = {
    "SHA", "MD5", "IMEI", "MEID", "ICCID", "IMSI", "UDID", "ECID", "RFC", "iOS", "Android",
    "SQLite", "SQLCipher", "QQ", "WhatsApp", "Telegram", "Signal", "iMessage", "ADB", "USB", "AES", "UTC",
    "CASE", "UCO", "custos", "tar", "gz", "zip", "csv", "html", "docx", "json", "jsonl", "jsonld",
    "xlsx", "Excel",
}


def manifest_words(case):
    """Words the record itself gives: people, places, devices, libraries."""
    words = set()
    m = json.load(open(os.path.join(case, "manifest.json"), encoding="utf-8"))

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            words.update(re.findall(r"[A-Za-z]+", v))
    walk(m.get("seizure", {}))
    walk(m.get("personnel", {}))
    walk(m.get("case", {}))
    walk([{k: v for k, v in it.items() if k in ("features", "identifiers", "name", "os")}
          for it in m.get("items", [])])
    words.update(m.get("tool", {}).get("libraries", {}).keys())
    for a in m.get("acquisitions", []):
        words.update(re.findall(r"[A-Za-z]+", a.get("workstation") or ""))
    for line in open(os.path.join(case, "custody", "log.jsonl"), encoding="utf-8"):
        try:
            b = json.loads(line)["body"]
        except (ValueError, KeyError):
            continue
        words.update(re.findall(r"[A-Za-z]+", (b.get("actor") or {}).get("name") or ""))
        words.update(re.findall(r"[A-Za-z]+", ((b.get("details") or {}).get("note") or "")))
    return words


def exempt(tok):
    """A token that is not prose: a path or file name, a number or an
    identifier with digits, a hash."""
    return bool(re.search(r"[./_@\\\d]", tok) or tok.endswith("-")
                or (re.fullmatch(r"[0-9a-fA-F]+", tok) and len(tok) >= 4))


def tokens(text):
    """Each line's printable-ASCII tokens with their columns; a token that
    continues a long hash or file name wrapped in its table cell (it starts
    in the same column, at most three lines below, as short as "fe", "EC"
    or "ip") is marked as a continuation, so a wrapped tail is read as part
    of its hash or name and not as a word of its own."""
    lines = [[(m.start(), m.group(0), False) for m in re.finditer(r"[\x21-\x7e]+", ln)]
             for ln in text.split("\n")]
    for j, row in enumerate(lines):
        for k, (col, tok, _) in enumerate(row):
            for i in range(j - 1, max(j - 4, -1), -1):
                above = [u for u in lines[i] if abs(u[0] - col) <= 2]
                if not above:
                    continue
                ucol, utok, ucont = above[0]
                hexwrap = (re.fullmatch(r"[0-9a-fA-F]+", utok) and len(utok) >= 12
                           and re.fullmatch(r"[0-9a-fA-F]+", tok))
                namewrap = (re.search(r"[./_]", utok) and len(utok) >= 12
                            and len(tok) <= len(utok))
                if (exempt(utok) or ucont) and (hexwrap or namewrap):
                    row[k] = (col, tok, True)
                break
    return [(tok, cont) for row in lines for (_, tok, cont) in row]


def cmd_english(out, case):
    allowed = ALLOWED | manifest_words(case)
    bad = []
    for f in FORMS:
        for tok, cont in tokens("\n".join(pages_text(os.path.join(out, f + ".pdf")))):
            # file names, paths, hashes, numbers, identifiers with digits,
            # and the wrapped tails of hashes and names
            if cont or exempt(tok):
                continue
            for w in re.findall(r"[A-Za-z]+", tok):
                if len(w) < 2 or w in allowed:
                    continue
                if re.fullmatch(r"[0-9a-fA-F]+", w) and len(w) >= 4:
                    continue
                bad.append("%s: English word %r (in %r)" % (f, w, tok))
    fail(sorted(set(bad))[:40])


def cmd_dates(out):
    bad = []
    for f in FORMS:
        text = "\n".join(pages_text(os.path.join(out, f + ".pdf")))
        if re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", text):
            bad.append("%s: an ISO date-time: %s" %
                       (f, re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", text).group(0)))
        if f != "extraction-record" and not re.search(r"\d{4}年\d{1,2}月\d{1,2}日\d{1,2}时\d\d分",
                                                      flat(text)):
            bad.append("%s: no Chinese date-time" % f)
    fail(bad)


def grouped(h):
    return " ".join(h[i:i + 4] for i in range(0, 64, 4))


def cmd_fields(out, forms, examiner):
    bad = []
    csv = open(os.path.join(forms, "extraction-files.csv"), "rb").read()
    sha = hashlib.sha256(csv).hexdigest()
    want = {
        "seizure-list": ["扣押时间：", "扣押地点：", "持有人：", "封存编号", "保管人：", "（印）",
                         "签名（捺印）", "封存值|内容根"],
        "extraction-record": ["电子数据提取固定清单", "检材汇总", "按类别汇总", "按应用包或目录汇总",
                              "数据库文件", "电子附件：extraction-files.csv",
                              "电子附件SHA-256：" + flat(grouped(sha))],
        "examination-record": ["检查时间：自", "检查地点：", "检查人员：" + examiner, "检查方法：",
                               "检查工具及版本：", "检查过程", "解析结果：", "检查局限：",
                               "固定的电子数据：", sha, "检查人员：" + examiner + "签名（捺印）"],
    }
    for f in FORMS:
        pages = pages_text(os.path.join(out, f + ".pdf"))
        text = flat("".join(pages))
        for w in want[f]:
            if not any(flat(x) in text for x in w.split("|")):
                bad.append("%s: no %r" % (f, w))
        for i, p in enumerate(pages):
            if "签名" not in p or not re.search(r"第\d+页共\d+页", flat(p)):
                bad.append("%s page %d: no per-page signature line and page number" % (f, i + 1))
    fail(bad)


def cmd_claims(out, forms, log):
    entries = []
    for line in open(log, encoding="utf-8"):
        try:
            entries.append(json.loads(line)["body"])
        except (ValueError, KeyError):
            pass
    # The forms inside the package are written by custos report before the
    # EXPORT entries of the exports that same report writes (written_by
    # "report"): those are not theirs to state.
    inside = os.path.normpath(forms).endswith(os.path.join("report", "forms"))
    entries = [e for e in entries if not (inside and e.get("event") == "EXPORT" and
                                          (e.get("details") or {}).get("written_by") == "report")]
    ev = [e.get("event") for e in entries]
    parse = [e for e in entries if e.get("event") == "PARSE"]
    rec = (parse[-1].get("details") or {}).get("recovered") if parse else None
    n_rec = sum((rec or {}).get(k, 0) for k in ("stored", "unread", "ambiguous"))
    scene = any(e.get("event") == "ACQUIRE_START" and
                (e.get("details") or {}).get("method") != "import" for e in entries)
    text = {f: flat("".join(pages_text(os.path.join(out, f + ".pdf")))) for f in FORMS}
    exam, extr = text["examination-record"], text["extraction-record"]
    bad = []

    def claim(cond, word, where, what):
        if cond and word not in where:
            bad.append("the log shows %s but the forms do not say %r" % (what, word))
        if not cond and word in where:
            bad.append("the forms say %r but the log shows no %s" % (word, what))
    claim(n_rec > 0, "恢复", exam + extr, "recovered records")
    claim("DERIVE" in ev, "解密", exam, "decryption (DERIVE)")
    claim("ANALYZE" in ev, "比对", exam, "analysis (ANALYZE)")
    claim("EXPORT" in ev, "导出", exam, "export (EXPORT)")
    claim(scene, "电子数据现场提取笔录", extr, "acquisition from a phone")
    claim("IMPORT" in ev, "检材接收", exam, "import of a received image")
    # Decrypted files are not "encrypted or damaged".
    derived = set()
    for e in entries:
        if e.get("event") == "DERIVE":
            for p in (e.get("details") or {}).get("pairs") or []:
                derived.add(p.get("input"))
    rows = open(os.path.join(forms, "extraction-files.csv"), encoding="utf-8-sig").read()
    for line in rows.splitlines()[1:]:
        cells = [c.strip('"') for c in line.split('","')]
        if len(cells) > 5 and cells[3] in derived and "加密或损坏" in cells[5]:
            bad.append("decrypted file %s listed as %s" % (cells[3], cells[5]))
    if derived and "加密数据库（已用密码解密）" not in rows + exam + extr:
        bad.append("decrypted databases not called 加密数据库（已用密码解密）")
    fail(bad)


def cmd_keep(out, last_item):
    bad = []
    pages = pages_text(os.path.join(out, "seizure-list.pdf"))
    copies = 0
    for i, p in enumerate(pages):
        f = flat(p)
        if "保管人：" not in f:
            continue
        copies += 1
        for w in ("封存编号", last_item, "持有人：", "（印）", "侦查人员："):
            if w not in f:
                bad.append("seizure-list page %d: the closing block without %r" % (i + 1, w))
    if copies != 3:
        bad.append("seizure-list: %d pages with the 保管人 line, want 3 (one per copy)" % copies)
    fail(bad)


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    c = a[0]
    if c == "pages":
        cmd_pages(a[1])
    elif c == "maxpages":
        cmd_maxpages(a[1], int(a[2]))
    elif c == "english":
        cmd_english(a[1], a[2])
    elif c == "dates":
        cmd_dates(a[1])
    elif c == "fields":
        cmd_fields(a[1], a[2], a[3])
    elif c == "claims":
        cmd_claims(a[1], a[2], a[3])
    elif c == "keep":
        cmd_keep(a[1], a[2])
    else:
        sys.exit("unknown check " + c)


main()
