import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type Settings } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { formValues, settingsSchema, thresholdLabel, type SettingsForm as Form } from "./settingsSchema";

/** Vault-wide settings: notifications, trash, versions, expired use, idle lock, clipboard. */
export function SettingsForm({ settings }: { settings: Settings }) {
  const client = useQueryClient();
  const toast = useToast();
  const [failure, setFailure] = useState<string | null>(null);
  const [newThreshold, setNewThreshold] = useState("");
  const [thresholdError, setThresholdError] = useState<string | undefined>();
  const { register, handleSubmit, control, formState, setValue, reset } = useForm<Form>({
    resolver: zodResolver(settingsSchema),
    defaultValues: formValues(settings),
  });
  const thresholds = useWatch({ control, name: "notify_days_before" });
  const errors = formState.errors;

  const setThresholds = (next: number[]) =>
    setValue("notify_days_before", [...next].sort((a, b) => b - a), { shouldDirty: true, shouldValidate: true });

  const addThreshold = () => {
    const text = newThreshold.trim();
    const days = Number(text);
    if (!text || !Number.isInteger(days) || days < 0 || days > 365) {
      setThresholdError("A whole number of days from 0 (on expiry) to 365.");
      return;
    }
    if (thresholds.includes(days)) {
      setThresholdError(`${thresholdLabel(days)} is already there.`);
      return;
    }
    if (thresholds.length >= 10) {
      setThresholdError("At most 10 thresholds.");
      return;
    }
    setThresholdError(undefined);
    setNewThreshold("");
    setThresholds([...thresholds, days]);
  };

  const submit = handleSubmit(async (form) => {
    setFailure(null);
    try {
      const saved = await api.updateSettings(form);
      client.setQueryData(keys.settings, saved);
      await client.invalidateQueries({ queryKey: keys.status });
      reset(formValues(saved));
      toast.info("Settings saved.");
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  return (
    <form className="card stack" aria-labelledby="settings-form-title" noValidate onSubmit={(e) => void submit(e)}>
      <div className="card-head">
        <Icon name="settings" />
        <h2 id="settings-form-title">Vault settings</h2>
      </div>
      <div className="fieldset" role="group" aria-labelledby="thresholds-label">
        <span id="thresholds-label" className="field-label">
          Expiry notifications
        </span>
        <div className="threshold-chips" aria-live="polite">
          {thresholds.length === 0 ? <span className="muted small">No notifications.</span> : null}
          {thresholds.map((days) => (
            <span key={days} className="threshold-chip">
              {thresholdLabel(days)}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${thresholdLabel(days)}`}
                onClick={() => setThresholds(thresholds.filter((d) => d !== days))}
              >
                <Icon name="x" size={12} />
              </button>
            </span>
          ))}
        </div>
        <div className="row threshold-add">
          <input
            className="input"
            type="number"
            min={0}
            max={365}
            inputMode="numeric"
            placeholder="days"
            aria-label="Days before expiry"
            aria-invalid={Boolean(thresholdError)}
            value={newThreshold}
            onChange={(e) => setNewThreshold(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                addThreshold();
              }
            }}
          />
          <button type="button" className="btn btn-sm" onClick={addThreshold}>
            <Icon name="plus" /> Add
          </button>
          <span className="hint small muted">0 means on the day it expires. Up to 10.</span>
        </div>
        {thresholdError ?? errors.notify_days_before?.message ? (
          <span className="error small" role="alert">
            {thresholdError ?? errors.notify_days_before?.message}
          </span>
        ) : null}
      </div>
      <div className="grid-2">
        <Field label="Trash retention (days)" hint="Deleted secrets are destroyed after this." error={errors.trash_retention_days?.message}>
          <input className="input" type="number" inputMode="numeric" {...register("trash_retention_days", { valueAsNumber: true })} />
        </Field>
        <Field label="Versions kept per secret" hint="Older versions are destroyed." error={errors.keep_versions?.message}>
          <input className="input" type="number" inputMode="numeric" {...register("keep_versions", { valueAsNumber: true })} />
        </Field>
        <Field label="Lock after idle (minutes)" hint="0 never locks." error={errors.idle_lock_minutes?.message}>
          <input className="input" type="number" inputMode="numeric" {...register("idle_lock_minutes", { valueAsNumber: true })} />
        </Field>
        <Field
          label="Clipboard clearing (seconds)"
          hint="After Copy, unless something else was copied since."
          error={errors.clipboard_clear_seconds?.message}
        >
          <input className="input" type="number" inputMode="numeric" {...register("clipboard_clear_seconds", { valueAsNumber: true })} />
        </Field>
      </div>
      <Field label="Using an expired secret" hint="Applies to jobs and placeholders." error={errors.expired_use?.message}>
        <select className="select" {...register("expired_use")}>
          <option value="warn">Warn, and use it</option>
          <option value="block">Refuse to use it</option>
        </select>
      </Field>
      {failure ? (
        <div className="notice notice-error" role="alert">
          {failure}
        </div>
      ) : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={formState.isSubmitting || !formState.isDirty}>
          {formState.isSubmitting ? "Saving…" : "Save settings"}
        </button>
        {formState.isDirty ? (
          <button type="button" className="btn btn-ghost" onClick={() => reset(formValues(settings))}>
            Discard changes
          </button>
        ) : (
          <span className="muted small">No unsaved changes.</span>
        )}
      </div>
    </form>
  );
}
