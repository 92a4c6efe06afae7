// The only module that talks to the Rust side (invoke and events). Every export follows
// docs/ipc.md exactly: same command names, camelCase arguments, camelCase results. Every
// rejection becomes a UserError, so screens never see a raw IPC value. Nothing here opens a
// link or a folder itself: `open_link` and `open_logs_folder` do that in Rust.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { S } from "./strings";

// ---------------------------------------------------------------- types (docs/ipc.md, "Types")

export interface User {
  id: string;
  displayName: string;
  email: string;
}

export type DirectoryKind = "personal" | "directory" | "unknown";

export interface Organization {
  name: string;
  id: string;
  owned: boolean;
  directory: { kind: DirectoryKind; tenantId?: string };
}

export interface OrganizationDetails extends Organization {
  owner: string;
  userCount: number;
  billing: { linked: boolean; subscriptionId?: string; link: string };
}

export interface Directory {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  category: "Home" | "ProjectedBy" | "ManagedBy" | "Domain";
}

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  id: string;
  status: CheckStatus;
  title: string;
  detail: string;
  affected?: string[];
}

export interface Member {
  id: string;
  displayName: string;
  email: string;
  origin: "msa" | "aad";
  accessLevel: string;
  lastAccessed?: string;
  disconnected: boolean;
}

export type AccessLevel = "stakeholder" | "basic";

export interface Invitation {
  email: string;
  state: "invited" | "waiting" | "signed-in";
  lastAccessed?: string;
}

export interface AppInfo {
  version: string;
  demo: boolean;
  configSources: string[];
  logDir: string;
  /** Set when a settings file is invalid; every other command then fails with it. */
  configError?: IpcError;
  /**
   * The proxy in effect, without credentials, and where it comes from: "http://p:8080 (your
   * setting)", "… (set by your organization)", "… (from HTTPS_PROXY)" or "None: a direct connection".
   */
  proxy?: string;
  /**
   * The proxy the user saved in their settings file, as saved ("": none). Also "" when the
   * machine policy fixes the proxy (then `enforced` contains "network.proxy").
   */
  userProxy?: string;
  /** Settings fixed by the organization's machine policy. */
  enforced?: string[];
}

export interface SessionStatus {
  signedIn: boolean;
  user?: User;
  remembered: boolean;
  keychainWarning?: string;
  /** `organizations`, or the directory's id after a work-account sign-in. */
  tenant?: string;
}

export interface DeviceCodeStart {
  userCode: string;
  verificationUri: string;
  expiresIn: number;
  interval: number;
  message: string;
}

export interface ConnectResult {
  org: string;
  tenantId: string;
  verified: boolean;
}

/** What the owner chose beyond the organization's own cache entries; all off by default. */
export interface GcmChoices {
  wholeLegacyFile?: boolean;
  unbindUsername?: boolean;
  rejectSavedPassword?: boolean;
}

/** Something that stops part of a cleanup, in core's words. */
export interface GcmProblem {
  source: "legacy-cache" | "git-config" | "saved-password" | string;
  code: string;
  message: string;
  remedy: string;
}

export type GcmChangeKind = "remove-legacy-entry" | "remove-legacy-file" | "unset-git-config" | "reject-saved-password";

/** One change of a cleanup plan (core's PlannedChange). */
export interface PlannedChange {
  kind: GcmChangeKind;
  org?: string;
  /** The file changed, or `git credential` for a saved password. */
  target: string;
  /** The cache key, git config key or address. */
  key?: string;
  /** The value the change removes. */
  oldValue?: string;
  /** Anything a person should know before saying yes. */
  note?: string;
}

export type LegacyCacheStatus = "missing" | "empty-file" | "readable" | "unusable";

/** The preview of a cleanup. Passed back to `gcm_apply` exactly as received. */
export interface GcmPlan {
  orgs: string[];
  createdAt: string;
  legacyCache: { path: string; status: LegacyCacheStatus; entryCount?: number; problem?: GcmProblem };
  gitConfig?: { git: string; entryCount?: number; problem?: GcmProblem };
  changes: PlannedChange[];
  problems: GcmProblem[];
}

export type GcmChangeStatus = "done" | "already-clean" | "requested" | "failed";

export interface GcmBackup {
  /** The file saved. */
  target: string;
  /** Its backup, which `gcm_restore` puts back. */
  backup: string;
}

