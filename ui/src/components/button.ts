// Buttons and links. Native <button> and <a> elements, so Enter, Space and screen readers
// work without extra code.

import { openLink, UserError } from "../api";
import { S } from "../strings";
import { h } from "./dom";
import { toast } from "./toast";

export type ButtonKind = "primary" | "secondary" | "subtle" | "command" | "danger";

export interface ButtonOptions {
  id?: string;
  kind?: ButtonKind;
  icon?: string;
  testid?: string;
  describedBy?: string;
  label?: string;
  onClick?: (e: MouseEvent) => void;
}

export function button(text: string, o: ButtonOptions = {}): HTMLButtonElement {
  const b = h("button", {
    id: o.id,
    class: `btn btn-${o.kind ?? "secondary"}`,
    attrs: {
      type: "button",
      "data-testid": o.testid,
      "aria-describedby": o.describedBy,
      "aria-label": o.label,
    },
  });
  if (o.icon) b.append(h("span", { class: "btn-icon", text: o.icon, attrs: { "aria-hidden": "true" } }));
  b.append(h("span", { class: "btn-text", text }));
  if (o.onClick) b.addEventListener("click", o.onClick);
  return b;
}

export function setButtonText(b: HTMLButtonElement, text: string): void {
  const t = b.querySelector(".btn-text");
  if (t) t.textContent = text;
  else b.textContent = text;
}

/**
 * Runs `work` with the button marked busy, so a second click while the first is in flight
 * does nothing. The button stays focusable (aria-disabled, not disabled): a keyboard user's
 * focus is not thrown back to the top of the page.
 */
export async function whileBusy<T>(b: HTMLButtonElement, work: () => Promise<T>): Promise<T | undefined> {
  if (b.getAttribute("aria-busy") === "true") return undefined;
  b.setAttribute("aria-busy", "true");
  b.setAttribute("aria-disabled", "true");
  try {
    return await work();
  } finally {
    b.removeAttribute("aria-busy");
    b.removeAttribute("aria-disabled");
  }
}

/**
 * A link to a page on the web. It is a real <a> (so it reads and behaves as a link), but the
 * click goes through `open_link`, which opens the system browser after Rust checks the allowlist.
 */
export function externalLink(text: string, url: string, o: { id?: string; testid?: string } = {}): HTMLAnchorElement {
  const a = h("a", {
    id: o.id,
    class: "external-link",
    text,
    attrs: { href: url, "data-testid": o.testid, rel: "noopener noreferrer" },
  });
  a.append(h("span", { class: "sr-only", text: ` ${S.common.opensInBrowser}` }));
  a.addEventListener("click", (e) => {
    e.preventDefault();
    openLink(url).catch((err) => {
      const u = UserError.from(err);
      toast({ kind: "error", title: S.common.linkFailed, text: u.message });
    });
  });
  return a;
}
