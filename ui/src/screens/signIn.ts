// Sign in: the device code, large, with "Copy code and open the sign-in page", a live
// countdown to the code's expiry, the waiting status in a live region, Cancel, and the browser
// sign-in (offered always, and prominently when a policy blocks the code).
// Polling runs in Rust; this screen only listens to `sign-in-progress`. When that says
// "signed-in", the code is replaced by #signin-success and a Continue button (#signin-continue,
// focused) that goes to where the sign-in was asked for.
// With `tenantId` it is the work-account sign-in after connecting: the same screen, titled for
// the work account, saying why in one sentence, and signing in to that directory, by the code
// or by the browser (`sign_in_browser {tenantId}`).
//
// Element ids: #signin (blade), #signin-title, #signin-why (work account only), #signin-area,
// #signin-status, #user-code, #copy-open-button, #copy-code-button, #copy-status,
// #verification-uri, #countdown, #signin-cancel, #use-browser-button,
// #browser-instead-button (policy block), #new-code-button, #signin-continue, #signin-success.

import {
  onSignInProgress,
  openLink,
  sessionStatus,
  signInBrowser,
  signInCancel,
  signInStart,
  UserError,
  type DeviceCodeStart,
  type SessionStatus,
  type SignInProgress,
  type User,
} from "../api";
import { Blade } from "../components/blade";
import { button } from "../components/button";
import { copyText } from "../components/clipboard";
import { append, h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress, statusLine } from "../components/progress";
import { statusIcon } from "../components/status";
import { navigate, type RouteParams } from "../shell";
import { directoryName, record, setSignedIn, state } from "../state";
import { S, formatMmSs } from "../strings";

