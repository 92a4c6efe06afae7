// Browser tests only (loaded by mock.html through mock-entry.ts, never by index.html, so it is
// not in the app's bundle):
// a fake backend behind Tauri's official `mockIPC`, with event emission, following
// docs/ipc.md. Tests steer it through `window.__mockScenario` (set before the page loads with
// Playwright's addInitScript, or given as JSON in the page's `?scenario=` parameter by
// drivers that cannot run a script first, such as WebDriver; or changed later), read `window.__calls` (what the app sent),
// `window.__results` (what the fake backend answered), `window.__log` (">cmd" when a command
// arrives and "<cmd" when it is answered, in order) and `window.__clipboard`, and push events
// with `window.__emit(event, payload)`.

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  AppInfo,
  Check,
  Directory,
  GcmChoices,
  GcmOutcome,
  GcmPlan,
  Invitation,
  IpcError,
  Member,
  Organization,
  OrganizationDetails,
  PlannedChange,
  RestoreOutcome,
  SessionStatus,
  User,
  WizardProgress,
} from "./api";

export interface MockScenario {
  signedIn?: boolean;
  keychainWarning?: string;
  /** approve: signs in by itself; manual: waits for __emit; blocked/decline/expire: fails. */
  signIn?: "approve" | "manual" | "blocked" | "decline" | "expire";
  approveAfterMs?: number;
  /** Extra generated organizations, or "empty" for none at all. */
  orgs?: number | "empty";
  /** Commands that reject with this error. */
  fail?: Record<string, IpcError>;
  /** Milliseconds before a command answers (default 20: every answer arrives later, as over IPC). */
  delay?: Record<string, number>;
  connectVerified?: boolean;
  /** false: the disconnect is accepted but Microsoft does not show it yet ("not-yet-visible"). */
  disconnectVerified?: boolean;
  /** app_info reports an invalid settings file. */
  configError?: IpcError;
  /**
   * The Git Credential Manager caches on the fake machine: "changes" (the default: both caches
   * mention the organization), "empty" (nothing to clean), "problems" (the old-style cache is
   * corrupt), "partial" (Clean fails for the git config).
   */
  gcm?: "changes" | "empty" | "problems" | "partial";
  /** gcm_restore finds the file already as the backup has it. */
  restoreSame?: boolean;
  /** What `resume` answers (default: step "welcome", no invitations). */
  resume?: WizardProgress;
  /** Organizations that start connected: name to directory id. */
  connected?: Record<string, string>;
  /** Start signed in with the work account, to this directory (the sign-in after connecting). */
  workAccount?: string;
  /** What Rust's update check found at start (`update_available` answers it at once). */
  update?: { version: string; notes: string | null };
  /** The update check is still running: `update_available` waits until `__findUpdate(u)`. */
  updatePending?: boolean;
  /** The proxy saved in the user's settings file at start (`app_info.userProxy`; default none). */
  userProxy?: string;
  /** The machine policy fixes the proxy: `enforced` holds "network.proxy"; save_proxy refuses. */
  proxyEnforced?: boolean;
  /** This computer's HTTPS_PROXY (default none: a direct connection without a proxy of one's own). */
  envProxy?: string;
}

declare global {
  interface Window {
    __mockScenario?: MockScenario;
    __calls: [string, unknown][];
    __results: [string, unknown][];
    __log: string[];
    __clipboard: string[];
    __emit: (event: string, payload: unknown) => Promise<void>;
    /** Ends the pending update check (`updatePending`) with what it found. */
    __findUpdate?: (u: { version: string; notes: string | null } | null) => void;
    __mockState: { orgs: Organization[]; signedIn: boolean; tenant: string };
  }
}

const scenario = (): MockScenario =>
  (window.__mockScenario ??= JSON.parse(new URLSearchParams(location.search).get("scenario") ?? "{}") as MockScenario);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const USER: User = { id: "7d1f0c2e-aaaa-4bbb-8ccc-000000000001", displayName: "Alex Morgan", email: "alex.morgan@outlook.com" };
