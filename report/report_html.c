/*
 * report_html.c - `custos report`: the court report (CASE/report/) from
 * case.db (CASEDB.md), the manifest (MANIFEST.md), the inventory and the
 * custody log (CUSTODY.md).
 *
 * Design, and why:
 *  - streamed: every long table is one prepared statement whose rows are
 *    written to the page as they come; pages are cut every page_rows rows
 *    (chats/<app>/<conversation>-<n>.html, payments-<n>.html, ...), so a
 *    million messages never sit in memory;
 *  - hostile data: every value from evidence goes through cu_html_escape
 *    (escape.c); links only to the report's own files and to evidence
 *    paths (cu_html_url_path); no inline script or style, one static
 *    search.js, and a Content-Security-Policy that allows nothing else;
 *  - provenance: every row links to sources.html#s<source_id> (device path,
 *    evidence path, SHA-256, MD5) and names its table and rowid or page and
 *    offset;
 *  - deterministic: no clock is read; the same inputs give the same bytes.
 */
#include "report/hits_int.h"
#include "report/html_int.h"
#include "report/seal_int.h"
#include "casedb/casedb.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#define DEFAULT_ROWS 1000
/* Appends to a cu_buf that record a failure in their cu_error, checked
 * once by the caller (or harmless: a shorter display text). */
#define BUF_DO(call) ((void)((call) != CU_OK))

static const char report_css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Noto Sans\",sans-serif;margin:0;color:#111;"
    "background:#fff;font-size:14px}\n"
    "header{background:#1d3557;color:#fff;padding:6px 12px}\n"
    "header a{color:#fff;margin-right:12px;text-decoration:none}\n"
    "header .case{font-weight:bold;margin-right:18px}\n"
    "main{padding:8px 16px;max-width:1200px}\n"
    "footer{border-top:1px solid #ccc;color:#555;font-size:12px;padding:6px 16px}\n"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd}h3{font-size:15px}\n"
    "table{border-collapse:collapse;margin:6px 0 14px 0}\n"
    "th,td{border:1px solid #bbb;padding:2px 6px;vertical-align:top;text-align:left;"
    "min-width:4.5em;"
    "overflow-wrap:anywhere;word-break:break-word}\n"
    "th{background:#eef}\n"
    "td.num{text-align:right;white-space:nowrap}\n"
    ".hash{font-family:monospace;font-size:12px}\n"
    ".kv th{width:14em}\n"
    ".msg{border:1px solid #ccc;border-radius:6px;margin:6px 0;padding:4px 8px;"
    "max-width:80%;overflow-wrap:anywhere;word-break:break-word}\n"
    ".msg.in{background:#f4f4f4;margin-right:auto}\n"
    ".msg.out{background:#dcf8c6;margin-left:auto}\n"
    ".msg.sys{background:#fff7d6;margin:6px auto;font-style:italic}\n"
    ".msg.recalled{border:2px dashed #c00}\n"
    ".msg.recovered{border:2px dotted #06c}\n"
    ".badge{display:inline-block;font-size:11px;padding:0 4px;border-radius:3px;"
    "color:#fff;background:#666;margin-left:4px}\n"
    ".badge.recalled{background:#c00}.badge.recovered{background:#06c}"
    ".badge.deleted{background:#555}.badge.cipher{background:#708}"
    "tr.deleted td{color:#666;text-decoration:line-through}"
    "th.sortable{cursor:pointer}th.asc:after{content:\" \\25B2\"}th.desc:after{content:\" "
    "\\25BC\"}"
    ".badge.damaged{background:#a60}\n"
    "tr.mismatch td,tr.mismatch th{color:#c00;background:#fee;font-weight:bold}\n"
    ".meta{font-size:12px;color:#444}\n"
    ".body{white-space:pre-wrap;margin:2px 0}\n"
    ".prov{font-size:11px;color:#36c}\n"
    ".pay{font-weight:bold;color:#840}\n"
    "img.thumb{max-width:240px;max-height:240px;display:block;margin:4px 0}\n"
    ".devtime{font-size:11px;color:#805}\n"
    "span.k{color:#555}h4{font-size:14px;margin:8px 0 2px 0}\n"
    ".pager a,.pager span{margin-right:8px}\n"
    "mark{background:#ff0}\n"
    ".filter{margin:6px 0}\n"
    ".hidden{display:none}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "@media print{header,.filter,.pager{display:none}}\n";

/* The only script: sortable columns and filters of the current page, and
 * on search.html the search across the case, which loads the index shards
 * (search/s<n>.js, data written by index_message) with <script src>. No
 * evidence is ever passed to it as code: it writes text nodes and class
 * names only (and data-* state on <html>: data-search="ready" tells the
 * tests the report's own script runs under the CSP). */
static const char search_js[] =
    "\"use strict\";\n"
    "/* custos report script: sortable columns, filters, and the search across\n"
    " * the whole case. Evidence only ever reaches the page as textContent. The\n"
    " * state lives in the URL fragment (#q=..&app=..&sort=2:desc) so a view can\n"
    " * be bookmarked and the tests can drive it. */\n"
    "(function () {\n"
    "  function $(id) { return document.getElementById(id); }\n"
    "  function hashParams() {\n"
    "    var out = {}, h = location.hash.replace(/^#/, \"\");\n"
    "    if (!h) return out;\n"
    "    h.split(\"&\").forEach(function (kv) {\n"
    "      var i = kv.indexOf(\"=\");\n"
    "      if (i < 0) return;\n"
    "      try { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (e) {}\n"
    "    });\n"
    "    return out;\n"
    "  }\n"
    "  function setHash(p) {\n"
    "    var parts = [];\n"
    "    Object.keys(p).sort().forEach(function (k) {\n"
    "      if (p[k] !== \"\" && p[k] != null) parts.push(encodeURIComponent(k) + \"=\" + encodeURIComponent(p[k]));\n"
    "    });\n"
    "    try { history.replaceState(null, \"\", \"#\" + parts.join(\"&\")); } catch (e) {}\n"
    "  }\n"
    "  /* --- sorting ------------------------------------------------------ */\n"
    "  function key(td) {\n"
    "    if (!td) return [2, \"\"];\n"
    "    var ms = td.getAttribute(\"data-ms\");\n"
    "    if (ms !== null && ms !== \"\") return [0, +ms];\n"
    "    var t = td.textContent.trim(), n = t.replace(/,/g, \"\");\n"
    "    if (/^-?[0-9]+(\\.[0-9]+)?$/.test(n)) return [0, parseFloat(n)];\n"
    "    return [1, t.toLowerCase()];\n"
    "  }\n"
    "  function sortTable(table, col, desc) {\n"
    "    var tb = table.tBodies[0];\n"
    "    if (!tb) return;\n"
    "    var rows = Array.prototype.slice.call(tb.rows).map(function (r, i) {\n"
    "      return { r: r, k: key(r.cells[col]), i: i };\n"
    "    });\n"
    "    rows.sort(function (a, b) {\n"
    "      var c = a.k[0] - b.k[0];\n"
    "      if (c === 0) c = a.k[1] < b.k[1] ? -1 : a.k[1] > b.k[1] ? 1 : 0;\n"
    "      if (desc) c = -c;\n"
    "      return c || a.i - b.i;\n"
    "    });\n"
    "    rows.forEach(function (x) { tb.appendChild(x.r); });\n"
    "    var ths = table.tHead.rows[0].cells;\n"
    "    for (var i = 0; i < ths.length; i++) {\n"
    "      ths[i].classList.remove(\"asc\", \"desc\");\n"
    "      if (i === col) ths[i].classList.add(desc ? \"desc\" : \"asc\");\n"
    "    }\n"
    "    table.setAttribute(\"data-sorted\", col + \":\" + (desc ? \"desc\" : \"asc\"));\n"
    "  }\n"
    "  function sortable(table, onSort) {\n"
    "    if (!table.tHead || !table.tHead.rows.length) return;\n"
    "    var ths = table.tHead.rows[0].cells;\n"
    "    Array.prototype.forEach.call(ths, function (th, i) {\n"
    "      th.classList.add(\"sortable\");\n"
    "      th.title = \"点击排序 click to sort\";\n"
    "      th.addEventListener(\"click\", function () {\n"
    "        var desc = th.classList.contains(\"asc\");\n"
    "        sortTable(table, i, desc);\n"
    "        if (onSort) onSort(i, desc);\n"
    "      });\n"
    "    });\n"
    "  }\n"
    "  /* --- filters of one page ------------------------------------------ */\n"
    "  function pageFilters() {\n"
    "    var finp = $(\"filter\"), box = finp ? finp.closest(\"div.filter\") : null;\n"
    "    var tables = document.querySelectorAll(\"main table\");\n"
    "    var main = null;\n"
    "    for (var t = 0; t < tables.length; t++)\n"
    "      if (tables[t].tHead && tables[t].tBodies.length && tables[t].tBodies[0].rows.length > 1) main = tables[t];\n"
    "    var p = hashParams(), selects = [], from = null, to = null;\n"
    "    if (main && box) {\n"
    "      var ths = main.tHead.rows[0].cells;\n"
    "      Array.prototype.forEach.call(ths, function (th, i) {\n"
    "        var f = th.getAttribute(\"data-f\");\n"
    "        if (!f) return;\n"
    "        var seen = {}, vals = [];\n"
    "        Array.prototype.forEach.call(main.tBodies[0].rows, function (r) {\n"
    "          var v = r.cells[i] ? r.cells[i].textContent.trim() : \"\";\n"
    "          if (!seen[v]) { seen[v] = 1; vals.push(v); }\n"
    "        });\n"
    "        vals.sort();\n"
    "        var lab = document.createElement(\"label\"), sel = document.createElement(\"select\");\n"
    "        lab.textContent = \" \" + th.textContent + \": \";\n"
    "        var o = document.createElement(\"option\");\n"
    "        o.value = \"\"; o.textContent = \"全部 all\"; sel.appendChild(o);\n"
    "        vals.forEach(function (v) { var o = document.createElement(\"option\"); o.value = v; o.textContent = v || \"—\"; sel.appendChild(o); });\n"
    "        sel.id = \"f-\" + f;\n"
    "        if (p[f]) sel.value = p[f];\n"
    "        lab.appendChild(sel);\n"
    "        box.appendChild(lab);\n"
    "        selects.push({ f: f, i: i, el: sel });\n"
    "      });\n"
    "      if (main.querySelector(\"td[data-ms]\")) {\n"
    "        var mk = function (id, text) {\n"
    "          var l = document.createElement(\"label\"), inp = document.createElement(\"input\");\n"
    "          l.textContent = \" \" + text + \": \"; inp.type = \"date\"; inp.id = id; l.appendChild(inp); box.appendChild(l);\n"
    "          return inp;\n"
    "        };\n"
    "        from = mk(\"f-from\", \"从 From\"); to = mk(\"f-to\", \"到 To\");\n"
    "        if (p.from) from.value = p.from;\n"
    "        if (p.to) to.value = p.to;\n"
    "      }\n"
    "    }\n"
    "    function apply() {\n"
    "      var q = finp ? finp.value.toLowerCase() : \"\";\n"
    "      var st = {};\n"
    "      if (q) st.q = q;\n"
    "      selects.forEach(function (s) { if (s.el.value) st[s.f] = s.el.value; });\n"
    "      if (from && from.value) st.from = from.value;\n"
    "      if (to && to.value) st.to = to.value;\n"
    "      var rows = document.querySelectorAll(\"tbody tr, div.msg\");\n"
    "      var shown = 0;\n"
    "      for (var i = 0; i < rows.length; i++) {\n"
    "        var r = rows[i], hide = q !== \"\" && r.textContent.toLowerCase().indexOf(q) < 0;\n"
    "        if (main && r.parentNode === main.tBodies[0]) {\n"
    "          selects.forEach(function (s) {\n"
    "            if (s.el.value && (r.cells[s.i] ? r.cells[s.i].textContent.trim() : \"\") !== s.el.value) hide = true;\n"
    "          });\n"
    "          var td = r.querySelector(\"td[data-ms]\");\n"
    "          var d = td ? td.textContent.slice(0, 10) : \"\";\n"
    "          if (from && from.value && (!d || d < from.value)) hide = true;\n"
    "          if (to && to.value && (!d || d > to.value)) hide = true;\n"
    "        }\n"
    "        r.classList.toggle(\"hidden\", hide);\n"
    "        if (!hide) shown++;\n"
    "      }\n"
    "      document.documentElement.setAttribute(\"data-shown\", String(shown));\n"
    "      var keep = hashParams();\n"
    "      [\"q\", \"from\", \"to\"].concat(selects.map(function (s) { return s.f; })).forEach(function (k) { delete keep[k]; });\n"
    "      Object.keys(st).forEach(function (k) { keep[k] = st[k]; });\n"
    "      setHash(keep);\n"
    "    }\n"
    "    if (box) {\n"
    "      if (p.q) finp.value = p.q;\n"
    "      box.addEventListener(\"input\", apply);\n"
    "      box.addEventListener(\"change\", apply);\n"
    "    }\n"
    "    Array.prototype.forEach.call(tables, function (t) {\n"
    "      sortable(t, function (i, desc) { var k = hashParams(); k.sort = i + \":\" + (desc ? \"desc\" : \"asc\"); setHash(k); });\n"
    "    });\n"
    "    if (main && p.sort) {\n"
    "      var m = /^([0-9]+):(asc|desc)$/.exec(p.sort);\n"
    "      if (m) sortTable(main, +m[1], m[2] === \"desc\");\n"
    "    }\n"
    "    if (box && Object.keys(p).length) apply();\n"
    "  }\n"
    "  /* --- the search across the case ----------------------------------- */\n"
    "  var MAX = 1000;\n"
    "  /* The grams of the query the shards' Bloom filters can rule out: code\n"
    "   * points (one-character query) or pairs, made only of ASCII or of\n"
    "   * characters without case (report_html.c: index_grams, bloom_add). */\n"
    "  function grams(q) {\n"
    "    var cps = Array.from(q), out = [];\n"
    "    var ok = function (c) { return c.charCodeAt(0) < 128 || (c.toLowerCase() === c && c.toUpperCase() === c); };\n"
    "    if (cps.length === 1) { if (ok(cps[0])) out.push(cps[0]); return out; }\n"
    "    for (var i = 0; i + 1 < cps.length; i++)\n"
    "      if (ok(cps[i]) && ok(cps[i + 1])) out.push(cps[i] + cps[i + 1]);\n"
    "    return out;\n"
    "  }\n"
    "  var enc = new TextEncoder();\n"
    "  function bits(g, m) {\n"
    "    var b = enc.encode(g), h1 = 2166136261;\n"
    "    for (var i = 0; i < b.length; i++) h1 = Math.imul(h1 ^ b[i], 16777619) >>> 0;\n"
    "    var h2 = (Math.imul(h1, 0x9E3779B1) | 1) >>> 0, out = [];\n"
    "    for (var j = 0; j < 3; j++) out.push(((h1 + Math.imul(j, h2)) >>> 0) % m);\n"
    "    return out;\n"
    "  }\n"
    "  function search() {\n"
    "    var form = $(\"search\");\n"
    "    var meta = null, run = 0;\n"
    "    window.cuSearchMeta = function (m) {\n"
    "      meta = m;\n"
    "      var fill = function (id, vals) {\n"
    "        vals.forEach(function (v) { var o = document.createElement(\"option\"); o.value = v; o.textContent = v; $(id).appendChild(o); });\n"
    "      };\n"
    "      fill(\"f-app\", m.apps || []);\n"
    "      fill(\"f-item\", m.items || []);\n"
    "      var p = hashParams();\n"
    "      [\"q\", \"app\", \"item\", \"conv\", \"from\", \"to\"].forEach(function (k) {\n"
    "        var el = $(k === \"q\" ? \"q\" : \"f-\" + k);\n"
    "        if (p[k]) el.value = p[k];\n"
    "      });\n"
    "      if (p.q || p.app || p.item || p.conv || p.from || p.to) go();\n"
    "    };\n"
    "    function load(src, onerror) {\n"
    "      var s = document.createElement(\"script\");\n"
    "      s.src = src;\n"
    "      s.onload = function () { s.parentNode.removeChild(s); };\n"
    "      s.onerror = function () { s.parentNode.removeChild(s); if (onerror) onerror(); };\n"
    "      document.head.appendChild(s);\n"
    "    }\n"
    "    function go() {\n"
    "      var me = ++run;\n"
    "      var q = $(\"q\").value.toLowerCase(), app = $(\"f-app\").value, item = $(\"f-item\").value;\n"
    "      var conv = $(\"f-conv\").value.toLowerCase(), from = $(\"f-from\").value, to = $(\"f-to\").value;\n"
    "      setHash({ q: $(\"q\").value, app: app, item: item, conv: $(\"f-conv\").value, from: from, to: to });\n"
    "      var tb = $(\"results\").tBodies[0], found = 0, t0 = Date.now(), n = 0;\n"
    "      while (tb.firstChild) tb.removeChild(tb.firstChild);\n"
    "      var html = document.documentElement;\n"
    "      html.removeAttribute(\"data-done\");\n"
    "      html.removeAttribute(\"data-first-ms\");\n"
    "      var status = $(\"status\");\n"
    "      status.textContent = \"搜索中 searching…\";\n"
    "      window.cuShard = function (no, recs) { scan(no, recs, [], 0); };\n"
    "      /* Scans recs from i; after the very first result it lets the page\n"
    "       * paint (the rest of the shard continues in the next task). */\n"
    "      function scan(no, recs, pages, i) {\n"
    "        if (me !== run) return;\n"
    "        for (; i < recs.length && found < MAX; i++) {\n"
    "          var r = recs[i];\n"
    "          if (typeof r[0] === \"string\") pages.push(r[0]);\n"
    "          var page = typeof r[0] === \"string\" ? r[0] : pages[r[0]];\n"
    "          if (app && r[4] !== app) continue;\n"
    "          if (item && r[5] !== item) continue;\n"
    "          if (conv && (r[6] || \"\").toLowerCase().indexOf(conv) < 0) continue;\n"
    "          var day = (r[3] || \"\").slice(0, 10);\n"
    "          if (from && (!day || day < from)) continue;\n"
    "          if (to && (!day || day > to)) continue;\n"
    "          if (q && ((r[8] || \"\") + \"\\n\" + (r[7] || \"\") + \"\\n\" + (r[6] || \"\")).toLowerCase().indexOf(q) < 0) continue;\n"
    "          if (found === 0) {\n"
    "            html.setAttribute(\"data-first-ms\", String(Date.now() - t0));\n"
    "            /* since the page was opened (navigation start) */\n"
    "            html.setAttribute(\"data-first-nav-ms\", String(Math.round(performance.now())));\n"
    "          }\n"
    "          found++;\n"
    "          var tr = document.createElement(\"tr\");\n"
    "          var cells = [r[3] || \"—\", r[4] || \"\", r[5] || \"\", r[6] || \"\", r[7] || \"\"];\n"
    "          cells.forEach(function (v, k) {\n"
    "            var td = document.createElement(\"td\");\n"
    "            td.textContent = v;\n"
    "            if (k === 0 && r[2] !== null) td.setAttribute(\"data-ms\", String(r[2]));\n"
    "            tr.appendChild(td);\n"
    "          });\n"
    "          var td = document.createElement(\"td\"), a = document.createElement(\"a\");\n"
    "          a.href = page + \"#\" + (typeof r[1] === \"number\" ? \"m\" + r[1] : r[1]);\n"
    "          a.textContent = (r[8] || \"\") + (r[9].indexOf(\"+\") >= 0 ? \" …\" : \"\");\n"
    "          td.appendChild(a);\n"
    "          tr.appendChild(td);\n"
    "          var fl = document.createElement(\"td\"), f = [];\n"
    "          if (r[9].indexOf(\"R\") >= 0) f.push(\"已撤回 recalled\");\n"
    "          if (r[9].indexOf(\"D\") >= 0) f.push(\"已恢复 recovered\");\n"
    "          if (r[9].indexOf(\"C\") >= 0) f.push(\"疑似密文 ciphertext\");\n"
    "          if (r[9].indexOf(\"X\") >= 0) f.push(\"已删除 deleted\");\n"
    "          fl.textContent = f.join(\", \");\n"
    "          tr.appendChild(fl);\n"
    "          tb.appendChild(tr);\n"
    "          if (found === 1 && i + 1 < recs.length) {\n"
    "            var k = i + 1;\n"
    "            setTimeout(function () { scan(no, recs, pages, k); }, 0);\n"
    "            return;\n"
    "          }\n"
    "        }\n"
    "        n = no + 1;\n"
    "        status.textContent = \"已搜索 searched \" + n + \" / \" + meta.shards + \" · 结果 results \" + found + (found >= MAX ? \" (前 first \" + MAX + \")\" : \"\");\n"
    "        if (n < meta.shards && found < MAX) next(n);\n"
    "        else { html.setAttribute(\"data-done\", String(found)); html.setAttribute(\"data-done-ms\", String(Date.now() - t0)); }\n"
    "      }\n"
    "      var gb = grams(q).map(function (g) { return bits(g, meta.bloom_bits || 1); });\n"
    "      var blooms = {}, skipped = 0, pending = null;\n"
    "      window.cuBloom = function (g, list) {\n"
    "        if (me !== run) return;\n"
    "        blooms[g] = list.map(function (b64) { return atob(b64); });\n"
    "        if (pending !== null) { var k = pending; pending = null; next(k); }\n"
    "      };\n"
    "      /* The next shard that may hold the text: its group's filter first. */\n"
    "      function next(i) {\n"
    "        if (me !== run) return;\n"
    "        while (i < meta.shards) {\n"
    "          if (!gb.length || !meta.bloom_group) break;\n"
    "          var g = Math.floor(i / meta.bloom_group);\n"
    "          if (!blooms[g]) {\n"
    "            pending = i;\n"
    "            load(\"search/b\" + g + \".js\", function () { pending = null; gb = []; next(i); });\n"
    "            return;\n"
    "          }\n"
    "          var f = blooms[g][i % meta.bloom_group], maybe = true;\n"
    "          if (f) gb.forEach(function (bs) {\n"
    "            bs.forEach(function (b) { if (!(f.charCodeAt(b >> 3) & (1 << (b & 7)))) maybe = false; });\n"
    "          });\n"
    "          if (maybe) break;\n"
    "          skipped++;\n"
    "          i++;\n"
    "        }\n"
    "        if (i >= meta.shards) {\n"
    "          status.textContent = \"已搜索 searched \" + meta.shards + \" / \" + meta.shards + \" (\" + skipped + \" 个分片被过滤器排除 ruled out by their filters) · 结果 results \" + found;\n"
    "          html.setAttribute(\"data-done\", String(found));\n"
    "          html.setAttribute(\"data-done-ms\", String(Date.now() - t0));\n"
    "          return;\n"
    "        }\n"
    "        load(\"search/s\" + i + \".js\", function () { status.textContent = \"索引缺失 the index is missing (search/s\" + i + \".js)\"; });\n"
    "      }\n"
    "      if (meta.shards === 0) { status.textContent = \"没有消息 no messages\"; html.setAttribute(\"data-done\", \"0\"); return; }\n"
    "      next(0);\n"
    "    }\n"
    "    form.addEventListener(\"submit\", function (ev) { ev.preventDefault(); go(); });\n"
    "    sortable($(\"results\"));\n"
    "    load(\"search/meta.js\", function () { $(\"status\").textContent = \"索引缺失 the index is missing (search/meta.js)\"; });\n"
    "  }\n"
    "  document.addEventListener(\"DOMContentLoaded\", function () {\n"
    "    document.documentElement.setAttribute(\"data-search\", \"ready\");\n"
    "    if ($(\"search\")) search();\n"
    "    else pageFilters();\n"
    "  });\n"
    "})();\n";

