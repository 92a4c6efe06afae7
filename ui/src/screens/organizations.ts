// Azure DevOps organizations (Team Services accounts): every organization the user owns or
// belongs to, with its current directory and the user's role; filter and sort; stays usable
// with 1,000 organizations. Selecting one opens its blade to the right (keyboard: Tab to the
// organization's name, a button in the first column, and press Enter; focus moves to the new
// blade's heading, and the next Tab stops are its close button and then Connect).
// Opened with `org` and `connect` (resume at the directory step, or after signing in for it),
// it opens that organization's blade and its Connect blade by itself.
//
// Rows are built once and kept (below, `rows`): the filter hides the rows that do not match
// with the `hidden` attribute instead of removing them, so `#org-list tbody tr` is every
// organization and `#org-list tbody tr:not([hidden])` the ones shown. The rows are in groups
// of GROUP rows, one tbody each (tbody.org-rows, in sorted order), so that in a long list the
// engine skips the layout and paint of a whole group out of view (styles.css); a group whose
// rows are all hidden is hidden too.
//
// Element ids: #orgs (blade), #orgs-title, #orgs-refresh, #org-filter, #org-sort,
// #org-count, #org-list (table), rows tr[data-org=<name>] in tbody.org-rows, the name buttons
// #org-<name> (data-testid="org-open"), #orgs-loading, #orgs-empty, #orgs-error.

import { listDirectories, listOrganizations, UserError, type Organization } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { h, replace } from "../components/dom";
import { errorPanel } from "../components/errorPanel";
import { progress } from "../components/progress";
import { dataTable } from "../components/table";
import { handleAuthError, pushBlade, type RouteParams } from "../shell";
import { directoryLabel, onOrgsChanged, state } from "../state";
import { S } from "../strings";
import { organizationScreen } from "./organization";

type SortKey = "name-asc" | "name-desc" | "directory" | "role";