export interface GcmOutcome {
  orgs: string[];
  startedAt: string;
  finishedAt: string;
  backups: GcmBackup[];
  results: { change: PlannedChange; status: GcmChangeStatus; problem?: GcmProblem }[];
}

/** What an Undo did. */
export interface RestoreOutcome {
  from: string;
  restored: string;
  kind: "legacy-tenant-cache" | "git-config" | string;
  /** False when the file already held exactly the backup's contents. */
  changed: boolean;
  /** The backup of the file that was replaced, so the Undo can itself be undone. */
  backupOfReplaced?: string | null;
}

export type WizardStep = "welcome" | "sign-in" | "organizations" | "directory" | "connecting" | "connected";

export interface TrackedInvitation {
  org: string;
  email: string;
  invitedAt: string;
  signedIn: boolean;
}

/** The wizard's saved progress, re-read against the service by `resume`. */
export interface WizardProgress {
  step: WizardStep;
  org?: string;
  tenantId?: string;
  directoryName?: string;
  invitations: TrackedInvitation[];
}

/** Core's token permissions; the first is the default (least privilege). */
export type PatScope = "code-read" | "code-write" | "packaging-read" | "work-items-read" | "build-read";

export interface PatCreated {
  name: string;
  validTo: string;
  /** Shown once, never stored or logged. */
  token: string;
}

export interface SavedReport {
  jsonPath: string;
  textPath: string;
}

export interface IpcErrorDetails {
  aadsts?: number;
  correlationId?: string;
  traceId?: string;
  timestamp?: string;
  httpStatus?: number;
  endpoint?: string;
}

export interface IpcError {
  code: string;
  message: string;
  remedy: string;
  helpUrl?: string;
  details?: IpcErrorDetails;
}

export interface SignInProgress {
  state: "waiting" | "slow-down" | "signed-in" | "failed";
  nextPollSecs?: number;
  expiresInSecs?: number;
  user?: User;
  /** The session after a successful sign-in (the shell sends it with "signed-in"). */
  status?: SessionStatus;
  error?: UserError;
}

/** A newer version Rust found at start (when the build and the machine policy allow updates). */
export interface UpdateAvailable {
  version: string;
  /** The release notes, if the update server gave any. */
  notes: string | null;
}

export interface ConnectProgress {
  /**
   * A connect: connecting, verifying, connected (or failed). A disconnect: disconnecting,
   * verifying, then disconnected, or not-yet-visible when Microsoft does not show it yet.
   */
  step: "connecting" | "verifying" | "connected" | "failed" | "disconnecting" | "disconnected" | "not-yet-visible";
  error?: UserError;
}

// ---------------------------------------------------------------- errors

/** Strings that look like a bearer token, a JWT or a PAT. Details are redacted with this as a last guard. */
const TOKEN_LIKE = /\b(eyJ[\w-]{8,}\.[\w-]+\.?[\w-]*|[A-Za-z0-9+_-]{40,}={0,2})\b/g;

export function redactTokens(text: string): string {
  return text.replace(TOKEN_LIKE, "[redacted]");
}

/** The one error type the screens see: what happened, what to do next, and details to copy. */
export class UserError extends Error {
  readonly code: string;
  readonly remedy: string;
  readonly helpUrl?: string;
  readonly details: IpcErrorDetails;
  /** When the UI received the error; used when Microsoft gave no timestamp. */
  readonly receivedAt: Date;

  constructor(e: IpcError) {
    super(e.message);
    this.name = "UserError";
    this.code = e.code;
    this.remedy = e.remedy;
    this.helpUrl = e.helpUrl;
    // Keep only the documented detail fields: anything else is never shown or copied.
    const d = e.details ?? {};
    this.details = {
      aadsts: typeof d.aadsts === "number" ? d.aadsts : undefined,
      correlationId: typeof d.correlationId === "string" ? d.correlationId : undefined,
      traceId: typeof d.traceId === "string" ? d.traceId : undefined,
      timestamp: typeof d.timestamp === "string" ? d.timestamp : undefined,
      httpStatus: typeof d.httpStatus === "number" ? d.httpStatus : undefined,
      endpoint: typeof d.endpoint === "string" ? d.endpoint : undefined,
    };
    this.receivedAt = new Date();
  }

