import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useId, useState } from "react";
import { useFieldArray, useForm, useWatch, type FieldErrors } from "react-hook-form";

import { Combobox } from "../../components/Combobox";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import type { SecretType } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { useOrgChoice, useSharedOrgs } from "../shared/model";
import { passphraseStrength } from "../../lib/strength";
import { labelPairOptions, useLabelCounts } from "../secrets/labels";
import { formatDate, fromDateInput, toDateInput } from "../../lib/time";
import type { FieldProblem, MetaDraft } from "./draft";
import { RootError, StepActions, useProblem } from "./parts";
import { labelProblem } from "./rules";
import { metadataSchema, NEW_ORG, type MetadataForm } from "./schemas";

/** Name, description, expiry, labels, organization and project, write-only, store password. */
export function MetadataStep({
  type,
  leafExpiry,
  suggestedName,
  problem,
  onBack,
  onNext,
}: {
  type: SecretType;
  /** A certificate's leaf notAfter: the expiry, locked. */
  leafExpiry: string | null;
  suggestedName: string | null;
  problem: FieldProblem | null;
  onBack: () => void;
  onNext: (draft: MetaDraft) => void;
}) {
  const projectsId = useId();
  const orgs = useOrganizations();
  const sharedOrgs = useSharedOrgs();
  // The wizard starts in the organization the list shows.
  const choice = useOrgChoice();
  const { register, handleSubmit, setError, setValue, control, formState } = useForm<MetadataForm>({
    resolver: zodResolver(metadataSchema),
    defaultValues: {
      name: suggestedName ?? "",
      description: "",
      labels: [],
      expires: "",
      expiresLocked: type === "certificate",
      allowPastExpiry: false,
      org: choice.kind === "all" ? "Default" : choice.name,
      newOrg: "",
      project: "",
      visibility: "public",
      writeOnly: false,
      protection: "vault",
      storePassword: "",
      storePasswordAgain: "",
    },
  });
  const labels = useFieldArray({ control, name: "labels" });
  const [org, expires, protection, storePassword, writeOnly] = useWatch({
    control,
    name: ["org", "expires", "protection", "storePassword", "writeOnly"],
  });
  const nameTouched = formState.dirtyFields.name === true;
  useEffect(() => {
    if (suggestedName && !nameTouched) setValue("name", suggestedName);
  }, [suggestedName, nameTouched, setValue]);
  useProblem(problem, setError, (field) => {
    if (field === "name" || field === "description" || field === "project") return field;
    if (field === "expires") return "expires";
    if (field === "org") return org === NEW_ORG ? "newOrg" : "org";
    if (field === "store_password") return "storePassword";
    if (field === "labels" || field.startsWith("label ")) return "labels";
    return null;
  });

  const [openedAt] = useState(() => Date.now());
  const past = !leafExpiry && expires !== "" && Date.parse(fromDateInput(expires) ?? "") <= openedAt;
  const shared = sharedOrgs.data ?? [];
  const sharedIn = shared.find((o) => o.name === org) ?? null;
  const orgNames = Array.from(new Set(["Default", ...(orgs.data ?? []).map((o) => o.name)])).filter((n) => !shared.some((o) => o.name === n));
  const projects = orgs.data?.find((o) => o.name === org)?.projects ?? [];
  const strength = passphraseStrength(storePassword);
  const errors = formState.errors;

  const submit = handleSubmit((form) => {
    onNext({
      name: form.name.trim(),
      description: form.description,
      labels: form.labels,
      expires: form.expiresLocked ? "" : form.expires,
      allowPastExpiry: form.allowPastExpiry,
      org: form.org === NEW_ORG ? form.newOrg.trim() : form.org,
      // A shared secret has no project or store password (yet).
      project: sharedIn ? "" : form.project.trim(),
      visibility: form.visibility,
      writeOnly: form.writeOnly,
      protection: sharedIn ? "vault" : form.protection,
      storePassword: !sharedIn && form.protection === "password" ? form.storePassword : "",
    });
  });

  return (
    <form className="stack reg-form" noValidate onSubmit={(e) => void submit(e)}>
      <div className="reg-meta-grid">
        <div className="stack">
          <Field
            label="Name"
            hint="Letters, digits and . _ / - (unique in its organization); group with /, e.g. prod/registry."
            error={errors.name?.message}
          >
            <input className="input mono" autoComplete="off" spellCheck={false} {...register("name")} />
          </Field>
          <Field label="Description (optional)" error={errors.description?.message}>
            <textarea className="textarea textarea-prose" rows={3} {...register("description")} />
          </Field>
          {leafExpiry ? (
            <Field label="Expires" hint={`${formatDate(leafExpiry)}: the leaf certificate's end date, filled in and locked.`}>
              <input
                className="input reg-locked"
                type="date"
                readOnly
                aria-readonly="true"
                value={toDateInput(leafExpiry)}
              />
            </Field>
          ) : (
            <Field
              label="Expires (optional)"
              hint="Coffer warns before this date. Leave empty for no expiry."
              error={errors.expires?.message}
            >
              <input className="input" type="date" data-empty={expires === "" ? "true" : undefined} {...register("expires")} />
            </Field>
          )}
          {past ? (
            <label className="check">
              <input type="checkbox" {...register("allowPastExpiry")} />
              <span>Allow a past expiry (import): the secret shows as expired at once.</span>
            </label>
          ) : null}
          <Labels labels={labels} errors={errors.labels} />
        </div>
        <div className="stack">
          <div className="grid-2">
            <Field label="Organization" error={errors.org?.message}>
              <select className="select" {...register("org")}>
                {orgNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
                <option value={NEW_ORG}>New organization…</option>
                {shared.length ? (
                  <optgroup label={`Shared in team vault ${shared[0]?.team ?? ""}`}>
                    {shared.map((o) => (
                      <option key={o.id} value={o.name}>
                        {o.name} · shared
                      </option>
                    ))}
                  </optgroup>
                ) : null}
              </select>
            </Field>
            {sharedIn ? null : (
              <Field label="Project (optional)" hint="Only its jobs may use the secret." error={errors.project?.message}>
                <input className="input mono" list={projectsId} spellCheck={false} {...register("project")} />
              </Field>
            )}
          </div>
          {sharedIn ? (
            <div className="notice notice-info" role="note" data-testid="shared-org-note">
              <Icon name="users" />
              <p>
                <strong>Shared in team vault {sharedIn.team}.</strong> Every member of the team vault can read it. It is sealed on this desktop
                before it is sent; the server sees neither its name nor its value. Registering needs the server.
              </p>
            </div>
          ) : null}
          <datalist id={projectsId}>
            {projects.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
          {org === NEW_ORG ? (
            <Field label="New organization name" error={errors.newOrg?.message}>
              <input className="input mono" spellCheck={false} {...register("newOrg")} />
            </Field>
          ) : null}
          {/* No visibility choice until profiles (the team vault) give "private" a meaning. */}
          <label className="check">
            <input type="checkbox" {...register("writeOnly")} />
            <span>
              <strong>Write-only</strong>
              <span className="muted small reg-block">
                Jobs and placeholders can still use it, but no one can reveal or copy it again, ever.
              </span>
            </span>
          </label>
          {writeOnly ? (
            <div className="notice notice-warn" role="note">
              <Icon name="alert" />
              <p>Keep a copy elsewhere if you will need to read this value again: Coffer will never show it.</p>
            </div>
          ) : null}
          {writeOnly && sharedIn ? (
            <p className="muted small">
              On a shared secret, write-only is enforced by Coffer clients only: every member holds the key that opens the value.
            </p>
          ) : null}
          {sharedIn ? null : (
          <div className="fieldset" role="radiogroup" aria-labelledby="reg-protection">
            <span id="reg-protection" className="field-label">
              Protection
            </span>
            <label className="check">
              <input type="radio" value="vault" {...register("protection")} />
              <span>The vault key (unlocking the vault is enough)</span>
            </label>
            <label className="check">
              <input type="radio" value="password" {...register("protection")} />
              <span>A store password I choose</span>
            </label>
            <label className="check">
              <input type="radio" value="generate" {...register("protection")} />
              <span>Generate a store password (shown once, after registering)</span>
            </label>
            {protection !== "vault" ? (
              <p className="muted small">
                The store password is needed to read or change this secret, on top of the vault. Coffer does not keep it: if it
                is lost, so is the value.
              </p>
            ) : null}
          </div>
          )}
          {!sharedIn && protection === "password" ? (
            <div className="grid-2">
              <Field label="Store password" error={errors.storePassword?.message}>
                <PasswordInput what="store password" {...register("storePassword")} />
              </Field>
              <Field label="Store password again" error={errors.storePasswordAgain?.message}>
                <PasswordInput what="store password again" {...register("storePasswordAgain")} />
              </Field>
              {storePassword ? (
                <div className="reg-strength">
                  <div className="strength" data-score={strength.score} aria-hidden="true">
                    <span />
                    <span />
                    <span />
                    <span />
                  </div>
                  <span className="small muted">Strength: {strength.label}</span>
                </div>
              ) : null}
            </div>
          ) : null}
        </div>
      </div>
      <RootError message={errors.root?.server?.message} />
      <StepActions onBack={onBack} next="Review" />
    </form>
  );
}

type LabelArray = ReturnType<typeof useFieldArray<MetadataForm, "labels">>;

function Labels({
  labels,
  errors,
}: {
  labels: LabelArray;
  errors: FieldErrors<MetadataForm>["labels"];
}) {
  const inputId = useId();
  const counts = useLabelCounts().data;
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    const text = draft.trim();
    if (!text) return;
    const at = text.indexOf("=");
    const key = (at >= 0 ? text.slice(0, at) : text).trim();
    const value = at >= 0 ? text.slice(at + 1).trim() : "";
    const issue = labelProblem(key, value) ?? (labels.fields.some((l) => l.key === key) ? `The label "${key}" is already there.` : null);
    if (issue) {
      setProblem(issue);
      return;
    }
    labels.append({ key, value });
    setDraft("");
    setProblem(null);
  };
  let rowError: string | undefined;
  for (let i = 0; i < labels.fields.length && !rowError; i++) rowError = errors?.[i]?.key?.message;
  const message = problem ?? rowError ?? errors?.message ?? errors?.root?.message;
  return (
    <div className="field">
      <label htmlFor={inputId}>Labels (optional)</label>
      {labels.fields.length ? (
        <ul className="chips reg-labels" aria-label="Labels">
          {labels.fields.map((label, i) => (
            <li key={label.id} className="label-chip reg-label">
              <span>{label.value ? `${label.key}=${label.value}` : label.key}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove label ${label.key}`}
                onClick={() => labels.remove(i)}
              >
                <Icon name="x" size={12} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row">
        <Combobox
          id={inputId}
          className="input mono"
          placeholder="env=prod"
          aria-invalid={Boolean(message)}
          aria-describedby={`${inputId}-hint`}
          value={draft}
          onChange={setDraft}
          options={(typed) => labelPairOptions(counts, typed)}
          listLabel="Labels in use"
          keepOpen="="
          // A label typed but not added yet is not lost when moving on.
          onBlur={add}
          onKeyDown={(e) => {
            // Enter on a highlighted suggestion picks it (the Combobox); otherwise it adds the label.
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="btn" onClick={add}>
          <Icon name="plus" /> Add
        </button>
      </div>
      <span id={`${inputId}-hint`} className="hint">
        key=value, then Enter; ↓ suggests the labels in use. Used to filter the list.
      </span>
      {message ? (
        <span className="error" role="alert">
          {message}
        </span>
      ) : null}
    </div>
  );
}
