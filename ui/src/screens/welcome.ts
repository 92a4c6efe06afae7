// Welcome: what ADO Connect does, the words it uses, the steps of the procedure, and Start.
//
// Element ids: #welcome (blade), #welcome-title, #welcome-terms, #welcome-steps,
// #start-button, #welcome-signed-in.

import { Blade } from "../components/blade";
import { button } from "../components/button";
import { append, h } from "../components/dom";
import { navigate } from "../shell";
import { state } from "../state";
import { S } from "../strings";

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
    h("p", { class: "lead", text: S.welcome.intro }),
    h("section", { class: "card", attrs: { "aria-labelledby": "welcome-terms-title" } },
      h("h3", { id: "welcome-terms-title", text: S.welcome.termsTitle }),
      terms,
    ),
    h("section", { class: "card", attrs: { "aria-labelledby": "welcome-steps-title" } },
      h("h3", { id: "welcome-steps-title", text: S.welcome.stepsTitle }),
      steps,
    ),
    user ? h("p", { id: "welcome-signed-in", text: S.welcome.continueAs(user.displayName) }) : null,
    h(
      "div",
      { class: "button-row" },
      button(S.welcome.start, {
        id: "start-button",
        kind: "primary",
        onClick: () => navigate(state.session.signedIn ? "services" : "signin", { returnTo: "services" }),
      }),
    ),
  );
  return blade;
}
