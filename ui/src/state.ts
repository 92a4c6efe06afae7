// What the front end remembers while the window is open. Nothing secret: no tokens, no codes.
// The true state always comes from Rust; this only saves re-asking for lists the user has seen.

import type { AppInfo, Directory, Organization, SessionStatus, User } from "./api";
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
  /** Set when someone signs in after a connect: the "work account" step. */
  workSignInAfterConnect: false,
  activity: [] as Activity[],
};

const listeners = new Set<() => void>();

export function onSessionChanged(l: () => void): void {
  listeners.add(l);
}

export function setSignedIn(user: User | undefined, keychainWarning?: string): void {
  state.session = user
    ? { ...state.session, signedIn: true, user, keychainWarning: keychainWarning ?? state.session.keychainWarning }
    : { signedIn: false, remembered: false, keychainWarning: state.session.keychainWarning };
  if (!user) {
    state.orgs = undefined;
    state.directories = undefined;
  }
  if (user && state.lastConnected) state.workSignInAfterConnect = true;
  listeners.forEach((l) => l());
}

export function record(text: string): void {
  state.activity.push({ at: new Date(), text });
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
