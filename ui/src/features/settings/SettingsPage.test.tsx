import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage, type CommandHandler } from "../../components/testing";
import type { KeyringState, Settings } from "../../ipc/client";
import { SettingsPage } from "./SettingsPage";

const SETTINGS: Settings = {
  trash_retention_days: 30,
  keep_versions: 10,
  expired_use: "warn",
  notify_days_before: [30, 7, 1, 0],
  idle_lock_minutes: 15,
  clipboard_clear_seconds: 30,
};

function status(keyring: KeyringState) {
  return {
    path: "/home/alice/.local/share/coffer/vault.db",
    vault_id: "v-1",
    unlocked: true,
    keyring,
    counts: { total: 12, active: 9, deactivated: 1, expired: 2, expiring_30_days: 3, trash: 4 },
    schema_version: 3,
    settings: SETTINGS,
  };
}

function shell(extra: Record<string, CommandHandler> = {}, keyring: KeyringState = { state: "stored" }) {
  return mockShell({
    get_settings: () => SETTINGS,
    vault_status: () => status(keyring),
    ...extra,
  });
}

async function open() {
  renderPage(<SettingsPage />);
  await screen.findByRole("heading", { name: "Vault settings" });
}

describe("SettingsPage", () => {
  it("refuses values out of range, as the core does", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await open();
    const retention = screen.getByLabelText("Trash retention (days)");
    await user.clear(retention);
    await user.type(retention, "0");
    const clipboard = screen.getByLabelText("Clipboard clearing (seconds)");
    await user.clear(clipboard);
    await user.type(clipboard, "601");
    const idle = screen.getByLabelText("Lock after idle (minutes)");
    await user.clear(idle);
    await user.type(idle, "1441");
    const keep = screen.getByLabelText("Versions kept per secret");
    await user.clear(keep);
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("1 to 3650 days.")).toBeInTheDocument();
    expect(screen.getByText("5 to 600 seconds.")).toBeInTheDocument();
    expect(screen.getByText("0 (never) to 1440 minutes.")).toBeInTheDocument();
    expect(screen.getByText("Enter a number.")).toBeInTheDocument();
    expect(ipc.of("update_settings")).toEqual([]);
  });

  it("checks a new notification threshold", async () => {
    const user = userEvent.setup();
    shell();
    await open();
    const days = screen.getByLabelText("Days before expiry");
    await user.type(days, "400");
    await user.click(screen.getByRole("button", { name: "Add" }));
    expect(screen.getByText("A whole number of days from 0 (on expiry) to 365.")).toBeInTheDocument();
    await user.clear(days);
    await user.type(days, "7");
    await user.click(screen.getByRole("button", { name: "Add" }));
    expect(screen.getByText("7 days before is already there.")).toBeInTheDocument();
  });

  it("saves thresholds and numbers", async () => {
    const user = userEvent.setup();
    const ipc = shell({ update_settings: (args) => args.settings });
    await open();
    await user.click(screen.getByRole("button", { name: "Remove 1 day before" }));
    await user.type(screen.getByLabelText("Days before expiry"), "14{Enter}");
    const keep = screen.getByLabelText("Versions kept per secret");
    await user.clear(keep);
    await user.type(keep, "25");
    await user.selectOptions(screen.getByLabelText("Using an expired secret"), "block");
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("Settings saved.")).toBeInTheDocument();
    expect(ipc.of("update_settings")).toEqual([
      {
        settings: {
          trash_retention_days: 30,
          keep_versions: 25,
          expired_use: "block",
          notify_days_before: [30, 14, 7, 0],
          idle_lock_minutes: 15,
          clipboard_clear_seconds: 30,
        },
      },
    ]);
  });

  it("reports an intact audit log with its entry count", async () => {
    const user = userEvent.setup();
    shell({ verify_audit: () => ({ entries: 1234, ok: true, first_broken: null, reason: null }) });
    await open();
    await user.click(screen.getByRole("button", { name: "Verify the audit log" }));
    expect(await screen.findByText(/The audit log is intact: 1,234 entries verified./)).toBeInTheDocument();
  });

  it("reports the first broken audit entry and why", async () => {
    const user = userEvent.setup();
    shell({ verify_audit: () => ({ entries: 40, ok: false, first_broken: 17, reason: "hash mismatch" }) });
    await open();
    await user.click(screen.getByRole("button", { name: "Verify the audit log" }));
    const alert = await screen.findByText(/broken at entry 17: hash mismatch/);
    expect(alert.closest(".notice")).toHaveClass("notice-error");
  });

  it("shows why the keyring is unavailable", async () => {
    shell({}, { state: "unavailable", reason: "no Secret Service provider on the session bus" });
    await open();
    expect(await screen.findByText("Keyring unavailable")).toBeInTheDocument();
    expect(screen.getByText("no Secret Service provider on the session bus")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try the keyring again" })).toBeInTheDocument();
  });

  it("stops using the keyring", async () => {
    const user = userEvent.setup();
    const ipc = shell({ set_keyring: () => ({ state: "disabled" }) });
    await open();
    await user.click(await screen.findByRole("button", { name: "Stop using the keyring" }));
    await waitFor(() => expect(ipc.of("set_keyring")).toEqual([{ enabled: false }]));
  });

  it("shows where a backup was saved, or that it was cancelled", async () => {
    const user = userEvent.setup();
    let answer: string | null = "/backups/vault-2026-03-01.db";
    const ipc = shell({ backup_vault: () => answer });
    await open();
    await user.click(screen.getByRole("button", { name: "Back up the vault…" }));
    expect(await screen.findByText("/backups/vault-2026-03-01.db")).toBeInTheDocument();
    // The suggested name is dated by the person's own day, not UTC's.
    const now = new Date();
    const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    expect(ipc.of("backup_vault")[0]).toEqual({ localDate: day });
    answer = null;
    await user.click(screen.getByRole("button", { name: "Back up the vault…" }));
    expect(await screen.findByText("Backup cancelled.")).toBeInTheDocument();
  });

  it("says when the current passphrase is wrong", async () => {
    const user = userEvent.setup();
    const ipc = shell({ change_passphrase: () => ipcError("wrong_passphrase", "wrong passphrase") });
    await open();
    await user.type(screen.getByLabelText("Current passphrase"), "old one");
    await user.type(screen.getByLabelText("New passphrase"), "correct horse battery staple");
    await user.type(screen.getByLabelText("New passphrase again"), "correct horse battery staple");
    await user.click(screen.getByRole("button", { name: "Change passphrase" }));
    expect(await screen.findByText("Wrong passphrase.")).toBeInTheDocument();
    expect(ipc.of("change_passphrase")).toEqual([
      { oldPassphrase: "old one", newPassphrase: "correct horse battery staple" },
    ]);
  });

  it("rotates the master key with the recovery passphrase", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      rotate_master_key: (args) =>
        args.passphrase === "right" ? { state: "stored" } : ipcError("wrong_passphrase", "wrong passphrase"),
    });
    await open();
    await user.click(screen.getByRole("button", { name: "Rotate master key…" }));
    const dialog = await screen.findByRole("dialog", { name: "Rotate the master key" });
    await user.type(within(dialog).getByLabelText("Recovery passphrase"), "wrong");
    await user.click(within(dialog).getByRole("button", { name: "Rotate" }));
    expect(await within(dialog).findByText("Wrong recovery passphrase.")).toBeInTheDocument();
    await user.clear(within(dialog).getByLabelText("Recovery passphrase"));
    await user.type(within(dialog).getByLabelText("Recovery passphrase"), "right");
    await user.click(within(dialog).getByRole("button", { name: "Rotate" }));
    expect(await screen.findByText("Master key rotated.")).toBeInTheDocument();
    expect(ipc.of("rotate_master_key")).toHaveLength(2);
  });

  it("shows the vault path and counts", async () => {
    shell();
    await open();
    expect(await screen.findByText("/home/alice/.local/share/coffer/vault.db")).toBeInTheDocument();
    const counts = screen.getByRole("list", { name: "Secret counts" });
    expect(within(counts).getByText("In the trash").previousSibling).toHaveTextContent("4");
  });
});

