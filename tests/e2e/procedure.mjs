// End-to-end: the real ADO Connect window (Xvfb) driven by WebDriver through the whole
// procedure against ado-sim: Welcome, sign in (approved through the simulator), All services,
// the organization list, Connect, Yes, connected; then the checklist: Git Credential Manager
// cleanup, invite and watch, a personal access token. A second session does the procedure
// with the keyboard alone. Screenshots go to artifacts/screenshots.
// Run by tests/e2e/run.sh, which starts ado-sim, tauri-driver and sets the environment.

import { WebDriver, Keys, sleep, CONNECT_READY } from "./webdriver.mjs";

const SIM = process.env.SIM_URL;
const APP = process.env.APP_BIN;
const SHOTS = process.env.SHOTS ?? "artifacts/screenshots";
const MORGAN = "morgan.lee@outlook.com";
const CONTOSO = "c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d";
const FABRIKAM = "f4b1c2d3-6e7f-4a8b-9c0d-1e2f3a4b5c6d";
const ORG = "fabrikam-fiber";
const ORG2 = "contoso-web"; // the keyboard run connects this one
const ORG3 = "adatum-lab"; // added to the demo world by run.sh; the kill test connects it

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  console.log(`${ok ? "ok" : "FAIL"} - ${name}${detail ? ` :: ${detail}` : ""}`);
  ok ? passed++ : failed++;
  return ok;
}

