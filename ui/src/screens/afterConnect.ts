// After connecting: the checklist the manual procedure leaves to the owner, each item with its
// state (done, to do, not applicable): work-account sign-in, disconnected members, invite and
// watch, Git Credential Manager cleanup, a personal access token, Visual Studio subscriptions,
// Next links, and the report.
//
// Element ids: #after (blade), #after-title, #after-org, #after-not-connected, #resume-notice
// (opened by `resume` at start: what was read back), #checklist,
// items #item-work-signin #item-members #item-invite #item-gcm #item-pat #item-vs #item-next
// (each with [data-testid=item-state][data-state=done|todo|na]);
// #work-signin-why, #work-signin-button, #work-signin-done; #members-list, #members-summary,
// #members-loading, #users-page-link (rows [data-testid=member-status]); #invite-form,
// #invite-email, #invite-error, #access-stakeholder, #access-basic, #invite-submit,
// #invitation-list (li[data-email][data-tracked] for invitations saved by an earlier session,
// [data-testid=invitation-state][data-state], [data-testid=invitation-check]);
// the Git Credential Manager cleanup inside #item-gcm: see gcm.ts (#gcm-preview-button,
// #gcm-plan, #gcm-apply-button, #gcm-result, …); #pat-form, #pat-name, scope boxes
// #pat-scope-<scope> (name="pat-scope"; code-read, code-write, work-items-read, build-read,
// packaging-read), #pat-days, #pat-error,
// #pat-submit, #pat-result, #pat-token, #pat-copy-button, #pat-copy-status, #pat-done,
// #pat-cleared; #vs-link, #vs-done; #next-users-link, #next-groups-link;
// #after-report-button.

import {
  createPat,
  invitationStatus,
  inviteUser,
  listDirectories,
  listMembers,
  listOrganizations,
  type AccessLevel,
  type Invitation,
  type Member,
  type Organization,
  type PatScope,
} from "../api";
import { Blade } from "../components/blade";
import { button, externalLink, whileBusy } from "../components/button";
import { copyText } from "../components/clipboard";
import { append, h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress } from "../components/progress";
import { badge, statusIcon, type Mark } from "../components/status";
import { dataTable } from "../components/table";
import { handleAuthError, navigate, type RouteParams } from "../shell";
import { directoryLabel, progressDirectoryName, record, signedInTo, state } from "../state";
import { S, formatDate } from "../strings";
import { gcmPanel } from "./gcm";

type ItemState = "done" | "todo" | "na";
const ITEM_MARK: Record<ItemState, Mark> = { done: "done", todo: "todo", na: "na" };

/** Progress per organization, kept while the window is open so leaving the screen loses nothing. */
interface OrgProgress {
  invitations: Map<string, Invitation>;
  gcmDone: boolean;
  patCreated: boolean;
  vsChecked: boolean;
}
const progressByOrg = new Map<string, OrgProgress>();
function progressOf(org: string): OrgProgress {
  let p = progressByOrg.get(org);
  if (!p) {
    p = { invitations: new Map(), gcmDone: false, patCreated: false, vsChecked: false };
    progressByOrg.set(org, p);
  }
  return p;
}

