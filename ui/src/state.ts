// What the front end remembers while the window is open. Nothing secret: no tokens, no codes.
// The true state always comes from Rust; this only saves re-asking for lists the user has seen.

import type { AppInfo, Directory, Organization, SessionStatus, User, WizardProgress } from "./api";
import { PERSONAL_ACCOUNTS, S } from "./strings";

export interface Activity {
  at: Date;
  text: string;
}

export interface ConnectedOrg {
  org: string;
  directory: Directory;
  verified: boolean;
  at: Date;
}

export const state = {
  app: undefined as AppInfo | undefined,
  session: { signedIn: false, remembered: false } as SessionStatus,
  orgs: undefined as Organization[] | undefined,
  directories: undefined as Directory[] | undefined,
  /** The organization last opened in a blade; the checklist starts with it. */
  selectedOrg: undefined as string | undefined,
  lastConnected: undefined as ConnectedOrg | undefined,
  /** What `resume` said at start (the saved progress, re-read against the service). */
  progress: undefined as WizardProgress | undefined,
  activity: [] as Activity[],
};

const listeners = new Set<() => void>();

export function onSessionChanged(l: () => void): void {
  listeners.add(l);
}

/**
 * Records who is signed in. `tenant` is the directory the session signed in to
 * ("organizations" for the first sign-in, a directory id after the work-account sign-in).
 */
export function setSignedIn(user: User | undefined, keychainWarning?: string, tenant?: string): void {
  state.session = user
    ? {
        ...state.session,
        signedIn: true,
        user,
        keychainWarning: keychainWarning ?? state.session.keychainWarning,
        tenant: tenant ?? state.session.tenant,
      }
    : { signedIn: false, remembered: false, keychainWarning: state.session.keychainWarning };
  if (!user) {
    state.orgs = undefined;
    state.directories = undefined;
  }
  listeners.forEach((l) => l());
}

export function record(text: string): void {
  state.activity.push({ at: new Date(), text });
}

/** True when the session signed in to this directory (the work-account sign-in). */
export function signedInTo(tenantId: string | undefined): boolean {
  const t = state.session.tenant;
  return !!(state.session.signedIn && t && tenantId && t.toLowerCase() === tenantId.toLowerCase());
}

export function directoryName(tenantId: string | undefined): string | undefined {
  if (!tenantId) return undefined;
  return state.directories?.find((d) => d.tenantId.toLowerCase() === tenantId.toLowerCase())?.displayName;
}

const orgListeners = new Set<() => void>();

/** Subscribes to changes of `state.orgs` (a connect changes an organization's directory). */
export function onOrgsChanged(l: () => void): () => void {
  orgListeners.add(l);
  return () => orgListeners.delete(l);
}

export function orgsChanged(): void {
  orgListeners.forEach((l) => l());
}

/** "Personal Microsoft accounts", the directory's name, or its id when the name is unknown. */
export function directoryLabel(org: Organization): string {
  switch (org.directory.kind) {
    case "personal":
      return PERSONAL_ACCOUNTS;
    case "directory":
      return directoryName(org.directory.tenantId) ?? org.directory.tenantId ?? S.orgs.unknownDirectory;
    default:
      return S.orgs.unknownDirectory;
  }
}

/** The directory of the saved progress: its name if known, the saved name unless core only knew the id. */
export function progressDirectoryName(): string {
  const p = state.progress;
  const known = directoryName(p?.tenantId);
  if (known) return known;
  if (p?.directoryName && p.directoryName !== p.tenantId) return p.directoryName;
  return S.resume.someDirectory;
}
