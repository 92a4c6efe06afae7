// About and settings: version, the mode (demo or Microsoft), the settings files in effect, the
// proxy, "Open logs folder" (the `open_logs_folder` command: Rust opens it; the page has no
// opener of its own), the diagnostic summary for the IT desk, and Sign out.
// The diagnostic summary (`diagnostics_summary`) is read when the screen opens and shown in a
// read-only box, so the user sees what is sent before copying it; the button copies what the
// box shows. Copying right in the click, with no call to wait for first, is what lets WebKit
// allow it.
//
// Element ids: #about (blade), #about-title, #about-version, #about-mode, #about-config,
// #about-proxy, #about-logdir, #open-logs-button, #open-logs-status, #about-diagnostics,
// #diagnostics-summary (the text area), #copy-diagnostics-button, #diagnostics-status,
// #diagnostics-error, #about-account, #about-signout, #about-error.

import { diagnosticsSummary, openLogsFolder } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { copyText } from "../components/clipboard";
import { h } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { doSignOut } from "../shell";
import { state } from "../state";
import { S } from "../strings";

export function aboutScreen(): Blade {
  const blade = new Blade({ id: "about", title: S.about.title });
  const app = state.app;
  const errorSlot = h("div", { id: "about-error" });
  const user = state.session.signedIn ? state.session.user : undefined;
  const sources = app?.configSources ?? [];
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
      h(
        "dd",
        { id: "about-config" },
        sources.length ? h("ul", { class: "paths" }, ...sources.map((s) => h("li", {}, h("code", { text: s })))) : S.about.noConfig,
      ),
      h("dt", { text: S.about.proxy }),
      h("dd", { id: "about-proxy" }, h("code", { text: app?.proxy ?? "" }), h("p", { class: "hint", text: S.about.proxyText })),
      h("dt", { text: S.about.enforced }),
      h(
        "dd",
        { id: "about-enforced" },
        app?.enforced?.length
          ? h("ul", { class: "paths" }, ...app.enforced.map((k) => h("li", {}, h("code", { text: k }))))
          : S.about.noEnforced,
      ),
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
