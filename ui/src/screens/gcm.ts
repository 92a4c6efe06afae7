// Git Credential Manager cleanup for one organization: the optional choices (each off by
// default, with a sentence saying what it does; changing one makes a new plan), the preview
// (what was found on this computer, every planned change, every problem with its remedy),
// Clean, and the result: each change's outcome in words, where each backup is, and an Undo per
// backup. Used as an item of the after-connect checklist and as a blade opened from the
// organization blade ("Clean Git caches"); only one of the two exists at a time.
//
// Element ids: #gcm (blade), #gcm-title; #gcm-options (fieldset), checkboxes #gcm-whole-file,
// #gcm-unbind, #gcm-reject-password (each with #<id>-hint); #gcm-preview-button, #gcm-status
// (live status line), #gcm-error; #gcm-plan (the preview), #gcm-found, #gcm-legacy-path,
// #gcm-legacy-status, #gcm-git-status, #gcm-changes (li[data-kind]), #gcm-no-changes,
// #gcm-problems (li[data-source][data-code]), #gcm-nothing, #gcm-apply-button; #gcm-result,
// #gcm-result-title, #gcm-result-summary, #gcm-results (li[data-status]), #gcm-backups
// (li[data-backup]), Undo buttons #gcm-undo-<n> ([data-testid=gcm-undo]) with
// [data-testid=gcm-undo-result]; #gcm-fleet-command.

import {
  gcmApply,
  gcmPlan,
  gcmRestore,
  type GcmChoices,
  type GcmOutcome,
  type GcmPlan,
  type GcmProblem,
  type PlannedChange,
} from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { append, h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress, statusLine } from "../components/progress";
import { badge, statusIcon, type Mark } from "../components/status";
import { handleAuthError } from "../shell";
import { record } from "../state";
import { S } from "../strings";

export interface GcmPanelHost {
  /** True once the blade holding the panel has closed: late answers are dropped. */
  closed: () => boolean;
  /** Called when the cleanup is done (true) or undone / not finished (false). */
  onState?: (done: boolean) => void;
  /** Heading level of the panel's sections: 4 inside a checklist item, 3 in a blade. */
  level?: 3 | 4;
}

type ChoiceKey = keyof GcmChoices;
const CHOICES: ChoiceKey[] = ["wholeLegacyFile", "unbindUsername", "rejectSavedPassword"];
const CLI_FLAGS: Record<ChoiceKey, string> = {
  wholeLegacyFile: "--whole-file",
  unbindUsername: "--unbind-username",
  rejectSavedPassword: "--forget-password",
};
const RESULT_MARK: Record<string, Mark> = { done: "done", "already-clean": "pass", requested: "info", failed: "fail" };