/* 'self' only; no inline code or style; no network. */
#define CSP                                                                                        \
	"default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "                \
	"form-action 'none'; base-uri 'none'"

/* Each shard has a Bloom filter of the grams (code points and pairs of
 * them) of its texts, so a search loads only the shards that may hold
 * the text; filters of BLOOM_GROUP shards share one file. */
#define BLOOM_BITS  (1u << 16)
#define BLOOM_GROUP 32

struct rep {
	struct cu_case *c;
	sqlite3 *db;
	char *out;     /* the report folder being written */
	int tz;        /* minutes east of UTC on 2000-01-01 (the forms) */
	char zone[64]; /* the display zone: IANA name or +HH:MM */
	char tz_label[128];
	size_t nitz; /* device zones of the items (items.timezone) */
	char itz_item[16][64], itz_zone[16][64];
	size_t rows;
	const char *case_id;
	struct cu_report_result res;
	sqlite3_stmt *att;             /* attachment -> evidence file */
	sqlite3_stmt *body;            /* message body for hit context */
	sqlite3_stmt *mhits;           /* hit values of one message */
	sqlite3_stmt *mpay;            /* payments parsed from one message */
	sqlite3_stmt *locput, *locget; /* temp.msgloc: message -> chat page */
	char cur_page[256];            /* the chat page being written */
	char cur_conv[160];            /* its conversation's title, for the index */
	uint64_t files_written;
	/* the search index: search/s<n>.js shards of SHARD_RECORDS messages */
	struct cu_buf shard;
	size_t shard_n, shard_no;
	char shard_page[256];                /* last page added to the shard's page list */
	unsigned char bloom[BLOOM_BITS / 8]; /* the shard's grams (index_grams) */
	struct cu_buf blooms;                /* the group's filters, base64 */
	size_t blooms_n;
	size_t shard_pages;
	enum cu_status idx_st;
	struct cu_error idx_err;
	sqlite3_stmt *name;         /* contact name of (item, app, identifier) */
	struct cu_buf exports_html; /* index section linking exports/ (report/export.c) */
	json_t *exports;            /* the files written there, for their EXPORT entries */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static bool col_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* Escaped column text, exact bytes (NUL included). */
static void hw_col(struct hw *w, sqlite3_stmt *st, int i, unsigned flags)
{
	const char *s = col(st, i);
	if (s != NULL)
		hw_textf(w, s, (size_t)sqlite3_column_bytes(st, i), flags);
}

/* A money cell: the column's minor units as yuan, or if_null for NULL. */
static void yuan_cell(struct hw *w, sqlite3_stmt *st, int i, const char *if_null)
{
	char y[CU_YUAN_STR];

	if (col_null(st, i)) {
		hw_printf(w, "<td class=\"num\">%s</td>", if_null);
		return;
	}
	cu_report_yuan(sqlite3_column_int64(st, i), y);
	hw_printf(w, "<td class=\"num\">%s</td>", y);
}

static enum cu_status db_err(struct rep *r, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_FORMAT, "report: case.db: %s: %s", what,
			    sqlite3_errmsg(r->db));
}

static enum cu_status prepare(struct rep *r, const char *sql, sqlite3_stmt **st,
			      struct cu_error *err)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_err(r, sql, err);
	return CU_OK;
}

static int64_t count_of(struct rep *r, const char *sql, struct cu_error *err, enum cu_status *st)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;

	if ((*st = prepare(r, sql, &s, err)) != CU_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* ms as "2024-07-01 14:00:00 +02:00" in zone, with the offset in force
 * then (daylight saving time included). */
static bool zone_time(const char *zone, int64_t ms, char loc[CU_LOCAL_TIME_STR])
{
	struct cu_error e;
	int32_t off;

	if (cu_time_zone_offset(ms, zone, &off, NULL, 0, &e) != CU_OK)
		return false;
	return cu_report_local_time(ms, off / 60, loc);
}

static bool local_time(struct rep *r, int64_t ms, char loc[CU_LOCAL_TIME_STR])
{
	return zone_time(r->zone, ms, loc);
}

/* The device's own zone of an item when known and not the display zone. */
static const char *device_zone(struct rep *r, const char *item)
{
	if (item == NULL)
		return NULL;
	for (size_t i = 0; i < r->nitz; i++)
		if (strcmp(r->itz_item[i], item) == 0)
			return strcmp(r->itz_zone[i], r->zone) != 0 ? r->itz_zone[i] : NULL;
	return NULL;
}

/* " · 设备时区 device zone: <time> (Zone)" where the device zone differs. */
static void device_time(struct rep *r, struct hw *w, const char *item, int64_t ms, bool br)
{
	const char *dz = device_zone(r, item);
	char loc[CU_LOCAL_TIME_STR];

	if (dz == NULL || !zone_time(dz, ms, loc))
		return;
	hw_raw(w, br ? "<br><span class=\"devtime\">" : " <span class=\"devtime\">");
	hw_printf(w, "设备时区 device: %s (", loc);
	hw_text1(w, dz);
	hw_raw(w, ")</span>");
}

static void time_cells(struct rep *r, struct hw *w, sqlite3_stmt *st, int ms_col, int utc_col,
		       int item_col)
{
	char loc[CU_LOCAL_TIME_STR], utc[CU_TIME_STR];

	if (col_null(st, ms_col) || !local_time(r, sqlite3_column_int64(st, ms_col), loc)) {
		hw_raw(w, "<td>—</td><td>");
		if (utc_col >= 0)
			hw_col(w, st, utc_col, CU_ESC_ONELINE);
		hw_raw(w, "</td>");
		return;
	}
	if (!cu_time_format_ms(sqlite3_column_int64(st, ms_col), utc))
		utc[0] = '\0';
	hw_printf(w, "<td class=\"num\" data-ms=\"%lld\">%s",
		  (long long)sqlite3_column_int64(st, ms_col), loc);
	if (item_col >= 0)
		device_time(r, w, col(st, item_col), sqlite3_column_int64(st, ms_col), true);
	hw_printf(w, "</td><td class=\"num\">%s</td>", utc);
}

/*
 * The recovery columns every provenance query appends (six of them,
 * in this order): how a row read by the page reader was found, and for
 * such a row the source file's device path and SHA-256 (the file the
 * page/offset are in: the database, its -wal or its -journal).
 */
#define REC_FROM(t)                                                                                \
	t "recovered_from, " t "recovered_status, " t "wal_frame, " t "partial, " t "damaged, "    \
	  "CASE WHEN " t "recovered_from IS NOT NULL OR " t "damaged THEN (SELECT "                \
	  "coalesce(device_path, evidence_path, '?') || ' · sha256 ' || coalesce(sha256, '?') "   \
	  "FROM sources WHERE sources.source_id = " t "source_id) END"

/* The badge of a recovered row, by the record's status. */
static void rec_badge(struct hw *w, const char *status)
{
	if (status == NULL || strcmp(status, "deleted") == 0)
		hw_raw(
		    w,
		    "<span class=\"badge recovered\">已恢复（已删除）/ recovered (deleted)</span>");
	else if (strcmp(status, "superseded") == 0)
		hw_raw(w,
		       "<span class=\"badge recovered\">已恢复（旧版本）/ recovered (superseded: "
		       "an older version of a row)</span>");
	else if (strcmp(status, "uncommitted") == 0)
		hw_raw(w, "<span class=\"badge recovered\">已恢复（未提交）/ recovered "
			  "(uncommitted)</span>");
	else {
		hw_raw(w, "<span class=\"badge recovered\">已恢复 / recovered (");
		hw_text(w, status);
		hw_raw(w, ")</span>");
	}
}

/* The recovery details of a row (rec: index of the first REC_FROM column,
 * -1 for none): source kind, status, WAL frame, partial, damaged file,
 * and the source file with its hash. */
static void rec_details(struct hw *w, sqlite3_stmt *st, int rec)
{
	if (rec < 0)
		return;
	if (!col_null(st, rec)) {
		hw_raw(w, " · ");
		hw_col(w, st, rec, CU_ESC_ONELINE);
		if (!col_null(st, rec + 1)) {
			hw_raw(w, " ");
			hw_col(w, st, rec + 1, CU_ESC_ONELINE);
		}
	}
	if (!col_null(st, rec + 2))
		hw_printf(w, " · WAL frame %lld", (long long)sqlite3_column_int64(st, rec + 2));
	if (!col_null(st, rec + 3) && sqlite3_column_int64(st, rec + 3) != 0)
		hw_raw(w, " · 不完整 partial (first columns lost)");
	if (!col_null(st, rec + 4) && sqlite3_column_int64(st, rec + 4) != 0)
		hw_raw(w,
		       " · <span class=\"badge damaged\">损坏文件 read from a damaged file</span>");
	if (!col_null(st, rec + 5)) {
		hw_raw(w, " · <bdi>");
		hw_col(w, st, rec + 5, CU_ESC_ONELINE);
		hw_raw(w, "</bdi>");
	}
}

/* Provenance cell: link to the source, and the table/rowid or page/offset;
 * a recovered row marked (recovered >= 0) with its recovery details. */
static void prov(struct hw *w, const char *prefix, sqlite3_stmt *st, int src, int table, int rowid,
		 int page, int offset, int recovered, int rec)
{
	bool is_rec = recovered >= 0 && sqlite3_column_int64(st, recovered) != 0;

	if (is_rec)
		rec_badge(w, rec >= 0 ? col(st, rec + 1) : NULL);
	if (col_null(st, src)) {
		hw_raw(w, "<span class=\"prov\">no source</span>");
		return;
	}
	hw_printf(w, "<a class=\"prov\" href=\"%ssources.html#s%lld\">source %lld", prefix,
		  (long long)sqlite3_column_int64(st, src),
		  (long long)sqlite3_column_int64(st, src));
	if (table >= 0 && !col_null(st, table)) {
		hw_raw(w, " · ");
		hw_col(w, st, table, CU_ESC_ONELINE);
	}
	if (rowid >= 0 && !col_null(st, rowid))
		hw_printf(w, " rowid %lld", (long long)sqlite3_column_int64(st, rowid));
	if (page >= 0 && !col_null(st, page))
		hw_printf(w, " page %lld", (long long)sqlite3_column_int64(st, page));
	if (offset >= 0 && !col_null(st, offset))
		hw_printf(w, " offset %lld", (long long)sqlite3_column_int64(st, offset));
	if (is_rec)
		hw_raw(w, " (recovered)");
	hw_raw(w, "</a>");
	rec_details(w, st, rec);
}

/* An app name as a folder name: lower-case letters, digits and '-' only. */
static void app_slug(const char *app, char out[48])
{
	size_t o = 0;
	for (const char *p = app ? app : ""; *p != '\0' && o < 40; p++) {
		char ch = *p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')
			out[o++] = ch;
		else if (ch >= 'A' && ch <= 'Z')
			out[o++] = (char)(ch - 'A' + 'a');
		else
			out[o++] = '_';
	}
	if (o == 0)
		out[o++] = '_';
	out[o] = '\0';
}

static enum cu_status open_page(struct rep *r, struct hw *w, const char *rel, struct cu_error *err)
{
	struct cu_buf p = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_path_join(r->out, rel, &p, err)) == CU_OK &&
	    (st = cu_mkdirs(p.data, 0755, true, err)) == CU_OK)
		st = hw_open(w, p.data, err);
	cu_buf_release(&p);
	if (st == CU_OK)
		r->files_written++;
	return st;
}

void cu_report_page_head(struct hw *w, const char *case_id, const char *title, const char *prefix,
			 bool search)
{
	static const char *const nav[][2] = {
	    {"index.html", "概要 Summary"},
	    {"chats.html", "聊天 Chats"},
	    {"payments-1.html", "支付 Payments"},
	    {"calls-1.html", "通话 Calls"},
	    {"contacts-1.html", "联系人 Contacts"},
	    {"hits-1.html", "命中 Hits"},
	    {"hitvalues.html", "命中归类 Hits by value"},
	    {"links.html", "关联 Links"},
	    {"timeline-1.html", "时间线 Timeline"},
	    {"search.html", "搜索 Search"},
	    {"files-1.html", "文件 Files"},
	    {"sources.html", "来源 Sources"},
	    {"custody.html", "监管链 Custody"},
	    {"verify.html", "校验 Verify"},
	    {"forms/index.html", "文书 Forms"},
	};
	hw_raw(w, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP "\">\n"
		  "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	hw_text1(w, title);
	hw_raw(w, " — ");
	hw_text1(w, case_id);
	hw_printf(w, "</title>\n<link rel=\"stylesheet\" href=\"%sassets/report.css\">\n", prefix);
	if (search)
		hw_printf(w, "<script src=\"%sassets/search.js\"></script>\n", prefix);
	hw_raw(w, "</head>\n<body>\n<header><span class=\"case\">");
	hw_text1(w, case_id);
	hw_raw(w, "</span>");
	for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++)
		hw_printf(w, "<a href=\"%s%s\">%s</a>", prefix, nav[i][0], nav[i][1]);
	hw_raw(w, "</header>\n<main>\n<h1>");
	hw_text1(w, title);
	hw_raw(w, "</h1>\n");
	if (search)
		hw_raw(w, "<div class=\"filter\"><label>筛选本页 Filter this page: <input "
			  "type=\"search\" id=\"filter\"></label></div>\n");
}

static void page_begin(struct rep *r, struct hw *w, const char *title, const char *prefix,
		       bool search)
{
	cu_report_page_head(w, r->case_id, title, prefix, search);
}

static enum cu_status page_end(struct rep *r, struct hw *w, struct cu_error *err)
{
	hw_raw(w, "</main>\n<footer>custos report · ");
	hw_text1(w, r->case_id);
	hw_printf(w,
		  " · content root <span class=\"hash\">%s</span> · times in %s and UTC"
		  "</footer>\n</body>\n</html>\n",
		  r->res.content_root, r->tz_label);
	return hw_close(w, err);
}

static void pager(struct hw *w, const char *base, int64_t page, int64_t pages)
{
	if (pages <= 1)
		return;
	hw_raw(w, "<div class=\"pager\">");
	if (page > 1)
		hw_printf(w, "<a href=\"%s-%lld.html\">« 上一页</a>", base, (long long)page - 1);
	hw_printf(w, "<span>第 %lld 页 共 %lld 页</span>", (long long)page, (long long)pages);
	if (page < pages)
		hw_printf(w, "<a href=\"%s-%lld.html\">下一页 »</a>", base, (long long)page + 1);
	hw_raw(w, "</div>\n");
}

