import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useForm, useWatch } from "react-hook-form";

import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import { useToast } from "../../components/Toasts";
import type { FieldInput, HandedFile, InspectionReport } from "../../ipc/client";
import { formatDate } from "../../lib/time";
import { formatBytes } from "../detail/fieldNames";
import { ChainCards, KeyMatch, Warnings } from "./CertificateReport";
import type { ValueFormProps } from "./CredentialForms";
import type { ReviewItem } from "./draft";
import { FileDrop } from "./FileDrop";
import { RootError, StepActions, useProblem } from "./parts";
import { caBundleSchema, certificateSchema } from "./schemas";
import { fromHandedFile, looksLikeKey, type Source } from "./sources";
import { AlreadyStored } from "./sameCertificate";
import { droppedKind, useDroppedFiles } from "./useDroppedFiles";
import { useInspection, type Inspection } from "./useInspection";

/** A name proposal from a certificate's common name. */
export function nameFromCn(cn: string | null | undefined): string | null {
  if (!cn) return null;
  const name = cn.replace(/^\*\./, "wildcard.").replace(/[^A-Za-z0-9._/-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 128);
  return name || null;
}

const CERT_ACCEPT = ".pem,.crt,.cer,.der,.p12,.pfx,.key";

/** The certificate form: the chain (and key), inspected before anything is saved. */
export function CertificateForm({ onBack, onNext, problem, active }: ValueFormProps) {
  const toast = useToast();
  const { inspect, state, reset } = useInspection("certificate");
  const [password, setPassword] = useState("");
  const [openedAt] = useState(() => Date.now());
  const passwordId = useId();
  const { handleSubmit, setValue, setError, clearErrors, control, register, formState } = useForm({
    resolver: zodResolver(certificateSchema),
    defaultValues: { certificate: null, private_key: null, report: null, allow_key_mismatch: false },
  });
  const [certificate, privateKey] = useWatch({ control, name: ["certificate", "private_key"] });
  useProblem(problem, setError, (f) =>
    f === "certificate" || f === "private_key" ? f : f.endsWith("#password") ? "report" : null,
  );

  const run = async (cert: Source | null, key: Source | null, pw: string | null) => {
    setValue("report", null);
    setValue("allow_key_mismatch", false);
    clearErrors();
    if (!cert) {
      reset();
      return;
    }
    const report = await inspect(cert, key, pw);
    if (report) setValue("report", report, { shouldValidate: false });
  };

  const setCert = (source: Source | null) => {
    setValue("certificate", source, { shouldDirty: true });
    setPassword("");
    void run(source, privateKey, null);
  };
  const setKey = (source: Source | null) => {
    setValue("private_key", source, { shouldDirty: true });
    void run(certificate, source, password || null);
  };

  useDroppedFiles(active, (files: HandedFile[]) => {
    let cert = certificate;
    let key = privateKey;
    // By content when the wizard read the files (a key alone, a certificate), else by name.
    const isKey = (file: HandedFile) => {
      const kind = droppedKind(file);
      return kind ? kind === "key" : looksLikeKey(file.name) && (cert !== null || files.length > 1);
    };
    const keys = files.filter(isKey);
    // The leaf's file first: a certificate that is not a CA, then CA-only files.
    const certs = files.filter((f) => !isKey(f)).sort((a, b) => Number(droppedKind(a) === "ca") - Number(droppedKind(b) === "ca"));
    if (keys[0]) key = fromHandedFile(keys[0]);
    if (certs[0]) cert = fromHandedFile(certs[0]);
    const unused = [...certs.slice(1), ...keys.slice(1)];
    if (unused.length)
      toast.info(`A certificate takes one chain file and one key: ${unused.map((f) => f.name).join(", ")} not used. Put the whole chain in one PEM file.`);
    setValue("certificate", cert, { shouldDirty: true });
    setValue("private_key", key, { shouldDirty: true });
    setPassword("");
    void run(cert, key, null);
    toast.info(files.length === 1 ? `Added ${files[0]?.name ?? "the file"}.` : `Added ${files.length} files.`);
  });

  const report = state.status === "done" ? state.report : null;
  const errors = formState.errors;
  const certError = errors.certificate?.message ?? failedOn(state, "certificate");
  const keyError = errors.private_key?.message ?? failedOn(state, "private_key");

  const submit = handleSubmit((form) => {
    const report = form.report;
    const cert = form.certificate;
    if (!report || !cert) return;
    const leaf = report.certificates[0];
    const fields: FieldInput[] = [{ name: "certificate", value: cert.value }];
    const review: ReviewItem[] = [{ label: "Certificate", value: `${cert.name} (${formatBytes(cert.size)})`, secret: true }];
    if (form.private_key) {
      fields.push({ name: "private_key", value: form.private_key.value });
      review.push({ label: "Private key", value: `${form.private_key.name} (${formatBytes(form.private_key.size)})`, secret: true });
    } else if (report.private_key) {
      review.push({ label: "Private key", value: "inside the certificate file", secret: true });
    } else {
      review.push({ label: "Private key", value: "none" });
    }
    if (leaf) {
      const expired = Date.parse(leaf.not_after) <= openedAt;
      review.push({ label: "Leaf", value: leaf.subject, mono: true }, { label: expired ? "Expired" : "Expires", value: `${formatDate(leaf.not_after)} (from the leaf)` });
    }
    if (report.key_matches_leaf !== null) {
      review.push({ label: "Key matches the leaf", value: report.key_matches_leaf ? "yes" : "NO — stored anyway" });
    }
    const mismatch = report.key_matches_leaf === false;
    onNext({
      fields,
      review,
      keyPassword: state.status === "done" ? state.password : null,
      allowKeyMismatch: mismatch && form.allow_key_mismatch,
      generateSsh: null,
      report,
      suggestedName: nameFromCn(leaf?.subject_cn),
    });
  });

  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <div className="grid-2 reg-drops">
        <FileDrop
          label="Certificate file"
          what="the certificate"
          hint="PEM chain, DER, or PKCS#12 / PFX (with its key)"
          accept={CERT_ACCEPT}
          paste="Paste PEM text instead"
          source={certificate}
          error={certError}
          onSource={setCert}
          onClear={() => setCert(null)}
          onError={(message) => setError("certificate", { message })}
        />
        {report?.private_key && !privateKey ? (
          <div className="reg-drop">
            <span className="field-label">Private key</span>
            <div className="picked-file reg-picked">
              <Icon name="key" />
              <span>
                Inside <span className="reg-picked-name">{certificate?.name}</span>
              </span>
              <span className="muted small">{keySummary(report)}</span>
            </div>
          </div>
        ) : (
          <FileDrop
            secondary
            label="Private key file (optional)"
            what="the private key"
            hint="PEM or DER, PKCS#8 or PKCS#1, encrypted or not"
            accept=".key,.pem,.der"
            paste="Paste the key instead"
            source={privateKey}
            error={keyError}
            onSource={setKey}
            onClear={() => setKey(null)}
            onError={(message) => setError("private_key", { message })}
          />
        )}
      </div>
      {state.status === "password" || (state.status === "checking" && state.passwordField) ? (
        <PasswordPrompt
          id={passwordId}
          field={state.status === "password" ? state.field : (state.passwordField ?? "certificate")}
          wrong={state.status === "password" && state.wrong}
          busy={state.status === "checking"}
          pkcs12={(state.status === "password" ? state.field : state.passwordField) === "certificate"}
          value={password}
          onChange={setPassword}
          onUnlock={() => void run(certificate, privateKey, password)}
        />
      ) : null}
      {state.status === "checking" && !state.passwordField ? (
        <p className="muted" role="status">
          Reading the certificate…
        </p>
      ) : null}
      {report ? (
        <CertificateFindings
          report={report}
          mismatchControl={
            report.key_matches_leaf === false ? (
              <div className="stack reg-override">
                <label className="check">
                  <input type="checkbox" {...register("allow_key_mismatch")} />
                  <span>Store anyway: I know the key does not belong to this certificate.</span>
                </label>
                {errors.allow_key_mismatch?.message ? (
                  <span className="error small" role="alert">
                    {errors.allow_key_mismatch.message}
                  </span>
                ) : null}
              </div>
            ) : null
          }
        />
      ) : null}
      <RootError message={errors.report?.message ?? errors.root?.server?.message} />
      <StepActions onBack={onBack} disabled={state.status === "checking"} />
    </form>
  );
}

