import { useState, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import type { CertificateSummary, InspectionReport, Warning, WarningCode } from "../../ipc/client";
import { keyAlgorithmLabel } from "../../lib/keyAlgorithms";
import { formatDate, parseTime } from "../../lib/time";

const DAY = 86_400_000;

/** What each warning code means for the administrator. */
export const WARNING_MEANING: Record<WarningCode, string> = {
  expired: "Expired: past its end date, so peers will refuse it.",
  not_yet_valid: "Not yet valid: its start date is in the future.",
  expires_soon: "Expires soon: plan the renewal.",
  weak_key: "Weak key: an RSA key under 2048 bits can be broken.",
  sha1_signature: "SHA-1 signature: clients no longer trust it.",
  incomplete_chain: "Incomplete chain: an issuer is missing; add the intermediate CA certificates.",
  key_mismatch: "Key mismatch: the private key does not belong to the leaf certificate.",
  self_signed_leaf: "Self-signed: peers must be told to trust this certificate itself.",
  chain_expires_before_leaf: "A CA of the chain expires before the leaf: the chain stops working then.",
  extra_private_key: "More than one private key: only the leaf's (or the first) is kept.",
  not_a_ca: "Not a CA: a certificate of the bundle cannot vouch for others.",
  unusable_key: "Key type not usable for mutual TLS: the certificate is stored and its expiry tracked, but it cannot be a client certificate.",
  ignored_block: "Part of the file was ignored: a block that is broken or holds nothing Coffer stores.",
};

const SERIOUS: WarningCode[] = ["expired", "not_yet_valid", "key_mismatch"];

export function Warnings({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0) return null;
  const serious = warnings.filter((w) => SERIOUS.includes(w.code));
  const others = warnings.filter((w) => !SERIOUS.includes(w.code));
  return (
    <div className="stack reg-warning-groups" role="note" aria-label="Warnings">
      {serious.length ? <WarningList kind="error" warnings={serious} /> : null}
      {others.length ? <WarningList kind="warn" warnings={others} /> : null}
    </div>
  );
}

function WarningList({ kind, warnings }: { kind: "error" | "warn"; warnings: Warning[] }) {
  return (
    <div className={`notice notice-${kind}`}>
      <Icon name="alert" />
      <ul className="plain-list reg-warnings">
        {warnings.map((w, i) => (
          <li key={`${w.code}-${i}`}>
            <strong>{WARNING_MEANING[w.code]}</strong>
            <br />
            <span className="small">{w.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The key check as people read it. */
export function KeyMatch({ report }: { report: InspectionReport }) {
  const key = report.private_key;
  if (report.key_matches_leaf === true && key) {
    return (
      <div className="notice notice-ok" role="status">
        <Icon name="check" />
        <p>
          The private key ({keyText(key.algorithm, key.bits)}
          {key.encrypted ? ", was encrypted" : ""}) matches the leaf certificate.
        </p>
      </div>
    );
  }
  if (report.key_matches_leaf === false) {
    return (
      <div className="notice notice-error" role="alert">
        <Icon name="alert" />
        <p>
          <strong>The private key does not match the leaf certificate.</strong> A TLS client presenting this pair will fail
          the handshake.
        </p>
      </div>
    );
  }
  return (
    <p className="muted small reg-no-key">
      <Icon name="key" /> No private key: only the chain will be stored (add the key for mutual TLS).
    </p>
  );
}

function keyText(algorithm: string, bits: number, curve?: string | null): string {
  const name = keyAlgorithmLabel(algorithm);
  return `${name}${curve ? ` ${curve}` : ""}${bits > 0 ? ` ${bits} bits` : ""}`;
}

function role(kind: "certificate" | "ca_bundle", cert: CertificateSummary, index: number): string {
  if (kind === "ca_bundle") return cert.self_signed ? "Root CA" : cert.is_ca ? "Intermediate CA" : "Not a CA";
  if (index === 0) return "Leaf";
  return cert.self_signed ? "Root CA" : cert.is_ca ? "Intermediate CA" : "Certificate";
}

/** The certificates as cards, leaf first. */
export function ChainCards({ kind, certificates }: { kind: "certificate" | "ca_bundle"; certificates: CertificateSummary[] }) {
  const [now] = useState(() => Date.now());
  return (
    <section className="stack reg-chain" aria-label={kind === "ca_bundle" ? "Certificate authorities" : "Certificate chain"}>
      <h3>
        {kind === "ca_bundle" ? `Certificate authorities (${certificates.length})` : `Certificate chain (${certificates.length})`}
      </h3>
      <ol className="reg-cards">
        {certificates.map((cert, i) => (
          <li key={`${cert.sha256}-${i}`}>
            <CertCard cert={cert} role={role(kind, cert, i)} now={now} />
          </li>
        ))}
      </ol>
    </section>
  );
}

type Row = { label: string; value: ReactNode; mono?: boolean; wide?: boolean };

function CertCard({ cert, role, now }: { cert: CertificateSummary; role: string; now: number }) {
  const rows: Row[] = [
    { label: "Subject", value: cert.subject || "—", mono: true, wide: true },
    { label: "Issuer", value: cert.issuer || "—", mono: true, wide: true },
  ];
  if (cert.san.length) {
    rows.push({
      label: "Names (SAN)",
      wide: true,
      value: (
        <span className="chips">
          {cert.san.map((name) => (
            <span key={name} className="label-chip">
              {name}
            </span>
          ))}
        </span>
      ),
    });
  }
  rows.push(
    { label: "Valid", value: `${formatDate(cert.not_before)} – ${formatDate(cert.not_after)}` },
    { label: "Serial", value: cert.serial, mono: true },
    { label: "Key", value: keyText(cert.key_algorithm, cert.key_bits, cert.ec_curve) },
    { label: "Signature", value: cert.signature_algorithm, mono: true },
    {
      label: "CA",
      value: cert.is_ca ? `yes${cert.path_len !== null ? `, path length ${cert.path_len}` : ""}` : "no",
    },
    { label: "Key usage", value: cert.key_usage.length ? cert.key_usage.join(", ") : "—" },
  );
  if (cert.extended_key_usage.length) rows.push({ label: "Extended usage", value: cert.extended_key_usage.join(", "), wide: true });
  rows.push(
    { label: "SHA-256", value: cert.sha256, mono: true, wide: true },
    { label: "SHA-1", value: cert.sha1, mono: true, wide: true },
  );
  return (
    <article className="cert-card reg-cert-card" aria-label={`${role}: ${cert.subject_cn ?? cert.subject}`}>
      <div className="row reg-cert-head">
        <strong className="reg-cert-title">{cert.subject_cn ?? cert.subject}</strong>
        <span className="badge badge-neutral">{role}</span>
        {cert.self_signed && role !== "Root CA" ? <span className="badge badge-neutral">self-signed</span> : null}
      </div>
      <ValidityBar notBefore={cert.not_before} notAfter={cert.not_after} now={now} />
      <dl className="kv reg-kv reg-kv-4">
        {rows.map((row) => (
          <div className="kv-row" key={row.label} data-wide={row.wide ? "true" : undefined}>
            <dt>{row.label}</dt>
            <dd className={row.mono ? "mono" : undefined}>{row.value}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}

/**
 * Calendar days from `now` to `then` in the local time zone (today 0, tomorrow 1), so that a
 * certificate valid for 20 days reads "20 days left" on the day it was issued. A local helper:
 * the app-wide day rule lives in lib/time.ts.
 */
export function calendarDaysBetween(now: number, then: number): number {
  const midnight = (t: number) => {
    const d = new Date(t);
    return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  };
  return Math.round((midnight(then) - midnight(now)) / DAY);
}

/** From notBefore to notAfter, with the share elapsed and the days left. */
export function ValidityBar({ notBefore, notAfter, now }: { notBefore: string; notAfter: string; now: number }) {
  const start = parseTime(notBefore)?.getTime();
  const end = parseTime(notAfter)?.getTime();
  if (start === undefined || end === undefined || end <= start) return null;
  const share = Math.min(1, Math.max(0, (now - start) / (end - start)));
  const days = calendarDaysBetween(now, end);
  let state: "valid" | "expiring" | "expired" | "future" = "valid";
  let text: string;
  if (now >= end) {
    state = "expired";
    const ago = Math.max(0, calendarDaysBetween(end, now));
    text = ago === 0 ? "Expired today" : `Expired ${ago} day${ago === 1 ? "" : "s"} ago`;
  } else if (now < start) {
    state = "future";
    const wait = Math.max(1, calendarDaysBetween(now, start));
    text = `Not valid for ${wait} more day${wait === 1 ? "" : "s"}`;
  } else {
    if (days < 30) state = "expiring";
    text = days === 0 ? "Expires today" : `${days} day${days === 1 ? "" : "s"} left`;
  }
  return (
    <div className="reg-validity">
      <div
        className="validity"
        data-state={state === "future" ? "expiring" : state}
        role="img"
        aria-label={`Validity ${formatDate(notBefore)} to ${formatDate(notAfter)}: ${text}`}
      >
        <div style={{ width: `${Math.max(share * 100, 2)}%` }} />
      </div>
      <span className="small reg-validity-text" data-state={state}>
        {text}
      </span>
    </div>
  );
}
