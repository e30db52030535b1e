import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage } from "../../components/testing";
import { ExportDialog } from "./ExportDialog";

const PREVIEW = { secrets: 2, versions: 1, metadata_only: ["Default:robot/deploy"], jobs: 0 };
const STRONG = "tangerine orbit velvet 93 lantern";

function open(handlers: Parameters<typeof mockShell>[0] = {}) {
  const ipc = mockShell({ export_preview: () => PREVIEW, ...handlers });
  renderPage(<ExportDialog choices={[{ label: "The 2 secrets selected", target: { selection: { ids: ["a", "b"] } } }]} onClose={() => {}} />);
  return ipc;
}

describe("ExportDialog", () => {
  it("shows the count and the metadata-only secrets, and checks the passphrases before asking the shell", async () => {
    const user = userEvent.setup();
    const ipc = open();
    await screen.findByText("2 secrets, 1 value");
    expect(screen.getByText("Default:robot/deploy")).toBeTruthy();
    await user.type(screen.getByLabelText("Recovery passphrase"), "recovery pass");
    await user.type(screen.getByLabelText("File passphrase"), STRONG);
    await user.type(screen.getByLabelText("File passphrase again"), `${STRONG}x`);
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(await screen.findByText("The two entries differ.")).toBeTruthy();
    await user.clear(screen.getByLabelText("File passphrase"));
    await user.type(screen.getByLabelText("File passphrase"), "short");
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(await screen.findByText("Use at least 8 characters.")).toBeTruthy();
    expect(ipc.of("export_secrets")).toEqual([]);
  });

  it("shows a wrong recovery passphrase on its field, and a written export's path", async () => {
    const user = userEvent.setup();
    let first = true;
    const ipc = open({
      export_secrets: () => {
        if (first) {
          first = false;
          return ipcError("wrong_passphrase", "wrong passphrase");
        }
        return { path: "/home/a/two.coffer", summary: { secrets: 2, versions: 1, withheld: 1, encrypted: true } };
      },
    });
    await screen.findByText("2 secrets, 1 value");
    await user.type(screen.getByLabelText("Recovery passphrase"), "not it");
    await user.type(screen.getByLabelText("File passphrase"), STRONG);
    await user.type(screen.getByLabelText("File passphrase again"), STRONG);
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(await screen.findByText("Wrong recovery passphrase.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(await screen.findByText("/home/a/two.coffer")).toBeTruthy();
    const sent = ipc.of("export_secrets");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.request).toMatchObject({
      target: { selection: { ids: ["a", "b"] } },
      all_versions: false,
      recovery: "not it",
      passphrase: STRONG,
      plaintext_confirmed: false,
    });
  });

  it("exports in plaintext only after its own confirmation", async () => {
    const user = userEvent.setup();
    const ipc = open({
      export_secrets: () => ({ path: "/home/a/x.json", summary: { secrets: 2, versions: 1, withheld: 1, encrypted: false } }),
    });
    await screen.findByText("2 secrets, 1 value");
    await user.type(screen.getByLabelText("Recovery passphrase"), "recovery pass");
    await user.click(screen.getByText("Other options"));
    await user.click(screen.getByLabelText(/Export without encryption/));
    expect(screen.queryByLabelText("File passphrase")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Export in plaintext…" }));
    expect(await screen.findByText("Tick this to export without encryption.")).toBeTruthy();
    expect(ipc.of("export_secrets")).toEqual([]);
    await user.click(screen.getByLabelText(/I understand/));
    await user.click(screen.getByRole("button", { name: "Export in plaintext…" }));
    await waitFor(() => expect(ipc.of("export_secrets")).toHaveLength(1));
    expect(ipc.of("export_secrets")[0]?.request).toMatchObject({ passphrase: null, plaintext_confirmed: true });
    expect(await screen.findByText(/exported IN PLAINTEXT/)).toBeTruthy();
  });
  it("offers the jobs with their count, and sends the choice", async () => {
    const user = userEvent.setup();
    const ipc = open({
      export_preview: () => ({ ...PREVIEW, jobs: 3 }),
      export_secrets: () => ({
        path: "/home/a/with-jobs.coffer",
        summary: { secrets: 2, versions: 1, withheld: 1, jobs: 3, encrypted: true },
      }),
    });
    const box = await screen.findByLabelText(/Include jobs/);
    expect(await screen.findByText(/3 jobs of the organizations exported/)).toBeTruthy();
    expect(box).not.toBeChecked();
    await user.click(box);
    await user.type(screen.getByLabelText("Recovery passphrase"), "recovery pass");
    await user.type(screen.getByLabelText("File passphrase"), STRONG);
    await user.type(screen.getByLabelText("File passphrase again"), STRONG);
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(await screen.findByText(/3 jobs\)/)).toBeTruthy();
    expect(ipc.of("export_secrets")[0]?.request).toMatchObject({ jobs: true });
  });

  it("offers no jobs when there are none", async () => {
    open();
    const box = await screen.findByLabelText(/Include jobs/);
    await screen.findByText("(none in what is exported)");
    expect(box).toBeDisabled();
  });
});