export function organizationsScreen(params: RouteParams = {}): Blade {
  const blade = new Blade({ id: "orgs", title: S.orgs.title });
  const refresh = button(S.common.refresh, { id: "orgs-refresh", kind: "command", icon: "⟳" });
  blade.addCommands(refresh);

  const filter = h("input", {
    id: "org-filter",
    class: "filter-input",
    attrs: { type: "search", autocomplete: "off", spellcheck: "false", "aria-controls": "org-list" },
  });
  const sort = h("select", { id: "org-sort" });
  for (const [value, label] of Object.entries(S.orgs.sortOptions)) sort.append(h("option", { text: label, attrs: { value } }));
  const count = h("p", { id: "org-count", class: "count", attrs: { role: "status" } });
  const c = S.orgs.columns;
  const { table, rowGroup, row: tableRow } = dataTable({
    id: "org-list",
    grouped: true,
    caption: S.orgs.caption,
    columns: [c.name, c.url, c.directory, c.role],
  });
  const content = h("div", { class: "orgs-content" });
  const tools = h(
    "div",
    { class: "toolbar-fields" },
    h("div", { class: "field" }, h("label", { text: S.orgs.filterLabel, attrs: { for: "org-filter" } }), filter),
    h("div", { class: "field" }, h("label", { text: S.orgs.sortLabel, attrs: { for: "org-sort" } }), sort),
  );
  blade.body.append(content);

  const tableWrap = h("div", { class: "table-wrap" }, table);
  let selected = state.selectedOrg;

  /** The rows in the order they are in this blade's table. */
  let order: OrgRow[] = [];
  /** The row groups (tbody): groups[i] holds order[i * GROUP] to order[(i + 1) * GROUP - 1]. */
  const groups: HTMLTableSectionElement[] = [];
  let sortedBy: SortKey | undefined;

  /** Brings the rows in line with `state.orgs`, sorts them, and applies the filter. */
  function render(): void {
    const orgs = state.orgs ?? [];
    const user = state.session.user?.id;
    if (orgs.length === 0 || rowsUser !== user) {
      dropRows();
      order = [];
    }
    rowsUser = user;
    if (orgs.length === 0) {
      replace(content, h("p", { id: "orgs-empty", class: "empty", text: S.orgs.empty }));
      return;
    }
    // Rows kept from an earlier visit belong to a table that is gone: all move into this one.
    let changed = rows.size !== orgs.length || order.length === 0;
    const seen = new Set<string>();
    for (const o of orgs) {
      seen.add(o.name);
      const label = directoryLabel(o);
      const r = rows.get(o.name);
      if (!r) {
        rows.set(o.name, buildRow(o, label));
        changed = true;
      } else {
        r.org = o;
        if (r.label !== label || r.owned !== o.owned) {
          updateRow(r, label, o.owned);
          changed = true;
        }
        markSelected(r, o.name === selected);
      }
    }
    for (const [name, r] of rows) {
      if (!seen.has(name)) {
        r.tr.remove();
        rows.delete(name);
      }
    }
    const key = sort.value as SortKey;
    if (changed || key !== sortedBy) {
      const sorted = sortRows([...rows.values()], key);
      if (sorted.length !== order.length || sorted.some((r, i) => r !== order[i])) {
        // Every row goes (again) in the group of its place, each group with one append, and
        // the groups into the table with one more.
        const n = Math.ceil(sorted.length / GROUP);
        while (groups.length < n) groups.push(rowGroup("org-rows"));
        for (const g of groups.splice(n)) g.remove();
        const frag = document.createDocumentFragment();
        groups.forEach((g, i) => {
          const part = document.createDocumentFragment();
          for (let j = i * GROUP; j < Math.min(sorted.length, (i + 1) * GROUP); j++) part.append(sorted[j].tr);
          g.append(part);
          frag.append(g);
        });
        table.append(frag);
      }
      order = sorted;
      sortedBy = key;
      // Rows out of view are skipped only in a long list (styles.css, #org-list.table-long).
      table.classList.toggle("table-long", order.length > LONG_LIST);
    }
    applyFilter();
    if (!content.contains(table)) replace(content, tools, count, tableWrap);
  }

  /** Hides the rows that do not match the filter, and the groups left without a row (so they
   *  keep no size of their own); touches only the rows and groups that change. */
  function applyFilter(): void {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    groups.forEach((g, i) => {
      let inGroup = 0;
      for (let j = i * GROUP; j < Math.min(order.length, (i + 1) * GROUP); j++) {
        const r = order[j];
        const match = !q || r.nameKey.includes(q) || r.labelKey.includes(q);
        if (match) inGroup += 1;
        if (r.tr.hidden === match) r.tr.hidden = !match;
      }
      shown += inGroup;
      if (g.hidden !== (inGroup === 0)) g.hidden = inGroup === 0;
    });
    count.textContent = shown ? S.orgs.count(shown, order.length) : S.orgs.noMatch;
  }

  function buildRow(o: Organization, label: string): OrgRow {
    // One row is built with the table's own builder, then cloned for every organization:
    // a clone is far cheaper than the dozen calls that build a row.
    rowTemplate ??= tableRow(
      [
        { content: h("button", { class: "link-button", attrs: { type: "button", "data-testid": "org-open" } }), rowHeader: true },
        { content: "" },
        { content: "", testid: "org-directory" },
        { content: "" },
      ],
      { "data-org": "" },
    );
    const tr = rowTemplate.cloneNode(true) as HTMLTableRowElement;
    tr.setAttribute("data-org", o.name);
    const open = tr.cells[0].firstChild as HTMLButtonElement;
    open.id = `org-${o.name}`;
    open.textContent = o.name;
    tr.cells[1].textContent = `dev.azure.com/${o.name}`;
    const r: OrgRow = { org: o, tr, nameKey: o.name.toLowerCase(), label: "", labelKey: "", owned: o.owned };
    updateRow(r, label, o.owned);
    markSelected(r, o.name === selected);
    return r;
  }

  function updateRow(r: OrgRow, label: string, owned: boolean): void {
    r.label = label;
    r.labelKey = label.toLowerCase();
    r.owned = owned;
    r.tr.cells[2].textContent = label;
    r.tr.cells[3].textContent = owned ? S.orgs.owner : S.orgs.member;
  }

  // One listener for every name button (Enter and Space on a button are clicks too).
  table.addEventListener("click", (e) => {
    const open = (e.target as Element).closest("[data-testid=org-open]");
    const name = open?.closest("tr")?.getAttribute("data-org");
    if (name) select(name);
  });

  function select(name: string, o: { connect?: boolean; focus?: boolean } = {}): void {
    selected = name;
    state.selectedOrg = name;
    for (const r of rows.values()) markSelected(r, r.org.name === name);
    pushBlade(organizationScreen(name, o), blade, { focus: o.focus });
  }

  async function load(force: boolean): Promise<void> {
    // Directory names make the list readable; without them the ids are shown, so their
    // failure is not an error here (the connect blade reports it where it matters).
    const names =
      !state.directories || force
        ? listDirectories().then(
            (d) => void (state.directories = d),
            () => undefined,
          )
        : Promise.resolve();
    if (!state.orgs || force) {
      replace(content, progress(S.orgs.loading, { id: "orgs-loading" }));
      try {
        const [orgs] = await Promise.all([listOrganizations(force), names]);
        state.orgs = orgs;
      } catch (e) {
        if (blade.closed || handleAuthError(e)) return;
        replace(
          content,
          errorPanel(UserError.from(e), {
            id: "orgs-error",
            actions: [button(S.common.retry, { kind: "primary", onClick: () => void load(true) })],
          }),
        );
        return;
      }
    } else {
      await names;
    }
    if (blade.closed) return;
    render();
    if (autoOpen) {
      const name = autoOpen;
      autoOpen = undefined;
      // At start (resume) focus stays where it is; after a sign-in it follows the new blades.
      if (state.orgs?.some((o) => o.name === name)) select(name, { connect: params.connect, focus: !params.resumed });
    }
  }
  let autoOpen = params.connect ? params.org : undefined;

  filter.addEventListener("input", applyFilter);
  sort.addEventListener("change", render);
  refresh.addEventListener("click", () => void whileBusy(refresh, () => load(true)));
  blade.onClose(onOrgsChanged(() => state.orgs && render()));
  void load(false);
  return blade;
}

