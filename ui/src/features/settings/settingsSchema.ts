import { z } from "zod";

import type { Settings } from "../../ipc/client";

// Mirrors `Settings::check()` in crates/coffer-core/src/vault/settings.rs.
const whole = (min: number, max: number, range: string) =>
  z
    .number({ error: "Enter a number." })
    .int("Use a whole number.")
    .min(min, range)
    .max(max, range);

export const settingsSchema = z.object({
  trash_retention_days: whole(1, 3650, "1 to 3650 days."),
  keep_versions: whole(1, 1000, "1 to 1000 versions."),
  expired_use: z.enum(["warn", "block"]),
  notify_days_before: z.array(whole(0, 365, "0 to 365 days.")).max(10, "At most 10 thresholds."),
  idle_lock_minutes: whole(0, 1440, "0 (never) to 1440 minutes."),
  clipboard_clear_seconds: whole(5, 600, "5 to 600 seconds."),
});

export type SettingsForm = z.infer<typeof settingsSchema>;

/** The core's defaults, for fields an older vault did not store. */
export const DEFAULT_SETTINGS: SettingsForm = {
  trash_retention_days: 30,
  keep_versions: 10,
  expired_use: "warn",
  notify_days_before: [30, 7, 1, 0],
  idle_lock_minutes: 15,
  clipboard_clear_seconds: 30,
};

export function formValues(settings: Settings): SettingsForm {
  return {
    trash_retention_days: settings.trash_retention_days ?? DEFAULT_SETTINGS.trash_retention_days,
    keep_versions: settings.keep_versions ?? DEFAULT_SETTINGS.keep_versions,
    expired_use: settings.expired_use ?? DEFAULT_SETTINGS.expired_use,
    notify_days_before: [...(settings.notify_days_before ?? DEFAULT_SETTINGS.notify_days_before)].sort((a, b) => b - a),
    idle_lock_minutes: settings.idle_lock_minutes ?? DEFAULT_SETTINGS.idle_lock_minutes,
    clipboard_clear_seconds: settings.clipboard_clear_seconds ?? DEFAULT_SETTINGS.clipboard_clear_seconds,
  };
}

/** A threshold as people read it. */
export function thresholdLabel(days: number): string {
  return days === 0 ? "On expiry" : `${days} day${days === 1 ? "" : "s"} before`;
}