describe("the lock card", () => {
  it("says what the lock defends against and sets a quick-unlock PIN for the session", async () => {
    const user = userEvent.setup();
    let quick = false;
    const ipc = shell({
      app_status: () => ({
        vault_path: "/v.db",
        exists: true,
        open_error: null,
        unlocked: true,
        keyring_allowed: true,
        quick_unlock: quick,
        uses_keyring: true,
      }),
      set_quick_unlock: () => {
        quick = true;
        return null;
      },
      clear_quick_unlock: () => {
        quick = false;
        return null;
      },
    });
    await open();
    const card = screen.getByRole("region", { name: "Lock and quick unlock" });
    expect(within(card).getByText(/guards the open window, not your session/)).toBeInTheDocument();
    expect(within(card).getByText(/secret-tool, the coffer CLI/)).toBeInTheDocument();
    await user.type(within(card).getByLabelText("Quick-unlock PIN"), "12");
    await user.click(within(card).getByRole("button", { name: "Set the PIN" }));
    expect(await within(card).findByText("At least 4 characters.")).toBeInTheDocument();
    await user.type(within(card).getByLabelText("Quick-unlock PIN"), "34");
    await user.type(within(card).getByLabelText("Repeat the PIN"), "1235");
    await user.click(within(card).getByRole("button", { name: "Set the PIN" }));
    expect(await within(card).findByText("The two PINs differ.")).toBeInTheDocument();
    await user.clear(within(card).getByLabelText("Repeat the PIN"));
    await user.type(within(card).getByLabelText("Repeat the PIN"), "1234");
    await user.click(within(card).getByRole("button", { name: "Set the PIN" }));
    expect(await within(card).findByText(/A quick-unlock PIN is set for this session/)).toBeInTheDocument();
    expect(ipc.of("set_quick_unlock")).toEqual([{ pin: "1234" }]);
    await user.click(within(card).getByRole("button", { name: "Turn quick unlock off" }));
    await waitFor(() => expect(within(card).queryByText(/A quick-unlock PIN is set/)).not.toBeInTheDocument());
    expect(ipc.of("clear_quick_unlock")).toHaveLength(1);
  });

  it("without the keyring, says what protects the locked vault", async () => {
    shell(
      {
        app_status: () => ({
          vault_path: "/v.db",
          exists: true,
          open_error: null,
          unlocked: true,
          keyring_allowed: true,
          quick_unlock: false,
          uses_keyring: false,
        }),
      },
      { state: "disabled" },
    );
    await open();
    const card = screen.getByRole("region", { name: "Lock and quick unlock" });
    expect(within(card).getByText(/master key is not in the OS keyring/)).toBeInTheDocument();
  });
});
