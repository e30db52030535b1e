import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { mockShell, renderPage, SECRET_TYPES, secretMeta } from "../../components/testing";
import { SecretDetail } from "./SecretDetail";

const KUBECONFIG = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s.example.com:6443\n  name: prod\n";

describe("a revealed multi-line value", () => {
  it("takes the full width, keeps its lines unwrapped, and can be copied", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ type: "data", name: "k8s/kubeconfig", public_fields: { content_type: "application/yaml" } });
    const ipc = mockShell({
      get_secret: () => meta,
      secret_types: () => SECRET_TYPES,
      get_settings: () => ({ trash_retention_days: 30, clipboard_clear_seconds: 30 }),
      organizations: () => [{ name: "Default", secrets: 1, projects: [] }],
      audit_entries: () => [],
      secret_versions: () => [],
      secret_usage: () => [],
      reveal_field: () => ({ field: "data", secret: true, text: KUBECONFIG, base64: null }),
      copy_field: () => 30,
    });
    renderPage(<SecretDetail id={meta.id} />);
    await user.click(await screen.findByRole("button", { name: /^Reveal / }));
    const pre = await screen.findByLabelText(/\(revealed\)$/);
    expect(pre.tagName).toBe("PRE");
    expect(pre.textContent).toBe(KUBECONFIG);
    const row = pre.closest(".kv-row");
    expect(row).toHaveAttribute("data-multiline", "true");
    expect(pre.closest(".secret-value")).toHaveAttribute("data-multiline", "true");
    await user.click(screen.getByRole("button", { name: /^Copy / }));
    await waitFor(() => expect(ipc.of("copy_field")).toHaveLength(1));
  });

  it("leaves a one-line value as it was", async () => {
    const user = userEvent.setup();
    const meta = secretMeta();
    mockShell({
      get_secret: () => meta,
      secret_types: () => SECRET_TYPES,
      get_settings: () => ({ trash_retention_days: 30 }),
      organizations: () => [{ name: "Default", secrets: 1, projects: [] }],
      audit_entries: () => [],
      secret_versions: () => [],
      secret_usage: () => [],
      reveal_field: () => ({ field: "password", secret: true, text: "one-line", base64: null }),
    });
    renderPage(<SecretDetail id={meta.id} />);
    await user.click(await screen.findByRole("button", { name: /^Reveal / }));
    const pre = await screen.findByLabelText(/\(revealed\)$/);
    expect(pre.closest(".kv-row")).not.toHaveAttribute("data-multiline");
  });
});
