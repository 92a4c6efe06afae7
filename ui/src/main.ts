// Entry point: asks Rust who is signed in, builds the frame, registers the screens, opens Home.

import { appInfo, sessionStatus, UserError } from "./api";
import { h, replace } from "./components/dom";
import { aboutScreen } from "./screens/about";
import { afterConnectScreen } from "./screens/afterConnect";
import { allServicesScreen } from "./screens/allServices";
import { organizationsScreen } from "./screens/organizations";
import { reportScreen } from "./screens/report";
import { signInScreen } from "./screens/signIn";
import { welcomeScreen } from "./screens/welcome";
import { buildShell, navigate, registerRoute, showFatal } from "./shell";
import { record, state } from "./state";
import { S } from "./strings";

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  replace(root, h("p", { class: "booting", text: S.app.loading, attrs: { role: "status" } }));
  try {
    state.app = await appInfo();
  } catch (e) {
    showFatal(root, e);
    return;
  }
  try {
    state.session = await sessionStatus();
  } catch (e) {
    // Without a keychain the app still works; the sign-in is just not remembered.
    const err = UserError.from(e);
    state.session = {
      signedIn: false,
      remembered: false,
      keychainWarning: err.code === "keychain-unavailable" ? err.message || S.keychain.fallback : undefined,
    };
  }
  if (state.session.signedIn && state.session.user) {
    record(S.activity.remembered(state.session.user.displayName));
  }

  registerRoute("home", welcomeScreen);
  registerRoute("signin", signInScreen);
  registerRoute("services", allServicesScreen);
  registerRoute("orgs", organizationsScreen);
  registerRoute("after", afterConnectScreen);
  registerRoute("report", reportScreen);
  registerRoute("about", aboutScreen);
  buildShell(root);
  navigate("home", {}, { focus: false });
  document.documentElement.dataset.ready = "true";
}

void boot();
