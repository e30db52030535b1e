import { Icon } from "../../components/Icon";

/** What uses a secret: the jobs bound to it. */
export type SecretUsage = { jobs: { id: string; name: string }[] };

/** The vault holds no jobs yet, so nothing can use a secret. */
export const NOT_USED: SecretUsage = { jobs: [] };

function usageText(usage: SecretUsage): string {
  const n = usage.jobs.length;
  return n === 0 ? "Not used by any job." : `Used by ${n} job${n === 1 ? "" : "s"}.`;
}

/** The "Used by" section of the detail page. */
export function UsedBy({ usage }: { usage: SecretUsage }) {
  return (
    <section className="card" aria-labelledby="used-by-title">
      <div className="card-head">
        <Icon name="layers" />
        <h2 id="used-by-title">Used by</h2>
      </div>
      {usage.jobs.length === 0 ? (
        <p className="muted">{usageText(usage)}</p>
      ) : (
        <ul className="plain-list">
          {usage.jobs.map((job) => (
            <li key={job.id}>{job.name}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One line for confirmations: where the secret is used, before a change. */
export function UsageSummary({ usage }: { usage: SecretUsage }) {
  return (
    <p className="usage-summary small">
      <Icon name="layers" /> {usageText(usage)}
      {usage.jobs.length ? ` (${usage.jobs.map((j) => j.name).join(", ")})` : ""}
    </p>
  );
}
