// Browser UI tests: every screen of ADO Connect in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core), against ui/mock.html, where Tauri's IPC is replaced by the fake
// backend in ui/src/mock-setup.ts (the official mockIPC, with events).
//
// It builds mock.html with Vite into a temporary folder (one bundle, as the app ships: a page
// loads in a fraction of the time the dev server's many modules take) and serves it with
// `vite preview` on 127.0.0.1:1420; it prints one line per check, ends with "N passed,
// N failed", exits non-zero on any failure, and always stops the server and the browser and
// removes the build. Tests run in three lanes side by side (UI_TEST_LANES=1: one at a time).
// Screenshots go to docs/screenshots/ui-*.png.
//
//   npm run test:ui            (or: node tests/ui/run.mjs)
//   CHROMIUM=/path/to/chrome   to use another browser binary

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HOST = "127.0.0.1";
const PORT = 1420;
const BASE = `http://${HOST}:${PORT}`;
const SHOTS = join(ROOT, "docs", "screenshots");
const AXE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const T0 = Date.now();

// Values the mock backend uses (ui/src/mock-setup.ts).
const CODE = "GH7K2QX9P";
const TOKEN = "q7xk3m9p2w8r4t6y1u5i0o3a7s2d4f6g8h1j3k5l7z9x2c4v6b8n";
const CONTOSO = "3f1c2a4e-8b7d-4c5e-9a1f-2b3c4d5e6f70";
const NORTHWIND = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const USER = { id: "u1", displayName: "Alex Morgan", email: "alex.morgan@outlook.com" };
const WORK_USER = { id: "u2", displayName: "Alex Morgan", email: "alex.morgan@contoso.com" };
const LEGACY = "/home/alex/.local/share/GitCredentialManager/tenant.cache";
const GITCONFIG = "/home/alex/.gitconfig";
const WHY = "After connecting, Azure DevOps expects you to sign in with your Microsoft Entra work account.";
const TOKEN_LIKE = /eyJ[\w-]{8,}|[A-Za-z0-9+_-]{40,}/;
/** The walks through the procedure: a sign-in approved by the test, a proxy of the user's own. */
const PROCEDURE = { signIn: "manual", userProxy: "http://proxy.contoso.com:8080" };
const PROXY_HINT = "Leave empty to use this computer's proxy setting (HTTPS_PROXY) or none. No user name or password:";

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  detail = String(detail).replace(/\s+/g, " ").trim();
  console.log(`${ok ? "ok  " : "FAIL"} - ${name}${detail ? ` :: ${detail}` : ""}`);
  if (ok) passed += 1;
  else failed += 1;
  return ok;
}

// ------------------------------------------------------------------ the page and the browser

let server;
let browser;
let outDir;

/** Builds ui/mock.html (with the app's own Vite config) and serves the result. */
async function startServer() {
  outDir = mkdtempSync(join(tmpdir(), "ado-connect-ui-"));
  const configFile = join(ROOT, "ui", "vite.config.ts");
  await build({
    configFile,
    logLevel: "warn",
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      reportCompressedSize: false,
      rolldownOptions: { input: { mock: join(ROOT, "ui", "mock.html") } },
    },
  });
  server = await preview({ configFile, logLevel: "warn", build: { outDir }, preview: { host: HOST, port: PORT, strictPort: true, open: false } });
  const res = await fetch(`${BASE}/mock.html`);
  if (!res.ok) throw new Error(`the test page is not served: HTTP ${res.status}`);
}

function removeBuild() {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
}

process.on("exit", removeBuild);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    removeBuild();
    process.exit(130);
  });
}

// ------------------------------------------------------------------ helpers

/** A fresh browser context and page on mock.html with the given fake-backend scenario. */
async function openApp(scenario = {}, o = {}) {
  const context = await browser.newContext({
    viewport: o.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: o.deviceScaleFactor ?? 1,
    colorScheme: o.colorScheme ?? "light",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  if (o.csp) {
    // Serve the page with the strict policy the app ships with, and record any violation.
    await page.route(`${BASE}/mock.html`, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, headers: { ...res.headers(), "content-security-policy": o.csp } });
    });
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  }
  // A request to refuse (a glob): what the page does when a part of the app cannot be loaded.
  if (o.abort) await page.route(o.abort, (route) => route.abort());
  await page.addInitScript((s) => {
    window.__mockScenario = s;
  }, scenario);
  await page.goto(`${BASE}/mock.html`);
  await page.waitForSelector("html[data-ready=true]");
  return { context, page, errors };
}

async function runTest(name, fn) {
  const started = Date.now();
  const apps = [];
  try {
    await fn(async (scenario, o) => {
      const app = await openApp(scenario, o);
      apps.push(app);
      return app;
    });
  } catch (e) {
    check(`${name}: no exception`, false, String(e?.message ?? e).split("\n")[0]);
  }
  const errors = apps.flatMap((a) => a.errors);
  check(`${name}: no script errors`, errors.length === 0, errors.slice(0, 3).join(" | "));
  for (const a of apps) await a.context.close().catch(() => undefined);
  console.log(`     (${name}: ${Date.now() - started} ms)`);
}

async function axe(page, label) {
  const has = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!has) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  check(`axe: no violations on ${label}`, violations.length === 0, violations.join(" | "));
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `ui-${name}.png`), fullPage: true });
}

/** A screenshot of one part of the page (a checklist item, a blade). */
async function shotOf(page, selector, name) {
  await page.locator(selector).first().screenshot({ path: join(SHOTS, `ui-${name}.png`) });
}

/** Nothing sticks out to the right (WCAG reflow): the page never needs a horizontal scroll bar. */
async function noHorizontalCut(page, label) {
  const r = await page.evaluate(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest(".sr-only, .offscreen, [hidden], dialog:not([open])")) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      if (rect.right > width + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className}`.slice(0, 60));
    }
    return { scroll: doc.scrollWidth, width, out: out.slice(0, 4) };
  });
  check(`200% zoom: nothing cut on ${label}`, r.scroll <= r.width && r.out.length === 0, `scrollWidth ${r.scroll} / ${r.width} ${r.out.join(", ")}`);
}

const text = (page, sel) => page.locator(sel).first().innerText();
const calls = (page, cmd) => page.evaluate((c) => window.__calls.filter(([n]) => n === c), cmd);
const results = (page, cmd) => page.evaluate((c) => window.__results.filter(([n]) => n === c).map(([, r]) => r), cmd);
const itemState = (page, item) => page.getAttribute(`#${item} [data-testid=item-state]`, "data-state");
/** Waits until `cmd` has been called `n` times (and answered). */
const answered = (page, cmd, n) => page.waitForFunction(([c, k]) => window.__results.filter(([x]) => x === c).length >= k, [cmd, n]);
const clipboard = (page) => page.evaluate(() => window.__clipboard);
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? "");

