// The benchmark driver behind tests/e2e/perf (which prepares the vaults and
// the session; see there). Times, on the real release app under Xvfb:
//   - start → list visible: from the app process's start (the launch wrapper
//     notes the wall-clock time just before exec) to the first painted rows
//     (the UI notes the wall-clock time in <html data-list-rendered-at>);
//   - a filter keystroke → the list updated: in the page, from the keydown
//     event to the frame after the list shows the new result;
//   - memory of the app and all its WebKit processes (RSS and PSS from /proc).
// Environment: COFFER_PERF_VAULTS="COUNT=DIR ..." (a vault.db in each DIR),
// COFFER_PERF_RUNS (launches per vault), COFFER_PERF_OUT (results JSON), and
// what lib/app.js needs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { launch, until } from "./lib/app.js";

const RUNS = Number(process.env.COFFER_PERF_RUNS || 7);
const KEYSTROKES = Number(process.env.COFFER_PERF_KEYSTROKES || 24);
const vaults = (process.env.COFFER_PERF_VAULTS || "")
  .split(/\s+/)
  .filter(Boolean)
  .map((spec) => {
    const [count, dir] = spec.split("=");
    return { count: Number(count), dir };
  });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const stats = (xs) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)), n: xs.length, all: xs.map((x) => round(x)) });

// ---- memory ----

function children() {
  const byParent = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return byParent;
}

/** RSS and PSS (MiB) of `pid` and all its descendants, per process and summed. */
function memoryOf(pid) {
  const byParent = children();
  const tree = [];
  const walk = (p) => {
    tree.push(p);
    for (const c of byParent.get(p) ?? []) walk(c);
  };
  walk(pid);
  const processes = tree.map((p) => {
    const rollup = fs.readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
    const name = fs.readFileSync(`/proc/${p}/comm`, "utf8").trim();
    return { pid: p, name, rssMiB: round(kb("Rss") / 1024), pssMiB: round(kb("Pss") / 1024) };
  });
  return {
    rssMiB: round(processes.reduce((a, p) => a + p.rssMiB, 0)),
    pssMiB: round(processes.reduce((a, p) => a + p.pssMiB, 0)),
    processes,
  };
}

// ---- start → list ----

async function startToList(dir) {
  const { browser, app } = await launch(dir);
  const rendered = await until(
    () => browser.execute(() => document.documentElement.dataset.listRenderedAt ?? null),
    { timeout: 120_000, interval: 20, message: "the list's first rows" },
  );
  const startNs = BigInt(fs.readFileSync(path.join(dir, "app.start"), "utf8").trim());
  const startMs = Number(startNs / 1000n) / 1000;
  const ms = Number(rendered) - startMs;
  // Where the time went: the native start until the page's navigation began,
  // then the page's own milestones (ms from its time origin).
  const page = await browser.execute(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    return {
      timeOrigin: performance.timeOrigin,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      // The UI's milestones (ui/src/lib/startMarks.ts).
      status: mark("coffer:status"),
      unlocked: mark("coffer:unlocked"),
      listCommit: mark("coffer:list-commit"),
      listRendered: mark("coffer:list-rendered"),
    };
  });
  const between = (a, b) => (a !== null && b !== null && a !== undefined && b !== undefined ? b - a : null);
  const phases = {
    nativeToNavigation: page.timeOrigin - startMs,
    navigationToDomContentLoaded: page.domContentLoaded,
    domContentLoadedToList: between(page.domContentLoaded, page.listRendered),
    // Within the last: the shell's first answer, the keyring unlock, the
    // first rows in the DOM, and their paint.
    domContentLoadedToStatus: between(page.domContentLoaded, page.status),
    statusToUnlocked: between(page.status, page.unlocked),
    unlockedToRows: between(page.unlocked, page.listCommit),
    rowsToPaint: between(page.listCommit, page.listRendered),
  };
  return { browser, app, ms, phases };
}

// ---- filter keystrokes ----

/** Installs a watcher, sends one key to the filter, and returns keydown → updated list (ms). */
async function keystroke(browser, input, key) {
  await browser.execute(() => {
    // The list as shown: the count of matches and the first row. While a new
    // result loads the page may show "Loading…" and no rows; that is not it.
    const signature = () => {
      const count = document.querySelector(".page-head p")?.textContent.replace(/[^\d]/g, "") ?? "";
      const firstRow = document.querySelector('.table-body [data-index="0"]')?.getAttribute("data-testid") ?? "";
      const none = document.querySelector(".page .empty h2")?.textContent === "No secrets match";
      return count && (firstRow || none) ? `${count}|${firstRow}` : null;
    };
    const before = signature();
    const state = { t0: null, t1: null, before, after: null, transient: 0 };
    window.__keystroke = state;
    const field = document.querySelector('input[type="search"]');
    field.addEventListener("keydown", () => (state.t0 = performance.now()), { once: true, capture: true });
    const observer = new MutationObserver(() => {
      const now = signature();
      if (now === null) state.transient += 1;
      if (state.after === null && now !== null && now !== before) {
        state.after = now;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => (state.t1 = performance.now()), 0));
      }
    });
    observer.observe(document.querySelector(".page"), { childList: true, characterData: true, subtree: true });
  });
  await input.addValue(key);
  const state = await until(() => browser.execute(() => (window.__keystroke.t1 !== null ? window.__keystroke : null)), {
    timeout: 30_000,
    interval: 10,
    message: `the list after typing ${key}`,
  });
  return { ms: state.t1 - state.t0, before: state.before, after: state.after, flashed: state.transient > 0 };
}

