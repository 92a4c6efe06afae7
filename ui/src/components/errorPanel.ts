// An error shown where it happened: what went wrong, what to do next, a help link, and
// "Copy details" (code, time, correlation id; never a token). role="alert" announces it.

import { UserError } from "../api";
import { S } from "../strings";
import { state } from "../state";
import { button, externalLink } from "./button";
import { copyText } from "./clipboard";
import { h, uid } from "./dom";

export interface ErrorPanelOptions {
  /** Buttons offered next to "Copy details" (Try again, Sign in with the browser instead…). */
  actions?: HTMLElement[];
  title?: string;
  id?: string;
  /** h3 inside a blade (the default); h2 where the panel stands outside any blade. */
  headingLevel?: 2 | 3;
}

export function errorPanel(raw: unknown, o: ErrorPanelOptions = {}): HTMLElement {
  const err = UserError.from(raw);
  const titleId = uid("error-title");
  const copied = h("p", { class: "copy-status", attrs: { role: "status", "data-testid": "copy-status" } });
  const copy = button(S.error.copyDetails, {
    testid: "copy-details",
    onClick: async () => {
      const ok = await copyText(err.copyDetails(state.app?.version));
      copied.textContent = ok ? S.error.detailsCopied : S.common.copyFailed;
    },
  });
  return h(
    "div",
    {
      id: o.id,
      class: "error-panel",
      attrs: { role: "alert", "aria-labelledby": titleId, "data-testid": "error-panel", "data-code": err.code },
    },
    h(o.headingLevel === 2 ? "h2" : "h3", { id: titleId, class: "error-title" }, h("span", { class: "status-icon status-fail", text: "✕", attrs: { "aria-hidden": "true" } }), o.title ?? S.error.title),
    h("p", { class: "error-message", text: err.message, attrs: { "data-testid": "error-message" } }),
    err.remedy
      ? h("p", { class: "error-remedy", attrs: { "data-testid": "error-remedy" } }, h("strong", { text: `${S.error.whatToDo} ` }), err.remedy)
      : null,
    h("p", { class: "error-code", text: S.error.code(err.code) }),
    err.helpUrl ? h("p", {}, externalLink(S.error.help, err.helpUrl)) : null,
    h("div", { class: "button-row" }, ...(o.actions ?? []), copy),
    copied,
  );
}
