// Entry point: asks Rust for the app's settings and who is signed in (both at once), then
// where the wizard stopped last time (`resume`, which re-reads it from the service), builds the
// frame, registers the screens (Home at once, the others as chunks loaded on demand), and opens
// the screen that matches: the after-connect checklist for a connected organization, the
// Connect blade for one whose connect did not happen, Home otherwise (Home also says where the
// user left off when a sign-in is needed first).

import { appInfo, resume, updateAvailable, sessionStatus, UserError, type SessionStatus, type WizardProgress } from "./api";
import { h, replace } from "./components/dom";
import { welcomeScreen } from "./screens/welcome";
import { toast } from "./components/toast";
import { announceUpdate, buildShell, navigate, preloadScreens, registerLazyRoute, registerRoute, showFatal } from "./shell";
import { record, state } from "./state";
import { S } from "./strings";

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  replace(root, h("p", { class: "booting", text: S.app.loading, attrs: { role: "status" } }));
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
  performance.mark("boot-answered");
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

  performance.mark("boot-resumed");
  // Home is in the first chunk; every other screen is a chunk of its own, loaded on first use
  // or in the background once the first screen is up.
  registerRoute("home", welcomeScreen);
  registerLazyRoute("signin", () => import("./screens/signIn").then((m) => m.signInScreen));
  registerLazyRoute("services", () => import("./screens/allServices").then((m) => m.allServicesScreen));
  registerLazyRoute("orgs", () => import("./screens/organizations").then((m) => m.organizationsScreen));
  registerLazyRoute("after", () => import("./screens/afterConnect").then((m) => m.afterConnectScreen));
  registerLazyRoute("report", () => import("./screens/report").then((m) => m.reportScreen));
  registerLazyRoute("about", () => import("./screens/about").then((m) => m.aboutScreen));
  buildShell(root);
  await openWhereLeftOff(state.progress);
  if (resumeError) toast({ kind: "warning", title: S.resume.failed, text: `${resumeError.message} ${resumeError.remedy}`.trim() });
  performance.mark("app-ready");
  document.documentElement.dataset.ready = "true";
  // Rust checks for an update once at start; the call answers when the check is over, so asking
  // once the first screen is up misses nothing. The notice is a courtesy: if the call fails, the
  // app works the same without it.
  updateAvailable()
    .then((u) => u && announceUpdate(u))
    .catch(() => undefined);
  void preloadScreens();
}

/** Opens the screen matching the saved step. Focus stays put: nothing was asked for yet. */
function openWhereLeftOff(p: WizardProgress | undefined): Promise<void> {
  const signedIn = state.session.signedIn;
  if (p?.org && signedIn && (p.step === "connected" || p.step === "connecting")) {
    return navigate("after", { org: p.org, resumed: true }, { focus: false });
  } else if (p?.org && signedIn && p.step === "directory") {
    return navigate("orgs", { org: p.org, connect: true, resumed: true }, { focus: false });
  }
  // Signed out, Home says where the user left off and signs in towards it.
  return navigate("home", {}, { focus: false });
}

void boot();
