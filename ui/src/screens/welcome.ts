// Welcome: what ADO Connect does, the words it uses, the steps of the procedure, and Start.
// Signed out with saved progress (a connected organization, or a connect that did not happen),
// it first says where the user left off, with a button that signs in and goes there.
//
// Element ids: #welcome (blade), #welcome-title, #welcome-terms-box (folded) with
// #welcome-terms-title and #welcome-terms, #welcome-steps,
// #start-button, #welcome-signed-in, #resume-notice, #resume-continue.

import { Blade } from "../components/blade";
import { button } from "../components/button";
import { append, h } from "../components/dom";
import { statusIcon } from "../components/status";
import { navigate } from "../shell";
import { progressDirectoryName, state } from "../state";
import { S } from "../strings";

/** Where the user left off, when a sign-in stands between them and it. */
function resumeNotice(): HTMLElement | null {
  const p = state.progress;
  if (state.session.signedIn || !p?.org) return null;
  const connected = p.step === "connected" || p.step === "connecting";
  if (!connected && p.step !== "directory") return null;
  const dir = progressDirectoryName();
  const go = button(S.resume.continue, {
    id: "resume-continue",
    kind: "primary",
    onClick: () =>
      navigate("signin", connected ? { returnTo: "after", org: p.org, resumed: true } : { returnTo: "orgs", org: p.org, connect: true, resumed: true }),
  });
  return h(
    "section",
    { id: "resume-notice", class: "note resume-notice", attrs: { "aria-labelledby": "resume-notice-title", "data-step": p.step } },
    h("h3", { id: "resume-notice-title", text: S.resume.title }),
    h("p", {}, statusIcon("info"), " ", connected ? S.resume.connectedSignedOut(p.org, dir) : S.resume.directorySignedOut(p.org, dir)),
    h("div", { class: "button-row" }, go),
  );
}

export function welcomeScreen(): Blade {
  const blade = new Blade({ id: "welcome", title: S.welcome.title });
  const terms = h("dl", { id: "welcome-terms", class: "terms" });
  for (const [term, meaning] of S.welcome.terms) {
    terms.append(h("dt", { text: term }), h("dd", { text: meaning }));
  }
  const steps = h("ol", { id: "welcome-steps", class: "steps" });
  for (const s of S.welcome.steps) steps.append(h("li", { text: s }));

  const user = state.session.signedIn ? state.session.user : undefined;
  append(
    blade.body,
    resumeNotice(),
    h("p", { class: "lead", text: S.welcome.intro }),
    h("section", { class: "card", attrs: { "aria-labelledby": "welcome-steps-title" } },
      h("h3", { id: "welcome-steps-title", text: S.welcome.stepsTitle }),
      steps,
    ),
    user ? h("p", { id: "welcome-signed-in", text: S.welcome.continueAs(user.displayName) }) : null,
    // Start is in view without scrolling; the words explained come after it, folded (the
    // browser's own disclosure: Enter or Space opens it).
    h(
      "div",
      { class: "button-row" },
      button(S.welcome.start, {
        id: "start-button",
        kind: "primary",
        onClick: () => navigate(state.session.signedIn ? "services" : "signin", { returnTo: "services" }),
      }),
    ),
    h("details", { id: "welcome-terms-box", class: "card terms-box" },
      h("summary", { id: "welcome-terms-title", text: S.welcome.termsTitle }),
      terms,
    ),
  );
  return blade;
}