function keySummary(report: InspectionReport): string {
  const key = report.private_key;
  if (!key) return "";
  const name = key.algorithm === "rsa" ? "RSA" : key.algorithm === "ec" ? "EC" : key.algorithm === "ed25519" ? "Ed25519" : key.algorithm;
  return `${name} ${key.bits} bits`;
}

function failedOn(state: Inspection, field: string): string | undefined {
  return state.status === "failed" && state.field === field ? state.message : undefined;
}

/** What the inspection found: key check, warnings, the chain. */
export function CertificateFindings({
  report,
  mismatchControl,
  bundle,
}: {
  report: InspectionReport;
  mismatchControl?: ReactNode;
  bundle?: boolean;
}) {
  const leaf = report.certificates[0];
  const [now] = useState(() => Date.now());
  const expired = leaf ? Date.parse(leaf.not_after) <= now : false;
  return (
    <div className="stack reg-findings">
      {!bundle && leaf ? (
        <p className="reg-expiry-note">
          <Icon name="clock" />{" "}
          {expired ? "The leaf has expired: the secret will be registered as expired, on" : "The secret will expire with the leaf:"}{" "}
          <strong>{formatDate(leaf.not_after)}</strong>
          {report.earliest_expiry && Date.parse(report.earliest_expiry) < Date.parse(leaf.not_after) ? (
            <span className="muted"> (a CA of the chain ends sooner, on {formatDate(report.earliest_expiry)})</span>
          ) : null}
        </p>
      ) : null}
      <AlreadyStored type={bundle ? "ca_bundle" : "certificate"} sha256={leaf?.sha256} />
      {!bundle ? <KeyMatch report={report} /> : null}
      {mismatchControl}
      {/* The key check above already says a mismatch, in words: once is enough. */}
      <Warnings warnings={bundle ? report.warnings : report.warnings.filter((w) => w.code !== "key_mismatch")} />
      <ChainCards kind={bundle ? "ca_bundle" : "certificate"} certificates={report.certificates} />
    </div>
  );
}