/* Chinese labels of the manifest's and custody log's common keys. */
static const char *key_label(const char *k)
{
	static const char *const map[][2] = {
	    {"investigators", "侦查人员"},
	    {"examiners", "检查人员"},
	    {"holder", "持有人"},
	    {"witnesses", "见证人"},
	    {"name", "姓名/名称"},
	    {"unit", "单位"},
	    {"badge", "警号"},
	    {"role", "职责"},
	    {"key_id", "签名密钥"},
	    {"id_sha256", "证件号 SHA-256"},
	    {"id_number", "证件号码"},
	    {"signed", "已签名"},
	    {"refusal_note", "拒签说明"},
	    {"item_id", "物品编号"},
	    {"quantity", "数量"},
	    {"features", "特征"},
	    {"identifiers", "标识"},
	    {"state", "状态"},
	    {"make", "厂商"},
	    {"model", "型号"},
	    {"colour", "颜色"},
	    {"damage", "损伤"},
	    {"imei", "IMEI"},
	    {"serial", "序列号"},
	    {"method", "方式"},
	    {"start", "开始"},
	    {"end", "结束"},
	    {"tool", "工具"},
	    {"path", "路径"},
	    {"sha256", "SHA-256"},
	    {"size", "大小"},
	    {"files", "文件数"},
	    {"reason", "原因"},
	    {"time", "时间"},
	    {"text", "文字"},
	    {"location", "地点"},
	    {"examiner", "检查人"},
	    {"case_id", "案件编号"},
	    {"item", "物品"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(k, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static void key_html(struct hw *w, const char *k)
{
	const char *zh = key_label(k);

	if (zh != NULL) {
		hw_raw(w, zh);
		hw_raw(w, " ");
	}
	hw_text1(w, k);
}

/* A JSON value as one readable text: scalars as they are, an object as
 * "key: value" lines (nested objects with dotted keys), an array as a
 * list; every string escaped (the manifest is typed by hand and is not
 * trusted either). */
static void json_inline(struct hw *w, const json_t *v, const char *prefix, int depth)
{
	if (depth > 8) {
		hw_raw(w, "…");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING: hw_textf(w, json_string_value(v), json_string_length(v), 0); break;
	case JSON_INTEGER: hw_printf(w, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: hw_printf(w, "%.6g", json_real_value(v)); break;
	case JSON_TRUE: hw_raw(w, "是 yes"); break;
	case JSON_FALSE: hw_raw(w, "否 no"); break;
	case JSON_NULL: hw_raw(w, "—"); break;
	case JSON_ARRAY: {
		size_t i;
		const json_t *x;
		if (json_array_size(v) == 0)
			hw_raw(w, "—");
		json_array_foreach(v, i, x)
		{
			if (i > 0)
				hw_raw(w, json_is_object(x) ? "<br>" : ", ");
			if (json_is_object(x) && json_array_size(v) > 1)
				hw_printf(w, "%zu. ", i + 1);
			json_inline(w, x, prefix, depth + 1);
		}
		break;
	}
	case JSON_OBJECT: {
		const char *k;
		const json_t *x;
		bool first = true;
		json_object_foreach((json_t *)v, k, x)
		{
			if (json_is_null(x))
				continue;
			if (!first)
				hw_raw(w, json_is_object(x) ? "" : "<br>");
			if (json_is_object(x)) {
				char p2[128];
				snprintf(p2, sizeof(p2), "%s%s.", prefix ? prefix : "", k);
				if (!first)
					hw_raw(w, "<br>");
				json_inline(w, x, p2, depth + 1);
				first = false;
				continue;
			}
			first = false;
			hw_raw(w, "<span class=\"k\">");
			if (prefix != NULL)
				hw_text1(w, prefix);
			key_html(w, k);
			hw_raw(w, ":</span> ");
			json_inline(w, x, NULL, depth + 1);
		}
		if (first)
			hw_raw(w, "—");
		break;
	}
	}
}

/* An object or an array of objects as one table: a column per key (in
 * the order first seen, at most 16), a row per object; cells inline. */
static void json_table(struct hw *w, const json_t *v)
{
	const char *keys[16];
	size_t nk = 0, i;
	const json_t *x, *one[1] = {v};
	const json_t *const *rows = one;
	size_t nrows = 1;
	json_t *arr = NULL;

	if (json_is_array(v)) {
		arr = (json_t *)v;
		nrows = json_array_size(v);
	}
	for (i = 0; i < nrows; i++) {
		const char *k;
		const json_t *y;
		x = arr ? json_array_get(arr, i) : rows[0];
		if (!json_is_object(x)) {
			json_inline(w, v, NULL, 0);
			return;
		}
		json_object_foreach((json_t *)x, k, y)
		{
			size_t j;
			for (j = 0; j < nk && strcmp(keys[j], k) != 0; j++)
				;
			if (j == nk && nk < 16)
				keys[nk++] = k;
		}
	}
	hw_raw(w, "<table class=\"readable\"><thead><tr>");
	for (size_t j = 0; j < nk; j++) {
		hw_raw(w, "<th>");
		key_html(w, keys[j]);
		hw_raw(w, "</th>");
	}
	hw_raw(w, "</tr></thead><tbody>\n");
	for (i = 0; i < nrows; i++) {
		x = arr ? json_array_get(arr, i) : rows[0];
		hw_raw(w, "<tr>");
		for (size_t j = 0; j < nk; j++) {
			hw_raw(w, "<td>");
			if (json_object_get(x, keys[j]) != NULL)
				json_inline(w, json_object_get(x, keys[j]), NULL, 1);
			hw_raw(w, "</td>");
		}
		hw_raw(w, "</tr>\n");
	}
	hw_raw(w, "</tbody></table>\n");
}

/* A group of the manifest (personnel, an item, an acquisition): one
 * heading and table per key whose value is an object or a list of
 * objects, the scalars in a key/value table first. */
static void json_section(struct hw *w, const json_t *v)
{
	const char *k;
	const json_t *x;
	bool any = false;

	if (!json_is_object(v)) {
		hw_raw(w, "<p>");
		json_inline(w, v, NULL, 0);
		hw_raw(w, "</p>\n");
		return;
	}
	json_object_foreach((json_t *)v, k, x)
	{
		if (json_is_object(x) || (json_is_array(x) && json_is_object(json_array_get(x, 0))))
			continue;
		if (!any)
			hw_raw(w, "<table class=\"kv\">");
		any = true;
		hw_raw(w, "<tr><th>");
		key_html(w, k);
		hw_raw(w, "</th><td>");
		json_inline(w, x, NULL, 1);
		hw_raw(w, "</td></tr>");
	}
	if (any)
		hw_raw(w, "</table>\n");
	json_object_foreach((json_t *)v, k, x)
	{
		if (!(json_is_object(x) ||
		      (json_is_array(x) && json_is_object(json_array_get(x, 0)))))
			continue;
		hw_raw(w, "<h4>");
		key_html(w, k);
		hw_raw(w, "</h4>\n");
		json_table(w, x);
	}
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void kv_row(struct hw *w, const char *label, const char *value)
{
	hw_raw(w, "<tr><th>");
	hw_raw(w, label);
	hw_raw(w, "</th><td>");
	if (value != NULL)
		hw_text(w, value);
	else
		hw_raw(w, "—");
	hw_raw(w, "</td></tr>\n");
}

static void time_row(struct rep *r, struct hw *w, const char *label, const char *rfc3339)
{
	int64_t ms;
	char loc[CU_LOCAL_TIME_STR];

	hw_raw(w, "<tr><th>");
	hw_raw(w, label);
	hw_raw(w, "</th><td>");
	if (rfc3339 != NULL && cu_time_parse(rfc3339, &ms) && local_time(r, ms, loc))
		hw_printf(w, "%s (", loc);
	if (rfc3339 != NULL)
		hw_text1(w, rfc3339);
	else
		hw_raw(w, "—");
	if (rfc3339 != NULL && cu_time_parse(rfc3339, &ms) && local_time(r, ms, loc))
		hw_raw(w, ")");
	hw_raw(w, "</td></tr>\n");
}

/* ------------------------------------------------------------------ */
/* inventory: a temporary table for the file list and attachments      */
/* ------------------------------------------------------------------ */

struct invctx {
	struct rep *r;
	sqlite3_stmt *ins;
};

static enum cu_status inv_rec(const struct cu_inventory_rec *rec, void *ctx, struct cu_error *err)
{
	struct invctx *x = ctx;
	sqlite3_stmt *s = x->ins;
	const char *base = NULL;

	if (rec->type != NULL && strcmp(rec->type, "file") != 0)
		return CU_OK;
	if (rec->device_path != NULL) {
		base = strrchr(rec->device_path, '/');
		base = base ? base + 1 : rec->device_path;
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, rec->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, rec->item, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, rec->device_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, rec->evidence_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)rec->size);
	sqlite3_bind_text(s, 6, rec->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, rec->md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, base, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 9, rec->derivation, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		return db_err(x->r, "inventory table", err);
	return CU_OK;
}

static enum cu_status load_inventory(struct rep *r, struct cu_error *err)
{
	struct invctx x = {r, NULL};
	enum cu_status st;
	char *msg = NULL;

	/* Evidence paths are unique per case; a resumed import may list a
	 * file twice, hence OR IGNORE. */
	if (sqlite3_exec(r->db,
			 "CREATE TEMP TABLE inv(kind TEXT, item TEXT, device_path TEXT, "
			 "evidence_path TEXT PRIMARY KEY, size INTEGER, sha256 TEXT, md5 TEXT, "
			 "base TEXT, derivation TEXT);"
			 "CREATE INDEX temp.inv_base ON inv(item, base);",
			 NULL, NULL, &msg) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_INTERNAL, "report: temporary table: %s",
				  msg ? msg : "?");
		sqlite3_free(msg);
		return st;
	}
	if ((st = prepare(r, "INSERT OR IGNORE INTO inv VALUES(?,?,?,?,?,?,?,?,?)", &x.ins, err)) !=
	    CU_OK)
		return st;
	sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL);
	st = cu_inventory_each(r->c, NULL, inv_rec, &x, err);
	sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(x.ins);
	return st;
}

/* The content root exactly as seal computes it: over the inventory's
 * files (evidence and derived), sorted by package path (seal_int.h). */
static enum cu_status content_root(struct rep *r, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	struct cu_content_file *cf = NULL;
	size_t n = 0, cap = 0;
	char **keep = NULL;
	unsigned char root[32];
	enum cu_status st;

	if ((st = prepare(r, "SELECT evidence_path, size, sha256 FROM inv ORDER BY evidence_path",
			  &s, err)) != CU_OK)
		return st;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			void *a = cu_reallocarray(cf, nc, sizeof(*cf));
			void *b = a ? cu_reallocarray(keep, nc * 2, sizeof(*keep)) : NULL;
			if (a != NULL)
				cf = a;
			if (a == NULL || b == NULL) {
				st = cu_error_set(err, CU_E_NOMEM, "report: out of memory");
				goto out;
			}
			keep = b;
			cap = nc;
		}
		keep[2 * n] = cu_strdup(col(s, 0) ? col(s, 0) : "");
		keep[2 * n + 1] = cu_strdup(col(s, 2) ? col(s, 2) : "");
		cf[n].path = keep[2 * n];
		cf[n].sha256 = keep[2 * n + 1];
		cf[n].size = (uint64_t)sqlite3_column_int64(s, 1);
		r->res.bytes += cf[n].size;
		n++;
		if (keep[2 * n - 2] == NULL || keep[2 * n - 1] == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "report: out of memory");
			goto out;
		}
	}
	if ((st = cu_merkle_content_root(cf, n, root, err)) != CU_OK)
		goto out;
	cu_hex(root, 32, r->res.content_root);
	r->res.files = n;
out:
	for (size_t i = 0; i < 2 * n; i++)
		free(keep[i]);
	free(keep);
	free(cf);
	sqlite3_finalize(s);
	return st;
}

/* ------------------------------------------------------------------ */
/* chats                                                               */
/* ------------------------------------------------------------------ */

/* Finds the evidence file of an attachment path as the app stored it
 * ("Img/<md5>/7.pic", "~/Library/SMS/Attachments/...", "Media/..."): same
 * item, same last component, and the device path ends with the
 * attachment's path on a component boundary. */
static const char *find_attachment(struct rep *r, const char *item, const char *att, char *buf,
				   size_t bufsz, char sha[65], int64_t *size, bool *encrypted)
{
	const char *a = att, *base;
	size_t alen;
	const char *found = NULL;

	if (cu_str_has_prefix(a, "~/"))
		a += 2;
	while (*a == '/')
		a++;
	base = strrchr(a, '/');
	base = base ? base + 1 : a;
	if (*base == '\0')
		return NULL;
	alen = strlen(a);
	sqlite3_reset(r->att);
	sqlite3_bind_text(r->att, 1, item, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->att, 2, base, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(r->att) == SQLITE_ROW) {
		const char *dp = col(r->att, 0), *ep = col(r->att, 1), *h = col(r->att, 2);
		size_t dl = dp ? strlen(dp) : 0;
		if (dp == NULL || ep == NULL || dl < alen || strcmp(dp + dl - alen, a) != 0)
			continue;
		if (dl > alen && dp[dl - alen - 1] != '/')
			continue;
		if (strlen(ep) < bufsz) {
			memcpy(buf, ep, strlen(ep) + 1);
			found = buf;
			snprintf(sha, 65, "%s", h != NULL && strlen(h) == 64 ? h : "");
			*size = sqlite3_column_int64(r->att, 3);
			*encrypted = sqlite3_column_int64(r->att, 4) != 0;
		}
		break;
	}
	sqlite3_reset(r->att);
	return found;
}

/* True when the file starts like a raster image (JPEG, PNG, GIF, WebP,
 * BMP): a WeChat "7.pic" is a JPEG. Shown through <img> only. */
static bool sniff_image(struct rep *r, const char *ep)
{
	struct cu_buf p = CU_BUF_INIT;
	struct cu_error e;
	unsigned char h[12];
	size_t n = 0;
	FILE *f;

	if (cu_case_path(r->c, ep, &p, &e) == CU_OK && (f = fopen(p.data, "rb")) != NULL) {
		n = fread(h, 1, sizeof(h), f);
		fclose(f);
	}
	cu_buf_release(&p);
	return (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff) ||
	       (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	       (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0)) ||
	       (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0) ||
	       (n >= 2 && h[0] == 'B' && h[1] == 'M');
}

/* Copies of attachments a browser could run (SVG, HTML, XML, PDF, any
 * unknown type) are offered as downloads only: attachments/<sha256>.bin
 * (Chromium downloads .bin, it never renders it), linked with a download
 * attribute and a neutral name. Larger files stay in the evidence only. */
#define MAX_ATT_COPY ((int64_t)64 << 20)

static enum cu_status copy_attachment(struct rep *r, const char *ep, const char *dst,
				      struct cu_error *err)
{
	struct cu_buf src = CU_BUF_INIT;
	FILE *in = NULL, *out = NULL;
	char buf[65536];
	size_t n;
	enum cu_status st;

	if ((st = cu_case_path(r->c, ep, &src, err)) != CU_OK)
		goto out;
	if ((in = fopen(src.data, "rb")) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot read attachment '%s'",
				    src.data);
		goto out;
	}
	if ((out = fopen(dst, "wbx")) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot create '%s'", dst);
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (ferror(in) || ferror(out)) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot copy '%s' to '%s'",
				    src.data, dst);
		goto out;
	}
	st = CU_OK;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0 && st == CU_OK)
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot write '%s'", dst);
	cu_buf_release(&src);
	return st;
}

