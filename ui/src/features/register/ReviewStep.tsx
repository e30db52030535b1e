import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { api, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, fromDateInput } from "../../lib/time";
import { shortSecretFields, ShortValueWarning } from "../detail/ShortValueWarning";
import { Warnings } from "./CertificateReport";
import type { MetaDraft, ValueDraft } from "./draft";

const PROTECTION: Record<MetaDraft["protection"], string> = {
  vault: "The vault key",
  password: "A store password (set; not kept by Coffer)",
  generate: "A generated store password, shown once after registering",
};

/** Everything that will be saved, values masked; warnings repeated. */
export function ReviewStep({
  type,
  value,
  meta,
  busy,
  failure,
  onBack,
  onRegister,
}: {
  type: SecretType;
  value: ValueDraft;
  meta: MetaDraft;
  busy: boolean;
  failure: string | null;
  onBack: () => void;
  onRegister: () => void;
}) {
  const types = useQuery({ queryKey: keys.types, queryFn: api.secretTypes, staleTime: Infinity });
  const leaf = type === "certificate" ? value.report?.certificates[0] : undefined;
  const expires = leaf
    ? `${formatDate(leaf.not_after)} (from the leaf certificate)`
    : meta.expires
      ? `${formatDate(fromDateInput(meta.expires))}${meta.allowPastExpiry ? " (in the past: imported as expired)" : ""}`
      : "never";
  const about: [string, ReactNode, boolean?][] = [
    ["Type", typeLabel(type)],
    ["Name", meta.name, true],
    ["Organization", meta.org || "Default", true],
    ["Project", meta.project || "any project", Boolean(meta.project)],
    ["Description", meta.description || <span className="muted">none</span>],
    [
      "Labels",
      meta.labels.length ? (
        <span className="chips">
          {meta.labels.map((l) => (
            <span key={l.key} className="label-chip">
              {l.value ? `${l.key}=${l.value}` : l.key}
            </span>
          ))}
        </span>
      ) : (
        <span className="muted">none</span>
      ),
    ],
    ["Expires", expires],
    ["Write-only", meta.writeOnly ? "Yes: it can be used, never shown again" : "No"],
    ["Protection", PROTECTION[meta.protection]],
  ];
  return (
    <div className="stack reg-form">
      <div className="reg-review-grid">
        <section className="card" aria-labelledby="review-about">
          <h3 id="review-about" className="reg-card-title">
            The secret
          </h3>
          <dl className="kv reg-kv">
            {about.map(([label, shown, mono]) => (
              <div className="kv-row" key={label}>
                <dt>{label}</dt>
                <dd className={mono ? "mono" : undefined}>{shown}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="review-value">
          <h3 id="review-value" className="reg-card-title">
            Its value
          </h3>
          <dl className="kv reg-kv">
            {value.review.map((item, i) => (
              <div className="kv-row" key={`${item.label}-${i}`}>
                <dt className={item.monoLabel ? "mono" : undefined}>{item.label}</dt>
                <dd className={item.mono && !item.secret ? "mono" : undefined}>
                  {item.secret ? (
                    <span className="reg-masked">
                      <span aria-label="hidden">••••••••</span>
                      {item.value ? <span className="muted small"> {item.value}</span> : null}
                    </span>
                  ) : (
                    item.value
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
      {value.report ? <Warnings warnings={value.report.warnings} /> : null}
      <ShortValueWarning labels={shortSecretFields(type, value.fields, types.data)} />
      {value.allowKeyMismatch ? (
        <div className="notice notice-error" role="note">
          <Icon name="alert" />
          <p>The private key does not match the leaf certificate; it will be stored anyway, as you asked.</p>
        </div>
      ) : null}
      {failure ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{failure}</p>
        </div>
      ) : null}
      <div className="reg-actions">
        <button type="button" className="btn" onClick={onBack}>
          Back
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn-primary" disabled={busy} onClick={onRegister}>
          <Icon name="check" /> {busy ? "Registering…" : "Register"}
        </button>
      </div>
    </div>
  );
}
