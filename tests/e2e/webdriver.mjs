// A small W3C WebDriver client over fetch: just what the end-to-end tests use, with no
// dependencies (tauri-driver speaks classic WebDriver and forwards to WebKitWebDriver).

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const Keys = { Tab: "\uE004", Enter: "\uE007", Space: "\uE00D", Escape: "\uE00C", Shift: "\uE008" };

export class WebDriver {
  constructor(base, sessionId) {
    this.base = base;
    this.sessionId = sessionId;
  }

  static async start(base, capabilities) {
    const value = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new WebDriver(base, value.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.sessionId}${path}`, body);
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }

  /** Wait until `css` matches a displayed element, then return it. */
  async waitFor(css, timeout = 15000) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const el = await this.find(css);
        if (await this.cmd("GET", `/element/${el}/displayed`)) return el;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${css}${last ? ` (${last.message})` : ""}`);
  }

  /** Wait until the text of `css` satisfies `ok`, then return it. */
  async waitForText(css, ok, timeout = 15000) {
    const end = Date.now() + timeout;
    let text = "";
    while (Date.now() < end) {
      try {
        text = await this.text(await this.find(css));
        if (ok(text)) return text;
      } catch {
        // not there yet
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for the text of ${css}; last: ${JSON.stringify(text)}`);
  }

  /** Wait until `script` (a function body) returns a truthy value, then return it. */
  async waitForScript(script, timeout = 15000) {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      const v = await this.execute(script).catch(() => null);
      if (v) return v;
      await sleep(100);
    }
    throw new Error(`timed out waiting for: ${script}`);
  }

  async click(css) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/click`, {});
  }

  /**
   * Click `css` until `expect` appears: a screen that re-renders right after it is shown can
   * swallow the first click (the element clicked was replaced).
   */
  async clickUntil(css, expect, tries = 4) {
    for (let i = 0; i < tries; i++) {
      await this.click(css).catch(() => {});
      try {
        return await this.waitFor(expect, 5000);
      } catch {
        // try again
      }
    }
    throw new Error(`clicking ${css} never showed ${expect}`);
  }

  async type(css, text) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/clear`, {});
    if (text !== "") await this.cmd("POST", `/element/${el}/value`, { text });
  }

  text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  async active() {
    return (await this.cmd("GET", "/element/active"))[ELEMENT];
  }

  /** Keys to whatever has focus, as a person at the keyboard. */
  async keys(text) {
    const el = await this.active();
    await this.cmd("POST", `/element/${el}/value`, { text });
  }

  /** The id (or tag) of the focused element. */
  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  async focusedId() {
    return this.execute("const a = document.activeElement; return a ? (a.id || a.getAttribute('data-org') || a.tagName) : null;");
  }

  async screenshot(path) {
    const { writeFile } = await import("node:fs/promises");
    const png = await this.cmd("GET", "/screenshot");
    await writeFile(path, Buffer.from(png, "base64"));
  }

  quit() {
    return this.cmd("DELETE", "");
  }
}

async function request(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(method === "POST" && path === "/session" ? 90000 : 60000),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok || (json.value && json.value.error)) {
    const v = json.value ?? {};
    throw new Error(`${method} ${path}: ${v.error ?? r.status} ${v.message ?? ""}`.trim());
  }
  return json.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True in the page once the Connect blade's pre-flight is over and Connect can be pressed. */
export const CONNECT_READY =
  "const b = document.querySelector('#connect-submit'); return b && !b.disabled && b.getAttribute('aria-disabled') !== 'true' && document.querySelectorAll('#preflight-list li[data-status]').length >= 5";
