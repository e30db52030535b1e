import type { ReactNode } from "react";

import type { TestReport, TlsFacts } from "../ipc/client";
import { formatDate, formatDateTime, parseTime, relative } from "../lib/time";
import { Icon } from "./Icon";
import "./test-report.css";

/** How a status reads: success, refused credentials, or anything else. */
export type StatusClass = "ok" | "credentials" | "redirect" | "other";

export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return "ok";
  if (status === 401 || status === 403) return "credentials";
  if (status >= 300 && status < 400) return "redirect";
  return "other";
}

const BADGE: Record<StatusClass, string> = {
  ok: "badge badge-active",
  credentials: "badge badge-expired",
  redirect: "badge badge-neutral",
  other: "badge badge-neutral",
};

function statusHint(report: TestReport): string {
  switch (statusClass(report.status)) {
    case "ok":
      return "The server accepted the request.";
    case "credentials":
      return report.status === 401
        ? "The server did not accept these credentials: check the value, or that it is meant for this server."
        : "The server knows who this is but refuses access: check the account's permissions or scopes for this URL.";
    case "redirect":
      return "The server redirects elsewhere. Redirects are not followed, so the credentials went nowhere else.";
    default:
      return "The server answered, but not with success; that may not be about the credentials.";
  }
}

function Rows({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="kv kv-compact">
      {rows.map(([label, value]) => (
        <div className="kv-row" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function tlsRows(tls: TlsFacts): [string, ReactNode][] {
  const expires = parseTime(tls.peer_not_after);
  const expired = expires !== null && expires.getTime() <= Date.now();
  return [
    ["Protocol", tls.protocol],
    ["Cipher", <span key="cipher" className="mono">{tls.cipher}</span>],
    ["Server certificate", <span key="subject" className="mono">{tls.peer_subject}</span>],
    ["Issued by", <span key="issuer" className="mono">{tls.peer_issuer}</span>],
    [
      "Expires",
      tls.peer_not_after ? (
        <span key="expires" title={formatDateTime(tls.peer_not_after)} className={expired ? "text-danger" : undefined}>
          {formatDate(tls.peer_not_after)} <span className="small">({relative(tls.peer_not_after)})</span>
        </span>
      ) : (
        <span key="expires" className="muted">unknown</span>
      ),
    ],
    [
      "Names",
      tls.peer_san.length ? (
        <span key="san" className="mono">{tls.peer_san.join(", ")}</span>
      ) : (
        <span key="san" className="muted">none</span>
      ),
    ],
    ["Chain", `${tls.chain_length} certificate${tls.chain_length === 1 ? "" : "s"} sent by the server`],
    ["Client certificate", tls.client_certificate ? "presented" : "not presented"],
  ];
}

/** What a Test action found: the status, what was sent (never the value), and the TLS facts. */
export function TestReportView({ report }: { report: TestReport }) {
  const kind = statusClass(report.status);
  const rows: [string, ReactNode][] = [
    ["URL", <span key="url" className="mono">{report.url}</span>],
    ["Sent", report.sent],
    ["Time", `${report.elapsed_ms.toLocaleString()} ms`],
  ];
  if (report.location) {
    rows.push(["Redirects to", <span key="location" className="mono">{report.location}</span>]);
  }
  return (
    <section className="test-report stack" aria-label="Test result" data-status={kind}>
      <div className="row wrap">
        <span className={BADGE[kind]}>
          <Icon name={kind === "ok" ? "check" : kind === "credentials" ? "x" : "alert"} size={12} />
          HTTP {report.status} {report.reason}
        </span>
        <span className="small">{statusHint(report)}</span>
      </div>
      <Rows rows={rows} />
      <h3 className="test-report-head">
        <Icon name="shield" size={14} /> TLS
      </h3>
      {report.tls ? (
        <Rows rows={tlsRows(report.tls)} />
      ) : (
        <p className="muted small">None: plain http to this machine.</p>
      )}
    </section>
  );
}
