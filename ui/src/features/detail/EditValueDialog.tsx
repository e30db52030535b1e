import { zodResolver } from "@hookform/resolvers/zod";
import { useId, useMemo, useState, type ReactNode } from "react";
import { useFieldArray, useForm, useWatch } from "react-hook-form";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import { api, errorMessage, type FieldInput, type FieldSpec, type SecretMeta, type ValueOutcome } from "../../ipc/client";
import { GeneratePasswordButton, GENERATED_HINT } from "../register/PasswordGenerator";
import { fieldLabel, formatBytes, MULTILINE_FIELDS, stringList } from "./fieldNames";
import { isShortValue, ShortValueWarning } from "./ShortValueWarning";
import { UsageSummary, type SecretUsage } from "./UsedBy";
import type { PasswordGate } from "./useStorePassword";
import { publicValue, valueChange, valueSchema, type PickedFile, type ValueForm } from "./valueForm";

const KEEP_HINT = "Leave empty to keep the current value.";
const WHOLE_HINT = "Type it again: a shared secret's new value is whole.";

/**
 * Sets a new value: public fields prefilled, secret fields empty (an empty
 * secret field keeps its value). A change makes a new version.
 */
export function EditValueDialog({
  meta,
  specs,
  usage,
  gate,
  onClose,
  onSaved,
  save,
  note,
  whole = false,
}: {
  meta: SecretMeta;
  specs: FieldSpec[];
  usage: SecretUsage;
  gate: PasswordGate;
  onClose: () => void;
  onSaved: (outcome: ValueOutcome | null) => void;
  /** Saves somewhere else than the local vault (a shared secret); throws to show an error. */
  save?: (change: { set: FieldInput[]; remove: string[] }, keyPassword: string | null) => Promise<ValueOutcome | null>;
  /** Replaces the note on how secret fields are kept. */
  note?: ReactNode;
  /** Every secret field must be typed again (a shared secret's value is whole). */
  whole?: boolean;
}) {
  const formId = useId();
  const [files, setFiles] = useState<Record<string, PickedFile>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const resolver = useMemo(() => zodResolver(valueSchema(meta, specs)), [meta, specs]);
  const [generated, setGenerated] = useState<string | null>(null);
  const { register, handleSubmit, control, formState, setValue } = useForm<ValueForm>({
    resolver,
    defaultValues: {
      fields: Object.fromEntries(specs.map((s) => [s.name, s.secret ? "" : publicValue(meta, s.name)])),
      remove: {},
      existing: stringList(meta.public_fields.keys).map((key) => ({ key, value: "", remove: false })),
      added: [],
      keyPassword: "",
    },
  });
  const existing = useFieldArray({ control, name: "existing" });
  const added = useFieldArray({ control, name: "added" });
  const errors = formState.errors;
  const takesKeyPassword = meta.type === "certificate" || meta.type === "ssh_key_pair";
  const shortLabels = shortTyped(meta, specs, useWatch({ control }) as Partial<ValueForm>);

  const submit = handleSubmit(async (form) => {
    setFailure(null);
    const { set, remove } = valueChange(meta, specs, form, files);
    if (set.length === 0 && remove.length === 0) {
      setFailure("Nothing to change: type a new value, or change a public field.");
      return;
    }
    try {
      const outcome = save
        ? await save({ set, remove }, form.keyPassword || null)
        : await gate.run("Save", (password) => api.updateValue(meta.id, set, remove, password, form.keyPassword || null));
      if (outcome) onSaved(outcome);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  const pickFile = async (name: string, file: File | undefined) => {
    if (!file) return;
    if (file.size > 1024 * 1024) {
      setFailure(`${file.name} is larger than 1 MiB, the most one field may hold.`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    setFiles((all) => ({ ...all, [name]: { name: file.name, size: file.size, base64: btoa(binary) } }));
  };

  return (
    <Dialog
      open
      wide
      title={`New value for ${meta.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? "Saving…" : "Save new value"}
          </button>
        </>
      }
    >
      <form id={formId} className="stack" noValidate onSubmit={(e) => void submit(e)}>
        <UsageSummary usage={usage} consequence="They use the new value from their next run." />
        {note ?? (
          <p className="muted small">
            Secret fields start empty and keep their current value unless you type a new one. A change makes version{" "}
            {meta.current_version + 1}; version {meta.current_version} stays in the history.
          </p>
        )}
        {meta.type === "key_value" ? (
          <div className="fieldset" role="group" aria-labelledby="keys-legend">
            <span id="keys-legend" className="field-label">
              Keys
            </span>
            {existing.fields.map((row, i) => (
              <div className="kv-edit-row" key={row.id}>
                <span className="mono kv-edit-key">{row.key}</span>
                <PasswordInput what={`value of ${row.key}`} placeholder="unchanged" aria-label={`New value of ${row.key}`} {...register(`existing.${i}.value`)} />
                <label className="check small">
                  <input type="checkbox" {...register(`existing.${i}.remove`)} />
                  <span>Remove</span>
                </label>
              </div>
            ))}
            {added.fields.map((row, i) => {
              const keyError = errors.added?.[i]?.key?.message;
              return (
                <div key={row.id} className="stack" style={{ gap: 4 }}>
                  <div className="kv-edit-row">
                    <input
                      className="input mono"
                      placeholder="NEW_KEY"
                      aria-label={`New key ${i + 1}`}
                      aria-invalid={Boolean(keyError)}
                      {...register(`added.${i}.key`)}
                    />
                    <input
                      className="input"
                      type="password"
                      autoComplete="new-password"
                      placeholder="value"
                      aria-label={`Value of new key ${i + 1}`}
                      {...register(`added.${i}.value`)}
                    />
                    <button
                      type="button"
                      className="btn btn-ghost btn-icon"
                      aria-label={`Drop new key ${i + 1}`}
                      onClick={() => added.remove(i)}
                    >
                      <Icon name="x" />
                    </button>
                  </div>
                  {keyError ? (
                    <span className="error small" role="alert">
                      {keyError}
                    </span>
                  ) : null}
                </div>
              );
            })}
            {errors.existing?.message ? (
              <span className="error small" role="alert">
                {errors.existing.message}
              </span>
            ) : null}
            <div>
              <button type="button" className="btn btn-sm" onClick={() => added.append({ key: "", value: "" })}>
                <Icon name="plus" /> Add key
              </button>
            </div>
          </div>
        ) : (
          specs.map((spec) => {
            const label = `${fieldLabel(meta.type, spec.name)}${spec.required ? "" : " (optional)"}`;
            const error = errors.fields?.[spec.name]?.message;
            if (!spec.secret) {
              return (
                <Field key={spec.name} label={label} error={error}>
                  <input className="input mono" autoComplete="off" {...register(`fields.${spec.name}`)} />
                </Field>
              );
            }
            const file = files[spec.name];
            const hasValue = spec.name !== "private_key" || meta.public_fields.has_private_key !== false;
            return (
              <div key={spec.name} className="stack" style={{ gap: 6 }}>
                {MULTILINE_FIELDS.has(spec.name) ? (
                  file ? (
                    <div className="field">
                      <span className="field-label">{label}</span>
                      <div className="picked-file">
                        <Icon name="file" /> <span className="mono">{file.name}</span>
                        <span className="muted small">{formatBytes(file.size)}</span>
                        <span className="spacer" />
                        <button
                          type="button"
                          className="btn btn-sm btn-ghost"
                          onClick={() =>
                            setFiles((all) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== spec.name)))
                          }
                        >
                          Clear
                        </button>
                      </div>
                    </div>
                  ) : (
                    <Field label={label} hint={whole ? WHOLE_HINT : KEEP_HINT} error={error}>
                      <textarea
                        className="textarea"
                        rows={4}
                        spellCheck={false}
                        autoComplete="off"
                        placeholder={whole ? "" : "unchanged"}
                        {...register(`fields.${spec.name}`)}
                      />
                    </Field>
                  )
                ) : (
                  <>
                    <Field label={label} hint={generated === spec.name ? GENERATED_HINT : whole ? WHOLE_HINT : KEEP_HINT} error={error}>
                      <PasswordInput
                        what={fieldLabel(meta.type, spec.name).toLowerCase()}
                        placeholder={whole ? "" : "unchanged"}
                        {...register(`fields.${spec.name}`, { onChange: () => setGenerated(null) })}
                      />
                    </Field>
                    {spec.name === "password" ? (
                      <div>
                        <GeneratePasswordButton
                          onGenerate={(password) => {
                            setValue(`fields.${spec.name}`, password, { shouldDirty: true, shouldValidate: true });
                            setGenerated(spec.name);
                          }}
                        />
                      </div>
                    ) : null}
                  </>
                )}
                <div className="row small">
                  {MULTILINE_FIELDS.has(spec.name) ? (
                    <label className="btn btn-sm file-button">
                      <Icon name="upload" /> Load from a file…
                      <input
                        type="file"
                        className="visually-hidden"
                        aria-label={`Load ${fieldLabel(meta.type, spec.name)} from a file`}
                        onChange={(e) => void pickFile(spec.name, e.target.files?.[0])}
                      />
                    </label>
                  ) : null}
                  {!spec.required && hasValue ? (
                    <label className="check">
                      <input type="checkbox" {...register(`remove.${spec.name}`)} />
                      <span>Remove the {fieldLabel(meta.type, spec.name).toLowerCase()}</span>
                    </label>
                  ) : null}
                </div>
              </div>
            );
          })
        )}
        {takesKeyPassword ? (
          <Field label="Password of an encrypted key (optional)" hint="Used to read the key you give; never stored.">
            <input className="input" type="password" autoComplete="off" {...register("keyPassword")} />
          </Field>
        ) : null}
        <ShortValueWarning labels={shortLabels} />
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}

/** The secret values typed so far that are short, by label (files are not checked). */
function shortTyped(meta: SecretMeta, specs: FieldSpec[], form: Partial<ValueForm>): string[] {
  if (meta.type === "key_value") {
    const existing = (form.existing ?? []).filter((row) => !row.remove && isShortValue(row.value)).map((row) => row.key);
    const added = (form.added ?? []).flatMap((row, i) => (isShortValue(row.value) ? [row.key || `New key ${i + 1}`] : []));
    return [...existing, ...added];
  }
  return specs
    .filter((spec) => spec.secret && isShortValue(form.fields?.[spec.name] ?? ""))
    .map((spec) => fieldLabel(meta.type, spec.name));
}
