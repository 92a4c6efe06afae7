// Report: what was done in this session, and "Save report" (JSON and readable text, written
// by Rust, which also has the times of everything done in earlier sessions).
//
// Element ids: #report (blade), #report-title, #activity-list, #activity-empty,
// #save-report-button, #report-saving, #report-paths, #report-json-path, #report-text-path,
// #report-error.

import { saveReport } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress } from "../components/progress";
import { statusIcon } from "../components/status";
import { handleAuthError } from "../shell";
import { record, state } from "../state";
import { S, formatTime } from "../strings";

export function reportScreen(): Blade {
  const blade = new Blade({ id: "report", title: S.report.title });
  const result = h("div", { id: "report-result", attrs: { "aria-live": "polite" } });
  const save = button(S.report.save, { id: "save-report-button", kind: "primary" });
  const activity = state.activity.length
    ? h(
        "ol",
        { id: "activity-list", class: "activity-list" },
        ...state.activity.map((a) =>
          h("li", {}, h("time", { text: formatTime(a.at), attrs: { datetime: a.at.toISOString() } }), " ", a.text),
        ),
      )
    : h("p", { id: "activity-empty", class: "muted", text: S.report.empty });

  blade.body.append(
    h("p", { class: "lead", text: S.report.intro }),
    h("h3", { class: "section-title", text: S.report.sessionTitle }),
    activity,
    h("div", { class: "button-row" }, save),
    result,
  );

  save.addEventListener("click", () =>
    void whileBusy(save, async () => {
      replace(result, progress(S.report.saving, { id: "report-saving" }));
      try {
        const saved = await saveReport();
        if (blade.closed) return;
        record(S.activity.reportSaved);
        replace(
          result,
          h(
            "div",
            { id: "report-paths", class: "success-box" },
            statusIcon("pass"),
            h(
              "div",
              {},
              h("p", { text: S.report.saved }),
              h("p", {}, `${S.report.text} `, h("code", { id: "report-text-path", text: saved.textPath })),
              h("p", {}, `${S.report.json} `, h("code", { id: "report-json-path", text: saved.jsonPath })),
            ),
          ),
        );
      } catch (e) {
        if (!blade.closed && !handleAuthError(e)) replace(result, errorPanel(e, { id: "report-error" }));
      }
    }),
  );
  return blade;
}
