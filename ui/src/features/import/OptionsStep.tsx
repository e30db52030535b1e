import { useId } from "react";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import { api, errorMessage } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { formatBytes } from "../detail/fieldNames";
import { needsPassword, type OptionsDraft } from "./model";
import { fromBrowserFile, fromHandedFile } from "./SourceStep";
import type { ImportFormat } from "./types";

/** Formats whose folders or groups become labels or a project. */
const HAS_GROUPS = new Set<ImportFormat>(["kdbx", "bitwarden", "one_password", "one_password_csv"]);

/**
 * How the file is read: its password or key file (KDBX), passphrase (a Coffer
 * export), groups as labels or a project, .env as one secret or one per
 * variable, and where the secrets go.
 */
export function OptionsStep({
  format,
  options,
  passwordError,
  onChange,
  onError,
}: {
  format: ImportFormat;
  options: OptionsDraft;
  /** The shell said the password (or key file) is wrong. */
  passwordError: string | null;
  onChange: (patch: Partial<OptionsDraft>) => void;
  onError: (message: string) => void;
}) {
  const orgs = useOrganizations();
  const projectsId = useId();
  const orgNames = orgs.data?.map((o) => o.name) ?? [];
  const projects = orgs.data?.find((o) => o.name === options.org)?.projects ?? [];

  const pickKeyFile = async () => {
    try {
      const [picked] = await api.pickFiles("Choose the key file", false);
      if (picked) onChange({ keyFile: { name: picked.name, size: picked.size, value: fromHandedFile(picked) } });
    } catch (e) {
      onError(errorMessage(e));
    }
  };
  const readKeyFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      onChange({ keyFile: { name: file.name, size: file.size, value: await fromBrowserFile(file) } });
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  return (
    <div className="stack reg-form">
      {needsPassword(format) ? (
        <fieldset className="job-fieldset">
          <legend>{format === "kdbx" ? "Open the database" : "Open the export"}</legend>
          <Field
            label={format === "kdbx" ? "Database password" : "Export passphrase"}
            hint={format === "kdbx" ? "Used once to open the file; never stored." : "The passphrase the export was made with; used once, never stored."}
            error={passwordError ?? undefined}
          >
            <PasswordInput
              className="input imp-password"
              what={format === "kdbx" ? "password" : "passphrase"}
              autoComplete="off"
              value={options.password}
              onChange={(e) => onChange({ password: e.target.value })}
            />
          </Field>
          {format === "kdbx" ? (
            <div className="field">
              <span className="field-label">Key file (optional)</span>
              {options.keyFile ? (
                <div className="imp-picked reg-picked">
                  <Icon name="file" />
                  <span className="reg-picked-name">{options.keyFile.name}</span>
                  <span className="muted small">{formatBytes(options.keyFile.size)}</span>
                  <span className="spacer" />
                  <button type="button" className="btn btn-sm btn-ghost" aria-label="Remove the key file" onClick={() => onChange({ keyFile: null })}>
                    <Icon name="x" /> Remove
                  </button>
                </div>
              ) : (
                <div className="row">
                  <button type="button" className="btn btn-sm" onClick={() => void pickKeyFile()}>
                    Choose key file…
                  </button>
                  <label className="visually-hidden">
                    <input
                      type="file"
                      tabIndex={-1}
                      aria-label="Key file"
                      onChange={(e) => {
                        void readKeyFile(e.target.files?.[0]);
                        e.target.value = "";
                      }}
                    />
                  </label>
                  <span className="hint">A database opened with a key file (with or without a password).</span>
                </div>
              )}
            </div>
          ) : null}
        </fieldset>
      ) : null}

      {HAS_GROUPS.has(format) ? (
        <fieldset className="job-fieldset">
          <legend>{format === "kdbx" ? "Groups" : "Folders and collections"}</legend>
          <div role="radiogroup" aria-label="Groups become" className="reg-segmented">
            <label className="reg-segment imp-seg">
              <input type="radio" name="groups" checked={options.groups === "labels"} onChange={() => onChange({ groups: "labels" })} />
              <span>
                Labels
                <span className="small muted">Each secret is labelled with its group path (group=Servers/Databases).</span>
              </span>
            </label>
            <label className="reg-segment imp-seg">
              <input type="radio" name="groups" checked={options.groups === "project"} onChange={() => onChange({ groups: "project" })} />
              <span>
                Projects
                <span className="small muted">The top group becomes each secret&apos;s project.</span>
              </span>
            </label>
          </div>
        </fieldset>
      ) : null}

      {format === "env" ? (
        <fieldset className="job-fieldset">
          <legend>Variables</legend>
          <div role="radiogroup" aria-label="Variables become" className="reg-segmented">
            <label className="reg-segment imp-seg">
              <input type="radio" name="env" checked={options.envMode === "one_secret"} onChange={() => onChange({ envMode: "one_secret" })} />
              <span>
                One key/value secret
                <span className="small muted">All the file&apos;s variables in one secret, like the file itself.</span>
              </span>
            </label>
            <label className="reg-segment imp-seg">
              <input type="radio" name="env" checked={options.envMode === "per_variable"} onChange={() => onChange({ envMode: "per_variable" })} />
              <span>
                One secret per variable
                <span className="small muted">Each variable becomes its own secret, named after it.</span>
              </span>
            </label>
          </div>
          {options.envMode === "one_secret" ? (
            <Field label="Secret name">
              <input className="input mono" value={options.envName} spellCheck={false} autoComplete="off" onChange={(e) => onChange({ envName: e.target.value })} />
            </Field>
          ) : null}
        </fieldset>
      ) : null}

      <fieldset className="job-fieldset">
        <legend>Where the secrets go</legend>
        <div className="grid-2">
          <Field label="Organization" hint={format === "coffer" ? "Empty: the organizations the export names." : "Empty: the vault's default organization."}>
            <select className="input" value={options.org} onChange={(e) => onChange({ org: e.target.value, project: "" })}>
              <option value="">{format === "coffer" ? "As in the export" : "Default"}</option>
              {orgNames.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Project (optional)" hint={options.groups === "project" && HAS_GROUPS.has(format) ? "Secrets outside any group go here." : "Every imported secret goes in this project."}>
            <input className="input" list={projectsId} value={options.project} spellCheck={false} autoComplete="off" onChange={(e) => onChange({ project: e.target.value })} />
          </Field>
          <datalist id={projectsId}>
            {projects.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </div>
      </fieldset>
    </div>
  );
}
