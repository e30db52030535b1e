// Test support for component tests: the providers the app wraps pages in, and
// a mocked shell that answers IPC commands from a table. Imported by tests only.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

import type { ErrorCode, SecretMeta } from "../ipc/client";
import { ToastProvider } from "./Toasts";

/** A command handler: gets the camelCase args, returns the command's data. */
export type CommandHandler = (args: Record<string, unknown>) => unknown;

/** An IPC error as the shell sends it (the bindings turn it into a thrown `CofferError`). */
export function ipcError(
  code: ErrorCode,
  message: string,
  detail: string | null = null,
): { ipcError: true; code: ErrorCode; message: string; detail: string | null } {
  return { ipcError: true, code, message, detail };
}

/**
 * Answers commands from `handlers`; records every call. A handler that returns
 * `ipcError(...)` makes the command fail the way the shell does.
 */
export function mockShell(handlers: Record<string, CommandHandler>) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  clearMocks();
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) {
      if (cmd === "touch") return null;
      // Pages that listen to the shell's events (progress, changes) get a
      // listener id; no event is sent unless a test emits one.
      if (cmd === "plugin:event|listen") return 1;
      if (cmd === "plugin:event|unlisten") return null;
      throw new Error(`unexpected command ${cmd}`);
    }
    const result = handler(args);
    if (result && typeof result === "object" && "ipcError" in result) {
      const { code, message, detail } = result as unknown as { code: ErrorCode; message: string; detail?: string | null };
      // The shell rejects with a plain object, which the bindings pass on as an error result.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject({ code, message, detail: detail ?? null });
    }
    return result;
  });
  return {
    calls,
    /** The calls of one command. */
    of: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}

/** Renders with a fresh query client and the toast provider. */
export function renderPage(ui: ReactElement) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

/** A secret as the shell lists it, with overrides. */
export function secretMeta(overrides: Partial<SecretMeta> = {}): SecretMeta {
  return {
    id: "0b0e4a9e-0000-4000-8000-000000000001",
    name: "prod/registry",
    type: "basic_auth",
    org: "Default",
    project: null,
    description: "Registry push account",
    labels: { env: "prod" },
    status: "active",
    visibility: "public",
    owner: "alice",
    write_only: false,
    protection: "vault",
    expires_at: null,
    public_fields: { username: "deploy" },
    current_version: 1,
    created_at: "2026-01-10T10:00:00Z",
    updated_at: "2026-01-12T10:00:00Z",
    deleted_at: null,
    purge_at: null,
    last_used_at: null,
    used_by: 0,
    ...overrides,
  };
}

/** The nine types with their fields, as `secret_types` answers. */
export const SECRET_TYPES = [
  { type: "basic_auth", main_field: "password", fields: [f("username", false, true), f("password", true, true)] },
  { type: "bearer_token", main_field: "token", fields: [f("header_name", false, false), f("token", true, true)] },
  { type: "api_key", main_field: "value", fields: [f("header_name", false, true), f("value", true, true)] },
  {
    type: "client_credentials",
    main_field: "client_secret",
    fields: [
      f("client_id", false, true),
      f("client_secret", true, true),
      f("scopes", false, false),
      f("token_url", false, false),
      f("audience", false, false),
    ],
  },
  { type: "certificate", main_field: "certificate", fields: [f("certificate", true, true), f("private_key", true, false)] },
  { type: "ca_bundle", main_field: "certificates", fields: [f("certificates", true, true)] },
  { type: "ssh_key_pair", main_field: "private_key", fields: [f("private_key", true, true), f("public_key", false, false)] },
  { type: "key_value", main_field: null, fields: [] },
  {
    type: "data",
    main_field: "data",
    fields: [f("data", true, true), f("content_type", false, false), f("file_name", false, false)],
  },
];

function f(name: string, secret: boolean, required: boolean) {
  return { name, secret, required };
}