async function sim(method, path, body) {
  const r = await fetch(SIM + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status}`);
  return r.headers.get("content-type")?.includes("json") ? r.json() : r.text();
}

/** Run the named steps in order; after the first failure the rest are reported as skipped. */
async function steps(list) {
  for (const [name, fn] of list) {
    try {
      const detail = await fn();
      check(name, true, typeof detail === "string" ? detail : "");
    } catch (e) {
      check(name, false, String(e?.message ?? e));
      const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      await current?.screenshot(`${SHOTS}/failed-${slug}.png`).catch(() => {});
      const errors = await current?.execute("return [...document.querySelectorAll('[role=alert], .error-panel')].map(e => e.textContent).join(' | ')").catch(() => "");
      if (errors) console.log(`  page errors: ${errors}`);
      const around = await current
        ?.execute("const a = document.activeElement; const s = a && a.closest('section, .card, .blade'); return (a ? (a.id || a.tagName) : '') + ' :: ' + (s ? s.innerText.slice(-500) : '')")
        .catch(() => "");
      if (around) console.log(`  focus: ${around.replace(/\s+/g, " ")}`);
      const rest = list.slice(list.findIndex(([n]) => n === name) + 1);
      for (const [skipped] of rest) check(`${skipped} (not reached)`, false);
      return false;
    }
  }
  return true;
}

let current;
/** The app is single-instance: a new window only starts once the last one has exited. */
async function previousAppGone(timeout = 30000) {
  const { execSync } = await import("node:child_process");
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      execSync("pgrep -x ado-connect-app", { stdio: "ignore" });
    } catch {
      return; // pgrep found nothing
    }
    await sleep(200);
  }
  throw new Error("the previous app window did not exit");
}

async function session() {
  await previousAppGone();
  current = await WebDriver.start("http://127.0.0.1:4444", {
    browserName: "wry",
    "tauri:options": { application: APP },
  });
  return current;
}

/** Signed out: the top bar's Sign in, then Start when Home shows first, until a code shows. */
async function openSignInFromTopBar(d) {
  await d.clickUntil("#topbar-signin", "#user-code, #start-button");
  if (await d.execute("return !!document.querySelector('#start-button')")) await d.clickUntil("#start-button", "#user-code");
}

async function signInThroughSimulator(d) {
  const code = await d.waitForText("#user-code", (t) => /^[A-Z0-9]{8}$/.test(t.replace(/[\s-]/g, "")), 20000);
  await sim("POST", "/_sim/approve", { userCode: code.replace(/[\s-]/g, ""), user: MORGAN });
  return code;
}

async function mouseProcedure() {
  const d = await session();
  try {
    await steps([
      ["welcome screen lists the steps", async () => {
        const title = await d.waitForText("#welcome-title", (t) => t.length > 0);
        const steps = await d.findAll("#welcome-steps li");
        if (steps.length < 5) throw new Error(`only ${steps.length} steps`);
        await d.screenshot(`${SHOTS}/welcome.png`);
        return `${title}; ${steps.length} steps`;
      }],
      ["sign-in shows a device code; Copy code and open browser keeps it visible", async () => {
        await d.clickUntil("#start-button", "#user-code");
        await d.waitForText("#user-code", (t) => t.replace(/[\s-]/g, "").length === 8, 20000);
        await d.click("#copy-open-button");
        await sleep(500);
        const code = await signInThroughSimulator(d);
        await d.screenshot(`${SHOTS}/e2e-02-sign-in.png`);
        return code;
      }],
      ["approved sign-in completes", async () => {
        await d.clickUntil("#signin-continue", "#filter, #topbar-user");
        return d.waitForText("#topbar-user", (t) => t.includes("Morgan"));
      }],
      ["All services filter finds Team Services", async () => {
        await d.type("#filter", "Team Services");
        const t = await d.waitForText("#service-orgs", (x) => x.includes("Team Services"));
        await d.screenshot(`${SHOTS}/e2e-03-all-services.png`);
        return t;
      }],
      ["organization list shows directories", async () => {
        await d.clickUntil("#service-orgs", `tr[data-org="${ORG}"]`);
        const row = await d.waitForText(`tr[data-org="${ORG}"]`, (t) => t.length > 0);
        await d.screenshot(`${SHOTS}/e2e-04-organizations.png`);
        return row.replace(/\s+/g, " ");
      }],
      ["organization blade with Connect", async () => {
        await d.clickUntil(`#org-${ORG}`, "#connect-button");
        await d.waitForText("#org-users", (t) => /\d/.test(t));
        await d.screenshot(`${SHOTS}/e2e-05-organization.png`);
        await d.clickUntil("#connect-button", "#directory-list");
      }],
      ["directory chosen and pre-flight checks shown", async () => {
        await d.clickUntil(`#dir-${CONTOSO}`, "#preflight-list li[data-status]");
        const checks = await d.findAll("#preflight-list li[data-status]");
        await d.screenshot(`${SHOTS}/e2e-06-preflight.png`);
        return `${checks.length} checks`;
      }],
      ["confirmation defaults to No", async () => {
        await d.clickUntil("#connect-submit", "#confirm-dialog");
        const focused = await d.focusedId();
        await d.screenshot(`${SHOTS}/e2e-07-confirm.png`);
        if (focused !== "confirm-no") throw new Error(`focus on ${focused}`);
      }],
      ["Yes connects and the notification says so", async () => {
        await d.click("#confirm-yes");
        await d.waitFor("#connect-done", 30000);
        const note = await d.waitForText("#notification", (t) => t.toLowerCase().includes("connected"));
        await d.screenshot(`${SHOTS}/e2e-08-connected.png`);
        const state = await sim("GET", "/_sim/state");
        const org = state.organizations.find((o) => o.name === ORG);
        if (org.tenantId !== CONTOSO) throw new Error(`simulator shows tenant ${org.tenantId}`);
        const requests = await sim("GET", "/_sim/requests");
        if (requests.organization !== 1) throw new Error(`${requests.organization} connect requests`);
        return note;
      }],
      ["Git Credential Manager caches previewed and cleaned", async () => {
        await d.clickUntil("#after-connect-button", "#checklist");
        // The checklist renders, then fills in members: let it settle before clicking inside it.
        await d.waitFor("#members-list", 20000);
        await sleep(500);
        await d.click("#gcm-preview-button");
        const shown = await d.waitFor("#gcm-plan, #gcm-error", 20000).catch(async (e) => {
          const around = await d.execute("const b = document.querySelector('#gcm-preview-button'); return b ? b.closest('section, .gcm-panel').innerText.slice(-600) : 'no button'");
          throw new Error(`${e.message}; panel: ${around}`);
        });
        const plan = await d.text(shown);
        if (!plan.includes(ORG)) throw new Error(`preview: ${plan.slice(0, 300)}`);
        await d.click("#gcm-apply-button");
        const result = await d.waitForText("#gcm-result", (t) => t.length > 0);
        await d.screenshot(`${SHOTS}/e2e-09-gcm.png`);
        return `${plan.split("\n").length} plan lines; ${result.split("\n")[0]}`;
      }],
      ["invited user is watched until first sign-in", async () => {
        await d.type("#invite-email", "ana@contoso.com");
        await d.click("#invite-submit");
        await d.waitFor('#invitation-list li[data-email="ana@contoso.com"]');
        await sim("POST", "/_sim/first-sign-in", { org: ORG, email: "ana@contoso.com" });
        const check = await d.findAll('#invitation-list [data-testid="invitation-check"]');
        if (check.length) await d.cmd("POST", `/element/${check[0]}/click`, {});
        await d.waitFor('#invitation-list [data-testid="invitation-state"][data-state="signed-in"]', 30000);
        await d.screenshot(`${SHOTS}/e2e-10-invited.png`);
      }],
      ["personal access token shown once", async () => {
        await d.type("#pat-name", "build agent");
        await d.click("#pat-submit");
        const token = await d.waitForScript(
          "const e = document.querySelector('#pat-error'); if (e && e.textContent.trim()) return 'ERROR ' + e.textContent; return document.querySelector('#pat-token')?.value",
          20000,
        );
        if (token.startsWith("ERROR ")) throw new Error(token);
        await d.screenshot(`${SHOTS}/e2e-11-token.png`);
        const fs = await import("node:fs/promises");
        await fs.writeFile("artifacts/e2e/pat.secret", token.trim());
      }],
      ["a refused connect says why and offers the Entra settings page", async () => {
        // Morgan is only a guest of Fabrikam: Azure DevOps refuses, and nothing changes.
        await d.click("#nav-services");
        await d.type("#filter", "Team Services");
        await d.click("#service-orgs");
        await d.click(`#org-${ORG2}`);
        await d.waitForText("#org-users", (t) => /\d/.test(t));
        await d.click("#connect-button");
        await d.clickUntil(`#dir-${FABRIKAM}`, "#preflight-list li[data-status]");
        // Let the checks for this directory finish before Connect.
        await d.waitForScript(
          CONNECT_READY,
          30000,
        );
        await sleep(700);
        await d.click("#connect-submit");
        await d.click("#confirm-yes");
        const why = await d.waitForText("#connect-error", (t) => t.length > 0, 30000);
        await d.waitFor("#open-entra-settings");
        await d.screenshot(`${SHOTS}/e2e-13-refused.png`);
        const state = await sim("GET", "/_sim/state");
        const org = state.organizations.find((o) => o.name === ORG2);
        if (org.tenantId) throw new Error(`${ORG2} changed to ${org.tenantId}`);
        if (!/member/i.test(why)) throw new Error(`no reason given: ${why}`);
        return why.replace(/\s+/g, " ").slice(0, 120);
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

async function keyboardProcedure() {
  // A fresh window: the app resumes where the last one stopped, so restart the procedure.
  const d = await session();
  const tabTo = async (id, max = 60) => {
    for (let i = 0; i < max; i++) {
      if ((await d.focusedId()) === id) return;
      await d.keys(Keys.Tab);
    }
    throw new Error(`Tab never reached #${id}; focus is on ${await d.focusedId()}`);
  };
  try {
    await steps([
      ["keyboard: app opens with focus inside the window", async () => {
        await d.waitFor("#main");
        return String(await d.focusedId());
      }],
      ["keyboard: All services and the filter", async () => {
        await tabTo("nav-services");
        await d.keys(Keys.Enter);
        await tabTo("filter");
        await d.keys("DevOps");
        await d.keys(Keys.Enter);
        await d.waitFor(`#org-${ORG2}`);
      }],
      ["keyboard: open the organization and Connect", async () => {
        await tabTo(`org-${ORG2}`);
        await d.keys(Keys.Enter);
        await tabTo("connect-button");
        await d.keys(Keys.Enter);
        await d.waitFor("#directory-list");
      }],
      ["keyboard: confirmation opens on No and Esc closes it", async () => {
        await tabTo(`dir-${CONTOSO}`);
        await d.keys(Keys.Space);
        await d.waitFor("#preflight-list li[data-status]");
        await tabTo("connect-submit");
        await d.keys(Keys.Enter);
        await d.waitFor("#confirm-dialog");
        if ((await d.focusedId()) !== "confirm-no") throw new Error(`focus on ${await d.focusedId()}`);
        await d.keys(Keys.Escape);
        await sleep(300);
        const back = await d.focusedId();
        if (back !== "connect-submit") throw new Error(`focus returned to ${back}`);
      }],
      ["keyboard: Yes with the keyboard connects", async () => {
        await d.keys(Keys.Enter);
        await d.waitFor("#confirm-dialog");
        await tabTo("confirm-yes", 4);
        await d.keys(Keys.Enter);
        await d.waitFor("#connect-done", 30000);
        await d.screenshot(`${SHOTS}/e2e-keyboard-connected.png`);
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

/** Sign out, start again, and decline on the sign-in page: the app says so and offers a new code. */
async function declinePath() {
  const d = await session();
  try {
    await steps([
      ["decline: signing out returns to a signed-out app", async () => {
        await d.waitFor("#main");
        await d.click("#topbar-signout");
        await d.waitFor("#topbar-signin", 20000);
      }],
      ["decline: a declined sign-in is explained and a new code offered", async () => {
        await openSignInFromTopBar(d);
        const code = await d.waitForText("#user-code", (t) => t.replace(/[\s-]/g, "").length === 8, 20000);
        await sim("POST", "/_sim/decline", { userCode: code.replace(/[\s-]/g, "") });
        await d.waitFor("#new-code-button", 20000);
        const status = await d.text(await d.find("#signin-status"));
        await d.screenshot(`${SHOTS}/e2e-12-declined.png`);
        return status;
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

/** A second launch must hand over to the first window and exit (single instance). */
async function secondLaunchFocusesTheFirst() {
  const d = await session();
  try {
    await steps([
      ["a second launch exits and leaves one window", async () => {
        await d.waitFor("#main");
        const { spawn } = await import("node:child_process");
        const started = Date.now();
        const code = await new Promise((resolve, reject) => {
          const p = spawn(APP, [], { stdio: "ignore" });
          const timer = setTimeout(() => { p.kill(); reject(new Error("second instance still running after 15 s")); }, 15000);
          p.on("exit", (c) => { clearTimeout(timer); resolve(c); });
        });
        await d.waitFor("#main"); // the first window still answers
        return `exit ${code} after ${Date.now() - started} ms`;
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

/**
 * The app is killed (SIGKILL) between the connect request and its answer: the simulator
 * applies the change and holds the response. Started again, the app reads the organization
 * back and says it is connected; the connect request was sent once and never again.
 */
async function killDuringConnect() {
  const { execSync } = await import("node:child_process");
  let d = await session();
  let before;
  try {
    await steps([
      ["kill: signed in again and the organization's Connect blade open", async () => {
        await d.waitFor("#main");
        if (!(await d.execute("return !!document.querySelector('#topbar-user')"))) {
          await openSignInFromTopBar(d);
          await signInThroughSimulator(d);
          await d.clickUntil("#signin-continue", "#filter, #topbar-user");
          await d.waitForText("#topbar-user", (t) => t.includes("Morgan"), 20000);
        }
        await d.clickUntil("#nav-services", "#filter");
        await d.type("#filter", "Team Services");
        await d.clickUntil("#service-orgs", `#org-${ORG3}`);
        await d.clickUntil(`#org-${ORG3}`, "#connect-button");
        await d.waitForText("#org-users", (t) => /\d/.test(t));
        await d.clickUntil("#connect-button", "#directory-list");
        await d.clickUntil(`#dir-${CONTOSO}`, "#preflight-list li[data-status]");
        await d.waitForScript(
          CONNECT_READY,
          30000,
        );
        await sleep(700);
      }],
      ["kill: the app is killed while the simulator holds the connect answer", async () => {
        before = (await sim("GET", "/_sim/requests")).organization ?? 0;
        await sim("POST", "/_sim/hold", { endpoint: "organization", ms: 120000 });
        await d.clickUntil("#connect-submit", "#confirm-dialog");
        await d.click("#confirm-yes");
        // The change is applied at once; only its answer waits.
        const end = Date.now() + 20000;
        let tenant;
        while (Date.now() < end) {
          tenant = (await sim("GET", "/_sim/state")).organizations.find((o) => o.name === ORG3).tenantId;
          if (tenant) break;
          await sleep(100);
        }
        if (tenant !== CONTOSO) throw new Error(`the simulator shows tenant ${tenant}`);
        // Connect asked for again while the first is out (a double click reaching Rust):
        // it waits for the first; nothing more is sent.
        await d.execute(`window.__TAURI_INTERNALS__.invoke("connect_organization", { org: "${ORG3}", tenantId: "${CONTOSO}" }).catch(() => {}); return true;`);
        // And Connect to another directory meanwhile is refused at once, by Rust.
        await d.execute(`window.__other = null; window.__TAURI_INTERNALS__.invoke("connect_organization", { org: "${ORG3}", tenantId: "${FABRIKAM}" })
          .then(() => { window.__other = "sent"; }, (e) => { window.__other = (e && e.code) || String(e); }); return true;`);
        const other = await d.waitForScript("return window.__other", 10000);
        if (other !== "connect-failed") throw new Error(`a connect to another directory meanwhile gave ${other}`);
        await sleep(1000);
        const during = (await sim("GET", "/_sim/requests")).organization - before;
        if (during !== 1) throw new Error(`${during} Organizations/Me requests while the first was out`);
        await d.screenshot(`${SHOTS}/e2e-14-killed-while-connecting.png`);
        execSync("pkill -KILL -x ado-connect-app");
        await sim("POST", "/_sim/hold", { endpoint: "organization", ms: 0 });
        return `a second Connect sent nothing; killed with ${ORG3} connected on the service, its answer not sent`;
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
  d = await session();
  try {
    await steps([
      ["kill: started again, the app reads back and shows the organization connected", async () => {
        const notice = await d.waitFor('#resume-notice[data-step="connected"]', 30000);
        const text = await d.text(notice);
        if (!text.includes(ORG3)) throw new Error(`notice: ${text}`);
        const shown = await d.execute("return document.querySelector('#after-org')?.value");
        if (shown !== ORG3) throw new Error(`the checklist is for ${shown}`);
        if (await d.execute("return !!document.querySelector('#after-not-connected')")) throw new Error("the checklist says not connected");
        await d.screenshot(`${SHOTS}/e2e-15-restarted-after-kill.png`);
        return text.replace(/\s+/g, " ").slice(0, 140);
      }],
      ["kill: the connect request was sent once", async () => {
        const after = (await sim("GET", "/_sim/requests")).organization ?? 0;
        if (after - before !== 1) throw new Error(`${after - before} Organizations/Me requests since Connect`);
        const state = await sim("GET", "/_sim/state");
        const org = state.organizations.find((o) => o.name === ORG3);
        if (org.tenantId !== CONTOSO) throw new Error(`now ${org.tenantId}`);
        return "1 request";
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

/**
 * Settings: a proxy saved in the real window is written to the user's file and used at once
 * (a proxy where nothing listens makes the next request fail); cleared, requests work again.
 * The sign-in survives both.
 */
async function proxySetting() {
  const fs = await import("node:fs/promises");
  const file = `${process.env.XDG_CONFIG_HOME}/com.adoconnect.app/config.toml`;
  const d = await session();
  const listOrgs = async () => {
    await d.execute(`window.__orgs = null; window.__TAURI_INTERNALS__.invoke("list_organizations", { refresh: true })
      .then((o) => { window.__orgs = "ok " + o.length; }, (e) => { window.__orgs = (e && e.code) || String(e); }); return true;`);
    return d.waitForScript("return window.__orgs", 60000);
  };
  try {
    await steps([
      ["proxy: saved from Settings, written to the user's file, shown in effect", async () => {
        await d.waitFor("#main");
        await d.clickUntil("#nav-about", "#proxy-input");
        await d.type("#proxy-input", "http://127.0.0.1:9");
        await d.click("#proxy-save");
        await d.waitForText("#proxy-status", (t) => t.includes("127.0.0.1:9"), 20000);
        const shown = await d.text(await d.find("#about-proxy"));
        if (!shown.includes("(your setting)")) throw new Error(`in effect: ${shown}`);
        const text = await fs.readFile(file, "utf8");
        if (!text.includes('proxy = "http://127.0.0.1:9"')) throw new Error(`file: ${text}`);
        await d.screenshot(`${SHOTS}/e2e-16-proxy-saved.png`);
        return shown;
      }],
      ["proxy: used at once (nothing listens there, so the next request fails), still signed in", async () => {
        const got = await listOrgs();
        if (got.startsWith("ok")) throw new Error(`the request went around the proxy: ${got}`);
        const user = await d.text(await d.find("#topbar-user"));
        if (!user.includes("Morgan")) throw new Error(`signed out: ${user}`);
        return got;
      }],
      ["proxy: cleared, requests work again", async () => {
        await d.type("#proxy-input", "");
        await d.click("#proxy-save");
        await d.waitForText("#about-proxy", (t) => !t.includes("127.0.0.1:9"), 20000);
        const got = await listOrgs();
        if (!got.startsWith("ok")) throw new Error(got);
        const text = await fs.readFile(file, "utf8");
        if (text.includes("proxy =")) throw new Error(`file: ${text}`);
        return got;
      }],
    ]);
  } finally {
    await d.quit().catch(() => {});
  }
}

/** Every token the simulator issued is grepped for in what the app wrote (run.sh). */
async function saveIssuedSecrets() {
  const secrets = await sim("GET", "/_sim/secrets");
  const all = [...secrets.access, ...secrets.refresh, ...secrets.pats].filter((t) => t && t.length >= 16);
  const fs = await import("node:fs/promises");
  await fs.writeFile("artifacts/e2e/issued.secrets", all.join("\n") + "\n");
  check("the simulator's issued tokens are saved for the leak grep", all.length >= 3, `${secrets.access.length} access, ${secrets.refresh.length} refresh, ${secrets.pats.length} PAT`);
}

await mouseProcedure();
await keyboardProcedure();
await declinePath();
await secondLaunchFocusesTheFirst();
await killDuringConnect();
await proxySetting();
await saveIssuedSecrets();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
