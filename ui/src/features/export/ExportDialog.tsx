import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { api, errorMessage, hasCode, type ExportDone, type ExportTarget } from "../../ipc/client";
import { passphraseStrength } from "../../lib/strength";
import { toDateInput } from "../../lib/time";
import "./export.css";

/** A scope the dialog offers: what it is called and what it sends. */
export type ExportChoice = { label: string; target: ExportTarget };

type Errors = Partial<Record<"recovery" | "passphrase" | "confirm" | "understood", string>>;

/**
 * Exports secrets to an encrypted file: the scope with its count, current or
 * all versions, whether the jobs of the organizations exported go too (with
 * their count), the secrets exported as metadata only, the recovery
 * passphrase (checked by the shell before the save dialog opens) and the
 * file's passphrase twice. A plaintext export is a separate, red option that
 * needs its own "I understand".
 */
export function ExportDialog({ choices, onClose }: { choices: ExportChoice[]; onClose: () => void }) {
  const formId = useId();
  const [choice, setChoice] = useState(0);
  const [allVersions, setAllVersions] = useState(false);
  const [includeJobs, setIncludeJobs] = useState(false);
  const [recovery, setRecovery] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [plaintext, setPlaintext] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ExportDone | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const target = (choices[choice] ?? choices[0])?.target ?? "all";
  const preview = useQuery({
    queryKey: ["export-preview", target, allVersions],
    queryFn: () => api.exportPreview(target, allVersions),
  });
  const strength = passphraseStrength(passphrase);

  const submit = async () => {
    const next: Errors = {};
    if (!recovery) next.recovery = "Enter the vault's recovery passphrase.";
    if (plaintext) {
      if (!understood) next.understood = "Tick this to export without encryption.";
    } else {
      if (passphrase.length < 8) next.passphrase = "Use at least 8 characters.";
      else if (strength.score < 2) next.passphrase = "Too easy to guess: add words, length or variety.";
      if (confirm !== passphrase) next.confirm = "The two entries differ.";
    }
    setErrors(next);
    setFailure(null);
    setCancelled(false);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const result = await api.exportSecrets({
        target,
        all_versions: allVersions,
        jobs: includeJobs && (preview.data?.jobs ?? 0) > 0,
        recovery,
        passphrase: plaintext ? null : passphrase,
        plaintext_confirmed: plaintext && understood,
        local_date: toDateInput(new Date().toISOString()),
      });
      if (result) setDone(result);
      else setCancelled(true);
    } catch (e) {
      if (hasCode(e, "wrong_passphrase")) setErrors({ recovery: "Wrong recovery passphrase." });
      else setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const s = done.summary;
    return (
      <Dialog
        open
        title="Exported"
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Close
          </button>
        }
      >
        <div className={s.encrypted ? "notice notice-ok" : "notice notice-error"} role="status">
          <Icon name={s.encrypted ? "check" : "alert"} />
          <span>
            {s.secrets.toLocaleString()} secret{s.secrets === 1 ? "" : "s"} ({s.versions.toLocaleString()} value
            {s.versions === 1 ? "" : "s"}
            {s.withheld ? `, ${s.withheld} metadata only` : ""}
            {s.jobs ? `, ${s.jobs.toLocaleString()} job${s.jobs === 1 ? "" : "s"}` : ""}) {s.encrypted ? "exported, encrypted, to" : "exported IN PLAINTEXT to"}{" "}
            <code className="path">{done.path}</code>
          </span>
        </div>
        {s.encrypted ? (
          <p className="muted small">
            The file is an age file: <code>age -d</code> opens it with the passphrase, and Coffer imports it (Import… →
            Coffer export).
          </p>
        ) : (
          <p className="muted small">Anyone who reads this file reads every value in it. Delete it when you are done.</p>
        )}
      </Dialog>
    );
  }

  const p = preview.data;
  return (
    <Dialog
      open
      wide
      title="Export secrets"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className={plaintext ? "btn btn-danger" : "btn btn-primary"}
            disabled={busy || !p || p.secrets === 0}
          >
            {busy ? "Exporting…" : plaintext ? "Export in plaintext…" : "Export…"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="stack export-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {choices.length > 1 ? (
          <Field label="What to export">
            <select className="input" value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
              {choices.map((c, i) => (
                <option key={c.label} value={i}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <p>
            <strong>{choices[0]?.label}</strong>
          </p>
        )}
        <p className="export-count" aria-live="polite">
          {preview.isError
            ? errorMessage(preview.error)
            : p
              ? `${p.secrets.toLocaleString()} secret${p.secrets === 1 ? "" : "s"}, ${p.versions.toLocaleString()} value${p.versions === 1 ? "" : "s"}`
              : "Counting…"}
        </p>
        <fieldset className="export-versions">
          <legend>Versions</legend>
          <label>
            <input type="radio" name="versions" checked={!allVersions} onChange={() => setAllVersions(false)} /> Current
            version only
          </label>
          <label>
            <input type="radio" name="versions" checked={allVersions} onChange={() => setAllVersions(true)} /> All kept
            versions (history)
          </label>
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={includeJobs && (p?.jobs ?? 0) > 0}
            disabled={!p || p.jobs === 0}
            onChange={(e) => setIncludeJobs(e.target.checked)}
          />{" "}
          Include jobs{" "}
          <span className="muted small">
            {p
              ? p.jobs === 0
                ? "(none in what is exported)"
                : `(${p.jobs.toLocaleString()} job${p.jobs === 1 ? "" : "s"} of the organizations exported; imported with their schedules off)`
              : ""}
          </span>
        </label>
        {p && p.metadata_only.length ? (
          <div className="notice notice-info" role="note">
            <Icon name="lock" />
            <div>
              <p>Metadata only (write-only or store-password values are never exported):</p>
              <ul className="export-withheld">
                {p.metadata_only.map((name) => (
                  <li key={name}>
                    <code>{name}</code> <span className="muted small">metadata only</span>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        <Field
          label="Recovery passphrase"
          hint="Exporting takes values out of the vault: it is checked before you choose where to save."
          error={errors.recovery}
        >
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            value={recovery}
            onChange={(e) => setRecovery(e.target.value)}
          />
        </Field>
        {plaintext ? null : (
          <div className="grid-2">
            <div className="stack" style={{ gap: 6 }}>
              <Field label="File passphrase" error={errors.passphrase}>
                <input
                  className="input"
                  type="password"
                  autoComplete="new-password"
                  value={passphrase}
                  onChange={(e) => setPassphrase(e.target.value)}
                />
              </Field>
              <div className="strength" data-score={strength.score} aria-hidden="true">
                <span />
                <span />
                <span />
                <span />
              </div>
              <span className="small muted" aria-live="polite">
                Strength: {strength.label}
              </span>
            </div>
            <Field label="File passphrase again" error={errors.confirm}>
              <input
                className="input"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
              />
            </Field>
          </div>
        )}
        <details className="export-danger" open={plaintext}>
          <summary>Other options</summary>
          <label className="check">
            <input
              type="checkbox"
              checked={plaintext}
              onChange={(e) => {
                setPlaintext(e.target.checked);
                setUnderstood(false);
              }}
            />{" "}
            Export without encryption (plaintext JSON)
          </label>
          {plaintext ? (
            <div className="notice notice-error stack" role="alert">
              <p>
                <strong>Dangerous.</strong> Every value in the file is readable by anyone and anything that can read the
                file: backups, sync tools, other programs.
              </p>
              <label className="check">
                <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> I
                understand: the file will not be encrypted
              </label>
              {errors.understood ? <span className="error">{errors.understood}</span> : null}
            </div>
          ) : null}
        </details>
        {cancelled ? (
          <p className="muted small" role="status">
            Export cancelled: nothing was written.
          </p>
        ) : null}
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