static void att_download(struct rep *r, struct hw *w, const char *prefix, const char *ep,
			 const char *sha, int64_t size)
{
	struct cu_buf dst = CU_BUF_INIT;
	struct cu_error e;
	const char *base = strrchr(ep, '/');
	char rel[96], name[96];
	size_t o = 0;

	base = base ? base + 1 : ep;
	if (strlen(sha) != 64 || size < 0 || size > MAX_ATT_COPY) {
		hw_raw(w, " (不在浏览器中打开 not opened in the browser: a type that could run "
			  "code; see the evidence file)");
		return;
	}
	snprintf(rel, sizeof(rel), "attachments/%s.bin", sha);
	if (cu_path_join(r->out, rel, &dst, &e) != CU_OK ||
	    cu_mkdirs(dst.data, 0755, true, &e) != CU_OK) {
		cu_buf_release(&dst);
		return;
	}
	if (!cu_file_exists(dst.data)) {
		if (copy_attachment(r, ep, dst.data, &e) != CU_OK) {
			cu_warn("%s", e.msg);
			unlink(dst.data);
			cu_buf_release(&dst);
			hw_raw(w, " (copy failed; see the evidence file)");
			return;
		}
		r->files_written++;
	}
	cu_buf_release(&dst);
	/* The name offered: letters, digits, '-' and '_' of the original,
	 * then .bin, so no program opens it as what it claims to be. */
	for (const char *p = base; *p != '\0' && o < 60; p++) {
		char ch = *p;
		name[o++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				    (ch >= '0' && ch <= '9') || ch == '-'
				? ch
				: '_';
	}
	memcpy(name + o, ".bin", 5);
	hw_printf(w,
		  " <a class=\"download\" download=\"%s\" href=\"%s%s\">下载 download (%lld "
		  "bytes, as %s; not opened in the browser)</a>",
		  name, prefix, rel, (long long)size, name);
}

enum {
	M_ID,
	M_ITEM,
	M_SENDER,
	M_SNAME,
	M_DIR,
	M_UTC,
	M_MS,
	M_KIND,
	M_BODY,
	M_RAWTYPE,
	M_ATT,
	M_STATUS,
	M_SRC,
	M_TABLE,
	M_ROWID,
	M_PAGE,
	M_OFFSET,
	M_RECOVERED,
	M_REC
};
#define M_APP     (M_REC + 6)
#define M_DEVSENT (M_REC + 7) /* the sender's time (SMS date_sent) */
#define M_SIM     (M_REC + 8)
#define M_SMSC    (M_REC + 9)
#define MSG_COLS                                                                                   \
	"message_id, item_id, sender, sender_name, direction, sent_utc, sent_ms, kind, body, "     \
	"raw_type, attachment, status, source_id, source_table, source_rowid, source_page, "       \
	"source_offset, recovered, " REC_FROM("messages.") ", messages.app, sent_device_ms, "      \
							   "sim_slot, service_center"

/* The body with the analysis hits of this message (code words,
 * identifiers) marked where they occur, the rule in the mark's title;
 * everything escaped (report_hits.c). bl: the bytes shown (a long body is
 * cut), hits past it are left out. */
static void body_marked(struct rep *r, struct hw *w, sqlite3_stmt *s, size_t bl)
{
	cu_report_body_hits(w, r->mhits, sqlite3_column_int64(s, M_ID), col(s, M_BODY), bl);
}

/* ------------------------------------------------------------------ */
/* WeChat <msg> XML bodies                                             */
/* ------------------------------------------------------------------ */

/* Appends text with the five XML entities and &#N; / &#xN; decoded
 * (anything else kept as it is); at most cap bytes of out are used. */
static void xml_text(struct cu_buf *out, const char *s, size_t n, size_t cap)
{
	static const struct {
		const char *e;
		char c;
	} ent[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
	struct cu_error e;
	size_t start = out->len;

	for (size_t i = 0; i < n && out->len - start < cap;) {
		bool done = false;
		if (s[i] == '&') {
			for (size_t k = 0; k < 5 && !done; k++) {
				size_t l = strlen(ent[k].e);
				if (i + l <= n && memcmp(s + i, ent[k].e, l) == 0) {
					BUF_DO(cu_buf_putc(out, ent[k].c, &e));
					i += l;
					done = true;
				}
			}
			if (!done && i + 3 < n && s[i + 1] == '#') {
				uint32_t cp = 0;
				size_t j = i + 2;
				bool hex = s[j] == 'x' || s[j] == 'X';
				j += hex;
				while (j < n && j < i + 12 && s[j] != ';') {
					char c = s[j];
					int d = c >= '0' && c <= '9'          ? c - '0'
						: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
						: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
									      : -1;
					if (d < 0)
						break;
					cp = cp * (hex ? 16 : 10) + (uint32_t)d;
					j++;
				}
				if (j < n && s[j] == ';' && cp > 0 && cp <= 0x10ffff &&
				    !(cp >= 0xd800 && cp < 0xe000)) {
					char u[4];
					size_t ul = cp < 0x80      ? 1
						    : cp < 0x800   ? 2
						    : cp < 0x10000 ? 3
								   : 4;
					if (ul == 1) {
						u[0] = (char)cp;
					} else {
						for (size_t k = ul - 1; k > 0; k--) {
							u[k] = (char)(0x80 | (cp & 0x3f));
							cp >>= 6;
						}
						u[0] = (char)((ul == 2   ? 0xc0
							       : ul == 3 ? 0xe0
									 : 0xf0) |
							      cp);
					}
					BUF_DO(cu_buf_append(out, u, ul, &e));
					i = j + 1;
					done = true;
				}
			}
		}
		if (!done)
			BUF_DO(cu_buf_putc(out, s[i++], &e));
	}
}

/* The value of attribute name in the element starting at tag (up to its
 * '>'), decoded, appended to out; false when absent. */
static bool xml_attr(const char *tag, const char *end, const char *name, struct cu_buf *out)
{
	size_t nl = strlen(name);
	const char *gt = memchr(tag, '>', (size_t)(end - tag));
	const char *p = tag + 1;

	if (gt == NULL)
		gt = end;
	while (p < gt) {
		const char *a = memmem(p, (size_t)(gt - p), name, nl);
		if (a == NULL)
			return false;
		if ((a[-1] == ' ' || a[-1] == '\t' || a[-1] == '\n') && a + nl + 1 < gt &&
		    a[nl] == '=' && (a[nl + 1] == '"' || a[nl + 1] == '\'')) {
			char q = a[nl + 1];
			const char *v = a + nl + 2, *ve = memchr(v, q, (size_t)(gt - v));
			if (ve == NULL)
				return false;
			xml_text(out, v, (size_t)(ve - v), 512);
			return true;
		}
		p = a + nl;
	}
	return false;
}

static const char *find_tag(const char *b, size_t n, const char *tag)
{
	size_t tl = strlen(tag);
	const char *p = b;

	while (p < b + n) {
		const char *t = memmem(p, (size_t)(b + n - p), tag, tl);
		if (t == NULL)
			return NULL;
		if (t + tl < b + n && (t[tl] == ' ' || t[tl] == '>' || t[tl] == '/' ||
				       t[tl] == '\t' || t[tl] == '\n'))
			return t;
		p = t + tl;
	}
	return NULL;
}

/*
 * WeChat keeps image, voice, video, location, sticker and app messages as
 * a <msg> XML body (message.type 3, 34, 43, 48, 47, 49). Instead of the raw
 * XML (keys, URLs), the page shows what it is: the voice's duration
 * (voicelength, ms), a location's coordinates (x = latitude, y =
 * longitude) with its place name and label, an app message's title. The
 * XML is searched, never parsed recursively; values are capped. Returns
 * false for a body that is not such XML; out gets plain text.
 */
static bool wx_summary(const char *b, size_t n, struct cu_buf *out)
{
	struct cu_buf v = CU_BUF_INIT, y = CU_BUF_INIT;
	struct cu_error e;
	const char *end = b + n, *t, *p = b;
	bool ok = true;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if (!((end - p >= 4 && memcmp(p, "<msg", 4) == 0) ||
	      (end - p >= 5 && memcmp(p, "<?xml", 5) == 0)))
		return false;
	if ((t = find_tag(b, n, "<img")) != NULL) {
		BUF_DO(cu_buf_puts(out, "[图片 image]", &e));
		if (xml_attr(t, end, "length", &v))
			BUF_DO(cu_buf_printf(out, &e, " %s bytes", v.data));
	} else if ((t = find_tag(b, n, "<voicemsg")) != NULL) {
		int64_t ms;
		BUF_DO(cu_buf_puts(out, "[语音 voice]", &e));
		if (xml_attr(t, end, "voicelength", &v) && cu_parse_i64(v.data, &ms) && ms >= 0)
			BUF_DO(cu_buf_printf(out, &e, " 时长 duration %lld.%lld s",
					     (long long)(ms / 1000), (long long)(ms % 1000 / 100)));
	} else if ((t = find_tag(b, n, "<videomsg")) != NULL) {
		BUF_DO(cu_buf_puts(out, "[视频 video]", &e));
		if (xml_attr(t, end, "playlength", &v))
			BUF_DO(cu_buf_printf(out, &e, " 时长 duration %s s", v.data));
	} else if ((t = find_tag(b, n, "<location")) != NULL) {
		BUF_DO(cu_buf_puts(out, "[位置 location]", &e));
		if (xml_attr(t, end, "x", &v) && xml_attr(t, end, "y", &y))
			BUF_DO(cu_buf_printf(out, &e, " 纬度 lat %s, 经度 lon %s", v.data, y.data));
		cu_buf_reset(&v);
		if (xml_attr(t, end, "poiname", &v) && v.len > 0)
			BUF_DO(cu_buf_printf(out, &e, " · %s", v.data));
		cu_buf_reset(&v);
		if (xml_attr(t, end, "label", &v) && v.len > 0)
			BUF_DO(cu_buf_printf(out, &e, " · %s", v.data));
	} else if ((t = find_tag(b, n, "<emoji")) != NULL) {
		BUF_DO(cu_buf_puts(out, "[表情 sticker]", &e));
	} else if ((t = find_tag(b, n, "<appmsg")) != NULL) {
		const char *ts = find_tag(t, (size_t)(end - t), "<title"), *te = NULL;
		BUF_DO(cu_buf_puts(out, "[应用消息 app message]", &e));
		if (ts != NULL && (ts = memchr(ts, '>', (size_t)(end - ts))) != NULL)
			te = memmem(ts, (size_t)(end - ts), "</title>", 8);
		if (te != NULL) {
			ts++;
			BUF_DO(cu_buf_putc(out, ' ', &e));
			if (te - ts >= 12 && memcmp(ts, "<![CDATA[", 9) == 0 &&
			    memcmp(te - 3, "]]>", 3) == 0)
				BUF_DO(cu_buf_append(
				    out, ts + 9,
				    (size_t)(te - ts - 12) < 512 ? (size_t)(te - ts - 12) : 512,
				    &e));
			else
				xml_text(out, ts, (size_t)(te - ts), 512);
		}
	} else {
		ok = false;
	}
	cu_buf_release(&v);
	cu_buf_release(&y);
	return ok;
}

/* Bodies longer than this are cut in the chat page (on a UTF-8 boundary)
 * and linked to a page of their own: a page holding megabytes of one
 * message would take minutes to lay out. */
#define BODY_CUT 4096

static size_t cut_len_at(const char *b, size_t bl, size_t max)
{
	size_t n = max;

	if (bl <= max)
		return bl;
	while (n > 0 && ((unsigned char)b[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static size_t cut_len(const char *b, size_t bl)
{
	return cut_len_at(b, bl, BODY_CUT);
}

/* The contact's name for an identifier of an item (remark, else display
 * name, else alias; temp.names, built once from contacts), or NULL; the
 * string lives until the next call. */
static const char *contact_name(struct rep *r, const char *item, const char *ident, bool *deleted)
{
	static char name[256];

	if (deleted != NULL)
		*deleted = false;
	if (r->name == NULL || item == NULL || ident == NULL)
		return NULL;
	sqlite3_reset(r->name);
	sqlite3_bind_text(r->name, 1, item, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->name, 2, ident, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(r->name) != SQLITE_ROW || col_null(r->name, 0)) {
		sqlite3_reset(r->name);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s", col(r->name, 0));
	if (deleted != NULL)
		*deleted = sqlite3_column_int64(r->name, 1) != 0;
	sqlite3_reset(r->name);
	return name;
}

static enum cu_status load_names(struct rep *r, struct cu_error *err)
{
	char *msg = NULL;
	enum cu_status st;

	/* By identifier and by phone number; the first name wins (remark
	 * over display name over alias; live rows before recovered ones). */
	if (sqlite3_exec(
		r->db,
		"CREATE TEMP TABLE names(item_id TEXT, ident TEXT, name TEXT, deleted "
		"INTEGER, PRIMARY KEY(item_id, ident));"
		"INSERT OR IGNORE INTO temp.names SELECT item_id, identifier, "
		"coalesce(nullif(remark, ''), nullif(display_name, ''), nullif(alias, '')), "
		"coalesce(status = 'deleted', 0) FROM contacts WHERE identifier IS NOT NULL "
		"AND coalesce(nullif(remark, ''), nullif(display_name, ''), nullif(alias, '')) "
		"IS NOT NULL ORDER BY coalesce(recovered, 0), contact_id;"
		"INSERT OR IGNORE INTO temp.names SELECT item_id, phone, "
		"coalesce(nullif(remark, ''), nullif(display_name, ''), nullif(alias, '')), "
		"coalesce(status = 'deleted', 0) FROM contacts WHERE phone IS NOT NULL "
		"AND coalesce(nullif(remark, ''), nullif(display_name, ''), nullif(alias, '')) "
		"IS NOT NULL ORDER BY coalesce(recovered, 0), contact_id;"
		/* The phone's own accounts: the owner. */
		"INSERT OR IGNORE INTO temp.names SELECT item_id, identifier, '本机 owner' || "
		"coalesce(' ' || nullif(display_name, ''), ''), 0 FROM accounts WHERE identifier "
		"IS NOT NULL ORDER BY account_id;",
		NULL, NULL, &msg) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_FORMAT, "report: contact names: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return st;
	}
	return prepare(r, "SELECT name, deleted FROM temp.names WHERE item_id = ? AND ident = ?",
		       &r->name, err);
}

/* ------------------------------------------------------------------ */
/* the search index                                                    */
/* ------------------------------------------------------------------ */

/*
 * The report is opened from file://, where Chromium refuses fetch() and
 * XHR of local files; so the index ships as script files the report's own
 * search.js loads with <script src> (allowed by script-src 'self'):
 * search/s<n>.js = cuShard(n, [pages], [[page, id, ms, local, app, item,
 * conversation, who, text, flags], ...]) with SHARD_RECORDS messages each,
 * in report order, and search/meta.js with the shard count and the apps and
 * items. Texts are cut to INDEX_TEXT bytes; every string is a JSON string
 * (evidence is data to the script, never code).
 */
#define SHARD_RECORDS 2000
#define INDEX_TEXT    300

/* The length of the valid UTF-8 sequence at s[i] (1..4, *cp its code
 * point), or 0 when malformed (shown and indexed as U+FFFD, one byte). */
static size_t utf8_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[i];
	size_t len = c < 0x80                ? 1
		     : c >= 0xf0 && c < 0xf5 ? 4
		     : c >= 0xe0 && c < 0xf0 ? 3
		     : c >= 0xc2 && c < 0xe0 ? 2
					     : 0;

	*cp = c;
	if (len <= 1)
		return len;
	if (i + len > n)
		return 0;
	*cp = c & (0xff >> (len + 1));
	for (size_t k = 1; k < len; k++) {
		unsigned char cc = (unsigned char)s[i + k];
		if ((cc & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (cc & 0x3f);
	}
	if ((len == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp < 0xe000))) ||
	    (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return len;
}

/* A JSON string of n bytes of untrusted text: controls, quotes, '<', '>',
 * '&', U+2028/9 escaped; malformed UTF-8 as U+FFFD. */
static void js_str(struct cu_buf *b, const char *s, size_t n)
{
	struct cu_error e;
	size_t i = 0;

	if (s == NULL) {
		BUF_DO(cu_buf_puts(b, "null", &e));
		return;
	}
	BUF_DO(cu_buf_putc(b, '"', &e));
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_cp(s, n, i, &cp);

		if (len == 0) {
			BUF_DO(cu_buf_puts(b, "\\ufffd", &e));
			i++;
		} else if (len > 1) {
			if (cp == 0x2028 || cp == 0x2029)
				BUF_DO(cu_buf_printf(b, &e, "\\u%04x", (unsigned)cp));
			else
				BUF_DO(cu_buf_append(b, s + i, len, &e));
			i += len;
		} else {
			if (cp < 0x20 || cp == '"' || cp == '\\' || cp == '<' || cp == '>' ||
			    cp == '&' || cp == 0x7f)
				BUF_DO(cu_buf_printf(b, &e, "\\u%04x", (unsigned)cp));
			else
				BUF_DO(cu_buf_putc(b, (char)cp, &e));
			i++;
		}
	}
	BUF_DO(cu_buf_putc(b, '"', &e));
}

static void js_cstr(struct cu_buf *b, const char *s)
{
	js_str(b, s, s ? strlen(s) : 0);
}

/* FNV-1a of the UTF-8 bytes of a gram; search.js computes the same. */
static void bloom_add(unsigned char *bloom, const unsigned char *g, size_t n)
{
	uint32_t h1 = 2166136261u, h2;

	for (size_t i = 0; i < n; i++)
		h1 = (h1 ^ g[i]) * 16777619u;
	h2 = (h1 * 0x9E3779B1u) | 1u;
	for (uint32_t j = 0; j < 3; j++) {
		uint32_t b = (h1 + j * h2) & (BLOOM_BITS - 1);
		bloom[b >> 3] |= (unsigned char)(1u << (b & 7));
	}
}

/* One code point of s at *i as UTF-8 into out (ASCII lower-cased,
 * malformed bytes as U+FFFD, as js_str writes them); its length. */
static size_t gram_cp(const char *s, size_t n, size_t *i, unsigned char out[4])
{
	uint32_t cp;
	size_t len = utf8_cp(s, n, *i, &cp);

	if (len == 0) {
		(*i)++;
		memcpy(out, "\xef\xbf\xbd", 3);
		return 3;
	}
	if (len == 1) {
		(*i)++;
		out[0] = (unsigned char)(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
		return 1;
	}
	memcpy(out, s + *i, len);
	*i += len;
	return len;
}

static void index_grams(struct rep *r, const char *s, size_t n)
{
	unsigned char prev[4], cur[4], pair[8];
	size_t i = 0, pl = 0, cl;

	if (s == NULL)
		return;
	while (i < n) {
		cl = gram_cp(s, n, &i, cur);
		bloom_add(r->bloom, cur, cl);
		if (pl > 0) {
			memcpy(pair, prev, pl);
			memcpy(pair + pl, cur, cl);
			bloom_add(r->bloom, pair, pl + cl);
		}
		memcpy(prev, cur, cl);
		pl = cl;
	}
}

static enum cu_status bloom_flush(struct rep *r, struct cu_error *err)
{
	struct cu_buf out = CU_BUF_INIT;
	char rel[64];
	enum cu_status st;

	if (r->blooms_n == 0)
		return CU_OK;
	snprintf(rel, sizeof(rel), "search/b%zu.js", (r->shard_no - 1) / BLOOM_GROUP);
	if ((st = cu_buf_printf(&out, err, "cuBloom(%zu, [", (r->shard_no - 1) / BLOOM_GROUP)) !=
		CU_OK ||
	    (st = cu_buf_append(&out, r->blooms.data, r->blooms.len, err)) != CU_OK ||
	    (st = cu_buf_puts(&out, "]);\n", err)) != CU_OK ||
	    (st = cu_report_write_file(r->out, rel, out.data, out.len, err)) != CU_OK)
		goto out;
	r->files_written++;
	r->blooms_n = 0;
	cu_buf_reset(&r->blooms);
out:
	cu_buf_release(&out);
	return st;
}

static enum cu_status shard_flush(struct rep *r, struct cu_error *err)
{
	struct cu_buf out = CU_BUF_INIT;
	char rel[64];
	enum cu_status st;

	if (r->shard_n == 0)
		return CU_OK;
	snprintf(rel, sizeof(rel), "search/s%zu.js", r->shard_no);
	if ((st = cu_buf_printf(&out, err, "cuShard(%zu, [", r->shard_no)) != CU_OK ||
	    (st = cu_buf_append(&out, r->shard.data, r->shard.len, err)) != CU_OK ||
	    (st = cu_buf_puts(&out, "]);\n", err)) != CU_OK)
		goto out;
	if ((st = cu_report_write_file(r->out, rel, out.data, out.len, err)) != CU_OK)
		goto out;
	r->files_written++;
	if ((st = cu_buf_puts(&r->blooms, r->blooms_n ? ",\"" : "\"", err)) != CU_OK ||
	    (st = cu_base64_encode(r->bloom, sizeof(r->bloom), &r->blooms, err)) != CU_OK ||
	    (st = cu_buf_putc(&r->blooms, '"', err)) != CU_OK)
		goto out;
	memset(r->bloom, 0, sizeof(r->bloom));
	r->blooms_n++;
	r->shard_no++;
	if (r->blooms_n == BLOOM_GROUP && (st = bloom_flush(r, err)) != CU_OK)
		goto out;
	r->shard_n = 0;
	r->shard_pages = 0;
	r->shard_page[0] = '\0';
	cu_buf_reset(&r->shard);
out:
	cu_buf_release(&out);
	return st;
}

/* One message into the current shard (pages are listed inline: a string
 * the first time a shard meets a page, then its number). */
/* One record into the current shard (pages are listed inline: a string
 * the first time a shard meets a page, then its number). anchor: 'm' for
 * a message (the id alone, as a number), else "c12", "k3", "p7". */
static void index_record(struct rep *r, const char *page, char anchor, int64_t id, bool has_ms,
			 int64_t ms, const char *local, const char *app, const char *item,
			 const char *conv, const char *who, const char *text, size_t full,
			 const char *flags)
{
	struct cu_buf *b = &r->shard;
	struct cu_error e;
	size_t bl = text ? cut_len_at(text, full, INDEX_TEXT) : 0;

	if (r->idx_st != CU_OK)
		return;
	cu_error_clear(&e);
	if (r->shard_n > 0)
		BUF_DO(cu_buf_putc(b, ',', &e));
	BUF_DO(cu_buf_putc(b, '[', &e));
	if (strcmp(r->shard_page, page) != 0) {
		snprintf(r->shard_page, sizeof(r->shard_page), "%s", page);
		r->shard_pages++;
		js_cstr(b, page);
	} else {
		BUF_DO(cu_buf_printf(b, &e, "%zu", r->shard_pages - 1));
	}
	if (anchor == 'm')
		BUF_DO(cu_buf_printf(b, &e, ",%lld,", (long long)id));
	else
		BUF_DO(cu_buf_printf(b, &e, ",\"%c%lld\",", anchor, (long long)id));
	if (!has_ms)
		BUF_DO(cu_buf_puts(b, "null", &e));
	else
		BUF_DO(cu_buf_printf(b, &e, "%lld", (long long)ms));
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_cstr(b, local);
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_cstr(b, app);
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_cstr(b, item);
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_cstr(b, conv);
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_cstr(b, who);
	BUF_DO(cu_buf_putc(b, ',', &e));
	js_str(b, text, bl);
	index_grams(r, text, bl);
	if (who != NULL)
		index_grams(r, who, strlen(who));
	if (conv != NULL)
		index_grams(r, conv, strlen(conv));
	BUF_DO(cu_buf_printf(b, &e, ",\"%s%s\"]", flags, bl < full ? "+" : ""));
	if (e.code != CU_OK) { /* out of memory: the report fails, not silently */
		r->idx_err = e;
		r->idx_st = e.code;
		return;
	}
	if (++r->shard_n >= SHARD_RECORDS)
		r->idx_st = shard_flush(r, &r->idx_err);
}

static void index_message(struct rep *r, sqlite3_stmt *s, const char *who, const char *local,
			  const char *text)
{
	const char *kind = col(s, M_KIND), *body = text ? text : col(s, M_BODY);
	size_t full = text ? strlen(text) : (size_t)sqlite3_column_bytes(s, M_BODY);
	char flags[8];

	snprintf(flags, sizeof(flags), "%s%s%s", kind && strcmp(kind, "recalled") == 0 ? "R" : "",
		 sqlite3_column_int64(s, M_RECOVERED) ? "D" : "",
		 col(s, M_STATUS) && strcmp(col(s, M_STATUS), "ciphertext") == 0 ? "C" : "");
	index_record(r, r->cur_page, 'm', sqlite3_column_int64(s, M_ID), !col_null(s, M_MS),
		     sqlite3_column_int64(s, M_MS), local, col(s, M_APP), col(s, M_ITEM),
		     r->cur_conv, who, body, full, flags);
}

/* search/meta.js: the shard count, the apps and the items. */
static enum cu_status index_meta(struct rep *r, struct cu_error *err)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error e;
	sqlite3_stmt *s = NULL;
	enum cu_status st;
	bool first = true;

	if (r->idx_st != CU_OK) {
		*err = r->idx_err;
		return r->idx_st;
	}
	if ((st = shard_flush(r, err)) != CU_OK || (st = bloom_flush(r, err)) != CU_OK)
		return st;
	BUF_DO(cu_buf_printf(&b, &e,
			     "cuSearchMeta({\"shards\":%zu,\"bloom_bits\":%u,\"bloom_group\":%u,"
			     "\"apps\":[",
			     r->shard_no, BLOOM_BITS, BLOOM_GROUP));
	if ((st = prepare(
		 r,
		 "SELECT app FROM messages WHERE app IS NOT NULL UNION SELECT app FROM calls "
		 "WHERE app IS NOT NULL UNION SELECT app FROM contacts WHERE app IS NOT NULL "
		 "UNION SELECT app FROM payments WHERE app IS NOT NULL ORDER BY 1",
		 &s, err)) != CU_OK)
		goto out;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (!first)
			BUF_DO(cu_buf_putc(&b, ',', &e));
		first = false;
		js_cstr(&b, col(s, 0));
	}
	sqlite3_finalize(s);
	s = NULL;
	BUF_DO(cu_buf_puts(&b, "],\"items\":[", &e));
	first = true;
	if ((st = prepare(r, "SELECT item_id FROM items ORDER BY item_id", &s, err)) != CU_OK)
		goto out;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (!first)
			BUF_DO(cu_buf_putc(&b, ',', &e));
		first = false;
		js_cstr(&b, col(s, 0));
	}
	BUF_DO(cu_buf_puts(&b, "]});\n", &e));
	if (b.data == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "report: out of memory");
		goto out;
	}
	if ((st = cu_report_write_file(r->out, "search/meta.js", b.data, b.len, err)) != CU_OK)
		goto out;
	r->files_written++;
out:
	sqlite3_finalize(s);
	cu_buf_release(&b);
	return st;
}

/* The whole body, escaped, on text/m<id>.html; a link to it after the cut. */
static void full_text(struct rep *r, struct hw *w, sqlite3_stmt *s, const char *prefix, size_t bl)
{
	struct hw t;
	struct cu_error e;
	char rel[64];
	int64_t id = sqlite3_column_int64(s, M_ID);

	snprintf(rel, sizeof(rel), "text/m%lld.html", (long long)id);
	if (open_page(r, &t, rel, &e) != CU_OK) {
		cu_warn("%s", e.msg);
		hw_printf(w, "<p class=\"cut\">… (cut at %d of %zu bytes)</p>\n", BODY_CUT, bl);
		return;
	}
	page_begin(r, &t, "消息全文 Full text of a message", "../", false);
	hw_printf(&t, "<p>消息 Message #%lld, %zu bytes. <a href=\"../", (long long)id, bl);
	if (hw_url(&t, "", r->cur_page))
		hw_printf(&t, "#m%lld\">返回聊天 back to the chat</a></p>\n", (long long)id);
	else
		hw_raw(&t, "\">返回聊天 back to the chat</a></p>\n");
	hw_raw(&t, "<pre class=\"fulltext\">");
	hw_col(&t, s, M_BODY, 0);
	hw_raw(&t, "</pre>\n");
	if (page_end(r, &t, &e) != CU_OK)
		cu_warn("%s", e.msg);
	hw_printf(w,
		  "<p class=\"cut\">… 已截断 cut at %zu of %zu bytes: <a href=\"%s%s\">全文 "
		  "full text</a></p>\n",
		  cut_len(col(s, M_BODY), bl), bl, prefix, rel);
}

static void message_html(struct rep *r, struct hw *w, sqlite3_stmt *s, const char *prefix)
{
	const char *dir = col(s, M_DIR), *kind = col(s, M_KIND);
	const char *cls = "in";
	bool recalled = kind != NULL && strcmp(kind, "recalled") == 0;
	bool recovered = sqlite3_column_int64(s, M_RECOVERED) != 0;
	char loc[CU_LOCAL_TIME_STR], utc[CU_TIME_STR], who[320];
	struct cu_buf wx = CU_BUF_INIT; /* a WeChat XML body as text */

	if (dir != NULL && strcmp(dir, "outgoing") == 0)
		cls = "out";
	else if (dir != NULL && strcmp(dir, "system") == 0)
		cls = "sys";
	/* Where this message is, for links from the hits and the timeline
	 * (a temporary table: bounded memory however many messages). */
	sqlite3_reset(r->locput);
	sqlite3_bind_int64(r->locput, 1, sqlite3_column_int64(s, M_ID));
	sqlite3_bind_text(r->locput, 2, r->cur_page, -1, SQLITE_STATIC);
	if (sqlite3_step(r->locput) != SQLITE_DONE)
		cu_debug("report: cannot record the page of message %lld",
			 (long long)sqlite3_column_int64(s, M_ID));
	sqlite3_reset(r->locput);
	hw_printf(w, "<div class=\"msg %s%s%s\" id=\"m%lld\"><div class=\"meta\">", cls,
		  recalled ? " recalled" : "", recovered ? " recovered" : "",
		  (long long)sqlite3_column_int64(s, M_ID));
	{
		/* The name the app stored, else the contact's name; the
		 * identifier beside it. */
		bool cdel = false;
		const char *nm = !col_null(s, M_SNAME)
				     ? col(s, M_SNAME)
				     : contact_name(r, col(s, M_ITEM), col(s, M_SENDER), &cdel);
		if (nm != NULL || !col_null(s, M_SENDER)) {
			hw_raw(w, "<b><bdi>");
			hw_text1(w, nm != NULL ? nm : col(s, M_SENDER));
			hw_raw(w, "</bdi></b>");
			if (nm != NULL && !col_null(s, M_SENDER)) {
				hw_raw(w, " (<bdi>");
				hw_col(w, s, M_SENDER, CU_ESC_ONELINE);
				hw_raw(w, "</bdi>)");
			}
			if (cdel)
				hw_raw(w, "<span class=\"badge deleted\">联系人已删除 contact "
					  "deleted</span>");
		} else {
			hw_raw(w, strcmp(cls, "out") == 0 ? "<b>本机 (owner)</b>" : "<b>—</b>");
		}
		snprintf(who, sizeof(who), "%s%s%s%s", nm != NULL ? nm : "",
			 nm != NULL && !col_null(s, M_SENDER) ? " (" : "",
			 !col_null(s, M_SENDER) ? col(s, M_SENDER) : "",
			 nm != NULL && !col_null(s, M_SENDER) ? ")" : "");
		if (who[0] == '\0' && strcmp(cls, "out") == 0)
			snprintf(who, sizeof(who), "本机 owner");
	}
	hw_raw(w, " · ");
	loc[0] = '\0';
	if (!col_null(s, M_MS) && local_time(r, sqlite3_column_int64(s, M_MS), loc) &&
	    cu_time_format_ms(sqlite3_column_int64(s, M_MS), utc)) {
		hw_printf(w, "<time>%s</time> (UTC %s)", loc, utc);
		device_time(r, w, col(s, M_ITEM), sqlite3_column_int64(s, M_MS), false);
	} else
		hw_raw(w, "time unknown");
	hw_raw(w, " · ");
	hw_col(w, s, M_KIND, CU_ESC_ONELINE);
	if (!col_null(s, M_STATUS)) {
		hw_raw(w, " · ");
		hw_col(w, s, M_STATUS, CU_ESC_ONELINE);
	}
	if (!col_null(s, M_STATUS) && strcmp(col(s, M_STATUS), "ciphertext") == 0)
		hw_raw(w, "<span class=\"badge cipher\">疑似密文 looks app-encrypted</span>");
	if (!col_null(s, M_DEVSENT) && local_time(r, sqlite3_column_int64(s, M_DEVSENT), loc))
		hw_printf(w, " · 发送方时间 sender's time %s", loc);
	if (!col_null(s, M_SIM))
		hw_printf(w, " · SIM 卡槽 slot %lld",
			  (long long)sqlite3_column_int64(s, M_SIM) + 1);
	if (!col_null(s, M_SMSC)) {
		hw_raw(w, " · 短信中心 service centre <bdi>");
		hw_col(w, s, M_SMSC, CU_ESC_ONELINE);
		hw_raw(w, "</bdi>");
	}
	if (recalled)
		hw_raw(w, "<span class=\"badge recalled\">已撤回 recalled</span>");
	if (recovered)
		rec_badge(w, col(s, M_REC + 1));
	hw_raw(w, " ");
	prov(w, prefix, s, M_SRC, M_TABLE, M_ROWID, M_PAGE, M_OFFSET, -1, M_REC);
	hw_raw(w, "</div>\n");
	if (!col_null(s, M_BODY) &&
	    !wx_summary(col(s, M_BODY), (size_t)sqlite3_column_bytes(s, M_BODY), &wx))
		cu_buf_reset(&wx);
	index_message(r, s, who, loc, wx.len > 0 ? wx.data : NULL);
	if (!col_null(s, M_BODY) && wx.len > 0) {
		hw_raw(w, "<div class=\"body wx\"><bdi>");
		hw_textf(w, wx.data, wx.len, 0);
		hw_raw(w, "</bdi></div>\n");
	} else if (!col_null(s, M_BODY)) {
		size_t bl = (size_t)sqlite3_column_bytes(s, M_BODY);
		hw_raw(w, "<div class=\"body\"><bdi>");
		body_marked(r, w, s, cut_len(col(s, M_BODY), bl));
		hw_raw(w, "</bdi></div>\n");
		if (bl > BODY_CUT)
			full_text(r, w, s, prefix, bl);
	}
	/* Payments parsed from this message (transfer, red packet, bank SMS). */
	sqlite3_reset(r->mpay);
	sqlite3_bind_int64(r->mpay, 1, sqlite3_column_int64(s, M_ID));
	while (sqlite3_step(r->mpay) == SQLITE_ROW) {
		char y[CU_YUAN_STR];
		hw_raw(w, "<div class=\"pay\">支付 Payment: ");
		hw_col(w, r->mpay, 1, CU_ESC_ONELINE);
		hw_raw(w, " ");
		hw_col(w, r->mpay, 2, CU_ESC_ONELINE);
		hw_raw(w, " ");
		if (col_null(r->mpay, 3)) {
			hw_raw(w, "—");
		} else {
			cu_report_yuan(sqlite3_column_int64(r->mpay, 3), y);
			hw_raw(w, y);
		}
		hw_raw(w, " ");
		hw_col(w, r->mpay, 4, CU_ESC_ONELINE);
		hw_printf(w, " (payments #%lld)</div>\n",
			  (long long)sqlite3_column_int64(r->mpay, 0));
	}
	sqlite3_reset(r->mpay);
	if (!col_null(s, M_ATT)) {
		const char *att = col(s, M_ATT);
		char ep[CU_PATH_MAX], evp[64], sha[65];
		int64_t size = -1;
		bool encrypted = false;
		const char *e = find_attachment(r, col(s, M_ITEM) ? col(s, M_ITEM) : "", att, ep,
						sizeof(ep), sha, &size, &encrypted);
		/* report/ sits next to evidence/ in the package and the case. */
		snprintf(evp, sizeof(evp), "%s../", prefix);
		hw_raw(w, "<div class=\"att\">附件 attachment: ");
		if (e != NULL && encrypted) {
			/* Never a link to ciphertext. */
			hw_raw(w, "<bdi>");
			hw_text1(w, att);
			hw_raw(w, "</bdi> (备份中已加密，无解密副本 encrypted in the backup; no "
				  "decrypted copy)");
		} else if (e != NULL && cu_html_is_safe_media_name(e)) {
			hw_raw(w, "<a href=\"");
			if (hw_url(w, evp, e)) {
				hw_raw(w, "\"><bdi>");
				hw_text1(w, att);
				hw_raw(w, "</bdi></a>");
				if (cu_html_is_image_name(e)) {
					hw_raw(w, "<img class=\"thumb\" alt=\"attachment\" src=\"");
					hw_url(w, evp, e);
					hw_raw(w, "\">");
				}
			}
		} else if (e != NULL) {
			/* Never a link that opens it: an SVG only as an image
			 * (no script runs in <img>), anything else a download. */
			hw_raw(w, "<bdi>");
			hw_text1(w, att);
			hw_raw(w, "</bdi>");
			if (cu_html_is_svg_name(e) || sniff_image(r, e)) {
				hw_raw(w, "<img class=\"thumb\" alt=\"attachment\" src=\"");
				hw_url(w, evp, e);
				hw_raw(w, "\">");
			}
			att_download(r, w, prefix, e, sha, size);
		} else {
			hw_raw(w, "<bdi>");
			hw_text1(w, att);
			hw_raw(w, "</bdi> (not among the acquired files)");
		}
		hw_raw(w, "</div>\n");
	}
	hw_raw(w, "</div>\n");
	cu_buf_release(&wx);
}

static enum cu_status chat_pages(struct rep *r, sqlite3_stmt *conv, const char *slug,
				 const char *idpart, int64_t total, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	struct hw w;
	bool open = false;
	enum cu_status st;
	int64_t pages = total == 0 ? 1 : (total + (int64_t)r->rows - 1) / (int64_t)r->rows;
	int64_t n = 0, page = 0;
	char rel[256], base[128], title[64];
	bool none = col_null(conv, 0);
	int rc;

	snprintf(base, sizeof(base), "%s", idpart);
	if (none)
		st = prepare(r,
			     "SELECT " MSG_COLS " FROM messages WHERE conversation_id IS NULL AND "
			     "app IS ? ORDER BY sent_ms, message_id",
			     &s, err);
	else
		/* Index order (messages_conv): messages without a time come
		 * first; no sort of the whole conversation is needed. */
		st = prepare(r,
			     "SELECT " MSG_COLS " FROM messages WHERE conversation_id = ? "
			     "ORDER BY sent_ms, message_id",
			     &s, err);
	if (st != CU_OK)
		return st;
	if (none)
		sqlite3_bind_text(s, 1, col(conv, 2), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(s, 1, sqlite3_column_int64(conv, 0));
	for (;;) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			st = db_err(r, "messages", err);
			goto out;
		}
		if (!open && (rc == SQLITE_ROW || page == 0)) {
			page++;
			snprintf(rel, sizeof(rel), "chats/%s/%s-%lld.html", slug, base,
				 (long long)page);
			memcpy(r->cur_page, rel, strlen(rel) + 1);
			snprintf(r->cur_conv, sizeof(r->cur_conv), "%s",
				 !col_null(conv, 4)   ? col(conv, 4)
				 : !col_null(conv, 3) ? col(conv, 3)
						      : "");
			if ((st = open_page(r, &w, rel, err)) != CU_OK)
				goto out;
			open = true;
			snprintf(title, sizeof(title), "%s", "聊天 Chat");
			page_begin(r, &w, title, "../../", true);
			hw_raw(&w, "<table class=\"kv\">");
			hw_raw(&w, "<tr><th>应用 App</th><td>");
			hw_col(&w, conv, 2, CU_ESC_ONELINE);
			hw_raw(&w, "</td></tr><tr><th>会话 Conversation</th><td><bdi>");
			if (!col_null(conv, 4))
				hw_col(&w, conv, 4, CU_ESC_ONELINE);
			else if (none)
				hw_raw(&w, "(messages without a conversation)");
			hw_raw(&w, "</bdi></td></tr><tr><th>标识 Identifier</th><td><bdi>");
			hw_col(&w, conv, 3, CU_ESC_ONELINE);
			hw_raw(&w, "</bdi></td></tr><tr><th>群聊 Group</th><td>");
			hw_raw(&w, col_null(conv, 5)               ? "—"
				   : sqlite3_column_int64(conv, 5) ? "是 yes"
								   : "否 no");
			hw_printf(&w, "</td></tr><tr><th>消息 Messages</th><td>%lld</td></tr>",
				  (long long)total);
			hw_raw(&w, "<tr><th>物品 Item</th><td>");
			hw_col(&w, conv, 1, CU_ESC_ONELINE);
			hw_raw(&w, "</td></tr><tr><th>来源 Source</th><td>");
			if (!col_null(conv, 6))
				hw_printf(&w,
					  "<a href=\"../../sources.html#s%lld\">source %lld</a>",
					  (long long)sqlite3_column_int64(conv, 6),
					  (long long)sqlite3_column_int64(conv, 6));
			hw_raw(&w, "</td></tr></table>\n");
			pager(&w, base, page, pages);
		}
		if (rc == SQLITE_ROW) {
			message_html(r, &w, s, "../../");
			n++;
			r->res.messages++;
		}
		if (open && (rc == SQLITE_DONE || n % (int64_t)r->rows == 0)) {
			pager(&w, base, page, pages);
			open = false;
			if ((st = page_end(r, &w, err)) != CU_OK)
				goto out;
			r->res.pages++;
		}
		if (rc == SQLITE_DONE)
			break;
	}
	st = CU_OK;
out:
	if (open)
		hw_abort(&w);
	sqlite3_finalize(s);
	return st;
}

static enum cu_status chats(struct rep *r, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	struct hw w;
	bool open = false;
	enum cu_status st;
	const char *last_app = NULL;
	char *last = NULL;
	int rc;

	/* Conversations, then per app the messages without one. The message
	 * locations go into the temporary table in one transaction. */
	sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL);
	if ((st = prepare(
		 r,
		 "SELECT * FROM (SELECT conversation_id, item_id, app, identifier, title, "
		 "is_group, source_id, (SELECT count(*) FROM messages m WHERE "
		 "m.conversation_id = c.conversation_id) FROM conversations c UNION ALL "
		 "SELECT NULL, NULL, app, NULL, NULL, NULL, NULL, count(*) FROM messages "
		 "WHERE conversation_id IS NULL GROUP BY app) ORDER BY app, conversation_id "
		 "IS NULL, conversation_id",
		 &s, err)) != CU_OK)
		return st;
	if ((st = open_page(r, &w, "chats.html", err)) != CU_OK)
		goto out;
	open = true;
	page_begin(r, &w, "聊天 Chats", "", true);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char slug[48], idpart[40], href[160];
		const char *app = col(s, 2);
		int64_t total = sqlite3_column_int64(s, 7);

		app_slug(app, slug);
		if (last_app == NULL || last == NULL || strcmp(last, slug) != 0) {
			if (last_app != NULL)
				hw_raw(&w, "</tbody></table>\n");
			hw_raw(&w, "<h2>");
			hw_text1(&w, app ? app : "?");
			hw_raw(&w,
			       "</h2>\n<table><thead><tr><th>会话 Conversation</th><th>标识 "
			       "Identifier</th><th>群聊 Group</th><th>消息 Messages</th><th>物品 "
			       "Item</th></tr></thead><tbody>\n");
			free(last);
			last = cu_strdup(slug);
			last_app = "x";
		}
		r->res.conversations += col_null(s, 0) ? 0 : 1;
		if (col_null(s, 0))
			snprintf(idpart, sizeof(idpart), "none");
		else
			snprintf(idpart, sizeof(idpart), "%lld",
				 (long long)sqlite3_column_int64(s, 0));
		snprintf(href, sizeof(href), "chats/%s/%s-1.html", slug, idpart);
		hw_printf(&w, "<tr><td><a href=\"%s\"><bdi>", href);
		if (!col_null(s, 4))
			hw_col(&w, s, 4, CU_ESC_ONELINE);
		else if (!col_null(s, 3))
			hw_col(&w, s, 3, CU_ESC_ONELINE);
		else
			hw_raw(&w, "(no conversation)");
		hw_raw(&w, "</bdi></a></td><td><bdi>");
		hw_col(&w, s, 3, CU_ESC_ONELINE);
		hw_raw(&w, "</bdi></td><td>");
		hw_raw(&w, col_null(s, 5) ? "—" : sqlite3_column_int64(s, 5) ? "是" : "否");
		hw_printf(&w, "</td><td class=\"num\">%lld</td><td>", (long long)total);
		hw_col(&w, s, 1, CU_ESC_ONELINE);
		hw_raw(&w, "</td></tr>\n");
		if ((st = chat_pages(r, s, slug, idpart, total, err)) != CU_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		st = db_err(r, "conversations", err);
		goto out;
	}
	if (last_app != NULL)
		hw_raw(&w, "</tbody></table>\n");
	else
		hw_raw(&w, "<p>没有聊天记录 No conversations.</p>\n");
	open = false;
	if ((st = page_end(r, &w, err)) != CU_OK)
		goto out;
	st = CU_OK;
out:
	sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	free(last);
	if (open)
		hw_abort(&w);
	sqlite3_finalize(s);
	return st;
}

/* ------------------------------------------------------------------ */
/* paged tables                                                        */
/* ------------------------------------------------------------------ */

struct table_spec {
	const char *base; /* "calls" -> calls-<n>.html */
	const char *title;
	const char *count_sql;
	const char *sql;
	const char *head; /* the <tr> of th */
	void (*row)(struct rep *r, struct hw *w, sqlite3_stmt *s);
	void (*intro)(struct rep *r, struct hw *w, struct cu_error *err); /* page 1 only */
	uint64_t *counter;
	/* into the search index, with the page the row is on */
	void (*index)(struct rep *r, sqlite3_stmt *s, const char *page);
};

static enum cu_status paged_table(struct rep *r, const struct table_spec *t, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	struct hw w;
	bool open = false;
	enum cu_status st = CU_OK;
	int64_t total, pages, n = 0, page = 0;
	char rel[128];
	int rc;

	total = count_of(r, t->count_sql, err, &st);
	if (st != CU_OK)
		return st;
	pages = total == 0 ? 1 : (total + (int64_t)r->rows - 1) / (int64_t)r->rows;
	if ((st = prepare(r, t->sql, &s, err)) != CU_OK)
		return st;
	for (;;) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			st = db_err(r, t->base, err);
			goto out;
		}
		if (!open && (rc == SQLITE_ROW || page == 0)) {
			page++;
			snprintf(rel, sizeof(rel), "%s-%lld.html", t->base, (long long)page);
			if ((st = open_page(r, &w, rel, err)) != CU_OK)
				goto out;
			open = true;
			page_begin(r, &w, t->title, "", true);
			if (page == 1 && t->intro != NULL) {
				struct cu_error e2;
				cu_error_clear(&e2);
				t->intro(r, &w, &e2);
				if (e2.code != CU_OK) {
					*err = e2;
					st = e2.code;
					goto out;
				}
			}
			hw_printf(&w, "<p>共 %lld 条 (%lld rows)</p>\n", (long long)total,
				  (long long)total);
			pager(&w, t->base, page, pages);
			hw_printf(&w, "<table><thead>%s</thead><tbody>\n", t->head);
		}
		if (rc == SQLITE_ROW) {
			t->row(r, &w, s);
			if (t->index != NULL)
				t->index(r, s, rel);
			n++;
			if (t->counter != NULL)
				(*t->counter)++;
		}
		if (open && (rc == SQLITE_DONE || n % (int64_t)r->rows == 0)) {
			hw_raw(&w, "</tbody></table>\n");
			pager(&w, t->base, page, pages);
			open = false;
			if ((st = page_end(r, &w, err)) != CU_OK)
				goto out;
			r->res.pages++;
		}
		if (rc == SQLITE_DONE)
			break;
	}
out:
	if (open)
		hw_abort(&w);
	sqlite3_finalize(s);
	return st;
}

