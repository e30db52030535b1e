import { useQuery } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, errorMessage } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { navigate, routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { describeSchedule, KIND_INFO, statusBadgeClass } from "./labels";
import "../../components/data-table.css";
import "./jobs.css";

/** The jobs list: kind, schedule, next run, last result, and a badge on jobs that use secrets. */
export function JobsPage() {
  const jobs = useQuery({ queryKey: keys.jobs, queryFn: api.listJobs });
  const list = jobs.data ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Jobs</h1>
          <p className="muted">Fetches, clones, templates and commands that run with secrets from this vault.</p>
        </div>
        <span className="spacer" />
        <a className="btn btn-primary" href={routeHref({ view: "job-new", secret: null })}>
          <Icon name="plus" /> New job
        </a>
      </div>
      {jobs.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(jobs.error)}</p>
        </div>
      ) : null}
      {jobs.isPending ? <p className="muted" aria-busy="true">Loading jobs…</p> : null}
      {jobs.isSuccess && list.length === 0 ? (
        <div className="empty">
          <Icon name="layers" size={28} />
          <h2>No jobs yet</h2>
          <p className="muted">
            A job fetches a URL or a Git repository with a bound credential, renders a template or runs a command with placeholders such as{" "}
            <code>${"{"}secret:prod/db#password{"}"}</code>. Scheduled jobs run while Coffer is open.
          </p>
          <a className="btn btn-primary" href={routeHref({ view: "job-new", secret: null })}>
            <Icon name="plus" /> Create a job
          </a>
        </div>
      ) : null}
      {list.length > 0 ? (
        <table className="data-table jobs-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Schedule</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Secrets</th>
            </tr>
          </thead>
          <tbody>
            {list.map((job) => {
              const secrets = job.bindings.length;
              return (
                <tr key={job.id} onClick={() => navigate({ view: "job", id: job.id })}>
                  <td className="cell-name">
                    <a href={routeHref({ view: "job", id: job.id })} onClick={(e) => e.stopPropagation()}>
                      {job.name}
                    </a>
                    {job.org !== "Default" ? <span className="small muted"> · {job.org}</span> : null}
                    {job.description ? <div className="small muted">{job.description}</div> : null}
                  </td>
                  <td>{KIND_INFO[job.kind].label}</td>
                  <td className="mono small">
                    {describeSchedule(job.schedule)}
                    {job.schedule && !job.enabled ? <span className="badge badge-deactivated" style={{ marginLeft: 6 }}>off</span> : null}
                  </td>
                  <td className="small" title={formatDateTime(job.next_run_at)}>
                    {job.schedule && job.enabled && job.next_run_at ? relative(job.next_run_at) : "—"}
                  </td>
                  <td className="small">
                    {job.last_status ? (
                      <span className="row" style={{ gap: 6 }}>
                        <span className={statusBadgeClass(job.last_status)}>{job.last_status}</span>
                        <span className="muted" title={formatDateTime(job.last_run_at)}>
                          {relative(job.last_run_at)}
                        </span>
                      </span>
                    ) : (
                      <span className="muted">Never run</span>
                    )}
                  </td>
                  <td>
                    {job.uses_secrets ? (
                      <span className="badge job-secret-badge" title={job.bindings.map((b) => b.secret).join(", ")}>
                        <Icon name="key" size={12} /> {secrets}
                      </span>
                    ) : (
                      <span className="muted small">none</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
