// Timing of the organization list with many organizations, against the fake backend (ui/mock.html),
// in headless Chromium (Debian's /usr/bin/chromium, software rendering) or, with --webkit, in
// WebKitGTK's MiniBrowser under Xvfb driven by WebKitWebDriver (the engine of the real window,
// but not the real window: tests/bench/window.mjs measures that). The page-side marks are the
// ones of window.mjs's INSTRUMENT: "list shown" is the moment N rows are shown in
// #org-list tbody (then a forced layout, the next frame and the moment it was painted); a
// keystroke is timed from keydown through the app's input handler, a forced layout and the next
// painted frame. "Work" leaves out the wait for the display's next frame, as in window.mjs.
//
//   node tests/ui/orgs-timing.mjs [--webkit] [--orgs 1000] [--runs 7] [--query team-09]
//                                 [--cpu 4] [--root DIR]
//
// --cpu N slows Chromium's CPU N times (DevTools throttling). --root DIR times another
// checkout's front end (DIR/ui), to compare a before and an after alike. It builds mock.html
// into a temporary folder and serves it on 127.0.0.1:1431, so it can run beside
// tests/ui/run.mjs (port 1420); --webkit uses display :87 and WebKitWebDriver on port 4471.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { INSTRUMENT } from "../bench/instrument.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROOT = opt("--root", join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
const WEBKIT = args.includes("--webkit");
const N = Number(opt("--orgs", "1000"));
const RUNS = Number(opt("--runs", "7"));
const QUERY = opt("--query", "team-09");
const CPU = Number(opt("--cpu", "1"));
const PORT = 1431;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The mock adds three organizations of its own; no IPC delay, so only the page is timed.
const SCENARIO = { signedIn: true, orgs: N - 3, delay: { list_organizations: 0, list_directories: 0 } };



const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v) => `median ${median(v).toFixed(1)} ms (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)}, n ${v.length})`;

/** Headless Chromium through Playwright. */
async function openChromium(url, cleanup) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  cleanup.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript((s) => {
    window.__mockScenario = s;
  }, SCENARIO);
  await page.goto(url);
  await page.waitForSelector("html[data-ready=true]");
  if (CPU > 1) await (await page.context().newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: CPU });
  return {
    name: `Chromium ${browser.version()} headless, software rendering${CPU > 1 ? `, CPU slowed ${CPU}x` : ""}`,
    run: (body, arg) => page.evaluate(([b, a]) => new Function(b)(a), [body, arg]),
    click: (css) => page.click(css),
    waitFor: (css) => page.waitForSelector(css).then(() => undefined),
    key: (k) => page.keyboard.press(k === "Backspace" ? "Backspace" : k),
  };
}

/** WebKitGTK's MiniBrowser under Xvfb, through WebKitWebDriver. */
async function openWebKit(url, cleanup) {
  // The end-to-end tests' small WebDriver client (only read here).
  const { WebDriver } = await import("../e2e/webdriver.mjs");
  const xvfb = spawn("Xvfb", [":87", "-screen", "0", "1280x900x24", "-nolisten", "tcp"], { stdio: "ignore" });
  cleanup.push(() => xvfb.kill());
  await sleep(800);
  const driver = spawn("WebKitWebDriver", ["--port=4471"], { stdio: "ignore", env: { ...process.env, DISPLAY: ":87" } });
  cleanup.push(() => driver.kill());
  await sleep(800);
  const d = await WebDriver.start("http://127.0.0.1:4471", {
    "webkitgtk:browserOptions": { binary: process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] },
  });
  cleanup.push(() => d.cmd("DELETE", "").catch(() => undefined));
  await d.cmd("POST", "/window/rect", { width: 1280, height: 800 }).catch(() => undefined);
  await d.cmd("POST", "/url", { url });
  await d.waitForScript("return document.documentElement.dataset.ready === 'true'", 30000);
  const version = await d.execute("return navigator.userAgent.match(/AppleWebKit\\/[\\d.]+/)?.[0] ?? ''");
  return {
    name: `WebKitGTK MiniBrowser (${version}) under Xvfb, software rendering`,
    run: (body, arg) => d.execute(body, [arg]),
    click: async (css) => d.cmd("POST", `/element/${await d.waitFor(css)}/click`, {}),
    waitFor: (css) => d.waitFor(css).then(() => undefined),
    key: async (k) => d.cmd("POST", `/element/${await d.find("#org-filter")}/value`, { text: k === "Backspace" ? "\uE003" : k }),
  };
}