/* payments */
static void pay_intro(struct rep *r, struct hw *w, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	/* Totals in SQL: integer sums of fen, never floating point. */
	hw_raw(w, "<h2>按应用合计 Totals per app (元 yuan)</h2>\n<table><thead><tr><th>应用 "
		  "App</th><th>币种 Currency</th><th>收入 In</th><th>支出 Out</th><th>方向不明 "
		  "Unknown</th><th>笔数 Count</th></tr></thead><tbody>\n");
	if (prepare(
		r,
		"SELECT app, currency, sum(CASE WHEN direction='incoming' THEN amount_minor "
		"END), sum(CASE WHEN direction='outgoing' THEN amount_minor END), sum(CASE "
		"WHEN direction NOT IN ('incoming','outgoing') OR direction IS NULL THEN "
		"amount_minor END), count(*) FROM payments GROUP BY app, currency ORDER BY app, "
		"currency",
		&s, err) != CU_OK)
		return;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		hw_raw(w, "<tr><td>");
		hw_col(w, s, 0, CU_ESC_ONELINE);
		hw_raw(w, "</td><td>");
		hw_col(w, s, 1, CU_ESC_ONELINE);
		hw_raw(w, "</td>");
		for (int i = 2; i <= 4; i++)
			yuan_cell(w, s, i, "0.00");
		hw_printf(w, "<td class=\"num\">%lld</td></tr>\n",
			  (long long)sqlite3_column_int64(s, 5));
	}
	if (rc != SQLITE_DONE)
		db_err(r, "payment totals", err);
	sqlite3_finalize(s);
	s = NULL;
	hw_raw(w, "</tbody></table>\n<h2>按交易对方合计 Totals per counterparty (元 yuan)</h2>\n"
		  "<table><thead><tr><th>应用 App</th><th>交易对方 Counterparty</th><th>名称 "
		  "Name</th><th>币种 Currency</th><th>收入 In</th><th>支出 Out</th><th>笔数 "
		  "Count</th></tr></thead><tbody>\n");
	if (prepare(
		r,
		"SELECT app, counterparty, max(counterparty_name), currency, sum(CASE WHEN "
		"direction='incoming' THEN amount_minor END), sum(CASE WHEN "
		"direction='outgoing' THEN amount_minor END), count(*) FROM payments GROUP BY "
		"app, coalesce(counterparty, counterparty_name), currency ORDER BY app, 2, 3, 4",
		&s, err) != CU_OK)
		return;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		hw_raw(w, "<tr><td>");
		hw_col(w, s, 0, CU_ESC_ONELINE);
		hw_raw(w, "</td><td><bdi>");
		hw_col(w, s, 1, CU_ESC_ONELINE);
		hw_raw(w, "</bdi></td><td><bdi>");
		hw_col(w, s, 2, CU_ESC_ONELINE);
		hw_raw(w, "</bdi></td><td>");
		hw_col(w, s, 3, CU_ESC_ONELINE);
		hw_raw(w, "</td>");
		for (int i = 4; i <= 5; i++)
			yuan_cell(w, s, i, "0.00");
		hw_printf(w, "<td class=\"num\">%lld</td></tr>\n",
			  (long long)sqlite3_column_int64(s, 6));
	}
	if (rc != SQLITE_DONE)
		db_err(r, "payment totals", err);
	sqlite3_finalize(s);
	hw_raw(w, "</tbody></table>\n<h2>明细 Payments</h2>\n");
}

static void cell(struct hw *w, sqlite3_stmt *s, int i)
{
	hw_raw(w, "<td><bdi>");
	hw_col(w, s, i, CU_ESC_ONELINE);
	hw_raw(w, "</bdi></td>");
}

static void pay_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	hw_printf(w, "<tr id=\"p%lld\">", (long long)sqlite3_column_int64(s, 0));
	time_cells(r, w, s, 1, 2, 25);
	cell(w, s, 3);
	cell(w, s, 4);
	cell(w, s, 5);
	yuan_cell(w, s, 6, "—");
	cell(w, s, 7);
	hw_raw(w, "<td><bdi>");
	hw_col(w, s, 9, CU_ESC_ONELINE);
	hw_raw(w, "</bdi> <bdi>");
	hw_col(w, s, 8, CU_ESC_ONELINE);
	hw_raw(w, "</bdi></td>");
	cell(w, s, 10);
	cell(w, s, 11);
	cell(w, s, 12);
	hw_raw(w, "<td>");
	prov(w, "", s, 13, 14, 15, 17, 18, 16, 19);
	hw_raw(w, "</td></tr>\n");
	(void)r;
}

/* A name and its identifier: "老K (wxid_k8dealer88)", or the identifier. */
static void name_ident(struct hw *w, const char *name, const char *ident)
{
	hw_raw(w, "<bdi>");
	if (name != NULL && *name != '\0') {
		hw_text1(w, name);
		hw_raw(w, "</bdi>");
		if (ident != NULL && strcmp(ident, name) != 0) {
			hw_raw(w, " (<bdi>");
			hw_text1(w, ident);
			hw_raw(w, "</bdi>)");
		}
		return;
	}
	hw_text1(w, ident);
	hw_raw(w, "</bdi>");
}

static void call_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	hw_printf(w, "<tr id=\"c%lld\">", (long long)sqlite3_column_int64(s, 0));
	time_cells(r, w, s, 1, 2, 20);
	cell(w, s, 3);
	hw_raw(w, "<td>");
	name_ident(w, col(s, 24), col(s, 4));
	if (!col_null(s, 21) && (col_null(s, 24) || strcmp(col(s, 21), col(s, 24)) != 0)) {
		/* The name the call log cached when the call was made. */
		hw_raw(w, "<br><span class=\"meta\">通话记录中的名称 cached name: <bdi>");
		hw_col(w, s, 21, CU_ESC_ONELINE);
		hw_raw(w, "</bdi></span>");
	}
	hw_raw(w, "</td>");
	cell(w, s, 5);
	if (col_null(s, 6))
		hw_raw(w, "<td>—</td>");
	else
		hw_printf(w, "<td class=\"num\">%lld</td>", (long long)sqlite3_column_int64(s, 6));
	/* Only what the source says: NULL is "not recorded", never "no". */
	hw_raw(w, col_null(s, 7)               ? "<td>—</td>"
		  : sqlite3_column_int64(s, 7) ? "<td>是 yes</td>"
					       : "<td>否 no</td>");
	hw_raw(w, "<td><bdi>");
	hw_col(w, s, 22, CU_ESC_ONELINE);
	if (!col_null(s, 22) && !col_null(s, 23))
		hw_raw(w, " · ");
	hw_col(w, s, 23, CU_ESC_ONELINE);
	hw_raw(w, "</bdi></td>");
	cell(w, s, 20);
	hw_raw(w, "<td>");
	prov(w, "", s, 8, 9, 10, 12, 13, 11, 14);
	hw_raw(w, "</td></tr>\n");
}

