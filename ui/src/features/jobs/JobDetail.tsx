import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, hasCode, type Job, type JobRun } from "../../ipc/client";
import { keys, useInvalidateSecrets } from "../../lib/queries";
import { navigate, routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { describeSchedule, formatBytes, KIND_INFO, ROLE_INFO, statusBadgeClass, TRIGGER_LABEL } from "./labels";
import { RunPasswordsDialog, storePasswordSecret } from "./RunPasswordsDialog";
import "./jobs.css";

/** A job: what it does, the secrets it uses (linked), run now, and its run history with redacted logs. */
export function JobDetail({ id }: { id: string }) {
  const job = useQuery({ queryKey: keys.job(id), queryFn: () => api.getJob(id) });
  const runs = useQuery({ queryKey: keys.jobRuns(id), queryFn: () => api.jobRuns(id, 50) });
  const client = useQueryClient();
  const invalidateSecrets = useInvalidateSecrets();
  const toast = useToast();
  const [running, setRunning] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [openRun, setOpenRun] = useState<number | null>(null);
  const [asking, setAsking] = useState<{ secrets: string[]; wrong: string | null } | null>(null);

  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: keys.job(id) }),
      client.invalidateQueries({ queryKey: keys.jobRuns(id) }),
      client.invalidateQueries({ queryKey: keys.jobs }),
    ]);

  if (job.isPending) return <div className="page" aria-busy="true" />;
  if (job.isError)
    return (
      <div className="page">
        <a href={routeHref({ view: "jobs" })} className="small">
          ← Jobs
        </a>
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(job.error)}</p>
        </div>
      </div>
    );
  const j = job.data;

  /** Run now: store-password secrets are asked for first (one field each). */
  const startRun = async () => {
    setRunning(true);
    let secrets: string[];
    try {
      secrets = await api.jobStorePasswords(j.id);
    } catch (error) {
      setRunning(false);
      toast.error(errorMessage(error));
      return;
    }
    if (secrets.length === 0) {
      await runNow(null);
      return;
    }
    setRunning(false);
    setAsking({ secrets, wrong: null });
  };

  const runNow = async (passwords: Record<string, string> | null) => {
    setRunning(true);
    try {
      const run = await api.runJobNow(j.id, passwords);
      setAsking(null);
      setOpenRun(run.id);
      if (run.status === "succeeded") toast.info(`${j.name}: run #${run.number} succeeded.`);
      else toast.error(`${j.name}: run #${run.number} ${run.status}.`);
    } catch (error) {
      const secret = storePasswordSecret(error);
      if (secret) {
        // Checked before the run starts: nothing ran and nothing was
        // recorded. Ask again, naming the secret (one the job now needs is added).
        setAsking((now) => ({
          secrets: now?.secrets.includes(secret) ? now.secrets : [...(now?.secrets ?? []), secret],
          wrong: hasCode(error, "wrong_password") ? secret : null,
        }));
        return;
      }
      toast.error(errorMessage(error));
    } finally {
      setRunning(false);
      await Promise.all([refresh(), invalidateSecrets()]);
    }
  };

  const toggle = async () => {
    try {
      await api.setJobEnabled(j.id, !j.enabled);
      await refresh();
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };

  const remove = async () => {
    try {
      await api.deleteJob(j.id);
      await Promise.all([client.invalidateQueries({ queryKey: keys.jobs }), invalidateSecrets()]);
      toast.info(`Deleted ${j.name}.`);
      navigate({ view: "jobs" });
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };

  return (
    <div className="page">
      <a href={routeHref({ view: "jobs" })} className="small">
        ← Jobs
      </a>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>{j.name}</h1>
          <div className="row small muted wrap">
            <span className="badge badge-neutral">{KIND_INFO[j.kind].label}</span>
            {j.last_status ? <span className={statusBadgeClass(j.last_status)}>last run {j.last_status}</span> : <span>Never run</span>}
            {j.org !== "Default" ? <span>{j.org}</span> : null}
            {j.project ? <span>project {j.project}</span> : null}
          </div>
        </div>
        <span className="spacer" />
        <div className="job-head-actions">
          <button type="button" className="btn btn-primary" onClick={() => void startRun()} disabled={running} aria-busy={running}>
            <Icon name="refresh" /> {running ? "Running…" : "Run now"}
          </button>
          <a className="btn" href={routeHref({ view: "job-edit", id: j.id })}>
            Edit
          </a>
          <button type="button" className="btn" onClick={() => setConfirmDelete(true)}>
            <Icon name="trash" /> Delete
          </button>
        </div>
      </div>
      {j.description ? <p>{j.description}</p> : null}
      <div className="job-grid">
        <div className="stack">
          <section className="card" aria-labelledby="runs-title">
            <div className="card-head">
              <Icon name="clock" />
              <h2 id="runs-title">Runs</h2>
              <span className="spacer" />
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => void refresh()} aria-label="Refresh runs">
                <Icon name="refresh" />
              </button>
            </div>
            {runs.isError ? <p className="error">{errorMessage(runs.error)}</p> : null}
            {runs.data && runs.data.length === 0 ? <p className="muted">No runs yet. Run it now to see its result here.</p> : null}
            <ul className="run-list">
              {(runs.data ?? []).map((run, i) => (
                <RunItem key={run.id} run={run} open={openRun === null ? i === 0 : openRun === run.id} />
              ))}
            </ul>
          </section>
        </div>
        <div className="stack">
          <section className="card" aria-labelledby="job-settings-title">
            <div className="card-head">
              <Icon name="settings" />
              <h2 id="job-settings-title">Settings</h2>
            </div>
            <SpecList job={j} />
          </section>
          <section className="card" aria-labelledby="job-schedule-title">
            <div className="card-head">
              <Icon name="clock" />
              <h2 id="job-schedule-title">Schedule</h2>
            </div>
            {j.schedule ? (
              <p className="mono small">{describeSchedule(j.schedule) + (j.schedule.type === "cron" ? " (UTC)" : "")}</p>
            ) : (
              <p className="small">Only when run by hand.</p>
            )}
            {j.schedule ? (
              <>
                <p className="small muted">
                  {j.enabled && j.next_run_at ? `Next run ${relative(j.next_run_at)} (${formatDateTime(j.next_run_at)}).` : "The schedule is off."}
                </p>
                <label className="check">
                  <input type="checkbox" checked={j.enabled} onChange={() => void toggle()} />
                  <span>Schedule on</span>
                </label>
              </>
            ) : null}
          </section>
          <section className="card" aria-labelledby="job-secrets-title">
            <div className="card-head">
              <Icon name="key" />
              <h2 id="job-secrets-title">Secrets it uses</h2>
            </div>
            {j.bindings.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="job-bindings">
                {j.bindings.map((b, i) => (
                  <li key={`${b.secret}-${b.field ?? ""}-${i}`}>
                    {b.secret_id ? (
                      <a className="mono" href={routeHref({ view: "secret", id: b.secret_id })}>
                        {b.secret}
                      </a>
                    ) : (
                      <span className="mono">{b.secret}</span>
                    )}
                    {b.field ? <span className="mono small muted">#{b.field}</span> : null}
                    <span className="badge badge-neutral">{b.source.source === "role" ? ROLE_INFO[b.source.role].label : "placeholder"}</span>
                    {!b.secret_id ? <span className="badge badge-expired">not found</span> : null}
                    {b.in_trash ? <span className="badge badge-expired">in the trash</span> : null}
                    {b.secret_status && b.secret_status !== "active" ? <span className={`badge badge-${b.secret_status === "deactivated" ? "deactivated" : "expired"}`}>{b.secret_status}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
      {asking ? (
        <RunPasswordsDialog
          jobName={j.name}
          secrets={asking.secrets}
          wrong={asking.wrong}
          busy={running}
          onRun={(passwords) => void runNow(passwords)}
          onCancel={() => setAsking(null)}
        />
      ) : null}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${j.name}?`}
        confirmLabel="Delete job"
        danger
        onClose={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          void remove();
        }}
      >
        <p>The job and its run history are deleted. Its secrets, and files it wrote, stay.</p>
      </ConfirmDialog>
    </div>
  );
}

function SpecList({ job }: { job: Job }) {
  const spec = job.spec;
  const rows: [string, ReactNode][] = [];
  switch (spec.kind) {
    case "http_fetch":
      rows.push(["URL", spec.url], ["Target", spec.target]);
      break;
    case "git_fetch":
      rows.push(["Repository", spec.repo_url], ["Working copy", spec.target]);
      if (spec.branch) rows.push(["Branch", spec.branch]);
      break;
    case "template":
      rows.push(["Template", spec.template], ["Output", `${spec.output} (0600)`]);
      if (spec.allow_write_only_to_disk) rows.push(["Write-only", "allowed in the output"]);
      break;
    case "command":
      rows.push(["Program", spec.program]);
      if (spec.args?.length) rows.push(["Arguments", spec.args.join(" ")]);
      if (spec.env && Object.keys(spec.env).length)
        rows.push(["Environment", Object.entries(spec.env).map(([k, v]) => `${k}=${v}`).join("\n")]);
      if (spec.working_dir) rows.push(["Directory", spec.working_dir]);
      break;
  }
  return (
    <dl className="kv" style={{ gridTemplateColumns: "110px 1fr" }}>
      {rows.map(([label, value]) => (
        <div key={label} style={{ display: "contents" }}>
          <dt>{label}</dt>
          <dd className="mono small" style={{ whiteSpace: "pre-wrap" }}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** What a run produced, from its result object. */
function resultFacts(run: JobRun): [string, string][] {
  const r = run.result as Record<string, unknown>;
  const facts: [string, string][] = [];
  const add = (label: string, value: unknown) => {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      if (value !== "") facts.push([label, String(value)]);
    }
  };
  add("HTTP status", r.http_status ?? r.status);
  if (typeof r.size === "number") add("Size", formatBytes(r.size));
  add("SHA-256", r.sha256);
  if (typeof r.changed === "boolean") add("Changed", r.changed ? "yes" : "no, same as the last run");
  if (typeof r.redirects === "number" && r.redirects > 0) add("From", `${String(r.final_url)} (after ${r.redirects} redirect${r.redirects === 1 ? "" : "s"})`);
  add("Git", r.action);
  add("Commit", r.commit);
  add("Placeholders", r.placeholders);
  add("Exit code", r.exit_code);
  add("Output", r.output ?? r.target);
  return facts;
}

/** A run's duration as measured: milliseconds below a second, then seconds, then minutes. */
function runDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
}

function RunItem({ run, open }: { run: JobRun; open: boolean }) {
  const facts = resultFacts(run);
  const took = run.duration_ms === null ? null : runDuration(run.duration_ms);
  return (
    <li>
      <details className="run-item" open={open}>
        <summary>
          <span className={statusBadgeClass(run.status)}>{run.status}</span>
          <span className="mono small">#{run.number}</span>
          <span className="small" title={formatDateTime(run.started_at)}>
            {relative(run.started_at)}
          </span>
          <span className="small muted">{TRIGGER_LABEL[run.trigger]}</span>
          <span className="spacer" />
          {took ? <span className="small muted">{took}</span> : null}
        </summary>
        <div className="run-body">
          {run.error ? (
            <div className="notice notice-error">
              <Icon name="alert" />
              <p className="mono small" style={{ whiteSpace: "pre-wrap" }}>
                {run.error}
              </p>
            </div>
          ) : null}
          {facts.length ? (
            <dl className="kv" style={{ gridTemplateColumns: "110px 1fr" }}>
              {facts.map(([label, value]) => (
                <div key={label} style={{ display: "contents" }}>
                  <dt>{label}</dt>
                  <dd className="mono small">{value}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {run.log ? (
            <pre className="run-log" aria-label={`Log of run #${run.number}`}>
              {run.log}
            </pre>
          ) : (
            <p className="small muted">No output.</p>
          )}
          <p className="small muted">
            Secret values are shown as ***, also as base64, hex, URL or JSON escapes and across wrapped lines; public
            fields such as user names are shown as they are.
          </p>
        </div>
      </details>
    </li>
  );
}
