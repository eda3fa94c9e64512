// bench/report_search.mjs - times the report's search (search.html) in
// headless Chromium driven over the DevTools protocol, in real time (no
// virtual time): node --experimental-websocket bench/report_search.mjs
// REPORT_DIR QUERY... ; prints one JSON line per query: ms to the first
// result row, ms to the end of the search, results, and the peak RSS
// (KiB) of the Chromium processes during the search.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [dir, ...queries] = process.argv.slice(2);
const prof = mkdtempSync(join(tmpdir(), "cu-chrome-"));
const chrome = spawn("chromium", ["--headless", "--no-sandbox", "--disable-gpu",
  "--no-first-run", "--disable-background-networking", "--disable-component-update",
  "--remote-debugging-port=0", `--user-data-dir=${prof}`, "about:blank"],
  { stdio: "ignore", env: { ...process.env, HOME: prof } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function rssKiB() { // the Chromium process and its descendants
  let total = 0;
  try {
    const out = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss="]).toString();
    const rows = out.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
    const mine = new Set([chrome.pid]);
    for (let changed = true; changed;) {
      changed = false;
      for (const [pid, ppid] of rows) if (mine.has(ppid) && !mine.has(pid)) { mine.add(pid); changed = true; }
    }
    for (const [pid, , rss] of rows) if (mine.has(pid)) total += rss;
  } catch (e) {}
  return total;
}
try {
  let port = null;
  for (let i = 0; i < 200 && !port; i++) {
    await sleep(50);
    const f = join(prof, "DevToolsActivePort");
    if (existsSync(f)) port = readFileSync(f, "utf8").split("\n")[0];
  }
  if (!port) throw new Error("chromium did not start");
  for (const q of queries) {
    const t = await (await fetch(`http://127.0.0.1:${port}/json/new?about:blank`, { method: "PUT" })).json();
    const ws = new WebSocket(t.webSocketDebuggerUrl);
    await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
    let id = 0; const waiting = new Map();
    ws.onmessage = (ev) => { const m = JSON.parse(ev.data); if (m.id && waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); } };
    const call = (method, params = {}) => new Promise((r) => { const n = ++id; waiting.set(n, r); ws.send(JSON.stringify({ id: n, method, params })); });
    const evalJs = async (expr) => (await call("Runtime.evaluate", { expression: expr, returnByValue: true })).result?.result?.value;
    const url = `file://${dir}/search.html#q=${encodeURIComponent(q)}`;
    let peak = rssKiB();
    const t0 = Date.now();
    await call("Page.navigate", { url });
    let first = null, done = null, n = null;
    while (Date.now() - t0 < 300000) {
      const st = await evalJs("[document.querySelector('#results tbody tr') !== null, document.documentElement.getAttribute('data-done')]");
      if (st && st[0] && first === null) first = Date.now() - t0;
      if (st && st[1] !== null && st[1] !== undefined) { done = Date.now() - t0; n = +st[1]; break; }
      peak = Math.max(peak, rssKiB());
      await sleep(10);
    }
    peak = Math.max(peak, rssKiB());
    /* The page's own clock: ms from navigation start to the first result
     * row and to the end (search.js writes them on <html>). */
    const nav = await evalJs("[document.documentElement.getAttribute('data-first-nav-ms'), Math.round(performance.now())]");
    await call("Performance.enable");
    const metrics = (await call("Performance.getMetrics")).result?.metrics || [];
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize");
    console.log(JSON.stringify({ query: q, first_result_in_page_ms: nav && nav[0] !== null ? +nav[0] : null,
      first_result_polled_ms: first, done_ms: done, results: n,
      js_heap_kib: heap ? Math.round(heap.value / 1024) : null, peak_rss_kib: peak }));
    ws.close();
    await fetch(`http://127.0.0.1:${port}/json/close/${t.id}`).catch(() => {});
  }
} finally {
  chrome.kill("SIGTERM");
  await sleep(300);
  rmSync(prof, { recursive: true, force: true });
}
