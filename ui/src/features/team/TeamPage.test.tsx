import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage } from "../../components/testing";
import type { TeamAudit, TeamAuditEntry, TeamInvitationInfo, TeamMember, TeamStatus } from "../../ipc/client";
import { TeamPage } from "./TeamPage";

const TEAM = "0b5c7a3e-1f55-4c57-9a54-5a3f0d6f3c11";
const ENTRY = { team_id: TEAM, server: "127.0.0.1:5433/team", joined_at: "2026-12-07T15:00:00Z" };
const ADMIN: TeamStatus = {
  team_id: TEAM,
  server: "127.0.0.1:5433/team",
  member_id: "a1",
  fingerprint: "1111-2222-3333-4444-5555",
  state: "active",
  role: "administrator",
  schema_version: 1,
  revision: 7,
};
const ANN: TeamMember = { id: "a1", display_name: "Ann", role: "administrator", status: "active", fingerprint: ADMIN.fingerprint, confirmed_by: "a1" };
const BO: TeamMember = { id: "b2", display_name: "Bo", role: "member", status: "pending", fingerprint: "abcd-ef01-2345-6789-abcd", confirmed_by: null };

describe("the team vault page", () => {
  it("offers to create or join when this vault has no team vault", async () => {
    mockShell({ team_vaults: () => [], organizations: () => [{ name: "Default", secrets: 0, projects: [] }] });
    renderPage(<TeamPage />);
    expect(await screen.findByRole("heading", { name: "Create a team vault" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Join with an invitation" })).toBeInTheDocument();
  });

  it("refuses an empty create form without calling the shell", async () => {
    const user = userEvent.setup();
    const shell = mockShell({ team_vaults: () => [], organizations: () => [{ name: "Default", secrets: 0, projects: [] }] });
    renderPage(<TeamPage />);
    await user.click(await screen.findByRole("button", { name: /Create a team vault/ }));
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText(/Type the connection string/)).toBeInTheDocument();
    expect(shell.of("create_team_vault")).toHaveLength(0);
  });

  it("shows an unreachable server with its advice and a retry", async () => {
    mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ipcError("unreachable", "the team vault at 127.0.0.1:5433/team cannot be reached (connecting as this member): no answer within 6 s"),
    });
    renderPage(<TeamPage />);
    expect(await screen.findByText(/cannot be reached/)).toBeInTheDocument();
    expect(screen.getByText(/did not answer/)).toBeInTheDocument();
    expect(screen.getByText("unreachable")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Try again/ })).toBeInTheDocument();
  });

  it("shows a pending member's fingerprint large, to read to the administrator", async () => {
    mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ({ ...ADMIN, state: "pending", role: null, schema_version: null, revision: null, fingerprint: BO.fingerprint }),
    });
    renderPage(<TeamPage />);
    expect(await screen.findByRole("heading", { name: "Read this to your administrator" })).toBeInTheDocument();
    expect(screen.getAllByLabelText("Fingerprint abcd ef01 2345 6789 abcd")).toHaveLength(2);
  });

  it("confirms nothing on a mismatched fingerprint and confirms on a match", async () => {
    const user = userEvent.setup();
    let members = [ANN, BO];
    const shell = mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ADMIN,
      team_members: () => members,
      confirm_team_member: (args) => {
        if (String(args.fingerprint).replace(/[^0-9a-f]/gi, "").toLowerCase() !== "abcdef0123456789abcd")
          return ipcError("fingerprint_mismatch", "the fingerprint does not match member b2's keys: nothing was granted");
        members = [ANN, { ...BO, status: "active", confirmed_by: "a1" }];
        return members[1];
      },
    });
    renderPage(<TeamPage />);
    expect(await screen.findByText("1 waiting for confirmation")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Confirm Bo" }));
    const dialog = await screen.findByRole("dialog", { name: "Confirm Bo" });
    const input = within(dialog).getByLabelText("Fingerprint read out by the member");
    await user.type(input, "abcd-ef01");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    expect(await within(dialog).findByText(/20 hex digits/)).toBeInTheDocument();
    expect(shell.of("confirm_team_member")).toHaveLength(0);
    await user.clear(input);
    await user.type(input, "abcd-ef01-2345-6789-0000");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    expect(await within(dialog).findByText(/nothing was granted/)).toBeInTheDocument();
    expect(within(dialog).getByText(/read their fingerprint again/)).toBeInTheDocument();
    await user.clear(input);
    await user.type(input, "ABCD EF01 2345 6789 ABCD");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(shell.of("confirm_team_member")).toEqual([
      { team: TEAM, member: "b2", fingerprint: "abcd-ef01-2345-6789-0000" },
      { team: TEAM, member: "b2", fingerprint: "ABCD EF01 2345 6789 ABCD" },
    ]);
    await waitFor(() => expect(screen.queryByText("1 waiting for confirmation")).not.toBeInTheDocument());
  });

  it("shows an invitation's ticket once, with a copy button and the credential warning", async () => {
    const user = userEvent.setup();
    const shell = mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ADMIN,
      team_members: () => [ANN],
      invite_team_member: () => ({ id: "i1", ticket: "coffer-invite-v1.TICKET", expires_at: "2026-12-10T15:00:00Z" }),
    });
    renderPage(<TeamPage />);
    await user.click(await screen.findByRole("button", { name: /Invite/ }));
    const dialog = await screen.findByRole("dialog", { name: "Invite a member" });
    await user.selectOptions(within(dialog).getByLabelText("Role"), "administrator");
    await user.selectOptions(within(dialog).getByLabelText("Expires after"), "72");
    await user.click(within(dialog).getByRole("button", { name: "Create invitation" }));
    const shown = await screen.findByRole("dialog", { name: "Invitation ticket" });
    expect(within(shown).getByLabelText("Ticket")).toHaveValue("coffer-invite-v1.TICKET");
    expect(within(shown).getByText(/This ticket is a credential/)).toBeInTheDocument();
    expect(within(shown).getByRole("button", { name: /Copy ticket/ })).toBeInTheDocument();
    expect(shell.of("invite_team_member")).toEqual([{ team: TEAM, role: "administrator", expiresInHours: 72 }]);
    await user.click(within(shown).getByRole("button", { name: "Done" }));
    expect(screen.queryByText("coffer-invite-v1.TICKET")).not.toBeInTheDocument();
  });
});

