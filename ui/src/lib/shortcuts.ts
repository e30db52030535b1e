// Keyboard shortcuts of the whole window: Ctrl+N registers a secret, Escape
// cancels a wizard: register, import, job (as its Cancel button does, which asks first when
// something was entered). Ctrl+F (the list's filter) and the list's own keys
// live with the list; Escape and Enter in dialogs with the Dialog component.
import { useEffect } from "react";

import { navigate, type Route } from "./router";

const WIZARDS: Route["view"][] = ["register", "import", "job-new", "job-edit"];

/** The visible "Cancel" button of the page's wizard, if any. */
function wizardCancel(): HTMLButtonElement | null {
  const buttons = document.querySelectorAll<HTMLButtonElement>("main button, .page button");
  for (const button of buttons) {
    if (button.textContent.trim() === "Cancel" && !button.disabled && !button.closest("dialog")) return button;
  }
  return null;
}

export function handleShortcut(event: KeyboardEvent, view: Route["view"]): boolean {
  if (event.defaultPrevented) return false;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "n") {
    event.preventDefault();
    if (view !== "register") navigate({ view: "register", type: null });
    return true;
  }
  if (event.key === "Escape" && !ctrl && WIZARDS.includes(view)) {
    // A dialog (or an open menu) takes Escape first.
    if (document.querySelector("dialog[open], [role='menu']")) return false;
    const cancel = wizardCancel();
    if (!cancel) return false;
    event.preventDefault();
    cancel.click();
    return true;
  }
  return false;
}

/** Installs the window's shortcuts while the console is shown. */
export function useGlobalShortcuts(view: Route["view"]) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => void handleShortcut(event, view);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [view]);
}
