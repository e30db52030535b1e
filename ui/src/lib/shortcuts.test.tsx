import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { useGlobalShortcuts } from "./shortcuts";
import type { Route } from "./router";

function Page({ view, onCancel, dialog = false }: { view: Route["view"]; onCancel: () => void; dialog?: boolean }) {
  useGlobalShortcuts(view);
  return (
    <main>
      <div className="page">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {dialog ? <dialog open>Confirm?</dialog> : null}
      </div>
    </main>
  );
}

afterEach(() => {
  window.location.hash = "";
});

describe("window shortcuts", () => {
  it("Ctrl+N opens the registration wizard", () => {
    render(<Page view="secrets" onCancel={() => undefined} />);
    const event = new KeyboardEvent("keydown", { key: "n", ctrlKey: true, bubbles: true, cancelable: true });
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(window.location.hash).toBe("#/register");
  });

  it("Escape cancels a wizard the way its Cancel button does", () => {
    const cancel = vi.fn();
    render(<Page view="register" onCancel={cancel} />);
    fireEvent.keyDown(window, { key: "Escape" });
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("button", { name: "Cancel" })).toBeInTheDocument();
  });

  it("leaves Escape to an open dialog, and to pages that are not wizards", () => {
    const cancel = vi.fn();
    const { unmount } = render(<Page view="job-new" onCancel={cancel} dialog />);
    fireEvent.keyDown(window, { key: "Escape" });
    unmount();
    render(<Page view="secrets" onCancel={cancel} />);
    fireEvent.keyDown(window, { key: "Escape" });
    expect(cancel).not.toHaveBeenCalled();
  });
});
