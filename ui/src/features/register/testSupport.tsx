// Shared by the wizard's tests: a mocked shell, the wizard rendered, and the
// steps every path goes through. Imported by tests only.
import { screen, waitFor } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { expect } from "vitest";

import { mockShell, renderPage, SECRET_TYPES, secretMeta, type CommandHandler } from "../../components/testing";
import type { CertificateSummary, InspectionReport, RegisterRequest, SecretType } from "../../ipc/client";
import { RegisterWizard } from "./RegisterWizard";

export function shell(extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    organizations: () => [
      { name: "Default", secrets: 3, projects: ["payments"] },
      { name: "Platform", secrets: 1, projects: [] },
    ],
    register_secret: (args) => {
      const request = args.request as RegisterRequest;
      return {
        secret: secretMeta({ name: request.name, type: request.type, org: request.org ?? "Default", public_fields: {} }),
        generated_password: null,
      };
    },
    list_secrets: () => ({ total: 0, items: [] }),
    vault_status: () => ({}),
    secret_types: () => SECRET_TYPES,
    label_values: () => [
      { key: "env", value: "prod", count: 5 },
      { key: "env", value: "staging", count: 2 },
      { key: "team", value: "data", count: 3 },
    ],
    ...extra,
  });
}

export async function openWizard(type: SecretType | null = null) {
  window.location.hash = type ? `#/register/${type}` : "#/register";
  renderPage(<RegisterWizard initialType={type} />);
  if (type) await screen.findByRole("heading", { level: 2, name: /: the value$/ });
  else await screen.findByRole("heading", { level: 2, name: "Choose the type" });
}

export async function next(user: UserEvent, name: RegExp | string = /^Next/) {
  await user.click(screen.getByRole("button", { name }));
}

/** Fills the details step with a name (and whatever `more` does), then goes to the review. */
export async function details(user: UserEvent, name: string, more?: () => Promise<void>) {
  await screen.findByRole("heading", { level: 2, name: "Name and details" });
  const field = screen.getByRole("textbox", { name: "Name" });
  await user.clear(field);
  await user.type(field, name);
  if (more) await more();
  await next(user, /^Review/);
  await screen.findByRole("heading", { level: 2, name: "Review and register" });
}

export async function registerNow(user: UserEvent) {
  await user.click(screen.getByRole("button", { name: /^Register$/ }));
}

/** The one request sent to `register_secret`. */
export async function sentRequest(ipc: ReturnType<typeof shell>): Promise<RegisterRequest> {
  await waitFor(() => expect(ipc.of("register_secret")).toHaveLength(1));
  const [call] = ipc.of("register_secret");
  return call?.request as RegisterRequest;
}

/** What every request carries unless the details step changed it. */
export function defaults(type: SecretType, name: string): Omit<RegisterRequest, "fields"> {
  return {
    type,
    name,
    org: "Default",
    project: null,
    description: "",
    labels: {},
    expires_at: null,
    allow_past_expiry: false,
    visibility: "public",
    write_only: false,
    protection: { kind: "vault" },
    key_password: null,
    allow_key_mismatch: false,
    generate_ssh: null,
  };
}

export function certificate(overrides: Partial<CertificateSummary> = {}): CertificateSummary {
  return {
    subject: "CN=api.example.com,O=Example,C=FR",
    subject_cn: "api.example.com",
    issuer: "CN=Example Issuing CA,O=Example,C=FR",
    serial: "1a2b3c",
    san: ["DNS:api.example.com", "DNS:www.example.com"],
    not_before: "2026-01-01T00:00:00Z",
    not_after: "2099-03-01T00:00:00Z",
    sha256: "ab".repeat(32),
    sha1: "cd".repeat(20),
    key_algorithm: "rsa",
    key_bits: 2048,
    ec_curve: null,
    signature_algorithm: "sha256WithRSAEncryption",
    is_ca: false,
    path_len: null,
    key_usage: ["digital_signature"],
    extended_key_usage: ["client_auth"],
    self_signed: false,
    subject_key_id: null,
    authority_key_id: null,
    ...overrides,
  };
}

export function report(overrides: Partial<InspectionReport> = {}): InspectionReport {
  return {
    certificates: [
      certificate(),
      certificate({
        subject: "CN=Example Issuing CA,O=Example,C=FR",
        subject_cn: "Example Issuing CA",
        issuer: "CN=Example Root,O=Example,C=FR",
        san: [],
        is_ca: true,
        path_len: 0,
        serial: "02",
        sha256: "ef".repeat(32),
      }),
    ],
    private_key: null,
    key_matches_leaf: null,
    ssh: null,
    earliest_expiry: "2099-03-01T00:00:00Z",
    warnings: [],
    ...overrides,
  };
}

/** A file as `<input type=file>` hands it over. */
export function file(name: string, content: string, type = "") {
  return new File([content], name, { type });
}

export function base64(text: string): string {
  return btoa(text);
}
