import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage, SECRET_TYPES, secretMeta, type CommandHandler } from "../../components/testing";
import type { SecretMeta } from "../../ipc/client";
import { SecretDetail } from "./SecretDetail";

function shell(meta: SecretMeta, extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    get_secret: () => meta,
    secret_types: () => SECRET_TYPES,
    get_settings: () => ({}),
    organizations: () => [],
    audit_entries: () => [],
    secret_versions: () => [],
    list_secrets: () => ({ total: 0, items: [] }),
    vault_status: () => ({}),
    secret_usage: () => [],
    ...extra,
  });
}

async function openPage(meta: SecretMeta) {
  renderPage(<SecretDetail id={meta.id} />);
  await screen.findByRole("heading", { level: 1, name: meta.name });
}

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});

const DATA = { type: "data", name: "prod/kubeconfig", public_fields: { content_type: "application/yaml", file_name: "kubeconfig.yaml" } } as const;

describe("Save to file", () => {
  it("saves a data secret through the shell and says where", async () => {
    const user = userEvent.setup();
    const meta = secretMeta(DATA);
    const ipc = shell(meta, { save_secret_to_file: () => "/home/alice/kubeconfig.yaml" });
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "Save to file…" }));
    expect(await screen.findByText("Saved to /home/alice/kubeconfig.yaml (readable by you only).")).toBeInTheDocument();
    expect(ipc.of("save_secret_to_file")).toEqual([{ id: meta.id, form: "bytes", storePassword: null }]);
  });

  it("asks a certificate's format first (PEM chain or DER leaf), and Cancel saves nothing", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ ...DATA, type: "certificate", name: "prod/client" });
    const ipc = shell(meta, { save_secret_to_file: () => "/home/alice/prod-client.der" });
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "Save to file…" }));
    let dialog = await screen.findByRole("dialog", { name: "Save prod/client to a file" });
    expect(within(dialog).getByRole("radio", { name: /PEM chain/ })).toBeChecked();
    expect(within(dialog).getByText(/does not keep the file the certificate was registered from/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(ipc.of("save_secret_to_file")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Save to file…" }));
    dialog = await screen.findByRole("dialog", { name: "Save prod/client to a file" });
    await user.click(within(dialog).getByRole("radio", { name: /DER leaf/ }));
    await user.click(within(dialog).getByRole("button", { name: "Choose where…" }));
    expect(await screen.findByText("Saved to /home/alice/prod-client.der (readable by you only).")).toBeInTheDocument();
    expect(ipc.of("save_secret_to_file")).toEqual([{ id: meta.id, form: "der", storePassword: null }]);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("says nothing when the dialog is cancelled, and shows the shell's refusal", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ ...DATA, type: "certificate" });
    let answer: unknown = null;
    shell(meta, { save_secret_to_file: () => answer });
    await openPage(meta);
    const saveAs = async () => {
      await user.click(screen.getByRole("button", { name: "Save to file…" }));
      await user.click(await screen.findByRole("button", { name: "Choose where…" }));
    };
    await saveAs();
    await waitFor(() => expect(screen.getByRole("button", { name: "Save to file…" })).toBeEnabled());
    expect(screen.queryByText(/Saved to/)).not.toBeInTheDocument();
    answer = ipcError("locked", "the vault is locked");
    await saveAs();
    expect(await screen.findByText("the vault is locked")).toBeInTheDocument();
  });

  it("is not offered for write-only secrets or other types", async () => {
    for (const meta of [secretMeta({ ...DATA, write_only: true }), secretMeta({ type: "basic_auth" })]) {
      shell(meta);
      const { unmount } = renderPage(<SecretDetail id={meta.id} />);
      await screen.findByRole("heading", { level: 1, name: meta.name });
      expect(screen.queryByRole("button", { name: "Save to file…" })).not.toBeInTheDocument();
      unmount();
    }
  });
});
