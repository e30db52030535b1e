import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { StatusBadge } from "../../components/StatusBadge";
import { api, errorMessage, type SecretMeta } from "../../ipc/client";
import { keys, useSettings } from "../../lib/queries";
import { routeHref } from "../../lib/router";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, formatDateTime, relativeDay } from "../../lib/time";
import "./expiry.css";
import { groupByExpiry, type ExpiryGroup } from "./groups";

const EXPIRY_QUERY = {
  expiring_within_days: 36500,
  sort: "expires",
  limit: 1000,
  offset: 0,
  scope: "live",
} as const;

/** A timeline of what expires next: expired, this week, this month, later. */
export function ExpiryPage() {
  const list = useQuery({ queryKey: [...keys.secrets, "expiry"], queryFn: () => api.listSecrets(EXPIRY_QUERY) });
  const settings = useSettings();
  const [showDeactivated, setShowDeactivated] = useState(false);
  const [now] = useState(() => new Date());

  const all = list.data?.items ?? [];
  const deactivated = all.filter((m) => m.status === "deactivated").length;
  const shown = showDeactivated ? all : all.filter((m) => m.status !== "deactivated");
  const groups = groupByExpiry(shown, now);
  const thresholds = settings.data?.notify_days_before;

  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Expiry</h1>
          <p>
            {list.isPending ? "Loading…" : "What expires next."}
            {thresholds?.length ? ` Notifications: ${thresholdText(thresholds)}.` : ""}
          </p>
        </div>
        <span className="spacer" />
        {deactivated > 0 ? (
          <label className="check">
            <input type="checkbox" checked={showDeactivated} onChange={(e) => setShowDeactivated(e.target.checked)} />
            <span>Show deactivated ({deactivated})</span>
          </label>
        ) : null}
      </div>
      {list.error ? (
        <div className="notice notice-error" role="alert">
          {errorMessage(list.error)}
        </div>
      ) : null}
      {list.data && list.data.total > all.length ? (
        <p className="muted small">
          Showing the {all.length} soonest of {list.data.total.toLocaleString()} secrets with an expiry.
        </p>
      ) : null}
      {!list.isPending && !list.error && shown.length === 0 ? (
        <div className="empty">
          <Icon name="clock" size={48} />
          <h2>Nothing expires</h2>
          <p className="muted">
            {deactivated > 0 && !showDeactivated
              ? `No active secret has an expiry date (${deactivated} deactivated one${deactivated === 1 ? " does" : "s do"}).`
              : "No secret has an expiry date. Set one on a secret to be warned before it runs out; certificates get theirs from the leaf."}
          </p>
        </div>
      ) : null}
      {shown.length > 0 ? (
        <div className="timeline">
          {groups.map((group) => (
            <Group key={group.key} group={group} now={now} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function thresholdText(days: number[]): string {
  const sorted = [...days].sort((a, b) => b - a);
  const parts = sorted.map((d) => (d === 0 ? "on expiry" : `${d} day${d === 1 ? "" : "s"} before`));
  return parts.join(", ");
}

function Group({ group, now }: { group: ExpiryGroup; now: Date }) {
  const id = `expiry-${group.key}`;
  return (
    <section className="timeline-group" data-group={group.key} aria-labelledby={id}>
      <h2 id={id} className="timeline-head">
        <span className="timeline-dot" aria-hidden="true" />
        {group.title}
        <span className="badge badge-neutral" aria-label={`${group.items.length} secrets`}>
          {group.items.length}
        </span>
      </h2>
      {group.items.length === 0 ? (
        <p className="muted small timeline-none">{group.none}</p>
      ) : (
        <ul className="timeline-list">
          {group.items.map((meta) => (
            <li key={meta.id}>
              <Item meta={meta} now={now} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Item({ meta, now }: { meta: SecretMeta; now: Date }) {
  return (
    <a
      className="timeline-item"
      href={routeHref({ view: "secret", id: meta.id })}
      data-muted={meta.status === "deactivated" ? "true" : undefined}
    >
      <span className="timeline-date" title={formatDateTime(meta.expires_at)}>
        {formatDate(meta.expires_at)}
      </span>
      <span className="timeline-main">
        <span className="timeline-name">
          {meta.org !== "Default" ? <span className="muted">{meta.org}:</span> : null}
          {meta.name}
        </span>
        <span className="type-tag">{typeLabel(meta.type)}</span>
      </span>
      <span className="timeline-side">
        <StatusBadge status={meta.status} expiresAt={meta.expires_at} />
        <span className="muted small timeline-relative">{relativeDay(meta.expires_at, now)}</span>
      </span>
    </a>
  );
}
