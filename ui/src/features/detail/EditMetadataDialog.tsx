import { zodResolver } from "@hookform/resolvers/zod";
import { useId, useState } from "react";
import { Controller, useFieldArray, useForm, useWatch } from "react-hook-form";
import { z } from "zod";

import { Combobox } from "../../components/Combobox";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { api, errorMessage, type MetadataPatch, type SecretMeta } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { fromDateInput, toDateInput } from "../../lib/time";
import { labelKeyOptions, labelValueOptions, useLabelCounts } from "../secrets/labels";
import { hasControl } from "./textRules";
import { UsageSummary, type SecretUsage } from "./UsedBy";

// Mirrors coffer-core's `validate::labels`, `validate::description` and `validate::name`.
const NAME_CHARS = /^[A-Za-z0-9._/-]+$/;

const labelRow = z.object({
  key: z
    .string()
    .trim()
    .min(1, "Give the label a key.")
    .max(63, "Label keys are at most 63 characters.")
    .regex(NAME_CHARS, "Label keys are letters, digits, '.', '_', '/', '-'."),
  value: z
    .string()
    .max(256, "Label values are at most 256 characters.")
    .refine((v) => !hasControl(v), "Label values cannot hold control characters."),
});

const schema = z
  .object({
    description: z.string().max(4096, "At most 4096 characters."),
    labels: z.array(labelRow).max(64, "At most 64 labels."),
    expires: z.string(),
    allowPast: z.boolean(),
    project: z
      .string()
      .trim()
      .max(128, "At most 128 characters.")
      .refine((v) => v === "" || NAME_CHARS.test(v), "Use letters, digits, '.', '_', '/', '-'."),
    visibility: z.enum(["public", "private"]),
    makeWriteOnly: z.boolean(),
    originalExpires: z.string(),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.labels.forEach((row, i) => {
      const key = row.key.trim();
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["labels", i, "key"], message: `"${key}" is there twice.` });
      seen.add(key);
    });
    if (form.expires !== form.originalExpires && form.expires !== "") {
      const at = fromDateInput(form.expires);
      if (!at) ctx.addIssue({ code: "custom", path: ["expires"], message: "Pick a date." });
      else if (Date.parse(at) <= Date.now() && !form.allowPast) {
        ctx.addIssue({ code: "custom", path: ["expires"], message: "This date is in the past: confirm it below." });
      }
    }
  });

type Form = z.infer<typeof schema>;

/** The metadata patch for what changed, or null when nothing did. */
export function metadataPatch(meta: SecretMeta, form: Form): MetadataPatch | null {
  const patch: MetadataPatch = {};
  if (form.description !== meta.description) patch.description = form.description;
  const set: Record<string, string> = {};
  const kept = new Set<string>();
  for (const row of form.labels) {
    const key = row.key.trim();
    kept.add(key);
    if (meta.labels[key] !== row.value) set[key] = row.value;
  }
  const remove = Object.keys(meta.labels).filter((k) => !kept.has(k));
  if (Object.keys(set).length) patch.set_labels = set;
  if (remove.length) patch.remove_labels = remove;
  if (form.expires !== form.originalExpires) {
    const at = fromDateInput(form.expires);
    patch.expires = at ? { action: "set", value: at } : { action: "clear" };
    if (at && form.allowPast) patch.allow_past_expiry = true;
  }
  const project = form.project.trim();
  if (project !== (meta.project ?? "")) patch.project = project ? { action: "set", value: project } : { action: "clear" };
  if (form.visibility !== meta.visibility) patch.visibility = form.visibility;
  if (form.makeWriteOnly && !meta.write_only) patch.make_write_only = true;
  return Object.keys(patch).length ? patch : null;
}

