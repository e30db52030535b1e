import { useQueries, useQuery } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type JobUsage, type SecretMeta, type Selection } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { AffectedJobs, jobsText } from "../detail/UsedBy";
import "../detail/detail.css";

/** At most this many secrets are asked about; the rest are only counted. */
export const MAX_CHECKED = 50;

/** The jobs that use any of several secrets, once the shell has answered. */
export type BulkUsage =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | {
      state: "known";
      jobs: JobUsage[];
      /** Names of the selected secrets each job uses. */
      secretsOf: (jobId: string) => string[];
      /** Secrets used by jobs that were not asked about (beyond MAX_CHECKED). */
      unchecked: number;
    };

/**
 * The jobs a bulk change affects, only while `enabled` (a confirmation is
 * open). For "all N matching" (`selection.matching`) the shell resolves the
 * filter and names the jobs of every match, loaded on screen or not;
 * otherwise each selected secret whose row says jobs use it (the list's
 * `used_by` count) is asked about.
 */
export function useBulkUsage(secrets: SecretMeta[], enabled: boolean, selection?: Selection): BulkUsage {
  const matching = selection && "matching" in selection ? selection.matching : null;
  const used = matching ? [] : secrets.filter((s) => s.used_by > 0);
  const checked = used.slice(0, MAX_CHECKED);
  const results = useQueries({
    queries: checked.map((s) => ({
      queryKey: keys.usage(s.id),
      queryFn: () => api.secretUsage(s.id),
      enabled,
    })),
  });
  const all = useQuery({
    queryKey: keys.matchingUsage(matching?.query, matching?.except ?? []),
    queryFn: () => (matching ? api.matchingUsage(matching.query, matching.except) : Promise.resolve([])),
    enabled: enabled && matching !== null,
  });
  if (matching) {
    if (all.error) return { state: "failed", message: errorMessage(all.error) };
    if (!all.data) return { state: "loading" };
    const names = new Map(all.data.map((u) => [u.job.job_id, u.secrets]));
    return {
      state: "known",
      jobs: all.data.map((u) => u.job),
      secretsOf: (jobId) => names.get(jobId) ?? [],
      unchecked: 0,
    };
  }
  const failure = results.find((r) => !r.data && r.error);
  if (failure) return { state: "failed", message: errorMessage(failure.error) };
  if (results.some((r) => !r.data)) return { state: "loading" };
  const jobs = new Map<string, JobUsage>();
  const names = new Map<string, string[]>();
  checked.forEach((secret, i) => {
    for (const job of results[i]?.data ?? []) {
      if (!jobs.has(job.job_id)) jobs.set(job.job_id, job);
      names.set(job.job_id, [...(names.get(job.job_id) ?? []), secret.name]);
    }
  });
  return {
    state: "known",
    jobs: [...jobs.values()].sort((a, b) => a.name.localeCompare(b.name)),
    secretsOf: (jobId) => names.get(jobId) ?? [],
    unchecked: used.length - checked.length,
  };
}

/** For bulk confirmations: the jobs the change affects, and what it does to them. */
export function BulkUsageSummary({ usage, consequence }: { usage: BulkUsage; consequence: string }) {
  if (usage.state === "loading") {
    return (
      <p className="usage-summary small" role="status" aria-busy="true">
        <Icon name="layers" /> Checking which jobs use them…
      </p>
    );
  }
  if (usage.state === "failed") {
    return (
      <p className="usage-summary small" role="status">
        <Icon name="alert" /> Could not check which jobs use them ({usage.message}).
      </p>
    );
  }
  if (usage.jobs.length === 0 && usage.unchecked === 0) {
    return (
      <p className="usage-summary small">
        <Icon name="layers" /> None of them is used by a job.
      </p>
    );
  }
  return (
    <div className="notice notice-warn usage-affected" role="status">
      <Icon name="layers" />
      <div className="stack usage-affected-body">
        {usage.jobs.length ? (
          <>
            <span>Used by {jobsText(usage.jobs.length)}:</span>
            <AffectedJobs jobs={usage.jobs} label="Affected jobs" secretsOf={usage.secretsOf} />
          </>
        ) : null}
        {usage.unchecked ? (
          <span>
            {usage.unchecked} more selected secret{usage.unchecked === 1 ? " is" : "s are"} used by jobs as well.
          </span>
        ) : null}
        <span>{consequence}</span>
      </div>
    </div>
  );
}