export function gcmPanel(org: string, host: GcmPanelHost): HTMLElement {
  const G = S.after.gcm;
  const hTag = host.level === 3 ? "h3" : "h4";
  const boxes = new Map<ChoiceKey, HTMLInputElement>();
  const options = h("fieldset", { id: "gcm-options", class: "fieldset" }, h("legend", { text: G.optionsLegend }));
  for (const key of CHOICES) {
    const [id, label, hint] = G.choices[key];
    const input = h("input", { id, attrs: { type: "checkbox", "aria-describedby": `${id}-hint` } });
    boxes.set(key, input);
    options.append(
      h(
        "div",
        { class: "checkbox checkbox-explained" },
        input,
        h("div", {}, h("label", { text: label, attrs: { for: id } }), h("p", { id: `${id}-hint`, class: "hint", text: hint })),
      ),
    );
  }
  const preview = button(G.preview, { id: "gcm-preview-button" });
  const status = statusLine("gcm-status");
  const planArea = h("div", { class: "gcm-plan-area" });
  const resultArea = h("div", { class: "gcm-result-area" });
  const command = h("code", { id: "gcm-fleet-command" });

  const el = h(
    "div",
    { class: "gcm-panel" },
    h("p", { text: G.text }),
    options,
    h("div", { class: "button-row" }, preview),
    status,
    planArea,
    resultArea,
    h("p", { class: "muted", text: G.fleet }),
    h("pre", { class: "command" }, command),
  );

  const choices = (): GcmChoices => {
    const c: GcmChoices = {};
    for (const key of CHOICES) c[key] = boxes.get(key)?.checked ?? false;
    return c;
  };
  const showCommand = () => {
    const c = choices();
    command.textContent = [`ado-connect gcm clean --org ${org}`, ...CHOICES.filter((k) => c[k]).map((k) => CLI_FLAGS[k])].join(" ");
  };
  showCommand();

  let previewed = false;
  let seq = 0;

  async function plan(): Promise<void> {
    const mine = ++seq;
    previewed = true;
    const used = choices();
    status.textContent = "";
    replace(planArea, progress(G.previewing));
    let p: GcmPlan;
    try {
      p = await gcmPlan([org], used);
    } catch (e) {
      if (mine !== seq || host.closed() || handleAuthError(e)) return;
      replace(planArea, errorPanel(e, { id: "gcm-error" }));
      return;
    }
    if (mine !== seq || host.closed()) return;
    renderPlan(p, used);
  }

  function renderPlan(p: GcmPlan, used: GcmChoices): void {
    const nothing = p.changes.length === 0 && p.problems.length === 0;
    const section = h("section", { id: "gcm-plan", class: "gcm-plan", attrs: { "aria-labelledby": "gcm-found-title" } });
    section.append(h(hTag, { id: "gcm-found-title", class: "section-title", text: G.foundTitle }), found(p));
    if (nothing) {
      section.append(h("div", { id: "gcm-nothing", class: "success-box" }, statusIcon("pass"), h("p", { text: G.nothing })));
      status.textContent = G.nothing;
      host.onState?.(true);
      replace(planArea, section);
      return;
    }
    section.append(h(hTag, { class: "section-title", text: G.planTitle }));
    if (p.changes.length) {
      section.append(h("ul", { id: "gcm-changes", class: "plan-list" }, ...p.changes.map((c) => h("li", { attrs: { "data-kind": c.kind } }, ...changeView(c)))));
    } else {
      section.append(h("p", { id: "gcm-no-changes", text: G.noChanges }));
    }
    if (p.problems.length) {
      section.append(
        h(hTag, { class: "section-title", text: G.problemsTitle }),
        h("p", { class: "muted", text: G.problemsText }),
        h("ul", { id: "gcm-problems", class: "problem-list" }, ...p.problems.map(problemView)),
      );
    }
    if (p.changes.length) {
      const apply = button(G.apply, { id: "gcm-apply-button", kind: "primary" });
      apply.addEventListener("click", () => void whileBusy(apply, () => clean(p, used, apply)));
      section.append(h("div", { class: "button-row" }, apply));
    }
    status.textContent = G.summary(p.changes.length, p.problems.length);
    host.onState?.(false);
    replace(planArea, section);
  }

  function found(p: GcmPlan): HTMLElement {
    const legacy = p.legacyCache;
    const legacyText = [G.legacyStatus[legacy.status] ?? legacy.status];
    if (legacy.status === "readable" && legacy.entryCount !== undefined) legacyText.push(G.entries(legacy.entryCount));
    if (legacy.problem) legacyText.push(legacy.problem.message);
    const git = p.gitConfig;
    let gitText: string;
    if (!git) gitText = G.gitNotChecked;
    else if (git.problem) gitText = git.problem.message;
    else gitText = G.gitSettings(git.entryCount ?? 0, p.orgs.join(", "));
    return h(
      "dl",
      { id: "gcm-found", class: "details gcm-found" },
      h("dt", { text: G.legacy }),
      h(
        "dd",
        {},
        h("p", { id: "gcm-legacy-status", attrs: { "data-status": legacy.status }, text: legacyText.join(" ") }),
        h("p", { class: "muted" }, `${G.path}: `, h("code", { id: "gcm-legacy-path", text: legacy.path })),
      ),
      h("dt", { text: G.gitConfig }),
      h(
        "dd",
        {},
        h("p", { id: "gcm-git-status", text: gitText }),
        git ? h("p", { class: "muted" }, h("code", { text: G.gitProgram(git.git) })) : null,
      ),
    );
  }

  async function clean(p: GcmPlan, used: GcmChoices, apply: HTMLButtonElement): Promise<void> {
    replace(resultArea, progress(G.applying));
    let outcome: GcmOutcome;
    try {
      // The plan goes back exactly as core sent it, with the choices it was made with.
      outcome = await gcmApply(p, used);
    } catch (e) {
      if (host.closed() || handleAuthError(e)) return;
      replace(resultArea, errorPanel(e, { id: "gcm-error" }));
      return;
    }
    if (host.closed()) return;
    apply.hidden = true;
    // The result lists every change again with what became of it; the plan is spent.
    replace(planArea);
    status.textContent = "";
    renderOutcome(outcome);
  }

  function renderOutcome(o: GcmOutcome): void {
    const n = (st: string) => o.results.filter((r) => r.status === st).length;
    const failed = n("failed");
    const done = n("done");
    record(G.activity(done));
    host.onState?.(failed === 0);
    const title = h(hTag, { id: "gcm-result-title", class: "section-title", text: G.resultTitle, attrs: { tabindex: "-1" } });
    const summary = G.resultSummary(done, n("already-clean"), n("requested"), failed);
    const backups = h("ul", { id: "gcm-backups", class: "backup-list" });
    o.backups.forEach((b, i) => {
      const slot = h("div", { attrs: { "data-testid": "gcm-undo-result" } });
      const undo = button(G.undo, { id: `gcm-undo-${i + 1}`, testid: "gcm-undo", label: G.undoLabel(b.target) });
      undo.addEventListener("click", () =>
        void whileBusy(undo, async () => {
          replace(slot, progress(G.undoing));
          try {
            const r = await gcmRestore(b.backup);
            if (host.closed()) return;
            record(G.activityUndo(r.restored));
            host.onState?.(false);
            const said = h("p", { attrs: { tabindex: "-1" }, text: r.changed ? G.restored(r.restored, r.from) : G.restoredSame(r.restored) });
            replace(
              slot,
              h("div", { class: "success-box" }, statusIcon("pass"), h("div", {}, said, r.backupOfReplaced ? h("p", { text: G.replacedKept(r.backupOfReplaced) }) : null)),
            );
            undo.hidden = true;
            said.focus();
          } catch (e) {
            if (host.closed() || handleAuthError(e)) return;
            replace(slot, errorPanel(e));
          }
        }),
      );
      backups.append(
        h(
          "li",
          { attrs: { "data-backup": b.backup } },
          h("p", {}, G.backupOf(b.target), " ", h("code", { text: b.backup })),
          h("div", { class: "button-row" }, undo),
          slot,
        ),
      );
    });
    replace(
      resultArea,
      h(
        "section",
        { id: "gcm-result", class: "gcm-result", attrs: { "aria-labelledby": "gcm-result-title" } },
        title,
        h(
          "div",
          { class: failed ? "warning-box" : "success-box" },
          statusIcon(failed ? "warn" : "pass"),
          h("p", { id: "gcm-result-summary", text: summary }),
        ),
        h(
          "ul",
          { id: "gcm-results", class: "plan-list result-list" },
          ...o.results.map((r) => {
            const li = h("li", { attrs: { "data-status": r.status, "data-kind": r.change.kind } });
            append(li, badge(G.statuses[r.status] ?? r.status, RESULT_MARK[r.status] ?? "info", "gcm-result-status"), ...changeView(r.change));
            if (r.problem) li.append(problemBody(r.problem));
            return li;
          }),
        ),
        h(hTag, { class: "section-title", text: G.backupsTitle }),
        h("p", { text: o.backups.length ? G.backupsText : G.noBackups }),
        o.backups.length ? backups : null,
      ),
    );
    // Clean has done its work (and its button is gone); focus goes to the result.
    title.focus();
  }

  for (const box of boxes.values()) {
    box.addEventListener("change", () => {
      showCommand();
      // A new choice makes a new plan; the old one is never applied with it.
      if (previewed) void plan();
    });
  }
  preview.addEventListener("click", () => void whileBusy(preview, plan));
  return el;
}

