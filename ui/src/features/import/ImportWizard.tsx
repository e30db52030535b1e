import { useEffect, useReducer, useRef, useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { WizardSteps } from "../../components/WizardSteps";
import { CofferError, errorMessage, type FieldValue } from "../../ipc/client";
import { useInvalidateSecrets } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { useDroppedFiles } from "../register/useDroppedFiles";
import { importApi } from "./api";
import { ImportDone } from "./ImportDone";
import { MappingStep } from "./MappingStep";
import { formatLabel, mappingProblem, optionsProblem, reduce, START, STEP_LABEL, stepsFor, toChoices, toOptions, type Problem, type Step } from "./model";
import { OptionsStep } from "./OptionsStep";
import { PreviewStep } from "./PreviewStep";
import { fromHandedFile, SourceStep } from "./SourceStep";
import "../jobs/jobs.css";
import "../register/register.css";
import "./import.css";

const TITLE: Record<Step, string> = {
  source: "Choose the file",
  options: "How to read it",
  mapping: "Map the columns",
  preview: "Preview",
  import: "Importing",
  done: "Imported",
};

/** Why an import code refused a file, for people. */
const WHY: Record<string, string> = {
  too_large: "The file is larger than Coffer imports (64 MiB).",
  too_many_columns: "The CSV has more columns than Coffer reads (256).",
  too_many_rows: "The CSV has more rows than Coffer reads (100,000).",
  kdf_too_costly: "The database's key derivation settings would take minutes or gigabytes to open; Coffer refuses such files.",
  truncated: "The file ends too early: it was cut off.",
  malformed: "The file is not what its format says.",
  unsupported_version: "This version of the format is not supported.",
  unsupported_format: "This build of Coffer cannot read that format yet.",
};

function problemOf(error: unknown): Problem {
  if (error instanceof CofferError) return { code: error.code, message: error.message, why: error.detail ? (WHY[error.detail] ?? null) : null };
  return { code: "internal", message: errorMessage(error), why: null };
}

/**
 * The Import wizard: source (format detected, changeable) → options → CSV
 * columns → preview (conflicts, unreadable rows, values write-only items need)
 * → import with progress → done. The shell reads the file and keeps what it
 * read; values never cross to this window, and the shell forgets them when
 * the wizard closes.
 */
export function ImportWizard() {
  const [state, dispatch] = useReducer(reduce, START);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const importing = useRef(false);
  const invalidate = useInvalidateSecrets();
  const { step } = state;

  useEffect(() => {
    heading.current?.focus();
  }, [step]);

  // What the shell read is dropped when the wizard goes.
  useEffect(() => () => void importApi.close().catch(() => undefined), []);

  useEffect(() => {
    const stop = importApi.onProgress((done, total) => dispatch({ type: "progress", done, total }));
    return () => void stop.then((f) => f()).catch(() => undefined);
  }, []);

  const run = async (what: string, f: () => Promise<void>) => {
    setBusy(what);
    try {
      await f();
    } catch (error) {
      dispatch({ type: "failed", problem: problemOf(error) });
    } finally {
      setBusy(null);
    }
  };

  const open = (source: FieldValue, name: string | null) =>
    void run("Reading the file…", async () => {
      dispatch({ type: "opened", file: await importApi.open(source, name) });
    });

  // A file dropped on the window while the source step shows is the file to import.
  useDroppedFiles(step === "source", (files) => {
    const [first] = files;
    if (first) open(fromHandedFile(first), null);
  });

  const readPreview = () =>
    void run(state.format === "kdbx" ? "Opening the database…" : "Reading the file…", async () => {
      dispatch({ type: "previewed", preview: await importApi.read(toOptions(state)) });
    });

  const next = () => {
    if (step === "source") dispatch({ type: "go", step: "options" });
    else if (step === "options" && state.format === "csv") {
      void run("Reading the first rows…", async () => {
        dispatch({ type: "sampled", sample: await importApi.csvSample() });
      });
    } else if (step === "options" || step === "mapping") readPreview();
  };

  const apply = async () => {
    if (importing.current || !state.preview) return;
    importing.current = true;
    dispatch({ type: "importing", total: state.preview.items.length });
    try {
      const outcome = await importApi.apply(toChoices(state));
      dispatch({ type: "imported", outcome });
      void invalidate();
    } catch (error) {
      dispatch({ type: "failed", problem: { ...problemOf(error), afterImport: true } });
    } finally {
      importing.current = false;
    }
  };

  const cancel = () => {
    if (state.file && step !== "done") setConfirmCancel(true);
    else navigate({ view: "secrets" });
  };

  const again = () => {
    void importApi.close().catch(() => undefined);
    dispatch({ type: "reset" });
  };

  const steps = stepsFor(state.format);
  const current = steps.indexOf(step);
  const blocked =
    step === "source"
      ? !state.file || !state.format
        ? "Choose a file and its format."
        : null
      : step === "options"
        ? optionsProblem(state)
        : step === "mapping"
          ? mappingProblem(state.mapping)
          : null;
  const problem = state.problem;
  const passwordProblem = problem && step === "options" && ["wrong_password", "wrong_passphrase", "wrong_key", "password_required"].includes(problem.code) ? problem.message : null;

  return (
    <div className="page reg-page imp-page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Import</h1>
          <p>{state.file && state.format ? `${state.file.name} · ${formatLabel(state.format)}` : "Bring secrets in from KeePass, Bitwarden, 1Password, a CSV, a .env file or a Coffer export."}</p>
        </div>
        <span className="spacer" />
        {step !== "done" && step !== "import" ? (
          <button type="button" className="btn" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <WizardSteps label="Import steps" steps={steps.map((id) => ({ id, label: STEP_LABEL[id] }))} current={current} />
      <section className="card reg-card" aria-labelledby="imp-step-title" aria-busy={busy !== null}>
        <h2 id="imp-step-title" ref={heading} tabIndex={-1} className="reg-step-title">
          {TITLE[step]}
        </h2>

        {step === "source" ? (
          <SourceStep
            file={state.file}
            format={state.format}
            busy={busy !== null}
            onSource={open}
            onFormat={(format) => dispatch({ type: "format", format })}
            onError={(message) => dispatch({ type: "failed", problem: { code: "invalid_input", message, why: null } })}
          />
        ) : null}
        {step === "options" && state.format ? (
          <OptionsStep
            format={state.format}
            options={state.options}
            passwordError={passwordProblem}
            onChange={(patch) => dispatch({ type: "options", patch })}
            onError={(message) => dispatch({ type: "failed", problem: { code: "invalid_input", message, why: null } })}
          />
        ) : null}
        {step === "mapping" && state.sample && state.mapping ? (
          <MappingStep
            sample={state.sample}
            mapping={state.mapping}
            onColumn={(index, column) => dispatch({ type: "column", index, column })}
            onMapping={(patch) => dispatch({ type: "mapping", patch })}
          />
        ) : null}
        {step === "preview" ? (
          <PreviewStep
            state={state}
            onDefault={(choice) => dispatch({ type: "conflictDefault", choice })}
            onItem={(index, choice) => dispatch({ type: "conflictItem", index, choice })}
            onJob={(index, choice) => dispatch({ type: "conflictJob", index, choice })}
            onValue={(index, field, value) => dispatch({ type: "value", index, field, value })}
            onTag={(tag) => dispatch({ type: "tag", tag })}
          />
        ) : null}
        {step === "import" ? (
          <div className="stack imp-progress" role="status" aria-live="polite">
            <progress className="kv-progress" max={state.progress?.total || undefined} value={state.progress?.total ? state.progress.done : undefined} aria-label="Import progress" />
            <p>{state.progress && state.progress.done > 0 ? `${state.progress.done.toLocaleString()} of ${state.progress.total.toLocaleString()} written…` : "Writing, in one transaction: all or nothing…"}</p>
          </div>
        ) : null}
        {step === "done" && state.outcome ? <ImportDone outcome={state.outcome} onAgain={again} /> : null}

        {busy ? (
          <p className="muted" role="status">
            {busy}
          </p>
        ) : null}
        {problem && !passwordProblem ? (
          <div className="notice notice-error" role="alert">
            <Icon name="alert" />
            <div className="stack" style={{ gap: 4 }}>
              <p>{problem.message}</p>
              {problem.why ? <p className="small">{problem.why}</p> : null}
              {problem.afterImport ? <p className="small">Nothing was written: the vault is as it was. Preview again to retry.</p> : null}
            </div>
          </div>
        ) : null}

        {step !== "import" && step !== "done" ? (
          <div className="reg-actions">
            {current > 0 ? (
              <button type="button" className="btn" disabled={busy !== null} onClick={() => dispatch({ type: "back" })}>
                Back
              </button>
            ) : null}
            <span className="spacer" />
            {blocked && step !== "source" ? <span className="small muted">{blocked}</span> : null}
            {step === "preview" ? (
              <button type="button" className="btn btn-primary" disabled={busy !== null || !state.preview || state.preview.items.length === 0} onClick={() => void apply()}>
                <Icon name="upload" /> Import
              </button>
            ) : (
              <button type="button" className="btn btn-primary" disabled={busy !== null || blocked !== null} onClick={next}>
                {step === "mapping" || (step === "options" && state.format !== "csv") ? "Preview" : "Next"} <Icon name="chevronRight" />
              </button>
            )}
          </div>
        ) : null}
      </section>
      <ConfirmDialog
        open={confirmCancel}
        title="Stop importing?"
        confirmLabel="Stop"
        cancelLabel="Keep going"
        onClose={() => setConfirmCancel(false)}
        onConfirm={() => {
          setConfirmCancel(false);
          navigate({ view: "secrets" });
        }}
      >
        <p>Nothing has been written yet; Coffer forgets the file.</p>
      </ConfirmDialog>
    </div>
  );
}
