import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage, secretMeta } from "../../components/testing";
import type { ManagerSpec, ManagerTest } from "../../ipc/client";
import { emptyForm, formOf, toSpec, validateForm } from "./model";
import { ManagerWizard } from "./ManagerWizard";

const OK: ManagerTest = {
  ok: true,
  checked: "ListSecrets (max 1) on http://127.0.0.1:5000",
  latency_ms: 12,
  class: null,
  message: null,
  hint: null,
  tested_at: "2026-12-07T15:00:00Z",
};
const REFUSED: ManagerTest = {
  ok: false,
  checked: "ListSecrets (max 1) on http://127.0.0.1:5000",
  latency_ms: 9,
  class: "unauthorized",
  message: "moto: listing secrets failed: UnrecognizedClientException: The security token included in the request is invalid",
  hint: "the credentials were refused: check the credential secret (and that it is current)",
  tested_at: "2026-12-07T15:00:00Z",
};

const ACCESS_KEY = secretMeta({ id: "s-ak", name: "aws/ci-key", type: "key_value", public_fields: {} });

function shell(test: ManagerTest | ReturnType<typeof ipcError>) {
  return mockShell({
    organizations: () => [{ name: "Default", secrets: 1, projects: [] }],
    list_secrets: (args) => {
      const query = args.query as { types: string[] };
      const items = query.types.includes("key_value") ? [ACCESS_KEY] : [];
      return { total: items.length, items };
    },
    test_manager_spec: () => test,
    add_manager: (args) => ({ spec: args.spec, created_at: "2026-12-07T15:00:00Z", updated_at: "2026-12-07T15:00:00Z", last_test: OK }),
    list_managers: () => [],
  });
}

async function fillAws(user: ReturnType<typeof userEvent.setup>, { credential = true } = {}) {
  await user.type(screen.getByLabelText("Name"), "moto");
  await user.type(screen.getByLabelText("Region"), "us-east-1");
  await user.type(screen.getByLabelText("Endpoint (optional)"), "http://127.0.0.1:5000");
  if (credential) {
    await user.click(screen.getByLabelText("Access key secret"));
    const list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getByRole("option", { name: /aws\/ci-key/ })).toBeInTheDocument());
    await user.click(within(list).getByRole("option", { name: /aws\/ci-key/ }));
    expect(screen.getByLabelText("Access key secret")).toHaveValue("aws/ci-key");
  }
}

describe("the connection form's rules", () => {
  it("wants a name placeholders can use, a region, and a credential secret", () => {
    const errors = validateForm({ ...emptyForm("aws"), name: "my:vault" });
    expect(errors.name).toMatch(/Letters, digits/);
    expect(errors.region).toMatch(/region is needed/);
    expect(errors.credential).toMatch(/key\/value secret/);
    expect(validateForm({ ...emptyForm("aws"), name: "a", region: "Ireland", auth: "implicit" }).region).toMatch(/Not a region/);
  });

  it("wants an https vault URI and a tenant for Azure", () => {
    const errors = validateForm({ ...emptyForm("azure"), name: "kv", vaultUri: "http://kv.vault.azure.net/", tenant: "not a tenant", auth: "implicit" });
    expect(errors.vaultUri).toMatch(/https URL/);
    expect(errors.tenant).toMatch(/GUID/);
    expect(validateForm({ ...emptyForm("azure"), name: "kv", vaultUri: "https://kv.vault.azure.net/", tenant: "contoso.onmicrosoft.com", auth: "implicit" })).toEqual({});
  });

  it("bounds the numbers", () => {
    const errors = validateForm({ ...emptyForm("aws"), name: "a", region: "eu-west-1", auth: "implicit", ttl: "0", stale: "-1", rate: "51" });
    expect(errors.ttl).toMatch(/from 1/);
    expect(errors.stale).toMatch(/whole number/);
    expect(errors.rate).toMatch(/from 1 to 50/);
  });

  it("turns the form into the core's spec", () => {
    const spec = toSpec({ ...emptyForm("aws"), name: " moto ", region: "us-east-1", endpoint: "", credential: "aws/ci-key", ttl: "60" });
    expect(spec).toEqual<ManagerSpec>({
      name: "moto",
      org: "Default",
      settings: { kind: "aws", region: "us-east-1", endpoint: null, auth: { method: "access_key", secret: "aws/ci-key" } },
      cache_ttl_secs: 60,
      stale_if_error_secs: 300,
      writes_per_sec: 20,
    });
    const azure = toSpec({ ...emptyForm("azure"), name: "kv", vaultUri: "https://kv.vault.azure.net/", tenant: "t.example.com", auth: "implicit" });
    expect(azure.settings).toEqual({ kind: "azure", vault_uri: "https://kv.vault.azure.net/", tenant: "t.example.com", authority_host: null, auth: { method: "implicit" } });
  });
});