/** Presses Tab (or Shift+Tab) until the element matching `selector` has focus. */
async function tabTo(page, selector, { max = 60, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Opens the organization's blade from the organization list and waits for its details. */
async function openOrg(page, name) {
  await page.click("#nav-orgs");
  await page.click(`#org-${name}`);
  await page.waitForSelector("#org-owner");
  await page.waitForFunction(() => !document.querySelector("#connect-button")?.hasAttribute("aria-disabled"));
}

/** The disconnect dialog's wording and state, for the checks. */
async function disconnectDialog(page) {
  return page.evaluate(() => ({
    title: document.querySelector("#disconnect-title")?.textContent ?? "",
    text: document.querySelector("#disconnect-dialog")?.textContent ?? "",
    prerequisites: [...document.querySelectorAll("#disconnect-prerequisites li")].map((li) => li.textContent),
    warning: document.querySelector("#disconnect-warning")?.textContent ?? "",
    yesDisabled: document.querySelector("#disconnect-yes")?.disabled ?? null,
    yesText: document.querySelector("#disconnect-yes")?.textContent ?? "",
    noText: document.querySelector("#disconnect-no")?.textContent ?? "",
    label: document.querySelector('label[for="disconnect-confirm-name"]')?.textContent ?? "",
    typed: document.querySelector("#disconnect-confirm-name")?.value ?? null,
    modal: document.querySelector("#disconnect-dialog")?.matches(":modal") ?? false,
  }));
}

async function emitSignedIn(page, user = USER, status = undefined) {
  await page.evaluate(([u, st]) => window.__emit("sign-in-progress", st ? { state: "signed-in", user: u, status: st } : { state: "signed-in", user: u }), [user, status]);
}

/**
 * The whole procedure with the mouse, calling `visit(name)` on each screen (axe, screenshots,
 * zoom checks) and, when `asserts` is set, checking what each screen shows.
 */
async function walkProcedure(page, visit, asserts = false) {
  const a = asserts ? check : () => true;
  await visit("01-welcome");
  a("welcome: title", (await text(page, "#welcome-title")).includes("Microsoft Entra ID (Azure AD)"));
  a("welcome: lists the 8 steps", (await page.locator("#welcome-steps li").count()) === 8);
  a("welcome: explains the four terms", (await page.locator("#welcome-terms dt").count()) === 4);

  await page.click("#start-button");
  await page.waitForSelector("#user-code");
  await page.waitForFunction(() => document.querySelector("#signin-status")?.textContent?.includes("Waiting"));
  a("sign-in: shows the device code big", (await text(page, "#user-code")) === CODE);
  a("sign-in: countdown runs", /expires in 1[45]:\d\d/.test(await text(page, "#countdown")), await text(page, "#countdown"));
  a("sign-in: waiting status in a live region", (await page.getAttribute("#signin-status", "aria-live")) === "polite");
  await visit("02-signin");
  await page.click("#copy-open-button");
  await page.waitForFunction(() => document.querySelector("#copy-status")?.textContent);
  a("sign-in: code copied", (await clipboard(page)).includes(CODE));
  a("sign-in: sign-in page opened through open_link", (await calls(page, "open_link")).some(([, x]) => x.url === "https://microsoft.com/devicelogin"));
  await emitSignedIn(page);
  await page.waitForSelector("#signin-continue");
  a("sign-in: signed-in name shown", (await text(page, "#signin-status")).includes("Alex Morgan"));
  a("top bar: shows who is signed in", (await page.locator("#topbar-user").innerText()).includes("Alex Morgan"));
  await page.click("#signin-continue");

  await page.waitForSelector("#filter");
  await page.fill("#filter", "Team Services");
  const visible = await page.locator("#service-list li:visible").count();
  a("all services: filter \"Team Services\" leaves one service", visible === 1, `${visible} visible`);
  a("all services: it is the organizations service", (await text(page, "#service-orgs")).includes("Azure DevOps organizations (Team Services accounts)"));
  await page.fill("#filter", "DevOps");
  a("all services: filter \"DevOps\" finds it too", await page.locator("#service-orgs").isVisible());
  await page.fill("#filter", "Team Services");
  await visit("03-all-services");

  await page.click("#service-orgs");
  await page.waitForSelector("#org-list tr[data-org]");
  a("organizations: three rows", (await page.locator("#org-list tr[data-org]").count()) === 3);
  a("organizations: personal directory named", (await text(page, 'tr[data-org="fabrikam-fiber"] [data-testid=org-directory]')) === "Personal Microsoft accounts");
  a("organizations: directory name shown", (await text(page, 'tr[data-org="northwind-shared"] [data-testid=org-directory]')) === "Northwind Traders");
  a("organizations: member role shown", (await text(page, 'tr[data-org="northwind-shared"]')).includes("Member"));
  await visit("04-organizations");

  await page.click("#org-fabrikam-fiber");
  await page.waitForSelector("#org-owner");
  a("organization: owner", (await text(page, "#org-owner")).includes("Alex Morgan"));
  a("organization: current directory", (await text(page, "#org-directory")) === "Personal Microsoft accounts");
  a("organization: billing with link", (await text(page, "#org-billing")).includes("Not set up") && (await page.locator("#org-billing-link").count()) === 1);
  a("organization: user count", (await text(page, "#org-users")) === "7");
  a("organization: Connect in the command bar", (await page.locator(".command-bar #connect-button").count()) === 1);
  // The list beside the blade is narrow: no word in it may be broken across two lines.
  const brokenWords = await page.evaluate(() => {
    const out = [];
    for (const cell of document.querySelectorAll("#org-list th, #org-list td")) {
      if (!cell.offsetParent) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (const m of n.data.matchAll(/[^\s-]+-?/g)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          if (new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
  a("organization: the list beside it breaks no word in two", brokenWords.length === 0, brokenWords.join(" "));
  await visit("05-organization");

  await page.click("#connect-button");
  await page.waitForSelector(`#dir-${NORTHWIND}`);
  await page.check(`#dir-${NORTHWIND}`);
  await page.waitForSelector('#preflight-list li[data-status="fail"]');
  a("connect: a failing check disables Connect", await page.locator("#connect-submit").isDisabled());
  a("connect: says why", await page.locator("#connect-blocked-reason").isVisible());
  if (asserts) {
    await page.fill("#domain-input", "not a domain");
    await page.click("#domain-find");
    a("connect: an invalid domain is refused", (await page.getAttribute("#domain-input", "aria-invalid")) === "true" && (await text(page, "#domain-error")).length > 0);
    a("connect: no lookup for an invalid domain", (await calls(page, "resolve_domain")).length === 0);
    await page.fill("#domain-input", "fabrikam.com");
    await page.click("#domain-find");
    await page.waitForSelector("#dir-5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e:checked");
    a("connect: a domain is resolved, listed and selected", (await text(page, "#domain-status")).includes("Fabrikam Inc"));
  }
  await page.check(`#dir-${CONTOSO}`);
  await page.waitForSelector('#preflight-list li[data-check-id="outside-domains"]');
  await page.waitForFunction(() => !document.querySelector("#connect-submit").disabled);
  a("connect: checks with pass and warning marks", (await page.locator('#preflight-list li[data-status="pass"]').count()) === 4 && (await page.locator('#preflight-list li[data-status="warn"]').count()) === 1);
  a("connect: warning lists the people affected", (await text(page, "#preflight-list details")).length > 0);
  await visit("06-connect");

  await page.click("#connect-submit");
  await page.waitForSelector("#confirm-dialog[open]");
  a("confirm: asks about this organization and directory", (await text(page, "#confirm-title")) === "Connect fabrikam-fiber to Contoso Ltd?");
  a("confirm: No has focus by default", (await focusedId(page)) === "confirm-no");
  await visit("07-confirm");
  await page.click("#confirm-yes");
  await page.waitForSelector("#notification");
  await page.waitForSelector("#connect-done");
  a("connected: notification", (await text(page, "#notification")).includes("Your organization is now connected to Contoso Ltd."));
  const connects = await calls(page, "connect_organization");
  a("connected: connect_organization called once with the chosen directory", connects.length === 1 && connects[0][1].org === "fabrikam-fiber" && connects[0][1].tenantId === CONTOSO, JSON.stringify(connects));
  a("connected: progress steps all done", (await page.locator('#connect-steps li[data-state="done"]').count()) === 3);
  await page.waitForFunction(() => document.querySelector("#org-directory")?.textContent === "Contoso Ltd");
  a("connected: the organization blade shows the verified directory", (await page.locator("#org-verified").count()) === 1);
  a("connected: kept in the notifications list", (await page.locator("#notifications-button").innerText()).includes("1"));
  await visit("08-connected");

  await page.click("#after-connect-button");
  await page.waitForSelector("#members-list");
  a("after: members with disconnected flags", (await page.locator('#members-list [data-testid=member-status].badge-warn').count()) === 2);
  a("after: Users page link", (await page.locator("#users-page-link").count()) === 1);
  await page.fill("#invite-email", "priya.new@contoso.com");
  await page.check("#access-basic");
  await page.click("#invite-submit");
  await page.waitForSelector('#invitation-list [data-testid=invitation-state][data-state="invited"]');
  a("after: invitation sent with the chosen access level", (await calls(page, "invite_user")).some(([, x]) => x.accessLevel === "basic" && x.email === "priya.new@contoso.com"));
  await page.click('#invitation-list [data-testid=invitation-check]');
  await page.waitForSelector('#invitation-list [data-testid=invitation-state][data-state="waiting"]');
  await page.click('#invitation-list [data-testid=invitation-check]');
  await page.waitForSelector('#invitation-list [data-testid=invitation-state][data-state="signed-in"]');
  a("after: invitation watched until signed in", (await text(page, "#invitation-list")).includes("Signed in"));
  a("after: invite item done", (await page.getAttribute("#item-invite [data-testid=item-state]", "data-state")) === "done");
  await page.click("#gcm-preview-button");
  await page.waitForSelector("#gcm-changes li");
  a("after: cleanup preview says what is on this computer", (await text(page, "#gcm-legacy-path")) === LEGACY && (await text(page, "#gcm-git-status")).includes("2 settings for fabrikam-fiber"));
  a("after: cleanup preview lists the changes", (await page.locator("#gcm-changes li").count()) === 2 && (await text(page, "#gcm-plan")).includes("fabrikam-fiber"));
  a("after: nothing applied before Clean", (await calls(page, "gcm_apply")).length === 0);
  await page.click("#gcm-apply-button");
  await page.waitForSelector("#gcm-result .success-box");
  a("after: cleanup result with the backups", (await text(page, "#gcm-result")).includes(`${LEGACY}.bak-20261130T101500Z`));
  a("after: PAT expiry defaults to 30 days", (await page.inputValue("#pat-days")) === "30");
  a("after: PAT least privilege by default", (await page.locator("input[name=pat-scope]:checked").count()) === 1);
  await page.click("#pat-submit");
  await page.waitForSelector("#pat-token");
  a("after: token shown once", (await page.inputValue("#pat-token")) === TOKEN);
  const pat = (await calls(page, "create_pat"))[0]?.[1];
  a("after: PAT created with core's scope names and 30 days", JSON.stringify(pat?.scopes) === '["code-read"]' && pat?.days === 30 && pat?.org === "fabrikam-fiber", JSON.stringify(pat));
  await page.click("#pat-copy-button");
  await page.waitForFunction(() => document.querySelector("#pat-copy-status")?.textContent);
  a("after: token copied", (await clipboard(page)).includes(TOKEN));
  a("after: says where the token goes", (await text(page, "#pat-result")).includes("Git asks for a password"));
  await visit("09-after-connecting");
  await page.click("#pat-done");
  await page.waitForSelector("#pat-cleared");
  const html = await page.evaluate(() => document.documentElement.outerHTML + [...document.querySelectorAll("input")].map((i) => i.value).join(" "));
  a("after: token gone from the page after \"I have stored it\"", !html.includes(TOKEN));
  if (asserts) {
    await page.click("#work-signin-button");
    await page.waitForSelector("#user-code");
    const start = (await calls(page, "sign_in_start")).at(-1)?.[1];
    a("after: work account signs in to the connected directory, no sign-out first", start?.tenantId === CONTOSO && (await calls(page, "sign_out")).length === 0, JSON.stringify(start));
    await emitSignedIn(page, WORK_USER, { signedIn: true, user: WORK_USER, remembered: true, tenant: CONTOSO });
    await page.click("#signin-continue");
    await page.waitForSelector('#item-work-signin [data-testid=item-state][data-state="done"]');
    a("after: work-account step done, back on the checklist", (await text(page, "#work-signin-done")).includes("alex.morgan@contoso.com"));
  }

  await page.click("#nav-report");
  await page.waitForSelector("#save-report-button");
  const activity = await text(page, "#activity-list");
  a("report: lists the connect and the token by name only", activity.includes("Connected fabrikam-fiber to Contoso Ltd.") && activity.includes('"Git and tools"') && !activity.includes(TOKEN));
  await page.click("#save-report-button");
  await page.waitForSelector("#report-paths");
  a("report: saved paths shown", (await text(page, "#report-text-path")).endsWith(".txt"));
  await visit("10-report");

  await page.click("#nav-about");
  await page.waitForSelector("#about-version");
  a("about: version and settings files", (await text(page, "#about-version")) === "0.1.0" && (await text(page, "#about-config")).includes("config.toml"));
  // The procedure's scenarios start with a proxy saved in the user's settings file (PROCEDURE).
  a("about: the proxy in effect, the user's own in its field, and what the organization fixed", (await text(page, "#about-proxy")) === "http://proxy.contoso.com:8080 (your setting)" && (await page.inputValue("#proxy-input")) === "http://proxy.contoso.com:8080" && (await text(page, "#about-enforced")).includes("identity.tenant"));
  await page.click("#open-logs-button");
  await page.waitForFunction(() => window.__calls.some(([c]) => c === "open_logs_folder"));
  await page.waitForFunction(() => document.querySelector("#open-logs-status")?.textContent);
  a("about: Open logs folder goes through open_logs_folder", (await calls(page, "open_logs_folder"))[0][1] === null || JSON.stringify((await calls(page, "open_logs_folder"))[0][1]) === "{}");
  a("no plugin command is called from the page (links and folders go through Rust)", (await page.evaluate(() => window.__calls.filter(([c]) => c.startsWith("plugin:")).length)) === 0);
  await visit("11-about");
}

// ------------------------------------------------------------------ the tests

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  check("setup: test page built and served, Chromium started", true, `${Date.now() - T0} ms`);

  test("welcome", { quick: true }, async (open) => {
    const { page } = await open();
    // The app's own window (1100×740): Start is in view without scrolling.
    const win = await open({}, { viewport: { width: 1100, height: 740 } });
    const startBox = await win.page.locator("#start-button").boundingBox();
    check("welcome: Start is in view without scrolling in the app's 1100×740 window", startBox && startBox.y + startBox.height <= 740, JSON.stringify(startBox));
    check("welcome: the words explained are folded, after Start", !(await win.page.getAttribute("#welcome-terms-box", "open")) && !(await win.page.isVisible("#welcome-terms")) && (await win.page.evaluate(() => document.querySelector("#start-button").compareDocumentPosition(document.querySelector("#welcome-terms-box")) & Node.DOCUMENT_POSITION_FOLLOWING)) > 0);
    await win.page.focus("#start-button");
    await win.page.keyboard.press("Tab");
    check("welcome: the next Tab stop after Start is the words explained", (await focusedId(win.page)) === "welcome-terms-title");
    await win.page.keyboard.press("Enter");
    check("welcome: Enter unfolds the four words", (await win.page.isVisible("#welcome-terms")) && (await win.page.locator("#welcome-terms dt").count()) === 4);
    check("welcome: title", (await text(page, "#welcome-title")).startsWith("Connect your Azure DevOps organization"));
    check("welcome: Start is the primary button", (await page.getAttribute("#start-button", "class")).includes("btn-primary"));
    check("welcome: landmarks", (await page.locator("header#topbar, nav#nav, main#main").count()) === 3);
    check("welcome: one h1 (the app), the screen title is h2", (await page.locator("h1").count()) === 1 && (await page.locator("h2#welcome-title").count()) === 1);
    check("welcome: demo badge shown", await page.locator("#demo-badge").isVisible());
    check("welcome: app_info and session_status asked", (await calls(page, "app_info")).length === 1 && (await calls(page, "session_status")).length === 1);
    const bad = await open({
      configError: {
        code: "config-invalid",
        message: "The setting identity.authority_host in /etc/ado-connect/config.toml is not a valid URL.",
        remedy: "Fix the file or ask your IT desk.",
        details: {},
      },
    });
    check("settings file error: shown on start with its remedy", (await text(bad.page, "#config-error")).includes("identity.authority_host"));
    await axe(bad.page, "settings file error (light)");
  });

  test("screens other than Home: loaded after the first screen, then shown at once; one that cannot load", { quick: true }, async (open) => {
    const { page } = await open();
    const chunks = () => page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name.split("/").pop()).filter((n) => n.endsWith(".js")));
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((r) => r.name.includes("/about-")));
    const loaded = await chunks();
    check("screens: each has its own chunk, loaded once the first screen is up", ["signIn-", "allServices-", "organizations-", "afterConnect-", "report-", "about-"].every((c) => loaded.some((n) => n.startsWith(c))), loaded.join(" "));
    // Preloaded: a click shows the screen in the same task, without waiting for its code.
    await page.waitForFunction(() => !document.querySelector("#about"));
    await page.waitForTimeout(100);
    const shownAtOnce = await page.evaluate(() => {
      document.querySelector("#nav-about").click();
      return document.querySelector("#about") !== null;
    });
    check("screens: a preloaded screen is shown in the same task as the click", shownAtOnce);

    const broken = await open({}, { abort: "**/assets/about-*.js" });
    await broken.page.click("#nav-about");
    await broken.page.waitForSelector("[data-testid=toast]");
    const notice = await text(broken.page, "[data-testid=toast]");
    check("screen that cannot load: an error notice says so, and what to do", notice.includes("This screen could not be opened") && notice.includes("Restart ADO Connect") && !notice.includes("http"), notice);
    check("screen that cannot load: Home stays, still the current page", (await broken.page.locator("#welcome").count()) === 1 && (await broken.page.getAttribute("#nav-home", "aria-current")) === "page");
    // The refused chunk is the only script error; it is expected here.
    const others = broken.errors.splice(0).filter((e) => !/about-|Importing a module script failed|Failed to fetch dynamically imported module|net::ERR_FAILED/.test(e));
    check("screen that cannot load: no other script error", others.length === 0, others.join(" | "));
  });

  test("procedure with the mouse (light)", async (open) => {
    const { page } = await open(PROCEDURE);
    await walkProcedure(
      page,
      async (name) => {
        await axe(page, `${name} (light)`);
        await shot(page, name);
      },
      true,
    );
  });

  test("procedure in dark mode, strict CSP", async (open) => {
    // src-tauri/tauri.conf.json's policy, over the built page.
    const csp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
    const { page } = await open(PROCEDURE, { colorScheme: "dark", csp });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check("dark: follows prefers-color-scheme", bg === "rgb(18, 18, 18)", bg);
    await walkProcedure(page, async (name) => {
      await axe(page, `${name} (dark)`);
      await shot(page, `dark-${name}`);
    });
    const v = await page.evaluate(() => window.__cspViolations);
    check("CSP: no violations under script-src/style-src 'self'", v.length === 0, v.slice(0, 3).join(" | "));
  });

  test("200% zoom (900x600 window)", async (open) => {
    // 200% zoom in a 900x600 window leaves 450x300 CSS pixels.
    const { page } = await open(PROCEDURE, { viewport: { width: 450, height: 300 }, deviceScaleFactor: 2 });
    const zoomShots = new Set(["01-welcome", "04-organizations", "06-connect", "09-after-connecting"]);
    await walkProcedure(page, async (name) => {
      await noHorizontalCut(page, name);
      if (zoomShots.has(name)) await shot(page, `zoom-${name}`);
    });
  });

  test("procedure with the keyboard only", async (open) => {
    const { page } = await open({ signIn: "manual" }, { viewport: { width: 900, height: 600 } });
    await page.keyboard.press("Tab");
    check("keyboard: first Tab reaches the skip link", (await focusedId(page)) === "skip-link");
    await tabTo(page, "#start-button");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check("keyboard: focus is visible", outline !== "none", outline);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#user-code");
    check("keyboard: focus moves to the new screen's heading", (await focusedId(page)) === "signin-title");
    await tabTo(page, "#copy-code-button");
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__clipboard.length > 0);
    await emitSignedIn(page);
    await page.waitForSelector("#signin-continue");
    await page.waitForFunction(() => document.activeElement?.id === "signin-continue");
    check("keyboard: Continue has focus after sign-in", true);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#filter");
    await tabTo(page, "#filter");
    await page.keyboard.type("Team Services");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#org-list tr[data-org]");
    check("keyboard: Enter in the filter opens the only match", (await focusedId(page)) === "orgs-title");
    await tabTo(page, "#org-fabrikam-fiber");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#org-owner");
    await tabTo(page, "#connect-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#dir-${CONTOSO}`);
    await tabTo(page, "input[name=directory]");
    // Arrow keys move within a radio group; Space picks the focused one.
    if (!(await page.evaluate((id) => document.activeElement?.id === `dir-${id}`, CONTOSO))) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Space");
    await page.waitForFunction(() => !document.querySelector("#connect-submit").disabled);
    check("keyboard: directory chosen with Space", await page.isChecked(`#dir-${CONTOSO}`));
    await tabTo(page, "#connect-submit");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm-dialog[open]");
    check("keyboard: focus moves into the dialog, on No", (await focusedId(page)) === "confirm-no");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#confirm-dialog", { state: "detached" });
    check("keyboard: Esc closes the dialog and means No", (await calls(page, "connect_organization")).length === 0);
    check("keyboard: focus returns to Connect", (await focusedId(page)) === "connect-submit");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm-dialog[open]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm-dialog", { state: "detached" });
    check("keyboard: Enter on the default (No) does not connect", (await calls(page, "connect_organization")).length === 0);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm-dialog[open]");
    await page.keyboard.press("Shift+Tab");
    check("keyboard: Shift+Tab reaches Yes", (await focusedId(page)) === "confirm-yes");
    await page.keyboard.press("Space");
    await page.waitForSelector("#notification");
    await page.waitForFunction(() => document.activeElement?.id === "after-connect-button");
    check("keyboard: connected; focus on the next step", (await text(page, "#notification")).includes("connected to Contoso Ltd"));
    await page.keyboard.press("Enter");
    await page.waitForSelector("#invite-email");
    await tabTo(page, "#invite-email");
    await page.keyboard.type("sam@contoso.com");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#invitation-list [data-testid=invitation-state]');
    check("keyboard: invitation sent with Enter", (await calls(page, "invite_user")).length === 1);
    await tabTo(page, "#pat-submit");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#pat-token");
    check("keyboard: focus moves to the new token", (await focusedId(page)) === "pat-result-title");
    await tabTo(page, "#pat-done");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#pat-cleared");
    await tabTo(page, "#nav-report", { back: true, max: 120 });
    await page.keyboard.press("Enter");
    await tabTo(page, "#save-report-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#report-paths");
    check("keyboard: report saved", (await calls(page, "save_report")).length === 1);
    await tabTo(page, "#notifications-button", { back: true, max: 80 });
    await page.keyboard.press("Enter");
    check("keyboard: notifications panel opens", await page.locator("#notifications-panel").isVisible());
    await page.keyboard.press("Escape");
    check("keyboard: Esc closes it, focus back on the bell", !(await page.locator("#notifications-panel").isVisible()) && (await focusedId(page)) === "notifications-button");
  });

  test("disconnect with the mouse: prerequisites, the typed name, Cancel and Esc, disconnected (light and dark)", async (open) => {
    const connected = { "fabrikam-fiber": CONTOSO };
    const { page, context } = await open({ signedIn: true, connected });
    await openOrg(page, "fabrikam-fiber");
    check("disconnect: offered beside Change directory when connected", (await text(page, "#connect-button .btn-text")) === "Change directory" && (await page.evaluate(() => document.querySelector("#connect-button")?.nextElementSibling?.id)) === "disconnect-button" && (await page.isVisible(".command-bar #disconnect-button")));
    await page.click("#disconnect-button");
    await page.waitForSelector("#disconnect-dialog[open]");
    let d = await disconnectDialog(page);
    check("disconnect dialog: its own modal dialog, naming the organization and the directory", d.modal && d.title === "Disconnect fabrikam-fiber from Contoso Ltd?" && (await page.locator("#confirm-dialog").count()) === 0, d.title);
    check("disconnect dialog: Cancel has focus by default", (await focusedId(page)) === "disconnect-no" && d.noText === "Cancel");
    check(
      "disconnect dialog: the prerequisites in plain words (owner, personal Microsoft account, Project Collection Administrator)",
      d.prerequisites.length === 3 && /owner/.test(d.prerequisites[0]) && /personal Microsoft account/.test(d.prerequisites[1]) && /Project Collection Administrator/.test(d.prerequisites[2]),
      d.prerequisites.join(" | "),
    );
    check("disconnect dialog: what changes: personal accounts again, Entra groups stop applying", d.text.includes("sign in to fabrikam-fiber with personal Microsoft accounts") && d.text.includes("Microsoft Entra groups stop applying"));
    check("disconnect dialog: no warning for the owner signed in with a personal account", d.warning === "");
    check("disconnect dialog: asks for the organization's name; Disconnect unavailable until then", d.label.includes("fabrikam-fiber") && d.yesDisabled === true && d.yesText === "Disconnect");
    await axe(page, "disconnect dialog (light)");
    await shot(page, "18-disconnect");
    for (const wrong of ["fabrikam", "contoso-tools", "fabrikam-fiber2"]) {
      await page.fill("#disconnect-confirm-name", wrong);
      if (!(await page.isDisabled("#disconnect-yes"))) check(`disconnect dialog: "${wrong}" keeps Disconnect unavailable`, false);
    }
    check("disconnect dialog: a partial or wrong name keeps Disconnect unavailable", await page.isDisabled("#disconnect-yes"));
    await page.fill("#disconnect-confirm-name", " Fabrikam-Fiber ");
    check("disconnect dialog: the name (any case, spaces around) makes it available", !(await page.isDisabled("#disconnect-yes")));
    await page.click("#disconnect-no");
    await page.waitForSelector("#disconnect-dialog", { state: "detached" });
    check("disconnect dialog: Cancel disconnects nothing, focus back on Disconnect", (await calls(page, "disconnect_organization")).length === 0 && (await focusedId(page)) === "disconnect-button");
    await page.click("#disconnect-button");
    await page.waitForSelector("#disconnect-dialog[open]");
    d = await disconnectDialog(page);
    check("disconnect dialog: opened again, the name must be typed again", d.typed === "" && d.yesDisabled === true);
    await page.fill("#disconnect-confirm-name", "fabrikam-fiber");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#disconnect-dialog", { state: "detached" });
    check("disconnect dialog: Esc cancels, even with the name typed", (await calls(page, "disconnect_organization")).length === 0);
    await page.click("#disconnect-button");
    await page.waitForSelector("#disconnect-dialog[open]");
    await page.fill("#disconnect-confirm-name", "fabrikam-fiber");
    await page.click("#disconnect-yes");
    await page.waitForSelector("#disconnect-progress");
    check("disconnect: progress shown on the blade", (await page.locator("#disconnect-steps li[data-step]").count()) === 3);
    await page.waitForSelector("#disconnect-done");
    const sent = await calls(page, "disconnect_organization");
    check("disconnect: disconnect_organization({org}) called once", JSON.stringify(sent.map(([, a]) => a)) === JSON.stringify([{ org: "fabrikam-fiber" }]), JSON.stringify(sent));
    check("disconnect: notification", (await text(page, "#notification")).includes("Your organization is now disconnected from Contoso Ltd.") && (await page.locator("#notifications-button").innerText()).includes("1"));
    check("disconnect: every step done", (await page.locator('#disconnect-steps li[data-state="done"]').count()) === 3);
    check("disconnect: focus on what happened", (await focusedId(page)) === "disconnect-done");
    await page.waitForFunction(() => document.querySelector("#org-directory")?.textContent === "Personal Microsoft accounts");
    await page.waitForFunction(() => document.querySelector("#disconnect-button")?.hidden === true);
    check("disconnect: the blade is read again: personal accounts, Connect, no Disconnect", (await text(page, "#connect-button .btn-text")) === "Connect" && (await calls(page, "organization_details")).length === 2);
    check("disconnect: the organization list follows", (await text(page, 'tr[data-org="fabrikam-fiber"] [data-testid=org-directory]')) === "Personal Microsoft accounts");
    await axe(page, "disconnected (light)");
    await shot(page, "19-disconnected");
    await page.click("#nav-report");
    await page.waitForSelector("#activity-list");
    check("disconnect: in the report", (await text(page, "#activity-list")).includes("Disconnected fabrikam-fiber from Contoso Ltd."));
    await context.close();

    // Dark, and a disconnect Microsoft does not show yet.
    const dark = await open({ signedIn: true, connected, disconnectVerified: false }, { colorScheme: "dark" });
    await openOrg(dark.page, "fabrikam-fiber");
    await dark.page.click("#disconnect-button");
    await dark.page.waitForSelector("#disconnect-dialog[open]");
    await dark.page.fill("#disconnect-confirm-name", "fabrikam-fiber");
    await axe(dark.page, "disconnect dialog (dark)");
    await shot(dark.page, "dark-18-disconnect");
    await dark.page.click("#disconnect-yes");
    await dark.page.waitForSelector("#disconnect-unverified");
    check("disconnect not yet visible: said so, with a warning notification", (await text(dark.page, "#disconnect-unverified")).includes("does not show it yet") && (await dark.page.getAttribute("#notification", "class")).includes("toast-warning"));
    check("disconnect not yet visible: the check step is marked", (await dark.page.getAttribute('#disconnect-steps li[data-step="verifying"]', "data-state")) === "failed");
    await axe(dark.page, "disconnect not yet visible (dark)");
  });

  test("disconnect with the keyboard only, at 200% zoom", { quick: true }, async (open) => {
    const { page } = await open({ signedIn: true, connected: { "fabrikam-fiber": CONTOSO } }, { viewport: { width: 450, height: 300 }, deviceScaleFactor: 2 });
    await page.click("#nav-orgs");
    await page.waitForSelector("#org-fabrikam-fiber");
    await page.focus("#org-fabrikam-fiber");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#org-owner");
    await page.waitForFunction(() => !document.querySelector("#disconnect-button")?.hidden);
    await tabTo(page, "#disconnect-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#disconnect-dialog[open]");
    check("disconnect keyboard: focus moves into the dialog, on Cancel", (await focusedId(page)) === "disconnect-no");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#disconnect-dialog", { state: "detached" });
    check("disconnect keyboard: a stray Enter cancels; focus back on Disconnect", (await calls(page, "disconnect_organization")).length === 0 && (await focusedId(page)) === "disconnect-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#disconnect-dialog[open]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#disconnect-dialog", { state: "detached" });
    check("disconnect keyboard: Esc cancels", (await calls(page, "disconnect_organization")).length === 0 && (await focusedId(page)) === "disconnect-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#disconnect-dialog[open]");
    await page.keyboard.press("Shift+Tab");
    check("disconnect keyboard: Shift+Tab skips the unavailable Disconnect, to the name field", (await focusedId(page)) === "disconnect-confirm-name");
    await noHorizontalCut(page, "the disconnect dialog");
    await page.keyboard.type("fabrikam-fiber");
    await page.keyboard.press("Tab");
    check("disconnect keyboard: with the name typed, Tab reaches Disconnect", (await focusedId(page)) === "disconnect-yes");
    await page.keyboard.press("Space");
    await page.waitForSelector("#disconnect-done");
    await page.waitForFunction(() => document.activeElement?.id === "disconnect-done");
    check("disconnect keyboard: disconnected, focus on the result", (await calls(page, "disconnect_organization")).length === 1);
    await noHorizontalCut(page, "the disconnected organization");
  });

  test("disconnect refused: a work account, a member; remedy and Copy details", async (open) => {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signedIn: true, workAccount: CONTOSO, connected: { "fabrikam-fiber": CONTOSO } }, { colorScheme: theme });
      await openOrg(page, "fabrikam-fiber");
      await page.click("#disconnect-button");
      await page.waitForSelector("#disconnect-dialog[open]");
      const d = await disconnectDialog(page);
      check(`disconnect refused (${theme}): the dialog warns about the work account`, d.warning.includes("alex.morgan@contoso.com") && d.warning.includes("personal Microsoft account"), d.warning);
      await page.fill("#disconnect-confirm-name", "fabrikam-fiber");
      await page.click("#disconnect-yes");
      await page.waitForSelector("#disconnect-error");
      check(`disconnect refused (${theme}): the service's reason and the remedy`, (await text(page, "#disconnect-error [data-testid=error-message]")).includes("Azure AD users can't disconnect") && (await page.locator("#disconnect-error [data-testid=error-remedy]").count()) === 1);
      check(`disconnect refused (${theme}): the prerequisites said again, the Entra settings offered`, (await text(page, "#disconnect-error-hint")).includes("personal Microsoft account") && (await page.locator("#disconnect-entra-settings").count()) === 1);
      check(`disconnect refused (${theme}): the step is marked failed, no notification`, (await page.getAttribute('#disconnect-steps li[data-step="disconnecting"]', "data-state")) === "failed" && (await page.locator("#notification").count()) === 0);
      check(`disconnect refused (${theme}): focus on Copy details; Disconnect can be tried again`, (await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === "copy-details" && !(await page.getAttribute("#disconnect-button", "aria-disabled")) && (await text(page, "#org-directory")) === "Contoso Ltd");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => window.__clipboard.length > 0);
      const copied = (await clipboard(page)).join("\n");
      check(`disconnect refused (${theme}): Copy details has the code and the time`, copied.includes("Code: request-failed") && copied.includes("Time: 2026-11-30T10:15:00Z"), copied.replace(/\n/g, " / "));
      await axe(page, `disconnect refused (${theme})`);
      if (theme === "light") await shot(page, "20-disconnect-refused");
      await context.close();
    }
    const { page } = await open({ signedIn: true });
    await openOrg(page, "northwind-shared");
    await page.click("#disconnect-button");
    await page.waitForSelector("#disconnect-dialog[open]");
    check("disconnect, not the owner: the dialog says Azure DevOps will refuse", (await disconnectDialog(page)).warning.includes("not the owner"));
    await page.keyboard.press("Escape");
    await page.waitForSelector("#disconnect-dialog", { state: "detached" });
    await page.click("#nav-orgs");
    await page.click("#org-contoso-tools");
    await page.waitForSelector("#org-owner");
    check("disconnect: not offered for an organization on personal accounts", await page.isHidden("#disconnect-button"));
  });

  test("change directory: its own confirmation, No by default, Esc means No", async (open) => {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signedIn: true, connected: { "fabrikam-fiber": CONTOSO } }, { colorScheme: theme });
      await openOrg(page, "fabrikam-fiber");
      await page.click("#connect-button");
      await page.waitForSelector(`#dir-${CONTOSO}`);
      check(`change (${theme}): the blade is titled for a change; the current directory cannot be chosen`, (await text(page, "#connect-title")) === "Change the directory of fabrikam-fiber" && (await page.isDisabled(`#dir-${CONTOSO}`)) && (await text(page, "#connect-submit")) === "Change directory");
      await page.fill("#domain-input", "fabrikam.com");
      await page.click("#domain-find");
      await page.waitForSelector('#preflight-list li[data-check-id="outside-domains"]');
      await page.waitForFunction(() => !document.querySelector("#connect-submit").disabled);
      await page.click("#connect-submit");
      await page.waitForSelector("#confirm-dialog[open]");
      check(`change (${theme}): "Change <organization> from <old> to <new>?"`, (await text(page, "#confirm-title")) === "Change fabrikam-fiber from Contoso Ltd to Fabrikam Inc?", await text(page, "#confirm-title"));
      check(`change (${theme}): says Entra group memberships and group rules are dropped`, (await text(page, "#confirm-text")).includes("Microsoft Entra group memberships and group rules in the organization are dropped when the directory changes"));
      check(`change (${theme}): No has focus by default`, (await focusedId(page)) === "confirm-no");
      await axe(page, `change directory confirmation (${theme})`);
      if (theme === "light") await shot(page, "21-change-directory");
      await page.keyboard.press("Escape");
      await page.waitForSelector("#confirm-dialog", { state: "detached" });
      check(`change (${theme}): Esc means No`, (await calls(page, "connect_organization")).length === 0 && (await focusedId(page)) === "connect-submit");
      if (theme === "light") {
        await page.click("#connect-submit");
        await page.click("#confirm-yes");
        await page.waitForSelector("#connect-done");
        const sent = (await calls(page, "connect_organization")).map(([, a]) => a);
        check("change: connect_organization with the new directory", JSON.stringify(sent) === JSON.stringify([{ org: "fabrikam-fiber", tenantId: "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e" }]), JSON.stringify(sent));
        await page.waitForFunction(() => document.querySelector("#org-directory")?.textContent === "Fabrikam Inc");
        check("change: the notification names the new directory", (await text(page, "#notification")).includes("now connected to Fabrikam Inc."));
      }
      await context.close();
    }
  });

  test("errors: remedy and Copy details, never a token", async (open) => {
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiI0OTliODRhYyJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    const error = {
      code: "network-unreachable",
      message: "ADO Connect could not reach app.vssps.visualstudio.com.",
      remedy: "Check your internet connection or proxy settings, then try again.",
      helpUrl: "https://learn.microsoft.com/azure/devops/organizations/security/allow-list-ip-url",
      details: { correlationId: "c0ffee00-1111-4222-8333-444455556666", timestamp: "2026-11-30T10:15:00Z", httpStatus: 503, accessToken: jwt, refreshToken: TOKEN },
    };
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signedIn: true, fail: { list_organizations: error } }, { colorScheme: theme });
      await page.click("#nav-orgs");
      await page.waitForSelector("#orgs-error");
      check(`error (${theme}): message shown where it happened`, (await text(page, "#orgs-error [data-testid=error-message]")) === error.message);
      check(`error (${theme}): remedy shown`, (await text(page, "#orgs-error [data-testid=error-remedy]")).includes(error.remedy));
      check(`error (${theme}): announced`, (await page.getAttribute("#orgs-error", "role")) === "alert");
      await page.click("#orgs-error [data-testid=copy-details]");
      await page.waitForFunction(() => window.__clipboard.length > 0);
      const copied = (await clipboard(page)).join("\n");
      check(`error (${theme}): details have code, time and correlation id`, copied.includes("Code: network-unreachable") && copied.includes("Time: 2026-11-30T10:15:00Z") && copied.includes("Correlation ID: c0ffee00-1111-4222-8333-444455556666"), copied.replace(/\n/g, " / "));
      const page_text = await page.evaluate(() => document.body.innerText);
      check(`error (${theme}): no token-like string copied or shown`, !TOKEN_LIKE.test(copied) && !page_text.includes(jwt) && !page_text.includes(TOKEN));
      await axe(page, `error panel (${theme})`);
      if (theme === "light") await shot(page, "12-error");

      // A refused connect: the reason, and the organization's Entra settings as the way out.
      await page.evaluate(() => {
        window.__mockScenario.fail = {
          connect_organization: {
            code: "not-active-member",
            message: "Only active members of the directory can connect an organization to it.",
            remedy: "Ask the directory's administrator to make your account a member, not a guest.",
            details: { correlationId: "d00dfeed-1111-4222-8333-444455556666" },
          },
        };
      });
      await page.click("#orgs-error button.btn-primary");
      await page.click("#org-fabrikam-fiber");
      await page.click("#connect-button");
      await page.check(`#dir-${CONTOSO}`);
      await page.waitForFunction(() => !document.querySelector("#connect-submit").disabled);
      await page.click("#connect-submit");
      await page.click("#confirm-yes");
      await page.waitForSelector("#connect-error");
      check(`refusal (${theme}): reason in plain words`, (await text(page, "#connect-error")).includes("Only active members"));
      check(`refusal (${theme}): offers the Entra settings page`, (await page.locator("#open-entra-settings").count()) === 1);
      check(`refusal (${theme}): Connect can be tried again`, !(await page.isDisabled("#connect-submit")));
      check(`refusal (${theme}): no "connected" notification`, (await page.locator("#notification").count()) === 0);
      await axe(page, `connect refused (${theme})`);
      if (theme === "light") await shot(page, "13-connect-refused");
      await context.close();
    }
  });

  test("sign-in blocked by policy offers the browser", async (open) => {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signIn: "blocked", keychainWarning: "No keychain was found, so your sign-in will not be remembered." }, { colorScheme: theme });
      check(`keychain (${theme}): warning banner`, (await text(page, "#keychain-warning")).includes("will not be remembered"));
      await page.click("#start-button");
      await page.waitForSelector('[data-code="sign-in-blocked-by-policy"]');
      check(`blocked (${theme}): explained in plain words`, (await text(page, "#signin-area")).includes("policy"));
      check(`blocked (${theme}): browser sign-in offered and focused`, (await focusedId(page)) === "browser-instead-button");
      await axe(page, `sign-in blocked (${theme})`);
      if (theme === "light") await shot(page, "14-signin-blocked");
      await page.click("#browser-instead-button");
      await page.waitForSelector("#signin-continue");
      const viaBrowser = await calls(page, "sign_in_browser");
      check(`blocked (${theme}): browser sign-in completes, to no particular directory`, viaBrowser.length === 1 && !viaBrowser[0][1]?.tenantId, JSON.stringify(viaBrowser));
      await context.close();
    }
    const { page } = await open({ signIn: "decline" });
    await page.click("#start-button");
    await page.waitForSelector('[data-code="sign-in-declined"]');
    check("declined: Try again offered", await page.locator("#new-code-button").isVisible());
    // The second code waits (not declined again), so Cancel finds a sign-in to stop.
    await page.evaluate(() => (window.__mockScenario.signIn = "manual"));
    await page.click("#new-code-button");
    await page.waitForSelector("#user-code");
    check("declined: a new code is requested", (await calls(page, "sign_in_start")).length === 2);
    await page.click("#signin-cancel");
    await page.waitForSelector("#welcome-title");
    check("cancel: sign_in_cancel sent, back to Home", (await calls(page, "sign_in_cancel")).length >= 1);
  });

  test("Git Credential Manager cleanup: found, plan, choices, Clean, Undo", async (open) => {
    const { page } = await open({ signedIn: true });
    await page.click("#nav-after");
    await page.waitForSelector("#gcm-preview-button");
    const boxes = ["#gcm-whole-file", "#gcm-unbind", "#gcm-reject-password"];
    const off = await Promise.all(boxes.map((b) => page.isChecked(b)));
    check("gcm: the three choices are off by default", off.every((x) => !x));
    const hints = await Promise.all(boxes.map((b) => page.evaluate((sel) => document.getElementById(document.querySelector(sel).getAttribute("aria-describedby"))?.textContent ?? "", b)));
    check("gcm: each choice has a one-sentence explanation tied to it", hints.every((t) => t.length > 20 && t.trim().endsWith(".") && t.split(/\.\s/).length === 1), hints.join(" | "));
    check("gcm: nothing is planned before it is asked for", (await calls(page, "gcm_plan")).length === 0);
    await page.click("#gcm-preview-button");
    await page.waitForSelector("#gcm-changes li");
    const first = (await calls(page, "gcm_plan"))[0][1];
    check("gcm: gcm_plan gets the organization and the choices (all off)", JSON.stringify(first) === JSON.stringify({ orgs: ["fabrikam-fiber"], choices: { wholeLegacyFile: false, unbindUsername: false, rejectSavedPassword: false } }), JSON.stringify(first));
    check("gcm: found: the old-style cache, its path and entry count", (await text(page, "#gcm-legacy-status")).includes("3 entries") && (await text(page, "#gcm-legacy-path")) === LEGACY);
    check("gcm: found: Git's settings for the organization", (await text(page, "#gcm-git-status")) === "2 settings for fabrikam-fiber.");
    const legacyRow = await text(page, '#gcm-changes li[data-kind="remove-legacy-entry"]');
    check("gcm: a change in plain words with target, key, old value and note", legacyRow.includes("Remove an entry from the old-style cache file") && legacyRow.includes(LEGACY) && legacyRow.includes("https://dev.azure.com/fabrikam-fiber/") && legacyRow.includes("00000000-0000-0000-0000-000000000000") && legacyRow.includes("personal Microsoft account"), legacyRow.replace(/\n/g, " / "));
    check("gcm: the git config change names the key", (await text(page, '#gcm-changes li[data-kind="unset-git-config"]')).includes("credential.azrepos:org/fabrikam-fiber.azureAuthority"));
    check("gcm: the plan's summary is announced", (await text(page, "#gcm-status")) === "2 changes planned." && (await page.getAttribute("#gcm-status", "role")) === "status");

    await page.check("#gcm-unbind");
    await answered(page, "gcm_plan", 2);
    await page.waitForSelector('#gcm-changes li:nth-child(3)');
    check("gcm: toggling a choice makes a new plan with it", (await calls(page, "gcm_plan"))[1][1].choices.unbindUsername === true && (await text(page, "#gcm-changes")).includes(".username"));
    await page.check("#gcm-reject-password");
    await answered(page, "gcm_plan", 3);
    await page.waitForSelector('#gcm-changes li[data-kind="reject-saved-password"]');
    check("gcm: the saved password change is described", (await text(page, '#gcm-changes li[data-kind="reject-saved-password"]')).includes("Ask Git to forget a saved password"));
    await page.check("#gcm-whole-file");
    await answered(page, "gcm_plan", 4);
    await page.waitForSelector('#gcm-changes li[data-kind="remove-legacy-file"]');
    check("gcm: the whole-file choice replaces the entries with the file", (await page.locator('#gcm-changes li[data-kind="remove-legacy-entry"]').count()) === 0);
    check("gcm: the command for other computers follows the choices", (await text(page, "#gcm-fleet-command")) === "ado-connect gcm clean --org fabrikam-fiber --whole-file --unbind-username --forget-password");
    check("gcm: nothing applied before Clean", (await calls(page, "gcm_apply")).length === 0);
    await axe(page, "cleanup plan (light)");

    await page.click("#gcm-apply-button");
    await page.waitForSelector("#gcm-result");
    const apply = (await calls(page, "gcm_apply"))[0][1];
    const lastPlan = (await results(page, "gcm_plan")).at(-1);
    check("gcm: gcm_apply gets the plan exactly as received, with its choices", JSON.stringify(apply.plan) === JSON.stringify(lastPlan) && JSON.stringify(apply.choices) === JSON.stringify({ wholeLegacyFile: true, unbindUsername: true, rejectSavedPassword: true }), JSON.stringify(apply.choices));
    check("gcm: focus moves to the result", (await focusedId(page)) === "gcm-result-title");
    check("gcm: summary in words", (await text(page, "#gcm-result-summary")) === "3 changes made, 2 asked of Git.", await text(page, "#gcm-result-summary"));
    const statuses = await page.locator("#gcm-results li [data-testid=gcm-result-status]").allInnerTexts();
    check("gcm: each result's status in words", statuses.filter((t) => t.includes("Done")).length === 3 && statuses.filter((t) => t.includes("Asked Git to forget it")).length === 2, statuses.join(", "));
    const backups = await page.locator("#gcm-backups li").evaluateAll((els) => els.map((e) => e.getAttribute("data-backup")));
    check("gcm: where each backup is", JSON.stringify(backups) === JSON.stringify([`${LEGACY}.bak-20261130T101500Z`, `${GITCONFIG}.bak-20261130T101500Z`]) && (await text(page, "#gcm-backups")).includes(`${GITCONFIG}.bak-20261130T101500Z`), JSON.stringify(backups));
    check("gcm: Clean is gone once done", (await page.locator("#gcm-apply-button:visible").count()) === 0);
    check("gcm: checklist item done", (await itemState(page, "item-gcm")) === "done");
    await axe(page, "cleanup result (light)");
    await shotOf(page, "#item-gcm", "15-git-cleanup");

    await page.click("#gcm-undo-1");
    await page.waitForSelector("#gcm-backups li:first-child [data-testid=gcm-undo-result] .success-box");
    check("gcm: Undo calls gcm_restore with that backup", JSON.stringify((await calls(page, "gcm_restore"))[0][1]) === JSON.stringify({ backup: `${LEGACY}.bak-20261130T101500Z` }));
    const undone = await text(page, "#gcm-backups li:first-child [data-testid=gcm-undo-result]");
    check("gcm: Undo says what it put back and where the replaced file went", undone.includes(`Put back: ${LEGACY}`) && undone.includes(`${LEGACY}.bak-20261130T101730Z`), undone);
    check("gcm: the other backup keeps its Undo", await page.isVisible("#gcm-undo-2") && !(await page.isVisible("#gcm-undo-1")));
    check("gcm: after Undo the item is to do again", (await itemState(page, "item-gcm")) === "todo");
    await axe(page, "cleanup undone (light)");
  });

  test("Git Credential Manager cleanup: nothing to clean, problems, partial failure (dark)", async (open) => {
    const dark = { colorScheme: "dark" };
    const empty = await open({ signedIn: true, gcm: "empty" }, dark);
    await empty.page.click("#nav-after");
    await empty.page.click("#gcm-preview-button");
    await empty.page.waitForSelector("#gcm-nothing");
    check("gcm empty: \"Nothing to clean\" and no Clean button", (await text(empty.page, "#gcm-nothing")).includes("Nothing to clean:") && (await empty.page.locator("#gcm-apply-button").count()) === 0);
    check("gcm empty: says the old-style cache is not there", (await text(empty.page, "#gcm-legacy-status")).startsWith("Not on this computer"));
    check("gcm empty: the item counts as done", (await itemState(empty.page, "item-gcm")) === "done");
    await axe(empty.page, "nothing to clean (dark)");
    await empty.context.close();

    const bad = await open({ signedIn: true, gcm: "problems" }, dark);
    await bad.page.click("#nav-after");
    await bad.page.click("#gcm-preview-button");
    await bad.page.waitForSelector("#gcm-problems li");
    const problem = await text(bad.page, "#gcm-problems li");
    check("gcm problems: message and remedy", problem.includes("not gzip data") && problem.includes("What to do:") && problem.includes("delete the whole old-style cache file"), problem.replace(/\n/g, " / "));
    check("gcm problems: the found section says the file cannot be used", (await text(bad.page, "#gcm-legacy-status")).includes("cannot use"));
    check("gcm problems: what can still be done is offered", (await bad.page.locator("#gcm-apply-button").count()) === 1 && (await bad.page.locator("#gcm-changes li").count()) === 1);
    await axe(bad.page, "cleanup with a problem (dark)");
    await shotOf(bad.page, "#item-gcm", "dark-15-git-cleanup-problem");
    await bad.page.check("#gcm-whole-file");
    await bad.page.waitForSelector('#gcm-changes li[data-kind="remove-legacy-file"]');
    check("gcm problems: the whole-file choice resolves it", (await bad.page.locator("#gcm-problems").count()) === 0);
    await bad.context.close();

    const partial = await open({ signedIn: true, gcm: "partial", restoreSame: true }, dark);
    await partial.page.click("#nav-after");
    await partial.page.click("#gcm-preview-button");
    await partial.page.click("#gcm-apply-button");
    await partial.page.waitForSelector("#gcm-result .warning-box");
    check("gcm partial: summary counts the failure", (await text(partial.page, "#gcm-result-summary")) === "1 change made, 1 failed.");
    const failedRow = await text(partial.page, '#gcm-results li[data-status="failed"]');
    check("gcm partial: the failed change says why and what to do", failedRow.includes("Failed") && failedRow.includes("read-only") && failedRow.includes("What to do:"), failedRow.replace(/\n/g, " / "));
    check("gcm partial: the item stays to do", (await itemState(partial.page, "item-gcm")) === "todo");
    await partial.page.click("#gcm-undo-1");
    await partial.page.waitForSelector("[data-testid=gcm-undo-result] .success-box");
    check("gcm partial: an Undo with nothing to put back says so", (await text(partial.page, "[data-testid=gcm-undo-result]")).includes("Nothing to put back:"));
    await axe(partial.page, "cleanup partly failed (dark)");
    await partial.page.evaluate(() => {
      window.__mockScenario.fail = { gcm_plan: { code: "git-not-found", message: "Git was not found on this computer.", remedy: "Install Git, or set gcm.git in the settings.", details: {} } };
    });
    await partial.page.uncheck("#gcm-whole-file").catch(() => undefined);
    await partial.page.check("#gcm-unbind");
    await partial.page.waitForSelector("#gcm-error");
    check("gcm: a refused plan is shown where it happened, with its remedy", (await text(partial.page, "#gcm-error")).includes("Install Git"));
    check("gcm: the result and its Undo stay after a new plan", (await partial.page.locator("#gcm-result").count()) === 1);
  });

  test("Git Credential Manager cleanup from the organization blade, keyboard only", { quick: true }, async (open) => {
    const { page } = await open({ signedIn: true }, { viewport: { width: 900, height: 600 } });
    await page.click("#nav-orgs");
    await page.waitForSelector("#org-northwind-shared");
    await page.focus("#org-northwind-shared");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#org-owner");
    await tabTo(page, "#org-gcm-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gcm #gcm-preview-button");
    check("gcm blade: offered for an organization you do not own, focus on its heading", (await focusedId(page)) === "gcm-title" && (await text(page, "#gcm-title")).includes("northwind-shared"));
    await tabTo(page, "#gcm-unbind");
    await page.keyboard.press("Space");
    check("gcm keyboard: Space ticks a choice, no plan yet", (await page.isChecked("#gcm-unbind")) && (await calls(page, "gcm_plan")).length === 0);
    await tabTo(page, "#gcm-preview-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gcm-changes li");
    check("gcm keyboard: Enter previews with the choice", (await calls(page, "gcm_plan"))[0][1].orgs[0] === "northwind-shared" && (await calls(page, "gcm_plan"))[0][1].choices.unbindUsername === true);
    await tabTo(page, "#gcm-unbind", { back: true });
    await page.keyboard.press("Space");
    await answered(page, "gcm_plan", 2);
    check("gcm keyboard: un-ticking re-plans; focus stays on the box", (await calls(page, "gcm_plan"))[1][1].choices.unbindUsername === false && (await focusedId(page)) === "gcm-unbind");
    await page.waitForFunction(() => document.querySelectorAll("#gcm-changes li").length === 2);
    await tabTo(page, "#gcm-apply-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gcm-result");
    check("gcm keyboard: Clean with Enter, focus on the result", (await focusedId(page)) === "gcm-result-title");
    await tabTo(page, "#gcm-undo-1");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=gcm-undo-result] .success-box");
    check("gcm keyboard: Undo with Enter, focus on what it did", await page.evaluate(() => !!document.activeElement?.closest("[data-testid=gcm-undo-result]")));
    await axe(page, "cleanup blade (light)");
    await page.keyboard.press("Shift+Tab");
    await tabTo(page, "#gcm [data-testid=blade-close]", { back: true, max: 80 });
    await page.keyboard.press("Enter");
    check("gcm keyboard: closing the blade returns focus to Clean Git caches", (await focusedId(page)) === "org-gcm-button");
  });

  test("resume: the checklist of a connected organization, tracked invitations re-checked", { quick: true }, async (open) => {
    const invitations = [
      { org: "fabrikam-fiber", email: "sam@contoso.com", invitedAt: "2026-11-29T09:00:00Z", signedIn: false },
      { org: "fabrikam-fiber", email: "kim@contoso.com", invitedAt: "2026-11-28T09:00:00Z", signedIn: true },
      { org: "contoso-tools", email: "lee@contoso.com", invitedAt: "2026-11-28T09:00:00Z", signedIn: false },
    ];
    const resume = { step: "connected", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: "Contoso Ltd", invitations };
    const { page } = await open({ signedIn: true, resume });
    await page.waitForSelector("#resume-notice");
    const order = await page.evaluate(() => window.__calls.map(([c]) => c).filter((c) => c !== "update_available").slice(0, 3));
    check("resume: asked after session_status", JSON.stringify(order) === JSON.stringify(["app_info", "session_status", "resume"]), order.join(", "));
    check("resume: opens the after-connect checklist of the organization", (await page.inputValue("#after-org")) === "fabrikam-fiber" && (await page.getAttribute("#nav-after", "aria-current")) === "page");
    check("resume: the notice says it is connected, checked just now", (await text(page, "#resume-notice")).includes("fabrikam-fiber is connected to Contoso Ltd") && (await text(page, "#resume-notice")).includes("went through"));
    check("resume: focus is not moved at start", await page.evaluate(() => document.activeElement === document.body));
    await page.waitForSelector('#invitation-list li[data-email="sam@contoso.com"] [data-state="waiting"]');
    check("resume: a tracked invitation is listed and re-checked", (await calls(page, "invitation_status")).some(([, a]) => a.email === "sam@contoso.com" && a.org === "fabrikam-fiber"));
    check("resume: one already signed in is listed as such, not re-checked", (await page.getAttribute('#invitation-list li[data-email="kim@contoso.com"] [data-testid=invitation-state]', "data-state")) === "signed-in" && !(await calls(page, "invitation_status")).some(([, a]) => a.email === "kim@contoso.com"));
    check("resume: another organization's invitation is not in this list", (await page.locator('#invitation-list li[data-email="lee@contoso.com"]').count()) === 0);
    check("resume: a tracked invitation says when it was sent", (await text(page, '#invitation-list li[data-email="sam@contoso.com"]')).includes("Invited November 29, 2026"));
    check("resume: the invite item is done (someone signed in)", (await itemState(page, "item-invite")) === "done");
    await axe(page, "resumed checklist (light)");
    await shot(page, "16-resume");
  });

  test("resume: the connect blade, signed-out resume, a failing resume", async (open) => {
    const dirResume = { step: "directory", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: "Contoso Ltd", invitations: [] };
    const d = await open({ signedIn: true, resume: dirResume }, { colorScheme: "dark" });
    await d.page.waitForSelector("#connect #resume-notice");
    check("resume directory: the connect blade of the organization is open", (await text(d.page, "#connect-title")) === "Connect fabrikam-fiber to a directory" && (await d.page.locator("#org-owner").count()) === 1);
    check("resume directory: says the connect did not happen", (await text(d.page, "#resume-notice")).includes("did not finish") && (await text(d.page, "#resume-notice")).includes("Contoso Ltd"));
    await d.page.waitForSelector('#preflight-list li[data-check-id="outside-domains"]');
    check("resume directory: the directory chosen last time is chosen again and checked", (await d.page.isChecked(`#dir-${CONTOSO}`)) && (await calls(d.page, "preflight")).some(([, a]) => a.tenantId === CONTOSO));
    await d.page.waitForFunction(() => !document.querySelector("#connect-submit").disabled);
    check("resume directory: Connect is ready", true);
    await axe(d.page, "resumed connect blade (dark)");
    await shot(d.page, "dark-16-resume-connect");
    await d.context.close();

    const resume = { step: "connected", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: "Contoso Ltd", invitations: [] };
    const out = await open({ resume, signIn: "approve", approveAfterMs: 200 });
    await out.page.waitForSelector("#welcome #resume-notice");
    check("resume signed out: Home says where you left off", (await text(out.page, "#resume-notice")).includes("Last time you connected fabrikam-fiber to Contoso Ltd"));
    await axe(out.page, "Home with the resume notice (light)");
    await out.page.click("#resume-continue");
    await out.page.waitForSelector("#signin-continue");
    await out.page.click("#signin-continue");
    await out.page.waitForSelector("#after #resume-notice");
    check("resume signed out: after signing in, the organization's checklist", (await out.page.inputValue("#after-org")) === "fabrikam-fiber");
    await out.context.close();

    const broken = await open({
      signedIn: true,
      resume: { step: "connecting", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: CONTOSO, invitations: [] },
    });
    await broken.page.waitForSelector("#after #resume-notice");
    check("resume connecting: the checklist warns the result is not visible yet", (await broken.page.getAttribute("#resume-notice", "data-step")) === "connecting" && (await text(broken.page, "#resume-notice")).includes("Contoso Ltd"));
    await broken.context.close();

    const failing = await open({
      signedIn: true,
      fail: { resume: { code: "network-unreachable", message: "ADO Connect could not reach dev.azure.com.", remedy: "Check your internet connection.", details: {} } },
    });
    await failing.page.waitForSelector("[data-testid=toast]");
    check("resume fails: Home opens, and a warning says why", (await failing.page.locator("#welcome-title").count()) === 1 && (await text(failing.page, "[data-testid=toast]")).includes("could not reach dev.azure.com"));
  });

  test("work account: sign_in_start with the directory, the device-code screen, keyboard", async (open) => {
    const resume = { step: "connected", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: "Contoso Ltd", invitations: [] };
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signedIn: true, signIn: "manual", resume }, { colorScheme: theme, viewport: { width: 900, height: 600 } });
      await page.waitForSelector("#work-signin-button");
      check(`work account (${theme}): the checklist says why in one sentence`, (await text(page, "#work-signin-why")) === WHY);
      check(`work account (${theme}): to do until signed in to the directory`, (await itemState(page, "item-work-signin")) === "todo");
      await tabTo(page, "#work-signin-button", { max: 80 });
      await page.keyboard.press("Enter");
      await page.waitForSelector("#user-code");
      check(`work account (${theme}): sign_in_start({tenantId}) for the connected directory`, JSON.stringify((await calls(page, "sign_in_start"))[0][1]) === JSON.stringify({ tenantId: CONTOSO }));
      check(`work account (${theme}): the device-code screen, titled for the work account, focus on it`, (await text(page, "#signin-title")) === "Sign in with your work account" && (await focusedId(page)) === "signin-title");
      check(`work account (${theme}): the sign-in screen says why`, (await text(page, "#signin-why")) === WHY && (await text(page, "#signin-area")).length > 0);
      await page.waitForFunction(() => document.querySelector("#signin-status")?.textContent?.includes("Waiting"));
      await axe(page, `work-account sign-in (${theme})`);
      if (theme === "light") await shot(page, "17-work-signin");
      await emitSignedIn(page, WORK_USER, { signedIn: true, user: WORK_USER, remembered: true, tenant: CONTOSO });
      await page.waitForFunction(() => document.activeElement?.id === "signin-continue");
      check(`work account (${theme}): signed in, Continue has focus`, (await text(page, "#signin-success")).includes("alex.morgan@contoso.com"));
      await page.keyboard.press("Enter");
      await page.waitForSelector('#item-work-signin [data-testid=item-state][data-state="done"]');
      check(`work account (${theme}): back on the organization's checklist, step done`, (await page.inputValue("#after-org")) === "fabrikam-fiber" && (await text(page, "#topbar-user")).includes("Alex Morgan"));
      await context.close();
    }
    const { page } = await open({ signedIn: true, signIn: "manual", resume });
    await page.click("#work-signin-button");
    await page.waitForSelector("#user-code");
    await page.click("#use-browser-button");
    await page.waitForSelector("#signin-continue");
    const viaBrowser = (await calls(page, "sign_in_browser")).map(([, a]) => a);
    check("work account by the browser: sign_in_browser({tenantId}) for the connected directory", JSON.stringify(viaBrowser) === JSON.stringify([{ tenantId: CONTOSO }]), JSON.stringify(viaBrowser));
    check("work account by the browser: the code's sign-in was stopped first", (await calls(page, "sign_in_cancel")).length >= 1);
    check("work account by the browser: signed in with the work account", (await text(page, "#signin-success")).includes("alex.morgan@contoso.com") && (await focusedId(page)) === "signin-continue");
    await page.click("#signin-continue");
    await page.waitForSelector('#item-work-signin [data-testid=item-state][data-state="done"]');
    check("work account by the browser: back on the checklist, step done", (await text(page, "#work-signin-done")).includes("alex.morgan@contoso.com from Contoso Ltd"));
    await page.click("#work-signin-button");
    await page.waitForSelector("#user-code");
    await page.click("#signin-cancel");
    await page.waitForSelector("#work-signin-button");
    check("work account: Cancel goes back to the checklist, still signed in", (await calls(page, "sign_in_cancel")).length >= 1 && (await page.locator("#topbar-signout").count()) === 1);
  });

  test("keyboard: from the organization list to the Connect blade, even while it loads", { quick: true }, async (open) => {
    const { page } = await open({ signedIn: true, delay: { organization_details: 700 } });
    await page.click("#nav-orgs");
    await page.waitForSelector("#org-list tr[data-org]");
    await tabTo(page, "#org-fabrikam-fiber");
    await page.keyboard.press("Enter");
    check("keyboard: Enter on the name opens its blade, focus on its heading", (await focusedId(page)) === "org-title");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    check("keyboard: two Tabs (close, then Connect) reach Connect while it loads", (await focusedId(page)) === "connect-button" && (await page.getAttribute("#connect-button", "aria-disabled")) === "true");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#connect-title");
    await page.waitForFunction(() => document.activeElement?.id === "connect-title");
    check("keyboard: pressed while loading, Connect opens when the details are in", (await calls(page, "organization_details")).length === 1);
  });

  test("About: Open logs folder through open_logs_folder", { quick: true }, async (open) => {
    const { page } = await open({ fail: { open_logs_folder: { code: "internal", message: "The logs folder could not be opened: no file manager.", remedy: "Open the folder shown above yourself.", details: {} } } });
    await page.click("#nav-about");
    await page.click("#open-logs-button");
    await page.waitForSelector("#about-error [data-testid=error-panel]");
    check("logs: a failure is shown under the button with its remedy", (await text(page, "#about-error")).includes("no file manager") && (await calls(page, "open_logs_folder")).length === 1);
    check("logs: the command gets no path from the page", (await calls(page, "open_logs_folder"))[0][1] === null || JSON.stringify((await calls(page, "open_logs_folder"))[0][1]) === "{}");
    await axe(page, "About with an error (light)");
  });

  test("1,000 organizations: shown, filtered, cleared, sorted; loading and empty states", async (open) => {
    // The mock adds three organizations of its own: 997 more make 1,000.
    const { page, context } = await open({ signedIn: true, orgs: 997, delay: { list_organizations: 800 } });
    const shownRows = () => page.evaluate(() => [...document.querySelectorAll("#org-list tbody tr:not([hidden])")].map((tr) => tr.getAttribute("data-org")));
    await page.click("#nav-orgs");
    await page.waitForSelector("#orgs-loading");
    check("loading: a wait over 300 ms shows progress", await page.locator("#orgs-loading").isVisible());
    const t = Date.now();
    await page.waitForSelector("#org-list tr[data-org]");
    const all = await shownRows();
    check("1,000 organizations: all listed, each once", all.length === 1000 && new Set(all).size === 1000 && (await page.locator("#org-list tbody tr").count()) === 1000, `${all.length} rows in ${Date.now() - t} ms`);
    check("1,000 organizations: sorted by name, with the count", all[0] === "contoso-tools" && all.at(-1) === "team-0997" && (await text(page, "#org-count")) === "1,000 organizations.", `${all[0]} … ${all.at(-1)}; ${await text(page, "#org-count")}`);
    check("1,000 organizations: every row has its name button, URL, directory and role", (await page.locator("#org-list tbody [data-testid=org-open]").count()) === 1000 && (await text(page, 'tr[data-org="team-0005"]')).includes("dev.azure.com/team-0005") && (await text(page, 'tr[data-org="team-0005"] [data-testid=org-directory]')) === "Contoso Ltd" && (await text(page, 'tr[data-org="team-0003"]')).includes("Member"));
    const t2 = Date.now();
    await page.fill("#org-filter", "team-0997");
    await page.waitForFunction(() => document.querySelectorAll("#org-list tbody tr:not([hidden])").length === 1);
    check("1,000 organizations: filter is fast", Date.now() - t2 < 1000, `${Date.now() - t2} ms`);
    await page.fill("#org-filter", "");
    // Typed a key at a time, as a person does: each key filters the rows kept in the table.
    await page.focus("#org-filter");
    await page.keyboard.type("TEAM-099");
    await page.waitForFunction(() => document.querySelector("#org-count")?.textContent?.startsWith("8 of"));
    const typed = await shownRows();
    check("filter: typed key by key (any case), the right rows in order", JSON.stringify(typed) === JSON.stringify(["team-0990", "team-0991", "team-0992", "team-0993", "team-0994", "team-0995", "team-0996", "team-0997"]), typed.join(", "));
    check("filter: the count says how many of how many", (await text(page, "#org-count")) === "8 of 1,000 organizations shown." && (await page.getAttribute("#org-count", "role")) === "status");
    // Rows are in groups of 50 (tbody.org-rows); a group with no match is hidden, so the list is as high as its matches.
    const groupsShown = () => page.evaluate(() => [...document.querySelectorAll("#org-list tbody.org-rows")].map((g) => (g.hidden ? 0 : g.querySelectorAll("tr:not([hidden])").length)));
    const gs = await groupsShown();
    check("filter: rows in 20 groups of 50; only the group with the matches is shown", gs.length === 20 && gs.filter((n) => n > 0).length === 1 && gs[19] === 8 && (await page.locator("#org-list tbody.org-rows tr").count()) === 1000, JSON.stringify(gs));
    check("filter: the list is no higher than its matches", (await page.evaluate(() => document.querySelector("#org-list").getBoundingClientRect().height)) < 600);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    check("filter: Tab goes from the filter past the sort to the first match", (await focusedId(page)) === "org-team-0990");
    await page.selectOption("#org-sort", "name-desc");
    check("filter and sort: the matches in the new order", JSON.stringify(await shownRows()) === JSON.stringify(["team-0997", "team-0996", "team-0995", "team-0994", "team-0993", "team-0992", "team-0991", "team-0990"]));
    await page.selectOption("#org-sort", "name-asc");
    await page.fill("#org-filter", "contoso ltd");
    await page.waitForFunction(() => document.querySelector("#org-count")?.textContent?.startsWith("199 of"));
    check("filter: by the directory's name too", (await shownRows()).every((n) => Number(n.slice(5)) % 5 === 0), await text(page, "#org-count"));
    await page.fill("#org-filter", "no-such-organization");
    await page.waitForFunction(() => document.querySelectorAll("#org-list tbody tr:not([hidden])").length === 0);
    check("filter: no match says so", (await text(page, "#org-count")) === "No organization matches the filter.");
    await page.fill("#org-filter", "team-0997");
    await page.waitForFunction(() => document.querySelectorAll("#org-list tbody tr:not([hidden])").length === 1);
    await page.focus("#org-filter");
    for (let i = 0; i < 9; i++) await page.keyboard.press("Backspace");
    await page.waitForFunction(() => document.querySelectorAll("#org-list tbody tr:not([hidden])").length === 1000);
    check("filter cleared: all 1,000 again, in order, with the count", JSON.stringify(await shownRows()) === JSON.stringify(all) && (await text(page, "#org-count")) === "1,000 organizations.");
    await page.selectOption("#org-sort", "name-desc");
    check("1,000 organizations: sort", (await page.locator("#org-list tbody tr").first().getAttribute("data-org")) === "team-0997");
    await page.selectOption("#org-sort", "role");
    // (textContent: a row far out of view is not rendered, so it has no innerText.)
    check("1,000 organizations: sort by role puts owners first", (await page.locator("#org-list tbody tr").last().getAttribute("data-org")) === "team-0996" && (await page.textContent("#org-list tbody.org-rows:last-of-type tr:last-child")).includes("Member"));
    await axe(page, "1,000 organizations (light)");

    // Opened again: the same rows, once each, the selection kept.
    await page.click("#org-team-0500");
    await page.waitForSelector("#org-owner");
    await page.click("#nav-services");
    await page.click("#service-orgs");
    await page.waitForSelector('#orgs tr[data-org="team-0500"]');
    check("opened again: one table, 1,000 rows, the filter empty", (await page.locator("#org-list").count()) === 1 && (await shownRows()).length === 1000 && (await page.inputValue("#org-filter")) === "");
    check("opened again: the selected organization is still marked", (await page.getAttribute("#org-team-0500", "aria-current")) === "true" && (await page.locator("#org-list tbody [aria-current]").count()) === 1);
    await page.click("#org-team-0501");
    await page.waitForSelector("#org-owner");
    check("selecting another moves the mark", (await page.getAttribute("#org-team-0501", "aria-current")) === "true" && (await page.locator("#org-list tbody [aria-current]").count()) === 1 && (await page.locator("#org-list tbody tr.is-selected").count()) === 1);
    await context.close();

    const empty = await open({ signedIn: true, orgs: "empty" }, { colorScheme: "dark" });
    await empty.page.click("#nav-orgs");
    await empty.page.waitForSelector("#orgs-empty");
    check("empty: explains what to check", (await text(empty.page, "#orgs-empty")).includes("personal Microsoft account"));
    await axe(empty.page, "no organizations (dark)");
  });

  test("About: the diagnostic summary, shown, then copied", { quick: true }, async (open) => {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({}, { colorScheme: theme });
      await page.click("#nav-about");
      await page.waitForFunction(() => document.querySelector("#diagnostics-summary")?.value);
      const shown = await page.inputValue("#diagnostics-summary");
      const sent = (await results(page, "diagnostics_summary"))[0];
      check(`diagnostics (${theme}): the summary from diagnostics_summary is shown as it is`, shown === sent && shown.includes("ADO Connect 0.1.0") && shown.includes("correlation id b7e2c1d0-4f3a-4e5b-9c8d-7a6b5c4d3e2f"), shown.split("\n")[0]);
      const box = await page.evaluate(() => {
        const t = document.querySelector("#diagnostics-summary");
        return { readOnly: t.readOnly, label: t.labels?.[0]?.textContent ?? "", font: getComputedStyle(t).fontFamily, hint: document.getElementById(t.getAttribute("aria-describedby"))?.textContent ?? "" };
      });
      check(`diagnostics (${theme}): a read-only, labelled, monospace box, with what it holds and never holds`, box.readOnly && box.label === "Diagnostic summary to send" && /mono/i.test(box.font) && box.hint.includes("never contains a password or a token"), JSON.stringify(box));
      check(`diagnostics (${theme}): asked once, with no arguments`, JSON.stringify((await calls(page, "diagnostics_summary")).map(([, a]) => a ?? {})) === "[{}]");
      await tabTo(page, "#copy-diagnostics-button", { max: 80 });
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#diagnostics-status")?.textContent);
      check(`diagnostics (${theme}): the clipboard holds exactly the text shown`, JSON.stringify(await clipboard(page)) === JSON.stringify([shown]));
      check(`diagnostics (${theme}): says it was copied, in a live region`, (await text(page, "#diagnostics-status")).startsWith("Diagnostic summary copied") && (await page.getAttribute("#diagnostics-status", "role")) === "status");
      await axe(page, `About with the diagnostic summary (${theme})`);
      await context.close();
    }
    const failure = { code: "internal", message: "The diagnostic summary could not be read: the log folder is not readable.", remedy: "Open the logs folder yourself and send the newest file to your IT desk.", details: { correlationId: "d1a90000-1111-4222-8333-444455556666" } };
    const { page } = await open({ fail: { diagnostics_summary: failure } });
    await page.click("#nav-about");
    await page.waitForSelector("#diagnostics-error [data-testid=error-panel]");
    const panel = await text(page, "#diagnostics-error");
    check("diagnostics fails: an error with its message, what to do and the code", panel.includes("The diagnostic summary could not be made") && panel.includes(failure.message) && panel.includes(failure.remedy) && panel.includes("Error code: internal"), panel.replace(/\n/g, " / "));
    check("diagnostics fails: announced, no box, nothing copied", (await page.getAttribute("#diagnostics-error [data-testid=error-panel]", "role")) === "alert" && (await page.isHidden("#diagnostics-summary")) && (await clipboard(page)).length === 0);
    await axe(page, "About, diagnostic summary failed (light)");
    await page.click("#copy-diagnostics-button");
    await page.waitForFunction(() => window.__calls.filter(([c]) => c === "diagnostics_summary").length === 2);
    await page.waitForSelector("#diagnostics-error [data-testid=error-panel]");
    check("diagnostics fails again: asked again on the click, the error stays, nothing copied", (await page.locator("#diagnostics-error [data-testid=error-panel]").count()) === 1 && (await clipboard(page)).length === 0);
    await page.evaluate(() => (window.__mockScenario.fail = {}));
    await page.click("#copy-diagnostics-button");
    await page.waitForFunction(() => window.__clipboard.length > 0);
    check("diagnostics works again: the click reads it, shows it and copies it; the error is gone", (await page.inputValue("#diagnostics-summary")) === (await clipboard(page))[0] && (await page.isVisible("#diagnostics-summary")) && (await page.locator("#diagnostics-error [data-testid=error-panel]").count()) === 0);
  });

  test("About: the proxy, saved and cleared, with state.app kept", { quick: true }, async (open) => {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({}, { colorScheme: theme });
      await page.click("#nav-about");
      await page.waitForSelector("#proxy-input");
      const field = await page.evaluate(() => {
        const i = document.querySelector("#proxy-input");
        const described = (i.getAttribute("aria-describedby") ?? "").split(" ");
        return {
          label: i.labels?.[0]?.textContent ?? "",
          hint: document.getElementById("proxy-hint")?.textContent ?? "",
          described,
          inputmode: i.getAttribute("inputmode"),
          placeholder: i.placeholder,
          value: i.value,
          saveLabel: document.querySelector("#proxy-save")?.textContent ?? "",
        };
      });
      check(`proxy (${theme}): none saved, the proxy in effect shown`, (await text(page, "#about-proxy")) === "None: a direct connection" && field.value === "", await text(page, "#about-proxy"));
      check(`proxy (${theme}): a labelled url field with its hint and errors tied to it, and Save`, field.label === "Your proxy" && field.hint.startsWith(PROXY_HINT) && field.described.includes("proxy-hint") && field.described.includes("proxy-error") && field.inputmode === "url" && field.placeholder === "http://proxy.contoso.com:8080" && field.saveLabel === "Save proxy", JSON.stringify(field));
      await axe(page, `About with the proxy field (${theme})`);
      // Slow enough to see Save busy, and a second Enter doing nothing.
      await page.evaluate(() => (window.__mockScenario.delay = { save_proxy: 400 }));
      await page.fill("#proxy-input", "  http://proxy.contoso.com:8080  ");
      await page.click("#proxy-save");
      await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent === "Saving the proxy…");
      check(`proxy (${theme}): Save is unavailable while saving`, (await page.getAttribute("#proxy-save", "aria-disabled")) === "true" && (await page.getAttribute("#proxy-save", "aria-busy")) === "true");
      await page.focus("#proxy-input");
      await page.keyboard.press("Enter");
      await answered(page, "save_proxy", 1);
      await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Proxy saved"));
      check(`proxy (${theme}): save_proxy called once, with the address trimmed`, JSON.stringify((await calls(page, "save_proxy")).map(([, a]) => a)) === JSON.stringify([{ proxy: "http://proxy.contoso.com:8080" }]), JSON.stringify(await calls(page, "save_proxy")));
      check(`proxy (${theme}): the proxy in effect is the one saved`, (await text(page, "#about-proxy")) === "http://proxy.contoso.com:8080 (your setting)", await text(page, "#about-proxy"));
      check(`proxy (${theme}): announced: saved, and what is in effect now`, (await text(page, "#proxy-status")) === "Proxy saved. In effect now: http://proxy.contoso.com:8080 (your setting)." && (await page.getAttribute("#proxy-status", "role")) === "status", await text(page, "#proxy-status"));
      check(`proxy (${theme}): the field holds what was saved; Save is available again; focus stays in the field`, (await page.inputValue("#proxy-input")) === "http://proxy.contoso.com:8080" && !(await page.getAttribute("#proxy-save", "aria-disabled")) && (await focusedId(page)) === "proxy-input");
      await axe(page, `About, proxy saved (${theme})`);
      if (theme === "light") await shotOf(page, "#about-proxy-setting", "23-proxy");
      // The app's copy of app_info was updated: About built again shows the new proxy, without asking again.
      await page.click("#nav-home");
      await page.click("#nav-about");
      await page.waitForSelector("#proxy-input");
      check(`proxy (${theme}): kept in the app's app info (About opened again, app_info asked once)`, (await text(page, "#about-proxy")) === "http://proxy.contoso.com:8080 (your setting)" && (await page.inputValue("#proxy-input")) === "http://proxy.contoso.com:8080" && (await calls(page, "app_info")).length === 1);
      await page.evaluate(() => (window.__mockScenario.delay = {}));
      await page.fill("#proxy-input", " ");
      await page.click("#proxy-save");
      await answered(page, "save_proxy", 2);
      await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Your proxy was removed"));
      check(`proxy (${theme}): emptied: save_proxy with "", none in effect, said so`, (await calls(page, "save_proxy"))[1][1].proxy === "" && (await text(page, "#about-proxy")) === "None: a direct connection" && (await text(page, "#proxy-status")) === "Your proxy was removed. In effect now: None: a direct connection." && (await page.inputValue("#proxy-input")) === "");
      await context.close();
    }
    // With HTTPS_PROXY set, emptying the field leaves the computer's proxy in effect.
    const { page } = await open({ userProxy: "socks5://127.0.0.1:1080", envProxy: "http://p:3128" });
    await page.click("#nav-about");
    await page.waitForSelector("#proxy-input");
    check("proxy: a socks5 proxy saved earlier is shown and prefilled", (await text(page, "#about-proxy")) === "socks5://127.0.0.1:1080 (your setting)" && (await page.inputValue("#proxy-input")) === "socks5://127.0.0.1:1080");
    await page.fill("#proxy-input", "");
    await page.click("#proxy-save");
    await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Your proxy was removed"));
    check("proxy: emptied with HTTPS_PROXY set: the computer's proxy is in effect", (await text(page, "#about-proxy")) === "http://p:3128 (from HTTPS_PROXY)", await text(page, "#about-proxy"));
  });

  test("About: a proxy address is checked before it is saved", { quick: true }, async (open) => {
    const { page } = await open({ userProxy: "http://old-proxy:3128" });
    await page.click("#nav-about");
    await page.waitForSelector("#proxy-input");
    const refused = async (value) => {
      await page.fill("#proxy-input", value);
      await page.click("#proxy-save");
      await page.waitForFunction(() => document.querySelector("#proxy-input")?.getAttribute("aria-invalid") === "true");
      return page.evaluate(() => ({
        error: document.querySelector("#proxy-error")?.textContent ?? "",
        describedBy: document.querySelector("#proxy-input")?.getAttribute("aria-describedby") ?? "",
        focused: document.activeElement?.id ?? "",
        inEffect: document.querySelector("#about-proxy")?.textContent ?? "",
        status: document.querySelector("#proxy-status")?.textContent ?? "",
        page: document.body.innerText,
      }));
    };
    let r = await refused("proxy.contoso.com:8080");
    check("proxy check: no scheme: said in plain words, tied to the field, focus on it", r.error === "Enter the whole address, starting with http://, https:// or socks5://, for example http://proxy.contoso.com:8080." && r.describedBy.split(" ").includes("proxy-error") && r.focused === "proxy-input", JSON.stringify(r.error));
    check("proxy check: nothing saved, the proxy in effect unchanged", (await calls(page, "save_proxy")).length === 0 && r.inEffect === "http://old-proxy:3128 (your setting)" && r.status === "");
    await axe(page, "About, proxy refused (light)");
    const secret = "Hunter2-secret";
    r = await refused(`http://alex:${secret}@proxy.contoso.com:8080`);
    check("proxy check: a user name and password are refused, not saved", r.error.startsWith("Remove the user name and password") && (await calls(page, "save_proxy")).length === 0, r.error);
    check("proxy check: the password is never shown back", !r.error.includes(secret) && !r.page.includes(secret) && !r.error.includes("alex:"), r.error);
    for (const [value, start] of [
      ["ftp://proxy.contoso.com:21", "Use a proxy address starting with http://"],
      ["http://proxy.contoso.com:8080/path", "Enter only the proxy's address and port"],
      ["http://proxy.contoso.com:8080?x=1", "Enter only the proxy's address and port"],
      ["http://proxy contoso:8080", "Remove the spaces"],
      ["http://", "This is not an address"],
      ["socks5://", "Add the proxy's name"],
    ]) {
      r = await refused(value);
      check(`proxy check: ${value} refused with a reason`, r.error.startsWith(start) && (await calls(page, "save_proxy")).length === 0, r.error);
    }
    await page.fill("#proxy-input", "socks5h://127.0.0.1:1080");
    await page.click("#proxy-save");
    await answered(page, "save_proxy", 1);
    await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Proxy saved"));
    check("proxy check: a good address clears the error and is saved", (await page.getAttribute("#proxy-input", "aria-invalid")) === null && (await text(page, "#proxy-error")) === "" && (await text(page, "#about-proxy")) === "socks5h://127.0.0.1:1080 (your setting)");
  });

  test("About: save_proxy refusing is shown with its code; the organization's proxy cannot be changed", { quick: true }, async (open) => {
    const busy = { code: "invalid-input", message: "A sign-in is in progress.", remedy: "Finish or cancel the sign-in, then save the proxy.", details: {} };
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ userProxy: "http://old-proxy:3128", fail: { save_proxy: busy } }, { colorScheme: theme });
      await page.click("#nav-about");
      await page.waitForSelector("#proxy-input");
      await page.fill("#proxy-input", "http://proxy.contoso.com:8080");
      await page.click("#proxy-save");
      await page.waitForSelector("#proxy-save-error [data-testid=error-panel]");
      const panel = await text(page, "#proxy-save-error");
      check(`proxy refused (${theme}): the error panel with the message, what to do and the code`, panel.includes("The proxy was not saved") && panel.includes(busy.message) && panel.includes(busy.remedy) && panel.includes("Error code: invalid-input"), panel.replace(/\n/g, " / "));
      check(`proxy refused (${theme}): announced; nothing changed; no saved message`, (await page.getAttribute("#proxy-save-error [data-testid=error-panel]", "role")) === "alert" && (await text(page, "#about-proxy")) === "http://old-proxy:3128 (your setting)" && (await text(page, "#proxy-status")) === "" && (await calls(page, "save_proxy")).length === 1);
      await axe(page, `About, save_proxy refused (${theme})`);
      // The error goes once the save works.
      await page.evaluate(() => (window.__mockScenario.fail = {}));
      await page.click("#proxy-save");
      await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Proxy saved"));
      check(`proxy refused (${theme}): saving again works and the error is gone`, (await page.locator("#proxy-save-error [data-testid=error-panel]").count()) === 0);
      await context.close();

      const fixed = await open({ proxyEnforced: true, userProxy: "http://home:3128" }, { colorScheme: theme });
      await fixed.page.click("#nav-about");
      await fixed.page.waitForSelector("#proxy-enforced");
      check(`proxy set by the organization (${theme}): the proxy in effect says so`, (await text(fixed.page, "#about-proxy")) === "http://proxy.contoso.com:8080 (set by your organization)" && (await text(fixed.page, "#about-enforced")).includes("network.proxy"));
      check(`proxy set by the organization (${theme}): no field and no Save, a note instead`, (await fixed.page.isHidden("#proxy-input")) && (await fixed.page.isHidden("#proxy-save")) && (await text(fixed.page, "#proxy-enforced")).startsWith("Set by your organization: your IT desk has fixed the proxy"));
      const visited = [];
      for (let i = 0; i < 80 && (await focusedId(fixed.page)) !== "copy-diagnostics-button"; i++) {
        await fixed.page.keyboard.press("Tab");
        if (await fixed.page.evaluate(() => document.querySelector("#about-proxy-setting").contains(document.activeElement))) visited.push(await focusedId(fixed.page));
      }
      check(`proxy set by the organization (${theme}): Tab passes nothing in the Proxy row`, (await focusedId(fixed.page)) === "copy-diagnostics-button" && visited.length === 0 && (await calls(fixed.page, "save_proxy")).length === 0, visited.join(", "));
      await axe(fixed.page, `About, proxy set by the organization (${theme})`);
      if (theme === "dark") await shotOf(fixed.page, "#about-proxy-setting", "dark-23-proxy-enforced");
      await fixed.context.close();
    }
  });

  test("About: the proxy with the keyboard only", { quick: true }, async (open) => {
    const { page } = await open({}, { viewport: { width: 900, height: 600 } });
    await tabTo(page, "#nav-about");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#proxy-input");
    check("proxy keyboard: About opens with focus on its heading", (await focusedId(page)) === "about-title");
    await tabTo(page, "#proxy-input");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check("proxy keyboard: Tab reaches the field, focus visible", outline !== "none", outline);
    await page.keyboard.type("http://proxy.contoso.com:8080");
    await page.keyboard.press("Enter");
    await answered(page, "save_proxy", 1);
    await page.waitForFunction(() => document.querySelector("#proxy-status")?.textContent?.startsWith("Proxy saved"));
    check("proxy keyboard: Enter saves; the proxy in effect is updated; focus stays in the field", JSON.stringify((await calls(page, "save_proxy"))[0][1]) === JSON.stringify({ proxy: "http://proxy.contoso.com:8080" }) && (await text(page, "#about-proxy")) === "http://proxy.contoso.com:8080 (your setting)" && (await focusedId(page)) === "proxy-input");
    await page.keyboard.press("Tab");
    check("proxy keyboard: Save comes next", (await focusedId(page)) === "proxy-save");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("proxy:8080");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#proxy-input")?.getAttribute("aria-invalid") === "true");
    check("proxy keyboard: a refused address keeps focus in the field, nothing saved", (await focusedId(page)) === "proxy-input" && (await calls(page, "save_proxy")).length === 1);
  });

  test("updates: the update-available notice, dismissed with the keyboard", { quick: true }, async (open) => {
    const notes = "Sign-in with a code works behind more proxies.\nThe organization list is faster.";
    for (const theme of ["light", "dark"]) {
      const { page, context } = await open({ signedIn: true, updatePending: true }, { colorScheme: theme, viewport: { width: 900, height: 600 } });
      await page.waitForFunction(() => typeof window.__findUpdate === "function");
      check(`update (${theme}): no notice while the check runs`, (await page.locator("#update-notice").count()) === 0 && (await page.getAttribute("#update-region", "role")) === "status");
      await page.evaluate((n) => window.__findUpdate({ version: "0.2.0", notes: n }), notes);
      await page.waitForSelector("#update-notice");
      const shown = await text(page, "#update-notice");
      check(`update (${theme}): says which version, with the notes and what to do`, shown.includes("ADO Connect 0.2.0 is available") && (await text(page, "#update-notes")).includes("behind more proxies") && (await text(page, "#update-notes")).includes("faster") && shown.includes("your IT desk deploys new versions"), shown.replace(/\n/g, " / "));
      check(`update (${theme}): in the live region, blocking nothing`, (await page.locator("#update-region #update-notice").count()) === 1 && (await page.locator("dialog[open]").count()) === 0 && (await page.locator("#welcome-title").isVisible()));
      await axe(page, `update notice (${theme})`);
      if (theme === "light") await shotOf(page, "#update-notice", "22-update");
      await tabTo(page, "#update-dismiss");
      check(`update (${theme}): the dismiss button says what it dismisses`, (await page.getAttribute("#update-dismiss", "aria-label")) === "Dismiss the notice about ADO Connect 0.2.0");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#update-notice", { state: "detached" });
      check(`update (${theme}): dismissed with Enter; focus goes to the screen's heading`, (await focusedId(page)) === "welcome-title");
      await context.close();
    }
    const { page } = await open({ updatePending: true });
    await page.waitForFunction(() => typeof window.__findUpdate === "function");
    await page.evaluate(() => window.__findUpdate({ version: "0.2.1", notes: null }));
    await page.waitForSelector("#update-notice");
    check("update without notes: the version and what to do, no notes", (await text(page, "#update-notice")).includes("ADO Connect 0.2.1 is available") && (await page.locator("#update-notes").count()) === 0);
    await page.click("#nav-about");
    check("update: stays while moving between screens", await page.isVisible("#update-notice"));
    await page.click("#update-dismiss");
    check("update: dismissed with the mouse", (await page.locator("#update-notice").count()) === 0);
  });

  test("updates: an update found before the page asks is shown once the first screen is up", { quick: true }, async (open) => {
    const { page } = await open({ update: { version: "0.4.0", notes: "Faster start." } });
    await page.waitForSelector("#update-notice");
    check("update found before: shown at start with its notes", (await text(page, "#update-notice")).includes("ADO Connect 0.4.0 is available") && (await text(page, "#update-notes")).includes("Faster start."));
    check("update found before: asked with update_available, once the first screen was up", await page.evaluate(() => {
      const calls = window.__log.filter((x) => x.startsWith(">"));
      return calls.indexOf(">update_available") > calls.indexOf(">resume") && calls.filter((x) => x === ">update_available").length === 1;
    }));
    const none = await open({});
    check("no update: no notice", (await calls(none.page, "update_available")).length === 1 && (await none.page.locator("#update-notice").count()) === 0);
  });

  test("start-up: app_info and session_status together, then resume; the app-ready mark", { quick: true }, async (open) => {
    const resume = { step: "connected", org: "fabrikam-fiber", tenantId: CONTOSO, directoryName: "Contoso Ltd", invitations: [] };
    const { page } = await open({ signedIn: true, resume, delay: { app_info: 250, session_status: 250, resume: 100 } });
    // (update_available goes out once the first screen is up: it is left out here.)
    const log = await page.evaluate(() => window.__log.filter((x) => !x.endsWith("update_available")).slice(0, 6));
    const at = (x) => log.indexOf(x);
    check("start-up: session_status is asked before app_info answers", at(">app_info") === 0 && at(">session_status") === 1 && at(">session_status") < at("<app_info"), log.join(" "));
    check("start-up: resume is asked only once app_info and session_status have answered", at(">resume") > at("<app_info") && at(">resume") > at("<session_status"), log.join(" "));
    const mark = await page.evaluate(() => performance.getEntriesByName("app-ready", "mark").map((m) => m.startTime));
    check("start-up: one app-ready mark, set when the first screen is ready", mark.length === 1 && mark[0] > 0, JSON.stringify(mark));
    check("start-up: the resumed screen opens as before", (await page.inputValue("#after-org")) === "fabrikam-fiber");
    const configError = { code: "config-invalid", message: "The setting identity.authority_host in /etc/ado-connect/config.toml is not a valid URL.", remedy: "Fix the file or ask your IT desk.", details: {} };
    const bad = await open({ configError, fail: { session_status: configError } });
    check("start-up with a settings error: no resume, the error shown, no keychain warning", (await calls(bad.page, "resume")).length === 0 && (await bad.page.locator("#config-error").count()) === 1 && (await bad.page.locator("#keychain-warning").count()) === 0);
    const keychain = await open({ fail: { session_status: { code: "keychain-unavailable", message: "No keychain was found, so your sign-in will not be remembered.", remedy: "", details: {} } } });
    check("start-up: a keychain failure still becomes the warning, and resume is asked", (await text(keychain.page, "#keychain-warning")).includes("will not be remembered") && (await calls(keychain.page, "resume")).length === 1);
    // app_info failing: the page never becomes ready, so it is opened here by hand.
    const context = await browser.newContext({ reducedMotion: "reduce" });
    try {
      const page2 = await context.newPage();
      await page2.addInitScript(() => {
        window.__mockScenario = { fail: { app_info: { code: "internal", message: "The settings could not be read.", remedy: "Reinstall ADO Connect.", details: {} } } };
      });
      await page2.goto(`${BASE}/mock.html`);
      await page2.waitForSelector("main.fatal");
      check("start-up: app_info failing still shows why the app cannot start, and nothing else", (await text(page2, "main.fatal")).includes("The settings could not be read.") && (await page2.locator("#topbar").count()) === 0 && (await calls(page2, "resume")).length === 0);
    } finally {
      await context.close();
    }
  });

  // Each test has its own browser context, so they can run side by side; three lanes keep the
  // run under a minute on two busy cores (most of a test is waiting). UI_TEST_LANES=1 runs
  // them one after the other (for debugging).
  const lanes = Math.max(1, Number(process.env.UI_TEST_LANES ?? 3) || 1);
  const queue = [...queued.filter((t) => !t[2]), ...queued.filter((t) => t[2])];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await runTest(...next);
    }),
  );
}

const queued = [];
/**
 * Registers a test; main() runs them in lanes once all are registered. Tests marked quick (a
 * few seconds) run last, so they fill the lanes while the long ones finish.
 */
function test(name, o, fn) {
  if (typeof o === "function") [o, fn] = [{}, o];
  queued.push([name, fn, !!o.quick]);
}

const timer = setTimeout(() => {
  check("the whole run finishes within 120 s", false);
  void finish();
}, 120000);

let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  if (browser) await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
  if (server) await Promise.race([server.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  removeBuild();
  console.log(`     (total ${((Date.now() - T0) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main()
  .catch((e) => check("setup", false, String(e?.message ?? e)))
  .finally(finish);
