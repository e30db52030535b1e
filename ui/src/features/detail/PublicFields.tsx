import { useState, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import type { SecretMeta } from "../../ipc/client";
import { keyAlgorithmLabel } from "../../lib/keyAlgorithms";
import { formatDate, formatDateTime, parseTime, relative } from "../../lib/time";
import { fieldLabel, formatBytes, stringList, text } from "./fieldNames";
import { jsonText } from "./textRules";

// Keys of `public_fields` rendered by name; anything else is listed as text.
const HANDLED = new Set([
  "username",
  "header_name",
  "client_id",
  "scopes",
  "token_url",
  "audience",
  "content_type",
  "file_name",
  "size",
  "keys",
  "public_key",
  "fingerprint",
  "fingerprint_sha256",
  "algorithm",
  "bits",
  "has_private_key",
  "certificates",
  "chain",
  "private_key",
  "warnings",
  "key_matches_leaf",
  "earliest_expiry",
]);

type Row = { label: string; value: ReactNode; mono?: boolean };

/** The public fields of a secret's current version: never secret, shown as text. */
export function PublicFields({ meta }: { meta: SecretMeta }) {
  const pf = meta.public_fields;
  const rows: Row[] = [];
  const add = (label: string, value: ReactNode, mono = false) => rows.push({ label, value, mono });
  const str = (key: string) => text(pf[key]);

  const username = str("username");
  if (username !== null) add("Username", username, true);
  const header = str("header_name");
  if (header !== null) {
    add(
      "Header name",
      <>
        <span className="mono">{header}</span>
        {meta.type === "bearer_token" ? (
          <span className="muted small">
            {" "}
            — {header.toLowerCase() === "authorization" ? "sent as Bearer <token>" : "the raw token is sent in this header"}
          </span>
        ) : null}
      </>,
    );
  }
  const clientId = str("client_id");
  if (clientId !== null) add("Client ID", clientId, true);
  if ("scopes" in pf) {
    const scopes = stringList(pf.scopes);
    add("Scopes", scopes.length ? <Chips items={scopes} /> : <span className="muted">none</span>);
  }
  const tokenUrl = str("token_url");
  if (tokenUrl !== null) add("Token URL", tokenUrl, true);
  const audience = str("audience");
  if (audience !== null) add("Audience", audience, true);
  if (meta.type === "key_value") {
    const keys = stringList(pf.keys);
    add("Keys", keys.length ? <Chips items={keys} /> : <span className="muted">none</span>);
  }
  const contentType = str("content_type");
  if (contentType !== null) add("Content type", contentType, true);
  if (typeof pf.size === "number") add("Size", formatBytes(pf.size));
  if ("file_name" in pf) add("File name", str("file_name") ?? <span className="muted">—</span>, true);
  const algorithm = str("algorithm");
  if (algorithm !== null) add("Algorithm", `${algorithm}${typeof pf.bits === "number" ? ` (${pf.bits} bits)` : ""}`, true);
  const fingerprint = str("fingerprint_sha256") ?? str("fingerprint");
  if (fingerprint !== null) add("Fingerprint", fingerprint, true);
  if (typeof pf.has_private_key === "boolean") add("Private key", pf.has_private_key ? "included" : "not included");
  const keySummary = pf.private_key;
  if (keySummary && typeof keySummary === "object" && !Array.isArray(keySummary)) {
    const k = keySummary as Record<string, unknown>;
    add("Private key", `${text(k.algorithm) ?? "key"}${typeof k.bits === "number" ? ` ${k.bits} bits` : ""}`);
  }
  if (typeof pf.key_matches_leaf === "boolean") {
    add("Key matches leaf", pf.key_matches_leaf ? "yes" : <span className="text-danger">no</span>);
  }
  for (const [key, value] of Object.entries(pf)) {
    if (HANDLED.has(key) || value === null) continue;
    add(fieldLabel(meta.type, key), jsonText(value), true);
  }

  const publicKey = str("public_key");
  const chain = certificateList(pf.certificates ?? pf.chain);
  const warnings = warningList(pf.warnings);

  if (rows.length === 0 && publicKey === null && chain.length === 0) {
    return <p className="muted">No public fields.</p>;
  }
  return (
    <div className="stack">
      {rows.length ? (
        <dl className="kv">
          {rows.map((row, i) => (
            <div className="kv-row" key={`${row.label}-${i}`}>
              <dt>{row.label}</dt>
              <dd className={row.mono ? "mono" : undefined}>{row.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {publicKey !== null ? <PublicKey value={publicKey} /> : null}
      {warnings.length ? (
        <div className="notice notice-warn" role="note">
          <Icon name="alert" />
          <ul className="plain-list">
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {chain.length ? (
        <div className="stack" style={{ gap: 8 }}>
          <h3>{meta.type === "ca_bundle" ? `Certificate authorities (${chain.length})` : `Certificate chain (${chain.length})`}</h3>
          {chain.map((cert, i) => (
            <CertificateCard key={i} cert={cert} role={certRole(meta.type, cert, i)} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function Chips({ items }: { items: string[] }) {
  return (
    <span className="chips">
      {items.map((item) => (
        <span key={item} className="label-chip">
          {item}
        </span>
      ))}
    </span>
  );
}

/** The OpenSSH public key, with a copy button: it is public, so the page may copy it itself. */
function PublicKey({ value }: { value: string }) {
  const toast = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      toast.info("Public key copied.");
    } catch {
      toast.error("The clipboard is not available.");
    }
  };
  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="row">
        <h3>Public key</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={() => void copy()}>
          <Icon name="copy" /> Copy public key
        </button>
      </div>
      <pre className="public-key" aria-label="Public key">
        {value}
      </pre>
    </div>
  );
}

type Cert = Record<string, unknown>;

function certificateList(value: unknown): Cert[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is Cert => typeof v === "object" && v !== null && !Array.isArray(v));
}

function warningList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((w) => (typeof w === "string" ? w : typeof w === "object" && w !== null ? text((w as Cert).message) : null))
    .filter((w): w is string => w !== null);
}

function certRole(type: SecretMeta["type"], cert: Cert, index: number): string {
  if (type === "ca_bundle") return cert.self_signed === true ? "Root CA" : "CA";
  if (index === 0) return "Leaf";
  return cert.self_signed === true ? "Root CA" : cert.is_ca === true ? "Intermediate CA" : "Certificate";
}

function CertificateCard({ cert, role }: { cert: Cert; role: string }) {
  const subject = text(cert.subject);
  const title = text(cert.subject_cn) ?? subject ?? "Certificate";
  const notBefore = text(cert.not_before);
  const notAfter = text(cert.not_after);
  const sans = stringList(cert.san ?? cert.sans);
  const algorithm = text(cert.key_algorithm);
  const key = algorithm === null ? null : keyAlgorithmLabel(algorithm);
  const rows: Row[] = [];
  if (subject !== null) rows.push({ label: "Subject", value: subject, mono: true });
  const issuer = text(cert.issuer);
  if (issuer !== null) rows.push({ label: "Issuer", value: issuer, mono: true });
  if (sans.length) rows.push({ label: "Names (SAN)", value: <Chips items={sans} /> });
  const serial = text(cert.serial);
  if (serial !== null) rows.push({ label: "Serial", value: serial, mono: true });
  if (notBefore !== null || notAfter !== null) {
    rows.push({
      label: "Valid",
      value: (
        <>
          {formatDate(notBefore)} – {formatDate(notAfter)}{" "}
          {notAfter ? <span className="muted small">({relative(notAfter)})</span> : null}
        </>
      ),
    });
  }
  if (key !== null) {
    rows.push({ label: "Key", value: `${key}${typeof cert.key_bits === "number" ? ` ${cert.key_bits} bits` : ""}` });
  }
  const sha256 = text(cert.sha256);
  if (sha256 !== null) rows.push({ label: "SHA-256", value: sha256, mono: true });
  const sha1 = text(cert.sha1);
  if (sha1 !== null) rows.push({ label: "SHA-1", value: sha1, mono: true });
  return (
    <div className="cert-card">
      <div className="row">
        <strong>{title}</strong>
        <span className="badge badge-neutral">{role}</span>
      </div>
      <Validity notBefore={notBefore} notAfter={notAfter} />
      <dl className="kv">
        {rows.map((row) => (
          <div className="kv-row" key={row.label}>
            <dt>{row.label}</dt>
            <dd className={row.mono ? "mono" : undefined}>{row.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Validity({ notBefore, notAfter }: { notBefore: string | null; notAfter: string | null }) {
  const start = parseTime(notBefore);
  const end = parseTime(notAfter);
  const [now] = useState(() => Date.now());
  if (!start || !end || end <= start) return null;
  const share = Math.min(1, Math.max(0, (now - start.getTime()) / (end.getTime() - start.getTime())));
  const state = now >= end.getTime() ? "expired" : end.getTime() - now < 30 * 86_400_000 ? "expiring" : "valid";
  return (
    <div
      className="validity"
      data-state={state}
      role="img"
      aria-label={`Validity: ${Math.round(share * 100)}% elapsed, ends ${formatDateTime(notAfter)}`}
    >
      <div style={{ width: `${share * 100}%` }} />
    </div>
  );
}
