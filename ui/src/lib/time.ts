// Dates for people: absolute (local date) and relative ("in 12 days").

const DAY = 86_400_000;

export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDate(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return "—";
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return "—";
  return date.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Whole days from now until `value` (negative in the past), rounded toward now. */
export function daysUntil(value: string | null | undefined, now: Date = new Date()): number | null {
  const date = parseTime(value);
  if (!date) return null;
  return Math.trunc((date.getTime() - now.getTime()) / DAY);
}

export function relative(value: string | null | undefined, now: Date = new Date()): string {
  const date = parseTime(value);
  if (!date) return "";
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  let text: string;
  if (abs < 60_000) return "just now";
  if (abs < 3_600_000) text = unit(Math.round(abs / 60_000), "minute");
  else if (abs < DAY) text = unit(Math.round(abs / 3_600_000), "hour");
  // Whole days, counted like daysUntil() so badges and dates agree.
  else text = unit(Math.trunc(abs / DAY), "day");
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** `2027-01-31` for a date input, from RFC 3339. */
export function toDateInput(value: string | null | undefined): string {
  const date = parseTime(value);
  return date ? date.toISOString().slice(0, 10) : "";
}

/** RFC 3339 (midnight UTC of that day) from a date input's value. */
export function fromDateInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  return `${value}T00:00:00Z`;
}