/** Sets the filter without timing it, and waits until the list shows `expected` matches. */
async function setFilter(browser, input, text, expected) {
  await input.clearValue();
  await input.addValue(text);
  // (Counts are shown with the locale's grouping, or none: compare the digits.)
  await until(async () => (await browser.$(".page-head p").getText()).replace(/[^\d]/g, "") === String(expected), {
    timeout: 30_000,
    message: `${expected} matches for ${text}`,
  });
  await sleep(300);
}

/**
 * Narrowing keystrokes on 100,000 secrets named svc-000000…svc-099999: the
 * filter is set to "svc-0" and one to three more digits (not timed), then one
 * more digit is typed and timed. "svc-0" and d digits match 10^(5-d) names,
 * so each timed keystroke cuts the list tenfold (10,000 → 1,000 → 100 → 10),
 * and each timed query is one not asked before (no cached answer).
 */
async function narrowing(browser) {
  const input = await browser.$('input[type="search"]');
  await input.click();
  const matches = (text) => 10 ** (5 - (text.length - "svc-0".length));
  const seen = new Set();
  const typed = (text) => {
    for (let i = 1; i <= text.length; i++) seen.add(text.slice(0, i));
  };
  let seed = 12345;
  const digit = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return String(Math.floor(seed / 65536) % 10);
  };
  const samples = [];
  for (let k = 0; samples.length < KEYSTROKES; k++) {
    let base = "svc-0";
    for (let d = 0; d < 1 + (k % 3); d++) base += digit();
    const key = digit();
    if (seen.has(base + key)) continue;
    await setFilter(browser, input, base, matches(base));
    typed(base);
    const r = await keystroke(browser, input, key);
    typed(base + key);
    const expect = matches(base + key);
    if (r.after.split("|")[0] !== String(expect)) throw new Error(`after ${base + key}: ${r.after}, expected ${expect} matches`);
    samples.push({ query: base + key, ms: r.ms, flashed: r.flashed });
  }
  return samples;
}

// ---- main ----

const results = {
  date: new Date().toISOString(),
  host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: round(os.totalmem() / 2 ** 30), loadBefore: os.loadavg().map((x) => round(x, 2)) },
  app: process.env.COFFER_E2E_APP,
  // WebKit settings given to the app for this run (none by default).
  appEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("WEBKIT_"))),
  runs: RUNS,
  vaults: {},
};

for (const { count, dir } of vaults) {
  const r = { startToListMs: [], phases: [], firstKeystrokeMs: [], memoryAfterStart: [], memoryAfterTyping: null, narrowingKeystrokes: null };
  for (let run = 0; run < RUNS; run++) {
    const { browser, app, ms, phases } = await startToList(dir);
    r.startToListMs.push(ms);
    r.phases.push(phases);
    process.stderr.write(`${count}: run ${run + 1}: start → list ${ms.toFixed(0)} ms\n`);
    await sleep(3_000);
    r.memoryAfterStart.push(memoryOf(app.pid));
    if (count >= 100_000) {
      // The first keystroke on the whole list: "9" matches about four in ten.
      const input = await browser.$('input[type="search"]');
      await input.click();
      const first = await keystroke(browser, input, "9");
      r.firstKeystrokeMs.push(first.ms);
      r.flashes = (r.flashes ?? 0) + (first.flashed ? 1 : 0);
      process.stderr.write(`${count}: run ${run + 1}: first keystroke ${first.ms.toFixed(0)} ms (${first.before} → ${first.after})\n`);
      if (run === RUNS - 1) {
        r.narrowingKeystrokes = await narrowing(browser);
        await sleep(2_000);
        r.memoryAfterTyping = memoryOf(app.pid);
      }
    }
    await app.quit();
  }
  results.vaults[count] = {
    startToList: stats(r.startToListMs),
    startPhases: Object.fromEntries(Object.keys(r.phases[0]).map((k) => [k, stats(r.phases.map((p) => p[k] ?? NaN))])),
    ...(r.firstKeystrokeMs.length ? { firstKeystroke: stats(r.firstKeystrokeMs) } : {}),
    ...(r.narrowingKeystrokes
      ? {
          keystroke: {
            ...stats(r.narrowingKeystrokes.map((s) => s.ms)),
            queries: r.narrowingKeystrokes.map((s) => s.query),
            // How many showed "Loading…" and no rows before the new result.
            flashedEmpty: r.narrowingKeystrokes.filter((s) => s.flashed).length,
          },
          firstKeystrokeFlashedEmpty: r.flashes ?? 0,
        }
      : {}),
    ...(r.memoryAfterStart.length
      ? {
          memoryAfterStart: {
            pssMiB: stats(r.memoryAfterStart.map((m) => m.pssMiB)),
            rssMiB: stats(r.memoryAfterStart.map((m) => m.rssMiB)),
            processes: r.memoryAfterStart.at(-1).processes,
          },
          memoryAfterTyping: r.memoryAfterTyping,
        }
      : {}),
  };
}
results.host.loadAfter = os.loadavg().map((x) => round(x, 2));

const out = process.env.COFFER_PERF_OUT;
if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));
