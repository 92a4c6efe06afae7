// The organization blade: owner, current directory, billing (with a link), user count, and
// the command bar with Connect (Change directory when it already has one), Disconnect (only
// when it has one) and Clean Git caches (opens the cleanup as a blade to the right, for any
// organization, owned or not).
// Connect stays focusable while the details load (aria-disabled, not disabled), so a keyboard
// user who tabs to it at once does not skip past it; pressed then, it opens once they are in.
// Disconnect has its own confirmation: what Azure DevOps requires (the owner, signed in with a
// personal Microsoft account that is also a Project Collection Administrator), what changes
// (personal accounts again; Microsoft Entra groups stop applying), and the organization's name
// typed to make the Disconnect button available, as on the Azure DevOps settings page. Cancel
// has focus; Esc cancels. Then `disconnect_organization`, its progress here on the blade, the
// notification "Your organization is now disconnected from <directory>", and the blade
// read again.
//
// Element ids: #org (blade), #org-title, #connect-button, #disconnect-button, #org-refresh,
// #org-gcm-button, #org-open-browser, #org-details, #org-owner, #org-role, #org-directory,
// #org-billing, #org-billing-link, #org-users, #org-url, #org-not-owner, #org-verified,
// #org-loading, #org-error.
// Disconnect: the dialog #disconnect-dialog (#disconnect-title, #disconnect-text,
// #disconnect-prerequisites, #disconnect-warning, #disconnect-confirm-name,
// #disconnect-confirm-hint, #disconnect-yes, #disconnect-no); then #disconnect-progress,
// #disconnect-steps (li[data-step][data-state]), #disconnect-status, #disconnect-done or
// #disconnect-unverified, or #disconnect-error (#disconnect-error-hint,
// #disconnect-entra-settings).

import {
  disconnectOrganization,
  listDirectories,
  onConnectProgress,
  organizationDetails,
  UserError,
  type ConnectProgress,
  type OrganizationDetails,
} from "../api";
import { Blade } from "../components/blade";
import { button, externalLink, setButtonText, whileBusy } from "../components/button";
import { confirmDialog } from "../components/dialog";
import { h, replace, srOnly } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress, statusLine } from "../components/progress";
import { statusIcon, type Mark } from "../components/status";
import { notify } from "../components/toast";
import { closeBladesRightOf, handleAuthError, pushBlade, refreshCrumbs } from "../shell";
import { directoryLabel, orgsChanged, record, state } from "../state";
import { S } from "../strings";
import { connectScreen } from "./connect";
import { gcmScreen } from "./gcm";

type StepState = "todo" | "active" | "done" | "failed";
const STEP_MARK: Record<StepState, Mark> = { todo: "todo", active: "active", done: "done", failed: "fail" };
const DISCONNECT_STEPS = ["disconnecting", "verifying", "disconnected"] as const;

/** The tenant of personal Microsoft accounts ("consumers"): not a work account. */
const CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * The session signed in to a directory: a work account. Azure DevOps refuses to disconnect for
 * one. The first sign-in goes to "organizations" (or another alias), never to a directory id.
 */
function signedInWithWorkAccount(): boolean {
  const t = state.session.tenant ?? "";
  return /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(t) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(t) && t.toLowerCase() !== CONSUMERS;
}

export interface OrganizationOptions {
  /** Open the Connect blade as soon as the details are in (resuming at the directory step). */
  connect?: boolean;
  /** Move focus to blades opened by the app itself (false at start). */
  focus?: boolean;
}

