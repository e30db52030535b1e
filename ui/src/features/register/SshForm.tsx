import { zodResolver } from "@hookform/resolvers/zod";
import { useId, useState } from "react";
import { useForm, useWatch } from "react-hook-form";

import { CopyButton } from "../../components/CopyButton";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { formatBytes } from "../detail/fieldNames";
import { PasswordPrompt } from "./CertificateForm";
import type { ValueFormProps } from "./CredentialForms";
import { FileDrop } from "./FileDrop";
import { RootError, StepActions, useProblem } from "./parts";
import { SSH_ALGORITHMS, sshKeyPairSchema } from "./schemas";
import { fromHandedFile, type Source } from "./sources";
import { useDroppedFiles } from "./useDroppedFiles";
import { useInspection } from "./useInspection";

const SSH_NAMES: Record<string, string> = {
  ed25519: "Ed25519",
  rsa: "RSA",
  ecdsa: "ECDSA",
  "sk-ed25519": "Ed25519 (security key)",
  "sk-ecdsa": "ECDSA (security key)",
};

export function sshAlgorithmName(algorithm: string, bits?: number): string {
  return `${SSH_NAMES[algorithm] ?? algorithm}${bits ? ` ${bits} bits` : ""}`;
}

/** An SSH key pair: generated in the vault, or an existing private key. */
export function SshForm({ onBack, onNext, problem, active }: ValueFormProps) {
  const passwordId = useId();
  const { inspect, state, reset } = useInspection("ssh_key_pair");
  const [passphrase, setPassphrase] = useState("");
  const { register, handleSubmit, setValue, setError, clearErrors, control, formState } = useForm({
    resolver: zodResolver(sshKeyPairSchema),
    defaultValues: { mode: "generate" as const, algorithm: "ed25519" as const, comment: "", private_key: null, report: null },
  });
  const [mode, privateKey] = useWatch({ control, name: ["mode", "private_key"] });
  useProblem(problem, setError, (f) =>
    f === "private_key" || f === "comment" ? f : f === "algorithm" || f === "bits" ? "algorithm" : f.endsWith("#password") ? "report" : null,
  );

  const run = async (source: Source | null, pw: string | null) => {
    setValue("report", null);
    clearErrors();
    if (!source) {
      reset();
      return;
    }
    const report = await inspect(source, null, pw);
    if (report) setValue("report", report);
  };
  const setKey = (source: Source | null) => {
    setValue("private_key", source, { shouldDirty: true });
    setPassphrase("");
    void run(source, null);
  };
  useDroppedFiles(active, (files) => {
    const file = files.find((f) => !f.name.endsWith(".pub")) ?? files[0];
    if (!file) return;
    setValue("mode", "upload");
    setKey(fromHandedFile(file));
  });

  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    if (form.mode === "generate") {
      const choice = SSH_ALGORITHMS[form.algorithm];
      const comment = form.comment.trim();
      onNext({
        fields: [],
        review: [
          { label: "Key pair", value: `A new ${choice.label.replace(" (recommended)", "")} key pair, generated when you register` },
          { label: "Comment", value: comment || "coffer:<name>", mono: true },
        ],
        keyPassword: null,
        allowKeyMismatch: false,
        generateSsh: { algorithm: choice.algorithm, bits: choice.bits, comment: comment || null },
        report: null,
        suggestedName: null,
      });
      return;
    }
    const ssh = form.report?.ssh;
    const key = form.private_key;
    if (!ssh || !key) return;
    onNext({
      fields: [{ name: "private_key", value: key.value }],
      review: [
        { label: "Private key", value: `${key.name} (${formatBytes(key.size)})`, secret: true },
        { label: "Algorithm", value: sshAlgorithmName(ssh.algorithm, ssh.bits) },
        { label: "Fingerprint", value: ssh.fingerprint_sha256, mono: true },
        { label: "Public key", value: ssh.public_key, mono: true },
      ],
      keyPassword: state.status === "done" ? state.password : null,
      allowKeyMismatch: false,
      generateSsh: null,
      report: form.report,
      suggestedName: null,
    });
  });

  const ssh = state.status === "done" ? state.report.ssh : null;
  const notSsh = state.status === "done" && !state.report.ssh?.private;
  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <div className="reg-segmented" role="radiogroup" aria-label="How to get the key pair">
        <label className="reg-segment">
          <input type="radio" value="generate" {...register("mode")} />
          <span>
            <strong>Generate</strong>
            <span className="muted small">A new key pair, made in the vault</span>
          </span>
        </label>
        <label className="reg-segment">
          <input type="radio" value="upload" {...register("mode")} />
          <span>
            <strong>Upload</strong>
            <span className="muted small">An existing OpenSSH private key</span>
          </span>
        </label>
      </div>
      {mode === "generate" ? (
        <>
          <div className="grid-2">
            <Field label="Algorithm" error={errors.algorithm?.message}>
              <select className="select" {...register("algorithm")}>
                {Object.entries(SSH_ALGORITHMS).map(([value, choice]) => (
                  <option key={value} value={value}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Comment (optional)" hint="Ends the public key line; coffer:<name> when empty." error={errors.comment?.message}>
              <input className="input mono" spellCheck={false} placeholder="deploy@ci" {...register("comment")} />
            </Field>
          </div>
          <p className="muted small">
            <Icon name="shield" /> The private key is made inside Coffer and never shown here. After registering, copy the public
            key, e.g. as a deploy key of a Git repository.
          </p>
        </>
      ) : (
        <>
          <FileDrop
            label="Private key file"
            what="the private key"
            hint="OpenSSH format (id_ed25519, id_rsa…), encrypted or not"
            paste="Paste the key instead"
            source={privateKey}
            error={errors.private_key?.message ?? (state.status === "failed" ? state.message : undefined)}
            onSource={setKey}
            onClear={() => setKey(null)}
            onError={(message) => setError("private_key", { message })}
          />
          {state.status === "password" || (state.status === "checking" && state.passwordField) ? (
            <PasswordPrompt
              id={passwordId}
              field="private_key"
              wrong={state.status === "password" && state.wrong}
              busy={state.status === "checking"}
              pkcs12={false}
              value={passphrase}
              onChange={setPassphrase}
              onUnlock={() => void run(privateKey, passphrase)}
            />
          ) : null}
          {state.status === "checking" && !state.passwordField ? (
            <p className="muted" role="status">
              Reading the key…
            </p>
          ) : null}
          {notSsh ? (
            <div className="notice notice-error" role="alert">
              <Icon name="alert" />
              <p>This is not an OpenSSH private key. Convert it with <code>ssh-keygen -p -f FILE</code>, which rewrites it in OpenSSH format.</p>
            </div>
          ) : null}
          {ssh?.private ? <SshSummary ssh={ssh} /> : null}
        </>
      )}
      <RootError message={errors.report?.message ?? errors.root?.server?.message} />
      <StepActions onBack={onBack} disabled={mode === "upload" && state.status === "checking"} />
    </form>
  );
}

/** Algorithm, fingerprint and the public key line of an SSH key. */
export function SshSummary({
  ssh,
}: {
  ssh: { algorithm: string; bits: number; fingerprint_sha256: string; public_key: string; encrypted?: boolean };
}) {
  return (
    <div className="card stack reg-ssh">
      <dl className="kv reg-kv">
        <div className="kv-row">
          <dt>Algorithm</dt>
          <dd>
            {sshAlgorithmName(ssh.algorithm, ssh.bits)}
            {ssh.encrypted ? <span className="muted small"> (was passphrase-protected)</span> : null}
          </dd>
        </div>
        <div className="kv-row">
          <dt>Fingerprint</dt>
          <dd className="mono">{ssh.fingerprint_sha256}</dd>
        </div>
      </dl>
      <div className="row">
        <h3>Public key</h3>
        <span className="spacer" />
        <CopyButton text={ssh.public_key} label="Copy public key" done="Public key copied." />
      </div>
      <pre className="public-key" aria-label="Public key">
        {ssh.public_key}
      </pre>
    </div>
  );
}