describe("creating a team vault", () => {
  it("offers the SQL for a DBA after needs_dba and shows it in a copyable block", async () => {
    const user = userEvent.setup();
    const shell = mockShell({
      team_vaults: () => [],
      organizations: () => [{ name: "Default", secrets: 0, projects: [] }],
      list_secrets: () => ({ total: 0, items: [] }),
      create_team_vault: (args) =>
        args.printSql
          ? { team_id: TEAM, member_id: "a1", fingerprint: ADMIN.fingerprint, server: "db:5432/team", sql: "BEGIN;\nCREATE ROLE coffer_x NOLOGIN;\nCOMMIT;\n" }
          : ipcError("needs_dba", "the database role cannot create the team vault's roles and schema (PostgreSQL refused: permission denied)"),
    });
    renderPage(<TeamPage />);
    await user.click(await screen.findByRole("button", { name: /Create a team vault/ }));
    await user.type(screen.getByLabelText("Connection string"), "postgres://app@db:5432/team");
    await user.type(screen.getByLabelText("Your display name"), "Ann");
    await user.type(screen.getByLabelText("First organization"), "Platform");
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText(/may not create roles or schemas/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Show the SQL for a database administrator" }));
    const dialog = await screen.findByRole("dialog", { name: "SQL for a database administrator" });
    expect(within(dialog).getByLabelText("SQL script")).toHaveTextContent("CREATE ROLE coffer_x NOLOGIN;");
    expect(within(dialog).getByRole("button", { name: /Copy SQL/ })).toBeInTheDocument();
    expect(shell.of("create_team_vault").map((a) => a.printSql)).toEqual([false, true]);
    expect(shell.of("create_team_vault")[0]).toMatchObject({ connection: "postgres://app@db:5432/team", passwordSecret: null, caSecret: null, displayName: "Ann", orgName: "Platform" });
  });

  it("refuses a connection string with a password in it before asking the shell", async () => {
    const user = userEvent.setup();
    const shell = mockShell({ team_vaults: () => [], organizations: () => [{ name: "Default", secrets: 0, projects: [] }] });
    renderPage(<TeamPage />);
    await user.click(await screen.findByRole("button", { name: /Create a team vault/ }));
    await user.type(screen.getByLabelText("Connection string"), "postgres://app:hunter2@db:5432/team");
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText(/Leave the password out/)).toBeInTheDocument();
    expect(shell.of("create_team_vault")).toHaveLength(0);
  });
});