const outDir = mkdtempSync(join(tmpdir(), "ado-connect-orgs-"));
const cleanup = [];
try {
  const configFile = join(ROOT, "ui", "vite.config.ts");
  await build({ configFile, logLevel: "warn", build: { outDir, emptyOutDir: true, rolldownOptions: { input: { mock: join(ROOT, "ui", "mock.html") } } } });
  const server = await preview({ configFile, logLevel: "warn", build: { outDir }, preview: { host: "127.0.0.1", port: PORT, strictPort: true, open: false } });
  cleanup.push(() => server.close());
  const url = `http://127.0.0.1:${PORT}/mock.html?scenario=${encodeURIComponent(JSON.stringify(SCENARIO))}`;
  const b = await (WEBKIT ? openWebKit : openChromium)(url, cleanup);
  await b.run(INSTRUMENT, N);
  const marks = () => b.run("const b = window.__bench; return { click: b.click, rows: b.rows, layout: b.layout, raf: b.raf, painted: b.painted, keys: b.keys.length };");
  const until = async (pred) => {
    for (let i = 0; i < 3000; i++) {
      const m = await marks();
      if (pred(m)) return m;
      await sleep(10);
    }
    throw new Error("timed out waiting for the page's marks");
  };

  const show = async (selector, before) => {
    if (before) await before();
    await b.waitFor(selector);
    await b.run("window.__bench.reset(); return true;");
    await b.click(selector);
    const m = await until((x) => x.painted !== null);
    return { clickToRows: m.rows - m.click, layout: m.layout - m.rows, paint: m.painted - m.raf, work: m.layout - m.click + (m.painted - m.raf) };
  };
  await b.click("#nav-services");
  const first = await show("#service-orgs");
  const reopen = [];
  const refresh = [];
  for (let i = 0; i < RUNS; i++) {
    // Refresh: the list asked again, then the table; reopen: All services, then the list in hand.
    refresh.push(await show("#orgs-refresh"));
    reopen.push(await show("#service-orgs", () => b.click("#nav-services")));
  }
  await b.click("#org-filter");
  const keys = [...QUERY.split(""), ...QUERY.split("").map(() => "Backspace")];
  for (let round = 0; round < Math.max(1, Math.ceil(RUNS / 2)); round++) {
    for (const k of keys) {
      const before = (await marks()).keys;
      await b.key(k);
      await until((x) => x.keys > before);
    }
  }
  const ks = await b.run("return window.__bench.keys;");

  console.log(`${b.name}, ${N} organizations`);
  console.log(`first open   work ${first.work.toFixed(1)} ms`);
  for (const [name, rs] of [["reopen", reopen], ["refresh", refresh]]) {
    console.log(`${name.padEnd(12)} work ${fmt(rs.map((r) => r.work))}`);
    console.log(`${"".padEnd(12)} click to rows ${fmt(rs.map((r) => r.clickToRows))}; layout ${fmt(rs.map((r) => r.layout))}; paint ${fmt(rs.map((r) => r.paint))}`);
  }
  console.log(`keystroke    work ${fmt(ks.map((k) => k.workMs))}`);
  console.log(`${"".padEnd(12)} handler ${fmt(ks.map((k) => k.handlerMs))}; layout ${fmt(ks.map((k) => k.layoutMs))}; paint ${fmt(ks.map((k) => k.paintMs))}`);
  const full = ks.filter((k) => k.rows >= N).map((k) => k.workMs);
  if (full.length) console.log(`${"".padEnd(12)} with all ${N} rows shown: ${fmt(full)}`);
} finally {
  for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => undefined);
  rmSync(outDir, { recursive: true, force: true });
}
