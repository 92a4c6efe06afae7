// The portal-like frame: a dark top bar ("ADO Connect", notifications, who is signed in), a
// left navigation, and a main area where blades open to the right. It also owns navigation:
// screens register themselves here, so the frame never imports a screen.
//
// Element ids: #skip-link, #topbar, #nav, #nav-<route>, #main, #breadcrumb, #blades,
// #keychain-warning, #update-region (a live region, empty until an update is found),
// #update-notice, #update-notes, #update-dismiss, #notifications-button,
// #notifications-panel, #topbar-user, #topbar-signin, #topbar-signout, #toast-region,
// #demo-badge.

import { signOut, UserError, type UpdateAvailable } from "./api";
import { Blade } from "./components/blade";
import { button } from "./components/button";
import { errorPanel } from "./components/errorPanel";
import { icon } from "./components/icon";
import { clear, h, replace } from "./components/dom";
import { allNotices, initToasts, markNoticesRead, noticeTime, onNoticesChanged, toast, unreadCount } from "./components/toast";
import { S } from "./strings";
import { onSessionChanged, record, setSignedIn, state } from "./state";

export type Route = "home" | "signin" | "services" | "orgs" | "after" | "report" | "about";

export interface RouteParams {
  /** Where to go once signed in. */
  returnTo?: Route;
  /** The organization a screen should start with. */
  org?: string;
  /** Sign-in: the directory to sign in to (the work-account sign-in after connecting). */
  tenantId?: string;
  /** Organizations: open `org`'s blade and its Connect blade (resuming at the directory step). */
  connect?: boolean;
  /** Opened by `resume` at start: the screen says where the user left off. */
  resumed?: boolean;
}

type Factory = (params: RouteParams) => Blade;
/** A screen not needed at start: a loader of its chunk (`import()`), which yields its factory. */
export type LoadScreen = () => Promise<Factory>;

const factories = new Map<Route, Factory>();
const loaders = new Map<Route, LoadScreen>();
/** Counts navigations: a screen whose chunk arrives after a later navigation is not shown. */
let navigations = 0;
/** Screens that need a signed-in user; visiting one signed out goes to sign-in first. */
const needsSignIn = new Set<Route>(["orgs", "after"]);
const NAV: [Route, string][] = [
  ["home", S.nav.home],
  ["services", S.nav.services],
  ["orgs", S.nav.orgs],
  ["after", S.nav.after],
  ["report", S.nav.report],
  ["about", S.nav.about],
];

interface Mounted {
  blade: Blade;
  opener: HTMLElement | null;
}

let stack: Mounted[] = [];
let current: Route = "home";
let bladesEl: HTMLElement;
let crumbsEl: HTMLElement;
let bannerSlot: HTMLElement;
let updateRegion: HTMLElement | undefined;
/** The update found at start; it may arrive before the frame is built. */
let update: UpdateAvailable | undefined;
let navEl: HTMLElement;
let userSlot: HTMLElement;
let bellButton: HTMLButtonElement;
let panel: HTMLElement;
const wide = window.matchMedia("(min-width: 1200px)");

/** A screen in the first chunk (shown at start): its factory. */
export function registerRoute(route: Route, factory: Factory): void {
  factories.set(route, factory);
}

/**
 * A screen in a chunk of its own, loaded when first visited (or by `preloadScreens`): the
 * first screen comes up without parsing the code of all the others (docs/benchmarks.md,
 * figure 1).
 */
export function registerLazyRoute(route: Route, load: LoadScreen): void {
  loaders.set(route, load);
}

async function loadScreen(route: Route): Promise<Factory | undefined> {
  const loaded = factories.get(route);
  if (loaded) return loaded;
  const load = loaders.get(route);
  if (!load) return undefined;
  const factory = await load();
  factories.set(route, factory);
  return factory;
}

/** Loads every screen not loaded yet, so that no later click waits for its code. */
export async function preloadScreens(): Promise<void> {
  await Promise.all([...loaders.keys()].map((r) => loadScreen(r).catch(() => undefined)));
}

export function currentRoute(): Route {
  return current;
}

