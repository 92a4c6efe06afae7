// All services: the portal's list with a Filter box. Typing "Team Services", "DevOps" or
// "organization" leaves "Azure DevOps organizations (Team Services accounts)".
//
// Element ids: #services (blade), #services-title, #filter, #service-count, #service-list,
// #service-orgs (the one the procedure uses), #service-entra, #service-subscriptions,
// #service-vs, #service-after, #service-report, #service-none.

import { openLink, UserError } from "../api";
import { Blade } from "../components/blade";
import { h } from "../components/dom";
import { toast } from "../components/toast";
import { navigate, pushBlade, type Route } from "../shell";
import { state } from "../state";
import { S } from "../strings";
import { organizationsScreen } from "./organizations";

interface Service {
  key: keyof typeof S.services.items;
  category: string;
  keywords: string;
  route?: Route;
  url?: string;
}

const SERVICES: Service[] = [
  {
    key: "orgs",
    category: "devops",
    keywords: "team services accounts vsts visual studio team services devops azure devops organization organizations dev.azure.com",
  },
  { key: "after", category: "wizard", keywords: "after connecting checklist invite git credential manager gcm cache personal access token pat", route: "after" },
  { key: "entra", category: "identity", keywords: "azure active directory aad entra directory tenant work accounts", url: "https://entra.microsoft.com/" },
  { key: "subscriptions", category: "billing", keywords: "azure subscriptions billing cost", url: "https://portal.azure.com/#view/Microsoft_Azure_Billing/SubscriptionsBlade" },
  { key: "vs", category: "billing", keywords: "visual studio subscriptions msdn benefits", url: "https://my.visualstudio.com/" },
  { key: "report", category: "wizard", keywords: "report log history saved", route: "report" },
];

function matches(s: Service, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const item = S.services.items[s.key];
  const hay = `${item.name} ${item.description} ${s.keywords}`.toLowerCase();
  return q.split(/\s+/).every((word) => hay.includes(word));
}

export function allServicesScreen(): Blade {
  const blade = new Blade({ id: "services", title: S.services.title });
  const filter = h("input", {
    id: "filter",
    class: "filter-input",
    attrs: { type: "search", placeholder: S.services.filterPlaceholder, autocomplete: "off", "aria-controls": "service-list", spellcheck: "false" },
  });
  const count = h("p", { id: "service-count", class: "count", attrs: { role: "status" } });
  const list = h("ul", { id: "service-list", class: "service-list" });
  const none = h("p", { id: "service-none", class: "empty", text: S.services.none });

  const rows: [Service, HTMLLIElement][] = SERVICES.map((s) => {
    const item = S.services.items[s.key];
    const b = h(
      "button",
      { id: `service-${s.key}`, class: "service", attrs: { type: "button", "data-service": s.key } },
      h("span", { class: `service-icon service-icon-${s.category}`, attrs: { "aria-hidden": "true" } }),
      h(
        "span",
        { class: "service-text" },
        h("span", { class: "service-name", text: item.name }),
        h("span", { class: "service-desc", text: item.description }),
        h("span", { class: "service-category", text: S.services.categories[s.category] }),
      ),
    );
    b.addEventListener("click", () => open(s));
    return [s, h("li", {}, b)];
  });
  list.append(...rows.map(([, li]) => li));

  const apply = () => {
    let shown = 0;
    for (const [s, li] of rows) {
      li.hidden = !matches(s, filter.value);
      if (!li.hidden) shown += 1;
    }
    none.hidden = shown > 0;
    count.textContent = shown ? S.services.count(shown, filter.value.trim()) : "";
  };
  filter.addEventListener("input", apply);
  filter.addEventListener("keydown", (e) => {
    // Enter in the filter opens the only match, as the portal does.
    if (e.key !== "Enter") return;
    const visible = rows.filter(([, li]) => !li.hidden);
    if (visible.length === 1) open(visible[0][0]);
  });

  function open(s: Service): void {
    if (s.key === "orgs") {
      // Signed out, the organizations view sends the user through sign-in and back to it.
      if (state.session.signedIn) pushBlade(organizationsScreen(), blade);
      else navigate("orgs");
    } else if (s.route) {
      navigate(s.route);
    } else if (s.url) {
      openLink(s.url).catch((e) => toast({ kind: "error", title: S.common.linkFailed, text: UserError.from(e).message }));
    }
  }

  blade.body.append(
    h("div", { class: "field" }, h("label", { text: S.services.filterLabel, attrs: { for: "filter" } }), filter),
    count,
    list,
    none,
  );
  apply();
  return blade;
}
