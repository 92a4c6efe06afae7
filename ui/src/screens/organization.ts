// The organization blade: owner, current directory, billing (with a link), user count, and
// the command bar with Connect (Change directory when it already has one).
//
// Element ids: #org (blade), #org-title, #connect-button, #org-refresh, #org-gcm-button,
// #org-open-browser, #org-details, #org-owner, #org-role, #org-directory, #org-billing,
// #org-billing-link, #org-users, #org-url, #org-not-owner, #org-verified, #org-loading,
// #org-error.

import { listDirectories, organizationDetails, UserError, type OrganizationDetails } from "../api";
import { Blade } from "../components/blade";
import { button, externalLink, setButtonText, whileBusy } from "../components/button";
import { h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress } from "../components/progress";
import { statusIcon } from "../components/status";
import { handleAuthError, navigate, pushBlade, refreshCrumbs } from "../shell";
import { directoryLabel, state } from "../state";
import { S } from "../strings";
import { connectScreen } from "./connect";

export function organizationScreen(name: string): Blade {
  const blade = new Blade({ id: "org", title: name, subtitle: S.org.subtitle });
  const connect = button(S.org.connect, { id: "connect-button", kind: "command", icon: "⇄" });
  const refresh = button(S.org.refresh, { id: "org-refresh", kind: "command", icon: "⟳" });
  const gcm = button(S.org.cleanGit, {
    id: "org-gcm-button",
    kind: "command",
    icon: "⌫",
    onClick: () => navigate("after", { org: name }),
  });
  const openInBrowser = externalLink(S.org.openInBrowser, `https://dev.azure.com/${encodeURIComponent(name)}`, {
    id: "org-open-browser",
  });
  openInBrowser.classList.add("btn", "btn-command");
  blade.addCommands(connect, refresh, gcm, openInBrowser);
  connect.disabled = true;

  const content = h("div", { class: "org-content" });
  const verified = h("div", { class: "verified-slot" });
  blade.body.append(verified, content);
  let details: OrganizationDetails | undefined;

  async function load(force: boolean): Promise<void> {
    connect.disabled = true;
    replace(content, progress(S.org.loading, { id: "org-loading" }));
    try {
      if (!state.directories || force) {
        state.directories = await listDirectories().catch(() => state.directories);
      }
      details = await organizationDetails(name);
    } catch (e) {
      if (blade.closed || handleAuthError(e)) return;
      replace(
        content,
        errorPanel(UserError.from(e), {
          id: "org-error",
          actions: [button(S.common.retry, { kind: "primary", onClick: () => void load(true) })],
        }),
      );
      return;
    }
    if (blade.closed) return;
    render(details);
  }

  function render(d: OrganizationDetails): void {
    setButtonText(connect, d.directory.kind === "directory" ? S.org.changeDirectory : S.org.connect);
    connect.disabled = false;
    const billing = h(
      "dd",
      { id: "org-billing" },
      h("span", { text: d.billing.linked ? S.org.billingLinked(d.billing.subscriptionId) : S.org.billingNotLinked }),
      " ",
      d.billing.link ? externalLink(S.org.billingLink, d.billing.link, { id: "org-billing-link" }) : null,
    );
    replace(
      content,
      h("h3", { class: "section-title", text: S.org.overview }),
      h(
        "dl",
        { id: "org-details", class: "details" },
        h("dt", { text: S.org.owner }),
        h("dd", { id: "org-owner", text: d.owner }),
        h("dt", { text: S.org.yourRole }),
        h("dd", { id: "org-role", text: d.owned ? S.orgs.owner : S.orgs.member }),
        h("dt", { text: S.org.directory }),
        h("dd", { id: "org-directory", text: directoryLabel(d) }),
        h("dt", { text: S.org.billing }),
        billing,
        h("dt", { text: S.org.users }),
        h("dd", { id: "org-users", text: d.userCount.toLocaleString("en") }),
        h("dt", { text: S.org.url }),
        h("dd", { id: "org-url", text: `https://dev.azure.com/${d.name}` }),
      ),
      d.owned ? null : h("p", { id: "org-not-owner", class: "note", text: S.org.notOwner }),
    );
  }

  connect.addEventListener("click", () => {
    if (!details) return;
    pushBlade(
      connectScreen(details, async (directoryName, wasVerified) => {
        await load(true);
        if (blade.closed || !wasVerified) return;
        replace(
          verified,
          h("div", { id: "org-verified", class: "success-box" }, statusIcon("pass"), h("p", { text: S.org.verified(directoryName) })),
        );
      }),
      blade,
    );
  });
  refresh.addEventListener("click", () => void whileBusy(refresh, () => load(true)));
  refreshCrumbs();
  void load(false);
  return blade;
}
