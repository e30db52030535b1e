import { useState } from "react";

import { Icon } from "../../components/Icon";
import { readTheme, setTheme, THEME_CHOICES, type ThemeChoice } from "../../lib/theme";

const LABELS: Record<ThemeChoice, { label: string; hint: string }> = {
  system: { label: "System", hint: "Follows the desktop's light or dark setting, also when it changes." },
  light: { label: "Light", hint: "Always light." },
  dark: { label: "Dark", hint: "Always dark." },
};

/**
 * System, light or dark. Kept on this computer (not in the vault), so that the
 * unlock screen and the very first frame already use it.
 */
export function ThemeCard() {
  const [choice, setChoice] = useState<ThemeChoice>(readTheme);
  const [error, setError] = useState<string | null>(null);

  const choose = (next: ThemeChoice) => {
    try {
      setTheme(next);
      setChoice(next);
      setError(null);
    } catch (caught) {
      setError(`The theme could not be saved: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };

  return (
    <section className="card stack" aria-labelledby="theme-title">
      <div className="card-head">
        <Icon name="eye" />
        <h2 id="theme-title">Appearance</h2>
      </div>
      <fieldset className="fieldset">
        <legend className="field-label">Theme</legend>
        <div className="theme-choices">
          {THEME_CHOICES.map((value) => (
            <label key={value} className="theme-choice" data-checked={choice === value}>
              <input
                type="radio"
                name="theme"
                value={value}
                checked={choice === value}
                onChange={() => choose(value)}
              />
              {LABELS[value].label}
            </label>
          ))}
        </div>
        <p className="hint muted small">{LABELS[choice].hint} Kept on this computer, for every vault.</p>
      </fieldset>
      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}
