import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { mockShell, renderPage, secretMeta } from "../../components/testing";
import type { FieldSpec, SecretMeta } from "../../ipc/client";
import { EditValueDialog } from "./EditValueDialog";
import type { PasswordGate } from "./useStorePassword";

const SPECS: FieldSpec[] = [
  { name: "username", secret: false, required: true },
  { name: "password", secret: true, required: true },
];

const gate: PasswordGate = { run: (_purpose, action) => action(null), dialog: null };

function open(meta: SecretMeta, specs: FieldSpec[]) {
  const onSaved = vi.fn();
  renderPage(<EditValueDialog meta={meta} specs={specs} usage={{ state: "known", jobs: [] }} gate={gate} onClose={() => undefined} onSaved={onSaved} />);
  return onSaved;
}

describe("Set new value", () => {
  it("generates a strong password with the register wizard's generator, shown on demand, and saves it", async () => {
    const user = userEvent.setup();
    const ipc = mockShell({ update_value: () => ({ outcome: "new_version", version: 2 }) });
    const meta = secretMeta({ public_fields: { username: "deploy" } });
    const onSaved = open(meta, SPECS);
    const dialog = await screen.findByRole("dialog", { name: "New value for prod/registry" });
    const password = within(dialog).getByLabelText("Password");
    expect(password).toHaveAttribute("type", "password");
    await user.click(within(dialog).getByRole("button", { name: /Generate a strong password/ }));
    const generated = (password as HTMLInputElement).value;
    expect(generated).toMatch(/^[A-Za-z0-9\-_.!@#%+=]{24}$/);
    expect(within(dialog).getByText(/A random 24-character password was generated/)).toBeInTheDocument();
    // The show toggle reveals what was generated, and hides it again.
    await user.click(within(dialog).getByRole("button", { name: "Show password" }));
    expect(password).toHaveAttribute("type", "text");
    await user.click(within(dialog).getByRole("button", { name: "Hide password" }));
    expect(password).toHaveAttribute("type", "password");
    // A second press makes another one.
    await user.click(within(dialog).getByRole("button", { name: /Generate a strong password/ }));
    expect((password as HTMLInputElement).value).not.toBe(generated);
    await user.click(within(dialog).getByRole("button", { name: "Save new value" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(ipc.of("update_value")[0]?.set).toEqual([{ name: "password", value: { kind: "text", text: (password as HTMLInputElement).value } }]);
  });

  it("offers the show toggle on a token, without a password generator", async () => {
    mockShell({});
    open(secretMeta({ type: "bearer_token", public_fields: { header_name: "Authorization" } }), [
      { name: "header_name", secret: false, required: false },
      { name: "token", secret: true, required: true },
    ]);
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("button", { name: "Show token" })).toBeInTheDocument();
    expect(within(dialog).queryByRole("button", { name: /Generate/ })).not.toBeInTheDocument();
  });
});