static void contact_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	bool deleted = !col_null(s, 20) && strcmp(col(s, 20), "deleted") == 0;
	(void)r;
	hw_printf(w, "<tr id=\"k%lld\"%s>", (long long)sqlite3_column_int64(s, 0),
		  deleted ? " class=\"deleted\"" : "");
	for (int i = 1; i <= 7; i++)
		cell(w, s, i);
	hw_raw(w, "<td>");
	if (deleted)
		hw_raw(w, "<span class=\"badge deleted\">已删除 deleted</span>");
	else
		hw_col(w, s, 20, CU_ESC_ONELINE);
	hw_raw(w, "</td><td>");
	prov(w, "", s, 8, 9, 10, 12, 13, 11, 14);
	hw_raw(w, "</td></tr>\n");
}

/* A link to the chat page and anchor of a message, when it was rendered. */
static void chat_link(struct rep *r, struct hw *w, int64_t message_id)
{
	sqlite3_reset(r->locget);
	sqlite3_bind_int64(r->locget, 1, message_id);
	if (sqlite3_step(r->locget) == SQLITE_ROW && !col_null(r->locget, 0)) {
		hw_raw(w, " <a class=\"prov\" href=\"");
		if (hw_url(w, "", col(r->locget, 0)))
			hw_printf(w, "#m%lld\">聊天 chat</a>", (long long)message_id);
		else
			hw_raw(w, "\">聊天 chat</a>");
	}
	sqlite3_reset(r->locget);
}

/* A hit in context: the message (or other text) around the value, the
 * value marked. Offsets are bytes into the artifact text when given. */
static void hit_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	const char *value = col(s, 3), *artifact = col(s, 5);

	hw_printf(w, "<tr id=\"h%lld\">", (long long)sqlite3_column_int64(s, 0));
	cell(w, s, 1);
	cell(w, s, 2);
	hw_raw(w, "<td><mark><bdi>");
	hw_col(w, s, 3, CU_ESC_ONELINE);
	hw_raw(w, "</bdi></mark></td>");
	cell(w, s, 4);
	hw_raw(w, "<td>");
	if (artifact != NULL && strcmp(artifact, "messages") == 0 && value != NULL && *value) {
		sqlite3_reset(r->body);
		sqlite3_bind_int64(r->body, 1, sqlite3_column_int64(s, 6));
		if (sqlite3_step(r->body) == SQLITE_ROW && !col_null(r->body, 0)) {
			const char *b = col(r->body, 0);
			size_t bl = (size_t)sqlite3_column_bytes(r->body, 0), vl = strlen(value);
			const char *at = strstr(b, value);
			if (at != NULL) {
				size_t pos = (size_t)(at - b), from, to;
				from = pos > 60 ? pos - 60 : 0;
				while (from > 0 && ((unsigned char)b[from] & 0xc0) == 0x80)
					from--;
				to = pos + vl + 60 < bl ? pos + vl + 60 : bl;
				while (to < bl && ((unsigned char)b[to] & 0xc0) == 0x80)
					to++;
				hw_raw(w, "<bdi>");
				hw_textf(w, b + from, pos - from, CU_ESC_ONELINE);
				hw_raw(w, "<mark>");
				hw_textf(w, b + pos, vl, CU_ESC_ONELINE);
				hw_raw(w, "</mark>");
				hw_textf(w, b + pos + vl, to - pos - vl, CU_ESC_ONELINE);
				hw_raw(w, "</bdi>");
			}
			hw_printf(w, " <a class=\"prov\" href=\"sources.html#s%lld\">source %lld",
				  (long long)sqlite3_column_int64(r->body, 1),
				  (long long)sqlite3_column_int64(r->body, 1));
			hw_raw(w, " · ");
			hw_col(w, r->body, 2, CU_ESC_ONELINE);
			hw_printf(w, " rowid %lld</a>",
				  (long long)sqlite3_column_int64(r->body, 3));
		}
		sqlite3_reset(r->body);
	}
	hw_raw(w, " (");
	hw_col(w, s, 5, CU_ESC_ONELINE);
	hw_printf(w, " #%lld)", (long long)sqlite3_column_int64(s, 6));
	if (artifact != NULL && strcmp(artifact, "messages") == 0)
		chat_link(r, w, sqlite3_column_int64(s, 6));
	hw_raw(w, "</td></tr>\n");
}

/* The timeline's summary with the contact's name where one is known:
 * "incoming text 老K (wxid_k8dealer88): ..." (the identifier stays). */
static void summary_cell(struct hw *w, sqlite3_stmt *s)
{
	const char *sum = col(s, 5), *name = col(s, 20), *ident = col(s, 21);
	const char *at;
	size_t sl = (size_t)sqlite3_column_bytes(s, 5);
	struct cu_buf alt = CU_BUF_INIT, wx = CU_BUF_INIT;
	struct cu_error e;

	/* "incoming image wxid: <msg><img .../></msg>": the XML as text. */
	if (sum != NULL && (at = memmem(sum, sl, "<msg", 4)) != NULL &&
	    wx_summary(at, sl - (size_t)(at - sum), &wx) &&
	    cu_buf_append(&alt, sum, (size_t)(at - sum), &e) == CU_OK &&
	    cu_buf_append(&alt, wx.data, wx.len, &e) == CU_OK) {
		sum = alt.data;
		sl = alt.len;
	}

	if (col_null(s, 21)) {
		name = col(s, 22);
		ident = col(s, 23);
	}
	hw_raw(w, "<td><bdi>");
	if (sum != NULL && name != NULL && ident != NULL && *ident != '\0' &&
	    strcmp(name, ident) != 0 && (at = strstr(sum, ident)) != NULL) {
		hw_textf(w, sum, (size_t)(at - sum), CU_ESC_ONELINE);
		hw_raw(w, "<b>");
		hw_text1(w, name);
		hw_raw(w, "</b> (");
		hw_text1(w, ident);
		hw_raw(w, ")");
		hw_textf(w, at + strlen(ident), sl - (size_t)(at - sum) - strlen(ident),
			 CU_ESC_ONELINE);
	} else if (sum != NULL) {
		hw_textf(w, sum, sl, CU_ESC_ONELINE);
	}
	hw_raw(w, "</bdi>");
	if (!col_null(s, 24) && strcmp(col(s, 24), "recalled") == 0)
		hw_raw(w, "<span class=\"badge recalled\">已撤回 recalled</span>");
	if (!col_null(s, 25) && strcmp(col(s, 25), "ciphertext") == 0)
		hw_raw(w, "<span class=\"badge cipher\">疑似密文 ciphertext</span>");
	hw_raw(w, "</td>");
	cu_buf_release(&alt);
	cu_buf_release(&wx);
}

static void timeline_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	hw_raw(w, "<tr>");
	time_cells(r, w, s, 0, 1, 4);
	cell(w, s, 2);
	cell(w, s, 3);
	cell(w, s, 4);
	summary_cell(w, s);
	/* case.db row, then the source file and its table/rowid or page/offset. */
	hw_raw(w, "<td>case.db ");
	hw_col(w, s, 6, CU_ESC_ONELINE);
	hw_printf(w, " #%lld<br>", (long long)sqlite3_column_int64(s, 7));
	prov(w, "", s, 8, 9, 10, 11, 12, 13, 14);
	if (col(s, 6) != NULL && strcmp(col(s, 6), "messages") == 0)
		chat_link(r, w, sqlite3_column_int64(s, 7));
	hw_raw(w, "</td></tr>\n");
}

static void file_row(struct rep *r, struct hw *w, sqlite3_stmt *s)
{
	char evp[8] = "../";
	(void)r;
	hw_raw(w, "<tr>");
	cell(w, s, 0);
	cell(w, s, 1);
	cell(w, s, 2);
	hw_raw(w, "<td>");
	/* Only media are linked: a document type (SVG, HTML, ...) opened
	 * from here would run in the report's folder. */
	if (!col_null(s, 3) && cu_html_is_safe_media_name(col(s, 3))) {
		hw_raw(w, "<a href=\"");
		if (hw_url(w, evp, col(s, 3)))
			hw_raw(w, "\">");
		else
			hw_raw(w, "#\">");
		hw_col(w, s, 3, CU_ESC_ONELINE);
		hw_raw(w, "</a>");
	} else if (!col_null(s, 3)) {
		hw_col(w, s, 3, CU_ESC_ONELINE);
	}
	hw_printf(w, "</td><td class=\"num\">%lld</td><td class=\"hash\">",
		  (long long)sqlite3_column_int64(s, 4));
	hw_col(w, s, 5, CU_ESC_ONELINE);
	hw_raw(w, "</td><td class=\"hash\">");
	hw_col(w, s, 6, CU_ESC_ONELINE);
	hw_raw(w, "</td></tr>\n");
}

/* Calls, contacts and payments in the search index, linked to their row. */
static void index_call(struct rep *r, sqlite3_stmt *s, const char *page)
{
	char loc[CU_LOCAL_TIME_STR] = "", who[320], text[400];
	bool has_ms = !col_null(s, 1);

	if (has_ms && !local_time(r, sqlite3_column_int64(s, 1), loc))
		loc[0] = '\0';
	snprintf(who, sizeof(who), "%s%s%s%s", col(s, 24) ? col(s, 24) : "", col(s, 24) ? " (" : "",
		 col(s, 4) ? col(s, 4) : "", col(s, 24) ? ")" : "");
	snprintf(text, sizeof(text), "通话 call %s%s%s%s%s%s", col(s, 5) ? col(s, 5) : "",
		 col_null(s, 6) ? "" : " ", col_null(s, 6) ? "" : col(s, 6),
		 col_null(s, 6) ? "" : " s", col(s, 21) ? " " : "", col(s, 21) ? col(s, 21) : "");
	index_record(r, page, 'c', sqlite3_column_int64(s, 0), has_ms, sqlite3_column_int64(s, 1),
		     loc, col(s, 3), col(s, 20), "", who, text, strlen(text),
		     sqlite3_column_int64(s, 11) ? "D" : "");
}

static void index_contact(struct rep *r, sqlite3_stmt *s, const char *page)
{
	char text[600];
	bool deleted = !col_null(s, 20) && strcmp(col(s, 20), "deleted") == 0;

	snprintf(text, sizeof(text), "联系人 contact %s %s %s %s", col(s, 3) ? col(s, 3) : "",
		 col(s, 5) ? col(s, 5) : "", col(s, 4) ? col(s, 4) : "",
		 col(s, 6) ? col(s, 6) : "");
	index_record(r, page, 'k', sqlite3_column_int64(s, 0), false, 0, "", col(s, 1), col(s, 7),
		     "", col(s, 2), text, strlen(text),
		     deleted                       ? "X"
		     : sqlite3_column_int64(s, 11) ? "D"
						   : "");
}

static void index_payment(struct rep *r, sqlite3_stmt *s, const char *page)
{
	char loc[CU_LOCAL_TIME_STR] = "", who[320], text[600], y[CU_YUAN_STR] = "?";
	bool has_ms = !col_null(s, 1);

	if (has_ms && !local_time(r, sqlite3_column_int64(s, 1), loc))
		loc[0] = '\0';
	if (!col_null(s, 6))
		cu_report_yuan(sqlite3_column_int64(s, 6), y);
	snprintf(who, sizeof(who), "%s%s%s%s", col(s, 9) ? col(s, 9) : "", col(s, 9) ? " (" : "",
		 col(s, 8) ? col(s, 8) : "", col(s, 9) ? ")" : "");
	snprintf(text, sizeof(text), "支付 payment %s %s %s %s %s", col(s, 5) ? col(s, 5) : "",
		 col(s, 4) ? col(s, 4) : "", y, col(s, 7) ? col(s, 7) : "",
		 col(s, 11) ? col(s, 11) : "");
	index_record(r, page, 'p', sqlite3_column_int64(s, 0), has_ms, sqlite3_column_int64(s, 1),
		     loc, col(s, 3), col(s, 25), "", who, text, strlen(text),
		     sqlite3_column_int64(s, 16) ? "D" : "");
}

static enum cu_status tables(struct rep *r, struct cu_error *err)
{
	const struct table_spec specs[] = {
	    {"payments", "支付记录 Payments", "SELECT count(*) FROM payments",
	     "SELECT payment_id, occurred_ms, occurred_utc, app, kind, direction, amount_minor, "
	     "currency, counterparty, counterparty_name, status, memo, transaction_id, source_id, "
	     "source_table, source_rowid, recovered, source_page, source_offset, " REC_FROM(
		 "payments.") ", item_id FROM payments ORDER BY occurred_ms IS NULL, occurred_ms, payment_id",
	     "<tr><th>本地时间 Local</th><th>UTC</th><th data-f=\"app\">应用 App</th><th data-f=\"kind\">类型 Kind</th><th data-f=\"direction\">方向 "
	     "Direction</th><th>金额 Amount (元)</th><th>币种</th><th>交易对方 "
	     "Counterparty</th><th>状态 Status</th><th>备注 Memo</th><th>交易号 "
	     "Transaction</th><th>出处 Provenance</th></tr>",
	     pay_row, pay_intro, &r->res.payments, index_payment},
	    {"calls", "通话记录 Calls", "SELECT count(*) FROM calls",
	     "SELECT call_id, started_ms, started_utc, app, counterpart, direction, duration_s, "
	     "answered, source_id, source_table, source_rowid, recovered, source_page, "
	     "source_offset, " REC_FROM(
		 "calls.") ", item_id, cached_name, country, geocoded_location, (SELECT name FROM "
			   "temp.names n WHERE n.item_id = calls.item_id AND n.ident = calls.counterpart) "
			   "FROM calls ORDER BY started_ms IS NULL, started_ms, call_id",
	     "<tr><th>本地时间 Local</th><th>UTC</th><th data-f=\"app\">应用 App</th><th>对方 "
	     "Counterpart</th><th data-f=\"direction\">方向 Direction</th><th>时长 Duration "
	     "(s)</th><th>接通 Answered</th><th>国家/归属地 Country, location</th><th "
	     "data-f=\"item\">物品 Item</th><th>出处 Provenance</th></tr>",
	     call_row, NULL, &r->res.calls, index_call},
	    {"contacts", "联系人 Contacts", "SELECT count(*) FROM contacts",
	     "SELECT contact_id, app, identifier, display_name, alias, remark, phone, item_id, "
	     "source_id, source_table, source_rowid, recovered, source_page, source_offset, " REC_FROM(
		 "contacts.") ", status FROM contacts ORDER BY app, identifier, contact_id",
	     "<tr><th data-f=\"app\">应用 App</th><th>标识 Identifier</th><th>名称 "
	     "Name</th><th>别名 Alias</th><th>备注 Remark</th><th>电话 Phone</th><th "
	     "data-f=\"item\">物品 Item</th><th data-f=\"status\">状态 Status</th><th>出处 "
	     "Provenance</th></tr>",
	     contact_row, NULL, &r->res.contacts, index_contact},
	    {"hits", "关键词与标识命中 Code words and identifiers", "SELECT count(*) FROM hits",
	     "SELECT hit_id, item_id, kind, value, rule, artifact, artifact_id FROM hits ORDER BY "
	     "kind, normalized, hit_id",
	     "<tr><th data-f=\"item\">物品 Item</th><th data-f=\"kind\">类型 Kind</th><th>值 "
	     "Value</th><th>规则 Rule</th><th>上下文 "
	     "Context</th></tr>",
	     hit_row, NULL, &r->res.hits, NULL},
	    {"timeline", "时间线 Timeline", "SELECT count(*) FROM timeline",
	     "SELECT t.time_ms, t.time_utc, t.kind, t.app, t.item_id, t.summary, t.artifact_table, "
	     "t.artifact_id, coalesce(m.source_id, c.source_id, p.source_id), "
	     "coalesce(m.source_table, c.source_table, p.source_table), coalesce(m.source_rowid, "
	     "c.source_rowid, p.source_rowid), coalesce(m.source_page, c.source_page, "
	     "p.source_page), coalesce(m.source_offset, c.source_offset, p.source_offset), "
	     "coalesce(m.recovered, c.recovered, p.recovered), coalesce(m.recovered_from, "
	     "c.recovered_from, p.recovered_from), coalesce(m.recovered_status, c.recovered_status, "
	     "p.recovered_status), coalesce(m.wal_frame, c.wal_frame, p.wal_frame), "
	     "coalesce(m.partial, c.partial, p.partial), coalesce(m.damaged, c.damaged, p.damaged), "
	     "CASE WHEN coalesce(m.recovered_from, c.recovered_from, p.recovered_from) IS NOT NULL "
	     "OR coalesce(m.damaged, c.damaged, p.damaged) THEN (SELECT coalesce(device_path, "
	     "evidence_path, '?') || ' · sha256 ' || coalesce(sha256, '?') FROM sources WHERE "
	     "sources.source_id = coalesce(m.source_id, c.source_id, p.source_id)) END, "
	     "coalesce(m.sender_name, (SELECT name FROM temp.names n WHERE n.item_id = m.item_id "
	     "AND n.ident = m.sender)), m.sender, (SELECT name FROM temp.names n WHERE n.item_id = "
	     "c.item_id AND n.ident = c.counterpart), c.counterpart, m.kind, m.status "
	     "FROM timeline t LEFT JOIN messages m "
	     "ON t.artifact_table = 'messages' AND m.message_id = t.artifact_id LEFT JOIN calls c "
	     "ON t.artifact_table = 'calls' AND c.call_id = t.artifact_id LEFT JOIN payments p ON "
	     "t.artifact_table = 'payments' AND p.payment_id = t.artifact_id ORDER BY t.time_ms IS "
	     "NULL, t.time_ms, t.artifact_table, t.artifact_id",
	     "<tr><th>本地时间 Local</th><th>UTC</th><th data-f=\"kind\">类型 Kind</th><th "
	     "data-f=\"app\">应用 App</th><th data-f=\"item\">物品 "
	     "Item</th><th>摘要 Summary</th><th>出处 Provenance</th></tr>",
	     timeline_row, NULL, NULL, NULL},
	    {"files", "文件清单 Files (SHA-256, MD5)", "SELECT count(*) FROM inv",
	     "SELECT kind, item, device_path, evidence_path, size, sha256, md5 FROM inv ORDER BY "
	     "evidence_path",
	     "<tr><th data-f=\"kind\">种类 Kind</th><th data-f=\"item\">物品 Item</th><th>设备路径 "
	     "Device path</th><th>证据路径 "
	     "Evidence path</th><th>大小 Size</th><th>SHA-256</th><th>MD5</th></tr>",
	     file_row, NULL, NULL, NULL},
	};
	enum cu_status st;

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if ((st = paged_table(r, &specs[i], err)) != CU_OK)
			return st;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* sources, custody, verify, index                                     */
/* ------------------------------------------------------------------ */

static enum cu_status sources_page(struct rep *r, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	struct hw w;
	enum cu_status st;
	int rc;

	if ((st = prepare(
		 r,
		 "SELECT source_id, item_id, device_path, evidence_path, size, sha256, md5, "
		 "derived_from, derivation FROM sources ORDER BY source_id",
		 &s, err)) != CU_OK)
		return st;
	if ((st = open_page(r, &w, "sources.html", err)) != CU_OK)
		goto out;
	page_begin(r, &w, "来源文件 Sources (provenance)", "", true);
	hw_raw(&w, "<p>Every row of the report links here: the parsed file, where it was on the "
		   "device, where it is in the package, and its digests as computed while it was "
		   "acquired.</p>\n<table><thead><tr><th>#</th><th>物品 Item</th><th>设备路径 "
		   "Device path</th><th>证据路径 Evidence path</th><th>大小 Size</th><th>SHA-256 / "
		   "MD5</th><th>派生 Derived from</th></tr></thead><tbody>\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		hw_printf(&w, "<tr id=\"s%lld\"><td>%lld</td>",
			  (long long)sqlite3_column_int64(s, 0),
			  (long long)sqlite3_column_int64(s, 0));
		cell(&w, s, 1);
		cell(&w, s, 2);
		hw_raw(&w, "<td>");
		if (!col_null(s, 3) && cu_html_is_safe_media_name(col(s, 3))) {
			hw_raw(&w, "<a href=\"");
			if (!hw_url(&w, "../", col(s, 3)))
				hw_raw(&w, "#");
			hw_raw(&w, "\">");
			hw_col(&w, s, 3, CU_ESC_ONELINE);
			hw_raw(&w, "</a>");
		} else if (!col_null(s, 3)) {
			hw_col(&w, s, 3, CU_ESC_ONELINE);
		}
		hw_printf(&w, "</td><td class=\"num\">%lld</td><td class=\"hash\">",
			  (long long)sqlite3_column_int64(s, 4));
		hw_col(&w, s, 5, CU_ESC_ONELINE);
		hw_raw(&w, "<br>");
		hw_col(&w, s, 6, CU_ESC_ONELINE);
		hw_raw(&w, "</td><td>");
		if (!col_null(s, 7))
			hw_printf(&w, "<a href=\"#s%lld\">source %lld</a> ",
				  (long long)sqlite3_column_int64(s, 7),
				  (long long)sqlite3_column_int64(s, 7));
		hw_col(&w, s, 8, CU_ESC_ONELINE);
		hw_raw(&w, "</td></tr>\n");
	}
	if (rc != SQLITE_DONE) {
		hw_abort(&w);
		st = db_err(r, "sources", err);
		goto out;
	}
	hw_raw(&w, "</tbody></table>\n");
	st = page_end(r, &w, err);
out:
	sqlite3_finalize(s);
	return st;
}