/** Invitations saved by an earlier session for `org`: e-mail → when it was sent. */
function trackedByOrg(org: string): Map<string, string> {
  return new Map((state.progress?.invitations ?? []).filter((t) => t.org === org).map((t) => [t.email, t.invitedAt]));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
/** Bounded backoff for watching an invitation: quick at first, then once a minute. */
const WATCH_STEPS_SECS = [5, 10, 20, 30, 60];

export function afterConnectScreen(params: RouteParams): Blade {
  const blade = new Blade({ id: "after", title: S.after.title });
  const select = h("select", { id: "after-org" });
  const content = h("div", { class: "after-content" });
  blade.body.append(h("p", { class: "lead", text: S.after.intro }), content);

  /** Timers and listeners of the organization shown now; cleared when it changes. */
  let disposers: (() => void)[] = [];
  const disposeItems = () => disposers.splice(0).forEach((d) => d());
  blade.onClose(disposeItems);

  async function start(): Promise<void> {
    replace(content, progress(S.orgs.loading));
    try {
      // Directory names make the checklist readable; without them it shows ids, so their
      // failure is not an error here.
      const names = state.directories
        ? Promise.resolve()
        : listDirectories().then(
            (d) => void (state.directories = d),
            () => undefined,
          );
      const [orgs] = await Promise.all([state.orgs ? Promise.resolve(state.orgs) : listOrganizations(false), names]);
      state.orgs = orgs;
    } catch (e) {
      if (blade.closed || handleAuthError(e)) return;
      replace(content, errorPanel(e, { actions: [button(S.common.retry, { onClick: () => void start() })] }));
      return;
    }
    if (blade.closed) return;
    const owned = state.orgs.filter((o) => o.owned);
    if (owned.length === 0) {
      replace(
        content,
        h("p", { class: "note", text: S.after.noOrgs }),
        h("div", { class: "button-row" }, button(S.after.goToOrgs, { kind: "primary", onClick: () => navigate("orgs") })),
      );
      return;
    }
    const wanted = params.org ?? state.lastConnected?.org ?? state.selectedOrg ?? state.progress?.org;
    const first = owned.find((o) => o.name === wanted) ?? owned.find((o) => o.directory.kind === "directory") ?? owned[0];
    for (const o of owned) select.append(h("option", { text: o.name, attrs: { value: o.name } }));
    select.value = first.name;
    select.addEventListener("change", () => {
      const o = owned.find((x) => x.name === select.value);
      if (o) showOrg(o);
    });
    replace(
      content,
      h("div", { class: "field" }, h("label", { text: S.after.orgLabel, attrs: { for: "after-org" } }), select),
      h("div", { class: "checklist-slot" }),
    );
    showOrg(first);
  }

  function showOrg(org: Organization): void {
    disposeItems();
    state.selectedOrg = org.name;
    const slot = content.querySelector(".checklist-slot") as HTMLElement;
    const connected = org.directory.kind === "directory";
    const dir = directoryLabel(org);
    const p = progressOf(org.name);
    const list = h("ol", { id: "checklist", class: "checklist" });
    list.append(
      workSignInItem(org, connected, dir),
      membersItem(org, connected),
      inviteItem(org, connected, p),
      gcmItem(org, p),
      patItem(org, connected, p),
      vsItem(p),
      nextItem(),
    );
    replace(
      slot,
      resumeNotice(org),
      connected ? null : h("p", { id: "after-not-connected", class: "note", text: S.after.noOrgs }),
      list,
      h("div", { class: "button-row" }, button(S.after.report, { id: "after-report-button", kind: "primary", onClick: () => navigate("report") })),
    );
  }

  /** Said once, when `resume` opened this screen at start: what was read back from the service. */
  let resumeShown = false;
  function resumeNotice(org: Organization): HTMLElement | null {
    const p = state.progress;
    if (!params.resumed || resumeShown || !p || p.org !== org.name) return null;
    if (p.step !== "connected" && p.step !== "connecting") return null;
    resumeShown = true;
    const dir = progressDirectoryName();
    const connected = p.step === "connected";
    return h(
      "div",
      { id: "resume-notice", class: `${connected ? "success-box" : "warning-box"} resume-notice`, attrs: { role: "status", "data-step": p.step } },
      statusIcon(connected ? "pass" : "warn"),
      h(
        "div",
        {},
        h("p", { class: "strong", text: S.resume.title }),
        h("p", { text: connected ? S.resume.connected(org.name, dir) : S.resume.connecting(org.name, dir) }),
      ),
    );
  }

  // ---------------------------------------------------------------- items

  function item(id: string, title: string, initial: ItemState | null): { li: HTMLLIElement; body: HTMLElement; set: (s: ItemState) => void } {
    const titleId = `${id}-title`;
    const stateSlot = h("span", { class: "item-state" });
    const set = (s: ItemState) => {
      replace(stateSlot, badge(S.after.state[s], ITEM_MARK[s], "item-state"));
      stateSlot.firstElementChild?.setAttribute("data-state", s);
    };
    if (initial) set(initial);
    const body = h("div", { class: "item-body" });
    const li = h(
      "li",
      { id, class: "checklist-item", attrs: { "aria-labelledby": titleId } },
      h("div", { class: "item-header" }, h("h3", { id: titleId, class: "item-title", text: title }), stateSlot),
      body,
    );
    return { li, body, set };
  }

  function notYet(body: HTMLElement): void {
    body.append(h("p", { class: "muted", text: S.after.noOrgs }));
  }

  function workSignInItem(org: Organization, connected: boolean, dir: string): HTMLLIElement {
    const tenantId = org.directory.tenantId;
    const done = connected && signedInTo(tenantId);
    const it = item("item-work-signin", S.after.workSignIn.title, connected ? (done ? "done" : "todo") : "na");
    if (!connected || !tenantId) {
      notYet(it.body);
      return it.li;
    }
    const user = state.session.user;
    // The same device-code screen as the first sign-in, against the connected directory.
    const b = button(S.after.workSignIn.button, {
      id: "work-signin-button",
      kind: done ? "secondary" : "primary",
      onClick: () => navigate("signin", { returnTo: "after", org: org.name, tenantId }),
    });
    append(
      it.body,
      h("p", { id: "work-signin-why", class: "strong", text: S.after.workSignIn.why }),
      h("p", { text: S.after.workSignIn.text(dir) }),
      done && user
        ? h("p", { id: "work-signin-done", text: S.after.workSignIn.done(user.email, dir) })
        : user
          ? h("p", { class: "muted", text: S.after.workSignIn.signedInAs(user.email) })
          : null,
      h("div", { class: "button-row" }, b),
    );
    return it.li;
  }

  function membersItem(org: Organization, connected: boolean): HTMLLIElement {
    const it = item("item-members", S.after.members.title, connected ? null : "na");
    if (!connected) {
      notYet(it.body);
      return it.li;
    }
    const area = h("div", {}, progress(S.after.members.loading, { id: "members-loading" }));
    it.body.append(
      h("p", { text: S.after.members.text }),
      area,
      h("p", {}, externalLink(S.after.members.usersPage, `https://dev.azure.com/${encodeURIComponent(org.name)}/_settings/users`, { id: "users-page-link" })),
    );
    const load = async () => {
      replace(area, progress(S.after.members.loading, { id: "members-loading" }));
      let members: Member[];
      try {
        members = await listMembers(org.name);
      } catch (e) {
        if (blade.closed || handleAuthError(e)) return;
        replace(area, errorPanel(e, { actions: [button(S.common.retry, { onClick: () => void load() })] }));
        return;
      }
      if (blade.closed) return;
      const disconnected = members.filter((m) => m.disconnected).length;
      it.set(disconnected ? "todo" : "done");
      const c = S.after.members.columns;
      const { table, row } = dataTable({ id: "members-list", caption: S.after.members.caption, columns: [c.name, c.email, c.account, c.access, c.status] });
      for (const m of members) {
        table.tBodies[0].append(
          row(
            [
              { content: m.displayName, rowHeader: true },
              { content: m.email },
              { content: S.after.members.origin[m.origin] ?? m.origin },
              { content: m.accessLevel },
              {
                content: m.disconnected
                  ? badge(S.after.members.disconnected, "warn", "member-status")
                  : badge(S.after.members.ok, "pass", "member-status"),
              },
            ],
            { "data-member": m.email },
          ),
        );
      }
      replace(
        area,
        h("p", { id: "members-summary", text: disconnected ? S.after.members.countDisconnected(disconnected) : S.after.members.none }),
        h("div", { class: "table-wrap" }, table),
      );
    };
    void load();
    return it.li;
  }

  function inviteItem(org: Organization, connected: boolean, p: OrgProgress): HTMLLIElement {
    const anySignedIn = () => [...p.invitations.values()].some((i) => i.state === "signed-in");
    const it = item("item-invite", S.after.invite.title, connected ? (anySignedIn() ? "done" : "todo") : "na");
    if (!connected) {
      notYet(it.body);
      return it.li;
    }
    const email = h("input", {
      id: "invite-email",
      class: "text-input",
      attrs: { type: "email", autocomplete: "email", spellcheck: "false", "aria-describedby": "invite-error" },
    });
    const error = h("p", { id: "invite-error", class: "field-error" });
    const radio = (level: AccessLevel, label: string, checked: boolean) => {
      const input = h("input", { id: `access-${level}`, attrs: { type: "radio", name: "access", value: level } });
      input.checked = checked;
      return h("div", { class: "radio" }, input, h("label", { text: label, attrs: { for: input.id } }));
    };
    const submit = h("button", { id: "invite-submit", class: "btn btn-primary", text: S.after.invite.submit, attrs: { type: "submit" } });
    const status = h("div", { attrs: { "aria-live": "polite" } });
    const list = h("ul", { id: "invitation-list", class: "invitation-list", attrs: { "aria-label": S.after.invite.listLabel } });
    const form = h(
      "form",
      { id: "invite-form", class: "form", attrs: { novalidate: true } },
      h("div", { class: "field" }, h("label", { text: S.after.invite.email, attrs: { for: "invite-email" } }), email, error),
      h(
        "fieldset",
        { class: "fieldset" },
        h("legend", { text: S.after.invite.access }),
        radio("stakeholder", S.after.invite.stakeholder, true),
        radio("basic", S.after.invite.basic, false),
      ),
      h("div", { class: "button-row" }, submit),
      status,
    );
    it.body.append(h("p", { text: S.after.invite.text }), form, list);

    const rows = new Map<string, HTMLLIElement>();
    const timers = new Map<string, number>();
    /** Invitations saved by an earlier session, with when they were sent. */
    const tracked = trackedByOrg(org.name);
    /** Set when another organization is chosen: answers still on the way are dropped. */
    let gone = false;
    disposers.push(() => {
      gone = true;
      timers.forEach((t) => window.clearTimeout(t));
    });

    const renderInvitation = (inv: Invitation) => {
      p.invitations.set(inv.email, inv);
      let li = rows.get(inv.email);
      if (!li) {
        li = h("li", { class: "invitation", attrs: { "data-email": inv.email, "data-tracked": tracked.has(inv.email) } });
        rows.set(inv.email, li);
        list.append(li);
      }
      const mark: Mark = inv.state === "signed-in" ? "done" : inv.state === "waiting" ? "active" : "todo";
      const stateBadge = badge(S.after.invite.states[inv.state] ?? inv.state, mark, "invitation-state");
      stateBadge.setAttribute("data-state", inv.state);
      const check = button(S.after.invite.check, {
        kind: "subtle",
        testid: "invitation-check",
        label: S.after.invite.checkNow(inv.email),
        onClick: () => void whileBusy(check, () => poll(inv.email, false)),
      });
      const hadFocus = li.contains(document.activeElement);
      const name = h("span", { class: "invitation-email", text: inv.email, attrs: { tabindex: "-1" } });
      const since = tracked.get(inv.email);
      replace(
        li,
        name,
        stateBadge,
        since ? h("span", { class: "hint", text: S.resume.invitedAt(formatDate(since)) }) : null,
        inv.state === "signed-in" ? null : check,
      );
      // Re-drawing the row must not drop a keyboard user's focus.
      if (hadFocus) (inv.state === "signed-in" ? name : check).focus();
      if (anySignedIn()) it.set("done");
    };

    const poll = async (address: string, scheduled: boolean, step = 0): Promise<void> => {
      try {
        const inv = await invitationStatus(org.name, address);
        if (blade.closed || gone) return;
        renderInvitation(inv);
        if (inv.state === "signed-in") {
          window.clearTimeout(timers.get(address));
          record(S.activity.invitationSignedIn(address, org.name));
          return;
        }
      } catch (e) {
        if (blade.closed || gone || handleAuthError(e)) return;
        if (!scheduled) replace(status, errorPanel(e));
      }
      if (scheduled) watch(address, step + 1);
    };

    const watch = (address: string, step = 0) => {
      window.clearTimeout(timers.get(address));
      const secs = WATCH_STEPS_SECS[Math.min(step, WATCH_STEPS_SECS.length - 1)];
      timers.set(address, window.setTimeout(() => void poll(address, true, step), secs * 1000));
    };

    // Invitations an earlier session saved (the watch survives closing the app): listed, and
    // those not signed in yet are checked again now, then watched.
    const recheck: string[] = [];
    for (const t of state.progress?.invitations ?? []) {
      if (t.org !== org.name || p.invitations.has(t.email)) continue;
      p.invitations.set(t.email, { email: t.email, state: t.signedIn ? "signed-in" : "invited" });
      if (!t.signedIn) recheck.push(t.email);
    }
    for (const inv of p.invitations.values()) {
      renderInvitation(inv);
      if (inv.state !== "signed-in" && !recheck.includes(inv.email)) watch(inv.email);
    }
    for (const address of recheck) void poll(address, true);

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      error.textContent = "";
      email.removeAttribute("aria-invalid");
      const address = email.value.trim();
      if (!EMAIL.test(address)) {
        error.textContent = S.after.invite.emailInvalid;
        email.setAttribute("aria-invalid", "true");
        email.focus();
        return;
      }
      const level = (form.querySelector("input[name=access]:checked") as HTMLInputElement | null)?.value as AccessLevel;
      void whileBusy(submit, async () => {
        replace(status, progress(S.after.invite.inviting));
        try {
          const inv = await inviteUser(org.name, address, level ?? "stakeholder");
          if (blade.closed) return;
          replace(status);
          record(S.after.invite.activity(address, level));
          renderInvitation(inv);
          email.value = "";
          if (inv.state !== "signed-in") watch(inv.email);
        } catch (err) {
          if (blade.closed || handleAuthError(err)) return;
          replace(status, errorPanel(err));
        }
      });
    });
    return it.li;
  }

  function gcmItem(org: Organization, p: OrgProgress): HTMLLIElement {
    const it = item("item-gcm", S.after.gcm.title, p.gcmDone ? "done" : "todo");
    it.body.append(
      gcmPanel(org.name, {
        closed: () => blade.closed,
        level: 4,
        onState: (done) => {
          p.gcmDone = done;
          it.set(done ? "done" : "todo");
        },
      }),
    );
    return it.li;
  }

  function patItem(org: Organization, connected: boolean, p: OrgProgress): HTMLLIElement {
    const it = item("item-pat", S.after.pat.title, connected ? (p.patCreated ? "done" : "todo") : "na");
    if (!connected) {
      notYet(it.body);
      return it.li;
    }
    const name = h("input", { id: "pat-name", class: "text-input", attrs: { type: "text", autocomplete: "off", "aria-describedby": "pat-error" } });
    name.value = S.after.pat.defaultName;
    const days = h("input", { id: "pat-days", class: "text-input short", attrs: { type: "number", min: 1, max: 365, step: 1, inputmode: "numeric", "aria-describedby": "pat-error" } });
    days.value = "30";
    const scopes = h(
      "fieldset",
      { class: "fieldset", attrs: { "aria-describedby": "pat-scopes-hint" } },
      h("legend", { text: S.after.pat.scopesLegend }),
      h("p", { id: "pat-scopes-hint", class: "hint", text: S.after.pat.scopesHint }),
      ...S.after.pat.scopes.map(([scope, label]) => {
        const id = `pat-scope-${scope}`;
        const input = h("input", { id, attrs: { type: "checkbox", name: "pat-scope", value: scope } });
        input.checked = scope === S.after.pat.scopes[0][0];
        return h("div", { class: "checkbox" }, input, h("label", { text: label, attrs: { for: id } }));
      }),
    );
    const error = h("p", { id: "pat-error", class: "field-error" });
    const submit = h("button", { id: "pat-submit", class: "btn btn-primary", text: S.after.pat.submit, attrs: { type: "submit" } });
    const result = h("div", { id: "pat-result-slot", attrs: { "aria-live": "polite" } });
    const form = h(
      "form",
      { id: "pat-form", class: "form", attrs: { novalidate: true } },
      h("div", { class: "field" }, h("label", { text: S.after.pat.name, attrs: { for: "pat-name" } }), name),
      scopes,
      h("div", { class: "field" }, h("label", { text: S.after.pat.days, attrs: { for: "pat-days" } }), days),
      error,
      h("div", { class: "button-row" }, submit),
    );
    it.body.append(h("p", { text: S.after.pat.text }), form, result);

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      error.textContent = "";
      const chosen = [...form.querySelectorAll<HTMLInputElement>("input[name=pat-scope]:checked")].map((i) => i.value as PatScope);
      const n = Number(days.value);
      const tokenName = name.value.trim();
      if (!tokenName) {
        error.textContent = S.after.pat.nameInvalid;
        name.focus();
        return;
      }
      if (chosen.length === 0) {
        error.textContent = S.after.pat.scopesNone;
        (form.querySelector("input[name=pat-scope]") as HTMLInputElement).focus();
        return;
      }
      if (!Number.isInteger(n) || n < 1 || n > 365) {
        error.textContent = S.after.pat.daysInvalid;
        days.focus();
        return;
      }
      void whileBusy(submit, async () => {
        replace(result, progress(S.after.pat.creating));
        try {
          const pat = await createPat(org.name, tokenName, chosen, n);
          if (blade.closed) return;
          p.patCreated = true;
          it.set("done");
          record(S.after.pat.activity(pat.name));
          showToken(pat.token, pat.validTo);
        } catch (err) {
          if (!blade.closed && !handleAuthError(err)) replace(result, errorPanel(err));
        }
      });
    });

    // The token exists only in this input, only until "I have stored it" or the screen closes.
    function showToken(token: string, validTo: string): void {
      const input = h("input", {
        id: "pat-token",
        class: "text-input token",
        attrs: { type: "text", readonly: true, spellcheck: "false", autocomplete: "off", "aria-describedby": "pat-once" },
      });
      input.value = token;
      const copyStatus = h("p", { id: "pat-copy-status", class: "copy-status", attrs: { role: "status" } });
      const copy = button(S.after.pat.copy, {
        id: "pat-copy-button",
        kind: "primary",
        onClick: async () => {
          const ok = await copyText(input.value);
          copyStatus.textContent = ok ? S.common.copied : S.common.copyFailed;
          if (!ok) input.select();
        },
      });
      const forget = () => {
        input.value = "";
        replace(result, h("p", { id: "pat-cleared", class: "muted", text: S.after.pat.cleared }));
      };
      const doneButton = button(S.after.pat.done, { id: "pat-done", onClick: forget });
      const titleId = "pat-result-title";
      replace(
        result,
        h(
          "section",
          { id: "pat-result", class: "token-box", attrs: { "aria-labelledby": titleId } },
          h("h4", { id: titleId, class: "section-title", text: S.after.pat.resultTitle, attrs: { tabindex: "-1" } }),
          h("p", { id: "pat-once", class: "strong", text: S.after.pat.showOnce }),
          h("label", { text: S.after.pat.tokenLabel, attrs: { for: "pat-token" } }),
          h("div", { class: "inline-field" }, input, copy),
          copyStatus,
          h("p", { text: S.after.pat.validTo(formatDate(validTo)) }),
          h("h5", { class: "subsection-title", text: S.after.pat.whereTitle }),
          h("p", { text: S.after.pat.where }),
          h("div", { class: "button-row" }, doneButton),
        ),
      );
      (result.querySelector(`#${titleId}`) as HTMLElement).focus();
      disposers.push(() => {
        input.value = "";
      });
    }
    return it.li;
  }

  function vsItem(p: OrgProgress): HTMLLIElement {
    const it = item("item-vs", S.after.vs.title, p.vsChecked ? "done" : "todo");
    const box = h("input", { id: "vs-done", attrs: { type: "checkbox" } });
    box.checked = p.vsChecked;
    box.addEventListener("change", () => {
      p.vsChecked = box.checked;
      it.set(box.checked ? "done" : "todo");
    });
    it.body.append(
      h("p", { text: S.after.vs.text }),
      h("p", {}, externalLink(S.after.vs.link, "https://my.visualstudio.com/subscriptions", { id: "vs-link" })),
      h("div", { class: "checkbox" }, box, h("label", { text: S.after.vs.markDone, attrs: { for: "vs-done" } })),
    );
    return it.li;
  }

  function nextItem(): HTMLLIElement {
    const it = item("item-next", S.after.next.title, null);
    it.body.append(
      h(
        "ul",
        { class: "link-list" },
        h("li", {}, externalLink(S.after.next.users, "https://learn.microsoft.com/azure/devops/organizations/accounts/add-organization-users", { id: "next-users-link" })),
        h("li", {}, externalLink(S.after.next.groups, "https://learn.microsoft.com/azure/devops/organizations/accounts/manage-azure-active-directory-groups", { id: "next-groups-link" })),
      ),
    );
    return it.li;
  }

  void start();
  return blade;
}
