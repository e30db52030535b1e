// The one module that talks to the shell: it unwraps results and turns IPC
// errors into thrown `CofferError`s, so callers use plain async/await.
import { commands, type ErrorCode, type FileForm, type IpcError, type SecretQuery, type Selection } from "./bindings";

export { commands, events } from "./bindings";
export type * from "./bindings";

/** An error from the shell, with the stable code the UI branches on. */
export class CofferError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | null;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "CofferError";
    this.code = error.code;
    this.detail = error.detail ?? null;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/**
 * The shell's error as an `IpcError`. Coffer's commands send `{code,
 * message, detail}`; Tauri itself rejects with a bare string (a command not
 * allowed or not found, arguments that do not deserialize), which would
 * otherwise become an error without a message.
 */
function asIpcError(error: unknown): IpcError {
  if (typeof error === "object" && error !== null && typeof (error as IpcError).message === "string") {
    return error as IpcError;
  }
  return { code: "internal", message: typeof error === "string" && error ? error : "The app refused the request.", detail: null };
}

/** Unwraps a command's result or throws its error. */
export async function unwrap<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const outcome = await pending;
  if (outcome.status === "ok") return outcome.data;
  throw new CofferError(asIpcError(outcome.error));
}

/** A message for people, for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof CofferError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Whether an error has one of `codes`. */
export function hasCode(error: unknown, ...codes: ErrorCode[]): boolean {
  return error instanceof CofferError && codes.includes(error.code);
}

/** Bulk actions take ids, or "all matching" a filter (resolved by the shell). */
function selectionOf(selection: string[] | Selection): Selection {
  return Array.isArray(selection) ? { ids: selection } : selection;
}

