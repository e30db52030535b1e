import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage } from "../../components/testing";
import { Unlock, type UnlockProps } from "./Unlock";

function show(props: Partial<UnlockProps> = {}) {
  const onUnlocked = vi.fn();
  renderPage(
    <Unlock auto={false} keyringAllowed={false} usesKeyring quickUnlock={false} onUnlocked={onUnlocked} {...props} />,
  );
  return onUnlocked;
}

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});

describe("the unlock screen", () => {
  it("at start unlocks silently with the OS keyring", async () => {
    const ipc = mockShell({ unlock_with_keyring: () => ({ outcome: "unlocked" }) });
    const onUnlocked = show({ auto: true, keyringAllowed: true });
    await waitFor(() => expect(onUnlocked).toHaveBeenCalled());
    expect(ipc.of("unlock_with_keyring")).toHaveLength(1);
  });

  it("opens a vault that never used the keyring with the passphrase, without asking the keyring or an amber notice", async () => {
    const user = userEvent.setup();
    const ipc = mockShell({ unlock_with_passphrase: () => ({ keyring_restored: false }) });
    const onUnlocked = show({ auto: true, keyringAllowed: true, usesKeyring: false });
    expect(screen.getByRole("heading", { name: "Coffer is locked" })).toBeInTheDocument();
    expect(screen.getByText("Enter the recovery passphrase to open the vault.")).toBeInTheDocument();
    expect(document.querySelector(".notice-warn")).toBeNull();
    expect(screen.queryByRole("button", { name: /keyring/i })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Recovery passphrase"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(onUnlocked).toHaveBeenCalled());
    expect(ipc.of("unlock_with_keyring")).toHaveLength(0);
    expect(ipc.of("unlock_with_passphrase")).toEqual([{ passphrase: "correct horse" }]);
  });

  it("says why in amber when the keyring fails at start", async () => {
    mockShell({ unlock_with_keyring: () => ({ outcome: "needs_passphrase", reason: "the OS keyring holds no key for this vault" }) });
    show({ auto: true, keyringAllowed: true });
    expect(await screen.findByText(/The OS keyring cannot unlock this vault: the OS keyring holds no key/)).toBeInTheDocument();
    expect(document.querySelector(".notice-warn")).not.toBeNull();
  });

  it("after a lock asks for the PIN, never the keyring, and counts wrong PINs down to the passphrase", async () => {
    const user = userEvent.setup();
    let tries = 3;
    const ipc = mockShell({
      unlock_with_pin: ({ pin }) => {
        if (pin === "2468") return { outcome: "unlocked" };
        tries -= 1;
        return tries > 0
          ? { outcome: "wrong_pin", tries_left: tries }
          : { outcome: "needs_passphrase", reason: "3 wrong PINs: quick unlock was turned off" };
      },
      unlock_with_passphrase: () => ({ keyring_restored: false }),
    });
    const onUnlocked = show({ quickUnlock: true, reason: "manual" });
    expect(screen.queryByRole("button", { name: /keyring/i })).not.toBeInTheDocument();
    const pin = screen.getByLabelText("PIN");
    await user.type(pin, "1111{Enter}");
    expect(await screen.findByText(/That PIN is not right: 2 tries left/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("PIN"), "1112{Enter}");
    expect(await screen.findByText(/That PIN is not right: 1 try left/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("PIN"), "1113{Enter}");
    expect(await screen.findByText(/Quick unlock is off: 3 wrong PINs/)).toBeInTheDocument();
    expect(screen.queryByLabelText("PIN")).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Recovery passphrase"), "correct horse{Enter}");
    await waitFor(() => expect(onUnlocked).toHaveBeenCalled());
    expect(ipc.of("unlock_with_pin")).toHaveLength(3);
    expect(ipc.of("unlock_with_keyring")).toHaveLength(0);
  });

  it("unlocks with the right PIN, or the passphrase on request", async () => {
    const user = userEvent.setup();
    mockShell({ unlock_with_pin: () => ({ outcome: "unlocked" }) });
    const onUnlocked = show({ quickUnlock: true, reason: "idle" });
    await user.click(screen.getByRole("button", { name: "Use the recovery passphrase" }));
    expect(screen.getByLabelText("Recovery passphrase")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use the PIN" }));
    await user.type(screen.getByLabelText("PIN"), "2468{Enter}");
    await waitFor(() => expect(onUnlocked).toHaveBeenCalled());
  });

  it("without a PIN, a lock leads straight to the passphrase", async () => {
    const user = userEvent.setup();
    mockShell({ unlock_with_passphrase: () => ipcError("wrong_passphrase", "wrong passphrase") });
    show({ reason: "manual" });
    expect(screen.queryByLabelText("PIN")).not.toBeInTheDocument();
    expect(screen.getByText("Enter the recovery passphrase to unlock again.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Recovery passphrase"), "nope{Enter}");
    expect(await screen.findByText("That passphrase is not right.")).toBeInTheDocument();
  });

  it("after another process rotated the master key, says so and asks for the passphrase", () => {
    mockShell({});
    show({ reason: "key_replaced", quickUnlock: true });
    expect(screen.getByText(/replaced the master key/)).toBeInTheDocument();
    expect(screen.getByLabelText("Recovery passphrase")).toBeInTheDocument();
    expect(screen.queryByLabelText("PIN")).not.toBeInTheDocument();
  });
});
