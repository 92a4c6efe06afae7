// About and settings: version, the mode (demo or Microsoft), the settings files in effect, the
// proxy, "Open logs folder" (the `open_logs_folder` command: Rust opens it; the page has no
// opener of its own), the diagnostic summary for the IT desk, and Sign out.
// The diagnostic summary (`diagnostics_summary`) is read when the screen opens and shown in a
// read-only box, so the user sees what is sent before copying it; the button copies what the
// box shows. Copying right in the click, with no call to wait for first, is what lets WebKit
// allow it.
//
// The proxy row shows the proxy in effect and lets the user save their own (`save_proxy`, which
// writes their settings file and takes effect at once), unless the organization's machine
// policy fixes it (`enforced` contains "network.proxy"): then there is no field, only a note.
// The address is checked here first, as core checks it, so a typo or a password is caught
// before anything is written; the message never repeats what was typed, which may hold a
// password. Saving updates `state.app` from the answer and this screen in place: the field and
// the status line stay the same elements, so focus stays put and the status is announced.
//
// Element ids: #about (blade), #about-title, #about-version, #about-mode, #about-config,
// #about-proxy-setting (the Proxy row), #about-proxy (the proxy in effect, as app_info words
// it), #proxy-enforced (the note when the organization fixes it), #proxy-form, #proxy-input,
// #proxy-hint, #proxy-error (the check before saving), #proxy-save, #proxy-status,
// #proxy-save-error (an error from save_proxy), #about-enforced, #about-logdir,
// #open-logs-button, #open-logs-status, #about-diagnostics, #diagnostics-summary (the text
// area), #copy-diagnostics-button, #diagnostics-status, #diagnostics-error, #about-account,
// #about-signout, #about-error.

import { diagnosticsSummary, openLogsFolder, saveProxy, type AppInfo } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { copyText } from "../components/clipboard";
import { h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { doSignOut } from "../shell";
import { state } from "../state";
import { S } from "../strings";

const PROXY_SCHEMES = ["http:", "https:", "socks5:", "socks5h:"];

export type ProxyProblem = keyof typeof S.about.proxyInvalid;

/**
 * What is wrong with a proxy address, checked as core's `validate_proxy_url` checks it (an
 * http, https, socks5 or socks5h URL with a host and at most a port; no user name or password,
 * no path, query or fragment); undefined when it can be saved. Empty is fine: no proxy of
 * one's own.
 */
export function proxyProblem(value: string): ProxyProblem | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (/[\s\x00-\x1f\x7f]/.test(v)) return "spaces";
  // Without "://", "proxy.contoso.com:8080" parses as a URL whose scheme is "proxy.contoso.com".
  if (!v.includes("://")) return "noScheme";
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "notUrl";
  }
  if (url.username || url.password) return "credentials";
  if (!PROXY_SCHEMES.includes(url.protocol)) return "scheme";
  if (!url.hostname) return "noHost";
  // An empty "?" or "#" leaves search and hash empty, but core refuses them too.
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /[?#]/.test(v)) return "path";
  return undefined;
}

export function aboutScreen(): Blade {
  const blade = new Blade({ id: "about", title: S.about.title });
  const app = state.app;
  const errorSlot = h("div", { id: "about-error" });
  const user = state.session.signedIn ? state.session.user : undefined;
  const configDd = h("dd", { id: "about-config" });
  const enforcedDd = h("dd", { id: "about-enforced" });
  const proxy = proxySetting(() => blade.closed, (info) => {
    renderConfig(configDd, info);
    renderEnforced(enforcedDd, info);
  });
  renderConfig(configDd, app);
  renderEnforced(enforcedDd, app);
  const opened = h("p", { id: "open-logs-status", class: "copy-status", attrs: { role: "status" } });
  const openLogs = button(S.about.openLogs, {
    id: "open-logs-button",
    onClick: () =>
      void whileBusy(openLogs, async () => {
        errorSlot.replaceChildren();
        opened.textContent = "";
        try {
          await openLogsFolder();
          opened.textContent = S.about.logsOpened;
        } catch (e) {
          errorSlot.append(errorPanel(e));
        }
      }),
  });

  const summary = h("textarea", {
    id: "diagnostics-summary",
    class: "text-input diagnostics-text",
    attrs: { readonly: true, rows: 8, spellcheck: "false", autocomplete: "off", "aria-describedby": "diagnostics-hint" },
  });
  const summaryField = h(
    "div",
    { class: "diagnostics-field" },
    h("label", { text: S.about.diagnosticsLabel, attrs: { for: "diagnostics-summary" } }),
    summary,
  );
  summaryField.hidden = true;
  const diagStatus = h("p", { id: "diagnostics-status", class: "copy-status", attrs: { role: "status" } });
  const diagError = h("div", { id: "diagnostics-error" });
  let loaded: Promise<boolean> | undefined;
  /** Reads the summary into the box; false (with the error shown) when the command failed. */
  const loadSummary = (): Promise<boolean> =>
    (loaded ??= diagnosticsSummary().then(
      (text) => {
        summary.value = text;
        summaryField.hidden = !text;
        diagStatus.textContent = text ? "" : S.about.diagnosticsEmpty;
        diagError.replaceChildren();
        return !!text;
      },
      (e) => {
        loaded = undefined;
        diagStatus.textContent = "";
        diagError.replaceChildren(errorPanel(e, { title: S.about.diagnosticsFailed }));
        return false;
      },
    ));
  const copyDiagnostics = button(S.about.copyDiagnostics, {
    id: "copy-diagnostics-button",
    onClick: () =>
      void whileBusy(copyDiagnostics, async () => {
        // Normally the box is already filled; after a failure, the click asks again.
        if (summaryField.hidden && !(await loadSummary())) return;
        const ok = await copyText(summary.value);
        diagStatus.textContent = ok ? S.about.diagnosticsCopied : S.common.copyFailed;
      }),
  });
  diagStatus.textContent = S.about.diagnosticsLoading;
  void loadSummary();

  blade.body.append(
    h(
      "dl",
      { class: "details" },
      h("dt", { text: S.about.version }),
      h("dd", { id: "about-version", text: app?.version ?? "" }),
      h("dt", { text: S.about.mode }),
      h("dd", { id: "about-mode", text: app?.demo ? S.about.demo : S.about.live }),
      h("dt", { text: S.about.config }),
      configDd,
      h("dt", { text: S.about.proxy }),
      proxy,
      h("dt", { text: S.about.enforced }),
      enforcedDd,
      h("dt", { text: S.about.logs }),
      h(
        "dd",
        {},
        h("code", { id: "about-logdir", text: app?.logDir ?? "" }),
        h("div", { class: "button-row" }, openLogs),
        opened,
      ),
      h("dt", { text: S.about.diagnostics }),
      h(
        "dd",
        { id: "about-diagnostics" },
        h("p", { id: "diagnostics-hint", class: "hint", text: S.about.diagnosticsText }),
        summaryField,
        h("div", { class: "button-row" }, copyDiagnostics),
        diagStatus,
        diagError,
      ),
      h("dt", { text: S.about.account }),
      h(
        "dd",
        { id: "about-account" },
        user ? S.topbar.signedInAs(user.displayName, user.email) : S.about.notSignedIn,
        user ? h("div", { class: "button-row" }, button(S.topbar.signOut, { id: "about-signout", onClick: () => void doSignOut() })) : null,
      ),
    ),
    errorSlot,
  );
  return blade;
}

