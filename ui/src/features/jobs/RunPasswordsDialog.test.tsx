import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage } from "../../components/testing";
import { CofferError, type Job, type JobRun } from "../../ipc/client";
import { JobDetail } from "./JobDetail";
import { storePasswordSecret } from "./RunPasswordsDialog";

const JOB: Job = {
  id: "j-1",
  name: "deploy/config",
  org: "Default",
  project: null,
  description: null,
  kind: "command",
  spec: { kind: "command", program: "/bin/sh", args: ["-c", "deploy"], env: {}, working_dir: null, timeout_seconds: null },
  schedule: null,
  enabled: true,
  bindings: [
    { secret: "vault-box", source: "placeholder", secret_id: "s-1", missing: false },
    { secret: "plain-token", source: "placeholder", secret_id: "s-2", missing: false },
  ],
  approved: [],
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  last_run_at: null,
  last_status: null,
  next_run_at: null,
  state: {},
} as unknown as Job;

function run(overrides: Partial<JobRun>): JobRun {
  return {
    id: 3,
    number: 1,
    duration_ms: 1000,
    job_id: "j-1",
    job_name: "deploy/config",
    trigger: "manual",
    status: "succeeded",
    started_at: "2026-01-01T00:00:00Z",
    finished_at: "2026-01-01T00:00:01Z",
    log: "deployed with ***",
    error: null,
    result: { exit_code: 0 },
    ...overrides,
  };
}

describe("Run now with store-password secrets", () => {
  it("asks for each store password by name, reports a wrong one without running, and runs with the right one", async () => {
    const user = userEvent.setup();
    let runs: JobRun[] = [];
    const ipc = mockShell({
      get_job: () => JOB,
      job_runs: () => runs,
      job_store_passwords: () => ["vault-box", "other-box"],
      run_job_now: (args) => {
        // As the shell does: passwords are checked before the run starts,
        // so a wrong one is an error and no run is recorded.
        const given = (args as { storePasswords: Record<string, string> }).storePasswords;
        if (given["vault-box"] !== "right pw")
          return ipcError("wrong_password", 'wrong store password for secret "vault-box"', "vault-box");
        if (given["other-box"] !== "second")
          return ipcError("wrong_password", 'wrong store password for secret "other-box"', "other-box");
        const done = run({});
        runs = [done, ...runs];
        return done;
      },
      list_jobs: () => [JOB],
      list_secrets: () => ({ total: 0, items: [] }),
      vault_status: () => ({}),
      organizations: () => [],
    });
    renderPage(<JobDetail id="j-1" />);
    await user.click(await screen.findByRole("button", { name: /Run now/ }));
    const dialog = await screen.findByRole("dialog", { name: "Store passwords" });
    expect(within(dialog).getByText(/Scheduled runs cannot ask/)).toBeInTheDocument();
    // Nothing is run with a field left empty.
    await user.type(within(dialog).getByLabelText("Store password of vault-box"), "wrong pw");
    await user.click(within(dialog).getByRole("button", { name: "Run now" }));
    expect(within(dialog).getByText("Enter the store password of other-box.")).toBeInTheDocument();
    expect(ipc.of("run_job_now")).toEqual([]);
    // A wrong one: the dialog stays open, naming the secret.
    await user.type(within(dialog).getByLabelText("Store password of other-box"), "second");
    await user.click(within(dialog).getByRole("button", { name: "Run now" }));
    expect(await within(dialog).findByText("Wrong store password for vault-box; nothing was run or recorded.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Store password of vault-box")).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).getByLabelText("Store password of other-box")).not.toHaveAttribute("aria-invalid", "true");
    // No failed run appeared in the history, and no error toast.
    expect(screen.queryByText(/failed/)).not.toBeInTheDocument();
    expect(screen.getByText(/No runs yet\./)).toBeInTheDocument();
    // The right one: the run is shown and the dialog (and its passwords) is gone.
    const field = within(dialog).getByLabelText("Store password of vault-box");
    await user.clear(field);
    await user.type(field, "right pw");
    await user.click(within(dialog).getByRole("button", { name: "Run now" }));
    expect(await screen.findByLabelText("Log of run #1")).toHaveTextContent("deployed with ***");
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Store passwords" })).not.toBeInTheDocument());
    expect(ipc.of("run_job_now")).toEqual([
      { id: "j-1", storePasswords: { "vault-box": "wrong pw", "other-box": "second" } },
      { id: "j-1", storePasswords: { "vault-box": "right pw", "other-box": "second" } },
    ]);
  });

  it("runs at once when the job uses no store-password secret, and Cancel runs nothing", async () => {
    const user = userEvent.setup();
    let needed: string[] = [];
    const ipc = mockShell({
      get_job: () => JOB,
      job_runs: () => [],
      job_store_passwords: () => needed,
      run_job_now: () => run({}),
      list_jobs: () => [JOB],
      list_secrets: () => ({ total: 0, items: [] }),
      vault_status: () => ({}),
      organizations: () => [],
    });
    renderPage(<JobDetail id="j-1" />);
    await user.click(await screen.findByRole("button", { name: /Run now/ }));
    await waitFor(() => expect(ipc.of("run_job_now")).toEqual([{ id: "j-1", storePasswords: null }]));
    needed = ["vault-box"];
    await user.click(screen.getByRole("button", { name: /Run now/ }));
    const dialog = await screen.findByRole("dialog", { name: "Store password" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(ipc.of("run_job_now")).toHaveLength(1);
  });

  it("adds a secret the job needs since the prompt opened (password_required) and asks for it", async () => {
    const user = userEvent.setup();
    const ipc = mockShell({
      get_job: () => JOB,
      job_runs: () => [],
      job_store_passwords: () => ["vault-box"],
      run_job_now: (args) => {
        const given = (args as { storePasswords: Record<string, string> }).storePasswords;
        return given["late-box"]
          ? run({})
          : ipcError("password_required", 'secret "late-box" is protected by a store password; give the password', "late-box");
      },
      list_jobs: () => [JOB],
      list_secrets: () => ({ total: 0, items: [] }),
      vault_status: () => ({}),
      organizations: () => [],
    });
    renderPage(<JobDetail id="j-1" />);
    await user.click(await screen.findByRole("button", { name: /Run now/ }));
    const dialog = await screen.findByRole("dialog", { name: "Store password" });
    await user.type(within(dialog).getByLabelText("Store password of vault-box"), "pw one");
    await user.click(within(dialog).getByRole("button", { name: "Run now" }));
    const again = await screen.findByRole("dialog", { name: "Store passwords" });
    await user.type(within(again).getByLabelText("Store password of late-box"), "pw two");
    await user.click(within(again).getByRole("button", { name: "Run now" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(ipc.of("run_job_now")).toHaveLength(2);
  });

  it("reads the secret from a store-password error's detail, and nothing from other errors", () => {
    const wrong = new CofferError({ code: "wrong_password", message: "wrong store password", detail: "a/b" });
    expect(storePasswordSecret(wrong)).toBe("a/b");
    expect(storePasswordSecret(new CofferError({ code: "locked", message: "locked", detail: null }))).toBeNull();
    expect(storePasswordSecret(new Error("x"))).toBeNull();
  });
});
