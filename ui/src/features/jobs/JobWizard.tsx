import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { WizardSteps } from "../../components/WizardSteps";
import { useToast } from "../../components/Toasts";
import {
  api,
  errorMessage,
  hasCode,
  type Job,
  type JobKind,
  type JobKindInfo,
  type SecretMeta,
  type SecretRole,
  type TestReport,
} from "../../ipc/client";
import { TestReportView } from "../../components/TestReportView";
import { usableForMtls } from "../../lib/keyAlgorithms";
import { keys, useInvalidateSecrets } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { formatDateTime } from "../../lib/time";
import { draftOf, emptyDraft, inputOf, parseInterval, scheduleOf, settingsProblems, type JobDraft } from "./draft";
import { KIND_INFO, KIND_ORDER, ROLE_INFO } from "./labels";
import { PlaceholderField, TemplateFileCheck, templateCheck, usePlaceholderProblems, type CheckContext } from "./PlaceholderField";
import { SecretPicker, useSecretByName } from "./SecretPicker";
import "../register/register.css";
import "./jobs.css";

type Step = "kind" | "settings" | "security" | "schedule" | "review";

const STEPS: { id: Step; label: string }[] = [
  { id: "kind", label: "Kind" },
  { id: "settings", label: "Settings" },
  { id: "security", label: "Security" },
  { id: "schedule", label: "Schedule" },
  { id: "review", label: "Review" },
];

const TITLES: Record<Step, string> = {
  kind: "What should the job do?",
  settings: "Settings",
  security: "Secrets it uses",
  schedule: "When it runs",
  review: "Review",
};

/** Which step an error about a field belongs to. */
function stepOfMessage(message: string): Step {
  if (/^(name|org)\b/.test(message)) return "settings";
  if (/^(url|target|repo_url|branch|template|output|program|args|env|working_dir|timeout_seconds|token_username)\b/.test(message))
    return "settings";
  if (/^(schedule|cron|interval)\b/i.test(message)) return "schedule";
  if (/\bbound as\b|\brole\b/.test(message)) return "security";
  return "review";
}

