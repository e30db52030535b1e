import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type JobKind, type JobUsage, type SecretMeta, type SecretRole } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { routeHref } from "../../lib/router";
import { KIND_INFO, ROLE_INFO } from "../jobs/labels";

/** Where a secret is used: the jobs, once the shell has answered. */
export type SecretUsage =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | { state: "known"; jobs: JobUsage[] };

const KIND_LABEL = Object.fromEntries(Object.entries(KIND_INFO).map(([kind, info]) => [kind, info.label])) as Record<JobKind, string>;
const ROLE_LABEL = Object.fromEntries(
  Object.entries(ROLE_INFO).map(([role, info]) => [role, info.label.toLowerCase().replace(/^ca /, "CA ").replace(/^ssh /, "SSH ")]),
) as Record<SecretRole, string>;

export const CHECKING_USAGE = "Checking which jobs use it…";

/** The jobs that use a secret (by role or placeholder). */
export function useSecretUsage(id: string): SecretUsage {
  const query = useQuery({ queryKey: keys.usage(id), queryFn: () => api.secretUsage(id) });
  // Data from an earlier answer beats a failed refetch.
  if (query.data) return { state: "known", jobs: query.data };
  if (query.error) return { state: "failed", message: errorMessage(query.error) };
  return { state: "loading" };
}

export function jobsText(n: number): string {
  return `${n} job${n === 1 ? "" : "s"}`;
}

/** How a placeholder reads the secret: `#field`, or the main value. */
function placeholderText(fields: (string | null)[]): string {
  const distinct = [...new Set(fields)];
  if (distinct.length === 0 || (distinct.length === 1 && distinct[0] === null)) return "placeholder";
  return `placeholder ${distinct.map((f) => (f === null ? "main value" : `#${f}`)).join(", ")}`;
}

/** One job in a list: a link to it, its kind, and how it uses the secret. */
function JobLine({ job, showOrg }: { job: JobUsage; showOrg: boolean }) {
  return (
    <li className="used-by-job">
      <div className="row wrap">
        <a href={routeHref({ view: "job", id: job.job_id })} className="used-by-name">
          {job.name}
        </a>
        <span className="muted small">
          {KIND_LABEL[job.kind]}
          {showOrg ? ` · ${job.org}` : ""}
        </span>
      </div>
      <div className="chips" aria-label={`How ${job.name} uses it`}>
        {job.roles.map((role) => (
          <span key={role} className="label-chip" title="Bound in this role">
            {ROLE_LABEL[role]}
          </span>
        ))}
        {job.by_placeholder ? (
          <span className="label-chip" title="Named in a ${secret:…} placeholder">
            {placeholderText(job.placeholder_fields)}
          </span>
        ) : null}
        {job.enabled ? null : <span className="badge badge-deactivated">schedule off</span>}
      </div>
    </li>
  );
}

/** The "Used by" section of the detail page: each job links to its page. */
export function UsedBy({ meta, usage }: { meta: SecretMeta; usage: SecretUsage }) {
  const trashed = meta.deleted_at !== null;
  const useInJob = trashed ? null : (
    <a className="btn btn-sm" href={routeHref({ view: "job-new", secret: meta.name })}>
      Use in a job…
    </a>
  );
  let body: ReactNode;
  if (usage.state === "loading") {
    body = (
      <p className="muted" aria-busy="true">
        {CHECKING_USAGE}
      </p>
    );
  } else if (usage.state === "failed") {
    body = (
      <p className="error" role="alert">
        Could not check which jobs use it: {usage.message}
      </p>
    );
  } else if (usage.jobs.length === 0) {
    body = (
      <div className="stack used-by-empty">
        <p className="muted">Not used by any job.</p>
        {useInJob}
      </div>
    );
  } else {
    body = (
      <div className="stack">
        <ul className="used-by-list" aria-label="Jobs that use it">
          {usage.jobs.map((job) => (
            <JobLine key={job.job_id} job={job} showOrg={job.org !== meta.org} />
          ))}
        </ul>
        {useInJob}
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="used-by-title">
      <div className="card-head">
        <Icon name="layers" />
        <h2 id="used-by-title">Used by</h2>
        <span className="spacer" />
        {usage.state === "known" && usage.jobs.length > 0 ? (
          <span className="muted small">{jobsText(usage.jobs.length)}</span>
        ) : null}
      </div>
      {body}
    </section>
  );
}

/** The affected jobs' names, for confirmations; `secretsOf` names the secrets each one uses. */
export function AffectedJobs({
  jobs,
  label,
  secretsOf,
}: {
  jobs: JobUsage[];
  label: string;
  secretsOf?: (jobId: string) => string[];
}) {
  return (
    <ul className="affected-jobs" aria-label={label}>
      {jobs.map((job) => {
        const secrets = secretsOf?.(job.job_id) ?? [];
        return (
          <li key={job.job_id}>
            <strong>{job.name}</strong> <span className="muted small">{KIND_LABEL[job.kind]}</span>
            {job.enabled ? null : <span className="muted small"> · schedule off</span>}
            {secrets.length ? <span className="muted small"> · uses {secrets.join(", ")}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * For confirmations: which jobs use the secret, before a change. It never
 * holds the dialog up: while the shell answers it says it is checking.
 * `consequence` says what the change does to those jobs.
 */
export function UsageSummary({ usage, consequence }: { usage: SecretUsage; consequence?: string }) {
  if (usage.state === "loading") {
    return (
      <p className="usage-summary small" role="status" aria-busy="true">
        <Icon name="layers" /> {CHECKING_USAGE}
      </p>
    );
  }
  if (usage.state === "failed") {
    return (
      <p className="usage-summary small" role="status">
        <Icon name="alert" /> Could not check which jobs use it ({usage.message}).
      </p>
    );
  }
  const n = usage.jobs.length;
  if (n === 0) {
    return (
      <p className="usage-summary small">
        <Icon name="layers" /> Not used by any job.
      </p>
    );
  }
  return (
    <div className={consequence ? "notice notice-warn usage-affected" : "usage-affected"} role="status">
      <Icon name="layers" />
      <div className="stack usage-affected-body">
        <span>Used by {jobsText(n)}:</span>
        <AffectedJobs jobs={usage.jobs} label="Affected jobs" />
        {consequence ? <span>{consequence}</span> : null}
      </div>
    </div>
  );
}