/** Edits description, labels, expiry, project and the write-only flag (visibility is kept as it is). */
export function EditMetadataDialog({
  meta,
  usage,
  onClose,
  onSaved,
}: {
  meta: SecretMeta;
  usage: SecretUsage;
  onClose: () => void;
  onSaved: (meta: SecretMeta | null) => void;
}) {
  const formId = useId();
  const projectsId = useId();
  const orgs = useOrganizations();
  const [failure, setFailure] = useState<string | null>(null);
  const originalExpires = toDateInput(meta.expires_at);
  const { register, handleSubmit, control, formState } = useForm<Form>({
    resolver: zodResolver(schema),
    defaultValues: {
      description: meta.description,
      labels: Object.entries(meta.labels).map(([key, value]) => ({ key, value })),
      expires: originalExpires,
      allowPast: false,
      project: meta.project ?? "",
      visibility: meta.visibility,
      makeWriteOnly: false,
      originalExpires,
    },
  });
  const labels = useFieldArray({ control, name: "labels" });
  // Suggestions from the vault's labels: keys, and for a row the values its key has.
  const labelCounts = useLabelCounts().data;
  const typedKeys = useWatch({ control, name: "labels" });
  const expires = useWatch({ control, name: "expires" });
  const makeWriteOnly = useWatch({ control, name: "makeWriteOnly" });
  const at = fromDateInput(expires);
  const [openedAt] = useState(() => Date.now());
  const past = expires !== originalExpires && at !== null && Date.parse(at) <= openedAt;
  const projects = orgs.data?.find((o) => o.name === meta.org)?.projects ?? [];
  const errors = formState.errors;

  const submit = handleSubmit(async (form) => {
    setFailure(null);
    const patch = metadataPatch(meta, form);
    if (!patch) {
      onSaved(null);
      return;
    }
    try {
      onSaved(await api.updateMetadata(meta.id, patch));
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  return (
    <Dialog
      open
      wide
      title={`Edit ${meta.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? "Saving…" : "Save"}
          </button>
        </>
      }
    >
      <form id={formId} className="stack" noValidate onSubmit={(e) => void submit(e)}>
        <UsageSummary usage={usage} />
        <Field label="Description" error={errors.description?.message}>
          <textarea className="textarea textarea-prose" rows={3} {...register("description")} />
        </Field>
        <div className="fieldset" role="group" aria-labelledby="labels-legend">
          <span id="labels-legend" className="field-label">
            Labels
          </span>
          {labels.fields.length === 0 ? <p className="muted small">No labels.</p> : null}
          {labels.fields.map((row, i) => {
            const keyError = errors.labels?.[i]?.key?.message;
            const valueError = errors.labels?.[i]?.value?.message;
            return (
              <div className="label-edit" key={row.id}>
                <div className="label-edit-row">
                  <Controller
                    control={control}
                    name={`labels.${i}.key`}
                    render={({ field }) => (
                      <Combobox
                        className="input mono"
                        placeholder="key"
                        aria-label={`Label ${i + 1} key`}
                        aria-invalid={Boolean(keyError)}
                        value={field.value}
                        onChange={field.onChange}
                        onBlur={field.onBlur}
                        name={field.name}
                        options={(typed) => labelKeyOptions(labelCounts, typed)}
                        listLabel="Label keys in use"
                      />
                    )}
                  />
                  <span className="muted">=</span>
                  <Controller
                    control={control}
                    name={`labels.${i}.value`}
                    render={({ field }) => (
                      <Combobox
                        className="input mono"
                        placeholder="value"
                        aria-label={`Label ${i + 1} value`}
                        aria-invalid={Boolean(valueError)}
                        value={field.value}
                        onChange={field.onChange}
                        onBlur={field.onBlur}
                        name={field.name}
                        options={(typed) => labelValueOptions(labelCounts, typedKeys[i]?.key ?? "", typed)}
                        listLabel={`Values of ${typedKeys[i]?.key.trim() || "this key"} in use`}
                      />
                    )}
                  />
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon"
                    aria-label={`Remove label ${i + 1}`}
                    onClick={() => labels.remove(i)}
                  >
                    <Icon name="x" />
                  </button>
                </div>
                {keyError || valueError ? (
                  <span className="error small" role="alert">
                    {keyError ?? valueError}
                  </span>
                ) : null}
              </div>
            );
          })}
          {errors.labels?.message ? (
            <span className="error small" role="alert">
              {errors.labels.message}
            </span>
          ) : null}
          <div>
            <button type="button" className="btn btn-sm" onClick={() => labels.append({ key: "", value: "" })}>
              <Icon name="plus" /> Add label
            </button>
          </div>
        </div>
        <div className="grid-2">
          <Field label="Expires" hint="Leave empty for no expiry." error={errors.expires?.message}>
            <input className="input" type="date" data-empty={expires === "" ? "true" : undefined} {...register("expires")} />
          </Field>
          <Field
            label="Project"
            hint="Only this project's jobs may use it. Leave empty for any project."
            error={errors.project?.message}
          >
            <input className="input mono" list={projectsId} {...register("project")} />
          </Field>
        </div>
        <datalist id={projectsId}>
          {projects.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        {past ? (
          <label className="check">
            <input type="checkbox" {...register("allowPast")} />
            <span>Yes, set an expiry in the past (the secret shows as expired at once).</span>
          </label>
        ) : null}
        {meta.write_only ? (
          <p className="muted small">This secret is write-only.</p>
        ) : (
          <label className="check">
            <input type="checkbox" {...register("makeWriteOnly")} />
            <span>Make write-only: jobs can still use it, but no one can reveal or copy it again.</span>
          </label>
        )}
        {makeWriteOnly ? (
          <div className="notice notice-warn" role="alert">
            <Icon name="alert" />
            <p>
              <strong>This cannot be undone.</strong> Once saved, the value of {meta.name} can never be shown or copied,
              only replaced.
            </p>
          </div>
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
