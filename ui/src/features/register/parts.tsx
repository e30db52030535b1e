import { useEffect } from "react";
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

import { Icon } from "../../components/Icon";
import type { FieldProblem } from "./draft";

/** Back and Next, at the foot of a step. */
export function StepActions({
  onBack,
  next = "Next",
  busy,
  disabled,
}: {
  onBack: () => void;
  next?: string;
  busy?: boolean;
  disabled?: boolean;
}) {
  return (
    <div className="reg-actions">
      <button type="button" className="btn" onClick={onBack}>
        Back
      </button>
      <span className="spacer" />
      <button type="submit" className="btn btn-primary" disabled={busy || disabled}>
        {next} <Icon name="chevronRight" />
      </button>
    </div>
  );
}

/**
 * Shows a problem the shell reported on the form field it names: `map` turns
 * the shell's field name into the form's path; anything else goes to the
 * form's root error.
 */
export function useProblem<T extends FieldValues>(
  problem: FieldProblem | null,
  setError: UseFormSetError<T>,
  map: (field: string) => Path<T> | null,
) {
  useEffect(() => {
    if (!problem) return;
    const path = map(problem.field);
    if (path) setError(path, { type: "server", message: problem.message }, { shouldFocus: true });
    else setError("root.server", { type: "server", message: problem.message });
    // Only a new problem is applied; `map` is a plain function of the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [problem, setError]);
}

/** The form's root error (a problem with no field of its own). */
export function RootError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" />
      <p>{message}</p>
    </div>
  );
}
