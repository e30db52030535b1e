import type { KeyboardEvent } from "react";

import { Icon, type IconName } from "../../components/Icon";
import type { SecretType } from "../../ipc/client";
import { TYPE_INFO, TYPE_ORDER } from "../../lib/secretTypes";

const ICONS: Record<SecretType, IconName> = {
  basic_auth: "lock",
  bearer_token: "key",
  api_key: "key",
  client_credentials: "shield",
  certificate: "file",
  ca_bundle: "layers",
  ssh_key_pair: "key",
  key_value: "vault",
  data: "file",
};

/** Nine cards; arrow keys move between them, Enter or Space chooses. */
export function TypeStep({
  chosen,
  onChoose,
}: {
  chosen: SecretType | null;
  onChoose: (type: SecretType) => void;
}) {
  const move = (event: KeyboardEvent<HTMLUListElement>) => {
    const keys: Record<string, number> = { ArrowRight: 1, ArrowDown: 3, ArrowLeft: -1, ArrowUp: -3 };
    const step = keys[event.key];
    if (step === undefined) return;
    const cards = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>("button.type-card"));
    const at = cards.findIndex((c) => c === document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    cards[Math.min(cards.length - 1, Math.max(0, at + step))]?.focus();
  };
  return (
    // The list only moves focus between its buttons; the buttons are the controls.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <ul className="type-grid reg-types" aria-label="Secret types" onKeyDown={move}>
      {TYPE_ORDER.map((type) => (
        <li key={type}>
          <button
            type="button"
            className="type-card reg-type-card"
            aria-pressed={chosen === type}
            onClick={() => onChoose(type)}
          >
            <span className="row reg-type-title">
              <Icon name={ICONS[type]} />
              <strong>{TYPE_INFO[type].label}</strong>
            </span>
            <span className="muted small">{TYPE_INFO[type].description}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
