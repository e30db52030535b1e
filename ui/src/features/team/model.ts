// The team vault screens' rules: form checks mirroring coffer-team's, the
// fingerprint as people read it, and what each error code means here.
import { CofferError, type ErrorCode } from "../../ipc/client";

/** A Coffer secret reference as coffer-team reads it: `org:name`, or `name` in Default. */
export function secretRef(org: string, name: string): string | null {
  const n = name.trim();
  if (!n) return null;
  return org === "Default" ? n : `${org}:${n}`;
}

/** The five groups of four hex digits a member reads out (any separators accepted). */
export function fingerprintGroups(fingerprint: string): string[] {
  const hex = normalizeFingerprint(fingerprint);
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 4) groups.push(hex.slice(i, i + 4));
  return groups;
}

/** As coffer-team compares: hex digits only, lower case (spaces, dashes, case do not matter). */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[^0-9a-fA-F]/g, "").toLowerCase();
}

/** A typed fingerprint that cannot be one (20 hex digits): said before asking the server. */
export function fingerprintProblem(text: string): string | undefined {
  const n = normalizeFingerprint(text).length;
  if (n === 0) return "Type the fingerprint the member reads out.";
  if (n !== 20) return `A fingerprint has 20 hex digits (five groups of four); this has ${n}.`;
  return undefined;
}

/** Display names and the organization name: 1 to 200 printable characters (coffer-team's check_name). */
export function nameProblem(text: string): string | undefined {
  // Code points, as Rust counts chars.
  const n = Array.from(text.trim()).length;
  // eslint-disable-next-line no-control-regex
  if (n === 0 || n > 200 || /[\u0000-\u001f\u007f-\u009f]/.test(text)) return "1 to 200 printable characters.";
  return undefined;
}

export type CreateForm = {
  connection: string;
  org: string;
  passwordSecret: string;
  caSecret: string;
  /** A certificate secret (certificate and private key) for servers that ask for one. */
  clientCert: string;
  displayName: string;
  orgName: string;
};

export const emptyCreate: CreateForm = { connection: "", org: "Default", passwordSecret: "", caSecret: "", clientCert: "", displayName: "", orgName: "" };

export type CreateErrors = Partial<Record<"connection" | "displayName" | "orgName", string>>;

/** What the create form needs before it is sent (the server checks the rest). */
export function validateCreate(form: CreateForm): CreateErrors {
  const errors: CreateErrors = {};
  const url = form.connection.trim();
  if (!url) errors.connection = "Type the connection string, e.g. postgres://coffer@db.example:5432/team.";
  else if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(url))
    errors.connection = "Leave the password out: choose a basic_auth secret that holds it.";
  const name = nameProblem(form.displayName);
  if (name) errors.displayName = name;
  const org = nameProblem(form.orgName);
  if (org) errors.orgName = org;
  return errors;
}

export type JoinForm = { ticket: string; displayName: string; org: string; caSecret: string; clientCert: string };

export const emptyJoin: JoinForm = { ticket: "", displayName: "", org: "Default", caSecret: "", clientCert: "" };

export type JoinErrors = Partial<Record<"ticket" | "displayName", string>>;

export function validateJoin(form: JoinForm): JoinErrors {
  const errors: JoinErrors = {};
  if (!form.ticket.trim()) errors.ticket = "Paste the invitation ticket your administrator gave you.";
  else if (!form.ticket.trim().startsWith("coffer-invite-v1.")) errors.ticket = "This is not a Coffer invitation ticket (it starts with coffer-invite-v1.).";
  const name = nameProblem(form.displayName);
  if (name) errors.displayName = name;
  return errors;
}

/** Invitation lifetimes offered (hours); coffer-team accepts one minute to 30 days. */
export const EXPIRY_CHOICES: { hours: number; label: string }[] = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 720, label: "30 days" },
];

const ADVICE: Partial<Record<ErrorCode, string>> = {
  unreachable: "The server did not answer. Check the address, that PostgreSQL runs and that this machine may reach it.",
  forbidden: "The server refused. Check the user in the connection string and the password secret (a wrong password is refused here).",
  schema_too_new: "This team vault was made by a newer Coffer: upgrade Coffer on this machine first.",
  invitation_invalid: "Ask your administrator for a new invitation.",
  fingerprint_mismatch: "Nothing was granted. Ask the member to read their fingerprint again, from their own screen.",
  needs_dba: "This database role may not create roles or schemas. Show the SQL for a database administrator instead.",
  refused: "The team vault keeps at least one administrator: make another member administrator first.",
  tampered: "A record on the server does not verify: someone changed it. Nothing is shown.",
};

/** What to do about a team-vault error, when there is advice for its code. */
export function advice(error: unknown): string | undefined {
  return error instanceof CofferError ? ADVICE[error.code] : undefined;
}

/** Roles as people read them. */
export function roleLabel(role: string | null | undefined): string {
  if (role === "administrator") return "Administrator";
  if (role === "member") return "Member";
  return "—";
}

/** Audit actions as people read them (the raw action stays visible beside). */
const ACTIONS: Record<string, string> = {
  "team.create": "Created the team vault",
  "member.invite": "Invited a member",
  "member.confirm": "Confirmed a member",
  "member.remove": "Removed a member",
  "invitation.revoke": "Revoked an invitation",
  "secret.create": "Created a secret",
  "secret.update": "Changed a secret",
  "secret.delete": "Trashed a secret",
  "secret.reveal": "Revealed a secret",
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** Invitation states as the table shows them: `open` is pending. */
export function invitationLabel(state: string): string {
  return state === "open" ? "pending" : state;
}