export const api = {
  appStatus: () => commands.appStatus(),
  createVault: (passphrase: string, useKeyring: boolean) =>
    unwrap(commands.createVault(passphrase, useKeyring)),
  unlockWithKeyring: () => unwrap(commands.unlockWithKeyring()),
  unlockWithPassphrase: (passphrase: string) => unwrap(commands.unlockWithPassphrase(passphrase)),
  unlockWithPin: (pin: string) => unwrap(commands.unlockWithPin(pin)),
  setQuickUnlock: (pin: string) => unwrap(commands.setQuickUnlock(pin)),
  clearQuickUnlock: () => unwrap(commands.clearQuickUnlock()),
  lockVault: () => unwrap(commands.lockVault()),
  vaultStatus: () => unwrap(commands.vaultStatus()),
  rotateMasterKey: (passphrase: string) => unwrap(commands.rotateMasterKey(passphrase)),
  changePassphrase: (oldPassphrase: string, newPassphrase: string) =>
    unwrap(commands.changePassphrase(oldPassphrase, newPassphrase)),
  setKeyring: (enabled: boolean) => unwrap(commands.setKeyring(enabled)),
  backupVault: (localDate: string) => unwrap(commands.backupVault(localDate)),
  verifyAudit: () => unwrap(commands.verifyAudit()),
  exportPreview: (...a: Parameters<typeof commands.exportPreview>) => unwrap(commands.exportPreview(...a)),
  exportSecrets: (...a: Parameters<typeof commands.exportSecrets>) => unwrap(commands.exportSecrets(...a)),
  pickBackup: (recovery: string | null) => unwrap(commands.pickBackup(recovery)),
  restoreIntoNewFile: (backup: string, recovery: string) => unwrap(commands.restoreIntoNewFile(backup, recovery)),
  restoreReplaceVault: (backup: string, recovery: string | null) => unwrap(commands.restoreReplaceVault(backup, recovery)),
  touch: () => commands.touch(),
  listSecrets: (...a: Parameters<typeof commands.listSecrets>) => unwrap(commands.listSecrets(...a)),
  getSecret: (id: string) => unwrap(commands.getSecret(id)),
  secretVersions: (id: string) => unwrap(commands.secretVersions(id)),
  auditEntries: (id: string | null, limit: number) => unwrap(commands.auditEntries(id, limit)),
  auditPage: (...a: Parameters<typeof commands.auditPage>) => unwrap(commands.auditPage(...a)),
  auditFacets: () => unwrap(commands.auditFacets()),
  exportAudit: (...a: Parameters<typeof commands.exportAudit>) => unwrap(commands.exportAudit(...a)),
  organizations: () => unwrap(commands.organizations()),
  revealField: (id: string, field: string, storePassword: string | null = null) =>
    unwrap(commands.revealField(id, field, storePassword)),
  copyField: (id: string, field: string, storePassword: string | null = null) =>
    unwrap(commands.copyField(id, field, storePassword)),
  saveSecretToFile: (id: string, form: FileForm, storePassword: string | null = null) =>
    unwrap(commands.saveSecretToFile(id, form, storePassword)),
  updateMetadata: (...a: Parameters<typeof commands.updateMetadata>) =>
    unwrap(commands.updateMetadata(...a)),
  updateValue: (...a: Parameters<typeof commands.updateValue>) => unwrap(commands.updateValue(...a)),
  restoreVersion: (id: string, version: number, storePassword: string | null = null) =>
    unwrap(commands.restoreVersion(id, version, storePassword)),
  setActive: (selection: string[] | Selection, active: boolean) =>
    unwrap(commands.setActive(selectionOf(selection), active)),
  trashSecrets: (selection: string[] | Selection) => unwrap(commands.trashSecrets(selectionOf(selection))),
  labelSecrets: (selection: string[] | Selection, set: Record<string, string>, remove: string[]) =>
    unwrap(commands.labelSecrets(selectionOf(selection), set, remove)),
  labelValues: () => unwrap(commands.labelValues()),
  renameSecret: (id: string, name: string) => unwrap(commands.renameSecret(id, name)),
  cloneSecret: (id: string, name: string, storePassword: string | null = null) =>
    unwrap(commands.cloneSecret(id, name, storePassword)),
  restoreFromTrash: (id: string) => unwrap(commands.restoreFromTrash(id)),
  purgeSecret: (id: string) => unwrap(commands.purgeSecret(id)),
  emptyTrash: () => unwrap(commands.emptyTrash()),
  moveSecret: (id: string, org: string) => unwrap(commands.moveSecret(id, org)),
  changeStorePassword: (id: string, oldPassword: string, newPassword: string) =>
    unwrap(commands.changeStorePassword(id, oldPassword, newPassword)),
  secretTypes: () => commands.secretTypes(),
  registerSecret: (...a: Parameters<typeof commands.registerSecret>) =>
    unwrap(commands.registerSecret(...a)),
  inspectInput: (...a: Parameters<typeof commands.inspectInput>) => unwrap(commands.inspectInput(...a)),
  pickFiles: (title: string, multiple: boolean) => unwrap(commands.pickFiles(title, multiple)),
  readKeyValueFile: (...a: Parameters<typeof commands.readKeyValueFile>) =>
    unwrap(commands.readKeyValueFile(...a)),
  getSettings: () => unwrap(commands.getSettings()),
  updateSettings: (...a: Parameters<typeof commands.updateSettings>) =>
    unwrap(commands.updateSettings(...a)),
  jobKinds: () => commands.jobKinds(),
  listJobs: () => unwrap(commands.listJobs()),
  getJob: (id: string) => unwrap(commands.getJob(id)),
  createJob: (...a: Parameters<typeof commands.createJob>) => unwrap(commands.createJob(...a)),
  updateJob: (...a: Parameters<typeof commands.updateJob>) => unwrap(commands.updateJob(...a)),
  setJobEnabled: (id: string, enabled: boolean) => unwrap(commands.setJobEnabled(id, enabled)),
  deleteJob: (id: string) => unwrap(commands.deleteJob(id)),
  jobStorePasswords: (id: string) => unwrap(commands.jobStorePasswords(id)),
  runJobNow: (id: string, storePasswords: Record<string, string> | null = null) =>
    unwrap(commands.runJobNow(id, storePasswords)),
  jobRuns: (id: string, limit: number) => unwrap(commands.jobRuns(id, limit)),
  secretUsage: (id: string) => unwrap(commands.secretUsage(id)),
  matchingUsage: (query: SecretQuery, except: string[]) => unwrap(commands.matchingUsage(query, except)),
  testSecret: (...a: Parameters<typeof commands.testSecret>) => unwrap(commands.testSecret(...a)),
  checkPlaceholders: (...a: Parameters<typeof commands.checkPlaceholders>) =>
    unwrap(commands.checkPlaceholders(...a)),
  checkTemplateFile: (...a: Parameters<typeof commands.checkTemplateFile>) =>
    unwrap(commands.checkTemplateFile(...a)),
  listManagers: () => unwrap(commands.listManagers()),
  addManager: (...a: Parameters<typeof commands.addManager>) => unwrap(commands.addManager(...a)),
  updateManager: (...a: Parameters<typeof commands.updateManager>) => unwrap(commands.updateManager(...a)),
  deleteManager: (name: string) => unwrap(commands.deleteManager(name)),
  testManagerSpec: (...a: Parameters<typeof commands.testManagerSpec>) => unwrap(commands.testManagerSpec(...a)),
  testManager: (name: string) => unwrap(commands.testManager(name)),
  browseManager: (name: string, prefix: string, page: string | null) => unwrap(commands.browseManager(name, prefix, page)),
  importRemote: (...a: Parameters<typeof commands.importRemote>) => unwrap(commands.importRemote(...a)),
  cachedSecrets: (name: string | null) => unwrap(commands.cachedSecrets(name)),
  clearCache: (name: string | null) => unwrap(commands.clearCache(name)),
  managerDeployments: (name: string) => unwrap(commands.managerDeployments(name)),
  managerUsage: (name: string) => unwrap(commands.managerUsage(name)),
  deploySecret: (id: string, manager: string, remoteName: string) => unwrap(commands.deploySecret(id, manager, remoteName)),
  secretDeployments: (id: string) => unwrap(commands.secretDeployments(id)),
  retryDeployment: (id: string) => unwrap(commands.retryDeployment(id)),
  adoptDeployment: (id: string) => unwrap(commands.adoptDeployment(id)),
  decommissionDeployment: (id: string, confirm: string) => unwrap(commands.decommissionDeployment(id, confirm)),
  teamVaults: () => unwrap(commands.teamVaults()),
  teamStatus: (team: string | null) => unwrap(commands.teamStatus(team)),
  createTeamVault: (...a: Parameters<typeof commands.createTeamVault>) => unwrap(commands.createTeamVault(...a)),
  joinTeamVault: (...a: Parameters<typeof commands.joinTeamVault>) => unwrap(commands.joinTeamVault(...a)),
  inviteTeamMember: (...a: Parameters<typeof commands.inviteTeamMember>) => unwrap(commands.inviteTeamMember(...a)),
  teamMembers: (team: string | null) => unwrap(commands.teamMembers(team)),
  confirmTeamMember: (...a: Parameters<typeof commands.confirmTeamMember>) => unwrap(commands.confirmTeamMember(...a)),
  removeTeamMember: (...a: Parameters<typeof commands.removeTeamMember>) => unwrap(commands.removeTeamMember(...a)),
  teamAudit: (...a: Parameters<typeof commands.teamAudit>) => unwrap(commands.teamAudit(...a)),
  teamInvitations: (team: string | null) => unwrap(commands.teamInvitations(team)),
  revokeTeamInvitation: (...a: Parameters<typeof commands.revokeTeamInvitation>) => unwrap(commands.revokeTeamInvitation(...a)),
  previewSchedule: (...a: Parameters<typeof commands.previewSchedule>) =>
    unwrap(commands.previewSchedule(...a)),
};