  /** Turns whatever an IPC call rejected with into a UserError. */
  static from(raw: unknown): UserError {
    if (raw instanceof UserError) return raw;
    if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
      const o = raw as Partial<IpcError>;
      return new UserError({
        code: String(o.code),
        message: String(o.message),
        remedy: typeof o.remedy === "string" ? o.remedy : "",
        helpUrl: typeof o.helpUrl === "string" ? o.helpUrl : undefined,
        details: (o.details ?? {}) as IpcErrorDetails,
      });
    }
    const text = raw instanceof Error ? raw.message : String(raw);
    return new UserError({
      code: "internal",
      message: text || S.error.internal,
      remedy: S.error.internalRemedy,
    });
  }

  /** The text behind "Copy details": code, time, correlation id. Never a token. */
  copyDetails(appVersion?: string): string {
    const d = this.details;
    const L = S.error.details;
    const lines = [`${L.error}: ${this.message}`, `${L.code}: ${this.code}`];
    if (d.aadsts !== undefined) lines.push(`${L.aadsts}: ${d.aadsts}`);
    if (d.httpStatus !== undefined) lines.push(`${L.httpStatus}: ${d.httpStatus}`);
    if (d.endpoint) lines.push(`${L.endpoint}: ${d.endpoint}`);
    if (d.correlationId) lines.push(`${L.correlationId}: ${d.correlationId}`);
    if (d.traceId) lines.push(`${L.traceId}: ${d.traceId}`);
    lines.push(`${L.time}: ${d.timestamp ?? this.receivedAt.toISOString()}`);
    if (appVersion) lines.push(`${L.app}: ${appVersion}`);
    return redactTokens(lines.join("\n"));
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw UserError.from(e);
  }
}

// ---------------------------------------------------------------- commands (docs/ipc.md, "Commands")

/** Version, whether the simulator is in use, the config files in effect and the log folder. */
export const appInfo = () => call<AppInfo>("app_info");

/** Whether someone is signed in; restores a remembered sign-in from the OS keychain. */
export const sessionStatus = () => call<SessionStatus>("session_status");

/**
 * Starts a device-code sign-in; Rust then polls and reports through `onSignInProgress`. With a
 * directory id it is the work-account sign-in after connecting (against `/{tenantId}`).
 */
export const signInStart = (tenantId?: string) =>
  call<DeviceCodeStart>("sign_in_start", tenantId ? { tenantId } : {});

/** Stops the device-code sign-in at once: no request leaves after it. */
export const signInCancel = () => call<null>("sign_in_cancel");

/**
 * Signs in through the system browser (authorization code + PKCE with a loopback redirect).
 * With a directory id it is the work-account sign-in after connecting, as `signInStart`.
 */
export async function signInBrowser(tenantId?: string): Promise<SessionStatus> {
  const r = await call<SessionStatus>("sign_in_browser", tenantId ? { tenantId } : {});
  if (!r || !r.signedIn || !r.user) throw UserError.from(S.error.signInFailed);
  return r;
}

/** Signs out and forgets the remembered sign-in. */
export const signOut = () => call<null>("sign_out");

/** The organizations the signed-in user owns or belongs to, with their current directory. */
export const listOrganizations = (refresh = false) =>
  call<Organization[]>("list_organizations", { refresh });

/** Owner, current directory, billing and user count of one organization. */
export const organizationDetails = (org: string) =>
  call<OrganizationDetails>("organization_details", { org });

/** The directories (Microsoft Entra tenants) the user belongs to. */
export const listDirectories = () => call<Directory[]>("list_directories");

/** Finds the directory behind a domain such as contoso.com. */
export const resolveDomain = (domain: string) => call<Directory>("resolve_domain", { domain });

/** Runs the checks that must pass before an organization can be connected to a directory. */
export const preflight = (org: string, tenantId: string) =>
  call<Check[]>("preflight", { org, tenantId });

/** Connects the organization to the directory and verifies it; steps arrive through `onConnectProgress`. */
export const connectOrganization = (org: string, tenantId: string) =>
  call<ConnectResult>("connect_organization", { org, tenantId });

/**
 * Disconnects the organization from its directory (back to personal Microsoft accounts) and
 * verifies it; steps arrive through `onConnectProgress`. The result's tenantId is the all-zero
 * GUID; `verified` is false when Microsoft does not show the change yet.
 */
export const disconnectOrganization = (org: string) => call<ConnectResult>("disconnect_organization", { org });

/** Lists what a Git Credential Manager cleanup would change on this machine, without changing anything. */
export const gcmPlan = (orgs: string[], choices: GcmChoices = {}) => call<GcmPlan>("gcm_plan", { orgs, choices });