export function signInScreen(params: RouteParams): Blade {
  const returnTo = params.returnTo && params.returnTo !== "signin" ? params.returnTo : "services";
  /** Where Continue goes, with the organization (and Connect) the sign-in was asked for. */
  const next = () => navigate(returnTo, { org: params.org, connect: params.connect, resumed: params.resumed });
  const tenantId = params.tenantId;
  const work = !!tenantId;
  const dirName = directoryName(tenantId) ?? (state.progress?.tenantId === tenantId ? state.progress?.directoryName : undefined) ?? tenantId ?? "";
  const blade = new Blade({ id: "signin", title: work ? S.signIn.work.title : S.signIn.title });
  const area = h("div", { id: "signin-area", class: "signin-area" });
  const status = statusLine("signin-status");

  append(
    blade.body,
    work ? h("p", { id: "signin-why", class: "lead strong", text: S.signIn.work.why }) : null,
    h("p", { class: work ? "" : "lead", text: work ? S.signIn.work.intro(dirName) : S.signIn.intro }),
    h(
      "details",
      { class: "explain" },
      h("summary", { text: work ? S.signIn.work.accountTypesSummary : S.signIn.accountTypesSummary }),
      h("p", { text: work ? S.signIn.work.accountTypes : S.signIn.accountTypes }),
    ),
    area,
    status,
  );

  let unlisten: (() => void) | undefined;
  let ticker: number | undefined;
  let deadline = 0;
  let deviceFlowRunning = false;
  let browserRunning = false;

  const stopTicker = () => {
    if (ticker !== undefined) window.clearInterval(ticker);
    ticker = undefined;
  };

  blade.onClose(() => {
    unlisten?.();
    stopTicker();
    if (deviceFlowRunning || browserRunning) signInCancel().catch(() => undefined);
  });

  async function start(): Promise<void> {
    stopTicker();
    status.textContent = "";
    replace(area, progress(S.signIn.starting));
    try {
      if (!unlisten) unlisten = await onSignInProgress(onProgress);
      const dc = await signInStart(tenantId);
      if (blade.closed) return;
      deviceFlowRunning = true;
      showCode(dc);
    } catch (e) {
      deviceFlowRunning = false;
      if (!blade.closed) showFailure(UserError.from(e));
    }
  }

  function showCode(dc: DeviceCodeStart): void {
    const copyStatus = h("p", { id: "copy-status", class: "copy-status", attrs: { role: "status" } });
    const copy = async (): Promise<void> => {
      const ok = await copyText(dc.userCode);
      copyStatus.textContent = ok ? S.signIn.copiedCode : S.signIn.copyCodeFailed;
    };
    const countdown = h("p", { id: "countdown", class: "countdown", attrs: { role: "timer", "aria-live": "off" } });
    deadline = Date.now() + dc.expiresIn * 1000;
    const tick = () => {
      const left = Math.round((deadline - Date.now()) / 1000);
      countdown.textContent = left > 0 ? S.signIn.expiresIn(formatMmSs(left)) : S.signIn.expired;
      if (left <= 0) stopTicker();
    };
    tick();
    ticker = window.setInterval(tick, 1000);

    replace(
      area,
      h("p", { class: "step-label", text: S.signIn.step1 }),
      h(
        "div",
        { class: "code-box" },
        h("p", { id: "user-code-label", class: "code-label", text: S.signIn.codeLabel }),
        h("p", { id: "user-code", class: "user-code", text: dc.userCode, attrs: { "aria-describedby": "user-code-label" } }),
      ),
      h(
        "div",
        { class: "button-row" },
        button(S.signIn.copyAndOpen, {
          id: "copy-open-button",
          kind: "primary",
          onClick: async () => {
            await copy();
            openLink(dc.verificationUri).catch((e) => showInlineWarning(UserError.from(e).message));
          },
        }),
        button(S.signIn.copyOnly, { id: "copy-code-button", onClick: () => void copy() }),
      ),
      copyStatus,
      h("p", { id: "verification-uri", class: "step-label", text: S.signIn.step2(dc.verificationUri) }),
      countdown,
      h(
        "div",
        { class: "button-row" },
        button(work ? S.signIn.work.cancel : S.signIn.cancel, { id: "signin-cancel", onClick: () => void cancel() }),
        button(S.signIn.useBrowser, { id: "use-browser-button", kind: "subtle", onClick: () => void browser() }),
      ),
    );
    status.textContent = S.signIn.waiting;
  }

  function showInlineWarning(text: string): void {
    const el = area.querySelector("#copy-status");
    if (el) el.textContent = text;
  }

  function onProgress(p: SignInProgress): void {
    if (blade.closed) return;
    switch (p.state) {
      case "waiting":
        status.textContent = S.signIn.waiting;
        if (p.expiresInSecs !== undefined) deadline = Date.now() + p.expiresInSecs * 1000;
        break;
      case "slow-down":
        status.textContent = S.signIn.slowDown;
        break;
      case "signed-in": {
        deviceFlowRunning = false;
        stopTicker();
        const user = p.user ?? p.status?.user;
        if (user) void signedIn(user, p.status);
        else void signedInUnknown();
        break;
      }
      case "failed":
        deviceFlowRunning = false;
        stopTicker();
        showFailure(p.error ?? UserError.from(S.error.signInFailed));
        break;
    }
  }

  /** The event said "signed-in" without naming the user: ask the session who it is. */
  async function signedInUnknown(): Promise<void> {
    try {
      const s = await sessionStatus();
      if (blade.closed) return;
      if (s.signedIn && s.user) return void signedIn(s.user, s);
    } catch {
      // fall through to the failure below
    }
    if (!blade.closed) showFailure(UserError.from(S.error.signInFailed));
  }

  async function signedIn(user: User, session?: SessionStatus): Promise<void> {
    // The device-code sign-in to a directory signs in to that directory.
    setSignedIn(user, session?.keychainWarning, session?.tenant ?? (work ? tenantId : "organizations"));
    record(work ? S.activity.signedInWork(user.displayName, user.email, dirName) : S.activity.signedIn(user.displayName, user.email));
    const text = work ? S.signIn.work.signedIn(user.displayName, user.email, dirName) : S.signIn.signedIn(user.displayName, user.email);
    status.textContent = text;
    const go = button(S.signIn.continue, { id: "signin-continue", kind: "primary", onClick: next });
    replace(
      area,
      h("div", { id: "signin-success", class: "success-box" }, statusIcon("pass"), h("p", { text })),
      h("div", { class: "button-row" }, go),
    );
    go.focus();
    if (session) return;
    // The keychain may not have kept the sign-in; the session says so.
    try {
      const s = await sessionStatus();
      if (s.signedIn && s.user) setSignedIn(s.user, s.keychainWarning, s.tenant);
    } catch {
      // the sign-in itself worked; the banner is only a courtesy
    }
  }

  function showFailure(err: UserError): void {
    if (err.code === "sign-in-cancelled") {
      status.textContent = S.signIn.cancelled;
      return;
    }
    if (err.code === "keychain-unavailable") {
      setSignedIn(state.session.user, err.message);
    }
    // The error panel below is an alert and speaks for itself; the status line would repeat it.
    status.textContent = "";
    if (err.code === "sign-in-blocked-by-policy") {
      const viaBrowser = button(S.signIn.useBrowser, { id: "browser-instead-button", kind: "primary", onClick: () => void browser() });
      replace(
        area,
        h("p", { class: "lead", text: S.signIn.blockedText }),
        errorPanel(err, { title: S.signIn.blockedTitle, actions: [viaBrowser] }),
        h("div", { class: "button-row" }, button(S.common.cancel, { id: "signin-cancel", onClick: () => void cancel() })),
      );
      viaBrowser.focus();
      return;
    }
    const again = button(err.code === "sign-in-expired" ? S.signIn.newCode : S.common.retry, {
      id: "new-code-button",
      kind: "primary",
      onClick: () => void start(),
    });
    replace(
      area,
      errorPanel(err, {
        actions: [again, button(S.signIn.useBrowser, { id: "use-browser-button", onClick: () => void browser() })],
      }),
      h("div", { class: "button-row" }, button(S.common.cancel, { id: "signin-cancel", onClick: () => void cancel() })),
    );
    again.focus();
  }

  async function browser(): Promise<void> {
    stopTicker();
    if (deviceFlowRunning) {
      deviceFlowRunning = false;
      await signInCancel().catch(() => undefined);
    }
    browserRunning = true;
    status.textContent = S.signIn.browserWaiting;
    const stop = button(work ? S.signIn.work.cancel : S.signIn.cancel, { id: "signin-cancel", onClick: () => void cancel() });
    replace(area, progress(S.signIn.browserWaiting), h("div", { class: "button-row" }, stop));
    stop.focus();
    try {
      // The work-account sign-in goes to the directory by the browser too.
      const session = await signInBrowser(tenantId);
      browserRunning = false;
      if (!blade.closed && session.user) await signedIn(session.user, session);
    } catch (e) {
      browserRunning = false;
      if (!blade.closed) showFailure(UserError.from(e));
    }
  }

  async function cancel(): Promise<void> {
    if (deviceFlowRunning || browserRunning) {
      deviceFlowRunning = false;
      browserRunning = false;
      await signInCancel().catch(() => undefined);
    }
    // The work-account sign-in was asked for from the checklist, still signed in: back to it.
    if (work && state.session.signedIn) next();
    else navigate("home");
  }

  void start();
  return blade;
}