const WORK_USER: User = { id: "7d1f0c2e-aaaa-4bbb-8ccc-000000000002", displayName: "Alex Morgan", email: "alex.morgan@contoso.com" };

export const DIRS: Record<string, Directory> = {
  contoso: { tenantId: "3f1c2a4e-8b7d-4c5e-9a1f-2b3c4d5e6f70", displayName: "Contoso Ltd", defaultDomain: "contoso.onmicrosoft.com", category: "ProjectedBy" },
  northwind: { tenantId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", displayName: "Northwind Traders", defaultDomain: "northwindtraders.onmicrosoft.com", category: "ProjectedBy" },
  fabrikam: { tenantId: "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e", displayName: "Fabrikam Inc", defaultDomain: "fabrikam.com", category: "Domain" },
};

const TOKEN = "q7xk3m9p2w8r4t6y1u5i0o3a7s2d4f6g8h1j3k5l7z9x2c4v6b8n";

function makeOrgs(): Organization[] {
  const s = scenario();
  if (s.orgs === "empty") return [];
  const orgs: Organization[] = [
    { name: "fabrikam-fiber", id: "0a1b2c3d-0000-4000-8000-000000000001", owned: true, directory: { kind: "personal" } },
    { name: "contoso-tools", id: "0a1b2c3d-0000-4000-8000-000000000002", owned: true, directory: { kind: "personal" } },
    { name: "northwind-shared", id: "0a1b2c3d-0000-4000-8000-000000000003", owned: false, directory: { kind: "directory", tenantId: DIRS.northwind.tenantId } },
  ];
  for (let i = 1; i <= (typeof s.orgs === "number" ? s.orgs : 0); i++) {
    orgs.push({
      name: `team-${String(i).padStart(4, "0")}`,
      id: `0a1b2c3d-0000-4000-8000-${String(100000 + i).padStart(12, "0")}`,
      owned: i % 3 !== 0,
      directory: i % 5 === 0 ? { kind: "directory", tenantId: DIRS.contoso.tenantId } : { kind: "personal" },
    });
  }
  return orgs;
}

function err(code: string, message: string, remedy: string, extra: Record<string, unknown> = {}): IpcError {
  return {
    code,
    message,
    remedy,
    details: {
      correlationId: "b7e2c1d0-4f3a-4e5b-9c8d-7a6b5c4d3e2f",
      timestamp: "2026-11-30T10:15:00Z",
      ...extra,
    } as IpcError["details"],
  };
}

export const ERRORS = {
  blocked: err(
    "sign-in-blocked-by-policy",
    "Your company's Conditional Access policy blocks signing in with a code.",
    "Sign in with the browser instead.",
    { aadsts: 53003, httpStatus: 400, endpoint: "token" },
  ),
  declined: err("sign-in-declined", "The sign-in was declined on the sign-in page.", "Get a new code and choose Approve this time."),
  expired: err("sign-in-expired", "The code expired before the sign-in was approved.", "Get a new code and approve it within 15 minutes."),
};

const state = {
  signedIn: false,
  /** "organizations", or the directory of the work-account sign-in. */
  tenant: "organizations",
  user: USER,
  orgs: [] as Organization[],
  /** The proxy in the user's settings file ("" : none). */
  userProxy: "",
  timers: [] as number[],
  invitePolls: new Map<string, number>(),
};

function cancelTimers(): void {
  state.timers.splice(0).forEach((t) => clearTimeout(t));
}

function later(ms: number, fn: () => void): void {
  state.timers.push(window.setTimeout(fn, ms));
}

function details(org: Organization): OrganizationDetails {
  return {
    ...org,
    owner: org.owned ? `${USER.displayName} (${USER.email})` : "Jamie Rivera (jamie@northwindtraders.com)",
    userCount: org.name === "fabrikam-fiber" ? 7 : 3,
    billing:
      org.name === "fabrikam-fiber"
        ? { linked: false, link: `https://dev.azure.com/${org.name}/_settings/billing` }
        : { linked: true, subscriptionId: "11111111-2222-4333-8444-555555555555", link: `https://dev.azure.com/${org.name}/_settings/billing` },
  };
}

function checks(tenantId: string): Check[] {
  const dir = Object.values(DIRS).find((d) => d.tenantId === tenantId);
  const name = dir?.displayName ?? tenantId;
  const guest = tenantId === DIRS.northwind.tenantId;
  return [
    { id: "owner", status: "pass", title: "You own the organization", detail: "Owners can connect an organization to a directory." },
    guest
      ? {
          id: "active-member",
          status: "fail",
          title: `You are a guest in ${name}, not a member`,
          detail: "Only members of the directory can connect an organization to it. Ask the directory's administrator to make your account a member.",
        }
      : { id: "active-member", status: "pass", title: `You are a member of ${name}`, detail: "Your personal Microsoft account is a member (not a guest) of the directory." },
    { id: "user-count", status: "pass", title: "7 users", detail: "Organizations with 100 users or fewer can be connected without help from Microsoft Support." },
    { id: "ssh-keys", status: "pass", title: "No SSH keys to clear", detail: "Microsoft Support does not need to clear any SSH keys first." },
    {
      id: "outside-domains",
      status: "warn",
      title: "2 members may lose access",
      detail: "Their sign-in addresses are not in the directory's domains. You can match them to work accounts after connecting.",
      affected: ["Sam Lee (sam.lee@gmail.com)", "Kim Park (kim.park@hotmail.com)"],
    },
  ];
}

const MEMBERS: Member[] = [
  { id: "m1", displayName: "Alex Morgan", email: "alex.morgan@contoso.com", origin: "aad", accessLevel: "Basic", lastAccessed: "2026-11-30T09:00:00Z", disconnected: false },
  { id: "m2", displayName: "Sam Lee", email: "sam.lee@gmail.com", origin: "msa", accessLevel: "Basic", disconnected: true },
  { id: "m3", displayName: "Kim Park", email: "kim.park@hotmail.com", origin: "msa", accessLevel: "Stakeholder", disconnected: true },
  { id: "m4", displayName: "Priya Shah", email: "priya.shah@contoso.com", origin: "aad", accessLevel: "Basic", disconnected: false },
];

async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  const s = scenario();
  await sleep(s.delay?.[cmd] ?? 20);
  const failure = s.fail?.[cmd];
  if (failure) throw failure;
  const org = () => state.orgs.find((o) => o.name === args.org);

  switch (cmd) {
    case "app_info":
      return appInfo();
    case "save_proxy": {
      // As src-tauri's save_proxy over core's set_user_setting: policy first, then the address.
      const proxy = String(args.proxy ?? "").trim();
      if (s.proxyEnforced) {
        throw err("invalid-input", "network.proxy is set by your organization's IT desk on this computer.", "Ask your IT desk to change it in the machine policy.");
      }
      const why = proxy ? proxyProblem(proxy) : undefined;
      if (why) throw err("invalid-input", `The proxy is not valid: ${why}.`, "Check the proxy and try again.");
      state.userProxy = proxy;
      return appInfo();
    }
    case "session_status":
      return session();
    case "sign_in_start": {
      cancelTimers();
      const tenantId = directoryArg(args);
      const mode = s.signIn ?? "approve";
      later(100, () => void emit("sign-in-progress", { state: "waiting", nextPollSecs: 5, expiresInSecs: 899 }));
      if (mode === "approve") {
        later(s.approveAfterMs ?? 700, () => {
          state.signedIn = true;
          // The work-account sign-in (to a directory) signs in the work account.
          if (tenantId) state.user = WORK_USER;
          state.tenant = tenantId ?? "organizations";
          void emit("sign-in-progress", { state: "signed-in", user: state.user, status: session() });
        });
      } else if (mode === "blocked" || mode === "decline" || mode === "expire") {
        const e = mode === "blocked" ? ERRORS.blocked : mode === "decline" ? ERRORS.declined : ERRORS.expired;
        later(300, () => void emit("sign-in-progress", { state: "failed", error: e }));
      }
      return {
        userCode: "GH7K2QX9P",
        verificationUri: "https://microsoft.com/devicelogin",
        expiresIn: 900,
        interval: 5,
        message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code GH7K2QX9P to authenticate.",
      };
    }
    case "sign_in_cancel":
      cancelTimers();
      return null;
    case "sign_in_browser": {
      // As sign_in_start: with a directory id it signs the work account in to that directory.
      const tenantId = directoryArg(args);
      await sleep(300);
      state.signedIn = true;
      if (tenantId) state.user = WORK_USER;
      state.tenant = tenantId ?? "organizations";
      return session();
    }
    case "sign_out":
      state.signedIn = false;
      state.tenant = "organizations";
      return null;
    case "list_organizations":
      return state.orgs.map((o) => ({ ...o, directory: { ...o.directory } }));
    case "organization_details": {
      const o = org();
      if (!o) throw err("not-found", `There is no organization named ${String(args.org)}.`, "Refresh the list of organizations.");
      return details(o);
    }
    case "list_directories":
      return [DIRS.contoso, DIRS.northwind];
    case "resolve_domain": {
      const d = String(args.domain);
      if (d === "fabrikam.com") return DIRS.fabrikam;
      if (d === "contoso.com") return DIRS.contoso;
      throw err("not-found", `No directory uses the domain ${d}.`, "Check the spelling, or ask your IT administrator for your company's directory domain.");
    }
    case "preflight":
      return checks(String(args.tenantId));
    case "connect_organization": {
      await emit("connect-progress", { step: "connecting" });
      await sleep(250);
      await emit("connect-progress", { step: "verifying" });
      await sleep(350);
      const verified = s.connectVerified ?? true;
      const o = org();
      if (o && verified) o.directory = { kind: "directory", tenantId: String(args.tenantId) };
      if (verified) await emit("connect-progress", { step: "connected" });
      return { org: args.org, tenantId: args.tenantId, verified };
    }
    case "disconnect_organization": {
      const o = org();
      if (!o) throw err("not-found", `There is no organization named ${String(args.org)}.`, "Refresh the list of organizations.");
      if (o.directory.kind !== "directory") throw err("invalid-input", `${o.name} is not connected to a directory.`, "Nothing to disconnect.");
      // The service's own refusals (the simulator's, reference §5): a member, or a work account.
      if (!o.owned) {
        throw err(
          "not-authorized",
          `Azure DevOps refused this request: ${state.user.email} needs the "Edit collection-level information" permission on ${o.name}.`,
          "Make sure you signed in with an account that owns or administers the organization.",
          { httpStatus: 403, endpoint: "organization" },
        );
      }
      if (state.tenant !== "organizations") {
        throw err(
          "request-failed",
          `Azure DevOps did not accept the request: User: ${state.user.email} is not allowed to disconnect organization: ${o.name}. Azure AD users can't disconnect organizations from directories.`,
          "Read the message above; correct what it names and try again.",
          { httpStatus: 400, endpoint: "organization" },
        );
      }
      await emit("connect-progress", { step: "disconnecting" });
      await sleep(250);
      await emit("connect-progress", { step: "verifying" });
      await sleep(300);
      const verified = s.disconnectVerified ?? true;
      if (verified) o.directory = { kind: "personal" };
      await emit("connect-progress", { step: verified ? "disconnected" : "not-yet-visible" });
      return { org: o.name, tenantId: PERSONAL_TENANT, verified };
    }
    case "gcm_plan":
      return gcmPlan(args.orgs as string[], (args.choices ?? {}) as GcmChoices);
    case "gcm_apply":
      return gcmApply(args.plan as GcmPlan);
    case "gcm_restore": {
      const backup = String(args.backup);
      const restored = backup.replace(/\.bak-\d{8}T\d{6}Z$/, "");
      const same = !!s.restoreSame;
      return {
        from: backup,
        restored,
        kind: restored.endsWith("tenant.cache") ? "legacy-tenant-cache" : "git-config",
        changed: !same,
        backupOfReplaced: same ? null : `${restored}.bak-20261130T101730Z`,
      } satisfies RestoreOutcome;
    }
    case "open_logs_folder":
      return null;
    case "update_available": {
      const s = scenario();
      if (s.update !== undefined || !s.updatePending) return s.update ?? null;
      return new Promise((resolve) => (window.__findUpdate = resolve));
    }
    case "diagnostics_summary":
      // core's diagnostics::Report::render_text, for the fake machine.
      return [
        "ADO Connect 0.1.0",
        "OS: linux x86_64 (Debian GNU/Linux 12)",
        "Configuration:",
        "  /home/alex/.config/ado-connect/config.toml",
        "Set by the organization: identity.tenant, policy.allowed_tenants",
        "Logs: /home/alex/.local/share/ado-connect/logs (2 files)",
        "Recent errors (newest last):",
        "  2026-11-30T10:15:00Z ERROR [sign-in-blocked-by-policy] Your company's Conditional Access policy blocks signing in with a code. (AADSTS53003) correlation id b7e2c1d0-4f3a-4e5b-9c8d-7a6b5c4d3e2f",
        "",
      ].join("\n");
    case "resume":
      return s.resume ?? ({ step: "welcome", invitations: [] } satisfies WizardProgress);
    case "list_members":
      return MEMBERS;
    case "invite_user":
      state.invitePolls.set(String(args.email), 0);
      return { email: String(args.email), state: "invited" } satisfies Invitation;
    case "invitation_status": {
      const n = (state.invitePolls.get(String(args.email)) ?? 0) + 1;
      state.invitePolls.set(String(args.email), n);
      return n === 1
        ? { email: args.email, state: "waiting" }
        : { email: args.email, state: "signed-in", lastAccessed: "2026-11-30T10:30:00Z" };
    }
    case "create_pat": {
      const validTo = new Date(Date.UTC(2026, 10, 30) + Number(args.days) * 86400000).toISOString();
      return { name: args.name, validTo, token: TOKEN };
    }
    case "open_link":
      return null;
    case "save_report":
      return { jsonPath: "/home/alex/.local/share/ado-connect/reports/report-20261130.json", textPath: "/home/alex/.local/share/ado-connect/reports/report-20261130.txt" };
    default:
      throw err("internal", `The mock backend does not know the command ${cmd}.`, "Fix the test or docs/ipc.md.");
  }
}

