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

/** Why a 401 or 403 came back, from what was actually sent. */
function refusalHint(report: TestReport): string {
  const tls = report.tls;
  const code = report.status;
  if (tls?.client_certificate_available) {
    if (!tls.client_certificate_requested)
      return `The server did not ask for a client certificate, so none was sent; it answered ${code}. This URL may want other credentials (a password or a token), or its TLS front end does not request certificates.`;
    if (!tls.client_certificate_sent)
      return `The server asked for a client certificate, but this one could not be sent (its key cannot sign with what the server accepts); it answered ${code}.`;
    return code === 401
      ? "The client certificate was sent and the server answered 401: it does not accept this certificate here (check that the server trusts its issuer and maps it to an account)."
      : "The client certificate was sent and accepted as an identity, but that identity may not use this URL (403): check its permissions.";
  }
  if (report.sent.startsWith("no credentials"))
    return `No credentials were sent (this test only checks the CA), so ${code} is what an anonymous request gets.`;
  return code === 401
    ? `The server did not accept these credentials (${report.sent}): check the value, or that it is meant for this server.`
    : "The server knows who this is but refuses access: check the account's permissions or scopes for this URL.";
}

/** What the handshake did about a client certificate, in words. */
function clientCertificateText(tls: TlsFacts): string {
  if (tls.client_certificate_requested) {
    if (tls.client_certificate_sent) return "asked for by the server; sent";
    return tls.client_certificate_available ? "asked for by the server; not sent (its key cannot sign as the server asks)" : "asked for by the server; none to send";
  }
  return tls.client_certificate_available ? "not asked for by the server, so not sent" : "not asked for";
}

function statusHint(report: TestReport): string {
  switch (statusClass(report.status)) {
    case "ok":
      return "The server accepted the request.";
    case "credentials":
      return refusalHint(report);
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
    ["Client certificate", clientCertificateText(tls)],
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
