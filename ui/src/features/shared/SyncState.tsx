import { Icon } from "../../components/Icon";
import { syncSummary, sharedApi, useSyncStatus } from "./model";

/** The team vault's sync state, in the sidebar (nothing without a team vault). */
export function SyncState() {
  const status = useSyncStatus();
  const s = status.data;
  if (!s || s.state === "none" || s.state === "locked") return null;
  const summary = syncSummary(s);
  return (
    <div className="sync-state" data-tone={summary.tone} role="status" aria-label="Team vault sync" data-testid="sync-state">
      <div className="sync-state-head">
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-title">{summary.title}</span>
      </div>
      {s.server ? (
        <span className="sync-server small" title={`Team vault ${s.server}`}>
          <Icon name="users" size={12} /> {s.server}
        </span>
      ) : null}
      {summary.detail ? <p className="sync-detail small">{summary.detail}</p> : null}
      {s.state === "offline" || s.state === "error" ? (
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => void sharedApi.syncNow()}>
          Retry now{s.retry_in ? ` (else in ${s.retry_in} s)` : ""}
        </button>
      ) : null}
    </div>
  );
}
