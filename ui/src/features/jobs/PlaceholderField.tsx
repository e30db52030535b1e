import { useQueries, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type TextCheck } from "../../ipc/client";

/** A piece of a text: plain, a `${secret:…}` placeholder, or a `$${` escape. */
export type Piece = { text: string; kind: "text" | "placeholder" | "escape"; line: number; column: number };

/** Splits a text the way the runner does (placeholders never span lines). */
export function splitPlaceholders(text: string): Piece[] {
  const pieces: Piece[] = [];
  const pattern = /\$\$\{|\$\{secret:[^}\n$]*\}?/g;
  let line = 1;
  let column = 1;
  let last = 0;
  const advance = (chunk: string) => {
    for (const c of chunk) {
      if (c === "\n") {
        line += 1;
        column = 1;
      } else {
        column += 1;
      }
    }
  };
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(last, match.index);
    if (before) pieces.push({ text: before, kind: "text", line, column });
    advance(before);
    pieces.push({ text: match[0], kind: match[0] === "$${" ? "escape" : "placeholder", line, column });
    advance(match[0]);
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), kind: "text", line, column });
  return pieces;
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export type CheckContext = {
  org: string | null;
  project: string | null;
  /** Whether the rendered text is written to disk (a template's output). */
  toDisk: boolean;
  allowWriteOnly: boolean;
};

/** The check of one text's placeholders (shared by the fields and the wizard's list of problems). */
function placeholderCheck(text: string, context: CheckContext) {
  return {
    queryKey: ["placeholder-check", text, context.org, context.project, context.toDisk, context.allowWriteOnly],
    queryFn: () =>
      api.checkPlaceholders({
        text,
        org: context.org,
        project: context.project,
        to_disk: context.toDisk,
        allow_write_only_to_disk: context.allowWriteOnly,
      }),
    enabled: text.includes("${secret:"),
    staleTime: 5_000,
  };
}

/** Checks a text's placeholders against the vault as it is typed (debounced; nothing is decrypted). */
export function usePlaceholderCheck(text: string, context: CheckContext) {
  const debounced = useDebounced(text, 250);
  return useQuery(placeholderCheck(debounced, context));
}

/**
 * The placeholder problems of several texts (e.g. a command's arguments and environment), each
 * prefixed with where it is ("Argument 2: …"); `pending` while a check is still running.
 */
export function usePlaceholderProblems(texts: { where: string; text: string }[], context: CheckContext) {
  const checks = useQueries({ queries: texts.map(({ text }) => placeholderCheck(text, context)) });
  const problems: string[] = [];
  checks.forEach((check, i) => {
    const where = texts[i]?.where ?? "";
    if (check.error) problems.push(`${where}: ${errorMessage(check.error)}`);
    for (const p of check.data?.problems ?? []) problems.push(`${where}: ${p.placeholder} — ${p.message}`);
  });
  return { problems, pending: checks.some((c) => c.isFetching && !c.data) };
}

/** The text with its placeholders marked: green when they resolve, red with the reason when not. */
export function PlaceholderPreview({ text, check }: { text: string; check: TextCheck | undefined }) {
  const pieces = splitPlaceholders(text);
  if (!pieces.some((p) => p.kind !== "text")) return null;
  const problemAt = (p: Piece) => check?.problems.find((q) => q.line === p.line && q.column === p.column);
  return (
    <pre className="ph-preview" aria-label="Placeholders">
      {pieces.map((piece, i) => {
        if (piece.kind === "text") return <span key={i}>{piece.text}</span>;
        if (piece.kind === "escape")
          return (
            <mark key={i} className="ph ph-escape" title="A literal ${">
              {piece.text}
            </mark>
          );
        const problem = problemAt(piece);
        const state = !check ? "pending" : problem ? "bad" : "ok";
        return (
          <mark key={i} className={`ph ph-${state}`} data-state={state} title={problem?.message ?? (state === "ok" ? "Resolves" : "Checking…")}>
            {piece.text}
          </mark>
        );
      })}
    </pre>
  );
}

