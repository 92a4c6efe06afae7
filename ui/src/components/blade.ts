// A blade: the portal's panel that opens to the right of the one it came from. It has a
// title (h2: the page's h1 is the app's name in the top bar, so headings stay in order however
// many blades are open or hidden), an optional command bar, a body, and clean-up hooks that
// run when it closes (timers, event listeners). Sections inside a blade use h3.

import { S } from "../strings";
import { h } from "./dom";

export interface BladeOptions {
  id: string;
  title: string;
  subtitle?: string;
}

export class Blade {
  readonly el: HTMLElement;
  readonly heading: HTMLHeadingElement;
  readonly commandBar: HTMLElement;
  readonly body: HTMLElement;
  readonly closeButton: HTMLButtonElement;
  private readonly subtitleEl: HTMLElement;
  private readonly cleanups: (() => void)[] = [];
  /** Set by the shell: asks it to close this blade (and those to its right). */
  requestClose: () => void = () => undefined;
  closed = false;

  constructor(readonly o: BladeOptions) {
    const headingId = `${o.id}-title`;
    this.heading = h("h2", {
      id: headingId,
      class: "blade-title",
      text: o.title,
      attrs: { tabindex: "-1" },
    }) as HTMLHeadingElement;
    this.subtitleEl = h("p", { class: "blade-subtitle", text: o.subtitle ?? "" });
    this.subtitleEl.hidden = !o.subtitle;
    this.closeButton = h("button", {
      class: "blade-close",
      text: "✕",
      attrs: { type: "button", "aria-label": S.blade.close(o.title), "data-testid": "blade-close" },
      on: { click: () => this.requestClose() },
    });
    this.commandBar = h("div", { class: "command-bar", attrs: { role: "group", "aria-label": S.blade.commands } });
    this.commandBar.hidden = true;
    this.body = h("div", { class: "blade-body" });
    this.el = h(
      "section",
      { id: o.id, class: "blade", attrs: { "aria-labelledby": headingId } },
      h("header", { class: "blade-header" }, h("div", { class: "blade-titles" }, this.heading, this.subtitleEl), this.closeButton),
      this.commandBar,
      this.body,
    );
  }

  get title(): string {
    return this.heading.textContent ?? "";
  }

  setTitle(title: string): void {
    this.heading.textContent = title;
    this.closeButton.setAttribute("aria-label", S.blade.close(title));
  }

  setSubtitle(text: string): void {
    this.subtitleEl.textContent = text;
    this.subtitleEl.hidden = !text;
  }

  addCommands(...buttons: HTMLElement[]): void {
    this.commandBar.append(...buttons);
    this.commandBar.hidden = false;
  }

  onClose(fn: () => void): void {
    this.cleanups.push(fn);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // clean-up must not stop the others
      }
    }
  }
}
