// "Please wait" indicators. Every wait longer than about 300 ms shows one of these, with a
// sentence saying what is happening, in a status live region.

import { h } from "./dom";

export function progress(text: string, o: { id?: string } = {}): HTMLElement {
  return h(
    "div",
    { id: o.id, class: "progress", attrs: { role: "status", "data-testid": "progress" } },
    h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "progress-text", text }),
  );
}

/** A status line (live region) whose text can change: waiting, connecting, connected. */
export function statusLine(id?: string): HTMLElement {
  return h("div", { id, class: "status-line", attrs: { role: "status", "aria-live": "polite" } });
}
