// The Yes/No confirmation, on the native <dialog> element: it is modal, traps focus, and Esc
// closes it (Esc means No). No has focus when it opens, so a stray Enter does nothing harmful;
// focus goes back to whatever opened it.
// A dialog can carry more than a sentence (`extra`: prerequisites, a warning) and can ask for a
// word to be typed before Yes is available (`typeToConfirm`), as Azure DevOps asks for the
// organization's name before it disconnects one.
//
// Element ids, with `id` as the prefix ("confirm" unless given): #<id>-dialog, #<id>-title,
// #<id>-text, #<id>-yes, #<id>-no, and with `typeToConfirm` #<id>-confirm-name (the field)
// and #<id>-confirm-hint.

import { S } from "../strings";
import { button } from "./button";
import { h } from "./dom";

export interface ConfirmOptions {
  title: string;
  text: string;
  yes?: string;
  no?: string;
  /** The prefix of the element ids; "confirm" by default. */
  id?: string;
  /** More content after the text (a list of prerequisites, a warning). */
  extra?: (HTMLElement | null)[];
  /** Yes stays disabled until `value` is typed (spaces around it and letter case do not matter). */
  typeToConfirm?: { label: string; hint: string; value: string };
  /** Yes is a destructive action: shown in the danger style. */
  danger?: boolean;
}

/** What the person typed matches what they were asked to type. */
export function typedMatches(typed: string, wanted: string): boolean {
  return typed.trim().toLowerCase() === wanted.trim().toLowerCase() && wanted.trim() !== "";
}

export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  const p = o.id ?? "confirm";
  const opener = document.activeElement as HTMLElement | null;
  const yes = button(o.yes ?? S.common.yes, { id: `${p}-yes`, kind: o.danger ? "danger" : "primary" });
  const no = button(o.no ?? S.common.no, { id: `${p}-no` });
  let field: HTMLElement | null = null;
  if (o.typeToConfirm) {
    const t = o.typeToConfirm;
    const input = h("input", {
      id: `${p}-confirm-name`,
      class: "text-input",
      attrs: { type: "text", autocomplete: "off", spellcheck: "false", autocapitalize: "off", "aria-describedby": `${p}-confirm-hint` },
    });
    const update = () => {
      yes.disabled = !typedMatches(input.value, t.value);
    };
    input.addEventListener("input", update);
    update();
    field = h(
      "div",
      { class: "field dialog-field" },
      h("label", { text: t.label, attrs: { for: input.id } }),
      input,
      h("p", { id: `${p}-confirm-hint`, class: "hint", text: t.hint }),
    );
  }
  const dialog = h(
    "dialog",
    {
      id: `${p}-dialog`,
      class: "dialog",
      attrs: { "aria-labelledby": `${p}-title`, "aria-describedby": `${p}-text` },
    },
    h("h2", { id: `${p}-title`, class: "dialog-title", text: o.title }),
    h("p", { id: `${p}-text`, text: o.text }),
    ...(o.extra ?? []),
    field,
    h("div", { class: "button-row dialog-buttons" }, yes, no),
  );
  document.getElementById(`${p}-dialog`)?.remove();
  document.body.append(dialog);

  return new Promise((resolve) => {
    let answer = false;
    yes.addEventListener("click", () => {
      if (yes.disabled) return;
      answer = true;
      dialog.close("yes");
    });
    no.addEventListener("click", () => dialog.close("no"));
    // Esc fires "cancel" and then closes the dialog; the answer stays No.
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(answer);
    });
    dialog.showModal();
    no.focus();
  });
}