export function buildShell(root: HTMLElement): void {
  const skip = h("a", { id: "skip-link", class: "skip-link", text: S.app.skipToMain, attrs: { href: "#main" } });
  skip.addEventListener("click", (e) => {
    e.preventDefault();
    focusCurrentHeading();
  });

  bellButton = h("button", {
    id: "notifications-button",
    class: "topbar-button",
    attrs: { type: "button", "aria-expanded": "false", "aria-controls": "notifications-panel" },
  });
  bellButton.addEventListener("click", () => togglePanel());
  panel = h("div", {
    id: "notifications-panel",
    class: "notifications-panel",
    attrs: { role: "region", "aria-label": S.topbar.notificationsTitle },
  });
  panel.hidden = true;
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      togglePanel(false);
      bellButton.focus();
    }
  });
  userSlot = h("div", { class: "topbar-user" });

  const demo = h("span", {
    id: "demo-badge",
    class: "demo-badge",
    text: S.app.demoBadge,
    attrs: { title: S.app.demoBadgeTitle },
  });
  demo.hidden = !state.app?.demo;

  const topbar = h(
    "header",
    { id: "topbar", class: "topbar" },
    h("h1", { class: "brand", text: S.app.name }),
    demo,
    h("span", { class: "topbar-spacer" }),
    bellButton,
    userSlot,
  );

  navEl = h("ul", { class: "nav-list" });
  for (const [route, label] of NAV) {
    const b = h("button", {
      id: `nav-${route}`,
      class: "nav-item",
      text: label,
      attrs: { type: "button", "data-route": route },
    });
    b.addEventListener("click", () => navigate(route));
    navEl.append(h("li", {}, b));
  }

  crumbsEl = h("nav", { id: "breadcrumb", class: "breadcrumb", attrs: { "aria-label": S.nav.breadcrumb } });
  crumbsEl.hidden = true;
  bannerSlot = h("div", { class: "banner-slot" });
  // In place (and empty) from the start, so screen readers announce the notice when it comes.
  updateRegion = h("div", { id: "update-region", class: "update-region", attrs: { role: "status" } });
  bladesEl = h("div", { id: "blades", class: "blades" });
  const toastRegion = h("div", {
    id: "toast-region",
    class: "toasts",
    attrs: { "aria-live": "polite", "aria-relevant": "additions text" },
  });
  initToasts(toastRegion);

  replace(
    root,
    skip,
    topbar,
    panel,
    h(
      "div",
      { class: "frame" },
      h("nav", { id: "nav", class: "leftnav", attrs: { "aria-label": S.nav.label } }, navEl),
      h("main", { id: "main", class: "main", attrs: { tabindex: "-1" } }, crumbsEl, h("div", { class: "banners" }, updateRegion, bannerSlot), bladesEl),
    ),
    toastRegion,
  );

  onNoticesChanged(renderBell);
  onSessionChanged(() => {
    renderUser();
    renderBanner();
  });
  wide.addEventListener("change", layoutBlades);
  renderBell();
  renderUser();
  renderBanner();
  renderUpdate();
}

// ------------------------------------------------------------------ navigation and blades

/**
 * Shows a view from the left navigation: closes every blade, opens the view's first blade. A
 * screen whose code is loaded is shown at once; otherwise once its chunk has arrived (the
 * promise resolves then), unless another navigation came first.
 */
export function navigate(route: Route, params: RouteParams = {}, o: { focus?: boolean } = {}): Promise<void> {
  if (needsSignIn.has(route) && !state.session.signedIn) {
    params = { ...params, returnTo: route };
    route = "signin";
  }
  const seq = ++navigations;
  const factory = factories.get(route);
  if (factory) {
    show(route, factory, params, o);
    return Promise.resolve();
  }
  return loadScreen(route).then(
    (f) => {
      if (f && seq === navigations) show(route, f, params, o);
    },
    () => {
      toast({ kind: "error", title: S.app.screenFailed, text: S.app.screenFailedText });
    },
  );
}

