import { useEffect, useId, useRef, type ReactNode } from "react";

// A modal on the native <dialog> element: focus trap, Escape and the
// backdrop come from the browser, and nothing injects styles at runtime.
// Enter in a field submits: its form, or else the footer's last button (the
// dialog's action).
export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    }
    if (!open && dialog.open) {
      if (typeof dialog.close === "function") dialog.close();
      else dialog.removeAttribute("open");
    }
  }, [open]);
  useEffect(() => {
    const dialog = ref.current;
    if (!open || !dialog) return;
    const onKey = (event: KeyboardEvent) => submitOnEnter(event, dialog);
    dialog.addEventListener("keydown", onKey);
    return () => dialog.removeEventListener("keydown", onKey);
  }, [open]);
  if (!open) return null;
  return (
    <dialog
      ref={ref}
      className={wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
      {footer ? <div className="dialog-foot">{footer}</div> : null}
    </dialog>
  );
}

function submitOnEnter(event: KeyboardEvent, dialog: HTMLDialogElement) {
  if (event.key !== "Enter" || event.defaultPrevented || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
  const target = event.target as HTMLElement;
  if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
  if (target instanceof HTMLInputElement && ["checkbox", "radio", "button", "submit", "file"].includes(target.type)) return;
  // Enter on a highlighted suggestion picks it (the Combobox does; this
  // listener runs before React's, so it must step aside here).
  if (target.getAttribute("role") === "combobox" && target.getAttribute("aria-activedescendant")) return;
  // A field in a form submits that form (WebKitGTK does not do it for a
  // submit button outside the form, tied to it with form=).
  const form = target.closest("form");
  if (form && dialog.contains(form)) {
    const submit =
      (form.id ? dialog.querySelector<HTMLButtonElement>(`button[type="submit"][form="${CSS.escape(form.id)}"]`) : null) ??
      form.querySelector<HTMLButtonElement>('button[type="submit"]');
    event.preventDefault();
    if (submit && !submit.disabled) submit.click();
    else if (!submit) form.requestSubmit();
    return;
  }
  const buttons = dialog.querySelectorAll<HTMLButtonElement>(".dialog-foot button");
  const action = buttons[buttons.length - 1];
  if (!action || action.disabled) return;
  event.preventDefault();
  action.click();
}

/** Asks before something that cannot be undone easily. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  danger,
  busy,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The dismiss button's label (default "Cancel"). */
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {cancelLabel}
          </button>
          <button
            type="button"
            className={danger ? "btn btn-danger" : "btn btn-primary"}
            disabled={busy}
            onClick={onConfirm}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
