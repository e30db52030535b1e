import { Icon } from "./Icon";

/** A wizard's steps: the ones done are ticked, the current one is marked for assistive tech. */
export function WizardSteps({ label, steps, current }: { label: string; steps: { id: string; label: string }[]; current: number }) {
  return (
    <nav aria-label={label}>
      <ol className="steps reg-steps">
        {steps.map((s, i) => (
          <li key={s.id} aria-current={i === current ? "step" : undefined} data-done={i < current ? "true" : undefined}>
            <span className="reg-step-dot" aria-hidden="true">
              {i < current ? <Icon name="check" size={12} /> : i + 1}
            </span>
            {s.label}
            {i < current ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
    </nav>
  );
}
