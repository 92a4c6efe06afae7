// The Yes/No confirmation, on the native <dialog> element: it is modal, traps focus, and Esc
// closes it (Esc means No). No has focus when it opens, so a stray Enter does nothing harmful;
// focus goes back to whatever opened it.

import { S } from "../strings";
import { button } from "./button";
import { h } from "./dom";

export interface ConfirmOptions {
  title: string;
  text: string;
  yes?: string;
  no?: string;
}

export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  const opener = document.activeElement as HTMLElement | null;
  const yes = button(o.yes ?? S.common.yes, { id: "confirm-yes", kind: "primary" });
  const no = button(o.no ?? S.common.no, { id: "confirm-no" });
  const dialog = h(
    "dialog",
    {
      id: "confirm-dialog",
      class: "dialog",
      attrs: { "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
    },
    h("h2", { id: "confirm-title", class: "dialog-title", text: o.title }),
    h("p", { id: "confirm-text", text: o.text }),
    h("div", { class: "button-row dialog-buttons" }, yes, no),
  );
  document.getElementById("confirm-dialog")?.remove();
  document.body.append(dialog);

  return new Promise((resolve) => {
    let answer = false;
    yes.addEventListener("click", () => {
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