export function organizationScreen(name: string, o: OrganizationOptions = {}): Blade {
  const blade = new Blade({ id: "org", title: name, subtitle: S.org.subtitle });
  const connect = button(S.org.connect, { id: "connect-button", kind: "command", icon: "⇄" });
  const disconnect = button(S.org.disconnect, { id: "disconnect-button", kind: "command", icon: "⊘" });
  disconnect.hidden = true;
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
  blade.addCommands(connect, disconnect, refresh, gcm, openInBrowser);
  let loading = true;
  /** A disconnect is under way: Connect and Disconnect wait for it. */
  let disconnecting = false;
  const setLoading = (on: boolean) => {
    loading = on;
    for (const b of [connect, disconnect]) {
      if (on || disconnecting) b.setAttribute("aria-disabled", "true");
      else b.removeAttribute("aria-disabled");
    }
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
        const fresh = await listDirectories().catch(() => undefined);
        // A directory found by its domain is not in the list: keep knowing its name.
        if (fresh) {
          const found = (state.directories ?? []).filter((d) => !fresh.some((f) => f.tenantId.toLowerCase() === d.tenantId.toLowerCase()));
          state.directories = [...fresh, ...found];
        }
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
    disconnect.hidden = d.directory.kind !== "directory";
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
          if (blade.closed) return;
          replace(verified);
          if (!wasVerified) return;
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
    if (disconnecting) return;
    // Pressed while the details load: Connect opens as soon as they are in.
    if (!details || loading) {
      autoConnect = true;
      pendingFocus = true;
      return;
    }
    openConnect(details);
  });
  refresh.addEventListener("click", () => void whileBusy(refresh, () => load(true)));
  disconnect.addEventListener("click", () => void askDisconnect());

  // ---------------------------------------------------------------- disconnect

  async function askDisconnect(): Promise<void> {
    const d = details;
    if (!d || loading || disconnecting || d.directory.kind !== "directory") return;
    const dirName = directoryLabel(d);
    const user = state.session.user;
    const warnings = [
      d.owned ? null : S.disconnect.notOwner,
      user && signedInWithWorkAccount() ? S.disconnect.workAccount(user.email) : null,
    ].filter((t): t is string => !!t);
    const yes = await confirmDialog({
      id: "disconnect",
      title: S.disconnect.title(d.name, dirName),
      text: S.disconnect.intro(d.name, dirName),
      extra: [
        h("ul", { id: "disconnect-prerequisites", class: "dialog-list" }, ...S.disconnect.prerequisites.map((t) => h("li", { text: t }))),
        warnings.length
          ? h("div", { id: "disconnect-warning", class: "warning-box" }, statusIcon("warn"), h("div", {}, ...warnings.map((t) => h("p", { text: t }))))
          : null,
        h("h3", { class: "dialog-subtitle", text: S.disconnect.afterTitle }),
        ...S.disconnect.after(d.name, dirName).map((t) => h("p", { text: t })),
      ],
      typeToConfirm: { label: S.disconnect.typeName(d.name), hint: S.disconnect.typeNameHint, value: d.name },
      yes: S.disconnect.yes,
      no: S.disconnect.no,
      danger: true,
    });
    if (!yes || blade.closed || disconnecting) return;
    await runDisconnect(d, dirName);
  }

  async function runDisconnect(d: OrganizationDetails, dirName: string): Promise<void> {
    disconnecting = true;
    setLoading(loading);
    // A Connect or cleanup blade to the right shows the directory that is going away.
    closeBladesRightOf(blade);
    const steps: Record<string, HTMLLIElement> = {};
    const stepList = h("ol", { id: "disconnect-steps", class: "step-list" });
    for (const key of DISCONNECT_STEPS) {
      steps[key] = h("li", { attrs: { "data-step": key } });
      stepList.append(steps[key]);
    }
    const setStep = (key: string, st: StepState) => {
      const li = steps[key];
      li.setAttribute("data-state", st);
      replace(li, statusIcon(STEP_MARK[st]), h("span", { text: S.disconnect.steps[key] }), srOnly(` (${S.connect.stepState[st]})`));
    };
    DISCONNECT_STEPS.forEach((k) => setStep(k, "todo"));
    // The step list shows progress; the status line only speaks it.
    const status = statusLine("disconnect-status");
    status.classList.add("sr-only");
    const heading = h("h3", { class: "section-title", text: S.disconnect.progressTitle, attrs: { tabindex: "-1" } });
    const area = h("div", { id: "disconnect-progress", class: "connect-progress" }, heading, stepList, status);
    replace(verified, area);
    heading.focus();

    const show = (p: ConnectProgress) => {
      if (p.step === "disconnecting") {
        setStep("disconnecting", "active");
        status.textContent = `${S.disconnect.steps.disconnecting}…`;
      } else if (p.step === "verifying") {
        setStep("disconnecting", "done");
        setStep("verifying", "active");
        status.textContent = `${S.disconnect.steps.verifying}…`;
      } else if (p.step === "disconnected") {
        DISCONNECT_STEPS.forEach((k) => setStep(k, "done"));
      } else if (p.step === "not-yet-visible") {
        setStep("disconnecting", "done");
        setStep("verifying", "failed");
      } else if (p.step === "failed") {
        const active = DISCONNECT_STEPS.find((k) => steps[k].getAttribute("data-state") === "active") ?? "disconnecting";
        setStep(active, "failed");
      }
    };
    show({ step: "disconnecting" });
    const unlisten = await onConnectProgress(show);
    blade.onClose(unlisten);

    try {
      const result = await disconnectOrganization(d.name);
      unlisten();
      show({ step: result.verified ? "disconnected" : "not-yet-visible" });
      disconnecting = false;
      const o = state.orgs?.find((x) => x.name === d.name);
      if (o && result.verified) o.directory = { kind: "personal" };
      orgsChanged();
      record(S.disconnect.activity(d.name, dirName));
      const text = result.verified ? S.disconnect.done(dirName) : S.disconnect.unverified(dirName);
      status.textContent = text;
      notify(S.disconnect.doneTitle, text, result.verified ? "success" : "warning");
      const box = h(
        "div",
        {
          id: result.verified ? "disconnect-done" : "disconnect-unverified",
          class: result.verified ? "success-box" : "warning-box",
          attrs: { tabindex: "-1" },
        },
        statusIcon(result.verified ? "pass" : "warn"),
        h("p", { text }),
      );
      area.append(box);
      // Disconnect goes away with the directory: focus stays on what happened.
      box.focus();
      if (!blade.closed) await load(true);
    } catch (e) {
      unlisten();
      disconnecting = false;
      setLoading(loading);
      show({ step: "failed" });
      if (blade.closed || handleAuthError(e)) return;
      const err = UserError.from(e);
      status.textContent = err.message;
      area.append(
        errorPanel(err, {
          id: "disconnect-error",
          actions: [
            externalLink(S.disconnect.openEntraSettings, `https://dev.azure.com/${encodeURIComponent(d.name)}/_settings/organizationAad`, {
              id: "disconnect-entra-settings",
            }),
          ],
        }),
      );
      // What Azure DevOps requires, said again where the refusal is read.
      (area.querySelector("#disconnect-error .error-remedy") ?? area.querySelector("#disconnect-error .error-message"))?.after(
        h("p", { id: "disconnect-error-hint", text: S.disconnect.errorHint }),
      );
      (area.querySelector("#disconnect-error [data-testid=copy-details]") as HTMLElement | null)?.focus();
    }
  }

  refreshCrumbs();
  void load(false);
  return blade;
}
