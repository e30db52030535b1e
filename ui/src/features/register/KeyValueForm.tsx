import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useFieldArray, useForm, useWatch, type UseFormRegisterReturn } from "react-hook-form";

import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import { api, errorMessage, type HandedFile } from "../../ipc/client";
import type { ValueFormProps } from "./CredentialForms";
import { FileDrop } from "./FileDrop";
import { RootError, StepActions, useProblem } from "./parts";
import { keyValueSchema } from "./schemas";
import { fromHandedFile, type Source } from "./sources";
import { useDroppedFiles } from "./useDroppedFiles";

type Row = { key: string; value: string };

/** Rows typed in, merged with the rows of an imported file (blank rows make way). */
export function mergeRows(rows: Row[], imported: Row[]): { rows: Row[]; duplicates: number } {
  const kept = rows.filter((r) => r.key || r.value);
  const existing = new Map(kept.map((r) => [r.key, r.value]));
  let duplicates = 0;
  const added: Row[] = [];
  for (const row of imported) {
    if (existing.has(row.key)) {
      // The very same entry again adds nothing; a different value is flagged as a duplicate.
      if (existing.get(row.key) === row.value) continue;
      duplicates += 1;
    }
    added.push(row);
  }
  return { rows: [...kept, ...added], duplicates };
}

/** A key/value set: rows typed in, or imported from a `.env` or JSON file. */
export function KeyValueForm({ onBack, onNext, problem, active }: ValueFormProps) {
  const { register, handleSubmit, setError, control, formState, getValues, reset } = useForm({
    resolver: zodResolver(keyValueSchema),
    defaultValues: { rows: [{ key: "", value: "" }] },
  });
  const rows = useFieldArray({ control, name: "rows" });
  const watched = useWatch({ control, name: "rows" });
  const [importError, setImportError] = useState<string | undefined>();
  const [imported, setImported] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useProblem(problem, setError, (field) => {
    if (field === "keys" || field === "fields") return "rows";
    const index = getValues("rows").findIndex((r) => r.key === field);
    return index >= 0 ? `rows.${index}.key` : null;
  });

  const importFile = async (source: Source) => {
    setImportError(undefined);
    setImported(null);
    setBusy(true);
    try {
      const read = await api.readKeyValueFile(source.value);
      const merged = mergeRows(getValues("rows"), read);
      reset({ rows: merged.rows.length ? merged.rows : [{ key: "", value: "" }] }, { keepDefaultValues: true });
      const keys = `${read.length} key${read.length === 1 ? "" : "s"}`;
      setImported(
        merged.duplicates
          ? `Imported ${keys} from ${source.name}. ${merged.duplicates === 1 ? "1 of them was" : `${merged.duplicates} of them were`} already there with another value: the duplicates are flagged below; remove the rows you don't want.`
          : `Imported ${keys} from ${source.name}.`,
      );
    } catch (error) {
      setImportError(errorMessage(error).replace(/^file: /, "This file "));
    } finally {
      setBusy(false);
    }
  };
  useDroppedFiles(active, (files: HandedFile[]) => {
    for (const file of files) void importFile(fromHandedFile(file));
  });

  const counts = new Map<string, number>();
  for (const row of watched) if (row.key) counts.set(row.key, (counts.get(row.key) ?? 0) + 1);
  const errors = formState.errors;

  const submit = handleSubmit((form) => {
    const filled = form.rows.filter((r) => r.key || r.value);
    onNext({
      fields: filled.map((r) => ({ name: r.key, value: { kind: "text", text: r.value } })),
      review: filled.map((r) => ({ label: r.key, value: "", secret: true, monoLabel: true })),
      keyPassword: null,
      allowKeyMismatch: false,
      generateSsh: null,
      report: null,
      suggestedName: null,
    });
  });

  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <FileDrop
        label="Key/value file"
        what="a .env or JSON file"
        hint="KEY=value lines (.env) or a JSON object; its keys are added to the rows below"
        accept=".env,.json,.txt,text/plain,application/json"
        source={null}
        error={importError}
        onSource={(s) => void importFile(s)}
        onClear={() => undefined}
        onError={setImportError}
      />
      {busy ? (
        <p className="muted" role="status">
          Reading the file…
        </p>
      ) : null}
      {imported ? (
        <div className="notice notice-info" role="status">
          <Icon name="check" />
          <p>{imported}</p>
        </div>
      ) : null}
      <div className="fieldset" role="group" aria-labelledby="kv-rows-title">
        <div className="kv-rows-head">
          <span id="kv-rows-title" className="field-label">
            Keys and values
          </span>
          <span className="muted small">Keys: no spaces or = # {"{ }"} $. Values stay masked unless shown.</span>
        </div>
        {rows.fields.map((row, i) => {
          const key = watched[i]?.key ?? "";
          const value = watched[i]?.value ?? "";
          const duplicate = key !== "" && (counts.get(key) ?? 0) > 1;
          const keyError = errors.rows?.[i]?.key?.message;
          const valueError = errors.rows?.[i]?.value?.message;
          return (
            <div className="kv-row-edit" key={row.id} data-duplicate={duplicate ? "true" : undefined}>
              <div className="kv-row-grid">
                <input
                  className="input mono"
                  placeholder="KEY"
                  spellCheck={false}
                  autoComplete="off"
                  aria-label={`Key ${i + 1}`}
                  aria-invalid={Boolean(keyError) || duplicate}
                  {...register(`rows.${i}.key`)}
                />
                <ValueInput index={i} multiline={value.includes("\n")} field={register(`rows.${i}.value`)} invalid={Boolean(valueError)} />
                <button
                  type="button"
                  className="btn btn-ghost btn-icon"
                  aria-label={`Remove key ${i + 1}`}
                  onClick={() => rows.remove(i)}
                >
                  <Icon name="trash" />
                </button>
              </div>
              {duplicate ? <span className="badge badge-expiring kv-dup">duplicate key</span> : null}
              {keyError || valueError ? (
                <span className="error small" role="alert">
                  {keyError ?? valueError}
                </span>
              ) : null}
            </div>
          );
        })}
        <div>
          <button type="button" className="btn btn-sm" onClick={() => rows.append({ key: "", value: "" })}>
            <Icon name="plus" /> Add key
          </button>
        </div>
        {errors.rows?.message || errors.rows?.root?.message ? (
          <span className="error small" role="alert">
            {errors.rows.message ?? errors.rows.root?.message}
          </span>
        ) : null}
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}

/** A value, masked; one that spans lines (a PEM in a .env) gets a text area. */
function ValueInput({
  index,
  multiline,
  field,
  invalid,
}: {
  index: number;
  multiline: boolean;
  field: UseFormRegisterReturn;
  invalid: boolean;
}) {
  const [shown, setShown] = useState(false);
  if (!multiline) {
    return <PasswordInput what={`value ${index + 1}`} placeholder="value" aria-label={`Value ${index + 1}`} aria-invalid={invalid} {...field} />;
  }
  return (
    <span className="password-input kv-multiline">
      <textarea
        className="textarea"
        rows={3}
        spellCheck={false}
        aria-label={`Value ${index + 1}`}
        aria-invalid={invalid}
        data-masked={shown ? undefined : "true"}
        {...field}
      />
      <button
        type="button"
        className="btn btn-ghost btn-icon password-toggle"
        aria-label={shown ? `Hide value ${index + 1}` : `Show value ${index + 1}`}
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
      >
        <Icon name={shown ? "eyeOff" : "eye"} />
      </button>
    </span>
  );
}
