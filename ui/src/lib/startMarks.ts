/**
 * Start-up milestones for the benchmark (tests/e2e/perf reads them as
 * performance marks): each is noted once per page load.
 *   coffer:status      the shell's first answer (the vault's state)
 *   coffer:unlocked    the silent OS-keyring unlock answered
 *   coffer:list-commit the first rows are in the DOM (before their paint)
 *   coffer:list-rendered (SecretsTable) those rows painted
 */
const marked = new Set<string>();

export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