static enum cu_status custody_row(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct hw *w = ctx;
	const json_t *b = json_object_get(e->json, "body");
	char leaf[65];
	(void)err;

	cu_hex(e->leaf, 32, leaf);
	hw_printf(w, "<tr id=\"e%llu\"><td class=\"num\">%llu</td><td>", (unsigned long long)e->seq,
		  (unsigned long long)e->seq);
	hw_text1(w, jstr(b, "time"));
	hw_raw(w, "</td><td>");
	hw_text1(w, jstr(b, "event"));
	hw_raw(w, "</td><td>");
	json_inline(w, json_object_get(b, "actor"), NULL, 1);
	hw_raw(w, "</td><td>");
	json_inline(w, json_object_get(b, "subject"), NULL, 1);
	hw_raw(w, "</td><td>");
	json_inline(w, json_object_get(b, "details"), NULL, 1);
	hw_printf(w, "</td><td class=\"hash\">%s<br>prev ", leaf);
	hw_text1(w, jstr(b, "prev"));
	hw_printf(w, "%s</td></tr>\n", json_object_get(e->json, "sig") ? "<br>signed" : "");
	return CU_OK;
}

static enum cu_status custody_page(struct rep *r, struct cu_error *err)
{
	struct cu_buf log = CU_BUF_INIT, path = CU_BUF_INIT;
	struct cu_custody_check chk;
	struct hw w;
	bool open = false;
	enum cu_status st;
	char head[65], root[65];

	if ((st = cu_case_path(r->c, CU_CASE_CUSTODY, &path, err)) != CU_OK ||
	    (st = cu_file_read_all(path.data, (size_t)256 << 20, &log, err)) != CU_OK)
		goto out;
	if ((st = open_page(r, &w, "custody.html", err)) != CU_OK)
		goto out;
	open = true;
	page_begin(r, &w, "监管链 Chain of custody", "", true);
	hw_raw(&w, "<p>The custody log (custody/log.jsonl) as it stood when this report was "
		   "written; each entry's leaf is SHA-256(0x00 || body) and links to the previous "
		   "one (CUSTODY.md). The sealed package carries the log up to its SEAL entry; "
		   "PRINT, TRANSFER and later entries continue in the living log beside the "
		   "package.</p>\n<table><thead><tr><th>seq</th><th>时间 Time (UTC)</th><th>事件 "
		   "Event</th><th>人员 Actor</th><th>对象 Subject</th><th>详情 "
		   "Details</th><th>leaf / prev</th></tr></thead><tbody>\n");
	st = cu_custody_each_buf(log.data, log.len, path.data, NULL, custody_row, &w, &chk, err);
	hw_raw(&w, "</tbody></table>\n");
	if (st != CU_OK)
		goto out;
	cu_hex(chk.head, 32, head);
	cu_hex(chk.root, 32, root);
	hw_printf(&w,
		  "<table class=\"kv\"><tr><th>entries</th><td>%llu</td></tr><tr><th>head</th>"
		  "<td class=\"hash\">%s</td></tr><tr><th>root (RFC 6962)</th><td "
		  "class=\"hash\">%s</td></tr></table>\n",
		  (unsigned long long)chk.entries, head, root);
	open = false;
	st = page_end(r, &w, err);
out:
	if (open)
		hw_abort(&w);
	cu_buf_release(&log);
	cu_buf_release(&path);
	return st;
}

/* The verification steps in Chinese (VERIFY.md, the English text, follows
 * on the page). */
static const char verify_zh[] =
    "<h2>中文</h2>\n"
    "<p>本报告封存在证据包之内，因此不能载明证据包自身的封存哈希值（manifest.json 的 "
    "SHA-256）。封存哈希值以 16 组、每组 4 位十六进制数字和二维码的形式，打印在证据包旁的"
    "文书（<code>&lt;证据包&gt;.forms/</code>）上，其打印记录在证据包外的监管链日志中。"
    "无需 custos，仅用 <code>unzip</code>、<code>sha256sum</code>、<code>md5sum</code>、"
    "<code>openssl</code> 和 POSIX shell 即可校验：</p>\n"
    "<pre>unzip -p 证据包.custos.zip verify.sh &gt; verify.sh\n"
    "sh verify.sh 证据包.custos.zip [检查人公钥.pem]</pre>\n"
    "<p>脚本逐项输出 <code>ok</code>、<code>FAIL</code> 或 <code>note</code>，全部通过时"
    "退出码为 0。脚本只读取证据包，运行前请先阅读。</p>\n"
    "<ol>\n"
    "<li>整包哈希：<code>sha256sum -c 证据包.custos.zip.sha256</code>。</li>\n"
    "<li>结构和 CRC：<code>unzip -t 证据包.custos.zip</code>；每个字节都应属于某个条目"
    "（见英文第 2 步）。</li>\n"
    "<li>封存哈希值：<code>unzip -p 证据包.custos.zip manifest.json | sha256sum</code> "
    "应与文书上的哈希值一致，ZIP 注释（<code>unzip -z</code>）应恰为 <code>CUSTOS1 "
    "&lt;封存哈希值&gt;</code>。</li>\n"
    "<li>文件：逐个条目计算 SHA-256 / MD5（<code>unzip -p 证据包 条目 | sha256sum</code>，"
    "无需解压全部文件），与 manifest.json 中的记录比对；不得有清单之外的条目。</li>\n"
    "<li>监管链 <code>custody/log.jsonl</code>：每条记录的叶哈希为 SHA-256(0x00 || body)，"
    "并链接上一条；条数、最后叶哈希和 RFC 6962 树根应与 manifest.json 的 custody 一致。"
    "</li>\n"
    "<li>内容根：按 path 排序的 files 和 derived 各行计算叶哈希，RFC 6962 树根应等于 "
    "<code>content_root.root</code>（即本页上方的内容根）。</li>\n"
    "<li>签名（如有 <code>manifest.json.sig</code>）：<code>openssl pkeyutl -verify -pubin "
    "-inkey 检查人公钥.pem -rawin -in manifest.json -sigfile manifest.json.sig</code>。</li>\n"
    "<li>时间戳：<code>manifest.json.tsq</code> 为 RFC 3161 请求，可送可信时间戳机构核验。"
    "</li>\n"
    "</ol>\n";

static enum cu_status verify_page(struct rep *r, struct cu_error *err)
{
	struct hw w;
	char g[80];

	if (open_page(r, &w, "verify.html", err) != CU_OK)
		return err->code;
	page_begin(r, &w, "如何校验 How to verify", "", false);
	cu_report_group_hex(r->res.content_root, g);
	hw_printf(&w,
		  "<p>内容根 Content root (RFC 6962 over every evidence and derived file): "
		  "<span class=\"hash\">%s</span></p>\n",
		  g);
	hw_raw(&w, verify_zh);
	hw_raw(&w, "<h2>English</h2>\n");
	hw_raw(&w, "<p>This report is sealed inside the package, so it cannot carry the package's "
		   "own seal hash (SHA-256 of manifest.json). The seal hash is printed, as 16 "
		   "groups of 4 hex digits and as a QR code, on the forms written beside the "
		   "package (<code>&lt;package&gt;.forms/</code>), whose printing is recorded in "
		   "the living custody log. The package's VERIFY.md follows.</p>\n<pre>");
	hw_text(&w, cu_seal_verify_md());
	hw_raw(&w, "</pre>\n");
	return page_end(r, &w, err);
}

static void counts_table(struct rep *r, struct hw *w)
{
	static const char *const q[][3] = {
	    {"会话 Conversations", "SELECT count(*) FROM conversations", "chats.html"},
	    {"消息 Messages", "SELECT count(*) FROM messages", "chats.html"},
	    {"已撤回 Recalled", "SELECT count(*) FROM messages WHERE kind='recalled'",
	     "chats.html"},
	    {"已恢复 Recovered (deleted)",
	     "SELECT (SELECT count(*) FROM messages WHERE recovered) + (SELECT count(*) FROM "
	     "contacts WHERE recovered) + (SELECT count(*) FROM calls WHERE recovered) + (SELECT "
	     "count(*) FROM payments WHERE recovered)",
	     "chats.html"},
	    {"损坏文件中读取 Rows read from damaged files",
	     "SELECT (SELECT count(*) FROM messages WHERE damaged) + (SELECT count(*) FROM "
	     "contacts WHERE damaged) + (SELECT count(*) FROM calls WHERE damaged) + (SELECT "
	     "count(*) FROM payments WHERE damaged)",
	     "index.html#warnings"},
	    {"支付 Payments", "SELECT count(*) FROM payments", "payments-1.html"},
	    {"通话 Calls", "SELECT count(*) FROM calls", "calls-1.html"},
	    {"联系人 Contacts", "SELECT count(*) FROM contacts", "contacts-1.html"},
	    {"命中 Hits", "SELECT count(*) FROM hits", "hits-1.html"},
	    {"来源 Parsed sources", "SELECT count(*) FROM sources", "sources.html"},
	    {"文件 Files", "SELECT count(*) FROM inv", "files-1.html"},
	    {"解析警告 Parse warnings", "SELECT count(*) FROM parse_warnings",
	     "index.html#warnings"},
	    {"未检查 Not examined", "SELECT count(*) FROM not_examined", "index.html#not-examined"},
	    {"疑似密文 Bodies that look app-encrypted",
	     "SELECT count(*) FROM messages WHERE status = 'ciphertext'", "search.html"},
	};
	hw_raw(w, "<h2>数据概览 Contents</h2>\n<table class=\"kv\">\n");
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct cu_error e;
		enum cu_status st = CU_OK;
		int64_t n = count_of(r, q[i][1], &e, &st);
		hw_printf(w, "<tr><th><a href=\"%s\">%s</a></th><td class=\"num\">", q[i][2],
			  q[i][0]);
		if (st == CU_OK)
			hw_printf(w, "%lld", (long long)n);
		else
			hw_raw(w, "—");
		hw_raw(w, "</td></tr>\n");
	}
	hw_raw(w, "</table>\n");
}

/* A fact as text: a string, or the strings of an array joined by ", ". */
static const char *fact_text(const json_t *v, struct cu_buf *b)
{
	struct cu_error e;
	size_t i;
	const json_t *x;

	if (json_is_string(v))
		return json_string_value(v);
	cu_buf_reset(b);
	json_array_foreach(v, i, x) if (json_is_string(x) &&
					cu_buf_printf(b, &e, "%s%s", b->len ? ", " : "",
						      json_string_value(x)) != CU_OK) break;
	return b->len ? b->data : NULL;
}

/* True when import recorded a MISMATCH for this field of the item. */
static bool fact_mismatch(const json_t *read, const char *field)
{
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(read, "mismatches"), i, x)
	{
		const char *f = jstr(x, "field");
		if (f != NULL && strcmp(f, field) == 0)
			return true;
	}
	return false;
}

static void fact_row(struct hw *w, const char *label, const char *typed, const char *read,
		     bool mismatch)
{
	hw_raw(w, mismatch ? "<tr class=\"mismatch\"><th>" : "<tr><th>");
	hw_raw(w, label);
	if (mismatch)
		hw_raw(w, " — 不符 MISMATCH");
	hw_raw(w, "</th>");
	hw_raw(w, "<td><bdi>");
	if (typed != NULL)
		hw_text(w, typed);
	else
		hw_raw(w, "—");
	hw_raw(w, "</bdi></td><td><bdi>");
	if (read != NULL)
		hw_text(w, read);
	else
		hw_raw(w, "—");
	hw_raw(w, "</bdi></td></tr>\n");
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/*
 * Device facts, two columns per item: 扣押时记录, what the seizure record
 * typed (manifest seizure.items[]), and 设备读取, what the device said
 * (case.db items, filled from the image; MEID and ICCID from the
 * manifest's items[] entry import wrote). A field import found
 * contradicted (a MISMATCH custody entry) is a red row.
 */
static enum cu_status device_facts(struct rep *r, struct hw *w, struct cu_error *err)
{
	const json_t *m = r->c->manifest;
	struct cu_buf b1 = CU_BUF_INIT, b2 = CU_BUF_INIT;
	sqlite3_stmt *s = NULL;
	enum cu_status st;
	int rc, rows = 0;

	hw_raw(w, "<h2>设备信息 Device facts: 扣押时记录 (typed at seizure) / 设备读取 (read from "
		  "the device)</h2>\n");
	if ((st = prepare(r,
			  "SELECT item_id, platform, make, model, os_version, imei, serial, udid, "
			  "phone_numbers, acquisition_method FROM items ORDER BY item_id",
			  &s, err)) != CU_OK)
		return st;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = col_text(s, 0);
		const json_t *typed = id ? cu_manifest_item_in(m, CU_MANIFEST_SEIZED, id) : NULL;
		const json_t *read = id ? cu_manifest_item_in(m, CU_MANIFEST_IMPORTED, id) : NULL;
		const json_t *tf = json_object_get(typed, "features");
		const json_t *ti = json_object_get(typed, "identifiers");
		const json_t *ri = json_object_get(read, "identifiers");

		rows++;
		hw_raw(w, "<h3>");
		hw_text1(w, id);
		if (typed == NULL && cu_manifest_items(m, CU_MANIFEST_SEIZED) != NULL &&
		    json_array_size(cu_manifest_items(m, CU_MANIFEST_SEIZED)) > 0)
			hw_raw(w, " — 未列入扣押清单 not in the seizure list");
		hw_raw(w, "</h3>\n<table class=\"kv facts\"><thead><tr><th>项目 Field</th>"
			  "<th>扣押时记录 Typed at seizure</th><th>设备读取 Read from the "
			  "device</th></tr></thead><tbody>\n");
		fact_row(w, "平台 Platform", jstr(typed, "os"), col_text(s, 1), false);
		fact_row(w, "厂商 Make", jstr(tf, "make"), col_text(s, 2), false);
		fact_row(w, "型号 Model", jstr(tf, "model"), col_text(s, 3),
			 fact_mismatch(read, "model"));
		fact_row(w, "系统版本 OS version", jstr(typed, "os_version"), col_text(s, 4),
			 fact_mismatch(read, "os_version"));
		fact_row(w, "IMEI", fact_text(json_object_get(ti, "imei"), &b1), col_text(s, 5),
			 fact_mismatch(read, "imei"));
		fact_row(w, "MEID", jstr(ti, "meid"), jstr(ri, "meid"),
			 fact_mismatch(read, "meid"));
		fact_row(w, "序列号 Serial", jstr(ti, "serial"), col_text(s, 6),
			 fact_mismatch(read, "serial"));
		fact_row(w, "UDID", jstr(ti, "udid"), col_text(s, 7), fact_mismatch(read, "udid"));
		fact_row(w, "ICCID", jstr(ti, "iccid"), jstr(ri, "iccid"),
			 fact_mismatch(read, "iccid"));
		fact_row(w, "号码 Numbers", fact_text(json_object_get(ti, "msisdn"), &b2),
			 col_text(s, 8), fact_mismatch(read, "msisdn"));
		fact_row(w, "方式 Method", NULL, col_text(s, 9), false);
		hw_raw(w, "</tbody></table>\n");
	}
	sqlite3_finalize(s);
	if (rows == 0)
		hw_raw(w, "<p>—</p>\n");
	cu_buf_release(&b1);
	cu_buf_release(&b2);
	(void)rc;
	return CU_OK;
}

/* The search across the whole case: search.js loads search/meta.js and
 * the shards. */
static enum cu_status search_page(struct rep *r, struct cu_error *err)
{
	struct hw w;
	enum cu_status st;

	if ((st = open_page(r, &w, "search.html", err)) != CU_OK)
		return st;
	page_begin(r, &w, "搜索全案 Search the whole case", "", false);
	hw_raw(&w, "<script src=\"assets/search.js\"></script>\n");
	hw_raw(
	    &w,
	    "<p>在全部消息、通话、联系人和支付记录中查找（离线，不联网）。Searches every message, "
	    "call, contact and payment of the case, offline: "
	    "the index ships with the report (search/*.js). Up to 1000 results; each links "
	    "to the message in its chat. 日期按报告时区 Dates are in the report's zone.</p>\n"
	    "<form id=\"search\" class=\"filter\" autocomplete=\"off\">"
	    "<label>查找 Find: <input type=\"search\" id=\"q\" size=\"30\"></label> "
	    "<label>应用 App: <select id=\"f-app\"><option value=\"\">全部 all</option>"
	    "</select></label> "
	    "<label>物品 Item: <select id=\"f-item\"><option value=\"\">全部 all</option>"
	    "</select></label> "
	    "<label>会话 Conversation: <input type=\"search\" id=\"f-conv\" size=\"16\">"
	    "</label> "
	    "<label>从 From: <input type=\"date\" id=\"f-from\"></label> "
	    "<label>到 To: <input type=\"date\" id=\"f-to\"></label> "
	    "<button type=\"submit\">搜索 Search</button></form>\n"
	    "<p id=\"status\">—</p>\n"
	    "<table id=\"results\" class=\"sortable\"><thead><tr><th>本地时间 "
	    "Local</th><th>应用 App</th><th>物品 Item</th><th>会话 "
	    "Conversation</th><th>发送者 Sender</th><th>内容 Text</th><th>标记 "
	    "Flags</th></tr></thead><tbody></tbody></table>\n");
	return page_end(r, &w, err);
}

/* What custos did not examine (case.db not_examined): every SQLite file
 * and known app path no parser handled, every file a parser refused, with
 * the reason. Paths are text, not links (a document type opened from the
 * report could run). */
static void not_examined(struct rep *r, struct hw *w)
{
	static const char *const why[][2] = {
	    {"unsupported", "不支持的应用或格式 unsupported"},
	    {"encrypted-no-key", "已加密，无密钥 encrypted, no key"},
	    {"damaged", "文件损坏 damaged"},
	    {"refused", "解析器拒绝 refused by the parser"},
	};
	sqlite3_stmt *s = NULL;
	int64_t n = 0;

	hw_raw(w, "<h2 id=\"not-examined\">未检查 Not examined</h2>\n");
	if (sqlite3_prepare_v2(
		r->db,
		"SELECT item_id, device_path, evidence_path, app, reason, detail, size, "
		"sha256 FROM not_examined ORDER BY item_id, device_path, ne_id LIMIT "
		"10001",
		-1, &s, NULL) != SQLITE_OK) {
		hw_raw(w, "<p>—（此 case.db 没有记录 this case.db does not record it）</p>\n");
		return;
	}
	hw_raw(w, "<p>以下文件未被解析，其内容未出现在本报告中。These files were not parsed; "
		  "their contents are not in this report.</p>\n<table><thead><tr><th "
		  "data-f=\"item\">物品 Item</th><th>设备路径 Device path</th><th "
		  "data-f=\"app\">应用 App</th><th data-f=\"reason\">原因 Reason</th><th>说明 "
		  "Detail</th><th>大小 Size</th><th>SHA-256 / 证据路径 Evidence "
		  "path</th></tr></thead><tbody>\n");
	while (sqlite3_step(s) == SQLITE_ROW && ++n <= 10000) {
		const char *rs = col(s, 4);
		const char *label = NULL;
		for (size_t i = 0; rs != NULL && i < sizeof(why) / sizeof(why[0]); i++)
			if (strcmp(rs, why[i][0]) == 0)
				label = why[i][1];
		hw_raw(w, "<tr>");
		cell(w, s, 0);
		cell(w, s, 1);
		hw_raw(w, "<td>");
		if (col_null(s, 3))
			hw_raw(w, "未知 unknown");
		else
			hw_col(w, s, 3, CU_ESC_ONELINE);
		hw_raw(w, "</td><td>");
		if (label != NULL)
			hw_raw(w, label);
		else
			hw_col(w, s, 4, CU_ESC_ONELINE);
		hw_raw(w, "</td>");
		cell(w, s, 5);
		if (col_null(s, 6))
			hw_raw(w, "<td>—</td>");
		else
			hw_printf(w, "<td class=\"num\">%lld</td>",
				  (long long)sqlite3_column_int64(s, 6));
		hw_raw(w, "<td><span class=\"hash\">");
		hw_col(w, s, 7, CU_ESC_ONELINE);
		hw_raw(w, "</span><br><bdi>");
		hw_col(w, s, 2, CU_ESC_ONELINE);
		hw_raw(w, "</bdi></td></tr>\n");
	}
	hw_raw(w, "</tbody></table>\n");
	if (n == 0)
		hw_raw(w, "<p>无 None: every database and known app file was parsed.</p>\n");
	else if (n > 10000)
		hw_raw(w, "<p>仅列出前 10000 项 The first 10,000 are listed; case.db holds them "
			  "all.</p>\n");
	sqlite3_finalize(s);
}

static enum cu_status index_page(struct rep *r, struct cu_error *err)
{
	const json_t *m = r->c->manifest;
	const json_t *cs = json_object_get(m, "case"), *pe = json_object_get(m, "personnel");
	const json_t *sz = json_object_get(m, "seizure"), *x;
	sqlite3_stmt *s = NULL;
	struct hw w;
	size_t i;
	enum cu_status st;
	char g[80];

