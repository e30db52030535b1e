import { Icon } from "../../components/Icon";
import { routeHref } from "../../lib/router";
import type { ImportOutcome } from "./types";

/** What the import wrote, and the list filtered to it. */
export function ImportDone({ outcome, onAgain }: { outcome: ImportOutcome; onAgain: () => void }) {
  const r = outcome.report;
  const written = r.created + r.new_versions + r.renamed;
  return (
    <div className="stack reg-form">
      <div className="notice notice-ok" role="status">
        <Icon name="check" size={20} />
        <div className="stack" style={{ gap: 4 }}>
          <p>
            <strong>Imported.</strong> {written === 0 ? "Nothing was written." : `${written.toLocaleString()} ${written === 1 ? "secret" : "secrets"} written.`}
          </p>
          <ul className="imp-report" aria-label="Import report">
            <li>
              <strong>{r.created.toLocaleString()}</strong> created
            </li>
            <li>
              <strong>{r.new_versions.toLocaleString()}</strong> new versions
            </li>
            <li>
              <strong>{r.renamed.toLocaleString()}</strong> renamed
            </li>
            <li>
              <strong>{r.skipped.toLocaleString()}</strong> skipped
            </li>
          </ul>
          {r.jobs_created + r.jobs_skipped > 0 ? (
            <p>
              Jobs: <strong>{r.jobs_created.toLocaleString()}</strong> created
              {r.jobs_renamed ? ` (${r.jobs_renamed.toLocaleString()} renamed)` : ""}
              {r.jobs_skipped ? `, ${r.jobs_skipped.toLocaleString()} skipped` : ""}; their schedules are off until you switch them on.
            </p>
          ) : null}
        </div>
      </div>
      <div className="reg-actions">
        {outcome.label ? (
          <a className="btn btn-primary" href={routeHref({ view: "secrets", label: outcome.label })}>
            Show them in the list
          </a>
        ) : (
          <a className="btn btn-primary" href={routeHref({ view: "secrets" })}>
            Go to the list
          </a>
        )}
        <button type="button" className="btn" onClick={onAgain}>
          Import another file
        </button>
      </div>
    </div>
  );
}
