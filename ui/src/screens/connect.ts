// Connect: choose the directory (the ones the user belongs to, or one found by domain), run
// the pre-flight checks (pass / warning / fail, each with a sentence), then Connect, confirm
// with Yes (No is the default), follow the progress, and announce "Your organization is now
// connected to <directory>".
// An organization that is already connected gets the same blade as "Change directory": its
// own title, button and confirmation ("Change <org> from <old> to <new>?", saying that
// Microsoft Entra group memberships and group rules are dropped when the directory changes).
//
// Element ids: #connect (blade), #connect-title, #directory-list, radios #dir-<tenantId>
// (name="directory"), #directories-loading, #directories-error, #domain-input,
// #domain-find, #domain-error, #domain-status, #preflight, #preflight-list (li[data-status],
// li[data-check-id]), #preflight-loading, #connect-blocked-reason, #connect-submit,
// #connect-cancel, #connect-progress, #connect-steps (li[data-step][data-state]),
// #connect-status, #connect-done, #connect-unverified, #after-connect-button,
// #connect-error, #open-entra-settings, #resume-notice (opened by `resume`: the connect of
// last time did not happen; the directory chosen then is selected again).
// The dialog: #confirm-dialog, #confirm-yes, #confirm-no.

import {
  connectOrganization,
  listDirectories,
  onConnectProgress,
  preflight,
  resolveDomain,
  UserError,
  type Check,
  type ConnectProgress,
  type Directory,
  type OrganizationDetails,
} from "../api";
import { Blade } from "../components/blade";
import { button, externalLink, whileBusy } from "../components/button";
import { confirmDialog } from "../components/dialog";
import { append, h, replace, srOnly } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress, statusLine } from "../components/progress";
import { statusIcon, type Mark } from "../components/status";
import { notify } from "../components/toast";
import { handleAuthError, navigate } from "../shell";
import { directoryLabel, orgsChanged, progressDirectoryName, record, state } from "../state";
import { S } from "../strings";

const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A domain as people type it: trims spaces, an "@" or a leading "https://", and a trailing dot or slash. */
export function normaliseDomain(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/^.*@/, "")
    .replace(/[./]+$/, "");
}

export function isValidDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}

type StepState = "todo" | "active" | "done" | "failed";
const STEP_MARK: Record<StepState, Mark> = { todo: "todo", active: "active", done: "done", failed: "fail" };

export interface ConnectOptions {
  /** Set when `resume` opened this blade: the directory chosen last time ("" if unknown). */
  resumeTenantId?: string;
}

