// The organization blade: owner, current directory, billing (with a link), user count, and
// the command bar with Connect (Change directory when it already has one) and Clean Git caches
// (opens the cleanup as a blade to the right, for any organization, owned or not).
// Connect stays focusable while the details load (aria-disabled, not disabled), so a keyboard
// user who tabs to it at once does not skip past it; pressed then, it opens once they are in.
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
import { handleAuthError, pushBlade, refreshCrumbs } from "../shell";
import { directoryLabel, state } from "../state";
import { S } from "../strings";
import { connectScreen } from "./connect";
import { gcmScreen } from "./gcm";

export interface OrganizationOptions {
  /** Open the Connect blade as soon as the details are in (resuming at the directory step). */
  connect?: boolean;
  /** Move focus to blades opened by the app itself (false at start). */
  focus?: boolean;
}

export function organizationScreen(name: string, o: OrganizationOptions = {}): Blade {
  const blade = new Blade({ id: "org", title: name, subtitle: S.org.subtitle });
  const connect = button(S.org.connect, { id: "connect-button", kind: "command", icon: "⇄" });
  const refresh = button(S.org.refresh, { id: "org-refresh", kind: "command", icon: "⟳" });
  const gcm = button(S.org.cleanGit, {
    id: "org-gcm-button",
    kind: "command",
    icon: "⌫",
    onClick: () => pushBlade(gcmScreen(name), blade),
  });
  const openInBrowser = externalLink(S.org.openInBrowser, `https://dev.azure.com/${encodeURIComponent(name)}`, {
    id: "org-open-browser",
  });
  openInBrowser.classList.add("btn", "btn-command");
  blade.addCommands(connect, refresh, gcm, openInBrowser);
  let loading = true;
  const setLoading = (on: boolean) => {
    loading = on;
    if (on) connect.setAttribute("aria-disabled", "true");
    else connect.removeAttribute("aria-disabled");
  };
  setLoading(true);
  /** Open Connect once the details are in: asked for by `resume`, or pressed while loading. */
  let autoConnect = !!o.connect;
  let pendingFocus = o.focus;
  let resuming = !!o.connect;

  const content = h("div", { class: "org-content" });
  const verified = h("div", { class: "verified-slot" });
  blade.body.append(verified, content);
  let details: OrganizationDetails | undefined;

  async function load(force: boolean): Promise<void> {
    setLoading(true);
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
    if (autoConnect) {
      autoConnect = false;
      // Resuming at the directory step: the directory chosen last time, and what became of it.
      const p = state.progress;
      const resumeTenantId = resuming && p?.step === "directory" && p.org === name ? p.tenantId ?? "" : undefined;
      if (details.owned || !resuming) openConnect(details, pendingFocus, resumeTenantId);
      resuming = false;
    }
  }

  function render(d: OrganizationDetails): void {
    setButtonText(connect, d.directory.kind === "directory" ? S.org.changeDirectory : S.org.connect);
    setLoading(false);
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

  /** `resumeTenantId` (possibly "") marks the Connect blade opened by `resume`. */
  function openConnect(d: OrganizationDetails, focus?: boolean, resumeTenantId?: string): void {
    pushBlade(
      connectScreen(
        d,
        async (directoryName, wasVerified) => {
          await load(true);
          if (blade.closed || !wasVerified) return;
          replace(
            verified,
            h("div", { id: "org-verified", class: "success-box" }, statusIcon("pass"), h("p", { text: S.org.verified(directoryName) })),
          );
        },
        { resumeTenantId },
      ),
      blade,
      { focus },
    );
  }

  connect.addEventListener("click", () => {
    // Pressed while the details load: Connect opens as soon as they are in.
    if (!details || loading) {
      autoConnect = true;
      pendingFocus = true;
      return;
    }
    openConnect(details);
  });
  refresh.addEventListener("click", () => void whileBusy(refresh, () => load(true)));
  refreshCrumbs();
  void load(false);
  return blade;
}
