import type { JobInput, JobKind, JobSpec, Job, Schedule, SecretRole } from "../../ipc/client";

export type EnvPair = { key: string; value: string };

/** Everything the job wizard edits, as text, before it becomes a JobInput. */
export type JobDraft = {
  kind: JobKind | null;
  name: string;
  description: string;
  org: string;
  project: string;
  url: string;
  target: string;
  repoUrl: string;
  branch: string;
  tokenUsername: string;
  template: string;
  output: string;
  allowWriteOnly: boolean;
  program: string;
  args: string[];
  env: EnvPair[];
  workingDir: string;
  timeout: string;
  roles: Partial<Record<SecretRole, string>>;
  scheduleType: "none" | "cron" | "interval";
  cron: string;
  interval: string;
  enabled: boolean;
};

export function emptyDraft(): JobDraft {
  return {
    kind: null,
    name: "",
    description: "",
    org: "",
    project: "",
    url: "https://",
    target: "",
    repoUrl: "",
    branch: "",
    tokenUsername: "",
    template: "",
    output: "",
    allowWriteOnly: false,
    program: "",
    args: [],
    env: [],
    workingDir: "",
    timeout: "",
    roles: {},
    scheduleType: "none",
    cron: "0 3 * * *",
    interval: "1h",
    enabled: true,
  };
}

/** A draft from an existing job, to edit it. */
export function draftOf(job: Job): JobDraft {
  const draft: JobDraft = {
    ...emptyDraft(),
    kind: job.kind,
    name: job.name,
    description: job.description,
    org: job.org,
    project: job.project ?? "",
    enabled: job.enabled,
  };
  const spec = job.spec;
  switch (spec.kind) {
    case "http_fetch":
      Object.assign(draft, { url: spec.url, target: spec.target });
      break;
    case "git_fetch":
      Object.assign(draft, {
        repoUrl: spec.repo_url,
        branch: spec.branch ?? "",
        target: spec.target,
        tokenUsername: spec.token_username ?? "",
      });
      break;
    case "template":
      Object.assign(draft, { template: spec.template, output: spec.output, allowWriteOnly: spec.allow_write_only_to_disk });
      break;
    case "command":
      Object.assign(draft, {
        program: spec.program,
        args: spec.args ?? [],
        env: Object.entries(spec.env ?? {}).map(([key, value]) => ({ key, value })),
        workingDir: spec.working_dir ?? "",
        timeout: spec.timeout_seconds ? String(spec.timeout_seconds) : "",
      });
      break;
  }
  for (const binding of job.bindings) {
    if (binding.source.source === "role") draft.roles[binding.source.role] = binding.secret;
  }
  if (job.schedule?.type === "cron") {
    draft.scheduleType = "cron";
    draft.cron = job.schedule.expression;
  } else if (job.schedule?.type === "interval") {
    draft.scheduleType = "interval";
    draft.interval = `${job.schedule.seconds}s`;
  }
  return draft;
}

/** `90s`, `15m`, `1h30m`, `2d`, `1w` or plain seconds; null when it does not parse. */
export function parseInterval(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+\s*[smhdw]\s*)+$/.test(t)) return null;
  const size: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
  let total = 0;
  for (const m of t.matchAll(/(\d+)\s*([smhdw])/g)) total += Number(m[1]) * (size[m[2] ?? "s"] ?? 1);
  return total;
}

export function scheduleOf(draft: JobDraft): Schedule | null {
  if (draft.scheduleType === "cron") return { type: "cron", expression: draft.cron.trim() };
  if (draft.scheduleType === "interval") {
    const seconds = parseInterval(draft.interval);
    return seconds === null ? null : { type: "interval", seconds };
  }
  return null;
}

const blank = (s: string) => (s.trim() ? s.trim() : null);

export function specOf(draft: JobDraft): JobSpec | null {
  switch (draft.kind) {
    case "http_fetch":
      return { kind: "http_fetch", url: draft.url.trim(), target: draft.target.trim() };
    case "git_fetch":
      return {
        kind: "git_fetch",
        repo_url: draft.repoUrl.trim(),
        branch: blank(draft.branch),
        target: draft.target.trim(),
        token_username: blank(draft.tokenUsername),
      };
    case "template":
      return {
        kind: "template",
        template: draft.template.trim(),
        output: draft.output.trim(),
        allow_write_only_to_disk: draft.allowWriteOnly,
      };
    case "command": {
      const timeout = Number(draft.timeout);
      return {
        kind: "command",
        program: draft.program.trim(),
        args: draft.args,
        env: Object.fromEntries(draft.env.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value])),
        working_dir: blank(draft.workingDir),
        timeout_seconds: draft.timeout.trim() && Number.isFinite(timeout) ? timeout : null,
      };
    }
    default:
      return null;
  }
}

/** The roles a kind binds that are filled in. */
export function rolesOf(draft: JobDraft, allowed: SecretRole[]) {
  return allowed
    .filter((role) => draft.roles[role])
    .map((role) => ({ role, secret: draft.roles[role] ?? "" }));
}

export function inputOf(draft: JobDraft, allowed: SecretRole[]): JobInput | null {
  const spec = specOf(draft);
  if (!spec) return null;
  return {
    name: draft.name.trim(),
    org: blank(draft.org),
    project: blank(draft.project),
    description: draft.description.trim(),
    spec,
    schedule: scheduleOf(draft),
    enabled: draft.enabled,
    roles: rolesOf(draft, allowed),
  };
}

/** Problems the settings step can tell before asking the vault; keyed by field. */
export function settingsProblems(draft: JobDraft, editing: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  const absolute = (field: "target" | "template" | "output", label: string) => {
    const value = draft[field].trim();
    if (!value) problems[field] = `${label} is required.`;
    else if (!value.startsWith("/")) problems[field] = `${label} must be an absolute path (starting with /).`;
  };
  if (!editing && !/^[A-Za-z0-9._/-]{1,128}$/.test(draft.name.trim()))
    problems.name = "A name of 1–128 letters, digits, and . _ / - is required.";
  switch (draft.kind) {
    case "http_fetch": {
      try {
        const url = new URL(draft.url.trim());
        if (url.protocol !== "https:" && url.protocol !== "http:") problems.url = "The URL must be https.";
        else if (url.username || url.password) problems.url = "Put no credentials in the URL: bind a secret in the next step.";
      } catch {
        problems.url = "Enter a full URL, such as https://repo.example.com/artifacts/app.tar.gz.";
      }
      absolute("target", "The target file");
      break;
    }
    case "git_fetch":
      if (!draft.repoUrl.trim()) problems.repoUrl = "The repository URL is required.";
      else if (/^https?:\/\/[^/]*@/.test(draft.repoUrl.trim()))
        problems.repoUrl = "Put no credentials in the URL: bind a secret in the next step.";
      absolute("target", "The working copy directory");
      break;
    case "template":
      absolute("template", "The template file");
      absolute("output", "The output file");
      if (!problems.output && draft.output.trim() === draft.template.trim()) problems.output = "The output must differ from the template.";
      break;
    case "command":
      if (!draft.program.trim()) problems.program = "The program is required.";
      for (const pair of draft.env) {
        if (pair.key.trim() && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.key.trim())) {
          problems.env = `${pair.key} is not an environment variable name.`;
        }
      }
      if (draft.workingDir.trim() && !draft.workingDir.trim().startsWith("/"))
        problems.workingDir = "The working directory must be an absolute path.";
      if (draft.timeout.trim() && !(Number(draft.timeout) >= 1)) problems.timeout = "The time limit is a number of seconds, at least 1.";
      break;
  }
  return problems;
}