/** Applies a cleanup plan exactly as `gcmPlan` returned it (backing up first) and says what became of each change. */
export const gcmApply = (plan: GcmPlan, choices: GcmChoices = {}) => call<GcmOutcome>("gcm_apply", { plan, choices });

/** Undo: puts a backup made by `gcmApply` back (a path from `GcmOutcome.backups[].backup`). */
export const gcmRestore = (backup: string) => call<RestoreOutcome>("gcm_restore", { backup });

/** The organization's members, flagging those still on personal accounts ("disconnected"). */
export const listMembers = (org: string) => call<Member[]>("list_members", { org });

/** Invites a directory user to the organization with the chosen access level. */
export const inviteUser = (org: string, email: string, accessLevel: AccessLevel) =>
  call<Invitation>("invite_user", { org, email, accessLevel });

/** Whether an invited user has signed in yet. */
export const invitationStatus = (org: string, email: string) =>
  call<Invitation>("invitation_status", { org, email });

/**
 * Creates a personal access token; the token comes back once and is never stored. Scopes are
 * core's names: code-read, code-write, work-items-read, build-read, packaging-read.
 */
export const createPat = (org: string, name: string, scopes: PatScope[], days: number) =>
  call<PatCreated>("create_pat", { org, name, scopes, days });

/** Opens an https link in the default browser (Rust enforces the allowlist). */
export const openLink = (url: string) => call<null>("open_link", { url });

/** Saves the report of what was done as JSON and as text; returns where. */
export const saveReport = () => call<SavedReport>("save_report");

/**
 * Saves the user's own proxy in their settings file (comments kept, the old file kept as a .bak)
 * and uses it at once, keeping the sign-in; "" removes it, so HTTPS_PROXY or a direct connection
 * applies. Returns the new app info. Rust checks the address again (an http, https, socks5 or
 * socks5h URL with a host, no user name or password, no path) and refuses while a sign-in is in
 * progress or when the organization fixes the proxy (`invalid-input`).
 *
 * @example
 * const info = await saveProxy("http://proxy.contoso.com:8080");
 * info.proxy; // "http://proxy.contoso.com:8080 (your setting)"
 */
export const saveProxy = (proxy: string) => call<AppInfo>("save_proxy", { proxy });

/** Opens the folder with the log files in the file manager (done in Rust; the page has no opener). */
export const openLogsFolder = () => call<null>("open_logs_folder");

/**
 * The text behind "Copy diagnostic summary": version, operating system, settings files, and the
 * last errors with their codes and correlation ids. Rust never puts a token in it; the token
 * pattern is redacted here too, as in "Copy details", as a last guard.
 */
export const diagnosticsSummary = async () => redactTokens(await call<string>("diagnostics_summary"));

/** The wizard's saved progress, re-read against the service: where to pick up after a restart. */
export const resume = () => call<WizardProgress>("resume");

// ---------------------------------------------------------------- events (docs/ipc.md, "Events")

function errorOf(raw: unknown): UserError | undefined {
  return raw === undefined || raw === null ? undefined : UserError.from(raw);
}

/** Each device-code poll, and the end of the sign-in. Returns the function that stops listening. */
export function onSignInProgress(handler: (p: SignInProgress) => void): Promise<UnlistenFn> {
  return listen<Omit<SignInProgress, "error"> & { error?: IpcError }>("sign-in-progress", (e) =>
    handler({ ...e.payload, error: errorOf(e.payload.error) }),
  );
}

/** Each step of a connect or a disconnect (see ConnectProgress). Returns the function that stops listening. */
export function onConnectProgress(handler: (p: ConnectProgress) => void): Promise<UnlistenFn> {
  return listen<Omit<ConnectProgress, "error"> & { error?: IpcError }>("connect-progress", (e) =>
    handler({ ...e.payload, error: errorOf(e.payload.error) }),
  );
}

/**
 * The answer of the update check Rust makes once at start (only when the build and the machine
 * policy allow updates): the newer version, or null. While the check runs, the call waits for
 * it. The UI only announces it: installing is not done from the window.
 */
export const updateAvailable = async (): Promise<UpdateAvailable | null> =>
  updateOf(await call<{ version?: unknown; notes?: unknown } | null>("update_available"));

function updateOf(p: { version?: unknown; notes?: unknown } | null | undefined): UpdateAvailable | null {
  const version = typeof p?.version === "string" ? p.version : "";
  const notes = typeof p?.notes === "string" && p.notes.trim() ? p.notes.trim() : null;
  return version ? { version, notes } : null;
}