	if ((st = open_page(r, &w, "index.html", err)) != CU_OK)
		return st;
	page_begin(r, &w, "电子数据检查报告 Examination report", "", false);
	hw_raw(&w, "<h2>案件 Case</h2>\n<table class=\"kv\">\n");
	kv_row(&w, "案件编号 Case number", jstr(cs, "case_number"));
	kv_row(&w, "案由 Case title", jstr(cs, "case_title"));
	kv_row(&w, "办案单位 Agency", jstr(cs, "agency"));
	kv_row(&w, "法律依据 Legal basis", jstr(json_object_get(cs, "legal_basis"), "type"));
	kv_row(&w, "文书编号 Document number",
	       jstr(json_object_get(cs, "legal_basis"), "document_number"));
	kv_row(&w, "事由和目的 Purpose", jstr(cs, "purpose"));
	time_row(r, &w, "扣押时间 Seizure time", jstr(sz, "time"));
	kv_row(&w, "扣押地点 Location", jstr(json_object_get(sz, "location"), "text"));
	cu_report_group_hex(r->res.content_root, g);
	hw_printf(&w, "<tr><th>内容根 Content root</th><td class=\"hash\">%s</td></tr>\n", g);
	hw_printf(&w, "<tr><th>时区 Time zone</th><td>%s</td></tr>\n", r->tz_label);
	hw_raw(&w, "</table>\n");
	counts_table(r, &w);

	hw_raw(&w, "<h2>人员 Personnel</h2>\n");
	json_section(&w, pe);

	hw_raw(&w, "<h2>扣押物品 Seized items (state at seizure)</h2>\n");
	json_array_foreach(cu_manifest_items(m, CU_MANIFEST_SEIZED), i, x)
	{
		struct cu_item_facts f;

		cu_manifest_item_facts(x, &f);
		hw_raw(&w, "<h3>");
		hw_text1(&w, f.item_id);
		hw_raw(&w, " ");
		hw_text1(&w, f.name);
		hw_raw(&w, "</h3>\n");
		json_section(&w, x);
	}
	if ((st = device_facts(r, &w, err)) != CU_OK) {
		hw_abort(&w);
		return st;
	}

	hw_raw(&w, "<h2>提取与导入记录 Acquisition and import log (clock, device changes)</h2>\n");
	if (json_array_size(json_object_get(m, "acquisitions")) == 0)
		hw_raw(&w, "<p>—</p>\n");
	json_array_foreach(json_object_get(m, "acquisitions"), i, x)
	{
		hw_printf(&w, "<h3>#%zu ", i + 1);
		hw_text1(&w, jstr(x, "item_id"));
		hw_raw(&w, " ");
		hw_text1(&w, jstr(x, "method"));
		hw_raw(&w, "</h3>\n");
		json_section(&w, x);
	}
	if (json_object_get(m, "derived") && json_array_size(json_object_get(m, "derived")) > 0) {
		hw_raw(&w, "<h2>派生文件 Derived files</h2>\n");
		json_table(&w, json_object_get(m, "derived"));
	}

	not_examined(r, &w);
	hw_raw(&w,
	       "<h2 id=\"warnings\">解析警告 Parse warnings</h2>\n<table><thead><tr><th>物品 "
	       "Item</th><th>解析器 Parser</th><th>级别 Severity</th><th>文件 File</th><th>说明 "
	       "Message</th></tr></thead><tbody>\n");
	if (prepare(r,
		    "SELECT item_id, parser, severity, device_path, message, source_id FROM "
		    "parse_warnings ORDER BY warning_id LIMIT 10000",
		    &s, err) == CU_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			hw_raw(&w, "<tr>");
			for (int c = 0; c < 5; c++)
				cell(&w, s, c);
			hw_raw(&w, "</tr>\n");
		}
		sqlite3_finalize(s);
	}
	hw_raw(&w, "</tbody></table>\n");
	if (r->exports_html.len > 0)
		hw_raw(&w, r->exports_html.data);
	hw_raw(&w,
	       "<h2>文书 Forms</h2>\n<p><a href=\"forms/index.html\">扣押清单、电子数据现场提取笔录"
	       "及提取固定清单、电子数据检查笔录 (HTML, docx)</a></p>\n");
	return page_end(r, &w, err);
}

/* ------------------------------------------------------------------ */
/* forms inside the package                                            */
/* ------------------------------------------------------------------ */

/* files[] as the seal writes it (seal.c), from the inventory: the forms
 * inside the package list the same rows as the sealed manifest. */
static enum cu_status files_json(struct rep *r, json_t **out, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	enum cu_status st;
	json_int_t seq = 0;
	const json_t *acq = json_object_get(r->c->manifest, "acquisitions");

	if (arr == NULL)
		return cu_error_set(err, CU_E_NOMEM, "report: out of memory");
	if ((st = prepare(r,
			  "SELECT kind, item, device_path, evidence_path, size, sha256, md5 FROM "
			  "inv WHERE kind = 'evidence' ORDER BY evidence_path",
			  &s, err)) != CU_OK)
		goto out;
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *o = json_object();
		const char *dp = col(s, 2), *ep = col(s, 3), *item = col(s, 1);
		const char *when = NULL, *method = NULL;
		unsigned char head[16];
		size_t got = 0;
		struct cu_buf p = CU_BUF_INIT;
		struct cu_error e2;
		size_t i;
		const json_t *a;

		/* The format column needs the first bytes (cu_seal_format, as
		 * seal does); a read of 16 bytes, not a re-hash. */
		if (cu_case_path(r->c, ep ? ep : "", &p, &e2) == CU_OK) {
			FILE *f = fopen(p.data, "rb");
			if (f != NULL) {
				got = fread(head, 1, sizeof(head), f);
				fclose(f);
			}
		}
		cu_buf_release(&p);
		json_array_foreach(acq, i, a)
		{
			const char *id = jstr(a, "item_id");
			if (id != NULL && item != NULL && strcmp(id, item) == 0) {
				when = jstr(a, "end") ? jstr(a, "end") : jstr(a, "start");
				method = jstr(a, "method");
			}
		}
		json_object_set_new(o, "seq", json_integer(++seq));
		json_object_set_new(o, "path", json_string(ep ? ep : ""));
		json_object_set_new(o, "device_path", dp ? json_string(dp) : json_null());
		json_object_set_new(o, "item_id", json_string(item ? item : ""));
		json_object_set_new(o, "category", json_string(cu_seal_category(dp ? dp : ep)));
		json_object_set_new(o, "format", json_string(cu_seal_format(head, got, ep)));
		json_object_set_new(o, "size", json_integer(sqlite3_column_int64(s, 4)));
		json_object_set_new(o, "sha256", json_string(col(s, 5) ? col(s, 5) : ""));
		json_object_set_new(o, "md5", json_string(col(s, 6) ? col(s, 6) : ""));
		json_object_set_new(o, "acquired", when ? json_string(when) : json_null());
		json_object_set_new(o, "method", method ? json_string(method) : json_null());
		json_array_append_new(arr, o);
	}
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	sqlite3_finalize(s);
	return st;
}

static enum cu_status forms_inside(struct rep *r, unsigned formats, struct cu_error *err)
{
	struct cu_buf dir = CU_BUF_INIT, names = CU_BUF_INIT, log = CU_BUF_INIT;
	json_t *files = NULL;
	struct cu_forms_in in;
	enum cu_status st;

	if ((st = files_json(r, &files, err)) != CU_OK)
		goto out;
	if ((st = cu_path_join(r->out, "forms", &dir, err)) != CU_OK ||
	    (st = cu_mkdirs(dir.data, 0755, false, err)) != CU_OK ||
	    (st = cu_case_path(r->c, CU_CASE_CUSTODY, &log, err)) != CU_OK)
		goto out;
	memset(&in, 0, sizeof(in));
	in.manifest = r->c->manifest;
	in.files = files;
	in.custody_log = log.data;
	in.hash_hex = r->res.content_root;
	in.is_seal = false;
	in.tz = r->tz;
	in.tz_label = r->tz_label;
	in.formats = formats;
	if ((st = cu_forms_write(dir.data, &in, &names, err)) != CU_OK)
		goto out;
	for (size_t i = 0; i < names.len; i++)
		if (names.data[i] == '\n')
			r->files_written++;
out:
	json_decref(files);
	cu_buf_release(&dir);
	cu_buf_release(&names);
	cu_buf_release(&log);
	return st;
}

/* ------------------------------------------------------------------ */
/* the whole report                                                    */
/* ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a folder tree the report itself wrote (never follows links). */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The device zones of the items (items.timezone, when the schema has it
 * and the zone is one the tz database knows). */
static void load_device_zones(struct rep *r)
{
	sqlite3_stmt *s = NULL;
	struct cu_error e;

	if (sqlite3_prepare_v2(r->db,
			       "SELECT item_id, timezone FROM items WHERE timezone IS NOT NULL "
			       "ORDER BY item_id",
			       -1, &s, NULL) != SQLITE_OK)
		return; /* a case.db from before items.timezone */
	while (sqlite3_step(s) == SQLITE_ROW && r->nitz < 16) {
		const char *it = col(s, 0), *z = col(s, 1);
		if (it == NULL || z == NULL || strlen(it) >= 64 || strlen(z) >= 64 ||
		    cu_time_zone_check(z, &e) != CU_OK)
			continue;
		memcpy(r->itz_item[r->nitz], it, strlen(it) + 1);
		memcpy(r->itz_zone[r->nitz], z, strlen(z) + 1);
		r->nitz++;
	}
	sqlite3_finalize(s);
}

/* The display zone: --tz, else the devices' own zone when they all share
 * one, else the seizure location's zone from the manifest, else
 * Asia/Shanghai. Every candidate is checked against the tz database. */
static void tz_from(struct rep *r, const char *opt)
{
	const json_t *loc = json_object_get(json_object_get(r->c->manifest, "seizure"), "location");
	const char *cand[4] = {opt, NULL, jstr(loc, "tz"), jstr(loc, "utc_offset")};
	const char *why[4] = {"--tz", "设备时区 the device's zone", "扣押地点 the seizure location",
			      "扣押地点 the seizure location"};
	const char *name = "Asia/Shanghai", *from = "default";
	struct cu_error e;
	int64_t nitems = 0;
	enum cu_status st;
	int off = 480;

	load_device_zones(r);
	nitems = count_of(r, "SELECT count(*) FROM items", &e, &st);
	if (r->nitz > 0 && (int64_t)r->nitz == nitems) {
		cand[1] = r->itz_zone[0];
		for (size_t i = 1; i < r->nitz; i++)
			if (strcmp(r->itz_zone[i], r->itz_zone[0]) != 0)
				cand[1] = NULL;
	}
	for (int i = 0; i < 4; i++)
		if (cand[i] != NULL && strlen(cand[i]) < sizeof(r->zone) &&
		    cu_time_zone_check(cand[i], &e) == CU_OK && cu_report_parse_tz(cand[i], &off)) {
			name = cand[i];
			from = why[i];
			break;
		}
	if (strcmp(name, "Asia/Shanghai") == 0)
		cu_report_parse_tz(name, &off);
	memcpy(r->zone, name, strlen(name) + 1);
	r->tz = off;
	if (name[0] == '+' || name[0] == '-')
		snprintf(r->tz_label, sizeof(r->tz_label), "UTC%s (%s)", name, from);
	else
		snprintf(r->tz_label, sizeof(r->tz_label),
			 "%s (%s; 夏令时按时区数据库 daylight saving "
			 "time from the tz database)",
			 name, from);
}

enum cu_status cu_report_case(struct cu_case *c, const struct cu_report_opts *o,
			      struct cu_report_result *out, struct cu_error *err)
{
	struct rep r;
	struct cu_buf dbp = CU_BUF_INIT, tmp = CU_BUF_INIT, final = CU_BUF_INIT, old = CU_BUF_INIT;
	struct cu_buf idx = CU_BUF_INIT;
	enum cu_status st;
	unsigned formats = o && o->formats ? o->formats : (CU_REPORT_HTML | CU_REPORT_DOCX);
	bool made_tmp = false;

	memset(&r, 0, sizeof(r));
	cu_buf_init(&r.shard, 0);
	cu_buf_init(&r.exports_html, 0);
	cu_buf_init(&r.blooms, 0);
	r.c = c;
	r.rows = o && o->page_rows ? o->page_rows : DEFAULT_ROWS;
	r.case_id = cu_seal_manifest_case_id(c->manifest);
	if (r.case_id == NULL)
		r.case_id = "?";
	if (o && o->tz != NULL && (st = cu_time_zone_check(o->tz, err)) != CU_OK) {
		cu_error_prefix(err, "report");
		return st;
	}

	if ((st = cu_case_path(c, CU_CASE_DB, &dbp, err)) != CU_OK)
		goto out;
	if ((st = cu_casedb_open_read(dbp.data, &r.db, err)) != CU_OK) {
		cu_error_prefix(err, "report");
		goto out;
	}
	/* Temporary tables live in memory up to a point, then in a temp file:
	 * bounded memory for big inventories. */
	sqlite3_exec(r.db, "PRAGMA temp_store=FILE; PRAGMA cache_size=-8192", NULL, NULL, NULL);
	tz_from(&r, o ? o->tz : NULL);
	if ((st = load_names(&r, err)) != CU_OK)
		goto out;
	if ((st = load_inventory(&r, err)) != CU_OK || (st = content_root(&r, err)) != CU_OK)
		goto out;
	/* Items of an encrypted backup: their evidence files are ciphertext,
	 * the decrypted copies are in derived/ (attachments link those). */
	if (sqlite3_exec(r.db,
			 "CREATE TEMP TABLE enc_items(item TEXT PRIMARY KEY);"
			 "INSERT OR IGNORE INTO temp.enc_items SELECT item FROM inv WHERE kind = "
			 "'derived' AND derivation LIKE 'ios-backup-%'",
			 NULL, NULL, NULL) != SQLITE_OK) {
		st = db_err(&r, "temporary table enc_items", err);
		goto out;
	}
	if ((st = prepare(
		 &r,
		 "SELECT device_path, evidence_path, sha256, size, kind = 'evidence' AND item IN "
		 "(SELECT item FROM temp.enc_items) FROM inv WHERE item = ? AND base = ? "
		 "ORDER BY kind = 'derived' DESC, evidence_path",
		 &r.att, err)) != CU_OK ||
	    (st = prepare(&r,
			  "SELECT body, source_id, source_table, source_rowid FROM messages WHERE "
			  "message_id = ?",
			  &r.body, err)) != CU_OK ||
	    (st = prepare(&r, CU_REPORT_BODY_HITS_SQL, &r.mhits, err)) != CU_OK ||
	    (st =
		 prepare(&r,
			 "SELECT payment_id, kind, direction, amount_minor, currency FROM payments "
			 "WHERE message_id = ? ORDER BY payment_id",
			 &r.mpay, err)) != CU_OK)
		goto out;
	if (sqlite3_exec(r.db,
			 "CREATE TEMP TABLE msgloc(message_id INTEGER PRIMARY KEY, page TEXT)",
			 NULL, NULL, NULL) != SQLITE_OK) {
		st = db_err(&r, "temporary table msgloc", err);
		goto out;
	}
	if ((st = prepare(&r, "INSERT OR REPLACE INTO msgloc VALUES(?, ?)", &r.locput, err)) !=
		CU_OK ||
	    (st = prepare(&r, "SELECT page FROM msgloc WHERE message_id = ?", &r.locget, err)) !=
		CU_OK)
		goto out;

	/* Written beside, swapped in when complete. */
	if ((st = cu_case_path(c, "work", &tmp, err)) != CU_OK ||
	    (st = cu_mkdirs(tmp.data, 0755, false, err)) != CU_OK ||
	    (st = cu_buf_printf(&tmp, err, "/report.new.%ld", (long)getpid())) != CU_OK)
		goto out;
	rm_tree(tmp.data);
	if (mkdir(tmp.data, 0755) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot create '%s'", tmp.data);
		goto out;
	}
	made_tmp = true;
	r.out = tmp.data;
	if ((st = cu_report_write_file(r.out, "assets/report.css", report_css,
				       sizeof(report_css) - 1, err)) != CU_OK ||
	    (st = cu_report_write_file(r.out, "assets/search.js", search_js, sizeof(search_js) - 1,
				       err)) != CU_OK)
		goto out;
	r.files_written += 2;
	/* CSV and xlsx exports beside the pages, linked from the index. */
	if ((formats & CU_REPORT_HTML) &&
	    (st = cu_export_for_report(c, r.out, o ? o->tz : NULL, &r.exports_html, &r.exports,
				       err)) != CU_OK)
		goto out;
	r.files_written += json_array_size(r.exports);
	if (formats & CU_REPORT_HTML) {
		if ((st = index_page(&r, err)) != CU_OK || (st = chats(&r, err)) != CU_OK ||
		    (st = tables(&r, err)) != CU_OK || (st = index_meta(&r, err)) != CU_OK ||
		    (st = search_page(&r, err)) != CU_OK ||
		    (st = cu_report_hits_pages(&(struct cu_hits_report){r.db, dbp.data, r.out,
									r.case_id,
									r.res.content_root},
					       err)) != CU_OK ||
		    (st = sources_page(&r, err)) != CU_OK ||
		    (st = custody_page(&r, err)) != CU_OK || (st = verify_page(&r, err)) != CU_OK)
			goto out;
	}
	if ((st = forms_inside(&r, formats, err)) != CU_OK)
		goto out;
	{
		int64_t n = 0;
		sqlite3_stmt *s = NULL;
		if (prepare(&r, "SELECT count(*) FROM items", &s, err) == CU_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		r.res.items = (uint64_t)n;
		if (!(formats & CU_REPORT_HTML)) {
			enum cu_status s2 = CU_OK;
			r.res.messages =
			    (uint64_t)count_of(&r, "SELECT count(*) FROM messages", err, &s2);
			r.res.payments =
			    (uint64_t)count_of(&r, "SELECT count(*) FROM payments", err, &s2);
			r.res.hits = (uint64_t)count_of(&r, "SELECT count(*) FROM hits", err, &s2);
		}
	}

	/* Swap: report/ -> work/report.old.<pid>, new -> report/. */
	if ((st = cu_case_path(c, "report", &final, err)) != CU_OK ||
	    (st = cu_case_path(c, "work", &old, err)) != CU_OK ||
	    (st = cu_buf_printf(&old, err, "/report.old.%ld", (long)getpid())) != CU_OK)
		goto out;
	rm_tree(old.data);
	if (rename(final.data, old.data) != 0 && errno != ENOENT) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot move the old '%s' aside",
				    final.data);
		goto out;
	}
	if (rename(tmp.data, final.data) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: cannot move '%s' into place",
				    tmp.data);
		goto out;
	}
	made_tmp = false;
	rm_tree(old.data);
	if ((st = cu_fsync_dir(c->dir, err)) != CU_OK)
		goto out;

	/* One EXPORT entry per export file, then the REPORT entry. */
	if (!(o && o->no_custody) && r.exports != NULL &&
	    (st = cu_export_record(c, r.exports, err)) != CU_OK)
		goto out;
	/* REPORT custody entry: what was written and the digest of its index. */
	if (!(o && o->no_custody)) {
		struct cu_buf det = CU_BUF_INIT, sub = CU_BUF_INIT;
		struct cu_digests d;
		struct cu_json j;
		char rroot[65];
		uint64_t rfiles = 0;
		memset(&d, 0, sizeof(d));
		st = cu_buf_printf(&idx, err, "%s/%s", final.data,
				   (formats & CU_REPORT_HTML) ? "index.html" : "forms/index.html");
		/* A docx-only report has no HTML index: its digest stays null. */
		if (st == CU_OK && ((formats & CU_REPORT_HTML) || cu_file_exists(idx.data)))
			st = cu_hash_file(idx.data, CU_HASH_SHA256, &d, err);
		if (st == CU_OK)
			st = cu_chain_report_root(c->dir, rroot, &rfiles, err);
		if (st == CU_OK) {
			cu_json_init(&j, &sub);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "path", "report/");
			cu_json_obj_end(&j);
			st = cu_json_finish(&j, err);
		}
		if (st != CU_OK) {
			cu_buf_release(&sub);
			goto out;
		}
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_key(&j, "files");
		cu_json_uint(&j, r.files_written);
		cu_json_kv_str(&j, "index_sha256", d.sha256[0] ? d.sha256 : NULL);
		cu_json_kv_str(&j, "content_root", r.res.content_root);
		cu_json_kv_str(&j, "time_zone", r.tz_label);
		cu_json_key(&j, "messages");
		cu_json_uint(&j, r.res.messages);
		cu_json_key(&j, "payments");
		cu_json_uint(&j, r.res.payments);
		cu_json_key(&j, "pages");
		cu_json_uint(&j, r.res.pages);
		/* The report tree's root binds report/ to this entry: seal and
		 * verify CASE recompute it (docs/custody.md, REPORT). */
		cu_json_key(&j, "report_root");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
		cu_json_key(&j, "size");
		cu_json_uint(&j, rfiles);
		cu_json_kv_str(&j, "root", rroot);
		cu_json_obj_end(&j);
		cu_json_kv_str(&j, "tool", cu_version());
		cu_json_obj_end(&j);
		st = cu_json_finish(&j, err);
		if (st == CU_OK)
			st = cu_custody_append(c->custody, "REPORT", cu_case_default_actor(),
					       sub.data, det.data, NULL, err);
		cu_buf_release(&sub);
		cu_buf_release(&det);
		if (st != CU_OK)
			goto out;
	}
	if (out != NULL)
		*out = r.res;
	st = CU_OK;
out:
	if (made_tmp)
		rm_tree(tmp.data);
	sqlite3_finalize(r.att);
	sqlite3_finalize(r.body);
	sqlite3_finalize(r.mhits);
	sqlite3_finalize(r.mpay);
	sqlite3_finalize(r.locput);
	sqlite3_finalize(r.locget);
	sqlite3_finalize(r.name);
	cu_buf_release(&r.shard);
	cu_buf_release(&r.blooms);
	if (r.db != NULL)
		sqlite3_close(r.db);
	cu_buf_release(&dbp);
	cu_buf_release(&tmp);
	cu_buf_release(&final);
	cu_buf_release(&old);
	cu_buf_release(&idx);
	cu_buf_release(&r.exports_html);
	json_decref(r.exports);
	return st;
}
