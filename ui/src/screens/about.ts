// About and settings: version, the mode (demo or Microsoft), the settings files in effect, the
// proxy, "Open logs folder" (the `open_logs_folder` command: Rust opens it; the page has no
// opener of its own), and Sign out.
//
// Element ids: #about (blade), #about-title, #about-version, #about-mode, #about-config,
// #about-proxy, #about-logdir, #open-logs-button, #open-logs-status, #about-account,
// #about-signout, #about-error.

import { openLogsFolder } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
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
