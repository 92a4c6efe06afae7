// Toasts (short-lived messages in a polite live region) and notifications (the portal's
// bell: every "connected" message is also kept in a list the user can reopen).

import { S, formatTime } from "../strings";
import { h } from "./dom";

export type ToastKind = "info" | "success" | "warning" | "error";

export interface ToastOptions {
  kind?: ToastKind;
  title: string;
  text?: string;
  /** Stays until closed (notifications); other toasts leave after a while. */
  persist?: boolean;
  id?: string;
}

export interface Notice {
  title: string;
  text: string;
  at: Date;
  kind: ToastKind;
}

const ICONS: Record<ToastKind, string> = { info: "ℹ", success: "✓", warning: "!", error: "✕" };
const LIFETIME_MS = 12000;

let region: HTMLElement | null = null;
const notices: Notice[] = [];
let unread = 0;
const listeners = new Set<() => void>();

/** The live region must exist before anything is put in it, or screen readers miss it. */
export function initToasts(el: HTMLElement): void {
  region = el;
}

export function toast(o: ToastOptions): HTMLElement {
  const kind = o.kind ?? "info";
  const close = h("button", {
    class: "toast-close",
    text: "✕",
    attrs: { type: "button", "aria-label": `${S.common.close}: ${o.title}` },
  });
  const el = h(
    "div",
    { id: o.id, class: `toast toast-${kind}`, attrs: { "data-testid": "toast" } },
    h("span", { class: `toast-icon status-${kind}`, text: ICONS[kind], attrs: { "aria-hidden": "true" } }),
    h(
      "div",
      { class: "toast-body" },
      h("p", { class: "toast-title", text: o.title }),
      o.text ? h("p", { class: "toast-text", text: o.text }) : null,
    ),
    close,
  );
  const remove = () => {
    if (el.contains(document.activeElement)) (document.getElementById("main") as HTMLElement | null)?.focus();
    el.remove();
  };
  close.addEventListener("click", remove);
  if (!o.persist) {
    const timer = window.setInterval(() => {
      // Never pull a message away from someone who is reading or using it.
      if (el.matches(":hover") || el.contains(document.activeElement)) return;
      window.clearInterval(timer);
      el.remove();
    }, LIFETIME_MS);
  }
  region?.append(el);
  return el;
}

/** A notification: shown as a toast with id "notification" and kept in the bell's list. */
export function notify(title: string, text: string, kind: ToastKind = "success"): HTMLElement {
  document.getElementById("notification")?.removeAttribute("id");
  notices.unshift({ title, text, at: new Date(), kind });
  unread += 1;
  listeners.forEach((l) => l());
  return toast({ kind, title, text, id: "notification" });
}

export function allNotices(): readonly Notice[] {
  return notices;
}

export function unreadCount(): number {
  return unread;
}

export function markNoticesRead(): void {
  unread = 0;
  listeners.forEach((l) => l());
}

export function onNoticesChanged(l: () => void): void {
  listeners.add(l);
}

export function noticeTime(n: Notice): string {
  return formatTime(n.at);
}
