import { useEffect } from "react";

import type { OrgSummary, SharedOrg } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { choiceOf, choiceValue, setOrgChoice, useOrgChoice, useSharedOrgs } from "./model";
import "./shared.css";

/**
 * The sidebar's organization switcher: every local organization, one of
 * them, or a shared organization of the team vault (marked as shared, with
 * the team vault's name). The choice is remembered on this computer.
 */
export function OrgSwitcher() {
  const choice = useOrgChoice();
  const local = useOrganizations();
  const shared = useSharedOrgs();
  return <OrgSelect choice={choiceValue(choice)} local={local.data ?? []} shared={shared.data ?? []} ready={!!local.data && !!shared.data} />;
}

export function OrgSelect({ choice, local, shared, ready }: { choice: string; local: OrgSummary[]; shared: SharedOrg[]; ready: boolean }) {
  const teams = Array.from(new Set(shared.map((o) => o.team)));
  const known =
    choice === "all" ||
    local.some((o) => `local:${o.name}` === choice) ||
    shared.some((o) => `shared:${o.id}` === choice);
  // A remembered organization that is gone (deleted, or this vault left the
  // team vault) falls back to every organization once the lists are in.
  useEffect(() => {
    if (ready && !known) setOrgChoice({ kind: "all" });
  }, [ready, known]);
  return (
    <label className="org-switcher">
      <span className="org-switcher-label">Organization</span>
      <select
        className="select"
        aria-label="Organization"
        value={known ? choice : "all"}
        onChange={(e) => setOrgChoice(choiceOf(e.target.value, shared))}
      >
        <option value="all">All organizations on this desktop</option>
        <optgroup label="On this desktop">
          {local.map((o) => (
            <option key={o.name} value={`local:${o.name}`}>
              {o.name} ({o.secrets.toLocaleString()})
            </option>
          ))}
        </optgroup>
        {teams.map((team) => (
          <optgroup key={team} label={`Shared in team vault ${team}`}>
            {shared
              .filter((o) => o.team === team)
              .map((o) => (
                <option key={o.id} value={`shared:${o.id}`}>
                  {o.name} · shared ({o.secrets.toLocaleString()})
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