const ORG_PROXY = "http://proxy.contoso.com:8080";

/** What src-tauri's app_info answers for the fake machine, with the proxy as it stands now. */
function appInfo(): AppInfo {
  const s = scenario();
  const enforced = ["identity.tenant", "policy.allowed_tenants", ...(s.proxyEnforced ? ["network.proxy"] : [])];
  // core's http::describe_proxy: policy, then the user's, then the environment's, else none.
  const proxy = s.proxyEnforced
    ? `${ORG_PROXY} (set by your organization)`
    : state.userProxy
      ? `${bareUrl(state.userProxy)} (your setting)`
      : s.envProxy
        ? `${bareUrl(s.envProxy)} (from HTTPS_PROXY)`
        : "None: a direct connection";
  return {
    version: "0.1.0",
    demo: true,
    configSources: ["/home/alex/.config/ado-connect/config.toml"],
    logDir: "/home/alex/.local/share/ado-connect/logs",
    configError: s.configError,
    proxy,
    userProxy: s.proxyEnforced ? "" : state.userProxy,
    enforced,
  };
}

/** A URL as core shows it: normalized, without user name, password or the trailing "/". */
function bareUrl(value: string): string {
  const u = new URL(value);
  u.username = "";
  u.password = "";
  return u.href.replace(/\/$/, "");
}