function renderConfig(dd: HTMLElement, app: AppInfo | undefined): void {
  const sources = app?.configSources ?? [];
  replace(dd, sources.length ? h("ul", { class: "paths" }, ...sources.map((s) => h("li", {}, h("code", { text: s })))) : S.about.noConfig);
}

function renderEnforced(dd: HTMLElement, app: AppInfo | undefined): void {
  const keys = app?.enforced ?? [];
  replace(dd, keys.length ? h("ul", { class: "paths" }, ...keys.map((k) => h("li", {}, h("code", { text: k })))) : S.about.noEnforced);
}

const proxyEnforced = (app: AppInfo | undefined) => !!app?.enforced?.includes("network.proxy");

/**
 * The Proxy row: the proxy in effect, and the user's own proxy with Save, or a note when the
 * organization fixes it. `onSaved` gets the app info `save_proxy` answered (already in
 * `state.app`), for the rows that depend on it too: a first save creates the settings file.
 */
function proxySetting(closed: () => boolean, onSaved: (info: AppInfo) => void): HTMLElement {
  const inEffect = h("code", { id: "about-proxy" });
  const enforcedNote = h("p", { id: "proxy-enforced", class: "note", text: S.about.proxyEnforced });
  const input = h("input", {
    id: "proxy-input",
    class: "text-input",
    attrs: {
      type: "text",
      inputmode: "url",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      placeholder: S.about.proxyPlaceholder,
      "aria-describedby": "proxy-hint proxy-error",
    },
  });
  const error = h("p", { id: "proxy-error", class: "field-error" });
  const save = h("button", { id: "proxy-save", class: "btn btn-secondary", text: S.about.proxySave, attrs: { type: "submit" } });
  const form = h(
    "form",
    { id: "proxy-form", class: "form", attrs: { novalidate: true } },
    h(
      "div",
      { class: "field" },
      h("label", { text: S.about.proxyLabel, attrs: { for: "proxy-input" } }),
      h("p", { id: "proxy-hint", class: "hint", text: S.about.proxyHint }),
      h("div", { class: "inline-field" }, input, save),
      error,
    ),
  );
  // Made once and kept, so what is put in them later is announced.
  const status = h("p", { id: "proxy-status", class: "copy-status", attrs: { role: "status" } });
  const saveError = h("div", { id: "proxy-save-error" });

  const show = (app: AppInfo | undefined) => {
    inEffect.textContent = app?.proxy ?? "";
    const fixed = proxyEnforced(app);
    enforcedNote.hidden = !fixed;
    form.hidden = fixed;
    input.value = fixed ? "" : (app?.userProxy ?? "");
  };
  show(state.app);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void whileBusy(save, async () => {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      saveError.replaceChildren();
      status.textContent = "";
      const value = input.value.trim();
      const problem = proxyProblem(value);
      if (problem) {
        error.textContent = S.about.proxyInvalid[problem];
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      status.textContent = S.about.proxySaving;
      try {
        const info = await saveProxy(value);
        state.app = info;
        if (closed()) return;
        show(info);
        onSaved(info);
        status.textContent = value ? S.about.proxySaved(info.proxy ?? "") : S.about.proxyRemoved(info.proxy ?? "");
      } catch (err) {
        if (closed()) return;
        status.textContent = "";
        saveError.replaceChildren(errorPanel(err, { title: S.about.proxySaveFailed }));
      }
    });
  });

  return h(
    "dd",
    { id: "about-proxy-setting" },
    h("p", { class: "proxy-in-effect" }, `${S.about.proxyInEffect} `, inEffect),
    h("p", { class: "hint", text: S.about.proxyText }),
    enforcedNote,
    form,
    status,
    saveError,
  );
}