/** The job wizard: kind → settings → security (secrets by role) → schedule → review. Also edits a job. */
export function JobWizard({ editing, secret }: { editing?: Job; secret?: string | null }) {
  const [draft, setDraft] = useState<JobDraft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const [step, setStep] = useState<Step>(editing ? "settings" : "kind");
  const [touched, setTouched] = useState(false);
  const [showProblems, setShowProblems] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [confirmProblems, setConfirmProblems] = useState<"next" | "save" | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const kinds = useQuery({ queryKey: keys.jobKinds, queryFn: api.jobKinds, staleTime: Infinity });
  const client = useQueryClient();
  const invalidateSecrets = useInvalidateSecrets();
  const toast = useToast();

  useEffect(() => {
    heading.current?.focus();
  }, [step]);

  const set = (patch: Partial<JobDraft>) => {
    setTouched(true);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const info: JobKindInfo | undefined = kinds.data?.find((k) => k.kind === draft.kind);
  const allowedRoles: SecretRole[] = info?.roles.map((r) => r.role) ?? [];
  const problems = settingsProblems(draft, Boolean(editing));
  const context: CheckContext = {
    org: draft.org || null,
    project: draft.project || null,
    toDisk: draft.kind === "template",
    allowWriteOnly: draft.allowWriteOnly,
  };

  const checked = useCheckProblems(draft, context);

  const chooseKind = (kind: JobKind) => {
    setTouched(true);
    setDraft((d) => ({ ...d, kind }));
    setStep("settings");
  };

  const cancel = () => {
    if (touched) setConfirmCancel(true);
    else navigate(editing ? { view: "job", id: editing.id } : { view: "jobs" });
  };

  const save = async () => {
    const input = inputOf(draft, allowedRoles);
    if (!input) return;
    setBusy(true);
    setFailure(null);
    try {
      const job = editing ? await api.updateJob(editing.id, input) : await api.createJob(input);
      await Promise.all([client.invalidateQueries({ queryKey: keys.jobs }), client.invalidateQueries({ queryKey: ["job"] }), invalidateSecrets()]);
      toast.info(editing ? `Saved ${job.name}.` : `Created ${job.name}.`);
      setTouched(false);
      navigate({ view: "job", id: job.id });
    } catch (error) {
      const message = errorMessage(error);
      setFailure(message);
      if (hasCode(error, "already_exists")) setStep("settings");
      else if (hasCode(error, "invalid_input", "not_found")) {
        const target = stepOfMessage(message);
        if (target !== "review") setStep(target);
      }
    } finally {
      setBusy(false);
    }
  };

  const current = STEPS.findIndex((s) => s.id === step);
  const next = (to: Step) => {
    setFailure(null);
    setStep(to);
  };

  return (
    <div className="page reg-page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>{editing ? `Edit ${editing.name}` : "New job"}</h1>
          <p>{draft.kind ? KIND_INFO[draft.kind].description : "A job fetches, renders or runs something with secrets from this vault."}</p>
        </div>
        <span className="spacer" />
        <button type="button" className="btn" onClick={cancel}>
          Cancel
        </button>
      </div>
      <WizardSteps label="Job steps" steps={STEPS} current={current} />
      <section className="card reg-card" aria-labelledby="job-step-title">
        <h2 id="job-step-title" ref={heading} tabIndex={-1} className="reg-step-title">
          {TITLES[step]}
        </h2>
        {failure && step !== "review" ? (
          <div className="notice notice-error" role="alert">
            <Icon name="alert" />
            <p>{failure}</p>
          </div>
        ) : null}
        {step === "kind" ? (
          <>
            <ul className="type-grid reg-types" aria-label="Job kinds">
              {KIND_ORDER.map((kind) => (
                <li key={kind}>
                  <button
                    type="button"
                    className="type-card reg-type-card"
                    aria-pressed={draft.kind === kind}
                    onClick={() => chooseKind(kind)}
                  >
                    <span className="row reg-type-title">
                      <Icon name={kind === "command" ? "settings" : kind === "template" ? "file" : kind === "git_fetch" ? "layers" : "upload"} />
                      <strong>{KIND_INFO[kind].label}</strong>
                    </span>
                    <span className="small muted">{KIND_INFO[kind].description}</span>
                  </button>
                </li>
              ))}
            </ul>
            {secret ? (
              <p className="small muted">
                The secret <code>{secret}</code> will be offered in the security step.
              </p>
            ) : null}
            <div className="reg-actions">
              <button type="button" className="btn" onClick={cancel}>
                Back
              </button>
            </div>
          </>
        ) : null}
        {step === "settings" && draft.kind ? (
          <SettingsStep
            draft={draft}
            set={set}
            editing={Boolean(editing)}
            context={context}
            problems={showProblems ? problems : {}}
            onBack={editing ? undefined : () => next("kind")}
            onNext={() => {
              setShowProblems(true);
              if (Object.keys(problems).length === 0) {
                setShowProblems(false);
                // Placeholders that do not resolve are not a form error (the secret may come later), but they are said.
                if (checked.problems.length) setConfirmProblems("next");
                else next("security");
              }
            }}
          />
        ) : null}
        {step === "security" && draft.kind && info ? (
          <SecurityStep draft={draft} set={set} info={info} secret={secret ?? null} storePassword={checked.storePassword} onBack={() => next("settings")} onNext={() => next("schedule")} />
        ) : null}
        {step === "schedule" ? (
          <ScheduleStep draft={draft} set={set} storePassword={checked.storePassword} onBack={() => next("security")} onNext={() => next("review")} />
        ) : null}
        {step === "review" && draft.kind ? (
          <ReviewStep
            draft={draft}
            roles={allowedRoles}
            busy={busy}
            failure={failure}
            editing={Boolean(editing)}
            problems={checked.problems}
            storePassword={checked.storePassword}
            checking={checked.pending}
            onBack={() => next("schedule")}
            onSave={() => (checked.problems.length ? setConfirmProblems("save") : void save())}
          />
        ) : null}
      </section>
      <ConfirmDialog
        open={confirmProblems !== null}
        title={confirmProblems === "save" ? (editing ? "Save with these problems?" : "Create the job with these problems?") : "Go on with these problems?"}
        confirmLabel={confirmProblems === "save" ? (editing ? "Save anyway" : "Create anyway") : "Go on anyway"}
        cancelLabel="Fix them"
        onClose={() => {
          if (confirmProblems === "save" && draft.kind === "command") next("settings");
          setConfirmProblems(null);
        }}
        onConfirm={() => {
          const what = confirmProblems;
          setConfirmProblems(null);
          if (what === "next") next("security");
          else void save();
        }}
      >
        <ProblemList problems={checked.problems} />
        <p className="small muted">Every run is refused until they are fixed.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirmCancel}
        title={editing ? "Discard these changes?" : "Discard this job?"}
        confirmLabel="Discard"
        cancelLabel="Keep editing"
        danger
        onClose={() => setConfirmCancel(false)}
        onConfirm={() => {
          setConfirmCancel(false);
          navigate(editing ? { view: "job", id: editing.id } : { view: "jobs" });
        }}
      >
        <p>Nothing is saved until you {editing ? "save" : "create the job"}.</p>
      </ConfirmDialog>
    </div>
  );
}