describe("ManagerWizard", () => {
  beforeEach(() => {
    window.location.hash = "#/keyvaults/new";
    // jsdom lays nothing out: give elements a size so the picker's virtualized list renders rows.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(280);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(400);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    window.location.hash = "";
  });

  it("says what is missing and calls nothing", async () => {
    const user = userEvent.setup();
    const mock = shell(OK);
    renderPage(<ManagerWizard />);
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    expect(await screen.findByText(/A name is needed/)).toBeInTheDocument();
    expect(screen.getByText(/A region is needed/)).toBeInTheDocument();
    expect(screen.getByText(/Choose the key\/value secret/)).toBeInTheDocument();
    expect(mock.of("test_manager_spec")).toHaveLength(0);
    expect(mock.of("add_manager")).toHaveLength(0);
    // Editing a field takes its error away.
    await user.type(screen.getByLabelText("Name"), "x");
    expect(screen.queryByText(/A name is needed/)).not.toBeInTheDocument();
  });

  it("tests before saving, then saves the spec with the chosen credential secret", async () => {
    const user = userEvent.setup();
    const mock = shell(OK);
    renderPage(<ManagerWizard />);
    await fillAws(user);
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    await waitFor(() => expect(mock.of("add_manager")).toHaveLength(1));
    const tested = mock.of("test_manager_spec")[0]?.spec as ManagerSpec;
    expect(tested.settings).toEqual({ kind: "aws", region: "us-east-1", endpoint: "http://127.0.0.1:5000", auth: { method: "access_key", secret: "aws/ci-key" } });
    expect(mock.of("add_manager")[0]?.spec).toEqual(tested);
    await waitFor(() => expect(window.location.hash).toBe("#/keyvaults/moto"));
  });

  it("keeps a connection whose test failed only when asked, and shows the class's hint", async () => {
    const user = userEvent.setup();
    const mock = shell(REFUSED);
    renderPage(<ManagerWizard />);
    await fillAws(user);
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    expect(await screen.findByText(/security token included in the request is invalid/)).toBeInTheDocument();
    expect(screen.getByText(/check the credential secret/)).toBeInTheDocument();
    expect(mock.of("add_manager")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Save anyway" }));
    await waitFor(() => expect(mock.of("add_manager")).toHaveLength(1));
  });

  it("says a taken name at the name field", async () => {
    const user = userEvent.setup();
    mockShell({
      organizations: () => [{ name: "Default", secrets: 0, projects: [] }],
      list_secrets: () => ({ total: 0, items: [] }),
      test_manager_spec: () => OK,
      add_manager: () => ipcError("already_exists", "A connection named moto exists already."),
    });
    renderPage(<ManagerWizard />);
    await user.click(screen.getByLabelText(/This machine's AWS credentials/));
    await user.type(screen.getByLabelText("Name"), "moto");
    await user.type(screen.getByLabelText("Region"), "us-east-1");
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    expect(await screen.findByText("A connection named moto exists already.")).toBeInTheDocument();
    expect(window.location.hash).toBe("#/keyvaults/new");
  });

  it("asks Azure for a vault URI, a tenant and a client credentials secret", async () => {
    const user = userEvent.setup();
    const mock = shell(OK);
    renderPage(<ManagerWizard />);
    await user.click(screen.getByLabelText("Azure Key Vault"));
    await user.type(screen.getByLabelText("Name"), "kv");
    await user.type(screen.getByLabelText("Vault URI"), "kv.vault.azure.net");
    await user.click(screen.getByRole("button", { name: "Test" }));
    expect(await screen.findByText(/An https URL/)).toBeInTheDocument();
    expect(screen.getByText(/The tenant \(directory\) id is needed/)).toBeInTheDocument();
    expect(screen.getByText(/Choose the client credentials secret/)).toBeInTheDocument();
    expect(mock.of("test_manager_spec")).toHaveLength(0);
  });

  it("edits a saved connection: prefilled, tested, then saved under its old name", async () => {
    const user = userEvent.setup();
    const saved: ManagerSpec = {
      name: "moto",
      org: "Default",
      settings: { kind: "aws", region: "us-east-1", endpoint: "http://127.0.0.1:5000", auth: { method: "access_key", secret: "aws/ci-key" } },
      cache_ttl_secs: 3600,
      stale_if_error_secs: 300,
      writes_per_sec: 20,
    };
    window.location.hash = "#/keyvaults-edit/moto";
    const mock = mockShell({
      organizations: () => [{ name: "Default", secrets: 1, projects: [] }],
      list_secrets: () => ({ total: 1, items: [ACCESS_KEY] }),
      list_managers: () => [{ spec: saved, created_at: "2026-12-07T15:00:00Z", updated_at: "2026-12-07T15:00:00Z", last_test: OK }],
      test_manager_spec: () => OK,
      update_manager: (args) => ({ spec: args.spec, created_at: "2026-12-07T15:00:00Z", updated_at: "2026-12-07T16:00:00Z", last_test: OK }),
    });
    renderPage(<ManagerWizard editing="moto" />);
    expect(await screen.findByRole("heading", { name: "Edit connection moto" })).toBeInTheDocument();
    expect(screen.getByLabelText("Region")).toHaveValue("us-east-1");
    expect(screen.getByLabelText("Endpoint (optional)")).toHaveValue("http://127.0.0.1:5000");
    expect(screen.getByLabelText("Access key secret")).toHaveValue("aws/ci-key");
    const ttl = screen.getByLabelText("Cache lifetime (seconds)");
    await user.clear(ttl);
    await user.type(ttl, "120");
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    await waitFor(() => expect(mock.of("update_manager")).toHaveLength(1));
    const tested = mock.of("test_manager_spec")[0]?.spec as ManagerSpec;
    expect(tested).toEqual({ ...saved, cache_ttl_secs: 120 });
    expect(mock.of("update_manager")[0]).toMatchObject({ name: "moto", spec: tested });
    expect(mock.of("add_manager")).toHaveLength(0);
    await waitFor(() => expect(window.location.hash).toBe("#/keyvaults/moto"));
  });

  it("round-trips a spec through the form", () => {
    const azure: ManagerSpec = {
      name: "kv",
      org: "Ops",
      settings: { kind: "azure", vault_uri: "https://kv.vault.azure.net/", tenant: "t.example.com", authority_host: null, auth: { method: "client_secret", secret: "sp" } },
      cache_ttl_secs: 60,
      stale_if_error_secs: 0,
      writes_per_sec: 5,
    };
    expect(toSpec(formOf(azure))).toEqual(azure);
    const aws: ManagerSpec = { ...azure, settings: { kind: "aws", region: "eu-west-1", endpoint: null, auth: { method: "implicit", profile: "sso" } } };
    expect(toSpec(formOf(aws))).toEqual(aws);
  });
});