// Each organization's row is built once and kept, also while the list is closed: the filter
// only hides and shows rows, a sort only moves them, and opening the list again, a refresh or
// a connect only rewrites the cells that changed. With 1,000 organizations, building the
// table again on every keystroke cost several frames (docs/benchmarks.md, figure 6).
const rows = new Map<string, OrgRow>();
/** From how many rows the list skips the rows out of view: a window shows about 20. */
const LONG_LIST = 60;
/** Rows per group (tbody); styles.css's contain-intrinsic-size for a group assumes 50. */
const GROUP = 50;
/** Whose organizations the kept rows show (they are dropped when someone else signs in). */
let rowsUser: string | undefined;
let rowTemplate: HTMLTableRowElement | undefined;

function dropRows(): void {
  for (const r of rows.values()) r.tr.remove();
  rows.clear();
}

function markSelected(r: OrgRow, on: boolean): void {
  if (r.tr.classList.contains("is-selected") === on) return;
  r.tr.classList.toggle("is-selected", on);
  const open = r.tr.cells[0].firstElementChild;
  if (on) open?.setAttribute("aria-current", "true");
  else open?.removeAttribute("aria-current");
}

interface OrgRow {
  org: Organization;
  tr: HTMLTableRowElement;
  /** The name and the directory's label, lower-cased once for the filter. */
  nameKey: string;
  label: string;
  labelKey: string;
  owned: boolean;
}

// Collators made once: localeCompare with options makes one per comparison, which is most of
// the cost of sorting 1,000 names.
const byNameCollator = new Intl.Collator("en", { sensitivity: "base" });
const byLabelCollator = new Intl.Collator();

function sortRows(list: OrgRow[], key: SortKey): OrgRow[] {
  const byName = (a: OrgRow, b: OrgRow) => byNameCollator.compare(a.org.name, b.org.name);
  switch (key) {
    case "name-desc":
      return list.sort((a, b) => byName(b, a));
    case "directory":
      return list.sort((a, b) => byLabelCollator.compare(a.label, b.label) || byName(a, b));
    case "role":
      return list.sort((a, b) => Number(b.owned) - Number(a.owned) || byName(a, b));
    default:
      return list.sort(byName);
  }
}
