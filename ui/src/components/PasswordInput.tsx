import { useState, type InputHTMLAttributes, type Ref } from "react";

import { Icon } from "./Icon";
import "./password-input.css";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & {
  ref?: Ref<HTMLInputElement>;
  /** Names the value in the show/hide button ("Show password"). */
  what?: string;
};

/** A masked input with a show/hide button; the value is never shown unless asked. */
export function PasswordInput({ ref, what = "value", className, ...props }: Props) {
  const [shown, setShown] = useState(false);
  return (
    <span className="password-input">
      <input
        ref={ref}
        {...props}
        type={shown ? "text" : "password"}
        className={className ?? "input"}
        autoComplete={props.autoComplete ?? "new-password"}
        spellCheck={false}
      />
      <button
        type="button"
        className="btn btn-ghost btn-icon password-toggle"
        aria-label={shown ? `Hide ${what}` : `Show ${what}`}
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
      >
        <Icon name={shown ? "eyeOff" : "eye"} />
      </button>
    </span>
  );
}
