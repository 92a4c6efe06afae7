// A data table that stays readable at 200% zoom: in a narrow window each row becomes a small
// card with "Column: value" lines (styles.css, .table-stack). The explicit roles keep the
// table's meaning for screen readers when CSS changes how the cells are displayed, which
// WebKit otherwise drops.

import { h } from "./dom";

export interface Cell {
  content: Node | string;
  /** The row's name (a <th scope="row">). */
  rowHeader?: boolean;
  testid?: string;
}

export function dataTable(o: { id: string; caption: string; columns: string[]; bodyId?: string; grouped?: boolean }): {
  table: HTMLTableElement;
  /** The table's one row group (with `grouped`, none: rows go in groups made with `rowGroup`). */
  tbody: HTMLTableSectionElement | undefined;
  /** A row group (tbody) to append to the table; a table may have many. */
  rowGroup: (cls?: string) => HTMLTableSectionElement;
  row: (cells: Cell[], attrs?: Record<string, string>) => HTMLTableRowElement;
} {
  const rowGroup = (cls?: string) => h("tbody", { class: cls, attrs: { role: "rowgroup" } });
  const tbody = o.grouped ? undefined : rowGroup();
  if (tbody && o.bodyId) tbody.id = o.bodyId;
  const table = h(
    "table",
    { id: o.id, class: "table table-stack", attrs: { role: "table" } },
    h("caption", { class: "sr-only", text: o.caption }),
    h(
      "thead",
      { attrs: { role: "rowgroup" } },
      h("tr", { attrs: { role: "row" } }, ...o.columns.map((c) => h("th", { text: c, attrs: { scope: "col", role: "columnheader" } }))),
    ),
    tbody,
  );
  const row = (cells: Cell[], attrs: Record<string, string> = {}) =>
    h(
      "tr",
      { attrs: { role: "row", ...attrs } },
      ...cells.map((c, i) => {
        const props = { attrs: { "data-label": o.columns[i], "data-testid": c.testid } };
        const cell = c.rowHeader
          ? h("th", { attrs: { ...props.attrs, scope: "row", role: "rowheader" } })
          : h("td", { attrs: { ...props.attrs, role: "cell" } });
        cell.append(c.content);
        return cell;
      }),
    );
  return { table, tbody, rowGroup, row };
}
