import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";

import { Field } from "../../components/Field";
import type { FieldInput } from "../../ipc/client";
import { formatBytes } from "../detail/fieldNames";
import type { ValueFormProps } from "./CredentialForms";
import type { ReviewItem } from "./draft";
import { FileDrop } from "./FileDrop";
import { RootError, StepActions, useProblem } from "./parts";
import { dataSchema } from "./schemas";
import { fromHandedFile, guessMediaType, type Source } from "./sources";
import { useDroppedFiles } from "./useDroppedFiles";
import { nameFromCn } from "./CertificateForm";

/** Opaque data: a file (any bytes, its name kept) or typed text. */
export function DataForm({ onBack, onNext, problem, active }: ValueFormProps) {
  const { register, handleSubmit, setValue, setError, clearErrors, control, formState } = useForm({
    resolver: zodResolver(dataSchema),
    defaultValues: { mode: "file" as "file" | "text", file: null, text: "", content_type: "", file_name: "" },
  });
  const [mode, file] = useWatch({ control, name: ["mode", "file"] });
  useProblem(problem, setError, (f) => {
    if (f === "data") return mode === "file" ? "file" : "text";
    return f === "content_type" || f === "file_name" ? f : null;
  });

  const setFile = (source: Source | null) => {
    // A new file (or none) replaces the one refused before, and its error.
    clearErrors("file");
    setValue("file", source, { shouldDirty: true, shouldValidate: formState.isSubmitted });
    setValue("file_name", source && source.name !== "Pasted text" ? source.name : "");
    setValue("content_type", source ? guessMediaType(source) : "");
  };
  useDroppedFiles(active, (files) => {
    const first = files[0];
    if (!first) return;
    setValue("mode", "file");
    setFile(fromHandedFile(first));
  });

  const errors = formState.errors;
  const submit = handleSubmit((form) => {
    const fields: FieldInput[] = [];
    const review: ReviewItem[] = [];
    const contentType = form.content_type.trim();
    const fileName = form.file_name.trim();
    if (form.mode === "file" && form.file) {
      fields.push({ name: "data", value: form.file.value });
      review.push({ label: "Data", value: `${form.file.name} (${formatBytes(form.file.size)})`, secret: true });
    } else {
      fields.push({ name: "data", value: { kind: "text", text: form.text } });
      review.push({ label: "Data", value: `${formatBytes(new TextEncoder().encode(form.text).length)} of text`, secret: true });
    }
    if (contentType) fields.push({ name: "content_type", value: { kind: "text", text: contentType } });
    review.push({ label: "Content type", value: contentType || "detected when saved", mono: Boolean(contentType) });
    if (fileName) {
      fields.push({ name: "file_name", value: { kind: "text", text: fileName } });
      review.push({ label: "File name", value: fileName, mono: true });
    }
    onNext({
      fields,
      review,
      keyPassword: null,
      allowKeyMismatch: false,
      generateSsh: null,
      report: null,
      suggestedName: fileName ? nameFromCn(fileName) : null,
    });
  });

  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <div className="reg-segmented" role="radiogroup" aria-label="What to store">
        <label className="reg-segment">
          <input type="radio" value="file" {...register("mode")} />
          <span>
            <strong>A file</strong>
            <span className="muted small">Any bytes: a kubeconfig, a keystore, a license</span>
          </span>
        </label>
        <label className="reg-segment">
          <input type="radio" value="text" {...register("mode")} />
          <span>
            <strong>Text</strong>
            <span className="muted small">Typed or pasted</span>
          </span>
        </label>
      </div>
      {mode === "file" ? (
        <FileDrop
          label="Data file"
          what="the file"
          hint="Up to 1 MiB"
          source={file}
          error={errors.file?.message}
          onSource={setFile}
          onClear={() => setFile(null)}
          onError={(message) => setError("file", { message })}
        />
      ) : (
        <Field label="Text" hint="Stored as typed, line breaks included." error={errors.text?.message}>
          <textarea className="textarea" rows={8} spellCheck={false} {...register("text")} />
        </Field>
      )}
      <div className="grid-2">
        <Field
          label="Content type (optional)"
          hint="Detected when empty: text/plain for text, application/octet-stream for other bytes."
          error={errors.content_type?.message}
        >
          <input className="input mono" spellCheck={false} placeholder="text/plain" {...register("content_type")} />
        </Field>
        <Field label="File name (optional)" hint="Kept with the data, for when it is written out again." error={errors.file_name?.message}>
          <input className="input mono" spellCheck={false} {...register("file_name")} />
        </Field>
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} />
    </form>
  );
}
