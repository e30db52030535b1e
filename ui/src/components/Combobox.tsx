import { useId, useState, type InputHTMLAttributes, type KeyboardEvent } from "react";

import "./combobox.css";

/** One suggestion: the text it puts in the field, what the list shows, and a quiet note. */
export type ComboOption = { text: string; label: string; note?: string };

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "role" | "list">;

/**
 * A text field with suggestions (the ARIA combobox pattern: an input that
 * owns a listbox and points at the highlighted option). Typing or ↓ opens
 * the list, ↑/↓ move, Enter picks only a highlighted option (otherwise it is
 * the form's Enter), Escape closes an open list (otherwise it is the
 * dialog's or wizard's Escape). Not a native `<datalist>`: WebKit's datalist
 * popup took the form's Enter. A pick whose `text` ends with `keepOpen`
 * (e.g. "env=") leaves the list open for the next part.
 */
export function Combobox({
  value,
  onChange,
  options,
  listLabel,
  keepOpen,
  onPick,
  onKeyDown,
  onBlur,
  ...input
}: InputProps & {
  value: string;
  onChange: (value: string) => void;
  /** Suggestions for the current text (the caller filters them). */
  options: (text: string) => ComboOption[];
  /** The listbox's accessible name. */
  listLabel: string;
  keepOpen?: string;
  /** Called after a suggestion is picked (its text is already in the field). */
  onPick?: (option: ComboOption) => void;
}) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const shown = open ? options(value) : [];
  const expanded = shown.length > 0;
  const optionId = (i: number) => `${listId}-o${i}`;

  const pick = (option: ComboOption) => {
    onChange(option.text);
    setActive(-1);
    setOpen(keepOpen !== undefined && option.text.endsWith(keepOpen));
    onPick?.(option);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!expanded) {
        setOpen(true);
        const next = options(value);
        setActive(next.length ? (e.key === "ArrowDown" ? 0 : next.length - 1) : -1);
        return;
      }
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a < 0 ? (step > 0 ? 0 : shown.length - 1) : (a + step + shown.length) % shown.length));
      return;
    }
    const highlighted = expanded ? shown[active] : undefined;
    if (e.key === "Enter" && highlighted) {
      e.preventDefault();
      e.stopPropagation();
      pick(highlighted);
      return;
    }
    if (e.key === "Escape" && expanded) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      setActive(-1);
      return;
    }
    if (e.key === "Tab") setOpen(false);
    onKeyDown?.(e);
  };

  return (
    <div className="combo">
      <input
        {...input}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 && active < shown.length ? optionId(active) : undefined}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKey}
        onBlur={(e) => {
          setOpen(false);
          setActive(-1);
          onBlur?.(e);
        }}
      />
      <div id={listId} role="listbox" aria-label={listLabel} className="combo-list" hidden={!expanded}>
        {shown.map((option, i) => (
          // The keyboard stays in the input, which points at the active option (aria-activedescendant).
          // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/interactive-supports-focus
          <div
            key={option.text}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            data-active={i === active || undefined}
            className="combo-option"
            // Keep the focus (and the form's blur handling) in the input.
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(option)}
          >
            <span className="combo-label">{option.label}</span>
            {option.note ? <span className="combo-note">{option.note}</span> : null}
          </div>
        ))}
      </div>
    </div>
  );
}