export function connectScreen(
  org: OrganizationDetails,
  onConnected: (directoryName: string, verified: boolean) => Promise<void>,
  o: ConnectOptions = {},
): Blade {
  /** Already connected: this blade changes the directory. */
  const change = org.directory.kind === "directory";
  const fromName = directoryLabel(org);
  const blade = new Blade({ id: "connect", title: change ? S.connect.changeTitle(org.name) : S.connect.title(org.name) });
  const resumed = o.resumeTenantId !== undefined;

  const dirList = h("div", { id: "directory-list", class: "radio-list" });
  const domainInput = h("input", {
    id: "domain-input",
    class: "text-input",
    attrs: {
      type: "text",
      inputmode: "url",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "domain-hint domain-error",
    },
  });
  const domainError = h("p", { id: "domain-error", class: "field-error" });
  const domainStatus = h("div", { id: "domain-status", attrs: { "aria-live": "polite" } });
  const domainFind = button(S.connect.domainFind, { id: "domain-find" });
  const checksArea = h("div", { id: "preflight", attrs: { "aria-live": "polite" } }, h("p", { class: "muted", text: S.connect.checksChoose }));
  const blocked = h("p", { id: "connect-blocked-reason", class: "field-error", text: change ? S.connect.changeBlocked : S.connect.blocked });
  blocked.hidden = true;
  const submit = button(change ? S.connect.changeSubmit : S.connect.submit, { id: "connect-submit", kind: "primary", describedBy: "connect-blocked-reason" });
  submit.disabled = true;
  const cancel = button(S.connect.cancel, { id: "connect-cancel", onClick: () => blade.requestClose() });
  const progressArea = h("div", { id: "connect-progress", class: "connect-progress" });
  const fieldset = h(
    "fieldset",
    { class: "fieldset" },
    h("legend", { text: S.connect.chooseLegend }),
    dirList,
    h(
      "div",
      { class: "field" },
      h("label", { text: S.connect.domainLabel, attrs: { for: "domain-input" } }),
      h("p", { id: "domain-hint", class: "hint", text: S.connect.domainHint }),
      h("div", { class: "inline-field" }, domainInput, domainFind),
      domainError,
      domainStatus,
    ),
  );

  append(
    blade.body,
    resumed
      ? h(
          "div",
          { id: "resume-notice", class: "warning-box resume-notice", attrs: { role: "status", "data-step": "directory" } },
          statusIcon("warn"),
          h("div", {}, h("p", { class: "strong", text: S.resume.title }), h("p", { text: S.resume.notConnected(org.name, progressDirectoryName()) })),
        )
      : null,
    h("p", { class: "lead", text: change ? S.connect.changeIntro(org.name, fromName) : S.connect.intro(org.name) }),
    fieldset,
    h("section", { class: "checks", attrs: { "aria-labelledby": "checks-title" } }, h("h3", { id: "checks-title", class: "section-title", text: S.connect.checksTitle }), checksArea),
    blocked,
    h("div", { class: "button-row" }, submit, cancel),
    progressArea,
  );

  let directories: Directory[] = [];
  let chosen: Directory | undefined;
  let checks: Check[] | undefined;
  let checkSeq = 0;
  let inFlight = false;
  let done = false;

  function renderDirectories(): void {
    if (directories.length === 0) {
      replace(dirList, h("p", { id: "directories-empty", class: "note", text: S.connect.noDirs }));
      return;
    }
    replace(dirList);
    for (const d of directories) {
      const current = org.directory.kind === "directory" && org.directory.tenantId?.toLowerCase() === d.tenantId.toLowerCase();
      const input = h("input", {
        id: `dir-${d.tenantId}`,
        attrs: { type: "radio", name: "directory", value: d.tenantId, disabled: current, "aria-describedby": `dir-${d.tenantId}-hint` },
      });
      input.checked = chosen?.tenantId === d.tenantId;
      input.addEventListener("change", () => input.checked && choose(d));
      dirList.append(
        h(
          "div",
          { class: "radio" },
          input,
          h(
            "label",
            { attrs: { for: input.id } },
            h("span", { class: "radio-name", text: d.displayName }),
            h("span", {
              id: `dir-${d.tenantId}-hint`,
              class: "hint",
              text: current
                ? `${d.defaultDomain} · ${S.connect.currentDirectory}`
                : d.category === "Domain"
                  ? `${d.defaultDomain} · ${S.connect.foundByDomain}`
                  : d.defaultDomain,
            }),
          ),
        ),
      );
    }
  }

  async function loadDirectories(): Promise<void> {
    replace(dirList, progress(S.connect.loadingDirs, { id: "directories-loading" }));
    try {
      if (!state.directories) state.directories = await listDirectories();
      directories = [...state.directories];
      if (blade.closed) return;
      const again = o.resumeTenantId
        ? directories.find((d) => d.tenantId.toLowerCase() === o.resumeTenantId?.toLowerCase())
        : undefined;
      const current = org.directory.kind === "directory" && org.directory.tenantId?.toLowerCase() === again?.tenantId.toLowerCase();
      if (again && !chosen && !current) chosen = again;
      renderDirectories();
      if (again && chosen === again) void runChecks(again);
    } catch (e) {
      if (blade.closed || handleAuthError(e)) return;
      replace(
        dirList,
        errorPanel(e, {
          id: "directories-error",
          actions: [button(S.common.retry, { onClick: () => void loadDirectories() })],
        }),
      );
    }
  }

  function choose(d: Directory): void {
    chosen = d;
    void runChecks(d);
  }

  async function runChecks(d: Directory): Promise<void> {
    const seq = ++checkSeq;
    checks = undefined;
    updateSubmit();
    replace(checksArea, progress(S.connect.checking, { id: "preflight-loading" }));
    try {
      const result = await preflight(org.name, d.tenantId);
      if (seq !== checkSeq || blade.closed) return;
      checks = result;
      renderChecks(result);
    } catch (e) {
      if (seq !== checkSeq || blade.closed || handleAuthError(e)) return;
      replace(checksArea, errorPanel(e, { actions: [button(S.common.retry, { onClick: () => void runChecks(d) })] }));
    }
    updateSubmit();
  }

  function renderChecks(list: Check[]): void {
    const ul = h("ul", { id: "preflight-list", class: "check-list" });
    for (const c of list) {
      ul.append(
        h(
          "li",
          { class: `check check-${c.status}`, attrs: { "data-status": c.status, "data-check-id": c.id } },
          statusIcon(c.status),
          h(
            "div",
            { class: "check-text" },
            h("p", { class: "check-title" }, srOnly(`${S.connect.status[c.status]}: `), c.title),
            h("p", { class: "check-detail", text: c.detail }),
            c.affected && c.affected.length
              ? h(
                  "details",
                  { class: "affected" },
                  h("summary", { text: S.connect.affected(c.affected.length) }),
                  h("ul", {}, ...c.affected.map((p) => h("li", { text: p }))),
                )
              : null,
          ),
        ),
      );
    }
    replace(checksArea, ul);
  }

  function updateSubmit(): void {
    const failing = !!checks?.some((c) => c.status === "fail");
    blocked.hidden = !failing;
    submit.disabled = inFlight || done || !chosen || !checks || failing;
  }

  async function findDomain(): Promise<void> {
    domainError.textContent = "";
    domainInput.removeAttribute("aria-invalid");
    replace(domainStatus);
    const domain = normaliseDomain(domainInput.value);
    if (!domain || !isValidDomain(domain)) {
      domainError.textContent = domain ? S.connect.domainInvalid : S.connect.domainEmpty;
      domainInput.setAttribute("aria-invalid", "true");
      domainInput.focus();
      return;
    }
    replace(domainStatus, progress(S.connect.domainFinding));
    try {
      const d = await resolveDomain(domain);
      if (blade.closed) return;
      if (!directories.some((x) => x.tenantId.toLowerCase() === d.tenantId.toLowerCase())) directories.push(d);
      chosen = directories.find((x) => x.tenantId.toLowerCase() === d.tenantId.toLowerCase());
      renderDirectories();
      replace(domainStatus, h("p", { text: S.connect.domainFound(d.displayName) }));
      if (chosen) void runChecks(chosen);
    } catch (e) {
      if (blade.closed || handleAuthError(e)) return;
      domainInput.setAttribute("aria-invalid", "true");
      replace(domainStatus, errorPanel(e));
    }
  }

  domainFind.addEventListener("click", () => void whileBusy(domainFind, findDomain));
  domainInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      domainFind.click();
    }
  });

  submit.addEventListener("click", async () => {
    if (inFlight || done || !chosen || submit.disabled) return;
    const dir = chosen;
    const yes = await confirmDialog(
      change
        ? {
            title: S.connect.changeConfirmTitle(org.name, fromName, dir.displayName),
            text: S.connect.changeConfirmText(fromName, dir.displayName),
          }
        : {
            title: S.connect.confirmTitle(org.name, dir.displayName),
            text: S.connect.confirmText(dir.displayName),
          },
    );
    if (!yes || blade.closed) return;
    await run(dir);
  });

  async function run(dir: Directory): Promise<void> {
    inFlight = true;
    setFormEnabled(false);
    updateSubmit();
    const steps: Record<string, HTMLLIElement> = {};
    const stepList = h("ol", { id: "connect-steps", class: "step-list" });
    for (const key of ["connecting", "verifying", "connected"]) {
      steps[key] = h("li", { attrs: { "data-step": key } });
      stepList.append(steps[key]);
    }
    const setStep = (key: string, st: StepState) => {
      const li = steps[key];
      li.setAttribute("data-state", st);
      replace(li, statusIcon(STEP_MARK[st]), h("span", { text: S.connect.steps[key] }), srOnly(` (${S.connect.stepState[st]})`));
    };
    (["connecting", "verifying", "connected"] as const).forEach((k) => setStep(k, "todo"));
    // The step list shows progress; the status line only speaks it, so it is not shown twice.
    const status = statusLine("connect-status");
    status.classList.add("sr-only");
    const heading = h("h3", { class: "section-title", text: change ? S.connect.changeProgressTitle : S.connect.progressTitle, attrs: { tabindex: "-1" } });
    replace(progressArea, heading, stepList, status);
    // The Connect button that opened the dialog is disabled now; keep focus somewhere sensible.
    heading.focus();

    const show = (p: ConnectProgress) => {
      if (p.step === "connecting") {
        setStep("connecting", "active");
        status.textContent = `${S.connect.steps.connecting}…`;
      } else if (p.step === "verifying") {
        setStep("connecting", "done");
        setStep("verifying", "active");
        status.textContent = `${S.connect.steps.verifying}…`;
      } else if (p.step === "connected") {
        setStep("connecting", "done");
        setStep("verifying", "done");
        setStep("connected", "done");
      } else if (p.step === "failed") {
        const active = Object.keys(steps).find((k) => steps[k].getAttribute("data-state") === "active") ?? "connecting";
        setStep(active, "failed");
      }
    };
    show({ step: "connecting" });
    const unlisten = await onConnectProgress(show);
    blade.onClose(unlisten);

    try {
      const result = await connectOrganization(org.name, dir.tenantId);
      unlisten();
      if (result.verified) show({ step: "connected" });
      else {
        setStep("connecting", "done");
        setStep("verifying", "failed");
      }
      done = true;
      finish(dir, result.verified);
    } catch (e) {
      unlisten();
      inFlight = false;
      show({ step: "failed" });
      if (handleAuthError(e)) return;
      const err = UserError.from(e);
      status.textContent = err.message;
      const actions: HTMLElement[] = [];
      if (["not-active-member", "tenant-not-allowed", "connect-failed", "not-authorized", "connect-unverified"].includes(err.code)) {
        actions.push(
          externalLink(S.connect.openEntraSettings, `https://dev.azure.com/${encodeURIComponent(org.name)}/_settings/organizationAad`, {
            id: "open-entra-settings",
          }),
        );
      }
      progressArea.append(errorPanel(err, { id: "connect-error", actions }));
      setFormEnabled(true);
      updateSubmit();
      (progressArea.querySelector("#connect-error [data-testid=copy-details]") as HTMLElement | null)?.focus();
    }
  }

  function finish(dir: Directory, verified: boolean): void {
    inFlight = false;
    updateSubmit();
    state.lastConnected = { org: org.name, directory: dir, verified, at: new Date() };
    const o = state.orgs?.find((x) => x.name === org.name);
    if (o && verified) o.directory = { kind: "directory", tenantId: dir.tenantId };
    if (!state.directories?.some((d) => d.tenantId === dir.tenantId)) state.directories = [...(state.directories ?? []), dir];
    orgsChanged();
    record(S.connect.activity(org.name, dir.displayName));
    const status = progressArea.querySelector("#connect-status");
    const next = button(S.connect.next, { id: "after-connect-button", kind: "primary", onClick: () => navigate("after", { org: org.name }) });
    if (verified) {
      const text = S.connect.connectedNotice(dir.displayName);
      if (status) status.textContent = text;
      notify(S.connect.connectedTitle, text, "success");
      progressArea.append(
        h("div", { id: "connect-done", class: "success-box" }, statusIcon("pass"), h("p", { text })),
        h("div", { class: "button-row" }, next),
      );
    } else {
      const text = S.connect.unverified(dir.displayName);
      if (status) status.textContent = text;
      notify(S.connect.connectedTitle, text, "warning");
      progressArea.append(
        h("div", { id: "connect-unverified", class: "warning-box" }, statusIcon("warn"), h("p", { text })),
        h("div", { class: "button-row" }, next),
      );
    }
    next.focus();
    void onConnected(dir.displayName, verified);
  }

  function setFormEnabled(on: boolean): void {
    fieldset.disabled = !on;
  }

  void loadDirectories();
  return blade;
}