/** The secret names `${secret:NAME}` and `${secret:NAME#FIELD}` placeholders of a text use. */
function placeholderSecrets(text: string): string[] {
  return [...text.matchAll(/\$\{secret:(?:[^:}#\n]+:)?([^}#\n]+)(?:#[^}\n]*)?\}/g)].map((m) => m[1] ?? "").filter(Boolean);
}

/** The placeholder problems of the job's arguments, environment or template file, as a run would meet them. */
function useCheckProblems(draft: JobDraft, context: CheckContext) {
  const texts =
    draft.kind === "command"
      ? [
          ...draft.args.map((text, i) => ({ where: `Argument ${i + 1}`, text })),
          ...draft.env.map((pair, i) => ({ where: pair.key.trim() ? `Variable ${pair.key.trim()}` : `Variable ${i + 1}`, text: pair.value })),
        ]
      : [];
  const placeholders = usePlaceholderProblems(texts, context);
  const bound = Object.values(draft.roles).flatMap((name) => (name.trim() ? [name.trim()] : []));
  const names = [...new Set([...texts.flatMap(({ text }) => placeholderSecrets(text)), ...bound])];
  const found = useQueries({
    queries: names.map((name) => ({
      queryKey: [...keys.secrets, "by-name", context.org ?? "Default", name, "any"],
      queryFn: async () =>
        (await api.listSecrets({ text: name, org: context.org ?? "Default", sort: "name", limit: 1000, scope: "live" })).items.find((s) => s.name === name) ?? null,
    })),
  });
  const path = draft.kind === "template" ? draft.template.trim() : "";
  const template = useQuery(templateCheck(path, context));
  const problems = [...placeholders.problems];
  // Store-password secrets are no problem: manual runs ask for the password (scheduled runs are refused; said where the schedule is set).
  const storePassword = found.flatMap((f) => (f.data?.protection === "password" ? [f.data.name] : []));
  if (path.startsWith("/")) {
    if (template.error) problems.push(`Template file: ${errorMessage(template.error)}`);
    for (const p of template.data?.problems ?? []) problems.push(`Template file, line ${p.line}, column ${p.column}: ${p.placeholder} — ${p.message}`);
  }
  return { problems, storePassword, pending: placeholders.pending || (path.startsWith("/") && template.isFetching && !template.data) };
}

function ProblemList({ problems }: { problems: string[] }) {
  return (
    <ul className="job-problems">
      {problems.map((p) => (
        <li key={p} className="error">
          {p}
        </li>
      ))}
    </ul>
  );
}

/** A command line as a POSIX shell would need it typed: each argument quoted when it must be. */
export function shellQuote(words: string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(" ");
}

function Actions({ onBack, children }: { onBack: (() => void) | undefined; children: ReactNode }) {
  return (
    <div className="reg-actions">
      {onBack ? (
        <button type="button" className="btn" onClick={onBack}>
          Back
        </button>
      ) : null}
      <span className="spacer" />
      {children}
    </div>
  );
}

/** A one-line text field of the wizard (monospace unless `mono` is false). */
function TextField({
  label,
  hint,
  value,
  onChange,
  error,
  mono = true,
  placeholder,
  disabled,
}: {
  label: ReactNode;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  mono?: boolean;
  placeholder?: string;
  disabled?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      <input
        className={mono ? "input mono" : "input"}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function SettingsStep({
  draft,
  set,
  editing,
  context,
  problems,
  onBack,
  onNext,
}: {
  draft: JobDraft;
  set: (patch: Partial<JobDraft>) => void;
  editing: boolean;
  context: CheckContext;
  problems: Record<string, string>;
  onBack: (() => void) | undefined;
  onNext: () => void;
}) {
  return (
    <form
      className="stack reg-form"
      onSubmit={(e) => {
        e.preventDefault();
        onNext();
      }}
      noValidate
    >
      <div className="grid-2">
        <TextField
          label="Name"
          value={draft.name}
          onChange={(name) => set({ name })}
          error={problems.name}
          disabled={editing}
          placeholder="nightly/registry-sync"
          hint={editing ? "A job keeps its name." : "Letters, digits, and . _ / - (unique in the organization)."}
        />
        <TextField
          label="Description"
          value={draft.description}
          mono={false}
          onChange={(description) => set({ description })}
          hint="Optional: what it is for."
        />
      </div>
      {draft.kind === "http_fetch" ? (
        <>
          <TextField
            label="URL"
            value={draft.url}
            onChange={(url) => set({ url })}
            error={problems.url}
            hint="https. Credentials are bound in the next step, never put in the URL; redirects to another host receive none."
          />
          <TextField
            label="Target file"
            value={draft.target}
            onChange={(target) => set({ target })}
            error={problems.target}
            placeholder="/var/lib/app/artifact.tar.gz"
            hint="Written atomically: a failed download leaves the previous file as it was."
          />
        </>
      ) : null}
      {draft.kind === "git_fetch" ? (
        <>
          <TextField
            label="Repository"
            value={draft.repoUrl}
            onChange={(repoUrl) => set({ repoUrl })}
            error={problems.repoUrl}
            placeholder="https://git.example.com/team/config.git or git@git.example.com:team/config.git"
            hint="HTTPS (credentials via askpass, never in the URL or .git/config) or SSH (key pair, host key pinned on first use)."
          />
          <div className="grid-2">
            <TextField label="Branch" value={draft.branch} onChange={(branch) => set({ branch })} hint="Optional: the remote's default branch otherwise." />
            <TextField
              label="Token user name"
              value={draft.tokenUsername}
              onChange={(tokenUsername) => set({ tokenUsername })}
              hint="Sent with a bearer token over HTTPS (default x-access-token)."
            />
          </div>
          <TextField
            label="Working copy directory"
            value={draft.target}
            onChange={(target) => set({ target })}
            error={problems.target}
            placeholder="/srv/config"
          />
        </>
      ) : null}
      {draft.kind === "template" ? (
        <>
          <TextField
            label="Template file"
            value={draft.template}
            onChange={(template) => set({ template })}
            error={problems.template}
            placeholder="/etc/app/app.conf.tmpl"
            hint="Read at each run; its ${secret:NAME} and ${secret:NAME#FIELD} placeholders are checked here and at each run."
          />
          <TemplateFileCheck path={draft.template} context={context} />
          <TextField
            label="Output file"
            value={draft.output}
            onChange={(output) => set({ output })}
            error={problems.output}
            placeholder="/etc/app/app.conf"
            hint="Written atomically with mode 0600; nothing is written when a placeholder fails."
          />
          <label className="check">
            <input type="checkbox" checked={draft.allowWriteOnly} onChange={(e) => set({ allowWriteOnly: e.target.checked })} />
            <span>
              Allow values of write-only secrets in the output
              <span className="hint"> — they then exist in clear in that file.</span>
            </span>
          </label>
        </>
      ) : null}
      {draft.kind === "command" ? (
        <CommandSettings draft={draft} set={set} context={context} problems={problems} />
      ) : null}
      <details className="reg-paste">
        <summary>Organization and project</summary>
        <div className="grid-2">
          <TextField
            label="Organization"
            value={draft.org}
            mono={false}
            disabled={editing}
            onChange={(org) => set({ org })}
            placeholder="Default"
            hint="Placeholders and bindings name secrets of this organization."
          />
          <TextField
            label="Project"
            value={draft.project}
            mono={false}
            onChange={(project) => set({ project })}
            hint="Secrets restricted to another project refuse this job."
          />
        </div>
      </details>
      <Actions onBack={onBack}>
        <button type="submit" className="btn btn-primary">
          Next <Icon name="chevronRight" />
        </button>
      </Actions>
    </form>
  );
}

function CommandSettings({
  draft,
  set,
  context,
  problems,
}: {
  draft: JobDraft;
  set: (patch: Partial<JobDraft>) => void;
  context: CheckContext;
  problems: Record<string, string>;
}) {
  const setArg = (i: number, value: string) => set({ args: draft.args.map((a, j) => (j === i ? value : a)) });
  const setEnv = (i: number, patch: Partial<{ key: string; value: string }>) =>
    set({ env: draft.env.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  return (
    <>
      <TextField
        label="Program"
        value={draft.program}
        onChange={(program) => set({ program })}
        error={problems.program}
        placeholder="/usr/bin/psql"
        hint="A path, or a name looked up in PATH. It is run directly, not through a shell."
      />
      <fieldset className="job-fieldset">
        <legend>Arguments</legend>
        {draft.args.length === 0 ? <p className="small muted">No arguments.</p> : null}
        {draft.args.map((arg, i) => (
          <PlaceholderField
            key={i}
            label={`Argument ${i + 1}`}
            value={arg}
            onChange={(value) => setArg(i, value)}
            context={context}
            trailing={
              <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove argument ${i + 1}`} onClick={() => set({ args: draft.args.filter((_, j) => j !== i) })}>
                <Icon name="x" />
              </button>
            }
          />
        ))}
        <button type="button" className="btn btn-sm job-add" onClick={() => set({ args: [...draft.args, ""] })}>
          <Icon name="plus" /> Add an argument
        </button>
      </fieldset>
      <fieldset className="job-fieldset">
        <legend>Environment</legend>
        <p className="small muted">Added to Coffer's own environment. Values may hold placeholders such as ${"{"}secret:prod/db#password{"}"}.</p>
        {draft.env.map((pair, i) => (
          <div key={i} className="job-env-row">
            <TextField label={`Variable ${i + 1}`} value={pair.key} onChange={(key) => setEnv(i, { key })} placeholder="PGPASSWORD" />
            <PlaceholderField
              label="Value"
              value={pair.value}
              onChange={(value) => setEnv(i, { value })}
              context={context}
              trailing={
                <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove variable ${i + 1}`} onClick={() => set({ env: draft.env.filter((_, j) => j !== i) })}>
                  <Icon name="x" />
                </button>
              }
            />
          </div>
        ))}
        {problems.env ? <span className="error">{problems.env}</span> : null}
        <button type="button" className="btn btn-sm job-add" onClick={() => set({ env: [...draft.env, { key: "", value: "" }] })}>
          <Icon name="plus" /> Add a variable
        </button>
      </fieldset>
      <div className="grid-2">
        <TextField label="Working directory" value={draft.workingDir} onChange={(workingDir) => set({ workingDir })} error={problems.workingDir} hint="Optional." />
        <TextField label="Time limit (seconds)" value={draft.timeout} onChange={(timeout) => set({ timeout })} error={problems.timeout} hint="Optional: one hour by default." />
      </div>
      <p className="small muted">
        Its output is kept, encrypted, in the run history with every secret value replaced by *** (also as base64,
        hex, URL or JSON escapes and across wrapped lines); public fields such as user names are left as they are.
      </p>
    </>
  );
}

function SecurityStep({
  draft,
  set,
  info,
  secret,
  storePassword,
  onBack,
  onNext,
}: {
  draft: JobDraft;
  set: (patch: Partial<JobDraft>) => void;
  info: JobKindInfo;
  secret: string | null;
  storePassword: string[];
  onBack: () => void;
  onNext: () => void;
}) {
  const org = draft.org || "Default";
  const offered = useSecretByName(secret, [...new Set(info.roles.flatMap((r) => r.accepts))], org);
  // A secret the wizard was opened for fills the first empty role that accepts it (searched in the whole vault).
  const [offeredOnce, setOfferedOnce] = useState(false);
  if (secret && !offeredOnce && offered.isSuccess) {
    setOfferedOnce(true);
    const meta = offered.data;
    const role = meta && info.roles.find((r) => r.accepts.includes(meta.type) && !draft.roles[r.role]);
    if (role) set({ roles: { ...draft.roles, [role.role]: secret } });
  }
  const placeholderSecrets = draft.kind === "command" ? [...draft.args, ...draft.env.map((p) => p.value)].join("\n") : "";
  const named = [...placeholderSecrets.matchAll(/\$\{secret:(?:[^:}#\n]+:)?([^}#\n]+)(?:#[^}\n]*)?\}/g)].map((m) => m[1]);
  const distinct = [...new Set(named)];
  return (
    <div className="stack reg-form">
      <StorePasswordNote secrets={storePassword} />
      {info.roles.length === 0 ? (
        <p className="muted">
          A {KIND_INFO[info.kind].label.toLowerCase()} job uses secrets through its placeholders
          {draft.kind === "template" ? " in the template file" : " in its arguments and environment"}; there is nothing to bind by role.
        </p>
      ) : (
        <>
          <p className="muted small">Only secrets of a compatible type in {org} are offered. Each use of a secret by a run is audited.</p>
          {info.roles.map((role) => (
            <RolePicker
              key={role.role}
              role={role.role}
              types={role.accepts}
              org={org}
              value={draft.roles[role.role] ?? ""}
              onChange={(name) => set({ roles: { ...draft.roles, [role.role]: name } })}
            />
          ))}
          {draft.kind === "git_fetch" && /^(ssh:\/\/|[^/:]+@[^/:]+:)/.test(draft.repoUrl.trim()) && !draft.roles.ssh_key ? (
            <p className="notice notice-warn small">This repository is reached over SSH: bind an SSH key.</p>
          ) : null}
          {draft.kind === "http_fetch" ? <WizardTest draft={draft} org={org} /> : null}
        </>
      )}
      {distinct.length ? (
        <div className="small">
          Also used through placeholders: {distinct.map((n) => <code key={n} className="job-chip">{n}</code>)}
        </div>
      ) : null}
      <Actions onBack={onBack}>
        <button type="button" className="btn btn-primary" onClick={onNext}>
          Next <Icon name="chevronRight" />
        </button>
      </Actions>
    </div>
  );
}

function RolePicker({
  role,
  types,
  org,
  value,
  onChange,
}: {
  role: SecretRole;
  types: JobKindInfo["roles"][number]["accepts"];
  org: string;
  value: string;
  onChange: (name: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{ROLE_INFO[role].label}</label>
      <SecretPicker
        id={id}
        types={types}
        org={org}
        value={value}
        onChange={onChange}
        describedBy={`${id}-hint`}
        usable={role === "client_certificate" ? MTLS_USABLE : undefined}
      />
      <span id={`${id}-hint`} className="hint">
        {ROLE_INFO[role].hint}
      </span>
    </div>
  );
}

/** Client certificates whose key TLS cannot use (DSA, X25519, …) are stored for tracking only. */
const MTLS_USABLE = {
  accepts: (meta: SecretMeta) => usableForMtls(meta),
  reason: "key type not usable for mutual TLS",
};

/** What a job with store-password secrets does: manual runs ask, scheduled runs are refused. */
export function StorePasswordNote({ secrets }: { secrets: string[] }) {
  if (secrets.length === 0) return null;
  const one = secrets.length === 1;
  return (
    <p className="notice notice-info small" role="note">
      <Icon name="lock" />
      <span>
        {secrets.join(", ")} {one ? "has its" : "have their"} own store password: manual runs (Run now, <code>coffer job run</code>) will ask
        for {one ? "it" : "them"}; scheduled runs are refused.
      </span>
    </p>
  );
}

/** The Test action inside the wizard: one authenticated request to the job's URL. */
function WizardTest({ draft, org }: { draft: JobDraft; org: string }) {
  const [report, setReport] = useState<TestReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const auth = useSecretByName(draft.roles.auth, ["basic_auth", "bearer_token", "api_key", "client_credentials"], org);
  const client = useSecretByName(draft.roles.client_certificate, ["certificate"], org);
  const caBundle = useSecretByName(draft.roles.ca_bundle, ["ca_bundle", "certificate"], org);
  const subject = auth.data ?? client.data ?? null;
  const ca = caBundle.data ?? null;
  const run = async () => {
    if (!subject) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api.testSecret(subject.id, draft.url.trim(), ca?.id ?? null, draft.project || null, null));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="job-test">
      <div className="row">
        <button type="button" className="btn btn-sm" disabled={!subject || busy} onClick={() => void run()} aria-busy={busy}>
          <Icon name="shield" /> {busy ? "Testing…" : "Test the credentials"}
        </button>
        <span className="small muted">
          {subject ? `One request to ${draft.url.trim()} with ${subject.name}; the value is never shown.` : "Bind credentials or a client certificate to test them."}
        </span>
      </div>
      {report ? (
        <div role="status">
          <TestReportView report={report} />
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ScheduleStep({
  draft,
  set,
  storePassword,
  onBack,
  onNext,
}: {
  draft: JobDraft;
  set: (patch: Partial<JobDraft>) => void;
  /** Secrets the job uses that have their own store password. */
  storePassword: string[];
  onBack: () => void;
  onNext: () => void;
}) {
  const schedule = scheduleOf(draft);
  const intervalBad = draft.scheduleType === "interval" && parseInterval(draft.interval) === null;
  const preview = useQuery({
    queryKey: ["schedule-preview", schedule],
    queryFn: () => api.previewSchedule(schedule ?? { type: "interval", seconds: 3600 }),
    enabled: schedule !== null,
    retry: false,
  });
  const cronId = useId();
  const intervalId = useId();
  const invalid = intervalBad || (schedule !== null && preview.isError);
  return (
    <div className="stack reg-form">
      <div role="radiogroup" aria-label="Schedule" className="stack" style={{ gap: 8 }}>
        {(
          [
            ["none", "Only when run by hand", "Run now from the job's page or with coffer job run."],
            ["cron", "On a cron schedule", "Five fields in UTC: minute hour day-of-month month day-of-week."],
            ["interval", "At a fixed interval", "Every so long after the previous run."],
          ] as const
        ).map(([value, label, hint]) => (
          <label key={value} className="check">
            <input type="radio" name="schedule" checked={draft.scheduleType === value} onChange={() => set({ scheduleType: value })} />
            <span>
              {label}
              <span className="hint"> — {hint}</span>
            </span>
          </label>
        ))}
      </div>
      {draft.scheduleType === "cron" ? (
        <div className="field">
          <label htmlFor={cronId}>Cron expression</label>
          <input id={cronId} className="input mono" value={draft.cron} spellCheck={false} aria-invalid={preview.isError} onChange={(e) => set({ cron: e.target.value })} />
          <span className="hint">Examples: 0 3 * * * (03:00 UTC daily), */15 * * * *, 0 6 * * MON-FRI, @hourly.</span>
        </div>
      ) : null}
      {draft.scheduleType === "interval" ? (
        <div className="field">
          <label htmlFor={intervalId}>Every</label>
          <input id={intervalId} className="input mono" value={draft.interval} aria-invalid={invalid} onChange={(e) => set({ interval: e.target.value })} />
          <span className={intervalBad ? "error" : "hint"}>{intervalBad ? "Write it as 90s, 15m, 1h30m, 2d or 1w." : "From one minute to a year: 15m, 1h30m, 2d."}</span>
        </div>
      ) : null}
      {schedule ? (
        <div aria-live="polite" className="small">
          {preview.isError ? (
            <span className="error">{errorMessage(preview.error)}</span>
          ) : preview.data ? (
            <span className="muted">
              {preview.data.description}; next: {preview.data.next_runs.map((t) => formatDateTime(t)).join(", ") || "never"}.
            </span>
          ) : null}
        </div>
      ) : null}
      {schedule && storePassword.length ? (
        <p className="notice notice-warn small" role="note">
          <Icon name="alert" />
          <span>
            Scheduled runs cannot ask for a store password: with {storePassword.join(", ")} (which has its own), every scheduled run
            is refused.
          </span>
        </p>
      ) : null}
      {schedule ? (
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          <span>
            Schedule on
            <span className="hint"> — scheduled runs happen while Coffer is open and unlocked; one missed while it was closed runs at the next start.</span>
          </span>
        </label>
      ) : null}
      <Actions onBack={onBack}>
        <button type="button" className="btn btn-primary" disabled={invalid} onClick={onNext}>
          Next <Icon name="chevronRight" />
        </button>
      </Actions>
    </div>
  );
}

function ReviewStep({
  draft,
  roles,
  busy,
  failure,
  editing,
  problems,
  storePassword,
  checking,
  onBack,
  onSave,
}: {
  draft: JobDraft;
  roles: SecretRole[];
  busy: boolean;
  failure: string | null;
  editing: boolean;
  problems: string[];
  storePassword: string[];
  checking: boolean;
  onBack: () => void;
  onSave: () => void;
}) {
  const input = inputOf(draft, roles);
  const kind = draft.kind;
  if (!input || !kind) return null;
  const rows: [string, ReactNode][] = [
    ["Name", <code key="n">{input.name}</code>],
    ["Kind", KIND_INFO[kind].label],
  ];
  if (input.description) rows.push(["Description", input.description]);
  const spec = input.spec;
  if (spec.kind === "http_fetch") rows.push(["URL", <code key="u">{spec.url}</code>], ["Target", <code key="t">{spec.target}</code>]);
  if (spec.kind === "git_fetch") {
    rows.push(["Repository", <code key="r">{spec.repo_url}</code>], ["Working copy", <code key="t">{spec.target}</code>]);
    if (spec.branch) rows.push(["Branch", <code key="b">{spec.branch}</code>]);
  }
  if (spec.kind === "template")
    rows.push(
      ["Template", <code key="t">{spec.template}</code>],
      ["Output", <code key="o">{spec.output} (0600)</code>],
      ["Write-only values", spec.allow_write_only_to_disk ? "Allowed in the output" : "Refused"],
    );
  if (spec.kind === "command") {
    const args = spec.args ?? [];
    const env = Object.entries(spec.env ?? {});
    rows.push(
      ["Program", <code key="p">{spec.program}</code>],
      [
        "Arguments",
        args.length ? (
          <ol key="a" className="job-args" aria-label="Arguments, as passed">
            {args.map((arg, i) => (
              <li key={i}>
                <code>{arg}</code>
                {arg === "" ? <span className="small muted"> (empty)</span> : null}
              </li>
            ))}
          </ol>
        ) : (
          "None"
        ),
      ],
      ["As a shell line", <code key="s" className="job-shell">{shellQuote([spec.program, ...args])}</code>],
      [
        "Environment",
        env.length ? (
          <ul key="e" className="job-args" aria-label="Environment">
            {env.map(([key, value]) => (
              <li key={key}>
                <code>
                  {key}={value}
                </code>
              </li>
            ))}
          </ul>
        ) : (
          "—"
        ),
      ],
    );
    if (spec.working_dir) rows.push(["Working directory", <code key="w">{spec.working_dir}</code>]);
  }
  for (const binding of input.roles) rows.push([ROLE_INFO[binding.role].label, <code key={binding.role}>{binding.secret}</code>]);
  rows.push(["Schedule", input.schedule ? `${input.schedule.type === "cron" ? `cron ${input.schedule.expression} (UTC)` : `every ${draft.interval}`}${input.enabled ? "" : " (off)"}` : "Only by hand"]);
  if (input.org) rows.push(["Organization", input.org]);
  if (input.project) rows.push(["Project", input.project]);
  return (
    <div className="stack reg-form">
      <StorePasswordNote secrets={storePassword} />
      <dl className="kv">
        {rows.map(([label, value]) => (
          <div key={label} style={{ display: "contents" }}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {problems.length ? (
        <div className="notice notice-warn" role="alert">
          <Icon name="alert" />
          <div>
            <p>
              <strong>{problems.length === 1 ? "1 problem" : `${problems.length} problems`}</strong>: every run is refused until
              {problems.length === 1 ? " it is" : " they are"} fixed.
            </p>
            <ProblemList problems={problems} />
          </div>
        </div>
      ) : null}
      {failure ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{failure}</p>
        </div>
      ) : null}
      <Actions onBack={onBack}>
        <button type="button" className="btn btn-primary" disabled={busy || checking} aria-busy={busy || checking} onClick={onSave}>
          {busy ? "Saving…" : editing ? "Save" : "Create job"}
        </button>
      </Actions>
    </div>
  );
}