/**
 * Why core's validate_proxy_url refuses `value`, in its words, or undefined. Unlike core, the
 * address is never quoted with a user name or password in it.
 */
function proxyProblem(value: string): string | undefined {
  if (/[\s\x00-\x1f\x7f]/.test(value)) return `\`${value}\` contains a space, a line break or another control character`;
  let u: URL;
  try {
    // The Rust url crate, like URL, reads "proxy.contoso.com:8080" as the scheme "proxy.contoso.com".
    if (!value.includes("://")) throw new TypeError("relative URL without a base");
    u = new URL(value);
  } catch (e) {
    return `\`${value}\` is not a URL such as http://proxy.contoso.com:8080 (${e instanceof Error ? e.message : String(e)})`;
  }
  if (u.username || u.password) return `\`${bareUrl(value)}\` must not contain a user name or password`;
  if (!["http:", "https:", "socks5:", "socks5h:"].includes(u.protocol)) return `\`${value}\` uses \`${u.protocol}\`; use http://, https:// or socks5://`;
  if (!u.hostname) return `\`${value}\` has no host`;
  if ((u.pathname !== "/" && u.pathname !== "") || u.search || u.hash || /[?#]/.test(value)) return `\`${value}\` must be only scheme, host and port`;
  return undefined;
}

/** The optional directory id of a sign-in, checked as core checks it. */
function directoryArg(args: Record<string, unknown>): string | undefined {
  const tenantId = args.tenantId as string | undefined;
  if (tenantId !== undefined && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(tenantId)) {
    throw err("invalid-input", `The directory ID \`${tenantId}\` is not a GUID.`, "Choose the directory again.");
  }
  return tenantId;
}

function session(): SessionStatus {
  const s = scenario();
  return state.signedIn
    ? { signedIn: true, user: state.user, remembered: !s.keychainWarning, keychainWarning: s.keychainWarning, tenant: state.tenant }
    : { signedIn: false, remembered: false, keychainWarning: s.keychainWarning, tenant: "organizations" };
}

// ------------------------------------------------------------------ Git Credential Manager

const HOME = "/home/alex";
const LEGACY = `${HOME}/.local/share/GitCredentialManager/tenant.cache`;
const GITCONFIG = `${HOME}/.gitconfig`;
const STAMP = "20261130T101500Z";
const PERSONAL_TENANT = "00000000-0000-0000-0000-000000000000";

/** What core's gcm::plan would answer for the fake machine (docs/ipc.md, GcmPlan). */
function gcmPlan(orgs: string[], choices: GcmChoices): GcmPlan {
  const kind = scenario().gcm ?? "changes";
  const plan: GcmPlan = {
    orgs,
    createdAt: "2026-11-30T10:15:00Z",
    legacyCache: { path: LEGACY, status: "missing" },
    gitConfig: { git: "git", entryCount: 0 },
    changes: [],
    problems: [],
  };
  if (kind === "empty") return plan;
  const changes: PlannedChange[] = [];
  if (kind === "problems") {
    const problem = {
      source: "legacy-cache",
      code: "gcm-cache-corrupt",
      message: `${LEGACY} is not a Git Credential Manager cache that ADO Connect can read (it is not gzip data).`,
      remedy: "Choose to delete the whole old-style cache file: a backup is kept, and Git fills it in again.",
    };
    plan.legacyCache = { path: LEGACY, status: "unusable", problem };
    if (choices.wholeLegacyFile) {
      changes.push({ kind: "remove-legacy-file", target: LEGACY, note: "the file cannot be understood (gcm-cache-corrupt); it is removed as it is" });
    } else {
      plan.problems.push(problem);
    }
  } else {
    plan.legacyCache = { path: LEGACY, status: "readable", entryCount: 3 };
    if (choices.wholeLegacyFile) {
      changes.push({ kind: "remove-legacy-file", target: LEGACY, note: `all 3 entries, of every organization: ${[...orgs, "other-org"].join(", ")}` });
    } else {
      for (const org of orgs) {
        changes.push({
          kind: "remove-legacy-entry",
          org,
          target: LEGACY,
          key: `https://dev.azure.com/${org}/`,
          oldValue: PERSONAL_TENANT,
          note: "the empty tenant: a personal Microsoft account",
        });
      }
    }
  }
  for (const org of orgs) {
    changes.push({
      kind: "unset-git-config",
      org,
      target: GITCONFIG,
      key: `credential.azrepos:org/${org}.azureAuthority`,
      oldValue: "https://login.microsoftonline.com/organizations",
    });
    if (choices.unbindUsername) {
      changes.push({
        kind: "unset-git-config",
        org,
        target: GITCONFIG,
        key: `credential.azrepos:org/${org}.username`,
        oldValue: USER.email,
        note: "the account bound to this organization; Git will ask which account to use",
      });
    }
  }
  plan.gitConfig = { git: "git", entryCount: orgs.length * 2 };
  if (choices.rejectSavedPassword) {
    for (const org of orgs) {
      for (const key of [`https://dev.azure.com/${org}`, `https://${org}.visualstudio.com/`]) {
        changes.push({ kind: "reject-saved-password", org, target: "git credential", key, note: "if one is saved; git cannot say beforehand" });
      }
    }
  }
  plan.changes = changes;
  return plan;
}

/** What core's gcm::apply would answer: every change done (or failed, in "partial"), a backup per file. */
function gcmApply(plan: GcmPlan): GcmOutcome {
  const partial = scenario().gcm === "partial";
  const results: GcmOutcome["results"] = plan.changes.map((change) => {
    if (change.kind === "reject-saved-password") return { change, status: "requested" };
    if (partial && change.kind === "unset-git-config") {
      return {
        change,
        status: "failed",
        problem: {
          source: "git-config",
          code: "gcm-cache-not-writable",
          message: `${GITCONFIG} cannot be changed: the file is read-only.`,
          remedy: "Make the file writable (or ask your IT desk), then clean again.",
        },
      };
    }
    return { change, status: "done" };
  });
  const targets = new Set(results.filter((r) => r.status === "done" && r.change.target !== "git credential").map((r) => r.change.target));
  return {
    orgs: plan.orgs,
    startedAt: "2026-11-30T10:15:00Z",
    finishedAt: "2026-11-30T10:15:01Z",
    backups: [...targets].map((target) => ({ target, backup: `${target}.bak-${STAMP}` })),
    results,
  };
}

window.__calls = [];
window.__results = [];
window.__log = [];
window.__clipboard = [];
state.signedIn = !!scenario().signedIn;
state.userProxy = scenario().userProxy ?? "";
state.orgs = makeOrgs();
// Saved progress at "connected": the service shows the organization in its new directory.
{
  const r = scenario().resume;
  const o = state.orgs.find((x) => x.name === r?.org);
  if (r && o && r.tenantId && (r.step === "connected" || r.step === "connecting")) o.directory = { kind: "directory", tenantId: r.tenantId };
}
for (const [name, tenantId] of Object.entries(scenario().connected ?? {})) {
  const o = state.orgs.find((x) => x.name === name);
  if (o) o.directory = { kind: "directory", tenantId };
}
if (scenario().workAccount) {
  state.user = WORK_USER;
  state.tenant = scenario().workAccount as string;
}
window.__mockState = state;

mockIPC(
  (cmd, payload) => {
    window.__calls.push([cmd, payload ?? null]);
    window.__log.push(`>${cmd}`);
    return handle(cmd, (payload ?? {}) as Record<string, unknown>).then(
      (r) => {
        // A copy, so what the app does with the answer afterwards cannot change the record.
        window.__results.push([cmd, JSON.parse(JSON.stringify(r ?? null))]);
        window.__log.push(`<${cmd}`);
        return r;
      },
      (e) => {
        window.__log.push(`<${cmd}`);
        throw e;
      },
    );
  },
  { shouldMockEvents: true },
);

window.__emit = (event, payload) => emit(event, payload);

// Record what the app copies; the real clipboard may refuse in a headless browser.
if (navigator.clipboard) {
  const original = navigator.clipboard.writeText.bind(navigator.clipboard);
  navigator.clipboard.writeText = async (text: string) => {
    window.__clipboard.push(text);
    await original(text).catch(() => undefined);
  };
}
