// Pass / warning / fail marks. The shape and the word carry the meaning, not only colour.

import { h } from "./dom";

export type Mark = "pass" | "warn" | "fail" | "info" | "todo" | "active" | "done" | "na";

const GLYPH: Record<Mark, string> = {
  pass: "✓",
  done: "✓",
  warn: "!",
  fail: "✕",
  info: "ℹ",
  todo: "○",
  active: "◐",
  na: "–",
};

export function statusIcon(mark: Mark): HTMLSpanElement {
  return h("span", { class: `status-icon status-${mark}`, text: GLYPH[mark], attrs: { "aria-hidden": "true" } });
}

/** A small pill with a word in it (Done, To do, Disconnected). */
export function badge(text: string, mark: Mark, testid?: string): HTMLSpanElement {
  return h("span", { class: `badge badge-${mark}`, attrs: { "data-testid": testid } }, statusIcon(mark), text);
}