export function PasswordPrompt({
  id,
  field,
  wrong,
  busy = false,
  pkcs12,
  value,
  onChange,
  onUnlock,
}: {
  id: string;
  field: string;
  wrong: boolean;
  busy?: boolean;
  pkcs12: boolean;
  value: string;
  onChange: (value: string) => void;
  onUnlock: () => void;
}) {
  const what = pkcs12 ? "This file is encrypted (PKCS#12 or an encrypted key)" : "The private key is encrypted";
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
  }, []);
  return (
    <div className="notice notice-info reg-password" role="group" aria-labelledby={`${id}-title`}>
      <Icon name="lock" />
      <div className="stack" style={{ gap: 8, flex: 1 }}>
        <p id={`${id}-title`}>
          <strong>{what}.</strong> Give its password to read it. It is used once and never stored.
        </p>
        <div className="row">
          <label htmlFor={id} className="visually-hidden">
            {field === "private_key" ? "Password of the private key" : "Password of the certificate file"}
          </label>
          <PasswordInput
            ref={input}
            id={id}
            what="password"
            autoComplete="off"
            aria-invalid={wrong}
            aria-describedby={wrong ? `${id}-wrong` : undefined}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                if (value) onUnlock();
              }
            }}
          />
          <button type="button" className="btn btn-primary" disabled={!value || busy} onClick={onUnlock}>
            {busy ? "Unlocking…" : "Unlock"}
          </button>
        </div>
        {wrong ? (
          <span id={`${id}-wrong`} className="error small" role="alert">
            Wrong password. Try again.
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** The CA bundle form: every CA as a card before anything is saved. */
export function CaBundleForm({ onBack, onNext, problem, active }: ValueFormProps) {
  const toast = useToast();
  const { inspect, state, reset } = useInspection("ca_bundle");
  const { handleSubmit, setValue, setError, clearErrors, control, formState } = useForm({
    resolver: zodResolver(caBundleSchema),
    defaultValues: { certificates: null, report: null },
  });
  const certificates = useWatch({ control, name: "certificates" });
  useProblem(problem, setError, (f) => (f === "certificates" ? f : null));

  const setBundle = async (source: Source | null) => {
    setValue("certificates", source, { shouldDirty: true });
    setValue("report", null);
    clearErrors();
    if (!source) {
      reset();
      return;
    }
    const report = await inspect(source, null, null);
    if (report) setValue("report", report);
  };
  useDroppedFiles(active, (files) => {
    const file = files[0];
    if (!file) return;
    void setBundle(fromHandedFile(file));
    if (files.length > 1) toast.info("A bundle is one file: only the first was taken. Put all CAs in one PEM file.");
    else toast.info(`Added ${file.name}.`);
  });

  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const report = form.report;
    const bundle = form.certificates;
    if (!report || !bundle) return;
    onNext({
      fields: [{ name: "certificates", value: bundle.value }],
      review: [
        { label: "CA certificates", value: `${bundle.name} (${formatBytes(bundle.size)})`, secret: true },
        ...report.certificates.map((c, i) => ({ label: `CA ${i + 1}`, value: c.subject, mono: true })),
      ],
      keyPassword: null,
      allowKeyMismatch: false,
      generateSsh: null,
      report,
      suggestedName: null,
    });
  });
  const report = state.status === "done" ? state.report : null;
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <FileDrop
        label="CA bundle file"
        what="the CA certificates"
        hint="One PEM file with every CA to trust, or a single DER certificate"
        accept=".pem,.crt,.cer,.der"
        paste="Paste PEM text instead"
        source={certificates}
        error={errors.certificates?.message ?? failedOn(state, "certificates")}
        onSource={(s) => void setBundle(s)}
        onClear={() => void setBundle(null)}
        onError={(message) => setError("certificates", { message })}
      />
      {state.status === "checking" ? (
        <p className="muted" role="status">
          Reading the bundle…
        </p>
      ) : null}
      {report ? <CertificateFindings report={report} bundle /> : null}
      <RootError message={errors.report?.message ?? errors.root?.server?.message} />
      <StepActions onBack={onBack} disabled={state.status === "checking"} />
    </form>
  );
}