function show(route: Route, factory: Factory, params: RouteParams, o: { focus?: boolean }): void {
  for (const m of stack.splice(0)) m.blade.dispose();
  clear(bladesEl);
  current = route;
  for (const b of navEl.querySelectorAll<HTMLButtonElement>(".nav-item")) {
    if (b.dataset.route === route) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  const blade = factory(params);
  mount(blade, null);
  if (o.focus !== false) blade.heading.focus();
}

/**
 * Opens `blade` to the right of `parent`, closing anything that was to the right of it. Focus
 * moves to its heading unless `focus` is false (blades opened by the app itself at start).
 */
export function pushBlade(blade: Blade, parent: Blade, o: { focus?: boolean } = {}): void {
  const at = stack.findIndex((m) => m.blade === parent);
  if (at < 0 || parent.closed) {
    blade.dispose();
    return;
  }
  closeFrom(at + 1);
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  blade.el.classList.add("blade-enter");
  mount(blade, opener);
  if (o.focus !== false) blade.heading.focus();
}

/** Closes `blade` and every blade to its right; focus goes back to what opened it. */
export function closeBlade(blade: Blade): void {
  const at = stack.findIndex((m) => m.blade === blade);
  if (at <= 0) return;
  const opener = stack[at].opener;
  closeFrom(at);
  if (opener && opener.isConnected && !opener.closest("[hidden]")) opener.focus();
  else stack[stack.length - 1]?.blade.heading.focus();
}

/** Closes every blade to the right of `blade` (a change makes what they show out of date). */
export function closeBladesRightOf(blade: Blade): void {
  const at = stack.findIndex((m) => m.blade === blade);
  if (at >= 0 && at < stack.length - 1) closeFrom(at + 1);
}

function closeFrom(index: number): void {
  if (index < 0) return;
  for (const m of stack.splice(index)) {
    m.blade.dispose();
    m.blade.el.remove();
  }
  layoutBlades();
}

function mount(blade: Blade, opener: HTMLElement | null): void {
  blade.closeButton.hidden = stack.length === 0;
  blade.requestClose = () => closeBlade(blade);
  stack.push({ blade, opener });
  bladesEl.append(blade.el);
  layoutBlades();
}

/** Wide windows show the last two blades side by side; narrow ones (and 200% zoom) only the last. */
function layoutBlades(): void {
  const visible = wide.matches ? 2 : 1;
  stack.forEach((m, i) => {
    m.blade.el.hidden = i < stack.length - visible;
    m.blade.el.classList.toggle("blade-last", i === stack.length - 1);
  });
  bladesEl.classList.toggle("blades-pair", visible === 2 && stack.length > 1);
  renderCrumbs();
}

function renderCrumbs(): void {
  crumbsEl.hidden = stack.length < 2;
  const list = h("ol", {});
  stack.forEach((m, i) => {
    const last = i === stack.length - 1;
    if (last) {
      list.append(h("li", {}, h("span", { text: m.blade.title, attrs: { "aria-current": "page" } })));
    } else {
      const b = h("button", { class: "crumb", text: m.blade.title, attrs: { type: "button" } });
      b.addEventListener("click", () => {
        closeFrom(i + 1);
        m.blade.heading.focus();
      });
      list.append(h("li", {}, b));
    }
  });
  replace(crumbsEl, list);
}

/** Call after a blade's title changes, so the breadcrumb follows. */
export function refreshCrumbs(): void {
  renderCrumbs();
}

function focusCurrentHeading(): void {
  const last = stack[stack.length - 1];
  if (last) last.blade.heading.focus();
  else document.getElementById("main")?.focus();
}

// ------------------------------------------------------------------ sign-in state

/**
 * Sends the user back to sign-in when the error says the session is gone. Returns true when
 * it did, so the caller shows nothing more.
 */
export function handleAuthError(raw: unknown): boolean {
  const err = UserError.from(raw);
  if (err.code !== "not-signed-in" && err.code !== "session-expired") return false;
  setSignedIn(undefined);
  toast({ kind: "warning", title: err.message, text: err.remedy });
  navigate("signin", { returnTo: current === "signin" ? "services" : current });
  return true;
}

export async function doSignOut(): Promise<void> {
  try {
    await signOut();
  } catch (e) {
    toast({ kind: "error", title: UserError.from(e).message, text: UserError.from(e).remedy });
    return;
  }
  record(S.activity.signedOut);
  setSignedIn(undefined);
  toast({ kind: "info", title: S.topbar.signedOut });
  navigate("home");
}

function renderUser(): void {
  const s = state.session;
  if (s.signedIn && s.user) {
    replace(
      userSlot,
      h(
        "span",
        { id: "topbar-user", class: "topbar-user-name", attrs: { title: s.user.email } },
        h("span", { class: "sr-only", text: S.topbar.signedInAs(s.user.displayName, s.user.email) }),
        h("span", { text: s.user.displayName, attrs: { "aria-hidden": "true" } }),
      ),
      button(S.topbar.signOut, { id: "topbar-signout", kind: "subtle", onClick: () => void doSignOut() }),
    );
  } else {
    replace(
      userSlot,
      button(S.topbar.signIn, {
        id: "topbar-signin",
        kind: "subtle",
        onClick: () => navigate("signin", { returnTo: current === "signin" || current === "home" ? "services" : current }),
      }),
    );
  }
  for (const b of userSlot.querySelectorAll("button")) b.classList.add("topbar-button");
}

function renderBanner(): void {
  const warning = state.session.keychainWarning;
  const configError = state.app?.configError;
  clear(bannerSlot);
  if (configError) bannerSlot.append(errorPanel(configError, { id: "config-error", title: S.app.configError, headingLevel: 2 }));
  if (!warning) return;
  bannerSlot.append(
    h(
      "div",
      { id: "keychain-warning", class: "banner banner-warning", attrs: { role: "status" } },
      h("span", { class: "status-icon status-warn", text: "!", attrs: { "aria-hidden": "true" } }),
      h("div", {}, h("p", { class: "banner-title", text: S.keychain.title }), h("p", { text: warning })),
    ),
  );
}

// ------------------------------------------------------------------ updates

/**
 * Announces a newer version (the answer of `update_available`): a notice at the top of the main
 * area that blocks nothing and can be dismissed. The window does not install updates itself.
 */
export function announceUpdate(u: UpdateAvailable): void {
  update = u;
  renderUpdate();
}

function renderUpdate(): void {
  if (!updateRegion) return;
  if (!update) {
    clear(updateRegion);
    return;
  }
  const title = S.update.title(update.version);
  const dismiss = h("button", {
    id: "update-dismiss",
    class: "banner-close",
    text: "✕",
    attrs: { type: "button", "aria-label": S.update.dismiss(update.version) },
  });
  dismiss.addEventListener("click", () => {
    const hadFocus = updateRegion?.contains(document.activeElement) ?? false;
    update = undefined;
    renderUpdate();
    if (hadFocus) focusCurrentHeading();
  });
  replace(
    updateRegion,
    h(
      "div",
      { id: "update-notice", class: "banner banner-info" },
      h("span", { class: "status-icon status-info", text: "ℹ", attrs: { "aria-hidden": "true" } }),
      h(
        "div",
        { class: "banner-body" },
        h("p", { class: "banner-title", text: title }),
        update.notes
          ? h("p", { id: "update-notes", class: "update-notes" }, h("span", { class: "strong", text: `${S.update.notes} ` }), update.notes)
          : null,
        h("p", { id: "update-remedy", text: S.update.remedy }),
      ),
      dismiss,
    ),
  );
}

function renderBell(): void {
  const n = unreadCount();
  replace(
    bellButton,
    icon("bell"),
    h("span", { class: "sr-only", text: S.topbar.notifications(n) }),
    n > 0 ? h("span", { class: "bell-count", text: String(n), attrs: { "aria-hidden": "true" } }) : null,
  );
  bellButton.setAttribute("title", S.topbar.notifications(n));
  if (!panel.hidden) renderPanel();
}

function renderPanel(): void {
  const list = h("ul", { class: "notice-list" });
  for (const n of allNotices()) {
    list.append(
      h(
        "li",
        { class: `notice notice-${n.kind}` },
        h("p", { class: "notice-title", text: n.title }),
        h("p", { text: n.text }),
        h("p", { class: "notice-time", text: noticeTime(n) }),
      ),
    );
  }
  const close = button(S.topbar.closeNotifications, {
    onClick: () => {
      togglePanel(false);
      bellButton.focus();
    },
  });
  replace(
    panel,
    h("h2", { class: "panel-title", text: S.topbar.notificationsTitle, attrs: { tabindex: "-1" } }),
    allNotices().length ? list : h("p", { text: S.topbar.noNotifications }),
    close,
  );
}

function togglePanel(open = panel.hidden): void {
  panel.hidden = !open;
  bellButton.setAttribute("aria-expanded", String(open));
  if (open) {
    markNoticesRead();
    renderPanel();
    (panel.querySelector(".panel-title") as HTMLElement).focus();
  }
}

/** Shown instead of the frame when the app cannot even start. */
export function showFatal(root: HTMLElement, err: unknown): void {
  const u = UserError.from(err);
  replace(
    root,
    h(
      "main",
      { id: "main", class: "fatal" },
      h("h1", { text: S.app.startFailed }),
      h("p", { text: u.message }),
      h("p", { text: u.remedy }),
    ),
  );
}