describe("removing a member", () => {
  it("warns that a key read cannot be taken back, then lists the secrets to rotate", async () => {
    const user = userEvent.setup();
    const active = { ...BO, status: "active", confirmed_by: "a1" };
    let members = [ANN, active];
    const shell = mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ADMIN,
      team_members: () => members,
      remove_team_member: () => {
        members = [ANN, { ...active, status: "removed" }];
        return { member_id: "b2", display_name: "Bo", organizations_rekeyed: 1, epoch: 2, to_rotate: [{ org_id: "o1", secret_id: "s1", name: "prod/db" }] };
      },
    });
    renderPage(<TeamPage />);
    expect(await screen.findByRole("button", { name: "Remove Bo" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove Ann" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove Bo" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove Bo" });
    expect(within(dialog).getByText(/A key that was read cannot be taken back/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Remove" }));
    const done = await screen.findByRole("dialog", { name: "Bo is removed" });
    expect(within(within(done).getByRole("list", { name: "Secrets to rotate" })).getByText("prod/db")).toBeInTheDocument();
    expect(shell.of("remove_team_member")).toEqual([{ team: TEAM, member: "b2" }]);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Remove Bo" })).not.toBeInTheDocument());
  });

  it("explains why the last administrator cannot be removed", async () => {
    const user = userEvent.setup();
    const other = { ...ANN, id: "c3", display_name: "Cy" };
    mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ADMIN,
      team_members: () => [ANN, other],
      remove_team_member: () => ipcError("refused", "the last administrator cannot be removed"),
    });
    renderPage(<TeamPage />);
    await user.click(await screen.findByRole("button", { name: "Remove Cy" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove Cy" });
    await user.click(within(dialog).getByRole("button", { name: "Remove" }));
    expect(await within(dialog).findByText(/last administrator cannot be removed/)).toBeInTheDocument();
    expect(within(dialog).getByText(/make another member administrator first/)).toBeInTheDocument();
  });
});

const BO_ACTIVE: TeamMember = { ...BO, status: "active", confirmed_by: "a1" };

const entry = (seq: number, actor: TeamMember, action: string, target: string): TeamAuditEntry => ({
  seq,
  at: `2026-12-07T15:0${seq}:00Z`,
  actor: actor.id,
  actor_name: actor.display_name,
  action,
  target,
});
const ENTRIES = [entry(1, ANN, "team.create", "t"), entry(2, ANN, "member.invite", "i1"), entry(3, ANN, "member.confirm", "b2"), entry(4, BO_ACTIVE, "secret.reveal", "s1")];

/** The shell's audit: filters applied as the command does, newest first. */
function audit(args: Record<string, unknown>): TeamAudit {
  const entries = ENTRIES.filter((e) => (!args.actor || e.actor === args.actor) && (!args.action || e.action === args.action)).reverse();
  return {
    entries,
    total: ENTRIES.length,
    verified_seq: 4,
    verified_at: ENTRIES.at(-1)?.at ?? null,
    actions: [...new Set(ENTRIES.map((e) => e.action))].sort(),
  };
}

const PENDING: TeamInvitationInfo = { id: "i3aaaaaa-0000", role: "member", state: "open", expires_at: "2026-12-09T15:00:00Z", used_at: null, revoked_at: null, created_by: "a1" };
const INVITATIONS: TeamInvitationInfo[] = [
  { id: "i3aaaaaa-0000", role: "member", state: "open", expires_at: "2026-12-09T15:00:00Z", used_at: null, revoked_at: null, created_by: "a1" },
  { id: "i1bbbbbb-0000", role: "member", state: "used", expires_at: "2026-12-08T15:00:00Z", used_at: "2026-12-07T15:02:30Z", revoked_at: null, created_by: "a1" },
];

describe("the team vault's audit and invitations", () => {
  it("shows the verified chain with names, up to which entry, and filters by action and member", async () => {
    const user = userEvent.setup();
    const shell = mockShell({ team_vaults: () => [ENTRY], team_status: () => ADMIN, team_members: () => [ANN, BO_ACTIVE], team_invitations: () => INVITATIONS, team_audit: audit });
    renderPage(<TeamPage />);
    expect(await screen.findByText(/chain verified up to entry 4/)).toBeInTheDocument();
    const rows = () => within(document.querySelector(".team-audit") as HTMLElement).getAllByRole("row").slice(1);
    const row = (i: number) => {
      const found = rows()[i];
      if (!found) throw new Error(`no audit row ${i}`);
      return found;
    };
    expect(rows()).toHaveLength(4);
    expect(row(0)).toHaveTextContent("Revealed a secret");
    expect(row(0)).toHaveTextContent("Bo");
    // A member target by name.
    expect(row(1)).toHaveTextContent("Confirmed a member");
    expect(within(row(1)).getAllByText("Bo").length).toBeGreaterThan(0);
    await user.selectOptions(screen.getByLabelText("Filter by action"), "member.confirm");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(shell.of("team_audit").at(-1)).toMatchObject({ action: "member.confirm", actor: null });
    await user.selectOptions(screen.getByLabelText("Filter by action"), "");
    await user.selectOptions(screen.getByLabelText("Filter by member"), "b2");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(row(0)).toHaveTextContent("secret.reveal");
    await user.selectOptions(screen.getByLabelText("Filter by action"), "team.create");
    expect(await screen.findByText("No entry matches these filters.")).toBeInTheDocument();
  });

  it("shows a chain that does not verify as tampered, with no entry", async () => {
    mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ({ ...ADMIN, role: "member" }),
      team_members: () => [ANN, BO_ACTIVE],
      team_audit: () => ipcError("tampered", "audit entry 2 was changed outside Coffer"),
    });
    renderPage(<TeamPage />);
    expect(await screen.findByText("tampered")).toBeInTheDocument();
    expect(screen.getByText(/The audit chain does not verify/)).toBeInTheDocument();
    expect(screen.getByText(/audit entry 2 was changed outside Coffer/)).toBeInTheDocument();
    expect(document.querySelector(".team-audit")).toBeNull();
    expect(screen.queryByText(/chain verified up to/)).toBeNull();
    // A plain member sees no invitations.
    expect(screen.queryByRole("heading", { name: "Invitations" })).toBeNull();
  });

  it("lists invitations for administrators and revokes a pending one", async () => {
    const user = userEvent.setup();
    let invitations = INVITATIONS;
    const shell = mockShell({
      team_vaults: () => [ENTRY],
      team_status: () => ADMIN,
      team_members: () => [ANN, BO_ACTIVE],
      team_audit: audit,
      team_invitations: () => invitations,
      revoke_team_invitation: (args) => {
        const revoked = { ...PENDING, state: "revoked", revoked_at: "2026-12-07T16:00:00Z" };
        invitations = [revoked, ...INVITATIONS.slice(1)];
        expect(args.invitation).toBe(PENDING.id);
        return revoked;
      },
    });
    renderPage(<TeamPage />);
    expect(await screen.findByRole("heading", { name: "Invitations" })).toBeInTheDocument();
    const table = await waitFor(() => {
      const found = document.querySelector<HTMLElement>(".team-invitations");
      if (!found) throw new Error("no invitations table yet");
      return found;
    });
    expect(within(table).getByText("pending")).toBeInTheDocument();
    expect(within(table).getByText("used")).toBeInTheDocument();
    // Only a pending invitation can be revoked.
    expect(within(table).getAllByRole("button", { name: /Revoke invitation/ })).toHaveLength(1);
    await user.click(within(table).getByRole("button", { name: "Revoke invitation i3aaaaaa" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText(/stops working/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(within(document.querySelector(".team-invitations") as HTMLElement).getByText("revoked")).toBeInTheDocument());
    expect(shell.of("revoke_team_invitation")).toEqual([{ team: TEAM, invitation: "i3aaaaaa-0000" }]);
    expect(within(document.querySelector(".team-invitations") as HTMLElement).queryAllByRole("button", { name: /Revoke invitation/ })).toHaveLength(0);
  });
});
