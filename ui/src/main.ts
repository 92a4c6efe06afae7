// Entry point: asks Rust for the app's settings and who is signed in (both at once), then
// where the wizard stopped last time (`resume`, which re-reads it from the service), builds the
// frame, registers the screens, and opens the screen that matches: the after-connect checklist
// for a connected organization, the Connect blade for one whose connect did not happen, Home
// otherwise (Home also says where the user left off when a sign-in is needed first).

import { appInfo, onUpdateAvailable, resume, updateAvailable, sessionStatus, UserError, type SessionStatus, type WizardProgress } from "./api";
import { h, replace } from "./components/dom";
import { aboutScreen } from "./screens/about";
import { afterConnectScreen } from "./screens/afterConnect";
import { allServicesScreen } from "./screens/allServices";
import { organizationsScreen } from "./screens/organizations";
import { reportScreen } from "./screens/report";
import { signInScreen } from "./screens/signIn";
import { welcomeScreen } from "./screens/welcome";
import { toast } from "./components/toast";
import { announceUpdate, buildShell, navigate, registerRoute, showFatal } from "./shell";
import { record, state } from "./state";
import { S } from "./strings";

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  replace(root, h("p", { class: "booting", text: S.app.loading, attrs: { role: "status" } }));
  // Rust checks for an update once at start; listen first so the answer is not missed. The
  // notice is a courtesy: if listening fails, the app works the same without it.
  onUpdateAvailable(announceUpdate)
    // The check may have answered before this page listened: Rust keeps what it found.
    .then(() => updateAvailable())
    .then((u) => u && announceUpdate(u))
    .catch(() => undefined);
  // app_info and session_status do not depend on each other, so they go out together (with a
  // settings error, session_status fails fast with it and the fallback below applies, as it
  // did when it was asked second). resume must wait for session_status: that restores the
  // remembered sign-in, without which core's resume skips re-checking the invitations.
  const info = appInfo();
  const session = sessionStatus().catch((e): SessionStatus => {
    // Without a keychain the app still works; the sign-in is just not remembered.
    const err = UserError.from(e);
    return {
      signedIn: false,
      remembered: false,
      keychainWarning: err.code === "keychain-unavailable" ? err.message || S.keychain.fallback : undefined,
    };
  });
  try {
    state.app = await info;
  } catch (e) {
    showFatal(root, e);
    return;
  }
  state.session = await session;
  if (state.session.signedIn && state.session.user) {
    record(S.activity.remembered(state.session.user.displayName));
  }
  // Where the wizard stopped; without it the app simply starts at Home.
  let resumeError: UserError | undefined;
  if (!state.app.configError) {
    try {
      state.progress = await resume();
    } catch (e) {
      resumeError = UserError.from(e);
    }
  }

  registerRoute("home", welcomeScreen);
  registerRoute("signin", signInScreen);
  registerRoute("services", allServicesScreen);
  registerRoute("orgs", organizationsScreen);
  registerRoute("after", afterConnectScreen);
  registerRoute("report", reportScreen);
  registerRoute("about", aboutScreen);
  buildShell(root);
  openWhereLeftOff(state.progress);
  if (resumeError) toast({ kind: "warning", title: S.resume.failed, text: `${resumeError.message} ${resumeError.remedy}`.trim() });
  performance.mark("app-ready");
  document.documentElement.dataset.ready = "true";
}

/** Opens the screen matching the saved step. Focus stays put: nothing was asked for yet. */
function openWhereLeftOff(p: WizardProgress | undefined): void {
  const signedIn = state.session.signedIn;
  if (p?.org && signedIn && (p.step === "connected" || p.step === "connecting")) {
    navigate("after", { org: p.org, resumed: true }, { focus: false });
  } else if (p?.org && signedIn && p.step === "directory") {
    navigate("orgs", { org: p.org, connect: true, resumed: true }, { focus: false });
  } else {
    // Signed out, Home says where the user left off and signs in towards it.
    navigate("home", {}, { focus: false });
  }
}

void boot();
