import { describe, expect, it } from "vitest";

import { CofferError, unwrap, type IpcError } from "./client";

describe("unwrap", () => {
  it("throws Coffer's errors with their code and message", async () => {
    const failed = unwrap(Promise.resolve({ status: "error" as const, error: { code: "not_found" as const, message: "secret \"x\" not found", detail: null } }));
    await expect(failed).rejects.toMatchObject({ code: "not_found", message: 'secret "x" not found' });
  });

  it("gives Tauri's own bare-string refusals a message", async () => {
    const refused = unwrap(
      Promise.resolve({ status: "error" as const, error: "Command deploy_secret not allowed by ACL" as unknown as IpcError }),
    );
    await expect(refused).rejects.toBeInstanceOf(CofferError);
    await expect(refused).rejects.toMatchObject({ code: "internal", message: "Command deploy_secret not allowed by ACL" });
  });
});