/** One planned change in plain words, with what it touches. */
function changeView(c: PlannedChange): HTMLElement[] {
  const G = S.after.gcm;
  const F = G.fields;
  const fields = h("dl", { class: "change-fields" });
  const row = (label: string, value: string | undefined, code = true) => {
    if (!value) return;
    fields.append(h("dt", { text: label }), h("dd", {}, code ? h("code", { text: value }) : value));
  };
  row(F.org, c.org, false);
  row(F.target, c.target);
  row(c.kind === "reject-saved-password" ? F.address : F.key, c.key);
  row(F.oldValue, c.oldValue);
  row(F.note, c.note, false);
  return [h("p", { class: "change-what", text: G.kinds[c.kind] ?? c.kind }), fields];
}

function problemBody(p: GcmProblem): HTMLElement {
  const G = S.after.gcm;
  return h(
    "div",
    { class: "problem" },
    h("p", { class: "problem-message" }, h("strong", { text: `${G.problemSource[p.source] ?? p.source}: ` }), p.message),
    p.remedy ? h("p", { class: "problem-remedy" }, h("strong", { text: `${S.error.whatToDo} ` }), p.remedy) : null,
    h("p", { class: "error-code", text: S.error.code(p.code) }),
  );
}

function problemView(p: GcmProblem): HTMLLIElement {
  return h("li", { class: "warning-box", attrs: { "data-source": p.source, "data-code": p.code } }, statusIcon("warn"), problemBody(p));
}

/** The cleanup as a blade of its own, opened from an organization's blade. */
export function gcmScreen(org: string): Blade {
  const blade = new Blade({ id: "gcm", title: S.after.gcm.bladeTitle(org), subtitle: S.after.gcm.title });
  blade.body.append(gcmPanel(org, { closed: () => blade.closed, level: 3 }));
  return blade;
}