/** Problems, each with where it is; or, when there are none, what resolves. */
function CheckResult({ check, withLine, empty }: { check: TextCheck; withLine: boolean; empty: string | null }) {
  if (check.problems.length > 0)
    return (
      <ul className="ph-problems">
        {check.problems.map((p) => (
          <li key={`${p.line}:${p.column}`} className="error">
            {withLine ? `Line ${p.line}, column ${p.column}: ` : `Column ${p.column}: `}
            {p.message}
          </li>
        ))}
      </ul>
    );
  if (check.placeholders === 0) return empty ? <span className="ph-ok-note">{empty}</span> : null;
  return (
    <span className="hint ph-ok-note">
      {check.placeholders === 1 ? "1 placeholder resolves" : `${check.placeholders} placeholders resolve`}
      {check.secrets.length ? ` (${check.secrets.join(", ")})` : ""}.
    </span>
  );
}

/**
 * A text or textarea whose `${secret:NAME#FIELD}` placeholders are
 * highlighted and checked against the vault while typing.
 */
export function PlaceholderField({
  label,
  hint,
  value,
  onChange,
  multiline = false,
  context,
  placeholder,
  mono = true,
  trailing,
}: {
  label: ReactNode;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  context: CheckContext;
  placeholder?: string;
  mono?: boolean;
  trailing?: ReactNode;
}) {
  const id = useId();
  const check = usePlaceholderCheck(value, context);
  const active = value.includes("${secret:");
  const result = active ? check.data : undefined;
  const problems = result?.problems ?? [];
  const describedBy = `${id}-hint ${id}-problems`;
  const common = {
    id,
    value,
    placeholder,
    spellCheck: false,
    "aria-invalid": problems.length > 0,
    "aria-describedby": describedBy,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="field ph-field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        {multiline ? (
          <textarea className="textarea" rows={6} {...common} />
        ) : (
          <input className={mono ? "input mono" : "input"} {...common} />
        )}
        {trailing}
      </div>
      <span id={`${id}-hint`} className="hint">
        {hint}
      </span>
      {active ? <PlaceholderPreview text={value} check={result} /> : null}
      <div id={`${id}-problems`} aria-live="polite">
        {check.error && active ? <span className="error">{errorMessage(check.error)}</span> : null}
        {result ? <CheckResult check={result} withLine={multiline} empty={null} /> : null}
      </div>
    </div>
  );
}

/** The check of a template file's placeholders (shared by the field and the wizard's list of problems). */
export function templateCheck(path: string, context: CheckContext) {
  return {
    queryKey: ["template-check", path, context.org, context.project, context.allowWriteOnly],
    queryFn: () =>
      api.checkTemplateFile({
        path,
        org: context.org,
        project: context.project,
        allow_write_only_to_disk: context.allowWriteOnly,
      }),
    enabled: path.startsWith("/"),
    retry: false,
    staleTime: 2_000,
  };
}

/** The placeholders of a template file, checked as a run would read it (debounced as the path is typed). */
export function TemplateFileCheck({ path, context }: { path: string; context: CheckContext }) {
  const debounced = useDebounced(path.trim(), 300);
  const check = useQuery(templateCheck(debounced, context));
  if (!debounced.startsWith("/")) return null;
  return (
    <div className="template-check small" aria-live="polite">
      {check.isPending ? <span className="muted">Reading the template…</span> : null}
      {check.isError ? <span className="error">{errorMessage(check.error)}</span> : null}
      {check.data ? <CheckResult check={check.data} withLine empty="The template has no placeholders." /> : null}
      {check.data || check.isError ? (
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => void check.refetch()}>
          <Icon name="refresh" /> Check again
        </button>
      ) : null}
    </div>
  );
}
