// Azure DevOps organizations (Team Services accounts): every organization the user owns or
// belongs to, with its current directory and the user's role; filter and sort; stays usable
// with 1,000 organizations. Selecting one opens its blade to the right (keyboard: Tab to the
// organization's name, a button in the first column, and press Enter; focus moves to the new
// blade's heading, and the next Tab stops are its close button and then Connect).
// Opened with `org` and `connect` (resume at the directory step, or after signing in for it),
// it opens that organization's blade and its Connect blade by itself.
//
// Element ids: #orgs (blade), #orgs-title, #orgs-refresh, #org-filter, #org-sort,
// #org-count, #org-list (table), #org-list-body, rows tr[data-org=<name>], the name buttons
// #org-<name> (data-testid="org-open"), #orgs-loading, #orgs-empty, #orgs-error.

import { listDirectories, listOrganizations, UserError, type Organization } from "../api";
import { Blade } from "../components/blade";
import { button, whileBusy } from "../components/button";
import { clear, h, replace } from "../components/dom";
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
  const { table, tbody, row: tableRow } = dataTable({
    id: "org-list",
    bodyId: "org-list-body",
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

  let selected = state.selectedOrg;

  function render(): void {
    const orgs = state.orgs ?? [];
    if (orgs.length === 0) {
      replace(content, h("p", { id: "orgs-empty", class: "empty", text: S.orgs.empty }));
      return;
    }
    if (!content.contains(table)) replace(content, tools, count, h("div", { class: "table-wrap" }, table));
    const q = filter.value.trim().toLowerCase();
    const shown = orgs.filter((o) => !q || o.name.toLowerCase().includes(q) || directoryLabel(o).toLowerCase().includes(q));
    sortOrgs(shown, sort.value as SortKey);
    clear(tbody);
    const frag = document.createDocumentFragment();
    for (const o of shown) frag.append(row(o));
    tbody.append(frag);
    count.textContent = shown.length ? S.orgs.count(shown.length, orgs.length) : S.orgs.noMatch;
  }

  function row(o: Organization): HTMLTableRowElement {
    const open = h("button", {
      id: `org-${o.name}`,
      class: "link-button",
      text: o.name,
      attrs: { type: "button", "data-testid": "org-open" },
    });
    if (o.name === selected) open.setAttribute("aria-current", "true");
    open.addEventListener("click", () => select(o.name));
    const tr = tableRow(
      [
        { content: open, rowHeader: true },
        { content: `dev.azure.com/${o.name}` },
        { content: directoryLabel(o), testid: "org-directory" },
        { content: o.owned ? S.orgs.owner : S.orgs.member },
      ],
      { "data-org": o.name },
    );
    if (o.name === selected) tr.classList.add("is-selected");
    return tr;
  }

  function select(name: string, o: { connect?: boolean; focus?: boolean } = {}): void {
    selected = name;
    state.selectedOrg = name;
    for (const b of tbody.querySelectorAll("[aria-current]")) b.removeAttribute("aria-current");
    for (const r of tbody.querySelectorAll(".is-selected")) r.classList.remove("is-selected");
    const open = tbody.querySelector<HTMLButtonElement>(`tr[data-org="${CSS.escape(name)}"] [data-testid=org-open]`);
    open?.setAttribute("aria-current", "true");
    open?.closest("tr")?.classList.add("is-selected");
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

  filter.addEventListener("input", render);
  sort.addEventListener("change", render);
  refresh.addEventListener("click", () => void whileBusy(refresh, () => load(true)));
  blade.onClose(onOrgsChanged(() => state.orgs && render()));
  void load(false);
  return blade;
}

function sortOrgs(orgs: Organization[], key: SortKey): void {
  const byName = (a: Organization, b: Organization) => a.name.localeCompare(b.name, "en", { sensitivity: "base" });
  switch (key) {
    case "name-desc":
      orgs.sort((a, b) => byName(b, a));
      break;
    case "directory":
      orgs.sort((a, b) => directoryLabel(a).localeCompare(directoryLabel(b)) || byName(a, b));
      break;
    case "role":
      orgs.sort((a, b) => Number(b.owned) - Number(a.owned) || byName(a, b));
      break;
    default:
      orgs.sort(byName);
  }
}
